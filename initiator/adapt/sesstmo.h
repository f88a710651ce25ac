/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An iSCSI session's recovery timeout, read and written in sysfs, and the
 * addresses of its connection's TCP socket (initiator/adapt/sesstmo.c), so
 * that the daemon can fail a dead session's I/O at once: the timeout set
 * to 0, then the socket destroyed (sockkill.h). Files only, under a root
 * (normally "/sys"; tests give a fake tree), as scan.h reads them.
 *
 * What the kernel does with recovery_tmo (drivers/scsi/scsi_transport_iscsi.c,
 * Linux 6.1 as in the VM lab's guest):
 *   - It is the session's field recovery_tmo (seconds), which iscsid sets
 *     at every login and relogin from open-iscsi's
 *     node.session.timeo.replacement_timeout (ISCSI_PARAM_SESS_RECOVERY_TMO).
 *   - A write (iscsi_priv_session_attr_store) is refused with EBUSY while
 *     the session is FAILED (recovering) or FREE (its recovery timed out,
 *     or it is going away): write while it is LOGGED_IN. "off" sets -1
 *     (never time out); a number is read by simple_strtoul() in any base,
 *     a newline after it allowed. The write also sets
 *     recovery_tmo_sysfs_override: from then on, for the life of the
 *     session (until logout), iscsid's value is ignored at relogin
 *     (iscsi_set_param). So a value written stays until written again:
 *     the daemon writes the value it wants once the session is up again
 *     (mpath/sm_health.c: 0 while the session's maps have spare paths,
 *     the policy's on the last path of a map, whose I/O should wait for
 *     the portal to return rather than fail at once).
 *   - It is used when the connection fails (__iscsi_block_session): the
 *     session goes FAILED, its SCSI devices are blocked (I/O waits), and
 *     the recovery work is queued to run recovery_tmo seconds later (never
 *     for -1). A timeout of 0 runs it at once: session_recovery_timedout()
 *     sets the session FREE and its devices transport-offline, which fails
 *     the I/O that waited and every new command (dm-multipath then sends
 *     it down another path). A write while the recovery work is queued
 *     does not change when it runs (and is refused anyway: FAILED).
 *   - iscsid keeps logging in again after that; when it succeeds, the
 *     session is LOGGED_IN and its devices running again
 *     (iscsi_unblock_session).
 * Reading shows "%d\n", or "off\n" for -1 where the kernel shows it so
 * (6.1 does: read back in the VM lab); both are read.
 *
 * The connection's socket (iscsi_tcp, drivers/scsi/iscsi_tcp.c): its
 * remote end is class/iscsi_connection/connection<S>:0/address and port
 * (getpeername(): where the TCP connection goes now, a redirect's address
 * included), its local port local_port (getsockname()), its local address
 * the session's host's class/iscsi_host/host<H>/ipaddress (getsockname()).
 * The kernel computes them at each read from the socket, and refuses the
 * read (ENOTCONN) while the connection has none: read them while the
 * session is LOGGED_IN. persistent_address and persistent_port are the
 * portal logged in to (kept across relogins). Addresses are printed
 * "%pI4" or "%pI6" (eight groups of four hex digits, uncompressed).
 */
#ifndef PORTICO_INITIATOR_SESSTMO_H
#define PORTICO_INITIATOR_SESSTMO_H

#include <stddef.h>
#include <stdint.h>

#include "common/netaddr.h"
#include "initiator/adapt/sockdiag.h"

/* "off": the session never gives up waiting for its connection (the kernel's -1). */
#define SESSTMO_OFF (-1)
/* The largest timeout written: a day (the kernel multiplies it by HZ in an int). */
#define SESSTMO_MAX 86400

/*
 * The recovery timeout of session sid (class/iscsi_session/session<sid>)
 * under root, in seconds, or SESSTMO_OFF. 0, or -ENOENT (no such session),
 * -EINVAL (not a number or "off"), -errno.
 */
int sesstmo_get(const char *root, uint32_t sid, int32_t *tmo_s);

/*
 * Writes tmo_s (0..SESSTMO_MAX, or SESSTMO_OFF) as session sid's recovery
 * timeout. 0, or -errno with a reason in err (not NULL): -EBUSY (the
 * session is FAILED or FREE: the kernel refuses, and a recovery under way
 * keeps the timeout it started with), -ENOENT (no such session), -ERANGE
 * (tmo_s out of range, nothing written), -EACCES, -EINVAL (the kernel
 * refused the value).
 */
int sesstmo_set(const char *root, uint32_t sid, int32_t tmo_s, char *err, size_t errlen);

/* The TCP connection of a session, as sysfs shows it. */
struct sesstmo_conn {
	uint32_t sid;
	uint32_t host_no;	/* the session's SCSI host: class/iscsi_host/host<host_no> */
	struct net_addr local;	/* ipaddress of the host, and local_port */
	struct net_addr remote; /* address and port: where the connection goes now */
	struct net_addr
	    portal; /* persistent_address and persistent_port: the portal logged in to */
};

/*
 * Reads the connection of session sid (connection<sid>:0: open-iscsi has
 * one per session) under root into *out. 0, or -errno with the attribute
 * and why in err (not NULL): -ENOENT (no such session or attribute),
 * -ENOTCONN (the connection has no socket now: the session is
 * recovering), -EINVAL (not an address or a port), -errno.
 */
int sesstmo_conn_read(const char *root, uint32_t sid, struct sesstmo_conn *out, char *err,
		      size_t errlen);

/*
 * The match that takes c's socket and no other (sockkill.h): both ends,
 * and the device it is bound to (an iface bound by interface name binds
 * its socket to the NIC: pass the NIC's ifindex; 0 when not known).
 */
void sesstmo_conn_match(const struct sesstmo_conn *c, uint32_t ifindex, struct sockdiag_match *m);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Destroying the kernel's TCP sockets of iSCSI connections
 * (initiator/adapt/sockkill.c), so that iscsi_tcp sees its connection fail
 * at once instead of at the NOP-Out timeout: a dump of the TCP sockets
 * through NETLINK_SOCK_DIAG, then SOCK_DESTROY of each one that matches
 * (sockdiag.h has the messages and the rule).
 *
 * What the kernel does with it (Linux 6.1, as the lab's guest runs it):
 * sock_diag_destroy() checks CAP_NET_ADMIN in the socket's network
 * namespace and calls tcp_abort(): the socket gets ECONNABORTED as its
 * error, a RST goes out if it can, and it moves to CLOSE. iscsi_tcp has
 * its own sk_state_change (iscsi_sw_tcp_state_change): on CLOSE it raises
 * iscsi_conn_failure(ISCSI_ERR_TCP_CONN_CLOSE), and the transport class
 * (iscsi_conn_error_event, iscsi_cleanup_conn_work_fn) stops the
 * connection in the kernel, without waiting for iscsid: the commands in
 * flight are failed back to the SCSI layer with DID_TRANSPORT_DISRUPTED
 * and the session is blocked, which starts its recovery timer
 * (sesstmo.h). iscsi_tcp's socket is the one iscsid made and handed over
 * (ISCSI_UEVENT_BIND_CONN, sockfd_lookup()): it shows in the dump as any
 * socket does, bound to the iface's NIC when the iface is bound by name.
 * One case the abort does not fail the connection: unread data in the
 * socket's receive queue (iscsi_sw_sk_state_check() waits for it to be
 * read); iscsi_tcp reads it at once, and fails the connection then.
 *
 * Why synchronous: the kernel answers from its socket tables, with no I/O
 * and no wait for the network. A kill of one connection whose two ends are
 * known (sesstmo.h gives them) is one lookup in the TCP hash and one
 * destroy: 27-74 us on the build machine (tests/functional/pathd-sockkill.sh
 * prints each), 7-14 ms in the VM lab's emulated guest (docs/testing.md,
 * failadapt). A dump walks every bucket of the TCP hash, which all network
 * namespaces share and whose size follows the memory: 1-6 ms a family on
 * the build machine, which is why the exact lookup comes first. Doing it on
 * the loop would need a state machine and leave the daemon between "path
 * failed" and "socket gone" for no gain. It is bounded all the same: each
 * receive waits at most what is left of SOCKKILL_TIMEOUT_MS, a dump is
 * read for SOCKKILL_DUMP_MAX sockets at most, and a kill destroys
 * SOCKKILL_MATCH_MAX at most.
 */
#ifndef PORTICO_INITIATOR_SOCKKILL_H
#define PORTICO_INITIATOR_SOCKKILL_H

#include <stddef.h>
#include <stdint.h>

#include "initiator/adapt/sockdiag.h"

/* The most one kill (or probe) takes, all requests together. */
#define SOCKKILL_TIMEOUT_MS 1000
/* The most sockets of one dump looked at (the kernel sends only those to the remote port). */
#define SOCKKILL_DUMP_MAX 65536
/* The most sockets one kill destroys. */
#define SOCKKILL_MATCH_MAX 256

struct sockkill_result {
	unsigned int seen;    /* sockets the dumps sent (to the remote port, in SOCKDIAG_STATES) */
	unsigned int matched; /* of them, those the match takes */
	unsigned int destroyed; /* of them, destroyed */
	unsigned int gone;	/* gone between the dump and the destroy (-ENOENT, -ESTALE) */
	unsigned int dumps;	/* dumps made (0: the exact lookup found it, or refused it) */
	int64_t us;		/* how long it took, dumps and destroys */
	/* the first socket matched, for the log ("" when none) */
	char first[2 * 56 + 32];
};

/*
 * Destroys every TCP socket that m takes (sockdiag_matches), in the
 * calling process's network namespace. Blocks for at most
 * SOCKKILL_TIMEOUT_MS. res (not NULL) says what was found and done, also
 * after an error.
 *
 * Returns 0 when every socket matched was destroyed or had gone (0 matched
 * is a success: the connection had closed already), or -errno with a
 * reason in err (not NULL, errlen > 0):
 *   -EINVAL      m is not a match a kill may use (sockdiag_match_check)
 *   -EOPNOTSUPP  the kernel cannot destroy sockets (built without
 *                CONFIG_INET_DIAG_DESTROY); nothing was destroyed
 *   -EPERM       not allowed (CAP_NET_ADMIN is needed)
 *   -EPROTONOSUPPORT, -ENOENT  no NETLINK_SOCK_DIAG, or no TCP in it (the
 *                inet_diag and tcp_diag modules could not be loaded)
 *   -ETIMEDOUT   the kernel did not answer within SOCKKILL_TIMEOUT_MS
 *   -EBADMSG, -EPROTO  an answer that is not what sock_diag sends
 *   -E2BIG       more than SOCKKILL_DUMP_MAX sockets in a dump, or more
 *                than SOCKKILL_MATCH_MAX matched (the first
 *                SOCKKILL_MATCH_MAX are destroyed)
 *   -ENOMEM, or what socket(), send() or recv() failed with
 */
int sockkill_destroy(const struct sockdiag_match *m, struct sockkill_result *res, char *err,
		     size_t errlen);

/*
 * Whether this kernel destroys sockets: a destroy request for a socket
 * that does not exist (all-zero addresses and ports) is answered -ENOENT
 * by a kernel that can, -EOPNOTSUPP by one that cannot. 0 when it can, or
 * -errno with a reason in err, as sockkill_destroy().
 */
int sockkill_probe(char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel has of pathd's iSCSI sessions and their disks, read from
 * sysfs (initiator/adapt/scan.c): /sys/class/iscsi_session,
 * /sys/class/iscsi_connection, and each session's SCSI devices with their
 * block device, size, state and VPD page 0x83 (the WWID, mpath/wwid.h).
 *
 * A scan is a snapshot; the daemon compares two snapshots and feeds the
 * differences to the state machine as events. It reads only files, takes
 * a root (normally "/sys") so that tests scan a fake tree, and never
 * blocks on a device (no I/O to the disks: sysfs holds what the kernel
 * read at scan time).
 *
 * The kernel's layout (drivers/scsi/scsi_transport_iscsi.c, scsi_sysfs.c,
 * with iscsi_tcp, whose hosts hang off the platform bus):
 *   class/iscsi_session/session<S> -> devices/platform/host<H>/session<S>/iscsi_session/session<S>
 *       device -> the session's device, devices/platform/host<H>/session<S>
 *   class/iscsi_connection/connection<S>:0 -> .../session<S>/connection<S>:0/iscsi_connection/...
 *   devices/platform/host<H>/session<S>/target<H>:0:<T>/<H>:0:<T>:<L>/block/sd<X>
 */
#ifndef PORTICO_INITIATOR_SCAN_H
#define PORTICO_INITIATOR_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpath/sm.h"

/*
 * The most of a disk's VPD page 0x83 kept: multipath-tools reads the
 * sysfs copy into as much (VPD_BUFLEN, libmultipath). A longer page is cut to
 * this; its header still says how long it was.
 */
#define SCAN_VPD83_MAX 4096

struct scan_session {
	struct mp_ev_session ev; /* key (nic from the iface name), sid, state, timeouts */
	char iface[MP_NIC_MAX + 16];
	char state[16];	  /* the kernel's word: "LOGGED_IN", "FAILED", "FREE" */
	int32_t tpgt;	  /* the target portal group tag; -1 when the node record had none */
	uint32_t host_no; /* the SCSI host: /sys/class/scsi_host/host<host_no> */
};

struct scan_disk {
	/*
	 * key, dev, devt, size, ready, and the WWID multipath names the map by
	 * (mpath/wwid.h: mp_wwid, from vpd83); ev.wwid "" with ev.reason
	 * saying why when the disk has no page 0x83 in sysfs or no usable
	 * designator in it.
	 */
	struct mp_ev_disk ev;
	uint32_t sid;
	char hctl[64]; /* "2:0:0:1" (four numbers, the LUN 64-bit: 53 characters at most) */
	char
	    state[24]; /* the SCSI device's state: "running", "blocked", "transport-offline", ... */
	char vendor[9];		       /* INQUIRY T10 vendor, trailing blanks trimmed */
	char model[17];		       /* INQUIRY product, trailing blanks trimmed */
	uint8_t vpd83[SCAN_VPD83_MAX]; /* the raw page as the kernel read it, header included */
	size_t vpd83_len;	       /* 0: none in sysfs */
};

/*
 * A session or disk the scan saw but could not read (an attribute missing,
 * cut short or not what the kernel writes, or gone while it was read). It
 * is left out of the snapshot; the daemon may log it, and should not take
 * it for gone until a scan reads it or no longer sees it.
 */
struct scan_skip {
	uint32_t sid;  /* 0: class/iscsi_session itself (more entries than a scan reads) */
	char hctl[64]; /* "": the session itself; a disk's, or a target's "target2:0:0" */
	/*
	 * -ENOENT missing (gone while read), -ENODATA cut short (no newline),
	 * -ENOMSG empty, -EILSEQ bytes the kernel does not write, -EOVERFLOW
	 * too long, -EINVAL not a number (or not what it names), -ERANGE out
	 * of range, -ENODEV no block device yet, -EMLINK more than one,
	 * -E2BIG a directory past the entries a scan reads
	 */
	int err;
	char reason[256]; /* "connection4:0/persistent_port is not a number" */
};

struct scan_snapshot {
	struct scan_session *sessions; /* by sid */
	size_t nsessions;
	struct scan_disk *disks; /* by sid, then LUN */
	size_t ndisks;
	struct scan_skip *skips; /* by sid, then hctl */
	size_t nskips;
};

/*
 * Reads every iSCSI session under root whose iface name starts with prefix
 * (pathd's own, "portico-"), and their disks (SCSI devices of type disk
 * with a block device). Sessions of other ifaces (a manual login, a
 * libvirt iscsi pool over the default iface) are not pathd's and are left
 * out. A session or disk that cannot be read is left out and named in
 * skips. No iSCSI in the kernel (no class/iscsi_session) is an empty
 * snapshot. 0, the caller then frees *out with scan_free(); or -errno
 * (-ENOMEM, class/iscsi_session unreadable), *out then empty.
 */
int scan_read(const char *root, const char *prefix, struct scan_snapshot *out);
/* Frees what s holds and empties it (a second call does nothing). */
void scan_free(struct scan_snapshot *s);

#endif

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
 */
#ifndef PORTICO_INITIATOR_SCAN_H
#define PORTICO_INITIATOR_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpath/sm.h"

struct scan_session {
	struct mp_ev_session ev; /* key (nic from the iface name), sid, state, timeouts */
	char iface[MP_NIC_MAX + 16];
	uint32_t host_no; /* the SCSI host: /sys/class/scsi_host/host<host_no> */
};

struct scan_disk {
	struct mp_ev_disk ev; /* key, dev, devt, wwid or reason, size, ready */
	uint32_t sid;
	char hctl[48]; /* "2:0:0:1" */
	char vendor[9];
	char model[17];
};

struct scan_snapshot {
	struct scan_session *sessions;
	size_t nsessions;
	struct scan_disk *disks;
	size_t ndisks;
};

/*
 * Reads every iSCSI session under root whose iface name starts with prefix
 * (pathd's own, "portico-"), and their disks (SCSI devices of type disk
 * with a block device). Sessions of other ifaces (a manual login, a
 * libvirt iscsi pool over the default iface) are not pathd's and are left
 * out. 0 or -errno; the caller frees *out with scan_free().
 */
int scan_read(const char *root, const char *prefix, struct scan_snapshot *out);
void scan_free(struct scan_snapshot *s);

#endif

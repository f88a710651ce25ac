/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udev's device events on the daemon's loop (initiator/adapt/umon.c): a
 * libudev monitor of the "udev" netlink group (events systemd-udevd has
 * processed, so /dev and the by-path links are in place), filtered in the
 * kernel to subsystem "block" devtype "disk", "iscsi_session" and "scsi".
 * Each event says only that something changed: the daemon rescans sysfs
 * (scan.h) and compares snapshots.
 *
 * What it cannot see: the kernel sends no uevent when a session goes
 * FAILED or back to LOGGED_IN (that goes to iscsid over the iSCSI netlink
 * family), nor when a SCSI device goes blocked, offline or
 * transport-offline. The daemon scans on a timer too.
 *
 * The monitor hears nothing unless systemd-udevd runs: libudev subscribes
 * a "udev" monitor to no group at all when /run/udev/control is absent and
 * /dev is not a devtmpfs, and that choice is made once, at creation. So
 * the daemon asks umon_udev_running() first; while udev is not running it
 * relies on its timer, and creates the monitor once udev runs.
 */
#ifndef PORTICO_INITIATOR_UMON_H
#define PORTICO_INITIATOR_UMON_H

#include <stdbool.h>

struct ev_loop;
struct umon;

/*
 * One udev event: action ("add", "remove", "change", "bind", "unbind",
 * ...), subsystem ("block", "iscsi_session", "scsi") and the device's
 * sysfs name ("sdb", "session3", "2:0:0:1", "target2:0:0", "host2"), and
 * ua: the SDEV_UA property of a SCSI device's change event (a unit
 * attention the kernel reported, "REPORTED_LUNS_DATA_HAS_CHANGED",
 * "CAPACITY_DATA_HAS_CHANGED", ...) or NULL. The strings live until cb
 * returns. All are NULL when events were lost (the socket's buffer
 * overflowed): rescan everything.
 */
typedef void umon_changed_cb(void *arg, const char *action, const char *subsystem,
			     const char *devname, const char *ua);

/*
 * Starts watching on loop. changed runs on the loop, once per event, never
 * inside umon_create() and never after umon_destroy(); it may call
 * umon_destroy(). When umon_create() fails it never runs. 0, -ENOMEM, or
 * -errno (the netlink socket refused).
 */
int umon_create(struct ev_loop *loop, struct umon **out, umon_changed_cb *changed, void *arg);
/* Stops watching and frees; no callback runs after it. NULL does nothing. */
void umon_destroy(struct umon *um);

/*
 * Whether systemd-udevd runs: its control socket <run>/udev/control
 * ("/run" normally) is there. libudev's own test (udev_queue_get_udev_is_active,
 * and the monitor's choice of group) is the same path; a socket left by a
 * udevd that died counts as running.
 */
bool umon_udev_running(const char *run);

#endif

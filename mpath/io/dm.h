/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device-mapper adapter: dm-multipath maps through libdevmapper
 * (mpath/io/dm.c), behind an ops struct so that the daemon can run on a
 * fake (mpath/io/dm_fake.h) where the kernel has no device-mapper.
 *
 * Maps are named by their WWID or alias and carry the UUID "mpath-<WWID>",
 * as multipathd's do, so that udev's rules (/dev/mapper/<name>,
 * /dev/disk/by-id/dm-uuid-mpath-<WWID>), kpartx and multipath -ll know
 * them. Tables go in and come out through mpath/map_spec.h.
 *
 * Every op is synchronous and may block; the daemon runs them on a worker
 * thread, never on its event loop. They are not reentrant: one op at a
 * time. Each returns 0 or -errno with a reason for the administrator in
 * err (libdevmapper's own messages included: dm.c routes its log there,
 * never to stderr). No callback: the result is the return.
 *
 * How long they block (dm_libdm_ops):
 *  - create, reload and remove wait for udev to finish with the map's
 *    uevent (udev's rules make and remove /dev/mapper/<name>), at most
 *    DM_UDEV_WAIT_MS; past it they say so in err (-ETIMEDOUT), with the
 *    map made, reloaded or removed in the kernel all the same.
 *  - reload's suspend waits for the I/O the map has in flight on its
 *    paths to end; with noflush, I/O queued in the map stays queued and is
 *    not waited for, but an I/O stuck on a dead path is: until the SCSI
 *    layer fails it, at most the iSCSI session's replacement_timeout plus
 *    the SCSI command timeout. Nothing bounds that from user space.
 *  - a remove that is not deferred retries for up to 5 s while the map is
 *    busy (udev's workers open a new map for a moment).
 *  - list, message: one ioctl per call (three per map for list), no wait.
 *
 * udev: libdevmapper decides once per process, at the first op, whether
 * udev runs (/run/udev/control). If it does, udev makes the nodes and the
 * ops wait for it; if not, libdevmapper makes /dev/mapper/<name> itself
 * and nothing is waited for. dm_libdm_probe says which, for the daemon's
 * start-up log line; start pathd after systemd-udevd.
 */
#ifndef PORTICO_MPATH_IO_DM_H
#define PORTICO_MPATH_IO_DM_H

#include <stdbool.h>
#include <stddef.h>

#include "mpath/map_spec.h"
#include "mpath/sm.h"

#define DM_UUID_PREFIX MP_UUID_PREFIX

/* The longest create, reload or remove waits for udev to finish with the map's uevent. */
#define DM_UDEV_WAIT_MS 30000

struct dm_ops {
	/*
	 * Every multipath map whose UUID starts with DM_UUID_PREFIX, read
	 * through mp_spec_read_map: its table as a spec (spec_ok false when it
	 * is not one pathd could have written, or the map is suspended), its
	 * open count, queueing (queue_if_no_path as the kernel has it now) and
	 * the paths its status shows failed. *out is malloc'ed (the caller
	 * frees it; NULL when *n is 0), *n its length. A map that goes away
	 * while it is read is left out; any other failure fails the whole
	 * list (a partial list would look like maps gone).
	 */
	int (*list)(void *arg, struct mp_ev_map **out, size_t *n, char *err, size_t errlen);
	/*
	 * Creates spec->name with UUID mpath-<spec->wwid> and spec's table
	 * (mp_spec_build); returns when /dev/mapper/<name> exists. -EEXIST when
	 * a map has that name or that UUID, -EINVAL for a spec no table can
	 * say (or an empty WWID); the kernel's refusal otherwise (a path that
	 * is gone, or held by something else: -ENXIO, -EBUSY).
	 */
	int (*create)(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen);
	/*
	 * Loads spec's table into spec->name's inactive slot and swaps it in:
	 * suspend without flush (I/O queued in the map stays queued), resume.
	 * -ENXIO when no map has that name, -EEXIST when the one that has is
	 * not mpath-<spec->wwid> (another LUN's map: never reloaded with these
	 * paths). A failed suspend drops the new table (the map runs on its
	 * old one); a failed resume is tried again, which resumes the old
	 * table; err says which, and says loudly when the map is left
	 * suspended.
	 */
	int (*reload)(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen);
	/*
	 * Removes name. Not deferred: retried for up to 5 s while it is open
	 * (udev opens a map for a moment after each uevent), then -EBUSY with
	 * the open count in err. Deferred: removed now when closed, else by
	 * the kernel at its last close (listed until then). -ENXIO when there
	 * is none.
	 */
	int (*remove)(void *arg, const char *name, bool deferred, char *err, size_t errlen);
	/*
	 * A message to name's multipath target (sector 0): "fail_path 8:16",
	 * "reinstate_path 8:16", "queue_if_no_path", "fail_if_no_path". -ENXIO
	 * when there is no such map; the kernel's -EINVAL for a message it
	 * refuses (a path not in the map).
	 */
	int (*message)(void *arg, const char *name, const char *msg, char *err, size_t errlen);
};

/* The real thing, over libdevmapper; arg unused (NULL). */
extern const struct dm_ops dm_libdm_ops;

/* What the daemon logs at start: the versions at hand, and whether udev is waited for. */
struct dm_libdm_info {
	char library[64]; /* libdevmapper's version */
	char driver[64];  /* the kernel's device-mapper ioctl interface version */
	bool udev_sync;	  /* udev makes /dev/mapper/<name>, the ops wait for it */
};

/*
 * Asks libdevmapper and the kernel for *info. 0, or -errno with the reason
 * in err (no device-mapper in the kernel, /dev/mapper/control not
 * accessible): the ops will fail the same way.
 */
int dm_libdm_probe(struct dm_libdm_info *info, char *err, size_t errlen);

#endif

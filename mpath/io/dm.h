/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device-mapper adapter: dm-multipath maps through libdevmapper
 * (mpath/io/dm.c), behind an ops struct so that the daemon can run on a
 * fake (tests/functional) where the kernel has no device-mapper.
 *
 * Maps are named by their WWID or alias and carry the UUID "mpath-<WWID>",
 * as multipathd's do, so that udev's rules (/dev/mapper/<name>,
 * /dev/disk/by-id/dm-uuid-mpath-<WWID>), kpartx and multipath -ll know
 * them.
 *
 * Every op is synchronous and may block (a create waits for udev to make
 * /dev/mapper/<name>); the daemon runs them on a worker thread, never on
 * its event loop. They are not reentrant: one op at a time. Each returns 0
 * or -errno with a reason for the administrator in err.
 */
#ifndef PORTICO_MPATH_IO_DM_H
#define PORTICO_MPATH_IO_DM_H

#include <stdbool.h>
#include <stddef.h>

#include "mpath/sm.h"

#define DM_UUID_PREFIX "mpath-"

struct dm_ops {
	/*
	 * Every multipath map whose UUID starts with DM_UUID_PREFIX, with its
	 * table read back into a spec (spec_ok false when it cannot be read),
	 * its open count and its status (failed paths, queueing). *out is
	 * malloc'ed (the caller frees it), *n its length.
	 */
	int (*list)(void *arg, struct mp_ev_map **out, size_t *n, char *err, size_t errlen);
	/* Creates spec->name with UUID mpath-<spec->wwid>; returns when /dev/mapper/<name> exists. */
	int (*create)(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen);
	/* Loads spec's table into the map and swaps it in (suspend without flush, resume). */
	int (*reload)(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen);
	/* Removes name; deferred: when it is open, remove it at its last close. */
	int (*remove)(void *arg, const char *name, bool deferred, char *err, size_t errlen);
	/* A target message to name's multipath target: "fail_path 8:16", "queue_if_no_path", ... */
	int (*message)(void *arg, const char *name, const char *msg, char *err, size_t errlen);
};

/* The real thing, over libdevmapper; arg unused (NULL). */
extern const struct dm_ops dm_libdm_ops;

#endif

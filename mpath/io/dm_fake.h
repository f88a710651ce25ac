/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake device-mapper (mpath/io/dm_fake.c): an in-memory set of maps
 * behind struct dm_ops, for unit and functional tests of the daemon, and
 * for portico-pathd on machines whose kernel has no device-mapper.
 *
 * It answers as dm_libdm_ops does over a 6.x kernel, errors and reasons
 * included: create refuses a name or UUID in use (-EEXIST); reload of a
 * map that is not there is -ENXIO, of another LUN's map -EEXIST; remove of
 * an open map is -EBUSY unless deferred, and a deferred one goes at its
 * last close (dm_fake_set_open); messages fail and reinstate paths and
 * switch queueing as dm-mpath's multipath_message does; a new table starts
 * with every path active. list reads each map back as the kernel prints
 * it: its table made canonical (dmt_table_canon), a status line written as
 * multipath_status writes one, both through mp_spec_read_map, as the real
 * adapter does.
 *
 * What it does not do: I/O (no map queues anything; a group is never
 * chosen, so every group shows 'E' or 'D', as in a map no one has read
 * from), udev (create makes no /dev/mapper node), and sharing a path
 * between maps is not refused. Every call is safe from any thread.
 */
#ifndef PORTICO_MPATH_IO_DM_FAKE_H
#define PORTICO_MPATH_IO_DM_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include "mpath/io/dm.h"

struct dm_fake;

/* The ops; arg is a struct dm_fake. */
extern const struct dm_ops dm_fake_ops;

/* An empty fake. 0 or -ENOMEM. Free with dm_fake_destroy. */
int dm_fake_create(struct dm_fake **out);
void dm_fake_destroy(struct dm_fake *f);

/* The ops, one row each, for dm_fake_fail_next and dm_fake_calls. */
enum dm_fake_op {
	DM_FAKE_OP_LIST,
	DM_FAKE_OP_CREATE,
	DM_FAKE_OP_RELOAD,
	DM_FAKE_OP_REMOVE,
	DM_FAKE_OP_MESSAGE,
	DM_FAKE_OP_COUNT,
};

/*
 * The next call of op fails with err (a -errno), doing nothing, with
 * "injected failure" in its err. 0, or -EINVAL for an op outside the enum
 * or an err that is not negative.
 */
int dm_fake_fail_next(struct dm_fake *f, enum dm_fake_op op, int err);

/* How many times op was called (failed calls included). */
unsigned int dm_fake_calls(struct dm_fake *f, enum dm_fake_op op);

/*
 * Something opened or closed the map (a VM, a mount): its open count is
 * now count. At 0, a map with a deferred remove pending goes. 0, or
 * -ENXIO when there is no such map.
 */
int dm_fake_set_open(struct dm_fake *f, const char *name, uint32_t count);

/*
 * The kernel failed devt (an I/O error on it) in every map that has it:
 * marked F, its fail count up, as fail_path does. Returns the number of
 * maps it was in.
 */
unsigned int dm_fake_path_error(struct dm_fake *f, const char *devt);

/*
 * Adds a map that someone else made (multipathd, an administrator): any
 * table the kernel takes, given as text, kept as the kernel prints it
 * back; any UUID (maps whose UUID is not "mpath-..." are not listed). 0,
 * -EEXIST for a name or UUID in use, -EINVAL for a table that does not
 * parse (dmt_table_parse) or 0 sectors, -ENOMEM.
 */
int dm_fake_add_map(struct dm_fake *f, const char *name, const char *uuid, uint64_t sectors,
		    const char *table);

/* The number of maps (deferred removes still open included). */
size_t dm_fake_count(struct dm_fake *f);

/*
 * What `dmsetup table NAME` and `dmsetup status NAME` would print after
 * "0 <sectors> multipath ", into buf: the length written (without the
 * NUL), -ENXIO when there is no such map, -ENOSPC when buf is too small
 * (DMT_TABLE_TEXT_MAX always does).
 */
int dm_fake_table(struct dm_fake *f, const char *name, char *buf, size_t len);
int dm_fake_status(struct dm_fake *f, const char *name, char *buf, size_t len);

#endif

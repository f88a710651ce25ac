/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state machine's map spec (struct mp_map_spec, mpath/sm.h) as a
 * dm-multipath table, both ways, and what a map's status says of its
 * paths. Pure: no I/O, no logging, no allocation. The text itself is
 * mpath/dm_table.h's; this file decides which tables are pathd's.
 *
 * The table pathd loads for a spec:
 *   features   "1 queue_if_no_path" when spec->queue_if_no_path, else "0"
 *   hw handler "0", or "1 alua" (spec->hw_handler)
 *   groups     one per spec group, in the spec's order; the first is the
 *              initial group
 *   selector   spec->selector in every group, no selector args, and per
 *              path the args the kernel prints back for a path given none
 *              (service-time "1 1", round-robin and queue-length "1"), so
 *              that the table loaded is the table `dmsetup table` shows.
 *
 * A table read back is one pathd could have written when it has no other
 * feature (pg_init_*, retain_attached_hw_handler, queue_mode bio, ...), a
 * hw handler of none or alua, one known selector in every group with the
 * default per-path args, and at most MP_GROUPS_MAX groups of at most
 * DMT_PATHS_MAX paths in all. Any other table is still a multipath table
 * (multipathd's, an administrator's): the machine reloads it (spec_ok false).
 */
#ifndef PORTICO_MPATH_MAP_SPEC_H
#define PORTICO_MPATH_MAP_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpath/dm_table.h"
#include "mpath/sm.h"

/* The UUID of a multipath map: this, then the WWID (multipathd's convention; udev's rules know it).
 */
#define MP_UUID_PREFIX "mpath-"
/* The device-mapper target of a multipath map. */
#define MP_TARGET_TYPE "multipath"
/* A device-mapper UUID and its NUL (DM_UUID_LEN); a name fits MP_MAP_NAME_MAX (DM_NAME_LEN). */
#define MP_UUID_MAX 129

/*
 * Whether spec can be a map: a name the kernel takes (not empty, no '/',
 * not "." or ".."), a WWID that makes a UUID (MP_UUID_PREFIX and the WWID
 * within MP_UUID_MAX), a size, and a table (mp_spec_to_dmt). 0, or
 * mp_spec_to_dmt's errors (-EINVAL otherwise) with the reason in why (may
 * be NULL). Both dm adapters check a spec with it before a create or a
 * reload.
 */
int mp_spec_check(const struct mp_map_spec *spec, char *why, size_t whylen);

/*
 * spec's table into *out (zeroed first), as pathd loads it. 0; -EINVAL for
 * a spec no table can say: a device that is not "major:minor" as the kernel
 * prints it (decimal, no leading zero, in range), a device twice, an empty
 * group, counts past the arrays, a selector or hw handler outside their
 * enums; -E2BIG for more than DMT_PATHS_MAX paths in all.
 */
int mp_spec_to_dmt(const struct mp_map_spec *spec, struct dmt_table *out);

/*
 * spec's table parameters as text into buf (what follows "0 <sectors>
 * multipath " in the load): the length written without the NUL, -ENOSPC
 * when buf is too small (DMT_TABLE_TEXT_MAX always does), or
 * mp_spec_to_dmt's errors.
 */
int mp_spec_build(const struct mp_map_spec *spec, char *buf, size_t len);

/*
 * The table t (as loaded or as read back; made canonical on a copy) into
 * spec's table fields: selector, queue_if_no_path, hw_handler, groups.
 * name, wwid and sectors are left as they are. 0 when t is a table pathd
 * could have written; -EOPNOTSUPP when it is not, with the first reason in
 * why (may be NULL), and spec's table fields zeroed; -EINVAL for a table
 * dmt_table_canon refuses.
 */
int mp_spec_from_dmt(const struct dmt_table *t, struct mp_map_spec *spec, char *why, size_t whylen);

/*
 * Table parameters as text (`dmsetup table` after "<start> <length>
 * multipath "; len bytes, no NUL needed) into spec's table fields, as
 * mp_spec_from_dmt. Also -EINVAL or -E2BIG when the text does not parse
 * (dmt_table_parse), with why.
 */
int mp_spec_parse(const char *s, size_t len, struct mp_map_spec *spec, char *why, size_t whylen);

/*
 * A status line (`dmsetup status` after "<start> <length> multipath ") into
 * ev->failed and ev->nfailed: the paths marked F, in the line's order.
 * *active (may be NULL) gets the number marked A. 0, or dmt_status_parse's
 * -EINVAL/-E2BIG with ev->nfailed 0.
 */
int mp_spec_parse_status(const char *s, size_t len, struct mp_ev_map *ev, unsigned int *active);

/* What the kernel says of one device-mapper device (DM_DEVICE_INFO, TABLE and STATUS). */
struct mp_map_text {
	const char *name;
	const char *uuid; /* "" for none */
	uint32_t open_count;
	bool suspended;
	/* The table's targets: their count, and the first one's start, length and type. */
	unsigned int ntargets;
	uint64_t start, length;
	const char *type;
	const char *table;  /* the first target's table parameters, NULL with no target */
	const char *status; /* its status parameters, NULL with no target */
};

/*
 * One device into *ev (zeroed first): name, WWID (the UUID past
 * MP_UUID_PREFIX), sectors (the target's length), open count, the table
 * read back as a spec, queueing (queue_if_no_path as the table read back
 * says: the live setting, which the queue_if_no_path and fail_if_no_path
 * messages change), the failed paths and the group in use (the status's
 * current group). Returns -ENOENT for a device that is not a multipath map (its UUID does not start with MP_UUID_PREFIX, or
 * names no WWID): ev is then not to be used. Otherwise 0, with spec_ok
 * false and the reason in why (may be NULL) when:
 *  - the table is not one pathd could have written (mp_spec_from_dmt), or
 *    not one multipath target over the whole device from sector 0;
 *  - the status cannot be read or names other paths than the table;
 *  - the map is suspended: it holds every I/O until resumed, and its table
 *    may read queue_if_no_path off (dm-mpath's presuspend clears it for a
 *    suspend that flushes). A reload ends with a resume, which is what
 *    such a map needs.
 * queueing, the failed paths and the group in use are filled whenever the
 * table and the status parse, spec_ok or not.
 */
int mp_spec_read_map(const struct mp_map_text *m, struct mp_ev_map *ev, char *why, size_t whylen);

/* Whether a and b are the same spec, field by field, in order (names and devices compared exactly).
 */
bool mp_spec_equal(const struct mp_map_spec *a, const struct mp_map_spec *b);

/* The table word of a hw handler ("" for none), or NULL outside the enum. */
const char *mp_hw_handler_word(enum mp_hw_handler h);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What libvirt should have, from what pathd knows (initiator/pathd/virt_plan.c):
 * pure, fed the state machine's views (mpath/sm.h), pathd.conf's libvirt
 * keys and the pools pathd remembers defining; the worker (virt_sync.c)
 * carries the plan out.
 *
 *   multipath  one pool (libvirt_pool) of the maps in the kernel, each a
 *              volume on /dev/mapper/<map name>;
 *   iscsi      one pool per target with a session up and a LUN (the books'
 *              form), on the portal of one of pathd's sessions, so that
 *              libvirt finds a session and does not log in again.
 * A LUN that has paths but no map yet, a target without a session or
 * without a LUN: a problem line each, said to the admin.
 */
#ifndef PORTICO_INITIATOR_VIRT_PLAN_H
#define PORTICO_INITIATOR_VIRT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "initiator/adapt/virt_xml.h"
#include "initiator/pathd/virt_conf.h"
#include "mpath/sm.h"

#define VIRT_PROBLEM_MAX 512

/* A pool pathd defined, as it remembers it (the state file, virt_sync.c). */
struct virt_record {
	enum virt_form form;
	char name[VIRT_NAME_MAX];
	char uuid[VIRT_UUID_MAX];
};

/* A LUN's map in the kernel: a volume of the multipath pool. */
struct virt_lun {
	char name[MP_MAP_NAME_MAX];
	char wwid[MP_WWID_MAX];
	uint64_t size;
};

/* The state machine's views, as the plan reads them. */
struct virt_views {
	const struct mp_map_view *maps;
	size_t nmaps;
	const struct mp_path_view *paths;
	size_t npaths;
	const struct mp_link_view *links;
	size_t nlinks;
};

struct virt_plan {
	struct virt_pool_spec *pools; /* uuid "" where pathd has none yet */
	size_t npools;
	struct virt_lun *luns; /* the maps in the kernel, in the views' order */
	size_t nluns;
	char (*problems)[VIRT_PROBLEM_MAX];
	size_t nproblems;
};

/*
 * The pools of form, the LUNs and the problems, into *out (zeroed first;
 * virt_plan_free() frees it, also on failure). 0 or -ENOMEM.
 */
int virt_plan_make(const struct virt_conf *conf, enum virt_form form, const struct virt_views *v,
		   const struct virt_record *recs, size_t nrecs, struct virt_plan *out);
void virt_plan_free(struct virt_plan *p);

/*
 * A number that changes when a map comes into the kernel, leaves it, or
 * changes its name or size: pathd refreshes its pools when it does.
 */
uint64_t virt_maps_signature(const struct mp_map_view *maps, size_t n);

/* Whether a map in state s is in the kernel, and so in libvirt's mpath pool. */
bool virt_map_in_kernel(enum mp_map_state s);

#endif

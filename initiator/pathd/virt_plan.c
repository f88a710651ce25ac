/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What libvirt should have, from pathd's views (initiator/pathd/virt_plan.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initiator/pathd/virt_plan.h"

bool virt_map_in_kernel(enum mp_map_state s)
{
	return s == MP_MAP_READY || s == MP_MAP_RELOADING;
}

void virt_plan_free(struct virt_plan *p)
{
	if (!p)
		return;
	free(p->pools);
	free(p->luns);
	free(p->problems);
	memset(p, 0, sizeof(*p));
}

static int plan_problem(struct virt_plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int plan_problem(struct virt_plan *p, const char *fmt, ...)
{
	char(*a)[VIRT_PROBLEM_MAX] = reallocarray(p->problems, p->nproblems + 1, sizeof(*a));
	va_list ap;

	if (!a)
		return -ENOMEM;
	p->problems = a;
	va_start(ap, fmt);
	vsnprintf(a[p->nproblems], sizeof(a[0]), fmt, ap);
	va_end(ap);
	p->nproblems++;
	return 0;
}

static struct virt_pool_spec *plan_pool(struct virt_plan *p)
{
	struct virt_pool_spec *a = reallocarray(p->pools, p->npools + 1, sizeof(*a));

	if (!a)
		return NULL;
	p->pools = a;
	memset(&a[p->npools], 0, sizeof(*a));
	return &a[p->npools++];
}

/* The UUID pathd gave the pool of this name and form before, into uuid ("" when none). */
static void plan_uuid(const struct virt_record *recs, size_t nrecs, enum virt_form form,
		      const char *name, char *uuid, size_t len)
{
	uuid[0] = '\0';
	for (size_t i = 0; i < nrecs; i++)
		if (recs[i].form == form && !strcmp(recs[i].name, name))
			snprintf(uuid, len, "%s", recs[i].uuid);
}

/* The map of wwid, or NULL. */
static const struct mp_map_view *plan_map(const struct virt_views *v, const char *wwid)
{
	for (size_t i = 0; i < v->nmaps; i++)
		if (!strcmp(v->maps[i].wwid, wwid))
			return &v->maps[i];
	return NULL;
}

/* Whether an earlier path than k is of the same LUN (target, LUN number). */
static bool plan_lun_seen(const struct virt_views *v, size_t k)
{
	const struct mp_path_key *a = &v->paths[k].key;

	for (size_t i = 0; i < k; i++) {
		const struct mp_path_key *b = &v->paths[i].key;

		if (b->lun == a->lun && !strcmp(b->link.target, a->link.target))
			return true;
	}
	return false;
}

/*
 * The multipath form: every map in the kernel is a volume; a LUN whose
 * map is not (yet) there is a problem, with what holds it up.
 */
static int plan_multipath(const struct virt_conf *conf, const struct virt_views *v,
			  const struct virt_record *recs, size_t nrecs, struct virt_plan *p)
{
	struct virt_pool_spec *s = plan_pool(p);

	if (!s)
		return -ENOMEM;
	s->form = VIRT_FORM_MULTIPATH;
	snprintf(s->name, sizeof(s->name), "%s", conf->pool);
	plan_uuid(recs, nrecs, VIRT_FORM_MULTIPATH, s->name, s->uuid, sizeof(s->uuid));
	for (size_t k = 0; k < v->npaths; k++) {
		const struct mp_path_view *pv = &v->paths[k];
		const struct mp_map_view *m = pv->wwid[0] ? plan_map(v, pv->wwid) : NULL;
		char why[MP_REASON_MAX + 64];
		int rc;

		if ((m && virt_map_in_kernel(m->state)) || plan_lun_seen(v, k))
			continue;
		/* a LUN seen over two paths is one line; a map that makes it later is no problem */
		if (!pv->wwid[0])
			snprintf(why, sizeof(why), "no WWID: %s", pv->reason[0] ? pv->reason : "unknown");
		else if (m && m->reason[0])
			snprintf(why, sizeof(why), "map %s: %s", mp_map_state_name(m->state), m->reason);
		else if (m)
			snprintf(why, sizeof(why), "map %s", mp_map_state_name(m->state));
		else if (pv->reason[0])
			snprintf(why, sizeof(why), "%s", pv->reason);
		else
			snprintf(why, sizeof(why), "waiting for its paths");
		rc = plan_problem(p,
				  "LUN %llu of '%s'%s%s has no multipath map yet (%.300s): pool '%s' lists it once pathd makes the map",
				  (unsigned long long)pv->key.lun, pv->key.link.target,
				  pv->wwid[0] ? ", WWID " : "", pv->wwid, why, conf->pool);
		if (rc)
			return rc;
	}
	return 0;
}

/* The books' form: one pool per target with a session up and a LUN. */
static int plan_iscsi(const struct virt_conf *conf, const struct virt_views *v,
		      const struct virt_record *recs, size_t nrecs, struct virt_plan *p)
{
	for (size_t i = 0; i < v->nlinks; i++) {
		const char *target = v->links[i].key.target;
		const char *portal = NULL;
		bool paths = false, seen = false;
		struct virt_pool_spec *s;
		char name[VIRT_NAME_MAX];
		int rc;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(v->links[j].key.target, target);
		if (seen)
			continue;
		/* the lowest portal with a session up: the same pool every time */
		for (size_t j = i; j < v->nlinks; j++) {
			const struct mp_link_view *l = &v->links[j];

			if (strcmp(l->key.target, target) || l->state != MP_LINK_UP)
				continue;
			if (!portal || strcmp(l->key.portal, portal) < 0)
				portal = l->key.portal;
		}
		for (size_t k = 0; k < v->npaths && !paths; k++)
			paths = !strcmp(v->paths[k].key.link.target, target);
		if (!portal || !paths) {
			rc = plan_problem(p, "target '%s' %s: no iscsi pool for it", target,
					  !portal ? "has no session logged in" :
						    "maps no LUN to this host");
			if (rc)
				return rc;
			continue;
		}
		if (virt_iscsi_pool_name(conf->iscsi_prefix, target, name, sizeof(name)) < 0) {
			rc = plan_problem(p, "target '%s': no pool name can be made of it", target);
			if (rc)
				return rc;
			continue;
		}
		s = plan_pool(p);
		if (!s)
			return -ENOMEM;
		s->form = VIRT_FORM_ISCSI;
		/* two targets whose names end alike: the second is NAME-2, and so on */
		snprintf(s->name, sizeof(s->name), "%s", name);
		for (unsigned int n = 2;; n++) {
			bool taken = !strcmp(s->name, conf->pool);

			for (size_t j = 0; j + 1 < p->npools && !taken; j++)
				taken = !strcmp(p->pools[j].name, s->name);
			if (!taken)
				break;
			snprintf(s->name, sizeof(s->name), "%.*s-%u", VIRT_NAME_MAX - 12, name, n);
		}
		plan_uuid(recs, nrecs, VIRT_FORM_ISCSI, s->name, s->uuid, sizeof(s->uuid));
		snprintf(s->target, sizeof(s->target), "%s", target);
		if (virt_portal_split(portal, s->host, &s->port)) {
			p->npools--;
			rc = plan_problem(p, "target '%s': portal '%s' is no address", target, portal);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int virt_plan_make(const struct virt_conf *conf, enum virt_form form, const struct virt_views *v,
		   const struct virt_record *recs, size_t nrecs, struct virt_plan *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->luns = calloc(v->nmaps + 1, sizeof(*out->luns));
	if (!out->luns)
		return -ENOMEM;
	for (size_t i = 0; i < v->nmaps; i++) {
		struct virt_lun *l;

		if (!virt_map_in_kernel(v->maps[i].state))
			continue;
		l = &out->luns[out->nluns++];
		snprintf(l->name, sizeof(l->name), "%s", v->maps[i].name);
		snprintf(l->wwid, sizeof(l->wwid), "%s", v->maps[i].wwid);
		l->size = v->maps[i].size;
	}
	if (form == VIRT_FORM_MULTIPATH)
		rc = plan_multipath(conf, v, recs, nrecs, out);
	else
		rc = plan_iscsi(conf, v, recs, nrecs, out);
	return rc;
}

/* FNV-1a, 64 bits. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t virt_maps_signature(const struct mp_map_view *maps, size_t n)
{
	uint64_t sum = 0;

	/* a sum of the maps' own hashes: the order the views come in does not count */
	for (size_t i = 0; i < n; i++) {
		uint64_t h = 0xcbf29ce484222325ULL;

		if (!virt_map_in_kernel(maps[i].state))
			continue;
		h = fnv(h, maps[i].name, strlen(maps[i].name) + 1);
		h = fnv(h, &maps[i].size, sizeof(maps[i].size));
		sum += h;
	}
	return sum;
}

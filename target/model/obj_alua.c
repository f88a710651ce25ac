/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The model's targets and their served ALUA state (obj_alua.h). */
#include <errno.h>
#include <stdlib.h>

#include "common/iscsi_name.h"
#include "target/model/obj_alua.h"
#include "target/scsi/alua.h"

/* The TPG of t tagged tag, or NULL. */
static const struct obj_tpg *obj_alua_tpg(const struct obj_target *t, uint16_t tag)
{
	for (size_t i = 0; t && i < t->ntpgs; i++)
		if (t->tpgs[i].tag == tag)
			return &t->tpgs[i];
	return NULL;
}

/*
 * The LUs tpg's LUNs show, each once, into c (not held: the model applies
 * every change before it lets an LU go, alua.h). 0 or -ENOMEM.
 */
static int obj_alua_lus(const struct obj_tpg *tpg, struct alua_group_conf *c)
{
	c->nlus = 0;
	c->lus = calloc(tpg->nluns ? tpg->nluns : 1, sizeof(*c->lus));
	if (!c->lus)
		return -ENOMEM;
	for (size_t i = 0; i < tpg->nluns; i++) {
		struct scsi_lu *lu = tpg->luns[i].bs ? tpg->luns[i].bs->lu : NULL;
		bool seen = false;

		for (size_t j = 0; lu && j < c->nlus; j++)
			seen |= c->lus[j] == lu;
		if (!lu || seen)
			continue;
		c->lus[c->nlus++] = lu;
	}
	return 0;
}

/* Frees the confs of a target (what alua_tgt_apply did not take over). */
static void obj_alua_confs_free(struct alua_group_conf *confs, size_t n)
{
	for (size_t i = 0; confs && i < n; i++)
		free(confs[i].lus);
	free(confs);
}

/* The confs of target t of m (old's of the same target: o, may be NULL). 0 or -ENOMEM. */
static int obj_alua_confs(struct obj_target *t, const struct obj_target *o,
			  struct alua_group_conf **out)
{
	struct alua_group_conf *confs = calloc(t->ntpgs ? t->ntpgs : 1, sizeof(*confs));

	*out = confs;
	if (!confs)
		return -ENOMEM;
	for (size_t i = 0; i < t->ntpgs; i++) {
		const struct obj_tpg *tpg = &t->tpgs[i], *ot = obj_alua_tpg(o, tpg->tag);
		struct alua_group_conf *c = &confs[i];

		c->group = alua_tgt_group(t->alua, tpg->tag, true);
		if (!c->group || obj_alua_lus(tpg, c))
			return -ENOMEM;
		c->state = (uint8_t)tpg->alua.state;
		c->pref = tpg->alua.preferred;
		c->explicit_ok = tpg->alua.explicit_ok;
		/* the administrator's where it changed (or is new); else the live one stays */
		c->set = !ot || ot->alua.state != tpg->alua.state ||
			 ot->alua.preferred != tpg->alua.preferred;
	}
	return 0;
}

/*
 * Tells each store that decides its ALUA state with a group of gateways
 * (bs_ops.alua_ports: rbd) which target port groups show it here, so that
 * every gateway's REPORT TARGET PORT GROUPS can list them.
 */
static void obj_alua_ports(struct obj_model *m)
{
	for (size_t b = 0; b < m->nbackstores; b++) {
		struct bs_dev *dev = m->backstores[b].dev;
		uint16_t tags[16];
		size_t n = 0;

		if (!dev || !dev->ops->alua_ports)
			continue;
		for (size_t i = 0; i < m->ntargets; i++)
			for (size_t j = 0; j < m->targets[i].ntpgs; j++) {
				const struct obj_tpg *tpg = &m->targets[i].tpgs[j];

				for (size_t k = 0; k < tpg->nluns && n < 16; k++)
					if (tpg->luns[k].bs == &m->backstores[b]) {
						tags[n++] = tpg->tag;
						break;
					}
			}
		dev->ops->alua_ports(dev, tags, n);
	}
}

int obj_alua_open(struct obj_model *m, const struct obj_model *old)
{
	struct alua_group_conf **confs = calloc(m->ntargets ? m->ntargets : 1, sizeof(*confs));
	int rc = confs ? 0 : -ENOMEM;
	size_t i;

	for (i = 0; !rc && i < m->ntargets; i++) {
		struct obj_target *t = &m->targets[i];
		const struct obj_target *o = old ? obj_find_target(old, t->iqn) : NULL;

		if (!t->alua && o && o->alua) {
			alua_tgt_get(o->alua);
			t->alua = o->alua;
		} else if (!t->alua) {
			rc = alua_tgt_create(&t->alua);
		}
		if (!rc)
			rc = obj_alua_confs(t, o, &confs[i]);
	}
	/* all prepared, or none applied */
	for (i = 0; confs && i < m->ntargets; i++) {
		if (!rc)
			alua_tgt_apply(m->targets[i].alua, confs[i], m->targets[i].ntpgs);
		obj_alua_confs_free(confs[i], m->targets[i].ntpgs);
	}
	free(confs);
	if (rc)
		return rc;
	/*
	 * A target old has and m has not goes away: its groups show no LU
	 * from now on, before the LUs its sessions still point at may go.
	 */
	for (i = 0; old && i < old->ntargets; i++)
		if (old->targets[i].alua && !obj_find_target(m, old->targets[i].iqn))
			alua_tgt_apply(old->targets[i].alua, NULL, 0);
	obj_alua_ports(m);
	obj_alua_pull(m);
	return 0;
}

bool obj_alua_pull(struct obj_model *m)
{
	bool changed = false;

	for (size_t i = 0; i < m->ntargets; i++) {
		struct obj_target *t = &m->targets[i];

		for (size_t j = 0; t->alua && j < t->ntpgs; j++) {
			struct obj_tpg_alua *a = &t->tpgs[j].alua;
			const struct alua_group *g = alua_tgt_group(t->alua, t->tpgs[j].tag, false);

			if (!g)
				continue;
			changed |=
			    a->state != alua_group_state(g) || a->preferred != alua_group_pref(g);
			a->state = alua_group_state(g);
			a->preferred = alua_group_pref(g);
		}
	}
	return changed;
}

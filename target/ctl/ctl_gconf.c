// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control operations of a gateway in a group (docs/gateway-group.md,
 * "The shared configuration"): which changes the group shares (ACLs,
 * mapped LUNs, their CHAP, a TPG's attributes, parameters and auth,
 * discovery_auth, LUNs on rbd backstores: the shared document,
 * config_shared.h), which it refuses on one gateway because they are not
 * shared (yet: targets, TPGs, restoreconfig, clearconfig; LUNs on one
 * machine's stores), and what a member does with another
 * gateway's document: validate it as a change of its own (the file's
 * checks, plus the sessions a removed mapped LUN would cut), or serve it.
 * The protocol itself runs in the daemon (target/gconf_rados.c) through
 * struct ctl_host_ops.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "common/iscsi_name.h"
#include "common/log.h"
#include "target/ctl/ctl_int.h"
#include "target/model/config.h"
#include "target/model/config_shared.h"

#define COMP "control"
#define CTL_GCONF_HINT "change porticod.conf on every gateway of the group and restart them"

static bool ctl_gconf_on(const struct ctl_host *host)
{
	return host->ops->group_doc && host->ops->group_propose &&
	       host->ops->model(host->arg)->shared.group[0];
}

/*
 * The document holds one TPG's settings and ACLs per target: those of its
 * one TPG here. With two, which one's would the group share? Refused.
 */
static int ctl_gconf_one_tpg(struct ctl_op *op)
{
	return ctl_fail(op, -EOPNOTSUPP, CTL_GCONF_HINT,
			"target '%s' has %zu TPGs on this gateway; in gateway group '%s' a target has one (the gateway's own), whose settings and ACLs the group shares",
			op->node.target->iqn, op->node.target->ntpgs, op->m->shared.group);
}

/*
 * A LUN is the group's when its backstore is an rbd image, which every
 * gateway reaches and which keeps the LU's identity (its serial and NAA in
 * the image's metadata: one WWID on every path). A file, block, lvm or
 * null store is one machine's: a LUN on it would be a different disk, or
 * none, through every other gateway. 0 or ctl_fail().
 */
static int ctl_gconf_lun(struct ctl_op *op, bool create)
{
	const struct obj_backstore *b = NULL;
	const char *so = ctl_arg(op, "storage_object");

	if (create && so) {
		const char *name = strrchr(so, '/') ? strrchr(so, '/') + 1 : so;

		b = obj_find_backstore(op->m, name);
	} else if (!create && op->node.type == CTL_NODE_LUN) {
		b = op->node.tpg->luns[op->node.index].bs;
	}
	/* no such store: the verb itself says so */
	if (!b || !strcmp(b->type, "rbd"))
		return 0;
	return ctl_fail(op, -EOPNOTSUPP, "serve an rbd image through the group, or leave the group",
			"this gateway is in gateway group '%s', which shares LUNs on rbd backstores only: backstore '%s' is %s, one machine's store, which the other gateways cannot serve; nothing changed",
			op->m->shared.group, b->name, b->type);
}

int ctl_gconf_refuse(struct ctl_op *op)
{
	const char *verb = op->req->op, *group = ctl_arg(op, "group"), *what = NULL;
	const char *name = op->m->shared.group;
	bool create = !strcmp(verb, "create"), del = !strcmp(verb, "delete");

	if (!ctl_gconf_on(op->host))
		return 0;
	if (!strcmp(verb, "restoreconfig") || !strcmp(verb, "clearconfig"))
		what = "a whole configuration";
	switch (op->node.type) {
	case CTL_NODE_ISCSI:
		/* discovery_auth, /iscsi's one `set` group, is the document's */
		if (create)
			what = "a target";
		break;
	case CTL_NODE_TARGET:
		if (create || del)
			what = create ? "a TPG" : "a target";
		break;
	case CTL_NODE_TPG:
		if (del)
			what = "a TPG";
		/* its attributes, parameters and auth are the document's, its alua this gateway's */
		else if (!strcmp(verb, "set") && group && strcmp(group, "alua") &&
			 op->node.target->ntpgs > 1)
			return ctl_gconf_one_tpg(op);
		break;
	case CTL_NODE_LUNS:
	case CTL_NODE_LUN:
		if ((create || del) && op->node.target->ntpgs > 1)
			return ctl_gconf_one_tpg(op);
		if (create || del)
			return ctl_gconf_lun(op, create);
		break;
	case CTL_NODE_ACLS:
	case CTL_NODE_ACL:
	case CTL_NODE_MAPPED_LUN:
		if ((create || del || !strcmp(verb, "set")) && op->node.target->ntpgs > 1)
			return ctl_gconf_one_tpg(op);
		break;
	default:
		break;
	}
	if (!what)
		return 0;
	return ctl_fail(op, -EOPNOTSUPP, CTL_GCONF_HINT,
			"this gateway is in gateway group '%s', which does not share %s yet: a change here would reach this gateway only; nothing changed",
			name, what);
}

/* The shared document of cfg on top of the group's. 0 or ctl_fail(). */
static int ctl_gconf_doc(struct ctl_op *op, const config_t *cfg, char **doc, size_t *len)
{
	struct cfg_err err = { { 0 } };
	size_t blen = 0;
	const char *base = op->host->ops->group_doc(op->host->arg, &blen);
	int rc = config_shared_extract(cfg, base, blen, doc, len, &err);

	if (rc)
		return ctl_fail(op, rc, NULL, "%s", err.msg[0] ? err.msg : strerror(-rc));
	return 0;
}

int ctl_gconf_changed(struct ctl_op *op, const config_t *cfg, char **doc, size_t *len)
{
	char *before = NULL;
	size_t blen = 0;
	config_t cur;
	int rc;

	*doc = NULL;
	*len = 0;
	if (!ctl_gconf_on(op->host))
		return 0;
	rc = ctl_edit_begin(op, &cur);
	if (rc)
		return rc;
	rc = ctl_gconf_doc(op, &cur, &before, &blen);
	config_destroy(&cur);
	if (!rc)
		rc = ctl_gconf_doc(op, cfg, doc, len);
	/* what the change does to the shared part, not how this gateway differs from the group */
	if (!rc && blen == *len && !memcmp(before, *doc, blen)) {
		free(*doc);
		*doc = NULL;
		*len = 0;
	}
	free(before);
	return rc;
}

int ctl_gconf_propose(struct ctl_op *op, const char *doc, size_t len)
{
	char err[1024] = "";
	int rc = op->host->ops->group_propose(op->host->arg, doc, len, err, sizeof(err));

	if (rc)
		return ctl_fail(op, rc, NULL, "%s", err[0] ? err : strerror(-rc));
	if (err[0])
		ctl_say(op, "Warning: %s", err);
	return 0;
}

/* Whether acl (NULL: none) shows TPG LUN tpg_lun. */
static bool ctl_gconf_shows(const struct obj_acl *acl, uint64_t tpg_lun)
{
	if (!acl)
		return false;
	if (acl->all_luns)
		return true;
	for (size_t i = 0; i < acl->nmapped; i++)
		if (acl->mapped[i].tpg_lun == tpg_lun)
			return true;
	return false;
}

/*
 * A TPG LUN the document takes away (or puts another store behind), or a
 * mapped LUN it takes away from an ACL that stays, while a session here
 * uses it: refused, as `delete` of that LUN or mapped LUN is here without
 * force. (An ACL the document removes logs its sessions out, as
 * `delete` of the ACL does.) 0 or ctl_fail().
 */
static int ctl_gconf_sessions(struct ctl_op *op, const struct obj_model *to)
{
	for (size_t i = 0; i < op->m->ntargets; i++) {
		const struct obj_target *t = &op->m->targets[i];

		for (size_t j = 0; j < t->ntpgs; j++) {
			const struct obj_tpg *tpg = &t->tpgs[j], *nt = NULL;

			for (size_t k = 0; k < to->ntargets && !nt; k++)
				for (size_t l = 0; l < to->targets[k].ntpgs; l++)
					if (iscsi_name_equal(to->targets[k].iqn, t->iqn) &&
					    to->targets[k].tpgs[l].tag == tpg->tag)
						nt = &to->targets[k].tpgs[l];
			/* a TPG LUN the document removes: as `delete` of it, without force */
			for (size_t n = 0; nt && n < tpg->nluns; n++) {
				uint64_t lun = tpg->luns[n].lun;
				bool kept = false;
				unsigned int users;

				for (size_t k = 0; k < nt->nluns; k++)
					kept |= nt->luns[k].lun == lun && nt->luns[k].bs &&
						tpg->luns[n].bs &&
						!strcmp(nt->luns[k].bs->name, tpg->luns[n].bs->name);
				if (kept)
					continue;
				users = ctl_tpg_sessions(tpg, NULL, lun);
				if (users)
					return ctl_fail(op, -EBUSY, NULL,
							"TPG LUN %llu (target '%s', TPG %u) is in use by %u session%s on gateway %s",
							(unsigned long long)lun, t->iqn, tpg->tag,
							users, users == 1 ? "" : "s",
							op->m->shared.gateway);
			}
			for (size_t a = 0; nt && a < tpg->nacls; a++) {
				const struct obj_acl *acl = &tpg->acls[a];
				const struct obj_acl *na = obj_find_acl(nt, acl->initiator);

				for (size_t n = 0; na && n < tpg->nluns; n++) {
					uint64_t lun = tpg->luns[n].lun;
					unsigned int users;

					if (!ctl_gconf_shows(acl, lun) || ctl_gconf_shows(na, lun))
						continue;
					users = ctl_tpg_sessions(tpg, acl->initiator, lun);
					if (users)
						return ctl_fail(op, -EBUSY, NULL,
								"TPG LUN %llu of ACL '%s' (target '%s', TPG %u) is in use by %u session%s on gateway %s",
								(unsigned long long)lun,
								acl->initiator, t->iqn, tpg->tag,
								users, users == 1 ? "" : "s",
								op->m->shared.gateway);
				}
			}
		}
	}
	return 0;
}

int ctl_ops_gconf_apply(const struct ctl_host *host, const char *doc, size_t len, bool apply,
			char *err, size_t errlen)
{
	struct ctl_request req = { .op = apply ? "group apply" : "group check", .path = "/" };
	struct ctl_reply out;
	struct ctl_op op = { .host = host, .req = &req, .out = &out };
	struct cfg_err e = { { 0 } };
	struct obj_model *m = NULL;
	config_t cfg;
	int rc;

	memset(&out, 0, sizeof(out));
	ctl_alua_pull(host);
	op.m = host->ops->model(host->arg);
	rc = ctl_edit_begin(&op, &cfg);
	if (rc)
		goto out;
	rc = config_shared_apply(&cfg, doc, len, &e);
	if (!rc)
		rc = config_parse_cfg(&cfg, op.m->path, &m, &e);
	config_destroy(&cfg);
	if (rc) {
		ctl_fail(&op, rc, NULL, "%s", e.msg[0] ? e.msg : strerror(-rc));
		goto out;
	}
	rc = ctl_gconf_sessions(&op, m);
	if (!rc && apply) {
		rc = config_open_reuse(m, op.m, &e);
		if (rc)
			ctl_fail(&op, rc, NULL, "%s", e.msg[0] ? e.msg : strerror(-rc));
	}
	if (rc || !apply) {
		obj_model_free(m);
		goto out;
	}
	ctl_serve(&op, m);
out:
	snprintf(err, errlen, "%s", out.message);
	json_object_put(op.messages);
	return rc;
}

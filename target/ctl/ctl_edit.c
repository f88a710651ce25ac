/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The verbs that change the model: create, delete and set at each kind of
 * node, as edits of the configuration tree (ctl_int.h says why). Each
 * checks what the parser cannot know (the live sessions, a portal that
 * cannot be bound, a file that is not there) and says it in the shell's
 * terms; the parser checks the rest, in the configuration file's terms.
 * Messages follow targetcli's ("Created LUN 0.").
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/iscsi_name.h"
#include "common/log.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_kind.h"
#include "target/model/config.h"
#include "target/ctl/ctl_int.h"
#include "target/model/obj_settings.h"
#include "target/scsi/scsi.h"

#define COMP "control"
#define CTL_HINT_FORCE "log the initiator out first, or add force=true"

/* ---- the tree ---- */

/*
 * The elements of the configuration tree are found by their keys (a
 * backstore's name, a target's IQN, a TPG's tag, an ACL's initiator, a
 * LUN's number, a portal's text), never by their place in the model's
 * arrays: nothing here depends on the saver keeping the model's order.
 */

static config_setting_t *ctl_cfg_list(config_t *cfg, const char *name, bool create)
{
	config_setting_t *root = config_root_setting(cfg);

	return create ? cfg_member(root, name, CONFIG_TYPE_LIST) :
			config_setting_get_member(root, name);
}

/* The group of list whose string key is v; iSCSI names compare as RFC 3722 says. */
static config_setting_t *ctl_cfg_find_name(const config_setting_t *list, const char *key,
					   const char *v, bool iscsi_name)
{
	for (int i = 0; list && i < config_setting_length(list); i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned int)i);
		const char *s;

		if (config_setting_lookup_string(e, key, &s) &&
		    (iscsi_name ? iscsi_name_equal(s, v) : !strcmp(s, v)))
			return e;
	}
	return NULL;
}

/* The group of list whose integer key is v. */
static config_setting_t *ctl_cfg_find_num(const config_setting_t *list, const char *key,
					  uint64_t v)
{
	for (int i = 0; list && i < config_setting_length(list); i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned int)i);
		long long n;

		if (config_setting_lookup_int64(e, key, &n) && n >= 0 && (uint64_t)n == v)
			return e;
	}
	return NULL;
}

/* Removes s from the list or group that holds it (nothing when s is NULL). */
static void ctl_cfg_remove(config_setting_t *s)
{
	if (s)
		config_setting_remove_elem(config_setting_parent(s),
					   (unsigned int)config_setting_index(s));
}

static config_setting_t *ctl_cfg_backstore(config_t *cfg, const struct obj_backstore *b)
{
	return ctl_cfg_find_name(ctl_cfg_list(cfg, "backstores", false), "name", b->name, false);
}

static config_setting_t *ctl_cfg_target(config_t *cfg, const struct obj_target *t)
{
	return ctl_cfg_find_name(ctl_cfg_list(cfg, "targets", false), "iqn", t->iqn, true);
}

static config_setting_t *ctl_cfg_tpg(config_t *cfg, const struct obj_tpg *tpg)
{
	config_setting_t *t = ctl_cfg_target(cfg, tpg->target);

	return ctl_cfg_find_num(t ? config_setting_get_member(t, "tpgs") : NULL, "tag", tpg->tag);
}

static config_setting_t *ctl_cfg_acl(config_t *cfg, const struct obj_tpg *tpg,
				     const struct obj_acl *acl)
{
	config_setting_t *t = ctl_cfg_tpg(cfg, tpg);

	return ctl_cfg_find_name(t ? config_setting_get_member(t, "acls") : NULL, "initiator",
				 acl->initiator, true);
}

static int ctl_nomem(struct ctl_op *op)
{
	return ctl_fail(op, -ENOMEM, NULL, "out of memory");
}

/* ---- backstores ---- */

static int ctl_create_backstore(struct ctl_op *op)
{
	const struct bs_kind *kind = bs_kind_find(op->node.bs_type);
	const char *args[OBJ_SETTINGS_MAX + 4];
	const char *name = ctl_arg(op, obj_bs_settings[OBJ_BS_ROW_NAME].key);
	const char *path = kind->path_key ? ctl_arg(op, kind->path_key) : NULL;
	const char *size = ctl_arg(op, obj_bs_settings[OBJ_BS_ROW_SIZE].key);
	bool v[OBJ_BS_ROW__COUNT] = { false };
	config_setting_t *list, *g;
	uint64_t bsize = 0, pbsize = 0;
	struct stat st;
	config_t cfg;
	int rc;

	obj_bs_create_args(kind, false, args, ARRAY_SIZE(args));
	rc = ctl_args_only(op, args);
	if (rc)
		return rc;
	if (!name || !name[0])
		return ctl_fail(op, -EINVAL, kind->create_example, "a backstore needs a name");
	obj_bs_settings_foreach(r) {
		const char *arg = obj_bs_setting_arg(r, kind);

		if (!arg || !obj_bs_setting_applies(r, kind))
			continue;
		if (r->alias && ctl_arg(op, arg) && ctl_arg(op, r->alias))
			return ctl_fail(op, -EINVAL, NULL,
					"%s and %s are the same setting: give one", arg, r->alias);
		/* each with create's default, which is targetcli's */
		if (r->value == OBJ_BS_BOOL)
			rc = ctl_arg_bool(op, r->alias && ctl_arg(op, r->alias) ? r->alias : arg,
					  r->def_create, &v[r - obj_bs_settings]);
		else if (r->value == OBJ_BS_BLOCK_SIZE)
			rc = ctl_arg_u64(op, arg, 4096, &bsize, NULL); /* the parser says which */
		else if (r->value == OBJ_BS_PHYS_BLOCK_SIZE)
			rc = ctl_arg_u64(op, arg, BS_PHYS_BLOCK_SIZE_MAX, &pbsize, NULL);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < op->m->nbackstores; i++) {
		const struct obj_backstore *b = &op->m->backstores[i];

		if (!strcmp(b->name, name))
			return ctl_fail(op, -EEXIST, "choose another name, or delete it first",
					"backstore '%s' exists (/backstores/%s/%s)", name, b->type,
					name);
		if (path && b->path[0] && !strcmp(b->path, path))
			return ctl_fail(op, -EEXIST, NULL, "'%s' is served already, by backstore '%s'",
					path, b->name);
	}
	if (kind->path_key && kind->remote && !path)
		return ctl_fail(op, -EINVAL, kind->create_example, "a %s backstore needs %s=%s",
				kind->name, kind->path_key, kind->path_word);
	if (kind->path_key && !kind->remote && (!path || path[0] != '/'))
		return ctl_fail(op, -EINVAL, NULL, "a %s backstore needs %s=/absolute/path",
				kind->name, kind->path_key);
	if (kind->image && !size && stat(path, &st))
		return ctl_fail(op, -ENOENT, "add size=20G to create it",
				"file '%s' does not exist", path);
	if (kind->size_required && !size)
		return ctl_fail(op, -EINVAL, kind->create_example, "a %s backstore needs a size",
				kind->name);

	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	list = ctl_cfg_list(&cfg, "backstores", true);
	rc = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &g);
	obj_bs_settings_foreach(r) {
		const char *given = obj_bs_setting_arg(r, kind);

		given = given ? ctl_arg(op, given) : NULL;
		if (rc)
			break;
		switch (r->value) {
		case OBJ_BS_NAME:
		case OBJ_BS_PATH:
		case OBJ_BS_SIZE:
		case OBJ_BS_SERIAL:
		case OBJ_BS_NAA:
		case OBJ_BS_TEXT:
			/* as given: the parser reads them in the file's words */
			if (given)
				rc = cfg_set_string(g, r->key, given);
			break;
		case OBJ_BS_TYPE:
			rc = cfg_set_string(g, r->key, kind->name);
			break;
		case OBJ_BS_BOOL:
			if (obj_bs_setting_applies(r, kind) &&
			    obj_bs_setting_written(r, kind, v[r - obj_bs_settings]))
				rc = cfg_set_bool(g, r->key, v[r - obj_bs_settings]);
			break;
		case OBJ_BS_BLOCK_SIZE:
			if (obj_bs_setting_written(r, kind, bsize))
				rc = cfg_set_uint(g, r->key, bsize);
			break;
		case OBJ_BS_PHYS_BLOCK_SIZE:
			if (obj_bs_setting_written(r, kind, pbsize))
				rc = cfg_set_uint(g, r->key, pbsize);
			break;
		}
	}
	if (rc) {
		config_destroy(&cfg);
		return ctl_nomem(op);
	}
	snprintf(op->new_path, sizeof(op->new_path), "/backstores/%s/%s", kind->name, name);
	rc = ctl_edit_commit(op, &cfg);
	if (rc)
		return rc;
	ctl_say(op, "Created %s backstore %s.", kind->name, name);
	return 0;
}

/* Removes from the TPG's group t every mapped LUN that shows TPG LUN lun (and says so). */
static void ctl_unmap_tpg_lun(struct ctl_op *op, config_setting_t *t, uint64_t lun)
{
	config_setting_t *acls = config_setting_get_member(t, "acls");

	for (int k = 0; acls && k < config_setting_length(acls); k++) {
		config_setting_t *a = config_setting_get_elem(acls, (unsigned int)k);
		config_setting_t *ml = config_setting_get_member(a, "mapped_luns");
		const char *initiator = "";

		config_setting_lookup_string(a, "initiator", &initiator);
		for (int e = ml ? config_setting_length(ml) : 0; e-- > 0;) {
			config_setting_t *x = config_setting_get_elem(ml, (unsigned int)e);
			long long tl = -1, n = -1;

			config_setting_lookup_int64(x, "tpg_lun", &tl);
			config_setting_lookup_int64(x, "lun", &n);
			if (tl == (long long)lun) {
				config_setting_remove_elem(ml, (unsigned int)e);
				ctl_say(op, "Deleted Mapped LUN %lld of node ACL %s.", n,
					initiator);
			}
		}
	}
}

/* Removes TPG LUN lun of the TPG's group t and the mapped LUNs that show it. */
static void ctl_remove_tpg_lun(struct ctl_op *op, config_setting_t *t, uint64_t lun)
{
	ctl_unmap_tpg_lun(op, t, lun);
	ctl_cfg_remove(ctl_cfg_find_num(config_setting_get_member(t, "luns"), "lun", lun));
}

static int ctl_delete_backstore(struct ctl_op *op, bool force)
{
	const struct obj_backstore *b = op->node.bs;
	unsigned int users = ctl_bs_sessions(b);
	char name[OBJ_NAME_MAX];
	config_t cfg;
	int rc;

	if (users && !force)
		return ctl_fail(op, -EBUSY, CTL_HINT_FORCE,
				"backstore '%s' is in use by %u session%s", b->name, users,
				users == 1 ? "" : "s");
	snprintf(name, sizeof(name), "%s", b->name);
	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	/* targetcli: deleting a storage object deletes the LUNs that serve it */
	for (size_t i = 0; i < op->m->ntargets; i++) {
		const struct obj_target *tg = &op->m->targets[i];

		for (size_t j = 0; j < tg->ntpgs; j++) {
			const struct obj_tpg *tpg = &tg->tpgs[j];
			config_setting_t *t = ctl_cfg_tpg(&cfg, tpg);

			for (size_t l = tpg->nluns; t && l-- > 0;) {
				if (tpg->luns[l].bs != b)
					continue;
				ctl_remove_tpg_lun(op, t, tpg->luns[l].lun);
				ctl_say(op, "Deleted LUN %llu of %s tpg %u.",
					(unsigned long long)tpg->luns[l].lun, tg->iqn, tpg->tag);
			}
		}
	}
	ctl_cfg_remove(ctl_cfg_backstore(&cfg, b));
	rc = ctl_edit_commit(op, &cfg);
	if (rc)
		return rc;
	if (users)
		log_warn(COMP, "backstore '%s' deleted while %u session(s) used it (forced)", name,
			 users);
	ctl_say(op, "Deleted storage object %s.", name);
	return 0;
}

/*
 * Resizes an open store in place (the model keeps its LU: sessions keep
 * their nexuses) and tells every nexus. A file (or a null store) grows or
 * shrinks to size; a block device or LV has the size it has (lvextend,
 * losetup -c), which porticod takes in.
 */
static int ctl_resize(struct ctl_op *op, const char *size)
{
	struct obj_backstore *b = op->node.bs;
	const struct bs_kind *kind = bs_kind_find(b->type);
	/* a file (or a null store) is made the size given; a device has its own */
	bool resizes = kind && kind->resizes;
	uint64_t bytes = 0, before = b->dev ? b->dev->size : 0;
	int rc;

	if (!b->dev || !b->dev->ops->resize)
		return ctl_fail(op, -EOPNOTSUPP, NULL, "a %s backstore cannot be resized", b->type);
	if (resizes && (cfg_parse_size(size, &bytes) || !bytes))
		return ctl_fail(op, -EINVAL, "size=20G, 512M, 1T, or bytes",
				"size '%s' is not a size", size);
	if (resizes && bytes % b->dev->block_size)
		return ctl_fail(op, -EINVAL, NULL, "size %llu is not a multiple of the block size %u",
				(unsigned long long)bytes, b->dev->block_size);
	if (!resizes && strcmp(size, "auto") && strcmp(size, "0"))
		return ctl_fail(op, -EINVAL,
				"grow the device (lvextend, losetup -c), then set attribute size=auto",
				"a %s backstore has the size of its device", b->type);
	rc = b->dev->ops->resize(b->dev, bytes);
	if (rc)
		return ctl_fail(op, rc, NULL, "cannot resize backstore '%s': %s", b->name,
				strerror(-rc));
	op->host->ops->model_lock(op->host->arg);
	/* a file keeps the size it was given; a device has its own */
	b->params.size = resizes ? bytes : b->params.size;
	op->host->ops->model_unlock(op->host->arg);
	if (b->dev->size != before) {
		/* SBC-3: a capacity change is a unit attention (2A/09) for every I_T nexus of the LU */
		scsi_lu_raise_ua(b->lu, SCSI_UA_CAPACITY_CHANGED);
		log_info(COMP, "backstore '%s': %llu -> %llu bytes", b->name,
			 (unsigned long long)before, (unsigned long long)b->dev->size);
	}
	ctl_auto_save(op);
	ctl_say(op, "Backstore %s is now %llu bytes.", b->name, (unsigned long long)b->dev->size);
	return 0;
}

/*
 * The physical block size of a backstore that no LUN serves: the store is
 * opened again with it. Refused while a TPG LUN shows the backstore: an
 * initiator aligned its partitions and its file system's I/O to the
 * geometry it read, and a device whose geometry changes under it (without
 * any unit attention SBC-3 defines for it) silently loses that alignment.
 */
static int ctl_set_geometry(struct ctl_op *op, config_setting_t *g,
			    const struct obj_bs_setting *r)
{
	const struct obj_backstore *b = op->node.bs;
	uint64_t v = 0;
	int rc;

	for (size_t i = 0; i < op->m->ntargets; i++)
		for (size_t j = 0; j < op->m->targets[i].ntpgs; j++)
			for (size_t l = 0; l < op->m->targets[i].tpgs[j].nluns; l++)
				if (op->m->targets[i].tpgs[j].luns[l].bs == b)
					return ctl_fail(
						op, -EBUSY,
						"delete its LUNs first, or create the backstore with it",
						"the geometry of backstore '%s' does not change while LUN %llu of %s tpg %u serves it",
						b->name,
						(unsigned long long)op->m->targets[i].tpgs[j].luns[l].lun,
						op->m->targets[i].iqn, op->m->targets[i].tpgs[j].tag);
	rc = ctl_arg_u64(op, r->key, BS_PHYS_BLOCK_SIZE_MAX, &v, NULL);
	if (rc)
		return rc;
	/* 0: the store's own again; the parser checks the rest against block_size */
	ctl_cfg_remove(config_setting_get_member(g, r->key));
	if (v && cfg_set_uint(g, r->key, v))
		return ctl_nomem(op);
	ctl_say(op, "Parameter %s is now '%llu'.", r->key, (unsigned long long)v);
	return 0;
}

static int ctl_set_backstore(struct ctl_op *op)
{
	const char *keys[OBJ_SETTINGS_MAX + 1], *size = NULL;
	bool others = false, v;
	config_setting_t *g;
	size_t n = 0;
	config_t cfg;
	int rc;

	keys[n++] = "group";
	obj_bs_settings_foreach(r) {
		if (!r->settable)
			continue;
		keys[n++] = r->key;
		if (r->value == OBJ_BS_SIZE)
			size = ctl_arg(op, r->key);
		else
			others |= ctl_arg(op, r->key) != NULL;
	}
	keys[n] = NULL;
	rc = ctl_args_only(op, keys);
	if (rc)
		return rc;
	if (!ctl_group_find(CTL_NODE_BACKSTORE, ctl_arg(op, "group")))
		return ctl_fail(op, -EINVAL, "set attribute size=30G", "a backstore has only the 'attribute' group");
	if (size && others)
		return ctl_fail(op, -EINVAL, NULL, "set size alone: a resize is a change of its own");
	if (size)
		return ctl_resize(op, size);
	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	g = ctl_cfg_backstore(&cfg, op->node.bs);
	obj_bs_settings_foreach(r) {
		if (rc || !r->settable || !ctl_arg(op, r->key))
			continue;
		if (r->value == OBJ_BS_PHYS_BLOCK_SIZE) {
			rc = ctl_set_geometry(op, g, r);
			continue;
		}
		if (r->value != OBJ_BS_BOOL)
			continue;
		rc = ctl_arg_bool(op, r->key, false, &v);
		if (!rc && cfg_set_bool(g, r->key, v))
			rc = ctl_nomem(op);
		if (!rc)
			ctl_say(op, "Parameter %s is now '%s'.", r->key, v ? "true" : "false");
	}
	if (rc) {
		config_destroy(&cfg);
		return rc;
	}
	return ctl_edit_commit(op, &cfg);
}

/* ---- targets and TPGs ---- */

/* An IQN of our own (RFC 7143 §4.2.7.2): the month, the host, and 48 random bits. */
static int ctl_make_iqn(char *buf, size_t len)
{
	char host[64] = "portico";
	uint8_t rnd[6];
	time_t now = time(NULL);
	struct tm tm;
	char *p;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	/* RFC 3722: lower case letters, digits, '-', '.' */
	for (p = host; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			   *p == '.'))
			*p = '-';
	}
	gmtime_r(&now, &tm);
	snprintf(buf, len, "iqn.%04d-%02d.org.portico:%s.%02x%02x%02x%02x%02x%02x",
		 tm.tm_year + 1900, tm.tm_mon + 1, host, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
		 rnd[5]);
	return 0;
}

static int ctl_create_target(struct ctl_op *op)
{
	static const char *const keys[] = { "iqn", NULL };
	const char *iqn = ctl_arg(op, "iqn"), *why = NULL;
	char made[ISCSI_NAME_MAX + 1];
	config_setting_t *list, *g, *tpgs, *tpg;
	config_t cfg;
	int rc;

	rc = ctl_args_only(op, keys);
	if (rc)
		return rc;
	if (!iqn || !iqn[0]) {
		if (ctl_make_iqn(made, sizeof(made)))
			return ctl_fail(op, -EIO, NULL, "no random numbers for a name: give one");
		iqn = made;
	}
	if (iscsi_name_check(iqn, &why))
		return ctl_fail(op, -EINVAL, "iqn.2026-11.org.example:storage1",
				"'%s' is not an iSCSI name: %s", iqn, why);
	if (obj_find_target(op->m, iqn))
		return ctl_fail(op, -EEXIST, NULL, "target '%s' exists", iqn);
	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	list = ctl_cfg_list(&cfg, "targets", true);
	g = list ? config_setting_add(list, NULL, CONFIG_TYPE_GROUP) : NULL;
	tpgs = g ? config_setting_add(g, "tpgs", CONFIG_TYPE_LIST) : NULL;
	tpg = tpgs ? config_setting_add(tpgs, NULL, CONFIG_TYPE_GROUP) : NULL;
	if (!tpg || cfg_set_string(g, "iqn", iqn) || cfg_set_uint(tpg, "tag", 1)) {
		config_destroy(&cfg);
		return ctl_nomem(op);
	}
	snprintf(op->new_path, sizeof(op->new_path), "/iscsi/%s", iqn);
	rc = ctl_edit_commit(op, &cfg);
	if (rc)
		return rc;
	ctl_say(op, "Created target %s.", iqn);
	ctl_say(op, "Created TPG 1.");
	return 0;
}

static int ctl_create_tpg(struct ctl_op *op)
{
	static const char *const keys[] = { "tag", NULL };
	const struct obj_target *t = op->node.target;
	config_setting_t *g, *tpgs;
	uint64_t tag = 0;
	bool has;
	config_t cfg;
	int rc;

	rc = ctl_args_only(op, keys);
	if (!rc)
		rc = ctl_arg_u64(op, "tag", 65535, &tag, &has);
	if (rc)
		return rc;
	for (uint64_t want = 1; !has && !tag; want++) {
		bool used = false;

		for (size_t i = 0; i < t->ntpgs; i++)
			used |= t->tpgs[i].tag == want;
		if (!used)
			tag = want;
	}
	/* RFC 7143 §13.9: a TPG tag is 16 bits; 0 is the discovery session's */
	if (!tag)
		return ctl_fail(op, -EINVAL, NULL, "a TPG tag is 1 to 65535");
	for (size_t i = 0; i < t->ntpgs; i++)
		if (t->tpgs[i].tag == tag)
			return ctl_fail(op, -EEXIST, NULL, "tpg%llu exists", (unsigned long long)tag);
	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	tpgs = cfg_member(ctl_cfg_target(&cfg, t), "tpgs", CONFIG_TYPE_LIST);
	g = tpgs ? config_setting_add(tpgs, NULL, CONFIG_TYPE_GROUP) : NULL;
	if (!g || cfg_set_uint(g, "tag", tag)) {
		config_destroy(&cfg);
		return ctl_nomem(op);
	}
	snprintf(op->new_path, sizeof(op->new_path), "/iscsi/%s/tpg%llu", t->iqn,
		 (unsigned long long)tag);
	rc = ctl_edit_commit(op, &cfg);
	if (rc)
		return rc;
	ctl_say(op, "Created TPG %llu.", (unsigned long long)tag);
	return 0;
}

/* ---- portals ---- */

static int ctl_create_portal(struct ctl_op *op)
{
	static const char *const keys[] = { "ip_address", "ip_port", NULL };
	const char *ip = ctl_arg(op, "ip_address"), *why = NULL;
	const struct obj_target *t = op->node.target;
	struct net_portal p;
	char text[128], err[512];
	config_setting_t *arr;
	uint64_t port = NET_ISCSI_PORT;
	config_t cfg;
	int rc;

	rc = ctl_args_only(op, keys);
	if (!rc)
		rc = ctl_arg_u64(op, "ip_port", 65535, &port, NULL);
	if (rc)
		return rc;
	if (!ip || !ip[0])
		ip = "0.0.0.0"; /* targetcli's default portal: every address */
	snprintf(text, sizeof(text), strchr(ip, ':') && ip[0] != '[' ? "[%s]:%llu" : "%s:%llu", ip,
		 (unsigned long long)port);
	if (!port || net_portal_parse_why(text, &p, &why))
		return ctl_fail(op, -EINVAL, "ip_address=192.0.2.10 ip_port=3260",
				"'%s' is not a portal: %s", text, why ? why : "port 0");
	for (size_t i = 0; i < t->ntpgs; i++)
		for (size_t k = 0; k < t->tpgs[i].nportals; k++)
			if (net_portal_equal(&t->tpgs[i].portals[k], &p))
				return ctl_fail(op, -EEXIST, NULL, "portal %s exists in tpg%u", p.text,
						t->tpgs[i].tag);
	/* bound before anything changes: a port in use is refused, not half-applied */
	rc = op->host->ops->listen_check(op->host->arg, &p, err, sizeof(err));
	if (rc)
		return ctl_fail(op, rc, "is another service on that address and port?", "%s", err);
	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	arr = cfg_member(ctl_cfg_tpg(&cfg, op->node.tpg), "portals", CONFIG_TYPE_ARRAY);
	if (cfg_append_string(arr, p.text)) {
		config_destroy(&cfg);
		return ctl_nomem(op);
	}
	snprintf(op->new_path, sizeof(op->new_path), "/iscsi/%s/tpg%u/portals/%s", t->iqn,
		 op->node.tpg->tag, p.text);
	rc = ctl_edit_commit(op, &cfg);
	if (rc)
		return rc;
	ctl_say(op, "Created network portal %s.", p.text);
	return 0;
}

/* ---- LUNs ---- */

/* The backstore a storage_object argument names: "/backstores/file/LUN0", "file/LUN0", "LUN0". */
static struct obj_backstore *ctl_find_so(struct ctl_op *op, const char *so)
{
	struct ctl_node n;
	char path[4200], why[256];
	const char *name = strrchr(so, '/') ? strrchr(so, '/') + 1 : so;

	if (so[0] == '/' || strchr(so, '/')) {
		snprintf(path, sizeof(path), "%s%s", so[0] == '/' ? "" : "/backstores/", so);
		if (ctl_tree_resolve(op->m, path, &n, why, sizeof(why)) ||
		    n.type != CTL_NODE_BACKSTORE) {
			ctl_fail(op, -ENOENT, "'ls /backstores' shows them", "no backstore at '%s'",
				 so);
			return NULL;
		}
		return n.bs;
	}
	if (!obj_find_backstore(op->m, name))
		ctl_fail(op, -ENOENT, "'ls /backstores' shows them", "no backstore '%s'", so);
	return obj_find_backstore(op->m, name);
}

static bool ctl_tpg_has_lun(const struct obj_tpg *tpg, uint64_t lun)
{
	for (size_t i = 0; i < tpg->nluns; i++)
		if (tpg->luns[i].lun == lun)
			return true;
	return false;
}

static bool ctl_acl_has_lun(const struct obj_acl *acl, const struct obj_tpg *tpg, uint64_t lun)
{
	if (acl->all_luns)
		return ctl_tpg_has_lun(tpg, lun);
	for (size_t i = 0; i < acl->nmapped; i++)
		if (acl->mapped[i].lun == lun)
			return true;
	return false;
}

static int cfg_add_mapped(config_setting_t *list, uint64_t lun, uint64_t tpg_lun, bool ro)
{
	config_setting_t *e = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);

	if (!e || cfg_set_uint(e, "lun", lun) || cfg_set_uint(e, "tpg_lun", tpg_lun) ||
	    (ro && cfg_set_bool(e, "read_only", true)))
		return -ENOMEM;
	return 0;
}

/*
 * The ACL's mapped_luns list in the tree. An ACL without one sees every
 * TPG LUN; to change what it sees, that is written out first, so that
 * nothing it sees now goes away silently.
 */
static config_setting_t *ctl_cfg_mapped(config_setting_t *a, const struct obj_acl *acl,
					const struct obj_tpg *tpg)
{
	config_setting_t *ml = config_setting_get_member(a, "mapped_luns");

	if (ml)
		return ml;
	ml = config_setting_add(a, "mapped_luns", CONFIG_TYPE_LIST);
	for (size_t i = 0; ml && acl->all_luns && i < tpg->nluns; i++)
		if (cfg_add_mapped(ml, tpg->luns[i].lun, tpg->luns[i].lun, false))
			return NULL;
	return ml;
}

static int ctl_create_lun(struct ctl_op *op)
{
	static const char *const keys[] = { "storage_object", "lun", "add_mapped_luns", NULL };
	const struct obj_tpg *tpg = op->node.tpg;
	const char *so = ctl_arg(op, "storage_object");
	const struct obj_backstore *b;
	config_setting_t *t, *luns, *e;
	uint64_t lun = 0;
	bool has, add;
	config_t cfg;
	int rc;

	rc = ctl_args_only(op, keys);
	if (!rc)
		rc = ctl_arg_u64(op, "lun", OBJ_LUN_MAX, &lun, &has);
	if (!rc)
		rc = ctl_arg_bool(op, "add_mapped_luns", true, &add);
	if (rc)
		return rc;
	if (!so || !so[0])
		return ctl_fail(op, -EINVAL, "luns create /backstores/file/LUN0",
				"a LUN needs a storage_object");
	b = ctl_find_so(op, so);
	if (!b)
		return op->out->err;
	while (!has && ctl_tpg_has_lun(tpg, lun))
		lun++;
	if (ctl_tpg_has_lun(tpg, lun))
		return ctl_fail(op, -EEXIST, NULL, "lun%llu exists", (unsigned long long)lun);
	if (lun > OBJ_LUN_MAX)
		return ctl_fail(op, -ENOSPC, NULL, "no LUN number left");
	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	t = ctl_cfg_tpg(&cfg, tpg);
	luns = cfg_member(t, "luns", CONFIG_TYPE_LIST);
	e = luns ? config_setting_add(luns, NULL, CONFIG_TYPE_GROUP) : NULL;
	rc = e && !cfg_set_uint(e, "lun", lun) && !cfg_set_string(e, "backstore", b->name) ? 0 :
											  -ENOMEM;
	ctl_say(op, "Created LUN %llu.", (unsigned long long)lun);
	for (size_t k = 0; !rc && add && k < tpg->nacls; k++) {
		const struct obj_acl *acl = &tpg->acls[k];
		config_setting_t *ml;
		uint64_t n = lun;

		if (acl->all_luns) {
			/* it sees every TPG LUN: this one too, under the same number */
			ctl_say(op, "Created LUN %llu->%llu mapping in node ACL %s",
				(unsigned long long)lun, (unsigned long long)lun, acl->initiator);
			continue;
		}
		ml = config_setting_get_member(ctl_cfg_acl(&cfg, tpg, acl), "mapped_luns");
		while (ctl_acl_has_lun(acl, tpg, n))
			n++;
		if (!ml || n > OBJ_LUN_MAX || cfg_add_mapped(ml, n, lun, false)) {
			rc = ml && n > OBJ_LUN_MAX ? 0 : -ENOMEM;
			continue;
		}
		ctl_say(op, "Created LUN %llu->%llu mapping in node ACL %s", (unsigned long long)lun,
			(unsigned long long)n, acl->initiator);
	}
	if (rc) {
		config_destroy(&cfg);
		return ctl_nomem(op);
	}
	snprintf(op->new_path, sizeof(op->new_path), "/iscsi/%s/tpg%u/luns/lun%llu",
		 tpg->target->iqn, tpg->tag, (unsigned long long)lun);
	rc = ctl_edit_commit(op, &cfg);
	if (rc)
		return rc;
	return 0;
}

/* ---- ACLs and mapped LUNs ---- */

static int ctl_create_acl(struct ctl_op *op)
{
	static const char *const keys[] = { "iqn", "add_mapped_luns", NULL };
	const struct obj_tpg *tpg = op->node.tpg;
	const char *iqn = ctl_arg(op, "iqn"), *why = NULL;
	config_setting_t *acls, *a, *ml;
	bool add;
	config_t cfg;
	int rc;

	rc = ctl_args_only(op, keys);
	if (!rc)
		rc = ctl_arg_bool(op, "add_mapped_luns", true, &add);
	if (rc)
		return rc;
	if (!iqn || !iqn[0])
		return ctl_fail(op, -EINVAL, "acls create iqn.2026-11.org.example:kvm1",
				"an ACL needs the initiator's name");
	if (iscsi_name_check(iqn, &why))
		return ctl_fail(op, -EINVAL, "iqn.2026-11.org.example:kvm1",
				"'%s' is not an iSCSI name: %s", iqn, why);
	if (obj_find_acl(tpg, iqn))
		return ctl_fail(op, -EEXIST, NULL, "an ACL for '%s' exists", iqn);
	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	acls = cfg_member(ctl_cfg_tpg(&cfg, tpg), "acls", CONFIG_TYPE_LIST);
	a = acls ? config_setting_add(acls, NULL, CONFIG_TYPE_GROUP) : NULL;
	/* an explicit list, even empty: LUNs added later are mapped by luns create */
	ml = a ? config_setting_add(a, "mapped_luns", CONFIG_TYPE_LIST) : NULL;
	rc = ml && !cfg_set_string(a, "initiator", iqn) ? 0 : -ENOMEM;
	ctl_say(op, "Created Node ACL for %s", iqn);
	for (size_t i = 0; !rc && add && i < tpg->nluns; i++) {
		rc = cfg_add_mapped(ml, tpg->luns[i].lun, tpg->luns[i].lun, false);
		ctl_say(op, "Created Mapped LUN %llu.", (unsigned long long)tpg->luns[i].lun);
	}
	if (rc) {
		config_destroy(&cfg);
		return ctl_nomem(op);
	}
	snprintf(op->new_path, sizeof(op->new_path), "/iscsi/%s/tpg%u/acls/%s", tpg->target->iqn,
		 tpg->tag, iqn);
	rc = ctl_edit_commit(op, &cfg);
	if (rc)
		return rc;
	return 0;
}

/* tpg_lun_or_backstore: "2", "lun2", or a backstore that a TPG LUN serves. */
static int ctl_find_tpg_lun(struct ctl_op *op, const char *v, uint64_t *out)
{
	const struct obj_tpg *tpg = op->node.tpg;
	const char *d = !strncmp(v, "lun", 3) ? v + 3 : v;
	const struct obj_backstore *b;
	char *end;

	if (*d >= '0' && *d <= '9') {
		unsigned long long n = strtoull(d, &end, 10);

		if (!*end && ctl_tpg_has_lun(tpg, n)) {
			*out = n;
			return 0;
		}
		return ctl_fail(op, -ENOENT, "'ls luns' shows them", "tpg%u has no lun%s", tpg->tag,
				d);
	}
	b = ctl_find_so(op, v);
	if (!b)
		return op->out->err;
	for (size_t i = 0; i < tpg->nluns; i++)
		if (tpg->luns[i].bs == b) {
			*out = tpg->luns[i].lun;
			return 0;
		}
	return ctl_fail(op, -ENOENT, "luns create it first", "no LUN of tpg%u serves backstore '%s'",
			tpg->tag, b->name);
}

static int ctl_create_mapped(struct ctl_op *op)
{
	static const char *const keys[] = { "mapped_lun", "tpg_lun_or_backstore", "write_protect",
					    NULL };
	const struct obj_tpg *tpg = op->node.tpg;
	const struct obj_acl *acl = op->node.acl;
	const char *which = ctl_arg(op, "tpg_lun_or_backstore");
	config_setting_t *ml;
	uint64_t lun = 0, tl = 0;
	bool has, ro;
	config_t cfg;
	int rc;

	rc = ctl_args_only(op, keys);
	if (!rc)
		rc = ctl_arg_u64(op, "mapped_lun", OBJ_LUN_MAX, &lun, &has);
	if (!rc)
		rc = ctl_arg_bool(op, "write_protect", false, &ro);
	if (rc)
		return rc;
	if (!which || !which[0])
		return ctl_fail(op, -EINVAL, "create mapped_lun=2 tpg_lun_or_backstore=2",
				"a mapped LUN needs tpg_lun_or_backstore");
	rc = ctl_find_tpg_lun(op, which, &tl);
	if (rc)
		return rc;
	while (!has && ctl_acl_has_lun(acl, tpg, lun))
		lun++;
	if (ctl_acl_has_lun(acl, tpg, lun))
		return ctl_fail(op, -EEXIST, NULL, "mapped_lun%llu exists", (unsigned long long)lun);
	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	ml = ctl_cfg_mapped(ctl_cfg_acl(&cfg, tpg, acl), acl, tpg);
	if (!ml || cfg_add_mapped(ml, lun, tl, ro)) {
		config_destroy(&cfg);
		return ctl_nomem(op);
	}
	snprintf(op->new_path, sizeof(op->new_path), "/iscsi/%s/tpg%u/acls/%s/mapped_lun%llu",
		 tpg->target->iqn, tpg->tag, acl->initiator, (unsigned long long)lun);
	rc = ctl_edit_commit(op, &cfg);
	if (rc)
		return rc;
	ctl_say(op, "Created Mapped LUN %llu.", (unsigned long long)lun);
	return 0;
}

/* ---- set: TPG, ACL, discovery ---- */

/*
 * Writes every key=value of the request that table t knows into group g
 * (an empty value removes the key: the default comes back), each as its
 * row says. Other keys are refused by the caller's ctl_args_only.
 */
static int ctl_put_settings(struct ctl_op *op, config_setting_t *g, const struct obj_settings *t)
{
	obj_settings_foreach(r, t) {
		const char *v = ctl_arg(op, r->key);
		uint64_t n;
		bool b;
		int rc = 0;

		if (!v)
			continue;
		if (!v[0]) {
			if (config_setting_get_member(g, r->key))
				config_setting_remove(g, r->key);
			ctl_say(op, "Parameter %s is now unset.", r->key);
			continue;
		}
		switch (r->type) {
		case OBJ_SETTING_BOOL:
			rc = ctl_arg_bool(op, r->key, false, &b);
			if (!rc)
				rc = cfg_set_bool(g, r->key, b) ? ctl_nomem(op) : 0;
			break;
		case OBJ_SETTING_YESNO:
			/* RFC 7143 §13's own spelling, which the file takes too */
			rc = ctl_arg_bool(op, r->key, false, &b);
			if (!rc)
				rc = cfg_set_string(g, r->key, b ? "Yes" : "No") ? ctl_nomem(op) :
										     0;
			break;
		case OBJ_SETTING_UINT:
			/* the range is the parser's to check, in the file's words */
			rc = ctl_arg_u64(op, r->key, UINT32_MAX, &n, NULL);
			if (!rc)
				rc = cfg_set_uint(g, r->key, n) ? ctl_nomem(op) : 0;
			break;
		case OBJ_SETTING_DIGEST:
		case OBJ_SETTING_NAME:
		case OBJ_SETTING_SECRET:
		case OBJ_SETTING_CHAP_ALGS:
		case OBJ_SETTING_CHOICE:
			/* the parser checks it, in the file's words */
			rc = cfg_set_string(g, r->key, v) ? ctl_nomem(op) : 0;
			break;
		}
		if (rc)
			return rc;
		if (r->type == OBJ_SETTING_SECRET)
			ctl_say(op, "Parameter %s is now set.", r->key);
		else
			ctl_say(op, "Parameter %s is now '%s'.", r->key, v);
	}
	return 0;
}

/*
 * allowed_addresses=LIST (comma-separated addresses and networks, "" for
 * anywhere) into the TPG's or ACL's own group g, in canonical form.
 */
static int ctl_put_allowed(struct ctl_op *op, config_setting_t *g)
{
	const char *csv = ctl_arg(op, "allowed_addresses");
	struct net_allow list = { 0 };
	struct net_allow_err err;
	config_setting_t *arr;
	char text[NET_TEXT_MAX], why[256];
	int rc = 0;

	if (!csv)
		return 0;
	if (net_allow_parse(csv, strlen(csv), &list, &err)) {
		net_allow_err_text(&err, why, sizeof(why));
		return ctl_fail(op, -EINVAL, "allowed_addresses=192.0.2.0/24,2001:db8::/48", "%s",
				why);
	}
	if (config_setting_get_member(g, "allowed_addresses"))
		config_setting_remove(g, "allowed_addresses");
	arr = list.n ? config_setting_add(g, "allowed_addresses", CONFIG_TYPE_ARRAY) : NULL;
	for (size_t i = 0; arr && i < list.n && !rc; i++)
		if (net_format(&list.nets[i], text, sizeof(text)) < 0 ||
		    cfg_append_string(arr, text))
			rc = ctl_nomem(op);
	if (list.n && !arr)
		rc = ctl_nomem(op);
	if (!rc && list.n)
		ctl_say(op, "Parameter allowed_addresses is now '%s'.", csv);
	else if (!rc)
		ctl_say(op, "Parameter allowed_addresses is now unset: any address.");
	net_allow_fini(&list);
	return rc;
}

/* "group", then extra (may be NULL), then t's keys (t may be NULL): for ctl_args_only. */
static int ctl_keys_only(struct ctl_op *op, const struct obj_settings *t, const char *extra)
{
	const char *names[OBJ_SETTINGS_MAX + 2];
	size_t n = 0;

	names[n++] = "group";
	if (extra)
		names[n++] = extra;
	names[n] = NULL;
	if (t)
		obj_settings_keys(t, names + n, ARRAY_SIZE(names) - n);
	return ctl_args_only(op, names);
}

/* Whether the request sets a credential of table t (a CHAP name or secret). */
static bool ctl_credentials_given(struct ctl_op *op, const struct obj_settings *t)
{
	obj_settings_foreach(r, t) {
		if ((r->type == OBJ_SETTING_NAME || r->type == OBJ_SETTING_SECRET) &&
		    ctl_arg(op, r->key))
			return true;
	}
	return false;
}

/* set GROUP key=value ... at a TPG, an ACL or /iscsi: the group's row says what it takes. */
static int ctl_set_group(struct ctl_op *op, const char *name)
{
	const struct ctl_group *grp = ctl_group_find(op->node.type, name);
	const char *member, *extra;
	config_setting_t *parent, *g;
	bool enable = true;
	config_t cfg;
	int rc;

	if (!grp)
		return ctl_fail(op, -EINVAL, "'help set' lists the groups", "no group '%s' at %s",
				name, op->req->path);
	if (grp->refused && ctl_credentials_given(op, grp->settings))
		return ctl_fail(op, -EINVAL, grp->refused_hint, "%s", grp->refused);
	extra = grp->enable ? "enable" : grp->allowed_addresses ? "allowed_addresses" : NULL;
	rc = ctl_keys_only(op, grp->settings, extra);
	if (!rc && grp->enable)
		rc = ctl_arg_bool(op, "enable", true, &enable);
	if (rc)
		return rc;
	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	parent = op->node.type == CTL_NODE_TPG ? ctl_cfg_tpg(&cfg, op->node.tpg) :
		 op->node.type == CTL_NODE_ACL ? ctl_cfg_acl(&cfg, op->node.tpg, op->node.acl) :
						  config_root_setting(&cfg);
	/* the table's group of the node in the file, or the node's own */
	member = grp->settings ? grp->settings->group : NULL;
	g = member ? cfg_member(parent, member, CONFIG_TYPE_GROUP) : parent;
	if (!g) {
		config_destroy(&cfg);
		return ctl_nomem(op);
	}
	if (!enable) {
		/* targetcli's discovery_auth enable=0: discovery without CHAP */
		config_setting_remove(parent, member);
		ctl_say(op, "%s", grp->off);
	} else {
		if (grp->settings)
			rc = ctl_put_settings(op, g, grp->settings);
		/* the list lives in the TPG's or ACL's own group, not in "attributes" */
		if (!rc && grp->allowed_addresses)
			rc = ctl_put_allowed(op, parent);
	}
	/* an empty group would still say "present": leave it out */
	if (!rc && member && enable && config_setting_length(g) == 0)
		config_setting_remove(parent, member);
	if (rc) {
		config_destroy(&cfg);
		return rc;
	}
	/* CHAP: the credentials are read at every login; sessions that are in stay in */
	return ctl_edit_commit(op, &cfg);
}

int ctl_set(struct ctl_op *op)
{
	const char *group = ctl_arg(op, "group");

	if (!group || !group[0])
		return ctl_fail(op, -EINVAL, "set attribute KEY=VALUE", "'set' needs a group");
	if (op->node.type == CTL_NODE_BACKSTORE)
		return ctl_set_backstore(op);
	return ctl_set_group(op, group);
}

/* ---- create and delete ---- */

int ctl_create(struct ctl_op *op)
{
	switch (op->node.type) {
	case CTL_NODE_BS_TYPE:
		return ctl_create_backstore(op);
	case CTL_NODE_ISCSI:
		return ctl_create_target(op);
	case CTL_NODE_TARGET:
		return ctl_create_tpg(op);
	case CTL_NODE_PORTALS:
		return ctl_create_portal(op);
	case CTL_NODE_LUNS:
		return ctl_create_lun(op);
	case CTL_NODE_ACLS:
		return ctl_create_acl(op);
	case CTL_NODE_ACL:
		return ctl_create_mapped(op);
	default:
		return ctl_fail(op, -EINVAL, "'help create' says where it applies",
				"nothing can be created at %s", op->req->path);
	}
}

int ctl_delete(struct ctl_op *op)
{
	static const char *const keys[] = { "force", NULL };
	const struct ctl_node *n = &op->node;
	config_setting_t *t, *l;
	char what[600];
	unsigned int users = 0;
	uint64_t lun;
	bool force;
	config_t cfg;
	int rc;

	rc = ctl_args_only(op, keys);
	if (!rc)
		rc = ctl_arg_bool(op, "force", false, &force);
	if (rc)
		return rc;
	switch (n->type) {
	case CTL_NODE_BACKSTORE:
		return ctl_delete_backstore(op, force);
	case CTL_NODE_LUN:
		users = ctl_tpg_sessions(n->tpg, NULL, n->tpg->luns[n->index].lun);
		break;
	case CTL_NODE_MAPPED_LUN:
		users = ctl_tpg_sessions(n->tpg, n->acl->initiator, UINT64_MAX);
		break;
	case CTL_NODE_TARGET:
	case CTL_NODE_TPG:
	case CTL_NODE_PORTAL:
	case CTL_NODE_ACL:
		break; /* sessions of a deleted target or ACL are logged out; a portal's go on */
	default:
		return ctl_fail(op, -EINVAL, NULL, "%s cannot be deleted", op->req->path);
	}
	if (users && !force)
		return ctl_fail(op, -EBUSY, CTL_HINT_FORCE, "%s is in use by %u session%s",
				op->req->path, users, users == 1 ? "" : "s");

	rc = ctl_edit_begin(op, &cfg);
	if (rc)
		return rc;
	switch (n->type) {
	case CTL_NODE_TARGET:
		ctl_cfg_remove(ctl_cfg_target(&cfg, n->target));
		snprintf(what, sizeof(what), "Deleted Target %s.", n->target->iqn);
		break;
	case CTL_NODE_TPG:
		ctl_cfg_remove(ctl_cfg_tpg(&cfg, n->tpg));
		snprintf(what, sizeof(what), "Deleted TPG %u.", n->tpg->tag);
		break;
	case CTL_NODE_PORTAL:
		t = ctl_cfg_tpg(&cfg, n->tpg);
		l = config_setting_get_member(t, "portals");
		for (int i = 0; l && i < config_setting_length(l); i++) {
			if (!strcmp(config_setting_get_string_elem(l, i),
				    n->tpg->portals[n->index].text)) {
				config_setting_remove_elem(l, (unsigned int)i);
				break;
			}
		}
		if (l && !config_setting_length(l))
			config_setting_remove(t, "portals");
		snprintf(what, sizeof(what), "Deleted network portal %s.",
			 n->tpg->portals[n->index].text);
		break;
	case CTL_NODE_LUN:
		ctl_remove_tpg_lun(op, ctl_cfg_tpg(&cfg, n->tpg), n->tpg->luns[n->index].lun);
		snprintf(what, sizeof(what), "Deleted LUN %llu.",
			 (unsigned long long)n->tpg->luns[n->index].lun);
		break;
	case CTL_NODE_ACL:
		ctl_cfg_remove(ctl_cfg_acl(&cfg, n->tpg, n->acl));
		snprintf(what, sizeof(what), "Deleted Node ACL %s.", n->acl->initiator);
		break;
	default: /* CTL_NODE_MAPPED_LUN */
		lun = n->acl->all_luns ? n->tpg->luns[n->index].lun : n->acl->mapped[n->index].lun;
		l = ctl_cfg_mapped(ctl_cfg_acl(&cfg, n->tpg, n->acl), n->acl, n->tpg);
		if (!l) {
			config_destroy(&cfg);
			return ctl_nomem(op);
		}
		ctl_cfg_remove(ctl_cfg_find_num(l, "lun", lun));
		snprintf(what, sizeof(what), "Deleted Mapped LUN %llu.", (unsigned long long)lun);
		break;
	}
	rc = ctl_edit_commit(op, &cfg);
	if (rc)
		return rc;
	if (users)
		log_warn(COMP, "%s deleted while %u session(s) used it (forced)", op->req->path,
			 users);
	ctl_say(op, "%s", what);
	return 0;
}

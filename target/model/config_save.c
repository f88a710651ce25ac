/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct obj_model -> porticod.conf (config_save), and the start-up read
 * that falls back to the last good version (config_load_with_fallback).
 *
 * The file is built with libconfig's own API and written by config_write,
 * so that quoting and escaping are libconfig's and config_parse reads back
 * exactly what was meant. Before the file replaces anything, its text is
 * parsed again and compared with the model (obj_model_equal): a model that
 * would not load back the same (a value the parser refuses, a setting the
 * file cannot express) is refused with the parser's reason, and the old
 * file stays. libconfig cannot write comments, so a saved file has none.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/be.h"
#include "common/log.h"
#include "common/util.h"
#include "target/backstore/bs_kind.h"
#include "target/iscsi/chap.h"
#include "target/model/config.h"
#include "target/model/config_shared.h"
#include "target/model/obj_settings.h"
#include "target/model/pr_store.h"

#define CONFIG_SAVE_MODE 0600 /* CHAP secrets live in the file */

/* err->msg = the message (cut to fit: a long path must not hide the reason's start); returns ret. */
static int config_save_err(struct cfg_err *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int config_save_err(struct cfg_err *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * Sizes go out as strings: "20G" when a unit divides the size exactly, else
 * the bytes ("512512"), never as an integer literal that libconfig 1.5
 * would truncate above 2^31-1 (docs/configuration.md).
 */
void config_size_text(uint64_t size, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	int i;

	for (i = (int)sizeof(units) - 2; i >= 0 && size; i--) {
		unsigned int shift = 10 * (unsigned int)(i + 1);

		if ((size & ((1ULL << shift) - 1)) == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(size >> shift), units[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)size);
}

/* One setting, row r of a table, of obj into group g. */
static int config_save_setting(config_setting_t *g, const struct obj_setting *r, const void *obj)
{
	char algs[CHAP_ALGS_TEXT_MAX];

	switch (r->type) {
	case OBJ_SETTING_BOOL:
	case OBJ_SETTING_YESNO:
		return cfg_set_bool(g, r->key, obj_setting_bool(r, obj));
	case OBJ_SETTING_UINT:
		return cfg_set_uint(g, r->key, obj_setting_uint(r, obj));
	case OBJ_SETTING_DIGEST:
		return cfg_set_string(g, r->key,
				      obj_setting_digest_text(obj_setting_bool(r, obj),
							      obj_setting_required(r, obj)));
	case OBJ_SETTING_NAME:
	case OBJ_SETTING_SECRET:
		return cfg_set_string(g, r->key, obj_setting_str(r, obj));
	case OBJ_SETTING_CHAP_ALGS:
		return cfg_set_string(g, r->key, obj_setting_algs_text(r, obj, algs, sizeof(algs)));
	case OBJ_SETTING_CHOICE:
		/* a value without a name would not read back: the save's check refuses it */
		return cfg_set_string(g, r->key, obj_setting_choice_name(r, obj_setting_uint(r, obj))
							 ?: "");
	}
	return -EINVAL;
}

/*
 * The settings of table t in obj that are not at their default, into g's
 * group t->group (g itself when the table has none). A group whose every
 * setting is at its default is left out.
 */
static int config_save_settings(config_setting_t *g, const struct obj_settings *t,
				const void *obj)
{
	config_setting_t *s = g;
	int ret = 0;

	if (obj_settings_all_default(t, obj))
		return 0;
	if (t->group)
		ret = cfg_add(g, t->group, CONFIG_TYPE_GROUP, &s);
	obj_settings_foreach(r, t) {
		if (!ret && !obj_setting_is_default(r, obj))
			ret = config_save_setting(s, r, obj);
	}
	return ret;
}

/*
 * A key whose value is what the parser assumes without it is left out,
 * except the ones that say what a backstore is and its identity, and
 * those a row saves where they apply (obj_settings.c). A setting the kind
 * does not take is written only when set, and the read-back check then
 * refuses it with the parser's reason.
 */
static int config_save_backstore(config_setting_t *list, const struct obj_backstore *b)
{
	const struct bs_kind *kind = bs_kind_find(b->type);
	config_setting_t *g;
	char text[32];
	uint64_t v;
	int ret;

	ret = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &g);
	obj_bs_settings_foreach(r) {
		if (ret)
			break;
		switch (r->value) {
		case OBJ_BS_NAME:
			ret = cfg_set_string(g, r->key, b->name);
			break;
		case OBJ_BS_TYPE:
			ret = cfg_set_string(g, r->key, b->type);
			break;
		case OBJ_BS_PATH:
			if (obj_bs_setting_applies(r, kind) || b->path[0])
				ret = cfg_set_string(g, r->key, b->path);
			break;
		case OBJ_BS_SIZE:
			v = obj_bs_setting_get(r, &b->params);
			if (obj_bs_setting_written(r, kind, v)) {
				config_size_text(v, text, sizeof(text));
				ret = cfg_set_string(g, r->key, text);
			}
			break;
		case OBJ_BS_BOOL:
			v = obj_bs_setting_get(r, &b->params);
			if (obj_bs_setting_written(r, kind, v))
				ret = cfg_set_bool(g, r->key, v);
			break;
		case OBJ_BS_BLOCK_SIZE:
		case OBJ_BS_PHYS_BLOCK_SIZE:
			v = obj_bs_setting_get(r, &b->params);
			if (obj_bs_setting_written(r, kind, v))
				ret = cfg_set_uint(g, r->key, v);
			break;
		case OBJ_BS_SERIAL:
			/* pinned from now on, derived or not: the WWID hosts know never changes */
			ret = cfg_set_string(g, r->key, b->id.serial);
			break;
		case OBJ_BS_NAA:
			snprintf(text, sizeof(text), "0x%016llx",
				 (unsigned long long)get_be64(b->id.naa));
			ret = cfg_set_string(g, r->key, text);
			break;
		case OBJ_BS_TEXT:
			if (obj_bs_setting_text(r, &b->params)[0])
				ret = cfg_set_string(g, r->key, obj_bs_setting_text(r, &b->params));
			break;
		}
	}
	return ret;
}

static int config_save_portals(config_setting_t *g, const struct obj_tpg *tpg)
{
	config_setting_t *arr;
	size_t i;
	int ret;

	if (!tpg->nportals)
		return 0;
	ret = cfg_add(g, "portals", CONFIG_TYPE_ARRAY, &arr);
	for (i = 0; !ret && i < tpg->nportals; i++) {
		ret = cfg_append_string(arr, tpg->portals[i].text);
	}
	return ret;
}

/* The canonical text of each entry (net_format); nothing for the empty list. */
static int config_save_allowed(config_setting_t *g, const struct net_allow *l)
{
	char text[NET_TEXT_MAX];
	config_setting_t *arr;
	size_t i;
	int ret;

	if (!l->n)
		return 0;
	ret = cfg_add(g, "allowed_addresses", CONFIG_TYPE_ARRAY, &arr);
	for (i = 0; !ret && i < l->n; i++) {
		/* a family the file cannot spell goes out as "" and the read-back check names it */
		if (net_format(&l->nets[i], text, sizeof(text)) < 0)
			text[0] = '\0';
		ret = cfg_append_string(arr, text);
	}
	return ret;
}

static int config_save_luns(config_setting_t *g, const struct obj_tpg *tpg)
{
	config_setting_t *list, *e;
	size_t i;
	int ret;

	if (!tpg->nluns)
		return 0;
	ret = cfg_add(g, "luns", CONFIG_TYPE_LIST, &list);
	for (i = 0; !ret && i < tpg->nluns; i++) {
		ret = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &e);
		if (!ret)
			ret = cfg_set_uint(e, "lun", tpg->luns[i].lun);
		/* no backstore (a hand-built model): "" makes the read-back check say so */
		if (!ret)
			ret = cfg_set_string(e, "backstore",
					     tpg->luns[i].bs ? tpg->luns[i].bs->name : "");
	}
	return ret;
}

static int config_save_acl(config_setting_t *list, const struct obj_acl *acl)
{
	config_setting_t *g, *mapped, *e;
	size_t i;
	int ret;

	ret = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &g);
	if (!ret)
		ret = cfg_set_string(g, "initiator", acl->initiator);
	/* absent: every TPG LUN; present, even empty: exactly these */
	if (!ret && !acl->all_luns) {
		ret = cfg_add(g, "mapped_luns", CONFIG_TYPE_LIST, &mapped);
		for (i = 0; !ret && i < acl->nmapped; i++) {
			ret = cfg_add(mapped, NULL, CONFIG_TYPE_GROUP, &e);
			if (!ret)
				ret = cfg_set_uint(e, "lun", acl->mapped[i].lun);
			if (!ret)
				ret = cfg_set_uint(e, "tpg_lun", acl->mapped[i].tpg_lun);
			if (!ret && acl->mapped[i].read_only)
				ret = cfg_set_bool(e, "read_only", true);
		}
	}
	if (!ret)
		ret = config_save_settings(g, &obj_chap_settings, &acl->chap);
	if (!ret)
		ret = config_save_allowed(g, &acl->allowed);
	return ret;
}

static int config_save_tpg(config_setting_t *list, const struct obj_tpg *tpg)
{
	config_setting_t *g, *acls;
	size_t i;
	int ret;

	ret = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &g);
	if (!ret)
		ret = cfg_set_uint(g, "tag", tpg->tag);
	if (!ret)
		ret = config_save_portals(g, tpg);
	if (!ret)
		ret = config_save_luns(g, tpg);
	if (!ret)
		ret = config_save_allowed(g, &tpg->allowed);
	if (!ret && tpg->nacls) {
		ret = cfg_add(g, "acls", CONFIG_TYPE_LIST, &acls);
		for (i = 0; !ret && i < tpg->nacls; i++)
			ret = config_save_acl(acls, &tpg->acls[i]);
	}
	if (!ret)
		ret = config_save_settings(g, &obj_tpg_attr_settings, &tpg->attrs);
	if (!ret)
		ret = config_save_settings(g, &obj_tpg_param_settings, &tpg->params);
	if (!ret)
		ret = config_save_settings(g, &obj_tpg_auth_settings, &tpg->auth);
	if (!ret)
		ret = config_save_settings(g, &obj_tpg_alua_settings, &tpg->alua);
	return ret;
}

static int config_save_target(config_setting_t *list, const struct obj_target *t)
{
	config_setting_t *g, *tpgs;
	size_t i;
	int ret;

	ret = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &g);
	if (!ret)
		ret = cfg_set_string(g, "iqn", t->iqn);
	if (!ret && t->alias[0])
		ret = cfg_set_string(g, "alias", t->alias);
	if (!ret && t->ntpgs) {
		ret = cfg_add(g, "tpgs", CONFIG_TYPE_LIST, &tpgs);
		for (i = 0; !ret && i < t->ntpgs; i++)
			ret = config_save_tpg(tpgs, &t->tpgs[i]);
	}
	return ret;
}

/* The key of a row of the file's top level (obj_globals). */
#define CONFIG_KEY(row) (obj_globals[OBJ_GLOBAL_##row].key)

/* A number of the top level (UINT, SIZE) that is not at its row's default: sizes as "64M". */
static int config_save_number(config_setting_t *root, const struct obj_model *m,
			      const struct obj_global *r)
{
	uint64_t v = obj_global_num(r, m);
	char text[32];

	if (v == r->def)
		return 0;
	if (r->value == OBJ_GLOBAL_UINT)
		return cfg_set_uint(root, r->key, v);
	config_size_text(v, text, sizeof(text));
	return cfg_set_string(root, r->key, text);
}

/*
 * Fills cfg (freshly initialised) with m, in the model's order: the same
 * model, the same bytes. The top level in the order files have always had,
 * which is not the table's.
 */
int config_build(const struct obj_model *m, config_t *cfg)
{
	config_setting_t *root = config_root_setting(cfg), *list;
	size_t i;
	int ret;

	ret = cfg_set_string(root, CONFIG_KEY(CONTROL_SOCKET), m->control_socket);
	if (!ret)
		ret = cfg_set_uint(root, CONFIG_KEY(IO_THREADS), m->io_threads);
	/* an unknown level goes out as "" and the read-back check names it */
	if (!ret)
		ret = cfg_set_string(root, CONFIG_KEY(LOG_LEVEL), log_level_name(m->log_level));
	if (!ret && m->debug[0])
		ret = cfg_set_string(root, CONFIG_KEY(DEBUG), m->debug);
	if (!ret && !m->auto_save)
		ret = cfg_set_bool(root, CONFIG_KEY(AUTO_SAVE), false);
	if (!ret && strcmp(m->state_dir, PR_STORE_DEFAULT_DIR))
		ret = cfg_set_string(root, CONFIG_KEY(STATE_DIR), m->state_dir);
	if (!ret)
		ret = config_save_settings(root, &obj_discovery_auth_settings, &m->discovery_auth);
	if (!ret)
		ret = config_save_number(root, m, &obj_globals[OBJ_GLOBAL_IO_MEMORY_LIMIT]);
	if (!ret)
		ret = config_save_number(root, m, &obj_globals[OBJ_GLOBAL_SESSION_IO_MEMORY_LIMIT]);
	if (!ret)
		ret = config_save_number(root, m, &obj_globals[OBJ_GLOBAL_SEND_TIMEOUT]);
	if (!ret)
		ret = config_save_number(root, m, &obj_globals[OBJ_GLOBAL_MAX_CONNECTIONS]);
	if (!ret)
		ret = config_save_number(root, m,
					 &obj_globals[OBJ_GLOBAL_MAX_CONNECTIONS_PER_ADDRESS]);
	if (!ret)
		ret = config_save_settings(root, &obj_auth_guard_settings, &m->auth_guard);
	if (!ret)
		ret = config_shared_save(root, &m->shared);
	if (!ret && m->nbackstores) {
		ret = cfg_add(root, CONFIG_KEY(BACKSTORES), CONFIG_TYPE_LIST, &list);
		for (i = 0; !ret && i < m->nbackstores; i++)
			ret = config_save_backstore(list, &m->backstores[i]);
	}
	if (!ret && m->ntargets) {
		ret = cfg_add(root, CONFIG_KEY(TARGETS), CONFIG_TYPE_LIST, &list);
		for (i = 0; !ret && i < m->ntargets; i++)
			ret = config_save_target(list, &m->targets[i]);
	}
	return ret;
}

/*
 * The text config_write makes of cfg, read back with config_parse_string
 * and compared with m. 0, -EINVAL with err saying why, or -ENOMEM.
 */
static int config_verify(const struct obj_model *m, config_t *cfg, const char *path,
			 struct cfg_err *err)
{
	struct obj_model *back = NULL;
	struct cfg_err perr = { "" };
	char why[256] = "";
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	config_write(cfg, f);
	if (fclose(f) || !text) {
		free(text);
		return -ENOMEM;
	}
	ret = config_parse_string(text, &back, &perr);
	if (ret == -ENOMEM)
		goto out_free;
	if (ret) {
		config_save_err(err, ret, "%s: not saved: the configuration would not load back: %s",
				path, perr.msg);
		goto out_free;
	}
	if (!obj_model_equal(m, back, why, sizeof(why)))
		ret = config_save_err(err, -EINVAL,
				      "%s: not saved: the file cannot express this configuration (%s)",
				      path, why);

out_free:
	obj_model_free(back);
	/* the text holds the CHAP secrets */
	explicit_bzero(text, len);
	free(text);
	return ret;
}

/* The version saved before keeps its old mode; it gets the new file's (secrets). */
static void config_tighten(const char *path)
{
	char old[4200];
	struct stat st;

	snprintf(old, sizeof(old), "%s.1", path);
	if (stat(old, &st) == 0 && (st.st_mode & 07777 & ~(mode_t)CONFIG_SAVE_MODE) &&
	    chmod(old, st.st_mode & (mode_t)CONFIG_SAVE_MODE))
		log_warn("config", "'%s': cannot make it mode %04o: %s", old, CONFIG_SAVE_MODE,
			 strerror(errno));
}

int config_save(const struct obj_model *m, const char *path, int keep_versions,
		struct cfg_err *err)
{
	struct cfg_err dummy;
	config_t cfg;
	int ret;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	if (!m || !path || !path[0] || keep_versions < 0 || keep_versions > CONFIG_SAVE_KEEP)
		return config_save_err(err, -EINVAL,
				       "config_save: no model, no path, or keep_versions not 0 to %d",
				       CONFIG_SAVE_KEEP);
	/* room for ".tmp" and ".N" (cfg_save_atomic) */
	if (strlen(path) + 8 > sizeof(m->path))
		return config_save_err(err, -ENAMETOOLONG, "%.400s...: path too long", path);
	config_init(&cfg);
	ret = config_build(m, &cfg);
	if (!ret)
		ret = config_verify(m, &cfg, path, err);
	if (!ret) {
		ret = cfg_save_atomic(&cfg, path, CONFIG_SAVE_MODE, keep_versions);
		if (!ret && keep_versions)
			config_tighten(path);
	}
	/* the errors config_verify did not explain: memory, the write */
	if (ret && !err->msg[0])
		config_save_err(err, ret, "%s: cannot save: %s", path, strerror(-ret));
	config_destroy(&cfg);
	return ret;
}

/*
 * A version that does not parse (missing, unreadable, truncated, garbled,
 * invalid) is passed over for the one before it. A version that parses but
 * does not open stops the search: every version names the same devices, and
 * going back would silently undo the administrator's last changes.
 */
int config_load_with_fallback(const char *path, struct obj_model **out, struct cfg_err *err,
			      char *used, size_t usedlen)
{
	struct cfg_err first = { "" }, e;
	char name[4200];
	struct obj_model *m = NULL;
	int i, ret, first_ret = 0;

	*out = NULL;
	if (used && usedlen)
		used[0] = '\0';
	if (strlen(path) + 3 > sizeof(m->path) || (used && usedlen < strlen(path) + 3)) {
		if (err && !err->msg[0])
			config_save_err(err, 0, "%.400s...: path too long", path);
		return -ENAMETOOLONG;
	}
	for (i = 0; i <= CONFIG_SAVE_KEEP; i++) {
		if (i)
			snprintf(name, sizeof(name), "%s.%d", path, i);
		else
			snprintf(name, sizeof(name), "%s", path);
		e.msg[0] = '\0';
		ret = config_parse(name, &m, &e);
		if (!ret)
			break;
		if (!i) {
			first = e;
			first_ret = ret;
		} else if (ret != -ENOENT) {
			log_warn("config", "%s", e.msg);
		}
	}
	if (i > CONFIG_SAVE_KEEP) {
		if (err && !err->msg[0])
			config_save_err(err, 0, "%s (and no saved version .1 to .%d loads)",
					first.msg, CONFIG_SAVE_KEEP);
		return first_ret;
	}
	if (i) {
		log_warn("config", "%s", first.msg);
		log_warn("config", "'%s' does not load: starting from the version saved before it, '%s'",
			 path, name);
	}
	ret = config_open(m, err);
	if (ret) {
		obj_model_free(m);
		return ret;
	}
	if (i) {
		if (err && !err->msg[0])
			*err = first;
		/* the next save goes where the administrator keeps the file */
		snprintf(m->path, sizeof(m->path), "%s", path);
	}
	if (used)
		snprintf(used, usedlen, "%s", name);
	*out = m;
	return 0;
}

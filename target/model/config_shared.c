// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The gateway group's shared configuration in the file's syntax
 * (config_shared.h): porticod.conf's shared_config group both ways, and
 * the shared document taken out of and put into a configuration tree.
 * Why the file's own syntax for the document: a member validates it
 * exactly as a local change, by putting it into its tree and parsing that
 * (config_parse_cfg), so every check and every message is the file's; an
 * administrator reads it with `rados get`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "target/model/config_shared.h"

#define SHARED_KEY "shared_config"
/* the document's group for /iscsi's settings, and a target's for its TPG's */
#define SHARED_ISCSI "iscsi"
#define SHARED_TPG "tpg"
/* a target's rbd LUNs, and the rbd backstores they need (top level) */
#define SHARED_LUNS "luns"
#define SHARED_BACKSTORES "backstores"

/* /iscsi's settings the group shares: CHAP of discovery sessions (RFC 7143 §12.1) */
static const char *const shared_iscsi_keys[] = { "discovery_auth", NULL };

struct shared_text {
	const char *key;
	size_t offset, size;
	bool required;
};

#define SHARED_TEXT(k, f, req)                                                                     \
	{ .key = k, .offset = offsetof(struct obj_shared_conf, f),                                \
	  .size = sizeof(((struct obj_shared_conf *)0)->f), .required = req }

static const struct shared_text shared_texts[] = {
	SHARED_TEXT("group", group, true),	  SHARED_TEXT("gateway", gateway, true),
	SHARED_TEXT("pool", pool, false),	  SHARED_TEXT("ceph_conf", ceph_conf, false),
	SHARED_TEXT("ceph_client", ceph_client, false),
};

/* A name that goes into a RADOS object name and the group's messages: [A-Za-z0-9._-]. */
static bool shared_name_ok(const char *v)
{
	if (!v[0])
		return false;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return false;
	return true;
}

int config_shared_parse(const config_setting_t *root, struct obj_shared_conf *s,
			struct cfg_err *err)
{
	static const char *const keys[] = { "group",	   "gateway",	 "pool",      "ceph_conf",
					     "ceph_client", "timeout_ms", NULL };
	config_setting_t *g = config_setting_get_member(root, SHARED_KEY);
	int64_t ms = CONFIG_SHARED_TIMEOUT_MS_DEFAULT;
	int ret;

	memset(s, 0, sizeof(*s));
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return cfg_error(err, g, "%s must be a group: %s = { group = \"...\"; gateway = \"...\"; }",
				 SHARED_KEY, SHARED_KEY);
	ret = cfg_check_keys(g, keys, err);
	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(shared_texts) / sizeof(shared_texts[0]); i++) {
		const struct shared_text *t = &shared_texts[i];
		const char *v = NULL;

		ret = cfg_get_string(g, t->key, t->required, &v, err);
		if (ret)
			return ret;
		if (!v)
			continue;
		if (strlen(v) >= t->size)
			return cfg_error(err, config_setting_get_member(g, t->key),
					 "%s.%s is longer than %zu characters", SHARED_KEY, t->key,
					 t->size - 1);
		if (strcmp(t->key, "ceph_conf") && !shared_name_ok(v))
			return cfg_error(err, config_setting_get_member(g, t->key),
					 "%s.%s '%s' may hold only letters, digits, '.', '_' and '-'",
					 SHARED_KEY, t->key, v);
		strcpy((char *)s + t->offset, v);
	}
	ret = cfg_get_int64(g, "timeout_ms", false, &ms, err);
	if (ret)
		return ret;
	if (ms < 100 || ms > 60000)
		return cfg_error(err, config_setting_get_member(g, "timeout_ms"),
				 "%s.timeout_ms must be from 100 to 60000", SHARED_KEY);
	s->timeout_ms = (uint32_t)ms;
	if (!s->pool[0])
		strcpy(s->pool, "rbd");
	return 0;
}

int config_shared_save(config_setting_t *root, const struct obj_shared_conf *s)
{
	config_setting_t *g;
	int ret;

	if (!s->group[0])
		return 0;
	ret = cfg_add(root, SHARED_KEY, CONFIG_TYPE_GROUP, &g);
	for (size_t i = 0; !ret && i < sizeof(shared_texts) / sizeof(shared_texts[0]); i++) {
		const char *v = (const char *)s + shared_texts[i].offset;

		if (v[0])
			ret = cfg_set_string(g, shared_texts[i].key, v);
	}
	if (!ret && s->timeout_ms != CONFIG_SHARED_TIMEOUT_MS_DEFAULT)
		ret = cfg_set_uint(g, "timeout_ms", s->timeout_ms);
	return ret;
}

/* ---- the document ---- */

/* Copies src (and all below it) as a new member of parent (an element when parent is a list). */
static int shared_copy(config_setting_t *parent, const config_setting_t *src)
{
	int type = config_setting_type(src);
	const char *name = config_setting_is_aggregate(parent) && !config_setting_is_group(parent) ?
				   NULL :
				   config_setting_name(src);
	config_setting_t *d = config_setting_add(parent, name, type);
	int ok = 1;

	if (!d)
		return -ENOMEM;
	switch (type) {
	case CONFIG_TYPE_INT:
		ok = config_setting_set_int(d, config_setting_get_int(src));
		break;
	case CONFIG_TYPE_INT64:
		ok = config_setting_set_int64(d, config_setting_get_int64(src));
		break;
	case CONFIG_TYPE_FLOAT:
		ok = config_setting_set_float(d, config_setting_get_float(src));
		break;
	case CONFIG_TYPE_BOOL:
		ok = config_setting_set_bool(d, config_setting_get_bool(src));
		break;
	case CONFIG_TYPE_STRING:
		ok = config_setting_set_string(d, config_setting_get_string(src));
		break;
	default: /* group, list, array */
		for (int i = 0; i < config_setting_length(src); i++) {
			int ret = shared_copy(d, config_setting_get_elem(src, (unsigned int)i));

			if (ret)
				return ret;
		}
		break;
	}
	return ok == CONFIG_TRUE ? 0 : -ENOMEM;
}

/* The target of list whose iqn is iqn (iSCSI names compare without case), or NULL. */
static config_setting_t *shared_target(const config_setting_t *list, const char *iqn)
{
	for (int i = 0; list && i < config_setting_length(list); i++) {
		config_setting_t *t = config_setting_get_elem(list, (unsigned int)i);
		const char *v = NULL;

		if (config_setting_lookup_string(t, "iqn", &v) && !strcasecmp(v, iqn))
			return t;
	}
	return NULL;
}

/* Reads text (len bytes, no NUL needed) into cfg (initialised). 0, -EINVAL with err, -ENOMEM. */
static int shared_read(config_t *cfg, const char *text, size_t len, struct cfg_err *err)
{
	char *s = malloc(len + 1);
	int ok;

	if (!s)
		return -ENOMEM;
	memcpy(s, text, len);
	s[len] = '\0';
	ok = config_read_string(cfg, s);
	free(s);
	if (!ok) {
		snprintf(err->msg, sizeof(err->msg),
			 "the group's shared configuration does not parse: line %d: %s",
			 config_error_line(cfg), config_error_text(cfg));
		return -EINVAL;
	}
	return 0;
}

/*
 * What the document holds of a TPG besides its ACLs: the members of a TPG
 * group in the file that `set` changes there (attribute, parameter, auth),
 * but not the gateway's own: its tag, its portals and its alua group (its
 * own target port group, SPC-4 §5.16). Its LUNs are shared apart (below).
 */
static const char *const shared_tpg_keys[] = { "attributes", "parameters", "allowed_addresses",
					       "auth", NULL };

/*
 * Puts src's members named in keys (src NULL: none) into dst instead of
 * dst's own: what src does not have, dst then has not either. 0 or -ENOMEM.
 */
static int shared_replace(config_setting_t *dst, const config_setting_t *src,
			  const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++) {
		config_setting_t *v = src ? config_setting_get_member(src, keys[i]) : NULL;
		int ret;

		if (config_setting_get_member(dst, keys[i]))
			config_setting_remove(dst, keys[i]);
		ret = v ? shared_copy(dst, v) : 0;
		if (ret)
			return ret;
	}
	return 0;
}

/* parent's group key, emptied (made when absent). 0 or -ENOMEM. */
static int shared_fresh(config_setting_t *parent, const char *key, config_setting_t **out)
{
	if (config_setting_get_member(parent, key))
		config_setting_remove(parent, key);
	return cfg_add(parent, key, CONFIG_TYPE_GROUP, out);
}

/*
 * LUNs: those whose backstore is an rbd image are the group's (every
 * gateway reaches the image, and the image keeps the LU's identity, so
 * every gateway reports the same WWID); a LUN on any other store is one
 * machine's and stays that gateway's own.
 */
#define SHARED_RBD "rbd"

/*
 * An rbd backstore's keys that are each gateway's: how it reaches the
 * cluster, its own name in the owner's group, and the size a missing image
 * is created with (the image exists once the first gateway opened it).
 */
static const char *const shared_bs_own_keys[] = { "ceph_conf", "ceph_client", "gateway_name",
						  "size", NULL };

/* The group of list whose key is v (exact), or NULL. */
static config_setting_t *shared_named(const config_setting_t *list, const char *key, const char *v)
{
	for (int i = 0; list && v && i < config_setting_length(list); i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned int)i);
		const char *n = NULL;

		if (config_setting_lookup_string(e, key, &n) && !strcmp(n, v))
			return e;
	}
	return NULL;
}

/* Whether the backstore of list named name is an rbd one. */
static bool shared_rbd(const config_setting_t *list, const char *name)
{
	config_setting_t *b = shared_named(list, "name", name);
	const char *type = NULL;

	return b && config_setting_lookup_string(b, "type", &type) && !strcmp(type, SHARED_RBD);
}

/* The backstore a LUN entry names, or NULL. */
static const char *shared_lun_bs(const config_setting_t *lun)
{
	const char *n = NULL;

	return config_setting_lookup_string(lun, "backstore", &n) ? n : NULL;
}

/* Whether key is one of an rbd backstore's keys that are each gateway's. */
static bool shared_bs_own(const char *key)
{
	for (size_t k = 0; shared_bs_own_keys[k]; k++)
		if (!strcmp(key, shared_bs_own_keys[k]))
			return true;
	return false;
}

/* Removes from backstore b this gateway's own keys, or (keep_own) all but them and its name. */
static void shared_strip(config_setting_t *b, bool keep_own)
{
	for (int i = config_setting_length(b) - 1; i >= 0; i--) {
		const char *key = config_setting_name(config_setting_get_elem(b, (unsigned int)i));

		if (keep_own ? !shared_bs_own(key) && strcmp(key, "name") : shared_bs_own(key))
			config_setting_remove_elem(b, (unsigned int)i);
	}
}

/*
 * The document's rbd backstore name of cfg's backstores (bss) into
 * shared (the document's list), without this gateway's own keys; one
 * already there is replaced. 0 or -ENOMEM.
 */
static int shared_put_bs(config_setting_t *shared, const config_setting_t *bss, const char *name)
{
	config_setting_t *src = shared_named(bss, "name", name), *old, *d;
	int ret;

	old = shared_named(shared, "name", name);
	if (old)
		config_setting_remove_elem(shared, (unsigned int)config_setting_index(old));
	ret = shared_copy(shared, src);
	if (!ret) {
		d = config_setting_get_elem(shared, (unsigned int)config_setting_length(shared) - 1);
		shared_strip(d, false);
	}
	return ret;
}

/* Whether a LUN of a target of targets (the document's) names backstore name. */
static bool shared_bs_used(const config_setting_t *targets, const char *name)
{
	for (int i = 0; targets && i < config_setting_length(targets); i++) {
		config_setting_t *luns =
			config_setting_get_member(config_setting_get_elem(targets, (unsigned int)i),
						  SHARED_LUNS);

		for (int j = 0; luns && j < config_setting_length(luns); j++) {
			const char *n = shared_lun_bs(config_setting_get_elem(luns, (unsigned int)j));

			if (n && !strcmp(n, name))
				return true;
		}
	}
	return false;
}

/*
 * d's (a target of the document) luns: the rbd LUNs of tpg (NULL: none),
 * and their backstores from bss (cfg's) into dbss (the document's).
 * 0 or -ENOMEM.
 */
static int shared_extract_luns(config_setting_t *d, const config_setting_t *tpg,
			       const config_setting_t *bss, config_setting_t *dbss)
{
	config_setting_t *luns = tpg ? config_setting_get_member(tpg, SHARED_LUNS) : NULL, *l;
	int ret;

	if (config_setting_get_member(d, SHARED_LUNS))
		config_setting_remove(d, SHARED_LUNS);
	ret = cfg_add(d, SHARED_LUNS, CONFIG_TYPE_LIST, &l);
	for (int i = 0; !ret && luns && i < config_setting_length(luns); i++) {
		config_setting_t *e = config_setting_get_elem(luns, (unsigned int)i);
		const char *n = shared_lun_bs(e);

		if (!n || !shared_rbd(bss, n))
			continue;
		ret = shared_copy(l, e);
		if (!ret)
			ret = shared_put_bs(dbss, bss, n);
	}
	return ret;
}

int config_shared_extract(const config_t *cfg, const char *base, size_t baselen, char **out,
			  size_t *outlen, struct cfg_err *err)
{
	config_setting_t *src = config_lookup(cfg, "targets"), *dst, *g, *dbss;
	const config_setting_t *bss = config_lookup(cfg, SHARED_BACKSTORES);
	config_t doc;
	FILE *f;
	int ret = 0;

	config_init(&doc);
	if (base && baselen)
		ret = shared_read(&doc, base, baselen, err);
	if (ret)
		goto out;
	dst = config_lookup(&doc, "targets");
	if (!dst && !(dst = config_setting_add(config_root_setting(&doc), "targets",
					      CONFIG_TYPE_LIST))) {
		ret = -ENOMEM;
		goto out;
	}
	dbss = config_setting_get_member(config_root_setting(&doc), SHARED_BACKSTORES);
	if (!dbss && !(dbss = config_setting_add(config_root_setting(&doc), SHARED_BACKSTORES,
						 CONFIG_TYPE_LIST))) {
		ret = -ENOMEM;
		goto out;
	}
	/* /iscsi's discovery_auth: present in the document even when off (an empty group) */
	ret = shared_fresh(config_root_setting(&doc), SHARED_ISCSI, &g);
	if (!ret)
		ret = shared_replace(g, config_root_setting(cfg), shared_iscsi_keys);
	if (ret)
		goto out;
	for (int i = 0; src && i < config_setting_length(src); i++) {
		config_setting_t *t = config_setting_get_elem(src, (unsigned int)i), *d, *acls, *l;
		config_setting_t *tpgs = config_setting_get_member(t, "tpgs");
		config_setting_t *tpg = tpgs ? config_setting_get_elem(tpgs, 0) : NULL;
		const char *iqn = NULL;

		if (!config_setting_lookup_string(t, "iqn", &iqn))
			continue;
		d = shared_target(dst, iqn);
		if (d) {
			config_setting_remove(d, "acls");
		} else {
			ret = cfg_add(dst, NULL, CONFIG_TYPE_GROUP, &d);
			if (!ret)
				ret = cfg_set_string(d, "iqn", iqn);
			if (ret)
				goto out;
		}
		ret = shared_fresh(d, SHARED_TPG, &g);
		if (!ret)
			ret = shared_replace(g, tpg, shared_tpg_keys);
		if (!ret)
			ret = shared_extract_luns(d, tpg, bss, dbss);
		if (!ret)
			ret = cfg_add(d, "acls", CONFIG_TYPE_LIST, &l);
		acls = tpg ? config_setting_get_member(tpg, "acls") : NULL;
		for (int j = 0; !ret && acls && j < config_setting_length(acls); j++)
			ret = shared_copy(l, config_setting_get_elem(acls, (unsigned int)j));
		if (ret)
			goto out;
	}
	/* an image no shared LUN serves any more is no longer the group's */
	for (int i = config_setting_length(dbss) - 1; i >= 0; i--) {
		const char *n = NULL;

		config_setting_lookup_string(config_setting_get_elem(dbss, (unsigned int)i), "name",
					     &n);
		if (!n || !shared_bs_used(dst, n))
			config_setting_remove_elem(dbss, (unsigned int)i);
	}
	f = open_memstream(out, outlen);
	if (!f) {
		ret = -ENOMEM;
		goto out;
	}
	config_write(&doc, f);
	if (fclose(f))
		ret = -ENOMEM;
out:
	config_destroy(&doc);
	return ret;
}

/*
 * The document's backstores (shared: its rbd ones) into cfg's: one this
 * gateway has by that name must be the same image; one it has not is
 * added with this gateway's own keys (shared_config's cluster
 * configuration, client and gateway name). 0, -EINVAL (err), -ENOMEM.
 */
static int shared_apply_bs(config_t *cfg, const config_setting_t *shared, struct cfg_err *err)
{
	config_setting_t *root = config_root_setting(cfg), *bss;
	config_setting_t *own = config_setting_get_member(root, SHARED_KEY);
	int ret = 0;

	bss = config_setting_get_member(root, SHARED_BACKSTORES);
	if (!bss && config_setting_length(shared) &&
	    !(bss = config_setting_add(root, SHARED_BACKSTORES, CONFIG_TYPE_LIST)))
		return -ENOMEM;
	for (int i = 0; !ret && i < config_setting_length(shared); i++) {
		config_setting_t *b = config_setting_get_elem(shared, (unsigned int)i), *mine, *d;
		const char *name = NULL, *path = NULL, *type = NULL, *mpath = NULL, *v = NULL;

		config_setting_lookup_string(b, "name", &name);
		config_setting_lookup_string(b, "path", &path);
		config_setting_lookup_string(b, "type", &type);
		if (!name || !path || !type || strcmp(type, SHARED_RBD)) {
			snprintf(err->msg, sizeof(err->msg),
				 "the group's shared configuration has a backstore without name, path or type rbd");
			return -EINVAL;
		}
		mine = shared_named(bss, "name", name);
		if (mine) {
			config_setting_lookup_string(mine, "type", &type);
			config_setting_lookup_string(mine, "path", &mpath);
			if (!type || strcmp(type, SHARED_RBD) || !mpath || strcmp(mpath, path)) {
				bool at = mpath && mpath[0];

				snprintf(err->msg, sizeof(err->msg),
					 "backstore '%s' is %s%s%s%s on this gateway, the group's is rbd '%s': rename one",
					 name, type ? type : "?", at ? " '" : "", at ? mpath : "",
					 at ? "'" : "", path);
				return -EINVAL;
			}
			/* the same image: the group's settings of it, this gateway's own keys kept */
			shared_strip(mine, true);
			for (int j = 0; !ret && j < config_setting_length(b); j++) {
				config_setting_t *e = config_setting_get_elem(b, (unsigned int)j);

				if (!config_setting_get_member(mine, config_setting_name(e)))
					ret = shared_copy(mine, e);
			}
			/* in the owner's group now: under this gateway's name, unless it has one */
			if (!ret && own && config_setting_get_member(b, "gateway_group") &&
			    !config_setting_get_member(mine, "gateway_name") &&
			    config_setting_lookup_string(own, "gateway", &v))
				ret = cfg_set_string(mine, "gateway_name", v);
			continue;
		}
		ret = cfg_add(bss, NULL, CONFIG_TYPE_GROUP, &d);
		for (int j = 0; !ret && j < config_setting_length(b); j++)
			ret = shared_copy(d, config_setting_get_elem(b, (unsigned int)j));
		if (!ret && own && config_setting_lookup_string(own, "ceph_conf", &v))
			ret = cfg_set_string(d, "ceph_conf", v);
		if (!ret && own && config_setting_lookup_string(own, "ceph_client", &v))
			ret = cfg_set_string(d, "ceph_client", v);
		if (!ret && own && config_setting_get_member(b, "gateway_group") &&
		    config_setting_lookup_string(own, "gateway", &v))
			ret = cfg_set_string(d, "gateway_name", v);
	}
	return ret;
}

/* tpg's LUNs: its own on other stores, then the document's (luns). 0 or -ENOMEM. */
static int shared_apply_luns(config_setting_t *tpg, const config_setting_t *luns,
			     const config_setting_t *bss)
{
	config_setting_t *l = config_setting_get_member(tpg, SHARED_LUNS);

	for (int i = l ? config_setting_length(l) - 1 : -1; i >= 0; i--) {
		const char *n = shared_lun_bs(config_setting_get_elem(l, (unsigned int)i));

		if (n && shared_rbd(bss, n))
			config_setting_remove_elem(l, (unsigned int)i);
	}
	if (!config_setting_length(luns)) {
		/* as the file says it: no list rather than an empty one */
		if (l && !config_setting_length(l))
			config_setting_remove(tpg, SHARED_LUNS);
		return 0;
	}
	if (!l && cfg_add(tpg, SHARED_LUNS, CONFIG_TYPE_LIST, &l))
		return -ENOMEM;
	for (int i = 0; i < config_setting_length(luns); i++) {
		int ret = shared_copy(l, config_setting_get_elem(luns, (unsigned int)i));

		if (ret)
			return ret;
	}
	return 0;
}

int config_shared_apply(config_t *cfg, const char *text, size_t len, struct cfg_err *err)
{
	config_setting_t *list = config_lookup(cfg, "targets"), *shared, *iscsi, *bss;
	config_t doc;
	int ret;

	config_init(&doc);
	ret = shared_read(&doc, text, len, err);
	if (ret)
		goto out;
	shared = config_lookup(&doc, "targets");
	/* a document of before the group shared discovery_auth has no iscsi group: left alone */
	iscsi = config_lookup(&doc, SHARED_ISCSI);
	if (iscsi)
		ret = shared_replace(config_root_setting(cfg), iscsi, shared_iscsi_keys);
	if (ret)
		goto out;
	/* a document of before the group shared LUNs has no backstores: left alone */
	bss = config_lookup(&doc, SHARED_BACKSTORES);
	if (bss)
		ret = shared_apply_bs(cfg, bss, err);
	if (ret)
		goto out;
	for (int i = 0; list && i < config_setting_length(list); i++) {
		config_setting_t *t = config_setting_get_elem(list, (unsigned int)i), *d, *acls;
		config_setting_t *settings, *luns, *tpgs = config_setting_get_member(t, "tpgs");
		const char *iqn = NULL;

		if (!config_setting_lookup_string(t, "iqn", &iqn) || !(d = shared_target(shared, iqn)))
			continue; /* not shared yet: the next change shares what it has */
		acls = config_setting_get_member(d, "acls");
		/* no tpg group: a document of before the group shared a TPG's settings */
		settings = config_setting_get_member(d, SHARED_TPG);
		luns = bss ? config_setting_get_member(d, SHARED_LUNS) : NULL;
		for (int j = 0; tpgs && j < config_setting_length(tpgs); j++) {
			config_setting_t *tpg = config_setting_get_elem(tpgs, (unsigned int)j), *l;

			if (settings)
				ret = shared_replace(tpg, settings, shared_tpg_keys);
			if (!ret && luns)
				ret = shared_apply_luns(tpg, luns, config_lookup(cfg, SHARED_BACKSTORES));
			if (ret)
				goto out;
			config_setting_remove(tpg, "acls");
			if (!acls || !config_setting_length(acls))
				continue;
			ret = cfg_add(tpg, "acls", CONFIG_TYPE_LIST, &l);
			for (int k = 0; !ret && k < config_setting_length(acls); k++)
				ret = shared_copy(l, config_setting_get_elem(acls, (unsigned int)k));
			if (ret)
				goto out;
		}
	}
out:
	config_destroy(&doc);
	return ret;
}

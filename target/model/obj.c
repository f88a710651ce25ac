/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The object model: lookups the login path needs (target, TPG by portal,
 * ACL), the per-session LUN map, and portal parsing. Building a model from a
 * file is config.c's job; this file knows nothing of libconfig.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "target/iscsi/chap.h"
#include "target/model/obj.h"
#include "target/model/obj_settings.h"
#include "target/scsi/alua.h"

void obj_tpg_attrs_default(struct obj_tpg_attrs *a)
{
	memset(a, 0, sizeof(*a));
	obj_settings_default(&obj_tpg_attr_settings, a);
}

void obj_tpg_params_default(struct obj_tpg_params *p)
{
	memset(p, 0, sizeof(*p));
	obj_settings_default(&obj_tpg_param_settings, p);
}

void obj_model_free(struct obj_model *m)
{
	size_t i, j, k;

	if (!m)
		return;
	for (i = 0; i < m->nbackstores; i++) {
		struct obj_backstore *b = &m->backstores[i];

		/*
		 * The LU owns its store (config_open) and may outlive the
		 * model: sessions' LUN maps hold references of their own.
		 */
		if (b->lu)
			scsi_lu_put(b->lu);
		else if (b->dev)
			bs_close(b->dev);
	}
	free(m->backstores);
	for (i = 0; i < m->ntargets; i++) {
		struct obj_target *t = &m->targets[i];

		for (j = 0; j < t->ntpgs; j++) {
			struct obj_tpg *tpg = &t->tpgs[j];

			for (k = 0; k < tpg->nacls; k++) {
				free(tpg->acls[k].mapped);
				net_allow_fini(&tpg->acls[k].allowed);
				/* no CHAP secret lingers in freed memory */
				explicit_bzero(&tpg->acls[k].chap, sizeof(tpg->acls[k].chap));
			}
			free(tpg->acls);
			free(tpg->luns);
			free(tpg->portals);
			net_allow_fini(&tpg->allowed);
		}
		free(t->tpgs);
		alua_tgt_put(t->alua);
	}
	free(m->targets);
	explicit_bzero(&m->discovery_auth, sizeof(m->discovery_auth));
	free(m);
}

struct obj_target *obj_find_target(const struct obj_model *m, const char *iqn)
{
	size_t i;

	if (!m || !iqn)
		return NULL;
	for (i = 0; i < m->ntargets; i++) {
		/* RFC 3722: iSCSI names compare after case folding */
		if (iscsi_name_equal(m->targets[i].iqn, iqn))
			return &m->targets[i];
	}
	return NULL;
}

struct obj_backstore *obj_find_backstore(const struct obj_model *m, const char *name)
{
	size_t i;

	if (!m || !name)
		return NULL;
	for (i = 0; i < m->nbackstores; i++) {
		if (strcmp(m->backstores[i].name, name) == 0)
			return &m->backstores[i];
	}
	return NULL;
}

/*
 * How well portal p serves a connection to local address l: 3 the same
 * address, 2 a wildcard of the same family, 1 [::] for an IPv4 address (a
 * dual-stack listener accepts those), 0 no match. The best wins, so that a
 * TPG on 127.0.0.1:3260 gets its connections even when another TPG of the
 * target listens on 0.0.0.0:3260.
 */
static int obj_portal_score(const struct net_portal *p, const struct net_addr *l)
{
	struct net_addr pa;

	if (net_addr_get((const struct sockaddr *)&p->addr, p->addrlen, &pa))
		return 0;
	if (pa.port != l->port)
		return 0;
	if (net_addr_same(&pa, l))
		return 3;
	if (!net_addr_is_any(&pa))
		return 0;
	if (pa.family == l->family)
		return 2;
	if (pa.family == AF_INET6 && l->family == AF_INET)
		return 1;
	return 0;
}

struct obj_tpg *obj_tpg_for_addr(const struct obj_target *t, const struct sockaddr *local,
				 socklen_t len)
{
	struct obj_tpg *best = NULL;
	int best_score = 0;
	struct net_addr l;
	size_t i, j;

	if (!t || net_addr_get(local, len, &l))
		return NULL;
	for (i = 0; i < t->ntpgs; i++) {
		struct obj_tpg *tpg = &t->tpgs[i];

		for (j = 0; j < tpg->nportals; j++) {
			int score = obj_portal_score(&tpg->portals[j], &l);

			if (score > best_score) {
				best_score = score;
				best = tpg;
			}
		}
	}
	return best;
}

const struct obj_acl *obj_find_acl(const struct obj_tpg *tpg, const char *initiator)
{
	size_t i;

	if (!tpg || !initiator)
		return NULL;
	for (i = 0; i < tpg->nacls; i++) {
		if (iscsi_name_equal(tpg->acls[i].initiator, initiator))
			return &tpg->acls[i];
	}
	return NULL;
}

bool obj_initiator_allowed(const struct obj_tpg *tpg, const char *initiator)
{
	if (!tpg)
		return false;
	return obj_find_acl(tpg, initiator) || tpg->attrs.generate_node_acls;
}

bool obj_peer_allowed(const struct obj_tpg *tpg, const struct obj_acl *acl,
		      const struct sockaddr *peer, socklen_t len)
{
	if (!tpg)
		return false;
	/* both lists apply: the TPG's says which networks reach this portal group at all */
	return net_allow_match(&tpg->allowed, peer, len) &&
	       (!acl || net_allow_match(&acl->allowed, peer, len));
}

bool obj_tpg_discoverable(const struct obj_tpg *tpg, const char *initiator,
			  const struct sockaddr *peer, socklen_t len)
{
	/* as with ACLs: a portal group the login would refuse is not advertised either */
	return obj_initiator_allowed(tpg, initiator) &&
	       obj_peer_allowed(tpg, obj_find_acl(tpg, initiator), peer, len);
}

static const struct obj_tpg_lun *obj_tpg_find_lun(const struct obj_tpg *tpg, uint64_t lun)
{
	size_t lo = 0, hi = tpg->nluns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tpg->luns[mid].lun == lun)
			return &tpg->luns[mid];
		if (tpg->luns[mid].lun < lun)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int obj_lun_entry_cmp(const void *a, const void *b)
{
	const struct scsi_lun_entry *x = a, *y = b;

	return (x->lun > y->lun) - (x->lun < y->lun);
}

static void obj_lun_entry_set(struct scsi_lun_entry *e, uint64_t lun, const struct obj_tpg_lun *tl,
			      bool read_only)
{
	e->lun = lun;
	e->lu = tl->bs ? tl->bs->lu : NULL;
	if (e->lu)
		scsi_lu_get(e->lu); /* the map may outlive the model (obj.h) */
	/* a read-only store is read-only for everyone, whatever the mapping says */
	e->read_only = read_only || (tl->bs && tl->bs->params.readonly);
}

int obj_lun_map_build(const struct obj_tpg *tpg, const char *initiator, struct scsi_lun_map **out)
{
	const struct obj_acl *acl;
	struct scsi_lun_map *map;
	size_t i, n;

	*out = NULL;
	if (!tpg || !initiator)
		return -EINVAL;
	acl = obj_find_acl(tpg, initiator);
	/* an explicit ACL wins over demo mode, as in LIO */
	if (!acl && !tpg->attrs.generate_node_acls)
		return -EACCES;
	n = (acl && !acl->all_luns) ? acl->nmapped : tpg->nluns;
	map = calloc(1, sizeof(*map) + n * sizeof(map->e[0]));
	if (!map)
		return -ENOMEM;

	if (acl && !acl->all_luns) {
		for (i = 0; i < acl->nmapped; i++) {
			const struct obj_mapped_lun *ml = &acl->mapped[i];
			const struct obj_tpg_lun *tl = obj_tpg_find_lun(tpg, ml->tpg_lun);

			/* config.c refuses such a mapping; a hand-built model may not */
			if (!tl)
				continue;
			obj_lun_entry_set(&map->e[map->n++], ml->lun, tl, ml->read_only);
		}
		qsort(map->e, map->n, sizeof(map->e[0]), obj_lun_entry_cmp);
	} else {
		bool ro = !acl && tpg->attrs.demo_mode_write_protect;

		/* tpg->luns is sorted, so the map is too */
		for (i = 0; i < tpg->nluns; i++)
			obj_lun_entry_set(&map->e[map->n++], tpg->luns[i].lun, &tpg->luns[i], ro);
	}
	*out = map;
	return 0;
}



/* Model equality: what a configuration file says, field by field. */

static bool obj_diff(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Says why two models differ (if the caller asked) and returns false. */
static bool obj_diff(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return false;
}

#define OBJ_SAME_STR(x, y, what, field)                                                            \
	do {                                                                                       \
		if (strcmp((x)->field, (y)->field))                                                \
			return obj_diff(why, whylen, "%s: " #field " '%s' != '%s'", what,          \
					(x)->field, (y)->field);                                   \
	} while (0)

#define OBJ_SAME_NUM(x, y, what, field)                                                            \
	do {                                                                                       \
		if ((x)->field != (y)->field)                                                      \
			return obj_diff(why, whylen, "%s: " #field " %llu != %llu", what,          \
					(unsigned long long)(x)->field,                            \
					(unsigned long long)(y)->field);                           \
	} while (0)

/* Lists compare in order; the first entry that differs is named. */
static bool net_allow_same(const struct net_allow *x, const struct net_allow *y, const char *what,
			   char *why, size_t whylen)
{
	char a[NET_TEXT_MAX], b[NET_TEXT_MAX];
	size_t i;

	if (x->n != y->n)
		return obj_diff(why, whylen, "%s: allowed_addresses: %zu entries != %zu", what,
				x->n, y->n);
	for (i = 0; i < x->n; i++) {
		if (net_equal(&x->nets[i], &y->nets[i]))
			continue;
		if (net_format(&x->nets[i], a, sizeof(a)) < 0)
			snprintf(a, sizeof(a), "?");
		if (net_format(&y->nets[i], b, sizeof(b)) < 0)
			snprintf(b, sizeof(b), "?");
		return obj_diff(why, whylen, "%s: allowed_addresses[%zu] '%s' != '%s'", what, i, a,
				b);
	}
	return true;
}

/*
 * The settings of table t in objects x and y, row by row; the first that
 * differs is named by its field. Secrets are compared but never quoted.
 */
static bool obj_settings_same(const struct obj_settings *t, const void *x, const void *y,
			      const char *what, char *why, size_t whylen)
{
	char ax[CHAP_ALGS_TEXT_MAX], ay[CHAP_ALGS_TEXT_MAX];

	obj_settings_foreach(r, t) {
		switch (r->type) {
		case OBJ_SETTING_BOOL:
		case OBJ_SETTING_YESNO:
		case OBJ_SETTING_DIGEST:
			if (obj_setting_bool(r, x) != obj_setting_bool(r, y))
				return obj_diff(why, whylen, "%s: %s %d != %d", what, r->field,
						obj_setting_bool(r, x), obj_setting_bool(r, y));
			if (r->type == OBJ_SETTING_DIGEST &&
			    obj_setting_required(r, x) != obj_setting_required(r, y))
				return obj_diff(why, whylen, "%s: %s %d != %d", what,
						r->field_required, obj_setting_required(r, x),
						obj_setting_required(r, y));
			break;
		case OBJ_SETTING_UINT:
			if (obj_setting_uint(r, x) != obj_setting_uint(r, y))
				return obj_diff(why, whylen, "%s: %s %u != %u", what, r->field,
						obj_setting_uint(r, x), obj_setting_uint(r, y));
			break;
		case OBJ_SETTING_CHAP_ALGS:
			if (obj_setting_uint(r, x) != obj_setting_uint(r, y))
				return obj_diff(why, whylen, "%s: %s '%s' != '%s'", what, r->field,
						obj_setting_algs_text(r, x, ax, sizeof(ax)),
						obj_setting_algs_text(r, y, ay, sizeof(ay)));
			break;
		case OBJ_SETTING_CHOICE:
			if (obj_setting_uint(r, x) != obj_setting_uint(r, y))
				return obj_diff(why, whylen, "%s: %s %u != %u", what, r->field,
						obj_setting_uint(r, x), obj_setting_uint(r, y));
			break;
		case OBJ_SETTING_NAME:
			if (strcmp(obj_setting_str(r, x), obj_setting_str(r, y)))
				return obj_diff(why, whylen, "%s: %s '%s' != '%s'", what, r->field,
						obj_setting_str(r, x), obj_setting_str(r, y));
			break;
		case OBJ_SETTING_SECRET:
			if (strcmp(obj_setting_str(r, x), obj_setting_str(r, y)))
				return obj_diff(why, whylen, "%s: %s differs", what, r->field);
			break;
		}
	}
	return true;
}

/* A backstore's settings, row by row (obj_settings.c), then what the daemon fills in itself. */
static bool obj_backstore_equal(const struct obj_backstore *x, const struct obj_backstore *y,
				char *why, size_t whylen)
{
	char what[OBJ_NAME_MAX + 16];

	snprintf(what, sizeof(what), "backstore '%s'", x->name);
	obj_bs_settings_foreach(r) {
		switch (r->value) {
		case OBJ_BS_NAME:
			OBJ_SAME_STR(x, y, what, name);
			break;
		case OBJ_BS_TYPE:
			OBJ_SAME_STR(x, y, what, type);
			break;
		case OBJ_BS_PATH:
			OBJ_SAME_STR(x, y, what, path);
			if (!x->params.path != !y->params.path)
				return obj_diff(why, whylen, "%s: params.path set in one only",
						what);
			break;
		case OBJ_BS_SIZE:
		case OBJ_BS_BOOL:
		case OBJ_BS_BLOCK_SIZE:
		case OBJ_BS_PHYS_BLOCK_SIZE:
			if (obj_bs_setting_get(r, &x->params) != obj_bs_setting_get(r, &y->params))
				return obj_diff(
					why, whylen, "%s: %s %llu != %llu", what, r->field,
					(unsigned long long)obj_bs_setting_get(r, &x->params),
					(unsigned long long)obj_bs_setting_get(r, &y->params));
			break;
		case OBJ_BS_SERIAL:
			OBJ_SAME_STR(x, y, what, id.serial);
			break;
		case OBJ_BS_NAA:
			if (memcmp(x->id.naa, y->id.naa, sizeof(x->id.naa)))
				return obj_diff(why, whylen, "%s: id.naa differs", what);
			break;
		case OBJ_BS_TEXT:
			if (strcmp(obj_bs_setting_text(r, &x->params),
				   obj_bs_setting_text(r, &y->params)))
				return obj_diff(why, whylen, "%s: %s '%s' != '%s'", what, r->field,
						obj_bs_setting_text(r, &x->params),
						obj_bs_setting_text(r, &y->params));
			break;
		}
	}
	OBJ_SAME_NUM(x, y, what, params.buffered);
	OBJ_SAME_STR(x, y, what, id.vendor);
	OBJ_SAME_STR(x, y, what, id.product);
	OBJ_SAME_STR(x, y, what, id.revision);
	return true;
}

static bool obj_acl_equal(const struct obj_acl *x, const struct obj_acl *y, const char *tpg_what,
			  char *why, size_t whylen)
{
	char what[2 * ISCSI_NAME_MAX + 64], elem[2 * ISCSI_NAME_MAX + 64 + 48];
	size_t i;

	snprintf(what, sizeof(what), "%s initiator '%s'", tpg_what, x->initiator);
	OBJ_SAME_STR(x, y, what, initiator);
	if (!obj_settings_same(&obj_chap_settings, &x->chap, &y->chap, what, why, whylen))
		return false;
	if (!net_allow_same(&x->allowed, &y->allowed, what, why, whylen))
		return false;
	OBJ_SAME_NUM(x, y, what, all_luns);
	/* with all_luns the mapped list is not used (obj_lun_map_build) */
	if (x->all_luns)
		return true;
	OBJ_SAME_NUM(x, y, what, nmapped);
	for (i = 0; i < x->nmapped; i++) {
		const struct obj_mapped_lun *a = &x->mapped[i], *b = &y->mapped[i];

		snprintf(elem, sizeof(elem), "%s mapped_luns[%zu]", what, i);
		OBJ_SAME_NUM(a, b, elem, lun);
		OBJ_SAME_NUM(a, b, elem, tpg_lun);
		OBJ_SAME_NUM(a, b, elem, read_only);
	}
	return true;
}

static bool obj_tpg_equal(const struct obj_tpg *x, const struct obj_tpg *y, char *why,
			  size_t whylen)
{
	char what[ISCSI_NAME_MAX + 32], elem[ISCSI_NAME_MAX + 32 + 48];
	size_t i;

	snprintf(what, sizeof(what), "target '%s' TPG %u", x->target ? x->target->iqn : "",
		 x->tag);
	OBJ_SAME_NUM(x, y, what, tag);
	OBJ_SAME_NUM(x, y, what, nportals);
	for (i = 0; i < x->nportals; i++) {
		snprintf(elem, sizeof(elem), "%s portals[%zu]", what, i);
		OBJ_SAME_STR(&x->portals[i], &y->portals[i], elem, text);
		if (!net_portal_equal(&x->portals[i], &y->portals[i]))
			return obj_diff(why, whylen, "%s: addresses differ", elem);
	}
	OBJ_SAME_NUM(x, y, what, nluns);
	for (i = 0; i < x->nluns; i++) {
		const char *a = x->luns[i].bs ? x->luns[i].bs->name : "";
		const char *b = y->luns[i].bs ? y->luns[i].bs->name : "";

		snprintf(elem, sizeof(elem), "%s luns[%zu]", what, i);
		OBJ_SAME_NUM(&x->luns[i], &y->luns[i], elem, lun);
		/* two models have their own backstores: the names say which */
		if (strcmp(a, b))
			return obj_diff(why, whylen, "%s: backstore '%s' != '%s'", elem, a, b);
	}
	if (!net_allow_same(&x->allowed, &y->allowed, what, why, whylen))
		return false;
	OBJ_SAME_NUM(x, y, what, nacls);
	for (i = 0; i < x->nacls; i++) {
		if (!obj_acl_equal(&x->acls[i], &y->acls[i], what, why, whylen))
			return false;
	}
	if (!obj_settings_same(&obj_tpg_attr_settings, &x->attrs, &y->attrs, what, why, whylen))
		return false;
	if (!obj_settings_same(&obj_tpg_auth_settings, &x->auth, &y->auth, what, why, whylen))
		return false;
	if (!obj_settings_same(&obj_tpg_alua_settings, &x->alua, &y->alua, what, why, whylen))
		return false;
	return obj_settings_same(&obj_tpg_param_settings, &x->params, &y->params, what, why,
				 whylen);
}

bool obj_model_equal(const struct obj_model *x, const struct obj_model *y, char *why,
		     size_t whylen)
{
	size_t i, j;

	if (why && whylen)
		why[0] = '\0';
	if (!x || !y)
		return x == y ? true : obj_diff(why, whylen, "one model is NULL");
	/* the daemon's own settings; its parts below */
	obj_globals_foreach(r) {
		if (r->value == OBJ_GLOBAL_GROUP &&
		    !obj_settings_same(r->settings, (const char *)x + r->offset,
				       (const char *)y + r->offset, r->key, why, whylen))
			return false;
		if (r->value == OBJ_GLOBAL_TEXT &&
		    strcmp(obj_global_text(r, x), obj_global_text(r, y)))
			return obj_diff(why, whylen, "model: %s '%s' != '%s'", r->field,
					obj_global_text(r, x), obj_global_text(r, y));
		if (r->value != OBJ_GLOBAL_TEXT && obj_global_num(r, x) != obj_global_num(r, y))
			return obj_diff(why, whylen, "model: %s %llu != %llu", r->field,
					(unsigned long long)obj_global_num(r, x),
					(unsigned long long)obj_global_num(r, y));
	}
	if (memcmp(&x->shared, &y->shared, sizeof(x->shared)))
		return obj_diff(why, whylen, "model: shared_config differs");
	if (!obj_settings_same(&obj_chap_settings, &x->discovery_auth, &y->discovery_auth,
			       "discovery_auth", why, whylen))
		return false;
	OBJ_SAME_NUM(x, y, "model", nbackstores);
	for (i = 0; i < x->nbackstores; i++) {
		if (!obj_backstore_equal(&x->backstores[i], &y->backstores[i], why, whylen))
			return false;
	}
	OBJ_SAME_NUM(x, y, "model", ntargets);
	for (i = 0; i < x->ntargets; i++) {
		const struct obj_target *a = &x->targets[i], *b = &y->targets[i];
		char what[ISCSI_NAME_MAX + 16];

		snprintf(what, sizeof(what), "target '%s'", a->iqn);
		OBJ_SAME_STR(a, b, what, iqn);
		OBJ_SAME_STR(a, b, what, alias);
		OBJ_SAME_NUM(a, b, what, ntpgs);
		for (j = 0; j < a->ntpgs; j++) {
			if (!obj_tpg_equal(&a->tpgs[j], &b->tpgs[j], why, whylen))
				return false;
		}
	}
	return true;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The object model as the control protocol's tree (docs/control-protocol.md,
 * "The tree" and "Nodes in results"): paths resolved to the objects they
 * name, and nodes rendered as JSON for `get`. Pure: no I/O, no logging.
 *
 * The names, summaries and props follow targetcli, so that an administrator
 * who knows its `ls` reads ours; the shell's walkthrough
 * (tests/unit/target/shell/walkthrough.json) is the contract.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/iscsi_name.h"
#include "common/scsi_alua.h"
#include "common/size_text.h"
#include "target/backstore/bs_kind.h"
#include "target/ctl/ctl_tree.h"
#include "target/iscsi/chap.h"
#include "target/model/obj_settings.h"

/* The longest component a node can have: an iSCSI name (RFC 7143 §4.2.7.1). */
#define CT_COMPONENT_MAX ISCSI_NAME_MAX
/* The protocol's bound on a request's path. */
#define CT_PATH_MAX 4096
/*
 * Room for any node's path: the longest is a mapped LUN's,
 * "/iscsi/" IQN "/tpg65535/acls/" IQN "/mapped_lun" + 20 digits, under 500
 * bytes; a backstore's or a portal's is shorter (names < 64, text < 80).
 */
#define CT_NODE_PATH_MAX 640

static int ct_kind_cmp(const void *x, const void *y)
{
	return strcmp((*(const struct bs_kind *const *)x)->name,
		      (*(const struct bs_kind *const *)y)->name);
}

/* The kinds of backstore in targetcli's order, by name: the children of /backstores. */
static void ct_kinds(const struct bs_kind *out[BS_KIND__COUNT])
{
	for (size_t i = 0; i < BS_KIND__COUNT; i++)
		out[i] = &bs_kinds[i];
	qsort(out, BS_KIND__COUNT, sizeof(out[0]), ct_kind_cmp);
}

const char *ctl_node_type_name(enum ctl_node_type type)
{
	switch (type) {
	case CTL_NODE_ROOT:
		return "root";
	case CTL_NODE_BACKSTORES:
	case CTL_NODE_BS_TYPE:
	case CTL_NODE_ISCSI:
	case CTL_NODE_PORTALS:
	case CTL_NODE_LUNS:
	case CTL_NODE_ACLS:
		return "group";
	case CTL_NODE_BACKSTORE:
		return "backstore";
	case CTL_NODE_TARGET:
		return "target";
	case CTL_NODE_TPG:
		return "tpg";
	case CTL_NODE_PORTAL:
		return "portal";
	case CTL_NODE_LUN:
		return "lun";
	case CTL_NODE_ACL:
		return "acl";
	case CTL_NODE_MAPPED_LUN:
		return "mapped_lun";
	}
	return "unknown";
}

/* ---- sizes -------------------------------------------------------------- */

void ctl_tree_size_text(uint64_t bytes, char *buf, size_t len)
{
	size_text(bytes, buf, len); /* the shell's get writes sizes with it too */
}

/* ---- names and their order ---------------------------------------------- */

/* Where the trailing run of digits of s starts (strlen(s) when none). */
static size_t ct_digits_at(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9')
		n--;
	return n;
}

/*
 * targetcli's (configshell's) order: by the name without its trailing
 * number, then by that number, so that lun2 comes before lun10 and kvm2
 * before kvm10. The text compares case-insensitively, as iSCSI names do;
 * ties fall back on the bytes so that the order is total.
 */
static int ct_name_cmp(const char *a, const char *b)
{
	size_t da = ct_digits_at(a), db = ct_digits_at(b);
	size_t i, la, lb;
	int c;

	for (i = 0; i < da && i < db; i++) {
		c = tolower((unsigned char)a[i]) - tolower((unsigned char)b[i]);
		if (c)
			return c;
	}
	if (da != db)
		return da < db ? -1 : 1;
	/* numbers of any length: skip leading zeros, then the longer is larger */
	while (a[da] == '0' && a[da + 1])
		da++;
	while (b[db] == '0' && b[db + 1])
		db++;
	la = strlen(a + da);
	lb = strlen(b + db);
	if (la != lb)
		return la < lb ? -1 : 1;
	c = strcmp(a + da, b + db);
	return c ? c : strcmp(a, b);
}

static int ct_num_cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int ct_cmp_backstore(const void *x, const void *y, void *arg)
{
	const struct obj_backstore *bs = arg;

	return ct_name_cmp(bs[*(const size_t *)x].name, bs[*(const size_t *)y].name);
}

static int ct_cmp_target(const void *x, const void *y, void *arg)
{
	const struct obj_target *t = arg;

	return ct_name_cmp(t[*(const size_t *)x].iqn, t[*(const size_t *)y].iqn);
}

static int ct_cmp_tpg(const void *x, const void *y, void *arg)
{
	const struct obj_tpg *t = arg;

	return ct_num_cmp(t[*(const size_t *)x].tag, t[*(const size_t *)y].tag);
}

static int ct_cmp_portal(const void *x, const void *y, void *arg)
{
	const struct net_portal *p = arg;

	return ct_name_cmp(p[*(const size_t *)x].text, p[*(const size_t *)y].text);
}

static int ct_cmp_lun(const void *x, const void *y, void *arg)
{
	const struct obj_tpg_lun *l = arg;

	return ct_num_cmp(l[*(const size_t *)x].lun, l[*(const size_t *)y].lun);
}

static int ct_cmp_acl(const void *x, const void *y, void *arg)
{
	const struct obj_acl *a = arg;

	return ct_name_cmp(a[*(const size_t *)x].initiator, a[*(const size_t *)y].initiator);
}

static int ct_cmp_mapped(const void *x, const void *y, void *arg)
{
	const struct obj_mapped_lun *m = arg;

	return ct_num_cmp(m[*(const size_t *)x].lun, m[*(const size_t *)y].lun);
}

/*
 * Parses "<prefix><N>": N decimal, canonical (no sign, no leading zero),
 * fitting 64 bits. Any N: whether such a node exists is the model's to say.
 */
static bool ct_name_number(const char *name, const char *prefix, uint64_t *out)
{
	size_t plen = strlen(prefix);
	const char *p = name + plen;
	uint64_t v = 0;

	if (strncmp(name, prefix, plen) != 0 || !*p || (p[0] == '0' && p[1]))
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
}

/* ---- paths -------------------------------------------------------------- */

/* The TPG LUN a mapped LUN node stands for, or NULL (index of tpg->luns with all_luns). */
static const struct obj_tpg_lun *ct_tpg_lun(const struct obj_tpg *tpg, uint64_t lun)
{
	for (size_t i = 0; i < tpg->nluns; i++)
		if (tpg->luns[i].lun == lun)
			return &tpg->luns[i];
	return NULL;
}

/*
 * The numbers of a mapped LUN node: an ACL with all_luns shows every TPG
 * LUN under its own number, read-write (obj.h), and its node's index is
 * in tpg->luns; otherwise the index is in acl->mapped.
 */
static void ct_mapped(const struct ctl_node *n, uint64_t *lun, uint64_t *tpg_lun, bool *ro)
{
	if (n->acl->all_luns) {
		*lun = *tpg_lun = n->tpg->luns[n->index].lun;
		*ro = false;
	} else {
		*lun = n->acl->mapped[n->index].lun;
		*tpg_lun = n->acl->mapped[n->index].tpg_lun;
		*ro = n->acl->mapped[n->index].read_only;
	}
}

/* Whether n's pointers and index are what its type needs. */
static bool ct_node_valid(const struct ctl_node *n)
{
	switch (n->type) {
	case CTL_NODE_ROOT:
	case CTL_NODE_BACKSTORES:
	case CTL_NODE_ISCSI:
		return true;
	case CTL_NODE_BS_TYPE:
		return n->bs_type[0] != '\0';
	case CTL_NODE_BACKSTORE:
		return n->bs != NULL;
	case CTL_NODE_TARGET:
		return n->target != NULL;
	case CTL_NODE_TPG:
	case CTL_NODE_PORTALS:
	case CTL_NODE_LUNS:
	case CTL_NODE_ACLS:
		return n->target && n->tpg;
	case CTL_NODE_PORTAL:
		return n->target && n->tpg && n->index < n->tpg->nportals;
	case CTL_NODE_LUN:
		return n->target && n->tpg && n->index < n->tpg->nluns;
	case CTL_NODE_ACL:
		return n->target && n->tpg && n->acl;
	case CTL_NODE_MAPPED_LUN:
		return n->target && n->tpg && n->acl &&
		       n->index < (n->acl->all_luns ? n->tpg->nluns : n->acl->nmapped);
	}
	return false;
}

/* snprintf that appends at *off and says whether everything fitted. */
static __attribute__((format(printf, 4, 5))) bool ct_append(char *buf, size_t len, size_t *off,
							    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off)
		return false;
	*off += (size_t)n;
	return true;
}

int ctl_tree_path(const struct ctl_node *n, char *buf, size_t len)
{
	size_t off = 0;
	bool ok = true;
	uint64_t lun, tpg_lun;
	bool ro;

	if (!n || !buf || !ct_node_valid(n))
		return -EINVAL;
	switch (n->type) {
	case CTL_NODE_ROOT:
		ok = ct_append(buf, len, &off, "/");
		break;
	case CTL_NODE_BACKSTORES:
		ok = ct_append(buf, len, &off, "/backstores");
		break;
	case CTL_NODE_BS_TYPE:
		ok = ct_append(buf, len, &off, "/backstores/%s", n->bs_type);
		break;
	case CTL_NODE_BACKSTORE:
		/* a backstore lives under its own type, whatever n->bs_type says */
		ok = ct_append(buf, len, &off, "/backstores/%s/%s", n->bs->type, n->bs->name);
		break;
	case CTL_NODE_ISCSI:
		ok = ct_append(buf, len, &off, "/iscsi");
		break;
	default:
		/* the target and everything under it */
		ok = ct_append(buf, len, &off, "/iscsi/%s", n->target->iqn);
		if (ok && n->type != CTL_NODE_TARGET)
			ok = ct_append(buf, len, &off, "/tpg%u", (unsigned int)n->tpg->tag);
		break;
	}
	if (!ok)
		return -ENOSPC;
	switch (n->type) {
	case CTL_NODE_PORTALS:
		ok = ct_append(buf, len, &off, "/portals");
		break;
	case CTL_NODE_PORTAL:
		ok = ct_append(buf, len, &off, "/portals/%s", n->tpg->portals[n->index].text);
		break;
	case CTL_NODE_LUNS:
		ok = ct_append(buf, len, &off, "/luns");
		break;
	case CTL_NODE_LUN:
		ok = ct_append(buf, len, &off, "/luns/lun%" PRIu64, n->tpg->luns[n->index].lun);
		break;
	case CTL_NODE_ACLS:
		ok = ct_append(buf, len, &off, "/acls");
		break;
	case CTL_NODE_ACL:
		ok = ct_append(buf, len, &off, "/acls/%s", n->acl->initiator);
		break;
	case CTL_NODE_MAPPED_LUN:
		ct_mapped(n, &lun, &tpg_lun, &ro);
		ok = ct_append(buf, len, &off, "/acls/%s/mapped_lun%" PRIu64, n->acl->initiator,
			       lun);
		break;
	default:
		break;
	}
	return ok ? 0 : -ENOSPC;
}

/* ---- resolving ---------------------------------------------------------- */

static __attribute__((format(printf, 4, 5))) int ct_why(char *why, size_t whylen, int err,
							const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* "no 'comp' in PATH" for a name that no child of n could have. */
static int ct_no_child(const struct ctl_node *n, const char *comp, char *why, size_t whylen)
{
	char path[CT_NODE_PATH_MAX];

	if (ctl_tree_path(n, path, sizeof(path)))
		snprintf(path, sizeof(path), "this node");
	return ct_why(why, whylen, -ENOENT, "no '%s' in %s", comp, path);
}

static int ct_step_backstores(struct obj_model *m, struct ctl_node *n, const char *comp, char *why,
			      size_t whylen)
{
	const struct bs_kind *kinds[BS_KIND__COUNT];
	char names[64] = "";
	size_t i, len = 0;

	if (n->type == CTL_NODE_BACKSTORES) {
		const struct bs_kind *k = bs_kind_find(comp);

		if (k) {
			n->type = CTL_NODE_BS_TYPE;
			snprintf(n->bs_type, sizeof(n->bs_type), "%s", k->name);
			return 0;
		}
		ct_kinds(kinds);
		for (i = 0; i < BS_KIND__COUNT; i++)
			ct_append(names, sizeof(names), &len, "%s%s", i ? ", " : "",
				  kinds[i]->name);
		return ct_why(why, whylen, -ENOENT, "no backstore type '%s' in /backstores (%s)",
			      comp, names);
	}
	/* CTL_NODE_BS_TYPE: backstore names are unique across types, and case matters */
	for (i = 0; i < m->nbackstores; i++) {
		struct obj_backstore *b = &m->backstores[i];

		if (strcmp(b->name, comp) != 0)
			continue;
		if (strcmp(b->type, n->bs_type) != 0)
			return ct_why(
			    why, whylen, -ENOENT,
			    "no backstore '%s' under /backstores/%s (it is under /backstores/%s)",
			    comp, n->bs_type, b->type);
		n->type = CTL_NODE_BACKSTORE;
		n->bs = b;
		n->index = i;
		return 0;
	}
	return ct_why(why, whylen, -ENOENT, "no backstore '%s' under /backstores/%s", comp,
		      n->bs_type);
}

_Static_assert(CTL_NODE_PORTAL == CTL_NODE_PORTALS + 1 && CTL_NODE_LUN == CTL_NODE_LUNS + 1 &&
		   CTL_NODE_ACL == CTL_NODE_ACLS + 1 && CTL_NODE_MAPPED_LUN == CTL_NODE_ACL + 1,
	       "a group's members follow it in enum ctl_node_type");

static int ct_step_tpg_child(struct ctl_node *n, const char *comp, char *why, size_t whylen)
{
	struct obj_tpg *tpg = n->tpg;
	char path[CT_NODE_PATH_MAX];
	struct net_portal p;
	uint64_t v;
	size_t i;

	if (ctl_tree_path(n, path, sizeof(path)))
		snprintf(path, sizeof(path), "this node");
	switch (n->type) {
	case CTL_NODE_PORTALS:
		/* the canonical text first, then any spelling of the same address */
		for (i = 0; i < tpg->nportals; i++)
			if (strcmp(tpg->portals[i].text, comp) == 0)
				goto found;
		if (net_portal_parse(comp, &p) == 0)
			for (i = 0; i < tpg->nportals; i++)
				if (net_portal_equal(&tpg->portals[i], &p))
					goto found;
		return ct_why(why, whylen, -ENOENT, "no portal '%s' in %s", comp, path);
	case CTL_NODE_LUNS:
		if (!ct_name_number(comp, "lun", &v))
			return ct_no_child(n, comp, why, whylen);
		for (i = 0; i < tpg->nluns; i++)
			if (tpg->luns[i].lun == v)
				goto found;
		return ct_why(why, whylen, -ENOENT, "no LUN %" PRIu64 " in %s", v, path);
	case CTL_NODE_ACLS:
		for (i = 0; i < tpg->nacls; i++) {
			if (iscsi_name_equal(tpg->acls[i].initiator, comp)) {
				n->acl = &tpg->acls[i];
				goto found;
			}
		}
		return ct_why(why, whylen, -ENOENT, "no ACL '%s' in %s", comp, path);
	case CTL_NODE_ACL:
		if (!ct_name_number(comp, "mapped_lun", &v))
			return ct_why(why, whylen, -ENOENT, "no '%s' in ACL '%s'", comp,
				      n->acl->initiator);
		if (n->acl->all_luns) {
			for (i = 0; i < tpg->nluns; i++)
				if (tpg->luns[i].lun == v)
					goto found;
		} else {
			for (i = 0; i < n->acl->nmapped; i++)
				if (n->acl->mapped[i].lun == v)
					goto found;
		}
		return ct_why(why, whylen, -ENOENT, "no mapped_lun%" PRIu64 " in ACL '%s'", v,
			      n->acl->initiator);
	default:
		return ct_no_child(n, comp, why, whylen);
	}
found:
	/* each of these groups holds one kind of node, the next in the enum */
	n->type = (enum ctl_node_type)(n->type + 1);
	n->index = i;
	return 0;
}

/* Moves n one level down, to its child named comp. */
static int ct_step(struct obj_model *m, struct ctl_node *n, const char *comp, char *why,
		   size_t whylen)
{
	uint64_t v;
	size_t i;

	switch (n->type) {
	case CTL_NODE_ROOT:
		if (strcmp(comp, "backstores") == 0)
			n->type = CTL_NODE_BACKSTORES;
		else if (strcmp(comp, "iscsi") == 0)
			n->type = CTL_NODE_ISCSI;
		else
			return ct_why(why, whylen, -ENOENT, "no '%s' in / (backstores, iscsi)",
				      comp);
		return 0;
	case CTL_NODE_BACKSTORES:
	case CTL_NODE_BS_TYPE:
		return ct_step_backstores(m, n, comp, why, whylen);
	case CTL_NODE_ISCSI:
		for (i = 0; i < m->ntargets; i++) {
			if (iscsi_name_equal(m->targets[i].iqn, comp)) {
				n->type = CTL_NODE_TARGET;
				n->target = &m->targets[i];
				n->index = i;
				return 0;
			}
		}
		return ct_why(why, whylen, -ENOENT, "no target '%s'", comp);
	case CTL_NODE_TARGET:
		if (!ct_name_number(comp, "tpg", &v))
			return ct_why(why, whylen, -ENOENT, "no '%s' in target '%s'", comp,
				      n->target->iqn);
		for (i = 0; i < n->target->ntpgs; i++) {
			if (n->target->tpgs[i].tag == v) {
				n->type = CTL_NODE_TPG;
				n->tpg = &n->target->tpgs[i];
				n->index = i;
				return 0;
			}
		}
		return ct_why(why, whylen, -ENOENT, "no tpg%" PRIu64 " in target '%s'", v,
			      n->target->iqn);
	case CTL_NODE_TPG:
		if (strcmp(comp, "acls") == 0)
			n->type = CTL_NODE_ACLS;
		else if (strcmp(comp, "luns") == 0)
			n->type = CTL_NODE_LUNS;
		else if (strcmp(comp, "portals") == 0)
			n->type = CTL_NODE_PORTALS;
		else
			return ct_why(why, whylen, -ENOENT,
				      "no '%s' in tpg%u of target '%s' "
				      "(acls, luns, portals)",
				      comp, (unsigned int)n->tpg->tag, n->target->iqn);
		return 0;
	case CTL_NODE_PORTALS:
	case CTL_NODE_LUNS:
	case CTL_NODE_ACLS:
	case CTL_NODE_ACL:
		return ct_step_tpg_child(n, comp, why, whylen);
	default:
		/* backstores, portals, LUNs and mapped LUNs are leaves */
		return ct_no_child(n, comp, why, whylen);
	}
}

int ctl_tree_resolve(struct obj_model *m, const char *path, struct ctl_node *out, char *why,
		     size_t whylen)
{
	char comp[CT_COMPONENT_MAX + 1];
	const char *p, *end;
	size_t len;
	int rc;

	if (why && whylen)
		why[0] = '\0';
	if (!m || !path || !out)
		return ct_why(why, whylen, -EINVAL, "no path");
	if (strnlen(path, CT_PATH_MAX + 1) > CT_PATH_MAX)
		return ct_why(why, whylen, -EINVAL, "path longer than %d bytes", CT_PATH_MAX);
	if (path[0] != '/')
		return ct_why(why, whylen, -EINVAL, "'%.64s' is not an absolute path", path);
	memset(out, 0, sizeof(*out));
	out->type = CTL_NODE_ROOT;
	for (p = path;; p = end) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len > CT_COMPONENT_MAX)
			return ct_why(why, whylen, -EINVAL,
				      "path component '%.32s...' longer than %d bytes", p,
				      CT_COMPONENT_MAX);
		memcpy(comp, p, len);
		comp[len] = '\0';
		/* the protocol's paths are canonical: the shell resolves these itself */
		if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0)
			return ct_why(why, whylen, -EINVAL, "'%s' in path '%.64s'", comp, path);
		rc = ct_step(m, out, comp, why, whylen);
		if (rc)
			return rc;
	}
}

/* ---- rendering ---------------------------------------------------------- */

struct ct_ctx {
	const struct obj_model *m;
	const struct ctl_tree_live *live;
};

/* Adds v (NULL: allocation failed) to o under key; v is o's or put. */
static int ct_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static __attribute__((format(printf, 1, 2))) struct json_object *ct_strf(const char *fmt, ...)
{
	struct json_object *o;
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	o = json_object_new_string_len(s, n);
	free(s);
	return o;
}

/* The size a backstore serves: its open store's, else what is configured (stores not opened). */
static uint64_t ct_bs_size(const struct obj_backstore *b)
{
	return b->dev ? b->dev->size : b->params.size;
}

static uint32_t ct_bs_block_size(const struct obj_backstore *b)
{
	if (b->dev)
		return b->dev->block_size;
	return b->params.block_size ? b->params.block_size : 512;
}

/*
 * A boolean setting of b: the open store's own where it has one (a block
 * or LVM device is thin when it takes discards, bs.h), else the configured.
 */
static bool ct_bs_bool(const struct obj_backstore *b, const struct obj_bs_setting *r)
{
	if (b->dev && r->live)
		return *(const bool *)((const char *)b->dev + r->live);
	return obj_bs_setting_get(r, &b->params);
}

static bool ct_bs_thin(const struct obj_backstore *b)
{
	return ct_bs_bool(b, &obj_bs_settings[OBJ_BS_ROW_THIN]);
}

/* The kind of b, NULL for a type the parser would refuse (a hand-built model). */
static const struct bs_kind *ct_bs_kind(const struct obj_backstore *b)
{
	return bs_kind_find(b->type);
}

/* Whether b serves a file or a device: a null store has no path and no cache mode. */
static bool ct_bs_has_path(const struct obj_backstore *b)
{
	const struct bs_kind *k = ct_bs_kind(b);

	return !k || bs_kind_takes(k, BS_KIND_TAKES_PATH);
}

static struct json_object *ct_bs_summary(const struct obj_backstore *b)
{
	char size[32];

	ctl_tree_size_text(ct_bs_size(b), size, sizeof(size));
	/* targetcli's ramdisk: nothing stored, so no path and no cache mode */
	if (!ct_bs_has_path(b))
		return ct_strf("nullio (%s)%s", size, b->params.readonly ? " ro" : "");
	return ct_strf("%s (%s) %s%s%s", b->path, size, b->params.readonly ? "ro " : "",
		       b->params.write_back ? "write-back" : "write-thru",
		       ct_bs_thin(b) ? " thin" : "");
}

static struct json_object *ct_lun_summary(const struct obj_backstore *b)
{
	char size[32];

	if (!b)
		return json_object_new_string("BROKEN STORAGE LINK");
	ctl_tree_size_text(ct_bs_size(b), size, sizeof(size));
	if (!ct_bs_has_path(b))
		return ct_strf("%s/%s (%s)", b->type, b->name, size);
	return ct_strf("%s/%s (%s) (%s) %s", b->type, b->name, b->path, size,
		       b->params.write_back ? "write-back" : "write-thru");
}

static struct json_object *ct_mapped_summary(const struct ctl_node *n)
{
	const struct obj_tpg_lun *tl;
	uint64_t lun, tpg_lun;
	bool ro;

	ct_mapped(n, &lun, &tpg_lun, &ro);
	tl = ct_tpg_lun(n->tpg, tpg_lun);
	if (!tl || !tl->bs)
		return ct_strf("lun%" PRIu64 " BROKEN LUN LINK", tpg_lun);
	/* what the initiator gets: a read-only store is read-only whatever the mapping (obj.c) */
	return ct_strf("lun%" PRIu64 " %s/%s (%s)", tpg_lun, tl->bs->type, tl->bs->name,
		       ro || tl->bs->params.readonly ? "ro" : "rw");
}

static struct json_object *ct_summary(const struct ct_ctx *c, const struct ctl_node *n)
{
	const struct obj_tpg *tpg = n->tpg;
	size_t i, count = 0;

	switch (n->type) {
	case CTL_NODE_ROOT:
	case CTL_NODE_BACKSTORES:
		return json_object_new_string("");
	case CTL_NODE_BS_TYPE:
		for (i = 0; i < c->m->nbackstores; i++)
			count += strcmp(c->m->backstores[i].type, n->bs_type) == 0;
		return ct_strf("Storage Objects: %zu", count);
	case CTL_NODE_BACKSTORE:
		return ct_bs_summary(n->bs);
	case CTL_NODE_ISCSI:
		return ct_strf("Targets: %zu", c->m->ntargets);
	case CTL_NODE_TARGET:
		return ct_strf("TPGs: %zu", n->target->ntpgs);
	case CTL_NODE_TPG:
		return ct_strf("%s, %s", tpg->attrs.generate_node_acls ? "gen-acls" : "no-gen-acls",
			       tpg->attrs.authentication ? "auth" : "no-auth");
	case CTL_NODE_PORTALS:
		return ct_strf("Portals: %zu", tpg->nportals);
	case CTL_NODE_PORTAL:
		/* targetcli's, for a portal without iSER */
		return json_object_new_string("OK");
	case CTL_NODE_LUNS:
		return ct_strf("LUNs: %zu", tpg->nluns);
	case CTL_NODE_LUN:
		return ct_lun_summary(tpg->luns[n->index].bs);
	case CTL_NODE_ACLS:
		return ct_strf("ACLs: %zu", tpg->nacls);
	case CTL_NODE_ACL:
		return ct_strf("Mapped LUNs: %zu", n->acl->all_luns ? tpg->nluns : n->acl->nmapped);
	case CTL_NODE_MAPPED_LUN:
		return ct_mapped_summary(n);
	}
	return NULL;
}

/* A setting, row r of a table, of obj (NULL: an object with every setting unset) into g. */
static int ct_add_setting(struct json_object *g, const struct obj_setting *r, const void *obj)
{
	char key[64], algs[CHAP_ALGS_TEXT_MAX];

	switch (r->type) {
	case OBJ_SETTING_BOOL:
	case OBJ_SETTING_YESNO:
		return ct_add(g, r->key, json_object_new_boolean(obj && obj_setting_bool(r, obj)));
	case OBJ_SETTING_UINT:
		return ct_add(g, r->key, json_object_new_int64(obj ? obj_setting_uint(r, obj) : 0));
	case OBJ_SETTING_DIGEST:
		return ct_add(g, r->key,
			      json_object_new_string(obj_setting_digest_text(
				      obj && obj_setting_bool(r, obj),
				      obj && obj_setting_required(r, obj))));
	case OBJ_SETTING_NAME:
		return ct_add(g, r->key,
			      json_object_new_string(obj ? obj_setting_str(r, obj) : ""));
	case OBJ_SETTING_SECRET:
		/* a secret never leaves porticod: only whether it is set */
		snprintf(key, sizeof(key), "%s_set", r->key);
		return ct_add(g, key, json_object_new_boolean(obj && obj_setting_str(r, obj)[0]));
	case OBJ_SETTING_CHAP_ALGS:
		/* "" when not set: every algorithm (or, for an ACL, its TPG's) */
		return ct_add(g, r->key,
			      json_object_new_string(
				  obj ? obj_setting_algs_text(r, obj, algs, sizeof(algs)) : ""));
	case OBJ_SETTING_CHOICE:
		return ct_add(g, r->key,
			      json_object_new_string(obj_setting_choice_name(
							     r, obj ? obj_setting_uint(r, obj) : r->def)
							 ?: ""));
	}
	return -EINVAL;
}

/* Every setting of table t of obj (NULL: none set) into g. */
static int ct_add_settings(struct json_object *g, const struct obj_settings *t, const void *obj)
{
	obj_settings_foreach(r, t) {
		if (ct_add_setting(g, r, obj))
			return -ENOMEM;
	}
	return 0;
}

static int ct_add_ownership(const struct obj_backstore *b, struct json_object *p);

static int ct_props_backstore(const struct ct_ctx *c, const struct obj_backstore *b,
			      struct json_object *p)
{
	const struct ctl_tree_live *live = c->live;
	unsigned int in_use = live && live->bs_sessions ? live->bs_sessions(live->arg, b) : 0;
	char naa[2 + 2 * sizeof(b->id.naa) + 1];
	size_t i;

	snprintf(naa, sizeof(naa), "0x");
	for (i = 0; i < sizeof(b->id.naa); i++)
		snprintf(naa + 2 + 2 * i, 3, "%02x", b->id.naa[i]);
	obj_bs_settings_foreach(r) {
		const struct bs_kind *k = ct_bs_kind(b);
		int rc = 0;

		switch (r->value) {
		case OBJ_BS_NAME:
		case OBJ_BS_TYPE:
			break; /* the node's name, and its parent's */
		case OBJ_BS_PATH:
			/* under the name create takes it by: file= for files, dev= for devices */
			if (ct_bs_has_path(b))
				rc = ct_add(p, k ? k->path_key : r->key,
					    json_object_new_string(b->path));
			break;
		case OBJ_BS_SIZE:
			rc = ct_add(p, r->key, json_object_new_int64((int64_t)ct_bs_size(b)));
			break;
		case OBJ_BS_BOOL:
			rc = ct_add(p, r->key, json_object_new_boolean(ct_bs_bool(b, r)));
			break;
		case OBJ_BS_BLOCK_SIZE:
			rc = ct_add(p, r->key, json_object_new_int64(ct_bs_block_size(b)));
			break;
		case OBJ_BS_PHYS_BLOCK_SIZE:
			/* what is served (a device's own), else what is configured */
			rc = ct_add(p, r->key,
				    json_object_new_int64(b->dev ? b->dev->phys_block_size :
						     b->params.phys_block_size ?
								   b->params.phys_block_size :
								   ct_bs_block_size(b)));
			break;
		case OBJ_BS_SERIAL:
			rc = ct_add(p, r->key, json_object_new_string(b->id.serial));
			break;
		case OBJ_BS_NAA:
			rc = ct_add(p, r->key, json_object_new_string(naa));
			break;
		case OBJ_BS_TEXT:
			if (obj_bs_setting_applies(r, k))
				rc = ct_add(p, r->key,
					    json_object_new_string(obj_bs_setting_text(r, &b->params)));
			break;
		}
		if (rc)
			return -ENOMEM;
	}
	if (ct_add(p, "in_use", json_object_new_int64(in_use)))
		return -ENOMEM;
	return ct_add_ownership(b, p);
}

/*
 * An LU's ownership in a gateway group (docs/rbd.md), as "ownership" in
 * its backstore's props: the group, this gateway, the owner, this
 * gateway's state and the LU's ALUA state here, this gateway's
 * membership and the LU's port groups on every member with their states,
 * and the last events (when, UTC, and what: takeovers, hand-overs,
 * fences of owners and of lapsed members). Nothing for a store without a
 * lease.
 */
static int ct_add_ownership(const struct obj_backstore *b, struct json_object *p)
{
	struct bs_owner_info *oi;
	struct json_object *o, *h;
	int rc = -ENOMEM;

	if (!b->dev || !b->dev->ops || !b->dev->ops->owner)
		return 0;
	oi = calloc(1, sizeof(*oi));
	if (!oi)
		return -ENOMEM;
	if (!b->dev->ops->owner(b->dev, oi)) {
		free(oi);
		return 0;
	}
	o = json_object_new_object();
	if (ct_add(p, "ownership", o))
		goto out;
	if (ct_add(o, "group", json_object_new_string(oi->group)) ||
	    ct_add(o, "gateway", json_object_new_string(oi->gateway)) ||
	    ct_add(o, "owner", json_object_new_string(oi->owner)) ||
	    ct_add(o, "state", json_object_new_string(oi->state)) ||
	    ct_add(o, "alua", json_object_new_string(scsi_alua_state_name(oi->alua))))
		goto out;
	/* the LU's port groups on every member, as REPORT TARGET PORT GROUPS gives them */
	if (oi->member_state[0]) {
		struct json_object *gws = json_object_new_array();

		if (ct_add(o, "membership", json_object_new_string(oi->member_state)) ||
		    ct_add(o, "port_groups", gws))
			goto out;
		for (unsigned int i = 0; i < oi->ntpgs && i < BS_OWNER_TPGS; i++) {
			struct json_object *e = json_object_new_object();

			if (!e || json_object_array_add(gws, e)) {
				json_object_put(e);
				goto out;
			}
			if (ct_add(e, "tpg", json_object_new_int(oi->tpgs[i].id)) ||
			    ct_add(e, "gateway", json_object_new_string(oi->tpgs[i].gateway)) ||
			    ct_add(e, "alua",
				   json_object_new_string(scsi_alua_state_name(oi->tpgs[i].alua))))
				goto out;
		}
	}
	h = json_object_new_array();
	if (ct_add(o, "history", h))
		goto out;
	for (unsigned int i = 0; i < oi->nnotes && i < BS_OWNER_NOTES; i++) {
		struct json_object *e = json_object_new_object();
		time_t t = (time_t)oi->notes[i].when;
		char when[32];
		struct tm tm;

		if (!e || json_object_array_add(h, e)) {
			json_object_put(e);
			goto out;
		}
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		if (ct_add(e, "time", json_object_new_string(when)) ||
		    ct_add(e, "event", json_object_new_string(oi->notes[i].text)))
			goto out;
	}
	rc = 0;
out:
	free(oi);
	return rc;
}

/* An allow list as the shell sets it: "192.0.2.0/24,2001:db8::/48", "" for anywhere. */
static int ct_add_allowed(struct json_object *g, const struct net_allow *l)
{
	char *text = malloc(NET_ALLOW_TEXT_MAX);
	int rc;

	if (!text || net_allow_format(l, text, NET_ALLOW_TEXT_MAX) < 0) {
		free(text);
		return -ENOMEM;
	}
	rc = ct_add(g, "allowed_addresses", json_object_new_string(text));
	free(text);
	return rc;
}

/*
 * The groups of settings of node n (ctl_groups.c), each an object in p:
 * whether it is on (enable), its table's settings, the node's allow list.
 */
static int ct_props_groups(const struct ct_ctx *c, const struct ctl_node *n,
			   struct json_object *p)
{
	for (size_t i = 0; i < ctl_ngroups; i++) {
		const struct ctl_group *grp = &ctl_groups[i];
		const void *obj;
		struct json_object *g;

		if (grp->node != n->type)
			continue;
		obj = grp->object ? grp->object(c->m, n) : NULL;
		g = json_object_new_object();
		if (ct_add(p, grp->name, g))
			return -ENOMEM;
		/* targetcli lists it first; a userid means CHAP is required (obj.h) */
		if (grp->enable &&
		    ct_add(g, "enable",
			   json_object_new_boolean(obj && !obj_settings_all_default(grp->settings,
										    obj))))
			return -ENOMEM;
		if (grp->settings && ct_add_settings(g, grp->settings, obj))
			return -ENOMEM;
		if (grp->allowed_addresses &&
		    ct_add_allowed(g, n->type == CTL_NODE_TPG ? &n->tpg->allowed :
								&n->acl->allowed))
			return -ENOMEM;
	}
	return 0;
}

static int ct_props_portal(const struct net_portal *portal, struct json_object *p)
{
	const char *text = portal->text, *colon = strrchr(text, ':');
	const char *ip = text;
	size_t iplen;

	/* "1.2.3.4:3260", "[::1]:3260": the canonical text net_portal_parse wrote */
	if (!colon)
		return -EINVAL;
	iplen = (size_t)(colon - text);
	if (text[0] == '[' && iplen >= 2 && text[iplen - 1] == ']') {
		ip++;
		iplen -= 2;
	}
	if (ct_add(p, "ip_address", json_object_new_string_len(ip, (int)iplen)) ||
	    ct_add(p, "ip_port", json_object_new_int64(strtol(colon + 1, NULL, 10))))
		return -ENOMEM;
	return 0;
}

static int ct_props_lun(const struct obj_tpg_lun *tl, struct json_object *p)
{
	struct ctl_node bn = { .type = CTL_NODE_BACKSTORE, .bs = tl->bs };
	char path[CT_NODE_PATH_MAX];

	if (ct_add(p, "lun", json_object_new_int64((int64_t)tl->lun)))
		return -ENOMEM;
	if (!tl->bs)
		return ct_add(p, "storage_object", json_object_new_string(""));
	if (ctl_tree_path(&bn, path, sizeof(path)))
		return -ENOMEM;
	return ct_add(p, "storage_object", json_object_new_string(path));
}

/* The node's props; groups have none but /iscsi (the root an empty object). 0 or -errno. */
static int ct_props(const struct ct_ctx *c, const struct ctl_node *n, struct json_object *node)
{
	struct json_object *p;
	uint64_t lun, tpg_lun;
	bool ro;

	switch (n->type) {
	case CTL_NODE_BACKSTORES:
	case CTL_NODE_BS_TYPE:
	case CTL_NODE_PORTALS:
	case CTL_NODE_LUNS:
	case CTL_NODE_ACLS:
		return 0;
	default:
		break;
	}
	p = json_object_new_object();
	if (ct_add(node, "props", p))
		return -ENOMEM;
	switch (n->type) {
	case CTL_NODE_BACKSTORE:
		return ct_props_backstore(c, n->bs, p);
	case CTL_NODE_ISCSI:
	case CTL_NODE_ACL:
		return ct_props_groups(c, n, p);
	case CTL_NODE_TARGET:
		return ct_add(p, "alias", json_object_new_string(n->target->alias));
	case CTL_NODE_TPG:
		if (ct_add(p, "tag", json_object_new_int64(n->tpg->tag)))
			return -ENOMEM;
		return ct_props_groups(c, n, p);
	case CTL_NODE_PORTAL:
		return ct_props_portal(&n->tpg->portals[n->index], p);
	case CTL_NODE_LUN:
		return ct_props_lun(&n->tpg->luns[n->index], p);
	case CTL_NODE_MAPPED_LUN:
		ct_mapped(n, &lun, &tpg_lun, &ro);
		if (ct_add(p, "mapped_lun", json_object_new_int64((int64_t)lun)) ||
		    ct_add(p, "tpg_lun", json_object_new_int64((int64_t)tpg_lun)) ||
		    ct_add(p, "write_protect", json_object_new_boolean(ro)))
			return -ENOMEM;
		return 0;
	default:
		return 0;
	}
}

static struct json_object *ct_render(const struct ct_ctx *c, const struct ctl_node *n, int depth);

/* Renders child and appends it to arr. */
static int ct_add_child(const struct ct_ctx *c, struct json_object *arr,
			const struct ctl_node *child, int depth)
{
	struct json_object *o = ct_render(c, child, depth);

	if (!o)
		return -ENOMEM;
	if (json_object_array_add(arr, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Indices 0..n-1 of an array in the order cmp gives (n may be 0); NULL on
 * ENOMEM. The caller frees it.
 */
static size_t *ct_order(size_t n, int (*cmp)(const void *, const void *, void *), const void *arg)
{
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp, (void *)arg);
	return idx;
}

/* The children of a node whose children are an array of the model, in targetcli's order. */
static int ct_children_sorted(const struct ct_ctx *c, const struct ctl_node *n,
			      struct json_object *arr, int depth)
{
	const struct obj_model *m = c->m;
	struct ctl_node child = *n;
	int (*cmp)(const void *, const void *, void *);
	const void *base;
	size_t count, i, *idx;
	int rc = 0;

	switch (n->type) {
	case CTL_NODE_BS_TYPE:
		child.type = CTL_NODE_BACKSTORE;
		cmp = ct_cmp_backstore, base = m->backstores, count = m->nbackstores;
		break;
	case CTL_NODE_ISCSI:
		child.type = CTL_NODE_TARGET;
		cmp = ct_cmp_target, base = m->targets, count = m->ntargets;
		break;
	case CTL_NODE_TARGET:
		child.type = CTL_NODE_TPG;
		cmp = ct_cmp_tpg, base = n->target->tpgs, count = n->target->ntpgs;
		break;
	case CTL_NODE_PORTALS:
		child.type = CTL_NODE_PORTAL;
		cmp = ct_cmp_portal, base = n->tpg->portals, count = n->tpg->nportals;
		break;
	case CTL_NODE_LUNS:
		child.type = CTL_NODE_LUN;
		cmp = ct_cmp_lun, base = n->tpg->luns, count = n->tpg->nluns;
		break;
	case CTL_NODE_ACLS:
		child.type = CTL_NODE_ACL;
		cmp = ct_cmp_acl, base = n->tpg->acls, count = n->tpg->nacls;
		break;
	case CTL_NODE_ACL:
		child.type = CTL_NODE_MAPPED_LUN;
		/* all_luns: one mapped_lun<N> per TPG LUN, which is what the initiator sees */
		if (n->acl->all_luns)
			cmp = ct_cmp_lun, base = n->tpg->luns, count = n->tpg->nluns;
		else
			cmp = ct_cmp_mapped, base = n->acl->mapped, count = n->acl->nmapped;
		break;
	default:
		return 0;
	}
	idx = ct_order(count, cmp, base);
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < count && !rc; i++) {
		child.index = idx[i];
		/* casts: a node may name the model for a change; rendering only reads it */
		switch (child.type) {
		case CTL_NODE_BACKSTORE:
			if (strcmp(m->backstores[idx[i]].type, n->bs_type) != 0)
				continue;
			child.bs = (struct obj_backstore *)&m->backstores[idx[i]];
			break;
		case CTL_NODE_TARGET:
			child.target = (struct obj_target *)&m->targets[idx[i]];
			break;
		case CTL_NODE_TPG:
			child.tpg = &n->target->tpgs[idx[i]];
			break;
		case CTL_NODE_ACL:
			child.acl = &n->tpg->acls[idx[i]];
			break;
		default:
			break;
		}
		rc = ct_add_child(c, arr, &child, depth);
	}
	free(idx);
	return rc;
}

static int ct_children(const struct ct_ctx *c, const struct ctl_node *n, struct json_object *arr,
		       int depth)
{
	static const enum ctl_node_type tpg_groups[] = { CTL_NODE_ACLS, CTL_NODE_LUNS,
							CTL_NODE_PORTALS };
	const struct bs_kind *kinds[BS_KIND__COUNT];
	struct ctl_node child = *n;
	size_t i;
	int rc;

	switch (n->type) {
	case CTL_NODE_ROOT:
		child.type = CTL_NODE_BACKSTORES;
		rc = ct_add_child(c, arr, &child, depth);
		if (rc)
			return rc;
		child.type = CTL_NODE_ISCSI;
		return ct_add_child(c, arr, &child, depth);
	case CTL_NODE_BACKSTORES:
		child.type = CTL_NODE_BS_TYPE;
		ct_kinds(kinds);
		for (i = 0; i < BS_KIND__COUNT; i++) {
			snprintf(child.bs_type, sizeof(child.bs_type), "%s", kinds[i]->name);
			rc = ct_add_child(c, arr, &child, depth);
			if (rc)
				return rc;
		}
		return 0;
	case CTL_NODE_TPG:
		for (i = 0; i < sizeof(tpg_groups) / sizeof(tpg_groups[0]); i++) {
			child.type = tpg_groups[i];
			rc = ct_add_child(c, arr, &child, depth);
			if (rc)
				return rc;
		}
		return 0;
	default:
		return ct_children_sorted(c, n, arr, depth);
	}
}

/* The node's name in its parent: the last component of its path. */
static struct json_object *ct_name(const struct ctl_node *n)
{
	char path[CT_NODE_PATH_MAX];
	const char *slash;

	if (n->type == CTL_NODE_ROOT)
		return json_object_new_string("/");
	if (ctl_tree_path(n, path, sizeof(path)))
		return NULL;
	slash = strrchr(path, '/');
	return json_object_new_string(slash + 1);
}

static struct json_object *ct_render(const struct ct_ctx *c, const struct ctl_node *n, int depth)
{
	char path[CT_NODE_PATH_MAX];
	struct json_object *o, *arr;

	if (!ct_node_valid(n) || ctl_tree_path(n, path, sizeof(path)))
		return NULL;
	o = json_object_new_object();
	if (!o)
		return NULL;
	if (ct_add(o, "name", ct_name(n)) || ct_add(o, "path", json_object_new_string(path)) ||
	    ct_add(o, "type", json_object_new_string(ctl_node_type_name(n->type))) ||
	    ct_add(o, "summary", ct_summary(c, n)) || ct_props(c, n, o))
		goto err_put;
	if (depth != 0) {
		arr = json_object_new_array();
		if (ct_add(o, "children", arr) ||
		    ct_children(c, n, arr, depth < 0 ? depth : depth - 1))
			goto err_put;
	}
	return o;
err_put:
	json_object_put(o);
	return NULL;
}

struct json_object *ctl_tree_render(const struct obj_model *m, const struct ctl_node *n, int depth,
				    const struct ctl_tree_live *live)
{
	struct ct_ctx c = { .m = m, .live = live };

	if (!m || !n)
		return NULL;
	return ct_render(&c, n, depth);
}

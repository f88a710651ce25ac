/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Node paths of the shell: resolve, classify, abbreviate (pure). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "target/shell/facts.h"
#include "target/shell/path.h"

#define SH_PATH_DEPTH 64 /* more components than any node has: a deeper path is invalid anyway */

/* Component spans of a path, pointing into the strings they came from. */
struct sh_comps {
	const char *p[SH_PATH_DEPTH];
	size_t len[SH_PATH_DEPTH];
	size_t n;
	bool overflow;
};

static bool sh_comp_eq(const struct sh_comps *c, size_t i, const char *s)
{
	return c->len[i] == strlen(s) && memcmp(c->p[i], s, c->len[i]) == 0;
}

/* Applies the components of s to c: "." is skipped, ".." pops. */
static void sh_comps_walk(struct sh_comps *c, const char *s)
{
	while (*s) {
		size_t n;

		while (*s == '/')
			s++;
		n = strcspn(s, "/");
		if (n == 0)
			break;
		if (n == 1 && s[0] == '.') {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (c->n)
				c->n--;
		} else if (c->n == SH_PATH_DEPTH) {
			c->overflow = true;
		} else {
			c->p[c->n] = s;
			c->len[c->n] = n;
			c->n++;
		}
		s += n;
	}
}

/* The component as a string (cut to cap - 1 bytes: names this checks are shorter). */
static void sh_comp_copy(const struct sh_comps *c, size_t i, char *buf, size_t cap)
{
	size_t n = MIN(c->len[i], cap - 1);

	memcpy(buf, c->p[i], n);
	buf[n] = '\0';
}

int sh_path_resolve(const char *cwd, const char *input, char *out, size_t cap)
{
	struct sh_comps c = { .n = 0 };
	size_t i, len = 0;

	if (input[0] != '/')
		sh_comps_walk(&c, cwd);
	sh_comps_walk(&c, input);
	if (c.overflow)
		return -ENAMETOOLONG;
	/* another name of a backstore kind (targetcli's "fileio" for file) is the kind's */
	if (c.n >= 2 && sh_comp_eq(&c, 0, "backstores")) {
		char name[32];
		const char *kind;

		sh_comp_copy(&c, 1, name, sizeof(name));
		kind = sh_facts_bs_alias(name);
		if (kind && c.len[1] < sizeof(name)) {
			c.p[1] = kind;
			c.len[1] = strlen(kind);
		}
	}
	if (cap < 2)
		return -ENAMETOOLONG;
	out[0] = '/';
	out[1] = '\0';
	for (i = 0; i < c.n; i++) {
		size_t need = (i ? 1 : 0) + c.len[i];

		if (len + 1 + need >= cap)
			return -ENAMETOOLONG;
		if (i)
			out[++len] = '/';
		memcpy(out + len + 1, c.p[i], c.len[i]);
		len += c.len[i];
		out[len + 1] = '\0';
	}
	return 0;
}

bool sh_name_number(const char *name, const char *prefix, unsigned long max, unsigned long *out)
{
	size_t plen = strlen(prefix);
	unsigned long v = 0;
	const char *d;

	if (strncmp(name, prefix, plen) != 0)
		return false;
	d = name + plen;
	if (!*d || (d[0] == '0' && d[1]))
		return false;
	for (; *d; d++) {
		if (*d < '0' || *d > '9')
			return false;
		v = v * 10 + (unsigned long)(*d - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static int sh_classify_backstores(const struct sh_comps *c, struct sh_node_info *out,
				  const char **why)
{
	static char types_why[256];
	const char *const *types = sh_facts_bs_types();
	size_t i;

	if (c->n == 1) {
		out->type = SH_NODE_BACKSTORES;
		return 0;
	}
	for (i = 0; types[i]; i++)
		if (sh_comp_eq(c, 1, types[i]))
			out->bs_type = types[i];
	if (!out->bs_type) {
		snprintf(types_why, sizeof(types_why), "the backstore types are %s",
			 sh_facts_bs_types_text());
		*why = types_why;
		return -EINVAL;
	}
	if (c->n == 2) {
		out->type = SH_NODE_BS_GROUP;
		return 0;
	}
	if (c->n == 3) {
		out->type = SH_NODE_BACKSTORE;
		return 0;
	}
	*why = "a backstore has no children";
	return -EINVAL;
}

static int sh_classify_iscsi(const struct sh_comps *c, struct sh_node_info *out, const char **why)
{
	char name[32];

	if (c->n <= 2) {
		out->type = c->n == 1 ? SH_NODE_ISCSI : SH_NODE_TARGET;
		return 0;
	}
	sh_comp_copy(c, 2, name, sizeof(name));
	if (!sh_name_number(name, "tpg", SH_TPG_TAG_MAX, &out->number) || out->number == 0) {
		*why = "a target holds TPGs named tpgN, N from 1 to 65535 (tpg1, tpg2, ...)";
		return -EINVAL;
	}
	if (c->n == 3) {
		out->type = SH_NODE_TPG;
		return 0;
	}
	if (sh_comp_eq(c, 3, "portals")) {
		out->type = c->n == 4 ? SH_NODE_PORTALS : SH_NODE_PORTAL;
		if (c->n > 5) {
			*why = "a portal has no children";
			return -EINVAL;
		}
		return 0;
	}
	if (sh_comp_eq(c, 3, "luns")) {
		if (c->n == 4) {
			out->type = SH_NODE_LUNS;
			return 0;
		}
		sh_comp_copy(c, 4, name, sizeof(name));
		if (!sh_name_number(name, "lun", SH_LUN_MAX, &out->number)) {
			*why = "TPG LUNs are named lunN, N from 0 to 16383 (lun0, lun1, ...)";
			return -EINVAL;
		}
		out->type = SH_NODE_LUN;
		if (c->n > 5) {
			*why = "a LUN has no children";
			return -EINVAL;
		}
		return 0;
	}
	if (sh_comp_eq(c, 3, "acls")) {
		out->type = c->n == 4 ? SH_NODE_ACLS : SH_NODE_ACL;
		if (c->n <= 5)
			return 0;
		sh_comp_copy(c, 5, name, sizeof(name));
		if (!sh_name_number(name, "mapped_lun", SH_LUN_MAX, &out->number)) {
			*why = "an ACL holds mapped LUNs named mapped_lunN, N from 0 to 16383";
			return -EINVAL;
		}
		out->type = SH_NODE_MAPPED_LUN;
		if (c->n > 6) {
			*why = "a mapped LUN has no children";
			return -EINVAL;
		}
		return 0;
	}
	*why = "a TPG holds portals, luns and acls";
	return -EINVAL;
}

int sh_path_classify(const char *path, struct sh_node_info *out, const char **why)
{
	struct sh_comps c = { .n = 0 };
	const char *dummy;
	int rc;

	if (!why)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	if (path[0] != '/') {
		*why = "not an absolute path";
		return -EINVAL;
	}
	sh_comps_walk(&c, path);
	if (c.overflow) {
		*why = "too many components";
		return -EINVAL;
	}
	if (c.n == 0) {
		out->type = SH_NODE_ROOT;
		return 0;
	}
	if (sh_comp_eq(&c, 0, "backstores"))
		rc = sh_classify_backstores(&c, out, why);
	else if (sh_comp_eq(&c, 0, "iscsi"))
		rc = sh_classify_iscsi(&c, out, why);
	else {
		*why = "the root holds backstores and iscsi";
		rc = -EINVAL;
	}
	if (rc) {
		out->type = SH_NODE_INVALID;
		out->bs_type = NULL;
		out->number = 0;
	}
	return rc;
}

void sh_path_parent(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash || slash == path) {
		snprintf(out, cap, "/");
		return;
	}
	n = MIN((size_t)(slash - path), cap - 1);
	memcpy(out, path, n);
	out[n] = '\0';
}

bool sh_path_within(const char *path, const char *base)
{
	size_t n = strlen(base);

	if (strcmp(base, "/") == 0)
		return true;
	return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const char *sh_path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || !slash[1])
		return path;
	return slash + 1;
}

void sh_path_abbrev(const char *path, size_t max, char *out, size_t cap)
{
	size_t len = 0;
	const char *s = path;

	if (strlen(path) <= max || path[0] != '/' || !path[1]) {
		snprintf(out, cap, "%s", path);
		return;
	}
	out[0] = '\0';
	while (*s == '/') {
		size_t n = strcspn(s + 1, "/");
		int w;

		if (n > 16)
			w = snprintf(out + len, cap - len, "/%.7s...%.6s", s + 1, s + 1 + n - 6);
		else
			w = snprintf(out + len, cap - len, "/%.*s", (int)n, s + 1);
		if (w < 0 || (size_t)w >= cap - len)
			return; /* truncated: still a string */
		len += (size_t)w;
		s += 1 + n;
	}
}

const char *sh_node_type_name(enum sh_node_type t)
{
	static const char *const names[SH_NODE__COUNT] = {
		[SH_NODE_INVALID] = "invalid path",
		[SH_NODE_ROOT] = "root",
		[SH_NODE_BACKSTORES] = "backstores",
		[SH_NODE_BS_GROUP] = "backstore type",
		[SH_NODE_BACKSTORE] = "backstore",
		[SH_NODE_ISCSI] = "iSCSI targets",
		[SH_NODE_TARGET] = "target",
		[SH_NODE_TPG] = "TPG",
		[SH_NODE_PORTALS] = "portals",
		[SH_NODE_PORTAL] = "portal",
		[SH_NODE_LUNS] = "LUNs",
		[SH_NODE_LUN] = "LUN",
		[SH_NODE_ACLS] = "ACLs",
		[SH_NODE_ACL] = "ACL",
		[SH_NODE_MAPPED_LUN] = "mapped LUN",
	};

	return (unsigned)t < SH_NODE__COUNT ? names[t] : names[SH_NODE_INVALID];
}

bool sh_node_has_children(enum sh_node_type t)
{
	switch (t) {
	case SH_NODE_BACKSTORE:
	case SH_NODE_PORTAL:
	case SH_NODE_LUN:
	case SH_NODE_MAPPED_LUN:
	case SH_NODE_INVALID:
	case SH_NODE__COUNT:
		return false;
	default:
		return true;
	}
}

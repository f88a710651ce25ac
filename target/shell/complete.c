/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tab completion candidates (pure). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/shell/cmdline.h"
#include "target/shell/complete.h"
#include "target/shell/facts.h"
#include "target/shell/path.h"
#include "target/shell/verbs.h"
#include "target/shell/view.h"

#define SH_CAND_MAX 4096

/* What is being completed. */
struct sh_comp_ctx {
	const char *cwd;
	struct json_object *tree;
	const char *partial; /* the word so far, as typed */
	size_t plen;
	struct sh_completion *out;
	int rc;
};

void sh_completion_fini(struct sh_completion *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->cand[i]);
	free(c->cand);
	memset(c, 0, sizeof(*c));
}

size_t sh_completion_common(const struct sh_completion *c)
{
	size_t i, len;

	if (!c->n)
		return 0;
	len = strlen(c->cand[0]);
	for (i = 1; i < c->n; i++) {
		size_t j = 0;

		while (j < len && c->cand[i][j] == c->cand[0][j])
			j++;
		len = j;
	}
	return len;
}

/* Adds a + b when it starts with the partial word. */
static void sh_cand_add2(struct sh_comp_ctx *x, const char *a, const char *b)
{
	struct sh_completion *c = x->out;
	size_t la = strlen(a), lb = strlen(b);
	char *s;

	if (x->rc || c->n >= SH_CAND_MAX)
		return;
	s = malloc(la + lb + 1);
	if (!s) {
		x->rc = -ENOMEM;
		return;
	}
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	if (strncmp(s, x->partial, x->plen) != 0) {
		free(s);
		return;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		char **p = realloc(c->cand, cap * sizeof(*p));

		if (!p) {
			free(s);
			x->rc = -ENOMEM;
			return;
		}
		c->cand = p;
		c->cap = cap;
	}
	c->cand[c->n++] = s;
}

static void sh_cand_add(struct sh_comp_ctx *x, const char *s)
{
	sh_cand_add2(x, s, "");
}

static int sh_cand_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sh_cand_sort(struct sh_completion *c)
{
	size_t i, j = 0;

	if (!c->n)
		return;
	qsort(c->cand, c->n, sizeof(*c->cand), sh_cand_cmp);
	for (i = 1; i < c->n; i++) {
		if (strcmp(c->cand[i], c->cand[j]) == 0)
			free(c->cand[i]);
		else
			c->cand[++j] = c->cand[i];
	}
	c->n = j + 1;
}

/* The names under a node: from the cached tree, else what every such node holds. */
static void sh_child_names(struct sh_comp_ctx *x, const char *dir, const char *before,
			   bool mark_dirs)
{
	static const char *const root[] = { "backstores", "iscsi", NULL };
	static const char *const tpg[] = { "acls", "luns", "portals", NULL };
	struct json_object *node = sh_tree_find(x->tree, dir), *kids;
	const char *const *fixed = NULL;
	struct sh_node_info info;
	char child[SH_PATH_MAX];
	size_t i, n;

	if (sh_path_classify(dir, &info, NULL))
		return;
	kids = node ? sh_tree_children(node) : NULL;
	if (!kids) {
		if (info.type == SH_NODE_ROOT)
			fixed = root;
		else if (info.type == SH_NODE_BACKSTORES)
			fixed = sh_facts_bs_types();
		else if (info.type == SH_NODE_TPG)
			fixed = tpg;
		/* these all hold children */
		for (; fixed && *fixed; fixed++) {
			snprintf(child, sizeof(child), "%s%s", *fixed, mark_dirs ? "/" : "");
			sh_cand_add2(x, before, child);
		}
		return;
	}
	n = json_object_array_length(kids);
	for (i = 0; i < n; i++) {
		const char *name = sh_tree_name(json_object_array_get_idx(kids, i));
		struct sh_node_info ci;

		if (!name || strchr(name, '/'))
			continue;
		snprintf(child, sizeof(child), "%s/%s", strcmp(dir, "/") ? dir : "", name);
		if (mark_dirs && sh_path_classify(child, &ci, NULL) == 0 &&
		    sh_node_has_children(ci.type)) {
			char with_slash[512];

			snprintf(with_slash, sizeof(with_slash), "%s/", name);
			sh_cand_add2(x, before, with_slash);
		} else {
			sh_cand_add2(x, before, name);
		}
	}
}

/* Node paths: the partial word is a path relative to base (or absolute). */
static void sh_paths(struct sh_comp_ctx *x, const char *base)
{
	const char *slash = memrchr(x->partial, '/', x->plen);
	char before[SH_PATH_MAX], dir[SH_PATH_MAX];
	size_t blen = slash ? (size_t)(slash - x->partial) + 1 : 0;
	const char *prefix = x->partial + blen;

	if (blen >= sizeof(before))
		return;
	memcpy(before, x->partial, blen);
	before[blen] = '\0';
	if (strcmp(prefix, ".") == 0 || strcmp(prefix, "..") == 0) {
		sh_cand_add2(x, before, "../");
		return;
	}
	if (sh_path_resolve(base, blen ? before : ".", dir, sizeof(dir)))
		return;
	sh_child_names(x, dir, before, true);
}

/* Every backstore's path, "/backstores/TYPE/NAME", after before ("storage_object="). */
static void sh_backstore_paths(struct sh_comp_ctx *x, const char *before)
{
	struct json_object *types = sh_tree_children(sh_tree_find(x->tree, "/backstores"));
	size_t i, j, n = types ? json_object_array_length(types) : 0;
	char path[SH_PATH_MAX];

	for (i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(types, i);
		struct json_object *bs = sh_tree_children(t);
		const char *tname = sh_tree_name(t);
		size_t m = bs ? json_object_array_length(bs) : 0;

		for (j = 0; tname && j < m; j++) {
			const char *name = sh_tree_name(json_object_array_get_idx(bs, j));

			if (!name)
				continue;
			snprintf(path, sizeof(path), "%s/backstores/%s/%s", before, tname, name);
			sh_cand_add(x, path);
		}
	}
}

static void sh_keys(struct sh_comp_ctx *x, const char *const *keys, const struct sh_words *w,
		    size_t from, size_t to, const char *suffix)
{
	size_t i;

	for (; *keys; keys++) {
		bool given = false;

		for (i = from; i < to; i++)
			if (w->w[i].eq == strlen(*keys) &&
			    strncmp(w->w[i].text, *keys, w->w[i].eq) == 0)
				given = true;
		if (!given)
			sh_cand_add2(x, *keys, suffix);
	}
}

static void sh_list(struct sh_comp_ctx *x, const char *const *list)
{
	for (; *list; list++)
		sh_cand_add(x, *list);
}

static void sh_verbs_at(struct sh_comp_ctx *x, enum sh_node_type t)
{
	enum sh_verb v;

	for (v = SH_VERB_NONE + 1; v < SH_VERB__COUNT; v++)
		if (sh_verb_allowed(v, t))
			sh_cand_add(x, sh_verbs[v].name);
}

/* The value of key=...: true/false, or backstore paths. */
static void sh_values(struct sh_comp_ctx *x, size_t keylen)
{
	char key[64];

	if (keylen + 2 > sizeof(key))
		return;
	memcpy(key, x->partial, keylen);
	key[keylen] = '\0';
	if (sh_key_is_bool(key)) {
		key[keylen] = '=';
		key[keylen + 1] = '\0';
		sh_cand_add2(x, key, "true");
		sh_cand_add2(x, key, "false");
	} else if (strcmp(key, "storage_object") == 0 || strcmp(key, "tpg_lun_or_backstore") == 0) {
		key[keylen] = '=';
		key[keylen + 1] = '\0';
		sh_backstore_paths(x, key);
	}
}

/* Arguments after the verb (word index idx; the verb is word vi). */
static void sh_args(struct sh_comp_ctx *x, const struct sh_words *w, size_t vi, size_t idx,
		    const char *base)
{
	enum sh_verb v = sh_verb_lookup(w->w[vi].text);
	struct sh_node_info node;
	const char *group = NULL;
	size_t i, k = 0, keylen;

	if (v == SH_VERB_NONE || sh_path_classify(base, &node, NULL) ||
	    !sh_verb_allowed(v, node.type))
		return;
	for (i = vi + 1; i < idx; i++) {
		if (w->w[i].eq != SH_NO_EQ)
			continue;
		if (k++ == 0)
			group = w->w[i].text;
	}
	keylen = sh_key_len(x->partial);
	if (keylen) {
		sh_values(x, keylen);
		return;
	}
	switch (v) {
	case SH_VERB_LS:
	case SH_VERB_CD:
		if (k == 0)
			sh_paths(x, base);
		break;
	case SH_VERB_HELP:
		if (k == 0)
			for (v = SH_VERB_NONE + 1; v < SH_VERB__COUNT; v++)
				sh_cand_add(x, sh_verbs[v].name);
		break;
	case SH_VERB_SET:
	case SH_VERB_GET:
		if (k == 0)
			sh_list(x, sh_verb_groups(node.type));
		else
			sh_keys(x, sh_verb_keys(v, &node, group), w, vi + 1, idx,
				v == SH_VERB_SET ? "=" : "");
		return;
	case SH_VERB_DELETE:
		if (k == 0 && sh_node_has_children(node.type))
			sh_child_names(x, base, "", false);
		break;
	case SH_VERB_CREATE:
		if (k == 0 && node.type == SH_NODE_LUNS)
			sh_backstore_paths(x, "");
		break;
	default:
		break;
	}
	sh_keys(x, sh_verb_keys(v, &node, NULL), w, vi + 1, idx, "=");
}

int sh_complete(const char *cwd, struct json_object *tree, const char *line, size_t cursor,
		struct sh_completion *out)
{
	struct sh_comp_ctx x = { .cwd = cwd, .tree = tree, .out = out };
	char base[SH_PATH_MAX], *partial = NULL;
	struct sh_words w;
	size_t idx, vi = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sh_words_split(line, cursor, true, &w, NULL))
		return 0; /* too long, too many words: nothing to offer */
	if (w.n && (w.w[w.n - 1].end == cursor || w.open)) {
		idx = w.n - 1;
		out->start = w.w[idx].start;
	} else {
		idx = w.n;
		out->start = cursor;
	}
	partial = strndup(line + out->start, cursor - out->start);
	if (!partial) {
		rc = -ENOMEM;
		goto out;
	}
	/* completing inside quotes or after a backslash is not worth guessing */
	rc = 0;
	if (strpbrk(partial, "'\"\\#"))
		goto out;
	x.partial = partial;
	x.plen = strlen(partial);
	snprintf(base, sizeof(base), "%s", cwd);
	if (idx > 0 && sh_word_is_path(w.w[0].text)) {
		if (sh_path_resolve(cwd, w.w[0].text, base, sizeof(base)))
			goto out;
		vi = 1;
	}
	if (idx == 0) {
		struct sh_node_info node;

		if (!sh_word_is_path(partial) && sh_path_classify(cwd, &node, NULL) == 0)
			sh_verbs_at(&x, node.type);
		sh_paths(&x, cwd);
	} else if (idx == vi) {
		struct sh_node_info node;

		if (sh_path_classify(base, &node, NULL) == 0)
			sh_verbs_at(&x, node.type);
	} else {
		sh_args(&x, &w, vi, idx, base);
	}
	rc = x.rc;
	if (!rc)
		sh_cand_sort(out);
out:
	if (rc)
		sh_completion_fini(out);
	free(partial);
	sh_words_fini(&w);
	return rc;
}

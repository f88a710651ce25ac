/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the shell shows of porticod's results: the ls tree, info, get (pure). */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <string.h>

#include "common/size_text.h"
#include "target/shell/facts.h"
#include "target/shell/verbs.h"
#include "target/shell/view.h"

#define SH_TREE_DEPTH_MAX 32 /* the protocol's tree is 7 deep */
#define SH_TREE_DOTS_MIN 3

const char *sh_tree_name(struct json_object *node)
{
	struct json_object *o;

	if (!json_object_object_get_ex(node, "name", &o) ||
	    !json_object_is_type(o, json_type_string))
		return NULL;
	return json_object_get_string(o);
}

struct json_object *sh_tree_children(struct json_object *node)
{
	struct json_object *o;

	if (!json_object_object_get_ex(node, "children", &o) ||
	    !json_object_is_type(o, json_type_array))
		return NULL;
	return o;
}

static const char *sh_tree_str(struct json_object *node, const char *key)
{
	struct json_object *o;

	if (!json_object_object_get_ex(node, key, &o) || !json_object_is_type(o, json_type_string))
		return NULL;
	return json_object_get_string(o);
}

struct json_object *sh_tree_find(struct json_object *root, const char *path)
{
	struct json_object *node = root;
	const char *s = path;

	if (!root || path[0] != '/')
		return NULL;
	while (*s) {
		struct json_object *kids;
		size_t i, n, len;

		while (*s == '/')
			s++;
		len = strcspn(s, "/");
		if (!len)
			break;
		kids = sh_tree_children(node);
		n = kids ? json_object_array_length(kids) : 0;
		for (i = 0; i < n; i++) {
			const char *name = sh_tree_name(json_object_array_get_idx(kids, i));

			if (name && strlen(name) == len && memcmp(name, s, len) == 0)
				break;
		}
		if (i == n)
			return NULL;
		node = json_object_array_get_idx(kids, i);
		s += len;
	}
	return node;
}

/* Columns a UTF-8 string takes, one per character (continuation bytes take none). */
static size_t sh_columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int sh_tree_bad(struct sh_err *err, const char *what)
{
	return sh_err_set(err,
			  "portico and porticod may be of different versions: 'portico --version'",
			  "porticod sent a malformed node: %s", what);
}

/* lead: what goes before "o- " on this node's line; last: the node is its parent's last child. */
static int sh_tree_line(struct json_object *node, struct sh_buf *lead, bool last, int depth,
			size_t width, struct sh_buf *out, struct sh_err *err)
{
	struct json_object *kids, *o;
	const char *name, *summary;
	size_t lead_len = lead->len, used, i, n;
	int rc;

	if (!json_object_is_type(node, json_type_object))
		return sh_tree_bad(err, "not an object");
	if (depth > SH_TREE_DEPTH_MAX)
		return sh_tree_bad(err, "nested too deeply");
	name = sh_tree_name(node);
	if (!name || !name[0])
		return sh_tree_bad(err, "a node without a name");
	if (json_object_object_get_ex(node, "children", &o) && o &&
	    !json_object_is_type(o, json_type_array))
		return sh_tree_bad(err, "'children' is not a list");
	summary = sh_tree_str(node, "summary");
	if (!summary || !summary[0])
		summary = "...";

	sh_buf_add(out, sh_buf_str(lead), lead->len);
	sh_buf_puts(out, "o- ");
	sh_buf_add_safe(out, name, strlen(name));
	used = sh_columns(sh_buf_str(lead)) + 3 + sh_columns(name) + 2 + 2 + sh_columns(summary);
	sh_buf_puts(out, " ");
	sh_buf_fill(out, '.', used + SH_TREE_DOTS_MIN <= width ? width - used : SH_TREE_DOTS_MIN);
	sh_buf_puts(out, " [");
	sh_buf_add_safe(out, summary, strlen(summary));
	sh_buf_puts(out, "]\n");

	kids = sh_tree_children(node);
	n = kids ? json_object_array_length(kids) : 0;
	sh_buf_puts(lead, last ? "  " : "| ");
	for (i = 0; i < n; i++) {
		rc = sh_tree_line(json_object_array_get_idx(kids, i), lead, i + 1 == n, depth + 1,
				  width, out, err);
		if (rc)
			return rc;
	}
	lead->len = lead_len;
	if (lead->p)
		lead->p[lead_len] = '\0';
	return sh_buf_status(lead) ? sh_buf_status(lead) : sh_buf_status(out);
}

int sh_tree_render(struct json_object *node, size_t width, struct sh_buf *out, struct sh_err *err)
{
	struct sh_buf lead;
	int rc;

	if (width < SH_TREE_WIDTH_MIN)
		width = SH_TREE_WIDTH_MIN;
	sh_buf_init(&lead);
	rc = sh_tree_line(node, &lead, true, 0, width, out, err);
	sh_buf_fini(&lead);
	return rc;
}

/* ---- properties -------------------------------------------------------- */

static bool sh_is_scalar(struct json_object *v)
{
	return !json_object_is_type(v, json_type_object) &&
	       !json_object_is_type(v, json_type_array);
}

static void sh_view_scalar(struct json_object *v, struct sh_buf *out)
{
	const char *s;

	if (!v) {
		sh_buf_puts(out, "-");
		return;
	}
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		sh_buf_add_safe(out, s, strlen(s));
		return;
	}
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	sh_buf_add_safe(out, s, strlen(s));
}

/* A size in bytes, for people too, as targetcli writes sizes: "21474836480 (20.0GiB)". */
static void sh_view_bytes(const char *key, struct json_object *v, struct sh_buf *out)
{
	char text[32];

	if (!v || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1024 ||
	    !sh_facts_is_bytes(key))
		return;
	size_text((uint64_t)json_object_get_int64(v), text, sizeof(text));
	sh_buf_printf(out, " (%s)", text);
}

static bool sh_all_scalars(struct json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++)
		if (!sh_is_scalar(json_object_array_get_idx(arr, i)))
			return false;
	return true;
}

static void sh_view_members(struct json_object *obj, int indent, bool first_inline,
			    struct sh_buf *out);

/* "key: value" for a member; what follows the key depends on the value. */
static void sh_view_member(const char *key, struct json_object *v, int indent, bool skip_indent,
			   struct sh_buf *out)
{
	size_t i, n;

	if (!skip_indent)
		sh_buf_fill(out, ' ', (size_t)indent);
	sh_buf_add_safe(out, key, strlen(key));
	sh_buf_puts(out, ":");
	if (sh_is_scalar(v)) {
		sh_buf_puts(out, " ");
		sh_view_scalar(v, out);
		sh_view_bytes(key, v, out);
		sh_buf_puts(out, "\n");
	} else if (json_object_is_type(v, json_type_object)) {
		sh_buf_puts(out, json_object_object_length(v) ? "\n" : " -\n");
		sh_view_members(v, indent + 2, false, out);
	} else if (sh_all_scalars(v)) {
		n = json_object_array_length(v);
		sh_buf_puts(out, n ? " " : " -");
		for (i = 0; i < n; i++) {
			if (i)
				sh_buf_puts(out, ", ");
			sh_view_scalar(json_object_array_get_idx(v, i), out);
		}
		sh_buf_puts(out, "\n");
	} else {
		sh_buf_puts(out, "\n");
		sh_view_value(v, indent + 2, out);
	}
}

static void sh_view_members(struct json_object *obj, int indent, bool first_inline,
			    struct sh_buf *out)
{
	bool first = true;

	json_object_object_foreach(obj, key, v)
	{
		sh_view_member(key, v, indent, first && first_inline, out);
		first = false;
	}
}

void sh_view_value(struct json_object *v, int indent, struct sh_buf *out)
{
	size_t i, n;

	if (json_object_is_type(v, json_type_object)) {
		sh_view_members(v, indent, false, out);
		return;
	}
	if (!json_object_is_type(v, json_type_array)) {
		sh_buf_fill(out, ' ', (size_t)indent);
		sh_view_scalar(v, out);
		sh_buf_puts(out, "\n");
		return;
	}
	/* a list of objects: "- " before the first member of each */
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		sh_buf_fill(out, ' ', (size_t)indent);
		sh_buf_puts(out, "- ");
		if (json_object_is_type(e, json_type_object) && json_object_object_length(e)) {
			sh_view_members(e, indent + 2, true, out);
		} else {
			sh_view_scalar(json_object_is_type(e, json_type_object) ? NULL : e, out);
			sh_buf_puts(out, "\n");
		}
	}
}

int sh_view_info(struct json_object *node, struct sh_buf *out, struct sh_err *err)
{
	struct json_object *props;
	const char *s;

	if (!json_object_is_type(node, json_type_object) || !sh_tree_name(node))
		return sh_tree_bad(err, "a node without a name");
	s = sh_tree_str(node, "path");
	sh_buf_puts(out, "path: ");
	sh_buf_add_safe(out, s ? s : "-", strlen(s ? s : "-"));
	s = sh_tree_str(node, "type");
	sh_buf_puts(out, "\ntype: ");
	sh_buf_add_safe(out, s ? s : "-", strlen(s ? s : "-"));
	s = sh_tree_str(node, "summary");
	if (s && s[0]) {
		sh_buf_puts(out, "\nsummary: ");
		sh_buf_add_safe(out, s, strlen(s));
	}
	sh_buf_puts(out, "\n");
	if (json_object_object_get_ex(node, "props", &props) &&
	    json_object_is_type(props, json_type_object))
		sh_view_members(props, 0, false, out);
	return sh_buf_status(out);
}

/* The settings of group in props: props[group], or for "attribute" the scalars of a flat props. */
static struct json_object *sh_group_settings(struct json_object *props, const char *group,
					     bool *flat)
{
	struct json_object *g;

	*flat = false;
	if (!props || !json_object_is_type(props, json_type_object))
		return NULL;
	if (json_object_object_get_ex(props, group, &g) && json_object_is_type(g, json_type_object))
		return g;
	if (strcmp(group, "attribute") == 0) {
		*flat = true;
		return props;
	}
	return NULL;
}

static void sh_view_title(const char *group, struct sh_buf *out)
{
	size_t i, start = out->len, n;

	for (i = 0; group[i]; i++)
		sh_buf_printf(out, "%c", toupper((unsigned char)group[i]));
	sh_buf_puts(out, " CONFIG GROUP\n");
	n = out->len - start - 1;
	sh_buf_fill(out, '=', n);
	sh_buf_puts(out, "\n");
}

static void sh_view_setting(const char *key, struct json_object *v, struct sh_buf *out)
{
	sh_buf_add_safe(out, key, strlen(key));
	sh_buf_puts(out, "=");
	sh_view_scalar(v, out);
	sh_view_bytes(key, v, out);
	sh_buf_puts(out, "\n");
}

static int sh_view_group(struct json_object *props, const char *path, const char *group,
			 const char *const *keys, size_t nkeys, struct sh_buf *out,
			 struct sh_err *err)
{
	struct json_object *g, *v;
	bool flat;
	size_t i;

	g = sh_group_settings(props, group, &flat);
	if (nkeys) {
		for (i = 0; i < nkeys; i++)
			if (!g || !json_object_object_get_ex(g, keys[i], &v) ||
			    (flat && !sh_is_scalar(v)))
				return sh_err_set(err, NULL, "%s has no %s '%.64s'", path, group,
						  keys[i]);
		for (i = 0; i < nkeys; i++) {
			json_object_object_get_ex(g, keys[i], &v);
			sh_view_setting(keys[i], v, out);
		}
		return sh_buf_status(out);
	}
	sh_view_title(group, out);
	if (g) {
		json_object_object_foreach(g, key, val)
		{
			if (!flat || sh_is_scalar(val))
				sh_view_setting(key, val, out);
		}
	}
	return sh_buf_status(out);
}

int sh_view_get(struct json_object *node, enum sh_node_type t, const char *group,
		const char *const *keys, size_t nkeys, struct sh_buf *out, struct sh_err *err)
{
	const char *const *g;
	struct json_object *props = NULL;
	const char *path = sh_tree_str(node, "path");
	int rc;

	if (!json_object_is_type(node, json_type_object) || !sh_tree_name(node))
		return sh_tree_bad(err, "a node without a name");
	json_object_object_get_ex(node, "props", &props);
	if (!path)
		path = sh_tree_name(node);
	if (group)
		return sh_view_group(props, path, group, keys, nkeys, out, err);
	for (g = sh_verb_groups(t); *g; g++) {
		if (g != sh_verb_groups(t))
			sh_buf_puts(out, "\n");
		rc = sh_view_group(props, path, *g, NULL, 0, out, err);
		if (rc)
			return rc;
	}
	return sh_buf_status(out);
}

void sh_view_change(struct json_object *result, const char *op, const char *target,
		    struct sh_buf *out)
{
	struct json_object *msgs;
	const char *path;
	size_t i, n;

	if (result && json_object_object_get_ex(result, "messages", &msgs) &&
	    json_object_is_type(msgs, json_type_array) && json_object_array_length(msgs)) {
		n = json_object_array_length(msgs);
		for (i = 0; i < n; i++) {
			struct json_object *m = json_object_array_get_idx(msgs, i);

			if (json_object_is_type(m, json_type_string)) {
				sh_buf_add_safe(out, json_object_get_string(m),
						(size_t)json_object_get_string_len(m));
				sh_buf_puts(out, "\n");
			}
		}
		return;
	}
	if (strcmp(op, "create") == 0) {
		path = result ? sh_tree_str(result, "path") : NULL;
		path = path ? path : target;
		sh_buf_puts(out, "Created ");
		sh_buf_add_safe(out, path, strlen(path));
		sh_buf_puts(out, ".\n");
	} else if (strcmp(op, "delete") == 0) {
		sh_buf_puts(out, "Deleted ");
		sh_buf_add_safe(out, target, strlen(target));
		sh_buf_puts(out, ".\n");
	}
}

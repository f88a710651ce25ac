/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * porticod's facts as the shell reads them (facts.h): sh_facts_json, read
 * once into lists the rest of the shell hands around.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "target/shell/facts.h"

/* A key as the facts describe it (target/ctl/ctl_facts.h). */
struct sh_fact_key {
	const char *key;
	const char *word; /* what help shows for the value; NULL: nothing said */
	bool is_bool;
	bool optional;
	bool hidden;
	bool secret;
	bool bytes; /* a number of bytes */
};

/* Keys, and their names NULL-terminated. */
struct sh_fact_keys {
	struct sh_fact_key *k;
	size_t n;
	const char **names;
};

struct sh_fact_kind {
	const char *type;
	const char *alias;
	struct sh_fact_keys create;
	char *usage;
};

struct sh_fact_group {
	const char *node;
	const char *name;
	struct sh_fact_keys keys;
};

/* A kind of node and its groups' names, NULL-terminated. */
struct sh_fact_node {
	const char *name;
	const char **groups;
};

/* Everything points into root, which lives as long as the program. */
static struct {
	bool read;
	struct json_object *root;
	struct sh_fact_kind *kinds;
	size_t nkinds;
	const char **types;
	char *types_text;
	struct sh_fact_group *groups;
	size_t ngroups;
	struct sh_fact_node *nodes;
	size_t nnodes;
} sh_facts;

static const char *const sh_facts_none[] = { NULL };

static const char *sh_fact_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool sh_fact_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* The keys of arr (a JSON array of KEYs) into *out. 0 or -1. */
static int sh_facts_read_keys(struct json_object *arr, struct sh_fact_keys *out)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;

	out->k = calloc(n ? n : 1, sizeof(*out->k));
	out->names = calloc(n + 1, sizeof(*out->names));
	if (!out->k || !out->names)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct sh_fact_key *k = &out->k[out->n];

		k->key = sh_fact_str(o, "key");
		if (!k->key)
			continue;
		k->word = sh_fact_str(o, "word");
		k->is_bool = sh_fact_bool(o, "bool");
		k->optional = sh_fact_bool(o, "optional");
		k->hidden = sh_fact_bool(o, "hidden");
		k->secret = sh_fact_bool(o, "secret");
		k->bytes = sh_fact_bool(o, "bytes");
		out->names[out->n++] = k->key;
	}
	return 0;
}

/* "key=WORD" of k */
static void sh_fact_key_usage(const struct sh_fact_key *k, struct sh_buf *out)
{
	sh_buf_printf(out, "%s=%s", k->key, k->word ? k->word : "VALUE");
}

/* "create name=NAME file=PATH [size=SIZE] ...": each optional key in brackets of its own. */
static char *sh_facts_usage(const struct sh_fact_keys *keys)
{
	struct sh_buf b;
	char *s;

	sh_buf_init(&b);
	sh_buf_puts(&b, "create");
	for (size_t i = 0; i < keys->n; i++) {
		if (keys->k[i].hidden)
			continue;
		sh_buf_puts(&b, keys->k[i].optional ? " [" : " ");
		sh_fact_key_usage(&keys->k[i], &b);
		if (keys->k[i].optional)
			sh_buf_puts(&b, "]");
	}
	s = sh_buf_status(&b) ? NULL : strdup(sh_buf_str(&b));
	sh_buf_fini(&b);
	return s;
}

static int sh_facts_read_kinds(struct json_object *arr)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	struct sh_buf b;

	sh_facts.kinds = calloc(n ? n : 1, sizeof(*sh_facts.kinds));
	sh_facts.types = calloc(n + 1, sizeof(*sh_facts.types));
	if (!sh_facts.kinds || !sh_facts.types)
		return -1;
	sh_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *create = NULL;
		struct sh_fact_kind *k = &sh_facts.kinds[sh_facts.nkinds];

		k->type = sh_fact_str(o, "type");
		if (!k->type)
			continue;
		k->alias = sh_fact_str(o, "alias");
		json_object_object_get_ex(o, "create", &create);
		if (sh_facts_read_keys(create, &k->create))
			break;
		k->usage = sh_facts_usage(&k->create);
		sh_facts.types[sh_facts.nkinds++] = k->type;
	}
	/* "file, block, lvm and null" */
	for (size_t i = 0; i < sh_facts.nkinds; i++)
		sh_buf_printf(&b, "%s%s", !i ? "" : i + 1 == sh_facts.nkinds ? " and " : ", ",
			      sh_facts.types[i]);
	sh_facts.types_text = sh_buf_status(&b) ? NULL : strdup(sh_buf_str(&b));
	sh_buf_fini(&b);
	return 0;
}

/* The groups of one kind of node, node: a JSON array of {"name", "keys"}. */
static int sh_facts_read_node(const char *node, struct json_object *arr)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	struct sh_fact_group *groups;
	struct sh_fact_node *nodes, *nd;

	groups = realloc(sh_facts.groups, (sh_facts.ngroups + n + 1) * sizeof(*groups));
	if (groups)
		sh_facts.groups = groups;
	nodes = realloc(sh_facts.nodes, (sh_facts.nnodes + 1) * sizeof(*nodes));
	if (nodes)
		sh_facts.nodes = nodes;
	if (!groups || !nodes)
		return -1;
	nd = &sh_facts.nodes[sh_facts.nnodes];
	nd->name = node;
	nd->groups = calloc(n + 1, sizeof(*nd->groups));
	if (!nd->groups)
		return -1;
	sh_facts.nnodes++;
	for (size_t i = 0, k = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *keys = NULL;
		struct sh_fact_group *g = &sh_facts.groups[sh_facts.ngroups];

		memset(g, 0, sizeof(*g));
		g->node = node;
		g->name = sh_fact_str(o, "name");
		json_object_object_get_ex(o, "keys", &keys);
		if (!g->name || sh_facts_read_keys(keys, &g->keys))
			continue;
		nd->groups[k++] = g->name;
		sh_facts.ngroups++;
	}
	return 0;
}

/* Reads sh_facts_json once; what cannot be read (memory) stays empty. */
static void sh_facts_read(void)
{
	struct json_object *kinds = NULL, *groups = NULL;

	if (sh_facts.read)
		return;
	sh_facts.read = true;
	sh_facts.root = json_tokener_parse(sh_facts_json);
	if (!sh_facts.root)
		return;
	json_object_object_get_ex(sh_facts.root, "backstores", &kinds);
	if (sh_facts_read_kinds(kinds))
		return;
	json_object_object_get_ex(sh_facts.root, "groups", &groups);
	if (!json_object_is_type(groups, json_type_object))
		return;
	json_object_object_foreach(groups, node, arr)
	{
		if (sh_facts_read_node(node, arr))
			return;
	}
}

static const struct sh_fact_kind *sh_facts_kind(const char *type)
{
	sh_facts_read();
	for (size_t i = 0; type && i < sh_facts.nkinds; i++)
		if (!strcmp(sh_facts.kinds[i].type, type))
			return &sh_facts.kinds[i];
	return NULL;
}

static const struct sh_fact_group *sh_facts_group(const char *node, const char *group)
{
	sh_facts_read();
	for (size_t i = 0; node && group && i < sh_facts.ngroups; i++)
		if (!strcmp(sh_facts.groups[i].node, node) &&
		    !strcmp(sh_facts.groups[i].name, group))
			return &sh_facts.groups[i];
	return NULL;
}

const char *const *sh_facts_bs_types(void)
{
	sh_facts_read();
	return sh_facts.types ? sh_facts.types : sh_facts_none;
}

const char *sh_facts_bs_types_text(void)
{
	sh_facts_read();
	return sh_facts.types_text ? sh_facts.types_text : "";
}

const char *sh_facts_bs_alias(const char *name)
{
	sh_facts_read();
	for (size_t i = 0; i < sh_facts.nkinds; i++)
		if (sh_facts.kinds[i].alias && !strcmp(sh_facts.kinds[i].alias, name))
			return sh_facts.kinds[i].type;
	return NULL;
}

const char *const *sh_facts_create_keys(const char *type)
{
	const struct sh_fact_kind *k = sh_facts_kind(type);

	return k && k->create.names ? k->create.names : sh_facts_none;
}

const char *sh_facts_create_usage(const char *type)
{
	const struct sh_fact_kind *k = sh_facts_kind(type);

	return k && k->usage ? k->usage : "create";
}

const char *const *sh_facts_groups(const char *node)
{
	sh_facts_read();
	for (size_t i = 0; node && i < sh_facts.nnodes; i++)
		if (!strcmp(sh_facts.nodes[i].name, node))
			return sh_facts.nodes[i].groups;
	return sh_facts_none;
}

const char *const *sh_facts_group_keys(const char *node, const char *group)
{
	const struct sh_fact_group *g = sh_facts_group(node, group);

	return g ? g->keys.names : sh_facts_none;
}

void sh_facts_group_usage(const char *node, const char *group, const char *sep, bool brackets,
			  struct sh_buf *out)
{
	const struct sh_fact_group *g = sh_facts_group(node, group);
	bool open = false;

	for (size_t i = 0; g && i < g->keys.n; i++) {
		const struct sh_fact_key *k = &g->keys.k[i];
		bool opt = brackets && k->optional;

		if (i)
			sh_buf_puts(out, sep);
		if (opt && !open)
			sh_buf_puts(out, "[");
		open = opt;
		sh_fact_key_usage(k, out);
		/* optional keys share brackets, but a secret ends its name's pair */
		if (open && (i + 1 == g->keys.n || !g->keys.k[i + 1].optional || k->secret)) {
			sh_buf_puts(out, "]");
			open = false;
		}
	}
}

/* Whether any key of keys is key and says so of is_bool or secret (which). */
static bool sh_facts_any(const struct sh_fact_keys *keys, const char *key, bool secret)
{
	for (size_t i = 0; i < keys->n; i++)
		if (!strcmp(keys->k[i].key, key) &&
		    (secret ? keys->k[i].secret : keys->k[i].is_bool))
			return true;
	return false;
}

bool sh_facts_is_bool(const char *key)
{
	sh_facts_read();
	for (size_t i = 0; i < sh_facts.nkinds; i++)
		if (sh_facts_any(&sh_facts.kinds[i].create, key, false))
			return true;
	for (size_t i = 0; i < sh_facts.ngroups; i++)
		if (sh_facts_any(&sh_facts.groups[i].keys, key, false))
			return true;
	return false;
}

bool sh_facts_is_bytes(const char *key)
{
	sh_facts_read();
	for (size_t i = 0; i < sh_facts.ngroups; i++) {
		const struct sh_fact_keys *keys = &sh_facts.groups[i].keys;

		for (size_t j = 0; j < keys->n; j++)
			if (keys->k[j].bytes && !strcmp(keys->k[j].key, key))
				return true;
	}
	return false;
}

bool sh_facts_has_secret(const char *text)
{
	sh_facts_read();
	for (size_t i = 0; i < sh_facts.ngroups; i++) {
		const struct sh_fact_keys *keys = &sh_facts.groups[i].keys;

		for (size_t j = 0; j < keys->n; j++) {
			const char *at = keys->k[j].secret ? strstr(text, keys->k[j].key) : NULL;

			for (; at; at = strstr(at + 1, keys->k[j].key))
				if (at[strlen(keys->k[j].key)] == '=')
					return true;
		}
	}
	return false;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* porticod's facts, for the shell (ctl_facts.h). */
#include <json-c/json.h>
#include <stdbool.h>

#include "target/backstore/bs_kind.h"
#include "target/ctl/ctl_facts.h"
#include "target/ctl/ctl_tree.h"
#include "target/model/obj_settings.h"

/* Adds v (NULL: allocation failed) to o under key; v is o's or put. 0 or -1. */
static int ctl_facts_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (v && !json_object_object_add(o, key, v))
		return 0;
	json_object_put(v);
	return -1;
}

/* A KEY of ctl_facts.h, appended to arr: only the members that say something. */
static int ctl_facts_key(struct json_object *arr, const char *key, const char *word, bool boolean,
			 bool optional, bool hidden, bool secret)
{
	struct json_object *o = json_object_new_object();

	if (!o || json_object_array_add(arr, o)) {
		json_object_put(o);
		return -1;
	}
	if (ctl_facts_add(o, "key", json_object_new_string(key)) ||
	    (word && ctl_facts_add(o, "word", json_object_new_string(word))) ||
	    (boolean && ctl_facts_add(o, "bool", json_object_new_boolean(true))) ||
	    (optional && ctl_facts_add(o, "optional", json_object_new_boolean(true))) ||
	    (hidden && ctl_facts_add(o, "hidden", json_object_new_boolean(true))) ||
	    (secret && ctl_facts_add(o, "secret", json_object_new_boolean(true))))
		return -1;
	return 0;
}

/* What create takes at kind k, in the table's order, each name followed by its alias. */
static struct json_object *ctl_facts_create(const struct bs_kind *k)
{
	struct json_object *arr = json_object_new_array();
	int rc = arr ? 0 : -1;

	obj_bs_settings_foreach(r) {
		const char *arg = obj_bs_setting_arg(r, k);
		bool boolean = r->value == OBJ_BS_BOOL, optional = !obj_bs_setting_required(r, k);

		if (rc || !arg || !obj_bs_setting_applies(r, k))
			continue;
		rc = ctl_facts_key(arr, arg, obj_bs_setting_word(r, k), boolean, optional, false,
				   false);
		if (!rc && r->alias)
			rc = ctl_facts_key(arr, r->alias, obj_bs_setting_word(r, k), boolean, true,
					   true, false);
	}
	if (rc) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

static struct json_object *ctl_facts_backstores(void)
{
	struct json_object *arr = json_object_new_array();
	int rc;

	for (size_t i = 0; arr && i < BS_KIND__COUNT; i++) {
		const struct bs_kind *k = &bs_kinds[i];
		struct json_object *o = json_object_new_object(), *create = ctl_facts_create(k);

		if (!o || !create || json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(create);
			json_object_put(arr);
			return NULL;
		}
		rc = ctl_facts_add(o, "type", json_object_new_string(k->name));
		if (!rc && k->alias)
			rc = ctl_facts_add(o, "alias", json_object_new_string(k->alias));
		if (rc)
			json_object_put(create);
		else
			rc = ctl_facts_add(o, "create", create);
		if (rc) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

/* The keys of group grp, in the order the tree shows them: enable, the table's, the allow list. */
static struct json_object *ctl_facts_group_keys(const struct ctl_group *grp)
{
	struct json_object *arr = json_object_new_array();
	int rc = arr ? 0 : -1;

	if (!rc && grp->enable)
		rc = ctl_facts_key(arr, "enable", NULL, false, false, false, false);
	if (grp->node == CTL_NODE_BACKSTORE) {
		/* the settable settings of its kind-independent table */
		obj_bs_settings_foreach(r) {
			if (!rc && r->settable)
				rc = ctl_facts_key(arr, r->key, obj_bs_setting_word(r, NULL),
						   r->value == OBJ_BS_BOOL, false, false, false);
			/* a number of bytes: get shows it for people too */
			if (!rc && r->settable && r->value == OBJ_BS_SIZE)
				rc = ctl_facts_add(json_object_array_get_idx(
							   arr, json_object_array_length(arr) - 1),
						   "bytes", json_object_new_boolean(true));
		}
	}
	if (grp->settings) {
		obj_settings_foreach(r, grp->settings) {
			bool boolean = r->type == OBJ_SETTING_BOOL || r->type == OBJ_SETTING_YESNO;

			/* optional: the target's credentials, and a policy left unset */
			bool optional = r->mutual || r->type == OBJ_SETTING_CHAP_ALGS;

			if (!rc)
				rc = ctl_facts_key(arr, r->key, obj_setting_word(r), boolean,
						   optional, false, r->type == OBJ_SETTING_SECRET);
		}
	}
	if (!rc && grp->allowed_addresses)
		rc = ctl_facts_key(arr, "allowed_addresses", NULL, false, false, false, false);
	if (rc) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

/* How the facts name a node with groups: as the shell does (docs/shell.md). */
static const char *ctl_facts_node(enum ctl_node_type t)
{
	return t == CTL_NODE_ISCSI ? "iscsi" : ctl_node_type_name(t);
}

static struct json_object *ctl_facts_groups(void)
{
	struct json_object *by_node = json_object_new_object();

	for (size_t i = 0; by_node && i < ctl_ngroups; i++) {
		const struct ctl_group *grp = &ctl_groups[i];
		struct json_object *list, *o = json_object_new_object();
		struct json_object *keys = ctl_facts_group_keys(grp);

		const char *node = ctl_facts_node(grp->node);

		if (!json_object_object_get_ex(by_node, node, &list) &&
		    ctl_facts_add(by_node, node, list = json_object_new_array()))
			list = NULL;
		if (!o || !keys || !list || json_object_array_add(list, o)) {
			json_object_put(o);
			json_object_put(keys);
			json_object_put(by_node);
			return NULL;
		}
		if (ctl_facts_add(o, "name", json_object_new_string(grp->name))) {
			json_object_put(keys);
			json_object_put(by_node);
			return NULL;
		}
		if (ctl_facts_add(o, "keys", keys)) {
			json_object_put(by_node);
			return NULL;
		}
	}
	return by_node;
}

struct json_object *ctl_facts(void)
{
	struct json_object *o = json_object_new_object();
	struct json_object *bs = ctl_facts_backstores(), *groups = ctl_facts_groups();

	if (!o) {
		json_object_put(bs);
		json_object_put(groups);
		return NULL;
	}
	/* both, so that each takes its value whatever the other did */
	if (ctl_facts_add(o, "backstores", bs) | ctl_facts_add(o, "groups", groups)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

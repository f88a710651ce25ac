/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * porticod's facts for the shell: every backstore kind, in its order, with
 * what create takes there exactly as the editor takes it; every group of
 * settings at its kind of node with every row of its table, each KEY
 * saying what the row says (a boolean, a secret, optional, hidden).
 */
#include <check.h>
#include <json-c/json.h>
#include <string.h>

#include "common/util.h"
#include "target/backstore/bs_kind.h"
#include "target/ctl/ctl_facts.h"
#include "target/ctl/ctl_tree.h"
#include "target/model/obj_settings.h"
#include "tests/unit/check_main.h"

static struct json_object *facts;

static void setup(void)
{
	facts = ctl_facts();
	ck_assert_ptr_nonnull(facts);
}

static void teardown(void)
{
	json_object_put(facts);
	facts = NULL;
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no '%s' in %s", key,
		      json_object_to_json_string(o));
	return v;
}

static bool flag(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* The name of KEY i of keys. */
static const char *key_name(struct json_object *keys, size_t i)
{
	return json_object_get_string(member(json_object_array_get_idx(keys, i), "key"));
}

START_TEST(every_kind)
{
	const struct bs_kind *k = &bs_kinds[_i];
	struct json_object *kinds = member(facts, "backstores"), *o, *create;
	const char *args[OBJ_SETTINGS_MAX + 4];
	size_t n;

	ck_assert_uint_eq(json_object_array_length(kinds), BS_KIND__COUNT);
	o = json_object_array_get_idx(kinds, (size_t)_i);
	ck_assert_str_eq(json_object_get_string(member(o, "type")), k->name);
	if (k->alias)
		ck_assert_str_eq(json_object_get_string(member(o, "alias")), k->alias);
	create = member(o, "create");
	n = obj_bs_create_args(k, false, args, ARRAY_SIZE(args));
	ck_assert_uint_eq(json_object_array_length(create), n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *key = json_object_array_get_idx(create, i);

		ck_assert_str_eq(key_name(create, i), args[i]);
		ck_assert_ptr_nonnull(json_object_get_string(member(key, "word")));
	}
	/* what the shell shows: the path under its kind's name, required */
	if (k->path_key) {
		struct json_object *path = json_object_array_get_idx(create, 1);

		ck_assert_str_eq(json_object_get_string(member(path, "key")), k->path_key);
		ck_assert_str_eq(json_object_get_string(member(path, "word")), k->path_word);
		ck_assert(!flag(path, "optional"));
	}
}
END_TEST

/* The KEYs of a backstore's create that are another name are hidden, the booleans said so. */
START_TEST(create_keys_say_what_rows_say)
{
	struct json_object *kinds = member(facts, "backstores");
	struct json_object *create = member(json_object_array_get_idx(kinds, BS_KIND_FILE), "create");

	for (size_t i = 0; i < json_object_array_length(create); i++) {
		struct json_object *key = json_object_array_get_idx(create, i);
		const char *name = json_object_get_string(member(key, "key"));

		ck_assert_int_eq(flag(key, "hidden"), !strcmp(name, "thin"));
		bool boolean = !strcmp(name, "sparse") || !strcmp(name, "thin") ||
			       !strcmp(name, "write_back") || !strcmp(name, "readonly") ||
			       !strcmp(name, "removable");

		ck_assert_int_eq(flag(key, "bool"), boolean);
		ck_assert_int_eq(flag(key, "optional"),
				 strcmp(name, "name") != 0 && strcmp(name, "file") != 0);
	}
}
END_TEST

/* Group i of ctl_groups, in the facts of its node, with every row of its table. */
START_TEST(every_group)
{
	const struct ctl_group *grp = &ctl_groups[_i];
	const char *node = grp->node == CTL_NODE_ISCSI ? "iscsi" : ctl_node_type_name(grp->node);
	struct json_object *list = member(member(facts, "groups"), node), *g = NULL, *keys;
	size_t k = 0;

	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);

		if (!strcmp(json_object_get_string(member(o, "name")), grp->name))
			g = o;
	}
	ck_assert_msg(g != NULL, "no group %s at %s", grp->name, node);
	keys = member(g, "keys");
	if (grp->enable)
		ck_assert_str_eq(key_name(keys, k++), "enable");
	if (grp->node == CTL_NODE_BACKSTORE) {
		obj_bs_settings_foreach(r) {
			if (r->settable)
				ck_assert_str_eq(key_name(keys, k++), r->key);
		}
	}
	if (grp->settings) {
		obj_settings_foreach(r, grp->settings) {
			struct json_object *key = json_object_array_get_idx(keys, k);

			ck_assert_str_eq(key_name(keys, k++), r->key);
			ck_assert_int_eq(flag(key, "bool"), r->type == OBJ_SETTING_BOOL ||
								    r->type == OBJ_SETTING_YESNO);
			ck_assert_int_eq(flag(key, "secret"), r->type == OBJ_SETTING_SECRET);
			/* optional: the target's credentials, and the CHAP policy */
			ck_assert_int_eq(flag(key, "optional"),
					 r->mutual || r->type == OBJ_SETTING_CHAP_ALGS);
		}
	}
	if (grp->allowed_addresses)
		ck_assert_str_eq(key_name(keys, k++), "allowed_addresses");
	ck_assert_uint_eq(json_object_array_length(keys), k);
}
END_TEST

static Suite *ctl_facts_suite(void)
{
	Suite *s = suite_create("ctl_facts");
	TCase *tc = tcase_create("facts");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, every_kind, 0, BS_KIND__COUNT);
	tcase_add_test(tc, create_keys_say_what_rows_say);
	tcase_add_loop_test(tc, every_group, 0, (int)ctl_ngroups);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ctl_facts_suite)

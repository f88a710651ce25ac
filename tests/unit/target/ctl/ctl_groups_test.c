/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The groups of settings at each kind of node: `get` shows every group of
 * a node with each of its keys in the table's order (enable first, the
 * allow list last, a secret only as whether it is set), `set` finds each
 * group and refuses one a node does not have.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "target/ctl/ctl_tree.h"
#include "target/model/obj_settings.h"
#include "tests/unit/target/ctl/ctl_req.h"
#include "tests/unit/check_main.h"

#define ACL TPG "/acls/" KVM1

/* A node of type t in the model basic() makes. */
static const char *node_path(enum ctl_node_type t)
{
	switch (t) {
	case CTL_NODE_BACKSTORE:
		return "/backstores/null/N0";
	case CTL_NODE_ISCSI:
		return "/iscsi";
	case CTL_NODE_TPG:
		return TPG;
	case CTL_NODE_ACL:
		return ACL;
	default:
		ck_abort_msg("no node of type %s here", ctl_node_type_name(t));
		return NULL;
	}
}

static void basic(void)
{
	ok("create", "/backstores/null", "{\"name\": \"N0\", \"size\": \"1M\"}");
	ok("create", "/iscsi", "{\"_1\": \"" TGT "\"}");
	ok("create", TPG "/acls", "{\"_1\": \"" KVM1 "\"}");
}

START_TEST(every_group_in_the_tree)
{
	const struct ctl_group *grp = &ctl_groups[_i];
	struct json_object *props, *g;
	size_t k = 0;
	char key[64];

	basic();
	ok("get", node_path(grp->node), "{\"depth\": \"0\"}");
	ck_assert(json_object_object_get_ex(R.result, "props", &props));
	if (grp->node == CTL_NODE_BACKSTORE) {
		/* flat: its props are its attribute group */
		obj_bs_settings_foreach(r)
			if (r->settable)
				ck_assert(json_object_object_get_ex(props, r->key, NULL));
		return;
	}
	ck_assert_msg(json_object_object_get_ex(props, grp->name, &g), "no group %s", grp->name);
	json_object_object_foreach(g, name, v)
	{
		(void)v;
		if (k == 0 && grp->enable) {
			ck_assert_str_eq(name, "enable");
		} else if (grp->settings && k - grp->enable < grp->settings->n) {
			const struct obj_setting *r = &grp->settings->rows[k - grp->enable];

			snprintf(key, sizeof(key),
				 r->type == OBJ_SETTING_SECRET ? "%s_set" : "%s", r->key);
			ck_assert_str_eq(name, key);
		} else {
			ck_assert(grp->allowed_addresses);
			ck_assert_str_eq(name, "allowed_addresses");
		}
		k++;
	}
	ck_assert_uint_eq(k, grp->enable + (grp->settings ? grp->settings->n : 0) +
				     grp->allowed_addresses);
}
END_TEST

START_TEST(set_finds_each_group)
{
	const struct ctl_group *grp = &ctl_groups[_i];
	char args[128];

	ck_assert_ptr_eq(ctl_group_find(grp->node, grp->name), grp);
	for (size_t j = 0; j < ctl_ngroups; j++)
		if (j != (size_t)_i)
			ck_assert(ctl_groups[j].node != grp->node ||
				  strcmp(ctl_groups[j].name, grp->name));
	basic();
	/* a key no group has: refused by the group's own list */
	snprintf(args, sizeof(args), "{\"_1\": \"%s\", \"no_such_key\": \"1\"}", grp->name);
	refused("set", node_path(grp->node), args, -EINVAL, "takes no argument 'no_such_key'");
	/* credentials where the group refuses them: with its reason */
	snprintf(args, sizeof(args), "{\"_1\": \"%s\", \"userid\": \"u\"}", grp->name);
	if (grp->refused)
		refused("set", node_path(grp->node), args, -EINVAL, grp->refused);
}
END_TEST

START_TEST(groups_a_node_has_not)
{
	basic();
	refused("set", TPG, "{\"_1\": \"discovery_auth\", \"userid\": \"u\"}", -EINVAL,
		"no group 'discovery_auth' at " TPG);
	refused("set", "/iscsi", "{\"_1\": \"attribute\", \"x\": \"1\"}", -EINVAL,
		"no group 'attribute' at /iscsi");
	refused("set", "/backstores/null/N0", "{\"_1\": \"auth\", \"readonly\": \"1\"}", -EINVAL,
		"a backstore has only the 'attribute' group");
	ck_assert_ptr_null(ctl_group_find(CTL_NODE_LUN, "attribute"));
	ck_assert_ptr_null(ctl_group_find(CTL_NODE_TPG, NULL));
}
END_TEST

static Suite *ctl_groups_suite(void)
{
	Suite *s = suite_create("ctl_groups");
	TCase *tc = tcase_create("groups");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, every_group_in_the_tree, 0, (int)ctl_ngroups);
	tcase_add_loop_test(tc, set_finds_each_group, 0, (int)ctl_ngroups);
	tcase_add_test(tc, groups_a_node_has_not);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ctl_groups_suite)

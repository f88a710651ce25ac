/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The groups of settings at each kind of node (ctl_tree.h): one row each,
 * in the order `get` and `help` list them at their node.
 */
#include <string.h>

#include "target/ctl/ctl_tree.h"
#include "target/model/obj_settings.h"

static const void *ctl_group_tpg_attrs(const struct obj_model *m, const struct ctl_node *n)
{
	(void)m;
	return &n->tpg->attrs;
}

static const void *ctl_group_tpg_params(const struct obj_model *m, const struct ctl_node *n)
{
	(void)m;
	return &n->tpg->params;
}

static const void *ctl_group_tpg_auth(const struct obj_model *m, const struct ctl_node *n)
{
	(void)m;
	return &n->tpg->auth;
}

static const void *ctl_group_tpg_alua(const struct obj_model *m, const struct ctl_node *n)
{
	(void)m;
	return &n->tpg->alua;
}

static const void *ctl_group_acl_chap(const struct obj_model *m, const struct ctl_node *n)
{
	(void)m;
	return &n->acl->chap;
}

static const void *ctl_group_discovery_chap(const struct obj_model *m, const struct ctl_node *n)
{
	(void)n;
	return &m->discovery_auth;
}

/* clang-format off */
const struct ctl_group ctl_groups[] = {
	/* its settable settings (obj_bs_settings), flat in its props */
	{ .node = CTL_NODE_BACKSTORE, .name = "attribute" },
	/* global: a discovery session names no target (docs/configuration.md, "CHAP") */
	{ .node = CTL_NODE_ISCSI, .name = "discovery_auth",
	  .settings = &obj_discovery_auth_settings, .object = ctl_group_discovery_chap,
	  .enable = true,
	  .off = "Discovery authentication is now off." },
	{ .node = CTL_NODE_TPG, .name = "attribute", .settings = &obj_tpg_attr_settings,
	  .object = ctl_group_tpg_attrs, .allowed_addresses = true },
	{ .node = CTL_NODE_TPG, .name = "parameter", .settings = &obj_tpg_param_settings,
	  .object = ctl_group_tpg_params },
	/*
	 * A TPG has no credentials of its own (CHAP lives in its ACLs, and its
	 * attribute authentication says whether it is required): they are
	 * there, unset, so that `get auth` answers the same at every level.
	 * Its chap_algorithms is the policy of its ACLs that have none.
	 */
	{ .node = CTL_NODE_TPG, .name = "auth", .settings = &obj_tpg_auth_settings,
	  .object = ctl_group_tpg_auth,
	  .refused = "CHAP credentials belong to an ACL or to discovery; the TPG's attribute 'authentication' makes CHAP mandatory",
	  .refused_hint =
		  "acls/<initiator> set auth userid=U password=P; /iscsi set discovery_auth ..." },
	/* its target port group's access state (SPC-4 §5.16), live: obj_alua.h */
	{ .node = CTL_NODE_TPG, .name = "alua", .settings = &obj_tpg_alua_settings,
	  .object = ctl_group_tpg_alua },
	{ .node = CTL_NODE_ACL, .name = "attribute", .allowed_addresses = true },
	{ .node = CTL_NODE_ACL, .name = "auth", .settings = &obj_chap_settings,
	  .object = ctl_group_acl_chap },
};
/* clang-format on */

const size_t ctl_ngroups = sizeof(ctl_groups) / sizeof(ctl_groups[0]);

const struct ctl_group *ctl_group_find(enum ctl_node_type t, const char *name)
{
	for (size_t i = 0; name && i < ctl_ngroups; i++)
		if (ctl_groups[i].node == t && !strcmp(ctl_groups[i].name, name))
			return &ctl_groups[i];
	return NULL;
}

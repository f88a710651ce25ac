/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The object model as the control protocol shows it (docs/control-protocol.md,
 * "The tree" and "Nodes in results"): node paths resolved to the objects
 * they name, and nodes rendered as JSON for `get`. Pure: reads a model, no
 * I/O; the caller holds whatever lock keeps the model still.
 */
#ifndef PORTICO_TARGET_CTL_TREE_H
#define PORTICO_TARGET_CTL_TREE_H

#include <stddef.h>

#include "target/model/obj.h"

struct json_object;

enum ctl_node_type {
	CTL_NODE_ROOT,
	CTL_NODE_BACKSTORES, /* /backstores */
	CTL_NODE_BS_TYPE,    /* /backstores/<type> */
	CTL_NODE_BACKSTORE,  /* /backstores/<type>/<name> */
	CTL_NODE_ISCSI,	     /* /iscsi */
	CTL_NODE_TARGET,     /* /iscsi/<iqn> */
	CTL_NODE_TPG,	     /* /iscsi/<iqn>/tpg<N> */
	CTL_NODE_PORTALS,    /* .../portals */
	CTL_NODE_PORTAL,     /* .../portals/<ip>:<port> */
	CTL_NODE_LUNS,	     /* .../luns */
	CTL_NODE_LUN,	     /* .../luns/lun<N> */
	CTL_NODE_ACLS,	     /* .../acls */
	CTL_NODE_ACL,	     /* .../acls/<initiator iqn> */
	CTL_NODE_MAPPED_LUN, /* .../acls/<iqn>/mapped_lun<N> */
};

/*
 * A resolved path. Pointers point into the model the path was resolved
 * against and are valid while it does not change; fields below the node's
 * level are NULL / unused.
 */
struct ctl_node {
	enum ctl_node_type type;
	char bs_type[16];	   /* BS_TYPE, BACKSTORE: a kind's name (bs_kind.h) */
	struct obj_backstore *bs;  /* BACKSTORE */
	struct obj_target *target; /* TARGET and below */
	struct obj_tpg *tpg;	   /* TPG and below */
	struct obj_acl *acl;	   /* ACL, MAPPED_LUN */
	/*
	 * PORTAL, LUN, ACL, MAPPED_LUN: the index in its array (for a
	 * MAPPED_LUN of an ACL with all_luns, in tpg->luns); BACKSTORE, TARGET,
	 * TPG: likewise, in m->backstores, m->targets, target->tpgs.
	 */
	size_t index;
};

/*
 * A group of settings, as `set` and `get` name it at a kind of node
 * (docs/control-protocol.md, "Verbs" and "Nodes in results"): its keys are
 * a settings table's (obj_settings.h) and the extras below. The tree shows
 * it in the node's props, the editor sets it, the shell lists it (through
 * the facts, ctl_facts.h). A backstore's group is its settable settings,
 * flat in its props.
 */
struct ctl_group {
	enum ctl_node_type node;
	const char *name;
	const struct obj_settings *settings; /* its keys; NULL: none of a table */
	/* the object its settings are in, at node n of m; NULL (or no function): none, all unset */
	const void *(*object)(const struct obj_model *m, const struct ctl_node *n);
	bool enable; /* enable=false removes it, and its props say whether it is on (targetcli's) */
	const char *off; /* what enable=false says */
	bool allowed_addresses; /* and allowed_addresses: the node's own list, not in the group */
	/* set refuses the table's credentials (CHAP names, secrets) here, saying this (and hint) */
	const char *refused;
	const char *refused_hint;
};

extern const struct ctl_group ctl_groups[];
extern const size_t ctl_ngroups;

/* The group name at nodes of type t, or NULL. */
const struct ctl_group *ctl_group_find(enum ctl_node_type t, const char *name);

/* The node's type name in results: "root", "group", "backstore", "target", "tpg", ... */
const char *ctl_node_type_name(enum ctl_node_type type);

/*
 * Resolves an absolute path ("/", "/backstores/file/LUN0",
 * "/iscsi/iqn.../tpg1/acls/iqn.../mapped_lun0"; a trailing '/' and
 * repeated '/' are accepted; IQNs compare case-insensitively, as iSCSI
 * names do). 0 with *out set; -ENOENT with why saying which part is not
 * there ("no target 'iqn...'"); -EINVAL with why for a path that cannot
 * name a node (relative, a component too long).
 */
int ctl_tree_resolve(struct obj_model *m, const char *path, struct ctl_node *out, char *why,
		     size_t whylen);

/* Writes n's canonical path into buf. 0, -ENOSPC, or -EINVAL for a node that names nothing. */
int ctl_tree_path(const struct ctl_node *n, char *buf, size_t len);

/* What rendering asks the daemon about the live state (may be NULL: everything 0). */
struct ctl_tree_live {
	/* Sessions whose LUN map shows b's LU now (props "in_use"). */
	unsigned int (*bs_sessions)(void *arg, const struct obj_backstore *b);
	void *arg;
};

/*
 * Renders node n with depth levels of children below it (depth < 0: the
 * whole subtree; 0: no "children" member), as "Nodes in results" says: name,
 * path, type, summary, props (secrets never: "password_set" instead),
 * children in targetcli's order. NULL on ENOMEM. The caller puts the result.
 */
struct json_object *ctl_tree_render(const struct obj_model *m, const struct ctl_node *n,
				    int depth, const struct ctl_tree_live *live);

/* "20.0GiB", "512.0MiB", "4.0KiB", "100B": sizes as targetcli's summaries write them. */
void ctl_tree_size_text(uint64_t bytes, char *buf, size_t len);

#endif

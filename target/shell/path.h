/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Node paths of the shell (pure): resolving what the user typed against
 * the current node, and what kind of node a path names, from the shape of
 * porticod's tree (docs/control-protocol.md, "The tree"):
 *
 *   /backstores/<type>/<name>            (the types porticod's facts give, facts.h)
 *   /iscsi/<target iqn>/tpg<N>/portals/<ip>:<port>
 *                             /luns/lun<N>
 *                             /acls/<initiator iqn>/mapped_lun<N>
 */
#ifndef PORTICO_TARGET_SHELL_PATH_H
#define PORTICO_TARGET_SHELL_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define SH_PATH_MAX 4096
#define SH_TPG_TAG_MAX 65535
#define SH_LUN_MAX 16383

enum sh_node_type {
	SH_NODE_INVALID = 0,
	SH_NODE_ROOT,
	SH_NODE_BACKSTORES, /* /backstores */
	SH_NODE_BS_GROUP, /* /backstores/<type> */
	SH_NODE_BACKSTORE,
	SH_NODE_ISCSI, /* /iscsi */
	SH_NODE_TARGET,
	SH_NODE_TPG,
	SH_NODE_PORTALS,
	SH_NODE_PORTAL,
	SH_NODE_LUNS,
	SH_NODE_LUN,
	SH_NODE_ACLS,
	SH_NODE_ACL,
	SH_NODE_MAPPED_LUN,
	SH_NODE__COUNT,
};

struct sh_node_info {
	enum sh_node_type type;
	const char *bs_type; /* BS_GROUP, BACKSTORE: a backstore kind (facts.h); else NULL */
	unsigned long number; /* TPG: its tag; LUN, MAPPED_LUN: its number */
};

/*
 * Resolves input against cwd (a canonical path): absolute or relative, "."
 * and "..", repeated and trailing slashes; ".." at the root stays there.
 * Another name of a backstore kind (targetcli's "fileio") is taken for the
 * kind under /backstores. Writes the
 * canonical form ("/", "/backstores/file") into out. Returns 0 or
 * -ENAMETOOLONG.
 */
int sh_path_resolve(const char *cwd, const char *input, char *out, size_t cap);

/*
 * What a canonical path names, from the tree's shape alone (whether it
 * exists is porticod's to say). Returns 0, or -EINVAL with *why (if not
 * NULL) set to a string that says what is wrong, valid until the next call.
 */
int sh_path_classify(const char *path, struct sh_node_info *out, const char **why);

/*
 * Parses "<prefix><N>": N decimal, without sign or leading zeros, at most
 * max ("tpg1", "lun0", "mapped_lun12").
 */
bool sh_name_number(const char *name, const char *prefix, unsigned long max, unsigned long *out);

/* The parent of a canonical path ("/" for "/" and for "/iscsi"). */
void sh_path_parent(const char *path, char *out, size_t cap);
/* Whether canonical path is base or lies under it. */
bool sh_path_within(const char *path, const char *base);
/* The last component of a canonical path ("/" for the root). */
const char *sh_path_base(const char *path);

/*
 * The path as a prompt shows it: when longer than max, components longer
 * than 16 characters are shortened to their first 7 and last 6 characters
 * around "..." (as targetcli does with IQNs).
 */
void sh_path_abbrev(const char *path, size_t max, char *out, size_t cap);

/* A name for messages: "backstore", "TPG", "mapped LUN", ... */
const char *sh_node_type_name(enum sh_node_type t);
/* Whether nodes of this type may have children. */
bool sh_node_has_children(enum sh_node_type t);

#endif

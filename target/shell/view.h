/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the shell shows of porticod's results (pure): the `ls` tree drawn
 * like targetcli's, node properties for `info` and `get`, the messages of
 * a change. Nodes are the objects of docs/control-protocol.md ("Nodes in
 * results"): name, path, type, summary, props, children.
 */
#ifndef PORTICO_TARGET_SHELL_VIEW_H
#define PORTICO_TARGET_SHELL_VIEW_H

#include <stddef.h>

#include "target/shell/path.h"
#include "target/shell/text.h"

struct json_object;

#define SH_TREE_WIDTH_MIN 40

/*
 * Draws node and what it holds, one line per node:
 *
 *   o- / ......................................... [...]
 *     o- backstores .............................. [...]
 *     | o- file ........................ [Storage Objects: 1]
 *
 * each line filled with dots so that its "[summary]" ends at column width
 * (at least three dots; "[...]" when a node has no summary). Returns 0,
 * -EINVAL with err set when a node is malformed, -ENOMEM.
 */
int sh_tree_render(struct json_object *node, size_t width, struct sh_buf *out, struct sh_err *err);

/* The node at a canonical path in the tree under root (a result of `get /`), or NULL. */
struct json_object *sh_tree_find(struct json_object *root, const char *path);
/* The children array of a node, or NULL. */
struct json_object *sh_tree_children(struct json_object *node);
/* The name of a node, or NULL. */
const char *sh_tree_name(struct json_object *node);

/* A JSON value as `key: value` lines, nested values indented. */
void sh_view_value(struct json_object *v, int indent, struct sh_buf *out);
/* `info`: the node's path, type and properties. */
int sh_view_info(struct json_object *node, struct sh_buf *out, struct sh_err *err);
/*
 * `get [group [key ...]]` at a node of type t: the group's settings as
 * key=value lines under a title (every group of t when group is NULL).
 * -EINVAL with err set for a key the group does not have.
 */
int sh_view_get(struct json_object *node, enum sh_node_type t, const char *group,
		const char *const *keys, size_t nkeys, struct sh_buf *out, struct sh_err *err);
/*
 * The outcome of a change: the result's "messages", one per line; without
 * any, "Created PATH." for create (the result's path, else target) and
 * "Deleted TARGET." for delete.
 */
void sh_view_change(struct json_object *result, const char *op, const char *target,
		    struct sh_buf *out);

#endif

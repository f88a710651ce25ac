/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shell's verbs: the table, their keys and help, and the mapping of a
 * command line to a request (docs/control-protocol.md) (pure).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/util.h"
#include "target/shell/facts.h"
#include "target/shell/verbs.h"

#define N(t) (1u << (t))
#define SH_NODES_ALL ((1u << SH_NODE__COUNT) - 2u) /* every type but SH_NODE_INVALID */
#define SH_LS_DEPTH_MAX 64

const struct sh_verb_desc sh_verbs[SH_VERB__COUNT] = {
	[SH_VERB_LS] = {
		.name = "ls",
		.summary = "show the tree under a node (default: this one)",
		.usage = "ls [PATH] [DEPTH]",
		.nodes = SH_NODES_ALL,
	},
	[SH_VERB_CD] = {
		.name = "cd",
		.summary = "go to a node (absolute, relative, '..', '-' for the previous one)",
		.usage = "cd [PATH|-]",
		.nodes = SH_NODES_ALL,
	},
	[SH_VERB_PWD] = {
		.name = "pwd",
		.summary = "show the current node's path",
		.usage = "pwd",
		.nodes = SH_NODES_ALL,
	},
	[SH_VERB_CREATE] = {
		.name = "create",
		.summary = "create a child of this node",
		.nodes = N(SH_NODE_BS_GROUP) | N(SH_NODE_ISCSI) | N(SH_NODE_TARGET) |
			 N(SH_NODE_PORTALS) | N(SH_NODE_LUNS) | N(SH_NODE_ACLS) | N(SH_NODE_ACL),
		.changes = true,
	},
	[SH_VERB_DELETE] = {
		.name = "delete",
		.summary = "delete this node, or the child named",
		.nodes = N(SH_NODE_BS_GROUP) | N(SH_NODE_BACKSTORE) | N(SH_NODE_ISCSI) |
			 N(SH_NODE_TARGET) | N(SH_NODE_TPG) | N(SH_NODE_PORTALS) |
			 N(SH_NODE_PORTAL) | N(SH_NODE_LUNS) | N(SH_NODE_LUN) | N(SH_NODE_ACLS) |
			 N(SH_NODE_ACL) | N(SH_NODE_MAPPED_LUN),
		.changes = true,
	},
	[SH_VERB_SET] = {
		.name = "set",
		.summary = "change settings of a group (attribute, parameter, auth)",
		.nodes = N(SH_NODE_BACKSTORE) | N(SH_NODE_TPG) | N(SH_NODE_ACL) | N(SH_NODE_ISCSI),
		.changes = true,
	},
	[SH_VERB_GET] = {
		.name = "get",
		.summary = "show settings (a group, or some of its keys)",
		.usage = "get [GROUP [KEY ...]]",
		.nodes = N(SH_NODE_BACKSTORE) | N(SH_NODE_TPG) | N(SH_NODE_ACL) | N(SH_NODE_ISCSI),
	},
	[SH_VERB_INFO] = {
		.name = "info",
		.summary = "show everything porticod knows of this node",
		.usage = "info",
		.nodes = SH_NODES_ALL,
	},
	[SH_VERB_MOVE] = {
		.name = "move",
		.summary = "move an rbd LU's ownership to a gateway of its group",
		.usage = "move GATEWAY   (an rbd backstore in a gateway group; 'info' shows the owner)",
		.nodes = N(SH_NODE_BACKSTORE),
	},
	[SH_VERB_SAVECONFIG] = {
		.name = "saveconfig",
		.summary = "write the configuration (atomically; the last 9 versions are kept)",
		.usage = "saveconfig [FILE]",
		.nodes = SH_NODES_ALL,
		.changes = true,
	},
	[SH_VERB_RESTORECONFIG] = {
		.name = "restoreconfig",
		.summary = "load a configuration (porticod's, or targetcli's saveconfig.json)",
		.usage = "restoreconfig [FILE] [clear_existing=true|false] [check=true|false]",
		.nodes = SH_NODES_ALL,
		.changes = true,
	},
	[SH_VERB_CLEARCONFIG] = {
		.name = "clearconfig",
		.summary = "remove every target and backstore",
		.usage = "clearconfig confirm=true",
		.nodes = SH_NODES_ALL,
		.changes = true,
	},
	[SH_VERB_STATUS] = {
		.name = "status",
		.summary = "porticod's version, uptime, threads and sessions",
		.usage = "status",
		.nodes = SH_NODES_ALL,
	},
	[SH_VERB_VERSION] = {
		.name = "version",
		.summary = "the versions of porticod and of the control protocol",
		.usage = "version",
		.nodes = SH_NODES_ALL,
	},
	[SH_VERB_SESSIONS] = {
		.name = "sessions",
		.summary = "the open iSCSI sessions (status's list; targetcli's sessions)",
		.usage = "sessions",
		/* at the root, as targetcli has it */
		.nodes = N(SH_NODE_ROOT),
	},
	[SH_VERB_HELP] = {
		.name = "help",
		.summary = "this list, or the help of one command",
		.usage = "help [COMMAND]",
		.nodes = SH_NODES_ALL,
	},
	[SH_VERB_EXIT] = {
		.name = "exit",
		.summary = "leave the shell (porticod keeps running, its configuration saved)",
		.usage = "exit",
		.nodes = SH_NODES_ALL,
	},
};

enum sh_verb sh_verb_lookup(const char *name)
{
	enum sh_verb v;

	if (strcmp(name, "quit") == 0)
		return SH_VERB_EXIT;
	if (strcmp(name, "?") == 0)
		return SH_VERB_HELP;
	for (v = SH_VERB_NONE + 1; v < SH_VERB__COUNT; v++)
		if (strcmp(sh_verbs[v].name, name) == 0)
			return v;
	return SH_VERB_NONE;
}

bool sh_verb_allowed(enum sh_verb v, enum sh_node_type t)
{
	if (v <= SH_VERB_NONE || v >= SH_VERB__COUNT || t <= SH_NODE_INVALID || t >= SH_NODE__COUNT)
		return false;
	return sh_verbs[v].nodes & N(t);
}

/* ---- keys -------------------------------------------------------------- */

/*
 * The keys of the verbs at nodes that are no backstore kind's nor a group
 * of settings (those are porticod's facts, facts.h).
 */
static const char *const sh_no_keys[] = { NULL };
static const char *const sh_keys_tpg_create[] = { "tag", NULL };
static const char *const sh_keys_portal[] = { "ip_address", "ip_port", NULL };
static const char *const sh_keys_lun[] = { "storage_object", "lun", "add_mapped_luns", NULL };
static const char *const sh_keys_acl[] = { "add_mapped_luns", NULL };
static const char *const sh_keys_mapped[] = { "mapped_lun", "tpg_lun_or_backstore", "write_protect",
					      NULL };
static const char *const sh_keys_delete[] = { "force", NULL };
static const char *const sh_keys_save[] = { "file", NULL };
static const char *const sh_keys_restore[] = { "file", "clear_existing", "check", NULL };
static const char *const sh_keys_clear[] = { "confirm", NULL };
static const char *const sh_keys_ls[] = { "depth", NULL };
static const char *const sh_keys_move[] = { "gateway", NULL };

/* How the facts name a kind of node that has groups of settings; NULL for the others. */
static const char *sh_node_in_facts(enum sh_node_type t)
{
	switch (t) {
	case SH_NODE_BACKSTORE:
		return "backstore";
	case SH_NODE_ISCSI:
		return "iscsi";
	case SH_NODE_TPG:
		return "tpg";
	case SH_NODE_ACL:
		return "acl";
	default:
		return NULL;
	}
}

const char *const *sh_verb_groups(enum sh_node_type t)
{
	return sh_facts_groups(sh_node_in_facts(t));
}

static bool sh_in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static const char *const *sh_create_keys(const struct sh_node_info *node)
{
	switch (node->type) {
	case SH_NODE_BS_GROUP:
		return sh_facts_create_keys(node->bs_type);
	case SH_NODE_TARGET:
		return sh_keys_tpg_create;
	case SH_NODE_PORTALS:
		return sh_keys_portal;
	case SH_NODE_LUNS:
		return sh_keys_lun;
	case SH_NODE_ACLS:
		return sh_keys_acl;
	case SH_NODE_ACL:
		return sh_keys_mapped;
	default:
		return sh_no_keys;
	}
}

static const char *const *sh_group_keys(enum sh_node_type t, const char *group)
{
	if (!group || !sh_in_list(sh_verb_groups(t), group))
		return sh_no_keys;
	return sh_facts_group_keys(sh_node_in_facts(t), group);
}

const char *const *sh_verb_keys(enum sh_verb v, const struct sh_node_info *node, const char *group)
{
	if (!sh_verb_allowed(v, node->type))
		return sh_no_keys;
	switch (v) {
	case SH_VERB_CREATE:
		return sh_create_keys(node);
	case SH_VERB_DELETE:
		return sh_keys_delete;
	case SH_VERB_SET:
	case SH_VERB_GET:
		return sh_group_keys(node->type, group);
	case SH_VERB_SAVECONFIG:
		return sh_keys_save;
	case SH_VERB_RESTORECONFIG:
		return sh_keys_restore;
	case SH_VERB_CLEARCONFIG:
		return sh_keys_clear;
	case SH_VERB_LS:
		return sh_keys_ls;
	case SH_VERB_MOVE:
		return sh_keys_move;
	default:
		return sh_no_keys;
	}
}

bool sh_key_is_bool(const char *key)
{
	static const char *const bools[] = { "add_mapped_luns", "write_protect", "force",
					     "clear_existing", "check", "confirm", NULL };

	return sh_in_list(bools, key) || sh_facts_is_bool(key);
}

/* ---- usage and help ---------------------------------------------------- */

static const char *sh_create_usage(const struct sh_node_info *node)
{
	switch (node->type) {
	case SH_NODE_BS_GROUP:
		return sh_facts_create_usage(node->bs_type);
	case SH_NODE_ISCSI:
		return "create [IQN]   (without one, porticod makes one up)";
	case SH_NODE_TARGET:
		return "create [tag=N]";
	case SH_NODE_PORTALS:
		return "create ip_address=IP [ip_port=3260]";
	case SH_NODE_LUNS:
		return "create /backstores/TYPE/NAME [lun=N] [add_mapped_luns=true|false]";
	case SH_NODE_ACLS:
		return "create INITIATOR_IQN [add_mapped_luns=true|false]";
	case SH_NODE_ACL:
		return "create mapped_lun=N tpg_lun_or_backstore=lunN|/backstores/TYPE/NAME "
		       "[write_protect=true|false]";
	default:
		return "create";
	}
}

static const char *sh_delete_usage(const struct sh_node_info *node)
{
	switch (node->type) {
	case SH_NODE_BS_GROUP:
		return "delete NAME [force=true]";
	case SH_NODE_ISCSI:
		return "delete TARGET_IQN";
	case SH_NODE_TARGET:
		return "delete tpgN";
	case SH_NODE_PORTALS:
		return "delete IP PORT   (or IP:PORT)";
	case SH_NODE_LUNS:
		return "delete lunN [force=true]";
	case SH_NODE_ACLS:
		return "delete INITIATOR_IQN";
	case SH_NODE_ACL:
		return "delete mapped_lunN";
	default:
		return "delete [force=true]   (this node)";
	}
}

/*
 * The synopsis of set at a node, from its groups and their keys (facts.h):
 * a TPG's groups, an ACL's CHAP credentials, a backstore's attributes.
 */
static const char *sh_set_usage(const struct sh_node_info *node)
{
	static char usage[SH_NODE__COUNT][512];
	const char *const *groups = sh_verb_groups(node->type);
	const char *facts = sh_node_in_facts(node->type);
	struct sh_buf b;

	sh_buf_init(&b);
	switch (node->type) {
	case SH_NODE_TPG:
		sh_buf_puts(&b, "set ");
		for (size_t i = 0; groups[i]; i++)
			sh_buf_printf(&b, "%s%s", i ? "|" : "", groups[i]);
		sh_buf_puts(&b, " KEY=VALUE ...");
		break;
	case SH_NODE_ACL:
		sh_buf_puts(&b, "set auth ");
		sh_facts_group_usage(facts, "auth", " ", true, &b);
		break;
	case SH_NODE_BACKSTORE:
		sh_buf_printf(&b, "set %s ", groups[0] ? groups[0] : "GROUP");
		sh_facts_group_usage(facts, groups[0], "|", false, &b);
		sh_buf_puts(&b, " ...");
		break;
	default:
		sh_buf_puts(&b, "set GROUP KEY=VALUE ...");
		break;
	}
	snprintf(usage[node->type], sizeof(usage[0]), "%s", sh_buf_str(&b));
	sh_buf_fini(&b);
	return usage[node->type];
}

const char *sh_verb_usage(enum sh_verb v, const struct sh_node_info *node)
{
	switch (v) {
	case SH_VERB_CREATE:
		return sh_create_usage(node);
	case SH_VERB_DELETE:
		return sh_delete_usage(node);
	case SH_VERB_SET:
		return sh_set_usage(node);
	default:
		return v > SH_VERB_NONE && v < SH_VERB__COUNT ? sh_verbs[v].usage : "";
	}
}

static void sh_help_list(const char *const *list, struct sh_buf *out)
{
	bool first = true;

	for (; *list; list++) {
		sh_buf_printf(out, "%s%s", first ? "" : ", ", *list);
		first = false;
	}
}

void sh_help(enum sh_verb v, const struct sh_node_info *node, const char *path, struct sh_buf *out)
{
	enum sh_verb i;

	if (v == SH_VERB_NONE) {
		sh_buf_printf(out, "Commands at %s (%s):\n", path, sh_node_type_name(node->type));
		for (i = SH_VERB_NONE + 1; i < SH_VERB__COUNT; i++)
			if (sh_verb_allowed(i, node->type))
				sh_buf_printf(out, "  %-14s %s\n", sh_verbs[i].name,
					      sh_verbs[i].summary);
		sh_buf_puts(out, "A command may start with a node path: "
				 "'/backstores/file create ...'.\n"
				 "A path alone goes there. 'help COMMAND' shows a command's "
				 "arguments.\n");
		return;
	}
	sh_buf_printf(out, "%s: %s\n", sh_verbs[v].name, sh_verbs[v].summary);
	if (!sh_verb_allowed(v, node->type)) {
		sh_buf_printf(out, "Not available at %s (%s).\n", path,
			      sh_node_type_name(node->type));
		return;
	}
	sh_buf_printf(out, "usage: %s\n", sh_verb_usage(v, node));
	if (v == SH_VERB_SET || v == SH_VERB_GET) {
		const char *const *g;

		for (g = sh_verb_groups(node->type); *g; g++) {
			sh_buf_printf(out, "  %s: ", *g);
			sh_help_list(sh_group_keys(node->type, *g), out);
			sh_buf_puts(out, "\n");
		}
	} else if (*sh_verb_keys(v, node, NULL)) {
		sh_buf_puts(out, "keys: ");
		sh_help_list(sh_verb_keys(v, node, NULL), out);
		sh_buf_puts(out, "\n");
	}
}

/* ---- commands to actions ----------------------------------------------- */

/* args of the request: positional words as "_1", "_2", ..., key=value as key: "value". */
static int sh_args_from_cmd(const struct sh_cmd *cmd, const char *const *skip_keys,
			    size_t skip_pos, struct json_object **out)
{
	struct json_object *args = json_object_new_object();
	size_t i, pos = 0;
	char name[24];

	if (!args)
		return -ENOMEM;
	for (i = 0; i < cmd->nargs; i++) {
		const struct sh_arg *a = &cmd->args[i];
		const char *key = a->key;

		if (key && skip_keys && sh_in_list(skip_keys, key))
			continue;
		if (!key) {
			if (pos++ < skip_pos)
				continue;
			snprintf(name, sizeof(name), "_%zu", pos - skip_pos);
			key = name;
		}
		if (json_object_object_add(args, key, json_object_new_string(a->value))) {
			json_object_put(args);
			return -ENOMEM;
		}
	}
	*out = args;
	return 0;
}

static int sh_resolve(const char *base, const char *input, char *out, struct sh_node_info *node,
		      struct sh_err *err)
{
	const char *why = NULL;

	if (sh_path_resolve(base, input, out, SH_PATH_MAX))
		return sh_err_set(err, NULL, "path too long: '%.200s'", input);
	if (sh_path_classify(out, node, &why))
		return sh_err_set(err, "'ls /' shows the tree", "no node can be at '%.200s': %s",
				  out, why);
	return 0;
}

static int sh_no_args(const struct sh_cmd *cmd, struct sh_err *err)
{
	if (cmd->nargs)
		return sh_err_set(err, NULL, "'%s' takes no arguments", cmd->verb);
	return 0;
}

static bool sh_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int sh_build_ls(const struct sh_cmd *cmd, struct sh_action *a, struct sh_err *err)
{
	const char *p0 = sh_cmd_pos(cmd, 0), *p1 = sh_cmd_pos(cmd, 1);
	const char *depth = sh_cmd_key(cmd, "depth");
	const char *where = NULL;
	int rc;

	if (sh_cmd_npos(cmd) > 2 || cmd->nargs > sh_cmd_npos(cmd) + (depth ? 1 : 0))
		return sh_err_set(err, "ls [PATH] [DEPTH]",
				  "'ls' takes a path, a depth and depth=N");
	/* targetcli: ls [path] [depth]; a lone number is the depth */
	if (p0 && !p1 && sh_all_digits(p0) && !depth)
		depth = p0;
	else
		where = p0;
	if (p1) {
		if (depth)
			return sh_err_set(err, "ls [PATH] [DEPTH]", "the depth is given twice");
		depth = p1;
	}
	rc = sh_resolve(a->base, where ? where : ".", a->target, &a->target_node, err);
	if (rc)
		return rc;
	a->op = "get";
	a->args = json_object_new_object();
	if (!a->args)
		return -ENOMEM;
	if (depth) {
		if (!sh_all_digits(depth) || strlen(depth) > 2 || atoi(depth) > SH_LS_DEPTH_MAX)
			return sh_err_set(err, "give a number of levels, 0 for the node alone",
					  "depth '%.64s' is not a number from 0 to %d", depth,
					  SH_LS_DEPTH_MAX);
		if (json_object_object_add(a->args, "depth", json_object_new_int(atoi(depth))))
			return -ENOMEM;
	}
	return 0;
}

static int sh_build_cd(const char *prev, const struct sh_cmd *cmd, struct sh_action *a,
		       struct sh_err *err)
{
	const char *to = sh_cmd_pos(cmd, 0);
	int rc;

	if (sh_cmd_npos(cmd) > 1 || cmd->nargs > sh_cmd_npos(cmd))
		return sh_err_set(err, "cd [PATH|-]", "'cd' takes one path");
	if (to && strcmp(to, "-") == 0) {
		if (!prev || !prev[0])
			return sh_err_set(err, NULL, "no previous node to go back to");
		to = prev;
	} else if (!to) {
		/* "PATH" alone, or "PATH cd": go to PATH; "cd" alone: to the root */
		to = cmd->path ? "." : "/";
	}
	rc = sh_resolve(a->base, to, a->target, &a->target_node, err);
	if (rc)
		return rc;
	a->op = "get";
	a->args = json_object_new_object();
	if (!a->args || json_object_object_add(a->args, "depth", json_object_new_int(0)))
		return -ENOMEM;
	return 0;
}

/*
 * A portal's name from "IP PORT" or "IP:PORT" as typed: an IPv6 address in
 * brackets, port 3260 when none is given ("10.0.0.1:3260", "[::1]:3260").
 */
static void sh_portal_name(const char *ip, const char *port, char *out, size_t cap)
{
	const char *colon = strchr(ip, ':'), *close = ip[0] == '[' ? strchr(ip, ']') : NULL;

	if (!port)
		port = "3260";
	if (close && close[1] == ':')
		snprintf(out, cap, "%s", ip); /* "[v6]:port" */
	else if (close)
		snprintf(out, cap, "%s:%s", ip, port); /* "[v6]" */
	else if (colon && colon != strrchr(ip, ':'))
		snprintf(out, cap, "[%s]:%s", ip, port); /* a bare IPv6 address */
	else if (colon)
		snprintf(out, cap, "%s", ip); /* "v4:port" */
	else
		snprintf(out, cap, "%s:%s", ip, port);
}

/* The child of a group node that "delete NAME [PORT]" names, in targetcli's spellings. */
static int sh_delete_child(const struct sh_cmd *cmd, const struct sh_action *a, char *name,
			   size_t cap, size_t *used_pos, struct sh_err *err)
{
	const char *n0 = sh_cmd_pos(cmd, 0), *n1 = sh_cmd_pos(cmd, 1);
	unsigned long num;

	*used_pos = n0 ? 1 : 0;
	switch (a->node.type) {
	case SH_NODE_BS_GROUP:
		if (!n0)
			n0 = sh_cmd_key(cmd, "name");
		break;
	case SH_NODE_ISCSI:
	case SH_NODE_ACLS:
		if (!n0)
			n0 = sh_cmd_key(cmd, "wwn");
		break;
	case SH_NODE_TARGET:
		if (!n0)
			n0 = sh_cmd_key(cmd, "tag");
		if (n0 && sh_all_digits(n0)) {
			snprintf(name, cap, "tpg%s", n0);
			return 0;
		}
		break;
	case SH_NODE_LUNS:
	case SH_NODE_ACL: {
		const char *prefix = a->node.type == SH_NODE_LUNS ? "lun" : "mapped_lun";

		if (!n0)
			n0 = sh_cmd_key(cmd, a->node.type == SH_NODE_LUNS ? "lun" : "mapped_lun");
		if (n0 && sh_name_number(n0, "", SH_LUN_MAX, &num)) {
			snprintf(name, cap, "%s%lu", prefix, num);
			return 0;
		}
		break;
	}
	case SH_NODE_PORTALS:
		if (!n0)
			n0 = sh_cmd_key(cmd, "ip_address");
		if (!n1)
			n1 = sh_cmd_key(cmd, "ip_port");
		else
			*used_pos = 2;
		if (n0) {
			sh_portal_name(n0, n1, name, cap);
			return 0;
		}
		break;
	default:
		return sh_err_set(err, "'delete' alone deletes this node",
				  "a %s has no children to delete by name",
				  sh_node_type_name(a->node.type));
	}
	if (!n0)
		return sh_err_set(err, sh_delete_usage(&a->node),
				  "'delete' at %s needs the name of what to delete", a->base);
	snprintf(name, cap, "%s", n0);
	return 0;
}

static bool sh_node_is_created(enum sh_node_type t)
{
	switch (t) {
	case SH_NODE_BACKSTORE:
	case SH_NODE_TARGET:
	case SH_NODE_TPG:
	case SH_NODE_PORTAL:
	case SH_NODE_LUN:
	case SH_NODE_ACL:
	case SH_NODE_MAPPED_LUN:
		return true;
	default:
		return false;
	}
}

static int sh_build_delete(const struct sh_cmd *cmd, struct sh_action *a, struct sh_err *err)
{
	static const char *const named[] = { "name",	   "wwn",	 "tag",	    "lun",
					     "mapped_lun", "ip_address", "ip_port", NULL };
	char name[512], rel[600];
	size_t i, used = 0;
	bool by_name = sh_cmd_npos(cmd) > 0;
	int rc;

	for (i = 0; named[i]; i++)
		if (sh_cmd_key(cmd, named[i]))
			by_name = true;
	if (!by_name) {
		/* "delete" alone: this node, when it is one that was created */
		if (!sh_node_is_created(a->node.type))
			return sh_err_set(err, sh_delete_usage(&a->node),
					  "'delete' at %s needs the name of what to delete",
					  a->base);
		rc = sh_resolve(a->base, ".", a->target, &a->target_node, err);
		if (rc)
			return rc;
		a->op = "delete";
		return sh_args_from_cmd(cmd, NULL, 0, &a->args);
	}
	rc = sh_delete_child(cmd, a, name, sizeof(name), &used, err);
	if (rc)
		return rc;
	if (sh_cmd_npos(cmd) > used)
		return sh_err_set(err, sh_delete_usage(&a->node), "'delete' takes one name here");
	if (strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0)
		return sh_err_set(err, sh_delete_usage(&a->node), "'%.200s' is not a name", name);
	snprintf(rel, sizeof(rel), "./%s", name);
	rc = sh_resolve(a->base, rel, a->target, &a->target_node, err);
	if (rc)
		return rc;
	a->op = "delete";
	return sh_args_from_cmd(cmd, named, used, &a->args);
}

static int sh_build_set(const struct sh_cmd *cmd, struct sh_action *a, struct sh_err *err)
{
	const char *const *groups = sh_verb_groups(a->node.type);
	const char *group = sh_cmd_pos(cmd, 0);
	char hint[256];
	int rc;

	if (!group || !sh_in_list(groups, group)) {
		struct sh_buf b;

		sh_buf_init(&b);
		sh_help_list(groups, &b);
		snprintf(hint, sizeof(hint), "%s", sh_set_usage(&a->node));
		rc = sh_err_set(err, hint, "'set' at a %s needs a group first: %s",
				sh_node_type_name(a->node.type), sh_buf_str(&b));
		sh_buf_fini(&b);
		return rc;
	}
	if (sh_cmd_npos(cmd) > 1)
		return sh_err_set(err, sh_set_usage(&a->node),
				  "after the group, 'set' takes KEY=VALUE pairs "
				  "('%.64s' is not one)",
				  sh_cmd_pos(cmd, 1));
	if (cmd->nargs < 2)
		return sh_err_set(err, sh_set_usage(&a->node), "'set %s' needs KEY=VALUE pairs",
				  group);
	rc = sh_resolve(a->base, ".", a->target, &a->target_node, err);
	if (rc)
		return rc;
	a->op = "set";
	return sh_args_from_cmd(cmd, NULL, 0, &a->args);
}

static int sh_build_get(const struct sh_cmd *cmd, struct sh_action *a, struct sh_err *err)
{
	const char *const *groups = sh_verb_groups(a->node.type);
	size_t i, n = sh_cmd_npos(cmd);
	int rc;

	if (cmd->nargs > n)
		return sh_err_set(err, "get [GROUP [KEY ...]]", "'get' takes names, not KEY=VALUE");
	a->group = sh_cmd_pos(cmd, 0);
	if (a->group && !sh_in_list(groups, a->group)) {
		struct sh_buf b;

		sh_buf_init(&b);
		sh_help_list(groups, &b);
		rc = sh_err_set(err, "get [GROUP [KEY ...]]",
				"a %s has no group '%.64s' (it has: %s)",
				sh_node_type_name(a->node.type), a->group, sh_buf_str(&b));
		sh_buf_fini(&b);
		return rc;
	}
	if (n > 1 + SH_GET_KEYS_MAX)
		return sh_err_set(err, NULL, "more than %d keys", SH_GET_KEYS_MAX);
	for (i = 1; i < n; i++)
		a->keys[a->nkeys++] = sh_cmd_pos(cmd, i);
	rc = sh_resolve(a->base, ".", a->target, &a->target_node, err);
	if (rc)
		return rc;
	a->op = "get";
	a->args = json_object_new_object();
	if (!a->args || json_object_object_add(a->args, "depth", json_object_new_int(0)))
		return -ENOMEM;
	return 0;
}

/*
 * move GATEWAY (or gateway=NAME) at a backstore: porticod answers once the
 * move is asked, and refuses it for a store that has no owner to move.
 */
static int sh_build_move(const struct sh_cmd *cmd, struct sh_action *a, struct sh_err *err)
{
	const char *usage = sh_verbs[SH_VERB_MOVE].usage;
	size_t npos = sh_cmd_npos(cmd);
	const char *named = sh_cmd_key(cmd, "gateway");
	int rc;

	if (cmd->nargs != 1 || (npos == 0 && !named))
		return sh_err_set(err, usage, "'move' takes the name of one gateway");
	rc = sh_resolve(a->base, ".", a->target, &a->target_node, err);
	if (rc)
		return rc;
	a->op = "move";
	return sh_args_from_cmd(cmd, NULL, 0, &a->args);
}

/*
 * saveconfig's and restoreconfig's file, positional or named, as the user
 * means it: a relative path is the shell's working directory's. porticod
 * runs elsewhere (and refuses a relative path), so it gets the absolute one.
 */
static int sh_file_absolute(struct json_object *args, struct sh_err *err)
{
	static const char *const names[] = { "_1", "file" };
	char cwd[4096], *abs;
	struct json_object *v;
	const char *file;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!json_object_object_get_ex(args, names[i], &v) ||
		    !json_object_is_type(v, json_type_string))
			continue;
		file = json_object_get_string(v);
		if (!file[0] || file[0] == '/')
			continue;
		if (!getcwd(cwd, sizeof(cwd)))
			return sh_err_set(err, "name the file with an absolute path",
					  "cannot tell where '%.200s' is: %s", file, strerror(errno));
		if (asprintf(&abs, "%s/%s", cwd, file) < 0)
			return -ENOMEM;
		v = json_object_new_string(abs);
		free(abs);
		if (!v || json_object_object_add(args, names[i], v))
			return -ENOMEM;
	}
	return 0;
}

/* The verbs sent to "/" with the user's arguments as they are (a file made absolute). */
static int sh_build_global(const struct sh_cmd *cmd, struct sh_action *a, struct sh_err *err)
{
	static const char *const ops[SH_VERB__COUNT] = {
		[SH_VERB_SAVECONFIG] = "saveconfig", [SH_VERB_RESTORECONFIG] = "restoreconfig",
		[SH_VERB_CLEARCONFIG] = "clearconfig", [SH_VERB_STATUS] = "status",
		[SH_VERB_VERSION] = "version",
		/* status's list of sessions, shown alone */
		[SH_VERB_SESSIONS] = "status",
	};
	const char *confirm = sh_cmd_key(cmd, "confirm");
	int rc;

	if (a->verb == SH_VERB_CLEARCONFIG && (!confirm || strcasecmp(confirm, "true") != 0))
		return sh_err_set(err, "clearconfig confirm=true",
				  "clearconfig removes every target and backstore: confirm it");
	if ((a->verb == SH_VERB_STATUS || a->verb == SH_VERB_VERSION ||
	     a->verb == SH_VERB_SESSIONS) && cmd->nargs)
		return sh_no_args(cmd, err);
	snprintf(a->target, sizeof(a->target), "/");
	a->target_node.type = SH_NODE_ROOT;
	a->op = ops[a->verb];
	rc = sh_args_from_cmd(cmd, NULL, 0, &a->args);
	if (!rc && (a->verb == SH_VERB_SAVECONFIG || a->verb == SH_VERB_RESTORECONFIG))
		rc = sh_file_absolute(a->args, err);
	return rc;
}

static int sh_build_verb(const char *prev, const struct sh_cmd *cmd, struct sh_action *a,
			 struct sh_err *err)
{
	switch (a->verb) {
	case SH_VERB_LS:
		return sh_build_ls(cmd, a, err);
	case SH_VERB_CD:
		return sh_build_cd(prev, cmd, a, err);
	case SH_VERB_PWD:
	case SH_VERB_EXIT:
		return sh_no_args(cmd, err);
	case SH_VERB_HELP:
		if (sh_cmd_npos(cmd) > 1 || cmd->nargs > sh_cmd_npos(cmd))
			return sh_err_set(err, NULL, "'help' takes one command name");
		a->topic = sh_cmd_pos(cmd, 0);
		if (a->topic && sh_verb_lookup(a->topic) == SH_VERB_NONE)
			return sh_err_set(err, "'help' lists the commands", "no command '%.64s'",
					  a->topic);
		return 0;
	case SH_VERB_CREATE:
		snprintf(a->target, sizeof(a->target), "%s", a->base);
		a->target_node = a->node;
		a->op = "create";
		return sh_args_from_cmd(cmd, NULL, 0, &a->args);
	case SH_VERB_DELETE:
		return sh_build_delete(cmd, a, err);
	case SH_VERB_SET:
		return sh_build_set(cmd, a, err);
	case SH_VERB_GET:
		return sh_build_get(cmd, a, err);
	case SH_VERB_INFO:
		if (cmd->nargs)
			return sh_no_args(cmd, err);
		snprintf(a->target, sizeof(a->target), "%s", a->base);
		a->target_node = a->node;
		a->op = "get";
		a->args = json_object_new_object();
		if (!a->args || json_object_object_add(a->args, "depth", json_object_new_int(0)))
			return -ENOMEM;
		return 0;
	case SH_VERB_MOVE:
		return sh_build_move(cmd, a, err);
	case SH_VERB_SAVECONFIG:
	case SH_VERB_RESTORECONFIG:
	case SH_VERB_CLEARCONFIG:
	case SH_VERB_STATUS:
	case SH_VERB_VERSION:
	case SH_VERB_SESSIONS:
		return sh_build_global(cmd, a, err);
	case SH_VERB_NONE:
	case SH_VERB__COUNT:
		break;
	}
	return -EINVAL;
}

int sh_action_build(const char *cwd, const char *prev, const struct sh_cmd *cmd,
		    struct sh_action *out, struct sh_err *err)
{
	struct sh_buf b;
	enum sh_verb v;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!cmd->verb)
		return sh_err_set(err, NULL, "no command");
	out->verb = sh_verb_lookup(cmd->verb);
	if (out->verb == SH_VERB_NONE)
		return sh_err_set(err, "'help' lists the commands of this node",
				  "unknown command '%.64s'", cmd->verb);
	/* "cd" takes its path as an argument: the path word is only where it starts */
	rc = sh_resolve(cwd, cmd->path ? cmd->path : ".", out->base, &out->node, err);
	if (rc)
		return rc;
	if (!sh_verb_allowed(out->verb, out->node.type)) {
		sh_buf_init(&b);
		for (v = SH_VERB_NONE + 1; v < SH_VERB__COUNT; v++)
			if (sh_verb_allowed(v, out->node.type) && sh_verbs[v].nodes != SH_NODES_ALL)
				sh_buf_printf(&b, "%s%s", b.len ? ", " : "here you can: ",
					      sh_verbs[v].name);
		sh_buf_printf(&b, "%s'help' lists every command of this node", b.len ? "; " : "");
		rc = sh_err_set(err, sh_buf_str(&b), "'%s' is not available at %s (%s)",
				sh_verbs[out->verb].name, out->base,
				sh_node_type_name(out->node.type));
		sh_buf_fini(&b);
		return rc;
	}
	rc = sh_build_verb(prev, cmd, out, err);
	if (rc)
		sh_action_fini(out);
	return rc;
}

void sh_action_fini(struct sh_action *a)
{
	json_object_put(a->args);
	a->args = NULL;
	a->op = NULL;
}

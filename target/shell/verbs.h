/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shell's verbs (pure): where each applies, the keys it takes, its
 * help, and what a command becomes: a request to porticod
 * (docs/control-protocol.md) or something the shell does itself.
 */
#ifndef PORTICO_TARGET_SHELL_VERBS_H
#define PORTICO_TARGET_SHELL_VERBS_H

#include <stdbool.h>
#include <stddef.h>

#include "target/shell/cmdline.h"
#include "target/shell/path.h"
#include "target/shell/text.h"

struct json_object;

enum sh_verb {
	SH_VERB_NONE = 0,
	SH_VERB_LS,
	SH_VERB_CD,
	SH_VERB_PWD,
	SH_VERB_CREATE,
	SH_VERB_DELETE,
	SH_VERB_SET,
	SH_VERB_GET,
	SH_VERB_INFO,
	SH_VERB_MOVE,
	SH_VERB_SAVECONFIG,
	SH_VERB_RESTORECONFIG,
	SH_VERB_CLEARCONFIG,
	SH_VERB_STATUS,
	SH_VERB_VERSION,
	SH_VERB_SESSIONS,
	SH_VERB_HELP,
	SH_VERB_EXIT,
	SH_VERB__COUNT,
};

struct sh_verb_desc {
	const char *name;
	const char *summary; /* one line for 'help' */
	const char *usage; /* the synopsis, when it does not depend on the node */
	unsigned int nodes; /* (1u << enum sh_node_type) of the nodes where it applies */
	bool changes; /* a success changes porticod's configuration */
};

extern const struct sh_verb_desc sh_verbs[SH_VERB__COUNT];

/* The verb of a name ("quit" is "exit", "?" is "help"); SH_VERB_NONE if none. */
enum sh_verb sh_verb_lookup(const char *name);
bool sh_verb_allowed(enum sh_verb v, enum sh_node_type t);
/* The synopsis of v at node. */
const char *sh_verb_usage(enum sh_verb v, const struct sh_node_info *node);
/*
 * The keys v takes at node (for set and get: in group), NULL-terminated;
 * an empty list when there are none.
 */
const char *const *sh_verb_keys(enum sh_verb v, const struct sh_node_info *node,
				const char *group);
/* The groups of set/get at a node type, NULL-terminated (empty where there are none). */
const char *const *sh_verb_groups(enum sh_node_type t);
/* Whether a key takes true/false. */
bool sh_key_is_bool(const char *key);

#define SH_GET_KEYS_MAX 32

/* What a command line becomes. */
struct sh_action {
	enum sh_verb verb;
	char base[SH_PATH_MAX]; /* the node it was typed at: the current one, or its path word */
	struct sh_node_info node; /* of base */
	char target[SH_PATH_MAX]; /* the node it acts on (the request's path) */
	struct sh_node_info target_node;
	const char *op; /* the request's op, NULL when the shell answers alone */
	struct json_object *args; /* the request's args (owned, NULL when op is NULL) */
	const char *group; /* get: the group asked for, NULL for all (points into the command) */
	size_t nkeys; /* get: how many key names follow the group */
	const char *keys[SH_GET_KEYS_MAX]; /* get: those names (point into the command) */
	const char *topic; /* help: the verb asked about, or NULL */
};

/*
 * Turns a parsed command into an action, at the current node cwd (prev:
 * the node before the last cd, "" if none, for "cd -"). Returns 0, or
 * -EINVAL with err set (unknown verb, a path of no node, a verb not
 * available there, wrong arguments), -ENOMEM. The caller releases out with
 * sh_action_fini().
 */
int sh_action_build(const char *cwd, const char *prev, const struct sh_cmd *cmd,
		    struct sh_action *out, struct sh_err *err);
void sh_action_fini(struct sh_action *a);

/* Appends the help of v at node (or the list of commands there when v is SH_VERB_NONE). */
void sh_help(enum sh_verb v, const struct sh_node_info *node, const char *path,
	     struct sh_buf *out);

#endif

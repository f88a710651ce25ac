/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What porticod takes, as its facts say: the backstore kinds and what
 * create takes at each, the groups of settings at each kind of node and
 * their keys (docs/architecture.md, "Facts"). The facts are porticod's own
 * descriptors and tables, which portico-facts renders (as
 * target/ctl/ctl_facts.h describes) into sh_facts_json when the shell is
 * built: the shell keeps no copy of them, and needs no porticod to use
 * them (help, completion, a path no node can have). Pure; the lists are
 * read once and live as long as the program.
 */
#ifndef PORTICO_TARGET_SHELL_FACTS_H
#define PORTICO_TARGET_SHELL_FACTS_H

#include <stdbool.h>

#include "target/shell/text.h"

/* The facts, as JSON text: written by portico-facts ($(BUILD)/gen). */
extern const char sh_facts_json[];

/* The backstore kinds, in porticod's order ("file", ...), NULL-terminated. */
const char *const *sh_facts_bs_types(void);
/* The same for a message: "file, block, lvm and null". */
const char *sh_facts_bs_types_text(void);
/* The kind that name is another name of (targetcli's "fileio"), or NULL. */
const char *sh_facts_bs_alias(const char *name);

/* The keys create takes at /backstores/<type>, NULL-terminated (empty for no such type). */
const char *const *sh_facts_create_keys(const char *type);
/* Its synopsis ("create name=NAME file=PATH [size=SIZE] ..."), "create" for no such type. */
const char *sh_facts_create_usage(const char *type);

/*
 * The groups of set and get at a kind of node ("backstore", "iscsi",
 * "tpg", "acl"), and the keys of one, NULL-terminated (empty for none).
 */
const char *const *sh_facts_groups(const char *node);
const char *const *sh_facts_group_keys(const char *node, const char *group);
/*
 * Appends group's keys as "key=WORD", joined by sep; with brackets, a run
 * of optional keys goes in one "[...]" ("userid=USER password=SECRET
 * [mutual_userid=USER mutual_password=SECRET]").
 */
void sh_facts_group_usage(const char *node, const char *group, const char *sep, bool brackets,
			  struct sh_buf *out);

/* Whether porticod takes true or false for key (where a key of that name does). */
bool sh_facts_is_bool(const char *key);

/* Whether a group's key is a number of bytes (a backstore's size): get shows it as "20.0GiB" too. */
bool sh_facts_is_bytes(const char *key);
/* Whether text holds "KEY=" of a key that is a secret (a CHAP password). */
bool sh_facts_has_secret(const char *text);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * porticod's facts, for the shell: the backstore kinds (each one's name,
 * its other name, what create takes there) and the groups of settings at
 * each kind of node (each one's keys), rendered as JSON from the kinds'
 * descriptors (bs_kind.h), the settings tables (obj_settings.h) and the
 * groups (ctl_groups.c). portico-facts writes them into the shell when it
 * is built (docs/architecture.md, "Facts"), so that the shell holds no
 * copy of its own. Pure.
 *
 *   {"backstores": [{"type": "file", "alias": "fileio", "create": [KEY, ...]}, ...],
 *    "groups": {"tpg": [{"name": "attribute", "keys": [KEY, ...]}, ...], ...}}
 *
 * A KEY is {"key": "sparse", "word": "true|false", "bool": true,
 * "optional": true}, where "word" is what help shows for the value, "bool"
 * says it takes true or false, "optional" that a synopsis brackets it,
 * "hidden" that create takes it without showing it (another name of the
 * one before it), and "secret" that it holds one. The groups are by the
 * kinds of node that have them: "backstore", "iscsi", "tpg" and "acl".
 */
#ifndef PORTICO_TARGET_CTL_FACTS_H
#define PORTICO_TARGET_CTL_FACTS_H

struct json_object;

/* The facts; NULL on ENOMEM. The caller puts them. */
struct json_object *ctl_facts(void);

#endif

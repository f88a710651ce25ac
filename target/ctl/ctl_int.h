/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by the control operations: ctl_ops.c (dispatch, queries,
 * the whole-configuration verbs, committing a change) and ctl_edit.c (the
 * edits each create/delete/set makes).
 *
 * How a change is made: the served model is written into a libconfig tree
 * exactly as saveconfig would write it (config_build), the edit is made on
 * that tree, and the tree is read back by the configuration parser
 * (config_parse_cfg) into a new model, which takes over the open stores and
 * LUs of every backstore that stays (config_open_reuse) and replaces the
 * served one. So a change from the shell passes every check a configuration
 * file passes, with the same words, and what is served is always what a
 * saved file would restore.
 */
#ifndef PORTICO_TARGET_CTL_INT_H
#define PORTICO_TARGET_CTL_INT_H

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

#include "target/ctl/ctl_ops.h"
#include "target/ctl/ctl_tree.h"
#include "target/model/obj.h"

struct json_object;

struct ctl_op {
	const struct ctl_host *host; /* the daemon */
	const struct ctl_request *req;
	struct ctl_reply *out;
	struct obj_model *m;	      /* the served model */
	struct ctl_node node;	      /* req->path resolved */
	struct json_object *args;     /* req->args with positional words given their names */
	struct json_object *messages; /* lines for the administrator */
	char new_path[4096];	      /* create: the new node's path */
};

/* Fails the request: err (negative errno), the message, and hint (may be NULL). Returns err. */
int ctl_fail(struct ctl_op *op, int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Adds a line for the administrator ("Created LUN 0."). */
void ctl_say(struct ctl_op *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An argument as text (numbers and booleans as json-c writes them), or NULL. */
const char *ctl_arg(const struct ctl_op *op, const char *key);
/* A boolean argument (true/false, yes/no, on/off, 1/0); def when absent. 0 or ctl_fail(). */
int ctl_arg_bool(struct ctl_op *op, const char *key, bool def, bool *out);
/* An unsigned argument no larger than max; has (may be NULL) says whether it was given. */
int ctl_arg_u64(struct ctl_op *op, const char *key, uint64_t max, uint64_t *out, bool *has);

/* Refuses an argument the operation does not take (allowed: NULL-terminated, may be NULL). */
int ctl_args_only(struct ctl_op *op, const char *const *allowed);

/* The live state a change must respect (ctl_ops.c). */
unsigned int ctl_bs_sessions(const struct obj_backstore *b);
/* Normal sessions of initiator (NULL: anyone) to tpg that see TPG LUN tpg_lun (UINT64_MAX: any). */
unsigned int ctl_tpg_sessions(const struct obj_tpg *tpg, const char *initiator, uint64_t tpg_lun);

/*
 * The change: a tree holding the served model (ctl_edit_begin), edited,
 * then served (ctl_edit_commit: parse, open, swap, pass on, auto-save;
 * destroys cfg either way). 0 or ctl_fail().
 */
int ctl_edit_begin(struct ctl_op *op, config_t *cfg);
/* Saves the served model to its file when auto_save is on; a failure is said, not fatal. */
void ctl_auto_save(struct ctl_op *op);
int ctl_edit_commit(struct ctl_op *op, config_t *cfg);

/* Serves m (open) instead of the current model, passes the change on, auto-saves (ctl_ops.c). */
int ctl_serve(struct ctl_op *op, struct obj_model *m);
/* The live ALUA states into the served model before a change is built from it (ctl_ops.c). */
bool ctl_alua_pull(const struct ctl_host *host);

/*
 * ctl_gconf.c, a gateway in a group: ctl_gconf_refuse fails a change the
 * group does not share yet (0: it may go on); ctl_gconf_changed gives the
 * group's new shared document when the change cfg makes alters it (*doc
 * NULL: it does not, or no group; the caller frees it); ctl_gconf_propose
 * has every gateway agree to it and stores it, or fails naming the one that
 * did not. Each 0 or ctl_fail().
 */
int ctl_gconf_refuse(struct ctl_op *op);
int ctl_gconf_changed(struct ctl_op *op, const config_t *cfg, char **doc, size_t *len);
int ctl_gconf_propose(struct ctl_op *op, const char *doc, size_t len);

/* ctl_edit.c: the verbs that change the model. */
int ctl_create(struct ctl_op *op);
int ctl_delete(struct ctl_op *op);
int ctl_set(struct ctl_op *op);

#endif

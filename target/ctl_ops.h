/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What porticod does for each request of the control protocol
 * (docs/control-protocol.md, "Verbs"): queries render the model
 * (target/ctl_tree.c), changes apply to the running model under the server's
 * model lock, then reach listeners and sessions (server_changed), then are
 * saved when auto_save is on. Runs on the control thread.
 */
#ifndef PORTICO_TARGET_CTL_OPS_H
#define PORTICO_TARGET_CTL_OPS_H

#include "common/ctl.h"

struct server;
struct json_object;

struct ctl_reply {
	struct json_object *result; /* ok: the result (NULL: {}); the caller puts it */
	int err;		    /* 0, or a negative errno: the request failed */
	char message[512];	    /* err: what is wrong */
	char hint[512];		    /* err: what to do, "" when nothing to add */
};

/* Answers req into *out (zeroed first). */
void ctl_ops_handle(struct server *srv, const struct ctl_request *req, struct ctl_reply *out);

#endif

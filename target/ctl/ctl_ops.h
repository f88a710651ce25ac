/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What porticod does for each request of the control protocol
 * (docs/control-protocol.md, "Verbs"): queries render the model
 * (target/ctl_tree.c), changes apply to the running model under the server's
 * model lock, then reach listeners and sessions (ctl_host_ops.replace_model), then are
 * saved when auto_save is on. Runs on the control thread.
 */
#ifndef PORTICO_TARGET_CTL_OPS_H
#define PORTICO_TARGET_CTL_OPS_H

#include <stdbool.h>

#include "common/ctl.h"

#include "target/ctl/ctl_host.h"

/* porticod's version: what --version prints and the control protocol's status tells. */
#include "common/version.h"
#ifndef PORTICOD_VERSION
#define PORTICOD_VERSION PORTICO_VERSION
#endif

/* Answers req into *out (zeroed first), reaching the daemon through host. */
void ctl_ops_handle(const struct ctl_host *host, const struct ctl_request *req,
		    struct ctl_reply *out);

/*
 * An initiator changed ALUA states (SET TARGET PORT GROUPS, on an I/O
 * thread; the daemon passes it here on the control thread): the served
 * model takes the live states and is saved when auto_save is on, so that
 * they survive a restart.
 */
void ctl_ops_alua_changed(const struct ctl_host *host);

/*
 * A gateway in a group, for the daemon's side of the group's protocol
 * (target/gconf_rados.c), on the control thread: checks the group's shared
 * document doc (len bytes) against this gateway's state as a change made
 * here would be checked (apply false), or serves it (apply true: the
 * sessions and listeners follow, auto-save). 0, or -errno with the reason
 * in err.
 */
int ctl_ops_gconf_apply(const struct ctl_host *host, const char *doc, size_t len, bool apply,
			char *err, size_t errlen);

#endif

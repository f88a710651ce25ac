/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running target: I/O threads (one event loop each), the portal
 * listeners, and the answers the iSCSI transport asks of the object model
 * (who may log in, what SendTargets shows, which LUNs a session sees).
 */
#ifndef PORTICO_TARGET_SERVER_H
#define PORTICO_TARGET_SERVER_H

#include <time.h>

#include "target/obj.h"

struct server;

/*
 * Starts serving model (which the server then owns): spawns the I/O
 * threads and binds every portal. Returns 0 or -errno, with a message
 * for the administrator in err (errlen bytes).
 */
int server_start(struct obj_model *model, struct server **out, char *err, size_t errlen);

/* Runs the control loop on the calling thread until SIGINT/SIGTERM. */
int server_run(struct server *srv);

/*
 * Stops: asks initiators to log out (waiting at most logout_wait_s
 * seconds), closes every connection, joins the threads, frees the model.
 */
void server_stop(struct server *srv, unsigned int logout_wait_s);

/*
 * For the control socket (target/ctl_ops.c), on the control thread only.
 *
 * The model is the server's; the control thread reads it freely and holds
 * the model lock while it changes it (the login path reads it under the
 * lock from the I/O threads). After a change, server_changed() brings the
 * rest along: the listening sockets follow the portals, and every I/O
 * thread rebuilds its sessions' LUN maps (unit attentions, logouts). 0, or
 * the first portal that could not be bound (-errno, message in err).
 */
struct obj_model *server_model(struct server *srv);
void server_model_lock(struct server *srv);
void server_model_unlock(struct server *srv);
int server_changed(struct server *srv, char *err, size_t errlen);
/* Binds a portal's socket now unless one is bound (so that a create can fail before it changes anything). */
int server_listen_check(struct server *srv, const struct obj_portal *p, char *err, size_t errlen);
/* Serves m instead of the current model (restoreconfig, clearconfig), then server_changed(). */
int server_replace_model(struct server *srv, struct obj_model *m, char *err, size_t errlen);
unsigned int server_io_threads(const struct server *srv);
time_t server_started(const struct server *srv);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running target: I/O threads (one event loop each), the portal
 * listeners, signals, and the control socket, whose operations
 * (target/ctl/) reach the daemon through struct ctl_host_ops. The
 * transport's questions are answered from the model by target/iscsi_env.c.
 */
#ifndef PORTICO_TARGET_SERVER_H
#define PORTICO_TARGET_SERVER_H

#include <time.h>

#include "target/model/obj.h"

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

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * porticod's control socket (docs/control-protocol.md): a UNIX stream
 * socket on the control thread's loop, root only (SO_PEERCRED), one JSON
 * request per line, answered in order by target/ctl_ops.c.
 */
#ifndef PORTICO_TARGET_CTL_SERVER_H
#define PORTICO_TARGET_CTL_SERVER_H

#include <stddef.h>

struct ctl_server;
struct ev_loop;
struct server;

/*
 * Binds path (mode 0600; its directory is created 0755 when missing; a
 * stale socket file from a previous run is replaced, a live one is an
 * error: another porticod serves it) and serves it on loop. 0, or -errno
 * with a message in err.
 */
int ctl_server_start(struct server *srv, struct ev_loop *loop, const char *path,
		     struct ctl_server **out, char *err, size_t errlen);

/* Closes the socket and every client connection, and removes the socket file. */
void ctl_server_stop(struct ctl_server *c);

#endif

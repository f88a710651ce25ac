/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A daemon's control socket (docs/control-protocol.md): a UNIX stream socket
 * on the daemon's loop, root only (SO_PEERCRED), one JSON request per line,
 * answered in order by the daemon's handler. porticod and portico-pathd
 * each serve one; what a request does is theirs (the handler), the socket,
 * the peer check and the framing are this file's.
 */
#ifndef PORTICO_COMMON_CTL_SERVER_H
#define PORTICO_COMMON_CTL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "common/ctl.h"

struct ctl_server;
struct ev_loop;

/*
 * Answers req into *out (zeroed before the call; out->result, when set, is
 * taken and put by the server). Runs on the server's loop, synchronously,
 * once per request, in the order the requests came.
 */
typedef void ctl_server_handler(void *arg, const struct ctl_request *req, struct ctl_reply *out);

/* What one client may hold of the server (docs/control-protocol.md, "Limits"). */
struct ctl_server_limits {
	unsigned int max_clients; /* connected at once; a new one past it evicts the idlest */
	int64_t idle_ms;	  /* silent this long (nothing half-sent either way): closed */
	int64_t request_ms;	  /* one request, or the reading of one answer, takes longer: closed */
};

void ctl_server_limits_default(struct ctl_server_limits *l);

/*
 * Binds path (mode 0600; its directory is created 0755 when missing; a
 * stale socket file from a previous run is replaced, a live one is an
 * error: another daemon serves it) and serves it on loop, answering through
 * handle(arg, ...). daemon names the daemon in messages; limits NULL: the
 * defaults. 0, or -errno with a message in err.
 */
int ctl_server_start(struct ev_loop *loop, const char *path, const char *daemon,
		     const struct ctl_server_limits *limits, ctl_server_handler *handle, void *arg,
		     struct ctl_server **out, char *err, size_t errlen);

/* Closes the socket and every client connection, and removes the socket file. */
void ctl_server_stop(struct ctl_server *c);

#endif

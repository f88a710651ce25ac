/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A client of a daemon's control socket (I/O): connect on first use, send
 * one request, wait (bounded) for its response (docs/control-protocol.md).
 * A transport failure closes the connection; the next call connects again.
 * The shell (portico, to porticod) and portico-path (to portico-pathd) use
 * it; the daemon's name and unit go into the messages an admin reads.
 */
#ifndef PORTICO_COMMON_CTL_CLIENT_H
#define PORTICO_COMMON_CTL_CLIENT_H

#include <stdint.h>

#include "common/ctl.h"

struct json_object;

/* What went wrong in words for the admin, and what to do ("" if nothing to add). */
struct ctl_client_err {
	char msg[512];
	char hint[512];
};

/* Who is at the other end, for the messages: the daemon's name, and hints for each trouble. */
struct ctl_client_who {
	const char *daemon;	      /* "porticod" */
	const char *not_running_hint; /* nobody listens on the socket */
	const char *root_hint;	      /* the socket refuses us */
	const char *stopped_hint;     /* the connection broke */
	const char *busy_hint;	      /* no answer in time */
	const char *closed_hint;      /* closed without answering */
	const char *version_hint;     /* another protocol version */
};

struct ctl_client {
	char path[108]; /* sun_path */
	struct ctl_client_who who; /* static strings */
	int fd;		  /* -1 when not connected */
	int timeout_ms;	  /* for each response */
	int64_t next_id;
	struct ctl_reader rd;
	char *buf; /* CTL_BUF_SIZE bytes, for the request line */
};

/*
 * For the socket at path, of the daemon who describes (copied; its strings
 * must live as long as c). 0, -ENAMETOOLONG (path does not fit a UNIX
 * socket address) or -ENOMEM; release with ctl_client_fini() either way.
 */
int ctl_client_init(struct ctl_client *c, const char *path, const struct ctl_client_who *who,
		    int timeout_ms);
void ctl_client_fini(struct ctl_client *c);

/*
 * Sends op on path with args (may be NULL; not consumed) and waits for the
 * response. Returns 0 with *rsp filled (ok or an error from the daemon; the
 * caller releases it with ctl_response_fini()), or -errno when the daemon
 * could not be reached or did not answer as the protocol says, with err
 * set (what happened, what to do).
 */
int ctl_client_call(struct ctl_client *c, const char *op, const char *path,
		    struct json_object *args, struct ctl_response *rsp, struct ctl_client_err *err);

#endif

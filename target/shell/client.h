/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shell's connection to porticod's control socket (I/O): connect on
 * first use, send one request, wait for its response
 * (docs/control-protocol.md). A transport failure closes the connection;
 * the next call connects again.
 */
#ifndef PORTICO_TARGET_SHELL_CLIENT_H
#define PORTICO_TARGET_SHELL_CLIENT_H

#include <stdint.h>

#include "common/ctl.h"
#include "target/shell/text.h"

struct json_object;

struct sh_client {
	char path[108]; /* sun_path */
	int fd; /* -1 when not connected */
	int timeout_ms; /* for each response */
	int64_t next_id;
	struct ctl_reader rd;
	char *buf; /* CTL_BUF_SIZE bytes, for the request line */
};

/* Returns 0, -ENAMETOOLONG (path does not fit a UNIX socket address) or -ENOMEM. */
int sh_client_init(struct sh_client *c, const char *path, int timeout_ms);
void sh_client_fini(struct sh_client *c);

/*
 * Sends op on path with args (may be NULL; not consumed) and waits for the
 * response. Returns 0 with *rsp filled (ok or an error from porticod; the
 * caller releases it with ctl_response_fini()), or -errno when porticod
 * could not be reached or did not answer as the protocol says, with err
 * set (what happened, what to do).
 */
int sh_client_call(struct sh_client *c, const char *op, const char *path,
		   struct json_object *args, struct ctl_response *rsp, struct sh_err *err);

#endif

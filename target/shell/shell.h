/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `portico` shell: runs commands against porticod (I/O), one at a
 * time, from the command line, a batch (file or standard input) or an
 * interactive session with line editing (edit.c).
 */
#ifndef PORTICO_TARGET_SHELL_SHELL_H
#define PORTICO_TARGET_SHELL_SHELL_H

#include <stdbool.h>
#include <stdio.h>

#include "common/ctl_client.h"
#include "target/shell/cmdline.h"
#include "target/shell/path.h"

#include "common/version.h"
#define SH_VERSION PORTICO_VERSION
#define SH_TIMEOUT_S_DEFAULT 300

/* What a command, a batch or the program ends with: the exit status. */
enum sh_status {
	SH_STATUS_OK = 0,
	SH_STATUS_FAILED = 1, /* a command failed: porticod refused it, or the shell did */
	SH_STATUS_USAGE = 2, /* portico itself was called wrongly */
	SH_STATUS_UNREACHABLE = 3, /* porticod could not be reached, or broke the protocol */
};

struct sh_opts {
	const char *socket;
	int timeout_ms;
	size_t width; /* columns for ls */
	bool json; /* print results as JSON */
	bool keep_going; /* batch: go on after a failed command */
	bool echo; /* batch: print each command, after a prompt, before its output */
};

struct sh_ctx {
	struct ctl_client client;
	struct sh_opts opts;
	char cwd[SH_PATH_MAX];
	char prev[SH_PATH_MAX]; /* before the last cd, for "cd -" */
	char where[128]; /* batch: "FILE:LINE: " before messages */
	struct json_object *tree; /* the last `get /`, for completion (NULL: none) */
	bool tree_stale;
	bool quit;
	FILE *out;
	FILE *err;
};

/* Returns 0, -ENAMETOOLONG (socket path too long) or -ENOMEM. */
int sh_ctx_init(struct sh_ctx *ctx, const struct sh_opts *opts, FILE *out, FILE *err);
void sh_ctx_fini(struct sh_ctx *ctx);

/* Runs one parsed command; messages go to ctx->out and ctx->err. */
enum sh_status sh_exec(struct sh_ctx *ctx, const struct sh_cmd *cmd);
/* Parses and runs one line. */
enum sh_status sh_exec_line(struct sh_ctx *ctx, const char *line);
/*
 * Runs the commands of in, one per line (name: for messages), stopping at
 * the first failure unless opts.keep_going (a lost connection stops it
 * always). Returns the status of the first failure, or SH_STATUS_OK.
 */
enum sh_status sh_run_batch(struct sh_ctx *ctx, FILE *in, const char *name);
/* The prompt for the current node ("/backstores/file> "). */
void sh_prompt(const struct sh_ctx *ctx, char *out, size_t cap);

/*
 * An error on ctx->err: "error: MSG [CODE]" and "hint: HINT" lines, or
 * under --json one line {"error": {"where", "message", "code", "hint"}}.
 */
void sh_report(struct sh_ctx *ctx, const char *msg, const char *code, const char *hint);
/* Fetches the tree for completion again if a change made it stale (errors are silent). */
void sh_ctx_refresh_tree(struct sh_ctx *ctx);

/* The interactive session (edit.c): line editing, history, completion. */
enum sh_status sh_run_interactive(struct sh_ctx *ctx);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `portico` shell: runs commands against porticod (I/O). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/shell/shell.h"
#include "target/shell/verbs.h"
#include "target/shell/view.h"

#define SH_PROMPT_PATH_MAX 48
#define SH_TREE_TIMEOUT_MS 3000

/* porticod, as the shell tells the admin about it when it cannot be reached. */
static const struct ctl_client_who sh_porticod = {
	.daemon = "porticod",
	.not_running_hint =
		"is porticod running, with its control server? Another socket: --socket PATH or PORTICO_SOCKET",
	.root_hint = "administering porticod takes root",
	.stopped_hint = "is porticod still running? 'systemctl status porticod'",
	.busy_hint = "porticod may be busy or stuck: 'portico status', or a longer --timeout",
	.closed_hint = "porticod may have stopped: see its log",
	.version_hint = "install portico and porticod of the same version",
};

int sh_ctx_init(struct sh_ctx *ctx, const struct sh_opts *opts, FILE *out, FILE *err)
{
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->opts = *opts;
	ctx->out = out;
	ctx->err = err;
	snprintf(ctx->cwd, sizeof(ctx->cwd), "/");
	ctx->tree_stale = true;
	rc = ctl_client_init(&ctx->client, opts->socket, &sh_porticod, opts->timeout_ms);
	if (rc)
		ctl_client_fini(&ctx->client);
	return rc;
}

void sh_ctx_fini(struct sh_ctx *ctx)
{
	ctl_client_fini(&ctx->client);
	json_object_put(ctx->tree);
	ctx->tree = NULL;
}

void sh_prompt(const struct sh_ctx *ctx, char *out, size_t cap)
{
	char path[SH_PATH_MAX];

	sh_path_abbrev(ctx->cwd, SH_PROMPT_PATH_MAX, path, sizeof(path));
	snprintf(out, cap, "%s> ", path);
}

/*
 * Under --json: one line {"error": {"where", "message", "code", "hint"}}
 * (where, code and hint when there are), so that a script reading JSON
 * reads the failure too. json-c escapes control characters.
 */
static void sh_report_json(struct sh_ctx *ctx, const char *msg, const char *code,
			   const char *hint)
{
	struct json_object *top = json_object_new_object(), *e = json_object_new_object();
	char where[sizeof(ctx->where)];
	size_t n = strlen(ctx->where);
	const char *s = NULL;

	/* "FILE:LINE: " without its ": " */
	snprintf(where, sizeof(where), "%s", ctx->where);
	if (n >= 2 && !strcmp(where + n - 2, ": "))
		where[n - 2] = '\0';
	if (top && e && !json_object_object_add(top, "error", e)) {
		struct json_object *inner = e;

		e = NULL; /* top holds it */
		if (where[0])
			json_object_object_add(inner, "where", json_object_new_string(where));
		json_object_object_add(inner, "message", json_object_new_string(msg));
		if (code && code[0])
			json_object_object_add(inner, "code", json_object_new_string(code));
		if (hint && hint[0])
			json_object_object_add(inner, "hint", json_object_new_string(hint));
		s = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE);
	}
	fprintf(ctx->err, "%s\n", s ? s : "{\"error\": {\"message\": \"out of memory\"}}");
	fflush(ctx->err);
	json_object_put(e);
	json_object_put(top);
}

/* "error: MESSAGE [CODE]" and "hint: HINT", control characters shown as '?'. */
void sh_report(struct sh_ctx *ctx, const char *msg, const char *code, const char *hint)
{
	struct sh_buf b;

	if (ctx->opts.json) {
		sh_report_json(ctx, msg, code, hint);
		return;
	}

	sh_buf_init(&b);
	sh_buf_printf(&b, "%serror: ", ctx->where);
	sh_buf_add_safe(&b, msg, strlen(msg));
	if (code && code[0]) {
		sh_buf_puts(&b, " [");
		sh_buf_add_safe(&b, code, strlen(code));
		sh_buf_puts(&b, "]");
	}
	sh_buf_puts(&b, "\n");
	if (hint && hint[0]) {
		sh_buf_printf(&b, "%shint: ", ctx->where);
		sh_buf_add_safe(&b, hint, strlen(hint));
		sh_buf_puts(&b, "\n");
	}
	fputs(sh_buf_status(&b) ? "error: out of memory\n" : sh_buf_str(&b), ctx->err);
	fflush(ctx->err);
	sh_buf_fini(&b);
}

static void sh_print(struct sh_ctx *ctx, const struct sh_buf *b)
{
	if (sh_buf_status(b))
		sh_report(ctx, "out of memory", NULL, NULL);
	else
		fputs(sh_buf_str(b), ctx->out);
	fflush(ctx->out);
}

static void sh_print_json(struct sh_ctx *ctx, struct json_object *result)
{
	const char *s;

	if (!result) {
		fputs("{}\n", ctx->out);
		return;
	}
	s = json_object_to_json_string_ext(result, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	fprintf(ctx->out, "%s\n", s ? s : "{}");
	fflush(ctx->out);
}

/* Shows the result of a request the way its verb wants. */
static int sh_show(struct sh_ctx *ctx, const struct sh_action *a, struct json_object *result,
		   struct sh_err *err)
{
	struct sh_buf b;
	int rc = 0;

	if (a->verb == SH_VERB_CD)
		return 0;
	/* sessions: the list status gives, alone (JSON: the array) */
	if (a->verb == SH_VERB_SESSIONS) {
		struct json_object *list = NULL;

		if (result)
			json_object_object_get_ex(result, "sessions", &list);
		if (ctx->opts.json) {
			if (list) {
				sh_print_json(ctx, list);
			} else {
				fputs("[]\n", ctx->out);
				fflush(ctx->out);
			}
			return 0;
		}
		sh_buf_init(&b);
		if (!list || !json_object_is_type(list, json_type_array) ||
		    !json_object_array_length(list))
			sh_buf_puts(&b, "No open sessions.\n");
		else
			sh_view_value(list, 0, &b);
		sh_print(ctx, &b);
		sh_buf_fini(&b);
		return 0;
	}
	if (ctx->opts.json) {
		sh_print_json(ctx, result);
		return 0;
	}
	sh_buf_init(&b);
	switch (a->verb) {
	case SH_VERB_LS:
		rc = sh_tree_render(result, ctx->opts.width, &b, err);
		break;
	case SH_VERB_GET:
		rc = sh_view_get(result, a->target_node.type, a->group, a->keys, a->nkeys, &b, err);
		break;
	case SH_VERB_INFO:
		rc = sh_view_info(result, &b, err);
		break;
	case SH_VERB_STATUS:
	case SH_VERB_VERSION:
		if (result)
			sh_view_value(result, 0, &b);
		break;
	default:
		sh_view_change(result, a->op, a->target, &b);
		break;
	}
	if (!rc)
		sh_print(ctx, &b);
	sh_buf_fini(&b);
	return rc;
}

/* Where the shell stands after a change went through. */
static void sh_after_change(struct sh_ctx *ctx, const struct sh_action *a)
{
	ctx->tree_stale = true;
	if (a->verb == SH_VERB_DELETE && sh_path_within(ctx->cwd, a->target)) {
		sh_path_parent(a->target, ctx->cwd, sizeof(ctx->cwd));
		ctx->prev[0] = '\0';
	} else if (a->verb == SH_VERB_CLEARCONFIG) {
		snprintf(ctx->cwd, sizeof(ctx->cwd), "/");
		ctx->prev[0] = '\0';
	}
}

static enum sh_status sh_request(struct sh_ctx *ctx, const struct sh_action *a)
{
	struct ctl_response rsp;
	struct ctl_client_err cerr = { .msg = "" };
	struct sh_err err = { .msg = "" };
	int rc;

	rc = ctl_client_call(&ctx->client, a->op, a->target, a->args, &rsp, &cerr);
	if (rc) {
		sh_report(ctx, cerr.msg, NULL, cerr.hint);
		return SH_STATUS_UNREACHABLE;
	}
	if (!rsp.ok) {
		sh_report(ctx, rsp.message, rsp.code, rsp.hint);
		ctl_response_fini(&rsp);
		return SH_STATUS_FAILED;
	}
	if (sh_show(ctx, a, rsp.result, &err)) {
		sh_report(ctx, err.msg, NULL, err.hint);
		ctl_response_fini(&rsp);
		return SH_STATUS_FAILED;
	}
	if (a->verb == SH_VERB_CD && strcmp(ctx->cwd, a->target) != 0) {
		snprintf(ctx->prev, sizeof(ctx->prev), "%s", ctx->cwd);
		snprintf(ctx->cwd, sizeof(ctx->cwd), "%s", a->target);
	}
	if (sh_verbs[a->verb].changes)
		sh_after_change(ctx, a);
	ctl_response_fini(&rsp);
	return SH_STATUS_OK;
}

enum sh_status sh_exec(struct sh_ctx *ctx, const struct sh_cmd *cmd)
{
	struct sh_err err = { .msg = "" };
	struct sh_action a;
	enum sh_status st = SH_STATUS_OK;
	struct sh_buf b;
	int rc;

	if (!cmd->verb)
		return SH_STATUS_OK;
	rc = sh_action_build(ctx->cwd, ctx->prev, cmd, &a, &err);
	if (rc) {
		sh_report(ctx, rc == -ENOMEM ? "out of memory" : err.msg, NULL, err.hint);
		return SH_STATUS_FAILED;
	}
	switch (a.verb) {
	case SH_VERB_PWD:
		fprintf(ctx->out, "%s\n", ctx->cwd);
		fflush(ctx->out);
		break;
	case SH_VERB_EXIT:
		ctx->quit = true;
		break;
	case SH_VERB_HELP:
		sh_buf_init(&b);
		sh_help(a.topic ? sh_verb_lookup(a.topic) : SH_VERB_NONE, &a.node, a.base, &b);
		sh_print(ctx, &b);
		sh_buf_fini(&b);
		break;
	default:
		st = sh_request(ctx, &a);
		break;
	}
	sh_action_fini(&a);
	return st;
}

enum sh_status sh_exec_line(struct sh_ctx *ctx, const char *line)
{
	struct sh_err err = { .msg = "" };
	struct sh_cmd cmd;
	enum sh_status st;
	int rc;

	rc = sh_cmd_parse(line, strlen(line), &cmd, &err);
	if (rc) {
		sh_report(ctx, rc == -ENOMEM ? "out of memory" : err.msg, NULL, err.hint);
		return SH_STATUS_FAILED;
	}
	st = sh_exec(ctx, &cmd);
	sh_cmd_fini(&cmd);
	return st;
}

static bool sh_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

enum sh_status sh_run_batch(struct sh_ctx *ctx, FILE *in, const char *name)
{
	enum sh_status first = SH_STATUS_OK, st;
	unsigned long lineno = 0;
	char prompt[SH_PATH_MAX + 8];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (!ctx->quit && (n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		snprintf(ctx->where, sizeof(ctx->where), "%s:%lu: ", name, lineno);
		if (ctx->opts.echo && !sh_blank(line)) {
			sh_prompt(ctx, prompt, sizeof(prompt));
			fprintf(ctx->out, "%s%s\n", prompt, line);
			fflush(ctx->out);
		}
		if (strlen(line) != (size_t)n) {
			sh_report(ctx, "NUL byte in the line", NULL, NULL);
			st = SH_STATUS_FAILED;
		} else {
			st = sh_exec_line(ctx, line);
		}
		if (st == SH_STATUS_OK)
			continue;
		if (first == SH_STATUS_OK)
			first = st;
		if (!ctx->opts.keep_going || st == SH_STATUS_UNREACHABLE)
			break;
	}
	if (ferror(in)) {
		snprintf(ctx->where, sizeof(ctx->where), "%s: ", name);
		sh_report(ctx, "read error", NULL, NULL);
		if (first == SH_STATUS_OK)
			first = SH_STATUS_FAILED;
	}
	ctx->where[0] = '\0';
	free(line);
	return first;
}

void sh_ctx_refresh_tree(struct sh_ctx *ctx)
{
	int timeout = ctx->client.timeout_ms;
	struct ctl_response rsp;
	struct ctl_client_err err;
	int rc;

	if (ctx->tree && !ctx->tree_stale)
		return;
	/* a Tab must not hang on a busy daemon */
	if (ctx->client.timeout_ms > SH_TREE_TIMEOUT_MS)
		ctx->client.timeout_ms = SH_TREE_TIMEOUT_MS;
	rc = ctl_client_call(&ctx->client, "get", "/", NULL, &rsp, &err);
	ctx->client.timeout_ms = timeout;
	if (rc)
		return;
	if (rsp.ok && rsp.result) {
		json_object_put(ctx->tree);
		ctx->tree = json_object_get(rsp.result);
		ctx->tree_stale = false;
	}
	ctl_response_fini(&rsp);
}

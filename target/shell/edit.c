/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interactive session (I/O): libedit for line editing, history in
 * ~/.portico_history (mode 0600; lines that carry a secret, a key the
 * facts say holds one, are left out) and Tab completion from complete.c.
 */
#include <errno.h>
#include <histedit.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target/shell/complete.h"
#include "target/shell/facts.h"
#include "target/shell/shell.h"

#define SH_HISTORY_FILE ".portico_history"
#define SH_HISTORY_SIZE 1000

struct sh_edit {
	struct sh_ctx *ctx;
	char prompt[SH_PATH_MAX + 8];
};

static volatile sig_atomic_t sh_interrupted;

static void sh_on_sigint(int sig)
{
	(void)sig;
	sh_interrupted = 1;
}

static char *sh_el_prompt(EditLine *el)
{
	struct sh_edit *ed = NULL;

	el_get(el, EL_CLIENTDATA, &ed);
	return ed->prompt;
}

/* What a candidate is shown as in a list: a path's last component. */
static const char *sh_cand_label(const char *cand, char *buf, size_t cap)
{
	size_t len = strlen(cand);
	const char *slash;

	if (strchr(cand, '=') || len < 2)
		return cand;
	slash = memrchr(cand, '/', len - 1);
	if (!slash)
		return cand;
	snprintf(buf, cap, "%s", slash + 1);
	return buf;
}

static void sh_list_candidates(struct sh_ctx *ctx, const struct sh_completion *c)
{
	size_t i, w = 0, cols, width = ctx->opts.width;
	char label[SH_PATH_MAX];

	for (i = 0; i < c->n; i++) {
		size_t l = strlen(sh_cand_label(c->cand[i], label, sizeof(label)));

		if (l > w)
			w = l;
	}
	w += 2;
	cols = width / w ? width / w : 1;
	fputc('\n', ctx->out);
	for (i = 0; i < c->n; i++) {
		const char *s = sh_cand_label(c->cand[i], label, sizeof(label));

		if ((i + 1) % cols == 0 || i + 1 == c->n)
			fprintf(ctx->out, "%s\n", s);
		else
			fprintf(ctx->out, "%-*s", (int)w, s);
	}
	fflush(ctx->out);
}

static unsigned char sh_el_complete(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	struct sh_edit *ed = NULL;
	struct sh_completion c;
	size_t cursor, typed, common;
	unsigned char ret = CC_REFRESH;
	char *line, *ins;

	(void)ch;
	el_get(el, EL_CLIENTDATA, &ed);
	cursor = (size_t)(li->cursor - li->buffer);
	line = strndup(li->buffer, (size_t)(li->lastchar - li->buffer));
	if (!line)
		return CC_ERROR;
	sh_ctx_refresh_tree(ed->ctx);
	if (sh_complete(ed->ctx->cwd, ed->ctx->tree, line, cursor, &c) || c.n == 0) {
		free(line);
		return CC_REFRESH_BEEP;
	}
	typed = cursor - c.start;
	common = sh_completion_common(&c);
	if (c.n == 1) {
		size_t len = strlen(c.cand[0]);
		bool more = len && (c.cand[0][len - 1] == '/' || c.cand[0][len - 1] == '=');

		ins = malloc(len - typed + 2);
		if (ins) {
			memcpy(ins, c.cand[0] + typed, len - typed);
			memcpy(ins + len - typed, more ? "" : " ", more ? 1 : 2);
			el_insertstr(el, ins);
			free(ins);
		}
	} else if (common > typed) {
		ins = strndup(c.cand[0] + typed, common - typed);
		if (ins) {
			el_insertstr(el, ins);
			free(ins);
		}
	} else {
		sh_list_candidates(ed->ctx, &c);
		ret = CC_REDISPLAY;
	}
	sh_completion_fini(&c);
	free(line);
	return ret;
}

static void sh_history_path(char *out, size_t cap)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (!home || !home[0]) {
		pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (home)
		snprintf(out, cap, "%s/%s", home, SH_HISTORY_FILE);
	else
		out[0] = '\0';
}

static void sh_history_save(History *hist, const char *path)
{
	HistEvent ev;
	mode_t old;

	if (!path[0])
		return;
	/* a line may name a target, an initiator, a user: the file is the owner's alone */
	old = umask(077);
	history(hist, &ev, H_SAVE, path);
	umask(old);
	chmod(path, 0600);
}

enum sh_status sh_run_interactive(struct sh_ctx *ctx)
{
	struct sh_edit ed = { .ctx = ctx };
	enum sh_status last = SH_STATUS_OK;
	struct sigaction sa = { .sa_handler = sh_on_sigint }, old_sa;
	sigset_t sigint, old_mask;
	char hpath[SH_PATH_MAX];
	History *hist;
	EditLine *el;
	HistEvent ev;

	setlocale(LC_CTYPE, "");
	hist = history_init();
	if (!hist) {
		fprintf(ctx->err, "error: cannot set up line editing (out of memory)\n");
		return SH_STATUS_FAILED;
	}
	el = el_init("portico", stdin, ctx->out, ctx->err);
	if (!el) {
		history_end(hist);
		fprintf(ctx->err, "error: cannot set up line editing\n");
		return SH_STATUS_FAILED;
	}
	history(hist, &ev, H_SETSIZE, SH_HISTORY_SIZE);
	history(hist, &ev, H_SETUNIQUE, 1);
	sh_history_path(hpath, sizeof(hpath));
	if (hpath[0])
		history(hist, &ev, H_LOAD, hpath);
	el_set(el, EL_CLIENTDATA, &ed);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_PROMPT, sh_el_prompt);
	el_set(el, EL_HIST, history, hist);
	el_set(el, EL_SIGNAL, 1);
	/* the wide call keeps the names as given (the narrow one copies them and never frees) */
	el_wset(el, EL_ADDFN, L"portico-complete", L"complete a path, command or key",
		sh_el_complete);
	el_set(el, EL_BIND, "^I", "portico-complete", NULL);
	el_source(el, NULL);
	/*
	 * Ctrl-C drops the line being typed, not the shell; the signal may come
	 * blocked from whoever started us
	 */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	sigemptyset(&sigint);
	sigaddset(&sigint, SIGINT);
	sigprocmask(SIG_UNBLOCK, &sigint, &old_mask);

	fprintf(ctx->out,
		"portico %s, administering porticod at %s\n"
		"'help' lists the commands, Tab completes, 'exit' or Ctrl-D leaves.\n",
		SH_VERSION, ctx->client.path);
	while (!ctx->quit) {
		const char *line;
		int count = 0;
		char *copy;
		size_t n;

		sh_prompt(ctx, ed.prompt, sizeof(ed.prompt));
		sh_interrupted = 0;
		line = el_gets(el, &count);
		if (!line) {
			if (count == -1 && sh_interrupted) {
				fputc('\n', ctx->out);
				el_reset(el);
				continue;
			}
			fputc('\n', ctx->out);
			break;
		}
		copy = strdup(line);
		if (!copy)
			break;
		n = strlen(copy);
		while (n && (copy[n - 1] == '\n' || copy[n - 1] == '\r'))
			copy[--n] = '\0';
		if (copy[strspn(copy, " \t")] && !sh_facts_has_secret(copy))
			history(hist, &ev, H_ENTER, line);
		last = sh_exec_line(ctx, copy);
		free(copy);
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGINT, &old_sa, NULL);
	sh_history_save(hist, hpath);
	el_end(el);
	history_end(hist);
	/* the session's outcome is its last command's */
	return last;
}

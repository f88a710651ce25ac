/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'portico --complete WORD...': the interactive completion, for bash (complete_cli.h). */
#include <stdlib.h>
#include <string.h>

#include "target/shell/complete.h"
#include "target/shell/complete_cli.h"

#define SH_COMPLETE_LINE_MAX 4096

enum sh_status sh_complete_words(struct sh_ctx *ctx, int n, char *const *words, FILE *out)
{
	char line[SH_COMPLETE_LINE_MAX];
	struct sh_completion c;
	size_t len = 0;

	if (n < 1)
		return SH_STATUS_USAGE;
	/*
	 * The words as one line at '/', the cursor at its end. bash has taken
	 * quotes and backslashes off already: a word that would need them
	 * again (a space, a quote) is not worth guessing, as inside quotes in
	 * the interactive shell.
	 */
	for (int i = 0; i < n; i++) {
		size_t wl = strlen(words[i]);

		if (strpbrk(words[i], " \t'\"\\") || len + wl + 2 > sizeof(line))
			return SH_STATUS_OK;
		memcpy(line + len, words[i], wl);
		len += wl;
		if (i < n - 1)
			line[len++] = ' ';
	}
	line[len] = '\0';
	sh_ctx_refresh_tree(ctx);
	if (sh_complete("/", ctx->tree, line, len, &c))
		return SH_STATUS_OK;
	for (size_t i = 0; i < c.n; i++)
		fprintf(out, "%s\n", c.cand[i]);
	sh_completion_fini(&c);
	return SH_STATUS_OK;
}

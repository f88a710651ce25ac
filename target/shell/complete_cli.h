/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Completion for a shell other than portico's own: 'portico --complete
 * WORD...' prints, one a line, what Tab would offer for the last WORD of
 * the one-shot command 'portico WORD...' (the bash completion script,
 * conf/portico.bash-completion, calls it). The candidates are the
 * interactive shell's (complete.c), at '/', from porticod's tree when it
 * answers and from the tree's fixed shape otherwise.
 */
#ifndef PORTICO_TARGET_SHELL_COMPLETE_CLI_H
#define PORTICO_TARGET_SHELL_COMPLETE_CLI_H

#include <stdio.h>

#include "target/shell/shell.h"

/*
 * Prints the candidates for words[n - 1] (the word being completed, "" for
 * a new one) after words[0 .. n - 2] to out. Returns SH_STATUS_OK (none
 * printed is no error) or SH_STATUS_USAGE when n is 0.
 */
enum sh_status sh_complete_words(struct sh_ctx *ctx, int n, char *const *words, FILE *out);

#endif

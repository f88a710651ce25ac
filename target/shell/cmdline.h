/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shell's command line (pure): words, then (path, verb, arguments) with
 * targetcli's rules:
 *
 *   [PATH] VERB [positional ...] [key=value ...]
 *
 * A first word starting with '/' or '.', or holding a '/' ("luns/"), is a
 * path (alone, it means "cd there"). A word is key=value when it starts with a name (a letter, then
 * letters, digits and '_') followed by an unquoted '='; any other word is
 * positional. Quoting: '...' is literal, "..." takes \" and \\, a backslash
 * outside quotes takes the next character as it is; a word starting with
 * '#' starts a comment.
 */
#ifndef PORTICO_TARGET_SHELL_CMDLINE_H
#define PORTICO_TARGET_SHELL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "target/shell/text.h"

#define SH_LINE_MAX 65536
#define SH_WORDS_MAX 256

struct sh_word {
	char *text; /* without its quotes */
	size_t start, end; /* where it is in the line: [start, end) */
	size_t eq; /* offset in text of an '=' that makes it key=value, or SH_NO_EQ */
	bool quoted; /* some of it was quoted or escaped */
};

#define SH_NO_EQ ((size_t)-1)

struct sh_words {
	struct sh_word *w;
	size_t n;
	bool open; /* (lenient only) the line ends inside a word: quote or escape left open */
};

/*
 * Splits line[0, len) into words. lenient (for completion) takes an
 * unterminated quote as ending at the end of the line. Returns 0, -EINVAL
 * (with err set) for an unterminated quote, a line longer than SH_LINE_MAX
 * or more than SH_WORDS_MAX words, -ENOMEM. The caller frees out with
 * sh_words_fini().
 */
int sh_words_split(const char *line, size_t len, bool lenient, struct sh_words *out,
		   struct sh_err *err);
void sh_words_fini(struct sh_words *w);

struct sh_arg {
	char *key; /* NULL for a positional word */
	char *value;
};

struct sh_cmd {
	char *path; /* the path word as typed, NULL when none */
	char *verb; /* NULL: an empty line (or only a comment) */
	struct sh_arg *args; /* positional and key=value, in the order typed */
	size_t nargs;
};

/*
 * Parses a command line. Returns 0, -EINVAL with err set (bad quoting, a
 * key given twice), -ENOMEM. The caller frees out with sh_cmd_fini().
 */
int sh_cmd_parse(const char *line, size_t len, struct sh_cmd *out, struct sh_err *err);
/*
 * The same from words already split (a one-shot command's argv): no
 * quoting, a word is key=value when it starts with "name=".
 */
int sh_cmd_from_argv(int argc, char *const *argv, struct sh_cmd *out, struct sh_err *err);
void sh_cmd_fini(struct sh_cmd *cmd);

/* The value of key=value, or NULL. */
const char *sh_cmd_key(const struct sh_cmd *cmd, const char *key);
/* The i-th positional word (from 0), or NULL. */
const char *sh_cmd_pos(const struct sh_cmd *cmd, size_t i);
size_t sh_cmd_npos(const struct sh_cmd *cmd);

/* Whether word is a path by targetcli's rule (starts with '/' or '.', or holds a '/'). */
bool sh_word_is_path(const char *word);
/* The length of the "name" before '=' when s is key=value, else 0. */
size_t sh_key_len(const char *s);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shell's command line: words and (path, verb, arguments) (pure). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "target/shell/cmdline.h"

enum sh_lex_state {
	SH_LEX_SPACE, /* between words */
	SH_LEX_WORD, /* in a word, outside quotes */
	SH_LEX_SQUOTE, /* inside '...' */
	SH_LEX_DQUOTE, /* inside "..." */
	SH_LEX_DQUOTE_ESC, /* after a backslash inside "..." */
	SH_LEX_ESC, /* after a backslash outside quotes */
};

static bool sh_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool sh_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool sh_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

size_t sh_key_len(const char *s)
{
	size_t i;

	if (!sh_is_alpha(s[0]))
		return 0;
	for (i = 1; sh_is_alpha(s[i]) || sh_is_digit(s[i]) || s[i] == '_'; i++)
		;
	return s[i] == '=' ? i : 0;
}

bool sh_word_is_path(const char *word)
{
	/* targetcli's rule: "luns/" and "acls/iqn..." are paths too; a verb never holds '/' */
	return word[0] == '/' || word[0] == '.' || strchr(word, '/');
}

void sh_words_fini(struct sh_words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->w[i].text);
	free(w->w);
	memset(w, 0, sizeof(*w));
}

/* The word being built. */
struct sh_lex {
	char *text;
	size_t len;
	size_t start;
	size_t eq;
	bool quoted;
};

static int sh_lex_begin(struct sh_lex *x, size_t start, size_t len_max)
{
	x->text = malloc(len_max + 1);
	if (!x->text)
		return -ENOMEM;
	x->len = 0;
	x->start = start;
	x->eq = SH_NO_EQ;
	x->quoted = false;
	return 0;
}

static void sh_lex_put(struct sh_lex *x, char c)
{
	x->text[x->len++] = c;
}

static int sh_lex_end(struct sh_lex *x, size_t end, struct sh_words *out, struct sh_err *err)
{
	struct sh_word *w;
	char *shrunk;

	if (out->n == SH_WORDS_MAX) {
		free(x->text);
		x->text = NULL;
		return sh_err_set(err, "split the command", "more than %d words", SH_WORDS_MAX);
	}
	if (!out->w) {
		out->w = calloc(SH_WORDS_MAX, sizeof(*out->w));
		if (!out->w) {
			free(x->text);
			x->text = NULL;
			return -ENOMEM;
		}
	}
	x->text[x->len] = '\0';
	/* the word was given room for the rest of the line: give back what it did not use */
	shrunk = realloc(x->text, x->len + 1);
	if (shrunk)
		x->text = shrunk;
	w = &out->w[out->n++];
	w->text = x->text;
	w->start = x->start;
	w->end = end;
	w->eq = x->eq;
	w->quoted = x->quoted;
	x->text = NULL;
	return 0;
}

int sh_words_split(const char *line, size_t len, bool lenient, struct sh_words *out,
		   struct sh_err *err)
{
	enum sh_lex_state st = SH_LEX_SPACE;
	struct sh_lex x = { .text = NULL };
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > SH_LINE_MAX)
		return sh_err_set(err, "split the command", "line longer than %d bytes",
				  SH_LINE_MAX);
	for (i = 0; i < len; i++) {
		char c = line[i];

		switch (st) {
		case SH_LEX_SPACE:
			if (sh_is_space(c))
				break;
			if (c == '#')
				goto done;
			rc = sh_lex_begin(&x, i, len - i);
			if (rc)
				goto err;
			st = SH_LEX_WORD;
			/* the first character of a word is taken as in a word */
			__attribute__((fallthrough));
		case SH_LEX_WORD:
			if (sh_is_space(c)) {
				rc = sh_lex_end(&x, i, out, err);
				if (rc)
					goto err;
				st = SH_LEX_SPACE;
			} else if (c == '\'') {
				x.quoted = true;
				st = SH_LEX_SQUOTE;
			} else if (c == '"') {
				x.quoted = true;
				st = SH_LEX_DQUOTE;
			} else if (c == '\\') {
				x.quoted = true;
				st = SH_LEX_ESC;
			} else {
				/* key=value: a name typed as it is, then '=' outside quotes */
				if (c == '=' && x.eq == SH_NO_EQ && !x.quoted) {
					x.text[x.len] = '=';
					x.text[x.len + 1] = '\0';
					if (sh_key_len(x.text) == x.len && x.len)
						x.eq = x.len;
				}
				sh_lex_put(&x, c);
			}
			break;
		case SH_LEX_SQUOTE:
			if (c == '\'')
				st = SH_LEX_WORD;
			else
				sh_lex_put(&x, c);
			break;
		case SH_LEX_DQUOTE:
			if (c == '"')
				st = SH_LEX_WORD;
			else if (c == '\\')
				st = SH_LEX_DQUOTE_ESC;
			else
				sh_lex_put(&x, c);
			break;
		case SH_LEX_DQUOTE_ESC:
			/* as in sh: the backslash stays unless it escapes '"' or '\' */
			if (c != '"' && c != '\\')
				sh_lex_put(&x, '\\');
			sh_lex_put(&x, c);
			st = SH_LEX_DQUOTE;
			break;
		case SH_LEX_ESC:
			sh_lex_put(&x, c);
			st = SH_LEX_WORD;
			break;
		}
	}
done:
	switch (st) {
	case SH_LEX_SPACE:
		break;
	case SH_LEX_SQUOTE:
	case SH_LEX_DQUOTE:
	case SH_LEX_DQUOTE_ESC:
	case SH_LEX_ESC:
		if (!lenient) {
			free(x.text);
			rc = sh_err_set(err, "close the quote, or escape it with a backslash",
					st == SH_LEX_ESC ? "a backslash ends the line" :
							   "unterminated quote");
			goto err;
		}
		out->open = true;
		__attribute__((fallthrough));
	case SH_LEX_WORD:
		rc = sh_lex_end(&x, i, out, err);
		if (rc)
			goto err;
		break;
	}
	return 0;
err:
	sh_words_fini(out);
	return rc;
}

void sh_cmd_fini(struct sh_cmd *cmd)
{
	size_t i;

	for (i = 0; i < cmd->nargs; i++) {
		free(cmd->args[i].key);
		free(cmd->args[i].value);
	}
	free(cmd->args);
	free(cmd->path);
	free(cmd->verb);
	memset(cmd, 0, sizeof(*cmd));
}

/* Builds cmd from n words; eq[i] is the offset of word i's '=' or SH_NO_EQ. */
static int sh_cmd_build(char *const *words, const size_t *eq, size_t n, struct sh_cmd *out,
			struct sh_err *err)
{
	size_t i = 0, j;
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	if (sh_word_is_path(words[0])) {
		out->path = strdup(words[0]);
		if (!out->path)
			goto err;
		i = 1;
	}
	/* a path alone: go there */
	out->verb = strdup(i < n ? words[i++] : "cd");
	if (!out->verb)
		goto err;
	if (i < n) {
		out->args = calloc(n - i, sizeof(*out->args));
		if (!out->args)
			goto err;
	}
	for (; i < n; i++) {
		struct sh_arg *a = &out->args[out->nargs];

		if (eq[i] != SH_NO_EQ) {
			a->key = strndup(words[i], eq[i]);
			if (!a->key)
				goto err;
			for (j = 0; j < out->nargs; j++) {
				if (out->args[j].key && strcmp(out->args[j].key, a->key) == 0) {
					rc = sh_err_set(err, "give each key once",
							"'%s' is given twice", a->key);
					free(a->key);
					a->key = NULL;
					goto err;
				}
			}
			a->value = strdup(words[i] + eq[i] + 1);
		} else {
			a->value = strdup(words[i]);
		}
		if (!a->value) {
			free(a->key);
			a->key = NULL;
			goto err;
		}
		out->nargs++;
	}
	return 0;
err:
	sh_cmd_fini(out);
	return rc;
}

int sh_cmd_parse(const char *line, size_t len, struct sh_cmd *out, struct sh_err *err)
{
	struct sh_words w;
	char **words = NULL;
	size_t *eq = NULL, i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sh_words_split(line, len, false, &w, err);
	if (rc)
		return rc;
	if (w.n) {
		rc = -ENOMEM;
		words = calloc(w.n, sizeof(*words));
		eq = calloc(w.n, sizeof(*eq));
		if (!words || !eq)
			goto out;
		for (i = 0; i < w.n; i++) {
			words[i] = w.w[i].text;
			eq[i] = w.w[i].eq;
		}
	}
	rc = sh_cmd_build(words, eq, w.n, out, err);
out:
	free(words);
	free(eq);
	sh_words_fini(&w);
	return rc;
}

int sh_cmd_from_argv(int argc, char *const *argv, struct sh_cmd *out, struct sh_err *err)
{
	size_t *eq, i, n = argc > 0 ? (size_t)argc : 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (n > SH_WORDS_MAX)
		return sh_err_set(err, "split the command", "more than %d words", SH_WORDS_MAX);
	eq = calloc(n ? n : 1, sizeof(*eq));
	if (!eq)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		size_t k = sh_key_len(argv[i]);

		eq[i] = k ? k : SH_NO_EQ;
	}
	rc = sh_cmd_build(argv, eq, n, out, err);
	free(eq);
	return rc;
}

const char *sh_cmd_key(const struct sh_cmd *cmd, const char *key)
{
	size_t i;

	for (i = 0; i < cmd->nargs; i++)
		if (cmd->args[i].key && strcmp(cmd->args[i].key, key) == 0)
			return cmd->args[i].value;
	return NULL;
}

const char *sh_cmd_pos(const struct sh_cmd *cmd, size_t idx)
{
	size_t i;

	for (i = 0; i < cmd->nargs; i++)
		if (!cmd->args[i].key && idx-- == 0)
			return cmd->args[i].value;
	return NULL;
}

size_t sh_cmd_npos(const struct sh_cmd *cmd)
{
	size_t i, n = 0;

	for (i = 0; i < cmd->nargs; i++)
		if (!cmd->args[i].key)
			n++;
	return n;
}

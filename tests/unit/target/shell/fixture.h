/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixtures of the shell's tests, found through PORTICO_TOP (the source
 * tree, set by the Makefile): the walkthrough tree (a `get /` result as
 * docs/control-protocol.md describes it) and its `ls` drawing.
 */
#ifndef PORTICO_TESTS_SHELL_FIXTURE_H
#define PORTICO_TESTS_SHELL_FIXTURE_H

#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE_DIR PORTICO_TOP "/tests/unit/target/shell/"
#define FIXTURE_TREE FIXTURE_DIR "walkthrough.json"
#define FIXTURE_LS FIXTURE_DIR "walkthrough_ls.golden"
#define FIXTURE_TARGET "iqn.2026-11.org.portico:storage1.4f1c2a9e7b30"
#define FIXTURE_TPG "/iscsi/" FIXTURE_TARGET "/tpg1"
#define FIXTURE_KVM1 "iqn.2026-11.org.example:kvm1"
/* the width the golden drawing is made for */
#define FIXTURE_WIDTH 100

/* The whole file, NUL-terminated; the caller frees it. */
static inline char *fixture_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * docs/shell.md's walkthrough transcript (written by
 * tests/functional/shell-walkthrough.sh from what porticod really answered)
 * as the session portico -e prints against the stand-in, which must be the
 * same: each one-shot "# portico CMD" becomes "/> CMD", the line that starts
 * the batch goes, and it ends where iscsi-ls starts. The caller frees it.
 */
static inline char *fixture_doc_session(void)
{
	static const char begin_mark[] = "<!-- transcript:walkthrough begin";
	char *doc = fixture_read(PORTICO_TOP "/docs/shell.md"), *out, *line, *next;
	size_t n = 0;

	line = strstr(doc, begin_mark);
	ck_assert_msg(line != NULL, "docs/shell.md lacks '%s'", begin_mark);
	line = strchr(line, '\n');
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(strncmp(line, "\n```\n", 5), 0);
	line += 5;
	out = calloc(1, strlen(line) + 1);
	ck_assert_ptr_nonnull(out);
	for (; *line && strncmp(line, "```\n", 4); line = next) {
		next = strchr(line, '\n');
		ck_assert_ptr_nonnull(next);
		next++;
		if (!strncmp(line, "# portico -e -f ", 16))
			continue;
		if (!strncmp(line, "# portico ", 10)) {
			n += (size_t)sprintf(out + n, "/> ");
			line += 10;
		} else if (!strncmp(line, "# ", 2)) {
			break;
		}
		memcpy(out + n, line, (size_t)(next - line));
		n += (size_t)(next - line);
	}
	out[n] = '\0';
	free(doc);
	return out;
}

/* The walkthrough tree; the caller puts it. */
static inline struct json_object *fixture_tree(void)
{
	struct json_object *o = json_object_from_file(FIXTURE_TREE);

	ck_assert_msg(o != NULL, "cannot parse %s", FIXTURE_TREE);
	return o;
}

#endif

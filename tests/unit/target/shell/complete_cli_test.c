/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'portico --complete WORD...' (complete_cli.c): the candidates for the
 * last word of a one-shot command, one a line, from porticod's tree when
 * there is one (here the walkthrough's, put in the context as a fetched
 * tree would be) and from the tree's fixed shape when porticod does not
 * answer (here a socket that is not there).
 */
#include <check.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/shell/complete_cli.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/shell/fixture.h"

static struct sh_ctx ctx;

static void setup(void)
{
	struct sh_opts opts = {
		.socket = "/nonexistent/portico-complete-test.sock",
		.timeout_ms = 1000,
		.width = FIXTURE_WIDTH,
	};

	ck_assert_int_eq(sh_ctx_init(&ctx, &opts, stdout, stderr), 0);
}

static void teardown(void)
{
	sh_ctx_fini(&ctx);
}

/* What sh_complete_words prints for words (NULL-terminated), and its status in *st. */
static char *complete(enum sh_status *st, const char *first, ...)
{
	static char *words[16];
	char *buf = NULL;
	size_t len = 0;
	int n = 0;
	va_list ap;
	FILE *f;

	va_start(ap, first);
	for (const char *w = first; w && n < 16; w = va_arg(ap, const char *))
		words[n++] = (char *)w;
	va_end(ap);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	*st = sh_complete_words(&ctx, n, words, f);
	fclose(f);
	return buf;
}

START_TEST(verbs_and_keys_without_porticod)
{
	enum sh_status st;
	char *out;

	out = complete(&st, "/backstores/file", "cr", NULL);
	ck_assert_int_eq(st, SH_STATUS_OK);
	ck_assert_str_eq(out, "create\n");
	free(out);
	out = complete(&st, "/backstores/file", "create", "n", NULL);
	ck_assert_ptr_nonnull(strstr(out, "name=\n"));
	free(out);
	/* a new word: every verb of the node, and its children's paths */
	out = complete(&st, "/backstores", "", NULL);
	ck_assert_ptr_nonnull(strstr(out, "ls\n"));
	free(out);
	out = complete(&st, "/backstores/f", NULL);
	ck_assert_str_eq(out, "/backstores/file/\n");
	free(out);
}
END_TEST

START_TEST(paths_from_the_tree)
{
	enum sh_status st;
	char *out;

	/* as sh_ctx_refresh_tree leaves a tree it fetched: not stale, nothing to ask */
	ctx.tree = fixture_tree();
	ctx.tree_stale = false;
	out = complete(&st, "/iscsi/", NULL);
	ck_assert_int_eq(st, SH_STATUS_OK);
	ck_assert_str_eq(out, "/iscsi/" FIXTURE_TARGET "/\n");
	free(out);
	out = complete(&st, FIXTURE_TPG "/acls/", NULL);
	ck_assert_str_eq(out, FIXTURE_TPG "/acls/" FIXTURE_KVM1 "/\n");
	free(out);
}
END_TEST

START_TEST(nothing_to_guess)
{
	enum sh_status st;
	char *out;

	/* bash took the quotes off: a word with a space is not guessed at */
	out = complete(&st, "/backstores/file", "create", "name=a b", NULL);
	ck_assert_int_eq(st, SH_STATUS_OK);
	ck_assert_str_eq(out, "");
	free(out);
	out = complete(&st, NULL);
	ck_assert_int_eq(st, SH_STATUS_USAGE);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

static Suite *complete_cli_suite(void)
{
	Suite *s = suite_create("complete_cli");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, verbs_and_keys_without_porticod);
	tcase_add_test(tc, paths_from_the_tree);
	tcase_add_test(tc, nothing_to_guess);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(complete_cli_suite)

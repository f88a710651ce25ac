/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Crash-safe small files (common/state_file.c): a replace leaves the new
 * bytes with the caller's mode and no temporary file, a failed one leaves
 * the old file as it was; directories are made all the way down; a name
 * made from any identifier stays inside its directory, and every bound
 * holds.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/state_file.h"
#include "tests/unit/check_main.h"

static char top[64];

static void setup(void)
{
	snprintf(top, sizeof(top), "/tmp/state_file_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

/* The whole content of path into buf (NUL-terminated); its length, or -1. */
static long slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (long)n;
}

START_TEST(test_replace)
{
	char path[PATH_MAX], tmp[PATH_MAX], buf[64];
	struct stat st;
	mode_t old = umask(077);

	snprintf(path, sizeof(path), "%s/state", top);
	snprintf(tmp, sizeof(tmp), "%s/state.tmp", top);
	ck_assert_int_eq(state_file_replace(path, "first", 5, 0644), 0);
	ck_assert_int_eq(slurp(path, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "first");
	/* the caller's mode, whatever the umask */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(access(tmp, F_OK), -1);

	/* a temporary file a crash left behind is written over */
	{
		FILE *f = fopen(tmp, "w");

		ck_assert_ptr_nonnull(f);
		fputs("junk left by a crash, longer than what comes next", f);
		fclose(f);
	}
	ck_assert_int_eq(state_file_replace(path, "second, longer", 14, 0600), 0);
	ck_assert_int_eq(slurp(path, buf, sizeof(buf)), 14);
	ck_assert_str_eq(buf, "second, longer");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(access(tmp, F_OK), -1);

	/* nothing at all is a file of 0 bytes */
	ck_assert_int_eq(state_file_replace(path, "", 0, 0600), 0);
	ck_assert_int_eq(slurp(path, buf, sizeof(buf)), 0);
	umask(old);
}
END_TEST

START_TEST(test_replace_fails_whole)
{
	char path[PATH_MAX], dir[PATH_MAX], buf[64];

	/* no directory: nothing made */
	snprintf(path, sizeof(path), "%s/none/state", top);
	ck_assert_int_eq(state_file_replace(path, "x", 1, 0600), -ENOENT);

	/* the rename fails (a directory where the file goes): the old entry stays, no .tmp */
	snprintf(dir, sizeof(dir), "%s/d", top);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/d/inner", top);
	ck_assert_int_eq(state_file_replace(path, "keep", 4, 0600), 0);
	ck_assert_int_eq(state_file_replace(dir, "x", 1, 0600), -EISDIR);
	snprintf(path, sizeof(path), "%s/d.tmp", top);
	ck_assert_int_eq(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/d/inner", top);
	ck_assert_int_eq(slurp(path, buf, sizeof(buf)), 4);

	/* a path with no room for ".tmp" */
	{
		char longp[PATH_MAX];

		memset(longp, 'a', sizeof(longp) - 3);
		longp[0] = '/';
		longp[sizeof(longp) - 3] = '\0';
		ck_assert_int_eq(state_file_replace(longp, "x", 1, 0600), -ENAMETOOLONG);
	}
}
END_TEST

START_TEST(test_mkdirs)
{
	char dir[PATH_MAX], file[PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/a/b/c/", top);
	ck_assert_int_eq(state_mkdirs(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/a/b/c", top);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* there already */
	ck_assert_int_eq(state_mkdirs(dir, 0700), 0);
	ck_assert_int_eq(state_mkdirs("/", 0700), 0);
	ck_assert_int_eq(state_mkdirs(".", 0700), 0);
	ck_assert_int_eq(state_mkdirs("", 0700), -EINVAL);
	/* a file in the way, above or at the end */
	snprintf(file, sizeof(file), "%s/a/f", top);
	ck_assert_int_eq(state_file_replace(file, "x", 1, 0600), 0);
	ck_assert_int_eq(state_mkdirs(file, 0700), -ENOTDIR);
	snprintf(dir, sizeof(dir), "%s/a/f/g", top);
	ck_assert_int_eq(state_mkdirs(dir, 0700), -ENOTDIR);
}
END_TEST

START_TEST(test_fsync_parent)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/x", top);
	ck_assert_int_eq(state_fsync_parent(path), 0);
	ck_assert_int_eq(state_fsync_parent("bare-name"), 0); /* "." */
	ck_assert_int_eq(state_fsync_parent("/etc"), 0);      /* "/" */
	snprintf(path, sizeof(path), "%s/none/x", top);
	ck_assert_int_eq(state_fsync_parent(path), -ENOENT);
	ck_assert_int_eq(state_fsync_dir(top), 0);
}
END_TEST

START_TEST(test_name)
{
	char out[32];

	ck_assert_int_eq(state_file_name("PORTICO0001", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "PORTICO0001");
	ck_assert_int_eq(state_file_name("a.b_c-d", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a.b_c-d");
	/* no path outside the directory, no hidden file */
	ck_assert_int_eq(state_file_name("../x", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "%2E.%2Fx");
	ck_assert_int_eq(state_file_name("..", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "%2E.");
	ck_assert_int_eq(state_file_name(".hidden", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "%2Ehidden");
	ck_assert_int_eq(state_file_name("a b%\xff", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a%20b%25%FF");
	ck_assert_int_eq(state_file_name("", out, sizeof(out)), -EINVAL);
}
END_TEST

START_TEST(test_name_bounds)
{
	char out[8];

	/* seven bytes and the NUL fit; eight do not */
	ck_assert_int_eq(state_file_name("1234567", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "1234567");
	ck_assert_int_eq(state_file_name("12345678", out, sizeof(out)), -ENAMETOOLONG);
	/* an escape is three bytes, whole or not at all */
	ck_assert_int_eq(state_file_name("1234/", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "1234%2F");
	ck_assert_int_eq(state_file_name("12345/", out, sizeof(out)), -ENAMETOOLONG);
	ck_assert_int_eq(state_file_name("x", out, 1), -ENAMETOOLONG);
}
END_TEST

static Suite *state_file_suite(void)
{
	Suite *s = suite_create("state_file");
	TCase *tc = tcase_create("state_file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_replace_fails_whole);
	tcase_add_test(tc, test_mkdirs);
	tcase_add_test(tc, test_fsync_parent);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_name_bounds);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(state_file_suite)

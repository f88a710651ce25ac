/* SPDX-License-Identifier: GPL-2.0-or-later */
/* multipathd's drop-in: its text, and its atomic, idempotent write. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initiator/adapt/mpconf.h"
#include "tests/unit/check_main.h"

static const char w2[2][MP_WWID_MAX] = { "3317d256b66b08694", "33ecf85d609f089fc" };

START_TEST(test_render)
{
	char buf[1024];
	int n = mpconf_render(w2, 2, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	ck_assert_ptr_nonnull(strstr(buf, "blacklist {\n\twwid \"^3317d256b66b08694$\"\n"
					  "\twwid \"^33ecf85d609f089fc$\"\n}\n"));
	ck_assert_int_eq(strncmp(buf, "# Written by portico-pathd", 26), 0);
	/* no WWID: a file that blacklists nothing */
	n = mpconf_render(NULL, 0, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(buf, "blacklist {\n}\n"));
	/* every buffer too small is -ENOSPC, never a cut file */
	for (size_t len = 0; len < 300; len++)
		ck_assert_int_eq(mpconf_render(w2, 2, buf, len) == -ENOSPC,
				 len <= (size_t)mpconf_render(w2, 2, buf, sizeof(buf)));
}
END_TEST

START_TEST(test_write)
{
	char dir[] = "/tmp/portico-mpconf.XXXXXX", path[256], tmp[280];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* the directory is made when missing, as /etc/multipath/conf.d may be */
	snprintf(path, sizeof(path), "%s/conf.d/portico-pathd.conf", dir);
	ck_assert_int_eq(mpconf_write(path, w2, 2), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(mpconf_write(path, w2, 2), 1); /* unchanged: not written again */
	ck_assert_int_eq(mpconf_write(path, w2, 1), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_ne(access(tmp, F_OK), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/conf.d", dir);
	rmdir(path);
	/* /etc/multipath itself is missing before multipath-tools is installed */
	snprintf(path, sizeof(path), "%s/multipath/conf.d/portico-pathd.conf", dir);
	ck_assert_int_eq(mpconf_write(path, w2, 2), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(tmp, sizeof(tmp), "%s/multipath", dir);
	ck_assert_int_eq(stat(tmp, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0755);
	unlink(path);
	snprintf(path, sizeof(path), "%s/multipath/conf.d", dir);
	rmdir(path);
	rmdir(tmp);
	/* a file where a directory must be: refused, nothing written */
	snprintf(tmp, sizeof(tmp), "%s/file", dir);
	ck_assert_int_eq(close(open(tmp, O_WRONLY | O_CREAT, 0644)), 0);
	snprintf(path, sizeof(path), "%s/file/conf.d/portico-pathd.conf", dir);
	ck_assert_int_eq(mpconf_write(path, w2, 2), -ENOTDIR);
	unlink(tmp);
	rmdir(dir);
}
END_TEST

static Suite *mpconf_suite(void)
{
	Suite *s = suite_create("initiator/mpconf");
	TCase *tc = tcase_create("mpconf");

	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_write);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(mpconf_suite)

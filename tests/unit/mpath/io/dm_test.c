/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libdevmapper adapter (mpath/io/dm.c) where it can run without a
 * map: specs refused before libdevmapper is asked, and every op against a
 * map that does not exist. On the build machines (no device-mapper in the
 * kernel) every op fails; on one with device-mapper they answer -ENXIO.
 * Either way the reason is in err and nothing reaches stderr:
 * libdevmapper's log goes to err. The maps themselves are tested against
 * a real kernel in the VM lab (tests/vm/scenarios/dmadapter.sh).
 *
 * libdevmapper creates <dev dir>/mapper/control when it is missing and it
 * runs as root; the tests point it at a directory of their own
 * (dm_set_dev_dir) and remove it.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <libdevmapper.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpath/io/dm.h"
#include "tests/unit/check_main.h"

#define NONE "portico-dm-test-no-such-map"

static char dev_dir[64];
static char err[1024];
static int saved_stderr = -1;
static FILE *captured;

static void setup(void)
{
	char mapper[96];

	snprintf(dev_dir, sizeof(dev_dir), "/tmp/portico-dm-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dev_dir));
	snprintf(mapper, sizeof(mapper), "%s/mapper", dev_dir);
	ck_assert(dm_set_dev_dir(dev_dir));
	ck_assert_str_eq(dm_dir(), mapper);
}

static void teardown(void)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/mapper/control", dev_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/mapper", dev_dir);
	rmdir(path);
	ck_assert_int_eq(rmdir(dev_dir), 0);
}

/* stderr into a temporary file, until stderr_text(). */
static void stderr_capture(void)
{
	fflush(stderr);
	captured = tmpfile();
	ck_assert_ptr_nonnull(captured);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_ge(dup2(fileno(captured), STDERR_FILENO), 0);
	err[0] = '\0';
}

/* What reached stderr since stderr_capture() (at most 255 bytes); stderr restored. */
static const char *stderr_text(void)
{
	static char text[256];
	size_t n;

	fflush(stderr);
	ck_assert_int_ge(dup2(saved_stderr, STDERR_FILENO), 0);
	close(saved_stderr);
	rewind(captured);
	n = fread(text, 1, sizeof(text) - 1, captured);
	text[n] = '\0';
	fclose(captured);
	return text;
}

/* An op's result: 0 or the errno want on a kernel with device-mapper, else a failure with why. */
static void assert_answer(const char *what, int r, int want)
{
	const char *leaked = stderr_text();

	ck_assert_msg(!leaked[0], "%s: libdevmapper wrote to stderr: '%s'", what, leaked);
	if (r == 0 || r == want)
		return;
	ck_assert_msg(r < 0, "%s: %d", what, r);
	ck_assert_msg(err[0], "%s: %d without a reason", what, r);
}

static struct mp_map_spec spec(const char *devt)
{
	struct mp_map_spec s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), NONE);
	snprintf(s.wwid, sizeof(s.wwid), "36001405portico0dm0test");
	s.sectors = 2048;
	s.queue_if_no_path = true;
	s.ngroups = 1;
	s.groups[0].npaths = 1;
	snprintf(s.groups[0].devt[0], MP_DEVT_MAX, "%s", devt);
	return s;
}

START_TEST(test_probe)
{
	struct dm_libdm_info info;
	char first[sizeof(err)];
	int r;

	stderr_capture();
	r = dm_libdm_probe(&info, err, sizeof(err));
	assert_answer("probe", r, 0);
	/* the library's version is known either way */
	ck_assert_str_ne(info.library, "");
	if (r == 0) {
		ck_assert_str_ne(info.driver, "");
		return;
	}
	ck_assert_ptr_nonnull(strstr(err, "device-mapper"));
	ck_assert_str_eq(info.driver, "");
	/* libdevmapper says why once; the next ops say it again */
	snprintf(first, sizeof(first), "%s", err);
	stderr_capture();
	ck_assert_int_eq(dm_libdm_ops.remove(NULL, NONE, false, err, sizeof(err)), r);
	ck_assert_str_eq(stderr_text(), "");
	ck_assert_msg(strstr(err, "unusable since the first call") &&
			  strstr(err, strchr(first, ' ') + 1),
		      "first '%s', then '%s'", first, err);
}
END_TEST

START_TEST(test_list)
{
	struct mp_ev_map *maps = NULL;
	size_t n = 9;
	int r;

	stderr_capture();
	r = dm_libdm_ops.list(NULL, &maps, &n, err, sizeof(err));
	assert_answer("list", r, 0);
	if (r) {
		ck_assert_ptr_null(maps);
		ck_assert_uint_eq(n, 0);
	}
	free(maps);
}
END_TEST

/* A map that is not there: every op says so, or says why it could not ask. */
START_TEST(test_no_such_map)
{
	struct mp_map_spec s = spec("7:4095");
	int r;

	stderr_capture();
	r = dm_libdm_ops.message(NULL, NONE, "fail_path 7:4095", err, sizeof(err));
	assert_answer("message", r, -ENXIO);
	ck_assert_int_ne(r, 0);
	stderr_capture();
	r = dm_libdm_ops.remove(NULL, NONE, false, err, sizeof(err));
	assert_answer("remove", r, -ENXIO);
	ck_assert_int_ne(r, 0);
	stderr_capture();
	r = dm_libdm_ops.remove(NULL, NONE, true, err, sizeof(err));
	assert_answer("deferred remove", r, -ENXIO);
	ck_assert_int_ne(r, 0);
	stderr_capture();
	r = dm_libdm_ops.reload(NULL, &s, err, sizeof(err));
	assert_answer("reload", r, -ENXIO);
	ck_assert_int_ne(r, 0);
}
END_TEST

/* A spec no table can say is refused before libdevmapper is asked, the same on any machine. */
START_TEST(test_bad_spec)
{
	struct mp_map_spec s = spec("sdb");

	stderr_capture();
	ck_assert_int_eq(dm_libdm_ops.create(NULL, &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(stderr_text(), "");
	ck_assert_str_eq(err, "map '" NONE "': path 'sdb' is not major:minor");
	s = spec("8:16");
	s.wwid[0] = '\0';
	stderr_capture();
	ck_assert_int_eq(dm_libdm_ops.reload(NULL, &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(stderr_text(), "");
	ck_assert_str_eq(err, "map '" NONE "': WWID '' cannot make a UUID");
}
END_TEST

static Suite *dm_suite(void)
{
	Suite *s = suite_create("dm");
	TCase *tc = tcase_create("dm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_probe);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_no_such_map);
	tcase_add_test(tc, test_bad_spec);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(dm_suite)

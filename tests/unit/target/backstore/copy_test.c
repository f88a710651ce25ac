/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bs_copy (target/backstore/copy.c): file to file through copy_file_range
 * (one filesystem, and across filesystems where the kernel refuses it and
 * the worker copies through user space), the asynchronous READ/WRITE path
 * between other kinds (null and file), and the refusals without a
 * callback. The data is checked by reading it back.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/backstore/bs_test_util.h"

#define MiB (1024ull * 1024)

static char t_dir[256];
static char t_shm_dir[256];

static void dir_setup(void)
{
	snprintf(t_dir, sizeof(t_dir), "/tmp/portico-bs-copy.XXXXXX");
	if (!mkdtemp(t_dir))
		t_dir[0] = '\0';
	snprintf(t_shm_dir, sizeof(t_shm_dir), "/dev/shm/portico-bs-copy.XXXXXX");
	if (!mkdtemp(t_shm_dir))
		t_shm_dir[0] = '\0';
}

static void dir_teardown(void)
{
	t_rmtree(t_dir);
	t_rmtree(t_shm_dir);
}

static struct bs_dev *t_open_kind(const char *kind, const char *dir, const char *name,
				  uint64_t size, bool readonly)
{
	char path[512];
	struct bs_params p = {.name = name, .size = size, .thin = true, .write_back = true};
	struct bs_dev *dev = NULL;
	char err[512];
	int ret;

	if (dir) {
		ck_assert_msg(dir[0], "no temporary directory");
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		p.path = path;
	}
	ret = bs_open(kind, &p, &dev, err, sizeof(err));
	ck_assert_msg(ret == 0, "open %s '%s': %d %s", kind, name, ret, err);
	dev->readonly = readonly;
	return dev;
}

/* bs_copy with the inside-submit flag raised; waits for the callback. Returns the result. */
static int t_copy(struct bs_dev *src, uint64_t src_off, struct bs_dev *dst, uint64_t dst_off,
		  uint64_t len)
{
	struct t_io t;
	int done = 0, ret;

	memset(&t, 0, sizeof(t));
	t.io.offset = dst_off;
	t.io.len = len;
	t.io.cb = t_cb;
	t.io.arg = &t;
	t.counter = &done;
	t_in_submit = true;
	ret = bs_copy(src, src_off, dst, &t.io);
	t_in_submit = false;
	if (ret) {
		ck_assert_int_eq(t.ncb, 0);
		return ret;
	}
	ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
	ck_assert_int_eq(t.ncb, 1);
	ck_assert_int_eq(t_cb_inside_submit, 0);
	ck_assert(pthread_equal(t.cb_thread, pthread_self()));
	return t.io.result;
}

/* Writes a pattern of len bytes at off of src, copies it to dst at doff, reads it back. */
static void t_copy_check(struct bs_dev *src, uint64_t off, struct bs_dev *dst, uint64_t doff,
			 size_t len, unsigned int seed)
{
	char *w = t_alloc(len), *r = t_alloc(len);

	t_fill(w, len, seed);
	ck_assert_int_eq(t_do(src, BS_OP_WRITE, off, w, len, false), 0);
	ck_assert_int_eq(t_copy(src, off, dst, doff, len), 0);
	memset(r, 0x5a, len);
	ck_assert_int_eq(t_do(dst, BS_OP_READ, doff, r, len, false), 0);
	ck_assert_msg(!memcmp(w, r, len), "copy at %llu differs", (unsigned long long)doff);
	free(w);
	free(r);
}

START_TEST(test_file_to_file)
{
	struct bs_dev *a = t_open_kind("file", t_dir, "a.img", 16 * MiB, false);
	struct bs_dev *b = t_open_kind("file", t_dir, "b.img", 16 * MiB, false);

	t_copy_check(a, 0, b, 4096, 3 * MiB + 512, 1);
	/* within one file, apart */
	t_copy_check(a, 1 * MiB, a, 8 * MiB, 2 * MiB, 2);
	/* what was not copied stayed as it was */
	{
		char *r = t_alloc(4096);

		ck_assert_int_eq(t_do(b, BS_OP_READ, 0, r, 4096, false), 0);
		ck_assert(t_is_zero(r, 4096));
		free(r);
	}
	bs_close(a);
	bs_close(b);
}
END_TEST

START_TEST(test_file_across_filesystems)
{
	struct bs_dev *a = t_open_kind("file", t_dir, "x.img", 8 * MiB, false);
	struct bs_dev *s = t_open_kind("file", t_shm_dir, "s.img", 8 * MiB, false);

	/* ext4 (or whatever /tmp is) to tmpfs and back: copied either way */
	t_copy_check(a, 512, s, 1 * MiB, 2 * MiB + 1024, 3);
	t_copy_check(s, 0, a, 4 * MiB, 1 * MiB, 4);
	bs_close(a);
	bs_close(s);
}
END_TEST

START_TEST(test_async_path)
{
	struct bs_dev *a = t_open_kind("file", t_dir, "y.img", 8 * MiB, false);
	struct bs_dev *n = t_open_kind("null", NULL, "n0", 8 * MiB, false);
	char *w = t_alloc(3 * MiB), *r = t_alloc(3 * MiB);

	/* file to null: completes */
	t_fill(w, 3 * MiB, 5);
	ck_assert_int_eq(t_do(a, BS_OP_WRITE, 0, w, 3 * MiB, false), 0);
	ck_assert_int_eq(t_copy(a, 0, n, 0, 3 * MiB), 0);
	/* null to file, more than one chunk: the file reads back zeroes there, and only there */
	ck_assert_int_eq(t_copy(n, 0, a, 512, 2 * MiB + 512), 0);
	ck_assert_int_eq(t_do(a, BS_OP_READ, 0, r, 3 * MiB, false), 0);
	ck_assert(!memcmp(r, w, 512));
	ck_assert(t_is_zero(r + 512, 2 * MiB + 512));
	ck_assert(!memcmp(r + 2 * MiB + 1024, w + 2 * MiB + 1024, 1 * MiB - 1024));
	free(w);
	free(r);
	bs_close(a);
	bs_close(n);
}
END_TEST

START_TEST(test_refusals)
{
	struct bs_dev *a = t_open_kind("file", t_dir, "r.img", 4 * MiB, false);
	struct bs_dev *ro = t_open_kind("file", t_dir, "ro.img", 4 * MiB, true);
	struct bs_io io;

	ck_assert_int_eq(t_copy(a, 0, ro, 0, 4096), -EROFS);
	ck_assert_int_eq(t_copy(a, 1, ro, 0, 4096), -EINVAL);
	ck_assert_int_eq(t_copy(a, 0, a, 4096, 100), -EINVAL);
	ck_assert_int_eq(t_copy(a, 0, a, 1 * MiB, 0), -EINVAL);
	ck_assert_int_eq(t_copy(a, 4 * MiB - 512, a, 0, 1024), -ERANGE);
	ck_assert_int_eq(t_copy(a, 0, a, 4 * MiB - 512, 1024), -ERANGE);
	/* overlapping ranges of one store: the caller orders those */
	ck_assert_int_eq(t_copy(a, 0, a, 512, 4096), -EINVAL);
	ck_assert_int_eq(t_copy(a, 4096, a, 0, 8192), -EINVAL);
	/* no callback */
	memset(&io, 0, sizeof(io));
	io.len = 512;
	ck_assert_int_eq(bs_copy(a, 0, a, &io), -EINVAL);
	bs_close(a);
	bs_close(ro);
}
END_TEST

static Suite *copy_suite(void)
{
	Suite *s = suite_create("bs_copy");
	TCase *tc = tcase_create("copy");

	tcase_add_unchecked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_checked_fixture(tc, t_loop_setup, t_loop_teardown);
	tcase_add_test(tc, test_file_to_file);
	tcase_add_test(tc, test_file_across_filesystems);
	tcase_add_test(tc, test_async_path);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(copy_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The block store on a real block device: a loop device over a sparse file
 * in a mkdtemp directory. The device is attached (losetup --find --show) and
 * detached, and the directory removed, by unchecked fixtures: they run in
 * the parent process, so cleanup happens even when a test fails or crashes.
 * A machine where losetup cannot attach fails every test here, loudly:
 * nothing passes without a device.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ev.h"
#include "target/backstore/bs.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/backstore/bs_test_util.h"

#define MiB (1024ull * 1024)
#define T_DEV_SIZE (64 * MiB)

static char t_dir[256];
static char t_backing[512];
static char t_loop_dev[64];
static char t_setup_err[512];

/* Runs a shell command, returns its first line of output in out; exit status or -1. */
static int t_run(const char *cmd, char *out, size_t outlen)
{
	char line[512] = "";
	FILE *fp = popen(cmd, "r");
	int st;

	if (!fp)
		return -1;
	if (!fgets(line, sizeof(line), fp))
		line[0] = '\0';
	while (fgetc(fp) != EOF)
		;
	st = pclose(fp);
	line[strcspn(line, "\n")] = '\0';
	if (out)
		snprintf(out, outlen, "%s", line);
	return st;
}

static void loop_attach(const char *extra)
{
	char cmd[1024], out[512];
	int fd;

	t_loop_dev[0] = t_backing[0] = t_setup_err[0] = '\0';
	snprintf(t_dir, sizeof(t_dir), "/tmp/portico-bs-block.XXXXXX");
	if (!mkdtemp(t_dir)) {
		t_dir[0] = '\0';
		snprintf(t_setup_err, sizeof(t_setup_err), "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(t_backing, sizeof(t_backing), "%s/backing.img", t_dir);
	fd = open(t_backing, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)T_DEV_SIZE)) {
		snprintf(t_setup_err, sizeof(t_setup_err), "backing file: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	if (access("/dev/loop-control", F_OK)) {
		snprintf(t_setup_err, sizeof(t_setup_err),
			 "no /dev/loop-control: this machine cannot attach loop devices");
		return;
	}
	snprintf(cmd, sizeof(cmd), "losetup --find --show %s '%s' 2>&1", extra, t_backing);
	if (t_run(cmd, out, sizeof(out)) != 0 || strncmp(out, "/dev/loop", 9) ||
	    strlen(out) >= sizeof(t_loop_dev)) {
		snprintf(t_setup_err, sizeof(t_setup_err), "losetup failed: %.400s", out);
		return;
	}
	memcpy(t_loop_dev, out, strlen(out) + 1);
}

static void loop_setup(void)
{
	loop_attach("");
}

static void loop_setup_4k(void)
{
	loop_attach("--sector-size 4096");
}

static void loop_teardown(void)
{
	char cmd[256];

	if (t_loop_dev[0]) {
		snprintf(cmd, sizeof(cmd), "losetup -d '%s' 2>&1", t_loop_dev);
		if (t_run(cmd, NULL, 0))
			fprintf(stderr, "block_test: could not detach %s\n", t_loop_dev);
		t_loop_dev[0] = '\0';
	}
	t_rmtree(t_dir);
	t_dir[0] = '\0';
}

/* The checked side: a loop per test, and the device must be there. */
static void dev_setup(void)
{
	ck_assert_msg(t_loop_dev[0], "no loop device: %s", t_setup_err);
	t_loop_setup();
}

static struct bs_dev *t_open_p(const struct bs_params *p)
{
	struct bs_dev *dev = NULL;
	char err[512];
	int ret;

	ret = bs_open("block", p, &dev, err, sizeof(err));
	ck_assert_msg(ret == 0, "open '%s': %d %s", p->path, ret, err);
	return dev;
}

static struct bs_dev *t_open(void)
{
	struct bs_params p = { .name = "blk", .path = t_loop_dev, .write_back = true };

	return t_open_p(&p);
}

static void t_round_trip(struct bs_dev *dev, uint64_t off, size_t len, unsigned int seed, bool fua)
{
	char *w = t_alloc(len), *r = t_alloc(len);

	t_fill(w, len, seed);
	memset(r, 0x5a, len);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, off, w, len, fua), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, off, r, len, false), 0);
	ck_assert_msg(!memcmp(w, r, len), "data at %llu (+%zu) differs", (unsigned long long)off,
		      len);
	free(w);
	free(r);
}

START_TEST(test_open_loop)
{
	struct bs_params p = { .name = "blk", .path = t_loop_dev };
	struct bs_dev *dev = t_open_p(&p);
	long flags = t_fd_flags(t_loop_dev);

	ck_assert_uint_eq(dev->size, T_DEV_SIZE);
	ck_assert_uint_eq(dev->block_size, 512);
	/* A loop device over a file on a filesystem that punches holes takes discards. */
	ck_assert(dev->thin);
	ck_assert(dev->unmap_zeroes);
	ck_assert(!dev->write_back);
	ck_assert_int_ge(flags, 0);
	ck_assert_msg(flags & O_DIRECT, "fd flags 0%lo", flags);
	ck_assert_msg(flags & O_DSYNC, "write-through without O_DSYNC: 0%lo", flags);
	bs_close(dev);
}
END_TEST

/* "lvm" is the block store under the name the configuration uses for a logical volume. */
START_TEST(test_lvm_kind)
{
	struct bs_params p = { .name = "lv", .path = t_loop_dev, .write_back = true };
	struct bs_dev *dev = NULL;
	char err[512];

	ck_assert_msg(bs_open("lvm", &p, &dev, err, sizeof(err)) == 0, "open: %s", err);
	ck_assert_str_eq(dev->ops->name, "lvm");
	ck_assert_uint_eq(dev->size, T_DEV_SIZE);
	t_round_trip(dev, 4096, 4096, 70, true);
	bs_close(dev);
	p.path = t_backing;
	ck_assert_int_eq(bs_open("lvm", &p, &dev, err, sizeof(err)), -ENOTBLK);
}
END_TEST

START_TEST(test_not_a_block_device)
{
	struct bs_params p = { .name = "blk", .path = t_backing };
	struct bs_dev *dev = NULL;
	char err[512], want[700];

	ck_assert_int_eq(bs_open("block", &p, &dev, err, sizeof(err)), -ENOTBLK);
	snprintf(want, sizeof(want), "'%s' is not a block device", t_backing);
	ck_assert_str_eq(err, want);
	p.path = "/dev/loop-does-not-exist";
	ck_assert_int_eq(bs_open("block", &p, &dev, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "cannot open '/dev/loop-does-not-exist': No such file or directory");
	ck_assert_ptr_null(dev);
}
END_TEST

START_TEST(test_exclusive)
{
	struct bs_dev *dev = t_open(), *dev2 = NULL;
	struct bs_params p = { .name = "blk2", .path = t_loop_dev };
	char err[512], want[600];
	int fd;

	ck_assert_int_eq(bs_open("block", &p, &dev2, err, sizeof(err)), -EBUSY);
	snprintf(want, sizeof(want), "cannot open '%s' exclusively: it is mounted or in use",
		 t_loop_dev);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(dev2);
	/* Nobody else gets it exclusively either (as mount would). */
	fd = open(t_loop_dev, O_RDONLY | O_EXCL);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(errno, EBUSY);
	bs_close(dev);
	/* Released on close. */
	fd = open(t_loop_dev, O_RDONLY | O_EXCL);
	ck_assert_int_ge(fd, 0);
	close(fd);
}
END_TEST

START_TEST(test_size_and_block_size_params)
{
	struct bs_params p = {
		.name = "blk", .path = t_loop_dev, .size = 32 * MiB, .block_size = 4096
	};
	struct bs_dev *dev = t_open_p(&p);
	char *buf = t_alloc(4096), err[512];

	ck_assert_uint_eq(dev->size, 32 * MiB);
	ck_assert_uint_eq(dev->block_size, 4096);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 32 * MiB, buf, 4096, false), -ERANGE);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 512, buf, 512, false), -EINVAL);
	t_round_trip(dev, 32 * MiB - 4096, 4096, 1, false);
	bs_close(dev);

	p.size = 2 * T_DEV_SIZE;
	p.block_size = 0;
	dev = NULL;
	ck_assert_int_eq(bs_open("block", &p, &dev, err, sizeof(err)), -ENOSPC);
	ck_assert_msg(strstr(err, "less than the configured size"), "err: %s", err);
	ck_assert_ptr_null(dev);
	free(buf);
}
END_TEST

START_TEST(test_round_trips)
{
	static const struct {
		uint64_t off;
		size_t len;
	} cases[] = {
		{ 0, 512 },
		{ 512, 4096 },
		{ 8192, 65536 },
		{ MiB + 512, MiB },
		{ T_DEV_SIZE - 512, 512 },
		{ T_DEV_SIZE - MiB, MiB },
	};
	struct bs_dev *dev = t_open();
	char *w = t_alloc(8192 + 64), *r = t_alloc(8192 + 64);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		t_round_trip(dev, cases[i].off, cases[i].len, (unsigned int)i + 10, i % 2);
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);

	/* Misaligned buffers take the bounce path. */
	t_fill(w + 7, 8192, 20);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 4 * MiB + 1536, w + 7, 8192, true), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 4 * MiB + 1536, r + 13, 8192, false), 0);
	ck_assert(!memcmp(w + 7, r + 13, 8192));

	/* Reads straight from the device agree. */
	{
		int fd = open(t_backing, O_RDONLY);

		ck_assert_int_ge(fd, 0);
		memset(r, 0, 8192);
		ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
		bs_close(dev);
		dev = NULL;
		ck_assert_int_eq(pread(fd, r, 8192, 4 * MiB + 1536), 8192);
		ck_assert(!memcmp(w + 7, r, 8192));
		close(fd);
	}
	free(w);
	free(r);
}
END_TEST

START_TEST(test_unmap_and_write_zeroes)
{
	struct bs_dev *dev = t_open();
	char *w = t_alloc(MiB), *r = t_alloc(MiB);
	struct stat before, after;
	bool mapped = false;
	uint64_t len = 1;

	t_fill(w, MiB, 30);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, MiB, w, MiB, true), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	ck_assert_int_eq(stat(t_backing, &before), 0);

	ck_assert_int_eq(t_do(dev, BS_OP_UNMAP, MiB + 256 * 1024, NULL, 512 * 1024, false), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, MiB, r, MiB, false), 0);
	ck_assert(!memcmp(r, w, 256 * 1024));
	ck_assert(t_is_zero(r + 256 * 1024, 512 * 1024));
	ck_assert(!memcmp(r + 768 * 1024, w + 768 * 1024, 256 * 1024));
	/* The loop device passed the deallocation down: the backing file has a hole now. */
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	ck_assert_int_eq(stat(t_backing, &after), 0);
	ck_assert_int_lt(after.st_blocks, before.st_blocks);

	ck_assert_int_eq(t_do(dev, BS_OP_WRITE_ZEROES, MiB, NULL, 4096, false), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, MiB, r, 8192, false), 0);
	ck_assert(t_is_zero(r, 4096));
	ck_assert(!memcmp(r + 4096, w + 4096, 4096));

	/* A block device does not report allocation: everything is mapped. */
	ck_assert_int_eq(dev->ops->lba_status(dev, 0, &mapped, &len), -EOPNOTSUPP);
	ck_assert(mapped);
	ck_assert_uint_eq(len, T_DEV_SIZE);
	bs_close(dev);
	free(w);
	free(r);
}
END_TEST

START_TEST(test_readonly)
{
	struct bs_params p = { .name = "blk", .path = t_loop_dev, .readonly = true };
	struct bs_dev *dev = t_open_p(&p);
	char *buf = t_alloc(4096);

	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 0, buf, 4096, false), -EROFS);
	ck_assert_int_eq(t_do(dev, BS_OP_UNMAP, 0, NULL, 4096, false), -EROFS);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 0, buf, 4096, false), 0);
	bs_close(dev);
	free(buf);
}
END_TEST

START_TEST(test_many_concurrent)
{
	enum { N = 1500 };
	struct bs_dev *dev = t_open();
	struct t_io *ts = calloc(N, sizeof(*ts));
	char *data = t_alloc((size_t)N * 4096), *back = t_alloc((size_t)N * 4096);
	int done = 0, i, pass;

	t_fill(data, (size_t)N * 4096, 40);
	for (pass = 0; pass < 2; pass++) {
		memset(ts, 0, N * sizeof(*ts));
		done = 0;
		for (i = 0; i < N; i++) {
			ts[i].iov[0].iov_base = (pass ? back : data) + (size_t)i * 4096;
			ts[i].iov[0].iov_len = 4096;
			ts[i].io.iov = ts[i].iov;
			ts[i].io.iovcnt = 1;
			ts[i].io.op = pass ? BS_OP_READ : BS_OP_WRITE;
			ts[i].io.offset = 8 * MiB + (uint64_t)i * 4096;
			ts[i].io.len = 4096;
			ts[i].counter = &done;
			ck_assert_int_eq(t_submit(dev, &ts[i]), 0);
		}
		ck_assert_int_eq(t_run_until(t_loop, &done, N), N);
		for (i = 0; i < N; i++) {
			ck_assert_int_eq(ts[i].ncb, 1);
			ck_assert_int_eq(ts[i].io.result, 0);
		}
	}
	ck_assert(!memcmp(data, back, (size_t)N * 4096));
	ck_assert_int_eq(t_cb_inside_submit, 0);
	bs_close(dev);
	free(ts);
	free(data);
	free(back);
}
END_TEST

START_TEST(test_resize_rereads_size)
{
	struct bs_dev *dev = t_open();
	char cmd[700], out[256];
	char *buf = t_alloc(4096);

	ck_assert_uint_eq(dev->size, T_DEV_SIZE);
	ck_assert_int_eq(truncate(t_backing, (off_t)(T_DEV_SIZE + 32 * MiB)), 0);
	snprintf(cmd, sizeof(cmd), "losetup -c '%s' 2>&1", t_loop_dev);
	ck_assert_msg(t_run(cmd, out, sizeof(out)) == 0, "losetup -c: %s", out);
	/* Until told, the store keeps the size it had. */
	ck_assert_int_eq(t_do(dev, BS_OP_READ, T_DEV_SIZE, buf, 4096, false), -ERANGE);
	ck_assert_int_eq(dev->ops->resize(dev, 0), 0);
	ck_assert_uint_eq(dev->size, T_DEV_SIZE + 32 * MiB);
	t_round_trip(dev, T_DEV_SIZE + 32 * MiB - 4096, 4096, 50, false);
	/* A device's size is its own to choose. */
	ck_assert_int_eq(dev->ops->resize(dev, 16 * MiB), -EINVAL);
	ck_assert_uint_eq(dev->size, T_DEV_SIZE + 32 * MiB);
	bs_close(dev);
	free(buf);
}
END_TEST

START_TEST(test_4k_sectors)
{
	struct bs_params p = { .name = "blk", .path = t_loop_dev, .block_size = 512 };
	struct bs_dev *dev = NULL;
	char err[512];

	ck_assert_int_eq(bs_open("block", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "multiple of the device's 4096-byte logical blocks"), "err: %s",
		      err);
	ck_assert_ptr_null(dev);
	p.block_size = 0;
	dev = t_open_p(&p);
	ck_assert_uint_eq(dev->block_size, 4096);
	t_round_trip(dev, 4096, 8192, 60, true);
	/* 512-byte-aligned buffers are not enough for 4096-byte sectors: bounced. */
	{
		char *w = t_alloc(4096 + 512), *r = t_alloc(4096 + 512);

		t_fill(w + 512, 4096, 61);
		ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 16384, w + 512, 4096, false), 0);
		ck_assert_int_eq(t_do(dev, BS_OP_READ, 16384, r + 512, 4096, false), 0);
		ck_assert(!memcmp(w + 512, r + 512, 4096));
		free(w);
		free(r);
	}
	bs_close(dev);
}
END_TEST

static Suite *block_suite(void)
{
	Suite *s = suite_create("bs_block");
	TCase *tc = tcase_create("loop");

	tcase_add_unchecked_fixture(tc, loop_setup, loop_teardown);
	tcase_add_checked_fixture(tc, dev_setup, t_loop_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_open_loop);
	tcase_add_test(tc, test_lvm_kind);
	tcase_add_test(tc, test_not_a_block_device);
	tcase_add_test(tc, test_exclusive);
	tcase_add_test(tc, test_size_and_block_size_params);
	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_unmap_and_write_zeroes);
	tcase_add_test(tc, test_readonly);
	tcase_add_test(tc, test_many_concurrent);
	suite_add_tcase(s, tc);

	/* Its own device: it changes the size. */
	tc = tcase_create("resize");
	tcase_add_unchecked_fixture(tc, loop_setup, loop_teardown);
	tcase_add_checked_fixture(tc, dev_setup, t_loop_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_resize_rereads_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("4k");
	tcase_add_unchecked_fixture(tc, loop_setup_4k, loop_teardown);
	tcase_add_checked_fixture(tc, dev_setup, t_loop_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_4k_sectors);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(block_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libaio engine under a stand-in for io_submit() that does what a real
 * kernel does only now and then: refuse for lack of room (-EAGAIN), move
 * only part of a transfer, refuse RWF_DSYNC, or fail the submission. The
 * stand-in passes everything else to the real io_submit(), on a file opened
 * O_DIRECT in a mkdtemp directory (made and removed by an unchecked fixture,
 * in the parent process).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/ev.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/backstore/bs_test_util.h"

#define MiB (1024ull * 1024)
#define T_SHORT_MAX_IOV 64

static char t_dir[256];

/* What the stand-in does, and what it saw. */
static int t_eagain_every;  /* refuse every Nth submission (0: never) */
static int t_eagain_first;  /* refuse the first N submissions */
static bool t_shorten;	    /* submit only the first half of transfers over 4096 bytes */
static bool t_refuse_flags; /* refuse iocbs with aio_rw_flags, as kernels before 4.13 */
static int t_fail_with;	    /* fail every submission with this -errno (0: never) */
static int t_calls, t_refused, t_shortened, t_flagged;

static void dir_setup(void)
{
	snprintf(t_dir, sizeof(t_dir), "/tmp/portico-bs-aio.XXXXXX");
	if (!mkdtemp(t_dir))
		t_dir[0] = '\0';
}

static void dir_teardown(void)
{
	t_rmtree(t_dir);
	t_dir[0] = '\0';
}

static int fake_submit(io_context_t ctx, long nr, struct iocb **iocbs)
{
	struct iovec half[T_SHORT_MAX_IOV];
	struct iocb copy, *p = &copy;
	const struct iovec *v;
	uint64_t total = 0, want, left;
	int i, n;

	ck_assert_int_eq(nr, 1);
	t_calls++;
	if (t_fail_with)
		return t_fail_with;
	if (t_eagain_first > 0) {
		t_eagain_first--;
		t_refused++;
		return -EAGAIN;
	}
	if (t_eagain_every && t_calls % t_eagain_every == 0) {
		t_refused++;
		return -EAGAIN;
	}
	if (iocbs[0]->aio_rw_flags) {
		t_flagged++;
		if (t_refuse_flags)
			return -EINVAL;
	}
	if (!t_shorten)
		return io_submit(ctx, nr, iocbs);

	/*
	 * The kernel copies the iocb and the iovecs at submission, so a
	 * shortened copy on the stack is enough; data still names the slot.
	 */
	copy = *iocbs[0];
	v = copy.u.c.buf;
	n = (int)copy.u.c.nbytes;
	for (i = 0; i < n; i++)
		total += v[i].iov_len;
	if (total <= 4096 || n > T_SHORT_MAX_IOV)
		return io_submit(ctx, nr, iocbs);
	want = (total / 2) & ~4095ull;
	if (!want)
		want = 4096;
	for (i = 0, left = want; left; i++) {
		half[i] = v[i];
		if (half[i].iov_len > left)
			half[i].iov_len = left;
		left -= half[i].iov_len;
	}
	copy.u.c.buf = half;
	copy.u.c.nbytes = (unsigned long)i;
	t_shortened++;
	return io_submit(ctx, 1, &p);
}

static void fake_setup(void)
{
	t_eagain_every = t_eagain_first = t_fail_with = 0;
	t_shorten = t_refuse_flags = false;
	t_calls = t_refused = t_shortened = t_flagged = 0;
	bs_aio_set_submit_hook(fake_submit);
	t_loop_setup();
}

static void fake_teardown(void)
{
	t_loop_teardown();
	bs_aio_set_submit_hook(NULL);
}

static struct bs_dev *t_open(const char *name)
{
	char path[512], err[512];
	struct bs_params p = {
		.name = "aio", .path = path, .size = 16 * MiB, .thin = true, .write_back = true
	};
	struct bs_dev *dev = NULL;
	int ret;

	ck_assert_msg(t_dir[0], "no temporary directory");
	snprintf(path, sizeof(path), "%s/%s", t_dir, name);
	ret = bs_open("file", &p, &dev, err, sizeof(err));
	ck_assert_msg(ret == 0, "open: %s", err);
	/* The engine under test is libaio: the store must be O_DIRECT here. */
	ck_assert(t_fd_flags(path) & O_DIRECT);
	return dev;
}

/* n requests of len bytes each at 16 KiB strides, all in flight together. */
static void t_batch(struct bs_dev *dev, enum bs_op op, char *buf, int n, size_t len, bool fua)
{
	struct t_io *ts = calloc((size_t)n, sizeof(*ts));
	int done = 0, i;

	ck_assert_ptr_nonnull(ts);
	for (i = 0; i < n; i++) {
		ts[i].iov[0].iov_base = buf + (size_t)i * len;
		ts[i].iov[0].iov_len = len;
		ts[i].io.iov = ts[i].iov;
		ts[i].io.iovcnt = 1;
		ts[i].io.op = op;
		ts[i].io.offset = (uint64_t)i * len;
		ts[i].io.len = len;
		ts[i].io.fua = fua;
		ts[i].counter = &done;
		ck_assert_int_eq(t_submit(dev, &ts[i]), 0);
	}
	ck_assert_int_eq(t_run_until(t_loop, &done, n), n);
	for (i = 0; i < 3; i++)
		ev_run_once(t_loop, 5);
	ck_assert_int_eq(done, n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(ts[i].ncb, 1);
		ck_assert_msg(ts[i].io.result == 0, "request %d: %d", i, ts[i].io.result);
	}
	ck_assert_int_eq(t_cb_inside_submit, 0);
	free(ts);
}

static void t_write_read_verify(struct bs_dev *dev, int n, size_t len, unsigned int seed)
{
	char *w = t_alloc((size_t)n * len), *r = t_alloc((size_t)n * len);

	t_fill(w, (size_t)n * len, seed);
	memset(r, 0x5a, (size_t)n * len);
	t_batch(dev, BS_OP_WRITE, w, n, len, false);
	t_batch(dev, BS_OP_READ, r, n, len, false);
	ck_assert(!memcmp(w, r, (size_t)n * len));
	free(w);
	free(r);
}

/* The kernel refuses now and then: those wait and go in later, in order, once each. */
START_TEST(test_eagain_now_and_then)
{
	struct bs_dev *dev = t_open("eagain.img");

	t_eagain_every = 3;
	t_write_read_verify(dev, 900, 4096, 1);
	ck_assert_int_gt(t_refused, 100);
	bs_close(dev);
}
END_TEST

/* Refused with nothing in flight: no completion will come to retry, a timer must. */
START_TEST(test_eagain_with_nothing_in_flight)
{
	struct bs_dev *dev = t_open("eagain0.img");
	char *w = t_alloc(8192), *r = t_alloc(8192);
	struct t_io t;
	int done = 0;

	t_fill(w, 8192, 2);
	t_eagain_first = 20;
	memset(&t, 0, sizeof(t));
	t.iov[0].iov_base = w;
	t.iov[0].iov_len = 8192;
	t.io.iov = t.iov;
	t.io.iovcnt = 1;
	t.io.op = BS_OP_WRITE;
	t.io.len = 8192;
	t.counter = &done;
	ck_assert_int_eq(t_submit(dev, &t), 0);
	ck_assert_int_eq(t.ncb, 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
	ck_assert_int_eq(t.io.result, 0);
	ck_assert_int_eq(t_refused, 20);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 0, r, 8192, false), 0);
	ck_assert(!memcmp(w, r, 8192));
	bs_close(dev);
	free(w);
	free(r);
}
END_TEST

/* Short transfers: the remainder is resubmitted until the request is whole. */
START_TEST(test_short_transfers)
{
	struct bs_dev *dev = t_open("short.img");
	char *w = t_alloc(MiB + 8192), *r = t_alloc(MiB + 8192);
	struct t_io t;
	int done = 0;

	t_shorten = true;

	/* One iovec, aligned: 1 MiB comes in halves down to 4 KiB. */
	t_fill(w, MiB, 3);
	memset(&t, 0, sizeof(t));
	t.iov[0].iov_base = w;
	t.iov[0].iov_len = MiB;
	t.io.iov = t.iov;
	t.io.iovcnt = 1;
	t.io.op = BS_OP_WRITE;
	t.io.offset = 2 * MiB;
	t.io.len = MiB;
	t.counter = &done;
	ck_assert_int_eq(t_submit(dev, &t), 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
	ck_assert_int_eq(t.io.result, 0);
	ck_assert_int_ge(t.io.retries, 5);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 2 * MiB, r, MiB, false), 0);
	ck_assert(!memcmp(w, r, MiB));

	/* Three iovecs: the cuts fall inside them and between them. */
	t_fill(w, 3 * 16384, 4);
	memset(&t, 0, sizeof(t));
	done = 0;
	t.iov[0].iov_base = w + 32768;
	t.iov[0].iov_len = 16384;
	t.iov[1].iov_base = w;
	t.iov[1].iov_len = 8192;
	t.iov[2].iov_base = w + 8192;
	t.iov[2].iov_len = 24576;
	t.io.iov = t.iov;
	t.io.iovcnt = 3;
	t.io.op = BS_OP_WRITE;
	t.io.len = 49152;
	t.counter = &done;
	ck_assert_int_eq(t_submit(dev, &t), 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
	ck_assert_int_eq(t.io.result, 0);
	ck_assert_int_ge(t.io.retries, 2);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 0, r, 49152, false), 0);
	ck_assert(!memcmp(r, w + 32768, 16384));
	ck_assert(!memcmp(r + 16384, w, 32768));

	/* Misaligned buffers: the bounce buffer carries the halves, reads copy out at the end. */
	t_fill(w + 5, 65536, 5);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 8 * MiB, w + 5, 65536, true), 0);
	memset(r, 0, 65536 + 16);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 8 * MiB, r + 11, 65536, false), 0);
	ck_assert(!memcmp(w + 5, r + 11, 65536));
	ck_assert_int_gt(t_shortened, 10);
	bs_close(dev);
	free(w);
	free(r);
}
END_TEST

/* Both at once, with far more requests than slots: remainders stall and resume. */
START_TEST(test_short_and_eagain_under_load)
{
	struct bs_dev *dev = t_open("both.img");

	t_shorten = true;
	t_eagain_every = 4;
	t_write_read_verify(dev, 700, 16384, 6);
	ck_assert_int_gt(t_refused, 100);
	ck_assert_int_gt(t_shortened, 700);
	bs_close(dev);
}
END_TEST

/*
 * A kernel that refuses RWF_DSYNC: the first FUA write goes in without it
 * (and an fdatasync follows), later ones do not try the flag again.
 */
START_TEST(test_rwf_dsync_refused)
{
	struct bs_dev *dev = t_open("dsync.img");
	char *w = t_alloc(64 * 4096), *r = t_alloc(64 * 4096);

	t_refuse_flags = true;
	t_fill(w, 64 * 4096, 7);
	t_batch(dev, BS_OP_WRITE, w, 64, 4096, true);
	ck_assert_int_eq(t_flagged, 1);
	t_batch(dev, BS_OP_READ, r, 64, 4096, false);
	ck_assert(!memcmp(w, r, 64 * 4096));
	bs_close(dev);
	free(w);
	free(r);
}
END_TEST

/* A submission error reaches the callback, later, never submit's caller twice. */
START_TEST(test_submit_error_completes_later)
{
	struct bs_dev *dev = t_open("fail.img");
	char *buf = t_alloc(4096);

	t_fail_with = -EBADF;
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 0, buf, 4096, false), -EBADF);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 4096, buf, 4096, false), -EBADF);
	/* The pool is not the aio engine: a FLUSH is unaffected. */
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	ck_assert_int_eq(t_calls, 2);
	t_fail_with = 0;
	{
		char *r = t_alloc(4096);

		t_fill(buf, 4096, 8);
		ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 0, buf, 4096, false), 0);
		ck_assert_int_eq(t_do(dev, BS_OP_READ, 0, r, 4096, false), 0);
		ck_assert(!memcmp(buf, r, 4096));
		free(r);
	}
	bs_close(dev);
	free(buf);
}
END_TEST

static Suite *aio_suite(void)
{
	Suite *s = suite_create("bs_aio");
	TCase *tc = tcase_create("aio");

	tcase_add_unchecked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_checked_fixture(tc, fake_setup, fake_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_eagain_now_and_then);
	tcase_add_test(tc, test_eagain_with_nothing_in_flight);
	tcase_add_test(tc, test_short_transfers);
	tcase_add_test(tc, test_short_and_eagain_under_load);
	tcase_add_test(tc, test_rwf_dsync_refused);
	tcase_add_test(tc, test_submit_error_completes_later);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(aio_suite)

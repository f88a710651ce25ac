/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The null store: zeroes on read, success for everything else, always asynchronous. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev.h"
#include "target/backstore/bs.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/backstore/bs_test_util.h"

static struct bs_dev *null_open_size(uint64_t size)
{
	struct bs_params p = { .name = "nul", .size = size };
	struct bs_dev *dev = NULL;
	char err[256];

	ck_assert_msg(bs_open("null", &p, &dev, err, sizeof(err)) == 0, "open: %s", err);
	return dev;
}

START_TEST(test_needs_size)
{
	struct bs_params p = { .name = "nul" };
	struct bs_dev *dev = NULL;
	char err[256];

	ck_assert_int_eq(bs_open("null", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "needs a size"), "err: %s", err);
	p.size = 1000;
	ck_assert_int_eq(bs_open("null", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not a multiple of the 512-byte block size"), "err: %s", err);
	ck_assert_ptr_null(dev);
}
END_TEST

START_TEST(test_read_returns_zeroes)
{
	struct bs_dev *dev = null_open_size(1 << 30);
	char *buf = t_alloc(65536);

	ck_assert_uint_eq(dev->size, 1 << 30);
	ck_assert_uint_eq(dev->block_size, 512);
	ck_assert(dev->thin);
	/* Whatever the buffer held before must not come back as data. */
	memset(buf, 0xa5, 65536);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, (1 << 30) - 65536, buf, 65536, false), 0);
	ck_assert(t_is_zero(buf, 65536));
	bs_close(dev);
	free(buf);
}
END_TEST

START_TEST(test_everything_else_succeeds)
{
	struct bs_dev *dev = null_open_size(1 << 20);
	char *buf = t_alloc(4096);
	bool mapped = true;
	uint64_t len = 0;

	t_fill(buf, 4096, 1);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 4096, buf, 4096, false), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 0, buf, 4096, true), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_UNMAP, 0, NULL, 1 << 20, false), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE_ZEROES, 512, NULL, 1024, false), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 0, buf, 4096, false), 0);
	ck_assert(t_is_zero(buf, 4096));
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 1 << 20, buf, 4096, false), -ERANGE);

	ck_assert_int_eq(dev->ops->lba_status(dev, 8192, &mapped, &len), 0);
	ck_assert(!mapped);
	ck_assert_uint_eq(len, (1 << 20) - 8192);
	ck_assert_int_eq(dev->ops->lba_status(dev, 1 << 20, &mapped, &len), -ERANGE);

	ck_assert_int_eq(dev->ops->resize(dev, 2 << 20), 0);
	ck_assert_uint_eq(dev->size, 2 << 20);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, (2 << 20) - 4096, buf, 4096, false), 0);
	ck_assert_int_eq(dev->ops->resize(dev, 1000), -EINVAL);
	ck_assert_int_eq(dev->ops->resize(dev, 0), -EINVAL);
	bs_close(dev);
	free(buf);
}
END_TEST

/* Many requests in flight at once, more than any queue depth: each completes once. */
START_TEST(test_many_complete_once)
{
	enum { N = 5000 };
	struct bs_dev *dev = null_open_size(64 << 20);
	struct t_io *ts = calloc(N, sizeof(*ts));
	char *buf = t_alloc(512);
	int done = 0, i;

	ck_assert_ptr_nonnull(ts);
	for (i = 0; i < N; i++) {
		ts[i].io.op = i % 3 ? BS_OP_READ : BS_OP_WRITE;
		ts[i].io.offset = (uint64_t)(i % 1000) * 512;
		ts[i].io.len = 512;
		ts[i].iov[0].iov_base = buf;
		ts[i].iov[0].iov_len = 512;
		ts[i].io.iov = ts[i].iov;
		ts[i].io.iovcnt = 1;
		ts[i].counter = &done;
		ck_assert_int_eq(t_submit(dev, &ts[i]), 0);
	}
	ck_assert_int_eq(done, 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, N), N);
	/* A few more turns of the loop: nothing may complete twice. */
	for (i = 0; i < 3; i++)
		ev_run_once(t_loop, 10);
	ck_assert_int_eq(done, N);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(ts[i].ncb, 1);
		ck_assert_int_eq(ts[i].io.result, 0);
	}
	ck_assert_int_eq(t_cb_inside_submit, 0);
	bs_close(dev);
	free(ts);
	free(buf);
}
END_TEST

static int t_chain_left;
static struct bs_dev *t_chain_dev;

/* A callback that submits the next request: the common pattern of a command engine. */
static void chain_cb(struct bs_io *io)
{
	struct t_io *t = io->arg;

	ck_assert(!t_in_submit);
	t->ncb++;
	if (--t_chain_left > 0) {
		t->io.cb = chain_cb;
		t_in_submit = true;
		ck_assert_int_eq(bs_submit(t_chain_dev, &t->io), 0);
		t_in_submit = false;
	}
	(*t->counter)++;
}

START_TEST(test_submit_from_callback)
{
	struct t_io t;
	int done = 0;

	t_chain_dev = null_open_size(1 << 20);
	t_chain_left = 100;
	memset(&t, 0, sizeof(t));
	t.io.op = BS_OP_FLUSH;
	t.io.cb = chain_cb;
	t.io.arg = &t;
	t.counter = &done;
	ck_assert_int_eq(bs_submit(t_chain_dev, &t.io), 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, 100), 100);
	ck_assert_int_eq(t.ncb, 100);
	bs_close(t_chain_dev);
}
END_TEST

static Suite *null_suite(void)
{
	Suite *s = suite_create("bs_null");
	TCase *tc = tcase_create("null");

	tcase_add_checked_fixture(tc, t_loop_setup, t_loop_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_needs_size);
	tcase_add_test(tc, test_read_returns_zeroes);
	tcase_add_test(tc, test_everything_else_succeeds);
	tcase_add_test(tc, test_many_complete_once);
	tcase_add_test(tc, test_submit_from_callback);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(null_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry, bs_open's errors and the checks bs_submit makes before a
 * store sees a request.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev.h"
#include "target/backstore/bs.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/backstore/bs_test_util.h"

static int t_fake_opens;
static int t_fake_closes;
static int t_fake_submits;

static int fake_open(struct bs_dev *dev, const struct bs_params *p)
{
	t_fake_opens++;
	if (p->size == 12345)
		return bs_open_err(dev, -EINVAL, "the answer is not %llu",
				   (unsigned long long)p->size);
	dev->size = p->size;
	dev->block_size = 512;
	dev->readonly = p->readonly;
	return 0;
}

static void fake_close(struct bs_dev *dev)
{
	(void)dev;
	t_fake_closes++;
}

static int fake_submit(struct bs_dev *dev, struct bs_io *io)
{
	(void)dev;
	t_fake_submits++;
	bs_complete_later(io, -EIO);
	return 0;
}

static const struct bs_ops fake_ops = {
	.name = "fake",
	.open = fake_open,
	.close = fake_close,
	.submit = fake_submit,
};

static const struct bs_ops fake_ops_again = {
	.name = "fake",
	.open = fake_open,
	.submit = fake_submit,
};

START_TEST(test_builtin_kinds)
{
	bs_register_builtin();
	bs_register_builtin(); /* twice is harmless */
	ck_assert_ptr_nonnull(bs_find("file"));
	ck_assert_ptr_nonnull(bs_find("block"));
	ck_assert_ptr_nonnull(bs_find("lvm"));
	ck_assert_ptr_nonnull(bs_find("null"));
	ck_assert_str_eq(bs_find("null")->name, "null");
	ck_assert_ptr_null(bs_find("lvm2"));
	ck_assert_ptr_null(bs_find(NULL));
}
END_TEST

START_TEST(test_register)
{
	ck_assert_int_eq(bs_register(&fake_ops), 0);
	ck_assert_int_eq(bs_register(&fake_ops), 0);
	ck_assert_int_eq(bs_register(&fake_ops_again), -EEXIST);
	ck_assert_ptr_eq(bs_find("fake"), &fake_ops);
	ck_assert_int_eq(bs_register(NULL), -EINVAL);
}
END_TEST

START_TEST(test_open_unknown_kind)
{
	struct bs_params p = { .name = "lu0", .size = 1 << 20 };
	struct bs_dev *dev = NULL;
	char err[256];

	ck_assert_int_eq(bs_open("nosuch", &p, &dev, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(dev);
	ck_assert_msg(strstr(err, "unknown backstore type 'nosuch'"), "err: %s", err);
}
END_TEST

START_TEST(test_open_close_and_store_error)
{
	struct bs_params p = { .name = "lu0", .size = 1 << 20 };
	struct bs_dev *dev = NULL;
	char err[256];

	ck_assert_int_eq(bs_register(&fake_ops), 0);
	ck_assert_int_eq(bs_open("fake", &p, &dev, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(dev);
	ck_assert_str_eq(dev->name, "lu0");
	ck_assert_ptr_eq(dev->ops, &fake_ops);
	ck_assert_uint_eq(dev->size, 1 << 20);
	bs_close(dev);
	ck_assert_int_eq(t_fake_closes, 1);

	/* The store's reason reaches the caller's buffer, which may also be absent. */
	p.size = 12345;
	dev = NULL;
	ck_assert_int_eq(bs_open("fake", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(dev);
	ck_assert_str_eq(err, "the answer is not 12345");
	ck_assert_int_eq(bs_open("fake", &p, &dev, NULL, 0), -EINVAL);
	ck_assert_int_eq(bs_open("fake", &p, &dev, err, 8), -EINVAL);
	ck_assert_str_eq(err, "the ans");
	ck_assert_int_eq(t_fake_closes, 1);
}
END_TEST

START_TEST(test_open_bad_block_size)
{
	struct bs_params p = { .name = "lu0", .size = 1 << 20, .block_size = 520 };
	struct bs_dev *dev = NULL;
	char err[256];

	bs_register_builtin();
	ck_assert_int_eq(bs_open("null", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "block size 520"), "err: %s", err);
	p.block_size = 256;
	ck_assert_int_eq(bs_open("null", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(dev);
}
END_TEST

/* A physical block: a power-of-two multiple of the logical one, at most 64 KiB. */
START_TEST(test_phys_block_size_check)
{
	ck_assert_int_eq(bs_phys_block_size_check(512, 512), 0);
	ck_assert_int_eq(bs_phys_block_size_check(512, 4096), 0);
	ck_assert_int_eq(bs_phys_block_size_check(4096, 4096), 0);
	ck_assert_int_eq(bs_phys_block_size_check(512, 65536), 0);
	ck_assert_int_eq(bs_phys_block_size_check(512, 0), -EINVAL);
	ck_assert_int_eq(bs_phys_block_size_check(512, 256), -EINVAL);
	ck_assert_int_eq(bs_phys_block_size_check(4096, 2048), -EINVAL);
	ck_assert_int_eq(bs_phys_block_size_check(512, 1536), -EINVAL);
	ck_assert_int_eq(bs_phys_block_size_check(512, 131072), -EINVAL);
	ck_assert_int_eq(bs_phys_block_size_check(0, 4096), -EINVAL);
}
END_TEST

/* bs_open: the configured physical block, else one logical block; removable as given. */
START_TEST(test_open_phys_block_size)
{
	struct bs_params p = { .name = "n", .size = 1 << 20, .block_size = 512 };
	struct bs_dev *dev = NULL;
	char err[256] = "";

	bs_register_builtin();
	ck_assert_int_eq(bs_open("null", &p, &dev, err, sizeof(err)), 0);
	ck_assert_uint_eq(dev->phys_block_size, 512);
	ck_assert(!dev->removable);
	bs_close(dev);
	p.phys_block_size = 4096;
	p.removable = true;
	ck_assert_int_eq(bs_open("null", &p, &dev, err, sizeof(err)), 0);
	ck_assert_uint_eq(dev->phys_block_size, 4096);
	ck_assert(dev->removable);
	bs_close(dev);
	p.block_size = 4096;
	p.phys_block_size = 2048;
	dev = NULL;
	ck_assert_int_eq(bs_open("null", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(dev);
	ck_assert_msg(strstr(err, "physical block size 2048 is not a power-of-two multiple of the 4096-byte block size"),
		      "err: %s", err);
}
END_TEST

START_TEST(test_submit_without_thread_context)
{
	struct bs_params p = { .name = "lu0", .size = 1 << 20 };
	struct bs_dev *dev;
	struct t_io t;

	bs_register_builtin();
	ck_assert_int_eq(bs_open("null", &p, &dev, NULL, 0), 0);
	memset(&t, 0, sizeof(t));
	t.io.op = BS_OP_FLUSH;
	ck_assert_int_eq(t_submit(dev, &t), -EINVAL);
	ck_assert_int_eq(t.ncb, 0);
	bs_close(dev);
}
END_TEST

START_TEST(test_thread_init_twice)
{
	struct ev_loop *loop;

	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_int_eq(bs_thread_init(NULL), -EINVAL);
	ck_assert_int_eq(bs_thread_init(loop), 0);
	ck_assert_int_eq(bs_thread_init(loop), -EBUSY);
	bs_thread_fini();
	/* After fini the thread may start over. */
	ck_assert_int_eq(bs_thread_init(loop), 0);
	bs_thread_fini();
	bs_thread_fini();
	ev_loop_destroy(loop);
}
END_TEST

static void checks_setup(void)
{
	t_loop_setup();
	ck_assert_int_eq(bs_register(&fake_ops), 0);
	t_fake_submits = 0;
}

START_TEST(test_submit_checks)
{
	struct bs_params p = { .name = "lu0", .size = 1 << 20 };
	struct bs_dev *dev;
	char *buf = t_alloc(8192);
	struct t_io t;

	ck_assert_int_eq(bs_open("fake", &p, &dev, NULL, 0), 0);
	memset(&t, 0, sizeof(t));
	t.iov[0].iov_base = buf;
	t.iov[0].iov_len = 4096;
	t.io.iov = t.iov;
	t.io.iovcnt = 1;
	t.io.op = BS_OP_READ;
	t.io.len = 4096;

	/* No callback: there would be no way to tell the caller. */
	ck_assert_int_eq(bs_submit(dev, &t.io), -EINVAL);
	ck_assert_int_eq(bs_submit(NULL, &t.io), -EINVAL);
	ck_assert_int_eq(bs_submit(dev, NULL), -EINVAL);

	t.io.offset = 100; /* not a block multiple */
	ck_assert_int_eq(t_submit(dev, &t), -EINVAL);
	t.io.offset = 0;
	t.io.len = 4000; /* not the iovecs' sum, nor a block multiple */
	ck_assert_int_eq(t_submit(dev, &t), -EINVAL);
	t.io.len = 8192; /* a block multiple, not the iovecs' sum */
	ck_assert_int_eq(t_submit(dev, &t), -EINVAL);
	t.io.len = 4096;
	t.io.offset = (1 << 20) - 512; /* runs past the end */
	ck_assert_int_eq(t_submit(dev, &t), -ERANGE);
	t.io.offset = 1 << 20;
	ck_assert_int_eq(t_submit(dev, &t), -ERANGE);
	t.io.offset = UINT64_MAX - 511; /* offset + len wraps around */
	ck_assert_int_eq(t_submit(dev, &t), -ERANGE);
	t.io.offset = 0;
	t.io.op = (enum bs_op)42;
	ck_assert_int_eq(t_submit(dev, &t), -EINVAL);
	t.io.op = BS_OP_UNMAP;
	t.io.offset = 512;
	t.io.len = (1 << 20);
	ck_assert_int_eq(t_submit(dev, &t), -ERANGE);
	ck_assert_int_eq(t_fake_submits, 0);
	ck_assert_int_eq(t.ncb, 0);

	/* A request that passes reaches the store, and its error comes back through cb. */
	ck_assert_int_eq(t_do(dev, BS_OP_READ, (1 << 20) - 4096, buf, 4096, false), -EIO);
	ck_assert_int_eq(t_fake_submits, 1);
	/* FLUSH carries no range. */
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 12345, NULL, 7, false), -EIO);
	ck_assert_int_eq(t_fake_submits, 2);
	bs_close(dev);

	p.readonly = true;
	ck_assert_int_eq(bs_open("fake", &p, &dev, NULL, 0), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 0, buf, 4096, false), -EROFS);
	ck_assert_int_eq(t_do(dev, BS_OP_UNMAP, 0, NULL, 4096, false), -EROFS);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE_ZEROES, 0, NULL, 4096, false), -EROFS);
	ck_assert_int_eq(t_fake_submits, 2);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 0, buf, 4096, false), -EIO);
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), -EIO);
	ck_assert_int_eq(t_fake_submits, 4);
	bs_close(dev);
	free(buf);
}
END_TEST

START_TEST(test_multi_iovec_sum)
{
	struct bs_params p = { .name = "lu0", .size = 1 << 20 };
	struct bs_dev *dev;
	char *buf = t_alloc(8192);
	int done = 0;
	struct t_io t;

	ck_assert_int_eq(bs_open("fake", &p, &dev, NULL, 0), 0);
	memset(&t, 0, sizeof(t));
	t.iov[0].iov_base = buf;
	t.iov[0].iov_len = 1000;
	t.iov[1].iov_base = buf + 1000;
	t.iov[1].iov_len = 3096;
	t.io.iov = t.iov;
	t.io.iovcnt = 2;
	t.io.op = BS_OP_WRITE;
	t.io.len = 4096;
	t.counter = &done;
	ck_assert_int_eq(t_submit(dev, &t), 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
	ck_assert_int_eq(t.io.result, -EIO);
	ck_assert_int_eq(t_fake_submits, 1);
	bs_close(dev);
	free(buf);
}
END_TEST

static Suite *bs_suite(void)
{
	Suite *s = suite_create("bs");
	TCase *tc = tcase_create("registry");

	tcase_add_test(tc, test_builtin_kinds);
	tcase_add_test(tc, test_register);
	tcase_add_test(tc, test_open_unknown_kind);
	tcase_add_test(tc, test_open_close_and_store_error);
	tcase_add_test(tc, test_open_bad_block_size);
	tcase_add_test(tc, test_phys_block_size_check);
	tcase_add_test(tc, test_open_phys_block_size);
	tcase_add_test(tc, test_submit_without_thread_context);
	tcase_add_test(tc, test_thread_init_twice);
	suite_add_tcase(s, tc);

	tc = tcase_create("submit");
	tcase_add_checked_fixture(tc, checks_setup, t_loop_teardown);
	tcase_add_test(tc, test_submit_checks);
	tcase_add_test(tc, test_multi_iovec_sum);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(bs_suite)

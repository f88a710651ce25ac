// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rbd store without a cluster: its pure parts (rbd_util.c: the image
 * spec, the client's name, the identity's encoding in the image metadata,
 * what a completion's return value means), and its completion bookkeeping
 * (rbd.c) over a fake librbd that completes every request on a thread of
 * its own, as librbd does: each callback must run on the submitting
 * thread's loop, never inside submit, with the right result.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev.h"
#include "target/backstore/bs.h"
#include "target/backstore/rbd.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/backstore/bs_test_util.h"

/* ---- pure parts ---- */

START_TEST(test_spec)
{
	char pool[BS_RBD_NAME_MAX + 1], image[BS_RBD_NAME_MAX + 1], longname[120];

	ck_assert_ptr_null(bs_rbd_spec_parse("rbd/vm1", pool, image));
	ck_assert_str_eq(pool, "rbd");
	ck_assert_str_eq(image, "vm1");
	ck_assert_ptr_null(bs_rbd_spec_parse("kvm-pool.1/disk_0", pool, image));
	ck_assert_str_eq(image, "disk_0");
	ck_assert_str_eq(bs_rbd_spec_parse("vm1", pool, image), "is not POOL/IMAGE");
	ck_assert_str_eq(bs_rbd_spec_parse("/vm1", pool, image), "has no pool before '/'");
	ck_assert_str_eq(bs_rbd_spec_parse("rbd/", pool, image), "has no image after '/'");
	ck_assert_ptr_nonnull(bs_rbd_spec_parse("rbd/a/b", pool, image));
	ck_assert_ptr_nonnull(bs_rbd_spec_parse("rbd/vm1@snap", pool, image));
	ck_assert_ptr_nonnull(bs_rbd_spec_parse("rbd/vm 1", pool, image));
	ck_assert_ptr_nonnull(bs_rbd_spec_parse(NULL, pool, image));
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "rbd/", 4);
	longname[4 + BS_RBD_NAME_MAX] = '\0';
	ck_assert_ptr_null(bs_rbd_spec_parse(longname, pool, image));
	longname[4 + BS_RBD_NAME_MAX] = 'a';
	longname[5 + BS_RBD_NAME_MAX] = '\0';
	ck_assert_ptr_nonnull(bs_rbd_spec_parse(longname, pool, image));
}
END_TEST

START_TEST(test_client_name)
{
	char out[64];

	ck_assert_ptr_null(bs_rbd_client_name(NULL, out, sizeof(out)));
	ck_assert_str_eq(out, "client.admin");
	ck_assert_ptr_null(bs_rbd_client_name("", out, sizeof(out)));
	ck_assert_str_eq(out, "client.admin");
	ck_assert_ptr_null(bs_rbd_client_name("portico", out, sizeof(out)));
	ck_assert_str_eq(out, "client.portico");
	ck_assert_ptr_null(bs_rbd_client_name("client.gw1", out, sizeof(out)));
	ck_assert_str_eq(out, "client.gw1");
	ck_assert_ptr_nonnull(bs_rbd_client_name("client.", out, sizeof(out)));
	ck_assert_ptr_nonnull(bs_rbd_client_name("a b", out, sizeof(out)));
	ck_assert_ptr_nonnull(bs_rbd_client_name("portico", out, 10));
}
END_TEST

START_TEST(test_identity_encoding)
{
	const uint8_t naa[8] = { 0x60, 0x01, 0x40, 0x5a, 0xbc, 0xde, 0xf0, 0x12 };
	uint8_t back[8], keep[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char text[19];

	bs_rbd_naa_text(naa, text);
	ck_assert_str_eq(text, "0x6001405abcdef012");
	ck_assert_int_eq(bs_rbd_naa_parse(text, back), 0);
	ck_assert_int_eq(memcmp(back, naa, 8), 0);
	ck_assert_int_eq(bs_rbd_naa_parse("0X6001405ABCDEF012", back), 0);
	ck_assert_int_eq(memcmp(back, naa, 8), 0);
	/* anything else leaves the output alone */
	memcpy(back, keep, 8);
	ck_assert_int_eq(bs_rbd_naa_parse("6001405abcdef012", back), -EINVAL);
	ck_assert_int_eq(bs_rbd_naa_parse("0x6001405abcdef01", back), -EINVAL);
	ck_assert_int_eq(bs_rbd_naa_parse("0x6001405abcdef0123", back), -EINVAL);
	ck_assert_int_eq(bs_rbd_naa_parse("0x6001405abcdef0g2", back), -EINVAL);
	/* SPC-4 §7.8.6.6: NAA type 0 is no designator */
	ck_assert_int_eq(bs_rbd_naa_parse("0x0001405abcdef012", back), -EINVAL);
	ck_assert_int_eq(bs_rbd_naa_parse(NULL, back), -EINVAL);
	ck_assert_int_eq(memcmp(back, keep, 8), 0);

	ck_assert_int_eq(bs_rbd_serial_check("a1b2c3d4e5f6"), 0);
	ck_assert_int_eq(bs_rbd_serial_check("0123456789abcdef0123456789abcdef"), 0);
	ck_assert_int_eq(bs_rbd_serial_check("0123456789abcdef0123456789abcdef0"), -EINVAL);
	ck_assert_int_eq(bs_rbd_serial_check(""), -EINVAL);
	ck_assert_int_eq(bs_rbd_serial_check("a b"), -EINVAL);
	ck_assert_int_eq(bs_rbd_serial_check("a\tb"), -EINVAL);
	ck_assert_int_eq(bs_rbd_serial_check(NULL), -EINVAL);
}
END_TEST

/* rados_osd_op_timeout: within a third of the lease in a group (docs/rbd.md) */
START_TEST(test_op_timeout)
{
	unsigned int secs = 0;

	ck_assert_ptr_null(bs_rbd_op_timeout(NULL, NULL, false, &secs));
	ck_assert_uint_eq(secs, 30);
	ck_assert_ptr_null(bs_rbd_op_timeout("", "", true, &secs));
	ck_assert_uint_eq(secs, 5); /* 15 s lease */
	ck_assert_ptr_null(bs_rbd_op_timeout("6000", NULL, true, &secs));
	ck_assert_uint_eq(secs, 2);
	ck_assert_ptr_null(bs_rbd_op_timeout("3000", NULL, true, &secs));
	ck_assert_uint_eq(secs, 1);
	ck_assert_ptr_null(bs_rbd_op_timeout("6000", "1500", true, &secs));
	ck_assert_uint_eq(secs, 1); /* whole seconds, down */
	ck_assert_ptr_null(bs_rbd_op_timeout("6000", "2000", true, &secs));
	ck_assert_uint_eq(secs, 2);
	/* past a third of the lease: the op could outlive the lease it was issued under */
	ck_assert_ptr_nonnull(bs_rbd_op_timeout("6000", "2001", true, &secs));
	ck_assert_ptr_nonnull(bs_rbd_op_timeout(NULL, "5001", true, &secs));
	ck_assert_ptr_null(bs_rbd_op_timeout(NULL, "600000", false, &secs));
	ck_assert_uint_eq(secs, 600);
	/* the lease is no bound outside a group */
	ck_assert_ptr_null(bs_rbd_op_timeout("6000", "9000", false, &secs));
	static const char *const bad[] = { "999", "600001", "1e4", "-5000", "5000 ", "0x1000",
					   "99999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(bs_rbd_op_timeout(NULL, bad[i], false, &secs) != NULL, "%s", bad[i]);
	/* a lease its own check refuses: bounded by the default's third here */
	ck_assert_ptr_null(bs_rbd_op_timeout("zz", NULL, true, &secs));
	ck_assert_uint_eq(secs, 5);
}
END_TEST

START_TEST(test_result)
{
	/* librbd: a read returns its length, a write 0, an error -errno */
	ck_assert_int_eq(bs_rbd_result(BS_OP_READ, 4096, 4096), 0);
	ck_assert_int_eq(bs_rbd_result(BS_OP_WRITE, 4096, 0), 0);
	ck_assert_int_eq(bs_rbd_result(BS_OP_WRITE, 4096, 4096), 0);
	ck_assert_int_eq(bs_rbd_result(BS_OP_READ, 4096, 512), -EIO);
	ck_assert_int_eq(bs_rbd_result(BS_OP_READ, 4096, -EIO), -EIO);
	ck_assert_int_eq(bs_rbd_result(BS_OP_WRITE, 4096, -108), -108); /* blocklisted */
	ck_assert_int_eq(bs_rbd_result(BS_OP_COMPARE_WRITE, 512, -EILSEQ), -EILSEQ);
	ck_assert_int_eq(bs_rbd_result(BS_OP_FLUSH, 0, 0), 0);
	ck_assert_int_eq(bs_rbd_result(BS_OP_UNMAP, 8192, 0), 0);
	/* rados_osd_op_timeout gave up: the path is unavailable, not a medium error */
	ck_assert_int_eq(bs_rbd_result(BS_OP_WRITE, 4096, -ETIMEDOUT), -ESHUTDOWN);
	ck_assert_int_eq(bs_rbd_result(BS_OP_READ, 4096, -ETIMEDOUT), -ESHUTDOWN);
}
END_TEST

/* ---- a fake librbd: an image in memory, completions on a thread of its own ---- */

#define F_SIZE (1u << 20)

struct f_comp {
	void *arg;
	bs_rbd_cb cb;
	long ret;
	struct f_comp *next;
};

static struct {
	uint8_t data[F_SIZE];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct f_comp *head, **tail;
	bool stop;
	pthread_t thread;
	int refuse; /* the next call is refused with this (no completion) */
	long override; /* when set, the next completion returns this instead */
	unsigned int created, released, calls[7];
	pthread_t cb_thread; /* the thread the last completion ran on */
} F;

static void *f_worker(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&F.lock);
	for (;;) {
		struct f_comp *c;

		while (!F.head && !F.stop)
			pthread_cond_wait(&F.cond, &F.lock);
		if (!F.head)
			break;
		c = F.head;
		F.head = c->next;
		if (!F.head)
			F.tail = &F.head;
		pthread_mutex_unlock(&F.lock);
		F.cb_thread = pthread_self();
		c->cb(c, c->arg);
		pthread_mutex_lock(&F.lock);
	}
	pthread_mutex_unlock(&F.lock);
	return NULL;
}

static int f_create(void *arg, bs_rbd_cb cb, bs_rbd_comp *out)
{
	struct f_comp *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->arg = arg;
	c->cb = cb;
	F.created++;
	*out = c;
	return 0;
}

static long f_ret(bs_rbd_comp c)
{
	return ((struct f_comp *)c)->ret;
}

static void f_release(bs_rbd_comp c)
{
	F.released++;
	free(c);
}

/* Queues c for the worker with ret, or refuses the call (then no completion). */
static int f_finish(bs_rbd_comp cv, enum bs_op op, long ret)
{
	struct f_comp *c = cv;
	int refuse = F.refuse;

	F.calls[op]++;
	if (refuse) {
		F.refuse = 0;
		return refuse;
	}
	if (F.override) {
		ret = F.override;
		F.override = 0;
	}
	c->ret = ret;
	pthread_mutex_lock(&F.lock);
	*F.tail = c;
	F.tail = &c->next;
	pthread_cond_signal(&F.cond);
	pthread_mutex_unlock(&F.lock);
	return 0;
}

static int f_readv(bs_rbd_image im, const struct iovec *iov, int n, uint64_t off, bs_rbd_comp c)
{
	size_t total = 0;

	(void)im;
	for (int i = 0; i < n; i++) {
		memcpy(iov[i].iov_base, F.data + off + total, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	return f_finish(c, BS_OP_READ, (long)total);
}

static int f_writev(bs_rbd_image im, const struct iovec *iov, int n, uint64_t off, bs_rbd_comp c)
{
	size_t total = 0;

	(void)im;
	if (F.refuse)
		return f_finish(c, BS_OP_WRITE, 0);
	for (int i = 0; i < n; i++) {
		memcpy(F.data + off + total, iov[i].iov_base, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	return f_finish(c, BS_OP_WRITE, 0);
}

static int f_flush(bs_rbd_image im, bs_rbd_comp c)
{
	(void)im;
	return f_finish(c, BS_OP_FLUSH, 0);
}

static int f_discard(bs_rbd_image im, uint64_t off, uint64_t len, bs_rbd_comp c)
{
	(void)im;
	memset(F.data + off, 0, len);
	return f_finish(c, BS_OP_UNMAP, 0);
}

static int f_zeroes(bs_rbd_image im, uint64_t off, uint64_t len, bs_rbd_comp c)
{
	(void)im;
	memset(F.data + off, 0, len);
	return f_finish(c, BS_OP_WRITE_ZEROES, 0);
}

static int f_ws(bs_rbd_image im, uint64_t off, uint64_t len, const char *buf, size_t blen,
		bs_rbd_comp c)
{
	(void)im;
	for (uint64_t k = 0; k < len; k += blen)
		memcpy(F.data + off + k, buf, blen);
	return f_finish(c, BS_OP_WRITE_SAME, 0);
}

static long f_caw(bs_rbd_image im, uint64_t off, size_t len, const char *cmp, const char *buf,
		  bs_rbd_comp c, uint64_t *mismatch)
{
	(void)im;
	for (size_t k = 0; k < len; k++)
		if (F.data[off + k] != (uint8_t)cmp[k]) {
			*mismatch = k;
			return f_finish(c, BS_OP_COMPARE_WRITE, -EILSEQ);
		}
	memcpy(F.data + off, buf, len);
	return f_finish(c, BS_OP_COMPARE_WRITE, 0);
}

static const struct bs_rbd_lib f_lib = {
	.create_completion = f_create,
	.get_return_value = f_ret,
	.release = f_release,
	.readv = f_readv,
	.writev = f_writev,
	.flush = f_flush,
	.discard = f_discard,
	.write_zeroes = f_zeroes,
	.write_same = f_ws,
	.compare_and_write = f_caw,
};

static struct bs_dev *f_dev;

static void f_setup(void)
{
	t_loop_setup();
	memset(&F, 0, sizeof(F));
	F.tail = &F.head;
	pthread_mutex_init(&F.lock, NULL);
	pthread_cond_init(&F.cond, NULL);
	ck_assert_int_eq(pthread_create(&F.thread, NULL, f_worker, NULL), 0);
	f_dev = calloc(1, sizeof(*f_dev));
	ck_assert_ptr_nonnull(f_dev);
	ck_assert_int_eq(bs_rbd_attach(f_dev, &f_lib, &F, F_SIZE, 512), 0);
}

static void f_teardown(void)
{
	bs_close(f_dev);
	pthread_mutex_lock(&F.lock);
	F.stop = true;
	pthread_cond_signal(&F.cond);
	pthread_mutex_unlock(&F.lock);
	pthread_join(F.thread, NULL);
	pthread_mutex_destroy(&F.lock);
	pthread_cond_destroy(&F.cond);
	t_loop_teardown();
}

/* One COMPARE_WRITE through the store: compare cmp, write w; the result and *mis. */
static int f_caw_do(uint64_t off, const char *cmp, const char *w, size_t len, uint64_t *mis)
{
	struct t_io t;
	char *buf = t_alloc(2 * len);
	int done = 0, ret;

	memcpy(buf, cmp, len);
	memcpy(buf + len, w, len);
	memset(&t, 0, sizeof(t));
	t.io.op = BS_OP_COMPARE_WRITE;
	t.io.offset = off;
	t.io.len = len;
	t.iov[0].iov_base = buf;
	t.iov[0].iov_len = 2 * len;
	t.io.iov = t.iov;
	t.io.iovcnt = 1;
	t.counter = &done;
	ret = t_submit(f_dev, &t);
	if (!ret) {
		ck_assert_int_eq(t.ncb, 0);
		ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
		ck_assert(pthread_equal(t.cb_thread, pthread_self()));
		ret = t.io.result;
		*mis = t.io.miscompare;
	}
	free(buf);
	return ret;
}

START_TEST(test_io_completes_on_the_loop)
{
	char *w = t_alloc(8192), *r = t_alloc(8192);

	t_fill(w, 8192, 5);
	/* t_do: never inside submit, on this thread, once */
	ck_assert_int_eq(t_do(f_dev, BS_OP_WRITE, 4096, w, 8192, true), 0);
	ck_assert(!pthread_equal(F.cb_thread, pthread_self()));
	ck_assert_int_eq(t_do(f_dev, BS_OP_READ, 4096, r, 8192, false), 0);
	ck_assert_int_eq(memcmp(w, r, 8192), 0);
	ck_assert_int_eq(t_do(f_dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	ck_assert_int_eq(t_do(f_dev, BS_OP_UNMAP, 4096, NULL, 4096, false), 0);
	ck_assert_int_eq(t_do(f_dev, BS_OP_READ, 4096, r, 4096, false), 0);
	ck_assert(t_is_zero(r, 4096));
	ck_assert_int_eq(t_do(f_dev, BS_OP_WRITE_ZEROES, 8192, NULL, 4096, false), 0);
	ck_assert(t_is_zero(F.data + 8192, 4096));
	ck_assert_uint_eq(F.calls[BS_OP_UNMAP], 1);
	ck_assert_uint_eq(F.calls[BS_OP_WRITE_ZEROES], 1);
	ck_assert_uint_eq(F.calls[BS_OP_FLUSH], 1);
	/* every completion released, once */
	ck_assert_uint_eq(F.created, 6);
	ck_assert_uint_eq(F.released, 6);
	free(w);
	free(r);
}
END_TEST

START_TEST(test_errors)
{
	char *b = t_alloc(4096);

	/* an error of librbd's completion */
	F.override = -108;
	ck_assert_int_eq(t_do(f_dev, BS_OP_WRITE, 0, b, 4096, false), -108);
	/* a short read is an error, not data */
	F.override = 512;
	ck_assert_int_eq(t_do(f_dev, BS_OP_READ, 0, b, 4096, false), -EIO);
	/* librbd refuses the call: the completion is released, the callback still runs later */
	F.refuse = -EINVAL;
	ck_assert_int_eq(t_do(f_dev, BS_OP_WRITE, 0, b, 4096, false), -EINVAL);
	ck_assert_uint_eq(F.created, 3);
	ck_assert_uint_eq(F.released, 3);
	/* the engine's checks before the store: past the end, misaligned */
	ck_assert_int_eq(t_do(f_dev, BS_OP_READ, F_SIZE, b, 4096, false), -ERANGE);
	ck_assert_int_eq(t_do(f_dev, BS_OP_READ, 100, b, 512, false), -EINVAL);
	ck_assert_uint_eq(F.created, 3);
	free(b);
}
END_TEST

START_TEST(test_write_same)
{
	struct t_io t;
	char blk[512];
	int done = 0;

	memset(blk, 'S', sizeof(blk));
	memset(&t, 0, sizeof(t));
	t.io.op = BS_OP_WRITE_SAME;
	t.io.offset = 4096;
	t.io.len = 65536;
	t.iov[0].iov_base = blk;
	t.iov[0].iov_len = sizeof(blk);
	t.io.iov = t.iov;
	t.io.iovcnt = 1;
	t.counter = &done;
	ck_assert_int_eq(t_submit(f_dev, &t), 0);
	ck_assert_int_eq(t.ncb, 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
	ck_assert_int_eq(t.io.result, 0);
	ck_assert_uint_eq(F.calls[BS_OP_WRITE_SAME], 1);
	ck_assert_uint_eq(F.data[4096], 'S');
	ck_assert_uint_eq(F.data[4096 + 65535], 'S');
	ck_assert_uint_eq(F.data[4096 + 65536], 0);
	/* a pattern of another size than the block: refused before librbd */
	t.iov[0].iov_len = 256;
	ck_assert_int_eq(t_submit(f_dev, &t), -EINVAL);
	ck_assert_uint_eq(F.calls[BS_OP_WRITE_SAME], 1);
}
END_TEST

START_TEST(test_compare_and_write)
{
	char cmp[512], w[512];
	uint64_t mis = 0;

	memset(F.data + 1024, 'A', 512);
	memset(cmp, 'A', 512);
	memset(w, 'B', 512);
	ck_assert_int_eq(f_caw_do(1024, cmp, w, 512, &mis), 0);
	ck_assert_uint_eq(F.data[1024], 'B');
	/* the store's mismatch offset comes back with -EILSEQ, nothing written */
	cmp[200] = 'X';
	memset(cmp, 'B', 200);
	memset(cmp + 201, 'B', 311);
	memset(w, 'C', 512);
	ck_assert_int_eq(f_caw_do(1024, cmp, w, 512, &mis), -EILSEQ);
	ck_assert_uint_eq(mis, 200);
	ck_assert_uint_eq(F.data[1024], 'B');
	/* more than one sector (Ceph 16's atomic unit), or across one: refused before librbd */
	/* the next sector: its first byte differs */
	ck_assert_int_eq(f_caw_do(1536, cmp, w, 512, &mis), -EILSEQ);
	ck_assert_uint_eq(mis, 0);
	ck_assert_uint_eq(F.calls[BS_OP_COMPARE_WRITE], 3);
	{
		char big[1024] = { 0 };

		ck_assert_int_eq(f_caw_do(1024, big, big, 1024, &mis), -EINVAL);
		ck_assert_int_eq(f_caw_do(1280, big, big, 512, &mis), -EINVAL);
	}
	ck_assert_uint_eq(F.calls[BS_OP_COMPARE_WRITE], 3);
}
END_TEST

static Suite *rbd_suite(void)
{
	Suite *s = suite_create("rbd");
	TCase *tp = tcase_create("pure");
	TCase *tf = tcase_create("fake_librbd");

	tcase_add_test(tp, test_spec);
	tcase_add_test(tp, test_client_name);
	tcase_add_test(tp, test_identity_encoding);
	tcase_add_test(tp, test_result);
	tcase_add_test(tp, test_op_timeout);
	suite_add_tcase(s, tp);
	tcase_add_checked_fixture(tf, f_setup, f_teardown);
	tcase_add_test(tf, test_io_completes_on_the_loop);
	tcase_add_test(tf, test_errors);
	tcase_add_test(tf, test_write_same);
	tcase_add_test(tf, test_compare_and_write);
	suite_add_tcase(s, tf);
	return s;
}

CHECK_MAIN(rbd_suite)

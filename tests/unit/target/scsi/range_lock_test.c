/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The LBA range lock on its own: which requests overlap, the FIFO order
 * that keeps an exclusive request from being starved, withdrawal of a
 * waiter, and that the lock holds nothing beyond the requests queued.
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdatomic.h>
#include <string.h>

#include "target/scsi/range_lock.h"
#include "tests/unit/check_main.h"

static struct range_lock L;

static void setup(void)
{
	ck_assert_int_eq(range_lock_init(&L), 0);
}

static void teardown(void)
{
	ck_assert_uint_eq(range_lock_queued(&L), 0);
	range_lock_fini(&L);
}

#define SH RANGE_LOCK_SHARED
#define EX RANGE_LOCK_EXCLUSIVE

static size_t count(struct range_lock_req *g)
{
	size_t n = 0;

	for (; g; g = g->next_granted)
		n++;
	return n;
}

START_TEST(test_shared_never_wait_for_shared)
{
	struct range_lock_req r[4];
	int i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 4; i++)
		ck_assert(range_lock_acquire(&L, &r[i], 0, 100, SH));
	ck_assert_uint_eq(range_lock_queued(&L), 4);
	for (i = 0; i < 4; i++) {
		ck_assert_ptr_null(range_lock_release(&L, &r[i]));
		ck_assert_int_eq(r[i].state, RANGE_LOCK_IDLE);
	}
}
END_TEST

START_TEST(test_overlap_edges)
{
	struct range_lock_req a = {0}, b = {0}, c = {0}, d = {0}, e = {0};

	ck_assert(range_lock_acquire(&L, &a, 10, 20, EX));
	/* touching ranges do not overlap: [0,10) and [20,30) */
	ck_assert(range_lock_acquire(&L, &b, 0, 10, EX));
	ck_assert(range_lock_acquire(&L, &c, 20, 30, SH));
	/* one block inside, at either end, waits */
	ck_assert(!range_lock_acquire(&L, &d, 19, 20, SH));
	ck_assert(!range_lock_acquire(&L, &e, 5, 11, EX));
	ck_assert_int_eq(d.state, RANGE_LOCK_WAITING);
	/* e waits for a and b; releasing b alone grants nothing */
	ck_assert_ptr_null(range_lock_release(&L, &b));
	ck_assert_int_eq(e.state, RANGE_LOCK_WAITING);
	/* releasing a grants d and e, in their order */
	{
		struct range_lock_req *g = range_lock_release(&L, &a);

		ck_assert_ptr_eq(g, &d);
		ck_assert_ptr_eq(g->next_granted, &e);
		ck_assert_ptr_null(e.next_granted);
	}
	ck_assert_int_eq(d.state, RANGE_LOCK_HELD);
	ck_assert_int_eq(e.state, RANGE_LOCK_HELD);
	range_lock_release(&L, &c);
	range_lock_release(&L, &d);
	range_lock_release(&L, &e);
}
END_TEST

START_TEST(test_empty_range_never_waits)
{
	struct range_lock_req a = {0}, b = {0}, c = {0};

	ck_assert(range_lock_acquire(&L, &a, 0, 100, EX));
	ck_assert(range_lock_acquire(&L, &b, 50, 50, EX));
	ck_assert(range_lock_acquire(&L, &c, 50, 50, SH));
	ck_assert_ptr_null(range_lock_release(&L, &b));
	ck_assert_ptr_null(range_lock_release(&L, &c));
	ck_assert_ptr_null(range_lock_release(&L, &a));
}
END_TEST

/*
 * A stream of overlapping shared requests (plain writes) cannot starve an
 * exclusive one: once it waits, the shared requests behind it wait too,
 * and it is granted as soon as those before it are gone.
 */
START_TEST(test_fifo_exclusive_not_starved)
{
	struct range_lock_req s1 = {0}, x = {0}, s2 = {0}, s3 = {0}, far = {0};
	struct range_lock_req *g;

	ck_assert(range_lock_acquire(&L, &s1, 0, 8, SH));
	ck_assert(!range_lock_acquire(&L, &x, 4, 12, EX));
	ck_assert(!range_lock_acquire(&L, &s2, 0, 8, SH)); /* behind x */
	ck_assert(!range_lock_acquire(&L, &s3, 8, 16, SH));
	/* a range nobody queued touches still goes straight through */
	ck_assert(range_lock_acquire(&L, &far, 100, 108, SH));
	g = range_lock_release(&L, &s1);
	ck_assert_ptr_eq(g, &x);
	ck_assert_ptr_null(g->next_granted);
	ck_assert_int_eq(s2.state, RANGE_LOCK_WAITING);
	g = range_lock_release(&L, &x);
	ck_assert_uint_eq(count(g), 2);
	ck_assert_ptr_eq(g, &s2);
	ck_assert_ptr_eq(g->next_granted, &s3);
	range_lock_release(&L, &s2);
	range_lock_release(&L, &s3);
	range_lock_release(&L, &far);
}
END_TEST

/* Two exclusive requests on one range run one after the other, in arrival order. */
START_TEST(test_exclusive_order)
{
	struct range_lock_req r[5];
	struct range_lock_req *g;
	int i;

	memset(r, 0, sizeof(r));
	ck_assert(range_lock_acquire(&L, &r[0], 0, 1, EX));
	for (i = 1; i < 5; i++)
		ck_assert(!range_lock_acquire(&L, &r[i], 0, 1, EX));
	for (i = 0; i < 4; i++) {
		g = range_lock_release(&L, &r[i]);
		ck_assert_ptr_eq(g, &r[i + 1]);
		ck_assert_ptr_null(g->next_granted);
	}
	ck_assert_ptr_null(range_lock_release(&L, &r[4]));
}
END_TEST

/* A waiter withdrawn (its command aborted) lets those it held back through. */
START_TEST(test_withdraw_waiter)
{
	struct range_lock_req a = {0}, w = {0}, b = {0};
	struct range_lock_req *g;

	ck_assert(range_lock_acquire(&L, &a, 0, 4, SH));
	ck_assert(!range_lock_acquire(&L, &w, 2, 10, EX));
	ck_assert(!range_lock_acquire(&L, &b, 6, 10, SH)); /* waits only for w */
	g = range_lock_release(&L, &w);
	ck_assert_ptr_eq(g, &b);
	ck_assert_int_eq(w.state, RANGE_LOCK_IDLE);
	/* an idle request releases as a no-op */
	ck_assert_ptr_null(range_lock_release(&L, &w));
	range_lock_release(&L, &a);
	range_lock_release(&L, &b);
}
END_TEST

/*
 * range_lock_withdraw takes back a request only while it waits: once a
 * release has granted it, it stays held (its grant is on its way to its
 * owner) and the withdrawal says so.
 */
START_TEST(test_withdraw_only_waiting)
{
	struct range_lock_req a = {0}, x = {0}, b = {0};
	struct range_lock_req *g;

	ck_assert(range_lock_acquire(&L, &a, 0, 4, SH));
	ck_assert(!range_lock_acquire(&L, &x, 0, UINT64_MAX, EX));
	ck_assert(!range_lock_acquire(&L, &b, 8, 9, SH)); /* behind x */
	ck_assert(range_lock_withdraw(&L, &x, &g));
	ck_assert_int_eq(x.state, RANGE_LOCK_IDLE);
	ck_assert_ptr_eq(g, &b);
	ck_assert_int_eq(b.state, RANGE_LOCK_HELD);
	range_lock_release(&L, &b);

	/* granted by a's release: withdraw leaves it held */
	ck_assert(!range_lock_acquire(&L, &x, 0, UINT64_MAX, EX));
	ck_assert_ptr_eq(range_lock_release(&L, &a), &x);
	ck_assert(!range_lock_withdraw(&L, &x, &g));
	ck_assert_ptr_null(g);
	ck_assert_int_eq(x.state, RANGE_LOCK_HELD);
	/* and an idle one is not waiting either */
	ck_assert(!range_lock_withdraw(&L, &a, &g));
	range_lock_release(&L, &x);
	ck_assert_uint_eq(range_lock_queued(&L), 0);
}
END_TEST

/*
 * Bounded memory: the lock keeps nothing but the requests queued. A
 * thousand rounds of acquire and release leave it as it started, and the
 * count never exceeds the requests in flight.
 */
START_TEST(test_bounded)
{
	struct range_lock_req r[32];
	int round, i;

	memset(r, 0, sizeof(r));
	for (round = 0; round < 1000; round++) {
		for (i = 0; i < 32; i++) {
			struct range_lock_req *g;

			if (r[i].state != RANGE_LOCK_IDLE) {
				g = range_lock_release(&L, &r[i]);
				(void)g;
			}
			range_lock_acquire(&L, &r[i], (uint64_t)(round * 7 + i * 3) % 64,
					   (uint64_t)(round * 7 + i * 3) % 64 + 4,
					   (i % 5) ? SH : EX);
			ck_assert_uint_le(range_lock_queued(&L), 32);
		}
	}
	/* release in any order: everything ends granted and then idle */
	for (i = 31; i >= 0; i--)
		range_lock_release(&L, &r[i]);
	ck_assert_uint_eq(range_lock_queued(&L), 0);
}
END_TEST

/*
 * Threads: each holds its exclusive request while it checks that nobody
 * else is inside the range, as a command holds the range over its I/O. A
 * waiter is handed over by whoever's release granted it, so the test
 * waits for that with a flag.
 */
#define T_THREADS 4
#define T_ROUNDS 2000

static atomic_int inside;
static atomic_int violations;

struct t_arg {
	struct range_lock_req req;
	atomic_bool granted;
};

static struct t_arg targs[T_THREADS];

static void grant_all(struct range_lock_req *g)
{
	while (g) {
		struct range_lock_req *next = g->next_granted;

		atomic_store(&((struct t_arg *)((char *)g - offsetof(struct t_arg, req)))->granted,
			     true);
		g = next;
	}
}

static void *t_worker(void *p)
{
	struct t_arg *a = p;
	int i;

	for (i = 0; i < T_ROUNDS; i++) {
		atomic_store(&a->granted, false);
		if (range_lock_acquire(&L, &a->req, 10, 20, EX))
			atomic_store(&a->granted, true);
		/* bounded: a grant that never comes is a failure, not a hang */
		for (long spin = 0; !atomic_load(&a->granted); spin++) {
			if (spin > 50000000L) {
				atomic_fetch_add(&violations, 1000);
				return NULL;
			}
			sched_yield();
		}
		if (atomic_fetch_add(&inside, 1) != 0)
			atomic_fetch_add(&violations, 1);
		atomic_fetch_sub(&inside, 1);
		grant_all(range_lock_release(&L, &a->req));
	}
	return NULL;
}

START_TEST(test_threads_exclusive)
{
	pthread_t th[T_THREADS];
	int i;

	memset(targs, 0, sizeof(targs));
	for (i = 0; i < T_THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, t_worker, &targs[i]), 0);
	for (i = 0; i < T_THREADS; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(atomic_load(&violations), 0);
}
END_TEST

static Suite *range_lock_suite(void)
{
	Suite *s = suite_create("range_lock");
	TCase *tc = tcase_create("range_lock");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_shared_never_wait_for_shared);
	tcase_add_test(tc, test_overlap_edges);
	tcase_add_test(tc, test_empty_range_never_waits);
	tcase_add_test(tc, test_fifo_exclusive_not_starved);
	tcase_add_test(tc, test_exclusive_order);
	tcase_add_test(tc, test_withdraw_waiter);
	tcase_add_test(tc, test_withdraw_only_waiting);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_threads_exclusive);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(range_lock_suite)

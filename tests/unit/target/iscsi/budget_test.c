/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accounts of command memory (target/iscsi/budget.c): who gets room,
 * who is held back, what a forced charge does, and that the daemon's
 * account stays right when threads charge it together. The sessions'
 * waiting and window are tested over a socketpair in conn_test.c.
 */
#include <pthread.h>
#include <string.h>

#include "target/iscsi/iscsi_int.h"
#include "tests/unit/check_main.h"

#define KIB 1024u

START_TEST(test_no_limits)
{
	uint64_t held = 0;

	ck_assert(budget_take(NULL, &held, 1ull << 40, false));
	ck_assert(budget_take(NULL, &held, 1ull << 40, false));
	ck_assert_uint_eq(held, 2ull << 40);
	ck_assert(!budget_tight(NULL, held));
	budget_give(NULL, &held, 2ull << 40);
	ck_assert_uint_eq(held, 0);

	/* zero limits are no limits */
	struct iscsi_limits l = { 0 };

	ck_assert(budget_take(&l, &held, 1ull << 40, false));
	ck_assert(budget_take(&l, &held, 1ull << 40, false));
	ck_assert(!budget_tight(&l, held));
	ck_assert_uint_eq(l.io_memory_used, 2ull << 40);
}
END_TEST

START_TEST(test_session_limit)
{
	struct iscsi_limits l = { .session_io_memory = 64 * KIB };
	uint64_t held = 0;

	/* a session that holds nothing gets one command, however large */
	ck_assert(budget_take(&l, &held, 256 * KIB, false));
	ck_assert(budget_tight(&l, held));
	ck_assert(!budget_take(&l, &held, 4 * KIB, false));
	ck_assert_uint_eq(held, 256 * KIB);
	budget_give(&l, &held, 256 * KIB);
	ck_assert(!budget_tight(&l, held));
	/* up to the limit exactly, and not a byte more */
	ck_assert(budget_take(&l, &held, 32 * KIB, false));
	ck_assert(!budget_tight(&l, held));
	ck_assert(budget_take(&l, &held, 32 * KIB, false));
	ck_assert(budget_tight(&l, held));
	ck_assert(!budget_take(&l, &held, 1, false));
	ck_assert_uint_eq(held, 64 * KIB);
	ck_assert_uint_eq(l.io_memory_used, 64 * KIB);
	ck_assert_uint_eq(l.io_memory_peak, 256 * KIB);
}
END_TEST

START_TEST(test_daemon_limit)
{
	struct iscsi_limits l = { .io_memory = 100 * KIB };
	uint64_t a = 0, b = 0, c = 0;

	ck_assert(budget_take(&l, &a, 60 * KIB, false));
	ck_assert(budget_take(&l, &b, 30 * KIB, false));
	ck_assert(!budget_take(&l, &a, 20 * KIB, false));
	ck_assert(budget_take(&l, &b, 10 * KIB, false));
	ck_assert_uint_eq(l.io_memory_used, 100 * KIB);
	/* the daemon is full: who holds something is held back, who holds nothing is not */
	ck_assert(budget_tight(&l, a));
	ck_assert(budget_tight(&l, b));
	ck_assert(!budget_tight(&l, c));
	/* and gets its one command, so that no session is starved by the others */
	ck_assert(budget_take(&l, &c, 50 * KIB, false));
	ck_assert(!budget_take(&l, &c, 1, false));
	ck_assert_uint_eq(l.io_memory_used, 150 * KIB);
	ck_assert_uint_eq(l.io_memory_peak, 150 * KIB);
	budget_give(&l, &a, 60 * KIB);
	budget_give(&l, &c, 50 * KIB);
	ck_assert_uint_eq(l.io_memory_used, 40 * KIB);
	ck_assert(!budget_tight(&l, b));
	ck_assert(budget_take(&l, &b, 60 * KIB, false));
	ck_assert_uint_eq(b, 100 * KIB);
}
END_TEST

/* Data already on its way is charged whatever the limits, and counts against them. */
START_TEST(test_forced)
{
	struct iscsi_limits l = { .io_memory = 100 * KIB, .session_io_memory = 10 * KIB };
	uint64_t a = 0, b = 0;

	ck_assert(budget_take(&l, &a, 10 * KIB, false));
	ck_assert(budget_take(&l, &a, 200 * KIB, true));
	ck_assert_uint_eq(a, 210 * KIB);
	ck_assert(budget_tight(&l, a));
	ck_assert(budget_take(&l, &b, 1 * KIB, false));
	ck_assert(!budget_take(&l, &b, 1 * KIB, false));
	budget_give(&l, &a, 210 * KIB);
	budget_give(&l, &b, 1 * KIB);
	ck_assert_uint_eq(l.io_memory_used, 0);
	ck_assert_uint_eq(l.io_memory_peak, 211 * KIB);
}
END_TEST

/* A limit lowered while sessions hold more: they are held back until they are under it. */
START_TEST(test_limit_lowered)
{
	struct iscsi_limits l = { .session_io_memory = 1024 * KIB };
	uint64_t held = 0;

	ck_assert(budget_take(&l, &held, 512 * KIB, false));
	__atomic_store_n(&l.session_io_memory, 128 * KIB, __ATOMIC_RELAXED);
	ck_assert(budget_tight(&l, held));
	ck_assert(!budget_take(&l, &held, 4 * KIB, false));
	budget_give(&l, &held, 512 * KIB);
	ck_assert(!budget_tight(&l, held));
}
END_TEST

#define THREAD_ROUNDS 50000

static struct iscsi_limits shared = { .io_memory = 64 * KIB };

static void *charge(void *arg)
{
	uint64_t held = 0;
	unsigned long *granted = arg;

	for (int i = 0; i < THREAD_ROUNDS; i++) {
		/* every thread holds something, so the daemon's limit binds all of them */
		if (!held)
			ck_assert(budget_take(&shared, &held, 4 * KIB, false));
		if (budget_take(&shared, &held, 4 * KIB, false)) {
			(*granted)++;
			ck_assert_uint_le(__atomic_load_n(&shared.io_memory_used, __ATOMIC_RELAXED),
					  64 * KIB + 4 * 4 * KIB);
			budget_give(&shared, &held, 4 * KIB);
		}
	}
	budget_give(&shared, &held, held);
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t t[4];
	unsigned long granted[4] = { 0 };

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, charge, &granted[i]), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	ck_assert_uint_eq(shared.io_memory_used, 0);
	ck_assert_uint_le(shared.io_memory_peak, 64 * KIB);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_gt(granted[i], 0);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsi budget");
	TCase *tc = tcase_create("accounts");

	tcase_add_test(tc, test_no_limits);
	tcase_add_test(tc, test_session_limit);
	tcase_add_test(tc, test_daemon_limit);
	tcase_add_test(tc, test_forced);
	tcase_add_test(tc, test_limit_lowered);
	tcase_add_test(tc, test_threads);
	/* four threads contending on two loaded cores (and under ASan): Check's 4 s is not enough */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

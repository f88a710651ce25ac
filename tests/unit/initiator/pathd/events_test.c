/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pathd's recent events: numbering, the ring overtaken, a reader ahead of a restarted daemon. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "initiator/pathd/events.h"
#include "tests/unit/check_main.h"

static void add_n(struct pd_events *e, int from, int to)
{
	char text[32];

	for (int i = from; i <= to; i++) {
		snprintf(text, sizeof(text), "event %d", i);
		pd_events_add(e, 1000 + i, LOG_LEVEL_INFO, "pathd", text);
	}
}

START_TEST(test_since)
{
	struct pd_events *e;
	struct pd_event out[8];
	uint64_t next, lost;
	size_t n;

	ck_assert_int_eq(pd_events_create(0, &e), -EINVAL);
	ck_assert_int_eq(pd_events_create(4, &e), 0);
	n = pd_events_since(e, 0, out, 8, &next, &lost);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(next, 0);
	add_n(e, 1, 3);
	n = pd_events_since(e, 0, out, 8, &next, &lost);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[0].seq, 1);
	ck_assert_str_eq(out[2].text, "event 3");
	ck_assert_str_eq(out[2].comp, "pathd");
	ck_assert_int_eq(out[2].wall_ms, 1003);
	ck_assert_uint_eq(next, 3);
	ck_assert_uint_eq(lost, 0);
	/* at most max, then the rest */
	n = pd_events_since(e, 0, out, 2, &next, &lost);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(next, 2);
	n = pd_events_since(e, next, out, 2, &next, &lost);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0].seq, 3);
	/* overtaken: 1-6 added to a ring of 4 (it holds 3-6); a reader at 1 lost 2 */
	add_n(e, 4, 6);
	n = pd_events_since(e, 1, out, 8, &next, &lost);
	ck_assert_uint_eq(lost, 1);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(out[0].seq, 3);
	ck_assert_str_eq(out[0].text, "event 3");
	ck_assert_uint_eq(next, 6);
	/* a reader ahead (the daemon restarted): nothing, and where to start again */
	n = pd_events_since(e, 99, out, 8, &next, &lost);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(next, 6);
	ck_assert_uint_eq(lost, 0);
	pd_events_destroy(e);
}
END_TEST

/* A long line is cut, not overflowed; the tap stamps the wall clock. */
START_TEST(test_long_text_and_tap)
{
	struct pd_events *e;
	struct pd_event out[1];
	char text[PD_EVENT_TEXT_MAX * 2];
	uint64_t next, lost;

	ck_assert_int_eq(pd_events_create(2, &e), 0);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	pd_events_tap(e, LOG_LEVEL_WARN, "a-component-name-too-long", text);
	ck_assert_uint_eq(pd_events_since(e, 0, out, 1, &next, &lost), 1);
	ck_assert_uint_eq(strlen(out[0].text), PD_EVENT_TEXT_MAX - 1);
	ck_assert_uint_eq(strlen(out[0].comp), PD_EVENT_COMP_MAX - 1);
	ck_assert_int_eq(out[0].level, LOG_LEVEL_WARN);
	ck_assert_int_gt(out[0].wall_ms, 1700000000000LL);
	pd_events_destroy(e);
}
END_TEST

static void *adder(void *arg)
{
	add_n(arg, 1, 1000);
	return NULL;
}

/* Two threads adding: every number once. */
START_TEST(test_threads)
{
	static struct pd_event out[2000];
	struct pd_events *e;
	pthread_t t;
	uint64_t next, lost;
	size_t n;

	ck_assert_int_eq(pd_events_create(2000, &e), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, adder, e), 0);
	add_n(e, 1, 1000);
	pthread_join(t, NULL);
	n = pd_events_since(e, 0, out, 2000, &next, &lost);
	ck_assert_uint_eq(n, 2000);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(out[i].seq, i + 1);
	pd_events_destroy(e);
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("pathd_events");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, test_since);
	tcase_add_test(tc, test_long_text_and_tap);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(events_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The auth guard (target/iscsi/authguard.c) on a fake clock: delays that
 * double to their cap, a lockout of a name at a target after a run,
 * refusals while it lasts and their count, an address held by the names
 * and targets that fail from it, runs forgotten after a quiet while or
 * ended by a login that authenticates, one log line a run, a full table
 * that keeps its lockouts, and a guard turned off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "target/iscsi/authguard.h"
#include "tests/unit/check_main.h"

#define A "iqn.2026-11.org.example:kvm1"
#define B "iqn.2026-11.org.example:kvm2"
#define C "iqn.2026-11.org.example:kvm3"
#define T "iqn.2026-11.org.example:storage1"
#define T2 "iqn.2026-11.org.example:storage2"

static const struct authguard_policy policy = {
	.enabled = true,
	.delay_ms = 100,
	.delay_max_ms = 800,
	.lockout_failures = 6,
	.lockout_ms = 60000,
};

static struct authguard *g;
static FILE *log_file; /* stderr, where the log goes, while a test runs */

static void setup(void)
{
	ck_assert_int_eq(authguard_create(&policy, &g), 0);
	log_init("authguard_test");
	log_set_level(LOG_LEVEL_INFO);
	fflush(stderr);
	log_file = tmpfile();
	ck_assert_ptr_nonnull(log_file);
	ck_assert_int_ge(dup2(fileno(log_file), STDERR_FILENO), 0);
}

static void teardown(void)
{
	authguard_destroy(g);
	fclose(log_file);
}

/* How many lines of the log so far hold text. */
static int logged(const char *text)
{
	char line[1024];
	int n = 0;

	fflush(stderr);
	rewind(log_file);
	while (fgets(line, sizeof(line), log_file))
		n += strstr(line, text) != NULL;
	fseek(log_file, 0, SEEK_END);
	return n;
}

static uint32_t guard_fail(const char *ini, const char *addr, int64_t now, bool *log)
{
	return authguard_failed(g, ini, T, addr, now, log);
}

static bool locked(const char *ini, const char *tgt, const char *addr, int64_t now, char *who)
{
	uint32_t delay = 0;
	bool l = authguard_locked(g, ini, tgt, addr, now, &delay, who, who ? 256 : 0);

	if (l)
		ck_assert_uint_eq(delay, policy.delay_max_ms);
	return l;
}

START_TEST(test_delays_double_to_their_cap)
{
	const uint32_t want[] = { 100, 200, 400, 800, 800 };
	bool log;

	for (size_t i = 0; i < 5; i++) {
		ck_assert_uint_eq(guard_fail(A, "192.0.2.1", (int64_t)i * 1000, &log), want[i]);
		/* the first of the run is the caller's to log, with its reason; no other */
		ck_assert(log == (i == 0));
	}
	ck_assert_int_eq(logged("locked out"), 0);
}
END_TEST

/* A name at a target is locked out after a run; its other targets and other names are not. */
START_TEST(test_lockout)
{
	struct authguard_stats st;
	char who[256] = "";
	bool log;

	for (int i = 0; i < 5; i++) {
		guard_fail(A, "192.0.2.1", i, &log);
		ck_assert(!locked(A, T, "192.0.2.1", i, who));
	}
	guard_fail(A, "192.0.2.1", 10, &log);
	/* from any address: the name at that target */
	ck_assert(locked(A, T, "192.0.2.9", 20, who));
	ck_assert_str_eq(who, "initiator '" A "' at '" T "'");
	ck_assert_int_eq(logged("auth guard: initiator '" A "' at '" T "': 6 failed logins in a row (the last from 192.0.2.1): locked out for 60 s"), 1);
	/* its logins elsewhere, the others' here, the address: no lockout */
	ck_assert(!locked(A, T2, "192.0.2.1", 20, NULL));
	ck_assert(!locked(A, NULL, "192.0.2.1", 20, NULL));
	ck_assert(!locked(B, T, "192.0.2.1", 20, NULL));
	ck_assert_int_eq(logged("auth guard: address"), 0);
	authguard_get_stats(g, &st);
	ck_assert_uint_eq(st.failures, 6);
	ck_assert_uint_eq(st.lockouts, 1);
	ck_assert_uint_eq(st.refused, 1);

	/* still locked a moment before the end, not at the end */
	ck_assert(locked(A, T, "192.0.2.9", 10 + 59999, NULL));
	ck_assert(!locked(A, T, "192.0.2.9", 10 + 60000, NULL));
	ck_assert_int_eq(logged("auth guard: initiator '" A "' at '" T "': no longer locked out (6 failed logins, 2 refused meanwhile)"), 1);
	/* a new run: short delays again, its first failure logged */
	ck_assert_uint_eq(guard_fail(A, "192.0.2.1", 70000, &log), 100);
	ck_assert(log);
}
END_TEST

/*
 * An address is held by the different names and targets that fail from
 * it: a guesser that changes names is locked out, a host that keeps
 * retrying one wrong secret is not.
 */
START_TEST(test_address)
{
	char name[64], who[256] = "";
	uint32_t delay;
	bool log;

	/* one pair over and over: the address's run stays at one */
	for (int i = 0; i < 20; i++)
		authguard_failed(g, B, T2, "192.0.2.5", i, &log);
	ck_assert(!locked(C, T, "192.0.2.5", 30, NULL));
	/* many names from one address */
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "iqn.2026-11.org.example:guess%d", i);
		delay = authguard_failed(g, name, NULL, "192.0.2.7", 100 + i, &log);
		ck_assert(log); /* a new name each time: the first of its run */
	}
	/* the address's delays grow with them: the sixth of its run */
	ck_assert_uint_eq(delay, 800);
	ck_assert(locked(A, T, "192.0.2.7", 110, who));
	ck_assert_str_eq(who, "address 192.0.2.7");
	ck_assert(locked("", NULL, "192.0.2.7", 110, NULL));
	ck_assert_int_eq(logged("auth guard: address 192.0.2.7: 6 failed logins for different initiators or targets (the last as initiator 'iqn.2026-11.org.example:guess5'): locked out for 60 s"), 1);
	ck_assert(!locked(A, T, "192.0.2.8", 110, NULL));
	/* discovery is a target of its own */
	for (int i = 0; i < 6; i++)
		authguard_failed(g, C, NULL, "198.51.100.1", 200 + i, &log);
	ck_assert(locked(C, NULL, "203.0.113.1", 210, who));
	ck_assert_str_eq(who, "initiator '" C "' for discovery");
	ck_assert(!locked(C, T, "203.0.113.1", 210, NULL));
}
END_TEST

START_TEST(test_quiet_while_forgets)
{
	bool log;

	guard_fail(A, "192.0.2.1", 0, &log);
	guard_fail(A, "192.0.2.1", 1000, &log);
	ck_assert_uint_eq(guard_fail(A, "192.0.2.1", 2000, &log), 400);
	/* the run ends lockout_ms after its last failure, with its count */
	authguard_sweep(g, 2000 + 59999);
	ck_assert_int_eq(logged("3 failed logins in a row"), 0);
	authguard_sweep(g, 2000 + 60000);
	ck_assert_int_eq(logged("auth guard: initiator '" A "' at '" T "': 3 failed logins in a row, the last 60 s ago"), 1);
	/* the address saw one pair: no count to give */
	ck_assert_int_eq(logged("auth guard: address"), 0);
	ck_assert_uint_eq(authguard_list(g, 70000, NULL, 0), 0);
	ck_assert_uint_eq(guard_fail(A, "192.0.2.1", 70000, &log), 100);
	ck_assert(log);
}
END_TEST

START_TEST(test_success_ends_the_run)
{
	bool log;

	guard_fail(A, "192.0.2.1", 0, &log);
	guard_fail(A, "192.0.2.1", 1, &log);
	authguard_succeeded(g, A, T, 2);
	ck_assert_int_eq(logged("auth guard: initiator '" A "' at '" T "': authenticated after 2 failed login(s)"), 1);
	/* the address's run is not the name's to end */
	ck_assert_uint_eq(authguard_list(g, 3, NULL, 0), 1);
	ck_assert_uint_eq(guard_fail(A, "192.0.2.1", 3, &log), 100);
	ck_assert(log);
}
END_TEST

START_TEST(test_list)
{
	struct authguard_info info[4];
	bool log;

	guard_fail(B, "192.0.2.2", 0, &log);
	for (int i = 0; i < 6; i++)
		guard_fail(A, "192.0.2.1", 1000 + i, &log);
	locked(A, T, "192.0.2.3", 2000, NULL);
	ck_assert_uint_eq(authguard_list(g, 5000, info, 4), 4);
	/* locked out first: A at T */
	ck_assert(!info[0].address);
	ck_assert_str_eq(info[0].key, A);
	ck_assert_str_eq(info[0].target, T);
	ck_assert_int_eq(info[0].locked_ms, 1005 + 60000 - 5000);
	ck_assert_uint_eq(info[0].failures, 6);
	ck_assert_uint_eq(info[0].refused, 1);
	ck_assert_int_eq(info[0].last_ms, 5000 - 1005);
	for (int i = 1; i < 4; i++) {
		ck_assert_int_eq(info[i].locked_ms, 0);
		ck_assert_uint_eq(info[i].failures, 1);
	}
	/* a short buffer: the count of them all */
	ck_assert_uint_eq(authguard_list(g, 5000, info, 1), 4);
}
END_TEST

/* An attacker that fills the table with one-off names cannot wash a lockout out of it. */
START_TEST(test_full_table_keeps_lockouts)
{
	char name[64], addr[32];
	bool log;

	for (int i = 0; i < 6; i++)
		guard_fail(A, "192.0.2.1", i, &log);
	for (int i = 0; i < AUTHGUARD_MAX * 2; i++) {
		snprintf(name, sizeof(name), "iqn.2026-11.org.example:x%d", i);
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
		guard_fail(name, addr, 100 + i, &log);
	}
	ck_assert_uint_eq(authguard_list(g, 20000, NULL, 0), AUTHGUARD_MAX);
	ck_assert(locked(A, T, "192.0.2.200", 20000, NULL));
}
END_TEST

/* Off: nothing is counted or delayed, every failure is the caller's to log. */
START_TEST(test_off)
{
	struct authguard_policy off = policy;
	uint32_t delay = 0;
	bool log;

	for (int i = 0; i < 6; i++)
		guard_fail(A, "192.0.2.1", i, &log);
	off.enabled = false;
	authguard_set_policy(g, &off);
	ck_assert(!authguard_locked(g, A, T, "192.0.2.1", 10, &delay, NULL, 0));
	for (int i = 0; i < 20; i++) {
		ck_assert_uint_eq(guard_fail(A, "192.0.2.1", 20 + i, &log), 0);
		ck_assert(log);
	}
	ck_assert_uint_eq(authguard_list(g, 100, NULL, 0), 0);
	/* on again: from nothing */
	authguard_set_policy(g, &policy);
	ck_assert_uint_eq(guard_fail(A, "192.0.2.1", 200, &log), 100);
	ck_assert(log);
	/* no guard at all (a transport's test): the same as off */
	ck_assert_uint_eq(authguard_failed(NULL, A, T, "192.0.2.1", 0, &log), 0);
	ck_assert(log);
	ck_assert(!authguard_locked(NULL, A, T, "192.0.2.1", 0, &delay, NULL, 0));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsi authguard");
	TCase *tc = tcase_create("guard");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_delays_double_to_their_cap);
	tcase_add_test(tc, test_lockout);
	tcase_add_test(tc, test_quiet_while_forgets);
	tcase_add_test(tc, test_success_ends_the_run);
	tcase_add_test(tc, test_address);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_full_table_keeps_lockouts);
	tcase_add_test(tc, test_off);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

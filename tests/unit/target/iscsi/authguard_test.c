/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The auth guard (target/iscsi/authguard.c) on a fake clock: delays that
 * double to their cap, a lockout after a run, refusals while it lasts and
 * their count, runs forgotten after a quiet while or ended by a login that
 * authenticates, one log line a run, names and addresses kept apart, a
 * full table that keeps its lockouts, and a guard turned off.
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
	return authguard_failed(g, ini, addr, now, log);
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

START_TEST(test_lockout)
{
	struct authguard_stats st;
	char who[256] = "";
	uint32_t delay = 0;
	bool log;

	for (int i = 0; i < 5; i++) {
		guard_fail(A, "192.0.2.1", i, &log);
		ck_assert(!authguard_locked(g, A, "192.0.2.1", i, &delay, who, sizeof(who)));
	}
	guard_fail(A, "192.0.2.1", 10, &log);
	/* the name and the address both: either locks a login out, before it proves anything */
	ck_assert(authguard_locked(g, A, "192.0.2.9", 20, &delay, who, sizeof(who)));
	ck_assert_str_eq(who, "initiator '" A "'");
	ck_assert_uint_eq(delay, 800);
	ck_assert(authguard_locked(g, "", "192.0.2.1", 20, &delay, who, sizeof(who)));
	ck_assert_str_eq(who, "address 192.0.2.1");
	ck_assert(authguard_locked(g, B, "192.0.2.1", 20, &delay, NULL, 0));
	ck_assert_int_eq(logged("auth guard: initiator '" A "': 6 failed logins in a row (the last from 192.0.2.1): locked out for 60 s"), 1);
	ck_assert_int_eq(logged("auth guard: address 192.0.2.1: 6 failed logins in a row (the last as initiator '" A "'): locked out for 60 s"), 1);
	/* another name from another address: untouched */
	ck_assert(!authguard_locked(g, B, "192.0.2.2", 20, &delay, NULL, 0));
	authguard_get_stats(g, &st);
	ck_assert_uint_eq(st.failures, 6);
	ck_assert_uint_eq(st.lockouts, 2);
	ck_assert_uint_eq(st.refused, 3);

	/* still locked a moment before the end, not at the end */
	ck_assert(authguard_locked(g, A, "192.0.2.9", 10 + 59999, &delay, NULL, 0));
	ck_assert(!authguard_locked(g, A, "192.0.2.9", 10 + 60000, &delay, NULL, 0));
	ck_assert_int_eq(logged("auth guard: initiator '" A "': no longer locked out (6 failed logins, 2 refused meanwhile)"), 1);
	authguard_sweep(g, 10 + 60000);
	ck_assert_int_eq(logged("auth guard: address 192.0.2.1: no longer locked out (6 failed logins, 2 refused meanwhile)"), 1);
	/* a new run: short delays again, its first failure logged */
	ck_assert_uint_eq(guard_fail(A, "192.0.2.1", 70000, &log), 100);
	ck_assert(log);
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
	ck_assert_int_eq(logged("auth guard: initiator '" A "': 3 failed logins in a row, the last 60 s ago"), 1);
	ck_assert_int_eq(logged("auth guard: address 192.0.2.1: 3 failed logins in a row"), 1);
	ck_assert_uint_eq(authguard_list(g, 70000, NULL, 0), 0);
	ck_assert_uint_eq(guard_fail(A, "192.0.2.1", 70000, &log), 100);
	ck_assert(log);
	/* a single failure is logged by the caller, and needs no count */
	authguard_sweep(g, 200000);
	ck_assert_int_eq(logged("1 failed login"), 0);
}
END_TEST

START_TEST(test_success_ends_the_run)
{
	bool log;

	guard_fail(A, "192.0.2.1", 0, &log);
	guard_fail(A, "192.0.2.1", 1, &log);
	authguard_succeeded(g, A, "192.0.2.1", 2);
	ck_assert_int_eq(logged("auth guard: initiator '" A "': authenticated after 2 failed login(s)"), 1);
	ck_assert_uint_eq(authguard_list(g, 3, NULL, 0), 0);
	ck_assert_uint_eq(guard_fail(A, "192.0.2.1", 3, &log), 100);
	ck_assert(log);
}
END_TEST

/* Names and addresses have their own runs: a guesser that changes one is held by the other. */
START_TEST(test_names_and_addresses)
{
	char name[64], addr[32];
	uint32_t delay;
	bool log;

	/* many names from one address */
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "iqn.2026-11.org.example:guess%d", i);
		guard_fail(name, "192.0.2.7", i, &log);
		ck_assert(log); /* a new name each time: each the first of its run */
	}
	ck_assert(authguard_locked(g, A, "192.0.2.7", 10, &delay, NULL, 0));
	/* one name from many addresses */
	for (int i = 0; i < 6; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%d", i);
		guard_fail(B, addr, 100 + i, &log);
	}
	ck_assert(authguard_locked(g, B, "203.0.113.1", 110, &delay, NULL, 0));
	/* a login that has not named itself yet: its address only */
	ck_assert(!authguard_locked(g, "", "203.0.113.1", 110, &delay, NULL, 0));
	guard_fail("", "203.0.113.1", 120, &log);
	ck_assert_uint_eq(authguard_list(g, 130, NULL, 0), 2 + 6 + 6 + 1);
}
END_TEST

START_TEST(test_list)
{
	struct authguard_info info[4];
	bool log;

	guard_fail(B, "192.0.2.2", 0, &log);
	for (int i = 0; i < 6; i++)
		guard_fail(A, "192.0.2.1", 1000 + i, &log);
	authguard_locked(g, A, "192.0.2.3", 2000, &(uint32_t){ 0 }, NULL, 0);
	ck_assert_uint_eq(authguard_list(g, 5000, info, 4), 4);
	/* locked out first: A and 192.0.2.1, then B's run and its address */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(info[i].locked_ms, 1005 + 60000 - 5000);
		ck_assert_uint_eq(info[i].failures, 6);
		ck_assert_int_eq(info[i].last_ms, 5000 - 1005);
	}
	{
		const struct authguard_info *name = info[0].address ? &info[1] : &info[0];
		const struct authguard_info *addr = info[0].address ? &info[0] : &info[1];

		ck_assert(!name->address && addr->address);
		ck_assert_str_eq(name->key, A);
		ck_assert_str_eq(addr->key, "192.0.2.1");
		/* the refusal of A from 192.0.2.3 was A's */
		ck_assert_uint_eq(name->refused, 1);
		ck_assert_uint_eq(addr->refused, 0);
	}
	for (int i = 2; i < 4; i++) {
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
	ck_assert(authguard_locked(g, A, "192.0.2.200", 20000, &(uint32_t){ 0 }, NULL, 0));
	ck_assert(authguard_locked(g, B, "192.0.2.1", 20000, &(uint32_t){ 0 }, NULL, 0));
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
	ck_assert(!authguard_locked(g, A, "192.0.2.1", 10, &delay, NULL, 0));
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
	ck_assert_uint_eq(authguard_failed(NULL, A, "192.0.2.1", 0, &log), 0);
	ck_assert(log);
	ck_assert(!authguard_locked(NULL, A, "192.0.2.1", 0, &delay, NULL, 0));
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
	tcase_add_test(tc, test_names_and_addresses);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_full_table_keeps_lockouts);
	tcase_add_test(tc, test_off);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission of connections (target/iscsi/admit.c): the limits in all and
 * per address, connections given back, limits changed while they run, the
 * refusals logged once every ten seconds with their count; and through
 * iscsi_conn_start, a connection over the limit closed before it is read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/log.h"
#include "target/iscsi/iscsi_int.h"
#include "tests/unit/check_main.h"

static struct iscsi_limits l;
static FILE *log_file; /* stderr, where the log goes, while a test runs */

static void setup(void)
{
	ck_assert_int_eq(iscsi_limits_init(&l), 0);
	log_init("admit_test");
	fflush(stderr);
	log_file = tmpfile();
	ck_assert_ptr_nonnull(log_file);
	ck_assert_int_ge(dup2(fileno(log_file), STDERR_FILENO), 0);
}

static void teardown(void)
{
	iscsi_limits_fini(&l);
	fclose(log_file);
}

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

START_TEST(test_no_limits)
{
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(admit_take(&l, "192.0.2.1"), 0);
	ck_assert_uint_eq(iscsi_limits_connections(&l, NULL), 1000);
	ck_assert_uint_eq(iscsi_limits_connections(&l, "192.0.2.1"), 1000);
	for (int i = 0; i < 1000; i++)
		admit_give(&l, "192.0.2.1");
	ck_assert_uint_eq(iscsi_limits_connections(&l, NULL), 0);
	/* without a table nothing is counted, nothing refused */
	struct iscsi_limits none = { .max_connections = 1 };

	ck_assert_int_eq(admit_take(&none, "192.0.2.1"), 0);
	ck_assert_int_eq(admit_take(&none, "192.0.2.1"), 0);
	ck_assert_int_eq(admit_take(NULL, "192.0.2.1"), 0);
}
END_TEST

START_TEST(test_per_address)
{
	l.max_connections_per_address = 3;
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(admit_take(&l, "192.0.2.1"), 0);
	ck_assert_int_eq(admit_take(&l, "192.0.2.1"), -EUSERS);
	/* another address is another count */
	ck_assert_int_eq(admit_take(&l, "2001:db8::1"), 0);
	ck_assert_int_eq(admit_take(&l, "192.0.2.2"), 0);
	admit_give(&l, "192.0.2.1");
	ck_assert_int_eq(admit_take(&l, "192.0.2.1"), 0);
	ck_assert_int_eq(admit_take(&l, "192.0.2.1"), -EUSERS);
	ck_assert_uint_eq(l.connections_refused, 2);
	ck_assert_uint_eq(iscsi_limits_connections(&l, "192.0.2.1"), 3);
	ck_assert_uint_eq(iscsi_limits_connections(&l, "192.0.2.9"), 0);
	ck_assert_uint_eq(iscsi_limits_connections(&l, NULL), 5);
	/* one line for both refusals: the second came within ten seconds */
	ck_assert_int_eq(logged("connection from 192.0.2.1 refused: 3 from that address already (max_connections_per_address); 1 refused since the last report"), 1);
	ck_assert_int_eq(logged("refused"), 1);
}
END_TEST

START_TEST(test_total)
{
	char addr[32];

	l.max_connections = 10;
	for (int i = 0; i < 10; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%d", i);
		ck_assert_int_eq(admit_take(&l, addr), 0);
	}
	ck_assert_int_eq(admit_take(&l, "203.0.113.1"), -EUSERS);
	ck_assert_int_eq(logged("connection from 203.0.113.1 refused: 10 connections already (max_connections)"), 1);
	admit_give(&l, "198.51.100.3");
	ck_assert_int_eq(admit_take(&l, "203.0.113.1"), 0);
	/* a limit lowered below what runs: nothing is closed, nothing more let in */
	__atomic_store_n(&l.max_connections, 5, __ATOMIC_RELAXED);
	ck_assert_int_eq(admit_take(&l, "203.0.113.2"), -EUSERS);
	ck_assert_uint_eq(iscsi_limits_connections(&l, NULL), 10);
}
END_TEST

/* Through the transport: the connection over the limit is closed, unread; the others work. */
START_TEST(test_conn_start_refused)
{
	static const struct iscsi_env_ops no_ops;
	const struct iscsi_env env = { .ops = &no_ops, .limits = &l };
	struct ev_loop *loop;
	int a[2], b[2];
	char c;

	ck_assert_int_eq(ev_loop_create(&loop), 0);
	l.max_connections_per_address = 1;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, a[1], &env), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, b[1], &env), -EUSERS);
	/* its end is closed at once */
	ck_assert_int_eq(recv(b[0], &c, 1, MSG_DONTWAIT), 0);
	ck_assert_uint_eq(iscsi_conn_count(), 1);
	/* the first one's end, and its place is free again */
	close(a[0]);
	for (int i = 0; i < 20 && iscsi_conn_count(); i++)
		ev_run_once(loop, 5);
	ck_assert_uint_eq(iscsi_conn_count(), 0);
	ck_assert_uint_eq(iscsi_limits_connections(&l, NULL), 0);
	close(b[0]);
	iscsi_close_all();
	ev_loop_destroy(loop);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsi admit");
	TCase *tc = tcase_create("admit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_no_limits);
	tcase_add_test(tc, test_per_address);
	tcase_add_test(tc, test_total);
	tcase_add_test(tc, test_conn_start_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

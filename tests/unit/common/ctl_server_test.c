/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control-socket server's limits, on a real loop and real sockets in a
 * temporary directory: silent clients cannot hold it shut (a newcomer
 * evicts the idlest when every slot is taken), idle clients are closed, a
 * request sent a byte at a time too slowly is closed, and a client that
 * works is never touched. The handler echoes the request's op.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/ctl_server.h"
#include "common/ev.h"
#include "tests/unit/check_main.h"

static char dir[64], path[96];
static struct ev_loop *loop;
static struct ctl_server *srv;
static unsigned int handled;

static void handle(void *arg, const struct ctl_request *req, struct ctl_reply *out)
{
	(void)arg;
	handled++;
	out->result = json_object_new_object();
	json_object_object_add(out->result, "op", json_object_new_string(req->op));
}

static void setup(void)
{
	struct ctl_server_limits l = { .max_clients = 4, .idle_ms = 1500, .request_ms = 1500 };
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/portico-ctlsrv.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_msg(!ctl_server_start(loop, path, "testd", &l, handle, NULL, &srv, err, sizeof(err)),
		      "%s", err);
	handled = 0;
}

static void teardown(void)
{
	ctl_server_stop(srv);
	ev_loop_destroy(loop);
	rmdir(dir);
}

static int client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Runs the loop for ms milliseconds. */
static void spin(int ms)
{
	int64_t end = ev_now_ms() + ms;

	while (ev_now_ms() < end)
		ck_assert_int_ge(ev_run_once(loop, 20), 0);
}

/* Whether the server closed fd (EOF, or a reset, within the loop's next 50 ms). */
static bool closed(int fd)
{
	char b[4096];
	ssize_t n;

	spin(50);
	for (;;) {
		n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (n > 0)
			continue; /* an error answer before the close */
		return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
	}
}

/* Sends a request and waits (bounded) for its answer line; whether it came. */
static bool call(int fd, const char *op)
{
	char req[256], b[4096];
	size_t got = 0;
	int n;

	n = ctl_request_build(req, sizeof(req), 1, op, "/", NULL);
	ck_assert_int_gt(n, 0);
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n)
		return false;
	for (int i = 0; i < 100; i++) {
		ssize_t r;

		spin(20);
		r = recv(fd, b + got, sizeof(b) - 1 - got, MSG_DONTWAIT);
		if (r > 0)
			got += (size_t)r;
		if (got && b[got - 1] == '\n')
			return strstr(b, op) != NULL;
		if (r == 0)
			return false;
	}
	return false;
}

/* Four silent clients hold every slot: an administrator still gets in. */
START_TEST(test_full_evicts_the_idlest)
{
	int fds[4], admin, i;

	for (i = 0; i < 4; i++) {
		fds[i] = client();
		spin(30); /* accepted one by one: fds[0] is the idlest */
	}
	admin = client();
	ck_assert(call(admin, "status"));
	ck_assert(closed(fds[0]));
	for (i = 1; i < 4; i++)
		ck_assert(!closed(fds[i]));
	for (i = 0; i < 4; i++)
		close(fds[i]);
	close(admin);
}
END_TEST

/* An idle client is closed after idle_ms; a working one is not. */
START_TEST(test_idle_closed_working_kept)
{
	int idle = client(), busy = client();

	for (int i = 0; i < 6; i++) {
		ck_assert(call(busy, "get"));
		spin(400);
	}
	/* 2.4 s have passed: the idle one is gone (1.5 s, checked every second) */
	ck_assert(closed(idle));
	ck_assert(!closed(busy));
	ck_assert(call(busy, "get"));
	close(idle);
	close(busy);
}
END_TEST

/* A request dribbled a byte now and then is closed after request_ms, unanswered. */
START_TEST(test_slow_request_closed)
{
	const char *req = "{\"v\":1,\"id\":1,\"op\":\"get\",\"path\":\"/\"}\n";
	int fd = client();
	size_t i;

	/* 1.2 s of it: not closed yet; by 2.5 s (1.5 s, checked every second) it is */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(send(fd, req + i, 1, MSG_NOSIGNAL), 1);
		spin(400);
	}
	ck_assert(!closed(fd));
	spin(1300);
	ck_assert(closed(fd));
	ck_assert_uint_eq(handled, 0);
	close(fd);
}
END_TEST

static Suite *ctl_server_suite(void)
{
	Suite *s = suite_create("common/ctl_server");
	TCase *tc = tcase_create("limits");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_full_evicts_the_idlest);
	tcase_add_test(tc, test_idle_closed_working_kept);
	tcase_add_test(tc, test_slow_request_closed);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ctl_server_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The child runner (initiator/adapt/child.c) on a real loop, with /bin/sh
 * as the child: exit statuses, output through one pipe (bounded), stdin
 * /dev/null, the timeout's kill, signals, a program that cannot run,
 * descriptors that must not leak, the runner destroyed while children run
 * (no callback, nothing left unreaped). Every wait is bounded.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ev.h"
#include "initiator/adapt/child.h"
#include "tests/unit/check_main.h"

static struct ev_loop *loop;
static struct child_runner *runner;
static char dir[] = "/tmp/child_test.XXXXXX";

struct rec {
	int calls;
	int status, signal;
	bool timed_out;
	char out[CHILD_OUT_MAX + 1];
	size_t len, dropped;
	bool inside; /* set around child_run(): a callback inside it would see it */
};

static bool in_call;

static void setup(void)
{
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_int_eq(child_runner_create(loop, &runner), 0);
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/child_test.XXXXXX")));
}

static void teardown(void)
{
	char cmd[128];

	child_runner_destroy(runner);
	runner = NULL;
	ev_loop_destroy(loop);
	loop = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void record_cb(void *arg, const struct child_result *res)
{
	struct rec *r = arg;

	r->inside = in_call;
	r->calls++;
	r->status = res->status;
	r->signal = res->signal;
	r->timed_out = res->timed_out;
	ck_assert_uint_le(res->len, CHILD_OUT_MAX);
	ck_assert_int_eq(res->out[res->len], '\0');
	memcpy(r->out, res->out, res->len + 1);
	r->len = res->len;
	r->dropped = res->dropped;
}

/* sh -c script, timeout_ms; the run's pid into *pid (may be NULL). */
static void run_sh(const char *script, unsigned int timeout_ms, struct rec *r, pid_t *pid)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct child *c;

	in_call = true;
	ck_assert_int_eq(child_run(runner, argv, timeout_ms, record_cb, r, &c), 0);
	in_call = false;
	ck_assert_int_eq(r->calls, 0); /* never inside the call */
	if (pid)
		*pid = child_pid(c);
}

/* Runs the loop until *count reaches want (failing after limit_ms). */
static void run_until(const int *count, int want, int limit_ms)
{
	int64_t start = ev_now_ms();

	while (*count < want) {
		ck_assert_msg(ev_now_ms() - start < limit_ms, "only %d of %d after %d ms", *count,
			      want, limit_ms);
		ck_assert_int_eq(ev_run_once(loop, 10), 0);
	}
}

/* Runs the loop for ms more (a second callback would show). */
static void run_for(int ms)
{
	int64_t end = ev_now_ms() + ms;

	while (ev_now_ms() < end)
		ck_assert_int_eq(ev_run_once(loop, 5), 0);
}

/* pid is gone: not ours to wait for (reaped) and not there (or a zombie of someone else's). */
static void assert_gone(pid_t pid)
{
	char path[64], stat[256] = "";
	FILE *f;

	ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	/* reparented and killed, waiting for init to reap it: "pid (comm) Z ..." */
	ck_assert_ptr_nonnull(fgets(stat, sizeof(stat), f));
	fclose(f);
	ck_assert_ptr_nonnull(strstr(stat, ") Z "));
}

/* Reads a pid that a script wrote into dir/name, waiting for it at most 2 s. */
static pid_t read_pid(const char *name)
{
	char path[128];
	int64_t start = ev_now_ms();
	long pid = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (;;) {
		FILE *f = fopen(path, "r");

		if (f) {
			int n = fscanf(f, "%ld", &pid);

			fclose(f);
			if (n == 1 && pid > 0)
				return (pid_t)pid;
		}
		ck_assert_msg(ev_now_ms() - start < 2000, "no pid in %s", path);
		ev_run_once(loop, 10);
	}
}

START_TEST(test_exit_status_and_output)
{
	struct rec r = { 0 };
	pid_t pid;

	run_sh("echo out; echo err >&2; exit 3", 5000, &r, &pid);
	run_until(&r.calls, 1, 3000);
	run_for(50);
	ck_assert_int_eq(r.calls, 1);
	ck_assert(!r.inside);
	ck_assert_int_eq(r.status, 3);
	ck_assert_int_eq(r.signal, 0);
	ck_assert(!r.timed_out);
	ck_assert_str_eq(r.out, "out\nerr\n");
	ck_assert_uint_eq(r.dropped, 0);
	assert_gone(pid);
}
END_TEST

START_TEST(test_no_output)
{
	struct rec r = { 0 };

	run_sh("exit 0", 0, &r, NULL);
	run_until(&r.calls, 1, 3000);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.len, 0);
	ck_assert_str_eq(r.out, "");
}
END_TEST

/* stdin is /dev/null: a child that reads it ends at once. */
START_TEST(test_stdin_is_dev_null)
{
	struct rec r = { 0 };

	run_sh("cat; echo done", 5000, &r, NULL);
	run_until(&r.calls, 1, 3000);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "done\n");
}
END_TEST

START_TEST(test_timeout_kills_the_group)
{
	struct rec r = { 0 };
	char script[256];
	int64_t start = ev_now_ms();
	pid_t pid, bg;

	/* a child that started one of its own, both sleeping */
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s/bg; echo started; wait", dir);
	run_sh(script, 300, &r, &pid);
	bg = read_pid("bg");
	run_until(&r.calls, 1, 3000);
	ck_assert_int_lt(ev_now_ms() - start, 2500);
	ck_assert_int_ge(ev_now_ms() - start, 250);
	ck_assert(r.timed_out);
	ck_assert_int_eq(r.status, -1);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_str_eq(r.out, "started\n");
	assert_gone(pid);
	/* the group went too (a zombie until init reaps it, at most) */
	{
		int64_t t0 = ev_now_ms();

		while (kill(bg, 0) == 0) {
			char path[64], stat[256] = "";
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/stat", (int)bg);
			f = fopen(path, "r");
			if (f) {
				if (!fgets(stat, sizeof(stat), f))
					stat[0] = '\0';
				fclose(f);
			}
			if (strstr(stat, ") Z "))
				break;
			ck_assert_msg(ev_now_ms() - t0 < 2000, "the child's own child lives on");
			usleep(10000);
		}
	}
}
END_TEST

START_TEST(test_signal)
{
	struct rec r = { 0 };

	run_sh("kill -TERM $$; sleep 5", 10000, &r, NULL);
	run_until(&r.calls, 1, 3000);
	ck_assert(!r.timed_out);
	ck_assert_int_eq(r.status, -1);
	ck_assert_int_eq(r.signal, SIGTERM);
}
END_TEST

/* The daemon ignoring SIGTERM does not make the child ignore it. */
START_TEST(test_signals_reset)
{
	struct rec r = { 0 };

	signal(SIGTERM, SIG_IGN);
	run_sh("kill -TERM $$; sleep 5", 10000, &r, NULL);
	run_until(&r.calls, 1, 3000);
	signal(SIGTERM, SIG_DFL);
	ck_assert_int_eq(r.signal, SIGTERM);
}
END_TEST

START_TEST(test_output_bounded)
{
	struct rec r = { 0 };
	size_t i;

	run_sh("head -c 200000 /dev/zero | tr '\\0' x", 10000, &r, NULL);
	run_until(&r.calls, 1, 5000);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.len, CHILD_OUT_MAX);
	ck_assert_uint_eq(r.dropped, 200000 - CHILD_OUT_MAX);
	for (i = 0; i < r.len; i++)
		ck_assert_int_eq(r.out[i], 'x');
}
END_TEST

/* The end of a run is its exit, not the end of its output: a child of its own may keep the pipe. */
START_TEST(test_exit_not_eof)
{
	struct rec r = { 0 };
	char script[256];
	int64_t start = ev_now_ms();
	pid_t bg;

	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s/bg; echo hi; exit 4", dir);
	run_sh(script, 60000, &r, NULL);
	run_until(&r.calls, 1, 3000);
	ck_assert_int_lt(ev_now_ms() - start, 2000);
	ck_assert_int_eq(r.status, 4);
	ck_assert_str_eq(r.out, "hi\n");
	bg = read_pid("bg");
	ck_assert_int_eq(kill(bg, SIGKILL), 0);
}
END_TEST

START_TEST(test_cannot_run)
{
	const char *argv[] = { "/nonexistent/iscsiadm", "-m", "node", NULL };
	const char *path_argv[] = { "portico-no-such-program", NULL };
	const char *bad[] = { NULL };
	struct rec r = { 0 };

	ck_assert_int_eq(child_run(runner, argv, 1000, record_cb, &r, NULL), -ENOENT);
	ck_assert_int_eq(child_run(runner, path_argv, 1000, record_cb, &r, NULL), -ENOENT);
	ck_assert_int_eq(child_run(runner, bad, 1000, record_cb, &r, NULL), -EINVAL);
	run_for(50);
	ck_assert_int_eq(r.calls, 0);
}
END_TEST

/* No descriptor of ours in the child, O_CLOEXEC or not. */
START_TEST(test_no_fd_leak)
{
	struct rec r = { 0 };
	int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC, on purpose */
	int high = fcntl(fd, F_DUPFD, 60);

	ck_assert_int_ge(high, 60);
	/* ls in place of the shell: what it has open but the directory it reads (3) came with it */
	run_sh("exec ls /proc/self/fd", 5000, &r, NULL);
	run_until(&r.calls, 1, 3000);
	close(fd);
	close(high);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "0\n1\n2\n3\n");
}
END_TEST

START_TEST(test_many)
{
	struct rec r[6] = { 0 };
	int64_t start;
	int done = 0, i;

	for (i = 0; i < 6; i++) {
		char script[64];

		snprintf(script, sizeof(script), "sleep 0.%d; echo %d; exit %d", i, i, i);
		run_sh(script, 5000, &r[i], NULL);
	}
	start = ev_now_ms();
	while (done < 6) {
		for (done = 0, i = 0; i < 6; i++)
			done += r[i].calls;
		ck_assert_int_lt(ev_now_ms() - start, 5000);
		ev_run_once(loop, 10);
	}
	for (i = 0; i < 6; i++) {
		char want[16];

		snprintf(want, sizeof(want), "%d\n", i);
		ck_assert_int_eq(r[i].calls, 1);
		ck_assert_int_eq(r[i].status, i);
		ck_assert_str_eq(r[i].out, want);
	}
}
END_TEST

/* Destroyed while children run: no callback, and each one is reaped. */
START_TEST(test_destroy_while_running)
{
	struct rec r[3] = { 0 };
	pid_t pid[3];
	int64_t start;
	int i;

	for (i = 0; i < 3; i++)
		run_sh("echo x; sleep 30", 60000, &r[i], &pid[i]);
	run_for(100);
	start = ev_now_ms();
	child_runner_destroy(runner);
	runner = NULL;
	ck_assert_int_lt(ev_now_ms() - start, CHILD_REAP_MAX_MS);
	run_for(50);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(r[i].calls, 0);
		assert_gone(pid[i]);
	}
	ck_assert_int_eq(child_runner_create(loop, &runner), 0);
}
END_TEST

/* The callback may destroy the runner, and start runs. */
static struct child_runner *victim;

static void destroy_cb(void *arg, const struct child_result *res)
{
	int *calls = arg;

	(void)res;
	(*calls)++;
	child_runner_destroy(victim);
	victim = NULL;
}

START_TEST(test_destroy_from_callback)
{
	const char *quick[] = { "sh", "-c", "exit 0", NULL };
	const char *slow[] = { "sh", "-c", "sleep 30", NULL };
	struct rec r = { 0 };
	int calls = 0;

	ck_assert_int_eq(child_runner_create(loop, &victim), 0);
	ck_assert_int_eq(child_run(victim, slow, 60000, record_cb, &r, NULL), 0);
	ck_assert_int_eq(child_run(victim, quick, 60000, destroy_cb, &calls, NULL), 0);
	run_until(&calls, 1, 3000);
	run_for(50);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(r.calls, 0);
	ck_assert_ptr_null(victim);
}
END_TEST

static int chained;

static void chain_cb(void *arg, const struct child_result *res)
{
	const char *argv[] = { "sh", "-c", "exit 7", NULL };
	struct rec *r = arg;

	chained++;
	if (chained == 1) {
		ck_assert_int_eq(res->status, 0);
		ck_assert_int_eq(child_run(runner, argv, 5000, chain_cb, r, NULL), 0);
		return;
	}
	r->status = res->status;
	r->calls++;
}

START_TEST(test_run_from_callback)
{
	const char *argv[] = { "sh", "-c", "exit 0", NULL };
	struct rec r = { 0 };

	chained = 0;
	ck_assert_int_eq(child_run(runner, argv, 5000, chain_cb, &r, NULL), 0);
	run_until(&r.calls, 1, 3000);
	ck_assert_int_eq(chained, 2);
	ck_assert_int_eq(r.status, 7);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("child");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_exit_status_and_output);
	tcase_add_test(tc, test_no_output);
	tcase_add_test(tc, test_stdin_is_dev_null);
	tcase_add_test(tc, test_timeout_kills_the_group);
	tcase_add_test(tc, test_signal);
	tcase_add_test(tc, test_signals_reset);
	tcase_add_test(tc, test_output_bounded);
	tcase_add_test(tc, test_exit_not_eof);
	tcase_add_test(tc, test_cannot_run);
	tcase_add_test(tc, test_no_fd_leak);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_destroy_while_running);
	tcase_add_test(tc, test_destroy_from_callback);
	tcase_add_test(tc, test_run_from_callback);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/unit/check_main.h"

/* stderr is redirected into a pipe for each capture. */
static int cap_pipe[2];
static int saved_stderr = -1;
static char cap_buf[65536];

static void cap_start(void)
{
	ck_assert_int_eq(pipe(cap_pipe), 0);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_eq(dup2(cap_pipe[1], STDERR_FILENO), STDERR_FILENO);
	close(cap_pipe[1]);
}

/* Restores stderr and returns what was written (NUL-terminated). */
static const char *cap_end(void)
{
	size_t len = 0;
	ssize_t n;

	ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(saved_stderr);
	while ((n = read(cap_pipe[0], cap_buf + len, sizeof(cap_buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(cap_pipe[0]);
	cap_buf[len] = '\0';
	return cap_buf;
}

/* The logger's state is global: every test starts from the defaults. */
static void setup(void)
{
	log_init(NULL);
	log_to_stderr();
	log_set_level(LOG_LEVEL_INFO);
	log_set_debug(NULL);
}

static void assert_matches(const char *s, const char *re)
{
	regex_t r;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&r, s, 0, NULL, 0) == 0, "'%s' does not match '%s'", s, re);
	regfree(&r);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_format)
{
	char re[256];
	const char *out;

	log_init("porticod");
	cap_start();
	log_warn("iscsi", "conn %d: digest error on '%s'", 3, "iqn.x");
	out = cap_end();
	snprintf(re, sizeof(re),
		 "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
		 "porticod\\[%d\\]: warn iscsi: conn 3: digest error on 'iqn\\.x'\n$",
		 (int)getpid());
	assert_matches(out, re);
}
END_TEST

START_TEST(test_timestamp_is_now_utc)
{
	char expect[32];
	const char *out;
	time_t before, after;
	struct tm tm;

	before = time(NULL);
	cap_start();
	log_err("x", "y");
	out = cap_end();
	after = time(NULL);
	/* The whole second read before or after the message is the one in it. */
	gmtime_r(&before, &tm);
	strftime(expect, sizeof(expect), "%Y-%m-%dT%H:%M:%S", &tm);
	if (strncmp(out, expect, strlen(expect))) {
		gmtime_r(&after, &tm);
		strftime(expect, sizeof(expect), "%Y-%m-%dT%H:%M:%S", &tm);
	}
	ck_assert_msg(!strncmp(out, expect, strlen(expect)), "'%s' does not start with '%s'", out,
		      expect);
}
END_TEST

START_TEST(test_default_ident_is_program)
{
	char re[128];
	const char *out;

	cap_start();
	log_err("bs", "open failed");
	out = cap_end();
	snprintf(re, sizeof(re), "Z log_test\\[%d\\]: err bs: open failed\n$", (int)getpid());
	assert_matches(out, re);
}
END_TEST

START_TEST(test_level_filter)
{
	const char *out;
	int evaluated = 0;

	log_init("t");
	cap_start();
	log_set_level(LOG_LEVEL_WARN);
	log_err("a", "one");
	log_warn("a", "two");
	/* The level is checked before the arguments are evaluated. */
	log_info("a", "three %d", ++evaluated);
	log_msg(LOG_LEVEL_INFO, "a", "four");
	log_set_level(LOG_LEVEL_ERR);
	log_warn("a", "five");
	log_err("a", "six");
	log_set_level(LOG_LEVEL_INFO);
	log_info("a", "seven");
	log_dbg("a", "eight %d", ++evaluated);
	out = cap_end();
	ck_assert_int_eq(evaluated, 0);
	ck_assert_int_eq(count_lines(out), 4);
	ck_assert_ptr_nonnull(strstr(out, ": err a: one\n"));
	ck_assert_ptr_nonnull(strstr(out, ": warn a: two\n"));
	ck_assert_ptr_nonnull(strstr(out, ": err a: six\n"));
	ck_assert_ptr_nonnull(strstr(out, ": info a: seven\n"));
	ck_assert_ptr_null(strstr(out, "three"));
	ck_assert_ptr_null(strstr(out, "four"));
	ck_assert_ptr_null(strstr(out, "five"));
}
END_TEST

static char tapped[8][128];
static int ntapped;

static void tap(void *arg, enum log_level level, const char *component, const char *msg)
{
	ck_assert_ptr_eq(arg, &ntapped);
	if (ntapped < 8)
		snprintf(tapped[ntapped++], sizeof(tapped[0]), "%d %s %s", (int)level, component,
			 msg);
}

/* The tap sees what is logged at info and above, formatted, and nothing filtered out. */
START_TEST(test_tap)
{
	log_init("t");
	cap_start();
	ntapped = 0;
	log_set_tap(tap, &ntapped);
	log_set_level(LOG_LEVEL_INFO);
	log_set_debug("all");
	log_info("pathd", "map '%s' created", "x");
	log_dbg("pathd", "not tapped");
	log_err("dm", "bad\ttab");
	log_set_level(LOG_LEVEL_WARN);
	log_info("pathd", "filtered");
	log_set_tap(NULL, NULL);
	log_err("dm", "after");
	log_set_debug(NULL);
	log_set_level(LOG_LEVEL_INFO);
	cap_end();
	ck_assert_int_eq(ntapped, 2);
	ck_assert_str_eq(tapped[0], "2 pathd map 'x' created");
	ck_assert_str_eq(tapped[1], "0 dm bad tab"); /* sanitized */
}
END_TEST

/* The levels' names, as log lines and porticod.conf's log_level spell them, both ways. */
START_TEST(test_level_names)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };
	enum log_level l = LOG_LEVEL_INFO;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_str_eq(log_level_name((enum log_level)i), names[i]);
		ck_assert_int_eq(log_level_parse(names[i], &l), 0);
		ck_assert_int_eq(l, (enum log_level)i);
	}
	ck_assert_str_eq(log_level_name((enum log_level)4), "");
	ck_assert_str_eq(log_level_name((enum log_level)-1), "");
	ck_assert_int_eq(log_level_parse("warning", &l), -EINVAL);
	ck_assert_int_eq(log_level_parse("INFO", &l), -EINVAL);
	ck_assert_int_eq(log_level_parse(NULL, &l), -EINVAL);
	ck_assert_int_eq(l, LOG_LEVEL_DBG);
}
END_TEST

START_TEST(test_debug_per_component)
{
	const char *out;

	ck_assert(!log_debug_enabled("iscsi"));
	log_set_debug("iscsi, scsi");
	ck_assert(log_debug_enabled("iscsi"));
	ck_assert(log_debug_enabled("scsi"));
	ck_assert(!log_debug_enabled("bs"));
	ck_assert(!log_debug_enabled("isc"));	/* no prefix matches */
	ck_assert(!log_debug_enabled("iscsi2"));
	ck_assert(!log_debug_enabled(""));
	ck_assert(!log_debug_enabled(NULL));

	cap_start();
	log_dbg("iscsi", "login pdu %d", 1);
	log_dbg("bs", "hidden");
	out = cap_end();
	ck_assert_int_eq(count_lines(out), 1);
	ck_assert_ptr_nonnull(strstr(out, ": debug iscsi: login pdu 1\n"));

	log_set_debug("all");
	ck_assert(log_debug_enabled("bs"));
	ck_assert(log_debug_enabled("anything"));
	log_set_debug("");
	ck_assert(!log_debug_enabled("iscsi"));
	ck_assert(!log_debug_enabled("bs"));
	log_set_debug("bs");
	ck_assert(log_debug_enabled("bs"));
	ck_assert(!log_debug_enabled("iscsi"));
	log_set_debug(NULL);
	ck_assert(!log_debug_enabled("bs"));
	/* Debug level means every component. */
	log_set_level(LOG_LEVEL_DBG);
	ck_assert(log_debug_enabled("mpath"));
}
END_TEST

START_TEST(test_one_line_per_message)
{
	const char *out;

	cap_start();
	log_err("a", "first\nsecond\r\tthird\x01 end");
	out = cap_end();
	ck_assert_int_eq(count_lines(out), 1);
	ck_assert_ptr_nonnull(strstr(out, "a: first second  third? end\n"));
}
END_TEST

START_TEST(test_long_message_truncated)
{
	static char big[10000];
	const char *out;
	size_t len;

	memset(big, 'x', sizeof(big) - 1);
	cap_start();
	log_err("a", "%s", big);
	log_err("a", "after");
	out = cap_end();
	ck_assert_int_eq(count_lines(out), 2);
	len = (size_t)(strchr(out, '\n') - out) + 1;
	ck_assert_uint_eq(len, PIPE_BUF);
	ck_assert(!strncmp(out + len - 4, "...\n", 4));
	ck_assert_ptr_nonnull(strstr(out + len, "a: after\n"));
}
END_TEST

START_TEST(test_errno_preserved)
{
	cap_start();
	errno = ENOSPC;
	log_err("a", "x");
	ck_assert_int_eq(errno, ENOSPC);
	errno = EIO;
	log_info("a", "y");
	ck_assert_int_eq(errno, EIO);
	cap_end();
}
END_TEST

START_TEST(test_syslog_leaves_stderr)
{
	const char *out;

	cap_start();
	log_to_syslog("log_test");
	log_err("a", "to syslog");
	log_to_stderr();
	log_err("a", "to stderr");
	out = cap_end();
	ck_assert_int_eq(count_lines(out), 1);
	ck_assert_ptr_null(strstr(out, "to syslog"));
	ck_assert_ptr_nonnull(strstr(out, "log_test["));
	ck_assert_ptr_nonnull(strstr(out, "a: to stderr\n"));
}
END_TEST

/* Threads logging at once into one O_APPEND file: every line whole. */
#define THREADS 4
#define PER_THREAD 400

static void *logger_main(void *arg)
{
	int id = (int)(long)arg;
	char pad[200];

	memset(pad, 'a' + id, sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (int i = 0; i < PER_THREAD; i++)
		log_info("t", "thread %d line %d %s end", id, i, pad);
	return NULL;
}

START_TEST(test_threads_do_not_interleave)
{
	char path[] = "/tmp/portico-log-test.XXXXXX";
	pthread_t th[THREADS];
	int next[THREADS] = { 0 };
	char *line, *save, *data;
	int fd, saved, lines = 0;
	FILE *f;
	long size;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(fcntl(fd, F_SETFL, O_APPEND), 0);
	saved = dup(STDERR_FILENO);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	for (long i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, logger_main, (void *)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	dup2(saved, STDERR_FILENO);
	close(saved);

	f = fdopen(fd, "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = calloc(1, (size_t)size + 1);
	ck_assert_ptr_nonnull(data);
	ck_assert_int_eq(fread(data, 1, (size_t)size, f), size);
	fclose(f);

	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char pad[200];
		int id, n;

		ck_assert_ptr_nonnull(strstr(line, ": info t: thread "));
		ck_assert_int_eq(sscanf(strstr(line, "thread "), "thread %d line %d", &id, &n), 2);
		ck_assert(id >= 0 && id < THREADS);
		ck_assert_int_eq(n, next[id]);
		next[id]++;
		memset(pad, 'a' + id, sizeof(pad) - 1);
		pad[sizeof(pad) - 1] = '\0';
		ck_assert_ptr_nonnull(strstr(line, pad));
		ck_assert(!strcmp(line + strlen(line) - 4, " end"));
		lines++;
	}
	free(data);
	ck_assert_int_eq(lines, THREADS * PER_THREAD);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, NULL);

	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_timestamp_is_now_utc);
	tcase_add_test(tc, test_default_ident_is_program);
	tcase_add_test(tc, test_level_filter);
	tcase_add_test(tc, test_level_names);
	tcase_add_test(tc, test_debug_per_component);
	tcase_add_test(tc, test_one_line_per_message);
	tcase_add_test(tc, test_long_message_truncated);
	tcase_add_test(tc, test_errno_preserved);
	tcase_add_test(tc, test_syslog_leaves_stderr);
	tcase_add_test(tc, test_threads_do_not_interleave);
	tcase_add_test(tc, test_tap);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the backstore tests share: a real ev loop with the backstore thread
 * context on it, requests that record how and where they completed, a
 * bounded wait for completions, and temporary directories.
 *
 * Every helper is static inline: each test program uses a different subset.
 */
#ifndef PORTICO_TESTS_BS_TEST_UTIL_H
#define PORTICO_TESTS_BS_TEST_UTIL_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ev.h"
#include "target/backstore/bs.h"

#define T_TIMEOUT_MS 20000

/* The loop of the test's main thread (one per forked test). */
static struct ev_loop *t_loop;
/* Set while bs_submit runs: a callback that sees it ran inside submit. */
static bool t_in_submit;
static int t_cb_inside_submit;

struct t_io {
	struct bs_io io;
	struct iovec iov[4];
	void *buf;
	int ncb; /* times the callback ran: exactly once is right */
	pthread_t cb_thread;
	int *counter; /* incremented by the callback, when set */
};

static inline void t_cb(struct bs_io *io)
{
	struct t_io *t = io->arg;

	if (t_in_submit)
		t_cb_inside_submit++;
	t->ncb++;
	t->cb_thread = pthread_self();
	if (t->counter)
		(*t->counter)++;
}

/* bs_submit with the inside-submit flag raised around it. */
static inline int t_submit(struct bs_dev *dev, struct t_io *t)
{
	int ret;

	t->io.cb = t_cb;
	t->io.arg = t;
	t_in_submit = true;
	ret = bs_submit(dev, &t->io);
	t_in_submit = false;
	return ret;
}

/* Runs loop until *counter reaches want or T_TIMEOUT_MS passes. Returns *counter. */
static inline int t_run_until(struct ev_loop *loop, const int *counter, int want)
{
	int64_t deadline = ev_now_ms() + T_TIMEOUT_MS;

	while (*counter < want && ev_now_ms() < deadline)
		ck_assert_int_ge(ev_run_once(loop, 50), 0);
	return *counter;
}

static inline void *t_alloc(size_t len)
{
	void *p = NULL;

	ck_assert_int_eq(posix_memalign(&p, 4096, len ? len : 1), 0);
	return p;
}

static inline void t_fill(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 131u + i * 7u + (i >> 9));
}

static inline bool t_is_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * Submits one request on t_loop and waits for it. Returns its result; the
 * callback must have run exactly once, on this thread, outside submit.
 */
static inline int t_do(struct bs_dev *dev, enum bs_op op, uint64_t off, void *buf, uint64_t len,
		       bool fua)
{
	struct t_io t;
	int done = 0, ret;

	memset(&t, 0, sizeof(t));
	t.io.op = op;
	t.io.offset = off;
	t.io.len = len;
	t.io.fua = fua;
	if (op == BS_OP_READ || op == BS_OP_WRITE) {
		t.iov[0].iov_base = buf;
		t.iov[0].iov_len = len;
		t.io.iov = t.iov;
		t.io.iovcnt = 1;
	}
	t.counter = &done;
	ret = t_submit(dev, &t);
	if (ret) {
		ck_assert_int_eq(t.ncb, 0);
		return ret;
	}
	ck_assert_int_eq(t.ncb, 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
	ck_assert_int_eq(t.ncb, 1);
	ck_assert_int_eq(t_cb_inside_submit, 0);
	ck_assert(pthread_equal(t.cb_thread, pthread_self()));
	return t.io.result;
}

/* A fresh loop with the backstore context on it, for a checked fixture. */
static inline void t_loop_setup(void)
{
	bs_register_builtin();
	ck_assert_int_eq(ev_loop_create(&t_loop), 0);
	ck_assert_int_eq(bs_thread_init(t_loop), 0);
	t_in_submit = false;
	t_cb_inside_submit = 0;
}

static inline void t_loop_teardown(void)
{
	bs_thread_fini();
	ev_loop_destroy(t_loop);
	t_loop = NULL;
	bs_shutdown();
}

static inline int t_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes a directory tree made by a test. */
static inline void t_rmtree(const char *dir)
{
	if (dir && dir[0])
		nftw(dir, t_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The open flags of this process's fd for path (from /proc/self/fdinfo), or -1. */
static inline long t_fd_flags(const char *path)
{
	char link[64], target[4096], line[256];
	long flags = -1;
	ssize_t n;
	FILE *fp;
	int fd;

	for (fd = 0; fd < 1024 && flags < 0; fd++) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fdinfo/%d", fd);
		fp = fopen(link, "r");
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp))
			if (!strncmp(line, "flags:", 6))
				flags = strtol(line + 6, NULL, 8);
		fclose(fp);
	}
	return flags;
}

#endif

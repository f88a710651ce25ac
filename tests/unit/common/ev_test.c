/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/util.h"
#include "tests/unit/check_main.h"

static struct ev_loop *loop;

static void setup(void)
{
	ck_assert_int_eq(ev_loop_create(&loop), 0);
}

static void teardown(void)
{
	ev_loop_destroy(loop);
	loop = NULL;
}

/*
 * Runs the loop until *count reaches want (failing after 2 s), then 30 ms
 * more, so that a timer firing too often is caught too.
 */
static void run_until_count(const int *count, int want)
{
	int64_t start = ev_now_ms(), end;

	while (*count < want) {
		ck_assert_msg(ev_now_ms() - start < 2000, "only %d of %d calls", *count, want);
		ck_assert_int_eq(ev_run_once(loop, 5), 0);
	}
	end = ev_now_ms() + 30;
	while (ev_now_ms() < end)
		ck_assert_int_eq(ev_run_once(loop, 5), 0);
	ck_assert_int_eq(*count, want);
}

static void make_pipe(int p[2])
{
	ck_assert_int_eq(pipe(p), 0);
}

/* File descriptors */

struct fd_rec {
	int calls;
	int fd;
	uint32_t events;
	struct ev_loop *current;
	void *arg;
};

static void fd_record_cb(struct ev_loop *l, int fd, uint32_t events, void *arg)
{
	struct fd_rec *r = arg;

	ck_assert_ptr_eq(l, loop);
	r->calls++;
	r->fd = fd;
	r->events = events;
	r->current = ev_current();
	r->arg = arg;
}

START_TEST(test_fd_read_ready)
{
	struct fd_rec r = { 0 };
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(ev_add_fd(loop, p[0], EV_READ, fd_record_cb, &r), 0);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(r.calls, 0);

	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(r.calls, 0); /* never inside the call that armed it */
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.fd, p[0]);
	ck_assert_uint_eq(r.events, EV_READ);
	ck_assert_ptr_eq(r.current, loop);
	ck_assert_ptr_eq(r.arg, &r);
	ck_assert_ptr_null(ev_current());

	/* Level-triggered: still readable, reported again. */
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(r.calls, 2);

	ck_assert_int_eq(ev_del_fd(loop, p[0]), 0);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(r.calls, 2);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_fd_write_and_mod)
{
	struct fd_rec r = { 0 };
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(ev_add_fd(loop, sv[0], EV_WRITE, fd_record_cb, &r), 0);
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_uint_eq(r.events, EV_WRITE);

	ck_assert_int_eq(ev_mod_fd(loop, sv[0], 0), 0);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(r.calls, 1);

	ck_assert_int_eq(write(sv[1], "y", 1), 1);
	ck_assert_int_eq(ev_mod_fd(loop, sv[0], EV_READ | EV_WRITE), 0);
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(r.calls, 2);
	ck_assert_uint_eq(r.events, EV_READ | EV_WRITE);

	ck_assert_int_eq(ev_del_fd(loop, sv[0]), 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_fd_hangup_reports_error)
{
	struct fd_rec r = { 0 };
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(ev_add_fd(loop, sv[0], EV_READ, fd_record_cb, &r), 0);
	close(sv[1]);
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(r.calls, 1);
	ck_assert(r.events & EV_ERROR);
	ck_assert_int_eq(ev_del_fd(loop, sv[0]), 0);
	close(sv[0]);
}
END_TEST

static void fd_dummy_cb(struct ev_loop *l, int fd, uint32_t events, void *arg)
{
	(void)l;
	(void)fd;
	(void)events;
	(void)arg;
	ck_abort_msg("must not be called");
}

START_TEST(test_fd_errors)
{
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(ev_add_fd(loop, -1, EV_READ, fd_dummy_cb, NULL), -EINVAL);
	ck_assert_int_eq(ev_add_fd(loop, p[0], EV_READ, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ev_add_fd(loop, p[0], EV_READ, fd_dummy_cb, NULL), 0);
	ck_assert_int_eq(ev_add_fd(loop, p[0], EV_READ, fd_dummy_cb, NULL), -EEXIST);
	ck_assert_int_eq(ev_del_fd(loop, p[1]), -ENOENT);
	ck_assert_int_eq(ev_mod_fd(loop, p[1], EV_READ), -ENOENT);
	ck_assert_int_eq(ev_del_fd(loop, 100000), -ENOENT);
	ck_assert_int_eq(ev_del_fd(loop, p[0]), 0);
	ck_assert_int_eq(ev_del_fd(loop, p[0]), -ENOENT);
	/* A closed fd cannot be watched; the loop reports epoll's error. */
	close(p[0]);
	ck_assert_int_eq(ev_add_fd(loop, p[0], EV_READ, fd_dummy_cb, NULL), -EBADF);
	close(p[1]);
}
END_TEST

/* Several pipes, all readable in the same batch. */
struct batch {
	int p[4][2];
	int calls[4];
	int readded_calls;
};

static struct batch *batch_cur;

static int batch_index(int fd)
{
	for (int i = 0; i < 4; i++)
		if (batch_cur->p[i][0] == fd)
			return i;
	ck_abort_msg("unknown fd %d", fd);
	return -1;
}

/* Every callback deletes itself and all the others. */
static void batch_del_all_cb(struct ev_loop *l, int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	batch_cur->calls[batch_index(fd)]++;
	for (int i = 0; i < 4; i++)
		ev_del_fd(l, batch_cur->p[i][0]);
}

static void batch_setup(struct batch *b, ev_fd_cb cb)
{
	batch_cur = b;
	for (int i = 0; i < 4; i++) {
		make_pipe(b->p[i]);
		ck_assert_int_eq(write(b->p[i][1], "z", 1), 1);
		ck_assert_int_eq(ev_add_fd(loop, b->p[i][0], EV_READ, cb, NULL), 0);
	}
}

static void batch_close(struct batch *b)
{
	for (int i = 0; i < 4; i++) {
		close(b->p[i][0]);
		close(b->p[i][1]);
	}
}

START_TEST(test_fd_del_pending_in_batch)
{
	struct batch b = { 0 };
	int total = 0;

	batch_setup(&b, batch_del_all_cb);
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	for (int i = 0; i < 4; i++)
		total += b.calls[i];
	/* The first callback deleted the rest, whose events were already collected. */
	ck_assert_int_eq(total, 1);
	/* All are gone: nothing more, although the pipes are still readable. */
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(b.calls[0] + b.calls[1] + b.calls[2] + b.calls[3], 1);
	batch_close(&b);
}
END_TEST

static void batch_readded_cb(struct ev_loop *l, int fd, uint32_t events, void *arg)
{
	(void)l;
	(void)fd;
	(void)events;
	(void)arg;
	batch_cur->readded_calls++;
}

/* Deletes the others and adds them again with another callback. */
static void batch_del_readd_cb(struct ev_loop *l, int fd, uint32_t events, void *arg)
{
	int me = batch_index(fd);

	(void)events;
	(void)arg;
	batch_cur->calls[me]++;
	for (int i = 0; i < 4; i++) {
		if (i == me)
			continue;
		ck_assert_int_eq(ev_del_fd(l, batch_cur->p[i][0]), 0);
		ck_assert_int_eq(ev_add_fd(l, batch_cur->p[i][0], EV_READ, batch_readded_cb, NULL),
				 0);
	}
	ck_assert_int_eq(ev_del_fd(l, fd), 0);
}

START_TEST(test_fd_del_readd_in_batch)
{
	struct batch b = { 0 };

	batch_setup(&b, batch_del_readd_cb);
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(b.calls[0] + b.calls[1] + b.calls[2] + b.calls[3], 1);
	/* The stale events of the old registrations must not reach the new ones. */
	ck_assert_int_eq(b.readded_calls, 0);
	/* The new registrations see their own (level-triggered) readiness next time. */
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(b.readded_calls, 3);
	batch_close(&b);
}
END_TEST

/* Timers */

struct tm_rec {
	int calls;
	int order[8];
	int n;
};

struct tm_ctx {
	struct tm_rec *rec;
	int id;
	int64_t ret;
	int remaining; /* re-arms left */
	struct ev_timer *self;
	struct ev_timer *victim;
	int64_t armed_at;
	int64_t ms;
	int64_t fired_at;
};

static int64_t tm_order_cb(struct ev_loop *l, void *arg)
{
	struct tm_ctx *c = arg;

	ck_assert_ptr_eq(l, loop);
	ck_assert_ptr_eq(ev_current(), loop);
	c->fired_at = ev_now_ms();
	c->rec->order[c->rec->n++] = c->id;
	c->rec->calls++;
	return EV_TIMER_STOP;
}

START_TEST(test_timer_order)
{
	struct tm_rec rec = { 0 };
	struct tm_ctx c[3];
	int64_t ms[3] = { 60, 20, 40 };
	int64_t start = ev_now_ms();

	for (int i = 0; i < 3; i++) {
		c[i] = (struct tm_ctx){ .rec = &rec, .id = i };
		ck_assert_ptr_nonnull(ev_timer_add(loop, ms[i], tm_order_cb, &c[i]));
	}
	ck_assert_int_eq(rec.calls, 0);
	while (rec.calls < 3) {
		ck_assert_int_lt(ev_now_ms() - start, 2000);
		ck_assert_int_eq(ev_run_once(loop, -1), 0);
	}
	ck_assert_int_eq(rec.order[0], 1);
	ck_assert_int_eq(rec.order[1], 2);
	ck_assert_int_eq(rec.order[2], 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_ge(c[i].fired_at - start, ms[i]);
}
END_TEST

START_TEST(test_timer_run_once_waits_for_timer)
{
	struct tm_rec rec = { 0 };
	struct tm_ctx c = { .rec = &rec };
	int64_t start = ev_now_ms();

	ck_assert_ptr_nonnull(ev_timer_add(loop, 30, tm_order_cb, &c));
	/* An infinite wait is cut short by the timer's deadline. */
	ck_assert_int_eq(ev_run_once(loop, -1), 0);
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_int_ge(ev_now_ms() - start, 30);
	ck_assert_int_lt(ev_now_ms() - start, 1000);
}
END_TEST

static int64_t tm_rearm_cb(struct ev_loop *l, void *arg)
{
	struct tm_ctx *c = arg;

	(void)l;
	c->rec->calls++;
	if (c->remaining-- > 0)
		return c->ret;
	return EV_TIMER_STOP;
}

START_TEST(test_timer_rearm_by_return)
{
	struct tm_rec rec = { 0 };
	struct tm_ctx c = { .rec = &rec, .ret = 5, .remaining = 3 };

	ck_assert_ptr_nonnull(ev_timer_add(loop, 5, tm_rearm_cb, &c));
	run_until_count(&rec.calls, 4);
}
END_TEST

START_TEST(test_timer_zero_interval_does_not_spin)
{
	struct tm_rec rec = { 0 };
	struct tm_ctx c = { .rec = &rec, .ret = 0, .remaining = 1000 };

	ck_assert_ptr_nonnull(ev_timer_add(loop, 0, tm_rearm_cb, &c));
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(rec.calls, 2);
}
END_TEST

static int64_t tm_cancel_self_cb(struct ev_loop *l, void *arg)
{
	struct tm_ctx *c = arg;

	c->rec->calls++;
	ev_timer_cancel(l, c->self);
	return 1; /* ignored: the timer is cancelled */
}

START_TEST(test_timer_cancel_in_own_callback)
{
	struct tm_rec rec = { 0 };
	struct tm_ctx c = { .rec = &rec };

	c.self = ev_timer_add(loop, 1, tm_cancel_self_cb, &c);
	ck_assert_ptr_nonnull(c.self);
	run_until_count(&rec.calls, 1);
}
END_TEST

static int64_t tm_reset_self_cb(struct ev_loop *l, void *arg)
{
	struct tm_ctx *c = arg;

	c->rec->calls++;
	if (c->remaining-- > 0)
		ev_timer_reset(l, c->self, 5);
	return EV_TIMER_STOP; /* the reset wins */
}

START_TEST(test_timer_reset_in_own_callback)
{
	struct tm_rec rec = { 0 };
	struct tm_ctx c = { .rec = &rec, .remaining = 2 };

	c.self = ev_timer_add(loop, 1, tm_reset_self_cb, &c);
	ck_assert_ptr_nonnull(c.self);
	run_until_count(&rec.calls, 3);
}
END_TEST

static int64_t tm_cancel_other_cb(struct ev_loop *l, void *arg)
{
	struct tm_ctx *c = arg;

	c->rec->calls++;
	c->rec->order[c->rec->n++] = c->id;
	if (c->victim) {
		ev_timer_cancel(l, c->victim);
		c->victim = NULL;
	}
	return EV_TIMER_STOP;
}

START_TEST(test_timer_cancel_other_due)
{
	struct tm_rec rec = { 0 };
	struct tm_ctx a = { .rec = &rec, .id = 1 }, b = { .rec = &rec, .id = 2 };

	ck_assert_ptr_nonnull(ev_timer_add(loop, 0, tm_cancel_other_cb, &a));
	a.victim = ev_timer_add(loop, 0, tm_cancel_other_cb, &b);
	ck_assert_ptr_nonnull(a.victim);
	usleep(3000);
	/* Both are due in the same pass; the first cancels the second. */
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_int_eq(rec.order[0], 1);
}
END_TEST

START_TEST(test_timer_reset_and_cancel_armed)
{
	struct tm_rec rec = { 0 };
	struct tm_ctx a = { .rec = &rec, .id = 1 }, b = { .rec = &rec, .id = 2 };
	struct ev_timer *ta, *tb;
	int64_t start = ev_now_ms();

	ta = ev_timer_add(loop, 10, tm_order_cb, &a);
	tb = ev_timer_add(loop, 30, tm_order_cb, &b);
	ck_assert_ptr_nonnull(ta);
	ck_assert_ptr_nonnull(tb);
	ev_timer_reset(loop, ta, 50); /* now after b */
	while (rec.calls < 2) {
		ck_assert_int_lt(ev_now_ms() - start, 2000);
		ck_assert_int_eq(ev_run_once(loop, -1), 0);
	}
	ck_assert_int_eq(rec.order[0], 2);
	ck_assert_int_eq(rec.order[1], 1);
	ck_assert_int_ge(a.fired_at - start, 50);

	/* A cancelled armed timer never fires (and is freed: LeakSanitizer checks). */
	ta = ev_timer_add(loop, 1, tm_order_cb, &a);
	ck_assert_ptr_nonnull(ta);
	ev_timer_cancel(loop, ta);
	usleep(5000);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_int_eq(rec.calls, 2);
}
END_TEST

/*
 * Many timers with random deadlines, some cancelled, some reset: each live
 * timer fires once, never early, and in deadline order. The loop computes a
 * deadline as "now + ms" at arming; the test brackets "now" between two
 * readings, so a fired before b requires lo(a) <= hi(b).
 */
#define MANY 1000

struct many {
	int64_t lo, hi;
	int fired;
	bool cancelled;
	int *seq;
	int *n;
	struct ev_timer *t;
};

static struct many *many_base;

static int64_t many_order_cb(struct ev_loop *l, void *arg)
{
	struct many *m = arg;

	(void)l;
	ck_assert(!m->cancelled);
	ck_assert_int_ge(ev_now_ms(), m->lo);
	m->fired++;
	m->seq[(*m->n)++] = (int)(m - many_base);
	return EV_TIMER_STOP;
}

START_TEST(test_timer_many_random)
{
	static struct many m[MANY];
	static int seq[MANY];
	int n = 0, live = 0;
	int64_t start;

	srand(12345);
	many_base = m;
	for (int i = 0; i < MANY; i++) {
		int64_t ms = rand() % 80;
		int64_t before = ev_now_ms();

		m[i] = (struct many){ .seq = seq, .n = &n };
		m[i].t = ev_timer_add(loop, ms, many_order_cb, &m[i]);
		ck_assert_ptr_nonnull(m[i].t);
		m[i].lo = before + ms;
		m[i].hi = ev_now_ms() + ms;
	}
	for (int i = 0; i < MANY; i++) {
		if (i % 4 == 1) {
			ev_timer_cancel(loop, m[i].t);
			m[i].cancelled = true;
		} else if (i % 4 == 2) {
			int64_t ms = rand() % 80;
			int64_t before = ev_now_ms();

			ev_timer_reset(loop, m[i].t, ms);
			m[i].lo = before + ms;
			m[i].hi = ev_now_ms() + ms;
		}
		if (!m[i].cancelled)
			live++;
	}
	start = ev_now_ms();
	while (n < live) {
		ck_assert_int_lt(ev_now_ms() - start, 3000);
		ck_assert_int_eq(ev_run_once(loop, -1), 0);
	}
	ck_assert_int_eq(n, live);
	for (int i = 0; i < MANY; i++)
		ck_assert_int_eq(m[i].fired, m[i].cancelled ? 0 : 1);
	for (int k = 1; k < n; k++) {
		struct many *a = &m[seq[k - 1]], *b = &m[seq[k]];

		ck_assert_msg(a->lo <= b->hi, "timer %d [%lld] fired before %d [%lld]",
			      seq[k - 1], (long long)a->lo, seq[k], (long long)b->hi);
	}
}
END_TEST

START_TEST(test_destroy_frees_armed_timers)
{
	struct tm_rec rec = { 0 };
	struct tm_ctx c = { .rec = &rec };

	for (int i = 0; i < 50; i++)
		ck_assert_ptr_nonnull(ev_timer_add(loop, 100000 + i, tm_order_cb, &c));
	/* teardown destroys the loop; LeakSanitizer sees any timer left behind. */
	ck_assert_int_eq(rec.calls, 0);
}
END_TEST

/* Posted work and threads */

#define POSTS 2000

struct post_state {
	int next[4];
	int bad;
	int total;
	int expected;
	pthread_t loop_thread;
	struct ev_loop *current_seen;
};

struct post_item {
	struct post_state *st;
	int producer;
	int seq;
};

static void post_cb(void *arg)
{
	struct post_item *it = arg;
	struct post_state *st = it->st;

	if (it->seq != st->next[it->producer] || !pthread_equal(pthread_self(), st->loop_thread))
		st->bad++;
	if (ev_current() != loop)
		st->bad++;
	st->next[it->producer] = it->seq + 1;
	if (++st->total == st->expected)
		ev_stop(ev_current());
}

struct producer {
	struct post_state *st;
	struct post_item *items;
	int id;
	int count;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;

	for (int i = 0; i < p->count; i++) {
		p->items[i] = (struct post_item){ .st = p->st, .producer = p->id, .seq = i };
		if (ev_post(loop, post_cb, &p->items[i]))
			abort();
		if (i % 97 == 0)
			usleep(100);
	}
	return NULL;
}

static int64_t watchdog_cb(struct ev_loop *l, void *arg)
{
	(void)arg;
	ev_stop(l);
	return EV_TIMER_STOP;
}

START_TEST(test_post_from_threads_in_order)
{
	struct post_state st = { .expected = 4 * POSTS, .loop_thread = pthread_self() };
	struct producer prod[4];
	pthread_t th[4];

	for (int i = 0; i < 4; i++) {
		prod[i] = (struct producer){ .st = &st, .id = i, .count = POSTS };
		prod[i].items = calloc(POSTS, sizeof(struct post_item));
		ck_assert_ptr_nonnull(prod[i].items);
		ck_assert_int_eq(pthread_create(&th[i], NULL, producer_main, &prod[i]), 0);
	}
	ck_assert_ptr_nonnull(ev_timer_add(loop, 3000, watchdog_cb, NULL));
	ck_assert_int_eq(ev_run(loop), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(st.total, 4 * POSTS);
	ck_assert_int_eq(st.bad, 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(st.next[i], POSTS);
		free(prod[i].items);
	}
}
END_TEST

static void count_cb(void *arg)
{
	(*(int *)arg)++;
}

START_TEST(test_post_not_run_inside_post)
{
	int count = 0;

	ck_assert_int_eq(ev_post(loop, count_cb, &count), 0);
	ck_assert_int_eq(ev_post(loop, count_cb, &count), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(count, 2);
	ck_assert_int_eq(ev_post(loop, NULL, NULL), -EINVAL);
}
END_TEST

static void repost_cb(void *arg)
{
	int *count = arg;

	if ((*count)++ == 0)
		ck_assert_int_eq(ev_post(loop, repost_cb, count), 0);
}

START_TEST(test_post_from_posted_callback)
{
	int count = 0;

	ck_assert_int_eq(ev_post(loop, repost_cb, &count), 0);
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(count, 1);
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(count, 2);
}
END_TEST

START_TEST(test_destroy_drops_pending_posts)
{
	int count = 0;
	struct ev_loop *l;

	ck_assert_int_eq(ev_loop_create(&l), 0);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(ev_post(l, count_cb, &count), 0);
	ev_loop_destroy(l);
	ck_assert_int_eq(count, 0);
}
END_TEST

static void *stopper_main(void *arg)
{
	usleep(30000);
	ev_stop(arg);
	return NULL;
}

START_TEST(test_stop_from_thread)
{
	pthread_t th;
	int64_t start = ev_now_ms();

	ck_assert_int_eq(pthread_create(&th, NULL, stopper_main, loop), 0);
	ck_assert_int_eq(ev_run(loop), 0);
	pthread_join(th, NULL);
	ck_assert_int_ge(ev_now_ms() - start, 25);
	ck_assert_int_lt(ev_now_ms() - start, 2000);
	ck_assert_ptr_null(ev_current());

	/* The loop can run again: a second stop is needed to leave it. */
	ck_assert_int_eq(pthread_create(&th, NULL, stopper_main, loop), 0);
	start = ev_now_ms();
	ck_assert_int_eq(ev_run(loop), 0);
	pthread_join(th, NULL);
	ck_assert_int_ge(ev_now_ms() - start, 25);
}
END_TEST

START_TEST(test_stop_before_run)
{
	int count = 0;

	ev_stop(loop);
	ck_assert_int_eq(ev_run(loop), 0);
	ck_assert_int_eq(ev_post(loop, count_cb, &count), 0);
	ck_assert_int_eq(ev_run_once(loop, 1000), 0);
	ck_assert_int_eq(count, 1);
}
END_TEST

struct two_loops {
	struct ev_loop *inner;
	struct ev_loop *seen_outer;
	struct ev_loop *seen_inner;
};

static void *loop_thread_main(void *arg)
{
	struct two_loops *tl = arg;

	ev_run(tl->inner);
	return NULL;
}

static void note_inner_cb(void *arg)
{
	struct two_loops *tl = arg;

	tl->seen_inner = ev_current();
	ev_stop(tl->inner);
}

START_TEST(test_current_per_thread)
{
	struct two_loops tl = { 0 };
	pthread_t th;

	ck_assert_ptr_null(ev_current());
	ck_assert_int_eq(ev_loop_create(&tl.inner), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, loop_thread_main, &tl), 0);
	ck_assert_int_eq(ev_post(tl.inner, note_inner_cb, &tl), 0);
	pthread_join(th, NULL);
	ck_assert_ptr_eq(tl.seen_inner, tl.inner);
	ck_assert_ptr_null(ev_current());
	ev_loop_destroy(tl.inner);
}
END_TEST

START_TEST(test_now_monotonic)
{
	int64_t a = ev_now_ms();
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	ck_assert_int_ge(ev_now_ms() - a, 20);
	ck_assert_int_lt(ev_now_ms() - a, 2000);
}
END_TEST


/* ---- ev_defer ---- */

static int defer_log[16];
static int defer_n;

static void defer_rec(void *arg)
{
	if (defer_n < 16)
		defer_log[defer_n++] = (int)(intptr_t)arg;
}

static void defer_fd_cb(struct ev_loop *lp, int fd, uint32_t events, void *arg)
{
	struct ev_deferred *d = arg;
	char c;

	(void)events;
	ck_assert_int_eq(read(fd, &c, 1), 1);
	defer_rec((void *)(intptr_t)100);
	ev_defer(lp, d);
	ev_defer(lp, d); /* twice: still once */
}

START_TEST(test_defer_runs_after_events_once)
{
	struct ev_loop *dl;
	struct ev_deferred d;
	int p[2];

	defer_n = 0;
	ck_assert_int_eq(ev_loop_create(&dl), 0);
	ck_assert_int_eq(pipe(p), 0);
	ev_deferred_init(&d, defer_rec, (void *)(intptr_t)7);
	ck_assert_int_eq(ev_add_fd(dl, p[0], EV_READ, defer_fd_cb, &d), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(ev_run_once(dl, 1000), 0);
	ck_assert_int_eq(defer_n, 2);
	ck_assert_int_eq(defer_log[0], 100); /* the event first */
	ck_assert_int_eq(defer_log[1], 7); /* then the deferred work, once */
	ck_assert(!d.queued);
	ev_del_fd(dl, p[0]);
	close(p[0]);
	close(p[1]);
	ev_loop_destroy(dl);
}
END_TEST

START_TEST(test_defer_cancel_and_order)
{
	struct ev_loop *dl;
	struct ev_deferred a, b, c;

	defer_n = 0;
	ck_assert_int_eq(ev_loop_create(&dl), 0);
	ev_deferred_init(&a, defer_rec, (void *)(intptr_t)1);
	ev_deferred_init(&b, defer_rec, (void *)(intptr_t)2);
	ev_deferred_init(&c, defer_rec, (void *)(intptr_t)3);
	ev_defer(dl, &a);
	ev_defer(dl, &b);
	ev_defer(dl, &c);
	ev_defer_cancel(dl, &c); /* the tail */
	ev_defer_cancel(dl, &a); /* the head */
	ev_defer(dl, &a); /* again, now after b */
	/* Pending deferred work: the loop does not sleep even with an infinite timeout. */
	ck_assert_int_eq(ev_run_once(dl, -1), 0);
	ck_assert_int_eq(defer_n, 2);
	ck_assert_int_eq(defer_log[0], 2);
	ck_assert_int_eq(defer_log[1], 1);
	ev_loop_destroy(dl);
}
END_TEST

static struct ev_loop *redefer_loop;
static struct ev_deferred redefer_d;
static int redefer_count;

static void redefer_cb(void *arg)
{
	(void)arg;
	if (++redefer_count < 10)
		ev_defer(redefer_loop, &redefer_d);
}

START_TEST(test_defer_self_requeue_is_bounded)
{
	redefer_count = 0;
	ck_assert_int_eq(ev_loop_create(&redefer_loop), 0);
	ev_deferred_init(&redefer_d, redefer_cb, NULL);
	ev_defer(redefer_loop, &redefer_d);
	ck_assert_int_eq(ev_run_once(redefer_loop, -1), 0);
	/* A few rounds per iteration, never an endless loop inside one. */
	ck_assert_int_gt(redefer_count, 1);
	ck_assert_int_lt(redefer_count, 10);
	for (int i = 0; i < 10 && redefer_count < 10; i++)
		ck_assert_int_eq(ev_run_once(redefer_loop, -1), 0);
	ck_assert_int_eq(redefer_count, 10);
	ck_assert(!redefer_d.queued);
	ev_loop_destroy(redefer_loop);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("ev");
	TCase *tc;

	tc = tcase_create("fd");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fd_read_ready);
	tcase_add_test(tc, test_fd_write_and_mod);
	tcase_add_test(tc, test_fd_hangup_reports_error);
	tcase_add_test(tc, test_fd_errors);
	tcase_add_test(tc, test_fd_del_pending_in_batch);
	tcase_add_test(tc, test_fd_del_readd_in_batch);
	suite_add_tcase(s, tc);

	tc = tcase_create("timer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_timer_order);
	tcase_add_test(tc, test_timer_run_once_waits_for_timer);
	tcase_add_test(tc, test_timer_rearm_by_return);
	tcase_add_test(tc, test_timer_zero_interval_does_not_spin);
	tcase_add_test(tc, test_timer_cancel_in_own_callback);
	tcase_add_test(tc, test_timer_reset_in_own_callback);
	tcase_add_test(tc, test_timer_cancel_other_due);
	tcase_add_test(tc, test_timer_reset_and_cancel_armed);
	tcase_add_test(tc, test_timer_many_random);
	tcase_add_test(tc, test_destroy_frees_armed_timers);
	tcase_add_test(tc, test_now_monotonic);
	suite_add_tcase(s, tc);

	tc = tcase_create("post");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_post_from_threads_in_order);
	tcase_add_test(tc, test_post_not_run_inside_post);
	tcase_add_test(tc, test_post_from_posted_callback);
	tcase_add_test(tc, test_destroy_drops_pending_posts);
	tcase_add_test(tc, test_stop_from_thread);
	tcase_add_test(tc, test_stop_before_run);
	tcase_add_test(tc, test_current_per_thread);
	tcase_add_test(tc, test_defer_runs_after_events_once);
	tcase_add_test(tc, test_defer_cancel_and_order);
	tcase_add_test(tc, test_defer_self_requeue_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

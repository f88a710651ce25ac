/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shared home on RADOS (rbd_pr.c) over a fake librados: one object
 * with a version, its watchers, notify with acknowledgements and a
 * timeout. Two gateways (two homes on the one object) and a fake owner
 * whose state is a byte string: an update appends a byte. What is checked:
 * the read-modify-write retried after another gateway's write and bounded,
 * the order (stored, applied here, notified, applied by the peer, done),
 * a peer's late ack holding the request, a peer that never acks, and the
 * resync after a lost watch. Every wait is bounded (5 s).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "target/backstore/rbd.h"
#include "tests/unit/check_main.h"

#define NGW 2
#define WAIT_MS 5000

static pthread_mutex_t L = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t C = PTHREAD_COND_INITIALIZER;

struct watcher {
	bool used;
	bs_rbd_watch_cb cb;
	bs_rbd_watch_err_cb errcb;
	void *arg;
	uint64_t handle;
};

/* The object, and what happened to it, in order. */
static struct {
	bool exists;
	uint8_t data[256];
	size_t len;
	uint64_t ver;
	struct watcher w[NGW];
	uint64_t next_handle;
	uint64_t notify_id;
	int acks_pending;
	int race_writes; /* writes that find another gateway's write first */
	int watch_fails; /* watches that fail */
	int nwrites, nnotifies, npings;
	char log[256];
} O;

/* The owner of each gateway's state. */
struct gw {
	int idx;
	uint8_t state[256];
	size_t len;
	uint64_t ver;
	int ndeliver, nreplace, nstale;
	unsigned int unacked;
	bool hold;		  /* keep the next delivery's ack */
	void (*acked)(void *ctx); /* a held ack */
	void *ctx;
	struct bs_shared *sh;
};

static struct gw G[NGW];

struct treq {
	uint8_t add;
	int napply;
	bool done;
	int err;
};

static void logc(const char *s)
{
	strncat(O.log, s, sizeof(O.log) - strlen(O.log) - 1);
}

static int gw_of(void *io)
{
	return (int)(long)io;
}

/* ---- fake librados ---- */

static int f_read(void *io, const char *oid, uint8_t *buf, size_t cap, size_t *len, uint64_t *ver)
{
	(void)io;
	ck_assert_str_eq(oid, "portico.pr.abc");
	pthread_mutex_lock(&L);
	if (!O.exists) {
		pthread_mutex_unlock(&L);
		return -ENOENT;
	}
	ck_assert_uint_le(O.len, cap);
	memcpy(buf, O.data, O.len);
	*len = O.len;
	*ver = O.ver;
	pthread_mutex_unlock(&L);
	return 0;
}

static int f_write(void *io, const char *oid, const uint8_t *buf, size_t len, uint64_t ver,
		   uint64_t *newver)
{
	int ret = 0;

	(void)io;
	(void)oid;
	pthread_mutex_lock(&L);
	if (O.race_writes > 0 && O.exists) {
		/* another gateway got there first: its byte, a new version */
		O.race_writes--;
		O.data[O.len++] = 'x';
		O.ver++;
	}
	if (!ver && O.exists)
		ret = -EEXIST;
	else if (ver && !O.exists)
		ret = -ENOENT;
	else if (ver && ver != O.ver)
		ret = ver < O.ver ? -ERANGE : -EOVERFLOW;
	if (!ret) {
		ck_assert_uint_le(len, sizeof(O.data));
		memcpy(O.data, buf, len);
		O.len = len;
		O.exists = true;
		*newver = ++O.ver;
		O.nwrites++;
		logc("W");
	}
	pthread_mutex_unlock(&L);
	return ret;
}

static int f_watch(void *io, const char *oid, uint64_t *handle, bs_rbd_watch_cb cb,
		   bs_rbd_watch_err_cb errcb, void *arg)
{
	struct watcher *w = &O.w[gw_of(io)];

	(void)oid;
	pthread_mutex_lock(&L);
	if (O.watch_fails > 0) {
		O.watch_fails--;
		pthread_mutex_unlock(&L);
		return -ENOTCONN;
	}
	ck_assert(!w->used);
	w->used = true;
	w->cb = cb;
	w->errcb = errcb;
	w->arg = arg;
	w->handle = *handle = ++O.next_handle;
	pthread_mutex_unlock(&L);
	return 0;
}

static int f_unwatch(void *io, uint64_t handle)
{
	struct watcher *w = &O.w[gw_of(io)];

	pthread_mutex_lock(&L);
	if (w->used && w->handle == handle)
		w->used = false;
	pthread_mutex_unlock(&L);
	return 0;
}

static void deadline(struct timespec *ts, uint64_t ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static int f_notify(void *io, const char *oid, const uint8_t *buf, size_t len, uint64_t timeout_ms,
		    unsigned int *acked, unsigned int *unacked)
{
	int n;

	struct watcher snap[NGW];
	struct timespec ts;
	uint64_t id;
	int i, ret = 0;

	(void)io;
	(void)oid;
	pthread_mutex_lock(&L);
	id = ++O.notify_id;
	if (len) {
		O.nnotifies++;
		logc("N");
	} else {
		O.npings++;
	}
	memcpy(snap, O.w, sizeof(snap));
	O.acks_pending = 0;
	for (i = 0; i < NGW; i++)
		O.acks_pending += snap[i].used;
	n = O.acks_pending;
	pthread_mutex_unlock(&L);
	for (i = 0; i < NGW; i++) {
		if (snap[i].used)
			snap[i].cb(snap[i].arg, id, snap[i].handle, 1, (void *)buf, len);
	}
	deadline(&ts, timeout_ms);
	pthread_mutex_lock(&L);
	while (O.acks_pending > 0 && pthread_cond_timedwait(&C, &L, &ts) != ETIMEDOUT)
		;
	*acked = (unsigned int)(n - O.acks_pending);
	if (O.acks_pending > 0) {
		*unacked = (unsigned int)O.acks_pending;
		ret = -ETIMEDOUT;
	}
	O.notify_id++; /* late acks of this one count for nothing */
	pthread_mutex_unlock(&L);
	return ret;
}

static int f_ack(void *io, const char *oid, uint64_t notify_id, uint64_t handle)
{
	char s[4] = {'A', (char)('0' + gw_of(io)), 0};

	(void)oid;
	(void)handle;
	pthread_mutex_lock(&L);
	if (notify_id == O.notify_id) {
		O.acks_pending--;
		logc(s);
	}
	pthread_cond_broadcast(&C);
	pthread_mutex_unlock(&L);
	return 0;
}

static const struct bs_rbd_home_lib fake_lib = {
    .read = f_read,
    .write = f_write,
    .watch = f_watch,
    .unwatch = f_unwatch,
    .notify = f_notify,
    .ack = f_ack,
};

/* Fails gateway g's watch as librados would: the watch is gone, the error callback runs. */
static void fail_watch(int g)
{
	struct watcher w;

	pthread_mutex_lock(&L);
	w = O.w[g];
	O.w[g].used = false;
	pthread_mutex_unlock(&L);
	ck_assert(w.used);
	w.errcb(w.arg, w.handle, -ENOTCONN);
}

/* ---- the fake owner ---- */

static int o_apply(void *req, const uint8_t *cur, size_t curlen, uint8_t **next, size_t *nextlen,
		   uint8_t **note, size_t *notelen)
{
	struct treq *r = req;

	r->napply++;
	if (!r->add)
		return 0;
	*next = malloc(curlen + 1);
	memcpy(*next, cur, curlen);
	(*next)[curlen] = r->add;
	*nextlen = curlen + 1;
	*note = malloc(1);
	(*note)[0] = 'n';
	*notelen = 1;
	return 1;
}

static void o_done(void *req, int err)
{
	struct treq *r = req;

	pthread_mutex_lock(&L);
	r->done = true;
	r->err = err;
	logc(".");
	pthread_cond_broadcast(&C);
	pthread_mutex_unlock(&L);
}

static int o_deliver(void *arg, uint64_t ver, const uint8_t *state, size_t len, const uint8_t *note,
		     size_t notelen, void (*acked)(void *ctx), void *ctx)
{
	struct gw *g = arg;
	char s[4] = {'D', (char)('0' + g->idx), 0};
	int ret = 0;

	ck_assert_uint_eq(notelen, 1);
	ck_assert_uint_eq(note[0], 'n');
	pthread_mutex_lock(&L);
	g->ndeliver++;
	if (ver > g->ver) {
		memcpy(g->state, state, len);
		g->len = len;
		g->ver = ver;
		logc(s);
		if (g->hold) {
			g->hold = false;
			g->acked = acked;
			g->ctx = ctx;
			ret = 1;
		}
	}
	pthread_cond_broadcast(&C);
	pthread_mutex_unlock(&L);
	return ret;
}

static int o_replace(void *arg, uint64_t ver, const uint8_t *state, size_t len)
{
	struct gw *g = arg;

	pthread_mutex_lock(&L);
	memcpy(g->state, state, len);
	g->len = len;
	g->ver = ver;
	g->nreplace++;
	pthread_cond_broadcast(&C);
	pthread_mutex_unlock(&L);
	return 0;
}

static bool keep_answer;

static bool o_keep(void *arg, const uint8_t *state, size_t len)
{
	(void)arg;
	(void)state;
	(void)len;
	return keep_answer;
}

static void o_stale(void *arg)
{
	struct gw *g = arg;

	pthread_mutex_lock(&L);
	g->nstale++;
	pthread_mutex_unlock(&L);
}

static void o_unacked(void *arg, unsigned int n)
{
	struct gw *g = arg;

	pthread_mutex_lock(&L);
	g->unacked += n;
	pthread_mutex_unlock(&L);
}

static const struct bs_shared_cbs owner = {
    .apply = o_apply,
    .done = o_done,
    .deliver = o_deliver,
    .replace = o_replace,
    .keep = o_keep,
    .stale = o_stale,
    .unacked = o_unacked,
};

static struct bs_rbd_home_opts opts = {
    .tries = 8,
    .notify_timeout_ms = 5000,
    .local_timeout_ms = 5000,
    .resync_interval_ms = 10,
};

/* Waits (bounded) until *flag, under L. */
static void wait_for(const bool *flag)
{
	struct timespec ts;

	deadline(&ts, WAIT_MS);
	pthread_mutex_lock(&L);
	while (!*flag && pthread_cond_timedwait(&C, &L, &ts) != ETIMEDOUT)
		;
	ck_assert(*flag);
	pthread_mutex_unlock(&L);
}

static void wait_count(const int *n, int want)
{
	struct timespec ts;

	deadline(&ts, WAIT_MS);
	pthread_mutex_lock(&L);
	while (*n < want && pthread_cond_timedwait(&C, &L, &ts) != ETIMEDOUT)
		;
	ck_assert_int_ge(*n, want);
	pthread_mutex_unlock(&L);
}

static void open_gw(int i)
{
	G[i].idx = i;
	ck_assert_int_eq(bs_rbd_home_open(&fake_lib, (void *)(long)i, "portico.pr.abc",
					  (const uint8_t *)"S", 1, &owner, &G[i], &opts, &G[i].sh),
			 0);
}

static void setup(void)
{
	memset(&O, 0, sizeof(O));
	memset(G, 0, sizeof(G));
	open_gw(0);
	open_gw(1);
}

static void teardown(void)
{
	bs_shared_close(G[0].sh);
	bs_shared_close(G[1].sh);
	ck_assert(!O.w[0].used && !O.w[1].used);
}

/* One update through gateway g, run to its end. */
static void update(int g, struct treq *r)
{
	ck_assert_int_eq(bs_shared_update(G[g].sh, r), 0);
	wait_for(&r->done);
}

START_TEST(test_note_codec)
{
	const uint8_t *s, *n;
	uint8_t *p = NULL;
	size_t len = 0, sl, nl;
	uint64_t ver;

	ck_assert_int_eq(
	    bs_rbd_note_build(42, (const uint8_t *)"state", 5, (const uint8_t *)"no", 2, &p, &len),
	    0);
	ck_assert_uint_eq(len, 20 + 5 + 2);
	ck_assert_int_eq(bs_rbd_note_parse(p, len, &ver, &s, &sl, &n, &nl), 0);
	ck_assert_uint_eq(ver, 42);
	ck_assert_uint_eq(sl, 5);
	ck_assert_int_eq(memcmp(s, "state", 5), 0);
	ck_assert_uint_eq(nl, 2);
	ck_assert_int_eq(memcmp(n, "no", 2), 0);
	/* cut short anywhere, a byte too many, a wrong magic, a state length past the end */
	for (sl = 0; sl < len; sl++)
		ck_assert_int_eq(bs_rbd_note_parse(p, sl, &ver, &s, &sl, &n, &nl), -EINVAL);
	p[12] = 0xff;
	ck_assert_int_eq(bs_rbd_note_parse(p, len, &ver, &s, &sl, &n, &nl), -EINVAL);
	p[12] = 0;
	p[0] = 'X';
	ck_assert_int_eq(bs_rbd_note_parse(p, len, &ver, &s, &sl, &n, &nl), -EINVAL);
	free(p);
}
END_TEST

START_TEST(test_open_creates_once)
{
	/* the first gateway made it with the initial state; the second read it */
	ck_assert(O.exists);
	ck_assert_uint_eq(O.ver, 1);
	ck_assert_int_eq(O.nwrites, 1);
	ck_assert_int_eq(G[1].nreplace, 1);
	ck_assert_uint_eq(G[1].ver, 1);
	ck_assert_uint_eq(G[1].len, 1);
	ck_assert_uint_eq(G[0].ver, 1);
	ck_assert(O.w[0].used && O.w[1].used);
}
END_TEST

START_TEST(test_update_order)
{
	struct treq r = {.add = 'a'};

	update(0, &r);
	ck_assert_int_eq(r.err, 0);
	ck_assert_int_eq(r.napply, 1);
	ck_assert_uint_eq(O.len, 2);
	ck_assert_int_eq(memcmp(O.data, "Sa", 2), 0);
	/* both gateways have it, at the object's version */
	ck_assert_uint_eq(G[1].ver, O.ver);
	ck_assert_int_eq(memcmp(G[1].state, "Sa", 2), 0);
	ck_assert_uint_eq(G[0].ver, O.ver);
	/*
	 * Stored, applied here, notified, applied by the peer; the writer's
	 * own watch acks what it already has; done after both acks.
	 */
	/* W: 0 made it; A0: 0 answered the ping of 1 opening */
	ck_assert_str_eq(O.log, "WA0WD0NA0D1A1.");
	ck_assert_uint_eq(G[0].unacked, 0);
	/* nothing to store: no write, no notify */
	memset(&r, 0, sizeof(r));
	update(1, &r);
	ck_assert_int_eq(r.err, 0);
	ck_assert_int_eq(O.nwrites, 2);
	ck_assert_int_eq(O.nnotifies, 1);
}
END_TEST

START_TEST(test_waits_for_peer_ack)
{
	struct treq r = {.add = 'b'};

	G[1].hold = true;
	ck_assert_int_eq(bs_shared_update(G[0].sh, &r), 0);
	/* the peer has it, and holds its ack (its aborted tasks are still leaving) */
	wait_count(&G[1].ndeliver, 1);
	pthread_mutex_lock(&L);
	ck_assert_ptr_nonnull(G[1].acked);
	ck_assert(!r.done);
	pthread_mutex_unlock(&L);
	G[1].acked(G[1].ctx);
	wait_for(&r.done);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(G[0].unacked, 0);
}
END_TEST

START_TEST(test_applied_here_first)
{
	struct treq r = {.add = 'c'};

	/* this gateway's own apply holds (its aborted tasks are leaving): no notify yet */
	G[0].hold = true;
	ck_assert_int_eq(bs_shared_update(G[0].sh, &r), 0);
	wait_count(&G[0].ndeliver, 1);
	pthread_mutex_lock(&L);
	ck_assert_int_eq(O.nnotifies, 0);
	ck_assert_uint_lt(G[1].ver, O.ver);
	ck_assert(!r.done);
	pthread_mutex_unlock(&L);
	G[0].acked(G[0].ctx);
	wait_for(&r.done);
	ck_assert_int_eq(O.nnotifies, 1);
	ck_assert_uint_eq(G[1].ver, O.ver);
}
END_TEST

START_TEST(test_unacked_hook)
{
	struct treq r = {.add = 'd'};

	/* gateway 1 applies and never acks within the bound: the writer is told, and ends */
	bs_shared_close(G[0].sh);
	opts.notify_timeout_ms = 50;
	open_gw(0);
	G[1].hold = true;
	update(0, &r);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(G[0].unacked, 1);
	ck_assert_uint_eq(G[1].ver, O.ver);
	opts.notify_timeout_ms = 5000;
	/* the late ack is harmless */
	G[1].acked(G[1].ctx);
}
END_TEST

START_TEST(test_lost_race_read_again)
{
	struct treq r = {.add = 'e'};

	O.race_writes = 2;
	update(0, &r);
	ck_assert_int_eq(r.err, 0);
	/* applied three times, the last on the other gateway's two changes */
	ck_assert_int_eq(r.napply, 3);
	ck_assert_uint_eq(O.len, 4);
	ck_assert_int_eq(memcmp(O.data, "Sxxe", 4), 0);
	ck_assert_int_eq(memcmp(G[1].state, "Sxxe", 4), 0);
}
END_TEST

START_TEST(test_lost_races_bounded)
{
	struct treq r = {.add = 'f'};

	O.race_writes = 1000;
	update(0, &r);
	ck_assert_int_eq(r.err, -EAGAIN);
	ck_assert_int_eq(r.napply, (int)opts.tries);
	ck_assert_int_eq(O.nnotifies, 0);
	O.race_writes = 0;
}
END_TEST

START_TEST(test_resync_after_watch_error)
{
	struct treq r = {.add = 'g'};

	/* gateway 1 loses its watch, and cannot watch again for now */
	O.watch_fails = 1000000;
	fail_watch(1);
	ck_assert_int_eq(G[1].nstale, 1);
	/* a change made meanwhile does not reach it */
	update(0, &r);
	ck_assert_int_eq(r.err, 0);
	pthread_mutex_lock(&L);
	ck_assert_uint_lt(G[1].ver, O.ver);
	ck_assert_int_eq(G[1].nreplace, 1);
	O.watch_fails = 0;
	pthread_mutex_unlock(&L);
	/* it reads the object again once it watches again: no change missed */
	wait_count(&G[1].nreplace, 2);
	pthread_mutex_lock(&L);
	ck_assert_uint_eq(G[1].ver, O.ver);
	ck_assert_int_eq(memcmp(G[1].state, "Sg", 2), 0);
	ck_assert(O.w[1].used);
	pthread_mutex_unlock(&L);
	/* and is notified again from then on */
	memset(&r, 0, sizeof(r));
	r.add = 'h';
	update(0, &r);
	ck_assert_int_eq(memcmp(G[1].state, "Sgh", 3), 0);
}
END_TEST

START_TEST(test_unserved_state)
{
	struct treq r = {.add = 'k'};

	update(0, &r);
	/* gateway 1 starts again while 0 serves: 0 answers, the state stays */
	keep_answer = false;
	bs_shared_close(G[1].sh);
	open_gw(1);
	ck_assert_int_eq(O.npings, 2); /* 1's first open found none; this one found 0 */
	ck_assert_int_eq(memcmp(G[1].state, "Sk", 2), 0);
	/* both gone, then one starts: nobody answers, the owner says drop it */
	bs_shared_close(G[0].sh);
	bs_shared_close(G[1].sh);
	open_gw(0);
	ck_assert_uint_eq(G[0].len, 1);
	ck_assert_int_eq(memcmp(O.data, "S", 1), 0);
	/* or keep it */
	r.done = false;
	update(0, &r);
	bs_shared_close(G[0].sh);
	keep_answer = true;
	open_gw(0);
	ck_assert_int_eq(memcmp(G[0].state, "Sk", 2), 0);
	open_gw(1);
}
END_TEST

static Suite *rbd_pr_suite(void)
{
	Suite *s = suite_create("rbd_pr");
	TCase *tc = tcase_create("home");

	tcase_add_test(tc, test_note_codec);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_creates_once);
	tcase_add_test(tc, test_update_order);
	tcase_add_test(tc, test_waits_for_peer_ack);
	tcase_add_test(tc, test_applied_here_first);
	tcase_add_test(tc, test_unacked_hook);
	tcase_add_test(tc, test_lost_race_read_again);
	tcase_add_test(tc, test_lost_races_bounded);
	tcase_add_test(tc, test_resync_after_watch_error);
	tcase_add_test(tc, test_unserved_state);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(rbd_pr_suite)

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ownership machine on its thread (target/backstore/rbd_owner_run.c)
 * over a fake lease (one lock with an expiry on the real monotonic clock,
 * the owner's record, a blocklist): a short lease (300 ms) so that the
 * stories take a second or two. Nothing asserts a duration: each test
 * waits, bounded, for what must happen, and checks the order things
 * happened in.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/scsi_proto.h"
#include "target/backstore/rbd_owner_run.h"
#include "tests/unit/check_main.h"

struct fake_cluster {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int holder; /* -1 none */
	uint64_t expires;
	uint32_t lease_ms;
	char rec_addr[BS_OWNER_ADDR_MAX + 1];
	bool rec_clean;
	char blocklist[4][BS_OWNER_ADDR_MAX + 1];
	int nblock;
	bool published_after_fence; /* the new owner published only after its fence */
	/* the group's members (a fake omap) and the runs its notifies reach */
	struct bs_member_rec members[2];
	bool registered[2];
	struct bs_owner_run *runs[2];
	int member_fences;
	int move_notifies; /* "move" notifies sent (asks and hand-overs) */
	bool victim_gate_closed; /* the fenced member had stopped writing when fenced */
};

struct fake_gw {
	struct fake_cluster *c;
	int id;
	const char *name;
	const char *addr;
	bool renew_fails; /* -ETIMEDOUT */
	bool renew_blocks; /* the renewal hangs until unblocked */
	bool dead;         /* every call hangs (a frozen process) */
	int changed;       /* the hook's calls */
	int publishes;
};

static struct bs_owner_cfg short_cfg(void)
{
	return (struct bs_owner_cfg){ .lease_ms = 300, .renew_ms = 100, .fence_ms = 200 };
}

static void fake_init(struct fake_cluster *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->holder = -1;
	c->lease_ms = 300;
}

static bool fake_blocklisted(const struct fake_gw *g)
{
	for (int i = 0; i < g->c->nblock; i++)
		if (strcmp(g->c->blocklist[i], g->addr) == 0)
			return true;
	return false;
}

/* Under c->lock: hangs while the gateway is frozen, bounded to 10 s. */
static void fake_hang(struct fake_gw *g, const bool *flag)
{
	for (int i = 0; i < 100 && (*flag || g->dead); i++) {
		pthread_mutex_unlock(&g->c->lock);
		usleep(100 * 1000);
		pthread_mutex_lock(&g->c->lock);
	}
}

static int fake_acquire(void *ctx, char prev[BS_OWNER_ADDR_MAX + 1], bool *clean,
			char holder[BS_OWNER_NAME_MAX + 1])
{
	struct fake_gw *g = ctx;
	struct fake_cluster *c = g->c;
	uint64_t now = bs_owner_clock_ms();
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	fake_hang(g, &g->dead);
	if (fake_blocklisted(g)) {
		ret = -ESHUTDOWN;
	} else if (c->holder < 0 || c->holder == g->id || now >= c->expires) {
		c->holder = g->id;
		c->expires = now + c->lease_ms;
		snprintf(prev, BS_OWNER_ADDR_MAX + 1, "%s", c->rec_addr);
		*clean = c->rec_clean;
	} else {
		snprintf(holder, BS_OWNER_NAME_MAX + 1, "gw%d", c->holder);
		ret = -EBUSY;
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

static int fake_renew(void *ctx)
{
	struct fake_gw *g = ctx;
	struct fake_cluster *c = g->c;
	uint64_t now = bs_owner_clock_ms();
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	fake_hang(g, &g->renew_blocks);
	if (fake_blocklisted(g))
		ret = -ESHUTDOWN;
	else if (g->renew_fails)
		ret = -ETIMEDOUT;
	else if (c->holder == g->id || c->holder < 0 || now >= c->expires) {
		c->holder = g->id;
		c->expires = now + c->lease_ms;
	} else
		ret = -ENOENT;
	pthread_mutex_unlock(&c->lock);
	return ret;
}

static int fake_fence(void *ctx, const char *addr)
{
	struct fake_gw *g = ctx;

	pthread_mutex_lock(&g->c->lock);
	snprintf(g->c->blocklist[g->c->nblock++ % 4], BS_OWNER_ADDR_MAX + 1, "%s", addr);
	pthread_mutex_unlock(&g->c->lock);
	return 0;
}

static int fake_publish(void *ctx)
{
	struct fake_gw *g = ctx;

	pthread_mutex_lock(&g->c->lock);
	fake_hang(g, &g->dead);
	if (g->c->rec_addr[0] && !g->c->rec_clean && strcmp(g->c->rec_addr, g->addr) != 0)
		g->c->published_after_fence = g->c->nblock > 0;
	snprintf(g->c->rec_addr, sizeof(g->c->rec_addr), "%s", g->addr);
	g->c->rec_clean = false;
	g->publishes++;
	pthread_mutex_unlock(&g->c->lock);
	return 0;
}

/* A "move TO" notify: to every run the cluster knows (the membership stories set them), the sender's too. */
static void fake_move_notify(struct fake_cluster *c, const char *to)
{
	struct bs_owner_run *runs[2];

	pthread_mutex_lock(&c->lock);
	runs[0] = c->runs[0];
	runs[1] = c->runs[1];
	c->move_notifies++;
	pthread_mutex_unlock(&c->lock);
	for (int i = 0; i < 2; i++)
		if (runs[i])
			bs_owner_run_post(runs[i], BS_OWNER_EV_MOVE, to);
}

static int fake_release(void *ctx, const char *to)
{
	struct fake_gw *g = ctx;

	pthread_mutex_lock(&g->c->lock);
	fake_hang(g, &g->dead);
	if (g->c->holder == g->id) {
		g->c->holder = -1;
		g->c->rec_clean = true;
	}
	pthread_mutex_unlock(&g->c->lock);
	if (to && to[0])
		fake_move_notify(g->c, to);
	return 0;
}

static int fake_ask_move(void *ctx, const char *to)
{
	struct fake_gw *g = ctx;

	fake_move_notify(g->c, to);
	return 0;
}

static const struct bs_owner_ops fake_ops = {
	.acquire = fake_acquire,
	.renew = fake_renew,
	.fence = fake_fence,
	.publish = fake_publish,
	.release = fake_release,
	.ask_move = fake_ask_move,
};

/* ---- the membership's fake: an omap of two, notifies posted to both runs ---- */

static void fake_notify(struct fake_cluster *c, enum bs_member_ev_type type,
			const struct bs_member_rec *r)
{
	struct bs_owner_run *runs[2];

	pthread_mutex_lock(&c->lock);
	runs[0] = c->runs[0];
	runs[1] = c->runs[1];
	pthread_mutex_unlock(&c->lock);
	for (int i = 0; i < 2; i++)
		if (runs[i])
			bs_owner_run_post_member(runs[i], type, r);
}

static int fake_member_list(void *ctx, struct bs_member_rec *recs, size_t max, size_t *n)
{
	struct fake_gw *g = ctx;

	*n = 0;
	pthread_mutex_lock(&g->c->lock);
	for (int i = 0; i < 2 && *n < max; i++)
		if (g->c->registered[i])
			recs[(*n)++] = g->c->members[i];
	pthread_mutex_unlock(&g->c->lock);
	return 0;
}

static int fake_member_renew(void *ctx, const struct bs_member_rec *self)
{
	struct fake_gw *g = ctx;
	int ret = 0;

	pthread_mutex_lock(&g->c->lock);
	fake_hang(g, &g->dead);
	if (fake_blocklisted(g)) {
		ret = -ESHUTDOWN;
	} else {
		g->c->members[g->id] = *self;
		g->c->registered[g->id] = true;
	}
	pthread_mutex_unlock(&g->c->lock);
	if (!ret)
		fake_notify(g->c, BS_MEMBER_EV_HEARD, self);
	return ret;
}

static int fake_member_fence(void *ctx, const struct bs_member_rec *rec)
{
	struct fake_gw *g = ctx;
	struct fake_cluster *c = g->c;
	int victim = 1 - g->id;

	pthread_mutex_lock(&c->lock);
	c->victim_gate_closed = c->runs[victim] && !bs_owner_run_may_write(c->runs[victim]);
	snprintf(c->blocklist[c->nblock++ % 4], BS_OWNER_ADDR_MAX + 1, "%s", rec->addr);
	c->member_fences++;
	c->registered[victim] = false;
	pthread_mutex_unlock(&c->lock);
	fake_notify(c, BS_MEMBER_EV_GONE, rec);
	return 0;
}

static int fake_member_leave(void *ctx, const struct bs_member_rec *self)
{
	struct fake_gw *g = ctx;

	pthread_mutex_lock(&g->c->lock);
	g->c->registered[g->id] = false;
	pthread_mutex_unlock(&g->c->lock);
	fake_notify(g->c, BS_MEMBER_EV_LEFT, self);
	return 0;
}

static const struct bs_owner_ops fake_member_ops = {
	.acquire = fake_acquire,
	.renew = fake_renew,
	.fence = fake_fence,
	.publish = fake_publish,
	.release = fake_release,
	.ask_move = fake_ask_move,
	.member_list = fake_member_list,
	.member_renew = fake_member_renew,
	.member_fence = fake_member_fence,
	.member_leave = fake_member_leave,
};

static void fake_changed(void *arg)
{
	struct fake_gw *g = arg;

	__atomic_add_fetch(&g->changed, 1, __ATOMIC_RELAXED);
}

static void gw_set(struct fake_gw *g, struct fake_cluster *c, int id, const char *name,
		   const char *addr)
{
	memset(g, 0, sizeof(*g));
	g->c = c;
	g->id = id;
	g->name = name;
	g->addr = addr;
}

/* Waits (bounded: 10 s) for r's ALUA state to become alua. */
static bool wait_alua(struct bs_owner_run *r, uint8_t alua)
{
	for (int i = 0; i < 1000; i++) {
		if (bs_owner_run_alua(r) == alua)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

START_TEST(test_run_owner_and_clean_stop)
{
	struct fake_cluster c;
	struct fake_gw g;
	struct bs_owner_run *r;
	struct bs_owner_cfg cfg = short_cfg();
	struct bs_owner_info v;

	fake_init(&c);
	gw_set(&g, &c, 0, "gw0", "addr0");
	ck_assert_int_eq(bs_owner_run_start(&cfg, "gw0", "addr0", &fake_ops, &g, fake_changed, &g,
					    &r), 0);
	ck_assert(wait_alua(r, SCSI_ALUA_ACTIVE_OPTIMIZED));
	ck_assert(bs_owner_run_may_write(r));
	ck_assert_int_ge(__atomic_load_n(&g.changed, __ATOMIC_RELAXED), 1);
	/* a few renewals later, still the owner */
	usleep(500 * 1000);
	ck_assert_uint_eq(bs_owner_run_alua(r), SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert(bs_owner_run_may_write(r));
	bs_owner_run_view(r, &v);
	ck_assert_str_eq(v.owner, "gw0");
	ck_assert_str_eq(v.state, "owner");
	ck_assert_uint_ge(v.nnotes, 1);
	bs_owner_run_stop(r);
	/* handed back: the next one has nothing to fence */
	ck_assert_int_eq(c.holder, -1);
	ck_assert(c.rec_clean);
}
END_TEST

/* Renewals fail: writes stop, then the LU is unavailable here. */
START_TEST(test_run_renew_fails)
{
	struct fake_cluster c;
	struct fake_gw g;
	struct bs_owner_run *r;
	struct bs_owner_cfg cfg = short_cfg();
	struct bs_owner_info v;
	bool found = false;

	fake_init(&c);
	gw_set(&g, &c, 0, "gw0", "addr0");
	ck_assert_int_eq(bs_owner_run_start(&cfg, "gw0", "addr0", &fake_ops, &g, fake_changed, &g,
					    &r), 0);
	ck_assert(wait_alua(r, SCSI_ALUA_ACTIVE_OPTIMIZED));
	pthread_mutex_lock(&c.lock);
	g.renew_fails = true;
	pthread_mutex_unlock(&c.lock);
	ck_assert(wait_alua(r, SCSI_ALUA_UNAVAILABLE));
	ck_assert(!bs_owner_run_may_write(r));
	bs_owner_run_view(r, &v);
	for (unsigned i = 0; i < v.nnotes; i++)
		if (strstr(v.notes[i].text, "writes stopped"))
			found = true;
	ck_assert(found);
	bs_owner_run_stop(r);
}
END_TEST

/* A renewal that hangs: the gate closes all the same, while the thread is stuck. */
START_TEST(test_run_gate_without_thread)
{
	struct fake_cluster c;
	struct fake_gw g;
	struct bs_owner_run *r;
	struct bs_owner_cfg cfg = short_cfg();
	bool closed = false;

	fake_init(&c);
	gw_set(&g, &c, 0, "gw0", "addr0");
	ck_assert_int_eq(bs_owner_run_start(&cfg, "gw0", "addr0", &fake_ops, &g, fake_changed, &g,
					    &r), 0);
	ck_assert(wait_alua(r, SCSI_ALUA_ACTIVE_OPTIMIZED));
	pthread_mutex_lock(&c.lock);
	g.renew_blocks = true;
	pthread_mutex_unlock(&c.lock);
	for (int i = 0; i < 500 && !closed; i++) {
		closed = !bs_owner_run_may_write(r);
		usleep(10 * 1000);
	}
	ck_assert(closed);
	/* the thread is still in the renewal: the machine itself has not moved */
	ck_assert_uint_eq(bs_owner_run_alua(r), SCSI_ALUA_ACTIVE_OPTIMIZED);
	pthread_mutex_lock(&c.lock);
	g.renew_blocks = false;
	pthread_mutex_unlock(&c.lock);
	bs_owner_run_stop(r);
}
END_TEST

/* Two gateways; the owner freezes: the other takes over after the lapse, fencing it first. */
START_TEST(test_run_takeover)
{
	struct fake_cluster c;
	struct fake_gw g0, g1;
	struct bs_owner_run *r0, *r1;
	struct bs_owner_cfg cfg = short_cfg();
	struct bs_owner_info v;

	fake_init(&c);
	gw_set(&g0, &c, 0, "gw0", "addr0");
	gw_set(&g1, &c, 1, "gw1", "addr1");
	ck_assert_int_eq(bs_owner_run_start(&cfg, "gw0", "addr0", &fake_ops, &g0, fake_changed,
					    &g0, &r0), 0);
	ck_assert(wait_alua(r0, SCSI_ALUA_ACTIVE_OPTIMIZED));
	ck_assert_int_eq(bs_owner_run_start(&cfg, "gw1", "addr1", &fake_ops, &g1, fake_changed,
					    &g1, &r1), 0);
	usleep(400 * 1000);
	ck_assert_uint_eq(bs_owner_run_alua(r1), SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert(bs_owner_run_may_write(r1)); /* a non-owner serves writes */
	bs_owner_run_view(r1, &v);
	ck_assert_str_eq(v.owner, "gw0");
	/* gw0 freezes */
	pthread_mutex_lock(&c.lock);
	g0.dead = true;
	pthread_mutex_unlock(&c.lock);
	ck_assert(wait_alua(r1, SCSI_ALUA_ACTIVE_OPTIMIZED));
	/* the frozen owner's gate closed by itself */
	ck_assert(!bs_owner_run_may_write(r0));
	pthread_mutex_lock(&c.lock);
	ck_assert_int_eq(c.nblock, 1);
	ck_assert_str_eq(c.blocklist[0], "addr0");
	ck_assert(c.published_after_fence);
	ck_assert_str_eq(c.rec_addr, "addr1");
	g0.dead = false; /* it thaws: blocklisted, it stops for good */
	pthread_mutex_unlock(&c.lock);
	ck_assert(wait_alua(r0, SCSI_ALUA_UNAVAILABLE));
	ck_assert(!bs_owner_run_may_write(r0));
	bs_owner_run_stop(r0);
	bs_owner_run_stop(r1);
}
END_TEST

/*
 * The membership stories run two threads each on a machine that may be
 * busy: a lease of 1.5 s, so that a slow scheduler does not lapse a live
 * member (what the stories check is the order of things, not a time).
 */
static struct bs_owner_cfg member_cfg(void)
{
	return (struct bs_owner_cfg){ .lease_ms = 1500, .renew_ms = 500, .fence_ms = 1000 };
}

/* Waits (bounded: 10 s) until r may write (or may not). */
static bool wait_write(struct bs_owner_run *r, bool may)
{
	for (int i = 0; i < 1000; i++) {
		if (bs_owner_run_may_write(r) == may)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

/* Waits (bounded: 10 s) until r's view lists n port groups. */
static bool wait_tpgs(struct bs_owner_run *r, size_t n, struct bs_member_tpg *t)
{
	for (int i = 0; i < 1000; i++) {
		if (bs_owner_run_tpgs(r, t, 4) == n)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

/*
 * Two members of one group, gw0 (port group 1) started first and owner,
 * then gw1 (port group 2).
 */
static void two_members(struct fake_cluster *c, struct fake_gw *g0, struct fake_gw *g1,
			const struct bs_owner_cfg *cfg, struct bs_owner_run **r0,
			struct bs_owner_run **r1)
{
	uint16_t tag0 = 1, tag1 = 2;

	fake_init(c);
	c->lease_ms = cfg->lease_ms;
	gw_set(g0, c, 0, "gw0", "addr0");
	gw_set(g1, c, 1, "gw1", "addr1");
	pthread_mutex_lock(&c->lock);
	ck_assert_int_eq(bs_owner_run_start(cfg, "gw0", "addr0", &fake_member_ops, g0,
					    fake_changed, g0, r0), 0);
	c->runs[0] = *r0;
	pthread_mutex_unlock(&c->lock);
	ck_assert_int_eq(bs_owner_run_set_tags(*r0, &tag0, 1), 0);
	/* gw0 first: it takes the lease */
	ck_assert(wait_alua(*r0, SCSI_ALUA_ACTIVE_OPTIMIZED));
	pthread_mutex_lock(&c->lock);
	ck_assert_int_eq(bs_owner_run_start(cfg, "gw1", "addr1", &fake_member_ops, g1,
					    fake_changed, g1, r1), 0);
	c->runs[1] = *r1;
	pthread_mutex_unlock(&c->lock);
	ck_assert_int_eq(bs_owner_run_set_tags(*r1, &tag1, 1), 0);
}

/*
 * Two members; the follower freezes (every call hangs): it stops writing
 * by itself, and the other blocklists it only after, then drops its port
 * group from REPORT TARGET PORT GROUPS.
 */
START_TEST(test_run_member_frozen_follower)
{
	struct fake_cluster c;
	struct fake_gw g0, g1;
	struct bs_owner_run *r0, *r1;
	struct bs_owner_cfg cfg = member_cfg();
	struct bs_member_tpg t[4];
	struct bs_owner_info v;

	two_members(&c, &g0, &g1, &cfg, &r0, &r1);
	ck_assert(wait_write(r1, true));
	/* both gateways list both port groups, the owner's optimized */
	ck_assert(wait_tpgs(r1, 2, t));
	ck_assert(wait_tpgs(r0, 2, t));
	for (int i = 0; i < 1000; i++) {
		bs_owner_run_tpgs(r1, t, 4);
		if (t[0].state == SCSI_ALUA_ACTIVE_OPTIMIZED)
			break;
		usleep(10 * 1000);
	}
	ck_assert_uint_eq(t[0].id, 1);
	ck_assert_uint_eq(t[0].state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_uint_eq(t[1].id, 2);
	ck_assert_uint_eq(t[1].state, SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	/* gw1 freezes */
	pthread_mutex_lock(&c.lock);
	g1.dead = true;
	pthread_mutex_unlock(&c.lock);
	ck_assert(wait_write(r1, false));
	ck_assert(wait_tpgs(r0, 1, t));
	pthread_mutex_lock(&c.lock);
	ck_assert_int_eq(c.member_fences, 1);
	ck_assert_str_eq(c.blocklist[0], "addr1");
	ck_assert(c.victim_gate_closed);
	g1.dead = false;
	pthread_mutex_unlock(&c.lock);
	/* the owner never moved */
	ck_assert_uint_eq(bs_owner_run_alua(r0), SCSI_ALUA_ACTIVE_OPTIMIZED);
	bs_owner_run_view(r0, &v);
	ck_assert_str_eq(v.member_state, "member");
	ck_assert_uint_eq(v.ntpgs, 1);
	/* thawed, gw1 finds itself blocklisted and serves nothing */
	ck_assert(wait_alua(r1, SCSI_ALUA_UNAVAILABLE));
	ck_assert(!bs_owner_run_may_write(r1));
	pthread_mutex_lock(&c.lock);
	c.runs[1] = NULL;
	pthread_mutex_unlock(&c.lock);
	bs_owner_run_stop(r1);
	pthread_mutex_lock(&c.lock);
	c.runs[0] = NULL;
	pthread_mutex_unlock(&c.lock);
	bs_owner_run_stop(r0);
}
END_TEST

/* A member that stops cleanly leaves: the other drops it without a fence. */
START_TEST(test_run_member_leave)
{
	struct fake_cluster c;
	struct fake_gw g0, g1;
	struct bs_owner_run *r0, *r1;
	struct bs_owner_cfg cfg = member_cfg();
	struct bs_member_tpg t[4];
	uint16_t tag0 = 1, tag1 = 2;

	fake_init(&c);
	c.lease_ms = cfg.lease_ms;
	gw_set(&g0, &c, 0, "gw0", "addr0");
	gw_set(&g1, &c, 1, "gw1", "addr1");
	pthread_mutex_lock(&c.lock);
	ck_assert_int_eq(bs_owner_run_start(&cfg, "gw0", "addr0", &fake_member_ops, &g0,
					    fake_changed, &g0, &r0), 0);
	c.runs[0] = r0;
	ck_assert_int_eq(bs_owner_run_start(&cfg, "gw1", "addr1", &fake_member_ops, &g1,
					    fake_changed, &g1, &r1), 0);
	c.runs[1] = r1;
	pthread_mutex_unlock(&c.lock);
	bs_owner_run_set_tags(r0, &tag0, 1);
	bs_owner_run_set_tags(r1, &tag1, 1);
	ck_assert(wait_tpgs(r0, 2, t));
	pthread_mutex_lock(&c.lock);
	c.runs[1] = NULL;
	pthread_mutex_unlock(&c.lock);
	bs_owner_run_stop(r1);
	ck_assert(wait_tpgs(r0, 1, t));
	/* well past a lease: nobody was fenced */
	usleep(2000 * 1000);
	pthread_mutex_lock(&c.lock);
	ck_assert_int_eq(c.member_fences, 0);
	c.runs[0] = NULL;
	pthread_mutex_unlock(&c.lock);
	bs_owner_run_stop(r0);
}
END_TEST

/*
 * Two members; a move asked on the follower: refused for a stranger,
 * nothing to do for the owner, carried out for itself (a clean hand-over,
 * nobody blocklisted); then back, asked on the new owner.
 */
START_TEST(test_run_member_move)
{
	struct fake_cluster c;
	struct fake_gw g0, g1;
	struct bs_owner_run *r0, *r1;
	struct bs_owner_cfg cfg = member_cfg();
	struct bs_member_tpg t[4];
	struct bs_owner_info v;

	two_members(&c, &g0, &g1, &cfg, &r0, &r1);
	ck_assert(wait_tpgs(r1, 2, t));
	ck_assert(wait_tpgs(r0, 2, t));
	for (int i = 0; i < 1000; i++) {
		bs_owner_run_view(r1, &v);
		if (!strcmp(v.owner, "gw0"))
			break;
		usleep(10 * 1000);
	}
	ck_assert_str_eq(v.owner, "gw0");
	/* refused, or nothing to do: nothing is sent */
	ck_assert_int_eq(bs_owner_run_move(r1, "gw9"), -ENOENT);
	ck_assert_int_eq(bs_owner_run_move(r1, ""), -EINVAL);
	ck_assert_int_eq(bs_owner_run_move(r1, NULL), -EINVAL);
	ck_assert_int_eq(bs_owner_run_move(r1, "gw0"), 1);
	ck_assert_int_eq(bs_owner_run_move(r0, "gw0"), 1);
	pthread_mutex_lock(&c.lock);
	ck_assert_int_eq(c.move_notifies, 0);
	pthread_mutex_unlock(&c.lock);
	/* to the follower, asked there */
	ck_assert_int_eq(bs_owner_run_move(r1, "gw1"), 0);
	ck_assert(wait_alua(r1, SCSI_ALUA_ACTIVE_OPTIMIZED));
	ck_assert(wait_alua(r0, SCSI_ALUA_ACTIVE_NON_OPTIMIZED));
	bs_owner_run_view(r0, &v);
	ck_assert_str_eq(v.owner, "gw1");
	/* back to gw0, asked on the owner */
	ck_assert_int_eq(bs_owner_run_move(r1, "gw0"), 0);
	ck_assert(wait_alua(r0, SCSI_ALUA_ACTIVE_OPTIMIZED));
	ck_assert(wait_alua(r1, SCSI_ALUA_ACTIVE_NON_OPTIMIZED));
	pthread_mutex_lock(&c.lock);
	ck_assert_int_eq(c.nblock, 0);
	ck_assert(c.rec_addr[0] && !strcmp(c.rec_addr, "addr0"));
	/* gw1's ask, gw0's hand-over, gw1's hand-over: no notify answered another */
	ck_assert_int_eq(c.move_notifies, 3);
	c.runs[1] = NULL;
	pthread_mutex_unlock(&c.lock);
	bs_owner_run_stop(r1);
	pthread_mutex_lock(&c.lock);
	c.runs[0] = NULL;
	pthread_mutex_unlock(&c.lock);
	bs_owner_run_stop(r0);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("rbd_owner_run");
	TCase *tc = tcase_create("run");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_run_owner_and_clean_stop);
	tcase_add_test(tc, test_run_renew_fails);
	tcase_add_test(tc, test_run_gate_without_thread);
	tcase_add_test(tc, test_run_takeover);
	tcase_add_test(tc, test_run_member_frozen_follower);
	tcase_add_test(tc, test_run_member_leave);
	tcase_add_test(tc, test_run_member_move);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

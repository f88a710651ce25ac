// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ownership state machine of an rbd LU (target/backstore/rbd_owner.c)
 * with a fake clock: each story step by step on one gateway, then two and
 * three gateways over a fake RADOS (one lock with an expiry, the owner's
 * record, the blocklist, notifies delivered at once) driven for minutes
 * of fake time.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/scsi_proto.h"
#include "target/backstore/rbd_owner.h"
#include "tests/unit/check_main.h"

#define ADDR_A "v2:127.0.0.1:0/1001"
#define ADDR_B "v2:127.0.0.1:0/2002"

static struct bs_owner_cfg cfg_default(void)
{
	struct bs_owner_cfg c = { 0 };

	ck_assert_int_eq(bs_owner_cfg_check(&c), 0);
	return c;
}

static void feed(struct bs_owner *o, enum bs_owner_ev_type type, int err, uint64_t now,
		 struct bs_owner_out *out)
{
	struct bs_owner_ev ev = { .type = type, .err = err };

	bs_owner_step(o, &ev, now, out);
}

static void feed_name(struct bs_owner *o, enum bs_owner_ev_type type, const char *name,
		      uint64_t now, struct bs_owner_out *out)
{
	struct bs_owner_ev ev = { .type = type, .name = name };

	bs_owner_step(o, &ev, now, out);
}

/* A move asked here (the shell's move, or SET TARGET PORT GROUPS): out->result answers it. */
static void feed_req(struct bs_owner *o, const char *to, bool live, uint64_t now,
		     struct bs_owner_out *out)
{
	struct bs_owner_ev ev = { .type = BS_OWNER_EV_MOVE_REQ, .name = to, .live = live };

	bs_owner_step(o, &ev, now, out);
}

static void feed_acquired(struct bs_owner *o, const char *prev_addr, bool clean, uint64_t now,
			  struct bs_owner_out *out)
{
	struct bs_owner_ev ev = { .type = BS_OWNER_EV_ACQUIRED, .prev_addr = prev_addr,
				  .prev_clean = clean };

	bs_owner_step(o, &ev, now, out);
}

static void feed_renewed(struct bs_owner *o, int err, uint64_t sent, uint64_t now,
			 struct bs_owner_out *out)
{
	struct bs_owner_ev ev = { .type = BS_OWNER_EV_RENEW_DONE, .err = err, .sent_ms = sent };

	bs_owner_step(o, &ev, now, out);
}

/* A gateway made owner at time 0 from a free lease (no record). */
static void make_owner(struct bs_owner *o, const struct bs_owner_cfg *c)
{
	struct bs_owner_out out;

	ck_assert_int_eq(bs_owner_init(o, c, "gw-a", ADDR_A, 0, &out), 0);
	ck_assert_uint_eq(out.acts, BS_OWNER_ACT_ACQUIRE);
	feed_acquired(o, NULL, false, 5, &out);
	/* transitioning while the record is written */
	ck_assert_uint_eq(out.acts, BS_OWNER_ACT_PUBLISH | BS_OWNER_ACT_REPORT);
	feed(o, BS_OWNER_EV_PUBLISH_DONE, 0, 10, &out);
	ck_assert_int_eq(o->state, BS_OWNER_STATE_OWNER);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT);
}

/* o: gw-b, a follower that has heard gw-a holds the lease (at 1 ms); out: that step's. */
static void make_follower(struct bs_owner *o, const struct bs_owner_cfg *c, struct bs_owner_out *out)
{
	struct bs_owner_ev busy = { .type = BS_OWNER_EV_BUSY, .name = "gw-a" };

	ck_assert_int_eq(bs_owner_init(o, c, "gw-b", ADDR_B, 0, out), 0);
	bs_owner_step(o, &busy, 1, out);
}

START_TEST(test_cfg)
{
	struct bs_owner_cfg c = { 0 };

	ck_assert_int_eq(bs_owner_cfg_check(&c), 0);
	ck_assert_uint_eq(c.lease_ms, BS_OWNER_LEASE_MS);
	ck_assert_uint_eq(c.renew_ms, BS_OWNER_RENEW_MS);
	ck_assert_uint_eq(c.fence_ms, 10000);
	c = (struct bs_owner_cfg){ .lease_ms = 30000 };
	ck_assert_int_eq(bs_owner_cfg_check(&c), 0);
	ck_assert_uint_eq(c.renew_ms, 10000);
	ck_assert_uint_eq(c.fence_ms, 20000);
	/* a renewal must come before the fence, the fence before the lease's end */
	c = (struct bs_owner_cfg){ .lease_ms = 15000, .renew_ms = 10000, .fence_ms = 10000 };
	ck_assert_int_eq(bs_owner_cfg_check(&c), -EINVAL);
	c = (struct bs_owner_cfg){ .lease_ms = 15000, .renew_ms = 5000, .fence_ms = 15000 };
	ck_assert_int_eq(bs_owner_cfg_check(&c), -EINVAL);
	c = (struct bs_owner_cfg){ .lease_ms = 2 };
	ck_assert_int_eq(bs_owner_cfg_check(&c), -EINVAL);
}
END_TEST

START_TEST(test_init_bounds)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;
	char longname[BS_OWNER_NAME_MAX + 2];

	memset(longname, 'g', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(bs_owner_init(&o, &c, longname, ADDR_A, 0, &out), -EINVAL);
	ck_assert_int_eq(bs_owner_init(&o, &c, "", ADDR_A, 0, &out), -EINVAL);
	ck_assert_int_eq(bs_owner_init(&o, &c, "gw", NULL, 0, &out), -EINVAL);
	longname[BS_OWNER_NAME_MAX] = '\0';
	ck_assert_int_eq(bs_owner_init(&o, &c, longname, ADDR_A, 0, &out), 0);
}
END_TEST

/* The owner renews every renew_ms; each success moves its write deadline on. */
START_TEST(test_renewal)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	make_owner(&o, &c);
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_str_eq(o.owner, "gw-a");
	/* the lease counts from when the acquire was sent (0), not from when it was answered */
	ck_assert_uint_eq(bs_owner_write_until(&o), c.fence_ms);
	ck_assert_uint_eq(bs_owner_next(&o), c.renew_ms);
	feed(&o, BS_OWNER_EV_TICK, 0, c.renew_ms - 1, &out);
	ck_assert_uint_eq(out.acts, 0);
	for (uint64_t t = c.renew_ms; t < 120000; t += c.renew_ms) {
		feed(&o, BS_OWNER_EV_TICK, 0, t, &out);
		ck_assert_uint_eq(out.acts, BS_OWNER_ACT_RENEW);
		/* an answer 2 s later: the deadline counts from t */
		feed_renewed(&o, 0, t, t + 2000, &out);
		ck_assert_uint_eq(out.acts, 0);
		ck_assert_uint_eq(bs_owner_write_until(&o), t + c.fence_ms);
		ck_assert_int_eq(o.state, BS_OWNER_STATE_OWNER);
	}
}
END_TEST

/* Renewals that fail: writes stop at two thirds of the lease, before anyone may take over. */
START_TEST(test_renewal_failure_self_fence)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;
	uint64_t t = c.renew_ms, stopped = 0;
	int guard = 0;

	make_owner(&o, &c);
	while (t < c.lease_ms * 2 && guard++ < 1000) {
		feed(&o, BS_OWNER_EV_TICK, 0, t, &out);
		if (out.acts & BS_OWNER_ACT_STOP_WRITES) {
			stopped = t;
			break;
		}
		if (out.acts & BS_OWNER_ACT_RENEW)
			feed_renewed(&o, -ETIMEDOUT, t, t + 100, &out);
		ck_assert_uint_eq(out.acts & BS_OWNER_ACT_STOP_WRITES, 0);
		t = bs_owner_next(&o);
	}
	ck_assert_uint_eq(stopped, c.fence_ms);
	ck_assert_uint_lt(stopped, c.lease_ms);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT);
	ck_assert_ptr_nonnull(out.why);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_SUSPENDED);
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_TRANSITIONING);
	ck_assert_uint_le(bs_owner_write_until(&o), stopped);
	/* still failing when the lease ends: fenced out for good */
	while (t < c.lease_ms * 2 && o.state == BS_OWNER_STATE_SUSPENDED && guard++ < 2000) {
		t = bs_owner_next(&o);
		feed(&o, BS_OWNER_EV_TICK, 0, t, &out);
		if (out.acts & BS_OWNER_ACT_RENEW)
			feed_renewed(&o, -ETIMEDOUT, t, t + 100, &out);
	}
	ck_assert_uint_eq(t, c.lease_ms);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FENCED_OUT);
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_UNAVAILABLE);
	ck_assert_uint_eq(bs_owner_write_until(&o), 0);
	ck_assert_uint_eq(bs_owner_next(&o), UINT64_MAX);
}
END_TEST

/* A renewal that gets through late, while suspended and before the lease ends: writes resume. */
START_TEST(test_renewal_late_success)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;
	uint64_t sent;

	make_owner(&o, &c);
	feed(&o, BS_OWNER_EV_TICK, 0, c.renew_ms, &out);
	ck_assert_uint_eq(out.acts, BS_OWNER_ACT_RENEW);
	sent = c.renew_ms;
	/* no answer for a long time: suspended at fence_ms */
	feed(&o, BS_OWNER_EV_TICK, 0, c.fence_ms, &out);
	ck_assert(out.acts & BS_OWNER_ACT_STOP_WRITES);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_SUSPENDED);
	/* it succeeds: the lease holds until sent + lease, the fence moves to sent + fence_ms */
	feed_renewed(&o, 0, sent, c.fence_ms + 500, &out);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_OWNER);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT);
	ck_assert_uint_eq(bs_owner_write_until(&o), sent + c.fence_ms);
}
END_TEST

/* The lock is gone (someone took the lapsed lease): no more writes, at once. */
START_TEST(test_renewal_lost)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	make_owner(&o, &c);
	feed(&o, BS_OWNER_EV_TICK, 0, c.renew_ms, &out);
	feed_renewed(&o, -ENOENT, c.renew_ms, c.renew_ms + 10, &out);
	ck_assert(out.acts & BS_OWNER_ACT_STOP_WRITES);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FENCED_OUT);
	ck_assert_uint_eq(bs_owner_write_until(&o), 0);
}
END_TEST

/* librados says we are blocklisted (EBLOCKLISTED is ESHUTDOWN): stop at once, whatever the state. */
START_TEST(test_blocklisted)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	make_owner(&o, &c);
	feed(&o, BS_OWNER_EV_TICK, 0, c.renew_ms, &out);
	feed_renewed(&o, -ESHUTDOWN, c.renew_ms, c.renew_ms + 10, &out);
	ck_assert(out.acts & BS_OWNER_ACT_STOP_WRITES);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FENCED_OUT);

	ck_assert_int_eq(bs_owner_init(&o, &c, "gw-b", ADDR_B, 0, &out), 0);
	feed(&o, BS_OWNER_EV_BLOCKLISTED, 0, 1, &out);
	ck_assert(out.acts & BS_OWNER_ACT_STOP_WRITES);
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_UNAVAILABLE);
	ck_assert_uint_eq(bs_owner_write_until(&o), 0);
}
END_TEST

/* A follower serves I/O, and I/O never moves ownership. */
START_TEST(test_follower_io_never_moves)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;
	struct bs_owner_ev busy = { .type = BS_OWNER_EV_BUSY, .name = "gw-a" };

	ck_assert_int_eq(bs_owner_init(&o, &c, "gw-b", ADDR_B, 0, &out), 0);
	ck_assert_uint_eq(out.acts, BS_OWNER_ACT_ACQUIRE);
	bs_owner_step(&o, &busy, 3, &out);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT); /* the owner is known: RTPG changed */
	ck_assert_str_eq(o.owner, "gw-a");
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert_uint_eq(bs_owner_write_until(&o), UINT64_MAX);
	for (uint64_t t = 4; t < 3000; t += 7) {
		feed(&o, BS_OWNER_EV_IO, 0, t, &out);
		ck_assert_uint_eq(out.acts, 0);
	}
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FOLLOWER);
	/* the next try is at renew_ms after the answer */
	ck_assert_uint_eq(bs_owner_next(&o), 3 + c.renew_ms);

	/* the same on the owner */
	make_owner(&o, &c);
	for (uint64_t t = 11; t < c.renew_ms; t += 13) {
		feed(&o, BS_OWNER_EV_IO, 0, t, &out);
		ck_assert_uint_eq(out.acts, 0);
	}
	ck_assert_int_eq(o.state, BS_OWNER_STATE_OWNER);
}
END_TEST

/* The owner died: the lease lapses, the follower takes it, blocklists the old owner, then serves. */
START_TEST(test_takeover_fences_first)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	make_follower(&o, &c, &out);
	feed(&o, BS_OWNER_EV_TICK, 0, 1 + c.renew_ms, &out);
	ck_assert_uint_eq(out.acts, BS_OWNER_ACT_ACQUIRE);
	feed_acquired(&o, ADDR_A, false, 1 + c.renew_ms + 20, &out);
	ck_assert(out.acts & BS_OWNER_ACT_FENCE);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT);
	ck_assert_str_eq(out.fence_addr, ADDR_A);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FENCING);
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_TRANSITIONING);
	ck_assert_str_eq(o.owner, "");
	/* the blocklist fails once: retried, never owner before it worked */
	feed(&o, BS_OWNER_EV_FENCE_DONE, -ETIMEDOUT, 5200, &out);
	ck_assert_uint_eq(out.acts & (BS_OWNER_ACT_PUBLISH | BS_OWNER_ACT_FENCE), 0);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FENCING);
	feed(&o, BS_OWNER_EV_TICK, 0, bs_owner_next(&o), &out);
	ck_assert(out.acts & BS_OWNER_ACT_FENCE);
	feed(&o, BS_OWNER_EV_FENCE_DONE, 0, 6600, &out);
	ck_assert_uint_eq(out.acts, BS_OWNER_ACT_PUBLISH);
	ck_assert_uint_ne(bs_owner_alua(&o), SCSI_ALUA_ACTIVE_OPTIMIZED);
	feed(&o, BS_OWNER_EV_PUBLISH_DONE, 0, 6700, &out);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT);
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_str_eq(o.owner, "gw-b");
}
END_TEST

/* A clean release, or a record of this very client, needs no fence. */
START_TEST(test_acquire_no_fence)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	ck_assert_int_eq(bs_owner_init(&o, &c, "gw-b", ADDR_B, 0, &out), 0);
	feed_acquired(&o, ADDR_A, true, 1, &out);
	ck_assert_uint_eq(out.acts, BS_OWNER_ACT_PUBLISH | BS_OWNER_ACT_REPORT);
	ck_assert_int_eq(bs_owner_init(&o, &c, "gw-b", ADDR_B, 0, &out), 0);
	feed_acquired(&o, ADDR_B, false, 1, &out);
	ck_assert_uint_eq(out.acts & BS_OWNER_ACT_FENCE, 0);
	ck_assert(out.acts & BS_OWNER_ACT_PUBLISH);
	/* a restarted gw-b has a new address: its old self is fenced */
	ck_assert_int_eq(bs_owner_init(&o, &c, "gw-b", ADDR_B "9", 0, &out), 0);
	feed_acquired(&o, ADDR_B, false, 1, &out);
	ck_assert(out.acts & BS_OWNER_ACT_FENCE);
}
END_TEST

/* A follower that holds the lease but cannot renew it while fencing goes back to following. */
START_TEST(test_takeover_abandoned)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	ck_assert_int_eq(bs_owner_init(&o, &c, "gw-b", ADDR_B, 0, &out), 0);
	feed_acquired(&o, ADDR_A, false, 10, &out);
	ck_assert(out.acts & BS_OWNER_ACT_FENCE);
	/* the fence never answers; the renewal is due only after it */
	feed(&o, BS_OWNER_EV_TICK, 0, c.fence_ms, &out);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FOLLOWER);
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert_uint_eq(bs_owner_write_until(&o), UINT64_MAX);
}
END_TEST

/* Explicit transition on the owner: release to the one named, then follow. */
START_TEST(test_explicit_move_owner_side)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	make_owner(&o, &c);
	feed_name(&o, BS_OWNER_EV_MOVE, "gw-b", 100, &out);
	ck_assert(out.acts & BS_OWNER_ACT_RELEASE);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT);
	ck_assert_str_eq(out.move_to, "gw-b");
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_TRANSITIONING);
	feed(&o, BS_OWNER_EV_RELEASE_DONE, 0, 200, &out);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FOLLOWER);
	ck_assert_str_eq(o.owner, "gw-b");
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert_uint_eq(bs_owner_write_until(&o), UINT64_MAX);
	/* it leaves the lease to gw-b: no try within a lease */
	ck_assert_uint_ge(bs_owner_next(&o), 200 + c.lease_ms);
	/* a move to ourselves while owner changes nothing */
	make_owner(&o, &c);
	feed_name(&o, BS_OWNER_EV_MOVE, "gw-a", 100, &out);
	ck_assert_uint_eq(out.acts, 0);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_OWNER);
}
END_TEST

/* Explicit transition asked on a follower (SET TARGET PORT GROUPS through its port). */
START_TEST(test_explicit_move_follower_side)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o, third;
	struct bs_owner_out out;
	struct bs_owner_ev busy = { .type = BS_OWNER_EV_BUSY, .name = "gw-a" };

	ck_assert_int_eq(bs_owner_init(&o, &c, "gw-b", ADDR_B, 0, &out), 0);
	bs_owner_step(&o, &busy, 1, &out);
	feed_req(&o, "gw-b", true, 100, &out);
	ck_assert_int_eq(out.result, 0);
	ck_assert(out.acts & BS_OWNER_ACT_ASK_MOVE);
	ck_assert(out.acts & BS_OWNER_ACT_ACQUIRE); /* at once, not at the next period */
	ck_assert_str_eq(out.move_to, "gw-b");
	bs_owner_step(&o, &busy, 110, &out); /* gw-a has not released yet */
	feed(&o, BS_OWNER_EV_TICK, 0, 110 + c.renew_ms, &out);
	ck_assert(out.acts & BS_OWNER_ACT_ACQUIRE);
	feed_acquired(&o, ADDR_A, true, 120 + c.renew_ms, &out);
	ck_assert_uint_eq(out.acts & BS_OWNER_ACT_FENCE, 0);
	feed(&o, BS_OWNER_EV_PUBLISH_DONE, 0, 130 + c.renew_ms, &out);
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_ACTIVE_OPTIMIZED);

	/* a third gateway hears the move to gw-b and holds off, then hears gw-b own it */
	ck_assert_int_eq(bs_owner_init(&third, &c, "gw-c", "v2:127.0.0.1:0/3", 0, &out), 0);
	bs_owner_step(&third, &busy, 1, &out);
	feed_name(&third, BS_OWNER_EV_MOVE, "gw-b", 100, &out);
	ck_assert_uint_eq(out.acts, 0);
	feed(&third, BS_OWNER_EV_TICK, 0, 1 + c.renew_ms, &out);
	ck_assert_uint_eq(out.acts & BS_OWNER_ACT_ACQUIRE, 0);
	feed_name(&third, BS_OWNER_EV_OWNER_CHANGED, "gw-b", 200 + c.renew_ms, &out);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT);
	ck_assert(out.acts & BS_OWNER_ACT_ACQUIRE); /* the hold-off ends: back to its period */
	ck_assert_str_eq(third.owner, "gw-b");
}
END_TEST

/* An owner that hears another publish itself has been replaced: it stops. */
START_TEST(test_owner_hears_new_owner)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	make_owner(&o, &c);
	feed_name(&o, BS_OWNER_EV_OWNER_CHANGED, "gw-b", 50, &out);
	ck_assert(out.acts & BS_OWNER_ACT_STOP_WRITES);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FENCED_OUT);
	ck_assert_str_eq(o.owner, "gw-b");
}
END_TEST

/* ---- several gateways over a fake RADOS ---- */

#define NGW 3

struct world {
	struct bs_owner gw[NGW];
	bool dead[NGW];
	const char *name[NGW];
	const char *addr[NGW];
	int holder; /* -1: nobody */
	uint64_t expires;
	char rec_addr[BS_OWNER_ADDR_MAX + 1];
	bool rec_clean;
	char blocklist[4][BS_OWNER_ADDR_MAX + 1];
	int nblock;
	int reports[NGW];
	uint64_t now;
	int ngw;
	bool echo;   /* a notify reaches its sender too, as a watch of one's own object does */
	int moves;   /* "move" notifies sent */
};

static void world_run(struct world *w, int i, struct bs_owner_out *out);

static void world_feed(struct world *w, int i, struct bs_owner_ev *ev)
{
	struct bs_owner_out out;

	if (w->dead[i])
		return;
	bs_owner_step(&w->gw[i], ev, w->now, &out);
	world_run(w, i, &out);
}

static bool blocklisted(const struct world *w, int i)
{
	for (int k = 0; k < w->nblock; k++)
		if (strcmp(w->blocklist[k], w->addr[i]) == 0)
			return true;
	return false;
}

/* Carries out i's actions at once, as a cluster that always answers would. */
static void world_run(struct world *w, int i, struct bs_owner_out *out)
{
	struct bs_owner_ev ev = { 0 };
	bool free_lock;

	if (out->acts & BS_OWNER_ACT_REPORT)
		w->reports[i]++;
	if (out->acts & BS_OWNER_ACT_ASK_MOVE) {
		char to[BS_OWNER_NAME_MAX + 1];
		struct bs_owner_ev mv = { .type = BS_OWNER_EV_MOVE, .name = to };

		snprintf(to, sizeof(to), "%s", out->move_to);
		w->moves++;
		for (int k = 0; k < w->ngw; k++)
			if (k != i || w->echo)
				world_feed(w, k, &mv);
	}
	free_lock = w->holder < 0 || w->now >= w->expires;
	if (out->acts & BS_OWNER_ACT_ACQUIRE) {
		if (blocklisted(w, i)) {
			ev.type = BS_OWNER_EV_ACQUIRE_ERR;
			ev.err = -ESHUTDOWN;
		} else if (free_lock || w->holder == i) {
			w->holder = i;
			w->expires = w->now + w->gw[i].cfg.lease_ms;
			ev.type = BS_OWNER_EV_ACQUIRED;
			ev.prev_addr = w->rec_addr;
			ev.prev_clean = w->rec_clean;
		} else {
			ev.type = BS_OWNER_EV_BUSY;
			ev.name = w->name[w->holder];
		}
		world_feed(w, i, &ev);
	}
	if (out->acts & BS_OWNER_ACT_RENEW) {
		ev.type = BS_OWNER_EV_RENEW_DONE;
		ev.sent_ms = w->now;
		if (blocklisted(w, i)) {
			ev.err = -ESHUTDOWN;
		} else if (w->holder == i || free_lock) {
			w->holder = i;
			w->expires = w->now + w->gw[i].cfg.lease_ms;
		} else {
			ev.err = -ENOENT;
		}
		world_feed(w, i, &ev);
	}
	if (out->acts & BS_OWNER_ACT_FENCE) {
		snprintf(w->blocklist[w->nblock++], sizeof(w->blocklist[0]), "%s", out->fence_addr);
		ev.type = BS_OWNER_EV_FENCE_DONE;
		world_feed(w, i, &ev);
	}
	if (out->acts & BS_OWNER_ACT_PUBLISH) {
		struct bs_owner_ev ch = { .type = BS_OWNER_EV_OWNER_CHANGED, .name = w->name[i] };

		snprintf(w->rec_addr, sizeof(w->rec_addr), "%s", w->addr[i]);
		w->rec_clean = false;
		ev.type = BS_OWNER_EV_PUBLISH_DONE;
		world_feed(w, i, &ev);
		for (int k = 0; k < w->ngw; k++)
			if (k != i)
				world_feed(w, k, &ch);
	}
	if (out->acts & BS_OWNER_ACT_RELEASE) {
		struct bs_owner_ev mv = { .type = BS_OWNER_EV_MOVE, .name = out->move_to };
		char to[BS_OWNER_NAME_MAX + 1];

		snprintf(to, sizeof(to), "%s", out->move_to);
		mv.name = to;
		w->rec_clean = true;
		w->holder = -1;
		ev.type = BS_OWNER_EV_RELEASE_DONE;
		world_feed(w, i, &ev);
		w->moves++;
		for (int k = 0; k < w->ngw; k++)
			if (k != i || w->echo)
				world_feed(w, k, &mv);
	}
}

static void world_init(struct world *w, int n)
{
	static const char *names[NGW] = { "gw-a", "gw-b", "gw-c" };
	static const char *addrs[NGW] = { ADDR_A, ADDR_B, "v2:127.0.0.1:0/3003" };
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner_out out;

	memset(w, 0, sizeof(*w));
	w->holder = -1;
	for (int i = 0; i < n; i++) {
		w->ngw = i + 1; /* notifies reach only the gateways started */
		w->name[i] = names[i];
		w->addr[i] = addrs[i];
		/* gw-a starts first */
		w->now = (uint64_t)i * 100;
		ck_assert_int_eq(bs_owner_init(&w->gw[i], &c, names[i], addrs[i], w->now, &out), 0);
		world_run(w, i, &out);
	}
}

/* Advances to until, ticking each live gateway when it asks. */
static void world_until(struct world *w, uint64_t until)
{
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t next = UINT64_MAX;
		int who = -1;
		struct bs_owner_ev tick = { .type = BS_OWNER_EV_TICK };

		for (int i = 0; i < w->ngw; i++) {
			if (!w->dead[i] && bs_owner_next(&w->gw[i]) < next) {
				next = bs_owner_next(&w->gw[i]);
				who = i;
			}
		}
		if (who < 0 || next > until)
			break;
		if (next > w->now)
			w->now = next;
		world_feed(w, who, &tick);
	}
	w->now = until;
}

static int owners(const struct world *w)
{
	int n = 0;

	for (int i = 0; i < w->ngw; i++)
		if (!w->dead[i] && w->gw[i].state == BS_OWNER_STATE_OWNER)
			n++;
	return n;
}

/* I/O on both gateways for ten minutes: one owner all along, never moved. */
START_TEST(test_world_io_both_paths)
{
	struct world w;
	struct bs_owner_ev io = { .type = BS_OWNER_EV_IO };

	world_init(&w, 2);
	world_until(&w, 1000);
	ck_assert_int_eq(w.gw[0].state, BS_OWNER_STATE_OWNER);
	ck_assert_int_eq(w.gw[1].state, BS_OWNER_STATE_FOLLOWER);
	ck_assert_str_eq(w.gw[1].owner, "gw-a");
	int reports_a = w.reports[0], reports_b = w.reports[1];

	for (uint64_t t = 1000; t < 600000; t += 250) {
		world_until(&w, t);
		world_feed(&w, (int)(t / 250) % 2, &io);
		ck_assert_int_eq(owners(&w), 1);
		ck_assert_int_eq(w.gw[0].state, BS_OWNER_STATE_OWNER);
	}
	ck_assert_int_eq(w.reports[0], reports_a);
	ck_assert_int_eq(w.reports[1], reports_b);
	ck_assert_int_eq(w.nblock, 0);
}
END_TEST

/* Three gateways; the owner dies: one takes over after the lapse, the dead one blocklisted first. */
START_TEST(test_world_owner_death)
{
	struct world w;
	uint64_t died, took = 0;
	int heir = -1;

	world_init(&w, 3);
	world_until(&w, 20000);
	ck_assert_int_eq(owners(&w), 1);
	ck_assert_int_eq(w.holder, 0);
	died = w.now;
	w.dead[0] = true;
	for (uint64_t t = died; t < died + 60000 && heir < 0; t += 100) {
		world_until(&w, t);
		ck_assert_int_le(owners(&w), 1);
		for (int i = 1; i < 3; i++)
			if (w.gw[i].state == BS_OWNER_STATE_OWNER) {
				heir = i;
				took = t;
			}
	}
	ck_assert_int_ge(heir, 1);
	/* not before the lease could have lapsed, within a lease and a renewal period after */
	ck_assert_uint_ge(took, died + 1);
	ck_assert_uint_le(took, died + w.gw[heir].cfg.lease_ms + w.gw[heir].cfg.renew_ms + 100);
	ck_assert_int_eq(w.nblock, 1);
	ck_assert_str_eq(w.blocklist[0], ADDR_A);
	/* the other follower now names the heir */
	ck_assert_str_eq(w.gw[heir == 1 ? 2 : 1].owner, w.name[heir]);
	ck_assert_uint_eq(bs_owner_alua(&w.gw[heir]), SCSI_ALUA_ACTIVE_OPTIMIZED);
	/* the old owner comes back from the dead (a frozen process): it is blocklisted, it stops */
	w.dead[0] = false;
	world_until(&w, w.now + 20000);
	ck_assert_int_eq(w.gw[0].state, BS_OWNER_STATE_FENCED_OUT);
	ck_assert_uint_eq(bs_owner_write_until(&w.gw[0]), 0);
	ck_assert_int_eq(owners(&w), 1);
}
END_TEST

/* An explicit move from gw-a to gw-b with gw-c watching: clean, nobody blocklisted. */
START_TEST(test_world_explicit_move)
{
	struct world w;
	struct bs_owner_ev mv = { .type = BS_OWNER_EV_MOVE_REQ, .name = "gw-b", .live = true };

	world_init(&w, 3);
	world_until(&w, 7000);
	ck_assert_int_eq(w.gw[0].state, BS_OWNER_STATE_OWNER);
	/* asked through gw-b's port */
	world_feed(&w, 1, &mv);
	world_until(&w, w.now + 1000);
	ck_assert_int_eq(w.gw[1].state, BS_OWNER_STATE_OWNER);
	ck_assert_int_eq(w.gw[0].state, BS_OWNER_STATE_FOLLOWER);
	ck_assert_int_eq(w.gw[2].state, BS_OWNER_STATE_FOLLOWER);
	ck_assert_str_eq(w.gw[0].owner, "gw-b");
	ck_assert_str_eq(w.gw[2].owner, "gw-b");
	ck_assert_int_eq(w.nblock, 0);
	world_until(&w, w.now + 120000);
	ck_assert_int_eq(w.gw[1].state, BS_OWNER_STATE_OWNER);
	ck_assert_int_eq(owners(&w), 1);
}
END_TEST

/* ---- moves asked here (the shell's move; SET TARGET PORT GROUPS) ---- */

/* The owner asked here: hands over to a live member; itself, nothing; a stranger, refused. */
START_TEST(test_move_req_owner)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	make_owner(&o, &c);
	feed_req(&o, "gw-a", true, 100, &out);
	ck_assert_int_eq(out.result, 1);
	ck_assert_uint_eq(out.acts, 0);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_OWNER);
	feed_req(&o, "gw-x", false, 110, &out);
	ck_assert_int_eq(out.result, -ENOENT);
	ck_assert_uint_eq(out.acts, 0);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_OWNER);
	ck_assert_uint_eq(bs_owner_alua(&o), SCSI_ALUA_ACTIVE_OPTIMIZED);
	feed_req(&o, "gw-b", true, 120, &out);
	ck_assert_int_eq(out.result, 0);
	ck_assert(out.acts & BS_OWNER_ACT_RELEASE);
	ck_assert_str_eq(out.move_to, "gw-b");
	ck_assert_int_eq(o.state, BS_OWNER_STATE_RELEASING);
	/* a move in flight: the same one again is nothing to do, another is refused */
	feed_req(&o, "gw-b", true, 130, &out);
	ck_assert_int_eq(out.result, 1);
	ck_assert_uint_eq(out.acts, 0);
	feed_req(&o, "gw-c", true, 130, &out);
	ck_assert_int_eq(out.result, -EBUSY);
	ck_assert_uint_eq(out.acts, 0);
	ck_assert_str_eq(o.move_to, "gw-b");
	/* handed over: gw-b is the owner as far as we know; until it says so, gw-c waits */
	feed(&o, BS_OWNER_EV_RELEASE_DONE, 0, 200, &out);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FOLLOWER);
	feed_req(&o, "gw-c", true, 210, &out);
	ck_assert_int_eq(out.result, -EBUSY);
	ck_assert_uint_eq(out.acts, 0);
	feed_name(&o, BS_OWNER_EV_OWNER_CHANGED, "gw-b", 300, &out);
	feed_req(&o, "gw-b", true, 310, &out);
	ck_assert_int_eq(out.result, 1);
	ck_assert_uint_eq(out.acts, 0);
}
END_TEST

/* A follower asked for a third gateway: it asks the owner through the group, once, and waits. */
START_TEST(test_move_req_follower_third)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;

	make_follower(&o, &c, &out);
	ck_assert_str_eq(o.owner, "gw-a");
	feed_req(&o, "gw-c", true, 100, &out);
	ck_assert_int_eq(out.result, 0);
	ck_assert_uint_eq(out.acts, BS_OWNER_ACT_ASK_MOVE);
	ck_assert_str_eq(out.move_to, "gw-c");
	ck_assert_int_eq(o.state, BS_OWNER_STATE_FOLLOWER);
	/* its own notify comes back to it: heard, not sent again */
	feed_name(&o, BS_OWNER_EV_MOVE, "gw-c", 101, &out);
	ck_assert_uint_eq(out.acts, 0);
	/* it leaves the lease to gw-c: no try at its period */
	feed(&o, BS_OWNER_EV_TICK, 0, 1 + c.renew_ms, &out);
	ck_assert_uint_eq(out.acts & BS_OWNER_ACT_ACQUIRE, 0);
	ck_assert_uint_ge(bs_owner_next(&o), 101 + c.lease_ms);
	/* while it is under way: the same move is nothing to do, another is refused */
	feed_req(&o, "gw-c", true, 2 + c.renew_ms, &out);
	ck_assert_int_eq(out.result, 1);
	ck_assert_uint_eq(out.acts, 0);
	feed_req(&o, "gw-a", true, 2 + c.renew_ms, &out);
	ck_assert_int_eq(out.result, -EBUSY);
	ck_assert_uint_eq(out.acts, 0);
	/* gw-c publishes itself: done; a move to the owner is nothing to do */
	feed_name(&o, BS_OWNER_EV_OWNER_CHANGED, "gw-c", 3 + c.renew_ms, &out);
	ck_assert(out.acts & BS_OWNER_ACT_REPORT);
	ck_assert_str_eq(o.owner, "gw-c");
	feed_req(&o, "gw-c", true, 4 + c.renew_ms, &out);
	ck_assert_int_eq(out.result, 1);
	ck_assert_uint_eq(out.acts & BS_OWNER_ACT_ASK_MOVE, 0);
}
END_TEST

/* A follower asked for itself: asks the owner, takes the lease as soon as it is free. */
START_TEST(test_move_req_follower_self)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;
	struct bs_owner_ev busy = { .type = BS_OWNER_EV_BUSY, .name = "gw-a" };

	ck_assert_int_eq(bs_owner_init(&o, &c, "gw-b", ADDR_B, 0, &out), 0);
	bs_owner_step(&o, &busy, 1, &out);
	/* live does not matter for oneself */
	feed_req(&o, "gw-b", false, 100, &out);
	ck_assert_int_eq(out.result, 0);
	ck_assert(out.acts & BS_OWNER_ACT_ASK_MOVE);
	ck_assert(out.acts & BS_OWNER_ACT_ACQUIRE);
	ck_assert_str_eq(out.move_to, "gw-b");
	/* the echo of its own notify, then the owner's "released to gw-b": no notify again */
	feed_name(&o, BS_OWNER_EV_MOVE, "gw-b", 101, &out);
	ck_assert_uint_eq(out.acts & BS_OWNER_ACT_ASK_MOVE, 0);
	bs_owner_step(&o, &busy, 102, &out);
	/* under way: again is nothing to do, elsewhere is refused */
	feed_req(&o, "gw-b", true, 102, &out);
	ck_assert_int_eq(out.result, 1);
	ck_assert_uint_eq(out.acts & BS_OWNER_ACT_ASK_MOVE, 0);
	feed_req(&o, "gw-c", true, 102, &out);
	ck_assert_int_eq(out.result, -EBUSY);
	ck_assert_uint_eq(out.acts, 0);
	/* the owner released to gw-b: it tries at once, and takes it without a fence */
	feed_name(&o, BS_OWNER_EV_MOVE, "gw-b", 103, &out);
	ck_assert_uint_eq(out.acts & BS_OWNER_ACT_ASK_MOVE, 0);
	ck_assert(out.acts & BS_OWNER_ACT_ACQUIRE);
	feed_acquired(&o, ADDR_A, true, 300, &out);
	ck_assert_uint_eq(out.acts & BS_OWNER_ACT_FENCE, 0);
	feed(&o, BS_OWNER_EV_PUBLISH_DONE, 0, 310, &out);
	ck_assert_int_eq(o.state, BS_OWNER_STATE_OWNER);
}
END_TEST

/* A move to this follower that the owner never grants is given up after two leases. */
START_TEST(test_move_req_self_given_up)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o;
	struct bs_owner_out out;
	struct bs_owner_ev busy = { .type = BS_OWNER_EV_BUSY, .name = "gw-a" };
	uint64_t t = 100;

	ck_assert_int_eq(bs_owner_init(&o, &c, "gw-b", ADDR_B, 0, &out), 0);
	bs_owner_step(&o, &busy, 1, &out);
	feed_req(&o, "gw-b", true, t, &out);
	ck_assert_int_eq(out.result, 0);
	/* gw-a holds on (it never heard): gw-b keeps trying, refusing a move elsewhere */
	for (int i = 0; i < 1000 && t < 100 + 2 * (uint64_t)c.lease_ms - c.renew_ms; i++) {
		bs_owner_step(&o, &busy, t, &out);
		t = bs_owner_next(&o);
		ck_assert_int_eq(bs_owner_move_check(&o, "gw-c", true), -EBUSY);
		feed(&o, BS_OWNER_EV_TICK, 0, t, &out);
	}
	ck_assert(o.want);
	for (int i = 0; i < 1000 && o.want; i++) {
		bs_owner_step(&o, &busy, t, &out);
		t = bs_owner_next(&o);
		feed(&o, BS_OWNER_EV_TICK, 0, t, &out);
	}
	ck_assert(!o.want);
	ck_assert_uint_le(t, 100 + 2 * (uint64_t)c.lease_ms + c.renew_ms);
	ck_assert_int_eq(bs_owner_move_check(&o, "gw-c", true), 0);
	/* back to its period */
	bs_owner_step(&o, &busy, t, &out);
	ck_assert_uint_ge(bs_owner_next(&o), t + c.renew_ms);
}
END_TEST

/* Refused before anything moves: no name, a stranger, a fenced-out gateway. */
START_TEST(test_move_req_refused)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_owner o, before;
	struct bs_owner_out out;
	char big[BS_OWNER_NAME_MAX + 8];

	make_follower(&o, &c, &out);
	before = o;
	feed_req(&o, "gw-x", false, 1, &out);
	ck_assert_int_eq(out.result, -ENOENT);
	ck_assert_uint_eq(out.acts, 0);
	ck_assert(memcmp(&o, &before, sizeof(o)) == 0);
	feed_req(&o, "", true, 1, &out);
	ck_assert_int_eq(out.result, -EINVAL);
	feed_req(&o, NULL, true, 1, &out);
	ck_assert_int_eq(out.result, -EINVAL);
	memset(big, 'g', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	feed_req(&o, big, true, 1, &out);
	ck_assert_int_eq(out.result, -EINVAL);
	ck_assert(memcmp(&o, &before, sizeof(o)) == 0);
	/* the checks alone, as the shell's request gets them */
	ck_assert_int_eq(bs_owner_move_check(&o, "gw-x", false), -ENOENT);
	ck_assert_int_eq(bs_owner_move_check(&o, "gw-c", true), 0);
	ck_assert_int_eq(bs_owner_move_check(&o, "gw-a", true), 1);
	feed(&o, BS_OWNER_EV_BLOCKLISTED, 0, 2, &out);
	ck_assert_int_eq(bs_owner_move_check(&o, "gw-c", true), -ESHUTDOWN);
	feed_req(&o, "gw-b", true, 3, &out);
	ck_assert_int_eq(out.result, -ESHUTDOWN);
	ck_assert_uint_eq(out.acts, 0);
}
END_TEST

/*
 * Three gateways whose notifies reach their senders too: from the
 * follower gw-b, the LU moves to gw-c; then back to gw-a, asked on gw-a.
 * Clean hand-overs, nobody blocklisted, and a bounded number of notifies.
 */
START_TEST(test_world_move_third)
{
	struct world w;
	struct bs_owner_ev to_c = { .type = BS_OWNER_EV_MOVE_REQ, .name = "gw-c", .live = true };
	struct bs_owner_ev to_a = { .type = BS_OWNER_EV_MOVE_REQ, .name = "gw-a", .live = true };

	world_init(&w, 3);
	w.echo = true;
	world_until(&w, 7000);
	ck_assert_int_eq(w.gw[0].state, BS_OWNER_STATE_OWNER);
	world_feed(&w, 1, &to_c);
	world_until(&w, w.now + 1000);
	ck_assert_int_eq(w.gw[2].state, BS_OWNER_STATE_OWNER);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(w.gw[i].owner, "gw-c");
	ck_assert_int_eq(owners(&w), 1);
	ck_assert_int_eq(w.nblock, 0);
	/* gw-b's ask and gw-a's hand-over: nothing echoes on */
	ck_assert_int_eq(w.moves, 2);
	world_feed(&w, 0, &to_a);
	world_until(&w, w.now + 1000);
	ck_assert_int_eq(w.gw[0].state, BS_OWNER_STATE_OWNER);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(w.gw[i].owner, "gw-a");
	ck_assert_int_eq(w.moves, 4);
	ck_assert_int_eq(w.nblock, 0);
	world_until(&w, w.now + 120000);
	ck_assert_int_eq(w.gw[0].state, BS_OWNER_STATE_OWNER);
	ck_assert_int_eq(owners(&w), 1);
	ck_assert_int_eq(w.moves, 4);
}
END_TEST

/* ---- the lease's words ---- */

START_TEST(test_addr_norm)
{
	char out[BS_OWNER_ADDR_MAX + 1], big[BS_OWNER_ADDR_MAX + 8];

	ck_assert_int_eq(bs_owner_addr_norm("[v2:127.0.0.1:0/3710147553,v1:127.0.0.1:0/3710147553]",
					    out), 0);
	ck_assert_str_eq(out, "127.0.0.1:0/3710147553");
	ck_assert_int_eq(bs_owner_addr_norm("any:10.1.2.3:0/42", out), 0);
	ck_assert_str_eq(out, "10.1.2.3:0/42");
	ck_assert_int_eq(bs_owner_addr_norm("[any:10.1.2.3:0/42]", out), 0);
	ck_assert_str_eq(out, "10.1.2.3:0/42");
	ck_assert_int_eq(bs_owner_addr_norm("127.0.0.1:0/7", out), 0);
	ck_assert_str_eq(out, "127.0.0.1:0/7");
	ck_assert_int_eq(bs_owner_addr_norm("[]", out), -EINVAL);
	ck_assert_int_eq(bs_owner_addr_norm("", out), -EINVAL);
	ck_assert_int_eq(bs_owner_addr_norm(NULL, out), -EINVAL);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(bs_owner_addr_norm(big, out), -EINVAL);
}
END_TEST

START_TEST(test_record)
{
	char buf[400], name[BS_OWNER_NAME_MAX + 1], addr[BS_OWNER_ADDR_MAX + 1];
	bool clean = true;
	int n;

	n = bs_owner_record_build(buf, sizeof(buf), false, "gw-a", "127.0.0.1:0/1");
	ck_assert_int_eq(n, (int)strlen("held gw-a 127.0.0.1:0/1"));
	ck_assert_int_eq(bs_owner_record_parse(buf, (size_t)n, &clean, name, addr), 0);
	ck_assert(!clean);
	ck_assert_str_eq(name, "gw-a");
	ck_assert_str_eq(addr, "127.0.0.1:0/1");
	ck_assert_int_eq(bs_owner_record_build(buf, 10, true, "gw-a", "127.0.0.1:0/1"), -ENOSPC);
	/* bounded by len: the same bytes cut short */
	ck_assert_int_eq(bs_owner_record_parse("clean gw-b 1.2.3.4:0/5 trailing", 22, &clean, name,
					       addr), 0);
	ck_assert(clean);
	ck_assert_str_eq(addr, "1.2.3.4:0/5");
	ck_assert_int_eq(bs_owner_record_parse("clean gw-b 1.2.3.4:0/5 x", 24, &clean, name, addr),
			 -EINVAL);
	ck_assert_int_eq(bs_owner_record_parse("clean gw-b", 10, &clean, name, addr), -EINVAL);
	ck_assert_int_eq(bs_owner_record_parse("owned gw-b a", 12, &clean, name, addr), -EINVAL);
	ck_assert_int_eq(bs_owner_record_parse("held", 2, &clean, name, addr), -EINVAL);
	ck_assert_int_eq(bs_owner_record_parse("", 0, &clean, name, addr), -EINVAL);
}
END_TEST

START_TEST(test_msg)
{
	enum bs_owner_ev_type t;
	char name[BS_OWNER_NAME_MAX + 1], big[BS_OWNER_NAME_MAX + 10];

	ck_assert_int_eq(bs_owner_msg_parse("owner gw-b", 10, &t, name), 0);
	ck_assert_int_eq(t, BS_OWNER_EV_OWNER_CHANGED);
	ck_assert_str_eq(name, "gw-b");
	ck_assert_int_eq(bs_owner_msg_parse("move gw-c", 9, &t, name), 0);
	ck_assert_int_eq(t, BS_OWNER_EV_MOVE);
	ck_assert_str_eq(name, "gw-c");
	ck_assert_int_eq(bs_owner_msg_parse("move gw-c", 6, &t, name), 0);
	ck_assert_str_eq(name, "g");
	ck_assert_int_eq(bs_owner_msg_parse("move", 4, &t, name), -EINVAL);
	ck_assert_int_eq(bs_owner_msg_parse("steal gw-c", 10, &t, name), -EINVAL);
	ck_assert_int_eq(bs_owner_msg_parse("move a b", 8, &t, name), -EINVAL);
	ck_assert_int_eq(bs_owner_msg_parse("move a\tb", 8, &t, name), -EINVAL);
	memcpy(big, "move ", 5);
	memset(big + 5, 'g', sizeof(big) - 5);
	ck_assert_int_eq(bs_owner_msg_parse(big, sizeof(big), &t, name), -EINVAL);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("rbd_owner");
	TCase *tc = tcase_create("owner");

	tcase_add_test(tc, test_cfg);
	tcase_add_test(tc, test_init_bounds);
	tcase_add_test(tc, test_renewal);
	tcase_add_test(tc, test_renewal_failure_self_fence);
	tcase_add_test(tc, test_renewal_late_success);
	tcase_add_test(tc, test_renewal_lost);
	tcase_add_test(tc, test_blocklisted);
	tcase_add_test(tc, test_follower_io_never_moves);
	tcase_add_test(tc, test_takeover_fences_first);
	tcase_add_test(tc, test_acquire_no_fence);
	tcase_add_test(tc, test_takeover_abandoned);
	tcase_add_test(tc, test_explicit_move_owner_side);
	tcase_add_test(tc, test_explicit_move_follower_side);
	tcase_add_test(tc, test_owner_hears_new_owner);
	tcase_add_test(tc, test_world_io_both_paths);
	tcase_add_test(tc, test_world_owner_death);
	tcase_add_test(tc, test_world_explicit_move);
	tcase_add_test(tc, test_move_req_owner);
	tcase_add_test(tc, test_move_req_follower_third);
	tcase_add_test(tc, test_move_req_follower_self);
	tcase_add_test(tc, test_move_req_self_given_up);
	tcase_add_test(tc, test_move_req_refused);
	tcase_add_test(tc, test_world_move_third);
	tcase_add_test(tc, test_addr_norm);
	tcase_add_test(tc, test_record);
	tcase_add_test(tc, test_msg);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

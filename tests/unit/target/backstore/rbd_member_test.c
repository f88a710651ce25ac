// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The membership machine of an rbd LU's gateway group
 * (target/backstore/rbd_member.c) on a fake clock: the words, joining,
 * self-fencing, lapses and who fences them, and REPORT TARGET PORT
 * GROUPS' view; then two gateways over a fake group object (notifies
 * delivered at once) with one of them frozen.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/scsi_proto.h"
#include "target/backstore/rbd_member.h"
#include "tests/unit/check_main.h"

static struct bs_owner_cfg cfg_default(void)
{
	struct bs_owner_cfg c = { 0 };

	ck_assert_int_eq(bs_owner_cfg_check(&c), 0);
	return c;
}

static struct bs_member_rec rec(const char *name, const char *addr, uint16_t tag)
{
	struct bs_member_rec r = { .ntags = 1, .tags = { tag } };

	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.addr, sizeof(r.addr), "%s", addr);
	return r;
}

static void feed(struct bs_member *m, enum bs_member_ev_type type, int err, uint64_t sent,
		 uint64_t now, struct bs_member_out *out)
{
	struct bs_member_ev ev = { .type = type, .err = err, .sent_ms = sent };

	bs_member_step(m, &ev, now, out);
}

static void feed_rec(struct bs_member *m, enum bs_member_ev_type type, const struct bs_member_rec *r,
		     uint64_t now, struct bs_member_out *out)
{
	struct bs_member_ev ev = { .type = type, .rec = r };

	bs_member_step(m, &ev, now, out);
}

static void feed_list(struct bs_member *m, const struct bs_member_rec *recs, size_t n, uint64_t now,
		      struct bs_member_out *out)
{
	struct bs_member_ev ev = { .type = BS_MEMBER_EV_LISTED, .recs = recs, .nrecs = n };

	bs_member_step(m, &ev, now, out);
}

/* gw-b joined at 0 into a group that lists peers[0..n); registered at 10. */
static void join(struct bs_member *m, const struct bs_owner_cfg *c, const char *self,
		 const struct bs_member_rec *peers, size_t n)
{
	struct bs_member_rec me = rec(self, "127.0.0.1:0/2", 2);
	struct bs_member_out out;

	ck_assert_int_eq(bs_member_init(m, c, &me, 0, &out), 0);
	ck_assert_uint_eq(out.acts, BS_MEMBER_ACT_LIST);
	/* not registered: nobody could fence it, so it writes nothing yet */
	ck_assert_uint_eq(bs_member_write_until(m), 0);
	feed_list(m, peers, n, 5, &out);
	ck_assert(out.acts & BS_MEMBER_ACT_RENEW);
	feed(m, BS_MEMBER_EV_RENEW_DONE, 0, 5, 10, &out);
	ck_assert_int_eq(m->state, BS_MEMBER_STATE_MEMBER);
	ck_assert(out.acts & BS_MEMBER_ACT_REPORT);
	ck_assert_uint_eq(bs_member_write_until(m), 5 + c->fence_ms);
}

START_TEST(test_words)
{
	struct bs_member_rec r = rec("gw-a", "127.0.0.1:0/3710147553", 1), back;
	enum bs_member_ev_type t;
	char buf[512];
	int n;

	r.tags[1] = 7;
	r.ntags = 2;
	n = bs_member_value_build(buf, sizeof(buf), &r);
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "127.0.0.1:0/3710147553 1,7");
	ck_assert_int_eq(bs_member_value_parse(buf, (size_t)n, "gw-a", &back), 0);
	ck_assert_mem_eq(&back, &r, sizeof(r));
	/* bounded by the length: the tags cut off are not read */
	ck_assert_int_eq(bs_member_value_parse(buf, (size_t)n - 2, "gw-a", &back), 0);
	ck_assert_uint_eq(back.ntags, 1);
	ck_assert_int_eq(bs_member_value_parse(buf, 10, "gw-a", &back), -EINVAL);
	ck_assert_int_eq(bs_member_value_build(buf, 10, &r), -ENOSPC);

	n = bs_member_msg_build(buf, sizeof(buf), BS_MEMBER_EV_HEARD, &r);
	ck_assert_str_eq(buf, "alive gw-a 127.0.0.1:0/3710147553 1,7");
	ck_assert_int_eq(bs_member_msg_parse(buf, (size_t)n, &t, &back), 0);
	ck_assert_int_eq(t, BS_MEMBER_EV_HEARD);
	ck_assert_mem_eq(&back, &r, sizeof(r));
	n = bs_member_msg_build(buf, sizeof(buf), BS_MEMBER_EV_GONE, &r);
	ck_assert_str_eq(buf, "gone gw-a 127.0.0.1:0/3710147553");
	ck_assert_int_eq(bs_member_msg_parse(buf, (size_t)n, &t, &back), 0);
	ck_assert_int_eq(t, BS_MEMBER_EV_GONE);
	ck_assert_str_eq(back.addr, r.addr);
	ck_assert_int_eq(bs_member_msg_build(buf, sizeof(buf), BS_MEMBER_EV_TICK, &r), -EINVAL);

	/* no port group yet */
	r.ntags = 0;
	n = bs_member_value_build(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "127.0.0.1:0/3710147553 -");
	ck_assert_int_eq(bs_member_value_parse(buf, (size_t)n, "gw-a", &back), 0);
	ck_assert_uint_eq(back.ntags, 0);

	/* the owner's words, garbage, bad tags */
	static const char *const bad[] = {
		"owner gw-a", "move gw-b", "alive gw-a", "alive gw-a 1.2.3.4:0/1",
		"alive gw-a 1.2.3.4:0/1 0", "alive gw-a 1.2.3.4:0/1 70000",
		"alive gw-a 1.2.3.4:0/1 2,1", "alive gw-a 1.2.3.4:0/1 1,", "alive gw-a 1.2.3.4:0/1 1,,2",
		"alive gw-a 1.2.3.4:0/1 1 x", "gone gw-a", "left gw-a a b", "",
		"alive gw-a 1.2.3.4:0/1 1,2,3,4,5,6,7,8,9",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(bs_member_msg_parse(bad[i], strlen(bad[i]), &t, &back) == -EINVAL,
			      "%s", bad[i]);
	ck_assert_int_eq(bs_member_value_parse("a 1", 3, "", &back), -EINVAL);
	ck_assert_int_eq(bs_member_value_parse("a 1", 3, "two words", &back), -EINVAL);
}
END_TEST

START_TEST(test_join_and_renew)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_member_rec a = rec("gw-a", "127.0.0.1:0/1", 1);
	struct bs_member m;
	struct bs_member_out out;

	join(&m, &c, "gw-b", &a, 1);
	ck_assert_uint_eq(m.npeers, 1);
	for (uint64_t t = c.renew_ms + 5; t < 120000; t += c.renew_ms) {
		feed(&m, BS_MEMBER_EV_TICK, 0, 0, t, &out);
		ck_assert(out.acts & BS_MEMBER_ACT_RENEW);
		feed(&m, BS_MEMBER_EV_RENEW_DONE, 0, t, t + 1500, &out);
		ck_assert_uint_eq(bs_member_write_until(&m), t + c.fence_ms);
		/* gw-a renews too */
		feed_rec(&m, BS_MEMBER_EV_HEARD, &a, t + 100, &out);
		ck_assert_int_eq(m.state, BS_MEMBER_STATE_MEMBER);
		ck_assert_int_eq(m.peers[0].state, BS_MEMBER_PEER_LIVE);
	}
	/* its own notify comes back: not a peer */
	feed_rec(&m, BS_MEMBER_EV_HEARD, &m.self, 130000, &out);
	ck_assert_uint_eq(m.npeers, 1);
}
END_TEST

/* A follower cut off from the cluster stops writing at its fence margin, then fences itself. */
START_TEST(test_self_fence)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_member m;
	struct bs_member_out out;

	join(&m, &c, "gw-b", NULL, 0);
	/* renewals sent, never answered (the cluster is gone) */
	feed(&m, BS_MEMBER_EV_TICK, 0, 0, c.renew_ms + 5, &out);
	ck_assert(out.acts & BS_MEMBER_ACT_RENEW);
	ck_assert_uint_eq(bs_member_next(&m), 5 + c.fence_ms);
	feed(&m, BS_MEMBER_EV_TICK, 0, 0, 5 + c.fence_ms - 1, &out);
	ck_assert_uint_eq(out.acts & BS_MEMBER_ACT_STOP_WRITES, 0);
	feed(&m, BS_MEMBER_EV_TICK, 0, 0, 5 + c.fence_ms, &out);
	ck_assert(out.acts & BS_MEMBER_ACT_STOP_WRITES);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_SUSPENDED);
	/* the gate closed at the fence margin, whatever the thread does */
	ck_assert_uint_eq(bs_member_write_until(&m), 5 + c.fence_ms);
	/* a renewal that comes back in time resumes it */
	feed(&m, BS_MEMBER_EV_RENEW_DONE, 0, c.fence_ms, c.fence_ms + 100, &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_MEMBER);
	ck_assert_uint_eq(bs_member_write_until(&m), 2 * c.fence_ms);
	/* again, and this time past the lease: fenced for good */
	feed(&m, BS_MEMBER_EV_TICK, 0, 0, 2 * c.fence_ms, &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_SUSPENDED);
	feed(&m, BS_MEMBER_EV_TICK, 0, 0, c.fence_ms + c.lease_ms, &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_FENCED);
	ck_assert(out.acts & BS_MEMBER_ACT_STOP_WRITES);
	ck_assert_uint_eq(bs_member_write_until(&m), 0);
	feed(&m, BS_MEMBER_EV_RENEW_DONE, 0, c.fence_ms + c.lease_ms, c.fence_ms + c.lease_ms + 1,
	     &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_FENCED);
	ck_assert_uint_eq(bs_member_next(&m), UINT64_MAX);
}
END_TEST

/* A renewal answered later than the fence margin does not count: the gate stays shut. */
START_TEST(test_late_renewal)
{
	struct bs_owner_cfg c = { .lease_ms = 15000, .renew_ms = 2000, .fence_ms = 10000 };
	struct bs_member m;
	struct bs_member_out out;

	ck_assert_int_eq(bs_owner_cfg_check(&c), 0);
	join(&m, &c, "gw-b", NULL, 0);
	feed(&m, BS_MEMBER_EV_TICK, 0, 0, 2005, &out);
	ck_assert(out.acts & BS_MEMBER_ACT_RENEW);
	feed(&m, BS_MEMBER_EV_TICK, 0, 0, 5 + c.fence_ms, &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_SUSPENDED);
	/* sent at 2005, answered after that one's own margin: it does not count */
	feed(&m, BS_MEMBER_EV_RENEW_DONE, 0, 2005, 2005 + c.fence_ms, &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_SUSPENDED);
	ck_assert_uint_le(bs_member_write_until(&m), 2005 + c.fence_ms);
	ck_assert(out.acts & BS_MEMBER_ACT_RENEW);
}
END_TEST

START_TEST(test_blocklisted)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_member m;
	struct bs_member_out out;

	join(&m, &c, "gw-b", NULL, 0);
	feed(&m, BS_MEMBER_EV_BLOCKLISTED, 0, 0, 100, &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_FENCED);
	ck_assert(out.acts & BS_MEMBER_ACT_STOP_WRITES);
	join(&m, &c, "gw-b", NULL, 0);
	feed(&m, BS_MEMBER_EV_TICK, 0, 0, c.renew_ms + 5, &out);
	feed(&m, BS_MEMBER_EV_RENEW_DONE, -ESHUTDOWN, 0, c.renew_ms + 10, &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_FENCED);
	/* the group's "gone" for us (our address) */
	join(&m, &c, "gw-b", NULL, 0);
	struct bs_member_rec old = m.self;
	snprintf(old.addr, sizeof(old.addr), "127.0.0.1:0/999");
	feed_rec(&m, BS_MEMBER_EV_GONE, &old, 20, &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_MEMBER);
	feed_rec(&m, BS_MEMBER_EV_GONE, &m.self, 30, &out);
	ck_assert_int_eq(m.state, BS_MEMBER_STATE_FENCED);
	ck_assert_uint_eq(bs_member_write_until(&m), 0);
}
END_TEST

/*
 * A member not heard for a lease lapses on every gateway; only the
 * lowest-named live one fences it, and everyone drops it on "gone".
 */
START_TEST(test_lapse_and_fence)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_member_rec a = rec("gw-a", "127.0.0.1:0/1", 1);
	struct bs_member_rec cc = rec("gw-c", "127.0.0.1:0/3", 3);
	struct bs_member_rec two[2] = { a, cc };
	struct bs_member b;
	struct bs_member_out out;
	uint64_t t;

	/* gw-b with gw-a and gw-c; gw-c dies (never heard again) */
	join(&b, &c, "gw-b", two, 2);
	for (t = c.renew_ms + 5; t < 5 + c.lease_ms; t += c.renew_ms) {
		feed(&b, BS_MEMBER_EV_TICK, 0, 0, t, &out);
		feed(&b, BS_MEMBER_EV_RENEW_DONE, 0, t, t + 10, &out);
		feed_rec(&b, BS_MEMBER_EV_HEARD, &a, t + 20, &out);
	}
	/* listed at 5: lapses at 5 + lease, not a millisecond before */
	ck_assert_uint_le(bs_member_next(&b), 5 + c.lease_ms);
	feed(&b, BS_MEMBER_EV_TICK, 0, 0, 5 + c.lease_ms - 1, &out);
	ck_assert_int_eq(b.peers[1].state, BS_MEMBER_PEER_LIVE);
	feed(&b, BS_MEMBER_EV_TICK, 0, 0, 5 + c.lease_ms, &out);
	ck_assert_int_eq(b.peers[1].state, BS_MEMBER_PEER_LAPSED);
	ck_assert(out.acts & BS_MEMBER_ACT_REPORT);
	/* gw-a is live and sorts first: gw-b does not fence */
	ck_assert_uint_eq(out.acts & BS_MEMBER_ACT_FENCE, 0);
	/* gw-c renewing now does not bring it back */
	feed_rec(&b, BS_MEMBER_EV_HEARD, &cc, 5 + c.lease_ms + 1, &out);
	ck_assert_int_eq(b.peers[1].state, BS_MEMBER_PEER_LAPSED);
	/* gw-a lapses too (heard last at t - renew + 20): now gw-b is the fencer */
	t = b.peers[0].heard + c.lease_ms;
	feed(&b, BS_MEMBER_EV_TICK, 0, 0, t - c.renew_ms, &out);
	feed(&b, BS_MEMBER_EV_RENEW_DONE, 0, t - c.renew_ms, t - c.renew_ms + 1, &out);
	feed(&b, BS_MEMBER_EV_TICK, 0, 0, t, &out);
	ck_assert_int_eq(b.peers[0].state, BS_MEMBER_PEER_LAPSED);
	/* its own renewal is due too, and goes first: one request at a time */
	ck_assert_uint_eq(out.acts & (BS_MEMBER_ACT_FENCE | BS_MEMBER_ACT_RENEW),
			  BS_MEMBER_ACT_RENEW);
	feed(&b, BS_MEMBER_EV_RENEW_DONE, 0, t, t, &out);
	ck_assert(out.acts & BS_MEMBER_ACT_FENCE);
	ck_assert_str_eq(out.fence.name, "gw-a");
	ck_assert_str_eq(out.fence.addr, "127.0.0.1:0/1");
	/* one request at a time */
	feed(&b, BS_MEMBER_EV_TICK, 0, 0, t + 1, &out);
	ck_assert_uint_eq(out.acts & BS_MEMBER_ACT_FENCE, 0);
	/* a failed fence is retried; the member stays lapsed */
	{
		struct bs_member_ev ev = { .type = BS_MEMBER_EV_FENCE_DONE, .err = -EIO, .rec = &a };

		bs_member_step(&b, &ev, t + 2, &out);
	}
	ck_assert_uint_eq(b.npeers, 2);
	ck_assert_uint_eq(out.acts & BS_MEMBER_ACT_FENCE, 0);
	feed(&b, BS_MEMBER_EV_TICK, 0, 0, t + 2 + c.renew_ms / 4, &out);
	ck_assert(out.acts & BS_MEMBER_ACT_FENCE);
	ck_assert_str_eq(out.fence.name, "gw-a");
	/* done: gw-a dropped, and gw-c's fence asked at once */
	feed_rec(&b, BS_MEMBER_EV_FENCE_DONE, &a, t + 3 + c.renew_ms / 4, &out);
	ck_assert_uint_eq(b.npeers, 1);
	ck_assert_str_eq(b.peers[0].rec.name, "gw-c");
	ck_assert(out.acts & BS_MEMBER_ACT_FENCE);
	ck_assert_str_eq(out.fence.name, "gw-c");
	feed_rec(&b, BS_MEMBER_EV_FENCE_DONE, &cc, t + 4 + c.renew_ms / 4, &out);
	ck_assert_uint_eq(b.npeers, 0);
	ck_assert(out.acts & BS_MEMBER_ACT_REPORT);
}
END_TEST

/* Another gateway's "gone" or "left" drops only the instance it names. */
START_TEST(test_gone_left)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_member_rec a = rec("gw-a", "127.0.0.1:0/1", 1), a2 = a;
	struct bs_member b;
	struct bs_member_out out;

	join(&b, &c, "gw-b", &a, 1);
	snprintf(a2.addr, sizeof(a2.addr), "127.0.0.1:0/11");
	feed_rec(&b, BS_MEMBER_EV_LEFT, &a2, 20, &out);
	ck_assert_uint_eq(b.npeers, 1);
	feed_rec(&b, BS_MEMBER_EV_LEFT, &a, 30, &out);
	ck_assert_uint_eq(b.npeers, 0);
	ck_assert(out.acts & BS_MEMBER_ACT_REPORT);
	/* it joins again; then restarts under another client without leaving: lapsed, to fence */
	feed_rec(&b, BS_MEMBER_EV_HEARD, &a, 40, &out);
	ck_assert(out.acts & BS_MEMBER_ACT_REPORT);
	ck_assert_int_eq(b.peers[0].state, BS_MEMBER_PEER_LIVE);
	feed_rec(&b, BS_MEMBER_EV_HEARD, &a2, 50, &out);
	ck_assert_int_eq(b.peers[0].state, BS_MEMBER_PEER_LAPSED);
	ck_assert_str_eq(b.peers[0].rec.addr, a.addr);
	/* gw-b is the only live one: it fences the old client */
	ck_assert(out.acts & BS_MEMBER_ACT_FENCE);
	ck_assert_str_eq(out.fence.addr, a.addr);
	feed_rec(&b, BS_MEMBER_EV_FENCE_DONE, &a, 60, &out);
	ck_assert_uint_eq(b.npeers, 0);
	/* the new instance's next renewal registers it */
	feed_rec(&b, BS_MEMBER_EV_HEARD, &a2, 70, &out);
	ck_assert_uint_eq(b.npeers, 1);
	ck_assert_str_eq(b.peers[0].rec.addr, a2.addr);
}
END_TEST

/* Our own name under another address in the object: our previous life, fenced. */
START_TEST(test_previous_life)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_member_rec old = rec("gw-b", "127.0.0.1:0/77", 2);
	struct bs_member_rec me = rec("gw-b", "127.0.0.1:0/2", 2);
	struct bs_member b;
	struct bs_member_out out;
	struct bs_member_tpg tpgs[4];

	ck_assert_int_eq(bs_member_init(&b, &c, &me, 0, &out), 0);
	feed_list(&b, &old, 1, 5, &out);
	ck_assert_uint_eq(b.npeers, 1);
	ck_assert_int_eq(b.peers[0].state, BS_MEMBER_PEER_LAPSED);
	/* its port is ours: reported once, with our state */
	ck_assert_uint_eq(bs_member_tpgs(&b, "gw-b", SCSI_ALUA_ACTIVE_OPTIMIZED, tpgs, 4), 1);
	ck_assert_uint_eq(tpgs[0].state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	/* registered first, then it fences its previous client */
	ck_assert_uint_eq(out.acts & (BS_MEMBER_ACT_FENCE | BS_MEMBER_ACT_RENEW),
			  BS_MEMBER_ACT_RENEW);
	feed(&b, BS_MEMBER_EV_RENEW_DONE, 0, 5, 10, &out);
	ck_assert(out.acts & BS_MEMBER_ACT_FENCE);
	ck_assert_str_eq(out.fence.addr, "127.0.0.1:0/77");
	feed_rec(&b, BS_MEMBER_EV_FENCE_DONE, &old, 20, &out);
	ck_assert_uint_eq(b.npeers, 0);
}
END_TEST

START_TEST(test_tpgs)
{
	struct bs_owner_cfg c = cfg_default();
	struct bs_member_rec peers[3] = { rec("gw-a", "127.0.0.1:0/1", 1),
					  rec("gw-c", "127.0.0.1:0/3", 3),
					  rec("gw-d", "127.0.0.1:0/4", 4) };
	struct bs_member b;
	struct bs_member_out out;
	struct bs_member_tpg tpgs[8];
	size_t n;

	peers[2].tags[1] = 5;
	peers[2].ntags = 2;
	join(&b, &c, "gw-b", peers, 3);
	b.peers[1].state = BS_MEMBER_PEER_LAPSED;
	n = bs_member_tpgs(&b, "gw-a", SCSI_ALUA_ACTIVE_NON_OPTIMIZED, tpgs, 8);
	ck_assert_uint_eq(n, 5);
	static const struct {
		uint16_t id;
		uint8_t st;
	} want[] = { { 1, SCSI_ALUA_ACTIVE_OPTIMIZED }, { 2, SCSI_ALUA_ACTIVE_NON_OPTIMIZED },
		     { 3, SCSI_ALUA_UNAVAILABLE }, { 4, SCSI_ALUA_ACTIVE_NON_OPTIMIZED },
		     { 5, SCSI_ALUA_ACTIVE_NON_OPTIMIZED } };
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(tpgs[i].id, want[i].id);
		ck_assert_uint_eq(tpgs[i].state, want[i].st);
	}
	/* bounded by max */
	ck_assert_uint_le(bs_member_tpgs(&b, "gw-a", 0, tpgs, 2), 2);
	/* no owner known: nobody optimized but the caller's own state */
	n = bs_member_tpgs(&b, "", SCSI_ALUA_TRANSITIONING, tpgs, 8);
	ck_assert_uint_eq(tpgs[0].state, SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert_uint_eq(tpgs[1].state, SCSI_ALUA_TRANSITIONING);
	/* a tag claimed twice is listed once */
	b.peers[2].rec.tags[0] = 1;
	ck_assert_uint_eq(bs_member_tpgs(&b, "gw-a", 0, tpgs, 8), 4);
	(void)out;
}
END_TEST

/* Carries out gw's actions at t in a world of two: its notifies go to the other's mailbox. */
static void world_do(struct bs_member *gw, struct bs_member_out *out, bool *other_mail,
		     uint64_t t, uint64_t *fenced_at)
{
	for (int guard = 0; guard < 8 && out->acts; guard++) {
		if (out->acts & BS_MEMBER_ACT_LIST) {
			feed_list(gw, NULL, 0, t, out);
		} else if (out->acts & BS_MEMBER_ACT_RENEW) {
			/* the write and the notify take 20 ms */
			feed(gw, BS_MEMBER_EV_RENEW_DONE, 0, t, t + 20, out);
			*other_mail = true;
		} else if (out->acts & BS_MEMBER_ACT_FENCE) {
			struct bs_member_rec f = out->fence;

			*fenced_at = t;
			feed_rec(gw, BS_MEMBER_EV_FENCE_DONE, &f, t + 30, out);
		} else {
			break;
		}
	}
}

/*
 * Two gateways, notifies delivered within the 50 ms step. gw-b freezes
 * (SIGSTOP: it gets no events and no ticks) at a point that moves through
 * its renewal cycle: its write gate has closed a third of a lease before
 * gw-a may count it lapsed and fence it.
 */
START_TEST(test_world_frozen_follower)
{
	struct bs_owner_cfg c = { .lease_ms = 6000 };
	struct bs_member gw[2];
	struct bs_member_out out[2];
	struct bs_member_rec rec_of[2] = { rec("gw-a", "127.0.0.1:0/1", 1),
					   rec("gw-b", "127.0.0.1:0/2", 2) };
	uint64_t freeze = 20000 + (uint64_t)_i * 777, fenced[2] = { 0, 0 };
	bool mail[2] = { false, false };

	ck_assert_int_eq(bs_owner_cfg_check(&c), 0);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(bs_member_init(&gw[i], &c, &rec_of[i], 0, &out[i]), 0);
	for (uint64_t t = 0; t < 60000 && !fenced[0]; t += 50) {
		for (int i = 0; i < 2; i++) {
			if (i == 1 && t >= freeze)
				continue;
			world_do(&gw[i], &out[i], &mail[1 - i], t, &fenced[i]);
			if (mail[i]) {
				mail[i] = false;
				feed_rec(&gw[i], BS_MEMBER_EV_HEARD, &rec_of[1 - i], t, &out[i]);
				world_do(&gw[i], &out[i], &mail[1 - i], t, &fenced[i]);
			}
			if (t)
				feed(&gw[i], BS_MEMBER_EV_TICK, 0, 0, t, &out[i]);
			world_do(&gw[i], &out[i], &mail[1 - i], t, &fenced[i]);
		}
		if (t == 10000) {
			/* both registered, each sees the other live */
			ck_assert_uint_eq(gw[0].npeers, 1);
			ck_assert_uint_eq(gw[1].npeers, 1);
			ck_assert_uint_gt(bs_member_write_until(&gw[1]), t);
		}
	}
	ck_assert_uint_eq(fenced[1], 0);
	ck_assert_uint_gt(fenced[0], freeze);
	/* b stopped writing before a could fence it, by a third of the lease at least */
	ck_assert_uint_le(bs_member_write_until(&gw[1]) + c.lease_ms / 3, fenced[0]);
	ck_assert_uint_eq(gw[0].npeers, 0);
	ck_assert_int_eq(gw[0].state, BS_MEMBER_STATE_MEMBER);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("rbd_member");
	TCase *tc = tcase_create("member");

	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_join_and_renew);
	tcase_add_test(tc, test_self_fence);
	tcase_add_test(tc, test_late_renewal);
	tcase_add_test(tc, test_blocklisted);
	tcase_add_test(tc, test_lapse_and_fence);
	tcase_add_test(tc, test_gone_left);
	tcase_add_test(tc, test_previous_life);
	tcase_add_test(tc, test_tpgs);
	tcase_add_loop_test(tc, test_world_frozen_follower, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shared configuration's pure half: messages and answers both ways
 * (and malformed ones refused within their length), the originator's
 * verdict naming the member that refused or stayed silent, and a member's
 * state machine through a start, a missed commit, a stale prepare and a
 * lost watch.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "target/ctl/gconf.h"
#include "tests/unit/check_main.h"

START_TEST(msg_round_trip)
{
	static const char doc[] = "targets = ( );\n";
	struct gconf_msg m;
	size_t len;
	char *p;

	ck_assert_int_eq(gconf_msg_build(GCONF_MSG_PREPARE, 42, "gw-a", doc, strlen(doc), &p, &len),
			 0);
	ck_assert_str_eq(p, "portico-gconf 1 prepare 42 gw-a\ntargets = ( );\n");
	ck_assert_int_eq(gconf_msg_parse(p, len, &m), 0);
	ck_assert_int_eq(m.kind, GCONF_MSG_PREPARE);
	ck_assert_uint_eq(m.epoch, 42);
	ck_assert_str_eq(m.origin, "gw-a");
	ck_assert_uint_eq(m.doclen, strlen(doc));
	ck_assert(!memcmp(m.doc, doc, m.doclen));
	free(p);
	ck_assert_int_eq(gconf_msg_build(GCONF_MSG_COMMIT, 43, "gw-b", NULL, 0, &p, &len), 0);
	ck_assert_int_eq(gconf_msg_parse(p, len, &m), 0);
	ck_assert_int_eq(m.kind, GCONF_MSG_COMMIT);
	ck_assert_uint_eq(m.epoch, 43);
	ck_assert_uint_eq(m.doclen, 0);
	free(p);
}
END_TEST

START_TEST(msg_bad_names_refused)
{
	size_t len;
	char *p = NULL;

	ck_assert_int_eq(gconf_msg_build(GCONF_MSG_PREPARE, 1, "", "x", 1, &p, &len), -EINVAL);
	ck_assert_int_eq(gconf_msg_build(GCONF_MSG_PREPARE, 1, "gw a", "x", 1, &p, &len), -EINVAL);
	ck_assert_int_eq(gconf_msg_build(GCONF_MSG_COMMIT, 1, "gw-a", "x", 1, &p, &len), -EINVAL);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(msg_malformed_refused)
{
	static const char *const bad[] = {
		"",
		"portico-gconf 2 prepare 1 gw-a\n",
		"portico-gconf 1 apply 1 gw-a\n",
		"portico-gconf 1 prepare x1 gw-a\n",
		"portico-gconf 1 prepare 99999999999999999999 gw-a\n",
		"portico-gconf 1 prepare 1 gw-a",	 /* no end of line */
		"portico-gconf 1 prepare 1 \n",		 /* no origin */
		"portico-gconf 1 commit 1 gw-a\nstuff", /* a commit carries no document */
	};
	static const char ok[] = "portico-gconf 1 prepare 7 gw-a\nX";
	struct gconf_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(gconf_msg_parse(bad[i], strlen(bad[i]), &m) == -EINVAL, "%s", bad[i]);
	/* bounded by len: a prefix of a good message is not one */
	for (size_t n = 0; n < strlen(ok) - 1; n++)
		ck_assert_msg(gconf_msg_parse(ok, n, &m) == -EINVAL || m.doclen == 0, "len %zu", n);
	ck_assert_int_eq(gconf_msg_parse(ok, strlen(ok), &m), 0);
	ck_assert_uint_eq(m.doclen, 1);
}
END_TEST

START_TEST(ack_round_trip)
{
	struct gconf_ack a;
	char buf[128];
	int n;

	n = gconf_ack_build(true, "gw-b", NULL, buf, sizeof(buf));
	ck_assert_int_eq(n, 7);
	ck_assert_int_eq(gconf_ack_parse(buf, (size_t)n, &a), 0);
	ck_assert(a.ok);
	ck_assert_str_eq(a.name, "gw-b");
	n = gconf_ack_build(false, "gw-b", "ACL 'iqn.x' has 1 session here", buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(gconf_ack_parse(buf, (size_t)n, &a), 0);
	ck_assert(!a.ok);
	ck_assert_str_eq(a.name, "gw-b");
	ck_assert_str_eq(a.why, "ACL 'iqn.x' has 1 session here");
	ck_assert_int_eq(gconf_ack_build(true, "gw-b", NULL, buf, 4), -ENOSPC);
	ck_assert_int_eq(gconf_ack_parse("ok ", 3, &a), -EINVAL);
	ck_assert_int_eq(gconf_ack_parse("refuse gw-b", 11, &a), -EINVAL);
	ck_assert_int_eq(gconf_ack_parse("yes gw-b", 8, &a), -EINVAL);
	ck_assert_int_eq(gconf_ack_parse(NULL, 0, &a), -EINVAL);
}
END_TEST

static const struct gconf_member_id ids[] = { { 4101, "gw-a" }, { 4102, "gw-b" } };

START_TEST(decide_all_ok_commits)
{
	struct gconf_reply r[] = {
		{ .gid = 4101, .data = "ok gw-a", .len = 7 },
		{ .gid = 4102, .data = "ok gw-b", .len = 7 },
	};
	char msg[256];

	ck_assert_int_eq(gconf_decide(r, 2, ids, 2, 5000, msg, sizeof(msg)), GCONF_VERDICT_COMMIT);
	ck_assert_str_eq(msg, "");
}
END_TEST

START_TEST(decide_silent_member_named)
{
	struct gconf_reply r[] = {
		{ .gid = 4101, .data = "ok gw-a", .len = 7 },
		{ .gid = 4102, .timed_out = true },
	};
	char msg[256];

	ck_assert_int_eq(gconf_decide(r, 2, ids, 2, 5000, msg, sizeof(msg)), GCONF_VERDICT_ABORT);
	ck_assert_str_eq(msg, "gateway gw-b did not answer in 5 s; nothing changed");
	ck_assert_int_eq(gconf_decide(r, 2, ids, 2, 1500, msg, sizeof(msg)), GCONF_VERDICT_ABORT);
	ck_assert_str_eq(msg, "gateway gw-b did not answer in 1500 ms; nothing changed");
	r[1].gid = 77;
	ck_assert_int_eq(gconf_decide(r, 2, ids, 2, 5000, msg, sizeof(msg)), GCONF_VERDICT_ABORT);
	ck_assert_str_eq(msg, "client.77 (a watcher that is no gateway of this group) did not answer "
			      "in 5 s; nothing changed");
}
END_TEST

START_TEST(decide_refusal_first)
{
	struct gconf_reply r[] = {
		{ .gid = 4101, .timed_out = true },
		{ .gid = 4102, .data = "refuse gw-b LUN 3 is not here", .len = 29 },
	};
	char msg[256];

	ck_assert_int_eq(gconf_decide(r, 2, ids, 2, 5000, msg, sizeof(msg)), GCONF_VERDICT_ABORT);
	ck_assert_str_eq(msg, "gateway gw-b refused the change: LUN 3 is not here; nothing changed");
	r[1].data = "garbage";
	r[1].len = 7;
	ck_assert_int_eq(gconf_decide(r, 2, ids, 2, 5000, msg, sizeof(msg)), GCONF_VERDICT_ABORT);
	ck_assert_str_eq(msg, "gateway gw-b gave an answer that is not understood; nothing changed");
}
END_TEST

static enum gconf_action step(struct gconf_member *m, enum gconf_event_kind k, uint64_t epoch,
			      bool self)
{
	struct gconf_event ev = { .kind = k, .epoch = epoch, .self = self };

	return gconf_member_step(m, &ev);
}

START_TEST(member_start_and_changes)
{
	struct gconf_member m = { 0 };

	ck_assert_int_eq(step(&m, GCONF_EV_START, 0, false), GCONF_ACT_WATCH_READ);
	ck_assert_int_eq(m.state, GCONF_MEMBER_UNSYNCED);
	/* a prepare before the read: what is stored decides */
	ck_assert_int_eq(step(&m, GCONF_EV_PREPARE, 1, false), GCONF_ACT_READ_VALIDATE);
	ck_assert_int_eq(step(&m, GCONF_EV_READ, 5, false), GCONF_ACT_NONE);
	ck_assert_int_eq(m.state, GCONF_MEMBER_SYNCED);
	ck_assert_uint_eq(m.epoch, 5);
	ck_assert_int_eq(step(&m, GCONF_EV_PREPARE, 6, false), GCONF_ACT_VALIDATE);
	ck_assert_int_eq(step(&m, GCONF_EV_PREPARE, 6, true), GCONF_ACT_ACK_OK);
	/* built on what is replaced already */
	ck_assert_int_eq(step(&m, GCONF_EV_PREPARE, 5, false), GCONF_ACT_REFUSE_STALE);
	/* 6 went by unseen */
	ck_assert_int_eq(step(&m, GCONF_EV_PREPARE, 7, false), GCONF_ACT_READ_VALIDATE);
	ck_assert_int_eq(step(&m, GCONF_EV_COMMIT, 6, false), GCONF_ACT_READ_APPLY_ACK);
	ck_assert_int_eq(step(&m, GCONF_EV_READ, 6, false), GCONF_ACT_NONE);
	/* a commit it has: answered, nothing to do */
	ck_assert_int_eq(step(&m, GCONF_EV_COMMIT, 6, false), GCONF_ACT_ACK_OK);
	ck_assert_int_eq(step(&m, GCONF_EV_COMMITTED, 7, false), GCONF_ACT_NONE);
	ck_assert_uint_eq(m.epoch, 7);
	ck_assert_int_eq(step(&m, GCONF_EV_COMMIT, 7, true), GCONF_ACT_ACK_OK);
}
END_TEST

START_TEST(member_watch_lost_reads_again)
{
	struct gconf_member m = { .state = GCONF_MEMBER_SYNCED, .epoch = 3 };

	ck_assert_int_eq(step(&m, GCONF_EV_WATCH_LOST, 0, false), GCONF_ACT_WATCH_READ);
	ck_assert_int_eq(m.state, GCONF_MEMBER_UNSYNCED);
	/* until read again, even a commit it seems to have is read */
	ck_assert_int_eq(step(&m, GCONF_EV_COMMIT, 3, false), GCONF_ACT_READ_APPLY_ACK);
	ck_assert_int_eq(step(&m, GCONF_EV_PREPARE, 4, false), GCONF_ACT_READ_VALIDATE);
	ck_assert_int_eq(step(&m, GCONF_EV_READ, 4, false), GCONF_ACT_NONE);
	ck_assert_int_eq(step(&m, GCONF_EV_PREPARE, 5, false), GCONF_ACT_VALIDATE);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("gconf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, msg_round_trip);
	tcase_add_test(tc, msg_bad_names_refused);
	tcase_add_test(tc, msg_malformed_refused);
	tcase_add_test(tc, ack_round_trip);
	tcase_add_test(tc, decide_all_ok_commits);
	tcase_add_test(tc, decide_silent_member_named);
	tcase_add_test(tc, decide_refusal_first);
	tcase_add_test(tc, member_start_and_changes);
	tcase_add_test(tc, member_watch_lost_reads_again);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Failover, story by story, with a fake clock (mpath/sm_health.c): a NIC
 * that loses carrier, a path that dies silently, a path back, a flapping
 * link, LUNs unmapped or grown on the target, a restart over a failed
 * path. The test plays the daemon (sm_harness.h).
 */
#include "mpath/sm.h"
#include "tests/unit/check_main.h"
#include "tests/unit/mpath/sm_harness.h"

static const char *const both[] = { "8:0", "8:48", NULL };

static struct mp_path_view path_view(const char *dev)
{
	struct mp_path_view v[16];
	size_t n = mp_sm_paths(sm, v, 16);

	for (size_t i = 0; i < n && i < 16; i++)
		if (!strcmp(v[i].dev, dev))
			return v[i];
	ck_abort_msg("no path %s", dev);
	return v[0];
}

/* Every check asked in the last actions, answered with r (the disks of W0: 8:0, 8:48). */
static void answer_checks(enum mp_check_result r)
{
	struct mp_action checks[8];
	size_t n = 0;

	for (size_t i = 0; i < acts.n && n < 8; i++)
		if (acts.a[i].type == MP_ACT_CHECK)
			checks[n++] = acts.a[i];
	for (size_t i = 0; i < n; i++)
		check_done(checks[i].u.check.key.link.nic, checks[i].u.check.key.link.portal,
			   checks[i].u.check.key.lun, checks[i].u.check.devt, r, MP_UA_NONE);
}

/* Links up, LUN 0 on both (sda 8:0 over eth0, sdd 8:48 over eth1), its map made, checks passed. */
static void one_map(uint32_t open)
{
	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	tick(500);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 1);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	/* a path in a table is checked at once */
	ck_assert_uint_eq(count(MP_ACT_CHECK), 2);
	ck_assert_str_eq(act(MP_ACT_CHECK)->u.check.wwid, ""); /* WWID just read: TUR only */
	ck_assert_uint_eq(act(MP_ACT_CHECK)->u.check.timeout_ms, 2000);
	answer_checks(MP_CHECK_UP);
	kernel_map(W0, 64 * MiB, open, both, NULL);
	ck_assert_uint_eq(map_view(W0).nactive, 2);
	ck_assert(!mp_sm_watching(sm));
}

/* The NIC loses carrier: its path is failed and its session kicked at once; back, checked, reinstated. */
START_TEST(test_carrier_lost_and_back)
{
	const struct mp_action *a;

	one_map(1);
	nic("eth1", 3, false);
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_FAIL)->u.path.devt, "8:48");
	ck_assert_uint_eq(count(MP_ACT_KICK), 1);
	a = act(MP_ACT_KICK);
	ck_assert_str_eq(a->u.kick.key.nic, "eth1");
	ck_assert_uint_eq(a->u.kick.sid, 2);
	ck_assert(mp_sm_watching(sm));
	ck_assert_int_eq(path_view("sdd").state, MP_PATH_FAILED);
	ck_assert_ptr_nonnull(strstr(path_view("sdd").reason, "no carrier"));
	ck_assert(condition_of("path sdd", "failed: NIC eth1 is down or has no carrier"));
	/* the other path carries on */
	ck_assert_uint_eq(map_view(W0).nactive, 1);
	ck_assert(!map_view(W0).queueing);
	path_done(W0, "8:48", false);
	kernel_map(W0, 64 * MiB, 1, both, (const char *const[]){ "8:48", NULL });
	/* the kernel failed the session: its timeout cannot be written while it is failed */
	session("eth1", P1, 2, false);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 0);
	ck_assert_uint_eq(count(MP_ACT_KICK), 0);
	tick(20000);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO) + count(MP_ACT_KICK), 0);
	answer_checks(MP_CHECK_UP); /* the other path's */
	/* carrier back: nothing until the session is logged in again */
	nic("eth1", 3, true);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE) + count(MP_ACT_CHECK), 0);
	session("eth1", P1, 2, true);
	/*
	 * logged in again (shown here with 5): its map has a spare path (sda),
	 * so it runs with 0, as the kick left it in the kernel
	 */
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 1);
	ck_assert_uint_eq(act(MP_ACT_SESSION_TMO)->u.session_tmo.sid, 2);
	ck_assert_uint_eq(act(MP_ACT_SESSION_TMO)->u.session_tmo.recovery_tmo_s, 0);
	/* checked first, with its WWID: the name may lead to another LU now */
	ck_assert_uint_eq(count(MP_ACT_CHECK), 1);
	ck_assert_str_eq(act(MP_ACT_CHECK)->u.check.devt, "8:48");
	ck_assert_str_eq(act(MP_ACT_CHECK)->u.check.wwid, W0);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 0);
	ck_assert_ptr_nonnull(strstr(path_view("sdd").reason, "being checked"));
	check_done("eth1", P1, 0, "8:48", MP_CHECK_UP, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_REINSTATE)->u.path.devt, "8:48");
	path_done(W0, "8:48", true);
	kernel_map(W0, 64 * MiB, 1, both, NULL);
	ck_assert_uint_eq(map_view(W0).nactive, 2);
	ck_assert(!mp_sm_watching(sm));
}
END_TEST

/* A check unanswered (the portal died, carrier stays): every path of that session fails, it is kicked. */
START_TEST(test_silent_death)
{
	one_map(0);
	disk("eth0", P0, 1, "sdb", 16, W1, 64 * MiB);
	disk("eth1", P1, 1, "sde", 64, W1, 64 * MiB);
	tick(500);
	map_done(MP_MAP_OP_CREATE, W1, 0);
	answer_checks(MP_CHECK_UP);
	kernel_map(W1, 64 * MiB, 0, (const char *const[]){ "8:16", "8:64", NULL }, NULL);
	check_done("eth1", P1, 0, "8:48", MP_CHECK_DOWN_LINK, MP_UA_NONE);
	/* both LUNs' paths over that session, not only the one checked */
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 2);
	ck_assert_uint_eq(count(MP_ACT_KICK), 1);
	ck_assert_uint_eq(act(MP_ACT_KICK)->u.kick.sid, 2);
	ck_assert_ptr_nonnull(strstr(path_view("sde").reason, "being failed"));
	path_done(W0, "8:48", false);
	path_done(W1, "8:64", false);
	/*
	 * the kick never took (the session still shows logged in): after 10 s
	 * it is checked again; its timeout stays the 0 the kick wrote, as
	 * its maps have spare paths (sda, sdb)
	 */
	tick(9999);
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 0);
	ck_assert(!link_view("eth1", P1).drift);
	/* still logged in: checked again; its paths stay failed until a check passes */
	ck_assert_uint_eq(count(MP_ACT_CHECK), 2);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 0);
	answer_checks(MP_CHECK_UP);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
}
END_TEST

/* Checks back off on a healthy active path (1 s, then 2 s) and come at once after a change. */
START_TEST(test_check_interval)
{
	one_map(0);
	tick(999);
	ck_assert_uint_eq(count(MP_ACT_CHECK), 0);
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_CHECK), 2);
	answer_checks(MP_CHECK_UP);
	tick(1999);
	ck_assert_uint_eq(count(MP_ACT_CHECK), 0);
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_CHECK), 2);
	answer_checks(MP_CHECK_UP);
	tick(2000); /* the most it grows to */
	ck_assert_uint_eq(count(MP_ACT_CHECK), 2);
	/* a LU that cannot do I/O: failed, checked again at the base interval */
	check_done("eth0", P0, 0, "8:0", MP_CHECK_DOWN_LU, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
	ck_assert_uint_eq(count(MP_ACT_KICK), 0); /* the session is fine */
	path_done(W0, "8:0", false);
	tick(1000);
	ck_assert_uint_eq(count(MP_ACT_CHECK), 1);
	ck_assert_str_eq(act(MP_ACT_CHECK)->u.check.wwid, W0);
}
END_TEST

/* A link that flaps: the third failure in a minute holds the path back for 30 s of good health. */
START_TEST(test_flapping_link_is_marginal)
{
	unsigned int reinstated;
	int64_t back = 0;

	one_map(1);
	for (int round = 0; round < 3; round++) {
		nic("eth1", 3, false);
		ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
		path_done(W0, "8:48", false);
		session("eth1", P1, 2, false);
		ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 0);
		tick(1000);
		nic("eth1", 3, true);
		session("eth1", P1, 2, true);
		back = now;
		check_done("eth1", P1, 0, "8:48", MP_CHECK_UP, MP_UA_NONE);
		if (round < 2) {
			ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
			path_done(W0, "8:48", true);
		}
		tick(1000);
		answer_checks(MP_CHECK_UP);
	}
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 0);
	ck_assert(path_view("sdd").marginal);
	ck_assert_ptr_nonnull(strstr(path_view("sdd").reason, "marginal: it failed 3 times"));
	reinstated = total[MP_ACT_PATH_REINSTATE];
	while (total[MP_ACT_PATH_REINSTATE] == reinstated && now < back + 40000) {
		tick(1000);
		answer_checks(MP_CHECK_UP);
	}
	ck_assert_uint_eq(total[MP_ACT_PATH_REINSTATE], reinstated + 1);
	ck_assert_int_ge(now, back + 30000);
	ck_assert_int_le(now, back + 31000);
	ck_assert(!path_view("sdd").marginal);
}
END_TEST

/*
 * A marginal path is held back only while another path carries the I/O:
 * with its map's other path gone it serves at once (the map would queue,
 * then fail its I/O), and is held back again once the other path is back.
 */
START_TEST(test_marginal_path_serves_when_alone)
{
	one_map(1);
	for (int round = 0; round < 3; round++) {
		nic("eth1", 3, false);
		path_done(W0, "8:48", false);
		session("eth1", P1, 2, false);
		tick(1000);
		nic("eth1", 3, true);
		session("eth1", P1, 2, true);
		check_done("eth1", P1, 0, "8:48", MP_CHECK_UP, MP_UA_NONE);
		if (round < 2)
			path_done(W0, "8:48", true);
		tick(1000);
		answer_checks(MP_CHECK_UP);
	}
	ck_assert(path_view("sdd").marginal);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 0);

	/* eth0 goes: sda failed, and sdd, marginal but sound, reinstated in the same pass */
	nic("eth0", 2, false);
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_FAIL)->u.path.devt, "8:0");
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_REINSTATE)->u.path.devt, "8:48");
	path_done(W0, "8:0", false);
	path_done(W0, "8:48", true);
	ck_assert(path_view("sdd").marginal);
	ck_assert_int_eq(path_view("sdd").state, MP_PATH_ACTIVE);

	/* eth0 back and checked: sda serves, sdd is held back again until its hold is over */
	session("eth0", P0, 1, false);
	tick(1000);
	nic("eth0", 2, true);
	session("eth0", P0, 1, true);
	check_done("eth0", P0, 0, "8:0", MP_CHECK_UP, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_REINSTATE)->u.path.devt, "8:0");
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_FAIL)->u.path.devt, "8:48");
	ck_assert_ptr_nonnull(strstr(act(MP_ACT_PATH_FAIL)->u.path.reason, "marginal"));
}
END_TEST

/* The target unmaps a LUN whose map nobody holds: the map goes, then its disks. */
START_TEST(test_lun_unmapped_map_closed)
{
	one_map(0);
	check_done("eth0", P0, 0, "8:0", MP_CHECK_LU_GONE, MP_UA_NONE);
	ck_assert_int_eq(path_view("sda").state, MP_PATH_EXCLUDED);
	ck_assert_ptr_nonnull(strstr(path_view("sda").reason, "no longer maps LUN 0"));
	check_done("eth1", P1, 0, "8:48", MP_CHECK_LU_GONE, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_MAP_REMOVE), 1);
	ck_assert_uint_eq(count(MP_ACT_DISK_DELETE), 0); /* not while a table holds them */
	map_done(MP_MAP_OP_REMOVE, W0, 0);
	ck_assert_uint_eq(count(MP_ACT_DISK_DELETE), 2);
	disk_gone("eth0", P0, 0);
	disk_gone("eth1", P1, 0);
	tick(5000);
	ck_assert_uint_eq(acts.n, 0);
}
END_TEST

/* The target unmaps a LUN whose map is open: kept, its paths failed, and said so. */
START_TEST(test_lun_unmapped_map_open)
{
	unsigned int fails;

	one_map(1);
	fails = total[MP_ACT_PATH_FAIL];
	check_done("eth0", P0, 0, "8:0", MP_CHECK_LU_GONE, MP_UA_NONE);
	check_done("eth1", P1, 0, "8:48", MP_CHECK_LU_GONE, MP_UA_NONE);
	ck_assert_uint_eq(total[MP_ACT_PATH_FAIL] - fails, 2);
	path_done(W0, "8:0", false);
	path_done(W0, "8:48", false);
	tick(1000);
	ck_assert_uint_eq(total[MP_ACT_MAP_REMOVE] + total[MP_ACT_MAP_RELOAD], 0);
	ck_assert_uint_eq(total[MP_ACT_DISK_DELETE], 0);
	ck_assert(condition_has("has no path left and is open"));
	/* closed: removed, then the disks deleted */
	kernel_map(W0, 64 * MiB, 0, both, both);
	ck_assert_uint_eq(count(MP_ACT_MAP_REMOVE), 1);
}
END_TEST

/*
 * Unit attentions met by a check: LUNs changed rescans every session to
 * the target at once (the other path's attention is not waited for), each
 * at most once a second; capacity rescans every disk.
 */
START_TEST(test_unit_attentions)
{
	one_map(0);
	tick(1000);
	check_done("eth0", P0, 0, "8:0", MP_CHECK_UP, MP_UA_LUNS_CHANGED);
	ck_assert_uint_eq(count(MP_ACT_RESCAN), 2);
	ck_assert_uint_eq(nth(MP_ACT_RESCAN, 0)->u.rescan_sid, 1);
	ck_assert_uint_eq(nth(MP_ACT_RESCAN, 1)->u.rescan_sid, 2);
	/* every LUN of both sessions is checked now (an unmapped one says so): eth1's is under way */
	tick(500);
	check_done("eth0", P0, 0, "8:0", MP_CHECK_UP, MP_UA_LUNS_CHANGED);
	check_done("eth1", P1, 0, "8:48", MP_CHECK_UP, MP_UA_LUNS_CHANGED);
	ck_assert_uint_eq(count(MP_ACT_RESCAN), 0); /* once a second at most */
	tick(500);
	check_done("eth1", P1, 0, "8:48", MP_CHECK_UP, MP_UA_CAPACITY_CHANGED);
	ck_assert_uint_eq(count(MP_ACT_DISK_RESCAN), 2);
	ck_assert_str_eq(nth(MP_ACT_DISK_RESCAN, 0)->u.disk, "sda");
	ck_assert_str_eq(nth(MP_ACT_DISK_RESCAN, 1)->u.disk, "sdd");
	/* the same from udev's SDEV_UA */
	tick(1000);
	{
		struct mp_event ev = { .type = MP_EV_DISK_UA };

		ev.u.disk_ua.key.link = key("eth1", P1);
		ev.u.disk_ua.key.lun = 0;
		ev.u.disk_ua.ua = MP_UA_LUNS_CHANGED;
		feed(&ev);
		ck_assert_uint_eq(count(MP_ACT_RESCAN), 2);
		ck_assert_uint_eq(nth(MP_ACT_RESCAN, 0)->u.rescan_sid, 1);
		ck_assert_uint_eq(nth(MP_ACT_RESCAN, 1)->u.rescan_sid, 2);
	}
}
END_TEST

/* A restart over a map with a failed path: checked with its WWID before it is reinstated. */
START_TEST(test_restart_over_failed_path)
{
	nic("eth0", 2, true);
	nic("eth1", 3, true);
	session("eth0", P0, 1, true);
	session("eth1", P1, 2, true);
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	kernel_map(W0, 64 * MiB, 1, both, (const char *const[]){ "8:48", NULL });
	started();
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE) + count(MP_ACT_PATH_FAIL), 0);
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD), 0);
	ck_assert_ptr_nonnull(nth(MP_ACT_CHECK, 1));
	ck_assert_str_eq(nth(MP_ACT_CHECK, 1)->u.check.devt, "8:48");
	ck_assert_str_eq(nth(MP_ACT_CHECK, 1)->u.check.wwid, W0);
	check_done("eth1", P1, 0, "8:48", MP_CHECK_UP, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
}
END_TEST

/* The session over eth1 as the scan shows it: logged in, with recovery timeout tmo. */
static void session_tmo(const char *n, const char *portal, uint32_t sid, bool logged_in, int32_t tmo)
{
	struct mp_event ev = { .type = MP_EV_SESSION };

	ev.u.session.key = key(n, portal);
	ev.u.session.sid = sid;
	ev.u.session.logged_in = logged_in;
	ev.u.session.recovery_tmo_s = tmo;
	ev.u.session.noop_out_interval_s = 5;
	ev.u.session.noop_out_timeout_s = 5;
	feed(&ev);
}

/* The last actions' recovery_tmo writes to session sid (of value tmo; -1: any). */
static size_t tmo_writes(uint32_t sid, int32_t tmo)
{
	size_t n = 0;

	for (size_t i = 0; i < acts.n; i++)
		n += acts.a[i].type == MP_ACT_SESSION_TMO && acts.a[i].u.session_tmo.sid == sid &&
		     (tmo < 0 || acts.a[i].u.session_tmo.recovery_tmo_s == (uint32_t)tmo);
	return n;
}

/*
 * A session left at recovery_tmo 0 by a pathd that stopped: kept while its
 * map has a spare path; the policy's value once it is the map's last path.
 */
START_TEST(test_zero_recovery_tmo_restored)
{
	one_map(0);
	session_tmo("eth1", P1, 2, true, 0);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 0);
	ck_assert(!link_view("eth1", P1).drift);
	/* eth0's path dies silently: eth1's is the last one */
	check_done("eth0", P0, 0, "8:0", MP_CHECK_DOWN_LINK, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_KICK), 1);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 1);
	ck_assert_uint_eq(act(MP_ACT_SESSION_TMO)->u.session_tmo.sid, 2);
	ck_assert_uint_eq(act(MP_ACT_SESSION_TMO)->u.session_tmo.recovery_tmo_s, 5);
	tick(1000);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 0);
}
END_TEST

/*
 * Both paths of a map up: both sessions run with recovery_tmo 0, so that
 * whichever dies hands its I/O to the other at once; not drift.
 */
START_TEST(test_spare_path_fast)
{
	one_map(1);
	/* one write per session, when both paths could carry I/O */
	ck_assert_uint_eq(total[MP_ACT_SESSION_TMO], 2);
	session_tmo("eth0", P0, 1, true, 0);
	session_tmo("eth1", P1, 2, true, 0);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 0);
	ck_assert(!link_view("eth0", P0).drift);
	ck_assert(!link_view("eth1", P1).drift);
	tick(5000);
	answer_checks(MP_CHECK_UP);
	ck_assert_uint_eq(total[MP_ACT_SESSION_TMO], 2);
}
END_TEST

/*
 * The target behind eth0 dies (its process killed): the connection is
 * closed and reconnects are refused, the carrier stays, nothing times out.
 * The session ran with 0, so the kernel failed its I/O to dm-multipath
 * itself; pathd fails the path, kicks nothing (the connection is gone
 * already), and gives the last path the policy's timeout. Back: checked,
 * reinstated, both at 0 again.
 */
START_TEST(test_target_dies_spare_takes_over)
{
	one_map(1);
	session_tmo("eth0", P0, 1, true, 0);
	session_tmo("eth1", P1, 2, true, 0);
	session_tmo("eth0", P0, 1, false, 0);
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_FAIL)->u.path.devt, "8:0");
	ck_assert_uint_eq(count(MP_ACT_KICK), 0);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 1);
	ck_assert_uint_eq(act(MP_ACT_SESSION_TMO)->u.session_tmo.sid, 2);
	ck_assert_uint_eq(act(MP_ACT_SESSION_TMO)->u.session_tmo.recovery_tmo_s, 5);
	ck_assert(!map_view(W0).queueing);
	path_done(W0, "8:0", false);
	kernel_map(W0, 64 * MiB, 1, both, (const char *const[]){ "8:0", NULL });
	session_tmo("eth1", P1, 2, true, 5);
	/* reconnects refused for a while: nothing written to the failed session */
	for (int i = 0; i < 20; i++) {
		tick(1000);
		answer_checks(MP_CHECK_UP);
		ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 0);
	}
	/* the target is back: iscsid logs in again (the kernel kept the 0) */
	session_tmo("eth0", P0, 1, true, 0);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 0); /* eth1's is still the last usable path */
	ck_assert_str_eq(act(MP_ACT_CHECK)->u.check.wwid, W0);
	check_done("eth0", P0, 0, "8:0", MP_CHECK_UP, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
	ck_assert_uint_eq(count(MP_ACT_SESSION_TMO), 1);
	ck_assert_uint_eq(act(MP_ACT_SESSION_TMO)->u.session_tmo.sid, 2);
	ck_assert_uint_eq(act(MP_ACT_SESSION_TMO)->u.session_tmo.recovery_tmo_s, 0);
}
END_TEST

/*
 * The last path of a map keeps the policy's timeout, and so does a session
 * one of whose maps has no other path: a blip there waits for the session
 * instead of failing its I/O up to dm-multipath's queue. A timeout someone
 * else wrote is left as it is, and said as drift.
 */
START_TEST(test_last_path_keeps_policy)
{
	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	disk("eth0", P0, 1, "sdb", 16, W1, 64 * MiB); /* W1 only through eth0 */
	tick(500);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 2);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	map_done(MP_MAP_OP_CREATE, W1, 0);
	answer_checks(MP_CHECK_UP);
	answer_checks(MP_CHECK_UP);
	kernel_map(W0, 64 * MiB, 1, both, NULL);
	kernel_map(W1, 64 * MiB, 1, (const char *const[]){ "8:16", NULL }, NULL);
	ck_assert_uint_eq(map_view(W0).nactive, 2);
	ck_assert_uint_eq(map_view(W1).nactive, 1);
	/* eth1's one map has a spare (sda); eth0's W1 has none */
	ck_assert_uint_eq(total[MP_ACT_SESSION_TMO], 1);
	ck_assert_uint_eq(tmo_writes(2, 0), 0); /* the last actions: sdd's check answered */
	session_tmo("eth1", P1, 2, true, 0);
	/* a blip on eth0: nothing written to it; eth1's is W0's last path meanwhile */
	session_tmo("eth0", P0, 1, false, 5);
	ck_assert_uint_eq(tmo_writes(1, -1), 0);
	ck_assert_uint_eq(tmo_writes(2, 5), 1);
	path_done(W0, "8:0", false);
	path_done(W1, "8:16", false);
	session_tmo("eth0", P0, 1, true, 5);
	ck_assert_uint_eq(tmo_writes(1, -1), 0);
	/* sda checked with its WWID before it is back; then eth1's has a spare again */
	check_done("eth0", P0, 0, "8:0", MP_CHECK_UP, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
	ck_assert_uint_eq(tmo_writes(1, -1), 0);
	ck_assert_uint_eq(tmo_writes(2, 0), 1);
	ck_assert_uint_eq(total[MP_ACT_SESSION_TMO], 3);
	ck_assert(!link_view("eth0", P0).drift);
	/* a timeout of someone else's on eth1: kept, and shown */
	session_tmo("eth1", P1, 2, true, 7);
	tick(1000);
	ck_assert_uint_eq(total[MP_ACT_SESSION_TMO], 3);
	ck_assert(link_view("eth1", P1).drift);
}
END_TEST

static Suite *sm_health_suite(void)
{
	Suite *s = suite_create("mpath/sm_health");
	TCase *tc = tcase_create("failover");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_carrier_lost_and_back);
	tcase_add_test(tc, test_silent_death);
	tcase_add_test(tc, test_check_interval);
	tcase_add_test(tc, test_flapping_link_is_marginal);
	tcase_add_test(tc, test_marginal_path_serves_when_alone);
	tcase_add_test(tc, test_lun_unmapped_map_closed);
	tcase_add_test(tc, test_lun_unmapped_map_open);
	tcase_add_test(tc, test_unit_attentions);
	tcase_add_test(tc, test_restart_over_failed_path);
	tcase_add_test(tc, test_zero_recovery_tmo_restored);
	tcase_add_test(tc, test_spare_path_fast);
	tcase_add_test(tc, test_target_dies_spare_takes_over);
	tcase_add_test(tc, test_last_path_keeps_policy);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sm_health_suite)

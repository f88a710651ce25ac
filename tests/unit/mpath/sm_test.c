/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The path manager's state machine, story by story, with a fake clock:
 * NICs, discovery, logins, maps, teardown (the failover stories are in
 * sm_health_test.c). The test plays the daemon (sm_harness.h) and checks
 * what the machine asks next.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpath/sm.h"
#include "tests/unit/check_main.h"
#include "tests/unit/mpath/sm_harness.h"

/* ---- the stories ---- */

/* One discovery address, two NICs, three LUNs: three maps of two paths, once settled. */
START_TEST(test_from_nothing_to_three_maps)
{
	const struct mp_action *a;

	bring_up_links();
	three_luns();
	/* the paths arrived within the settle time: no map yet */
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 0);
	ck_assert_int_le(mp_sm_next_deadline(sm), now + 500);
	tick(499);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 0);
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 3);
	for (size_t i = 0; i < 3; i++) {
		a = nth(MP_ACT_MAP_CREATE, i);
		ck_assert_str_eq(a->u.map.name, a->u.map.wwid); /* no alias: named by WWID */
		ck_assert_uint_eq(a->u.map.ngroups, 1);
		ck_assert_uint_eq(a->u.map.groups[0].npaths, 2);
		ck_assert(a->u.map.queue_if_no_path);
		ck_assert_int_eq(a->u.map.selector, MP_SELECTOR_SERVICE_TIME);
		if (!strcmp(a->u.map.wwid, W2))
			ck_assert_uint_eq(a->u.map.sectors, 32 * MiB / 512);
	}
	/* multipathd was told to leave these three alone as soon as their paths came */
	ck_assert_uint_eq(nowned, 3);
	ck_assert_str_eq(owned[0], W0);
	ck_assert_str_eq(owned[2], W2);
	/* asked once: nothing new while they are in flight */
	tick(1000);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 0);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	map_done(MP_MAP_OP_CREATE, W1, 0);
	map_done(MP_MAP_OP_CREATE, W2, 0);
	ck_assert_int_eq(map_view(W1).state, MP_MAP_READY);
	ck_assert_uint_eq(map_view(W1).nactive, 2);
	ck_assert_uint_eq(map_view(W2).size, 32 * MiB);
	tick(60000);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE) + count(MP_ACT_MAP_RELOAD), 0);
	ck_assert_uint_eq(count(MP_ACT_WWIDS), 0);
	/* and every minute SendTargets again, for new targets and portals */
	ck_assert_uint_eq(count(MP_ACT_DISCOVER), 1);
}
END_TEST

/*
 * Leaves heap chunks of the sizes of 1 to 8 WWIDs freed with other bytes in
 * them each time, so that the machine's next malloc of such a size gets
 * them back (glibc's tcache hands out the last chunk freed first), as a
 * long-running daemon's heap holds what earlier work left there.
 */
static void dirty_heap(void)
{
	static unsigned char junk = 0x11;

	junk += 0x22;
	for (size_t k = 1; k <= 8; k++) {
		/* volatile: a store just before free is no dead store here */
		volatile unsigned char *p = malloc(k * MP_WWID_MAX);

		ck_assert_ptr_nonnull((void *)p);
		for (size_t i = 0; i < k * MP_WWID_MAX; i++)
			p[i] = junk;
		free((void *)p);
	}
}

/*
 * multipathd's drop-in is rewritten when the WWIDs change, not at every
 * pass: each MP_ACT_WWIDS costs the daemon a read of the file, and a
 * warning when it cannot be written.
 */
START_TEST(test_wwids_told_on_change_only)
{
	static const char *const d0[] = { "8:0", "8:48", NULL }, *const d1[] = { "8:16", "8:64", NULL };
	static const char *const d2[] = { "8:32", "8:80", NULL };
	unsigned int told;

	bring_up_links();
	three_luns();
	tick(500);
	ck_assert_uint_eq(nowned, 3);
	told = total[MP_ACT_WWIDS];
	map_done(MP_MAP_OP_CREATE, W0, 0);
	dirty_heap();
	map_done(MP_MAP_OP_CREATE, W1, 0);
	dirty_heap();
	map_done(MP_MAP_OP_CREATE, W2, 0);
	dirty_heap();
	kernel_map(W0, 64 * MiB, 0, d0, NULL);
	dirty_heap();
	kernel_map(W1, 64 * MiB, 0, d1, NULL);
	dirty_heap();
	kernel_map(W2, 32 * MiB, 0, d2, NULL);
	dirty_heap();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB); /* a scan that saw nothing new */
	dirty_heap();
	tick(1000);
	dirty_heap();
	tick(60000);
	ck_assert_uint_eq(total[MP_ACT_WWIDS], told);
	/* a LUN gone from both paths: told once, when its map is gone */
	disk_gone("eth0", P0, 2);
	dirty_heap();
	disk_gone("eth1", P1, 2);
	ck_assert_uint_eq(total[MP_ACT_WWIDS], told);
	ck_assert_uint_eq(count(MP_ACT_MAP_REMOVE), 1);
	dirty_heap();
	map_done(MP_MAP_OP_REMOVE, W2, 0);
	ck_assert_uint_eq(total[MP_ACT_WWIDS], told + 1);
	ck_assert_uint_eq(nowned, 2);
	dirty_heap();
	tick(1000);
	ck_assert_uint_eq(total[MP_ACT_WWIDS], told + 1);
}
END_TEST

/* An alias from pathd.conf names the map. */
START_TEST(test_alias_names_the_map)
{
	struct mp_alias al = { W1, "vmstore" };

	cfg.aliases = &al;
	cfg.naliases = 1;
	mp_actions_clear(&acts);
	ck_assert_int_eq(mp_sm_set_config(sm, &cfg, now, &acts), 0);
	bring_up_links();
	three_luns();
	tick(500);
	for (size_t i = 0; i < 3; i++) {
		const struct mp_action *a = nth(MP_ACT_MAP_CREATE, i);

		ck_assert_str_eq(a->u.map.name, strcmp(a->u.map.wwid, W1) ? a->u.map.wwid : "vmstore");
	}
}
END_TEST

/*
 * A restart (kill -9, then a new pathd): sessions, disks and maps are
 * there. The machine learns them before MP_EV_STARTED, logs in nowhere,
 * and does not touch a map whose table is the one it wants.
 */
START_TEST(test_restart_takes_maps_over_untouched)
{
	static const char *const d0[] = { "8:0", "8:48", NULL }, *const d1[] = { "8:64", "8:16", NULL };
	static const char *const d2[] = { "8:32", NULL }; /* one path short */

	nic("eth0", 2, true);
	nic("eth1", 3, true);
	session("eth0", P0, 1, true);
	session("eth1", P1, 2, true);
	three_luns();
	kernel_map(W0, 64 * MiB, 0, d0, NULL);
	kernel_map(W1, 64 * MiB, 0, d1, NULL); /* the paths in another order: the same table */
	kernel_map(W2, 32 * MiB, 0, d2, NULL);
	ck_assert_uint_eq(acts.n, 0);
	started();
	reach(P0, "eth0");
	prepared("eth0", 0);
	discovered("eth0", 0, NULL);
	reach(P1, "eth1");
	prepared("eth1", 0);
	tick(10000);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 0); /* the sessions exist */
	ck_assert_int_eq(link_view("eth1", P1).state, MP_LINK_UP);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 0);
	/* only the map that misses a path is reloaded, once settled */
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD), 1);
	ck_assert_str_eq(act(MP_ACT_MAP_RELOAD)->u.map.wwid, W2);
	ck_assert_uint_eq(act(MP_ACT_MAP_RELOAD)->u.map.groups[0].npaths, 2);
	map_done(MP_MAP_OP_RELOAD, W2, 0);
	tick(60000);
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD) + count(MP_ACT_MAP_CREATE), 0);
	/* no session was logged out while discovery had not answered, nor logged in again */
	ck_assert_uint_eq(total[MP_ACT_LOGOUT], 0);
	ck_assert_uint_eq(total[MP_ACT_LOGIN], 0);
	ck_assert_uint_eq(total[MP_ACT_MAP_REMOVE], 0);
}
END_TEST

/* A wrong CHAP secret: the login fails, status says why, retries back off. */
START_TEST(test_wrong_chap_secret)
{
	nic("eth0", 2, true);
	nic("eth1", 3, true);
	started();
	reach(P0, "eth0");
	prepared("eth0", 0);
	discovered("eth0", 0, NULL);
	login_done("eth0", P0, -EACCES, true);
	ck_assert_int_eq(link_view("eth0", P0).state, MP_LINK_FAILED);
	ck_assert(condition_has("check the CHAP secrets"));
	ck_assert(condition_has("authentication failure"));
	tick(4999);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 0);
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 1);
	login_done("eth0", P0, -EACCES, true);
	tick(9999);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 0); /* the second wait is twice the first */
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 1);
	/* the secret is fixed: the next login works and the condition goes */
	session("eth0", P0, 7, true);
	login_done("eth0", P0, 0, false);
	ck_assert_int_eq(link_view("eth0", P0).state, MP_LINK_UP);
	ck_assert(!condition_has("CHAP"));
}
END_TEST

/* A discovery address that does not answer: said, retried, the rest goes on. */
START_TEST(test_unreachable_discovery_address)
{
	static char two[2][MP_PORTAL_MAX] = { P0, "198.18.9.9:3260" };

	cfg.discovery = two;
	cfg.ndiscovery = 2;
	mp_actions_clear(&acts);
	ck_assert_int_eq(mp_sm_set_config(sm, &cfg, now, &acts), 0);
	nic("eth0", 2, true);
	started();
	ck_assert_uint_eq(count(MP_ACT_REACH), 2);
	reach("198.18.9.9:3260", NULL); /* no route at all */
	ck_assert(condition_has("no storage NIC has a route to the discovery address"));
	reach(P0, "eth0");
	prepared("eth0", 0);
	ck_assert_uint_eq(count(MP_ACT_DISCOVER), 1);
	discovered("eth0", -ETIMEDOUT, "connection to 198.18.1.1:3260 timed out");
	ck_assert(condition_has("connection to 198.18.1.1:3260 timed out (over eth0)"));
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 0);
	tick(5000);
	ck_assert_uint_eq(count(MP_ACT_DISCOVER), 1);
	discovered("eth0", 0, NULL);
	ck_assert(!condition_has("SendTargets"));
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 1);
}
END_TEST

/* A target that maps no LUN to this host: logged in, and status says so after a grace. */
START_TEST(test_target_maps_no_lun)
{
	bring_up_links();
	ck_assert(!condition_has("maps no LUN"));
	tick(5000);
	ck_assert(condition_has("maps no LUN to this host"));
	ck_assert(condition_of("nic eth0", "maps no LUN to this host"));
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	ck_assert(!condition_of("nic eth0", "maps no LUN"));
	ck_assert(condition_of("nic eth1", "maps no LUN")); /* eth1 still shows none */
}
END_TEST

/* No WWID, and one WWID for two LUNs of different sizes: left out, with the reason. */
START_TEST(test_excluded_paths)
{
	struct mp_path_view v[8];
	size_t n;

	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, "", 64 * MiB);
	disk("eth0", P0, 1, "sdb", 16, W1, 64 * MiB);
	disk("eth0", P0, 2, "sdc", 32, W1, 32 * MiB);
	tick(1000);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 0);
	n = mp_sm_paths(sm, v, 8);
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(v[i].state, MP_PATH_EXCLUDED);
	ck_assert(condition_has("VPD page 0x83 has no logical-unit designator"));
	ck_assert(condition_has("is given by two LUNs of different sizes"));
	/* the LUN with the odd size goes: the other gets its map */
	disk_gone("eth0", P0, 2);
	tick(500);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 1);
	ck_assert_str_eq(act(MP_ACT_MAP_CREATE)->u.map.wwid, W1);
}
END_TEST

/* The paths of a LUN go: the map is removed when nothing holds it open, kept when something does. */
START_TEST(test_map_without_paths)
{
	static const char *const d0[] = { "8:0", "8:48", NULL }, *const d1[] = { "8:16", "8:64", NULL };

	bring_up_links();
	three_luns();
	tick(500);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	map_done(MP_MAP_OP_CREATE, W1, 0);
	map_done(MP_MAP_OP_CREATE, W2, 0);
	kernel_map(W0, 64 * MiB, 0, d0, NULL);
	kernel_map(W1, 64 * MiB, 2, d1, NULL);
	disk_gone("eth0", P0, 0);
	disk_gone("eth1", P1, 0);
	ck_assert_uint_eq(count(MP_ACT_MAP_REMOVE), 1);
	ck_assert_str_eq(act(MP_ACT_MAP_REMOVE)->u.remove.wwid, W0);
	map_done(MP_MAP_OP_REMOVE, W0, 0);
	ck_assert_uint_eq(count(MP_ACT_WWIDS), 1);
	ck_assert_uint_eq(nowned, 2);
	disk_gone("eth0", P0, 1);
	disk_gone("eth1", P1, 1);
	ck_assert_uint_eq(count(MP_ACT_MAP_REMOVE), 0);
	ck_assert(condition_has("has no path left and is open (2)"));
	/* closed: now it goes */
	kernel_map(W1, 64 * MiB, 0, d1, NULL);
	ck_assert_uint_eq(count(MP_ACT_MAP_REMOVE), 1);
}
END_TEST

/* Every path failed: I/O queues for the budget, then fails; a path back queues again. */
START_TEST(test_no_path_budget)
{
	static const char *const d0[] = { "8:0", "8:48", NULL };

	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	tick(500);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	kernel_map(W0, 64 * MiB, 1, d0, d0);
	ck_assert(map_view(W0).queueing);
	ck_assert(condition_has("I/O is queueing"));
	ck_assert_int_eq(mp_sm_next_deadline(sm), now + 30000);
	tick(29999);
	ck_assert_uint_eq(count(MP_ACT_MAP_MESSAGE), 0);
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_MAP_MESSAGE), 1);
	ck_assert_int_eq(act(MP_ACT_MAP_MESSAGE)->u.message.op, MP_MAP_OP_NOQUEUE);
	map_done(MP_MAP_OP_NOQUEUE, W0, 0);
	ck_assert(condition_has("I/O fails"));
	/* the kernel's table shows queueing off now: that is no reason to reload */
	kq = false;
	kernel_map(W0, 64 * MiB, 1, d0, d0);
	tick(10000);
	ck_assert_uint_eq(total[MP_ACT_MAP_RELOAD] + total[MP_ACT_MAP_MESSAGE], 1);
	/* a path back: its check passes, it is reinstated, and I/O queues again */
	check_done("eth1", P1, 0, "8:48", MP_CHECK_UP, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_REINSTATE)->u.path.devt, "8:48");
	path_done(W0, "8:48", true);
	ck_assert_uint_eq(count(MP_ACT_MAP_MESSAGE), 1);
	ck_assert_int_eq(act(MP_ACT_MAP_MESSAGE)->u.message.op, MP_MAP_OP_QUEUE);
	map_done(MP_MAP_OP_QUEUE, W0, 0);
	ck_assert(!map_view(W0).queueing);
}
END_TEST

/* portico-path fail / reinstate, and a fail that outlives a reload. */
START_TEST(test_admin_fail_and_reinstate)
{
	struct mp_event ev = { .type = MP_EV_ADMIN_FAIL };

	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	tick(500);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	snprintf(ev.u.admin.dev, sizeof(ev.u.admin.dev), "sdd");
	feed(&ev);
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_FAIL)->u.path.devt, "8:48");
	path_done(W0, "8:48", false);
	/* a third path makes a reload; the failed one is failed again after it */
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth1", P1, 1, "sdq", 96, W0, 64 * MiB);
	tick(500);
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD), 1);
	map_done(MP_MAP_OP_RELOAD, W0, 0);
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_FAIL)->u.path.devt, "8:48");
	path_done(W0, "8:48", false);
	ev.type = MP_EV_ADMIN_REINSTATE;
	feed(&ev);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
	snprintf(ev.u.admin.dev, sizeof(ev.u.admin.dev), "sdzz");
	mp_actions_clear(&acts);
	ck_assert_int_eq(mp_sm_feed(sm, &ev, now, &acts), -ENOENT);
}
END_TEST

/* A NIC without carrier gets no login; carrier back, it does. */
START_TEST(test_no_carrier_then_carrier)
{
	nic("eth0", 2, true);
	nic("eth1", 3, false);
	started();
	reach(P0, "eth0");
	prepared("eth0", 0);
	discovered("eth0", 0, NULL);
	reach(P1, "eth1");
	prepared("eth1", 0);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 0);
	ck_assert_int_eq(link_view("eth1", P1).state, MP_LINK_NO_CARRIER);
	nic("eth1", 3, true);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 1);
	ck_assert_str_eq(act(MP_ACT_LOGIN)->u.login.key.nic, "eth1");
}
END_TEST

/* A LUN grown on the target: the map keeps its size until every path shows the new one. */
START_TEST(test_grow_waits_for_every_path)
{
	static const char *const d0[] = { "8:0", "8:48", NULL };

	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	tick(500);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	kernel_map(W0, 64 * MiB, 1, d0, NULL);
	disk("eth0", P0, 0, "sda", 0, W0, 96 * MiB);
	tick(1000);
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD), 0);
	ck_assert(!condition_has("different sizes")); /* one LUN: not a conflict */
	disk("eth1", P1, 0, "sdd", 48, W0, 96 * MiB);
	tick(500);
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD), 1);
	ck_assert_uint_eq(act(MP_ACT_MAP_RELOAD)->u.map.sectors, 96 * MiB / 512);
}
END_TEST

/* A session logged out behind pathd's back is logged in again at once. */
START_TEST(test_session_gone_logs_in_again)
{
	struct mp_event ev = { .type = MP_EV_SESSION_GONE };

	bring_up_links();
	ev.u.link = key("eth1", P1);
	feed(&ev);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 1);
	ck_assert_str_eq(act(MP_ACT_LOGIN)->u.login.key.nic, "eth1");
}
END_TEST

/* A target discovery stops showing: its sessions are logged out, unless a map in use needs them. */
START_TEST(test_target_withdrawn)
{
	static const char *const d0[] = { "8:0", "8:48", NULL };
	struct mp_event ev = { .type = MP_EV_DISCOVERY_DONE };

	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	tick(500);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	kernel_map(W0, 64 * MiB, 1, d0, NULL);
	tick(60000);
	ck_assert_uint_eq(count(MP_ACT_DISCOVER), 1);
	snprintf(ev.u.discovery.nic, sizeof(ev.u.discovery.nic), "eth0");
	snprintf(ev.u.discovery.addr, sizeof(ev.u.discovery.addr), P0);
	feed(&ev); /* an answer without the target */
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 0);
	ck_assert(condition_has("no longer offered by discovery"));
	/* the VM lets go of the disk: now the sessions go */
	kernel_map(W0, 64 * MiB, 0, d0, NULL);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 2);
}
END_TEST

/* The paths of a LUN arriving one after the other cost one table, not one per path. */
START_TEST(test_settle_coalesces)
{
	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	tick(300);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 0);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	tick(200);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 0); /* the second path restarted the wait */
	tick(300);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 1);
	ck_assert_uint_eq(act(MP_ACT_MAP_CREATE)->u.map.groups[0].npaths, 2);
}
END_TEST

/* A dm call that fails is said and retried. */
START_TEST(test_map_create_fails_and_retries)
{
	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	tick(500);
	map_done(MP_MAP_OP_CREATE, W0, -EBUSY);
	ck_assert_int_eq(map_view(W0).state, MP_MAP_FAILED);
	ck_assert(condition_has("device busy"));
	tick(4999);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 0);
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 1);
}
END_TEST

/* Failover grouping: one path per group. */
START_TEST(test_failover_grouping)
{
	cfg.policy.grouping = MP_GROUPING_FAILOVER;
	cfg.policy.selector = MP_SELECTOR_ROUND_ROBIN;
	mp_actions_clear(&acts);
	ck_assert_int_eq(mp_sm_set_config(sm, &cfg, now, &acts), 0);
	bring_up_links();
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	tick(500);
	ck_assert_uint_eq(act(MP_ACT_MAP_CREATE)->u.map.ngroups, 2);
	ck_assert_int_eq(act(MP_ACT_MAP_CREATE)->u.map.selector, MP_SELECTOR_ROUND_ROBIN);
	/* groups in NIC order: eth0's first */
	ck_assert_str_eq(act(MP_ACT_MAP_CREATE)->u.map.groups[0].devt[0], "8:0");
}
END_TEST

static int teardown_rc(const char *wwid)
{
	struct mp_event ev = { .type = MP_EV_TEARDOWN };
	int rc;

	snprintf(ev.u.teardown, sizeof(ev.u.teardown), "%s", wwid);
	mp_actions_clear(&acts);
	rc = mp_sm_feed(sm, &ev, now, &acts);
	deadline_ahead();
	return rc;
}

/* Three maps made and in the kernel, none open. */
static void three_maps_ready(void)
{
	static const char *const d0[] = { "8:0", "8:48", NULL }, *const d1[] = { "8:16", "8:64", NULL },
				 *const d2[] = { "8:32", "8:80", NULL };

	bring_up_links();
	three_luns();
	tick(500);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	map_done(MP_MAP_OP_CREATE, W1, 0);
	map_done(MP_MAP_OP_CREATE, W2, 0);
	kernel_map(W0, 64 * MiB, 0, d0, NULL);
	kernel_map(W1, 64 * MiB, 0, d1, NULL);
	kernel_map(W2, 32 * MiB, 0, d2, NULL);
}

/* teardown WWID: refused while open; then map, disks, in that order; sessions kept for the others. */
START_TEST(test_teardown_one)
{
	static const char *const d0[] = { "8:0", "8:48", NULL };

	three_maps_ready();
	kernel_map(W0, 64 * MiB, 1, d0, NULL);
	ck_assert_int_eq(teardown_rc(W0), -EBUSY);
	ck_assert_uint_eq(acts.n, 0);
	ck_assert_int_eq(teardown_rc("3nosuchwwid"), -ENOENT);
	kernel_map(W0, 64 * MiB, 0, d0, NULL);
	ck_assert_int_eq(teardown_rc(W0), 0);
	ck_assert_uint_eq(count(MP_ACT_MAP_REMOVE), 1);
	ck_assert_uint_eq(count(MP_ACT_DISK_DELETE), 0); /* the map first */
	map_done(MP_MAP_OP_REMOVE, W0, 0);
	ck_assert_uint_eq(count(MP_ACT_DISK_DELETE), 2);
	ck_assert_str_eq(nth(MP_ACT_DISK_DELETE, 0)->u.disk, "sda");
	ck_assert_str_eq(nth(MP_ACT_DISK_DELETE, 1)->u.disk, "sdd");
	ck_assert_uint_eq(nowned, 2);
	disk_gone("eth0", P0, 0);
	disk_gone("eth1", P1, 0);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 0); /* the sessions carry the other LUNs */
	ck_assert(condition_has("torn down"));
	/* a rescan brings the disks back: still no map until reconfigure */
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	tick(1000);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 0);
	{
		struct mp_event ev = { .type = MP_EV_RECONFIGURE };

		feed(&ev);
	}
	ck_assert_uint_eq(count(MP_ACT_RESCAN), 2);
	tick(500);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 1);
}
END_TEST

/* teardown of everything: maps, then disks, then sessions; then quiet until reconfigure. */
START_TEST(test_teardown_all)
{
	three_maps_ready();
	ck_assert_int_eq(teardown_rc(""), 0);
	ck_assert_uint_eq(count(MP_ACT_MAP_REMOVE), 3);
	map_done(MP_MAP_OP_REMOVE, W0, 0);
	map_done(MP_MAP_OP_REMOVE, W1, 0);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 0);
	map_done(MP_MAP_OP_REMOVE, W2, 0);
	ck_assert_uint_eq(count(MP_ACT_DISK_DELETE), 2);
	disk_gone("eth0", P0, 0);
	disk_gone("eth0", P0, 1);
	disk_gone("eth0", P0, 2);
	/* eth0's session has no disk left: it goes; eth1's still has three */
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 1);
	ck_assert_str_eq(act(MP_ACT_LOGOUT)->u.logout.nic, "eth0");
	disk_gone("eth1", P1, 0);
	disk_gone("eth1", P1, 1);
	disk_gone("eth1", P1, 2);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 1);
	ck_assert_uint_eq(nowned, 0);
	{
		struct mp_event ev = { .type = MP_EV_SESSION_GONE };

		ev.u.link = key("eth0", P0);
		feed(&ev);
		ck_assert_uint_eq(count(MP_ACT_LOGIN), 0);
		ev.u.link = key("eth1", P1);
		feed(&ev);
	}
	tick(120000);
	ck_assert_uint_eq(count(MP_ACT_LOGIN) + count(MP_ACT_DISCOVER), 0);
	ck_assert(condition_has("everything is torn down"));
	{
		struct mp_event ev = { .type = MP_EV_RECONFIGURE };

		feed(&ev);
	}
	/* routes are asked again (they may have changed), then SendTargets, then the logins */
	ck_assert_uint_ge(count(MP_ACT_REACH), 1);
	reach(P0, "eth0");
	ck_assert_uint_eq(count(MP_ACT_DISCOVER), 1);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 1);
	reach(P1, "eth1");
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 1);
	ck_assert(!condition_has("torn down"));
}
END_TEST

/* A route goes away: the machine asks again, and the session it cannot reach any more goes. */
START_TEST(test_routes_change)
{
	struct mp_event ev = { .type = MP_EV_ROUTES };

	bring_up_links();
	feed(&ev);
	ck_assert_uint_eq(count(MP_ACT_REACH), 2);
	reach(P0, "eth0");
	reach(P1, NULL);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 1);
	ck_assert_str_eq(act(MP_ACT_LOGOUT)->u.logout.nic, "eth1");
	ck_assert(condition_has("no storage NIC has a route to this portal"));
}
END_TEST

/* A logout that does not take is tried again later, not at once, and said. */
START_TEST(test_logout_that_does_not_take)
{
	struct mp_event ev = { .type = MP_EV_LOGOUT_DONE };

	bring_up_links();
	feed(&(struct mp_event){ .type = MP_EV_ROUTES });
	reach(P0, "eth0");
	reach(P1, NULL);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 1);
	ev.u.link = key("eth1", P1);
	feed(&ev); /* the session scan still shows it */
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 0);
	ck_assert_str_eq(link_view("eth1", P1).reason, "logged out, but session 2 is still there (1 tries)");
	tick(4999);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 0);
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 1);
	feed(&ev);
	tick(9999);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 0); /* twice as long the second time */
	tick(1);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 1);
	/* now it goes */
	{
		struct mp_event gone = { .type = MP_EV_SESSION_GONE };

		gone.u.link = key("eth1", P1);
		feed(&gone);
	}
	feed(&ev);
	tick(60000);
	ck_assert_uint_eq(count(MP_ACT_LOGOUT), 0);
}
END_TEST

static Suite *sm_suite(void)
{
	Suite *s = suite_create("mpath/sm");
	TCase *tc = tcase_create("stories");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_from_nothing_to_three_maps);
	tcase_add_test(tc, test_wwids_told_on_change_only);
	tcase_add_test(tc, test_alias_names_the_map);
	tcase_add_test(tc, test_restart_takes_maps_over_untouched);
	tcase_add_test(tc, test_wrong_chap_secret);
	tcase_add_test(tc, test_unreachable_discovery_address);
	tcase_add_test(tc, test_target_maps_no_lun);
	tcase_add_test(tc, test_excluded_paths);
	tcase_add_test(tc, test_map_without_paths);
	tcase_add_test(tc, test_no_path_budget);
	tcase_add_test(tc, test_admin_fail_and_reinstate);
	tcase_add_test(tc, test_no_carrier_then_carrier);
	tcase_add_test(tc, test_grow_waits_for_every_path);
	tcase_add_test(tc, test_session_gone_logs_in_again);
	tcase_add_test(tc, test_target_withdrawn);
	tcase_add_test(tc, test_settle_coalesces);
	tcase_add_test(tc, test_map_create_fails_and_retries);
	tcase_add_test(tc, test_failover_grouping);
	tcase_add_test(tc, test_teardown_one);
	tcase_add_test(tc, test_teardown_all);
	tcase_add_test(tc, test_routes_change);
	tcase_add_test(tc, test_logout_that_does_not_take);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sm_suite)

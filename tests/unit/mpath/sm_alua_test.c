/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ALUA, story by story, with a fake clock (mpath/sm_map.c, sm_health.c): a
 * target that reports target port groups gets maps grouped by access
 * state with the alua handler; a standby path stays in its lower group; a
 * state change regroups the map; dm-multipath is sent back to the best
 * group per the failback policy. The test plays the daemon (sm_harness.h).
 */
#include "common/scsi_proto.h"
#include "mpath/sm.h"
#include "tests/unit/check_main.h"
#include "tests/unit/mpath/sm_harness.h"

#define AO SCSI_ALUA_ACTIVE_OPTIMIZED
#define ANO SCSI_ALUA_ACTIVE_NON_OPTIMIZED
#define SB SCSI_ALUA_STANDBY
#define UNAV SCSI_ALUA_UNAVAILABLE
#define NONE 0xff /* no access_state in sysfs */

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

/* A disk of LUN 0 (W0, 64 MiB) with its access state (NONE: no ALUA), as the scan reads it. */
static void adisk(const char *n, const char *portal, const char *dev, int minor, uint8_t state,
		  bool pref)
{
	struct mp_event ev = { .type = MP_EV_DISK };

	ev.u.disk.key.link = key(n, portal);
	ev.u.disk.key.lun = 0;
	snprintf(ev.u.disk.dev, sizeof(ev.u.disk.dev), "%s", dev);
	snprintf(ev.u.disk.devt, sizeof(ev.u.disk.devt), "8:%d", minor);
	snprintf(ev.u.disk.wwid, sizeof(ev.u.disk.wwid), "%s", W0);
	ev.u.disk.size = 64 * MiB;
	ev.u.disk.ready = true;
	ev.u.disk.alua = state != NONE;
	ev.u.disk.alua_state = state == NONE ? 0 : state;
	ev.u.disk.alua_pref = pref;
	feed(&ev);
}

/* The map as the kernel shows it: one group per device given, the alua handler, group active in use. */
static void kernel_groups(const char *g1, const char *g2, unsigned int active, const char *failed)
{
	struct mp_event ev = { .type = MP_EV_MAP };
	struct mp_ev_map *m = &ev.u.map;

	snprintf(m->spec.name, sizeof(m->spec.name), "%s", W0);
	snprintf(m->spec.wwid, sizeof(m->spec.wwid), "%s", W0);
	m->spec.sectors = 64 * MiB / 512;
	m->spec.selector = MP_SELECTOR_SERVICE_TIME;
	m->spec.queue_if_no_path = true;
	m->spec.hw_handler = MP_HW_HANDLER_ALUA;
	m->spec.ngroups = 2;
	m->spec.groups[0].npaths = 1;
	snprintf(m->spec.groups[0].devt[0], MP_DEVT_MAX, "%s", g1);
	m->spec.groups[1].npaths = 1;
	snprintf(m->spec.groups[1].devt[0], MP_DEVT_MAX, "%s", g2);
	m->spec_ok = true;
	m->queueing = true;
	m->active_group = active;
	if (failed)
		snprintf(m->failed[m->nfailed++], MP_DEVT_MAX, "%s", failed);
	feed(&ev);
}

/* Answers the checks asked in the last actions: sda's with ra, sdd's with rd. */
static void answer(enum mp_check_result ra, enum mp_check_result rd, unsigned int ua)
{
	struct mp_action checks[8];
	size_t n = 0;

	for (size_t i = 0; i < acts.n && n < 8; i++)
		if (acts.a[i].type == MP_ACT_CHECK)
			checks[n++] = acts.a[i];
	for (size_t i = 0; i < n; i++)
		check_done(checks[i].u.check.key.link.nic, checks[i].u.check.key.link.portal, 0,
			   checks[i].u.check.devt,
			   !strcmp(checks[i].u.check.devt, "8:0") ? ra : rd, ua);
}

/*
 * Links up; sda (eth0) and sdd (eth1) of LUN 0 with states sa and sd; the
 * map made, as asked, and its paths checked with ra and rd.
 */
static const struct mp_action *alua_map(uint8_t sa, uint8_t sd)
{
	bring_up_links();
	adisk("eth0", P0, "sda", 0, sa, sa == AO);
	adisk("eth1", P1, "sdd", 48, sd, sd == AO);
	tick(500);
	ck_assert_uint_eq(count(MP_ACT_MAP_CREATE), 1);
	return act(MP_ACT_MAP_CREATE);
}

/* The access states make the groups, best first, and the map asks for the alua handler. */
START_TEST(test_groups_by_state)
{
	const struct mp_action *a = alua_map(SB, AO);

	ck_assert_int_eq(a->u.map.hw_handler, MP_HW_HANDLER_ALUA);
	ck_assert_uint_eq(a->u.map.ngroups, 2);
	/* eth1's path first, although eth0 sorts first: it is the optimized one */
	ck_assert_uint_eq(a->u.map.groups[0].npaths, 1);
	ck_assert_str_eq(a->u.map.groups[0].devt[0], "8:48");
	ck_assert_str_eq(a->u.map.groups[1].devt[0], "8:0");
	ck_assert(a->u.map.queue_if_no_path);
}
END_TEST

/* Both optimized: one group of both paths; the target's preferred group ahead of the other. */
START_TEST(test_groups_same_state_and_preferred)
{
	const struct mp_action *a;

	bring_up_links();
	adisk("eth0", P0, "sda", 0, AO, false);
	adisk("eth1", P1, "sdd", 48, AO, false);
	tick(500);
	a = act(MP_ACT_MAP_CREATE);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->u.map.hw_handler, MP_HW_HANDLER_ALUA);
	ck_assert_uint_eq(a->u.map.ngroups, 1);
	ck_assert_uint_eq(a->u.map.groups[0].npaths, 2);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	/* eth1's port becomes the preferred one: its own group, first */
	adisk("eth1", P1, "sdd", 48, AO, true);
	tick(500);
	a = act(MP_ACT_MAP_RELOAD);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->u.map.ngroups, 2);
	ck_assert_str_eq(a->u.map.groups[0].devt[0], "8:48");
	ck_assert_str_eq(a->u.map.groups[1].devt[0], "8:0");
}
END_TEST

/* A target without ALUA (no access_state): one group, no handler, as before. */
START_TEST(test_no_alua_one_group)
{
	const struct mp_action *a = alua_map(NONE, NONE);

	ck_assert_int_eq(a->u.map.hw_handler, MP_HW_HANDLER_NONE);
	ck_assert_uint_eq(a->u.map.ngroups, 1);
	ck_assert_uint_eq(a->u.map.groups[0].npaths, 2);
}
END_TEST

/* Non-optimized, transitioning and unavailable are ranked after optimized, in that order. */
START_TEST(test_group_order)
{
	const struct mp_action *a = alua_map(UNAV, ANO);

	ck_assert_str_eq(a->u.map.groups[0].devt[0], "8:48");
	ck_assert_str_eq(a->u.map.groups[1].devt[0], "8:0");
	map_done(MP_MAP_OP_CREATE, W0, 0);
	adisk("eth0", P0, "sda", 0, SCSI_ALUA_TRANSITIONING, false);
	adisk("eth1", P1, "sdd", 48, SB, false);
	tick(500);
	a = act(MP_ACT_MAP_RELOAD);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->u.map.groups[0].devt[0], "8:0"); /* transitioning before standby */
	ck_assert_str_eq(a->u.map.groups[1].devt[0], "8:48");
}
END_TEST

/*
 * A standby path stays in its lower group, usable and not failed (dm-multipath
 * activates it when it moves there); an unavailable one is failed, its state said.
 */
START_TEST(test_standby_kept_unavailable_failed)
{
	alua_map(AO, SB);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	ck_assert_uint_eq(count(MP_ACT_CHECK), 2);
	answer(MP_CHECK_UP, MP_CHECK_STANDBY, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 0);
	kernel_groups("8:0", "8:48", 1, NULL);
	ck_assert_uint_eq(map_view(W0).nactive, 2);
	ck_assert_int_eq(path_view("sdd").state, MP_PATH_ACTIVE);
	ck_assert(!mp_sm_watching(sm));
	/* the port becomes unavailable: failed, with the state said */
	tick(1000);
	answer(MP_CHECK_UP, MP_CHECK_INACCESSIBLE, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_FAIL)->u.path.devt, "8:48");
	ck_assert_ptr_nonnull(strstr(act(MP_ACT_PATH_FAIL)->u.path.reason, "ALUA: "));
}
END_TEST

/* Without the alua handler (no access_state on the disk) a standby answer fails the path. */
START_TEST(test_standby_without_handler_failed)
{
	alua_map(NONE, NONE);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	answer(MP_CHECK_UP, MP_CHECK_STANDBY, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_FAIL)->u.path.devt, "8:48");
	ck_assert_ptr_nonnull(strstr(act(MP_ACT_PATH_FAIL)->u.path.reason, "ALUA: "));
}
END_TEST

/*
 * The kernel fails a standby path (its group's activation was refused): it is not
 * reinstated again and again, so the map's no-path budget can run; a new state brings it back.
 */
START_TEST(test_standby_refused)
{
	alua_map(AO, SB);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	answer(MP_CHECK_UP, MP_CHECK_STANDBY, MP_UA_NONE);
	kernel_groups("8:0", "8:48", 2, "8:48");
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 0);
	ck_assert_uint_eq(count(MP_ACT_CHECK), 1);
	answer(MP_CHECK_UP, MP_CHECK_STANDBY, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 0);
	ck_assert_int_eq(path_view("sdd").state, MP_PATH_FAILED);
	ck_assert_ptr_nonnull(strstr(path_view("sdd").reason, "could not activate"));
	ck_assert_uint_eq(map_view(W0).nactive, 1);
	for (int i = 0; i < 5; i++) {
		tick(1000);
		answer(MP_CHECK_UP, MP_CHECK_STANDBY, MP_UA_NONE);
		ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 0);
	}
	/* the target makes it optimized too (not preferred: still second): reinstated at once */
	adisk("eth1", P1, "sdd", 48, AO, false);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
	ck_assert_str_eq(act(MP_ACT_PATH_REINSTATE)->u.path.devt, "8:48");
	path_done(W0, "8:48", true);
	kernel_groups("8:0", "8:48", 1, NULL);
	tick(500);
	ck_assert_uint_eq(total[MP_ACT_MAP_RELOAD], 0);
	ck_assert_int_eq(path_view("sdd").state, MP_PATH_ACTIVE);
	ck_assert_uint_eq(map_view(W0).nactive, 2);
}
END_TEST

/*
 * A marginal path is held back only while another path carries the I/O;
 * a standby path carries none until its group is activated, which a target
 * with implicit transitions only refuses: the optimized path, marginal
 * after three flaps, serves at once when the only other path is standby.
 */
START_TEST(test_marginal_beside_standby_serves)
{
	alua_map(AO, SB);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	answer(MP_CHECK_UP, MP_CHECK_STANDBY, MP_UA_NONE);
	kernel_groups("8:0", "8:48", 1, NULL);
	for (int round = 0; round < 3; round++) {
		nic("eth0", 2, false);
		ck_assert_uint_eq(count(MP_ACT_PATH_FAIL), 1);
		path_done(W0, "8:0", false);
		session("eth0", P0, 1, false);
		tick(1000);
		nic("eth0", 2, true);
		session("eth0", P0, 1, true);
		check_done("eth0", P0, 0, "8:0", MP_CHECK_UP, MP_UA_NONE);
		ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
		path_done(W0, "8:0", true);
		tick(1000);
		answer(MP_CHECK_UP, MP_CHECK_STANDBY, MP_UA_NONE);
	}
	ck_assert(path_view("sda").marginal);
	ck_assert_int_eq(path_view("sda").state, MP_PATH_ACTIVE);
}
END_TEST

/*
 * The target swaps its groups' states (portico set alua): the checker meets
 * ASYMMETRIC ACCESS STATE CHANGED, the LUN's disks are rescanned (the kernel's
 * handler reads the states again), the scan shows them, and the map is
 * reloaded once, with the new order and queue_if_no_path, no path failed.
 */
START_TEST(test_swap_regroups)
{
	const struct mp_action *a;

	alua_map(AO, SB);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	answer(MP_CHECK_UP, MP_CHECK_STANDBY, MP_UA_NONE);
	kernel_groups("8:0", "8:48", 1, NULL);
	tick(2000);
	ck_assert_uint_eq(count(MP_ACT_CHECK), 2);
	answer(MP_CHECK_STANDBY, MP_CHECK_UP, MP_UA_ALUA_CHANGED);
	/* every disk of the LUN, once (the second check's news is the first's) */
	ck_assert_uint_eq(total[MP_ACT_DISK_RESCAN], 2);
	ck_assert_uint_eq(total[MP_ACT_PATH_FAIL], 0);
	/* the scan after the rescans */
	adisk("eth0", P0, "sda", 0, SB, false);
	adisk("eth1", P1, "sdd", 48, AO, true);
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD), 0); /* settling */
	tick(500);
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD), 1);
	a = act(MP_ACT_MAP_RELOAD);
	ck_assert_int_eq(a->u.map.hw_handler, MP_HW_HANDLER_ALUA);
	ck_assert(a->u.map.queue_if_no_path);
	ck_assert_str_eq(a->u.map.groups[0].devt[0], "8:48");
	ck_assert_str_eq(a->u.map.groups[1].devt[0], "8:0");
	map_done(MP_MAP_OP_RELOAD, W0, 0);
	kernel_groups("8:48", "8:0", 1, NULL);
	ck_assert_int_eq(map_view(W0).state, MP_MAP_READY);
	ck_assert_uint_eq(map_view(W0).nactive, 2);
	tick(2000);
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD), 0);
	ck_assert_uint_eq(total[MP_ACT_PATH_FAIL], 0);
	ck_assert_uint_eq(total[MP_ACT_MAP_RELOAD], 1);
}
END_TEST

/* The same groups in another order are another table with the alua handler. */
START_TEST(test_order_matters)
{
	alua_map(AO, ANO);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	/* a table made by someone else, the other way round */
	kernel_groups("8:48", "8:0", 1, NULL);
	ck_assert_uint_eq(count(MP_ACT_MAP_RELOAD), 1);
	ck_assert_str_eq(act(MP_ACT_MAP_RELOAD)->u.map.groups[0].devt[0], "8:0");
}
END_TEST

static void policy_failback(enum mp_failback f, uint32_t s)
{
	mp_sm_destroy(sm);
	cfg.policy.failback = f;
	cfg.policy.failback_s = s;
	ck_assert_int_eq(mp_sm_create(&cfg, &sm), 0);
}

/* sda (optimized) and sdd (non-optimized) in their map, checked; dm-multipath on group 2. */
static void on_group_two(void)
{
	alua_map(AO, ANO);
	map_done(MP_MAP_OP_CREATE, W0, 0);
	answer(MP_CHECK_UP, MP_CHECK_UP, MP_UA_NONE);
}

static const struct mp_action *switch_group(void)
{
	for (size_t i = 0; i < acts.n; i++)
		if (acts.a[i].type == MP_ACT_MAP_MESSAGE &&
		    acts.a[i].u.message.op == MP_MAP_OP_SWITCH_GROUP)
			return &acts.a[i];
	return NULL;
}

/* failback = "immediate": the best group usable while dm-multipath uses another: switch at once. */
START_TEST(test_failback_immediate)
{
	const struct mp_action *a;

	on_group_two();
	/* sda's cable went and came back: dm-multipath stays on group 2 */
	kernel_groups("8:0", "8:48", 2, NULL);
	a = switch_group();
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->u.message.group, 1);
	ck_assert_str_eq(a->u.message.name, W0);
	/* one at a time */
	tick(1000);
	ck_assert_ptr_null(switch_group());
	map_done(MP_MAP_OP_SWITCH_GROUP, W0, 0);
	kernel_groups("8:0", "8:48", 1, NULL);
	tick(1000);
	ck_assert_ptr_null(switch_group());
	ck_assert_uint_eq(total[MP_ACT_MAP_MESSAGE], 1);
}
END_TEST

/* Not to a group whose path is failed. */
START_TEST(test_failback_not_to_failed)
{
	on_group_two();
	kernel_groups("8:0", "8:48", 2, "8:0");
	ck_assert_ptr_null(switch_group());
	for (int i = 0; i < 3; i++) {
		tick(1000);
		ck_assert_ptr_null(switch_group());
	}
}
END_TEST

/* failback = N: after N seconds of the best group's good health; a failure starts again. */
START_TEST(test_failback_delayed)
{
	policy_failback(MP_FAILBACK_DELAYED, 10);
	on_group_two();
	kernel_groups("8:0", "8:48", 2, NULL);
	ck_assert_ptr_null(switch_group());
	ck_assert_int_eq(mp_sm_next_deadline(sm) <= now + 10000, 1);
	tick(6000);
	ck_assert_ptr_null(switch_group());
	answer(MP_CHECK_UP, MP_CHECK_UP, MP_UA_NONE);
	/* sda fails in between (an I/O error): checked, reinstated; the wait starts again */
	kernel_groups("8:0", "8:48", 2, "8:0");
	ck_assert_ptr_null(switch_group());
	ck_assert_uint_eq(count(MP_ACT_CHECK), 1);
	answer(MP_CHECK_UP, MP_CHECK_UP, MP_UA_NONE);
	ck_assert_uint_eq(count(MP_ACT_PATH_REINSTATE), 1);
	path_done(W0, "8:0", true); /* back in service: the 10 s start now */
	kernel_groups("8:0", "8:48", 2, NULL);
	tick(5000);
	ck_assert_ptr_null(switch_group());
	answer(MP_CHECK_UP, MP_CHECK_UP, MP_UA_NONE);
	tick(4999);
	ck_assert_ptr_null(switch_group());
	ck_assert_int_eq(mp_sm_next_deadline(sm), now + 1);
	tick(1);
	ck_assert_uint_eq(switch_group()->u.message.group, 1);
}
END_TEST

/* failback = "manual": never. */
START_TEST(test_failback_manual)
{
	policy_failback(MP_FAILBACK_MANUAL, 0);
	on_group_two();
	kernel_groups("8:0", "8:48", 2, NULL);
	for (int i = 0; i < 10; i++) {
		ck_assert_ptr_null(switch_group());
		tick(10000);
	}
	ck_assert_uint_eq(total[MP_ACT_MAP_MESSAGE], 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mpath/sm_alua");
	TCase *tc = tcase_create("alua");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_groups_by_state);
	tcase_add_test(tc, test_groups_same_state_and_preferred);
	tcase_add_test(tc, test_no_alua_one_group);
	tcase_add_test(tc, test_group_order);
	tcase_add_test(tc, test_standby_kept_unavailable_failed);
	tcase_add_test(tc, test_standby_without_handler_failed);
	tcase_add_test(tc, test_standby_refused);
	tcase_add_test(tc, test_marginal_beside_standby_serves);
	tcase_add_test(tc, test_swap_regroups);
	tcase_add_test(tc, test_order_matters);
	tcase_add_test(tc, test_failback_immediate);
	tcase_add_test(tc, test_failback_not_to_failed);
	tcase_add_test(tc, test_failback_delayed);
	tcase_add_test(tc, test_failback_manual);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

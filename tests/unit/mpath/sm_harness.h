/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state machine's test harness, shared by the stories of sm_test.c
 * (NICs, discovery, links, maps) and sm_health_test.c (failover): the
 * test plays the daemon, answering the actions the machine asks for with
 * the events an adapter would send, on a fake clock.
 *
 * The lab of these stories is the VM lab's: two NICs, eth0 on the subnet
 * of portal 198.18.1.1, eth1 on that of 198.18.2.1, one target with a
 * portal on each, discovery through 198.18.1.1 only, three LUNs.
 */
#ifndef PORTICO_TESTS_UNIT_MPATH_SM_HARNESS_H
#define PORTICO_TESTS_UNIT_MPATH_SM_HARNESS_H

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpath/sm.h"

#define T "iqn.2026-11.org.portico:storage1"
#define P0 "198.18.1.1:3260"
#define P1 "198.18.2.1:3260"
#define W0 "36001405aaaaaaaaaaaaaaaaaaaaaaaa0"
#define W1 "36001405aaaaaaaaaaaaaaaaaaaaaaaa1"
#define W2 "36001405aaaaaaaaaaaaaaaaaaaaaaaa2"
#define MiB (1024ull * 1024)

static struct mp_sm *sm;
static struct mp_actions acts;
static int64_t now;
static struct mp_config cfg;
static char disc[1][MP_PORTAL_MAX] = { P0 };
/* Whether the kernel's tables show queue_if_no_path (fail_if_no_path takes it away). */
static bool kq = true;

/* What the last MP_ACT_WWIDS said: the WWIDs multipathd is told to leave alone. */
static char owned[8][MP_WWID_MAX];
static size_t nowned;
/* Every action asked since setup, by type. */
static unsigned int total[MP_ACT_DISK_RESCAN + 1]; /* the last action type */

static inline void setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.discovery = disc;
	cfg.ndiscovery = 1;
	mp_policy_default(&cfg.policy);
	ck_assert_int_eq(mp_sm_create(&cfg, &sm), 0);
	mp_actions_init(&acts);
	now = 1000000;
	nowned = 0;
	kq = true;
	memset(total, 0, sizeof(total));
}

static inline void teardown(void)
{
	mp_sm_destroy(sm);
	mp_actions_fini(&acts);
}

/* ---- the test as the daemon ---- */

/*
 * After every event and tick the next deadline lies ahead: a deadline that
 * has passed would have the daemon tick again at once, for nothing, forever.
 */
static inline void deadline_ahead(void)
{
	ck_assert_msg(mp_sm_next_deadline(sm) > now, "the next deadline %lld is not after now %lld",
		      (long long)mp_sm_next_deadline(sm), (long long)now);
}

static inline void note_wwids(void)
{
	for (size_t i = 0; i < acts.n; i++)
		total[acts.a[i].type]++;
	const struct mp_action *a = NULL;

	for (size_t i = 0; i < acts.n; i++)
		if (acts.a[i].type == MP_ACT_WWIDS)
			a = &acts.a[i];
	if (!a)
		return;
	nowned = a->u.wwids.n;
	for (size_t i = 0; i < nowned && i < 8; i++)
		snprintf(owned[i], sizeof(owned[i]), "%s", a->u.wwids.wwids[i]);
}

static inline void feed(const struct mp_event *ev)
{
	mp_actions_clear(&acts);
	ck_assert_int_eq(mp_sm_feed(sm, ev, now, &acts), 0);
	note_wwids();
	deadline_ahead();
}

static inline void tick(int64_t ms)
{
	now += ms;
	mp_actions_clear(&acts);
	ck_assert_int_eq(mp_sm_tick(sm, now, &acts), 0);
	note_wwids();
	deadline_ahead();
}

static inline size_t count(enum mp_action_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < acts.n; i++)
		n += acts.a[i].type == t;
	return n;
}

/* The k-th action of type t (0-based), or NULL. */
static inline const struct mp_action *nth(enum mp_action_type t, size_t k)
{
	for (size_t i = 0; i < acts.n; i++)
		if (acts.a[i].type == t && !k--)
			return &acts.a[i];
	return NULL;
}

static inline const struct mp_action *act(enum mp_action_type t)
{
	return nth(t, 0);
}

static inline void nic(const char *name, int ifindex, bool carrier)
{
	struct mp_event ev = { .type = MP_EV_NIC };

	snprintf(ev.u.nic.name, sizeof(ev.u.nic.name), "%s", name);
	ev.u.nic.ifindex = ifindex;
	ev.u.nic.up = true;
	ev.u.nic.carrier = carrier;
	ev.u.nic.has_addr = true;
	feed(&ev);
}

static inline void started(void)
{
	struct mp_event ev = { .type = MP_EV_STARTED };

	feed(&ev);
}

static inline void reach(const char *addr, const char *nic_name)
{
	struct mp_event ev = { .type = MP_EV_REACH };
	char nics[1][MP_NIC_MAX];

	snprintf(ev.u.reach.addr, sizeof(ev.u.reach.addr), "%s", addr);
	if (nic_name) {
		snprintf(nics[0], sizeof(nics[0]), "%s", nic_name);
		ev.u.reach.nics = nics;
		ev.u.reach.nnics = 1;
	}
	feed(&ev);
}

static inline void prepared(const char *name, int err)
{
	struct mp_event ev = { .type = MP_EV_NIC_PREPARED };

	snprintf(ev.u.prepared.nic, sizeof(ev.u.prepared.nic), "%s", name);
	ev.u.prepared.err = err;
	if (err)
		snprintf(ev.u.prepared.reason, sizeof(ev.u.prepared.reason), "iscsiadm failed");
	feed(&ev);
}

static inline void discovered(const char *via, int err, const char *why)
{
	struct mp_disc_entry e[2] = { { T, P0, 1 }, { T, P1, 1 } };
	struct mp_event ev = { .type = MP_EV_DISCOVERY_DONE };

	snprintf(ev.u.discovery.nic, sizeof(ev.u.discovery.nic), "%s", via);
	snprintf(ev.u.discovery.addr, sizeof(ev.u.discovery.addr), "%s", P0);
	ev.u.discovery.err = err;
	if (err) {
		snprintf(ev.u.discovery.reason, sizeof(ev.u.discovery.reason), "%s", why);
	} else {
		ev.u.discovery.entries = e;
		ev.u.discovery.nentries = 2;
	}
	feed(&ev);
}

static inline struct mp_link_key key(const char *n, const char *portal)
{
	struct mp_link_key k;

	memset(&k, 0, sizeof(k));
	snprintf(k.nic, sizeof(k.nic), "%s", n);
	snprintf(k.portal, sizeof(k.portal), "%s", portal);
	snprintf(k.target, sizeof(k.target), "%s", T);
	return k;
}

static inline void session(const char *n, const char *portal, uint32_t sid, bool logged_in)
{
	struct mp_event ev = { .type = MP_EV_SESSION };

	ev.u.session.key = key(n, portal);
	ev.u.session.sid = sid;
	ev.u.session.logged_in = logged_in;
	ev.u.session.recovery_tmo_s = 5;
	ev.u.session.noop_out_interval_s = 5;
	ev.u.session.noop_out_timeout_s = 5;
	feed(&ev);
}

static inline void login_done(const char *n, const char *portal, int err, bool auth)
{
	struct mp_event ev = { .type = MP_EV_LOGIN_DONE };

	ev.u.login.key = key(n, portal);
	ev.u.login.err = err;
	ev.u.login.auth_failed = auth;
	if (err)
		snprintf(ev.u.login.reason, sizeof(ev.u.login.reason), "%s",
			 auth ? "authentication failure" : "connection timed out");
	feed(&ev);
}

/* Disk sdX (8:minor) of LUN lun over (nic, portal), with wwid and size. */
static inline void disk(const char *n, const char *portal, uint64_t lun, const char *dev, int minor,
		 const char *wwid, uint64_t size)
{
	struct mp_event ev = { .type = MP_EV_DISK };

	ev.u.disk.key.link = key(n, portal);
	ev.u.disk.key.lun = lun;
	snprintf(ev.u.disk.dev, sizeof(ev.u.disk.dev), "%s", dev);
	snprintf(ev.u.disk.devt, sizeof(ev.u.disk.devt), "8:%d", minor);
	snprintf(ev.u.disk.wwid, sizeof(ev.u.disk.wwid), "%s", wwid);
	if (!wwid[0])
		snprintf(ev.u.disk.reason, sizeof(ev.u.disk.reason),
			 "VPD page 0x83 has no logical-unit designator");
	ev.u.disk.size = size;
	ev.u.disk.ready = true;
	feed(&ev);
}

static inline void disk_gone(const char *n, const char *portal, uint64_t lun)
{
	struct mp_event ev = { .type = MP_EV_DISK_GONE };

	ev.u.path.link = key(n, portal);
	ev.u.path.lun = lun;
	feed(&ev);
}

/* The map as the kernel would report it: one group of the devices given (NULL-ended). */
static inline void kernel_map(const char *wwid, uint64_t size, uint32_t open, const char *const *devts,
		       const char *const *failed)
{
	struct mp_event ev = { .type = MP_EV_MAP };
	struct mp_ev_map *m = &ev.u.map;

	snprintf(m->spec.name, sizeof(m->spec.name), "%s", wwid);
	snprintf(m->spec.wwid, sizeof(m->spec.wwid), "%s", wwid);
	m->spec.sectors = size / 512;
	m->spec.selector = MP_SELECTOR_SERVICE_TIME;
	m->spec.queue_if_no_path = kq;
	m->spec.ngroups = 1;
	for (size_t i = 0; devts[i]; i++)
		snprintf(m->spec.groups[0].devt[m->spec.groups[0].npaths++], MP_DEVT_MAX, "%s",
			 devts[i]);
	m->spec_ok = true;
	m->open_count = open;
	m->queueing = kq;
	for (size_t i = 0; failed && failed[i]; i++)
		snprintf(m->failed[m->nfailed++], MP_DEVT_MAX, "%s", failed[i]);
	feed(&ev);
}

/* The answer to a check of LUN lun over (n, portal), disk devt. */
static inline void check_done(const char *n, const char *portal, uint64_t lun, const char *devt,
		       enum mp_check_result r, unsigned int ua)
{
	struct mp_event ev = { .type = MP_EV_CHECK_DONE };

	ev.u.check.key.link = key(n, portal);
	ev.u.check.key.lun = lun;
	snprintf(ev.u.check.devt, sizeof(ev.u.check.devt), "%s", devt);
	ev.u.check.result = r;
	ev.u.check.ua = ua;
	ev.u.check.took_ms = 3;
	if (r != MP_CHECK_UP)
		snprintf(ev.u.check.reason, sizeof(ev.u.check.reason), "no answer in 2000 ms");
	feed(&ev);
}

static inline void path_done(const char *wwid, const char *devt, bool reinstate)
{
	struct mp_event ev = { .type = MP_EV_PATH_DONE };

	snprintf(ev.u.path_done.wwid, sizeof(ev.u.path_done.wwid), "%s", wwid);
	snprintf(ev.u.path_done.devt, sizeof(ev.u.path_done.devt), "%s", devt);
	ev.u.path_done.reinstate = reinstate;
	feed(&ev);
}

static inline void map_done(enum mp_map_op op, const char *wwid, int err)
{
	struct mp_event ev = { .type = MP_EV_MAP_DONE };

	ev.u.map_done.op = op;
	snprintf(ev.u.map_done.wwid, sizeof(ev.u.map_done.wwid), "%s", wwid);
	ev.u.map_done.err = err;
	if (err)
		snprintf(ev.u.map_done.reason, sizeof(ev.u.map_done.reason), "device busy");
	feed(&ev);
}

static inline struct mp_link_view link_view(const char *n, const char *portal)
{
	struct mp_link_view v[16];
	struct mp_link_key k = key(n, portal);
	size_t cnt = mp_sm_links(sm, v, 16);

	for (size_t i = 0; i < cnt && i < 16; i++)
		if (!strcmp(v[i].key.nic, k.nic) && !strcmp(v[i].key.portal, k.portal))
			return v[i];
	ck_abort_msg("no link %s %s", n, portal);
	return v[0];
}

static inline struct mp_map_view map_view(const char *wwid)
{
	struct mp_map_view v[16];
	size_t cnt = mp_sm_maps(sm, v, 16);

	for (size_t i = 0; i < cnt && i < 16; i++)
		if (!strcmp(v[i].wwid, wwid))
			return v[i];
	ck_abort_msg("no map %s", wwid);
	return v[0];
}

/* Whether some condition whose object holds obj (NULL: any) has text holding needle. */
static inline bool condition_of(const char *obj, const char *needle)
{
	struct mp_condition c[32];
	size_t n = mp_sm_conditions(sm, now, c, 32);

	for (size_t i = 0; i < n && i < 32; i++)
		if ((!obj || strstr(c[i].object, obj)) && strstr(c[i].text, needle))
			return true;
	return false;
}

static inline bool condition_has(const char *needle)
{
	return condition_of(NULL, needle);
}

/*
 * From nothing to two logged-in sessions, as the daemon answers each step:
 * reach, prepare, discover, reach the second portal, prepare its NIC, log in.
 */
static inline void bring_up_links(void)
{
	nic("eth0", 2, true);
	nic("eth1", 3, true);
	ck_assert_uint_eq(acts.n, 0); /* nothing before the start-up snapshot is complete */
	started();
	ck_assert_uint_eq(count(MP_ACT_REACH), 1);
	ck_assert_str_eq(act(MP_ACT_REACH)->u.addr, P0);
	reach(P0, "eth0");
	ck_assert_uint_eq(count(MP_ACT_NIC_PREPARE), 1);
	ck_assert_str_eq(act(MP_ACT_NIC_PREPARE)->u.nic, "eth0");
	prepared("eth0", 0);
	ck_assert_uint_eq(count(MP_ACT_DISCOVER), 1);
	ck_assert_str_eq(act(MP_ACT_DISCOVER)->u.discover.nic, "eth0");
	discovered("eth0", 0, NULL);
	/* the first portal is reached already: log in; the second one: ask */
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 1);
	ck_assert_str_eq(act(MP_ACT_LOGIN)->u.login.key.portal, P0);
	ck_assert_uint_eq(act(MP_ACT_LOGIN)->u.login.tpgt, 1);
	ck_assert_uint_eq(count(MP_ACT_REACH), 1);
	ck_assert_str_eq(act(MP_ACT_REACH)->u.addr, P1);
	reach(P1, "eth1");
	ck_assert_uint_eq(count(MP_ACT_NIC_PREPARE), 1);
	ck_assert_str_eq(act(MP_ACT_NIC_PREPARE)->u.nic, "eth1");
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 0); /* the first login is still in flight */
	prepared("eth1", 0);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 1);
	ck_assert_str_eq(act(MP_ACT_LOGIN)->u.login.key.nic, "eth1");
	ck_assert_str_eq(act(MP_ACT_LOGIN)->u.login.key.portal, P1);
	session("eth0", P0, 1, true);
	login_done("eth0", P0, 0, false);
	session("eth1", P1, 2, true);
	login_done("eth1", P1, 0, false);
	ck_assert_uint_eq(count(MP_ACT_LOGIN), 0);
	ck_assert_int_eq(link_view("eth0", P0).state, MP_LINK_UP);
	ck_assert_int_eq(link_view("eth1", P1).state, MP_LINK_UP);
}

static inline void three_luns(void)
{
	disk("eth0", P0, 0, "sda", 0, W0, 64 * MiB);
	disk("eth0", P0, 1, "sdb", 16, W1, 64 * MiB);
	disk("eth0", P0, 2, "sdc", 32, W2, 32 * MiB);
	disk("eth1", P1, 0, "sdd", 48, W0, 64 * MiB);
	disk("eth1", P1, 1, "sde", 64, W1, 64 * MiB);
	disk("eth1", P1, 2, "sdf", 80, W2, 32 * MiB);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What libvirt should have, from pathd's views (initiator/pathd/virt_plan.c). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "initiator/pathd/virt_plan.h"
#include "tests/unit/check_main.h"

#define T1 "iqn.2025-01.org.portico.lab:target"
#define T2 "iqn.2025-01.org.other:target"
#define T3 "iqn.2025-01.org.portico.lab:nolun"
#define P1 "198.18.1.1:3260"
#define P2 "198.18.2.1:3260"
#define W0 "1PORTICO_800011d719980bd6"
#define W1 "1PORTICO_800011d719980bd7"
#define W2 "1PORTICO_800011d719980bd8"
#define UUID "6f1c2a34-8d5e-4b7a-9c0d-1e2f3a4b5c6d"
#define MiB (1024ull * 1024)

static struct virt_conf conf;
static struct mp_map_view maps[8];
static struct mp_path_view paths[16];
static struct mp_link_view links[8];
static struct virt_views v;
static struct virt_plan plan;

static void setup(void)
{
	memset(maps, 0, sizeof(maps));
	memset(paths, 0, sizeof(paths));
	memset(links, 0, sizeof(links));
	memset(&v, 0, sizeof(v));
	memset(&plan, 0, sizeof(plan));
	virt_conf_defaults(&conf);
	v.maps = maps;
	v.paths = paths;
	v.links = links;
}

static void teardown(void)
{
	virt_plan_free(&plan);
}

static void add_map(const char *name, const char *wwid, uint64_t size, enum mp_map_state st)
{
	struct mp_map_view *m = &maps[v.nmaps++];

	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->wwid, sizeof(m->wwid), "%s", wwid);
	m->size = size;
	m->state = st;
}

static void add_path(const char *target, const char *portal, uint64_t lun, const char *wwid,
		     enum mp_path_state st, const char *reason)
{
	struct mp_path_view *p = &paths[v.npaths++];

	snprintf(p->key.link.nic, sizeof(p->key.link.nic), "eth%zu", v.npaths % 2);
	snprintf(p->key.link.portal, sizeof(p->key.link.portal), "%s", portal);
	snprintf(p->key.link.target, sizeof(p->key.link.target), "%s", target);
	p->key.lun = lun;
	snprintf(p->wwid, sizeof(p->wwid), "%s", wwid);
	p->state = st;
	snprintf(p->reason, sizeof(p->reason), "%s", reason);
}

static void add_link(const char *target, const char *portal, enum mp_link_state st)
{
	struct mp_link_view *l = &links[v.nlinks++];

	snprintf(l->key.nic, sizeof(l->key.nic), "eth%zu", v.nlinks % 2);
	snprintf(l->key.portal, sizeof(l->key.portal), "%s", portal);
	snprintf(l->key.target, sizeof(l->key.target), "%s", target);
	l->state = st;
	l->sid = st == MP_LINK_UP ? (uint32_t)v.nlinks : 0;
}

/* The lab's three LUNs over two portals, every map ready. */
static void lab(void)
{
	const char *w[] = { W0, W1, W2 };

	add_link(T1, P2, MP_LINK_UP);
	add_link(T1, P1, MP_LINK_UP);
	for (uint64_t l = 0; l < 3; l++) {
		add_map(w[l], w[l], 64 * MiB, MP_MAP_READY);
		add_path(T1, P1, l, w[l], MP_PATH_ACTIVE, "");
		add_path(T1, P2, l, w[l], MP_PATH_ACTIVE, "");
	}
}

START_TEST(test_multipath)
{
	struct virt_record rec = { .form = VIRT_FORM_MULTIPATH, .name = "portico", .uuid = UUID };

	lab();
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_MULTIPATH, &v, NULL, 0, &plan), 0);
	ck_assert_uint_eq(plan.npools, 1);
	ck_assert_int_eq(plan.pools[0].form, VIRT_FORM_MULTIPATH);
	ck_assert_str_eq(plan.pools[0].name, "portico");
	ck_assert_str_eq(plan.pools[0].uuid, ""); /* never defined: the caller makes one */
	ck_assert_uint_eq(plan.nluns, 3);
	ck_assert_str_eq(plan.luns[1].name, W1);
	ck_assert_str_eq(plan.luns[1].wwid, W1);
	ck_assert_uint_eq(plan.luns[1].size, 64 * MiB);
	ck_assert_uint_eq(plan.nproblems, 0);
	virt_plan_free(&plan);
	/* defined before: the same UUID, so that libvirt takes it as the same pool */
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_MULTIPATH, &v, &rec, 1, &plan), 0);
	ck_assert_str_eq(plan.pools[0].uuid, UUID);
	virt_plan_free(&plan);
	/* a record of the other form, or of another name, is not this pool's */
	rec.form = VIRT_FORM_ISCSI;
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_MULTIPATH, &v, &rec, 1, &plan), 0);
	ck_assert_str_eq(plan.pools[0].uuid, "");
	virt_plan_free(&plan);
	rec.form = VIRT_FORM_MULTIPATH;
	snprintf(conf.pool, sizeof(conf.pool), "san1");
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_MULTIPATH, &v, &rec, 1, &plan), 0);
	ck_assert_str_eq(plan.pools[0].name, "san1");
	ck_assert_str_eq(plan.pools[0].uuid, "");
}
END_TEST

/* A LUN without a map in the kernel: one line for it, with what holds it up. */
START_TEST(test_lun_without_map)
{
	lab();
	/* LUN 4 added: its paths wait for the map, which is being made */
	add_map("1PORTICO_new", "1PORTICO_new", 32 * MiB, MP_MAP_CREATING);
	add_path(T1, P1, 4, "1PORTICO_new", MP_PATH_PENDING, "");
	add_path(T1, P2, 4, "1PORTICO_new", MP_PATH_PENDING, "");
	/* LUN 5: no WWID, left out of every map */
	add_path(T1, P1, 5, "", MP_PATH_EXCLUDED, "no usable VPD page 0x83 designator");
	/* LUN 6: a path, no map view yet */
	add_path(T1, P2, 6, "1PORTICO_six", MP_PATH_PENDING, "");
	/* a map being reloaded (grown) is in the kernel: no problem */
	maps[0].state = MP_MAP_RELOADING;
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_MULTIPATH, &v, NULL, 0, &plan), 0);
	ck_assert_uint_eq(plan.nluns, 3);
	ck_assert_uint_eq(plan.nproblems, 3);
	ck_assert_str_eq(plan.problems[0],
			 "LUN 4 of '" T1 "', WWID 1PORTICO_new has no multipath map yet (map creating): "
			 "pool 'portico' lists it once pathd makes the map");
	ck_assert_str_eq(plan.problems[1],
			 "LUN 5 of '" T1 "' has no multipath map yet (no WWID: no usable VPD page "
			 "0x83 designator): pool 'portico' lists it once pathd makes the map");
	ck_assert_str_eq(plan.problems[2],
			 "LUN 6 of '" T1 "', WWID 1PORTICO_six has no multipath map yet (waiting for "
			 "its paths): pool 'portico' lists it once pathd makes the map");
	virt_plan_free(&plan);
	/* a failed map says why */
	maps[3].state = MP_MAP_FAILED;
	snprintf(maps[3].reason, sizeof(maps[3].reason), "Device or resource busy");
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_MULTIPATH, &v, NULL, 0, &plan), 0);
	ck_assert_ptr_nonnull(strstr(plan.problems[0], "(map failed: Device or resource busy)"));
	virt_plan_free(&plan);
	/* once made, the LUN is a volume and no problem */
	maps[3].state = MP_MAP_READY;
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_MULTIPATH, &v, NULL, 0, &plan), 0);
	ck_assert_uint_eq(plan.nluns, 4);
	ck_assert_uint_eq(plan.nproblems, 2);
}
END_TEST

START_TEST(test_iscsi)
{
	struct virt_record rec = { .form = VIRT_FORM_ISCSI, .name = "portico-iscsi-target",
				   .uuid = UUID };

	lab();
	/* another target whose name ends alike, up on P2 only; one that maps nothing; one down */
	add_link(T2, P2, MP_LINK_UP);
	add_path(T2, P2, 0, "1OTHER_1", MP_PATH_ACTIVE, "");
	add_link(T3, P1, MP_LINK_UP);
	add_link("iqn.2025-01.org.portico.lab:chap", P1, MP_LINK_FAILED);
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_ISCSI, &v, &rec, 1, &plan), 0);
	ck_assert_uint_eq(plan.npools, 2);
	ck_assert_int_eq(plan.pools[0].form, VIRT_FORM_ISCSI);
	ck_assert_str_eq(plan.pools[0].name, "portico-iscsi-target");
	ck_assert_str_eq(plan.pools[0].uuid, UUID);
	/* the lowest portal with a session up, whichever came first */
	ck_assert_str_eq(plan.pools[0].host, "198.18.1.1");
	ck_assert_uint_eq(plan.pools[0].port, 3260);
	ck_assert_str_eq(plan.pools[0].target, T1);
	ck_assert_str_eq(plan.pools[1].name, "portico-iscsi-target-2");
	ck_assert_str_eq(plan.pools[1].uuid, "");
	ck_assert_str_eq(plan.pools[1].host, "198.18.2.1");
	ck_assert_str_eq(plan.pools[1].target, T2);
	ck_assert_uint_eq(plan.nproblems, 2);
	ck_assert_str_eq(plan.problems[0], "target '" T3 "' maps no LUN to this host: no iscsi pool for it");
	ck_assert_str_eq(plan.problems[1], "target 'iqn.2025-01.org.portico.lab:chap' has no session "
					   "logged in: no iscsi pool for it");
	virt_plan_free(&plan);
	/* a name that would be the multipath pool's takes a number too */
	snprintf(conf.iscsi_prefix, sizeof(conf.iscsi_prefix), "portico-");
	snprintf(conf.pool, sizeof(conf.pool), "portico-target");
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_ISCSI, &v, NULL, 0, &plan), 0);
	ck_assert_str_eq(plan.pools[0].name, "portico-target-2");
	ck_assert_str_eq(plan.pools[1].name, "portico-target-3");
	virt_plan_free(&plan);
	/* no session up anywhere: no pool */
	for (size_t i = 0; i < v.nlinks; i++)
		links[i].state = MP_LINK_RECOVERING;
	ck_assert_int_eq(virt_plan_make(&conf, VIRT_FORM_ISCSI, &v, NULL, 0, &plan), 0);
	ck_assert_uint_eq(plan.npools, 0);
	ck_assert_uint_eq(plan.nproblems, 4);
}
END_TEST

START_TEST(test_signature)
{
	uint64_t s0, s1;

	lab();
	s0 = virt_maps_signature(maps, v.nmaps);
	/* the views' order does not count */
	{
		struct mp_map_view t = maps[0];

		maps[0] = maps[2];
		maps[2] = t;
	}
	ck_assert_uint_eq(virt_maps_signature(maps, v.nmaps), s0);
	/* a map grown */
	maps[1].size = 96 * MiB;
	s1 = virt_maps_signature(maps, v.nmaps);
	ck_assert_uint_ne(s1, s0);
	/* a map that is not in the kernel yet does not count; once there, it does */
	add_map("1PORTICO_new", "1PORTICO_new", 32 * MiB, MP_MAP_CREATING);
	ck_assert_uint_eq(virt_maps_signature(maps, v.nmaps), s1);
	maps[3].state = MP_MAP_READY;
	ck_assert_uint_ne(virt_maps_signature(maps, v.nmaps), s1);
	/* nor while it is being reloaded */
	maps[3].state = MP_MAP_RELOADING;
	ck_assert_uint_ne(virt_maps_signature(maps, v.nmaps), s1);
	/* gone */
	v.nmaps = 3;
	ck_assert_uint_eq(virt_maps_signature(maps, v.nmaps), s1);
	/* renamed (an alias given) */
	snprintf(maps[0].name, sizeof(maps[0].name), "vmstore");
	ck_assert_uint_ne(virt_maps_signature(maps, v.nmaps), s1);
	ck_assert_uint_eq(virt_maps_signature(maps, 0), 0);
}
END_TEST

static Suite *virt_plan_suite(void)
{
	Suite *s = suite_create("virt_plan");
	TCase *tc = tcase_create("plan");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_multipath);
	tcase_add_test(tc, test_lun_without_map);
	tcase_add_test(tc, test_iscsi);
	tcase_add_test(tc, test_signature);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(virt_plan_suite)

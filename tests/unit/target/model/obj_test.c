/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The object model's lookups, built by hand (no configuration file): portal
 * parsing, the TPG a connection's local address selects, ACLs and the LUN
 * map each initiator of porticod.conf's example gets.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "target/model/obj.h"
#include "tests/unit/check_main.h"

/* ---- portal parsing ---- */

START_TEST(test_portal_ipv4)
{
	struct net_portal p;
	struct sockaddr_in *sin = (struct sockaddr_in *)&p.addr;

	ck_assert_int_eq(net_portal_parse("127.0.0.1:3260", &p), 0);
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_int_eq(ntohs(sin->sin_port), 3260);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	ck_assert_int_eq(p.addrlen, sizeof(struct sockaddr_in));
	ck_assert_str_eq(p.text, "127.0.0.1:3260");

	ck_assert_int_eq(net_portal_parse("192.0.2.7", &p), 0);
	ck_assert_int_eq(ntohs(sin->sin_port), 3260);
	ck_assert_str_eq(p.text, "192.0.2.7:3260");

	ck_assert_int_eq(net_portal_parse("0.0.0.0:3260", &p), 0);
	ck_assert_uint_eq(sin->sin_addr.s_addr, 0);
	ck_assert_str_eq(p.text, "0.0.0.0:3260");

	ck_assert_int_eq(net_portal_parse("10.1.2.3:65535", &p), 0);
	ck_assert_int_eq(ntohs(sin->sin_port), 65535);
	ck_assert_int_eq(net_portal_parse("10.1.2.3:1", &p), 0);
	ck_assert_int_eq(ntohs(sin->sin_port), 1);
}
END_TEST

START_TEST(test_portal_ipv6)
{
	struct net_portal p;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&p.addr;
	struct in6_addr loop = IN6ADDR_LOOPBACK_INIT;

	ck_assert_int_eq(net_portal_parse("[::1]:3260", &p), 0);
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_int_eq(ntohs(sin6->sin6_port), 3260);
	ck_assert(memcmp(&sin6->sin6_addr, &loop, 16) == 0);
	ck_assert_int_eq(p.addrlen, sizeof(struct sockaddr_in6));
	ck_assert_str_eq(p.text, "[::1]:3260");

	ck_assert_int_eq(net_portal_parse("[::]:3261", &p), 0);
	ck_assert(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr));
	ck_assert_int_eq(ntohs(sin6->sin6_port), 3261);
	ck_assert_str_eq(p.text, "[::]:3261");

	/* canonical text: zeroes compressed, port always shown */
	ck_assert_int_eq(net_portal_parse("[2001:db8:0:0::0:5]", &p), 0);
	ck_assert_str_eq(p.text, "[2001:db8::5]:3260");
	ck_assert_int_eq(net_portal_parse("2001:db8::9", &p), 0);
	ck_assert_int_eq(ntohs(sin6->sin6_port), 3260);
	ck_assert_str_eq(p.text, "[2001:db8::9]:3260");
}
END_TEST

static void expect_bad_portal(const char *text, const char *why_part)
{
	struct net_portal p;
	const char *why = NULL;

	ck_assert_msg(net_portal_parse_why(text, &p, &why) == -EINVAL, "'%s' accepted", text);
	ck_assert_msg(why && strstr(why, why_part), "'%s': reason '%s' lacks '%s'", text,
		      why ? why : "(null)", why_part);
	ck_assert_int_eq(net_portal_parse(text, &p), -EINVAL);
}

START_TEST(test_portal_bad)
{
	expect_bad_portal("", "empty");
	expect_bad_portal("garbage", "host name");
	expect_bad_portal("storage1.example.org:3260", "DNS");
	expect_bad_portal("1.2.3.4:0", "port 0");
	expect_bad_portal("1.2.3.4:65536", "65535");
	expect_bad_portal("1.2.3.4:99999999999999999999", "65535");
	expect_bad_portal("1.2.3.4:", "empty port");
	expect_bad_portal("1.2.3.4:32a", "not a number");
	expect_bad_portal("1.2.3.4:-1", "not a number");
	expect_bad_portal(":3260", "no address");
	expect_bad_portal("1.2.3", "not an IPv4");
	expect_bad_portal("256.1.1.1", "not an IPv4");
	expect_bad_portal("0x7f.1:3260", "host name"); /* inet_aton would take it */
	expect_bad_portal("[::1", "']'");
	expect_bad_portal("[::1]3260", "':PORT'");
	expect_bad_portal("[::1]:0", "port 0");
	expect_bad_portal("[]:3260", "IPv6");
	expect_bad_portal("[1.2.3.4]:3260", "IPv6");
	expect_bad_portal("[fe80::zz]:3260", "IPv6");
	expect_bad_portal("::1::2", "IPv6");
	expect_bad_portal(" 1.2.3.4:3260", "IPv4");
}
END_TEST

START_TEST(test_portal_equal)
{
	struct net_portal a, b;

	ck_assert_int_eq(net_portal_parse("127.0.0.1", &a), 0);
	ck_assert_int_eq(net_portal_parse("127.0.0.1:3260", &b), 0);
	ck_assert(net_portal_equal(&a, &b));
	ck_assert_int_eq(net_portal_parse("[::ffff:127.0.0.1]:3260", &b), 0);
	ck_assert(net_portal_equal(&a, &b));
	ck_assert_int_eq(net_portal_parse("127.0.0.1:3261", &b), 0);
	ck_assert(!net_portal_equal(&a, &b));
	ck_assert_int_eq(net_portal_parse("127.0.0.2:3260", &b), 0);
	ck_assert(!net_portal_equal(&a, &b));
	ck_assert_int_eq(net_portal_parse("[::1]:3260", &b), 0);
	ck_assert(!net_portal_equal(&a, &b));
}
END_TEST

/* ---- a model built by hand: the example of docs/configuration.md ---- */

/*
 * Real LUs on a store that is never read: a LUN map takes a reference on
 * each LU it shows. Created once, they live for the whole test program
 * (each keeps its creation reference), so that the models may share them.
 */
static struct scsi_lu *lu_mark(int i)
{
	static struct bs_dev dev = { .block_size = 512, .size = 1 << 20 };
	static struct scsi_lu *lus[3];

	if (!lus[i]) {
		struct scsi_lu_id id = { .serial = "mark" };

		id.serial[4] = (char)('0' + i);
		ck_assert_int_eq(scsi_lu_create(&dev, &id, &lus[i]), 0);
	}
	return lus[i];
}

static void add_portal(struct obj_tpg *tpg, const char *text)
{
	tpg->portals = realloc(tpg->portals, (tpg->nportals + 1) * sizeof(*tpg->portals));
	ck_assert_ptr_nonnull(tpg->portals);
	ck_assert_int_eq(net_portal_parse(text, &tpg->portals[tpg->nportals]), 0);
	tpg->nportals++;
}

static struct obj_model *example_model(void)
{
	static const char *const bs_names[] = { "lun0", "lun1", "nullb" };
	struct obj_model *m = calloc(1, sizeof(*m));
	struct obj_target *t;
	struct obj_tpg *tpg;
	struct obj_acl *acl;
	size_t i;

	ck_assert_ptr_nonnull(m);
	m->nbackstores = 3;
	m->backstores = calloc(3, sizeof(*m->backstores));
	for (i = 0; i < 3; i++) {
		strcpy(m->backstores[i].name, bs_names[i]);
		m->backstores[i].lu = lu_mark((int)i);
	}
	m->ntargets = 1;
	m->targets = t = calloc(1, sizeof(*t));
	strcpy(t->iqn, "iqn.2026-11.org.example:storage1");
	t->ntpgs = 1;
	t->tpgs = tpg = calloc(1, sizeof(*tpg));
	tpg->tag = 1;
	tpg->target = t;
	obj_tpg_attrs_default(&tpg->attrs);
	obj_tpg_params_default(&tpg->params);
	add_portal(tpg, "127.0.0.1:3260");
	add_portal(tpg, "[::1]:3260");
	tpg->nluns = 3;
	tpg->luns = calloc(3, sizeof(*tpg->luns));
	for (i = 0; i < 3; i++) {
		tpg->luns[i].lun = i;
		tpg->luns[i].bs = &m->backstores[i];
	}
	tpg->nacls = 3;
	tpg->acls = acl = calloc(3, sizeof(*acl));
	strcpy(acl[0].initiator, "iqn.2026-11.org.example:kvm1");
	acl[0].all_luns = true;
	strcpy(acl[1].initiator, "iqn.2026-11.org.example:kvm2");
	acl[1].nmapped = 1;
	acl[1].mapped = calloc(1, sizeof(*acl[1].mapped));
	acl[1].mapped[0] = (struct obj_mapped_lun){ .lun = 0, .tpg_lun = 1 };
	strcpy(acl[2].initiator, "iqn.2026-11.org.example:kvm3");
	acl[2].nmapped = 2;
	acl[2].mapped = calloc(2, sizeof(*acl[2].mapped));
	/* listed out of order: the map must come out sorted */
	acl[2].mapped[0] = (struct obj_mapped_lun){ .lun = 2, .tpg_lun = 2, .read_only = true };
	acl[2].mapped[1] = (struct obj_mapped_lun){ .lun = 1, .tpg_lun = 1 };
	return m;
}

/* The marks are not LUs: obj_model_free must not destroy them. */
static void free_model(struct obj_model *m)
{
	size_t i;

	for (i = 0; i < m->nbackstores; i++)
		m->backstores[i].lu = NULL;
	obj_model_free(m);
}

static socklen_t sa4(struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
	return sizeof(*sin);
}

static socklen_t sa6(struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	return sizeof(*sin6);
}

/* Adds TPGs 2 (0.0.0.0:3261), 3 ([::]:3262) and 4 (0.0.0.0:3260) to the example's target. */
static void add_wildcard_tpgs(struct obj_model *m)
{
	struct obj_target *t = &m->targets[0];
	size_t i;

	t->tpgs = realloc(t->tpgs, 4 * sizeof(*t->tpgs));
	ck_assert_ptr_nonnull(t->tpgs);
	memset(&t->tpgs[1], 0, 3 * sizeof(*t->tpgs));
	t->ntpgs = 4;
	for (i = 1; i < 4; i++) {
		t->tpgs[i].tag = (uint16_t)(i + 1);
		t->tpgs[i].target = t;
	}
	add_portal(&t->tpgs[1], "0.0.0.0:3261");
	add_portal(&t->tpgs[2], "[::]:3262");
	add_portal(&t->tpgs[3], "0.0.0.0:3260");
}

static int tag_for(const struct obj_target *t, const struct sockaddr_storage *ss, socklen_t len)
{
	struct obj_tpg *tpg = obj_tpg_for_addr(t, (const struct sockaddr *)ss, len);

	return tpg ? tpg->tag : -1;
}

START_TEST(test_tpg_for_addr)
{
	struct obj_model *m = example_model();
	struct obj_target *t = &m->targets[0];
	struct sockaddr_storage ss;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;

	len = sa4(&ss, "127.0.0.1", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), 1);
	ck_assert_ptr_eq(obj_tpg_for_addr(t, (struct sockaddr *)&ss, len), &t->tpgs[0]);
	len = sa6(&ss, "::1", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), 1);
	/* a dual-stack listener reports IPv4 as v4-mapped: still the IPv4 portal */
	len = sa6(&ss, "::ffff:127.0.0.1", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), 1);
	/* other address, other port: no TPG */
	len = sa4(&ss, "127.0.0.2", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), -1);
	len = sa4(&ss, "127.0.0.1", 3261);
	ck_assert_int_eq(tag_for(t, &ss, len), -1);
	len = sa6(&ss, "::2", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), -1);
	/* too short an address, an unknown family, NULL */
	len = sa4(&ss, "127.0.0.1", 3260);
	ck_assert_ptr_null(obj_tpg_for_addr(t, (struct sockaddr *)&ss, len - 1));
	ck_assert_ptr_null(obj_tpg_for_addr(t, (struct sockaddr *)&sun, sizeof(sun)));
	ck_assert_ptr_null(obj_tpg_for_addr(t, NULL, 0));
	ck_assert_ptr_null(obj_tpg_for_addr(NULL, (struct sockaddr *)&ss, len));
	free_model(m);
}
END_TEST

START_TEST(test_tpg_for_addr_wildcard)
{
	struct obj_model *m = example_model();
	struct obj_target *t = &m->targets[0];
	struct sockaddr_storage ss;
	struct obj_tpg tmp;
	socklen_t len;

	add_wildcard_tpgs(m);
	/* 0.0.0.0:3261 takes every IPv4 address on its port, v4-mapped too */
	len = sa4(&ss, "10.1.2.3", 3261);
	ck_assert_int_eq(tag_for(t, &ss, len), 2);
	len = sa4(&ss, "127.0.0.1", 3261);
	ck_assert_int_eq(tag_for(t, &ss, len), 2);
	len = sa6(&ss, "::ffff:10.1.2.3", 3261);
	ck_assert_int_eq(tag_for(t, &ss, len), 2);
	/* ... but not IPv6 */
	len = sa6(&ss, "2001:db8::1", 3261);
	ck_assert_int_eq(tag_for(t, &ss, len), -1);
	/* [::]:3262 takes IPv6, and IPv4 (a dual-stack listener accepts it) */
	len = sa6(&ss, "2001:db8::1", 3262);
	ck_assert_int_eq(tag_for(t, &ss, len), 3);
	len = sa6(&ss, "::ffff:192.0.2.1", 3262);
	ck_assert_int_eq(tag_for(t, &ss, len), 3);
	len = sa4(&ss, "192.0.2.1", 3262);
	ck_assert_int_eq(tag_for(t, &ss, len), 3);
	/* an exact portal beats a wildcard on the same port, in whatever order */
	len = sa4(&ss, "127.0.0.1", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), 1);
	len = sa4(&ss, "10.9.9.9", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), 4);
	len = sa6(&ss, "::ffff:127.0.0.1", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), 1);
	/* the same with the wildcard TPG listed first */
	tmp = t->tpgs[0];
	t->tpgs[0] = t->tpgs[3];
	t->tpgs[3] = tmp;
	len = sa4(&ss, "127.0.0.1", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), 1);
	len = sa6(&ss, "::ffff:127.0.0.1", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), 1);
	len = sa4(&ss, "10.9.9.9", 3260);
	ck_assert_int_eq(tag_for(t, &ss, len), 4);
	free_model(m);
}
END_TEST

START_TEST(test_find)
{
	struct obj_model *m = example_model();
	struct obj_tpg *tpg = &m->targets[0].tpgs[0];

	ck_assert_ptr_eq(obj_find_target(m, "iqn.2026-11.org.example:storage1"), &m->targets[0]);
	ck_assert_ptr_eq(obj_find_target(m, "IQN.2026-11.ORG.Example:Storage1"), &m->targets[0]);
	ck_assert_ptr_null(obj_find_target(m, "iqn.2026-11.org.example:storage2"));
	ck_assert_ptr_null(obj_find_target(m, NULL));
	ck_assert_ptr_eq(obj_find_backstore(m, "nullb"), &m->backstores[2]);
	ck_assert_ptr_null(obj_find_backstore(m, "NULLB")); /* our names, not iSCSI names */
	ck_assert_ptr_null(obj_find_backstore(m, "lun"));

	ck_assert_ptr_eq(obj_find_acl(tpg, "iqn.2026-11.org.example:kvm2"), &tpg->acls[1]);
	ck_assert_ptr_eq(obj_find_acl(tpg, "IQN.2026-11.ORG.EXAMPLE:KVM2"), &tpg->acls[1]);
	ck_assert_ptr_eq(obj_find_acl(tpg, "iqn.2026-11.org.example:Kvm3"), &tpg->acls[2]);
	ck_assert_ptr_null(obj_find_acl(tpg, "iqn.2026-11.org.example:kvm4"));
	ck_assert_ptr_null(obj_find_acl(tpg, "iqn.2026-11.org.example:kvm"));
	ck_assert_ptr_null(obj_find_acl(tpg, NULL));

	ck_assert(obj_initiator_allowed(tpg, "iqn.2026-11.org.example:KVM1"));
	ck_assert(!obj_initiator_allowed(tpg, "iqn.2026-11.org.example:intruder"));
	tpg->attrs.generate_node_acls = true;
	ck_assert(obj_initiator_allowed(tpg, "iqn.2026-11.org.example:intruder"));
	free_model(m);
}
END_TEST

static void expect_entry(const struct scsi_lun_map *map, size_t i, uint64_t lun,
			 struct scsi_lu *lu, bool ro)
{
	ck_assert_uint_gt(map->n, i);
	ck_assert_uint_eq(map->e[i].lun, lun);
	ck_assert_ptr_eq(map->e[i].lu, lu);
	ck_assert_int_eq(map->e[i].read_only, ro);
}

START_TEST(test_lun_map_acls)
{
	struct obj_model *m = example_model();
	struct obj_tpg *tpg = &m->targets[0].tpgs[0];
	struct scsi_lun_map *map;

	/* kvm1: no mapped_luns, every TPG LUN with its own number, read-write */
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm1", &map), 0);
	ck_assert_uint_eq(map->n, 3);
	expect_entry(map, 0, 0, lu_mark(0), false);
	expect_entry(map, 1, 1, lu_mark(1), false);
	expect_entry(map, 2, 2, lu_mark(2), false);
	/* the map holds each LU it shows: a deleted LU outlives the model while a session uses it */
	ck_assert_uint_eq(scsi_lu_refs(lu_mark(0)), 2);
	scsi_lun_map_free(map);
	ck_assert_uint_eq(scsi_lu_refs(lu_mark(0)), 1);

	/* kvm2: sees TPG LUN 1 as its LUN 0, and nothing else */
	ck_assert_int_eq(obj_lun_map_build(tpg, "IQN.2026-11.org.example:kvm2", &map), 0);
	ck_assert_uint_eq(map->n, 1);
	expect_entry(map, 0, 0, lu_mark(1), false);
	ck_assert_ptr_eq(scsi_lun_map_find(map, 0), &map->e[0]);
	ck_assert_ptr_null(scsi_lun_map_find(map, 1));
	ck_assert_ptr_null(scsi_lun_map_find(map, 2));
	scsi_lun_map_free(map);

	/* kvm3: 1 -> 1 read-write, 2 -> 2 read-only; sorted though listed 2 first */
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm3", &map), 0);
	ck_assert_uint_eq(map->n, 2);
	expect_entry(map, 0, 1, lu_mark(1), false);
	expect_entry(map, 1, 2, lu_mark(2), true);
	ck_assert_ptr_null(scsi_lun_map_find(map, 0));
	ck_assert_ptr_eq(scsi_lun_map_find(map, 1), &map->e[0]);
	ck_assert_ptr_eq(scsi_lun_map_find(map, 2), &map->e[1]);
	ck_assert(scsi_lun_map_find(map, 2)->read_only);
	scsi_lun_map_free(map);

	/* a read-only store is read-only through any mapping */
	m->backstores[0].params.readonly = true;
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm1", &map), 0);
	expect_entry(map, 0, 0, lu_mark(0), true);
	expect_entry(map, 1, 1, lu_mark(1), false);
	scsi_lun_map_free(map);

	/* anyone else: nothing */
	map = (struct scsi_lun_map *)1;
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm9", &map), -EACCES);
	ck_assert_ptr_null(map);
	free_model(m);
}
END_TEST

START_TEST(test_lun_map_demo_mode)
{
	struct obj_model *m = example_model();
	struct obj_tpg *tpg = &m->targets[0].tpgs[0];
	struct scsi_lun_map *map;
	size_t i;

	tpg->attrs.generate_node_acls = true;
	ck_assert(tpg->attrs.demo_mode_write_protect); /* the default */
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.1994-05.com.redhat:stranger", &map), 0);
	ck_assert_uint_eq(map->n, 3);
	for (i = 0; i < 3; i++)
		expect_entry(map, i, i, lu_mark((int)i), true);
	scsi_lun_map_free(map);

	tpg->attrs.demo_mode_write_protect = false;
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.1994-05.com.redhat:stranger", &map), 0);
	for (i = 0; i < 3; i++)
		expect_entry(map, i, i, lu_mark((int)i), false);
	scsi_lun_map_free(map);

	/* an explicit ACL still rules its initiator in demo mode */
	tpg->attrs.demo_mode_write_protect = true;
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm2", &map), 0);
	ck_assert_uint_eq(map->n, 1);
	expect_entry(map, 0, 0, lu_mark(1), false);
	scsi_lun_map_free(map);
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm1", &map), 0);
	expect_entry(map, 2, 2, lu_mark(2), false);
	scsi_lun_map_free(map);
	free_model(m);
}
END_TEST

START_TEST(test_lun_map_empty_and_find)
{
	struct obj_model *m = example_model();
	struct obj_tpg *tpg = &m->targets[0].tpgs[0];
	struct scsi_lun_map *map;
	uint64_t i;

	/* an ACL with an empty mapped_luns list logs in and sees no LUN */
	tpg->acls[1].nmapped = 0;
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm2", &map), 0);
	ck_assert_uint_eq(map->n, 0);
	ck_assert_ptr_null(scsi_lun_map_find(map, 0));
	scsi_lun_map_free(map);
	ck_assert_ptr_null(scsi_lun_map_find(NULL, 0));

	/* binary search over a larger map: every even LUN up to 16382 */
	map = calloc(1, sizeof(*map) + 8192 * sizeof(map->e[0]));
	ck_assert_ptr_nonnull(map);
	for (i = 0; i < 8192; i++)
		map->e[map->n++].lun = 2 * i;
	for (i = 0; i <= OBJ_LUN_MAX + 1; i++) {
		const struct scsi_lun_entry *e = scsi_lun_map_find(map, i);

		if (i % 2 || i > 16382)
			ck_assert_ptr_null(e);
		else
			ck_assert_ptr_eq(e, &map->e[i / 2]);
	}
	scsi_lun_map_free(map);
	scsi_lun_map_free(NULL);
	free_model(m);
	obj_model_free(NULL);
}
END_TEST

START_TEST(test_defaults)
{
	struct obj_tpg_attrs a;
	struct obj_tpg_params p;

	obj_tpg_attrs_default(&a);
	ck_assert(!a.generate_node_acls);
	ck_assert(a.demo_mode_write_protect);
	ck_assert_uint_eq(a.nopin_interval_s, 15);
	ck_assert_uint_eq(a.nopin_timeout_s, 30);
	ck_assert_uint_eq(a.default_cmdsn_depth, 128);
	obj_tpg_params_default(&p);
	ck_assert_uint_eq(p.max_recv_dsl, 262144);
	ck_assert_uint_eq(p.max_burst, 1048576);
	ck_assert_uint_eq(p.first_burst, 65536);
	ck_assert_uint_le(p.first_burst, p.max_burst);
	ck_assert_uint_eq(p.max_outstanding_r2t, 1);
	ck_assert(p.initial_r2t);
	ck_assert(p.immediate_data);
	ck_assert(p.header_digest && !p.header_digest_required);
	ck_assert(p.data_digest && !p.data_digest_required);
	ck_assert_uint_eq(p.default_time2wait, 2);
	ck_assert_uint_eq(p.default_time2retain, 20);
}
END_TEST

static void set_allowed(struct net_allow *l, const char *csv)
{
	ck_assert_int_eq(net_allow_set(l, csv, strlen(csv), NULL), 0);
}

/* A login from an address passes the TPG's list and the initiator's ACL's; both, when both are set. */
START_TEST(test_peer_allowed)
{
	struct obj_model *m = example_model();
	struct obj_tpg *tpg = &m->targets[0].tpgs[0];
	struct obj_acl *kvm1 = &tpg->acls[0], *kvm2 = &tpg->acls[1];
	struct sockaddr_storage ss;
	socklen_t len;

	/* no lists: anywhere */
	len = sa4(&ss, "203.0.113.9", 50000);
	ck_assert(obj_peer_allowed(tpg, kvm1, (struct sockaddr *)&ss, len));
	ck_assert(obj_peer_allowed(tpg, NULL, (struct sockaddr *)&ss, len));
	ck_assert(!obj_peer_allowed(NULL, kvm1, (struct sockaddr *)&ss, len));

	set_allowed(&tpg->allowed, "192.0.2.0/24, 2001:db8::/32");
	set_allowed(&kvm1->allowed, "192.0.2.16/28");
	ck_assert(!obj_peer_allowed(tpg, kvm1, (struct sockaddr *)&ss, len));
	ck_assert(!obj_peer_allowed(tpg, NULL, (struct sockaddr *)&ss, len));
	len = sa4(&ss, "192.0.2.20", 50000);
	ck_assert(obj_peer_allowed(tpg, kvm1, (struct sockaddr *)&ss, len));
	ck_assert(obj_peer_allowed(tpg, kvm2, (struct sockaddr *)&ss, len));
	len = sa6(&ss, "::ffff:192.0.2.20", 50000);
	ck_assert(obj_peer_allowed(tpg, kvm1, (struct sockaddr *)&ss, len));
	/* in the TPG's list, not in kvm1's: kvm1 is refused, kvm2 (no list) is not */
	len = sa4(&ss, "192.0.2.1", 50000);
	ck_assert(!obj_peer_allowed(tpg, kvm1, (struct sockaddr *)&ss, len));
	ck_assert(obj_peer_allowed(tpg, kvm2, (struct sockaddr *)&ss, len));
	len = sa6(&ss, "2001:db8::1", 50000);
	ck_assert(!obj_peer_allowed(tpg, kvm1, (struct sockaddr *)&ss, len));
	ck_assert(obj_peer_allowed(tpg, kvm2, (struct sockaddr *)&ss, len));
	/* in kvm1's list but no longer in the TPG's: refused */
	set_allowed(&tpg->allowed, "2001:db8::/32");
	len = sa4(&ss, "192.0.2.20", 50000);
	ck_assert(!obj_peer_allowed(tpg, kvm1, (struct sockaddr *)&ss, len));
	/* obj_model_free frees the lists (ASan's leak check says so) */
	free_model(m);
}
END_TEST

/* SendTargets shows a TPG only to initiators a login would let in, by name and by address. */
START_TEST(test_tpg_discoverable)
{
	struct obj_model *m = example_model();
	struct obj_tpg *tpg = &m->targets[0].tpgs[0];
	struct sockaddr_storage ss;
	socklen_t in, out;
	struct sockaddr_storage ss_out;

	in = sa4(&ss, "192.0.2.20", 50000);
	out = sa4(&ss_out, "198.51.100.1", 50000);
	ck_assert(obj_tpg_discoverable(tpg, "iqn.2026-11.org.example:kvm1", (struct sockaddr *)&ss, in));
	ck_assert(obj_tpg_discoverable(tpg, "iqn.2026-11.org.example:kvm1", (struct sockaddr *)&ss_out, out));
	ck_assert(!obj_tpg_discoverable(tpg, "iqn.2026-11.org.example:nobody", (struct sockaddr *)&ss, in));

	set_allowed(&tpg->allowed, "192.0.2.0/24");
	set_allowed(&tpg->acls[1].allowed, "192.0.2.128/25");
	ck_assert(obj_tpg_discoverable(tpg, "iqn.2026-11.org.example:kvm1", (struct sockaddr *)&ss, in));
	ck_assert(!obj_tpg_discoverable(tpg, "iqn.2026-11.org.example:kvm1", (struct sockaddr *)&ss_out, out));
	/* names compare case-insensitively, and the ACL's list applies */
	ck_assert(!obj_tpg_discoverable(tpg, "IQN.2026-11.ORG.EXAMPLE:KVM2", (struct sockaddr *)&ss, in));
	/* demo mode: every initiator, from the TPG's networks only */
	tpg->attrs.generate_node_acls = true;
	ck_assert(obj_tpg_discoverable(tpg, "iqn.2026-11.org.example:nobody", (struct sockaddr *)&ss, in));
	ck_assert(!obj_tpg_discoverable(tpg, "iqn.2026-11.org.example:nobody", (struct sockaddr *)&ss_out, out));
	free_model(m);
}
END_TEST

static Suite *obj_suite(void)
{
	Suite *s = suite_create("obj");
	TCase *tc = tcase_create("obj");

	tcase_add_test(tc, test_portal_ipv4);
	tcase_add_test(tc, test_portal_ipv6);
	tcase_add_test(tc, test_portal_bad);
	tcase_add_test(tc, test_portal_equal);
	tcase_add_test(tc, test_tpg_for_addr);
	tcase_add_test(tc, test_tpg_for_addr_wildcard);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_lun_map_acls);
	tcase_add_test(tc, test_lun_map_demo_mode);
	tcase_add_test(tc, test_lun_map_empty_and_find);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_peer_allowed);
	tcase_add_test(tc, test_tpg_discoverable);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(obj_suite)

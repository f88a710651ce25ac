/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reach rule (initiator/adapt/nic_reach.c): the NICs of the longest
 * covering prefix (two NICs on one subnet both; a default route only when
 * nothing longer covers), the only-list (any covering route), IPv6 and
 * IPv4-mapped addresses, ports and zones, the routes that do not count
 * (other tables, other types, malformed), addresses no route covers, and
 * addresses that are not literals.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "initiator/adapt/nic_reach.h"
#include "tests/unit/check_main.h"

#define ANSWERS_MAX 8

/* "198.18.1.0/24 eth1" (main table, unicast) as a route. */
static struct nic_route route(const char *net, const char *dev)
{
	struct nic_route r = { .table = RT_TABLE_MAIN, .type = RTN_UNICAST };
	char addr[64];
	const char *slash = strchr(net, '/');

	ck_assert_ptr_nonnull(slash);
	ck_assert_uint_lt((size_t)(slash - net), sizeof(addr));
	memcpy(addr, net, (size_t)(slash - net));
	addr[slash - net] = '\0';
	r.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(r.family, addr, r.dst), 1);
	r.prefix = (uint8_t)atoi(slash + 1);
	snprintf(r.dev, sizeof(r.dev), "%s", dev);
	return r;
}

/* The answer for addr as one string, "eth1 eth2" ("" for none, "EINVAL" for a refusal). */
static const char *ask(const struct nic_route *routes, size_t n, const char *addr,
		       const char *only_csv)
{
	static char text[ANSWERS_MAX * MP_NIC_MAX + 16];
	char only[ANSWERS_MAX][MP_NIC_MAX], out[ANSWERS_MAX][MP_NIC_MAX];
	size_t nonly = 0;
	int ret;

	if (only_csv) {
		char buf[256], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", only_csv);
		for (char *tok = strtok_r(buf, ",", &save); tok && nonly < ANSWERS_MAX;
		     tok = strtok_r(NULL, ",", &save))
			snprintf(only[nonly++], MP_NIC_MAX, "%s", tok);
	}
	ret = nic_reach(routes, n, addr, only_csv ? (const char(*)[MP_NIC_MAX])only : NULL, nonly,
			out, ANSWERS_MAX);
	if (ret == -EINVAL)
		return "EINVAL";
	ck_assert_int_ge(ret, 0);
	ck_assert_int_le(ret, ANSWERS_MAX);
	text[0] = '\0';
	for (int i = 0; i < ret; i++) {
		if (i)
			strcat(text, " ");
		strcat(text, out[i]);
	}
	return text;
}

#define ck_reach(routes, addr, only, want)                                                         \
	ck_assert_str_eq(ask(routes, sizeof(routes) / sizeof(routes[0]), addr, only), want)

START_TEST(test_two_subnets)
{
	const struct nic_route rt[] = {
		route("198.18.1.0/24", "eth1"),
		route("198.18.2.0/24", "eth2"),
	};

	ck_reach(rt, "198.18.1.5", NULL, "eth1");
	ck_reach(rt, "198.18.2.200", NULL, "eth2");
	ck_reach(rt, "198.18.1.0", NULL, "eth1");
	ck_reach(rt, "198.18.1.255", NULL, "eth1");
	ck_reach(rt, "198.18.3.1", NULL, "");
	ck_reach(rt, "198.19.1.5", NULL, "");
}
END_TEST

START_TEST(test_two_nics_one_subnet)
{
	const struct nic_route rt[] = {
		route("198.18.1.0/24", "eth2"),
		route("198.18.2.0/24", "eth3"),
		route("198.18.1.0/24", "eth1"),
	};

	/* both, in ascending order whatever the table's order */
	ck_reach(rt, "198.18.1.7", NULL, "eth1 eth2");
	ck_reach(rt, "198.18.2.7", NULL, "eth3");
}
END_TEST

START_TEST(test_default_and_longer)
{
	const struct nic_route rt[] = {
		route("0.0.0.0/0", "eth0"),
		route("198.18.0.0/16", "eth3"),
		route("198.18.1.0/24", "eth1"),
		route("198.18.1.128/25", "eth2"),
		route("198.18.1.200/32", "eth4"),
	};

	ck_reach(rt, "203.0.113.9", NULL, "eth0");
	ck_reach(rt, "198.18.9.9", NULL, "eth3");
	ck_reach(rt, "198.18.1.5", NULL, "eth1");
	ck_reach(rt, "198.18.1.127", NULL, "eth1");
	ck_reach(rt, "198.18.1.128", NULL, "eth2");
	ck_reach(rt, "198.18.1.201", NULL, "eth2");
	ck_reach(rt, "198.18.1.200", NULL, "eth4");
}
END_TEST

START_TEST(test_two_defaults)
{
	const struct nic_route rt[] = {
		route("0.0.0.0/0", "eth1"),
		route("0.0.0.0/0", "eth0"),
	};

	ck_reach(rt, "203.0.113.9", NULL, "eth0 eth1");
}
END_TEST

START_TEST(test_ipv6)
{
	const struct nic_route rt[] = {
		route("::/0", "eth0"),
		route("2001:db8:1::/64", "eth1"),
		route("2001:db8:1::/64", "eth2"),
		route("2001:db8::/32", "eth3"),
		route("fe80::/64", "eth1"),
		route("fe80::/64", "eth2"),
		route("198.18.1.0/24", "eth4"),
		route("0.0.0.0/0", "eth5"),
	};

	ck_reach(rt, "2001:db8:1::9", NULL, "eth1 eth2");
	ck_reach(rt, "[2001:db8:1::9]:3260", NULL, "eth1 eth2");
	ck_reach(rt, "2001:db8:2::9", NULL, "eth3");
	ck_reach(rt, "2001:db9::1", NULL, "eth0");
	/* IPv4 routes answer IPv4 addresses only, and IPv6 routes IPv6 ones */
	ck_reach(rt, "198.18.1.5", NULL, "eth4");
	ck_reach(rt, "203.0.113.9", NULL, "eth5");
	/* a zone: that link only */
	ck_reach(rt, "fe80::1%eth2", NULL, "eth2");
	ck_reach(rt, "[fe80::1%eth1]:3260", NULL, "eth1");
	ck_reach(rt, "fe80::1%eth9", NULL, "");
	/* the zone's link by its own longest prefix: eth0 has only the default */
	ck_reach(rt, "fe80::1%eth0", NULL, "eth0");
	ck_reach(rt, "fe80::1", NULL, "eth1 eth2");
}
END_TEST

START_TEST(test_ipv4_mapped)
{
	const struct nic_route rt[] = {
		route("198.18.1.0/24", "eth1"),
		route("::/0", "eth6"),
	};

	ck_reach(rt, "::ffff:198.18.1.5", NULL, "eth1");
	ck_reach(rt, "[::ffff:198.18.1.5]:3260", NULL, "eth1");
	/* IPv4 even where only an IPv6 route would cover it */
	ck_reach(rt, "::ffff:203.0.113.9", NULL, "");
}
END_TEST

START_TEST(test_ports)
{
	const struct nic_route rt[] = {
		route("198.18.1.0/24", "eth1"),
	};

	ck_reach(rt, "198.18.1.5:3260", NULL, "eth1");
	ck_reach(rt, "198.18.1.5:860", NULL, "eth1");
}
END_TEST

START_TEST(test_only)
{
	const struct nic_route rt[] = {
		route("0.0.0.0/0", "eth0"),
		route("198.18.1.0/24", "eth1"),
		route("198.18.0.0/16", "eth2"),
		route("198.18.2.0/24", "eth3"),
	};

	/* any covering route counts, not only the longest */
	ck_reach(rt, "198.18.1.5", "eth0,eth2", "eth0 eth2");
	ck_reach(rt, "198.18.1.5", "eth2,eth1", "eth1 eth2");
	/* a listed NIC without a covering route does not reach */
	ck_reach(rt, "198.18.1.5", "eth3", "");
	ck_reach(rt, "198.18.1.5", "eth3,eth9", "");
	/* a name listed twice is answered once */
	ck_reach(rt, "198.18.1.5", "eth1,eth1", "eth1");
	/* an empty list is no list */
	ck_assert_str_eq(ask(rt, 4, "198.18.1.5", ""), "eth1");
	/* a default route covers everything */
	ck_reach(rt, "203.0.113.9", "eth0,eth1", "eth0");
}
END_TEST

START_TEST(test_no_route)
{
	const struct nic_route rt[] = {
		route("198.18.1.0/24", "eth1"),
		route("2001:db8:1::/64", "eth1"),
	};

	ck_reach(rt, "203.0.113.9", NULL, "");
	ck_reach(rt, "2001:db8:2::1", NULL, "");
	ck_reach(rt, "203.0.113.9", "eth1", "");
	ck_assert_int_eq(nic_reach(NULL, 0, "198.18.1.5", NULL, 0, NULL, 0), 0);
}
END_TEST

START_TEST(test_what_does_not_count)
{
	struct nic_route rt[] = {
		route("198.18.1.0/24", "eth1"),
		route("198.18.1.0/24", "eth2"),	 /* local table */
		route("198.18.1.5/32", "eth3"),	 /* blackhole */
		route("198.18.1.0/25", "eth4"),	 /* unreachable */
		route("198.18.1.0/26", "eth5"),	 /* table 100 */
		route("198.18.1.0/27", "eth6"),	 /* an unknown family */
		route("198.18.1.0/28", "eth7"),	 /* a prefix too long for IPv4 */
		route("2001:db8::/64", "eth8"),	 /* a prefix too long for IPv6 */
		route("198.18.1.0/29", ""),	 /* no link */
		route("198.18.1.0/30", "eth10"), /* a name without its NUL */
	};

	rt[1].table = RT_TABLE_LOCAL;
	rt[1].type = RTN_LOCAL;
	rt[2].type = RTN_BLACKHOLE;
	rt[3].type = RTN_UNREACHABLE;
	rt[4].table = 100;
	rt[5].family = AF_UNSPEC;
	rt[6].prefix = 33;
	rt[7].prefix = 129;
	memset(rt[9].dev, 'x', sizeof(rt[9].dev));

	ck_assert(nic_route_counts(&rt[0]));
	for (size_t i = 1; i < sizeof(rt) / sizeof(rt[0]); i++)
		ck_assert_msg(!nic_route_counts(&rt[i]), "route %zu counts", i);
	ck_reach(rt, "198.18.1.5", NULL, "eth1");
	ck_reach(rt, "198.18.1.5", "eth2,eth3,eth4,eth5,eth6,eth7", "");
	ck_reach(rt, "2001:db8::1", NULL, "");
}
END_TEST

START_TEST(test_out_room)
{
	const struct nic_route rt[] = {
		route("198.18.1.0/24", "eth4"), route("198.18.1.0/24", "eth3"),
		route("198.18.1.0/24", "eth2"), route("198.18.1.0/24", "eth1"),
		route("198.18.1.0/24", "eth1"), /* ECMP or another metric: one NIC */
	};
	char out[2][MP_NIC_MAX];

	memset(out, 0x5a, sizeof(out));
	/* how many there are, the first max of them */
	ck_assert_int_eq(nic_reach(rt, 5, "198.18.1.5", NULL, 0, out, 2), 4);
	ck_assert_str_eq(out[0], "eth1");
	ck_assert_str_eq(out[1], "eth2");
	ck_assert_int_eq(nic_reach(rt, 5, "198.18.1.5", NULL, 0, NULL, 0), 4);
}
END_TEST

START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"",
		"198.18.1",
		"198.18.1.256",
		"198.18.1.5.6",
		"0x7f.1",
		"storage.example.com",
		"198.18.1.5:",
		"198.18.1.5:0",
		"198.18.1.5:70000",
		"198.18.1.5:32x",
		":3260",
		"[2001:db8::1",
		"[2001:db8::1]x",
		"[]:3260",
		"[198.18.1.5]:3260",
		"2001:db8::zz",
		"2001:db8:::1",
		"198.18.1.5%eth1",
		"fe80::1%",
		"[fe80::1%]:3260",
		"fe80::1%an-interface-name-too-long",
		"198.18.1.5 ",
		" 198.18.1.5",
	};
	const struct nic_route rt[] = {
		route("0.0.0.0/0", "eth0"),
		route("::/0", "eth0"),
	};
	char longest[300];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(strcmp(ask(rt, 2, bad[i], NULL), "EINVAL") == 0, "'%s' accepted",
			      bad[i]);
	ck_assert_int_eq(nic_reach(rt, 2, NULL, NULL, 0, NULL, 0), -EINVAL);
	memset(longest, '1', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	ck_assert_str_eq(ask(rt, 2, longest, NULL), "EINVAL");
}
END_TEST

START_TEST(test_sort_equal)
{
	struct nic_route a[] = {
		route("198.18.2.0/24", "eth2"),
		route("0.0.0.0/0", "eth0"),
		route("2001:db8::/64", "eth1"),
		route("198.18.1.0/24", "eth1"),
	};
	struct nic_route b[] = {
		route("198.18.1.0/24", "eth1"),
		route("2001:db8::/64", "eth1"),
		route("0.0.0.0/0", "eth0"),
		route("198.18.2.0/24", "eth2"),
	};

	nic_routes_sort(a, 4);
	nic_routes_sort(b, 4);
	ck_assert(nic_routes_equal(a, 4, b, 4));
	ck_assert(!nic_routes_equal(a, 4, b, 3));
	b[3].prefix = 25;
	ck_assert(!nic_routes_equal(a, 4, b, 4));
	b[3].prefix = a[3].prefix;
	ck_assert(nic_routes_equal(a, 4, b, 4));
	snprintf(b[0].dev, sizeof(b[0].dev), "eth9");
	ck_assert(!nic_routes_equal(a, 4, b, 4));
	ck_assert(nic_routes_equal(NULL, 0, NULL, 0));
}
END_TEST

static Suite *reach_suite(void)
{
	Suite *s = suite_create("nic_reach");
	TCase *tc = tcase_create("nic_reach");

	tcase_add_test(tc, test_two_subnets);
	tcase_add_test(tc, test_two_nics_one_subnet);
	tcase_add_test(tc, test_default_and_longer);
	tcase_add_test(tc, test_two_defaults);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_ipv4_mapped);
	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_only);
	tcase_add_test(tc, test_no_route);
	tcase_add_test(tc, test_what_does_not_count);
	tcase_add_test(tc, test_out_room);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_sort_equal);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(reach_suite)

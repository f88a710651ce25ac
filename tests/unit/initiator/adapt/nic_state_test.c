/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NIC state from link and address facts, and the differences between two
 * looks (initiator/adapt/nic_state.c): the loopback and bridge-port
 * records are no NICs, carrier is IFF_LOWER_UP or operstate up, which
 * addresses make a source, and each change is reported once: nothing for
 * equal looks, a NIC gone, new, changed, made again under its name, or
 * renamed.
 */
#include <check.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "initiator/adapt/nic_state.h"
#include "tests/unit/check_main.h"

static struct mp_ev_nic nic(const char *name, int ifindex, bool up, bool carrier, bool has_addr)
{
	struct mp_ev_nic n = { .ifindex = ifindex, .up = up, .carrier = carrier,
			       .has_addr = has_addr };

	strncpy(n.name, name, sizeof(n.name) - 1);
	return n;
}

START_TEST(test_from_link)
{
	struct nic_link_facts f = {
		.name = "eth1", .ifindex = 3, .family = AF_UNSPEC,
		.flags = IFF_UP | IFF_BROADCAST | IFF_LOWER_UP, .operstate = IF_OPER_UP,
	};
	struct mp_ev_nic n;

	ck_assert(nic_from_link(&f, &n));
	ck_assert_str_eq(n.name, "eth1");
	ck_assert_int_eq(n.ifindex, 3);
	ck_assert(n.up && n.carrier && !n.has_addr);

	/* carrier lost: the peer is down (veth), the cable is out */
	f.flags = IFF_UP | IFF_BROADCAST;
	f.operstate = IF_OPER_LOWERLAYERDOWN;
	ck_assert(nic_from_link(&f, &n));
	ck_assert(n.up && !n.carrier);
	f.operstate = IF_OPER_DOWN;
	ck_assert(nic_from_link(&f, &n));
	ck_assert(n.up && !n.carrier);

	/* set down */
	f.flags = IFF_BROADCAST;
	ck_assert(nic_from_link(&f, &n));
	ck_assert(!n.up && !n.carrier);

	/* no carrier management (operstate unknown), but the driver says lower up */
	f.flags = IFF_UP | IFF_LOWER_UP;
	f.operstate = IF_OPER_UNKNOWN;
	ck_assert(nic_from_link(&f, &n));
	ck_assert(n.up && n.carrier);

	/* operstate up alone is carrier too */
	f.flags = IFF_UP;
	f.operstate = IF_OPER_UP;
	ck_assert(nic_from_link(&f, &n));
	ck_assert(n.carrier);

	/* a name of 15 characters is a NIC's */
	f.name = "abcdefghijklmno";
	ck_assert(nic_from_link(&f, &n));
	ck_assert_str_eq(n.name, "abcdefghijklmno");
}
END_TEST

START_TEST(test_not_a_nic)
{
	struct nic_link_facts f = {
		.name = "lo", .ifindex = 1, .family = AF_UNSPEC,
		.flags = IFF_UP | IFF_LOOPBACK | IFF_LOWER_UP, .operstate = IF_OPER_UNKNOWN,
	};
	struct mp_ev_nic n;

	ck_assert(!nic_from_link(&f, &n));
	/* a bridge port's record of its link (RTM_NEWLINK with AF_BRIDGE) */
	f.name = "eth1";
	f.flags = IFF_UP;
	f.family = AF_BRIDGE;
	ck_assert(!nic_from_link(&f, &n));
	f.family = AF_UNSPEC;
	ck_assert(nic_from_link(&f, &n));
	f.name = NULL;
	ck_assert(!nic_from_link(&f, &n));
	f.name = "";
	ck_assert(!nic_from_link(&f, &n));
	f.name = "abcdefghijklmnop";
	ck_assert(!nic_from_link(&f, &n));
}
END_TEST

START_TEST(test_addr_is_source)
{
	ck_assert(nic_addr_is_source(AF_INET, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT));
	ck_assert(nic_addr_is_source(AF_INET, RT_SCOPE_LINK, 0));
	ck_assert(nic_addr_is_source(AF_INET6, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT));
	ck_assert(nic_addr_is_source(AF_INET6, RT_SCOPE_UNIVERSE, IFA_F_DEPRECATED));
	ck_assert(nic_addr_is_source(AF_INET6, RT_SCOPE_UNIVERSE, IFA_F_NODAD));
	ck_assert(!nic_addr_is_source(AF_INET6, RT_SCOPE_LINK, IFA_F_PERMANENT));
	ck_assert(!nic_addr_is_source(AF_INET6, RT_SCOPE_HOST, IFA_F_PERMANENT));
	ck_assert(!nic_addr_is_source(AF_INET6, RT_SCOPE_UNIVERSE, IFA_F_TENTATIVE));
	ck_assert(!nic_addr_is_source(AF_INET6, RT_SCOPE_UNIVERSE, IFA_F_DADFAILED));
	ck_assert(!nic_addr_is_source(AF_UNSPEC, RT_SCOPE_UNIVERSE, 0));
	ck_assert(!nic_addr_is_source(AF_PACKET, RT_SCOPE_UNIVERSE, 0));
}
END_TEST

START_TEST(test_sort)
{
	struct mp_ev_nic v[] = {
		nic("eth2", 4, true, true, true),
		nic("bond0", 7, true, true, true),
		nic("eth10", 9, true, true, true),
		nic("eth1", 3, true, true, true),
	};

	nic_list_sort(v, 4);
	ck_assert_str_eq(v[0].name, "bond0");
	ck_assert_str_eq(v[1].name, "eth1");
	ck_assert_str_eq(v[2].name, "eth10");
	ck_assert_str_eq(v[3].name, "eth2");
}
END_TEST

START_TEST(test_diff_equal)
{
	struct mp_ev_nic a[] = {
		nic("eth1", 3, true, true, true),
		nic("eth2", 4, true, false, false),
	};
	struct nic_change out[4];

	ck_assert_uint_eq(nic_list_diff(a, 2, a, 2, out), 0);
	ck_assert_uint_eq(nic_list_diff(NULL, 0, NULL, 0, out), 0);
}
END_TEST

START_TEST(test_diff_first_look)
{
	struct mp_ev_nic cur[] = {
		nic("eth1", 3, true, true, true),
		nic("eth2", 4, false, false, false),
	};
	struct nic_change out[2];

	ck_assert_uint_eq(nic_list_diff(NULL, 0, cur, 2, out), 2);
	ck_assert(!out[0].gone && !out[1].gone);
	ck_assert_str_eq(out[0].nic.name, "eth1");
	ck_assert_str_eq(out[1].nic.name, "eth2");
	ck_assert(memcmp(&out[1].nic, &cur[1], sizeof(cur[1])) == 0);
}
END_TEST

START_TEST(test_diff_each_field)
{
	struct mp_ev_nic old[] = { nic("eth1", 3, true, true, true) };
	struct mp_ev_nic cur[1];
	struct nic_change out[2];

	cur[0] = nic("eth1", 3, true, false, true);
	ck_assert_uint_eq(nic_list_diff(old, 1, cur, 1, out), 1);
	ck_assert(!out[0].gone && !out[0].nic.carrier && out[0].nic.up);

	cur[0] = nic("eth1", 3, false, true, true);
	ck_assert_uint_eq(nic_list_diff(old, 1, cur, 1, out), 1);
	ck_assert(!out[0].gone && !out[0].nic.up);

	cur[0] = nic("eth1", 3, true, true, false);
	ck_assert_uint_eq(nic_list_diff(old, 1, cur, 1, out), 1);
	ck_assert(!out[0].gone && !out[0].nic.has_addr);
}
END_TEST

START_TEST(test_diff_gone_and_new)
{
	struct mp_ev_nic old[] = {
		nic("eth1", 3, true, true, true),
		nic("eth2", 4, true, true, true),
		nic("eth4", 6, true, true, true),
	};
	struct mp_ev_nic cur[] = {
		nic("eth0", 2, true, true, true),
		nic("eth2", 4, true, true, true),
		nic("eth3", 5, true, true, false),
	};
	struct nic_change out[6];

	/* every gone first, then every new or changed */
	ck_assert_uint_eq(nic_list_diff(old, 3, cur, 3, out), 4);
	ck_assert(out[0].gone);
	ck_assert_str_eq(out[0].nic.name, "eth1");
	ck_assert(out[1].gone);
	ck_assert_str_eq(out[1].nic.name, "eth4");
	ck_assert(!out[2].gone);
	ck_assert_str_eq(out[2].nic.name, "eth0");
	ck_assert(!out[3].gone);
	ck_assert_str_eq(out[3].nic.name, "eth3");

	/* all gone */
	ck_assert_uint_eq(nic_list_diff(old, 3, NULL, 0, out), 3);
	ck_assert(out[0].gone && out[1].gone && out[2].gone);
	ck_assert_str_eq(out[2].nic.name, "eth4");
}
END_TEST

START_TEST(test_diff_made_again)
{
	/* eth1 deleted and made again between two looks: a new ifindex */
	struct mp_ev_nic old[] = {
		nic("eth1", 3, true, true, true),
		nic("eth2", 4, true, true, true),
	};
	struct mp_ev_nic cur[] = {
		nic("eth1", 11, true, true, true),
		nic("eth2", 4, true, true, true),
	};
	struct nic_change out[4];

	ck_assert_uint_eq(nic_list_diff(old, 2, cur, 2, out), 2);
	ck_assert(out[0].gone);
	ck_assert_str_eq(out[0].nic.name, "eth1");
	ck_assert(!out[1].gone);
	ck_assert_str_eq(out[1].nic.name, "eth1");
	ck_assert_int_eq(out[1].nic.ifindex, 11);
}
END_TEST

START_TEST(test_diff_renamed)
{
	/* eth1 renamed storage1 (the same ifindex): the old name is gone, the new one new */
	struct mp_ev_nic old[] = { nic("eth1", 3, true, true, true) };
	struct mp_ev_nic cur[] = { nic("storage1", 3, true, true, true) };
	struct nic_change out[2];

	ck_assert_uint_eq(nic_list_diff(old, 1, cur, 1, out), 2);
	ck_assert(out[0].gone);
	ck_assert_str_eq(out[0].nic.name, "eth1");
	ck_assert(!out[1].gone);
	ck_assert_str_eq(out[1].nic.name, "storage1");
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("nic_state");
	TCase *tc = tcase_create("nic_state");

	tcase_add_test(tc, test_from_link);
	tcase_add_test(tc, test_not_a_nic);
	tcase_add_test(tc, test_addr_is_source);
	tcase_add_test(tc, test_sort);
	tcase_add_test(tc, test_diff_equal);
	tcase_add_test(tc, test_diff_first_look);
	tcase_add_test(tc, test_diff_each_field);
	tcase_add_test(tc, test_diff_gone_and_new);
	tcase_add_test(tc, test_diff_made_again);
	tcase_add_test(tc, test_diff_renamed);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(state_suite)

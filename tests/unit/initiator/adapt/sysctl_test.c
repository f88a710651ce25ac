/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A storage NIC's sysctls, on a fake /proc/sys tree. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initiator/adapt/sysctl.h"
#include "tests/unit/check_main.h"

static char root[64];

/* key: "ipv4/conf/arp_ignore", the NIC's folder put in before the last part */
static void nic_path(char *path, size_t len, const char *key)
{
	const char *leaf = strrchr(key, '/');

	snprintf(path, len, "%s/net/%.*s/eth1%s", root, (int)(leaf - key), key, leaf);
}

static void put(const char *key, const char *value)
{
	char path[256];
	FILE *f;

	nic_path(path, sizeof(path), key);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(value, f);
	fclose(f);
}

static int get(const char *key)
{
	char path[256];
	FILE *f;
	int v = -1;

	nic_path(path, sizeof(path), key);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &v), 1);
	fclose(f);
	return v;
}

static void mkdirs(const char *sub)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/net/%s'", root, sub);
	ck_assert_int_eq(system(cmd), 0);
}

static void put_neigh(const char *family, const char *retrans, const char *probes)
{
	char key[64];

	snprintf(key, sizeof(key), "%s/neigh/retrans_time_ms", family);
	put(key, retrans);
	snprintf(key, sizeof(key), "%s/neigh/mcast_solicit", family);
	put(key, probes);
	snprintf(key, sizeof(key), "%s/neigh/mcast_reprobes", family);
	put(key, "0\n");
}

START_TEST(test_apply)
{
	struct nic_sysctl_change ch[12];
	char cmd[256], err[256];
	size_t n;

	snprintf(root, sizeof(root), "/tmp/portico-sysctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	mkdirs("ipv4/conf/eth1");
	mkdirs("ipv4/neigh/eth1");
	put("ipv4/conf/arp_ignore", "0\n");
	put("ipv4/conf/arp_announce", "2\n");
	put("ipv4/conf/rp_filter", "1\n");
	put_neigh("ipv4", "250\n", "3\n"); /* the probe interval is right already */
	/* no ipv6 folder: IPv6 is off, its rows are skipped */
	ck_assert_int_eq(nic_sysctl_apply(root, "eth1", ch, 12, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(ch[0].key, "ipv4/conf/arp_ignore");
	ck_assert_int_eq(ch[0].from, 0);
	ck_assert_int_eq(ch[0].to, 1);
	ck_assert_str_eq(ch[0].why, "several NICs on one subnet need it");
	ck_assert_str_eq(ch[1].key, "ipv4/conf/rp_filter");
	ck_assert_str_eq(ch[2].key, "ipv4/neigh/mcast_solicit");
	ck_assert_int_eq(ch[2].from, 3);
	ck_assert_int_eq(ch[2].to, NIC_NEIGH_PROBES);
	ck_assert_str_eq(ch[2].why, "a connect waits for a portal that comes back");
	ck_assert_str_eq(ch[3].key, "ipv4/neigh/mcast_reprobes");
	ck_assert_int_eq(get("ipv4/conf/arp_ignore"), 1);
	ck_assert_int_eq(get("ipv4/conf/rp_filter"), 2);
	ck_assert_int_eq(get("ipv4/neigh/retrans_time_ms"), NIC_NEIGH_RETRANS_MS);
	ck_assert_int_eq(get("ipv4/neigh/mcast_solicit"), NIC_NEIGH_PROBES);
	ck_assert_int_eq(get("ipv4/neigh/mcast_reprobes"), NIC_NEIGH_PROBES);
	ck_assert_int_eq(nic_sysctl_apply(root, "eth1", ch, 12, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);

	/* IPv6 on: its neighbour rows too; more changes than room, all counted */
	mkdirs("ipv6/neigh/eth1");
	put_neigh("ipv6", "1000\n", "3\n");
	ck_assert_int_eq(nic_sysctl_apply(root, "eth1", ch, 2, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(ch[0].key, "ipv6/neigh/retrans_time_ms");
	ck_assert_int_eq(ch[0].from, 1000);
	ck_assert_int_eq(get("ipv6/neigh/mcast_reprobes"), NIC_NEIGH_PROBES);

	/* IPv6 on but the NIC has no folder in it: said, not skipped */
	snprintf(cmd, sizeof(cmd), "rm -r '%s/net/ipv6/neigh/eth1'", root);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(nic_sysctl_apply(root, "eth1", ch, 12, &n, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "ipv6/neigh/eth1/retrans_time_ms"));

	/* a NIC the tree does not have, and a name that is a path */
	ck_assert_int_eq(nic_sysctl_apply(root, "eth9", ch, 12, &n, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "eth9/arp_ignore"));
	ck_assert_int_eq(nic_sysctl_apply(root, "../x", ch, 12, &n, err, sizeof(err)), -EINVAL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *sysctl_suite(void)
{
	Suite *s = suite_create("initiator/sysctl");
	TCase *tc = tcase_create("sysctl");

	tcase_add_test(tc, test_apply);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sysctl_suite)

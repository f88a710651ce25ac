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

static void put(const char *key, const char *value)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/ipv4/conf/eth1/%s", root, key);
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

	snprintf(path, sizeof(path), "%s/net/ipv4/conf/eth1/%s", root, key);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &v), 1);
	fclose(f);
	return v;
}

START_TEST(test_apply)
{
	struct nic_sysctl_change ch[4];
	char dir[256], err[256];
	size_t n;

	snprintf(root, sizeof(root), "/tmp/portico-sysctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/net", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/net/ipv4", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/net/ipv4/conf", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/net/ipv4/conf/eth1", root);
	mkdir(dir, 0755);
	put("arp_ignore", "0\n");
	put("arp_announce", "2\n");
	put("rp_filter", "1\n");
	ck_assert_int_eq(nic_sysctl_apply(root, "eth1", ch, 4, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2); /* arp_announce was right already */
	ck_assert_str_eq(ch[0].key, "arp_ignore");
	ck_assert_int_eq(ch[0].from, 0);
	ck_assert_int_eq(ch[0].to, 1);
	ck_assert_str_eq(ch[1].key, "rp_filter");
	ck_assert_int_eq(get("arp_ignore"), 1);
	ck_assert_int_eq(get("rp_filter"), 2);
	ck_assert_int_eq(nic_sysctl_apply(root, "eth1", ch, 4, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	/* a NIC the tree does not have, and a name that is a path */
	ck_assert_int_eq(nic_sysctl_apply(root, "eth9", ch, 4, &n, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "eth9/arp_ignore"));
	ck_assert_int_eq(nic_sysctl_apply(root, "../x", ch, 4, &n, err, sizeof(err)), -EINVAL);
	snprintf(dir, sizeof(dir), "rm -rf '%s'", root);
	ck_assert_int_eq(system(dir), 0);
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

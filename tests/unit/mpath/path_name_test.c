/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A path's stable name: NIC, portal, target, LUN; unique where udev's by-path is not. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mpath/path_name.h"
#include "tests/unit/check_main.h"

static struct mp_path_key key(const char *nic, const char *portal, uint64_t lun)
{
	struct mp_path_key k;

	memset(&k, 0, sizeof(k));
	snprintf(k.link.nic, sizeof(k.link.nic), "%s", nic);
	snprintf(k.link.portal, sizeof(k.link.portal), "%s", portal);
	snprintf(k.link.target, sizeof(k.link.target), "iqn.2026-11.org.example:storage1");
	k.lun = lun;
	return k;
}

START_TEST(test_names)
{
	struct mp_path_key a = key("eth0", "198.18.1.1:3260", 0), b = key("eth1", "198.18.1.1:3260", 0);
	struct mp_path_key c = key("eth1", "[2001:db8::1]:3260", 16383);
	char na[MP_PATH_NAME_MAX], nb[MP_PATH_NAME_MAX], small[16];

	ck_assert_int_gt(mp_path_name(&a, na, sizeof(na)), 0);
	ck_assert_str_eq(na, "eth0-ip-198.18.1.1:3260-iscsi-iqn.2026-11.org.example:storage1-lun-0");
	/* two NICs to one portal: two names (udev's by-path gives them one) */
	ck_assert_int_gt(mp_path_name(&b, nb, sizeof(nb)), 0);
	ck_assert_str_ne(na, nb);
	ck_assert_int_gt(mp_path_name(&c, na, sizeof(na)), 0);
	ck_assert_str_eq(na,
			 "eth1-ip-[2001:db8::1]:3260-iscsi-iqn.2026-11.org.example:storage1-lun-16383");
	ck_assert_int_eq(mp_path_name(&a, small, sizeof(small)), -ENOSPC);
}
END_TEST

START_TEST(test_longest_fits)
{
	struct mp_path_key k;
	char name[MP_PATH_NAME_MAX];

	memset(&k, 'x', sizeof(k));
	k.link.nic[MP_NIC_MAX - 1] = '\0';
	k.link.portal[MP_PORTAL_MAX - 1] = '\0';
	k.link.target[MP_TARGET_MAX - 1] = '\0';
	k.lun = UINT64_MAX;
	ck_assert_int_eq(mp_path_name(&k, name, sizeof(name)), (int)strlen(name));
}
END_TEST

static Suite *path_name_suite(void)
{
	Suite *s = suite_create("mpath/path_name");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_longest_fits);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(path_name_suite)

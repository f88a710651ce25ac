/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "common/iscsi_name.h"
#include "common/util.h"
#include "tests/unit/check_main.h"

static const char *const valid[] = {
	"iqn.2001-04.com.example",
	"iqn.2001-04.com.example:storage:diskarrays-sn-a8675309",
	"iqn.2001-04.com.example:storage.tape1.sys1.xyz",
	"iqn.1993-08.org.debian:01:5bd6e2c0f4a1",
	"iqn.1991-05.com.microsoft:host-1.corp.example.com",
	"iqn.2026-12.x",
	"iqn.2003-01.org.linux-iscsi.target.x8664:sn.0123456789ab",
	"IQN.2001-04.COM.EXAMPLE:Disk1",
	"iqn.2001-04.com.example:",
	"eui.02004567A425678D",
	"eui.0123456789abcdef",
	"naa.52004567BA64678D",
	"naa.62004567BA64678D0123456789ABCDEF",
	"NAA.6001405abcdef0123456789abcdef012",
};

START_TEST(test_valid)
{
	const char *why = "unset";

	ck_assert_msg(iscsi_name_check(valid[_i], &why) == 0, "'%s' rejected: %s", valid[_i],
		      why);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(iscsi_name_check(valid[_i], NULL), 0);
}
END_TEST

static const struct {
	const char *name;
	const char *why;
} invalid[] = {
	{ "", "name is empty" },
	{ "iqn.2001-04.com.example:has space", "name contains a space" },
	{ "iqn.2001-04.com.example:tab\there", "name contains a control character" },
	{ "iqn.2001-04.com.example:\x7f", "name contains a control character" },
	{ "iqn.2001-04.com.example:caf\xc3\xa9", "name contains a non-ASCII byte" },
	{ "iqn.2001-04.com.example:a_b",
	  "name contains a character other than letters, digits, '-', '.' and ':'" },
	{ "iqn.2001-04.com.example:a/b",
	  "name contains a character other than letters, digits, '-', '.' and ':'" },
	{ "iqn.2001-04.com.example:a@b",
	  "name contains a character other than letters, digits, '-', '.' and ':'" },
	{ "iqn", "name must start with 'iqn.', 'eui.' or 'naa.'" },
	{ "iqn-2001-04.com.example", "name must start with 'iqn.', 'eui.' or 'naa.'" },
	{ "target0", "name must start with 'iqn.', 'eui.' or 'naa.'" },
	{ "iqm.2001-04.com.example", "name must start with 'iqn.', 'eui.' or 'naa.'" },
	{ "iqn.", "iqn. name needs a date as yyyy-mm after 'iqn.'" },
	{ "iqn.com.example", "iqn. name needs a date as yyyy-mm after 'iqn.'" },
	{ "iqn.2001-4.com.example", "iqn. name needs a date as yyyy-mm after 'iqn.'" },
	{ "iqn.01-04.com.example", "iqn. name needs a date as yyyy-mm after 'iqn.'" },
	{ "iqn.200104.com.example", "iqn. name needs a date as yyyy-mm after 'iqn.'" },
	{ "iqn.2001-04", "iqn. name needs a '.' and a reversed domain name after its date" },
	{ "iqn.2001-04:storage",
	  "iqn. name needs a '.' and a reversed domain name after its date" },
	{ "iqn.2001-041.com", "iqn. name needs a '.' and a reversed domain name after its date" },
	{ "iqn.2001-00.com.example", "iqn. name has a month outside 01..12 in its date" },
	{ "iqn.2001-13.com.example", "iqn. name has a month outside 01..12 in its date" },
	{ "iqn.2001-04.", "iqn. name needs a reversed domain name after its date" },
	{ "iqn.2001-04.:disk", "iqn. name needs a reversed domain name after its date" },
	{ "iqn.2001-04..com", "iqn. name has a domain that starts or ends with '.'" },
	{ "iqn.2001-04.com.:disk", "iqn. name has a domain that starts or ends with '.'" },
	{ "iqn.2001-04.com..example", "iqn. name has an empty label ('..') in its domain" },
	{ "eui.", "eui. name needs exactly 16 hexadecimal digits after 'eui.'" },
	{ "eui.02004567A425678", "eui. name needs exactly 16 hexadecimal digits after 'eui.'" },
	{ "eui.02004567A425678D0", "eui. name needs exactly 16 hexadecimal digits after 'eui.'" },
	{ "eui.02004567A425678G", "eui. name needs exactly 16 hexadecimal digits after 'eui.'" },
	{ "eui.0200-4567A425678", "eui. name needs exactly 16 hexadecimal digits after 'eui.'" },
	{ "naa.52004567BA64678", "naa. name needs 16 or 32 hexadecimal digits after 'naa.'" },
	{ "naa.52004567BA64678D01", "naa. name needs 16 or 32 hexadecimal digits after 'naa.'" },
	{ "naa.62004567BA64678D0123456789ABCDEF0",
	  "naa. name needs 16 or 32 hexadecimal digits after 'naa.'" },
	{ "naa.62004567BA64678D0123456789ABCDEX",
	  "naa. name needs 16 or 32 hexadecimal digits after 'naa.'" },
	{ "naa.", "naa. name needs 16 or 32 hexadecimal digits after 'naa.'" },
};

START_TEST(test_invalid)
{
	const char *why = NULL;

	ck_assert_msg(iscsi_name_check(invalid[_i].name, &why) == -EINVAL, "'%s' accepted",
		      invalid[_i].name);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, invalid[_i].why);
	ck_assert_int_eq(iscsi_name_check(invalid[_i].name, NULL), -EINVAL);
}
END_TEST

START_TEST(test_null)
{
	const char *why = NULL;

	ck_assert_int_eq(iscsi_name_check(NULL, &why), -EINVAL);
	ck_assert_str_eq(why, "name is empty");
}
END_TEST

START_TEST(test_length_limit)
{
	char name[ISCSI_NAME_MAX + 2];
	const char *why = NULL;
	size_t prefix = strlen("iqn.2001-04.com.example:");

	memcpy(name, "iqn.2001-04.com.example:", prefix);
	memset(name + prefix, 'a', sizeof(name) - prefix);
	/* Exactly 223 bytes: accepted. */
	name[ISCSI_NAME_MAX] = '\0';
	ck_assert_int_eq(iscsi_name_check(name, &why), 0);
	/* 224 bytes: rejected. */
	name[ISCSI_NAME_MAX] = 'a';
	name[ISCSI_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(iscsi_name_check(name, &why), -EINVAL);
	ck_assert_str_eq(why, "name is longer than 223 bytes");
}
END_TEST

START_TEST(test_equal)
{
	static const char n1[] = "iqn.2001-04.com.example:disk1";

	ck_assert(iscsi_name_equal(n1, "iqn.2001-04.com.example:disk1"));
	ck_assert(iscsi_name_equal("IQN.2001-04.Com.Example:DISK1", n1));
	ck_assert(iscsi_name_equal("naa.6001405ABCDEF012", "naa.6001405abcdef012"));
	ck_assert(!iscsi_name_equal(n1, "iqn.2001-04.com.example:disk2"));
	ck_assert(!iscsi_name_equal("iqn.2001-04.com.example:disk", n1));
	ck_assert(!iscsi_name_equal(n1, "iqn.2001-04.com.example:disk"));
	/* Only letters fold: '@' and '`' differ by the case bit (0x20) but are not letters. */
	ck_assert(!iscsi_name_equal("a@", "a`"));
	ck_assert(!iscsi_name_equal("[", "{"));
	ck_assert(iscsi_name_equal("", ""));
	ck_assert(!iscsi_name_equal(NULL, "iqn.2001-04.com.example"));
	ck_assert(!iscsi_name_equal("iqn.2001-04.com.example", NULL));
	ck_assert(!iscsi_name_equal(NULL, NULL));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsi_name");
	TCase *tc = tcase_create("iscsi_name");

	tcase_add_loop_test(tc, test_valid, 0, (int)ARRAY_SIZE(valid));
	tcase_add_loop_test(tc, test_invalid, 0, (int)ARRAY_SIZE(invalid));
	tcase_add_test(tc, test_null);
	tcase_add_test(tc, test_length_limit);
	tcase_add_test(tc, test_equal);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shell's reading of porticod's facts (built into it by portico-facts):
 * the kinds in porticod's order and their other names, what create takes
 * at each and its synopsis, the groups of set and get and their keys,
 * which keys take true or false and which hold secrets. No porticod runs.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "target/shell/facts.h"
#include "tests/unit/check_main.h"

/* list joined by spaces */
static const char *joined(const char *const *list)
{
	static char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; list[i]; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "",
					list[i]);
	return buf;
}

START_TEST(kinds)
{
	ck_assert_str_eq(joined(sh_facts_bs_types()), "file block lvm null rbd");
	ck_assert_str_eq(sh_facts_bs_types_text(), "file, block, lvm, null and rbd");
	ck_assert_str_eq(sh_facts_bs_alias("fileio"), "file");
	ck_assert_ptr_null(sh_facts_bs_alias("file"));
	ck_assert_ptr_null(sh_facts_bs_alias("ramdisk"));
}
END_TEST

START_TEST(create_at_each_kind)
{
	ck_assert_str_eq(joined(sh_facts_create_keys("file")),
			 "name file size sparse thin write_back readonly block_size physical_block_size removable serial naa");
	ck_assert_str_eq(joined(sh_facts_create_keys("lvm")),
			 "name dev size write_back readonly block_size physical_block_size removable serial naa");
	ck_assert_str_eq(joined(sh_facts_create_keys("null")),
			 "name size readonly block_size physical_block_size removable serial naa");
	ck_assert_ptr_null(sh_facts_create_keys("ramdisk")[0]);
	ck_assert_ptr_null(sh_facts_create_keys(NULL)[0]);
	/* the other name of sparse is taken, not shown */
	ck_assert_str_eq(sh_facts_create_usage("file"),
			 "create name=NAME file=PATH [size=SIZE] [sparse=true|false] "
			 "[write_back=true|false] [readonly=true|false] [block_size=512|4096] "
			 "[physical_block_size=4096] [removable=true|false] [serial=SERIAL] [naa=NAA]");
	ck_assert_str_eq(sh_facts_create_usage("null"),
			 "create name=NAME size=SIZE [readonly=true|false] [block_size=512|4096] "
			 "[physical_block_size=4096] [removable=true|false] [serial=SERIAL] [naa=NAA]");
	ck_assert_str_eq(sh_facts_create_usage("ramdisk"), "create");
}
END_TEST

START_TEST(groups_and_keys)
{
	struct sh_buf b;

	ck_assert_str_eq(joined(sh_facts_groups("tpg")), "attribute parameter auth alua");
	ck_assert_str_eq(joined(sh_facts_groups("acl")), "attribute auth");
	ck_assert_str_eq(joined(sh_facts_groups("iscsi")), "discovery_auth");
	ck_assert_str_eq(joined(sh_facts_groups("backstore")), "attribute");
	ck_assert_ptr_null(sh_facts_groups("lun")[0]);
	ck_assert_ptr_null(sh_facts_groups(NULL)[0]);
	ck_assert_str_eq(joined(sh_facts_group_keys("tpg", "attribute")),
			 "generate_node_acls demo_mode_write_protect nopin_interval nopin_timeout "
			 "default_cmdsn_depth authentication allowed_addresses");
	ck_assert_str_eq(joined(sh_facts_group_keys("tpg", "parameter")),
			 "MaxRecvDataSegmentLength MaxBurstLength FirstBurstLength MaxOutstandingR2T "
			 "InitialR2T ImmediateData HeaderDigest DataDigest DefaultTime2Wait "
			 "DefaultTime2Retain");
	ck_assert_str_eq(joined(sh_facts_group_keys("iscsi", "discovery_auth")),
			 "enable userid password mutual_userid mutual_password chap_algorithms");
	ck_assert_str_eq(joined(sh_facts_group_keys("tpg", "auth")),
			 "userid password mutual_userid mutual_password chap_algorithms");
	ck_assert_str_eq(joined(sh_facts_group_keys("acl", "attribute")), "allowed_addresses");
	ck_assert_str_eq(joined(sh_facts_group_keys("backstore", "attribute")),
			 "size write_back readonly physical_block_size removable");
	ck_assert_ptr_null(sh_facts_group_keys("tpg", "bogus")[0]);

	sh_buf_init(&b);
	sh_facts_group_usage("acl", "auth", " ", true, &b);
	ck_assert_str_eq(sh_buf_str(&b), "userid=USER password=SECRET [mutual_userid=USER "
					 "mutual_password=SECRET] [chap_algorithms=SHA3-256,SHA256,SHA1,MD5]");
	sh_buf_reset(&b);
	sh_facts_group_usage("backstore", "attribute", "|", false, &b);
	ck_assert_str_eq(sh_buf_str(&b), "size=SIZE|write_back=true|false|readonly=true|false|"
					 "physical_block_size=4096|removable=true|false");
	sh_buf_reset(&b);
	sh_facts_group_usage("acl", "nothing", " ", true, &b);
	ck_assert_str_eq(sh_buf_str(&b), "");
	sh_buf_fini(&b);
}
END_TEST

START_TEST(booleans_and_secrets)
{
	ck_assert(sh_facts_is_bool("sparse"));
	ck_assert(sh_facts_is_bool("thin"));
	ck_assert(sh_facts_is_bool("InitialR2T"));
	ck_assert(sh_facts_is_bool("generate_node_acls"));
	ck_assert(!sh_facts_is_bool("size"));
	ck_assert(!sh_facts_is_bool("HeaderDigest"));
	/* enable=false turns discovery CHAP off, but the shell never offered true/false for it */
	ck_assert(!sh_facts_is_bool("enable"));
	ck_assert(sh_facts_has_secret("set auth userid=u password=p"));
	ck_assert(sh_facts_has_secret("set auth mutual_password=p"));
	ck_assert(!sh_facts_has_secret("set auth userid=password"));
	ck_assert(!sh_facts_has_secret("ls /"));
}
END_TEST

static Suite *facts_suite(void)
{
	Suite *s = suite_create("shell facts");
	TCase *tc = tcase_create("facts");

	tcase_add_test(tc, kinds);
	tcase_add_test(tc, create_at_each_kind);
	tcase_add_test(tc, groups_and_keys);
	tcase_add_test(tc, booleans_and_secrets);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(facts_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "target/shell/path.h"
#include "tests/unit/check_main.h"

#define TGT "/iscsi/iqn.2026-11.org.portico.storage1:sn.4f1c2a9e7b30"

struct resolve_case {
	const char *cwd;
	const char *input;
	const char *want;
};

static const struct resolve_case resolve_cases[] = {
	{ "/", "/", "/" },
	{ "/", "", "/" },
	{ "/", ".", "/" },
	{ "/", "..", "/" },
	{ "/", "../../..", "/" },
	{ "/", "backstores", "/backstores" },
	{ "/", "backstores/", "/backstores" },
	{ "/", "backstores//file///", "/backstores/file" },
	{ "/", "./backstores/./file/.", "/backstores/file" },
	{ "/backstores/file", "..", "/backstores" },
	{ "/backstores/file", "../block", "/backstores/block" },
	{ "/backstores/file", "../../iscsi", "/iscsi" },
	{ "/backstores/file", "/iscsi", "/iscsi" },
	{ "/backstores/file", "LUN0", "/backstores/file/LUN0" },
	{ "/backstores/file", "LUN0/..", "/backstores/file" },
	{ "/", "backstores/fileio/LUN0", "/backstores/file/LUN0" },
	{ "/backstores", "fileio", "/backstores/file" },
	{ "/", "fileio", "/fileio" }, /* only under /backstores */
	{ TGT "/tpg1", "acls/iqn.2026-11.org.example:kvm1/mapped_lun0",
	  TGT "/tpg1/acls/iqn.2026-11.org.example:kvm1/mapped_lun0" },
	{ TGT "/tpg1/luns", "../portals/[::1]:3260", TGT "/tpg1/portals/[::1]:3260" },
	{ TGT "/tpg1/luns", "../..", TGT },
	{ TGT "/tpg1/luns", "...", TGT "/tpg1/luns/..." }, /* a name, not a step */
};

START_TEST(resolve)
{
	const struct resolve_case *c = &resolve_cases[_i];
	char out[SH_PATH_MAX];

	ck_assert_int_eq(sh_path_resolve(c->cwd, c->input, out, sizeof(out)), 0);
	ck_assert_str_eq(out, c->want);
}
END_TEST

START_TEST(resolve_bounds)
{
	char out[16], big[SH_PATH_MAX * 2];
	size_t i;

	ck_assert_int_eq(sh_path_resolve("/", "/iscsi", out, 7), 0);
	ck_assert_str_eq(out, "/iscsi");
	ck_assert_int_eq(sh_path_resolve("/", "/iscsi", out, 6), -ENAMETOOLONG);
	ck_assert_int_eq(sh_path_resolve("/", "/", out, 2), 0);
	ck_assert_int_eq(sh_path_resolve("/", "/", out, 1), -ENAMETOOLONG);
	/* more components than any node has */
	for (i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "/a", 2);
	big[i] = '\0';
	ck_assert_int_eq(sh_path_resolve("/", big, out, sizeof(out)), -ENAMETOOLONG);
	/* ".." takes them away again before the bound counts */
	ck_assert_int_eq(sh_path_resolve("/", "/a/b/../../c", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/c");
}
END_TEST

struct classify_case {
	const char *path;
	enum sh_node_type type;
	const char *bs_type;
	unsigned long number;
};

static const struct classify_case classify_cases[] = {
	{ "/", SH_NODE_ROOT, NULL, 0 },
	{ "/backstores", SH_NODE_BACKSTORES, NULL, 0 },
	{ "/backstores/file", SH_NODE_BS_GROUP, "file", 0 },
	{ "/backstores/block", SH_NODE_BS_GROUP, "block", 0 },
	{ "/backstores/lvm/LUN2", SH_NODE_BACKSTORE, "lvm", 0 },
	{ "/backstores/null/n", SH_NODE_BACKSTORE, "null", 0 },
	{ "/iscsi", SH_NODE_ISCSI, NULL, 0 },
	{ TGT, SH_NODE_TARGET, NULL, 0 },
	{ TGT "/tpg1", SH_NODE_TPG, NULL, 1 },
	{ TGT "/tpg65535", SH_NODE_TPG, NULL, 65535 },
	{ TGT "/tpg1/portals", SH_NODE_PORTALS, NULL, 1 },
	{ TGT "/tpg1/portals/0.0.0.0:3260", SH_NODE_PORTAL, NULL, 1 },
	{ TGT "/tpg1/luns", SH_NODE_LUNS, NULL, 1 },
	{ TGT "/tpg1/luns/lun0", SH_NODE_LUN, NULL, 0 },
	{ TGT "/tpg1/luns/lun16383", SH_NODE_LUN, NULL, 16383 },
	{ TGT "/tpg2/acls", SH_NODE_ACLS, NULL, 2 },
	{ TGT "/tpg2/acls/iqn.2026-11.org.example:kvm1", SH_NODE_ACL, NULL, 2 },
	{ TGT "/tpg2/acls/iqn.2026-11.org.example:kvm1/mapped_lun7", SH_NODE_MAPPED_LUN, NULL, 7 },
};

START_TEST(classify)
{
	const struct classify_case *c = &classify_cases[_i];
	struct sh_node_info info;
	const char *why = NULL;

	ck_assert_msg(sh_path_classify(c->path, &info, &why) == 0, "%s: %s", c->path, why);
	ck_assert_int_eq(info.type, c->type);
	if (c->bs_type)
		ck_assert_str_eq(info.bs_type, c->bs_type);
	else
		ck_assert_ptr_null(info.bs_type);
	ck_assert_uint_eq(info.number, c->number);
}
END_TEST

struct bad_path {
	const char *path;
	const char *why;
};

static const struct bad_path bad_paths[] = {
	{ "backstores", "not an absolute path" },
	{ "/targets", "the root holds backstores and iscsi" },
	{ "/backstores/fileio", "the backstore types are file, block, lvm, null and rbd" },
	{ "/backstores/ramdisk/r", "the backstore types are file, block, lvm, null and rbd" },
	{ "/backstores/file/LUN0/x", "a backstore has no children" },
	{ TGT "/tpg0", "a target holds TPGs named tpgN, N from 1 to 65535 (tpg1, tpg2, ...)" },
	{ TGT "/tpg65536", "a target holds TPGs named tpgN, N from 1 to 65535 (tpg1, tpg2, ...)" },
	{ TGT "/tpg01", "a target holds TPGs named tpgN, N from 1 to 65535 (tpg1, tpg2, ...)" },
	{ TGT "/tpg", "a target holds TPGs named tpgN, N from 1 to 65535 (tpg1, tpg2, ...)" },
	{ TGT "/portals", "a target holds TPGs named tpgN, N from 1 to 65535 (tpg1, tpg2, ...)" },
	{ TGT "/tpg1/lun", "a TPG holds portals, luns and acls" },
	{ TGT "/tpg1/luns/0", "TPG LUNs are named lunN, N from 0 to 16383 (lun0, lun1, ...)" },
	{ TGT "/tpg1/luns/lun00", "TPG LUNs are named lunN, N from 0 to 16383 (lun0, lun1, ...)" },
	{ TGT "/tpg1/luns/lun16384", "TPG LUNs are named lunN, N from 0 to 16383 (lun0, lun1, ...)" },
	{ TGT "/tpg1/luns/lun-1", "TPG LUNs are named lunN, N from 0 to 16383 (lun0, lun1, ...)" },
	{ TGT "/tpg1/luns/lun1/x", "a LUN has no children" },
	{ TGT "/tpg1/portals/1.2.3.4:3260/x", "a portal has no children" },
	{ TGT "/tpg1/acls/iqn.x/lun0", "an ACL holds mapped LUNs named mapped_lunN, N from 0 to 16383" },
	{ TGT "/tpg1/acls/iqn.x/mapped_lun0/y", "a mapped LUN has no children" },
};

START_TEST(classify_refuses)
{
	const struct bad_path *b = &bad_paths[_i];
	struct sh_node_info info;
	const char *why = NULL;

	ck_assert_msg(sh_path_classify(b->path, &info, &why) == -EINVAL, "%s", b->path);
	ck_assert_int_eq(info.type, SH_NODE_INVALID);
	ck_assert_str_eq(why, b->why);
	/* why is optional */
	ck_assert_int_eq(sh_path_classify(b->path, &info, NULL), -EINVAL);
}
END_TEST

START_TEST(name_numbers)
{
	unsigned long n = 99;

	ck_assert(sh_name_number("tpg1", "tpg", 65535, &n) && n == 1);
	ck_assert(sh_name_number("lun0", "lun", 16383, &n) && n == 0);
	ck_assert(sh_name_number("mapped_lun16383", "mapped_lun", 16383, &n) && n == 16383);
	ck_assert(sh_name_number("12", "", 16383, &n) && n == 12);
	ck_assert(!sh_name_number("lun", "lun", 16383, &n));
	ck_assert(!sh_name_number("lun01", "lun", 16383, &n));
	ck_assert(!sh_name_number("lun+1", "lun", 16383, &n));
	ck_assert(!sh_name_number("lun1x", "lun", 16383, &n));
	ck_assert(!sh_name_number("LUN1", "lun", 16383, &n));
	ck_assert(!sh_name_number("lun99999999999999999999999", "lun", 16383, &n));
	ck_assert(!sh_name_number("lun16384", "lun", 16383, &n));
}
END_TEST

START_TEST(parent_within_base)
{
	char out[SH_PATH_MAX];

	sh_path_parent("/", out, sizeof(out));
	ck_assert_str_eq(out, "/");
	sh_path_parent("/iscsi", out, sizeof(out));
	ck_assert_str_eq(out, "/");
	sh_path_parent(TGT "/tpg1/luns/lun2", out, sizeof(out));
	ck_assert_str_eq(out, TGT "/tpg1/luns");

	ck_assert(sh_path_within("/backstores/file", "/backstores"));
	ck_assert(sh_path_within("/backstores", "/backstores"));
	ck_assert(sh_path_within("/backstores", "/"));
	ck_assert(!sh_path_within("/backstoresx", "/backstores"));
	ck_assert(!sh_path_within("/backstores", "/backstores/file"));
	ck_assert(!sh_path_within(TGT "/tpg10", TGT "/tpg1"));

	ck_assert_str_eq(sh_path_base("/"), "/");
	ck_assert_str_eq(sh_path_base("/backstores/file/LUN0"), "LUN0");
}
END_TEST

START_TEST(abbrev)
{
	char out[SH_PATH_MAX];

	sh_path_abbrev("/backstores/file", 40, out, sizeof(out));
	ck_assert_str_eq(out, "/backstores/file");
	sh_path_abbrev("/", 40, out, sizeof(out));
	ck_assert_str_eq(out, "/");
	sh_path_abbrev(TGT "/tpg1/acls", 40, out, sizeof(out));
	ck_assert_str_eq(out, "/iscsi/iqn.202...9e7b30/tpg1/acls");
	sh_path_abbrev(TGT "/tpg1/acls/iqn.2026-11.org.example:kvm1", 40, out, sizeof(out));
	ck_assert_str_eq(out, "/iscsi/iqn.202...9e7b30/tpg1/acls/iqn.202...e:kvm1");
	/* a small buffer gets what fits, still a string */
	sh_path_abbrev(TGT "/tpg1", 10, out, 12);
	ck_assert_uint_lt(strlen(out), 12);
}
END_TEST

START_TEST(type_names)
{
	ck_assert_str_eq(sh_node_type_name(SH_NODE_TPG), "TPG");
	ck_assert_str_eq(sh_node_type_name(SH_NODE_MAPPED_LUN), "mapped LUN");
	ck_assert_str_eq(sh_node_type_name(SH_NODE__COUNT), "invalid path");
	ck_assert(sh_node_has_children(SH_NODE_ACL));
	ck_assert(sh_node_has_children(SH_NODE_ROOT));
	ck_assert(!sh_node_has_children(SH_NODE_BACKSTORE));
	ck_assert(!sh_node_has_children(SH_NODE_MAPPED_LUN));
}
END_TEST

static Suite *path_suite(void)
{
	Suite *s = suite_create("shell paths");
	TCase *tc = tcase_create("paths");

	tcase_add_loop_test(tc, resolve, 0, (int)(sizeof(resolve_cases) / sizeof(resolve_cases[0])));
	tcase_add_test(tc, resolve_bounds);
	tcase_add_loop_test(tc, classify, 0,
			    (int)(sizeof(classify_cases) / sizeof(classify_cases[0])));
	tcase_add_loop_test(tc, classify_refuses, 0, (int)(sizeof(bad_paths) / sizeof(bad_paths[0])));
	tcase_add_test(tc, name_numbers);
	tcase_add_test(tc, parent_within_base);
	tcase_add_test(tc, abbrev);
	tcase_add_test(tc, type_names);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(path_suite)

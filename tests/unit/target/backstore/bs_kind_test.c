/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The backstore kinds' descriptors: each is whole and says the same thing
 * once (a kind with a path has its name, its word and its example; one
 * without says why), each is served by a registered store, and the lists
 * and suggestions made of them are what the messages say.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "target/backstore/bs.h"
#include "target/backstore/bs_kind.h"
#include "tests/unit/check_main.h"

static void setup(void)
{
	static bool registered;

	if (!registered)
		bs_register_builtin();
	registered = true;
}

START_TEST(every_kind_is_whole)
{
	const struct bs_kind *k = &bs_kinds[_i];
	char key[32];

	ck_assert_ptr_nonnull(k->name);
	ck_assert_ptr_eq(bs_kind_find(k->name), k);
	for (int j = 0; j < _i; j++)
		ck_assert_str_ne(bs_kinds[j].name, k->name);
	/* a store kind serves it */
	ck_assert_msg(bs_find(k->opens_as) != NULL, "%s opens as '%s'", k->name, k->opens_as);
	/* a path, with everything that names it, or a reason for none */
	ck_assert_int_eq(!k->path_key, !!k->no_path);
	ck_assert_int_eq(!k->path_word, !!k->no_path);
	ck_assert_int_eq(!k->path_hint, !!k->no_path);
	ck_assert(!k->image || k->path_key);
	ck_assert_ptr_eq(bs_kind_refuses(k, BS_KIND_TAKES_PATH), k->no_path);
	ck_assert_ptr_eq(bs_kind_refuses(k, BS_KIND_TAKES_THIN), k->no_thin);
	ck_assert_ptr_eq(bs_kind_refuses(k, BS_KIND_TAKES_WRITE_BACK), k->no_write_back);
	ck_assert_ptr_eq(bs_kind_refuses(k, BS_KIND_TAKES_CEPH), k->no_ceph);
	/* a remote path is no file: it is neither an image nor a device to suggest */
	ck_assert(!k->remote || (k->path_key && !k->image));
	ck_assert_ptr_null(bs_kind_refuses(k, BS_KIND_TAKES_ANY));
	ck_assert(bs_kind_takes(k, BS_KIND_TAKES_ANY));
	/* create's example gives what create needs */
	ck_assert_ptr_nonnull(strstr(k->create_example, "name="));
	if (k->path_key) {
		/* an absolute path, or (remote) the image's name */
		snprintf(key, sizeof(key), k->remote ? " %s=" : " %s=/", k->path_key);
		ck_assert_msg(strstr(k->create_example, key), "%s: %s", k->name, k->create_example);
	}
	if (k->size_required)
		ck_assert_ptr_nonnull(strstr(k->create_example, " size="));
}
END_TEST

START_TEST(lists_and_suggestions)
{
	char buf[64];

	bs_kind_names(buf, sizeof(buf), ", ");
	ck_assert_str_eq(buf, "file, block, lvm, null, rbd");
	bs_kind_names(buf, 12, ", ");
	ck_assert_str_eq(buf, "file, block");
	ck_assert_str_eq(bs_kind_for_path(true)->name, "file");
	ck_assert_str_eq(bs_kind_for_path(false)->name, "block");
	ck_assert_ptr_null(bs_kind_find("tape"));
	ck_assert_ptr_null(bs_kind_find(NULL));
	/* targetcli's name is the shell's to take, not the file's */
	ck_assert_ptr_null(bs_kind_find("fileio"));
	ck_assert_str_eq(bs_kinds[BS_KIND_FILE].alias, "fileio");
	/* an LVM logical volume is served as the block device it is */
	ck_assert_str_eq(bs_kinds[BS_KIND_LVM].opens_as, "block");
}
END_TEST

static Suite *bs_kind_suite(void)
{
	Suite *s = suite_create("bs_kind");
	TCase *tc = tcase_create("descriptors");

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, every_kind_is_whole, 0, BS_KIND__COUNT);
	tcase_add_test(tc, lists_and_suggestions);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(bs_kind_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sanitize store (target/model/sanitize_store.c) in a temporary
 * directory: a mark is a file, a cleared mark no file; an LU created over a
 * marked serial starts failed (with the recorded AUSE), as after porticod
 * died in the middle of a sanitize; no state_dir keeps nothing; serials are
 * made file names.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target/model/sanitize_store.h"
#include "target/scsi/scsi_int.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/scsi/mem_bs.h"

static char dir[64];
static struct mem_bs *mb;

static void setup(void)
{
	strcpy(dir, "/tmp/portico-sanitize-store-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	mb = mem_create(512, 64, true, false, true);
	scsi_init();
}

static void teardown(void)
{
	char cmd[128];

	mem_destroy(mb);
	/* the directory is ours (mkdtemp) */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static struct scsi_lu *new_lu(const char *serial)
{
	struct scsi_lu_id id = {.vendor = "PORTICO", .product = "disk", .revision = "0001"};
	struct scsi_lu *lu;

	snprintf(id.serial, sizeof(id.serial), "%s", serial);
	ck_assert_int_eq(scsi_lu_create(&mb->dev, &id, &lu), 0);
	ck_assert_int_eq(sanitize_store_attach(lu, dir, serial), 0);
	return lu;
}

static bool exists(const char *name)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/sanitize/%s", dir, name);
	return stat(p, &st) == 0;
}

START_TEST(test_mark_survives_a_new_lu)
{
	struct scsi_lu *lu = new_lu("SAN1");

	ck_assert_uint_eq(atomic_load(&lu->sanitize.state), SANITIZE_STATE_IDLE);
	ck_assert_ptr_nonnull(lu->sanitize.store);
	ck_assert(!exists("SAN1"));
	/* a sanitize starts with AUSE=1: porticod "dies" (the LU goes without clearing) */
	ck_assert_int_eq(lu->sanitize.store->mark(lu->sanitize.store_arg, true, true), 0);
	ck_assert(exists("SAN1"));
	scsi_lu_destroy(lu);

	lu = new_lu("SAN1");
	ck_assert_uint_eq(atomic_load(&lu->sanitize.state), SANITIZE_STATE_FAILED);
	ck_assert(lu->sanitize.ause);
	/* EXIT FAILURE MODE or a sanitize that completes clears it */
	ck_assert_int_eq(lu->sanitize.store->mark(lu->sanitize.store_arg, false, false), 0);
	ck_assert(!exists("SAN1"));
	/* clearing twice is no error */
	ck_assert_int_eq(lu->sanitize.store->mark(lu->sanitize.store_arg, false, false), 0);
	scsi_lu_destroy(lu);

	lu = new_lu("SAN1");
	ck_assert_uint_eq(atomic_load(&lu->sanitize.state), SANITIZE_STATE_IDLE);
	/* AUSE=0 is remembered as such */
	ck_assert_int_eq(lu->sanitize.store->mark(lu->sanitize.store_arg, true, false), 0);
	scsi_lu_destroy(lu);
	lu = new_lu("SAN1");
	ck_assert_uint_eq(atomic_load(&lu->sanitize.state), SANITIZE_STATE_FAILED);
	ck_assert(!lu->sanitize.ause);
	scsi_lu_destroy(lu);
	/* another LU is not concerned */
	lu = new_lu("SAN2");
	ck_assert_uint_eq(atomic_load(&lu->sanitize.state), SANITIZE_STATE_IDLE);
	scsi_lu_destroy(lu);
}
END_TEST

START_TEST(test_names_and_no_state_dir)
{
	struct scsi_lu_id id = {.serial = "X", .vendor = "PORTICO"};
	struct scsi_lu *lu = new_lu("../a b");

	ck_assert_int_eq(lu->sanitize.store->mark(lu->sanitize.store_arg, true, false), 0);
	ck_assert(exists("%2E.%2Fa%20b"));
	scsi_lu_destroy(lu);

	ck_assert_int_eq(scsi_lu_create(&mb->dev, &id, &lu), 0);
	ck_assert_int_eq(sanitize_store_attach(lu, NULL, "X"), 0);
	ck_assert_ptr_null(lu->sanitize.store);
	scsi_lu_destroy(lu);
}
END_TEST

START_TEST(test_unwritable_dir)
{
	struct scsi_lu *lu;
	char sub[128];

	/* a state_dir under a file: the mark fails, and says so */
	snprintf(sub, sizeof(sub), "%s/file", dir);
	fclose(fopen(sub, "w"));
	snprintf(sub, sizeof(sub), "%s/file/state", dir);
	{
		struct scsi_lu_id id = {.serial = "S", .vendor = "PORTICO"};

		ck_assert_int_eq(scsi_lu_create(&mb->dev, &id, &lu), 0);
	}
	ck_assert_int_eq(sanitize_store_attach(lu, sub, "S"), 0);
	ck_assert_int_eq(lu->sanitize.store->mark(lu->sanitize.store_arg, true, false), -ENOTDIR);
	scsi_lu_destroy(lu);
}
END_TEST

static Suite *sanitize_store_suite(void)
{
	Suite *s = suite_create("sanitize_store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mark_survives_a_new_lu);
	tcase_add_test(tc, test_names_and_no_state_dir);
	tcase_add_test(tc, test_unwritable_dir);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sanitize_store_suite)

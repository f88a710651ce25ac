// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * target/scsi/sbc_caw.c: COMPARE AND WRITE done by a store that compares
 * and writes atomically itself (the in-memory store with caw_max set, as
 * an rbd image within one 512-byte sector), and the mapping of its
 * mismatch offset to MISCOMPARE sense.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "common/be.h"
#include "target/scsi/scsi.h"
#include "target/scsi/scsi_int.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/scsi/mem_bs.h"
#include "tests/unit/target/scsi/scsi_test_util.h"

START_TEST(test_result_mapping)
{
	uint64_t info = 99;
	bool has;

	/* SBC-3 §5.2: a mismatch is MISCOMPARE, INFORMATION the Data-Out offset */
	ck_assert_int_eq(sbc_caw_result(-EILSEQ, 17, 512, &info, &has), SENSE_MISCOMPARE);
	ck_assert(has);
	ck_assert_uint_eq(info, 17);
	ck_assert_int_eq(sbc_caw_result(-EILSEQ, 0, 512, &info, &has), SENSE_MISCOMPARE);
	ck_assert(has);
	ck_assert_uint_eq(info, 0);
	/* an offset the store cannot have meant: MISCOMPARE without an INFORMATION field */
	ck_assert_int_eq(sbc_caw_result(-EILSEQ, 512, 512, &info, &has), SENSE_MISCOMPARE);
	ck_assert(!has);
	/* success, and a store's error, as a write's */
	ck_assert_int_eq(sbc_caw_result(0, 0, 512, &info, &has), SENSE_OK);
	ck_assert(!has);
	ck_assert_int_eq(sbc_caw_result(-EIO, 3, 512, &info, &has),
			 scsi_bs_error(-EIO, BS_OP_WRITE));
	ck_assert(!has);
}
END_TEST

START_TEST(test_native_compare_and_write)
{
	uint8_t cdb[16], d[4 * T_BS];
	struct t_cmd t;

	T.mb->dev.caw_max = T_BS;
	memset(T.mb->data + 60 * T_BS, 'A', T_BS);
	memset(d, 'A', T_BS);
	memset(d + T_BS, 'B', T_BS);
	t_cdb16(cdb, SCSI_OP_COMPARE_AND_WRITE, 0, 60, 0);
	cdb[13] = 1;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, 2 * T_BS), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
	/* one request to the store, no read of the engine's own */
	ck_assert_uint_eq(T.mb->n[BS_OP_COMPARE_WRITE], 1);
	ck_assert_uint_eq(T.mb->n[BS_OP_READ], 0);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 0);
	ck_assert_uint_eq(T.mb->last.len, T_BS);
	ck_assert_uint_eq(T.mb->data[60 * T_BS], 'B');

	/* a byte off: MISCOMPARE, INFORMATION = its offset in the Data-Out, nothing written */
	memset(d, 'B', T_BS);
	d[300] = 'X';
	memset(d + T_BS, 'C', T_BS);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, 2 * T_BS), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_MISCOMPARE);
	ck_assert_uint_eq(get_be32(t.cmd.sense + 3), 300);
	ck_assert(t.cmd.sense[0] & 0x80); /* VALID: the INFORMATION field means something */
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->data[60 * T_BS], 'B');
	ck_assert_uint_eq(T.mb->n[BS_OP_COMPARE_WRITE], 2);

	/* two blocks are more than the store does atomically: the engine's own path */
	cdb[13] = 2;
	memset(d, 'B', T_BS);
	memset(d + T_BS, 0, T_BS);
	memset(d + 2 * T_BS, 'E', 2 * T_BS);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, 4 * T_BS), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->n[BS_OP_COMPARE_WRITE], 2);
	ck_assert_uint_eq(T.mb->n[BS_OP_READ], 1);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 1);
	ck_assert_uint_eq(T.mb->data[61 * T_BS + 5], 'E');
}
END_TEST

START_TEST(test_fits)
{
	struct scsi_cmd c;
	struct scsi_lu *lu = T.lu;

	memset(&c, 0, sizeof(c));
	T.mb->dev.caw_max = 0;
	c.lba = 1;
	c.nblocks = 1;
	ck_assert(!sbc_caw_native_fits(lu, &c));
	T.mb->dev.caw_max = T_BS;
	ck_assert(sbc_caw_native_fits(lu, &c));
	c.nblocks = 2;
	ck_assert(!sbc_caw_native_fits(lu, &c));
	/* a 1 KiB unit: two blocks inside it, not across its edge */
	T.mb->dev.caw_max = 2 * T_BS;
	c.lba = 2;
	ck_assert(sbc_caw_native_fits(lu, &c));
	c.lba = 3;
	ck_assert(!sbc_caw_native_fits(lu, &c));
	c.nblocks = 0;
	ck_assert(!sbc_caw_native_fits(lu, &c));
}
END_TEST

static Suite *sbc_caw_suite(void)
{
	Suite *s = suite_create("sbc_caw");
	TCase *tc = tcase_create("native");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_result_mapping);
	tcase_add_test(tc, test_native_compare_and_write);
	tcase_add_test(tc, test_fits);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sbc_caw_suite)

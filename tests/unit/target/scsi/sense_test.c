/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sense table and the fixed / descriptor sense data formats (target/scsi/sense.c). */
#include <check.h>
#include <string.h>

#include "common/be.h"
#include "target/scsi/scsi_int.h"
#include "tests/unit/check_main.h"

START_TEST(test_every_reason_has_an_entry)
{
	int r;

	for (r = SENSE_OK + 1; r < SENSE_REASON_MAX; r++) {
		uint8_t key = 0xff, asc = 0xff, ascq = 0xff;

		ck_assert_msg(scsi_sense_lookup(r, &key, &asc, &ascq), "reason %d has no entry", r);
		ck_assert_uint_ne(key, 0);
		ck_assert_uint_le(key, 0xf);
	}
	{
		uint8_t key, asc, ascq;

		ck_assert(!scsi_sense_lookup(SENSE_OK, &key, &asc, &ascq));
		ck_assert(!scsi_sense_lookup(SENSE_REASON_MAX, &key, &asc, &ascq));
		ck_assert(!scsi_sense_lookup((enum sense_reason) - 1, &key, &asc, &ascq));
	}
}
END_TEST

START_TEST(test_table_values)
{
	static const struct {
		enum sense_reason r;
		uint8_t key, asc, ascq;
	} want[] = {
	    {SENSE_INVALID_OPCODE, 0x5, 0x20, 0x00},
	    {SENSE_INVALID_FIELD_IN_CDB, 0x5, 0x24, 0x00},
	    {SENSE_INVALID_FIELD_IN_PARAM_LIST, 0x5, 0x26, 0x00},
	    {SENSE_LBA_OUT_OF_RANGE, 0x5, 0x21, 0x00},
	    {SENSE_LUN_NOT_SUPPORTED, 0x5, 0x25, 0x00},
	    {SENSE_SAVING_PARAMS_UNSUP, 0x5, 0x39, 0x00},
	    {SENSE_WRITE_PROTECTED, 0x7, 0x27, 0x00},
	    {SENSE_SPACE_ALLOC_FAILED, 0x7, 0x27, 0x07},
	    {SENSE_READ_ERROR, 0x3, 0x11, 0x00},
	    {SENSE_WRITE_ERROR, 0x3, 0x0c, 0x00},
	    {SENSE_MISCOMPARE, 0xe, 0x1d, 0x00},
	    {SENSE_INTERNAL_TARGET_FAILURE, 0x4, 0x44, 0x00},
	    {SENSE_NOT_READY_STOPPED, 0x2, 0x04, 0x02},
	    {SENSE_DATA_DIGEST_ERROR, 0xb, 0x47, 0x05},
	    {SENSE_UA_POWER_ON, 0x6, 0x29, 0x00},
	    {SENSE_UA_BUS_DEVICE_RESET, 0x6, 0x29, 0x03},
	    {SENSE_UA_MODE_PARAMS_CHANGED, 0x6, 0x2a, 0x01},
	    {SENSE_UA_CAPACITY_CHANGED, 0x6, 0x2a, 0x09},
	    {SENSE_UA_REPORTED_LUNS_CHANGED, 0x6, 0x3f, 0x0e},
	    /* SPC-4 §5.16, annex D */
	    {SENSE_ALUA_TRANSITIONING, 0x2, 0x04, 0x0a},
	    {SENSE_ALUA_STANDBY, 0x2, 0x04, 0x0b},
	    {SENSE_ALUA_UNAVAILABLE, 0x2, 0x04, 0x0c},
	    {SENSE_UA_ASYMMETRIC_ACCESS_CHANGED, 0x6, 0x2a, 0x06},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint8_t key, asc, ascq;

		ck_assert(scsi_sense_lookup(want[i].r, &key, &asc, &ascq));
		ck_assert_uint_eq(key, want[i].key);
		ck_assert_uint_eq(asc, want[i].asc);
		ck_assert_uint_eq(ascq, want[i].ascq);
	}
}
END_TEST

START_TEST(test_fixed_with_field_pointer)
{
	struct scsi_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	ck_assert_int_eq(scsi_invalid_cdb(&cmd, 2, 5), SENSE_INVALID_FIELD_IN_CDB);
	scsi_cmd_set_sense(&cmd, SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(cmd.status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(cmd.sense_len, 18);
	ck_assert_uint_eq(cmd.sense[0], 0x70); /* current, no INFORMATION */
	ck_assert_uint_eq(cmd.sense[2], 0x05);
	ck_assert_uint_eq(cmd.sense[7], 10);
	ck_assert_uint_eq(cmd.sense[12], 0x24);
	ck_assert_uint_eq(cmd.sense[13], 0x00);
	/* SKSV, C/D (in the CDB), BPV, bit 5; field byte 2 */
	ck_assert_uint_eq(cmd.sense[15], 0x80 | 0x40 | 0x08 | 5);
	ck_assert_uint_eq(get_be16(cmd.sense + 16), 2);
}
END_TEST

START_TEST(test_fixed_param_pointer_without_bit)
{
	struct scsi_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	ck_assert_int_eq(scsi_invalid_param(&cmd, 300, -1), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	scsi_cmd_set_sense(&cmd, SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(cmd.sense[12], 0x26);
	ck_assert_uint_eq(cmd.sense[15], 0x80); /* SKSV only: parameter list, no bit pointer */
	ck_assert_uint_eq(get_be16(cmd.sense + 16), 300);
}
END_TEST

START_TEST(test_fixed_information)
{
	struct scsi_cmd cmd;
	uint8_t buf[SCSI_SENSE_MAX];
	size_t len;

	memset(&cmd, 0, sizeof(cmd));
	cmd.sense_flags = SCSI_SENSE_F_INFO;
	cmd.sense_info = 0x1234;
	len = scsi_sense_build(buf, SENSE_MISCOMPARE, false, &cmd);
	ck_assert_uint_eq(len, 18);
	ck_assert_uint_eq(buf[0], 0xf0); /* VALID */
	ck_assert_uint_eq(buf[2], 0x0e);
	ck_assert_uint_eq(get_be32(buf + 3), 0x1234);
	ck_assert_uint_eq(buf[15], 0); /* no SKS */

	/* 64-bit INFORMATION does not fit the fixed format: VALID stays clear */
	cmd.sense_info = 0x100000000ull;
	scsi_sense_build(buf, SENSE_MISCOMPARE, false, &cmd);
	ck_assert_uint_eq(buf[0], 0x70);
	ck_assert_uint_eq(get_be32(buf + 3), 0);
}
END_TEST

START_TEST(test_descriptor_format)
{
	struct scsi_cmd cmd;
	uint8_t buf[SCSI_SENSE_MAX];
	size_t len;

	memset(&cmd, 0, sizeof(cmd));
	len = scsi_sense_build(buf, SENSE_LBA_OUT_OF_RANGE, true, &cmd);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(buf[0], 0x72);
	ck_assert_uint_eq(buf[1], 0x05);
	ck_assert_uint_eq(buf[2], 0x21);
	ck_assert_uint_eq(buf[3], 0x00);
	ck_assert_uint_eq(buf[7], 0);

	cmd.sense_flags = SCSI_SENSE_F_INFO;
	cmd.sense_info = 0x100000001ull;
	scsi_invalid_cdb(&cmd, 10, -1);
	cmd.sense_flags |= SCSI_SENSE_F_INFO;
	len = scsi_sense_build(buf, SENSE_INVALID_FIELD_IN_CDB, true, &cmd);
	ck_assert_uint_eq(len, 8 + 12 + 8);
	ck_assert_uint_eq(buf[7], 20);
	/* information descriptor */
	ck_assert_uint_eq(buf[8], 0x00);
	ck_assert_uint_eq(buf[9], 0x0a);
	ck_assert_uint_eq(buf[10], 0x80);
	ck_assert_uint_eq(get_be64(buf + 12), 0x100000001ull);
	/* sense key specific descriptor: C/D, no bit pointer, byte 10 */
	ck_assert_uint_eq(buf[20], 0x02);
	ck_assert_uint_eq(buf[21], 0x06);
	ck_assert_uint_eq(buf[24], 0x80 | 0x40);
	ck_assert_uint_eq(get_be16(buf + 25), 10);
}
END_TEST

START_TEST(test_no_sense)
{
	uint8_t buf[SCSI_SENSE_MAX];

	ck_assert_uint_eq(scsi_sense_build(buf, SENSE_OK, false, NULL), 18);
	ck_assert_uint_eq(buf[0], 0x70);
	ck_assert_uint_eq(buf[2], 0);
	ck_assert_uint_eq(buf[12], 0);
	ck_assert_uint_eq(scsi_sense_build(buf, SENSE_OK, true, NULL), 8);
	ck_assert_uint_eq(buf[0], 0x72);
	ck_assert_uint_eq(buf[1], 0);
}
END_TEST

START_TEST(test_out_of_table_is_internal_failure)
{
	uint8_t buf[SCSI_SENSE_MAX];

	scsi_sense_build(buf, SENSE_REASON_MAX, false, NULL);
	ck_assert_uint_eq(buf[2], 0x04);
	ck_assert_uint_eq(buf[12], 0x44);
}
END_TEST

START_TEST(test_ua_priority)
{
	struct scsi_itl itl;

	memset(&itl, 0, sizeof(itl));
	ck_assert_int_eq(scsi_ua_reason(0), SENSE_OK);
	ck_assert_int_eq(scsi_ua_reason(SCSI_UA_CAPACITY_CHANGED | SCSI_UA_POWER_ON),
			 SENSE_UA_POWER_ON);
	ck_assert_int_eq(scsi_ua_reason(SCSI_UA_CAPACITY_CHANGED | SCSI_UA_MODE_PARAMS_CHANGED),
			 SENSE_UA_MODE_PARAMS_CHANGED);
	atomic_init(&itl.ua, SCSI_UA_REPORTED_LUNS_CHANGED | SCSI_UA_BUS_DEVICE_RESET |
				 SCSI_UA_CAPACITY_CHANGED);
	ck_assert_uint_eq(scsi_itl_take_ua(&itl), SCSI_UA_BUS_DEVICE_RESET);
	ck_assert_uint_eq(scsi_itl_take_ua(&itl), SCSI_UA_CAPACITY_CHANGED);
	ck_assert_uint_eq(scsi_itl_take_ua(&itl), SCSI_UA_REPORTED_LUNS_CHANGED);
	ck_assert_uint_eq(scsi_itl_take_ua(&itl), 0);
	ck_assert_uint_eq(atomic_load(&itl.ua), 0);
}
END_TEST

static Suite *sense_suite(void)
{
	Suite *s = suite_create("sense");
	TCase *tc = tcase_create("sense");

	tcase_add_test(tc, test_every_reason_has_an_entry);
	tcase_add_test(tc, test_table_values);
	tcase_add_test(tc, test_fixed_with_field_pointer);
	tcase_add_test(tc, test_fixed_param_pointer_without_bit);
	tcase_add_test(tc, test_fixed_information);
	tcase_add_test(tc, test_descriptor_format);
	tcase_add_test(tc, test_no_sense);
	tcase_add_test(tc, test_out_of_table_is_internal_failure);
	tcase_add_test(tc, test_ua_priority);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sense_suite)

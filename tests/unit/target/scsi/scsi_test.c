/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine core (target/scsi/scsi.c): dispatch, LUN addressing, unit
 * attentions per I_T_L nexus, LUN masking, write protection, and the
 * asynchronous contract with the transport.
 */
#include "tests/unit/target/scsi/scsi_test_util.h"

static const uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
static const uint8_t inquiry[6] = {SCSI_OP_INQUIRY, 0, 0, 0, 96, 0};

START_TEST(test_lun_encode_decode)
{
	static const uint64_t luns[] = {0, 1, 255, 256, 300, 16383, 16384, 0xffffff};
	uint8_t b[8];
	size_t i;

	scsi_lun_encode(5, b);
	ck_assert_uint_eq(b[0], 0x00);
	ck_assert_uint_eq(b[1], 0x05);
	scsi_lun_encode(300, b);
	ck_assert_uint_eq(b[0], 0x41); /* flat space */
	ck_assert_uint_eq(b[1], 0x2c);
	for (i = 0; i < sizeof(luns) / sizeof(luns[0]); i++) {
		scsi_lun_encode(luns[i], b);
		ck_assert_uint_eq(scsi_lun_decode(b), luns[i]);
	}
	/* peripheral addressing on another bus, or a second level: not ours */
	memset(b, 0, 8);
	b[0] = 0x01;
	ck_assert_uint_eq(scsi_lun_decode(b), UINT64_MAX);
	memset(b, 0, 8);
	b[2] = 0x40;
	ck_assert_uint_eq(scsi_lun_decode(b), UINT64_MAX);
	memset(b, 0, 8);
	b[0] = 0x80; /* logical unit addressing */
	ck_assert_uint_eq(scsi_lun_decode(b), UINT64_MAX);
}
END_TEST

START_TEST(test_dispatch_table_consistent)
{
	struct scsi_op_entry list[128];
	size_t n = scsi_op_list(list, 128), i;

	ck_assert_uint_ge(n, 30);
	ck_assert_uint_le(n, 128);
	for (i = 0; i < n; i++) {
		bool has_sa;

		ck_assert_uint_eq(list[i].op->usage[0], list[i].opcode);
		ck_assert_ptr_nonnull(list[i].op->exec);
		ck_assert_uint_ge(list[i].op->cdb_len, 6);
		ck_assert_ptr_eq(scsi_op_lookup(list[i].opcode, list[i].sa, &has_sa), list[i].op);
		ck_assert_int_eq(has_sa, list[i].has_sa);
		if (i)
			ck_assert_uint_le(list[i - 1].opcode, list[i].opcode);
	}
	ck_assert_ptr_null(scsi_op_lookup(0xff, 0, NULL));
}
END_TEST

START_TEST(test_invalid_opcode_and_service_action)
{
	struct scsi_cmd c;
	uint8_t cdb[16] = {0xc0};

	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_OPCODE);

	/* SERVICE ACTION IN(16) with a service action we do not have */
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_SERVICE_ACTION_IN_16;
	cdb[1] = 0x11;
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(get_be16(c.sense + 16), 1);
}
END_TEST

START_TEST(test_short_cdb)
{
	struct t_cmd t;
	uint8_t cdb[16];

	t_cdb16(cdb, SCSI_OP_READ_16, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.cdb_len = 12;
	ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_INVALID_FIELD_IN_CDB);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_power_on_ua_once_not_on_inquiry)
{
	struct scsi_itl *itl;
	struct scsi_cmd c;

	ck_assert_int_eq(scsi_itl_create(T.lu, &T.nx, &itl), 0);
	/* INQUIRY does not report, nor clear, the attention (SPC-4 §5.14) */
	ck_assert_uint_eq(t_simple(itl, inquiry, 6, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(itl, tur, 6, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_POWER_ON);
	/* reported once */
	ck_assert_uint_eq(t_simple(itl, tur, 6, &c), SCSI_STATUS_GOOD);
	/* the other nexuses were not touched */
	ck_assert_uint_eq(t_simple(T.itl, tur, 6, &c), SCSI_STATUS_GOOD);
	scsi_itl_destroy(itl);
}
END_TEST

START_TEST(test_ua_not_on_report_luns)
{
	uint8_t rl[12] = {SCSI_OP_REPORT_LUNS};
	struct scsi_cmd c;

	put_be32(rl + 6, 64);
	scsi_itl_set_ua(T.itl, SCSI_UA_REPORTED_LUNS_CHANGED);
	ck_assert_uint_eq(t_simple(T.itl, rl, 12, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl, tur, 6, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), 0x063f0e);
}
END_TEST

START_TEST(test_request_sense_clears_one_ua)
{
	uint8_t rs[6] = {SCSI_OP_REQUEST_SENSE, 0, 0, 0, 252, 0};
	struct t_cmd t;

	scsi_itl_set_ua(T.itl, SCSI_UA_POWER_ON | SCSI_UA_CAPACITY_CHANGED);
	t_cmd_init(&t, T.itl, rs, 6);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 18);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), T_UA_POWER_ON);
	t_cmd_fini(&t);

	/* descriptor format on request */
	rs[1] = 0x01;
	t_cmd_init(&t, T.itl, rs, 6);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[0], 0x72);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), T_UA_CAPACITY);
	t_cmd_fini(&t);

	/* nothing left: NO SENSE, and commands run */
	rs[1] = 0;
	t_cmd_init(&t, T.itl, rs, 6);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), 0);
	t_cmd_fini(&t);
	ck_assert_uint_eq(t_simple(T.itl, tur, 6, NULL), SCSI_STATUS_GOOD);
}
END_TEST

START_TEST(test_raise_ua_reaches_every_nexus)
{
	struct scsi_cmd c;

	scsi_lu_raise_ua(T.lu, SCSI_UA_CAPACITY_CHANGED);
	ck_assert_uint_eq(t_simple(T.itl, tur, 6, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_CAPACITY);
	ck_assert_uint_eq(t_simple(T.itl2, tur, 6, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_CAPACITY);
}
END_TEST

START_TEST(test_lu_reset)
{
	struct scsi_mode_state st = {.wce = false, .d_sense = true, .swp = true};
	struct scsi_mode_state now;
	struct scsi_cmd c;

	scsi_lu_mode_set(T.lu, &st, NULL);
	scsi_itl_take_ua(T.itl);
	scsi_itl_take_ua(T.itl2);
	scsi_lu_reset(T.lu, T.itl);
	scsi_lu_mode_get(T.lu, &now);
	ck_assert(now.wce); /* the store is write-back: the default */
	ck_assert(!now.d_sense);
	ck_assert(!now.swp);
	/* the nexus that asked for the reset sees no attention; the other one does */
	ck_assert_uint_eq(t_simple(T.itl, tur, 6, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl2, tur, 6, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_RESET);
	ck_assert_uint_eq(c.sense[0], 0x70); /* D_SENSE back to fixed */

	/* NULL: every nexus, the one that asked included */
	scsi_lu_reset(T.lu, NULL);
	ck_assert_uint_eq(t_simple(T.itl, tur, 6, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_RESET);
	ck_assert_uint_eq(t_simple(T.itl2, tur, 6, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_RESET);
}
END_TEST

START_TEST(test_ua_before_write_protect_and_range)
{
	uint8_t cdb[16];
	struct scsi_cmd c;

	scsi_itl_set_ua(T.itl, SCSI_UA_POWER_ON);
	t_cdb10(cdb, SCSI_OP_READ_10, 0, T_NBLOCKS + 5, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_POWER_ON);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
}
END_TEST

START_TEST(test_unmapped_lun)
{
	uint8_t rs[6] = {SCSI_OP_REQUEST_SENSE, 0, 0, 0, 18, 0};
	uint8_t rl[12] = {SCSI_OP_REPORT_LUNS};
	uint8_t cdb[16];
	struct t_cmd t;
	struct scsi_cmd c;

	/* everything but INQUIRY, REPORT LUNS and REQUEST SENSE: LOGICAL UNIT NOT SUPPORTED */
	ck_assert_uint_eq(t_simple(NULL, tur, 6, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LUN_NOT_SUPPORTED);
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	ck_assert_uint_eq(t_simple(NULL, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LUN_NOT_SUPPORTED);
	ck_assert_uint_eq(c.dir, SCSI_DIR_NONE); /* no data-out wanted */
	cdb[0] = 0xc0;
	ck_assert_uint_eq(t_simple(NULL, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LUN_NOT_SUPPORTED);

	/* INQUIRY: peripheral qualifier 011b, type 1Fh */
	t_cmd_init(&t, NULL, inquiry, 6);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[0], 0x7f);
	t_cmd_fini(&t);

	/* REQUEST SENSE: the reason as parameter data */
	t_cmd_init(&t, NULL, rs, 6);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), T_LUN_NOT_SUPPORTED);
	t_cmd_fini(&t);

	/* REPORT LUNS works */
	put_be32(rl + 6, 64);
	t_cmd_init(&t, NULL, rl, 12);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be32(t.buf), 24);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_read_only_mapping)
{
	uint8_t cdb[16], blk[T_BS];
	struct t_cmd t;

	memset(blk, 0x5a, sizeof(blk));
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.read_only = true;
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_WRITE_PROTECTED);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 0);
	t_cmd_fini(&t);

	/* reads still work */
	t_cdb10(cdb, SCSI_OP_READ_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.read_only = true;
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_async_contract_and_zero_copy)
{
	uint8_t cdb[16];
	struct t_cmd t;
	enum scsi_exec_result res;

	t_fill(10, 2, 0xab);
	t_cdb10(cdb, SCSI_OP_READ_10, 0, 10, 2);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_OK);
	ck_assert_uint_eq(t.cmd.dir, SCSI_DIR_READ);
	ck_assert_uint_eq(t.cmd.xfer_len, 2 * T_BS);
	t.cmd.buf = t.buf;
	t.cmd.buf_len = t.cmd.xfer_len;
	res = scsi_cmd_exec(&t.cmd);
	ck_assert_int_eq(res, SCSI_EXEC_ASYNC);
	ck_assert_int_eq(t.ndone, 0); /* never inside exec */
	ck_assert_int_eq(mem_drain(T.mb), 1);
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_uint_eq(t.cmd.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 2 * T_BS);
	/* straight into the transport's buffer, at byte offset lba * block size */
	ck_assert_ptr_eq(T.mb->last_iov_base, t.buf);
	ck_assert_uint_eq(T.mb->last.offset, 10 * T_BS);
	ck_assert_uint_eq(t.buf[0], 0xab);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_submit_error_ends_synchronously)
{
	uint8_t cdb[16];
	struct scsi_cmd c;

	T.mb->submit_err = -ENOMEM;
	t_cdb10(cdb, SCSI_OP_READ_10, 0, 0, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), 0x0b5503);
}
END_TEST

START_TEST(test_itl_detach)
{
	struct scsi_itl *itl;

	ck_assert_int_eq(scsi_itl_create(T.lu, &T.nx, &itl), 0);
	ck_assert_ptr_eq(scsi_itl_lu(itl), T.lu);
	scsi_itl_destroy(itl);
	/* a broadcast after the detach reaches only what is attached */
	scsi_lu_raise_ua(T.lu, SCSI_UA_CAPACITY_CHANGED);
	ck_assert_uint_eq(scsi_itl_take_ua(T.itl), SCSI_UA_CAPACITY_CHANGED);
	ck_assert_ptr_eq(scsi_lu_bs(T.lu), &T.mb->dev);
	ck_assert_str_eq(scsi_lu_get_id(T.lu)->serial, "SER0001");
}
END_TEST

START_TEST(test_lu_create_rejects_bad_block_size)
{
	struct scsi_lu_id id = {.serial = "x"};
	struct bs_dev dev;
	struct scsi_lu *lu;

	memset(&dev, 0, sizeof(dev));
	dev.block_size = 520;
	dev.size = 520 * 10;
	ck_assert_int_eq(scsi_lu_create(&dev, &id, &lu), -EINVAL);
	dev.block_size = 256;
	ck_assert_int_eq(scsi_lu_create(&dev, &id, &lu), -EINVAL);
	ck_assert_int_eq(scsi_lu_create(NULL, &id, &lu), -EINVAL);
}
END_TEST

START_TEST(test_reserve_release)
{
	uint8_t rsv[16] = {SCSI_OP_RESERVE_6}, rel[16] = {SCSI_OP_RELEASE_6};
	uint8_t ms[16] = {SCSI_OP_MODE_SENSE_6, 0x08, 0x3f, 0, 255};
	struct scsi_itl *itl3;
	struct scsi_cmd c;

	ck_assert_uint_eq(t_simple(T.itl, rsv, 16, &c), SCSI_STATUS_GOOD);
	/* the holder may reserve again */
	ck_assert_uint_eq(t_simple(T.itl, rsv, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl, ms, 16, &c), SCSI_STATUS_GOOD);
	/* another nexus: conflict, a status without sense data */
	ck_assert_uint_eq(t_simple(T.itl2, rsv, 16, &c), SCSI_STATUS_RESERVATION_CONFLICT);
	ck_assert_uint_eq(c.sense_len, 0);
	ck_assert_uint_eq(t_simple(T.itl2, ms, 16, &c), SCSI_STATUS_RESERVATION_CONFLICT);
	ck_assert_uint_eq(t_simple(T.itl2, tur, 6, &c), SCSI_STATUS_RESERVATION_CONFLICT);
	/* ... but it may still inquire, and its RELEASE is a no-op */
	ck_assert_uint_eq(t_simple(T.itl2, inquiry, 6, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl2, rel, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl2, ms, 16, &c), SCSI_STATUS_RESERVATION_CONFLICT);
	/* released by its holder */
	ck_assert_uint_eq(t_simple(T.itl, rel, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl2, rsv, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl, ms, 16, &c), SCSI_STATUS_RESERVATION_CONFLICT);

	/* released by a logical unit reset */
	scsi_lu_reset(T.lu, T.itl);
	scsi_itl_take_ua(T.itl2);
	ck_assert_uint_eq(t_simple(T.itl, ms, 16, &c), SCSI_STATUS_GOOD);

	/* released when the holder's nexus goes */
	ck_assert_int_eq(scsi_itl_create(T.lu, &T.nx, &itl3), 0);
	scsi_itl_take_ua(itl3);
	ck_assert_uint_eq(t_simple(itl3, rsv, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl, ms, 16, &c), SCSI_STATUS_RESERVATION_CONFLICT);
	scsi_itl_destroy(itl3);
	ck_assert_uint_eq(t_simple(T.itl, ms, 16, &c), SCSI_STATUS_GOOD);

	/* third party and extent reservations are not offered */
	rsv[1] = 0x10;
	ck_assert_uint_eq(t_simple(T.itl, rsv, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
}
END_TEST

static Suite *scsi_suite(void)
{
	Suite *s = suite_create("scsi");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_lun_encode_decode);
	tcase_add_test(tc, test_dispatch_table_consistent);
	tcase_add_test(tc, test_invalid_opcode_and_service_action);
	tcase_add_test(tc, test_short_cdb);
	tcase_add_test(tc, test_power_on_ua_once_not_on_inquiry);
	tcase_add_test(tc, test_ua_not_on_report_luns);
	tcase_add_test(tc, test_request_sense_clears_one_ua);
	tcase_add_test(tc, test_raise_ua_reaches_every_nexus);
	tcase_add_test(tc, test_lu_reset);
	tcase_add_test(tc, test_ua_before_write_protect_and_range);
	tcase_add_test(tc, test_unmapped_lun);
	tcase_add_test(tc, test_read_only_mapping);
	tcase_add_test(tc, test_async_contract_and_zero_copy);
	tcase_add_test(tc, test_submit_error_ends_synchronously);
	tcase_add_test(tc, test_itl_detach);
	tcase_add_test(tc, test_lu_create_rejects_bad_block_size);
	tcase_add_test(tc, test_reserve_release);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(scsi_suite)

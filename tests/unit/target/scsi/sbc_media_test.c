// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Removable media (target/scsi/sbc_media.c): RMB, PREVENT ALLOW MEDIUM
 * REMOVAL per I_T nexus and what ends it, START STOP UNIT's load and eject,
 * MEDIUM NOT PRESENT to the medium-access commands, and the unit
 * attentions. A fixed disk answers as before.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "tests/unit/target/scsi/scsi_test_util.h"

#define T_NO_MEDIUM 0x023a00u
#define T_PREVENTED 0x055302u
#define T_UA_MEDIUM 0x062800u
#define T_UA_INQUIRY 0x063f03u

/* A removable LU (write-back, thin), its attentions consumed. */
static void m_setup(void)
{
	t_setup();
	scsi_lu_set_removable(T.lu, true);
	ck_assert_uint_eq(scsi_itl_take_ua(T.itl), SCSI_UA_INQUIRY_DATA_CHANGED);
	ck_assert_uint_eq(scsi_itl_take_ua(T.itl2), SCSI_UA_INQUIRY_DATA_CHANGED);
}

static uint8_t prevent(struct scsi_itl *itl, uint8_t field, struct scsi_cmd *last)
{
	uint8_t cdb[6] = {SCSI_OP_PREVENT_ALLOW_MEDIUM_REMOVAL, 0, 0, 0, field, 0};

	return t_simple(itl, cdb, sizeof(cdb), last);
}

/* START STOP UNIT: byte 4 = POWER CONDITION << 4 | NO_FLUSH << 2 | LOEJ << 1 | START */
static uint8_t ssu(struct scsi_itl *itl, uint8_t b4, struct scsi_cmd *last)
{
	uint8_t cdb[6] = {SCSI_OP_START_STOP_UNIT, 0, 0, 0, b4, 0};

	return t_simple(itl, cdb, sizeof(cdb), last);
}

#define EJECT 0x02
#define LOAD 0x03

static uint8_t tur(struct scsi_itl *itl, struct scsi_cmd *last)
{
	uint8_t cdb[6] = {SCSI_OP_TEST_UNIT_READY};

	return t_simple(itl, cdb, sizeof(cdb), last);
}

static uint8_t inquiry_byte1(struct scsi_itl *itl)
{
	uint8_t cdb[6] = {SCSI_OP_INQUIRY, 0, 0, 0, 96, 0};
	struct t_cmd t;
	uint8_t b;

	t_cmd_init(&t, itl, cdb, sizeof(cdb));
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	b = t.buf[1];
	t_cmd_fini(&t);
	return b;
}

START_TEST(test_fixed_disk_as_before)
{
	struct scsi_cmd c;

	ck_assert(!scsi_lu_removable(T.lu));
	ck_assert_uint_eq(inquiry_byte1(T.itl) & 0x80, 0);
	/* PREVENT ALLOW MEDIUM REMOVAL is not a fixed disk's command */
	ck_assert_uint_eq(prevent(T.itl, 1, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_OPCODE);
	/* LOEJ is an invalid field: byte 4 bit 1 */
	ck_assert_uint_eq(ssu(T.itl, EJECT, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(c.sense[15], 0xc0 | 0x08 | 1);
	ck_assert_uint_eq(get_be16(c.sense + 16), 4);
	ck_assert(scsi_lu_medium_present(T.lu));
}
END_TEST

START_TEST(test_rmb)
{
	ck_assert(scsi_lu_removable(T.lu));
	ck_assert_uint_eq(inquiry_byte1(T.itl) & 0x80, 0x80);
}
END_TEST

START_TEST(test_created_removable)
{
	struct scsi_lu_id id = {.serial = "SER0002"};
	struct scsi_lu *lu;

	T.mb->dev.removable = true;
	ck_assert_int_eq(scsi_lu_create(&T.mb->dev, &id, &lu), 0);
	ck_assert(scsi_lu_removable(lu));
	ck_assert(scsi_lu_medium_present(lu));
	scsi_lu_destroy(lu);
	T.mb->dev.removable = false;
}
END_TEST

START_TEST(test_prevent_field)
{
	struct scsi_cmd c;

	ck_assert_uint_eq(prevent(T.itl, 0, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(prevent(T.itl, 1, NULL), SCSI_STATUS_GOOD);
	/* SBC-3: 10b and 11b are obsolete: byte 4, bit 1 */
	for (uint8_t f = 2; f <= 3; f++) {
		ck_assert_uint_eq(prevent(T.itl2, f, &c), SCSI_STATUS_CHECK_CONDITION);
		ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
		ck_assert_uint_eq(get_be16(c.sense + 16), 4);
		ck_assert_uint_eq(c.sense[15] & 0x07, 1);
	}
	/* the refused ones changed nothing: itl2 does not prevent, itl does */
	ck_assert(!T.itl2->prevent);
	ck_assert(T.itl->prevent);
}
END_TEST

START_TEST(test_eject_load)
{
	struct scsi_cmd c;
	uint8_t rc10[10] = {SCSI_OP_READ_CAPACITY_10};
	uint8_t rd10[10] = {SCSI_OP_READ_10, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	uint8_t rs[6] = {SCSI_OP_REQUEST_SENSE, 0, 0, 0, 252, 0};
	uint8_t ms[6] = {SCSI_OP_MODE_SENSE_6, 0, 0x3f, 0, 255, 0};
	struct t_cmd t;
	unsigned int flushes = T.mb->n[BS_OP_FLUSH];

	ck_assert_uint_eq(ssu(T.itl, EJECT, NULL), SCSI_STATUS_GOOD);
	/* a write-back store is written back before the medium goes */
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], flushes + 1);
	ck_assert(!scsi_lu_medium_present(T.lu));
	/* medium access: NOT READY, MEDIUM NOT PRESENT, on every nexus */
	ck_assert_uint_eq(tur(T.itl, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_NO_MEDIUM);
	ck_assert_uint_eq(tur(T.itl2, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_NO_MEDIUM);
	ck_assert_uint_eq(t_simple(T.itl, rd10, sizeof(rd10), &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_NO_MEDIUM);
	/* READ CAPACITY needs a medium, though not a started unit */
	ck_assert_uint_eq(t_simple(T.itl, rc10, sizeof(rc10), &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_NO_MEDIUM);
	/* what needs no medium still answers */
	ck_assert_uint_eq(inquiry_byte1(T.itl) & 0x80, 0x80);
	ck_assert_uint_eq(t_simple(T.itl, ms, sizeof(ms), NULL), SCSI_STATUS_GOOD);
	/* REQUEST SENSE says why */
	t_cmd_init(&t, T.itl, rs, sizeof(rs));
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), T_NO_MEDIUM);
	t_cmd_fini(&t);
	/* an eject with no medium: nothing to do, GOOD, nothing written back */
	ck_assert_uint_eq(ssu(T.itl2, EJECT, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], flushes + 1);
	/* a PREVENT with no medium is taken (libiscsi's PreventAllow.Eject) */
	ck_assert_uint_eq(prevent(T.itl2, 1, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(prevent(T.itl2, 0, NULL), SCSI_STATUS_GOOD);

	/* the load: the medium is back and the unit started */
	ck_assert_uint_eq(ssu(T.itl, LOAD, NULL), SCSI_STATUS_GOOD);
	ck_assert(scsi_lu_medium_present(T.lu));
	ck_assert_uint_eq(tur(T.itl, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl, rc10, sizeof(rc10), NULL), SCSI_STATUS_GOOD);
	/* the other nexus learns the medium may have changed, once */
	ck_assert_uint_eq(tur(T.itl2, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_MEDIUM);
	ck_assert_uint_eq(tur(T.itl2, NULL), SCSI_STATUS_GOOD);
	/* a load with the medium in: GOOD, no attention */
	ck_assert_uint_eq(ssu(T.itl, LOAD, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(tur(T.itl2, NULL), SCSI_STATUS_GOOD);
}
END_TEST

START_TEST(test_eject_no_flush)
{
	unsigned int flushes = T.mb->n[BS_OP_FLUSH];

	ck_assert_uint_eq(ssu(T.itl, 0x04 | EJECT, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], flushes);
	ck_assert(!scsi_lu_medium_present(T.lu));
}
END_TEST

START_TEST(test_eject_flush_fails)
{
	struct scsi_cmd c;

	T.mb->fail_next = -EIO;
	ck_assert_uint_eq(ssu(T.itl, EJECT, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), 0x044400u);
	/* the medium stays where a failed write-back left it */
	ck_assert(scsi_lu_medium_present(T.lu));
}
END_TEST

/* IMMED (byte 1 bit 0): taken; the eject and the load complete before their status anyway */
START_TEST(test_immed)
{
	uint8_t cdb[6] = {SCSI_OP_START_STOP_UNIT, 0x01, 0, 0, EJECT, 0};

	ck_assert_uint_eq(t_simple(T.itl, cdb, sizeof(cdb), NULL), SCSI_STATUS_GOOD);
	ck_assert(!scsi_lu_medium_present(T.lu));
	cdb[4] = LOAD;
	ck_assert_uint_eq(t_simple(T.itl, cdb, sizeof(cdb), NULL), SCSI_STATUS_GOOD);
	ck_assert(scsi_lu_medium_present(T.lu));
}
END_TEST

/* LOEJ with a POWER CONDITION other than 0: ignored, as before */
START_TEST(test_loej_with_power_condition)
{
	ck_assert_uint_eq(ssu(T.itl, 0x10 | EJECT, NULL), SCSI_STATUS_GOOD);
	ck_assert(scsi_lu_medium_present(T.lu));
}
END_TEST

START_TEST(test_prevented_refuses_eject_and_load)
{
	struct scsi_cmd c;

	ck_assert_uint_eq(prevent(T.itl, 1, NULL), SCSI_STATUS_GOOD);
	/* another nexus cannot eject either: ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED */
	ck_assert_uint_eq(ssu(T.itl2, EJECT, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_PREVENTED);
	ck_assert_uint_eq(ssu(T.itl, EJECT, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_PREVENTED);
	ck_assert(scsi_lu_medium_present(T.lu));
	ck_assert_uint_eq(tur(T.itl, NULL), SCSI_STATUS_GOOD);
	/* the other nexus's ALLOW does not end this nexus's prevention */
	ck_assert_uint_eq(prevent(T.itl2, 0, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(ssu(T.itl2, EJECT, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_PREVENTED);
	/* both prevent: one ALLOW is not enough */
	ck_assert_uint_eq(prevent(T.itl2, 1, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(prevent(T.itl, 0, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(ssu(T.itl, EJECT, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(prevent(T.itl2, 0, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(ssu(T.itl, EJECT, NULL), SCSI_STATUS_GOOD);
	/* a load is refused while prevented too */
	ck_assert_uint_eq(prevent(T.itl, 1, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(ssu(T.itl, LOAD, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_PREVENTED);
	ck_assert(!scsi_lu_medium_present(T.lu));
	ck_assert_uint_eq(prevent(T.itl, 0, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(ssu(T.itl, LOAD, NULL), SCSI_STATUS_GOOD);
}
END_TEST

/* A plain stop and start (LOEJ=0) is not an eject: prevention does not refuse it. */
START_TEST(test_prevented_stop_start)
{
	struct scsi_cmd c;

	ck_assert_uint_eq(prevent(T.itl, 1, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(ssu(T.itl2, 0x00, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(tur(T.itl, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_NOT_READY_STOPPED);
	ck_assert_uint_eq(ssu(T.itl2, 0x01, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(tur(T.itl, NULL), SCSI_STATUS_GOOD);
}
END_TEST

/* I_T nexus loss (a logout, a dropped connection) ends that nexus's prevention. */
START_TEST(test_nexus_loss)
{
	struct scsi_itl *itl3;

	ck_assert_int_eq(scsi_itl_create(T.lu, &T.nx2, &itl3), 0);
	scsi_itl_take_ua(itl3);
	ck_assert_uint_eq(prevent(itl3, 1, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(ssu(T.itl, EJECT, NULL), SCSI_STATUS_CHECK_CONDITION);
	scsi_itl_destroy(itl3);
	ck_assert_uint_eq(ssu(T.itl, EJECT, NULL), SCSI_STATUS_GOOD);
}
END_TEST

/* A logical unit reset (and so a target warm or cold reset) ends every prevention. */
START_TEST(test_lu_reset)
{
	ck_assert_uint_eq(prevent(T.itl, 1, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(prevent(T.itl2, 1, NULL), SCSI_STATUS_GOOD);
	scsi_lu_reset(T.lu, NULL);
	scsi_itl_take_ua(T.itl);
	scsi_itl_take_ua(T.itl2);
	ck_assert_uint_eq(ssu(T.itl, EJECT, NULL), SCSI_STATUS_GOOD);
	/* a reset does not bring the medium back */
	scsi_lu_reset(T.lu, NULL);
	scsi_itl_take_ua(T.itl);
	ck_assert(!scsi_lu_medium_present(T.lu));
}
END_TEST

/* SPC-4 §5.13.1: allowing removal never conflicts with a reservation; preventing it does. */
START_TEST(test_reservation)
{
	struct scsi_cmd c;

	atomic_store(&T.itl2->pr_deny, SCSI_PR_DENY_WRITE | SCSI_PR_DENY_READ);
	ck_assert_uint_eq(prevent(T.itl2, 0, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(prevent(T.itl2, 1, &c), SCSI_STATUS_RESERVATION_CONFLICT);
	ck_assert(!T.itl2->prevent);
	atomic_store(&T.itl2->pr_deny, 0);
}
END_TEST

START_TEST(test_set_removable_live)
{
	struct scsi_cmd c;

	ck_assert_uint_eq(prevent(T.itl2, 1, NULL), SCSI_STATUS_GOOD);
	scsi_lu_set_removable(T.lu, true); /* no change: no attention */
	ck_assert_uint_eq(scsi_itl_take_ua(T.itl), 0);
	ck_assert_uint_eq(prevent(T.itl2, 0, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(ssu(T.itl, EJECT, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(prevent(T.itl2, 1, NULL), SCSI_STATUS_GOOD);

	/* fixed again: the medium is back, preventions forgotten, every nexus told */
	scsi_lu_set_removable(T.lu, false);
	ck_assert(!scsi_lu_removable(T.lu));
	ck_assert(scsi_lu_medium_present(T.lu));
	ck_assert(!T.itl2->prevent);
	ck_assert_uint_eq(tur(T.itl, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_MEDIUM);
	ck_assert_uint_eq(tur(T.itl, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_INQUIRY);
	ck_assert_uint_eq(tur(T.itl, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(inquiry_byte1(T.itl) & 0x80, 0);
	ck_assert_uint_eq(prevent(T.itl, 1, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_OPCODE);
}
END_TEST

/* REPORT SUPPORTED OPERATION CODES lists PREVENT ALLOW MEDIUM REMOVAL where it exists. */
static bool rsoc_lists_prevent(struct scsi_itl *itl)
{
	uint8_t cdb[12] = {SCSI_OP_MAINTENANCE_IN, SCSI_MI_REPORT_SUPPORTED_OPCODES, 1,
			   SCSI_OP_PREVENT_ALLOW_MEDIUM_REMOVAL};
	struct t_cmd t;
	bool listed;

	put_be32(cdb + 6, 64);
	t_cmd_init(&t, itl, cdb, sizeof(cdb));
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	listed = (t.buf[1] & 0x07) == 0x03;
	if (listed) {
		ck_assert_uint_eq(get_be16(t.buf + 2), 6);
		ck_assert_uint_eq(t.buf[4], SCSI_OP_PREVENT_ALLOW_MEDIUM_REMOVAL);
		ck_assert_uint_eq(t.buf[8], 0x03);
	}
	t_cmd_fini(&t);
	return listed;
}

START_TEST(test_rsoc)
{
	ck_assert(rsoc_lists_prevent(T.itl));
	scsi_lu_set_removable(T.lu, false);
	scsi_itl_take_ua(T.itl);
	ck_assert(!rsoc_lists_prevent(T.itl));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("sbc_media");
	TCase *tc = tcase_create("fixed");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_fixed_disk_as_before);
	suite_add_tcase(s, tc);
	tc = tcase_create("removable");
	tcase_add_checked_fixture(tc, m_setup, t_teardown);
	tcase_add_test(tc, test_rmb);
	tcase_add_test(tc, test_created_removable);
	tcase_add_test(tc, test_prevent_field);
	tcase_add_test(tc, test_eject_load);
	tcase_add_test(tc, test_eject_no_flush);
	tcase_add_test(tc, test_eject_flush_fails);
	tcase_add_test(tc, test_immed);
	tcase_add_test(tc, test_loej_with_power_condition);
	tcase_add_test(tc, test_prevented_refuses_eject_and_load);
	tcase_add_test(tc, test_prevented_stop_start);
	tcase_add_test(tc, test_nexus_loss);
	tcase_add_test(tc, test_lu_reset);
	tcase_add_test(tc, test_reservation);
	tcase_add_test(tc, test_set_removable_live);
	tcase_add_test(tc, test_rsoc);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

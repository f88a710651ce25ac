/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MODE SENSE and MODE SELECT (target/scsi/mode.c). */
#include "tests/unit/target/scsi/scsi_test_util.h"

static void ms6_cdb(uint8_t *cdb, bool dbd, uint8_t pc, uint8_t page, uint8_t subpage,
		    uint8_t alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_MODE_SENSE_6;
	cdb[1] = dbd ? 0x08 : 0;
	cdb[2] = (uint8_t)(pc << 6 | page);
	cdb[3] = subpage;
	cdb[4] = alloc;
}

/* Finds page code in mode data whose pages start at off; returns its offset or 0. */
static size_t find_page(const uint8_t *p, size_t off, size_t len, uint8_t code)
{
	while (off + 2 <= len) {
		if ((p[off] & 0x3f) == code)
			return off;
		off += 2 + p[off + 1];
	}
	return 0;
}

START_TEST(test_mode_sense6_all)
{
	uint8_t cdb[16];
	struct t_cmd t;
	size_t len;

	ms6_cdb(cdb, false, 0, 0x3f, 0, 255);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	len = t.buf[0] + 1u;
	ck_assert_uint_eq(t.cmd.data_len, len);
	ck_assert_uint_eq(t.buf[1], 0);	   /* medium type */
	ck_assert_uint_eq(t.buf[2], 0x10); /* DPOFUA, not WP */
	ck_assert_uint_eq(t.buf[3], 8);
	ck_assert_uint_eq(get_be32(t.buf + 4), T_NBLOCKS);
	ck_assert_uint_eq(get_be24(t.buf + 9), T_BS);
	ck_assert_uint_ne(find_page(t.buf, 12, len, 0x01), 0);
	ck_assert_uint_ne(find_page(t.buf, 12, len, 0x08), 0);
	ck_assert_uint_ne(find_page(t.buf, 12, len, 0x0a), 0);
	ck_assert_uint_ne(find_page(t.buf, 12, len, 0x1c), 0);
	/* WCE reflects the write-back store */
	ck_assert_uint_eq(t.buf[find_page(t.buf, 12, len, 0x08) + 2] & 0x04, 0x04);
	t_cmd_fini(&t);

	/* allocation length 4: the header only, no more */
	ms6_cdb(cdb, false, 0, 0x3f, 0, 4);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 4);
	ck_assert_uint_eq(t.buf[0] + 1u, len);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_mode_sense6_one_page_dbd)
{
	uint8_t cdb[16];
	struct t_cmd t;

	ms6_cdb(cdb, true, 0, 0x0a, 0, 255);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[3], 0);
	ck_assert_uint_eq(t.cmd.data_len, 4 + 12);
	ck_assert_uint_eq(t.buf[4], 0x0a);
	ck_assert_uint_eq(t.buf[5], 0x0a);
	ck_assert_uint_eq(t.buf[6] & 0xe0, 0x20); /* TST 001b: a task set per I_T nexus */
	ck_assert_uint_eq(t.buf[6] & 0x04, 0); /* D_SENSE off by default */
	ck_assert_uint_eq(t.buf[8] & 0x08, 0); /* SWP off */
	ck_assert_uint_eq(t.buf[9] & 0x40, 0x40); /* TAS 1 (SPC-4 §7.5.8) */
	t_cmd_fini(&t);

	/* subpage FFh is every subpage of the page: the page itself */
	ms6_cdb(cdb, true, 0, 0x0a, 0xff, 255);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 16);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_mode_sense_changeable_default_saved)
{
	uint8_t cdb[16];
	struct t_cmd t;
	struct scsi_cmd c;
	size_t off;

	ms6_cdb(cdb, true, 1, 0x3f, 0, 255);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	off = find_page(t.buf, 4, t.cmd.data_len, 0x0a);
	ck_assert_uint_eq(t.buf[off + 2], 0x04); /* D_SENSE changeable */
	ck_assert_uint_eq(t.buf[off + 4], 0x08); /* SWP changeable */
	ck_assert_uint_eq(t.buf[off + 5], 0);	 /* TAS is not */
	ck_assert_uint_eq(get_be16(t.buf + off + 8), 0);
	off = find_page(t.buf, 4, t.cmd.data_len, 0x08);
	ck_assert_uint_eq(t.buf[off + 2], 0x04); /* WCE changeable */
	off = find_page(t.buf, 4, t.cmd.data_len, 0x01);
	ck_assert_uint_eq(t.buf[off + 2], 0); /* nothing changeable */
	t_cmd_fini(&t);

	ms6_cdb(cdb, true, 3, 0x3f, 0, 255);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_SAVING_UNSUP);

	ms6_cdb(cdb, true, 0, 0x07, 0, 255);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ms6_cdb(cdb, true, 0, 0x0a, 0x01, 255);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
}
END_TEST

START_TEST(test_mode_sense10_llbaa)
{
	uint8_t cdb[16] = {SCSI_OP_MODE_SENSE_10, 0x10, 0x08};
	struct t_cmd t;

	put_be16(cdb + 7, 512);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be16(t.buf) + 2u, t.cmd.data_len);
	ck_assert_uint_eq(t.buf[4] & 0x01, 1); /* LONGLBA */
	ck_assert_uint_eq(get_be16(t.buf + 6), 16);
	ck_assert_uint_eq(get_be64(t.buf + 8), T_NBLOCKS);
	ck_assert_uint_eq(get_be32(t.buf + 20), T_BS);
	ck_assert_uint_eq(t.buf[24], 0x08);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_mode_sense_write_protect_bit)
{
	uint8_t cdb[16];
	struct t_cmd t;

	ms6_cdb(cdb, true, 0, 0x3f, 0, 255);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.read_only = true;
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[2] & 0x80, 0x80);
	t_cmd_fini(&t);
}
END_TEST

/* MODE SELECT(6) of one control page built from the current one, with bits changed. */
static uint8_t select_control(struct scsi_itl *itl, uint8_t set2, uint8_t set4, uint8_t sp,
			      struct scsi_cmd *out)
{
	uint8_t cdb[16], data[16];
	struct t_cmd t;
	uint8_t st;

	ms6_cdb(cdb, true, 0, 0x0a, 0, 255);
	t_cmd_init(&t, itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	memset(data, 0, sizeof(data));
	memcpy(data + 4, t.buf + 4, 12);
	t_cmd_fini(&t);
	data[4 + 2] ^= set2;
	data[4 + 4] ^= set4;

	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_MODE_SELECT_6;
	cdb[1] = 0x10 | sp;
	cdb[4] = 16;
	t_cmd_init(&t, itl, cdb, 16);
	st = t_run(&t, data, 16);
	if (out)
		*out = t.cmd;
	t_cmd_fini(&t);
	return st;
}

/* MODE SELECT(6) of the current control page with byte 5 toggled by flip5. */
static uint8_t select_control5(struct scsi_itl *itl, uint8_t flip5, struct scsi_cmd *out)
{
	uint8_t cdb[16], data[16];
	struct t_cmd t;
	uint8_t st;

	ms6_cdb(cdb, true, 0, 0x0a, 0, 255);
	t_cmd_init(&t, itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	memset(data, 0, sizeof(data));
	memcpy(data + 4, t.buf + 4, 12);
	t_cmd_fini(&t);
	data[4 + 5] ^= flip5;
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_MODE_SELECT_6;
	cdb[1] = 0x10;
	cdb[4] = 16;
	t_cmd_init(&t, itl, cdb, 16);
	st = t_run(&t, data, 16);
	*out = t.cmd;
	t_cmd_fini(&t);
	return st;
}

START_TEST(test_mode_select_d_sense_and_ua_on_others)
{
	uint8_t cdb[16];
	struct scsi_cmd c;

	ck_assert_uint_eq(select_control(T.itl, 0x04, 0, 0, &c), SCSI_STATUS_GOOD);
	/* descriptor format sense from now on */
	t_cdb10(cdb, SCSI_OP_READ_10, 0, T_NBLOCKS, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(c.sense[0], 0x72);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	/* the nexus that changed them sees no attention; the other one does, once */
	t_cdb10(cdb, SCSI_OP_READ_10, 0, 0, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl2, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_UA_MODE_CHANGED);
	ck_assert_uint_eq(t_simple(T.itl2, cdb, 16, &c), SCSI_STATUS_GOOD);

	/* the same values again change nothing: no attention */
	ck_assert_uint_eq(select_control(T.itl, 0, 0, 0, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl2, cdb, 16, &c), SCSI_STATUS_GOOD);
}
END_TEST

START_TEST(test_mode_select_swp)
{
	uint8_t cdb[16], blk[T_BS] = {0};
	struct t_cmd t;
	struct scsi_cmd c;

	ck_assert_uint_eq(select_control(T.itl, 0, 0x08, 0, &c), SCSI_STATUS_GOOD);
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_WRITE_PROTECTED);
	t_cmd_fini(&t);
	/* MODE SENSE shows WP */
	ms6_cdb(cdb, true, 0, 0x3f, 0, 255);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[2] & 0x80, 0x80);
	t_cmd_fini(&t);
	/* and back */
	ck_assert_uint_eq(select_control(T.itl, 0, 0x08, 0, &c), SCSI_STATUS_GOOD);
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_mode_select_rejects)
{
	struct scsi_cmd c;
	uint8_t cdb[16], data[24];
	struct t_cmd t;

	/* an unchangeable field: TST 000b asked for, where it is 001b */
	ck_assert_uint_eq(select_control(T.itl, 0x20, 0, 0, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(get_be16(c.sense + 16), 4 + 2); /* the byte in the parameter list */
	ck_assert_uint_eq(c.sense[15], 0x80 | 0x08 | 5);  /* parameter list, bit 5 */
	/* TAS 0 asked for: refused, TAS stays 1 (TASK ABORTED is what porticod sends) */
	ck_assert_uint_eq(select_control5(T.itl, 0x40, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(get_be16(c.sense + 16), 4 + 5);
	ck_assert_uint_eq(c.sense[15], 0x80 | 0x08 | 6); /* parameter list, bit 6 */
	/* SP */
	ck_assert_uint_eq(select_control(T.itl, 0, 0, 1, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);

	/* a wrong page length; an unknown page; a block descriptor with another block size */
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_MODE_SELECT_6;
	cdb[1] = 0x10;
	memset(data, 0, sizeof(data));
	data[4] = 0x0a;
	data[5] = 0x08;
	cdb[4] = 14;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, data, 14), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_INVALID_FIELD_PARAM);
	t_cmd_fini(&t);

	data[4] = 0x02;
	data[5] = 0x0a;
	cdb[4] = 16;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, data, 16), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_INVALID_FIELD_PARAM);
	t_cmd_fini(&t);

	memset(data, 0, sizeof(data));
	data[3] = 8;
	put_be24(data + 4 + 5, 4096);
	cdb[4] = 12;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, data, 12), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_INVALID_FIELD_PARAM);
	t_cmd_fini(&t);

	/* ... the right block size restated is fine */
	put_be24(data + 4 + 5, T_BS);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, data, 12), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);

	/* a page cut short by the parameter list length */
	memset(data, 0, sizeof(data));
	data[4] = 0x0a;
	data[5] = 0x0a;
	cdb[4] = 10;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, data, 10), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_PARAM_LEN);
	t_cmd_fini(&t);

	/* less data-out than announced */
	cdb[4] = 16;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 8, data, 8), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_PARAM_LEN);
	t_cmd_fini(&t);

	/* parameter list length 0: nothing to do */
	cdb[4] = 0;
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
}
END_TEST

START_TEST(test_mode_select10_wce_controls_fua)
{
	uint8_t cdb[16], data[8 + 20], blk[T_BS] = {1};
	struct t_cmd t;

	memset(data, 0, sizeof(data));
	data[8] = 0x08;
	data[9] = 0x12; /* caching page, WCE 0 */
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_MODE_SELECT_10;
	cdb[1] = 0x10;
	put_be16(cdb + 7, sizeof(data));
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, data, sizeof(data)), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);

	/* write-through now: every write is submitted FUA */
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_GOOD);
	ck_assert(T.mb->last.fua);
	t_cmd_fini(&t);

	/* a logical unit reset brings the write cache back */
	scsi_lu_reset(T.lu, NULL);
	scsi_itl_take_ua(T.itl);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_GOOD);
	ck_assert(!T.mb->last.fua);
	t_cmd_fini(&t);
}
END_TEST

static Suite *mode_suite(void)
{
	Suite *s = suite_create("mode");
	TCase *tc = tcase_create("mode");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_mode_sense6_all);
	tcase_add_test(tc, test_mode_sense6_one_page_dbd);
	tcase_add_test(tc, test_mode_sense_changeable_default_saved);
	tcase_add_test(tc, test_mode_sense10_llbaa);
	tcase_add_test(tc, test_mode_sense_write_protect_bit);
	tcase_add_test(tc, test_mode_select_d_sense_and_ua_on_others);
	tcase_add_test(tc, test_mode_select_swp);
	tcase_add_test(tc, test_mode_select_rejects);
	tcase_add_test(tc, test_mode_select10_wce_controls_fua);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(mode_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomicity in the engine (target/scsi/sbc_atomic.c): WRITE ATOMIC(16)
 * field by field, its Block Limits fields, and the range lock as the
 * commands take it: COMPARE AND WRITE, ORWRITE and WRITE ATOMIC against
 * plain WRITEs, WRITE SAME, UNMAP and READs of another nexus, over the
 * in-memory store whose requests the test runs one step at a time.
 */
#include <check.h>

#include "tests/unit/target/scsi/scsi_test_util.h"

/* Fixed-format sense (D_SENSE 0 by default): the field pointer, SKSV and C/D set. */
static void assert_field(const struct scsi_cmd *cmd, unsigned int byte)
{
	ck_assert_uint_eq(cmd->sense[15] & 0xc0, 0xc0);
	ck_assert_uint_eq(get_be16(cmd->sense + 16), byte);
}

static void wa_cdb(uint8_t *cdb, uint8_t b1, uint64_t lba, uint16_t boundary, uint16_t n)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_WRITE_ATOMIC_16;
	cdb[1] = b1;
	put_be64(cdb + 2, lba);
	put_be16(cdb + 10, boundary);
	put_be16(cdb + 12, n);
}

static uint8_t run(struct scsi_itl *itl, const uint8_t *cdb, const void *out, size_t len,
		   struct scsi_cmd *last)
{
	struct t_cmd t;
	uint8_t st;

	t_cmd_init(&t, itl, cdb, 16);
	st = t_run(&t, out, len);
	if (last)
		*last = t.cmd;
	t_cmd_fini(&t);
	return st;
}

START_TEST(test_write_atomic_fields)
{
	uint8_t cdb[16], d[8 * T_BS];
	struct scsi_cmd c;
	struct t_cmd t;

	memset(d, 'W', sizeof(d));
	/* LBA (bytes 2-9) and TRANSFER LENGTH (bytes 12-13, two bytes) */
	wa_cdb(cdb, 0, 100, 0, 8);
	ck_assert_uint_eq(run(T.itl, cdb, d, sizeof(d), &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(c.xfer_len, 8 * T_BS);
	ck_assert_uint_eq(T.mb->data[100 * T_BS], 'W');
	ck_assert_uint_eq(T.mb->data[108 * T_BS - 1], 'W');
	ck_assert_uint_eq(T.mb->data[108 * T_BS], 0);
	ck_assert_uint_eq(T.mb->data[100 * T_BS - 1], 0);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 1); /* one write: one request */
	/* the write cache is on (write-back store): no FUA without the bit */
	ck_assert_uint_eq(T.mb->nfua, 0);

	/* DPO accepted; FUA makes the write durable; both */
	wa_cdb(cdb, 0x10, 0, 0, 1);
	ck_assert_uint_eq(run(T.itl, cdb, d, T_BS, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->nfua, 0);
	wa_cdb(cdb, 0x08, 0, 0, 1);
	ck_assert_uint_eq(run(T.itl, cdb, d, T_BS, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->nfua, 1);
	wa_cdb(cdb, 0x18, 0, 0, 1);
	ck_assert_uint_eq(run(T.itl, cdb, d, T_BS, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->nfua, 2);

	/* WRPROTECT without protection information: byte 1 bit 7 */
	wa_cdb(cdb, 0x20, 0, 0, 1);
	ck_assert_uint_eq(run(T.itl, cdb, d, T_BS, &c), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&c, T_INVALID_FIELD_CDB);
	assert_field(&c, 1);

	/* ATOMIC BOUNDARY (bytes 10-11) non-zero: no boundaries offered */
	wa_cdb(cdb, 0, 0, 1, 1);
	ck_assert_uint_eq(run(T.itl, cdb, d, T_BS, &c), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&c, T_INVALID_FIELD_CDB);
	assert_field(&c, 10);

	/* past MAXIMUM ATOMIC TRANSFER LENGTH: byte 12 */
	wa_cdb(cdb, 0, 0, 0, (uint16_t)(SCSI_MAX_XFER_BYTES / T_BS + 1));
	ck_assert_uint_eq(run(T.itl, cdb, d, 0, &c), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&c, T_INVALID_FIELD_CDB);
	assert_field(&c, 12);
	/* ... and exactly at it: accepted by parse */
	wa_cdb(cdb, 0, 0, 0, (uint16_t)(SCSI_MAX_XFER_BYTES / T_BS));
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_OK);
	ck_assert_uint_eq(t.cmd.xfer_len, SCSI_MAX_XFER_BYTES);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 4);
}
END_TEST

START_TEST(test_write_atomic_range_and_zero)
{
	uint8_t cdb[16], d[4 * T_BS];
	struct scsi_cmd c;

	memset(d, 'Z', sizeof(d));
	/* beyond the end: all of it, one block of it, at 2^63, at -1 */
	wa_cdb(cdb, 0, T_NBLOCKS, 0, 1);
	ck_assert_uint_eq(run(T.itl, cdb, d, T_BS, &c), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&c, T_LBA_OOR);
	wa_cdb(cdb, 0, T_NBLOCKS - 1, 0, 2);
	ck_assert_uint_eq(run(T.itl, cdb, d, 2 * T_BS, &c), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&c, T_LBA_OOR);
	wa_cdb(cdb, 0, 0x8000000000000000ull, 0, 1);
	ck_assert_uint_eq(run(T.itl, cdb, d, T_BS, &c), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&c, T_LBA_OOR);
	wa_cdb(cdb, 0, UINT64_MAX, 0, 1);
	ck_assert_uint_eq(run(T.itl, cdb, d, T_BS, &c), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&c, T_LBA_OOR);
	/* the last blocks are fine */
	wa_cdb(cdb, 0, T_NBLOCKS - 4, 0, 4);
	ck_assert_uint_eq(run(T.itl, cdb, d, sizeof(d), NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->data[T_NBLOCKS * T_BS - 1], 'Z');
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 1);

	/* zero blocks: nothing written, not an error; past the end it still is one */
	wa_cdb(cdb, 0, 0, 0, 0);
	ck_assert_uint_eq(run(T.itl, cdb, NULL, 0, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(c.dir, SCSI_DIR_NONE);
	wa_cdb(cdb, 0, T_NBLOCKS + 1, 0, 0);
	ck_assert_uint_eq(run(T.itl, cdb, NULL, 0, &c), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&c, T_LBA_OOR);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 1);
}
END_TEST

START_TEST(test_write_atomic_protect_and_short_data)
{
	uint8_t cdb[16], d[2 * T_BS];
	struct t_cmd t;

	memset(d, 'P', sizeof(d));
	/* mapped read-only, and SWP: WRITE PROTECTED, whatever else is wrong */
	wa_cdb(cdb, 0, 0, 0, 2);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.read_only = true;
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&t.cmd, T_WRITE_PROTECTED);
	t_cmd_fini(&t);
	wa_cdb(cdb, 0, 0, 5, 2);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.read_only = true;
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&t.cmd, T_WRITE_PROTECTED);
	t_cmd_fini(&t);
	atomic_store(&T.lu->swp, true);
	wa_cdb(cdb, 0, 0, 0, 2);
	ck_assert_uint_eq(run(T.itl, cdb, d, sizeof(d), &t.cmd), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&t.cmd, T_WRITE_PROTECTED);
	atomic_store(&T.lu->swp, false);

	/* a data-out shorter than the CDB's length: nothing of it is written */
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, T_BS, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&t.cmd, T_INVALID_FIELD_IU);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 0);
	ck_assert_uint_eq(T.mb->data[0], 0);
}
END_TEST

/* Alignment and granularity as SBC-4 §6.6.4 has them, for limits that set them. */
START_TEST(test_atomic_check_limits)
{
	struct sbc_atomic_limits lim = {
	    .max_len = 64, .align = 8, .gran = 4, .max_len_boundary = 32, .max_boundary_size = 16};
	struct scsi_cmd c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(sbc_atomic_check(&c, &lim, 16, 8, 0), SENSE_OK);
	ck_assert_int_eq(sbc_atomic_check(&c, &lim, 0, 64, 0), SENSE_OK);
	/* misaligned LBA: the LBA field */
	ck_assert_int_eq(sbc_atomic_check(&c, &lim, 4, 8, 0), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(c.sense_field, 2);
	/* a length that is not a multiple of the granularity: the length field */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(sbc_atomic_check(&c, &lim, 8, 6, 0), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(c.sense_field, 12);
	/* longer than the maximum */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(sbc_atomic_check(&c, &lim, 0, 68, 0), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(c.sense_field, 12);
	/* with a boundary: its own maximum length, and the boundary size */
	ck_assert_int_eq(sbc_atomic_check(&c, &lim, 0, 32, 16), SENSE_OK);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(sbc_atomic_check(&c, &lim, 0, 36, 16), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(c.sense_field, 12);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(sbc_atomic_check(&c, &lim, 0, 32, 17), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(c.sense_field, 10);
	/* no boundaries offered: any boundary is an invalid field */
	lim.max_boundary_size = 0;
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(sbc_atomic_check(&c, &lim, 0, 8, 1), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(c.sense_field, 10);
}
END_TEST

START_TEST(test_block_limits_atomic_fields)
{
	uint8_t inq[16] = {SCSI_OP_INQUIRY, 0x01, 0xb0, 0, 64, 0};
	uint8_t rsoc[16] = {SCSI_OP_MAINTENANCE_IN, SCSI_MI_REPORT_SUPPORTED_OPCODES, 0x01,
			    SCSI_OP_WRITE_ATOMIC_16};
	struct t_cmd t;

	t_cmd_init(&t, T.itl, inq, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 64);
	/* MAXIMUM ATOMIC TRANSFER LENGTH: the maximum transfer length, no more (SBC-4 §6.6.4) */
	ck_assert_uint_eq(get_be32(t.buf + 44), SCSI_MAX_XFER_BYTES / T_BS);
	ck_assert_uint_le(get_be32(t.buf + 44), get_be32(t.buf + 8));
	ck_assert_uint_eq(get_be32(t.buf + 48), 0); /* ATOMIC ALIGNMENT */
	ck_assert_uint_eq(get_be32(t.buf + 52), 0); /* ATOMIC TRANSFER LENGTH GRANULARITY */
	ck_assert_uint_eq(get_be32(t.buf + 56), 0); /* ... WITH ATOMIC BOUNDARY */
	ck_assert_uint_eq(get_be32(t.buf + 60), 0); /* MAXIMUM ATOMIC BOUNDARY SIZE */
	t_cmd_fini(&t);

	/* REPORT SUPPORTED OPERATION CODES, one command: supported, DPO and FUA in the usage */
	put_be32(rsoc + 6, 64);
	t_cmd_init(&t, T.itl, rsoc, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[1] & 0x07, 0x03); /* SUPPORT: as the standard says */
	ck_assert_uint_eq(get_be16(t.buf + 2), 16);
	ck_assert_uint_eq(t.buf[4], SCSI_OP_WRITE_ATOMIC_16);
	ck_assert_uint_eq(t.buf[5] & 0x18, 0x18);
	t_cmd_fini(&t);
}
END_TEST

/*
 * The range lock as commands take it. An exclusive command (COMPARE AND
 * WRITE, ORWRITE, WRITE ATOMIC) started first: a later command of another
 * nexus on overlapping blocks reaches the store only after it has ended,
 * and one on other blocks goes straight through.
 */
struct race {
	const char *name;
	uint8_t cdb[16];
	uint32_t edtl;
	uint8_t data[2 * T_BS];
};

static void caw_cdb(struct race *r, uint64_t lba, uint8_t cmp, uint8_t wr)
{
	r->name = "COMPARE AND WRITE";
	t_cdb16(r->cdb, SCSI_OP_COMPARE_AND_WRITE, 0, lba, 0);
	r->cdb[13] = 1;
	r->edtl = 2 * T_BS;
	memset(r->data, cmp, T_BS);
	memset(r->data + T_BS, wr, T_BS);
}

/* Starts first (exclusive), second; runs the store one request at a time. */
static void race_pair(const struct race *first, const struct race *second, bool overlap)
{
	struct t_cmd a, b;
	int i;

	t_cmd_init(&a, T.itl, first->cdb, 16);
	t_start(&a, first->edtl, first->data, sizeof(first->data));
	t_cmd_init(&b, T.itl2, second->cdb, 16);
	b.cmd.edtl = second->edtl;
	ck_assert_int_eq(scsi_cmd_parse(&b.cmd), SENSE_OK);
	b.cmd.buf = b.buf;
	b.cmd.buf_len = MIN(second->edtl, b.cmd.xfer_len);
	memcpy(b.buf, second->data, MIN(sizeof(second->data), (size_t)b.cmd.buf_len));
	ck_assert_int_eq(scsi_cmd_exec(&b.cmd), SCSI_EXEC_ASYNC);
	/* the store holds the first one's first request, and the second's only if apart */
	ck_assert_ptr_eq(T.mb->head, &a.cmd.io);
	if (overlap)
		ck_assert_ptr_null(T.mb->head->next);
	else
		ck_assert_ptr_eq(T.mb->head->next, &b.cmd.io);
	/* step by step: the second never completes before the first */
	for (i = 0; i < 100 && !(a.ndone && b.ndone); i++) {
		struct bs_io *io = T.mb->head;

		if (io) {
			T.mb->head = io->next;
			if (!T.mb->head)
				T.mb->tail = &T.mb->head;
			if (overlap)
				ck_assert_msg(io != &b.cmd.io || a.ndone, "%s let %s through",
					      first->name, second->name);
			io->result = mem_run(T.mb, io);
			io->cb(io);
		} else {
			ck_assert_int_ge(ev_run_once(T.loop, 0), 0);
		}
	}
	ck_assert_int_eq(a.ndone, 1);
	ck_assert_int_eq(b.ndone, 1);
	ck_assert_uint_eq(a.cmd.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(b.cmd.status, SCSI_STATUS_GOOD);
	t_cmd_fini(&a);
	t_cmd_fini(&b);
}

START_TEST(test_caw_against_every_writer)
{
	struct race caw, w;

	/* plain WRITE(10) of 'W' over the CAW's block and the next */
	t_fill(10, 1, 'A');
	caw_cdb(&caw, 10, 'A', 'C');
	w.name = "WRITE(10)";
	t_cdb10(w.cdb, SCSI_OP_WRITE_10, 0, 10, 2);
	w.edtl = 2 * T_BS;
	memset(w.data, 'W', sizeof(w.data));
	race_pair(&caw, &w, true);
	ck_assert_uint_eq(T.mb->data[10 * T_BS], 'W'); /* the write came after */

	/* WRITE SAME(16) of 'S' over it */
	t_fill(10, 1, 'A');
	caw_cdb(&caw, 10, 'A', 'C');
	w.name = "WRITE SAME(16)";
	t_cdb16(w.cdb, SCSI_OP_WRITE_SAME_16, 0, 9, 4);
	w.edtl = T_BS;
	memset(w.data, 'S', sizeof(w.data));
	race_pair(&caw, &w, true);
	ck_assert_uint_eq(T.mb->data[10 * T_BS], 'S');

	/* UNMAP of it (thin store: reads back zeroes) */
	t_fill(10, 1, 'A');
	caw_cdb(&caw, 10, 'A', 'C');
	w.name = "UNMAP";
	memset(w.cdb, 0, 16);
	w.cdb[0] = SCSI_OP_UNMAP;
	put_be16(w.cdb + 7, 24);
	memset(w.data, 0, sizeof(w.data));
	put_be16(w.data, 22);
	put_be16(w.data + 2, 16);
	put_be64(w.data + 8, 10);
	put_be32(w.data + 16, 1);
	w.edtl = 24;
	race_pair(&caw, &w, true);
	ck_assert_uint_eq(T.mb->data[10 * T_BS], 0);

	/* ORWRITE of 0x01 over it */
	t_fill(10, 1, 'A');
	caw_cdb(&caw, 10, 'A', 'B'); /* 'B' = 0x42 */
	w.name = "ORWRITE(16)";
	t_cdb16(w.cdb, SCSI_OP_ORWRITE_16, 0, 10, 1);
	w.edtl = T_BS;
	memset(w.data, 0x01, sizeof(w.data));
	race_pair(&caw, &w, true);
	ck_assert_uint_eq(T.mb->data[10 * T_BS], 'C'); /* 0x42 | 0x01 */

	/* a second COMPARE AND WRITE waits, then compares with 'C' */
	t_fill(10, 1, 'A');
	caw_cdb(&caw, 10, 'A', 'C');
	caw_cdb(&w, 10, 'C', 'D');
	race_pair(&caw, &w, true);
	ck_assert_uint_eq(T.mb->data[10 * T_BS], 'D');

	/* a READ sees the block before or after, never between: it waits */
	t_fill(10, 1, 'A');
	caw_cdb(&caw, 10, 'A', 'C');
	w.name = "READ(10)";
	t_cdb10(w.cdb, SCSI_OP_READ_10, 0, 10, 1);
	w.edtl = T_BS;
	race_pair(&caw, &w, true);

	/* blocks apart: no waiting */
	t_fill(10, 1, 'A');
	caw_cdb(&caw, 10, 'A', 'C');
	w.name = "WRITE(10) elsewhere";
	t_cdb10(w.cdb, SCSI_OP_WRITE_10, 0, 11, 2);
	w.edtl = 2 * T_BS;
	memset(w.data, 'W', sizeof(w.data));
	race_pair(&caw, &w, false);
	ck_assert_uint_eq(T.mb->data[10 * T_BS], 'C');
	ck_assert_uint_eq(T.mb->data[11 * T_BS], 'W');
	ck_assert_uint_eq(range_lock_queued(&T.lu->range), 0);
}
END_TEST

START_TEST(test_orwrite_and_write_atomic_exclusive)
{
	struct race first, w;

	/* ORWRITE first: a plain WRITE between its read and its write would be lost */
	t_fill(20, 2, 0x10);
	first.name = "ORWRITE(16)";
	t_cdb16(first.cdb, SCSI_OP_ORWRITE_16, 0, 20, 2);
	first.edtl = 2 * T_BS;
	memset(first.data, 0x01, sizeof(first.data));
	w.name = "WRITE(16)";
	t_cdb16(w.cdb, SCSI_OP_WRITE_16, 0, 21, 1);
	w.edtl = T_BS;
	memset(w.data, 0x40, sizeof(w.data));
	race_pair(&first, &w, true);
	ck_assert_uint_eq(T.mb->data[20 * T_BS], 0x11);
	ck_assert_uint_eq(T.mb->data[21 * T_BS], 0x40); /* after the ORWRITE, not under it */

	/* WRITE ATOMIC first, then a WRITE and a READ of part of it */
	first.name = "WRITE ATOMIC(16)";
	wa_cdb(first.cdb, 0, 30, 0, 2);
	first.edtl = 2 * T_BS;
	memset(first.data, 'X', sizeof(first.data));
	race_pair(&first, &w, false); /* block 21: apart */
	t_cdb16(w.cdb, SCSI_OP_WRITE_16, 0, 31, 1);
	race_pair(&first, &w, true);
	ck_assert_uint_eq(T.mb->data[30 * T_BS], 'X');
	ck_assert_uint_eq(T.mb->data[31 * T_BS], 0x40);
	w.name = "READ(16)";
	t_cdb16(w.cdb, SCSI_OP_READ_16, 0, 31, 1);
	race_pair(&first, &w, true);

	/* a plain WRITE first: the WRITE ATOMIC waits for it (FIFO), then lands whole */
	first.name = "WRITE(16) before";
	t_cdb16(first.cdb, SCSI_OP_WRITE_16, 0, 30, 2);
	first.edtl = 2 * T_BS;
	memset(first.data, 'p', sizeof(first.data));
	w.name = "WRITE ATOMIC(16) after";
	wa_cdb(w.cdb, 0, 31, 0, 1);
	w.edtl = T_BS;
	memset(w.data, 'Y', sizeof(w.data));
	race_pair(&first, &w, true);
	ck_assert_uint_eq(T.mb->data[30 * T_BS], 'p');
	ck_assert_uint_eq(T.mb->data[31 * T_BS], 'Y');
	ck_assert_uint_eq(range_lock_queued(&T.lu->range), 0);
}
END_TEST

static Suite *sbc_atomic_suite(void)
{
	Suite *s = suite_create("sbc_atomic");
	TCase *tc = tcase_create("thin");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_write_atomic_fields);
	tcase_add_test(tc, test_write_atomic_range_and_zero);
	tcase_add_test(tc, test_write_atomic_protect_and_short_data);
	tcase_add_test(tc, test_atomic_check_limits);
	tcase_add_test(tc, test_block_limits_atomic_fields);
	tcase_add_test(tc, test_caw_against_every_writer);
	tcase_add_test(tc, test_orwrite_and_write_atomic_exclusive);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sbc_atomic_suite)

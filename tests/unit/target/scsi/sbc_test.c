/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SBC-3 block commands (target/scsi/sbc.c): CDB parsing by byte vectors,
 * reads and writes through the in-memory store, length mismatches with the
 * transport, VERIFY / WRITE AND VERIFY / ORWRITE, READ CAPACITY, SYNCHRONIZE
 * CACHE, PRE-FETCH, START STOP UNIT and backstore errors.
 */
#include "tests/unit/target/scsi/scsi_test_util.h"

/* Parses cdb on the test nexus; returns the reason, and the command in *out. */
static enum sense_reason parse(const uint8_t *cdb, struct scsi_cmd *out)
{
	memset(out, 0, sizeof(*out));
	out->itl = T.itl;
	out->nexus = &T.nx;
	memcpy(out->cdb, cdb, 16);
	out->cdb_len = 16;
	return scsi_cmd_parse(out);
}

START_TEST(test_parse_rw_vectors)
{
	static const struct {
		uint8_t cdb[16];
		uint64_t lba;
		uint32_t n;
		enum scsi_dir dir;
		bool fua;
	} v[] = {
	    {{0x08, 0x1f, 0xff, 0xfe, 0x00},
	     0x1ffffe,
	     256,
	     SCSI_DIR_READ,
	     false}, /* READ(6), 0 = 256 */
	    {{0x0a, 0xe1, 0x00, 0x02, 0x03},
	     0x010002,
	     3,
	     SCSI_DIR_WRITE,
	     false}, /* reserved bits ignored */
	    {{0x28, 0x08, 0, 0, 0x12, 0x34, 0, 0, 0x10}, 0x1234, 16, SCSI_DIR_READ, true},
	    {{0x2a, 0x10, 0xff, 0xff, 0xff, 0xff, 0x1f, 0, 1},
	     0xffffffff,
	     1,
	     SCSI_DIR_WRITE,
	     false},
	    {{0xa8, 0x02, 0, 0, 0, 7, 0, 0, 0, 2}, 7, 2, SCSI_DIR_READ, false},
	    {{0xaa, 0x18, 0, 0, 0, 7, 0, 0, 0, 0}, 7, 0, SCSI_DIR_NONE, true},
	    {{0x88, 0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0, 0, 0x01, 0},
	     0x0102030405060708ull,
	     256,
	     SCSI_DIR_READ,
	     false},
	    {{0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 4}, 9, 4, SCSI_DIR_WRITE, true},
	};
	struct scsi_cmd c;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(parse(v[i].cdb, &c), SENSE_OK);
		ck_assert_uint_eq(c.lba, v[i].lba);
		ck_assert_uint_eq(c.nblocks, v[i].n);
		ck_assert_uint_eq(c.xfer_len, v[i].n * T_BS);
		ck_assert_int_eq(c.dir, v[i].dir);
		ck_assert_int_eq(!!(c.flags & SCSI_CMD_F_FUA), v[i].fua);
	}
}
END_TEST

START_TEST(test_parse_rw_malformed)
{
	uint8_t cdb[16];
	struct scsi_cmd c;

	/* RDPROTECT / WRPROTECT without protection information */
	t_cdb10(cdb, SCSI_OP_READ_10, 0x20, 0, 1);
	ck_assert_int_eq(parse(cdb, &c), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(c.sense_field, 1);
	ck_assert_uint_eq(c.sense_bit, 7);
	t_cdb16(cdb, SCSI_OP_WRITE_16, 0xe0, 0, 1);
	ck_assert_int_eq(parse(cdb, &c), SENSE_INVALID_FIELD_IN_CDB);
	t_cdb12(cdb, SCSI_OP_WRITE_12, 0x40, 0, 1);
	ck_assert_int_eq(parse(cdb, &c), SENSE_INVALID_FIELD_IN_CDB);

	/* past MAXIMUM TRANSFER LENGTH */
	t_cdb12(cdb, SCSI_OP_READ_12, 0, 0, SCSI_MAX_XFER_BYTES / T_BS + 1);
	ck_assert_int_eq(parse(cdb, &c), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(c.sense_field, 6);
	t_cdb12(cdb, SCSI_OP_READ_12, 0, 0, SCSI_MAX_XFER_BYTES / T_BS);
	ck_assert_int_eq(parse(cdb, &c), SENSE_OK);
	t_cdb16(cdb, SCSI_OP_WRITE_16, 0, 0, 0xffffffff);
	ck_assert_int_eq(parse(cdb, &c), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(c.sense_field, 10);
}
END_TEST

START_TEST(test_write_read_roundtrip)
{
	uint8_t cdb[16], *pat = malloc(16 * T_BS);
	struct t_cmd t;
	uint32_t i;

	for (i = 0; i < 16 * T_BS; i++)
		pat[i] = (uint8_t)(i * 7 + 3);
	t_cdb16(cdb, SCSI_OP_WRITE_16, 0, 100, 16);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, pat, 16 * T_BS), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->last.offset, 100 * T_BS);
	ck_assert_uint_eq(T.mb->last.len, 16 * T_BS);
	ck_assert(!T.mb->last.fua); /* write-back, no FUA asked */
	ck_assert_ptr_eq(T.mb->last_iov_base, t.buf);
	t_cmd_fini(&t);

	t_cdb10(cdb, SCSI_OP_READ_10, 0, 100, 16);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 16 * T_BS);
	ck_assert_int_eq(memcmp(t.buf, pat, 16 * T_BS), 0);
	t_cmd_fini(&t);

	/* READ(6) of the same, and FUA passed through on WRITE(12) */
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_READ_6;
	cdb[3] = 100;
	cdb[4] = 1;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_int_eq(memcmp(t.buf, pat, T_BS), 0);
	t_cmd_fini(&t);
	t_cdb12(cdb, SCSI_OP_WRITE_12, 0x08, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, pat, T_BS), SCSI_STATUS_GOOD);
	ck_assert(T.mb->last.fua);
	t_cmd_fini(&t);
	free(pat);
}
END_TEST

START_TEST(test_range_and_zero_length)
{
	uint8_t cdb[16];
	struct scsi_cmd c;

	t_cdb10(cdb, SCSI_OP_READ_10, 0, T_NBLOCKS - 1, 2);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	t_cdb16(cdb, SCSI_OP_READ_16, 0, 0xffffffffffffffffull, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	t_cdb16(cdb, SCSI_OP_WRITE_16, 0, 0x8000000000000000ull, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	/* the last block is fine */
	t_cdb10(cdb, SCSI_OP_READ_10, 0, T_NBLOCKS - 1, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);

	/* 0 blocks: not an error, nothing moves; past the end it still is one */
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 0);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 0);
	t_cdb10(cdb, SCSI_OP_READ_10, 0, T_NBLOCKS, 0);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	t_cdb10(cdb, SCSI_OP_READ_10, 0, T_NBLOCKS + 1, 0);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	ck_assert_uint_eq(T.mb->n[BS_OP_READ], 1);
}
END_TEST

START_TEST(test_write_shorter_data_out)
{
	uint8_t cdb[16], b[2 * T_BS];
	struct t_cmd t;

	t_fill(0, 2, 'a');
	memset(b, 'b', sizeof(b));
	/* two blocks asked, one block sent: only the first is written (test_write10_residuals) */
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 2);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, T_BS, b, sizeof(b)), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->last.len, T_BS);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->data[0], 'b');
	ck_assert_uint_eq(T.mb->data[T_BS - 1], 'b');
	ck_assert_uint_eq(T.mb->data[T_BS], 'a');

	/* EDTL 0 for one block: nothing was sent, nothing is written, GOOD */
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 0, NULL, 0), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 1);
}
END_TEST

/* One data-out command of cdb with edtl bytes of 'n' sent: its status, its sense in *c. */
static uint8_t run_out(const uint8_t *cdb, uint32_t edtl, struct scsi_cmd *c)
{
	static uint8_t d[4 * T_BS];
	struct t_cmd t;
	uint8_t st;

	memset(d, 'n', sizeof(d));
	t_cmd_init(&t, T.itl, cdb, 16);
	st = t_run_edtl(&t, edtl, d, sizeof(d));
	*c = t.cmd;
	t_cmd_fini(&t);
	return st;
}

/*
 * The data-out ends inside a logical block (EDTL 200 for a 512-byte
 * block, or 700 for two): no command writes or compares part of a block,
 * so every one that moves data per block is refused, INVALID FIELD IN
 * COMMAND INFORMATION UNIT, and neither reads nor writes the medium.
 * (Each was answered GOOD with nothing written, or with the whole blocks
 * written and the rest of the data dropped.)
 */
START_TEST(test_data_out_ends_inside_a_block)
{
	static const struct {
		uint8_t op;
		uint8_t b1;
		int cdb; /* 6, 10, 12, 16 */
	} cmds[] = {
		{SCSI_OP_WRITE_6, 0, 6},	   {SCSI_OP_WRITE_10, 0, 10},
		{SCSI_OP_WRITE_12, 0, 12},	   {SCSI_OP_WRITE_16, 0, 16},
		{SCSI_OP_WRITE_VERIFY_10, 0x02, 10}, {SCSI_OP_WRITE_VERIFY_12, 0, 12},
		{SCSI_OP_WRITE_VERIFY_16, 0x02, 16}, {SCSI_OP_ORWRITE_16, 0, 16},
		{SCSI_OP_VERIFY_10, 0x02, 10},	   {SCSI_OP_VERIFY_16, 0x02, 16},
	};
	static const uint32_t edtls[][2] = {{1, 200}, {2, 700}, {2, 1023}, {1, 1}};
	uint8_t cdb[16];
	struct scsi_cmd c;

	t_fill(10, 2, 'o');
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(edtls); j++) {
			uint32_t n = edtls[j][0];

			if (cmds[i].cdb == 6) {
				memset(cdb, 0, 16);
				cdb[0] = cmds[i].op;
				cdb[3] = 10;
				cdb[4] = (uint8_t)n;
			} else if (cmds[i].cdb == 10) {
				t_cdb10(cdb, cmds[i].op, cmds[i].b1, 10, (uint16_t)n);
			} else if (cmds[i].cdb == 12) {
				t_cdb12(cdb, cmds[i].op, cmds[i].b1, 10, n);
			} else {
				t_cdb16(cdb, cmds[i].op, cmds[i].b1, 10, n);
			}
			ck_assert_msg(run_out(cdb, edtls[j][1], &c) == SCSI_STATUS_CHECK_CONDITION,
				      "opcode 0x%02x, %u blocks, EDTL %u: status 0x%02x",
				      cmds[i].op, n, edtls[j][1], c.status);
			ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_IU);
		}
	}
	/* VERIFY with BYTCHK 11b: one block of data-out, of which 200 bytes came */
	t_cdb10(cdb, SCSI_OP_VERIFY_10, 0x06, 10, 2);
	ck_assert_uint_eq(run_out(cdb, 200, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_IU);
	/* the medium was not touched, nor read */
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE] + T.mb->n[BS_OP_READ], 0);
	for (size_t k = 0; k < 2 * T_BS; k++)
		ck_assert_uint_eq(T.mb->data[10 * T_BS + k], 'o');
}
END_TEST

/*
 * A data-out cut short at a block boundary is processed as far as it
 * goes (RFC 7143 §11.4.5.2 overflow; FCP-4's "data beyond ... shall not
 * be requested or transferred"): the whole blocks sent are written,
 * compared, ORed, and nothing beyond them.
 */
START_TEST(test_data_out_short_by_whole_blocks)
{
	uint8_t cdb[16];
	struct scsi_cmd c;

	t_fill(10, 3, 'o');
	/* WRITE(6) of 3 blocks, 2 sent */
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_WRITE_6;
	cdb[3] = 10;
	cdb[4] = 3;
	ck_assert_uint_eq(run_out(cdb, 2 * T_BS, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->data[12 * T_BS - 1], 'n');
	ck_assert_uint_eq(T.mb->data[12 * T_BS], 'o');
	/* WRITE AND VERIFY(16), BYTCHK 1, of 3 blocks, 1 sent: written and compared */
	t_fill(10, 3, 'o');
	t_cdb16(cdb, SCSI_OP_WRITE_VERIFY_16, 0x02, 10, 3);
	ck_assert_uint_eq(run_out(cdb, T_BS, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->last.len, T_BS);
	ck_assert_uint_eq(T.mb->data[11 * T_BS - 1], 'n');
	ck_assert_uint_eq(T.mb->data[11 * T_BS], 'o');
	/* VERIFY(10), BYTCHK 1, of 2 blocks, the first sent and it differs */
	t_cdb10(cdb, SCSI_OP_VERIFY_10, 0x02, 11, 2);
	ck_assert_uint_eq(run_out(cdb, T_BS, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_MISCOMPARE);
	/* ... and the one that matches */
	t_cdb10(cdb, SCSI_OP_VERIFY_10, 0x02, 10, 2);
	ck_assert_uint_eq(run_out(cdb, T_BS, &c), SCSI_STATUS_GOOD);
	/* EDTL 0: nothing sent, nothing done */
	ck_assert_uint_eq(run_out(cdb, 0, &c), SCSI_STATUS_GOOD);
	t_cdb16(cdb, SCSI_OP_ORWRITE_16, 0, 10, 2);
	ck_assert_uint_eq(run_out(cdb, 0, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->data[10 * T_BS], 'n');
}
END_TEST

START_TEST(test_read_shorter_buffer)
{
	uint8_t cdb[16];
	struct t_cmd t;

	t_fill(0, 1, 'x');
	t_fill(1, 1, 'y');
	/* one block, EDTL 200: 200 bytes, through a bounce buffer */
	t_cdb10(cdb, SCSI_OP_READ_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 200, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 200);
	ck_assert_uint_eq(t.buf[199], 'x');
	ck_assert_uint_eq(t.buf[200], 0xee);
	t_cmd_fini(&t);

	/* two blocks, one block of room: the first block, straight */
	t_cdb10(cdb, SCSI_OP_READ_10, 0, 0, 2);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, T_BS, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, T_BS);
	ck_assert_uint_eq(T.mb->last.len, T_BS);
	ck_assert_ptr_eq(T.mb->last_iov_base, t.buf);
	t_cmd_fini(&t);

	/* EDTL 0: GOOD, no data, no I/O */
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 0, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 0);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->n[BS_OP_READ], 2);
}
END_TEST

static void verify_cdb(uint8_t *cdb, uint8_t op, uint8_t bytchk, uint64_t lba, uint32_t n)
{
	if (op == SCSI_OP_VERIFY_16 || op == SCSI_OP_WRITE_VERIFY_16)
		t_cdb16(cdb, op, (uint8_t)(bytchk << 1), lba, n);
	else if (op == SCSI_OP_VERIFY_12 || op == SCSI_OP_WRITE_VERIFY_12)
		t_cdb12(cdb, op, (uint8_t)(bytchk << 1), (uint32_t)lba, n);
	else
		t_cdb10(cdb, op, (uint8_t)(bytchk << 1), (uint32_t)lba, (uint16_t)n);
}

START_TEST(test_verify)
{
	uint8_t cdb[16], *d = malloc(4 * T_BS);
	struct t_cmd t;
	struct scsi_cmd c;

	t_fill(20, 4, 'v');
	memset(d, 'v', 4 * T_BS);

	/* BYTCHK 0: no data-out, range checked */
	verify_cdb(cdb, SCSI_OP_VERIFY_10, 0, 20, 4);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(c.dir, SCSI_DIR_NONE);
	verify_cdb(cdb, SCSI_OP_VERIFY_16, 0, T_NBLOCKS - 1, 2);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);

	/* BYTCHK 1, equal */
	verify_cdb(cdb, SCSI_OP_VERIFY_12, 1, 20, 4);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, 4 * T_BS), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.xfer_len, 4 * T_BS);
	t_cmd_fini(&t);

	/* BYTCHK 1, one byte off: MISCOMPARE, INFORMATION = its offset */
	d[3 * T_BS + 17] ^= 'X';
	verify_cdb(cdb, SCSI_OP_VERIFY_16, 1, 20, 4);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, 4 * T_BS), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_MISCOMPARE);
	ck_assert_uint_eq(t.cmd.sense[0], 0xf0);
	ck_assert_uint_eq(get_be32(t.cmd.sense + 3), 3 * T_BS + 17);
	t_cmd_fini(&t);
	d[3 * T_BS + 17] ^= 'X';

	/* BYTCHK 11b: one block against each block */
	t_fill(23, 1, 'w');
	verify_cdb(cdb, SCSI_OP_VERIFY_10, 3, 20, 4);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t.cmd.xfer_len, 0);
	ck_assert_uint_eq(t_run(&t, d, T_BS), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t.cmd.xfer_len, T_BS);
	ck_assert_uint_eq(t_sense(&t.cmd), T_MISCOMPARE);
	ck_assert_uint_eq(get_be32(t.cmd.sense + 3), 3 * T_BS);
	t_cmd_fini(&t);
	verify_cdb(cdb, SCSI_OP_VERIFY_10, 3, 20, 3);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, T_BS), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);

	/* BYTCHK 10b is reserved; VRPROTECT is refused */
	verify_cdb(cdb, SCSI_OP_VERIFY_10, 2, 20, 1);
	ck_assert_int_eq(parse(cdb, &c), SENSE_INVALID_FIELD_IN_CDB);
	verify_cdb(cdb, SCSI_OP_VERIFY_10, 1, 20, 1);
	cdb[1] |= 0x20;
	ck_assert_int_eq(parse(cdb, &c), SENSE_INVALID_FIELD_IN_CDB);
	/* DPO is fine */
	verify_cdb(cdb, SCSI_OP_VERIFY_10, 0, 20, 1);
	cdb[1] |= 0x10;
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	free(d);
}
END_TEST

START_TEST(test_write_and_verify)
{
	uint8_t cdb[16], d[3 * T_BS];
	struct t_cmd t;
	struct scsi_cmd c;

	memset(d, 'q', sizeof(d));
	verify_cdb(cdb, SCSI_OP_WRITE_VERIFY_10, 1, 30, 3);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->nfua, 1); /* written through before it was read back */
	ck_assert_uint_eq(T.mb->n[BS_OP_READ], 1);
	ck_assert_uint_eq(T.mb->data[30 * T_BS], 'q');

	verify_cdb(cdb, SCSI_OP_WRITE_VERIFY_16, 0, 40, 3);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->n[BS_OP_READ], 1);

	verify_cdb(cdb, SCSI_OP_WRITE_VERIFY_12, 3, 40, 3);
	ck_assert_int_eq(parse(cdb, &c), SENSE_INVALID_FIELD_IN_CDB);
	verify_cdb(cdb, SCSI_OP_WRITE_VERIFY_12, 0, T_NBLOCKS - 2, 3);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_LBA_OOR);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_orwrite)
{
	uint8_t cdb[16], d[2 * T_BS];
	struct t_cmd t;

	t_fill(50, 2, 0xa5);
	memset(d, 0x5a, sizeof(d));
	t_cdb16(cdb, SCSI_OP_ORWRITE_16, 0, 50, 2);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->data[50 * T_BS], 0xff);
	ck_assert_uint_eq(T.mb->data[52 * T_BS - 1], 0xff);
	ck_assert_uint_eq(T.mb->data[52 * T_BS], 0x00);

	t_cdb16(cdb, SCSI_OP_ORWRITE_16, 0, T_NBLOCKS - 1, 2);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_LBA_OOR);
	t_cmd_fini(&t);

	/* read-only */
	t_cdb16(cdb, SCSI_OP_ORWRITE_16, 0, 50, 2);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.read_only = true;
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_WRITE_PROTECTED);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_compare_and_write)
{
	uint8_t cdb[16], d[4 * T_BS];
	struct t_cmd t, t2;
	struct scsi_cmd c;

	t_fill(60, 2, 'A');
	memset(d, 'A', 2 * T_BS);
	memset(d + 2 * T_BS, 'B', 2 * T_BS);
	t_cdb16(cdb, SCSI_OP_COMPARE_AND_WRITE, 0, 60, 0);
	cdb[13] = 2;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.xfer_len, 4 * T_BS);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->data[60 * T_BS], 'B');
	ck_assert_uint_eq(T.mb->data[62 * T_BS - 1], 'B');
	ck_assert_uint_eq(T.mb->data[62 * T_BS], 0);

	/* one byte off: MISCOMPARE at its offset, nothing written */
	d[T_BS + 7] = 'X';
	memset(d + 2 * T_BS, 'C', 2 * T_BS);
	t_fill(60, 2, 'A');
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_MISCOMPARE);
	ck_assert_uint_eq(get_be32(t.cmd.sense + 3), T_BS + 7);
	t_cmd_fini(&t);
	ck_assert_uint_eq(T.mb->data[60 * T_BS], 'A');
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 1);

	/* a data-out of another length than the CDB's: nothing compared or written */
	d[T_BS + 7] = 'A';
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 2 * T_BS, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_INVALID_FIELD_CDB);
	t_cmd_fini(&t);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 6 * T_BS, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	t_cmd_fini(&t);
	cdb[13] = 0;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 2 * T_BS, d, sizeof(d)), SCSI_STATUS_CHECK_CONDITION);
	t_cmd_fini(&t);
	/* 0 blocks and no data-out: nothing to do */
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_READ], 2);

	/*
	 * a second one (another initiator) while the first is between its read
	 * and its write waits its turn, then compares against what the first
	 * wrote: MISCOMPARE, 'D' stays
	 */
	cdb[13] = 1;
	memset(d + T_BS, 'D', T_BS); /* one block each: compare 'A', write 'D' */
	t_cmd_init(&t, T.itl, cdb, 16);
	t_start(&t, 2 * T_BS, d, 2 * T_BS);
	t_cmd_init(&t2, T.itl2, cdb, 16);
	t_start(&t2, 2 * T_BS, d, 2 * T_BS);
	ck_assert_int_eq(t2.ndone, 0);
	/* queued on the store: the first one's read, nothing of the second */
	ck_assert_ptr_nonnull(T.mb->head);
	ck_assert_ptr_null(T.mb->head->next);
	ck_assert_ptr_eq(T.mb->head, &t.cmd.io);
	t_settle(&t2);
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_uint_eq(t.cmd.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t2.cmd.status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t2.cmd), T_MISCOMPARE);
	ck_assert_uint_eq(T.mb->data[60 * T_BS], 'D');
	t_cmd_fini(&t);
	t_cmd_fini(&t2);

	/* out of range; write protected; WRPROTECT */
	t_cdb16(cdb, SCSI_OP_COMPARE_AND_WRITE, 0, T_NBLOCKS, 0);
	cdb[13] = 1;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, d, 2 * T_BS), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_LBA_OOR);
	t_cmd_fini(&t);
	put_be64(cdb + 2, 0);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.read_only = true;
	ck_assert_uint_eq(t_run(&t, d, 2 * T_BS), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_WRITE_PROTECTED);
	t_cmd_fini(&t);
	cdb[1] = 0x20;
	ck_assert_int_eq(parse(cdb, &c), SENSE_INVALID_FIELD_IN_CDB);
}
END_TEST

START_TEST(test_read_defect_data)
{
	uint8_t rdd10[16] = {SCSI_OP_READ_DEFECT_DATA_10, 0, 0x18 | 0x05};
	uint8_t rdd12[16] = {SCSI_OP_READ_DEFECT_DATA_12, 0x08};
	struct t_cmd t;

	put_be16(rdd10 + 7, 32);
	t_cmd_init(&t, T.itl, rdd10, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 4);
	ck_assert_uint_eq(t.buf[1], 0x1d);	   /* both lists valid, format 5 */
	ck_assert_uint_eq(get_be16(t.buf + 2), 0); /* and empty */
	t_cmd_fini(&t);
	put_be32(rdd12 + 6, 32);
	t_cmd_init(&t, T.itl, rdd12, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 8);
	ck_assert_uint_eq(t.buf[1], 0x08);
	ck_assert_uint_eq(get_be32(t.buf + 4), 0);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_read_capacity)
{
	uint8_t rc10[16] = {SCSI_OP_READ_CAPACITY_10};
	uint8_t rc16[16] = {SCSI_OP_SERVICE_ACTION_IN_16, SCSI_SAI_READ_CAPACITY_16};
	struct t_cmd t;
	struct scsi_cmd c;

	t_cmd_init(&t, T.itl, rc10, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 8);
	ck_assert_uint_eq(get_be32(t.buf), T_NBLOCKS - 1);
	ck_assert_uint_eq(get_be32(t.buf + 4), T_BS);
	t_cmd_fini(&t);

	put_be32(rc16 + 10, 32);
	t_cmd_init(&t, T.itl, rc16, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 32);
	ck_assert_uint_eq(get_be64(t.buf), T_NBLOCKS - 1);
	ck_assert_uint_eq(get_be32(t.buf + 8), T_BS);
	ck_assert_uint_eq(t.buf[12], 0);	   /* no protection */
	ck_assert_uint_eq(t.buf[13], 0);	   /* one logical block per physical block */
	ck_assert_uint_eq(t.buf[14] & 0xc0, 0xc0); /* LBPME, LBPRZ */
	t_cmd_fini(&t);

	/* allocation lengths below 32 truncate, 0 moves nothing */
	put_be32(rc16 + 10, 15);
	t_cmd_init(&t, T.itl, rc16, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 15);
	t_cmd_fini(&t);
	put_be32(rc16 + 10, 0);
	ck_assert_uint_eq(t_simple(T.itl, rc16, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(c.data_len, 0);

	/* an LBA without PMI */
	put_be32(rc10 + 2, 5);
	ck_assert_uint_eq(t_simple(T.itl, rc10, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	rc10[8] = 1;
	ck_assert_uint_eq(t_simple(T.itl, rc10, 16, &c), SCSI_STATUS_GOOD);

	/* capacity read at command time: a resize shows */
	T.mb->dev.size -= 2 * T_BS;
	memset(rc10, 0, 16);
	rc10[0] = SCSI_OP_READ_CAPACITY_10;
	t_cmd_init(&t, T.itl, rc10, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be32(t.buf), T_NBLOCKS - 3);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_read_capacity_huge)
{
	uint8_t rc10[16] = {SCSI_OP_READ_CAPACITY_10};
	uint8_t rc16[16] = {SCSI_OP_SERVICE_ACTION_IN_16, SCSI_SAI_READ_CAPACITY_16};
	struct mem_bs *big = mem_create(512, 0x200000000ull, false, false, false);
	struct scsi_lu_id id = {.serial = "big"};
	struct scsi_lu *lu;
	struct scsi_itl *itl;
	struct t_cmd t;

	ck_assert_int_eq(scsi_lu_create(&big->dev, &id, &lu), 0);
	ck_assert_int_eq(scsi_itl_create(lu, &T.nx, &itl), 0);
	scsi_itl_take_ua(itl);
	t_cmd_init(&t, itl, rc10, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be32(t.buf), 0xffffffff);
	t_cmd_fini(&t);
	put_be32(rc16 + 10, 32);
	t_cmd_init(&t, itl, rc16, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be64(t.buf), 0x1ffffffffull);
	ck_assert_uint_eq(t.buf[14], 0); /* not thin */
	t_cmd_fini(&t);
	scsi_itl_destroy(itl);
	scsi_lu_destroy(lu);
	mem_destroy(big);
}
END_TEST

START_TEST(test_sync_cache_and_prefetch)
{
	uint8_t cdb[16];
	struct scsi_cmd c;

	t_cdb10(cdb, SCSI_OP_SYNCHRONIZE_CACHE_10, 0x02, 0, 0);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], 1);
	t_cdb16(cdb, SCSI_OP_SYNCHRONIZE_CACHE_16, 0, T_NBLOCKS - 1, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], 2);
	t_cdb16(cdb, SCSI_OP_SYNCHRONIZE_CACHE_16, 0, T_NBLOCKS - 1, 2);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], 2);

	/* PRE-FETCH: GOOD in range, 0 blocks included; out of range otherwise */
	t_cdb10(cdb, SCSI_OP_PRE_FETCH_10, 0, 0, 0);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	t_cdb16(cdb, SCSI_OP_PRE_FETCH_16, 0x02, T_NBLOCKS - 256, 256);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	t_cdb10(cdb, SCSI_OP_PRE_FETCH_10, 0, T_NBLOCKS + 1, 0);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	t_cdb16(cdb, SCSI_OP_PRE_FETCH_16, 0, 0xffffffffffffffffull, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
}
END_TEST

START_TEST(test_sync_cache_write_through_store)
{
	uint8_t cdb[16];

	t_cdb10(cdb, SCSI_OP_SYNCHRONIZE_CACHE_10, 0, 0, 0);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], 0);
}
END_TEST

START_TEST(test_start_stop_unit)
{
	uint8_t ssu[16] = {SCSI_OP_START_STOP_UNIT};
	uint8_t tur[16] = {SCSI_OP_TEST_UNIT_READY};
	uint8_t rd[16], rs[16] = {SCSI_OP_REQUEST_SENSE, 0, 0, 0, 18};
	struct scsi_cmd c;
	struct t_cmd t;

	/* LOEJ on a disk that is not removable */
	ssu[1] = 0x01;
	ssu[4] = 0x02;
	ck_assert_uint_eq(t_simple(T.itl, ssu, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	/* a reserved power condition */
	ssu[4] = 0x40;
	ck_assert_uint_eq(t_simple(T.itl, ssu, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	/* a power condition we have nothing to do for: GOOD, still started */
	ssu[4] = 0x30;
	ck_assert_uint_eq(t_simple(T.itl, ssu, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl, tur, 16, &c), SCSI_STATUS_GOOD);

	/* STOP: the cache is flushed, then medium access is refused, for every nexus */
	ssu[4] = 0x00;
	ck_assert_uint_eq(t_simple(T.itl, ssu, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], 1);
	ck_assert_uint_eq(t_simple(T.itl, tur, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_NOT_READY_STOPPED);
	t_cdb10(rd, SCSI_OP_READ_10, 0, 0, 1);
	ck_assert_uint_eq(t_simple(T.itl2, rd, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_NOT_READY_STOPPED);
	t_cmd_init(&t, T.itl, rs, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), T_NOT_READY_STOPPED);
	t_cmd_fini(&t);

	/* START (NO_FLUSH does not matter) */
	ssu[4] = 0x05;
	ck_assert_uint_eq(t_simple(T.itl, ssu, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl, tur, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_simple(T.itl2, rd, 16, &c), SCSI_STATUS_GOOD);

	/* STOP with NO_FLUSH: no flush */
	ssu[4] = 0x04;
	ck_assert_uint_eq(t_simple(T.itl, ssu, 16, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], 1);
}
END_TEST

START_TEST(test_backstore_errors)
{
	uint8_t cdb[16], blk[T_BS] = {0};
	struct t_cmd t;
	struct scsi_cmd c;

	T.mb->fail_next = -EIO;
	t_cdb10(cdb, SCSI_OP_READ_10, 0, 0, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_READ_ERROR);
	ck_assert_uint_eq(c.data_len, 0);

	T.mb->fail_next = -EIO;
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_WRITE_ERROR);
	t_cmd_fini(&t);

	T.mb->fail_next = -ENOSPC;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_SPACE_ALLOC);
	t_cmd_fini(&t);

	T.mb->fail_next = -EBADF;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), 0x044400);
	t_cmd_fini(&t);

	/* a failure in the middle of a two-stage command frees its bounce buffer */
	T.mb->fail_next = -EIO;
	t_cdb16(cdb, SCSI_OP_ORWRITE_16, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_READ_ERROR);
	t_cmd_fini(&t);

	ck_assert_int_eq(scsi_bs_error(-EROFS, BS_OP_WRITE), SENSE_WRITE_PROTECTED);
	ck_assert_int_eq(scsi_bs_error(-ERANGE, BS_OP_READ), SENSE_LBA_OUT_OF_RANGE);
	ck_assert_int_eq(scsi_bs_error(-EIO, BS_OP_FLUSH), SENSE_INTERNAL_TARGET_FAILURE);
	ck_assert_int_eq(scsi_bs_error(-ESHUTDOWN, BS_OP_WRITE), SENSE_ALUA_UNAVAILABLE);
}
END_TEST

START_TEST(test_store_read_only)
{
	uint8_t cdb[16], blk[T_BS] = {0};
	struct t_cmd t;

	T.mb->dev.readonly = true;
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, blk, sizeof(blk)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_WRITE_PROTECTED);
	t_cmd_fini(&t);
}
END_TEST

/* READ CAPACITY(16) byte 13 and 14-15 for a physical block of phys bytes. */
static void rc16_geometry(uint32_t phys, uint8_t want_exp)
{
	uint8_t rc16[16] = {SCSI_OP_SERVICE_ACTION_IN_16, SCSI_SAI_READ_CAPACITY_16};
	struct t_cmd t;

	T.mb->dev.phys_block_size = phys;
	put_be32(rc16 + 10, 32);
	t_cmd_init(&t, T.itl, rc16, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be32(t.buf + 8), T_BS);
	/* P_I_EXPONENT 0, LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT */
	ck_assert_uint_eq(t.buf[13], want_exp);
	/* LBPME, LBPRZ, LOWEST ALIGNED LOGICAL BLOCK ADDRESS 0 */
	ck_assert_uint_eq(t.buf[14], 0xc0);
	ck_assert_uint_eq(t.buf[15], 0);
	t_cmd_fini(&t);
}

/* SBC-3 §5.13.2: a 512e store (physical_block_size = 4096) says 8 blocks per physical block. */
START_TEST(test_read_capacity_512e)
{
	rc16_geometry(4096, 3);
	rc16_geometry(65536, 7);
	rc16_geometry(512, 0);
	/* a store that says nothing (0) is one block per physical block */
	rc16_geometry(0, 0);
}
END_TEST

static Suite *sbc_suite(void)
{
	Suite *s = suite_create("sbc");
	TCase *tc = tcase_create("thin");
	TCase *tk = tcase_create("thick");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_parse_rw_vectors);
	tcase_add_test(tc, test_parse_rw_malformed);
	tcase_add_test(tc, test_write_read_roundtrip);
	tcase_add_test(tc, test_range_and_zero_length);
	tcase_add_test(tc, test_write_shorter_data_out);
	tcase_add_test(tc, test_read_shorter_buffer);
	tcase_add_test(tc, test_data_out_ends_inside_a_block);
	tcase_add_test(tc, test_data_out_short_by_whole_blocks);
	tcase_add_test(tc, test_verify);
	tcase_add_test(tc, test_write_and_verify);
	tcase_add_test(tc, test_orwrite);
	tcase_add_test(tc, test_compare_and_write);
	tcase_add_test(tc, test_read_defect_data);
	tcase_add_test(tc, test_read_capacity);
	tcase_add_test(tc, test_read_capacity_huge);
	tcase_add_test(tc, test_read_capacity_512e);
	tcase_add_test(tc, test_sync_cache_and_prefetch);
	tcase_add_test(tc, test_start_stop_unit);
	tcase_add_test(tc, test_backstore_errors);
	tcase_add_test(tc, test_store_read_only);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tk, t_setup_thick, t_teardown);
	tcase_add_test(tk, test_sync_cache_write_through_store);
	suite_add_tcase(s, tk);
	return s;
}

CHECK_MAIN(sbc_suite)

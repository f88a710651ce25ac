/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logical block provisioning (target/scsi/sbc_lbp.c): UNMAP, WRITE SAME, GET LBA STATUS. */
#include "tests/unit/target/scsi/scsi_test_util.h"

struct ud {
	uint64_t lba;
	uint32_t n;
};

/* Builds an UNMAP parameter list for d[0..n) into p; returns its length. */
static size_t unmap_list(uint8_t *p, const struct ud *d, size_t n)
{
	size_t i;

	memset(p, 0, 8 + 16 * n);
	put_be16(p, (uint16_t)(6 + 16 * n));
	put_be16(p + 2, (uint16_t)(16 * n));
	for (i = 0; i < n; i++) {
		put_be64(p + 8 + 16 * i, d[i].lba);
		put_be32(p + 8 + 16 * i + 8, d[i].n);
	}
	return 8 + 16 * n;
}

static uint8_t run_unmap(const struct ud *d, size_t n, struct scsi_cmd *out)
{
	uint8_t cdb[16] = {SCSI_OP_UNMAP}, p[8 + 16 * 300];
	size_t len = unmap_list(p, d, n);
	struct t_cmd t;
	uint8_t st;

	put_be16(cdb + 7, (uint16_t)len);
	t_cmd_init(&t, T.itl, cdb, 16);
	st = t_run(&t, p, len);
	if (out)
		*out = t.cmd;
	t_cmd_fini(&t);
	return st;
}

START_TEST(test_unmap)
{
	struct ud d[3] = {{10, 4}, {100, 0}, {200, 2}};
	struct scsi_cmd c;

	t_fill(0, 300, 'a');
	ck_assert_uint_eq(run_unmap(d, 3, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_UNMAP], 2); /* the empty descriptor needs no request */
	ck_assert(!T.mb->mapped[10] && !T.mb->mapped[13] && T.mb->mapped[14]);
	ck_assert(!T.mb->mapped[200] && !T.mb->mapped[201] && T.mb->mapped[202]);
	ck_assert(T.mb->mapped[9]);
	ck_assert_uint_eq(T.mb->data[10 * T_BS], 0);

	/* no descriptors; zero blocks at the end of the LU: GOOD */
	ck_assert_uint_eq(run_unmap(d, 0, &c), SCSI_STATUS_GOOD);
	d[0] = (struct ud){T_NBLOCKS, 0};
	ck_assert_uint_eq(run_unmap(d, 1, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_UNMAP], 2);
}
END_TEST

START_TEST(test_unmap_rejects)
{
	static struct ud many[300];
	struct ud d[2] = {{0, 1}, {T_NBLOCKS - 1, 2}};
	uint8_t cdb[16] = {SCSI_OP_UNMAP}, p[24];
	struct scsi_cmd c;
	struct t_cmd t;
	size_t i;

	/* one bad descriptor: nothing is deallocated */
	t_fill(0, 1, 'a');
	ck_assert_uint_eq(run_unmap(d, 2, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	ck_assert_uint_eq(T.mb->n[BS_OP_UNMAP], 0);
	ck_assert(T.mb->mapped[0]);

	for (i = 0; i < 300; i++)
		many[i] = (struct ud){i, 1};
	ck_assert_uint_eq(run_unmap(many, 257, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(run_unmap(many, 256, &c), SCSI_STATUS_GOOD);

	d[0] = (struct ud){0, SCSI_MAX_UNMAP_BLOCKS + 1};
	T.mb->dev.size = (uint64_t)(SCSI_MAX_UNMAP_BLOCKS + 8) * T_BS; /* no I/O will reach it */
	ck_assert_uint_eq(run_unmap(d, 1, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	T.mb->dev.size = (uint64_t)T_NBLOCKS * T_BS;

	/* parameter list length 0: nothing, GOOD; shorter than the header: an error */
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_GOOD);
	put_be16(cdb + 7, 6);
	memset(p, 0, sizeof(p));
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, p, 6), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_PARAM_LEN);
	t_cmd_fini(&t);

	/*
	 * The iSCSI EDTL cuts the parameter list short (16 of its 24 bytes):
	 * nothing is deallocated; a longer EDTL takes the list (docs/conformance.md)
	 */
	t_fill(0, 1, 'a');
	put_be16(cdb + 7, 24);
	d[0] = (struct ud){0, 1};
	unmap_list(p, d, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 16, p, 24), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_PARAM_LEN);
	t_cmd_fini(&t);
	ck_assert(T.mb->mapped[0]);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 512, p, 24), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
	ck_assert(!T.mb->mapped[0]);
	put_be16(cdb + 7, 0);

	/* ANCHOR */
	cdb[1] = 0x01;
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);

	/* write protection first */
	cdb[1] = 0;
	put_be16(cdb + 7, 24);
	unmap_list(p, d, 1);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.read_only = true;
	ck_assert_uint_eq(t_run(&t, p, 24), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_WRITE_PROTECTED);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_unmap_thick_is_not_there)
{
	uint8_t cdb[16] = {SCSI_OP_UNMAP};
	struct scsi_cmd c;

	put_be16(cdb + 7, 24);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_OPCODE);
	/* WRITE SAME with UNMAP: an invalid field */
	t_cdb10(cdb, SCSI_OP_WRITE_SAME_10, 0x08, 0, 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
}
END_TEST

/*
 * On a write-protected LU, write protection wins over the invalid field
 * (libiscsi's ReadOnly.ReadOnlySBC, LIO): both commands would change the medium.
 */
START_TEST(test_write_protection_wins_over_field_checks)
{
	uint8_t cdb[16] = {SCSI_OP_UNMAP};
	struct scsi_cmd c;

	memset(&c, 0, sizeof(c));
	c.itl = T.itl;
	c.read_only = true;
	put_be16(cdb + 7, 24);
	memcpy(c.cdb, cdb, sizeof(cdb));
	c.cdb_len = 10;
	ck_assert_int_eq(scsi_cmd_parse(&c), SENSE_WRITE_PROTECTED);

	memset(&c, 0, sizeof(c));
	c.itl = T.itl;
	c.read_only = true;
	t_cdb10(cdb, SCSI_OP_WRITE_SAME_10, 0x08, 0, 1);
	memcpy(c.cdb, cdb, 10);
	c.cdb_len = 10;
	ck_assert_int_eq(scsi_cmd_parse(&c), SENSE_WRITE_PROTECTED);

	/* Not write-protected: the field check stands. */
	c.read_only = false;
	ck_assert_int_eq(scsi_cmd_parse(&c), SENSE_INVALID_FIELD_IN_CDB);
}
END_TEST

static uint8_t run_ws(uint8_t op, uint8_t b1, uint64_t lba, uint32_t n, const uint8_t *blk,
		      uint32_t edtl, struct scsi_cmd *out)
{
	uint8_t cdb[16];
	struct t_cmd t;
	uint8_t st;

	if (op == SCSI_OP_WRITE_SAME_16)
		t_cdb16(cdb, op, b1, lba, n);
	else
		t_cdb10(cdb, op, b1, (uint32_t)lba, (uint16_t)n);
	t_cmd_init(&t, T.itl, cdb, 16);
	st = t_run_edtl(&t, edtl, blk, blk ? T_BS : 0);
	if (out)
		*out = t.cmd;
	t_cmd_fini(&t);
	return st;
}

START_TEST(test_write_same_replicates)
{
	uint8_t blk[T_BS];
	uint32_t n = 4096 + 3, i; /* over two chunks of the bounce buffer */
	struct scsi_cmd c;

	for (i = 0; i < T_BS; i++)
		blk[i] = (uint8_t)(i + 1);
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0, 7, n, blk, T_BS, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 3);
	for (i = 7; i < 7 + n; i++)
		ck_assert_int_eq(memcmp(T.mb->data + (size_t)i * T_BS, blk, T_BS), 0);
	ck_assert_uint_eq(T.mb->data[(7 + n) * (size_t)T_BS], 0);
	ck_assert_uint_eq(T.mb->data[7 * T_BS - 1], 0);

	/* WRITE SAME(10) at the end of the LU */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0, T_NBLOCKS - 2, 2, blk, T_BS, &c),
			  SCSI_STATUS_GOOD);
	ck_assert_int_eq(memcmp(T.mb->data + (size_t)(T_NBLOCKS - 1) * T_BS, blk, T_BS), 0);
}
END_TEST

/* A store that replicates the block itself (rbd): one request, one block of data. */
START_TEST(test_write_same_by_the_store)
{
	uint8_t blk[T_BS], zero[T_BS] = { 0 };
	uint32_t n = 4096 + 3, i;
	struct scsi_cmd c;

	T.mb->dev.write_same = true;
	for (i = 0; i < T_BS; i++)
		blk[i] = (uint8_t)(i + 7);
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0, 7, n, blk, T_BS, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE_SAME], 1);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 0);
	ck_assert_uint_eq(T.mb->last.offset, 7 * T_BS);
	ck_assert_uint_eq(T.mb->last.len, (uint64_t)n * T_BS);
	for (i = 7; i < 7 + n; i++)
		ck_assert_int_eq(memcmp(T.mb->data + (size_t)i * T_BS, blk, T_BS), 0);
	ck_assert_uint_eq(T.mb->data[(7 + n) * (size_t)T_BS], 0);
	/* zeroes still go to the zeroing primitive, UNMAP to deallocation */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0, 8, 8, zero, T_BS, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE_ZEROES], 1);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE_SAME], 1);
	/* the store's error is the command's */
	T.mb->fail_next = -EIO;
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0, 100, 4, blk, T_BS, &c),
			  SCSI_STATUS_CHECK_CONDITION);
}
END_TEST

START_TEST(test_write_same_zeroes_and_unmap)
{
	uint8_t zero[T_BS] = {0}, ff[T_BS];
	struct scsi_cmd c;

	memset(ff, 0xff, sizeof(ff));
	t_fill(0, 64, 'z');
	/* zeroes: the store's zeroing primitive, blocks stay allocated */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0, 0, 8, zero, T_BS, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE_ZEROES], 1);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 0);
	ck_assert(T.mb->mapped[0]);
	ck_assert_uint_eq(T.mb->data[7 * T_BS], 0);

	/* ... or written out when the store has none */
	T.mb->no_write_zeroes = true;
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0, 8, 8, zero, T_BS, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 1);
	ck_assert_uint_eq(T.mb->data[15 * T_BS], 0);
	ck_assert_uint_eq(T.mb->data[16 * T_BS], 'z');

	/* ... also when the store refuses it at submission */
	T.mb->no_write_zeroes = false;
	T.mb->refuse_write_zeroes = true;
	t_fill(8, 8, 'z');
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0, 8, 8, zero, T_BS, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 2);
	ck_assert_uint_eq(T.mb->data[8 * T_BS], 0);
	ck_assert_uint_eq(T.mb->data[15 * T_BS], 0);

	/* NDOB: no data-out at all */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0x01, 16, 8, NULL, 0, &c),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(c.dir, SCSI_DIR_NONE);
	ck_assert_uint_eq(T.mb->data[23 * T_BS], 0);

	/* UNMAP: deallocated whatever the data */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0x08, 32, 16, ff, T_BS, &c),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_UNMAP], 1);
	ck_assert(!T.mb->mapped[32] && !T.mb->mapped[47] && T.mb->mapped[48]);
}
END_TEST

START_TEST(test_write_same_rejects)
{
	uint8_t blk[T_BS] = {1};
	struct scsi_cmd c;

	/* 0 blocks past the end: a bad LBA */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0, T_NBLOCKS + 1, 0, blk, T_BS, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0, T_NBLOCKS - 1, 2, blk, T_BS, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_LBA_OOR);
	/* ANCHOR, WRPROTECT, beyond MAXIMUM WRITE SAME LENGTH */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0x10, 0, 1, blk, T_BS, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0x18, 0, 1, blk, T_BS, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0x20, 0, 1, blk, T_BS, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(
	    run_ws(SCSI_OP_WRITE_SAME_16, 0, 0, SCSI_MAX_WRITE_SAME_BLOCKS + 1, blk, T_BS, &c),
	    SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	/*
	 * The data-out is one logical block, exactly: half of one did not all
	 * come, and two are an initiator that thinks the block is larger (it
	 * was replicated from the first half); with UNMAP too. Nothing is
	 * written or deallocated.
	 */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0, 0, 1, blk, T_BS / 2, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_IU);
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0, 0, 4, blk, 2 * T_BS, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_IU);
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0x08, 0, 4, blk, 2 * T_BS, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_IU);
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0x08, 0, 4, blk, 0, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_IU);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE] + T.mb->n[BS_OP_WRITE_ZEROES] +
			      T.mb->n[BS_OP_UNMAP],
			  0);
	/* NDOB takes no data-out: what is sent anyway is not looked at */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0x01, 0, 4, blk, T_BS, &c),
			  SCSI_STATUS_GOOD);
}
END_TEST

START_TEST(test_write_same_to_the_end)
{
	uint8_t blk[T_BS];
	struct scsi_cmd c;

	/* WSNZ 0: NUMBER OF LOGICAL BLOCKS 0 runs through the last LBA */
	memset(blk, 0x3c, sizeof(blk));
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0, T_NBLOCKS - 10, 0, blk, T_BS, &c),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->data[(T_NBLOCKS - 10) * (size_t)T_BS], 0x3c);
	ck_assert_uint_eq(T.mb->data[T_NBLOCKS * (size_t)T_BS - 1], 0x3c);
	ck_assert_uint_eq(T.mb->data[(T_NBLOCKS - 11) * (size_t)T_BS], 0);
	/* ... with UNMAP it deallocates to the end */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_16, 0x08, T_NBLOCKS - 4, 0, blk, T_BS, &c),
			  SCSI_STATUS_GOOD);
	ck_assert(!T.mb->mapped[T_NBLOCKS - 1] && !T.mb->mapped[T_NBLOCKS - 4]);
	ck_assert(T.mb->mapped[T_NBLOCKS - 5]);
	ck_assert_uint_eq(T.mb->last.len, 4 * T_BS);
	/* at the capacity itself there is nothing to write */
	ck_assert_uint_eq(run_ws(SCSI_OP_WRITE_SAME_10, 0, T_NBLOCKS, 0, blk, T_BS, &c),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE] + T.mb->n[BS_OP_UNMAP], 2);
}
END_TEST

START_TEST(test_write_same_to_the_end_too_long)
{
	struct mem_bs *big = mem_create(512, SCSI_MAX_WRITE_SAME_BLOCKS + 2ull, true, true, false);
	struct scsi_lu_id id = {.serial = "big"};
	uint8_t cdb[16], blk[512] = {1};
	struct scsi_lu *lu;
	struct scsi_itl *itl;
	struct t_cmd t;

	ck_assert_int_eq(scsi_lu_create(&big->dev, &id, &lu), 0);
	ck_assert_int_eq(scsi_itl_create(lu, &T.nx, &itl), 0);
	scsi_itl_take_ua(itl);
	/* MAXIMUM WRITE SAME LENGTH + 1 blocks to the end: refused */
	t_cdb16(cdb, SCSI_OP_WRITE_SAME_16, 0, 1, 0);
	t_cmd_init(&t, itl, cdb, 16);
	t.cmd.edtl = 512;
	ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_OK);
	t.cmd.buf = t.buf;
	t.cmd.buf_len = 512;
	memcpy(t.buf, blk, 512);
	ck_assert_int_eq(scsi_cmd_exec(&t.cmd), SCSI_EXEC_DONE);
	ck_assert_uint_eq(t_sense(&t.cmd), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(get_be16(t.cmd.sense + 16), 10);
	ck_assert_ptr_null(big->head);
	t_cmd_fini(&t);
	scsi_itl_destroy(itl);
	scsi_lu_destroy(lu);
	mem_destroy(big);
}
END_TEST

static uint8_t run_gls(uint64_t lba, uint32_t alloc, struct t_cmd *t)
{
	uint8_t cdb[16] = {SCSI_OP_SERVICE_ACTION_IN_16, SCSI_SAI_GET_LBA_STATUS};

	put_be64(cdb + 2, lba);
	put_be32(cdb + 10, alloc);
	t_cmd_init(t, T.itl, cdb, 16);
	return t_run(t, NULL, 0);
}

START_TEST(test_get_lba_status)
{
	struct ud d[1] = {{10, 5}};
	struct t_cmd t;

	t_fill(0, T_NBLOCKS, 'm');
	ck_assert_uint_eq(run_unmap(d, 1, NULL), SCSI_STATUS_GOOD);

	ck_assert_uint_eq(run_gls(0, 256, &t), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be32(t.buf), 4 + 3 * 16);
	ck_assert_uint_eq(t.cmd.data_len, 8 + 3 * 16);
	ck_assert_uint_eq(get_be64(t.buf + 8), 0);
	ck_assert_uint_eq(get_be32(t.buf + 16), 10);
	ck_assert_uint_eq(t.buf[20], 0); /* mapped */
	ck_assert_uint_eq(get_be64(t.buf + 24), 10);
	ck_assert_uint_eq(get_be32(t.buf + 32), 5);
	ck_assert_uint_eq(t.buf[36], 1); /* deallocated */
	ck_assert_uint_eq(get_be64(t.buf + 40), 15);
	ck_assert_uint_eq(get_be32(t.buf + 48), T_NBLOCKS - 15);
	t_cmd_fini(&t);

	/* starting inside a run; room for one descriptor: the first one */
	ck_assert_uint_eq(run_gls(12, 24, &t), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 24);
	ck_assert_uint_eq(get_be32(t.buf), 4 + 2 * 16); /* the whole answer is described */
	ck_assert_uint_eq(get_be64(t.buf + 8), 12);
	ck_assert_uint_eq(get_be32(t.buf + 16), 3);
	ck_assert_uint_eq(t.buf[20], 1);
	t_cmd_fini(&t);

	/* the last block; past it */
	ck_assert_uint_eq(run_gls(T_NBLOCKS - 1, 24, &t), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be32(t.buf + 16), 1);
	t_cmd_fini(&t);
	ck_assert_uint_eq(run_gls(T_NBLOCKS, 24, &t), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_LBA_OOR);
	t_cmd_fini(&t);
	ck_assert_uint_eq(run_gls(0xffffffffffffffffull, 24, &t), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_LBA_OOR);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_get_lba_status_thick)
{
	struct t_cmd t;

	ck_assert_uint_eq(run_gls(5, 1024, &t), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be32(t.buf), 4 + 16);
	ck_assert_uint_eq(get_be64(t.buf + 8), 5);
	ck_assert_uint_eq(get_be32(t.buf + 16), T_NBLOCKS - 5);
	ck_assert_uint_eq(t.buf[20], 0);
	t_cmd_fini(&t);
}
END_TEST

static Suite *lbp_suite(void)
{
	Suite *s = suite_create("sbc_lbp");
	TCase *tc = tcase_create("thin");
	TCase *tk = tcase_create("thick");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_unmap);
	tcase_add_test(tc, test_unmap_rejects);
	tcase_add_test(tc, test_write_same_replicates);
	tcase_add_test(tc, test_write_same_by_the_store);
	tcase_add_test(tc, test_write_same_zeroes_and_unmap);
	tcase_add_test(tc, test_write_same_rejects);
	tcase_add_test(tc, test_write_same_to_the_end);
	tcase_add_test(tc, test_write_same_to_the_end_too_long);
	tcase_add_test(tc, test_get_lba_status);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tk, t_setup_thick, t_teardown);
	tcase_add_test(tk, test_unmap_thick_is_not_there);
	tcase_add_test(tk, test_write_protection_wins_over_field_checks);
	tcase_add_test(tk, test_get_lba_status_thick);
	suite_add_tcase(s, tk);
	return s;
}

CHECK_MAIN(lbp_suite)

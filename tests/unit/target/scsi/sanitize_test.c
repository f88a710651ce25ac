// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SANITIZE (target/scsi/sanitize.c): the parameter list, the pattern, the
 * progress and the pace as pure functions; then the command through the
 * engine over the in-memory store: CDB fields, OVERWRITE with INVERT and
 * passes, BLOCK/CRYPTO ERASE on a thin and a thick LU, the LU's states
 * (idle, in progress, failed) and what each refuses from every nexus,
 * EXIT FAILURE MODE and AUSE, IMMED with REQUEST SENSE's progress, an
 * aborted waiter, a LU reset, reservations and write protection.
 */
#include "tests/unit/target/scsi/scsi_test_util.h"

#define T_SANITIZE_IN_PROGRESS 0x02041bu
#define T_SANITIZE_FAILED 0x033103u
#define T_RESERVATION 0xffffffffu

static void san_setup(void)
{
	t_setup();
	sanitize_set_rate(0); /* unpaced: the store completes when the test says */
}

static void san_setup_thick(void)
{
	t_setup_thick();
	sanitize_set_rate(0);
}

static void san_teardown(void)
{
	mem_drain(T.mb);
	sanitize_set_rate(SANITIZE_DEFAULT_RATE);
	t_teardown();
}

static void cdb_sanitize(uint8_t *cdb, uint8_t b1, uint16_t plen)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_SANITIZE;
	cdb[1] = b1;
	put_be16(cdb + 7, plen);
}

/* An OVERWRITE parameter list: byte0 (INVERT|count), a pattern of plen bytes of v. */
static size_t ow_params(uint8_t *p, uint8_t byte0, uint16_t plen, uint8_t v)
{
	p[0] = byte0;
	p[1] = 0;
	put_be16(p + 2, plen);
	for (uint16_t i = 0; i < plen; i++)
		p[4 + i] = (uint8_t)(v + i);
	return 4u + plen;
}

/* Runs one request of the store (the operation's next step). */
static bool step_one(void)
{
	struct bs_io *io = T.mb->head;

	if (!io)
		return false;
	T.mb->head = io->next;
	if (!T.mb->head)
		T.mb->tail = &T.mb->head;
	io->result = mem_run(T.mb, io);
	io->cb(io);
	return true;
}

static uint8_t lu_state(void)
{
	return atomic_load(&T.lu->sanitize.state);
}

/*
 * Parses and executes a SANITIZE with IMMED (or one that ends at once):
 * the answer comes from exec, the operation's requests stay queued.
 */
static uint8_t run_immed(struct scsi_itl *itl, uint8_t b1, const uint8_t *params, size_t plen,
			 struct scsi_cmd *last)
{
	struct t_cmd t;
	uint8_t cdb[16];

	cdb_sanitize(cdb, b1, (uint16_t)plen);
	t_cmd_init(&t, itl, cdb, 10);
	t.parsed = scsi_cmd_parse(&t.cmd);
	if (t.parsed != SENSE_OK) {
		scsi_cmd_set_sense(&t.cmd, t.parsed);
	} else {
		t.cmd.buf = t.buf;
		t.cmd.buf_len = t.cmd.xfer_len;
		if (plen)
			memcpy(t.buf, params, plen);
		ck_assert_int_eq(scsi_cmd_exec(&t.cmd), SCSI_EXEC_DONE);
	}
	ck_assert_int_eq(t.ndone, 0);
	if (last)
		*last = t.cmd;
	t_cmd_fini(&t);
	return last ? last->status : t.cmd.status;
}

/* A whole SANITIZE without IMMED, run to its end. */
static uint8_t run_sanitize(struct scsi_itl *itl, uint8_t b1, const uint8_t *params, size_t plen,
			    struct scsi_cmd *last)
{
	struct t_cmd t;
	uint8_t cdb[16];
	uint8_t st;

	cdb_sanitize(cdb, b1, (uint16_t)plen);
	t_cmd_init(&t, itl, cdb, 10);
	st = t_run(&t, params, plen);
	if (last)
		*last = t.cmd;
	t_cmd_fini(&t);
	return st;
}

/*
 * A command without data-out that ends at once, while the operation's
 * requests may stay queued (t_simple wants the store idle).
 */
static uint8_t run_now(struct scsi_itl *itl, const uint8_t *cdb, size_t cdb_len, struct t_cmd *t)
{
	t_cmd_init(t, itl, cdb, cdb_len);
	t->parsed = scsi_cmd_parse(&t->cmd);
	if (t->parsed != SENSE_OK) {
		scsi_cmd_set_sense(&t->cmd, t->parsed);
		return t->cmd.status;
	}
	t->cmd.buf = t->buf;
	t->cmd.buf_len = t->cmd.xfer_len;
	ck_assert_int_eq(scsi_cmd_exec(&t->cmd), SCSI_EXEC_DONE);
	ck_assert_int_eq(t->ndone, 0);
	return t->cmd.status;
}

static uint8_t simple_now(struct scsi_itl *itl, const uint8_t *cdb, size_t cdb_len,
			  struct scsi_cmd *last)
{
	struct t_cmd t;
	uint8_t st = run_now(itl, cdb, cdb_len, &t);

	if (last)
		*last = t.cmd;
	t_cmd_fini(&t);
	return st;
}

static uint32_t tur(struct scsi_itl *itl, struct scsi_cmd *last)
{
	uint8_t cdb[16] = {SCSI_OP_TEST_UNIT_READY};
	struct scsi_cmd c;

	if (simple_now(itl, cdb, 6, &c) == SCSI_STATUS_GOOD)
		return T_GOOD;
	if (last)
		*last = c;
	return t_sense(&c);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	return len == 0 || (p[0] == 0 && !memcmp(p, p + 1, len - 1));
}

/* The SKS progress of fixed sense data s (0x10000 when not valid). */
static uint32_t sks_progress(const uint8_t *s)
{
	if (!(s[15] & 0x80))
		return 0x10000;
	return get_be16(s + 16);
}

/* ---- pure ---- */

START_TEST(test_parse_overwrite)
{
	uint8_t p[T_BS + 8];
	struct sanitize_overwrite ow;
	unsigned int byte;
	int bit;
	size_t n;

	n = ow_params(p, 0x83, 8, 0x10);
	ck_assert_int_eq(sanitize_parse_overwrite(p, n, T_BS, &ow, &byte, &bit), SENSE_OK);
	ck_assert(ow.invert);
	ck_assert_uint_eq(ow.count, 3);
	ck_assert_uint_eq(ow.pattern_len, 8);
	ck_assert_ptr_eq(ow.pattern, p + 4);

	/* SBC-3 §5.30.2.2: count 0 */
	n = ow_params(p, 0x80, 8, 0);
	ck_assert_int_eq(sanitize_parse_overwrite(p, n, T_BS, &ow, &byte, &bit),
			 SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(byte, 0);
	ck_assert_int_eq(bit, 4);
	/* TEST field */
	n = ow_params(p, 0x21, 8, 0);
	ck_assert_int_eq(sanitize_parse_overwrite(p, n, T_BS, &ow, &byte, &bit),
			 SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_int_eq(bit, 6);
	/* reserved byte 1 */
	n = ow_params(p, 0x01, 8, 0);
	p[1] = 1;
	ck_assert_int_eq(sanitize_parse_overwrite(p, n, T_BS, &ow, &byte, &bit),
			 SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(byte, 1);
	/* pattern length 0, longer than a block, longer or shorter than the list holds */
	n = ow_params(p, 0x01, 0, 0);
	ck_assert_int_eq(sanitize_parse_overwrite(p, n, T_BS, &ow, &byte, &bit),
			 SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(byte, 2);
	n = ow_params(p, 0x01, T_BS + 4, 0);
	ck_assert_int_eq(sanitize_parse_overwrite(p, n, T_BS, &ow, &byte, &bit),
			 SENSE_INVALID_FIELD_IN_PARAM_LIST);
	n = ow_params(p, 0x01, 8, 0);
	ck_assert_int_eq(sanitize_parse_overwrite(p, n - 1, T_BS, &ow, &byte, &bit),
			 SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_int_eq(sanitize_parse_overwrite(p, n + 1, T_BS, &ow, &byte, &bit),
			 SENSE_INVALID_FIELD_IN_PARAM_LIST);
	/* shorter than the header: never read past len */
	ck_assert_int_eq(sanitize_parse_overwrite(p, 3, T_BS, &ow, &byte, &bit),
			 SENSE_PARAM_LIST_LENGTH_ERROR);
	/* a whole block */
	n = ow_params(p, 0x01, T_BS, 0);
	ck_assert_int_eq(sanitize_parse_overwrite(p, n, T_BS, &ow, &byte, &bit), SENSE_OK);
}
END_TEST

START_TEST(test_fill)
{
	uint8_t buf[3 * 512];
	const uint8_t pat[3] = {1, 2, 3};

	sanitize_fill(buf, sizeof(buf), 512, pat, 3, false);
	/* the pattern starts again at every block */
	for (size_t b = 0; b < 3; b++) {
		ck_assert_uint_eq(buf[b * 512], 1);
		ck_assert_uint_eq(buf[b * 512 + 1], 2);
		ck_assert_uint_eq(buf[b * 512 + 2], 3);
		ck_assert_uint_eq(buf[b * 512 + 510], pat[510 % 3]);
		ck_assert_uint_eq(buf[b * 512 + 511], pat[511 % 3]);
	}
	sanitize_fill(buf, sizeof(buf), 512, pat, 3, true);
	ck_assert_uint_eq(buf[0], 0xfe);
	ck_assert_uint_eq(buf[1024 + 2], 0xfc);
}
END_TEST

START_TEST(test_progress_and_pace)
{
	ck_assert_uint_eq(sanitize_progress(0, 100), 0);
	ck_assert_uint_eq(sanitize_progress(1, 4), 0x4000);
	ck_assert_uint_eq(sanitize_progress(3, 4), 0xc000);
	ck_assert_uint_eq(sanitize_progress(4, 4), 0xffff);
	ck_assert_uint_eq(sanitize_progress(5, 4), 0xffff);
	ck_assert_uint_eq(sanitize_progress(0, 0), 0xffff);
	/* 1 PiB LUs: no overflow */
	ck_assert_uint_eq(sanitize_progress(1ull << 62, 1ull << 63), 0x8000);

	ck_assert_int_eq(sanitize_pace_ms(1 << 20, 0, 0), 0);
	/* 128 MiB at 128 MiB/s is due after 1 s */
	ck_assert_int_eq(sanitize_pace_ms(128ull << 20, 0, 128ull << 20), 1000);
	ck_assert_int_eq(sanitize_pace_ms(128ull << 20, 400, 128ull << 20), 600);
	ck_assert_int_eq(sanitize_pace_ms(128ull << 20, 1500, 128ull << 20), 0);
	ck_assert_int_eq(sanitize_pace_ms(64ull << 20, -5, 128ull << 20), 500);
}
END_TEST

/* ---- the command ---- */

START_TEST(test_cdb_fields)
{
	uint8_t p[16];
	struct scsi_cmd c;
	size_t n = ow_params(p, 0x01, 4, 0xaa);
	uint8_t cdb[16];

	/* reserved bit 6 of byte 1, reserved bytes 2-6 (libiscsi Sanitize.*Reserved) */
	ck_assert_uint_eq(run_immed(T.itl, 0x40 | SANITIZE_SA_BLOCK_ERASE, NULL, 0, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	for (unsigned int i = 2; i <= 6; i++) {
		struct t_cmd t;

		cdb_sanitize(cdb, SANITIZE_SA_CRYPTO_ERASE, 0);
		cdb[i] = 1;
		t_cmd_init(&t, T.itl, cdb, 10);
		ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_CHECK_CONDITION);
		ck_assert_uint_eq(t_sense(&t.cmd), T_INVALID_FIELD_CDB);
		ck_assert_uint_eq(get_be16(t.cmd.sense + 16), i);
		t_cmd_fini(&t);
	}
	/* every service action but 01h-03h and 1Fh */
	for (unsigned int sa = 0; sa < 0x1f; sa++) {
		if (sa >= 1 && sa <= 3)
			continue;
		ck_assert_uint_eq(run_immed(T.itl, (uint8_t)sa, NULL, 0, &c),
				  SCSI_STATUS_CHECK_CONDITION);
		ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	}
	/* a parameter list where none is taken */
	ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_BLOCK_ERASE, p, 8, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_EXIT_FAILURE_MODE, p, 8, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	/* OVERWRITE: 5 to block size + 4 bytes */
	for (size_t len = 0; len < 5; len++) {
		ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_OVERWRITE, p, len, &c),
				  SCSI_STATUS_CHECK_CONDITION);
		ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	}
	cdb_sanitize(cdb, SANITIZE_SA_OVERWRITE, T_BS + 5);
	{
		struct t_cmd t;

		t_cmd_init(&t, T.itl, cdb, 10);
		ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_INVALID_FIELD_IN_CDB);
		t_cmd_fini(&t);
	}
	/* a bad parameter list: nothing starts */
	n = ow_params(p, 0x00, 4, 0xaa);
	ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_OVERWRITE, p, n, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);
	ck_assert_ptr_null(T.mb->head);
}
END_TEST

START_TEST(test_overwrite_passes_invert)
{
	uint8_t p[16];
	size_t n;

	t_fill(0, T_NBLOCKS, 'a');
	/* two passes with INVERT: the second writes the inverted pattern */
	n = ow_params(p, 0x82, 4, 0x10);
	ck_assert_uint_eq(run_sanitize(T.itl, SANITIZE_SA_OVERWRITE, p, n, NULL), SCSI_STATUS_GOOD);
	for (size_t off = 0; off < (size_t)T_NBLOCKS * T_BS; off += 4)
		if (T.mb->data[off] != (0x10 ^ 0xff))
			ck_abort_msg("byte %zu is %02x", off, T.mb->data[off]);
	ck_assert_uint_eq(T.mb->data[T_BS * 7 + 3], 0x13 ^ 0xff);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 2 * (T_NBLOCKS * T_BS) / (1u << 20));
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], 1);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);

	/* three passes with INVERT: the last one is the pattern as given */
	n = ow_params(p, 0x83, 4, 0x10);
	ck_assert_uint_eq(run_sanitize(T.itl, SANITIZE_SA_OVERWRITE, p, n, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->data[0], 0x10);
	ck_assert_uint_eq(T.mb->data[(size_t)T_NBLOCKS * T_BS - T_BS + 1], 0x11);
	ck_assert_uint_eq(tur(T.itl2, NULL), T_GOOD);
}
END_TEST

START_TEST(test_erase_thin)
{
	uint8_t sa[2] = {SANITIZE_SA_BLOCK_ERASE, SANITIZE_SA_CRYPTO_ERASE};

	ck_assert_uint_eq(sanitize_vpd_b1_byte7(T.lu), 0x50);
	for (int i = 0; i < 2; i++) {
		t_fill(0, 16, 'a');
		t_fill(T_NBLOCKS - 16, 16, 'a');
		ck_assert_uint_eq(run_sanitize(T.itl, sa[i], NULL, 0, NULL), SCSI_STATUS_GOOD);
		ck_assert(all_zero(T.mb->data, (size_t)T_NBLOCKS * T_BS));
		for (size_t b = 0; b < T_NBLOCKS; b++)
			ck_assert(!T.mb->mapped[b]);
	}
	ck_assert_uint_eq(T.mb->n[BS_OP_UNMAP], 2);
	ck_assert_uint_eq(T.mb->n[BS_OP_FLUSH], 2);
}
END_TEST

START_TEST(test_erase_thick_not_offered)
{
	struct scsi_cmd c;
	uint8_t p[16];
	size_t n = ow_params(p, 0x01, 4, 0x5a);

	ck_assert_uint_eq(sanitize_vpd_b1_byte7(T.lu), 0);
	ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_BLOCK_ERASE, NULL, 0, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_OPCODE);
	ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_CRYPTO_ERASE, NULL, 0, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_OPCODE);
	/* OVERWRITE is */
	ck_assert_uint_eq(run_sanitize(T.itl, SANITIZE_SA_OVERWRITE, p, n, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->data[T_BS * 100 + 2], 0x5c);
}
END_TEST

START_TEST(test_immed_progress_and_refusals)
{
	uint8_t p[16], cdb[16] = {0};
	struct scsi_cmd c;
	size_t n = ow_params(p, 0x01, 4, 0x77);
	struct t_cmd t;

	/* IMMED: GOOD once the parameter list is checked; the operation runs on */
	ck_assert_uint_eq(run_immed(T.itl, 0x80 | SANITIZE_SA_OVERWRITE, p, n, &c),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_RUNNING);

	/* from every nexus: NOT READY, SANITIZE IN PROGRESS, with the progress */
	ck_assert_uint_eq(tur(T.itl2, &c), T_SANITIZE_IN_PROGRESS);
	ck_assert_uint_eq(sks_progress(c.sense), 0);
	ck_assert(step_one()); /* 1 MiB of 4 */
	ck_assert_uint_eq(tur(T.itl, &c), T_SANITIZE_IN_PROGRESS);
	ck_assert_uint_eq(sks_progress(c.sense), 0x4000);
	t_cdb10(cdb, SCSI_OP_READ_10, 0, 0, 1);
	ck_assert_uint_eq(simple_now(T.itl2, cdb, 10, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_SANITIZE_IN_PROGRESS);
	/* another SANITIZE, EXIT FAILURE MODE included */
	ck_assert_uint_eq(run_immed(T.itl2, SANITIZE_SA_BLOCK_ERASE, NULL, 0, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_SANITIZE_IN_PROGRESS);
	ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_EXIT_FAILURE_MODE, NULL, 0, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_SANITIZE_IN_PROGRESS);

	/* REQUEST SENSE reports it, with the progress (SPC-4 §4.5.2.4.4) */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_OP_REQUEST_SENSE;
	cdb[4] = 252;
	ck_assert_uint_eq(run_now(T.itl2, cdb, 6, &t), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), T_SANITIZE_IN_PROGRESS);
	ck_assert_uint_eq(sks_progress(t.buf), 0x4000);
	t_cmd_fini(&t);
	/* ... in descriptor format too */
	cdb[1] = 0x01;
	ck_assert(step_one());
	ck_assert_uint_eq(run_now(T.itl, cdb, 6, &t), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), T_SANITIZE_IN_PROGRESS);
	ck_assert_uint_eq(t.buf[8], SCSI_SENSE_DESC_SKS);
	ck_assert_uint_eq(t.buf[12], 0x80);
	ck_assert_uint_eq(get_be16(t.buf + 13), 0x8000);
	t_cmd_fini(&t);

	/* INQUIRY and REPORT LUNS go through */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_OP_INQUIRY;
	cdb[4] = 96;
	ck_assert_uint_eq(simple_now(T.itl2, cdb, 6, NULL), SCSI_STATUS_GOOD);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_OP_REPORT_LUNS;
	put_be32(cdb + 6, 64);
	ck_assert_uint_eq(simple_now(T.itl2, cdb, 12, NULL), SCSI_STATUS_GOOD);

	/* a LOGICAL UNIT RESET does not stop it (SBC-3 §4.32.1) */
	scsi_lu_reset(T.lu, NULL);
	scsi_itl_take_ua(T.itl);
	scsi_itl_take_ua(T.itl2);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_RUNNING);

	mem_drain(T.mb);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);
	ck_assert_uint_eq(tur(T.itl2, NULL), T_GOOD);
	ck_assert_uint_eq(T.mb->data[T_BS * 8191 + 1], 0x78);
	/* idle: REQUEST SENSE says nothing */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_OP_REQUEST_SENSE;
	cdb[4] = 252;
	t_cmd_init(&t, T.itl, cdb, 6);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), 0);
	t_cmd_fini(&t);
}
END_TEST

static void failed_sanitize(uint8_t ause)
{
	uint8_t p[16];
	struct scsi_cmd c;
	size_t n = ow_params(p, 0x01, 4, 0x77);

	T.mb->fail_next = -EIO;
	ck_assert_uint_eq(run_sanitize(T.itl, ause | SANITIZE_SA_OVERWRITE, p, n, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_SANITIZE_FAILED);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_FAILED);
}

START_TEST(test_failed_state_ause0)
{
	uint8_t p[16], cdb[16], block[T_BS] = {0};
	struct scsi_cmd c;
	size_t n = ow_params(p, 0x01, 4, 0x33);
	struct t_cmd t;

	failed_sanitize(0);
	/* every nexus: MEDIUM ERROR, SANITIZE COMMAND FAILED; INQUIRY still answers */
	ck_assert_uint_eq(tur(T.itl2, NULL), T_SANITIZE_FAILED);
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	t_cmd_init(&t, T.itl, cdb, 10);
	ck_assert_uint_eq(t_run(&t, block, sizeof(block)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_SANITIZE_FAILED);
	t_cmd_fini(&t);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_OP_INQUIRY;
	cdb[4] = 96;
	ck_assert_uint_eq(t_simple(T.itl2, cdb, 6, NULL), SCSI_STATUS_GOOD);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_OP_REQUEST_SENSE;
	cdb[4] = 252;
	t_cmd_init(&t, T.itl2, cdb, 6);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t_sense_of(t.buf, t.cmd.data_len), T_SANITIZE_FAILED);
	t_cmd_fini(&t);

	/* SBC-3 §5.30.5: AUSE was 0, EXIT FAILURE MODE may not leave */
	ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_EXIT_FAILURE_MODE, NULL, 0, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_FAILED);
	/* a sanitize that completes does */
	ck_assert_uint_eq(run_sanitize(T.itl2, SANITIZE_SA_OVERWRITE, p, n, NULL),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);
	ck_assert_uint_eq(tur(T.itl, NULL), T_GOOD);
}
END_TEST

START_TEST(test_failed_state_ause1_exit)
{
	failed_sanitize(0x20);
	ck_assert_uint_eq(tur(T.itl, NULL), T_SANITIZE_FAILED);
	ck_assert_uint_eq(run_immed(T.itl2, SANITIZE_SA_EXIT_FAILURE_MODE, NULL, 0, NULL),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);
	ck_assert_uint_eq(tur(T.itl, NULL), T_GOOD);
	/* idle: EXIT FAILURE MODE has nothing to leave, and says GOOD */
	ck_assert_uint_eq(run_immed(T.itl2, SANITIZE_SA_EXIT_FAILURE_MODE, NULL, 0, NULL),
			  SCSI_STATUS_GOOD);
}
END_TEST

START_TEST(test_abort_waiter)
{
	uint8_t p[16], cdb[16];
	size_t n = ow_params(p, 0x01, 4, 0x44);
	struct t_cmd t;

	cdb_sanitize(cdb, SANITIZE_SA_OVERWRITE, (uint16_t)n);
	t_cmd_init(&t, T.itl, cdb, 10);
	ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_OK);
	t.cmd.buf = t.buf;
	t.cmd.buf_len = t.cmd.xfer_len;
	memcpy(t.buf, p, n);
	ck_assert_int_eq(scsi_cmd_exec(&t.cmd), SCSI_EXEC_ASYNC);
	ck_assert(step_one());
	ck_assert_int_eq(t.ndone, 0);
	/*
	 * The transport gives up (ABORT TASK, a reset, the connection gone):
	 * the command ends at the operation's next step, from its callback.
	 */
	t.cmd.aborted = true;
	ck_assert_int_eq(t.ndone, 0);
	ck_assert(step_one());
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_uint_eq(t.cmd.status, SCSI_STATUS_CHECK_CONDITION);
	/* the operation goes on to its end */
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_RUNNING);
	mem_drain(T.mb);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_uint_eq(T.mb->data[T_BS * 4000], 0x44);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_reservation_and_write_protect)
{
	uint8_t cdb[16] = {SCSI_OP_RESERVE_6};
	struct scsi_cmd c;
	struct t_cmd t;

	ck_assert_uint_eq(t_simple(T.itl2, cdb, 6, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(run_sanitize(T.itl, SANITIZE_SA_BLOCK_ERASE, NULL, 0, &c),
			  SCSI_STATUS_RESERVATION_CONFLICT);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = SCSI_OP_RELEASE_6;
	ck_assert_uint_eq(t_simple(T.itl2, cdb, 6, NULL), SCSI_STATUS_GOOD);

	/* mapped read-only for this initiator */
	cdb_sanitize(cdb, SANITIZE_SA_CRYPTO_ERASE, 0);
	t_cmd_init(&t, T.itl, cdb, 10);
	t.cmd.read_only = true;
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_WRITE_PROTECTED);
	t_cmd_fini(&t);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);
}
END_TEST

START_TEST(test_rsoc_lists_service_actions)
{
	const struct scsi_op *op;
	bool has_sa;

	op = scsi_op_lookup(SCSI_OP_SANITIZE, SANITIZE_SA_OVERWRITE, &has_sa);
	ck_assert(has_sa);
	ck_assert_ptr_nonnull(op);
	ck_assert_uint_eq(op->cdb_len, 10);
	ck_assert_uint_eq(op->usage[1], 0xbf);
	ck_assert_ptr_nonnull(scsi_op_lookup(SCSI_OP_SANITIZE, SANITIZE_SA_BLOCK_ERASE, NULL));
	ck_assert_ptr_nonnull(scsi_op_lookup(SCSI_OP_SANITIZE, SANITIZE_SA_CRYPTO_ERASE, NULL));
	ck_assert_ptr_nonnull(
	    scsi_op_lookup(SCSI_OP_SANITIZE, SANITIZE_SA_EXIT_FAILURE_MODE, NULL));
	ck_assert_ptr_null(scsi_op_lookup(SCSI_OP_SANITIZE, 0, NULL));
	ck_assert_ptr_null(scsi_op_lookup(SCSI_OP_SANITIZE, 4, NULL));
}
END_TEST

/* A store that remembers the last mark, and can refuse. */
static struct {
	int nset, nclear;
	bool set, ause;
	int fail;
	int released;
} fs;

static int fake_mark(void *arg, bool set, bool ause)
{
	(void)arg;
	if (fs.fail)
		return fs.fail;
	if (set)
		fs.nset++;
	else
		fs.nclear++;
	fs.set = set;
	fs.ause = ause;
	return 0;
}

static void fake_release(void *arg)
{
	(void)arg;
	fs.released++;
}

static const struct sanitize_store_ops fake_store = {.mark = fake_mark, .release = fake_release};

START_TEST(test_store_marks)
{
	uint8_t p[16];
	struct scsi_cmd c;
	size_t n = ow_params(p, 0x01, 4, 0x21);

	memset(&fs, 0, sizeof(fs));
	sanitize_lu_set_store(T.lu, &fake_store, NULL);
	/* recorded before it starts, cleared when it completes */
	ck_assert_uint_eq(run_immed(T.itl, 0x80 | 0x20 | SANITIZE_SA_OVERWRITE, p, n, NULL),
			  SCSI_STATUS_GOOD);
	ck_assert_int_eq(fs.nset, 1);
	ck_assert(fs.set && fs.ause);
	mem_drain(T.mb);
	ck_assert_int_eq(fs.nclear, 1);
	ck_assert(!fs.set);
	/* a failure stays recorded; EXIT FAILURE MODE clears it */
	failed_sanitize(0x20);
	ck_assert_int_eq(fs.nset, 2);
	ck_assert(fs.set);
	ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_EXIT_FAILURE_MODE, NULL, 0, NULL),
			  SCSI_STATUS_GOOD);
	ck_assert(!fs.set);
	/* what cannot be recorded does not start */
	fs.fail = -EIO;
	ck_assert_uint_eq(run_immed(T.itl, 0x80 | SANITIZE_SA_OVERWRITE, p, n, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), 0x044400u);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);
	ck_assert_ptr_null(T.mb->head);
	fs.fail = 0;
	/* an LU restored failed */
	sanitize_lu_restore_failed(T.lu, false);
	ck_assert_uint_eq(tur(T.itl2, NULL), T_SANITIZE_FAILED);
	ck_assert_uint_eq(run_immed(T.itl, SANITIZE_SA_EXIT_FAILURE_MODE, NULL, 0, &c),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(run_sanitize(T.itl, SANITIZE_SA_BLOCK_ERASE, NULL, 0, NULL),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(tur(T.itl2, NULL), T_GOOD);
	ck_assert_int_eq(fs.released, 0);
}
END_TEST

static void step_cb(void *arg)
{
	*(bool *)arg = step_one();
}

/* step_one() from the loop, as the store's completions run (ev_current() set). */
static bool step_in_loop(void)
{
	bool stepped = false;

	ck_assert_int_eq(ev_post(T.loop, step_cb, &stepped), 0);
	ev_run_once(T.loop, 0);
	return stepped;
}

START_TEST(test_thread_stop)
{
	uint8_t p[16];
	size_t n = ow_params(p, 0x01, 4, 0x66);

	/* a request in the store: the operation ends when it completes */
	ck_assert_uint_eq(run_immed(T.itl, 0x80 | SANITIZE_SA_OVERWRITE, p, n, NULL),
			  SCSI_STATUS_GOOD);
	ck_assert_ptr_nonnull(T.mb->head);
	scsi_thread_stop();
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_RUNNING);
	ck_assert(step_one());
	ck_assert_ptr_null(T.mb->head);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_FAILED);

	/* waiting for its pace (a timer, nothing in the store): it ends at once */
	sanitize_set_rate(1 << 20); /* 1 MiB/s: the second write waits about a second */
	ck_assert_uint_eq(run_immed(T.itl, 0x80 | SANITIZE_SA_OVERWRITE, p, n, NULL),
			  SCSI_STATUS_GOOD);
	ck_assert(step_in_loop());
	ck_assert_ptr_null(T.mb->head);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_RUNNING);
	scsi_thread_stop();
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_FAILED);
	/* nothing of it is left to run */
	ev_run_once(T.loop, 0);
	ck_assert_ptr_null(T.mb->head);
	scsi_thread_stop();
}
END_TEST

/* Takes the oldest request out of the store's queue without running it: a command held there. */
static struct bs_io *hold_one(void)
{
	struct bs_io *io = T.mb->head;

	ck_assert_ptr_nonnull(io);
	T.mb->head = io->next;
	if (!T.mb->head)
		T.mb->tail = &T.mb->head;
	return io;
}

static void release_held(struct bs_io *io)
{
	io->result = mem_run(T.mb, io);
	io->cb(io);
}

/*
 * SBC-4 §4.11.1: the sanitize acts on the whole medium. A WRITE accepted
 * before the SANITIZE (another nexus's, held in the store) must land
 * before the operation's first write, not after its last: the operation
 * starts only once every command already in the engine on the LU has
 * ended, and the LU refuses new ones meanwhile.
 */
START_TEST(test_waits_for_commands_in_flight)
{
	uint8_t p[16], cdb[16], scdb[16];
	static uint8_t data[8 * T_BS];
	size_t n = ow_params(p, 0x01, 4, 0x5a);
	unsigned int writes_before;
	struct t_cmd w, s;
	struct scsi_cmd c;
	struct bs_io *held;

	memset(data, 0xc3, sizeof(data));
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 100, 8);
	t_cmd_init(&w, T.itl2, cdb, 10);
	t_start(&w, sizeof(data), data, sizeof(data));
	held = hold_one();
	ck_assert_ptr_null(T.mb->head);

	cdb_sanitize(scdb, SANITIZE_SA_OVERWRITE, (uint16_t)n);
	t_cmd_init(&s, T.itl, scdb, 10);
	t_start(&s, (uint32_t)n, p, n);
	/* started: every other command is refused from now on, progress 0 */
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_RUNNING);
	ck_assert_uint_eq(tur(T.itl2, &c), T_SANITIZE_IN_PROGRESS);
	ck_assert_uint_eq(sks_progress(c.sense), 0);
	ck_assert_uint_eq(tur(T.itl, NULL), T_SANITIZE_IN_PROGRESS);

	/* whatever the operation could do while the write is held, it does now */
	mem_drain(T.mb);
	for (int i = 0; i < 4; i++)
		ck_assert_int_ge(ev_run_once(T.loop, 0), 0);
	mem_drain(T.mb);
	writes_before = T.mb->n[BS_OP_WRITE];

	/* the held write ends (GOOD: it was accepted), then the operation runs */
	release_held(held);
	t_settle(&w);
	ck_assert_uint_eq(w.cmd.status, SCSI_STATUS_GOOD);
	t_settle(&s);
	ck_assert_uint_eq(s.cmd.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);
	for (size_t off = 0; off < (size_t)T_NBLOCKS * T_BS; off += 4)
		if (T.mb->data[off] != 0x5a)
			ck_abort_msg("byte %zu is %02x after the sanitize", off, T.mb->data[off]);
	ck_assert_uint_eq(writes_before, 0);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 1 + (T_NBLOCKS * T_BS) / (1u << 20));
	t_cmd_fini(&w);
	t_cmd_fini(&s);
	ck_assert_uint_eq(tur(T.itl2, NULL), T_GOOD);
}
END_TEST

static int straddler_ran;

static enum scsi_exec_result straddler_next(struct scsi_cmd *cmd)
{
	straddler_ran++;
	return scsi_cmd_finish(cmd, SENSE_OK);
}

/*
 * A command that passed the sanitize check just before the SANITIZE began
 * and asks for its range just after (scsi_cmd_exec's window between the
 * two, played here by calling scsi_cmd_lock directly): it waits behind the
 * operation's hold on the whole LU and, once granted, looks at the state
 * again: after a sanitize that succeeded it runs, as a command that came
 * after it; after one that failed it is refused.
 */
START_TEST(test_queued_behind_the_operation)
{
	uint8_t p[16], cdb[16], scdb[16], wcdb[16];
	static uint8_t data[T_BS];
	size_t n = ow_params(p, 0x01, 4, 0x4b);

	for (int fail = 0; fail < 2; fail++) {
		struct t_cmd w, s, late;
		struct bs_io *held;

		straddler_ran = 0;
		t_cdb10(wcdb, SCSI_OP_WRITE_10, 0, 100, 1);
		t_cmd_init(&w, T.itl2, wcdb, 10);
		t_start(&w, sizeof(data), data, sizeof(data));
		held = hold_one();

		cdb_sanitize(scdb, SANITIZE_SA_OVERWRITE, (uint16_t)n);
		t_cmd_init(&s, T.itl, scdb, 10);
		t_start(&s, (uint32_t)n, p, n);
		ck_assert_uint_eq(lu_state(), SANITIZE_STATE_RUNNING);

		t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 50, 1);
		t_cmd_init(&late, T.itl2, cdb, 10);
		ck_assert_int_eq(scsi_cmd_parse(&late.cmd), SENSE_OK);
		late.cmd.buf = late.buf;
		late.cmd.buf_len = T_BS;
		ck_assert_int_eq(scsi_cmd_lock(&late.cmd, 50, 1, RANGE_LOCK_SHARED, straddler_next),
				 SCSI_EXEC_ASYNC);

		release_held(held);
		t_settle(&w);
		ck_assert_uint_eq(w.cmd.status, SCSI_STATUS_GOOD);
		/* the operation's first request fails: the LU fails */
		for (int i = 0; i < 4 && !T.mb->head; i++)
			ck_assert_int_ge(ev_run_once(T.loop, 0), 0);
		ck_assert_ptr_nonnull(T.mb->head);
		if (fail)
			T.mb->fail_next = -EIO;
		t_settle(&s);
		t_settle(&late);
		if (fail) {
			ck_assert_uint_eq(s.cmd.status, SCSI_STATUS_CHECK_CONDITION);
			ck_assert_uint_eq(straddler_ran, 0);
			ck_assert_uint_eq(late.cmd.status, SCSI_STATUS_CHECK_CONDITION);
			ck_assert_uint_eq(t_sense(&late.cmd), T_SANITIZE_FAILED);
		} else {
			ck_assert_uint_eq(s.cmd.status, SCSI_STATUS_GOOD);
			ck_assert_uint_eq(straddler_ran, 1);
			ck_assert_uint_eq(late.cmd.status, SCSI_STATUS_GOOD);
		}
		ck_assert_uint_eq(range_lock_queued(&T.lu->range), 0);
		t_cmd_fini(&w);
		t_cmd_fini(&s);
		t_cmd_fini(&late);
	}
}
END_TEST

/*
 * IMMED answers as soon as the command is checked, whether or not the
 * operation still waits for the commands in flight; porticod's stop while
 * it waits leaves the LU failed, and the command it waited for still ends.
 */
START_TEST(test_drain_immed_and_stop)
{
	uint8_t p[16], cdb[16];
	static uint8_t data[T_BS];
	size_t n = ow_params(p, 0x01, 4, 0x21);
	struct t_cmd w;
	struct bs_io *held;

	memset(data, 0x3c, sizeof(data));
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 7, 1);
	t_cmd_init(&w, T.itl, cdb, 10);
	t_start(&w, sizeof(data), data, sizeof(data));
	held = hold_one();
	ck_assert_uint_eq(run_immed(T.itl2, 0x80 | SANITIZE_SA_OVERWRITE, p, n, NULL),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_RUNNING);
	ck_assert_ptr_null(T.mb->head);

	scsi_thread_stop();
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_FAILED);
	release_held(held);
	t_settle(&w);
	ck_assert_uint_eq(w.cmd.status, SCSI_STATUS_GOOD);
	for (int i = 0; i < 4; i++)
		ck_assert_int_ge(ev_run_once(T.loop, 0), 0);
	ck_assert_ptr_null(T.mb->head);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 1);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_FAILED);
	t_cmd_fini(&w);

	/* a sanitize that completes clears the failed state, and waits for nothing */
	ck_assert_uint_eq(run_sanitize(T.itl, SANITIZE_SA_OVERWRITE, p, n, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->data[7 * T_BS], 0x21);
	ck_assert_uint_eq(lu_state(), SANITIZE_STATE_IDLE);
}
END_TEST

static Suite *sanitize_suite(void)
{
	Suite *s = suite_create("sanitize");
	TCase *tp = tcase_create("pure");
	TCase *tc = tcase_create("thin");
	TCase *tk = tcase_create("thick");

	tcase_add_test(tp, test_parse_overwrite);
	tcase_add_test(tp, test_fill);
	tcase_add_test(tp, test_progress_and_pace);
	tcase_add_test(tp, test_rsoc_lists_service_actions);
	suite_add_tcase(s, tp);

	tcase_add_checked_fixture(tc, san_setup, san_teardown);
	tcase_add_test(tc, test_cdb_fields);
	tcase_add_test(tc, test_overwrite_passes_invert);
	tcase_add_test(tc, test_erase_thin);
	tcase_add_test(tc, test_immed_progress_and_refusals);
	tcase_add_test(tc, test_failed_state_ause0);
	tcase_add_test(tc, test_failed_state_ause1_exit);
	tcase_add_test(tc, test_abort_waiter);
	tcase_add_test(tc, test_reservation_and_write_protect);
	tcase_add_test(tc, test_store_marks);
	tcase_add_test(tc, test_thread_stop);
	tcase_add_test(tc, test_waits_for_commands_in_flight);
	tcase_add_test(tc, test_drain_immed_and_stop);
	tcase_add_test(tc, test_queued_behind_the_operation);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tk, san_setup_thick, san_teardown);
	tcase_add_test(tk, test_erase_thick_not_offered);
	suite_add_tcase(s, tk);
	return s;
}

CHECK_MAIN(sanitize_suite)

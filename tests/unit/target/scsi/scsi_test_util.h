/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the SCSI engine tests share: a per-test environment (an ev loop with
 * the backstore thread context, a mem store, an LU and two nexuses), a
 * command runner that parses, executes and drains the store, and sense
 * accessors for both formats.
 *
 * Every helper is static inline: each test program uses a different subset.
 */
#ifndef PORTICO_TESTS_SCSI_TEST_UTIL_H
#define PORTICO_TESTS_SCSI_TEST_UTIL_H

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/ev.h"
#include "target/scsi/scsi.h"
#include "target/scsi/scsi_int.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/scsi/mem_bs.h"

#define T_BS 512u
#define T_NBLOCKS 8192u /* 4 MiB */
#define T_BUF (SCSI_MAX_XFER_BYTES + 4096)

struct t_env {
	struct ev_loop *loop;
	struct mem_bs *mb;
	struct scsi_lu *lu;
	struct scsi_nexus nx;
	struct scsi_nexus nx2;
	struct scsi_itl *itl;  /* the nexus commands use */
	struct scsi_itl *itl2; /* another initiator's nexus on the same LU */
	uint64_t luns[4];
	size_t nluns;
};

static struct t_env T;

static inline size_t t_list_luns(const struct scsi_nexus *nx, uint64_t *luns, size_t max)
{
	size_t i;

	(void)nx;
	for (i = 0; i < T.nluns && i < max; i++)
		luns[i] = T.luns[i];
	return T.nluns;
}

static inline void t_env_up(uint32_t bs, uint64_t nblocks, bool thin, bool write_back)
{
	struct scsi_lu_id id = {.serial = "SER0001",
				.naa = {0x60, 0x01, 0x40, 0x50, 0x0a, 0x0b, 0x0c, 0x0d},
				.vendor = "PORTICO",
				.product = "disk",
				.revision = "0.1"};

	memset(&T, 0, sizeof(T));
	ck_assert_int_eq(ev_loop_create(&T.loop), 0);
	ck_assert_int_eq(bs_thread_init(T.loop), 0);
	scsi_init();
	T.mb = mem_create(bs, nblocks, thin, write_back, true);
	ck_assert_int_eq(scsi_lu_create(&T.mb->dev, &id, &T.lu), 0);
	strcpy(T.nx.initiator_port, "iqn.2024-01.org.example:host1,i,0x000000000001");
	T.nx.target_name = "iqn.2024-01.org.portico:tgt";
	T.nx.tpg_tag = 1;
	T.nx.list_luns = t_list_luns;
	T.nx2 = T.nx;
	strcpy(T.nx2.initiator_port, "iqn.2024-01.org.example:host2,i,0x000000000002");
	T.luns[0] = 0;
	T.luns[1] = 5;
	T.luns[2] = 300;
	T.nluns = 3;
	ck_assert_int_eq(scsi_itl_create(T.lu, &T.nx, &T.itl), 0);
	ck_assert_int_eq(scsi_itl_create(T.lu, &T.nx2, &T.itl2), 0);
	/* Tests start as an initiator does after login: the POWER ON attention consumed. */
	scsi_itl_take_ua(T.itl);
	scsi_itl_take_ua(T.itl2);
}

static inline void t_setup(void)
{
	t_env_up(T_BS, T_NBLOCKS, true, true);
}

static inline void t_setup_thick(void)
{
	t_env_up(T_BS, T_NBLOCKS, false, false);
}

static inline void t_teardown(void)
{
	scsi_itl_destroy(T.itl);
	scsi_itl_destroy(T.itl2);
	scsi_lu_destroy(T.lu);
	ck_assert_int_eq(T.mb->cb_inside_submit, 0);
	mem_destroy(T.mb);
	bs_thread_fini();
	ev_loop_destroy(T.loop);
}

/* A command under test, with its own transport-owned buffer. */
struct t_cmd {
	struct scsi_cmd cmd;
	uint8_t *buf;
	int ndone;
	enum sense_reason parsed;
	bool in_exec;
	int done_inside_exec;
};

static inline void t_done(struct scsi_cmd *cmd)
{
	struct t_cmd *t = cmd->priv;

	if (t->in_exec)
		t->done_inside_exec++;
	t->ndone++;
}

static inline void t_cmd_init(struct t_cmd *t, struct scsi_itl *itl, const uint8_t *cdb,
			      size_t cdb_len)
{
	void *p = NULL;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(posix_memalign(&p, 4096, T_BUF), 0);
	t->buf = p;
	memset(t->buf, 0xee, T_BUF);
	/* the nexus the itl belongs to (a test's own ones too) */
	t->cmd.nexus = itl && itl->nx ? itl->nx : itl == T.itl2 ? &T.nx2 : &T.nx;
	t->cmd.itl = itl;
	memcpy(t->cmd.cdb, cdb, cdb_len);
	t->cmd.cdb_len = 16;
	t->cmd.done = t_done;
	t->cmd.priv = t;
}

static inline void t_cmd_fini(struct t_cmd *t)
{
	ck_assert_ptr_null(t->cmd.bounce);
	free(t->buf);
}

/*
 * Runs the store and the loop (where a command waiting for an LBA range is
 * woken) until t has completed; bounded.
 */
static inline void t_settle(struct t_cmd *t)
{
	int i;

	for (i = 0; i < 1000 && !t->ndone; i++) {
		mem_drain(T.mb);
		if (!t->ndone)
			ck_assert_int_ge(ev_run_once(T.loop, 0), 0);
	}
	mem_drain(T.mb);
	ck_assert_int_eq(t->ndone, 1);
}

/*
 * Parses and starts a command without running the store: SCSI_EXEC_ASYNC
 * expected (it then waits for its I/O or its range); t_settle ends it.
 */
static inline void t_start(struct t_cmd *t, uint32_t edtl, const void *out, size_t out_len)
{
	struct scsi_cmd *cmd = &t->cmd;

	cmd->edtl = edtl;
	ck_assert_int_eq(scsi_cmd_parse(cmd), SENSE_OK);
	cmd->buf = t->buf;
	cmd->buf_len = MIN(edtl, cmd->xfer_len);
	if (out && cmd->dir == SCSI_DIR_WRITE)
		memcpy(t->buf, out, MIN(out_len, (size_t)cmd->buf_len));
	t->in_exec = true;
	ck_assert_int_eq(scsi_cmd_exec(cmd), SCSI_EXEC_ASYNC);
	t->in_exec = false;
	ck_assert_int_eq(t->ndone, 0);
}

/*
 * Parses and executes as the transport would: buf_len = min(edtl, xfer_len);
 * data-out (out, out_len bytes) is copied in for writes. Runs the store until
 * the command completes. Returns the status.
 */
static inline uint8_t t_run_edtl(struct t_cmd *t, uint32_t edtl, const void *out, size_t out_len)
{
	struct scsi_cmd *cmd = &t->cmd;
	enum scsi_exec_result res;

	cmd->edtl = edtl;
	t->parsed = scsi_cmd_parse(cmd);
	if (t->parsed != SENSE_OK) {
		scsi_cmd_set_sense(cmd, t->parsed);
		return cmd->status;
	}
	cmd->buf = t->buf;
	cmd->buf_len = MIN(edtl, cmd->xfer_len);
	if (out && cmd->dir == SCSI_DIR_WRITE)
		memcpy(t->buf, out, MIN(out_len, (size_t)cmd->buf_len));
	t->in_exec = true;
	res = scsi_cmd_exec(cmd);
	t->in_exec = false;
	ck_assert_int_eq(t->done_inside_exec, 0);
	if (res == SCSI_EXEC_ASYNC) {
		ck_assert_int_eq(t->ndone, 0);
		t_settle(t);
	} else {
		ck_assert_int_eq(res, SCSI_EXEC_DONE);
		ck_assert_int_eq(t->ndone, 0);
		ck_assert_ptr_null(T.mb->head);
	}
	ck_assert_ptr_null(cmd->bounce);
	ck_assert_uint_le(cmd->data_len, cmd->buf_len);
	return cmd->status;
}

/* The common case: the initiator's expected length is the CDB's. */
static inline uint8_t t_run(struct t_cmd *t, const void *out, size_t out_len)
{
	struct scsi_cmd probe = t->cmd;

	/* The transport learns xfer_len from parse; a dry parse tells us the same. */
	if (scsi_cmd_parse(&probe) != SENSE_OK)
		return t_run_edtl(t, 0, out, out_len);
	return t_run_edtl(t, probe.xfer_len, out, out_len);
}

/* Builds, runs and frees a command with no data-out; returns the status and keeps sense in *last.
 */
static inline uint8_t t_simple(struct scsi_itl *itl, const uint8_t *cdb, size_t cdb_len,
			       struct scsi_cmd *last)
{
	struct t_cmd t;
	uint8_t st;

	t_cmd_init(&t, itl, cdb, cdb_len);
	st = t_run(&t, NULL, 0);
	if (last)
		*last = t.cmd;
	t_cmd_fini(&t);
	return st;
}

/* Sense key / ASC / ASCQ packed as 0xKKAAQQ, from either format. */
static inline uint32_t t_sense_of(const uint8_t *s, size_t len)
{
	if (len < 8)
		return 0xffffffff;
	if ((s[0] & 0x7f) == 0x72 || (s[0] & 0x7f) == 0x73)
		return (uint32_t)(s[1] & 0x0f) << 16 | (uint32_t)s[2] << 8 | s[3];
	if (len < 14)
		return 0xffffffff;
	return (uint32_t)(s[2] & 0x0f) << 16 | (uint32_t)s[12] << 8 | s[13];
}

static inline uint32_t t_sense(const struct scsi_cmd *cmd)
{
	return t_sense_of(cmd->sense, cmd->sense_len);
}

#define T_GOOD 0x000000u
#define T_INVALID_OPCODE 0x052000u
#define T_INVALID_FIELD_CDB 0x052400u
#define T_INVALID_FIELD_PARAM 0x052600u
#define T_PARAM_LEN 0x051a00u
#define T_LBA_OOR 0x052100u
#define T_LUN_NOT_SUPPORTED 0x052500u
#define T_SAVING_UNSUP 0x053900u
#define T_WRITE_PROTECTED 0x072700u
#define T_SPACE_ALLOC 0x072707u
#define T_READ_ERROR 0x031100u
#define T_WRITE_ERROR 0x030c00u
#define T_MISCOMPARE 0x0e1d00u
#define T_INVALID_FIELD_IU 0x050e03u /* INVALID FIELD IN COMMAND INFORMATION UNIT */
#define T_NOT_READY_STOPPED 0x020402u
#define T_UA_POWER_ON 0x062900u
#define T_UA_RESET 0x062903u
#define T_UA_MODE_CHANGED 0x062a01u
#define T_UA_CAPACITY 0x062a09u

/* Asserts CHECK CONDITION with sense kkaaqq. */
#define T_ASSERT_CC(cmdp, kaq)                                                                     \
	do {                                                                                       \
		ck_assert_uint_eq((cmdp)->status, SCSI_STATUS_CHECK_CONDITION);                    \
		ck_assert_uint_eq(t_sense(cmdp), (kaq));                                           \
	} while (0)

/* CDB builders. */
static inline void t_cdb10(uint8_t *cdb, uint8_t op, uint8_t b1, uint32_t lba, uint16_t n)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	cdb[1] = b1;
	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, n);
}

static inline void t_cdb12(uint8_t *cdb, uint8_t op, uint8_t b1, uint32_t lba, uint32_t n)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	cdb[1] = b1;
	put_be32(cdb + 2, lba);
	put_be32(cdb + 6, n);
}

static inline void t_cdb16(uint8_t *cdb, uint8_t op, uint8_t b1, uint64_t lba, uint32_t n)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	cdb[1] = b1;
	put_be64(cdb + 2, lba);
	put_be32(cdb + 10, n);
}

/* Writes n blocks of byte v at lba straight into the store. */
static inline void t_fill(uint64_t lba, uint32_t n, uint8_t v)
{
	memset(T.mb->data + lba * T.mb->dev.block_size, v, (size_t)n * T.mb->dev.block_size);
	mem_map(T.mb, lba * T.mb->dev.block_size, (uint64_t)n * T.mb->dev.block_size, true);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the persistent reservation tests share (pr_test.c, pr_blob_test.c):
 * three nexuses of the test LU besides the two of scsi_test_util.h, a fake
 * store behind the save callback, and runners for PERSISTENT RESERVE IN /
 * OUT and the commands of the conflict tables. Static inline: each test
 * program uses a different subset.
 */
#ifndef PORTICO_TESTS_PR_TEST_UTIL_H
#define PORTICO_TESTS_PR_TEST_UTIL_H

#include "target/scsi/pr.h"
#include "tests/unit/target/scsi/scsi_test_util.h"

#define K1 0x1111111111111111ull
#define K2 0x2222222222222222ull
#define K3 0x3333333333333333ull

#define T_UA_RESV_PREEMPTED 0x062a03u
#define T_UA_RESV_RELEASED 0x062a04u
#define T_UA_REGS_PREEMPTED 0x062a05u
#define T_INVALID_RELEASE 0x052604u
#define T_REG_RESOURCES 0x055504u

#define ST_GOOD SCSI_STATUS_GOOD
#define ST_CC SCSI_STATUS_CHECK_CONDITION
#define ST_RC SCSI_STATUS_RESERVATION_CONFLICT

static struct scsi_nexus nx3, nx_obs;
static struct scsi_itl *itl3;
/* An observer that never registers, so never has a reservation unit attention pending. */
static struct scsi_itl *obs;

/* A fake store behind the save callback: queues, and completes when the test says. */
static struct {
	struct {
		void (*done)(void *ctx, int err);
		void *ctx;
	} q[8];
	int nq;
	int nsaves;   /* blobs handed over */
	int nforgets; /* NULL blobs: forget */
	int submit_err;
	int released;
	uint8_t *last;
	size_t last_len;
} F;

static inline int fake_save(void *arg, const uint8_t *blob, size_t len,
			    void (*done)(void *ctx, int err), void *ctx)
{
	ck_assert_ptr_eq(arg, &F);
	if (F.submit_err)
		return F.submit_err;
	ck_assert_int_lt(F.nq, 8);
	free(F.last);
	F.last = NULL;
	F.last_len = len;
	if (blob) {
		F.last = malloc(len);
		memcpy(F.last, blob, len);
		F.nsaves++;
	} else {
		ck_assert_uint_eq(len, 0);
		F.nforgets++;
	}
	F.q[F.nq].done = done;
	F.q[F.nq].ctx = ctx;
	F.nq++;
	return 0;
}

static inline void fake_release(void *arg)
{
	ck_assert_ptr_eq(arg, &F);
	F.released++;
}

static const struct pr_save_ops fake_ops = {.save = fake_save, .release = fake_release};

static inline void fake_drain(int err)
{
	int i, n = F.nq;

	F.nq = 0;
	for (i = 0; i < n; i++)
		F.q[i].done(F.q[i].ctx, err);
}

static inline void pr_setup(void)
{
	t_setup();
	memset(&F, 0, sizeof(F));
	nx3 = T.nx;
	strcpy(nx3.initiator_port, "iqn.2024-01.org.example:host3,i,0x000000000003");
	ck_assert_int_eq(scsi_itl_create(T.lu, &nx3, &itl3), 0);
	scsi_itl_take_ua(itl3);
	nx_obs = T.nx;
	strcpy(nx_obs.initiator_port, "iqn.2024-01.org.example:observer,i,0x000000000009");
	ck_assert_int_eq(scsi_itl_create(T.lu, &nx_obs, &obs), 0);
	scsi_itl_take_ua(obs);
}

static inline void pr_teardown(void)
{
	scsi_itl_destroy(itl3);
	scsi_itl_destroy(obs);
	t_teardown();
	free(F.last);
	F.last = NULL;
}

static inline struct scsi_nexus *nexus_of(struct scsi_itl *itl)
{
	return itl->nx;
}

/*
 * t_cmd_init with a buffer the size of what these commands move: the
 * registration tests run thousands of commands, an 8 MiB buffer each would
 * make them slow.
 */
#define PR_T_BUF 65536u

static inline void pr_cmd_init(struct t_cmd *t, struct scsi_itl *itl, const uint8_t *cdb)
{
	void *p = NULL;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(posix_memalign(&p, 4096, PR_T_BUF), 0);
	t->buf = p;
	memset(t->buf, 0xee, PR_T_BUF);
	t->cmd.itl = itl;
	memcpy(t->cmd.cdb, cdb, 16);
	t->cmd.cdb_len = 16;
	t->cmd.done = t_done;
	t->cmd.priv = t;
}

/*
 * Parses and runs cmd on itl as the transport would, completing a save
 * through the fake store with save_err. Returns the status.
 */
static inline uint8_t run_cmd(struct t_cmd *t, const void *out, size_t out_len, uint32_t edtl,
			      int save_err)
{
	struct scsi_cmd *cmd = &t->cmd;
	enum scsi_exec_result res;

	cmd->nexus = nexus_of(cmd->itl);
	cmd->edtl = edtl;
	t->parsed = scsi_cmd_parse(cmd);
	if (t->parsed != SENSE_OK) {
		scsi_cmd_set_sense(cmd, t->parsed);
		return cmd->status;
	}
	cmd->buf = t->buf;
	cmd->buf_len = MIN(edtl, cmd->xfer_len);
	ck_assert_uint_le(cmd->buf_len, PR_T_BUF);
	if (out && cmd->dir == SCSI_DIR_WRITE)
		memcpy(t->buf, out, MIN(out_len, (size_t)cmd->buf_len));
	t->in_exec = true;
	res = scsi_cmd_exec(cmd);
	t->in_exec = false;
	ck_assert_int_eq(t->done_inside_exec, 0);
	if (res == SCSI_EXEC_ASYNC) {
		ck_assert_int_eq(t->ndone, 0);
		if (F.nq)
			fake_drain(save_err);
		else
			mem_drain(T.mb);
		ck_assert_int_eq(t->ndone, 1);
	} else {
		ck_assert_int_eq(t->ndone, 0);
	}
	ck_assert_ptr_null(cmd->bounce);
	return cmd->status;
}

/* PERSISTENT RESERVE OUT with a 24-byte parameter list; *last keeps the command. */
static inline uint8_t prout_full(struct scsi_itl *itl, uint8_t sa, uint8_t scope_type, uint64_t key,
				 uint64_t sa_key, uint8_t flags, int save_err,
				 struct scsi_cmd *last)
{
	uint8_t cdb[16] = {SCSI_OP_PERSISTENT_RESERVE_OUT, sa, scope_type};
	uint8_t p[24] = {0};
	struct t_cmd t;
	uint8_t st;

	put_be32(cdb + 5, 24);
	put_be64(p, key);
	put_be64(p + 8, sa_key);
	p[20] = flags;
	pr_cmd_init(&t, itl, cdb);
	st = run_cmd(&t, p, sizeof(p), 24, save_err);
	if (last)
		*last = t.cmd;
	t_cmd_fini(&t);
	return st;
}

static inline uint8_t prout(struct scsi_itl *itl, uint8_t sa, uint8_t type, uint64_t key,
			    uint64_t sa_key)
{
	return prout_full(itl, sa, type, key, sa_key, 0, 0, NULL);
}

static inline uint8_t reg(struct scsi_itl *itl, uint64_t key)
{
	return prout(itl, SCSI_PROUT_REGISTER_AND_IGNORE, 0, 0, key);
}

/* PERSISTENT RESERVE IN into out (up to 4096 bytes); returns the status and the data length. */
static inline uint8_t prin(struct scsi_itl *itl, uint8_t sa, uint16_t alloc, uint8_t *out,
			   uint32_t *len)
{
	uint8_t cdb[16] = {SCSI_OP_PERSISTENT_RESERVE_IN, sa};
	struct t_cmd t;
	uint8_t st;

	put_be16(cdb + 7, alloc);
	pr_cmd_init(&t, itl, cdb);
	st = run_cmd(&t, NULL, 0, alloc, 0);
	if (out)
		memcpy(out, t.buf, MIN(t.cmd.data_len, 4096u));
	if (len)
		*len = t.cmd.data_len;
	t_cmd_fini(&t);
	return st;
}

static inline uint32_t generation(void)
{
	uint8_t d[4096];

	ck_assert_uint_eq(prin(obs, SCSI_PRIN_READ_KEYS, 4096, d, NULL), ST_GOOD);
	return get_be32(d);
}

static inline uint32_t nkeys(void)
{
	uint8_t d[4096];

	ck_assert_uint_eq(prin(obs, SCSI_PRIN_READ_KEYS, 4096, d, NULL), ST_GOOD);
	return get_be32(d + 4) / 8;
}

/* The reservation's type (0: none) and its key in *key. */
static inline uint8_t resv(uint64_t *key)
{
	uint8_t d[4096];

	ck_assert_uint_eq(prin(obs, SCSI_PRIN_READ_RESERVATION, 4096, d, NULL), ST_GOOD);
	if (!get_be32(d + 4))
		return 0;
	ck_assert_uint_eq(get_be32(d + 4), 16);
	if (key)
		*key = get_be64(d + 8);
	ck_assert_uint_eq(d[8 + 13] >> 4, 0); /* LU_SCOPE */
	return d[8 + 13] & 0x0f;
}

/* Takes the pending unit attention of itl, as KKAAQQ (0: none). */
static inline uint32_t take_ua(struct scsi_itl *itl)
{
	uint32_t ua = scsi_itl_take_ua(itl);
	uint8_t key, asc, ascq;

	if (!ua)
		return 0;
	ck_assert(scsi_sense_lookup(scsi_ua_reason(ua), &key, &asc, &ascq));
	return (uint32_t)key << 16 | (uint32_t)asc << 8 | ascq;
}

static inline void no_ua(void)
{
	ck_assert_uint_eq(take_ua(T.itl), 0);
	ck_assert_uint_eq(take_ua(T.itl2), 0);
	ck_assert_uint_eq(take_ua(itl3), 0);
	ck_assert_uint_eq(take_ua(obs), 0);
}

/* Command classes of the conflict tables. */
static inline uint8_t do_read(struct scsi_itl *itl)
{
	uint8_t cdb[16];
	struct t_cmd t;
	uint8_t st;

	t_cdb10(cdb, SCSI_OP_READ_10, 0, 0, 1);
	pr_cmd_init(&t, itl, cdb);
	st = run_cmd(&t, NULL, 0, T_BS, 0);
	t_cmd_fini(&t);
	return st;
}

static inline uint8_t do_write(struct scsi_itl *itl)
{
	uint8_t cdb[16], blk[T_BS];
	struct t_cmd t;
	uint8_t st;

	memset(blk, 0x5a, sizeof(blk));
	t_cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 1);
	pr_cmd_init(&t, itl, cdb);
	st = run_cmd(&t, blk, sizeof(blk), T_BS, 0);
	t_cmd_fini(&t);
	return st;
}

static inline uint8_t do_simple(struct scsi_itl *itl, const uint8_t *cdb, uint32_t edtl)
{
	struct t_cmd t;
	uint8_t st;

	pr_cmd_init(&t, itl, cdb);
	st = run_cmd(&t, NULL, 0, edtl, 0);
	t_cmd_fini(&t);
	return st;
}

#endif

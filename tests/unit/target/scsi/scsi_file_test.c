/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine over the real 'file' backstore, its aio engine and worker pool
 * and an ev loop: the requests the engine makes (byte offsets, lengths,
 * bounce buffers, UNMAP, WRITE ZEROES, FLUSH, allocation status) are ones
 * the store takes, and completions come back through the loop.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/be.h"
#include "common/ev.h"
#include "target/scsi/scsi.h"
#include "target/scsi/scsi_int.h"
#include "tests/unit/check_main.h"

#define F_BS 512u
#define F_NBLOCKS 8192u
#define F_TIMEOUT_MS 20000

static struct ev_loop *loop;
static struct bs_dev *dev;
static struct scsi_lu *lu;
static struct scsi_itl *itl;
static struct scsi_nexus nx;
static char dir[64];
static char path[128];

struct f_cmd {
	struct scsi_cmd cmd;
	uint8_t *buf;
	int ndone;
};

static void f_done(struct scsi_cmd *cmd)
{
	((struct f_cmd *)cmd->priv)->ndone++;
}

static void setup(void)
{
	struct scsi_lu_id id = {.serial = "FILE1", .naa = {0x30, 1, 2, 3, 4, 5, 6, 7}};
	struct bs_params p = {.name = "f",
			      .size = (uint64_t)F_NBLOCKS * F_BS,
			      .thin = true,
			      .write_back = true,
			      .block_size = F_BS};
	char err[256];

	strcpy(dir, "/tmp/portico-scsi-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lu.img", dir);
	p.path = path;
	bs_register_builtin();
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_int_eq(bs_thread_init(loop), 0);
	ck_assert_msg(bs_open("file", &p, &dev, err, sizeof(err)) == 0, "%s", err);
	scsi_init();
	ck_assert_int_eq(scsi_lu_create(dev, &id, &lu), 0);
	nx.target_name = "iqn.2024-01.org.portico:f";
	nx.tpg_tag = 1;
	ck_assert_int_eq(scsi_itl_create(lu, &nx, &itl), 0);
	scsi_itl_take_ua(itl);
}

static void teardown(void)
{
	scsi_itl_destroy(itl);
	scsi_lu_destroy(lu);
	bs_close(dev);
	bs_thread_fini();
	ev_loop_destroy(loop);
	bs_shutdown();
	unlink(path);
	rmdir(dir);
}

/* Parses and runs cdb as the transport would, with edtl bytes; returns the status. */
static uint8_t f_run(struct f_cmd *t, const uint8_t *cdb, uint32_t edtl, const void *out)
{
	struct scsi_cmd *cmd = &t->cmd;
	enum sense_reason r;
	int64_t deadline;
	void *p = NULL;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(posix_memalign(&p, 4096, SCSI_MAX_XFER_BYTES), 0);
	t->buf = p;
	cmd->nexus = &nx;
	cmd->itl = itl;
	memcpy(cmd->cdb, cdb, 16);
	cmd->cdb_len = 16;
	cmd->edtl = edtl;
	cmd->done = f_done;
	cmd->priv = t;
	r = scsi_cmd_parse(cmd);
	if (r != SENSE_OK) {
		scsi_cmd_set_sense(cmd, r);
		return cmd->status;
	}
	cmd->buf = t->buf;
	cmd->buf_len = MIN(edtl, cmd->xfer_len);
	if (out)
		memcpy(t->buf, out, cmd->buf_len);
	if (scsi_cmd_exec(cmd) == SCSI_EXEC_ASYNC) {
		ck_assert_int_eq(t->ndone, 0);
		deadline = ev_now_ms() + F_TIMEOUT_MS;
		while (!t->ndone && ev_now_ms() < deadline)
			ck_assert_int_ge(ev_run_once(loop, 50), 0);
		ck_assert_int_eq(t->ndone, 1);
	}
	ck_assert_ptr_null(cmd->bounce);
	return cmd->status;
}

static void f_free(struct f_cmd *t)
{
	free(t->buf);
}

static uint32_t f_sense(const struct scsi_cmd *c)
{
	return (uint32_t)(c->sense[2] & 0x0f) << 16 | (uint32_t)c->sense[12] << 8 | c->sense[13];
}

static void cdb10(uint8_t *cdb, uint8_t op, uint8_t b1, uint32_t lba, uint16_t n)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	cdb[1] = b1;
	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, n);
}

static void cdb16(uint8_t *cdb, uint8_t op, uint8_t b1, uint64_t lba, uint32_t n)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	cdb[1] = b1;
	put_be64(cdb + 2, lba);
	put_be32(cdb + 10, n);
}

/* Reads n blocks at lba into out (n * F_BS bytes). */
static void f_read(uint64_t lba, uint32_t n, uint8_t *out)
{
	uint8_t cdb[16];
	struct f_cmd t;

	cdb16(cdb, SCSI_OP_READ_16, 0, lba, n);
	ck_assert_uint_eq(f_run(&t, cdb, n * F_BS, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, n * F_BS);
	memcpy(out, t.buf, (size_t)n * F_BS);
	f_free(&t);
}

START_TEST(test_rw_verify_sync)
{
	uint8_t cdb[16], *pat = malloc(64 * F_BS), *back = malloc(64 * F_BS);
	struct f_cmd t;
	uint32_t i;

	for (i = 0; i < 64 * F_BS; i++)
		pat[i] = (uint8_t)(i * 13 + i / F_BS);
	cdb10(cdb, SCSI_OP_WRITE_10, 0x08, 64, 64);
	ck_assert_uint_eq(f_run(&t, cdb, 64 * F_BS, pat), SCSI_STATUS_GOOD);
	f_free(&t);
	f_read(64, 64, back);
	ck_assert_int_eq(memcmp(pat, back, 64 * F_BS), 0);

	/* a partial block through the bounce buffer */
	cdb10(cdb, SCSI_OP_READ_10, 0, 64, 1);
	ck_assert_uint_eq(f_run(&t, cdb, 200, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 200);
	ck_assert_int_eq(memcmp(t.buf, pat, 200), 0);
	f_free(&t);

	/* VERIFY with BYTCHK: equal, then one byte off */
	cdb10(cdb, SCSI_OP_VERIFY_10, 0x02, 64, 64);
	ck_assert_uint_eq(f_run(&t, cdb, 64 * F_BS, pat), SCSI_STATUS_GOOD);
	f_free(&t);
	pat[5000] ^= 0x40;
	ck_assert_uint_eq(f_run(&t, cdb, 64 * F_BS, pat), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(f_sense(&t.cmd), 0x0e1d00);
	ck_assert_uint_eq(get_be32(t.cmd.sense + 3), 5000);
	f_free(&t);
	pat[5000] ^= 0x40;

	/* ORWRITE then WRITE AND VERIFY */
	cdb16(cdb, SCSI_OP_ORWRITE_16, 0, 64, 1);
	memset(back, 0x80, F_BS);
	ck_assert_uint_eq(f_run(&t, cdb, F_BS, back), SCSI_STATUS_GOOD);
	f_free(&t);
	f_read(64, 1, back);
	for (i = 0; i < F_BS; i++)
		ck_assert_uint_eq(back[i], pat[i] | 0x80);
	cdb10(cdb, SCSI_OP_WRITE_VERIFY_10, 0x02, 200, 4);
	ck_assert_uint_eq(f_run(&t, cdb, 4 * F_BS, pat), SCSI_STATUS_GOOD);
	f_free(&t);

	cdb10(cdb, SCSI_OP_SYNCHRONIZE_CACHE_10, 0, 0, 0);
	ck_assert_uint_eq(f_run(&t, cdb, 0, NULL), SCSI_STATUS_GOOD);
	f_free(&t);
	free(pat);
	free(back);
}
END_TEST

START_TEST(test_write_same)
{
	uint8_t cdb[16], blk[F_BS], *back = malloc(300 * F_BS);
	struct f_cmd t;
	uint32_t i;

	for (i = 0; i < F_BS; i++)
		blk[i] = (uint8_t)(i ^ 0x5a);
	cdb16(cdb, SCSI_OP_WRITE_SAME_16, 0, 1000, 300);
	ck_assert_uint_eq(f_run(&t, cdb, F_BS, blk), SCSI_STATUS_GOOD);
	f_free(&t);
	f_read(1000, 300, back);
	for (i = 0; i < 300; i++)
		ck_assert_int_eq(memcmp(back + (size_t)i * F_BS, blk, F_BS), 0);

	/* zeroes: the store's zeroing primitive */
	memset(blk, 0, sizeof(blk));
	cdb10(cdb, SCSI_OP_WRITE_SAME_10, 0, 1000, 300);
	ck_assert_uint_eq(f_run(&t, cdb, F_BS, blk), SCSI_STATUS_GOOD);
	f_free(&t);
	f_read(1000, 300, back);
	for (i = 0; i < 300 * F_BS; i++)
		ck_assert_uint_eq(back[i], 0);
	free(back);
}
END_TEST

START_TEST(test_unmap_and_lba_status)
{
	uint8_t cdb[16], list[24], *pat = malloc(64 * F_BS), *back = malloc(64 * F_BS);
	struct f_cmd t;

	memset(pat, 0x77, 64 * F_BS);
	cdb10(cdb, SCSI_OP_WRITE_10, 0, 0, 64);
	ck_assert_uint_eq(f_run(&t, cdb, 64 * F_BS, pat), SCSI_STATUS_GOOD);
	f_free(&t);

	memset(list, 0, sizeof(list));
	put_be16(list, 22);
	put_be16(list + 2, 16);
	put_be64(list + 8, 16); /* 8 KiB at 8 KiB: whole pages of any common filesystem */
	put_be32(list + 16, 16);
	cdb10(cdb, SCSI_OP_UNMAP, 0, 0, sizeof(list));
	if (!dev->thin) {
		/* the filesystem under /tmp cannot punch holes: no UNMAP, and we say so */
		ck_assert_uint_eq(f_run(&t, cdb, sizeof(list), list), SCSI_STATUS_CHECK_CONDITION);
		ck_assert_uint_eq(f_sense(&t.cmd), 0x052000);
		f_free(&t);
		goto out;
	}
	ck_assert_uint_eq(f_run(&t, cdb, sizeof(list), list), SCSI_STATUS_GOOD);
	f_free(&t);
	f_read(0, 64, back);
	ck_assert_uint_eq(back[15 * F_BS], 0x77);
	ck_assert_uint_eq(back[16 * F_BS], 0x00); /* LBPRZ */
	ck_assert_uint_eq(back[32 * F_BS - 1], 0x00);
	ck_assert_uint_eq(back[32 * F_BS], 0x77);

	/* GET LBA STATUS from 0: mapped, then deallocated at 16 for 16 blocks */
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_SERVICE_ACTION_IN_16;
	cdb[1] = SCSI_SAI_GET_LBA_STATUS;
	put_be32(cdb + 10, 1024);
	ck_assert_uint_eq(f_run(&t, cdb, 1024, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_ge(get_be32(t.buf), 4 + 2 * 16);
	ck_assert_uint_eq(get_be64(t.buf + 8), 0);
	ck_assert_uint_eq(t.buf[20], 0);
	ck_assert_uint_eq(get_be32(t.buf + 16), 16);
	ck_assert_uint_eq(get_be64(t.buf + 24), 16);
	ck_assert_uint_eq(t.buf[36], 1);
	ck_assert_uint_eq(get_be32(t.buf + 32), 16);
	f_free(&t);

	/* WRITE SAME with UNMAP deallocates too */
	memset(pat, 0xff, F_BS);
	cdb10(cdb, SCSI_OP_WRITE_SAME_10, 0x08, 32, 16);
	ck_assert_uint_eq(f_run(&t, cdb, F_BS, pat), SCSI_STATUS_GOOD);
	f_free(&t);
	f_read(32, 16, back);
	ck_assert_uint_eq(back[0], 0);
	ck_assert_uint_eq(back[16 * F_BS - 1], 0);
out:
	free(pat);
	free(back);
}
END_TEST

static Suite *file_suite(void)
{
	Suite *s = suite_create("scsi_file");
	TCase *tc = tcase_create("file");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rw_verify_sync);
	tcase_add_test(tc, test_write_same);
	tcase_add_test(tc, test_unmap_and_lba_status);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(file_suite)

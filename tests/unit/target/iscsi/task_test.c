/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SCSI tasks over iSCSI (target/iscsi/task.c) where the initiator's Expected
 * Data Transfer Length and direction bits disagree with what the CDB moves:
 * what is asked for (R2T), what runs, what lands on the medium and the
 * residual the response carries (RFC 7143 §11.4.5). The test plays the
 * initiator over a socketpair against the real transport, the real SCSI
 * engine and a file backstore.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/be.h"
#include "common/ev.h"
#include "target/backstore/bs.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/scsi/scsi.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/iscsi/raw_initiator.h"

#define TGT "iqn.2026-11.org.example:t1"
#define INI "iqn.2026-11.org.example:kvm1"
#define BS 512u
#define BLOCKS 256u

static struct ev_loop *loop;
static struct raw_initiator ini = {.fd = -1};
static char dir[64];
static struct bs_dev *dev;
static struct scsi_lu *lu;
static uint32_t cmdsn, itt_next = 0x100;
static const uint8_t isid[6] = {0x80, 0, 0, 0, 0, 2};
static struct raw_target tgt;

static const struct iscsi_env_ops fake_ops = {
    .authorize = raw_target_authorize,
    .sendtargets = raw_target_sendtargets,
    .session_conf = raw_target_session_conf, /* LUN 0: lu */
    .session_conf_release = raw_map_release,
};

static const struct iscsi_env fake_env = {.ops = &fake_ops, .arg = &tgt};

/* One login request from csg to nsg; the response's status (0: success) and header in rsp. */
static int login_step(uint8_t csg, uint8_t nsg, const char *text, size_t n, uint8_t *rsp)
{
	uint8_t bhs[ISCSI_BHS_LEN], data[8192];

	raw_login_bhs(bhs, csg, nsg, isid, 0, itt_next, cmdsn);
	raw_ck_send(&ini, bhs, text, (uint32_t)n);
	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGIN_RSP);
	return rsp[36] << 8 | rsp[37];
}

/* Logs in with ImmediateData=Yes, InitialR2T=Yes, and consumes the power-on unit attention. */
static void login(void)
{
	uint8_t rsp[ISCSI_BHS_LEN], bhs[ISCSI_BHS_LEN], data[256];
	const uint8_t tur[6] = {0};
	char text[1024];
	size_t n;

	n = raw_security_keys(text, INI, TGT);
	ck_assert_int_eq(login_step(ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, text, n, rsp),
			 0);
	n = raw_key(text, 0, "HeaderDigest", "None");
	n = raw_key(text, n, "DataDigest", "None");
	n = raw_key(text, n, "InitialR2T", "Yes");
	n = raw_key(text, n, "ImmediateData", "Yes");
	n = raw_key(text, n, "MaxRecvDataSegmentLength", "65536");
	n = raw_key(text, n, "MaxBurstLength", "16384");
	n = raw_key(text, n, "FirstBurstLength", "8192");
	n = raw_key(text, n, "MaxOutstandingR2T", "1");
	n = raw_key(text, n, "ErrorRecoveryLevel", "0");
	ck_assert_int_eq(
	    login_step(ISCSI_STAGE_OPERATIONAL, ISCSI_STAGE_FULL_FEATURE, text, n, rsp), 0);
	ck_assert(rsp[1] & ISCSI_LOGIN_FLAG_TRANSIT);
	itt_next++;
	raw_scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL, 0, itt_next++, 0, cmdsn++, tur, sizeof(tur));
	raw_ck_send(&ini, bhs, NULL, 0);
	ck_assert_int_gt(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_CHECK_CONDITION);
}

static void setup(void)
{
	struct bs_params p = {0};
	struct scsi_lu_id id = {.serial = "task0", .naa = {0x30, 1, 2, 3, 4, 5, 6, 8}};
	char path[96], err[256];
	int sv[2];

	bs_register_builtin();
	scsi_init();
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_int_eq(bs_thread_init(loop), 0);
	snprintf(dir, sizeof(dir), "/tmp/portico-task-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lun.img", dir);
	p.name = "lun0";
	p.path = path;
	p.size = BLOCKS * BS;
	p.thin = true;
	p.write_back = true;
	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), 0);
	ck_assert_int_eq(scsi_lu_create(dev, &id, &lu), 0);
	raw_target_init(&tgt, TGT);
	tgt.lu0 = lu;
	tgt.limits.max_burst = 16384;
	tgt.limits.first_burst = 8192;
	tgt.limits.max_recv_dsl = 8192;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ini = (struct raw_initiator){.loop = loop, .fd = sv[0]};
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &fake_env), 0);
	cmdsn = 1;
	login();
}

static void teardown(void)
{
	char path[96];

	raw_hang_up(&ini);
	scsi_lu_destroy(lu);
	bs_close(dev);
	bs_thread_fini();
	iscsi_thread_release_buffers();
	ev_loop_destroy(loop);
	snprintf(path, sizeof(path), "%s/lun.img", dir);
	unlink(path);
	rmdir(dir);
}

/* How one command ended, as the initiator sees it. */
struct outcome {
	uint8_t status;
	uint8_t rflags;	  /* the response's flags: o, u, O, U */
	uint32_t residual;
	uint32_t key;	  /* sense key, ASC, ASCQ as 0xKKAAQQ; 0 without sense */
	unsigned int r2ts; /* R2Ts answered */
	uint32_t solicited; /* bytes they asked for */
};

/*
 * Sends a SCSI Command (flags: R, W; edtl) with imm bytes of wbuf as
 * immediate data, answers every R2T from wbuf, and reads the status; Data-In
 * goes to rbuf (rlen bytes). The outcome in *o.
 */
static void command(const uint8_t *cdb, uint8_t flags, uint32_t edtl, const uint8_t *wbuf,
		    uint32_t imm, uint8_t *rbuf, uint32_t rlen, struct outcome *o)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN];
	static uint8_t data[65536];
	uint32_t itt = itt_next++;
	int dlen;

	memset(o, 0, sizeof(*o));
	raw_scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | flags, 0, itt, edtl, cmdsn++, cdb, 16);
	raw_ck_send(&ini, bhs, wbuf, imm);
	for (int i = 0; i < 64; i++) {
		dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
		ck_assert_int_ge(dlen, 0);
		ck_assert_uint_eq(get_be32(rsp + 16), itt);
		if (rsp[0] == ISCSI_OP_R2T) {
			uint32_t ttt = get_be32(rsp + 20), off = get_be32(rsp + 40);
			uint32_t want = get_be32(rsp + 44);
			uint8_t d[ISCSI_BHS_LEN] = {0};

			/* RFC 7143 §11.8: never beyond what the initiator said it would send */
			ck_assert_uint_le((uint64_t)off + want, edtl);
			o->r2ts++;
			o->solicited += want;
			d[0] = ISCSI_OP_DATA_OUT;
			d[1] = ISCSI_FLAG_FINAL;
			put_be32(d + 16, itt);
			put_be32(d + 20, ttt);
			put_be32(d + 40, off);
			raw_ck_send(&ini, d, wbuf + off, want);
			continue;
		}
		if (rsp[0] == ISCSI_OP_DATA_IN) {
			uint32_t off = get_be32(rsp + 40);

			ck_assert_uint_le(off + (uint32_t)dlen, rlen);
			memcpy(rbuf + off, data, (size_t)dlen);
			if (!(rsp[1] & ISCSI_DATA_FLAG_STATUS))
				continue;
		} else {
			ck_assert_uint_eq(rsp[0], ISCSI_OP_SCSI_RSP);
			if (dlen >= 2 + 14)
				o->key = (uint32_t)(data[2 + 2] & 0x0f) << 16 |
					 (uint32_t)data[2 + 12] << 8 | data[2 + 13];
		}
		o->status = rsp[3];
		o->rflags = rsp[1] & 0x1e;
		o->residual = get_be32(rsp + 44);
		return;
	}
	ck_abort_msg("no status for itt 0x%x", itt);
}

static void cdb10(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t n)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, n);
}

/* Writes n blocks of byte v at lba, normally. */
static void fill(uint32_t lba, uint16_t n, uint8_t v)
{
	static uint8_t b[8 * BS];
	uint8_t cdb[16];
	struct outcome o;

	memset(b, v, sizeof(b));
	cdb10(cdb, 0x2a, lba, n);
	command(cdb, ISCSI_CMD_FLAG_WRITE, n * BS, b, n * BS, NULL, 0, &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(o.rflags, 0);
}

/* Reads n blocks at lba into out. */
static void readback(uint32_t lba, uint16_t n, uint8_t *out)
{
	uint8_t cdb[16];
	struct outcome o;

	cdb10(cdb, 0x28, lba, n);
	command(cdb, ISCSI_CMD_FLAG_READ, n * BS, NULL, 0, out, n * BS, &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
}

static bool all(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/*
 * The interoperability bug: WRITE(10) of one block with EDTL 200. It was
 * answered GOOD with a residual overflow of 312 and nothing written. Now
 * it is refused with CHECK CONDITION, INVALID FIELD IN COMMAND INFORMATION
 * UNIT, the residual still says what was not transferred, and the block
 * is as it was; sent as immediate data and through an R2T alike.
 */
START_TEST(test_write_edtl_inside_a_block)
{
	uint8_t w[2 * BS], back[2 * BS], cdb[16];
	struct outcome o;

	fill(10, 2, 'a');
	memset(w, 'b', sizeof(w));
	cdb10(cdb, 0x2a, 10, 1);
	command(cdb, ISCSI_CMD_FLAG_WRITE, 200, w, 200, NULL, 0, &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(o.key, 0x050e03);
	ck_assert_uint_eq(o.rflags, ISCSI_RSP_FLAG_OVERFLOW);
	ck_assert_uint_eq(o.residual, BS - 200);
	readback(10, 2, back);
	ck_assert(all(back, sizeof(back), 'a'));

	/* no immediate data: one R2T for the 200 bytes, and no more */
	command(cdb, ISCSI_CMD_FLAG_WRITE, 200, w, 0, NULL, 0, &o);
	ck_assert_uint_eq(o.r2ts, 1);
	ck_assert_uint_eq(o.solicited, 200);
	ck_assert_uint_eq(o.status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(o.key, 0x050e03);
	ck_assert_uint_eq(o.residual, BS - 200);

	/* two blocks, 700 bytes: not even the first whole block is written */
	cdb10(cdb, 0x2a, 10, 2);
	command(cdb, ISCSI_CMD_FLAG_WRITE, 700, w, 512, NULL, 0, &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(o.residual, 2 * BS - 700);
	readback(10, 2, back);
	ck_assert(all(back, sizeof(back), 'a'));
}
END_TEST

/*
 * A data-out short by whole blocks is processed as far as it goes and
 * ends GOOD with the overflow; one longer than the CDB's is taken up to
 * the CDB's length, GOOD with the underflow (libiscsi's Write10Residuals).
 */
START_TEST(test_write_edtl_whole_blocks)
{
	uint8_t w[4 * BS], back[3 * BS], cdb[16];
	struct outcome o;

	fill(20, 3, 'a');
	memset(w, 'b', sizeof(w));
	/* three blocks asked, two sent (one immediate, one solicited) */
	cdb10(cdb, 0x2a, 20, 3);
	command(cdb, ISCSI_CMD_FLAG_WRITE, 2 * BS, w, BS, NULL, 0, &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(o.solicited, BS);
	ck_assert_uint_eq(o.rflags, ISCSI_RSP_FLAG_OVERFLOW);
	ck_assert_uint_eq(o.residual, BS);
	readback(20, 3, back);
	ck_assert(all(back, 2 * BS, 'b'));
	ck_assert(all(back + 2 * BS, BS, 'a'));

	/* one block asked, four offered: one solicited, the underflow reported */
	fill(20, 3, 'a');
	cdb10(cdb, 0x2a, 21, 1);
	command(cdb, ISCSI_CMD_FLAG_WRITE, 4 * BS, w, 0, NULL, 0, &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(o.solicited, BS);
	ck_assert_uint_eq(o.rflags, ISCSI_RSP_FLAG_UNDERFLOW);
	ck_assert_uint_eq(o.residual, 3 * BS);
	readback(20, 3, back);
	ck_assert(all(back, BS, 'a'));
	ck_assert(all(back + BS, BS, 'b'));
	ck_assert(all(back + 2 * BS, BS, 'a'));

	/* EDTL 0: nothing asked, nothing written, all of it overflow */
	cdb10(cdb, 0x2a, 20, 1);
	command(cdb, ISCSI_CMD_FLAG_WRITE, 0, NULL, 0, NULL, 0, &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(o.r2ts, 0);
	ck_assert_uint_eq(o.rflags, ISCSI_RSP_FLAG_OVERFLOW);
	ck_assert_uint_eq(o.residual, BS);
	readback(20, 1, back);
	ck_assert(all(back, BS, 'a'));
}
END_TEST

/* Reads either way: what fits in EDTL, GOOD, and the residual says the rest. */
START_TEST(test_read_edtl_both_ways)
{
	uint8_t back[4 * BS], cdb[16];
	struct outcome o;

	fill(30, 2, 'r');
	memset(back, 0, sizeof(back));
	cdb10(cdb, 0x28, 30, 1);
	command(cdb, ISCSI_CMD_FLAG_READ, 200, NULL, 0, back, sizeof(back), &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(o.rflags, ISCSI_RSP_FLAG_OVERFLOW);
	ck_assert_uint_eq(o.residual, BS - 200);
	ck_assert(all(back, 200, 'r'));
	ck_assert(all(back + 200, sizeof(back) - 200, 0));

	memset(back, 0, sizeof(back));
	cdb10(cdb, 0x28, 30, 2);
	command(cdb, ISCSI_CMD_FLAG_READ, 4 * BS, NULL, 0, back, sizeof(back), &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(o.rflags, ISCSI_RSP_FLAG_UNDERFLOW);
	ck_assert_uint_eq(o.residual, 2 * BS);
	ck_assert(all(back, 2 * BS, 'r'));
}
END_TEST

/*
 * RFC 7143 §11.3.1: R and W say which way the EDTL bytes move. A WRITE
 * sent with an EDTL but without W (R instead, or neither) has no data-out:
 * it ran on a buffer that was never received into, one the thread's cache
 * had just handed back from a read of other blocks, and wrote those to the
 * medium, GOOD. It is refused now, and nothing is written.
 */
START_TEST(test_write_without_w)
{
	static const uint8_t flags[] = {0, ISCSI_CMD_FLAG_READ};
	uint8_t back[BS], cdb[16];
	struct outcome o;

	fill(40, 1, 'S');
	fill(41, 1, 'z');
	for (size_t i = 0; i < sizeof(flags); i++) {
		/* a read of 'S' leaves its buffer in the cache */
		readback(40, 1, back);
		ck_assert(all(back, BS, 'S'));
		cdb10(cdb, 0x2a, 41, 1);
		command(cdb, flags[i], BS, NULL, 0, back, sizeof(back), &o);
		ck_assert_uint_eq(o.status, SCSI_STATUS_CHECK_CONDITION);
		ck_assert_uint_eq(o.key, 0x050e03);
		readback(41, 1, back);
		ck_assert_msg(all(back, BS, 'z'), "flags 0x%02x: block 41 was written", flags[i]);
	}
	/* EDTL 0 needs no direction: a WRITE of nothing, GOOD, all overflow */
	cdb10(cdb, 0x2a, 41, 1);
	command(cdb, 0, 0, NULL, 0, NULL, 0, &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(o.rflags, ISCSI_RSP_FLAG_OVERFLOW);
	ck_assert_uint_eq(o.residual, BS);
	readback(41, 1, back);
	ck_assert(all(back, BS, 'z'));
}
END_TEST

/*
 * A READ flagged W (libiscsi's Read10Invalid): it runs and ends GOOD, but
 * no data-out is asked for it (it takes none) and no data-in goes to an
 * initiator that announced no room for it.
 */
START_TEST(test_read_with_w)
{
	uint8_t w[BS], cdb[16];
	struct outcome o;

	fill(42, 1, 'y');
	memset(w, 'w', sizeof(w));
	cdb10(cdb, 0x28, 42, 1);
	command(cdb, ISCSI_CMD_FLAG_WRITE, BS, w, 0, NULL, 0, &o);
	ck_assert_uint_eq(o.r2ts, 0);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
	/* with its data-out sent as immediate data anyway: dropped, the block unchanged */
	command(cdb, ISCSI_CMD_FLAG_WRITE, BS, w, BS, NULL, 0, &o);
	ck_assert_uint_eq(o.status, SCSI_STATUS_GOOD);
	readback(42, 1, w);
	ck_assert(all(w, BS, 'y'));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsi task");
	TCase *tc = tcase_create("task");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_write_edtl_inside_a_block);
	tcase_add_test(tc, test_write_edtl_whole_blocks);
	tcase_add_test(tc, test_read_edtl_both_ways);
	tcase_add_test(tc, test_write_without_w);
	tcase_add_test(tc, test_read_with_w);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The connection, session and task machines over a socketpair: the test
 * plays the initiator byte by byte against the real transport, the real
 * SCSI engine and a file backstore, with a fake object model behind the
 * transport's ops.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/be.h"
#include "common/crc32c.h"
#include "common/ev.h"
#include "target/backstore/bs.h"
#include "target/iscsi/authguard.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/scsi/scsi.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/iscsi/raw_initiator.h"

#define TGT "iqn.2026-11.org.example:t1"
#define INI "iqn.2026-11.org.example:kvm1"
#define BLOCKS 2048

static struct ev_loop *loop;
static struct raw_initiator ini = {.fd = -1}; /* the test's end of the connection */
static char dir[64];
static struct bs_dev *dev;
static struct scsi_lu *lu;
static uint32_t cmdsn, itt_next = 0x100;
static uint16_t login_tsih; /* TSIH the next login presents (0: a new session) */
static uint16_t last_tsih; /* TSIH of the last successful login */
static const uint8_t isid[6] = {0x80, 0, 0, 0, 0, 1}; /* random format */

/* ---- fake object model ---- */

static struct raw_target tgt; /* what the fixture's connection asks at login */

static const struct iscsi_env_ops fake_ops = {
    .authorize = raw_target_authorize,
    .sendtargets = raw_target_sendtargets,
    .session_conf = raw_target_session_conf, /* LUN 0: lu */
    .session_conf_release = raw_map_release,
};

/* the fixture's env's limits: zero (none) unless a test sets them */
static struct iscsi_limits limits;
static const struct iscsi_env fake_env = {.ops = &fake_ops, .arg = &tgt, .limits = &limits};

/* ---- the initiator side ---- */

/*
 * One Login Request from stage csg towards nsg (T=1) with the given text;
 * the response lands in rsp/data. Returns the login status (0 for success).
 */
static int login_step(uint8_t csg, uint8_t nsg, const char *text, size_t n, uint8_t *bhs,
		      uint8_t *rsp, uint8_t *data, size_t cap)
{
	int dlen;

	raw_login_bhs(bhs, csg, nsg, isid, login_tsih, itt_next, cmdsn);
	raw_ck_send(&ini, bhs, text, (uint32_t)n);
	dlen = raw_ck_recv(&ini, rsp, data, cap);
	ck_assert_int_ge(dlen, 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGIN_RSP);
	return rsp[36] << 8 | rsp[37];
}

static int login(const char *digest)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN];
	uint8_t data[8192];
	char text[1024];
	size_t n = 0;
	int dlen, status;

	n = raw_security_keys(text, INI, TGT);
	status = login_step(ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, text, n, bhs, rsp, data,
			    sizeof(data));
	if (status)
		return status;

	n = raw_key(text, 0, "HeaderDigest", digest);
	n = raw_key(text, n, "DataDigest", digest);
	n = raw_key(text, n, "InitialR2T", "Yes");
	n = raw_key(text, n, "ImmediateData", "Yes");
	n = raw_key(text, n, "MaxRecvDataSegmentLength", "65536");
	n = raw_key(text, n, "MaxBurstLength", "16384");
	n = raw_key(text, n, "FirstBurstLength", "8192");
	n = raw_key(text, n, "MaxOutstandingR2T", "2");
	n = raw_key(text, n, "ErrorRecoveryLevel", "0");
	status = login_step(ISCSI_STAGE_OPERATIONAL, ISCSI_STAGE_FULL_FEATURE, text, n, bhs, rsp,
			    data, sizeof(data));
	if (status)
		return status;
	/* The target may need one more round before it grants the transition. */
	for (int i = 0; i < 3 && !(rsp[1] & ISCSI_LOGIN_FLAG_TRANSIT); i++) {
		raw_ck_send(&ini, bhs, NULL, 0);
		dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
		ck_assert_int_ge(dlen, 0);
	}
	ck_assert(rsp[1] & ISCSI_LOGIN_FLAG_TRANSIT);
	ck_assert_uint_eq(rsp[1] & ISCSI_LOGIN_NSG_MASK, ISCSI_STAGE_FULL_FEATURE);
	ck_assert_uint_ne(get_be16(rsp + 14), 0); /* TSIH */
	last_tsih = get_be16(rsp + 14);
	itt_next++;
	ini.hdigest = ini.ddigest = !strcmp(digest, "CRC32C");
	return 0;
}

/* A SCSI Command to LUN 0 with the next CmdSN. */
static void scsi_cmd_bhs(uint8_t *bhs, uint8_t flags, uint32_t itt, uint32_t edtl,
			 const uint8_t *cdb, size_t cdblen)
{
	raw_scsi_cmd_bhs(bhs, flags, 0, itt, edtl, cmdsn++, cdb, cdblen);
}

/* The first command of a session reports the power-on unit attention (29/00); consume it. */
static void clear_ua(void)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[256];
	const uint8_t tur[6] = { 0 };
	int dlen;

	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL, itt_next++, 0, tur, sizeof(tur));
	raw_ck_send(&ini, bhs, NULL, 0);
	dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
	ck_assert_int_gt(dlen, 2 + 13);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(data[2 + 2] & 0x0f, 0x6); /* UNIT ATTENTION */
	ck_assert_uint_eq(data[2 + 12], 0x29);
	ck_assert_uint_eq(data[2 + 13], 0x00);
}

static void setup(void)
{
	struct bs_params p = { 0 };
	struct scsi_lu_id id = { .serial = "0123456789abcdef",
				 .naa = { 0x30, 1, 2, 3, 4, 5, 6, 7 },
				 .vendor = "PORTICO",
				 .product = "TEST",
				 .revision = "0001" };
	char path[96];
	char err[256];
	int sv[2];

	bs_register_builtin();
	scsi_init();
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_int_eq(bs_thread_init(loop), 0);
	snprintf(dir, sizeof(dir), "/tmp/portico-conn-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lun.img", dir);
	p.name = "lun0";
	p.path = path;
	p.size = BLOCKS * 512ull;
	p.thin = true;
	p.write_back = true;
	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), 0);
	ck_assert_int_eq(scsi_lu_create(dev, &id, &lu), 0);
	raw_target_init(&tgt, TGT);
	tgt.lu0 = lu;
	memset(&limits, 0, sizeof(limits));
	tgt.limits.max_burst = 16384;
	tgt.limits.first_burst = 8192;
	tgt.limits.max_recv_dsl = 8192;
	tgt.limits.max_outstanding_r2t = 2;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ini = (struct raw_initiator){.loop = loop, .fd = sv[0]};
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &fake_env), 0);
	cmdsn = 1;
	login_tsih = 0;
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

/* ---- tests ---- */

START_TEST(test_login_and_nop)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN], data[8192];
	int dlen;

	ck_assert_int_eq(login("None"), 0);
	raw_nop_out_bhs(bhs, 0x42, cmdsn);
	raw_ck_send(&ini, bhs, "ping", 4);
	dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
	ck_assert_int_eq(dlen, 4);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_NOP_IN);
	ck_assert_uint_eq(get_be32(rsp + 16), 0x42);
	ck_assert_mem_eq(data, "ping", 4);
	/* ExpCmdSN and MaxCmdSN: the window of 16 starts at our next CmdSN. */
	ck_assert_uint_eq(get_be32(rsp + 28), cmdsn);
	ck_assert_uint_eq(get_be32(rsp + 32), cmdsn + 15);
}
END_TEST

START_TEST(test_authorization_refused)
{
	tgt.status = ISCSI_LOGIN_AUTHORIZATION_FAILURE;
	ck_assert_int_eq(login("None"), ISCSI_LOGIN_AUTHORIZATION_FAILURE);
	ck_assert_int_lt(raw_ck_recv(&ini, (uint8_t[48]){0}, NULL, 0), 0); /* closed */
}
END_TEST

START_TEST(test_pdu_before_login)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN];
	const uint8_t tur[6] = { 0 };

	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL, 1, 0, tur, sizeof(tur));
	raw_ck_send(&ini, bhs, NULL, 0);
	ck_assert_int_ge(raw_ck_recv(&ini, rsp, NULL, 0), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGIN_RSP);
	ck_assert_uint_eq(rsp[36], 2);
	ck_assert_uint_eq(rsp[37], 0x0b); /* invalid during login */
	ck_assert_int_lt(raw_ck_recv(&ini, rsp, NULL, 0), 0);
}
END_TEST

/* Writes blocks with immediate data then R2Ts, reads them back. */
static void write_read(uint32_t lba, uint32_t nblocks, uint32_t immediate)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN];
	uint32_t len = nblocks * 512;
	uint8_t *pattern = malloc(len), *back = calloc(1, len);
	uint8_t cdb[10] = { 0x2a };
	uint8_t data[65536];
	uint32_t itt = itt_next++, got = 0;
	int dlen;

	for (uint32_t i = 0; i < len; i++)
		pattern[i] = (uint8_t)(i * 7 + lba);
	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, (uint16_t)nblocks);
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_WRITE, itt, len, cdb, sizeof(cdb));
	raw_ck_send(&ini, bhs, pattern, immediate);
	/* Answer every R2T until the response arrives. */
	for (int i = 0; i < 100; i++) {
		dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
		ck_assert_int_ge(dlen, 0);
		if (rsp[0] == ISCSI_OP_SCSI_RSP)
			break;
		ck_assert_uint_eq(rsp[0], ISCSI_OP_R2T);
		{
			uint32_t ttt = get_be32(rsp + 20), off = get_be32(rsp + 40);
			uint32_t want = get_be32(rsp + 44), sent = 0, datasn = 0;

			ck_assert_uint_le(want, 16384); /* MaxBurstLength */
			while (sent < want) {
				uint32_t seg = want - sent > 8192 ? 8192 : want - sent;
				uint8_t d[ISCSI_BHS_LEN] = { 0 };

				d[0] = ISCSI_OP_DATA_OUT;
				d[1] = sent + seg == want ? ISCSI_FLAG_FINAL : 0;
				put_be32(d + 16, itt);
				put_be32(d + 20, ttt);
				put_be32(d + 36, datasn++);
				put_be32(d + 40, off + sent);
				raw_ck_send(&ini, d, pattern + off + sent, seg);
				sent += seg;
			}
		}
	}
	ck_assert_uint_eq(rsp[0], ISCSI_OP_SCSI_RSP);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be32(rsp + 16), itt);

	cdb[0] = 0x28;
	itt = itt_next++;
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, itt, len, cdb, sizeof(cdb));
	raw_ck_send(&ini, bhs, NULL, 0);
	for (int i = 0; i < 100 && got < len; i++) {
		dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
		ck_assert_int_ge(dlen, 0);
		ck_assert_uint_eq(rsp[0], ISCSI_OP_DATA_IN);
		ck_assert_uint_le((uint32_t)dlen, 65536); /* our MaxRecvDataSegmentLength */
		ck_assert_uint_eq(get_be32(rsp + 40), got);
		memcpy(back + got, data, (size_t)dlen);
		got += (uint32_t)dlen;
	}
	ck_assert_uint_eq(got, len);
	ck_assert(rsp[1] & ISCSI_DATA_FLAG_STATUS);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_GOOD);
	ck_assert_mem_eq(back, pattern, len);
	free(pattern);
	free(back);
}

START_TEST(test_write_read_r2t)
{
	ck_assert_int_eq(login("None"), 0);
	clear_ua();
	write_read(0, 1, 512); /* all immediate */
	write_read(8, 64, 4096); /* immediate then R2Ts of MaxBurstLength */
	write_read(100, 33, 0); /* R2Ts only, odd length */
}
END_TEST

START_TEST(test_digests)
{
	ck_assert_int_eq(login("CRC32C"), 0);
	clear_ua();
	write_read(200, 40, 8192);
}
END_TEST

START_TEST(test_bad_header_digest_drops)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN];
	uint8_t raw[ISCSI_BHS_LEN + 4];

	ck_assert_int_eq(login("CRC32C"), 0);
	raw_nop_out_bhs(bhs, 7, 0);
	memcpy(raw, bhs, ISCSI_BHS_LEN);
	crc32c_put_wire(raw + ISCSI_BHS_LEN, crc32c(0, bhs, ISCSI_BHS_LEN) ^ 1);
	ck_assert_int_eq(write(ini.fd, raw, sizeof(raw)), (ssize_t)sizeof(raw));
	ck_assert_int_lt(raw_ck_recv(&ini, rsp, NULL, 0), 0);
}
END_TEST

START_TEST(test_unknown_opcode_rejected)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN], data[64];
	int dlen;

	ck_assert_int_eq(login("None"), 0);
	bhs[0] = 0x1c | ISCSI_OP_IMMEDIATE; /* not an initiator opcode */
	bhs[1] = ISCSI_FLAG_FINAL;
	raw_ck_send(&ini, bhs, NULL, 0);
	dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
	ck_assert_int_eq(dlen, ISCSI_BHS_LEN); /* the offending header comes back */
	ck_assert_uint_eq(rsp[0], ISCSI_OP_REJECT);
	ck_assert_uint_eq(rsp[2], ISCSI_REJECT_CMD_NOT_SUPPORTED);
	ck_assert_uint_eq(data[0], bhs[0]);
	/* The session goes on. */
	clear_ua();
	write_read(0, 2, 1024);
}
END_TEST

START_TEST(test_cmdsn_outside_window_ignored)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[256];
	const uint8_t tur[6] = { 0 };
	uint32_t saved;

	ck_assert_int_eq(login("None"), 0);
	saved = cmdsn;
	cmdsn += 1000; /* far beyond MaxCmdSN */
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL, itt_next++, 0, tur, sizeof(tur));
	raw_ck_send(&ini, bhs, NULL, 0);
	ck_assert(raw_quiet(&ini));
	cmdsn = saved;
	/* In-window command: the unit attention (power on) first, then GOOD. */
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL, itt_next++, 0, tur, sizeof(tur));
	raw_ck_send(&ini, bhs, NULL, 0);
	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_SCSI_RSP);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_CHECK_CONDITION);
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL, itt_next++, 0, tur, sizeof(tur));
	raw_ck_send(&ini, bhs, NULL, 0);
	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_GOOD);
}
END_TEST

START_TEST(test_cmdsn_gap_held_until_filled)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[256];
	uint8_t cdb[6] = { 0x12, 0, 0, 0, 36, 0 }; /* INQUIRY: no unit attention */
	uint32_t first = cmdsn;

	ck_assert_int_eq(login("None"), 0);
	first = cmdsn;
	cmdsn = first + 1;
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, 0x900, 36, cdb, sizeof(cdb));
	raw_ck_send(&ini, bhs, NULL, 0);
	ck_assert(raw_quiet(&ini)); /* CmdSN first+1 waits for first */
	cmdsn = first;
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, 0x901, 36, cdb, sizeof(cdb));
	raw_ck_send(&ini, bhs, NULL, 0);
	ck_assert_int_eq(raw_ck_recv(&ini, rsp, data, sizeof(data)), 36);
	ck_assert_uint_eq(get_be32(rsp + 16), 0x901);
	ck_assert_int_eq(raw_ck_recv(&ini, rsp, data, sizeof(data)), 36);
	ck_assert_uint_eq(get_be32(rsp + 16), 0x900);
	ck_assert_uint_eq(get_be32(rsp + 28), first + 2); /* ExpCmdSN past both */
}
END_TEST

START_TEST(test_residual_underflow)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[512];
	uint8_t cdb[6] = { 0x12, 0, 0, 0, 255, 0 };

	ck_assert_int_eq(login("None"), 0);
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, itt_next++, 255, cdb,
		     sizeof(cdb));
	raw_ck_send(&ini, bhs, NULL, 0);
	{
		int dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));

		ck_assert_int_gt(dlen, 0);
		ck_assert_int_lt(dlen, 255);
		ck_assert(rsp[1] & ISCSI_DATA_FLAG_UNDERFLOW);
		ck_assert_uint_eq(get_be32(rsp + 44), 255u - (uint32_t)dlen);
	}
}
END_TEST

START_TEST(test_sendtargets_and_logout)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN], data[1024];
	int dlen;

	ck_assert_int_eq(login("None"), 0);
	bhs[0] = ISCSI_OP_TEXT_REQ;
	bhs[1] = ISCSI_FLAG_FINAL;
	put_be32(bhs + 16, itt_next++);
	put_be32(bhs + 20, ISCSI_RESERVED_TAG);
	put_be32(bhs + 24, cmdsn++);
	raw_ck_send(&ini, bhs, "SendTargets=", 13);
	dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
	ck_assert_int_gt(dlen, 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_TEXT_RSP);
	ck_assert_ptr_nonnull(memmem(data, (size_t)dlen, "TargetName=" TGT, strlen(TGT) + 11));

	memset(bhs, 0, sizeof(bhs));
	bhs[0] = ISCSI_OP_LOGOUT_REQ | ISCSI_OP_IMMEDIATE;
	bhs[1] = ISCSI_FLAG_FINAL | ISCSI_LOGOUT_CLOSE_SESSION;
	put_be32(bhs + 16, 0x77);
	put_be32(bhs + 24, cmdsn);
	raw_ck_send(&ini, bhs, NULL, 0);
	ck_assert_int_eq(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGOUT_RSP);
	ck_assert_uint_eq(rsp[2], ISCSI_LOGOUT_RSP_OK);
	ck_assert_uint_eq(get_be32(rsp + 16), 0x77);
	ck_assert_int_lt(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0); /* then closed */
}
END_TEST

START_TEST(test_oversized_segment_rejected)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN], data[64];
	static uint8_t big[16384];

	ck_assert_int_eq(login("None"), 0);
	raw_nop_out_bhs(bhs, 9, 0);
	raw_ck_send(&ini, bhs, big, sizeof(big)); /* we declared 8192 */
	ck_assert_int_eq(raw_ck_recv(&ini, rsp, data, sizeof(data)), ISCSI_BHS_LEN);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_REJECT);
	ck_assert_uint_eq(rsp[2], ISCSI_REJECT_PROTOCOL_ERROR);
	ck_assert_int_lt(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
}
END_TEST

START_TEST(test_abort_task_during_data_out)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[256];
	uint8_t cdb[10] = { 0x2a, 0, 0, 0, 0, 0, 0, 0, 64, 0 };
	uint8_t tmf[ISCSI_BHS_LEN] = { 0 };
	uint32_t itt;

	ck_assert_int_eq(login("None"), 0);
	clear_ua();
	itt = itt_next++;
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_WRITE, itt, 64 * 512, cdb, sizeof(cdb));
	raw_ck_send(&ini, bhs, NULL, 0);
	/* MaxOutstandingR2T=2: two R2Ts of MaxBurstLength each. */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
		ck_assert_uint_eq(rsp[0], ISCSI_OP_R2T);
		ck_assert_uint_eq(get_be32(rsp + 40), i * 16384u);
	}
	ck_assert(raw_quiet(&ini));
	/* Abort it instead of sending the data. */
	tmf[0] = ISCSI_OP_TASK_MGMT_REQ | ISCSI_OP_IMMEDIATE;
	tmf[1] = ISCSI_FLAG_FINAL | ISCSI_TMF_ABORT_TASK;
	put_be32(tmf + 16, 0x555);
	put_be32(tmf + 20, itt);
	put_be32(tmf + 24, cmdsn);
	put_be32(tmf + 32, cmdsn - 1);
	raw_ck_send(&ini, tmf, NULL, 0);
	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_TASK_MGMT_RSP);
	ck_assert_uint_eq(rsp[2], ISCSI_TMF_RSP_COMPLETE);
	ck_assert_uint_eq(get_be32(rsp + 16), 0x555);
	/* Aborting it again: it no longer exists. */
	put_be32(tmf + 16, 0x556);
	put_be32(tmf + 32, cmdsn + 100);
	raw_ck_send(&ini, tmf, NULL, 0);
	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[2], ISCSI_TMF_RSP_NO_TASK);
	/* The session goes on, and the ITT may be reused. */
	itt_next = itt;
	write_read(16, 4, 2048);
}
END_TEST

START_TEST(test_immediate_data_digest_error)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[256];
	uint8_t cdb[10] = { 0x2a, 0, 0, 0, 0, 10, 0, 0, 2, 0 };
	uint8_t raw[ISCSI_BHS_LEN + 4 + 1024 + 4];
	uint8_t payload[1024];
	uint32_t itt;
	int dlen;

	ck_assert_int_eq(login("CRC32C"), 0);
	clear_ua();
	itt = itt_next++;
	memset(payload, 0xab, sizeof(payload));
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_WRITE, itt, sizeof(payload), cdb,
		     sizeof(cdb));
	iscsi_bhs_set_dlen(bhs, sizeof(payload));
	memcpy(raw, bhs, ISCSI_BHS_LEN);
	crc32c_put_wire(raw + ISCSI_BHS_LEN, crc32c(0, bhs, ISCSI_BHS_LEN));
	memcpy(raw + ISCSI_BHS_LEN + 4, payload, sizeof(payload));
	crc32c_put_wire(raw + ISCSI_BHS_LEN + 4 + sizeof(payload),
			crc32c(0, payload, sizeof(payload)) ^ 0x10);
	ck_assert_int_eq(write(ini.fd, raw, sizeof(raw)), (ssize_t)sizeof(raw));

	/* RFC 7143 §7.8: Reject (data digest error), then CHECK CONDITION 0B/47/05. */
	dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
	ck_assert_int_eq(dlen, ISCSI_BHS_LEN);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_REJECT);
	ck_assert_uint_eq(rsp[2], ISCSI_REJECT_DATA_DIGEST_ERROR);
	dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
	ck_assert_int_gt(dlen, 2 + 13);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_SCSI_RSP);
	ck_assert_uint_eq(get_be32(rsp + 16), itt);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(data[2 + 2] & 0x0f, 0x0b);
	ck_assert_uint_eq(data[2 + 12], 0x47);
	ck_assert_uint_eq(data[2 + 13], 0x05);
	/* The session goes on. */
	write_read(10, 2, 1024);
}
END_TEST

START_TEST(test_session_reinstatement)
{
	uint8_t rsp[ISCSI_BHS_LEN];
	int first, sv[2];

	ck_assert_int_eq(login("None"), 0);
	clear_ua();
	write_read(300, 8, 4096);
	first = ini.fd;

	/* The same initiator and ISID log in again on a new connection. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &fake_env), 0);
	ini.fd = sv[0];
	ck_assert_int_eq(login("None"), 0);

	/* The old connection was closed; the new session works. */
	{
		int saved = ini.fd;

		ini.fd = first;
		ck_assert_int_lt(raw_ck_recv(&ini, rsp, NULL, 0), 0);
		ini.fd = saved;
	}
	close(first);
	clear_ua();
	write_read(300, 8, 0);
}
END_TEST

START_TEST(test_connection_reinstatement)
{
	uint8_t rsp[ISCSI_BHS_LEN];
	uint16_t tsih;
	int first, sv[2];

	ck_assert_int_eq(login("None"), 0);
	clear_ua();
	write_read(400, 4, 2048);
	tsih = last_tsih;
	first = ini.fd;

	/* A login naming a TSIH that does not exist: session does not exist (2/0a). */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &fake_env), 0);
	ini.fd = sv[0];
	login_tsih = (uint16_t)(tsih + 77);
	ck_assert_int_eq(login("None"), ISCSI_LOGIN_SESSION_DOES_NOT_EXIST);
	close(ini.fd);

	/* The live session's TSIH: its connection is replaced, the TSIH stays. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &fake_env), 0);
	ini.fd = sv[0];
	login_tsih = tsih;
	ck_assert_int_eq(login("None"), 0);
	ck_assert_uint_eq(last_tsih, tsih);
	{
		int saved = ini.fd;

		ini.fd = first;
		ck_assert_int_lt(raw_ck_recv(&ini, rsp, NULL, 0),
				 0); /* the old connection is gone */
		ini.fd = saved;
	}
	close(first);
	clear_ua();
	write_read(400, 4, 0);
}
END_TEST

/*
 * More PDUs arrive in one write than the receive side handles per event:
 * the ones left in the read-ahead buffer must still be answered, though
 * the socket itself has nothing more to say (a batch of 128 commands once
 * waited forever this way).
 */
START_TEST(test_burst_beyond_rx_batch)
{
	enum { N = 150 };
	static uint8_t burst[N * ISCSI_BHS_LEN];
	uint8_t rsp[ISCSI_BHS_LEN], data[64];
	bool seen[N] = { false };

	ck_assert_int_eq(login("None"), 0);
	for (int i = 0; i < N; i++)
		raw_nop_out_bhs(burst + i * ISCSI_BHS_LEN, 0x1000u + (uint32_t)i, cmdsn);
	ck_assert_int_eq(write(ini.fd, burst, sizeof(burst)), (ssize_t)sizeof(burst));
	for (int i = 0; i < N; i++) {
		uint32_t itt;

		ck_assert_int_eq(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
		ck_assert_uint_eq(rsp[0], ISCSI_OP_NOP_IN);
		itt = get_be32(rsp + 16) - 0x1000u;
		ck_assert_uint_lt(itt, N);
		ck_assert(!seen[itt]);
		seen[itt] = true;
	}
}
END_TEST

/*
 * Every stage of a PDU cut short: a write with immediate data and a ping
 * with data trickle in a few bytes at a time, header and data digests on,
 * the target running between the bytes. Each is still read whole, and
 * the written blocks read back the same.
 */
START_TEST(test_short_reads)
{
	static uint8_t wire[2 * (ISCSI_BHS_LEN + 4 + 1024 + 4)];
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[1024], back[1024];
	uint8_t cdb[10] = {0x2a, 0, 0, 0, 0, 40, 0, 0, 2, 0};
	uint32_t itt;
	size_t n, off = 0;
	int dlen;

	ck_assert_int_eq(login("CRC32C"), 0);
	clear_ua();
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	itt = itt_next++;
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_WRITE, itt, sizeof(data), cdb,
		     sizeof(cdb));
	n = raw_frame(wire, bhs, data, sizeof(data), ini.hdigest, ini.ddigest);
	raw_nop_out_bhs(bhs, 0x4242, cmdsn);
	n += raw_frame(wire + n, bhs, "short", 5, ini.hdigest, ini.ddigest); /* padded */
	for (size_t step = 1; off < n; step = step % 7 + 1) {
		size_t k = step < n - off ? step : n - off;

		ck_assert_int_eq(write(ini.fd, wire + off, k), (ssize_t)k);
		off += k;
		raw_pump(loop, 1);
	}
	dlen = raw_ck_recv(&ini, rsp, back, sizeof(back));
	ck_assert_int_eq(dlen, 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_SCSI_RSP);
	ck_assert_uint_eq(get_be32(rsp + 16), itt);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_GOOD);
	dlen = raw_ck_recv(&ini, rsp, back, sizeof(back));
	ck_assert_int_eq(dlen, 5);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_NOP_IN);
	ck_assert_uint_eq(get_be32(rsp + 16), 0x4242);
	ck_assert_mem_eq(back, "short", 5);

	cdb[0] = 0x28;
	itt = itt_next++;
	scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, itt, sizeof(back), cdb,
		     sizeof(cdb));
	raw_ck_send(&ini, bhs, NULL, 0);
	ck_assert_int_eq(raw_ck_recv(&ini, rsp, back, sizeof(back)), (int)sizeof(back));
	ck_assert_uint_eq(rsp[0], ISCSI_OP_DATA_IN);
	ck_assert(rsp[1] & ISCSI_DATA_FLAG_STATUS);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_GOOD);
	ck_assert_mem_eq(back, data, sizeof(data));
}
END_TEST

/* A connection asks the environment it was started with, and only that one. */
START_TEST(test_env_per_connection)
{
	struct raw_target refusing = tgt;
	const struct iscsi_env other = {.ops = &fake_ops, .arg = &refusing};
	int first = ini.fd, sv[2];

	refusing.status = ISCSI_LOGIN_AUTHORIZATION_FAILURE;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &other), 0);
	ini.fd = sv[0];
	ck_assert_int_eq(login("None"), ISCSI_LOGIN_AUTHORIZATION_FAILURE);
	close(ini.fd);
	/* the fixture's connection, started with fake_env, is let in */
	ini.fd = first;
	ck_assert_int_eq(login("None"), 0);
	clear_ua();
}
END_TEST

/* ---- command memory (budget.c) and the send timeout ---- */

/*
 * A new connection in place of the fixture's, whose socket buffers little
 * of what the target sends: an initiator that does not read blocks it at
 * once. Logged in, the power-on attention consumed.
 */
static void reconnect_narrow(void)
{
	int sv[2], small = 4096;

	close(ini.fd);
	raw_pump(loop, 20);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &fake_env), 0);
	ini.fd = sv[0];
	cmdsn = 1;
	ck_assert_int_eq(login("None"), 0);
	clear_ua();
}

/* Sends n READ (10)s of 64 blocks (32 KiB) each, with ITTs from itt0. */
static void send_reads(uint32_t itt0, int n)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint8_t cdb[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 64, 0 };

	for (int i = 0; i < n; i++) {
		scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, itt0 + (uint32_t)i,
			     32768, cdb, sizeof(cdb));
		raw_ck_send(&ini, bhs, NULL, 0);
	}
}

/*
 * Reads PDUs until the n READs from itt0 are answered (GOOD, every byte)
 * and, when announce, a NOP-In that asks nothing (ITT and TTT 0xffffffff)
 * came after the last of them: its MaxCmdSN in *announced. The MaxCmdSN of
 * every status in max_seen (n entries).
 */
static void read_answers(uint32_t itt0, int n, bool announce, uint32_t *max_seen,
			 uint32_t *announced)
{
	uint8_t rsp[ISCSI_BHS_LEN], data[65536];
	uint32_t got[16] = { 0 };
	int done = 0;
	bool nop = false;

	ck_assert_int_le(n, 16);
	for (int i = 0; i < 1000 && (done < n || (announce && !nop)); i++) {
		int dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
		uint32_t k = get_be32(rsp + 16) - itt0;

		ck_assert_int_ge(dlen, 0);
		if (rsp[0] == ISCSI_OP_NOP_IN) {
			ck_assert_uint_eq(get_be32(rsp + 16), ISCSI_RESERVED_TAG);
			ck_assert_uint_eq(get_be32(rsp + 20), ISCSI_RESERVED_TAG);
			ck_assert_int_eq(done, n); /* nothing opens before the memory is back */
			*announced = get_be32(rsp + 32);
			nop = true;
			continue;
		}
		ck_assert_uint_eq(rsp[0], ISCSI_OP_DATA_IN);
		ck_assert_uint_lt(k, (uint32_t)n);
		got[k] += (uint32_t)dlen;
		if (rsp[1] & ISCSI_DATA_FLAG_STATUS) {
			ck_assert_uint_eq(rsp[3], SCSI_STATUS_GOOD);
			ck_assert_uint_eq(got[k], 32768);
			max_seen[k] = get_be32(rsp + 32);
			done++;
		}
	}
	ck_assert_int_eq(done, n);
	ck_assert(nop || !announce);
}

/*
 * A session's memory is short: the READs beyond it wait, unexecuted, then
 * run in order as the initiator takes the data; nothing is lost, and the
 * memory is all given back.
 */
START_TEST(test_memory_wait_then_run)
{
	uint32_t max_seen[6], announced = 0;

	limits.session_io_memory = 64 * 1024;
	ck_assert_int_eq(login("None"), 0);
	clear_ua();
	send_reads(0x500, 6);
	raw_pump(loop, 20);
	/* two of 32 KiB fill the session's 64 KiB; four wait */
	ck_assert_uint_eq(limits.commands_waited, 4);
	read_answers(0x500, 6, false, max_seen, &announced);
	raw_pump(loop, 20);
	ck_assert_uint_eq(limits.io_memory_used, 0);
	ck_assert_uint_le(limits.io_memory_peak, 64 * 1024);
}
END_TEST

/*
 * An initiator that does not read: its session holds its share and no
 * more, and its window stops growing (every answer carries the MaxCmdSN
 * it had); once it reads, the memory comes back and a NOP-In announces the
 * window open again (RFC 7143 §4.2.2.1, §11.19).
 */
START_TEST(test_memory_window_held_then_announced)
{
	uint32_t max_seen[4], announced = 0, first;

	limits.session_io_memory = 64 * 1024;
	reconnect_narrow();
	first = cmdsn;
	send_reads(0x600, 4);
	raw_pump(loop, 50);
	ck_assert_uint_eq(limits.commands_waited, 2);
	ck_assert_uint_eq(limits.io_memory_used, 64 * 1024);
	read_answers(0x600, 4, true, max_seen, &announced);
	/* the window of 16 from the first command, never moved while memory was short */
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(max_seen[i], first + 15);
	ck_assert_uint_eq(announced, first + 4 + 15);
	ck_assert_uint_eq(limits.io_memory_used, 0);
}
END_TEST

/* Nothing of what waits is taken for send_timeout: the connection goes, NOP-In or not. */
START_TEST(test_send_timeout)
{
	uint8_t b[4096];
	ssize_t r;
	int64_t t0;

	limits.send_timeout_ms = 200;
	reconnect_narrow();
	send_reads(0x700, 4);
	t0 = ev_now_ms();
	while (!limits.send_timeouts && ev_now_ms() - t0 < 5000)
		raw_pump(loop, 10);
	ck_assert_uint_eq(limits.send_timeouts, 1);
	ck_assert_int_ge(ev_now_ms() - t0, 200);
	/* what the target had sent, then the end */
	do
		r = recv(ini.fd, b, sizeof(b), MSG_DONTWAIT);
	while (r > 0);
	ck_assert_int_eq(r, 0);
}
END_TEST

/* An initiator that takes what it is sent is never dropped, however slowly it asks. */
START_TEST(test_send_timeout_spares_readers)
{
	uint32_t max_seen[4], announced;

	limits.send_timeout_ms = 100;
	reconnect_narrow();
	for (int round = 0; round < 3; round++) {
		send_reads(0x800 + 0x10 * (uint32_t)round, 4);
		read_answers(0x800 + 0x10 * (uint32_t)round, 4, false, max_seen, &announced);
		raw_pump(loop, 150); /* idle with nothing to send: no timeout */
	}
	ck_assert_uint_eq(limits.send_timeouts, 0);
}
END_TEST

/* ---- the auth guard ---- */

/* One login on a new connection started with env: its status, and how long its answer took. */
static int guarded_login(const struct iscsi_env *env, int64_t *took_ms)
{
	int sv[2], status;
	int64_t t0;

	close(ini.fd);
	raw_pump(loop, 10);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], env), 0);
	ini.fd = sv[0];
	cmdsn = 1;
	t0 = ev_now_ms();
	status = login("None");
	*took_ms = ev_now_ms() - t0;
	return status;
}

/*
 * A CHAP login on a new connection started with env: the first request
 * offers CHAP (T=0), the second CHAP_A. The status of the second answer,
 * and how long it took.
 */
static int chap_login(const struct iscsi_env *env, int64_t *took_ms)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[8192];
	char text[1024];
	size_t n;
	int sv[2];
	int64_t t0;

	close(ini.fd);
	raw_pump(loop, 10);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], env), 0);
	ini.fd = sv[0];
	n = raw_key(text, 0, "InitiatorName", INI);
	n = raw_key(text, n, "TargetName", TGT);
	n = raw_key(text, n, "SessionType", "Normal");
	n = raw_key(text, n, "AuthMethod", "CHAP");
	raw_login_bhs(bhs, ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, isid, 0, itt_next, 1);
	bhs[1] &= (uint8_t)~ISCSI_LOGIN_FLAG_TRANSIT;
	raw_ck_send(&ini, bhs, text, (uint32_t)n);
	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[36] << 8 | rsp[37], 0);
	n = raw_key(text, 0, "CHAP_A", "5");
	t0 = ev_now_ms();
	raw_ck_send(&ini, bhs, text, (uint32_t)n);
	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	*took_ms = ev_now_ms() - t0;
	return rsp[36] << 8 | rsp[37];
}

/*
 * Failed authentications are answered late, longer each time; a run of
 * them locks the initiator out of the target: a CHAP exchange is refused
 * before a key of it is looked at, as late as the worst failure. A login
 * that needs no secret is not the guard's to refuse, and a refusal that is
 * not about authentication is not counted.
 */
START_TEST(test_auth_guard)
{
	const struct authguard_policy p = { .enabled = true, .delay_ms = 100, .delay_max_ms = 300,
					    .lockout_failures = 2, .lockout_ms = 60000 };
	struct iscsi_env env = fake_env;
	struct authguard_stats st;
	struct authguard *g;
	int64_t took;

	ck_assert_int_eq(authguard_create(&p, &g), 0);
	env.guard = g;
	tgt.status = ISCSI_LOGIN_AUTHORIZATION_FAILURE;
	ck_assert_int_eq(guarded_login(&env, &took), ISCSI_LOGIN_AUTHORIZATION_FAILURE);
	authguard_get_stats(g, &st);
	ck_assert_uint_eq(st.failures, 0);
	tgt.status = ISCSI_LOGIN_AUTH_FAILURE;
	ck_assert_int_eq(guarded_login(&env, &took), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_int_ge(took, 100);
	ck_assert_int_eq(guarded_login(&env, &took), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_int_ge(took, 200);
	/* locked out: CHAP refused before CHAP_A is looked at */
	tgt.status = ISCSI_LOGIN_OK;
	tgt.limits.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP) | PARAM_AUTH_BIT(PARAM_AUTH_NONE);
	ck_assert_int_eq(chap_login(&env, &took), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_int_ge(took, 300);
	authguard_get_stats(g, &st);
	ck_assert_uint_eq(st.failures, 2);
	ck_assert_uint_eq(st.lockouts, 1);
	ck_assert_uint_eq(st.refused, 1);
	/* without a secret to guess, the same initiator is let in */
	ck_assert_int_eq(guarded_login(&env, &took), 0);
	/* every connection that used the guard is gone before it is */
	close(ini.fd);
	ini.fd = -1;
	raw_pump(loop, 50);
	authguard_destroy(g);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsi conn");
	TCase *tc = tcase_create("conn");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_login_and_nop);
	tcase_add_test(tc, test_authorization_refused);
	tcase_add_test(tc, test_pdu_before_login);
	tcase_add_test(tc, test_write_read_r2t);
	tcase_add_test(tc, test_digests);
	tcase_add_test(tc, test_bad_header_digest_drops);
	tcase_add_test(tc, test_unknown_opcode_rejected);
	tcase_add_test(tc, test_cmdsn_outside_window_ignored);
	tcase_add_test(tc, test_cmdsn_gap_held_until_filled);
	tcase_add_test(tc, test_residual_underflow);
	tcase_add_test(tc, test_sendtargets_and_logout);
	tcase_add_test(tc, test_oversized_segment_rejected);
	tcase_add_test(tc, test_abort_task_during_data_out);
	tcase_add_test(tc, test_session_reinstatement);
	tcase_add_test(tc, test_immediate_data_digest_error);
	tcase_add_test(tc, test_connection_reinstatement);
	tcase_add_test(tc, test_burst_beyond_rx_batch);
	tcase_add_test(tc, test_short_reads);
	tcase_add_test(tc, test_env_per_connection);
	tcase_add_test(tc, test_memory_wait_then_run);
	tcase_add_test(tc, test_memory_window_held_then_announced);
	tcase_add_test(tc, test_send_timeout);
	tcase_add_test(tc, test_send_timeout_spares_readers);
	tcase_add_test(tc, test_auth_guard);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

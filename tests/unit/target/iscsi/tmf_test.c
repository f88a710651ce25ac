/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Task management across sessions (target/iscsi/tmf.c) with TAS 1: an
 * abort from another I_T nexus (LOGICAL UNIT RESET, PERSISTENT RESERVE OUT
 * PREEMPT AND ABORT) ends the tasks it takes with TASK ABORTED, the write
 * in the backstore once it leaves it and the write waiting for Data-Out
 * once the data it solicited arrived; the requesting nexus's own tasks end
 * without status. Two sessions of one initiator (two ISIDs) play over
 * socketpairs against the real transport and engine, on an in-memory store
 * whose requests wait until the test runs them (mem_drain).
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
#include "tests/unit/target/scsi/mem_bs.h"

#define TGT "iqn.2026-12.org.example:t1"
#define INI "iqn.2026-12.org.example:node"
#define BS 512u
#define BLOCKS 256u
#define KEY_A 0xa1a1a1a1a1a1a1a1ull
#define KEY_B 0xb2b2b2b2b2b2b2b2ull

/* One session: its connection and its counters. */
struct ses {
	struct raw_initiator ini;
	uint32_t cmdsn;
	uint32_t itt;
	uint8_t isid[6];
};

static struct ev_loop *loop;
static struct mem_bs *mb;
static struct scsi_lu *lu;
static struct raw_target tgt;
static struct ses A, B;
static uint8_t data[65536];

static const struct iscsi_env_ops fake_ops = {
    .authorize = raw_target_authorize,
    .sendtargets = raw_target_sendtargets,
    .session_conf = raw_target_session_conf, /* LUN 0: lu */
    .session_conf_release = raw_map_release,
};

static const struct iscsi_env fake_env = {.ops = &fake_ops, .arg = &tgt};

static int login_step(struct ses *s, uint8_t csg, uint8_t nsg, const char *text, size_t n,
		      uint8_t *rsp)
{
	uint8_t bhs[ISCSI_BHS_LEN];

	raw_login_bhs(bhs, csg, nsg, s->isid, 0, s->itt, s->cmdsn);
	raw_ck_send(&s->ini, bhs, text, (uint32_t)n);
	ck_assert_int_ge(raw_ck_recv(&s->ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGIN_RSP);
	return rsp[36] << 8 | rsp[37];
}

/* Receives the next PDU of s: its opcode; the header in rsp. */
static uint8_t next_pdu(struct ses *s, uint8_t *rsp)
{
	ck_assert_int_ge(raw_ck_recv(&s->ini, rsp, data, sizeof(data)), 0);
	return rsp[0] & 0x3f;
}

/* Sends a SCSI Command (F set) with imm bytes of immediate data; its ITT. */
static uint32_t send_cmd(struct ses *s, const uint8_t *cdb, uint8_t flags, uint32_t edtl,
			 const uint8_t *imm, uint32_t n)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint32_t itt = s->itt++;

	raw_scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | flags, 0, itt, edtl, s->cmdsn++, cdb, 16);
	raw_ck_send(&s->ini, bhs, imm, n);
	return itt;
}

/* The SCSI Response of itt, next on s: its status. */
static uint8_t status_of(struct ses *s, uint32_t itt)
{
	uint8_t rsp[ISCSI_BHS_LEN];

	ck_assert_uint_eq(next_pdu(s, rsp), ISCSI_OP_SCSI_RSP);
	ck_assert_uint_eq(get_be32(rsp + 16), itt);
	return rsp[3];
}

/* A command without data: its status, and the sense key/ASC/ASCQ as 0xKKAAQQ in *key. */
static uint8_t simple(struct ses *s, const uint8_t *cdb, uint32_t *key)
{
	uint8_t rsp[ISCSI_BHS_LEN];
	uint32_t itt = send_cmd(s, cdb, 0, 0, NULL, 0);
	int dlen;

	dlen = raw_ck_recv(&s->ini, rsp, data, sizeof(data));
	ck_assert_uint_eq(rsp[0] & 0x3f, ISCSI_OP_SCSI_RSP);
	ck_assert_uint_eq(get_be32(rsp + 16), itt);
	*key = dlen >= 2 + 14
		   ? (uint32_t)(data[4] & 0x0f) << 16 | (uint32_t)data[14] << 8 | data[15]
		   : 0;
	return rsp[3];
}

static void login(struct ses *s, int fd, uint8_t isid_last)
{
	const uint8_t tur[16] = {0};
	uint8_t rsp[ISCSI_BHS_LEN];
	char text[1024];
	uint32_t key;
	size_t n;

	memset(s, 0, sizeof(*s));
	s->ini = (struct raw_initiator){.loop = loop, .fd = fd};
	s->isid[0] = 0x80;
	s->isid[5] = isid_last;
	s->cmdsn = 1;
	s->itt = 0x100;
	n = raw_security_keys(text, INI, TGT);
	ck_assert_int_eq(login_step(s, ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, text, n, rsp),
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
	    login_step(s, ISCSI_STAGE_OPERATIONAL, ISCSI_STAGE_FULL_FEATURE, text, n, rsp), 0);
	ck_assert(rsp[1] & ISCSI_LOGIN_FLAG_TRANSIT);
	s->itt++;
	/* the power-on attention */
	ck_assert_uint_eq(simple(s, tur, &key), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(key >> 16, 0x6);
}

static void setup(void)
{
	struct scsi_lu_id id = {.serial = "tmf0", .naa = {0x30, 1, 2, 3, 4, 5, 6, 9}};
	int sa[2], sb[2];

	scsi_init();
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_int_eq(bs_thread_init(loop), 0);
	mb = mem_create(BS, BLOCKS, false, true, true);
	ck_assert_int_eq(scsi_lu_create(&mb->dev, &id, &lu), 0);
	raw_target_init(&tgt, TGT);
	tgt.lu0 = lu;
	tgt.limits.max_burst = 16384;
	tgt.limits.first_burst = 8192;
	tgt.limits.max_recv_dsl = 65536;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sa), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sb), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sa[1], &fake_env), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sb[1], &fake_env), 0);
	login(&A, sa[0], 0x0a);
	login(&B, sb[0], 0x0b);
}

static void teardown(void)
{
	/* whatever a failed test left in the store ends before the sessions go */
	mem_drain(mb);
	close(B.ini.fd);
	raw_hang_up(&A.ini);
	scsi_lu_destroy(lu);
	mem_destroy(mb);
	bs_thread_fini();
	iscsi_thread_release_buffers();
	ev_loop_destroy(loop);
}

static void write10(uint8_t *cdb, uint32_t lba, uint16_t n)
{
	memset(cdb, 0, 16);
	cdb[0] = 0x2a;
	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, n);
}

/*
 * A's two writes: one of 4 blocks at LBA 0 with all its data immediate,
 * which reaches the store and stays there (*exec), and one of 64 blocks
 * at LBA 64 with none, which waits for the Data-Out of its first R2T
 * (*dout; its TTT and length in *ttt, *len).
 */
static void a_writes(uint32_t *exec, uint32_t *dout, uint32_t *ttt, uint32_t *len)
{
	static uint8_t buf[4 * BS];
	uint8_t cdb[16], rsp[ISCSI_BHS_LEN];

	memset(buf, 0xa1, sizeof(buf));
	write10(cdb, 0, 4);
	*exec = send_cmd(&A, cdb, ISCSI_CMD_FLAG_WRITE, sizeof(buf), buf, sizeof(buf));
	ck_assert(raw_quiet(&A.ini));
	ck_assert_ptr_nonnull(mb->head); /* in the store, not done */
	write10(cdb, 64, 64);
	*dout = send_cmd(&A, cdb, ISCSI_CMD_FLAG_WRITE, 64 * BS, NULL, 0);
	ck_assert_uint_eq(next_pdu(&A, rsp), ISCSI_OP_R2T);
	ck_assert_uint_eq(get_be32(rsp + 16), *dout);
	*ttt = get_be32(rsp + 20);
	*len = get_be32(rsp + 44);
	ck_assert_uint_eq(get_be32(rsp + 40), 0);
	ck_assert_uint_eq(*len, 16384);
	ck_assert(raw_quiet(&A.ini));
}

/* A answers the R2T of itt: the Data-Out it is committed to, in one PDU. */
static void a_data_out(uint32_t itt, uint32_t ttt, uint32_t len)
{
	static uint8_t buf[16384];
	uint8_t d[ISCSI_BHS_LEN] = {0};

	ck_assert_uint_le(len, sizeof(buf));
	memset(buf, 0xa2, len);
	d[0] = ISCSI_OP_DATA_OUT;
	d[1] = ISCSI_FLAG_FINAL;
	put_be32(d + 16, itt);
	put_be32(d + 20, ttt);
	put_be32(d + 40, 0);
	raw_ck_send(&A.ini, d, buf, len);
}

/*
 * What the two writes of a_writes see once an abort from B took them:
 * TASK ABORTED for the one in the store once it left it, and for the one
 * waiting for Data-Out once the solicited data came (no further R2T).
 */
static void a_sees_task_aborted(uint32_t exec, uint32_t dout, uint32_t ttt, uint32_t len,
				unsigned int writes)
{
	mem_drain(mb);
	/* SAM-5 §5.3.1: status 40h */
	ck_assert_uint_eq(status_of(&A, exec), SCSI_STATUS_TASK_ABORTED);
	/* RFC 7143 §4.2.3.3: the TTT stays valid; the answer waits for its data */
	ck_assert(raw_quiet(&A.ini));
	a_data_out(dout, ttt, len);
	ck_assert_uint_eq(status_of(&A, dout), SCSI_STATUS_TASK_ABORTED);
	ck_assert(raw_quiet(&A.ini));
	/* the second write never reached the store: writes are those that were in it */
	ck_assert_uint_eq(mb->n[BS_OP_WRITE], writes);
}

/* LOGICAL UNIT RESET from B: A's tasks end TASK ABORTED, B's own without status. */
START_TEST(test_lu_reset_from_another_session)
{
	static uint8_t bbuf[2 * BS];
	uint8_t cdb[16], tmf[ISCSI_BHS_LEN] = {0}, rsp[ISCSI_BHS_LEN];
	uint32_t exec, dout, ttt, len, key;

	a_writes(&exec, &dout, &ttt, &len);
	/* B's own write in the store: its reset takes it without a status */
	memset(bbuf, 0xb1, sizeof(bbuf));
	write10(cdb, 200, 2);
	send_cmd(&B, cdb, ISCSI_CMD_FLAG_WRITE, sizeof(bbuf), bbuf, sizeof(bbuf));
	ck_assert(raw_quiet(&B.ini));

	tmf[0] = ISCSI_OP_TASK_MGMT_REQ | ISCSI_OP_IMMEDIATE;
	tmf[1] = ISCSI_FLAG_FINAL | ISCSI_TMF_LOGICAL_UNIT_RESET;
	put_be32(tmf + 16, 0x777);
	put_be32(tmf + 20, ISCSI_RESERVED_TAG);
	put_be32(tmf + 24, B.cmdsn);
	raw_ck_send(&B.ini, tmf, NULL, 0);
	/* the answer waits for the tasks in the store, A's and B's */
	ck_assert(raw_quiet(&B.ini));
	a_sees_task_aborted(exec, dout, ttt, len, 2);
	ck_assert_uint_eq(next_pdu(&B, rsp), ISCSI_OP_TASK_MGMT_RSP);
	ck_assert_uint_eq(get_be32(rsp + 16), 0x777);
	ck_assert_uint_eq(rsp[2], ISCSI_TMF_RSP_COMPLETE);
	/* no status for B's own write, before or after its TMF response */
	ck_assert(raw_quiet(&B.ini));

	/* both hear of the reset (SAM-5 §6.3.3), then serve; A may reuse the ITTs */
	memset(cdb, 0, sizeof(cdb));
	ck_assert_uint_eq(simple(&A, cdb, &key), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(key >> 8, 0x0629);
	ck_assert_uint_eq(simple(&B, cdb, &key), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(key >> 8, 0x0629);
	A.itt = exec;
	write10(cdb, 8, 4);
	exec = send_cmd(&A, cdb, ISCSI_CMD_FLAG_WRITE, 4 * BS, data, 4 * BS);
	ck_assert(raw_quiet(&A.ini));
	mem_drain(mb);
	ck_assert_uint_eq(status_of(&A, exec), SCSI_STATUS_GOOD);
}
END_TEST

/*
 * A command whose CmdSN is ahead of a gap when B resets the LU: its TASK
 * ABORTED waits for its turn, after the command that fills the gap.
 */
START_TEST(test_lu_reset_command_waiting_for_its_cmdsn)
{
	uint8_t cdb[16] = {0}, tmf[ISCSI_BHS_LEN] = {0}, bhs[ISCSI_BHS_LEN];
	uint8_t rsp[ISCSI_BHS_LEN];
	uint32_t ahead, gap, key;

	/* READ(10) of one block with the CmdSN after the next */
	cdb[0] = 0x28;
	put_be16(cdb + 7, 1);
	ahead = A.itt++;
	raw_scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, 0, ahead, BS, A.cmdsn + 1,
			 cdb, 16);
	raw_ck_send(&A.ini, bhs, NULL, 0);
	ck_assert(raw_quiet(&A.ini));

	tmf[0] = ISCSI_OP_TASK_MGMT_REQ | ISCSI_OP_IMMEDIATE;
	tmf[1] = ISCSI_FLAG_FINAL | ISCSI_TMF_LOGICAL_UNIT_RESET;
	put_be32(tmf + 16, 0x778);
	put_be32(tmf + 20, ISCSI_RESERVED_TAG);
	put_be32(tmf + 24, B.cmdsn);
	raw_ck_send(&B.ini, tmf, NULL, 0);
	/* nothing of A's is in the store: the reset answers at once */
	ck_assert_uint_eq(next_pdu(&B, rsp), ISCSI_OP_TASK_MGMT_RSP);
	ck_assert_uint_eq(rsp[2], ISCSI_TMF_RSP_COMPLETE);
	/* RFC 7143 §4.2.2.1: A's read is not delivered before its turn, nor answered */
	ck_assert(raw_quiet(&A.ini));

	/* the gap filled (a TEST UNIT READY, which hears of the reset) */
	memset(cdb, 0, sizeof(cdb));
	gap = send_cmd(&A, cdb, 0, 0, NULL, 0);
	A.cmdsn++; /* the read's */
	ck_assert_uint_eq(next_pdu(&A, rsp), ISCSI_OP_SCSI_RSP);
	ck_assert_uint_eq(get_be32(rsp + 16), gap);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(next_pdu(&A, rsp), ISCSI_OP_SCSI_RSP);
	ck_assert_uint_eq(get_be32(rsp + 16), ahead);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_TASK_ABORTED);
	ck_assert(raw_quiet(&A.ini));
	ck_assert_uint_eq(simple(&A, cdb, &key), SCSI_STATUS_GOOD);
}
END_TEST

/* PERSISTENT RESERVE OUT; the parameter list carries key and sa_key. */
static uint8_t prout(struct ses *s, uint8_t sa, uint8_t type, uint64_t key, uint64_t sa_key)
{
	uint8_t cdb[16] = {0}, par[24] = {0};
	uint32_t itt;

	cdb[0] = 0x5f;
	cdb[1] = sa;
	cdb[2] = type;
	put_be32(cdb + 5, sizeof(par));
	put_be64(par, key);
	put_be64(par + 8, sa_key);
	itt = send_cmd(s, cdb, ISCSI_CMD_FLAG_WRITE, sizeof(par), par, sizeof(par));
	return status_of(s, itt);
}

/* B preempts A with PREEMPT AND ABORT while A writes: A's writes end TASK ABORTED. */
START_TEST(test_preempt_and_abort_from_another_session)
{
	uint8_t cdb[16] = {0}, par[24] = {0};
	uint32_t exec, dout, ttt, len, key, pitt;

	/* REGISTER AND IGNORE EXISTING KEY, both; A reserves Write Exclusive - Registrants Only */
	ck_assert_uint_eq(prout(&A, 0x06, 0, 0, KEY_A), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(prout(&B, 0x06, 0, 0, KEY_B), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(prout(&A, 0x01, 0x05, KEY_A, 0), SCSI_STATUS_GOOD);
	a_writes(&exec, &dout, &ttt, &len);

	cdb[0] = 0x5f;
	cdb[1] = 0x05; /* PREEMPT AND ABORT */
	cdb[2] = 0x05;
	put_be32(cdb + 5, sizeof(par));
	put_be64(par, KEY_B);
	put_be64(par + 8, KEY_A);
	pitt = send_cmd(&B, cdb, ISCSI_CMD_FLAG_WRITE, sizeof(par), par, sizeof(par));
	/* SPC-4 §5.13.11.4.5: it completes once A's aborted write left the store */
	ck_assert(raw_quiet(&B.ini));
	a_sees_task_aborted(exec, dout, ttt, len, 1);
	ck_assert_uint_eq(status_of(&B, pitt), SCSI_STATUS_GOOD);
	ck_assert(raw_quiet(&B.ini));

	/*
	 * A hears REGISTRATIONS PREEMPTED; COMMANDS CLEARED BY ANOTHER
	 * INITIATOR is TAS 0's way to tell (SAM-5 §5.6), so none follows.
	 */
	memset(cdb, 0, sizeof(cdb));
	ck_assert_uint_eq(simple(&A, cdb, &key), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(key, 0x062a05);
	ck_assert_uint_eq(simple(&A, cdb, &key), SCSI_STATUS_GOOD);
	/* its retry meets the reservation */
	write10(cdb, 0, 4);
	exec = send_cmd(&A, cdb, ISCSI_CMD_FLAG_WRITE, 4 * BS, data, 4 * BS);
	ck_assert_uint_eq(status_of(&A, exec), SCSI_STATUS_RESERVATION_CONFLICT);
	ck_assert_uint_eq(prout(&B, 0x03, 0, KEY_B, 0), SCSI_STATUS_GOOD); /* CLEAR */
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsi_tmf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lu_reset_from_another_session);
	tcase_add_test(tc, test_lu_reset_command_waiting_for_its_cmdsn);
	tcase_add_test(tc, test_preempt_and_abort_from_another_session);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session's end at a Logout (target/iscsi/session.c), over a
 * socketpair against the real transport and SCSI engine, on a store whose
 * writes the test holds and releases: the Logout Response leaves only once
 * the session's commands have left the engine and its nexus has left its
 * LU (RFC 7143 §11.14), and a login with the same ISID that arrives
 * meanwhile waits for that (RFC 7143 §6.3.5) instead of meeting the old
 * nexus's reservation and writes.
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
#include "target/iscsi/iscsi.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/scsi/scsi.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/iscsi/raw_initiator.h"

#define TGT "iqn.2026-12.org.example:t1"
#define INI "iqn.2026-12.org.example:kvm1"
#define BLOCKS 64
#define BS 512

static struct ev_loop *loop;
static struct raw_initiator ini = {.fd = -1};
static struct bs_dev *dev;
static struct scsi_lu *lu;
static uint32_t cmdsn, itt_next = 0x100;
static const uint8_t isid[6] = {0x80, 0, 0, 0, 0, 7};

/* ---- a store in memory whose writes the test may hold ---- */

static uint8_t medium[BLOCKS * BS];
static bool hold_writes;
static struct bs_io *held;

static int hold_open(struct bs_dev *d, const struct bs_params *p)
{
	d->block_size = BS;
	d->size = p->size;
	return 0;
}

/* Copies a write's data to the medium (when it is done, not when it is queued). */
static void hold_do(struct bs_io *io)
{
	uint64_t off = io->offset;

	for (int i = 0; i < io->iovcnt; i++) {
		if (io->op == BS_OP_WRITE)
			memcpy(medium + off, io->iov[i].iov_base, io->iov[i].iov_len);
		else if (io->op == BS_OP_READ)
			memcpy(io->iov[i].iov_base, medium + off, io->iov[i].iov_len);
		off += io->iov[i].iov_len;
	}
}

static int hold_submit(struct bs_dev *d, struct bs_io *io)
{
	(void)d;
	if (io->op == BS_OP_WRITE && hold_writes && !held) {
		held = io;
		return 0;
	}
	hold_do(io);
	bs_complete_later(io, 0);
	return 0;
}

/* The held write lands now and completes. */
static void release_held(void)
{
	struct bs_io *io = held;

	ck_assert_ptr_nonnull(io);
	held = NULL;
	hold_writes = false;
	hold_do(io);
	bs_complete_later(io, 0);
}

static const struct bs_ops hold_ops = {
    .name = "hold",
    .open = hold_open,
    .submit = hold_submit,
};

/* ---- a fake object model: LUN 0 ---- */

static struct raw_target tgt;

static const struct iscsi_env_ops fake_ops = {
    .authorize = raw_target_authorize,
    .sendtargets = raw_target_sendtargets,
    .session_conf = raw_target_session_conf, /* LUN 0: lu */
    .session_conf_release = raw_map_release,
};

static struct iscsi_limits limits;
static const struct iscsi_env fake_env = {.ops = &fake_ops, .arg = &tgt, .limits = &limits};

/* ---- the initiator ---- */

/* A new connection to the target; the test talks on it from now on. Returns the old fd. */
static int connect_again(void)
{
	int sv[2], old = ini.fd;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &fake_env), 0);
	ini.fd = sv[0];
	ini.hdigest = ini.ddigest = false;
	return old;
}

static int login_step(uint8_t csg, uint8_t nsg, const char *text, size_t n, uint8_t *rsp)
{
	uint8_t bhs[ISCSI_BHS_LEN], data[8192];

	raw_login_bhs(bhs, csg, nsg, isid, 0, itt_next, cmdsn);
	raw_ck_send(&ini, bhs, text, (uint32_t)n);
	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGIN_RSP);
	return rsp[36] << 8 | rsp[37];
}

/*
 * A leading login (TSIH 0, the fixture's ISID) up to the request that asks
 * for full feature phase, which is sent but not answered yet.
 */
static void login_send(void)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN];
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
	n = raw_key(text, n, "FirstBurstLength", "8192");
	n = raw_key(text, n, "ErrorRecoveryLevel", "0");
	raw_login_bhs(bhs, ISCSI_STAGE_OPERATIONAL, ISCSI_STAGE_FULL_FEATURE, isid, 0, itt_next,
		      cmdsn);
	raw_ck_send(&ini, bhs, text, (uint32_t)n);
}

/* The answer to login_send's last request: full feature phase, a TSIH. */
static void login_recv(void)
{
	uint8_t rsp[ISCSI_BHS_LEN], data[8192];

	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGIN_RSP);
	ck_assert_uint_eq(rsp[36] << 8 | rsp[37], 0);
	ck_assert(rsp[1] & ISCSI_LOGIN_FLAG_TRANSIT);
	ck_assert_uint_eq(rsp[1] & ISCSI_LOGIN_NSG_MASK, ISCSI_STAGE_FULL_FEATURE);
	ck_assert_uint_ne(get_be16(rsp + 14), 0);
	itt_next++;
}

/* Sends a SCSI command to LUN 0 (its data all immediate); returns its ITT. */
static uint32_t cmd_send(const uint8_t *cdb, size_t cdblen, uint8_t flags, const void *out,
			 uint32_t edtl)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint32_t itt = itt_next++;

	raw_scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | flags, 0, itt, edtl, cmdsn++, cdb, cdblen);
	raw_ck_send(&ini, bhs, out, out ? edtl : 0);
	return itt;
}

/*
 * Runs a command to its status; data-in (if any) into in. Returns the
 * status; *sense_key the sense key of a CHECK CONDITION.
 */
static uint8_t cmd_run(const uint8_t *cdb, size_t cdblen, uint8_t flags, const void *out,
		       uint32_t edtl, uint8_t *in, uint8_t *sense_key)
{
	uint8_t rsp[ISCSI_BHS_LEN], data[8192];
	uint32_t itt = cmd_send(cdb, cdblen, flags, out, edtl);
	int dlen;

	for (int i = 0; i < 8; i++) {
		dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
		ck_assert_int_ge(dlen, 0);
		ck_assert_uint_eq(get_be32(rsp + 16), itt);
		if (rsp[0] == ISCSI_OP_DATA_IN) {
			memcpy(in + get_be32(rsp + 40), data, (size_t)dlen);
			if (rsp[1] & ISCSI_DATA_FLAG_STATUS)
				return rsp[3];
			continue;
		}
		ck_assert_uint_eq(rsp[0], ISCSI_OP_SCSI_RSP);
		if (sense_key)
			*sense_key = dlen > 2 + 2 ? data[2 + 2] & 0x0f : 0;
		return rsp[3];
	}
	ck_abort_msg("no status for ITT %x", itt);
	return 0xff;
}

/* The first command of a nexus reports POWER ON (29/00): consume it. */
static void clear_ua(void)
{
	const uint8_t tur[6] = {0};
	uint8_t key = 0;

	ck_assert_uint_eq(cmd_run(tur, sizeof(tur), 0, NULL, 0, NULL, &key),
			  SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(key, 0x6);
}

static void cdb_rw(uint8_t *cdb, uint8_t op, uint32_t lba)
{
	memset(cdb, 0, 10);
	cdb[0] = op;
	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, 1);
}

static void logout_send(void)
{
	uint8_t bhs[ISCSI_BHS_LEN] = {0};

	bhs[0] = ISCSI_OP_LOGOUT_REQ | ISCSI_OP_IMMEDIATE;
	bhs[1] = ISCSI_FLAG_FINAL | ISCSI_LOGOUT_CLOSE_SESSION;
	put_be32(bhs + 16, 0x77);
	put_be32(bhs + 24, cmdsn);
	raw_ck_send(&ini, bhs, NULL, 0);
}

/*
 * The session of the fixture's ISID holds a RESERVE(6) and has a WRITE of
 * pattern a to block 5 held in the store when it logs out.
 */
static void reserve_write_logout(uint8_t a)
{
	const uint8_t reserve6[6] = {0x16};
	static uint8_t block[BS];
	uint8_t cdb[10];

	login_send();
	login_recv();
	clear_ua();
	ck_assert_uint_eq(cmd_run(reserve6, sizeof(reserve6), 0, NULL, 0, NULL, NULL),
			  SCSI_STATUS_GOOD);
	memset(block, a, sizeof(block));
	hold_writes = true;
	cdb_rw(cdb, 0x2a, 5);
	cmd_send(cdb, sizeof(cdb), ISCSI_CMD_FLAG_WRITE, block, BS);
	ck_assert(raw_quiet(&ini));
	ck_assert_ptr_nonnull(held);
	logout_send();
}

/*
 * The new session: its nexus is not the old one's (no reservation
 * conflict), the old write landed before it could run, its own write
 * lands after.
 */
static void new_session_clean(uint8_t a)
{
	static uint8_t block[BS], back[BS];
	uint8_t cdb[10];

	clear_ua();
	cdb_rw(cdb, 0x28, 5);
	ck_assert_uint_eq(cmd_run(cdb, sizeof(cdb), ISCSI_CMD_FLAG_READ, NULL, BS, back, NULL),
			  SCSI_STATUS_GOOD);
	for (size_t i = 0; i < BS; i++)
		ck_assert_uint_eq(back[i], a);
	memset(block, a ^ 0xff, sizeof(block));
	cdb_rw(cdb, 0x2a, 5);
	ck_assert_uint_eq(cmd_run(cdb, sizeof(cdb), ISCSI_CMD_FLAG_WRITE, block, BS, NULL, NULL),
			  SCSI_STATUS_GOOD);
	ck_assert_uint_eq(medium[5 * BS], a ^ 0xff);
}

static void setup(void)
{
	struct bs_params p = {0};
	struct scsi_lu_id id = {.serial = "5e55104e00000001",
				.naa = {0x30, 1, 2, 3, 4, 5, 6, 9},
				.vendor = "PORTICO",
				.product = "TEST",
				.revision = "0001"};
	char err[256];

	ck_assert_int_eq(bs_register(&hold_ops), 0);
	scsi_init();
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_int_eq(bs_thread_init(loop), 0);
	p.name = "hold0";
	p.size = sizeof(medium);
	ck_assert_int_eq(bs_open("hold", &p, &dev, err, sizeof(err)), 0);
	ck_assert_int_eq(scsi_lu_create(dev, &id, &lu), 0);
	memset(medium, 0, sizeof(medium));
	hold_writes = false;
	held = NULL;
	raw_target_init(&tgt, TGT);
	tgt.lu0 = lu;
	memset(&limits, 0, sizeof(limits));
	ini = (struct raw_initiator){.loop = loop, .fd = -1};
	connect_again();
	cmdsn = 1;
}

static void teardown(void)
{
	if (held)
		release_held();
	raw_hang_up(&ini);
	scsi_lu_destroy(lu);
	bs_close(dev);
	bs_thread_fini();
	iscsi_thread_release_buffers();
	ev_loop_destroy(loop);
}

/*
 * RFC 7143 §11.14: at a Logout that closes the session the target
 * terminates every pending command, then sends the Logout Response. A
 * WRITE in the store cannot be called back: the response waits for it,
 * and for the nexus to leave the LU (SPC-2 §5.5.1: its RESERVE(6) goes
 * with it), so that an initiator that logs in again as soon as it has
 * the response finds nothing of the old session.
 */
START_TEST(test_logout_response_after_teardown)
{
	uint8_t rsp[ISCSI_BHS_LEN], data[64];

	reserve_write_logout(0x5a);
	ck_assert(raw_quiet(&ini)); /* not while the write is in the store */
	release_held();
	ck_assert_int_eq(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGOUT_RSP); /* the aborted write gets no answer */
	ck_assert_uint_eq(rsp[2], ISCSI_LOGOUT_RSP_OK);
	ck_assert_uint_eq(get_be32(rsp + 16), 0x77);
	ck_assert_int_lt(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);

	close(connect_again());
	cmdsn = 1;
	login_send();
	login_recv();
	new_session_clean(0x5a);
}
END_TEST

/*
 * RFC 7143 §6.3.5: a login with the ISID of a session being torn down
 * (its Logout not answered yet, a write of it in the store) reinstates
 * it, and completes only once that session is gone.
 */
START_TEST(test_login_during_logout_waits)
{
	uint8_t rsp[ISCSI_BHS_LEN], data[64];
	int old;
	int dlen;

	reserve_write_logout(0xa5);
	old = connect_again();
	cmdsn = 1;
	login_send();
	ck_assert(raw_quiet(&ini)); /* held while the old session's write is in the store */
	release_held();
	login_recv();
	/* the old connection: at most its Logout Response, then closed */
	{
		int saved = ini.fd;

		ini.fd = old;
		dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
		if (dlen >= 0) {
			ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGOUT_RSP);
			dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
		}
		ck_assert_int_lt(dlen, 0);
		ini.fd = saved;
		close(old);
	}
	new_session_clean(0xa5);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("logout");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_logout_response_after_teardown);
	tcase_add_test(tc, test_login_during_logout_waits);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

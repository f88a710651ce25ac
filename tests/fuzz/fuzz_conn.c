/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole transport (target/iscsi: connection, login, session, tasks,
 * task management, text) and the SCSI engine behind it, fed a byte stream
 * over a socketpair: what a hostile or broken initiator can send.
 *
 * Per input, everything is built and torn down: an in-memory LU of 64
 * 512-byte blocks (LUN 0) and one of 8 4096-byte blocks (LUN 1, mapped
 * read-only), a fake object model behind the transport's ops, and one
 * connection. The harness then optionally logs in the way an initiator
 * does (the "prefix"), writes the rest of the input into the connection in
 * chunks, runs the event loop and the store a bounded number of rounds
 * after each, reads whatever the target answers, closes its end, and runs
 * the loop until the connection is freed.
 *
 * Input: four bytes of set-up, then the stream.
 *   byte 0: bit 0 log in first (a normal session), bit 1 a discovery
 *           session instead, bit 2 with CRC32C header and data digests
 *           (then the stream is cut into PDUs and the harness adds the
 *           digests), bit 3 the prefix offers ImmediateData=No and
 *           InitialR2T=Yes, bit 4 the ACL requires CHAP, bit 5 the ACL
 *           refuses the initiator, bit 6 the TPG generates NOP-Ins
 *   byte 1: the size of the chunks the stream is written in: 3 * b + 1
 *           bytes (0: at once)
 *   byte 2: the prefix's MaxRecvDataSegmentLength (512 << (b & 7)) and
 *           MaxBurstLength (512 << ((b >> 3) & 7))
 *   byte 3: with digests, which PDUs (bit i: PDU i % 8) get a wrong data
 *           digest
 *
 * Checked: nothing ASan, UBSan or LeakSanitizer objects to (a connection
 * and its session are freed once the peer is gone, with nothing left in
 * the session registry); after a prefix login, every PDU the target sends
 * is a target PDU with correct digests, a data segment no longer than the
 * MaxRecvDataSegmentLength the initiator declared, a CmdSN window that
 * never closes below ExpCmdSN - 1, and, when it carries a status, the next
 * StatSN in order (RFC 7143 §4.2.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "common/crc32c.h"
#include "common/ev.h"
#include "common/util.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/iscsi_int.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/scsi/scsi.h"
#include "tests/unit/target/iscsi/raw_initiator.h"
#include "tests/unit/target/scsi/mem_bs.h"

#define TGT "iqn.2026-01.org.example:fuzz"
#define INI "iqn.2026-01.org.example:initiator"
#define ROUNDS 64	      /* loop rounds without progress before giving up on a chunk */
#define CLOSE_ROUNDS 400      /* loop rounds for the connection to go once the peer is gone */
#define STREAM_MAX (1u << 20) /* what the stream may grow to with digests added */

static struct ev_loop *loop;
static const uint8_t isid[6] = {0x80, 0, 0, 0, 0, 0x42}; /* the prefix's: random format */
static uint8_t conf;
static uint16_t prefix_tsih; /* the session the prefix logged in to */
static struct mem_bs *mb[2];
static struct scsi_lu *lu[2];

/* The target's output, as the initiator reads it. */
static struct {
	uint8_t *buf;
	size_t len, cap;
	bool check; /* a prefix login set the framing: parse and check */
	bool keep;  /* the prefix reads its responses itself */
	bool hdigest, ddigest;
	uint32_t max_dsl; /* what the initiator declared */
	uint32_t statsn;  /* the StatSN the next status must carry */
	size_t npdu;
} rx;

/* ---- fake object model ---- */

static struct raw_target tgt; /* set up per input from byte 0 */

static int fake_chap_credentials(void *arg, const char *initiator, const char *target,
				 const struct sockaddr *local, socklen_t locallen,
				 struct chap_creds *out)
{
	(void)arg;
	(void)target;
	(void)local;
	(void)locallen;
	memset(out, 0, sizeof(*out));
	if (strcmp(initiator, INI))
		return -ENOENT;
	strcpy(out->initiator.name, "fuzz-initiator");
	memcpy(out->initiator.secret, "initiator-secret", 16);
	out->initiator.secret_len = 16;
	strcpy(out->target.name, "fuzz-target");
	memcpy(out->target.secret, "target-secret-x", 15);
	out->target.secret_len = 15;
	return 0;
}

static int fake_session_conf(void *arg, const char *initiator, const char *target, uint16_t tag,
			     struct iscsi_session_conf *out)
{
	const struct scsi_lun_entry e[2] = {{.lun = 0, .lu = lu[0]},
					    {.lun = 1, .lu = lu[1], .read_only = true}};

	(void)arg;
	(void)initiator;
	(void)target;
	(void)tag;
	out->map = raw_lun_map(e, 2);
	if (!out->map)
		return -ENOMEM;
	memset(&out->attrs, 0, sizeof(out->attrs));
	out->attrs.default_cmdsn_depth = 16;
	if (conf & 0x40) {
		/* Keepalive on: the timers run, though the input ends before they fire. */
		out->attrs.nopin_interval_s = 5;
		out->attrs.nopin_timeout_s = 5;
	}
	return 0;
}

static const struct iscsi_env_ops fake_ops = {
    .authorize = raw_target_authorize,
    .chap_credentials = fake_chap_credentials,
    .sendtargets = raw_target_sendtargets,
    .session_conf = fake_session_conf,
    .session_conf_release = raw_map_release,
};

static const struct iscsi_env fake_env = {.ops = &fake_ops, .arg = &tgt};

/* The ACL of byte 0: CHAP required (bit 4), the initiator refused (bit 5). */
static void tgt_setup(void)
{
	raw_target_init(&tgt, TGT);
	tgt.limits.max_burst = 16384;
	tgt.limits.first_burst = 8192;
	tgt.limits.max_recv_dsl = 8192;
	tgt.limits.max_outstanding_r2t = 2;
	if (conf & 0x10)
		tgt.limits.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	tgt.alias = "fuzz target";
	tgt.status = conf & 0x20 ? ISCSI_LOGIN_AUTHORIZATION_FAILURE : ISCSI_LOGIN_OK;
}

/* ---- the target's output ---- */

static bool target_opcode(uint8_t op)
{
	switch (op) {
	case ISCSI_OP_NOP_IN:
	case ISCSI_OP_SCSI_RSP:
	case ISCSI_OP_TASK_MGMT_RSP:
	case ISCSI_OP_LOGIN_RSP:
	case ISCSI_OP_TEXT_RSP:
	case ISCSI_OP_DATA_IN:
	case ISCSI_OP_LOGOUT_RSP:
	case ISCSI_OP_R2T:
	case ISCSI_OP_ASYNC_MSG:
	case ISCSI_OP_REJECT:
		return true;
	default:
		return false;
	}
}

/* RFC 7143 §4.2.2.2: which target PDUs carry a status, and so advance StatSN by one. */
static bool advances_statsn(const uint8_t *p)
{
	switch (p[0] & ISCSI_OPCODE_MASK) {
	case ISCSI_OP_DATA_IN:
		return p[1] & ISCSI_DATA_FLAG_STATUS;
	case ISCSI_OP_NOP_IN:
		return get_be32(p + 16) != ISCSI_RESERVED_TAG; /* an answer, not a ping */
	case ISCSI_OP_R2T:
		return false;
	default:
		return true;
	}
}

/* Checks and drops the complete PDUs at the head of rx.buf. */
static void rx_parse(void)
{
	size_t off = 0;

	while (rx.check) {
		const uint8_t *p = rx.buf + off;
		size_t left = rx.len - off, hlen = ISCSI_BHS_LEN + (rx.hdigest ? 4 : 0), need;
		uint32_t dlen;

		if (left < hlen)
			break;
		dlen = get_be24(p + 5);
		need = hlen + (p[4] * 4u) + (dlen ? iscsi_pad4(dlen) + (rx.ddigest ? 4 : 0) : 0);
		if (left < need)
			break;
		FUZZ_CHECK(target_opcode(p[0] & ISCSI_OPCODE_MASK),
			   "PDU %zu from the target has opcode 0x%02x", rx.npdu, p[0]);
		FUZZ_CHECK(p[4] == 0, "PDU %zu (opcode 0x%02x) with an AHS", rx.npdu, p[0]);
		FUZZ_CHECK(dlen <= rx.max_dsl,
			   "PDU %zu (opcode 0x%02x) carries %u bytes; the initiator takes %u",
			   rx.npdu, p[0], dlen, rx.max_dsl);
		if (rx.hdigest)
			FUZZ_CHECK(crc32c_get_wire(p + ISCSI_BHS_LEN) ==
				       crc32c(0, p, ISCSI_BHS_LEN),
				   "PDU %zu (opcode 0x%02x): wrong header digest", rx.npdu, p[0]);
		if (dlen && rx.ddigest)
			FUZZ_CHECK(crc32c_get_wire(p + hlen + iscsi_pad4(dlen)) ==
				       crc32c(0, p + hlen, iscsi_pad4(dlen)),
				   "PDU %zu (opcode 0x%02x): wrong data digest", rx.npdu, p[0]);
		/* §4.2.2.1: the window never closes below ExpCmdSN - 1. */
		FUZZ_CHECK((int32_t)(get_be32(p + 32) - get_be32(p + 28)) >= -1,
			   "PDU %zu (opcode 0x%02x): MaxCmdSN %u below ExpCmdSN %u - 1", rx.npdu,
			   p[0], get_be32(p + 32), get_be32(p + 28));
		/* §4.2.2.2: every status takes the next StatSN, in order. */
		if (advances_statsn(p)) {
			FUZZ_CHECK(get_be32(p + 24) == rx.statsn,
				   "PDU %zu (opcode 0x%02x): StatSN %u, expected %u", rx.npdu, p[0],
				   get_be32(p + 24), rx.statsn);
			rx.statsn++;
		}
		off += need;
		rx.npdu++;
	}
	memmove(rx.buf, rx.buf + off, rx.len - off);
	rx.len -= off;
}

/* Reads what the target sent; returns the byte count (0: nothing now), -1 at EOF. */
static ssize_t rx_read(int fd)
{
	ssize_t total = 0;

	for (;;) {
		ssize_t r;

		if (rx.cap - rx.len < 65536) {
			rx.cap = rx.cap ? rx.cap * 2 : 262144;
			rx.buf = realloc(rx.buf, rx.cap);
		}
		r = recv(fd, rx.buf + rx.len, rx.cap - rx.len, MSG_DONTWAIT);
		if (r > 0) {
			rx.len += (size_t)r;
			total += r;
			continue;
		}
		if (r == 0)
			return total ? total : -1;
		return total;
	}
}

/* One round: the loop, the stores, the peer's reading. Whether anything happened. */
static bool pump_once(int fd, bool *eof)
{
	int n = 0;
	ssize_t r;

	ev_run_once(loop, 0);
	for (int i = 0; i < 2; i++)
		n += mem_drain(mb[i]);
	if (fd < 0)
		return n > 0;
	r = rx_read(fd);
	if (r < 0)
		*eof = true;
	if (r > 0 && !rx.check && !rx.keep)
		rx.len = 0; /* raw stream: nothing to parse */
	return n > 0 || r > 0;
}

/* Rounds until nothing happens for a while (or the peer is closed). */
static void pump(int fd, bool *eof)
{
	for (int idle = 0, i = 0; idle < 3 && i < ROUNDS * 8 && !*eof; i++)
		idle = pump_once(fd, eof) ? 0 : idle + 1;
	rx_parse();
}

/* ---- the prefix: a login as an initiator does it ---- */

struct pdu {
	uint8_t bhs[ISCSI_BHS_LEN];
	uint8_t data[8192];
	uint32_t dlen;
};

/*
 * Sends one login request from stage csg to nsg (T=1) and returns its
 * response (no digests during login).
 */
static void login_step(int fd, uint8_t csg, uint8_t nsg, const char *text, size_t n,
		       struct pdu *rsp)
{
	uint8_t bhs[ISCSI_BHS_LEN], buf[ISCSI_BHS_LEN + 4096];
	bool eof = false;
	size_t len;

	raw_login_bhs(bhs, csg, nsg, isid, 0, 0x1000, 1);
	len = raw_frame(buf, bhs, text, (uint32_t)n, false, false);
	FUZZ_CHECK(send(fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len, "prefix: write failed");
	for (int i = 0; i < ROUNDS * 8 && !eof; i++) {
		pump_once(fd, &eof);
		if (rx.len >= ISCSI_BHS_LEN &&
		    rx.len >= ISCSI_BHS_LEN + iscsi_pad4(get_be24(rx.buf + 5)))
			break;
	}
	FUZZ_CHECK(rx.len >= ISCSI_BHS_LEN, "prefix: no login response");
	memcpy(rsp->bhs, rx.buf, ISCSI_BHS_LEN);
	rsp->dlen = get_be24(rx.buf + 5);
	FUZZ_CHECK(rsp->dlen <= sizeof(rsp->data) &&
		       rx.len >= ISCSI_BHS_LEN + iscsi_pad4(rsp->dlen),
		   "prefix: short login response");
	memcpy(rsp->data, rx.buf + ISCSI_BHS_LEN, rsp->dlen);
	rx.len -= ISCSI_BHS_LEN + iscsi_pad4(rsp->dlen);
	memmove(rx.buf, rx.buf + ISCSI_BHS_LEN + iscsi_pad4(rsp->dlen), rx.len);
	FUZZ_CHECK(rsp->bhs[0] == ISCSI_OP_LOGIN_RSP, "prefix: opcode 0x%02x", rsp->bhs[0]);
	FUZZ_CHECK(rsp->bhs[36] == 0 && rsp->bhs[37] == 0, "prefix: login refused %u/%u",
		   rsp->bhs[36], rsp->bhs[37]);
}

/* Logs in as byte 0 and byte 2 say; a refusal is a finding (FUZZ_CHECK). */
static void prefix_login(int fd, uint8_t b2)
{
	char text[2048], v[96];
	bool discovery = conf & 0x02, digests = conf & 0x04;
	uint32_t mrdsl = 512u << (b2 & 7), burst = 512u << ((b2 >> 3) & 7);
	struct pdu *rsp = malloc(sizeof(*rsp));
	size_t n = 0;
	int tries;

	rx.keep = true;
	n = raw_security_keys(text, INI, discovery ? NULL : TGT);
	login_step(fd, ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, text, n, rsp);

	n = raw_key(text, 0, "HeaderDigest", digests ? "CRC32C" : "None");
	n = raw_key(text, n, "DataDigest", digests ? "CRC32C" : "None");
	snprintf(v, sizeof(v), "%u", mrdsl);
	n = raw_key(text, n, "MaxRecvDataSegmentLength", v);
	if (!discovery) {
		n = raw_key(text, n, "InitialR2T", conf & 0x08 ? "Yes" : "No");
		n = raw_key(text, n, "ImmediateData", conf & 0x08 ? "No" : "Yes");
		snprintf(v, sizeof(v), "%u", burst);
		n = raw_key(text, n, "MaxBurstLength", v);
		snprintf(v, sizeof(v), "%u", MIN(burst, 8192u));
		n = raw_key(text, n, "FirstBurstLength", v);
		n = raw_key(text, n, "MaxOutstandingR2T", "2");
	}
	n = raw_key(text, n, "ErrorRecoveryLevel", "0");
	login_step(fd, ISCSI_STAGE_OPERATIONAL, ISCSI_STAGE_FULL_FEATURE, text, n, rsp);
	/* The target may have offers of its own: answer each as asked, once. */
	for (tries = 0; tries < 3 && !(rsp->bhs[1] & ISCSI_LOGIN_FLAG_TRANSIT); tries++) {
		struct text_iter it;
		struct text_pair pair;

		n = 0;
		text_iter_init(&it, rsp->data, rsp->dlen);
		while (text_next(&it, &pair) == 1) {
			if (!text_key_is(&pair, "ImmediateData") &&
			    !text_key_is(&pair, "FirstBurstLength") &&
			    !text_key_is(&pair, "HeaderDigest") &&
			    !text_key_is(&pair, "DataDigest"))
				continue;
			FUZZ_CHECK(n + pair.key_len + pair.value_len + 2 < sizeof(text),
				   "prefix: long offer");
			memcpy(text + n, pair.key, pair.key_len + 1 + pair.value_len + 1);
			n += pair.key_len + 1 + pair.value_len + 1;
		}
		login_step(fd, ISCSI_STAGE_OPERATIONAL, ISCSI_STAGE_FULL_FEATURE, text, n, rsp);
	}
	FUZZ_CHECK((rsp->bhs[1] & ISCSI_LOGIN_FLAG_TRANSIT) &&
		       (rsp->bhs[1] & ISCSI_LOGIN_NSG_MASK) == ISCSI_STAGE_FULL_FEATURE,
		   "prefix: no full feature phase");
	prefix_tsih = get_be16(rsp->bhs + 14);
	rx.statsn = get_be32(rsp->bhs + 24) + 1;
	FUZZ_CHECK(prefix_tsih != 0, "prefix: TSIH 0");
	free(rsp);
	rx.keep = false;
	rx.check = true;
	rx.hdigest = rx.ddigest = digests;
	rx.max_dsl = mrdsl;
}

/* ---- the stream ---- */

/*
 * With digests on, the stream is cut into PDUs as the target reads them
 * (BHS, AHS, data and its padding) and each gets its digests: correct, or
 * a wrong data digest where byte 3 says.
 */
static size_t frame_with_digests(const uint8_t *in, size_t len, uint8_t bad, uint8_t *out)
{
	size_t o = 0, i = 0;

	for (unsigned int n = 0; i < len && o + 65536 + 1024 < STREAM_MAX; n++) {
		uint8_t bhs[ISCSI_BHS_LEN] = {0};
		size_t take = MIN(len - i, (size_t)ISCSI_BHS_LEN), ahs, dlen, padded;
		uint32_t crc;

		memcpy(bhs, in + i, take);
		i += take;
		ahs = MIN((size_t)bhs[4] * 4, len - i);
		dlen = MIN((size_t)get_be24(bhs + 5), MIN(len - i - ahs, (size_t)65536));
		memcpy(out + o, bhs, ISCSI_BHS_LEN);
		memcpy(out + o + ISCSI_BHS_LEN, in + i, ahs);
		crc = crc32c(0, out + o, ISCSI_BHS_LEN + ahs);
		o += ISCSI_BHS_LEN + ahs;
		i += ahs;
		crc32c_put_wire(out + o, crc);
		o += 4;
		if (!get_be24(bhs + 5))
			continue;
		padded = iscsi_pad4((uint32_t)dlen);
		memcpy(out + o, in + i, dlen);
		memset(out + o + dlen, 0, padded - dlen);
		i += dlen;
		crc = crc32c(0, out + o, padded);
		o += padded;
		crc32c_put_wire(out + o, crc ^ ((bad >> (n % 8)) & 1));
		o += 4;
	}
	return o;
}

/* ---- per input ---- */

static void lus_up(void)
{
	struct scsi_lu_id id = {.serial = "FUZZ0000",
				.naa = {0x30, 1, 2, 3, 4, 5, 6, 7},
				.vendor = "PORTICO",
				.product = "fuzz",
				.revision = "1"};

	mb[0] = mem_create(512, 64, true, true, true);
	mb[1] = mem_create(4096, 8, false, false, true);
	for (int i = 0; i < 2; i++) {
		id.serial[7] = (char)('0' + i);
		if (scsi_lu_create(&mb[i]->dev, &id, &lu[i]))
			abort();
	}
}

static void lus_down(void)
{
	for (int i = 0; i < 2; i++) {
		scsi_lu_destroy(lu[i]);
		mem_destroy(mb[i]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	/* As porticod: a peer that went away is an error from writev, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	scsi_init();
	if (ev_loop_create(&loop) || bs_thread_init(loop))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t stream[STREAM_MAX];
	size_t len, off = 0, chunk;
	bool eof = false;
	int sv[2], i;

	if (size < 4)
		return 0;
	conf = data[0];
	/* 4, 7, 10, ... 766 bytes: short reads end at every kind of offset. */
	chunk = data[1] ? (size_t)data[1] * 3 + 1 : SIZE_MAX;
	prefix_tsih = 0;
	memset(&rx, 0, sizeof(rx));
	rx.max_dsl = 16777215;
	tgt_setup();
	lus_up();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	FUZZ_CHECK(iscsi_conn_start(loop, sv[1], &fake_env) == 0, "iscsi_conn_start failed");

	len = size - 4;
	if ((conf & 0x01) && !(conf & 0x30)) {
		prefix_login(sv[0], data[2]);
		/* A stream that renegotiates it may see longer PDUs (§13.12). */
		if (memmem(data + 4, len, "MaxRecvDataSegmentLength", 24))
			rx.max_dsl = 16777215;
		if (conf & 0x04)
			len = frame_with_digests(data + 4, len, data[3], stream);
		else
			memcpy(stream, data + 4, MIN(len, sizeof(stream)));
	} else {
		memcpy(stream, data + 4, MIN(len, sizeof(stream)));
	}
	len = MIN(len, sizeof(stream));

	/* The stream, chunk by chunk; a target that stops reading ends it. */
	while (off < len && !eof) {
		ssize_t w = send(sv[0], stream + off, MIN(chunk, len - off), MSG_NOSIGNAL);
		bool moved = false;

		if (w > 0) {
			off += (size_t)w;
			pump(sv[0], &eof);
			continue;
		}
		if (w == 0 || errno != EAGAIN)
			break; /* the target closed the connection */
		/* Blocked: let the target read (and write to us). */
		for (i = 0; i < ROUNDS && !moved && !eof; i++)
			moved = pump_once(sv[0], &eof);
		rx_parse();
		if (!moved)
			break; /* it reads no more */
	}
	pump(sv[0], &eof);

	if (getenv("FUZZ_LOG"))
		fprintf(stderr, "fuzz_conn: %zu of %zu stream bytes written, %zu PDUs checked\n",
			off, len, rx.npdu);
	/* The initiator goes away: everything must be freed. */
	close(sv[0]);
	for (i = 0; i < CLOSE_ROUNDS && iscsi_conn_live(); i++)
		pump_once(-1, &eof);
	FUZZ_CHECK(iscsi_conn_live() == 0 && iscsi_conn_count() == 0,
		   "the connection is still there %d rounds after the peer left (live %u, open %u)",
		   i, iscsi_conn_live(), iscsi_conn_count());
	if (prefix_tsih)
		FUZZ_CHECK(!sess_tsih_live(isid, prefix_tsih), "session %u still registered",
			   prefix_tsih);
	for (i = 0; i < 2; i++)
		FUZZ_CHECK(mb[i]->head == NULL, "I/O left in the store");
	lus_down();
	free(rx.buf);
	rx.buf = NULL;
	return 0;
}

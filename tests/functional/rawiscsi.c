/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rawiscsi: an iSCSI initiator written by hand, just enough of RFC 7143 to
 * log in, run SCSI commands (with header and data digests, R2T and
 * Data-In), and then to send what a well-behaved initiator never sends.
 *
 * It deliberately shares no code with porticod's wire layer: offsets and
 * values here are read from the RFC, so that a mistake in the target's
 * headers cannot hide in both.
 *
 *   rawiscsi COMMAND HOST PORT TARGET INITIATOR [LUN]
 *
 *   login        print the login status: "login: class C detail D"
 *   ddio         header and data digests (CRC32C) on: write and read back many sizes
 *   badopcode    an unknown opcode: Reject reason 0x05, the session keeps working
 *   oversize     a data segment beyond MaxRecvDataSegmentLength: Reject and/or close
 *   oversize-huge  the same announced at 16 MiB - 1 and not sent
 *   hdigest      a wrong header digest: the connection is dropped
 *   ddigest-imm  a wrong data digest on immediate data: Reject 0x02, no silent success
 *   ddigest-out  a wrong data digest on a solicited Data-Out: same
 *   cmdsn        commands outside the CmdSN window are ignored; the session works after
 *   prelogin     a SCSI command before login: login reject, connection closed
 *   midpdu       connections closed in the middle of PDUs; the target still serves
 *
 * Prints one line per finding; exits 0 when the target behaved, 1 when not
 * (the reason on stderr), 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/be.h"
#include "common/crc32c.h"

/* RFC 7143 §11.2.1.2: opcodes */
#define OP_NOP_OUT 0x00
#define OP_SCSI_CMD 0x01
#define OP_LOGIN_REQ 0x03
#define OP_DATA_OUT 0x05
#define OP_LOGOUT_REQ 0x06
#define OP_NOP_IN 0x20
#define OP_SCSI_RSP 0x21
#define OP_TMF_RSP 0x22
#define OP_LOGIN_RSP 0x23
#define OP_TEXT_RSP 0x24
#define OP_DATA_IN 0x25
#define OP_LOGOUT_RSP 0x26
#define OP_R2T 0x31
#define OP_ASYNC 0x32
#define OP_REJECT 0x3f
#define OP_MASK 0x3f
#define OP_IMMEDIATE 0x40
/* not an opcode of RFC 7143 (nor a vendor-specific one, 0x1c-0x1e) */
#define OP_UNDEFINED 0x0d

/* §11.2.1: the BHS and the fields every PDU has */
#define BHS_LEN 48
#define BHS_OPCODE 0
#define BHS_FLAGS 1
#define BHS_AHSLEN 4
#define BHS_DSL 5
#define BHS_LUN 8
#define BHS_ITT 16
#define FLAG_FINAL 0x80

/* §11.3 SCSI Command */
#define CMD_FLAG_READ 0x40
#define CMD_FLAG_WRITE 0x20
#define CMD_ATTR_SIMPLE 0x01
#define CMD_EDTL 20
#define CMD_CMDSN 24
#define CMD_EXPSTATSN 28
#define CMD_CDB 32

/* §11.4 SCSI Response, §11.7 Data-In, §11.8 R2T, §11.17 Reject: target fields */
#define RSP_RESPONSE 2
#define RSP_STATUS 3
#define TGT_TTT 20
#define TGT_STATSN 24
#define TGT_EXPCMDSN 28
#define TGT_MAXCMDSN 32
#define DIN_FLAG_STATUS 0x01
#define DIN_DATASN 36
#define DIN_OFFSET 40
#define R2T_OFFSET 40
#define R2T_LENGTH 44
#define REJ_REASON 2

/* §11.7 Data-Out */
#define DOUT_TTT 20
#define DOUT_EXPSTATSN 28
#define DOUT_DATASN 36
#define DOUT_OFFSET 40

/* §11.12 Login Request / §11.13 Login Response */
#define LOGIN_FLAG_TRANSIT 0x80
#define LOGIN_CSG_SHIFT 2
#define LOGIN_ISID 8
#define LOGIN_TSIH 14
#define LOGIN_CID 20
#define LOGIN_CMDSN 24
#define LOGIN_EXPSTATSN 28
#define LOGIN_STATUS_CLASS 36
#define LOGIN_STATUS_DETAIL 37
#define STAGE_SECURITY 0
#define STAGE_OPERATIONAL 1
#define STAGE_FULL_FEATURE 3

/* §11.18 NOP-Out / NOP-In */
#define NOP_TTT 20
#define NOP_CMDSN 24
#define NOP_EXPSTATSN 28

#define RESERVED_TAG 0xffffffffu
#define SCSI_STATUS_GOOD 0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02

#define LOGIN_MAX_DSL 8192 /* §13.12: what both sides take before negotiation */
#define MY_MAX_RECV_DSL 4608 /* odd on purpose: the target splits Data-In to it */
#define IO_TIMEOUT_MS 10000
#define BS 512

struct conn {
	int fd;
	const char *host, *port, *target, *initiator;
	uint8_t isid[6];
	uint16_t tsih;
	uint32_t itt;
	uint32_t cmdsn, expstatsn, expcmdsn, maxcmdsn;
	bool hd, dd; /* digests in force */
	/* negotiated */
	uint32_t max_xmit_dsl; /* the target's MaxRecvDataSegmentLength */
	uint32_t first_burst, max_burst;
	bool first_burst_irrelevant; /* §6.2.2: the answer when InitialR2T=Yes and ImmediateData=No */
	bool initial_r2t, immediate_data;
	int lun;
};

struct pdu {
	uint8_t bhs[BHS_LEN];
	uint8_t *data;
	uint32_t dlen;
};

/* What the login asks for. */
struct login_opts {
	bool hd, dd;
	bool initial_r2t, immediate_data;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static bool bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Says what went wrong on stderr; returns false so that callers can "return bad(...)". */
static bool bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* bad() for the commands: returns their exit status 1. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static void pdu_free(struct pdu *p)
{
	free(p->data);
	p->data = NULL;
	p->dlen = 0;
}

static uint8_t pdu_op(const struct pdu *p)
{
	return p->bhs[BHS_OPCODE] & OP_MASK;
}

static uint32_t pdu_itt(const struct pdu *p)
{
	return get_be32(p->bhs + BHS_ITT);
}

static int tcp_connect(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST |
									 AI_NUMERICSERV };
	struct addrinfo *ai;
	int fd, one = 1;

	if (getaddrinfo(host, port, &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static bool send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* 1: all read; 0: the deadline passed; -1: the peer closed or the socket failed. */
static int recv_all(int fd, void *buf, size_t len, uint64_t deadline)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = (int64_t)(deadline - now_ms());
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		n = recv(fd, p, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

/*
 * Sends one PDU: BHS, header digest, data, padding, data digest. The
 * corrupt_* flags send a wrong digest. Never raises SIGPIPE; false if the
 * connection is gone.
 */
static bool pdu_send(struct conn *c, uint8_t *bhs, const void *data, uint32_t dlen,
		     bool corrupt_hd, bool corrupt_dd)
{
	static const uint8_t zero[4];
	uint8_t dig[4];
	uint32_t pad = (4 - (dlen & 3)) & 3;

	put_be24(bhs + BHS_DSL, dlen);
	if (!send_all(c->fd, bhs, BHS_LEN))
		return false;
	if (c->hd) {
		uint32_t crc = crc32c(0, bhs, BHS_LEN);

		crc32c_put_wire(dig, corrupt_hd ? ~crc : crc);
		if (!send_all(c->fd, dig, 4))
			return false;
	}
	if (!dlen)
		return true;
	if (!send_all(c->fd, data, dlen) || (pad && !send_all(c->fd, zero, pad)))
		return false;
	if (c->dd) {
		uint32_t crc = crc32c(crc32c(0, data, dlen), zero, pad);

		crc32c_put_wire(dig, corrupt_dd ? crc ^ 0x5a5a5a5a : crc);
		if (!send_all(c->fd, dig, 4))
			return false;
	}
	return true;
}

/* Sequence numbers the target hands back: StatSN, ExpCmdSN, MaxCmdSN (§4.2.2). */
static void seq_update(struct conn *c, const struct pdu *p)
{
	uint8_t op = pdu_op(p);
	bool has_statsn;

	switch (op) {
	case OP_SCSI_RSP:
	case OP_TMF_RSP:
	case OP_LOGIN_RSP:
	case OP_TEXT_RSP:
	case OP_LOGOUT_RSP:
	case OP_REJECT:
	case OP_ASYNC:
		has_statsn = true;
		break;
	case OP_DATA_IN:
		has_statsn = p->bhs[BHS_FLAGS] & DIN_FLAG_STATUS;
		break;
	case OP_NOP_IN:
		/* a target's ping does not advance StatSN */
		has_statsn = pdu_itt(p) != RESERVED_TAG;
		break;
	default:
		has_statsn = false;
	}
	if (has_statsn)
		c->expstatsn = get_be32(p->bhs + TGT_STATSN) + 1;
	if (op != OP_LOGIN_RSP || p->bhs[LOGIN_STATUS_CLASS] == 0) {
		uint32_t exp = get_be32(p->bhs + TGT_EXPCMDSN);
		uint32_t max = get_be32(p->bhs + TGT_MAXCMDSN);

		/* §4.2.2.1: MaxCmdSN - ExpCmdSN < 2^31 or the pair is ignored */
		if (max - exp + 1 < 0x80000000u) {
			c->expcmdsn = exp;
			c->maxcmdsn = max;
		}
	}
}

/*
 * Receives one PDU (checking the target's digests). 1: *p holds it; 0:
 * nothing within ms; -1: the connection closed (or failed); -2: the target
 * sent a bad digest.
 */
static int pdu_recv_raw(struct conn *c, struct pdu *p, unsigned int ms)
{
	uint64_t deadline = now_ms() + ms;
	uint8_t dig[4], pad[4];
	uint32_t ahs, padlen;
	uint8_t *ahsbuf = NULL;
	int r;

	memset(p, 0, sizeof(*p));
	r = recv_all(c->fd, p->bhs, BHS_LEN, deadline);
	if (r <= 0)
		return r;
	/* a PDU has started: it must finish within the I/O timeout */
	deadline = now_ms() + IO_TIMEOUT_MS;
	ahs = (uint32_t)p->bhs[BHS_AHSLEN] * 4;
	if (ahs) {
		ahsbuf = malloc(ahs);
		if (!ahsbuf || recv_all(c->fd, ahsbuf, ahs, deadline) <= 0) {
			free(ahsbuf);
			return -1;
		}
	}
	if (c->hd) {
		uint32_t crc = crc32c(0, p->bhs, BHS_LEN);

		if (ahs)
			crc = crc32c(crc, ahsbuf, ahs);
		if (recv_all(c->fd, dig, 4, deadline) <= 0) {
			free(ahsbuf);
			return -1;
		}
		if (crc32c_get_wire(dig) != crc) {
			free(ahsbuf);
			bad("target sent opcode 0x%02x with a wrong header digest", pdu_op(p));
			return -2;
		}
	}
	free(ahsbuf);
	p->dlen = get_be24(p->bhs + BHS_DSL);
	if (!p->dlen)
		return 1;
	padlen = (4 - (p->dlen & 3)) & 3;
	p->data = malloc(p->dlen + 1);
	if (!p->data)
		return -1;
	p->data[p->dlen] = 0; /* text segments are printed */
	if (recv_all(c->fd, p->data, p->dlen, deadline) <= 0 ||
	    (padlen && recv_all(c->fd, pad, padlen, deadline) <= 0)) {
		pdu_free(p);
		return -1;
	}
	if (c->dd) {
		uint32_t crc = crc32c(crc32c(0, p->data, p->dlen), pad, padlen);

		if (recv_all(c->fd, dig, 4, deadline) <= 0) {
			pdu_free(p);
			return -1;
		}
		if (crc32c_get_wire(dig) != crc) {
			bad("target sent opcode 0x%02x with a wrong data digest", pdu_op(p));
			pdu_free(p);
			return -2;
		}
	}
	return 1;
}

/* pdu_recv_raw(), answering the target's NOP-In pings on the way. */
static int pdu_recv(struct conn *c, struct pdu *p, unsigned int ms)
{
	uint64_t deadline = now_ms() + ms;
	int r;

	for (;;) {
		int64_t left = (int64_t)(deadline - now_ms());

		r = pdu_recv_raw(c, p, left > 0 ? (unsigned int)left : 0);
		if (r != 1)
			return r;
		seq_update(c, p);
		if (pdu_op(p) == OP_NOP_IN && pdu_itt(p) == RESERVED_TAG &&
		    get_be32(p->bhs + NOP_TTT) != RESERVED_TAG) {
			uint8_t out[BHS_LEN] = { 0 };

			/* §11.18: echo the target's TTT and LUN, immediate */
			out[BHS_OPCODE] = OP_NOP_OUT | OP_IMMEDIATE;
			out[BHS_FLAGS] = FLAG_FINAL;
			memcpy(out + BHS_LUN, p->bhs + BHS_LUN, 8);
			put_be32(out + BHS_ITT, RESERVED_TAG);
			memcpy(out + NOP_TTT, p->bhs + NOP_TTT, 4);
			put_be32(out + NOP_CMDSN, c->cmdsn);
			put_be32(out + NOP_EXPSTATSN, c->expstatsn);
			pdu_free(p);
			if (!pdu_send(c, out, NULL, 0, false, false))
				return -1;
			continue;
		}
		return 1;
	}
}

/* Appends "key=value\0" to a text segment. */
static void text_add(char *buf, size_t cap, size_t *len, const char *key, const char *val)
{
	int n = snprintf(buf + *len, cap - *len, "%s=%s", key, val);

	if (n < 0 || (size_t)n + 1 > cap - *len) {
		fprintf(stderr, "login text too long\n");
		exit(1);
	}
	*len += (size_t)n + 1;
}

/* The value of key in a text segment, or NULL. */
static const char *text_get(const struct pdu *p, const char *key)
{
	size_t klen = strlen(key), off = 0;

	while (off < p->dlen) {
		const char *kv = (const char *)p->data + off;
		size_t n = strnlen(kv, p->dlen - off);

		if (n > klen && strncmp(kv, key, klen) == 0 && kv[klen] == '=')
			return kv + klen + 1;
		off += n + 1;
	}
	return NULL;
}

static uint32_t text_num(const struct pdu *p, const char *key, uint32_t def)
{
	const char *v = text_get(p, key);

	return v ? (uint32_t)strtoul(v, NULL, 0) : def;
}

static bool conn_open(struct conn *c, const char *host, const char *port, const char *target,
		      const char *initiator, uint32_t isid_lo)
{
	memset(c, 0, sizeof(*c));
	c->host = host;
	c->port = port;
	c->target = target;
	c->initiator = initiator;
	/* §11.12.5: ISID type 2 (random), A=0x80 */
	c->isid[0] = 0x80;
	c->isid[1] = 0x12;
	put_be32(c->isid + 2, isid_lo ^ (uint32_t)getpid() << 8);
	c->itt = 0x1000;
	c->cmdsn = 1;
	c->fd = tcp_connect(host, port);
	if (c->fd < 0)
		return bad("cannot connect to %s:%s: %s", host, port, strerror(errno));
	return true;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* One Login Request of stage csg, transit to nsg, with the text given. */
static bool login_send(struct conn *c, int csg, int nsg, const char *text, size_t len)
{
	uint8_t bhs[BHS_LEN] = { 0 };

	bhs[BHS_OPCODE] = OP_LOGIN_REQ | OP_IMMEDIATE;
	bhs[BHS_FLAGS] = LOGIN_FLAG_TRANSIT | (uint8_t)(csg << LOGIN_CSG_SHIFT) | (uint8_t)nsg;
	memcpy(bhs + LOGIN_ISID, c->isid, 6);
	put_be16(bhs + LOGIN_TSIH, c->tsih);
	put_be32(bhs + BHS_ITT, c->itt);
	put_be16(bhs + LOGIN_CID, 1);
	put_be32(bhs + LOGIN_CMDSN, c->cmdsn);
	put_be32(bhs + LOGIN_EXPSTATSN, c->expstatsn);
	return pdu_send(c, bhs, text, (uint32_t)len, false, false);
}

/*
 * Logs in: a security stage (AuthMethod=None), then the operational stage
 * with the keys o asks for. Returns the login status (class << 8 | detail),
 * 0 on success, or -1 when the connection failed.
 */
static int login(struct conn *c, const struct login_opts *o)
{
	char text[2048];
	size_t len = 0;
	struct pdu p;
	int stage, status, r, round;
	bool hd = false, dd = false;
	char num[16];
	const char *v;

	/* what the keys are when the target does not answer them (§13) */
	c->max_xmit_dsl = LOGIN_MAX_DSL;
	c->first_burst = 65536;
	c->max_burst = 262144;
	c->initial_r2t = true;
	c->immediate_data = true;
	text_add(text, sizeof(text), &len, "InitiatorName", c->initiator);
	text_add(text, sizeof(text), &len, "SessionType", "Normal");
	text_add(text, sizeof(text), &len, "TargetName", c->target);
	text_add(text, sizeof(text), &len, "AuthMethod", "None");
	for (stage = STAGE_SECURITY; stage <= STAGE_OPERATIONAL; stage++) {
		if (stage == STAGE_OPERATIONAL) {
			len = 0;
			text_add(text, sizeof(text), &len, "HeaderDigest", o->hd ? "CRC32C" : "None");
			text_add(text, sizeof(text), &len, "DataDigest", o->dd ? "CRC32C" : "None");
			text_add(text, sizeof(text), &len, "InitialR2T", o->initial_r2t ? "Yes" : "No");
			text_add(text, sizeof(text), &len, "ImmediateData",
				 o->immediate_data ? "Yes" : "No");
			snprintf(num, sizeof(num), "%u", MY_MAX_RECV_DSL);
			text_add(text, sizeof(text), &len, "MaxRecvDataSegmentLength", num);
			text_add(text, sizeof(text), &len, "MaxBurstLength", "262144");
			text_add(text, sizeof(text), &len, "FirstBurstLength", "65536");
			text_add(text, sizeof(text), &len, "MaxConnections", "1");
			text_add(text, sizeof(text), &len, "MaxOutstandingR2T", "1");
			text_add(text, sizeof(text), &len, "DataPDUInOrder", "Yes");
			text_add(text, sizeof(text), &len, "DataSequenceInOrder", "Yes");
			text_add(text, sizeof(text), &len, "ErrorRecoveryLevel", "0");
			text_add(text, sizeof(text), &len, "DefaultTime2Wait", "0");
			text_add(text, sizeof(text), &len, "DefaultTime2Retain", "0");
		}
		/* a target may hold the stage (T=0) for more exchanges: answer with empty requests */
		for (round = 0;; round++) {
			if (round == 4) {
				bad("the target held the login in stage %d for %d exchanges", stage,
				    round);
				return -1;
			}
			if (!login_send(c, stage, stage == STAGE_SECURITY ? STAGE_OPERATIONAL :
									    STAGE_FULL_FEATURE,
					round ? "" : text, round ? 0 : len))
				return -1;
			r = pdu_recv(c, &p, IO_TIMEOUT_MS);
			if (r != 1) {
				bad("no Login Response (%s)",
				    r == 0 ? "timeout" : "connection closed");
				return -1;
			}
			if (pdu_op(&p) != OP_LOGIN_RSP) {
				bad("opcode 0x%02x instead of a Login Response", pdu_op(&p));
				pdu_free(&p);
				return -1;
			}
			status = p.bhs[LOGIN_STATUS_CLASS] << 8 | p.bhs[LOGIN_STATUS_DETAIL];
			if (status) {
				pdu_free(&p);
				return status;
			}
			c->tsih = get_be16(p.bhs + LOGIN_TSIH);
			if (stage == STAGE_OPERATIONAL) {
				/* §13: what the target answers is the outcome */
				v = text_get(&p, "HeaderDigest");
				if (v)
					hd = strcasecmp(v, "CRC32C") == 0;
				v = text_get(&p, "DataDigest");
				if (v)
					dd = strcasecmp(v, "CRC32C") == 0;
				c->max_xmit_dsl = text_num(&p, "MaxRecvDataSegmentLength",
							   c->max_xmit_dsl);
				v = text_get(&p, "FirstBurstLength");
				c->first_burst_irrelevant = v && strcmp(v, "Irrelevant") == 0;
				if (v && !c->first_burst_irrelevant)
					c->first_burst = (uint32_t)strtoul(v, NULL, 0);
				c->max_burst = text_num(&p, "MaxBurstLength", c->max_burst);
				v = text_get(&p, "InitialR2T");
				if (v)
					c->initial_r2t = strcasecmp(v, "Yes") == 0;
				v = text_get(&p, "ImmediateData");
				if (v)
					c->immediate_data = strcasecmp(v, "Yes") == 0;
			}
			if (p.bhs[BHS_FLAGS] & LOGIN_FLAG_TRANSIT) {
				pdu_free(&p);
				break;
			}
			pdu_free(&p);
		}
	}
	/* InitialR2T is OR'ed, ImmediateData AND'ed (§13.10, §13.11) */
	c->initial_r2t |= o->initial_r2t;
	c->immediate_data &= o->immediate_data;
	/* §13.1: digests start with the first PDU after the final Login Response */
	c->hd = hd;
	c->dd = dd;
	return 0;
}

static bool login_ok(struct conn *c, const struct login_opts *o)
{
	int st = login(c, o);

	if (st > 0)
		return bad("login of '%s' refused: class %d detail %d", c->initiator, st >> 8,
			   st & 0xff);
	return st == 0;
}

static void cmd_bhs(struct conn *c, uint8_t *bhs, const uint8_t *cdb, size_t cdblen,
		    uint8_t flags, uint32_t edtl)
{
	memset(bhs, 0, BHS_LEN);
	bhs[BHS_OPCODE] = OP_SCSI_CMD;
	bhs[BHS_FLAGS] = FLAG_FINAL | flags | CMD_ATTR_SIMPLE;
	/* SAM-5 §4.7.7: peripheral device addressing for LUNs below 256 */
	bhs[BHS_LUN + 1] = (uint8_t)c->lun;
	put_be32(bhs + BHS_ITT, ++c->itt);
	put_be32(bhs + CMD_EDTL, edtl);
	put_be32(bhs + CMD_CMDSN, c->cmdsn);
	put_be32(bhs + CMD_EXPSTATSN, c->expstatsn);
	memcpy(bhs + CMD_CDB, cdb, cdblen);
}

/* The result of a SCSI command. */
struct result {
	bool done; /* a status arrived */
	uint8_t response, status;
	uint8_t key, asc, ascq;
	uint32_t got; /* Data-In bytes */
	bool rejected;
	uint8_t reject_reason;
	bool timed_out; /* nothing more came within IO_TIMEOUT_MS */
	bool closed; /* the connection closed before the status */
};

static void sense_parse(const struct pdu *p, struct result *res)
{
	const uint8_t *s;
	uint16_t slen;

	if (p->dlen < 2)
		return;
	slen = get_be16(p->data);
	s = p->data + 2;
	if (slen + 2u > p->dlen || slen < 4)
		return;
	if ((s[0] & 0x7f) >= 0x72) { /* descriptor format */
		res->key = s[1] & 0x0f;
		res->asc = s[2];
		res->ascq = s[3];
	} else if (slen >= 14) { /* fixed format */
		res->key = s[2] & 0x0f;
		res->asc = s[12];
		res->ascq = s[13];
	}
}

/*
 * Sends the Data-Out PDUs of one burst: len bytes at offset, in segments of
 * the target's MaxRecvDataSegmentLength. corrupt_first gives the first PDU
 * a wrong data digest.
 */
static bool send_burst(struct conn *c, uint32_t itt, uint32_t ttt, const uint8_t *buf,
		       uint32_t offset, uint32_t len, bool corrupt_first)
{
	uint32_t datasn = 0;

	while (len) {
		uint32_t n = len < c->max_xmit_dsl ? len : c->max_xmit_dsl;
		uint8_t bhs[BHS_LEN] = { 0 };

		bhs[BHS_OPCODE] = OP_DATA_OUT;
		bhs[BHS_FLAGS] = n == len ? FLAG_FINAL : 0;
		bhs[BHS_LUN + 1] = (uint8_t)c->lun;
		put_be32(bhs + BHS_ITT, itt);
		put_be32(bhs + DOUT_TTT, ttt);
		put_be32(bhs + DOUT_EXPSTATSN, c->expstatsn);
		put_be32(bhs + DOUT_DATASN, datasn++);
		put_be32(bhs + DOUT_OFFSET, offset);
		if (!pdu_send(c, bhs, buf + offset, n, false, corrupt_first))
			return false;
		corrupt_first = false;
		offset += n;
		len -= n;
	}
	return true;
}

/* Damage to do to one command's data (the digest tests). */
enum corrupt {
	CORRUPT_NONE,
	CORRUPT_IMMEDIATE, /* the data digest of the immediate data */
	CORRUPT_DATA_OUT, /* the data digest of the first solicited Data-Out */
};

/*
 * Runs one SCSI command to completion: immediate and unsolicited data as
 * negotiated, Data-Out on R2T, Data-In into rbuf. A Reject of the command
 * is noted in res and the wait goes on (the target may still answer: a
 * recovery R2T or a status). false only when the connection failed or
 * nothing came within the timeout; res says what did.
 */
static bool scsi(struct conn *c, const uint8_t *cdb, size_t cdblen, const uint8_t *wbuf,
		 uint32_t wlen, uint8_t *rbuf, uint32_t rlen, struct result *res,
		 enum corrupt corrupt)
{
	uint8_t bhs[BHS_LEN];
	uint32_t itt, imm = 0;
	bool corrupt_out = corrupt == CORRUPT_DATA_OUT;
	struct pdu p;
	int r;

	memset(res, 0, sizeof(*res));
	cmd_bhs(c, bhs, cdb, cdblen, wlen ? CMD_FLAG_WRITE : rlen ? CMD_FLAG_READ : 0,
		wlen ? wlen : rlen);
	itt = get_be32(bhs + BHS_ITT);
	if (wlen && c->immediate_data)
		imm = wlen < c->first_burst ? wlen : c->first_burst;
	if (imm > c->max_xmit_dsl)
		imm = c->max_xmit_dsl;
	if (imm < wlen && !c->initial_r2t) {
		/* §11.3.4: F=0 when unsolicited Data-Out follows */
		bhs[BHS_FLAGS] &= (uint8_t)~FLAG_FINAL;
	}
	c->cmdsn++;
	if (!pdu_send(c, bhs, wbuf, imm, false, corrupt == CORRUPT_IMMEDIATE))
		return bad("connection lost sending the command");
	if (wlen > imm && !c->initial_r2t) {
		uint32_t n = (c->first_burst < wlen ? c->first_burst : wlen) - imm;

		if (n && !send_burst(c, itt, RESERVED_TAG, wbuf, imm, n, false))
			return bad("connection lost sending unsolicited data");
	}
	for (;;) {
		r = pdu_recv(c, &p, IO_TIMEOUT_MS);
		if (r == 0) {
			res->timed_out = true;
			return bad("no answer to the command within %d s", IO_TIMEOUT_MS / 1000);
		}
		if (r < 0) {
			res->closed = true;
			return bad("the connection closed during the command");
		}
		switch (pdu_op(&p)) {
		case OP_R2T: {
			uint32_t off = get_be32(p.bhs + R2T_OFFSET);
			uint32_t len = get_be32(p.bhs + R2T_LENGTH);

			if (pdu_itt(&p) != itt || (uint64_t)off + len > wlen) {
				pdu_free(&p);
				return bad("R2T for itt 0x%x offset %u length %u out of the command",
					   pdu_itt(&p), off, len);
			}
			if (!send_burst(c, itt, get_be32(p.bhs + TGT_TTT), wbuf, off, len,
					corrupt_out)) {
				pdu_free(&p);
				return bad("connection lost sending Data-Out");
			}
			corrupt_out = false;
			break;
		}
		case OP_DATA_IN: {
			uint32_t off = get_be32(p.bhs + DIN_OFFSET);

			if (pdu_itt(&p) != itt || (uint64_t)off + p.dlen > rlen) {
				pdu_free(&p);
				return bad("Data-In for itt 0x%x offset %u out of the command",
					   pdu_itt(&p), off);
			}
			memcpy(rbuf + off, p.data, p.dlen);
			res->got += p.dlen;
			if (p.bhs[BHS_FLAGS] & DIN_FLAG_STATUS) {
				res->done = true;
				res->status = p.bhs[RSP_STATUS];
				pdu_free(&p);
				return true;
			}
			break;
		}
		case OP_SCSI_RSP:
			if (pdu_itt(&p) != itt) {
				pdu_free(&p);
				return bad("SCSI Response for itt 0x%x, not 0x%x", pdu_itt(&p), itt);
			}
			res->done = true;
			res->response = p.bhs[RSP_RESPONSE];
			res->status = p.bhs[RSP_STATUS];
			if (res->status == SCSI_STATUS_CHECK_CONDITION)
				sense_parse(&p, res);
			pdu_free(&p);
			return true;
		case OP_REJECT:
			res->rejected = true;
			res->reject_reason = p.bhs[REJ_REASON];
			say("reject: reason 0x%02x for opcode 0x%02x", p.bhs[REJ_REASON],
			    p.dlen >= 1 ? p.data[0] & OP_MASK : 0xff);
			break;
		default:
			say("unexpected opcode 0x%02x during a command", pdu_op(&p));
			break;
		}
		pdu_free(&p);
	}
}

static void cdb_rw10(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t nblocks)
{
	memset(cdb, 0, 10);
	cdb[0] = op;
	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, nblocks);
}

#define WRITE_10 0x2a
#define READ_10 0x28

static void fill(uint8_t *buf, uint32_t len, uint32_t seed)
{
	uint32_t i, x = seed * 2654435761u + 1;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
}

static bool write_blocks(struct conn *c, uint32_t lba, uint32_t n, const uint8_t *buf)
{
	uint8_t cdb[10];
	struct result res;

	cdb_rw10(cdb, WRITE_10, lba, (uint16_t)n);
	if (!scsi(c, cdb, 10, buf, n * BS, NULL, 0, &res, CORRUPT_NONE))
		return false;
	if (!res.done || res.status != SCSI_STATUS_GOOD || res.rejected)
		return bad("WRITE (10) LBA %u, %u blocks: status 0x%02x key 0x%x asc 0x%02x/0x%02x%s",
			   lba, n, res.status, res.key, res.asc, res.ascq,
			   res.rejected ? " (rejected)" : "");
	return true;
}

static bool read_blocks(struct conn *c, uint32_t lba, uint32_t n, uint8_t *buf)
{
	uint8_t cdb[10];
	struct result res;

	cdb_rw10(cdb, READ_10, lba, (uint16_t)n);
	if (!scsi(c, cdb, 10, NULL, 0, buf, n * BS, &res, CORRUPT_NONE))
		return false;
	if (!res.done || res.status != SCSI_STATUS_GOOD || res.got != n * BS)
		return bad("READ (10) LBA %u, %u blocks: status 0x%02x, %u bytes", lba, n,
			   res.status, res.got);
	return true;
}

/* TEST UNIT READY until GOOD, passing over unit attentions. */
static bool tur(struct conn *c)
{
	static const uint8_t cdb[6];
	struct result res;
	int i;

	for (i = 0; i < 4; i++) {
		if (!scsi(c, cdb, 6, NULL, 0, NULL, 0, &res, CORRUPT_NONE))
			return false;
		if (res.status == SCSI_STATUS_GOOD && !res.rejected)
			return true;
		if (res.status != SCSI_STATUS_CHECK_CONDITION || res.key != 0x6)
			break;
	}
	return bad("TEST UNIT READY: status 0x%02x key 0x%x asc 0x%02x/0x%02x", res.status,
		   res.key, res.asc, res.ascq);
}

/* A write and its read-back: the session serves I/O. */
static bool io_works(struct conn *c, uint32_t lba, uint32_t n, uint32_t seed)
{
	uint8_t *w = malloc(n * BS), *r = malloc(n * BS);
	bool ok;

	if (!w || !r) {
		free(w);
		free(r);
		return bad("out of memory");
	}
	fill(w, n * BS, seed);
	ok = tur(c) && write_blocks(c, lba, n, w) && read_blocks(c, lba, n, r);
	if (ok && memcmp(w, r, n * BS))
		ok = bad("LBA %u: read back differs from what was written", lba);
	free(w);
	free(r);
	return ok;
}

/* Waits for the peer to close; answers pings meanwhile. Reports what else came. */
static bool closes_within(struct conn *c, unsigned int ms, const char *what)
{
	uint64_t end = now_ms() + ms;
	struct pdu p;

	while (now_ms() < end) {
		int r = pdu_recv(c, &p, (unsigned int)(end - now_ms()));

		if (r < 0)
			return true;
		if (r == 0)
			break;
		say("%s: got opcode 0x%02x before the close", what, pdu_op(&p));
		pdu_free(&p);
	}
	return false;
}

/* A fresh session that logs in and does I/O: the target still serves. */
static bool target_serves(struct conn *proto, const char *after)
{
	struct login_opts o = { .immediate_data = true };
	struct conn c;
	bool ok;

	if (!conn_open(&c, proto->host, proto->port, proto->target, proto->initiator, 0x777))
		return bad("after %s, the target no longer accepts connections", after);
	c.lun = proto->lun;
	ok = login_ok(&c, &o) && io_works(&c, 200, 8, 99);
	conn_close(&c);
	if (!ok)
		return bad("after %s, a new session cannot log in and do I/O", after);
	say("after %s: a new session logs in and does I/O", after);
	return true;
}

/* ---- the commands ---- */

static int do_login(struct conn *c)
{
	struct login_opts o = { .immediate_data = true };
	int st = login(c, &o);

	if (st < 0)
		return 1;
	say("login: class %d detail %d", st >> 8, st & 0xff);
	if (st > 0 && !closes_within(c, 5000, "refused login"))
		return fail("the target kept the connection open after refusing the login");
	return 0;
}

/* Sizes in blocks around the negotiated lengths: below, at and above each one. */
static int do_ddio(struct conn *c)
{
	struct login_opts o = { .hd = true, .dd = true, .immediate_data = true };
	static const uint32_t sizes[] = { 1, 7, 8, 9, 16, 17, 24, 63, 128, 129, 255, 512, 1000 };
	char fb[16];
	uint8_t *w, *r;
	size_t i;
	int rc = 1;

	if (!login_ok(c, &o))
		return 1;
	snprintf(fb, sizeof(fb), "%u", c->first_burst);
	say("negotiated: HeaderDigest=%s DataDigest=%s MaxRecvDataSegmentLength(target)=%u FirstBurstLength=%s MaxBurstLength=%u InitialR2T=%s ImmediateData=%s",
	    c->hd ? "CRC32C" : "None", c->dd ? "CRC32C" : "None", c->max_xmit_dsl,
	    c->first_burst_irrelevant ? "Irrelevant" : fb, c->max_burst,
	    c->initial_r2t ? "Yes" : "No", c->immediate_data ? "Yes" : "No");
	if (!c->hd || !c->dd)
		return fail("the target did not accept CRC32C header and data digests");
	w = malloc(1000 * BS);
	r = malloc(1000 * BS);
	if (!w || !r)
		goto out;
	if (!tur(c))
		goto out;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t lba = 4096 + (uint32_t)i * 1024 + (uint32_t)i;

		fill(w, sizes[i] * BS, (uint32_t)i + 1);
		memset(r, 0, sizes[i] * BS);
		if (!write_blocks(c, lba, sizes[i], w) || !read_blocks(c, lba, sizes[i], r))
			goto out;
		if (memcmp(w, r, sizes[i] * BS)) {
			bad("LBA %u, %u blocks: read back differs", lba, sizes[i]);
			goto out;
		}
	}
	say("digests on: %zu writes verified", sizeof(sizes) / sizeof(sizes[0]));
	rc = 0;
out:
	free(w);
	free(r);
	return rc;
}

/* A NOP-Out ping and its NOP-In: the session answers. */
static bool ping(struct conn *c)
{
	uint8_t bhs[BHS_LEN] = { 0 };
	uint32_t itt = ++c->itt;
	struct pdu p;
	int r;

	bhs[BHS_OPCODE] = OP_NOP_OUT | OP_IMMEDIATE;
	bhs[BHS_FLAGS] = FLAG_FINAL;
	put_be32(bhs + BHS_ITT, itt);
	put_be32(bhs + NOP_TTT, RESERVED_TAG);
	put_be32(bhs + NOP_CMDSN, c->cmdsn);
	put_be32(bhs + NOP_EXPSTATSN, c->expstatsn);
	if (!pdu_send(c, bhs, "ping", 4, false, false))
		return bad("connection lost sending a NOP-Out");
	r = pdu_recv(c, &p, IO_TIMEOUT_MS);
	if (r != 1)
		return bad("no NOP-In for a NOP-Out ping");
	if (pdu_op(&p) != OP_NOP_IN || pdu_itt(&p) != itt || p.dlen != 4 ||
	    memcmp(p.data, "ping", 4)) {
		pdu_free(&p);
		return bad("opcode 0x%02x itt 0x%x instead of the NOP-In echoing the ping",
			   pdu_op(&p), pdu_itt(&p));
	}
	pdu_free(&p);
	return true;
}

static int do_badopcode(struct conn *c)
{
	struct login_opts o = { .immediate_data = true };
	uint8_t bhs[BHS_LEN] = { 0 };
	struct pdu p;
	int r;

	if (!login_ok(c, &o) || !tur(c))
		return 1;
	bhs[BHS_OPCODE] = OP_UNDEFINED;
	bhs[BHS_FLAGS] = FLAG_FINAL;
	put_be32(bhs + BHS_ITT, ++c->itt);
	put_be32(bhs + CMD_CMDSN, c->cmdsn);
	put_be32(bhs + CMD_EXPSTATSN, c->expstatsn);
	if (!pdu_send(c, bhs, NULL, 0, false, false))
		return fail("connection lost sending opcode 0x%02x", OP_UNDEFINED);
	r = pdu_recv(c, &p, IO_TIMEOUT_MS);
	if (r != 1)
		return fail("no answer to opcode 0x%02x (%s)", OP_UNDEFINED,
			   r == 0 ? "timeout" : "connection closed");
	if (pdu_op(&p) != OP_REJECT) {
		bad("opcode 0x%02x answered with opcode 0x%02x, not a Reject", OP_UNDEFINED,
		    pdu_op(&p));
		pdu_free(&p);
		return 1;
	}
	say("reject: reason 0x%02x, the rejected header %s", p.bhs[REJ_REASON],
	    p.dlen >= BHS_LEN && memcmp(p.data, bhs, BHS_LEN) == 0 ? "echoed" : "not echoed");
	/* §11.17.1: 0x05 Command not supported */
	if (p.bhs[REJ_REASON] != 0x05 || p.dlen < BHS_LEN || memcmp(p.data, bhs, BHS_LEN)) {
		pdu_free(&p);
		return fail("expected Reject reason 0x05 (command not supported) carrying the header");
	}
	pdu_free(&p);
	if (!ping(c) || !io_works(c, 300, 16, 3))
		return fail("the session stopped working after the Reject");
	say("the session still works");
	return 0;
}

/*
 * huge: announce a 16 MiB - 1 segment and send only the header (the target
 * must judge the length before it reads, or allocate for it); otherwise a
 * segment 4 KiB over the limit, sent whole.
 */
static int oversize(struct conn *c, bool huge)
{
	struct login_opts o = { .immediate_data = true };
	uint8_t bhs[BHS_LEN], cdb[10];
	uint32_t dsl, nblocks;
	bool rejected = false, closed = false, good = false;
	uint8_t *buf;
	struct pdu p;

	if (!login_ok(c, &o) || !tur(c))
		return 1;
	/* a write whose immediate data is a whole MaxRecvDataSegmentLength plus 4 KiB */
	dsl = c->max_xmit_dsl + 4096;
	nblocks = (dsl + BS - 1) / BS;
	buf = calloc(nblocks, BS);
	if (!buf)
		return 1;
	cdb_rw10(cdb, WRITE_10, 600, (uint16_t)nblocks);
	cmd_bhs(c, bhs, cdb, 10, CMD_FLAG_WRITE, nblocks * BS);
	c->cmdsn++;
	if (huge) {
		put_be24(bhs + BHS_DSL, 0xffffff);
		say("announcing a data segment of %u bytes (MaxRecvDataSegmentLength %u), sending none",
		    0xffffff, c->max_xmit_dsl);
		send_all(c->fd, bhs, BHS_LEN);
	} else {
		say("sending a data segment of %u bytes (MaxRecvDataSegmentLength %u)",
		    nblocks * BS, c->max_xmit_dsl);
		pdu_send(c, bhs, buf, nblocks * BS, false, false);
	}
	free(buf);
	for (;;) {
		int r = pdu_recv(c, &p, 5000);

		if (r < 0) {
			closed = true;
			break;
		}
		if (r == 0)
			break;
		if (pdu_op(&p) == OP_REJECT) {
			say("reject: reason 0x%02x", p.bhs[REJ_REASON]);
			rejected = p.bhs[REJ_REASON] == 0x04;
		} else if (pdu_op(&p) == OP_SCSI_RSP && p.bhs[RSP_STATUS] == SCSI_STATUS_GOOD) {
			good = true;
		} else {
			say("got opcode 0x%02x", pdu_op(&p));
		}
		pdu_free(&p);
	}
	say("oversized segment: %s%s%s", rejected ? "rejected (protocol error) " : "",
	    closed ? "connection closed" : "connection open", good ? ", command GOOD" : "");
	if (good)
		return fail("the target accepted a data segment beyond its MaxRecvDataSegmentLength");
	if (!rejected && !closed)
		return fail("neither a Reject (protocol error) nor a closed connection");
	return target_serves(c, "an oversized data segment") ? 0 : 1;
}

static int do_oversize(struct conn *c)
{
	return oversize(c, false);
}

static int do_oversize_huge(struct conn *c)
{
	return oversize(c, true);
}

static int do_hdigest(struct conn *c)
{
	struct login_opts o = { .hd = true, .immediate_data = true };
	uint8_t bhs[BHS_LEN] = { 0 };

	if (!login_ok(c, &o))
		return 1;
	if (!c->hd)
		return fail("the target did not accept HeaderDigest=CRC32C");
	if (!tur(c) || !ping(c))
		return 1;
	bhs[BHS_OPCODE] = OP_NOP_OUT | OP_IMMEDIATE;
	bhs[BHS_FLAGS] = FLAG_FINAL;
	put_be32(bhs + BHS_ITT, ++c->itt);
	put_be32(bhs + NOP_TTT, RESERVED_TAG);
	put_be32(bhs + NOP_CMDSN, c->cmdsn);
	put_be32(bhs + NOP_EXPSTATSN, c->expstatsn);
	pdu_send(c, bhs, NULL, 0, true, false);
	if (!closes_within(c, 5000, "wrong header digest"))
		return fail("the connection stayed open after a PDU with a wrong header digest");
	say("wrong header digest: connection dropped");
	return target_serves(c, "a wrong header digest") ? 0 : 1;
}

/*
 * §7.8 (digest errors): the target discards the PDU, sends Reject reason
 * 0x02, and either asks for the data again with a recovery R2T or ends the
 * command with CHECK CONDITION. Never GOOD for data it did not get.
 */
static int do_ddigest(struct conn *c, bool immediate)
{
	struct login_opts o = { .dd = true, .immediate_data = immediate,
				.initial_r2t = !immediate };
	const uint32_t lba = 700, n = 8;
	uint8_t old[8 * BS], bad_data[8 * BS], back[8 * BS], cdb[10];
	struct result res;

	if (!login_ok(c, &o))
		return 1;
	if (!c->dd)
		return fail("the target did not accept DataDigest=CRC32C");
	if (immediate && !c->immediate_data)
		return fail("the target did not accept ImmediateData=Yes");
	fill(old, sizeof(old), 11);
	fill(bad_data, sizeof(bad_data), 12);
	if (!tur(c) || !write_blocks(c, lba, n, old))
		return 1;
	cdb_rw10(cdb, WRITE_10, lba, (uint16_t)n);
	if (!scsi(c, cdb, 10, bad_data, n * BS, NULL, 0, &res,
		  immediate ? CORRUPT_IMMEDIATE : CORRUPT_DATA_OUT)) {
		if (!res.rejected)
			return fail("no Reject with reason 0x02 (data digest error)");
		if (res.timed_out)
			return fail("Reject 0x02, then neither a recovery R2T nor a status within %d s: the write hangs (RFC 7143 §7.8: the target must ask for the data again or end the task with CHECK CONDITION)",
				    IO_TIMEOUT_MS / 1000);
		/* rejected, then the connection closed: no silent success either */
		say("after the Reject the connection closed");
		return target_serves(c, "a wrong data digest") ? 0 : 1;
	}
	say("%s data with a wrong digest: %s, then status 0x%02x key 0x%x asc 0x%02x/0x%02x",
	    immediate ? "immediate" : "Data-Out",
	    res.rejected ? "rejected" : "not rejected", res.status, res.key, res.asc, res.ascq);
	if (!res.rejected || res.reject_reason != 0x02)
		return fail("no Reject with reason 0x02 (data digest error)");
	if (!read_blocks(c, lba, n, back))
		return 1;
	if (res.status == SCSI_STATUS_GOOD) {
		/* only after the data came again (a recovery R2T), and then it is on the LU */
		if (memcmp(back, bad_data, sizeof(back)))
			return fail("the write ended GOOD but the LU does not hold its data");
		say("the target asked for the data again and the write completed");
	} else {
		if (memcmp(back, old, sizeof(back)))
			return fail("the write failed but the LU changed");
		say("the write failed and the LU kept its data");
	}
	if (!io_works(c, 800, 8, 5))
		return 1;
	say("the session still works");
	return 0;
}

static int do_cmdsn(struct conn *c)
{
	struct login_opts o = { .immediate_data = true };
	static const uint8_t tur_cdb[6];
	uint32_t tries[2];
	uint8_t bhs[BHS_LEN];
	struct pdu p;
	int i, r;

	if (!login_ok(c, &o) || !tur(c))
		return 1;
	/* §4.2.2.1: beyond MaxCmdSN, and an old (already used) CmdSN */
	tries[0] = c->maxcmdsn + 100;
	tries[1] = c->expcmdsn - 3;
	for (i = 0; i < 2; i++) {
		cmd_bhs(c, bhs, tur_cdb, 6, 0, 0);
		put_be32(bhs + CMD_CMDSN, tries[i]);
		if (!pdu_send(c, bhs, NULL, 0, false, false))
			return fail("connection lost");
		r = pdu_recv(c, &p, 2000);
		if (r == 1) {
			bad("a command with CmdSN %u (window %u..%u) was answered with opcode 0x%02x",
			    tries[i], c->expcmdsn, c->maxcmdsn, pdu_op(&p));
			pdu_free(&p);
			return 1;
		}
		if (r < 0)
			return fail("the connection closed after a command with CmdSN %u outside the window",
				   tries[i]);
		say("CmdSN %u outside the window %u..%u: ignored", tries[i], c->expcmdsn,
		    c->maxcmdsn);
	}
	if (!ping(c) || !io_works(c, 900, 8, 7))
		return fail("the session stopped working after commands outside the CmdSN window");
	say("the session still works");
	return 0;
}

static int do_prelogin(struct conn *c)
{
	static const uint8_t tur_cdb[6];
	uint8_t bhs[BHS_LEN];
	struct pdu p;
	int r;

	cmd_bhs(c, bhs, tur_cdb, 6, 0, 0);
	if (!pdu_send(c, bhs, NULL, 0, false, false))
		return fail("connection lost");
	r = pdu_recv(c, &p, 5000);
	if (r != 1)
		return fail("no Login Response to a SCSI command sent before login (%s)",
			   r == 0 ? "timeout" : "connection closed");
	if (pdu_op(&p) != OP_LOGIN_RSP) {
		bad("opcode 0x%02x instead of a Login Response (reject)", pdu_op(&p));
		pdu_free(&p);
		return 1;
	}
	say("login reject: class %d detail %d", p.bhs[LOGIN_STATUS_CLASS],
	    p.bhs[LOGIN_STATUS_DETAIL]);
	/* §11.13.5: class 2, initiator error */
	if (p.bhs[LOGIN_STATUS_CLASS] != 2) {
		pdu_free(&p);
		return fail("expected status class 2 (initiator error)");
	}
	pdu_free(&p);
	if (!closes_within(c, 5000, "SCSI command before login"))
		return fail("the connection stayed open after the login reject");
	say("connection closed");
	return target_serves(c, "a SCSI command before login") ? 0 : 1;
}

static int do_midpdu(struct conn *c)
{
	struct login_opts o = { .immediate_data = true };
	uint8_t bhs[BHS_LEN], cdb[10], buf[1000] = { 0 };
	struct conn x;

	/* 1: half a Login Request */
	conn_close(c);
	if (!conn_open(&x, c->host, c->port, c->target, c->initiator, 1))
		return 1;
	memset(bhs, 0, sizeof(bhs));
	bhs[BHS_OPCODE] = OP_LOGIN_REQ | OP_IMMEDIATE;
	send_all(x.fd, bhs, 20);
	conn_close(&x);
	if (!target_serves(c, "half a Login Request"))
		return 1;

	/* 2: logged in, 20 bytes of a BHS */
	if (!conn_open(&x, c->host, c->port, c->target, c->initiator, 2))
		return 1;
	x.lun = c->lun;
	if (!login_ok(&x, &o) || !tur(&x))
		return 1;
	cdb_rw10(cdb, READ_10, 0, 8);
	cmd_bhs(&x, bhs, cdb, 10, CMD_FLAG_READ, 8 * BS);
	send_all(x.fd, bhs, 20);
	conn_close(&x);
	if (!target_serves(c, "half a BHS"))
		return 1;

	/* 3: logged in, a WRITE with 8 KiB of immediate data announced and 1000 bytes sent */
	if (!conn_open(&x, c->host, c->port, c->target, c->initiator, 3))
		return 1;
	x.lun = c->lun;
	if (!login_ok(&x, &o) || !tur(&x))
		return 1;
	cdb_rw10(cdb, WRITE_10, 1000, 16);
	cmd_bhs(&x, bhs, cdb, 10, CMD_FLAG_WRITE, 16 * BS);
	put_be24(bhs + BHS_DSL, 16 * BS < x.max_xmit_dsl ? 16 * BS : x.max_xmit_dsl);
	send_all(x.fd, bhs, BHS_LEN);
	send_all(x.fd, buf, sizeof(buf));
	conn_close(&x);
	if (!target_serves(c, "half a data segment"))
		return 1;

	/* 4: logged in, a WRITE waiting for its Data-Out, then the connection goes */
	if (!conn_open(&x, c->host, c->port, c->target, c->initiator, 4))
		return 1;
	x.lun = c->lun;
	o.initial_r2t = true;
	o.immediate_data = false;
	if (!login_ok(&x, &o) || !tur(&x))
		return 1;
	cdb_rw10(cdb, WRITE_10, 1100, 64);
	cmd_bhs(&x, bhs, cdb, 10, CMD_FLAG_WRITE, 64 * BS);
	x.cmdsn++;
	pdu_send(&x, bhs, NULL, 0, false, false);
	usleep(200 * 1000);
	conn_close(&x);
	if (!target_serves(c, "a write left waiting for its data"))
		return 1;
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct conn *c);
} cmds[] = {
	{ "login", do_login },	       { "ddio", do_ddio },	    { "badopcode", do_badopcode },
	{ "oversize", do_oversize },   { "hdigest", do_hdigest },   { "cmdsn", do_cmdsn },
	{ "prelogin", do_prelogin },   { "midpdu", do_midpdu },
};

static int do_ddigest_imm(struct conn *c)
{
	return do_ddigest(c, true);
}

static int do_ddigest_out(struct conn *c)
{
	return do_ddigest(c, false);
}

int main(int argc, char **argv)
{
	int (*fn)(struct conn *c) = NULL;
	struct conn c;
	size_t i;
	int rc;

	if (argc != 6 && argc != 7)
		goto usage;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name) == 0)
			fn = cmds[i].fn;
	}
	if (strcmp(argv[1], "oversize-huge") == 0)
		fn = do_oversize_huge;
	if (strcmp(argv[1], "ddigest-imm") == 0)
		fn = do_ddigest_imm;
	if (strcmp(argv[1], "ddigest-out") == 0)
		fn = do_ddigest_out;
	if (!fn)
		goto usage;
	if (!conn_open(&c, argv[2], argv[3], argv[4], argv[5], 0))
		return 1;
	c.lun = argc == 7 ? atoi(argv[6]) : 0;
	rc = fn(&c);
	conn_close(&c);
	return rc;
usage:
	fprintf(stderr, "usage: rawiscsi COMMAND HOST PORT TARGET INITIATOR [LUN] (see the source)\n");
	return 2;
}

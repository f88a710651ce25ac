/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chapc: an iSCSI initiator written by hand that logs in with CHAP
 * (RFC 7143 §12.1.3) using any CHAP_A list, for the algorithms libiscsi
 * does not offer (SHA-1 6, SHA-256 7, SHA3-256 8), and the misbehaviour
 * a real initiator never shows (its challenge reflected). Offsets and
 * formulas are read from the RFCs; nothing is shared with porticod's
 * CHAP code.
 *
 *   chapc [-a LIST] [-o ALG] [-n NAME] [-s SECRET] [-m NAME:SECRET] [-b] [-r] [-d]
 *         [-S ADDRESS] [-k TRIES [-t SECONDS]] HOST PORT TARGET INITIATOR
 *
 *   -a LIST         the CHAP_A list to offer (default "5")
 *   -o ALG          answer with ALG's digest whatever the target chose, as an
 *                   initiator that lists more than it can compute does
 *   -n NAME         CHAP_N (default: the initiator name)
 *   -s SECRET       the initiator's secret
 *   -m NAME:SECRET  mutual CHAP: the name and secret the target must prove
 *   -b              CHAP_R (and the mutual CHAP_C) in base64 ("0b")
 *   -r              send the target's own challenge back as ours (with -m)
 *   -d              a discovery session (TARGET is ignored): SendTargets=All
 *   -S ADDRESS      connect from this local address (127.0.0.2: another host, to the target)
 *   -k TRIES        log in this many times, one after the other, as a guesser would
 *   -t SECONDS      with -k: stop after this long, however many were tried
 *
 * Prints "algorithm: A" (the target's choice), then "login: ok" or
 * "login: class C detail D", then for a mutual login "mutual: ok", then
 * "tur: GOOD" (a normal session) or the SendTargets pairs (discovery).
 * With -k only "tries N ok K refused R ms M": the logins tried, let in,
 * refused, and how long they took.
 * Exits 0 when the target did what it said; 1 when it misbehaved (a wrong
 * mutual response, a protocol error, a dropped connection), 2 on usage.
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
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/be.h"

/* RFC 7143 §11.2.1.2 opcodes */
#define OP_SCSI_CMD 0x01
#define OP_LOGIN_REQ 0x03
#define OP_TEXT_REQ 0x04
#define OP_LOGOUT_REQ 0x06
#define OP_SCSI_RSP 0x21
#define OP_LOGIN_RSP 0x23
#define OP_TEXT_RSP 0x24
#define OP_LOGOUT_RSP 0x26
#define OP_IMMEDIATE 0x40
#define OP_MASK 0x3f

#define BHS_LEN 48
#define BHS_DSL 5
#define BHS_ITT 16
#define FLAG_FINAL 0x80
#define TGT_STATSN 24
#define TGT_EXPCMDSN 28
/* §11.12, §11.13 */
#define LOGIN_TRANSIT 0x80
#define LOGIN_CONTINUE 0x40
#define LOGIN_ISID 8
#define LOGIN_CID 20
#define LOGIN_CMDSN 24
#define LOGIN_EXPSTATSN 28
#define LOGIN_STATUS_CLASS 36
#define LOGIN_STATUS_DETAIL 37
/* §11.3, §11.4 */
#define CMD_EDTL 20
#define CMD_CMDSN 24
#define CMD_EXPSTATSN 28
#define CMD_CDB 32
#define RSP_STATUS 3
/* §11.10 */
#define TEXT_TTT 20

#define TIMEOUT_MS 10000
#define TEXT_MAX 8192 /* RFC 7143 §13.12: no login PDU carries more */

struct conn {
	int fd;
	uint32_t itt, cmdsn, expstatsn;
	uint8_t isid[6];
};

struct pdu {
	uint8_t bhs[BHS_LEN];
	char data[TEXT_MAX + 1];
	uint32_t dlen;
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("chapc: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Says why the target misbehaved; -1. */
static int broken(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int broken(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("chapc: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool io_all(int fd, void *buf, size_t len, bool wr)
{
	uint8_t *p = buf;
	uint64_t deadline = now_ms() + TIMEOUT_MS;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = wr ? POLLOUT : POLLIN };
		ssize_t n;

		if (now_ms() > deadline)
			return false;
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = wr ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool pdu_send(struct conn *c, uint8_t *bhs, const char *data, uint32_t dlen)
{
	static const uint8_t zero[4];
	uint32_t pad = (4 - (dlen & 3)) & 3;

	put_be24(bhs + BHS_DSL, dlen);
	return io_all(c->fd, bhs, BHS_LEN, true) && (!dlen || io_all(c->fd, (void *)data, dlen, true)) &&
	       (!pad || io_all(c->fd, (void *)zero, pad, true));
}

static bool pdu_recv(struct conn *c, struct pdu *p)
{
	uint8_t pad[4];
	uint32_t padlen;

	if (!io_all(c->fd, p->bhs, BHS_LEN, false))
		return false;
	p->dlen = get_be24(p->bhs + BHS_DSL);
	if (p->bhs[4] || p->dlen > TEXT_MAX)
		return false; /* no AHS, and nothing this client asks for is longer */
	padlen = (4 - (p->dlen & 3)) & 3;
	if ((p->dlen && !io_all(c->fd, p->data, p->dlen, false)) ||
	    (padlen && !io_all(c->fd, pad, padlen, false)))
		return false;
	p->data[p->dlen] = '\0';
	c->expstatsn = get_be32(p->bhs + TGT_STATSN) + 1;
	if (((p->bhs[0] & OP_MASK) != OP_LOGIN_RSP || !p->bhs[LOGIN_STATUS_CLASS]) &&
	    get_be32(p->bhs + TGT_EXPCMDSN) > c->cmdsn)
		c->cmdsn = get_be32(p->bhs + TGT_EXPCMDSN);
	return true;
}

/* The value of key in a received text segment, or NULL. */
static const char *text_get(const struct pdu *p, const char *key)
{
	size_t klen = strlen(key);

	for (uint32_t o = 0; o < p->dlen; o += (uint32_t)strlen(p->data + o) + 1)
		if (!strncmp(p->data + o, key, klen) && p->data[o + klen] == '=')
			return p->data + o + klen + 1;
	return NULL;
}

static void text_add(char *buf, size_t *len, const char *key, const char *val)
{
	int n = snprintf(buf + *len, TEXT_MAX - *len, "%s=%s", key, val);

	if (n > 0 && (size_t)n < TEXT_MAX - *len)
		*len += (size_t)n + 1;
}

/* One Login Request (§11.12); the response in rsp. */
static bool login_step(struct conn *c, int csg, int nsg, bool transit, const char *text,
		       size_t len, struct pdu *rsp)
{
	uint8_t bhs[BHS_LEN] = { 0 };

	bhs[0] = OP_IMMEDIATE | OP_LOGIN_REQ;
	bhs[1] = (uint8_t)((transit ? LOGIN_TRANSIT : 0) | csg << 2 | (transit ? nsg : 0));
	memcpy(bhs + LOGIN_ISID, c->isid, 6);
	put_be32(bhs + BHS_ITT, c->itt);
	put_be16(bhs + LOGIN_CID, 1);
	put_be32(bhs + LOGIN_CMDSN, c->cmdsn);
	put_be32(bhs + LOGIN_EXPSTATSN, c->expstatsn);
	if (!pdu_send(c, bhs, text, (uint32_t)len) || !pdu_recv(c, rsp))
		return false;
	return (rsp->bhs[0] & OP_MASK) == OP_LOGIN_RSP && !(rsp->bhs[1] & LOGIN_CONTINUE);
}

static const EVP_MD *md_of(int alg)
{
	/* the IANA CHAP_A values RFC 7143 §12.1.3 refers to */
	switch (alg) {
	case 5:
		return EVP_md5();
	case 6:
		return EVP_sha1();
	case 7:
		return EVP_sha256();
	case 8:
		return EVP_sha3_256();
	}
	return NULL;
}

/* RFC 1994 §4.1: H(identifier || secret || challenge). Its length, 0 on failure. */
static unsigned int chap_hash(int alg, unsigned int id, const char *secret, const uint8_t *chal,
			      size_t clen, uint8_t *out)
{
	const EVP_MD *md = md_of(alg);
	uint8_t idb = (uint8_t)id;
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!md || !ctx || !EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, &idb, 1) ||
	    !EVP_DigestUpdate(ctx, secret, strlen(secret)) || !EVP_DigestUpdate(ctx, chal, clen) ||
	    !EVP_DigestFinal_ex(ctx, out, &n))
		n = 0;
	EVP_MD_CTX_free(ctx);
	return n;
}

/* RFC 7143 §6.1 binary values, as this client writes them: "0x" hex or "0b" base64. */
static void bin_encode(const uint8_t *p, size_t len, bool b64, char *out)
{
	if (b64) {
		memcpy(out, "0b", 2);
		EVP_EncodeBlock((unsigned char *)out + 2, p, (int)len);
		return;
	}
	memcpy(out, "0x", 2);
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 + 2 * i, "%02X", p[i]);
	out[2 + 2 * len] = '\0';
}

/* The target's hex challenge (porticod answers in hex). Its length, 0 if malformed. */
static size_t hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n;

	if (!s || strncmp(s, "0x", 2))
		return 0;
	s += 2;
	n = strlen(s);
	if (n % 2 || n / 2 > cap)
		return 0;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return 0;
		out[i] = (uint8_t)b;
	}
	return n / 2;
}

struct opts {
	const char *alg_list, *name, *secret, *mutual_name, *mutual_secret;
	int only_alg; /* -o: the one digest it computes; 0: the target's choice */
	bool b64, reflect, discovery;
	bool quiet; /* -k: only the summary */
	const char *target, *initiator;
};

/*
 * The security stage. 1: refused (printed), 0: through, -1: the target
 * misbehaved (said why).
 */
static int security(struct conn *c, const struct opts *o, struct pdu *rsp)
{
	char text[TEXT_MAX], rhex[2 + 2 * 1024 + 8], chex[2 + 2 * 64 + 8];
	uint8_t tchal[1024], r[64], mychal[32], want[64];
	size_t len = 0, tclen, mclen = 0;
	unsigned int tid, myid = 0, n;
	const char *v;
	int alg;

	text_add(text, &len, "InitiatorName", o->initiator);
	if (o->discovery) {
		text_add(text, &len, "SessionType", "Discovery");
	} else {
		text_add(text, &len, "TargetName", o->target);
		text_add(text, &len, "SessionType", "Normal");
	}
	text_add(text, &len, "AuthMethod", "CHAP,None");
	if (!login_step(c, 0, 1, true, text, len, rsp))
		return broken("no login response");
	if (rsp->bhs[LOGIN_STATUS_CLASS])
		return 1;
	v = text_get(rsp, "AuthMethod");
	if (!v || strcmp(v, "CHAP"))
		return broken("AuthMethod=%s, not CHAP", v ? v : "(none)");

	len = 0;
	text_add(text, &len, "CHAP_A", o->alg_list);
	if (!login_step(c, 0, 1, false, text, len, rsp))
		return broken("no response to CHAP_A");
	if (rsp->bhs[LOGIN_STATUS_CLASS])
		return 1;
	v = text_get(rsp, "CHAP_A");
	alg = v ? atoi(v) : 0;
	if (!o->quiet)
		printf("algorithm: %d\n", alg);
	tclen = hex_decode(text_get(rsp, "CHAP_C"), tchal, sizeof(tchal));
	if (!text_get(rsp, "CHAP_I") || !tclen || !md_of(alg))
		return broken("no usable CHAP_A/CHAP_I/CHAP_C");
	tid = (unsigned int)atoi(text_get(rsp, "CHAP_I"));

	n = chap_hash(o->only_alg ? o->only_alg : alg, tid, o->secret, tchal, tclen, r);
	if (!n)
		return broken("digest %d failed", o->only_alg ? o->only_alg : alg);
	bin_encode(r, n, o->b64, rhex);
	len = 0;
	text_add(text, &len, "CHAP_N", o->name);
	text_add(text, &len, "CHAP_R", rhex);
	if (o->mutual_name) {
		char id[8];

		if (o->reflect) {
			/* RFC 7143 §9.2.1 forbids this: the target must refuse */
			mclen = tclen < sizeof(mychal) ? tclen : sizeof(mychal);
			memcpy(mychal, tchal, mclen);
			myid = tid;
		} else {
			uint8_t b;

			mclen = sizeof(mychal);
			if (getrandom(mychal, mclen, 0) != (ssize_t)mclen || getrandom(&b, 1, 0) != 1)
				return broken("getrandom");
			myid = b;
		}
		snprintf(id, sizeof(id), "%u", myid);
		bin_encode(mychal, mclen, o->b64, chex);
		text_add(text, &len, "CHAP_I", id);
		text_add(text, &len, "CHAP_C", chex);
	}
	if (!login_step(c, 0, 1, true, text, len, rsp))
		return broken("no response to CHAP_R");
	if (rsp->bhs[LOGIN_STATUS_CLASS])
		return 1;
	if (!(rsp->bhs[1] & LOGIN_TRANSIT))
		return broken("the target keeps the security stage after the response");
	if (o->mutual_name) {
		/* RFC 7143 §12.1.3: the target answers with CHAP_N and CHAP_R */
		v = text_get(rsp, "CHAP_N");
		if (!v || strcmp(v, o->mutual_name))
			return broken("target CHAP_N '%s', not '%s'", v ? v : "(none)", o->mutual_name);
		n = chap_hash(alg, myid, o->mutual_secret, mychal, mclen, want);
		if (!n || hex_decode(text_get(rsp, "CHAP_R"), r, sizeof(r)) != n ||
		    memcmp(r, want, n))
			return broken("the target's CHAP_R is wrong");
		if (!o->quiet)
			printf("mutual: ok\n");
	}
	return 0;
}

/* TEST UNIT READY on LUN 0 until GOOD (a first one may report a unit attention). */
static bool tur(struct conn *c)
{
	for (int tries = 0; tries < 3; tries++) {
		uint8_t bhs[BHS_LEN] = { 0 };
		struct pdu rsp;

		bhs[0] = OP_SCSI_CMD;
		bhs[1] = FLAG_FINAL | 0x01; /* simple task attribute */
		put_be32(bhs + BHS_ITT, ++c->itt);
		put_be32(bhs + CMD_EDTL, 0);
		put_be32(bhs + CMD_CMDSN, c->cmdsn++);
		put_be32(bhs + CMD_EXPSTATSN, c->expstatsn);
		if (!pdu_send(c, bhs, NULL, 0))
			return false;
		do {
			if (!pdu_recv(c, &rsp))
				return false;
		} while ((rsp.bhs[0] & OP_MASK) != OP_SCSI_RSP);
		if (rsp.bhs[RSP_STATUS] == 0) {
			printf("tur: GOOD\n");
			return true;
		}
	}
	return false;
}

static bool sendtargets(struct conn *c)
{
	uint8_t bhs[BHS_LEN] = { 0 };
	char text[32];
	size_t len = 0;
	struct pdu rsp;

	text_add(text, &len, "SendTargets", "All");
	bhs[0] = OP_IMMEDIATE | OP_TEXT_REQ;
	bhs[1] = FLAG_FINAL;
	put_be32(bhs + BHS_ITT, ++c->itt);
	put_be32(bhs + TEXT_TTT, 0xffffffffu);
	put_be32(bhs + CMD_CMDSN, c->cmdsn);
	put_be32(bhs + CMD_EXPSTATSN, c->expstatsn);
	if (!pdu_send(c, bhs, text, (uint32_t)len) || !pdu_recv(c, &rsp) ||
	    (rsp.bhs[0] & OP_MASK) != OP_TEXT_RSP)
		return false;
	for (uint32_t o = 0; o < rsp.dlen; o += (uint32_t)strlen(rsp.data + o) + 1)
		if (rsp.data[o])
			printf("%s\n", rsp.data + o);
	return true;
}

static void logout(struct conn *c)
{
	uint8_t bhs[BHS_LEN] = { 0 };
	struct pdu rsp;

	bhs[0] = OP_IMMEDIATE | OP_LOGOUT_REQ;
	bhs[1] = FLAG_FINAL; /* close the session */
	put_be32(bhs + BHS_ITT, ++c->itt);
	put_be32(bhs + CMD_CMDSN, c->cmdsn);
	put_be32(bhs + CMD_EXPSTATSN, c->expstatsn);
	if (pdu_send(c, bhs, NULL, 0))
		while (pdu_recv(c, &rsp) && (rsp.bhs[0] & OP_MASK) != OP_LOGOUT_RSP)
			;
}

static int usage(void)
{
	fprintf(stderr, "usage: chapc [-a LIST] [-o ALG] [-n NAME] [-s SECRET] [-m NAME:SECRET] [-b] "
			"[-r] [-d] [-S ADDRESS] [-k TRIES [-t SECONDS]] HOST PORT TARGET INITIATOR\n");
	return 2;
}

/*
 * One login to ai (from src, when given): 0 logged in and the session
 * works, 1 refused (the status printed unless quiet), -1 the target
 * misbehaved (said why).
 */
static int one_login(const struct opts *o, const struct addrinfo *ai, const char *src)
{
	static const char opkeys[] = "HeaderDigest=None\0DataDigest=None\0ErrorRecoveryLevel=0\0"
				     "InitialR2T=Yes\0ImmediateData=No\0MaxBurstLength=262144\0"
				     "FirstBurstLength=65536\0MaxRecvDataSegmentLength=8192\0"
				     "DefaultTime2Wait=2\0DefaultTime2Retain=0\0MaxConnections=1\0";
	struct conn c = { .fd = -1, .itt = 0x1000, .cmdsn = 1,
			  .isid = { 0x80, 0xc4, 0xa9, 0x00, 0x00, 0x01 } };
	struct sockaddr_storage from = { 0 };
	struct pdu rsp;
	int st;

	c.fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd >= 0 && src) {
		from.ss_family = (sa_family_t)ai->ai_family;
		if (ai->ai_family == AF_INET)
			inet_pton(AF_INET, src, &((struct sockaddr_in *)&from)->sin_addr);
		else
			inet_pton(AF_INET6, src, &((struct sockaddr_in6 *)&from)->sin6_addr);
		if (bind(c.fd, (struct sockaddr *)&from, ai->ai_addrlen))
			return broken("cannot bind to %s: %s", src, strerror(errno));
	}
	if (c.fd < 0 || connect(c.fd, ai->ai_addr, ai->ai_addrlen)) {
		if (c.fd >= 0)
			close(c.fd);
		return broken("cannot connect: %s", strerror(errno));
	}
	/* a PDU goes out in pieces: no Nagle wait between them (a guesser does not wait either) */
	setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	st = security(&c, o, &rsp);
	if (st == 0) {
		/* the operational stage, with every key said so that the target has nothing to add */
		if (!login_step(&c, 1, 3, true, opkeys, sizeof(opkeys) - 1, &rsp))
			st = -1;
		else if (!rsp.bhs[LOGIN_STATUS_CLASS] && !(rsp.bhs[1] & LOGIN_TRANSIT))
			st = broken("the target did not grant full feature phase");
	}
	if (st >= 0 && rsp.bhs[LOGIN_STATUS_CLASS]) {
		if (!o->quiet)
			printf("login: class %u detail %u\n", rsp.bhs[LOGIN_STATUS_CLASS],
			       rsp.bhs[LOGIN_STATUS_DETAIL]);
		st = 1;
	} else if (st == 0) {
		if (!o->quiet)
			printf("login: ok\n");
		if (o->discovery ? !sendtargets(&c) : !tur(&c))
			st = broken("the session does not work after login");
		else
			logout(&c);
	}
	close(c.fd);
	return st;
}

int main(int argc, char **argv)
{
	struct opts o = { .alg_list = "5", .secret = "" };
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	unsigned long tries = 0, ok = 0, refused = 0, seconds = 0;
	const char *src = NULL;
	uint64_t t0;
	char *colon;
	int opt, st = 0;

	while ((opt = getopt(argc, argv, "a:o:n:s:m:brdS:k:t:")) != -1) {
		switch (opt) {
		case 'a':
			o.alg_list = optarg;
			break;
		case 'o':
			o.only_alg = atoi(optarg);
			if (!md_of(o.only_alg))
				return usage();
			break;
		case 'n':
			o.name = optarg;
			break;
		case 's':
			o.secret = optarg;
			break;
		case 'm':
			colon = strchr(optarg, ':');
			if (!colon)
				return usage();
			*colon = '\0';
			o.mutual_name = optarg;
			o.mutual_secret = colon + 1;
			break;
		case 'b':
			o.b64 = true;
			break;
		case 'r':
			o.reflect = true;
			break;
		case 'd':
			o.discovery = true;
			break;
		case 'S':
			src = optarg;
			break;
		case 'k':
			tries = strtoul(optarg, NULL, 0);
			o.quiet = true;
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 4 || (o.reflect && !o.mutual_name) || (seconds && !tries))
		return usage();
	o.target = argv[optind + 2];
	o.initiator = argv[optind + 3];
	if (!o.name)
		o.name = o.initiator;

	if (getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai))
		return fail("bad address %s:%s", argv[optind], argv[optind + 1]);
	if (!tries) {
		st = one_login(&o, ai, src);
		freeaddrinfo(ai);
		return st < 0;
	}
	t0 = now_ms();
	for (unsigned long i = 0; i < tries; i++) {
		if (seconds && now_ms() - t0 >= seconds * 1000) {
			tries = i;
			break;
		}
		st = one_login(&o, ai, src);
		if (st < 0)
			break;
		ok += st == 0;
		refused += st == 1;
	}
	freeaddrinfo(ai);
	printf("tries %lu ok %lu refused %lu ms %llu\n", ok + refused, ok, refused,
	       (unsigned long long)(now_ms() - t0));
	return st < 0;
}

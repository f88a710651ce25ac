/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The initiator's side of the transport's tests (conn_test.c, refresh_test.c)
 * and of its fuzzer (tests/fuzz/fuzz_conn.c): the PDUs an initiator builds
 * and frames, reading the target's answers off a socketpair while driving
 * the target's loop, and a fake of the model's login answers for struct
 * iscsi_env_ops. Static inline and free of Check, which the fuzzer does not
 * link: a helper returns what it saw and its caller asserts.
 */
#ifndef PORTICO_TESTS_ISCSI_RAW_INITIATOR_H
#define PORTICO_TESTS_ISCSI_RAW_INITIATOR_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/be.h"
#include "common/crc32c.h"
#include "common/ev.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/scsi/scsi.h"

#define RAW_DATA_MAX 65536   /* the largest data segment raw_send frames */
#define RAW_WAIT_ROUNDS 5000 /* loop rounds a read waits for its bytes */

/* The initiator's end of one connection: its socket, the target's loop, the digests in force. */
struct raw_initiator {
	struct ev_loop *loop;
	int fd;
	bool hdigest, ddigest;
};

/* Runs the target's loop for a number of rounds (1 ms each at most). */
static inline void raw_pump(struct ev_loop *loop, int rounds)
{
	for (int i = 0; i < rounds; i++)
		ev_run_once(loop, 1);
}

/* ---- building PDUs ---- */

/* Appends "key=value" and its NUL at off in buf (which has the room); the new length. */
static inline size_t raw_key(char *buf, size_t off, const char *key, const char *value)
{
	size_t k = strlen(key), v = strlen(value);

	memcpy(buf + off, key, k);
	buf[off + k] = '=';
	memcpy(buf + off + k + 1, value, v + 1);
	return off + k + 1 + v + 1;
}

/*
 * The keys of a first Login Request: who logs in, to which target (NULL:
 * a discovery session), with no authentication. The length written to buf.
 */
static inline size_t raw_security_keys(char *buf, const char *initiator, const char *target)
{
	size_t n = raw_key(buf, 0, "InitiatorName", initiator);

	if (target) {
		n = raw_key(buf, n, "TargetName", target);
		n = raw_key(buf, n, "SessionType", "Normal");
	} else {
		n = raw_key(buf, n, "SessionType", "Discovery");
	}
	return raw_key(buf, n, "AuthMethod", "None");
}

/* A Login Request header: immediate, T=1, from stage csg to nsg. */
static inline void raw_login_bhs(uint8_t *bhs, uint8_t csg, uint8_t nsg, const uint8_t isid[6],
				 uint16_t tsih, uint32_t itt, uint32_t cmdsn)
{
	struct iscsi_login_req *q = (struct iscsi_login_req *)bhs;

	memset(bhs, 0, ISCSI_BHS_LEN);
	q->opcode = ISCSI_OP_LOGIN_REQ | ISCSI_OP_IMMEDIATE;
	q->flags = ISCSI_LOGIN_FLAG_TRANSIT | (uint8_t)(csg << ISCSI_LOGIN_CSG_SHIFT) | nsg;
	memcpy(q->isid, isid, sizeof(q->isid));
	put_be16(q->tsih, tsih);
	put_be32(q->itt, itt);
	put_be32(q->cmdsn, cmdsn);
}

/* A NOP-Out header asking for an answer (itt), immediate, F set. */
static inline void raw_nop_out_bhs(uint8_t *bhs, uint32_t itt, uint32_t cmdsn)
{
	struct iscsi_nop *q = (struct iscsi_nop *)bhs;

	memset(bhs, 0, ISCSI_BHS_LEN);
	q->opcode = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	q->flags = ISCSI_FLAG_FINAL;
	put_be32(q->itt, itt);
	put_be32(q->ttt, ISCSI_RESERVED_TAG);
	put_be32(q->sn, cmdsn);
}

/* A SCSI Command header for lun, a simple task; flags: F, R, W. */
static inline void raw_scsi_cmd_bhs(uint8_t *bhs, uint8_t flags, uint64_t lun, uint32_t itt,
				    uint32_t edtl, uint32_t cmdsn, const uint8_t *cdb,
				    size_t cdblen)
{
	struct iscsi_scsi_cmd *c = (struct iscsi_scsi_cmd *)bhs;

	memset(bhs, 0, ISCSI_BHS_LEN);
	c->opcode = ISCSI_OP_SCSI_CMD;
	c->flags = flags | 1; /* RFC 7143 §11.3.1: ATTR 1, simple */
	scsi_lun_encode(lun, c->lun);
	put_be32(c->itt, itt);
	put_be32(c->edtl, edtl);
	put_be32(c->cmdsn, cmdsn);
	memcpy(c->cdb, cdb, cdblen);
}

/*
 * Lays out one PDU as it goes on the wire (header, its digest, data,
 * padding, data digest) into buf, with dlen set in the header; buf has
 * room for ISCSI_BHS_LEN + dlen + 11 bytes. Returns the length.
 */
static inline size_t raw_frame(uint8_t *buf, const uint8_t *bhs, const void *data, uint32_t dlen,
			       bool hdigest, bool ddigest)
{
	uint32_t pad = iscsi_pad4(dlen) - dlen;
	size_t n = ISCSI_BHS_LEN;

	memcpy(buf, bhs, ISCSI_BHS_LEN);
	iscsi_bhs_set_dlen(buf, dlen);
	if (hdigest) {
		crc32c_put_wire(buf + n, crc32c(0, buf, ISCSI_BHS_LEN));
		n += ISCSI_DIGEST_LEN;
	}
	if (!dlen)
		return n;
	memcpy(buf + n, data, dlen);
	memset(buf + n + dlen, 0, pad);
	n += dlen + pad;
	if (ddigest) {
		crc32c_put_wire(buf + n, crc32c(0, buf + n - dlen - pad, dlen + pad));
		n += ISCSI_DIGEST_LEN;
	}
	return n;
}

/* Frames and writes one PDU. 0, -EMSGSIZE past RAW_DATA_MAX, or -EIO (a short write). */
static inline int raw_send(const struct raw_initiator *ini, const uint8_t *bhs, const void *data,
			   uint32_t dlen)
{
	static uint8_t buf[ISCSI_BHS_LEN + ISCSI_DIGEST_LEN + RAW_DATA_MAX + 3 + ISCSI_DIGEST_LEN];
	size_t n;

	if (dlen > RAW_DATA_MAX)
		return -EMSGSIZE;
	n = raw_frame(buf, bhs, data, dlen, ini->hdigest, ini->ddigest);
	return write(ini->fd, buf, n) == (ssize_t)n ? 0 : -EIO;
}

/* ---- reading the target's answers ---- */

/* Reads exactly len bytes, driving the target's loop meanwhile. 0, or -1 on EOF or timeout. */
static inline int raw_read_full(const struct raw_initiator *ini, uint8_t *p, size_t len)
{
	size_t got = 0;

	for (int i = 0; i < RAW_WAIT_ROUNDS && got < len; i++) {
		ssize_t r = recv(ini->fd, p + got, len - got, MSG_DONTWAIT);

		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0)
			return -1;
		raw_pump(ini->loop, 1);
	}
	return got == len ? 0 : -1;
}

/* What raw_recv_pdu returns when it has no whole, sound PDU. */
enum raw_recv {
	RAW_RECV_NONE = -1,	/* no PDU: end of stream, or nothing in time */
	RAW_RECV_SHORT = -2,	/* the PDU stopped part way */
	RAW_RECV_DIGEST = -3,	/* a digest does not match */
	RAW_RECV_TOO_LONG = -4, /* its data segment (padded) exceeds the caller's cap */
};

/*
 * Receives one PDU: its header into bhs, its data segment and padding into
 * data (cap bytes), checking the digests in force. Its data segment
 * length, or an enum raw_recv failure.
 */
static inline int raw_recv_pdu(const struct raw_initiator *ini, uint8_t *bhs, uint8_t *data,
			       size_t cap)
{
	uint8_t dig[ISCSI_DIGEST_LEN];
	uint32_t dlen;

	if (raw_read_full(ini, bhs, ISCSI_BHS_LEN))
		return RAW_RECV_NONE;
	if (ini->hdigest) {
		if (raw_read_full(ini, dig, sizeof(dig)))
			return RAW_RECV_SHORT;
		if (crc32c_get_wire(dig) != crc32c(0, bhs, ISCSI_BHS_LEN))
			return RAW_RECV_DIGEST;
	}
	dlen = iscsi_bhs_dlen(bhs);
	if (iscsi_pad4(dlen) > cap)
		return RAW_RECV_TOO_LONG;
	if (!dlen)
		return 0;
	if (raw_read_full(ini, data, iscsi_pad4(dlen)))
		return RAW_RECV_SHORT;
	if (ini->ddigest) {
		if (raw_read_full(ini, dig, sizeof(dig)))
			return RAW_RECV_SHORT;
		if (crc32c_get_wire(dig) != crc32c(0, data, iscsi_pad4(dlen)))
			return RAW_RECV_DIGEST;
	}
	return (int)dlen;
}

/* True when nothing arrives while the target runs for a while. */
static inline bool raw_quiet(const struct raw_initiator *ini)
{
	uint8_t b;

	raw_pump(ini->loop, 50);
	return recv(ini->fd, &b, 1, MSG_DONTWAIT | MSG_PEEK) < 0 && errno == EAGAIN;
}

/*
 * The end of a test: the initiator hangs up, the target runs until it has
 * seen that, then every connection still open on the thread is closed and
 * the target runs again to let them go.
 */
static inline void raw_hang_up(struct raw_initiator *ini)
{
	if (ini->fd >= 0)
		close(ini->fd);
	ini->fd = -1;
	raw_pump(ini->loop, 100);
	iscsi_close_all();
	raw_pump(ini->loop, 100);
}

#ifdef ck_assert
/*
 * For the Check unit tests (check.h included first): the same, failing the
 * test where the fuzzer would get an error back.
 */

static inline void raw_ck_send(const struct raw_initiator *ini, const uint8_t *bhs,
			       const void *data, uint32_t dlen)
{
	ck_assert_int_eq(raw_send(ini, bhs, data, dlen), 0);
}

/*
 * One whole PDU with sound digests and no more data than cap: its data
 * segment length, or -1 when none came (end of stream, or nothing in time).
 */
static inline int raw_ck_recv(const struct raw_initiator *ini, uint8_t *bhs, uint8_t *data,
			      size_t cap)
{
	int dlen = raw_recv_pdu(ini, bhs, data, cap);

	ck_assert_int_ge(dlen, RAW_RECV_NONE);
	return dlen;
}
#endif

/* ---- a fake of the model's login answers ---- */

/*
 * One target with one TPG (tag 1), as the transport's environment sees it
 * at login: struct iscsi_env's arg points at one. Every initiator may log
 * in with limits, unless status refuses it; SendTargets shows the target
 * at 127.0.0.1:3260. A test changes the fields between steps.
 */
struct raw_target {
	const char *name;
	uint16_t status;	    /* ISCSI_LOGIN_OK, or the login status that refuses */
	struct param_limits limits; /* what a login may negotiate */
	const char *alias;	    /* TargetAlias; NULL: none */
	struct scsi_lu *lu0;	    /* raw_target_session_conf's LUN 0 */
};

/* A target that lets everyone in, with the defaults' limits. */
static inline void raw_target_init(struct raw_target *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->status = ISCSI_LOGIN_OK;
	param_limits_default(&t->limits);
}

/* struct iscsi_env_ops.authorize over a struct raw_target. */
static inline uint16_t raw_target_authorize(void *arg, enum iscsi_session_type type,
					    const char *initiator, const char *target,
					    const struct sockaddr *local, socklen_t locallen,
					    const struct sockaddr *peer, socklen_t peerlen,
					    struct param_limits *limits, uint16_t *tag, char *alias,
					    size_t aliaslen)
{
	const struct raw_target *t = arg;

	(void)type;
	(void)initiator;
	(void)target;
	(void)local;
	(void)locallen;
	(void)peer;
	(void)peerlen;
	*limits = t->limits;
	*tag = 1;
	snprintf(alias, aliaslen, "%s", t->alias ? t->alias : "");
	return t->status;
}

/* struct iscsi_env_ops.sendtargets over a struct raw_target: its name and portal. */
static inline int raw_target_sendtargets(void *arg, const char *initiator,
					 const char *session_target, const struct sockaddr *local,
					 socklen_t locallen, const struct sockaddr *peer,
					 socklen_t peerlen, const char *value, struct text_buf *out)
{
	const struct raw_target *t = arg;

	(void)initiator;
	(void)session_target;
	(void)local;
	(void)locallen;
	(void)peer;
	(void)peerlen;
	(void)value;
	if (text_buf_add(out, "TargetName", t->name))
		return -ENOSPC;
	return text_buf_add(out, "TargetAddress", "127.0.0.1:3260,1") ? -ENOSPC : 0;
}

/*
 * A LUN map of the n entries e, as session_conf hands one over, holding no
 * LU reference (raw_map_release frees it). NULL when out of memory.
 */
static inline struct scsi_lun_map *raw_lun_map(const struct scsi_lun_entry *e, size_t n)
{
	struct scsi_lun_map *map = calloc(1, sizeof(*map) + n * sizeof(map->e[0]));

	if (!map)
		return NULL;
	map->n = n;
	memcpy(map->e, e, n * sizeof(map->e[0]));
	return map;
}

/* struct iscsi_env_ops.session_conf_release for a raw_lun_map. */
static inline void raw_map_release(void *arg, struct iscsi_session_conf *conf)
{
	(void)arg;
	free(conf->map);
	conf->map = NULL;
}

/* struct iscsi_env_ops.session_conf over a struct raw_target: LUN 0 is its lu0, a CmdSN window of 16. */
static inline int raw_target_session_conf(void *arg, const char *initiator, const char *target,
					  uint16_t tag, struct iscsi_session_conf *out)
{
	const struct raw_target *t = arg;
	const struct scsi_lun_entry lun0 = {.lun = 0, .lu = t->lu0};

	(void)initiator;
	(void)target;
	(void)tag;
	out->map = raw_lun_map(&lun0, 1);
	if (!out->map)
		return -ENOMEM;
	memset(&out->attrs, 0, sizeof(out->attrs));
	out->attrs.default_cmdsn_depth = 16;
	return 0;
}

#endif

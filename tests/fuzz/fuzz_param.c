/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key negotiation (target/iscsi/param.c): a sequence of request texts
 * against one struct param_neg, in the stages the input picks.
 *
 * Input: byte 0 and 1 pick the session type and the target's limits (see
 * setup()); the rest is a list of requests separated by 0xff bytes, each
 * starting with a byte that picks its stage (low two bits) and whether the
 * initiator then asks to leave the stage (0x80: param_neg_finish).
 *
 * Checked after every request the negotiation accepts: the answers are
 * well-formed text within their buffer, no key is answered twice in one
 * negotiation, the security stage answers nothing but security keys, and
 * the outcome stays within the RFC's ranges and the target's limits (never
 * an ErrorRecoveryLevel, digest or burst length the target did not offer).
 * After a finish without pending offers: required digests are on and
 * FirstBurstLength <= MaxBurstLength. Every value is also fed to
 * param_parse_number and compared with a reference decoder, and every
 * request to param_scan_names.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "common/util.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/param.h"

#define DSL_MIN 512u
#define DSL_MAX 16777215u

/* RFC 7143 §12: keys that may appear in the security stage (besides the method's). */
static const char *const security_keys[] = {
    "AuthMethod",     "SessionType", "InitiatorName", "TargetName",
    "InitiatorAlias", "TargetAlias", "TargetAddress", "TargetPortalGroupTag",
};

/* Every key param.c knows; a known key is answered at most once per negotiation. */
static const char *const known_keys[] = {
    "AuthMethod",
    "HeaderDigest",
    "DataDigest",
    "MaxConnections",
    "SendTargets",
    "TargetName",
    "InitiatorName",
    "TargetAlias",
    "InitiatorAlias",
    "TargetAddress",
    "TargetPortalGroupTag",
    "InitialR2T",
    "ImmediateData",
    "MaxRecvDataSegmentLength",
    "MaxBurstLength",
    "FirstBurstLength",
    "DefaultTime2Wait",
    "DefaultTime2Retain",
    "MaxOutstandingR2T",
    "DataPDUInOrder",
    "DataSequenceInOrder",
    "ErrorRecoveryLevel",
    "SessionType",
    "IFMarker",
    "OFMarker",
    "IFMarkInt",
    "OFMarkInt",
    "TaskReporting",
    "iSCSIProtocolLevel",
    "RDMAExtensions",
};

static int key_index(const struct text_pair *pair, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (text_key_is(pair, keys[i]))
			return (int)i;
	return -1;
}

static uint32_t clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return MIN(MAX(v, lo), hi);
}

/* The outcome within the RFC's ranges and within what the target offers. */
static void check_params(const struct param_neg *neg)
{
	const struct iscsi_params *p = &neg->params;
	const struct param_limits *l = &neg->limits;

	FUZZ_CHECK(p->max_xmit_dsl >= DSL_MIN && p->max_xmit_dsl <= DSL_MAX, "max_xmit_dsl %u",
		   p->max_xmit_dsl);
	FUZZ_CHECK(p->max_recv_dsl >= DSL_MIN && p->max_recv_dsl <= DSL_MAX, "max_recv_dsl %u",
		   p->max_recv_dsl);
	FUZZ_CHECK(p->max_burst >= DSL_MIN && p->max_burst <= DSL_MAX, "max_burst %u",
		   p->max_burst);
	FUZZ_CHECK(p->first_burst >= DSL_MIN && p->first_burst <= DSL_MAX, "first_burst %u",
		   p->first_burst);
	/* MIN keys: never above the target's value (the RFC default when not negotiated). */
	FUZZ_CHECK(p->max_burst <= MAX(clamp(l->max_burst, DSL_MIN, DSL_MAX), 262144u),
		   "max_burst %u above the target's %u", p->max_burst, l->max_burst);
	FUZZ_CHECK(p->first_burst <= MAX(clamp(l->first_burst, DSL_MIN, DSL_MAX), 65536u),
		   "first_burst %u above the target's %u", p->first_burst, l->first_burst);
	FUZZ_CHECK(p->max_connections >= 1 && p->max_connections <= MAX(l->max_connections, 1u),
		   "max_connections %u (limit %u)", p->max_connections, l->max_connections);
	FUZZ_CHECK(p->max_outstanding_r2t >= 1 &&
		       p->max_outstanding_r2t <= MAX(l->max_outstanding_r2t, 1u),
		   "max_outstanding_r2t %u (limit %u)", p->max_outstanding_r2t,
		   l->max_outstanding_r2t);
	FUZZ_CHECK(p->erl <= MIN(l->max_erl, 2u), "ErrorRecoveryLevel %u above the target's %u",
		   p->erl, l->max_erl);
	FUZZ_CHECK(p->protocol_level <= MIN(l->max_protocol_level, 31u),
		   "iSCSIProtocolLevel %u above the target's %u", p->protocol_level,
		   l->max_protocol_level);
	FUZZ_CHECK(p->default_time2wait <= 3600, "DefaultTime2Wait %u", p->default_time2wait);
	FUZZ_CHECK(p->default_time2retain <= MAX(MIN(l->default_time2retain, 3600u), 20u),
		   "DefaultTime2Retain %u (limit %u)", p->default_time2retain,
		   l->default_time2retain);
	FUZZ_CHECK(!p->header_digest || l->header_digest || l->header_digest_required,
		   "HeaderDigest CRC32C agreed though not allowed");
	FUZZ_CHECK(!p->data_digest || l->data_digest || l->data_digest_required,
		   "DataDigest CRC32C agreed though not allowed");
	FUZZ_CHECK(p->task_reporting == ISCSI_TASK_REPORTING_RFC3720 ||
		       ((l->task_reporting >> p->task_reporting) & 1),
		   "TaskReporting %d not offered", (int)p->task_reporting);
	FUZZ_CHECK(!neg->auth_negotiated || (l->auth_methods & PARAM_AUTH_BIT(neg->auth_method)),
		   "AuthMethod %d agreed though not allowed", (int)neg->auth_method);
	FUZZ_CHECK(memchr(neg->initiator_alias, '\0', sizeof(neg->initiator_alias)),
		   "initiator alias not terminated");
}

/* ---- a reference decoder for RFC 7143 §6.1 numerical values ---- */

static int b64_digit(char c)
{
	const char *set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(set, c) : NULL;

	return p ? (int)(p - set) : -1;
}

/* 0 and *out, or -1: the value is not a number below 2^64 (8 bytes for base64). */
static int ref_number(const char *v, size_t len, uint64_t *out)
{
	unsigned __int128 n = 0;

	if (len >= 3 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		for (size_t i = 2; i < len; i++) {
			char c = v[i];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;

			if (d < 0)
				return -1;
			n = n * 16 + (unsigned)d;
			if (n > UINT64_MAX)
				return -1;
		}
	} else if (len >= 2 && v[0] == '0' && (v[1] == 'b' || v[1] == 'B')) {
		size_t n64 = len - 2, pad = 0, nbytes = 0;
		uint8_t bytes[64];
		uint32_t acc = 0;
		unsigned int bits = 0;

		if (n64 == 0 || n64 % 4)
			return -1;
		while (pad < 2 && v[len - 1 - pad] == '=')
			pad++;
		for (size_t i = 2; i < len - pad; i++) {
			int d = b64_digit(v[i]);

			if (d < 0)
				return -1;
			acc = acc << 6 | (uint32_t)d;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (nbytes == sizeof(bytes))
					return -1;
				bytes[nbytes++] = (uint8_t)(acc >> bits);
				acc &= (1u << bits) - 1;
			}
		}
		if (acc || nbytes > 8)
			return -1;
		for (size_t i = 0; i < nbytes; i++)
			n = n << 8 | bytes[i];
	} else {
		if (len == 0 || (v[0] == '0' && len > 1))
			return -1;
		for (size_t i = 0; i < len; i++) {
			if (v[i] < '0' || v[i] > '9')
				return -1;
			n = n * 10 + (unsigned)(v[i] - '0');
			if (n > UINT64_MAX)
				return -1;
		}
	}
	*out = (uint64_t)n;
	return 0;
}

static void check_number(const char *v, size_t len)
{
	uint64_t got = 0, want = 0;
	int rc = param_parse_number(v, len, &got);
	int ref = ref_number(v, len, &want);

	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ERANGE, "param_parse_number: %d", rc);
	FUZZ_CHECK((rc == 0) == (ref == 0), "'%.*s': param_parse_number %d, reference %d", (int)len,
		   v, rc, ref);
	FUZZ_CHECK(rc != 0 || got == want, "'%.*s': %llu, reference %llu", (int)len, v,
		   (unsigned long long)got, (unsigned long long)want);
}

static void check_names(const uint8_t *p, size_t len)
{
	struct param_names names;
	uint16_t st = param_scan_names(p, len, &names);
	const char *s[2] = {names.initiator, names.target};

	FUZZ_CHECK(st == ISCSI_LOGIN_OK || st == ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED ||
		       st == ISCSI_LOGIN_INITIATOR_ERROR,
		   "param_scan_names: status %04x", st);
	if (st)
		return;
	for (int i = 0; i < 2; i++) {
		size_t n = strnlen(s[i], ISCSI_NAME_MAX + 1);

		FUZZ_CHECK(n <= ISCSI_NAME_MAX, "name not terminated within 223 bytes");
		for (size_t j = 0; j < n; j++)
			FUZZ_CHECK((uint8_t)s[i][j] > 0x20 && s[i][j] != 0x7f, "name byte 0x%02x",
				   (uint8_t)s[i][j]);
	}
	FUZZ_CHECK(names.type != ISCSI_SESSION_DISCOVERY || !names.target[0],
		   "a discovery session kept a target name");
}

/* The answers of one request: well-formed, each known key once per negotiation. */
static void check_answers(const struct text_buf *out, size_t from, enum param_stage stage,
			  bool *answered)
{
	struct text_iter it;
	struct text_pair pair;
	int rc;

	FUZZ_CHECK(out->len <= out->max, "answers past their buffer");
	if (out->len == from)
		return; /* no answer (and maybe no storage yet) */
	FUZZ_CHECK(fuzz_text_well_formed(out->data + from, out->len - from),
		   "malformed answer text");
	text_iter_init(&it, out->data + from, out->len - from);
	while ((rc = text_next(&it, &pair)) == 1) {
		int k = key_index(&pair, known_keys, ARRAY_SIZE(known_keys));

		if (k < 0) {
			FUZZ_CHECK(text_value_is(&pair, "NotUnderstood"),
				   "unknown key '%.*s' answered '%.*s'", (int)pair.key_len,
				   pair.key, (int)pair.value_len, pair.value);
			continue;
		}
		FUZZ_CHECK(!answered[k], "'%s' answered twice in one negotiation", known_keys[k]);
		answered[k] = true;
		if (stage == PARAM_STAGE_SECURITY)
			FUZZ_CHECK(key_index(&pair, security_keys, ARRAY_SIZE(security_keys)) >= 0,
				   "'%s' sent in the security stage", known_keys[k]);
	}
}

static void setup(uint8_t b0, uint8_t b1, struct param_neg *neg, bool *ffp)
{
	struct param_limits l;
	enum iscsi_session_type type = b0 & 0x01 ? ISCSI_SESSION_DISCOVERY : ISCSI_SESSION_NORMAL;

	param_limits_default(&l);
	l.header_digest_required = b0 & 0x02;
	l.data_digest_required = b0 & 0x04;
	if (b0 & 0x08)
		l.header_digest = l.data_digest = false;
	if (b0 & 0x10)
		l.auth_methods |= PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	if (b0 & 0x20)
		l.auth_methods &= ~PARAM_AUTH_BIT(PARAM_AUTH_NONE);
	l.immediate_data = !(b0 & 0x40);
	l.initial_r2t = b1 & 0x80;
	l.first_burst = 512u << (b1 & 7);
	l.max_burst = 512u << ((b1 >> 3) & 7);
	l.max_erl = (b1 >> 6) & 1 ? 2 : 0;
	l.task_reporting |= (b1 & 0x40) ? 1u << ISCSI_TASK_REPORTING_RESPONSE_FENCE : 0;
	*ffp = b0 & 0x80;
	if (*ffp) {
		struct iscsi_params p;

		/* A session as a login left it; only FFP keys may change. */
		param_defaults(&p);
		p.max_recv_dsl = 262144;
		p.max_xmit_dsl = 512u << (b1 & 7);
		param_neg_init_ffp(neg, &p, type);
	} else {
		param_neg_init(neg, &l, type);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool answered[ARRAY_SIZE(known_keys)] = {false};
	struct param_neg neg;
	struct text_buf out;
	size_t off = 2;
	bool ffp;

	if (size < 2)
		return 0;
	setup(data[0], data[1], &neg, &ffp);
	text_buf_init(&out, 65536);

	while (off < size) {
		const uint8_t *end = memchr(data + off, 0xff, size - off);
		size_t len = end ? (size_t)(end - (data + off)) : size - off;
		uint8_t action = len ? data[off] : 0;
		enum param_stage stage =
		    ffp ? PARAM_STAGE_FULL_FEATURE : (enum param_stage)((action & 3) % 3);
		uint8_t *req = malloc(len ? len : 1); /* exact size: ASan sees overreads */
		size_t mark = out.len;
		struct text_iter it;
		struct text_pair pair;
		uint16_t st;
		bool pending;

		if (len)
			memcpy(req, data + off + 1, len - 1);
		off += len + 1;
		check_names(req, len ? len - 1 : 0);
		text_iter_init(&it, req, len ? len - 1 : 0);
		while (text_next(&it, &pair) == 1)
			check_number(pair.value, pair.value_len);

		st = param_neg_request(&neg, stage, req, len ? len - 1 : 0, &out);
		free(req);
		if (st) {
			FUZZ_CHECK(st >> 8 == 2 || st >> 8 == 3, "failure status %04x", st);
			break;
		}
		check_answers(&out, mark, stage, answered);
		check_params(&neg);
		if (stage == PARAM_STAGE_OPERATIONAL)
			FUZZ_CHECK(neg.recv_dsl_declared,
				   "operational stage ended without our MaxRecvDataSegmentLength");
		if (!(action & 0x80) || stage == PARAM_STAGE_FULL_FEATURE)
			continue;
		mark = out.len;
		st = param_neg_finish(&neg, stage, &out, &pending);
		if (st) {
			FUZZ_CHECK(st >> 8 == 2 || st >> 8 == 3, "failure status %04x", st);
			break;
		}
		check_answers(&out, mark, stage, answered);
		check_params(&neg);
		FUZZ_CHECK(!pending || stage == PARAM_STAGE_OPERATIONAL,
			   "offers pending in the security stage");
		if (pending)
			continue;
		FUZZ_CHECK(!neg.limits.header_digest_required || neg.params.header_digest,
			   "finished without a required header digest");
		FUZZ_CHECK(!neg.limits.data_digest_required || neg.params.data_digest,
			   "finished without a required data digest");
		if (neg.type == ISCSI_SESSION_NORMAL &&
		    !(neg.params.initial_r2t && !neg.params.immediate_data))
			FUZZ_CHECK(neg.params.first_burst <= neg.params.max_burst,
				   "FirstBurstLength %u > MaxBurstLength %u",
				   neg.params.first_burst, neg.params.max_burst);
		if (stage == PARAM_STAGE_OPERATIONAL)
			break; /* full feature phase: this negotiation is over */
	}
	text_buf_fini(&out);
	return 0;
}

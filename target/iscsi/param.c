/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Login and text key negotiation (RFC 7143 §6.2, §12, §13; RFC 7144 §2.1).
 * Pure: no I/O, no logging.
 *
 * The target is always the responder for what the initiator offers; it
 * offers keys itself only at the end of the operational stage, and only
 * where the RFC default is something it cannot live with (ImmediateData,
 * a smaller FirstBurstLength, a required digest). Everything else keeps
 * its default when the initiator does not negotiate it, and a Rejected key
 * keeps its default too: the target must be able to run on RFC defaults.
 */
#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/param.h"

#define ST_SEC (1u << PARAM_STAGE_SECURITY)
#define ST_OP (1u << PARAM_STAGE_OPERATIONAL)
#define ST_FFP (1u << PARAM_STAGE_FULL_FEATURE)

#define PARAM_DSL_MIN 512u /* RFC 7143 §13.12-§13.14: 512 to 2^24-1 */
#define PARAM_DSL_MAX 16777215u
#define PARAM_LOGIN_DSL 8192u /* RFC 7143 §13.12: MaxRecvDataSegmentLength default */

/* How a key's outcome is computed (RFC 7143 §6.2). */
enum param_rule {
	PARAM_RULE_LIST,     /* §6.2.1: first value of the initiator's list the target accepts */
	PARAM_RULE_AND,	     /* §6.2.2: Boolean AND */
	PARAM_RULE_OR,	     /* §6.2.2: Boolean OR */
	PARAM_RULE_MIN,	     /* §6.2.2: numerical minimum */
	PARAM_RULE_MAX,	     /* §6.2.2: numerical maximum */
	PARAM_RULE_DECLARE,  /* §6.2: declarative, not answered */
	PARAM_RULE_OBSOLETE, /* §13.25: answered Reject */
	PARAM_RULE_TARGET_ONLY, /* only the target may send it */
	PARAM_RULE_CALLER,	/* answered by the layer above (SendTargets) */
};

struct param_def {
	const char *name;
	enum param_rule rule;
	unsigned int stages;	   /* stages in which the initiator may send it */
	bool discovery_irrelevant; /* "Irrelevant when: SessionType=Discovery" */
	uint32_t min, max;	   /* numerical range */
};

/*
 * RFC 7143 §12 (first paragraph): in the security stage only SessionType,
 * the names, aliases, TargetAddress, TargetPortalGroupTag, AuthMethod and
 * the method's keys may be used. §13: "Use: IO/LO" keys belong to the
 * login, "ALL" keys also to full feature phase, "FFPO" keys only there.
 */
/* clang-format off */
static const struct param_def param_defs[PARAM_KEY_COUNT] = {
	[PARAM_KEY_AUTH_METHOD] = { "AuthMethod", PARAM_RULE_LIST, ST_SEC, false, 0, 0 },
	[PARAM_KEY_HEADER_DIGEST] = { "HeaderDigest", PARAM_RULE_LIST, ST_OP, false, 0, 0 },
	[PARAM_KEY_DATA_DIGEST] = { "DataDigest", PARAM_RULE_LIST, ST_OP, false, 0, 0 },
	[PARAM_KEY_MAX_CONNECTIONS] = { "MaxConnections", PARAM_RULE_MIN, ST_OP, true, 1, 65535 },
	[PARAM_KEY_SEND_TARGETS] = { "SendTargets", PARAM_RULE_CALLER, ST_FFP, false, 0, 0 },
	[PARAM_KEY_TARGET_NAME] = { "TargetName", PARAM_RULE_DECLARE, ST_SEC | ST_OP, false, 0,
				    0 },
	[PARAM_KEY_INITIATOR_NAME] = { "InitiatorName", PARAM_RULE_DECLARE, ST_SEC | ST_OP, false,
				       0, 0 },
	[PARAM_KEY_TARGET_ALIAS] = { "TargetAlias", PARAM_RULE_TARGET_ONLY, 0, false, 0, 0 },
	[PARAM_KEY_INITIATOR_ALIAS] = { "InitiatorAlias", PARAM_RULE_DECLARE,
					ST_SEC | ST_OP | ST_FFP, false, 0, 0 },
	[PARAM_KEY_TARGET_ADDRESS] = { "TargetAddress", PARAM_RULE_TARGET_ONLY, 0, false, 0, 0 },
	[PARAM_KEY_TARGET_PORTAL_GROUP_TAG] = { "TargetPortalGroupTag", PARAM_RULE_TARGET_ONLY, 0,
						false, 0, 0 },
	[PARAM_KEY_INITIAL_R2T] = { "InitialR2T", PARAM_RULE_OR, ST_OP, true, 0, 0 },
	[PARAM_KEY_IMMEDIATE_DATA] = { "ImmediateData", PARAM_RULE_AND, ST_OP, true, 0, 0 },
	[PARAM_KEY_MAX_RECV_DSL] = { "MaxRecvDataSegmentLength", PARAM_RULE_DECLARE,
				     ST_OP | ST_FFP, false, PARAM_DSL_MIN, PARAM_DSL_MAX },
	[PARAM_KEY_MAX_BURST] = { "MaxBurstLength", PARAM_RULE_MIN, ST_OP, true, PARAM_DSL_MIN,
				  PARAM_DSL_MAX },
	[PARAM_KEY_FIRST_BURST] = { "FirstBurstLength", PARAM_RULE_MIN, ST_OP, true,
				    PARAM_DSL_MIN, PARAM_DSL_MAX },
	[PARAM_KEY_DEFAULT_TIME2WAIT] = { "DefaultTime2Wait", PARAM_RULE_MAX, ST_OP, false, 0,
					  3600 },
	[PARAM_KEY_DEFAULT_TIME2RETAIN] = { "DefaultTime2Retain", PARAM_RULE_MIN, ST_OP, false, 0,
					    3600 },
	[PARAM_KEY_MAX_OUTSTANDING_R2T] = { "MaxOutstandingR2T", PARAM_RULE_MIN, ST_OP, true, 1,
					    65535 },
	[PARAM_KEY_DATA_PDU_IN_ORDER] = { "DataPDUInOrder", PARAM_RULE_OR, ST_OP, true, 0, 0 },
	[PARAM_KEY_DATA_SEQUENCE_IN_ORDER] = { "DataSequenceInOrder", PARAM_RULE_OR, ST_OP, true,
					       0, 0 },
	[PARAM_KEY_ERL] = { "ErrorRecoveryLevel", PARAM_RULE_MIN, ST_OP, false, 0, 2 },
	[PARAM_KEY_SESSION_TYPE] = { "SessionType", PARAM_RULE_DECLARE, ST_SEC | ST_OP, false, 0,
				     0 },
	[PARAM_KEY_IF_MARKER] = { "IFMarker", PARAM_RULE_OBSOLETE, ST_OP, false, 0, 0 },
	[PARAM_KEY_OF_MARKER] = { "OFMarker", PARAM_RULE_OBSOLETE, ST_OP, false, 0, 0 },
	[PARAM_KEY_IF_MARK_INT] = { "IFMarkInt", PARAM_RULE_OBSOLETE, ST_OP, false, 0, 0 },
	[PARAM_KEY_OF_MARK_INT] = { "OFMarkInt", PARAM_RULE_OBSOLETE, ST_OP, false, 0, 0 },
	[PARAM_KEY_TASK_REPORTING] = { "TaskReporting", PARAM_RULE_LIST, ST_OP, true, 0, 0 },
	/* RFC 7144 §2.1: numerical 0..31, minimum, irrelevant to discovery. */
	[PARAM_KEY_PROTOCOL_LEVEL] = { "iSCSIProtocolLevel", PARAM_RULE_MIN, ST_OP, true, 0, 31 },
	/* RFC 7145 §6.3.1 (iSER): Boolean AND; over TCP the answer is No. */
	[PARAM_KEY_RDMA_EXTENSIONS] = { "RDMAExtensions", PARAM_RULE_AND, ST_OP, false, 0, 0 },
};
/* clang-format on */

void param_defaults(struct iscsi_params *p)
{
	/* RFC 7143 §13.1-§13.24, each key's "Default is". */
	p->header_digest = false;
	p->data_digest = false;
	p->max_connections = 1;
	p->initial_r2t = true;
	p->immediate_data = true;
	p->max_recv_dsl = PARAM_LOGIN_DSL;
	p->max_xmit_dsl = PARAM_LOGIN_DSL;
	p->max_burst = 262144;
	p->first_burst = 65536;
	p->default_time2wait = 2;
	p->default_time2retain = 20;
	p->max_outstanding_r2t = 1;
	p->data_pdu_in_order = true;
	p->data_sequence_in_order = true;
	p->erl = 0;
	p->protocol_level = 0; /* RFC 7144 §2.1 */
	p->task_reporting = ISCSI_TASK_REPORTING_RFC3720;
}

void param_limits_default(struct param_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->max_recv_dsl = 262144;
	l->max_burst = 1048576;
	l->first_burst = 65536;
	l->max_outstanding_r2t = 8;
	l->max_connections = 1;
	l->max_erl = 0;
	l->initial_r2t = false;
	l->immediate_data = true;
	l->header_digest = true;
	l->data_digest = true;
	l->default_time2wait = 2;
	l->default_time2retain = 20;
	l->max_protocol_level = 1; /* RFC 7143 §13.24: this document's level */
	l->auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_NONE);
	l->task_reporting = 1u << ISCSI_TASK_REPORTING_RFC3720;
}

/* ---- values ---- */

int param_parse_number(const char *v, size_t len, uint64_t *out)
{
	uint64_t n = 0;

	if (len == 0)
		return -EINVAL;
	if (len >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		/* RFC 7143 §6.1: hex-constant, "0x" and one or more hex digits. */
		if (len == 2)
			return -EINVAL;
		for (size_t i = 2; i < len; i++) {
			int d = hex_digit(v[i]);

			if (d < 0)
				return -EINVAL;
			if (n >> 60)
				return -ERANGE;
			n = n << 4 | (uint64_t)d;
		}
	} else if (len >= 2 && v[0] == '0' && (v[1] == 'b' || v[1] == 'B')) {
		/*
		 * RFC 7143 §6.1: base64-constant, "0b" and RFC 4648 base64
		 * in groups of four; the bytes are the number, big-endian.
		 */
		uint8_t bytes[sizeof(n)];
		size_t nbytes;
		int rc = text_b64_decode(v + 2, len - 2, bytes, sizeof(bytes), &nbytes);

		if (rc)
			return rc == -E2BIG ? -ERANGE : rc;
		for (size_t i = 0; i < nbytes; i++)
			n = n << 8 | bytes[i];
	} else {
		/* RFC 7143 §6.1: decimal-constant, no leading zeros but "0" itself. */
		if (v[0] == '0' && len > 1)
			return -EINVAL;
		for (size_t i = 0; i < len; i++) {
			uint64_t d;

			if (v[i] < '0' || v[i] > '9')
				return -EINVAL;
			d = (uint64_t)(v[i] - '0');
			if (n > (UINT64_MAX - d) / 10)
				return -ERANGE;
			n = n * 10 + d;
		}
	}
	*out = n;
	return 0;
}

/* Yes/No (RFC 7143 §6.1 boolean-value): 0, or -EINVAL. */
static int param_parse_bool(const struct text_pair *pair, bool *out)
{
	if (text_value_is(pair, "Yes"))
		*out = true;
	else if (text_value_is(pair, "No"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

/* RFC 7143 §6.2: constants that may answer a key but never be proposed. */
static bool param_is_answer_constant(const struct text_pair *pair)
{
	return text_value_is(pair, "Reject") || text_value_is(pair, "Irrelevant") ||
	       text_value_is(pair, "NotUnderstood");
}

/*
 * A name as the initiator declares it (RFC 7143 §4.2.7): 1 to 223 bytes, no
 * space or control character. Whether the name is well formed beyond that
 * is the ACL's business: a name nobody configured matches nothing.
 */
static bool param_name_ok(const struct text_pair *pair)
{
	if (pair->value_len == 0 || pair->value_len > ISCSI_NAME_MAX)
		return false;
	for (size_t i = 0; i < pair->value_len; i++) {
		uint8_t c = (uint8_t)pair->value[i];

		if (c <= 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

static int param_key_lookup(const struct text_pair *pair)
{
	for (int k = 0; k < PARAM_KEY_COUNT; k++)
		if (text_key_is(pair, param_defs[k].name))
			return k;
	return -1;
}

/* ---- the outcome fields ---- */

static uint32_t *param_num_field(struct iscsi_params *p, enum param_key k)
{
	switch (k) {
	case PARAM_KEY_MAX_CONNECTIONS:
		return &p->max_connections;
	case PARAM_KEY_MAX_BURST:
		return &p->max_burst;
	case PARAM_KEY_FIRST_BURST:
		return &p->first_burst;
	case PARAM_KEY_DEFAULT_TIME2WAIT:
		return &p->default_time2wait;
	case PARAM_KEY_DEFAULT_TIME2RETAIN:
		return &p->default_time2retain;
	case PARAM_KEY_MAX_OUTSTANDING_R2T:
		return &p->max_outstanding_r2t;
	case PARAM_KEY_ERL:
		return &p->erl;
	case PARAM_KEY_PROTOCOL_LEVEL:
		return &p->protocol_level;
	default:
		return NULL;
	}
}

/* The target's side of a numerical key, within the key's range. */
static uint32_t param_num_ours(const struct param_neg *neg, enum param_key k)
{
	const struct param_limits *l = &neg->limits;
	uint32_t v;

	switch (k) {
	case PARAM_KEY_MAX_CONNECTIONS:
		v = l->max_connections;
		break;
	case PARAM_KEY_MAX_BURST:
		v = l->max_burst;
		break;
	case PARAM_KEY_FIRST_BURST:
		v = l->first_burst;
		break;
	case PARAM_KEY_DEFAULT_TIME2WAIT:
		v = l->default_time2wait;
		break;
	case PARAM_KEY_DEFAULT_TIME2RETAIN:
		v = l->default_time2retain;
		break;
	case PARAM_KEY_MAX_OUTSTANDING_R2T:
		v = l->max_outstanding_r2t;
		break;
	case PARAM_KEY_ERL:
		v = l->max_erl;
		break;
	case PARAM_KEY_PROTOCOL_LEVEL:
		v = l->max_protocol_level;
		break;
	default:
		v = 0;
		break;
	}
	return MIN(MAX(v, param_defs[k].min), param_defs[k].max);
}

static bool *param_bool_field(struct iscsi_params *p, enum param_key k)
{
	switch (k) {
	case PARAM_KEY_INITIAL_R2T:
		return &p->initial_r2t;
	case PARAM_KEY_IMMEDIATE_DATA:
		return &p->immediate_data;
	case PARAM_KEY_DATA_PDU_IN_ORDER:
		return &p->data_pdu_in_order;
	case PARAM_KEY_DATA_SEQUENCE_IN_ORDER:
		return &p->data_sequence_in_order;
	default:
		return NULL; /* RDMAExtensions: no outcome to keep */
	}
}

static bool param_bool_ours(const struct param_neg *neg, enum param_key k)
{
	switch (k) {
	case PARAM_KEY_INITIAL_R2T:
		return neg->limits.initial_r2t;
	case PARAM_KEY_IMMEDIATE_DATA:
		return neg->limits.immediate_data;
	case PARAM_KEY_DATA_PDU_IN_ORDER:
	case PARAM_KEY_DATA_SEQUENCE_IN_ORDER:
		/* The target takes data in order: OR with our Yes is Yes. */
		return true;
	default:
		return false; /* RDMAExtensions: no iSER over TCP */
	}
}

/* ---- lists (RFC 7143 §6.2.1) ---- */

/*
 * Whether the target accepts value v (len bytes) for list key k; if so,
 * *code gets what it means (a bool for digests, the enum otherwise).
 */
static bool param_list_accepts(const struct param_neg *neg, enum param_key k, const char *v,
			       size_t len, int *code)
{
	const struct param_limits *l = &neg->limits;

#define IS(s) (len == sizeof(s) - 1 && !memcmp(v, s, len))
	switch (k) {
	case PARAM_KEY_HEADER_DIGEST:
	case PARAM_KEY_DATA_DIGEST: {
		bool allowed = k == PARAM_KEY_HEADER_DIGEST ? l->header_digest : l->data_digest;
		bool required = k == PARAM_KEY_HEADER_DIGEST ? l->header_digest_required
							     : l->data_digest_required;

		if (IS("CRC32C") && (allowed || required)) {
			*code = 1;
			return true;
		}
		if (IS("None") && !required) {
			*code = 0;
			return true;
		}
		return false;
	}
	case PARAM_KEY_AUTH_METHOD:
		/* RFC 7143 §12.1: KRB5, SPKM1, SPKM2, SRP, CHAP, None; we do CHAP and None. */
		if (IS("None") && (l->auth_methods & PARAM_AUTH_BIT(PARAM_AUTH_NONE))) {
			*code = PARAM_AUTH_NONE;
			return true;
		}
		if (IS("CHAP") && (l->auth_methods & PARAM_AUTH_BIT(PARAM_AUTH_CHAP))) {
			*code = PARAM_AUTH_CHAP;
			return true;
		}
		return false;
	case PARAM_KEY_TASK_REPORTING:
		/* RFC 7143 §13.23. */
		if (IS("RFC3720"))
			*code = ISCSI_TASK_REPORTING_RFC3720;
		else if (IS("ResponseFence"))
			*code = ISCSI_TASK_REPORTING_RESPONSE_FENCE;
		else if (IS("FastAbort"))
			*code = ISCSI_TASK_REPORTING_FAST_ABORT;
		else
			return false;
		return (l->task_reporting >> *code) & 1;
	default:
		return false;
	}
#undef IS
}

static void param_list_apply(struct param_neg *neg, enum param_key k, int code)
{
	switch (k) {
	case PARAM_KEY_HEADER_DIGEST:
		neg->params.header_digest = code;
		break;
	case PARAM_KEY_DATA_DIGEST:
		neg->params.data_digest = code;
		break;
	case PARAM_KEY_AUTH_METHOD:
		neg->auth_method = (enum param_auth_method)code;
		neg->auth_negotiated = true;
		break;
	case PARAM_KEY_TASK_REPORTING:
		neg->params.task_reporting = (enum iscsi_task_reporting)code;
		break;
	default:
		break;
	}
}

/* ---- answers ---- */

static uint16_t param_emit(struct text_buf *out, const char *key, const char *value)
{
	return text_buf_add(out, key, value) ? ISCSI_LOGIN_OUT_OF_RESOURCES : ISCSI_LOGIN_OK;
}

static uint16_t param_emit_num(struct text_buf *out, const char *key, uint32_t v)
{
	return text_buf_addf(out, key, "%u", v) ? ISCSI_LOGIN_OUT_OF_RESOURCES : ISCSI_LOGIN_OK;
}

/* Answers the unknown key of pair with NotUnderstood, under its own name. */
static uint16_t param_not_understood(const struct text_pair *pair, struct text_buf *out)
{
	char key[TEXT_KEY_MAX + 1];

	memcpy(key, pair->key, pair->key_len);
	key[pair->key_len] = '\0';
	return param_emit(out, key, "NotUnderstood");
}

static uint16_t param_offer_list(struct param_neg *neg, enum param_key k,
				 const struct text_pair *pair, struct text_buf *out)
{
	const char *v = pair->value, *end = pair->value + pair->value_len;

	/* RFC 7143 §6.2.1: the first value of the list that the target supports. */
	while (v <= end) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		size_t len = comma ? (size_t)(comma - v) : (size_t)(end - v);
		int code;

		/* §6.1: each value is at most 255 bytes; longer ones are not understood. */
		if (len && len <= TEXT_VALUE_MAX && param_list_accepts(neg, k, v, len, &code)) {
			char chosen[TEXT_VALUE_MAX + 1];

			memcpy(chosen, v, len);
			chosen[len] = '\0';
			param_list_apply(neg, k, code);
			return param_emit(out, param_defs[k].name, chosen);
		}
		if (!comma)
			break;
		v = comma + 1;
	}
	/*
	 * §6.2.1: none acceptable, so Reject. A required digest cannot be had
	 * without CRC32C, so that login ends here (§13.1 leaves refusing the
	 * connection to the target's policy; no status detail fits better).
	 */
	if ((k == PARAM_KEY_HEADER_DIGEST && neg->limits.header_digest_required) ||
	    (k == PARAM_KEY_DATA_DIGEST && neg->limits.data_digest_required))
		return ISCSI_LOGIN_INITIATOR_ERROR;
	return param_emit(out, param_defs[k].name, "Reject");
}

static uint16_t param_offer_bool(struct param_neg *neg, enum param_key k,
				 const struct text_pair *pair, struct text_buf *out)
{
	bool theirs, res, *field;

	/* §6.2.2: a value outside the key's values may be answered with Reject. */
	if (param_parse_bool(pair, &theirs))
		return param_emit(out, param_defs[k].name, "Reject");
	if (param_defs[k].rule == PARAM_RULE_AND)
		res = theirs && param_bool_ours(neg, k);
	else
		res = theirs || param_bool_ours(neg, k);
	field = param_bool_field(&neg->params, k);
	if (field)
		*field = res;
	/*
	 * §6.2.2 makes the answer optional when the offer decides the outcome
	 * (AND with No, OR with Yes); answering anyway keeps initiators that
	 * wait for every answer happy.
	 */
	return param_emit(out, param_defs[k].name, res ? "Yes" : "No");
}

static uint16_t param_offer_num(struct param_neg *neg, enum param_key k,
				const struct text_pair *pair, struct text_buf *out)
{
	const struct param_def *d = &param_defs[k];
	uint32_t ours, res;
	uint64_t v;

	/*
	 * §6.2.2: a value outside the key's range may be answered with Reject
	 * (the key keeps its default), rather than with a value the initiator
	 * would have to take as a violation of the result function.
	 */
	if (param_parse_number(pair->value, pair->value_len, &v) || v < d->min || v > d->max)
		return param_emit(out, d->name, "Reject");
	ours = param_num_ours(neg, k);
	res = d->rule == PARAM_RULE_MIN ? MIN((uint32_t)v, ours) : MAX((uint32_t)v, ours);
	*param_num_field(&neg->params, k) = res;
	return param_emit_num(out, d->name, res);
}

/*
 * The initiator's answer to a key the target offered (RFC 7143 §6.2): the
 * value must be one the result function allows; Reject, Irrelevant and
 * NotUnderstood leave the key at its default.
 */
static uint16_t param_answer(struct param_neg *neg, enum param_key k, const struct text_pair *pair)
{
	const struct param_def *d = &param_defs[k];

	neg->offered &= ~PARAM_KEY_BIT(k);
	if (param_is_answer_constant(pair)) {
		/* A required digest the initiator will not do ends the login (see above). */
		if ((k == PARAM_KEY_HEADER_DIGEST && neg->limits.header_digest_required) ||
		    (k == PARAM_KEY_DATA_DIGEST && neg->limits.data_digest_required))
			return ISCSI_LOGIN_INITIATOR_ERROR;
		return ISCSI_LOGIN_OK;
	}
	switch (d->rule) {
	case PARAM_RULE_LIST: {
		int code;

		/* The target offers a single value: the answer is that value. */
		if (!param_list_accepts(neg, k, pair->value, pair->value_len, &code))
			return ISCSI_LOGIN_INITIATOR_ERROR;
		param_list_apply(neg, k, code);
		return ISCSI_LOGIN_OK;
	}
	case PARAM_RULE_AND:
	case PARAM_RULE_OR: {
		bool theirs, ours = param_bool_ours(neg, k), *field;

		if (param_parse_bool(pair, &theirs))
			return ISCSI_LOGIN_INITIATOR_ERROR;
		/* AND with our No cannot be Yes; OR with our Yes cannot be No. */
		if (d->rule == PARAM_RULE_AND && !ours && theirs)
			return ISCSI_LOGIN_INITIATOR_ERROR;
		if (d->rule == PARAM_RULE_OR && ours && !theirs)
			return ISCSI_LOGIN_INITIATOR_ERROR;
		field = param_bool_field(&neg->params, k);
		if (field)
			*field = theirs;
		return ISCSI_LOGIN_OK;
	}
	case PARAM_RULE_MIN:
	case PARAM_RULE_MAX: {
		uint32_t offered = k == PARAM_KEY_FIRST_BURST ? (uint32_t)neg->first_burst_offer
							      : param_num_ours(neg, k);
		uint64_t v;

		if (param_parse_number(pair->value, pair->value_len, &v) || v < d->min ||
		    v > d->max)
			return ISCSI_LOGIN_INITIATOR_ERROR;
		if ((d->rule == PARAM_RULE_MIN && v > offered) ||
		    (d->rule == PARAM_RULE_MAX && v < offered))
			return ISCSI_LOGIN_INITIATOR_ERROR;
		*param_num_field(&neg->params, k) = (uint32_t)v;
		return ISCSI_LOGIN_OK;
	}
	default:
		return ISCSI_LOGIN_INITIATOR_ERROR;
	}
}

static uint16_t param_declare(struct param_neg *neg, enum param_key k, const struct text_pair *pair)
{
	uint64_t v;

	switch (k) {
	case PARAM_KEY_INITIATOR_NAME:
		/* RFC 7143 §13.5. */
		return param_name_ok(pair) ? ISCSI_LOGIN_OK : ISCSI_LOGIN_INITIATOR_ERROR;
	case PARAM_KEY_TARGET_NAME:
		/* RFC 7143 §13.4: what a discovery session says here is of no consequence. */
		if (neg->type == ISCSI_SESSION_DISCOVERY || param_name_ok(pair))
			return ISCSI_LOGIN_OK;
		return ISCSI_LOGIN_INITIATOR_ERROR;
	case PARAM_KEY_SESSION_TYPE:
		/* RFC 7143 §13.21: Discovery or Normal, and the login already took it. */
		if (text_value_is(pair, "Normal"))
			return neg->type == ISCSI_SESSION_NORMAL ? ISCSI_LOGIN_OK
								 : ISCSI_LOGIN_INITIATOR_ERROR;
		if (text_value_is(pair, "Discovery"))
			return neg->type == ISCSI_SESSION_DISCOVERY ? ISCSI_LOGIN_OK
								    : ISCSI_LOGIN_INITIATOR_ERROR;
		return ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED;
	case PARAM_KEY_INITIATOR_ALIAS:
		/* RFC 7143 §13.7: a UTF-8 local name of at most 255 bytes. */
		if (text_value_copy(pair, neg->initiator_alias, sizeof(neg->initiator_alias)))
			return ISCSI_LOGIN_INITIATOR_ERROR;
		return ISCSI_LOGIN_OK;
	case PARAM_KEY_MAX_RECV_DSL:
		/*
		 * RFC 7143 §13.12: 512 to 2^24-1. A declaration cannot be
		 * Rejected into something usable: without a valid value the
		 * target cannot know what it may send, so the login fails.
		 */
		if (param_parse_number(pair->value, pair->value_len, &v) || v < PARAM_DSL_MIN ||
		    v > PARAM_DSL_MAX)
			return ISCSI_LOGIN_INITIATOR_ERROR;
		neg->params.max_xmit_dsl = (uint32_t)v;
		return ISCSI_LOGIN_OK;
	default:
		return ISCSI_LOGIN_INITIATOR_ERROR;
	}
}

/* ---- the negotiation ---- */

void param_neg_init(struct param_neg *neg, const struct param_limits *limits,
		    enum iscsi_session_type type)
{
	memset(neg, 0, sizeof(*neg));
	neg->limits = *limits;
	neg->type = type;
	param_defaults(&neg->params);
	neg->auth_method = PARAM_AUTH_NONE;
}

void param_neg_init_ffp(struct param_neg *neg, const struct iscsi_params *params,
			enum iscsi_session_type type)
{
	memset(neg, 0, sizeof(*neg));
	param_limits_default(&neg->limits);
	neg->type = type;
	neg->params = *params;
	/* §6.4: our MaxRecvDataSegmentLength was declared at login and stands. */
	neg->recv_dsl_declared = true;
	neg->auth_method = PARAM_AUTH_NONE;
}

uint16_t param_neg_pair(struct param_neg *neg, enum param_stage stage, const struct text_pair *pair,
			struct text_buf *out)
{
	const struct param_def *d;
	int k;

	k = param_key_lookup(pair);
	if (k < 0) {
		/*
		 * RFC 7143 §12.1.3: CHAP keys reach the negotiation only when
		 * CHAP is not the method being run: out of place.
		 */
		if (pair->key_len > 5 && !memcmp(pair->key, "CHAP_", 5))
			return ISCSI_LOGIN_INITIATOR_ERROR;
		/* §6.2, §13.22: X-, X# and unknown keys are answered NotUnderstood. */
		return param_not_understood(pair, out);
	}
	d = &param_defs[k];
	/*
	 * §6.2: a key is negotiated or declared once per negotiation; the
	 * target answers a second one with a login reject (initiator error).
	 */
	if (neg->received & PARAM_KEY_BIT(k))
		return ISCSI_LOGIN_INITIATOR_ERROR;
	neg->received |= PARAM_KEY_BIT(k);
	if (neg->offered & PARAM_KEY_BIT(k))
		return param_answer(neg, (enum param_key)k, pair);
	/* §13.6, §13.8, §13.9: keys only the target sends. */
	if (d->rule == PARAM_RULE_TARGET_ONLY)
		return ISCSI_LOGIN_INITIATOR_ERROR;
	/* §12, §13 "Use": the key is out of place in this stage. */
	if (!(d->stages & (1u << stage)))
		return ISCSI_LOGIN_INITIATOR_ERROR;
	/* §6.2: Reject, Irrelevant and NotUnderstood are never proposed values. */
	if (param_is_answer_constant(pair))
		return ISCSI_LOGIN_INITIATOR_ERROR;
	if (neg->type == ISCSI_SESSION_DISCOVERY && d->discovery_irrelevant)
		return param_emit(out, d->name, "Irrelevant");

	switch (d->rule) {
	case PARAM_RULE_LIST:
		return param_offer_list(neg, (enum param_key)k, pair, out);
	case PARAM_RULE_AND:
	case PARAM_RULE_OR:
		return param_offer_bool(neg, (enum param_key)k, pair, out);
	case PARAM_RULE_MIN:
	case PARAM_RULE_MAX:
		if (k == PARAM_KEY_FIRST_BURST) {
			uint64_t v;

			/*
			 * §13.14: FirstBurstLength must not exceed MaxBurstLength and
			 * is irrelevant when InitialR2T=Yes and ImmediateData=No; all
			 * three may come in one request in any order, so the answer
			 * waits for the end of the request (param_neg_end).
			 */
			neg->first_burst_pending = true;
			neg->first_burst_invalid =
			    param_parse_number(pair->value, pair->value_len, &v) || v < d->min ||
			    v > d->max;
			neg->first_burst_offer = neg->first_burst_invalid ? 0 : v;
			return ISCSI_LOGIN_OK;
		}
		return param_offer_num(neg, (enum param_key)k, pair, out);
	case PARAM_RULE_DECLARE:
		return param_declare(neg, (enum param_key)k, pair);
	case PARAM_RULE_OBSOLETE:
		/*
		 * §13.25: IFMarker and OFMarker SHOULD be answered Reject (No
		 * is allowed); IFMarkInt and OFMarkInt MUST be.
		 */
		return param_emit(out, d->name, "Reject");
	case PARAM_RULE_CALLER:
	case PARAM_RULE_TARGET_ONLY:
		break;
	}
	/* §13.3: SendTargets is FFP-only, and there its caller answers it. */
	return ISCSI_LOGIN_INITIATOR_ERROR;
}

/* §13.14: whether FirstBurstLength means anything with the outcome so far. */
static bool param_first_burst_relevant(const struct iscsi_params *p)
{
	return !(p->initial_r2t && !p->immediate_data);
}

static uint16_t param_declare_recv_dsl(struct param_neg *neg, struct text_buf *out)
{
	uint32_t v = MIN(MAX(neg->limits.max_recv_dsl, PARAM_DSL_MIN), PARAM_DSL_MAX);
	uint16_t st;

	/*
	 * RFC 7143 §13.12: declarative; until it is declared the initiator may
	 * send up to 8192 bytes, so what we accept only changes once it is out.
	 */
	st = param_emit_num(out, "MaxRecvDataSegmentLength", v);
	if (st)
		return st;
	neg->params.max_recv_dsl = v;
	neg->recv_dsl_declared = true;
	return ISCSI_LOGIN_OK;
}

uint16_t param_neg_end(struct param_neg *neg, enum param_stage stage, struct text_buf *out)
{
	const char *name = param_defs[PARAM_KEY_FIRST_BURST].name;
	uint16_t st;

	if (neg->first_burst_pending) {
		neg->first_burst_pending = false;
		if (!param_first_burst_relevant(&neg->params)) {
			st = param_emit(out, name, "Irrelevant");
		} else if (neg->first_burst_invalid) {
			st = param_emit(out, name, "Reject");
		} else {
			uint32_t res = MIN((uint32_t)neg->first_burst_offer,
					   param_num_ours(neg, PARAM_KEY_FIRST_BURST));

			/* §13.14: never above MaxBurstLength as it stands. */
			res = MIN(res, neg->params.max_burst);
			neg->params.first_burst = res;
			st = param_emit_num(out, name, res);
		}
		if (st)
			return st;
	}
	/* §6.2: every key the target offered needs the initiator's answer in its next request. */
	if (neg->offered)
		return ISCSI_LOGIN_INITIATOR_ERROR;
	if (stage == PARAM_STAGE_OPERATIONAL && !neg->recv_dsl_declared)
		return param_declare_recv_dsl(neg, out);
	return ISCSI_LOGIN_OK;
}

uint16_t param_neg_request(struct param_neg *neg, enum param_stage stage, const uint8_t *p,
			   size_t len, struct text_buf *out)
{
	struct text_iter it;
	struct text_pair pair;
	uint16_t st;
	int rc;

	text_iter_init(&it, p, len);
	while ((rc = text_next(&it, &pair)) == 1) {
		st = param_neg_pair(neg, stage, &pair, out);
		if (st)
			return st;
	}
	if (rc < 0)
		return ISCSI_LOGIN_INITIATOR_ERROR; /* §6.1: malformed text */
	return param_neg_end(neg, stage, out);
}

/* Offers key=value (the target's own proposal); the initiator answers in its next request. */
static uint16_t param_offer(struct param_neg *neg, enum param_key k, const char *value,
			    struct text_buf *out)
{
	uint16_t st = param_emit(out, param_defs[k].name, value);

	if (st)
		return st;
	neg->offered |= PARAM_KEY_BIT(k);
	neg->offers_made |= PARAM_KEY_BIT(k);
	return ISCSI_LOGIN_OK;
}

/* Whether the target may still offer k: neither side has negotiated it yet. */
static bool param_may_offer(const struct param_neg *neg, enum param_key k)
{
	return !((neg->received | neg->offers_made) & PARAM_KEY_BIT(k));
}

uint16_t param_neg_finish(struct param_neg *neg, enum param_stage stage, struct text_buf *out,
			  bool *pending)
{
	struct iscsi_params *p = &neg->params;
	uint16_t st;

	*pending = false;
	/* RFC 7143 §12: nothing but security keys may go out in the security stage. */
	if (stage == PARAM_STAGE_OPERATIONAL) {
		if (!neg->recv_dsl_declared) {
			st = param_declare_recv_dsl(neg, out);
			if (st)
				return st;
		}
		/* §13.1: a required digest the initiator did not bring up. */
		if (neg->limits.header_digest_required &&
		    param_may_offer(neg, PARAM_KEY_HEADER_DIGEST)) {
			st = param_offer(neg, PARAM_KEY_HEADER_DIGEST, "CRC32C", out);
			if (st)
				return st;
		}
		if (neg->limits.data_digest_required &&
		    param_may_offer(neg, PARAM_KEY_DATA_DIGEST)) {
			st = param_offer(neg, PARAM_KEY_DATA_DIGEST, "CRC32C", out);
			if (st)
				return st;
		}
		if (neg->type == ISCSI_SESSION_NORMAL) {
			bool imm = p->immediate_data;

			/* §13.11: the default Yes, unless we offer No (AND). */
			if (!neg->limits.immediate_data &&
			    param_may_offer(neg, PARAM_KEY_IMMEDIATE_DATA)) {
				st = param_offer(neg, PARAM_KEY_IMMEDIATE_DATA, "No", out);
				if (st)
					return st;
				imm = false;
			}
			/* §13.14: a FirstBurstLength below the default 65536 (minimum). */
			if (!(p->initial_r2t && !imm) && neg->limits.first_burst < p->first_burst &&
			    param_may_offer(neg, PARAM_KEY_FIRST_BURST)) {
				uint32_t v =
				    MIN(param_num_ours(neg, PARAM_KEY_FIRST_BURST), p->max_burst);

				neg->first_burst_offer = v;
				st = param_emit_num(out, param_defs[PARAM_KEY_FIRST_BURST].name, v);
				if (st)
					return st;
				neg->offered |= PARAM_KEY_BIT(PARAM_KEY_FIRST_BURST);
				neg->offers_made |= PARAM_KEY_BIT(PARAM_KEY_FIRST_BURST);
			}
		}
		if (neg->offered) {
			*pending = true;
			return ISCSI_LOGIN_OK;
		}
	}
	/* The outcome must hold what the target cannot do without. */
	if ((neg->limits.header_digest_required && !p->header_digest) ||
	    (neg->limits.data_digest_required && !p->data_digest))
		return ISCSI_LOGIN_INITIATOR_ERROR;
	/* §13.14: FirstBurstLength MUST NOT exceed MaxBurstLength. */
	if (neg->type == ISCSI_SESSION_NORMAL && param_first_burst_relevant(p) &&
	    p->first_burst > p->max_burst)
		return ISCSI_LOGIN_INITIATOR_ERROR;
	/*
	 * §6.2.1: an offer the initiator answered with Reject leaves the key
	 * at its default. When the target cannot live with that default (it
	 * offered ImmediateData=No or a smaller FirstBurstLength because its
	 * configuration says so), the negotiation has failed: found by
	 * tests/fuzz (param-offer-rejected).
	 */
	if (param_neg_needs_more(neg))
		return ISCSI_LOGIN_INITIATOR_ERROR;
	return ISCSI_LOGIN_OK;
}

bool param_neg_needs_more(const struct param_neg *neg)
{
	const struct iscsi_params *p = &neg->params;

	if ((neg->limits.header_digest_required && !p->header_digest) ||
	    (neg->limits.data_digest_required && !p->data_digest))
		return true;
	if (neg->type != ISCSI_SESSION_NORMAL)
		return false;
	if (!neg->limits.immediate_data && p->immediate_data)
		return true;
	return param_first_burst_relevant(p) && p->first_burst > MAX(neg->limits.first_burst, 512u);
}

uint16_t param_scan_names(const uint8_t *p, size_t len, struct param_names *names)
{
	bool have_type = false, have_init = false, have_target = false, target_bad = false;
	struct text_iter it;
	struct text_pair pair;
	int rc;

	names->type = ISCSI_SESSION_NORMAL; /* RFC 7143 §13.21: the default */
	names->initiator[0] = '\0';
	names->target[0] = '\0';
	text_iter_init(&it, p, len);
	while ((rc = text_next(&it, &pair)) == 1) {
		if (!have_type && text_key_is(&pair, "SessionType")) {
			have_type = true;
			if (text_value_is(&pair, "Discovery"))
				names->type = ISCSI_SESSION_DISCOVERY;
			else if (!text_value_is(&pair, "Normal"))
				return ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED;
		} else if (!have_init && text_key_is(&pair, "InitiatorName")) {
			have_init = true;
			if (!param_name_ok(&pair))
				return ISCSI_LOGIN_INITIATOR_ERROR;
			text_value_copy(&pair, names->initiator, sizeof(names->initiator));
		} else if (!have_target && text_key_is(&pair, "TargetName")) {
			have_target = true;
			/* Judged below, once the session type is known. */
			target_bad = !param_name_ok(&pair);
			if (!target_bad)
				text_value_copy(&pair, names->target, sizeof(names->target));
		}
	}
	if (rc < 0)
		return ISCSI_LOGIN_INITIATOR_ERROR;
	/* RFC 7143 §13.4: a discovery session names no target. */
	if (names->type == ISCSI_SESSION_DISCOVERY)
		names->target[0] = '\0';
	else if (target_bad)
		return ISCSI_LOGIN_INITIATOR_ERROR;
	return ISCSI_LOGIN_OK;
}

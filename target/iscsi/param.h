/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Login and text key negotiation (RFC 7143 §6.2, §12, §13; RFC 7144 §2.1).
 *
 * struct param_neg is one negotiation: the keys of a login phase, or of one
 * text request sequence in full feature phase. It takes the initiator's
 * pairs one at a time, appends the target's answers to a text_buf, and
 * keeps the outcome in an iscsi_params. Pure: no I/O, no logging.
 *
 * Protocol outcomes are login status values (enum iscsi_login_status):
 * ISCSI_LOGIN_OK, or the status the login fails with. In full feature phase
 * the text request layer turns a failure into a Reject PDU.
 */
#ifndef PORTICO_TARGET_ISCSI_PARAM_H
#define PORTICO_TARGET_ISCSI_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/iscsi_name.h"
#include "target/iscsi/text.h"

enum iscsi_session_type {
	ISCSI_SESSION_NORMAL,
	ISCSI_SESSION_DISCOVERY,
};

/* RFC 7143 §13.23. */
enum iscsi_task_reporting {
	ISCSI_TASK_REPORTING_RFC3720,
	ISCSI_TASK_REPORTING_RESPONSE_FENCE,
	ISCSI_TASK_REPORTING_FAST_ABORT,
};

/* The negotiated outcome; param_defaults() gives the RFC defaults. */
struct iscsi_params {
	bool header_digest, data_digest; /* CRC32C on */
	uint32_t max_connections;
	bool initial_r2t, immediate_data;
	uint32_t max_recv_dsl; /* ours: the largest data segment WE accept (what we declared) */
	/* the initiator's declared MaxRecvDataSegmentLength: the largest WE may send */
	uint32_t max_xmit_dsl;
	uint32_t max_burst, first_burst;
	uint32_t default_time2wait, default_time2retain;
	uint32_t max_outstanding_r2t;
	bool data_pdu_in_order, data_sequence_in_order;
	uint32_t erl;
	uint32_t protocol_level; /* iSCSIProtocolLevel outcome */
	enum iscsi_task_reporting task_reporting;
};

/* RFC 7143 §12.1: authentication methods, as bits of param_limits.auth_methods. */
enum param_auth_method {
	PARAM_AUTH_NONE,
	PARAM_AUTH_CHAP,
};
#define PARAM_AUTH_BIT(m) (1u << (m))

/* What this target offers/accepts (from the TPG's configuration and the initiator's ACL). */
struct param_limits {
	uint32_t max_recv_dsl, max_burst, first_burst, max_outstanding_r2t;
	uint32_t max_connections;	  /* 1 */
	uint32_t max_erl;		  /* 0 now; the negotiation allows up to 2 */
	bool initial_r2t, immediate_data; /* the target's preference */
	bool header_digest, data_digest;  /* whether CRC32C may be chosen */
	/* None refused: the login fails without CRC32C. */
	bool header_digest_required, data_digest_required;
	uint32_t default_time2wait, default_time2retain;
	uint32_t max_protocol_level; /* RFC 7144 §2.1 */
	/* PARAM_AUTH_BIT()s this initiator may use; None alone: no authentication. */
	uint32_t auth_methods;
	/* 1u << enum iscsi_task_reporting: what the session layer implements. */
	uint32_t task_reporting;
};

/* Stages in which keys arrive: the login stages (RFC 7143 §6.3), then full feature phase. */
enum param_stage {
	PARAM_STAGE_SECURITY,
	PARAM_STAGE_OPERATIONAL,
	PARAM_STAGE_FULL_FEATURE,
};

/* RFC 7143 §13: the defaults that hold when a key is not negotiated. */
void param_defaults(struct iscsi_params *p);
/*
 * Target defaults: MaxRecvDataSegmentLength 262144, MaxBurstLength 1048576,
 * FirstBurstLength 65536, MaxOutstandingR2T 8, InitialR2T No,
 * ImmediateData Yes, CRC32C allowed (not required), ErrorRecoveryLevel 0,
 * MaxConnections 1, iSCSIProtocolLevel 1, AuthMethod None, TaskReporting
 * RFC3720.
 */
void param_limits_default(struct param_limits *l);

/*
 * Numerical values (RFC 7143 §6.1): decimal-constant (no leading zeros),
 * hex-constant "0x..." or base64-constant "0b...", below 2^64. 0, -EINVAL
 * for a malformed value, -ERANGE when it does not fit in 64 bits.
 */
int param_parse_number(const char *v, size_t len, uint64_t *out);

/* The declarations a login needs before it can consult the ACL. */
struct param_names {
	enum iscsi_session_type type;	    /* Normal unless SessionType says otherwise (§13.21) */
	char initiator[ISCSI_NAME_MAX + 1]; /* "" when absent */
	char target[ISCSI_NAME_MAX + 1];    /* "" when absent or a discovery session */
};

/*
 * Reads SessionType, InitiatorName and TargetName from the first login
 * request's pairs (RFC 7143 §13.4, §13.5, §13.21), first occurrence of each
 * (param_neg catches duplicates). ISCSI_LOGIN_OK (absent names are "": the
 * caller decides what is missing), ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED, or
 * ISCSI_LOGIN_INITIATOR_ERROR for malformed text or a malformed name.
 */
uint16_t param_scan_names(const uint8_t *p, size_t len, struct param_names *names);

/* Keys known to the negotiation, one bit each in the bit sets of param_neg. */
enum param_key {
	PARAM_KEY_AUTH_METHOD,
	PARAM_KEY_HEADER_DIGEST,
	PARAM_KEY_DATA_DIGEST,
	PARAM_KEY_MAX_CONNECTIONS,
	PARAM_KEY_SEND_TARGETS,
	PARAM_KEY_TARGET_NAME,
	PARAM_KEY_INITIATOR_NAME,
	PARAM_KEY_TARGET_ALIAS,
	PARAM_KEY_INITIATOR_ALIAS,
	PARAM_KEY_TARGET_ADDRESS,
	PARAM_KEY_TARGET_PORTAL_GROUP_TAG,
	PARAM_KEY_INITIAL_R2T,
	PARAM_KEY_IMMEDIATE_DATA,
	PARAM_KEY_MAX_RECV_DSL,
	PARAM_KEY_MAX_BURST,
	PARAM_KEY_FIRST_BURST,
	PARAM_KEY_DEFAULT_TIME2WAIT,
	PARAM_KEY_DEFAULT_TIME2RETAIN,
	PARAM_KEY_MAX_OUTSTANDING_R2T,
	PARAM_KEY_DATA_PDU_IN_ORDER,
	PARAM_KEY_DATA_SEQUENCE_IN_ORDER,
	PARAM_KEY_ERL,
	PARAM_KEY_SESSION_TYPE,
	PARAM_KEY_IF_MARKER,
	PARAM_KEY_OF_MARKER,
	PARAM_KEY_IF_MARK_INT,
	PARAM_KEY_OF_MARK_INT,
	PARAM_KEY_TASK_REPORTING,
	PARAM_KEY_PROTOCOL_LEVEL,
	PARAM_KEY_RDMA_EXTENSIONS,
	PARAM_KEY_COUNT,
};
#define PARAM_KEY_BIT(k) (UINT64_C(1) << (k))

struct param_neg {
	struct param_limits limits;
	enum iscsi_session_type type;
	struct iscsi_params params;	    /* the outcome so far */
	uint64_t received;		    /* keys the initiator sent (offers or answers) */
	uint64_t offered;		    /* keys the target offered and awaits answers for */
	uint64_t offers_made;		    /* every key the target ever offered */
	bool recv_dsl_declared;		    /* our MaxRecvDataSegmentLength went out */
	bool auth_negotiated;		    /* AuthMethod was answered with a method, not Reject */
	enum param_auth_method auth_method; /* None unless negotiated otherwise (§12.1) */
	char initiator_alias[TEXT_VALUE_MAX + 1]; /* "" unless declared */
	/* private: FirstBurstLength is answered at the end of its request (see param.c) */
	bool first_burst_pending;
	uint64_t first_burst_offer;
	bool first_burst_invalid;
};

/* A login negotiation for a session of type, with the target's limits (copied). */
void param_neg_init(struct param_neg *neg, const struct param_limits *limits,
		    enum iscsi_session_type type);
/*
 * A text negotiation in full feature phase, starting from the connection's
 * current params (only the keys allowed there can change, §6.4).
 */
void param_neg_init_ffp(struct param_neg *neg, const struct iscsi_params *params,
			enum iscsi_session_type type);
/*
 * One pair of the initiator's request in stage: checks it, records it and
 * appends the target's answer (if any) to out. Returns ISCSI_LOGIN_OK or the
 * status to fail with (ISCSI_LOGIN_INITIATOR_ERROR for protocol errors,
 * ISCSI_LOGIN_OUT_OF_RESOURCES when out is full).
 * SendTargets and the keys of an authentication method (CHAP_*) are the
 * callers' to answer: given here they are protocol errors.
 */
uint16_t param_neg_pair(struct param_neg *neg, enum param_stage stage, const struct text_pair *pair,
			struct text_buf *out);
/*
 * After the last pair of a request: appends the answers kept for the end
 * (FirstBurstLength), checks that every key the target offered got its
 * answer, and, in the operational stage, declares our
 * MaxRecvDataSegmentLength once. Same returns as param_neg_pair.
 */
uint16_t param_neg_end(struct param_neg *neg, enum param_stage stage, struct text_buf *out);
/*
 * Whether the outcome so far still lacks something the target cannot do
 * without (a required digest, ImmediateData=No, a smaller
 * FirstBurstLength): offers in the operational stage must settle it.
 */
bool param_neg_needs_more(const struct param_neg *neg);
/* param_neg_pair on every pair of p[0..len), then param_neg_end. */
uint16_t param_neg_request(struct param_neg *neg, enum param_stage stage, const uint8_t *p,
			   size_t len, struct text_buf *out);
/*
 * The initiator asks to leave stage for full feature phase. Appends the
 * declarations and offers the target still has to make (in the operational
 * stage: ImmediateData=No, a smaller FirstBurstLength, a required digest).
 * *pending is set when the initiator must answer them first: the response
 * then goes with T=0. Otherwise neg->params is final. Returns
 * ISCSI_LOGIN_OK, or the status to fail with (a required digest that cannot
 * be had, FirstBurstLength above MaxBurstLength).
 */
uint16_t param_neg_finish(struct param_neg *neg, enum param_stage stage, struct text_buf *out,
			  bool *pending);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The login phase of one connection (RFC 7143 §6.3, §11.12, §11.13) as a
 * pure state machine: Login Request PDUs in, Login Response PDUs out. No
 * I/O, no logging; the ACL and the authentication method are reached
 * through struct login_env.
 */
#ifndef PORTICO_TARGET_ISCSI_LOGIN_H
#define PORTICO_TARGET_ISCSI_LOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/iscsi_name.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/param.h"
#include "target/iscsi/text.h"

#define LOGIN_TEXT_MAX 65536   /* a request or response text, all its PDUs together */
#define LOGIN_PDU_DSL_MAX 8192 /* RFC 7143 §13.12: login PDUs never carry more */

struct login_env {
	void *arg;
	/*
	 * Once InitiatorName (and TargetName for a normal session) are known,
	 * before the security stage ends: may this initiator log in? Returns
	 * ISCSI_LOGIN_OK and fills *limits (which holds param_limits_default()
	 * on entry) and *tpg_tag (and may set *target_alias, a string that must
	 * outlive the login), or a login status (ISCSI_LOGIN_NOT_FOUND,
	 * ISCSI_LOGIN_AUTHORIZATION_FAILURE, ...). target is NULL for a
	 * discovery session.
	 */
	uint16_t (*authorize)(void *arg, enum iscsi_session_type type, const char *initiator,
			      const char *target, struct param_limits *limits, uint16_t *tpg_tag,
			      const char **target_alias);
	/*
	 * Runs the authentication method AuthMethod settled on when it is not
	 * None (CHAP, RFC 7143 §12.1.3). Called for each security-stage request
	 * after the one that agreed on the method, with the initiator and
	 * target names (target NULL for discovery) and that request's keys of
	 * the method (CHAP_*) as a text segment; appends the target's keys to
	 * out, and sets *done once the exchange has succeeded. Returns
	 * ISCSI_LOGIN_OK or a login status (ISCSI_LOGIN_AUTH_FAILURE), and
	 * then sets *reason to why, for the log (a string that outlives the
	 * login; the initiator only ever sees the status).
	 * NULL: None is the only method that can be agreed on.
	 */
	uint16_t (*authenticate)(void *arg, enum param_auth_method method, const char *initiator,
				 const char *target, const uint8_t *keys, size_t len,
				 struct text_buf *out, bool *done, const char **reason);
};

enum login_result {
	LOGIN_RESULT_CONTINUE,
	LOGIN_RESULT_FULL_FEATURE,
	LOGIN_RESULT_FAIL,
};

enum login_state {
	LOGIN_STATE_FIRST, /* no Login Request seen yet */
	LOGIN_STATE_ACTIVE,
	LOGIN_STATE_DONE, /* full feature phase granted, or failed */
};

struct login_sm {
	/* public once LOGIN_RESULT_FULL_FEATURE is returned */
	enum iscsi_session_type type;
	char initiator_name[ISCSI_NAME_MAX + 1];
	char target_name[ISCSI_NAME_MAX + 1];
	char initiator_alias[256];
	uint8_t isid[6];
	uint16_t tsih; /* the TSIH the initiator sent: 0 for a new session */
	uint16_t cid;
	uint32_t itt;
	uint32_t cmdsn; /* CmdSN of the first Login Request (the session's first ExpCmdSN) */
	uint32_t exp_statsn;
	uint16_t tpg_tag;
	struct iscsi_params params;
	struct text_buf rsp_data; /* data segment of the last response built */
	/*
	 * After LOGIN_RESULT_FAIL: why, in words for the log, when the
	 * status alone does not say it (an authentication failure); or NULL.
	 */
	const char *fail_reason;

	/* private */
	const struct login_env *env;
	enum login_state state;
	enum iscsi_login_stage stage; /* the current stage (CSG the initiator must send) */
	uint8_t version_max, version_min;
	bool neg_ready; /* names known, authorized, negotiation started */
	struct param_neg neg;
	bool auth_started; /* a method other than None was agreed in an earlier request */
	bool auth_done;
	struct text_buf req;	   /* the request being received (C=1 parts) */
	struct text_buf rsp;	   /* the whole response text to the last complete request */
	size_t rsp_off;		   /* how much of rsp has gone out */
	uint8_t rsp_flags;	   /* flags of the last part of rsp (T, CSG, NSG) */
	struct text_buf auth_keys; /* the method's keys of one request */
};

/* Ready for the connection's first Login Request; env must outlive sm. */
void login_init(struct login_sm *sm, const struct login_env *env);
/* Frees what the login holds. */
void login_fini(struct login_sm *sm);
/*
 * Processes one Login Request: bhs (48 bytes) and its data segment (dlen
 * bytes, digests already stripped/checked by the caller). Builds the Login
 * Response BHS into rsp (48 bytes) and its data into sm->rsp_data. The
 * caller fills StatSN, ExpCmdSN, MaxCmdSN and (on FULL_FEATURE) TSIH into
 * rsp before sending. LOGIN_RESULT_FAIL: rsp carries the failure status
 * class/detail (and no data); the caller sends it and closes the connection.
 */
enum login_result login_handle(struct login_sm *sm, const uint8_t *bhs, const uint8_t *data,
			       size_t dlen, uint8_t *rsp);

#endif

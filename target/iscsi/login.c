/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The login phase (RFC 7143 §6.3, §11.12, §11.13) as a pure state machine.
 *
 * Each Login Request is checked against the first one (version, ISID,
 * TSIH, CID, ITT, CmdSN), its text is gathered until C=0, and the whole
 * request is then handled: the first one names the initiator and target,
 * which the ACL (env->authorize) judges before any key is negotiated. The
 * answer is built whole and sent in parts no larger than the initiator can
 * take, each further part asked for by an empty request. The target grants
 * a stage transition (T=1) only when nothing is left open: authentication
 * done, its own offers answered.
 */
#include <errno.h>
#include <string.h>

#include "common/be.h"
#include "common/util.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/login.h"

#define LOGIN_VERSION 0x00 /* RFC 7143 §11.12.4: the only version there is */
/* CHAP is the only method besides None (RFC 7143 §12.1) */
#define LOGIN_REASON_NO_CHAP "no CHAP offered but required"

void login_init(struct login_sm *sm, const struct login_env *env)
{
	memset(sm, 0, sizeof(*sm));
	sm->env = env;
	sm->state = LOGIN_STATE_FIRST;
	sm->stage = ISCSI_STAGE_SECURITY;
	param_defaults(&sm->params);
	text_buf_init(&sm->rsp_data, LOGIN_PDU_DSL_MAX);
	text_buf_init(&sm->req, LOGIN_TEXT_MAX);
	text_buf_init(&sm->rsp, LOGIN_TEXT_MAX);
	text_buf_init(&sm->auth_keys, LOGIN_TEXT_MAX);
}

void login_fini(struct login_sm *sm)
{
	text_buf_fini(&sm->rsp_data);
	text_buf_fini(&sm->req);
	text_buf_fini(&sm->rsp);
	text_buf_fini(&sm->auth_keys);
}

/* The fields every Login Response echoes (RFC 7143 §11.13). */
static void login_rsp_base(const uint8_t *bhs, uint8_t *rsp)
{
	const struct iscsi_login_req *q = (const struct iscsi_login_req *)bhs;
	struct iscsi_login_rsp *r = (struct iscsi_login_rsp *)rsp;

	memset(rsp, 0, ISCSI_BHS_LEN);
	r->opcode = ISCSI_OP_LOGIN_RSP;
	/* §11.13.1, §11.13.2: we only do version 0. */
	r->version_max = LOGIN_VERSION;
	r->version_active = LOGIN_VERSION;
	memcpy(r->isid, q->isid, sizeof(r->isid));
	memcpy(r->tsih, q->tsih, sizeof(r->tsih));
	memcpy(r->itt, q->itt, sizeof(r->itt));
}

static enum login_result login_fail(struct login_sm *sm, uint8_t *rsp, uint16_t status)
{
	struct iscsi_login_rsp *r = (struct iscsi_login_rsp *)rsp;

	/* §11.13.5: a failure ends the login; the response carries no text. */
	r->flags = 0;
	iscsi_bhs_set_dlen(rsp, 0);
	r->status_class = (uint8_t)(status >> 8);
	r->status_detail = (uint8_t)status;
	text_buf_reset(&sm->rsp_data);
	sm->state = LOGIN_STATE_DONE;
	return LOGIN_RESULT_FAIL;
}

/* RFC 7143 §13.12: no login PDU larger than 8192, nor than the initiator declared. */
static size_t login_part_max(const struct login_sm *sm)
{
	size_t max = LOGIN_PDU_DSL_MAX;

	if (sm->neg_ready)
		max = MIN(max, (size_t)sm->neg.params.max_xmit_dsl);
	return max;
}

/*
 * Puts the next part of sm->rsp into rsp/rsp_data. All but the last go with
 * C=1 and T=0 (§11.13: a response with C=1 has T=0); the last carries the
 * flags decided for the whole answer, and only then does the stage change.
 */
static enum login_result login_send_part(struct login_sm *sm, uint8_t *rsp)
{
	struct iscsi_login_rsp *r = (struct iscsi_login_rsp *)rsp;
	size_t left = sm->rsp.len - sm->rsp_off, n = MIN(left, login_part_max(sm));
	uint8_t csg = (uint8_t)(sm->stage << ISCSI_LOGIN_CSG_SHIFT);

	text_buf_reset(&sm->rsp_data);
	/*
	 * Cannot fail: n is within the 8192 bytes rsp_data may hold. An empty
	 * answer has no buffer at all: no pointer arithmetic on it (NULL + 0
	 * is undefined; found by tests/fuzz, login-null-offset).
	 */
	if (n)
		text_buf_append(&sm->rsp_data, sm->rsp.data + sm->rsp_off, n);
	sm->rsp_off += n;
	iscsi_bhs_set_dlen(rsp, (uint32_t)n);
	if (sm->rsp_off < sm->rsp.len) {
		r->flags = ISCSI_LOGIN_FLAG_CONTINUE | csg;
		return LOGIN_RESULT_CONTINUE;
	}
	r->flags = sm->rsp_flags;
	if (!(sm->rsp_flags & ISCSI_LOGIN_FLAG_TRANSIT))
		return LOGIN_RESULT_CONTINUE;
	sm->stage = (enum iscsi_login_stage)(sm->rsp_flags & ISCSI_LOGIN_NSG_MASK);
	if (sm->stage != ISCSI_STAGE_FULL_FEATURE)
		return LOGIN_RESULT_CONTINUE;
	sm->params = sm->neg.params;
	_Static_assert(sizeof(sm->initiator_alias) == sizeof(sm->neg.initiator_alias),
		       "alias sizes");
	memcpy(sm->initiator_alias, sm->neg.initiator_alias, sizeof(sm->initiator_alias));
	sm->state = LOGIN_STATE_DONE;
	return LOGIN_RESULT_FULL_FEATURE;
}

/*
 * The first complete request: who is this, and may they? RFC 7143 §13.5:
 * InitiatorName in the first request of every connection; §13.4: TargetName
 * too unless the session is a discovery session (§13.21: Normal by default).
 */
static uint16_t login_first_request(struct login_sm *sm)
{
	struct param_limits limits;
	struct param_names names;
	const char *alias = NULL;
	uint16_t st, tag = 0;

	st = param_scan_names(sm->req.data, sm->req.len, &names);
	if (st)
		return st;
	if (!names.initiator[0])
		return ISCSI_LOGIN_MISSING_PARAMETER;
	if (names.type == ISCSI_SESSION_NORMAL && !names.target[0])
		return ISCSI_LOGIN_MISSING_PARAMETER;
	sm->type = names.type;
	memcpy(sm->initiator_name, names.initiator, sizeof(sm->initiator_name));
	memcpy(sm->target_name, names.target, sizeof(sm->target_name));

	param_limits_default(&limits);
	if (!sm->env || !sm->env->authorize)
		return ISCSI_LOGIN_TARGET_ERROR;
	st = sm->env->authorize(sm->env->arg, sm->type, sm->initiator_name,
				sm->type == ISCSI_SESSION_NORMAL ? sm->target_name : NULL, &limits,
				&tag, &alias);
	if (st)
		return st;
	/* Only None can be agreed on without someone to run the method. */
	if (!sm->env->authenticate)
		limits.auth_methods &= PARAM_AUTH_BIT(PARAM_AUTH_NONE);
	/*
	 * §6.3: the security stage may be skipped only when no authentication
	 * is required; otherwise the initiator was not authenticated.
	 */
	if (sm->stage != ISCSI_STAGE_SECURITY &&
	    !(limits.auth_methods & PARAM_AUTH_BIT(PARAM_AUTH_NONE))) {
		sm->fail_reason = LOGIN_REASON_NO_CHAP;
		return ISCSI_LOGIN_AUTH_FAILURE;
	}
	sm->tpg_tag = tag;
	param_neg_init(&sm->neg, &limits, sm->type);
	sm->neg_ready = true;

	if (sm->type == ISCSI_SESSION_NORMAL) {
		/* §13.9: the tag goes in the first Login Response of a normal session. */
		if (text_buf_addf(&sm->rsp, "TargetPortalGroupTag", "%u", tag))
			return ISCSI_LOGIN_OUT_OF_RESOURCES;
		/* §13.6: a configured alias SHOULD be sent to a normal session. */
		if (alias && alias[0] && strlen(alias) <= TEXT_VALUE_MAX &&
		    text_buf_add(&sm->rsp, "TargetAlias", alias))
			return ISCSI_LOGIN_OUT_OF_RESOURCES;
	}
	return ISCSI_LOGIN_OK;
}

/* The prefix of the keys of an authentication method (RFC 7143 §12.1). */
static const char *login_auth_prefix(enum param_auth_method m)
{
	return m == PARAM_AUTH_CHAP ? "CHAP_" : NULL;
}

/* Every pair of the request to the negotiation, or to the method being run. */
static uint16_t login_keys(struct login_sm *sm, enum param_stage stage)
{
	const char *prefix = NULL;
	struct text_iter it;
	struct text_pair pair;
	uint16_t st;
	int rc;

	if (stage == PARAM_STAGE_SECURITY && sm->auth_started)
		prefix = login_auth_prefix(sm->neg.auth_method);
	text_buf_reset(&sm->auth_keys);
	text_iter_init(&it, sm->req.data, sm->req.len);
	while ((rc = text_next(&it, &pair)) == 1) {
		if (prefix && pair.key_len > strlen(prefix) &&
		    !memcmp(pair.key, prefix, strlen(prefix))) {
			/* Cannot overflow: auth_keys holds as much as req. */
			text_buf_append(&sm->auth_keys, (const uint8_t *)pair.key,
					pair.key_len + 1 + pair.value_len + 1);
			continue;
		}
		st = param_neg_pair(&sm->neg, stage, &pair, &sm->rsp);
		if (st)
			return st;
	}
	if (rc < 0)
		return ISCSI_LOGIN_INITIATOR_ERROR; /* §6.1: malformed text */
	return param_neg_end(&sm->neg, stage, &sm->rsp);
}

/*
 * Security stage bookkeeping after a request's keys: runs the method, and
 * says whether the initiator may leave the stage. *ready is false while a
 * method is still under way; failures come back as a status.
 */
static uint16_t login_security(struct login_sm *sm, bool transit, bool *ready)
{
	struct param_neg *neg = &sm->neg;
	uint16_t st;

	*ready = false;
	/* §12.1.3: nothing of the method's after it has succeeded. */
	if (sm->auth_done && sm->auth_keys.len)
		return ISCSI_LOGIN_INITIATOR_ERROR;
	if (sm->auth_started && !sm->auth_done) {
		bool done = false;

		st = sm->env->authenticate(sm->env->arg, neg->auth_method, sm->initiator_name,
					   sm->type == ISCSI_SESSION_NORMAL ? sm->target_name : NULL,
					   sm->auth_keys.data, sm->auth_keys.len, &sm->rsp, &done,
					   &sm->fail_reason);
		if (st)
			return st;
		sm->auth_done = done;
	} else if (neg->auth_negotiated && !sm->auth_started) {
		if (neg->auth_method == PARAM_AUTH_NONE)
			sm->auth_done = true;
		else
			sm->auth_started = true; /* its keys come in the next request */
	}
	if (sm->auth_done) {
		*ready = true;
		return ISCSI_LOGIN_OK;
	}
	if (!transit || sm->auth_started)
		return ISCSI_LOGIN_OK;
	/*
	 * §12.1: AuthMethod defaults to None. Leaving the stage without a
	 * method agreed is fine only when None is acceptable; after a Rejected
	 * AuthMethod, or when authentication is required, it is an
	 * authentication failure.
	 */
	if (!(neg->limits.auth_methods & PARAM_AUTH_BIT(PARAM_AUTH_NONE))) {
		sm->fail_reason = LOGIN_REASON_NO_CHAP;
		return ISCSI_LOGIN_AUTH_FAILURE;
	}
	if (neg->received & PARAM_KEY_BIT(PARAM_KEY_AUTH_METHOD)) {
		sm->fail_reason = "no authentication method in common";
		return ISCSI_LOGIN_AUTH_FAILURE;
	}
	sm->auth_done = true;
	*ready = true;
	return ISCSI_LOGIN_OK;
}

/* A whole request (all its C=1 parts) in sm->req. */
static enum login_result login_request(struct login_sm *sm, bool transit, uint8_t nsg, uint8_t *rsp)
{
	enum param_stage stage =
	    sm->stage == ISCSI_STAGE_SECURITY ? PARAM_STAGE_SECURITY : PARAM_STAGE_OPERATIONAL;
	bool grant = transit, ready = true, pending = false;
	uint16_t st;

	text_buf_reset(&sm->rsp);
	sm->rsp_off = 0;
	if (!sm->neg_ready) {
		st = login_first_request(sm);
		if (st)
			return login_fail(sm, rsp, st);
	}
	st = login_keys(sm, stage);
	if (st)
		return login_fail(sm, rsp, st);
	if (stage == PARAM_STAGE_SECURITY) {
		st = login_security(sm, transit, &ready);
		if (st)
			return login_fail(sm, rsp, st);
		if (!ready)
			grant = false;
	}
	/*
	 * RFC 7143 §6.3: the initiator may skip the operational stage, but
	 * the target's offers can only be made there (§12: the security
	 * stage carries security keys). When the target needs one, it grants
	 * the transition to the operational stage rather than full feature
	 * phase: found by tests/fuzz (login-skip-operational).
	 */
	if (grant && nsg == ISCSI_STAGE_FULL_FEATURE && stage == PARAM_STAGE_SECURITY &&
	    param_neg_needs_more(&sm->neg))
		nsg = ISCSI_STAGE_OPERATIONAL;
	if (grant && nsg == ISCSI_STAGE_FULL_FEATURE) {
		/* §6.2: offers the initiator must answer keep it here (T=0). */
		st = param_neg_finish(&sm->neg, stage, &sm->rsp, &pending);
		if (st)
			return login_fail(sm, rsp, st);
		if (pending)
			grant = false;
	}
	sm->rsp_flags = (uint8_t)(sm->stage << ISCSI_LOGIN_CSG_SHIFT);
	if (grant)
		sm->rsp_flags |= ISCSI_LOGIN_FLAG_TRANSIT | nsg;
	return login_send_part(sm, rsp);
}

/* RFC 7143 §11.12.3: CSG/NSG (NSG only with T=1). 0 or a status. */
static uint16_t login_check_stages(const struct login_sm *sm, uint8_t flags)
{
	uint8_t csg = (flags & ISCSI_LOGIN_CSG_MASK) >> ISCSI_LOGIN_CSG_SHIFT;
	uint8_t nsg = flags & ISCSI_LOGIN_NSG_MASK;
	bool transit = flags & ISCSI_LOGIN_FLAG_TRANSIT;

	/* §11.12.2: a request that is continued cannot ask to transit. */
	if (transit && (flags & ISCSI_LOGIN_FLAG_CONTINUE))
		return ISCSI_LOGIN_INITIATOR_ERROR;
	/* §6.3: the stage is where the last transition left it. */
	if (csg != sm->stage)
		return ISCSI_LOGIN_INITIATOR_ERROR;
	/* §11.12.3: 2 is reserved; the next stage lies ahead. */
	if (transit && (nsg == 2 || nsg <= csg))
		return ISCSI_LOGIN_INITIATOR_ERROR;
	return ISCSI_LOGIN_OK;
}

enum login_result login_handle(struct login_sm *sm, const uint8_t *bhs, const uint8_t *data,
			       size_t dlen, uint8_t *rsp)
{
	const struct iscsi_login_req *q = (const struct iscsi_login_req *)bhs;
	uint8_t csg = (q->flags & ISCSI_LOGIN_CSG_MASK) >> ISCSI_LOGIN_CSG_SHIFT;
	bool transit = q->flags & ISCSI_LOGIN_FLAG_TRANSIT;
	bool cont = q->flags & ISCSI_LOGIN_FLAG_CONTINUE;
	enum login_result res;
	uint16_t st;

	login_rsp_base(bhs, rsp);
	text_buf_reset(&sm->rsp_data);
	if (sm->state == LOGIN_STATE_DONE)
		return login_fail(sm, rsp, ISCSI_LOGIN_INITIATOR_ERROR);
	/* §11.13.5: only Login Requests until the login is over. */
	if ((q->opcode & ISCSI_OPCODE_MASK) != ISCSI_OP_LOGIN_REQ)
		return login_fail(sm, rsp, ISCSI_LOGIN_INVALID_DURING_LOGIN);

	if (sm->state == LOGIN_STATE_FIRST) {
		/*
		 * §11.12.4: our version (0, the lowest there is) must not lie
		 * below the initiator's Version-min.
		 */
		if (q->version_min > LOGIN_VERSION)
			return login_fail(sm, rsp, ISCSI_LOGIN_UNSUPPORTED_VERSION);
		/* §6.3: the login starts in the security or the operational stage. */
		if (csg != ISCSI_STAGE_SECURITY && csg != ISCSI_STAGE_OPERATIONAL)
			return login_fail(sm, rsp, ISCSI_LOGIN_INITIATOR_ERROR);
		sm->version_max = q->version_max;
		sm->version_min = q->version_min;
		memcpy(sm->isid, q->isid, sizeof(sm->isid));
		sm->tsih = get_be16(q->tsih);
		sm->cid = get_be16(q->cid);
		sm->itt = get_be32(q->itt);
		sm->cmdsn = get_be32(q->cmdsn);
		sm->stage = (enum iscsi_login_stage)csg;
		sm->state = LOGIN_STATE_ACTIVE;
	} else if (q->version_max != sm->version_max || q->version_min != sm->version_min ||
		   memcmp(q->isid, sm->isid, sizeof(sm->isid)) || get_be16(q->tsih) != sm->tsih ||
		   get_be16(q->cid) != sm->cid || get_be32(q->itt) != sm->itt ||
		   get_be32(q->cmdsn) != sm->cmdsn) {
		/*
		 * §11.12.4: the same Version-max/min in every request; §11.12.5-8:
		 * one login is one ISID, TSIH, CID and ITT, and every request
		 * carries the CmdSN of the first.
		 */
		return login_fail(sm, rsp, ISCSI_LOGIN_INITIATOR_ERROR);
	}
	sm->exp_statsn = get_be32(q->expstatsn);
	st = login_check_stages(sm, q->flags);
	if (st)
		return login_fail(sm, rsp, st);

	if (sm->rsp_off < sm->rsp.len) {
		/*
		 * §11.13 (C bit): the initiator asks for the rest of a continued
		 * response with an empty request.
		 */
		if (dlen || cont)
			return login_fail(sm, rsp, ISCSI_LOGIN_INITIATOR_ERROR);
		return login_send_part(sm, rsp);
	}

	/* §6.1: pairs may span PDUs; the request is complete at C=0. */
	if (dlen && text_buf_append(&sm->req, data, dlen))
		return login_fail(sm, rsp, ISCSI_LOGIN_OUT_OF_RESOURCES);
	if (cont) {
		/* Each part is acknowledged with an empty response (C=0, T=0). */
		((struct iscsi_login_rsp *)rsp)->flags =
		    (uint8_t)(sm->stage << ISCSI_LOGIN_CSG_SHIFT);
		return LOGIN_RESULT_CONTINUE;
	}
	res = login_request(sm, transit, q->flags & ISCSI_LOGIN_NSG_MASK, rsp);
	text_buf_reset(&sm->req);
	return res;
}

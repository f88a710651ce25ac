/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The login state machine (target/iscsi/login.c): a sequence of Login
 * Request PDUs against one struct login_sm, with a fake ACL and a fake
 * authentication method behind struct login_env.
 *
 * Input: byte 0 picks the environment (see env_setup()), the rest is PDUs
 * as on the wire (BHS, then DataSegmentLength bytes).
 *
 * Checked for every response: it is a Login Response echoing ISID and ITT,
 * version 0, its DataSegmentLength is the data built, within 8192 bytes and
 * the initiator's MaxRecvDataSegmentLength, C and T never together, a
 * transition only forward to a valid stage; a failure carries a non-zero
 * status class and no data, a success none; after a failure or full
 * feature phase nothing more is accepted. The text of each whole response
 * (its C=1 parts joined) is well formed. Full feature phase is granted only
 * after the ACL said yes for the names the login ends with, and, when the
 * ACL requires CHAP, only after the method said it succeeded; the final
 * parameters stay within the RFC's ranges and the ACL's limits.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "common/util.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/login.h"

struct fake_env {
	uint8_t conf;
	int authorize_calls;
	uint16_t authorize_status;
	bool authorized;
	char initiator[ISCSI_NAME_MAX + 1];
	char target[ISCSI_NAME_MAX + 1];
	bool has_target;
	struct param_limits limits;
	bool chap_ok; /* the fake method saw the right response */
	int auth_calls;
};

static uint16_t fake_authorize(void *arg, enum iscsi_session_type type, const char *initiator,
			       const char *target, struct param_limits *limits, uint16_t *tpg_tag,
			       const char **target_alias)
{
	struct fake_env *e = arg;

	e->authorize_calls++;
	FUZZ_CHECK(e->authorize_calls == 1, "authorize called %d times", e->authorize_calls);
	FUZZ_CHECK(initiator && initiator[0], "authorize without an initiator name");
	FUZZ_CHECK((type == ISCSI_SESSION_DISCOVERY) == (target == NULL),
		   "target name %s for a %s session", target ? "given" : "missing",
		   type == ISCSI_SESSION_DISCOVERY ? "discovery" : "normal");
	FUZZ_CHECK(!target || target[0], "empty target name for a normal session");
	snprintf(e->initiator, sizeof(e->initiator), "%s", initiator);
	e->has_target = target != NULL;
	if (target)
		snprintf(e->target, sizeof(e->target), "%s", target);
	/* limits holds param_limits_default() on entry (login.h). */
	{
		struct param_limits def;

		param_limits_default(&def);
		FUZZ_CHECK(!memcmp(&def, limits, sizeof(def)), "limits not defaulted on entry");
	}
	switch (e->conf & 0x03) {
	case 1: /* CHAP required */
		limits->auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
		break;
	case 2: /* CHAP or None */
		limits->auth_methods |= PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
		break;
	case 3: /* refused */
		e->authorize_status = ISCSI_LOGIN_AUTHORIZATION_FAILURE;
		return e->authorize_status;
	default:
		break;
	}
	if (e->conf & 0x04) {
		limits->header_digest_required = true;
		limits->data_digest_required = true;
	}
	if (e->conf & 0x08) {
		limits->immediate_data = false;
		limits->initial_r2t = true;
	}
	if (e->conf & 0x10) {
		limits->max_recv_dsl = 512;
		limits->first_burst = 512;
		limits->max_burst = 1024;
	}
	if (e->conf & 0x20)
		limits->max_erl = 2;
	*tpg_tag = 7;
	/* A long alias (over 255 bytes must not be sent), or a short one. */
	if (e->conf & 0x40) {
		static char alias[300];

		memset(alias, 'a', sizeof(alias) - 1);
		*target_alias = alias;
	} else {
		*target_alias = "portico disk";
	}
	e->limits = *limits;
	e->authorize_status = ISCSI_LOGIN_OK;
	e->authorized = true;
	return ISCSI_LOGIN_OK;
}

/*
 * A stand-in for CHAP: the first call sends a challenge, and the exchange
 * succeeds when a later request carries CHAP_N=<initiator> and
 * CHAP_R=0x0102. Anything else fails the login.
 */
static uint16_t fake_authenticate(void *arg, enum param_auth_method method, const char *initiator,
				  const char *target, const uint8_t *keys, size_t len,
				  struct text_buf *out, bool *done, const char **reason)
{
	struct fake_env *e = arg;
	struct text_iter it;
	struct text_pair pair;
	bool name = false, rsp = false;
	int rc;

	(void)target;
	FUZZ_CHECK(e->authorized, "authenticate before authorize");
	FUZZ_CHECK(method == PARAM_AUTH_CHAP, "authenticate for method %d", (int)method);
	FUZZ_CHECK(!strcmp(initiator, e->initiator), "authenticate for another initiator");
	FUZZ_CHECK(len == 0 || keys, "keys NULL with length %zu", len);
	if (e->auth_calls++ == 0) {
		if (text_buf_add(out, "CHAP_A", "5") || text_buf_add(out, "CHAP_I", "1") ||
		    text_buf_add(out, "CHAP_C", "0x0011223344556677"))
			return ISCSI_LOGIN_OUT_OF_RESOURCES;
		return ISCSI_LOGIN_OK;
	}
	text_iter_init(&it, keys, len);
	while ((rc = text_next(&it, &pair)) == 1) {
		FUZZ_CHECK(pair.key_len > 5 && !memcmp(pair.key, "CHAP_", 5),
			   "the method got key '%.*s'", (int)pair.key_len, pair.key);
		if (text_key_is(&pair, "CHAP_N") && text_value_is(&pair, initiator))
			name = true;
		if (text_key_is(&pair, "CHAP_R") && text_value_is(&pair, "0x0102"))
			rsp = true;
	}
	FUZZ_CHECK(rc == 0, "the method got malformed keys");
	if (!name || !rsp) {
		*reason = "wrong name or response";
		return ISCSI_LOGIN_AUTH_FAILURE;
	}
	e->chap_ok = true;
	*done = true;
	return ISCSI_LOGIN_OK;
}

static void check_final(const struct login_sm *sm, const struct fake_env *e)
{
	const struct iscsi_params *p = &sm->params;
	const struct param_limits *l = &e->limits;

	FUZZ_CHECK(e->authorized && e->authorize_status == ISCSI_LOGIN_OK,
		   "full feature phase without the ACL's consent");
	FUZZ_CHECK(!strcmp(sm->initiator_name, e->initiator),
		   "logged in as '%s', authorized as '%s'", sm->initiator_name, e->initiator);
	FUZZ_CHECK((sm->type == ISCSI_SESSION_NORMAL) == e->has_target, "session type changed");
	FUZZ_CHECK(sm->type == ISCSI_SESSION_DISCOVERY || !strcmp(sm->target_name, e->target),
		   "logged in to '%s', authorized for '%s'", sm->target_name, e->target);
	if (!(l->auth_methods & PARAM_AUTH_BIT(PARAM_AUTH_NONE)))
		FUZZ_CHECK(e->chap_ok, "full feature phase without the required authentication");
	FUZZ_CHECK(!l->header_digest_required || p->header_digest, "required header digest off");
	FUZZ_CHECK(!l->data_digest_required || p->data_digest, "required data digest off");
	FUZZ_CHECK(p->erl <= l->max_erl, "ErrorRecoveryLevel %u above %u", p->erl, l->max_erl);
	/* Ours, or the RFC's 8192 when the operational stage was skipped (§13.12). */
	FUZZ_CHECK(p->max_recv_dsl >= 512 && p->max_recv_dsl <= MAX(l->max_recv_dsl, 8192u),
		   "our MaxRecvDataSegmentLength %u (limit %u)", p->max_recv_dsl, l->max_recv_dsl);
	FUZZ_CHECK(p->max_xmit_dsl >= 512 && p->max_xmit_dsl <= 16777215, "max_xmit_dsl %u",
		   p->max_xmit_dsl);
	FUZZ_CHECK(p->max_burst <= MAX(l->max_burst, 262144u), "max_burst %u", p->max_burst);
	if (sm->type == ISCSI_SESSION_NORMAL && !(p->initial_r2t && !p->immediate_data))
		FUZZ_CHECK(p->first_burst <= p->max_burst,
			   "FirstBurstLength %u > MaxBurstLength %u", p->first_burst, p->max_burst);
	if (sm->type == ISCSI_SESSION_NORMAL) {
		/*
		 * What the target offers because it cannot live with the RFC's
		 * default (param.c): ImmediateData=No (AND), a FirstBurstLength
		 * below 65536 (MIN), InitialR2T=Yes (OR). Neither skipping the
		 * operational stage (login-skip-operational) nor answering the
		 * offers Reject (param-offer-rejected) may get around them.
		 */
		FUZZ_CHECK(!p->immediate_data || l->immediate_data,
			   "ImmediateData=Yes though the target wants No");
		if (!(p->initial_r2t && !p->immediate_data))
			FUZZ_CHECK(p->first_burst <= MAX(l->first_burst, 512u),
				   "FirstBurstLength %u above the target's %u", p->first_burst,
				   l->first_burst);
		FUZZ_CHECK(!l->initial_r2t || p->initial_r2t,
			   "InitialR2T=No though the target wants Yes");
	}
	FUZZ_CHECK(memchr(sm->initiator_alias, '\0', sizeof(sm->initiator_alias)),
		   "alias not terminated");
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
	struct fake_env e = {0};
	struct login_env env = {.arg = &e, .authorize = fake_authorize};
	struct login_sm sm;
	struct fuzz_in in;
	struct text_buf whole; /* the parts of one response, joined */
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN];
	const uint8_t *seg;
	size_t dlen;
	bool over = false;
	int npdu = 0;

	if (size < 1)
		return 0;
	e.conf = data[0];
	if (e.conf & 0x80)
		env.authenticate = fake_authenticate;
	login_init(&sm, &env);
	text_buf_init(&whole, 1u << 20);
	fuzz_in_init(&in, data + 1, size - 1);

	while (fuzz_next_pdu(&in, bhs, &seg, &dlen) && npdu++ < 64) {
		const struct iscsi_login_rsp *r = (const struct iscsi_login_rsp *)rsp;
		uint8_t *copy = malloc(dlen ? dlen : 1); /* exact size: ASan sees overreads */
		enum login_result res;
		uint32_t rdlen;
		uint8_t csg, nsg;

		memcpy(copy, seg, dlen);
		memset(rsp, 0xa5, sizeof(rsp));
		res = login_handle(&sm, bhs, dlen ? copy : NULL, dlen, rsp);
		free(copy);

		rdlen = get_be24(rsp + 5);
		csg = (r->flags & ISCSI_LOGIN_CSG_MASK) >> ISCSI_LOGIN_CSG_SHIFT;
		nsg = r->flags & ISCSI_LOGIN_NSG_MASK;
		FUZZ_CHECK(r->opcode == ISCSI_OP_LOGIN_RSP, "response opcode 0x%02x", r->opcode);
		FUZZ_CHECK(r->version_max == 0 && r->version_active == 0, "version %u/%u",
			   r->version_max, r->version_active);
		FUZZ_CHECK(!memcmp(r->isid, bhs + 8, 6) && !memcmp(r->itt, bhs + 16, 4),
			   "ISID or ITT not echoed");
		FUZZ_CHECK(r->total_ahs_len == 0, "AHS in a login response");
		FUZZ_CHECK(rdlen == sm.rsp_data.len, "DataSegmentLength %u, data %zu", rdlen,
			   sm.rsp_data.len);
		FUZZ_CHECK(rdlen <= LOGIN_PDU_DSL_MAX, "login response of %u bytes", rdlen);
		if (sm.neg_ready)
			FUZZ_CHECK(rdlen <= sm.neg.params.max_xmit_dsl,
				   "%u bytes to an initiator that takes %u", rdlen,
				   sm.neg.params.max_xmit_dsl);
		FUZZ_CHECK(!((r->flags & ISCSI_LOGIN_FLAG_TRANSIT) &&
			     (r->flags & ISCSI_LOGIN_FLAG_CONTINUE)),
			   "response with both T and C");
		FUZZ_CHECK(csg != 2, "response CSG 2");
		if (r->flags & ISCSI_LOGIN_FLAG_TRANSIT)
			FUZZ_CHECK(nsg != 2 && nsg > csg, "transition from %u to %u", csg, nsg);
		else
			FUZZ_CHECK(nsg == 0, "NSG %u without T", nsg);
		if (over) {
			FUZZ_CHECK(res == LOGIN_RESULT_FAIL,
				   "a request accepted after the login ended");
		}
		switch (res) {
		case LOGIN_RESULT_FAIL:
			FUZZ_CHECK(r->status_class != 0, "failure with status class 0");
			FUZZ_CHECK(rdlen == 0 && r->flags == 0, "failure with data or flags");
			over = true;
			break;
		case LOGIN_RESULT_CONTINUE:
		case LOGIN_RESULT_FULL_FEATURE:
			FUZZ_CHECK(r->status_class == 0 && r->status_detail == 0,
				   "success with status %u/%u", r->status_class, r->status_detail);
			if (rdlen)
				FUZZ_CHECK(!text_buf_append(&whole, sm.rsp_data.data, rdlen),
					   "joined response past 1 MiB");
			if (!(r->flags & ISCSI_LOGIN_FLAG_CONTINUE)) {
				FUZZ_CHECK(fuzz_text_well_formed(whole.data, whole.len),
					   "malformed response text");
				text_buf_reset(&whole);
			}
			if (res == LOGIN_RESULT_CONTINUE) {
				FUZZ_CHECK(!(r->flags & ISCSI_LOGIN_FLAG_TRANSIT) ||
					       nsg != ISCSI_STAGE_FULL_FEATURE,
					   "T=1 NSG=3 without full feature phase");
				break;
			}
			FUZZ_CHECK((r->flags & ISCSI_LOGIN_FLAG_TRANSIT) &&
				       nsg == ISCSI_STAGE_FULL_FEATURE,
				   "full feature phase without T=1 NSG=3");
			check_final(&sm, &e);
			over = true;
			break;
		default:
			FUZZ_CHECK(false, "login_handle returned %d", (int)res);
		}
	}
	text_buf_fini(&whole);
	login_fini(&sm);
	return 0;
}

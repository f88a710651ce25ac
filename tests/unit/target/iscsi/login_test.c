/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for target/iscsi/login.c: the login phase (RFC 7143 §6.3, §11.12, §11.13). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "target/iscsi/chap.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/login.h"
#include "tests/unit/check_main.h"

#define INAME "iqn.1993-08.org.debian:01:host1"
#define TNAME "iqn.2024-01.com.example:disk1"

/* ---- a fake ACL and authenticator ---- */

struct fake {
	int authorize_calls;
	enum iscsi_session_type type;
	char initiator[256], target[256];
	bool target_null;
	uint16_t status;
	struct param_limits limits;
	bool set_limits;
	uint16_t tag;
	const char *alias;
	int auth_calls;
	uint16_t auth_status;
};

static struct fake fake;

static uint16_t fake_authorize(void *arg, enum iscsi_session_type type, const char *initiator,
			       const char *target, struct param_limits *limits, uint16_t *tpg_tag,
			       const char **target_alias)
{
	struct fake *f = arg;

	f->authorize_calls++;
	f->type = type;
	snprintf(f->initiator, sizeof(f->initiator), "%s", initiator);
	f->target_null = !target;
	snprintf(f->target, sizeof(f->target), "%s", target ? target : "");
	if (f->status)
		return f->status;
	if (f->set_limits)
		*limits = f->limits;
	*tpg_tag = f->tag;
	*target_alias = f->alias;
	return ISCSI_LOGIN_OK;
}

/*
 * A CHAP stand-in: the first call must bring CHAP_A, and gets a challenge;
 * the second must bring CHAP_N and CHAP_R=0x01, and succeeds.
 */
static uint16_t fake_authenticate(void *arg, enum param_auth_method method, const char *initiator,
				  const char *target, const uint8_t *keys, size_t len,
				  struct text_buf *out, bool *done, const char **reason)
{
	static const char a[] = "CHAP_A=5";
	static const char nr[] = "CHAP_N=user\0CHAP_R=0x01";
	struct fake *f = arg;

	ck_assert_int_eq(method, PARAM_AUTH_CHAP);
	ck_assert_str_eq(initiator, INAME);
	ck_assert_str_eq(target, TNAME);
	f->auth_calls++;
	if (f->auth_status) {
		*reason = "fake says no";
		return f->auth_status;
	}
	if (f->auth_calls == 1) {
		ck_assert_uint_eq(len, sizeof(a));
		ck_assert_mem_eq(keys, a, sizeof(a));
		ck_assert_int_eq(text_buf_add(out, "CHAP_A", "5"), 0);
		ck_assert_int_eq(text_buf_add(out, "CHAP_I", "7"), 0);
		ck_assert_int_eq(text_buf_add(out, "CHAP_C", "0xabcdef"), 0);
		*done = false;
		return ISCSI_LOGIN_OK;
	}
	ck_assert_uint_eq(len, sizeof(nr));
	ck_assert_mem_eq(keys, nr, sizeof(nr));
	*done = true;
	return ISCSI_LOGIN_OK;
}

/* ---- driving the state machine ---- */

static struct login_env env;
static struct login_sm sm;
static uint8_t rsp[ISCSI_BHS_LEN];
static char rendered[70000];
static uint8_t isid[6] = {0x80, 0x12, 0x34, 0x56, 0x78, 0x9a};
static uint32_t itt = 0x11223344, cmdsn = 100;
static uint16_t cid = 1, tsih;

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.tag = 1;
	env.arg = &fake;
	env.authorize = fake_authorize;
	env.authenticate = NULL;
	itt = 0x11223344;
	cmdsn = 100;
	cid = 1;
	tsih = 0;
	login_init(&sm, &env);
}

static struct chap *chap_run;
static uint32_t chap_allowed; /* the credentials' algorithms (chap_algorithms); 0: all */

static void teardown(void)
{
	login_fini(&sm);
	chap_destroy(chap_run);
	chap_run = NULL;
	chap_allowed = 0;
}

static void mkbhs(uint8_t *b, bool t, bool c, int csg, int nsg, uint32_t dlen)
{
	memset(b, 0, ISCSI_BHS_LEN);
	b[0] = ISCSI_OP_IMMEDIATE | ISCSI_OP_LOGIN_REQ;
	b[1] = (uint8_t)((t ? 0x80 : 0) | (c ? 0x40 : 0) | csg << 2 | nsg);
	b[2] = 0; /* Version-max */
	b[3] = 0; /* Version-min */
	put_be24(b + 5, dlen);
	memcpy(b + 8, isid, 6);
	put_be16(b + 14, tsih);
	put_be32(b + 16, itt);
	put_be16(b + 20, cid);
	put_be32(b + 24, cmdsn);
	put_be32(b + 28, 7); /* ExpStatSN */
}

static enum login_result send_raw(const uint8_t *bhs, const void *text, size_t len)
{
	enum login_result res;

	memset(rsp, 0xee, sizeof(rsp));
	res = login_handle(&sm, bhs, text, len, rsp);
	/* what every response carries */
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGIN_RSP);
	ck_assert_uint_eq(rsp[2], 0);		 /* Version-max */
	ck_assert_uint_eq(rsp[3], 0);		 /* Version-active */
	ck_assert_mem_eq(rsp + 8, bhs + 8, 6);	 /* ISID */
	ck_assert_mem_eq(rsp + 14, bhs + 14, 2); /* TSIH */
	ck_assert_mem_eq(rsp + 16, bhs + 16, 4); /* ITT */
	ck_assert_uint_eq(get_be24(rsp + 5), sm.rsp_data.len);
	ck_assert_uint_le(sm.rsp_data.len, 8192);
	return res;
}

static enum login_result send_pdu(bool t, bool c, int csg, int nsg, const void *text, size_t len)
{
	uint8_t bhs[ISCSI_BHS_LEN];

	mkbhs(bhs, t, c, csg, nsg, (uint32_t)len);
	return send_raw(bhs, text, len);
}

#define SEND(t, c, csg, nsg, s) send_pdu(t, c, csg, nsg, s, sizeof(s) - 1)

static uint8_t rsp_flags(void)
{
	return rsp[1];
}

static uint16_t rsp_status(void)
{
	return (uint16_t)(rsp[36] << 8 | rsp[37]);
}

static const char *render(void)
{
	size_t o = 0;

	for (size_t i = 0; i < sm.rsp_data.len; i++)
		rendered[o++] = sm.rsp_data.data[i] ? (char)sm.rsp_data.data[i] : ';';
	rendered[o] = '\0';
	return rendered;
}

#define FLAGS(t, c, csg, nsg) ((uint8_t)((t) << 7 | (c) << 6 | (csg) << 2 | (nsg)))

static void expect_fail(enum login_result res, uint16_t status)
{
	ck_assert_int_eq(res, LOGIN_RESULT_FAIL);
	ck_assert_uint_eq(rsp_status(), status);
	ck_assert_uint_eq(get_be24(rsp + 5), 0);
}

#define FIRST_SEC                                                                                  \
	"InitiatorName=" INAME "\0InitiatorAlias=host1\0TargetName=" TNAME "\0"                    \
	"SessionType=Normal\0AuthMethod=None\0"

/* open-iscsi's operational keys */
#define OPKEYS                                                                                     \
	"HeaderDigest=None\0DataDigest=None\0DefaultTime2Wait=2\0DefaultTime2Retain=0\0"           \
	"IFMarker=No\0OFMarker=No\0ErrorRecoveryLevel=0\0InitialR2T=No\0ImmediateData=Yes\0"       \
	"MaxBurstLength=16776192\0FirstBurstLength=262144\0MaxOutstandingR2T=1\0"                  \
	"MaxConnections=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0"                          \
	"MaxRecvDataSegmentLength=262144\0"

#define OPANSWERS                                                                                  \
	"HeaderDigest=None;DataDigest=None;DefaultTime2Wait=2;DefaultTime2Retain=0;"               \
	"IFMarker=Reject;OFMarker=Reject;ErrorRecoveryLevel=0;InitialR2T=No;ImmediateData=Yes;"    \
	"MaxBurstLength=1048576;MaxOutstandingR2T=1;MaxConnections=1;DataPDUInOrder=Yes;"          \
	"DataSequenceInOrder=Yes;FirstBurstLength=65536;MaxRecvDataSegmentLength=262144;"

/* ---- whole logins ---- */

START_TEST(test_security_operational_ffp)
{
	fake.alias = "disk one";
	ck_assert_int_eq(SEND(1, 0, 0, 1, FIRST_SEC), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_status(), 0);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 0, 1));
	ck_assert_str_eq(render(), "TargetPortalGroupTag=1;TargetAlias=disk one;AuthMethod=None;");
	ck_assert_int_eq(fake.authorize_calls, 1);
	ck_assert_int_eq(fake.type, ISCSI_SESSION_NORMAL);
	ck_assert_str_eq(fake.initiator, INAME);
	ck_assert_str_eq(fake.target, TNAME);

	ck_assert_int_eq(SEND(1, 0, 1, 3, OPKEYS), LOGIN_RESULT_FULL_FEATURE);
	ck_assert_uint_eq(rsp_status(), 0);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 1, 3));
	ck_assert_str_eq(render(), OPANSWERS);
	ck_assert_int_eq(fake.authorize_calls, 1);

	/* what the session gets */
	ck_assert_int_eq(sm.type, ISCSI_SESSION_NORMAL);
	ck_assert_str_eq(sm.initiator_name, INAME);
	ck_assert_str_eq(sm.target_name, TNAME);
	ck_assert_str_eq(sm.initiator_alias, "host1");
	ck_assert_mem_eq(sm.isid, isid, 6);
	ck_assert_uint_eq(sm.tsih, 0);
	ck_assert_uint_eq(sm.cid, 1);
	ck_assert_uint_eq(sm.itt, 0x11223344);
	ck_assert_uint_eq(sm.cmdsn, 100);
	ck_assert_uint_eq(sm.exp_statsn, 7);
	ck_assert_uint_eq(sm.tpg_tag, 1);
	ck_assert(!sm.params.header_digest && !sm.params.data_digest);
	ck_assert(!sm.params.initial_r2t && sm.params.immediate_data);
	ck_assert_uint_eq(sm.params.max_recv_dsl, 262144);
	ck_assert_uint_eq(sm.params.max_xmit_dsl, 262144);
	ck_assert_uint_eq(sm.params.max_burst, 1048576);
	ck_assert_uint_eq(sm.params.first_burst, 65536);
	ck_assert_uint_eq(sm.params.default_time2retain, 0);
	ck_assert_uint_eq(sm.params.max_outstanding_r2t, 1);

	/* nothing more once it is over */
	expect_fail(SEND(1, 0, 1, 3, ""), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_operational_only)
{
	fake.tag = 7;
	ck_assert_int_eq(SEND(1, 0, 1, 3, "InitiatorName=" INAME "\0TargetName=" TNAME "\0" OPKEYS),
			 LOGIN_RESULT_FULL_FEATURE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 1, 3));
	ck_assert_str_eq(render(), "TargetPortalGroupTag=7;" OPANSWERS);
	ck_assert_uint_eq(sm.tpg_tag, 7);
}
END_TEST

START_TEST(test_operational_in_two_steps)
{
	/* T=0 first: the target answers and stays; then T=1 with the rest */
	ck_assert_int_eq(
	    SEND(0, 0, 1, 0, "InitiatorName=" INAME "\0TargetName=" TNAME "\0HeaderDigest=None\0"),
	    LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 1, 0));
	ck_assert_str_eq(
	    render(), "TargetPortalGroupTag=1;HeaderDigest=None;MaxRecvDataSegmentLength=262144;");
	ck_assert_int_eq(SEND(1, 0, 1, 3, "DataDigest=None\0"), LOGIN_RESULT_FULL_FEATURE);
	ck_assert_str_eq(render(), "DataDigest=None;");
}
END_TEST

START_TEST(test_security_straight_to_ffp)
{
	/* §6.3: the operational stage may be skipped; everything keeps its default */
	ck_assert_int_eq(SEND(1, 0, 0, 3, FIRST_SEC), LOGIN_RESULT_FULL_FEATURE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 0, 3));
	ck_assert_str_eq(render(), "TargetPortalGroupTag=1;AuthMethod=None;");
	ck_assert_uint_eq(sm.params.max_recv_dsl, 8192);
	ck_assert_uint_eq(sm.params.max_xmit_dsl, 8192);
	ck_assert(sm.params.initial_r2t);
}
END_TEST

START_TEST(test_discovery)
{
	ck_assert_int_eq(
	    SEND(1, 0, 0, 1, "InitiatorName=" INAME "\0SessionType=Discovery\0AuthMethod=None\0"),
	    LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 0, 1));
	ck_assert_str_eq(render(), "AuthMethod=None;"); /* no TargetPortalGroupTag */
	ck_assert_int_eq(fake.type, ISCSI_SESSION_DISCOVERY);
	ck_assert(fake.target_null);
	ck_assert_int_eq(SEND(1, 0, 1, 3,
			      "HeaderDigest=None\0DataDigest=None\0DefaultTime2Wait=2\0"
			      "DefaultTime2Retain=0\0IFMarker=No\0OFMarker=No\0"
			      "ErrorRecoveryLevel=0\0MaxRecvDataSegmentLength=32768\0"
			      "InitialR2T=Yes\0MaxBurstLength=262144\0"),
			 LOGIN_RESULT_FULL_FEATURE);
	ck_assert_str_eq(render(), "HeaderDigest=None;DataDigest=None;DefaultTime2Wait=2;"
				   "DefaultTime2Retain=0;IFMarker=Reject;OFMarker=Reject;"
				   "ErrorRecoveryLevel=0;InitialR2T=Irrelevant;"
				   "MaxBurstLength=Irrelevant;MaxRecvDataSegmentLength=262144;");
	ck_assert_int_eq(sm.type, ISCSI_SESSION_DISCOVERY);
	ck_assert_str_eq(sm.target_name, "");
	ck_assert_uint_eq(sm.params.max_xmit_dsl, 32768);
}
END_TEST

/* ---- who may log in ---- */

START_TEST(test_missing_initiator_name)
{
	expect_fail(SEND(1, 0, 0, 1, "TargetName=" TNAME "\0AuthMethod=None\0"),
		    ISCSI_LOGIN_MISSING_PARAMETER);
	ck_assert_int_eq(fake.authorize_calls, 0);
}
END_TEST

START_TEST(test_missing_target_name)
{
	expect_fail(SEND(1, 0, 0, 1, "InitiatorName=" INAME "\0SessionType=Normal\0"),
		    ISCSI_LOGIN_MISSING_PARAMETER);
	ck_assert_int_eq(fake.authorize_calls, 0);
}
END_TEST

START_TEST(test_bad_session_type)
{
	expect_fail(SEND(1, 0, 0, 1, "InitiatorName=" INAME "\0SessionType=Boot\0"),
		    ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED);
}
END_TEST

START_TEST(test_authorize_failure)
{
	fake.status = ISCSI_LOGIN_NOT_FOUND;
	expect_fail(SEND(1, 0, 0, 1, FIRST_SEC), ISCSI_LOGIN_NOT_FOUND);
	ck_assert_int_eq(fake.authorize_calls, 1);
	/* the names are there for the caller's log */
	ck_assert_str_eq(sm.initiator_name, INAME);
	expect_fail(SEND(1, 0, 0, 1, FIRST_SEC), ISCSI_LOGIN_INITIATOR_ERROR);
	ck_assert_int_eq(fake.authorize_calls, 1);

	teardown();
	setup();
	fake.status = ISCSI_LOGIN_AUTHORIZATION_FAILURE;
	expect_fail(SEND(1, 0, 1, 3, "InitiatorName=" INAME "\0TargetName=" TNAME "\0"),
		    ISCSI_LOGIN_AUTHORIZATION_FAILURE);
}
END_TEST

START_TEST(test_no_authorize_callback)
{
	env.authorize = NULL;
	expect_fail(SEND(1, 0, 0, 1, FIRST_SEC), ISCSI_LOGIN_TARGET_ERROR);
}
END_TEST

/* ---- the PDU itself ---- */

START_TEST(test_version)
{
	uint8_t bhs[ISCSI_BHS_LEN];

	mkbhs(bhs, 1, 0, 0, 1, sizeof(FIRST_SEC) - 1);
	bhs[2] = 2;
	bhs[3] = 1; /* Version-min 1: we only have 0 */
	expect_fail(send_raw(bhs, FIRST_SEC, sizeof(FIRST_SEC) - 1),
		    ISCSI_LOGIN_UNSUPPORTED_VERSION);

	/* a Version-max above ours is fine; it must not change afterwards */
	teardown();
	setup();
	mkbhs(bhs, 1, 0, 0, 1, sizeof(FIRST_SEC) - 1);
	bhs[2] = 5;
	ck_assert_int_eq(send_raw(bhs, FIRST_SEC, sizeof(FIRST_SEC) - 1), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp[2], 0);
	ck_assert_uint_eq(rsp[3], 0);
	mkbhs(bhs, 1, 0, 1, 3, 0);
	bhs[2] = 4;
	expect_fail(send_raw(bhs, "", 0), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_not_a_login)
{
	uint8_t bhs[ISCSI_BHS_LEN];

	mkbhs(bhs, 1, 0, 0, 1, 0);
	bhs[0] = ISCSI_OP_TEXT_REQ;
	expect_fail(send_raw(bhs, "", 0), ISCSI_LOGIN_INVALID_DURING_LOGIN);
}
END_TEST

START_TEST(test_bad_stages)
{
	/* first request in full feature phase, or the reserved stage 2 */
	expect_fail(SEND(0, 0, 3, 0, FIRST_SEC), ISCSI_LOGIN_INITIATOR_ERROR);
	teardown();
	setup();
	expect_fail(SEND(0, 0, 2, 0, FIRST_SEC), ISCSI_LOGIN_INITIATOR_ERROR);
	/* NSG 2 is reserved */
	teardown();
	setup();
	expect_fail(SEND(1, 0, 0, 2, FIRST_SEC), ISCSI_LOGIN_INITIATOR_ERROR);
	/* NSG must lie ahead */
	teardown();
	setup();
	expect_fail(SEND(1, 0, 1, 1, "InitiatorName=" INAME "\0TargetName=" TNAME "\0"),
		    ISCSI_LOGIN_INITIATOR_ERROR);
	teardown();
	setup();
	expect_fail(SEND(1, 0, 1, 0, "InitiatorName=" INAME "\0TargetName=" TNAME "\0"),
		    ISCSI_LOGIN_INITIATOR_ERROR);
	/* CSG must stay where the last transition left it */
	teardown();
	setup();
	ck_assert_int_eq(SEND(0, 0, 0, 0, FIRST_SEC), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 0, 0));
	expect_fail(SEND(1, 0, 1, 3, ""), ISCSI_LOGIN_INITIATOR_ERROR);
	teardown();
	setup();
	ck_assert_int_eq(SEND(1, 0, 0, 1, FIRST_SEC), LOGIN_RESULT_CONTINUE);
	expect_fail(SEND(1, 0, 0, 1, ""), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_transit_and_continue)
{
	expect_fail(SEND(1, 1, 0, 1, FIRST_SEC), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_fields_must_not_change)
{
	static const struct {
		uint32_t *u32;
		uint16_t *u16;
		uint8_t *u8;
	} fields[] = {{&itt, NULL, NULL},
		      {&cmdsn, NULL, NULL},
		      {NULL, &cid, NULL},
		      {NULL, &tsih, NULL},
		      {NULL, NULL, &isid[5]}};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		teardown();
		setup();
		ck_assert_int_eq(SEND(1, 0, 0, 1, FIRST_SEC), LOGIN_RESULT_CONTINUE);
		if (fields[i].u32)
			(*fields[i].u32)++;
		else if (fields[i].u16)
			(*fields[i].u16)++;
		else
			(*fields[i].u8)++;
		expect_fail(SEND(1, 0, 1, 3, "HeaderDigest=None\0"), ISCSI_LOGIN_INITIATOR_ERROR);
		if (fields[i].u8)
			(*fields[i].u8)--;
	}
}
END_TEST

START_TEST(test_tsih_echoed)
{
	/* a login for an existing session: the TSIH is echoed, the caller judges it */
	tsih = 0x1234;
	ck_assert_int_eq(SEND(1, 0, 0, 1, FIRST_SEC), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(get_be16(rsp + 14), 0x1234);
	ck_assert_uint_eq(sm.tsih, 0x1234);
}
END_TEST

/* ---- keys ---- */

START_TEST(test_keys_in_wrong_stage_and_twice)
{
	/* §12: an operational key in the security stage */
	expect_fail(SEND(1, 0, 0, 1, FIRST_SEC "MaxBurstLength=65536\0"),
		    ISCSI_LOGIN_INITIATOR_ERROR);
	/* §6.2: a key again in a later request */
	teardown();
	setup();
	ck_assert_int_eq(
	    SEND(0, 0, 1, 0, "InitiatorName=" INAME "\0TargetName=" TNAME "\0InitialR2T=No\0"),
	    LOGIN_RESULT_CONTINUE);
	expect_fail(SEND(1, 0, 1, 3, "InitialR2T=Yes\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	/* TargetAddress comes from targets only */
	teardown();
	setup();
	expect_fail(SEND(1, 0, 0, 1, FIRST_SEC "TargetAddress=10.0.0.1:3260,1\0"),
		    ISCSI_LOGIN_INITIATOR_ERROR);
	/* malformed text */
	teardown();
	setup();
	expect_fail(SEND(1, 0, 0, 1, FIRST_SEC "oops\0"), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_target_offers)
{
	/* ImmediateData=No and a smaller FirstBurstLength need the initiator's answer */
	param_limits_default(&fake.limits);
	fake.limits.immediate_data = false;
	fake.limits.first_burst = 16384;
	fake.set_limits = true;
	ck_assert_int_eq(
	    SEND(1, 0, 1, 3, "InitiatorName=" INAME "\0TargetName=" TNAME "\0InitialR2T=No\0"),
	    LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 1, 0)); /* T=0: not yet */
	ck_assert_str_eq(render(), "TargetPortalGroupTag=1;InitialR2T=No;"
				   "MaxRecvDataSegmentLength=262144;ImmediateData=No;"
				   "FirstBurstLength=16384;");
	ck_assert_int_eq(SEND(1, 0, 1, 3, "ImmediateData=No\0FirstBurstLength=16384\0"),
			 LOGIN_RESULT_FULL_FEATURE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 1, 3));
	ck_assert_str_eq(render(), "");
	ck_assert(!sm.params.immediate_data);
	ck_assert_uint_eq(sm.params.first_burst, 16384);
}
END_TEST

START_TEST(test_target_offers_unanswered)
{
	param_limits_default(&fake.limits);
	fake.limits.immediate_data = false;
	fake.set_limits = true;
	ck_assert_int_eq(SEND(1, 0, 1, 3, "InitiatorName=" INAME "\0TargetName=" TNAME "\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 1, 0));
	expect_fail(SEND(1, 0, 1, 3, ""), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

/* ---- authentication ---- */

START_TEST(test_auth_required_without_method)
{
	/* the ACL wants CHAP, but nobody here runs it: None is all that is left */
	param_limits_default(&fake.limits);
	fake.limits.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	fake.set_limits = true;
	ck_assert_int_eq(SEND(0, 0, 0, 0,
			      "InitiatorName=" INAME "\0TargetName=" TNAME
			      "\0AuthMethod=CHAP,None\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_str_eq(render(), "TargetPortalGroupTag=1;AuthMethod=Reject;");
	expect_fail(SEND(1, 0, 0, 1, ""), ISCSI_LOGIN_AUTH_FAILURE);

	/* skipping the security stage is no way around it */
	teardown();
	setup();
	param_limits_default(&fake.limits);
	fake.limits.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	fake.set_limits = true;
	expect_fail(SEND(1, 0, 1, 3, "InitiatorName=" INAME "\0TargetName=" TNAME "\0"),
		    ISCSI_LOGIN_AUTH_FAILURE);

	/* nor is leaving it without a word about AuthMethod */
	teardown();
	setup();
	param_limits_default(&fake.limits);
	fake.limits.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	fake.set_limits = true;
	env.authenticate = fake_authenticate;
	expect_fail(SEND(1, 0, 0, 1, "InitiatorName=" INAME "\0TargetName=" TNAME "\0"),
		    ISCSI_LOGIN_AUTH_FAILURE);
}
END_TEST

START_TEST(test_no_auth_method_sent)
{
	/* §12.1: AuthMethod defaults to None, which is fine when None is allowed */
	ck_assert_int_eq(SEND(1, 0, 0, 1, "InitiatorName=" INAME "\0TargetName=" TNAME "\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 0, 1));
}
END_TEST

START_TEST(test_chap_exchange)
{
	param_limits_default(&fake.limits);
	fake.limits.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	fake.set_limits = true;
	env.authenticate = fake_authenticate;

	ck_assert_int_eq(SEND(1, 0, 0, 1,
			      "InitiatorName=" INAME "\0TargetName=" TNAME
			      "\0AuthMethod=CHAP,None\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 0, 0)); /* the method has to run first */
	ck_assert_str_eq(render(), "TargetPortalGroupTag=1;AuthMethod=CHAP;");
	ck_assert_int_eq(fake.auth_calls, 0);

	ck_assert_int_eq(SEND(1, 0, 0, 1, "CHAP_A=5\0"), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 0, 0));
	ck_assert_str_eq(render(), "CHAP_A=5;CHAP_I=7;CHAP_C=0xabcdef;");
	ck_assert_int_eq(fake.auth_calls, 1);

	ck_assert_int_eq(SEND(1, 0, 0, 1, "CHAP_N=user\0CHAP_R=0x01\0"), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 0, 1));
	ck_assert_int_eq(fake.auth_calls, 2);

	ck_assert_int_eq(SEND(1, 0, 1, 3, "HeaderDigest=None\0"), LOGIN_RESULT_FULL_FEATURE);
	ck_assert_int_eq(fake.auth_calls, 2);
}
END_TEST

START_TEST(test_chap_keys_after_success)
{
	param_limits_default(&fake.limits);
	fake.limits.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	fake.set_limits = true;
	env.authenticate = fake_authenticate;

	/* the initiator stays in the security stage (T=0) once CHAP is through */
	ck_assert_int_eq(
	    SEND(0, 0, 0, 0, "InitiatorName=" INAME "\0TargetName=" TNAME "\0AuthMethod=CHAP\0"),
	    LOGIN_RESULT_CONTINUE);
	ck_assert_int_eq(SEND(0, 0, 0, 0, "CHAP_A=5\0"), LOGIN_RESULT_CONTINUE);
	ck_assert_int_eq(SEND(0, 0, 0, 0, "CHAP_N=user\0CHAP_R=0x01\0"), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 0, 0));
	/* more of the method's keys after it succeeded */
	expect_fail(SEND(1, 0, 0, 1, "CHAP_A=5\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	ck_assert_int_eq(fake.auth_calls, 2);
}
END_TEST

START_TEST(test_chap_failure)
{
	param_limits_default(&fake.limits);
	fake.limits.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	fake.set_limits = true;
	env.authenticate = fake_authenticate;
	ck_assert_int_eq(
	    SEND(1, 0, 0, 1, "InitiatorName=" INAME "\0TargetName=" TNAME "\0AuthMethod=CHAP\0"),
	    LOGIN_RESULT_CONTINUE);
	fake.auth_status = ISCSI_LOGIN_AUTH_FAILURE;
	expect_fail(SEND(1, 0, 0, 1, "CHAP_A=5\0"), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "fake says no"); /* the method's reason, for the log */

	/* CHAP keys when the method agreed on is None */
	teardown();
	setup();
	expect_fail(SEND(1, 0, 0, 1, FIRST_SEC "CHAP_A=5\0"), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

/* ---- the real CHAP (target/iscsi/chap.c) through the login ---- */

/* The identifier 0xa0, then the challenge 0xa1, 0xa2, ... */
static int chap_rng(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0xa0 + i);
	return 0;
}

static bool chap_expect_discovery;

/* What conn.c does, without the daemon: credentials for kvm1, mutual included. */
static uint16_t chap_authenticate(void *arg, enum param_auth_method method, const char *initiator,
				  const char *target, const uint8_t *keys, size_t len,
				  struct text_buf *out, bool *done, const char **reason)
{
	uint16_t st;

	(void)arg;
	ck_assert_int_eq(method, PARAM_AUTH_CHAP);
	ck_assert_str_eq(initiator, INAME);
	if (chap_expect_discovery)
		ck_assert_ptr_null(target);
	else
		ck_assert_str_eq(target, TNAME);
	if (!chap_run) {
		struct chap_creds cr;

		memset(&cr, 0, sizeof(cr));
		strcpy(cr.initiator.name, "kvm1-user");
		cr.initiator.secret_len = 16;
		memcpy(cr.initiator.secret, "initiator-secret", 16);
		strcpy(cr.target.name, "porticod-user");
		cr.target.secret_len = 16;
		memcpy(cr.target.secret, "target-secret-42", 16);
		cr.algs = chap_allowed;
		ck_assert_int_eq(chap_create(&cr, chap_rng, &chap_run), 0);
	}
	st = chap_step(chap_run, keys, len, out, done);
	if (st)
		*reason = chap_reason_text(chap_run->reason);
	return st;
}

/* H(0xa0 || "initiator-secret" || 0xa1...), computed with Python's hashlib */
#define CHAP_MD5_R "0x038e14ef2df94db95889a853faf52b3a"
#define CHAP_SHA256_R "0xa92f1dd8215592d3903145a1c469c44ff69d2d38f3f87b6d26feab0fd8b79acc"
#define CHAP_SHA3_R "0x7e0d71ddc8c9215bf204d8324e578b5dae55b10191ba1dd3afe60f20e4400211"
/* H(7 || "target-secret-42" || 16 x 0x11) */
#define CHAP_SHA256_MUTUAL_R "0x1640819e768c1b8a25f3358a362b0cde7e7525596ec67d6a58c8cd0e26df7b40"
#define CHAP_I_CHALLENGE "0x11111111111111111111111111111111"
#define CHAP_MD5_C "0xa1a2a3a4a5a6a7a8a9aaabacadaeafb0"
#define CHAP_SHA256_C "0xa1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0"

static void chap_required(void)
{
	param_limits_default(&fake.limits);
	fake.limits.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	fake.set_limits = true;
	env.authenticate = chap_authenticate;
	chap_expect_discovery = false;
}

/* libiscsi's way: AuthMethod with T=1, then CHAP_A with T=0, then the response with T=1. */
static void chap_start(const char *chap_a)
{
	char req[64];

	ck_assert_int_eq(SEND(1, 0, 0, 1,
			      "InitiatorName=" INAME "\0TargetName=" TNAME
			      "\0SessionType=Normal\0AuthMethod=CHAP,None\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_str_eq(render(), "TargetPortalGroupTag=1;AuthMethod=CHAP;");
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 0, 0));
	snprintf(req, sizeof(req), "CHAP_A=%s", chap_a);
	ck_assert_int_eq(send_pdu(0, 0, 0, 1, req, strlen(req) + 1), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 0, 0)); /* no way out before the response */
}

START_TEST(test_real_chap_one_way)
{
	chap_required();
	chap_start("5");
	ck_assert_str_eq(render(), "CHAP_A=5;CHAP_I=160;CHAP_C=" CHAP_MD5_C ";");
	ck_assert_int_eq(SEND(1, 0, 0, 1, "CHAP_N=kvm1-user\0CHAP_R=" CHAP_MD5_R "\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_status(), 0);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 0, 1));
	ck_assert_str_eq(render(), "");
	ck_assert_int_eq(SEND(1, 0, 1, 3, OPKEYS), LOGIN_RESULT_FULL_FEATURE);
	ck_assert_ptr_null(sm.fail_reason);
}
END_TEST

START_TEST(test_real_chap_mutual)
{
	chap_required();
	chap_start("7,5");
	ck_assert_str_eq(render(), "CHAP_A=7;CHAP_I=160;CHAP_C=" CHAP_SHA256_C ";");
	ck_assert_int_eq(SEND(1, 0, 0, 1,
			      "CHAP_N=kvm1-user\0CHAP_R=" CHAP_SHA256_R "\0CHAP_I=7\0CHAP_C=" CHAP_I_CHALLENGE
			      "\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 0, 1));
	/* the target proves itself in the response that lets the initiator go on */
	ck_assert_str_eq(render(), "CHAP_N=porticod-user;CHAP_R=" CHAP_SHA256_MUTUAL_R ";");
	ck_assert_int_eq(SEND(1, 0, 1, 3, OPKEYS), LOGIN_RESULT_FULL_FEATURE);
}
END_TEST

START_TEST(test_real_chap_algorithm_choice)
{
	chap_required();
	chap_start("8,7,6,5");
	ck_assert_str_eq(render(), "CHAP_A=8;CHAP_I=160;CHAP_C=" CHAP_SHA256_C ";");
	ck_assert_int_eq(SEND(1, 0, 0, 3, "CHAP_N=kvm1-user\0CHAP_R=" CHAP_SHA3_R "\0"),
			 LOGIN_RESULT_FULL_FEATURE);

	/*
	 * RFC 7143 §6.2.1: the initiator's first choice that we know. One that
	 * lists MD5 first and answers in MD5 logs in (it was given SHA3-256).
	 */
	teardown();
	setup();
	chap_required();
	chap_start("5,6,7,8");
	ck_assert_str_eq(render(), "CHAP_A=5;CHAP_I=160;CHAP_C=" CHAP_MD5_C ";");
	ck_assert_int_eq(SEND(1, 0, 0, 3, "CHAP_N=kvm1-user\0CHAP_R=" CHAP_MD5_R "\0"),
			 LOGIN_RESULT_FULL_FEATURE);

	/* chap_algorithms without MD5: the next of its list; MD5 alone, refused, and said why */
	teardown();
	setup();
	chap_allowed = CHAP_ALG_BIT(CHAP_ALG_SHA256) | CHAP_ALG_BIT(CHAP_ALG_SHA3_256);
	chap_required();
	chap_start("5,6,7,8");
	ck_assert_str_eq(render(), "CHAP_A=7;CHAP_I=160;CHAP_C=" CHAP_SHA256_C ";");
	ck_assert_int_eq(SEND(1, 0, 0, 3, "CHAP_N=kvm1-user\0CHAP_R=" CHAP_SHA256_R "\0"),
			 LOGIN_RESULT_FULL_FEATURE);
	teardown();
	setup();
	chap_allowed = CHAP_ALG_BIT(CHAP_ALG_SHA256) | CHAP_ALG_BIT(CHAP_ALG_SHA3_256);
	chap_required();
	ck_assert_int_eq(SEND(0, 0, 0, 0,
			      "InitiatorName=" INAME "\0TargetName=" TNAME "\0AuthMethod=CHAP\0"),
			 LOGIN_RESULT_CONTINUE);
	expect_fail(SEND(0, 0, 0, 0, "CHAP_A=5\0"), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_ptr_nonnull(strstr(sm.fail_reason, "refused by chap_algorithms"));

	/* nothing the target knows */
	teardown();
	setup();
	chap_required();
	ck_assert_int_eq(SEND(0, 0, 0, 0,
			      "InitiatorName=" INAME "\0TargetName=" TNAME "\0AuthMethod=CHAP\0"),
			 LOGIN_RESULT_CONTINUE);
	expect_fail(SEND(0, 0, 0, 0, "CHAP_A=129,1\0"), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "no CHAP algorithm in common");
}
END_TEST

START_TEST(test_real_chap_wrong_secret)
{
	chap_required();
	chap_start("7");
	/* the response for the right secret under MD5 is no SHA-256 response */
	expect_fail(SEND(1, 0, 0, 1,
			 "CHAP_N=kvm1-user\0CHAP_R=0xa92f1dd8215592d3903145a1c469c44ff69d2d38f3f87b6d26feab0fd8b79acd\0"),
		    ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "wrong secret");
	/* nothing more from this login */
	expect_fail(SEND(1, 0, 0, 1, "CHAP_N=kvm1-user\0CHAP_R=" CHAP_SHA256_R "\0"),
		    ISCSI_LOGIN_INITIATOR_ERROR);

	teardown();
	setup();
	chap_required();
	chap_start("5");
	expect_fail(SEND(1, 0, 0, 1, "CHAP_N=kvm9-user\0CHAP_R=" CHAP_MD5_R "\0"),
		    ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "unknown CHAP_N");

	/* our own challenge sent back for mutual CHAP */
	teardown();
	setup();
	chap_required();
	chap_start("5");
	expect_fail(SEND(1, 0, 0, 1,
			 "CHAP_N=kvm1-user\0CHAP_R=" CHAP_MD5_R "\0CHAP_I=9\0CHAP_C=" CHAP_MD5_C "\0"),
		    ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "reflected challenge");
}
END_TEST

START_TEST(test_real_chap_missing_keys)
{
	/* a response without CHAP_R, even with T=1 */
	chap_required();
	chap_start("5");
	expect_fail(SEND(1, 0, 0, 1, "CHAP_N=kvm1-user\0"), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "CHAP_N or CHAP_R missing");

	/* no CHAP_A after AuthMethod=CHAP */
	teardown();
	setup();
	chap_required();
	ck_assert_int_eq(SEND(1, 0, 0, 1,
			      "InitiatorName=" INAME "\0TargetName=" TNAME "\0AuthMethod=CHAP\0"),
			 LOGIN_RESULT_CONTINUE);
	expect_fail(SEND(1, 0, 0, 1, ""), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "no CHAP_A offered");

	/* only None offered where CHAP is required */
	teardown();
	setup();
	chap_required();
	ck_assert_int_eq(SEND(0, 0, 0, 0, FIRST_SEC), LOGIN_RESULT_CONTINUE);
	ck_assert_str_eq(render(), "TargetPortalGroupTag=1;AuthMethod=Reject;");
	expect_fail(SEND(1, 0, 0, 1, ""), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "no CHAP offered but required");

	/* nor by going straight to the operational stage */
	teardown();
	setup();
	chap_required();
	expect_fail(SEND(1, 0, 1, 3, "InitiatorName=" INAME "\0TargetName=" TNAME "\0" OPKEYS),
		    ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "no CHAP offered but required");
	ck_assert_ptr_null(chap_run);
}
END_TEST

START_TEST(test_real_chap_discovery)
{
	chap_required();
	chap_expect_discovery = true;
	ck_assert_int_eq(SEND(1, 0, 0, 1,
			      "InitiatorName=" INAME "\0SessionType=Discovery\0AuthMethod=CHAP,None\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_str_eq(render(), "AuthMethod=CHAP;");
	ck_assert_int_eq(SEND(0, 0, 0, 1, "CHAP_A=5\0"), LOGIN_RESULT_CONTINUE);
	ck_assert_int_eq(SEND(1, 0, 0, 1, "CHAP_N=kvm1-user\0CHAP_R=" CHAP_MD5_R "\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 0, 1));
	ck_assert_int_eq(sm.type, ISCSI_SESSION_DISCOVERY);
}
END_TEST

START_TEST(test_auth_method_in_common)
{
	/* the initiator insists on CHAP where only None is configured */
	ck_assert_int_eq(SEND(0, 0, 0, 0,
			      "InitiatorName=" INAME "\0TargetName=" TNAME "\0AuthMethod=CHAP\0"),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_str_eq(render(), "TargetPortalGroupTag=1;AuthMethod=Reject;");
	expect_fail(SEND(1, 0, 0, 1, ""), ISCSI_LOGIN_AUTH_FAILURE);
	ck_assert_str_eq(sm.fail_reason, "no authentication method in common");
}
END_TEST

/* ---- continuation ---- */

START_TEST(test_request_continuation)
{
	static const char full[] = FIRST_SEC;
	size_t cut1 = 20, cut2 = 57; /* both inside pairs */

	ck_assert_int_eq(send_pdu(0, 1, 0, 0, full, cut1), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 0, 0, 0));
	ck_assert_uint_eq(get_be24(rsp + 5), 0);
	ck_assert_int_eq(fake.authorize_calls, 0);
	ck_assert_int_eq(send_pdu(0, 1, 0, 0, full + cut1, cut2 - cut1), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(get_be24(rsp + 5), 0);
	ck_assert_int_eq(send_pdu(1, 0, 0, 1, full + cut2, sizeof(full) - 1 - cut2),
			 LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 0, 1));
	ck_assert_str_eq(render(), "TargetPortalGroupTag=1;AuthMethod=None;");
	ck_assert_int_eq(fake.authorize_calls, 1);
	ck_assert_str_eq(fake.target, TNAME);
}
END_TEST

START_TEST(test_request_too_long)
{
	static uint8_t chunk[8192];
	enum login_result res = LOGIN_RESULT_CONTINUE;
	int i;

	memset(chunk, 'a', sizeof(chunk));
	for (i = 0; i < 9 && res == LOGIN_RESULT_CONTINUE; i++)
		res = send_pdu(0, 1, 0, 0, chunk, sizeof(chunk));
	ck_assert_int_eq(i, 9); /* 8 fit in 64 KiB, the ninth does not */
	expect_fail(res, ISCSI_LOGIN_OUT_OF_RESOURCES);
}
END_TEST

START_TEST(test_response_split)
{
	char req[4096], want[8192];
	size_t n = 0, w = 0, got = 0;
	char *all = malloc(LOGIN_TEXT_MAX);
	int parts = 0;
	enum login_result res;

	ck_assert_ptr_nonnull(all);
	ck_assert_int_eq(SEND(1, 0, 0, 1, FIRST_SEC), LOGIN_RESULT_CONTINUE);
	/* a small MaxRecvDataSegmentLength and many keys to answer NotUnderstood */
	n += (size_t)sprintf(req + n, "MaxRecvDataSegmentLength=512%c", 0);
	for (int i = 0; i < 60; i++) {
		n += (size_t)sprintf(req + n, "X-com.example.k%02d=v%c", i, 0);
		w += (size_t)sprintf(want + w, "X-com.example.k%02d=NotUnderstood;", i);
	}
	w += (size_t)sprintf(want + w, "MaxRecvDataSegmentLength=262144;");

	res = send_pdu(1, 0, 1, 3, req, n);
	while (res == LOGIN_RESULT_CONTINUE) {
		parts++;
		ck_assert_uint_eq(rsp_flags(), FLAGS(0, 1, 1, 0)); /* C=1, T=0 */
		ck_assert_uint_eq(sm.rsp_data.len, 512);
		memcpy(all + got, sm.rsp_data.data, sm.rsp_data.len);
		got += sm.rsp_data.len;
		res = send_pdu(1, 0, 1, 3, "", 0);
	}
	ck_assert_int_eq(res, LOGIN_RESULT_FULL_FEATURE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(1, 0, 1, 3));
	ck_assert_uint_le(sm.rsp_data.len, 512);
	memcpy(all + got, sm.rsp_data.data, sm.rsp_data.len);
	got += sm.rsp_data.len;
	ck_assert_uint_eq(got, w);
	for (size_t i = 0; i < got; i++)
		if (!all[i])
			all[i] = ';';
	ck_assert_mem_eq(all, want, w);
	ck_assert_int_ge(parts, 3);
	free(all);
}
END_TEST

START_TEST(test_response_split_protocol_errors)
{
	char req[4096];
	size_t n = 0;

	ck_assert_int_eq(SEND(1, 0, 0, 1, FIRST_SEC), LOGIN_RESULT_CONTINUE);
	n += (size_t)sprintf(req + n, "MaxRecvDataSegmentLength=512%c", 0);
	for (int i = 0; i < 60; i++)
		n += (size_t)sprintf(req + n, "X-com.example.k%02d=v%c", i, 0);
	ck_assert_int_eq(send_pdu(1, 0, 1, 3, req, n), LOGIN_RESULT_CONTINUE);
	ck_assert_uint_eq(rsp_flags(), FLAGS(0, 1, 1, 0));
	/* the rest is asked for with an empty request, nothing else */
	expect_fail(SEND(1, 0, 1, 3, "HeaderDigest=None\0"), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_response_limit_8192)
{
	/* a large MaxRecvDataSegmentLength still gets login PDUs of 8192 at most */
	char *req = malloc(40000);
	size_t n = 0;
	int parts = 0;
	enum login_result res;

	ck_assert_ptr_nonnull(req);
	ck_assert_int_eq(SEND(1, 0, 0, 1, FIRST_SEC), LOGIN_RESULT_CONTINUE);
	n += (size_t)sprintf(req + n, "MaxRecvDataSegmentLength=262144%c", 0);
	for (int i = 0; i < 400; i++)
		n += (size_t)sprintf(req + n, "X-com.example.key%03d=v%c", i, 0);
	res = send_pdu(1, 0, 1, 3, req, n);
	while (res == LOGIN_RESULT_CONTINUE) {
		ck_assert_uint_eq(sm.rsp_data.len, 8192);
		parts++;
		res = send_pdu(1, 0, 1, 3, "", 0);
	}
	ck_assert_int_eq(res, LOGIN_RESULT_FULL_FEATURE);
	ck_assert_int_eq(parts, 1);
	free(req);
}
END_TEST

static Suite *login_suite(void)
{
	Suite *s = suite_create("login");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_security_operational_ffp);
	tcase_add_test(tc, test_operational_only);
	tcase_add_test(tc, test_operational_in_two_steps);
	tcase_add_test(tc, test_security_straight_to_ffp);
	tcase_add_test(tc, test_discovery);
	tcase_add_test(tc, test_missing_initiator_name);
	tcase_add_test(tc, test_missing_target_name);
	tcase_add_test(tc, test_bad_session_type);
	tcase_add_test(tc, test_authorize_failure);
	tcase_add_test(tc, test_no_authorize_callback);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_not_a_login);
	tcase_add_test(tc, test_bad_stages);
	tcase_add_test(tc, test_transit_and_continue);
	tcase_add_test(tc, test_fields_must_not_change);
	tcase_add_test(tc, test_tsih_echoed);
	tcase_add_test(tc, test_keys_in_wrong_stage_and_twice);
	tcase_add_test(tc, test_target_offers);
	tcase_add_test(tc, test_target_offers_unanswered);
	tcase_add_test(tc, test_auth_required_without_method);
	tcase_add_test(tc, test_no_auth_method_sent);
	tcase_add_test(tc, test_chap_exchange);
	tcase_add_test(tc, test_chap_keys_after_success);
	tcase_add_test(tc, test_chap_failure);
	tcase_add_test(tc, test_real_chap_one_way);
	tcase_add_test(tc, test_real_chap_mutual);
	tcase_add_test(tc, test_real_chap_algorithm_choice);
	tcase_add_test(tc, test_real_chap_wrong_secret);
	tcase_add_test(tc, test_real_chap_missing_keys);
	tcase_add_test(tc, test_real_chap_discovery);
	tcase_add_test(tc, test_auth_method_in_common);
	tcase_add_test(tc, test_request_continuation);
	tcase_add_test(tc, test_request_too_long);
	tcase_add_test(tc, test_response_split);
	tcase_add_test(tc, test_response_split_protocol_errors);
	tcase_add_test(tc, test_response_limit_8192);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(login_suite)

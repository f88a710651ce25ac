/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for target/iscsi/param.c: key negotiation (RFC 7143 §6.2, §12, §13; RFC 7144). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/param.h"
#include "tests/unit/check_main.h"

#define OP PARAM_STAGE_OPERATIONAL
#define SEC PARAM_STAGE_SECURITY
#define FFP PARAM_STAGE_FULL_FEATURE
#define RECV_DSL "MaxRecvDataSegmentLength=262144;"

static struct param_neg neg;
static struct text_buf out;
static char rendered[8192];

static void setup(void)
{
	struct param_limits l;

	param_limits_default(&l);
	param_neg_init(&neg, &l, ISCSI_SESSION_NORMAL);
	text_buf_init(&out, 65536);
}

static void teardown(void)
{
	text_buf_fini(&out);
}

static void reinit(const struct param_limits *l, enum iscsi_session_type type)
{
	param_neg_init(&neg, l, type);
	text_buf_reset(&out);
}

/* A new normal-session negotiation with the default limits. */
static void fresh(void)
{
	struct param_limits l;

	param_limits_default(&l);
	reinit(&l, ISCSI_SESSION_NORMAL);
}

/* The target's answers as "k=v;k=v;". */
static const char *render(void)
{
	size_t o = 0;

	for (size_t i = 0; i < out.len; i++)
		rendered[o++] = out.data[i] ? (char)out.data[i] : ';';
	rendered[o] = '\0';
	return rendered;
}

#define REQ(st, s) param_neg_request(&neg, st, (const uint8_t *)(s), sizeof(s) - 1, &out)
/* One request in the operational stage that must succeed, with its full answer. */
#define OP_OK(s, want)                                                                             \
	do {                                                                                       \
		text_buf_reset(&out);                                                              \
		ck_assert_uint_eq(REQ(OP, s), ISCSI_LOGIN_OK);                                     \
		ck_assert_str_eq(render(), want);                                                  \
	} while (0)

static uint64_t num(const char *s)
{
	uint64_t v = 0xdeadbeef;

	ck_assert_int_eq(param_parse_number(s, strlen(s), &v), 0);
	return v;
}

static int num_err(const char *s)
{
	uint64_t v;

	return param_parse_number(s, strlen(s), &v);
}

START_TEST(test_parse_number)
{
	ck_assert_uint_eq(num("0"), 0);
	ck_assert_uint_eq(num("8192"), 8192);
	ck_assert_uint_eq(num("18446744073709551615"), UINT64_MAX);
	ck_assert_int_eq(num_err("18446744073709551616"), -ERANGE);
	ck_assert_int_eq(num_err("0123"), -EINVAL); /* §6.1: no leading zeros */
	ck_assert_int_eq(num_err(""), -EINVAL);
	ck_assert_int_eq(num_err("-1"), -EINVAL);
	ck_assert_int_eq(num_err("12a"), -EINVAL);
	ck_assert_int_eq(num_err(" 1"), -EINVAL);

	ck_assert_uint_eq(num("0x2000"), 8192);
	ck_assert_uint_eq(num("0X00ff"), 255);
	ck_assert_uint_eq(num("0xFFFFFFFFFFFFFFFF"), UINT64_MAX);
	ck_assert_uint_eq(num("0x0000000000000000001"), 1);
	ck_assert_int_eq(num_err("0x10000000000000000"), -ERANGE);
	ck_assert_int_eq(num_err("0x"), -EINVAL);
	ck_assert_int_eq(num_err("0xg"), -EINVAL);

	ck_assert_uint_eq(num("0bAAE="), 1);		      /* bytes 00 01 */
	ck_assert_uint_eq(num("0bAQ=="), 1);		      /* byte 01 */
	ck_assert_uint_eq(num("0BAAAg"), 0x20);		      /* bytes 00 00 20 */
	ck_assert_uint_eq(num("0bAAIAAA=="), 0x20000);	      /* bytes 00 02 00 00 */
	ck_assert_uint_eq(num("0b//////////8="), UINT64_MAX); /* eight ff bytes */
	ck_assert_int_eq(num_err("0bAQIDBAUGBwgJ"), -ERANGE); /* nine bytes */
	ck_assert_int_eq(num_err("0b"), -EINVAL);
	ck_assert_int_eq(num_err("0bAAE"), -EINVAL);  /* not a multiple of four */
	ck_assert_int_eq(num_err("0bAAF="), -EINVAL); /* padding bits not zero */
	ck_assert_int_eq(num_err("0bA=A="), -EINVAL);
	ck_assert_int_eq(num_err("0bA*E="), -EINVAL);
}
END_TEST

START_TEST(test_defaults)
{
	struct iscsi_params p;
	struct param_limits l;

	param_defaults(&p);
	ck_assert(!p.header_digest && !p.data_digest);
	ck_assert_uint_eq(p.max_connections, 1);
	ck_assert(p.initial_r2t && p.immediate_data);
	ck_assert_uint_eq(p.max_recv_dsl, 8192);
	ck_assert_uint_eq(p.max_xmit_dsl, 8192);
	ck_assert_uint_eq(p.max_burst, 262144);
	ck_assert_uint_eq(p.first_burst, 65536);
	ck_assert_uint_eq(p.default_time2wait, 2);
	ck_assert_uint_eq(p.default_time2retain, 20);
	ck_assert_uint_eq(p.max_outstanding_r2t, 1);
	ck_assert(p.data_pdu_in_order && p.data_sequence_in_order);
	ck_assert_uint_eq(p.erl, 0);
	ck_assert_uint_eq(p.protocol_level, 0);
	ck_assert_int_eq(p.task_reporting, ISCSI_TASK_REPORTING_RFC3720);

	param_limits_default(&l);
	ck_assert_uint_eq(l.max_recv_dsl, 262144);
	ck_assert_uint_eq(l.max_burst, 1048576);
	ck_assert_uint_eq(l.first_burst, 65536);
	ck_assert(l.immediate_data && !l.initial_r2t);
	ck_assert(l.header_digest && l.data_digest);
	ck_assert_uint_eq(l.max_connections, 1);
	ck_assert_uint_eq(l.max_erl, 0);
	ck_assert_uint_eq(l.auth_methods, PARAM_AUTH_BIT(PARAM_AUTH_NONE));
}
END_TEST

START_TEST(test_digests)
{
	struct param_limits l;

	/* §6.2.1: the first of the initiator's values that we accept */
	OP_OK("HeaderDigest=CRC32C,None\0DataDigest=None,CRC32C\0",
	      "HeaderDigest=CRC32C;DataDigest=None;" RECV_DSL);
	ck_assert(neg.params.header_digest);
	ck_assert(!neg.params.data_digest);

	/* unknown values are skipped; none acceptable is Reject */
	param_limits_default(&l);
	l.header_digest = false;
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("HeaderDigest=MD5,CRC32C,None\0DataDigest=CRC32C,X-fancy\0",
	      "HeaderDigest=None;DataDigest=CRC32C;" RECV_DSL);
	ck_assert(!neg.params.header_digest);
	ck_assert(neg.params.data_digest);
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("HeaderDigest=CRC32C\0DataDigest=,\0",
	      "HeaderDigest=Reject;DataDigest=Reject;" RECV_DSL);
	ck_assert(!neg.params.header_digest && !neg.params.data_digest);

	/* a required digest: None is not acceptable, and no CRC32C ends the login */
	param_limits_default(&l);
	l.data_digest_required = true;
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("DataDigest=None,CRC32C\0", "DataDigest=CRC32C;" RECV_DSL);
	ck_assert(neg.params.data_digest);
	reinit(&l, ISCSI_SESSION_NORMAL);
	ck_assert_uint_eq(REQ(OP, "DataDigest=None\0"), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_auth_method)
{
	struct param_limits l;

	text_buf_reset(&out);
	ck_assert_uint_eq(REQ(SEC, "AuthMethod=CHAP,None\0"), ISCSI_LOGIN_OK);
	ck_assert_str_eq(render(), "AuthMethod=None;"); /* no MaxRecvDSL in the security stage */
	ck_assert(neg.auth_negotiated);
	ck_assert_int_eq(neg.auth_method, PARAM_AUTH_NONE);

	fresh();
	ck_assert_uint_eq(REQ(SEC, "AuthMethod=CHAP,SRP\0"), ISCSI_LOGIN_OK);
	ck_assert_str_eq(render(), "AuthMethod=Reject;");
	ck_assert(!neg.auth_negotiated);

	param_limits_default(&l);
	l.auth_methods = PARAM_AUTH_BIT(PARAM_AUTH_CHAP);
	reinit(&l, ISCSI_SESSION_NORMAL);
	ck_assert_uint_eq(REQ(SEC, "AuthMethod=None,CHAP\0"), ISCSI_LOGIN_OK);
	ck_assert_str_eq(render(), "AuthMethod=CHAP;");
	ck_assert(neg.auth_negotiated);
	ck_assert_int_eq(neg.auth_method, PARAM_AUTH_CHAP);

	/* §12: AuthMethod belongs to the security stage */
	reinit(&l, ISCSI_SESSION_NORMAL);
	ck_assert_uint_eq(REQ(OP, "AuthMethod=None\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	/* CHAP keys without CHAP being run */
	reinit(&l, ISCSI_SESSION_NORMAL);
	ck_assert_uint_eq(REQ(SEC, "CHAP_A=5\0"), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_security_stage_keys)
{
	/* §12: declarations are fine in the security stage, operational keys are not */
	text_buf_reset(&out);
	ck_assert_uint_eq(REQ(SEC, "InitiatorName=iqn.1993-08.org.debian:01:a\0"
				   "TargetName=iqn.2024-01.com.example:t1\0SessionType=Normal\0"
				   "InitiatorAlias=host1\0AuthMethod=None\0"),
			  ISCSI_LOGIN_OK);
	ck_assert_str_eq(render(), "AuthMethod=None;");
	ck_assert_str_eq(neg.initiator_alias, "host1");
	ck_assert_uint_eq(REQ(SEC, "MaxBurstLength=65536\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(SEC, "HeaderDigest=None\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(SEC, "MaxRecvDataSegmentLength=8192\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	/* unknown keys are NotUnderstood in any stage */
	fresh();
	ck_assert_uint_eq(REQ(SEC, "X-com.example.foo=1\0"), ISCSI_LOGIN_OK);
	ck_assert_str_eq(render(), "X-com.example.foo=NotUnderstood;");
}
END_TEST

START_TEST(test_max_connections)
{
	OP_OK("MaxConnections=4\0", "MaxConnections=1;" RECV_DSL);
	ck_assert_uint_eq(neg.params.max_connections, 1);
	fresh();
	OP_OK("MaxConnections=0\0", "MaxConnections=Reject;" RECV_DSL);
	fresh();
	OP_OK("MaxConnections=65536\0", "MaxConnections=Reject;" RECV_DSL);
	ck_assert_uint_eq(neg.params.max_connections, 1);
}
END_TEST

START_TEST(test_booleans)
{
	struct param_limits l;

	/* InitialR2T: OR with our No */
	OP_OK("InitialR2T=No\0ImmediateData=Yes\0", "InitialR2T=No;ImmediateData=Yes;" RECV_DSL);
	ck_assert(!neg.params.initial_r2t);
	ck_assert(neg.params.immediate_data);
	fresh();
	OP_OK("InitialR2T=Yes\0ImmediateData=No\0", "InitialR2T=Yes;ImmediateData=No;" RECV_DSL);
	ck_assert(neg.params.initial_r2t);
	ck_assert(!neg.params.immediate_data);

	/* with the opposite preferences */
	param_limits_default(&l);
	l.initial_r2t = true;
	l.immediate_data = false;
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("InitialR2T=No\0ImmediateData=Yes\0", "InitialR2T=Yes;ImmediateData=No;" RECV_DSL);
	ck_assert(neg.params.initial_r2t);
	ck_assert(!neg.params.immediate_data);

	/* DataPDUInOrder/DataSequenceInOrder: OR with our Yes */
	fresh();
	OP_OK("DataPDUInOrder=No\0DataSequenceInOrder=No\0",
	      "DataPDUInOrder=Yes;DataSequenceInOrder=Yes;" RECV_DSL);

	/* not a boolean-value */
	fresh();
	OP_OK("InitialR2T=yes\0ImmediateData=1\0",
	      "InitialR2T=Reject;ImmediateData=Reject;" RECV_DSL);
	ck_assert(neg.params.initial_r2t && neg.params.immediate_data); /* defaults */

	/* RDMAExtensions (RFC 7145): AND with No */
	fresh();
	OP_OK("RDMAExtensions=Yes\0", "RDMAExtensions=No;" RECV_DSL);
}
END_TEST

START_TEST(test_max_recv_dsl)
{
	/* declarative: no answer, but ours goes out once */
	OP_OK("MaxRecvDataSegmentLength=65536\0", RECV_DSL);
	ck_assert_uint_eq(neg.params.max_xmit_dsl, 65536);
	ck_assert_uint_eq(neg.params.max_recv_dsl, 262144);
	OP_OK("HeaderDigest=None\0", "HeaderDigest=None;");

	fresh();
	OP_OK("MaxRecvDataSegmentLength=0x200\0", RECV_DSL);
	ck_assert_uint_eq(neg.params.max_xmit_dsl, 512);
	fresh();
	OP_OK("MaxRecvDataSegmentLength=16777215\0", RECV_DSL);
	ck_assert_uint_eq(neg.params.max_xmit_dsl, 16777215);
	fresh();
	ck_assert_uint_eq(REQ(OP, "MaxRecvDataSegmentLength=511\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(OP, "MaxRecvDataSegmentLength=16777216\0"),
			  ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(OP, "MaxRecvDataSegmentLength=lots\0"), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_bursts)
{
	struct param_limits l;

	/* min with ours (MaxBurst 1 MiB, FirstBurst 64 KiB) */
	OP_OK("MaxBurstLength=262144\0FirstBurstLength=262144\0",
	      "MaxBurstLength=262144;FirstBurstLength=65536;" RECV_DSL);
	ck_assert_uint_eq(neg.params.max_burst, 262144);
	ck_assert_uint_eq(neg.params.first_burst, 65536);

	/* FirstBurstLength never above MaxBurstLength, whatever the order in the request */
	param_limits_default(&l);
	l.first_burst = 1048576;
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("FirstBurstLength=262144\0MaxBurstLength=16384\0",
	      "MaxBurstLength=16384;FirstBurstLength=16384;" RECV_DSL);
	ck_assert_uint_eq(neg.params.first_burst, 16384);
	ck_assert_uint_eq(neg.params.max_burst, 16384);

	/* §13.14: irrelevant when InitialR2T=Yes and ImmediateData=No */
	fresh();
	OP_OK("FirstBurstLength=8192\0InitialR2T=Yes\0ImmediateData=No\0",
	      "InitialR2T=Yes;ImmediateData=No;FirstBurstLength=Irrelevant;" RECV_DSL);
	ck_assert_uint_eq(neg.params.first_burst, 65536);

	/* out of range */
	fresh();
	OP_OK("MaxBurstLength=511\0FirstBurstLength=16777216\0",
	      "MaxBurstLength=Reject;FirstBurstLength=Reject;" RECV_DSL);
	ck_assert_uint_eq(neg.params.max_burst, 262144);
	ck_assert_uint_eq(neg.params.first_burst, 65536);

	/* numerical forms */
	fresh();
	OP_OK("MaxBurstLength=0x8000\0FirstBurstLength=0bEAA=\0",
	      "MaxBurstLength=32768;FirstBurstLength=4096;" RECV_DSL);
}
END_TEST

START_TEST(test_first_burst_above_max_burst_later)
{
	bool pending;

	/* FirstBurst answered against the default MaxBurst, then MaxBurst lowered below it */
	OP_OK("FirstBurstLength=65536\0", "FirstBurstLength=65536;" RECV_DSL);
	OP_OK("MaxBurstLength=16384\0", "MaxBurstLength=16384;");
	text_buf_reset(&out);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_times_r2t_erl)
{
	struct param_limits l;

	OP_OK("DefaultTime2Wait=0\0DefaultTime2Retain=3600\0MaxOutstandingR2T=64\0"
	      "ErrorRecoveryLevel=2\0",
	      "DefaultTime2Wait=2;DefaultTime2Retain=20;MaxOutstandingR2T=8;"
	      "ErrorRecoveryLevel=0;" RECV_DSL);
	fresh();
	OP_OK("DefaultTime2Wait=10\0DefaultTime2Retain=0\0MaxOutstandingR2T=1\0",
	      "DefaultTime2Wait=10;DefaultTime2Retain=0;MaxOutstandingR2T=1;" RECV_DSL);
	ck_assert_uint_eq(neg.params.default_time2wait, 10);
	ck_assert_uint_eq(neg.params.default_time2retain, 0);
	fresh();
	OP_OK(
	    "DefaultTime2Wait=3601\0MaxOutstandingR2T=0\0ErrorRecoveryLevel=3\0",
	    "DefaultTime2Wait=Reject;MaxOutstandingR2T=Reject;ErrorRecoveryLevel=Reject;" RECV_DSL);

	/* ErrorRecoveryLevel: min, capped by max_erl */
	param_limits_default(&l);
	l.max_erl = 1;
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("ErrorRecoveryLevel=2\0", "ErrorRecoveryLevel=1;" RECV_DSL);
	ck_assert_uint_eq(neg.params.erl, 1);
}
END_TEST

START_TEST(test_protocol_level_task_reporting)
{
	struct param_limits l;

	/* RFC 7144 §2.1: minimum, 0..31 */
	OP_OK("iSCSIProtocolLevel=2\0", "iSCSIProtocolLevel=1;" RECV_DSL);
	ck_assert_uint_eq(neg.params.protocol_level, 1);
	fresh();
	OP_OK("iSCSIProtocolLevel=0\0", "iSCSIProtocolLevel=0;" RECV_DSL);
	fresh();
	OP_OK("iSCSIProtocolLevel=32\0", "iSCSIProtocolLevel=Reject;" RECV_DSL);

	/* §13.23: only what the session layer implements */
	fresh();
	OP_OK("TaskReporting=FastAbort,ResponseFence,RFC3720\0", "TaskReporting=RFC3720;" RECV_DSL);
	param_limits_default(&l);
	l.task_reporting |= 1u << ISCSI_TASK_REPORTING_FAST_ABORT;
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("TaskReporting=FastAbort,RFC3720\0", "TaskReporting=FastAbort;" RECV_DSL);
	ck_assert_int_eq(neg.params.task_reporting, ISCSI_TASK_REPORTING_FAST_ABORT);
	fresh();
	OP_OK("TaskReporting=Bogus\0", "TaskReporting=Reject;" RECV_DSL);
}
END_TEST

START_TEST(test_markers_and_unknown)
{
	/* RFC 7143 §13.25 */
	OP_OK("IFMarker=No\0OFMarker=No\0IFMarkInt=2048~65535\0OFMarkInt=2048~65535\0",
	      "IFMarker=Reject;OFMarker=Reject;IFMarkInt=Reject;OFMarkInt=Reject;" RECV_DSL);
	/* §13.22 and §6.2: X-, X# and unknown keys */
	fresh();
	OP_OK("X-com.example.speed=fast\0X#NodeArchitecture=Linux\0FooBar=1\0",
	      "X-com.example.speed=NotUnderstood;X#NodeArchitecture=NotUnderstood;"
	      "FooBar=NotUnderstood;" RECV_DSL);
}
END_TEST

START_TEST(test_discovery_irrelevant)
{
	struct param_limits l;

	param_limits_default(&l);
	reinit(&l, ISCSI_SESSION_DISCOVERY);
	OP_OK("MaxConnections=1\0InitialR2T=Yes\0ImmediateData=Yes\0MaxBurstLength=262144\0"
	      "FirstBurstLength=65536\0MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0"
	      "DataSequenceInOrder=Yes\0HeaderDigest=None\0DefaultTime2Wait=2\0"
	      "ErrorRecoveryLevel=0\0",
	      "MaxConnections=Irrelevant;InitialR2T=Irrelevant;ImmediateData=Irrelevant;"
	      "MaxBurstLength=Irrelevant;FirstBurstLength=Irrelevant;MaxOutstandingR2T=Irrelevant;"
	      "DataPDUInOrder=Irrelevant;DataSequenceInOrder=Irrelevant;HeaderDigest=None;"
	      "DefaultTime2Wait=2;ErrorRecoveryLevel=0;" RECV_DSL);
	/* a discovery session's TargetName is of no consequence */
	reinit(&l, ISCSI_SESSION_DISCOVERY);
	ck_assert_uint_eq(REQ(SEC, "SessionType=Discovery\0TargetName=whatever goes\0"),
			  ISCSI_LOGIN_OK);
}
END_TEST

START_TEST(test_protocol_errors)
{
	/* §6.2: a key twice in one negotiation, in one request or across requests */
	ck_assert_uint_eq(REQ(OP, "MaxBurstLength=65536\0MaxBurstLength=65536\0"),
			  ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(OP, "InitialR2T=No\0"), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(REQ(OP, "InitialR2T=No\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(SEC, "InitiatorName=iqn.2000-01.a:b\0"), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(REQ(OP, "InitiatorName=iqn.2000-01.a:b\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	/* keys only the target sends (§13.6, §13.8, §13.9) */
	fresh();
	ck_assert_uint_eq(REQ(OP, "TargetAddress=10.0.0.1:3260,1\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(SEC, "TargetAlias=disk\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(OP, "TargetPortalGroupTag=1\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	/* SendTargets is for full feature phase only (§13.3) */
	fresh();
	ck_assert_uint_eq(REQ(OP, "SendTargets=All\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	/* §6.2: answer constants are not proposals */
	fresh();
	ck_assert_uint_eq(REQ(OP, "MaxBurstLength=Reject\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(OP, "HeaderDigest=NotUnderstood\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(OP, "InitialR2T=Irrelevant\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	/* SessionType must be what the login started with (§13.21) */
	fresh();
	ck_assert_uint_eq(REQ(SEC, "SessionType=Discovery\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(SEC, "SessionType=Boot\0"), ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED);
	/* names: empty, too long, spaces */
	fresh();
	ck_assert_uint_eq(REQ(SEC, "InitiatorName=\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(SEC, "TargetName=iqn.2000-01.a:b c\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	/* malformed text */
	fresh();
	ck_assert_uint_eq(REQ(OP, "HeaderDigest=None\0garbage\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	fresh();
	ck_assert_uint_eq(REQ(OP, "HeaderDigest=None"), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_out_of_resources)
{
	struct text_buf small;

	text_buf_init(&small, 20);
	ck_assert_uint_eq(
	    param_neg_request(&neg, OP, (const uint8_t *)"HeaderDigest=None\0", 18, &small),
	    ISCSI_LOGIN_OUT_OF_RESOURCES); /* the MaxRecvDSL declaration does not fit */
	text_buf_fini(&small);
}
END_TEST

START_TEST(test_finish_no_offers)
{
	bool pending = true;

	OP_OK("HeaderDigest=None\0InitialR2T=No\0", "HeaderDigest=None;InitialR2T=No;" RECV_DSL);
	text_buf_reset(&out);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert(!pending);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_uint_eq(neg.params.max_recv_dsl, 262144);
}
END_TEST

START_TEST(test_finish_from_security)
{
	bool pending = true;

	/* straight from the security stage: nothing may be declared, all defaults */
	ck_assert_uint_eq(REQ(SEC, "AuthMethod=None\0"), ISCSI_LOGIN_OK);
	text_buf_reset(&out);
	ck_assert_uint_eq(param_neg_finish(&neg, SEC, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert(!pending);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_uint_eq(neg.params.max_recv_dsl, 8192);
	ck_assert_uint_eq(neg.params.max_xmit_dsl, 8192);
}
END_TEST

START_TEST(test_finish_offers)
{
	struct param_limits l;
	bool pending;

	param_limits_default(&l);
	l.immediate_data = false;
	l.first_burst = 16384;
	l.header_digest_required = true;
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("InitialR2T=No\0", "InitialR2T=No;" RECV_DSL);
	text_buf_reset(&out);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert(pending);
	ck_assert_str_eq(render(), "HeaderDigest=CRC32C;ImmediateData=No;FirstBurstLength=16384;");

	/* the answers come in the next request */
	OP_OK("HeaderDigest=CRC32C\0ImmediateData=No\0FirstBurstLength=8192\0", "");
	ck_assert(neg.params.header_digest);
	ck_assert(!neg.params.immediate_data);
	ck_assert_uint_eq(neg.params.first_burst, 8192);
	text_buf_reset(&out);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert(!pending);
	ck_assert_uint_eq(out.len, 0);
}
END_TEST

START_TEST(test_finish_bad_answers)
{
	struct param_limits l;
	bool pending;

	param_limits_default(&l);
	l.immediate_data = false;
	l.first_burst = 16384;

	/* AND with our No cannot come back Yes */
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("InitialR2T=No\0", "InitialR2T=No;" RECV_DSL);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert(pending);
	ck_assert_uint_eq(REQ(OP, "ImmediateData=Yes\0FirstBurstLength=16384\0"),
			  ISCSI_LOGIN_INITIATOR_ERROR);

	/* a minimum cannot come back above the offer */
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("InitialR2T=No\0", "InitialR2T=No;" RECV_DSL);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(REQ(OP, "ImmediateData=No\0FirstBurstLength=32768\0"),
			  ISCSI_LOGIN_INITIATOR_ERROR);

	/* unanswered offers */
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("InitialR2T=No\0", "InitialR2T=No;" RECV_DSL);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(REQ(OP, "ImmediateData=No\0"), ISCSI_LOGIN_INITIATOR_ERROR);

	/*
	 * Reject keeps the default (ImmediateData stays Yes), which this
	 * target's configuration refuses: the negotiation fails (§6.2.1).
	 */
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("InitialR2T=No\0", "InitialR2T=No;" RECV_DSL);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	OP_OK("ImmediateData=Reject\0FirstBurstLength=NotUnderstood\0", "");
	ck_assert(neg.params.immediate_data);
	ck_assert_uint_eq(neg.params.first_burst, 65536);
	ck_assert(param_neg_needs_more(&neg));
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_INITIATOR_ERROR);

	/* a required digest that the initiator rejects ends the login */
	param_limits_default(&l);
	l.data_digest_required = true;
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("HeaderDigest=None\0", "HeaderDigest=None;" RECV_DSL);
	text_buf_reset(&out);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert_str_eq(render(), "DataDigest=CRC32C;");
	ck_assert_uint_eq(REQ(OP, "DataDigest=Reject\0"), ISCSI_LOGIN_INITIATOR_ERROR);

	/* and so does skipping the operational stage with one required */
	reinit(&l, ISCSI_SESSION_NORMAL);
	ck_assert_uint_eq(REQ(SEC, "AuthMethod=None\0"), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(param_neg_finish(&neg, SEC, &out, &pending), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_finish_no_offer_when_negotiated)
{
	struct param_limits l;
	bool pending;

	/* the initiator brought the keys up itself: nothing left to offer */
	param_limits_default(&l);
	l.immediate_data = false;
	l.first_burst = 16384;
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("ImmediateData=Yes\0FirstBurstLength=65536\0InitialR2T=No\0",
	      "ImmediateData=No;InitialR2T=No;FirstBurstLength=16384;" RECV_DSL);
	text_buf_reset(&out);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert(!pending);
	ck_assert_uint_eq(out.len, 0);

	/* FirstBurstLength is not offered when it is irrelevant (InitialR2T=Yes, ImmediateData=No)
	 */
	reinit(&l, ISCSI_SESSION_NORMAL);
	OP_OK("InitialR2T=Yes\0", "InitialR2T=Yes;" RECV_DSL);
	text_buf_reset(&out);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert(pending);
	ck_assert_str_eq(render(), "ImmediateData=No;");

	/* a discovery session gets no operational offers */
	reinit(&l, ISCSI_SESSION_DISCOVERY);
	OP_OK("HeaderDigest=None\0", "HeaderDigest=None;" RECV_DSL);
	text_buf_reset(&out);
	ck_assert_uint_eq(param_neg_finish(&neg, OP, &out, &pending), ISCSI_LOGIN_OK);
	ck_assert(!pending);
}
END_TEST

START_TEST(test_ffp)
{
	struct iscsi_params p;

	param_defaults(&p);
	p.max_xmit_dsl = 262144;
	p.max_recv_dsl = 65536;
	param_neg_init_ffp(&neg, &p, ISCSI_SESSION_NORMAL);
	text_buf_reset(&out);
	/* §6.4 / §13.12: MaxRecvDataSegmentLength may be declared again in FFP */
	ck_assert_uint_eq(REQ(FFP, "MaxRecvDataSegmentLength=16384\0InitiatorAlias=h\0X-a=b\0"),
			  ISCSI_LOGIN_OK);
	ck_assert_str_eq(render(), "X-a=NotUnderstood;");
	ck_assert_uint_eq(neg.params.max_xmit_dsl, 16384);
	ck_assert_uint_eq(neg.params.max_recv_dsl, 65536);
	/* login-only keys are out of place */
	param_neg_init_ffp(&neg, &p, ISCSI_SESSION_NORMAL);
	ck_assert_uint_eq(REQ(FFP, "MaxBurstLength=65536\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	param_neg_init_ffp(&neg, &p, ISCSI_SESSION_NORMAL);
	ck_assert_uint_eq(REQ(FFP, "InitiatorName=iqn.2000-01.a:b\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	param_neg_init_ffp(&neg, &p, ISCSI_SESSION_NORMAL);
	ck_assert_uint_eq(REQ(FFP, "HeaderDigest=None\0"), ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

START_TEST(test_scan_names)
{
	struct param_names n;

#define SCAN(s) param_scan_names((const uint8_t *)(s), sizeof(s) - 1, &n)
	ck_assert_uint_eq(SCAN("InitiatorName=iqn.1993-08.org.debian:01:a\0"
			       "TargetName=iqn.2024-01.com.example:t1\0"),
			  ISCSI_LOGIN_OK);
	ck_assert_int_eq(n.type, ISCSI_SESSION_NORMAL);
	ck_assert_str_eq(n.initiator, "iqn.1993-08.org.debian:01:a");
	ck_assert_str_eq(n.target, "iqn.2024-01.com.example:t1");

	ck_assert_uint_eq(SCAN("TargetName=junk name\0SessionType=Discovery\0InitiatorName=i\0"),
			  ISCSI_LOGIN_OK);
	ck_assert_int_eq(n.type, ISCSI_SESSION_DISCOVERY);
	ck_assert_str_eq(n.initiator, "i");
	ck_assert_str_eq(n.target, "");

	ck_assert_uint_eq(SCAN("AuthMethod=None\0"), ISCSI_LOGIN_OK);
	ck_assert_str_eq(n.initiator, "");
	ck_assert_str_eq(n.target, "");

	ck_assert_uint_eq(SCAN("SessionType=Boot\0"), ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED);
	ck_assert_uint_eq(SCAN("InitiatorName=has space\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	ck_assert_uint_eq(SCAN("InitiatorName=i\0TargetName=\0"), ISCSI_LOGIN_INITIATOR_ERROR);
	ck_assert_uint_eq(SCAN("InitiatorName=i\0TargetName"), ISCSI_LOGIN_INITIATOR_ERROR);
#undef SCAN
}
END_TEST

START_TEST(test_scan_name_length)
{
	struct param_names n;
	char seg[400];
	int len;

	/* RFC 7143 §4.2.7: 223 bytes at most */
	len = snprintf(seg, sizeof(seg), "InitiatorName=iqn.2000-01.a:%0209d", 0);
	ck_assert_int_eq(len, 14 + 223);
	ck_assert_uint_eq(param_scan_names((const uint8_t *)seg, (size_t)len + 1, &n),
			  ISCSI_LOGIN_OK);
	ck_assert_uint_eq(strlen(n.initiator), 223);
	len = snprintf(seg, sizeof(seg), "InitiatorName=iqn.2000-01.a:%0210d", 0);
	ck_assert_uint_eq(param_scan_names((const uint8_t *)seg, (size_t)len + 1, &n),
			  ISCSI_LOGIN_INITIATOR_ERROR);
}
END_TEST

static Suite *param_suite(void)
{
	Suite *s = suite_create("param");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_number);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_digests);
	tcase_add_test(tc, test_auth_method);
	tcase_add_test(tc, test_security_stage_keys);
	tcase_add_test(tc, test_max_connections);
	tcase_add_test(tc, test_booleans);
	tcase_add_test(tc, test_max_recv_dsl);
	tcase_add_test(tc, test_bursts);
	tcase_add_test(tc, test_first_burst_above_max_burst_later);
	tcase_add_test(tc, test_times_r2t_erl);
	tcase_add_test(tc, test_protocol_level_task_reporting);
	tcase_add_test(tc, test_markers_and_unknown);
	tcase_add_test(tc, test_discovery_irrelevant);
	tcase_add_test(tc, test_protocol_errors);
	tcase_add_test(tc, test_out_of_resources);
	tcase_add_test(tc, test_finish_no_offers);
	tcase_add_test(tc, test_finish_from_security);
	tcase_add_test(tc, test_finish_offers);
	tcase_add_test(tc, test_finish_bad_answers);
	tcase_add_test(tc, test_finish_no_offer_when_negotiated);
	tcase_add_test(tc, test_ffp);
	tcase_add_test(tc, test_scan_names);
	tcase_add_test(tc, test_scan_name_length);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(param_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for target/iscsi/textreq.c: Text Requests in full feature phase (RFC 7143 §11.10,
 * §11.11). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/textreq.h"
#include "tests/unit/check_main.h"

#define RESERVED 0xffffffffu

/* ---- a fake SendTargets source ---- */

struct fake {
	int calls;
	char value[256];
	int ntargets;
	int fail;
};

static struct fake fake;

static int fake_sendtargets(void *arg, const char *value, struct text_buf *out)
{
	struct fake *f = arg;
	int rc;

	f->calls++;
	snprintf(f->value, sizeof(f->value), "%s", value);
	if (f->fail) {
		text_buf_add(out, "TargetName", "half-written");
		return f->fail;
	}
	for (int i = 0; i < f->ntargets; i++) {
		rc = text_buf_addf(out, "TargetName", "iqn.2024-01.com.example:disk%03d", i);
		if (rc)
			return rc;
		rc = text_buf_addf(out, "TargetAddress", "192.0.2.%d:3260,1", i % 250 + 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- driving it ---- */

static struct textreq_sm ts;
static struct textreq_env env;
static struct iscsi_params params;
static uint8_t rsp[ISCSI_BHS_LEN];
static const uint8_t *rdata;
static size_t rlen;
static char rendered[1 << 17];

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.ntargets = 1;
	env.arg = &fake;
	env.sendtargets = fake_sendtargets;
	param_defaults(&params);
	textreq_init(&ts);
}

static void teardown(void)
{
	textreq_fini(&ts);
}

static enum textreq_result send_full(enum iscsi_session_type type, uint8_t opcode, bool f, bool c,
				     uint32_t itt, uint32_t ttt, const void *text, size_t len)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	enum textreq_result res;

	memset(bhs, 0, sizeof(bhs));
	bhs[0] = opcode;
	bhs[1] = (uint8_t)((f ? 0x80 : 0) | (c ? 0x40 : 0));
	put_be24(bhs + 5, (uint32_t)len);
	put_be32(bhs + 16, itt);
	put_be32(bhs + 20, ttt);
	put_be32(bhs + 24, 10); /* CmdSN */
	put_be32(bhs + 28, 3);	/* ExpStatSN */
	memset(rsp, 0xee, sizeof(rsp));
	res = textreq_handle(&ts, &env, type, &params, bhs, text, len, rsp, &rdata, &rlen);
	if (res == TEXTREQ_RESULT_RESPOND) {
		ck_assert_uint_eq(rsp[0], ISCSI_OP_TEXT_RSP);
		ck_assert_mem_eq(rsp + 16, bhs + 16, 4); /* ITT */
		ck_assert_uint_eq(get_be24(rsp + 5), rlen);
		ck_assert_uint_le(rlen, params.max_xmit_dsl);
		/* §11.11.4: F=1 goes with the reserved tag, F=0 never does */
		if (rsp[1] & 0x80)
			ck_assert_uint_eq(get_be32(rsp + 20), RESERVED);
		else
			ck_assert_uint_ne(get_be32(rsp + 20), RESERVED);
		/* §11.11.2: C=1 only with F=0 */
		if (rsp[1] & 0x40)
			ck_assert_uint_eq(rsp[1] & 0x80, 0);
	}
	return res;
}

static enum textreq_result send_req(enum iscsi_session_type type, bool f, bool c, uint32_t ttt,
				    const void *text, size_t len)
{
	return send_full(type, ISCSI_OP_IMMEDIATE | ISCSI_OP_TEXT_REQ, f, c, 0x42, ttt, text, len);
}

#define DISC ISCSI_SESSION_DISCOVERY
#define NORM ISCSI_SESSION_NORMAL
#define SEND(type, f, c, ttt, s) send_req(type, f, c, ttt, s, sizeof(s) - 1)

static const char *render(void)
{
	size_t o = 0;

	for (size_t i = 0; i < rlen; i++)
		rendered[o++] = rdata[i] ? (char)rdata[i] : ';';
	rendered[o] = '\0';
	return rendered;
}

static uint32_t rsp_ttt(void)
{
	return get_be32(rsp + 20);
}

/* The answer fake_sendtargets gives for n targets, rendered. */
static const char *targets_rendered(int n, char *buf, size_t size)
{
	size_t o = 0;

	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, size - o,
				      "TargetName=iqn.2024-01.com.example:disk%03d;"
				      "TargetAddress=192.0.2.%d:3260,1;",
				      i, i % 250 + 1);
	return buf;
}

START_TEST(test_sendtargets_all)
{
	char want[512];

	fake.ntargets = 2;
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rsp[1], 0x80);
	ck_assert_uint_eq(rsp_ttt(), RESERVED);
	ck_assert_int_eq(fake.calls, 1);
	ck_assert_str_eq(fake.value, "All");
	ck_assert_str_eq(render(), targets_rendered(2, want, sizeof(want)));
}
END_TEST

START_TEST(test_sendtargets_values)
{
	/* discovery: a name is passed on, the empty value means no target */
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=iqn.2024-01.com.example:x\0"),
			 TEXTREQ_RESULT_RESPOND);
	ck_assert_str_eq(fake.value, "iqn.2024-01.com.example:x");
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=\0"), TEXTREQ_RESULT_RESPOND);
	ck_assert_int_eq(fake.calls, 1);
	ck_assert_uint_eq(rlen, 0);
	ck_assert_uint_eq(rsp[1], 0x80);

	/* normal: All MUST NOT be supported; the empty value is the session's target */
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ck_assert_str_eq(render(), "SendTargets=Reject;");
	ck_assert_int_eq(fake.calls, 1);
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "SendTargets=\0"), TEXTREQ_RESULT_RESPOND);
	ck_assert_int_eq(fake.calls, 2);
	ck_assert_str_eq(fake.value, "");
	ck_assert_str_eq(render(), "TargetName=iqn.2024-01.com.example:disk000;"
				   "TargetAddress=192.0.2.1:3260,1;");
}
END_TEST

START_TEST(test_sendtargets_env_failure)
{
	fake.fail = -ENOMEM;
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_REJECT);
	/* and the next request starts clean */
	fake.fail = 0;
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ck_assert_str_eq(render(), "TargetName=iqn.2024-01.com.example:disk000;"
				   "TargetAddress=192.0.2.1:3260,1;");
}
END_TEST

/* Collects a long answer, asking for each further part with an empty request. */
static size_t collect(char *all, size_t size, int *parts, size_t part_max)
{
	size_t got = 0;
	uint32_t ttt;

	*parts = 1;
	while (rsp[1] & 0x40) {
		ck_assert_uint_eq(rlen, part_max);
		ck_assert_uint_lt(got + rlen, size);
		memcpy(all + got, render(), rlen);
		got += rlen;
		ttt = rsp_ttt();
		ck_assert_int_eq(send_req(DISC, 1, 0, ttt, NULL, 0), TEXTREQ_RESULT_RESPOND);
		(*parts)++;
	}
	ck_assert_uint_eq(rsp[1], 0x80);
	ck_assert_uint_le(rlen, part_max);
	memcpy(all + got, render(), rlen);
	got += rlen;
	all[got] = '\0';
	return got;
}

START_TEST(test_long_answer_split)
{
	static char all[1 << 17], want[1 << 17];
	int parts;

	fake.ntargets = 100;
	params.max_xmit_dsl = 1024;
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rsp[1], 0x40); /* C=1, F=0 */
	ck_assert_uint_eq(rlen, 1024);
	collect(all, sizeof(all), &parts, 1024);
	ck_assert_str_eq(all, targets_rendered(100, want, sizeof(want)));
	ck_assert_int_eq(parts, (int)((strlen(want) + 1023) / 1024));
	ck_assert_int_eq(fake.calls, 1);
}
END_TEST

START_TEST(test_long_answer_reset)
{
	uint32_t ttt;

	fake.ntargets = 100;
	params.max_xmit_dsl = 1024;
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ttt = rsp_ttt();
	/* §11.10.4: a new request (reserved tag) drops the old answer */
	fake.ntargets = 1;
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rsp[1], 0x80);
	ck_assert_int_eq(fake.calls, 2);
	/* the old tag means nothing any more */
	ck_assert_int_eq(send_req(DISC, 1, 0, ttt, NULL, 0), TEXTREQ_RESULT_REJECT);
}
END_TEST

START_TEST(test_long_answer_bad_continuation)
{
	uint32_t ttt;

	fake.ntargets = 100;
	params.max_xmit_dsl = 1024;
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ttt = rsp_ttt();
	/* only an empty request asks for more */
	ck_assert_int_eq(SEND(DISC, 1, 0, ttt, "X-a=1\0"), TEXTREQ_RESULT_REJECT);

	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ttt = rsp_ttt();
	/* a tag we never handed out */
	ck_assert_int_eq(send_req(DISC, 1, 0, ttt + 1, NULL, 0), TEXTREQ_RESULT_REJECT);

	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ttt = rsp_ttt();
	/* §11.10.3: the same ITT and I bit throughout */
	ck_assert_int_eq(
	    send_full(DISC, ISCSI_OP_IMMEDIATE | ISCSI_OP_TEXT_REQ, 1, 0, 0x43, ttt, NULL, 0),
	    TEXTREQ_RESULT_REJECT);
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0"), TEXTREQ_RESULT_RESPOND);
	ttt = rsp_ttt();
	ck_assert_int_eq(send_full(DISC, ISCSI_OP_TEXT_REQ, 1, 0, 0x42, ttt, NULL, 0),
			 TEXTREQ_RESULT_REJECT);
}
END_TEST

START_TEST(test_max_recv_dsl_renegotiation)
{
	static char all[1 << 17], want[1 << 17];
	int parts;

	/* §6.4, §13.12: declared again in full feature phase, no answer */
	params.max_xmit_dsl = 262144;
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "MaxRecvDataSegmentLength=1024\0"),
			 TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rlen, 0);
	ck_assert_uint_eq(rsp[1], 0x80);
	ck_assert_uint_eq(params.max_xmit_dsl, 1024);

	/* in the same request as SendTargets: the answer keeps to the smaller */
	fake.ntargets = 50;
	ck_assert_int_eq(
	    SEND(DISC, 1, 0, RESERVED, "MaxRecvDataSegmentLength=512\0SendTargets=All\0"),
	    TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(params.max_xmit_dsl, 512);
	ck_assert_uint_eq(rlen, 512);
	collect(all, sizeof(all), &parts, 512);
	ck_assert_str_eq(all, targets_rendered(50, want, sizeof(want)));

	/* a larger one takes effect after this answer */
	ck_assert_int_eq(
	    SEND(DISC, 1, 0, RESERVED, "MaxRecvDataSegmentLength=65536\0SendTargets=All\0"),
	    TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rlen, 512);
	ck_assert_uint_eq(params.max_xmit_dsl, 65536);

	/* out of range */
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "MaxRecvDataSegmentLength=100\0"),
			 TEXTREQ_RESULT_REJECT);
	ck_assert_uint_eq(params.max_xmit_dsl, 65536);
}
END_TEST

START_TEST(test_keys)
{
	/* unknown and private keys: NotUnderstood */
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "X-com.example.q=1\0Whatever=2\0"),
			 TEXTREQ_RESULT_RESPOND);
	ck_assert_str_eq(render(), "X-com.example.q=NotUnderstood;Whatever=NotUnderstood;");
	/* login-only keys are protocol errors in full feature phase */
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "MaxBurstLength=65536\0"),
			 TEXTREQ_RESULT_REJECT);
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "HeaderDigest=CRC32C\0"),
			 TEXTREQ_RESULT_REJECT);
	/* a key twice */
	ck_assert_int_eq(SEND(DISC, 1, 0, RESERVED, "SendTargets=All\0SendTargets=All\0"),
			 TEXTREQ_RESULT_REJECT);
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED,
			      "MaxRecvDataSegmentLength=8192\0MaxRecvDataSegmentLength=8192\0"),
			 TEXTREQ_RESULT_REJECT);
	/* malformed text */
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "SendTargets=All"), TEXTREQ_RESULT_REJECT);
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "SendTargets\0"), TEXTREQ_RESULT_REJECT);
	/* an empty request is answered with an empty final response */
	ck_assert_int_eq(send_req(NORM, 1, 0, RESERVED, NULL, 0), TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rlen, 0);
	ck_assert_uint_eq(rsp[1], 0x80);
}
END_TEST

START_TEST(test_bad_pdus)
{
	/* not a Text Request */
	ck_assert_int_eq(send_full(NORM, ISCSI_OP_NOP_OUT, 1, 0, 1, RESERVED, NULL, 0),
			 TEXTREQ_RESULT_REJECT);
	/* §11.10.2: C=1 with F=1 */
	ck_assert_int_eq(SEND(NORM, 1, 1, RESERVED, "X-a=1\0"), TEXTREQ_RESULT_REJECT);
	/* a continuation when nothing is under way */
	ck_assert_int_eq(send_req(NORM, 1, 0, 5, NULL, 0), TEXTREQ_RESULT_REJECT);
}
END_TEST

START_TEST(test_request_in_parts)
{
	static const char full[] = "SendTargets=All\0X-com.example.q=1\0";
	uint32_t ttt;

	/* cut inside a pair; each part gets an empty response with our tag, F=0 */
	ck_assert_int_eq(send_req(DISC, 0, 1, RESERVED, full, 7), TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rsp[1], 0);
	ck_assert_uint_eq(rlen, 0);
	ttt = rsp_ttt();
	ck_assert_int_eq(fake.calls, 0);
	ck_assert_int_eq(send_req(DISC, 0, 1, ttt, full + 7, 14), TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rsp_ttt(), ttt);
	ck_assert_int_eq(send_req(DISC, 1, 0, ttt, full + 21, sizeof(full) - 1 - 21),
			 TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rsp[1], 0x80);
	ck_assert_int_eq(fake.calls, 1);
	ck_assert_str_eq(render(), "TargetName=iqn.2024-01.com.example:disk000;"
				   "TargetAddress=192.0.2.1:3260,1;X-com.example.q=NotUnderstood;");
}
END_TEST

START_TEST(test_request_too_long)
{
	static uint8_t chunk[8192];
	uint32_t ttt = RESERVED;
	enum textreq_result res = TEXTREQ_RESULT_RESPOND;
	int i;

	memset(chunk, 'a', sizeof(chunk));
	for (i = 0; i < 9 && res == TEXTREQ_RESULT_RESPOND; i++) {
		res = send_req(NORM, 0, 1, ttt, chunk, sizeof(chunk));
		ttt = rsp_ttt();
	}
	ck_assert_int_eq(i, 9); /* 64 KiB fit, the ninth part does not */
	ck_assert_int_eq(res, TEXTREQ_RESULT_REJECT);
}
END_TEST

START_TEST(test_negotiation_across_requests)
{
	uint32_t ttt;

	/* F=0: the initiator has more to say; the target answers F=0 with its tag */
	ck_assert_int_eq(SEND(NORM, 0, 0, RESERVED, "X-a=1\0"), TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rsp[1], 0);
	ck_assert_str_eq(render(), "X-a=NotUnderstood;");
	ttt = rsp_ttt();
	ck_assert_int_eq(SEND(NORM, 1, 0, ttt, "MaxRecvDataSegmentLength=4096\0"),
			 TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(rsp[1], 0x80);
	ck_assert_uint_eq(params.max_xmit_dsl, 4096);

	/* the same key twice in one sequence, across its requests */
	ck_assert_int_eq(SEND(NORM, 0, 0, RESERVED, "MaxRecvDataSegmentLength=4096\0"),
			 TEXTREQ_RESULT_RESPOND);
	ttt = rsp_ttt();
	ck_assert_int_eq(SEND(NORM, 1, 0, ttt, "MaxRecvDataSegmentLength=8192\0"),
			 TEXTREQ_RESULT_REJECT);
	/* but in a new sequence it is fine */
	ck_assert_int_eq(SEND(NORM, 1, 0, RESERVED, "MaxRecvDataSegmentLength=8192\0"),
			 TEXTREQ_RESULT_RESPOND);
	ck_assert_uint_eq(params.max_xmit_dsl, 8192);
}
END_TEST

static Suite *textreq_suite(void)
{
	Suite *s = suite_create("textreq");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sendtargets_all);
	tcase_add_test(tc, test_sendtargets_values);
	tcase_add_test(tc, test_sendtargets_env_failure);
	tcase_add_test(tc, test_long_answer_split);
	tcase_add_test(tc, test_long_answer_reset);
	tcase_add_test(tc, test_long_answer_bad_continuation);
	tcase_add_test(tc, test_max_recv_dsl_renegotiation);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_bad_pdus);
	tcase_add_test(tc, test_request_in_parts);
	tcase_add_test(tc, test_request_too_long);
	tcase_add_test(tc, test_negotiation_across_requests);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(textreq_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text Requests in full feature phase (target/iscsi/textreq.c): a sequence
 * of Text Request PDUs against one connection's struct textreq_sm, with a
 * fake SendTargets.
 *
 * Input: byte 0 picks the session type, the initiator's
 * MaxRecvDataSegmentLength and how SendTargets answers (see setup()); the
 * rest is PDUs as on the wire (BHS, then DataSegmentLength bytes).
 *
 * Checked for every answer: a Text Response echoing the ITT, its
 * DataSegmentLength the data handed back, never more than the initiator
 * takes (the smaller of its old and new MaxRecvDataSegmentLength, and never
 * below 512), C and F never together, F=1 only with the reserved tag and C=1
 * only with one, data pointing into the answer being sent; the parts of one
 * answer join into well-formed text. The connection's parameters stay in
 * range whatever the requests renegotiate.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "common/util.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/textreq.h"

static uint8_t st_mode;

/* SendTargets: a short answer, one long enough to need many parts, or a failure. */
static int fake_sendtargets(void *arg, const char *value, struct text_buf *out)
{
	char name[64];
	int rc = 0;

	(void)arg;
	FUZZ_CHECK(strlen(value) <= ISCSI_NAME_MAX, "SendTargets value of %zu bytes",
		   strlen(value));
	switch (st_mode) {
	case 0:
		rc = text_buf_add(out, "TargetName", "iqn.2026-01.org.example:t1");
		if (!rc)
			rc = text_buf_add(out, "TargetAddress", "192.0.2.1:3260,1");
		return rc;
	case 1:
		for (int i = 0; i < 200 && !rc; i++) {
			snprintf(name, sizeof(name), "iqn.2026-01.org.example:target-%03d", i);
			rc = text_buf_add(out, "TargetName", name);
			if (!rc)
				rc = text_buf_add(out, "TargetAddress", "[2001:db8::1]:3260,1");
		}
		return rc;
	case 2:
		/* Fails half-way: what was appended must not go out. */
		text_buf_add(out, "TargetName", "iqn.2026-01.org.example:half-done");
		return -EIO;
	default:
		return 0;
	}
}

static void check_params(const struct iscsi_params *p)
{
	FUZZ_CHECK(p->max_xmit_dsl >= 512 && p->max_xmit_dsl <= 16777215, "max_xmit_dsl %u",
		   p->max_xmit_dsl);
	FUZZ_CHECK(p->max_recv_dsl == 8192, "our MaxRecvDataSegmentLength changed to %u",
		   p->max_recv_dsl);
	FUZZ_CHECK(p->erl == 0 && p->max_connections == 1 && !p->header_digest && !p->data_digest,
		   "a login-only key changed in full feature phase");
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
	struct textreq_env env = {.sendtargets = fake_sendtargets};
	enum iscsi_session_type type;
	struct iscsi_params params;
	struct textreq_sm ts;
	struct text_buf whole;
	struct fuzz_in in;
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN];
	const uint8_t *seg;
	size_t dlen;
	int npdu = 0;

	if (size < 1)
		return 0;
	type = data[0] & 0x01 ? ISCSI_SESSION_DISCOVERY : ISCSI_SESSION_NORMAL;
	st_mode = (data[0] >> 1) & 3;
	param_defaults(&params);
	params.max_xmit_dsl = 512u << ((data[0] >> 3) & 7);
	textreq_init(&ts);
	text_buf_init(&whole, 2u << 20);
	fuzz_in_init(&in, data + 1, size - 1);

	while (fuzz_next_pdu(&in, bhs, &seg, &dlen) && npdu++ < 256) {
		const struct iscsi_text_hdr *r = (const struct iscsi_text_hdr *)rsp;
		uint8_t *copy = malloc(dlen ? dlen : 1); /* exact size: ASan sees overreads */
		uint32_t before = params.max_xmit_dsl, ttt;
		const uint8_t *rdata = (const uint8_t *)"x";
		size_t rdlen = 12345;
		enum textreq_result res;

		memcpy(copy, seg, dlen);
		memset(rsp, 0xa5, sizeof(rsp));
		if (get_be32(bhs + 20) == ISCSI_RESERVED_TAG)
			text_buf_reset(&whole); /* a new sequence: the old answer is dropped */
		res = textreq_handle(&ts, &env, type, &params, bhs, dlen ? copy : NULL, dlen, rsp,
				     &rdata, &rdlen);
		free(copy);
		check_params(&params);
		if (res == TEXTREQ_RESULT_REJECT) {
			FUZZ_CHECK(!ts.active, "a sequence survives a Reject");
			text_buf_reset(&whole);
			continue;
		}
		FUZZ_CHECK(res == TEXTREQ_RESULT_RESPOND, "textreq_handle returned %d", (int)res);
		ttt = get_be32(r->ttt);
		FUZZ_CHECK(r->opcode == ISCSI_OP_TEXT_RSP, "response opcode 0x%02x", r->opcode);
		FUZZ_CHECK(!memcmp(r->itt, bhs + 16, 4), "ITT not echoed");
		FUZZ_CHECK(get_be24(rsp + 5) == rdlen, "DataSegmentLength %u, data %zu",
			   get_be24(rsp + 5), rdlen);
		FUZZ_CHECK(rdlen <= MAX(MIN(before, params.max_xmit_dsl), 512u),
			   "%zu bytes to an initiator that takes %u (now %u)", rdlen, before,
			   params.max_xmit_dsl);
		FUZZ_CHECK(rdlen == 0 || (ts.rsp.data && rdata >= ts.rsp.data &&
					  rdata + rdlen <= ts.rsp.data + ts.rsp.len),
			   "answer data outside the answer");
		FUZZ_CHECK(
		    !((r->flags & ISCSI_FLAG_FINAL) && (r->flags & ISCSI_TEXT_FLAG_CONTINUE)),
		    "answer with both F and C");
		FUZZ_CHECK((r->flags & ~(ISCSI_FLAG_FINAL | ISCSI_TEXT_FLAG_CONTINUE)) == 0,
			   "answer flags 0x%02x", r->flags);
		if (r->flags & ISCSI_FLAG_FINAL)
			FUZZ_CHECK(ttt == ISCSI_RESERVED_TAG, "F=1 with tag %08x", ttt);
		else
			FUZZ_CHECK(ttt != ISCSI_RESERVED_TAG, "F=0 without a tag");
		if (rdlen)
			FUZZ_CHECK(!text_buf_append(&whole, rdata, rdlen),
				   "joined answer past 2 MiB");
		if (!(r->flags & ISCSI_TEXT_FLAG_CONTINUE)) {
			FUZZ_CHECK(fuzz_text_well_formed(whole.data, whole.len),
				   "malformed answer text");
			if (st_mode == 2 && whole.len)
				FUZZ_CHECK(!memmem(whole.data, whole.len, "example:half-done", 17),
					   "a failed SendTargets answer went out");
			text_buf_reset(&whole);
		}
	}
	text_buf_fini(&whole);
	textreq_fini(&ts);
	return 0;
}

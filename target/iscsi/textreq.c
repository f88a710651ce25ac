/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text Requests in full feature phase (RFC 7143 §11.10, §11.11, §6.4;
 * SendTargets: §13.3 and Appendix C). Pure: no I/O, no logging.
 *
 * A sequence starts with a request whose Target Transfer Tag is
 * 0xffffffff and lasts until the target answers with F=1. Within it the
 * initiator may send a request in parts (C=1, each acknowledged by an
 * empty response carrying our tag), ask for the rest of a long answer with
 * empty requests echoing our tag, or go on negotiating (F=0). Keys are
 * checked against the whole sequence, so a key twice is a protocol error.
 */
#include <errno.h>
#include <string.h>

#include "common/be.h"
#include "common/util.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/textreq.h"

void textreq_init(struct textreq_sm *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->ttt = ISCSI_RESERVED_TAG;
	ts->next_ttt = 1;
	text_buf_init(&ts->req, TEXTREQ_REQ_MAX);
	text_buf_init(&ts->rsp, TEXTREQ_RSP_MAX);
}

void textreq_fini(struct textreq_sm *ts)
{
	text_buf_fini(&ts->req);
	text_buf_fini(&ts->rsp);
}

/* Ends the sequence. The answer's bytes stay where they are until the next call. */
static void textreq_end(struct textreq_sm *ts)
{
	ts->active = false;
	ts->ttt = ISCSI_RESERVED_TAG;
	ts->sendtargets_seen = false;
	text_buf_reset(&ts->req);
	ts->rsp_off = ts->rsp.len;
}

static enum textreq_result textreq_reject(struct textreq_sm *ts)
{
	textreq_end(ts);
	text_buf_reset(&ts->rsp);
	ts->rsp_off = 0;
	return TEXTREQ_RESULT_REJECT;
}

/* The tag of this sequence, handed out once it needs one (§11.11.4). */
static uint32_t textreq_tag(struct textreq_sm *ts)
{
	if (ts->ttt == ISCSI_RESERVED_TAG) {
		if (ts->next_ttt == ISCSI_RESERVED_TAG)
			ts->next_ttt = 1;
		ts->ttt = ts->next_ttt++;
	}
	return ts->ttt;
}

static void textreq_rsp_hdr(uint8_t *rsp, const struct iscsi_text_hdr *q, uint8_t flags,
			    uint32_t ttt, size_t dlen)
{
	struct iscsi_text_hdr *r = (struct iscsi_text_hdr *)rsp;

	memset(rsp, 0, ISCSI_BHS_LEN);
	r->opcode = ISCSI_OP_TEXT_RSP;
	r->flags = flags;
	iscsi_bhs_set_dlen(rsp, (uint32_t)dlen);
	memcpy(r->itt, q->itt, sizeof(r->itt));
	put_be32(r->ttt, ttt);
}

/*
 * The next part of the answer. §11.11.2: all but the last go with C=1 and
 * F=0 and our tag. §11.11.1/§11.11.4: the last goes with F=1 and the
 * reserved tag when the request was final, else F=0 and our tag (the
 * initiator has more to say).
 */
static enum textreq_result textreq_send_part(struct textreq_sm *ts, const struct iscsi_text_hdr *q,
					     uint8_t *rsp, const uint8_t **rsp_data,
					     size_t *rsp_dlen)
{
	size_t n = MIN(ts->rsp.len - ts->rsp_off, ts->max_send);

	*rsp_data = n ? ts->rsp.data + ts->rsp_off : NULL;
	*rsp_dlen = n;
	ts->rsp_off += n;
	if (ts->rsp_off < ts->rsp.len) {
		textreq_rsp_hdr(rsp, q, ISCSI_TEXT_FLAG_CONTINUE, textreq_tag(ts), n);
	} else if (ts->final) {
		textreq_rsp_hdr(rsp, q, ISCSI_FLAG_FINAL, ISCSI_RESERVED_TAG, n);
		textreq_end(ts);
	} else {
		textreq_rsp_hdr(rsp, q, 0, textreq_tag(ts), n);
	}
	return TEXTREQ_RESULT_RESPOND;
}

/*
 * SendTargets (§13.3, Appendix C). "All" is for discovery sessions only
 * and MUST NOT be supported on a normal one; the empty value asks for the
 * session's own target and so means nothing on a discovery session; a
 * target name is passed on (the env answers a normal session only about
 * its own target). A failed env is the target's problem, not the
 * initiator's, but the sequence cannot go on without its answer.
 */
static enum textreq_result textreq_sendtargets(struct textreq_sm *ts, const struct textreq_env *env,
					       enum iscsi_session_type type,
					       const struct text_pair *pair)
{
	char value[ISCSI_NAME_MAX + 1];
	size_t mark = ts->rsp.len;

	/* §6.2: once per sequence. */
	if (ts->sendtargets_seen)
		return TEXTREQ_RESULT_REJECT;
	ts->sendtargets_seen = true;
	if (text_value_is(pair, "All") && type == ISCSI_SESSION_NORMAL)
		return text_buf_add(&ts->rsp, "SendTargets", "Reject") ? TEXTREQ_RESULT_REJECT
								       : TEXTREQ_RESULT_RESPOND;
	if (text_value_copy(pair, value, sizeof(value)))
		return text_buf_add(&ts->rsp, "SendTargets", "Reject") ? TEXTREQ_RESULT_REJECT
								       : TEXTREQ_RESULT_RESPOND;
	if ((!value[0] && type == ISCSI_SESSION_DISCOVERY) || !env || !env->sendtargets)
		return TEXTREQ_RESULT_RESPOND;
	if (env->sendtargets(env->arg, value, &ts->rsp)) {
		ts->rsp.len = mark;
		return TEXTREQ_RESULT_REJECT;
	}
	return TEXTREQ_RESULT_RESPOND;
}

/* A whole request (all its C=1 parts) in ts->req. */
static enum textreq_result textreq_request(struct textreq_sm *ts, const struct textreq_env *env,
					   enum iscsi_session_type type)
{
	struct text_iter it;
	struct text_pair pair;
	int rc;

	text_iter_init(&it, ts->req.data, ts->req.len);
	while ((rc = text_next(&it, &pair)) == 1) {
		if (text_key_is(&pair, "SendTargets")) {
			if (textreq_sendtargets(ts, env, type, &pair) != TEXTREQ_RESULT_RESPOND)
				return TEXTREQ_RESULT_REJECT;
			continue;
		}
		/* §6.4: only the keys allowed in full feature phase. */
		if (param_neg_pair(&ts->neg, PARAM_STAGE_FULL_FEATURE, &pair, &ts->rsp))
			return TEXTREQ_RESULT_REJECT;
	}
	if (rc < 0)
		return TEXTREQ_RESULT_REJECT; /* §6.1: malformed text */
	if (param_neg_end(&ts->neg, PARAM_STAGE_FULL_FEATURE, &ts->rsp))
		return TEXTREQ_RESULT_REJECT;
	return TEXTREQ_RESULT_RESPOND;
}

enum textreq_result textreq_handle(struct textreq_sm *ts, const struct textreq_env *env,
				   enum iscsi_session_type type, struct iscsi_params *params,
				   const uint8_t *bhs, const uint8_t *data, size_t dlen,
				   uint8_t *rsp, const uint8_t **rsp_data, size_t *rsp_dlen)
{
	const struct iscsi_text_hdr *q = (const struct iscsi_text_hdr *)bhs;
	bool final = q->flags & ISCSI_FLAG_FINAL;
	bool cont = q->flags & ISCSI_TEXT_FLAG_CONTINUE;
	bool immediate = q->opcode & ISCSI_OP_IMMEDIATE;
	uint32_t itt = get_be32(q->itt), ttt = get_be32(q->ttt);

	memset(rsp, 0, ISCSI_BHS_LEN);
	*rsp_data = NULL;
	*rsp_dlen = 0;
	if ((q->opcode & ISCSI_OPCODE_MASK) != ISCSI_OP_TEXT_REQ)
		return textreq_reject(ts);
	/* §11.10.2: a request continued in the next PDU is not final. */
	if (cont && final)
		return textreq_reject(ts);

	if (ttt == ISCSI_RESERVED_TAG) {
		/* §11.10.4: a new request; whatever was under way is dropped. */
		textreq_end(ts);
		text_buf_reset(&ts->rsp);
		ts->rsp_off = 0;
		ts->active = true;
		ts->itt = itt;
		ts->immediate = immediate;
		param_neg_init_ffp(&ts->neg, params, type);
	} else if (!ts->active || ttt != ts->ttt || itt != ts->itt || immediate != ts->immediate) {
		/*
		 * §11.10.4: a continuation echoes the tag we handed out;
		 * §11.10.3: one sequence, one ITT and one I bit.
		 */
		return textreq_reject(ts);
	}

	if (ts->rsp_off < ts->rsp.len) {
		/* §11.11.2: the rest of a long answer is asked for with an empty request. */
		if (dlen || cont)
			return textreq_reject(ts);
		return textreq_send_part(ts, q, rsp, rsp_data, rsp_dlen);
	}

	/* §6.1: pairs may span PDUs; the request is complete at C=0. */
	if (dlen && text_buf_append(&ts->req, data, dlen))
		return textreq_reject(ts);
	if (cont) {
		/* Each part gets an empty response with our tag (F=0: §11.11.1). */
		textreq_rsp_hdr(rsp, q, 0, textreq_tag(ts), 0);
		return TEXTREQ_RESULT_RESPOND;
	}

	text_buf_reset(&ts->rsp);
	ts->rsp_off = 0;
	if (textreq_request(ts, env, type) != TEXTREQ_RESULT_RESPOND)
		return textreq_reject(ts);
	text_buf_reset(&ts->req);
	/*
	 * §13.12: a new MaxRecvDataSegmentLength holds from now on; this
	 * answer keeps to the smaller of the old and the new.
	 */
	ts->max_send = MIN(params->max_xmit_dsl, ts->neg.params.max_xmit_dsl);
	if (ts->max_send < 512)
		ts->max_send = 512; /* §13.12: never less; keeps a part from being empty */
	params->max_xmit_dsl = ts->neg.params.max_xmit_dsl;
	ts->final = final;
	return textreq_send_part(ts, q, rsp, rsp_data, rsp_dlen);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text Requests in full feature phase (RFC 7143 §11.10, §11.11, §6.4, and
 * SendTargets, §13.3 and Appendix C): per connection, the gathering of a
 * request sent in parts (C bit), the answer sent in parts (Target Transfer
 * Tag), and the keys negotiated on the way. Pure: no I/O, no logging.
 */
#ifndef PORTICO_TARGET_ISCSI_TEXTREQ_H
#define PORTICO_TARGET_ISCSI_TEXTREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/iscsi/param.h"
#include "target/iscsi/text.h"

#define TEXTREQ_REQ_MAX 65536	   /* a request, all its parts together */
#define TEXTREQ_RSP_MAX (1u << 20) /* an answer, all its parts together */

struct textreq_env {
	void *arg;
	/*
	 * Appends the SendTargets answer for value ("All", "" or a target name)
	 * to out: TargetName=... then TargetAddress=ip:port,tag lines. 0 or
	 * -errno.
	 */
	int (*sendtargets)(void *arg, const char *value, struct text_buf *out);
};

struct textreq_sm {
	bool active;  /* a sequence is under way */
	uint32_t itt; /* its Initiator Task Tag, and I bit (§11.10.3) */
	bool immediate;
	uint32_t ttt; /* the tag handed out for it, or ISCSI_RESERVED_TAG */
	uint32_t next_ttt;
	bool sendtargets_seen; /* SendTargets came in this sequence */
	struct param_neg neg;  /* the keys of the sequence */
	struct text_buf req;   /* the request being received (C=1 parts) */
	struct text_buf rsp;   /* the whole answer to the last complete request */
	size_t rsp_off;	       /* how much of rsp has gone out */
	size_t max_send;       /* the largest part of rsp */
	bool final;	       /* the request rsp answers had F=1 */
};

/* Ready for the connection's first Text Request. */
void textreq_init(struct textreq_sm *ts);
/* Frees what ts holds. */
void textreq_fini(struct textreq_sm *ts);

enum textreq_result {
	TEXTREQ_RESULT_RESPOND,
	TEXTREQ_RESULT_REJECT, /* protocol error: the caller sends Reject */
};

/*
 * bhs: the Text Request (48 bytes), data/dlen its data segment. Builds the
 * Text Response BHS into rsp (the caller fills StatSN/ExpCmdSN/MaxCmdSN)
 * and points *rsp_data and *rsp_dlen at its data (valid until the next call).
 * params: the connection's negotiated values; MaxRecvDataSegmentLength may
 * be declared again in full feature phase, which updates
 * params->max_xmit_dsl (the largest data segment the target may send, and
 * so the largest part of an answer). TEXTREQ_RESULT_REJECT drops whatever
 * sequence was under way.
 */
enum textreq_result textreq_handle(struct textreq_sm *ts, const struct textreq_env *env,
				   enum iscsi_session_type type, struct iscsi_params *params,
				   const uint8_t *bhs, const uint8_t *data, size_t dlen,
				   uint8_t *rsp, const uint8_t **rsp_data, size_t *rsp_dlen);

#endif

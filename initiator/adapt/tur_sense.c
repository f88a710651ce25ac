/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A path checker's answer, classified (tur_sense.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/scsi_proto.h"
#include "common/util.h"
#include "initiator/adapt/tur_sense.h"

/* SPC-4 §4.5.1: response codes; bit 7 of the fixed format's byte 0 is VALID */
#define TS_RESP_MASK 0x7f
#define TS_FIXED_CURRENT 0x70
#define TS_FIXED_DEFERRED 0x71
#define TS_DESC_CURRENT 0x72
#define TS_DESC_DEFERRED 0x73
/* SPC-4 §4.5.3: fixed format fields */
#define TS_FIXED_KEY 2
#define TS_FIXED_ADDL_LEN 7
#define TS_FIXED_ASC 12
#define TS_FIXED_ASCQ 13
/* SPC-4 §4.5.2: descriptor format fields */
#define TS_DESC_KEY 1
#define TS_DESC_ASC 2
#define TS_DESC_ASCQ 3

#define TS_KEY_MASK 0x0f
/* SPC-4 §4.5.6: the command completed, with recovery; not in scsi_proto.h's list */
#define TS_KEY_RECOVERED_ERROR 0x1

/* ASC 04h, LOGICAL UNIT NOT READY / NOT ACCESSIBLE: the ASCQs of SPC-4 §5.16 */
#define TS_ASC_NOT_READY 0x04
#define TS_ASCQ_TRANSITION 0x0a
#define TS_ASCQ_STANDBY 0x0b
#define TS_ASCQ_UNAVAILABLE 0x0c

int tur_sense_parse(const uint8_t *p, size_t len, struct tur_sense *out)
{
	size_t avail;

	memset(out, 0, sizeof(*out));
	if (!len)
		return -ENODATA;
	switch (p[0] & TS_RESP_MASK) {
	case TS_FIXED_CURRENT:
	case TS_FIXED_DEFERRED:
		if (len <= TS_FIXED_KEY)
			return -EBADMSG;
		out->deferred = (p[0] & TS_RESP_MASK) == TS_FIXED_DEFERRED;
		out->key = p[TS_FIXED_KEY] & TS_KEY_MASK;
		/* the bytes the device says it sent: 8 + ADDITIONAL SENSE LENGTH, within len */
		avail = len > TS_FIXED_ADDL_LEN ? MIN(len, 8u + p[TS_FIXED_ADDL_LEN]) : len;
		if (avail > TS_FIXED_ASCQ) {
			out->has_asc = true;
			out->asc = p[TS_FIXED_ASC];
			out->ascq = p[TS_FIXED_ASCQ];
		}
		return 0;
	case TS_DESC_CURRENT:
	case TS_DESC_DEFERRED:
		if (len <= TS_DESC_ASCQ)
			return -EBADMSG;
		out->descriptor = true;
		out->deferred = (p[0] & TS_RESP_MASK) == TS_DESC_DEFERRED;
		out->key = p[TS_DESC_KEY] & TS_KEY_MASK;
		out->has_asc = true;
		out->asc = p[TS_DESC_ASC];
		out->ascq = p[TS_DESC_ASCQ];
		return 0;
	default:
		return -EPROTO;
	}
}

/* Sense keys (SPC-4 §4.5.6). */
static const char *const ts_keys[16] = {
    "NO SENSE",	      "RECOVERED ERROR", "NOT READY",	   "MEDIUM ERROR",
    "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
    "BLANK CHECK",    "VENDOR SPECIFIC", "COPY ABORTED",   "ABORTED COMMAND",
    "RESERVED (0Ch)", "VOLUME OVERFLOW", "MISCOMPARE",	   "COMPLETED",
};

/* The additional sense codes a path checker meets (SPC-4 §4.5.6, table of ASC and ASCQ). */
static const struct {
	uint8_t asc, ascq;
	const char *text;
} ts_ascs[] = {
    {0x04, 0x00, "logical unit not ready, cause not reportable"},
    {0x04, 0x01, "logical unit is in process of becoming ready"},
    {0x04, 0x02, "logical unit not ready, initializing command required"},
    {0x04, 0x03, "logical unit not ready, manual intervention required"},
    {0x04, 0x0a, "logical unit not accessible, asymmetric access state transition"},
    {0x04, 0x0b, "logical unit not accessible, target port in standby state"},
    {0x04, 0x0c, "logical unit not accessible, target port in unavailable state"},
    {0x04, 0x12, "logical unit not ready, offline"},
    {0x08, 0x00, "logical unit communication failure"},
    {0x25, 0x00, "logical unit not supported"},
    {0x29, 0x00, "power on, reset, or bus device reset occurred"},
    {0x29, 0x07, "i_t nexus loss occurred"},
    {0x2a, 0x01, "mode parameters changed"},
    {0x2a, 0x06, "asymmetric access state changed"},
    {0x2a, 0x09, "capacity data has changed"},
    {0x3a, 0x00, "medium not present"},
    {0x3f, 0x0e, "reported luns data has changed"},
    {0x44, 0x00, "internal target failure"},
    {0x47, 0x00, "unrecovered read error"},
    {0x4b, 0x00, "data phase error"},
};

static const char *ts_asc_text(uint8_t asc, uint8_t ascq)
{
	for (size_t i = 0; i < ARRAY_SIZE(ts_ascs); i++)
		if (ts_ascs[i].asc == asc && ts_ascs[i].ascq == ascq)
			return ts_ascs[i].text;
	return NULL;
}

static const char *ts_status_name(uint8_t status)
{
	switch (status) {
	case TUR_SCSI_GOOD:
		return "GOOD";
	case TUR_SCSI_CHECK_CONDITION:
		return "CHECK CONDITION";
	case TUR_SCSI_CONDITION_MET:
		return "CONDITION MET";
	case TUR_SCSI_BUSY:
		return "BUSY";
	case TUR_SCSI_RESERVATION_CONFLICT:
		return "RESERVATION CONFLICT";
	case TUR_SCSI_TASK_SET_FULL:
		return "TASK SET FULL";
	case TUR_SCSI_ACA_ACTIVE:
		return "ACA ACTIVE";
	case TUR_SCSI_TASK_ABORTED:
		return "TASK ABORTED";
	default:
		return NULL;
	}
}

static const char *ts_host_name(uint16_t host)
{
	static const char *const names[] = {
	    [TUR_DID_OK] = "DID_OK",
	    [TUR_DID_NO_CONNECT] = "DID_NO_CONNECT",
	    [TUR_DID_BUS_BUSY] = "DID_BUS_BUSY",
	    [TUR_DID_TIME_OUT] = "DID_TIME_OUT",
	    [TUR_DID_BAD_TARGET] = "DID_BAD_TARGET",
	    [TUR_DID_ABORT] = "DID_ABORT",
	    [TUR_DID_PARITY] = "DID_PARITY",
	    [TUR_DID_ERROR] = "DID_ERROR",
	    [TUR_DID_RESET] = "DID_RESET",
	    [TUR_DID_BAD_INTR] = "DID_BAD_INTR",
	    [TUR_DID_PASSTHROUGH] = "DID_PASSTHROUGH",
	    [TUR_DID_SOFT_ERROR] = "DID_SOFT_ERROR",
	    [TUR_DID_IMM_RETRY] = "DID_IMM_RETRY",
	    [TUR_DID_REQUEUE] = "DID_REQUEUE",
	    [TUR_DID_TRANSPORT_DISRUPTED] = "DID_TRANSPORT_DISRUPTED",
	    [TUR_DID_TRANSPORT_FAILFAST] = "DID_TRANSPORT_FAILFAST",
	    [TUR_DID_TARGET_FAILURE] = "DID_TARGET_FAILURE",
	    [TUR_DID_NEXUS_FAILURE] = "DID_NEXUS_FAILURE",
	    [TUR_DID_ALLOC_FAILURE] = "DID_ALLOC_FAILURE",
	    [TUR_DID_MEDIUM_ERROR] = "DID_MEDIUM_ERROR",
	    [TUR_DID_TRANSPORT_MARGINAL] = "DID_TRANSPORT_MARGINAL",
	};

	return host < ARRAY_SIZE(names) && names[host] ? names[host] : NULL;
}

static void ts_text(struct tur_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The verdict's text, cut to fit. */
static void ts_text(struct tur_verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->text, sizeof(v->text), fmt, ap);
	va_end(ap);
}

static void ts_set(struct tur_verdict *v, enum tur_state state, enum tur_cause cause)
{
	v->state = state;
	v->cause = cause;
}

/* The sense part of the text: "NOT READY, 04h/0Bh (logical unit ...)". */
static void ts_sense_text(const struct tur_sense *s, char *buf, size_t len)
{
	const char *t = s->has_asc ? ts_asc_text(s->asc, s->ascq) : NULL;
	const char *deferred = s->deferred ? " (deferred)" : "";

	if (!s->has_asc)
		snprintf(buf, len, "%s%s", ts_keys[s->key], deferred);
	else if (t)
		snprintf(buf, len, "%s, %02Xh/%02Xh (%s)%s", ts_keys[s->key], s->asc, s->ascq, t,
			 deferred);
	else
		snprintf(buf, len, "%s, %02Xh/%02Xh%s", ts_keys[s->key], s->asc, s->ascq, deferred);
}

/* CHECK CONDITION, by its sense data. */
static void ts_check_condition(const struct tur_raw *raw, const char *what, bool retried,
			       struct tur_verdict *v)
{
	struct tur_sense *s = &v->sense;
	char st[TUR_TEXT_MAX];
	int rc;

	rc = tur_sense_parse(raw->sense, raw->sense ? raw->sense_len : 0, s);
	if (rc) {
		ts_set(v, TUR_STATE_DOWN, TUR_CAUSE_SENSE);
		ts_text(v, "%s: CHECK CONDITION %s", what,
			rc == -ENODATA	? "without sense data"
			: rc == -EPROTO ? "with sense data of an unknown format"
					: "with sense data cut short");
		return;
	}
	v->has_sense = true;
	ts_sense_text(s, st, sizeof(st));
	ts_text(v, "%s: CHECK CONDITION, %s", what, st);
	switch (s->key) {
	case SCSI_SENSE_KEY_UNIT_ATTENTION:
		/*
		 * SAM-5 §5.14: a unit attention is reported to one command and
		 * then cleared; the logical unit answered. Once more, then up
		 * whatever comes: several conditions may be queued.
		 */
		if (!retried)
			v->retry = true;
		ts_set(v, TUR_STATE_UP, TUR_CAUSE_SENSE);
		return;
	case SCSI_SENSE_KEY_NOT_READY:
		ts_set(v, TUR_STATE_NOT_READY, TUR_CAUSE_SENSE);
		if (!s->has_asc || s->asc != TS_ASC_NOT_READY)
			return;
		/* SPC-4 §5.16: the target port's asymmetric access state, as sense */
		if (s->ascq == TS_ASCQ_STANDBY)
			v->state = TUR_STATE_STANDBY;
		else if (s->ascq == TS_ASCQ_UNAVAILABLE)
			v->state = TUR_STATE_UNAVAILABLE;
		else if (s->ascq == TS_ASCQ_TRANSITION)
			v->state = TUR_STATE_TRANSITIONING;
		return;
	case SCSI_SENSE_KEY_NO_SENSE:
	case TS_KEY_RECOVERED_ERROR:
		ts_set(v, TUR_STATE_UP, TUR_CAUSE_SENSE);
		return;
	default:
		ts_set(v, TUR_STATE_DOWN, TUR_CAUSE_SENSE);
		return;
	}
}

void tur_classify(const struct tur_raw *raw, const char *what, bool retried,
		  struct tur_verdict *out)
{
	const char *name;

	memset(out, 0, sizeof(*out));
	if (raw->err) {
		bool gone = raw->err == -ENOENT || raw->err == -ENXIO || raw->err == -ENODEV;

		ts_set(out, TUR_STATE_DOWN,
		       gone			? TUR_CAUSE_DEVICE
		       : raw->err == -ETIMEDOUT ? TUR_CAUSE_TIMEOUT
						: TUR_CAUSE_IO);
		ts_text(out, "%s: %s%s", what, strerror(-raw->err),
			gone ? " (the disk is gone)" : "");
		return;
	}
	if (raw->host_status != TUR_DID_OK) {
		name = ts_host_name(raw->host_status);
		ts_set(out, TUR_STATE_DOWN,
		       raw->host_status == TUR_DID_TIME_OUT ? TUR_CAUSE_TIMEOUT
							    : TUR_CAUSE_TRANSPORT);
		switch (raw->host_status) {
		case TUR_DID_BUS_BUSY:
		case TUR_DID_SOFT_ERROR:
		case TUR_DID_IMM_RETRY:
		case TUR_DID_REQUEUE:
			/* the transport asks for the command again: once, as for a unit attention
			 */
			out->retry = !retried;
			break;
		default:
			break;
		}
		if (name)
			ts_text(out, "%s: host status %s", what, name);
		else
			ts_text(out, "%s: host status %02Xh", what, raw->host_status);
		return;
	}
	if ((raw->driver_status & 0x0f) == TUR_DRIVER_TIMEOUT) {
		ts_set(out, TUR_STATE_DOWN, TUR_CAUSE_TIMEOUT);
		ts_text(out, "%s: timed out (driver)", what);
		return;
	}
	switch (raw->status) {
	case TUR_SCSI_GOOD:
	case TUR_SCSI_CONDITION_MET:
		ts_set(out, TUR_STATE_UP, TUR_CAUSE_NONE);
		ts_text(out, "%s: GOOD", what);
		return;
	case TUR_SCSI_CHECK_CONDITION:
		ts_check_condition(raw, what, retried, out);
		return;
	case TUR_SCSI_BUSY:
	case TUR_SCSI_TASK_SET_FULL:
	case TUR_SCSI_RESERVATION_CONFLICT:
		/* SAM-5 §5.3.1: the logical unit received the command over this path */
		ts_set(out, TUR_STATE_UP, TUR_CAUSE_STATUS);
		break;
	default:
		ts_set(out, TUR_STATE_DOWN, TUR_CAUSE_STATUS);
		break;
	}
	name = ts_status_name(raw->status);
	if (name)
		ts_text(out, "%s: %s", what, name);
	else
		ts_text(out, "%s: SCSI status %02Xh", what, raw->status);
}

const char *tur_state_name(enum tur_state s)
{
	switch (s) {
	case TUR_STATE_UP:
		return "up";
	case TUR_STATE_DOWN:
		return "down";
	case TUR_STATE_STANDBY:
		return "standby";
	case TUR_STATE_UNAVAILABLE:
		return "unavailable";
	case TUR_STATE_TRANSITIONING:
		return "transitioning";
	case TUR_STATE_NOT_READY:
		return "not ready";
	case TUR_STATE_UNKNOWN:
		return "unknown";
	}
	return "?";
}

const char *tur_cause_name(enum tur_cause c)
{
	switch (c) {
	case TUR_CAUSE_NONE:
		return "";
	case TUR_CAUSE_DEVICE:
		return "device gone";
	case TUR_CAUSE_IO:
		return "I/O error";
	case TUR_CAUSE_TIMEOUT:
		return "timeout";
	case TUR_CAUSE_TRANSPORT:
		return "transport";
	case TUR_CAUSE_STATUS:
		return "status";
	case TUR_CAUSE_SENSE:
		return "sense";
	case TUR_CAUSE_WWID:
		return "WWID";
	case TUR_CAUSE_BUSY:
		return "busy";
	}
	return "?";
}

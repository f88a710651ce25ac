/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a path checker's SCSI command came back with, classified (pure:
 * SG_IO's answer in, a verdict out; no I/O, no logging). The checker
 * (tur.h) feeds it what SG_IO reported; the unit test feeds it byte
 * vectors.
 *
 * The verdict, in the order it is decided:
 *   - the command did not run (open() or the SG_IO ioctl failed): down,
 *     the device gone (ENOENT, ENXIO, ENODEV) or the error;
 *   - the Linux host byte (SG_IO's host_status, the DID_* codes of
 *     include/scsi/scsi_status.h) is not DID_OK: the transport failed, so
 *     down; DID_TIME_OUT is a timeout; the transient ones (DID_BUS_BUSY,
 *     DID_SOFT_ERROR, DID_IMM_RETRY, DID_REQUEUE) are sent once more first;
 *   - the SCSI status (SAM-5 §5.3.1): GOOD and CONDITION MET are up; BUSY,
 *     TASK SET FULL and RESERVATION CONFLICT are up too, with the status
 *     said (the logical unit answered over this path: a busy or reserved
 *     LU is no reason to move its I/O elsewhere, and failing every path of
 *     a reserved LU would fail the map); ACA ACTIVE and TASK ABORTED are
 *     down;
 *   - CHECK CONDITION, by its sense data (SPC-4 §4.5: fixed 70h/71h or
 *     descriptor 72h/73h format, read within its length): a UNIT ATTENTION
 *     (SAM-5 §5.14: reported once per condition, so the next command goes
 *     through) is sent once more, and is up when it comes again (the path
 *     answers; another condition was queued behind the first); NOT READY
 *     with the ALUA codes of SPC-4 §5.16 (asymmetric logical unit access):
 *     04h/0Bh standby, 04h/0Ch unavailable, 04h/0Ah transitioning; other
 *     NOT READY codes are not ready; NO SENSE and RECOVERED ERROR (the
 *     command completed) are up; any other sense key is down, with its
 *     text.
 */
#ifndef PORTICO_INITIATOR_TUR_SENSE_H
#define PORTICO_INITIATOR_TUR_SENSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SCSI status codes (SAM-5 §5.3.1). */
enum tur_scsi_status {
	TUR_SCSI_GOOD = 0x00,
	TUR_SCSI_CHECK_CONDITION = 0x02,
	TUR_SCSI_CONDITION_MET = 0x04,
	TUR_SCSI_BUSY = 0x08,
	TUR_SCSI_RESERVATION_CONFLICT = 0x18,
	TUR_SCSI_TASK_SET_FULL = 0x28,
	TUR_SCSI_ACA_ACTIVE = 0x30,
	TUR_SCSI_TASK_ABORTED = 0x40,
};

/* Linux's host byte (include/scsi/scsi_status.h, enum scsi_host_status), as SG_IO reports it. */
enum tur_host_status {
	TUR_DID_OK = 0x00,
	TUR_DID_NO_CONNECT = 0x01,
	TUR_DID_BUS_BUSY = 0x02,
	TUR_DID_TIME_OUT = 0x03,
	TUR_DID_BAD_TARGET = 0x04,
	TUR_DID_ABORT = 0x05,
	TUR_DID_PARITY = 0x06,
	TUR_DID_ERROR = 0x07,
	TUR_DID_RESET = 0x08,
	TUR_DID_BAD_INTR = 0x09,
	TUR_DID_PASSTHROUGH = 0x0a,
	TUR_DID_SOFT_ERROR = 0x0b,
	TUR_DID_IMM_RETRY = 0x0c,
	TUR_DID_REQUEUE = 0x0d,
	TUR_DID_TRANSPORT_DISRUPTED = 0x0e,
	TUR_DID_TRANSPORT_FAILFAST = 0x0f,
	TUR_DID_TARGET_FAILURE = 0x10,
	TUR_DID_NEXUS_FAILURE = 0x11,
	TUR_DID_ALLOC_FAILURE = 0x12,
	TUR_DID_MEDIUM_ERROR = 0x13,
	TUR_DID_TRANSPORT_MARGINAL = 0x14,
};

/* SG_IO's driver_status low nibble for a command the driver timed out (older kernels). */
#define TUR_DRIVER_TIMEOUT 0x06

/* What one command came back with, as SG_IO reports it (sg_io_hdr). */
struct tur_raw {
	int err;	/* the open()'s or ioctl's -errno; 0: the command ran, the rest says how */
	uint8_t status; /* SCSI status */
	uint16_t host_status;
	uint16_t driver_status;
	const uint8_t *sense; /* sb_len_wr bytes of sense data */
	size_t sense_len;
};

/* Sense data read (tur_sense_parse). */
struct tur_sense {
	uint8_t key, asc, ascq;
	bool descriptor; /* 72h/73h, else fixed 70h/71h */
	bool deferred;	 /* 71h/73h: about an earlier command (SPC-4 §4.5.1) */
	bool has_asc;	 /* fixed format long enough to hold ASC and ASCQ */
};

/*
 * Reads sense data p[0..len). 0, -ENODATA (len 0), -EPROTO (a response
 * code that is not 70h-73h: vendor specific, or not sense data), -EBADMSG
 * (too short for its format's key: 3 bytes fixed, 4 descriptor). A fixed
 * format shorter than 14 bytes, or whose ADDITIONAL SENSE LENGTH stops
 * before byte 14, has no ASC/ASCQ (has_asc false, both 0).
 */
int tur_sense_parse(const uint8_t *p, size_t len, struct tur_sense *out);

enum tur_state {
	TUR_STATE_UP,		 /* the logical unit answered over this path */
	TUR_STATE_DOWN,		 /* no answer, or one that says this path cannot carry I/O */
	TUR_STATE_STANDBY,	 /* ALUA standby (04h/0Bh): reachable, not for I/O */
	TUR_STATE_UNAVAILABLE,	 /* ALUA unavailable (04h/0Ch) */
	TUR_STATE_TRANSITIONING, /* ALUA state transition (04h/0Ah): ask again soon */
	TUR_STATE_NOT_READY,	 /* NOT READY otherwise: becoming ready, stopped, no medium */
	/*
	 * Never a verdict of tur_classify(): the checker (tur.h) could not
	 * run the check in time (every worker stuck on other disks). No news
	 * of the path: keep what it was.
	 */
	TUR_STATE_UNKNOWN,
};

/* Why, for a state that is not up (and for an up that came with a status or sense). */
enum tur_cause {
	TUR_CAUSE_NONE,
	TUR_CAUSE_DEVICE,    /* the device node is gone (ENOENT, ENXIO, ENODEV) */
	TUR_CAUSE_IO,	     /* open() or SG_IO failed otherwise */
	TUR_CAUSE_TIMEOUT,   /* no answer in time */
	TUR_CAUSE_TRANSPORT, /* the host byte: the connection or the session failed */
	TUR_CAUSE_STATUS,    /* the SCSI status */
	TUR_CAUSE_SENSE,     /* the sense data */
	TUR_CAUSE_WWID,	     /* the probe found another LUN (tur.h) */
	TUR_CAUSE_BUSY,	     /* the checker could not run it (tur.h): every worker stuck */
};

#define TUR_TEXT_MAX 192

struct tur_verdict {
	enum tur_state state;
	enum tur_cause cause;
	bool retry; /* send the command once more (only when not retried yet) */
	bool has_sense;
	struct tur_sense sense; /* when has_sense */
	/* "TEST UNIT READY: CHECK CONDITION, NOT READY, 04h/0Bh (logical unit not accessible,
	 * target port in standby state)" */
	char text[TUR_TEXT_MAX];
};

/*
 * Classifies raw, the answer to the command named what ("TEST UNIT
 * READY"), sent for the second time when retried. Never fails: what it
 * cannot read is down with the reason said.
 */
void tur_classify(const struct tur_raw *raw, const char *what, bool retried,
		  struct tur_verdict *out);

/* "up", "down", "standby", "unavailable", "transitioning", "not ready", "unknown". */
const char *tur_state_name(enum tur_state s);
/* "", "device gone", "I/O error", "timeout", "transport", "status", "sense", "WWID", "busy". */
const char *tur_cause_name(enum tur_cause c);

#endif

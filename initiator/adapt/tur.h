/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The path checker (initiator/adapt/tur.c): TEST UNIT READY (SPC-4 §6.37)
 * through SG_IO on a path's SCSI disk, asynchronously, so that a dead path
 * is found where its NIC keeps its carrier (a dead switch port, a portal
 * that stopped answering); and the probe a path passes before it is
 * reinstated: the same, then INQUIRY for the Device Identification VPD page
 * (SPC-4 §6.4, §7.8.6), whose WWID (mpath/wwid.h, mp_wwid: the name the
 * map has) must be the one the path had, so that a path that now leads to
 * another LUN never joins the map.
 *
 * Why threads: SG_IO blocks, and longer than its timeout when the path is
 * dead (the SCSI error handler aborts and resets first; a command sent to
 * a blocked session waits for its recovery), and so does open() of a disk
 * whose host is in error handling. So each check runs on one of a fixed
 * number of worker threads, and its answer comes back to the daemon's loop
 * through an eventfd, as a callback. The loop never waits on a disk:
 *   - each request has a deadline on the loop, timeout_ms after it was
 *     made (+ TUR_SLACK_MS, so that the kernel's own timeout, the same
 *     timeout_ms on each command, answers first when it can). At the
 *     deadline the callback runs with "down, timeout" if the command is
 *     under way; its worker stays stuck until SG_IO returns (when the
 *     session fails or recovers), and its result is dropped;
 *   - a request for a disk whose earlier command is still stuck so is
 *     answered at once (on the loop, never inside the call): down, with how
 *     long the earlier one has been stuck. So one dead path holds one
 *     worker at most;
 *   - a request that waited its whole deadline for a free worker (every
 *     worker stuck) is answered "unknown": the path was not checked, which
 *     is no reason to fail it.
 * Each verdict is tur_classify()'s (tur_sense.h): up, down with its cause,
 * the ALUA states, not ready; a unit attention (or a transient host
 * status) is sent once more, and classified the second time.
 */
#ifndef PORTICO_INITIATOR_TUR_H
#define PORTICO_INITIATOR_TUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "initiator/adapt/tur_sense.h"
#include "mpath/wwid.h"

struct ev_loop;
struct tur;
struct tur_req;

#define TUR_WORKERS_MAX 32
#define TUR_QUEUE_MAX 1024	  /* requests waiting for a worker, at most */
#define TUR_TIMEOUT_MAX_MS 600000 /* the longest timeout a request may ask */
#define TUR_SLACK_MS 250	  /* the loop's deadline is this much after timeout_ms */
#define TUR_STOP_WAIT_MS 1000	  /* what tur_destroy() waits for its workers, at most */
#define TUR_DEV_MAX 64		  /* "sdb", or a path as "/dev/sdb" */
#define TUR_SENSE_MAX 96	  /* SCSI_SENSE_BUFFERSIZE: what the kernel keeps of sense */
#define TUR_VPD_MAX 4096	  /* the most of page 83h read (SCAN_VPD83_MAX, scan.h) */
#define TUR_VPD_FIRST 255	  /* the first INQUIRY's allocation length */
#define TUR_UAS_MAX 4		  /* unit attentions kept in a result */

/* One command for an ops' exec: the CDB in, the data, sense and status out. */
struct tur_io {
	const uint8_t *cdb;
	size_t cdb_len;
	uint8_t *data; /* data_len bytes of room (NULL, 0: no data) */
	size_t data_len;
	size_t got; /* out: bytes read (data_len less the residual count) */
	unsigned int timeout_ms;
	uint8_t sense[TUR_SENSE_MAX];
	struct tur_raw raw; /* out: raw.sense points into sense; raw.err is exec's return */
};

/*
 * How the checker reaches a disk: tur_sg_ops (open(2), the SG_IO ioctl,
 * close(2)), or a test's fake. All three run on a worker thread and may
 * block; they are called for one request at a time per worker, and for
 * several requests at once across workers.
 */
struct tur_ops {
	/* Opens disk dev ("sdb": /dev/sdb; or a path) for SG_IO: a descriptor, or -errno. */
	int (*open)(void *arg, const char *dev);
	/*
	 * Sends io's command on fd and fills its out fields. 0 when the command
	 * went to the kernel (its outcome in io->raw), or the ioctl's -errno.
	 */
	int (*exec)(void *arg, int fd, struct tur_io *io);
	void (*close)(void *arg, int fd);
};

extern const struct tur_ops tur_sg_ops;

struct tur_result {
	enum tur_state state;
	enum tur_cause cause;
	bool retried; /* the command was sent twice (a unit attention, ...) */
	/*
	 * The unit attentions the commands met (SAM-5 §5.14: each is reported
	 * once, so the caller hears of a LUN list or capacity change here or
	 * not at all), in the order they came; at most TUR_UAS_MAX.
	 */
	struct tur_sense uas[TUR_UAS_MAX];
	size_t nuas;
	bool has_sense;
	struct tur_sense sense;
	char text[TUR_TEXT_MAX]; /* what happened, for the log and show */
	char wwid[MP_WWID_SIZE]; /* a probe's: the WWID the page gave ("" when not read) */
	int64_t ms;		 /* from the request to its answer */
};

/*
 * A request's answer: runs on the loop, exactly once per request made,
 * never inside the call that made it; not at all once the request is
 * cancelled or the checker destroyed. res is valid during the call only;
 * the request's handle is not valid any more once it runs. The callback
 * may make requests, cancel others and destroy the checker.
 */
typedef void tur_done_cb(void *arg, const struct tur_result *res);

/*
 * Starts a checker answering on loop, with workers threads (1 to
 * TUR_WORKERS_MAX) calling ops with arg. 0, -EINVAL, -ENOMEM, or what
 * eventfd() or pthread_create() failed with.
 */
int tur_create(struct ev_loop *loop, const struct tur_ops *ops, void *arg, unsigned int workers,
	       struct tur **out);

/*
 * Cancels every request (no callback runs, now or later), stops the
 * workers, waits at most TUR_STOP_WAIT_MS for them, and frees the checker.
 * A worker still stuck in a command after that is left to end by itself
 * (it frees what it holds when its command returns). Loop thread only; safe
 * from inside a callback. NULL: nothing.
 */
void tur_destroy(struct tur *t);

/*
 * Checks disk dev: TEST UNIT READY, each command with timeout_ms (1 to
 * TUR_TIMEOUT_MAX_MS). cb(arg, res) gives the verdict. *out (if not NULL)
 * gets the request, for tur_cancel(). 0, or -EINVAL (dev empty, too long,
 * or a name with a '/' that is not a path; timeout out of range), -EAGAIN
 * (TUR_QUEUE_MAX requests wait already), -ENOMEM; no callback then.
 */
int tur_check(struct tur *t, const char *dev, unsigned int timeout_ms, tur_done_cb *cb, void *arg,
	      struct tur_req **out);

/*
 * Probes disk dev before its path is reinstated: TEST UNIT READY, then,
 * when the logical unit answered (up, or an ALUA state, or not ready),
 * INQUIRY for page 83h and its WWID (mp_wwid) compared with wwid. A
 * different or unreadable WWID is down, cause TUR_CAUSE_WWID (res->wwid
 * says what the page gave); otherwise the TEST UNIT READY's verdict. As
 * tur_check() otherwise; -EINVAL also for a wwid empty or longer than
 * MP_WWID_SIZE - 1.
 */
int tur_probe(struct tur *t, const char *dev, const char *wwid, unsigned int timeout_ms,
	      tur_done_cb *cb, void *arg, struct tur_req **out);

/*
 * Cancels request r (one whose callback has not run): its callback never
 * runs. A command under way is left to end on its worker. Loop thread only.
 */
void tur_cancel(struct tur *t, struct tur_req *r);

/* Requests made and not answered yet (queued, running, or answered and not delivered). */
size_t tur_pending(const struct tur *t);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SANITIZE (SBC-4 §5.30; the operation and the LU's states: SBC-4 §4.11;
 * section numbers as in sbc4r22, where each citation below was checked).
 *
 * What each service action does here:
 *   OVERWRITE        writes the initialization pattern over every logical
 *                    block, OVERWRITE COUNT times (inverted between passes
 *                    with INVERT), then flushes the store. Any writable LU.
 *   BLOCK ERASE      deallocates every block (punch hole / BLKDISCARD) and
 *   CRYPTO ERASE     flushes: only on a store that deallocates and reads
 *                    deallocated blocks back as zeroes (a thin LU with
 *                    LBPRZ). porticod encrypts nothing, so a cryptographic
 *                    erase can mean no more than that: after it no read
 *                    through the LU returns the old data. Elsewhere (a
 *                    thick file, a block device without discard-zeroes)
 *                    neither can be done honestly, and neither is offered:
 *                    REPORT SUPPORTED OPERATION CODES leaves them out and
 *                    the LU answers them INVALID OPERATION CODE.
 *   EXIT FAILURE MODE leaves the failed state (when the failed command
 *                    allowed it, AUSE=1).
 *
 * The operation belongs to the LU, not to the command: it runs as a chain
 * of backstore requests (one in flight, the store's async engine or worker
 * pool) on the I/O thread of the command that started it, and goes on when
 * that command is aborted, its LU reset or its connection lost (SBC-4
 * §4.11.3 d-f): the waiting command then ends at the next step. OVERWRITE
 * paces itself to a budget (SANITIZE_DEFAULT_RATE) so that the other LUs
 * on the same store and thread keep their share.
 *
 * The drain. SBC-4 §4.11.3 has the device server end every command in the
 * task sets, but those allowed during sanitize, before it performs the
 * operation; §4.11.1 has the operation act on the whole medium. A command
 * already handed to the store cannot be taken back, and one that lands
 * after the operation passed its blocks would leave its data there when
 * the SANITIZE reports completion. Every command that moves data holds
 * its LBAs in the LU's range lock for as long as it is in flight
 * (sbc_atomic.c; EXTENDED COPY's chunks too, on both of their LUs). So
 * the operation, once the state says RUNNING (every later command
 * refused), takes the whole LU exclusively in that lock and starts when it
 * is granted: after every command queued before it has ended. The grant
 * hands the job back to its own thread (bs_wait_arm/fire), without a
 * blocked thread, and costs the commands nothing they did not pay before.
 * A command that passed the sanitize check but queued for its range after
 * the operation's request is granted only once the operation has ended,
 * and looks at the state again then (scsi_cmd_lock_granted): it runs
 * after a sanitize that succeeded, as if it had come after it, and is
 * refused when the LU failed. A command that was already running ends
 * with what it did (its status is not rewritten to SANITIZE IN PROGRESS):
 * what it wrote is overwritten or erased after. The commands that take no
 * range (SYNCHRONIZE CACHE, PRE-FETCH, GET LBA STATUS, ...) move no data
 * and are not waited for.
 *
 * While it runs every command but INQUIRY, REPORT LUNS and REQUEST SENSE
 * ends with NOT READY, SANITIZE IN PROGRESS and the progress indication,
 * from every nexus; REQUEST SENSE returns the same as its data. When it
 * fails, the LU stays failed (MEDIUM ERROR, SANITIZE COMMAND FAILED to all
 * but those three and SANITIZE) until a later sanitize succeeds or EXIT
 * FAILURE MODE. A running or failed state outlives a restart of porticod
 * through the LU's sanitize store (struct sanitize_store_ops; the LU comes
 * back failed): see docs/conformance.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/ev.h"
#include "common/log.h"
#include "common/util.h"
#include "target/scsi/scsi_int.h"

#define SANITIZE_CHUNK (1u << 20)	  /* bytes per OVERWRITE write */
#define SANITIZE_ERASE_CHUNK (1ull << 30) /* bytes per deallocation request */

static _Atomic uint64_t sanitize_rate = SANITIZE_DEFAULT_RATE;

enum sanitize_step {
	SANITIZE_STEP_WRITE,
	SANITIZE_STEP_ERASE,
	SANITIZE_STEP_FLUSH,
	SANITIZE_STEP_DONE,
};

struct sanitize_job {
	struct scsi_lu *lu; /* a reference, dropped at the end */
	uint8_t sa;
	bool ause;
	enum sanitize_step step;
	/* OVERWRITE */
	uint8_t passes, pass;
	bool invert;
	uint8_t *chunk; /* SANITIZE_CHUNK bytes of the current pass's pattern */
	uint64_t rate;
	int64_t start_ms;
	uint64_t written;
	struct ev_timer *pace;
	struct ev_loop *loop;	   /* the issuing thread's (NULL outside a loop: unit tests) */
	struct ev_loop *pace_loop; /* the loop pace is armed on */
	/* where the operation is */
	uint64_t size; /* bytes */
	uint64_t off;
	struct bs_io io;
	struct iovec iov;
	struct range_lock_req rl; /* the whole LU, exclusively, from the start to the end */
	struct scsi_cmd *waiter;  /* the SANITIZE without IMMED, until it is answered */
	bool in_flight;		  /* io is in the store, or armed for the drain's end */
	bool stopping;		  /* scsi_thread_stop(): end at the next step */
	struct sanitize_job *next_on_thread;
};

/* The operations running on this I/O thread, for scsi_thread_stop(). */
static __thread struct sanitize_job *sanitize_thread_jobs;

void sanitize_set_rate(uint64_t bytes_per_s)
{
	atomic_store(&sanitize_rate, bytes_per_s);
}

/* ---- pure pieces ---- */

enum sense_reason sanitize_parse_overwrite(const uint8_t *p, size_t len, uint32_t block_size,
					   struct sanitize_overwrite *ow, unsigned int *byte,
					   int *bit)
{
	size_t plen;

	*bit = -1;
	if (len < 4) {
		*byte = 0;
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	}
	ow->invert = p[0] & 0x80;
	ow->count = p[0] & 0x1f;
	/* SBC-4 §5.30.2.2 table 112: the TEST field is 00b outside a vendor's test mode */
	if (p[0] & 0x60) {
		*byte = 0;
		*bit = 6;
		return SENSE_INVALID_FIELD_IN_PARAM_LIST;
	}
	/* SBC-4 §5.30.2.2: an OVERWRITE COUNT of zero is reserved */
	if (!ow->count) {
		*byte = 0;
		*bit = 4;
		return SENSE_INVALID_FIELD_IN_PARAM_LIST;
	}
	if (p[1]) {
		*byte = 1;
		return SENSE_INVALID_FIELD_IN_PARAM_LIST;
	}
	plen = get_be16(p + 2);
	/*
	 * SBC-4 §5.30.2.2: a pattern of zero bytes, one longer than a logical
	 * block, or one the parameter list does not hold is an error; and so,
	 * here, is a parameter list longer than its pattern.
	 */
	if (plen == 0 || plen > block_size || plen != len - 4) {
		*byte = 2;
		return SENSE_INVALID_FIELD_IN_PARAM_LIST;
	}
	ow->pattern_len = (uint16_t)plen;
	ow->pattern = p + 4;
	return SENSE_OK;
}

void sanitize_fill(uint8_t *buf, size_t len, uint32_t block_size, const uint8_t *pattern,
		   size_t pattern_len, bool invert)
{
	size_t b, i;

	for (b = 0; b + block_size <= len; b += block_size) {
		uint8_t *blk = buf + b;

		if (b) {
			memcpy(blk, buf, block_size);
			continue;
		}
		for (i = 0; i < block_size; i++)
			blk[i] = pattern[i % pattern_len] ^ (invert ? 0xff : 0x00);
	}
}

uint16_t sanitize_progress(uint64_t done, uint64_t total)
{
	if (!total || done >= total)
		return 0xffff;
	/* done < total: the quotient is below 65536; done * 65536 overflows past 2^48 bytes */
	if (done >> 47)
		return (uint16_t)(done / (total >> 16 ? total >> 16 : 1));
	return (uint16_t)((done << 16) / total);
}

int64_t sanitize_pace_ms(uint64_t bytes, int64_t elapsed_ms, uint64_t rate)
{
	uint64_t due;

	if (!rate)
		return 0;
	due = bytes / rate * 1000 + bytes % rate * 1000 / rate;
	if (elapsed_ms < 0)
		elapsed_ms = 0;
	return due > (uint64_t)elapsed_ms ? (int64_t)(due - (uint64_t)elapsed_ms) : 0;
}

/* ---- the LU's state ---- */

static uint8_t sanitize_state(const struct scsi_lu *lu)
{
	return atomic_load_explicit(&lu->sanitize.state, memory_order_acquire);
}

/*
 * Whether opcode goes through whatever the sanitize state: SBC-3's list;
 * SBC-4 §4.11.2 allows a few more (docs/conformance.md).
 */
static bool sanitize_always_allowed(uint8_t opcode)
{
	return opcode == SCSI_OP_INQUIRY || opcode == SCSI_OP_REPORT_LUNS ||
	       opcode == SCSI_OP_REQUEST_SENSE;
}

enum sense_reason sanitize_refuses(struct scsi_cmd *cmd, const void *slot)
{
	const struct scsi_op *op = slot;
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint8_t opcode = op->usage[0];

	if (!lu || sanitize_always_allowed(opcode))
		return SENSE_OK;
	switch (sanitize_state(lu)) {
	case SANITIZE_STATE_RUNNING:
		/* SPC-4 §4.5.2.4.4: NOT READY carries the progress indication */
		cmd->sense_flags = SCSI_SENSE_F_FIELD;
		cmd->sense_field = atomic_load(&lu->sanitize.progress);
		return SENSE_SANITIZE_IN_PROGRESS;
	case SANITIZE_STATE_FAILED:
		/* SBC-4 §4.11.4: another SANITIZE (EXIT FAILURE MODE among them) may clear it */
		return opcode == SCSI_OP_SANITIZE ? SENSE_OK : SENSE_SANITIZE_FAILED;
	default:
		return SENSE_OK;
	}
}

enum sense_reason sanitize_lu_refuses_io(struct scsi_lu *lu)
{
	switch (sanitize_state(lu)) {
	case SANITIZE_STATE_RUNNING:
		return SENSE_SANITIZE_IN_PROGRESS;
	case SANITIZE_STATE_FAILED:
		return SENSE_SANITIZE_FAILED;
	default:
		return SENSE_OK;
	}
}

uint32_t sanitize_lu_gen(struct scsi_lu *lu)
{
	return atomic_load(&lu->sanitize.gen);
}

size_t sanitize_request_sense(struct scsi_lu *lu, uint8_t *buf, bool desc)
{
	struct scsi_cmd fake;

	switch (sanitize_state(lu)) {
	case SANITIZE_STATE_RUNNING:
		memset(&fake, 0, sizeof(fake));
		fake.sense_flags = SCSI_SENSE_F_FIELD;
		fake.sense_field = atomic_load(&lu->sanitize.progress);
		return scsi_sense_build(buf, SENSE_SANITIZE_IN_PROGRESS, desc, &fake);
	case SANITIZE_STATE_FAILED:
		return scsi_sense_build(buf, SENSE_SANITIZE_FAILED, desc, NULL);
	default:
		return 0;
	}
}

/* Whether BLOCK ERASE and CRYPTO ERASE can be done honestly on lu's store. */
static bool sanitize_can_erase(const struct scsi_lu *lu)
{
	return lu->bs->thin && lu->bs->unmap_zeroes && !lu->bs->readonly;
}

uint8_t sanitize_vpd_b1_byte7(const struct scsi_lu *lu)
{
	/*
	 * SBC-4 §6.6.2: WABEREQ and WACEREQ 01b: a read after the erase
	 * without a write in between completes GOOD (it returns zeroes).
	 */
	return sanitize_can_erase(lu) ? 0x50 : 0x00;
}

static bool sanitize_erase_supported(const struct scsi_cmd *cmd)
{
	const struct scsi_lu *lu = scsi_cmd_lu(cmd);

	return lu && sanitize_can_erase(lu);
}

void sanitize_lu_set_store(struct scsi_lu *lu, const struct sanitize_store_ops *ops, void *arg)
{
	lu->sanitize.store = ops;
	lu->sanitize.store_arg = arg;
}

void sanitize_lu_restore_failed(struct scsi_lu *lu, bool ause)
{
	lu->sanitize.ause = ause;
	atomic_store(&lu->sanitize.state, SANITIZE_STATE_FAILED);
}

void sanitize_lu_fini(struct scsi_lu *lu)
{
	if (lu->sanitize.store && lu->sanitize.store->release)
		lu->sanitize.store->release(lu->sanitize.store_arg);
	lu->sanitize.store = NULL;
}

/* Records or forgets the state in the store (when the LU has one); 0 or -errno. */
static int sanitize_mark(struct scsi_lu *lu, bool set, bool ause)
{
	int ret;

	if (!lu->sanitize.store)
		return 0;
	ret = lu->sanitize.store->mark(lu->sanitize.store_arg, set, ause);
	if (ret)
		log_err(SCSI_COMPONENT, "lu '%s': cannot %s its sanitize state: %s", lu->id.serial,
			set ? "record" : "clear", strerror(-ret));
	return ret;
}

/* ---- the operation ---- */

static void sanitize_step(struct sanitize_job *job);

static void sanitize_job_free(struct sanitize_job *job)
{
	free(job->chunk);
	free(job);
}

/* Ends the operation: the LU's new state, the waiter's answer. */
static void sanitize_finish(struct sanitize_job *job, int err)
{
	struct scsi_lu *lu = job->lu;
	struct scsi_cmd *waiter;
	struct sanitize_job **pp;

	for (pp = &sanitize_thread_jobs; *pp; pp = &(*pp)->next_on_thread)
		if (*pp == job) {
			*pp = job->next_on_thread;
			break;
		}
	if (job->pace) {
		ev_timer_cancel(job->pace_loop, job->pace);
		job->pace = NULL;
	}
	pthread_mutex_lock(&lu->lock);
	waiter = job->waiter;
	lu->sanitize.job = NULL;
	lu->sanitize.ause = job->ause;
	atomic_store(&lu->sanitize.progress, 0);
	atomic_store_explicit(&lu->sanitize.state,
			      err ? SANITIZE_STATE_FAILED : SANITIZE_STATE_IDLE,
			      memory_order_release);
	atomic_fetch_add(&lu->sanitize.gen, 1); /* even: none running */
	pthread_mutex_unlock(&lu->lock);
	/* after the state: the commands it held back look at it when granted */
	scsi_range_release(lu, &job->rl);
	/* a failure stays recorded: the failed state outlives a restart */
	if (!err)
		sanitize_mark(lu, false, false);
	if (err)
		log_err(SCSI_COMPONENT, "lu '%s': sanitize (service action %02xh) failed: %s",
			lu->id.serial, job->sa, strerror(-err));
	else
		log_info(SCSI_COMPONENT, "lu '%s': sanitize (service action %02xh) complete",
			 lu->id.serial, job->sa);
	/* SBC-4 §4.11.4: a failed operation ends its command with SANITIZE COMMAND FAILED */
	if (waiter)
		scsi_cmd_complete(waiter, err ? SENSE_SANITIZE_FAILED : SENSE_OK);
	sanitize_job_free(job);
	scsi_lu_put(lu);
}

/*
 * The transport gave up on the waiting command (cmd->aborted: ABORT TASK, a
 * reset, its connection gone): it ends now, and the operation goes on
 * (SBC-4 §4.11.3 f: task management does not stop a sanitize). Checked at
 * every step, so that the wait ends within one request.
 */
static void sanitize_check_abort(struct sanitize_job *job)
{
	struct scsi_cmd *waiter = NULL;

	pthread_mutex_lock(&job->lu->lock);
	if (job->waiter && job->waiter->aborted) {
		waiter = job->waiter;
		job->waiter = NULL;
	}
	pthread_mutex_unlock(&job->lu->lock);
	if (waiter)
		scsi_cmd_complete(waiter, SENSE_ABORTED_COMMAND); /* the transport sends nothing */
}

static void sanitize_io_done(struct bs_io *io)
{
	struct sanitize_job *job = io->arg;

	job->in_flight = false;
	sanitize_check_abort(job);
	if (job->stopping) {
		sanitize_finish(job, -ECANCELED);
		return;
	}
	if (io->result) {
		sanitize_finish(job, io->result);
		return;
	}
	switch (job->step) {
	case SANITIZE_STEP_WRITE:
		job->written += io->len;
		job->off += io->len;
		if (job->off >= job->size && ++job->pass < job->passes) {
			job->off = 0;
			/* SBC-4 §5.30.2.2: INVERT inverts the pattern between consecutive passes */
			if (job->invert)
				for (size_t i = 0; i < SANITIZE_CHUNK; i++)
					job->chunk[i] ^= 0xff;
		}
		if (job->off >= job->size)
			job->step = SANITIZE_STEP_FLUSH;
		atomic_store(&job->lu->sanitize.progress,
			     sanitize_progress((uint64_t)job->pass * job->size + job->off,
					       (uint64_t)job->passes * job->size));
		break;
	case SANITIZE_STEP_ERASE:
		job->off += io->len;
		if (job->off >= job->size)
			job->step = SANITIZE_STEP_FLUSH;
		atomic_store(&job->lu->sanitize.progress, sanitize_progress(job->off, job->size));
		break;
	case SANITIZE_STEP_FLUSH:
		job->step = SANITIZE_STEP_DONE;
		break;
	default:
		break;
	}
	sanitize_step(job);
}

static int64_t sanitize_pace_timer(struct ev_loop *loop, void *arg)
{
	struct sanitize_job *job = arg;

	(void)loop;
	job->pace = NULL;
	sanitize_check_abort(job);
	sanitize_step(job);
	return EV_TIMER_STOP;
}

/* Submits the next request of the operation, or ends it. */
static void sanitize_step(struct sanitize_job *job)
{
	struct bs_io *io = &job->io;
	uint64_t len;
	int ret;

	memset(io, 0, sizeof(*io));
	io->cb = sanitize_io_done;
	io->arg = job;
	switch (job->step) {
	case SANITIZE_STEP_WRITE: {
		int64_t wait =
		    sanitize_pace_ms(job->written, ev_now_ms() - job->start_ms, job->rate);
		struct ev_loop *loop = job->loop ? job->loop : ev_current();

		if (wait > 0 && loop) {
			job->pace = ev_timer_add(loop, wait, sanitize_pace_timer, job);
			job->pace_loop = loop;
			if (job->pace)
				return;
		}
		len = MIN((uint64_t)SANITIZE_CHUNK, job->size - job->off);
		io->op = BS_OP_WRITE;
		job->iov.iov_base = job->chunk;
		job->iov.iov_len = (size_t)len;
		io->iov = &job->iov;
		io->iovcnt = 1;
		break;
	}
	case SANITIZE_STEP_ERASE:
		len = MIN(SANITIZE_ERASE_CHUNK, job->size - job->off);
		io->op = BS_OP_UNMAP;
		break;
	case SANITIZE_STEP_FLUSH:
		/* SBC-4 §4.11.1 b: nothing of the old data may stay in a cache */
		io->op = BS_OP_FLUSH;
		len = 0;
		job->off = 0;
		break;
	default:
		sanitize_finish(job, 0);
		return;
	}
	io->offset = job->off;
	io->len = len;
	ret = bs_submit(job->lu->bs, io);
	if (ret)
		sanitize_finish(job, ret);
	else
		job->in_flight = true;
}

/* The drain ended (the release that granted job->rl fired io): the operation starts. */
static void sanitize_drained(struct bs_io *io)
{
	struct sanitize_job *job = io->arg;

	job->in_flight = false;
	sanitize_check_abort(job);
	if (job->stopping) {
		sanitize_finish(job, -ECANCELED);
		return;
	}
	sanitize_step(job);
}

/*
 * Starts the operation once the commands in flight on the LU have ended
 * (see "The drain" above). job->io is armed for sanitize_drained; the state
 * is RUNNING already.
 */
static void sanitize_start(struct sanitize_job *job)
{
	job->in_flight = true;
	job->rl.owner = &job->io;
	if (!range_lock_acquire(&job->lu->range, &job->rl, 0, UINT64_MAX, RANGE_LOCK_EXCLUSIVE))
		return; /* the release that grants it fires job->io */
	bs_wait_disarm(&job->io);
	job->in_flight = false;
	sanitize_step(job);
}

void scsi_thread_stop(void)
{
	struct sanitize_job *job = sanitize_thread_jobs, *next;

	for (; job; job = next) {
		next = job->next_on_thread;
		log_warn(SCSI_COMPONENT,
			 "lu '%s': sanitize (service action %02xh) cut short by porticod's stop; "
			 "the LU stays failed",
			 job->lu->id.serial, job->sa);
		/* the request in the store ends it; nothing in the store: now */
		job->stopping = true;
		/* still waiting for the drain: withdrawn, unless a release granted it */
		if (job->in_flight && scsi_range_withdraw(job->lu, &job->rl)) {
			bs_wait_disarm(&job->io);
			job->in_flight = false;
		}
		if (!job->in_flight)
			sanitize_finish(job, -ECANCELED);
	}
}

/* ---- the command ---- */

static enum sense_reason sanitize_parse(struct scsi_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint8_t sa = cdb[1] & 0x1f;
	uint16_t plen = get_be16(cdb + 7);
	unsigned int i;

	/*
	 * SBC-4 §5.30.1 table 109: bytes 2-6 are reserved. Byte 1 bit 6 is
	 * ZNR there, which a LU that is not zoned ignores; SBC-3 had it
	 * reserved, and libiscsi's Sanitize.*Reserved tests still check it.
	 */
	if (cdb[1] & 0x40)
		return scsi_invalid_cdb(cmd, 1, 6);
	for (i = 2; i <= 6; i++)
		if (cdb[i])
			return scsi_invalid_cdb(cmd, i, -1);
	if (cdb[1] & 0x80)
		cmd->flags |= SCSI_CMD_F_IMMED;
	if (sa == SANITIZE_SA_OVERWRITE) {
		/* SBC-4 §5.30.2.1 table 110: 5 to block size + 4 bytes, else INVALID FIELD IN CDB */
		if (plen < 5 || !lu || plen > lu->block_size + 4)
			return scsi_invalid_cdb(cmd, 7, -1);
		cmd->xfer_len = plen;
		cmd->dir = SCSI_DIR_WRITE;
		return SENSE_OK;
	}
	/* SBC-4 §5.30.2.1 table 110: the other service actions take no parameter list */
	if (plen)
		return scsi_invalid_cdb(cmd, 7, -1);
	return SENSE_OK;
}

static enum scsi_exec_result sanitize_exec_exit(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r = SENSE_OK;

	pthread_mutex_lock(&lu->lock);
	if (sanitize_state(lu) == SANITIZE_STATE_RUNNING) {
		r = SENSE_SANITIZE_IN_PROGRESS;
	} else if (sanitize_state(lu) == SANITIZE_STATE_FAILED) {
		/*
		 * SBC-4 §5.30.1: EXIT FAILURE MODE ends the failed state only
		 * when the failed command allowed it (AUSE=1); else only a
		 * sanitize that completes does.
		 */
		if (lu->sanitize.ause) {
			atomic_store(&lu->sanitize.state, SANITIZE_STATE_IDLE);
			sanitize_mark(lu, false, false);
		} else
			r = scsi_invalid_cdb(cmd, 1, 4);
	}
	/* idle: nothing to leave; GOOD (docs/conformance.md) */
	pthread_mutex_unlock(&lu->lock);
	return scsi_cmd_finish(cmd, r);
}

static enum scsi_exec_result sanitize_exec(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint8_t sa = cmd->cdb[1] & 0x1f;
	struct sanitize_overwrite ow = {0};
	struct sanitize_job *job;
	enum sense_reason r;
	void *chunk = NULL;

	if (sa == SANITIZE_SA_EXIT_FAILURE_MODE)
		return sanitize_exec_exit(cmd);
	if (sa == SANITIZE_SA_OVERWRITE) {
		unsigned int byte;
		int bit;

		if (cmd->buf_len < cmd->xfer_len)
			return scsi_cmd_finish(cmd, SENSE_PARAM_LIST_LENGTH_ERROR);
		r = sanitize_parse_overwrite(cmd->buf, cmd->xfer_len, lu->block_size, &ow, &byte,
					     &bit);
		if (r == SENSE_INVALID_FIELD_IN_PARAM_LIST)
			r = scsi_invalid_param(cmd, byte, bit);
		if (r != SENSE_OK)
			return scsi_cmd_finish(cmd, r);
	}
	job = calloc(1, sizeof(*job));
	if (!job)
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	job->sa = sa;
	job->ause = cmd->cdb[1] & 0x20;
	job->size = scsi_lu_nblocks(lu) * lu->block_size;
	if (sa == SANITIZE_SA_OVERWRITE) {
		job->step = SANITIZE_STEP_WRITE;
		job->passes = ow.count;
		job->invert = ow.invert;
		if (posix_memalign(&chunk, 4096, SANITIZE_CHUNK)) {
			sanitize_job_free(job);
			return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
		}
		job->chunk = chunk;
		/* one chunk of the pattern, written over and over (inverted in place: INVERT) */
		sanitize_fill(job->chunk, SANITIZE_CHUNK, lu->block_size, ow.pattern,
			      ow.pattern_len, false);
		job->rate = atomic_load(&sanitize_rate);
		job->start_ms = ev_now_ms();
	} else {
		job->step = SANITIZE_STEP_ERASE;
	}
	if (!job->size)
		job->step = SANITIZE_STEP_FLUSH;

	pthread_mutex_lock(&lu->lock);
	/* another nexus's SANITIZE may have started since this one passed the check */
	if (sanitize_state(lu) == SANITIZE_STATE_RUNNING) {
		pthread_mutex_unlock(&lu->lock);
		sanitize_job_free(job);
		return scsi_cmd_finish(cmd, sanitize_refuses(cmd, cmd->op));
	}
	/* armed before the job is visible: the drain may end on another thread */
	if (bs_wait_arm(&job->io, sanitize_drained, job)) {
		pthread_mutex_unlock(&lu->lock);
		sanitize_job_free(job);
		return scsi_cmd_finish(cmd, SENSE_INTERNAL_TARGET_FAILURE);
	}
	/*
	 * Recorded before it starts: porticod may die in the middle, and the
	 * LU must then come back failed, not with half its blocks overwritten
	 * and nothing said (docs/conformance.md).
	 */
	if (sanitize_mark(lu, true, job->ause)) {
		pthread_mutex_unlock(&lu->lock);
		bs_wait_disarm(&job->io);
		sanitize_job_free(job);
		return scsi_cmd_finish(cmd, SENSE_INTERNAL_TARGET_FAILURE);
	}
	scsi_lu_get(lu);
	job->lu = lu;
	job->loop = ev_current();
	/* SBC-4 §5.30.1: IMMED answers once the CDB and parameter list are checked */
	if (!(cmd->flags & SCSI_CMD_F_IMMED))
		job->waiter = cmd;
	lu->sanitize.job = job;
	atomic_store(&lu->sanitize.progress, 0);
	/* odd while it runs, before the state: see sanitize_lu_gen */
	atomic_fetch_add(&lu->sanitize.gen, 1);
	atomic_store_explicit(&lu->sanitize.state, SANITIZE_STATE_RUNNING, memory_order_release);
	pthread_mutex_unlock(&lu->lock);
	log_info(SCSI_COMPONENT, "lu '%s': sanitize (service action %02xh) started by '%s'",
		 lu->id.serial, sa, cmd->nexus ? cmd->nexus->initiator_port : "?");
	job->next_on_thread = sanitize_thread_jobs;
	sanitize_thread_jobs = job;
	sanitize_start(job);
	if (!(cmd->flags & SCSI_CMD_F_IMMED))
		return SCSI_EXEC_ASYNC;
	return scsi_cmd_finish(cmd, SENSE_OK);
}

/*
 * SBC-4 §5.30 as the dispatch table sees it. Every service action changes
 * the medium (write protection and persistent reservations refuse it as a
 * write, SBC-3 table 13) and needs a started unit.
 */
/* clang-format off */
#define U_SANITIZE { SCSI_OP_SANITIZE, 0xbf, 0, 0, 0, 0, 0, 0xff, 0xff, 0 }

static const struct scsi_op sanitize_ops[0x20] = {
	[SANITIZE_SA_OVERWRITE] = {
		.name = "SANITIZE / OVERWRITE", .cdb_len = 10,
		.flags = SCSI_OP_F_MEDIUM | SCSI_OP_F_WRITE, .usage = U_SANITIZE,
		.parse = sanitize_parse, .exec = sanitize_exec,
	},
	[SANITIZE_SA_BLOCK_ERASE] = {
		.name = "SANITIZE / BLOCK ERASE", .cdb_len = 10,
		.flags = SCSI_OP_F_MEDIUM | SCSI_OP_F_WRITE, .usage = U_SANITIZE,
		.supported = sanitize_erase_supported,
		.parse = sanitize_parse, .exec = sanitize_exec,
	},
	[SANITIZE_SA_CRYPTO_ERASE] = {
		.name = "SANITIZE / CRYPTOGRAPHIC ERASE", .cdb_len = 10,
		.flags = SCSI_OP_F_MEDIUM | SCSI_OP_F_WRITE, .usage = U_SANITIZE,
		.supported = sanitize_erase_supported,
		.parse = sanitize_parse, .exec = sanitize_exec,
	},
	[SANITIZE_SA_EXIT_FAILURE_MODE] = {
		.name = "SANITIZE / EXIT FAILURE MODE", .cdb_len = 10,
		.flags = SCSI_OP_F_MEDIUM | SCSI_OP_F_WRITE, .usage = U_SANITIZE,
		.parse = sanitize_parse, .exec = sanitize_exec,
	},
};
/* clang-format on */

const struct scsi_sa_table sanitize_sa_table = {sanitize_ops, ARRAY_SIZE(sanitize_ops)};

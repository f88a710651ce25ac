/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The copy manager at work (xcopy.h): EXTENDED COPY (LID1) and RECEIVE COPY
 * RESULTS.
 *
 * Which LUs a copy reaches. A CSCD names an LU by its NAA designator; the
 * copy manager looks for it among the LUs the initiator's own I_T nexus
 * sees (struct scsi_nexus.find_lu: the transport's LUN map, which the
 * model built from the initiator's ACL), the command's own LU first. An LU
 * of this porticod that the initiator may not address is a copy target
 * the copy manager cannot reach: a copy never lets an initiator read or
 * write what it could not read or write itself. Through that nexus the
 * copy meets the same rules as the initiator's READ and WRITE would: a
 * source must be readable (a stopped unit, a RESERVE(6) or a persistent
 * reservation that refuses reads end the command), a destination
 * writable (a read-only mapping, SWP, a read-only store are WRITE
 * PROTECTED; reservations as for writes). All of it is checked, for every
 * segment, before any data moves.
 *
 * Threads. A command and its I_T_L nexus live on one I/O thread, and so do
 * the records RECEIVE COPY RESULTS reads (struct xcopy_held, one per
 * nexus): no locks. A copy holds a reference on each LU it names, so that
 * an LU removed meanwhile stays until the copy ends.
 *
 * Atomicity. Each chunk holds its LBA ranges in the range lock of its
 * source and destination LUs (shared, as a READ and a WRITE hold theirs)
 * while it moves: a COMPARE AND WRITE, ORWRITE or WRITE ATOMIC on either
 * LU sees the chunk all before or all after it, never half of it. The two
 * ranges are taken one at a time, in the LUs' address order, and the two
 * ranges of a chunk within one LU as one range covering both: so no two
 * copies, and no copy and an exclusive command waiting in between, can
 * each hold what the other waits for.
 *
 * Aborts. The transport sets cmd->aborted (ABORT TASK, ABORT TASK SET, a
 * LOGICAL UNIT RESET, the nexus's loss); the copy looks at it before each
 * chunk of XCOPY_CHUNK_BYTES and ends, its results dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/log.h"
#include "common/util.h"
#include "target/scsi/scsi_int.h"
#include "target/scsi/xcopy.h"

/* One list identifier's copy: running, or done and held for COPY STATUS. */
struct xcopy_rec {
	bool used;
	bool running;
	bool held; /* kept once done (LIST ID USAGE 00b) */
	uint8_t list_id;
	enum xcopy_status status;
	uint16_t segs;	  /* segments processed */
	uint64_t bytes;	  /* moved so far */
	uint64_t done_at; /* completion order: the oldest held result goes first */
};

struct xcopy_held {
	struct xcopy_rec rec[XCOPY_HELD];
	uint64_t clock;
};

/* One side of a segment, resolved. */
struct xcopy_end {
	struct scsi_lu *lu; /* referenced */
	uint64_t off;	    /* bytes */
};

struct xcopy_job {
	struct scsi_cmd *cmd;
	struct xcopy_list list;
	struct scsi_lu *lu[XCOPY_MAX_CSCD]; /* by CSCD index, referenced; NULL: not used */
	uint32_t gen[XCOPY_MAX_CSCD];	    /* each LU's sanitize_lu_gen when the copy began */
	uint64_t seg_bytes[XCOPY_MAX_SEGMENTS];
	struct xcopy_rec *rec;	   /* NULL: no list identifier */
	size_t seg;		   /* the segment in progress */
	uint64_t pos;		   /* bytes of it copied */
	uint64_t chunk;		   /* bytes of the copy in flight */
	uint64_t src_off, dst_off; /* the chunk's, while it waits for its ranges */
	/* the chunk's ranges (see Atomicity above): taken in order, nheld of nrl held */
	struct range_lock_req rl[2];
	struct scsi_lu *rl_lu[2];
	uint64_t rl_start[2], rl_end[2];
	unsigned int nrl, nheld;
	struct bs_io io; /* the chunk's copy, or its wait for a range */
};

void xcopy_itl_fini(struct scsi_itl *itl)
{
	free(itl->xcopy);
	itl->xcopy = NULL;
}

static struct xcopy_rec *xcopy_find(struct xcopy_held *h, uint8_t list_id)
{
	for (size_t i = 0; h && i < XCOPY_HELD; i++)
		if (h->rec[i].used && h->rec[i].list_id == list_id)
			return &h->rec[i];
	return NULL;
}

/*
 * A record for list_id: a free one, else the oldest held result (SPC-4
 * lets a copy manager discard held data it cannot keep). NULL when every
 * record is a running copy.
 */
static struct xcopy_rec *xcopy_rec_take(struct xcopy_held *h, uint8_t list_id)
{
	struct xcopy_rec *best = NULL;

	for (size_t i = 0; i < XCOPY_HELD; i++) {
		struct xcopy_rec *r = &h->rec[i];

		if (!r->used) {
			best = r;
			break;
		}
		if (!r->running && (!best || r->done_at < best->done_at))
			best = r;
	}
	if (best) {
		memset(best, 0, sizeof(*best));
		best->used = true;
		best->running = true;
		best->list_id = list_id;
		best->status = XCOPY_STATUS_IN_PROGRESS;
	}
	return best;
}

/* EXTENDED COPY (LID1) CDB: SPC-4 §6.4. */
enum sense_reason xcopy_parse_cdb(struct scsi_cmd *cmd)
{
	uint32_t len = get_be32(cmd->cdb + 10);

	if (len > XCOPY_MAX_PARAM_LIST)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	cmd->dir = len ? SCSI_DIR_WRITE : SCSI_DIR_NONE;
	cmd->xfer_len = len;
	return SENSE_OK;
}

static void xcopy_put_lus(struct xcopy_job *job)
{
	for (size_t i = 0; i < XCOPY_MAX_CSCD; i++) {
		if (job->lu[i])
			scsi_lu_put(job->lu[i]);
		job->lu[i] = NULL;
	}
}

/* Ends the job's bookkeeping (records, references) and frees it; the command's outcome is r. */
static void xcopy_job_end(struct xcopy_job *job, enum sense_reason r)
{
	struct xcopy_rec *rec = job->rec;
	struct xcopy_held *h = job->cmd->itl ? job->cmd->itl->xcopy : NULL;

	if (rec) {
		rec->running = false;
		rec->status = r == SENSE_OK ? XCOPY_STATUS_DONE : XCOPY_STATUS_FAILED;
		rec->done_at = h ? ++h->clock : 0;
		/* not held, or aborted: nobody may ask for it any more */
		if (!rec->held || job->cmd->aborted)
			rec->used = false;
	}
	xcopy_put_lus(job);
	free(job);
}

/* The reason with the field pointer at byte field of the parameter list (SPC-4 §4.5.2.4). */
static enum sense_reason xcopy_point(struct scsi_cmd *cmd, enum sense_reason r, uint32_t field)
{
	if (field != XCOPY_NO_FIELD && field <= UINT16_MAX) {
		cmd->sense_flags = SCSI_SENSE_F_FIELD;
		cmd->sense_field = (uint16_t)field;
	}
	return r;
}

/* Finds the LU a CSCD names, through this nexus: its nexus there and whether it is read-only. */
static enum sense_reason xcopy_resolve(struct scsi_cmd *cmd, const struct xcopy_cscd *c,
				       struct scsi_itl **itl, bool *read_only)
{
	struct scsi_lu *own = scsi_cmd_lu(cmd);

	if (!c->lu_naa)
		return xcopy_point(cmd, SENSE_COPY_TARGET_NOT_REACHABLE, c->off + 4);
	if (c->naa_len == sizeof(own->id.naa) && !memcmp(c->naa, own->id.naa, c->naa_len)) {
		*itl = cmd->itl;
		*read_only = cmd->read_only;
	} else if (!cmd->nexus || !cmd->nexus->find_lu ||
		   cmd->nexus->find_lu(cmd->nexus, c->naa, c->naa_len, itl, read_only) || !*itl) {
		return xcopy_point(cmd, SENSE_COPY_TARGET_NOT_REACHABLE, c->off + 4);
	}
	/* SPC-4 §6.4: the DISK BLOCK LENGTH is the LU's, else the segments mean other blocks */
	if (c->block_len != (*itl)->lu->block_size)
		return xcopy_point(cmd, SENSE_INVALID_FIELD_IN_PARAM_LIST,
				   c->off + offsetof(struct scsi_xcopy_cscd_ident, block_len));
	return SENSE_OK;
}

/*
 * What the LU behind itl lets this nexus do, as for its own READ (write
 * false) or WRITE: SENSE_OK, a reason, or *conflict for RESERVATION
 * CONFLICT (a status without sense).
 */
static enum sense_reason xcopy_access(struct scsi_itl *itl, bool read_only, bool write,
				      bool *conflict)
{
	struct scsi_lu *lu = itl->lu;
	struct scsi_itl *holder = atomic_load(&lu->holder);
	uint32_t deny = atomic_load_explicit(&itl->pr_deny, memory_order_acquire);

	enum sense_reason r;

	/* SBC-3 §4.19: a stopped unit refuses medium access */
	if (atomic_load(&lu->stopped))
		return SENSE_NOT_READY_STOPPED;
	/*
	 * SBC-4 §4.11.3: an LU being sanitized (or failed by a sanitize)
	 * moves no data, whoever asks: its own commands are refused in
	 * scsi_cmd_exec, a copy that names it as one of its ends here.
	 */
	r = sanitize_lu_refuses_io(lu);
	if (r != SENSE_OK)
		return r;
	/* SPC-2 §5.5.1: RESERVE(6) held by another nexus; SPC-4 §5.13.1 table 65 */
	if ((holder && holder != itl) ||
	    (deny & (write ? SCSI_PR_DENY_WRITE : SCSI_PR_DENY_READ))) {
		*conflict = true;
		return SENSE_OK;
	}
	/* SBC-3 §4.11: write protection, as for the initiator's own writes */
	if (write && (read_only || atomic_load(&lu->swp) || lu->bs->readonly))
		return SENSE_WRITE_PROTECTED;
	return SENSE_OK;
}

/* Resolves and checks every segment before anything moves. */
static enum sense_reason xcopy_prepare(struct xcopy_job *job, bool *conflict)
{
	struct scsi_cmd *cmd = job->cmd;
	struct scsi_itl *itls[XCOPY_MAX_CSCD] = {NULL};
	bool ro[XCOPY_MAX_CSCD] = {false};
	enum sense_reason r;

	for (size_t i = 0; i < job->list.nseg; i++) {
		const struct xcopy_seg *s = &job->list.seg[i];
		uint16_t idx[2] = {s->src, s->dst};
		struct scsi_lu *src, *dst;
		uint64_t bytes;

		for (int side = 0; side < 2; side++) {
			uint16_t k = idx[side];

			if (!itls[k]) {
				r = xcopy_resolve(cmd, &job->list.cscd[k], &itls[k], &ro[k]);
				if (r != SENSE_OK)
					return r;
				scsi_lu_get(itls[k]->lu);
				job->lu[k] = itls[k]->lu;
				/* before xcopy_access's look at the state: see xcopy_spanned */
				job->gen[k] = sanitize_lu_gen(job->lu[k]);
			}
			r = xcopy_access(itls[k], ro[k], side == 1, conflict);
			if (r != SENSE_OK || *conflict)
				return r;
		}
		src = job->lu[s->src];
		dst = job->lu[s->dst];
		/*
		 * SPC-4 §6.4: NUMBER OF BLOCKS counts source blocks, or
		 * destination blocks with DC set; a residue in the other LU's
		 * blocks (CAT) is not taken: COPY ABORTED pointing at the count.
		 */
		bytes = (uint64_t)s->nblocks * (s->dc ? dst->block_size : src->block_size);
		if (bytes % src->block_size || bytes % dst->block_size)
			return xcopy_point(cmd, SENSE_COPY_ABORTED,
					   s->off + offsetof(struct scsi_xcopy_seg_b2b, nblocks));
		/*
		 * Beyond either LU's capacity: COPY ABORTED with the field
		 * pointer at the LBA (the READ or WRITE the copy manager would
		 * have issued fails; SPC-4 §6.4 reports that as COPY ABORTED).
		 */
		if (!scsi_lba_in_range(src, s->src_lba, bytes / src->block_size))
			return xcopy_point(cmd, SENSE_COPY_ABORTED,
					   s->off + offsetof(struct scsi_xcopy_seg_b2b, src_lba));
		if (!scsi_lba_in_range(dst, s->dst_lba, bytes / dst->block_size))
			return xcopy_point(cmd, SENSE_COPY_ABORTED,
					   s->off + offsetof(struct scsi_xcopy_seg_b2b, dst_lba));
		job->seg_bytes[i] = bytes;
	}
	return SENSE_OK;
}

/*
 * The next chunk of the segment in progress: source and destination
 * offsets and length. Within one store, overlapping ranges are copied so
 * that nothing is read after it was overwritten: forward when the
 * destination lies before the source, backward when after, in chunks no
 * longer than the distance between them (bs_copy takes no overlap).
 */
static uint64_t xcopy_next(const struct xcopy_job *job, uint64_t *src_off, uint64_t *dst_off)
{
	const struct xcopy_seg *s = &job->list.seg[job->seg];
	struct scsi_lu *src = job->lu[s->src], *dst = job->lu[s->dst];
	uint64_t total = job->seg_bytes[job->seg], left = total - job->pos;
	uint64_t so = s->src_lba * src->block_size, dof = s->dst_lba * dst->block_size;
	uint64_t n = MIN(left, (uint64_t)XCOPY_CHUNK_BYTES);

	if (src->bs == dst->bs && so < dof + total && dof < so + total) {
		uint64_t dist = so > dof ? so - dof : dof - so;

		n = MIN(n, dist);
		if (dof > so) {
			*src_off = so + left - n;
			*dst_off = dof + left - n;
			return n;
		}
	}
	*src_off = so + job->pos;
	*dst_off = dof + job->pos;
	return n;
}

static void xcopy_copied(struct bs_io *io);
static void xcopy_granted(struct bs_io *io);

/* [start, end) of the LBAs of lu that bytes [off, off + n) touch. */
static void xcopy_lbas(const struct scsi_lu *lu, uint64_t off, uint64_t n, uint64_t *start,
		       uint64_t *end)
{
	*start = off / lu->block_size;
	*end = (off + n + lu->block_size - 1) / lu->block_size;
}

/* The ranges the chunk [src_off, dst_off, n) of segment s needs, in the order they are taken. */
static void xcopy_ranges(struct xcopy_job *job, const struct xcopy_seg *s, uint64_t src_off,
			 uint64_t dst_off, uint64_t n)
{
	struct scsi_lu *src = job->lu[s->src], *dst = job->lu[s->dst];
	uint64_t ss, se, ds, de;

	xcopy_lbas(src, src_off, n, &ss, &se);
	xcopy_lbas(dst, dst_off, n, &ds, &de);
	job->nheld = 0;
	if (src == dst) {
		/* one request: two on one lock could each wait behind an exclusive one between them */
		job->nrl = 1;
		job->rl_lu[0] = src;
		job->rl_start[0] = MIN(ss, ds);
		job->rl_end[0] = MAX(se, de);
		return;
	}
	job->nrl = 2;
	job->rl_lu[0] = (uintptr_t)src < (uintptr_t)dst ? src : dst;
	job->rl_lu[1] = job->rl_lu[0] == src ? dst : src;
	job->rl_start[0] = job->rl_lu[0] == src ? ss : ds;
	job->rl_end[0] = job->rl_lu[0] == src ? se : de;
	job->rl_start[1] = job->rl_lu[1] == src ? ss : ds;
	job->rl_end[1] = job->rl_lu[1] == src ? se : de;
}

static void xcopy_unlock(struct xcopy_job *job)
{
	for (unsigned int i = 0; i < job->nheld; i++)
		scsi_range_release(job->rl_lu[i], &job->rl[i]);
	job->nheld = 0;
}

/*
 * Takes the chunk's ranges not held yet, in order: 0 when all are held, 1
 * when one must wait (xcopy_granted goes on, on this thread), -errno.
 */
static int xcopy_lock(struct xcopy_job *job)
{
	while (job->nheld < job->nrl) {
		unsigned int i = job->nheld;
		int ret;

		/* armed before the request is visible: a release elsewhere may grant it at once */
		ret = bs_wait_arm(&job->io, xcopy_granted, job);
		if (ret)
			return ret;
		job->rl[i].owner = &job->io;
		if (!range_lock_acquire(&job->rl_lu[i]->range, &job->rl[i], job->rl_start[i],
					job->rl_end[i], RANGE_LOCK_SHARED))
			return 1;
		bs_wait_disarm(&job->io);
		job->nheld++;
	}
	return 0;
}

/*
 * SBC-4 §4.11.1, §4.11.3: whether a sanitize has begun on one of the
 * segment's LUs since the copy began (SENSE_OK: none). While the chunk
 * holds its ranges no sanitize can act on them; one that ran between two
 * chunks would leave what the copy wrote before it erased and what it
 * writes after on the medium, which is neither the copy nor the sanitize,
 * and one that has begun and waits for this chunk would do the same to the
 * chunks after it: the copy ends.
 */
static enum sense_reason xcopy_spanned(struct xcopy_job *job, const struct xcopy_seg *s)
{
	uint16_t idx[2] = {s->src, s->dst};

	for (int side = 0; side < 2; side++) {
		struct scsi_lu *lu = job->lu[idx[side]];
		enum sense_reason r;

		if (sanitize_lu_gen(lu) == job->gen[idx[side]])
			continue;
		r = sanitize_lu_refuses_io(lu);
		/* over already (it succeeded): the copy's target failed under it */
		return r != SENSE_OK ? r : xcopy_point(job->cmd, SENSE_COPY_TARGET_FAILURE, s->off);
	}
	return SENSE_OK;
}

/* The chunk, its ranges held, to the stores. */
static enum sense_reason xcopy_submit(struct xcopy_job *job)
{
	const struct xcopy_seg *s = &job->list.seg[job->seg];
	enum sense_reason r = xcopy_spanned(job, s);
	int ret;

	if (r != SENSE_OK) {
		xcopy_unlock(job);
		return r;
	}

	memset(&job->io, 0, sizeof(job->io));
	job->io.offset = job->dst_off;
	job->io.len = job->chunk;
	job->io.cb = xcopy_copied;
	job->io.arg = job;
	ret = bs_copy(job->lu[s->src]->bs, job->src_off, job->lu[s->dst]->bs, &job->io);
	if (!ret)
		return SENSE_OK;
	xcopy_unlock(job);
	log_dbg(SCSI_COMPONENT, "lu '%s': copy of %llu bytes refused: %s",
		job->lu[s->dst]->id.serial, (unsigned long long)job->chunk, strerror(-ret));
	return ret == -ENOSPC ? SENSE_SPACE_ALLOC_FAILED
			      : xcopy_point(job->cmd, SENSE_COPY_TARGET_FAILURE, s->off);
}

/*
 * Starts the next chunk, skipping what needs none (empty segments, a copy
 * onto itself). Returns SENSE_OK with *started telling whether a chunk is
 * in flight (false: the copy is complete), or the reason it ends.
 */
static enum sense_reason xcopy_step(struct xcopy_job *job, bool *started)
{
	struct scsi_cmd *cmd = job->cmd;

	*started = false;
	while (job->seg < job->list.nseg) {
		const struct xcopy_seg *s = &job->list.seg[job->seg];
		uint64_t src_off, dst_off, n;
		int ret;

		if (job->pos == job->seg_bytes[job->seg] ||
		    (job->lu[s->src]->bs == job->lu[s->dst]->bs &&
		     s->src_lba * job->lu[s->src]->block_size ==
			 s->dst_lba * job->lu[s->dst]->block_size)) {
			/* segment done (or a copy onto itself: nothing to move) */
			job->seg++;
			job->pos = 0;
			if (job->rec)
				job->rec->segs = (uint16_t)job->seg;
			continue;
		}
		if (cmd->aborted)
			return SENSE_ABORTED_COMMAND;
		n = xcopy_next(job, &src_off, &dst_off);
		job->chunk = n;
		job->src_off = src_off;
		job->dst_off = dst_off;
		xcopy_ranges(job, s, src_off, dst_off, n);
		ret = xcopy_lock(job);
		if (ret < 0) {
			xcopy_unlock(job);
			return SENSE_INTERNAL_TARGET_FAILURE;
		}
		/* waiting for a range is in flight too: xcopy_granted goes on */
		if (ret == 0) {
			enum sense_reason r = xcopy_submit(job);

			if (r != SENSE_OK)
				return r;
		}
		*started = true;
		return SENSE_OK;
	}
	return SENSE_OK;
}

/* A range the chunk waited for is held: the rest, then the copy. */
static void xcopy_granted(struct bs_io *io)
{
	struct xcopy_job *job = io->arg;
	struct scsi_cmd *cmd = job->cmd;
	enum sense_reason r;
	int ret;

	job->nheld++;
	ret = xcopy_lock(job);
	if (ret == 1)
		return;
	if (ret < 0) {
		xcopy_unlock(job);
		r = SENSE_INTERNAL_TARGET_FAILURE;
	} else {
		r = xcopy_submit(job);
		if (r == SENSE_OK)
			return;
	}
	xcopy_job_end(job, r);
	scsi_cmd_complete(cmd, r);
}

static void xcopy_copied(struct bs_io *io)
{
	struct xcopy_job *job = io->arg;
	struct scsi_cmd *cmd = job->cmd;
	enum sense_reason r = SENSE_OK;
	bool started;

	/* the chunk is on both stores (or failed): others may have its blocks */
	xcopy_unlock(job);
	if (io->result) {
		const struct xcopy_seg *s = &job->list.seg[job->seg];

		log_warn(SCSI_COMPONENT, "lu '%s': extended copy failed in segment %zu: %s",
			 job->lu[s->dst]->id.serial, job->seg, strerror(-io->result));
		/* a thin destination out of space says so; any other failure is the copy target's
		 */
		r = io->result == -ENOSPC || io->result == -EDQUOT
			? SENSE_SPACE_ALLOC_FAILED
			: xcopy_point(cmd, SENSE_COPY_TARGET_FAILURE, s->off);
	} else {
		job->pos += job->chunk;
		if (job->rec)
			job->rec->bytes += job->chunk;
		r = xcopy_step(job, &started);
		if (r == SENSE_OK && started)
			return;
	}
	xcopy_job_end(job, r);
	scsi_cmd_complete(cmd, r);
}

static enum scsi_exec_result xcopy_conflict(struct scsi_cmd *cmd)
{
	cmd->status = SCSI_STATUS_RESERVATION_CONFLICT;
	cmd->sense_len = 0;
	return SCSI_EXEC_DONE;
}

enum scsi_exec_result xcopy_exec(struct scsi_cmd *cmd)
{
	struct scsi_itl *itl = cmd->itl;
	struct xcopy_job *job;
	enum sense_reason r;
	uint32_t field;
	bool conflict = false, started;

	/* SPC-4 §6.4: a PARAMETER LIST LENGTH of zero copies nothing and is no error */
	if (!cmd->xfer_len)
		return scsi_cmd_finish(cmd, SENSE_OK);
	job = calloc(1, sizeof(*job));
	if (!job)
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	job->cmd = cmd;
	r = xcopy_parse_list(cmd->buf, MIN(cmd->buf_len, cmd->xfer_len), &job->list, &field);
	if (r != SENSE_OK) {
		free(job);
		return scsi_cmd_finish(cmd, xcopy_point(cmd, r, field));
	}

	if (job->list.usage != SCSI_XCOPY_LIST_ID_NONE) {
		struct xcopy_rec *old;

		if (!itl->xcopy && !(itl->xcopy = calloc(1, sizeof(*itl->xcopy)))) {
			free(job);
			return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
		}
		old = xcopy_find(itl->xcopy, job->list.list_id);
		/* SPC-4 §6.4: a list identifier of a copy still in progress on this nexus */
		if (old && old->running) {
			free(job);
			return scsi_cmd_finish(cmd,
					       xcopy_point(cmd, SENSE_OPERATION_IN_PROGRESS, 0));
		}
		if (old)
			old->used =
			    false; /* a new copy with that identifier: its results replace */
		job->rec = xcopy_rec_take(itl->xcopy, job->list.list_id);
		if (!job->rec) {
			free(job);
			return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
		}
		job->rec->held = job->list.usage == SCSI_XCOPY_LIST_ID_HOLD;
	}

	r = xcopy_prepare(job, &conflict);
	if (r == SENSE_OK && !conflict)
		r = xcopy_step(job, &started);
	if (r != SENSE_OK || conflict || !started) {
		xcopy_job_end(job, conflict ? SENSE_ABORTED_COMMAND : r);
		if (conflict)
			return xcopy_conflict(cmd);
		return scsi_cmd_finish(cmd, r);
	}
	return SCSI_EXEC_ASYNC;
}

/* RECEIVE COPY RESULTS: SPC-4 §6.18. */
enum sense_reason xcopy_parse_rcr(struct scsi_cmd *cmd)
{
	cmd->dir = SCSI_DIR_READ;
	cmd->xfer_len = get_be32(cmd->cdb + 10);
	return SENSE_OK;
}

enum scsi_exec_result xcopy_exec_rcr(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint8_t p[64];
	size_t len;

	switch (cmd->cdb[1] & 0x1f) {
	case SCSI_RCR_COPY_STATUS: {
		struct xcopy_rec *rec = xcopy_find(cmd->itl->xcopy, cmd->cdb[2]);

		/* SPC-4 §6.18: no copy of that list identifier on this nexus */
		if (!rec)
			return scsi_cmd_finish(cmd, scsi_invalid_cdb(cmd, 2, -1));
		len = xcopy_build_copy_status(p, rec->status, rec->segs, rec->bytes);
		/* a finished copy's status is reported once, then discarded */
		if (!rec->running)
			rec->used = false;
		break;
	}
	case SCSI_RCR_OPERATING_PARAMETERS:
		len = xcopy_build_op_params(p, sizeof(p), lu->block_size);
		break;
	default:
		return scsi_cmd_finish(cmd, scsi_invalid_cdb(cmd, 1, 4));
	}
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, len);
	return SCSI_EXEC_DONE;
}

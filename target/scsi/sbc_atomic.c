/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What makes a command indivisible: the LU's LBA range lock, as the
 * commands take it, and WRITE ATOMIC(16) (SBC-4 §5.48), which is a WRITE
 * that holds its range exclusively.
 *
 * Every command that reads or changes the medium takes its range for as
 * long as it is in flight: plain READs, WRITEs, WRITE AND VERIFY, VERIFY,
 * WRITE SAME and each UNMAP descriptor share it (they do not wait for each
 * other, as before); COMPARE AND WRITE, ORWRITE and WRITE ATOMIC take it
 * exclusively, from before their first read (or write) to after their
 * last write. So no command on any I/O thread or session sees or lands
 * between the read and the write of a COMPARE AND WRITE or an ORWRITE, or
 * sees part of a WRITE ATOMIC: each looks to every other command as if it
 * ran alone. The lock is FIFO: a COMPARE AND WRITE behind a stream of
 * plain writes to its blocks waits for those queued before it only.
 *
 * Across a power loss the store's own guarantee holds and nothing more:
 * porticod does not journal, so an atomic write cut short by a power loss
 * may leave some blocks old and some new. docs/conformance.md ("Atomicity")
 * says what that means for each kind of store.
 *
 * A waiting command is woken through the backstore's completion path
 * (bs_wait_arm/fire): the release that grants it may run on another I/O
 * thread, and the command continues on its own.
 */
#include "common/be.h"
#include "common/util.h"
#include "target/scsi/scsi_int.h"

static void scsi_cmd_lock_granted(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	enum sense_reason r;

	/*
	 * SBC-4 §4.11.3: a command that waited may have waited behind a
	 * SANITIZE's hold on the whole LU (sanitize.c, "The drain"): it passed
	 * the sanitize check before the operation began and is granted only
	 * once it ended. If the LU failed, or another sanitize has begun, it
	 * is refused now. (A command granted at once needs no second look:
	 * a sanitize that begins after its check waits for it.)
	 */
	r = sanitize_refuses(cmd, cmd->op);
	if (r != SENSE_OK) {
		scsi_cmd_continue(cmd, scsi_cmd_finish(cmd, r));
		return;
	}
	scsi_cmd_continue(cmd, cmd->locked(cmd));
}

void scsi_cmd_continue(struct scsi_cmd *cmd, enum scsi_exec_result res)
{
	if (res == SCSI_EXEC_DONE)
		cmd->done(cmd);
}

enum scsi_exec_result scsi_cmd_lock(struct scsi_cmd *cmd, uint64_t lba, uint64_t n,
				    enum range_lock_mode mode,
				    enum scsi_exec_result (*next)(struct scsi_cmd *cmd))
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	/*
	 * Armed before the request is visible: a release on another thread
	 * may grant it the moment it is queued.
	 */
	if (bs_wait_arm(&cmd->io, scsi_cmd_lock_granted, cmd))
		return scsi_cmd_finish(cmd, SENSE_INTERNAL_TARGET_FAILURE);
	cmd->locked = next;
	cmd->rl.owner = &cmd->io;
	if (range_lock_acquire(&lu->range, &cmd->rl, lba, lba + n, mode)) {
		bs_wait_disarm(&cmd->io);
		return next(cmd);
	}
	return SCSI_EXEC_ASYNC;
}

void scsi_range_release(struct scsi_lu *lu, struct range_lock_req *req)
{
	struct range_lock_req *g;

	if (req->state == RANGE_LOCK_IDLE)
		return;
	g = range_lock_release(&lu->range, req);
	while (g) {
		struct range_lock_req *next = g->next_granted;

		/* next is read first: once fired, the waiter's thread owns it */
		bs_wait_fire(g->owner, 0);
		g = next;
	}
}

bool scsi_range_withdraw(struct scsi_lu *lu, struct range_lock_req *req)
{
	struct range_lock_req *g;
	bool withdrawn = range_lock_withdraw(&lu->range, req, &g);

	while (g) {
		struct range_lock_req *next = g->next_granted;

		bs_wait_fire(g->owner, 0);
		g = next;
	}
	return withdrawn;
}

void scsi_cmd_unlock(struct scsi_cmd *cmd)
{
	scsi_range_release(scsi_cmd_lu(cmd), &cmd->rl);
}

/* WRITE ATOMIC(16), SBC-4 §5.48 */

void sbc_atomic_limits(const struct scsi_lu *lu, struct sbc_atomic_limits *lim)
{
	/*
	 * The range lock makes a write of any length indivisible to other
	 * commands, on any block boundary: no alignment, no granularity, and
	 * as long as any write may be. ATOMIC BOUNDARY is not offered (one
	 * atomic write per command is all a range lock does).
	 */
	lim->max_len = SCSI_MAX_XFER_BYTES / lu->block_size;
	lim->align = 0;
	lim->gran = 0;
	lim->max_len_boundary = 0;
	lim->max_boundary_size = 0;
}

enum sense_reason sbc_atomic_check(struct scsi_cmd *cmd, const struct sbc_atomic_limits *lim,
				   uint64_t lba, uint32_t n, uint16_t boundary)
{
	/* SBC-4 §5.48: a non-zero ATOMIC BOUNDARY where MAXIMUM ATOMIC BOUNDARY SIZE is 0 */
	if (boundary && !lim->max_boundary_size)
		return scsi_invalid_cdb(cmd, 10, -1);
	if (boundary && boundary > lim->max_boundary_size)
		return scsi_invalid_cdb(cmd, 10, -1);
	/* SBC-4 §5.48: beyond MAXIMUM ATOMIC TRANSFER LENGTH (with boundary, its own maximum) */
	if (n > (boundary ? lim->max_len_boundary : lim->max_len))
		return scsi_invalid_cdb(cmd, 12, -1);
	/* SBC-4 §6.6.4: the starting LBA a multiple of ATOMIC ALIGNMENT */
	if (lim->align && lba % lim->align)
		return scsi_invalid_cdb(cmd, 2, -1);
	/* ... and the length a multiple of ATOMIC TRANSFER LENGTH GRANULARITY */
	if (lim->gran && n % lim->gran)
		return scsi_invalid_cdb(cmd, 12, -1);
	return SENSE_OK;
}

enum sense_reason sbc_parse_write_atomic(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	struct sbc_atomic_limits lim;
	enum sense_reason r;
	uint8_t b1 = cmd->cdb[1];

	/* byte 1: WRPROTECT (7:5), DPO, FUA; no protection information here (SBC-4 table 99) */
	if (b1 & 0xe0)
		return scsi_invalid_cdb(cmd, 1, 7);
	if (b1 & 0x08)
		cmd->flags |= SCSI_CMD_F_FUA;
	cmd->lba = get_be64(cmd->cdb + 2);
	cmd->nblocks = get_be16(cmd->cdb + 12);
	sbc_atomic_limits(lu, &lim);
	/* SBC-4 §5.48: TRANSFER LENGTH 0 writes nothing and is not an error */
	if (cmd->nblocks) {
		r = sbc_atomic_check(cmd, &lim, cmd->lba, cmd->nblocks, get_be16(cmd->cdb + 10));
		if (r != SENSE_OK)
			return r;
	}
	cmd->xfer_len = cmd->nblocks * lu->block_size;
	cmd->dir = cmd->xfer_len ? SCSI_DIR_WRITE : SCSI_DIR_NONE;
	return SENSE_OK;
}

static void sbc_write_atomic_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;

	scsi_cmd_complete(cmd, scsi_bs_error(io->result, BS_OP_WRITE));
}

static enum scsi_exec_result sbc_write_atomic_locked(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	bool fua = (cmd->flags & SCSI_CMD_F_FUA) || !atomic_load(&lu->wce);
	enum sense_reason r;

	r = scsi_cmd_submit(cmd, BS_OP_WRITE, cmd->lba * lu->block_size, cmd->xfer_len, cmd->buf,
			    fua, sbc_write_atomic_done);
	if (r != SENSE_OK)
		return scsi_cmd_finish(cmd, r);
	return SCSI_EXEC_ASYNC;
}

enum scsi_exec_result sbc_exec_write_atomic(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	if (!scsi_lba_in_range(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	if (!cmd->nblocks)
		return scsi_cmd_finish(cmd, SENSE_OK);
	/*
	 * All of it or none of it: a data-out shorter than the CDB's length
	 * would leave a part written, which an atomic write may never do, so
	 * nothing is written (INVALID FIELD IN COMMAND INFORMATION UNIT, as a
	 * WRITE whose data-out stops inside a block; docs/conformance.md).
	 */
	if (cmd->buf_len < cmd->xfer_len)
		return scsi_cmd_finish(cmd, SENSE_INVALID_FIELD_IN_COMMAND_IU);
	return scsi_cmd_lock(cmd, cmd->lba, cmd->nblocks, RANGE_LOCK_EXCLUSIVE,
			     sbc_write_atomic_locked);
}

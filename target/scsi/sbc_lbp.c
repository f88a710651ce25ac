/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SBC-3 logical block provisioning (§4.7): UNMAP, WRITE SAME(10/16) with
 * its UNMAP and NDOB bits, and GET LBA STATUS. Deallocation is the
 * backstore's BS_OP_UNMAP; a thin store's deallocated blocks read back as
 * zeroes when it says so (LBPRZ).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/util.h"
#include "target/scsi/scsi_int.h"

/* UNMAP (SBC-3 §5.28) */

#define UNMAP_HDR 8

enum sense_reason sbc_parse_unmap(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	/* SBC-3 §5.28: UNMAP exists where the Logical Block Provisioning page sets LBPU */
	if (!lu->bs->thin)
		return SENSE_INVALID_OPCODE;
	/* ANC_SUP is 0: no anchored state to put blocks in */
	if (cmd->cdb[1] & 0x01)
		return scsi_invalid_cdb(cmd, 1, 0);
	cmd->xfer_len = get_be16(cmd->cdb + 7);
	cmd->dir = cmd->xfer_len ? SCSI_DIR_WRITE : SCSI_DIR_NONE;
	return SENSE_OK;
}

static const struct scsi_unmap_desc *unmap_desc(const struct scsi_cmd *cmd, uint64_t i)
{
	return (const struct scsi_unmap_desc *)(cmd->buf + UNMAP_HDR) + i;
}

/*
 * Deallocates the next descriptor with blocks in it, holding its range
 * (shared: sbc_atomic.c) while it is in flight, one descriptor at a time;
 * ends the command when none is left.
 */
static enum scsi_exec_result unmap_next(struct scsi_cmd *cmd);

static void unmap_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	enum sense_reason r = scsi_bs_error(io->result, BS_OP_UNMAP);

	if (r != SENSE_OK) {
		scsi_cmd_complete(cmd, r);
		return;
	}
	scsi_cmd_unlock(cmd);
	scsi_cmd_continue(cmd, unmap_next(cmd));
}

/* Submits the descriptor before cmd->stage, whose range cmd now holds. */
static enum scsi_exec_result unmap_locked(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	const struct scsi_unmap_desc *d = unmap_desc(cmd, cmd->stage - 1);
	enum sense_reason r;

	r = scsi_cmd_submit(cmd, BS_OP_UNMAP, get_be64(d->lba) * lu->block_size,
			    (uint64_t)get_be32(d->nblocks) * lu->block_size, NULL, false,
			    unmap_done);
	if (r != SENSE_OK)
		return scsi_cmd_finish(cmd, r);
	return SCSI_EXEC_ASYNC;
}

static enum scsi_exec_result unmap_next(struct scsi_cmd *cmd)
{
	/* cmd->stage: the next descriptor; cmd->left: how many there are */
	while (cmd->stage < cmd->left) {
		const struct scsi_unmap_desc *d = unmap_desc(cmd, cmd->stage++);
		uint32_t n = get_be32(d->nblocks);

		if (!n)
			continue;
		return scsi_cmd_lock(cmd, get_be64(d->lba), n, RANGE_LOCK_SHARED, unmap_locked);
	}
	return scsi_cmd_finish(cmd, SENSE_OK);
}

enum scsi_exec_result sbc_exec_unmap(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	size_t len = MIN(cmd->xfer_len, cmd->buf_len);
	uint64_t n, i, total = 0;

	/* SBC-3 §5.28: a parameter list length of 0 is not an error */
	if (!cmd->xfer_len)
		return scsi_cmd_finish(cmd, SENSE_OK);
	if (len < UNMAP_HDR || len < cmd->xfer_len)
		return scsi_cmd_finish(cmd, SENSE_PARAM_LIST_LENGTH_ERROR);
	n = MIN((size_t)get_be16(cmd->buf + 2), len - UNMAP_HDR) / sizeof(struct scsi_unmap_desc);
	if (n > SCSI_MAX_UNMAP_DESCRIPTORS)
		return scsi_cmd_finish(cmd, scsi_invalid_param(cmd, 2, -1));

	/* Check every descriptor before deallocating anything. */
	for (i = 0; i < n; i++) {
		const struct scsi_unmap_desc *d = unmap_desc(cmd, i);
		uint64_t lba = get_be64(d->lba);
		uint32_t cnt = get_be32(d->nblocks);

		if (!scsi_lba_in_range(lu, lba, cnt))
			return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
		total += cnt;
	}
	/* SBC-3 §5.28: more than MAXIMUM UNMAP LBA COUNT is an invalid field */
	if (total > SCSI_MAX_UNMAP_BLOCKS)
		return scsi_cmd_finish(cmd, scsi_invalid_param(cmd, UNMAP_HDR + 8, -1));

	cmd->stage = 0;
	cmd->left = n;
	return unmap_next(cmd);
}

/* WRITE SAME (SBC-3 §5.41-5.42) */

enum sense_reason sbc_parse_write_same(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	const uint8_t *cdb = cmd->cdb;
	bool sixteen = cdb[0] == SCSI_OP_WRITE_SAME_16;

	if (cdb[1] & 0xe0)
		return scsi_invalid_cdb(cmd, 1, 7);
	/* ANC_SUP is 0 (SBC-3 §5.41: ANCHOR without it is an invalid field) */
	if (cdb[1] & 0x10)
		return scsi_invalid_cdb(cmd, 1, 4);
	if (cdb[1] & 0x08) {
		/* SBC-3 §5.41: UNMAP where LBPWS/LBPWS10 is 0 is an invalid field */
		if (!lu->bs->thin)
			return scsi_invalid_cdb(cmd, 1, 3);
		cmd->flags |= SCSI_CMD_F_UNMAP;
	}
	if (sixteen && (cdb[1] & 0x01))
		cmd->flags |= SCSI_CMD_F_NDOB;
	if (sixteen) {
		cmd->lba = get_be64(cdb + 2);
		cmd->nblocks = get_be32(cdb + 10);
	} else {
		cmd->lba = get_be32(cdb + 2);
		cmd->nblocks = get_be16(cdb + 7);
	}
	/* SBC-3 §6.5.3: beyond MAXIMUM WRITE SAME LENGTH is an invalid field */
	if (cmd->nblocks > SCSI_MAX_WRITE_SAME_BLOCKS)
		return scsi_invalid_cdb(cmd, sixteen ? 10 : 7, -1);
	if (!(cmd->flags & SCSI_CMD_F_NDOB)) {
		cmd->xfer_len = lu->block_size;
		cmd->dir = SCSI_DIR_WRITE;
	}
	return SENSE_OK;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	return !len || (p[0] == 0 && !memcmp(p, p + 1, len - 1));
}

static enum sense_reason write_same_next(struct scsi_cmd *cmd);

static void write_same_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	enum sense_reason r = scsi_bs_error(io->result, BS_OP_WRITE);

	if (r == SENSE_OK && cmd->left) {
		r = write_same_next(cmd);
		if (r == SENSE_OK)
			return;
	}
	scsi_cmd_complete(cmd, r);
}

/* Writes the next chunk of replicated blocks from the bounce buffer. */
static enum sense_reason write_same_next(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint64_t n = MIN(cmd->left, (uint64_t)(cmd->bounce_len / lu->block_size));
	uint64_t lba = cmd->next_lba;
	bool fua = !atomic_load(&lu->wce);

	cmd->next_lba += n;
	cmd->left -= n;
	return scsi_cmd_submit(cmd, BS_OP_WRITE, lba * lu->block_size, n * lu->block_size,
			       cmd->bounce, fua, write_same_done);
}

/* Replicates the block (or zeroes) through a bounce buffer, one chunk per backstore write. */
static enum sense_reason write_same_replicate(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint32_t bs = lu->block_size;
	uint64_t chunk = MIN((uint64_t)cmd->nblocks * bs, (uint64_t)MAX(SCSI_WRITE_SAME_CHUNK, bs));
	enum sense_reason r;
	uint64_t off;

	r = scsi_cmd_bounce(cmd, chunk - chunk % bs);
	if (r != SENSE_OK)
		return r;
	if (cmd->flags & SCSI_CMD_F_NDOB) {
		memset(cmd->bounce, 0, cmd->bounce_len);
	} else {
		for (off = 0; off < cmd->bounce_len; off += bs)
			memcpy(cmd->bounce + off, cmd->buf, bs);
	}
	cmd->next_lba = cmd->lba;
	cmd->left = cmd->nblocks;
	return write_same_next(cmd);
}

static void write_same_zeroes_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	enum sense_reason r;

	/* A store without a zeroing primitive gets the zeroes written out. */
	if (io->result == -EOPNOTSUPP) {
		cmd->flags |= SCSI_CMD_F_NDOB;
		r = write_same_replicate(cmd);
		if (r == SENSE_OK)
			return;
	} else {
		r = scsi_bs_error(io->result, BS_OP_WRITE_ZEROES);
	}
	scsi_cmd_complete(cmd, r);
}

static enum scsi_exec_result write_same_locked(struct scsi_cmd *cmd);

enum scsi_exec_result sbc_exec_write_same(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	if (!scsi_lba_in_range(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	/*
	 * SBC-3 §5.41 (WSNZ 0): NUMBER OF LOGICAL BLOCKS 0 means through the
	 * last LBA, and that count too must be within MAXIMUM WRITE SAME
	 * LENGTH (§6.5.3). The LBA is checked first so that a bad one reads
	 * as one.
	 */
	if (!cmd->nblocks) {
		uint64_t rest = scsi_lu_nblocks(lu) - cmd->lba;

		if (rest > SCSI_MAX_WRITE_SAME_BLOCKS)
			return scsi_cmd_finish(
			    cmd, scsi_invalid_cdb(
				     cmd, cmd->cdb[0] == SCSI_OP_WRITE_SAME_16 ? 10 : 7, -1));
		if (!rest)
			return scsi_cmd_finish(cmd, SENSE_OK);
		cmd->nblocks = (uint32_t)rest;
	}
	/*
	 * SBC-3 §5.41: the data-out is one logical block. Less of it did not
	 * all arrive; more is an initiator that takes the block for larger
	 * than it is, whose pattern replicated from its first part would be
	 * nobody's. Either way nothing is written, nor deallocated (FCP-4's
	 * INVALID FIELD IN COMMAND INFORMATION UNIT; docs/conformance.md).
	 */
	if (!(cmd->flags & SCSI_CMD_F_NDOB) &&
	    (cmd->buf_len < lu->block_size || cmd->edtl != lu->block_size))
		return scsi_cmd_finish(cmd, SENSE_INVALID_FIELD_IN_COMMAND_IU);
	/* the whole range, shared, over all of its chunks (sbc_atomic.c) */
	return scsi_cmd_lock(cmd, cmd->lba, cmd->nblocks, RANGE_LOCK_SHARED, write_same_locked);
}

static enum scsi_exec_result write_same_locked(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint64_t off = cmd->lba * lu->block_size, len = (uint64_t)cmd->nblocks * lu->block_size;
	enum sense_reason r;

	/*
	 * SBC-3 §4.7.3.4: with UNMAP set the blocks are deallocated whatever
	 * the data (LBPRZ tells what they read back as).
	 */
	if (cmd->flags & SCSI_CMD_F_UNMAP)
		r = scsi_cmd_submit(cmd, BS_OP_UNMAP, off, len, NULL, false, write_same_done);
	else if ((cmd->flags & SCSI_CMD_F_NDOB) || all_zero(cmd->buf, lu->block_size)) {
		r = scsi_cmd_submit(cmd, BS_OP_WRITE_ZEROES, off, len, NULL, !atomic_load(&lu->wce),
				    write_same_zeroes_done);
		/* A store that refuses the zeroing primitive up front gets the zeroes written out.
		 */
		if (r != SENSE_OK && cmd->io.result == -EOPNOTSUPP) {
			cmd->flags |= SCSI_CMD_F_NDOB;
			r = write_same_replicate(cmd);
		}
	} else if (lu->bs->write_same) {
		/* the store replicates the block itself (rbd: one block to the OSDs) */
		cmd->left = 0;
		r = scsi_cmd_submit(cmd, BS_OP_WRITE_SAME, off, len, cmd->buf, !atomic_load(&lu->wce),
				    write_same_done);
	} else
		r = write_same_replicate(cmd);
	if (r != SENSE_OK)
		return scsi_cmd_finish(cmd, r);
	return SCSI_EXEC_ASYNC;
}

/* GET LBA STATUS (SBC-3 §5.16) */

#define LBA_STATUS_HDR 8
#define LBA_STATUS_MAX_DESC 64

enum sense_reason sbc_parse_get_lba_status(struct scsi_cmd *cmd)
{
	cmd->lba = get_be64(cmd->cdb + 2);
	cmd->xfer_len = get_be32(cmd->cdb + 10);
	cmd->dir = cmd->xfer_len ? SCSI_DIR_READ : SCSI_DIR_NONE;
	return SENSE_OK;
}

/* The allocation run at lba, in whole blocks (a block partly allocated is mapped). */
static uint64_t lba_status_run(struct scsi_lu *lu, uint64_t lba, uint64_t cap, bool *mapped)
{
	struct bs_dev *dev = lu->bs;
	uint64_t bs = lu->block_size, len = 0, end;
	int ret = -EOPNOTSUPP;

	if (dev->thin && dev->ops->lba_status)
		ret = dev->ops->lba_status(dev, lba * bs, mapped, &len);
	if (ret || !len) {
		/* bs.h: a store that cannot tell has everything mapped */
		*mapped = true;
		return cap - lba;
	}
	end = lba * bs + len;
	end = *mapped ? ALIGN_UP(end, bs) / bs : end / bs;
	if (end <= lba) {
		/* a hole inside one block: that block is (partly) mapped */
		*mapped = true;
		end = lba + 1;
	}
	return MIN(end, cap) - lba;
}

enum scsi_exec_result sbc_exec_get_lba_status(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint64_t cap = scsi_lu_nblocks(lu), lba = cmd->lba;
	uint8_t p[LBA_STATUS_HDR + LBA_STATUS_MAX_DESC * sizeof(struct scsi_lba_status_desc)] = {0};
	struct scsi_lba_status_desc *d = (struct scsi_lba_status_desc *)(p + LBA_STATUS_HDR);
	size_t n = 0;

	/* SBC-3 §5.16: a starting LBA past the last one is out of range */
	if (lba >= cap)
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	/*
	 * The answer is up to LBA_STATUS_MAX_DESC descriptors, whatever the
	 * allocation length, which only truncates it (SPC-4 §4.2.5.6): the
	 * PARAMETER DATA LENGTH describes the whole answer.
	 */
	while (lba < cap && n < LBA_STATUS_MAX_DESC) {
		bool mapped;
		uint64_t run = lba_status_run(lu, lba, cap, &mapped);

		/* runs of one status next to each other are one descriptor */
		while (lba + run < cap && run < UINT32_MAX) {
			bool next_mapped;
			uint64_t more = lba_status_run(lu, lba + run, cap, &next_mapped);

			if (next_mapped != mapped)
				break;
			run += more;
		}
		run = MIN(run, (uint64_t)UINT32_MAX);
		put_be64(d[n].lba, lba);
		put_be32(d[n].nblocks, (uint32_t)run);
		d[n].provisioning = mapped ? SCSI_LBA_STATUS_MAPPED : SCSI_LBA_STATUS_DEALLOCATED;
		n++;
		lba += run;
	}
	put_be32(p, (uint32_t)(4 + n * sizeof(*d)));
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, LBA_STATUS_HDR + n * sizeof(*d));
	return SCSI_EXEC_DONE;
}

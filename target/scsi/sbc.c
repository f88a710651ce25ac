/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SBC-3 block commands: READ and WRITE (6/10/12/16), VERIFY and WRITE AND
 * VERIFY (10/12/16), ORWRITE(16), READ CAPACITY (10/16), SYNCHRONIZE CACHE
 * and PRE-FETCH (10/16), START STOP UNIT. (Provisioning: sbc_lbp.c.)
 *
 * Reads and writes move data straight between the transport's buffer and
 * the backstore: one iovec onto cmd->buf, byte offsets lba * block_size.
 * Commands that need a second look at the medium (VERIFY with BYTCHK, WRITE
 * AND VERIFY, ORWRITE) use an engine-owned bounce buffer and chain their
 * backstore requests through cmd->stage.
 *
 * When the data the initiator sends or accepts is shorter than the CDB
 * asks (the iSCSI expected data transfer length is below the CDB's
 * transfer length, so buf_len < xfer_len), the transport reports the
 * difference as a residual overflow (RFC 7143 §11.4.5.2) and the command
 * either does exactly what the data sent says, or nothing:
 *  - writes (and ORWRITE, WRITE AND VERIFY, VERIFY with BYTCHK) whose
 *    data-out ends on a block boundary act on the whole blocks received
 *    and end GOOD, the rest of the range untouched: FCP-4's "process the
 *    command normally except that data beyond [the expected length] shall
 *    not be requested or transferred", which libiscsi's
 *    test_write10_residuals.c checks (EDTL 0: GOOD, nothing written; one
 *    block of two: the first written);
 *  - a data-out that ends inside a block (EDTL 200 for a 512-byte block)
 *    is refused, INVALID FIELD IN COMMAND INFORMATION UNIT, before the
 *    medium is read or written: the logical block is the unit the device
 *    writes (SBC-3 §4.5), and the rest of a part-sent block has no value
 *    the initiator gave; inventing one (zeros, or the old bytes read back
 *    without any lock against other writers) would answer GOOD for data
 *    nobody sent. FCP-4's second choice, and what libiscsi accepts;
 *  - reads return the first buf_len bytes and end GOOD (test_read10_residuals.c
 *    and test_read10_invalid.c: EDTL 200 for one block returns 200 bytes):
 *    a cut data-in changes nothing on the medium.
 * docs/conformance.md ("An expected data transfer length other than the
 * CDB's") says why.
 */
#include <errno.h>
#include <string.h>

#include "common/be.h"
#include "common/util.h"
#include "target/scsi/scsi_int.h"

/* Where a CDB keeps its LBA and transfer length, by operation code. */
static void sbc_decode(const uint8_t *cdb, uint64_t *lba, uint32_t *n, unsigned int *len_byte)
{
	switch (cdb[0]) {
	case SCSI_OP_READ_6:
	case SCSI_OP_WRITE_6:
		*lba = get_be24(cdb + 1) & 0x1fffff;
		/* SBC-3 §5.7: a TRANSFER LENGTH of 0 means 256 blocks */
		*n = cdb[4] ? cdb[4] : 256;
		*len_byte = 4;
		break;
	case SCSI_OP_READ_12:
	case SCSI_OP_WRITE_12:
	case SCSI_OP_WRITE_VERIFY_12:
	case SCSI_OP_VERIFY_12:
		*lba = get_be32(cdb + 2);
		*n = get_be32(cdb + 6);
		*len_byte = 6;
		break;
	case SCSI_OP_READ_16:
	case SCSI_OP_WRITE_16:
	case SCSI_OP_ORWRITE_16:
	case SCSI_OP_WRITE_VERIFY_16:
	case SCSI_OP_VERIFY_16:
	case SCSI_OP_PRE_FETCH_16:
	case SCSI_OP_SYNCHRONIZE_CACHE_16:
		*lba = get_be64(cdb + 2);
		*n = get_be32(cdb + 10);
		*len_byte = 10;
		break;
	default: /* the 10-byte CDBs */
		*lba = get_be32(cdb + 2);
		*n = get_be16(cdb + 7);
		*len_byte = 7;
		break;
	}
}

/* Decodes LBA and length into cmd, checking the transfer length against the limit. */
static enum sense_reason sbc_parse_range(struct scsi_cmd *cmd, bool limit)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	unsigned int len_byte;
	uint64_t lba;
	uint32_t n;

	sbc_decode(cmd->cdb, &lba, &n, &len_byte);
	/* SBC-3 §6.5.3: beyond MAXIMUM TRANSFER LENGTH is an invalid field */
	if (limit && (uint64_t)n * lu->block_size > SCSI_MAX_XFER_BYTES)
		return scsi_invalid_cdb(cmd, len_byte, -1);
	cmd->lba = lba;
	cmd->nblocks = n;
	return SENSE_OK;
}

/*
 * Byte 1 of the 10/12/16-byte CDBs: xxPROTECT (7:5), DPO, FUA. Without
 * protection information any xxPROTECT value but 0 is an invalid field
 * (SBC-3 §5.8 table 40); DPO is accepted and has nothing to do here.
 */
static enum sense_reason sbc_parse_byte1(struct scsi_cmd *cmd, bool fua_allowed)
{
	uint8_t b = cmd->cdb[1];

	if (b & 0xe0)
		return scsi_invalid_cdb(cmd, 1, 7);
	if (fua_allowed && (b & 0x08))
		cmd->flags |= SCSI_CMD_F_FUA;
	return SENSE_OK;
}

static bool sbc_is_write(uint8_t opcode)
{
	return opcode == SCSI_OP_WRITE_6 || opcode == SCSI_OP_WRITE_10 ||
	       opcode == SCSI_OP_WRITE_12 || opcode == SCSI_OP_WRITE_16;
}

enum sense_reason sbc_parse_rw(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;

	if (cmd->cdb[0] != SCSI_OP_READ_6 && cmd->cdb[0] != SCSI_OP_WRITE_6) {
		r = sbc_parse_byte1(cmd, true);
		if (r != SENSE_OK)
			return r;
	}
	r = sbc_parse_range(cmd, true);
	if (r != SENSE_OK)
		return r;
	cmd->xfer_len = cmd->nblocks * lu->block_size;
	if (cmd->xfer_len)
		cmd->dir = sbc_is_write(cmd->cdb[0]) ? SCSI_DIR_WRITE : SCSI_DIR_READ;
	return SENSE_OK;
}

/* Whether writes of cmd must be durable at completion: FUA, or the write cache off. */
static bool sbc_write_fua(const struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	return (cmd->flags & SCSI_CMD_F_FUA) || !atomic_load(&lu->wce);
}

/*
 * The whole blocks of data-out the initiator sent, up to the CDB's count,
 * into *n; SENSE_OK, or INVALID FIELD IN COMMAND INFORMATION UNIT when the
 * data-out stops inside a block (the file comment says why).
 */
static enum sense_reason sbc_blocks_received(const struct scsi_cmd *cmd, uint32_t *n)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	*n = MIN(cmd->buf_len / lu->block_size, cmd->nblocks);
	if (cmd->buf_len < cmd->xfer_len && cmd->buf_len % lu->block_size)
		return SENSE_INVALID_FIELD_IN_COMMAND_IU;
	return SENSE_OK;
}

static void sbc_io_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;

	scsi_cmd_complete(cmd, scsi_bs_error(io->result, io->op));
}

/* Ends cmd now when r is an error, else says it is on its way. */
static enum scsi_exec_result sbc_submitted(struct scsi_cmd *cmd, enum sense_reason r)
{
	if (r != SENSE_OK)
		return scsi_cmd_finish(cmd, r);
	return SCSI_EXEC_ASYNC;
}

static void sbc_read_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	enum sense_reason r = scsi_bs_error(io->result, BS_OP_READ);

	if (r == SENSE_OK) {
		cmd->data_len = (uint32_t)cmd->left;
		/* a partial last block came through the bounce buffer */
		if (cmd->bounce)
			memcpy(cmd->buf, cmd->bounce, cmd->data_len);
	}
	scsi_cmd_complete(cmd, r);
}

static enum scsi_exec_result sbc_read_locked(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint32_t bytes = (uint32_t)cmd->left;
	uint64_t off = cmd->lba * lu->block_size;
	enum sense_reason r;

	if (bytes % lu->block_size == 0)
		return sbc_submitted(cmd, scsi_cmd_submit(cmd, BS_OP_READ, off, bytes, cmd->buf,
							  false, sbc_read_done));
	/* Less than a whole block fits: read whole blocks aside, hand over the part. */
	r = scsi_cmd_bounce(cmd, ALIGN_UP(bytes, lu->block_size));
	if (r == SENSE_OK)
		r = scsi_cmd_submit(cmd, BS_OP_READ, off, cmd->bounce_len, cmd->bounce, false,
				    sbc_read_done);
	return sbc_submitted(cmd, r);
}

enum scsi_exec_result sbc_exec_read(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint32_t bytes = MIN(cmd->buf_len, cmd->xfer_len);

	if (!scsi_lba_in_range(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	/* SBC-3 §5.8: a transfer length of 0 is not an error; nothing moves */
	if (!bytes)
		return scsi_cmd_finish(cmd, SENSE_OK);
	cmd->left = bytes;
	/* shared: it waits only for an atomic command on its blocks (sbc_atomic.c) */
	return scsi_cmd_lock(cmd, cmd->lba, cmd->nblocks, RANGE_LOCK_SHARED, sbc_read_locked);
}

static enum scsi_exec_result sbc_write_locked(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	return sbc_submitted(cmd, scsi_cmd_submit(cmd, BS_OP_WRITE, cmd->lba * lu->block_size,
						  cmd->left * lu->block_size, cmd->buf,
						  sbc_write_fua(cmd), sbc_io_done));
}

enum scsi_exec_result sbc_exec_write(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint32_t n;

	enum sense_reason r;

	if (!scsi_lba_in_range(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	r = sbc_blocks_received(cmd, &n);
	if (r != SENSE_OK || !n)
		return scsi_cmd_finish(cmd, r);
	cmd->left = n;
	return scsi_cmd_lock(cmd, cmd->lba, n, RANGE_LOCK_SHARED, sbc_write_locked);
}

/* VERIFY and WRITE AND VERIFY (SBC-3 §5.29-5.34) */

/*
 * Compares the data-out with what the medium returned into the bounce
 * buffer. SBC-3 §5.29: MISCOMPARE, with the INFORMATION field set to the
 * offset of the first byte that differs in the data-out buffer.
 */
static enum sense_reason sbc_compare(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint32_t bs = lu->block_size, len = cmd->bounce_len, step, i, k;

	step = (cmd->flags & SCSI_CMD_F_BYTCHK_ONE) ? bs : len;
	for (i = 0; i < len; i += step) {
		const uint8_t *want = cmd->buf, *got = cmd->bounce + i;

		if (!memcmp(want, got, step))
			continue;
		for (k = 0; k < step && want[k] == got[k]; k++)
			;
		cmd->sense_info = (cmd->flags & SCSI_CMD_F_BYTCHK_ONE) ? i + k : k;
		cmd->sense_flags |= SCSI_SENSE_F_INFO;
		return SENSE_MISCOMPARE;
	}
	return SENSE_OK;
}

static void sbc_compare_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	enum sense_reason r = scsi_bs_error(io->result, BS_OP_READ);

	if (r == SENSE_OK)
		r = sbc_compare(cmd);
	scsi_cmd_complete(cmd, r);
}

/* Reads n blocks at cmd->lba into a bounce buffer and compares them with the data-out. */
static enum sense_reason sbc_start_compare(struct scsi_cmd *cmd, uint32_t n)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r = scsi_cmd_bounce(cmd, (size_t)n * lu->block_size);

	if (r != SENSE_OK)
		return r;
	return scsi_cmd_submit(cmd, BS_OP_READ, cmd->lba * lu->block_size, cmd->bounce_len,
			       cmd->bounce, false, sbc_compare_done);
}

/* BYTCHK (SBC-3 §5.29, two bits since SBC-4): 00b, 01b, 11b for VERIFY only. */
static enum sense_reason sbc_parse_bytchk(struct scsi_cmd *cmd, bool one_block_ok)
{
	uint8_t bytchk = (cmd->cdb[1] >> 1) & 0x03;

	if (bytchk == 0x01)
		cmd->flags |= SCSI_CMD_F_BYTCHK;
	else if (bytchk == 0x03 && one_block_ok)
		cmd->flags |= SCSI_CMD_F_BYTCHK | SCSI_CMD_F_BYTCHK_ONE;
	else if (bytchk)
		return scsi_invalid_cdb(cmd, 1, 2);
	return SENSE_OK;
}

enum sense_reason sbc_parse_verify(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;

	r = sbc_parse_byte1(cmd, false);
	if (r == SENSE_OK)
		r = sbc_parse_bytchk(cmd, true);
	if (r == SENSE_OK)
		r = sbc_parse_range(cmd, true);
	if (r != SENSE_OK)
		return r;
	if ((cmd->flags & SCSI_CMD_F_BYTCHK) && cmd->nblocks) {
		cmd->xfer_len = (cmd->flags & SCSI_CMD_F_BYTCHK_ONE)
				    ? lu->block_size
				    : cmd->nblocks * lu->block_size;
		cmd->dir = SCSI_DIR_WRITE;
	}
	return SENSE_OK;
}

static enum scsi_exec_result sbc_verify_locked(struct scsi_cmd *cmd)
{
	return sbc_submitted(cmd, sbc_start_compare(cmd, (uint32_t)cmd->left));
}

enum scsi_exec_result sbc_exec_verify(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;
	uint32_t n;

	if (!scsi_lba_in_range(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	/*
	 * BYTCHK 0: a medium verification. The backstore checks nothing a read
	 * would not, and reads of a healthy store succeed: the range is
	 * all there is to check.
	 */
	if (!(cmd->flags & SCSI_CMD_F_BYTCHK) || !cmd->nblocks)
		return scsi_cmd_finish(cmd, SENSE_OK);
	r = sbc_blocks_received(cmd, &n);
	/* BYTCHK 11b: the one block sent is compared with each block of the range */
	if (cmd->flags & SCSI_CMD_F_BYTCHK_ONE)
		n = n ? cmd->nblocks : 0;
	if (r != SENSE_OK || !n)
		return scsi_cmd_finish(cmd, r);
	cmd->left = n;
	return scsi_cmd_lock(cmd, cmd->lba, n, RANGE_LOCK_SHARED, sbc_verify_locked);
}

enum sense_reason sbc_parse_write_verify(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;

	r = sbc_parse_byte1(cmd, false);
	if (r == SENSE_OK)
		r = sbc_parse_bytchk(cmd, false);
	if (r == SENSE_OK)
		r = sbc_parse_range(cmd, true);
	if (r != SENSE_OK)
		return r;
	cmd->xfer_len = cmd->nblocks * lu->block_size;
	cmd->dir = cmd->xfer_len ? SCSI_DIR_WRITE : SCSI_DIR_NONE;
	return SENSE_OK;
}

static void sbc_write_verify_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	enum sense_reason r = scsi_bs_error(io->result, BS_OP_WRITE);

	if (r == SENSE_OK && (cmd->flags & SCSI_CMD_F_BYTCHK)) {
		r = sbc_start_compare(cmd, (uint32_t)cmd->left);
		if (r == SENSE_OK)
			return;
	}
	scsi_cmd_complete(cmd, r);
}

static enum scsi_exec_result sbc_write_verify_locked(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	/* SBC-3 §5.33: the data is verified on the medium, so it must be there: FUA. */
	return sbc_submitted(cmd, scsi_cmd_submit(cmd, BS_OP_WRITE, cmd->lba * lu->block_size,
						  cmd->left * lu->block_size, cmd->buf, true,
						  sbc_write_verify_done));
}

enum scsi_exec_result sbc_exec_write_verify(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;
	uint32_t n;

	if (!scsi_lba_in_range(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	r = sbc_blocks_received(cmd, &n);
	if (r != SENSE_OK || !n)
		return scsi_cmd_finish(cmd, r);
	cmd->left = n;
	return scsi_cmd_lock(cmd, cmd->lba, n, RANGE_LOCK_SHARED, sbc_write_verify_locked);
}

/*
 * ORWRITE(16) (SBC-3 §5.11): read, OR the data-out in, write back, as an
 * uninterrupted series of actions: the range is held exclusively from
 * before the read to after the write (sbc_atomic.c), so no write from any
 * session lands in between and is lost, and no read sees the range half
 * written.
 */
enum sense_reason sbc_parse_orwrite(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;

	r = sbc_parse_byte1(cmd, true);
	if (r == SENSE_OK)
		r = sbc_parse_range(cmd, true);
	if (r != SENSE_OK)
		return r;
	cmd->xfer_len = cmd->nblocks * lu->block_size;
	cmd->dir = cmd->xfer_len ? SCSI_DIR_WRITE : SCSI_DIR_NONE;
	return SENSE_OK;
}

static void sbc_orwrite_read_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r = scsi_bs_error(io->result, BS_OP_READ);
	uint32_t i;

	if (r == SENSE_OK) {
		for (i = 0; i < cmd->bounce_len; i++)
			cmd->bounce[i] |= cmd->buf[i];
		r = scsi_cmd_submit(cmd, BS_OP_WRITE, cmd->lba * lu->block_size, cmd->bounce_len,
				    cmd->bounce, sbc_write_fua(cmd), sbc_io_done);
		if (r == SENSE_OK)
			return;
	}
	scsi_cmd_complete(cmd, r);
}

static enum scsi_exec_result sbc_orwrite_locked(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r = scsi_cmd_bounce(cmd, (size_t)cmd->left * lu->block_size);

	if (r == SENSE_OK)
		r = scsi_cmd_submit(cmd, BS_OP_READ, cmd->lba * lu->block_size, cmd->bounce_len,
				    cmd->bounce, false, sbc_orwrite_read_done);
	return sbc_submitted(cmd, r);
}

enum scsi_exec_result sbc_exec_orwrite(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;
	uint32_t n;

	if (!scsi_lba_in_range(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	r = sbc_blocks_received(cmd, &n);
	if (r != SENSE_OK || !n)
		return scsi_cmd_finish(cmd, r);
	cmd->left = n;
	return scsi_cmd_lock(cmd, cmd->lba, n, RANGE_LOCK_EXCLUSIVE, sbc_orwrite_locked);
}

/*
 * COMPARE AND WRITE (SBC-3 §5.2): read n blocks, compare them with the
 * first half of the data-out, and write the second half only if they are
 * equal, as one indivisible operation (SBC-3 §5.2: "an uninterrupted
 * series of actions"): the range is held exclusively from before the read
 * to after the write (sbc_atomic.c), against every other command on any
 * thread or session (plain WRITEs, WRITE SAME, UNMAP, ORWRITE, other
 * COMPARE AND WRITEs; READs see it before or after). What VMware's ATS
 * locking relies on. A COMPARE AND WRITE that finds the range taken waits
 * its turn, in arrival order, rather than ending BUSY.
 */
enum sense_reason sbc_parse_caw(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r = sbc_parse_byte1(cmd, true);

	if (r != SENSE_OK)
		return r;
	cmd->lba = get_be64(cmd->cdb + 2);
	cmd->nblocks = cmd->cdb[13];
	if (cmd->nblocks > SCSI_MAX_CAW_BLOCKS)
		return scsi_invalid_cdb(cmd, 13, -1);
	/* the verify data, then the write data */
	cmd->xfer_len = 2 * cmd->nblocks * lu->block_size;
	cmd->dir = cmd->xfer_len ? SCSI_DIR_WRITE : SCSI_DIR_NONE;
	return SENSE_OK;
}

static void sbc_caw_written(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;

	scsi_cmd_complete(cmd, scsi_bs_error(io->result, BS_OP_WRITE));
}

static void sbc_caw_read(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r = scsi_bs_error(io->result, BS_OP_READ);

	if (r == SENSE_OK)
		r = sbc_compare(cmd);
	if (r == SENSE_OK) {
		r = scsi_cmd_submit(cmd, BS_OP_WRITE, cmd->lba * lu->block_size, cmd->bounce_len,
				    cmd->buf + cmd->bounce_len, sbc_write_fua(cmd),
				    sbc_caw_written);
		if (r == SENSE_OK)
			return;
	}
	scsi_cmd_complete(cmd, r);
}

static enum scsi_exec_result sbc_caw_locked(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;

	/*
	 * A store that compares and writes atomically itself, for every server
	 * of it (an rbd image: the OSD); the range is held all the same, so
	 * that this porticod's READs see the blocks before or after it.
	 */
	if (sbc_caw_native_fits(lu, cmd))
		return sbc_caw_native(cmd, sbc_write_fua(cmd));
	r = scsi_cmd_bounce(cmd, (size_t)cmd->nblocks * lu->block_size);
	if (r == SENSE_OK)
		r = scsi_cmd_submit(cmd, BS_OP_READ, cmd->lba * lu->block_size, cmd->bounce_len,
				    cmd->bounce, false, sbc_caw_read);
	return sbc_submitted(cmd, r);
}

enum scsi_exec_result sbc_exec_caw(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	if (!scsi_lba_in_range(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	/*
	 * The data-out is the verify half then the write half: with any other
	 * length than the CDB's the halves cannot be told apart, and nothing
	 * is compared or written (libiscsi's CompareAndWrite.InvalidDataOutSize,
	 * and its Simple and Miscompare tests, whose 256-block case wraps the
	 * one-byte count to 0, expect INVALID FIELD IN CDB).
	 */
	if (cmd->edtl != cmd->xfer_len || cmd->buf_len < cmd->xfer_len)
		return scsi_cmd_finish(cmd, scsi_invalid_cdb(cmd, 13, -1));
	/* SBC-3 §5.2: NUMBER OF LOGICAL BLOCKS 0 reads, compares and writes nothing */
	if (!cmd->nblocks)
		return scsi_cmd_finish(cmd, SENSE_OK);
	return scsi_cmd_lock(cmd, cmd->lba, cmd->nblocks, RANGE_LOCK_EXCLUSIVE, sbc_caw_locked);
}

/*
 * READ DEFECT DATA (SBC-3 §5.18, §5.19): a backstore has no grown or
 * primary defects to show; the lists asked for are valid and empty, in
 * the format asked for.
 */
enum sense_reason sbc_parse_read_defect_data(struct scsi_cmd *cmd)
{
	bool twelve = cmd->cdb[0] == SCSI_OP_READ_DEFECT_DATA_12;

	cmd->xfer_len = twelve ? get_be32(cmd->cdb + 6) : get_be16(cmd->cdb + 7);
	cmd->dir = cmd->xfer_len ? SCSI_DIR_READ : SCSI_DIR_NONE;
	return SENSE_OK;
}

enum scsi_exec_result sbc_exec_read_defect_data(struct scsi_cmd *cmd)
{
	bool twelve = cmd->cdb[0] == SCSI_OP_READ_DEFECT_DATA_12;
	uint8_t p[8] = {0};

	/* REQ_PLIST, REQ_GLIST and the format come back as PLISTV, GLISTV and the format */
	p[1] = cmd->cdb[twelve ? 1 : 2] & 0x1f;
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, twelve ? 8 : 4);
	return SCSI_EXEC_DONE;
}

/* READ CAPACITY (SBC-3 §5.12, §5.13) */

enum sense_reason sbc_parse_read_capacity_10(struct scsi_cmd *cmd)
{
	/* SBC-3 §5.12: an LBA without PMI is an invalid field */
	if (!(cmd->cdb[8] & 0x01) && get_be32(cmd->cdb + 2))
		return scsi_invalid_cdb(cmd, 2, -1);
	cmd->xfer_len = 8;
	cmd->dir = SCSI_DIR_READ;
	return SENSE_OK;
}

enum scsi_exec_result sbc_exec_read_capacity_10(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint64_t last = scsi_lu_nblocks(lu) - 1;
	uint8_t p[8];

	/* SBC-3 §5.12.2: FFFFFFFFh sends the initiator to READ CAPACITY(16) */
	put_be32(p, last >= UINT32_MAX ? UINT32_MAX : (uint32_t)last);
	put_be32(p + 4, lu->block_size);
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, sizeof(p));
	return SCSI_EXEC_DONE;
}

enum sense_reason sbc_parse_read_capacity_16(struct scsi_cmd *cmd)
{
	cmd->xfer_len = get_be32(cmd->cdb + 10);
	cmd->dir = cmd->xfer_len ? SCSI_DIR_READ : SCSI_DIR_NONE;
	return SENSE_OK;
}

enum scsi_exec_result sbc_exec_read_capacity_16(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint8_t p[32] = {0};

	put_be64(p, scsi_lu_nblocks(lu) - 1);
	put_be32(p + 8, lu->block_size);
	/*
	 * SBC-3 §5.13.2: no protection information; LOGICAL BLOCKS PER PHYSICAL
	 * BLOCK EXPONENT (a 512e store: 3), LOWEST ALIGNED LOGICAL BLOCK ADDRESS
	 * 0 (byte 0 of the store starts a physical block)
	 */
	p[13] = scsi_lu_lbppb_exp(lu);
	if (lu->bs->thin)
		p[14] = 0x80 | (lu->bs->unmap_zeroes ? 0x40 : 0x00); /* LBPME, LBPRZ */
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, sizeof(p));
	return SCSI_EXEC_DONE;
}

/* SYNCHRONIZE CACHE and PRE-FETCH (SBC-3 §5.9, §5.10, §5.22, §5.23) */

enum sense_reason sbc_parse_sync_cache(struct scsi_cmd *cmd)
{
	if (cmd->cdb[1] & 0x02)
		cmd->flags |= SCSI_CMD_F_IMMED;
	return sbc_parse_range(cmd, false);
}

/* SBC-3: NUMBER OF LOGICAL BLOCKS 0 means "to the last LBA" for both commands. */
static bool sbc_range_or_rest(struct scsi_lu *lu, uint64_t lba, uint32_t n)
{
	return n ? scsi_lba_in_range(lu, lba, n) : lba < scsi_lu_nblocks(lu);
}

/*
 * The cache is the backstore's: a write-back store flushes all of it, which
 * covers any range. IMMED is honoured by completing after the flush, which
 * SBC-3 §5.22 allows a device server to do ("shall not return status until
 * the operation has been completed" is the IMMED 0 case; with IMMED 1 an
 * early status is permitted, not required of a target that owns no cache).
 */
enum scsi_exec_result sbc_exec_sync_cache(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	if (!sbc_range_or_rest(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	if (!lu->bs->write_back)
		return scsi_cmd_finish(cmd, SENSE_OK);
	return sbc_submitted(cmd,
			     scsi_cmd_submit(cmd, BS_OP_FLUSH, 0, 0, NULL, false, sbc_io_done));
}

enum sense_reason sbc_parse_pre_fetch(struct scsi_cmd *cmd)
{
	if (cmd->cdb[1] & 0x02)
		cmd->flags |= SCSI_CMD_F_IMMED;
	return sbc_parse_range(cmd, false);
}

/*
 * SBC-3 §5.9: CONDITION MET means the blocks are now in the cache; the
 * engine keeps no cache of its own, so a valid range ends GOOD (what
 * libiscsi's prefetch tests expect of a target without one).
 */
enum scsi_exec_result sbc_exec_pre_fetch(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	if (!sbc_range_or_rest(lu, cmd->lba, cmd->nblocks))
		return scsi_cmd_finish(cmd, SENSE_LBA_OUT_OF_RANGE);
	return scsi_cmd_finish(cmd, SENSE_OK);
}

/* START STOP UNIT (SBC-3 §5.20); LOEJ on a removable LU is sbc_media.c's. */

enum sense_reason sbc_parse_start_stop_unit(struct scsi_cmd *cmd)
{
	uint8_t pc = cmd->cdb[4] >> 4;

	/* SBC-3 table 61: POWER CONDITION 0h-3h, 7h, Ah, Bh; the others are reserved */
	if (!(pc <= 0x3 || pc == 0x7 || pc == 0xa || pc == 0xb))
		return scsi_invalid_cdb(cmd, 4, 7);
	/* LOEJ: there is no medium to load or eject in a disk that is not removable */
	if (pc == 0 && (cmd->cdb[4] & 0x02) && !sbc_media_supported(cmd))
		return scsi_invalid_cdb(cmd, 4, 1);
	if (cmd->cdb[4] & 0x01)
		cmd->flags |= SCSI_CMD_F_START;
	if (cmd->cdb[1] & 0x01)
		cmd->flags |= SCSI_CMD_F_IMMED;
	return SENSE_OK;
}

static void sbc_stop_flushed(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	enum sense_reason r = scsi_bs_error(io->result, BS_OP_FLUSH);

	if (r == SENSE_OK)
		atomic_store(&scsi_cmd_lu(cmd)->stopped, true);
	scsi_cmd_complete(cmd, r);
}

enum scsi_exec_result sbc_exec_start_stop_unit(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	/* A power condition other than START_VALID has no state here to change. */
	if (cmd->cdb[4] >> 4)
		return scsi_cmd_finish(cmd, SENSE_OK);
	if ((cmd->cdb[4] & 0x02) && sbc_media_supported(cmd))
		return sbc_media_load_eject(cmd);
	if (cmd->flags & SCSI_CMD_F_START) {
		atomic_store(&lu->stopped, false);
		return scsi_cmd_finish(cmd, SENSE_OK);
	}
	/* SBC-3 §5.20: stopping writes the cache back first, unless NO_FLUSH */
	if (!(cmd->cdb[4] & 0x04) && lu->bs->write_back)
		return sbc_submitted(
		    cmd, scsi_cmd_submit(cmd, BS_OP_FLUSH, 0, 0, NULL, false, sbc_stop_flushed));
	atomic_store(&lu->stopped, true);
	return scsi_cmd_finish(cmd, SENSE_OK);
}

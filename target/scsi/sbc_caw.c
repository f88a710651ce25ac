// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * COMPARE AND WRITE done by the store itself (bs_dev.caw_max: an rbd
 * image, where the OSD compares and writes atomically for every gateway
 * at once). sbc.c's sbc_exec_caw hands a command here when the store can
 * take it whole; otherwise the engine reads, compares and writes, atomic
 * only within this process.
 */
#include <errno.h>

#include "target/scsi/scsi_int.h"

bool sbc_caw_native_fits(const struct scsi_lu *lu, const struct scsi_cmd *cmd)
{
	const struct bs_dev *bs = lu->bs;
	uint64_t off = cmd->lba * lu->block_size, len = (uint64_t)cmd->nblocks * lu->block_size;

	return bs->caw_max && len && len <= bs->caw_max &&
	       off / bs->caw_max == (off + len - 1) / bs->caw_max;
}

enum sense_reason sbc_caw_result(int result, uint64_t miscompare, uint64_t len, uint64_t *info,
				 bool *has_info)
{
	*has_info = false;
	if (result != -EILSEQ)
		return scsi_bs_error(result, BS_OP_WRITE);
	/*
	 * SBC-3 §5.2: MISCOMPARE DURING VERIFY OPERATION, the INFORMATION
	 * field the offset from the start of the Data-Out Buffer of the first
	 * byte that differs; the verify half comes first, so the store's offset
	 * into the compared range is that offset. One the store cannot have
	 * meant (past the range) is left out rather than reported wrong.
	 */
	if (miscompare < len) {
		*info = miscompare;
		*has_info = true;
	}
	return SENSE_MISCOMPARE;
}

static void sbc_caw_native_done(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	bool has_info;
	uint64_t info = 0;
	enum sense_reason r = sbc_caw_result(io->result, io->miscompare, io->len, &info, &has_info);

	if (has_info) {
		cmd->sense_info = info;
		cmd->sense_flags |= SCSI_SENSE_F_INFO;
	}
	scsi_cmd_complete(cmd, r);
}

enum scsi_exec_result sbc_caw_native(struct scsi_cmd *cmd, bool fua)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;

	r = scsi_cmd_submit(cmd, BS_OP_COMPARE_WRITE, cmd->lba * lu->block_size,
			    (uint64_t)cmd->nblocks * lu->block_size, cmd->buf, fua,
			    sbc_caw_native_done);
	if (r != SENSE_OK)
		return scsi_cmd_finish(cmd, r);
	return SCSI_EXEC_ASYNC;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MODE SENSE(6/10) and MODE SELECT(6/10) (SPC-4 §6.9-6.12) over the pages
 * a direct-access LU has here: read-write error recovery (01h), caching
 * (08h: WCE changeable), control (0Ah: D_SENSE and SWP changeable) and
 * informational exceptions control (1Ch). Nothing is saved: the values
 * live in the LU and return to their defaults on a logical unit reset.
 */
#include <string.h>

#include "common/be.h"
#include "common/util.h"
#include "target/scsi/scsi_int.h"

#define MODE_BUF 256

struct mode_page_def {
	uint8_t code;
	uint8_t len; /* PAGE LENGTH: bytes after the 2-byte header */
};

/* In the order MODE SENSE returns them for 3Fh (ascending page code). */
static const struct mode_page_def mode_pages[] = {
    {SCSI_MODE_PAGE_RW_ERROR_RECOVERY, 0x0a},
    {SCSI_MODE_PAGE_CACHING, 0x12},
    {SCSI_MODE_PAGE_CONTROL, 0x0a},
    {SCSI_MODE_PAGE_INFO_EXCEPTIONS, 0x0a},
};

static const struct mode_page_def *mode_page_find(uint8_t code)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mode_pages); i++)
		if (mode_pages[i].code == code)
			return &mode_pages[i];
	return NULL;
}

/* Writes one page as pc asks; returns its length with the header. */
static size_t mode_page_build(const struct mode_page_def *def, enum scsi_mode_pc pc,
			      const struct scsi_mode_state *st, uint8_t *p)
{
	bool chg = pc == SCSI_MODE_PC_CHANGEABLE;

	memset(p, 0, 2 + def->len);
	p[0] = def->code; /* PS 0: no page is saveable */
	p[1] = def->len;
	switch (def->code) {
	case SCSI_MODE_PAGE_CACHING:
		/* SBC-3 §6.4.5: WCE is the write-back cache of the backstore */
		if (chg || st->wce)
			p[2] |= 0x04;
		break;
	case SCSI_MODE_PAGE_CONTROL:
		/*
		 * SPC-4 §7.5.8: TST 001b, a task set per I_T nexus: ABORT TASK
		 * SET and CLEAR TASK SET reach the requesting session's tasks
		 * only (target/iscsi/tmf.c). QUEUE ALGORITHM MODIFIER 0, QERR 00b.
		 */
		if (chg || st->d_sense)
			p[2] |= 0x04;
		if (chg || st->swp)
			p[4] |= 0x08;
		/*
		 * SPC-4 §7.5.8: TAS 1, "tasks aborted by the actions of an I_T
		 * nexus other than the I_T nexus on which the command was
		 * received shall be completed with TASK ABORTED status"
		 * (target/iscsi/tmf.c). Not changeable: with TAS 0 a Linux
		 * initiator learns of such an abort only from its command
		 * timer, then resets the LU under every nexus.
		 */
		if (!chg) {
			p[2] |= 0x20;
			p[5] |= 0x40;
			put_be16(p + 8, 0xffff); /* BUSY TIMEOUT PERIOD: unlimited */
		}
		break;
	case SCSI_MODE_PAGE_INFO_EXCEPTIONS:
		/* SPC-4 §7.5.11: DEXCPT, no informational exceptions are reported */
		if (!chg)
			p[2] = 0x08;
		break;
	default:
		break;
	}
	return 2 + def->len;
}

enum sense_reason spc_parse_mode_sense(struct scsi_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;
	bool ten = cdb[0] == SCSI_OP_MODE_SENSE_10;
	uint8_t pc = cdb[2] >> 6, page = cdb[2] & 0x3f, subpage = cdb[3];

	/* SPC-4 §6.11: saved values are not implemented */
	if (pc == SCSI_MODE_PC_SAVED)
		return SENSE_SAVING_PARAMS_UNSUP;
	if (page != SCSI_MODE_PAGE_ALL && !mode_page_find(page))
		return scsi_invalid_cdb(cmd, 2, 5);
	/* No page has subpages: 00h, or FFh (all subpages) */
	if (subpage != 0 && subpage != SCSI_MODE_SUBPAGE_ALL)
		return scsi_invalid_cdb(cmd, 3, -1);
	cmd->xfer_len = ten ? get_be16(cdb + 7) : cdb[4];
	cmd->dir = cmd->xfer_len ? SCSI_DIR_READ : SCSI_DIR_NONE;
	return SENSE_OK;
}

enum scsi_exec_result spc_exec_mode_sense(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	const uint8_t *cdb = cmd->cdb;
	bool ten = cdb[0] == SCSI_OP_MODE_SENSE_10;
	bool dbd = cdb[1] & 0x08, llbaa = ten && (cdb[1] & 0x10);
	enum scsi_mode_pc pc = cdb[2] >> 6;
	uint8_t page = cdb[2] & 0x3f;
	struct scsi_mode_state st;
	uint8_t p[MODE_BUF] = {0};
	size_t hdr = ten ? 8 : 4, off = hdr, bdlen = 0, i;
	uint64_t nblocks = scsi_lu_nblocks(lu);
	uint8_t devspec;

	if (pc == SCSI_MODE_PC_DEFAULT)
		st = lu->defaults;
	else
		scsi_lu_mode_get(lu, &st);

	/* SBC-3 §6.3.1: WP when medium writes are refused; DPOFUA: DPO and FUA are honoured */
	devspec = 0x10;
	if (scsi_cmd_write_protected(cmd))
		devspec |= 0x80;

	if (!dbd) {
		bdlen = llbaa ? 16 : 8;
		if (llbaa) {
			put_be64(p + off, nblocks);
			put_be32(p + off + 12, lu->block_size);
		} else {
			/* SPC-4 §7.5.5: FFFFFFFFh when the count does not fit */
			put_be32(p + off, nblocks > UINT32_MAX ? UINT32_MAX : (uint32_t)nblocks);
			put_be24(p + off + 5, lu->block_size);
		}
		off += bdlen;
	}
	for (i = 0; i < ARRAY_SIZE(mode_pages); i++)
		if (page == SCSI_MODE_PAGE_ALL || page == mode_pages[i].code)
			off += mode_page_build(&mode_pages[i], pc, &st, p + off);

	if (ten) {
		put_be16(p, (uint16_t)(off - 2));
		p[3] = devspec;
		p[4] = llbaa && !dbd ? 0x01 : 0x00; /* LONGLBA */
		put_be16(p + 6, (uint16_t)bdlen);
	} else {
		p[0] = (uint8_t)(off - 1);
		p[2] = devspec;
		p[3] = (uint8_t)bdlen;
	}
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, off);
	return SCSI_EXEC_DONE;
}

enum sense_reason spc_parse_mode_select(struct scsi_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;
	bool ten = cdb[0] == SCSI_OP_MODE_SELECT_10;

	/*
	 * SPC-4 §6.9: a logical unit without saved pages terminates SP=1
	 * with INVALID FIELD IN CDB.
	 */
	if (cdb[1] & 0x01)
		return scsi_invalid_cdb(cmd, 1, 0);
	cmd->xfer_len = ten ? get_be16(cdb + 7) : cdb[4];
	cmd->dir = cmd->xfer_len ? SCSI_DIR_WRITE : SCSI_DIR_NONE;
	return SENSE_OK;
}

/* Checks one page of the parameter list at p (len bytes left) and applies it to st. */
static enum sense_reason mode_select_page(struct scsi_cmd *cmd, const uint8_t *p, size_t len,
					  size_t off, const struct scsi_mode_state *cur,
					  struct scsi_mode_state *st, size_t *used)
{
	const struct mode_page_def *def;
	uint8_t now[64], chg[64];
	size_t plen, i;

	if (len < 2)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	/* SPC-4 §7.5.7: no page here has subpages (SPF) */
	if (p[0] & 0x40)
		return scsi_invalid_param(cmd, off, 6);
	def = mode_page_find(p[0] & 0x3f);
	if (!def)
		return scsi_invalid_param(cmd, off, 5);
	plen = p[1];
	if (plen != def->len)
		return scsi_invalid_param(cmd, off + 1, -1);
	if (len < 2 + plen)
		return SENSE_PARAM_LIST_LENGTH_ERROR;

	mode_page_build(def, SCSI_MODE_PC_CURRENT, cur, now);
	mode_page_build(def, SCSI_MODE_PC_CHANGEABLE, cur, chg);
	/* SPC-4 §6.9: only the bits MODE SENSE reports changeable may differ */
	for (i = 2; i < 2 + plen; i++) {
		uint8_t bad = (uint8_t)((p[i] ^ now[i]) & ~chg[i]);

		if (bad)
			return scsi_invalid_param(cmd, off + i, 31 - __builtin_clz(bad));
	}
	switch (def->code) {
	case SCSI_MODE_PAGE_CACHING:
		st->wce = p[2] & 0x04;
		break;
	case SCSI_MODE_PAGE_CONTROL:
		st->d_sense = p[2] & 0x04;
		st->swp = p[4] & 0x08;
		break;
	default:
		break;
	}
	*used = 2 + plen;
	return SENSE_OK;
}

enum scsi_exec_result spc_exec_mode_select(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	bool ten = cmd->cdb[0] == SCSI_OP_MODE_SELECT_10;
	size_t hdr = ten ? 8 : 4, len = MIN(cmd->xfer_len, cmd->buf_len), off, bdlen;
	const uint8_t *p = cmd->buf;
	struct scsi_mode_state cur, st;
	enum sense_reason r;

	if (!cmd->xfer_len)
		return scsi_cmd_finish(cmd, SENSE_OK);
	/* The initiator sent less than the parameter list length it announced. */
	if (len < cmd->xfer_len || len < hdr)
		return scsi_cmd_finish(cmd, SENSE_PARAM_LIST_LENGTH_ERROR);

	/* SBC-3 §6.3.1: MEDIUM TYPE is 00h; the device-specific parameter is ignored here */
	if (p[ten ? 2 : 1])
		return scsi_cmd_finish(cmd, scsi_invalid_param(cmd, ten ? 2 : 1, -1));
	bdlen = ten ? get_be16(p + 6) : p[3];
	if (bdlen) {
		bool longlba = ten && (p[4] & 0x01);
		uint64_t blocks;
		uint32_t blen;

		if (bdlen != (longlba ? 16u : 8u) || hdr + bdlen > len)
			return scsi_cmd_finish(cmd, scsi_invalid_param(cmd, ten ? 6 : 3, -1));
		blocks = longlba ? get_be64(p + hdr) : get_be32(p + hdr);
		blen = longlba ? get_be32(p + hdr + 12) : get_be24(p + hdr + 5);
		/* The capacity and block size are the backstore's: they can only be restated. */
		if (blen != lu->block_size)
			return scsi_cmd_finish(
			    cmd, scsi_invalid_param(cmd, hdr + (longlba ? 12 : 5), -1));
		if (blocks && blocks != scsi_lu_nblocks(lu) &&
		    !(!longlba && blocks == UINT32_MAX && scsi_lu_nblocks(lu) > UINT32_MAX))
			return scsi_cmd_finish(cmd, scsi_invalid_param(cmd, hdr, -1));
	}

	scsi_lu_mode_get(lu, &cur);
	st = cur;
	for (off = hdr + bdlen; off < len;) {
		size_t used = 0;

		r = mode_select_page(cmd, p + off, len - off, off, &cur, &st, &used);
		if (r != SENSE_OK)
			return scsi_cmd_finish(cmd, r);
		off += used;
	}
	scsi_lu_mode_set(lu, &st, cmd->itl);
	return scsi_cmd_finish(cmd, SENSE_OK);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SPC-4 primary commands: TEST UNIT READY, REQUEST SENSE, INQUIRY and its
 * VPD pages, REPORT LUNS and REPORT SUPPORTED OPERATION CODES. (MODE SENSE
 * / MODE SELECT live in mode.c, reservations in pr.c, REPORT and SET
 * TARGET PORT GROUPS in alua.c.)
 *
 * Data-in is built whole into a scratch buffer and copied into the
 * transport's buffer truncated to the allocation length (SPC-4 §4.2.5.6):
 * the lengths inside the data always describe the whole answer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/log.h"
#include "common/scsi_vpd.h"
#include "common/util.h"
#include "target/scsi/scsi_int.h"
#include "target/scsi/xcopy.h"

/* TEST UNIT READY (SPC-4 §6.37): readiness is checked by scsi_cmd_exec. */

enum sense_reason spc_parse_test_unit_ready(struct scsi_cmd *cmd)
{
	(void)cmd;
	return SENSE_OK;
}

enum scsi_exec_result spc_exec_test_unit_ready(struct scsi_cmd *cmd)
{
	return scsi_cmd_finish(cmd, SENSE_OK);
}

/* REQUEST SENSE (SPC-4 §6.29) */

enum sense_reason spc_parse_request_sense(struct scsi_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;

	if (cdb[1] & 0x01)
		cmd->flags |= SCSI_CMD_F_DESC;
	cmd->xfer_len = cdb[4];
	cmd->dir = cmd->xfer_len ? SCSI_DIR_READ : SCSI_DIR_NONE;
	return SENSE_OK;
}

enum scsi_exec_result spc_exec_request_sense(struct scsi_cmd *cmd)
{
	uint8_t sense[SCSI_SENSE_MAX];
	enum sense_reason r = SENSE_OK;
	size_t len;

	if (!cmd->itl) {
		/* SPC-4 §6.29: a LUN that is not there says so as parameter data. */
		r = SENSE_LUN_NOT_SUPPORTED;
	} else {
		/* SPC-4 §5.14: REQUEST SENSE reports, and so clears, one unit attention. */
		uint32_t ua = scsi_itl_take_ua(cmd->itl);

		if (ua)
			r = scsi_ua_reason(ua);
		/* SBC-3 §4.32.1: a sanitize in progress (with its progress) or failed */
		else if ((len = sanitize_request_sense(cmd->itl->lu, sense,
						       cmd->flags & SCSI_CMD_F_DESC)) > 0)
			goto out;
		/*
		 * SPC-4 §6.29: the sense data says why the unit is not ready:
		 * its target port's asymmetric access state (SPC-4 §5.16), or
		 * a stopped unit.
		 */
		else if (alua_refuses(cmd, NULL) != SENSE_OK)
			r = alua_refuses(cmd, NULL);
		else if (atomic_load(&cmd->itl->lu->no_medium))
			r = SENSE_MEDIUM_NOT_PRESENT;
		else if (atomic_load(&cmd->itl->lu->stopped))
			r = SENSE_NOT_READY_STOPPED;
	}
	len = scsi_sense_build(sense, r, cmd->flags & SCSI_CMD_F_DESC, NULL);
out:
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, sense, len);
	return SCSI_EXEC_DONE;
}

/* INQUIRY (SPC-4 §6.4) */

#define INQ_BUF 1024

enum sense_reason spc_parse_inquiry(struct scsi_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;

	/* SPC-4 §6.4.1: CMDDT is obsolete; a device that ignores it would answer the wrong page. */
	if (cdb[1] & 0x02)
		return scsi_invalid_cdb(cmd, 1, 1);
	/* SPC-4 §6.4.1: a page code without EVPD is an error. */
	if (!(cdb[1] & 0x01) && cdb[2])
		return scsi_invalid_cdb(cmd, 2, -1);
	cmd->xfer_len = get_be16(cdb + 3);
	cmd->dir = cmd->xfer_len ? SCSI_DIR_READ : SCSI_DIR_NONE;
	return SENSE_OK;
}

/* Copies s into a space-padded field of len bytes (SPC-4 §4.4.1). */
static void put_ascii(uint8_t *p, const char *s, size_t len)
{
	size_t n = strnlen(s, len);

	memset(p, ' ', len);
	memcpy(p, s, n);
}

static size_t inq_standard(const struct scsi_cmd *cmd, uint8_t *p)
{
	const struct scsi_lu *lu = scsi_cmd_lu(cmd);
	static const uint16_t versions[] = {SCSI_VERSION_SAM5, SCSI_VERSION_ISCSI,
					    SCSI_VERSION_SPC4, SCSI_VERSION_SBC3};
	const size_t len = 96;
	size_t i;

	memset(p, 0, len);
	/* SPC-4 §6.4.2: peripheral qualifier 011b, type 1Fh: no logical unit here */
	p[0] =
	    lu ? SCSI_INQUIRY_TYPE_DISK : SCSI_INQUIRY_PQ_NOT_CONNECTED | SCSI_INQUIRY_TYPE_UNKNOWN;
	/* RMB: removable media (sbc_media.c) */
	p[1] = lu && atomic_load(&lu->removable) ? 0x80 : 0x00;
	p[2] = SCSI_INQUIRY_VERSION_SPC4;
	p[3] = 0x10 | 0x02; /* HISUP, RESPONSE DATA FORMAT 2 */
	p[4] = (uint8_t)(len - 5);
	/*
	 * TPGS (SPC-4 §5.16): implicit ALUA always (the administrator changes
	 * states, REPORT TARGET PORT GROUPS reports them), explicit too where
	 * this target port takes SET TARGET PORT GROUPS
	 */
	p[5] = (uint8_t)(alua_tpgs(cmd) << SCSI_INQUIRY_TPGS_SHIFT);
	p[7] = 0x02; /* CMDQUE */
	put_ascii(p + 8, lu ? lu->id.vendor : "", 8);
	put_ascii(p + 16, lu ? lu->id.product : "", 16);
	put_ascii(p + 32, lu ? lu->id.revision : "", 4);
	for (i = 0; i < ARRAY_SIZE(versions); i++)
		put_be16(p + 58 + 2 * i, versions[i]);
	return len;
}

static const uint8_t vpd_pages[] = {
    SCSI_VPD_SUPPORTED_PAGES,
    SCSI_VPD_UNIT_SERIAL,
    SCSI_VPD_DEVICE_ID,
    SCSI_VPD_EXTENDED_INQUIRY,
    SCSI_VPD_THIRD_PARTY_COPY,
    SCSI_VPD_BLOCK_LIMITS,
    SCSI_VPD_BLOCK_DEVICE_CHARACTERISTICS,
    SCSI_VPD_LOGICAL_BLOCK_PROVISIONING,
};

static size_t vpd_supported(const struct scsi_cmd *cmd, uint8_t *p)
{
	size_t n = cmd->itl ? ARRAY_SIZE(vpd_pages) : 1;

	memcpy(p + 4, vpd_pages, n);
	put_be16(p + 2, (uint16_t)n);
	return 4 + n;
}

static size_t vpd_serial(const struct scsi_lu *lu, uint8_t *p)
{
	size_t n = strnlen(lu->id.serial, sizeof(lu->id.serial) - 1);

	memcpy(p + 4, lu->id.serial, n);
	put_be16(p + 2, (uint16_t)n);
	return 4 + n;
}

/*
 * Device Identification (SPC-4 §7.8.6): the LU's NAA and T10 vendor ID
 * designators, then, on a nexus, the target port's and the target device's.
 * Returns the page's length, or -errno when a designator does not fit its
 * field (a name or vendor longer than the model allows).
 */
static int vpd_device_id(const struct scsi_cmd *cmd, uint8_t *p, size_t size)
{
	const struct scsi_lu *lu = scsi_cmd_lu(cmd);
	const struct scsi_nexus *nx = cmd->nexus;
	const struct scsi_desig naa = {.codeset = SCSI_DESIG_CODESET_BINARY,
				       .assoc = SCSI_DESIG_ASSOC_LU,
				       .type = SCSI_DESIG_TYPE_NAA,
				       .id = lu->id.naa,
				       .len = sizeof(lu->id.naa)};
	size_t off = sizeof(struct scsi_vpd_hdr);
	int n;

	/*
	 * NAA designator of the logical unit. Which designator names the
	 * multipath map on a host (this one, or the T10 vendor ID below) is
	 * the host's udev's choice: mpath/wwid.c says which and why.
	 */
	n = scsi_desig_put(p, size, off, &naa);
	if (n < 0)
		return n;
	off += (size_t)n;

	/* T10 vendor ID based designator: vendor, then the unit serial number */
	n = scsi_desig_put_t10(p, size, off, SCSI_DESIG_ASSOC_LU, lu->id.vendor,
			       (const uint8_t *)lu->id.serial,
			       strnlen(lu->id.serial, sizeof(lu->id.serial) - 1));
	if (n < 0)
		return n;
	off += (size_t)n;

	if (nx) {
		struct scsi_desig_port_id port = {.reserved = {0, 0}};
		struct scsi_desig d = {.proto = SCSI_PROTOCOL_ISCSI,
				       .codeset = SCSI_DESIG_CODESET_BINARY,
				       .piv = true,
				       .assoc = SCSI_DESIG_ASSOC_PORT,
				       .id = (const uint8_t *)&port,
				       .len = sizeof(port)};
		char name[300];

		/* relative target port, and target port group (SPC-4 §7.8.6.7-8): the TPG tag */
		put_be16(port.id, nx->tpg_tag);
		d.type = SCSI_DESIG_TYPE_REL_PORT;
		n = scsi_desig_put(p, size, off, &d);
		if (n < 0)
			return n;
		off += (size_t)n;
		d.type = SCSI_DESIG_TYPE_TPG;
		n = scsi_desig_put(p, size, off, &d);
		if (n < 0)
			return n;
		off += (size_t)n;
		if (nx->target_name) {
			/* RFC 7143 §13.21: the iSCSI target port name is "<name>,t,0x<TPGT>" */
			snprintf(name, sizeof(name), "%s,t,0x%04x", nx->target_name, nx->tpg_tag);
			n = scsi_desig_put_name(p, size, off, SCSI_PROTOCOL_ISCSI,
						SCSI_DESIG_ASSOC_PORT, name);
			if (n < 0)
				return n;
			off += (size_t)n;
			n = scsi_desig_put_name(p, size, off, SCSI_PROTOCOL_ISCSI,
						SCSI_DESIG_ASSOC_TARGET, nx->target_name);
			if (n < 0)
				return n;
			off += (size_t)n;
		}
	}
	put_be16(p + 2, (uint16_t)(off - sizeof(struct scsi_vpd_hdr)));
	return (int)off;
}

static size_t vpd_extended(const struct scsi_lu *lu, uint8_t *p)
{
	put_be16(p + 2, 0x3c);
	p[5] = 0x07; /* HEADSUP, ORDSUP, SIMPSUP: every task attribute is accepted */
	p[6] = lu->bs->write_back ? 0x01 : 0x00; /* V_SUP: a volatile cache, when write-back */
	p[7] = 0x01; /* LUICLR: unit attentions are cleared per I_T nexus */
	return 64;
}

/* SBC-4 §6.6.4 bytes 44-63: what WRITE ATOMIC(16) takes (sbc_atomic.c says why). */
static void vpd_block_limits_atomic(const struct scsi_lu *lu, uint8_t *p)
{
	struct sbc_atomic_limits lim;

	sbc_atomic_limits(lu, &lim);
	put_be32(p + 44, lim.max_len);
	put_be32(p + 48, lim.align);
	put_be32(p + 52, lim.gran);
	put_be32(p + 56, lim.max_len_boundary);
	put_be32(p + 60, lim.max_boundary_size);
}

static size_t vpd_block_limits(const struct scsi_lu *lu, uint8_t *p)
{
	uint32_t max_blocks = SCSI_MAX_XFER_BYTES / lu->block_size;
	/* the page size holes come in, or the physical block when larger */
	uint32_t gran = MAX(4096u, lu->bs->phys_block_size) / lu->block_size;

	put_be16(p + 2, 0x3c);
	/* WSNZ 0: WRITE SAME with NUMBER OF LOGICAL BLOCKS 0 runs to the last LBA */
	p[5] = SCSI_MAX_CAW_BLOCKS;   /* MAXIMUM COMPARE AND WRITE LENGTH */
	/* SBC-3 §6.5.3: OPTIMAL TRANSFER LENGTH GRANULARITY, one physical block (512e: 8) */
	put_be16(p + 6, (uint16_t)(1u << scsi_lu_lbppb_exp(lu)));
	put_be32(p + 8, max_blocks);  /* maximum transfer length */
	put_be32(p + 12, max_blocks); /* optimal transfer length */
	put_be32(p + 16, max_blocks); /* maximum prefetch length */
	if (lu->bs->thin) {
		put_be32(p + 20, SCSI_MAX_UNMAP_BLOCKS);
		put_be32(p + 24, SCSI_MAX_UNMAP_DESCRIPTORS);
		put_be32(p + 28, gran); /* OPTIMAL UNMAP GRANULARITY, a multiple of the physical block */
		/* UGAVALID, alignment 0: LBA 0 starts a physical block (LOWEST ALIGNED LBA 0) */
		put_be32(p + 32, 0x80000000u);
	}
	put_be64(p + 36, SCSI_MAX_WRITE_SAME_BLOCKS);
	vpd_block_limits_atomic(lu, p);
	return 64;
}

static size_t vpd_block_characteristics(const struct scsi_lu *lu, uint8_t *p)
{
	put_be16(p + 2, 0x3c);
	put_be16(p + 4, 0x0001); /* MEDIUM ROTATION RATE: non-rotating medium */
	p[7] = sanitize_vpd_b1_byte7(lu); /* WABEREQ, WACEREQ */
	return 64;
}

static size_t vpd_provisioning(const struct scsi_lu *lu, uint8_t *p)
{
	put_be16(p + 2, 0x04);
	if (lu->bs->thin) {
		/* LBPU, LBPWS, LBPWS10, and LBPRZ when deallocated blocks read as zeroes */
		p[5] = 0x80 | 0x40 | 0x20 | (lu->bs->unmap_zeroes ? 0x04 : 0x00);
		p[6] = 0x02; /* PROVISIONING TYPE: thin */
	}
	return 8;
}

enum scsi_exec_result spc_exec_inquiry(struct scsi_cmd *cmd)
{
	const struct scsi_lu *lu = scsi_cmd_lu(cmd);
	uint8_t *p;
	size_t len;
	int rc;
	uint8_t page = cmd->cdb[2];

	p = calloc(1, INQ_BUF);
	if (!p)
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	if (!(cmd->cdb[1] & 0x01)) {
		len = inq_standard(cmd, p);
		goto out;
	}
	p[0] =
	    lu ? SCSI_INQUIRY_TYPE_DISK : SCSI_INQUIRY_PQ_NOT_CONNECTED | SCSI_INQUIRY_TYPE_UNKNOWN;
	p[1] = page;
	if (page == SCSI_VPD_SUPPORTED_PAGES) {
		len = vpd_supported(cmd, p);
		goto out;
	}
	/* Without a logical unit only the list of pages (which lists itself) exists. */
	if (!lu) {
		free(p);
		return scsi_cmd_finish(cmd, scsi_invalid_cdb(cmd, 2, -1));
	}
	switch (page) {
	case SCSI_VPD_UNIT_SERIAL:
		len = vpd_serial(lu, p);
		break;
	case SCSI_VPD_DEVICE_ID:
		rc = vpd_device_id(cmd, p, INQ_BUF);
		if (rc < 0) {
			free(p);
			return scsi_cmd_finish(cmd, SENSE_INTERNAL_TARGET_FAILURE);
		}
		len = (size_t)rc;
		break;
	case SCSI_VPD_EXTENDED_INQUIRY:
		len = vpd_extended(lu, p);
		break;
	case SCSI_VPD_THIRD_PARTY_COPY:
		/* SPC-4 §7.8.17: the copy manager's commands and limits (xcopy.c) */
		len = xcopy_build_vpd(p, INQ_BUF, lu->block_size);
		break;
	case SCSI_VPD_BLOCK_LIMITS:
		len = vpd_block_limits(lu, p);
		break;
	case SCSI_VPD_BLOCK_DEVICE_CHARACTERISTICS:
		len = vpd_block_characteristics(lu, p);
		break;
	case SCSI_VPD_LOGICAL_BLOCK_PROVISIONING:
		len = vpd_provisioning(lu, p);
		break;
	default:
		/* SPC-4 §6.4.1: an unsupported page is an invalid field */
		free(p);
		return scsi_cmd_finish(cmd, scsi_invalid_cdb(cmd, 2, -1));
	}
out:
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, len);
	free(p);
	return SCSI_EXEC_DONE;
}

/* REPORT LUNS (SPC-4 §6.33) */

enum sense_reason spc_parse_report_luns(struct scsi_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;

	/* 00h: LUNs of logical units, 01h: well known LUNs, 02h: both */
	if (cdb[2] > 0x02)
		return scsi_invalid_cdb(cmd, 2, -1);
	cmd->xfer_len = get_be32(cdb + 6);
	/* SPC-4 §6.33: an allocation length below 16 is an invalid field */
	if (cmd->xfer_len < 16)
		return scsi_invalid_cdb(cmd, 6, -1);
	cmd->dir = SCSI_DIR_READ;
	return SENSE_OK;
}

enum scsi_exec_result spc_exec_report_luns(struct scsi_cmd *cmd)
{
	const struct scsi_nexus *nx = cmd->nexus;
	uint64_t *luns = NULL;
	size_t n = 0, i, len;
	uint8_t *p;

	/* No well known logical units here: select report 01h gets an empty list. */
	if (cmd->cdb[2] != 0x01) {
		if (nx && nx->list_luns) {
			/* The whole list: LUN LIST LENGTH counts every LUN whatever the allocation
			 * length. */
			size_t want = nx->list_luns(nx, NULL, 0);

			luns = calloc(want ? want : 1, sizeof(*luns));
			if (!luns)
				return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
			n = MIN(nx->list_luns(nx, luns, want), want);
		} else if (cmd->itl) {
			luns = calloc(1, sizeof(*luns));
			if (!luns)
				return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
			luns[0] = cmd->lun;
			n = 1;
		}
	}
	len = 8 + 8 * n;
	p = calloc(1, len);
	if (!p) {
		free(luns);
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	}
	put_be32(p, (uint32_t)(8 * n));
	for (i = 0; i < n; i++)
		scsi_lun_encode(luns[i], p + 8 + 8 * i);
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, len);
	free(p);
	free(luns);
	return SCSI_EXEC_DONE;
}

/* REPORT SUPPORTED OPERATION CODES (SPC-4 §6.35) */

#define RSOC_TIMEOUTS_LEN 12
#define RSOC_RECOMMENDED_TIMEOUT_S 60

enum sense_reason spc_parse_rsoc(struct scsi_cmd *cmd)
{
	uint8_t options = cmd->cdb[2] & 0x07;

	if (options > 3)
		return scsi_invalid_cdb(cmd, 2, 2);
	cmd->xfer_len = get_be32(cmd->cdb + 6);
	cmd->dir = cmd->xfer_len ? SCSI_DIR_READ : SCSI_DIR_NONE;
	return SENSE_OK;
}

/* The command timeouts descriptor (SPC-4 §6.35.4). */
static void rsoc_put_timeouts(uint8_t *p)
{
	put_be16(p, 0x0a);
	put_be32(p + 4, 0); /* nominal command processing timeout: not specified */
	put_be32(p + 8, RSOC_RECOMMENDED_TIMEOUT_S);
}

/* Whether the command of op is one this nexus may use (struct scsi_op.supported). */
static bool rsoc_usable(const struct scsi_cmd *cmd, const struct scsi_op *op)
{
	return op && (!op->supported || op->supported(cmd));
}

static enum scsi_exec_result rsoc_all(struct scsi_cmd *cmd, bool rctd)
{
	struct scsi_op_entry *list;
	size_t n = scsi_op_list(NULL, 0), i, off = 4, dlen = 8 + (rctd ? RSOC_TIMEOUTS_LEN : 0);
	uint8_t *p;

	list = calloc(n ? n : 1, sizeof(*list));
	p = calloc(1, 4 + n * dlen);
	if (!list || !p) {
		free(list);
		free(p);
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	}
	n = MIN(scsi_op_list(list, n), n);
	for (i = 0; i < n; i++) {
		uint8_t *d = p + off;

		if (!rsoc_usable(cmd, list[i].op))
			continue;
		d[0] = list[i].opcode;
		put_be16(d + 2, list[i].sa);
		d[5] = (rctd ? 0x02 : 0) | (list[i].has_sa ? 0x01 : 0); /* CTDP, SERVACTV */
		put_be16(d + 6, list[i].op->cdb_len);
		if (rctd)
			rsoc_put_timeouts(d + 8);
		off += dlen;
	}
	put_be32(p, (uint32_t)(off - 4));
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, off);
	free(list);
	free(p);
	return SCSI_EXEC_DONE;
}

enum scsi_exec_result spc_exec_rsoc(struct scsi_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;
	bool rctd = cdb[2] & 0x80;
	uint8_t options = cdb[2] & 0x07, opcode = cdb[3];
	uint16_t sa = get_be16(cdb + 4);
	const struct scsi_op *op;
	uint8_t p[4 + 16 + RSOC_TIMEOUTS_LEN] = {0};
	size_t len = 4;
	bool has_sa;

	if (options == 0)
		return rsoc_all(cmd, rctd);

	/* The service action's bits: this lookup only learns whether the opcode has them. */
	op = scsi_op_lookup(opcode, sa, &has_sa);
	/*
	 * SPC-4 §6.35.2: 001b names an opcode without service actions, 010b
	 * one with them; the other combination is an invalid field. 011b
	 * takes the service action only where the opcode has them.
	 */
	if (options == 1 && has_sa)
		return scsi_cmd_finish(cmd, scsi_invalid_cdb(cmd, 2, 2));
	if (options == 2 && !has_sa)
		return scsi_cmd_finish(cmd, scsi_invalid_cdb(cmd, 2, 2));
	if (!has_sa && sa && options == 3)
		op = NULL;
	if (has_sa && sa > 0x1f)
		op = NULL;
	if (!rsoc_usable(cmd, op))
		op = NULL;

	if (!op) {
		p[1] = 0x01; /* SUPPORT 001b: not supported */
	} else {
		p[1] = 0x03; /* SUPPORT 011b: supported as the standard says */
		put_be16(p + 2, op->cdb_len);
		memcpy(p + 4, op->usage, op->cdb_len);
		if (has_sa) {
			/* The usage data shows the service action this answer is about. */
			p[4 + 1] = (uint8_t)((p[4 + 1] & ~0x1f) | (sa & 0x1f));
		}
		len = 4 + op->cdb_len;
		if (rctd) {
			p[1] |= 0x80; /* CTDP */
			rsoc_put_timeouts(p + len);
			len += RSOC_TIMEOUTS_LEN;
		}
	}
	scsi_cmd_good(cmd);
	scsi_cmd_data_in(cmd, p, len);
	return SCSI_EXEC_DONE;
}

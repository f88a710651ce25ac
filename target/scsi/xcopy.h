/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The copy manager (SPC-4 §6.4, §6.18, §7.8.17): EXTENDED COPY (LID1) with
 * block device to block device segments between LUs named by NAA
 * identification descriptors, RECEIVE COPY RESULTS (COPY STATUS, OPERATING
 * PARAMETERS), and the Third-party Copy VPD page (0x8F).
 *
 * xcopy.c is pure: the parameter list's parser and the builders of what
 * RECEIVE COPY RESULTS and VPD 0x8F return. xcopy_exec.c runs copies: it
 * finds the LUs, checks what the initiator may do to them, keeps the
 * results per I_T_L nexus, and moves the data with bs_copy() in chunks,
 * looking at cmd->aborted between chunks.
 */
#ifndef PORTICO_TARGET_SCSI_XCOPY_H
#define PORTICO_TARGET_SCSI_XCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/scsi/scsi.h"

/*
 * The copy manager's limits, as RECEIVE COPY RESULTS (OPERATING
 * PARAMETERS) and VPD 0x8F give them. Eight CSCDs and 32 segments are more
 * than initiators send (VMware and sg_xcopy send two CSCDs and one
 * segment). The three limits are independent: a list within both counts
 * but longer than XCOPY_MAX_DESC_LIST bytes (8 * 32 + 32 * 28 = 1152 is)
 * is refused with PARAMETER LIST LENGTH ERROR (SPC-4 §6.4).
 */
#define XCOPY_MAX_CSCD 8u
#define XCOPY_MAX_SEGMENTS 32u
#define XCOPY_MAX_DESC_LIST 1024u
/* The largest parameter list taken at all (more is PARAMETER LIST LENGTH ERROR at once). */
#define XCOPY_MAX_PARAM_LIST 65536u
/* BLOCK DEVICE NUMBER OF BLOCKS is 16 bits: a segment moves at most this many blocks. */
#define XCOPY_MAX_SEGMENT_BLOCKS 65535u
/* List identifiers one I_T nexus may have in progress or held for RECEIVE COPY RESULTS. */
#define XCOPY_HELD 16u
/* What one backstore copy moves: an abort waits at most for one of these. */
#define XCOPY_CHUNK_BYTES (8u << 20)

/* COPY MANAGER STATUS (SPC-4 §6.18) */
enum xcopy_status {
	XCOPY_STATUS_IN_PROGRESS = 0x00,
	XCOPY_STATUS_DONE = 0x01,
	XCOPY_STATUS_FAILED = 0x02,
};

/* One identification CSCD descriptor (E4h), as parsed. */
struct xcopy_cscd {
	uint32_t off; /* its byte offset in the parameter list */
	bool lu_naa;  /* the designator is a binary NAA designator of a logical unit */
	uint8_t naa[16];
	uint8_t naa_len;
	uint32_t block_len; /* DISK BLOCK LENGTH */
};

/* One block device to block device segment descriptor (02h), as parsed. */
struct xcopy_seg {
	uint32_t off; /* its byte offset in the parameter list */
	uint16_t src; /* CSCD descriptor indexes, checked < ncscd */
	uint16_t dst;
	bool dc; /* DC: nblocks counts destination blocks */
	uint32_t nblocks;
	uint64_t src_lba;
	uint64_t dst_lba;
};

struct xcopy_list {
	uint8_t list_id;
	uint8_t usage; /* SCSI_XCOPY_LIST_ID_* */
	uint8_t priority;
	size_t ncscd;
	size_t nseg;
	struct xcopy_cscd cscd[XCOPY_MAX_CSCD];
	struct xcopy_seg seg[XCOPY_MAX_SEGMENTS];
};

#define XCOPY_NO_FIELD UINT32_MAX

/*
 * Pure: parses an EXTENDED COPY (LID1) parameter list of len bytes (len >
 * 0). Returns SENSE_OK, or the reason to refuse it with *field the byte of
 * the parameter list the sense-key-specific field pointer names
 * (XCOPY_NO_FIELD: none). A segment naming a CSCD that is not in the list is
 * COPY TARGET DEVICE NOT REACHABLE.
 */
enum sense_reason xcopy_parse_list(const uint8_t *p, size_t len, struct xcopy_list *out,
				   uint32_t *field);

/* Builds the OPERATING PARAMETERS data of an LU of block_size bytes; returns its length. */
size_t xcopy_build_op_params(uint8_t *p, size_t size, uint32_t block_size);

/* Builds COPY STATUS data (12 bytes; *p at least that): bytes moved so far, in the smallest unit.
 */
size_t xcopy_build_copy_status(uint8_t *p, enum xcopy_status status, uint16_t segs, uint64_t bytes);

/*
 * Builds the Third-party Copy VPD page (0x8F) from byte 1 (byte 0, the
 * peripheral qualifier and type, is the caller's) into p (size bytes);
 * returns its length or 0 when size is too small.
 */
size_t xcopy_build_vpd(uint8_t *p, size_t size, uint32_t block_size);

/* The dispatch table's entry points (xcopy_exec.c). */
enum sense_reason xcopy_parse_cdb(struct scsi_cmd *cmd);
enum scsi_exec_result xcopy_exec(struct scsi_cmd *cmd);
enum sense_reason xcopy_parse_rcr(struct scsi_cmd *cmd);
enum scsi_exec_result xcopy_exec_rcr(struct scsi_cmd *cmd);

/* Drops what a nexus holds for RECEIVE COPY RESULTS (when it detaches). */
struct scsi_itl;
void xcopy_itl_fini(struct scsi_itl *itl);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SCSI engine's core: logical units and I_T_L nexuses, unit attentions,
 * the dispatch table, and the parse/exec entry points the transport calls.
 *
 * Threads: a command runs on the I/O thread of its connection and touches
 * only its own struct scsi_cmd, the LU's immutable fields and the atomics
 * (mode parameters, pending unit attentions, what a persistent reservation
 * refuses its nexus). The LU's mutex guards its list of nexuses, taken by
 * broadcasts (unit attentions, reset, MODE SELECT) and by attach/detach,
 * never by the I/O path. The persistent reservation lock (pr.c) comes
 * before it, and only persistent reserve commands, RESERVE(6)/RELEASE(6)
 * and attach/detach take it.
 *
 * Task attributes (SAM-5 §8.6): every attribute is accepted and commands run
 * in the order they arrive, each on its own; ORDERED and HEAD OF QUEUE get
 * no reordering. The transport delivers commands in CmdSN order, so this is
 * what an initiator relying on SIMPLE sees, and no reordering is what the
 * restricted reordering model of the control mode page (QUEUE ALGORITHM
 * MODIFIER 0) promises.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "target/scsi/scsi_int.h"
#include "target/scsi/xcopy.h"

/*
 * The tables below are laid out by hand, one slot per command and its
 * usage data on a line or two.
 */
/* clang-format off */
/* READ(10) style byte 1 as the engine reads it: xxPROTECT, DPO, FUA, FUA_NV. */
#define U_RW 0xfa
/* VERIFY / WRITE AND VERIFY byte 1: xxPROTECT, DPO, BYTCHK. */
#define U_VRFY 0xf6

#define RW10(op) { op, U_RW, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00 }
#define RW12(op) { op, U_RW, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00 }
#define RW16(op)                                                                                   \
	{ op, U_RW, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00 }
#define VR10(op) { op, U_VRFY, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00 }
#define VR12(op) { op, U_VRFY, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00 }
#define VR16(op)                                                                                   \
	{ op, U_VRFY, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00 }

#define MEDIUM_READ (SCSI_OP_F_MEDIUM)
#define MEDIUM_WRITE (SCSI_OP_F_MEDIUM | SCSI_OP_F_WRITE)

/*
 * SPC-4 §5.16: what a target port lets through in the standby state
 * (ALUA_SB), and in every state that refuses medium access (ALUA_ANY):
 * INQUIRY, REPORT LUNS, REPORT TARGET PORT GROUPS, REQUEST SENSE. Standby
 * adds MODE SENSE/SELECT, the persistent reservation commands and SET
 * TARGET PORT GROUPS (which unavailable takes too), and here READ
 * CAPACITY, which SPC-4 does not list: as LIO and SCST do, so that a host
 * that scans a standby path first learns its size (Linux's sd does, and
 * dm-multipath wants every path of a map the same size).
 */
#define ALUA_SB SCSI_OP_F_ALUA_STANDBY
#define ALUA_ANY (SCSI_OP_F_ALUA_STANDBY | SCSI_OP_F_ALUA_UNAVAILABLE | SCSI_OP_F_ALUA_TRANSITIONING)

/* PERSISTENT RESERVE IN / OUT usage: the service action, allocation / parameter list length. */
#define U_PRIN { SCSI_OP_PERSISTENT_RESERVE_IN, 0x1f, 0, 0, 0, 0, 0, 0xff, 0xff, 0 }
#define U_PROUT { SCSI_OP_PERSISTENT_RESERVE_OUT, 0x1f, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0 }

/* SERVICE ACTION IN(16), SBC-3 §5.15-16. */
static const struct scsi_op scsi_sai_ops[] = {
	[SCSI_SAI_READ_CAPACITY_16] = {
		.name = "READ CAPACITY(16)", .cdb_len = 16,
		.flags = ALUA_SB | SCSI_OP_F_NEEDS_MEDIUM, .pr = SCSI_PR_ALLOWED,
		.usage = { SCSI_OP_SERVICE_ACTION_IN_16, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0,
			   0xff, 0xff, 0xff, 0xff, 0x00, 0x00 },
		.parse = sbc_parse_read_capacity_16, .exec = sbc_exec_read_capacity_16,
	},
	[SCSI_SAI_GET_LBA_STATUS] = {
		.name = "GET LBA STATUS", .cdb_len = 16, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = { SCSI_OP_SERVICE_ACTION_IN_16, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 },
		.parse = sbc_parse_get_lba_status, .exec = sbc_exec_get_lba_status,
	},
};

/* MAINTENANCE IN, SPC-4 §6.25 and §6.35. */
static const struct scsi_op scsi_mi_ops[] = {
	[SCSI_MI_REPORT_TARGET_PORT_GROUPS] = {
		.name = "REPORT TARGET PORT GROUPS", .cdb_len = 12, .flags = ALUA_ANY,
		.pr = SCSI_PR_ALLOWED,
		.usage = { SCSI_OP_MAINTENANCE_IN, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0 },
		.parse = alua_parse_rtpg, .exec = alua_exec_rtpg,
	},
	[SCSI_MI_REPORT_SUPPORTED_OPCODES] = {
		.name = "REPORT SUPPORTED OPERATION CODES", .cdb_len = 12, .pr = SCSI_PR_READ,
		.usage = { SCSI_OP_MAINTENANCE_IN, 0x1f, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0, 0 },
		.parse = spc_parse_rsoc, .exec = spc_exec_rsoc,
	},
};

/*
 * MAINTENANCE OUT (alua.c): SET TARGET PORT GROUPS, only through a target
 * port whose group takes explicit transitions. It changes what other
 * initiators may do: it conflicts with a persistent reservation as any
 * command of that class does.
 */
static const struct scsi_op scsi_mo_ops[] = {
	[SCSI_MO_SET_TARGET_PORT_GROUPS] = {
		.name = "SET TARGET PORT GROUPS", .cdb_len = 12,
		.flags = SCSI_OP_F_ALUA_STANDBY | SCSI_OP_F_ALUA_UNAVAILABLE,
		.usage = { SCSI_OP_MAINTENANCE_OUT, 0x1f, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0 },
		.supported = alua_explicit, .parse = alua_parse_stpg, .exec = alua_exec_stpg,
	},
};

/*
 * PERSISTENT RESERVE IN / OUT, SPC-4 §6.15-16 (pr.c). They decide for
 * themselves what a reservation allows. REGISTER AND MOVE is not offered.
 */
static const struct scsi_op scsi_prin_ops[] = {
	[SCSI_PRIN_READ_KEYS] = {
		.name = "PERSISTENT RESERVE IN / READ KEYS", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PRIN,
		.parse = pr_parse_in, .exec = pr_exec_in,
	},
	[SCSI_PRIN_READ_RESERVATION] = {
		.name = "PERSISTENT RESERVE IN / READ RESERVATION", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PRIN,
		.parse = pr_parse_in, .exec = pr_exec_in,
	},
	[SCSI_PRIN_REPORT_CAPABILITIES] = {
		.name = "PERSISTENT RESERVE IN / REPORT CAPABILITIES", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PRIN,
		.parse = pr_parse_in, .exec = pr_exec_in,
	},
	[SCSI_PRIN_READ_FULL_STATUS] = {
		.name = "PERSISTENT RESERVE IN / READ FULL STATUS", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PRIN,
		.parse = pr_parse_in, .exec = pr_exec_in,
	},
};

static const struct scsi_op scsi_prout_ops[] = {
	[SCSI_PROUT_REGISTER] = {
		.name = "PERSISTENT RESERVE OUT / REGISTER", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PROUT,
		.parse = pr_parse_out, .exec = pr_exec_out,
	},
	[SCSI_PROUT_RESERVE] = {
		.name = "PERSISTENT RESERVE OUT / RESERVE", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PROUT,
		.parse = pr_parse_out, .exec = pr_exec_out,
	},
	[SCSI_PROUT_RELEASE] = {
		.name = "PERSISTENT RESERVE OUT / RELEASE", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PROUT,
		.parse = pr_parse_out, .exec = pr_exec_out,
	},
	[SCSI_PROUT_CLEAR] = {
		.name = "PERSISTENT RESERVE OUT / CLEAR", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PROUT,
		.parse = pr_parse_out, .exec = pr_exec_out,
	},
	[SCSI_PROUT_PREEMPT] = {
		.name = "PERSISTENT RESERVE OUT / PREEMPT", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PROUT,
		.parse = pr_parse_out, .exec = pr_exec_out,
	},
	[SCSI_PROUT_PREEMPT_AND_ABORT] = {
		.name = "PERSISTENT RESERVE OUT / PREEMPT AND ABORT", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PROUT,
		.parse = pr_parse_out, .exec = pr_exec_out,
	},
	[SCSI_PROUT_REGISTER_AND_IGNORE] = {
		.name = "PERSISTENT RESERVE OUT / REGISTER AND IGNORE EXISTING KEY", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PROUT,
		.parse = pr_parse_out, .exec = pr_exec_out,
	},
	[SCSI_PROUT_REGISTER_AND_MOVE] = {
		.name = "PERSISTENT RESERVE OUT / REGISTER AND MOVE", .cdb_len = 10,
		.flags = SCSI_OP_F_RESV_OK | ALUA_SB, .pr = SCSI_PR_ALLOWED, .usage = U_PROUT,
		.parse = pr_parse_out, .exec = pr_exec_out,
	},
};

/*
 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS, SPC-4 §6.4 and §6.18
 * (xcopy_exec.c). EXTENDED COPY reads and writes the LUs its descriptors
 * name, and checks write protection there itself (this LU may be only
 * its source): no SCSI_OP_F_WRITE.
 */
#define U_XCOPY { SCSI_OP_EXTENDED_COPY, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0 }
#define U_RCR { SCSI_OP_RECEIVE_COPY_RESULTS, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, \
		0xff, 0, 0 }
static const struct scsi_op scsi_xcopy_ops[] = {
	[SCSI_XCOPY_LID1] = {
		.name = "EXTENDED COPY(LID1)", .cdb_len = 16, .flags = SCSI_OP_F_MEDIUM,
		.usage = U_XCOPY, .parse = xcopy_parse_cdb, .exec = xcopy_exec,
	},
};

static const struct scsi_op scsi_rcr_ops[] = {
	[SCSI_RCR_COPY_STATUS] = {
		.name = "RECEIVE COPY RESULTS / COPY STATUS", .cdb_len = 16, .pr = SCSI_PR_ALLOWED,
		.usage = U_RCR, .parse = xcopy_parse_rcr, .exec = xcopy_exec_rcr,
	},
	[SCSI_RCR_OPERATING_PARAMETERS] = {
		.name = "RECEIVE COPY RESULTS / OPERATING PARAMETERS", .cdb_len = 16,
		.pr = SCSI_PR_ALLOWED, .usage = U_RCR, .parse = xcopy_parse_rcr,
		.exec = xcopy_exec_rcr,
	},
};

static const struct scsi_sa_table scsi_xcopy_table = { scsi_xcopy_ops, ARRAY_SIZE(scsi_xcopy_ops) };
static const struct scsi_sa_table scsi_rcr_table = { scsi_rcr_ops, ARRAY_SIZE(scsi_rcr_ops) };
static const struct scsi_sa_table scsi_sai_table = { scsi_sai_ops, ARRAY_SIZE(scsi_sai_ops) };
static const struct scsi_sa_table scsi_mi_table = { scsi_mi_ops, ARRAY_SIZE(scsi_mi_ops) };
static const struct scsi_sa_table scsi_mo_table = { scsi_mo_ops, ARRAY_SIZE(scsi_mo_ops) };
static const struct scsi_sa_table scsi_prin_table = { scsi_prin_ops, ARRAY_SIZE(scsi_prin_ops) };
static const struct scsi_sa_table scsi_prout_table = { scsi_prout_ops, ARRAY_SIZE(scsi_prout_ops) };

/*
 * The dispatch table. An empty slot is INVALID OPERATION CODE. .pr is the
 * command's column in SPC-4 §5.13.1 table 65 and SBC-3 table 13 (unset:
 * conflict).
 */
static const struct scsi_op scsi_ops[256] = {
	[SCSI_OP_TEST_UNIT_READY] = {
		.name = "TEST UNIT READY", .cdb_len = 6, .flags = SCSI_OP_F_MEDIUM,
		.pr = SCSI_PR_ALLOWED,
		.usage = { SCSI_OP_TEST_UNIT_READY, 0, 0, 0, 0, 0 },
		.parse = spc_parse_test_unit_ready, .exec = spc_exec_test_unit_ready,
	},
	[SCSI_OP_REQUEST_SENSE] = {
		.name = "REQUEST SENSE", .cdb_len = 6,
		.flags = SCSI_OP_F_NO_UA | SCSI_OP_F_ANY_LUN | SCSI_OP_F_RESV_OK | ALUA_ANY,
		.pr = SCSI_PR_ALLOWED,
		.usage = { SCSI_OP_REQUEST_SENSE, 0x01, 0, 0, 0xff, 0 },
		.parse = spc_parse_request_sense, .exec = spc_exec_request_sense,
	},
	[SCSI_OP_READ_6] = {
		.name = "READ(6)", .cdb_len = 6, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = { SCSI_OP_READ_6, 0x1f, 0xff, 0xff, 0xff, 0 },
		.parse = sbc_parse_rw, .exec = sbc_exec_read,
	},
	[SCSI_OP_WRITE_6] = {
		.name = "WRITE(6)", .cdb_len = 6, .flags = MEDIUM_WRITE,
		.usage = { SCSI_OP_WRITE_6, 0x1f, 0xff, 0xff, 0xff, 0 },
		.parse = sbc_parse_rw, .exec = sbc_exec_write,
	},
	[SCSI_OP_INQUIRY] = {
		.name = "INQUIRY", .cdb_len = 6,
		.flags = SCSI_OP_F_NO_UA | SCSI_OP_F_ANY_LUN | SCSI_OP_F_RESV_OK | ALUA_ANY,
		.pr = SCSI_PR_ALLOWED,
		.usage = { SCSI_OP_INQUIRY, 0x01, 0xff, 0xff, 0xff, 0 },
		.parse = spc_parse_inquiry, .exec = spc_exec_inquiry,
	},
	[SCSI_OP_MODE_SELECT_6] = {
		.name = "MODE SELECT(6)", .cdb_len = 6, .flags = ALUA_SB,
		.usage = { SCSI_OP_MODE_SELECT_6, 0x11, 0, 0, 0xff, 0 },
		.parse = spc_parse_mode_select, .exec = spc_exec_mode_select,
	},
	[SCSI_OP_RESERVE_6] = {
		.name = "RESERVE(6)", .cdb_len = 6, .pr = SCSI_PR_ALLOWED,
		.usage = { SCSI_OP_RESERVE_6, 0x1f, 0, 0, 0, 0 },
		.parse = pr_parse_reserve6, .exec = pr_exec_reserve6,
	},
	[SCSI_OP_RELEASE_6] = {
		.name = "RELEASE(6)", .cdb_len = 6, .flags = SCSI_OP_F_RESV_OK,
		.pr = SCSI_PR_ALLOWED,
		.usage = { SCSI_OP_RELEASE_6, 0x1f, 0, 0, 0, 0 },
		.parse = pr_parse_reserve6, .exec = pr_exec_release6,
	},
	[SCSI_OP_MODE_SENSE_6] = {
		.name = "MODE SENSE(6)", .cdb_len = 6, .flags = ALUA_SB, .pr = SCSI_PR_READ,
		.usage = { SCSI_OP_MODE_SENSE_6, 0x08, 0xff, 0xff, 0xff, 0 },
		.parse = spc_parse_mode_sense, .exec = spc_exec_mode_sense,
	},
	[SCSI_OP_START_STOP_UNIT] = {
		.name = "START STOP UNIT", .cdb_len = 6, .pr = SCSI_PR_START,
		.usage = { SCSI_OP_START_STOP_UNIT, 0x01, 0, 0x0f, 0xf7, 0 },
		.parse = sbc_parse_start_stop_unit, .exec = sbc_exec_start_stop_unit,
	},
	/* only on a removable LU (sbc_media.c); a fixed disk answers INVALID OPERATION CODE */
	[SCSI_OP_PREVENT_ALLOW_MEDIUM_REMOVAL] = {
		.name = "PREVENT ALLOW MEDIUM REMOVAL", .cdb_len = 6, .pr = SCSI_PR_PREVENT,
		.usage = { SCSI_OP_PREVENT_ALLOW_MEDIUM_REMOVAL, 0, 0, 0, 0x03, 0 },
		.supported = sbc_media_supported,
		.parse = sbc_parse_prevent_allow, .exec = sbc_exec_prevent_allow,
	},
	[SCSI_OP_READ_CAPACITY_10] = {
		.name = "READ CAPACITY(10)", .cdb_len = 10,
		.flags = ALUA_SB | SCSI_OP_F_NEEDS_MEDIUM, .pr = SCSI_PR_ALLOWED,
		.usage = { SCSI_OP_READ_CAPACITY_10, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x01, 0 },
		.parse = sbc_parse_read_capacity_10, .exec = sbc_exec_read_capacity_10,
	},
	[SCSI_OP_READ_10] = {
		.name = "READ(10)", .cdb_len = 10, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = RW10(SCSI_OP_READ_10), .parse = sbc_parse_rw, .exec = sbc_exec_read,
	},
	[SCSI_OP_WRITE_10] = {
		.name = "WRITE(10)", .cdb_len = 10, .flags = MEDIUM_WRITE,
		.usage = RW10(SCSI_OP_WRITE_10), .parse = sbc_parse_rw, .exec = sbc_exec_write,
	},
	[SCSI_OP_WRITE_VERIFY_10] = {
		.name = "WRITE AND VERIFY(10)", .cdb_len = 10, .flags = MEDIUM_WRITE,
		.usage = VR10(SCSI_OP_WRITE_VERIFY_10),
		.parse = sbc_parse_write_verify, .exec = sbc_exec_write_verify,
	},
	[SCSI_OP_VERIFY_10] = {
		.name = "VERIFY(10)", .cdb_len = 10, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = VR10(SCSI_OP_VERIFY_10), .parse = sbc_parse_verify, .exec = sbc_exec_verify,
	},
	[SCSI_OP_PRE_FETCH_10] = {
		.name = "PRE-FETCH(10)", .cdb_len = 10, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = { SCSI_OP_PRE_FETCH_10, 0x02, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0 },
		.parse = sbc_parse_pre_fetch, .exec = sbc_exec_pre_fetch,
	},
	[SCSI_OP_SYNCHRONIZE_CACHE_10] = {
		.name = "SYNCHRONIZE CACHE(10)", .cdb_len = 10, .flags = MEDIUM_READ,
		.usage = { SCSI_OP_SYNCHRONIZE_CACHE_10, 0x02, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff,
			   0xff, 0 },
		.parse = sbc_parse_sync_cache, .exec = sbc_exec_sync_cache,
	},
	[SCSI_OP_READ_DEFECT_DATA_10] = {
		.name = "READ DEFECT DATA(10)", .cdb_len = 10, .pr = SCSI_PR_READ,
		.usage = { SCSI_OP_READ_DEFECT_DATA_10, 0, 0x1f, 0, 0, 0, 0, 0xff, 0xff, 0 },
		.parse = sbc_parse_read_defect_data, .exec = sbc_exec_read_defect_data,
	},
	[SCSI_OP_WRITE_SAME_10] = {
		.name = "WRITE SAME(10)", .cdb_len = 10, .flags = MEDIUM_WRITE,
		.usage = { SCSI_OP_WRITE_SAME_10, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0 },
		.parse = sbc_parse_write_same, .exec = sbc_exec_write_same,
	},
	[SCSI_OP_UNMAP] = {
		.name = "UNMAP", .cdb_len = 10, .flags = MEDIUM_WRITE,
		.usage = { SCSI_OP_UNMAP, 0x01, 0, 0, 0, 0, 0x1f, 0xff, 0xff, 0 },
		.parse = sbc_parse_unmap, .exec = sbc_exec_unmap,
	},
	[SCSI_OP_MODE_SELECT_10] = {
		.name = "MODE SELECT(10)", .cdb_len = 10, .flags = ALUA_SB,
		.usage = { SCSI_OP_MODE_SELECT_10, 0x11, 0, 0, 0, 0, 0, 0xff, 0xff, 0 },
		.parse = spc_parse_mode_select, .exec = spc_exec_mode_select,
	},
	[SCSI_OP_MODE_SENSE_10] = {
		.name = "MODE SENSE(10)", .cdb_len = 10, .flags = ALUA_SB, .pr = SCSI_PR_READ,
		.usage = { SCSI_OP_MODE_SENSE_10, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0 },
		.parse = spc_parse_mode_sense, .exec = spc_exec_mode_sense,
	},
	[SCSI_OP_EXTENDED_COPY] = {
		.name = "EXTENDED COPY", .cdb_len = 16, .sa = &scsi_xcopy_table,
	},
	[SCSI_OP_RECEIVE_COPY_RESULTS] = {
		.name = "RECEIVE COPY RESULTS", .cdb_len = 16, .sa = &scsi_rcr_table,
	},
	[SCSI_OP_READ_16] = {
		.name = "READ(16)", .cdb_len = 16, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = RW16(SCSI_OP_READ_16), .parse = sbc_parse_rw, .exec = sbc_exec_read,
	},
	[SCSI_OP_WRITE_16] = {
		.name = "WRITE(16)", .cdb_len = 16, .flags = MEDIUM_WRITE,
		.usage = RW16(SCSI_OP_WRITE_16), .parse = sbc_parse_rw, .exec = sbc_exec_write,
	},
	[SCSI_OP_COMPARE_AND_WRITE] = {
		.name = "COMPARE AND WRITE", .cdb_len = 16, .flags = MEDIUM_WRITE,
		.usage = { SCSI_OP_COMPARE_AND_WRITE, U_RW, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0, 0, 0, 0xff, 0x1f, 0x00 },
		.parse = sbc_parse_caw, .exec = sbc_exec_caw,
	},
	[SCSI_OP_ORWRITE_16] = {
		.name = "ORWRITE(16)", .cdb_len = 16, .flags = MEDIUM_WRITE,
		.usage = RW16(SCSI_OP_ORWRITE_16),
		.parse = sbc_parse_orwrite, .exec = sbc_exec_orwrite,
	},
	[SCSI_OP_WRITE_VERIFY_16] = {
		.name = "WRITE AND VERIFY(16)", .cdb_len = 16, .flags = MEDIUM_WRITE,
		.usage = VR16(SCSI_OP_WRITE_VERIFY_16),
		.parse = sbc_parse_write_verify, .exec = sbc_exec_write_verify,
	},
	[SCSI_OP_VERIFY_16] = {
		.name = "VERIFY(16)", .cdb_len = 16, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = VR16(SCSI_OP_VERIFY_16), .parse = sbc_parse_verify, .exec = sbc_exec_verify,
	},
	[SCSI_OP_PRE_FETCH_16] = {
		.name = "PRE-FETCH(16)", .cdb_len = 16, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = { SCSI_OP_PRE_FETCH_16, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0x1f, 0 },
		.parse = sbc_parse_pre_fetch, .exec = sbc_exec_pre_fetch,
	},
	[SCSI_OP_SYNCHRONIZE_CACHE_16] = {
		.name = "SYNCHRONIZE CACHE(16)", .cdb_len = 16, .flags = MEDIUM_READ,
		.usage = { SCSI_OP_SYNCHRONIZE_CACHE_16, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0 },
		.parse = sbc_parse_sync_cache, .exec = sbc_exec_sync_cache,
	},
	[SCSI_OP_WRITE_SAME_16] = {
		.name = "WRITE SAME(16)", .cdb_len = 16, .flags = MEDIUM_WRITE,
		.usage = { SCSI_OP_WRITE_SAME_16, 0xf9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0x1f, 0 },
		.parse = sbc_parse_write_same, .exec = sbc_exec_write_same,
	},
	[SCSI_OP_WRITE_ATOMIC_16] = {
		.name = "WRITE ATOMIC(16)", .cdb_len = 16, .flags = MEDIUM_WRITE,
		.usage = { SCSI_OP_WRITE_ATOMIC_16, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0 },
		.parse = sbc_parse_write_atomic, .exec = sbc_exec_write_atomic,
	},
	[SCSI_OP_SANITIZE] = {
		.name = "SANITIZE", .cdb_len = 10, .sa = &sanitize_sa_table, /* sanitize.c */
	},
	[SCSI_OP_PERSISTENT_RESERVE_IN] = {
		.name = "PERSISTENT RESERVE IN", .cdb_len = 10, .sa = &scsi_prin_table,
	},
	[SCSI_OP_PERSISTENT_RESERVE_OUT] = {
		.name = "PERSISTENT RESERVE OUT", .cdb_len = 10, .sa = &scsi_prout_table,
	},
	[SCSI_OP_SERVICE_ACTION_IN_16] = {
		.name = "SERVICE ACTION IN(16)", .cdb_len = 16, .sa = &scsi_sai_table,
	},
	[SCSI_OP_REPORT_LUNS] = {
		.name = "REPORT LUNS", .cdb_len = 12,
		.flags = SCSI_OP_F_NO_UA | SCSI_OP_F_ANY_LUN | SCSI_OP_F_RESV_OK | ALUA_ANY,
		.pr = SCSI_PR_ALLOWED,
		.usage = { SCSI_OP_REPORT_LUNS, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0 },
		.parse = spc_parse_report_luns, .exec = spc_exec_report_luns,
	},
	[SCSI_OP_MAINTENANCE_IN] = {
		.name = "MAINTENANCE IN", .cdb_len = 12, .sa = &scsi_mi_table,
	},
	[SCSI_OP_MAINTENANCE_OUT] = {
		.name = "MAINTENANCE OUT", .cdb_len = 12, .sa = &scsi_mo_table,
	},
	[SCSI_OP_READ_12] = {
		.name = "READ(12)", .cdb_len = 12, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = RW12(SCSI_OP_READ_12), .parse = sbc_parse_rw, .exec = sbc_exec_read,
	},
	[SCSI_OP_WRITE_12] = {
		.name = "WRITE(12)", .cdb_len = 12, .flags = MEDIUM_WRITE,
		.usage = RW12(SCSI_OP_WRITE_12), .parse = sbc_parse_rw, .exec = sbc_exec_write,
	},
	[SCSI_OP_WRITE_VERIFY_12] = {
		.name = "WRITE AND VERIFY(12)", .cdb_len = 12, .flags = MEDIUM_WRITE,
		.usage = VR12(SCSI_OP_WRITE_VERIFY_12),
		.parse = sbc_parse_write_verify, .exec = sbc_exec_write_verify,
	},
	[SCSI_OP_VERIFY_12] = {
		.name = "VERIFY(12)", .cdb_len = 12, .flags = MEDIUM_READ, .pr = SCSI_PR_READ,
		.usage = VR12(SCSI_OP_VERIFY_12), .parse = sbc_parse_verify, .exec = sbc_exec_verify,
	},
	[SCSI_OP_READ_DEFECT_DATA_12] = {
		.name = "READ DEFECT DATA(12)", .cdb_len = 12, .pr = SCSI_PR_READ,
		.usage = { SCSI_OP_READ_DEFECT_DATA_12, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0, 0 },
		.parse = sbc_parse_read_defect_data, .exec = sbc_exec_read_defect_data,
	},
};

/* clang-format on */

const struct scsi_op *scsi_op_lookup(uint8_t opcode, uint16_t sa, bool *has_sa)
{
	const struct scsi_op *slot = &scsi_ops[opcode];

	if (has_sa)
		*has_sa = slot->sa != NULL;
	if (slot->sa) {
		if (sa >= slot->sa->n || !slot->sa->ops[sa].parse)
			return NULL;
		return &slot->sa->ops[sa];
	}
	return slot->parse ? slot : NULL;
}

size_t scsi_op_list(struct scsi_op_entry *out, size_t max)
{
	size_t n = 0, i, j;

	for (i = 0; i < ARRAY_SIZE(scsi_ops); i++) {
		const struct scsi_op *slot = &scsi_ops[i];

		if (slot->sa) {
			for (j = 0; j < slot->sa->n; j++) {
				if (!slot->sa->ops[j].parse)
					continue;
				if (n < max)
					out[n] = (struct scsi_op_entry){(uint8_t)i, (uint16_t)j,
									true, &slot->sa->ops[j]};
				n++;
			}
		} else if (slot->parse) {
			if (n < max)
				out[n] = (struct scsi_op_entry){(uint8_t)i, 0, false, slot};
			n++;
		}
	}
	return n;
}

/* A slot is usable only whole: exec, CDB length, and usage data naming its opcode. */
static bool scsi_op_sane(const struct scsi_op *op, uint8_t opcode)
{
	return op->exec && op->cdb_len >= 6 && op->cdb_len <= sizeof(op->usage) &&
	       op->usage[0] == opcode && op->name;
}

void scsi_init(void)
{
	static struct scsi_op_entry list[128];
	size_t n = scsi_op_list(list, ARRAY_SIZE(list)), i;

	if (n > ARRAY_SIZE(list))
		log_err(SCSI_COMPONENT, "dispatch table: %zu commands, only %zu checked", n,
			ARRAY_SIZE(list));
	for (i = 0; i < n && i < ARRAY_SIZE(list); i++)
		if (!scsi_op_sane(list[i].op, list[i].opcode))
			log_err(SCSI_COMPONENT,
				"dispatch table: opcode %02xh sa %02xh is incomplete",
				list[i].opcode, list[i].sa);
}

/* Logical units and nexuses. */

int scsi_lu_create(struct bs_dev *bs, const struct scsi_lu_id *id, struct scsi_lu **out)
{
	struct scsi_lu *lu;
	int ret;

	if (!bs || !id || !out)
		return -EINVAL;
	/* SBC-3 §6.2: a logical block is at least 512 bytes here; a power of two keeps offsets
	 * exact. */
	if (bs->block_size < 512 || (bs->block_size & (bs->block_size - 1)))
		return -EINVAL;
	lu = calloc(1, sizeof(*lu));
	if (!lu)
		return -ENOMEM;
	lu->bs = bs;
	atomic_init(&lu->refs, 1);
	lu->id = *id;
	lu->id.serial[sizeof(lu->id.serial) - 1] = '\0';
	lu->id.vendor[sizeof(lu->id.vendor) - 1] = '\0';
	lu->id.product[sizeof(lu->id.product) - 1] = '\0';
	lu->id.revision[sizeof(lu->id.revision) - 1] = '\0';
	lu->block_size = bs->block_size;
	lu->defaults.wce = bs->write_back;
	lu->defaults.d_sense = false;
	lu->defaults.swp = false;
	atomic_init(&lu->wce, lu->defaults.wce);
	atomic_init(&lu->d_sense, lu->defaults.d_sense);
	atomic_init(&lu->swp, lu->defaults.swp);
	atomic_init(&lu->stopped, false);
	atomic_init(&lu->removable, bs->removable);
	atomic_init(&lu->no_medium, false);
	atomic_init(&lu->holder, NULL);
	list_init(&lu->itls);
	ret = pthread_mutex_init(&lu->lock, NULL);
	if (ret) {
		free(lu);
		return -ret;
	}
	ret = range_lock_init(&lu->range);
	if (ret) {
		pthread_mutex_destroy(&lu->lock);
		free(lu);
		return ret;
	}
	ret = pr_lu_init(lu);
	if (ret) {
		range_lock_fini(&lu->range);
		pthread_mutex_destroy(&lu->lock);
		free(lu);
		return ret;
	}
	*out = lu;
	return 0;
}

void scsi_lu_get(struct scsi_lu *lu)
{
	atomic_fetch_add_explicit(&lu->refs, 1, memory_order_relaxed);
}

unsigned int scsi_lu_refs(struct scsi_lu *lu)
{
	return atomic_load_explicit(&lu->refs, memory_order_relaxed);
}

void scsi_lu_own_bs(struct scsi_lu *lu)
{
	lu->owns_bs = true;
}

void scsi_lu_destroy(struct scsi_lu *lu)
{
	scsi_lu_put(lu);
}

void scsi_lu_put(struct scsi_lu *lu)
{
	struct scsi_itl *itl, *tmp;

	/* acq_rel: whatever a thread did with the LU happens before its destruction */
	if (!lu || atomic_fetch_sub_explicit(&lu->refs, 1, memory_order_acq_rel) != 1)
		return;
	/* The sessions detach first; a nexus left here is a caller's bug, not a crash. */
	list_for_each_entry_safe(itl, tmp, &lu->itls, node)
	{
		log_err(SCSI_COMPONENT, "lu '%s': destroyed with a nexus still attached",
			lu->id.serial);
		list_del(&itl->node);
		itl->lu = NULL;
	}
	pr_lu_fini(lu);
	range_lock_fini(&lu->range);
	sanitize_lu_fini(lu);
	pthread_mutex_destroy(&lu->lock);
	if (lu->owns_bs)
		bs_close(lu->bs);
	free(lu);
}

void scsi_lun_map_free(struct scsi_lun_map *map)
{
	for (size_t i = 0; map && i < map->n; i++)
		scsi_lu_put(map->e[i].lu);
	free(map);
}

struct bs_dev *scsi_lu_bs(struct scsi_lu *lu)
{
	return lu->bs;
}

const struct scsi_lu_id *scsi_lu_get_id(const struct scsi_lu *lu)
{
	return &lu->id;
}

static void scsi_lu_raise_locked(struct scsi_lu *lu, uint32_t ua_bits, struct scsi_itl *except)
{
	struct scsi_itl *itl;

	list_for_each_entry(itl, &lu->itls, node) if (itl != except)
	    atomic_fetch_or(&itl->ua, ua_bits);
}

void scsi_lu_raise_ua(struct scsi_lu *lu, uint32_t ua_bits)
{
	pthread_mutex_lock(&lu->lock);
	scsi_lu_raise_locked(lu, ua_bits, NULL);
	pthread_mutex_unlock(&lu->lock);
}

static void scsi_lu_mode_store(struct scsi_lu *lu, const struct scsi_mode_state *st)
{
	atomic_store(&lu->wce, st->wce);
	atomic_store(&lu->d_sense, st->d_sense);
	atomic_store(&lu->swp, st->swp);
}

void scsi_lu_reset(struct scsi_lu *lu, struct scsi_itl *except_itl)
{
	pthread_mutex_lock(&lu->lock);
	/* SAM-5 §6.3.3: a logical unit reset restores the mode parameters' defaults... */
	scsi_lu_mode_store(lu, &lu->defaults);
	/* ... and SPC-2 §5.5.1: releases a RESERVE(6) reservation */
	atomic_store(&lu->holder, NULL);
	/* ... and ends every nexus's prevention of medium removal (SBC-3) */
	sbc_media_reset_locked(lu);
	scsi_lu_raise_locked(lu, SCSI_UA_BUS_DEVICE_RESET, except_itl);
	pthread_mutex_unlock(&lu->lock);
}

void scsi_lu_mode_get(struct scsi_lu *lu, struct scsi_mode_state *st)
{
	st->wce = atomic_load(&lu->wce);
	st->d_sense = atomic_load(&lu->d_sense);
	st->swp = atomic_load(&lu->swp);
}

void scsi_lu_mode_set(struct scsi_lu *lu, const struct scsi_mode_state *st, struct scsi_itl *except)
{
	struct scsi_mode_state old;

	pthread_mutex_lock(&lu->lock);
	scsi_lu_mode_get(lu, &old);
	scsi_lu_mode_store(lu, st);
	/* SPC-4 §6.9: MODE PARAMETERS CHANGED for the other I_T nexuses, only on a change. */
	if (old.wce != st->wce || old.d_sense != st->d_sense || old.swp != st->swp)
		scsi_lu_raise_locked(lu, SCSI_UA_MODE_PARAMS_CHANGED, except);
	pthread_mutex_unlock(&lu->lock);
}

int scsi_itl_create(struct scsi_lu *lu, struct scsi_nexus *nx, struct scsi_itl **out)
{
	struct scsi_itl *itl;

	if (!lu || !out)
		return -EINVAL;
	itl = calloc(1, sizeof(*itl));
	if (!itl)
		return -ENOMEM;
	itl->lu = lu;
	itl->nx = nx;
	/* SAM-5 §6.3.1: a new I_T nexus sees the unit as just powered on. */
	atomic_init(&itl->ua, SCSI_UA_POWER_ON);
	/*
	 * SPC-4 §5.13.1: registrations and reservations outlive the nexus; one
	 * that comes back (a new session, a reinstatement) finds its own again.
	 */
	pthread_mutex_lock(&lu->pr.lock);
	atomic_init(&itl->pr_deny, pr_deny_locked(lu, itl));
	pthread_mutex_lock(&lu->lock);
	list_add_tail(&itl->node, &lu->itls);
	pthread_mutex_unlock(&lu->lock);
	pthread_mutex_unlock(&lu->pr.lock);
	*out = itl;
	return 0;
}

void scsi_itl_destroy(struct scsi_itl *itl)
{
	struct scsi_lu *lu;

	if (!itl)
		return;
	lu = itl->lu;
	if (lu) {
		struct scsi_itl *self = itl;

		pthread_mutex_lock(&lu->pr.lock);
		pthread_mutex_lock(&lu->lock);
		list_del(&itl->node);
		/*
		 * SPC-2 §5.5.1: the loss of its I_T nexus releases a RESERVE(6)
		 * reservation; persistent ones stay (SPC-4 §5.13.1).
		 */
		atomic_compare_exchange_strong(&lu->holder, &self, NULL);
		pthread_mutex_unlock(&lu->lock);
		pthread_mutex_unlock(&lu->pr.lock);
	}
	xcopy_itl_fini(itl);
	free(itl);
}

struct scsi_lu *scsi_itl_lu(struct scsi_itl *itl)
{
	return itl->lu;
}

void scsi_itl_set_ua(struct scsi_itl *itl, uint32_t ua_bits)
{
	atomic_fetch_or(&itl->ua, ua_bits);
}

void scsi_itl_clear_ua(struct scsi_itl *itl, uint32_t ua_bits)
{
	atomic_fetch_and(&itl->ua, ~ua_bits);
}

/* LUN addressing, SAM-5 §4.7. */

void scsi_lun_encode(uint64_t lun, uint8_t out[8])
{
	memset(out, 0, 8);
	if (lun < 256) {
		out[1] = (uint8_t)lun; /* peripheral device addressing, bus 0 */
	} else if (lun < 16384) {
		out[0] = 0x40 | (uint8_t)(lun >> 8); /* flat space addressing */
		out[1] = (uint8_t)lun;
	} else {
		out[0] = 0xd2; /* extended flat space, 3-byte LUN */
		out[1] = (uint8_t)(lun >> 16);
		out[2] = (uint8_t)(lun >> 8);
		out[3] = (uint8_t)lun;
	}
}

uint64_t scsi_lun_decode(const uint8_t in[8])
{
	size_t i;

	switch (in[0] >> 6) {
	case 0: /* peripheral device addressing: only bus 0, single level */
		for (i = 2; i < 8; i++)
			if (in[i])
				return UINT64_MAX;
		return in[0] ? UINT64_MAX : in[1];
	case 1: /* flat space addressing, single level */
		for (i = 2; i < 8; i++)
			if (in[i])
				return UINT64_MAX;
		return (uint64_t)(in[0] & 0x3f) << 8 | in[1];
	default:
		if (in[0] != 0xd2)
			return UINT64_MAX;
		for (i = 4; i < 8; i++)
			if (in[i])
				return UINT64_MAX;
		return (uint64_t)in[1] << 16 | (uint64_t)in[2] << 8 | in[3];
	}
}

/* Command helpers shared by the command set files. */

bool scsi_cmd_write_protected(const struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	return cmd->read_only || (lu && (atomic_load(&lu->swp) || lu->bs->readonly));
}

void scsi_cmd_good(struct scsi_cmd *cmd)
{
	cmd->status = SCSI_STATUS_GOOD;
	cmd->sense_len = 0;
}

enum scsi_exec_result scsi_cmd_finish(struct scsi_cmd *cmd, enum sense_reason r)
{
	scsi_cmd_unlock(cmd);
	scsi_cmd_bounce_free(cmd);
	if (r == SENSE_OK)
		scsi_cmd_good(cmd);
	else
		scsi_cmd_set_sense(cmd, r);
	return SCSI_EXEC_DONE;
}

void scsi_cmd_complete(struct scsi_cmd *cmd, enum sense_reason r)
{
	scsi_cmd_finish(cmd, r);
	cmd->done(cmd);
}

void scsi_cmd_data_in(struct scsi_cmd *cmd, const void *data, size_t len)
{
	size_t n = MIN(len, (size_t)cmd->xfer_len);

	n = MIN(n, (size_t)cmd->buf_len);
	if (n)
		memcpy(cmd->buf, data, n);
	cmd->data_len = (uint32_t)n;
}

enum sense_reason scsi_cmd_bounce(struct scsi_cmd *cmd, size_t len)
{
	void *p;

	scsi_cmd_bounce_free(cmd);
	if (posix_memalign(&p, 4096, len ? len : 1))
		return SENSE_INSUFFICIENT_RESOURCES;
	cmd->bounce = p;
	cmd->bounce_len = (uint32_t)len;
	return SENSE_OK;
}

void scsi_cmd_bounce_free(struct scsi_cmd *cmd)
{
	free(cmd->bounce);
	cmd->bounce = NULL;
	cmd->bounce_len = 0;
}

enum sense_reason scsi_bs_error(int err, enum bs_op op)
{
	switch (err) {
	case 0:
		return SENSE_OK;
	case -ENOSPC:
	case -EDQUOT:
		/* SBC-3 §4.7.3.6: a thin store that cannot allocate */
		return SENSE_SPACE_ALLOC_FAILED;
	case -EROFS:
		return SENSE_WRITE_PROTECTED;
	case -ERANGE:
		/* the store shrank under the command */
		return SENSE_LBA_OUT_OF_RANGE;
	case -ENOMEM:
	case -EAGAIN:
		return SENSE_INSUFFICIENT_RESOURCES;
	case -ESHUTDOWN:
		/*
		 * The store fenced this gateway (an rbd LU's owner past its
		 * lease's margin, or blocklisted: librados's EBLOCKLISTED).
		 * SPC-4 §5.16: in the unavailable state medium access is
		 * refused with 02/04/0C, and the initiator takes another path.
		 */
		return SENSE_ALUA_UNAVAILABLE;
	case -EIO:
		if (op == BS_OP_READ)
			return SENSE_READ_ERROR;
		if (op == BS_OP_WRITE || op == BS_OP_WRITE_ZEROES)
			return SENSE_WRITE_ERROR;
		return SENSE_INTERNAL_TARGET_FAILURE;
	default:
		return SENSE_INTERNAL_TARGET_FAILURE;
	}
}

enum sense_reason scsi_cmd_submit(struct scsi_cmd *cmd, enum bs_op op, uint64_t offset,
				  uint64_t len, void *buf, bool fua, void (*cb)(struct bs_io *io))
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	struct bs_io *io = &cmd->io;
	int ret;

	memset(io, 0, sizeof(*io));
	io->op = op;
	io->offset = offset;
	io->len = len;
	if (op == BS_OP_READ || op == BS_OP_WRITE || op == BS_OP_COMPARE_WRITE ||
	    op == BS_OP_WRITE_SAME) {
		cmd->iov.iov_base = buf;
		/* COMPARE_WRITE: the verify half, then the write half; WRITE_SAME: one block */
		cmd->iov.iov_len = op == BS_OP_COMPARE_WRITE ? (size_t)(2 * len) :
				   op == BS_OP_WRITE_SAME    ? lu->block_size :
							       (size_t)len;
		io->iov = &cmd->iov;
		io->iovcnt = 1;
	}
	io->fua = fua;
	io->cb = cb;
	io->arg = cmd;
	ret = bs_submit(lu->bs, io);
	if (ret) {
		/* kept for callers that can do without this request (-EOPNOTSUPP) */
		io->result = ret;
		log_dbg(SCSI_COMPONENT, "lu '%s': submit of op %d at %llu failed: %s",
			lu->id.serial, (int)op, (unsigned long long)offset, strerror(-ret));
		return scsi_bs_error(ret, op);
	}
	return SENSE_OK;
}

/* The entry points. */

static void scsi_cmd_reset_results(struct scsi_cmd *cmd)
{
	cmd->dir = SCSI_DIR_NONE;
	cmd->xfer_len = 0;
	cmd->op = NULL;
	cmd->lba = 0;
	cmd->nblocks = 0;
	cmd->data_len = 0;
	cmd->status = SCSI_STATUS_GOOD;
	cmd->sense_len = 0;
	cmd->bounce = NULL;
	cmd->bounce_len = 0;
	cmd->stage = 0;
	cmd->flags = 0;
	cmd->next_lba = 0;
	cmd->left = 0;
	cmd->sense_info = 0;
	cmd->sense_field = 0;
	cmd->sense_bit = 0;
	cmd->sense_flags = 0;
	cmd->rl.state = RANGE_LOCK_IDLE;
	cmd->locked = NULL;
}

enum sense_reason scsi_cmd_parse(struct scsi_cmd *cmd)
{
	const struct scsi_op *op;
	enum sense_reason reason;
	bool has_sa;
	uint8_t opcode = cmd->cdb[0];

	scsi_cmd_reset_results(cmd);
	/*
	 * The service action is in byte 1: never judge a CDB by a byte it does
	 * not have (found by tests/fuzz, scsi-parse-short-cdb; iSCSI's CDBs
	 * are at least 16 bytes, other transports may pass shorter ones).
	 */
	if (cmd->cdb_len < 2)
		return cmd->cdb_len ? scsi_invalid_cdb(cmd, 0, -1) : SENSE_INVALID_OPCODE;
	op = scsi_op_lookup(opcode, cmd->cdb[1] & 0x1f, &has_sa);

	/*
	 * SPC-4 §6.4.2 / §4.6.4: a LUN this nexus cannot see answers INQUIRY,
	 * REPORT LUNS and REQUEST SENSE, and nothing else.
	 */
	if (!cmd->itl && !(op && (op->flags & SCSI_OP_F_ANY_LUN)))
		return SENSE_LUN_NOT_SUPPORTED;
	if (!op) {
		/* SPC-4 §4.2.5.2: a known opcode with an unknown service action */
		if (has_sa)
			return scsi_invalid_cdb(cmd, 1, 4);
		return SENSE_INVALID_OPCODE;
	}
	/* a command this nexus may not use (SET TARGET PORT GROUPS without explicit ALUA) */
	if (op->supported && !op->supported(cmd))
		return SENSE_INVALID_OPCODE;
	if (cmd->cdb_len < op->cdb_len)
		return scsi_invalid_cdb(cmd, 0, -1);
	cmd->op = op;
	reason = op->parse(cmd);
	/*
	 * SBC-3 §4.11 does not order write protection against field checks;
	 * initiators (libiscsi's ReadOnly.ReadOnlySBC) and LIO let write
	 * protection win: a command that would change a write-protected
	 * medium ends with WRITE PROTECTED whatever else is wrong with it.
	 */
	if (reason != SENSE_OK && (op->flags & SCSI_OP_F_WRITE) && scsi_cmd_write_protected(cmd))
		return SENSE_WRITE_PROTECTED;
	return reason;
}

/* RESERVATION CONFLICT: a status without sense data (SAM-5 §5.3.1). */
static enum scsi_exec_result scsi_cmd_conflict(struct scsi_cmd *cmd)
{
	scsi_cmd_bounce_free(cmd);
	cmd->status = SCSI_STATUS_RESERVATION_CONFLICT;
	cmd->sense_len = 0;
	return SCSI_EXEC_DONE;
}

static enum scsi_exec_result scsi_cmd_busy(struct scsi_cmd *cmd)
{
	scsi_cmd_bounce_free(cmd);
	cmd->status = SCSI_STATUS_BUSY;
	cmd->sense_len = 0;
	return SCSI_EXEC_DONE;
}

enum scsi_exec_result scsi_cmd_exec(struct scsi_cmd *cmd)
{
	const struct scsi_op *op = cmd->op;
	struct scsi_itl *itl = cmd->itl;
	uint32_t deny;

	cmd->data_len = 0;
	if (!op)
		return scsi_cmd_finish(cmd, SENSE_INVALID_OPCODE);
	if (!itl && !(op->flags & SCSI_OP_F_ANY_LUN))
		return scsi_cmd_finish(cmd, SENSE_LUN_NOT_SUPPORTED);

	if (itl) {
		/*
		 * SAM-5 §5.14 / SPC-4 §5.14: a pending unit attention ends any
		 * command but INQUIRY, REPORT LUNS and REQUEST SENSE, and is
		 * cleared by being reported.
		 */
		enum sense_reason alua;

		if (!(op->flags & SCSI_OP_F_NO_UA)) {
			uint32_t ua = scsi_itl_take_ua(itl);

			/*
			 * SAM-5 §5.14, SPC-4 Extended INQUIRY LUICLR (set, spc.c):
			 * REPORTED LUNS DATA HAS CHANGED, once reported through
			 * one LU, is cleared on every LU of the I_T nexus.
			 */
			if (ua == SCSI_UA_REPORTED_LUNS_CHANGED && cmd->nexus &&
			    cmd->nexus->clear_ua)
				cmd->nexus->clear_ua(cmd->nexus, ua);
			if (ua)
				return scsi_cmd_finish(cmd, scsi_ua_reason(ua));
		}
		/*
		 * SBC-4 §4.11.3, §4.11.4: a sanitize in progress, or failed,
		 * refuses all but a few. One that begins after this check waits
		 * for this command through the LU's range lock (sanitize.c, "The
		 * drain").
		 */
		if (atomic_load_explicit(&itl->lu->sanitize.state, memory_order_acquire)) {
			enum sense_reason r = sanitize_refuses(cmd, op);

			if (r != SENSE_OK)
				return scsi_cmd_finish(cmd, r);
		}
		/*
		 * SPC-4 §5.16: a target port in the standby, unavailable or
		 * transitioning state refuses all but a few commands; the
		 * unit attention that says it changed comes first.
		 */
		alua = alua_refuses(cmd, op);
		if (alua != SENSE_OK)
			return scsi_cmd_finish(cmd, alua);
		/*
		 * SPC-2 §5.5.1: while another nexus holds the unit reserved,
		 * commands but those that only inquire end in RESERVATION
		 * CONFLICT (a status, no sense data).
		 */
		if (!(op->flags & SCSI_OP_F_RESV_OK)) {
			struct scsi_itl *holder = atomic_load(&itl->lu->holder);

			if (holder && holder != itl)
				return scsi_cmd_conflict(cmd);
		}
		/*
		 * SPC-4 §5.13.1 table 65, SBC-3 table 13: what a persistent
		 * reservation refuses this nexus. Zero, and nothing more to
		 * read, while the LU has no persistent reservation.
		 */
		deny = atomic_load_explicit(&itl->pr_deny, memory_order_acquire);
		/*
		 * SAM-5 §5.3.1: a gateway re-reading a shared reservation state
		 * it may have missed a change of answers BUSY (the initiator
		 * retries) to all but the commands that only inquire.
		 */
		if ((deny & SCSI_PR_DENY_STALE) && !(op->flags & SCSI_OP_F_RESV_OK))
			return scsi_cmd_busy(cmd);
		if (deny && pr_cmd_conflicts(cmd, op, deny))
			return scsi_cmd_conflict(cmd);
		/* SBC-3: a removable LU without its medium refuses medium access (02/3A/00) */
		if ((op->flags & (SCSI_OP_F_MEDIUM | SCSI_OP_F_NEEDS_MEDIUM)) &&
		    atomic_load(&itl->lu->no_medium))
			return scsi_cmd_finish(cmd, SENSE_MEDIUM_NOT_PRESENT);
		/* SBC-3 §4.19: a stopped unit refuses medium access until started. */
		if ((op->flags & SCSI_OP_F_MEDIUM) && atomic_load(&itl->lu->stopped))
			return scsi_cmd_finish(cmd, SENSE_NOT_READY_STOPPED);
		/* SBC-3 §4.11: write protection ends every command that would change the medium. */
		if ((op->flags & SCSI_OP_F_WRITE) && scsi_cmd_write_protected(cmd))
			return scsi_cmd_finish(cmd, SENSE_WRITE_PROTECTED);
	}
	return op->exec(cmd);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iSCSI wire structures (RFC 7143 §11). Byte arrays only: every multi-byte
 * field is read and written through get_be and put_be.
 */
#ifndef PORTICO_TARGET_ISCSI_PROTO_H
#define PORTICO_TARGET_ISCSI_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "common/be.h"

#define ISCSI_BHS_LEN 48
#define ISCSI_DIGEST_LEN 4
#define ISCSI_RESERVED_TAG 0xffffffffu

/* RFC 7143 §11.2.1.2: opcodes. */
enum iscsi_opcode {
	/* initiator */
	ISCSI_OP_NOP_OUT = 0x00,
	ISCSI_OP_SCSI_CMD = 0x01,
	ISCSI_OP_TASK_MGMT_REQ = 0x02,
	ISCSI_OP_LOGIN_REQ = 0x03,
	ISCSI_OP_TEXT_REQ = 0x04,
	ISCSI_OP_DATA_OUT = 0x05,
	ISCSI_OP_LOGOUT_REQ = 0x06,
	ISCSI_OP_SNACK_REQ = 0x10,
	/* target */
	ISCSI_OP_NOP_IN = 0x20,
	ISCSI_OP_SCSI_RSP = 0x21,
	ISCSI_OP_TASK_MGMT_RSP = 0x22,
	ISCSI_OP_LOGIN_RSP = 0x23,
	ISCSI_OP_TEXT_RSP = 0x24,
	ISCSI_OP_DATA_IN = 0x25,
	ISCSI_OP_LOGOUT_RSP = 0x26,
	ISCSI_OP_R2T = 0x31,
	ISCSI_OP_ASYNC_MSG = 0x32,
	ISCSI_OP_REJECT = 0x3f,
};

#define ISCSI_OPCODE_MASK 0x3f
#define ISCSI_OP_IMMEDIATE 0x40 /* the I bit in byte 0 */
#define ISCSI_FLAG_FINAL 0x80 /* the F bit in byte 1 */

/* The generic BHS (§11.2.1). */
struct iscsi_bhs {
	uint8_t opcode;
	uint8_t flags;
	uint8_t opspec[2];
	uint8_t total_ahs_len; /* in 4-byte words */
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4];
	uint8_t opspec2[28];
};
_Static_assert(sizeof(struct iscsi_bhs) == ISCSI_BHS_LEN, "BHS is 48 bytes");

/*
 * Bytes 20 to 47 as every PDU that is numbered has them: each request but
 * Data-Out and SNACK carries its CmdSN and ExpStatSN there, each response
 * its StatSN, ExpCmdSN and MaxCmdSN (the PDUs of §11.3 to §11.19 below).
 */
struct iscsi_bhs_numbered {
	uint8_t generic[20]; /* struct iscsi_bhs, up to the Initiator Task Tag */
	uint8_t opspec[4];
	uint8_t sn[4];	     /* CmdSN (request) / StatSN (response) */
	uint8_t expsn[4];    /* ExpStatSN (request) / ExpCmdSN (response) */
	uint8_t maxcmdsn[4]; /* response only */
	uint8_t opspec2[12];
};
_Static_assert(sizeof(struct iscsi_bhs_numbered) == ISCSI_BHS_LEN, "numbered BHS");

/* SCSI Command (§11.3). */
#define ISCSI_CMD_FLAG_READ 0x40
#define ISCSI_CMD_FLAG_WRITE 0x20
#define ISCSI_CMD_ATTR_MASK 0x07
struct iscsi_scsi_cmd {
	uint8_t opcode;
	uint8_t flags; /* F R W . . ATTR */
	uint8_t rsvd[2];
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4];
	uint8_t edtl[4];
	uint8_t cmdsn[4];
	uint8_t expstatsn[4];
	uint8_t cdb[16];
};
_Static_assert(sizeof(struct iscsi_scsi_cmd) == ISCSI_BHS_LEN, "SCSI Command BHS");

/* AHS (§11.2.2): extended CDB type. */
#define ISCSI_AHS_EXTENDED_CDB 1
#define ISCSI_AHS_BIDI_READ_LEN 2

/* SCSI Response (§11.4). */
#define ISCSI_RSP_FLAG_BIDI_OVERFLOW 0x10
#define ISCSI_RSP_FLAG_BIDI_UNDERFLOW 0x08
#define ISCSI_RSP_FLAG_OVERFLOW 0x04
#define ISCSI_RSP_FLAG_UNDERFLOW 0x02
#define ISCSI_RSP_COMPLETED 0x00
#define ISCSI_RSP_TARGET_FAILURE 0x01
struct iscsi_scsi_rsp {
	uint8_t opcode;
	uint8_t flags;
	uint8_t response;
	uint8_t status;
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t rsvd[8];
	uint8_t itt[4];
	uint8_t snack_tag[4];
	uint8_t statsn[4];
	uint8_t expcmdsn[4];
	uint8_t maxcmdsn[4];
	uint8_t expdatasn[4];
	uint8_t bidi_residual[4];
	uint8_t residual[4];
};
_Static_assert(sizeof(struct iscsi_scsi_rsp) == ISCSI_BHS_LEN, "SCSI Response BHS");

/* Task Management Function Request/Response (§11.5, §11.6). */
enum iscsi_tmf_func {
	ISCSI_TMF_ABORT_TASK = 1,
	ISCSI_TMF_ABORT_TASK_SET = 2,
	ISCSI_TMF_CLEAR_ACA = 3,
	ISCSI_TMF_CLEAR_TASK_SET = 4,
	ISCSI_TMF_LOGICAL_UNIT_RESET = 5,
	ISCSI_TMF_TARGET_WARM_RESET = 6,
	ISCSI_TMF_TARGET_COLD_RESET = 7,
	ISCSI_TMF_TASK_REASSIGN = 8,
};
enum iscsi_tmf_response {
	ISCSI_TMF_RSP_COMPLETE = 0,
	ISCSI_TMF_RSP_NO_TASK = 1,
	ISCSI_TMF_RSP_NO_LUN = 2,
	ISCSI_TMF_RSP_TASK_ALLEGIANT = 3,
	ISCSI_TMF_RSP_NO_FAILOVER = 4,
	ISCSI_TMF_RSP_NOT_SUPPORTED = 5,
	ISCSI_TMF_RSP_AUTH_FAILED = 6,
	ISCSI_TMF_RSP_REJECTED = 255,
};
struct iscsi_tmf_req {
	uint8_t opcode;
	uint8_t function; /* F bit | function */
	uint8_t rsvd[2];
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4];
	uint8_t rtt[4]; /* referenced task tag */
	uint8_t cmdsn[4];
	uint8_t expstatsn[4];
	uint8_t refcmdsn[4];
	uint8_t expdatasn[4];
	uint8_t rsvd2[8];
};
_Static_assert(sizeof(struct iscsi_tmf_req) == ISCSI_BHS_LEN, "TMF Request BHS");

struct iscsi_tmf_rsp {
	uint8_t opcode;
	uint8_t flags;
	uint8_t response;
	uint8_t rsvd;
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t rsvd2[8];
	uint8_t itt[4];
	uint8_t rsvd3[4];
	uint8_t statsn[4];
	uint8_t expcmdsn[4];
	uint8_t maxcmdsn[4];
	uint8_t rsvd4[12];
};
_Static_assert(sizeof(struct iscsi_tmf_rsp) == ISCSI_BHS_LEN, "TMF Response BHS");

/* SCSI Data-Out / Data-In (§11.7). */
#define ISCSI_DATA_FLAG_ACK 0x40
#define ISCSI_DATA_FLAG_OVERFLOW 0x04
#define ISCSI_DATA_FLAG_UNDERFLOW 0x02
#define ISCSI_DATA_FLAG_STATUS 0x01
struct iscsi_data_out {
	uint8_t opcode;
	uint8_t flags;
	uint8_t rsvd[2];
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4];
	uint8_t ttt[4];
	uint8_t rsvd2[4];
	uint8_t expstatsn[4];
	uint8_t rsvd3[4];
	uint8_t datasn[4];
	uint8_t buffer_offset[4];
	uint8_t rsvd4[4];
};
_Static_assert(sizeof(struct iscsi_data_out) == ISCSI_BHS_LEN, "Data-Out BHS");

struct iscsi_data_in {
	uint8_t opcode;
	uint8_t flags; /* F A . . . O U S */
	uint8_t rsvd;
	uint8_t status;
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4];
	uint8_t ttt[4];
	uint8_t statsn[4];
	uint8_t expcmdsn[4];
	uint8_t maxcmdsn[4];
	uint8_t datasn[4];
	uint8_t buffer_offset[4];
	uint8_t residual[4];
};
_Static_assert(sizeof(struct iscsi_data_in) == ISCSI_BHS_LEN, "Data-In BHS");

/* R2T (§11.8). */
struct iscsi_r2t_pdu {
	uint8_t opcode;
	uint8_t flags;
	uint8_t rsvd[2];
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4];
	uint8_t ttt[4];
	uint8_t statsn[4];
	uint8_t expcmdsn[4];
	uint8_t maxcmdsn[4];
	uint8_t r2tsn[4];
	uint8_t buffer_offset[4];
	uint8_t desired_len[4];
};
_Static_assert(sizeof(struct iscsi_r2t_pdu) == ISCSI_BHS_LEN, "R2T BHS");

/* Asynchronous Message (§11.9). */
enum iscsi_async_event {
	ISCSI_ASYNC_SCSI_EVENT = 0,
	ISCSI_ASYNC_LOGOUT_REQUEST = 1,
	ISCSI_ASYNC_DROP_CONNECTION = 2,
	ISCSI_ASYNC_DROP_ALL_CONNECTIONS = 3,
	ISCSI_ASYNC_RENEGOTIATE = 4,
	ISCSI_ASYNC_VENDOR = 255,
};
struct iscsi_async_msg {
	uint8_t opcode;
	uint8_t flags;
	uint8_t rsvd[2];
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4]; /* 0xffffffff */
	uint8_t rsvd2[4];
	uint8_t statsn[4];
	uint8_t expcmdsn[4];
	uint8_t maxcmdsn[4];
	uint8_t async_event;
	uint8_t async_vcode;
	uint8_t param1[2];
	uint8_t param2[2];
	uint8_t param3[2];
	uint8_t rsvd3[4];
};
_Static_assert(sizeof(struct iscsi_async_msg) == ISCSI_BHS_LEN, "Async Message BHS");

/* Text Request/Response (§11.10, §11.11). */
#define ISCSI_TEXT_FLAG_CONTINUE 0x40
struct iscsi_text_hdr {
	uint8_t opcode;
	uint8_t flags; /* F C */
	uint8_t rsvd[2];
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4];
	uint8_t ttt[4];
	uint8_t sn[4]; /* CmdSN (request) / StatSN (response) */
	uint8_t expsn[4]; /* ExpStatSN (request) / ExpCmdSN (response) */
	uint8_t maxcmdsn[4]; /* response only */
	uint8_t rsvd2[12];
};
_Static_assert(sizeof(struct iscsi_text_hdr) == ISCSI_BHS_LEN, "Text BHS");

/* Login Request/Response (§11.12, §11.13). */
#define ISCSI_LOGIN_FLAG_TRANSIT 0x80
#define ISCSI_LOGIN_FLAG_CONTINUE 0x40
#define ISCSI_LOGIN_CSG_SHIFT 2
#define ISCSI_LOGIN_CSG_MASK 0x0c
#define ISCSI_LOGIN_NSG_MASK 0x03
enum iscsi_login_stage {
	ISCSI_STAGE_SECURITY = 0,
	ISCSI_STAGE_OPERATIONAL = 1,
	ISCSI_STAGE_FULL_FEATURE = 3,
};
struct iscsi_login_req {
	uint8_t opcode;
	uint8_t flags; /* T C . . CSG NSG */
	uint8_t version_max;
	uint8_t version_min;
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t isid[6];
	uint8_t tsih[2];
	uint8_t itt[4];
	uint8_t cid[2];
	uint8_t rsvd[2];
	uint8_t cmdsn[4];
	uint8_t expstatsn[4];
	uint8_t rsvd2[16];
};
_Static_assert(sizeof(struct iscsi_login_req) == ISCSI_BHS_LEN, "Login Request BHS");

struct iscsi_login_rsp {
	uint8_t opcode;
	uint8_t flags;
	uint8_t version_max;
	uint8_t version_active;
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t isid[6];
	uint8_t tsih[2];
	uint8_t itt[4];
	uint8_t rsvd[4];
	uint8_t statsn[4];
	uint8_t expcmdsn[4];
	uint8_t maxcmdsn[4];
	uint8_t status_class;
	uint8_t status_detail;
	uint8_t rsvd2[10];
};
_Static_assert(sizeof(struct iscsi_login_rsp) == ISCSI_BHS_LEN, "Login Response BHS");

/* §11.13.5: login status (class << 8 | detail). */
#define ISCSI_LOGIN_STATUS(cls, det) ((uint16_t)((cls) << 8 | (det)))
enum iscsi_login_status {
	ISCSI_LOGIN_OK = ISCSI_LOGIN_STATUS(0, 0),
	ISCSI_LOGIN_TARGET_MOVED_TEMP = ISCSI_LOGIN_STATUS(1, 1),
	ISCSI_LOGIN_TARGET_MOVED_PERM = ISCSI_LOGIN_STATUS(1, 2),
	ISCSI_LOGIN_INITIATOR_ERROR = ISCSI_LOGIN_STATUS(2, 0),
	ISCSI_LOGIN_AUTH_FAILURE = ISCSI_LOGIN_STATUS(2, 1),
	ISCSI_LOGIN_AUTHORIZATION_FAILURE = ISCSI_LOGIN_STATUS(2, 2),
	ISCSI_LOGIN_NOT_FOUND = ISCSI_LOGIN_STATUS(2, 3),
	ISCSI_LOGIN_TARGET_REMOVED = ISCSI_LOGIN_STATUS(2, 4),
	ISCSI_LOGIN_UNSUPPORTED_VERSION = ISCSI_LOGIN_STATUS(2, 5),
	ISCSI_LOGIN_TOO_MANY_CONNECTIONS = ISCSI_LOGIN_STATUS(2, 6),
	ISCSI_LOGIN_MISSING_PARAMETER = ISCSI_LOGIN_STATUS(2, 7),
	ISCSI_LOGIN_CANT_INCLUDE_IN_SESSION = ISCSI_LOGIN_STATUS(2, 8),
	ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED = ISCSI_LOGIN_STATUS(2, 9),
	ISCSI_LOGIN_SESSION_DOES_NOT_EXIST = ISCSI_LOGIN_STATUS(2, 10),
	ISCSI_LOGIN_INVALID_DURING_LOGIN = ISCSI_LOGIN_STATUS(2, 11),
	ISCSI_LOGIN_TARGET_ERROR = ISCSI_LOGIN_STATUS(3, 0),
	ISCSI_LOGIN_SERVICE_UNAVAILABLE = ISCSI_LOGIN_STATUS(3, 1),
	ISCSI_LOGIN_OUT_OF_RESOURCES = ISCSI_LOGIN_STATUS(3, 2),
};

/* Logout Request/Response (§11.14, §11.15). */
enum iscsi_logout_reason {
	ISCSI_LOGOUT_CLOSE_SESSION = 0,
	ISCSI_LOGOUT_CLOSE_CONNECTION = 1,
	ISCSI_LOGOUT_REMOVE_FOR_RECOVERY = 2,
};
enum iscsi_logout_response {
	ISCSI_LOGOUT_RSP_OK = 0,
	ISCSI_LOGOUT_RSP_CID_NOT_FOUND = 1,
	ISCSI_LOGOUT_RSP_RECOVERY_UNSUPPORTED = 2,
	ISCSI_LOGOUT_RSP_CLEANUP_FAILED = 3,
};
struct iscsi_logout_req {
	uint8_t opcode;
	uint8_t flags; /* F | reason */
	uint8_t rsvd[2];
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t rsvd2[8];
	uint8_t itt[4];
	uint8_t cid[2];
	uint8_t rsvd3[2];
	uint8_t cmdsn[4];
	uint8_t expstatsn[4];
	uint8_t rsvd4[16];
};
_Static_assert(sizeof(struct iscsi_logout_req) == ISCSI_BHS_LEN, "Logout Request BHS");

struct iscsi_logout_rsp {
	uint8_t opcode;
	uint8_t flags;
	uint8_t response;
	uint8_t rsvd;
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t rsvd2[8];
	uint8_t itt[4];
	uint8_t rsvd3[4];
	uint8_t statsn[4];
	uint8_t expcmdsn[4];
	uint8_t maxcmdsn[4];
	uint8_t rsvd4[4];
	uint8_t time2wait[2];
	uint8_t time2retain[2];
	uint8_t rsvd5[4];
};
_Static_assert(sizeof(struct iscsi_logout_rsp) == ISCSI_BHS_LEN, "Logout Response BHS");

/* NOP-Out / NOP-In (§11.18, §11.19). */
struct iscsi_nop {
	uint8_t opcode;
	uint8_t flags;
	uint8_t rsvd[2];
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4];
	uint8_t ttt[4];
	uint8_t sn[4]; /* CmdSN (NOP-Out) / StatSN (NOP-In) */
	uint8_t expsn[4]; /* ExpStatSN / ExpCmdSN */
	uint8_t maxcmdsn[4]; /* NOP-In only */
	uint8_t rsvd2[12];
};
_Static_assert(sizeof(struct iscsi_nop) == ISCSI_BHS_LEN, "NOP BHS");

/* Reject (§11.17). */
enum iscsi_reject_reason {
	ISCSI_REJECT_DATA_DIGEST_ERROR = 0x02,
	ISCSI_REJECT_SNACK_REJECT = 0x03,
	ISCSI_REJECT_PROTOCOL_ERROR = 0x04,
	ISCSI_REJECT_CMD_NOT_SUPPORTED = 0x05,
	ISCSI_REJECT_IMMEDIATE_CMD_REJECT = 0x06,
	ISCSI_REJECT_TASK_IN_PROGRESS = 0x07,
	ISCSI_REJECT_INVALID_DATA_ACK = 0x08,
	ISCSI_REJECT_INVALID_PDU_FIELD = 0x09,
	ISCSI_REJECT_LONG_OP_REJECT = 0x0a,
	ISCSI_REJECT_DEPRECATED = 0x0b,
	ISCSI_REJECT_WAITING_FOR_LOGOUT = 0x0c,
};
struct iscsi_reject {
	uint8_t opcode;
	uint8_t flags;
	uint8_t reason;
	uint8_t rsvd;
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t rsvd2[8];
	uint8_t itt[4]; /* 0xffffffff */
	uint8_t rsvd3[4];
	uint8_t statsn[4];
	uint8_t expcmdsn[4];
	uint8_t maxcmdsn[4];
	uint8_t datasn_r2tsn[4];
	uint8_t rsvd4[8];
};
_Static_assert(sizeof(struct iscsi_reject) == ISCSI_BHS_LEN, "Reject BHS");

/* SNACK (§11.16). */
struct iscsi_snack {
	uint8_t opcode;
	uint8_t flags; /* F | type */
	uint8_t rsvd[2];
	uint8_t total_ahs_len;
	uint8_t data_seg_len[3];
	uint8_t lun[8];
	uint8_t itt[4];
	uint8_t ttt[4];
	uint8_t rsvd2[4];
	uint8_t expstatsn[4];
	uint8_t rsvd3[8];
	uint8_t begrun[4];
	uint8_t runlength[4];
};
_Static_assert(sizeof(struct iscsi_snack) == ISCSI_BHS_LEN, "SNACK BHS");

/*
 * Named reads and writes of a BHS held as bytes (bhs points at
 * ISCSI_BHS_LEN of them), so that no caller reads an offset.
 */

/* §11.2.1.2: the opcode, without the I bit. */
static inline uint8_t iscsi_bhs_opcode(const uint8_t *bhs)
{
	return ((const struct iscsi_bhs *)bhs)->opcode & ISCSI_OPCODE_MASK;
}

/* §11.2.1.1: the I bit, immediate delivery of a request. */
static inline bool iscsi_bhs_immediate(const uint8_t *bhs)
{
	return ((const struct iscsi_bhs *)bhs)->opcode & ISCSI_OP_IMMEDIATE;
}

/* §11.2.1.5: TotalAHSLength, in bytes (the field counts 4-byte words). */
static inline uint32_t iscsi_bhs_ahs_len(const uint8_t *bhs)
{
	return ((const struct iscsi_bhs *)bhs)->total_ahs_len * 4u;
}

/* §11.2.1.6: DataSegmentLength, in bytes, padding not counted. */
static inline uint32_t iscsi_bhs_dlen(const uint8_t *bhs)
{
	return get_be24(((const struct iscsi_bhs *)bhs)->data_seg_len);
}

static inline void iscsi_bhs_set_dlen(uint8_t *bhs, uint32_t len)
{
	put_be24(((struct iscsi_bhs *)bhs)->data_seg_len, len);
}

/* The CmdSN of a numbered request (struct iscsi_bhs_numbered). */
static inline uint32_t iscsi_bhs_cmdsn(const uint8_t *bhs)
{
	return get_be32(((const struct iscsi_bhs_numbered *)bhs)->sn);
}

/* Fills the StatSN, ExpCmdSN and MaxCmdSN of a response (struct iscsi_bhs_numbered). */
static inline void iscsi_bhs_set_numbers(uint8_t *bhs, uint32_t statsn, uint32_t expcmdsn,
					 uint32_t maxcmdsn)
{
	struct iscsi_bhs_numbered *n = (struct iscsi_bhs_numbered *)bhs;

	put_be32(n->sn, statsn);
	put_be32(n->expsn, expcmdsn);
	put_be32(n->maxcmdsn, maxcmdsn);
}

static inline uint32_t iscsi_pad4(uint32_t len)
{
	return (len + 3u) & ~3u;
}

#endif

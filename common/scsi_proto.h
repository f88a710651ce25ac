/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SCSI wire definitions (SPC-4, SBC-3, SAM-5): operation codes, service
 * actions, VPD and mode page codes, and the fixed layouts the engine reads
 * and writes, as byte arrays with their sizes asserted. Multi-byte fields
 * go through get_be* / put_be*.
 */
#ifndef PORTICO_TARGET_SCSI_PROTO_H
#define PORTICO_TARGET_SCSI_PROTO_H

#include <stdint.h>

/* Operation codes (SPC-4 annex D, SBC-3 §5). */
enum scsi_opcode {
	SCSI_OP_TEST_UNIT_READY = 0x00,
	SCSI_OP_REQUEST_SENSE = 0x03,
	SCSI_OP_READ_6 = 0x08,
	SCSI_OP_WRITE_6 = 0x0a,
	SCSI_OP_INQUIRY = 0x12,
	SCSI_OP_MODE_SELECT_6 = 0x15,
	SCSI_OP_RESERVE_6 = 0x16,
	SCSI_OP_RELEASE_6 = 0x17,
	SCSI_OP_MODE_SENSE_6 = 0x1a,
	SCSI_OP_START_STOP_UNIT = 0x1b,
	SCSI_OP_PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1e,
	SCSI_OP_READ_CAPACITY_10 = 0x25,
	SCSI_OP_READ_10 = 0x28,
	SCSI_OP_WRITE_10 = 0x2a,
	SCSI_OP_WRITE_VERIFY_10 = 0x2e,
	SCSI_OP_VERIFY_10 = 0x2f,
	SCSI_OP_PRE_FETCH_10 = 0x34,
	SCSI_OP_SYNCHRONIZE_CACHE_10 = 0x35,
	SCSI_OP_READ_DEFECT_DATA_10 = 0x37,
	SCSI_OP_WRITE_SAME_10 = 0x41,
	SCSI_OP_UNMAP = 0x42,
	SCSI_OP_MODE_SELECT_10 = 0x55,
	SCSI_OP_MODE_SENSE_10 = 0x5a,
	SCSI_OP_PERSISTENT_RESERVE_IN = 0x5e,
	SCSI_OP_PERSISTENT_RESERVE_OUT = 0x5f,
	SCSI_OP_EXTENDED_COPY = 0x83,
	SCSI_OP_RECEIVE_COPY_RESULTS = 0x84,
	SCSI_OP_READ_16 = 0x88,
	SCSI_OP_WRITE_16 = 0x8a,
	SCSI_OP_COMPARE_AND_WRITE = 0x89,
	SCSI_OP_ORWRITE_16 = 0x8b,
	SCSI_OP_WRITE_VERIFY_16 = 0x8e,
	SCSI_OP_VERIFY_16 = 0x8f,
	SCSI_OP_PRE_FETCH_16 = 0x90,
	SCSI_OP_SYNCHRONIZE_CACHE_16 = 0x91,
	SCSI_OP_WRITE_SAME_16 = 0x93,
	SCSI_OP_WRITE_ATOMIC_16 = 0x9c, /* SBC-4 §5.48 */
	SCSI_OP_SERVICE_ACTION_IN_16 = 0x9e,
	SCSI_OP_REPORT_LUNS = 0xa0,
	SCSI_OP_MAINTENANCE_IN = 0xa3,
	SCSI_OP_MAINTENANCE_OUT = 0xa4,
	SCSI_OP_READ_12 = 0xa8,
	SCSI_OP_WRITE_12 = 0xaa,
	SCSI_OP_WRITE_VERIFY_12 = 0xae,
	SCSI_OP_VERIFY_12 = 0xaf,
	SCSI_OP_READ_DEFECT_DATA_12 = 0xb7,
};

/* SERVICE ACTION IN(16) service actions (SBC-3 §5.15, §5.16). */
enum scsi_sai_sa {
	SCSI_SAI_READ_CAPACITY_16 = 0x10,
	SCSI_SAI_GET_LBA_STATUS = 0x12,
};

/* MAINTENANCE IN service actions (SPC-4 §6.25, §6.35). */
enum scsi_mi_sa {
	SCSI_MI_REPORT_TARGET_PORT_GROUPS = 0x0a,
	SCSI_MI_REPORT_SUPPORTED_OPCODES = 0x0c,
};

/* EXTENDED COPY and RECEIVE COPY RESULTS service actions (SPC-4 §6.4, §6.18). */
enum scsi_xcopy_sa {
	SCSI_XCOPY_LID1 = 0x00,
};

enum scsi_rcr_sa {
	SCSI_RCR_COPY_STATUS = 0x00,
	SCSI_RCR_OPERATING_PARAMETERS = 0x03,
};

/* MAINTENANCE OUT service actions (SPC-4, SET TARGET PORT GROUPS). */
enum scsi_mo_sa {
	SCSI_MO_SET_TARGET_PORT_GROUPS = 0x0a,
};

/* PERSISTENT RESERVE IN service actions (SPC-4 §6.15.1). */
enum scsi_prin_sa {
	SCSI_PRIN_READ_KEYS = 0x00,
	SCSI_PRIN_READ_RESERVATION = 0x01,
	SCSI_PRIN_REPORT_CAPABILITIES = 0x02,
	SCSI_PRIN_READ_FULL_STATUS = 0x03,
};

/* PERSISTENT RESERVE OUT service actions (SPC-4 §6.16.1). */
enum scsi_prout_sa {
	SCSI_PROUT_REGISTER = 0x00,
	SCSI_PROUT_RESERVE = 0x01,
	SCSI_PROUT_RELEASE = 0x02,
	SCSI_PROUT_CLEAR = 0x03,
	SCSI_PROUT_PREEMPT = 0x04,
	SCSI_PROUT_PREEMPT_AND_ABORT = 0x05,
	SCSI_PROUT_REGISTER_AND_IGNORE = 0x06,
	SCSI_PROUT_REGISTER_AND_MOVE = 0x07,
};

/* Persistent reservation types (SPC-4 §6.15.3.4); 0 is not a type, here: no reservation. */
enum scsi_pr_type {
	SCSI_PR_TYPE_NONE = 0x0,
	SCSI_PR_TYPE_WE = 0x1,	  /* Write Exclusive */
	SCSI_PR_TYPE_EA = 0x3,	  /* Exclusive Access */
	SCSI_PR_TYPE_WE_RO = 0x5, /* Write Exclusive - Registrants Only */
	SCSI_PR_TYPE_EA_RO = 0x6, /* Exclusive Access - Registrants Only */
	SCSI_PR_TYPE_WE_AR = 0x7, /* Write Exclusive - All Registrants */
	SCSI_PR_TYPE_EA_AR = 0x8, /* Exclusive Access - All Registrants */
};

#define SCSI_PR_SCOPE_LU 0x0

/* PERSISTENT RESERVE OUT basic parameter list (SPC-4 §6.16.3). */
struct scsi_prout_params {
	uint8_t key[8];	   /* RESERVATION KEY */
	uint8_t sa_key[8]; /* SERVICE ACTION RESERVATION KEY */
	uint8_t obsolete[4];
	uint8_t flags; /* SPEC_I_PT, ALL_TG_PT, APTPL */
	uint8_t reserved;
	uint8_t obsolete2[2];
};
_Static_assert(sizeof(struct scsi_prout_params) == 24, "PROUT parameter list is 24 bytes");

#define SCSI_PROUT_F_SPEC_I_PT 0x08
#define SCSI_PROUT_F_ALL_TG_PT 0x04
#define SCSI_PROUT_F_APTPL 0x01

/* READ RESERVATION's reservation descriptor (SPC-4 §6.15.3.1). */
struct scsi_prin_resv_desc {
	uint8_t key[8];
	uint8_t obsolete[4];
	uint8_t reserved;
	uint8_t scope_type;
	uint8_t obsolete2[2];
};
_Static_assert(sizeof(struct scsi_prin_resv_desc) == 16, "reservation descriptor is 16 bytes");

/* READ FULL STATUS's full status descriptor, up to the TransportID (SPC-4 §6.15.5). */
struct scsi_prin_full_desc {
	uint8_t key[8];
	uint8_t reserved[4];
	uint8_t flags; /* ALL_TG_PT, R_HOLDER */
	uint8_t scope_type;
	uint8_t reserved2[4];
	uint8_t rtpi[2];    /* RELATIVE TARGET PORT IDENTIFIER */
	uint8_t add_len[4]; /* ADDITIONAL DESCRIPTOR LENGTH: the TransportID's */
};
_Static_assert(sizeof(struct scsi_prin_full_desc) == 24,
	       "full status descriptor header is 24 bytes");

#define SCSI_PRIN_F_ALL_TG_PT 0x02
#define SCSI_PRIN_F_R_HOLDER 0x01

/* iSCSI TransportID, FORMAT CODE 01b: the initiator port name (SPC-4 §7.6.4.6). */
#define SCSI_TRANSPORTID_ISCSI_PORT (0x40 | SCSI_PROTOCOL_ISCSI)

/* Vital product data pages (SPC-4 §7.8, SBC-3 §6.5). */
enum scsi_vpd_page {
	SCSI_VPD_SUPPORTED_PAGES = 0x00,
	SCSI_VPD_UNIT_SERIAL = 0x80,
	SCSI_VPD_DEVICE_ID = 0x83,
	SCSI_VPD_EXTENDED_INQUIRY = 0x86,
	SCSI_VPD_THIRD_PARTY_COPY = 0x8f,
	SCSI_VPD_BLOCK_LIMITS = 0xb0,
	SCSI_VPD_BLOCK_DEVICE_CHARACTERISTICS = 0xb1,
	SCSI_VPD_LOGICAL_BLOCK_PROVISIONING = 0xb2,
};

/* Mode pages (SPC-4 §7.5, SBC-3 §6.4). */
enum scsi_mode_page {
	SCSI_MODE_PAGE_RW_ERROR_RECOVERY = 0x01,
	SCSI_MODE_PAGE_CACHING = 0x08,
	SCSI_MODE_PAGE_CONTROL = 0x0a,
	SCSI_MODE_PAGE_INFO_EXCEPTIONS = 0x1c,
	SCSI_MODE_PAGE_ALL = 0x3f,
};

#define SCSI_MODE_SUBPAGE_ALL 0xff

/* Page control field of MODE SENSE (SPC-4 §6.11.2). */
enum scsi_mode_pc {
	SCSI_MODE_PC_CURRENT = 0,
	SCSI_MODE_PC_CHANGEABLE = 1,
	SCSI_MODE_PC_DEFAULT = 2,
	SCSI_MODE_PC_SAVED = 3,
};

/* Sense keys (SPC-4 §4.5.6). */
enum scsi_sense_key {
	SCSI_SENSE_KEY_NO_SENSE = 0x0,
	SCSI_SENSE_KEY_NOT_READY = 0x2,
	SCSI_SENSE_KEY_MEDIUM_ERROR = 0x3,
	SCSI_SENSE_KEY_HARDWARE_ERROR = 0x4,
	SCSI_SENSE_KEY_ILLEGAL_REQUEST = 0x5,
	SCSI_SENSE_KEY_UNIT_ATTENTION = 0x6,
	SCSI_SENSE_KEY_DATA_PROTECT = 0x7,
	SCSI_SENSE_KEY_COPY_ABORTED = 0xa,
	SCSI_SENSE_KEY_ABORTED_COMMAND = 0xb,
	SCSI_SENSE_KEY_MISCOMPARE = 0xe,
};

#define SCSI_SENSE_FIXED_CURRENT 0x70
#define SCSI_SENSE_DESC_CURRENT 0x72
#define SCSI_SENSE_FIXED_LEN 18
#define SCSI_SENSE_VALID 0x80	/* fixed format: the INFORMATION field is valid */
#define SCSI_SENSE_SKSV 0x80	/* sense key specific valid */
#define SCSI_SENSE_SKS_CD 0x40	/* field pointer: in the CDB (1) or parameter list (0) */
#define SCSI_SENSE_SKS_BPV 0x08 /* bit pointer valid */
#define SCSI_SENSE_DESC_INFORMATION 0x00
#define SCSI_SENSE_DESC_SKS 0x02

/* Fixed format sense data (SPC-4 §4.5.3). */
struct scsi_sense_fixed {
	uint8_t response_code; /* VALID | 70h */
	uint8_t obsolete;
	uint8_t key; /* FILEMARK EOM ILI SDAT_OVFL | SENSE KEY */
	uint8_t information[4];
	uint8_t additional_len;
	uint8_t cmd_specific[4];
	uint8_t asc;
	uint8_t ascq;
	uint8_t fru;
	uint8_t sks[3];
};
_Static_assert(sizeof(struct scsi_sense_fixed) == SCSI_SENSE_FIXED_LEN, "fixed sense is 18 bytes");

/* Descriptor format sense data header (SPC-4 §4.5.2). */
struct scsi_sense_desc_hdr {
	uint8_t response_code; /* 72h */
	uint8_t key;
	uint8_t asc;
	uint8_t ascq;
	uint8_t reserved[3];
	uint8_t additional_len;
};
_Static_assert(sizeof(struct scsi_sense_desc_hdr) == 8, "descriptor sense header is 8 bytes");

/* Standard INQUIRY data (SPC-4 §6.4.2), the part we fill. */
#define SCSI_INQUIRY_STD_LEN 66		   /* through the version descriptors we report */
#define SCSI_INQUIRY_PQ_NOT_CONNECTED 0x60 /* peripheral qualifier 011b */
#define SCSI_INQUIRY_TYPE_DISK 0x00
#define SCSI_INQUIRY_TYPE_UNKNOWN 0x1f
#define SCSI_INQUIRY_VERSION_SPC4 0x06

/* Version descriptors (SPC-4 table 30). */
#define SCSI_VERSION_SAM5 0x00a0
#define SCSI_VERSION_SPC4 0x0460
#define SCSI_VERSION_SBC3 0x04c0
#define SCSI_VERSION_ISCSI 0x0960

/* Standard INQUIRY data through PRODUCT REVISION LEVEL (SPC-4 §6.4.2). */
struct scsi_inquiry_std {
	uint8_t pq_type; /* PERIPHERAL QUALIFIER | PERIPHERAL DEVICE TYPE */
	uint8_t rmb;
	uint8_t version;
	uint8_t flags3;	 /* NORMACA | HISUP | RESPONSE DATA FORMAT */
	uint8_t add_len; /* ADDITIONAL LENGTH */
	uint8_t flags5;
	uint8_t flags6;
	uint8_t flags7;
	uint8_t vendor[8];   /* T10 VENDOR IDENTIFICATION, ASCII, space padded */
	uint8_t product[16]; /* PRODUCT IDENTIFICATION */
	uint8_t revision[4]; /* PRODUCT REVISION LEVEL */
};
_Static_assert(sizeof(struct scsi_inquiry_std) == 36, "standard INQUIRY data is 36 bytes here");

/* The header every VPD page starts with (SPC-4 §7.8.1). */
struct scsi_vpd_hdr {
	uint8_t pq_type;     /* PERIPHERAL QUALIFIER | PERIPHERAL DEVICE TYPE */
	uint8_t page_code;   /* PAGE CODE */
	uint8_t page_len[2]; /* PAGE LENGTH: the bytes that follow this header */
};
_Static_assert(sizeof(struct scsi_vpd_hdr) == 4, "VPD page header is 4 bytes");

/* A designation descriptor of VPD page 83h, up to its DESIGNATOR (SPC-4 §7.8.6). */
struct scsi_desig_hdr {
	uint8_t proto_codeset;	/* PROTOCOL IDENTIFIER (bits 7-4) | CODE SET (bits 3-0) */
	uint8_t piv_assoc_type; /* PIV | reserved | ASSOCIATION (5-4) | DESIGNATOR TYPE (3-0) */
	uint8_t reserved;
	uint8_t len; /* DESIGNATOR LENGTH: the bytes that follow this header */
};
_Static_assert(sizeof(struct scsi_desig_hdr) == 4, "designation descriptor header is 4 bytes");

#define SCSI_DESIG_PROTO_SHIFT 4
#define SCSI_DESIG_CODESET_MASK 0x0f
#define SCSI_DESIG_PIV 0x80
#define SCSI_DESIG_ASSOC_MASK 0x30
#define SCSI_DESIG_TYPE_MASK 0x0f
#define SCSI_DESIG_LEN_MAX 255

/* CODE SET (SPC-4 §7.8.6); 0h and 4h-Fh are reserved. */
#define SCSI_DESIG_CODESET_BINARY 0x1
#define SCSI_DESIG_CODESET_ASCII 0x2
#define SCSI_DESIG_CODESET_UTF8 0x3

/* ASSOCIATION, as it sits in byte 1 of the descriptor (SPC-4 §7.8.6). */
#define SCSI_DESIG_ASSOC_LU 0x00
#define SCSI_DESIG_ASSOC_PORT 0x10
#define SCSI_DESIG_ASSOC_TARGET 0x20
#define SCSI_DESIG_ASSOC_RESERVED 0x30

/* DESIGNATOR TYPE (SPC-4 §7.8.6; UUID was added by SPC-5). */
#define SCSI_DESIG_TYPE_VENDOR 0x0
#define SCSI_DESIG_TYPE_T10 0x1
#define SCSI_DESIG_TYPE_EUI64 0x2
#define SCSI_DESIG_TYPE_NAA 0x3
#define SCSI_DESIG_TYPE_REL_PORT 0x4
#define SCSI_DESIG_TYPE_TPG 0x5
#define SCSI_DESIG_TYPE_LU_GROUP 0x6
#define SCSI_DESIG_TYPE_MD5 0x7
#define SCSI_DESIG_TYPE_SCSI_NAME 0x8
#define SCSI_DESIG_TYPE_PROTO_PORT 0x9
#define SCSI_DESIG_TYPE_UUID 0xa

/* NAA field, the high nibble of an NAA designator (SPC-4 §7.8.6.6.1). */
#define SCSI_NAA_IEEE_EXT 0x2
#define SCSI_NAA_LOCAL 0x3
#define SCSI_NAA_IEEE_REG 0x5
#define SCSI_NAA_IEEE_REG_EXT 0x6

#define SCSI_T10_VENDOR_LEN 8 /* T10 VENDOR IDENTIFICATION (SPC-4 §7.8.6.4) */

/* Relative target port and target port group designators (SPC-4 §7.8.6.7, §7.8.6.8). */
struct scsi_desig_port_id {
	uint8_t reserved[2];
	uint8_t id[2]; /* RELATIVE TARGET PORT IDENTIFIER, or TARGET PORT GROUP */
};
_Static_assert(sizeof(struct scsi_desig_port_id) == 4, "port designators are 4 bytes");

/* PROTOCOL IDENTIFIER (SPC-4 §7.6.1). */
#define SCSI_PROTOCOL_ISCSI 0x5

/*
 * Asymmetric logical unit access (SPC-4 §5.16): the TPGS field of standard
 * INQUIRY data (byte 5, bits 5-4), the asymmetric access states, and the
 * parameter data of REPORT TARGET PORT GROUPS and SET TARGET PORT GROUPS.
 */
#define SCSI_INQUIRY_TPGS_SHIFT 4
#define SCSI_TPGS_IMPLICIT 0x1 /* implicit transitions: the device server changes states */
#define SCSI_TPGS_EXPLICIT 0x2 /* explicit transitions: SET TARGET PORT GROUPS */

/* ASYMMETRIC ACCESS STATE (SPC-4 §5.16.2.4, REPORT TARGET PORT GROUPS). */
enum scsi_alua_state {
	SCSI_ALUA_ACTIVE_OPTIMIZED = 0x0,
	SCSI_ALUA_ACTIVE_NON_OPTIMIZED = 0x1,
	SCSI_ALUA_STANDBY = 0x2,
	SCSI_ALUA_UNAVAILABLE = 0x3,
	SCSI_ALUA_LBA_DEPENDENT = 0x4,
	SCSI_ALUA_OFFLINE = 0xe,
	SCSI_ALUA_TRANSITIONING = 0xf,
};

/* STATUS CODE of a target port group descriptor: why its state is what it is. */
enum scsi_alua_status {
	SCSI_ALUA_STATUS_NONE = 0x00,
	SCSI_ALUA_STATUS_BY_STPG = 0x01,     /* altered by SET TARGET PORT GROUPS */
	SCSI_ALUA_STATUS_BY_IMPLICIT = 0x02, /* altered by the device server itself */
};

/* REPORT TARGET PORT GROUPS PARAMETER DATA FORMAT (CDB byte 1, bits 7-5). */
#define SCSI_RTPG_FORMAT_SHIFT 5
#define SCSI_RTPG_FORMAT_LENGTH 0x0   /* the 4-byte RETURN DATA LENGTH only */
#define SCSI_RTPG_FORMAT_EXTENDED 0x1 /* and FORMAT TYPE, IMPLICIT TRANSITION TIME */

/* The extended header of REPORT TARGET PORT GROUPS parameter data. */
struct scsi_rtpg_ext_hdr {
	uint8_t len[4];		 /* RETURN DATA LENGTH: the bytes that follow these 4 */
	uint8_t format;		 /* FORMAT TYPE (bits 6-4) */
	uint8_t transition_time; /* IMPLICIT TRANSITION TIME, seconds; 0: not specified */
	uint8_t reserved[2];
};
_Static_assert(sizeof(struct scsi_rtpg_ext_hdr) == 8, "RTPG extended header is 8 bytes");

/* A target port group descriptor, before its target port descriptors. */
struct scsi_tpg_desc {
	uint8_t state;	  /* PREF (bit 7), RTPG_FMT (bits 6-4), ASYMMETRIC ACCESS STATE (3-0) */
	uint8_t sup;	  /* T_SUP, O_SUP, LBD_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP */
	uint8_t group[2]; /* TARGET PORT GROUP */
	uint8_t reserved;
	uint8_t status; /* STATUS CODE */
	uint8_t vendor;
	uint8_t nports; /* TARGET PORT COUNT */
};
_Static_assert(sizeof(struct scsi_tpg_desc) == 8, "target port group descriptor is 8 bytes");

#define SCSI_TPG_PREF 0x80
#define SCSI_TPG_STATE_MASK 0x0f
#define SCSI_TPG_SUP_T 0x80  /* transitioning */
#define SCSI_TPG_SUP_O 0x40  /* offline */
#define SCSI_TPG_SUP_LBD 0x10 /* logical block dependent */
#define SCSI_TPG_SUP_U 0x08  /* unavailable */
#define SCSI_TPG_SUP_S 0x04  /* standby */
#define SCSI_TPG_SUP_AN 0x02 /* active/non-optimized */
#define SCSI_TPG_SUP_AO 0x01 /* active/optimized */

/* A target port descriptor: one port of the group. */
struct scsi_tpg_port {
	uint8_t obsolete[2];
	uint8_t rel_port[2]; /* RELATIVE TARGET PORT IDENTIFIER */
};
_Static_assert(sizeof(struct scsi_tpg_port) == 4, "target port descriptor is 4 bytes");

/* A set target port group descriptor of SET TARGET PORT GROUPS, after a 4-byte header. */
struct scsi_stpg_desc {
	uint8_t state; /* ASYMMETRIC ACCESS STATE (bits 3-0) */
	uint8_t reserved;
	uint8_t group[2]; /* TARGET PORT GROUP OR RELATIVE TARGET PORT IDENTIFIER */
};
_Static_assert(sizeof(struct scsi_stpg_desc) == 4, "set target port group descriptor is 4 bytes");

#define SCSI_STPG_HDR_LEN 4

/* UNMAP block descriptor (SBC-3 §5.28.2). */
struct scsi_unmap_desc {
	uint8_t lba[8];
	uint8_t nblocks[4];
	uint8_t reserved[4];
};
_Static_assert(sizeof(struct scsi_unmap_desc) == 16, "UNMAP block descriptor is 16 bytes");

/* GET LBA STATUS descriptor (SBC-3 §5.16.2). */
struct scsi_lba_status_desc {
	uint8_t lba[8];
	uint8_t nblocks[4];
	uint8_t provisioning; /* 0: mapped, 1: deallocated, 2: anchored */
	uint8_t reserved[3];
};
_Static_assert(sizeof(struct scsi_lba_status_desc) == 16, "LBA status descriptor is 16 bytes");

#define SCSI_LBA_STATUS_MAPPED 0
#define SCSI_LBA_STATUS_DEALLOCATED 1

/* EXTENDED COPY (LID1) parameter list header (SPC-4 §6.4). */
struct scsi_xcopy_hdr {
	uint8_t list_id;
	uint8_t flags; /* STR (bit 5), LIST ID USAGE (bits 4-3), PRIORITY (bits 2-0) */
	uint8_t cscd_list_len[2];
	uint8_t reserved[4];
	uint8_t seg_list_len[4];
	uint8_t inline_len[4];
};
_Static_assert(sizeof(struct scsi_xcopy_hdr) == 16, "EXTENDED COPY LID1 header is 16 bytes");

#define SCSI_XCOPY_STR 0x20
#define SCSI_XCOPY_LIST_ID_USAGE(f) (((f) >> 3) & 0x3)
#define SCSI_XCOPY_PRIORITY(f) ((f) & 0x7)
/* LIST ID USAGE values (SPC-4) */
#define SCSI_XCOPY_LIST_ID_HOLD 0x0	/* list id valid, results held */
#define SCSI_XCOPY_LIST_ID_DISCARD 0x2	/* list id valid, results not held */
#define SCSI_XCOPY_LIST_ID_NONE 0x3	/* no list id (LIST IDENTIFIER zero) */

/* Descriptor type codes (SPC-4 §6.4). */
#define SCSI_XCOPY_SEG_BLOCK_TO_BLOCK 0x02
#define SCSI_XCOPY_CSCD_IDENT 0xe4

/* Identification descriptor CSCD descriptor (SPC-4 §6.4), with the block device parameters. */
struct scsi_xcopy_cscd_ident {
	uint8_t type;	     /* E4h */
	uint8_t dev_type;    /* LU ID TYPE (bits 7-6), NUL (bit 5), PERIPHERAL DEVICE TYPE */
	uint8_t rel_port[2]; /* RELATIVE INITIATOR PORT IDENTIFIER */
	uint8_t desig[20];   /* a designation descriptor (SPC-4 §7.8.6): 4-byte header, 16 */
	uint8_t reserved[4];
	uint8_t pad;	       /* PAD (bit 2) */
	uint8_t block_len[3]; /* DISK BLOCK LENGTH (SPC-4 §6.4) */
};
_Static_assert(sizeof(struct scsi_xcopy_cscd_ident) == 32, "CSCD descriptor is 32 bytes");

/* Block device to block device segment descriptor (SPC-4 §6.4). */
struct scsi_xcopy_seg_b2b {
	uint8_t type;	  /* 02h */
	uint8_t flags;	  /* DC (bit 1), CAT (bit 0) */
	uint8_t desc_len[2]; /* 0018h */
	uint8_t src[2];	  /* SOURCE CSCD DESCRIPTOR ID */
	uint8_t dst[2];	  /* DESTINATION CSCD DESCRIPTOR ID */
	uint8_t reserved[2];
	uint8_t nblocks[2]; /* BLOCK DEVICE NUMBER OF BLOCKS */
	uint8_t src_lba[8];
	uint8_t dst_lba[8];
};
_Static_assert(sizeof(struct scsi_xcopy_seg_b2b) == 28, "block to block segment is 28 bytes");

#define SCSI_XCOPY_SEG_HDR_LEN 4 /* type, flags, DESCRIPTOR LENGTH: what every segment starts with */

/* RECEIVE COPY RESULTS, COPY STATUS parameter data (SPC-4 §6.18). */
struct scsi_rcr_copy_status {
	uint8_t avail[4]; /* AVAILABLE DATA: 8 */
	uint8_t status;	  /* HDD (bit 7), COPY MANAGER STATUS (bits 6-0) */
	uint8_t segs[2];  /* SEGMENTS PROCESSED */
	uint8_t units;	  /* TRANSFER COUNT UNITS */
	uint8_t count[4]; /* TRANSFER COUNT */
};
_Static_assert(sizeof(struct scsi_rcr_copy_status) == 12, "copy status is 12 bytes");

/* RECEIVE COPY RESULTS, OPERATING PARAMETERS parameter data (SPC-4 §6.18), before the codes. */
struct scsi_rcr_op_params {
	uint8_t avail[4];
	uint8_t snlid; /* SNLID (bit 0) */
	uint8_t reserved1[3];
	uint8_t max_cscd[2];
	uint8_t max_segs[2];
	uint8_t max_desc_list[4];
	uint8_t max_seg_len[4];
	uint8_t max_inline[4];
	uint8_t held_limit[4];
	uint8_t max_stream_xfer[4];
	uint8_t reserved2[2];
	uint8_t total_copies[2];
	uint8_t max_copies;
	uint8_t data_seg_gran;
	uint8_t inline_gran;
	uint8_t held_gran;
	uint8_t reserved3[3];
	uint8_t codes_len; /* IMPLEMENTED DESCRIPTOR LIST LENGTH */
};
_Static_assert(sizeof(struct scsi_rcr_op_params) == 44, "operating parameters header is 44 bytes");

#endif

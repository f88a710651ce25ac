/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SCSI engine (SPC-4 / SBC-3 direct-access device), as the transport sees
 * it. The transport (iSCSI) hands a struct scsi_cmd: the CDB, the expected
 * transfer length and a contiguous data buffer; the engine knows nothing of
 * sockets, the transport nothing of CDBs.
 *
 * The life of a command:
 *   1. scsi_cmd_parse(): pure, decodes the CDB, sets dir and xfer_len, or
 *      returns a sense reason (the command then ends with CHECK CONDITION and
 *      the transport discards any data-out it still receives).
 *   2. the transport collects data-out (writes) into buf, or allocates buf
 *      (reads), buf_len bytes.
 *   3. scsi_cmd_exec(): runs the command. SCSI_EXEC_DONE: status, sense and
 *      data_len are set, no callback. SCSI_EXEC_ASYNC: cmd->done runs later
 *      on the calling thread's loop.
 */
#ifndef PORTICO_TARGET_SCSI_H
#define PORTICO_TARGET_SCSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "common/list.h"
#include "target/backstore/bs.h"
#include "target/scsi/range_lock.h"

#define SCSI_CDB_MAX 32
#define SCSI_SENSE_MAX 96

/*
 * The most one command moves (READ/WRITE/VERIFY data, in bytes). Advertised
 * as MAXIMUM TRANSFER LENGTH in the Block Limits VPD page; a longer request
 * ends with INVALID FIELD IN CDB. The transport may size its buffers by it.
 */
#define SCSI_MAX_XFER_BYTES (8u << 20)

/* SAM-5 status codes. */
#define SCSI_STATUS_GOOD 0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02
#define SCSI_STATUS_CONDITION_MET 0x04
#define SCSI_STATUS_BUSY 0x08
#define SCSI_STATUS_RESERVATION_CONFLICT 0x18
#define SCSI_STATUS_TASK_SET_FULL 0x28
#define SCSI_STATUS_ACA_ACTIVE 0x30
#define SCSI_STATUS_TASK_ABORTED 0x40

/*
 * Why a command failed. Each value maps to (sense key, ASC, ASCQ) in exactly
 * one table, in sense.c. SENSE_OK means no sense data.
 */
enum sense_reason {
	SENSE_OK = 0,
	SENSE_INVALID_OPCODE,
	SENSE_INVALID_FIELD_IN_CDB,
	SENSE_INVALID_FIELD_IN_PARAM_LIST,
	SENSE_PARAM_LIST_LENGTH_ERROR,
	SENSE_LBA_OUT_OF_RANGE,
	SENSE_LUN_NOT_SUPPORTED,
	SENSE_SAVING_PARAMS_UNSUP,
	SENSE_WRITE_PROTECTED,
	SENSE_SPACE_ALLOC_FAILED, /* thin store out of space: 07/27/07 */
	SENSE_READ_ERROR,
	SENSE_WRITE_ERROR,
	SENSE_MISCOMPARE, /* VERIFY with BYTCHK: 0E/1D/00 */
	SENSE_INTERNAL_TARGET_FAILURE,
	SENSE_NOT_READY_STOPPED, /* START STOP UNIT stopped it: 02/04/02 */
	SENSE_INSUFFICIENT_RESOURCES,
	SENSE_TOO_MANY_SEGMENT_DESCRIPTORS,
	SENSE_INVALID_FIELD_IN_COMMAND_IU,
	SENSE_INVALID_RELEASE_OF_PR,		   /* 05/26/04 */
	SENSE_INSUFFICIENT_REGISTRATION_RESOURCES, /* 05/55/04 */
	/* SPC-4 §5.16: what a target port's asymmetric access state refuses */
	SENSE_ALUA_TRANSITIONING, /* 02/04/0A */
	SENSE_ALUA_STANDBY,	  /* 02/04/0B */
	SENSE_ALUA_UNAVAILABLE,	  /* 02/04/0C */
	/* removable media (sbc_media.c) */
	SENSE_MEDIUM_NOT_PRESENT,	 /* 02/3A/00 */
	SENSE_MEDIUM_REMOVAL_PREVENTED, /* 05/53/02 */
	/* SPC-4 §6.4: EXTENDED COPY (xcopy.c) */
	SENSE_TOO_MANY_TARGET_DESCRIPTORS,	   /* 05/26/06 */
	SENSE_UNSUPPORTED_TARGET_DESCRIPTOR_TYPE,  /* 05/26/07 */
	SENSE_UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE, /* 05/26/09 */
	SENSE_OPERATION_IN_PROGRESS,		   /* 05/00/16 */
	SENSE_COPY_ABORTED,			   /* 0A/00/00, with a segment pointer */
	SENSE_COPY_TARGET_NOT_REACHABLE,	   /* 0A/0D/02 */
	SENSE_COPY_TARGET_FAILURE,		   /* 0A/0D/01 THIRD PARTY DEVICE FAILURE */
	/* SBC-3 §4.32: a sanitize operation in progress, and one that failed */
	SENSE_SANITIZE_IN_PROGRESS, /* 02/04/1B */
	SENSE_SANITIZE_FAILED,	    /* 03/31/03 */
	/* transport-detected (iSCSI) */
	SENSE_INITIATOR_DETECTED_ERROR,
	SENSE_DATA_DIGEST_ERROR, /* 0B/47/05 PROTOCOL SERVICE CRC ERROR */
	SENSE_UNEXPECTED_UNSOLICITED_DATA,
	SENSE_NOT_ENOUGH_UNSOLICITED_DATA,
	SENSE_DATA_PHASE_ERROR, /* 0B/4B/00 */
	SENSE_ABORTED_COMMAND,
	/* unit attentions, reported by the UA machinery */
	SENSE_UA_POWER_ON,
	SENSE_UA_BUS_DEVICE_RESET,
	SENSE_UA_MODE_PARAMS_CHANGED,
	SENSE_UA_CAPACITY_CHANGED,
	SENSE_UA_REPORTED_LUNS_CHANGED,
	SENSE_UA_COMMANDS_CLEARED_BY_ANOTHER,
	SENSE_UA_RESERVATIONS_PREEMPTED,
	SENSE_UA_RESERVATIONS_RELEASED,
	SENSE_UA_REGISTRATIONS_PREEMPTED,
	SENSE_UA_ASYMMETRIC_ACCESS_CHANGED,
	SENSE_UA_MEDIUM_CHANGED,
	SENSE_UA_INQUIRY_DATA_CHANGED,
	SENSE_REASON_MAX,
};

/* Pending unit attentions of one I_T_L nexus, a bit each, reported in this order. */
enum scsi_ua {
	SCSI_UA_POWER_ON = 1u << 0,		       /* 29/01 */
	SCSI_UA_BUS_DEVICE_RESET = 1u << 1,	       /* 29/03: LOGICAL UNIT RESET, TARGET RESET */
	SCSI_UA_COMMANDS_CLEARED_BY_ANOTHER = 1u << 2, /* 2F/00 */
	SCSI_UA_MODE_PARAMS_CHANGED = 1u << 3,	       /* 2A/01 */
	SCSI_UA_CAPACITY_CHANGED = 1u << 4,	       /* 2A/09 */
	SCSI_UA_REPORTED_LUNS_CHANGED = 1u << 5,       /* 3F/0E */
	SCSI_UA_RESERVATIONS_PREEMPTED = 1u << 6,      /* 2A/03 */
	SCSI_UA_RESERVATIONS_RELEASED = 1u << 7,       /* 2A/04 */
	SCSI_UA_REGISTRATIONS_PREEMPTED = 1u << 8,     /* 2A/05 */
	SCSI_UA_ASYMMETRIC_ACCESS_CHANGED = 1u << 9,   /* 2A/06 */
	SCSI_UA_MEDIUM_CHANGED = 1u << 10,	       /* 28/00: a medium was loaded */
	SCSI_UA_INQUIRY_DATA_CHANGED = 1u << 11,       /* 3F/03 */
};

enum scsi_dir {
	SCSI_DIR_NONE,
	SCSI_DIR_READ,	/* data-in: target to initiator */
	SCSI_DIR_WRITE, /* data-out: initiator to target */
};

enum scsi_task_attr {
	SCSI_TASK_SIMPLE,
	SCSI_TASK_ORDERED,
	SCSI_TASK_HEAD_OF_QUEUE,
	SCSI_TASK_ACA,
};

/* Identity of a logical unit: persistent, so that WWIDs survive restarts. */
struct scsi_lu_id {
	char serial[33]; /* VPD 0x80 unit serial number, printable ASCII */
	uint8_t naa[8];	 /* NAA IEEE Registered or locally assigned (NAA 3h) designator */
	char vendor[9];	 /* INQUIRY T10 vendor identification, space padded on the wire */
	char product[17];
	char revision[5];
};

struct scsi_lu;
struct scsi_itl;
struct alua_tgt;
struct alua_group;

/*
 * An abort that reaches the tasks of other I_T nexuses, wherever they run
 * (LOGICAL UNIT RESET, PERSISTENT RESERVE OUT PREEMPT AND ABORT): it counts
 * what still has to end. Whoever starts it sets pending to 1 (its own hold
 * while it hands the abort out) and done; each nexus that aborts tasks
 * holds it until they have left the engine; done runs once, on the thread
 * that lets the last hold go, after which nothing of the aborted tasks can
 * still reach the medium (abort.c).
 */
struct scsi_abort {
	unsigned int pending; /* atomic: scsi_abort_hold / scsi_abort_release */
	void (*done)(struct scsi_abort *ab);
	void *arg;
	/* enum scsi_ua bits for a nexus whose tasks end without status (SAM-5 §5.6, TAS 0); 0: none */
	uint32_t ua;
};

/* Thread-safe. */
void scsi_abort_hold(struct scsi_abort *ab);
void scsi_abort_release(struct scsi_abort *ab);

/*
 * An I_T nexus as the engine needs to know it (owned by the transport's
 * session): names for VPD page 0x83 and the LUNs it sees for REPORT LUNS.
 */
struct scsi_nexus {
	char initiator_port[300]; /* SPC-4 SCSI name string: "<iqn>,i,0x<isid>" */
	const char *target_name;
	uint16_t tpg_tag; /* also the relative target port identifier and target port group */
	/*
	 * Fills luns[0..max) with the LUNs this nexus sees, ascending, and
	 * returns how many there are (which may exceed max).
	 */
	size_t (*list_luns)(const struct scsi_nexus *nx, uint64_t *luns, size_t max);
	/* Clears pending unit attentions ua_bits on every LU of this nexus (may be NULL). */
	void (*clear_ua)(const struct scsi_nexus *nx, uint32_t ua_bits);
	/*
	 * ALUA (target/scsi/alua.h): the target port groups of the target
	 * device, with a reference the transport drops, and the group of this
	 * nexus's target port; set before the first LU attaches and never
	 * changed. NULL: one group, tpg_tag, active/optimized, implicit only.
	 */
	struct alua_tgt *alua;
	struct alua_group *alua_group;
	/* SET TARGET PORT GROUPS changed states: whoever keeps them is told (may be NULL). */
	void (*alua_changed)(const struct scsi_nexus *nx);
	/*
	 * EXTENDED COPY (xcopy.c): the LU this nexus sees whose NAA designator
	 * is naa (len bytes), its I_T_L nexus and whether it is mapped
	 * read-only to this initiator. The nexus stays valid until the
	 * calling command returns from scsi_cmd_exec (the copy holds a
	 * reference on its LU beyond that). 0 or -ENOENT. May be NULL: then
	 * only the command's own LU can be named.
	 */
	int (*find_lu)(const struct scsi_nexus *nx, const uint8_t *naa, size_t len,
		       struct scsi_itl **itl, bool *read_only);
	/*
	 * Aborts every task of this nexus addressed to lu, in the engine or
	 * not yet (SAM-5 §5.6); each ends with TASK ABORTED (the control mode
	 * page says TAS 1). Called from any thread with lu's nexus list
	 * locked: it must not block, and hands the work to the nexus's own
	 * thread. It holds ab (scsi_abort_hold) until those tasks have left
	 * the engine. May be NULL: the nexus has nothing to abort.
	 */
	void (*abort_lu)(struct scsi_nexus *nx, struct scsi_lu *lu, struct scsi_abort *ab);
	void *priv;
};

struct scsi_cmd {
	/* set by the transport before parse */
	struct scsi_nexus *nexus;
	struct scsi_itl *itl; /* NULL: the LUN is not mapped for this nexus */
	uint64_t lun;	      /* as the initiator addressed it */
	uint8_t cdb[SCSI_CDB_MAX];
	uint8_t cdb_len;
	uint32_t edtl;	/* expected data transfer length, from the transport */
	bool read_only; /* mapped read-only for this initiator */
	enum scsi_task_attr attr;
	/*
	 * Set by the transport when the task is aborted (ABORT TASK, a reset,
	 * the nexus's loss), on the command's thread: a long command
	 * (EXTENDED COPY) stops at its next step and completes.
	 */
	bool aborted;

	/* set by scsi_cmd_parse */
	enum scsi_dir dir;
	uint32_t xfer_len; /* bytes the CDB asks to move (allocation length for data-in) */
	const void *op;	   /* the dispatch slot, private to the engine */
	uint64_t lba;	   /* SBC: decoded LBA and block count */
	uint32_t nblocks;

	/*
	 * The data buffer, owned by the transport: what was received (writes),
	 * or where data-in goes (reads). 4096-byte aligned; buf_len bytes.
	 */
	uint8_t *buf;
	uint32_t buf_len;

	/* results */
	uint32_t data_len; /* data-in bytes in buf to send (<= buf_len) */
	uint8_t status;
	uint8_t sense[SCSI_SENSE_MAX];
	uint8_t sense_len;

	/* completion of SCSI_EXEC_ASYNC commands */
	void (*done)(struct scsi_cmd *cmd);
	void *priv;

	/* private to the engine */
	struct bs_io io;
	struct iovec iov; /* io's one segment */
	/* the LBA range this command holds on its LU (sbc_lock.c), released as it ends */
	struct range_lock_req rl;
	enum scsi_exec_result (*locked)(struct scsi_cmd *cmd); /* runs once rl is granted */
	uint8_t *bounce;  /* engine-owned scratch (e.g. VERIFY, ORWRITE), freed by the engine */
	uint32_t bounce_len;
	uint32_t stage;
	uint32_t flags;	      /* decoded CDB bits, SCSI_CMD_F_* in scsi_int.h */
	uint64_t next_lba;    /* multi-stage commands: where the next chunk starts */
	uint64_t left;	      /* multi-stage commands: blocks (or descriptors) still to do */
	uint64_t sense_info;  /* INFORMATION field of the sense data, when flagged */
	uint16_t sense_field; /* sense-key-specific field pointer, when flagged */
	uint8_t sense_bit;    /* and its bit pointer */
	uint8_t sense_flags;
};

enum scsi_exec_result {
	SCSI_EXEC_DONE = 0,
	SCSI_EXEC_ASYNC = 1,
};

/*
 * SAM-5 §4.7 LUN encoding for REPORT LUNS and the transport: peripheral
 * device addressing for LUNs below 256, flat space addressing below 16384;
 * larger values are written as an extended flat space LUN (SAM-5 §4.7.8,
 * 24 bits). scsi_lun_decode() is the inverse for those three methods and
 * returns UINT64_MAX for anything else (an address we never hand out).
 */
void scsi_lun_encode(uint64_t lun, uint8_t out[8]);
uint64_t scsi_lun_decode(const uint8_t in[8]);

/* Engine set-up (dispatch table checks); call once. */
void scsi_init(void);

/*
 * Creates a logical unit served by bs (which stays the caller's). The LU
 * starts with the write cache enabled iff bs is write-back. Returns 0 or -errno.
 */
int scsi_lu_create(struct bs_dev *bs, const struct scsi_lu_id *id, struct scsi_lu **out);
/*
 * References, thread-safe: scsi_lu_create() hands out the first, and the
 * last scsi_lu_put() destroys the LU (every nexus detached by then), and
 * closes its store when scsi_lu_own_bs() was called. scsi_lu_destroy() is
 * scsi_lu_put().
 */
void scsi_lu_get(struct scsi_lu *lu);
void scsi_lu_put(struct scsi_lu *lu);
void scsi_lu_destroy(struct scsi_lu *lu);
/* References held now (the model's and every LUN map's: "who still uses it"). */
unsigned int scsi_lu_refs(struct scsi_lu *lu);
/* From now on the LU closes its store when it is destroyed (before any other reference). */
void scsi_lu_own_bs(struct scsi_lu *lu);
struct bs_dev *scsi_lu_bs(struct scsi_lu *lu);
const struct scsi_lu_id *scsi_lu_get_id(const struct scsi_lu *lu);

/*
 * Removable media (sbc_media.c), thread-safe. Whether lu reports removable
 * media (RMB) and takes PREVENT ALLOW MEDIUM REMOVAL and load/eject; it
 * starts as its store says (bs_dev.removable). A change raises INQUIRY DATA
 * HAS CHANGED on every nexus; turning it off loads the medium again and
 * forgets every nexus's prevention.
 */
void scsi_lu_set_removable(struct scsi_lu *lu, bool removable);
bool scsi_lu_removable(const struct scsi_lu *lu);
/* Whether lu's medium is loaded (always, for an LU that is not removable). */
bool scsi_lu_medium_present(const struct scsi_lu *lu);

/* Thread-safe: raises a unit attention on every I_T nexus attached to lu. */
void scsi_lu_raise_ua(struct scsi_lu *lu, uint32_t ua_bits);
/*
 * LOGICAL UNIT RESET: mode pages back to defaults, RESERVE(6) released, UA
 * 29/03 on every nexus but except_itl. For the task management function
 * pass NULL: SAM-5 §6.3.3 gives the attention to every I_T nexus, the one
 * that asked for the reset included, and libiscsi's MultipathIO.Reset
 * checks for it on that nexus too.
 */
void scsi_lu_reset(struct scsi_lu *lu, struct scsi_itl *except_itl);
/*
 * SAM-5 §6.3.3: a LOGICAL UNIT RESET aborts the tasks of every I_T nexus of
 * the LU: asks each nexus attached to lu but except (the requester's, which
 * the transport aborts itself) to abort its tasks there, under ab.
 */
void scsi_lu_abort_tasks(struct scsi_lu *lu, const struct scsi_nexus *except,
			 struct scsi_abort *ab);

/*
 * Attaches an I_T nexus to lu (at login, for each mapped LUN), with a POWER
 * ON unit attention pending. Returns 0 or -errno; the caller detaches with
 * scsi_itl_destroy().
 */
int scsi_itl_create(struct scsi_lu *lu, struct scsi_nexus *nx, struct scsi_itl **out);
void scsi_itl_destroy(struct scsi_itl *itl);
struct scsi_lu *scsi_itl_lu(struct scsi_itl *itl);
/* Thread-safe: adds pending unit attentions to one nexus. */
void scsi_itl_set_ua(struct scsi_itl *itl, uint32_t ua_bits);
/* Thread-safe: drops pending unit attentions of one nexus. */
void scsi_itl_clear_ua(struct scsi_itl *itl, uint32_t ua_bits);

/* Pure: decodes cmd->cdb. Returns SENSE_OK, or the reason to fail the command. */
enum sense_reason scsi_cmd_parse(struct scsi_cmd *cmd);

/*
 * Executes a parsed command (parse returned SENSE_OK). Unit attentions and
 * LUN-not-mapped are handled here. See the file comment for the result.
 */
enum scsi_exec_result scsi_cmd_exec(struct scsi_cmd *cmd);

/*
 * At the end of an I/O thread, after its connections closed and before
 * bs_thread_fini(): ends what the engine still runs on this thread. A
 * sanitize operation is cut short (the LU stays failed, and so comes back
 * after a restart: SBC-3 §4.32.1); its last request, if one is in the
 * store, completes in bs_thread_fini().
 */
void scsi_thread_stop(void);

/*
 * Ends cmd with CHECK CONDITION and the sense data for reason, in fixed or
 * descriptor format as the LU's D_SENSE bit says (fixed when itl is NULL).
 */
void scsi_cmd_set_sense(struct scsi_cmd *cmd, enum sense_reason reason);

/*
 * The LUN inventory of one I_T nexus (SAM-5 §4.6.4): each LUN the initiator
 * may address, the LU behind it, and whether it is write-protected for that
 * initiator. Sorted by lun. It holds a reference on each LU, which
 * scsi_lun_map_free() drops. Whoever knows the initiator's rights builds
 * it (the object model); the transport looks LUNs up in it.
 */
struct scsi_lun_entry {
	uint64_t lun;
	struct scsi_lu *lu;
	bool read_only;
};

struct scsi_lun_map {
	size_t n;
	struct scsi_lun_entry e[];
};

/* Drops the map's LU references and frees it; NULL is a no-op. */
void scsi_lun_map_free(struct scsi_lun_map *map);

/* The entry of lun, or NULL: a binary search, inline for the I/O path. */
static inline const struct scsi_lun_entry *scsi_lun_map_find(const struct scsi_lun_map *map,
							     uint64_t lun)
{
	size_t lo = 0, hi = map ? map->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->e[mid].lun == lun)
			return &map->e[mid];
		if (map->e[mid].lun < lun)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the SCSI engine: the logical unit and I_T_L nexus objects, the
 * dispatch slot, and the helpers the command set files (spc.c, mode.c,
 * sbc.c, sbc_lbp.c) share.
 */
#ifndef PORTICO_TARGET_SCSI_INT_H
#define PORTICO_TARGET_SCSI_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/list.h"
#include "target/scsi/scsi.h"
#include "target/scsi/sanitize.h"
#include "common/scsi_proto.h"

#define SCSI_COMPONENT "scsi"

/* Advertised in the Block Limits VPD page (SBC-3 §6.5.3). */
#define SCSI_MAX_UNMAP_DESCRIPTORS 256u
#define SCSI_MAX_UNMAP_BLOCKS (1u << 20) /* per UNMAP command */
/*
 * Per WRITE SAME command. Below 65536 on purpose: libiscsi's WriteSame16.Unmap
 * writes (WRITE(16)) as many blocks as this allows, up to 65536, in one
 * command, which would exceed SCSI_MAX_XFER_BYTES; at 65535 it checks that a
 * 65536-block WRITE SAME is refused instead.
 */
#define SCSI_MAX_WRITE_SAME_BLOCKS 65535u
#define SCSI_WRITE_SAME_CHUNK (1u << 20) /* bytes replicated per backstore write */

/* MAXIMUM COMPARE AND WRITE LENGTH (Block Limits VPD): what the CDB's one byte can say. */
#define SCSI_MAX_CAW_BLOCKS 255u

/*
 * The most registrations an LU keeps: a 32-host cluster with 8 paths each
 * uses 256. One more is INSUFFICIENT REGISTRATION RESOURCES (SPC-4 §5.13.7).
 */
#define SCSI_PR_MAX_REGS 1024u

struct pr_reg;
struct xcopy_held;
struct pr_save_ops;
struct pr_shared_ops;

/*
 * Persistent reservation state of an LU (pr.c). Everything here is under
 * lock; the I/O path reads only each nexus's pr_deny (struct scsi_itl).
 * Lock order: pr.lock, then scsi_lu.lock.
 */
struct scsi_pr {
	pthread_mutex_t lock;
	struct list_head regs; /* struct pr_reg, in the order registered */
	uint32_t nregs;
	uint32_t generation;   /* PRgeneration (SPC-4 §6.15.2) */
	uint8_t type;	       /* enum scsi_pr_type; SCSI_PR_TYPE_NONE: no persistent reservation */
	struct pr_reg *holder; /* the holder, for the types that are not all registrants */
	bool aptpl;	       /* the last APTPL bit a REGISTER carried */
	bool stored;	       /* the store may hold a state: a change must reach it */
	const struct pr_save_ops *save_ops;
	void *save_arg;
	/* A state kept outside this daemon, shared with other gateways (pr.h, pr_shared.c). */
	const struct pr_shared_ops *shared_ops;
	void *shared_arg;
	uint64_t shared_ver; /* the version of the shared state applied here */
	bool stale;	     /* it may have changed unseen: every command waits for a resync */
};

/* What the LU's mode pages let an initiator change (SPC-4 §7.5). */
struct scsi_mode_state {
	bool wce;     /* caching page: write cache enabled */
	bool d_sense; /* control page: descriptor format sense data */
	bool swp;     /* control page: software write protect */
};

struct scsi_lu {
	struct bs_dev *bs;
	/*
	 * The model holds one reference and every session LUN map that shows
	 * the LU one more: an LU removed from the configuration lives on until
	 * the last session that saw it has let go (target/model/obj.h).
	 */
	_Atomic unsigned int refs;
	bool owns_bs; /* the last reference closes bs too */
	struct scsi_lu_id id;
	uint32_t block_size;
	/* Mode parameters: written under lock, read without it on the I/O path. */
	_Atomic bool wce;
	_Atomic bool d_sense;
	_Atomic bool swp;
	_Atomic bool stopped; /* START STOP UNIT with START=0 */
	/* sbc_media.c: written under lock, read without it on the I/O path */
	_Atomic bool removable; /* RMB: takes PREVENT ALLOW MEDIUM REMOVAL, load and eject */
	_Atomic bool no_medium; /* ejected (START STOP UNIT LOEJ=1 START=0) */
	/* The nexus holding an SPC-2 RESERVE(6) reservation, or NULL. */
	struct scsi_itl *_Atomic holder;
	/*
	 * LBA ranges of the commands in flight (sbc_lock.c): what makes COMPARE
	 * AND WRITE, ORWRITE and WRITE ATOMIC indivisible to every other command.
	 */
	struct range_lock range;
	struct scsi_mode_state defaults;
	pthread_mutex_t lock; /* itls, and the mode parameters' writers */
	struct list_head itls;
	struct scsi_pr pr;
	struct scsi_sanitize sanitize; /* sanitize.h */
};

struct scsi_itl {
	struct scsi_lu *lu;
	struct scsi_nexus *nx;
	struct list_head node; /* in lu->itls */
	_Atomic uint32_t ua;   /* pending unit attentions, enum scsi_ua bits */
	/*
	 * enum scsi_pr_deny bits: which commands the persistent reservation
	 * refuses this nexus now. Written under lu->pr.lock whenever the
	 * reservation or the registrations change, read by every command.
	 */
	_Atomic uint32_t pr_deny;
	/* PREVENT ALLOW MEDIUM REMOVAL: this nexus prevents removal (under lu->lock) */
	bool prevent;
	/* EXTENDED COPY results held for RECEIVE COPY RESULTS (xcopy_exec.c; its thread only) */
	struct xcopy_held *xcopy;
};

/*
 * One target port group (alua.h). The I/O path reads state through its
 * nexus on every command; the rest is under tgt->lock.
 */
struct alua_group {
	struct alua_tgt *tgt; /* its target device, which outlives it */
	uint16_t id;
	_Atomic uint8_t state;	     /* enum scsi_alua_state */
	_Atomic bool pref;	     /* PREF: the administrator's preferred flag */
	_Atomic bool explicit_ok;    /* SET TARGET PORT GROUPS may change it and goes through it */
	_Atomic uint8_t status;	     /* enum scsi_alua_status: why the state is what it is */
	bool present;		     /* its TPG is configured: REPORT TARGET PORT GROUPS shows it */
	struct scsi_lu **lus;	     /* the LUs mapped through its port (not held: alua.h) */
	size_t nlus;
};

/* The target port groups of one SCSI target device (alua.h). */
struct alua_tgt {
	_Atomic unsigned int refs;
	pthread_mutex_t lock;
	struct alua_group **groups; /* by id, ascending; a group stays until the last put */
	size_t ngroups;
	size_t cap;
};

/* What a persistent reservation refuses one nexus (SPC-4 §5.13.1 table 65, SBC-3 table 13). */
enum scsi_pr_deny {
	SCSI_PR_DENY_WRITE = 1u << 0, /* commands of class SCSI_PR_CONFLICT */
	SCSI_PR_DENY_READ = 1u << 1,  /* commands of class SCSI_PR_READ */
	SCSI_PR_DENY_STALE = 1u << 2, /* the shared state is being read again: BUSY (pr_shared.c) */
};

/*
 * How a command fares under a persistent reservation held by another nexus
 * (struct scsi_op.pr). The zero value conflicts, so that a new slot is
 * safe until someone looks the command up in the tables.
 */
enum scsi_pr_class {
	SCSI_PR_CONFLICT = 0, /* conflicts with every type, unless registered for RO/AR */
	SCSI_PR_READ, /* allowed through Write Exclusive types, conflicts with Exclusive Access */
	SCSI_PR_ALLOWED, /* never conflicts (or decides for itself: PR IN/OUT, RESERVE/RELEASE) */
	SCSI_PR_START,	 /* START STOP UNIT: allowed with START=1 and POWER CONDITION 0 */
	SCSI_PR_PREVENT, /* PREVENT ALLOW MEDIUM REMOVAL: allowed with PREVENT=00b */
};

/* Decoded CDB bits kept in cmd->flags between parse and exec. */
enum scsi_cmd_flag {
	SCSI_CMD_F_FUA = 1u << 0,
	SCSI_CMD_F_BYTCHK = 1u << 1,	 /* compare data-out with the medium */
	SCSI_CMD_F_BYTCHK_ONE = 1u << 2, /* VERIFY BYTCHK=11b: one block against each */
	SCSI_CMD_F_UNMAP = 1u << 3,	 /* WRITE SAME: deallocate */
	SCSI_CMD_F_NDOB = 1u << 4,	 /* WRITE SAME: no data-out buffer, zeroes */
	SCSI_CMD_F_IMMED = 1u << 5,
	SCSI_CMD_F_DESC = 1u << 6,  /* REQUEST SENSE: descriptor format */
	SCSI_CMD_F_START = 1u << 7, /* START STOP UNIT */
	SCSI_CMD_F_PMI = 1u << 8,   /* READ CAPACITY(10) partial medium indicator */
};

/* What scsi_cmd_set_sense adds to the sense data (cmd->sense_flags). */
enum scsi_sense_flag {
	SCSI_SENSE_F_INFO = 1u << 0,   /* cmd->sense_info is the INFORMATION field */
	SCSI_SENSE_F_FIELD = 1u << 1,  /* cmd->sense_field is a field pointer */
	SCSI_SENSE_F_IN_CDB = 1u << 2, /* ... into the CDB, else into the parameter list */
	SCSI_SENSE_F_BIT = 1u << 3,    /* cmd->sense_bit is a bit pointer */
};

/* Properties of a dispatch slot (struct scsi_op.flags). */
enum scsi_op_flag {
	SCSI_OP_F_NO_UA = 1u << 0,   /* SPC-4 §5.14: INQUIRY, REPORT LUNS, REQUEST SENSE */
	SCSI_OP_F_ANY_LUN = 1u << 1, /* works when the LUN is not mapped (itl == NULL) */
	SCSI_OP_F_MEDIUM = 1u << 2,  /* needs a started unit (SBC-3 §4.19) */
	SCSI_OP_F_WRITE = 1u << 3,   /* writes the medium: write protection applies */
	SCSI_OP_F_RESV_OK = 1u << 4, /* allowed while another nexus holds a reservation */
	/*
	 * Let through a target port in that asymmetric access state (SPC-4
	 * §5.16, the lists of the standby, unavailable and transitioning
	 * states); the active states let everything through, and the others
	 * refuse a command without the flag with NOT READY, LOGICAL UNIT NOT
	 * ACCESSIBLE and the state's ASCQ.
	 */
	SCSI_OP_F_ALUA_STANDBY = 1u << 5,
	SCSI_OP_F_ALUA_UNAVAILABLE = 1u << 6,
	SCSI_OP_F_ALUA_TRANSITIONING = 1u << 7,
	/*
	 * Needs a medium present, though not a started unit (READ CAPACITY):
	 * a removable LU without its medium refuses it with MEDIUM NOT PRESENT.
	 * SCSI_OP_F_MEDIUM implies it.
	 */
	SCSI_OP_F_NEEDS_MEDIUM = 1u << 8,
};

struct scsi_op;

/* A service action table, for opcodes whose CDB carries one (SPC-4 §4.2.5.2). */
struct scsi_sa_table {
	const struct scsi_op *ops; /* indexed by service action */
	size_t n;
};

/*
 * One dispatch slot. An all-zero slot (no parse) is INVALID OPERATION CODE.
 * usage is the CDB usage data REPORT SUPPORTED OPERATION CODES returns: a 1
 * for every bit the engine looks at, byte 0 the opcode itself.
 */
struct scsi_op {
	const char *name;
	uint8_t cdb_len;
	uint8_t usage[16];
	uint32_t flags;
	enum scsi_pr_class pr;
	const struct scsi_sa_table *sa; /* non-NULL: dispatch again on the service action */
	/*
	 * NULL: every nexus may use it. Else whether cmd's may: when not, the
	 * command is an INVALID OPERATION CODE there, and REPORT SUPPORTED
	 * OPERATION CODES does not list it to that nexus.
	 */
	bool (*supported)(const struct scsi_cmd *cmd);
	enum sense_reason (*parse)(struct scsi_cmd *cmd);
	enum scsi_exec_result (*exec)(struct scsi_cmd *cmd);
};

/* One supported command, as REPORT SUPPORTED OPERATION CODES lists it. */
struct scsi_op_entry {
	uint8_t opcode;
	uint16_t sa;
	bool has_sa;
	const struct scsi_op *op;
};

/*
 * The dispatch slot for opcode (and, when the opcode has service actions,
 * sa), or NULL when unsupported. *has_sa (if not NULL) says whether the
 * opcode has service actions.
 */
const struct scsi_op *scsi_op_lookup(uint8_t opcode, uint16_t sa, bool *has_sa);
/* Fills out[0..max) with every supported command in opcode order; returns how many there are. */
size_t scsi_op_list(struct scsi_op_entry *out, size_t max);

static inline struct scsi_lu *scsi_cmd_lu(const struct scsi_cmd *cmd)
{
	return cmd->itl ? cmd->itl->lu : NULL;
}

/* Capacity in blocks now (the backstore may have been resized). */
static inline uint64_t scsi_lu_nblocks(const struct scsi_lu *lu)
{
	return lu->bs->size / lu->block_size;
}

/*
 * LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (READ CAPACITY(16)): log2 of
 * the physical block over the logical one, which bs_open keeps a power of
 * two at least one block large.
 */
static inline uint8_t scsi_lu_lbppb_exp(const struct scsi_lu *lu)
{
	uint32_t n = lu->bs->phys_block_size / lu->block_size;
	uint8_t e = 0;

	while (n > 1 && e < 15) {
		n >>= 1;
		e++;
	}
	return e;
}

/* Whether [lba, lba + n) lies inside the LU (SBC-3 §4.5). */
static inline bool scsi_lba_in_range(const struct scsi_lu *lu, uint64_t lba, uint64_t n)
{
	uint64_t cap = scsi_lu_nblocks(lu);

	return lba <= cap && n <= cap - lba;
}

/* Medium writes refused: mapped read-only, SWP, or a read-only store. */
bool scsi_cmd_write_protected(const struct scsi_cmd *cmd);

/* INVALID FIELD IN CDB, with the sense-key-specific field pointer at byte (and bit, or -1). */
enum sense_reason scsi_invalid_cdb(struct scsi_cmd *cmd, unsigned int byte, int bit);
/* INVALID FIELD IN PARAMETER LIST, pointing at byte (and bit, or -1) of the parameter data. */
enum sense_reason scsi_invalid_param(struct scsi_cmd *cmd, unsigned int byte, int bit);

/* Ends cmd with GOOD status. */
void scsi_cmd_good(struct scsi_cmd *cmd);
/* Ends cmd synchronously: GOOD for SENSE_OK, else CHECK CONDITION; returns SCSI_EXEC_DONE. */
enum scsi_exec_result scsi_cmd_finish(struct scsi_cmd *cmd, enum sense_reason r);
/* Ends an asynchronous cmd: frees the bounce buffer, sets the outcome, calls cmd->done. */
void scsi_cmd_complete(struct scsi_cmd *cmd, enum sense_reason r);

/*
 * Copies len bytes of data-in built by the engine into cmd->buf, truncated
 * to the allocation length and buf_len (SPC-4 §4.2.5.6), and sets data_len.
 */
void scsi_cmd_data_in(struct scsi_cmd *cmd, const void *data, size_t len);

/*
 * Queues one backstore request for cmd on its LU: op over [offset, offset +
 * len) bytes, data at buf (READ/WRITE). cb runs later with cmd as io->arg.
 * Returns SENSE_OK, or the reason to fail the command now (no callback).
 */
enum sense_reason scsi_cmd_submit(struct scsi_cmd *cmd, enum bs_op op, uint64_t offset,
				  uint64_t len, void *buf, bool fua, void (*cb)(struct bs_io *io));
/*
 * COMPARE AND WRITE by the store (sbc_caw.c): whether cmd fits what lu's
 * store does atomically (bs_dev.caw_max), the command run that way, and
 * what a result means: MISCOMPARE with *info the Data-Out offset of the
 * first differing byte (*has_info) for -EILSEQ, else the store's error.
 */
bool sbc_caw_native_fits(const struct scsi_lu *lu, const struct scsi_cmd *cmd);
enum scsi_exec_result sbc_caw_native(struct scsi_cmd *cmd, bool fua);
enum sense_reason sbc_caw_result(int result, uint64_t miscompare, uint64_t len, uint64_t *info,
				 bool *has_info);
/* The sense reason for a backstore error on op. */
enum sense_reason scsi_bs_error(int err, enum bs_op op);

/* Allocates cmd->bounce (len bytes, 4096-aligned). SENSE_OK or INSUFFICIENT RESOURCES. */
enum sense_reason scsi_cmd_bounce(struct scsi_cmd *cmd, size_t len);
void scsi_cmd_bounce_free(struct scsi_cmd *cmd);

/*
 * Atomicity (sbc_atomic.c). scsi_cmd_lock() queues cmd for the LBAs [lba,
 * lba + n) of its LU in mode, then runs next(cmd): at once when the range
 * is free (its result is returned), else later on cmd's thread once the
 * commands ahead that conflict have ended (SCSI_EXEC_ASYNC is returned,
 * and cmd->done is called when next ends the command synchronously). The
 * range is held until the command ends (scsi_cmd_finish releases it) or
 * scsi_cmd_unlock(); a command holds one range at a time.
 */
enum scsi_exec_result scsi_cmd_lock(struct scsi_cmd *cmd, uint64_t lba, uint64_t n,
				    enum range_lock_mode mode,
				    enum scsi_exec_result (*next)(struct scsi_cmd *cmd));
/* Releases cmd's range, if it holds one, and wakes the commands that were waiting for it. */
void scsi_cmd_unlock(struct scsi_cmd *cmd);
/*
 * Releases req (IDLE: nothing) of lu's range lock and wakes the requests
 * it granted: each one's owner is the struct bs_io armed (bs_wait_arm) on
 * its thread. For a command that holds ranges of its own besides cmd->rl
 * (EXTENDED COPY: a chunk's source and destination).
 */
void scsi_range_release(struct scsi_lu *lu, struct range_lock_req *req);
/*
 * Withdraws req from lu's range lock if it still waits (true: no grant
 * will come) and wakes the requests the withdrawal granted; false when it
 * was granted already (its owner is woken as usual).
 */
bool scsi_range_withdraw(struct scsi_lu *lu, struct range_lock_req *req);
/* Continues an asynchronous command with the result of a step: DONE means it ended, so done runs. */
void scsi_cmd_continue(struct scsi_cmd *cmd, enum scsi_exec_result res);

/* What WRITE ATOMIC(16) takes on an LU, as the Block Limits VPD page reports it (SBC-4 §6.6.4). */
struct sbc_atomic_limits {
	uint32_t max_len;	    /* MAXIMUM ATOMIC TRANSFER LENGTH, blocks */
	uint32_t align;		    /* ATOMIC ALIGNMENT, blocks; 0: none */
	uint32_t gran;		    /* ATOMIC TRANSFER LENGTH GRANULARITY, blocks; 0: none */
	uint32_t max_len_boundary;  /* MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY; 0: none */
	uint32_t max_boundary_size; /* MAXIMUM ATOMIC BOUNDARY SIZE; 0: ATOMIC BOUNDARY must be 0 */
};
void sbc_atomic_limits(const struct scsi_lu *lu, struct sbc_atomic_limits *lim);
/*
 * Pure: checks a WRITE ATOMIC(16) of n blocks at lba with ATOMIC BOUNDARY
 * boundary against lim. SENSE_OK, or SENSE_INVALID_FIELD_IN_CDB with the
 * field pointer of the offending field set in cmd.
 */
enum sense_reason sbc_atomic_check(struct scsi_cmd *cmd, const struct sbc_atomic_limits *lim,
				   uint64_t lba, uint32_t n, uint16_t boundary);

/* Builds sense data for reason into buf (at least SCSI_SENSE_MAX bytes); returns its length. */
size_t scsi_sense_build(uint8_t *buf, enum sense_reason reason, bool desc,
			const struct scsi_cmd *cmd);
/* The (key, ASC, ASCQ) of reason; false for SENSE_OK and out-of-range values. */
bool scsi_sense_lookup(enum sense_reason reason, uint8_t *key, uint8_t *asc, uint8_t *ascq);
/* The sense reason of the highest-priority bit in ua_bits, SENSE_OK when none. */
enum sense_reason scsi_ua_reason(uint32_t ua_bits);
/* Takes (clears and returns) the highest-priority pending unit attention of itl; 0 when none. */
uint32_t scsi_itl_take_ua(struct scsi_itl *itl);

/* The control plane's view of the mode parameters. */
void scsi_lu_mode_get(struct scsi_lu *lu, struct scsi_mode_state *st);
/* Sets the mode parameters and raises MODE PARAMETERS CHANGED on every nexus but except. */
void scsi_lu_mode_set(struct scsi_lu *lu, const struct scsi_mode_state *st,
		      struct scsi_itl *except);

/* Command set entry points, named for the dispatch table in scsi.c. */
enum sense_reason spc_parse_test_unit_ready(struct scsi_cmd *cmd);
enum scsi_exec_result spc_exec_test_unit_ready(struct scsi_cmd *cmd);
enum sense_reason spc_parse_request_sense(struct scsi_cmd *cmd);
enum scsi_exec_result spc_exec_request_sense(struct scsi_cmd *cmd);
enum sense_reason spc_parse_inquiry(struct scsi_cmd *cmd);
enum scsi_exec_result spc_exec_inquiry(struct scsi_cmd *cmd);
enum sense_reason spc_parse_report_luns(struct scsi_cmd *cmd);
enum scsi_exec_result spc_exec_report_luns(struct scsi_cmd *cmd);

/* ALUA (alua.c): REPORT and SET TARGET PORT GROUPS, and what each state lets through. */
enum sense_reason alua_parse_rtpg(struct scsi_cmd *cmd);
enum scsi_exec_result alua_exec_rtpg(struct scsi_cmd *cmd);
enum sense_reason alua_parse_stpg(struct scsi_cmd *cmd);
enum scsi_exec_result alua_exec_stpg(struct scsi_cmd *cmd);
/* Whether SET TARGET PORT GROUPS goes through cmd's target port (its group's alua explicit). */
bool alua_explicit(const struct scsi_cmd *cmd);
/* The TPGS field of standard INQUIRY data through cmd's target port (SCSI_TPGS_* bits). */
uint8_t alua_tpgs(const struct scsi_cmd *cmd);
/*
 * SENSE_OK when the asymmetric access state of cmd's target port lets a
 * command of slot op through, else the NOT READY reason that refuses it
 * (op NULL: the reason the state refuses medium access with, for REQUEST
 * SENSE).
 */
/*
 * Whether the LU's store decides its asymmetric access state on this
 * gateway (an rbd LU served by a gateway group: its lease's owner is
 * active/optimized, docs/rbd.md), and which: then it is the state of this
 * port's group for that LU, whatever the TPG's configured state.
 */
static inline bool alua_store_state(const struct scsi_lu *lu, uint8_t *state)
{
	return lu && lu->bs && lu->bs->ops && lu->bs->ops->alua && lu->bs->ops->alua(lu->bs, state);
}

static inline enum sense_reason alua_refuses(const struct scsi_cmd *cmd, const struct scsi_op *op)
{
	const struct alua_group *g = cmd->nexus ? cmd->nexus->alua_group : NULL;
	uint32_t flags = op ? op->flags : 0;
	uint8_t state;

	if (alua_store_state(scsi_cmd_lu(cmd), &state))
		;
	else if (!g)
		return SENSE_OK;
	else
		state = atomic_load(&g->state);
	switch (state) {
	case SCSI_ALUA_STANDBY:
		return (flags & SCSI_OP_F_ALUA_STANDBY) ? SENSE_OK : SENSE_ALUA_STANDBY;
	case SCSI_ALUA_UNAVAILABLE:
		return (flags & SCSI_OP_F_ALUA_UNAVAILABLE) ? SENSE_OK : SENSE_ALUA_UNAVAILABLE;
	case SCSI_ALUA_TRANSITIONING:
		return (flags & SCSI_OP_F_ALUA_TRANSITIONING) ? SENSE_OK :
								 SENSE_ALUA_TRANSITIONING;
	default:
		return SENSE_OK; /* the active states: everything */
	}
}
enum sense_reason spc_parse_rsoc(struct scsi_cmd *cmd);
enum scsi_exec_result spc_exec_rsoc(struct scsi_cmd *cmd);

/* Reservations (pr.c): SPC-2 RESERVE(6)/RELEASE(6) and SPC-4 persistent reservations. */
enum sense_reason pr_parse_reserve6(struct scsi_cmd *cmd);
enum scsi_exec_result pr_exec_reserve6(struct scsi_cmd *cmd);
enum scsi_exec_result pr_exec_release6(struct scsi_cmd *cmd);
enum sense_reason pr_parse_in(struct scsi_cmd *cmd);
enum scsi_exec_result pr_exec_in(struct scsi_cmd *cmd);
enum sense_reason pr_parse_out(struct scsi_cmd *cmd);
enum scsi_exec_result pr_exec_out(struct scsi_cmd *cmd);

/* LU set-up and teardown of the persistent reservation state. 0 or -errno. */
int pr_lu_init(struct scsi_lu *lu);
void pr_lu_fini(struct scsi_lu *lu);
/* What the reservation refuses itl now; called with lu->pr.lock held. */
uint32_t pr_deny_locked(struct scsi_lu *lu, const struct scsi_itl *itl);

/* Whether the persistent reservation refuses cmd, given its nexus's pr_deny bits (not 0). */
static inline bool pr_cmd_conflicts(const struct scsi_cmd *cmd, const struct scsi_op *op,
				    uint32_t deny)
{
	switch (op->pr) {
	case SCSI_PR_ALLOWED:
		return false;
	case SCSI_PR_READ:
		return deny & SCSI_PR_DENY_READ;
	case SCSI_PR_START:
		/* SBC-3 table 13: only starting the unit passes */
		if ((cmd->flags & SCSI_CMD_F_START) && !(cmd->cdb[4] >> 4))
			return false;
		return deny & SCSI_PR_DENY_WRITE;
	case SCSI_PR_PREVENT:
		/* SPC-4 §5.13.1 table 65: allowing removal never conflicts, preventing it does */
		if (!(cmd->cdb[4] & 0x03))
			return false;
		return deny & SCSI_PR_DENY_WRITE;
	case SCSI_PR_CONFLICT:
	default:
		return deny & SCSI_PR_DENY_WRITE;
	}
}

enum sense_reason spc_parse_mode_sense(struct scsi_cmd *cmd);
enum scsi_exec_result spc_exec_mode_sense(struct scsi_cmd *cmd);
enum sense_reason spc_parse_mode_select(struct scsi_cmd *cmd);
enum scsi_exec_result spc_exec_mode_select(struct scsi_cmd *cmd);

enum sense_reason sbc_parse_rw(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_read(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_write(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_verify(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_verify(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_write_verify(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_write_verify(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_orwrite(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_orwrite(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_caw(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_caw(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_read_defect_data(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_read_defect_data(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_read_capacity_10(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_read_capacity_10(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_read_capacity_16(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_read_capacity_16(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_sync_cache(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_sync_cache(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_pre_fetch(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_pre_fetch(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_start_stop_unit(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_start_stop_unit(struct scsi_cmd *cmd);

/* Removable media (sbc_media.c): PREVENT ALLOW MEDIUM REMOVAL, load and eject. */
/* Whether cmd's LU is removable: PREVENT ALLOW MEDIUM REMOVAL exists only there. */
bool sbc_media_supported(const struct scsi_cmd *cmd);
enum sense_reason sbc_parse_prevent_allow(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_prevent_allow(struct scsi_cmd *cmd);
/* START STOP UNIT with LOEJ=1 and POWER CONDITION 0 on a removable LU. */
enum scsi_exec_result sbc_media_load_eject(struct scsi_cmd *cmd);
/* A logical unit reset's part (SBC-3, PREVENT ALLOW MEDIUM REMOVAL): every prevention ends. lu->lock held. */
void sbc_media_reset_locked(struct scsi_lu *lu);

enum sense_reason sbc_parse_write_atomic(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_write_atomic(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_unmap(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_unmap(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_write_same(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_write_same(struct scsi_cmd *cmd);
enum sense_reason sbc_parse_get_lba_status(struct scsi_cmd *cmd);
enum scsi_exec_result sbc_exec_get_lba_status(struct scsi_cmd *cmd);

#endif

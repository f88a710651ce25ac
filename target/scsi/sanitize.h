/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SANITIZE (SBC-4 §5.30; the operation: SBC-4 §4.11; sbc4r22's numbers): the
 * command, the LU's sanitize state (idle, in progress, failed) and what
 * that state refuses, and the pure pieces the job is made of (pattern,
 * progress, pacing), for the engine and its tests.
 *
 * Private to the SCSI engine (included through scsi_int.h).
 */
#ifndef PORTICO_TARGET_SCSI_SANITIZE_H
#define PORTICO_TARGET_SCSI_SANITIZE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/scsi/scsi.h"

#define SCSI_OP_SANITIZE 0x48

/* SBC-4 §5.30.2.1 table 110: the service actions. */
enum sanitize_sa {
	SANITIZE_SA_OVERWRITE = 0x01,
	SANITIZE_SA_BLOCK_ERASE = 0x02,
	SANITIZE_SA_CRYPTO_ERASE = 0x03,
	SANITIZE_SA_EXIT_FAILURE_MODE = 0x1f,
};

/* The LU's sanitize state (struct scsi_sanitize.state). */
enum sanitize_state {
	SANITIZE_STATE_IDLE = 0,
	SANITIZE_STATE_RUNNING, /* NOT READY, SANITIZE IN PROGRESS to most commands */
	SANITIZE_STATE_FAILED,	/* MEDIUM ERROR, SANITIZE COMMAND FAILED until cleared */
};

struct sanitize_job;

/*
 * Where an LU keeps, across a restart of porticod, that a sanitize runs or
 * failed on it (the model's store, target/model/sanitize_store.h).
 */
struct sanitize_store_ops {
	/*
	 * Records (set true: with the command's AUSE bit) or forgets that
	 * the LU is sanitizing or failed, durably before it returns. 0 or
	 * -errno. Synchronous (a small file and an fsync, on the I/O thread):
	 * a sanitize starts and ends rarely.
	 */
	int (*mark)(void *arg, bool set, bool ause);
	/* Called once when the LU is destroyed; arg is not used again. May be NULL. */
	void (*release)(void *arg);
};

/*
 * Embedded in struct scsi_lu (all zero: idle). state and progress are read
 * by every command on any thread; the transitions happen under lu->lock.
 */
struct scsi_sanitize {
	_Atomic uint8_t state;	   /* enum sanitize_state */
	_Atomic uint16_t progress; /* while running: done / total in 65536ths */
	bool ause;		   /* FAILED: the failed command's AUSE bit */
	struct sanitize_job *job;  /* RUNNING: the operation (owned by it) */
	/* twice the sanitizes begun on this LU, plus one while one runs (sanitize_lu_gen) */
	_Atomic uint32_t gen;
	const struct sanitize_store_ops *store; /* NULL: nothing survives a restart */
	void *store_arg;
};

/*
 * At LU creation, before any nexus attaches: the LU keeps its sanitize
 * state through ops from now on (released with the LU).
 */
void sanitize_lu_set_store(struct scsi_lu *lu, const struct sanitize_store_ops *ops, void *arg);
/*
 * At LU creation, before any nexus attaches: a sanitize was running or had
 * failed when porticod stopped; the LU starts in the failed state (SBC-4
 * §4.11.4; docs/conformance.md says why), EXIT FAILURE MODE allowed when
 * ause.
 */
void sanitize_lu_restore_failed(struct scsi_lu *lu, bool ause);
/* At LU destruction: releases the store. */
void sanitize_lu_fini(struct scsi_lu *lu);

/* The OVERWRITE parameter list (SBC-4 §5.30.2.2 table 111), decoded. */
struct sanitize_overwrite {
	bool invert;
	uint8_t count; /* passes, 1-31 */
	uint16_t pattern_len;
	const uint8_t *pattern; /* into the parameter list */
};

/*
 * Pure: decodes the OVERWRITE parameter list p[0..len) for a block_size LU.
 * SENSE_OK, or the reason with *byte / *bit (-1: none) the field in error.
 */
enum sense_reason sanitize_parse_overwrite(const uint8_t *p, size_t len, uint32_t block_size,
					   struct sanitize_overwrite *ow, unsigned int *byte,
					   int *bit);

/*
 * Pure: fills buf[0..len) (len a multiple of block_size) with the pattern
 * repeated from the start of each block, every byte inverted when invert
 * (SBC-4 §5.30.2.2: the pattern fills each logical block).
 */
void sanitize_fill(uint8_t *buf, size_t len, uint32_t block_size, const uint8_t *pattern,
		   size_t pattern_len, bool invert);

/* Pure: done of total as SPC-4 §4.5.2.4.4's PROGRESS INDICATION (65536ths, saturating). */
uint16_t sanitize_progress(uint64_t done, uint64_t total);

/*
 * Pure: milliseconds to wait before writing more when bytes were written in
 * elapsed_ms at a budget of rate bytes per second (0: unpaced, never wait).
 */
int64_t sanitize_pace_ms(uint64_t bytes, int64_t elapsed_ms, uint64_t rate);

/*
 * The OVERWRITE budget in bytes per second for the sanitize operations
 * started from now on (0: as fast as the store goes). Default
 * SANITIZE_DEFAULT_RATE.
 */
#define SANITIZE_DEFAULT_RATE (128ull << 20)
void sanitize_set_rate(uint64_t bytes_per_s);

/*
 * SENSE_OK when the LU's sanitize state lets cmd (of slot op) run, else the
 * reason that refuses it (with the progress indication in cmd's sense
 * fields while one runs). Called for every command once the LU's state is
 * not idle.
 */
enum sense_reason sanitize_refuses(struct scsi_cmd *cmd, const void *op);

/*
 * For a command that moves data on lu without being lu's own (EXTENDED
 * COPY's other LU): SENSE_OK while no sanitize runs or failed there, else
 * why not (SANITIZE IN PROGRESS, without the progress indication, which
 * belongs to lu's own commands; SANITIZE COMMAND FAILED).
 */
enum sense_reason sanitize_lu_refuses_io(struct scsi_lu *lu);

/*
 * lu's sanitize generation: raised (under lu->lock) when a sanitize begins,
 * before the state says RUNNING, and again when it ends, so it is odd
 * while one runs. A command that moves data on lu across several holds of
 * its range lock (EXTENDED COPY, chunk by chunk) reads it before it first
 * checks the state and, once each later hold is granted, checks that it
 * has not changed: a sanitize between two chunks would leave the first
 * erased and the next written. Read before the state, it cannot miss a
 * sanitize that the state check missed.
 */
uint32_t sanitize_lu_gen(struct scsi_lu *lu);

/*
 * REQUEST SENSE on an LU that is sanitizing or failed (SBC-4 §4.11.3 b): builds
 * that sense data into buf (SCSI_SENSE_MAX bytes) and returns its length, or
 * 0 when the LU is idle.
 */
size_t sanitize_request_sense(struct scsi_lu *lu, uint8_t *buf, bool desc);

/* The Block Device Characteristics VPD page's byte 7 bits (WABEREQ, WACEREQ) for lu. */
uint8_t sanitize_vpd_b1_byte7(const struct scsi_lu *lu);

/* The dispatch slot's service actions (scsi.c). */
struct scsi_sa_table;
extern const struct scsi_sa_table sanitize_sa_table;

#endif

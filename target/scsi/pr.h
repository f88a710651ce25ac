/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Persistent reservations as the daemon sees them: how an LU's state
 * survives a restart when an initiator asked for it (APTPL, SPC-4 §5.13.5).
 *
 * The engine does no file I/O. While APTPL is active it serialises the LU's
 * whole persistent reservation state into a byte blob after every change
 * and hands it to the save callback set here; when APTPL is turned off it
 * asks the store to forget what it holds. At start-up the daemon gives the
 * blob back with pr_lu_restore(), before any nexus attaches.
 *
 * The blob (all integers big-endian), version 1:
 *
 *   0   4  magic "PTPR"
 *   4   1  version (1)
 *   5   1  flags: bit 0 APTPL; the other bits 0
 *   6   1  reservation type (SPC-4 §6.15.3.4), 0: none
 *   7   1  0
 *   8   4  PRgeneration
 *  12   4  index of the holder's registration; FFFFFFFFh: none (no
 *          reservation, or an all registrants type)
 *  16   4  registration count n (at most SCSI_PR_MAX_REGS)
 *  20      n registrations, each:
 *            0  8  reservation key (not 0)
 *            8  2  relative target port identifier
 *           10  1  flags: bit 0 ALL_TG_PT; bit 1 DEVICE: the name is an
 *                  iSCSI name alone and covers its every initiator port
 *                  (SPEC_I_PT, TransportID format 00b); the other bits 0
 *           11  1  name length L, 1..255
 *           12  L  initiator port name, "<iSCSI name>,i,0x<ISID>", or with
 *                  DEVICE the iSCSI name (printable ASCII, no spaces)
 *   end 4  CRC32C (common/crc32c.h) of every byte before it
 *
 * A blob that breaks any of these rules, is cut short or carries bytes past
 * its CRC is refused whole: nothing of it is applied.
 */
#ifndef PORTICO_TARGET_SCSI_PR_H
#define PORTICO_TARGET_SCSI_PR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scsi_lu;

/* The largest blob: the header, SCSI_PR_MAX_REGS registrations with 255-byte names, the CRC. */
#define PR_BLOB_MAX (20u + 1024u * (12u + 255u) + 4u)

struct pr_save_ops {
	/*
	 * Stores blob (len bytes; NULL and 0: forget the stored state), a
	 * newer state for the same LU replacing an older one, in the order
	 * of the calls. The blob is the caller's: copy it. Returns 0, and
	 * done(ctx, err) runs later on the calling thread's event loop (never
	 * inside save) once the state is durable or failed; or -errno, and
	 * done never runs. Called with the LU's reservation lock held: it must
	 * not block.
	 */
	int (*save)(void *arg, const uint8_t *blob, size_t len, void (*done)(void *ctx, int err),
		    void *ctx);
	/* Called once when the LU is destroyed; arg is not used again. May be NULL. */
	void (*release)(void *arg);
};

/*
 * Sets where lu's state goes while APTPL is active (ops NULL: nowhere).
 * Set it before nexuses attach. A PERSISTENT RESERVE OUT that changes the
 * state completes once save's done has run.
 */
void pr_lu_set_save(struct scsi_lu *lu, const struct pr_save_ops *ops, void *arg);

/*
 * Restores lu's persistent reservation state from a blob that a save
 * callback received. Only before any nexus attaches and before any
 * registration: -EBUSY otherwise. -EINVAL when the blob is malformed
 * (nothing applied), -ENOMEM. A well-formed blob whose APTPL flag is clear
 * restores nothing. Returns the number of registrations restored.
 */
int pr_lu_restore(struct scsi_lu *lu, const uint8_t *blob, size_t len);

/*
 * The blob of lu's state now, whatever APTPL says. The caller frees *blob.
 * 0 or -ENOMEM.
 */
int pr_lu_snapshot(struct scsi_lu *lu, uint8_t **blob, size_t *len);

/*
 * A state shared between gateways (an rbd LU: docs/rbd.md). The state's
 * home is outside this daemon; every PERSISTENT RESERVE OUT is a
 * read-modify-write of it, and every gateway applies each committed change
 * before the command that made it is answered.
 */
struct pr_shared_req;

struct pr_shared_ops {
	/*
	 * Runs req, one PERSISTENT RESERVE OUT, against the home: reads the
	 * state and its version, calls pr_shared_apply(), and when that gives
	 * a new state stores it guarded by the version read (a lost race:
	 * read and apply again, a bounded number of times); then hands the
	 * change to every gateway (this one through pr_lu_deliver() before the
	 * others) and waits, bounded, for their acknowledgements; then calls
	 * pr_shared_done(req, err) once, on any thread. Returns 0, or -errno
	 * and pr_shared_done never runs. Must not block.
	 */
	int (*submit)(void *arg, struct pr_shared_req *req);
	/* Called once when the LU is destroyed; arg is not used again. May be NULL. */
	void (*release)(void *arg);
};

/* Puts lu's state in a shared home (before nexuses attach); APTPL's save callback is not used then. */
void pr_lu_set_shared(struct scsi_lu *lu, const struct pr_shared_ops *ops, void *arg);

/*
 * One attempt of req on the current state cur (a blob, pr.h). Returns 1
 * with the new state in *blob and the effects on other nexuses in *ev (the
 * caller frees both; hand them to pr_lu_deliver()), 0 when nothing is to be
 * stored (the command's answer is decided), or -errno (-EINVAL: cur is
 * damaged). Thread-safe; may run again for a later cur.
 */
int pr_shared_apply(struct pr_shared_req *req, const uint8_t *cur, size_t curlen, uint8_t **blob,
		    size_t *bloblen, uint8_t **ev, size_t *evlen);
/*
 * Ends req: err 0, the command gets the outcome of the last
 * pr_shared_apply(); else the state was not stored and the command ends
 * in CHECK CONDITION. Any thread; req is freed.
 */
void pr_shared_done(struct pr_shared_req *req, int err);

/*
 * Applies a committed change of version ver (state blob, effects ev) to
 * lu: the state replaces lu's, every attached nexus's view is recomputed,
 * the unit attentions are raised and, for PREEMPT AND ABORT, the preempted
 * nexuses' tasks aborted. A version not newer than the one applied is
 * ignored (each change takes effect once per gateway). Returns 0 when it is
 * all done, 1 when acked(ctx) runs later (on any thread, once the aborted
 * tasks have left the engine), or -errno (nothing applied: -EINVAL for a
 * damaged blob or effects).
 */
int pr_lu_deliver(struct scsi_lu *lu, uint64_t ver, const uint8_t *blob, size_t bloblen,
		  const uint8_t *ev, size_t evlen, void (*acked)(void *ctx), void *ctx);

/*
 * Replaces lu's state with blob (version ver), nexuses attached or not,
 * whatever the blob's APTPL flag: what a gateway does after (re)reading the
 * shared home. Every attached nexus's view is recomputed; no unit
 * attention is raised (the changes are not known). Clears the stale mark.
 * 0, -EINVAL (nothing applied), -ENOMEM.
 */
int pr_lu_replace(struct scsi_lu *lu, uint64_t ver, const uint8_t *blob, size_t len);

/*
 * Whether blob is a well-formed state whose APTPL flag is set (SPC-4
 * §5.13.5): what decides whether a shared state nobody serves any more is
 * kept (docs/rbd.md).
 */
bool pr_blob_aptpl(const uint8_t *blob, size_t len);

/*
 * Marks lu's shared state as possibly missed (a lost watch): until
 * pr_lu_replace(), every command but those that only inquire gets BUSY.
 */
void pr_lu_set_stale(struct scsi_lu *lu);

#endif

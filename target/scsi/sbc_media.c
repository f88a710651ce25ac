/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Removable media (SBC-3): an LU configured `removable` reports RMB in its
 * standard INQUIRY data, takes PREVENT ALLOW MEDIUM REMOVAL from each I_T
 * nexus, and loads and ejects its medium with START STOP UNIT (LOEJ=1).
 * An LU that is not removable answers as a fixed disk: PREVENT ALLOW
 * MEDIUM REMOVAL is an unsupported opcode there and LOEJ an invalid field.
 *
 * The medium is virtual: an eject leaves the store open and untouched, and
 * only makes the medium-access commands end with NOT READY, MEDIUM NOT
 * PRESENT (scsi_cmd_exec) until a load. What the standards leave open and
 * how it is decided here (docs/conformance.md, "Removable media"):
 *   - a load (LOEJ=1 START=1) is refused as an eject is while a nexus
 *     prevents removal: the medium does not change under a nexus that
 *     asked it not to (libiscsi's PreventAllow.Eject expects it, tgt does
 *     the same);
 *   - a load that brings the medium back raises NOT READY TO READY CHANGE,
 *     MEDIUM MAY HAVE CHANGED (28/00) on every other nexus: the one that
 *     loaded it knows, the others must re-read what they cached;
 *   - an eject with no medium, or a load with one, succeeds and changes
 *     nothing.
 *
 * Threads: the state (removable, no_medium, each nexus's prevent) is
 * written under lu->lock; the I/O path reads only the two atomics.
 */
#include <stdatomic.h>

#include "target/scsi/scsi_int.h"

/* CDB byte 4 of PREVENT ALLOW MEDIUM REMOVAL: the PREVENT field. */
#define SBC_PREVENT_MASK 0x03
#define SBC_PREVENT_ALLOW 0x00
#define SBC_PREVENT_PREVENT 0x01
/* CDB byte 4 of START STOP UNIT */
#define SBC_SSU_NO_FLUSH 0x04

bool scsi_lu_removable(const struct scsi_lu *lu)
{
	return atomic_load(&lu->removable);
}

bool scsi_lu_medium_present(const struct scsi_lu *lu)
{
	return !atomic_load(&lu->no_medium);
}

static void sbc_media_raise_locked(struct scsi_lu *lu, uint32_t ua, const struct scsi_itl *except)
{
	struct scsi_itl *itl;

	list_for_each_entry(itl, &lu->itls, node)
	{
		if (itl != except)
			atomic_fetch_or(&itl->ua, ua);
	}
}

/* Whether any nexus of lu prevents medium removal. lu->lock held. */
static bool sbc_media_prevented_locked(struct scsi_lu *lu)
{
	struct scsi_itl *itl;

	list_for_each_entry(itl, &lu->itls, node)
	{
		if (itl->prevent)
			return true;
	}
	return false;
}

void sbc_media_reset_locked(struct scsi_lu *lu)
{
	struct scsi_itl *itl;

	list_for_each_entry(itl, &lu->itls, node)
	{
		itl->prevent = false;
	}
}

void scsi_lu_set_removable(struct scsi_lu *lu, bool removable)
{
	pthread_mutex_lock(&lu->lock);
	if (atomic_load(&lu->removable) == removable) {
		pthread_mutex_unlock(&lu->lock);
		return;
	}
	atomic_store(&lu->removable, removable);
	if (!removable) {
		/* a fixed disk has its medium, and nothing to prevent */
		sbc_media_reset_locked(lu);
		if (atomic_exchange(&lu->no_medium, false)) {
			atomic_store(&lu->stopped, false);
			sbc_media_raise_locked(lu, SCSI_UA_MEDIUM_CHANGED, NULL);
		}
	}
	/* SPC-4 §6.4.1: standard INQUIRY data (RMB) changed: every nexus is told */
	sbc_media_raise_locked(lu, SCSI_UA_INQUIRY_DATA_CHANGED, NULL);
	pthread_mutex_unlock(&lu->lock);
}

bool sbc_media_supported(const struct scsi_cmd *cmd)
{
	const struct scsi_lu *lu = scsi_cmd_lu(cmd);

	return lu && atomic_load(&lu->removable);
}

/* PREVENT ALLOW MEDIUM REMOVAL (SBC-3) */

enum sense_reason sbc_parse_prevent_allow(struct scsi_cmd *cmd)
{
	/* SBC-3: PREVENT 10b and 11b are obsolete (a medium changer's): not taken */
	if ((cmd->cdb[4] & SBC_PREVENT_MASK) > SBC_PREVENT_PREVENT)
		return scsi_invalid_cdb(cmd, 4, 1);
	return SENSE_OK;
}

/*
 * SBC-3: removal is prevented while any nexus that asked for it has not
 * allowed it again; the prevention of one nexus ends with its own ALLOW,
 * the loss of that I_T nexus (the nexus and its flag go together,
 * scsi_itl_destroy), a logical unit reset and a hard reset (a target warm
 * or cold reset resets every LU: sbc_media_reset_locked). A medium need not
 * be present: a nexus may lock an empty drive.
 */
enum scsi_exec_result sbc_exec_prevent_allow(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);

	pthread_mutex_lock(&lu->lock);
	cmd->itl->prevent = (cmd->cdb[4] & SBC_PREVENT_MASK) == SBC_PREVENT_PREVENT;
	pthread_mutex_unlock(&lu->lock);
	return scsi_cmd_finish(cmd, SENSE_OK);
}

/* START STOP UNIT with LOEJ (SBC-3) */

/* The eject itself, once the cache is written back: refused if a nexus prevented it meanwhile. */
static enum sense_reason sbc_media_unload(struct scsi_lu *lu)
{
	enum sense_reason r = SENSE_OK;

	pthread_mutex_lock(&lu->lock);
	if (sbc_media_prevented_locked(lu)) {
		r = SENSE_MEDIUM_REMOVAL_PREVENTED;
	} else {
		/* SBC-3: LOEJ=1 START=0 stops the unit and unloads the medium */
		atomic_store(&lu->stopped, true);
		atomic_store(&lu->no_medium, true);
	}
	pthread_mutex_unlock(&lu->lock);
	return r;
}

static void sbc_media_flushed(struct bs_io *io)
{
	struct scsi_cmd *cmd = io->arg;
	enum sense_reason r = scsi_bs_error(io->result, BS_OP_FLUSH);

	if (r == SENSE_OK)
		r = sbc_media_unload(scsi_cmd_lu(cmd));
	scsi_cmd_complete(cmd, r);
}

enum scsi_exec_result sbc_media_load_eject(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = scsi_cmd_lu(cmd);
	enum sense_reason r;

	pthread_mutex_lock(&lu->lock);
	/* SBC-3: while removal is prevented, LOEJ ends with MEDIUM REMOVAL PREVENTED */
	if (sbc_media_prevented_locked(lu)) {
		pthread_mutex_unlock(&lu->lock);
		return scsi_cmd_finish(cmd, SENSE_MEDIUM_REMOVAL_PREVENTED);
	}
	if (cmd->flags & SCSI_CMD_F_START) {
		/* SBC-3: LOEJ=1 START=1 loads the medium and starts the unit */
		bool was_out = atomic_exchange(&lu->no_medium, false);

		atomic_store(&lu->stopped, false);
		/* SPC-4 annex D 28/00: the others learn the medium may be another */
		if (was_out)
			sbc_media_raise_locked(lu, SCSI_UA_MEDIUM_CHANGED, cmd->itl);
		pthread_mutex_unlock(&lu->lock);
		return scsi_cmd_finish(cmd, SENSE_OK);
	}
	pthread_mutex_unlock(&lu->lock);
	/* SBC-3: stopping writes the cache back first, unless NO_FLUSH; no medium, no cache */
	if (!(cmd->cdb[4] & SBC_SSU_NO_FLUSH) && lu->bs->write_back &&
	    !atomic_load(&lu->no_medium)) {
		r = scsi_cmd_submit(cmd, BS_OP_FLUSH, 0, 0, NULL, false, sbc_media_flushed);
		if (r != SENSE_OK)
			return scsi_cmd_finish(cmd, r);
		return SCSI_EXEC_ASYNC;
	}
	return scsi_cmd_finish(cmd, sbc_media_unload(lu));
}

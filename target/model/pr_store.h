/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where porticod keeps the persistent reservation state of its LUs while an
 * initiator asked for it to survive a power loss (APTPL, SPC-4 §5.13.5):
 * one file per LU, "<state_dir>/pr/<serial>", holding the blob the engine
 * builds (format in target/scsi/pr.h).
 *
 * A file is replaced whole: written to a temporary file in the same
 * directory, fsync'd, renamed over the old one, and the directory fsync'd,
 * so that after a crash the file holds the old state or the new one, never
 * a mix. Writes run on one dedicated thread, in the order the engine asked
 * for them (a newer state of an LU never loses to an older one); the
 * PERSISTENT RESERVE OUT that caused a write completes on its own I/O
 * thread once the write is durable. The I/O threads never wait for a disk.
 */
#ifndef PORTICO_TARGET_PR_STORE_H
#define PORTICO_TARGET_PR_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "target/scsi/scsi.h"

#define PR_STORE_DEFAULT_DIR "/var/lib/portico"

/*
 * At LU creation, before any nexus attaches: restores lu's state from
 * "<state_dir>/pr/<serial>" when the file exists, and makes lu save there
 * from now on. A missing file is no state. A file that cannot be read or
 * does not decode is logged and ignored (nothing of it applied; the next
 * save replaces it). 0, or -ENOMEM (lu unchanged).
 */
int pr_store_attach(struct scsi_lu *lu, const char *state_dir, const char *serial);

/*
 * Finishes every queued write (their completions are posted to the loops
 * that asked for them) and stops the writer thread. For the end of the
 * daemon, after the I/O threads stopped taking commands; a later save
 * starts the thread again.
 */
void pr_store_shutdown(void);

/*
 * The writer's work, synchronous: replaces "<state_dir>/pr/<serial>" with
 * blob atomically (creating the directories, mode 0700), or removes it when
 * len is 0. 0 or -errno.
 */
int pr_store_write_file(const char *state_dir, const char *serial, const uint8_t *blob, size_t len);

/*
 * Reads "<state_dir>/pr/<serial>" into a new buffer *blob (the caller frees
 * it) of *len bytes. -ENOENT when there is none, -EFBIG when it is larger
 * than any state, or -errno.
 */
int pr_store_read_file(const char *state_dir, const char *serial, uint8_t **blob, size_t *len);

#endif

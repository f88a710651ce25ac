/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The persistent reservation state blob (target/scsi/pr.h): what porticod
 * reads back from disk at start-up for an LU whose initiators asked for
 * APTPL, so a file that may be cut short or damaged.
 *
 * Input: byte 0 bit 0 set: the harness appends the right CRC32C to the rest
 * (so that the fuzzer gets past the checksum to the fields); clear: the rest
 * is the blob as it is.
 *
 * Checked: pr_lu_restore answers a count, -EINVAL or -ENOMEM; a refused blob
 * leaves the LU without registrations (its snapshot is the empty state); an
 * accepted blob with APTPL set comes back byte for byte from
 * pr_lu_snapshot, and that snapshot restores into a fresh LU to the same
 * count; an accepted blob without APTPL restores nothing.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "common/crc32c.h"
#include "target/scsi/pr.h"
#include "target/scsi/scsi.h"
#include "tests/unit/target/scsi/mem_bs.h"

static struct scsi_lu *lu_new(struct mem_bs **mb)
{
	struct scsi_lu_id id = {.serial = "FUZZPR", .vendor = "PORTICO", .product = "fuzz"};
	struct scsi_lu *lu;

	*mb = mem_create(512, 8, true, true, false);
	if (scsi_lu_create(&(*mb)->dev, &id, &lu))
		abort();
	return lu;
}

static void lu_free(struct scsi_lu *lu, struct mem_bs *mb)
{
	scsi_lu_destroy(lu);
	mem_destroy(mb);
}

/* A fresh LU's snapshot: the empty state, to compare with. */
static uint8_t *empty;
static size_t empty_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mem_bs *mb;
	struct scsi_lu *lu;

	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	scsi_init();
	lu = lu_new(&mb);
	if (pr_lu_snapshot(lu, &empty, &empty_len))
		abort();
	lu_free(lu, mb);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem_bs *mb, *mb2;
	struct scsi_lu *lu, *lu2;
	uint8_t *blob, *snap = NULL, *snap2 = NULL;
	size_t len, snap_len = 0, snap2_len = 0;
	int rc, rc2;

	if (size < 1 || size > PR_BLOB_MAX + 8)
		return 0;
	len = size - 1 + (data[0] & 1 ? 4 : 0);
	blob = malloc(len ? len : 1); /* exact size: ASan sees overreads */
	memcpy(blob, data + 1, size - 1);
	if (data[0] & 1)
		put_be32(blob + size - 1, crc32c(0, blob, size - 1));
	lu = lu_new(&mb);
	rc = pr_lu_restore(lu, blob, len);
	FUZZ_CHECK(rc >= 0 || rc == -EINVAL || rc == -ENOMEM, "pr_lu_restore: %d", rc);
	FUZZ_CHECK(pr_lu_snapshot(lu, &snap, &snap_len) == 0, "pr_lu_snapshot failed");
	if (rc < 0 || rc == 0) {
		/* Nothing applied: refused, or APTPL clear (or no registrations). */
		bool aptpl_set = rc == 0 && len > 5 && (blob[5] & 1);

		if (!aptpl_set)
			FUZZ_CHECK(snap_len == empty_len && !memcmp(snap, empty, empty_len),
				   "restore %d left state behind", rc);
	}
	if (rc >= 0 && len > 5 && (blob[5] & 1)) {
		FUZZ_CHECK(snap_len == len && !memcmp(snap, blob, len),
			   "an accepted %zu-byte blob snapshots as %zu other bytes", len, snap_len);
		lu2 = lu_new(&mb2);
		rc2 = pr_lu_restore(lu2, snap, snap_len);
		FUZZ_CHECK(rc2 == rc, "the snapshot restores to %d, the blob to %d", rc2, rc);
		FUZZ_CHECK(pr_lu_snapshot(lu2, &snap2, &snap2_len) == 0 && snap2_len == snap_len &&
			       !memcmp(snap2, snap, snap_len),
			   "a second round trip differs");
		free(snap2);
		lu_free(lu2, mb2);
	}
	free(snap);
	lu_free(lu, mb);
	free(blob);
	return 0;
}

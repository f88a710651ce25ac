/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lunio: one SCSI job on one LUN through libiscsi, as a functional test
 * needs it. Prints what it found on stdout; exits 0 when the job did what
 * it should, 1 (with the reason on stderr) when not.
 *
 *   lunio [-i IQN] [-H] COMMAND URL [ARGS]
 *     -i IQN   initiator name     -H   CRC32C header digests
 *
 *   login URL                 log in, TEST UNIT READY, log out
 *   capacity URL              "blocks N bs B lbpme X lbprz Y"
 *   luns URL                  REPORT LUNS: "luns: 0 1 ..."
 *   ident URL                 VPD 0x00, 0x80, 0x83: "pages: ...", "serial: ...", "naa: ..."
 *   verify URL [BLOCKS,...]   write and read back each size at the start, inside and at the end
 *   write URL LBA N SEED [fua]   write the pattern of SEED
 *   check URL LBA N SEED      read back the pattern of SEED
 *   zero URL LBA N            the blocks read as zeros
 *   readonly URL              a WRITE fails with DATA PROTECT / WRITE PROTECTED; READ works
 *   unmap URL LBA N           UNMAP one extent
 *   lbastatus URL LBA         GET LBA STATUS: "lba L blocks N provisioning P"
 *   sync URL                  SYNCHRONIZE CACHE (10) and (16), whole LU and a range
 *   writesame URL LBA N       WRITE SAME (16) then (10) over N blocks each, read back
 *   hammer URL SECONDS FILE   write/read-verify until SECONDS pass or FILE.stop exists; the
 *                             number of verified rounds is rewritten into FILE after each round
 *   caw URL LBA OFFSET        COMPARE AND WRITE of one block at LBA: with what it holds
 *                             (GOOD, the block inverted after), then with the byte at OFFSET
 *                             changed (MISCOMPARE): "caw: good", "caw: miscompare info N"
 *   edtl URL LBA              WRITE (10) and READ (10) whose iSCSI expected data transfer
 *                             length differs from the CDB's: one line each, what came back,
 *                             and the blocks read back afterwards (2 blocks from LBA)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/functional/ft.h"

static const char *opt_initiator;
static bool opt_hdigest;

static uint64_t arg_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		ft_die("bad %s '%s'", what, s);
	return v;
}

static bool open_lun(struct ft_lun *l, const char *url)
{
	return ft_open(l, url, opt_initiator, opt_hdigest);
}

static int cmd_login(int argc, char **argv)
{
	struct ft_lun l;

	if (argc != 1)
		return 2;
	if (!open_lun(&l, argv[0]))
		return 1;
	printf("logged in: LUN %d, %llu blocks of %u bytes\n", l.lun,
	       (unsigned long long)l.nblocks, l.bs);
	if (iscsi_logout_sync(l.iscsi)) {
		fprintf(stderr, "logout failed: %s\n", iscsi_get_error(l.iscsi));
		ft_close(l.iscsi, false);
		return 1;
	}
	printf("logged out\n");
	ft_close(l.iscsi, false);
	return 0;
}

static int cmd_capacity(int argc, char **argv)
{
	struct scsi_readcapacity16 *rc;
	struct scsi_task *task;
	struct ft_lun l;

	if (argc != 1)
		return 2;
	if (!open_lun(&l, argv[0]))
		return 1;
	task = iscsi_readcapacity16_sync(l.iscsi, l.lun);
	if (!ft_good(l.iscsi, task, "READ CAPACITY (16)")) {
		ft_close(l.iscsi, true);
		return 1;
	}
	rc = scsi_datain_unmarshall(task);
	if (rc)
		printf("blocks %llu bs %u lbpme %u lbprz %u\n",
		       (unsigned long long)rc->returned_lba + 1, rc->block_length, rc->lbpme,
		       rc->lbprz);
	scsi_free_scsi_task(task);
	ft_close(l.iscsi, true);
	return rc ? 0 : 1;
}

static int cmd_luns(int argc, char **argv)
{
	struct scsi_reportluns_list *list;
	struct scsi_task *task;
	struct iscsi_context *iscsi;
	uint32_t i;
	int lun, full;

	if (argc != 1)
		return 2;
	/* REPORT LUNS goes to LUN 0, which need not exist: no TEST UNIT READY first */
	iscsi = ft_connect(argv[0], opt_initiator, opt_hdigest, false, &lun);
	if (!iscsi)
		return 1;
	task = iscsi_reportluns_sync(iscsi, 0, 16);
	if (!ft_good(iscsi, task, "REPORT LUNS"))
		goto err;
	full = scsi_datain_getfullsize(task);
	if (full > task->datain.size) {
		scsi_free_scsi_task(task);
		task = iscsi_reportluns_sync(iscsi, 0, full);
		if (!ft_good(iscsi, task, "REPORT LUNS"))
			goto err;
	}
	list = scsi_datain_unmarshall(task);
	if (!list) {
		fprintf(stderr, "REPORT LUNS: cannot parse the data\n");
		scsi_free_scsi_task(task);
		goto err;
	}
	printf("luns:");
	for (i = 0; i < list->num; i++)
		printf(" %u", list->luns[i]);
	printf("\n");
	scsi_free_scsi_task(task);
	ft_close(iscsi, true);
	return 0;
err:
	ft_close(iscsi, false);
	return 1;
}

static struct scsi_task *vpd(struct ft_lun *l, int page)
{
	struct scsi_task *task;
	char what[32];
	int full;

	snprintf(what, sizeof(what), "INQUIRY VPD 0x%02x", page);
	task = iscsi_inquiry_sync(l->iscsi, l->lun, 1, page, 255);
	if (!ft_good(l->iscsi, task, what))
		return NULL;
	full = scsi_datain_getfullsize(task);
	if (full > task->datain.size) {
		scsi_free_scsi_task(task);
		task = iscsi_inquiry_sync(l->iscsi, l->lun, 1, page, full);
		if (!ft_good(l->iscsi, task, what))
			return NULL;
	}
	return task;
}

static int cmd_ident(int argc, char **argv)
{
	struct scsi_inquiry_supported_pages *sp;
	struct scsi_inquiry_unit_serial_number *usn;
	struct scsi_inquiry_device_identification *di;
	struct scsi_inquiry_device_designator *d;
	struct scsi_task *task;
	struct ft_lun l;
	int i, naas = 0, rc = 1;

	if (argc != 1)
		return 2;
	if (!open_lun(&l, argv[0]))
		return 1;
	task = vpd(&l, SCSI_INQUIRY_PAGECODE_SUPPORTED_VPD_PAGES);
	if (!task)
		goto out;
	sp = scsi_datain_unmarshall(task);
	if (!sp) {
		fprintf(stderr, "VPD 0x00: cannot parse the data\n");
		scsi_free_scsi_task(task);
		goto out;
	}
	printf("pages:");
	for (i = 0; i < sp->num_pages; i++)
		printf(" %02x", sp->pages[i]);
	printf("\n");
	scsi_free_scsi_task(task);

	task = vpd(&l, SCSI_INQUIRY_PAGECODE_UNIT_SERIAL_NUMBER);
	if (!task)
		goto out;
	usn = scsi_datain_unmarshall(task);
	if (!usn || !usn->usn) {
		fprintf(stderr, "VPD 0x80: cannot parse the data\n");
		scsi_free_scsi_task(task);
		goto out;
	}
	printf("serial: %s\n", usn->usn);
	scsi_free_scsi_task(task);

	task = vpd(&l, SCSI_INQUIRY_PAGECODE_DEVICE_IDENTIFICATION);
	if (!task)
		goto out;
	di = scsi_datain_unmarshall(task);
	if (!di) {
		fprintf(stderr, "VPD 0x83: cannot parse the data\n");
		scsi_free_scsi_task(task);
		goto out;
	}
	for (d = di->designators; d; d = d->next) {
		if (d->designator_type != SCSI_DESIGNATOR_TYPE_NAA ||
		    d->association != SCSI_ASSOCIATION_LOGICAL_UNIT)
			continue;
		printf("naa: ");
		for (i = 0; i < d->designator_length; i++)
			printf("%02x", (uint8_t)d->designator[i]);
		printf("\n");
		naas++;
	}
	scsi_free_scsi_task(task);
	if (!naas) {
		fprintf(stderr, "VPD 0x83: no NAA designator of the logical unit\n");
		goto out;
	}
	rc = 0;
out:
	ft_close(l.iscsi, true);
	return rc;
}

/* Sizes in blocks; each is written at LBA 0, at an odd LBA inside and flush with the end. */
static int cmd_verify(int argc, char **argv)
{
	static const char def_sizes[] = "1,7,8,63,64,255,256,1023,2048";
	char sizes[256], *tok, *save = NULL;
	uint64_t seed = ft_seed(), bytes = 0;
	unsigned int writes = 0;
	struct ft_lun l;
	int rc = 1;

	if (argc < 1 || argc > 2)
		return 2;
	snprintf(sizes, sizeof(sizes), "%s", argc == 2 ? argv[1] : def_sizes);
	if (!open_lun(&l, argv[0]))
		return 1;
	for (tok = strtok_r(sizes, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t n = (uint32_t)arg_u64(tok, "block count");
		uint64_t at[3];
		int k;

		if (n == 0 || n > l.nblocks / 4) {
			fprintf(stderr, "size %u blocks does not fit the LU (%llu blocks)\n", n,
				(unsigned long long)l.nblocks);
			goto out;
		}
		at[0] = 0;
		at[1] = (l.nblocks / 3) | 1;
		at[2] = l.nblocks - n;
		for (k = 0; k < 3; k++) {
			/* FUA on every other write: both paths to the store */
			if (!ft_write(&l, at[k], n, seed + n, (writes & 1) != 0))
				goto out;
			writes++;
			bytes += (uint64_t)n * l.bs;
		}
		for (k = 0; k < 3; k++) {
			if (!ft_read_check(&l, at[k], n, seed + n))
				goto out;
		}
	}
	printf("verified %u writes, %llu bytes, block size %u\n", writes,
	       (unsigned long long)bytes, l.bs);
	rc = 0;
out:
	ft_close(l.iscsi, rc == 0);
	return rc;
}

static int cmd_write(int argc, char **argv)
{
	struct ft_lun l;
	bool ok;

	if (argc != 4 && !(argc == 5 && strcmp(argv[4], "fua") == 0))
		return 2;
	if (!open_lun(&l, argv[0]))
		return 1;
	ok = ft_write(&l, arg_u64(argv[1], "LBA"), (uint32_t)arg_u64(argv[2], "block count"),
		      arg_u64(argv[3], "seed"), argc == 5);
	ft_close(l.iscsi, ok);
	return ok ? 0 : 1;
}

static int cmd_check(int argc, char **argv)
{
	struct ft_lun l;
	bool ok;

	if (argc != 4)
		return 2;
	if (!open_lun(&l, argv[0]))
		return 1;
	ok = ft_read_check(&l, arg_u64(argv[1], "LBA"), (uint32_t)arg_u64(argv[2], "block count"),
			   arg_u64(argv[3], "seed"));
	ft_close(l.iscsi, ok);
	return ok ? 0 : 1;
}

/* One COMPARE AND WRITE of a block: verify half cmp, write half w. The task, or NULL. */
static struct scsi_task *caw_one(struct ft_lun *l, uint64_t lba, const uint8_t *cmp,
				 const uint8_t *w)
{
	uint8_t *buf = malloc(2 * (size_t)l->bs);
	struct scsi_task *task;

	if (!buf)
		ft_die("out of memory");
	memcpy(buf, cmp, l->bs);
	memcpy(buf + l->bs, w, l->bs);
	task = iscsi_compareandwrite_sync(l->iscsi, l->lun, lba, buf, 2 * l->bs, (int)l->bs, 0, 0,
					  0, 0, 0);
	free(buf);
	return task;
}

static int cmd_caw(int argc, char **argv)
{
	struct scsi_task *task;
	uint8_t *old = NULL, *inv = NULL;
	const uint8_t *sb;
	struct ft_lun l;
	uint64_t lba, off;
	int rc = 1;

	if (argc != 3)
		return 2;
	lba = arg_u64(argv[1], "LBA");
	off = arg_u64(argv[2], "offset");
	if (!open_lun(&l, argv[0]))
		return 1;
	if (off >= l.bs)
		ft_die("offset %llu is not inside a %u-byte block", (unsigned long long)off, l.bs);
	task = iscsi_read16_sync(l.iscsi, l.lun, lba, l.bs, (int)l.bs, 0, 0, 0, 0, 0);
	if (!ft_good(l.iscsi, task, "READ (16)"))
		goto out;
	old = malloc(l.bs);
	inv = malloc(l.bs);
	if (!old || !inv || (uint32_t)task->datain.size != l.bs)
		ft_die("READ (16): no block came back");
	memcpy(old, task->datain.data, l.bs);
	scsi_free_scsi_task(task);
	for (uint32_t i = 0; i < l.bs; i++)
		inv[i] = (uint8_t)~old[i];
	/* what the block holds: written */
	task = caw_one(&l, lba, old, inv);
	if (!ft_good(l.iscsi, task, "COMPARE AND WRITE"))
		goto out;
	scsi_free_scsi_task(task);
	printf("caw: good\n");
	/* one byte off: nothing written, MISCOMPARE at its offset (SBC-3 §5.2) */
	inv[off] ^= 0x5a;
	task = caw_one(&l, lba, inv, old);
	inv[off] ^= 0x5a;
	if (!task || task->status != SCSI_STATUS_CHECK_CONDITION ||
	    task->sense.key != SCSI_SENSE_MISCOMPARE || task->datain.size < 2 + 7) {
		char buf[256];

		fprintf(stderr, "COMPARE AND WRITE (one byte off): %s\n",
			ft_status(l.iscsi, task, buf, sizeof(buf)));
		if (task)
			scsi_free_scsi_task(task);
		goto out;
	}
	/* the response's data: SenseLength (2 bytes), then fixed-format sense data */
	sb = task->datain.data + 2;
	if ((sb[0] & 0x7f) == 0x70 && (sb[0] & 0x80))
		printf("caw: miscompare info %u\n",
		       (unsigned)sb[3] << 24 | (unsigned)sb[4] << 16 | (unsigned)sb[5] << 8 | sb[6]);
	else
		printf("caw: miscompare without information (sense 0x%02x)\n", sb[0]);
	scsi_free_scsi_task(task);
	/* and the block is what the first one wrote */
	task = iscsi_read16_sync(l.iscsi, l.lun, lba, l.bs, (int)l.bs, 0, 0, 0, 0, 0);
	if (!ft_good(l.iscsi, task, "READ (16)"))
		goto out;
	if ((uint32_t)task->datain.size == l.bs && !memcmp(task->datain.data, inv, l.bs))
		rc = 0;
	else
		fprintf(stderr, "the block is not what the first COMPARE AND WRITE wrote\n");
	scsi_free_scsi_task(task);
out:
	free(old);
	free(inv);
	ft_close(l.iscsi, rc == 0);
	return rc;
}

static int cmd_zero(int argc, char **argv)
{
	struct scsi_task *task;
	struct ft_lun l;
	uint64_t lba;
	uint32_t n;
	int i, rc = 1;

	if (argc != 3)
		return 2;
	lba = arg_u64(argv[1], "LBA");
	n = (uint32_t)arg_u64(argv[2], "block count");
	if (!open_lun(&l, argv[0]))
		return 1;
	task = iscsi_read16_sync(l.iscsi, l.lun, lba, n * l.bs, (int)l.bs, 0, 0, 0, 0, 0);
	if (!ft_good(l.iscsi, task, "READ (16)"))
		goto out;
	if ((uint32_t)task->datain.size != n * l.bs) {
		fprintf(stderr, "READ (16): %d bytes came back, not %u\n", task->datain.size,
			n * l.bs);
		scsi_free_scsi_task(task);
		goto out;
	}
	for (i = 0; i < task->datain.size; i++) {
		if (task->datain.data[i]) {
			fprintf(stderr, "LBA %llu byte %u is 0x%02x, not zero\n",
				(unsigned long long)(lba + (uint32_t)i / l.bs), (uint32_t)i % l.bs,
				task->datain.data[i]);
			break;
		}
	}
	if (i == task->datain.size) {
		printf("%u blocks at LBA %llu read as zeros\n", n, (unsigned long long)lba);
		rc = 0;
	}
	scsi_free_scsi_task(task);
out:
	ft_close(l.iscsi, rc == 0);
	return rc;
}

static int cmd_readonly(int argc, char **argv)
{
	struct scsi_task *task;
	struct ft_lun l;
	uint8_t *buf;
	char st[256];
	int rc = 1;

	if (argc != 1)
		return 2;
	if (!open_lun(&l, argv[0]))
		return 1;
	buf = calloc(8, l.bs);
	if (!buf)
		ft_die("out of memory");
	task = iscsi_write16_sync(l.iscsi, l.lun, 0, buf, 8 * l.bs, (int)l.bs, 0, 0, 0, 0, 0);
	printf("WRITE (16): %s\n", ft_status(l.iscsi, task, st, sizeof(st)));
	if (!task) {
		free(buf);
		goto out;
	}
	/* SPC-4 §4.5.6 table 52 / SBC-3 §4.14: DATA PROTECT, WRITE PROTECTED (27h/xxh) */
	if (task->status != SCSI_STATUS_CHECK_CONDITION ||
	    task->sense.key != SCSI_SENSE_DATA_PROTECTION || (task->sense.ascq >> 8) != 0x27)
		fprintf(stderr, "a write to a read-only LUN did not fail with DATA PROTECT / WRITE PROTECTED\n");
	else
		rc = 0;
	scsi_free_scsi_task(task);
	free(buf);
	task = iscsi_read16_sync(l.iscsi, l.lun, 0, 8 * l.bs, (int)l.bs, 0, 0, 0, 0, 0);
	printf("READ (16): %s\n", ft_status(l.iscsi, task, st, sizeof(st)));
	if (!task || task->status != SCSI_STATUS_GOOD || task->datain.size != (int)(8 * l.bs)) {
		fprintf(stderr, "a read of a read-only LUN failed\n");
		rc = 1;
	}
	if (task)
		scsi_free_scsi_task(task);
out:
	ft_close(l.iscsi, true);
	return rc;
}

static int cmd_unmap(int argc, char **argv)
{
	struct unmap_list ul;
	struct scsi_task *task;
	struct ft_lun l;
	bool ok;

	if (argc != 3)
		return 2;
	ul.lba = arg_u64(argv[1], "LBA");
	ul.num = (uint32_t)arg_u64(argv[2], "block count");
	if (!open_lun(&l, argv[0]))
		return 1;
	task = iscsi_unmap_sync(l.iscsi, l.lun, 0, 0, &ul, 1);
	ok = ft_good(l.iscsi, task, "UNMAP");
	if (ok) {
		printf("unmapped %u blocks at LBA %llu\n", ul.num, (unsigned long long)ul.lba);
		scsi_free_scsi_task(task);
	}
	ft_close(l.iscsi, ok);
	return ok ? 0 : 1;
}

static int cmd_lbastatus(int argc, char **argv)
{
	struct scsi_get_lba_status *st;
	struct scsi_task *task;
	struct ft_lun l;
	uint64_t lba;
	int rc = 1;

	if (argc != 2)
		return 2;
	lba = arg_u64(argv[1], "LBA");
	if (!open_lun(&l, argv[0]))
		return 1;
	task = iscsi_get_lba_status_sync(l.iscsi, l.lun, lba, 8 + 16 * 4);
	if (!ft_good(l.iscsi, task, "GET LBA STATUS"))
		goto out;
	st = scsi_datain_unmarshall(task);
	if (!st || !st->num_descriptors) {
		fprintf(stderr, "GET LBA STATUS: no descriptor\n");
	} else {
		/* SBC-3 §5.6: the first descriptor is the one that holds the starting LBA */
		printf("lba %llu blocks %u provisioning %d\n",
		       (unsigned long long)st->descriptors[0].lba, st->descriptors[0].num_blocks,
		       (int)st->descriptors[0].provisioning);
		rc = 0;
	}
	scsi_free_scsi_task(task);
out:
	ft_close(l.iscsi, rc == 0);
	return rc;
}

static int cmd_sync(int argc, char **argv)
{
	struct scsi_task *task;
	struct ft_lun l;
	int rc = 1;

	if (argc != 1)
		return 2;
	if (!open_lun(&l, argv[0]))
		return 1;
	if (!ft_write(&l, 0, 16, ft_seed(), false))
		goto out;
	task = iscsi_synchronizecache10_sync(l.iscsi, l.lun, 0, 0, 0, 0);
	if (!ft_good(l.iscsi, task, "SYNCHRONIZE CACHE (10), whole LU"))
		goto out;
	scsi_free_scsi_task(task);
	task = iscsi_synchronizecache16_sync(l.iscsi, l.lun, 0, 16, 0, 0);
	if (!ft_good(l.iscsi, task, "SYNCHRONIZE CACHE (16), 16 blocks"))
		goto out;
	scsi_free_scsi_task(task);
	task = iscsi_synchronizecache16_sync(l.iscsi, l.lun, 0, 0, 0, 0);
	if (!ft_good(l.iscsi, task, "SYNCHRONIZE CACHE (16), whole LU"))
		goto out;
	scsi_free_scsi_task(task);
	/* SBC-3 §5.22: a range past the end is LBA OUT OF RANGE */
	task = iscsi_synchronizecache16_sync(l.iscsi, l.lun, l.nblocks, 1, 0, 0);
	if (!task || task->status != SCSI_STATUS_CHECK_CONDITION ||
	    task->sense.key != SCSI_SENSE_ILLEGAL_REQUEST || task->sense.ascq != 0x2100) {
		char st[256];

		fprintf(stderr, "SYNCHRONIZE CACHE (16) past the end: %s, not ILLEGAL REQUEST/0x2100\n",
			ft_status(l.iscsi, task, st, sizeof(st)));
		if (task)
			scsi_free_scsi_task(task);
		goto out;
	}
	scsi_free_scsi_task(task);
	printf("SYNCHRONIZE CACHE (10) and (16): GOOD\n");
	rc = 0;
out:
	ft_close(l.iscsi, rc == 0);
	return rc;
}

static bool same_check(struct ft_lun *l, const uint8_t *block, uint64_t lba, uint32_t n,
		       const char *what)
{
	struct scsi_task *task;
	uint32_t b;
	bool ok = true;

	task = iscsi_read16_sync(l->iscsi, l->lun, lba, n * l->bs, (int)l->bs, 0, 0, 0, 0, 0);
	if (!ft_good(l->iscsi, task, "READ (16)"))
		return false;
	for (b = 0; b < n && ok; b++) {
		if (memcmp(task->datain.data + (size_t)b * l->bs, block, l->bs)) {
			fprintf(stderr, "%s: LBA %llu does not hold the block written\n", what,
				(unsigned long long)(lba + b));
			ok = false;
		}
	}
	scsi_free_scsi_task(task);
	return ok;
}

static int cmd_writesame(int argc, char **argv)
{
	struct scsi_task *task;
	struct ft_lun l;
	uint8_t *block;
	uint64_t lba;
	uint32_t n;
	int rc = 1;

	if (argc != 3)
		return 2;
	lba = arg_u64(argv[1], "LBA");
	n = (uint32_t)arg_u64(argv[2], "block count");
	if (!open_lun(&l, argv[0]))
		return 1;
	block = malloc(l.bs);
	if (!block)
		ft_die("out of memory");
	/* the neighbours must not be touched */
	if (!ft_write(&l, lba - 1, 1, 77, false) || !ft_write(&l, lba + 2 * n, 1, 77, false))
		goto out;
	ft_pattern(block, 4242, 1, l.bs, ft_seed());
	task = iscsi_writesame16_sync(l.iscsi, l.lun, lba, block, l.bs, n, 0, 0, 0, 0);
	if (!ft_good(l.iscsi, task, "WRITE SAME (16)"))
		goto out;
	scsi_free_scsi_task(task);
	if (!same_check(&l, block, lba, n, "WRITE SAME (16)"))
		goto out;
	block[100] ^= 0xff;
	task = iscsi_writesame10_sync(l.iscsi, l.lun, (uint32_t)(lba + n), block, l.bs,
				      (uint16_t)n, 0, 0, 0, 0);
	if (!ft_good(l.iscsi, task, "WRITE SAME (10)"))
		goto out;
	scsi_free_scsi_task(task);
	if (!same_check(&l, block, lba + n, n, "WRITE SAME (10)"))
		goto out;
	if (!ft_read_check(&l, lba - 1, 1, 77) || !ft_read_check(&l, lba + 2 * n, 1, 77))
		goto out;
	printf("WRITE SAME (16) and (10): %u blocks each at LBA %llu\n", n,
	       (unsigned long long)lba);
	rc = 0;
out:
	free(block);
	ft_close(l.iscsi, rc == 0);
	return rc;
}

/* Replaces path atomically (rename), so that a reader never sees it empty. */
static void progress(const char *path, unsigned long rounds)
{
	char buf[32], tmp[4096];
	int fd, n;

	n = snprintf(buf, sizeof(buf), "%lu\n", rounds);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf, (size_t)n) != n)
		fprintf(stderr, "cannot write %s\n", tmp);
	close(fd);
	if (rename(tmp, path))
		fprintf(stderr, "cannot rename %s: %s\n", tmp, strerror(errno));
}

/*
 * A well-behaved initiator that keeps working while others misbehave,
 * until SECONDS pass or FILE.stop appears (a signal would interrupt
 * libiscsi's poll and fail the command in flight).
 */
static int cmd_hammer(int argc, char **argv)
{
	uint64_t seed = ft_seed(), end;
	unsigned long rounds = 0;
	char stopfile[4096];
	struct ft_lun l;
	int rc = 1;

	if (argc != 3)
		return 2;
	end = ft_now_ms() + arg_u64(argv[1], "seconds") * 1000;
	snprintf(stopfile, sizeof(stopfile), "%s.stop", argv[2]);
	if (!open_lun(&l, argv[0]))
		return 1;
	progress(argv[2], 0);
	while (access(stopfile, F_OK) && ft_now_ms() < end) {
		/* 1 to 64 blocks somewhere in the first 16 MiB worth of blocks */
		uint32_t n = 1 + (uint32_t)(seed >> 7) % 64;
		uint64_t lba = (seed >> 17) % ((16ULL << 20) / l.bs - 64);

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		if (!ft_write(&l, lba, n, seed, false) || !ft_read_check(&l, lba, n, seed))
			goto out;
		progress(argv[2], ++rounds);
	}
	printf("hammer: %lu rounds verified\n", rounds);
	rc = 0;
out:
	ft_close(l.iscsi, rc == 0);
	return rc;
}

/*
 * One command of cdb with the iSCSI expected length edtl (and the
 * direction dir, libiscsi's R/W bits) sending out (edtl bytes) for a
 * write; prints "what: STATUS residual overflow|underflow|none N [got N]".
 * The task, or NULL when it did not complete.
 */
static struct scsi_task *edtl_cmd(struct ft_lun *l, const char *what, const uint8_t *cdb,
				  enum scsi_xfer_dir dir, uint32_t edtl, uint8_t *out)
{
	struct scsi_task *task = calloc(1, sizeof(*task));
	struct iscsi_data data = {.size = edtl, .data = out};
	char st[256];

	if (!task)
		ft_die("out of memory");
	memcpy(task->cdb, cdb, 10);
	task->cdb_size = 10;
	task->xfer_dir = dir;
	task->expxferlen = edtl;
	if (!iscsi_scsi_command_sync(l->iscsi, l->lun, task, out ? &data : NULL)) {
		fprintf(stderr, "%s: %s\n", what, iscsi_get_error(l->iscsi));
		scsi_free_scsi_task(task);
		return NULL;
	}
	printf("%s: %s residual %s %zu", what, ft_status(l->iscsi, task, st, sizeof(st)),
	       task->residual_status == SCSI_RESIDUAL_OVERFLOW	 ? "overflow" :
	       task->residual_status == SCSI_RESIDUAL_UNDERFLOW ? "underflow" :
								   "none",
	       task->residual);
	if (dir == SCSI_XFER_READ)
		printf(" got %d", task->datain.size);
	printf("\n");
	return task;
}

/* Prints the two blocks at lba as "what blocks: N 'c' ..." runs of equal bytes. */
static bool edtl_show(struct ft_lun *l, const char *what, uint64_t lba)
{
	struct scsi_task *task = iscsi_read16_sync(l->iscsi, l->lun, lba, 2 * l->bs, (int)l->bs,
						   0, 0, 0, 0, 0);
	int i, start = 0;

	if (!ft_good(l->iscsi, task, "READ (16)"))
		return false;
	printf("%s blocks:", what);
	for (i = 1; i <= task->datain.size; i++) {
		if (i < task->datain.size && task->datain.data[i] == task->datain.data[start])
			continue;
		printf(" %d '%c'", i - start,
		       task->datain.data[start] >= 0x20 && task->datain.data[start] < 0x7f ?
			   task->datain.data[start] : '?');
		start = i;
	}
	printf("\n");
	scsi_free_scsi_task(task);
	return true;
}

/*
 * The interoperability case of RFC 7143 §11.4.5: an initiator whose
 * Expected Data Transfer Length is not what the CDB moves. The script
 * judges the lines; this only exits 1 when a command did not complete.
 */
static int cmd_edtl(int argc, char **argv)
{
	static const struct {
		const char *what;
		uint8_t op; /* WRITE (10) or READ (10) */
		uint16_t blocks;
		enum scsi_xfer_dir dir;
		uint32_t edtl_blocks, edtl_bytes; /* EDTL: so many blocks and bytes */
		char fill;			  /* what a write sends */
		bool show;			  /* read the blocks back after it */
	} steps[] = {
		{"write-2-blocks", 0x2a, 2, SCSI_XFER_WRITE, 2, 0, 'a', false},
		/* one block, 200 bytes of it sent */
		{"write-edtl-200", 0x2a, 1, SCSI_XFER_WRITE, 0, 200, 'b', true},
		/* one block announced without the W bit: no data-out at all */
		{"write-no-w-bit", 0x2a, 1, SCSI_XFER_NONE, 1, 0, 0, true},
		/* two blocks, one sent */
		{"write-edtl-1-of-2", 0x2a, 2, SCSI_XFER_WRITE, 1, 0, 'b', true},
		{"read-edtl-200", 0x28, 1, SCSI_XFER_READ, 0, 200, 0, false},
		{"read-edtl-3-blocks", 0x28, 2, SCSI_XFER_READ, 3, 0, 0, false},
	};
	uint8_t cdb[10] = {0}, *buf = NULL;
	struct scsi_task *task;
	struct ft_lun l;
	uint64_t lba;
	size_t i;
	int rc = 1;

	if (argc != 2)
		return 2;
	lba = arg_u64(argv[1], "LBA");
	if (!open_lun(&l, argv[0]))
		return 1;
	buf = malloc(3 * l.bs);
	if (!buf)
		ft_die("out of memory");
	put_be32(cdb + 2, (uint32_t)lba);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		cdb[0] = steps[i].op;
		put_be16(cdb + 7, steps[i].blocks);
		memset(buf, steps[i].fill, 3 * l.bs);
		task = edtl_cmd(&l, steps[i].what, cdb, steps[i].dir,
				steps[i].edtl_blocks * l.bs + steps[i].edtl_bytes,
				steps[i].fill ? buf : NULL);
		if (!task)
			goto out;
		scsi_free_scsi_task(task);
		if (steps[i].show && !edtl_show(&l, steps[i].what, lba))
			goto out;
	}
	rc = 0;
out:
	free(buf);
	ft_close(l.iscsi, rc == 0);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "login", cmd_login },	      { "capacity", cmd_capacity },
	{ "luns", cmd_luns },	      { "ident", cmd_ident },
	{ "verify", cmd_verify },     { "write", cmd_write },
	{ "check", cmd_check },	      { "zero", cmd_zero },
	{ "readonly", cmd_readonly }, { "unmap", cmd_unmap },
	{ "lbastatus", cmd_lbastatus }, { "sync", cmd_sync },
	{ "caw", cmd_caw },
	{ "writesame", cmd_writesame }, { "hammer", cmd_hammer },
	{ "edtl", cmd_edtl },
};

int main(int argc, char **argv)
{
	size_t i;
	int opt, rc;

	while ((opt = getopt(argc, argv, "+i:H")) != -1) {
		switch (opt) {
		case 'i':
			opt_initiator = optarg;
			break;
		case 'H':
			opt_hdigest = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc)
		goto usage;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmds[i].name, argv[optind]) == 0) {
			rc = cmds[i].fn(argc - optind - 1, argv + optind + 1);
			if (rc == 2)
				goto usage;
			return rc;
		}
	}
usage:
	fprintf(stderr, "usage: lunio [-i IQN] [-H] COMMAND URL [ARGS] (see the source)\n");
	return 2;
}

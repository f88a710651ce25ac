/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * durable: the writer and the checker of the kill -9 test.
 *
 *   durable [-i IQN] write URL ACKFILE FIRST-LBA SECONDS
 *     Writes 4 KiB blocks one after the other from FIRST-LBA, in turns:
 *     one WRITE (16) with FUA, then eight plain writes and a SYNCHRONIZE
 *     CACHE (10). A write is acknowledged (a line "LBA BLOCKS SEED" appended
 *     to ACKFILE) when it is durable by SBC-3: its FUA write, or the
 *     SYNCHRONIZE CACHE after it, completed GOOD. Runs until SECONDS pass or
 *     a command fails (the target was killed); exits 0 if it acknowledged
 *     anything.
 *
 *   durable [-i IQN] verify URL ACKFILE
 *     Reads back every acknowledged write; exits 1 at the first one that is
 *     not on the LU.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/functional/ft.h"

#define BLOCK_BYTES 4096
#define BATCH 8

static const char *opt_initiator;

static bool ack(int fd, uint64_t lba, uint32_t n, uint64_t seed)
{
	char line[96];
	int len = snprintf(line, sizeof(line), "%llu %u %llu\n", (unsigned long long)lba, n,
			   (unsigned long long)seed);

	/* one write(2) per line, O_APPEND: a line is whole or absent */
	return write(fd, line, (size_t)len) == len;
}

static int cmd_write(const char *url, const char *ackfile, uint64_t lba, unsigned int seconds)
{
	uint64_t base = ft_seed(), end = ft_now_ms() + (uint64_t)seconds * 1000;
	unsigned long fua = 0, synced = 0, k = 0;
	struct scsi_task *task;
	struct ft_lun l;
	uint32_t n;
	int fd;

	fd = open(ackfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		ft_die("cannot open %s: %s", ackfile, strerror(errno));
	if (!ft_open(&l, url, opt_initiator, false)) {
		close(fd);
		return 1;
	}
	n = BLOCK_BYTES / l.bs;
	while (ft_now_ms() < end) {
		uint64_t first = lba;
		int i;

		if (lba + (BATCH + 1) * n > l.nblocks) {
			fprintf(stderr, "reached the end of the LU\n");
			break;
		}
		/* a FUA write is durable when it completes */
		if (!ft_write(&l, lba, n, base + k, true))
			break;
		if (!ack(fd, lba, n, base + k))
			ft_die("cannot write %s", ackfile);
		fua++;
		lba += n;
		k++;
		/* plain writes are durable once a SYNCHRONIZE CACHE after them completes */
		first = lba;
		for (i = 0; i < BATCH; i++) {
			if (!ft_write(&l, lba + (uint64_t)i * n, n, base + k + (uint64_t)i, false))
				goto out;
		}
		task = iscsi_synchronizecache10_sync(l.iscsi, l.lun, 0, 0, 0, 0);
		if (!ft_good(l.iscsi, task, "SYNCHRONIZE CACHE (10)"))
			break;
		scsi_free_scsi_task(task);
		for (i = 0; i < BATCH; i++) {
			if (!ack(fd, first + (uint64_t)i * n, n, base + k + (uint64_t)i))
				ft_die("cannot write %s", ackfile);
		}
		synced += BATCH;
		lba += (uint64_t)BATCH * n;
		k += BATCH;
	}
out:
	printf("acknowledged %lu writes: %lu with FUA, %lu by SYNCHRONIZE CACHE\n", fua + synced,
	       fua, synced);
	ft_close(l.iscsi, false);
	close(fd);
	return fua + synced ? 0 : 1;
}

static int cmd_verify(const char *url, const char *ackfile)
{
	unsigned long long lba, seed;
	unsigned long count = 0;
	struct ft_lun l;
	unsigned int n;
	FILE *f;
	int rc = 0;

	f = fopen(ackfile, "re");
	if (!f)
		ft_die("cannot open %s: %s", ackfile, strerror(errno));
	if (!ft_open(&l, url, opt_initiator, false)) {
		fclose(f);
		return 1;
	}
	while (fscanf(f, "%llu %u %llu", &lba, &n, &seed) == 3) {
		if (!ft_read_check(&l, lba, n, seed)) {
			fprintf(stderr, "acknowledged write %lu (LBA %llu) is not on the LU\n", count + 1,
				lba);
			rc = 1;
			break;
		}
		count++;
	}
	fclose(f);
	if (!rc && !count) {
		fprintf(stderr, "%s holds no acknowledged write\n", ackfile);
		rc = 1;
	}
	if (!rc)
		printf("verified %lu acknowledged writes\n", count);
	ft_close(l.iscsi, true);
	return rc;
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "+i:")) != -1) {
		if (opt != 'i')
			goto usage;
		opt_initiator = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc == 5 && strcmp(argv[0], "write") == 0)
		return cmd_write(argv[1], argv[2], strtoull(argv[3], NULL, 0),
				 (unsigned int)atoi(argv[4]));
	if (argc == 3 && strcmp(argv[0], "verify") == 0)
		return cmd_verify(argv[1], argv[2]);
usage:
	fprintf(stderr, "usage: durable [-i IQN] write URL ACKFILE FIRST-LBA SECONDS | verify URL ACKFILE\n");
	return 2;
}

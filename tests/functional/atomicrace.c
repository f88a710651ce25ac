/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * atomicrace: plain WRITEs from one session race COMPARE AND WRITE,
 * ORWRITE or WRITE ATOMIC(16) from another over the same blocks, and the
 * medium is checked for what only an indivisible command can leave.
 *
 *   atomicrace [-i IQN] MODE URL LBA NBLOCKS SECONDS
 *     MODE: caw | orwrite | atomic
 *
 * Two sessions (two ISIDs of one initiator name), each on a thread of its
 * own and, with two I/O threads in porticod, on an I/O thread of its own.
 * The range is NBLOCKS blocks from LBA, every block of it always written
 * with one image:
 *   - the writer: WRITE(16) of image P(k), k = 1, 2, ..., then READ(16) of
 *     the range once that write is GOOD: it must read all blocks alike,
 *     and P(k) or what the other session may put on top of P(k) and of
 *     nothing older:
 *       caw:     C(j, k): a COMPARE AND WRITE that compared with P(k)
 *       orwrite: P(k) with the ORWRITE's bit set in its tail bytes
 *       atomic:  W(j), a WRITE ATOMIC of the whole range;
 *   - the other: caw: READ, then COMPARE AND WRITE of (what it read, when
 *     that is a P image) for C(j, k); orwrite: ORWRITE of the tail bit;
 *     atomic: WRITE ATOMIC of W(j).
 * A COMPARE AND WRITE that let a WRITE land between its read and its
 * write, or an ORWRITE that did, writes back an image built from P(k-1)
 * over the writer's P(k): the writer reads it and reports a lost write. A
 * WRITE ATOMIC interleaved with a WRITE leaves blocks of both: torn.
 *
 * Prints the counts; exits 0 when nothing was lost or torn, 1 with the
 * first violation on stderr, 2 on a usage error. Bounded by SECONDS and by
 * a round count.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/functional/ft.h"

#define MAX_ROUNDS 2000000ul
#define TAIL 64 /* bytes of a block before its tail */

enum mode { MODE_CAW, MODE_ORWRITE, MODE_ATOMIC };

static const char *opt_initiator;
static enum mode mode;
static const char *url;
static uint64_t base_lba;
static uint32_t nblocks, bs;
static uint64_t deadline_ms;
static atomic_bool stop;
static atomic_int failed;
static char why[512];
static pthread_mutex_t why_lock = PTHREAD_MUTEX_INITIALIZER;

static void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void violation(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&why_lock);
	if (!atomic_load(&failed)) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		atomic_store(&failed, 1);
	}
	pthread_mutex_unlock(&why_lock);
	atomic_store(&stop, true);
}

/* One block image: a tag, two numbers, and tail bytes that say the first number. */
static void image(uint8_t *blk, char tag, uint64_t a, uint64_t b)
{
	memset(blk, 0, bs);
	blk[0] = (uint8_t)tag;
	put_be64(blk + 8, a);
	put_be64(blk + 16, b);
	memset(blk + TAIL, (int)(a % 127) + 1, bs - TAIL);
}

static void fill(uint8_t *buf, char tag, uint64_t a, uint64_t b)
{
	uint32_t i;

	image(buf, tag, a, b);
	for (i = 1; i < nblocks; i++)
		memcpy(buf + (size_t)i * bs, buf, bs);
}

static bool deadline_passed(void)
{
	return atomic_load(&stop) || ft_now_ms() >= deadline_ms;
}

static struct iscsi_context *session(struct ft_lun *l, uint8_t isid_low)
{
	struct iscsi_context *iscsi =
	    iscsi_create_context(opt_initiator ? opt_initiator : FT_INITIATOR);

	if (!iscsi)
		return NULL;
	/* a session of its own: another ISID (RFC 7143 §10.12.5, random qualifier) */
	iscsi_set_isid_random(iscsi, isid_low, 0);
	if (!ft_open_ctx(l, iscsi, url, false))
		return NULL;
	return l->iscsi;
}

static unsigned long writer_rounds, other_rounds, other_good, other_miscompare;

/* What the writer may read after its write of P(k) is GOOD. */
static bool writer_expects(const uint8_t *blk, uint64_t k)
{
	uint8_t p[4096 * 2];
	uint32_t i;

	image(p, 'P', k, 0);
	if (!memcmp(blk, p, bs))
		return true;
	switch (mode) {
	case MODE_CAW:
		return blk[0] == 'C' && get_be64(blk + 16) == k;
	case MODE_ORWRITE:
		if (memcmp(blk, p, TAIL))
			return false;
		for (i = TAIL; i < bs; i++)
			if (blk[i] != (p[i] | 0x80))
				return false;
		return true;
	case MODE_ATOMIC:
	default:
		return blk[0] == 'W';
	}
}

static void *writer(void *arg)
{
	struct ft_lun l;
	uint8_t *buf = malloc((size_t)nblocks * bs);
	uint64_t k;
	uint32_t i;

	(void)arg;
	if (!buf || !session(&l, 1)) {
		violation("writer: no session");
		free(buf);
		return NULL;
	}
	for (k = 1; k <= MAX_ROUNDS && !deadline_passed(); k++) {
		struct scsi_task *t;

		fill(buf, 'P', k, 0);
		t = iscsi_write16_sync(l.iscsi, l.lun, base_lba, buf, nblocks * bs, bs, 0, 0, 0, 0,
				       0);
		if (!ft_good(l.iscsi, t, "WRITE(16)")) {
			violation("writer: WRITE(16) of P(%llu) failed", (unsigned long long)k);
			break;
		}
		scsi_free_scsi_task(t);
		t = iscsi_read16_sync(l.iscsi, l.lun, base_lba, nblocks * bs, bs, 0, 0, 0, 0, 0);
		if (!ft_good(l.iscsi, t, "READ(16)")) {
			violation("writer: READ(16) failed");
			break;
		}
		for (i = 0; i < nblocks; i++) {
			const uint8_t *blk = t->datain.data + (size_t)i * bs;

			if (memcmp(blk, t->datain.data, bs)) {
				violation("torn: block %u of the range differs from block 0 after "
					  "P(%llu) (block 0 tag '%c' %llu, block %u tag '%c' %llu)",
					  i, (unsigned long long)k, t->datain.data[0],
					  (unsigned long long)get_be64(t->datain.data + 8), i,
					  blk[0], (unsigned long long)get_be64(blk + 8));
				break;
			}
		}
		if (!atomic_load(&failed) && !writer_expects(t->datain.data, k))
			violation(
			    "lost write: after P(%llu) was GOOD the range holds tag '%c' %llu "
			    "%llu (tail byte %02x)",
			    (unsigned long long)k, t->datain.data[0],
			    (unsigned long long)get_be64(t->datain.data + 8),
			    (unsigned long long)get_be64(t->datain.data + 16),
			    t->datain.data[TAIL]);
		scsi_free_scsi_task(t);
		writer_rounds++;
	}
	atomic_store(&stop, true);
	ft_close(l.iscsi, true);
	free(buf);
	return NULL;
}

/* SCSI status of a task that may miscompare: 0 good, 1 miscompare, -1 anything else. */
static int outcome(struct scsi_task *t)
{
	if (t && t->status == SCSI_STATUS_GOOD)
		return 0;
	if (t && t->status == SCSI_STATUS_CHECK_CONDITION && t->sense.key == SCSI_SENSE_MISCOMPARE)
		return 1;
	return -1;
}

static void *other(void *arg)
{
	struct ft_lun l;
	uint8_t *buf = malloc((size_t)nblocks * bs * 2);
	uint64_t j;

	(void)arg;
	if (!buf || !session(&l, 2)) {
		violation("other: no session");
		free(buf);
		return NULL;
	}
	for (j = 1; j <= MAX_ROUNDS && !deadline_passed(); j++) {
		struct scsi_task *t = NULL;
		int o;

		switch (mode) {
		case MODE_CAW: {
			struct scsi_task *r;
			uint64_t k;

			r = iscsi_read16_sync(l.iscsi, l.lun, base_lba, nblocks * bs, bs, 0, 0, 0,
					      0, 0);
			if (!ft_good(l.iscsi, r, "READ(16)")) {
				violation("other: READ(16) failed");
				goto out;
			}
			memcpy(buf, r->datain.data, (size_t)nblocks * bs);
			scsi_free_scsi_task(r);
			/* compare with a whole P image only (a read may catch a write midway) */
			if (buf[0] != 'P' || memcmp(buf, buf + (size_t)(nblocks - 1) * bs, bs))
				continue;
			k = get_be64(buf + 8);
			fill(buf + (size_t)nblocks * bs, 'C', j, k);
			t = iscsi_compareandwrite_sync(l.iscsi, l.lun, base_lba, buf,
						       2 * nblocks * bs, bs, 0, 0, 0, 0, 0);
			break;
		}
		case MODE_ORWRITE:
			memset(buf, 0, (size_t)nblocks * bs);
			for (uint32_t i = 0; i < nblocks; i++)
				memset(buf + (size_t)i * bs + TAIL, 0x80, bs - TAIL);
			t = iscsi_orwrite_sync(l.iscsi, l.lun, base_lba, buf, nblocks * bs, bs, 0,
					       0, 0, 0, 0);
			break;
		case MODE_ATOMIC:
			fill(buf, 'W', j, 0);
			t = iscsi_writeatomic16_sync(l.iscsi, l.lun, base_lba, buf, nblocks * bs,
						     bs, 0, 0, 0, 0);
			break;
		}
		o = outcome(t);
		if (o < 0) {
			char st[256];

			violation("other: command %lu failed: %s", (unsigned long)j,
				  ft_status(l.iscsi, t, st, sizeof(st)));
			if (t)
				scsi_free_scsi_task(t);
			goto out;
		}
		if (o == 0)
			other_good++;
		else
			other_miscompare++;
		scsi_free_scsi_task(t);
		other_rounds++;
	}
out:
	ft_close(l.iscsi, true);
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tw, to;
	struct ft_lun probe;
	int c;

	while ((c = getopt(argc, argv, "i:")) != -1) {
		if (c != 'i')
			return 2;
		opt_initiator = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc != 5)
		return 2;
	if (!strcmp(argv[0], "caw"))
		mode = MODE_CAW;
	else if (!strcmp(argv[0], "orwrite"))
		mode = MODE_ORWRITE;
	else if (!strcmp(argv[0], "atomic"))
		mode = MODE_ATOMIC;
	else
		return 2;
	url = argv[1];
	base_lba = strtoull(argv[2], NULL, 0);
	nblocks = (uint32_t)strtoul(argv[3], NULL, 0);
	if (!nblocks || nblocks > 255)
		ft_die("NBLOCKS must be 1-255 (one COMPARE AND WRITE)");
	if (!ft_open(&probe, url, opt_initiator, false))
		return 1;
	bs = probe.bs;
	ft_close(probe.iscsi, true);
	if (bs > 4096)
		ft_die("block size %u: at most 4096", bs);
	deadline_ms = ft_now_ms() + strtoull(argv[4], NULL, 0) * 1000;

	pthread_create(&tw, NULL, writer, NULL);
	pthread_create(&to, NULL, other, NULL);
	pthread_join(tw, NULL);
	pthread_join(to, NULL);
	printf("%s: writer rounds %lu, %s rounds %lu (good %lu, miscompare %lu)\n", argv[0],
	       writer_rounds, argv[0], other_rounds, other_good, other_miscompare);
	if (atomic_load(&failed)) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	if (!writer_rounds || !other_good) {
		fprintf(stderr, "no race ran: writer %lu rounds, %lu good atomic commands\n",
			writer_rounds, other_good);
		return 1;
	}
	return 0;
}

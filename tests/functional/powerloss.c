/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * powerloss: the initiator of the VM lab's power-loss scenario
 * (tests/vm/powerloss.sh, docs/testing.md). It runs on the host, against
 * porticod in the guest, and keeps its record of what porticod acknowledged
 * as stable in a host file (LOG), which the guest's death cannot touch.
 *
 *   powerloss [-i IQN] write URL-WB URL-WT URL-PR LOG
 *     Writes numbered 4 KiB blocks to random slots of two LUs until a
 *     command fails (the machine's plug was pulled):
 *       URL-WB  a write-back LU (WCE=1): one write in four with FUA, the
 *               others plain, a SYNCHRONIZE CACHE (10) after every eight
 *       URL-WT  a write-through LU (WCE=0, checked): every write
 *     and, every 64 writes, registers a new key on URL-PR with REGISTER AND
 *     IGNORE EXISTING KEY and APTPL=1 (the first time also RESERVE, Write
 *     Exclusive), from a fixed ISID, so that it is one I_T nexus across boots.
 *     LOG lines, one write(2) each, appended after the command completed:
 *       I lu slot seq   issued (before the command)
 *       S lu slot seq   stable: a FUA write or a write-through LU's, GOOD
 *       W lu slot seq   a plain write GOOD, stable after the next C line
 *       C lu            SYNCHRONIZE CACHE GOOD
 *       B               a new boot (the writer started): plain writes not
 *                       synchronized before it are not made stable by a C
 *                       after it
 *       p key / P key   REGISTER issued / GOOD
 *       R key           RESERVE GOOD
 *     Sequence numbers go on from the highest in LOG.
 *
 *   powerloss [-i IQN] verify URL-WB URL-WT URL-PR LOG
 *     Reads both LUs whole. Every slot must hold zeros (never written
 *     stable) or a whole block of its own (magic, LU, slot, CRC32C over the
 *     block): anything else is torn. A slot acknowledged stable must hold
 *     that write or a later one issued to it, never an older one (lost). The
 *     PR LU must have exactly one key, the last one acknowledged or one
 *     issued after it, and a Write Exclusive reservation held with it.
 *     Prints the figures; exits 1 on any loss or tear, and when LOG holds
 *     no stable write or no acknowledged key (nothing was checked).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crc32c.h"
#include "tests/functional/ft.h"

#define BLOCK 4096
#define MAX_SLOTS 4096
#define PR_EVERY 64
#define SYNC_EVERY 8
#define MAGIC 0x504c424bu /* "PLBK" */
#define PR_ISID 0x504c4f53u

enum { WB = 0, WT = 1, NLU = 2 };
static const char *lu_name[NLU] = { "wb", "wt" };
static const char *opt_initiator;

/*
 * A block: magic, CRC32C of bytes 8..4095, LU, slot, sequence number, then a
 * xorshift stream of the sequence number. A block mixed from two writes, or
 * cut at any 512-byte sector, fails the CRC.
 */
static void block_fill(uint8_t *b, int lu, uint32_t slot, uint64_t seq)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)slot << 32 | (uint64_t)lu);
	size_t i;

	put_be32(b + 8, (uint32_t)lu);
	put_be32(b + 12, slot);
	put_be64(b + 16, seq);
	for (i = 24; i < BLOCK; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		put_be64(b + i, x);
	}
	put_be32(b, MAGIC);
	put_be32(b + 4, crc32c(0, b + 8, BLOCK - 8));
}

/* 1 a whole block of (lu, slot) with *seq set, 0 all zeros, -1 torn or foreign. */
static int block_check(const uint8_t *b, int lu, uint32_t slot, uint64_t *seq)
{
	size_t i;

	if (get_be32(b) != MAGIC) {
		for (i = 0; i < BLOCK; i++)
			if (b[i])
				return -1;
		return 0;
	}
	if (get_be32(b + 4) != crc32c(0, b + 8, BLOCK - 8) || get_be32(b + 8) != (uint32_t)lu ||
	    get_be32(b + 12) != slot)
		return -1;
	*seq = get_be64(b + 16);
	return 1;
}

struct state {
	uint64_t stable[NLU][MAX_SLOTS]; /* highest seq acknowledged stable, 0 none */
	uint64_t issued[NLU][MAX_SLOTS]; /* highest seq issued */
	uint64_t pending[MAX_SLOTS];     /* WB: plain writes since the last C */
	unsigned long n_pending;
	uint64_t max_seq;
	uint64_t key_acked, key_issued_max; /* PR keys */
	bool reserved;
	unsigned long n_issued, n_stable, n_plain, n_sync, n_keys;
};

static int lu_of(const char *s)
{
	return strcmp(s, "wb") == 0 ? WB : strcmp(s, "wt") == 0 ? WT : -1;
}

/* Reads LOG into st (a missing LOG is an empty one). */
static void log_read(const char *path, struct state *st)
{
	unsigned long long a, b;
	char kind, lu[8];
	char line[128];
	FILE *f;
	int l;

	memset(st, 0, sizeof(*st));
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%c %7s %llu %llu", &kind, lu, &a, &b) == 4 &&
		    (l = lu_of(lu)) >= 0 && a < MAX_SLOTS) {
			if (b > st->max_seq)
				st->max_seq = b;
			if (kind == 'I') {
				st->n_issued++;
				if (b > st->issued[l][a])
					st->issued[l][a] = b;
			} else if (kind == 'S') {
				st->n_stable++;
				if (b > st->stable[l][a])
					st->stable[l][a] = b;
			} else if (kind == 'W' && l == WB) {
				st->n_pending++;
				if (b > st->pending[a])
					st->pending[a] = b;
			}
		} else if (sscanf(line, "C %7s", lu) == 1 && lu_of(lu) == WB) {
			/* SBC-3 §5.22: SYNCHRONIZE CACHE makes every completed write stable */
			for (a = 0; a < MAX_SLOTS; a++) {
				if (st->pending[a] > st->stable[WB][a])
					st->stable[WB][a] = st->pending[a];
				st->pending[a] = 0;
			}
			st->n_stable += st->n_pending;
			st->n_pending = 0;
			st->n_sync++;
		} else if (!strcmp(line, "B\n")) {
			/*
			 * A new boot: the plain writes not synchronized before
			 * it were in a cache the plug took; a SYNCHRONIZE CACHE
			 * after it covers only what completed since.
			 */
			memset(st->pending, 0, sizeof(st->pending));
			st->n_pending = 0;
		} else if (sscanf(line, "%c %llu", &kind, &a) == 2) {
			if (kind == 'p') {
				if (a > st->key_issued_max)
					st->key_issued_max = a;
			} else if (kind == 'P') {
				st->key_acked = a;
				st->n_keys++;
			} else if (kind == 'R') {
				st->reserved = true;
			}
			if (a > st->max_seq)
				st->max_seq = a;
		}
	}
	fclose(f);
}

static void log_line(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_line(int fd, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one write(2) per line, O_APPEND: a line is whole or absent */
	if (len <= 0 || write(fd, line, (size_t)len) != len)
		ft_die("cannot write the log: %s", strerror(errno));
}

/* The caching mode page's WCE bit (SBC-3 §6.4.5), or -1. */
static int wce_of(struct ft_lun *l)
{
	struct scsi_task *task = iscsi_modesense6_sync(l->iscsi, l->lun, 1, SCSI_MODESENSE_PC_CURRENT,
						       SCSI_MODEPAGE_CACHING, 0, 255);
	struct scsi_mode_sense *ms;
	int wce = -1;

	if (!ft_good(l->iscsi, task, "MODE SENSE (6) caching page"))
		return -1;
	ms = scsi_datain_unmarshall(task);
	if (ms && ms->pages && ms->pages->page_code == SCSI_MODEPAGE_CACHING)
		wce = ms->pages->caching.wce;
	scsi_free_scsi_task(task);
	return wce;
}

static bool open_pr(struct ft_lun *l, const char *url)
{
	struct iscsi_context *iscsi = iscsi_create_context(opt_initiator ? opt_initiator : FT_INITIATOR);

	if (!iscsi)
		return false;
	/* one I_T nexus across boots: the registration is the nexus's (SPC-4 §5.9.4) */
	iscsi_set_isid_random(iscsi, PR_ISID, 0);
	return ft_open_ctx(l, iscsi, url, false);
}

static bool pr_out(struct ft_lun *l, int sa, int type, uint64_t key, uint64_t sakey, bool aptpl)
{
	struct scsi_persistent_reserve_out_basic p = {
		.reservation_key = key,
		.service_action_reservation_key = sakey,
		.aptpl = aptpl,
	};
	struct scsi_task *task = iscsi_persistent_reserve_out_sync(l->iscsi, l->lun, sa, 0, type, &p);

	if (!ft_good(l->iscsi, task, "PERSISTENT RESERVE OUT"))
		return false;
	scsi_free_scsi_task(task);
	return true;
}

static uint64_t rnd(void)
{
	static uint64_t x;

	if (!x)
		x = ft_seed() | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static int cmd_write(const char *url[3], const char *logpath)
{
	struct ft_lun lu[NLU], pr;
	unsigned long n = 0, plain = 0;
	uint32_t slots[NLU];
	uint8_t buf[BLOCK];
	struct state *st;
	uint64_t seq;
	int fd, i;

	st = calloc(1, sizeof(*st));
	if (!st)
		ft_die("out of memory");
	log_read(logpath, st);
	seq = st->max_seq;
	fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		ft_die("cannot open %s: %s", logpath, strerror(errno));
	/* each run of the writer follows a boot: what was only cached before it is gone */
	log_line(fd, "B\n");
	for (i = 0; i < NLU; i++) {
		if (!ft_open(&lu[i], url[i], opt_initiator, false))
			return 1;
		if (lu[i].bs > BLOCK || BLOCK % lu[i].bs)
			ft_die("%s: block size %u", lu_name[i], lu[i].bs);
		slots[i] = (uint32_t)(lu[i].nblocks / (BLOCK / lu[i].bs));
		if (slots[i] > MAX_SLOTS)
			slots[i] = MAX_SLOTS;
	}
	/* the write-through LU must say so, or its "stable" would be a guess */
	if (wce_of(&lu[WB]) != 1 || wce_of(&lu[WT]) != 0)
		ft_die("the LUs' write caches are not WB=1 WT=0");
	if (!open_pr(&pr, url[2]))
		return 1;
	for (;;) {
		int l = (int)(rnd() % 3 == 0 ? WT : WB);
		uint32_t slot = (uint32_t)(rnd() % slots[l]);
		uint32_t nb = BLOCK / lu[l].bs;
		bool fua = l == WB && rnd() % 4 == 0;
		struct scsi_task *task;

		seq++;
		block_fill(buf, l, slot, seq);
		log_line(fd, "I %s %u %llu\n", lu_name[l], slot, (unsigned long long)seq);
		task = iscsi_write10_sync(lu[l].iscsi, lu[l].lun, (uint32_t)slot * nb, buf, BLOCK,
					  (int)lu[l].bs, 0, 0, fua, 0, 0);
		if (!ft_good(lu[l].iscsi, task, "WRITE (10)"))
			break;
		scsi_free_scsi_task(task);
		log_line(fd, "%c %s %u %llu\n", l == WT || fua ? 'S' : 'W', lu_name[l], slot,
			 (unsigned long long)seq);
		if (l == WB && !fua && ++plain % SYNC_EVERY == 0) {
			task = iscsi_synchronizecache10_sync(lu[WB].iscsi, lu[WB].lun, 0, 0, 0, 0);
			if (!ft_good(lu[WB].iscsi, task, "SYNCHRONIZE CACHE (10)"))
				break;
			scsi_free_scsi_task(task);
			log_line(fd, "C wb\n");
		}
		if (++n % PR_EVERY == 1) {
			uint64_t key = ++seq;

			log_line(fd, "p %llu\n", (unsigned long long)key);
			/* SPC-4 §6.16.2: REGISTER AND IGNORE EXISTING KEY replaces this nexus's key */
			if (!pr_out(&pr, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0, key,
				    true))
				break;
			log_line(fd, "P %llu\n", (unsigned long long)key);
			if (!st->reserved) {
				if (!pr_out(&pr, SCSI_PERSISTENT_RESERVE_RESERVE,
					    SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE, key, 0, false))
					break;
				log_line(fd, "R %llu\n", (unsigned long long)key);
				st->reserved = true;
			}
		}
	}
	printf("powerloss: %lu writes completed in this round\n", n);
	close(fd);
	free(st);
	return 0;
}

static bool read_blocks(struct ft_lun *l, uint32_t first, uint32_t count, uint8_t *out)
{
	uint32_t nb = BLOCK / l->bs;
	struct scsi_task *task = iscsi_read10_sync(l->iscsi, l->lun, first * nb, count * BLOCK,
						   (int)l->bs, 0, 0, 0, 0, 0);

	if (!ft_good(l->iscsi, task, "READ (10)"))
		return false;
	if (task->datain.size != (int)(count * BLOCK)) {
		fprintf(stderr, "READ (10): %d bytes\n", task->datain.size);
		scsi_free_scsi_task(task);
		return false;
	}
	memcpy(out, task->datain.data, (size_t)count * BLOCK);
	scsi_free_scsi_task(task);
	return true;
}

static int verify_pr(const char *url, const struct state *st)
{
	struct scsi_persistent_reserve_in_read_reservation *rr;
	struct scsi_persistent_reserve_in_read_keys *rk;
	struct scsi_task *task;
	struct ft_lun pr;
	uint64_t key;
	int rc = 1;

	if (!st->key_acked) {
		printf("pr: LOST: no key acknowledged\n");
		return 1;
	}
	if (!ft_open(&pr, url, opt_initiator, false))
		return 1;
	task = iscsi_persistent_reserve_in_sync(pr.iscsi, pr.lun, SCSI_PERSISTENT_RESERVE_READ_KEYS, 1024);
	if (!ft_good(pr.iscsi, task, "PERSISTENT RESERVE IN (READ KEYS)"))
		goto out;
	rk = scsi_datain_unmarshall(task);
	if (!rk || rk->num_keys != 1) {
		printf("pr: LOST: %d keys registered, want 1 (acknowledged 0x%llx)\n", rk ? rk->num_keys : -1,
		       (unsigned long long)st->key_acked);
		scsi_free_scsi_task(task);
		goto out;
	}
	key = rk->keys[0];
	scsi_free_scsi_task(task);
	/* the acknowledged key, or one issued after it whose answer the plug cut */
	if (key != st->key_acked && !(key > st->key_acked && key <= st->key_issued_max)) {
		printf("pr: LOST: key 0x%llx registered, acknowledged 0x%llx\n", (unsigned long long)key,
		       (unsigned long long)st->key_acked);
		goto out;
	}
	task = iscsi_persistent_reserve_in_sync(pr.iscsi, pr.lun, SCSI_PERSISTENT_RESERVE_READ_RESERVATION,
						1024);
	if (!ft_good(pr.iscsi, task, "PERSISTENT RESERVE IN (READ RESERVATION)"))
		goto out;
	rr = scsi_datain_unmarshall(task);
	if (st->reserved && (!rr || !rr->reserved || rr->reservation_key != key ||
			     rr->pr_type != SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE)) {
		printf("pr: LOST: reservation %s (key 0x%llx type %d), want Write Exclusive with 0x%llx\n",
		       rr && rr->reserved ? "wrong" : "gone", rr ? (unsigned long long)rr->reservation_key : 0ULL,
		       rr ? rr->pr_type : -1, (unsigned long long)key);
		scsi_free_scsi_task(task);
		goto out;
	}
	scsi_free_scsi_task(task);
	printf("pr: key 0x%llx and its reservation are back (%lu keys acknowledged in all)\n",
	       (unsigned long long)key, st->n_keys);
	rc = 0;
out:
	ft_close(pr.iscsi, true);
	return rc;
}

static int cmd_verify(const char *url[3], const char *logpath)
{
	unsigned long checked = 0, lost = 0, torn = 0, newer = 0, zero = 0;
	enum { CHUNK = 64 };
	static uint8_t buf[CHUNK * BLOCK];
	struct state *st;
	struct ft_lun l;
	int i, rc;

	st = calloc(1, sizeof(*st));
	if (!st)
		ft_die("out of memory");
	log_read(logpath, st);
	for (i = 0; i < NLU; i++) {
		uint32_t slots, s, k;

		if (!ft_open(&l, url[i], opt_initiator, false))
			return 1;
		slots = (uint32_t)(l.nblocks / (BLOCK / l.bs));
		if (slots > MAX_SLOTS)
			slots = MAX_SLOTS;
		for (s = 0; s < slots; s += k) {
			uint32_t n = slots - s < CHUNK ? slots - s : CHUNK;

			if (!read_blocks(&l, s, n, buf))
				return 1;
			for (k = 0; k < n; k++) {
				uint64_t got = 0, want = st->stable[i][s + k];
				int r = block_check(buf + (size_t)k * BLOCK, i, s + k, &got);

				if (r < 0) {
					printf("TORN: %s slot %u: not a whole block of its own\n", lu_name[i], s + k);
					torn++;
				} else if (want && (r == 0 || got < want)) {
					printf("LOST: %s slot %u: acknowledged stable seq %llu, found %s %llu\n",
					       lu_name[i], s + k, (unsigned long long)want,
					       r ? "seq" : "zeros", (unsigned long long)got);
					lost++;
				} else if (r && got > st->issued[i][s + k]) {
					printf("TORN: %s slot %u: seq %llu was never issued there\n", lu_name[i],
					       s + k, (unsigned long long)got);
					torn++;
				}
				if (want)
					checked++;
				if (r && got > want)
					newer++;
				if (!r)
					zero++;
			}
		}
		ft_close(l.iscsi, true);
	}
	rc = verify_pr(url[2], st);
	if (!st->n_stable) {
		printf("powerloss: %s holds no write acknowledged as stable\n", logpath);
		rc = 1;
	}
	printf("powerloss: writes issued %lu, acknowledged stable %lu (%lu SYNCHRONIZE CACHE); "
	       "slots checked %lu, lost %lu, torn %lu, newer than acknowledged %lu, never written %lu\n",
	       st->n_issued, st->n_stable, st->n_sync, checked, lost, torn, newer, zero);
	free(st);
	return lost || torn || rc ? 1 : 0;
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
		return cmd_write((const char **)argv + 1, argv[4]);
	if (argc == 5 && strcmp(argv[0], "verify") == 0)
		return cmd_verify((const char **)argv + 1, argv[4]);
usage:
	fprintf(stderr, "usage: powerloss [-i IQN] write|verify URL-WB URL-WT URL-PR LOG\n");
	return 2;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the functional helper programs that drive porticod through libiscsi
 * share: connecting from an iscsi:// URL, a self-describing data pattern,
 * and printing what a failed SCSI command returned.
 *
 * Header-only (static inline) because the Makefile builds every .c file in
 * tests/functional into a program of its own.
 */
#ifndef PORTICO_TESTS_FUNCTIONAL_FT_H
#define PORTICO_TESTS_FUNCTIONAL_FT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "common/be.h"

/* Every synchronous libiscsi call gives up after this (seconds). */
#define FT_SYNC_TIMEOUT_S 20

/* The initiator name when the caller gives none. */
#define FT_INITIATOR "iqn.2026-01.org.portico.test:ft"

struct ft_lun {
	struct iscsi_context *iscsi;
	int lun;
	uint64_t nblocks;
	uint32_t bs;
};

static inline uint64_t ft_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline void ft_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static inline void ft_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * Logs iscsi (a new context, set up as the caller wants: initiator name,
 * ISID) in to the target and LUN of url ("iscsi://HOST:PORT/TARGET/LUN").
 * hdigest asks for CRC32C header digests (required, not just offered).
 * probe: libiscsi checks the LUN with TEST UNIT READY (false for commands
 * that go to the target, such as REPORT LUNS). On failure says why on
 * stderr, destroys the context and returns false.
 */
static inline bool ft_connect_ctx(struct iscsi_context *iscsi, const char *url_text, bool hdigest,
				  bool probe, int *lun)
{
	struct iscsi_url *url;

	url = iscsi_parse_full_url(iscsi, url_text);
	if (!url) {
		fprintf(stderr, "bad URL '%s': %s\n", url_text, iscsi_get_error(iscsi));
		iscsi_destroy_context(iscsi);
		return false;
	}
	iscsi_set_targetname(iscsi, url->target);
	iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(iscsi, hdigest ? ISCSI_HEADER_DIGEST_CRC32C :
						 ISCSI_HEADER_DIGEST_NONE);
	iscsi_set_timeout(iscsi, FT_SYNC_TIMEOUT_S);
	/* a dropped connection is what some tests look for: never hide it */
	iscsi_set_noautoreconnect(iscsi, 1);
	if (getenv("FT_DEBUG")) {
		iscsi_set_log_level(iscsi, atoi(getenv("FT_DEBUG")));
		iscsi_set_log_fn(iscsi, iscsi_log_to_stderr);
	}
	if (iscsi_full_connect_sync(iscsi, url->portal, probe ? url->lun : -1)) {
		fprintf(stderr, "login to %s failed: %s\n", url_text, iscsi_get_error(iscsi));
		iscsi_destroy_url(url);
		iscsi_destroy_context(iscsi);
		return false;
	}
	*lun = url->lun;
	iscsi_destroy_url(url);
	return true;
}

/*
 * A new context for initiator (NULL: FT_INITIATOR) logged in as
 * ft_connect_ctx() does, or NULL. The caller destroys it with ft_close().
 */
static inline struct iscsi_context *ft_connect(const char *url_text, const char *initiator,
					       bool hdigest, bool probe, int *lun)
{
	struct iscsi_context *iscsi;

	iscsi = iscsi_create_context(initiator ? initiator : FT_INITIATOR);
	if (!iscsi) {
		fprintf(stderr, "cannot create an iSCSI context\n");
		return NULL;
	}
	return ft_connect_ctx(iscsi, url_text, hdigest, probe, lun) ? iscsi : NULL;
}

static inline void ft_close(struct iscsi_context *iscsi, bool logout)
{
	if (logout && iscsi_is_logged_in(iscsi))
		iscsi_logout_sync(iscsi);
	iscsi_disconnect(iscsi);
	iscsi_destroy_context(iscsi);
}

/* "GOOD", "CHECK CONDITION ILLEGAL_REQUEST/0x2000 (...)", or what libiscsi said. */
static inline const char *ft_status(struct iscsi_context *iscsi, const struct scsi_task *task,
				    char *buf, size_t len)
{
	if (!task) {
		snprintf(buf, len, "no task: %s", iscsi_get_error(iscsi));
	} else if (task->status == SCSI_STATUS_GOOD) {
		snprintf(buf, len, "GOOD");
	} else if (task->status == SCSI_STATUS_CHECK_CONDITION) {
		snprintf(buf, len, "CHECK CONDITION %s/0x%04x (%s)", scsi_sense_key_str(task->sense.key),
			 task->sense.ascq, scsi_sense_ascq_str(task->sense.ascq));
	} else {
		snprintf(buf, len, "status 0x%02x: %s", task->status, iscsi_get_error(iscsi));
	}
	return buf;
}

/*
 * Whether task completed GOOD; if not, says so on stderr as "what: status"
 * and frees it. A GOOD task is left to the caller.
 */
static inline bool ft_good(struct iscsi_context *iscsi, struct scsi_task *task, const char *what)
{
	char buf[256];

	if (task && task->status == SCSI_STATUS_GOOD)
		return true;
	fprintf(stderr, "%s: %s\n", what, ft_status(iscsi, task, buf, sizeof(buf)));
	if (task)
		scsi_free_scsi_task(task);
	return false;
}

/*
 * TEST UNIT READY until it is GOOD, passing over unit attentions (a new
 * session, a reset): what an initiator does before its first I/O.
 */
static inline bool ft_ready(struct iscsi_context *iscsi, int lun)
{
	struct scsi_task *task;
	int i;

	for (i = 0; i < 8; i++) {
		task = iscsi_testunitready_sync(iscsi, lun);
		if (task && task->status == SCSI_STATUS_CHECK_CONDITION &&
		    task->sense.key == SCSI_SENSE_UNIT_ATTENTION) {
			scsi_free_scsi_task(task);
			continue;
		}
		if (!ft_good(iscsi, task, "TEST UNIT READY"))
			return false;
		scsi_free_scsi_task(task);
		return true;
	}
	fprintf(stderr, "TEST UNIT READY: still a unit attention after %d tries\n", i);
	return false;
}

/* READ CAPACITY (16) into l->nblocks and l->bs. */
static inline bool ft_capacity(struct ft_lun *l)
{
	struct scsi_task *task = iscsi_readcapacity16_sync(l->iscsi, l->lun);
	struct scsi_readcapacity16 *rc;

	if (!ft_good(l->iscsi, task, "READ CAPACITY (16)"))
		return false;
	rc = scsi_datain_unmarshall(task);
	if (!rc || !rc->block_length) {
		fprintf(stderr, "READ CAPACITY (16): cannot parse the data\n");
		scsi_free_scsi_task(task);
		return false;
	}
	l->nblocks = rc->returned_lba + 1;
	l->bs = rc->block_length;
	scsi_free_scsi_task(task);
	return true;
}

/*
 * Logs iscsi in (ft_connect_ctx), waits for the unit to be ready and reads
 * its capacity. On failure the context is destroyed.
 */
static inline bool ft_open_ctx(struct ft_lun *l, struct iscsi_context *iscsi, const char *url,
			       bool hdigest)
{
	memset(l, 0, sizeof(*l));
	if (!ft_connect_ctx(iscsi, url, hdigest, true, &l->lun))
		return false;
	l->iscsi = iscsi;
	if (!ft_ready(iscsi, l->lun) || !ft_capacity(l)) {
		ft_close(iscsi, false);
		l->iscsi = NULL;
		return false;
	}
	return true;
}

/* ft_open_ctx() with a new context for initiator (NULL: FT_INITIATOR). */
static inline bool ft_open(struct ft_lun *l, const char *url, const char *initiator, bool hdigest)
{
	struct iscsi_context *iscsi = iscsi_create_context(initiator ? initiator : FT_INITIATOR);

	if (!iscsi) {
		fprintf(stderr, "cannot create an iSCSI context\n");
		return false;
	}
	return ft_open_ctx(l, iscsi, url, hdigest);
}

/*
 * The data a test writes to block lba in its run seed: the LBA and the seed
 * in the first 16 bytes (so a misplaced block says where it came from), then
 * a xorshift stream of both.
 */
static inline void ft_pattern(uint8_t *buf, uint64_t lba, uint32_t nblocks, uint32_t bs,
			      uint64_t seed)
{
	uint32_t b;
	size_t i;

	for (b = 0; b < nblocks; b++, lba++) {
		uint8_t *p = buf + (size_t)b * bs;
		uint64_t x = (lba + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

		put_be64(p, lba);
		put_be64(p + 8, seed);
		for (i = 16; i + 8 <= bs; i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(p + i, &x, 8);
		}
	}
}

/*
 * Compares nblocks read at lba with ft_pattern(lba, seed). On a mismatch,
 * says which block and what it holds (the LBA and seed it was written as).
 */
static inline bool ft_pattern_check(const uint8_t *got, uint64_t lba, uint32_t nblocks,
				    uint32_t bs, uint64_t seed, const char *what)
{
	uint8_t *want = malloc(bs);
	uint32_t b;
	bool ok = true;

	if (!want)
		ft_die("out of memory");
	for (b = 0; b < nblocks; b++) {
		const uint8_t *p = got + (size_t)b * bs;

		ft_pattern(want, lba + b, 1, bs, seed);
		if (memcmp(p, want, bs)) {
			size_t off = 0;

			while (off < bs && p[off] == want[off])
				off++;
			fprintf(stderr,
				"%s: LBA %llu differs at byte %zu: holds a block written as LBA %llu seed 0x%llx, expected seed 0x%llx\n",
				what, (unsigned long long)(lba + b), off,
				(unsigned long long)get_be64(p), (unsigned long long)get_be64(p + 8),
				(unsigned long long)seed);
			ok = false;
			break;
		}
	}
	free(want);
	return ok;
}

/* WRITE (16) of ft_pattern at lba. */
static inline bool ft_write(struct ft_lun *l, uint64_t lba, uint32_t nblocks, uint64_t seed,
			    bool fua)
{
	size_t len = (size_t)nblocks * l->bs;
	uint8_t *buf = malloc(len);
	struct scsi_task *task;
	char what[96];

	if (!buf)
		ft_die("out of memory");
	ft_pattern(buf, lba, nblocks, l->bs, seed);
	task = iscsi_write16_sync(l->iscsi, l->lun, lba, buf, (uint32_t)len, (int)l->bs, 0, 0,
				  fua, 0, 0);
	free(buf);
	snprintf(what, sizeof(what), "WRITE (16) LBA %llu, %u blocks%s", (unsigned long long)lba,
		 nblocks, fua ? ", FUA" : "");
	if (!ft_good(l->iscsi, task, what))
		return false;
	scsi_free_scsi_task(task);
	return true;
}

/* READ (16) at lba; the data must be ft_pattern(lba, seed). */
static inline bool ft_read_check(struct ft_lun *l, uint64_t lba, uint32_t nblocks, uint64_t seed)
{
	size_t len = (size_t)nblocks * l->bs;
	struct scsi_task *task;
	char what[96];
	bool ok;

	task = iscsi_read16_sync(l->iscsi, l->lun, lba, (uint32_t)len, (int)l->bs, 0, 0, 0, 0, 0);
	snprintf(what, sizeof(what), "READ (16) LBA %llu, %u blocks", (unsigned long long)lba,
		 nblocks);
	if (!ft_good(l->iscsi, task, what))
		return false;
	if ((size_t)task->datain.size != len) {
		fprintf(stderr, "%s: %d bytes came back, not %zu\n", what, task->datain.size, len);
		scsi_free_scsi_task(task);
		return false;
	}
	ok = ft_pattern_check(task->datain.data, lba, nblocks, l->bs, seed, what);
	scsi_free_scsi_task(task);
	return ok;
}

/* A seed that differs from run to run, so that stale data never passes for new. */
static inline uint64_t ft_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec << 32 ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 16) |
	       1;
}

#endif

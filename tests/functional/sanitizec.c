/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sanitizec: SANITIZE (SBC-3 §5.30) through libiscsi, as
 * tests/functional/sanitize.sh needs it. Prints what it found on stdout;
 * exits 0 when the job did what it should, 1 (the reason on stderr) when not.
 *
 *   sanitizec [-i IQN] [-I IQN2] COMMAND URL [ARGS]
 *
 *   erase URL block|crypto    BLOCK / CRYPTOGRAPHIC ERASE without IMMED: GOOD
 *   overwrite URL BYTE        OVERWRITE with IMMED, one pass, the 4-byte pattern
 *                             BYTE, BYTE+1, BYTE+2, BYTE+3; then REQUEST SENSE every
 *                             20 ms until it reports nothing (at most 600 s), and
 *                             one TEST UNIT READY from IQN2 while it runs. Prints
 *                             "polls N running M first P last Q" and
 *                             "other: KEY/ASC/ASCQ"; fails when the progress goes
 *                             back, when no poll saw it running, when another
 *                             sense than NOT READY / SANITIZE IN PROGRESS came, or
 *                             when the other nexus was not refused
 *   pattern URL BYTE          the first and the last 8 blocks hold that pattern
 *   start URL BYTE [ause]     OVERWRITE with IMMED (and AUSE): "GOOD"
 *   tur URL                   TEST UNIT READY past the unit attentions of a new
 *                             session: "GOOD" or "KEY/ASC/ASCQ"
 *   exit URL                  EXIT FAILURE MODE: "GOOD" or "KEY/ASC/ASCQ"
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/functional/ft.h"

#define SANITIZE_OVERWRITE 0x01
#define SANITIZE_BLOCK_ERASE 0x02
#define SANITIZE_CRYPTO_ERASE 0x03

static const char *opt_initiator;
static const char *opt_initiator2 = "iqn.2026-01.org.portico.test:ft-2";

struct sense {
	uint8_t key, asc, ascq;
	bool sksv;
	uint16_t progress;
};

/* REQUEST SENSE (fixed format); false when the command itself failed. */
static bool request_sense(struct ft_lun *l, struct sense *s)
{
	struct scsi_task *task = calloc(1, sizeof(*task));
	const uint8_t *d;

	if (!task)
		ft_die("out of memory");
	task->cdb[0] = 0x03;
	task->cdb[4] = 252;
	task->cdb_size = 6;
	task->xfer_dir = SCSI_XFER_READ;
	task->expxferlen = 252;
	task = iscsi_scsi_command_sync(l->iscsi, l->lun, task, NULL);
	if (!ft_good(l->iscsi, task, "REQUEST SENSE"))
		return false;
	memset(s, 0, sizeof(*s));
	d = task->datain.data;
	if (task->datain.size >= 18 && (d[0] & 0x7f) == 0x70) {
		s->key = d[2] & 0x0f;
		s->asc = d[12];
		s->ascq = d[13];
		s->sksv = d[15] & 0x80;
		s->progress = (uint16_t)(d[16] << 8 | d[17]);
	} else if (task->datain.size) {
		fprintf(stderr, "REQUEST SENSE: not fixed-format sense data (%02x)\n", d[0]);
		scsi_free_scsi_task(task);
		return false;
	}
	scsi_free_scsi_task(task);
	return true;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/*
 * Logs in without the ready check (the unit may be failed) and sends one
 * command (past the unit attentions of a new session); the task or NULL.
 */
static struct scsi_task *raw_command(const char *url, struct iscsi_context **iscsi_out,
				     struct scsi_task *(*send)(struct iscsi_context *, int, int),
				     int arg)
{
	struct scsi_task *task = NULL;
	struct iscsi_context *iscsi;
	int lun, i;

	*iscsi_out = NULL;
	iscsi = ft_connect(url, opt_initiator, false, false, &lun);
	if (!iscsi)
		return NULL;
	for (i = 0; i < 8; i++) {
		if (task)
			scsi_free_scsi_task(task);
		task = send(iscsi, lun, arg);
		if (!task || task->status != SCSI_STATUS_CHECK_CONDITION ||
		    task->sense.key != SCSI_SENSE_UNIT_ATTENTION)
			break;
	}
	if (!task)
		fprintf(stderr, "%s\n", iscsi_get_error(iscsi));
	*iscsi_out = iscsi;
	return task;
}

static struct scsi_task *send_erase(struct iscsi_context *iscsi, int lun, int sa)
{
	return iscsi_sanitize_sync(iscsi, lun, 0, 0, sa, 0, NULL);
}

static struct scsi_task *send_tur(struct iscsi_context *iscsi, int lun, int unused)
{
	(void)unused;
	return iscsi_testunitready_sync(iscsi, lun);
}

static struct scsi_task *send_exit(struct iscsi_context *iscsi, int lun, int unused)
{
	(void)unused;
	return iscsi_sanitize_exit_failure_mode_sync(iscsi, lun, 0, 0);
}

static int cmd_erase(const char *url, const char *how)
{
	struct iscsi_context *iscsi;
	struct scsi_task *task;
	int sa;

	if (!strcmp(how, "block"))
		sa = SANITIZE_BLOCK_ERASE;
	else if (!strcmp(how, "crypto"))
		sa = SANITIZE_CRYPTO_ERASE;
	else
		ft_die("erase: 'block' or 'crypto', not '%s'", how);
	task = raw_command(url, &iscsi, send_erase, sa);
	if (!iscsi)
		return 1;
	if (!ft_good(iscsi, task, "SANITIZE"))
		return 1;
	scsi_free_scsi_task(task);
	printf("GOOD\n");
	ft_close(iscsi, true);
	return 0;
}

static void pattern_of(uint8_t *p, size_t len, uint8_t byte)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(byte + i % 4);
}

static int cmd_overwrite(const char *url, uint8_t byte)
{
	struct ft_lun l, other;
	struct scsi_task *task;
	struct iscsi_data data;
	uint8_t params[8];
	struct sense s;
	unsigned int polls = 0, running = 0;
	int first = -1, last = -1, i;
	bool other_done = false, ok = true;

	if (!ft_open(&l, url, opt_initiator, false) || !ft_open(&other, url, opt_initiator2, false))
		return 1;
	params[0] = 0x01; /* one pass, not inverted */
	params[1] = 0;
	params[2] = 0;
	params[3] = 4;
	pattern_of(params + 4, 4, byte);
	data.data = params;
	data.size = sizeof(params);
	task = iscsi_sanitize_sync(l.iscsi, l.lun, 1, 0, SANITIZE_OVERWRITE, sizeof(params), &data);
	if (!ft_good(l.iscsi, task, "SANITIZE OVERWRITE IMMED"))
		return 1;
	scsi_free_scsi_task(task);

	for (i = 0; i < 30000; i++) {
		if (!request_sense(&l, &s))
			return 1;
		polls++;
		if (s.key == 0 && s.asc == 0)
			break;
		if (s.key != 0x02 || s.asc != 0x04 || s.ascq != 0x1b || !s.sksv) {
			fprintf(stderr,
				"REQUEST SENSE: %x/%02x/%02x sksv %d, not NOT READY / "
				"SANITIZE IN PROGRESS with a progress indication\n",
				s.key, s.asc, s.ascq, s.sksv);
			return 1;
		}
		running++;
		if ((int)s.progress < last) {
			fprintf(stderr, "progress went back from %d to %u\n", last, s.progress);
			ok = false;
		}
		if (first < 0)
			first = s.progress;
		last = s.progress;
		if (!other_done) {
			/* SBC-3 §4.32.1: every nexus is refused, not only the one that started it
			 */
			task = iscsi_testunitready_sync(other.iscsi, other.lun);
			if (!task) {
				fprintf(stderr, "TEST UNIT READY (other): %s\n",
					iscsi_get_error(other.iscsi));
				return 1;
			}
			printf("other: %x/%02x/%02x\n", task->sense.key, task->sense.ascq >> 8,
			       task->sense.ascq & 0xff);
			if (task->status != SCSI_STATUS_CHECK_CONDITION ||
			    task->sense.key != SCSI_SENSE_NOT_READY || task->sense.ascq != 0x041b)
				ok = false;
			scsi_free_scsi_task(task);
			other_done = true;
		}
		sleep_ms(20);
	}
	printf("polls %u running %u first %d last %d\n", polls, running, first, last);
	if (i == 30000) {
		fprintf(stderr, "still running after %u polls\n", polls);
		return 1;
	}
	if (!running) {
		fprintf(stderr, "no REQUEST SENSE saw the sanitize running\n");
		return 1;
	}
	/* the unit is ready again, for the other nexus too */
	if (!ft_ready(other.iscsi, other.lun))
		return 1;
	ft_close(other.iscsi, true);
	ft_close(l.iscsi, true);
	return ok ? 0 : 1;
}

static int cmd_pattern(const char *url, uint8_t byte)
{
	struct ft_lun l;
	uint64_t lbas[2];
	uint8_t *want;

	if (!ft_open(&l, url, opt_initiator, false))
		return 1;
	lbas[0] = 0;
	lbas[1] = l.nblocks - 8;
	want = malloc((size_t)8 * l.bs);
	if (!want)
		ft_die("out of memory");
	for (size_t b = 0; b < 8; b++)
		pattern_of(want + b * l.bs, l.bs, byte);
	for (int k = 0; k < 2; k++) {
		struct scsi_task *task =
		    iscsi_read16_sync(l.iscsi, l.lun, lbas[k], 8 * l.bs, l.bs, 0, 0, 0, 0, 0);

		if (!ft_good(l.iscsi, task, "READ (16)"))
			return 1;
		if (task->datain.size != (int)(8 * l.bs) ||
		    memcmp(task->datain.data, want, 8 * l.bs)) {
			fprintf(stderr, "blocks %llu-%llu do not hold the pattern\n",
				(unsigned long long)lbas[k], (unsigned long long)lbas[k] + 7);
			return 1;
		}
		scsi_free_scsi_task(task);
	}
	free(want);
	printf("pattern %02x at both ends\n", byte);
	ft_close(l.iscsi, true);
	return 0;
}

/* TEST UNIT READY or EXIT FAILURE MODE: prints "GOOD" or "KEY/ASC/ASCQ". */
static int cmd_status(const char *url, const char *what)
{
	struct iscsi_context *iscsi = NULL;
	struct scsi_task *task;

	task = raw_command(url, &iscsi, !strcmp(what, "tur") ? send_tur : send_exit, 0);
	if (!task)
		return 1;
	if (task->status == SCSI_STATUS_GOOD)
		printf("GOOD\n");
	else if (task->status == SCSI_STATUS_CHECK_CONDITION)
		printf("%x/%02x/%02x\n", task->sense.key, task->sense.ascq >> 8,
		       task->sense.ascq & 0xff);
	else
		printf("status 0x%02x\n", task->status);
	scsi_free_scsi_task(task);
	ft_close(iscsi, true);
	return 0;
}

static int cmd_start(const char *url, uint8_t byte, bool ause)
{
	struct scsi_task *task;
	struct iscsi_data data;
	uint8_t params[8] = {0x01, 0, 0, 4};
	struct ft_lun l;

	if (!ft_open(&l, url, opt_initiator, false))
		return 1;
	pattern_of(params + 4, 4, byte);
	data.data = params;
	data.size = sizeof(params);
	task =
	    iscsi_sanitize_sync(l.iscsi, l.lun, 1, ause, SANITIZE_OVERWRITE, sizeof(params), &data);
	if (!ft_good(l.iscsi, task, "SANITIZE OVERWRITE IMMED"))
		return 1;
	scsi_free_scsi_task(task);
	printf("GOOD\n");
	ft_close(l.iscsi, true);
	return 0;
}

int main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "i:I:")) != -1) {
		switch (c) {
		case 'i':
			opt_initiator = optarg;
			break;
		case 'I':
			opt_initiator2 = optarg;
			break;
		default:
			ft_die("usage: sanitizec [-i IQN] [-I IQN2] COMMAND URL [ARGS]");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		ft_die("usage: sanitizec [-i IQN] [-I IQN2] COMMAND URL [ARGS]");
	if (!strcmp(argv[0], "erase") && argc == 3)
		return cmd_erase(argv[1], argv[2]);
	if (!strcmp(argv[0], "overwrite") && argc == 3)
		return cmd_overwrite(argv[1], (uint8_t)strtoul(argv[2], NULL, 0));
	if (!strcmp(argv[0], "pattern") && argc == 3)
		return cmd_pattern(argv[1], (uint8_t)strtoul(argv[2], NULL, 0));
	if (!strcmp(argv[0], "start") && (argc == 3 || argc == 4))
		return cmd_start(argv[1], (uint8_t)strtoul(argv[2], NULL, 0),
				 argc == 4 && !strcmp(argv[3], "ause"));
	if ((!strcmp(argv[0], "tur") || !strcmp(argv[0], "exit")) && argc == 2)
		return cmd_status(argv[1], argv[0]);
	ft_die("unknown command or arguments: '%s'", argv[0]);
}

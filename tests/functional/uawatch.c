/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uawatch: one libiscsi session kept open while a test changes porticod's
 * configuration, so that the test can see what the change does to a
 * session that is in: unit attentions, REPORT LUNS, READ CAPACITY, a
 * logout by the target.
 *
 *   uawatch [-i IQN] URL
 *
 * Logs in to the target of URL (no command to any LUN: the unit attentions
 * stay pending until the test asks), prints "0 logged in" (or "0 login
 * failed: ..." and exits 1), then reads commands from stdin, one per line,
 * and answers each with one line "N TEXT" (N counts the commands from 1):
 *
 *   tur LUN        TEST UNIT READY once: "tur LUN: GOOD", "tur LUN: sense K/AS/AQ"
 *                  (hex), or "tur LUN: error WHY" (no answer: the connection is gone)
 *   ready LUN      TEST UNIT READY until GOOD (at most 8 times), every sense on
 *                  the way: "ready LUN: 6/29/00 GOOD"
 *   luns           REPORT LUNS: "luns: 0 1 2", or sense/error as for tur
 *   cap LUN        READ CAPACITY (16): "cap LUN: blocks N bs B", or sense/error
 *   read LUN       READ (10) of block 0: "read LUN: GOOD", or sense/error
 *   sense LUN      REQUEST SENSE: "sense LUN: K/AS/AQ" (the parameter data's), or error
 *   inq LUN        standard INQUIRY: "inq LUN: tpgs N" (the TPGS field, 0 to 3)
 *   rtpg LUN       REPORT TARGET PORT GROUPS, extended header: "rtpg LUN: G STATE[ pref]
 *                  status S ports P[,P...]; ..." (STATE as Linux's access_state, S the
 *                  STATUS CODE), then the length-only format too: " (formats differ)"
 *                  ends the line when it does not say the same
 *   stpg LUN G STATE  SET TARGET PORT GROUPS, group G to STATE (a number, 0 to 15):
 *                  "stpg LUN: GOOD", or sense/error
 *   gone SECONDS   waits (at most SECONDS) for the target to end the session:
 *                  "gone: closed" or "gone: still logged in"
 *   quit           logs out and exits 0
 *
 * libiscsi's synchronous calls hand back a CHECK CONDITION as it came
 * (unit attentions are retried only by the connect probe, which is not
 * used here, and by a reconnect, which is turned off).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/scsi_alua.h"
#include "tests/functional/ft.h"

#define UA_READY_TRIES 8

static int seq;

static void answer(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void answer(const char *fmt, ...)
{
	va_list ap;

	printf("%d ", seq);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* "GOOD", "sense 6/3f/0e", "status 0x18", or "error WHY" when nothing came back. */
static const char *outcome(struct iscsi_context *iscsi, const struct scsi_task *task, char *buf,
			   size_t len)
{
	if (!task)
		snprintf(buf, len, "error %s", iscsi_get_error(iscsi));
	else if (task->status == SCSI_STATUS_GOOD)
		snprintf(buf, len, "GOOD");
	else if (task->status == SCSI_STATUS_CHECK_CONDITION)
		snprintf(buf, len, "sense %x/%02x/%02x", task->sense.key,
			 (task->sense.ascq >> 8) & 0xff, task->sense.ascq & 0xff);
	else
		snprintf(buf, len, "status 0x%02x", task->status);
	return buf;
}

static void do_tur(struct iscsi_context *iscsi, int lun)
{
	struct scsi_task *task = iscsi_testunitready_sync(iscsi, lun);
	char buf[256];

	answer("tur %d: %s", lun, outcome(iscsi, task, buf, sizeof(buf)));
	if (task)
		scsi_free_scsi_task(task);
}

static void do_ready(struct iscsi_context *iscsi, int lun)
{
	char seen[UA_READY_TRIES * 12 + 1] = "", buf[256];
	struct scsi_task *task;
	size_t off = 0;
	int i;

	for (i = 0; i < UA_READY_TRIES; i++) {
		task = iscsi_testunitready_sync(iscsi, lun);
		if (!task || task->status != SCSI_STATUS_CHECK_CONDITION ||
		    task->sense.key != SCSI_SENSE_UNIT_ATTENTION)
			break;
		off += (size_t)snprintf(seen + off, sizeof(seen) - off, "%x/%02x/%02x ",
					task->sense.key, (task->sense.ascq >> 8) & 0xff,
					task->sense.ascq & 0xff);
		scsi_free_scsi_task(task);
		task = NULL;
	}
	answer("ready %d: %s%s", lun, seen,
	       i == UA_READY_TRIES ? "still a unit attention" : outcome(iscsi, task, buf, sizeof(buf)));
	if (task)
		scsi_free_scsi_task(task);
}

static void do_luns(struct iscsi_context *iscsi)
{
	struct scsi_reportluns_list *list;
	struct scsi_task *task;
	char buf[4096];
	size_t off;
	int full;

	task = iscsi_reportluns_sync(iscsi, 0, 16);
	if (task && task->status == SCSI_STATUS_GOOD) {
		full = scsi_datain_getfullsize(task);
		if (full > task->datain.size) {
			scsi_free_scsi_task(task);
			task = iscsi_reportluns_sync(iscsi, 0, full);
		}
	}
	if (!task || task->status != SCSI_STATUS_GOOD) {
		answer("luns: %s", outcome(iscsi, task, buf, sizeof(buf)));
		goto out;
	}
	list = scsi_datain_unmarshall(task);
	if (!list) {
		answer("luns: error cannot parse the data");
		goto out;
	}
	off = (size_t)snprintf(buf, sizeof(buf), "luns:");
	for (uint32_t i = 0; i < list->num && off < sizeof(buf) - 12; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %u", list->luns[i]);
	answer("%s", buf);
out:
	if (task)
		scsi_free_scsi_task(task);
}

static void do_cap(struct iscsi_context *iscsi, int lun)
{
	struct scsi_task *task = iscsi_readcapacity16_sync(iscsi, lun);
	struct scsi_readcapacity16 *rc;
	char buf[256];

	if (!task || task->status != SCSI_STATUS_GOOD) {
		answer("cap %d: %s", lun, outcome(iscsi, task, buf, sizeof(buf)));
	} else if (!(rc = scsi_datain_unmarshall(task))) {
		answer("cap %d: error cannot parse the data", lun);
	} else {
		answer("cap %d: blocks %llu bs %u", lun, (unsigned long long)rc->returned_lba + 1,
		       rc->block_length);
	}
	if (task)
		scsi_free_scsi_task(task);
}

/* One command of cdb (cdblen bytes) on lun: dir, expxferlen len, out for data-out. */
static struct scsi_task *raw_cmd(struct iscsi_context *iscsi, int lun, const uint8_t *cdb,
				 int cdblen, enum scsi_xfer_dir dir, uint32_t len, uint8_t *out)
{
	struct scsi_task *task = calloc(1, sizeof(*task));
	struct iscsi_data data = {.size = len, .data = out};

	if (!task)
		ft_die("out of memory");
	memcpy(task->cdb, cdb, (size_t)cdblen);
	task->cdb_size = cdblen;
	task->xfer_dir = dir;
	task->expxferlen = len;
	if (!iscsi_scsi_command_sync(iscsi, lun, task, out ? &data : NULL)) {
		scsi_free_scsi_task(task);
		return NULL;
	}
	return task;
}

static void do_read(struct iscsi_context *iscsi, int lun)
{
	struct scsi_task *task = iscsi_read10_sync(iscsi, lun, 0, 512, 512, 0, 0, 0, 0, 0);
	char buf[256];

	answer("read %d: %s", lun, outcome(iscsi, task, buf, sizeof(buf)));
	if (task)
		scsi_free_scsi_task(task);
}

static void do_sense(struct iscsi_context *iscsi, int lun)
{
	const uint8_t cdb[6] = { 0x03, 0, 0, 0, 252, 0 };
	struct scsi_task *task = raw_cmd(iscsi, lun, cdb, 6, SCSI_XFER_READ, 252, NULL);
	char buf[256];

	if (!task || task->status != SCSI_STATUS_GOOD || task->datain.size < 14)
		answer("sense %d: %s", lun, outcome(iscsi, task, buf, sizeof(buf)));
	else
		answer("sense %d: %x/%02x/%02x", lun, task->datain.data[2] & 0x0f,
		       task->datain.data[12], task->datain.data[13]);
	if (task)
		scsi_free_scsi_task(task);
}

static void do_inq(struct iscsi_context *iscsi, int lun)
{
	struct scsi_task *task = iscsi_inquiry_sync(iscsi, lun, 0, 0, 96);
	char buf[256];

	if (!task || task->status != SCSI_STATUS_GOOD || task->datain.size < 6)
		answer("inq %d: %s", lun, outcome(iscsi, task, buf, sizeof(buf)));
	else
		answer("inq %d: tpgs %d", lun, (task->datain.data[5] >> 4) & 0x3);
	if (task)
		scsi_free_scsi_task(task);
}

/* REPORT TARGET PORT GROUPS in one format into text; 0, or -1 with why in text. */
static int rtpg_text(struct iscsi_context *iscsi, int lun, bool ext, char *text, size_t len)
{
	/* MAINTENANCE IN, REPORT TARGET PORT GROUPS (common/scsi_proto.h clashes with libiscsi's) */
	uint8_t cdb[12] = { 0xa3, 0x0a };
	struct scsi_task *task;
	struct scsi_rtpg_iter it;
	struct scsi_tpg g;
	size_t off = 0;
	int r;

	if (ext)
		cdb[1] |= 0x20; /* PARAMETER DATA FORMAT 001b: extended header */
	put_be32(cdb + 6, 4096);
	task = raw_cmd(iscsi, lun, cdb, 12, SCSI_XFER_READ, 4096, NULL);
	if (!task || task->status != SCSI_STATUS_GOOD) {
		outcome(iscsi, task, text, len);
		if (task)
			scsi_free_scsi_task(task);
		return -1;
	}
	text[0] = '\0';
	r = scsi_rtpg_iter_init(&it, task->datain.data, (size_t)task->datain.size, ext);
	if (!r && ext != it.ext)
		r = -1;
	while (!r && (r = scsi_rtpg_iter_next(&it, &g)) == 1) {
		off += (size_t)snprintf(text + off, len - off, "%s%u %s%s status %u ports",
					off ? "; " : "", g.id, scsi_alua_state_name(g.state),
					g.pref ? " pref" : "", g.status);
		for (size_t i = 0; i < g.nports && off < len; i++)
			off += (size_t)snprintf(text + off, len - off, "%s%u", i ? "," : " ",
						scsi_tpg_port(&g, i));
		r = 0;
	}
	scsi_free_scsi_task(task);
	if (r < 0)
		snprintf(text, len, "error the data does not parse");
	return r < 0 ? -1 : 0;
}

static void do_rtpg(struct iscsi_context *iscsi, int lun)
{
	char ext[2048], plain[2048];

	if (rtpg_text(iscsi, lun, true, ext, sizeof(ext))) {
		answer("rtpg %d: %s", lun, ext);
		return;
	}
	rtpg_text(iscsi, lun, false, plain, sizeof(plain));
	answer("rtpg %d: %s%s", lun, ext, strcmp(ext, plain) ? " (formats differ)" : "");
}

static void do_stpg(struct iscsi_context *iscsi, int lun, int group, int state)
{
	uint8_t cdb[12] = { 0xa4, 0x0a }, list[8]; /* MAINTENANCE OUT, SET TARGET PORT GROUPS */
	const struct scsi_stpg_entry e = {.id = (uint16_t)group, .state = (uint8_t)state};
	struct scsi_task *task;
	char buf[256];
	int len = scsi_stpg_put(list, sizeof(list), &e, 1);

	if (len < 0) {
		answer("stpg %d: error bad state %d", lun, state);
		return;
	}
	put_be32(cdb + 6, (uint32_t)len);
	task = raw_cmd(iscsi, lun, cdb, 12, SCSI_XFER_WRITE, (uint32_t)len, list);
	answer("stpg %d: %s", lun, outcome(iscsi, task, buf, sizeof(buf)));
	if (task)
		scsi_free_scsi_task(task);
}

/* Serves the connection (NOP-Ins, an Async Message) until it ends or the time is up. */
static void do_gone(struct iscsi_context *iscsi, int seconds)
{
	uint64_t end = ft_now_ms() + (uint64_t)seconds * 1000;
	struct pollfd pfd;

	while (ft_now_ms() < end) {
		pfd.fd = iscsi_get_fd(iscsi);
		if (pfd.fd < 0 || !iscsi_is_logged_in(iscsi))
			break;
		pfd.events = (short)iscsi_which_events(iscsi);
		pfd.revents = 0;
		if (poll(&pfd, 1, 100) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents && iscsi_service(iscsi, pfd.revents) < 0)
			break;
	}
	if (iscsi_get_fd(iscsi) < 0 || !iscsi_is_logged_in(iscsi) || ft_now_ms() < end)
		answer("gone: closed");
	else
		answer("gone: still logged in");
}

int main(int argc, char **argv)
{
	const char *initiator = NULL;
	struct iscsi_context *iscsi;
	char line[256], verb[32];
	int opt, lun, arg, arg2, arg3, n;

	while ((opt = getopt(argc, argv, "i:")) != -1) {
		if (opt != 'i')
			goto usage;
		initiator = optarg;
	}
	if (optind != argc - 1)
		goto usage;
	iscsi = ft_connect(argv[optind], initiator, false, false, &lun);
	if (!iscsi) {
		answer("login failed");
		return 1;
	}
	answer("logged in");
	while (fgets(line, sizeof(line), stdin)) {
		arg = arg2 = arg3 = -1;
		n = sscanf(line, "%31s %d %d %d", verb, &arg, &arg2, &arg3);
		if (n < 1)
			continue;
		seq++;
		if (!strcmp(verb, "tur") && n == 2) {
			do_tur(iscsi, arg);
		} else if (!strcmp(verb, "ready") && n == 2) {
			do_ready(iscsi, arg);
		} else if (!strcmp(verb, "luns")) {
			do_luns(iscsi);
		} else if (!strcmp(verb, "cap") && n == 2) {
			do_cap(iscsi, arg);
		} else if (!strcmp(verb, "read") && n == 2) {
			do_read(iscsi, arg);
		} else if (!strcmp(verb, "sense") && n == 2) {
			do_sense(iscsi, arg);
		} else if (!strcmp(verb, "inq") && n == 2) {
			do_inq(iscsi, arg);
		} else if (!strcmp(verb, "rtpg") && n == 2) {
			do_rtpg(iscsi, arg);
		} else if (!strcmp(verb, "stpg") && n == 4) {
			do_stpg(iscsi, arg, arg2, arg3);
		} else if (!strcmp(verb, "gone") && n == 2) {
			do_gone(iscsi, arg);
		} else if (!strcmp(verb, "quit")) {
			answer("bye");
			ft_close(iscsi, true);
			return 0;
		} else {
			answer("unknown command: %s", verb);
		}
	}
	ft_close(iscsi, true);
	return 0;
usage:
	fprintf(stderr, "usage: uawatch [-i IQN] URL (commands on stdin: see the source)\n");
	return 2;
}

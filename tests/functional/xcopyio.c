/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xcopyio: EXTENDED COPY (LID1) through libiscsi, as a functional test
 * needs it. One session to the target of URL; the copy is sent to URL's
 * LUN and names its source and destination LUs by the NAA designators the
 * session reads from their VPD page 0x83. Prints what it found on stdout;
 * exits 0 when the job did what it should, 1 (with the reason on stderr)
 * when not.
 *
 *   xcopyio [-i IQN] COMMAND URL [ARGS]
 *
 *   copy URL SRC_LUN SRC_LBA DST_LUN DST_LBA N SEED
 *        writes the pattern of SEED at SRC_LUN/SRC_LBA and zeroes at the
 *        destination, copies N blocks with one block to block segment (list
 *        identifier 1, results held), reads RECEIVE COPY RESULTS (COPY
 *        STATUS), and checks the destination block by block:
 *        "copied N blocks: status S segments G bytes B"
 *   unreachable URL OTHER_URL
 *        names, from URL's session, the LU of OTHER_URL (another target,
 *        whose NAA another session reads) as the destination: the copy must
 *        be refused with COPY ABORTED, COPY TARGET DEVICE NOT REACHABLE, and
 *        the other LU left as it was: "refused: COPY ABORTED 0x0d02"
 *   abort URL SRC_LUN DST_LUN
 *        starts a long copy (32 segments of 65535 blocks from block 0 of
 *        SRC_LUN to block 0 of DST_LUN, list identifier 2, held) and sends
 *        ABORT TASK for it 50 ms later: the task management function must
 *        be answered, the copy itself not (RFC 7143), its results dropped
 *        (COPY STATUS refused) and the session still serve: "aborted: answered in N ms" (or
 *        "finished before the abort" when the copy was quicker)
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/functional/ft.h"

static const char *opt_initiator;

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

/* The LU's NAA designator (association LU), from VPD 0x83: 8 or 16 bytes into naa. */
static bool lun_naa(struct iscsi_context *iscsi, int lun, uint8_t naa[16], int *len)
{
	struct scsi_inquiry_device_identification *di;
	struct scsi_inquiry_device_designator *d;
	struct scsi_task *task = iscsi_inquiry_sync(iscsi, lun, 1, 0x83, 255);
	bool found = false;

	if (!ft_good(iscsi, task, "INQUIRY VPD 0x83"))
		return false;
	di = scsi_datain_unmarshall(task);
	for (d = di ? di->designators : NULL; d && !found; d = d->next) {
		if (d->designator_type != SCSI_DESIGNATOR_TYPE_NAA ||
		    d->association != SCSI_ASSOCIATION_LOGICAL_UNIT || d->designator_length > 16)
			continue;
		memcpy(naa, d->designator, (size_t)d->designator_length);
		*len = d->designator_length;
		found = true;
	}
	scsi_free_scsi_task(task);
	if (!found)
		fprintf(stderr, "LUN %d: no NAA designator in VPD 0x83\n", lun);
	return found;
}

static bool lun_block_size(struct iscsi_context *iscsi, int lun, uint32_t *bs)
{
	struct ft_lun l = {.iscsi = iscsi, .lun = lun};

	if (!ft_ready(iscsi, lun) || !ft_capacity(&l))
		return false;
	*bs = l.bs;
	return true;
}

/* An identification CSCD descriptor (E4h) for a block device named by naa. */
static void put_cscd(uint8_t *d, const uint8_t *naa, int len, uint32_t bs)
{
	memset(d, 0, 32);
	d[0] = 0xe4;
	d[4] = 0x01; /* code set binary */
	d[5] = 0x03; /* association LU, designator type NAA */
	d[7] = (uint8_t)len;
	memcpy(d + 8, naa, (size_t)len);
	d[29] = (uint8_t)(bs >> 16);
	d[30] = (uint8_t)(bs >> 8);
	d[31] = (uint8_t)bs;
}

/* Sends EXTENDED COPY (LID1): CSCDs 0 and 1, one segment from 0 to 1. Returns the task. */
static struct scsi_task *xcopy(struct iscsi_context *iscsi, int lun, const uint8_t *src_naa,
			       int src_len, uint32_t src_bs, const uint8_t *dst_naa, int dst_len,
			       uint32_t dst_bs, uint64_t src_lba, uint64_t dst_lba, uint16_t n)
{
	uint8_t p[16 + 64 + 28];
	struct iscsi_data data = {.size = sizeof(p), .data = p};
	uint8_t *s = p + 16 + 64;

	memset(p, 0, sizeof(p));
	p[0] = 1;	     /* LIST IDENTIFIER */
	p[1] = 0;	     /* LIST ID USAGE 00b: hold the results */
	put_be16(p + 2, 64); /* CSCD DESCRIPTOR LIST LENGTH */
	put_be32(p + 8, 28); /* SEGMENT DESCRIPTOR LIST LENGTH */
	put_cscd(p + 16, src_naa, src_len, src_bs);
	put_cscd(p + 48, dst_naa, dst_len, dst_bs);
	s[0] = 0x02; /* block device to block device */
	put_be16(s + 2, 0x18);
	put_be16(s + 4, 0);
	put_be16(s + 6, 1);
	put_be16(s + 10, n);
	put_be64(s + 12, src_lba);
	put_be64(s + 20, dst_lba);
	return iscsi_extended_copy_sync(iscsi, lun, &data);
}

/* What one WRITE (16) or READ (16) here moves: below porticod's largest transfer. */
#define XCOPYIO_CHUNK 2048u

static bool write_blocks(struct iscsi_context *iscsi, int lun, uint64_t lba, uint32_t n,
			 uint32_t bs, uint8_t *buf)
{
	for (uint32_t done = 0; done < n;) {
		uint32_t k = n - done < XCOPYIO_CHUNK ? n - done : XCOPYIO_CHUNK;
		struct scsi_task *task =
		    iscsi_write16_sync(iscsi, lun, lba + done, buf + (size_t)done * bs, k * bs,
				       (int)bs, 0, 0, 0, 0, 0);

		if (!ft_good(iscsi, task, "WRITE (16)"))
			return false;
		scsi_free_scsi_task(task);
		done += k;
	}
	return true;
}

static bool read_blocks(struct iscsi_context *iscsi, int lun, uint64_t lba, uint32_t n, uint32_t bs,
			uint8_t *buf)
{
	for (uint32_t done = 0; done < n;) {
		uint32_t k = n - done < XCOPYIO_CHUNK ? n - done : XCOPYIO_CHUNK;
		struct scsi_task *task =
		    iscsi_read16_sync(iscsi, lun, lba + done, k * bs, (int)bs, 0, 0, 0, 0, 0);

		if (!ft_good(iscsi, task, "READ (16)"))
			return false;
		if (task->datain.size != (int)(k * bs)) {
			fprintf(stderr, "READ (16): %d bytes, not %u\n", task->datain.size, k * bs);
			scsi_free_scsi_task(task);
			return false;
		}
		memcpy(buf + (size_t)done * bs, task->datain.data, (size_t)k * bs);
		scsi_free_scsi_task(task);
		done += k;
	}
	return true;
}

static int cmd_copy(int argc, char **argv)
{
	struct iscsi_context *iscsi;
	struct scsi_task *task;
	uint8_t src_naa[16], dst_naa[16], *want = NULL, *buf = NULL;
	int lun, src_len, dst_len, src_lun, dst_lun, rc = 1;
	uint64_t src_lba, dst_lba, seed;
	uint32_t n, bs, dst_bs;

	if (argc != 7)
		return 2;
	src_lun = (int)arg_u64(argv[1], "source LUN");
	src_lba = arg_u64(argv[2], "source LBA");
	dst_lun = (int)arg_u64(argv[3], "destination LUN");
	dst_lba = arg_u64(argv[4], "destination LBA");
	n = (uint32_t)arg_u64(argv[5], "block count");
	seed = arg_u64(argv[6], "seed");
	if (!n || n > 65535)
		ft_die("a segment moves 1 to 65535 blocks");
	iscsi = ft_connect(argv[0], opt_initiator, false, true, &lun);
	if (!iscsi)
		return 1;
	if (!lun_block_size(iscsi, src_lun, &bs) || !lun_block_size(iscsi, dst_lun, &dst_bs))
		goto out;
	if (bs != dst_bs) {
		fprintf(stderr, "the LUs' block sizes differ (%u, %u)\n", bs, dst_bs);
		goto out;
	}
	if (!lun_naa(iscsi, src_lun, src_naa, &src_len) ||
	    !lun_naa(iscsi, dst_lun, dst_naa, &dst_len))
		goto out;
	want = malloc((size_t)n * bs);
	buf = malloc((size_t)n * bs);
	if (!want || !buf)
		ft_die("out of memory");
	/* the destination zeroed, the source with the pattern of the source's LBAs */
	memset(buf, 0, (size_t)n * bs);
	if (!write_blocks(iscsi, dst_lun, dst_lba, n, bs, buf))
		goto out;
	ft_pattern(want, src_lba, n, bs, seed);
	if (!write_blocks(iscsi, src_lun, src_lba, n, bs, want))
		goto out;

	task = xcopy(iscsi, lun, src_naa, src_len, bs, dst_naa, dst_len, bs, src_lba, dst_lba,
		     (uint16_t)n);
	if (!ft_good(iscsi, task, "EXTENDED COPY"))
		goto out;
	scsi_free_scsi_task(task);

	task = iscsi_receive_copy_results_sync(iscsi, lun, SCSI_COPY_RESULTS_COPY_STATUS, 1, 64);
	if (!ft_good(iscsi, task, "RECEIVE COPY RESULTS (COPY STATUS)"))
		goto out;
	{
		struct scsi_copy_results_copy_status *cs = scsi_datain_unmarshall(task);

		if (!cs) {
			fprintf(stderr, "COPY STATUS: cannot parse the data\n");
			scsi_free_scsi_task(task);
			goto out;
		}
		printf("copied %u blocks: status %u segments %u bytes %u\n", n,
		       cs->copy_manager_status, cs->segments_processed,
		       cs->transfer_count << (10 * cs->transfer_count_units));
	}
	scsi_free_scsi_task(task);

	if (!read_blocks(iscsi, dst_lun, dst_lba, n, bs, buf))
		goto out;
	rc = 0;
	for (uint32_t b = 0; b < n && !rc; b++) {
		if (memcmp(buf + (size_t)b * bs, want + (size_t)b * bs, bs)) {
			fprintf(stderr, "destination block %llu is not source block %llu\n",
				(unsigned long long)(dst_lba + b),
				(unsigned long long)(src_lba + b));
			rc = 1;
		}
	}
out:
	free(want);
	free(buf);
	ft_close(iscsi, true);
	return rc;
}

static int cmd_unreachable(int argc, char **argv)
{
	struct iscsi_context *iscsi, *other;
	struct scsi_task *task;
	uint8_t naa[16], other_naa[16];
	int lun, other_lun, len, other_len, rc = 1;
	uint32_t bs;

	if (argc != 2)
		return 2;
	other = ft_connect(argv[1], opt_initiator, false, true, &other_lun);
	if (!other)
		return 1;
	if (!lun_naa(other, other_lun, other_naa, &other_len)) {
		ft_close(other, true);
		return 1;
	}
	ft_close(other, true);
	iscsi = ft_connect(argv[0], opt_initiator, false, true, &lun);
	if (!iscsi)
		return 1;
	if (!lun_block_size(iscsi, lun, &bs) || !lun_naa(iscsi, lun, naa, &len))
		goto out;
	task = xcopy(iscsi, lun, naa, len, bs, other_naa, other_len, bs, 0, 0, 8);
	if (!task) {
		fprintf(stderr, "EXTENDED COPY: %s\n", iscsi_get_error(iscsi));
		goto out;
	}
	if (task->status == SCSI_STATUS_CHECK_CONDITION &&
	    task->sense.key == SCSI_SENSE_COPY_ABORTED && task->sense.ascq == 0x0d02) {
		printf("refused: COPY ABORTED 0x%04x\n", task->sense.ascq);
		rc = 0;
	} else {
		char buf[256];

		fprintf(stderr, "EXTENDED COPY to another target's LU: %s\n",
			ft_status(iscsi, task, buf, sizeof(buf)));
	}
	scsi_free_scsi_task(task);
out:
	ft_close(iscsi, true);
	return rc;
}

struct abort_state {
	bool done;
	int status;
};

static void abort_xcopy_cb(struct iscsi_context *iscsi, int status, void *data, void *priv)
{
	struct abort_state *st = priv;

	(void)iscsi;
	st->done = true;
	st->status = status;
	scsi_free_scsi_task(data);
}

/* Services iscsi for ms milliseconds or until *done. */
static void service_for(struct iscsi_context *iscsi, int ms, const bool *done)
{
	uint64_t end = ft_now_ms() + (uint64_t)ms;

	while (!*done && ft_now_ms() < end) {
		struct pollfd pfd = {.fd = iscsi_get_fd(iscsi),
				     .events = iscsi_which_events(iscsi)};

		if (poll(&pfd, 1, 10) < 0 || (pfd.revents && iscsi_service(iscsi, pfd.revents) < 0))
			ft_die("iscsi_service: %s", iscsi_get_error(iscsi));
	}
}

static int cmd_abort(int argc, char **argv)
{
	struct iscsi_context *iscsi;
	struct scsi_task *task;
	struct abort_state st = {false, 0};
	uint8_t src_naa[16], dst_naa[16], p[16 + 64 + 32 * 28];
	struct iscsi_data data = {.size = sizeof(p), .data = p};
	int lun, src_len, dst_len, src_lun, dst_lun, rc = 1;
	uint32_t bs, dst_bs;
	uint64_t t0;

	if (argc != 3)
		return 2;
	src_lun = (int)arg_u64(argv[1], "source LUN");
	dst_lun = (int)arg_u64(argv[2], "destination LUN");
	iscsi = ft_connect(argv[0], opt_initiator, false, true, &lun);
	if (!iscsi)
		return 1;
	if (!lun_block_size(iscsi, src_lun, &bs) || !lun_block_size(iscsi, dst_lun, &dst_bs) ||
	    !lun_naa(iscsi, src_lun, src_naa, &src_len) ||
	    !lun_naa(iscsi, dst_lun, dst_naa, &dst_len))
		goto out;
	memset(p, 0, sizeof(p));
	p[0] = 2;
	put_be16(p + 2, 64);
	put_be32(p + 8, 32 * 28);
	put_cscd(p + 16, src_naa, src_len, bs);
	put_cscd(p + 48, dst_naa, dst_len, dst_bs);
	for (int i = 0; i < 32; i++) {
		uint8_t *s = p + 80 + 28 * i;

		s[0] = 0x02;
		put_be16(s + 2, 0x18);
		put_be16(s + 6, 1);
		put_be16(s + 10, 65535);
	}
	task = iscsi_extended_copy_task(iscsi, lun, &data, abort_xcopy_cb, &st);
	if (!task)
		ft_die("EXTENDED COPY: %s", iscsi_get_error(iscsi));
	service_for(iscsi, 50, &st.done);
	if (st.done) {
		printf("finished before the abort (status 0x%02x)\n", st.status);
		rc = 0;
		goto out;
	}
	t0 = ft_now_ms();
	if (iscsi_task_mgmt_abort_task_sync(iscsi, task)) {
		fprintf(stderr, "ABORT TASK: %s\n", iscsi_get_error(iscsi));
		goto out;
	}
	printf("aborted: answered in %llu ms\n", (unsigned long long)(ft_now_ms() - t0));
	/* RFC 7143: a task aborted by ABORT TASK gets no SCSI Response; libiscsi keeps it */
	service_for(iscsi, 500, &st.done);
	if (st.done) {
		fprintf(stderr, "the aborted EXTENDED COPY was answered (status 0x%02x)\n",
			st.status);
		goto out;
	}
	iscsi_scsi_cancel_task(iscsi, task);
	/* its held results went with it */
	task = iscsi_receive_copy_results_sync(iscsi, lun, SCSI_COPY_RESULTS_COPY_STATUS, 2, 64);
	if (!task || task->status != SCSI_STATUS_CHECK_CONDITION) {
		char buf[256];

		fprintf(stderr, "COPY STATUS of the aborted copy: %s\n",
			ft_status(iscsi, task, buf, sizeof(buf)));
		if (task)
			scsi_free_scsi_task(task);
		goto out;
	}
	scsi_free_scsi_task(task);
	/* and the session serves on */
	if (!ft_ready(iscsi, lun))
		goto out;
	rc = 0;
out:
	ft_close(iscsi, true);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
    {"copy", cmd_copy},
    {"unreachable", cmd_unreachable},
    {"abort", cmd_abort},
};

int main(int argc, char **argv)
{
	size_t i;
	int opt, rc;

	while ((opt = getopt(argc, argv, "+i:")) != -1) {
		switch (opt) {
		case 'i':
			opt_initiator = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc)
		ft_die("usage: xcopyio [-i IQN] copy|unreachable|abort URL ARGS");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[optind], cmds[i].name)) {
			rc = cmds[i].fn(argc - optind - 1, argv + optind + 1);
			if (rc == 2)
				ft_die("bad arguments for '%s'", cmds[i].name);
			return rc;
		}
	}
	ft_die("unknown command '%s'", argv[optind]);
}

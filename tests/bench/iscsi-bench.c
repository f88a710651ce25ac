/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iscsi-bench: a libiscsi load generator for tests/bench/run.sh.
 *
 * One session, QD commands always in flight (or, with -B, sent in batches of
 * QD, the next batch when the whole previous one is back) through libiscsi's async API
 * (READ(16)/WRITE(16) into and out of our own buffers, no copies in
 * libiscsi), driven by poll() on iscsi_get_fd/iscsi_which_events and
 * iscsi_service. After a ramp it measures for a fixed time: commands that
 * complete inside the window count, each with its latency (submission to
 * completion, CLOCK_MONOTONIC). With -p PID it also reads the target's
 * utime+stime (/proc/PID/stat, every thread of the process) at both ends of
 * the window, so that CPU per I/O covers exactly the counted commands.
 *
 * Prints one line:
 *   result workload=W bs=B qd=Q secs=S ios=N iops=X mbps=Y lat_avg_us=A
 *          lat_p50_us=P lat_p99_us=Q target_cpu_us=C cpu_us_per_io=D
 *          client_cpu_us=E machine_busy_us=M ncpu=N
 * (MB = 10^6 bytes; machine_busy_us: the CPU time every process of the
 * machine used in the window, from /proc/stat, so that the caller can tell
 * how much other load shared the machine). Exits 1 on any command that does not end GOOD, on a
 * lost connection, or when nothing completes for 10 s; the message says
 * which command and what the target answered.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define BENCH_QD_MAX 256
#define BENCH_STALL_NS (10ULL * 1000000000ULL)
#define BENCH_DEFAULT_INITIATOR "iqn.2026-01.org.portico.test:bench"

enum bench_kind {
	BENCH_KIND_RANDREAD,
	BENCH_KIND_RANDWRITE,
	BENCH_KIND_SEQREAD,
	BENCH_KIND_SEQWRITE,
};

static const char *const bench_kind_names[] = {
	[BENCH_KIND_RANDREAD] = "randread",
	[BENCH_KIND_RANDWRITE] = "randwrite",
	[BENCH_KIND_SEQREAD] = "seqread",
	[BENCH_KIND_SEQWRITE] = "seqwrite",
};

enum bench_phase {
	BENCH_PHASE_RAMP,
	BENCH_PHASE_MEASURE,
	BENCH_PHASE_DRAIN,
};

struct bench;

struct bench_slot {
	struct bench *b;
	unsigned char *buf;
	struct scsi_iovec iov;
	uint64_t lba;
	uint64_t submit_ns;
	bool busy;
};

struct bench {
	struct iscsi_context *iscsi;
	int lun;
	enum bench_kind kind;
	uint32_t bs; /* bytes per command */
	uint32_t block_size; /* the LU's logical block size */
	uint64_t nchunks; /* commands of bs bytes that fit in the LU */
	uint64_t seq_next; /* next chunk of a sequential workload */
	uint64_t rng;
	unsigned int qd;
	unsigned int inflight;
	bool batch; /* -B: QD commands at once, the next QD when all are back */
	enum bench_phase phase;
	uint64_t last_done_ns;
	bool failed;
	bool closing; /* tearing down: cancelled commands are expected */
	unsigned int more_failures; /* failed commands after the first */
	/* the measurement window */
	uint64_t ios;
	uint64_t *lat; /* ns, one per counted command */
	size_t nlat, caplat;
	struct bench_slot slots[BENCH_QD_MAX];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* utime+stime of process pid in microseconds, or -1. */
static int64_t proc_cpu_us(long pid)
{
	char path[64], line[4096];
	unsigned long long ut, st;
	FILE *f;
	char *p;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	/* the command name may hold spaces and parentheses: fields follow the last ')' */
	p = strrchr(line, ')');
	if (!p)
		return -1;
	/* after ")": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (int64_t)((ut + st) * 1000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* CPU time the whole machine spent busy (not idle, not waiting for I/O), in microseconds, or -1. */
static int64_t machine_busy_us(void)
{
	unsigned long long v[10] = { 0 }, total = 0;
	char line[512];
	FILE *f;
	int n, i;

	f = fopen("/proc/stat", "re");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	/* cpu user nice system idle iowait irq softirq steal guest guest_nice */
	n = sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	if (n < 5)
		return -1;
	/* guest time is already counted in user time */
	for (i = 0; i < n && i < 8; i++)
		total += v[i];
	total -= v[3] + v[4];
	return (int64_t)(total * 1000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static int64_t self_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
	       (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int bench_submit(struct bench_slot *s);

static void bench_done(struct iscsi_context *iscsi, int status, void *command_data, void *private)
{
	struct bench_slot *s = private;
	struct bench *b = s->b;
	struct scsi_task *task = command_data;
	uint64_t t = now_ns();

	s->busy = false;
	b->inflight--;
	b->last_done_ns = t;
	if (b->closing) {
		if (task)
			scsi_free_scsi_task(task);
		return;
	}
	if (status != SCSI_STATUS_GOOD && b->failed) {
		/* the first failure is reported; the rest are counted */
		b->more_failures++;
	} else if (status != SCSI_STATUS_GOOD) {
		/* ITT and CmdSN name the command in the target's log and state */
		if (status == SCSI_STATUS_CHECK_CONDITION && task)
			fprintf(stderr,
				"iscsi-bench: %s of %u bytes at LBA %" PRIu64
				" (ITT 0x%08x, CmdSN %u, %.1f s after submission): CHECK CONDITION,"
				" sense key %s (0x%x), ASC/ASCQ 0x%02x/0x%02x\n",
				bench_kind_names[b->kind], b->bs, s->lba, task->itt, task->cmdsn,
				(double)(t - s->submit_ns) / 1e9, scsi_sense_key_str(task->sense.key),
				task->sense.key, task->sense.ascq >> 8, task->sense.ascq & 0xff);
		else
			fprintf(stderr,
				"iscsi-bench: %s of %u bytes at LBA %" PRIu64
				" (ITT 0x%08x, CmdSN %u, %.1f s after submission): status 0x%x: %s\n",
				bench_kind_names[b->kind], b->bs, s->lba, task ? task->itt : 0,
				task ? task->cmdsn : 0, (double)(t - s->submit_ns) / 1e9,
				(unsigned int)status, iscsi_get_error(iscsi));
		b->failed = true;
	} else if (task && task->residual_status != SCSI_RESIDUAL_NO_RESIDUAL && task->residual) {
		fprintf(stderr, "iscsi-bench: %s of %u bytes at LBA %" PRIu64 ": residual %zu\n",
			bench_kind_names[b->kind], b->bs, s->lba, task->residual);
		b->failed = true;
	}
	if (task)
		scsi_free_scsi_task(task);
	if (b->failed)
		return;
	if (b->phase == BENCH_PHASE_MEASURE) {
		b->ios++;
		if (b->nlat == b->caplat) {
			size_t cap = b->caplat ? b->caplat * 2 : 65536;
			uint64_t *n = realloc(b->lat, cap * sizeof(*n));

			if (!n) {
				fprintf(stderr, "iscsi-bench: out of memory for latencies\n");
				b->failed = true;
				return;
			}
			b->lat = n;
			b->caplat = cap;
		}
		b->lat[b->nlat++] = t - s->submit_ns;
	}
	if (b->phase == BENCH_PHASE_DRAIN)
		return;
	if (!b->batch) {
		if (bench_submit(s))
			b->failed = true;
		return;
	}
	/* batch mode: the next QD commands go out together once the last one is back */
	if (b->inflight == 0)
		for (unsigned int i = 0; i < b->qd && !b->failed; i++)
			if (bench_submit(&b->slots[i]))
				b->failed = true;
}

static int bench_submit(struct bench_slot *s)
{
	struct bench *b = s->b;
	uint32_t blocks = b->bs / b->block_size;
	struct scsi_task *task;
	uint64_t chunk;

	if (b->kind == BENCH_KIND_RANDREAD || b->kind == BENCH_KIND_RANDWRITE) {
		chunk = xorshift64(&b->rng) % b->nchunks;
	} else {
		chunk = b->seq_next;
		b->seq_next = (b->seq_next + 1) % b->nchunks;
	}
	s->lba = chunk * blocks;
	s->iov.iov_base = s->buf;
	s->iov.iov_len = b->bs;
	s->submit_ns = now_ns();
	if (b->kind == BENCH_KIND_RANDREAD || b->kind == BENCH_KIND_SEQREAD)
		task = iscsi_read16_iov_task(b->iscsi, b->lun, s->lba, b->bs, (int)b->block_size, 0, 0,
					     0, 0, 0, bench_done, s, &s->iov, 1);
	else
		task = iscsi_write16_iov_task(b->iscsi, b->lun, s->lba, NULL, b->bs,
					      (int)b->block_size, 0, 0, 0, 0, 0, bench_done, s,
					      &s->iov, 1);
	if (!task) {
		fprintf(stderr, "iscsi-bench: cannot queue a command: %s\n",
			iscsi_get_error(b->iscsi));
		return -1;
	}
	s->busy = true;
	b->inflight++;
	return 0;
}

/* Services the connection for up to ms milliseconds. 0, or -1 on a failure. */
static int bench_poll(struct bench *b, int ms)
{
	struct pollfd pfd = { .fd = iscsi_get_fd(b->iscsi), .events = iscsi_which_events(b->iscsi) };
	int n;

	n = poll(&pfd, 1, ms);
	if (n < 0 && errno != EINTR) {
		perror("iscsi-bench: poll");
		return -1;
	}
	if (iscsi_service(b->iscsi, n > 0 ? pfd.revents : 0) < 0) {
		fprintf(stderr, "iscsi-bench: connection failed: %s\n", iscsi_get_error(b->iscsi));
		return -1;
	}
	if (b->failed)
		return -1;
	if (b->inflight && now_ns() - b->last_done_ns > BENCH_STALL_NS) {
		fprintf(stderr, "iscsi-bench: no command completed for 10 s with %u in flight\n",
			b->inflight);
		return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iscsi-bench -u iscsi://HOST:PORT/IQN/LUN -w randread|randwrite|seqread|seqwrite\n"
		"                   [-b BYTES] [-q QD] [-t SECONDS] [-r RAMP_SECONDS] [-p TARGET_PID]\n"
		"                   [-i INITIATOR_IQN] [-H SECONDS] [-B]\n"
		"  -B: batches: send QD commands together, the next QD once all are back\n"
		"  -H: after a failed command, keep the session open this long (at most 600 s)\n"
		"      so that the target's state can be looked at, then leave\n"
		"  defaults: -b 4096 -q 32 -t 10 -r 1 -i " BENCH_DEFAULT_INITIATOR "\n");
}

int main(int argc, char **argv)
{
	const char *url_text = NULL, *initiator = BENCH_DEFAULT_INITIATOR;
	double secs = 10, ramp = 1;
	unsigned int hold = 0;
	long pid = 0;
	struct bench *b;
	struct iscsi_url *url;
	struct scsi_task *task;
	struct scsi_readcapacity16 *rc16;
	uint64_t t0, t_end, t1, sum = 0;
	int64_t cpu0 = -1, cpu1 = -1, self0, self1, mach0, mach1;
	int opt, ret = 1;
	unsigned int i;

	b = calloc(1, sizeof(*b));
	if (!b) {
		perror("iscsi-bench");
		return 1;
	}
	b->kind = BENCH_KIND_RANDREAD;
	b->bs = 4096;
	b->qd = 32;
	b->rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	while ((opt = getopt(argc, argv, "u:w:b:q:t:r:p:i:H:Bh")) != -1) {
		switch (opt) {
		case 'u':
			url_text = optarg;
			break;
		case 'w':
			for (i = 0; i < sizeof(bench_kind_names) / sizeof(bench_kind_names[0]); i++)
				if (strcmp(optarg, bench_kind_names[i]) == 0)
					break;
			if (i == sizeof(bench_kind_names) / sizeof(bench_kind_names[0])) {
				usage(stderr);
				return 2;
			}
			b->kind = (enum bench_kind)i;
			break;
		case 'b':
			b->bs = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'q':
			b->qd = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'r':
			ramp = strtod(optarg, NULL);
			break;
		case 'p':
			pid = strtol(optarg, NULL, 10);
			break;
		case 'i':
			initiator = optarg;
			break;
		case 'B':
			b->batch = true;
			break;
		case 'H':
			hold = (unsigned int)strtoul(optarg, NULL, 10);
			if (hold > 600)
				hold = 600;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!url_text || b->bs == 0 || b->qd == 0 || b->qd > BENCH_QD_MAX || secs <= 0 ||
	    secs > 3600 || ramp < 0 || ramp > 60) {
		usage(stderr);
		return 2;
	}

	b->iscsi = iscsi_create_context(initiator);
	if (!b->iscsi) {
		fprintf(stderr, "iscsi-bench: cannot create a libiscsi context\n");
		return 1;
	}
	url = iscsi_parse_full_url(b->iscsi, url_text);
	if (!url) {
		fprintf(stderr, "iscsi-bench: bad URL '%s': %s\n", url_text, iscsi_get_error(b->iscsi));
		goto out_destroy;
	}
	iscsi_set_targetname(b->iscsi, url->target);
	iscsi_set_session_type(b->iscsi, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(b->iscsi, ISCSI_HEADER_DIGEST_NONE);
	iscsi_set_noautoreconnect(b->iscsi, 1);
	iscsi_set_timeout(b->iscsi, 10);
	b->lun = url->lun;
	if (iscsi_full_connect_sync(b->iscsi, url->portal, url->lun)) {
		fprintf(stderr, "iscsi-bench: login to %s failed: %s\n", url_text,
			iscsi_get_error(b->iscsi));
		iscsi_destroy_url(url);
		goto out_destroy;
	}
	iscsi_destroy_url(url);

	task = iscsi_readcapacity16_sync(b->iscsi, b->lun);
	if (!task || task->status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "iscsi-bench: READ CAPACITY(16) failed: %s\n",
			iscsi_get_error(b->iscsi));
		if (task)
			scsi_free_scsi_task(task);
		goto out_logout;
	}
	rc16 = scsi_datain_unmarshall(task);
	if (!rc16 || rc16->block_length == 0) {
		fprintf(stderr, "iscsi-bench: cannot read READ CAPACITY(16) data\n");
		scsi_free_scsi_task(task);
		goto out_logout;
	}
	b->block_size = rc16->block_length;
	if (b->bs % b->block_size) {
		fprintf(stderr, "iscsi-bench: -b %u is not a multiple of the block size %u\n", b->bs,
			b->block_size);
		scsi_free_scsi_task(task);
		goto out_logout;
	}
	b->nchunks = (rc16->returned_lba + 1) * b->block_size / b->bs;
	scsi_free_scsi_task(task);
	if (b->nchunks < b->qd) {
		fprintf(stderr, "iscsi-bench: the LU is too small for -b %u -q %u\n", b->bs, b->qd);
		goto out_logout;
	}

	for (i = 0; i < b->qd; i++) {
		struct bench_slot *s = &b->slots[i];

		s->b = b;
		if (posix_memalign((void **)&s->buf, 4096, b->bs)) {
			fprintf(stderr, "iscsi-bench: out of memory\n");
			goto out_logout;
		}
		for (size_t k = 0; k < b->bs; k += 8) {
			uint64_t v = xorshift64(&b->rng);

			memcpy(s->buf + k, &v, b->bs - k < 8 ? b->bs - k : 8);
		}
	}

	/* ramp, then the window */
	b->phase = BENCH_PHASE_RAMP;
	b->last_done_ns = now_ns();
	for (i = 0; i < b->qd; i++)
		if (bench_submit(&b->slots[i]))
			goto out_drain;
	t0 = now_ns();
	t_end = t0 + (uint64_t)(ramp * 1e9);
	while (now_ns() < t_end)
		if (bench_poll(b, 10))
			goto out_drain;
	if (pid > 0)
		cpu0 = proc_cpu_us(pid);
	self0 = self_cpu_us();
	mach0 = machine_busy_us();
	b->phase = BENCH_PHASE_MEASURE;
	t0 = now_ns();
	t_end = t0 + (uint64_t)(secs * 1e9);
	while (now_ns() < t_end)
		if (bench_poll(b, 10))
			goto out_drain;
	b->phase = BENCH_PHASE_DRAIN;
	t1 = now_ns();
	if (pid > 0)
		cpu1 = proc_cpu_us(pid);
	self1 = self_cpu_us();
	mach1 = machine_busy_us();

	while (b->inflight)
		if (bench_poll(b, 100))
			goto out_logout_fail;

	if (b->nlat == 0) {
		fprintf(stderr, "iscsi-bench: no command completed in the window\n");
		goto out_logout;
	}
	qsort(b->lat, b->nlat, sizeof(b->lat[0]), cmp_u64);
	for (size_t k = 0; k < b->nlat; k++)
		sum += b->lat[k];
	{
		double w = (double)(t1 - t0) / 1e9;
		double p50 = (double)b->lat[(b->nlat - 1) * 50 / 100] / 1e3;
		double p99 = (double)b->lat[(b->nlat - 1) * 99 / 100] / 1e3;
		int64_t tcpu = (cpu0 >= 0 && cpu1 >= 0) ? cpu1 - cpu0 : -1;

		printf("result workload=%s%s bs=%u qd=%u secs=%.3f ios=%" PRIu64
		       " iops=%.0f mbps=%.1f lat_avg_us=%.1f lat_p50_us=%.1f lat_p99_us=%.1f"
		       " target_cpu_us=%" PRId64 " cpu_us_per_io=%.2f client_cpu_us=%" PRId64
		       " machine_busy_us=%" PRId64 " ncpu=%ld\n",
		       bench_kind_names[b->kind], b->batch ? "-batch" : "", b->bs, b->qd, w, b->ios,
		       (double)b->ios / w,
		       (double)b->ios * b->bs / w / 1e6, (double)sum / (double)b->nlat / 1e3, p50,
		       p99, tcpu, tcpu >= 0 ? (double)tcpu / (double)b->ios : -1.0, self1 - self0,
		       (mach0 >= 0 && mach1 >= 0) ? mach1 - mach0 : -1, sysconf(_SC_NPROCESSORS_ONLN));
	}
	ret = 0;
	goto out_logout;

out_drain:
	/* a failure: give what is in flight a bounded chance to finish, then leave */
	b->phase = BENCH_PHASE_DRAIN;
	for (i = 0; i < 20 && b->inflight && !b->failed; i++)
		if (bench_poll(b, 100))
			break;
out_logout_fail:
	ret = 1;
	if (hold) {
		fprintf(stderr, "iscsi-bench: holding the session for %u s (pid %ld)\n", hold,
			(long)getpid());
		sleep(hold);
	}
	if (b->more_failures)
		fprintf(stderr, "iscsi-bench: %u more commands failed (%u were in flight)\n",
			b->more_failures, b->inflight);
out_logout:
	b->closing = true;
	if (ret == 0 && iscsi_is_logged_in(b->iscsi))
		iscsi_logout_sync(b->iscsi);
out_destroy:
	iscsi_destroy_context(b->iscsi);
	for (i = 0; i < b->qd && i < BENCH_QD_MAX; i++)
		free(b->slots[i].buf);
	free(b->lat);
	free(b);
	return ret;
}

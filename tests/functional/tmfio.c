/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tmfio: task management and sessions under load, through libiscsi's
 * asynchronous API driven by one poll loop. Prints what happened; exits 0
 * when the target behaved, 1 (reason on stderr) when not.
 *
 *   tmfio [-i IQN] abort URL             ABORT TASK on in-flight writes, rounds of them
 *   tmfio [-i IQN] reset URL             LOGICAL UNIT RESET with writes in flight
 *   tmfio [-i IQN] reinstate URL         a second login with the same initiator name and
 *                                        ISID replaces the first session
 *   tmfio [-i IQN] parallel URL N ROUNDS N sessions, each writing and verifying ROUNDS
 *                                        64 KiB blocks in its own region, all at once
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/functional/ft.h"

#define IO_BLOCKS_BYTES (64 * 1024)
#define QUEUE_DEPTH 16
#define LOOP_DEADLINE_MS 30000

static const char *opt_initiator;

/* One write, then the read that checks it; "chained" I/O with its own buffer. */
struct io {
	struct sess *s;
	uint64_t lba;
	uint32_t nblocks;
	uint64_t seed;
	uint8_t *buf;
	struct scsi_task *task;
	enum { IO_IDLE, IO_WRITING, IO_READING, IO_DONE, IO_CANCELLED } state;
	bool verify; /* read back after the write */
	bool aborted; /* ABORT TASK took it: no status will come */
	unsigned long gen; /* how many times this slot of the queue was used */
};

struct sess {
	struct ft_lun l;
	struct io ios[QUEUE_DEPTH];
	unsigned int inflight;
	unsigned long rounds_left, rounds_done;
	uint64_t region_lba, region_blocks;
	uint64_t seed;
	bool failed;
	bool verify; /* what refill() queues: write + read-back, or writes alone */
	unsigned int id;
	/*
	 * Cancelled tasks and their buffers, freed only after the context is
	 * destroyed: libiscsi may still hold Data-Out PDUs that point into them.
	 */
	struct scsi_task **dead_tasks;
	uint8_t **dead_bufs;
	size_t ndead;
};

/* Keeps a cancelled task and its data until sess_free(). */
static void bury(struct sess *s, struct io *io, struct scsi_task *task)
{
	s->dead_tasks = realloc(s->dead_tasks, (s->ndead + 1) * sizeof(*s->dead_tasks));
	s->dead_bufs = realloc(s->dead_bufs, (s->ndead + 1) * sizeof(*s->dead_bufs));
	if (!s->dead_tasks || !s->dead_bufs)
		ft_die("out of memory");
	s->dead_tasks[s->ndead] = task;
	s->dead_bufs[s->ndead] = io->buf;
	s->ndead++;
	io->buf = NULL;
}

static void io_read_cb(struct iscsi_context *iscsi, int status, void *data, void *arg);

static void io_write_cb(struct iscsi_context *iscsi, int status, void *data, void *arg)
{
	struct io *io = arg;
	struct scsi_task *task = data;
	struct sess *s = io->s;
	char st[256];

	io->task = NULL;
	if (io->aborted) {
		/* the context is going away and cancels what it still holds: buried already */
		return;
	}
	if (status == SCSI_STATUS_CANCELLED) {
		io->state = IO_CANCELLED;
		s->inflight--;
		bury(s, io, task);
		return;
	}
	if (status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "session %u: WRITE (16) LBA %llu: %s\n", s->id,
			(unsigned long long)io->lba, ft_status(iscsi, task, st, sizeof(st)));
		s->failed = true;
		io->state = IO_DONE;
		s->inflight--;
		scsi_free_scsi_task(task);
		return;
	}
	scsi_free_scsi_task(task);
	if (!io->verify) {
		io->state = IO_DONE;
		s->inflight--;
		return;
	}
	io->state = IO_READING;
	io->task = iscsi_read16_task(iscsi, s->l.lun, io->lba, io->nblocks * s->l.bs, (int)s->l.bs,
				     0, 0, 0, 0, 0, io_read_cb, io);
	if (!io->task) {
		fprintf(stderr, "session %u: cannot queue a READ (16): %s\n", s->id,
			iscsi_get_error(iscsi));
		s->failed = true;
		io->state = IO_DONE;
		s->inflight--;
	}
}

static void io_read_cb(struct iscsi_context *iscsi, int status, void *data, void *arg)
{
	struct io *io = arg;
	struct scsi_task *task = data;
	struct sess *s = io->s;
	char st[256];

	io->task = NULL;
	s->inflight--;
	if (status == SCSI_STATUS_CANCELLED) {
		io->state = IO_CANCELLED;
		bury(s, io, task);
		return;
	} else if (status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "session %u: READ (16) LBA %llu: %s\n", s->id,
			(unsigned long long)io->lba, ft_status(iscsi, task, st, sizeof(st)));
		s->failed = true;
		io->state = IO_DONE;
	} else {
		if ((uint32_t)task->datain.size != io->nblocks * s->l.bs ||
		    !ft_pattern_check(task->datain.data, io->lba, io->nblocks, s->l.bs, io->seed,
				      "read back"))
			s->failed = true;
		else
			s->rounds_done++;
		io->state = IO_DONE;
	}
	if (task)
		scsi_free_scsi_task(task);
}

static bool io_start(struct sess *s, struct io *io, uint64_t lba, uint32_t nblocks, bool verify)
{
	io->s = s;
	io->lba = lba;
	io->nblocks = nblocks;
	io->verify = verify;
	io->seed = s->seed++;
	free(io->buf);
	io->buf = malloc((size_t)nblocks * s->l.bs);
	if (!io->buf)
		ft_die("out of memory");
	ft_pattern(io->buf, lba, nblocks, s->l.bs, io->seed);
	io->task = iscsi_write16_task(s->l.iscsi, s->l.lun, lba, io->buf, nblocks * s->l.bs,
				      (int)s->l.bs, 0, 0, 0, 0, 0, io_write_cb, io);
	if (!io->task) {
		fprintf(stderr, "session %u: cannot queue a WRITE (16): %s\n", s->id,
			iscsi_get_error(s->l.iscsi));
		s->failed = true;
		return false;
	}
	io->state = IO_WRITING;
	s->inflight++;
	return true;
}

static void sess_free(struct sess *s, bool logout)
{
	unsigned int i;
	size_t k;

	if (s->l.iscsi)
		ft_close(s->l.iscsi, logout);
	s->l.iscsi = NULL;
	for (i = 0; i < QUEUE_DEPTH; i++) {
		free(s->ios[i].buf);
		s->ios[i].buf = NULL;
	}
	for (k = 0; k < s->ndead; k++) {
		if (s->dead_tasks[k])
			scsi_free_scsi_task(s->dead_tasks[k]);
		free(s->dead_bufs[k]);
	}
	free(s->dead_tasks);
	free(s->dead_bufs);
	s->dead_tasks = NULL;
	s->dead_bufs = NULL;
	s->ndead = 0;
}

/* Keeps each session's queue full until its rounds are queued. */
static void refill(struct sess *s)
{
	uint32_t nblocks = IO_BLOCKS_BYTES / s->l.bs;
	unsigned int i;

	for (i = 0; i < QUEUE_DEPTH && s->rounds_left && !s->failed; i++) {
		struct io *io = &s->ios[i];
		uint64_t slots = s->region_blocks / nblocks;

		if (slots < QUEUE_DEPTH)
			ft_die("session %u: region of %llu blocks is too small", s->id,
			       (unsigned long long)s->region_blocks);
		if (io->state == IO_WRITING || io->state == IO_READING)
			continue;
		/* slot i of the queue owns stripes i, i + QUEUE_DEPTH, ...: no two I/Os overlap */
		io_start(s, io,
			 s->region_lba + (i + QUEUE_DEPTH * (io->gen++ % (slots / QUEUE_DEPTH))) *
						 nblocks,
			 nblocks, s->verify);
		s->rounds_left--;
	}
}

/*
 * Services the sessions until done() says so or the deadline passes. A
 * session whose connection fails is marked failed. false on timeout.
 */
static bool run_loop(struct sess *ss, unsigned int n, bool (*done)(struct sess *, unsigned int, void *),
		     void *arg, bool keep_full, uint64_t deadline_ms)
{
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	unsigned int i;
	bool ok = false;

	if (!pfd)
		ft_die("out of memory");
	while (ft_now_ms() < deadline_ms) {
		if (keep_full) {
			for (i = 0; i < n; i++)
				refill(&ss[i]);
		}
		if (done(ss, n, arg)) {
			ok = true;
			break;
		}
		for (i = 0; i < n; i++) {
			pfd[i].fd = ss[i].l.iscsi && !ss[i].failed ? iscsi_get_fd(ss[i].l.iscsi) : -1;
			pfd[i].events = pfd[i].fd >= 0 ? (short)iscsi_which_events(ss[i].l.iscsi) : 0;
			pfd[i].revents = 0;
		}
		if (poll(pfd, n, 100) < 0 && errno != EINTR)
			ft_die("poll: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			if (pfd[i].fd < 0)
				continue;
			if (iscsi_service(ss[i].l.iscsi, pfd[i].revents) < 0) {
				fprintf(stderr, "session %u: %s\n", ss[i].id,
					iscsi_get_error(ss[i].l.iscsi));
				ss[i].failed = true;
			}
		}
	}
	free(pfd);
	return ok;
}

static bool all_idle(struct sess *ss, unsigned int n, void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < n; i++) {
		if (ss[i].inflight && !ss[i].failed)
			return false;
		if (ss[i].rounds_left && !ss[i].failed)
			return false;
	}
	return true;
}

static bool out_queue_empty(struct sess *ss, unsigned int n, void *arg)
{
	(void)n;
	(void)arg;
	return iscsi_out_queue_length(ss[0].l.iscsi) == 0 || ss[0].failed;
}

/*
 * Sends what libiscsi has queued. A task management function must find the
 * commands at the target: libiscsi would drop unsent ones when it cancels
 * them, leaving a hole in the CmdSN sequence that stalls the session.
 */
static bool flush_out(struct sess *s)
{
	return run_loop(s, 1, out_queue_empty, NULL, false, ft_now_ms() + LOOP_DEADLINE_MS) &&
	       !s->failed;
}

struct tmf_wait {
	bool done;
	int status;
	uint32_t response;
};

static void tmf_cb(struct iscsi_context *iscsi, int status, void *data, void *arg)
{
	struct tmf_wait *w = arg;

	(void)iscsi;
	w->done = true;
	w->status = status;
	if (status == SCSI_STATUS_GOOD && data)
		w->response = *(uint32_t *)data;
}

static bool tmf_done(struct sess *ss, unsigned int n, void *arg)
{
	struct tmf_wait *w = arg;

	(void)n;
	return w->done || ss[0].failed;
}

static const char *tmf_response_str(uint32_t r)
{
	switch (r) {
	case ISCSI_TMR_FUNC_COMPLETE:
		return "function complete";
	case ISCSI_TMR_TASK_DOES_NOT_EXIST:
		return "task does not exist";
	case ISCSI_TMR_LUN_DOES_NOT_EXIST:
		return "LUN does not exist";
	case ISCSI_TMR_TMF_NOT_SUPPORTED:
		return "not supported";
	case ISCSI_TMR_FUNC_AUTH_FAILED:
		return "authorization failed";
	case ISCSI_TMR_FUNC_REJECTED:
		return "rejected";
	default:
		return "other";
	}
}

static bool sess_open(struct sess *s, const char *url, unsigned int id, uint32_t isid_rnd)
{
	struct iscsi_context *iscsi = iscsi_create_context(opt_initiator ? opt_initiator :
									  FT_INITIATOR);

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->verify = true;
	s->seed = ft_seed() + ((uint64_t)id << 40);
	if (!iscsi)
		ft_die("cannot create an iSCSI context");
	if (isid_rnd)
		iscsi_set_isid_random(iscsi, isid_rnd, 0);
	if (!ft_open_ctx(&s->l, iscsi, url, false)) {
		fprintf(stderr, "session %u: login failed\n", id);
		return false;
	}
	return true;
}

/* A synchronous write and read-back after the storm: the session still serves. */
static bool still_serves(struct sess *s, const char *what)
{
	uint64_t seed = ft_seed();

	if (!ft_ready(s->l.iscsi, s->l.lun) || !ft_write(&s->l, 8, 16, seed, false) ||
	    !ft_read_check(&s->l, 8, 16, seed)) {
		fprintf(stderr, "after %s, the session no longer serves I/O\n", what);
		return false;
	}
	return true;
}

/*
 * Each round: a queue of 64 KiB writes and one 8 MiB write queued last, the
 * victim. With InitialR2T=Yes and a small MaxBurstLength (the test's
 * configuration) the victim still waits for R2Ts when ABORT TASK arrives.
 */
static int cmd_abort(const char *url)
{
	const uint32_t big_bytes = 8 << 20;
	unsigned int round, completed = 0, gone = 0, i;
	struct io *victims[8] = { NULL };
	struct sess s;
	int rc = 1;

	if (!sess_open(&s, url, 0, 0))
		return 1;
	s.region_lba = 1024;
	s.region_blocks = (uint64_t)QUEUE_DEPTH * 4 * IO_BLOCKS_BYTES / s.l.bs;
	if (s.region_lba + s.region_blocks + big_bytes / s.l.bs > s.l.nblocks)
		ft_die("the LU is too small for the abort test");
	for (round = 0; round < 8; round++) {
		struct tmf_wait w = { 0 };
		struct io *big;

		/* its own memory: libiscsi may still send Data-Out from it after the abort */
		big = victims[round] = calloc(1, sizeof(*big));
		if (!big)
			ft_die("out of memory");
		s.rounds_left = QUEUE_DEPTH;
		s.verify = false;
		refill(&s);
		if (!io_start(&s, big, s.region_lba + s.region_blocks, big_bytes / s.l.bs, false) ||
		    !flush_out(&s))
			goto out;
		if (iscsi_task_mgmt_abort_task_async(s.l.iscsi, big->task, tmf_cb, &w))
			ft_die("cannot send ABORT TASK: %s", iscsi_get_error(s.l.iscsi));
		if (!run_loop(&s, 1, tmf_done, &w, false, ft_now_ms() + LOOP_DEADLINE_MS) ||
		    s.failed) {
			fprintf(stderr, "round %u: no answer to ABORT TASK\n", round);
			goto out;
		}
		if (w.status != SCSI_STATUS_GOOD) {
			fprintf(stderr, "round %u: ABORT TASK failed: %s\n", round,
				iscsi_get_error(s.l.iscsi));
			goto out;
		}
		printf("round %u: ABORT TASK: %s (%u)\n", round, tmf_response_str(w.response),
		       w.response);
		if (w.response == ISCSI_TMR_FUNC_COMPLETE) {
			/*
			 * RFC 7143 §11.5.1: no status comes for an aborted task.
			 * libiscsi's iscsi_scsi_cancel_task() would free the
			 * command while Data-Out for it may still be queued, so
			 * the task is left to the context's destruction.
			 */
			completed++;
			if (big->state == IO_WRITING) {
				big->aborted = true;
				big->state = IO_CANCELLED;
				s.inflight--;
				bury(&s, big, big->task);
				big->task = NULL;
			}
		} else if (w.response == ISCSI_TMR_TASK_DOES_NOT_EXIST) {
			/* its status went out before this answer, on the same connection */
			if (big->state == IO_WRITING) {
				fprintf(stderr, "round %u: 'task does not exist' for a write still in flight\n",
					round);
				goto out;
			}
			gone++;
		} else {
			fprintf(stderr, "round %u: ABORT TASK answered %s\n", round,
				tmf_response_str(w.response));
			goto out;
		}
		/* every other write completes */
		if (!run_loop(&s, 1, all_idle, NULL, false, ft_now_ms() + LOOP_DEADLINE_MS) ||
		    s.failed) {
			fprintf(stderr, "round %u: the writes that were not aborted did not all complete (%u in flight)\n",
				round, s.inflight);
			goto out;
		}
		for (i = 0; i < QUEUE_DEPTH; i++) {
			if (s.ios[i].state != IO_DONE) {
				fprintf(stderr, "round %u: write %u ended cancelled\n", round, i);
				goto out;
			}
		}
		/* the writes that were not aborted are on the LU */
		for (i = 0; i < QUEUE_DEPTH; i++) {
			if (!ft_read_check(&s.l, s.ios[i].lba, s.ios[i].nblocks, s.ios[i].seed))
				goto out;
		}
	}
	if (!still_serves(&s, "ABORT TASK"))
		goto out;
	printf("ABORT TASK: %u aborted in flight, %u already done; the session still serves I/O\n",
	       completed, gone);
	rc = 0;
out:
	fflush(stdout);
	sess_free(&s, rc == 0);
	for (i = 0; i < 8; i++) {
		if (victims[i])
			free(victims[i]->buf);
		free(victims[i]);
	}
	return rc;
}

/* The first command after a reset on this nexus: UNIT ATTENTION 29h/xxh. */
static bool reset_attention(struct sess *s, const char *who)
{
	struct scsi_task *task = iscsi_testunitready_sync(s->l.iscsi, s->l.lun);
	char st[256];
	bool ok;

	printf("TEST UNIT READY after the reset, %s: %s\n", who,
	       ft_status(s->l.iscsi, task, st, sizeof(st)));
	/* SAM-5 §6.3.3: a unit attention for every I_T nexus, 29h/xxh */
	ok = task && task->status == SCSI_STATUS_CHECK_CONDITION &&
	     task->sense.key == SCSI_SENSE_UNIT_ATTENTION && (task->sense.ascq >> 8) == 0x29;
	if (!ok)
		fprintf(stderr, "%s: no UNIT ATTENTION 29h (reset occurred) after LOGICAL UNIT RESET\n",
			who);
	if (task)
		scsi_free_scsi_task(task);
	return ok;
}

static int cmd_reset(const char *url)
{
	struct tmf_wait w = { 0 };
	struct sess s, other;
	unsigned int i, cancelled = 0;
	int rc = 1;

	if (!sess_open(&s, url, 0, 0))
		return 1;
	/* another I_T nexus to the same LU, idle */
	if (!sess_open(&other, url, 1, 0x4242)) {
		sess_free(&s, false);
		return 1;
	}
	s.region_lba = 4096;
	s.region_blocks = (uint64_t)QUEUE_DEPTH * 4 * IO_BLOCKS_BYTES / s.l.bs;
	s.rounds_left = QUEUE_DEPTH;
	refill(&s);
	if (!flush_out(&s))
		goto out;
	/* libiscsi forgets the tasks of the LU (SCSI_STATUS_CANCELLED) when it sends the reset */
	if (iscsi_task_mgmt_lun_reset_async(s.l.iscsi, (uint32_t)s.l.lun, tmf_cb, &w))
		ft_die("cannot send LOGICAL UNIT RESET: %s", iscsi_get_error(s.l.iscsi));
	if (!run_loop(&s, 1, tmf_done, &w, false, ft_now_ms() + LOOP_DEADLINE_MS) || s.failed) {
		fprintf(stderr, "no answer to LOGICAL UNIT RESET\n");
		goto out;
	}
	if (w.status != SCSI_STATUS_GOOD || w.response != ISCSI_TMR_FUNC_COMPLETE) {
		fprintf(stderr, "LOGICAL UNIT RESET: %s (%u)\n",
			w.status == SCSI_STATUS_GOOD ? tmf_response_str(w.response) :
			iscsi_get_error(s.l.iscsi), w.response);
		goto out;
	}
	for (i = 0; i < QUEUE_DEPTH; i++)
		cancelled += s.ios[i].state == IO_CANCELLED;
	printf("LOGICAL UNIT RESET: function complete, %u writes were in flight\n", cancelled);
	if (!reset_attention(&s, "the resetting session") ||
	    !reset_attention(&other, "another session") ||
	    !still_serves(&s, "LOGICAL UNIT RESET") || !still_serves(&other, "LOGICAL UNIT RESET"))
		goto out;
	/* and under load again */
	s.rounds_left = 4 * QUEUE_DEPTH;
	if (!run_loop(&s, 1, all_idle, NULL, true, ft_now_ms() + LOOP_DEADLINE_MS) || s.failed) {
		fprintf(stderr, "queued I/O after the reset did not complete\n");
		goto out;
	}
	printf("after the reset: %lu writes verified\n", s.rounds_done);
	rc = 0;
out:
	sess_free(&s, rc == 0);
	sess_free(&other, rc == 0);
	return rc;
}

/* Waits (bounded) until the peer closes the socket; false if it stays open. */
static bool peer_closes(int fd, unsigned int ms)
{
	uint64_t end = ft_now_ms() + ms;
	char buf[4096];

	while (ft_now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			return true;
		/* an Async Message or a NOP-In before the close: read on */
	}
	return false;
}

static int cmd_reinstate(const char *url)
{
	const uint32_t isid = 0x5a5a5a;
	struct sess a, b;
	uint64_t seed = ft_seed();
	int rc = 1;

	if (!sess_open(&a, url, 1, isid))
		return 1;
	if (!ft_write(&a.l, 64, 32, seed, true)) {
		sess_free(&a, false);
		return 1;
	}
	printf("session 1 logged in (ISID random 0x%06x) and wrote\n", isid);
	/* an 8 MiB write in flight (waiting for R2Ts where InitialR2T=Yes) when the second login comes */
	a.region_lba = 1024;
	if (a.region_lba + (8 << 20) / a.l.bs > a.l.nblocks ||
	    !io_start(&a, &a.ios[0], a.region_lba, (8 << 20) / a.l.bs, false) || !flush_out(&a)) {
		sess_free(&a, false);
		return 1;
	}
	if (!sess_open(&b, url, 2, isid)) {
		fprintf(stderr, "the second login with the same name and ISID failed\n");
		sess_free(&a, false);
		return 1;
	}
	printf("session 2 logged in with the same initiator name and ISID\n");
	/* RFC 7143 §6.3.5: session reinstatement closes the old session's connections */
	if (!peer_closes(iscsi_get_fd(a.l.iscsi), 5000)) {
		fprintf(stderr, "the first session's connection is still open 5 s after the second login\n");
		goto out;
	}
	printf("session 1's connection was closed by the target\n");
	if (!ft_read_check(&b.l, 64, 32, seed) || !still_serves(&b, "reinstatement"))
		goto out;
	printf("session 2 reads what session 1 wrote and serves I/O\n");
	rc = 0;
out:
	sess_free(&a, false);
	sess_free(&b, rc == 0);
	return rc;
}

static int cmd_parallel(const char *url, unsigned int n, unsigned long rounds)
{
	struct sess *ss = calloc(n, sizeof(*ss));
	unsigned long total = 0;
	unsigned int i;
	uint64_t t0;
	int rc = 1;

	if (!ss)
		ft_die("out of memory");
	for (i = 0; i < n; i++) {
		if (!sess_open(&ss[i], url, i, 0x100000 + i))
			goto out;
	}
	for (i = 0; i < n; i++) {
		ss[i].region_blocks = ss[0].l.nblocks / n;
		ss[i].region_lba = ss[i].region_blocks * i;
		ss[i].rounds_left = rounds;
		if (ss[i].region_blocks < (uint64_t)QUEUE_DEPTH * IO_BLOCKS_BYTES / ss[i].l.bs)
			ft_die("the LU is too small for %u sessions", n);
	}
	t0 = ft_now_ms();
	if (!run_loop(ss, n, all_idle, NULL, true, t0 + 4 * LOOP_DEADLINE_MS)) {
		fprintf(stderr, "the sessions did not finish in %u s\n", 4 * LOOP_DEADLINE_MS / 1000);
		for (i = 0; i < n; i++)
			fprintf(stderr, "session %u: %lu verified, %u in flight\n", i,
				ss[i].rounds_done, ss[i].inflight);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (ss[i].failed || ss[i].rounds_done != rounds) {
			fprintf(stderr, "session %u: %lu of %lu writes verified\n", i,
				ss[i].rounds_done, rounds);
			goto out;
		}
		total += ss[i].rounds_done;
	}
	printf("%u sessions: %lu writes of %u KiB verified in %llu ms\n", n, total,
	       IO_BLOCKS_BYTES / 1024, (unsigned long long)(ft_now_ms() - t0));
	rc = 0;
out:
	for (i = 0; i < n; i++)
		sess_free(&ss[i], rc == 0);
	free(ss);
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
	if (argc == 2 && strcmp(argv[0], "abort") == 0)
		return cmd_abort(argv[1]);
	if (argc == 2 && strcmp(argv[0], "reset") == 0)
		return cmd_reset(argv[1]);
	if (argc == 2 && strcmp(argv[0], "reinstate") == 0)
		return cmd_reinstate(argv[1]);
	if (argc == 4 && strcmp(argv[0], "parallel") == 0)
		return cmd_parallel(argv[1], (unsigned int)atoi(argv[2]),
				    strtoul(argv[3], NULL, 0));
usage:
	fprintf(stderr, "usage: tmfio [-i IQN] {abort|reset|reinstate} URL | parallel URL N ROUNDS\n");
	return 2;
}

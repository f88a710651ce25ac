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
 *   tmfio xreset URL                     LOGICAL UNIT RESET from one session aborts the
 *                                        write another session has in flight
 *   tmfio cluster URL                    a failover cluster's reservations on two initiator
 *                                        names: node B preempts and aborts node A while A
 *                                        writes
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
	/* IO_TASK_ABORTED: another I_T nexus's abort ended it with TASK ABORTED (TAS 1) */
	enum { IO_IDLE, IO_WRITING, IO_READING, IO_DONE, IO_CANCELLED, IO_TASK_ABORTED } state;
	bool verify; /* read back after the write */
	bool aborted; /* ABORT TASK took it: no status will come */
	bool late; /* started after the node lost its registration (cluster) */
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
	/* a status other than GOOD is counted, not a failure (the cluster test's losing node) */
	bool tally;
	unsigned long n_good, n_ua, n_conflict, n_other;
	unsigned long n_task_aborted; /* writes ended TASK ABORTED (SAM-5 status 40h) */
	bool late; /* what io_start marks the I/O it starts with */
	unsigned long n_late_good; /* GOOD for a write started late: must stay 0 */
	uint16_t first_ua, last_ua; /* ASC/ASCQ of the first and the last unit attention */
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
	if (status == SCSI_STATUS_TASK_ABORTED) {
		/* SPC-4 §7.5.8, TAS 1: another I_T nexus's abort took it; the caller judges */
		io->state = IO_TASK_ABORTED;
		s->n_task_aborted++;
		s->inflight--;
		scsi_free_scsi_task(task);
		return;
	}
	if (status != SCSI_STATUS_GOOD && s->tally) {
		if (status == SCSI_STATUS_CHECK_CONDITION &&
		    task->sense.key == SCSI_SENSE_UNIT_ATTENTION) {
			if (!s->n_ua++)
				s->first_ua = (uint16_t)task->sense.ascq;
			s->last_ua = (uint16_t)task->sense.ascq;
		} else if (status == SCSI_STATUS_RESERVATION_CONFLICT) {
			s->n_conflict++;
		} else {
			fprintf(stderr, "session %u: WRITE (16) LBA %llu: %s\n", s->id,
				(unsigned long long)io->lba, ft_status(iscsi, task, st, sizeof(st)));
			s->n_other++;
		}
		io->state = IO_DONE;
		s->inflight--;
		scsi_free_scsi_task(task);
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
	s->n_good++;
	if (io->late)
		s->n_late_good++;
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
	io->late = s->late;
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

static bool sess_open_as(struct sess *s, const char *url, unsigned int id, uint32_t isid_rnd,
			 const char *initiator)
{
	struct iscsi_context *iscsi = iscsi_create_context(initiator);

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

static bool sess_open(struct sess *s, const char *url, unsigned int id, uint32_t isid_rnd)
{
	return sess_open_as(s, url, id, isid_rnd, opt_initiator ? opt_initiator : FT_INITIATOR);
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

/* LOGICAL UNIT RESET from one session, a write of another in flight: SAM-5 §6.3.3 aborts it too. */
static bool io_ended(struct sess *ss, unsigned int n, void *arg)
{
	struct io *io = arg;

	(void)n;
	return io->state != IO_WRITING || ss[0].failed;
}

static int cmd_xreset(const char *url)
{
	const uint32_t big_bytes = 8 << 20;
	struct tmf_wait w = { 0 };
	uint64_t seed_b = ft_seed() ^ 0xb0b0;
	struct sess a, b;
	struct io *big;
	uint32_t nblocks;
	int rc = 1;

	if (!sess_open(&a, url, 0, 0x313131))
		return 1;
	if (!sess_open(&b, url, 1, 0x323232)) {
		sess_free(&a, false);
		return 1;
	}
	big = calloc(1, sizeof(*big));
	if (!big)
		ft_die("out of memory");
	nblocks = big_bytes / a.l.bs;
	a.region_lba = 1024;
	if (a.region_lba + nblocks > a.l.nblocks)
		ft_die("the LU is too small for the cross-session reset test");
	/* what is there before: the other session's pattern */
	if (!ft_write(&b.l, a.region_lba, nblocks, seed_b, false))
		goto out;
	/* a's write goes out and waits at the target for its Data-Out: a is not serviced now */
	if (!io_start(&a, big, a.region_lba, nblocks, false) || !flush_out(&a))
		goto out;
	if (iscsi_task_mgmt_lun_reset_async(b.l.iscsi, (uint32_t)b.l.lun, tmf_cb, &w))
		ft_die("cannot send LOGICAL UNIT RESET: %s", iscsi_get_error(b.l.iscsi));
	if (!run_loop(&b, 1, tmf_done, &w, false, ft_now_ms() + LOOP_DEADLINE_MS) || b.failed ||
	    w.status != SCSI_STATUS_GOOD || w.response != ISCSI_TMR_FUNC_COMPLETE) {
		fprintf(stderr, "LOGICAL UNIT RESET: %s\n",
			w.done ? tmf_response_str(w.response) : "no answer");
		goto out;
	}
	printf("LOGICAL UNIT RESET from session 1: function complete\n");
	/*
	 * a goes on: it answers the R2Ts it has, the target asks for no more
	 * data and, the control mode page saying TAS 1, ends the write with
	 * TASK ABORTED once that data is in (SAM-5: status 40h for a command
	 * another I_T nexus aborted).
	 */
	if (!run_loop(&a, 1, io_ended, big, false, ft_now_ms() + LOOP_DEADLINE_MS) ||
	    big->state != IO_TASK_ABORTED) {
		fprintf(stderr, "session 0's write in flight: %s after another session's LOGICAL "
				"UNIT RESET, want TASK ABORTED\n",
			big->state == IO_WRITING     ? "no status" :
			big->state == IO_CANCELLED ? "cancelled (the connection ended)" :
						     "another status");
		goto out;
	}
	printf("session 0's 8 MiB write in flight ended TASK ABORTED\n");
	/* nothing of it reached the medium: a write lands only once all its data is in */
	if (!ft_ready(b.l.iscsi, b.l.lun) || !ft_read_check(&b.l, a.region_lba, nblocks, seed_b))
		goto out;
	printf("the medium holds none of the aborted write\n");
	if (!reset_attention(&a, "the session whose write was aborted") ||
	    !still_serves(&a, "LOGICAL UNIT RESET from another session"))
		goto out;
	rc = 0;
out:
	sess_free(&a, false);
	sess_free(&b, rc == 0);
	free(big->buf);
	free(big);
	return rc;
}

/* The reservation keys of the two nodes. */
#define NODE_A_KEY 0xa1a1a1a1a1a1a1a1ull
#define NODE_B_KEY 0xb2b2b2b2b2b2b2b2ull
#define PR_TYPE_WE_RO 5
#define MAX_LATE 1024

static bool prout_good(struct sess *s, int sa, int type, uint64_t key, uint64_t sa_key,
		       const char *what)
{
	struct scsi_persistent_reserve_out_basic p = { .reservation_key = key,
						       .service_action_reservation_key = sa_key };
	struct scsi_task *task = iscsi_persistent_reserve_out_sync(s->l.iscsi, s->l.lun, sa, 0,
								   type, &p);

	if (!ft_good(s->l.iscsi, task, what))
		return false;
	scsi_free_scsi_task(task);
	return true;
}

/* READ KEYS and READ RESERVATION as b sees them: exactly key, and its reservation of type. */
static bool pr_state_is(struct sess *s, uint64_t key, int type)
{
	struct scsi_persistent_reserve_in_read_reservation *rr;
	struct scsi_persistent_reserve_in_read_keys *rk;
	struct scsi_task *task;
	bool ok;

	task = iscsi_persistent_reserve_in_sync(s->l.iscsi, s->l.lun,
						SCSI_PERSISTENT_RESERVE_READ_KEYS, 1024);
	if (!ft_good(s->l.iscsi, task, "PERSISTENT RESERVE IN (READ KEYS)"))
		return false;
	rk = scsi_datain_unmarshall(task);
	ok = rk && rk->num_keys == 1 && rk->keys[0] == key;
	if (!ok)
		fprintf(stderr, "READ KEYS: %d keys, want only 0x%llx\n", rk ? rk->num_keys : -1,
			(unsigned long long)key);
	scsi_free_scsi_task(task);
	if (!ok)
		return false;
	task = iscsi_persistent_reserve_in_sync(s->l.iscsi, s->l.lun,
						SCSI_PERSISTENT_RESERVE_READ_RESERVATION, 1024);
	if (!ft_good(s->l.iscsi, task, "PERSISTENT RESERVE IN (READ RESERVATION)"))
		return false;
	rr = scsi_datain_unmarshall(task);
	ok = rr && rr->reserved && rr->reservation_key == key && rr->pr_type == type;
	if (!ok)
		fprintf(stderr, "READ RESERVATION: not 0x%llx with type %d\n", (unsigned long long)key,
			type);
	scsi_free_scsi_task(task);
	return ok;
}

struct prout_wait {
	bool done;
	int status;
};

static void prout_cb(struct iscsi_context *iscsi, int status, void *data, void *arg)
{
	struct prout_wait *w = arg;

	(void)iscsi;
	w->done = true;
	w->status = status;
	if (data)
		scsi_free_scsi_task(data);
}

static bool prout_done(struct sess *ss, unsigned int n, void *arg)
{
	struct prout_wait *w = arg;

	(void)n;
	return w->done || ss[0].failed;
}

static bool late_done(struct sess *ss, unsigned int n, void *arg)
{
	(void)n;
	(void)arg;
	return ss[0].n_conflict >= 4 * QUEUE_DEPTH || ss[0].failed;
}

/* Whether the first block at lba is that of a write of seed (ft_pattern). */
static bool medium_has(struct sess *s, uint64_t lba, uint64_t seed, bool *has)
{
	struct scsi_task *task = iscsi_read16_sync(s->l.iscsi, s->l.lun, lba, s->l.bs, (int)s->l.bs,
						   0, 0, 0, 0, 0);
	uint8_t *want = malloc(s->l.bs);

	if (!want)
		ft_die("out of memory");
	if (!ft_good(s->l.iscsi, task, "READ (16)")) {
		free(want);
		return false;
	}
	ft_pattern(want, lba, 1, s->l.bs, seed);
	*has = task->datain.size == (int)s->l.bs && memcmp(task->datain.data, want, s->l.bs) == 0;
	scsi_free_scsi_task(task);
	free(want);
	return true;
}

/*
 * What a Windows failover cluster does to a shared disk: both nodes
 * register, the owner (A) reserves Write Exclusive - Registrants Only and
 * writes; the challenger (B) takes the disk with PREEMPT AND ABORT while A
 * is still writing. A's commands in flight are aborted and end with TASK
 * ABORTED (the control mode page says TAS 1), A then hears of the
 * preemption (a unit attention) and conflicts, and none of the writes A
 * starts after the preemption reaches the medium.
 */
static int cmd_cluster(const char *url, const char *name_a, const char *name_b)
{
	const uint32_t big_bytes = 8 << 20;
	struct scsi_persistent_reserve_out_basic p = { .reservation_key = NODE_B_KEY,
						       .service_action_reservation_key = NODE_A_KEY };
	struct { uint64_t lba, seed; } late[MAX_LATE];
	uint64_t seed_b = ft_seed() ^ 0xb2b2;
	struct prout_wait pw = { 0 };
	struct scsi_task *task;
	unsigned int nlate = 0, i;
	uint32_t nblocks;
	struct sess a, b;
	struct io *big;
	int rc = 1;

	if (!sess_open_as(&a, url, 0, 0x414141, name_a))
		return 1;
	if (!sess_open_as(&b, url, 1, 0x424242, name_b)) {
		sess_free(&a, false);
		return 1;
	}
	big = calloc(1, sizeof(*big));
	if (!big)
		ft_die("out of memory");
	a.region_lba = 2048;
	a.region_blocks = (uint64_t)QUEUE_DEPTH * 4 * IO_BLOCKS_BYTES / a.l.bs;
	nblocks = big_bytes / a.l.bs;
	if (a.region_lba + a.region_blocks + nblocks > a.l.nblocks)
		ft_die("the LU is too small for the cluster test");
	/* B's pattern where A's large write will go */
	if (!ft_write(&b.l, a.region_lba + a.region_blocks, nblocks, seed_b, false))
		goto out;

	if (!prout_good(&a, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0,
			NODE_A_KEY, "node A: REGISTER AND IGNORE EXISTING KEY") ||
	    !prout_good(&b, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0,
			NODE_B_KEY, "node B: REGISTER AND IGNORE EXISTING KEY") ||
	    !prout_good(&a, SCSI_PERSISTENT_RESERVE_RESERVE, PR_TYPE_WE_RO, NODE_A_KEY, 0,
			"node A: RESERVE (Write Exclusive - Registrants Only)"))
		goto out;
	printf("both nodes registered; node A holds Write Exclusive - Registrants Only\n");

	/* A writes: a full queue of 64 KiB writes for a while, then an 8 MiB one as well */
	a.verify = false;
	a.tally = true;
	a.rounds_left = 1ul << 30;
	if (!run_loop(&a, 1, all_idle, NULL, true, ft_now_ms() + 500) && a.n_good < QUEUE_DEPTH) {
		fprintf(stderr, "node A wrote only %lu times in 500 ms\n", a.n_good);
		goto out;
	}
	if (a.failed || a.n_ua || a.n_conflict || a.n_other) {
		fprintf(stderr, "node A's writes failed before the preemption\n");
		goto out;
	}
	if (!io_start(&a, big, a.region_lba + a.region_blocks, nblocks, false) || !flush_out(&a))
		goto out;
	printf("node A: %lu writes done, %u in flight and an 8 MiB one waiting for its data\n",
	       a.n_good, a.inflight);

	/* B takes the disk */
	task = iscsi_persistent_reserve_out_task(b.l.iscsi, b.l.lun,
						 SCSI_PERSISTENT_RESERVE_PREEMPT_AND_ABORT, 0,
						 PR_TYPE_WE_RO, &p, prout_cb, &pw);
	if (!task)
		ft_die("cannot queue PERSISTENT RESERVE OUT: %s", iscsi_get_error(b.l.iscsi));
	if (!run_loop(&b, 1, prout_done, &pw, false, ft_now_ms() + LOOP_DEADLINE_MS) ||
	    pw.status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "node B: PREEMPT AND ABORT: %s\n",
			pw.done ? "not GOOD" : "no answer");
		goto out;
	}
	printf("node B: PREEMPT AND ABORT of node A's key: GOOD\n");

	/* A goes on writing as a node that does not know yet; what it starts now is late */
	a.late = true;
	if (!run_loop(&a, 1, late_done, NULL, true, ft_now_ms() + LOOP_DEADLINE_MS) || a.failed) {
		fprintf(stderr, "node A: only %lu conflicts after the preemption\n", a.n_conflict);
		goto out;
	}
	a.rounds_left = 0;
	for (i = 0; i < QUEUE_DEPTH && nlate < MAX_LATE; i++) {
		if (a.ios[i].late) {
			late[nlate].lba = a.ios[i].lba;
			late[nlate++].seed = a.ios[i].seed;
		}
	}
	/* the aborted 8 MiB write ends once the data of its R2Ts is in */
	run_loop(&a, 1, io_ended, big, false, ft_now_ms() + LOOP_DEADLINE_MS);
	printf("node A after the preemption: %lu TASK ABORTED, %lu unit attention(s) (first "
	       "%02Xh/%02Xh, last %02Xh/%02Xh), %lu conflicts, %lu other\n",
	       a.n_task_aborted, a.n_ua, a.first_ua >> 8, a.first_ua & 0xff, a.last_ua >> 8,
	       a.last_ua & 0xff, a.n_conflict, a.n_other);
	if (big->state != IO_TASK_ABORTED) {
		fprintf(stderr, "node A's 8 MiB write in flight: %s after PREEMPT AND ABORT, want "
				"TASK ABORTED\n",
			big->state == IO_WRITING     ? "no status" :
			big->state == IO_CANCELLED ? "cancelled (the connection ended)" :
						     "another status");
		goto out;
	}
	printf("node A's 8 MiB write in flight ended TASK ABORTED\n");
	if (a.n_other || a.n_late_good || !a.n_ua || !a.n_conflict) {
		fprintf(stderr, "node A: %lu late writes GOOD, %lu unit attentions, %lu conflicts, "
				"%lu other statuses\n",
			a.n_late_good, a.n_ua, a.n_conflict, a.n_other);
		goto out;
	}
	/*
	 * SPC-4 §5.13.11.4.5: A hears REGISTRATIONS PREEMPTED; its aborted
	 * commands told it the rest (SAM-5 §5.6: COMMANDS CLEARED BY ANOTHER
	 * INITIATOR is for TAS 0)
	 */
	if (a.first_ua != 0x2a05 || a.last_ua != 0x2a05) {
		fprintf(stderr, "node A: want REGISTRATIONS PREEMPTED alone, got %lu attention(s), "
				"first 0x%04x, last 0x%04x\n",
			a.n_ua, a.first_ua, a.last_ua);
		goto out;
	}

	/* the medium: nothing of the aborted write, nothing of a late one */
	if (!ft_ready(b.l.iscsi, b.l.lun) ||
	    !ft_read_check(&b.l, a.region_lba + a.region_blocks, nblocks, seed_b))
		goto out;
	for (i = 0; i < nlate; i++) {
		bool has;

		if (!medium_has(&b, late[i].lba, late[i].seed, &has))
			goto out;
		if (has) {
			fprintf(stderr, "node A's write at LBA %llu, started after the preemption, "
					"is on the medium\n",
				(unsigned long long)late[i].lba);
			goto out;
		}
	}
	printf("the medium holds none of the aborted write nor of %u late ones\n", nlate);
	if (!pr_state_is(&b, NODE_B_KEY, PR_TYPE_WE_RO) || !still_serves(&b, "the preemption"))
		goto out;
	printf("node B holds the reservation alone and writes\n");
	/* the disk goes back as it was */
	if (!prout_good(&b, SCSI_PERSISTENT_RESERVE_CLEAR, 0, NODE_B_KEY, 0, "node B: CLEAR"))
		goto out;
	rc = 0;
out:
	if (rc) {
		/* whatever the failure left, the checks after this one find no reservation */
		prout_good(&b, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0,
			   NODE_B_KEY, "cleaning up: REGISTER AND IGNORE EXISTING KEY");
		prout_good(&b, SCSI_PERSISTENT_RESERVE_CLEAR, 0, NODE_B_KEY, 0, "cleaning up: CLEAR");
	}
	sess_free(&a, false);
	sess_free(&b, rc == 0);
	free(big->buf);
	free(big);
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
	if (argc == 2 && strcmp(argv[0], "xreset") == 0)
		return cmd_xreset(argv[1]);
	if (argc == 2 && strcmp(argv[0], "cluster") == 0)
		return cmd_cluster(argv[1], "iqn.2026-01.org.portico.test:node-a",
				   "iqn.2026-01.org.portico.test:node-b");
	if (argc == 4 && strcmp(argv[0], "parallel") == 0)
		return cmd_parallel(argv[1], (unsigned int)atoi(argv[2]),
				    strtoul(argv[3], NULL, 0));
usage:
	fprintf(stderr, "usage: tmfio [-i IQN] {abort|reset|reinstate|xreset|cluster} URL | parallel URL N ROUNDS\n");
	return 2;
}

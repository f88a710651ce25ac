/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The path checker (tur.h): requests queue for a fixed set of worker
 * threads, which run them through the ops and hand the results back to the
 * loop through an eventfd; the loop holds each request's deadline.
 *
 * What the threads share (struct tur_shared, under its lock): the queue,
 * the requests running, the requests done and not yet delivered, the
 * eventfd, and a reference count. The loop side (struct tur) holds the
 * timers and the callbacks. A request is in exactly one of the three
 * lists until it is delivered or freed; a running request that the loop
 * gave up on (its deadline, tur_cancel, tur_destroy) is marked abandoned
 * and freed by its worker when the command returns. The shared part is
 * freed by the last of tur_destroy() and the workers to let go of it, so
 * that a worker stuck in SG_IO past tur_destroy() touches nothing freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <scsi/sg.h>

#include "common/be.h"
#include "common/ev.h"
#include "common/list.h"
#include "common/scsi_proto.h"
#include "common/util.h"
#include "initiator/adapt/tur.h"

enum tur_where {
	TUR_WHERE_QUEUED,
	TUR_WHERE_RUNNING,
	TUR_WHERE_DONE,
};

struct tur_req {
	struct list_head node; /* in the shared queue, running or done list */
	enum tur_where where;  /* under the shared lock */
	bool abandoned;	       /* running, and no longer wanted: the worker frees it */
	int64_t t_run;	       /* when a worker took it (ev_now_ms) */
	/* the request, set before it is queued, read-only after */
	bool probe;
	char dev[TUR_DEV_MAX];
	char wwid[MP_WWID_SIZE];
	unsigned int timeout_ms;
	int64_t t0;
	/* the loop's: never touched by a worker */
	struct tur *t;
	struct ev_timer *timer;
	tur_done_cb *cb;
	void *arg;
	/* the worker's answer, written before the request moves to done */
	struct tur_result res;
};

struct tur_shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int refs; /* the loop side, and each worker */
	bool stop;
	int efd; /* -1 once the loop side is gone */
	struct list_head queue, running, done;
	size_t nqueued, ndone, nrunning;
	const struct tur_ops *ops;
	void *arg;
};

struct tur {
	struct ev_loop *loop;
	struct tur_shared *sh;
	int efd;
	pthread_t tids[TUR_WORKERS_MAX];
	unsigned int nworkers;
	size_t pending;
	bool *dead; /* set by tur_destroy() while callbacks are being delivered */
};

/* ---- the worker side ---- */

static void tur_sh_put(struct tur_shared *sh)
{
	bool last;

	pthread_mutex_lock(&sh->lock);
	last = --sh->refs == 0;
	pthread_mutex_unlock(&sh->lock);
	if (!last)
		return;
	pthread_cond_destroy(&sh->cond);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

static void tur_res_text(struct tur_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tur_res_text(struct tur_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
}

/*
 * One command, sent once more when the verdict asks it (a unit attention,
 * a transient host status). The verdict of the last into *v.
 */
static void tur_cmd(struct tur_shared *sh, int fd, const char *what, const uint8_t *cdb,
		    size_t cdb_len, uint8_t *data, size_t data_len, unsigned int timeout_ms,
		    struct tur_verdict *v, size_t *got, struct tur_result *res)
{
	struct tur_io io;

	for (int attempt = 0; attempt < 2; attempt++) {
		memset(&io, 0, sizeof(io));
		io.cdb = cdb;
		io.cdb_len = cdb_len;
		io.data = data;
		io.data_len = data_len;
		io.timeout_ms = timeout_ms;
		io.raw.err = sh->ops->exec(sh->arg, fd, &io);
		if (io.raw.sense_len > sizeof(io.sense))
			io.raw.sense_len = sizeof(io.sense);
		io.raw.sense = io.sense;
		tur_classify(&io.raw, what, attempt > 0, v);
		if (got)
			*got = MIN(io.got, data_len);
		/* SPC-4 §4.5.6, sense key 6h: kept, so that the caller can act on what changed */
		if (v->has_sense && v->sense.key == SCSI_SENSE_KEY_UNIT_ATTENTION &&
		    res->nuas < TUR_UAS_MAX)
			res->uas[res->nuas++] = v->sense;
		if (!v->retry)
			return;
		res->retried = true;
	}
}

static void tur_verdict_to(struct tur_result *res, const struct tur_verdict *v)
{
	res->state = v->state;
	res->cause = v->cause;
	res->has_sense = v->has_sense;
	res->sense = v->sense;
	memcpy(res->text, v->text, sizeof(res->text));
}

/* INQUIRY for page 83h into page (TUR_VPD_MAX): its length, or 0 with the verdict in res. */
static size_t tur_vpd83(struct tur_shared *sh, int fd, const struct tur_req *r, uint8_t *page,
			struct tur_result *res)
{
	/* SPC-4 §6.4.1: EVPD set, PAGE CODE 83h, a 16-bit ALLOCATION LENGTH */
	uint8_t cdb[6] = {SCSI_OP_INQUIRY, 0x01, SCSI_VPD_DEVICE_ID, 0, 0, 0};
	size_t alloc = TUR_VPD_FIRST, got = 0, want;
	struct tur_verdict v;

	/* a second read only when the page is longer than the first asked for: two at most */
	for (int pass = 0; pass < 2; pass++) {
		put_be16(&cdb[3], (uint16_t)alloc);
		tur_cmd(sh, fd, "INQUIRY", cdb, sizeof(cdb), page, alloc, r->timeout_ms, &v, &got,
			res);
		if (v.state != TUR_STATE_UP) {
			tur_verdict_to(res, &v);
			res->state = TUR_STATE_DOWN;
			return 0;
		}
		/* SPC-4 §7.8.1: PAGE LENGTH, bytes 2-3, counts what follows the 4-byte header */
		if (got < 4)
			break;
		want = 4u + get_be16(&page[2]);
		if (want <= got || alloc >= TUR_VPD_MAX)
			break;
		alloc = MIN(want, (size_t)TUR_VPD_MAX);
	}
	return got;
}

/* The probe's second half: the page's WWID against the one expected. */
static void tur_check_wwid(struct tur_shared *sh, int fd, const struct tur_req *r,
			   struct tur_result *res)
{
	uint8_t *page = calloc(1, TUR_VPD_MAX);
	const char *why = NULL;
	size_t len;
	int rc;

	if (!page) {
		res->state = TUR_STATE_DOWN;
		res->cause = TUR_CAUSE_IO;
		tur_res_text(res, "out of memory for page 83h");
		return;
	}
	len = tur_vpd83(sh, fd, r, page, res);
	if (res->state == TUR_STATE_DOWN)
		goto out;
	rc = mp_wwid(page, len, NULL, 0, res->wwid, sizeof(res->wwid), &why);
	if (rc < 0) {
		res->wwid[0] = '\0';
		res->state = TUR_STATE_DOWN;
		res->cause = TUR_CAUSE_WWID;
		tur_res_text(res, "INQUIRY page 83h: %s", why ? why : strerror(-rc));
	} else if (strcmp(res->wwid, r->wwid)) {
		res->state = TUR_STATE_DOWN;
		res->cause = TUR_CAUSE_WWID;
		tur_res_text(res, "the disk is now LUN %s, not %s", res->wwid, r->wwid);
	}
out:
	free(page);
}

/* Runs request r (no lock held): its result into r->res. */
static void tur_run(struct tur_shared *sh, struct tur_req *r)
{
	static const uint8_t cdb[6] = {SCSI_OP_TEST_UNIT_READY};
	struct tur_result *res = &r->res;
	struct tur_verdict v;
	struct tur_raw raw;
	int fd;

	memset(res, 0, sizeof(*res));
	fd = sh->ops->open(sh->arg, r->dev);
	if (fd < 0) {
		memset(&raw, 0, sizeof(raw));
		raw.err = fd;
		tur_classify(&raw, "open", false, &v);
		tur_verdict_to(res, &v);
		return;
	}
	tur_cmd(sh, fd, "TEST UNIT READY", cdb, sizeof(cdb), NULL, 0, r->timeout_ms, &v, NULL, res);
	tur_verdict_to(res, &v);
	/*
	 * SPC-4 §5.16: INQUIRY is served in every asymmetric access state, and
	 * by a unit that is not ready: only a path that did not answer is not
	 * asked.
	 */
	if (r->probe && res->state != TUR_STATE_DOWN)
		tur_check_wwid(sh, fd, r, res);
	sh->ops->close(sh->arg, fd);
}

static void tur_signal(struct tur_shared *sh)
{
	uint64_t one = 1;

	/* an eventfd write fails only when its counter would overflow: the loop is woken anyway */
	if (sh->efd >= 0 && write(sh->efd, &one, sizeof(one)) < 0) {
		/* nothing more to do */
	}
}

static void *tur_worker(void *arg)
{
	struct tur_shared *sh = arg;
	struct tur_req *r;

	pthread_mutex_lock(&sh->lock);
	for (;;) {
		while (!sh->stop && list_empty(&sh->queue))
			pthread_cond_wait(&sh->cond, &sh->lock);
		if (sh->stop)
			break;
		r = list_first_entry(&sh->queue, struct tur_req, node);
		list_del(&r->node);
		sh->nqueued--;
		r->where = TUR_WHERE_RUNNING;
		r->t_run = ev_now_ms();
		list_add_tail(&r->node, &sh->running);
		sh->nrunning++;
		pthread_mutex_unlock(&sh->lock);

		tur_run(sh, r);

		pthread_mutex_lock(&sh->lock);
		list_del(&r->node);
		sh->nrunning--;
		if (r->abandoned) {
			free(r);
			continue;
		}
		r->where = TUR_WHERE_DONE;
		list_add_tail(&r->node, &sh->done);
		sh->ndone++;
		tur_signal(sh);
	}
	pthread_mutex_unlock(&sh->lock);
	tur_sh_put(sh);
	return NULL;
}

/* ---- the loop side ---- */

/* Hands r's answer res to its callback and frees r (r is out of every list). */
static void tur_deliver(struct tur *t, struct tur_req *r, struct tur_result *res)
{
	tur_done_cb *cb = r->cb;
	void *arg = r->arg;

	if (r->timer)
		ev_timer_cancel(t->loop, r->timer);
	res->ms = ev_now_ms() - r->t0;
	t->pending--;
	cb(arg, res);
	/* r may hold res: freed only after the callback */
	free(r);
}

static void tur_efd_cb(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct tur *t = arg;
	struct tur_shared *sh = t->sh;
	bool dead = false;
	uint64_t n;
	size_t count;

	(void)loop;
	(void)events;
	if (read(fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing signalled since the last read; look anyway */
	}
	pthread_mutex_lock(&sh->lock);
	count = sh->ndone;
	pthread_mutex_unlock(&sh->lock);
	/*
	 * What is done now, and no more: a callback's request for a stuck disk
	 * lands in done at once, and is delivered on the next turn of the loop.
	 */
	t->dead = &dead;
	for (size_t i = 0; i < count; i++) {
		struct tur_req *r;

		pthread_mutex_lock(&sh->lock);
		if (list_empty(&sh->done)) {
			pthread_mutex_unlock(&sh->lock);
			break;
		}
		r = list_first_entry(&sh->done, struct tur_req, node);
		list_del(&r->node);
		sh->ndone--;
		pthread_mutex_unlock(&sh->lock);
		tur_deliver(t, r, &r->res);
		if (dead)
			return;
	}
	t->dead = NULL;
}

/* The request's deadline: an answer now, whatever its worker is doing. */
static int64_t tur_deadline(struct ev_loop *loop, void *arg)
{
	struct tur_req *r = arg;
	struct tur *t = r->t;
	struct tur_shared *sh = t->sh;
	struct tur_result res;
	bool dead = false, *outer = t->dead;

	(void)loop;
	r->timer = NULL; /* freed by the loop when this returns EV_TIMER_STOP */
	memset(&res, 0, sizeof(res));
	pthread_mutex_lock(&sh->lock);
	switch (r->where) {
	case TUR_WHERE_QUEUED:
		list_del(&r->node);
		sh->nqueued--;
		res.state = TUR_STATE_UNKNOWN;
		res.cause = TUR_CAUSE_BUSY;
		tur_res_text(&res,
			     "not checked: no checker thread was free for %u ms (%zu commands "
			     "under way)",
			     r->timeout_ms + TUR_SLACK_MS, sh->nrunning);
		pthread_mutex_unlock(&sh->lock);
		break;
	case TUR_WHERE_RUNNING: {
		/* the worker keeps r and frees it: what the callback needs is taken now */
		tur_done_cb *cb = r->cb;
		void *cb_arg = r->arg;
		int64_t t0 = r->t0;

		res.state = TUR_STATE_DOWN;
		res.cause = TUR_CAUSE_TIMEOUT;
		tur_res_text(&res, "%s %s: no answer within %u ms",
			     r->probe ? "probe of" : "TEST UNIT READY to", r->dev,
			     r->timeout_ms + TUR_SLACK_MS);
		r->abandoned = true;
		pthread_mutex_unlock(&sh->lock);
		res.ms = ev_now_ms() - t0;
		t->pending--;
		cb(cb_arg, &res);
		return EV_TIMER_STOP;
	}
	case TUR_WHERE_DONE:
		/* the worker finished as the deadline came: its answer stands */
		list_del(&r->node);
		sh->ndone--;
		pthread_mutex_unlock(&sh->lock);
		t->dead = &dead;
		tur_deliver(t, r, &r->res);
		if (!dead)
			t->dead = outer;
		return EV_TIMER_STOP;
	}
	tur_deliver(t, r, &res);
	return EV_TIMER_STOP;
}

/* A dev the checker accepts: "sdb" (no '/', not "." or ".."), or an absolute path. */
static bool tur_dev_ok(const char *dev)
{
	size_t n = strnlen(dev, TUR_DEV_MAX);

	if (!n || n == TUR_DEV_MAX)
		return false;
	if (dev[0] == '/')
		return true;
	return !strchr(dev, '/') && strcmp(dev, ".") && strcmp(dev, "..");
}

static int tur_submit(struct tur *t, bool probe, const char *dev, const char *wwid,
		      unsigned int timeout_ms, tur_done_cb *cb, void *arg, struct tur_req **out)
{
	struct tur_shared *sh = t->sh;
	struct tur_req *r, *old;
	bool stuck = false;
	int64_t stuck_ms = 0;

	if (!cb || !tur_dev_ok(dev) || !timeout_ms || timeout_ms > TUR_TIMEOUT_MAX_MS)
		return -EINVAL;
	if (probe && (!wwid || !wwid[0] || strlen(wwid) >= MP_WWID_SIZE))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->probe = probe;
	snprintf(r->dev, sizeof(r->dev), "%s", dev);
	if (probe)
		snprintf(r->wwid, sizeof(r->wwid), "%s", wwid);
	r->timeout_ms = timeout_ms;
	r->t0 = ev_now_ms();
	r->t = t;
	r->cb = cb;
	r->arg = arg;
	list_init(&r->node);

	pthread_mutex_lock(&sh->lock);
	list_for_each_entry(old, &sh->running, node)
	{
		if (old->abandoned && !strcmp(old->dev, dev)) {
			stuck = true;
			stuck_ms = r->t0 - old->t_run;
			break;
		}
	}
	if (stuck) {
		/* one dead path holds one worker at most: its answer is known already */
		r->res.state = TUR_STATE_DOWN;
		r->res.cause = TUR_CAUSE_TIMEOUT;
		tur_res_text(&r->res, "the previous command to %s has not returned for %lld ms",
			     dev, (long long)stuck_ms);
		r->where = TUR_WHERE_DONE;
		list_add_tail(&r->node, &sh->done);
		sh->ndone++;
		tur_signal(sh);
		pthread_mutex_unlock(&sh->lock);
	} else {
		if (sh->nqueued >= TUR_QUEUE_MAX) {
			pthread_mutex_unlock(&sh->lock);
			free(r);
			return -EAGAIN;
		}
		r->timer = ev_timer_add(t->loop, timeout_ms + TUR_SLACK_MS, tur_deadline, r);
		if (!r->timer) {
			pthread_mutex_unlock(&sh->lock);
			free(r);
			return -ENOMEM;
		}
		r->where = TUR_WHERE_QUEUED;
		list_add_tail(&r->node, &sh->queue);
		sh->nqueued++;
		pthread_cond_signal(&sh->cond);
		pthread_mutex_unlock(&sh->lock);
	}
	t->pending++;
	if (out)
		*out = r;
	return 0;
}

int tur_check(struct tur *t, const char *dev, unsigned int timeout_ms, tur_done_cb *cb, void *arg,
	      struct tur_req **out)
{
	return tur_submit(t, false, dev, NULL, timeout_ms, cb, arg, out);
}

int tur_probe(struct tur *t, const char *dev, const char *wwid, unsigned int timeout_ms,
	      tur_done_cb *cb, void *arg, struct tur_req **out)
{
	return tur_submit(t, true, dev, wwid, timeout_ms, cb, arg, out);
}

void tur_cancel(struct tur *t, struct tur_req *r)
{
	struct tur_shared *sh = t->sh;
	bool keep;

	if (!r)
		return;
	if (r->timer) {
		ev_timer_cancel(t->loop, r->timer);
		r->timer = NULL;
	}
	pthread_mutex_lock(&sh->lock);
	keep = r->where == TUR_WHERE_RUNNING;
	if (keep) {
		r->abandoned = true;
	} else {
		list_del(&r->node);
		if (r->where == TUR_WHERE_QUEUED)
			sh->nqueued--;
		else
			sh->ndone--;
	}
	pthread_mutex_unlock(&sh->lock);
	t->pending--;
	if (!keep)
		free(r);
}

size_t tur_pending(const struct tur *t)
{
	return t->pending;
}

int tur_create(struct ev_loop *loop, const struct tur_ops *ops, void *arg, unsigned int workers,
	       struct tur **out)
{
	struct tur_shared *sh;
	struct tur *t;
	int rc;

	if (!workers || workers > TUR_WORKERS_MAX || !ops || !ops->open || !ops->exec ||
	    !ops->close)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	sh = calloc(1, sizeof(*sh));
	if (!t || !sh) {
		rc = -ENOMEM;
		goto err_free;
	}
	t->loop = loop;
	t->sh = sh;
	pthread_mutex_init(&sh->lock, NULL);
	pthread_cond_init(&sh->cond, NULL);
	list_init(&sh->queue);
	list_init(&sh->running);
	list_init(&sh->done);
	sh->ops = ops;
	sh->arg = arg;
	sh->refs = 1;
	sh->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sh->efd < 0) {
		rc = -errno;
		goto err_sync;
	}
	t->efd = sh->efd;
	rc = ev_add_fd(loop, t->efd, EV_READ, tur_efd_cb, t);
	if (rc)
		goto err_efd;
	for (; t->nworkers < workers; t->nworkers++) {
		pthread_mutex_lock(&sh->lock);
		sh->refs++;
		pthread_mutex_unlock(&sh->lock);
		rc = -pthread_create(&t->tids[t->nworkers], NULL, tur_worker, sh);
		if (rc) {
			pthread_mutex_lock(&sh->lock);
			sh->refs--;
			pthread_mutex_unlock(&sh->lock);
			tur_destroy(t);
			return rc;
		}
	}
	*out = t;
	return 0;

err_efd:
	close(sh->efd);
err_sync:
	pthread_cond_destroy(&sh->cond);
	pthread_mutex_destroy(&sh->lock);
err_free:
	free(sh);
	free(t);
	return rc;
}

/* Frees the requests of one list (lock held), their timers cancelled; running ones abandoned. */
static void tur_drop_list(struct tur *t, struct list_head *list, bool running)
{
	struct tur_req *r, *next;

	list_for_each_entry_safe(r, next, list, node)
	{
		if (r->timer) {
			ev_timer_cancel(t->loop, r->timer);
			r->timer = NULL;
		}
		if (running) {
			r->abandoned = true;
			continue;
		}
		list_del(&r->node);
		free(r);
	}
}

void tur_destroy(struct tur *t)
{
	struct tur_shared *sh;
	struct timespec until;

	if (!t)
		return;
	sh = t->sh;
	if (t->dead)
		*t->dead = true;
	ev_del_fd(t->loop, t->efd);
	pthread_mutex_lock(&sh->lock);
	sh->stop = true;
	close(sh->efd);
	sh->efd = -1;
	tur_drop_list(t, &sh->queue, false);
	tur_drop_list(t, &sh->done, false);
	tur_drop_list(t, &sh->running, true);
	sh->nqueued = sh->ndone = 0;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += TUR_STOP_WAIT_MS / 1000;
	until.tv_nsec += (long)(TUR_STOP_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	for (unsigned int i = 0; i < t->nworkers; i++) {
		/* one deadline for them all; a worker stuck in a command is let go */
		if (pthread_timedjoin_np(t->tids[i], NULL, &until))
			pthread_detach(t->tids[i]);
	}
	tur_sh_put(sh);
	free(t);
}

/* ---- SG_IO ---- */

static int tur_sg_open(void *arg, const char *dev)
{
	char path[PATH_MAX];
	int fd;

	(void)arg;
	snprintf(path, sizeof(path), dev[0] == '/' ? "%s" : "/dev/%s", dev);
	/* O_NONBLOCK: sd does not wait for a medium; the command says what the unit is */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int tur_sg_exec(void *arg, int fd, struct tur_io *io)
{
	struct sg_io_hdr h;

	(void)arg;
	memset(&h, 0, sizeof(h));
	h.interface_id = 'S';
	h.dxfer_direction = io->data_len ? SG_DXFER_FROM_DEV : SG_DXFER_NONE;
	h.cmd_len = (unsigned char)io->cdb_len;
	h.cmdp = (unsigned char *)io->cdb;
	h.dxfer_len = (unsigned int)io->data_len;
	h.dxferp = io->data;
	h.mx_sb_len = sizeof(io->sense);
	h.sbp = io->sense;
	h.timeout = io->timeout_ms;
	if (ioctl(fd, SG_IO, &h) < 0)
		return -errno;
	io->raw.status = h.status;
	io->raw.host_status = h.host_status;
	io->raw.driver_status = h.driver_status;
	io->raw.sense_len = MIN((size_t)h.sb_len_wr, sizeof(io->sense));
	io->got = h.resid > 0 && (size_t)h.resid <= io->data_len ? io->data_len - (size_t)h.resid
								 : io->data_len;
	if (h.resid < 0)
		io->got = 0;
	return 0;
}

static void tur_sg_close(void *arg, int fd)
{
	(void)arg;
	close(fd);
}

const struct tur_ops tur_sg_ops = {
    .open = tur_sg_open,
    .exec = tur_sg_exec,
    .close = tur_sg_close,
};

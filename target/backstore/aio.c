/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The asynchronous engine: one context per I/O thread.
 *
 * Each thread that submits I/O owns a libaio context and an eventfd,
 * registered on its ev loop. Every iocb signals that eventfd
 * (io_set_eventfd); so do the worker pool, when it hands back a finished
 * request, and the stores that complete without I/O (null). On readiness the
 * loop reaps the context until it is empty, then runs the callbacks: every
 * callback runs on the submitting thread, from its loop, never inside submit.
 *
 * One eventfd for all three sources keeps a loop iteration to one read() and
 * needs no allocation on the completion path (a worker that finished a
 * request cannot fail to hand it back).
 */
#include <errno.h>
#include <inttypes.h>
#include <libaio.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/log.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"

#define BS_AIO_DEPTH 512
#define BS_AIO_MIN_DEPTH 16
#define BS_AIO_REAP_BATCH 64
/* io_submit() refused for lack of system-wide aio slots and nothing in flight: retry soon. */
#define BS_AIO_RETRY_MS 1
/* bs_thread_fini() waits this long for outstanding I/O before it gives up. */
#define BS_FINI_WAIT_MS 30000

#ifndef RWF_DSYNC
#define RWF_DSYNC 0x00000002
#endif

struct bs_aio_slot {
	struct iocb iocb;
	struct bs_io *io;
	struct bs_aio_slot *next_free; /* also links the stalled list */
	/* the iovecs submitted: the caller's, the bounce buffer's, or a remainder copy */
	struct iovec *iov;
	int iovcnt;
	struct iovec *iov_copy; /* owned: the remainder after a short transfer */
	void *bounce;		/* owned: aligned copy of misaligned caller buffers */
	struct iovec bounce_iov;
	bool rwf_dsync;	 /* submitted with RWF_DSYNC */
	bool sync_after; /* FUA without RWF_DSYNC: fdatasync once the write is done */
};

struct bs_thread {
	struct ev_loop *loop;
	int efd;
	/* same-thread completions (stores without I/O, errors found after submit) */
	struct bs_io *local_head;
	struct bs_io **local_tail;
	bool local_kicked;
	/* completions handed back by workers */
	pthread_mutex_t remote_lock;
	struct bs_io *remote_head;
	struct bs_io **remote_tail;
	/* requests accepted and not yet completed: fini waits for them */
	unsigned long pending;

	io_context_t ctx;
	unsigned int depth;
	struct bs_aio_slot *slots;
	struct bs_aio_slot *free_slots;
	unsigned int inflight;
	/* accepted, waiting for a slot (context full, or io_submit said -EAGAIN) */
	struct bs_io *wait_head;
	struct bs_io **wait_tail;
	/* slots holding the remainder of a short transfer that io_submit refused (-EAGAIN) */
	struct bs_aio_slot *stalled;
	struct ev_timer *retry_timer;
};

static __thread struct bs_thread *bs_cur;

/* io_submit(), or a test's stand-in (bs_aio_set_submit_hook). */
static int (*bs_io_submit)(io_context_t ctx, long nr, struct iocb **iocbs) = io_submit;

void bs_aio_set_submit_hook(int (*fn)(io_context_t ctx, long nr, struct iocb **iocbs))
{
	bs_io_submit = fn ? fn : io_submit;
}

/* Cleared (once, for the process) when the kernel refuses aio_rw_flags. */
static atomic_bool bs_aio_rwf_ok = true;

void bs_aio_disable_rwf_dsync(void)
{
	if (atomic_exchange(&bs_aio_rwf_ok, false))
		log_warn(
		    BS_COMPONENT,
		    "RWF_DSYNC is not available for aio writes; FUA writes are followed by fdatasync");
}

struct bs_thread *bs_thread_current(void)
{
	return bs_cur;
}

static const struct bs_fdstore *bs_io_fdstore(const struct bs_io *io)
{
	return io->dev->priv;
}

static void bs_thread_kick(struct bs_thread *t)
{
	uint64_t one = 1;

	/* Cannot fail short of a counter at 2^64-2: the loop reads it down on every wakeup. */
	while (write(t->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void bs_list_append(struct bs_io ***tail, struct bs_io *io)
{
	io->next = NULL;
	**tail = io;
	*tail = &io->next;
}

/* Queues io for its callback on this thread; no change to the pending count. */
static void bs_thread_push_local(struct bs_thread *t, struct bs_io *io, int result)
{
	io->result = result;
	bs_list_append(&t->local_tail, io);
	if (!t->local_kicked) {
		t->local_kicked = true;
		bs_thread_kick(t);
	}
}

void bs_complete_later(struct bs_io *io, int result)
{
	struct bs_thread *t = io->thread ? io->thread : bs_cur;

	io->thread = t;
	t->pending++;
	bs_thread_push_local(t, io, result);
}

void bs_thread_fail_later(struct bs_io *io, int result)
{
	bs_thread_push_local(io->thread, io, result);
}

void bs_thread_complete_remote(struct bs_thread *t, struct bs_io *io)
{
	bool was_empty;

	pthread_mutex_lock(&t->remote_lock);
	was_empty = !t->remote_head;
	bs_list_append(&t->remote_tail, io);
	/*
	 * Kick under the lock: once the loop thread has taken this io (under the
	 * same lock) it may tear the context down, eventfd included.
	 */
	if (was_empty)
		bs_thread_kick(t);
	pthread_mutex_unlock(&t->remote_lock);
}

int bs_wait_arm(struct bs_io *io, void (*cb)(struct bs_io *io), void *arg)
{
	struct bs_thread *t = bs_cur;

	if (!t || !cb)
		return -EINVAL;
	memset(io, 0, sizeof(*io));
	io->cb = cb;
	io->arg = arg;
	io->thread = t;
	t->pending++;
	return 0;
}

void bs_wait_fire(struct bs_io *io, int result)
{
	io->result = result;
	/* the remote queue takes a mutex: safe from any thread, the arming one too */
	bs_thread_complete_remote(io->thread, io);
}

void bs_wait_disarm(struct bs_io *io)
{
	io->thread->pending--;
}

static void bs_io_finish(struct bs_thread *t, struct bs_io *io)
{
	t->pending--;
	io->cb(io);
}

/* ---- libaio ---- */

static void bs_slot_release(struct bs_thread *t, struct bs_aio_slot *s)
{
	free(s->iov_copy);
	free(s->bounce);
	s->iov_copy = NULL;
	s->bounce = NULL;
	s->io = NULL;
	s->next_free = t->free_slots;
	t->free_slots = s;
}

static bool bs_iov_aligned(const struct bs_io *io, uint32_t align)
{
	int i;

	if (io->iovcnt > IOV_MAX)
		return false;
	for (i = 0; i < io->iovcnt; i++)
		if (((uintptr_t)io->iov[i].iov_base | io->iov[i].iov_len) & (align - 1))
			return false;
	return true;
}

static void bs_iov_copy_out(const struct bs_io *io, const void *buf)
{
	const char *p = buf;
	int i;

	for (i = 0; i < io->iovcnt; i++) {
		memcpy(io->iov[i].iov_base, p, io->iov[i].iov_len);
		p += io->iov[i].iov_len;
	}
}

/* Points s at the part of the transfer not yet done (io->done bytes are). */
static int bs_slot_set_remainder(struct bs_aio_slot *s, struct bs_io *io)
{
	const struct iovec *src = s->bounce ? &s->bounce_iov : io->iov;
	int cnt = s->bounce ? 1 : io->iovcnt;
	uint64_t skip = io->done;
	struct iovec *v;
	int i = 0, n = 0;

	while (i < cnt && skip >= src[i].iov_len)
		skip -= src[i++].iov_len;
	v = malloc(sizeof(*v) * (size_t)(cnt - i));
	if (!v)
		return -ENOMEM;
	for (; i < cnt; i++, n++) {
		v[n].iov_base = (char *)src[i].iov_base + skip;
		v[n].iov_len = src[i].iov_len - skip;
		skip = 0;
	}
	free(s->iov_copy);
	s->iov_copy = v;
	s->iov = v;
	s->iovcnt = n;
	return 0;
}

/* Fills the slot's iocb for what is left of io's transfer (s->iov already points at it). */
static void bs_slot_fill(struct bs_thread *t, struct bs_aio_slot *s, struct bs_io *io)
{
	int fd = bs_io_fdstore(io)->fd;
	long long off = (long long)(io->offset + io->done);
	int flags = s->rwf_dsync ? RWF_DSYNC : 0;

	if (io->op == BS_OP_READ)
		io_prep_preadv2(&s->iocb, fd, s->iov, s->iovcnt, off, flags);
	else
		io_prep_pwritev2(&s->iocb, fd, s->iov, s->iovcnt, off, flags);
	s->iocb.data = s;
	io_set_eventfd(&s->iocb, t->efd);
}

/* Prepares a slot for io's first submission: buffers, FUA, iocb. */
static int bs_slot_prep(struct bs_thread *t, struct bs_aio_slot *s, struct bs_io *io)
{
	const struct bs_fdstore *fs = bs_io_fdstore(io);
	char *p;
	int i;

	s->io = io;
	s->rwf_dsync = false;
	s->sync_after = false;
	if (bs_iov_aligned(io, fs->mem_align)) {
		s->iov = io->iov;
		s->iovcnt = io->iovcnt;
	} else {
		/* O_DIRECT needs aligned buffers: copy through one that is. */
		if (posix_memalign(&s->bounce, MAX(fs->mem_align, 4096u), io->len ? io->len : 1)) {
			s->bounce = NULL;
			return -ENOMEM;
		}
		s->bounce_iov.iov_base = s->bounce;
		s->bounce_iov.iov_len = io->len;
		if (io->op == BS_OP_WRITE) {
			p = s->bounce;
			for (i = 0; i < io->iovcnt; i++) {
				memcpy(p, io->iov[i].iov_base, io->iov[i].iov_len);
				p += io->iov[i].iov_len;
			}
		}
		s->iov = &s->bounce_iov;
		s->iovcnt = 1;
	}

	if (io->op == BS_OP_WRITE && io->fua) {
		if (atomic_load(&bs_aio_rwf_ok))
			s->rwf_dsync = true;
		else
			s->sync_after = true;
	}
	bs_slot_fill(t, s, io);
	return 0;
}

static int64_t bs_aio_retry_timer(struct ev_loop *loop, void *arg);

static void bs_aio_arm_retry(struct bs_thread *t)
{
	if (t->retry_timer)
		return;
	t->retry_timer = ev_timer_add(t->loop, BS_AIO_RETRY_MS, bs_aio_retry_timer, t);
	if (!t->retry_timer)
		/* No memory for a timer either: let the next wakeup retry. */
		bs_thread_kick(t);
}

/*
 * Submits one prepared slot. 0: in flight. -EAGAIN: no room in the kernel,
 * the slot is released and io must wait. Other -errno: io failed.
 */
static int bs_slot_submit(struct bs_thread *t, struct bs_aio_slot *s)
{
	struct iocb *cb = &s->iocb;
	bool dropped_dsync = false;
	int ret;

	for (;;) {
		ret = bs_io_submit(t->ctx, 1, &cb);
		if (ret == 1) {
			t->inflight++;
			/* Only now is it clear that the flag, not the request, was refused. */
			if (dropped_dsync)
				bs_aio_disable_rwf_dsync();
			return 0;
		}
		if (ret == -EINTR)
			continue;
		if (ret == 0)
			ret = -EAGAIN;
		/*
		 * A kernel without per-iocb flags (before 4.13) rejects the iocb
		 * itself (-EINVAL, or -EOPNOTSUPP for an unknown flag); I/O
		 * errors come back as completions. Try once without the flag.
		 */
		if ((ret == -EINVAL || ret == -EOPNOTSUPP) && s->rwf_dsync) {
			dropped_dsync = true;
			s->rwf_dsync = false;
			s->sync_after = true;
			s->iocb.aio_rw_flags = 0;
			continue;
		}
		return ret;
	}
}

static void bs_wait_push_front(struct bs_thread *t, struct bs_io *io)
{
	io->next = t->wait_head;
	t->wait_head = io;
	if (t->wait_tail == &t->wait_head)
		t->wait_tail = &io->next;
}

static struct bs_io *bs_wait_pop(struct bs_thread *t)
{
	struct bs_io *io = t->wait_head;

	if (io) {
		t->wait_head = io->next;
		if (!t->wait_head)
			t->wait_tail = &t->wait_head;
		io->next = NULL;
	}
	return io;
}

/* Starts waiting requests while there are slots; failures complete later. */
static void bs_aio_drain_wait(struct bs_thread *t)
{
	struct bs_aio_slot *s;
	struct bs_io *io;
	int ret;

	/* Remainders of short transfers first: they hold their slot (and data) already. */
	while (t->stalled) {
		s = t->stalled;
		ret = bs_slot_submit(t, s);
		if (ret == -EAGAIN) {
			if (!t->inflight)
				bs_aio_arm_retry(t);
			return;
		}
		t->stalled = s->next_free;
		s->next_free = NULL;
		if (ret) {
			io = s->io;
			bs_slot_release(t, s);
			bs_thread_push_local(t, io, ret);
		}
	}

	while (t->wait_head && t->free_slots) {
		io = bs_wait_pop(t);
		s = t->free_slots;
		t->free_slots = s->next_free;
		ret = bs_slot_prep(t, s, io);
		if (!ret)
			ret = bs_slot_submit(t, s);
		if (!ret)
			continue;
		bs_slot_release(t, s);
		if (ret == -EAGAIN) {
			bs_wait_push_front(t, io);
			if (!t->inflight)
				bs_aio_arm_retry(t);
			return;
		}
		bs_thread_push_local(t, io, ret);
	}
}

static int64_t bs_aio_retry_timer(struct ev_loop *loop, void *arg)
{
	struct bs_thread *t = arg;

	(void)loop;
	t->retry_timer = NULL;
	bs_aio_drain_wait(t);
	return EV_TIMER_STOP;
}

static int bs_work_datasync(struct bs_io *io)
{
	return fdatasync(bs_io_fdstore(io)->fd) ? -errno : 0;
}

void bs_aio_submit(struct bs_io *io)
{
	struct bs_thread *t = io->thread;

	t->pending++;
	bs_list_append(&t->wait_tail, io);
	/* Waiting requests go first, so that a full context keeps submission order. */
	if (t->wait_head == io)
		bs_aio_drain_wait(t);
}

void bs_remote_begin(struct bs_io *io)
{
	io->thread->pending++;
}

void bs_pool_submit(struct bs_io *io, int (*work)(struct bs_io *io))
{
	io->thread->pending++;
	bs_pool_queue(io, work);
}

/*
 * One reaped event. Returns the io when it is finished (result set), NULL
 * when it went on (resubmitted, or handed to the pool for a FUA fdatasync).
 */
static struct bs_io *bs_aio_event(struct bs_thread *t, struct io_event *ev)
{
	struct bs_aio_slot *s = ev->data;
	struct bs_io *io = s->io;
	long res = (long)ev->res;
	int ret;

	t->inflight--;
	if (res < 0) {
		io->result = (int)res;
		goto out_release;
	}
	if (res == 0 && io->done < io->len) {
		/* A store that ends early under us (truncated by someone else). */
		io->result = -EIO;
		goto out_release;
	}
	io->done += (uint64_t)res;
	if (io->done < io->len) {
		io->retries++;
		ret = bs_slot_set_remainder(s, io);
		if (ret) {
			io->result = ret;
			goto out_release;
		}
		bs_slot_fill(t, s, io);
		ret = t->stalled ? -EAGAIN : bs_slot_submit(t, s);
		if (!ret)
			return NULL;
		if (ret == -EAGAIN) {
			/* Keep the slot: it holds the progress (and for a bounced read, the data).
			 */
			s->next_free = t->stalled;
			t->stalled = s;
			if (!t->inflight)
				bs_aio_arm_retry(t);
			return NULL;
		}
		io->result = ret;
		goto out_release;
	}
	if (io->op == BS_OP_READ && s->bounce)
		bs_iov_copy_out(io, s->bounce);
	io->result = 0;
	if (s->sync_after) {
		bs_slot_release(t, s);
		bs_pool_queue(io, bs_work_datasync);
		return NULL;
	}
out_release:
	bs_slot_release(t, s);
	return io;
}

/* ---- the loop side ---- */

static struct bs_io *bs_thread_take_remote(struct bs_thread *t)
{
	struct bs_io *list;

	pthread_mutex_lock(&t->remote_lock);
	list = t->remote_head;
	t->remote_head = NULL;
	t->remote_tail = &t->remote_head;
	pthread_mutex_unlock(&t->remote_lock);
	return list;
}

static void bs_run_list(struct bs_thread *t, struct bs_io *list)
{
	struct bs_io *io;

	while (list) {
		io = list;
		list = io->next;
		io->next = NULL;
		bs_io_finish(t, io);
	}
}

/*
 * Reaps everything that is ready and runs the callbacks. Requests that
 * callbacks submit meanwhile are picked up on the next wakeup.
 */
static void bs_thread_poll(struct bs_thread *t)
{
	struct io_event events[BS_AIO_REAP_BATCH];
	struct timespec zero = { 0, 0 };
	struct bs_io *done = NULL, **done_tail = &done;
	struct bs_io *local, *remote, *io;
	uint64_t v;
	int n, i;

	while (read(t->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;

	while (t->inflight) {
		n = io_getevents(t->ctx, 0, BS_AIO_REAP_BATCH, events, &zero);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			log_err(BS_COMPONENT, "io_getevents: %s", strerror(-n));
			break;
		}
		for (i = 0; i < n; i++) {
			io = bs_aio_event(t, &events[i]);
			if (io)
				bs_list_append(&done_tail, io);
		}
		if (n < BS_AIO_REAP_BATCH)
			break;
	}
	bs_aio_drain_wait(t);

	local = t->local_head;
	t->local_head = NULL;
	t->local_tail = &t->local_head;
	t->local_kicked = false;
	remote = bs_thread_take_remote(t);

	bs_run_list(t, done);
	bs_run_list(t, local);
	bs_run_list(t, remote);
}

static void bs_thread_on_event(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	bs_thread_poll(arg);
}

int bs_thread_init(struct ev_loop *loop)
{
	struct bs_thread *t;
	unsigned int i;
	int ret;

	if (!loop)
		return -EINVAL;
	if (bs_cur)
		return -EBUSY;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->loop = loop;
	t->local_tail = &t->local_head;
	t->remote_tail = &t->remote_head;
	t->wait_tail = &t->wait_head;
	ret = pthread_mutex_init(&t->remote_lock, NULL);
	if (ret) {
		ret = -ret;
		goto err_free;
	}

	t->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->efd < 0) {
		ret = -errno;
		goto err_mutex;
	}

	/* aio-max-nr is system-wide: settle for a shallower context rather than none. */
	for (t->depth = BS_AIO_DEPTH;; t->depth /= 2) {
		ret = io_setup((int)t->depth, &t->ctx);
		if (!ret)
			break;
		if (ret != -EAGAIN || t->depth / 2 < BS_AIO_MIN_DEPTH)
			goto err_close_efd;
	}
	if (t->depth != BS_AIO_DEPTH)
		log_warn(BS_COMPONENT, "aio context limited to %u requests (fs.aio-max-nr)",
			 t->depth);

	t->slots = calloc(t->depth, sizeof(*t->slots));
	if (!t->slots) {
		ret = -ENOMEM;
		goto err_destroy_ctx;
	}
	for (i = t->depth; i > 0; i--) {
		t->slots[i - 1].next_free = t->free_slots;
		t->free_slots = &t->slots[i - 1];
	}

	ret = ev_add_fd(loop, t->efd, EV_READ, bs_thread_on_event, t);
	if (ret)
		goto err_free_slots;

	bs_cur = t;
	return 0;

err_free_slots:
	free(t->slots);
err_destroy_ctx:
	io_destroy(t->ctx);
err_close_efd:
	close(t->efd);
err_mutex:
	pthread_mutex_destroy(&t->remote_lock);
err_free:
	free(t);
	return ret;
}

void bs_thread_fini(void)
{
	struct bs_thread *t = bs_cur;
	int64_t deadline;

	if (!t)
		return;
	if (t->pending) {
		/*
		 * Workers still hold pointers into this context: wait for them
		 * (running the callbacks here, on the owning thread) rather than
		 * free it under them.
		 */
		log_warn(BS_COMPONENT, "thread fini with %lu requests outstanding; waiting",
			 t->pending);
		deadline = ev_now_ms() + BS_FINI_WAIT_MS;
		while (t->pending && ev_now_ms() < deadline) {
			struct pollfd pfd = { .fd = t->efd, .events = POLLIN };

			poll(&pfd, 1, 10);
			bs_thread_poll(t);
		}
		if (t->pending) {
			log_err(BS_COMPONENT,
				"%lu requests never completed; leaking the thread's I/O context",
				t->pending);
			if (t->retry_timer)
				ev_timer_cancel(t->loop, t->retry_timer);
			ev_del_fd(t->loop, t->efd);
			bs_cur = NULL;
			return;
		}
	}
	if (t->retry_timer)
		ev_timer_cancel(t->loop, t->retry_timer);
	ev_del_fd(t->loop, t->efd);
	io_destroy(t->ctx);
	free(t->slots);
	close(t->efd);
	pthread_mutex_destroy(&t->remote_lock);
	free(t);
	bs_cur = NULL;
}

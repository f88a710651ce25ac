/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-thread event loop: level-triggered epoll for file descriptors, a binary
 * min-heap of monotonic millisecond timers, and a mutex-protected FIFO of
 * posted functions that other threads fill and an eventfd announces.
 *
 * File descriptor records live in a table indexed by fd. The epoll data of
 * each registration carries the fd and a generation number, and every event
 * is looked up again in the table before it is dispatched: an fd deleted (or
 * deleted and added again) by an earlier callback of the same epoll_wait
 * batch no longer matches and its stale event is dropped. So a record can be
 * freed as soon as it is deleted, even from inside its own callback, and no
 * callback of a deleted fd ever runs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/ev.h"

#define EV_MAX_EVENTS 128
/* epoll data of the wake-up eventfd; a user registration never has it (gen 0 is never used). */
#define EV_WAKE_DATA UINT64_MAX
#define EV_TIMER_NOT_ARMED SIZE_MAX

struct ev_fd {
	int fd;
	uint32_t gen;
	uint32_t events;
	ev_fd_cb cb;
	void *arg;
};

struct ev_timer {
	int64_t deadline;
	/*
	 * Arming order: breaks ties between equal deadlines, and keeps a timer
	 * armed by a timer callback from running in the same pass.
	 */
	uint64_t seq;
	size_t idx; /* position in the heap, or EV_TIMER_NOT_ARMED */
	ev_timer_cb cb;
	void *arg;
	bool running;
	bool cancelled;
};

struct ev_post_item {
	struct ev_post_item *next;
	ev_post_cb cb;
	void *arg;
};

struct ev_loop {
	int epfd;
	int wakefd;

	struct ev_fd **fds;
	int fds_cap;
	uint32_t fd_gen;

	struct ev_timer **heap;
	size_t heap_len;
	size_t heap_cap;
	uint64_t timer_seq;

	pthread_mutex_t post_lock;
	struct ev_post_item *post_head;
	struct ev_post_item **post_tail;

	atomic_bool stop;

	/* ev_defer(): run at the end of this iteration, in order, loop thread only */
	struct ev_deferred *defer_head;
	struct ev_deferred *defer_tail;
};

static __thread struct ev_loop *ev_cur;

int64_t ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ev_loop *ev_current(void)
{
	return ev_cur;
}

int ev_loop_create(struct ev_loop **out)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.u64 = EV_WAKE_DATA };
	struct ev_loop *loop;
	int ret;

	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		ret = -errno;
		goto err_free;
	}
	loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->wakefd < 0) {
		ret = -errno;
		goto err_close_epfd;
	}
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ee) < 0) {
		ret = -errno;
		goto err_close_wakefd;
	}
	ret = pthread_mutex_init(&loop->post_lock, NULL);
	if (ret) {
		ret = -ret;
		goto err_close_wakefd;
	}
	loop->post_tail = &loop->post_head;
	atomic_init(&loop->stop, false);
	*out = loop;
	return 0;

err_close_wakefd:
	close(loop->wakefd);
err_close_epfd:
	close(loop->epfd);
err_free:
	free(loop);
	return ret;
}

void ev_loop_destroy(struct ev_loop *loop)
{
	struct ev_post_item *p, *next;
	size_t i;
	int fd;

	if (!loop)
		return;
	for (fd = 0; fd < loop->fds_cap; fd++)
		free(loop->fds[fd]);
	free(loop->fds);
	for (i = 0; i < loop->heap_len; i++)
		free(loop->heap[i]);
	free(loop->heap);
	/* Deferred and posted work that never ran is dropped: its owner goes with the loop. */
	while (loop->defer_head) {
		struct ev_deferred *d = loop->defer_head;

		loop->defer_head = d->next;
		d->next = NULL;
		d->queued = false;
	}
	for (p = loop->post_head; p; p = next) {
		next = p->next;
		free(p);
	}
	pthread_mutex_destroy(&loop->post_lock);
	close(loop->wakefd);
	close(loop->epfd);
	if (ev_cur == loop)
		ev_cur = NULL;
	free(loop);
}

static uint32_t ev_to_epoll(uint32_t events)
{
	uint32_t e = 0;

	if (events & EV_READ)
		e |= EPOLLIN;
	if (events & EV_WRITE)
		e |= EPOLLOUT;
	return e;
}

static uint32_t ev_from_epoll(uint32_t e)
{
	uint32_t events = 0;

	if (e & EPOLLIN)
		events |= EV_READ;
	if (e & EPOLLOUT)
		events |= EV_WRITE;
	if (e & (EPOLLERR | EPOLLHUP))
		events |= EV_ERROR;
	return events;
}

static struct ev_fd *ev_fd_lookup(struct ev_loop *loop, int fd)
{
	if (fd < 0 || fd >= loop->fds_cap)
		return NULL;
	return loop->fds[fd];
}

static int ev_fds_grow(struct ev_loop *loop, int fd)
{
	struct ev_fd **fds;
	int cap = loop->fds_cap ? loop->fds_cap : 64;

	while (cap <= fd)
		cap *= 2;
	fds = realloc(loop->fds, (size_t)cap * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	memset(fds + loop->fds_cap, 0, (size_t)(cap - loop->fds_cap) * sizeof(*fds));
	loop->fds = fds;
	loop->fds_cap = cap;
	return 0;
}

int ev_add_fd(struct ev_loop *loop, int fd, uint32_t events, ev_fd_cb cb, void *arg)
{
	struct epoll_event ee;
	struct ev_fd *f;
	int ret;

	if (fd < 0 || !cb)
		return -EINVAL;
	if (ev_fd_lookup(loop, fd))
		return -EEXIST;
	if (fd >= loop->fds_cap) {
		ret = ev_fds_grow(loop, fd);
		if (ret)
			return ret;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	if (++loop->fd_gen == 0)
		loop->fd_gen = 1;
	f->fd = fd;
	f->gen = loop->fd_gen;
	f->events = events & (EV_READ | EV_WRITE);
	f->cb = cb;
	f->arg = arg;

	memset(&ee, 0, sizeof(ee));
	ee.events = ev_to_epoll(f->events);
	ee.data.u64 = (uint64_t)f->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ee) < 0) {
		ret = -errno;
		free(f);
		return ret;
	}
	loop->fds[fd] = f;
	return 0;
}

int ev_mod_fd(struct ev_loop *loop, int fd, uint32_t events)
{
	struct ev_fd *f = ev_fd_lookup(loop, fd);
	struct epoll_event ee;

	if (!f)
		return -ENOENT;
	events &= EV_READ | EV_WRITE;
	if (events == f->events)
		return 0;
	memset(&ee, 0, sizeof(ee));
	ee.events = ev_to_epoll(events);
	ee.data.u64 = (uint64_t)f->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ee) < 0)
		return -errno;
	f->events = events;
	return 0;
}

int ev_del_fd(struct ev_loop *loop, int fd)
{
	struct ev_fd *f = ev_fd_lookup(loop, fd);

	if (!f)
		return -ENOENT;
	/*
	 * If the caller closed the fd first, the kernel already dropped the
	 * registration (EBADF/ENOENT); the record must go all the same.
	 */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd] = NULL;
	free(f);
	return 0;
}

/* Timers: a binary min-heap ordered by (deadline, seq). */

static bool ev_timer_before(const struct ev_timer *a, const struct ev_timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void ev_heap_set(struct ev_loop *loop, size_t i, struct ev_timer *t)
{
	loop->heap[i] = t;
	t->idx = i;
}

static void ev_heap_up(struct ev_loop *loop, size_t i)
{
	struct ev_timer *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!ev_timer_before(t, loop->heap[parent]))
			break;
		ev_heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	ev_heap_set(loop, i, t);
}

static void ev_heap_down(struct ev_loop *loop, size_t i)
{
	struct ev_timer *t = loop->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= loop->heap_len)
			break;
		if (c + 1 < loop->heap_len && ev_timer_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!ev_timer_before(loop->heap[c], t))
			break;
		ev_heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	ev_heap_set(loop, i, t);
}

/* Space for one more timer is reserved by the caller (ev_heap_reserve). */
static void ev_heap_push(struct ev_loop *loop, struct ev_timer *t)
{
	size_t i = loop->heap_len++;

	ev_heap_set(loop, i, t);
	ev_heap_up(loop, i);
}

static void ev_heap_remove(struct ev_loop *loop, struct ev_timer *t)
{
	size_t i = t->idx;
	struct ev_timer *last;

	t->idx = EV_TIMER_NOT_ARMED;
	last = loop->heap[--loop->heap_len];
	if (i == loop->heap_len)
		return;
	ev_heap_set(loop, i, last);
	if (i > 0 && ev_timer_before(last, loop->heap[(i - 1) / 2]))
		ev_heap_up(loop, i);
	else
		ev_heap_down(loop, i);
}

static int ev_heap_reserve(struct ev_loop *loop)
{
	struct ev_timer **heap;
	size_t cap;

	if (loop->heap_len < loop->heap_cap)
		return 0;
	cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
	heap = realloc(loop->heap, cap * sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	loop->heap = heap;
	loop->heap_cap = cap;
	return 0;
}

static void ev_timer_arm(struct ev_loop *loop, struct ev_timer *t, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	t->deadline = ev_now_ms() + ms;
	t->seq = loop->timer_seq++;
}

struct ev_timer *ev_timer_add(struct ev_loop *loop, int64_t ms, ev_timer_cb cb, void *arg)
{
	struct ev_timer *t;

	if (!cb || ev_heap_reserve(loop))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cb = cb;
	t->arg = arg;
	ev_timer_arm(loop, t, ms);
	ev_heap_push(loop, t);
	return t;
}

void ev_timer_reset(struct ev_loop *loop, struct ev_timer *t, int64_t ms)
{
	if (t->cancelled)
		return;
	ev_timer_arm(loop, t, ms);
	if (t->idx != EV_TIMER_NOT_ARMED) {
		ev_heap_remove(loop, t);
	} else if (ev_heap_reserve(loop)) {
		/*
		 * Only a timer inside its own callback is off the heap. Without
		 * memory to re-arm it, leave it to the callback's return value.
		 */
		return;
	}
	ev_heap_push(loop, t);
}

void ev_timer_cancel(struct ev_loop *loop, struct ev_timer *t)
{
	if (!t)
		return;
	if (t->idx != EV_TIMER_NOT_ARMED)
		ev_heap_remove(loop, t);
	if (t->running) {
		/* Inside its own callback: ev_run_timers frees it when the callback returns. */
		t->cancelled = true;
		return;
	}
	free(t);
}

static void ev_run_timers(struct ev_loop *loop)
{
	uint64_t seq_limit = loop->timer_seq;
	int64_t now = ev_now_ms();

	while (loop->heap_len) {
		struct ev_timer *t = loop->heap[0];
		int64_t next;

		/* Timers armed during this pass wait for the next: an interval of 0 cannot spin. */
		if (t->deadline > now || t->seq >= seq_limit)
			break;
		ev_heap_remove(loop, t);
		t->running = true;
		next = t->cb(loop, t->arg);
		t->running = false;
		if (t->cancelled) {
			free(t);
		} else if (t->idx != EV_TIMER_NOT_ARMED) {
			/* Re-armed by its callback with ev_timer_reset: that deadline stands. */
		} else if (next == EV_TIMER_STOP || ev_heap_reserve(loop)) {
			free(t);
		} else {
			ev_timer_arm(loop, t, next);
			ev_heap_push(loop, t);
		}
	}
}

/* Posted work. */

int ev_post(struct ev_loop *loop, ev_post_cb cb, void *arg)
{
	struct ev_post_item *p;
	bool was_empty;
	uint64_t one = 1;

	if (!cb)
		return -EINVAL;
	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->next = NULL;
	p->cb = cb;
	p->arg = arg;

	pthread_mutex_lock(&loop->post_lock);
	was_empty = !loop->post_head;
	*loop->post_tail = p;
	loop->post_tail = &p->next;
	pthread_mutex_unlock(&loop->post_lock);

	/*
	 * The loop reads the eventfd before it takes the queue, so only the
	 * post that makes the queue non-empty needs to wake it. A full counter
	 * (EAGAIN) means a wake-up is pending anyway.
	 */
	if (was_empty && write(loop->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static void ev_run_posts(struct ev_loop *loop)
{
	struct ev_post_item *p, *next;
	uint64_t v;

	while (read(loop->wakefd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&loop->post_lock);
	p = loop->post_head;
	loop->post_head = NULL;
	loop->post_tail = &loop->post_head;
	pthread_mutex_unlock(&loop->post_lock);

	for (; p; p = next) {
		next = p->next;
		p->cb(p->arg);
		free(p);
	}
}

void ev_stop(struct ev_loop *loop)
{
	uint64_t one = 1;
	ssize_t n;

	atomic_store(&loop->stop, true);
	do
		n = write(loop->wakefd, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
}

void ev_deferred_init(struct ev_deferred *d, ev_post_cb cb, void *arg)
{
	d->next = NULL;
	d->cb = cb;
	d->arg = arg;
	d->queued = false;
}

void ev_defer(struct ev_loop *loop, struct ev_deferred *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = NULL;
	if (loop->defer_tail)
		loop->defer_tail->next = d;
	else
		loop->defer_head = d;
	loop->defer_tail = d;
}

void ev_defer_cancel(struct ev_loop *loop, struct ev_deferred *d)
{
	struct ev_deferred **pp, *prev = NULL;

	if (!d->queued)
		return;
	for (pp = &loop->defer_head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			if (loop->defer_tail == d)
				loop->defer_tail = prev;
			break;
		}
	}
	d->next = NULL;
	d->queued = false;
}

/*
 * Runs what was deferred during this iteration. A callback may defer again
 * (itself or another); such work runs in a further round, at most a few
 * rounds here, and the rest on the next iteration without sleeping.
 */
static void ev_run_deferred(struct ev_loop *loop)
{
	for (int round = 0; round < 4 && loop->defer_head; round++) {
		struct ev_deferred *d = loop->defer_head;

		loop->defer_head = NULL;
		loop->defer_tail = NULL;
		while (d) {
			struct ev_deferred *next = d->next;

			d->next = NULL;
			d->queued = false;
			d->cb(d->arg);
			d = next;
		}
	}
}

static int ev_wait_timeout(struct ev_loop *loop, int timeout_ms)
{
	int64_t until;

	if (loop->defer_head)
		return 0;
	if (!loop->heap_len)
		return timeout_ms;
	until = loop->heap[0]->deadline - ev_now_ms();
	if (until < 0)
		until = 0;
	if (timeout_ms >= 0 && timeout_ms < until)
		return timeout_ms;
	return until > INT32_MAX ? INT32_MAX : (int)until;
}

int ev_run_once(struct ev_loop *loop, int timeout_ms)
{
	struct epoll_event evs[EV_MAX_EVENTS];
	struct ev_loop *prev = ev_cur;
	int i, n;

	ev_cur = loop;
	n = epoll_wait(loop->epfd, evs, EV_MAX_EVENTS, ev_wait_timeout(loop, timeout_ms));
	if (n < 0) {
		if (errno != EINTR) {
			int ret = -errno;

			ev_cur = prev;
			return ret;
		}
		n = 0;
	}
	for (i = 0; i < n; i++) {
		uint64_t data = evs[i].data.u64;
		struct ev_fd *f;
		int fd;

		if (data == EV_WAKE_DATA) {
			ev_run_posts(loop);
			continue;
		}
		fd = (int)(uint32_t)data;
		f = ev_fd_lookup(loop, fd);
		/* Deleted, or deleted and added again, by an earlier callback of this batch. */
		if (!f || f->gen != (uint32_t)(data >> 32))
			continue;
		/* f may be freed by its callback: nothing touches it afterwards. */
		f->cb(loop, fd, ev_from_epoll(evs[i].events), f->arg);
	}
	ev_run_timers(loop);
	ev_run_deferred(loop);
	ev_cur = prev;
	return 0;
}

int ev_run(struct ev_loop *loop)
{
	int ret = 0;

	while (!atomic_load(&loop->stop)) {
		ret = ev_run_once(loop, -1);
		if (ret)
			break;
	}
	atomic_store(&loop->stop, false);
	return ret;
}

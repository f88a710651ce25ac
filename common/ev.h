/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-thread event loop: epoll for file descriptors, a binary heap of
 * monotonic millisecond timers, and a thread-safe queue of posted functions
 * (woken through an eventfd), so that other threads hand work to a loop
 * without sharing its data.
 *
 * Callbacks never run inside the call that registered them.
 */
#ifndef PORTICO_COMMON_EV_H
#define PORTICO_COMMON_EV_H

#include <stdbool.h>
#include <stdint.h>

struct ev_loop;
struct ev_timer;

#define EV_READ 0x1u
#define EV_WRITE 0x2u
/* Reported only: the peer hung up or the fd is in error. */
#define EV_ERROR 0x4u

#define EV_TIMER_STOP (-1)

typedef void (*ev_fd_cb)(struct ev_loop *loop, int fd, uint32_t events, void *arg);
/* Returns the next interval in ms, or EV_TIMER_STOP to free the timer. */
typedef int64_t (*ev_timer_cb)(struct ev_loop *loop, void *arg);
typedef void (*ev_post_cb)(void *arg);

/* Creates a loop; the caller destroys it with ev_loop_destroy(). Returns 0 or -errno. */
int ev_loop_create(struct ev_loop **out);
/* Frees the loop, its timers and any posted work not yet run (without running it). */
void ev_loop_destroy(struct ev_loop *loop);

/*
 * Watches fd for events (EV_READ | EV_WRITE; EV_ERROR is always reported).
 * Level-triggered. Returns 0, -EEXIST if fd is already watched, or -errno.
 */
int ev_add_fd(struct ev_loop *loop, int fd, uint32_t events, ev_fd_cb cb, void *arg);
/* Changes the events watched. Returns 0, -ENOENT if fd is not watched, or -errno. */
int ev_mod_fd(struct ev_loop *loop, int fd, uint32_t events);
/*
 * Stops watching fd (call it before close()). Safe to call from inside any
 * callback, including the fd's own: once it returns, no callback of the fd
 * runs, even for an event already collected. Returns 0 or -ENOENT.
 */
int ev_del_fd(struct ev_loop *loop, int fd);

/*
 * Arms a timer that fires after ms milliseconds. Returns the timer (owned by
 * the loop) or NULL on allocation failure.
 */
struct ev_timer *ev_timer_add(struct ev_loop *loop, int64_t ms, ev_timer_cb cb, void *arg);
/*
 * Re-arms an armed timer to fire ms from now. From inside the timer's own
 * callback it re-arms it too, and that deadline stands whatever the callback
 * returns.
 */
void ev_timer_reset(struct ev_loop *loop, struct ev_timer *t, int64_t ms);
/*
 * Cancels and frees a timer; safe from inside its own callback (the return
 * value of that callback is then ignored).
 */
void ev_timer_cancel(struct ev_loop *loop, struct ev_timer *t);

/* Thread-safe: runs cb(arg) on the loop's thread, in order of posting. Returns 0 or -errno. */
int ev_post(struct ev_loop *loop, ev_post_cb cb, void *arg);

/*
 * Work deferred to the end of the current loop iteration (after fd events
 * and timers), e.g. to coalesce many small writes into one syscall. The
 * caller embeds struct ev_deferred in its object (no allocation) and must
 * keep it alive, or ev_defer_cancel() it, until it has run. Loop thread
 * only; deferring an already queued item does nothing.
 */
struct ev_deferred {
	struct ev_deferred *next;
	ev_post_cb cb;
	void *arg;
	bool queued;
};

void ev_deferred_init(struct ev_deferred *d, ev_post_cb cb, void *arg);
void ev_defer(struct ev_loop *loop, struct ev_deferred *d);
void ev_defer_cancel(struct ev_loop *loop, struct ev_deferred *d);

/* Runs until ev_stop(). Returns 0 or -errno if epoll fails. */
int ev_run(struct ev_loop *loop);
/* Runs one iteration, waiting at most timeout_ms (-1: until something happens). */
int ev_run_once(struct ev_loop *loop, int timeout_ms);
/*
 * Thread-safe: makes ev_run() return after the current iteration (or at once,
 * if it has not started yet).
 */
void ev_stop(struct ev_loop *loop);

/* Monotonic clock in milliseconds. */
int64_t ev_now_ms(void);

/* The loop the calling thread runs (set by ev_run/ev_run_once), or NULL. */
struct ev_loop *ev_current(void);

#endif

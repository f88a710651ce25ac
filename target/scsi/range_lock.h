/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A per-LU lock on ranges of logical blocks, FIFO-fair, that allocates
 * nothing (range_lock.c).
 *
 * A request names a range [start, end) and a mode. Shared requests (plain
 * reads and writes) do not conflict with each other; an exclusive request
 * (COMPARE AND WRITE, ORWRITE, WRITE ATOMIC: commands whose effect must
 * look indivisible) conflicts with every request whose range overlaps its
 * own. A request is granted when it conflicts with no request that came
 * before it and is still held or waiting: so a waiting exclusive request
 * holds back later overlapping ones and cannot be starved, and ranges that
 * do not overlap never wait for each other.
 *
 * The request is embedded in its owner (the command), so the lock's memory
 * is what the commands in flight already take: it cannot grow by itself.
 * While only shared requests are queued an acquisition is O(1) (a mutex,
 * a list append); otherwise it is a walk over the requests queued.
 *
 * Thread-safe: any thread may acquire and release. A request that had to
 * wait is handed back through the release that granted it, on the
 * releasing thread, after the lock's mutex is dropped.
 */
#ifndef PORTICO_TARGET_SCSI_RANGE_LOCK_H
#define PORTICO_TARGET_SCSI_RANGE_LOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"

enum range_lock_mode {
	RANGE_LOCK_SHARED,
	RANGE_LOCK_EXCLUSIVE,
};

enum range_lock_state {
	RANGE_LOCK_IDLE = 0, /* not queued (the zero value) */
	RANGE_LOCK_WAITING,
	RANGE_LOCK_HELD,
};

struct range_lock_req {
	uint64_t start, end; /* [start, end); an empty range never waits */
	enum range_lock_mode mode;
	enum range_lock_state state;
	struct list_head node;		     /* in range_lock.queue, in arrival order */
	struct range_lock_req *next_granted; /* the list a release hands back */
	void *owner;			     /* the caller's, for waking it (the lock never reads it) */
};

struct range_lock {
	pthread_mutex_t mu;
	struct list_head queue; /* held and waiting requests, oldest first */
	uint32_t nexcl;		/* exclusive requests in queue */
	uint32_t nwait;		/* waiting requests in queue */
	uint32_t nqueued;
};

/* 0 or -errno (the mutex). */
int range_lock_init(struct range_lock *rl);
/* Every request must have been released. */
void range_lock_fini(struct range_lock *rl);

/*
 * Queues req for [start, end) in mode. Returns true when it is granted at
 * once (state HELD), false when it waits (state WAITING) until a release
 * hands it back. req must be IDLE.
 */
bool range_lock_acquire(struct range_lock *rl, struct range_lock_req *req, uint64_t start,
			uint64_t end, enum range_lock_mode mode);

/*
 * Releases a HELD request (or withdraws a WAITING one) and returns it to
 * IDLE. Returns the requests this release granted (state HELD), linked by
 * next_granted in arrival order, or NULL: the caller wakes their owners.
 * An IDLE req is a no-op.
 */
struct range_lock_req *range_lock_release(struct range_lock *rl, struct range_lock_req *req);

/*
 * Withdraws req if it is still WAITING (true; it is IDLE now), under the
 * lock's mutex, so that no release can grant it after; false when it was
 * granted already (it stays HELD, and the release that granted it hands it
 * back as usual). *granted: the requests the withdrawal granted (a waiting
 * exclusive request may have held back later ones), as range_lock_release.
 */
bool range_lock_withdraw(struct range_lock *rl, struct range_lock_req *req,
			 struct range_lock_req **granted);

/* Requests queued now (held and waiting), for tests and statistics. */
uint32_t range_lock_queued(struct range_lock *rl);

#endif

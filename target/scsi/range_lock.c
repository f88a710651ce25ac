/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The LBA range lock (range_lock.h): one FIFO of requests, a mutex, and
 * two counts that let shared requests skip the walk while no exclusive one
 * is queued.
 */
#include <errno.h>

#include "target/scsi/range_lock.h"

int range_lock_init(struct range_lock *rl)
{
	int ret = pthread_mutex_init(&rl->mu, NULL);

	if (ret)
		return -ret;
	list_init(&rl->queue);
	rl->nexcl = 0;
	rl->nwait = 0;
	rl->nqueued = 0;
	return 0;
}

void range_lock_fini(struct range_lock *rl)
{
	pthread_mutex_destroy(&rl->mu);
}

static bool range_lock_conflict(const struct range_lock_req *a, const struct range_lock_req *b)
{
	if (a->mode == RANGE_LOCK_SHARED && b->mode == RANGE_LOCK_SHARED)
		return false;
	/* an empty range overlaps nothing */
	return a->start < a->end && b->start < b->end && a->start < b->end && b->start < a->end;
}

/* Whether req conflicts with a request queued before it. Under mu. */
static bool range_lock_blocked(struct range_lock *rl, struct range_lock_req *req)
{
	struct range_lock_req *o;

	if (req->start >= req->end)
		return false;
	/* only exclusive requests conflict with a shared one */
	if (req->mode == RANGE_LOCK_SHARED && !rl->nexcl)
		return false;
	list_for_each_entry(o, &rl->queue, node)
	{
		if (o == req)
			return false;
		if (range_lock_conflict(o, req))
			return true;
	}
	return false;
}

bool range_lock_acquire(struct range_lock *rl, struct range_lock_req *req, uint64_t start,
			uint64_t end, enum range_lock_mode mode)
{
	bool granted;

	req->start = start;
	req->end = end;
	req->mode = mode;
	req->next_granted = NULL;
	pthread_mutex_lock(&rl->mu);
	list_add_tail(&req->node, &rl->queue);
	rl->nqueued++;
	if (mode == RANGE_LOCK_EXCLUSIVE)
		rl->nexcl++;
	granted = !range_lock_blocked(rl, req);
	req->state = granted ? RANGE_LOCK_HELD : RANGE_LOCK_WAITING;
	if (!granted)
		rl->nwait++;
	pthread_mutex_unlock(&rl->mu);
	return granted;
}

/* Takes req out of the queue (under rl->mu); the requests this grants, as range_lock_release. */
static struct range_lock_req *range_lock_remove(struct range_lock *rl, struct range_lock_req *req)
{
	struct range_lock_req *o, *head = NULL, **tail = &head;

	list_del(&req->node);
	rl->nqueued--;
	if (req->mode == RANGE_LOCK_EXCLUSIVE)
		rl->nexcl--;
	if (req->state == RANGE_LOCK_WAITING)
		rl->nwait--;
	req->state = RANGE_LOCK_IDLE;
	/*
	 * Only a waiting request that overlapped req can have been waiting for
	 * it (a withdrawn waiter may have held back a later one too); each is
	 * granted if nothing before it still conflicts.
	 */
	if (rl->nwait) {
		list_for_each_entry(o, &rl->queue, node)
		{
			if (o->state != RANGE_LOCK_WAITING)
				continue;
			if (!(o->start < req->end && req->start < o->end))
				continue;
			if (range_lock_blocked(rl, o))
				continue;
			o->state = RANGE_LOCK_HELD;
			rl->nwait--;
			o->next_granted = NULL;
			*tail = o;
			tail = &o->next_granted;
		}
	}
	return head;
}

struct range_lock_req *range_lock_release(struct range_lock *rl, struct range_lock_req *req)
{
	struct range_lock_req *granted;

	if (req->state == RANGE_LOCK_IDLE)
		return NULL;
	pthread_mutex_lock(&rl->mu);
	granted = range_lock_remove(rl, req);
	pthread_mutex_unlock(&rl->mu);
	return granted;
}

bool range_lock_withdraw(struct range_lock *rl, struct range_lock_req *req,
			 struct range_lock_req **granted)
{
	bool waiting;

	*granted = NULL;
	pthread_mutex_lock(&rl->mu);
	waiting = req->state == RANGE_LOCK_WAITING;
	if (waiting)
		*granted = range_lock_remove(rl, req);
	pthread_mutex_unlock(&rl->mu);
	return waiting;
}

uint32_t range_lock_queued(struct range_lock *rl)
{
	uint32_t n;

	pthread_mutex_lock(&rl->mu);
	n = rl->nqueued;
	pthread_mutex_unlock(&rl->mu);
	return n;
}

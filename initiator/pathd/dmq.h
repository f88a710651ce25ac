/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device-mapper worker (initiator/pathd/dmq.c): dm calls block (a
 * create waits for udev), so they run one at a time on a thread of their
 * own, in the order asked; each job's done callback then runs on the
 * daemon's loop (ev_post), never inside dmq_submit.
 */
#ifndef PORTICO_INITIATOR_DMQ_H
#define PORTICO_INITIATOR_DMQ_H

#include <stdbool.h>
#include <stdint.h>

#include "mpath/io/dm.h"

struct ev_loop;
struct dmq;

enum dmq_op {
	DMQ_LIST,
	DMQ_CREATE,
	DMQ_RELOAD,
	DMQ_REMOVE,
	DMQ_MESSAGE,
};

struct dmq_job {
	struct dmq_job *next;
	enum dmq_op op;
	struct mp_map_spec spec;      /* CREATE, RELOAD */
	char name[MP_MAP_NAME_MAX];   /* REMOVE, MESSAGE */
	char wwid[MP_WWID_MAX];
	bool deferred;		      /* REMOVE */
	char msg[64];		      /* MESSAGE */
	/* the caller's, carried through: which action asked */
	int tag;
	char devt[MP_DEVT_MAX];
	/* the result, set before done runs */
	int err;
	char reason[MP_REASON_MAX];
	struct mp_ev_map *maps; /* LIST: malloc'ed, the done callback takes it */
	size_t nmaps;
	int64_t ms; /* how long the call took */
	void (*done)(struct dmq_job *job, void *arg);
	void *arg;
};

/* 0 or -errno. */
int dmq_start(struct ev_loop *loop, const struct dm_ops *ops, void *arg, struct dmq **out);
/*
 * Queues job (the caller's allocation; done frees it, or lets it be freed).
 * 0, or -ENOMEM (done never runs). done runs on loop's thread.
 */
int dmq_submit(struct dmq *q, struct dmq_job *job);
/* Waits for the call under way, frees what is queued (done does not run), joins. */
void dmq_stop(struct dmq *q);

#endif

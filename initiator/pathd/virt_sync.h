/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd's libvirt pools (initiator/pathd/virt_sync.c): defines, starts,
 * autostarts, refreshes and undefines them, and remembers which pools it
 * defined, so that it never touches another.
 *
 * libvirt calls block (a slow or hung libvirtd), so they all run on a
 * worker thread of this module's own, one job at a time in the order
 * asked; the daemon's loop only queues jobs and reads their results, which
 * come back through ev_post. A job opens a connection, does its work and
 * closes it; the libvirt adapter's keepalive fails a call to a daemon
 * that stopped answering (virt.h) rather than holding the worker for ever.
 *
 * Refresh: when the maps in the kernel change (one comes, goes, or
 * changes size: virt_maps_signature), the pools pathd defined are
 * refreshed VIRT_REFRESH_DELAY_MS later (the changes of one event come
 * together), one refresh at a time; a change during a refresh asks for
 * another after it; a refresh that fails is tried again every
 * VIRT_RETRY_MS until one works.
 *
 * The state file (pathd.conf's libvirt_state) lists the pools pathd
 * defined, by name, UUID and form, in libconfig. It is written before a
 * pool is defined (and the entry taken back when the definition fails),
 * so that a crash in between leaves a pool pathd knows as its own, never
 * one it would refuse as another's. A pool is pathd's when libvirt has
 * one of that name and that UUID.
 */
#ifndef PORTICO_INITIATOR_VIRT_SYNC_H
#define PORTICO_INITIATOR_VIRT_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "initiator/adapt/virt.h"
#include "initiator/pathd/virt_plan.h"

#define VIRT_REFRESH_DELAY_MS 300
#define VIRT_RETRY_MS 10000
#define VIRT_JOBS_KEPT 16 /* finished jobs whose results portico-path may still fetch */
#define VIRT_LINE_MAX 640
#define VIRT_STOP_WAIT_MS 10000 /* at stop, a libvirt call under way gets this long */

struct ev_loop;
struct virt_sync;

/* Where the module meets the daemon (pathd: virt_ctl.c; tests: their own). */
struct virt_sync_env {
	struct ev_loop *loop;
	const struct virt_ops *ops;
	void *ops_arg;
	/* pathd.conf's keys, read at each use (reconfigure changes them) */
	const struct virt_conf *conf;
	/*
	 * The state machine's views now, into *out (its arrays malloc'ed;
	 * the module frees them). 0 or -ENOMEM.
	 */
	int (*views)(void *arg, struct virt_views *out);
	void *arg;
	/* 0: VIRT_REFRESH_DELAY_MS and VIRT_RETRY_MS (the tests' are shorter) */
	int64_t refresh_delay_ms;
	int64_t retry_ms;
};

/* A job portico-path asked for, or a refresh. */
enum virt_job_type {
	VIRT_JOB_DEFINE,
	VIRT_JOB_UNDEFINE,
	VIRT_JOB_REFRESH,
};

/* One error of a job: what went wrong, and what to do about it. */
struct virt_job_error {
	char text[VIRT_LINE_MAX];
	char hint[VIRT_LINE_MAX];
};

/* A job's state and results, as virt_sync_job() copies them out. */
struct virt_job_view {
	unsigned int id;
	enum virt_job_type type;
	bool done;
	int err; /* the first failure's -errno, 0 */
	char (*lines)[VIRT_LINE_MAX]; /* what was done, in order */
	size_t nlines;
	char (*warnings)[VIRT_LINE_MAX]; /* what the admin should know (a LUN without a map) */
	size_t nwarnings;
	struct virt_job_error *errors;
	size_t nerrors;
	int64_t ms; /* how long it ran */
};

/* The refresh's state, for show. */
struct virt_refresh_view {
	bool pending;  /* a change waits for its refresh */
	bool running;
	unsigned int count; /* refreshes done, since pathd started */
	int64_t last_ms;    /* how long the last one took */
	char error[VIRT_LINE_MAX]; /* the last one failed: why ("" when it worked) */
	int64_t failing_since;	   /* when refreshes began failing (ev_now_ms), 0 */
};

/*
 * Reads the state file (a missing one is no pool) and starts the worker.
 * 0, or -errno with a line in err. env is copied.
 */
int virt_sync_create(const struct virt_sync_env *env, struct virt_sync **out, char *err,
		     size_t errlen);
/*
 * Stops the worker: the job under way gets VIRT_STOP_WAIT_MS to finish
 * (then it is left to end on its own, and its result dropped); queued
 * jobs are dropped. NULL does nothing.
 */
void virt_sync_destroy(struct virt_sync *vs);

/* The maps may have changed: a refresh is queued if they did and pathd defined a pool. */
void virt_sync_maps_changed(struct virt_sync *vs);

/*
 * Queues a definition (of forms[f] for each form asked) or the removal of
 * what pathd defined (of those forms). Returns the job's id (> 0), or
 * -ENOMEM.
 */
int virt_sync_define(struct virt_sync *vs, const bool forms[VIRT_FORM_COUNT]);
int virt_sync_undefine(struct virt_sync *vs, const bool forms[VIRT_FORM_COUNT]);

/*
 * A copy of job id's state into *out (virt_job_view_free frees it). 0, or
 * -ENOENT (no such job, or one too old to be kept).
 */
int virt_sync_job(struct virt_sync *vs, unsigned int id, struct virt_job_view *out);
void virt_job_view_free(struct virt_job_view *v);

void virt_sync_refresh_view(const struct virt_sync *vs, struct virt_refresh_view *out);
/* The pools pathd defined (the worker's last word on them): a pointer valid until the loop runs on. */
const struct virt_record *virt_sync_records(const struct virt_sync *vs, size_t *n);
/* The env it was made with. */
const struct virt_sync_env *virt_sync_env(const struct virt_sync *vs);

/*
 * The state file as text, and back (pure; virt_sync.c reads and writes
 * the file with them). parse: 0, or -EINVAL with "LINE: what" in err.
 */
int virt_state_format(const struct virt_record *recs, size_t n, char *buf, size_t len);
int virt_state_parse(const char *text, struct virt_record **out, size_t *n, char *err,
		     size_t errlen);

#endif

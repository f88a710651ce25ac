/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device-mapper worker thread (initiator/pathd/dmq.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev.h"
#include "initiator/pathd/dmq.h"

struct dmq {
	struct ev_loop *loop;
	const struct dm_ops *ops;
	void *arg;
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct dmq_job *head, *tail;
	bool stop;
};

/* Back on the loop: the job's done callback. */
static void dmq_deliver(void *arg)
{
	struct dmq_job *job = arg;

	job->done(job, job->arg);
}

static void dmq_run(struct dmq *q, struct dmq_job *job)
{
	int64_t t0 = ev_now_ms();

	job->reason[0] = '\0';
	switch (job->op) {
	case DMQ_LIST:
		job->err = q->ops->list(q->arg, &job->maps, &job->nmaps, job->reason,
					sizeof(job->reason));
		break;
	case DMQ_CREATE:
		job->err = q->ops->create(q->arg, &job->spec, job->reason, sizeof(job->reason));
		break;
	case DMQ_RELOAD:
		job->err = q->ops->reload(q->arg, &job->spec, job->reason, sizeof(job->reason));
		break;
	case DMQ_REMOVE:
		job->err = q->ops->remove(q->arg, job->name, job->deferred, job->reason,
					  sizeof(job->reason));
		break;
	case DMQ_MESSAGE:
		job->err = q->ops->message(q->arg, job->name, job->msg, job->reason,
					   sizeof(job->reason));
		break;
	}
	if (job->err && !job->reason[0])
		snprintf(job->reason, sizeof(job->reason), "%s", strerror(-job->err));
	job->ms = ev_now_ms() - t0;
}

static void *dmq_main(void *arg)
{
	struct dmq *q = arg;
	struct dmq_job *job;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cond, &q->lock);
		if (q->stop)
			break;
		job = q->head;
		q->head = job->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->lock);
		dmq_run(q, job);
		/* the loop is gone only after dmq_stop(), which waits for this thread */
		if (ev_post(q->loop, dmq_deliver, job)) {
			free(job->maps);
			free(job);
		}
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int dmq_start(struct ev_loop *loop, const struct dm_ops *ops, void *arg, struct dmq **out)
{
	struct dmq *q = calloc(1, sizeof(*q));
	int rc;

	if (!q)
		return -ENOMEM;
	q->loop = loop;
	q->ops = ops;
	q->arg = arg;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	rc = pthread_create(&q->tid, NULL, dmq_main, q);
	if (rc) {
		pthread_cond_destroy(&q->cond);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return -rc;
	}
	*out = q;
	return 0;
}

int dmq_submit(struct dmq *q, struct dmq_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = job;
	else
		q->head = job;
	q->tail = job;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

void dmq_stop(struct dmq *q)
{
	struct dmq_job *job, *next;

	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->tid, NULL);
	for (job = q->head; job; job = next) {
		next = job->next;
		free(job->maps);
		free(job);
	}
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

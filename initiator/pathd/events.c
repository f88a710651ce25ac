// SPDX-License-Identifier: GPL-2.0-or-later
/* pathd's recent events (events.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "initiator/pathd/events.h"

struct pd_events {
	pthread_mutex_t lock;
	struct pd_event *ring;
	size_t cap;
	uint64_t last; /* the number of the newest event; 0: none yet */
};

int pd_events_create(size_t cap, struct pd_events **out)
{
	struct pd_events *e;

	*out = NULL;
	if (!cap)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->ring = calloc(cap, sizeof(*e->ring));
	if (!e->ring) {
		free(e);
		return -ENOMEM;
	}
	e->cap = cap;
	pthread_mutex_init(&e->lock, NULL);
	*out = e;
	return 0;
}

void pd_events_destroy(struct pd_events *e)
{
	if (!e)
		return;
	pthread_mutex_destroy(&e->lock);
	free(e->ring);
	free(e);
}

void pd_events_add(struct pd_events *e, int64_t wall_ms, enum log_level level, const char *comp,
		   const char *text)
{
	struct pd_event *ev;

	pthread_mutex_lock(&e->lock);
	e->last++;
	ev = &e->ring[(e->last - 1) % e->cap];
	ev->seq = e->last;
	ev->wall_ms = wall_ms;
	ev->level = level;
	snprintf(ev->comp, sizeof(ev->comp), "%s", comp ? comp : "-");
	snprintf(ev->text, sizeof(ev->text), "%s", text ? text : "");
	pthread_mutex_unlock(&e->lock);
}

size_t pd_events_since(struct pd_events *e, uint64_t since, struct pd_event *out, size_t max,
		       uint64_t *next, uint64_t *lost)
{
	uint64_t first, seq;
	size_t n = 0;

	pthread_mutex_lock(&e->lock);
	/* the oldest the ring still holds */
	first = e->last > e->cap ? e->last - e->cap + 1 : 1;
	seq = since + 1 > first ? since + 1 : first;
	*lost = seq - (since + 1);
	for (; seq <= e->last && n < max; seq++)
		out[n++] = e->ring[(seq - 1) % e->cap];
	*next = n ? out[n - 1].seq : (since > e->last ? e->last : since);
	pthread_mutex_unlock(&e->lock);
	return n;
}

void pd_events_tap(void *arg, enum log_level level, const char *component, const char *msg)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	pd_events_add(arg, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, level, component,
		      msg);
}

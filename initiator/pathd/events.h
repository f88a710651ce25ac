/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd's recent events: every line it logs at info and above (an event
 * seen, an action taken, how long it took) kept in a ring, numbered, for
 * 'portico-path show events' and 'portico-path monitor'. Filled through
 * common/log's tap, so the ring says exactly what the log says. Safe to
 * add to from any thread (the device-mapper worker logs too).
 */
#ifndef PORTICO_INITIATOR_PATHD_EVENTS_H
#define PORTICO_INITIATOR_PATHD_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/log.h"

#define PD_EVENT_TEXT_MAX 480
#define PD_EVENT_COMP_MAX 16

struct pd_event {
	uint64_t seq;	 /* 1, 2, ...: never reused while the daemon runs */
	int64_t wall_ms; /* CLOCK_REALTIME, ms since the epoch */
	enum log_level level;
	char comp[PD_EVENT_COMP_MAX];
	char text[PD_EVENT_TEXT_MAX]; /* cut at PD_EVENT_TEXT_MAX - 1 bytes */
};

struct pd_events;

/* A ring of cap events. 0, -EINVAL (cap 0) or -ENOMEM. */
int pd_events_create(size_t cap, struct pd_events **out);
void pd_events_destroy(struct pd_events *e);

/* Adds one event; the oldest goes when the ring is full. */
void pd_events_add(struct pd_events *e, int64_t wall_ms, enum log_level level, const char *comp,
		   const char *text);

/*
 * The events numbered after since, oldest first, at most max into out;
 * returns how many were copied. *next is the number to ask after next
 * time (the last one copied, or since when none), *lost how many after
 * since the ring no longer holds (it was overtaken).
 */
size_t pd_events_since(struct pd_events *e, uint64_t since, struct pd_event *out, size_t max,
		       uint64_t *next, uint64_t *lost);

/* common/log's tap (arg: the ring): stamps each line with the wall clock. */
void pd_events_tap(void *arg, enum log_level level, const char *component, const char *msg);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission of connections: at most max_connections in all and
 * max_connections_per_address from one initiator address (struct
 * iscsi_limits). A connection over either is closed at once, before a
 * byte of it is read, and the log says so in one line every
 * ADMIT_LOG_MS with the count, not one a connection: a flood must not
 * become a log flood.
 *
 * The counts are shared by every I/O thread: a small hash of the
 * addresses that have connections, under one mutex, touched once when a
 * connection starts and once when it closes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev.h"
#include "common/log.h"
#include "target/iscsi/iscsi_int.h"

#define COMP "iscsi"
#define ADMIT_BUCKETS 1024
#define ADMIT_LOG_MS 10000

struct admit_entry {
	struct admit_entry *next;
	unsigned int n;
	char addr[INET6_ADDRSTRLEN];
};

struct admit_table {
	pthread_mutex_t lock;
	unsigned int total;
	struct admit_entry *bucket[ADMIT_BUCKETS];
	/* for each reason (0: in all, 1: per address), the last line about it and refusals since */
	int64_t logged_ms[2];
	unsigned long unreported[2];
};

int iscsi_limits_init(struct iscsi_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->admit = calloc(1, sizeof(*l->admit));
	if (!l->admit)
		return -ENOMEM;
	pthread_mutex_init(&l->admit->lock, NULL);
	return 0;
}

void iscsi_limits_fini(struct iscsi_limits *l)
{
	struct admit_table *t = l->admit;

	if (!t)
		return;
	for (size_t i = 0; i < ADMIT_BUCKETS; i++) {
		while (t->bucket[i]) {
			struct admit_entry *e = t->bucket[i];

			t->bucket[i] = e->next;
			free(e);
		}
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
	l->admit = NULL;
}

/* FNV-1a: addresses are short, and an attacker gains nothing from collisions but a longer list. */
static struct admit_entry **admit_slot(struct admit_table *t, const char *addr)
{
	uint32_t h = 2166136261u;
	struct admit_entry **p;

	for (const char *c = addr; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	for (p = &t->bucket[h % ADMIT_BUCKETS]; *p; p = &(*p)->next)
		if (!strcmp((*p)->addr, addr))
			break;
	return p;
}

/*
 * Says, once every ADMIT_LOG_MS for each of the two reasons, that
 * connections were refused. Under t->lock.
 */
static void admit_report(struct admit_table *t, const char *addr, unsigned int have,
			 bool per_address)
{
	int64_t now = ev_now_ms();

	t->unreported[per_address]++;
	if (t->logged_ms[per_address] && now - t->logged_ms[per_address] < ADMIT_LOG_MS)
		return;
	if (per_address)
		log_warn(COMP, "connection from %s refused: %u from that address already (max_connections_per_address); %lu refused since the last report",
			 addr, have, t->unreported[1]);
	else
		log_warn(COMP, "connection from %s refused: %u connections already (max_connections); %lu refused since the last report",
			 addr, have, t->unreported[0]);
	t->unreported[per_address] = 0;
	t->logged_ms[per_address] = now;
}

int admit_take(struct iscsi_limits *l, const char *addr)
{
	struct admit_table *t = l ? l->admit : NULL;
	uint32_t max_all, max_one;
	struct admit_entry **p, *e;
	int rc = 0;

	if (!t)
		return 0;
	max_all = __atomic_load_n(&l->max_connections, __ATOMIC_RELAXED);
	max_one = __atomic_load_n(&l->max_connections_per_address, __ATOMIC_RELAXED);
	pthread_mutex_lock(&t->lock);
	p = admit_slot(t, addr);
	e = *p;
	if (max_all && t->total >= max_all) {
		admit_report(t, addr, t->total, false);
		rc = -EUSERS;
	} else if (max_one && e && e->n >= max_one) {
		admit_report(t, addr, e->n, true);
		rc = -EUSERS;
	} else if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e) {
			rc = -ENOMEM;
		} else {
			snprintf(e->addr, sizeof(e->addr), "%s", addr);
			*p = e;
		}
	}
	if (!rc) {
		e->n++;
		t->total++;
	}
	pthread_mutex_unlock(&t->lock);
	if (rc == -EUSERS)
		__atomic_add_fetch(&l->connections_refused, 1, __ATOMIC_RELAXED);
	return rc;
}

void admit_give(struct iscsi_limits *l, const char *addr)
{
	struct admit_table *t = l ? l->admit : NULL;
	struct admit_entry **p, *e;

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	p = admit_slot(t, addr);
	e = *p;
	if (e) {
		t->total--;
		if (--e->n == 0) {
			*p = e->next;
			free(e);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

unsigned int iscsi_limits_connections(const struct iscsi_limits *l, const char *addr)
{
	struct admit_table *t = l->admit;
	unsigned int n = 0;

	if (!t)
		return 0;
	pthread_mutex_lock(&t->lock);
	if (!addr) {
		n = t->total;
	} else {
		struct admit_entry *e = *admit_slot(t, addr);

		n = e ? e->n : 0;
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}

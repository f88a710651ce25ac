/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The auth guard (authguard.h): runs of failed logins per initiator name at
 * a target and per source address, their delays and lockouts, in a bounded
 * table under one mutex. Logins are rare next to I/O, and a failed one
 * rarer: a linear search of the table is cheap beside the CHAP digest it
 * guards.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "target/iscsi/authguard.h"

#define COMP "iscsi"
/* the names and targets an address's run remembers, to count each once */
#define AG_PAIRS 16

struct ag_entry {
	char key[ISCSI_NAME_MAX + 1]; /* the initiator name, or the address */
	char target[ISCSI_NAME_MAX + 1]; /* a name's target, "" for discovery */
	bool address;
	/*
	 * Failures in a row; an address's counts the different name and
	 * target pairs that failed from it (those past AG_PAIRS, each time).
	 */
	uint32_t run;
	uint32_t refused; /* CHAP exchanges refused while locked out */
	uint32_t pairs[AG_PAIRS]; /* an address's: hashes of the pairs counted */
	int64_t last_ms; /* its last failure */
	int64_t locked_until; /* 0: not locked out */
};

struct authguard {
	pthread_mutex_t lock;
	struct authguard_policy policy;
	struct authguard_stats stats;
	size_t n;
	struct ag_entry e[AUTHGUARD_MAX]; /* e[0..n) in use */
};

int authguard_create(const struct authguard_policy *p, struct authguard **out)
{
	struct authguard *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	pthread_mutex_init(&g->lock, NULL);
	g->policy = *p;
	*out = g;
	return 0;
}

void authguard_destroy(struct authguard *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g);
}

void authguard_set_policy(struct authguard *g, const struct authguard_policy *p)
{
	pthread_mutex_lock(&g->lock);
	if (!p->enabled)
		g->n = 0;
	g->policy = *p;
	pthread_mutex_unlock(&g->lock);
}

void authguard_get_policy(struct authguard *g, struct authguard_policy *p)
{
	pthread_mutex_lock(&g->lock);
	*p = g->policy;
	pthread_mutex_unlock(&g->lock);
}

/* "initiator 'iqn...' at 'iqn...'", "... for discovery", "address 192.0.2.7": for the log. */
static const char *ag_what(const struct ag_entry *e, char *buf, size_t len)
{
	if (e->address)
		snprintf(buf, len, "address %s", e->key);
	else if (e->target[0])
		snprintf(buf, len, "initiator '%s' at '%s'", e->key, e->target);
	else
		snprintf(buf, len, "initiator '%s' for discovery", e->key);
	return buf;
}

/* A name's entry (target: its target, "" for discovery), or an address's (target NULL). */
static struct ag_entry *ag_find(struct authguard *g, const char *key, const char *target)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct ag_entry *e = &g->e[i];

		if (e->address == !target && !strcmp(e->key, key) &&
		    (!target || !strcmp(e->target, target)))
			return &g->e[i];
	}
	return NULL;
}

static void ag_drop(struct authguard *g, struct ag_entry *e)
{
	*e = g->e[--g->n];
}

/*
 * Ends e's lockout or forgets its run when their time is over, with a line
 * that gives the counts. Whether e is gone (its slot holds another now).
 */
static bool ag_expire(struct authguard *g, struct ag_entry *e, int64_t now)
{
	char what[2 * ISCSI_NAME_MAX + 32];

	if (e->locked_until) {
		if (now < e->locked_until)
			return false;
		log_info(COMP, "auth guard: %s: no longer locked out (%u failed logins, %u refused meanwhile)",
			 ag_what(e, what, sizeof(what)), e->run, e->refused);
	} else {
		if (now - e->last_ms < g->policy.lockout_ms)
			return false;
		/* one failure was logged with its reason already: a run of more gets its count */
		if (e->run > 1)
			log_info(COMP, "auth guard: %s: %u failed logins in a row, the last %lld s ago",
				 ag_what(e, what, sizeof(what)), e->run,
				 (long long)(now - e->last_ms) / 1000);
	}
	ag_drop(g, e);
	return true;
}

/* The entry, made when there is none (a full table makes room first). */
static struct ag_entry *ag_get(struct authguard *g, const char *key, const char *target,
			       int64_t now)
{
	struct ag_entry *e = ag_find(g, key, target), *victim = NULL;

	if (e && !ag_expire(g, e, now))
		return e;
	if (g->n == AUTHGUARD_MAX) {
		/* the least recent run not locked out; if all are, the lockout ending first */
		for (size_t i = 0; i < g->n; i++) {
			struct ag_entry *c = &g->e[i];

			if (!victim || (!c->locked_until && victim->locked_until) ||
			    (!c->locked_until == !victim->locked_until &&
			     (c->locked_until ? c->locked_until < victim->locked_until :
						c->last_ms < victim->last_ms)))
				victim = c;
		}
		log_dbg(COMP, "auth guard: table full, %s %s forgotten",
			victim->address ? "address" : "initiator", victim->key);
		ag_drop(g, victim);
	}
	e = &g->e[g->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->target, sizeof(e->target), "%s", target ? target : "");
	e->address = !target;
	return e;
}

/* The entry when it is locked out now, else NULL. */
static struct ag_entry *ag_locked(struct authguard *g, const char *key, const char *target,
				  int64_t now)
{
	struct ag_entry *e = ag_find(g, key, target);

	if (!e || ag_expire(g, e, now) || !e->locked_until)
		return NULL;
	return e;
}

bool authguard_locked(struct authguard *g, const char *initiator, const char *target,
		      const char *address, int64_t now_ms, uint32_t *delay_ms, char *who,
		      size_t wholen)
{
	struct ag_entry *e = NULL;

	if (!g)
		return false;
	pthread_mutex_lock(&g->lock);
	if (g->policy.enabled) {
		e = ag_locked(g, address, NULL, now_ms);
		if (!e && initiator[0])
			e = ag_locked(g, initiator, target ? target : "", now_ms);
	}
	if (e) {
		e->refused++;
		g->stats.refused++;
		/* a guesser waits as long as for its worst failure: locked out is no quicker */
		*delay_ms = g->policy.delay_max_ms;
		if (who)
			ag_what(e, who, wholen);
	}
	pthread_mutex_unlock(&g->lock);
	return e != NULL;
}

/* The k-th failure of a run waits delay * 2^(k-1), at most delay_max. */
static uint32_t ag_delay(const struct authguard_policy *p, uint32_t run)
{
	uint64_t d = p->delay_ms;

	for (uint32_t i = 1; i < run && d < p->delay_max_ms; i++)
		d *= 2;
	return (uint32_t)MIN(d, (uint64_t)p->delay_max_ms);
}

static uint32_t ag_hash(const char *a, const char *b)
{
	uint32_t h = 2166136261u;

	for (; *a; a++)
		h = (h ^ (uint8_t)*a) * 16777619u;
	h = (h ^ '\n') * 16777619u;
	for (; *b; b++)
		h = (h ^ (uint8_t)*b) * 16777619u;
	return h;
}

/* An address's run counts a name and target that failed from it once. Whether this one counts. */
static bool ag_new_pair(struct ag_entry *e, uint32_t pair)
{
	uint32_t known = MIN(e->run, (uint32_t)AG_PAIRS);

	for (uint32_t i = 0; i < known; i++)
		if (e->pairs[i] == pair)
			return false;
	if (known < AG_PAIRS)
		e->pairs[known] = pair;
	return true;
}

/* A run reached its lockout: locked out, and said so. */
static void ag_lock(struct authguard *g, struct ag_entry *e, const char *initiator,
		    const char *address, int64_t now)
{
	char what[2 * ISCSI_NAME_MAX + 32];

	e->locked_until = now + g->policy.lockout_ms;
	g->stats.lockouts++;
	ag_what(e, what, sizeof(what));
	if (e->address)
		log_warn(COMP, "auth guard: %s: %u failed logins for different initiators or targets (the last as initiator '%s'): locked out for %u s",
			 what, e->run, initiator[0] ? initiator : "?", g->policy.lockout_ms / 1000);
	else
		log_warn(COMP, "auth guard: %s: %u failed logins in a row (the last from %s): locked out for %u s",
			 what, e->run, address, g->policy.lockout_ms / 1000);
}

uint32_t authguard_failed(struct authguard *g, const char *initiator, const char *target,
			  const char *address, int64_t now_ms, bool *log)
{
	const char *tgt = target ? target : "";
	struct ag_entry *e;
	uint32_t delay = 0;

	*log = true;
	if (!g)
		return 0;
	pthread_mutex_lock(&g->lock);
	if (!g->policy.enabled) {
		pthread_mutex_unlock(&g->lock);
		return 0;
	}
	*log = false;
	g->stats.failures++;
	if (initiator[0]) {
		e = ag_get(g, initiator, tgt, now_ms);
		e->run++;
		e->last_ms = now_ms;
		*log |= e->run == 1;
		delay = ag_delay(&g->policy, e->run);
		if (e->run >= g->policy.lockout_failures && !e->locked_until)
			ag_lock(g, e, initiator, address, now_ms);
	}
	e = ag_get(g, address, NULL, now_ms);
	e->last_ms = now_ms;
	if (ag_new_pair(e, ag_hash(initiator, tgt))) {
		e->run++;
		*log |= e->run == 1;
		if (e->run >= g->policy.lockout_failures && !e->locked_until)
			ag_lock(g, e, initiator, address, now_ms);
	}
	delay = MAX(delay, ag_delay(&g->policy, e->run));
	pthread_mutex_unlock(&g->lock);
	return delay;
}

void authguard_succeeded(struct authguard *g, const char *initiator, const char *target,
			 int64_t now_ms)
{
	char what[2 * ISCSI_NAME_MAX + 32];
	struct ag_entry *e;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	e = g->policy.enabled && initiator[0] ? ag_find(g, initiator, target ? target : "") : NULL;
	if (e && !ag_expire(g, e, now_ms)) {
		log_info(COMP, "auth guard: %s: authenticated after %u failed login(s)",
			 ag_what(e, what, sizeof(what)), e->run);
		ag_drop(g, e);
	}
	pthread_mutex_unlock(&g->lock);
}

void authguard_sweep(struct authguard *g, int64_t now_ms)
{
	pthread_mutex_lock(&g->lock);
	/* from the end: a dropped entry takes the last one's slot */
	for (size_t i = g->n; i-- > 0;)
		ag_expire(g, &g->e[i], now_ms);
	pthread_mutex_unlock(&g->lock);
}

size_t authguard_list(struct authguard *g, int64_t now_ms, struct authguard_info *out,
		      size_t max)
{
	size_t got = 0;

	pthread_mutex_lock(&g->lock);
	for (int locked = 1; locked >= 0; locked--) {
		for (size_t i = 0; i < g->n; i++) {
			const struct ag_entry *e = &g->e[i];
			struct authguard_info *o;

			if ((e->locked_until > now_ms) != locked)
				continue;
			if (got++ >= max)
				continue;
			o = &out[got - 1];
			memset(o, 0, sizeof(*o));
			snprintf(o->key, sizeof(o->key), "%s", e->key);
			snprintf(o->target, sizeof(o->target), "%s", e->target);
			o->address = e->address;
			o->failures = e->run;
			o->refused = e->refused;
			o->locked_ms = locked ? e->locked_until - now_ms : 0;
			o->last_ms = now_ms - e->last_ms;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return got;
}

void authguard_get_stats(struct authguard *g, struct authguard_stats *out)
{
	pthread_mutex_lock(&g->lock);
	*out = g->stats;
	pthread_mutex_unlock(&g->lock);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ownership machine of one rbd LU on its own thread (rbd_owner_run.h).
 *
 * Why a thread per LU rather than the control loop: the lease's calls
 * block on the cluster (librados has no asynchronous lock call), and a
 * slow OSD must delay neither the control socket nor another LU's
 * renewal. What must never wait for that thread is the write gate: the
 * machine's deadline is published as an atomic, and the I/O path compares
 * it with the clock itself, so an owner stuck in a renewal still stops
 * submitting writes at its fence margin.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/scsi_proto.h"
#include "target/backstore/bs_int.h"
#include "target/backstore/rbd_owner_run.h"

#define RUN_QUEUE 32

struct run_ev {
	enum bs_owner_ev_type type;
	char name[BS_OWNER_NAME_MAX + 1];
};

struct bs_owner_run {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool stop;
	struct bs_owner sm; /* under lock */
	struct bs_owner_out first; /* bs_owner_init's actions, carried out by the thread */
	const struct bs_owner_ops *ops;
	void *ctx;
	void (*changed)(void *arg);
	void *arg;
	struct run_ev queue[RUN_QUEUE]; /* posted events, under lock */
	unsigned qhead, qlen;
	struct bs_owner_info hist; /* its notes[] a ring of BS_OWNER_NOTES, under lock */
	unsigned nhead, nlen;
	/* read by other threads without the lock */
	uint64_t write_until;
	uint8_t alua;
};

uint64_t bs_owner_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool bs_owner_run_may_write(const struct bs_owner_run *r)
{
	return bs_owner_clock_ms() < __atomic_load_n(&r->write_until, __ATOMIC_ACQUIRE);
}

uint8_t bs_owner_run_alua(const struct bs_owner_run *r)
{
	return __atomic_load_n(&r->alua, __ATOMIC_ACQUIRE);
}

/* Under lock. */
static void note(struct bs_owner_run *r, const char *fmt, const char *a, const char *b)
{
	unsigned int at = (r->nhead + r->nlen) % BS_OWNER_NOTES;

	if (r->nlen == BS_OWNER_NOTES)
		r->nhead = (r->nhead + 1) % BS_OWNER_NOTES;
	else
		r->nlen++;
	r->hist.notes[at].when = (int64_t)time(NULL);
	snprintf(r->hist.notes[at].text, sizeof(r->hist.notes[at].text), fmt, a, b);
}

void bs_owner_run_view(struct bs_owner_run *r, struct bs_owner_info *v)
{
	pthread_mutex_lock(&r->lock);
	snprintf(v->owner, sizeof(v->owner), "%s", r->sm.owner);
	snprintf(v->state, sizeof(v->state), "%s", bs_owner_state_name(r->sm.state));
	v->alua = bs_owner_alua(&r->sm);
	v->nnotes = r->nlen;
	for (unsigned int i = 0; i < r->nlen; i++)
		v->notes[i] = r->hist.notes[(r->nhead + i) % BS_OWNER_NOTES];
	pthread_mutex_unlock(&r->lock);
}

/* Under lock: what the machine said goes to the gate, the log and the history. */
static void publish(struct bs_owner_run *r, const struct bs_owner_out *out)
{
	__atomic_store_n(&r->write_until, bs_owner_write_until(&r->sm), __ATOMIC_RELEASE);
	__atomic_store_n(&r->alua, bs_owner_alua(&r->sm), __ATOMIC_RELEASE);
	if (out->acts & BS_OWNER_ACT_STOP_WRITES) {
		log_err(BS_COMPONENT, "owner '%s': writes stopped: %s", r->sm.self,
			out->why ? out->why : "fenced");
		note(r, "writes stopped: %s%s", out->why ? out->why : "fenced", "");
	} else if (out->why) {
		log_info(BS_COMPONENT, "owner '%s': %s (now %s)", r->sm.self, out->why,
			 bs_owner_state_name(r->sm.state));
		note(r, "%s (%s)", out->why, bs_owner_state_name(r->sm.state));
	}
	if (out->acts & BS_OWNER_ACT_FENCE)
		note(r, "fencing the previous owner %s%s", out->fence_addr, "");
}

/* Under lock, dropped around every call into the adapter and the hook. */
static void carry_out(struct bs_owner_run *r, struct bs_owner_out *out)
{
	for (int guard = 0; guard < 16; guard++) {
		struct bs_owner_ev ev = { 0 };
		char prev[BS_OWNER_ADDR_MAX + 1] = "", holder[BS_OWNER_NAME_MAX + 1] = "";
		char arg[BS_OWNER_ADDR_MAX + 1];
		bool clean = false;
		unsigned acts = out->acts;
		int ret;

		publish(r, out);
		if (!(acts & (BS_OWNER_ACT_REPORT | BS_OWNER_ACT_ASK_MOVE | BS_OWNER_ACT_ACQUIRE |
			      BS_OWNER_ACT_RENEW | BS_OWNER_ACT_FENCE | BS_OWNER_ACT_PUBLISH |
			      BS_OWNER_ACT_RELEASE)))
			return;
		snprintf(arg, sizeof(arg), "%s",
			 acts & BS_OWNER_ACT_FENCE ? out->fence_addr : out->move_to);
		pthread_mutex_unlock(&r->lock);
		if ((acts & BS_OWNER_ACT_REPORT) && r->changed)
			r->changed(r->arg);
		if (acts & BS_OWNER_ACT_ASK_MOVE)
			r->ops->ask_move(r->ctx, arg);
		if (acts & BS_OWNER_ACT_ACQUIRE) {
			ret = r->ops->acquire(r->ctx, prev, &clean, holder);
			if (ret == 0) {
				ev.type = BS_OWNER_EV_ACQUIRED;
				ev.prev_addr = prev;
				ev.prev_clean = clean;
			} else {
				ev.type = ret == -EBUSY ? BS_OWNER_EV_BUSY : BS_OWNER_EV_ACQUIRE_ERR;
				ev.err = ret == -EBUSY ? 0 : ret;
				ev.name = holder;
			}
		} else if (acts & BS_OWNER_ACT_RENEW) {
			ev.type = BS_OWNER_EV_RENEW_DONE;
			ev.sent_ms = bs_owner_clock_ms();
			ev.err = r->ops->renew(r->ctx);
		} else if (acts & BS_OWNER_ACT_FENCE) {
			ev.type = BS_OWNER_EV_FENCE_DONE;
			ev.err = r->ops->fence(r->ctx, arg);
			if (ev.err)
				log_err(BS_COMPONENT, "owner: cannot blocklist %s: %s", arg,
					strerror(-ev.err));
		} else if (acts & BS_OWNER_ACT_PUBLISH) {
			ev.type = BS_OWNER_EV_PUBLISH_DONE;
			ev.err = r->ops->publish(r->ctx);
		} else if (acts & BS_OWNER_ACT_RELEASE) {
			ev.type = BS_OWNER_EV_RELEASE_DONE;
			ev.err = r->ops->release(r->ctx, arg);
		} else {
			pthread_mutex_lock(&r->lock);
			return;
		}
		pthread_mutex_lock(&r->lock);
		if (ev.type == BS_OWNER_EV_FENCE_DONE && !ev.err)
			note(r, "blocklisted %s%s", arg, "");
		bs_owner_step(&r->sm, &ev, bs_owner_clock_ms(), out);
	}
}

static void *run_main(void *p)
{
	struct bs_owner_run *r = p;
	struct bs_owner_out out;

	pthread_mutex_lock(&r->lock);
	carry_out(r, &r->first);
	while (!r->stop) {
		uint64_t now = bs_owner_clock_ms(), next = bs_owner_next(&r->sm);

		if (r->qlen) {
			struct run_ev q = r->queue[r->qhead];
			struct bs_owner_ev ev = { .type = q.type, .name = q.name };

			r->qhead = (r->qhead + 1) % RUN_QUEUE;
			r->qlen--;
			bs_owner_step(&r->sm, &ev, now, &out);
			carry_out(r, &out);
		} else if (now >= next) {
			struct bs_owner_ev ev = { .type = BS_OWNER_EV_TICK };

			bs_owner_step(&r->sm, &ev, now, &out);
			carry_out(r, &out);
		} else if (next == UINT64_MAX) {
			pthread_cond_wait(&r->cond, &r->lock);
		} else {
			struct timespec ts = { .tv_sec = (time_t)(next / 1000),
					       .tv_nsec = (long)(next % 1000) * 1000000L };

			pthread_cond_timedwait(&r->cond, &r->lock, &ts);
		}
	}
	/* a clean hand-back: the successor has nothing to fence */
	if (r->sm.state == BS_OWNER_STATE_OWNER && bs_owner_run_may_write(r)) {
		pthread_mutex_unlock(&r->lock);
		if (r->ops->release(r->ctx, ""))
			log_warn(BS_COMPONENT, "owner '%s': lease not released: the next owner will fence this client",
				 r->sm.self);
		pthread_mutex_lock(&r->lock);
	}
	__atomic_store_n(&r->write_until, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

void bs_owner_run_post(struct bs_owner_run *r, enum bs_owner_ev_type type, const char *name)
{
	pthread_mutex_lock(&r->lock);
	if (r->qlen == RUN_QUEUE) {
		log_warn(BS_COMPONENT, "owner '%s': event queue full, an event dropped", r->sm.self);
	} else {
		struct run_ev *q = &r->queue[(r->qhead + r->qlen) % RUN_QUEUE];

		q->type = type;
		snprintf(q->name, sizeof(q->name), "%s", name ? name : "");
		r->qlen++;
		pthread_cond_signal(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
}

int bs_owner_run_start(const struct bs_owner_cfg *cfg, const char *self, const char *self_addr,
		       const struct bs_owner_ops *ops, void *ctx,
		       void (*changed)(void *arg), void *arg, struct bs_owner_run **out)
{
	struct bs_owner_cfg c = *cfg;
	pthread_condattr_t ca;
	struct bs_owner_run *r;
	int ret;

	ret = bs_owner_cfg_check(&c);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = bs_owner_init(&r->sm, &c, self, self_addr, bs_owner_clock_ms(), &r->first);
	if (ret)
		goto err_free;
	r->ops = ops;
	r->ctx = ctx;
	r->changed = changed;
	r->arg = arg;
	r->write_until = bs_owner_write_until(&r->sm);
	r->alua = bs_owner_alua(&r->sm);
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	ret = -pthread_create(&r->thread, NULL, run_main, r);
	if (ret)
		goto err_sync;
	*out = r;
	return 0;

err_sync:
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
err_free:
	free(r);
	return ret;
}

void bs_owner_run_stop(struct bs_owner_run *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

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

enum run_ev_kind {
	RUN_EV_OWNER,  /* type, name */
	RUN_EV_MEMBER, /* mtype, rec */
	RUN_EV_RELIST,
	RUN_EV_TAGS,   /* rec.tags */
};

struct run_ev {
	enum run_ev_kind kind;
	enum bs_owner_ev_type type;
	char name[BS_OWNER_NAME_MAX + 1];
	enum bs_member_ev_type mtype;
	struct bs_member_rec rec;
};

struct bs_owner_run {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool stop;
	struct bs_owner sm; /* under lock */
	struct bs_owner_out first; /* bs_owner_init's actions, carried out by the thread */
	bool has_member;           /* ops has the membership's calls */
	struct bs_member mm;       /* under lock */
	struct bs_member_out mfirst;
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
	uint64_t member_until;
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
	uint64_t now = bs_owner_clock_ms();

	return now < __atomic_load_n(&r->write_until, __ATOMIC_ACQUIRE) &&
	       now < __atomic_load_n(&r->member_until, __ATOMIC_ACQUIRE);
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
	if (r->has_member) {
		struct bs_member_tpg t[BS_OWNER_TPGS];

		snprintf(v->member_state, sizeof(v->member_state), "%s",
			 bs_member_state_name(r->mm.state));
		v->ntpgs = (unsigned int)bs_member_tpgs(&r->mm, r->sm.owner, bs_owner_alua(&r->sm), t,
							BS_OWNER_TPGS);
		for (unsigned int i = 0; i < v->ntpgs; i++) {
			v->tpgs[i].id = t[i].id;
			v->tpgs[i].alua = t[i].state;
			snprintf(v->tpgs[i].gateway, sizeof(v->tpgs[i].gateway), "%s", t[i].gateway);
		}
	}
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

/* Under lock, dropped around every call into the adapter and the hook. */
static void carry_out_member(struct bs_owner_run *r, struct bs_member_out *out)
{
	for (int guard = 0; guard < 16; guard++) {
		struct bs_member_rec recs[BS_MEMBER_MAX], self = r->mm.self, f = out->fence;
		struct bs_member_ev ev = { 0 };
		unsigned acts = out->acts;
		size_t n = 0;

		__atomic_store_n(&r->member_until, bs_member_write_until(&r->mm), __ATOMIC_RELEASE);
		if (r->mm.state == BS_MEMBER_STATE_FENCED &&
		    r->sm.state != BS_OWNER_STATE_FENCED_OUT) {
			/* blocklisted, or removed by the group (which blocklisted it first) */
			struct bs_owner_ev oev = { .type = BS_OWNER_EV_BLOCKLISTED };
			struct bs_owner_out oo;

			bs_owner_step(&r->sm, &oev, bs_owner_clock_ms(), &oo);
			carry_out(r, &oo);
		}
		if (acts & BS_MEMBER_ACT_STOP_WRITES) {
			log_err(BS_COMPONENT, "member '%s': writes stopped: %s", r->mm.self.name,
				out->why ? out->why : "fenced");
			note(r, "member: writes stopped: %s%s", out->why ? out->why : "fenced", "");
		} else if (out->why) {
			log_info(BS_COMPONENT, "member '%s': %s (now %s)", r->mm.self.name, out->why,
				 bs_member_state_name(r->mm.state));
			note(r, "member: %s (%s)", out->why, bs_member_state_name(r->mm.state));
		}
		if (acts & BS_MEMBER_ACT_FENCE)
			note(r, "fencing the lapsed member %s (%s)", f.name, f.addr);
		if (!(acts & (BS_MEMBER_ACT_REPORT | BS_MEMBER_ACT_LIST | BS_MEMBER_ACT_RENEW |
			      BS_MEMBER_ACT_FENCE)))
			return;
		pthread_mutex_unlock(&r->lock);
		if ((acts & BS_MEMBER_ACT_REPORT) && r->changed)
			r->changed(r->arg);
		if (acts & BS_MEMBER_ACT_LIST) {
			ev.type = BS_MEMBER_EV_LISTED;
			ev.err = r->ops->member_list(r->ctx, recs, BS_MEMBER_MAX, &n);
			ev.recs = recs;
			ev.nrecs = ev.err ? 0 : n;
		} else if (acts & BS_MEMBER_ACT_RENEW) {
			ev.type = BS_MEMBER_EV_RENEW_DONE;
			ev.sent_ms = bs_owner_clock_ms();
			ev.err = r->ops->member_renew(r->ctx, &self);
		} else if (acts & BS_MEMBER_ACT_FENCE) {
			ev.type = BS_MEMBER_EV_FENCE_DONE;
			ev.rec = &f;
			ev.err = r->ops->member_fence(r->ctx, &f);
			if (ev.err)
				log_err(BS_COMPONENT, "member: cannot fence '%s' (%s): %s", f.name, f.addr,
					strerror(-ev.err));
		} else {
			pthread_mutex_lock(&r->lock);
			return;
		}
		pthread_mutex_lock(&r->lock);
		if (ev.type == BS_MEMBER_EV_FENCE_DONE && !ev.err)
			note(r, "blocklisted the lapsed member %s (%s)", f.name, f.addr);
		bs_member_step(&r->mm, &ev, bs_owner_clock_ms(), out);
	}
}

/*
 * Under lock: whether name is this gateway or a live member of its group,
 * as the membership knows it now (without one, every name is taken).
 */
static bool run_live(const struct bs_owner_run *r, const char *name)
{
	if (!r->has_member || strcmp(name, r->sm.self) == 0)
		return true;
	for (size_t i = 0; i < r->mm.npeers; i++)
		if (r->mm.peers[i].state == BS_MEMBER_PEER_LIVE &&
		    strcmp(r->mm.peers[i].rec.name, name) == 0)
			return true;
	return false;
}

/* Under lock: one posted event to its machine. */
static void run_one(struct bs_owner_run *r, const struct run_ev *q, uint64_t now)
{
	struct bs_owner_out out;
	struct bs_member_out mout;

	switch (q->kind) {
	case RUN_EV_OWNER: {
		struct bs_owner_ev ev = { .type = q->type, .name = q->name };

		if (q->type == BS_OWNER_EV_MOVE_REQ)
			ev.live = run_live(r, q->name);
		bs_owner_step(&r->sm, &ev, now, &out);
		if (q->type == BS_OWNER_EV_MOVE_REQ) {
			/* checked when asked; the state may have changed since */
			if (out.result < 0)
				log_warn(BS_COMPONENT, "owner '%s': move to '%s' not carried out: %s",
					 r->sm.self, q->name, strerror(-out.result));
			else if (out.result == 0)
				note(r, "move to %s asked on this gateway%s", q->name, "");
		}
		carry_out(r, &out);
		break;
	}
	case RUN_EV_MEMBER: {
		struct bs_member_ev ev = { .type = q->mtype, .rec = &q->rec };

		if (!r->has_member)
			break;
		bs_member_step(&r->mm, &ev, now, &mout);
		carry_out_member(r, &mout);
		break;
	}
	case RUN_EV_RELIST:
		if (!r->has_member)
			break;
		bs_member_relist(&r->mm, &mout);
		carry_out_member(r, &mout);
		break;
	case RUN_EV_TAGS:
		if (!r->has_member)
			break;
		r->mm.now = now > r->mm.now ? now : r->mm.now;
		bs_member_set_tags(&r->mm, q->rec.tags, q->rec.ntags, &mout);
		carry_out_member(r, &mout);
		break;
	}
}

static void *run_main(void *p)
{
	struct bs_owner_run *r = p;
	struct bs_owner_out out;

	pthread_mutex_lock(&r->lock);
	if (r->has_member)
		carry_out_member(r, &r->mfirst);
	carry_out(r, &r->first);
	while (!r->stop) {
		uint64_t now = bs_owner_clock_ms(), next = bs_owner_next(&r->sm);
		uint64_t mnext = r->has_member ? bs_member_next(&r->mm) : UINT64_MAX;

		if (mnext < next)
			next = mnext;
		if (r->qlen) {
			struct run_ev q = r->queue[r->qhead];

			r->qhead = (r->qhead + 1) % RUN_QUEUE;
			r->qlen--;
			run_one(r, &q, now);
		} else if (now >= next) {
			struct bs_owner_ev ev = { .type = BS_OWNER_EV_TICK };
			struct bs_member_ev mev = { .type = BS_MEMBER_EV_TICK };

			if (r->has_member && now >= mnext) {
				struct bs_member_out mout;

				bs_member_step(&r->mm, &mev, now, &mout);
				carry_out_member(r, &mout);
			}
			bs_owner_step(&r->sm, &ev, bs_owner_clock_ms(), &out);
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
	/* a clean leave: the group drops us without a fence */
	if (r->has_member && r->mm.state != BS_MEMBER_STATE_FENCED &&
	    r->mm.state != BS_MEMBER_STATE_JOINING) {
		struct bs_member_rec self = r->mm.self;

		pthread_mutex_unlock(&r->lock);
		if (r->ops->member_leave(r->ctx, &self))
			log_warn(BS_COMPONENT, "member '%s': could not leave the group: it will fence this client",
				 self.name);
		pthread_mutex_lock(&r->lock);
	}
	__atomic_store_n(&r->member_until, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* Under lock: a queue slot, or NULL (logged) when full. */
static struct run_ev *run_slot(struct bs_owner_run *r)
{
	struct run_ev *q;

	if (r->qlen == RUN_QUEUE) {
		log_warn(BS_COMPONENT, "owner '%s': event queue full, an event dropped", r->sm.self);
		return NULL;
	}
	q = &r->queue[(r->qhead + r->qlen) % RUN_QUEUE];
	memset(q, 0, sizeof(*q));
	r->qlen++;
	pthread_cond_signal(&r->cond);
	return q;
}

void bs_owner_run_post(struct bs_owner_run *r, enum bs_owner_ev_type type, const char *name)
{
	struct run_ev *q;

	pthread_mutex_lock(&r->lock);
	q = run_slot(r);
	if (q) {
		q->kind = RUN_EV_OWNER;
		q->type = type;
		snprintf(q->name, sizeof(q->name), "%s", name ? name : "");
	}
	pthread_mutex_unlock(&r->lock);
}

int bs_owner_run_move(struct bs_owner_run *r, const char *to)
{
	struct run_ev *q;
	int ret;

	pthread_mutex_lock(&r->lock);
	ret = bs_owner_move_check(&r->sm, to, to && run_live(r, to));
	if (ret == 0) {
		/* the thread carries it out: the adapter is called from there only */
		q = run_slot(r);
		if (q) {
			q->kind = RUN_EV_OWNER;
			q->type = BS_OWNER_EV_MOVE_REQ;
			snprintf(q->name, sizeof(q->name), "%s", to);
		} else {
			ret = -EAGAIN;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

void bs_owner_run_post_member(struct bs_owner_run *r, enum bs_member_ev_type type,
			      const struct bs_member_rec *rec)
{
	struct run_ev *q;

	pthread_mutex_lock(&r->lock);
	q = r->has_member ? run_slot(r) : NULL;
	if (q) {
		q->kind = RUN_EV_MEMBER;
		q->mtype = type;
		if (rec)
			q->rec = *rec;
	}
	pthread_mutex_unlock(&r->lock);
}

void bs_owner_run_relist(struct bs_owner_run *r)
{
	struct run_ev *q;

	pthread_mutex_lock(&r->lock);
	q = r->has_member ? run_slot(r) : NULL;
	if (q)
		q->kind = RUN_EV_RELIST;
	pthread_mutex_unlock(&r->lock);
}

static int tag_cmp(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

int bs_owner_run_set_tags(struct bs_owner_run *r, const uint16_t *tags, size_t n)
{
	uint16_t sorted[BS_MEMBER_TAGS];
	struct run_ev *q;
	size_t k = 0;

	if (n > BS_MEMBER_TAGS)
		return -EINVAL;
	memcpy(sorted, tags, n * sizeof(*tags));
	qsort(sorted, n, sizeof(*sorted), tag_cmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || sorted[k - 1] != sorted[i])
			sorted[k++] = sorted[i];
	if (!r->has_member)
		return 0;
	/* the thread carries it out: the adapter is called from there only */
	pthread_mutex_lock(&r->lock);
	q = run_slot(r);
	if (q) {
		q->kind = RUN_EV_TAGS;
		memcpy(q->rec.tags, sorted, k * sizeof(*sorted));
		q->rec.ntags = k;
	}
	pthread_mutex_unlock(&r->lock);
	return q ? 0 : -EAGAIN;
}

size_t bs_owner_run_tpgs(struct bs_owner_run *r, struct bs_member_tpg *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&r->lock);
	if (r->has_member)
		n = bs_member_tpgs(&r->mm, r->sm.owner, bs_owner_alua(&r->sm), out, max);
	pthread_mutex_unlock(&r->lock);
	return n;
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
	r->member_until = UINT64_MAX;
	if (ops->member_list && ops->member_renew && ops->member_fence && ops->member_leave) {
		struct bs_member_rec me = { 0 };

		r->has_member = true;
		snprintf(me.name, sizeof(me.name), "%s", self);
		ret = bs_owner_addr_norm(self_addr, me.addr);
		if (!ret)
			ret = bs_member_init(&r->mm, &c, &me, bs_owner_clock_ms(), &r->mfirst);
		if (ret)
			goto err_free;
		r->member_until = 0;
	}
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

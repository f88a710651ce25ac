/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The path manager's state machine (mpath/sm.h): NICs, discovery, links
 * (sessions), the event switch, and the views for show. The map half
 * (paths grouped by WWID into dm-multipath tables) is in sm_map.c.
 *
 * Every event updates what the machine knows; then, once the start-up
 * snapshot is complete (MP_EV_STARTED), one reconcile pass compares what is
 * wanted with what is, and asks for the difference. A pass is idempotent:
 * anything in flight is marked, so a second pass asks nothing new. That is
 * what makes a restart safe: pathd started over maps and sessions that
 * exist learns them first, and only then acts, so a healthy map is never
 * touched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "mpath/sm_int.h"

/* ---- small helpers ---- */

void *sm_grow(void *arr, size_t *n, size_t sz)
{
	char *p = realloc(arr, (*n + 1) * sz);

	if (!p)
		return NULL;
	memset(p + *n * sz, 0, sz);
	(*n)++;
	return p;
}

void sm_remove(void *arr, size_t *n, size_t sz, size_t i)
{
	char *p = arr;

	memmove(p + i * sz, p + (i + 1) * sz, (*n - i - 1) * sz);
	(*n)--;
}

/* Grows the array held in *arrp by one zeroed element; that element, or NULL. */
#define SM_APPEND(arrp, np)                                                                        \
	({                                                                                         \
		__typeof__(*(arrp)) _a = sm_grow(*(arrp), (np), sizeof(**(arrp)));                \
		_a ? (*(arrp) = _a, &_a[*(np)-1]) : NULL;                                         \
	})

struct mp_action *sm_act(struct mp_actions *out, enum mp_action_type t)
{
	struct mp_action *a;

	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;

		a = realloc(out->a, cap * sizeof(*a));
		if (!a)
			return NULL;
		out->a = a;
		out->cap = cap;
	}
	a = &out->a[out->n++];
	memset(a, 0, sizeof(*a));
	a->type = t;
	return a;
}

void mp_actions_init(struct mp_actions *acts)
{
	memset(acts, 0, sizeof(*acts));
}

void mp_actions_clear(struct mp_actions *acts)
{
	for (size_t i = 0; i < acts->n; i++)
		if (acts->a[i].type == MP_ACT_WWIDS)
			free(acts->a[i].u.wwids.wwids);
	acts->n = 0;
}

void mp_actions_fini(struct mp_actions *acts)
{
	mp_actions_clear(acts);
	free(acts->a);
	memset(acts, 0, sizeof(*acts));
}


bool sm_link_key_equal(const struct mp_link_key *a, const struct mp_link_key *b)
{
	/* iSCSI names compare without case (RFC 7143 §4.2.7.1, through RFC 3722) */
	return !strcmp(a->nic, b->nic) && !strcmp(a->portal, b->portal) &&
	       iscsi_name_equal(a->target, b->target);
}

struct sm_link *sm_find_link(struct mp_sm *sm, const struct mp_link_key *key)
{
	for (size_t i = 0; i < sm->nlinks; i++)
		if (sm_link_key_equal(&sm->links[i].key, key))
			return &sm->links[i];
	return NULL;
}

struct sm_nic *sm_find_nic(struct mp_sm *sm, const char *name)
{
	for (size_t i = 0; i < sm->nnics; i++)
		if (!strcmp(sm->nics[i].st.name, name))
			return &sm->nics[i];
	return NULL;
}

static struct sm_reach *sm_find_reach(struct mp_sm *sm, const char *addr)
{
	for (size_t i = 0; i < sm->nreach; i++)
		if (!strcmp(sm->reach[i].addr, addr))
			return &sm->reach[i];
	return NULL;
}

static struct sm_disc *sm_find_disc(struct mp_sm *sm, const char *addr)
{
	for (size_t i = 0; i < sm->ndisc; i++)
		if (!strcmp(sm->disc[i].addr, addr))
			return &sm->disc[i];
	return NULL;
}

/* ---- configuration ---- */

void mp_policy_default(struct mp_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->selector = MP_SELECTOR_SERVICE_TIME;
	p->grouping = MP_GROUPING_MULTIBUS;
	p->failback = MP_FAILBACK_IMMEDIATE;
	p->no_path_queue_s = 30;
	/*
	 * open-iscsi's advice for sessions under dm-multipath: give up on a
	 * dead connection after 5 s (replacement_timeout), so that its I/O
	 * fails over instead of waiting 120 s; ping every 5 s, 5 s to answer.
	 */
	p->replacement_timeout_s = 5;
	p->noop_out_interval_s = 5;
	p->noop_out_timeout_s = 5;
	/*
	 * iscsid reconnects a failed session with one connect at a time and
	 * starts the next when this runs out (open-iscsi, iscsi_login_timedout:
	 * at once). While the cable is out the connect waits for ARP, which
	 * asks every second and gives up after 3 s; given up, the connect
	 * fails and iscsid waits 3 s more (ISCSI_CONN_ERR_REOPEN_DELAY) with
	 * no connect under way. At 2 s a connect is always under way, and ARP
	 * asks again within a second of the cable's return: the session is
	 * back about a second after it, not up to 6 (and open-iscsi's 15 s
	 * lets the SYN back-off leave it unused for up to 8). A storage that
	 * answers a login in milliseconds needs no more.
	 */
	p->login_timeout_s = 2;
	p->discovery_interval_s = 60;
	p->login_retry_s = 5;
	p->settle_ms = 500;
	/*
	 * A silent path death costs at most check_interval_max_s +
	 * check_timeout_s (4 s) before its I/O moves: under the 5 s a VM's
	 * guest tolerates without a timeout of its own, and far under the
	 * 15 s of NOP-Out 5/5 plus a recovery timeout of 5.
	 */
	p->check_interval_s = 1;
	p->check_interval_max_s = 2;
	p->check_timeout_s = 2;
	p->marginal_failures = 3;
	p->marginal_window_s = 60;
	p->marginal_hold_s = 30;
	/*
	 * Digests on. When a path fails over at once (failfast), the kernel
	 * hands the path's writes back for another path while frames holding
	 * their data can still sit in the NIC's transmit ring, and Linux's
	 * iSCSI initiator sends data without copying it: a ring that resumes
	 * when the link returns (QEMU's virtio-net does) sends the pages as
	 * they are then, reused by the writer for other data, and the target
	 * completes the old command with them, over the write already done
	 * through the other path. The VM lab saw this twice in 11 cable pulls.
	 * The data digest was computed over the data as it was: the target
	 * refuses the stale PDU instead of writing it.
	 */
	p->digests = true;
}

static void sm_config_free(struct mp_config *c)
{
	free(c->discovery);
	free(c->targets);
	free(c->nics);
	free(c->aliases);
	memset(c, 0, sizeof(*c));
}

/* A deep copy of src into dst (zeroed first). 0 or -ENOMEM (dst then empty). */
static int sm_config_copy(struct mp_config *dst, const struct mp_config *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->policy = src->policy;
#define SM_DUP(field, nfield)                                                                      \
	do {                                                                                       \
		if (src->nfield) {                                                                 \
			dst->field = malloc(src->nfield * sizeof(*src->field));                    \
			if (!dst->field)                                                           \
				goto err;                                                          \
			memcpy(dst->field, src->field, src->nfield * sizeof(*src->field));         \
			dst->nfield = src->nfield;                                                 \
		}                                                                                  \
	} while (0)
	SM_DUP(discovery, ndiscovery);
	SM_DUP(targets, ntargets);
	SM_DUP(nics, nnics);
	SM_DUP(aliases, naliases);
#undef SM_DUP
	return 0;
err:
	sm_config_free(dst);
	return -ENOMEM;
}

/* Discovery records follow the configured addresses: new ones start now, old ones go. */
static int sm_sync_discovery(struct mp_sm *sm, int64_t now)
{
	size_t i, j;

	for (i = 0; i < sm->ndisc;) {
		bool keep = false;

		for (j = 0; j < sm->cfg.ndiscovery; j++)
			keep |= !strcmp(sm->disc[i].addr, sm->cfg.discovery[j]);
		if (keep && !sm->disc[i].inflight) {
			sm->disc[i].next_at = now;
			sm->disc[i].err = 0;
			sm->disc[i].reason[0] = '\0';
		}
		/* one in flight is dropped when its answer comes */
		if (keep || sm->disc[i].inflight) {
			i++;
			continue;
		}
		sm_remove(sm->disc, &sm->ndisc, sizeof(*sm->disc), i);
	}
	for (j = 0; j < sm->cfg.ndiscovery; j++) {
		struct sm_disc *d;

		if (sm_find_disc(sm, sm->cfg.discovery[j]))
			continue;
		d = SM_APPEND(&sm->disc, &sm->ndisc);
		if (!d)
			return -ENOMEM;
		SM_COPY(d->addr, sm->cfg.discovery[j]);
		d->next_at = now;
	}
	/* entries found through an address no longer configured are forgotten */
	for (i = 0; i < sm->ntents;) {
		if (sm_find_disc(sm, sm->tents[i].from))
			i++;
		else
			sm_remove(sm->tents, &sm->ntents, sizeof(*sm->tents), i);
	}
	return 0;
}

int mp_sm_create(const struct mp_config *cfg, struct mp_sm **out)
{
	struct mp_sm *sm = calloc(1, sizeof(*sm));

	if (!sm)
		return -ENOMEM;
	if (sm_config_copy(&sm->cfg, cfg) || sm_sync_discovery(sm, 0)) {
		mp_sm_destroy(sm);
		return -ENOMEM;
	}
	*out = sm;
	return 0;
}

void mp_sm_destroy(struct mp_sm *sm)
{
	if (!sm)
		return;
	for (size_t i = 0; i < sm->nreach; i++)
		free(sm->reach[i].nics);
	free(sm->reach);
	free(sm->nics);
	free(sm->disc);
	free(sm->tents);
	free(sm->links);
	free(sm->paths);
	free(sm->maps);
	free(sm->owned);
	free(sm->held);
	sm_config_free(&sm->cfg);
	free(sm);
}

static int sm_reconcile(struct mp_sm *sm, int64_t now, struct mp_actions *out);

int mp_sm_set_config(struct mp_sm *sm, const struct mp_config *cfg, int64_t now_ms,
		     struct mp_actions *out)
{
	struct mp_config c;

	if (sm_config_copy(&c, cfg))
		return -ENOMEM;
	sm_config_free(&sm->cfg);
	sm->cfg = c;
	/* a configured NIC list may have changed which NICs reach what: ask again */
	for (size_t i = 0; i < sm->nreach; i++)
		sm->reach[i].known = sm->reach[i].asked = false;
	if (sm_sync_discovery(sm, now_ms))
		return -ENOMEM;
	return sm_reconcile(sm, now_ms, out);
}

static bool sm_target_wanted(const struct mp_sm *sm, const char *iqn)
{
	if (!sm->cfg.ntargets)
		return true;
	for (size_t i = 0; i < sm->cfg.ntargets; i++)
		if (iscsi_name_equal(sm->cfg.targets[i], iqn))
			return true;
	return false;
}

/* ---- the reconcile pass: NICs and reach ---- */

/* Asks once which NICs reach addr; the answer stays until the NICs change. */
static int sm_want_reach(struct mp_sm *sm, const char *addr, struct mp_actions *out)
{
	struct sm_reach *r = sm_find_reach(sm, addr);
	struct mp_action *a;

	if (!r) {
		r = SM_APPEND(&sm->reach, &sm->nreach);
		if (!r)
			return -ENOMEM;
		SM_COPY(r->addr, addr);
	}
	if (r->known || r->asked)
		return 0;
	a = sm_act(out, MP_ACT_REACH);
	if (!a)
		return -ENOMEM;
	SM_COPY(a->u.addr, addr);
	r->asked = true;
	return 0;
}

/* Prepares every NIC that some known reach answer names. */
static int sm_prepare_nics(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	for (size_t i = 0; i < sm->nnics; i++) {
		struct sm_nic *n = &sm->nics[i];
		bool used = false;
		struct mp_action *a;

		for (size_t r = 0; r < sm->nreach && !used; r++)
			for (size_t k = 0; sm->reach[r].known && k < sm->reach[r].n; k++)
				used |= !strcmp(sm->reach[r].nics[k], n->st.name);
		n->used = used;
		if (!used || !n->present)
			continue;
		if (n->prep == SM_NIC_UNPREPARED ||
		    (n->prep == SM_NIC_PREP_FAILED && now >= n->prep_retry_at)) {
			a = sm_act(out, MP_ACT_NIC_PREPARE);
			if (!a)
				return -ENOMEM;
			SM_COPY(a->u.nic, n->st.name);
			n->prep = SM_NIC_PREPARING;
		}
	}
	return 0;
}

/* Whether nic can carry a session now: prepared, up, with carrier and an address. */
static bool sm_nic_usable(struct mp_sm *sm, const char *name)
{
	struct sm_nic *n = sm_find_nic(sm, name);

	return n && n->present && n->prep == SM_NIC_READY && n->st.up && n->st.carrier &&
	       n->st.has_addr;
}

/* ---- discovery ---- */

static int sm_discover(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	/* everything torn down: quiet until reconfigure */
	if (sm->hold_all)
		return 0;
	for (size_t i = 0; i < sm->ndisc; i++) {
		struct sm_disc *d = &sm->disc[i];
		char usable[MP_NIC_MAX * 8][MP_NIC_MAX];
		size_t nusable = 0;
		struct sm_reach *r;
		struct mp_action *a;
		int rc;

		if (d->inflight || now < d->next_at)
			continue;
		rc = sm_want_reach(sm, d->addr, out);
		if (rc)
			return rc;
		r = sm_find_reach(sm, d->addr);
		/* the answer, or a NIC that gets ready, is an event: no timer until then */
		d->waiting = true;
		if (!r->known)
			continue;
		d->waiting = false;
		if (!r->n) {
			if (!d->err)
				d->failing_since = now;
			d->err = -ENETUNREACH;
			snprintf(d->reason, sizeof(d->reason),
				 "no storage NIC has a route to the discovery address");
			d->next_at = now + sm->cfg.policy.login_retry_s * 1000LL;
			continue;
		}
		for (size_t k = 0; k < r->n && nusable < ARRAY_SIZE(usable); k++)
			if (sm_nic_usable(sm, r->nics[k]))
				SM_COPY(usable[nusable++], r->nics[k]);
		/* a NIC that comes up or gets ready brings a new pass: wait for it */
		if (!nusable) {
			d->waiting = true;
			continue;
		}
		a = sm_act(out, MP_ACT_DISCOVER);
		if (!a)
			return -ENOMEM;
		SM_COPY(d->nic, usable[d->rr % nusable]);
		SM_COPY(a->u.discover.nic, d->nic);
		SM_COPY(a->u.discover.addr, d->addr);
		d->inflight = true;
	}
	return 0;
}

static int sm_feed_discovery(struct mp_sm *sm, const struct mp_ev_discovery *ev, int64_t now)
{
	struct sm_disc *d = sm_find_disc(sm, ev->addr);
	size_t i;

	if (!d)
		return 0;
	d->inflight = false;
	/* dropped from the configuration while it was asked: forget it now */
	for (i = 0; i < sm->cfg.ndiscovery; i++)
		if (!strcmp(sm->cfg.discovery[i], d->addr))
			break;
	if (i == sm->cfg.ndiscovery) {
		sm_remove(sm->disc, &sm->ndisc, sizeof(*sm->disc), (size_t)(d - sm->disc));
		return 0;
	}
	if (ev->err) {
		/* keep what the last good answer said: a portal that does not answer now
		 * has not stopped serving its targets */
		if (!d->err)
			d->failing_since = now;
		d->err = ev->err;
		SM_COPY(d->reason, ev->reason);
		d->rr++; /* another NIC next time, if there is one */
		d->next_at = now + sm->cfg.policy.login_retry_s * 1000LL;
		return 0;
	}
	d->err = 0;
	d->reason[0] = '\0';
	d->ok_once = true;
	d->next_at = now + sm->cfg.policy.discovery_interval_s * 1000LL;
	for (i = 0; i < sm->ntents;) {
		if (!strcmp(sm->tents[i].from, d->addr))
			sm_remove(sm->tents, &sm->ntents, sizeof(*sm->tents), i);
		else
			i++;
	}
	for (i = 0; i < ev->nentries; i++) {
		struct sm_tentry *t = SM_APPEND(&sm->tents, &sm->ntents);

		if (!t)
			return -ENOMEM;
		t->e = ev->entries[i];
		SM_COPY(t->from, ev->addr);
	}
	return 0;
}

/* ---- links ---- */

/* Whether every discovery address has answered once: only then is a portal not named gone. */
static bool sm_discovery_known(const struct mp_sm *sm)
{
	for (size_t i = 0; i < sm->ndisc; i++)
		if (!sm->disc[i].ok_once)
			return false;
	return true;
}

static const struct sm_tentry *sm_find_tentry(const struct mp_sm *sm, const char *target,
					      const char *portal)
{
	for (size_t i = 0; i < sm->ntents; i++)
		if (!strcmp(sm->tents[i].e.portal, portal) &&
		    iscsi_name_equal(sm->tents[i].e.target, target))
			return &sm->tents[i];
	return NULL;
}

/*
 * Whether link l is wanted. A session that exists goes only on knowledge,
 * never for the lack of it: it stays while discovery has not answered yet
 * (a pathd just restarted) or the routes are being asked again. A login,
 * though, is made only on knowledge.
 */
static bool sm_link_wanted(struct mp_sm *sm, const struct sm_link *l)
{
	const struct sm_reach *r;

	if (l->held || sm->hold_all || !sm_target_wanted(sm, l->key.target))
		return false;
	if (!sm_find_tentry(sm, l->key.target, l->key.portal))
		return l->have_session && !sm_discovery_known(sm);
	r = sm_find_reach(sm, l->key.portal);
	if (!r || !r->known)
		return l->have_session;
	for (size_t k = 0; k < r->n; k++)
		if (!strcmp(r->nics[k], l->key.nic))
			return true;
	return false;
}

/*
 * Makes the links every (target, portal) wants, over every prepared NIC
 * that reaches it, and says of every link whether it is wanted.
 */
static int sm_want_links(struct mp_sm *sm, struct mp_actions *out)
{
	size_t i, k;
	int rc;

	for (i = 0; i < sm->ntents; i++) {
		const struct mp_disc_entry *e = &sm->tents[i].e;
		struct sm_reach *r;

		/* the same portal named by two discovery addresses is one portal */
		if (!sm_target_wanted(sm, e->target) ||
		    sm_find_tentry(sm, e->target, e->portal) != &sm->tents[i])
			continue;
		rc = sm_want_reach(sm, e->portal, out);
		if (rc)
			return rc;
		r = sm_find_reach(sm, e->portal);
		for (k = 0; r->known && k < r->n; k++) {
			struct sm_nic *n = sm_find_nic(sm, r->nics[k]);
			struct mp_link_key key;
			struct sm_link *l;

			if (!n || !n->present || n->prep != SM_NIC_READY)
				continue;
			memset(&key, 0, sizeof(key));
			SM_COPY(key.nic, n->st.name);
			SM_COPY(key.portal, e->portal);
			SM_COPY(key.target, e->target);
			l = sm_find_link(sm, &key);
			if (!l) {
				l = SM_APPEND(&sm->links, &sm->nlinks);
				if (!l)
					return -ENOMEM;
				l->key = key;
				l->state = MP_LINK_IDLE;
			}
			l->tpgt = e->tpgt;
		}
	}
	for (i = 0; i < sm->nlinks; i++)
		sm->links[i].wanted = sm_link_wanted(sm, &sm->links[i]);
	return 0;
}

static int64_t sm_retry_delay(const struct mp_sm *sm, unsigned int failures)
{
	int64_t ms = sm->cfg.policy.login_retry_s * 1000LL;

	ms <<= MIN(failures ? failures - 1 : 0, 16u);
	return MIN(ms, (int64_t)SM_LOGIN_RETRY_MAX_MS);
}

static int sm_links_reconcile(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	for (size_t i = 0; i < sm->nlinks;) {
		struct sm_link *l = &sm->links[i];
		struct mp_action *a;

		if (l->state == MP_LINK_LOGGING_IN || l->state == MP_LINK_LOGGING_OUT) {
			i++;
			continue;
		}
		if (l->have_session) {
			l->state = l->logged_in ? MP_LINK_UP : MP_LINK_RECOVERING;
			/*
			 * A session we no longer want goes, unless a map in use still
			 * needs it; a torn-down one once its disks are deleted.
			 */
			if (!l->wanted && !sm_link_in_use(sm, &l->key) &&
			    (!l->held || !sm_link_npaths(sm, &l->key)) && now >= l->retry_at) {
				a = sm_act(out, MP_ACT_LOGOUT);
				if (!a)
					return -ENOMEM;
				a->u.logout = l->key;
				l->state = MP_LINK_LOGGING_OUT;
			}
			i++;
			continue;
		}
		if (!l->wanted) {
			/* a held link is kept (not logged in again) until reconfigure */
			if (l->held) {
				l->state = MP_LINK_IDLE;
				i++;
				continue;
			}
			sm_remove(sm->links, &sm->nlinks, sizeof(*sm->links), i);
			continue;
		}
		if (!sm_nic_usable(sm, l->key.nic)) {
			/* the last failure stays in reason; carrier back brings a login at once */
			l->state = MP_LINK_NO_CARRIER;
			l->retry_at = 0;
			i++;
			continue;
		}
		if (l->state == MP_LINK_NO_CARRIER)
			l->state = MP_LINK_IDLE;
		if (now >= l->retry_at) {
			a = sm_act(out, MP_ACT_LOGIN);
			if (!a)
				return -ENOMEM;
			a->u.login.key = l->key;
			a->u.login.tpgt = l->tpgt;
			l->state = MP_LINK_LOGGING_IN;
		}
		i++;
	}
	return 0;
}

static struct sm_link *sm_link_for(struct mp_sm *sm, const struct mp_link_key *key)
{
	struct sm_link *l = sm_find_link(sm, key);

	if (l)
		return l;
	l = SM_APPEND(&sm->links, &sm->nlinks);
	if (l) {
		l->key = *key;
		l->state = MP_LINK_IDLE;
	}
	return l;
}

static int sm_feed_session(struct mp_sm *sm, const struct mp_ev_session *s, int64_t now)
{
	struct sm_link *l = sm_link_for(sm, &s->key);

	if (!l)
		return -ENOMEM;
	if (!l->have_session || (s->logged_in && !l->logged_in))
		l->up_since = now;
	l->have_session = true;
	l->logged_in = s->logged_in;
	l->sid = s->sid;
	l->recovery_tmo_s = s->recovery_tmo_s;
	l->noop_interval_s = s->noop_out_interval_s;
	l->noop_timeout_s = s->noop_out_timeout_s;
	if (l->state != MP_LINK_LOGGING_IN && l->state != MP_LINK_LOGGING_OUT)
		l->state = s->logged_in ? MP_LINK_UP : MP_LINK_RECOVERING;
	return 0;
}

static void sm_feed_session_gone(struct mp_sm *sm, const struct mp_link_key *key, int64_t now)
{
	struct sm_link *l = sm_find_link(sm, key);

	if (!l)
		return;
	l->have_session = false;
	l->logged_in = false;
	l->sid = 0;
	if (l->state == MP_LINK_UP || l->state == MP_LINK_RECOVERING) {
		/* logged out behind our back: log in again at once if it is wanted */
		l->state = MP_LINK_IDLE;
		l->retry_at = now;
	} else if (l->state == MP_LINK_LOGGING_OUT) {
		/* our logout did it; its answer, when it comes, has nothing left to say */
		l->state = MP_LINK_IDLE;
	}
}

static void sm_feed_login(struct mp_sm *sm, const struct mp_ev_login *ev, int64_t now)
{
	struct sm_link *l = sm_find_link(sm, &ev->key);

	if (!l || l->state != MP_LINK_LOGGING_IN)
		return;
	if (!ev->err) {
		l->failures = 0;
		l->auth_failed = false;
		l->reason[0] = '\0';
		l->failing_since = 0;
		if (l->have_session) {
			l->state = l->logged_in ? MP_LINK_UP : MP_LINK_RECOVERING;
		} else {
			/* the session must show up in the next scan; until then, try again later */
			l->state = MP_LINK_IDLE;
			l->retry_at = now + sm_retry_delay(sm, 1);
		}
		return;
	}
	if (!l->failures)
		l->failing_since = now;
	l->failures++;
	l->auth_failed = ev->auth_failed;
	SM_COPY(l->reason, ev->reason);
	l->state = MP_LINK_FAILED;
	l->retry_at = now + sm_retry_delay(sm, l->failures);
}

static void sm_feed_logout(struct mp_sm *sm, const struct mp_link_key *key, int64_t now)
{
	struct sm_link *l = sm_find_link(sm, key);

	if (!l || l->state != MP_LINK_LOGGING_OUT)
		return;
	/*
	 * The session scan tells whether it is really gone (MP_EV_SESSION_GONE,
	 * fed before this answer). Still there: the logout did not take (or
	 * another session over the same iface and portal was seen); the next
	 * try waits, as a failed login's does, instead of asking again at once.
	 */
	if (!l->have_session) {
		l->state = MP_LINK_IDLE;
		l->failures = 0;
		return;
	}
	l->state = l->logged_in ? MP_LINK_UP : MP_LINK_RECOVERING;
	if (!l->failures)
		l->failing_since = now;
	l->failures++;
	l->retry_at = now + sm_retry_delay(sm, l->failures);
	snprintf(l->reason, sizeof(l->reason),
		 "logged out, but session %u is still there (%u tries)", l->sid, l->failures);
}

/* ---- NICs ---- */

/* The NICs changed: every reach answer may be stale. */
static void sm_forget_reach(struct mp_sm *sm)
{
	for (size_t i = 0; i < sm->nreach; i++)
		sm->reach[i].known = sm->reach[i].asked = false;
}

static int sm_feed_nic(struct mp_sm *sm, const struct mp_ev_nic *ev)
{
	struct sm_nic *n = sm_find_nic(sm, ev->name);
	bool changed;

	if (!n) {
		n = SM_APPEND(&sm->nics, &sm->nnics);
		if (!n)
			return -ENOMEM;
		changed = true;
	} else {
		changed = !n->present || n->st.up != ev->up || n->st.has_addr != ev->has_addr ||
			  n->st.ifindex != ev->ifindex;
	}
	n->st = *ev;
	n->present = true;
	/* carrier alone does not change routes; addresses and links do */
	if (changed)
		sm_forget_reach(sm);
	return 0;
}

static void sm_feed_nic_gone(struct mp_sm *sm, const char *name)
{
	struct sm_nic *n = sm_find_nic(sm, name);

	if (!n)
		return;
	n->present = false;
	n->st.carrier = false;
	n->prep = SM_NIC_UNPREPARED;
	sm_forget_reach(sm);
}

static void sm_feed_prepared(struct mp_sm *sm, const struct mp_ev_nic_prepared *ev, int64_t now)
{
	struct sm_nic *n = sm_find_nic(sm, ev->nic);

	if (!n || n->prep != SM_NIC_PREPARING)
		return;
	if (ev->err) {
		n->prep = SM_NIC_PREP_FAILED;
		n->prep_retry_at = now + sm->cfg.policy.login_retry_s * 1000LL;
		SM_COPY(n->reason, ev->reason);
		return;
	}
	n->prep = SM_NIC_READY;
	n->reason[0] = '\0';
}

static int sm_feed_reach(struct mp_sm *sm, const struct mp_ev_reach *ev)
{
	struct sm_reach *r = sm_find_reach(sm, ev->addr);
	char(*nics)[MP_NIC_MAX] = NULL;

	if (!r)
		return 0;
	if (ev->nnics) {
		nics = malloc(ev->nnics * sizeof(*nics));
		if (!nics)
			return -ENOMEM;
		memcpy(nics, ev->nics, ev->nnics * sizeof(*nics));
	}
	free(r->nics);
	r->nics = nics;
	r->n = ev->nnics;
	r->known = true;
	r->asked = false;
	/* a NIC we have not heard of yet still counts: MP_EV_NIC brings its state */
	return 0;
}

/* ---- the pass, the switch, the clock ---- */

static int sm_reconcile(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	int rc;

	if (!sm->started)
		return 0;
	rc = sm_discover(sm, now, out);
	if (!rc)
		rc = sm_want_links(sm, out);
	if (!rc)
		rc = sm_prepare_nics(sm, now, out);
	if (!rc)
		rc = sm_links_reconcile(sm, now, out);
	if (!rc)
		rc = sm_health_reconcile(sm, now, out);
	if (!rc)
		rc = sm_maps_reconcile(sm, now, out);
	if (!rc)
		rc = sm_paths_reconcile(sm, now, out);
	return rc;
}

static int sm_reconfigure(struct mp_sm *sm, int64_t now, struct mp_actions *out)
{
	sm->hold_all = false;
	free(sm->held);
	sm->held = NULL;
	sm->nheld = 0;
	for (size_t i = 0; i < sm->nlinks; i++)
		sm->links[i].held = false;
	for (size_t i = 0; i < sm->npaths; i++)
		sm->paths[i].delete_sent = false;
	for (size_t i = 0; i < sm->ndisc; i++)
		if (!sm->disc[i].inflight)
			sm->disc[i].next_at = now;
	for (size_t i = 0; i < sm->nlinks; i++) {
		struct sm_link *l = &sm->links[i];
		struct mp_action *a;

		if (l->state == MP_LINK_FAILED)
			l->retry_at = now;
		if (l->have_session && l->logged_in) {
			a = sm_act(out, MP_ACT_RESCAN);
			if (!a)
				return -ENOMEM;
			a->u.rescan_sid = l->sid;
		}
	}
	for (size_t i = 0; i < sm->nnics; i++)
		if (sm->nics[i].prep == SM_NIC_PREP_FAILED)
			sm->nics[i].prep_retry_at = now;
	sm_forget_reach(sm);
	return 0;
}

int mp_sm_feed(struct mp_sm *sm, const struct mp_event *ev, int64_t now_ms,
	       struct mp_actions *out)
{
	int rc = 0;

	switch (ev->type) {
	case MP_EV_NIC:
		rc = sm_feed_nic(sm, &ev->u.nic);
		break;
	case MP_EV_NIC_GONE:
		sm_feed_nic_gone(sm, ev->u.nic_gone);
		break;
	case MP_EV_ROUTES:
		sm_forget_reach(sm);
		break;
	case MP_EV_NIC_PREPARED:
		sm_feed_prepared(sm, &ev->u.prepared, now_ms);
		break;
	case MP_EV_REACH:
		rc = sm_feed_reach(sm, &ev->u.reach);
		break;
	case MP_EV_DISCOVERY_DONE:
		rc = sm_feed_discovery(sm, &ev->u.discovery, now_ms);
		break;
	case MP_EV_LOGIN_DONE:
		sm_feed_login(sm, &ev->u.login, now_ms);
		break;
	case MP_EV_LOGOUT_DONE:
		sm_feed_logout(sm, &ev->u.link, now_ms);
		break;
	case MP_EV_SESSION:
		rc = sm_feed_session(sm, &ev->u.session, now_ms);
		break;
	case MP_EV_SESSION_GONE:
		sm_feed_session_gone(sm, &ev->u.link, now_ms);
		break;
	case MP_EV_DISK:
		rc = sm_feed_disk(sm, &ev->u.disk);
		break;
	case MP_EV_DISK_GONE:
		sm_feed_disk_gone(sm, &ev->u.path);
		break;
	case MP_EV_MAP:
		rc = sm_feed_map(sm, &ev->u.map, now_ms);
		break;
	case MP_EV_MAP_GONE:
		sm_feed_map_gone(sm, ev->u.map_gone);
		break;
	case MP_EV_MAP_DONE:
		sm_feed_map_done(sm, &ev->u.map_done, now_ms);
		break;
	case MP_EV_PATH_DONE:
		sm_feed_path_done(sm, &ev->u.path_done);
		break;
	case MP_EV_STARTED:
		sm->started = true;
		break;
	case MP_EV_ADMIN_FAIL:
	case MP_EV_ADMIN_REINSTATE:
		rc = sm_admin_path(sm, ev->u.admin.dev, ev->type == MP_EV_ADMIN_FAIL);
		break;
	case MP_EV_RECONFIGURE:
		rc = sm_reconfigure(sm, now_ms, out);
		break;
	case MP_EV_TEARDOWN:
		rc = sm_teardown(sm, ev->u.teardown);
		break;
	case MP_EV_CHECK_DONE:
		rc = sm_feed_check(sm, &ev->u.check, now_ms, out);
		break;
	case MP_EV_DISK_UA:
		rc = sm_feed_disk_ua(sm, &ev->u.disk_ua, now_ms, out);
		break;
	}
	if (rc)
		return rc;
	return sm_reconcile(sm, now_ms, out);
}

int mp_sm_tick(struct mp_sm *sm, int64_t now_ms, struct mp_actions *out)
{
	return sm_reconcile(sm, now_ms, out);
}

int64_t mp_sm_next_deadline(const struct mp_sm *sm)
{
	int64_t t = INT64_MAX;
	size_t i;

	if (!sm->started)
		return t;
	/*
	 * Only what a tick would do something about: a wait that ends with an
	 * event (a reach answer, carrier back) has no deadline, so the daemon
	 * never spins on one that has passed.
	 */
	for (i = 0; i < sm->ndisc && !sm->hold_all; i++)
		if (!sm->disc[i].inflight && !sm->disc[i].waiting)
			t = MIN(t, sm->disc[i].next_at);
	for (i = 0; i < sm->nlinks; i++)
		if (sm->links[i].state == MP_LINK_FAILED ||
		    (sm->links[i].have_session && !sm->links[i].wanted && sm->links[i].failures &&
		     sm->links[i].state != MP_LINK_LOGGING_OUT))
			t = MIN(t, sm->links[i].retry_at);
	for (i = 0; i < sm->nnics; i++)
		if (sm->nics[i].prep == SM_NIC_PREP_FAILED && sm->nics[i].used && sm->nics[i].present)
			t = MIN(t, sm->nics[i].prep_retry_at);
	t = MIN(t, sm_health_deadline(sm));
	return MIN(t, sm_maps_deadline(sm));
}

/* ---- views ---- */

size_t mp_sm_nics(const struct mp_sm *sm, struct mp_ev_nic *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sm->nnics; i++) {
		if (!sm->nics[i].present)
			continue;
		if (n < max)
			out[n] = sm->nics[i].st;
		n++;
	}
	return n;
}

size_t mp_sm_links(const struct mp_sm *sm, struct mp_link_view *out, size_t max)
{
	for (size_t i = 0; i < sm->nlinks && i < max; i++) {
		const struct sm_link *l = &sm->links[i];
		const struct mp_policy *p = &sm->cfg.policy;
		struct mp_link_view *v = &out[i];

		memset(v, 0, sizeof(*v));
		v->key = l->key;
		v->tpgt = l->tpgt;
		v->state = l->state;
		v->sid = l->sid;
		v->npaths = sm_link_npaths(sm, &l->key);
		SM_COPY(v->reason, l->reason);
		v->retry_at = l->retry_at;
		/* 0 is pathd's own while the session has a spare path, or was just kicked */
		v->drift = l->have_session &&
			   ((l->recovery_tmo_s != (int32_t)p->replacement_timeout_s &&
			     !(l->recovery_tmo_s == 0 && (l->fast || l->kicked))) ||
			    (l->noop_interval_s >= 0 &&
			     l->noop_interval_s != (int32_t)p->noop_out_interval_s) ||
			    (l->noop_timeout_s >= 0 &&
			     l->noop_timeout_s != (int32_t)p->noop_out_timeout_s));
	}
	return sm->nlinks;
}

static void sm_cond(struct mp_condition *out, size_t max, size_t *n, int64_t since,
		    const char *object, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void sm_cond(struct mp_condition *out, size_t max, size_t *n, int64_t since,
		    const char *object, const char *fmt, ...)
{
	va_list ap;

	if (*n < max) {
		SM_COPY(out[*n].object, object);
		va_start(ap, fmt);
		vsnprintf(out[*n].text, sizeof(out[*n].text), fmt, ap);
		va_end(ap);
		out[*n].since = since;
	}
	(*n)++;
}

size_t mp_sm_conditions(const struct mp_sm *sm, int64_t now_ms, struct mp_condition *out,
			size_t max)
{
	char obj[sizeof(out->object)];
	size_t n = 0, i;

	if (sm->hold_all)
		sm_cond(out, max, &n, 0, "pathd",
			"everything is torn down: no map, no login, no discovery until 'portico-path reconfigure'");
	for (i = 0; i < sm->nheld; i++) {
		snprintf(obj, sizeof(obj), "wwid %s", sm->held[i]);
		sm_cond(out, max, &n, 0, obj,
			"torn down: no map until 'portico-path reconfigure'");
	}
	for (i = 0; i < sm->nnics; i++) {
		const struct sm_nic *nic = &sm->nics[i];

		if (nic->prep == SM_NIC_PREP_FAILED)
			sm_cond(out, max, &n, 0, nic->st.name, "cannot be made a storage NIC: %s",
				nic->reason);
	}
	for (i = 0; i < sm->ndisc; i++) {
		const struct sm_disc *d = &sm->disc[i];

		if (!d->err)
			continue;
		snprintf(obj, sizeof(obj), "discovery %s", d->addr);
		if (d->nic[0])
			sm_cond(out, max, &n, d->failing_since, obj, "%s (over %s)", d->reason,
				d->nic);
		else
			sm_cond(out, max, &n, d->failing_since, obj, "%s", d->reason);
	}
	for (i = 0; i < sm->ntents; i++) {
		const struct mp_disc_entry *e = &sm->tents[i].e;
		const struct sm_reach *r = NULL;

		if (!sm_target_wanted(sm, e->target))
			continue;
		for (size_t k = 0; k < sm->nreach; k++)
			if (!strcmp(sm->reach[k].addr, e->portal))
				r = &sm->reach[k];
		if (r && r->known && !r->n) {
			snprintf(obj, sizeof(obj), "target %s portal %s", e->target, e->portal);
			sm_cond(out, max, &n, 0, obj, "no storage NIC has a route to this portal");
		}
	}
	for (i = 0; i < sm->nlinks; i++) {
		const struct sm_link *l = &sm->links[i];

		snprintf(obj, sizeof(obj), "target %s portal %s nic %s", l->key.target,
			 l->key.portal, l->key.nic);
		if (l->state == MP_LINK_FAILED)
			sm_cond(out, max, &n, l->failing_since, obj, "%s%s", l->reason,
				l->auth_failed ? "; check the CHAP secrets" : "");
		else if (l->state == MP_LINK_NO_CARRIER)
			sm_cond(out, max, &n, 0, obj, "waiting: the NIC is down or has no carrier");
		else if (l->state == MP_LINK_RECOVERING)
			sm_cond(out, max, &n, l->up_since, obj,
				"session %u is reconnecting (its I/O waits up to the replacement timeout)",
				l->sid);
		else if (l->state == MP_LINK_UP && !sm_link_npaths(sm, &l->key) &&
			 now_ms >= l->up_since + SM_NO_LUN_GRACE_MS)
			sm_cond(out, max, &n, l->up_since, obj,
				"logged in, but the target maps no LUN to this host");
		if (!l->wanted && l->have_session && l->state == MP_LINK_UP &&
		    sm_link_in_use(sm, &l->key))
			sm_cond(out, max, &n, 0, obj,
				"no longer offered by discovery; kept because a map in use has paths over it");
	}
	for (i = 0; i < sm->npaths; i++) {
		const struct sm_path *p = &sm->paths[i];

		/* a torn-down WWID has its own line above */
		if (!p->excluded || (p->wwid[0] && sm_held(sm, p->wwid)))
			continue;
		snprintf(obj, sizeof(obj), "path %s", p->dev);
		sm_cond(out, max, &n, 0, obj, "left out of any map: %s", p->reason);
	}
	/* a path in its map that carries no I/O, and why (a NIC without carrier, a failed check, ...) */
	for (i = 0; i < sm->npaths; i++) {
		const struct sm_path *p = &sm->paths[i];

		if (p->excluded || !p->in_table || p->usable || !p->judged)
			continue;
		snprintf(obj, sizeof(obj), "path %s", p->dev);
		sm_cond(out, max, &n, p->fails[0], obj, "failed: %s", p->why);
	}
	for (i = 0; i < sm->nmaps; i++) {
		const struct sm_map *m = &sm->maps[i];

		if (!m->owned)
			continue;
		snprintf(obj, sizeof(obj), "map %s", m->name);
		if (m->state == MP_MAP_FAILED)
			sm_cond(out, max, &n, m->failing_since, obj, "%s", m->reason);
		else if (m->exists && !m->npaths)
			sm_cond(out, max, &n, 0, obj,
				"has no path left and is open (%u): kept until it is closed",
				m->open_count);
		else if (m->queueing && m->cur_ok && !m->cur.queue_if_no_path)
			sm_cond(out, max, &n, m->queue_since, obj,
				"no usable path for longer than %u s: I/O fails",
				sm->cfg.policy.no_path_queue_s);
		else if (m->queueing)
			sm_cond(out, max, &n, m->queue_since, obj, "no usable path: I/O is queueing");
	}
	return n;
}

const char *mp_link_state_name(enum mp_link_state s)
{
	static const char *const names[] = {
		[MP_LINK_IDLE] = "idle",	     [MP_LINK_LOGGING_IN] = "logging-in",
		[MP_LINK_UP] = "up",		     [MP_LINK_RECOVERING] = "recovering",
		[MP_LINK_FAILED] = "failed",	     [MP_LINK_NO_CARRIER] = "no-carrier",
		[MP_LINK_LOGGING_OUT] = "logging-out",
	};

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *mp_path_state_name(enum mp_path_state s)
{
	static const char *const names[] = {
		[MP_PATH_ACTIVE] = "active",
		[MP_PATH_FAILED] = "failed",
		[MP_PATH_PENDING] = "pending",
		[MP_PATH_EXCLUDED] = "excluded",
	};

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *mp_map_state_name(enum mp_map_state s)
{
	static const char *const names[] = {
		[MP_MAP_ABSENT] = "absent",	  [MP_MAP_CREATING] = "creating",
		[MP_MAP_READY] = "ready",	  [MP_MAP_RELOADING] = "reloading",
		[MP_MAP_REMOVING] = "removing", [MP_MAP_FAILED] = "failed",
	};

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *mp_selector_name(enum mp_selector s)
{
	static const char *const names[] = {
		[MP_SELECTOR_SERVICE_TIME] = "service-time",
		[MP_SELECTOR_ROUND_ROBIN] = "round-robin",
		[MP_SELECTOR_QUEUE_LENGTH] = "queue-length",
	};

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "?";
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The membership of an rbd LU's gateway group on one gateway: a pure state
 * machine (rbd_member.h). One driver, bs_member_step: the event changes
 * the state, time lapses members and suspends us, then kick() asks for the
 * one adapter request that is due.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/scsi_proto.h"
#include "target/backstore/rbd_member.h"

/* librados's EBLOCKLISTED is ESHUTDOWN (rados/librados.h). */
#define MEMBER_EBLOCKLISTED ESHUTDOWN

const char *bs_member_state_name(enum bs_member_state s)
{
	switch (s) {
	case BS_MEMBER_STATE_JOINING:
		return "joining";
	case BS_MEMBER_STATE_MEMBER:
		return "member";
	case BS_MEMBER_STATE_SUSPENDED:
		return "suspended";
	case BS_MEMBER_STATE_FENCED:
		return "fenced";
	}
	return "?";
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t retry_delay(const struct bs_member *m)
{
	return m->cfg.renew_ms / 4 ? m->cfg.renew_ms / 4 : 1;
}

uint64_t bs_member_write_until(const struct bs_member *m)
{
	switch (m->state) {
	case BS_MEMBER_STATE_MEMBER:
	case BS_MEMBER_STATE_SUSPENDED:
		return m->renew_base + m->cfg.fence_ms;
	default:
		/* joining: the group does not know our address yet, so could not fence us */
		return 0;
	}
}

static struct bs_member_peer *peer_find(struct bs_member *m, const char *name)
{
	for (size_t i = 0; i < m->npeers; i++)
		if (strcmp(m->peers[i].rec.name, name) == 0)
			return &m->peers[i];
	return NULL;
}

static void peer_remove(struct bs_member *m, struct bs_member_peer *p)
{
	size_t at = (size_t)(p - m->peers);

	memmove(p, p + 1, (m->npeers - at - 1) * sizeof(*p));
	m->npeers--;
}

/* Whether this gateway is the one to fence lapsed members: the lowest-named live one. */
static bool fencer(const struct bs_member *m)
{
	if (m->state != BS_MEMBER_STATE_MEMBER)
		return false;
	for (size_t i = 0; i < m->npeers; i++)
		if (m->peers[i].state == BS_MEMBER_PEER_LIVE &&
		    strcmp(m->peers[i].rec.name, m->self.name) < 0)
			return false;
	return true;
}

uint64_t bs_member_next(const struct bs_member *m)
{
	uint64_t t = UINT64_MAX;

	if (m->state == BS_MEMBER_STATE_FENCED)
		return t;
	if (!m->busy) {
		t = min64(t, m->renew_due);
		if (m->want_list)
			t = min64(t, m->retry_at);
		for (size_t i = 0; i < m->npeers; i++)
			if (m->peers[i].state == BS_MEMBER_PEER_LAPSED && fencer(m))
				t = min64(t, m->retry_at);
	}
	if (m->state == BS_MEMBER_STATE_MEMBER)
		t = min64(t, m->renew_base + m->cfg.fence_ms);
	if (m->state == BS_MEMBER_STATE_SUSPENDED)
		t = min64(t, m->renew_base + m->cfg.lease_ms);
	for (size_t i = 0; i < m->npeers; i++)
		if (m->peers[i].state == BS_MEMBER_PEER_LIVE)
			t = min64(t, m->peers[i].heard + m->cfg.lease_ms);
	return t;
}

static void fence_self(struct bs_member *m, const char *why, struct bs_member_out *out)
{
	m->state = BS_MEMBER_STATE_FENCED;
	m->npeers = 0;
	out->why = why;
	out->acts |= BS_MEMBER_ACT_STOP_WRITES | BS_MEMBER_ACT_REPORT;
}

/* What time alone changes: our fence margin, and the peers' lapses. */
static void on_time(struct bs_member *m, struct bs_member_out *out)
{
	if (m->state == BS_MEMBER_STATE_FENCED)
		return;
	if (m->state == BS_MEMBER_STATE_MEMBER && m->now >= m->renew_base + m->cfg.fence_ms) {
		/*
		 * A follower serves writes without the LU's lease: cut off
		 * from the cluster it must stop before the group may count it
		 * lapsed (lease_ms after it was last heard, which is no
		 * earlier than our renewal was sent) and fence it.
		 */
		m->state = BS_MEMBER_STATE_SUSPENDED;
		out->why = "membership not renewed within two thirds of the lease";
		out->acts |= BS_MEMBER_ACT_STOP_WRITES;
	}
	if (m->state == BS_MEMBER_STATE_SUSPENDED && m->now >= m->renew_base + m->cfg.lease_ms) {
		/*
		 * The group counts us lapsed now and will blocklist this
		 * client: never serve again from it (a restart registers a
		 * new client).
		 */
		fence_self(m, "membership lapsed", out);
		return;
	}
	for (size_t i = 0; i < m->npeers; i++) {
		struct bs_member_peer *p = &m->peers[i];

		if (p->state == BS_MEMBER_PEER_LIVE && m->now >= p->heard + m->cfg.lease_ms) {
			p->state = BS_MEMBER_PEER_LAPSED;
			out->why = "a member lapsed";
			out->acts |= BS_MEMBER_ACT_REPORT;
		}
	}
}

static void kick(struct bs_member *m, struct bs_member_out *out)
{
	if (m->busy || m->state == BS_MEMBER_STATE_FENCED)
		return;
	if (m->want_list && m->now >= m->retry_at) {
		m->busy = true;
		out->acts |= BS_MEMBER_ACT_LIST;
		return;
	}
	if (m->now >= m->renew_due) {
		m->busy = true;
		m->renew_due = m->now; /* the send time, for the answer's sent_ms check */
		out->acts |= BS_MEMBER_ACT_RENEW;
		return;
	}
	if (!fencer(m) || m->now < m->retry_at)
		return;
	for (size_t i = 0; i < m->npeers; i++) {
		if (m->peers[i].state != BS_MEMBER_PEER_LAPSED)
			continue;
		m->busy = true;
		out->fence = m->peers[i].rec;
		out->acts |= BS_MEMBER_ACT_FENCE;
		return;
	}
}

/* A member's registration heard: a join, a renewal, or a re-registration after a restart. */
static void on_heard(struct bs_member *m, const struct bs_member_rec *r, struct bs_member_out *out)
{
	struct bs_member_peer *p;

	if (strcmp(r->name, m->self.name) == 0)
		return; /* our own notify comes back to us too */
	p = peer_find(m, r->name);
	if (p && p->state == BS_MEMBER_PEER_LAPSED) {
		/*
		 * Lapsed stays lapsed until fenced: a gateway that was
		 * frozen may have writes queued in its client that its
		 * renewal does not take back. A new instance (another
		 * address) waits for the old one's fence, then registers
		 * again on its next renewal.
		 */
		return;
	}
	if (!p) {
		if (m->npeers == BS_MEMBER_MAX)
			return;
		p = &m->peers[m->npeers++];
		memset(p, 0, sizeof(*p));
		out->acts |= BS_MEMBER_ACT_REPORT;
	} else if (strcmp(p->rec.addr, r->addr) != 0) {
		/* the same name, another client: the old one never said it left */
		p->state = BS_MEMBER_PEER_LAPSED;
		out->why = "a member came back under another client address";
		out->acts |= BS_MEMBER_ACT_REPORT;
		return;
	} else if (p->rec.ntags != r->ntags ||
		   memcmp(p->rec.tags, r->tags, r->ntags * sizeof(r->tags[0])) != 0) {
		out->acts |= BS_MEMBER_ACT_REPORT;
	}
	p->rec = *r;
	p->state = BS_MEMBER_PEER_LIVE;
	p->heard = m->now;
}

/* A member left cleanly, or was fenced and removed: only the instance named by its address. */
static void on_removed(struct bs_member *m, const struct bs_member_rec *r, bool gone,
		       struct bs_member_out *out)
{
	struct bs_member_peer *p;

	if (strcmp(r->name, m->self.name) == 0) {
		if (gone && strcmp(r->addr, m->self.addr) == 0)
			fence_self(m, "the group fenced this gateway", out);
		return;
	}
	p = peer_find(m, r->name);
	if (!p || strcmp(p->rec.addr, r->addr) != 0)
		return;
	peer_remove(m, p);
	out->acts |= BS_MEMBER_ACT_REPORT;
}

static void on_listed(struct bs_member *m, const struct bs_member_ev *ev, struct bs_member_out *out)
{
	if (ev->err) {
		m->retry_at = m->now + retry_delay(m);
		return;
	}
	m->want_list = false;
	/*
	 * Every member the object names is counted live from now: it has a
	 * whole lease to renew; one that left without a word (a stale
	 * entry, a dead gateway) lapses then, and is fenced and removed.
	 */
	for (size_t i = 0; i < ev->nrecs; i++) {
		const struct bs_member_rec *r = &ev->recs[i];
		struct bs_member_peer *p;

		if (strcmp(r->name, m->self.name) == 0 && strcmp(r->addr, m->self.addr) == 0)
			continue;
		p = peer_find(m, r->name);
		if (p && strcmp(p->rec.addr, r->addr) == 0)
			continue;
		if (p) {
			p->state = BS_MEMBER_PEER_LAPSED;
			continue;
		}
		if (m->npeers == BS_MEMBER_MAX)
			break;
		p = &m->peers[m->npeers++];
		memset(p, 0, sizeof(*p));
		p->rec = *r;
		/*
		 * our own name under another address: a previous life of this
		 * gateway that never left; lapsed at once, to be fenced
		 */
		p->state = strcmp(r->name, m->self.name) == 0 ? BS_MEMBER_PEER_LAPSED :
								 BS_MEMBER_PEER_LIVE;
		p->heard = m->now;
		out->acts |= BS_MEMBER_ACT_REPORT;
	}
}

static void on_renewed(struct bs_member *m, const struct bs_member_ev *ev, struct bs_member_out *out)
{
	if (ev->err) {
		m->renew_due = m->now + retry_delay(m);
		return;
	}
	if (ev->sent_ms > m->renew_base)
		m->renew_base = ev->sent_ms;
	m->renew_due = ev->sent_ms + m->cfg.renew_ms;
	if (m->now >= m->renew_base + m->cfg.fence_ms)
		return; /* too late to count: the next one must be quicker */
	if (m->state == BS_MEMBER_STATE_JOINING) {
		m->state = BS_MEMBER_STATE_MEMBER;
		out->why = "registered in the group";
		out->acts |= BS_MEMBER_ACT_REPORT;
	} else if (m->state == BS_MEMBER_STATE_SUSPENDED) {
		m->state = BS_MEMBER_STATE_MEMBER;
		out->why = "membership renewed again";
	}
}

static void on_fenced(struct bs_member *m, const struct bs_member_ev *ev, struct bs_member_out *out)
{
	struct bs_member_peer *p = ev->rec ? peer_find(m, ev->rec->name) : NULL;

	if (ev->err) {
		m->retry_at = m->now + retry_delay(m);
		return;
	}
	if (p && strcmp(p->rec.addr, ev->rec->addr) == 0) {
		peer_remove(m, p);
		out->why = "a lapsed member fenced and removed";
		out->acts |= BS_MEMBER_ACT_REPORT;
	}
}

static void step(struct bs_member *m, const struct bs_member_ev *ev, struct bs_member_out *out)
{
	switch (ev->type) {
	case BS_MEMBER_EV_TICK:
		return;
	case BS_MEMBER_EV_BLOCKLISTED:
		fence_self(m, "this gateway is blocklisted", out);
		return;
	case BS_MEMBER_EV_HEARD:
		if (ev->rec)
			on_heard(m, ev->rec, out);
		return;
	case BS_MEMBER_EV_LEFT:
	case BS_MEMBER_EV_GONE:
		if (ev->rec)
			on_removed(m, ev->rec, ev->type == BS_MEMBER_EV_GONE, out);
		return;
	default:
		break;
	}
	m->busy = false;
	if (ev->err == -MEMBER_EBLOCKLISTED) {
		fence_self(m, "this gateway is blocklisted", out);
		return;
	}
	switch (ev->type) {
	case BS_MEMBER_EV_LISTED:
		on_listed(m, ev, out);
		break;
	case BS_MEMBER_EV_RENEW_DONE:
		on_renewed(m, ev, out);
		break;
	case BS_MEMBER_EV_FENCE_DONE:
		on_fenced(m, ev, out);
		break;
	default:
		break;
	}
}

int bs_member_init(struct bs_member *m, const struct bs_owner_cfg *cfg,
		   const struct bs_member_rec *self, uint64_t now, struct bs_member_out *out)
{
	memset(out, 0, sizeof(*out));
	if (!self->name[0] || !self->addr[0] || self->ntags > BS_MEMBER_TAGS)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	m->self = *self;
	m->state = BS_MEMBER_STATE_JOINING;
	m->now = now;
	m->renew_due = now;
	m->want_list = true;
	m->retry_at = now;
	kick(m, out);
	return 0;
}

void bs_member_step(struct bs_member *m, const struct bs_member_ev *ev, uint64_t now,
		    struct bs_member_out *out)
{
	memset(out, 0, sizeof(*out));
	if (now > m->now)
		m->now = now;
	if (m->state == BS_MEMBER_STATE_FENCED)
		return;
	on_time(m, out);
	step(m, ev, out);
	on_time(m, out);
	kick(m, out);
}

void bs_member_relist(struct bs_member *m, struct bs_member_out *out)
{
	memset(out, 0, sizeof(*out));
	if (m->state == BS_MEMBER_STATE_FENCED)
		return;
	m->want_list = true;
	m->retry_at = m->now;
	kick(m, out);
}

void bs_member_set_tags(struct bs_member *m, const uint16_t *tags, size_t n,
			struct bs_member_out *out)
{
	memset(out, 0, sizeof(*out));
	if (n > BS_MEMBER_TAGS)
		return;
	if (n == m->self.ntags && memcmp(tags, m->self.tags, n * sizeof(*tags)) == 0)
		return;
	memcpy(m->self.tags, tags, n * sizeof(*tags));
	m->self.ntags = n;
	out->acts |= BS_MEMBER_ACT_REPORT;
	if (m->state == BS_MEMBER_STATE_FENCED)
		return;
	/* the others learn it from the next renewal: now */
	if (!m->busy)
		m->renew_due = m->now;
	kick(m, out);
}

/* ---- REPORT TARGET PORT GROUPS' view ---- */

static int tpg_cmp(const void *a, const void *b)
{
	const struct bs_member_tpg *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->gateway, y->gateway);
}

static size_t add_tpgs(struct bs_member_tpg *out, size_t n, size_t max,
		       const struct bs_member_rec *r, uint8_t state)
{
	for (size_t i = 0; i < r->ntags && n < max; i++) {
		out[n].id = r->tags[i];
		out[n].state = state;
		snprintf(out[n].gateway, sizeof(out[n].gateway), "%s", r->name);
		n++;
	}
	return n;
}

size_t bs_member_tpgs(const struct bs_member *m, const char *owner, uint8_t self_alua,
		      struct bs_member_tpg *out, size_t max)
{
	size_t n = 0, k = 0;

	n = add_tpgs(out, n, max, &m->self, self_alua);
	for (size_t i = 0; i < m->npeers; i++) {
		const struct bs_member_peer *p = &m->peers[i];
		uint8_t st;

		/* our own previous life: its ports are ours now */
		if (strcmp(p->rec.name, m->self.name) == 0)
			continue;
		if (p->state == BS_MEMBER_PEER_LAPSED)
			st = SCSI_ALUA_UNAVAILABLE;
		else if (owner && strcmp(owner, p->rec.name) == 0)
			st = SCSI_ALUA_ACTIVE_OPTIMIZED;
		else
			st = SCSI_ALUA_ACTIVE_NON_OPTIMIZED;
		n = add_tpgs(out, n, max, &p->rec, st);
	}
	qsort(out, n, sizeof(*out), tpg_cmp);
	/* one descriptor per group: a tag two gateways claim is a configuration error */
	for (size_t i = 0; i < n; i++)
		if (k == 0 || out[k - 1].id != out[i].id)
			out[k++] = out[i];
	return k;
}

/* ---- the words ---- */

static bool name_ok(const char *p, size_t len)
{
	if (len == 0 || len > BS_OWNER_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i] <= ' ' || p[i] > '~')
			return false;
	return true;
}

/* The next blank-separated word of p[*pos..len). */
static size_t word(const char *p, size_t len, size_t *pos, const char **w)
{
	size_t n = 0;

	while (*pos < len && p[*pos] == ' ')
		(*pos)++;
	*w = p + *pos;
	while (*pos < len && p[*pos] != ' ' && p[*pos] != '\0') {
		(*pos)++;
		n++;
	}
	return n;
}

static int put_tags(char *buf, size_t size, const struct bs_member_rec *r)
{
	size_t off = 0;

	if (r->ntags == 0)
		return snprintf(buf, size, "-") >= (int)size ? -ENOSPC : 1;
	for (size_t i = 0; i < r->ntags; i++) {
		int n = snprintf(buf + off, size - off, "%s%u", i ? "," : "", r->tags[i]);

		if (n < 0 || (size_t)n >= size - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	return (int)off;
}

/* "T[,T...]" or "-" (no port group shows it yet), ascending, each 1..65535. */
static int parse_tags(const char *w, size_t n, struct bs_member_rec *r)
{
	size_t i = 0;

	r->ntags = 0;
	if (n == 1 && w[0] == '-')
		return 0;
	while (i < n) {
		unsigned long v = 0;
		size_t d = 0;

		while (i < n && w[i] >= '0' && w[i] <= '9' && d < 6) {
			v = v * 10 + (unsigned long)(w[i] - '0');
			i++;
			d++;
		}
		if (d == 0 || v == 0 || v > 65535 || r->ntags == BS_MEMBER_TAGS ||
		    (r->ntags && v <= r->tags[r->ntags - 1]))
			return -EINVAL;
		r->tags[r->ntags++] = (uint16_t)v;
		if (i < n && w[i++] != ',')
			return -EINVAL;
		if (i == n && w[n - 1] == ',')
			return -EINVAL;
	}
	return 0;
}

int bs_member_value_build(char *buf, size_t size, const struct bs_member_rec *r)
{
	int n = snprintf(buf, size, "%s ", r->addr), t;

	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	t = put_tags(buf + n, size - (size_t)n, r);
	return t < 0 ? t : n + t;
}

static int parse_addr_tags(const char *p, size_t len, size_t *pos, struct bs_member_rec *r,
			   bool tags)
{
	const char *w;
	size_t n = word(p, len, pos, &w);

	if (n == 0 || n > BS_OWNER_ADDR_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (w[i] <= ' ' || w[i] > '~')
			return -EINVAL;
	memcpy(r->addr, w, n);
	r->addr[n] = '\0';
	if (tags) {
		n = word(p, len, pos, &w);
		if (n == 0 || parse_tags(w, n, r))
			return -EINVAL;
	}
	return word(p, len, pos, &w) ? -EINVAL : 0;
}

int bs_member_value_parse(const char *p, size_t len, const char *name, struct bs_member_rec *r)
{
	size_t pos = 0, nl = name ? strlen(name) : 0;

	memset(r, 0, sizeof(*r));
	if (!name_ok(name, nl))
		return -EINVAL;
	memcpy(r->name, name, nl + 1);
	return parse_addr_tags(p, len, &pos, r, true);
}

int bs_member_msg_build(char *buf, size_t size, enum bs_member_ev_type type,
			const struct bs_member_rec *r)
{
	const char *verb = type == BS_MEMBER_EV_HEARD ? "alive" :
			   type == BS_MEMBER_EV_LEFT  ? "left" :
			   type == BS_MEMBER_EV_GONE  ? "gone" :
							NULL;
	int n, t;

	if (!verb)
		return -EINVAL;
	n = snprintf(buf, size, "%s %s %s", verb, r->name, r->addr);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	if (type != BS_MEMBER_EV_HEARD)
		return n;
	if ((size_t)n + 1 >= size)
		return -ENOSPC;
	buf[n++] = ' ';
	t = put_tags(buf + n, size - (size_t)n, r);
	return t < 0 ? t : n + t;
}

int bs_member_msg_parse(const char *p, size_t len, enum bs_member_ev_type *type,
			struct bs_member_rec *r)
{
	size_t pos = 0, n;
	const char *w;

	memset(r, 0, sizeof(*r));
	n = word(p, len, &pos, &w);
	if (n == 5 && memcmp(w, "alive", 5) == 0)
		*type = BS_MEMBER_EV_HEARD;
	else if (n == 4 && memcmp(w, "left", 4) == 0)
		*type = BS_MEMBER_EV_LEFT;
	else if (n == 4 && memcmp(w, "gone", 4) == 0)
		*type = BS_MEMBER_EV_GONE;
	else
		return -EINVAL;
	n = word(p, len, &pos, &w);
	if (!name_ok(w, n))
		return -EINVAL;
	memcpy(r->name, w, n);
	r->name[n] = '\0';
	return parse_addr_tags(p, len, &pos, r, *type == BS_MEMBER_EV_HEARD);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ownership of one rbd LU on one gateway: a pure state machine
 * (rbd_owner.h). One driver, bs_owner_step: the event changes the state,
 * then kick() asks for whatever adapter request is due, one at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/scsi_proto.h"
#include "target/backstore/rbd_owner.h"

/* librados's EBLOCKLISTED is ESHUTDOWN (rados/librados.h). */
#define OWNER_EBLOCKLISTED ESHUTDOWN

int bs_owner_cfg_check(struct bs_owner_cfg *cfg)
{
	if (!cfg->lease_ms)
		cfg->lease_ms = BS_OWNER_LEASE_MS;
	if (!cfg->renew_ms)
		cfg->renew_ms = cfg->lease_ms / 3;
	if (!cfg->fence_ms)
		cfg->fence_ms = cfg->lease_ms / 3 * 2;
	/*
	 * A renewal must be tried at least once before the owner stops
	 * writing, and the owner must stop before anyone may take over.
	 */
	if (cfg->renew_ms == 0 || cfg->renew_ms >= cfg->fence_ms || cfg->fence_ms >= cfg->lease_ms)
		return -EINVAL;
	return 0;
}

const char *bs_owner_state_name(enum bs_owner_state s)
{
	switch (s) {
	case BS_OWNER_STATE_FOLLOWER:
		return "follower";
	case BS_OWNER_STATE_ACQUIRING:
		return "acquiring";
	case BS_OWNER_STATE_FENCING:
		return "fencing";
	case BS_OWNER_STATE_PUBLISHING:
		return "publishing";
	case BS_OWNER_STATE_OWNER:
		return "owner";
	case BS_OWNER_STATE_SUSPENDED:
		return "suspended";
	case BS_OWNER_STATE_RELEASING:
		return "releasing";
	case BS_OWNER_STATE_FENCED_OUT:
		return "fenced-out";
	}
	return "?";
}

uint8_t bs_owner_alua(const struct bs_owner *o)
{
	switch (o->state) {
	case BS_OWNER_STATE_FOLLOWER:
	case BS_OWNER_STATE_ACQUIRING:
		return SCSI_ALUA_ACTIVE_NON_OPTIMIZED;
	case BS_OWNER_STATE_OWNER:
		return SCSI_ALUA_ACTIVE_OPTIMIZED;
	case BS_OWNER_STATE_FENCING:
	case BS_OWNER_STATE_PUBLISHING:
	case BS_OWNER_STATE_SUSPENDED:
	case BS_OWNER_STATE_RELEASING:
		return SCSI_ALUA_TRANSITIONING;
	case BS_OWNER_STATE_FENCED_OUT:
		break;
	}
	return SCSI_ALUA_UNAVAILABLE;
}

/* States in which this gateway holds (or believes it holds) the lease and renews it. */
static bool holds_lease(const struct bs_owner *o)
{
	switch (o->state) {
	case BS_OWNER_STATE_FENCING:
	case BS_OWNER_STATE_PUBLISHING:
	case BS_OWNER_STATE_OWNER:
	case BS_OWNER_STATE_SUSPENDED:
	case BS_OWNER_STATE_RELEASING:
		return true;
	default:
		return false;
	}
}

uint64_t bs_owner_write_until(const struct bs_owner *o)
{
	switch (o->state) {
	case BS_OWNER_STATE_OWNER:
	case BS_OWNER_STATE_SUSPENDED:
	case BS_OWNER_STATE_RELEASING:
		return o->lease_base + o->cfg.fence_ms;
	case BS_OWNER_STATE_FENCED_OUT:
		return 0;
	default:
		/* a non-owner serves writes too (docs/rbd.md, "Why not librbd's exclusive lock") */
		return UINT64_MAX;
	}
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

uint64_t bs_owner_next(const struct bs_owner *o)
{
	uint64_t t = UINT64_MAX;

	if (!o->busy) {
		if (holds_lease(o))
			t = min64(t, o->renew_due);
		if (o->state == BS_OWNER_STATE_FOLLOWER)
			t = min64(t, o->want ? o->next_try : max64(o->next_try, o->hold_off_until));
		if (!o->phase_sent && (o->state == BS_OWNER_STATE_FENCING ||
				       o->state == BS_OWNER_STATE_PUBLISHING ||
				       o->state == BS_OWNER_STATE_RELEASING))
			t = min64(t, o->retry_at);
	}
	if (o->state == BS_OWNER_STATE_OWNER || o->state == BS_OWNER_STATE_RELEASING ||
	    o->state == BS_OWNER_STATE_FENCING || o->state == BS_OWNER_STATE_PUBLISHING)
		t = min64(t, o->lease_base + o->cfg.fence_ms);
	if (o->state == BS_OWNER_STATE_SUSPENDED)
		t = min64(t, o->lease_base + o->cfg.lease_ms);
	return t;
}

static void copy_name(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void set_state(struct bs_owner *o, enum bs_owner_state s, const char *why,
		      struct bs_owner_out *out)
{
	if (o->state != s && why)
		out->why = why;
	o->state = s;
	o->phase_sent = false;
	o->retry_at = o->now;
}

/* Stops writes: the owner's (or would-be owner's) lease can no longer be trusted. */
static void fence_self(struct bs_owner *o, const char *why, struct bs_owner_out *out)
{
	set_state(o, BS_OWNER_STATE_FENCED_OUT, why, out);
	out->why = why;
	out->acts |= BS_OWNER_ACT_STOP_WRITES;
}

/* A retry after a failed request: soon, well within a renewal period. */
static uint64_t retry_delay(const struct bs_owner *o)
{
	return o->cfg.renew_ms / 4 ? o->cfg.renew_ms / 4 : 1;
}

/* Asks the one adapter request that is due, if none is outstanding. */
static void kick(struct bs_owner *o, struct bs_owner_out *out)
{
	if (o->busy)
		return;
	if (holds_lease(o) && o->now >= o->renew_due) {
		o->renew_sent = o->now;
		o->busy = true;
		out->acts |= BS_OWNER_ACT_RENEW;
		return;
	}
	switch (o->state) {
	case BS_OWNER_STATE_FOLLOWER:
		if (o->now < o->next_try || (!o->want && o->now < o->hold_off_until))
			return;
		o->state = BS_OWNER_STATE_ACQUIRING;
		o->acquire_sent = o->now;
		o->busy = true;
		out->acts |= BS_OWNER_ACT_ACQUIRE;
		return;
	case BS_OWNER_STATE_FENCING:
	case BS_OWNER_STATE_PUBLISHING:
	case BS_OWNER_STATE_RELEASING:
		if (o->phase_sent || o->now < o->retry_at)
			return;
		o->phase_sent = true;
		o->busy = true;
		if (o->state == BS_OWNER_STATE_FENCING) {
			out->acts |= BS_OWNER_ACT_FENCE;
			copy_name(out->fence_addr, sizeof(out->fence_addr), o->fence_addr);
		} else if (o->state == BS_OWNER_STATE_PUBLISHING) {
			out->acts |= BS_OWNER_ACT_PUBLISH;
		} else {
			out->acts |= BS_OWNER_ACT_RELEASE;
			copy_name(out->move_to, sizeof(out->move_to), o->move_to);
		}
		return;
	default:
		return;
	}
}

/* What time alone changes: the owner's fence margin and the lease's end. */
static void on_time(struct bs_owner *o, struct bs_owner_out *out)
{
	switch (o->state) {
	case BS_OWNER_STATE_OWNER:
		if (o->now >= o->lease_base + o->cfg.fence_ms) {
			set_state(o, BS_OWNER_STATE_SUSPENDED,
				  "lease not renewed within two thirds of its duration", out);
			out->acts |= BS_OWNER_ACT_STOP_WRITES;
		}
		break;
	case BS_OWNER_STATE_SUSPENDED:
		/* past this, another gateway may hold the lease and have fenced us */
		if (o->now >= o->lease_base + o->cfg.lease_ms)
			fence_self(o, "lease lapsed without a renewal", out);
		break;
	case BS_OWNER_STATE_FOLLOWER:
	case BS_OWNER_STATE_ACQUIRING:
		/*
		 * the owner never handed over (it did not hear, or it is gone
		 * and the lapse decides): an ordinary follower again, so that
		 * a later move elsewhere is not refused for ever
		 */
		if (o->want && o->now >= o->want_at + 2 * (uint64_t)o->cfg.lease_ms) {
			o->want = false;
			out->why = "move to this gateway not granted within two leases: given up";
		}
		break;
	case BS_OWNER_STATE_FENCING:
	case BS_OWNER_STATE_PUBLISHING:
		/* never served as owner: back to serving as a non-owner */
		if (o->now >= o->lease_base + o->cfg.fence_ms) {
			set_state(o, BS_OWNER_STATE_FOLLOWER, "takeover abandoned: lease not renewed",
				  out);
			o->next_try = o->now + o->cfg.renew_ms;
		}
		break;
	default:
		break;
	}
}

static void on_acquired(struct bs_owner *o, const struct bs_owner_ev *ev, struct bs_owner_out *out)
{
	o->lease_base = o->acquire_sent;
	o->renew_due = o->acquire_sent + o->cfg.renew_ms;
	o->want = false;
	/*
	 * The last owner did not release the lease: it may be alive beyond a
	 * partition with writes queued. It is blocklisted, and the map that
	 * says so reached, before this gateway serves as owner.
	 */
	if (ev->prev_addr && ev->prev_addr[0] && !ev->prev_clean &&
	    strcmp(ev->prev_addr, o->self_addr) != 0) {
		copy_name(o->fence_addr, sizeof(o->fence_addr), ev->prev_addr);
		o->owner[0] = '\0';
		set_state(o, BS_OWNER_STATE_FENCING, "lease taken over after a lapse", out);
		return;
	}
	set_state(o, BS_OWNER_STATE_PUBLISHING, "lease acquired", out);
}

static void on_renewed(struct bs_owner *o, const struct bs_owner_ev *ev, struct bs_owner_out *out)
{
	if (!ev->err) {
		/* the OSD counts from when it got the renewal, so from no earlier than sent_ms */
		o->lease_base = max64(o->lease_base, ev->sent_ms);
		o->renew_due = ev->sent_ms + o->cfg.renew_ms;
		if (o->state == BS_OWNER_STATE_SUSPENDED &&
		    o->now < o->lease_base + o->cfg.fence_ms)
			set_state(o, BS_OWNER_STATE_OWNER, "lease renewed again", out);
		return;
	}
	if (ev->err == -ENOENT || ev->err == -EBUSY || ev->err == -EEXIST) {
		/* the lock is not ours any more: it lapsed, and someone may hold it now */
		if (o->state == BS_OWNER_STATE_FENCING || o->state == BS_OWNER_STATE_PUBLISHING) {
			set_state(o, BS_OWNER_STATE_FOLLOWER, "lease lost before the takeover", out);
			o->next_try = o->now + o->cfg.renew_ms;
		} else {
			fence_self(o, "lease lost", out);
		}
		return;
	}
	o->renew_due = o->now + retry_delay(o);
}

/* A follower that leaves the lease to gateway to for one lease at most (a move to it is under way). */
static void hold_off_for(struct bs_owner *o, const char *to)
{
	o->want = false;
	o->hold_off_until = o->now + o->cfg.lease_ms;
	copy_name(o->move_to, sizeof(o->move_to), to);
}

static bool holding_off(const struct bs_owner *o)
{
	return o->now < o->hold_off_until && o->move_to[0];
}

/*
 * The group's word (a notify, ours echoed back included): "move to". It
 * never asks anything of the group in turn, so that a notify cannot loop
 * between gateways; only a request made here (on_move_req) does.
 */
static void on_move(struct bs_owner *o, const char *to, struct bs_owner_out *out)
{
	if (!to || !to[0])
		return;
	if (strcmp(to, o->self) == 0) {
		if (o->state != BS_OWNER_STATE_FOLLOWER && o->state != BS_OWNER_STATE_ACQUIRING)
			return;
		/* the owner hands over to us (or was asked to): take the lease as soon as it is free */
		o->want = true;
		o->want_at = o->now;
		o->next_try = o->now;
		return;
	}
	switch (o->state) {
	case BS_OWNER_STATE_OWNER:
	case BS_OWNER_STATE_SUSPENDED:
		copy_name(o->move_to, sizeof(o->move_to), to);
		set_state(o, BS_OWNER_STATE_RELEASING, "explicit transition", out);
		break;
	case BS_OWNER_STATE_FOLLOWER:
	case BS_OWNER_STATE_ACQUIRING:
		hold_off_for(o, to);
		break;
	default:
		break;
	}
}

int bs_owner_move_check(const struct bs_owner *o, const char *to, bool live)
{
	bool self;

	if (!to || !to[0] || strlen(to) > BS_OWNER_NAME_MAX)
		return -EINVAL;
	if (o->state == BS_OWNER_STATE_FENCED_OUT)
		return -ESHUTDOWN;
	self = strcmp(to, o->self) == 0;
	/* refused before anything moves: a hand-over to nobody would leave the LU unowned */
	if (!self && !live)
		return -ENOENT;
	switch (o->state) {
	case BS_OWNER_STATE_OWNER:
		return self ? 1 : 0;
	case BS_OWNER_STATE_SUSPENDED:
		/* our lease is in doubt: a clean hand-over is the best way out of it */
		return self ? -EBUSY : 0;
	case BS_OWNER_STATE_RELEASING:
		return strcmp(o->move_to, to) == 0 ? 1 : -EBUSY;
	case BS_OWNER_STATE_FENCING:
	case BS_OWNER_STATE_PUBLISHING:
		/* this gateway is taking it over */
		return self ? 1 : -EBUSY;
	case BS_OWNER_STATE_FOLLOWER:
	case BS_OWNER_STATE_ACQUIRING:
		if (o->want)
			return self ? 1 : -EBUSY;
		if (holding_off(o))
			return strcmp(o->move_to, to) == 0 ? 1 : -EBUSY;
		if (!self && strcmp(o->owner, to) == 0)
			return 1;
		return 0;
	case BS_OWNER_STATE_FENCED_OUT:
		break;
	}
	return -ESHUTDOWN;
}

/*
 * A move asked here. The owner hands over itself; a follower asks the
 * owner through the group (ASK_MOVE): for itself it then takes the lease
 * as soon as it is free, for another it leaves the lease to that one.
 */
static void on_move_req(struct bs_owner *o, const struct bs_owner_ev *ev, struct bs_owner_out *out)
{
	const char *to = ev->name;

	out->result = bs_owner_move_check(o, to, ev->live);
	if (out->result)
		return;
	if (o->state == BS_OWNER_STATE_OWNER || o->state == BS_OWNER_STATE_SUSPENDED) {
		copy_name(o->move_to, sizeof(o->move_to), to);
		set_state(o, BS_OWNER_STATE_RELEASING, "explicit transition", out);
		return;
	}
	out->acts |= BS_OWNER_ACT_ASK_MOVE;
	copy_name(out->move_to, sizeof(out->move_to), to);
	if (strcmp(to, o->self) == 0) {
		o->want = true;
		o->want_at = o->now;
		o->next_try = o->now;
	} else {
		hold_off_for(o, to);
	}
}

static void on_owner_changed(struct bs_owner *o, const char *name, struct bs_owner_out *out)
{
	if (!name || strcmp(name, o->self) == 0)
		return;
	switch (o->state) {
	case BS_OWNER_STATE_OWNER:
	case BS_OWNER_STATE_SUSPENDED:
	case BS_OWNER_STATE_RELEASING:
		/* another published itself: it took the lapsed lease and fenced us */
		copy_name(o->owner, sizeof(o->owner), name);
		fence_self(o, "another gateway owns the LU", out);
		break;
	case BS_OWNER_STATE_FENCED_OUT:
		copy_name(o->owner, sizeof(o->owner), name);
		break;
	default:
		copy_name(o->owner, sizeof(o->owner), name);
		o->want = false;
		o->hold_off_until = 0;
		break;
	}
}

static void step(struct bs_owner *o, const struct bs_owner_ev *ev, struct bs_owner_out *out)
{
	switch (ev->type) {
	case BS_OWNER_EV_TICK:
	case BS_OWNER_EV_IO:
		/* I/O through this gateway is served where it arrives: ownership stays */
		return;
	case BS_OWNER_EV_BLOCKLISTED:
		fence_self(o, "this gateway is blocklisted", out);
		return;
	case BS_OWNER_EV_MOVE:
		on_move(o, ev->name, out);
		return;
	case BS_OWNER_EV_MOVE_REQ:
		on_move_req(o, ev, out);
		return;
	case BS_OWNER_EV_OWNER_CHANGED:
		on_owner_changed(o, ev->name, out);
		return;
	default:
		break;
	}

	/* the answers to the adapter's requests */
	o->busy = false;
	if (ev->err == -OWNER_EBLOCKLISTED) {
		fence_self(o, "this gateway is blocklisted", out);
		return;
	}
	switch (ev->type) {
	case BS_OWNER_EV_ACQUIRED:
		if (o->state == BS_OWNER_STATE_ACQUIRING)
			on_acquired(o, ev, out);
		break;
	case BS_OWNER_EV_BUSY:
	case BS_OWNER_EV_ACQUIRE_ERR:
		if (o->state != BS_OWNER_STATE_ACQUIRING)
			break;
		o->state = BS_OWNER_STATE_FOLLOWER;
		/* asked to take it over: try again soon, the owner is releasing */
		o->next_try = o->now + (o->want ? retry_delay(o) : o->cfg.renew_ms);
		if (ev->type == BS_OWNER_EV_BUSY && ev->name && ev->name[0])
			copy_name(o->owner, sizeof(o->owner), ev->name);
		break;
	case BS_OWNER_EV_FENCE_DONE:
		if (o->state != BS_OWNER_STATE_FENCING)
			break;
		if (ev->err) {
			o->phase_sent = false;
			o->retry_at = o->now + retry_delay(o);
			break;
		}
		set_state(o, BS_OWNER_STATE_PUBLISHING, "previous owner fenced", out);
		break;
	case BS_OWNER_EV_PUBLISH_DONE:
		if (o->state != BS_OWNER_STATE_PUBLISHING)
			break;
		if (ev->err) {
			o->phase_sent = false;
			o->retry_at = o->now + retry_delay(o);
			break;
		}
		copy_name(o->owner, sizeof(o->owner), o->self);
		set_state(o, BS_OWNER_STATE_OWNER, "serving as owner (active/optimized)", out);
		break;
	case BS_OWNER_EV_RENEW_DONE:
		if (holds_lease(o))
			on_renewed(o, ev, out);
		break;
	case BS_OWNER_EV_RELEASE_DONE:
		if (o->state != BS_OWNER_STATE_RELEASING)
			break;
		if (ev->err) {
			/* the record may still name us: the next owner will fence us */
			fence_self(o, "handover failed", out);
			break;
		}
		copy_name(o->owner, sizeof(o->owner), o->move_to);
		set_state(o, BS_OWNER_STATE_FOLLOWER, "handed over", out);
		o->hold_off_until = o->now + o->cfg.lease_ms;
		o->next_try = o->now + o->cfg.renew_ms;
		break;
	default:
		break;
	}
}

/* After every event: REPORT when what RTPG would say changed (ours or the owner). */
static void finish(struct bs_owner *o, struct bs_owner_out *out)
{
	uint8_t alua;

	on_time(o, out);
	kick(o, out);
	alua = bs_owner_alua(o);
	if (alua != o->alua || strcmp(o->owner, o->reported_owner) != 0) {
		o->alua = alua;
		copy_name(o->reported_owner, sizeof(o->reported_owner), o->owner);
		out->acts |= BS_OWNER_ACT_REPORT;
	}
}

int bs_owner_init(struct bs_owner *o, const struct bs_owner_cfg *cfg, const char *self,
		  const char *self_addr, uint64_t now, struct bs_owner_out *out)
{
	memset(out, 0, sizeof(*out));
	if (!self || !self[0] || strlen(self) > BS_OWNER_NAME_MAX || !self_addr ||
	    strlen(self_addr) > BS_OWNER_ADDR_MAX)
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	o->cfg = *cfg;
	copy_name(o->self, sizeof(o->self), self);
	copy_name(o->self_addr, sizeof(o->self_addr), self_addr);
	o->state = BS_OWNER_STATE_FOLLOWER;
	o->now = now;
	o->next_try = now;
	o->alua = SCSI_ALUA_ACTIVE_NON_OPTIMIZED;
	kick(o, out);
	return 0;
}

void bs_owner_step(struct bs_owner *o, const struct bs_owner_ev *ev, uint64_t now,
		   struct bs_owner_out *out)
{
	memset(out, 0, sizeof(*out));
	if (now > o->now)
		o->now = now;
	on_time(o, out);
	step(o, ev, out);
	finish(o, out);
}

/* ---- the lease's words ---- */

/* A gateway's name: what porticod.conf's gateway_name takes (no blanks). */
static bool name_ok(const char *p, size_t len)
{
	if (len == 0 || len > BS_OWNER_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i] <= ' ' || p[i] > '~')
			return false;
	return true;
}

int bs_owner_addr_norm(const char *in, char out[BS_OWNER_ADDR_MAX + 1])
{
	const char *p = in, *end, *colon;
	size_t len;

	if (!p)
		return -EINVAL;
	if (*p == '[')
		p++;
	end = p + strcspn(p, ",]");
	/* the type ("v2:", "v1:", "any:") comes before the IP's first colon and has no dot */
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon && (colon - p == 2 || colon - p == 3) && !memchr(p, '.', (size_t)(colon - p)) &&
	    (p[0] == 'v' || strncmp(p, "any", 3) == 0))
		p = colon + 1;
	len = (size_t)(end - p);
	if (len == 0 || len > BS_OWNER_ADDR_MAX)
		return -EINVAL;
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

int bs_owner_record_build(char *buf, size_t size, bool clean, const char *name, const char *addr)
{
	int n = snprintf(buf, size, "%s %s %s", clean ? "clean" : "held", name, addr);

	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

/* The next blank-separated word of p[*pos..len): its start and length. */
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

static bool word_is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(w, lit, n) == 0;
}

int bs_owner_record_parse(const char *p, size_t len, bool *clean, char name[BS_OWNER_NAME_MAX + 1],
			  char addr[BS_OWNER_ADDR_MAX + 1])
{
	size_t pos = 0, n, rest;
	const char *w;

	n = word(p, len, &pos, &w);
	if (word_is(w, n, "clean"))
		*clean = true;
	else if (word_is(w, n, "held"))
		*clean = false;
	else
		return -EINVAL;
	n = word(p, len, &pos, &w);
	if (!name_ok(w, n))
		return -EINVAL;
	memcpy(name, w, n);
	name[n] = '\0';
	n = word(p, len, &pos, &w);
	if (n == 0 || n > BS_OWNER_ADDR_MAX)
		return -EINVAL;
	memcpy(addr, w, n);
	addr[n] = '\0';
	rest = word(p, len, &pos, &w);
	return rest ? -EINVAL : 0;
}

int bs_owner_msg_parse(const char *p, size_t len, enum bs_owner_ev_type *type,
		       char name[BS_OWNER_NAME_MAX + 1])
{
	size_t pos = 0, n;
	const char *w;

	n = word(p, len, &pos, &w);
	if (word_is(w, n, "owner"))
		*type = BS_OWNER_EV_OWNER_CHANGED;
	else if (word_is(w, n, "move"))
		*type = BS_OWNER_EV_MOVE;
	else
		return -EINVAL;
	n = word(p, len, &pos, &w);
	if (!name_ok(w, n))
		return -EINVAL;
	memcpy(name, w, n);
	name[n] = '\0';
	if (word(p, len, &pos, &w))
		return -EINVAL;
	return 0;
}

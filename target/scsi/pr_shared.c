/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Persistent reservations whose state lives outside this daemon, shared
 * by several gateways serving one LU (pr.h, struct pr_shared_ops; an rbd
 * LU's home is a RADOS object, docs/rbd.md).
 *
 * The engine holds no authority then: its lu->pr is a cache of the home,
 * which every PERSISTENT RESERVE OUT changes by read-modify-write. The
 * home's adapter reads the state, pr_shared_apply() runs the service action
 * on a scratch copy of it (the same code as on a local state, pr.c), whose
 * effects on other nexuses (unit attentions, aborts) are recorded rather
 * than applied, and the adapter stores the result guarded by the version it
 * read. Once stored, every gateway applies it with pr_lu_deliver(): the new
 * state, then the effects on its own nexuses; the command is answered
 * (pr_shared_done) only after that. So no gateway checks a command
 * against a state older than one an initiator was told is in force.
 *
 * A gateway that may have missed a change (pr_lu_set_stale: its watch of
 * the home failed) answers BUSY until it has read the home again
 * (pr_lu_replace). The I/O path pays nothing for it: the mark is a bit of
 * every nexus's pr_deny, which it reads anyway.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/be.h"
#include "common/ev.h"
#include "common/log.h"
#include "target/scsi/pr.h"
#include "target/scsi/pr_int.h"
#include "target/scsi/scsi_int.h"

#define PR_EV_HDR 8u /* a record's fixed part */
#define PR_EV_F_ALL_TG_PT 0x01
#define PR_EV_F_DEVICE 0x02
#define PR_EV_F_ABORT 0x04
/* At most one record per registration and unit attention kind, three kinds per action. */
#define PR_EV_MAX (3u * SCSI_PR_MAX_REGS * (PR_EV_HDR + PR_NAME_MAX) + 3u + PR_NAME_MAX)

struct pr_shared_req {
	struct pr_ctx c; /* as decoded on the I/O thread; c.pr and c.self set per attempt */
	struct ev_loop *loop;
	enum pr_verdict v;
	enum sense_reason sense;
	int err;
};

/* Recording effects (pr.c calls this from the service actions). */

static int pr_events_room(struct pr_events *ev, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (ev->len + n <= ev->cap)
		return 0;
	cap = ev->cap ? ev->cap * 2 : 256;
	while (cap < ev->len + n)
		cap *= 2;
	p = realloc(ev->p, cap);
	if (!p)
		return -ENOMEM;
	ev->p = p;
	ev->cap = cap;
	return 0;
}

void pr_events_add(struct pr_events *ev, const struct pr_reg *reg, uint32_t ua, bool abort)
{
	size_t n = strlen(reg->name);

	if (ev->err)
		return;
	ev->err = pr_events_room(ev, PR_EV_HDR + n);
	if (ev->err)
		return;
	put_be32(ev->p + ev->len, ua);
	ev->p[ev->len + 4] = (reg->all_tg_pt ? PR_EV_F_ALL_TG_PT : 0) |
			     (reg->device ? PR_EV_F_DEVICE : 0) | (abort ? PR_EV_F_ABORT : 0);
	put_be16(ev->p + ev->len + 5, reg->rtpi);
	ev->p[ev->len + 7] = (uint8_t)n;
	memcpy(ev->p + ev->len + PR_EV_HDR, reg->name, n);
	ev->len += PR_EV_HDR + n;
}

/* The LU's side. */

void pr_lu_set_shared(struct scsi_lu *lu, const struct pr_shared_ops *ops, void *arg)
{
	pthread_mutex_lock(&lu->pr.lock);
	lu->pr.shared_ops = ops;
	lu->pr.shared_arg = arg;
	pthread_mutex_unlock(&lu->pr.lock);
}

enum scsi_exec_result pr_shared_submit(struct pr_ctx *c)
{
	struct scsi_cmd *cmd = c->cmd;
	struct scsi_pr *pr = &c->lu->pr;
	struct pr_shared_req *req;

	c->name = cmd->itl->nx ? cmd->itl->nx->initiator_port : "";
	c->rtpi = cmd->itl->nx ? cmd->itl->nx->tpg_tag : 0;
	/* as on a local state: a nexus the transport did not name takes no part */
	if (!c->name[0] || strlen(c->name) > PR_NAME_MAX) {
		scsi_cmd_bounce_free(cmd);
		cmd->status = SCSI_STATUS_RESERVATION_CONFLICT;
		cmd->sense_len = 0;
		return SCSI_EXEC_DONE;
	}
	req = calloc(1, sizeof(*req));
	if (!req)
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	req->c = *c;
	req->c.ev_abort = (cmd->cdb[1] & 0x1f) == SCSI_PROUT_PREEMPT_AND_ABORT;
	req->loop = ev_current();
	/* the request owns the TransportIDs now */
	c->tids = NULL;
	c->tid_off = NULL;
	if (pr->shared_ops->submit(pr->shared_arg, req)) {
		free(req->c.tids);
		free(req->c.tid_off);
		free(req);
		return scsi_cmd_finish(cmd, SENSE_INSUFFICIENT_RESOURCES);
	}
	return SCSI_EXEC_ASYNC;
}

/* The effects' header: the sender's nexus, whom they never concern. */
static int pr_events_start(struct pr_events *ev, const struct pr_ctx *c)
{
	size_t n = strlen(c->name);
	int ret = pr_events_room(ev, 3 + n);

	if (ret)
		return ret;
	put_be16(ev->p, c->rtpi);
	ev->p[2] = (uint8_t)n;
	memcpy(ev->p + 3, c->name, n);
	ev->len = 3 + n;
	return 0;
}

int pr_shared_apply(struct pr_shared_req *req, const uint8_t *cur, size_t curlen, uint8_t **blob,
		    size_t *bloblen, uint8_t **evp, size_t *evlen)
{
	struct pr_events ev = {0};
	struct scsi_pr st;
	struct pr_ctx c = req->c;
	int ret;

	memset(&st, 0, sizeof(st));
	list_init(&st.regs);
	ret = pr_decode_blob(cur, curlen, &st);
	if (ret)
		goto out;
	ret = pr_events_start(&ev, &c);
	if (ret)
		goto out;
	c.pr = &st;
	c.ev = &ev;
	c.changed = false;
	c.sense = SENSE_OK;
	/* SPC-2 §5.5.1: while a RESERVE(6) reservation stands, PERSISTENT RESERVE OUT conflicts */
	if (atomic_load(&c.lu->holder)) {
		req->v = PR_CONFLICT;
		ret = 0;
		goto out;
	}
	c.self = pr_find(&st, c.name, c.rtpi);
	req->v = pr_run_action(&c);
	req->sense = c.sense;
	ret = 0;
	if (req->v != PR_GOOD || !c.changed)
		goto out;
	ret = ev.err;
	if (ret)
		goto out;
	ret = pr_encode(&st, blob, bloblen);
	if (ret)
		goto out;
	*evp = ev.p;
	*evlen = ev.len;
	ev.p = NULL;
	ret = 1;
out:
	free(ev.p);
	pr_clear_regs(&st);
	return ret;
}

static void pr_shared_finish(void *arg)
{
	struct pr_shared_req *req = arg;
	struct scsi_cmd *cmd = req->c.cmd;

	if (req->err) {
		log_err(SCSI_COMPONENT,
			"lu '%s': persistent reservation change not stored in its shared home: %s",
			req->c.lu->id.serial, strerror(-req->err));
		/* SAM-5: nothing changed that the initiator can rely on; it may retry */
		scsi_cmd_complete(cmd, SENSE_ABORTED_COMMAND);
	} else if (req->v == PR_CONFLICT) {
		scsi_cmd_bounce_free(cmd);
		cmd->status = SCSI_STATUS_RESERVATION_CONFLICT;
		cmd->sense_len = 0;
		cmd->done(cmd);
	} else {
		scsi_cmd_complete(cmd, req->v == PR_CHECK ? req->sense : SENSE_OK);
	}
	free(req->c.tids);
	free(req->c.tid_off);
	free(req);
}

void pr_shared_done(struct pr_shared_req *req, int err)
{
	bool warned = false;

	req->err = err;
	if (!req->loop) {
		pr_shared_finish(req); /* outside a loop (the unit tests): right here */
		return;
	}
	while (ev_post(req->loop, pr_shared_finish, req)) {
		if (!warned)
			log_err(SCSI_COMPONENT, "out of memory posting a completion; retrying");
		warned = true;
		usleep(10000);
	}
}

/* Applying a committed state. */

/* lu->pr takes st's registrations and reservation; lock held. st is left empty. */
static void pr_take_state(struct scsi_lu *lu, struct scsi_pr *st, uint64_t ver)
{
	struct scsi_pr *pr = &lu->pr;
	struct pr_reg *reg, *tmp;

	pr_clear_regs(pr);
	list_for_each_entry_safe(reg, tmp, &st->regs, node)
	{
		list_del(&reg->node);
		list_add_tail(&reg->node, &pr->regs);
	}
	pr->nregs = st->nregs;
	pr->generation = st->generation;
	pr->type = st->type;
	pr->holder = st->holder;
	pr->aptpl = st->aptpl;
	pr->shared_ver = ver;
	pr->stale = false;
	st->nregs = 0;
	st->holder = NULL;
	st->type = SCSI_PR_TYPE_NONE;
	pr_refresh_locked(lu);
}

int pr_lu_replace(struct scsi_lu *lu, uint64_t ver, const uint8_t *blob, size_t len)
{
	struct scsi_pr st;
	int ret;

	memset(&st, 0, sizeof(st));
	list_init(&st.regs);
	ret = pr_decode_blob(blob, len, &st);
	if (!ret) {
		pthread_mutex_lock(&lu->pr.lock);
		pr_take_state(lu, &st, ver);
		pthread_mutex_unlock(&lu->pr.lock);
	}
	pr_clear_regs(&st);
	return ret;
}

void pr_lu_set_stale(struct scsi_lu *lu)
{
	pthread_mutex_lock(&lu->pr.lock);
	lu->pr.stale = true;
	pr_refresh_locked(lu);
	pthread_mutex_unlock(&lu->pr.lock);
}

/* Checks every record of ev (bounded by evlen); the sender's name into sender. */
static int pr_events_check(const uint8_t *ev, size_t evlen, char *sender, uint16_t *rtpi)
{
	size_t off, n;

	if (evlen < 3 || evlen > PR_EV_MAX)
		return -EINVAL;
	n = ev[2];
	if (!n || evlen - 3 < n)
		return -EINVAL;
	memcpy(sender, ev + 3, n);
	sender[n] = '\0';
	*rtpi = get_be16(ev);
	for (off = 3 + n; off < evlen; off += PR_EV_HDR + n) {
		if (evlen - off < PR_EV_HDR)
			return -EINVAL;
		n = ev[off + 7];
		if (!n || (ev[off + 4] & ~(PR_EV_F_ALL_TG_PT | PR_EV_F_DEVICE | PR_EV_F_ABORT)) ||
		    evlen - off - PR_EV_HDR < n)
			return -EINVAL;
	}
	return 0;
}

struct pr_deliver {
	struct scsi_abort ab;
	void (*acked)(void *ctx);
	void *ctx;
};

static void pr_deliver_aborted(struct scsi_abort *ab)
{
	struct pr_deliver *d = ab->arg;

	d->acked(d->ctx);
	free(d);
}

/* The effects of one record on this gateway's nexuses of lu; lu->pr.lock held. */
static int pr_event_apply(struct scsi_lu *lu, const uint8_t *rec, const char *sender,
			  uint16_t sender_rtpi, struct scsi_abort *ab)
{
	char name[PR_NAME_MAX + 1];
	uint8_t flags = rec[4];
	uint32_t ua = get_be32(rec);
	struct scsi_itl *itl;
	struct pr_reg *reg;

	memcpy(name, rec + PR_EV_HDR, rec[7]);
	name[rec[7]] = '\0';
	reg = pr_reg_new(name, get_be16(rec + 5), flags & PR_EV_F_ALL_TG_PT, flags & PR_EV_F_DEVICE,
			 1);
	if (!reg)
		return -ENOMEM;
	pthread_mutex_lock(&lu->lock);
	list_for_each_entry(itl, &lu->itls, node)
	{
		const char *port = itl->nx ? itl->nx->initiator_port : "";
		uint16_t rtpi = itl->nx ? itl->nx->tpg_tag : 0;

		if ((rtpi == sender_rtpi && strcasecmp(port, sender) == 0) ||
		    !pr_reg_is(reg, port, rtpi))
			continue;
		atomic_fetch_or(&itl->ua, ua);
		/* SPC-4 §5.13.11.4.5: PREEMPT AND ABORT, whichever gateway the nexus is on */
		if ((flags & PR_EV_F_ABORT) && itl->nx->abort_lu)
			itl->nx->abort_lu(itl->nx, lu, ab);
	}
	pthread_mutex_unlock(&lu->lock);
	free(reg);
	return 0;
}

int pr_lu_deliver(struct scsi_lu *lu, uint64_t ver, const uint8_t *blob, size_t bloblen,
		  const uint8_t *ev, size_t evlen, void (*acked)(void *ctx), void *ctx)
{
	char sender[PR_NAME_MAX + 1];
	struct pr_deliver *d;
	uint16_t sender_rtpi;
	struct scsi_pr st;
	size_t off;
	int ret;

	memset(&st, 0, sizeof(st));
	list_init(&st.regs);
	ret = pr_events_check(ev, evlen, sender, &sender_rtpi);
	if (ret)
		return ret;
	ret = pr_decode_blob(blob, bloblen, &st);
	if (ret)
		goto out_clear;
	d = calloc(1, sizeof(*d));
	if (!d) {
		ret = -ENOMEM;
		goto out_clear;
	}
	d->acked = acked;
	d->ctx = ctx;
	d->ab.pending = 1; /* ours, until every nexus has been handed its abort */
	d->ab.done = pr_deliver_aborted;
	d->ab.arg = d;
	d->ab.ua = SCSI_UA_COMMANDS_CLEARED_BY_ANOTHER;
	pthread_mutex_lock(&lu->pr.lock);
	/* each change once: a later one, or a re-read, may have brought it already */
	if (ver < lu->pr.shared_ver || (ver == lu->pr.shared_ver && !lu->pr.stale)) {
		pthread_mutex_unlock(&lu->pr.lock);
		free(d);
		ret = 0;
		goto out_clear;
	}
	pr_take_state(lu, &st, ver);
	for (off = 3 + ev[2]; off < evlen; off += PR_EV_HDR + ev[off + 7]) {
		ret = pr_event_apply(lu, ev + off, sender, sender_rtpi, &d->ab);
		if (ret)
			log_err(SCSI_COMPONENT, "lu '%s': a reservation unit attention lost: %s",
				lu->id.serial, strerror(-ret));
	}
	pthread_mutex_unlock(&lu->pr.lock);
	ret = 0;
	if (__atomic_sub_fetch(&d->ab.pending, 1, __ATOMIC_ACQ_REL))
		ret = 1; /* tasks still leaving: acked runs when the last has */
	else
		free(d);
out_clear:
	pr_clear_regs(&st);
	return ret;
}

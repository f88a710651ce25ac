// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A shared home on RADOS (bs.h, struct bs_shared_cbs): the state several
 * gateways serving one rbd image share (persistent reservations), one
 * object in the image's pool, "portico.<name>.<image id>" (the id, not the
 * name: it survives `rbd rename`).
 *
 * An update is a read-modify-write made atomic by the object's version:
 * read the state and its version, let the owner apply the request to it,
 * write the result with the version asserted (rados_write_op_assert_version;
 * a fresh object with an exclusive create). Another gateway's write in
 * between fails the guard, and the round starts again from a fresh read, a
 * bounded number of times. Why the version rather than a lock
 * (rados_lock_exclusive): a lock held by a gateway that dies must be
 * broken by someone, which is the fencing question again; the guard has no
 * holder to die. Why not an object class: it would have to be installed
 * on every OSD.
 *
 * After a write is stored, this gateway applies it first (waiting, bounded,
 * for the tasks a PREEMPT AND ABORT ends here), then notifies the object's
 * watchers with the version, the state and the owner's note, and waits,
 * bounded, until every watcher (each gateway, this one included) has
 * acknowledged; only then is the request done. A watcher acknowledges
 * once it has applied the change (its aborted tasks gone).
 *
 * Every gateway watches the object (a 15 s watch timeout). When its watch fails (a lost
 * connection, a timed-out watch), it may have missed a change: the owner is
 * told (stale: serve nothing from the state), and this home's thread
 * watches again and reads the object again (replace) before it is served
 * again, retrying at an interval while it fails.
 *
 * One thread per home does all of this, so no librados call blocks an I/O
 * thread, and a home's requests run one after the other.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <rados/librados.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/be.h"
#include "common/log.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"
#include "target/backstore/rbd.h"

#define NOTE_MAGIC "PTSN"

static const struct bs_rbd_home_opts home_defaults = {
    .tries = 32,
    .notify_timeout_ms = 10000,
    .local_timeout_ms = 30000,
    .resync_interval_ms = 1000,
    .ping_timeout_ms = 3000,
};

struct home_req {
	struct home_req *next;
	void *req;
};

struct bs_shared {
	const struct bs_rbd_home_lib *lib;
	void *io;
	char oid[BS_RBD_HOME_OID_MAX];
	const struct bs_shared_cbs *cbs;
	void *arg;
	struct bs_rbd_home_opts opts;
	uint8_t *buf; /* BS_RBD_HOME_MAX: the thread's read buffer */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct home_req *head, **tail;
	uint64_t handle;
	bool watching;
	bool resync; /* the watch failed: watch and read again */
	bool stopping;
	pthread_t tid;
};

/* ---- the notify payload ---- */

int bs_rbd_note_build(uint64_t ver, const uint8_t *state, size_t slen, const uint8_t *note,
		      size_t nlen, uint8_t **out, size_t *outlen)
{
	size_t len = 4 + 8 + 4 + slen + 4 + nlen;
	uint8_t *p;

	if (slen > BS_RBD_HOME_MAX || nlen > BS_RBD_HOME_MAX)
		return -EINVAL;
	p = malloc(len);
	if (!p)
		return -ENOMEM;
	memcpy(p, NOTE_MAGIC, 4);
	put_be64(p + 4, ver);
	put_be32(p + 12, (uint32_t)slen);
	if (slen)
		memcpy(p + 16, state, slen);
	put_be32(p + 16 + slen, (uint32_t)nlen);
	if (nlen)
		memcpy(p + 20 + slen, note, nlen);
	*out = p;
	*outlen = len;
	return 0;
}

int bs_rbd_note_parse(const uint8_t *p, size_t len, uint64_t *ver, const uint8_t **state,
		      size_t *slen, const uint8_t **note, size_t *nlen)
{
	size_t s, n;

	if (len < 20 || memcmp(p, NOTE_MAGIC, 4))
		return -EINVAL;
	*ver = get_be64(p + 4);
	s = get_be32(p + 12);
	if (s > len - 20)
		return -EINVAL;
	n = get_be32(p + 16 + s);
	if (n != len - 20 - s)
		return -EINVAL;
	*state = p + 16;
	*slen = s;
	*note = p + 20 + s;
	*nlen = n;
	return 0;
}

/* ---- librados as struct bs_rbd_home_lib ---- */

static int rados_home_read(void *io, const char *oid, uint8_t *buf, size_t cap, size_t *len,
			   uint64_t *ver)
{
	rados_read_op_t op = rados_create_read_op();
	size_t got = 0;
	int prval = 0, ret;
	uint64_t size = 0;

	if (!op)
		return -ENOMEM;
	rados_read_op_stat(op, &size, NULL, NULL);
	rados_read_op_read(op, 0, cap + 1, (char *)buf, &got, &prval);
	ret = rados_read_op_operate(op, io, oid, 0);
	rados_release_read_op(op);
	if (ret)
		return ret;
	if (prval)
		return prval;
	if (got > cap || size > cap)
		return -EFBIG;
	/* the one thread of the home uses this I/O context: its last version is this read's */
	*ver = rados_get_last_version(io);
	*len = got;
	return 0;
}

static int rados_home_write(void *io, const char *oid, const uint8_t *buf, size_t len, uint64_t ver,
			    uint64_t *newver)
{
	rados_write_op_t op = rados_create_write_op();
	int ret;

	if (!op)
		return -ENOMEM;
	if (ver)
		rados_write_op_assert_version(op, ver);
	else
		rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
	rados_write_op_write_full(op, (const char *)buf, len);
	ret = rados_write_op_operate(op, io, oid, NULL, 0);
	rados_release_write_op(op);
	if (ret)
		return ret;
	*newver = rados_get_last_version(io);
	return 0;
}

/*
 * How long the OSD keeps a watch whose client stopped pinging it (librados
 * pings every 5 s): the window in which a gateway cut off from the OSDs
 * may still serve a state it was not told of changing, and how long a dead
 * gateway's watch delays a change's notify. Ceph's default is 30 s.
 */
#define HOME_WATCH_TIMEOUT_S 15

static int rados_home_watch(void *io, const char *oid, uint64_t *handle, bs_rbd_watch_cb cb,
			    bs_rbd_watch_err_cb errcb, void *arg)
{
	return rados_watch3(io, oid, handle, cb, errcb, HOME_WATCH_TIMEOUT_S, arg);
}

static int rados_home_unwatch(void *io, uint64_t handle)
{
	int ret = rados_unwatch2(io, handle);

	/* no callback of the watch may run once we return */
	rados_watch_flush(rados_ioctx_get_cluster(io));
	return ret;
}

static uint32_t home_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * librados's reply to a notify: le32 acks, each {le64 gid, le64 cookie,
 * le32 len, data}, then le32 timeouts, each {le64 gid, le64 cookie}.
 * Bounded by len; what cannot be read counts as nothing.
 */
static void rados_home_reply(const char *reply, size_t len, unsigned int *acked,
			     unsigned int *timeouts)
{
	const uint8_t *p = (const uint8_t *)reply;
	size_t off = 4;
	uint32_t n, i;

	*acked = 0;
	*timeouts = 0;
	if (!p || len < 4)
		return;
	n = home_le32(p);
	for (i = 0; i < n; i++) {
		if (len - off < 20)
			return;
		off += 20 + home_le32(p + off + 16);
		if (off > len)
			return;
	}
	*acked = n;
	if (len - off >= 4)
		*timeouts = home_le32(p + off);
}

static int rados_home_notify(void *io, const char *oid, const uint8_t *buf, size_t len,
			     uint64_t timeout_ms, unsigned int *acked, unsigned int *unacked)
{
	char *reply = NULL;
	size_t rlen = 0;
	int ret;

	ret = rados_notify2(io, oid, (const char *)buf, (int)len, timeout_ms, &reply, &rlen);
	if (!ret || ret == -ETIMEDOUT)
		rados_home_reply(reply, rlen, acked, unacked);
	rados_buffer_free(reply);
	return ret;
}

static int rados_home_ack(void *io, const char *oid, uint64_t notify_id, uint64_t handle)
{
	return rados_notify_ack(io, oid, notify_id, handle, NULL, 0);
}

static void rados_home_close(void *io)
{
	rados_ioctx_destroy(io);
}

const struct bs_rbd_home_lib bs_rbd_home_librados = {
    .read = rados_home_read,
    .write = rados_home_write,
    .watch = rados_home_watch,
    .unwatch = rados_home_unwatch,
    .notify = rados_home_notify,
    .ack = rados_home_ack,
    .close = rados_home_close,
};

/* ---- watching ---- */

struct home_ack {
	struct bs_shared *sh;
	uint64_t notify_id, handle;
};

static void home_acked(void *ctx)
{
	struct home_ack *a = ctx;
	int ret = a->sh->lib->ack(a->sh->io, a->sh->oid, a->notify_id, a->handle);

	if (ret)
		log_warn(BS_COMPONENT, "home '%s': ack: %s", a->sh->oid, strerror(-ret));
	free(a);
}

static void home_want_resync(struct bs_shared *sh)
{
	sh->cbs->stale(sh->arg);
	pthread_mutex_lock(&sh->lock);
	sh->resync = true;
	pthread_cond_signal(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
}

/* librados's thread: a change another gateway (or this one) stored. */
static void home_notified(void *arg, uint64_t notify_id, uint64_t handle, uint64_t notifier_id,
			  void *data, size_t len)
{
	struct bs_shared *sh = arg;
	const uint8_t *state, *note;
	struct home_ack *a;
	size_t slen, nlen;
	uint64_t ver;
	int ret;

	(void)notifier_id;
	/* an empty notify: a starting gateway asking whether anyone serves the state */
	if (!len) {
		sh->lib->ack(sh->io, sh->oid, notify_id, handle);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (a) {
		a->sh = sh;
		a->notify_id = notify_id;
		a->handle = handle;
	}
	ret = a ? bs_rbd_note_parse(data, len, &ver, &state, &slen, &note, &nlen) : -ENOMEM;
	if (!ret)
		ret = sh->cbs->deliver(sh->arg, ver, state, slen, note, nlen, home_acked, a);
	if (ret == 1)
		return; /* home_acked runs once it is applied */
	if (ret < 0) {
		/* not applied: it must not serve from what it has, and reads the object again */
		log_err(BS_COMPONENT,
			"home '%s': a change could not be applied (%s): reading it again", sh->oid,
			strerror(-ret));
		home_want_resync(sh);
	}
	/* acknowledged either way: stale, it serves nothing the writer must wait for */
	if (a) {
		home_acked(a);
	} else {
		sh->lib->ack(sh->io, sh->oid, notify_id, handle);
	}
}

/* librados's thread: the watch is lost; changes may be missed from now on. */
static void home_watch_failed(void *arg, uint64_t handle, int err)
{
	struct bs_shared *sh = arg;

	log_err(BS_COMPONENT,
		"home '%s': watch %" PRIu64 " failed: %s; serving nothing from it until read again",
		sh->oid, handle, strerror(-err));
	home_want_resync(sh);
}

/* Watches the object again and reads it. The home's thread (or open). 0 or -errno. */
static int home_sync(struct bs_shared *sh)
{
	uint64_t ver = 0;
	size_t len = 0;
	int ret;

	if (sh->watching) {
		sh->lib->unwatch(sh->io, sh->handle);
		sh->watching = false;
	}
	/* the watch first: a change stored after the read below is then notified */
	ret = sh->lib->watch(sh->io, sh->oid, &sh->handle, home_notified, home_watch_failed, sh);
	if (ret)
		return ret;
	sh->watching = true;
	ret = sh->lib->read(sh->io, sh->oid, sh->buf, BS_RBD_HOME_MAX, &len, &ver);
	if (ret)
		return ret;
	return sh->cbs->replace(sh->arg, ver, sh->buf, len);
}

/* ---- updates ---- */

struct home_local {
	pthread_mutex_t *lock;
	pthread_cond_t *cond;
	bool done;
};

static void home_local_acked(void *ctx)
{
	struct home_local *l = ctx;

	pthread_mutex_lock(l->lock);
	l->done = true;
	pthread_cond_broadcast(l->cond);
	pthread_mutex_unlock(l->lock);
}

static void home_deadline(struct timespec *ts, uint64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* A stored change: this gateway applies it first, then every watcher; bounded waits. */
static void home_spread(struct bs_shared *sh, uint64_t ver, const uint8_t *state, size_t slen,
			const uint8_t *note, size_t nlen)
{
	struct home_local l = {.lock = &sh->lock, .cond = &sh->cond};
	unsigned int acked = 0, unacked = 0;
	struct timespec ts;
	uint8_t *msg = NULL;
	size_t mlen = 0;
	int ret;

	ret = sh->cbs->deliver(sh->arg, ver, state, slen, note, nlen, home_local_acked, &l);
	if (ret == 1) {
		home_deadline(&ts, sh->opts.local_timeout_ms);
		pthread_mutex_lock(&sh->lock);
		while (!l.done && pthread_cond_timedwait(&sh->cond, &sh->lock, &ts) != ETIMEDOUT)
			;
		if (!l.done) {
			/* l is on this stack: the ack must not come after we leave */
			log_err(BS_COMPONENT,
				"home '%s': version %" PRIu64 " not applied here within %" PRIu64
				" ms; waiting on",
				sh->oid, ver, sh->opts.local_timeout_ms);
			while (!l.done)
				pthread_cond_wait(&sh->cond, &sh->lock);
		}
		pthread_mutex_unlock(&sh->lock);
	} else if (ret < 0) {
		home_want_resync(sh);
	}
	ret = bs_rbd_note_build(ver, state, slen, note, nlen, &msg, &mlen);
	if (!ret)
		ret = sh->lib->notify(sh->io, sh->oid, msg, mlen, sh->opts.notify_timeout_ms,
				      &acked, &unacked);
	free(msg);
	if (ret == -ETIMEDOUT) {
		if (sh->cbs->unacked)
			sh->cbs->unacked(sh->arg, unacked);
		else
			log_err(BS_COMPONENT,
				"home '%s': version %" PRIu64
				": %u gateway(s) did not ack within %" PRIu64 " ms",
				sh->oid, ver, unacked, sh->opts.notify_timeout_ms);
	} else if (ret) {
		/* the change is stored; the others learn of it when their watch fails and they
		 * re-read */
		log_err(BS_COMPONENT, "home '%s': notify of version %" PRIu64 ": %s", sh->oid, ver,
			strerror(-ret));
	}
}

static bool home_lost_race(int ret)
{
	return ret == -ERANGE || ret == -EOVERFLOW || ret == -EEXIST || ret == -ENOENT;
}

static void home_update(struct bs_shared *sh, void *req)
{
	unsigned int i;
	int ret = -EAGAIN;

	for (i = 0; i < sh->opts.tries; i++) {
		uint8_t *next = NULL, *note = NULL;
		size_t len = 0, nextlen = 0, notelen = 0;
		uint64_t ver = 0, newver = 0;

		ret = sh->lib->read(sh->io, sh->oid, sh->buf, BS_RBD_HOME_MAX, &len, &ver);
		if (ret)
			break;
		ret = sh->cbs->apply(req, sh->buf, len, &next, &nextlen, &note, &notelen);
		if (ret <= 0)
			break;
		ret = sh->lib->write(sh->io, sh->oid, next, nextlen, ver, &newver);
		if (!ret)
			home_spread(sh, newver, next, nextlen, note, notelen);
		free(next);
		free(note);
		if (!home_lost_race(ret))
			break;
		ret = -EAGAIN; /* another gateway's change came between: again from a fresh read */
	}
	if (ret == -EAGAIN)
		log_err(BS_COMPONENT, "home '%s': %u rounds lost to other gateways' changes",
			sh->oid, sh->opts.tries);
	sh->cbs->done(req, ret);
}

static void *home_thread(void *arg)
{
	struct bs_shared *sh = arg;
	struct timespec ts;

	pthread_mutex_lock(&sh->lock);
	while (!sh->stopping) {
		if (sh->resync) {
			int ret;

			sh->resync = false;
			pthread_mutex_unlock(&sh->lock);
			ret = home_sync(sh);
			pthread_mutex_lock(&sh->lock);
			if (ret) {
				log_err(BS_COMPONENT,
					"home '%s': cannot read it again: %s; retrying", sh->oid,
					strerror(-ret));
				sh->resync = true;
				home_deadline(&ts, sh->opts.resync_interval_ms);
				pthread_cond_timedwait(&sh->cond, &sh->lock, &ts);
			}
			continue;
		}
		if (sh->head) {
			struct home_req *r = sh->head;

			sh->head = r->next;
			if (!sh->head)
				sh->tail = &sh->head;
			pthread_mutex_unlock(&sh->lock);
			home_update(sh, r->req);
			free(r);
			pthread_mutex_lock(&sh->lock);
			continue;
		}
		pthread_cond_wait(&sh->cond, &sh->lock);
	}
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

int bs_shared_update(struct bs_shared *sh, void *req)
{
	struct home_req *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->req = req;
	pthread_mutex_lock(&sh->lock);
	*sh->tail = r;
	sh->tail = &r->next;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
	return 0;
}

static void home_free(struct bs_shared *sh)
{
	if (sh->lib->close)
		sh->lib->close(sh->io);
	pthread_cond_destroy(&sh->cond);
	pthread_mutex_destroy(&sh->lock);
	free(sh->buf);
	free(sh);
}

void bs_shared_close(struct bs_shared *sh)
{
	struct home_req *r;

	if (!sh)
		return;
	pthread_mutex_lock(&sh->lock);
	sh->stopping = true;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
	pthread_join(sh->tid, NULL);
	if (sh->watching)
		sh->lib->unwatch(sh->io, sh->handle);
	/* requests still queued end unstored */
	while ((r = sh->head)) {
		sh->head = r->next;
		sh->cbs->done(r->req, -ESHUTDOWN);
		free(r);
	}
	home_free(sh);
}

/*
 * The object existed: when no other server answers an empty notify (a dead
 * one's watch does not answer), the state is nobody's now, and its owner
 * says whether it stays (docs/rbd.md: APTPL). Before this home watches.
 */
static int home_reopen(struct bs_shared *sh, const uint8_t *init, size_t initlen)
{
	unsigned int acked = 0, unacked = 0;
	uint64_t ver = 0, newver;
	size_t len = 0;
	int ret;

	ret = sh->lib->notify(sh->io, sh->oid, NULL, 0, sh->opts.ping_timeout_ms, &acked, &unacked);
	if (ret && ret != -ETIMEDOUT)
		return ret;
	if (acked || !sh->cbs->keep)
		return 0;
	ret = sh->lib->read(sh->io, sh->oid, sh->buf, BS_RBD_HOME_MAX, &len, &ver);
	if (ret)
		return ret;
	if (sh->cbs->keep(sh->arg, sh->buf, len))
		return 0;
	log_info(BS_COMPONENT,
		 "home '%s': served by no other gateway and not to be kept: starting afresh",
		 sh->oid);
	ret = sh->lib->write(sh->io, sh->oid, init, initlen, ver, &newver);
	/* another gateway changed it meanwhile: it serves it, theirs stays */
	return home_lost_race(ret) ? 0 : ret;
}

int bs_rbd_home_open(const struct bs_rbd_home_lib *lib, void *io, const char *oid,
		     const uint8_t *init, size_t initlen, const struct bs_shared_cbs *cbs,
		     void *arg, const struct bs_rbd_home_opts *opts, struct bs_shared **out)
{
	struct bs_shared *sh = calloc(1, sizeof(*sh));
	pthread_condattr_t ca;
	uint64_t ver;
	int ret;

	if (!sh || strlen(oid) >= sizeof(sh->oid)) {
		free(sh);
		if (lib->close)
			lib->close(io);
		return sh ? -ENAMETOOLONG : -ENOMEM;
	}
	sh->lib = lib;
	sh->io = io;
	snprintf(sh->oid, sizeof(sh->oid), "%s", oid);
	sh->cbs = cbs;
	sh->arg = arg;
	sh->opts = opts ? *opts : home_defaults;
	sh->tail = &sh->head;
	pthread_mutex_init(&sh->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sh->cond, &ca);
	pthread_condattr_destroy(&ca);
	sh->buf = malloc(BS_RBD_HOME_MAX + 1);
	if (!sh->buf) {
		ret = -ENOMEM;
		goto err;
	}
	/* the first gateway makes it; -EEXIST: another made it first */
	ret = lib->write(io, oid, init, initlen, 0, &ver);
	if (ret == -EEXIST)
		ret = home_reopen(sh, init, initlen);
	if (ret)
		goto err;
	ret = home_sync(sh);
	if (ret)
		goto err_unwatch;
	ret = pthread_create(&sh->tid, NULL, home_thread, sh);
	if (ret) {
		ret = -ret;
		goto err_unwatch;
	}
	*out = sh;
	return 0;

err_unwatch:
	if (sh->watching)
		lib->unwatch(io, sh->handle);
err:
	home_free(sh);
	return ret;
}

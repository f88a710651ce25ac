// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The gateway group's shared configuration over RADOS (gconf_rados.h).
 *
 * One object per group, "portico.config.<group>" in the group's pool: its
 * data is the shared document (config_shared.h), its xattr "epoch" the
 * document's number, and an xattr "gw.<gateway>" per member holding its
 * RADOS client id, so that a member that does not answer is named.
 * Every gateway of the group watches the object; nothing polls it.
 *
 * A change (gconf_rados_propose, on the control thread of the gateway
 * where it was made, after it passed every local check): the stored epoch
 * must be the one this gateway serves; a PREPARE notify carries the new
 * document to every watcher, each of which checks it against its own state
 * on its control thread (ctl_ops_gconf_apply) and answers ok or why not;
 * only if every watcher said ok within timeout_ms (gconf_decide) is the
 * document written, guarded by the epoch (cmpxattr: a concurrent change
 * from another gateway makes one of them fail cleanly), and a COMMIT notify
 * has every member read and serve it, answering once it does. A member
 * that missed a commit (its watch was lost, it was down) reads the object
 * again when its watch comes back, and at start.
 *
 * librados's callbacks run on its own threads: they feed the member's state
 * machine (gconf_member_step, under the lock) and answer at once what needs
 * no model (its own messages, a stale prepare), and post the rest to the
 * control thread, the only one that touches the model.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <rados/librados.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev.h"
#include "common/log.h"
#include "target/backstore/rbd.h"
#include "target/ctl/ctl_ops.h"
#include "target/ctl/gconf.h"
#include "target/gconf_rados.h"
#include "target/model/config.h"
#include "target/model/config_shared.h"

#define COMP "gconf"
/* How long the OSD keeps the watch of a gateway that stopped pinging it. */
#define GCONF_WATCH_TIMEOUT_S 15
#define GCONF_RETRY_MS 1000
#define GCONF_XATTR_EPOCH "epoch"
#define GCONF_XATTR_GW "gw."

struct gconf_rados {
	struct obj_shared_conf sc;
	struct ev_loop *loop;
	struct ctl_host host;
	rados_t cluster;
	rados_ioctx_t io;
	char oid[128];
	uint64_t gid; /* this gateway's RADOS client id */
	uint64_t cookie;
	bool watching;
	struct ev_timer *retry; /* the watch is to be made again */
	char *doc; /* the document served (control thread) */
	size_t doclen;
	pthread_mutex_t lock; /* sm, stopping, pending */
	struct gconf_member sm;
	bool stopping;
	unsigned int pending; /* jobs posted to the control thread and not run yet */
};

struct gconf_job {
	struct gconf_rados *g;
	enum gconf_action act;
	uint64_t notify_id, cookie;
	char *msg; /* the notify's payload */
	size_t len;
};

static void gconf_job_post(struct gconf_rados *g, enum gconf_action act, uint64_t notify_id,
			   uint64_t cookie, const void *msg, size_t len);

/* ---- the object ---- */

static void gconf_ack(struct gconf_rados *g, uint64_t notify_id, uint64_t cookie, bool ok,
		      const char *why)
{
	char buf[700];
	int n = gconf_ack_build(ok, g->sc.gateway, why, buf, sizeof(buf));
	int ret = rados_notify_ack(g->io, g->oid, notify_id, cookie, n > 0 ? buf : NULL,
				   n > 0 ? (unsigned int)n : 0);

	if (ret)
		log_warn(COMP, "group '%s': cannot answer a notify: %s", g->sc.group,
			 strerror(-ret));
}

/* The stored document (*doc, NUL-terminated, the caller frees) and its epoch, in one read. */
static int gconf_read(struct gconf_rados *g, char **doc, size_t *len, uint64_t *epoch)
{
	rados_read_op_t op = rados_create_read_op();
	rados_xattrs_iter_t it = NULL;
	char *buf = malloc(GCONF_DOC_MAX + 1);
	size_t got = 0;
	int prval = 0, xprval = 0, ret;

	*epoch = 0;
	if (!op || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	rados_read_op_getxattrs(op, &it, &xprval);
	rados_read_op_read(op, 0, GCONF_DOC_MAX + 1, buf, &got, &prval);
	ret = rados_read_op_operate(op, g->io, g->oid, 0);
	if (!ret)
		ret = prval ? prval : xprval;
	if (!ret && got > GCONF_DOC_MAX)
		ret = -EFBIG;
	for (;;) {
		const char *name = NULL, *val = NULL;
		size_t vlen = 0;
		char num[24];

		if (ret || !it || rados_getxattrs_next(it, &name, &val, &vlen) || !name)
			break;
		if (strcmp(name, GCONF_XATTR_EPOCH) || vlen >= sizeof(num))
			continue;
		memcpy(num, val, vlen);
		num[vlen] = '\0';
		*epoch = strtoull(num, NULL, 10);
	}
	if (!ret) {
		buf[got] = '\0';
		*doc = buf;
		*len = got;
		buf = NULL;
	}
out:
	if (it)
		rados_getxattrs_end(it);
	if (op)
		rados_release_read_op(op);
	free(buf);
	return ret;
}

/* The members' names by their client ids (*ids: names strdup'ed; gconf_ids_free). */
static size_t gconf_ids(struct gconf_rados *g, struct gconf_member_id **ids)
{
	rados_xattrs_iter_t it;
	size_t n = 0;

	*ids = NULL;
	if (rados_getxattrs(g->io, g->oid, &it))
		return 0;
	for (size_t cap = 0; n < 256;) {
		const char *name = NULL, *val = NULL;
		size_t vlen = 0;
		char num[24];

		if (rados_getxattrs_next(it, &name, &val, &vlen) || !name)
			break;
		if (strncmp(name, GCONF_XATTR_GW, strlen(GCONF_XATTR_GW)) || vlen >= sizeof(num))
			continue;
		if (n == cap) {
			struct gconf_member_id *m = realloc(*ids, (cap + 8) * sizeof(*m));

			if (!m)
				break;
			*ids = m;
			cap += 8;
		}
		memcpy(num, val, vlen);
		num[vlen] = '\0';
		(*ids)[n].gid = strtoull(num, NULL, 10);
		(*ids)[n].name = strdup(name + strlen(GCONF_XATTR_GW));
		if ((*ids)[n].name)
			n++;
	}
	rados_getxattrs_end(it);
	return n;
}

static void gconf_ids_free(struct gconf_member_id *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)ids[i].name);
	free(ids);
}

/*
 * Sends msg to every watcher and decides (gconf_decide). GCONF_VERDICT_COMMIT,
 * or ABORT with why; -errno when the notify could not be sent.
 */
static int gconf_ask(struct gconf_rados *g, const char *msg, size_t len, char *why, size_t whylen)
{
	struct notify_ack_t *acks = NULL;
	struct notify_timeout_t *tmo = NULL;
	struct gconf_member_id *ids = NULL;
	struct gconf_reply *r = NULL;
	size_t nacks = 0, ntmo = 0, nids;
	char *reply = NULL;
	size_t rlen = 0;
	int ret;

	ret = rados_notify2(g->io, g->oid, msg, (int)len, g->sc.timeout_ms, &reply, &rlen);
	if (ret && ret != -ETIMEDOUT) {
		snprintf(why, whylen, "cannot reach the group's object '%s': %s", g->oid,
			 strerror(-ret));
		goto out;
	}
	ret = reply ? rados_decode_notify_response(reply, rlen, &acks, &nacks, &tmo, &ntmo) :
		      -EIO;
	if (ret) {
		snprintf(why, whylen, "the group's answers could not be read: %s", strerror(-ret));
		goto out;
	}
	r = calloc(nacks + ntmo + 1, sizeof(*r));
	if (!r) {
		ret = -ENOMEM;
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nacks; i++)
		r[i] = (struct gconf_reply){ .gid = acks[i].notifier_id, .data = acks[i].payload,
					     .len = acks[i].payload_len };
	for (size_t i = 0; i < ntmo; i++)
		r[nacks + i] = (struct gconf_reply){ .gid = tmo[i].notifier_id, .timed_out = true };
	nids = gconf_ids(g, &ids);
	ret = (int)gconf_decide(r, nacks + ntmo, ids, nids, g->sc.timeout_ms, why, whylen);
	gconf_ids_free(ids, nids);
out:
	free(r);
	if (acks || tmo)
		rados_free_notify_response(acks, nacks, tmo);
	rados_buffer_free(reply);
	return ret;
}

/* ---- a member ---- */

/*
 * Reads the stored document and serves it when it is newer than what this
 * gateway serves (or after the watch was lost). Control thread. 0, or
 * -errno with why.
 */
static int gconf_sync(struct gconf_rados *g, char *why, size_t whylen)
{
	struct gconf_event ev = { .kind = GCONF_EV_READ };
	char *doc = NULL;
	size_t len = 0;
	uint64_t epoch;
	bool fresh;
	int ret;

	ret = gconf_read(g, &doc, &len, &epoch);
	if (ret) {
		snprintf(why, whylen, "cannot read the group's object '%s': %s", g->oid,
			 strerror(-ret));
		return ret;
	}
	pthread_mutex_lock(&g->lock);
	fresh = g->sm.state == GCONF_MEMBER_SYNCED && g->sm.epoch == epoch && g->doc;
	pthread_mutex_unlock(&g->lock);
	if (!fresh) {
		ret = ctl_ops_gconf_apply(&g->host, doc, len, true, why, whylen);
		if (ret) {
			log_err(COMP,
				"group '%s': this gateway cannot serve the group's configuration (epoch %" PRIu64
				"): %s; it serves what it had",
				g->sc.group, epoch, why);
			free(doc);
			return ret;
		}
		log_info(COMP, "group '%s': serving the shared configuration of epoch %" PRIu64,
			 g->sc.group, epoch);
		free(g->doc);
		g->doc = doc;
		g->doclen = len;
	} else {
		free(doc);
	}
	ev.epoch = epoch;
	pthread_mutex_lock(&g->lock);
	gconf_member_step(&g->sm, &ev);
	pthread_mutex_unlock(&g->lock);
	return 0;
}

static void gconf_notified(void *arg, uint64_t notify_id, uint64_t cookie, uint64_t notifier_id,
			   void *data, size_t len);
static void gconf_watch_failed(void *arg, uint64_t cookie, int err);

/* (Re)watches the object and says this gateway's client id under its name. Control thread. */
static int gconf_watch(struct gconf_rados *g, char *why, size_t whylen)
{
	char gid[24], key[GCONF_NAME_MAX + 8];
	int ret;

	if (g->watching) {
		rados_unwatch2(g->io, g->cookie);
		g->watching = false;
	}
	ret = rados_watch3(g->io, g->oid, &g->cookie, gconf_notified, gconf_watch_failed,
			   GCONF_WATCH_TIMEOUT_S, g);
	if (ret) {
		snprintf(why, whylen, "cannot watch the group's object '%s': %s", g->oid,
			 strerror(-ret));
		return ret;
	}
	g->watching = true;
	snprintf(gid, sizeof(gid), "%" PRIu64, g->gid);
	snprintf(key, sizeof(key), GCONF_XATTR_GW "%s", g->sc.gateway);
	ret = rados_setxattr(g->io, g->oid, key, gid, strlen(gid));
	if (ret)
		snprintf(why, whylen, "cannot register in the group's object '%s': %s", g->oid,
			 strerror(-ret));
	return ret;
}

static int64_t gconf_retry(struct ev_loop *loop, void *arg)
{
	struct gconf_rados *g = arg;
	char why[600];

	(void)loop;
	if (gconf_watch(g, why, sizeof(why)) || gconf_sync(g, why, sizeof(why))) {
		log_warn(COMP, "group '%s': %s; trying again", g->sc.group, why);
		return GCONF_RETRY_MS;
	}
	g->retry = NULL;
	return EV_TIMER_STOP;
}

static void gconf_job_run(void *arg)
{
	struct gconf_job *j = arg;
	struct gconf_rados *g = j->g;
	struct gconf_msg m;
	char why[600] = "";
	bool stopping;
	int ret = 0;

	pthread_mutex_lock(&g->lock);
	stopping = g->stopping;
	g->pending--;
	pthread_mutex_unlock(&g->lock);
	if (stopping)
		goto out;
	switch (j->act) {
	case GCONF_ACT_WATCH_READ:
		if (!g->retry)
			g->retry = ev_timer_add(g->loop, 0, gconf_retry, g);
		break;
	case GCONF_ACT_READ_VALIDATE:
		ret = gconf_sync(g, why, sizeof(why));
		/* fall through */
	case GCONF_ACT_VALIDATE:
		if (!ret && gconf_msg_parse(j->msg, j->len, &m))
			ret = -EINVAL;
		if (!ret)
			ret = ctl_ops_gconf_apply(&g->host, m.doc, m.doclen, false, why,
						  sizeof(why));
		if (ret)
			log_info(COMP, "group '%s': refused a change from '%s': %s", g->sc.group,
				 m.origin, why);
		gconf_ack(g, j->notify_id, j->cookie, !ret, why);
		break;
	case GCONF_ACT_READ_APPLY_ACK:
		ret = gconf_sync(g, why, sizeof(why));
		gconf_ack(g, j->notify_id, j->cookie, !ret, why);
		break;
	default:
		break;
	}
out:
	pthread_mutex_lock(&g->lock);
	stopping = g->stopping && !g->pending;
	pthread_mutex_unlock(&g->lock);
	if (stopping) {
		pthread_mutex_destroy(&g->lock);
		free(g);
	}
	free(j->msg);
	free(j);
}

static void gconf_job_post(struct gconf_rados *g, enum gconf_action act, uint64_t notify_id,
			   uint64_t cookie, const void *msg, size_t len)
{
	struct gconf_job *j = calloc(1, sizeof(*j));

	if (j && len && (j->msg = malloc(len)))
		memcpy(j->msg, msg, len);
	if (!j || (len && !j->msg))
		goto err;
	*j = (struct gconf_job){ .g = g, .act = act, .notify_id = notify_id, .cookie = cookie,
				 .msg = j->msg, .len = len };
	pthread_mutex_lock(&g->lock);
	g->pending++;
	pthread_mutex_unlock(&g->lock);
	if (!ev_post(g->loop, gconf_job_run, j))
		return;
	pthread_mutex_lock(&g->lock);
	g->pending--;
	pthread_mutex_unlock(&g->lock);
err:
	if (j)
		free(j->msg);
	free(j);
	if (act != GCONF_ACT_WATCH_READ)
		gconf_ack(g, notify_id, cookie, false, "out of memory");
	else
		log_err(COMP, "group '%s': cannot watch again: out of memory", g->sc.group);
}

/* librados's thread: a message of the group. */
static void gconf_notified(void *arg, uint64_t notify_id, uint64_t cookie, uint64_t notifier_id,
			   void *data, size_t len)
{
	struct gconf_rados *g = arg;
	struct gconf_event ev = { 0 };
	enum gconf_action act;
	struct gconf_msg m;
	char why[160];

	if (gconf_msg_parse(data, len, &m)) {
		gconf_ack(g, notify_id, cookie, false, "not a message of this protocol");
		return;
	}
	ev.kind = m.kind == GCONF_MSG_PREPARE ? GCONF_EV_PREPARE : GCONF_EV_COMMIT;
	ev.epoch = m.epoch;
	ev.self = notifier_id == g->gid;
	pthread_mutex_lock(&g->lock);
	act = g->stopping ? GCONF_ACT_ACK_OK : gconf_member_step(&g->sm, &ev);
	snprintf(why, sizeof(why),
		 "this gateway serves epoch %" PRIu64 " already; the change was built on an older one",
		 g->sm.epoch);
	pthread_mutex_unlock(&g->lock);
	switch (act) {
	case GCONF_ACT_ACK_OK:
		gconf_ack(g, notify_id, cookie, true, NULL);
		break;
	case GCONF_ACT_REFUSE_STALE:
		gconf_ack(g, notify_id, cookie, false, why);
		break;
	default:
		gconf_job_post(g, act, notify_id, cookie, data, len);
		break;
	}
}

/* librados's thread: the watch is lost; a change may go by unseen until it is back. */
static void gconf_watch_failed(void *arg, uint64_t cookie, int err)
{
	struct gconf_rados *g = arg;
	struct gconf_event ev = { .kind = GCONF_EV_WATCH_LOST };
	enum gconf_action act;

	log_err(COMP, "group '%s': watch %" PRIu64 " lost: %s; watching again", g->sc.group, cookie,
		strerror(-err));
	pthread_mutex_lock(&g->lock);
	act = g->stopping ? GCONF_ACT_NONE : gconf_member_step(&g->sm, &ev);
	pthread_mutex_unlock(&g->lock);
	if (act == GCONF_ACT_WATCH_READ)
		gconf_job_post(g, act, 0, 0, NULL, 0);
}

/* ---- the originator ---- */

const char *gconf_rados_doc(struct gconf_rados *g, size_t *len)
{
	*len = g->doclen;
	return g->doc;
}

int gconf_rados_propose(struct gconf_rados *g, const char *doc, size_t len, char *err,
			size_t errlen)
{
	struct gconf_event ev = { .kind = GCONF_EV_COMMITTED };
	rados_write_op_t op;
	char cur[24], next[24], *msg = NULL, *copy;
	size_t mlen;
	uint64_t stored = 0, served;
	bool synced;
	int ret;

	ret = rados_getxattr(g->io, g->oid, GCONF_XATTR_EPOCH, cur, sizeof(cur) - 1);
	if (ret < 0) {
		snprintf(err, errlen, "cannot read the group's object '%s': %s; nothing changed",
			 g->oid, strerror(-ret));
		return ret;
	}
	cur[ret] = '\0';
	stored = strtoull(cur, NULL, 10);
	pthread_mutex_lock(&g->lock);
	served = g->sm.epoch;
	synced = g->sm.state == GCONF_MEMBER_SYNCED;
	pthread_mutex_unlock(&g->lock);
	if (!synced || stored != served) {
		char why[600];

		if (gconf_sync(g, why, sizeof(why)))
			log_warn(COMP, "group '%s': %s", g->sc.group, why);
		snprintf(err, errlen,
			 "the group's configuration changed meanwhile (epoch %" PRIu64
			 ", this gateway served %" PRIu64 "): it serves the new one now; nothing changed, make the change again",
			 stored, served);
		return -EAGAIN;
	}
	/* phase one: every gateway checks it against its own state */
	ret = gconf_msg_build(GCONF_MSG_PREPARE, stored + 1, g->sc.gateway, doc, len, &msg, &mlen);
	if (ret) {
		snprintf(err, errlen, "the change cannot be sent to the group: %s", strerror(-ret));
		return ret;
	}
	ret = gconf_ask(g, msg, mlen, err, errlen);
	free(msg);
	if (ret != GCONF_VERDICT_COMMIT) {
		log_warn(COMP, "group '%s': change refused: %s", g->sc.group, err);
		return ret < 0 ? ret : -EBUSY;
	}
	/* stored only if nobody stored another since: the epoch is the guard */
	snprintf(next, sizeof(next), "%" PRIu64, stored + 1);
	op = rados_create_write_op();
	if (!op) {
		snprintf(err, errlen, "out of memory; nothing changed");
		return -ENOMEM;
	}
	rados_write_op_cmpxattr(op, GCONF_XATTR_EPOCH, LIBRADOS_CMPXATTR_OP_EQ, cur, strlen(cur));
	rados_write_op_write_full(op, doc, len);
	rados_write_op_setxattr(op, GCONF_XATTR_EPOCH, next, strlen(next));
	ret = rados_write_op_operate(op, g->io, g->oid, NULL, 0);
	rados_release_write_op(op);
	if (ret == -ECANCELED) {
		snprintf(err, errlen,
			 "another gateway changed the group's configuration at the same time (epoch %" PRIu64
			 " is no longer the newest); nothing changed, make the change again",
			 stored);
		return -EAGAIN;
	}
	if (ret) {
		snprintf(err, errlen, "cannot store the group's configuration: %s; nothing changed",
			 strerror(-ret));
		return ret;
	}
	copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, doc, len);
		copy[len] = '\0';
		free(g->doc);
		g->doc = copy;
		g->doclen = len;
	}
	ev.epoch = stored + 1;
	pthread_mutex_lock(&g->lock);
	gconf_member_step(&g->sm, &ev);
	pthread_mutex_unlock(&g->lock);
	log_info(COMP, "group '%s': stored epoch %" PRIu64, g->sc.group, stored + 1);
	/* phase two: every member serves it; one that does not answer reads it when it is back */
	err[0] = '\0';
	ret = gconf_msg_build(GCONF_MSG_COMMIT, stored + 1, g->sc.gateway, NULL, 0, &msg, &mlen);
	if (!ret) {
		char why[600] = "";

		ret = gconf_ask(g, msg, mlen, why, sizeof(why));
		free(msg);
		if (ret != GCONF_VERDICT_COMMIT) {
			log_err(COMP, "group '%s': epoch %" PRIu64 " stored, but: %s", g->sc.group,
				stored + 1, why);
			snprintf(err, errlen,
				 "the change is stored as epoch %" PRIu64
				 ", but not confirmed everywhere: %s",
				 stored + 1, why);
		}
	}
	return 0;
}

/* ---- joining and leaving ---- */

/* This gateway's document stored as epoch 1, unless the group has one. */
static int gconf_create(struct gconf_rados *g, char *err, size_t errlen)
{
	const struct obj_model *m = g->host.ops->model(g->host.arg);
	struct cfg_err e = { { 0 } };
	rados_write_op_t op;
	char *doc = NULL;
	size_t len = 0;
	config_t cfg;
	int ret;

	config_init(&cfg);
	ret = config_build(m, &cfg);
	if (!ret)
		ret = config_shared_extract(&cfg, NULL, 0, &doc, &len, &e);
	config_destroy(&cfg);
	if (ret) {
		snprintf(err, errlen, "cannot make the shared configuration: %s",
			 e.msg[0] ? e.msg : strerror(-ret));
		return ret;
	}
	op = rados_create_write_op();
	if (!op) {
		free(doc);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
	rados_write_op_write_full(op, doc, len);
	rados_write_op_setxattr(op, GCONF_XATTR_EPOCH, "1", 1);
	ret = rados_write_op_operate(op, g->io, g->oid, NULL, 0);
	rados_release_write_op(op);
	free(doc);
	if (ret == -EEXIST)
		return 0;
	if (ret)
		snprintf(err, errlen, "cannot create the group's object '%s': %s", g->oid,
			 strerror(-ret));
	else
		log_info(COMP, "group '%s': no shared configuration yet; this gateway's stored as epoch 1",
			 g->sc.group);
	return ret;
}

int gconf_rados_start(const struct obj_shared_conf *sc, struct ev_loop *loop,
		      const struct ctl_host *host, struct gconf_rados **out, char *err,
		      size_t errlen)
{
	struct gconf_event ev = { .kind = GCONF_EV_START };
	struct gconf_rados *g;
	char client[128];
	const char *bad;
	int ret;

	bad = bs_rbd_client_name(sc->ceph_client, client, sizeof(client));
	if (bad) {
		snprintf(err, errlen, "shared_config: ceph client '%s' %s", sc->ceph_client, bad);
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	g->sc = *sc;
	g->loop = loop;
	g->host = *host;
	pthread_mutex_init(&g->lock, NULL);
	snprintf(g->oid, sizeof(g->oid), "portico.config.%s", g->sc.group);
	ret = rados_create2(&g->cluster, "ceph", client, 0);
	if (ret) {
		g->cluster = NULL;
		snprintf(err, errlen, "shared_config: cannot make a ceph client '%s': %s", client,
			 strerror(-ret));
		goto err;
	}
	ret = rados_conf_read_file(g->cluster, g->sc.ceph_conf[0] ? g->sc.ceph_conf : NULL);
	if (!ret)
		ret = rados_conf_set(g->cluster, "client_mount_timeout", "30");
	if (!ret)
		ret = rados_connect(g->cluster);
	if (!ret)
		ret = rados_ioctx_create(g->cluster, g->sc.pool, &g->io);
	if (ret) {
		g->io = NULL;
		snprintf(err, errlen, "shared_config: cannot reach pool '%s' as '%s': %s", g->sc.pool,
			 client, strerror(-ret));
		goto err;
	}
	g->gid = rados_get_instance_id(g->cluster);
	ret = gconf_create(g, err, errlen);
	if (ret)
		goto err;
	gconf_member_step(&g->sm, &ev);
	ret = gconf_watch(g, err, errlen);
	if (!ret)
		ret = gconf_sync(g, err, errlen);
	if (ret)
		goto err;
	/* sc may be gone: it was the model's, and the group's document replaced the model */
	log_info(COMP, "group '%s': gateway '%s' (client %" PRIu64 ") watches '%s' in pool '%s'",
		 g->sc.group, g->sc.gateway, g->gid, g->oid, g->sc.pool);
	*out = g;
	return 0;
err:
	gconf_rados_stop(g);
	return ret;
}

void gconf_rados_stop(struct gconf_rados *g)
{
	bool last;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	last = !g->pending;
	pthread_mutex_unlock(&g->lock);
	if (g->watching)
		rados_unwatch2(g->io, g->cookie);
	if (g->cluster)
		rados_watch_flush(g->cluster);
	if (g->retry)
		ev_timer_cancel(g->loop, g->retry);
	if (g->io)
		rados_ioctx_destroy(g->io);
	if (g->cluster)
		rados_shutdown(g->cluster);
	free(g->doc);
	g->doc = NULL;
	/* a job still posted frees it when it runs */
	if (last) {
		pthread_mutex_destroy(&g->lock);
		free(g);
	}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lease of an rbd LU served by a gateway group, over librados: the
 * adapter (struct bs_owner_ops) under the ownership machine
 * (rbd_owner.c, run by rbd_owner_run.c). docs/rbd.md, "Gateway groups".
 *
 * In the image's pool, one object per image, "portico.owner.<image id>"
 * (rbd_get_id: it survives a rename of the image):
 *   - its advisory exclusive lock "portico.owner" is the lease: taken and
 *     renewed with a duration (rados_lock_exclusive), the cookie this
 *     gateway's name, so that rados_list_lockers names the holder;
 *   - its xattr "portico.owner" is the record: who had the lease last, its
 *     RADOS client address, and whether it released it itself;
 *   - a watch on it carries the group's notifies ("owner NAME", "move NAME").
 */
#include <errno.h>
#include <inttypes.h>
#include <rados/librados.h>
#include <rbd/librbd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"
#include "target/backstore/rbd.h"
#include "target/backstore/rbd_owner_run.h"

#define LEASE_LOCK "portico.owner"
#define LEASE_XATTR "portico.owner"
/* How long a takeover's blocklist entry lasts: far beyond any lease, short of forever. */
#define LEASE_BLOCKLIST_S 3600
/* A notify waits this long for the watchers' acks (a dead gateway's never comes). */
#define LEASE_NOTIFY_MS 1500

struct bs_rbd_lease {
	struct bs_dev *dev;
	rados_t cluster;
	rados_ioctx_t ioctx;
	char oid[128];
	char self[BS_OWNER_NAME_MAX + 1];
	char group[64];
	char addr[BS_OWNER_ADDR_MAX + 1];
	struct timeval duration;
	uint64_t watch;
	bool watching;
	struct bs_owner_run *run;
};

static int lease_record_read(struct bs_rbd_lease *l, char prev[BS_OWNER_ADDR_MAX + 1], bool *clean)
{
	char buf[BS_OWNER_NAME_MAX + BS_OWNER_ADDR_MAX + 16], name[BS_OWNER_NAME_MAX + 1];
	int n = rados_getxattr(l->ioctx, l->oid, LEASE_XATTR, buf, sizeof(buf));

	prev[0] = '\0';
	*clean = true;
	if (n == -ENODATA || n == -ENOENT)
		return 0; /* nobody ever owned it */
	if (n < 0)
		return n;
	if (bs_owner_record_parse(buf, (size_t)n, clean, name, prev)) {
		/* unreadable: whoever wrote it is not trusted to have stopped */
		log_warn(BS_COMPONENT, "owner '%s': unreadable record on '%s'", l->self, l->oid);
		prev[0] = '\0';
		*clean = true;
	}
	return 0;
}

static int lease_record_write(struct bs_rbd_lease *l, bool clean)
{
	char buf[BS_OWNER_NAME_MAX + BS_OWNER_ADDR_MAX + 16];
	int n = bs_owner_record_build(buf, sizeof(buf), clean, l->self, l->addr);

	if (n < 0)
		return n;
	return rados_setxattr(l->ioctx, l->oid, LEASE_XATTR, buf, (size_t)n);
}

static void lease_notify(struct bs_rbd_lease *l, const char *verb, const char *name)
{
	char msg[BS_OWNER_NAME_MAX + 16], *reply = NULL;
	size_t reply_len = 0;
	int n = snprintf(msg, sizeof(msg), "%s %s", verb, name), ret;

	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	ret = rados_notify2(l->ioctx, l->oid, msg, (size_t)n, LEASE_NOTIFY_MS, &reply, &reply_len);
	if (reply)
		rados_buffer_free(reply);
	/* a watcher that did not answer in time (a dead gateway) is not our failure */
	if (ret && ret != -ETIMEDOUT)
		log_warn(BS_COMPONENT, "owner '%s': notify '%s' on '%s': %s", l->self, msg, l->oid,
			 strerror(-ret));
}

static int lease_acquire(void *ctx, char prev[BS_OWNER_ADDR_MAX + 1], bool *prev_clean,
			 char holder[BS_OWNER_NAME_MAX + 1])
{
	struct bs_rbd_lease *l = ctx;
	int ret = rados_lock_exclusive(l->ioctx, l->oid, LEASE_LOCK, l->self, "portico gateway",
				       &l->duration, LIBRADOS_LOCK_FLAG_MAY_RENEW);

	if (ret == -EBUSY) {
		char tag[64], clients[256], cookies[256], addrs[512];
		size_t tl = sizeof(tag), cl = sizeof(clients), kl = sizeof(cookies),
		       al = sizeof(addrs);
		int excl = 0;

		/* the cookie is the holder's gateway name */
		if (rados_list_lockers(l->ioctx, l->oid, LEASE_LOCK, &excl, tag, &tl, clients, &cl,
				       cookies, &kl, addrs, &al) > 0 && kl > 0 && kl <= sizeof(cookies))
			snprintf(holder, BS_OWNER_NAME_MAX + 1, "%.*s", (int)strnlen(cookies, kl),
				 cookies);
		return -EBUSY;
	}
	if (ret)
		return ret;
	return lease_record_read(l, prev, prev_clean);
}

static int lease_renew(void *ctx)
{
	struct bs_rbd_lease *l = ctx;

	/* must-renew: -ENOENT when the lock is no longer ours, never a fresh lock */
	return rados_lock_exclusive(l->ioctx, l->oid, LEASE_LOCK, l->self, "portico gateway",
				    &l->duration, LIBRADOS_LOCK_FLAG_MUST_RENEW);
}

static int lease_fence(void *ctx, const char *addr)
{
	struct bs_rbd_lease *l = ctx;
	char a[BS_OWNER_ADDR_MAX + 1];
	int ret;

	snprintf(a, sizeof(a), "%s", addr);
	ret = rados_blocklist_add(l->cluster, a, LEASE_BLOCKLIST_S);
	if (ret)
		return ret;
	log_warn(BS_COMPONENT, "owner '%s': blocklisted the previous owner %s of '%s' for %d s",
		 l->self, a, l->dev->name, LEASE_BLOCKLIST_S);
	/* serve only once this client's OSD map carries the entry: the OSDs refuse the old owner */
	return rados_wait_for_latest_osdmap(l->cluster);
}

static int lease_publish(void *ctx)
{
	struct bs_rbd_lease *l = ctx;
	int ret = lease_record_write(l, false);

	if (ret)
		return ret;
	lease_notify(l, "owner", l->self);
	return 0;
}

static int lease_release(void *ctx, const char *to)
{
	struct bs_rbd_lease *l = ctx;
	int ret = lease_record_write(l, true);

	if (ret)
		return ret;
	ret = rados_unlock(l->ioctx, l->oid, LEASE_LOCK, l->self);
	if (ret && ret != -ENOENT)
		return ret;
	if (to && to[0])
		lease_notify(l, "move", to);
	return 0;
}

static int lease_ask_move(void *ctx, const char *to)
{
	lease_notify(ctx, "move", to);
	return 0;
}

static const struct bs_owner_ops lease_ops = {
	.acquire = lease_acquire,
	.renew = lease_renew,
	.fence = lease_fence,
	.publish = lease_publish,
	.release = lease_release,
	.ask_move = lease_ask_move,
};

/* On a librados thread: what another gateway said. */
static void lease_heard(void *arg, uint64_t notify_id, uint64_t handle, uint64_t notifier_id,
			void *data, size_t len)
{
	struct bs_rbd_lease *l = arg;
	enum bs_owner_ev_type type;
	char name[BS_OWNER_NAME_MAX + 1];

	(void)notifier_id;
	if (l->run && !bs_owner_msg_parse(data, len, &type, name))
		bs_owner_run_post(l->run, type, name);
	rados_notify_ack(l->ioctx, l->oid, notify_id, handle, NULL, 0);
}

static void lease_watch_err(void *arg, uint64_t cookie, int err)
{
	struct bs_rbd_lease *l = arg;

	(void)cookie;
	log_warn(BS_COMPONENT, "owner '%s': watch on '%s' lost: %s", l->self, l->oid,
		 strerror(-err));
	if (err == -ESHUTDOWN && l->run)
		bs_owner_run_post(l->run, BS_OWNER_EV_BLOCKLISTED, NULL);
}

/* The owner's hook: the LU's ALUA state on this gateway changed. */
static void lease_changed(void *arg)
{
	struct bs_rbd_lease *l = arg;
	bs_size_cb cb = __atomic_load_n(&l->dev->alua_changed, __ATOMIC_ACQUIRE);

	if (cb)
		cb(l->dev, l->dev->alua_changed_arg);
}

void bs_rbd_lease_close(struct bs_rbd_lease *l)
{
	if (!l)
		return;
	/* the machine first: it hands the lease back while the watch still hears */
	bs_owner_run_stop(l->run);
	l->run = NULL;
	if (l->watching)
		rados_unwatch2(l->ioctx, l->watch);
	free(l);
}

bool bs_rbd_lease_may_write(const struct bs_rbd_lease *l)
{
	return !l || bs_owner_run_may_write(l->run);
}

uint8_t bs_rbd_lease_alua(const struct bs_rbd_lease *l, bool *has)
{
	*has = l != NULL;
	return l ? bs_owner_run_alua(l->run) : 0;
}

int bs_rbd_lease_take(struct bs_rbd_lease *l)
{
	if (!l)
		return -EINVAL;
	bs_owner_run_post(l->run, BS_OWNER_EV_MOVE, l->self);
	return 0;
}

bool bs_rbd_lease_view(struct bs_rbd_lease *l, struct bs_owner_info *v)
{
	if (!l)
		return false;
	memset(v, 0, sizeof(*v));
	snprintf(v->group, sizeof(v->group), "%s", l->group);
	snprintf(v->gateway, sizeof(v->gateway), "%s", l->self);
	bs_owner_run_view(l->run, v);
	return true;
}

int bs_rbd_lease_open(struct bs_dev *dev, void *cluster, void *ioctx, void *image,
		      const struct bs_params *p, struct bs_rbd_lease **out)
{
	struct bs_owner_cfg cfg = { 0 };
	char id[96], *addrs = NULL, *end;
	uint64_t features = 0;
	struct bs_rbd_lease *l;
	rados_write_op_t op;
	int ret;

	*out = NULL;
	if (!p->gateway_group || !p->gateway_group[0])
		return 0;
	if (!p->gateway_name || !p->gateway_name[0] || strlen(p->gateway_name) > BS_OWNER_NAME_MAX)
		return bs_open_err(dev, -EINVAL, "gateway_group '%s' needs a gateway_name (1 to %d characters)",
				   p->gateway_group, BS_OWNER_NAME_MAX);
	if (p->gateway_lease_ms && p->gateway_lease_ms[0]) {
		unsigned long ms;

		errno = 0;
		ms = strtoul(p->gateway_lease_ms, &end, 10);
		/* 3 s to 10 min: docs/rbd.md, "Lease timing" */
		if (errno || *end || ms < 3000 || ms > 600000)
			return bs_open_err(dev, -EINVAL,
					   "gateway_lease_ms '%s' is not a number of milliseconds from 3000 to 600000",
					   p->gateway_lease_ms);
		cfg.lease_ms = (uint32_t)ms;
	}
	if (bs_owner_cfg_check(&cfg))
		return bs_open_err(dev, -EINVAL, "gateway_lease_ms %" PRIu32 " does not fit", cfg.lease_ms);
	/*
	 * librbd's exclusive lock would move to whichever gateway writes
	 * (or, held, fail the others' writes): an image served by a group
	 * runs without it, and the lease with the blocklist fences instead.
	 */
	ret = rbd_get_features(image, &features);
	if (ret)
		return bs_open_err(dev, ret, "cannot read the features of '%s': %s", p->path,
				   strerror(-ret));
	if (features & RBD_FEATURE_EXCLUSIVE_LOCK)
		return bs_open_err(dev, -EINVAL,
				   "image '%s' has the exclusive-lock feature, which a gateway group does not serve: 'rbd feature disable %s journaling fast-diff object-map exclusive-lock' (those it has) first",
				   p->path, p->path);
	ret = rbd_get_id(image, id, sizeof(id));
	if (ret)
		return bs_open_err(dev, ret, "cannot read the id of '%s': %s", p->path,
				   strerror(-ret));
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->dev = dev;
	l->cluster = cluster;
	l->ioctx = ioctx;
	snprintf(l->oid, sizeof(l->oid), "portico.owner.%s", id);
	snprintf(l->self, sizeof(l->self), "%s", p->gateway_name);
	snprintf(l->group, sizeof(l->group), "%s", p->gateway_group);
	l->duration.tv_sec = cfg.lease_ms / 1000;
	l->duration.tv_usec = (suseconds_t)(cfg.lease_ms % 1000) * 1000;
	ret = rados_getaddrs(cluster, &addrs);
	if (ret || bs_owner_addr_norm(addrs, l->addr)) {
		ret = bs_open_err(dev, ret ? ret : -EINVAL, "cannot read this client's address ('%s')",
				  addrs ? addrs : "");
		goto err;
	}
	/* the watch needs the object; creating it is idempotent */
	op = rados_create_write_op();
	rados_write_op_create(op, LIBRADOS_CREATE_IDEMPOTENT, NULL);
	ret = rados_write_op_operate(op, ioctx, l->oid, NULL, 0);
	rados_release_write_op(op);
	if (ret) {
		ret = bs_open_err(dev, ret, "cannot create '%s': %s", l->oid, strerror(-ret));
		goto err;
	}
	ret = rados_watch3(ioctx, l->oid, &l->watch, lease_heard, lease_watch_err, 30, l);
	if (ret) {
		ret = bs_open_err(dev, ret, "cannot watch '%s': %s", l->oid, strerror(-ret));
		goto err;
	}
	l->watching = true;
	ret = bs_owner_run_start(&cfg, l->self, l->addr, &lease_ops, l, lease_changed, l, &l->run);
	if (ret) {
		ret = bs_open_err(dev, ret, "cannot start the lease of '%s': %s", p->path,
				  strerror(-ret));
		goto err;
	}
	log_info(BS_COMPONENT, "backstore '%s': gateway '%s' of group '%s', client %s, lease %" PRIu32 " ms on '%s'",
		 dev->name, l->self, p->gateway_group, l->addr, cfg.lease_ms, l->oid);
	if (addrs)
		rados_buffer_free(addrs);
	*out = l;
	return 0;

err:
	if (addrs)
		rados_buffer_free(addrs);
	if (l->watching)
		rados_unwatch2(ioctx, l->watch);
	free(l);
	return ret;
}

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
 *   - a watch on it carries the group's notifies ("owner NAME", "move NAME",
 *     and the members' "alive", "left", "gone": rbd_member.h);
 *   - its omap holds the group's members, one key per gateway,
 *     "member.NAME" -> "ADDR TAGS" (bs_member_value_build): what a gateway
 *     that starts (or lost its watch) reads to learn who is in the group.
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
/* The omap keys of the members: the prefix, then the gateway's name. */
#define MEMBER_KEY "member."

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
	bool rewatch;        /* the watch failed: set it up again before the next read */
	uint32_t renew_ms;
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

/* ---- the membership ---- */

static void lease_heard(void *arg, uint64_t notify_id, uint64_t handle, uint64_t notifier_id,
			void *data, size_t len);
static void lease_watch_err(void *arg, uint64_t cookie, int err);

/*
 * Sends a member's word; 0 once the OSD took it (the watchers that did
 * not ack in time, a dead gateway's, are not our failure). A renewal's
 * notify must not outwait the renewal period.
 */
static int member_notify(struct bs_rbd_lease *l, enum bs_member_ev_type type,
			 const struct bs_member_rec *r)
{
	char msg[BS_OWNER_NAME_MAX + BS_OWNER_ADDR_MAX + 64], *reply = NULL;
	uint64_t tmo = l->renew_ms / 2 < LEASE_NOTIFY_MS ? l->renew_ms / 2 : LEASE_NOTIFY_MS;
	size_t reply_len = 0;
	int n = bs_member_msg_build(msg, sizeof(msg), type, r), ret;

	if (n < 0)
		return n;
	ret = rados_notify2(l->ioctx, l->oid, msg, (size_t)n, tmo ? tmo : 1, &reply, &reply_len);
	if (reply)
		rados_buffer_free(reply);
	return ret == -ETIMEDOUT ? 0 : ret;
}

static int member_key(char *key, size_t size, const char *name)
{
	int n = snprintf(key, size, MEMBER_KEY "%s", name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int member_list(void *ctx, struct bs_member_rec *recs, size_t max, size_t *n)
{
	struct bs_rbd_lease *l = ctx;
	rados_omap_iter_t it = NULL;
	rados_read_op_t op;
	unsigned char more = 0;
	int ret, rval = 0;

	*n = 0;
	if (__atomic_load_n(&l->rewatch, __ATOMIC_ACQUIRE)) {
		/* the watch was lost: set it up again first, so that nothing is missed after the read */
		if (l->watching)
			rados_unwatch2(l->ioctx, l->watch);
		l->watching = false;
		ret = rados_watch3(l->ioctx, l->oid, &l->watch, lease_heard, lease_watch_err, 30, l);
		if (ret)
			return ret;
		l->watching = true;
		l->rewatch = false;
	}
	op = rados_create_read_op();
	if (!op)
		return -ENOMEM;
	rados_read_op_omap_get_vals2(op, "", MEMBER_KEY, BS_MEMBER_MAX, &it, &more, &rval);
	ret = rados_read_op_operate(op, l->ioctx, l->oid, 0);
	if (!ret)
		ret = rval;
	while (!ret && it) {
		char *key = NULL, *val = NULL;
		size_t klen = 0;
		size_t vlen = 0;

		if (rados_omap_get_next2(it, &key, &val, &klen, &vlen) || !key)
			break;
		if (klen <= strlen(MEMBER_KEY) || klen - strlen(MEMBER_KEY) > BS_OWNER_NAME_MAX ||
		    *n == max)
			continue;
		{
			char name[BS_OWNER_NAME_MAX + 1];

			snprintf(name, sizeof(name), "%.*s", (int)(klen - strlen(MEMBER_KEY)),
				 key + strlen(MEMBER_KEY));
			if (bs_member_value_parse(val, vlen, name, &recs[*n]) == 0)
				(*n)++;
			else
				log_warn(BS_COMPONENT, "member '%s': unreadable registration of '%s' on '%s'",
					 l->self, name, l->oid);
		}
	}
	if (it)
		rados_omap_get_end(it);
	rados_release_read_op(op);
	return ret;
}

static int member_renew(void *ctx, const struct bs_member_rec *self)
{
	struct bs_rbd_lease *l = ctx;
	char key[BS_OWNER_NAME_MAX + 16], val[BS_OWNER_ADDR_MAX + 64];
	const char *keys[1] = { key }, *vals[1] = { val };
	int n = bs_member_value_build(val, sizeof(val), self), ret;
	size_t lens[1];
	rados_write_op_t op;

	if (n < 0)
		return n;
	ret = member_key(key, sizeof(key), self->name);
	if (ret)
		return ret;
	lens[0] = (size_t)n;
	op = rados_create_write_op();
	if (!op)
		return -ENOMEM;
	rados_write_op_omap_set(op, keys, vals, lens, 1);
	ret = rados_write_op_operate(op, l->ioctx, l->oid, NULL, 0);
	rados_release_write_op(op);
	if (ret)
		return ret;
	return member_notify(l, BS_MEMBER_EV_HEARD, self);
}

/*
 * Removes rec's registration if it is still that client's (a new instance
 * of the gateway may have registered again under its name): read, then
 * remove with the value compared at the OSD.
 */
static int member_remove(struct bs_rbd_lease *l, const struct bs_member_rec *rec)
{
	char key[BS_OWNER_NAME_MAX + 16], val[BS_OWNER_ADDR_MAX + 64];
	const char *keys[1] = { key };
	struct bs_member_rec cur;
	rados_omap_iter_t it = NULL;
	rados_write_op_t wop;
	rados_read_op_t rop;
	int ret, rval = 0;
	size_t vlen = 0;
	char *k = NULL, *v = NULL;
	size_t kl = 0;

	ret = member_key(key, sizeof(key), rec->name);
	if (ret)
		return ret;
	rop = rados_create_read_op();
	if (!rop)
		return -ENOMEM;
	rados_read_op_omap_get_vals_by_keys(rop, keys, 1, &it, &rval);
	ret = rados_read_op_operate(rop, l->ioctx, l->oid, 0);
	if (!ret)
		ret = rval;
	if (!ret && it && !rados_omap_get_next2(it, &k, &v, &kl, &vlen) && k && vlen < sizeof(val)) {
		memcpy(val, v, vlen);
	} else {
		vlen = 0; /* gone already */
	}
	if (it)
		rados_omap_get_end(it);
	rados_release_read_op(rop);
	if (ret || vlen == 0)
		return ret;
	if (bs_member_value_parse(val, vlen, rec->name, &cur) == 0 && strcmp(cur.addr, rec->addr))
		return 0; /* a new instance registered: its entry stays */
	wop = rados_create_write_op();
	if (!wop)
		return -ENOMEM;
	rados_write_op_omap_cmp(wop, key, LIBRADOS_CMPXATTR_OP_EQ, val, vlen, &rval);
	rados_write_op_omap_rm_keys(wop, keys, 1);
	ret = rados_write_op_operate(wop, l->ioctx, l->oid, NULL, 0);
	rados_release_write_op(wop);
	/* the value changed in between: another instance's now, it stays */
	return ret == -ECANCELED ? 0 : ret;
}

static int member_fence(void *ctx, const struct bs_member_rec *rec)
{
	struct bs_rbd_lease *l = ctx;
	char a[BS_OWNER_ADDR_MAX + 1];
	int ret;

	snprintf(a, sizeof(a), "%s", rec->addr);
	ret = rados_blocklist_add(l->cluster, a, LEASE_BLOCKLIST_S);
	if (ret)
		return ret;
	log_warn(BS_COMPONENT, "member '%s': blocklisted the lapsed member '%s' (%s) of '%s' for %d s",
		 l->self, rec->name, a, l->dev->name, LEASE_BLOCKLIST_S);
	/* removed only once this client's OSD map carries the entry: the OSDs refuse it */
	ret = rados_wait_for_latest_osdmap(l->cluster);
	if (ret)
		return ret;
	ret = member_remove(l, rec);
	if (ret)
		return ret;
	return member_notify(l, BS_MEMBER_EV_GONE, rec);
}

static int member_leave(void *ctx, const struct bs_member_rec *self)
{
	struct bs_rbd_lease *l = ctx;
	int ret = member_remove(l, self);

	if (ret)
		return ret;
	return member_notify(l, BS_MEMBER_EV_LEFT, self);
}

static const struct bs_owner_ops lease_ops = {
	.acquire = lease_acquire,
	.renew = lease_renew,
	.fence = lease_fence,
	.publish = lease_publish,
	.release = lease_release,
	.ask_move = lease_ask_move,
	.member_list = member_list,
	.member_renew = member_renew,
	.member_fence = member_fence,
	.member_leave = member_leave,
};

/* On a librados thread: what another gateway said. */
static void lease_heard(void *arg, uint64_t notify_id, uint64_t handle, uint64_t notifier_id,
			void *data, size_t len)
{
	struct bs_rbd_lease *l = arg;
	enum bs_owner_ev_type type;
	enum bs_member_ev_type mtype;
	char name[BS_OWNER_NAME_MAX + 1];
	struct bs_member_rec rec;

	(void)notifier_id;
	if (l->run && !bs_owner_msg_parse(data, len, &type, name))
		bs_owner_run_post(l->run, type, name);
	else if (l->run && !bs_member_msg_parse(data, len, &mtype, &rec))
		bs_owner_run_post_member(l->run, mtype, &rec);
	rados_notify_ack(l->ioctx, l->oid, notify_id, handle, NULL, 0);
}

static void lease_watch_err(void *arg, uint64_t cookie, int err)
{
	struct bs_rbd_lease *l = arg;

	(void)cookie;
	log_warn(BS_COMPONENT, "owner '%s': watch on '%s' lost: %s", l->self, l->oid,
		 strerror(-err));
	if (err == -ESHUTDOWN && l->run) {
		bs_owner_run_post(l->run, BS_OWNER_EV_BLOCKLISTED, NULL);
		bs_owner_run_post_member(l->run, BS_MEMBER_EV_BLOCKLISTED, NULL);
		return;
	}
	/* notifies may have been missed: watch again and read the group whole */
	__atomic_store_n(&l->rewatch, true, __ATOMIC_RELEASE);
	if (l->run)
		bs_owner_run_relist(l->run);
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
	int ret;

	if (!l)
		return -EINVAL;
	ret = bs_owner_run_move(l->run, l->self);
	return ret == 1 ? 0 : ret;
}

int bs_rbd_lease_move(struct bs_rbd_lease *l, const char *to)
{
	if (!l)
		return -EOPNOTSUPP;
	return bs_owner_run_move(l->run, to);
}

int bs_rbd_lease_ports(struct bs_rbd_lease *l, const uint16_t *tags, size_t n)
{
	if (!l)
		return 0;
	if (n > BS_MEMBER_TAGS) {
		log_warn(BS_COMPONENT, "member '%s': '%s' is shown through %zu port groups; the group learns of the first %d",
			 l->self, l->dev->name, n, BS_MEMBER_TAGS);
		n = BS_MEMBER_TAGS;
	}
	return bs_owner_run_set_tags(l->run, tags, n);
}

size_t bs_rbd_lease_groups(struct bs_rbd_lease *l, struct bs_alua_tpg *out, size_t max)
{
	struct bs_member_tpg t[BS_MEMBER_MAX * BS_MEMBER_TAGS];
	size_t n;

	if (!l)
		return 0;
	n = bs_owner_run_tpgs(l->run, t, max < BS_MEMBER_MAX * BS_MEMBER_TAGS ? max :
						     BS_MEMBER_MAX * BS_MEMBER_TAGS);
	for (size_t i = 0; i < n; i++) {
		out[i].id = t[i].id;
		out[i].state = t[i].state;
	}
	return n;
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
	l->renew_ms = cfg.renew_ms ? cfg.renew_ms : cfg.lease_ms / 3;
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

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's NICs through libnl3 (nic.h).
 *
 * Links and addresses: a cache manager keeps two libnl caches current from
 * the rtnetlink multicast groups; its socket is watched by the daemon's
 * loop.
 *
 * Routes: not a libnl cache. libnl's route cache knows a route by family,
 * TOS, table, destination and priority, not by its link, so of the two
 * connected routes of two NICs on one subnet it keeps one (a dump skips the
 * second as a duplicate, an event replaces one with the other) and the
 * deletion of the one it dropped goes unseen. So a socket of our own
 * listens to the IPv4 and IPv6 route groups, and when a unicast route of
 * the main table moves, the routes are dumped (RTM_GETROUTE) and parsed
 * with libnl-route. IPv4 also drops the routes through a link that goes
 * down, or that loses its last address, without a word (fib_sync_down_dev
 * and fib_table_flush send no RTM_DELROUTE), so every batch that changes a
 * link or an address dumps the routes too.
 *
 * The change callbacks only note what moved: after each batch of events
 * (all that a socket held) the NICs and the routes are looked at again as a
 * whole, and what differs from the last look is reported (nic_state.h). So
 * the daemon hears of each change once, whatever the kernel sent to
 * announce it, and its ops run after libnl has returned, free to call
 * nic_mon_list(), nic_mon_reach() or nic_mon_stop(). When events were lost
 * (a socket overflowed: ENOBUFS) everything is read again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "common/ev.h"
#include "common/log.h"
#include "initiator/adapt/nic.h"
#include "initiator/adapt/nic_reach.h"
#include "initiator/adapt/nic_state.h"

#define NIC_COMP "nic"
/* Room for a burst of events (many VLANs made at once) before the socket overflows. */
#define NIC_EVENT_RCVBUF (1024 * 1024)
/* After a failed look (a dump that failed, no memory), try again this often. */
#define NIC_RETRY_MS 1000
/* A dump the kernel interrupted (the table changed under it) is asked again this many times. */
#define NIC_DUMP_TRIES 4
/* Reads of the route socket per callback (the loop calls again while it is readable). */
#define NIC_ROUTE_READS 64
/* after an overflow: reads of the event socket, each until it is empty or fails */
#define NIC_DRAIN_READS 64

enum {
	NIC_DIRTY_LINKS = 0x1,
	NIC_DIRTY_ADDRS = 0x2,
	NIC_DIRTY_ROUTES = 0x4,
	NIC_DIRTY_ALL = 0x7,
};

/* A route as dumped: what the reach rule reads, and the index of its link. */
struct nic_kroute {
	struct nic_route r;
	int ifindex;
};

struct nic_mon {
	struct ev_loop *loop;
	const struct nic_mon_ops *ops;
	void *arg;

	struct nl_sock *ev_sk;	  /* the manager's event socket (ours: we size its buffer) */
	struct nl_sock *route_sk; /* route events */
	struct nl_sock *sync_sk;  /* dumps */
	struct nl_cache_mngr *mngr;
	struct nl_cache *links, *addrs; /* owned by mngr */
	int fd, route_fd;
	bool watching, watching_routes; /* fd, route_fd are on the loop */

	/* the last route dump: the routes that count, one per nexthop (named at each look) */
	struct nic_kroute *kroutes;
	size_t nkroutes;

	unsigned int dirty;	/* NIC_DIRTY_*: what the change callbacks saw in this batch */
	unsigned int stale;	/* NIC_DIRTY_*: what to read again (lost events, a failed dump) */
	struct ev_timer *retry; /* armed while stale or a look failed */

	/* the last look, as reported */
	struct mp_ev_nic *nics; /* sorted by name */
	size_t nnics;
	struct nic_route *rt; /* sorted (nic_routes_sort) */
	size_t nrt;

	bool dispatching; /* inside the ops */
	bool stopped;	  /* nic_mon_stop() was called from inside the ops */
};

/* libnl's errors as -errno. */
static int nic_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_NODEV:
		return -ENODEV;
	default:
		return -EIO;
	}
}

static void nic_link_changed(struct nl_cache *cache, struct nl_object *obj, int action, void *arg)
{
	struct nic_mon *m = arg;

	(void)cache;
	(void)obj;
	(void)action;
	m->dirty |= NIC_DIRTY_LINKS;
}

static void nic_addr_changed(struct nl_cache *cache, struct nl_object *obj, int action, void *arg)
{
	struct nic_mon *m = arg;

	(void)cache;
	(void)obj;
	(void)action;
	m->dirty |= NIC_DIRTY_ADDRS;
}

/*
 * r and ifindex from one nexthop of route, with dev "?" (the name comes
 * at the next look). false when the reach rule does not look at it (not a
 * unicast route of the main table, IPv4 or IPv6), or the nexthop has no
 * link (a route that names its nexthops by id, RTA_NH_ID, has none here).
 */
static bool nic_kroute_from(struct rtnl_route *route, int k, struct nic_kroute *out)
{
	struct nl_addr *dst = rtnl_route_get_dst(route);
	struct rtnl_nexthop *nh;
	unsigned int len;

	memset(out, 0, sizeof(*out));
	out->r.family = rtnl_route_get_family(route);
	out->r.table = rtnl_route_get_table(route);
	out->r.type = rtnl_route_get_type(route);
	if (dst) {
		len = nl_addr_get_len(dst);
		if (len > sizeof(out->r.dst))
			return false;
		memcpy(out->r.dst, nl_addr_get_binary_addr(dst), len);
		out->r.prefix = (uint8_t)nl_addr_get_prefixlen(dst);
	}
	/* the rule decides what counts; the link is named later */
	strcpy(out->r.dev, "?");
	if (!nic_route_counts(&out->r))
		return false;
	nh = rtnl_route_nexthop_n(route, k);
	out->ifindex = nh ? rtnl_route_nh_get_ifindex(nh) : 0;
	return out->ifindex > 0;
}

/* What a route dump gathers. */
struct nic_dump {
	struct nic_kroute *v;
	size_t n, cap;
	int err; /* 0 or -NLE_NOMEM */
};

static int nic_dump_msg(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct nic_dump *d = arg;
	struct rtnl_route *route;
	int ret, nnh;

	/* after a failure the rest of the dump is read and dropped: the socket stays clean */
	if (hdr->nlmsg_type != RTM_NEWROUTE || d->err)
		return NL_SKIP;
	ret = rtnl_route_parse(hdr, &route);
	if (ret == -NLE_NOMEM) {
		d->err = -NLE_NOMEM;
		return NL_SKIP;
	}
	if (ret < 0)
		return NL_SKIP; /* a family libnl does not parse (MPLS without its module) */
	nnh = rtnl_route_get_nnexthops(route);
	for (int k = 0; k < nnh; k++) {
		struct nic_kroute kr;

		if (!nic_kroute_from(route, k, &kr))
			continue;
		if (d->n == d->cap) {
			size_t ncap = d->cap ? d->cap * 2 : 32;
			struct nic_kroute *grown = realloc(d->v, ncap * sizeof(*d->v));

			if (!grown) {
				d->err = -NLE_NOMEM;
				break;
			}
			d->v = grown;
			d->cap = ncap;
		}
		d->v[d->n++] = kr;
	}
	rtnl_route_put(route);
	return NL_OK;
}

/* Dumps the routes of every table and family into m->kroutes. 0 or a libnl error. */
static int nic_dump_routes(struct nic_mon *m)
{
	struct rtmsg req = { .rtm_family = AF_UNSPEC };
	struct nic_dump d = { 0 };
	struct nl_cb *cb;
	int ret = 0;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -NLE_NOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nic_dump_msg, &d);
	for (int tries = 0; tries < NIC_DUMP_TRIES; tries++) {
		d.n = 0;
		d.err = 0;
		ret = nl_send_simple(m->sync_sk, RTM_GETROUTE, NLM_F_DUMP, &req, sizeof(req));
		if (ret < 0)
			break;
		ret = nl_recvmsgs(m->sync_sk, cb);
		if (ret >= 0 && d.err)
			ret = d.err;
		if (ret != -NLE_DUMP_INTR)
			break;
	}
	nl_cb_put(cb);
	if (ret < 0) {
		free(d.v);
		return ret;
	}
	/* d.v stays NULL for a dump without routes that count */
	free(m->kroutes);
	m->kroutes = d.v;
	m->nkroutes = d.n;
	return 0;
}

/* Reads what (NIC_DIRTY_*) again from the kernel. 0 or a libnl error. */
static int nic_refill(struct nic_mon *m, unsigned int what)
{
	int ret;

	if (what & NIC_DIRTY_LINKS) {
		ret = nl_cache_refill(m->sync_sk, m->links);
		if (ret < 0)
			return ret;
	}
	if (what & NIC_DIRTY_ADDRS) {
		ret = nl_cache_refill(m->sync_sk, m->addrs);
		if (ret < 0)
			return ret;
	}
	if (what & NIC_DIRTY_ROUTES)
		return nic_dump_routes(m);
	return 0;
}

/* The NICs the caches hold, sorted by name, into *out (the caller frees it). 0 or -ENOMEM. */
static int nic_look_links(struct nic_mon *m, struct mp_ev_nic **out, size_t *nout)
{
	int nlinks = nl_cache_nitems(m->links), naddrs = nl_cache_nitems(m->addrs);
	struct nl_object *obj;
	struct mp_ev_nic *nics;
	size_t n = 0;

	*out = NULL;
	*nout = 0;
	if (nlinks <= 0)
		return 0;
	nics = calloc((size_t)nlinks, sizeof(*nics));
	if (!nics)
		return -ENOMEM;
	obj = nl_cache_get_first(m->links);
	for (int i = 0; i < nlinks && obj; i++, obj = nl_cache_get_next(obj)) {
		struct rtnl_link *link = (struct rtnl_link *)obj;
		struct nic_link_facts f = {
			.name = rtnl_link_get_name(link),
			.ifindex = rtnl_link_get_ifindex(link),
			.family = rtnl_link_get_family(link),
			.flags = rtnl_link_get_flags(link),
			.operstate = rtnl_link_get_operstate(link),
		};

		if (nic_from_link(&f, &nics[n]))
			n++;
	}
	obj = nl_cache_get_first(m->addrs);
	for (int i = 0; i < naddrs && obj; i++, obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *addr = (struct rtnl_addr *)obj;
		int ifindex = rtnl_addr_get_ifindex(addr);

		if (!nic_addr_is_source(rtnl_addr_get_family(addr), rtnl_addr_get_scope(addr),
					rtnl_addr_get_flags(addr)))
			continue;
		for (size_t k = 0; k < n; k++)
			if (nics[k].ifindex == ifindex)
				nics[k].has_addr = true;
	}
	nic_list_sort(nics, n);
	*out = nics;
	*nout = n;
	return 0;
}

static const char *nic_name_of(const struct mp_ev_nic *nics, size_t n, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (nics[i].ifindex == ifindex)
			return nics[i].name;
	return NULL;
}

/*
 * The dumped routes through the NICs (not the loopback: lo is no NIC),
 * named, sorted, into *out (the caller frees it). 0 or -ENOMEM.
 */
static int nic_look_routes(struct nic_mon *m, const struct mp_ev_nic *nics, size_t nnics,
			   struct nic_route **out, size_t *nout)
{
	struct nic_route *rt;
	size_t n = 0;

	*out = NULL;
	*nout = 0;
	if (!m->nkroutes)
		return 0;
	rt = calloc(m->nkroutes, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	for (size_t i = 0; i < m->nkroutes; i++) {
		const char *name = nic_name_of(nics, nnics, m->kroutes[i].ifindex);

		if (!name)
			continue;
		rt[n] = m->kroutes[i].r;
		memcpy(rt[n].dev, name, MP_NIC_MAX);
		n++;
	}
	nic_routes_sort(rt, n);
	*out = rt;
	*nout = n;
	return 0;
}

static void nic_mon_free(struct nic_mon *m)
{
	if (m->retry)
		ev_timer_cancel(m->loop, m->retry);
	if (m->watching)
		ev_del_fd(m->loop, m->fd);
	if (m->watching_routes)
		ev_del_fd(m->loop, m->route_fd);
	/* frees the caches, and closes (but does not free) the event socket we gave it */
	nl_cache_mngr_free(m->mngr);
	nl_socket_free(m->ev_sk);
	nl_socket_free(m->route_sk);
	nl_socket_free(m->sync_sk);
	free(m->kroutes);
	free(m->nics);
	free(m->rt);
	free(m);
}

/*
 * Tells the ops what the changes are: NICs gone, NICs new or changed, then
 * whether the routes moved. Stops early when an op stops the monitor.
 */
static void nic_dispatch(struct nic_mon *m, const struct nic_change *changes, size_t n,
			 bool routes_moved)
{
	m->dispatching = true;
	for (size_t i = 0; i < n && !m->stopped; i++) {
		const struct mp_ev_nic *nic = &changes[i].nic;

		if (changes[i].gone) {
			log_info(NIC_COMP, "nic '%s': gone", nic->name);
			if (m->ops->gone)
				m->ops->gone(m->arg, nic->name);
		} else {
			log_info(NIC_COMP, "nic '%s': ifindex %d, %s, %s, %s", nic->name,
				 nic->ifindex, nic->up ? "up" : "down",
				 nic->carrier ? "carrier" : "no carrier",
				 nic->has_addr ? "an address" : "no address");
			if (m->ops->changed)
				m->ops->changed(m->arg, nic);
		}
	}
	if (routes_moved && !m->stopped) {
		log_dbg(NIC_COMP, "routes changed (%zu through NICs)", m->nrt);
		if (m->ops->routes_changed)
			m->ops->routes_changed(m->arg);
	}
	m->dispatching = false;
}

/*
 * Looks at the caches again and, when report is set, tells the ops what
 * differs from the last look. Returns 0, or -ENOMEM with the last look
 * kept (the caller tries again). When it returns, m may be freed (an op
 * stopped it): *freed says so.
 */
static int nic_update(struct nic_mon *m, bool report, bool *freed)
{
	struct mp_ev_nic *nics, *old_nics;
	struct nic_change *changes;
	struct nic_route *rt;
	size_t nnics, nrt, nchanges;
	bool routes_moved;
	int ret;

	*freed = false;
	ret = nic_look_links(m, &nics, &nnics);
	if (ret)
		return ret;
	ret = nic_look_routes(m, nics, nnics, &rt, &nrt);
	if (ret)
		goto err_free_nics;
	changes = calloc(m->nnics + nnics + 1, sizeof(*changes));
	if (!changes) {
		ret = -ENOMEM;
		goto err_free_rt;
	}
	nchanges = nic_list_diff(m->nics, m->nnics, nics, nnics, changes);
	routes_moved = !nic_routes_equal(m->rt, m->nrt, rt, nrt);

	/* the new look is current before any op runs: nic_mon_list/reach from an op see it */
	old_nics = m->nics;
	m->nics = nics;
	m->nnics = nnics;
	free(m->rt);
	m->rt = rt;
	m->nrt = nrt;
	/* changes[] holds copies; the old list goes now */
	free(old_nics);

	if (report)
		nic_dispatch(m, changes, nchanges, routes_moved);
	free(changes);
	if (m->stopped) {
		nic_mon_free(m);
		*freed = true;
	}
	return 0;

err_free_rt:
	free(rt);
err_free_nics:
	free(nics);
	return ret;
}

static int64_t nic_retry_due(struct ev_loop *loop, void *arg);

/* Arms the retry timer, unless it is armed. */
static void nic_retry_later(struct nic_mon *m)
{
	if (m->retry)
		return;
	m->retry = ev_timer_add(m->loop, NIC_RETRY_MS, nic_retry_due, m);
	if (!m->retry)
		log_err(NIC_COMP, "cannot arm a timer to look at the links again: "
				  "the next netlink event brings them back");
}

/*
 * Reads again the caches that must be (m->stale), then looks at them all
 * when dirty says something moved, or when a look failed before (the
 * retry timer is armed: it is cancelled once a look succeeds). Returns 0,
 * or -errno with the retry timer armed. When it returns, m may be freed
 * (an op stopped it): *freed says so.
 */
static int nic_settle(struct nic_mon *m, unsigned int dirty, bool *freed)
{
	int ret;

	*freed = false;
	if (m->retry)
		dirty = NIC_DIRTY_ALL;
	if (m->stale) {
		ret = nic_refill(m, m->stale);
		if (ret < 0) {
			log_warn(NIC_COMP, "cannot read the links, addresses and routes again: %s",
				 nl_geterror(ret));
			nic_retry_later(m);
			return nic_errno(ret);
		}
		dirty |= m->stale;
		m->stale = 0;
	}
	if (dirty) {
		ret = nic_update(m, true, freed);
		if (*freed)
			return 0;
		if (ret) {
			log_err(NIC_COMP, "cannot look at the links: %s", strerror(-ret));
			nic_retry_later(m);
			return ret;
		}
	}
	if (m->retry) {
		ev_timer_cancel(m->loop, m->retry);
		m->retry = NULL;
	}
	return 0;
}

static int64_t nic_retry_due(struct ev_loop *loop, void *arg)
{
	struct nic_mon *m = arg;
	bool freed;

	(void)loop;
	/* success cancels this timer (and so does a stop): the value returned is then ignored */
	nic_settle(m, NIC_DIRTY_ALL, &freed);
	return NIC_RETRY_MS;
}

static void nic_readable(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct nic_mon *m = arg;
	bool freed;
	int ret;

	(void)loop;
	(void)fd;
	(void)events;
	m->dirty = 0;
	ret = nl_cache_mngr_data_ready(m->mngr);
	if (ret < 0) {
		/* the socket overflowed (ENOBUFS, which libnl calls NLE_NOMEM): events were lost */
		log_warn(NIC_COMP,
			 "netlink events lost (%s): reading every link, address and route again",
			 ret == -NLE_NOMEM ? "the socket overflowed" : nl_geterror(ret));
		/*
		 * The kernel reports ENOBUFS once per overflow: until the queue
		 * has been read empty, what else it drops (a carrier lost just
		 * after the burst) is dropped without a word. So the queue is
		 * read dry first (its messages are older than the dump anyway),
		 * and the dump comes after: it then covers every drop.
		 */
		for (int i = 0; i < NIC_DRAIN_READS && nl_cache_mngr_data_ready(m->mngr) < 0; i++)
			;
		m->stale = NIC_DIRTY_ALL;
	} else if (m->dirty & (NIC_DIRTY_LINKS | NIC_DIRTY_ADDRS)) {
		/* the routes IPv4 drops without a word (see the top of this file) */
		m->stale |= NIC_DIRTY_ROUTES;
	}
	nic_settle(m, m->dirty, &freed);
}

/*
 * A route event: the routes move for the reach rule when one that counts
 * (nic_kroute_from) was added or deleted; then they are dumped.
 */
static int nic_route_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct nic_mon *m = arg;
	struct rtnl_route *route;
	const struct rtmsg *rtm;
	int nnh;

	if (hdr->nlmsg_type != RTM_NEWROUTE && hdr->nlmsg_type != RTM_DELROUTE)
		return NL_SKIP;
	if (!nlmsg_valid_hdr(hdr, sizeof(*rtm)))
		return NL_SKIP;
	rtm = nlmsg_data(hdr);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return NL_SKIP;
	if (rtnl_route_parse(hdr, &route) < 0) {
		/* cannot tell what it is: the dump will */
		m->stale |= NIC_DIRTY_ROUTES;
		return NL_SKIP;
	}
	nnh = rtnl_route_get_nnexthops(route);
	for (int k = 0; k < nnh; k++) {
		struct nic_kroute kr;

		if (nic_kroute_from(route, k, &kr)) {
			m->stale |= NIC_DIRTY_ROUTES;
			break;
		}
	}
	rtnl_route_put(route);
	return NL_OK;
}

static void nic_routes_readable(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct nic_mon *m = arg;
	bool freed;
	int ret;

	(void)loop;
	(void)fd;
	(void)events;
	for (int i = 0; i < NIC_ROUTE_READS; i++) {
		ret = nl_recvmsgs_default(m->route_sk);
		if (ret == -NLE_AGAIN)
			break;
		if (ret < 0) {
			/* lost route events (ENOBUFS) cost nothing: the dump says what is */
			log_dbg(NIC_COMP, "route events: %s: dumping the routes", nl_geterror(ret));
			m->stale |= NIC_DIRTY_ROUTES;
		}
	}
	if (m->stale)
		nic_settle(m, 0, &freed);
}

static void nic_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void nic_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int nic_mon_start(struct ev_loop *loop, const struct nic_mon_ops *ops, void *arg,
		  struct nic_mon **out, char *err, size_t errlen)
{
	const char *what;
	struct nic_mon *m;
	bool freed;
	int ret;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		nic_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	m->loop = loop;
	m->ops = ops;
	m->arg = arg;
	m->fd = -1;
	m->route_fd = -1;

	what = "cannot open a netlink socket";
	m->ev_sk = nl_socket_alloc();
	m->route_sk = nl_socket_alloc();
	m->sync_sk = nl_socket_alloc();
	if (!m->ev_sk || !m->route_sk || !m->sync_sk) {
		ret = -NLE_NOMEM;
		goto err_free;
	}
	ret = nl_connect(m->sync_sk, NETLINK_ROUTE);
	if (ret < 0)
		goto err_free;

	/* route events: joined before the first dump, so that no change falls between */
	what = "cannot listen to route events";
	nl_socket_disable_seq_check(m->route_sk);
	ret = nl_socket_modify_cb(m->route_sk, NL_CB_VALID, NL_CB_CUSTOM, nic_route_event, m);
	if (ret < 0)
		goto err_free;
	ret = nl_connect(m->route_sk, NETLINK_ROUTE);
	if (ret < 0)
		goto err_free;
	ret = nl_socket_add_memberships(m->route_sk, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, 0);
	if (ret < 0)
		goto err_free;
	ret = nl_socket_set_nonblocking(m->route_sk);
	if (ret < 0)
		goto err_free;

	/* links and addresses: flags 0 keeps the caches ours (not libnl's global ones) */
	what = "cannot listen to link and address events";
	ret = nl_cache_mngr_alloc(m->ev_sk, NETLINK_ROUTE, 0, &m->mngr);
	if (ret < 0) {
		m->mngr = NULL;
		goto err_free;
	}
	ret = nl_socket_set_buffer_size(m->ev_sk, NIC_EVENT_RCVBUF, 0);
	if (ret < 0)
		goto err_free;
	/*
	 * nl_cache_mngr_add allocates each cache, joins its multicast groups
	 * and dumps it once (rtnl_link_alloc_cache would dump it, and adding
	 * it to the manager dump it again).
	 */
	what = "cannot read the links";
	ret = nl_cache_mngr_add(m->mngr, "route/link", nic_link_changed, m, &m->links);
	if (ret < 0)
		goto err_free;
	what = "cannot read the addresses";
	ret = nl_cache_mngr_add(m->mngr, "route/addr", nic_addr_changed, m, &m->addrs);
	if (ret < 0)
		goto err_free;
	what = "cannot read the routes";
	ret = nic_dump_routes(m);
	if (ret < 0)
		goto err_free;

	/* the first look: nic_mon_list() gives it, no op runs for it */
	ret = nic_update(m, false, &freed);
	if (ret) {
		nic_err(err, errlen, "cannot look at the links: %s", strerror(-ret));
		goto err_free_errno;
	}

	m->fd = nl_cache_mngr_get_fd(m->mngr);
	ret = ev_add_fd(loop, m->fd, EV_READ, nic_readable, m);
	if (ret) {
		nic_err(err, errlen, "cannot watch the netlink socket: %s", strerror(-ret));
		goto err_free_errno;
	}
	m->watching = true;
	m->route_fd = nl_socket_get_fd(m->route_sk);
	ret = ev_add_fd(loop, m->route_fd, EV_READ, nic_routes_readable, m);
	if (ret) {
		nic_err(err, errlen, "cannot watch the netlink socket: %s", strerror(-ret));
		goto err_free_errno;
	}
	m->watching_routes = true;
	log_info(NIC_COMP, "following %zu NICs and %zu routes through them", m->nnics, m->nrt);
	*out = m;
	return 0;

err_free:
	nic_err(err, errlen, "%s: %s", what, nl_geterror(ret));
	ret = nic_errno(ret);
err_free_errno:
	nic_mon_free(m);
	return ret;
}

void nic_mon_stop(struct nic_mon *m)
{
	if (!m)
		return;
	if (m->dispatching) {
		/* from inside an op: no op runs any more, and nic_update frees m when it returns */
		if (m->watching) {
			ev_del_fd(m->loop, m->fd);
			m->watching = false;
		}
		if (m->watching_routes) {
			ev_del_fd(m->loop, m->route_fd);
			m->watching_routes = false;
		}
		m->stopped = true;
		return;
	}
	nic_mon_free(m);
}

size_t nic_mon_list(struct nic_mon *m, struct mp_ev_nic *out, size_t max)
{
	size_t n = m->nnics < max ? m->nnics : max;

	if (n)
		memcpy(out, m->nics, n * sizeof(*out));
	return m->nnics;
}

size_t nic_mon_addrs(struct nic_mon *m, int ifindex, char (*out)[NIC_ADDR_TEXT_MAX], size_t max)
{
	struct nl_object *obj;
	size_t n = 0;

	for (obj = nl_cache_get_first(m->addrs); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *a = (struct rtnl_addr *)obj;

		if (rtnl_addr_get_ifindex(a) != ifindex ||
		    !nic_addr_is_source(rtnl_addr_get_family(a), rtnl_addr_get_scope(a),
					rtnl_addr_get_flags(a)))
			continue;
		if (n < max && !nl_addr2str(rtnl_addr_get_local(a), out[n], NIC_ADDR_TEXT_MAX))
			out[n][0] = '\0';
		n++;
	}
	return n;
}

int nic_mon_reach(struct nic_mon *m, const char *addr, const char (*only)[MP_NIC_MAX],
		  size_t nonly, char (*out)[MP_NIC_MAX], size_t max)
{
	return nic_reach(m->rt, m->nrt, addr, only, nonly, out, max);
}

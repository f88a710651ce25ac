/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's NICs through libnl3 (initiator/adapt/nic.c): links (state,
 * carrier), addresses and routes, kept in libnl caches that a netlink
 * socket on the daemon's event loop keeps current. The daemon learns every
 * change through ops (on the loop, never inside the call that registered
 * them), and asks which NICs reach an address.
 */
#ifndef PORTICO_INITIATOR_NIC_H
#define PORTICO_INITIATOR_NIC_H

#include <stddef.h>

#include "mpath/sm.h"

struct ev_loop;
struct nic_mon;

/*
 * What the daemon hears. The ops run on loop, from the netlink socket's
 * callback, never inside nic_mon_start(): nic_mon_list() gives the state
 * at start. After each batch of kernel events the NICs and the routes are
 * looked at again as a whole and each difference is reported once: first
 * every NIC gone, then every NIC new or changed, then routes_changed if
 * the routes moved. A change the kernel announces in several messages is
 * reported once; one that changes nothing struct mp_ev_nic holds is not
 * reported. The ops may call nic_mon_list(), nic_mon_reach() (both see the
 * new state) and nic_mon_stop() (then no further op runs). Any op may be
 * NULL.
 */
struct nic_mon_ops {
	/*
	 * A link (not the loopback) appeared or changed: state, carrier,
	 * addresses. nic is valid during the call only.
	 */
	void (*changed)(void *arg, const struct mp_ev_nic *nic);
	/*
	 * A link went away. Also when a link of that name was deleted and
	 * made again (its ifindex changed): then changed follows.
	 */
	void (*gone)(void *arg, const char *name);
	/*
	 * The routes the reach rule reads (unicast, main table, through a
	 * NIC) changed: which NICs reach what may have changed. An address
	 * added or removed shows here through its connected route; a link
	 * that loses its carrier keeps its routes (reach does not follow the
	 * carrier: the NIC's state says that), one set down loses its IPv4
	 * routes.
	 */
	void (*routes_changed)(void *arg);
};

/*
 * Reads the links, addresses and routes, and follows them on loop. 0, or
 * -errno with a reason in err. Stop with nic_mon_stop().
 */
int nic_mon_start(struct ev_loop *loop, const struct nic_mon_ops *ops, void *arg,
		  struct nic_mon **out, char *err, size_t errlen);
/* Stops following and frees m (NULL: nothing); safe from inside an op. */
void nic_mon_stop(struct nic_mon *m);

/*
 * The current state of every link but the loopback, by name, into out
 * (max); returns how many there are.
 */
size_t nic_mon_list(struct nic_mon *m, struct mp_ev_nic *out, size_t max);

/* An address with its prefix length, as "198.18.1.2/24" or "fd00::2/64". */
#define NIC_ADDR_TEXT_MAX 64

/*
 * The addresses link ifindex can send from (nic_addr_is_source), as text
 * with their prefix length, into out (max); returns how many there are.
 */
size_t nic_mon_addrs(struct nic_mon *m, int ifindex, char (*out)[NIC_ADDR_TEXT_MAX], size_t max);

/*
 * The NICs that reach addr (an IPv4 or IPv6 literal, with or without
 * ":port"/"[...]:port"; an IPv4-mapped IPv6 address is IPv4; a zone,
 * "fe80::1%eth1", names the only link that counts), from the main routing
 * table: the links of the routes with the longest prefix that covers addr
 * (two NICs on one subnet both reach it; a default route counts only when
 * nothing longer does). With only (nonly names), just those NICs count,
 * each when any of its routes covers addr. Writes at most max names to
 * out, in ascending order, and returns how many there are (0: none);
 * -EINVAL for an address that is not a literal. The rule is nic_reach()
 * (nic_reach.h).
 */
int nic_mon_reach(struct nic_mon *m, const char *addr, const char (*only)[MP_NIC_MAX],
		  size_t nonly, char (*out)[MP_NIC_MAX], size_t max);

#endif

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

struct nic_mon_ops {
	/* A link (not the loopback) appeared or changed: state, carrier, addresses. */
	void (*changed)(void *arg, const struct mp_ev_nic *nic);
	/* A link went away. */
	void (*gone)(void *arg, const char *name);
	/* Addresses or routes changed: which NICs reach what may have changed. */
	void (*routes_changed)(void *arg);
};

/*
 * Reads the links, addresses and routes, and follows them on loop. 0, or
 * -errno with a reason in err. Stop with nic_mon_stop().
 */
int nic_mon_start(struct ev_loop *loop, const struct nic_mon_ops *ops, void *arg,
		  struct nic_mon **out, char *err, size_t errlen);
void nic_mon_stop(struct nic_mon *m);

/* The current state of every link but the loopback, into out (max); returns how many there are. */
size_t nic_mon_list(struct nic_mon *m, struct mp_ev_nic *out, size_t max);

/*
 * The NICs that reach addr (an IPv4 or IPv6 literal, with or without
 * ":port"/"[...]:port"), from the main routing table: the links of the
 * routes with the longest prefix that covers addr (two NICs on one subnet
 * both reach it; a default route counts only when nothing longer does).
 * With only (nonly names), just those NICs count, each when any of its
 * routes covers addr. Writes at most max names to out and returns how many
 * there are; -EINVAL for an address that is not a literal.
 */
int nic_mon_reach(struct nic_mon *m, const char *addr, const char (*only)[MP_NIC_MAX],
		  size_t nonly, char (*out)[MP_NIC_MAX], size_t max);

#endif

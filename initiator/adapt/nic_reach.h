/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which NICs reach an address, by the routes of the main routing table
 * (pure: routes and an address in, NIC names out; no I/O, no logging).
 * initiator/adapt/nic.c feeds it the routes its libnl cache holds; the
 * unit test tests/unit/initiator/adapt/nic_reach_test.c feeds it tables.
 *
 * The rule: the NICs of the routes with the longest prefix that covers the
 * address (two NICs on one subnet both reach it; a default route counts
 * only when nothing longer does). With a list of NICs (pathd.conf names
 * its storage NICs), each listed NIC that has any route covering the
 * address. Only unicast routes of the main table count: the local table
 * (the host's own addresses) and blackhole, unreachable and prohibit
 * routes say nothing about which NIC a portal is behind.
 */
#ifndef PORTICO_INITIATOR_NIC_REACH_H
#define PORTICO_INITIATOR_NIC_REACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpath/sm.h"

/* One route through one link: a multipath route is one of these per nexthop. */
struct nic_route {
	int family;	      /* AF_INET or AF_INET6 */
	uint8_t dst[16];      /* network byte order; AF_INET: the first 4 bytes */
	uint8_t prefix;	      /* 0 (a default route) to 32 or 128 */
	uint8_t type;	      /* RTN_UNICAST counts */
	uint32_t table;	      /* RT_TABLE_MAIN counts */
	char dev[MP_NIC_MAX]; /* the link it goes out of */
};

/*
 * Whether the rule looks at r: a unicast route of the main table, IPv4 or
 * IPv6, with a prefix that fits its family and a link name.
 */
bool nic_route_counts(const struct nic_route *r);

/*
 * The NICs that reach addr (an IPv4 or IPv6 literal, with or without
 * ":port"/"[...]:port"; an IPv4-mapped IPv6 address is IPv4) through the
 * n routes. With only (nonly > 0 names), the listed NICs that have any
 * route covering addr; without, the NICs of the longest covering prefix.
 * Writes at most max distinct names to out, in ascending order, and
 * returns how many there are (0: no route covers addr); -EINVAL when addr
 * is not an address literal.
 */
int nic_reach(const struct nic_route *routes, size_t n, const char *addr,
	      const char (*only)[MP_NIC_MAX], size_t nonly, char (*out)[MP_NIC_MAX], size_t max);

/* Orders routes (qsort) so that two tables can be compared with nic_routes_equal(). */
void nic_routes_sort(struct nic_route *routes, size_t n);

/* Whether two sorted tables hold the same routes. */
bool nic_routes_equal(const struct nic_route *a, size_t na, const struct nic_route *b, size_t nb);

#endif

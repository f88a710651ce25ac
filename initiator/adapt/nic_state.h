/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A NIC's state from what the kernel says of its link and addresses, and
 * what changed between two looks at every NIC (pure: no I/O, no logging).
 * initiator/adapt/nic.c reads the facts from its libnl caches after each
 * batch of netlink events, and reports the differences found here, so that
 * each change is reported once whatever the kernel sent to announce it
 * (one link change often comes as several RTM_NEWLINK messages).
 */
#ifndef PORTICO_INITIATOR_NIC_STATE_H
#define PORTICO_INITIATOR_NIC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpath/sm.h"

/* What one RTM_NEWLINK says of a link. */
struct nic_link_facts {
	const char *name; /* IFLA_IFNAME */
	int ifindex;
	int family;	    /* AF_UNSPEC: the link itself (AF_BRIDGE: its bridge port) */
	unsigned int flags; /* IFF_* (ifi_flags) */
	uint8_t operstate;  /* IF_OPER_* (IFLA_OPERSTATE) */
};

/*
 * The NIC of a link, without its has_addr (nic_addr_is_source says which
 * addresses count): up is IFF_UP, carrier is IFF_LOWER_UP or operstate up.
 * false when the link is no NIC: the loopback, a bridge port record, a
 * name that is missing or longer than IFNAMSIZ allows.
 */
bool nic_from_link(const struct nic_link_facts *f, struct mp_ev_nic *nic);

/*
 * Whether an address (family, scope RT_SCOPE_*, flags IFA_F_*) lets its
 * link be a source: any IPv4 address, an IPv6 address of global scope
 * that has passed duplicate address detection (a tentative or
 * duplicated address cannot be bound to).
 */
bool nic_addr_is_source(int family, int scope, unsigned int flags);

/* Orders NICs by name, as nic_list_diff() wants them. */
void nic_list_sort(struct mp_ev_nic *nics, size_t n);

/* One difference between two looks: a NIC gone (by name), or a NIC new or changed. */
struct nic_change {
	bool gone;
	struct mp_ev_nic nic; /* gone: only the name */
};

/*
 * The differences from old to cur (both sorted by name): first every NIC
 * gone, then every NIC new or changed in anything struct mp_ev_nic holds.
 * A name whose ifindex changed (the link was deleted and made again) is
 * gone and then new. Writes to out, which has room for nold + ncur
 * changes, and returns how many there are; nothing for equal lists.
 */
size_t nic_list_diff(const struct mp_ev_nic *old, size_t nold, const struct mp_ev_nic *cur,
		     size_t ncur, struct nic_change *out);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sysctls a storage NIC needs when several NICs share a subnet
 * (initiator/adapt/sysctl.c). Linux answers ARP for any local address on
 * any NIC and, with strict reverse-path filtering, drops replies that come
 * back on "the wrong" NIC: with two NICs on one subnet, one of them then
 * carries both paths, or neither works. So each storage NIC answers ARP
 * only for its own addresses (arp_ignore = 1), announces only them
 * (arp_announce = 2), and filters reverse paths loosely (rp_filter = 2).
 * Its neighbour probing is made to outlast a pulled cable (sysctl.c says
 * why): a probe every NIC_NEIGH_RETRANS_MS for a minute.
 */
#ifndef PORTICO_INITIATOR_SYSCTL_H
#define PORTICO_INITIATOR_SYSCTL_H

#include <stddef.h>

#define NIC_NEIGH_RETRANS_MS 250
#define NIC_NEIGH_PROBES 240 /* 60 s of probes */

/* One setting that was changed, for the log. */
struct nic_sysctl_change {
	char key[40]; /* "ipv4/conf/arp_ignore" */
	int from, to;
	const char *why; /* a static string */
};

/*
 * Sets nic's IPv4 settings under root ("/proc/sys"; tests give another).
 * Writes only what differs; changes (max of them) says what was changed
 * and *n how many. 0, or -errno with the setting in err.
 */
int nic_sysctl_apply(const char *root, const char *nic, struct nic_sysctl_change *changes,
		     size_t max, size_t *n, char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NIC state from link and address facts, and the differences between two
 * looks (nic_state.h). Pure.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "initiator/adapt/nic_state.h"

bool nic_from_link(const struct nic_link_facts *f, struct mp_ev_nic *nic)
{
	size_t len;

	if (f->family != AF_UNSPEC || (f->flags & IFF_LOOPBACK) || !f->name)
		return false;
	len = strnlen(f->name, MP_NIC_MAX);
	if (len == 0 || len == MP_NIC_MAX)
		return false;
	memset(nic, 0, sizeof(*nic));
	memcpy(nic->name, f->name, len);
	nic->ifindex = f->ifindex;
	nic->up = f->flags & IFF_UP;
	/*
	 * RFC 2863 operStatus, as the kernel keeps it: IFF_LOWER_UP is the
	 * driver's carrier, operstate up also covers a stacked link (a VLAN,
	 * a bond) whose lower link has carrier.
	 */
	nic->carrier = (f->flags & IFF_LOWER_UP) || f->operstate == IF_OPER_UP;
	return true;
}

bool nic_addr_is_source(int family, int scope, unsigned int flags)
{
	if (family == AF_INET)
		return true;
	if (family != AF_INET6 || scope != RT_SCOPE_UNIVERSE)
		return false;
	/* RFC 4862 §5.4: a tentative address is not yet assigned; a duplicate never will be */
	return !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
}

static int nic_name_cmp(const void *pa, const void *pb)
{
	const struct mp_ev_nic *a = pa, *b = pb;

	return strncmp(a->name, b->name, MP_NIC_MAX);
}

void nic_list_sort(struct mp_ev_nic *nics, size_t n)
{
	if (n > 1)
		qsort(nics, n, sizeof(*nics), nic_name_cmp);
}

static bool nic_same(const struct mp_ev_nic *a, const struct mp_ev_nic *b)
{
	return a->ifindex == b->ifindex && a->up == b->up && a->carrier == b->carrier &&
	       a->has_addr == b->has_addr;
}

size_t nic_list_diff(const struct mp_ev_nic *old, size_t nold, const struct mp_ev_nic *cur,
		     size_t ncur, struct nic_change *out)
{
	size_t i = 0, j = 0, n = 0;

	/* gone: in old, and not in cur under the same name and ifindex */
	while (i < nold) {
		int c = j < ncur ? nic_name_cmp(&old[i], &cur[j]) : -1;

		if (c > 0) {
			j++;
			continue;
		}
		if (c < 0 || old[i].ifindex != cur[j].ifindex) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].gone = true;
			memcpy(out[n].nic.name, old[i].name, MP_NIC_MAX);
			n++;
		}
		i++;
	}
	/* new or changed: in cur, and not in old as it is now */
	i = 0;
	for (j = 0; j < ncur; j++) {
		int c = -1;

		while (i < nold && (c = nic_name_cmp(&old[i], &cur[j])) < 0)
			i++;
		if (i < nold && c == 0 && nic_same(&old[i], &cur[j]))
			continue;
		out[n].gone = false;
		out[n].nic = cur[j];
		n++;
	}
	return n;
}

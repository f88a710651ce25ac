/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A storage NIC's sysctls (initiator/adapt/sysctl.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "initiator/adapt/sysctl.h"

#define SUBNET "several NICs on one subnet need it"
#define CABLE "a connect waits for a portal that comes back"

/*
 * dir is the folder under net/ (a NIC's folder in it); a row whose folder
 * is missing altogether (IPv6 off) is skipped when optional.
 */
static const struct {
	const char *dir;
	const char *key;
	int value;
	bool optional;
	const char *why; /* for the log */
} nic_settings[] = {
    {"ipv4/conf", "arp_ignore", 1, false, SUBNET},   /* reply only for addresses of the NIC asked */
    {"ipv4/conf", "arp_announce", 2, false, SUBNET}, /* use the outgoing NIC's own address */
    {"ipv4/conf", "rp_filter", 2, false, SUBNET},    /* loose: a reply on a sibling NIC is kept */
    /*
     * While a portal cannot be resolved (a cable out), Linux gives up on
     * it after mcast_solicit probes a retrans_time apart (3 x 1 s) and
     * fails every connect waiting on it with EHOSTUNREACH; iscsid then
     * waits 3 s before its next connect, and a cable that comes back in
     * those 3 s waits for them (3.5 s from carrier to logged in, seen in
     * the VM lab). Probing every 250 ms for a minute keeps iscsid's
     * connect waiting on the address, and sends it the moment the portal
     * answers. mcast_reprobes does the same for an address that was known
     * and stopped answering (a silent death): broadcast probes after the
     * unicast ones, so a portal that moved to another MAC is found too.
     */
    {"ipv4/neigh", "retrans_time_ms", NIC_NEIGH_RETRANS_MS, false, CABLE},
    {"ipv4/neigh", "mcast_solicit", NIC_NEIGH_PROBES, false, CABLE},
    {"ipv4/neigh", "mcast_reprobes", NIC_NEIGH_PROBES, false, CABLE},
    {"ipv6/neigh", "retrans_time_ms", NIC_NEIGH_RETRANS_MS, true, CABLE},
    {"ipv6/neigh", "mcast_solicit", NIC_NEIGH_PROBES, true, CABLE},
    {"ipv6/neigh", "mcast_reprobes", NIC_NEIGH_PROBES, true, CABLE},
};

static int nic_sysctl_read(const char *path, int *out)
{
	FILE *f = fopen(path, "re");
	int rc = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%d", out) != 1)
		rc = -EINVAL;
	fclose(f);
	return rc;
}

static int nic_sysctl_write(const char *path, int value)
{
	FILE *f = fopen(path, "we");
	int rc = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%d\n", value) < 0)
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	return rc;
}

int nic_sysctl_apply(const char *root, const char *nic, struct nic_sysctl_change *changes,
		     size_t max, size_t *n, char *err, size_t errlen)
{
	char path[512];
	int cur, rc;

	*n = 0;
	if (!nic[0] || strchr(nic, '/') || !strcmp(nic, ".") || !strcmp(nic, "..")) {
		snprintf(err, errlen, "'%s' is not an interface name", nic);
		return -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(nic_settings); i++) {
		snprintf(path, sizeof(path), "%s/net/%s/%s/%s", root, nic_settings[i].dir, nic,
			 nic_settings[i].key);
		rc = nic_sysctl_read(path, &cur);
		if (rc == -ENOENT && nic_settings[i].optional) {
			snprintf(path, sizeof(path), "%s/net/%s", root, nic_settings[i].dir);
			if (access(path, F_OK))
				continue;
			snprintf(path, sizeof(path), "%s/net/%s/%s/%s", root, nic_settings[i].dir,
				 nic, nic_settings[i].key);
		}
		if (!rc && cur == nic_settings[i].value)
			continue;
		if (!rc)
			rc = nic_sysctl_write(path, nic_settings[i].value);
		if (rc) {
			snprintf(err, errlen, "cannot set %s: %s", path, strerror(-rc));
			return rc;
		}
		if (*n < max) {
			snprintf(changes[*n].key, sizeof(changes[*n].key), "%s/%s",
				 nic_settings[i].dir, nic_settings[i].key);
			changes[*n].from = cur;
			changes[*n].to = nic_settings[i].value;
			changes[*n].why = nic_settings[i].why;
		}
		(*n)++;
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A storage NIC's sysctls (initiator/adapt/sysctl.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initiator/adapt/sysctl.h"

static const struct {
	const char *key;
	int value;
} nic_settings[] = {
	{ "arp_ignore", 1 },   /* reply only for addresses of the NIC asked */
	{ "arp_announce", 2 }, /* use the outgoing NIC's own address in requests */
	{ "rp_filter", 2 },    /* loose: a reply on a sibling NIC is not dropped */
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
		snprintf(path, sizeof(path), "%s/net/ipv4/conf/%s/%s", root, nic,
			 nic_settings[i].key);
		rc = nic_sysctl_read(path, &cur);
		if (!rc && cur == nic_settings[i].value)
			continue;
		if (!rc)
			rc = nic_sysctl_write(path, nic_settings[i].value);
		if (rc) {
			snprintf(err, errlen, "cannot set %s: %s", path, strerror(-rc));
			return rc;
		}
		if (*n < max) {
			snprintf(changes[*n].key, sizeof(changes[*n].key), "%s", nic_settings[i].key);
			changes[*n].from = cur;
			changes[*n].to = nic_settings[i].value;
		}
		(*n)++;
	}
	return 0;
}

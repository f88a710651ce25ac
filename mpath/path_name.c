/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A path's stable name (mpath/path_name.h). */
#include <errno.h>
#include <stdio.h>

#include "mpath/path_name.h"

int mp_path_name(const struct mp_path_key *key, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s-ip-%s-iscsi-%s-lun-%llu", key->link.nic, key->link.portal,
			 key->link.target, (unsigned long long)key->lun);

	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

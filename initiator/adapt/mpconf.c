/* SPDX-License-Identifier: GPL-2.0-or-later */
/* multipathd's drop-in for pathd's WWIDs (initiator/adapt/mpconf.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/state_file.h"
#include "initiator/adapt/mpconf.h"

/* Enough for a thousand maps; a larger host gets -ENOSPC and a log line. */
#define MPCONF_MAX (256 * 1024)

int mpconf_render(const char (*wwids)[MP_WWID_MAX], size_t n, char *buf, size_t len)
{
	size_t off = 0;
	int w;

	w = snprintf(buf, len,
		     "# Written by portico-pathd: the maps of these WWIDs are portico-pathd's.\n"
		     "# multipathd must build none of its own over their paths, nor change ours.\n"
		     "# Do not edit: portico-pathd rewrites this file when its maps change.\n"
		     "blacklist {\n");
	if (w < 0 || (size_t)w >= len)
		return -ENOSPC;
	off = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		/* multipath.conf takes a regular expression: anchored, it is this WWID only */
		w = snprintf(buf + off, len - off, "\twwid \"^%s$\"\n", wwids[i]);
		if (w < 0 || (size_t)w >= len - off)
			return -ENOSPC;
		off += (size_t)w;
	}
	w = snprintf(buf + off, len - off, "}\n");
	if (w < 0 || (size_t)w >= len - off)
		return -ENOSPC;
	return (int)(off + (size_t)w);
}

/* Whether the file at path holds exactly text (len bytes). */
static bool mpconf_same(const char *path, const char *text, size_t len)
{
	char *have = malloc(len + 1);
	bool same = false;
	FILE *f;

	if (!have)
		return false;
	f = fopen(path, "re");
	if (f) {
		same = fread(have, 1, len + 1, f) == len && !memcmp(have, text, len);
		fclose(f);
	}
	free(have);
	return same;
}

int mpconf_write(const char *path, const char (*wwids)[MP_WWID_MAX], size_t n)
{
	char dir[4200];
	char *text;
	int len, rc = 0;

	if (strlen(path) + 5 > sizeof(dir))
		return -ENAMETOOLONG;
	text = malloc(MPCONF_MAX);
	if (!text)
		return -ENOMEM;
	len = mpconf_render(wwids, n, text, MPCONF_MAX);
	if (len < 0) {
		rc = len;
		goto out;
	}
	if (mpconf_same(path, text, (size_t)len)) {
		rc = 1;
		goto out;
	}
	/* /etc/multipath itself is missing until multipath-tools is installed */
	snprintf(dir, sizeof(dir), "%s", path);
	rc = state_mkdirs(dirname(dir), 0755);
	if (!rc)
		rc = state_file_replace(path, text, (size_t)len, 0644);
out:
	free(text);
	return rc;
}

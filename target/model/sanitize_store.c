/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sanitize store (sanitize_store.h): one small file per LU that is
 * sanitizing or failed. Written and removed synchronously, on the I/O
 * thread of the SANITIZE that starts or ends: an fsync of a file and of
 * its directory, a few milliseconds, once per sanitize.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/state_file.h"
#include "target/model/sanitize_store.h"
#include "target/scsi/sanitize.h"

#define COMP "sanitize"
#define SANITIZE_STORE_SUBDIR "sanitize"

struct sanitize_store_lu {
	char dir[PATH_MAX];  /* <state_dir>/sanitize */
	char path[PATH_MAX]; /* <dir>/<serial>, with room for ".tmp" */
};

static int sanitize_store_mark(void *arg, bool set, bool ause)
{
	struct sanitize_store_lu *s = arg;
	char text[16];
	int ret, n;

	if (!set) {
		if (unlink(s->path))
			return errno == ENOENT ? 0 : -errno;
		return state_fsync_dir(s->dir);
	}
	ret = state_mkdirs(s->dir, 0700);
	if (ret)
		return ret;
	n = snprintf(text, sizeof(text), "ause=%d\n", ause ? 1 : 0);
	return state_file_replace(s->path, text, (size_t)n, 0600);
}

static void sanitize_store_release(void *arg)
{
	free(arg);
}

static const struct sanitize_store_ops sanitize_store_ops = {
    .mark = sanitize_store_mark,
    .release = sanitize_store_release,
};

int sanitize_store_attach(struct scsi_lu *lu, const char *state_dir, const char *serial)
{
	struct sanitize_store_lu *s;
	char text[16] = {0};
	int fd;
	char name[NAME_MAX + 1];

	if (!state_dir || !state_dir[0])
		return 0;
	if (state_file_name(serial, name, sizeof(name) - 4)) {
		log_warn(COMP,
			 "lu '%s': its serial makes no file name; a sanitize it runs "
			 "will not survive a restart",
			 serial);
		return 0;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (snprintf(s->dir, sizeof(s->dir), "%s/%s", state_dir, SANITIZE_STORE_SUBDIR) >=
		(int)sizeof(s->dir) ||
	    snprintf(s->path, sizeof(s->path), "%s/%s", s->dir, name) >=
		(int)sizeof(s->path) - 4) {
		free(s);
		return -EINVAL;
	}
	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, text, sizeof(text) - 1);
		bool ause = n > 0 && strstr(text, "ause=1") != NULL;

		close(fd);
		sanitize_lu_restore_failed(lu, ause);
		log_warn(
		    COMP,
		    "lu '%s': a sanitize was running or had failed when porticod stopped; "
		    "the LU stays failed (SANITIZE COMMAND FAILED) until a sanitize completes%s",
		    serial, ause ? " or EXIT FAILURE MODE" : "");
	} else if (errno != ENOENT) {
		log_warn(COMP, "lu '%s': cannot read '%s': %s; taken as no sanitize", serial,
			 s->path, strerror(errno));
	}
	sanitize_lu_set_store(lu, &sanitize_store_ops, s);
	return 0;
}

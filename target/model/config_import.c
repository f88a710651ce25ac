/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * restoreconfig's reader: a porticod.conf, or targetcli's saveconfig.json
 * (told apart by the first byte: a JSON object starts with '{', which no
 * libconfig file does), read into a model by the same parse either way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target/model/config.h"
#include "target/model/lio_import.h"

/* Far above any saveconfig.json (a few KiB per target); a bound on what is read. */
#define CONFIG_IMPORT_MAX (16u << 20)

static int config_read_whole(const char *path, char **out, size_t *len, struct cfg_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd, ret = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		goto err_close;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > CONFIG_IMPORT_MAX) {
		ret = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto err_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto err_close;
	}
	while (n < (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : -EIO;
			goto err_free;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(fd);
	*out = buf;
	*len = n;
	return 0;

err_free:
	free(buf);
err_close:
	close(fd);
err:
	snprintf(err->msg, sizeof(err->msg), "%.400s: %s", path,
		 ret == -EINVAL ? "not a regular file" : strerror(-ret));
	return ret;
}

int config_parse_any(const char *path, struct obj_model **out, struct lio_notes *notes,
		     bool *lio, struct cfg_err *err)
{
	char msg[sizeof(err->msg) - 64] = "";
	config_t cfg;
	char *text;
	size_t len = 0;
	int ret;

	*out = NULL;
	*lio = false;
	ret = config_read_whole(path, &text, &len, err);
	if (ret)
		return ret;
	if (!lio_import_detect(text, len)) {
		free(text);
		return config_parse(path, out, err);
	}
	*lio = true;
	config_init(&cfg);
	ret = lio_import(text, len, &cfg, notes, msg, sizeof(msg));
	if (ret)
		snprintf(err->msg, sizeof(err->msg), "%.160s: targetcli's configuration: %.300s", path,
			 msg);
	else
		ret = config_parse_cfg(&cfg, path, out, err);
	config_destroy(&cfg);
	free(text);
	return ret;
}

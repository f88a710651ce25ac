/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Crash-safe small files (state_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/state_file.h"

int state_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

/* The directory part of path into out: "." for a bare name, "/" for a top-level one. */
static int state_parent(const char *path, char *out, size_t len)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/') /* "a/b/" is "a/b" */
		n--;
	while (n && path[n - 1] != '/')
		n--;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (!n)
		return snprintf(out, len, ".") >= (int)len ? -ENAMETOOLONG : 0;
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(out, path, n);
	out[n] = '\0';
	return 0;
}

int state_fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	int ret = state_parent(path, dir, sizeof(dir));

	return ret ? ret : state_fsync_dir(dir);
}

int state_mkdirs(const char *dir, mode_t mode)
{
	char parent[PATH_MAX];
	struct stat st;
	int ret;

	if (!dir[0])
		return -EINVAL;
	if (!stat(dir, &st))
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (errno != ENOENT)
		return -errno;
	ret = state_parent(dir, parent, sizeof(parent));
	if (ret)
		return ret;
	/* "/" and "." exist; a parent that is dir itself ends the walk either way */
	if (strcmp(parent, dir)) {
		ret = state_mkdirs(parent, mode);
		if (ret)
			return ret;
	}
	if (mkdir(dir, mode))
		return errno == EEXIST ? 0 : -errno; /* EEXIST: made by someone else meanwhile */
	/* the new entry is durable only once its parent is */
	return state_fsync_dir(parent);
}

static int state_write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int state_file_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	ret = state_write_all(fd, buf, len);
	/* open's mode is masked by the umask; the file's mode is the caller's */
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	return state_fsync_parent(path);
}

int state_file_name(const char *id, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (!id[0])
		return -EINVAL;
	for (const char *p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '_' || c == '-' || (c == '.' && p != id);

		if (o + (plain ? 1 : 3) >= len)
			return -ENAMETOOLONG;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		}
	}
	out[o] = '\0';
	return 0;
}

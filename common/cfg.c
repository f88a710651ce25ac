/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libconfig helpers. Every message names the file and line of the setting
 * at fault, so that an administrator can go straight to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/state_file.h"

int cfg_error(struct cfg_err *err, const config_setting_t *s, const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	unsigned int line = s ? config_setting_source_line(s) : 0;
	size_t n = 0;
	va_list ap;
	int ret;

	if (!err || err->msg[0])
		return -EINVAL;
	if (file && line)
		ret = snprintf(err->msg, sizeof(err->msg), "%s:%u: ", file, line);
	else if (line)
		ret = snprintf(err->msg, sizeof(err->msg), "line %u: ", line);
	else
		ret = 0;
	if (ret > 0)
		n = (size_t)ret < sizeof(err->msg) ? (size_t)ret : sizeof(err->msg) - 1;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	/* An empty message would not win over later ones: keep it non-empty. */
	if (!err->msg[0])
		snprintf(err->msg, sizeof(err->msg), "invalid configuration");
	return -EINVAL;
}

static int cfg_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int cfg_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "kmgtp";
	uint64_t v = 0;
	const char *p = s;
	const char *u;
	int shift = 0;

	if (!s || !(*p >= '0' && *p <= '9'))
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (*p && (u = strchr(units, cfg_lower((unsigned char)*p)))) {
		shift = 10 * (int)(u - units + 1);
		p++;
		/* "Gi" and "GiB": the binary prefix said out loud; it is binary either way. */
		if (cfg_lower((unsigned char)*p) == 'i')
			p++;
	}
	if (cfg_lower((unsigned char)*p) == 'b')
		p++;
	if (*p)
		return -EINVAL;
	if (shift && v > UINT64_MAX >> shift)
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int cfg_check_keys(const config_setting_t *s, const char *const *allowed, struct cfg_err *err)
{
	int i, n;

	if (!s)
		return 0;
	if (!config_setting_is_group(s))
		return cfg_error(err, s, "'%s' must be a group { ... }",
				 config_setting_name(s) ? config_setting_name(s) : "setting");
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned int)i);
		const char *name = config_setting_name(m);
		char list[384];
		size_t len = 0;
		int k;

		for (k = 0; allowed && allowed[k]; k++)
			if (name && !strcmp(name, allowed[k]))
				break;
		if (allowed && allowed[k])
			continue;

		list[0] = '\0';
		for (k = 0; allowed && allowed[k] && len < sizeof(list); k++) {
			int w = snprintf(list + len, sizeof(list) - len, "%s%s", k ? ", " : "",
					 allowed[k]);

			if (w < 0)
				break;
			len += (size_t)w;
		}
		if (!list[0])
			return cfg_error(err, m, "unknown key '%s' (no keys are allowed here)",
					 name ? name : "");
		return cfg_error(err, m, "unknown key '%s' (allowed: %s)", name ? name : "", list);
	}
	return 0;
}

/*
 * Finds key in group s. Returns 1 with *m set, 0 when it is missing and
 * optional, or -EINVAL when it is missing and required.
 */
static int cfg_find(const config_setting_t *s, const char *key, bool required,
		    const config_setting_t **m, struct cfg_err *err)
{
	*m = s && config_setting_is_group(s) ? config_setting_get_member(s, key) : NULL;
	if (*m)
		return 1;
	if (!required)
		return 0;
	return cfg_error(err, s, "missing required setting '%s'", key);
}

int cfg_get_string(const config_setting_t *s, const char *key, bool required, const char **out,
		   struct cfg_err *err)
{
	const config_setting_t *m;
	int ret = cfg_find(s, key, required, &m, err);

	if (ret <= 0)
		return ret;
	if (config_setting_type(m) != CONFIG_TYPE_STRING)
		return cfg_error(err, m, "'%s' must be a string (in double quotes)", key);
	*out = config_setting_get_string(m);
	return 0;
}

int cfg_get_int64(const config_setting_t *s, const char *key, bool required, int64_t *out,
		  struct cfg_err *err)
{
	const config_setting_t *m;
	int ret = cfg_find(s, key, required, &m, err);

	if (ret <= 0)
		return ret;
	switch (config_setting_type(m)) {
	case CONFIG_TYPE_INT:
		*out = config_setting_get_int(m);
		return 0;
	case CONFIG_TYPE_INT64:
		*out = config_setting_get_int64(m);
		return 0;
	default:
		return cfg_error(err, m, "'%s' must be an integer", key);
	}
}

int cfg_get_bool(const config_setting_t *s, const char *key, bool required, bool *out,
		 struct cfg_err *err)
{
	const config_setting_t *m;
	int ret = cfg_find(s, key, required, &m, err);

	if (ret <= 0)
		return ret;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL)
		return cfg_error(err, m, "'%s' must be true or false", key);
	*out = config_setting_get_bool(m);
	return 0;
}

int cfg_get_size(const config_setting_t *s, const char *key, bool required, uint64_t *out,
		 struct cfg_err *err)
{
	const config_setting_t *m;
	int ret = cfg_find(s, key, required, &m, err);
	long long v;

	if (ret <= 0)
		return ret;
	switch (config_setting_type(m)) {
	case CONFIG_TYPE_STRING:
		if (cfg_parse_size(config_setting_get_string(m), out))
			return cfg_error(err, m,
					 "'%s' is not a size: \"%s\" (write bytes, or a number "
					 "with K, M, G, T or P, e.g. \"20G\")",
					 key, config_setting_get_string(m));
		return 0;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(m);
		if (v < 0)
			return cfg_error(err, m, "'%s' must not be negative", key);
		*out = (uint64_t)v;
		return 0;
	default:
		return cfg_error(err, m, "'%s' must be a size: bytes, or a string such as \"20G\"",
				 key);
	}
}

/* Setters. */

int cfg_add(config_setting_t *parent, const char *key, int type, config_setting_t **out)
{
	*out = parent ? config_setting_add(parent, key, type) : NULL;
	if (*out)
		return 0;
	return parent ? -ENOMEM : -EINVAL;
}

config_setting_t *cfg_member(config_setting_t *g, const char *key, int type)
{
	config_setting_t *s = g ? config_setting_get_member(g, key) : NULL;

	if (!s && g)
		s = config_setting_add(g, key, type);
	return s;
}

/*
 * A new member key of g of type, in place of one of that name (of any
 * type); NULL, with *err set, when g is NULL or on ENOMEM.
 */
static config_setting_t *cfg_fresh(config_setting_t *g, const char *key, int type, int *err)
{
	config_setting_t *s;

	if (g && config_setting_get_member(g, key))
		config_setting_remove(g, key);
	*err = cfg_add(g, key, type, &s);
	return s;
}

int cfg_set_string(config_setting_t *g, const char *key, const char *v)
{
	int ret;
	config_setting_t *s = cfg_fresh(g, key, CONFIG_TYPE_STRING, &ret);

	return s && !config_setting_set_string(s, v) ? -ENOMEM : ret;
}

int cfg_set_bool(config_setting_t *g, const char *key, bool v)
{
	int ret;
	config_setting_t *s = cfg_fresh(g, key, CONFIG_TYPE_BOOL, &ret);

	return s && !config_setting_set_bool(s, v) ? -ENOMEM : ret;
}

int cfg_set_uint(config_setting_t *g, const char *key, uint64_t v)
{
	config_setting_t *s;
	int ret;

	/* libconfig 1.5 truncates a plain literal above 2^31-1: it needs the L of an int64 */
	if (v <= INT32_MAX) {
		s = cfg_fresh(g, key, CONFIG_TYPE_INT, &ret);
		return s && !config_setting_set_int(s, (int)v) ? -ENOMEM : ret;
	}
	s = cfg_fresh(g, key, CONFIG_TYPE_INT64, &ret);
	return s && !config_setting_set_int64(s, (long long)v) ? -ENOMEM : ret;
}

int cfg_append_string(config_setting_t *arr, const char *v)
{
	if (!arr)
		return -EINVAL;
	return config_setting_set_string_elem(arr, -1, v) ? 0 : -ENOMEM;
}

/* Atomic save. */

/*
 * Writes cfg to a new file tmp with mode and makes it durable. On failure
 * the file is removed if this call created it.
 */
static int cfg_write_tmp(config_t *cfg, const char *tmp, unsigned int mode)
{
	FILE *f;
	int fd, ret = 0;

	/* A temporary file left by a crash is stale: it was never renamed into place. */
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return -errno;
	/* The umask must not change the mode: secrets live in here (0600). */
	if (fchmod(fd, (mode_t)mode) < 0) {
		ret = -errno;
		goto err_close;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		goto err_close;
	}
	config_write(cfg, f);
	if (fflush(f) == EOF || ferror(f))
		ret = errno ? -errno : -EIO;
	else if (fsync(fileno(f)) < 0)
		ret = -errno;
	if (fclose(f) == EOF && !ret)
		ret = -errno;
	if (ret)
		goto err_unlink;
	return 0;

err_close:
	close(fd);
err_unlink:
	unlink(tmp);
	return ret;
}

/*
 * Shifts path.1 .. path.(keep-1) up by one (the oldest, path.keep, is
 * overwritten) and links the current file as path.1. The current file stays
 * in place until the final rename replaces it.
 */
static int cfg_rotate(const char *path, int keep)
{
	char from[PATH_MAX], to[PATH_MAX];
	int i;

	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = keep - 1; i >= 1; i--) {
		snprintf(from, sizeof(from), "%s.%d", path, i);
		snprintf(to, sizeof(to), "%s.%d", path, i + 1);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	snprintf(to, sizeof(to), "%s.1", path);
	if (unlink(to) < 0 && errno != ENOENT)
		return -errno;
	if (link(path, to) < 0)
		return -errno;
	return 0;
}

/*
 * Whether the file at a holds the same bytes as the one at b and b already
 * has mode: a save that would change nothing. Any error reads as "differs"
 * (the save then goes on as usual).
 */
static bool cfg_same_file(const char *a, const char *b, unsigned int mode)
{
	char ba[4096], bb[4096];
	struct stat sa, sb;
	bool same = false;
	FILE *fa, *fb;
	size_t na, nb;

	if (stat(a, &sa) < 0 || stat(b, &sb) < 0 || sa.st_size != sb.st_size ||
	    (sb.st_mode & 07777) != mode)
		return false;
	fa = fopen(a, "re");
	if (!fa)
		return false;
	fb = fopen(b, "re");
	if (!fb)
		goto out_a;
	do {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		if (na != nb || memcmp(ba, bb, na))
			goto out_b;
	} while (na == sizeof(ba));
	same = !ferror(fa) && !ferror(fb);
out_b:
	fclose(fb);
out_a:
	fclose(fa);
	return same;
}

int cfg_save_atomic(config_t *cfg, const char *path, unsigned int mode, int keep)
{
	char tmp[PATH_MAX];
	int ret;

	if (!cfg || !path || !*path || keep < 0)
		return -EINVAL;
	/* Room for ".tmp" and for the longest rotation suffix. */
	if (strlen(path) + 16 >= sizeof(tmp))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	ret = cfg_write_tmp(cfg, tmp, mode);
	if (ret)
		return ret;
	/*
	 * Nothing changed: the file stays, and so do its versions. Rotating
	 * anyway would let saves without a change push the versions an admin
	 * may want back out of the kept ones.
	 */
	if (cfg_same_file(tmp, path, mode)) {
		unlink(tmp);
		return 0;
	}
	if (keep > 0) {
		ret = cfg_rotate(path, keep);
		if (ret)
			goto err_unlink_tmp;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		goto err_unlink_tmp;
	}
	/* The rename is durable only once the directory is. */
	return state_fsync_parent(path);

err_unlink_tmp:
	unlink(tmp);
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libconfig helpers: typed lookups that report "FILE:LINE: what to fix",
 * size strings ("20G"), checks for unknown keys, the setters that build and
 * edit a tree (porticod's saver and its control editor), and an atomic
 * save (temporary file, fsync, rename, fsync of the directory).
 */
#ifndef PORTICO_COMMON_CFG_H
#define PORTICO_COMMON_CFG_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An error message buffer: the first error wins. */
struct cfg_err {
	char msg[512];
};

/* Formats "FILE:LINE: <fmt>" for setting s into err (if err is still empty). Returns -EINVAL. */
int cfg_error(struct cfg_err *err, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parses a size: a decimal number with an optional K, M, G, T or P suffix
 * (powers of 1024, optionally followed by 'i'/'iB'/'B'). Returns 0 or -EINVAL.
 */
int cfg_parse_size(const char *s, uint64_t *out);

/*
 * Fails (with a message naming the key) if group s holds a key not in the
 * NULL-terminated list allowed.
 */
int cfg_check_keys(const config_setting_t *s, const char *const *allowed, struct cfg_err *err);

/*
 * Typed lookups in a group. *_req fail when the key is missing; the others
 * leave *out untouched when missing. All fail on a wrong type.
 */
int cfg_get_string(const config_setting_t *s, const char *key, bool required, const char **out,
		   struct cfg_err *err);
int cfg_get_int64(const config_setting_t *s, const char *key, bool required, int64_t *out,
		  struct cfg_err *err);
int cfg_get_bool(const config_setting_t *s, const char *key, bool required, bool *out,
		 struct cfg_err *err);
/* A size given as a string ("20G") or an integer (bytes). */
int cfg_get_size(const config_setting_t *s, const char *key, bool required, uint64_t *out,
		 struct cfg_err *err);

/*
 * Setters, for a tree being built or edited. They return 0, -EINVAL when
 * the parent is NULL (a lookup that found nothing), or -ENOMEM: libconfig
 * refuses otherwise only a bad name or a parent of the wrong kind, which
 * the callers' fixed names and groups cannot be.
 *
 * cfg_add: a new member key of parent (NULL: an element of a list) of
 * type, into *out.
 */
int cfg_add(config_setting_t *parent, const char *key, int type, config_setting_t **out);
/* The member key of g: the one there, or a new one of type. NULL when g is NULL, or on ENOMEM. */
config_setting_t *cfg_member(config_setting_t *g, const char *key, int type);
/* Member key of g becomes v, in place of a member of that name of any type. */
int cfg_set_string(config_setting_t *g, const char *key, const char *v);
int cfg_set_bool(config_setting_t *g, const char *key, bool v);
/* An integer; above INT32_MAX a 64-bit one, which libconfig writes with the L 1.5 needs. */
int cfg_set_uint(config_setting_t *g, const char *key, uint64_t v);
/* Appends the string v to the array arr. */
int cfg_append_string(config_setting_t *arr, const char *v);

/*
 * Writes cfg to path atomically: path.tmp (mode), fsync, rotate the old file
 * to path.1 .. path.<keep> when keep > 0, rename, fsync the directory. When
 * path already holds those bytes with that mode, nothing is touched (no
 * rotation either).
 * Returns 0 or -errno; on failure the old file is untouched (except when
 * only the final fsync of the directory fails: the new file is then in
 * place, but not known to be durable).
 */
int cfg_save_atomic(config_t *cfg, const char *path, unsigned int mode, int keep);

#endif

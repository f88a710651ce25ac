/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * porticod.conf: libconfig text -> struct obj_model (config_parse), then the
 * backstores opened and their LUs created (config_open).
 *
 * Every check that can fail at start-up fails here, with one line
 * "FILE:LINE: what to fix", so that the administrator fixes one thing and
 * tries again rather than reading a log. docs/configuration.md is the
 * reference of every setting; keep the two in step.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/be.h"
#include "common/log.h"
#include "common/util.h"
#include "target/backstore/bs_kind.h"
#include "target/model/config.h"
#include "target/model/config_shared.h"
#include "target/model/config_int.h"
#include "target/model/obj_settings.h"
#include "target/iscsi/chap.h"
#include "target/model/pr_store.h"

/* The key of a row of the file's top level (obj_globals). */
#define CONFIG_KEY(row) (obj_globals[OBJ_GLOBAL_##row].key)

#define CONFIG_LU_VENDOR "PORTICO "
/* one product for every kind, so that one multipath.conf device stanza matches them all */
#define CONFIG_LU_PRODUCT "VIRTUAL-DISK"
#define CONFIG_LU_REVISION "0001"


/* An error without a setting to point at (start-up, after the parse): "FILE:LINE: ...". */
static int config_err_at(struct cfg_err *err, const char *file, int line, int ret,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int config_err_at(struct cfg_err *err, const char *file, int line, int ret,
			 const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (!err || err->msg[0])
		return ret;
	if (file && file[0])
		snprintf(err->msg, sizeof(err->msg), "%s:%d: ", file, line);
	else
		snprintf(err->msg, sizeof(err->msg), "line %d: ", line);
	n = strlen(err->msg);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * A list of groups under key: *out is NULL when the key is missing. An empty
 * array "[]" is accepted as an empty list (libconfig cannot tell them apart
 * when empty); anything else must be "( { ... }, ... )".
 */
static int config_get_group_list(const config_setting_t *s, const char *key,
				 config_setting_t **out, struct cfg_err *err)
{
	config_setting_t *l = config_setting_get_member(s, key);
	int i, n;

	*out = NULL;
	if (!l)
		return 0;
	if (config_setting_type(l) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(l) == CONFIG_TYPE_ARRAY && config_setting_length(l) == 0))
		return cfg_error(err, l, "'%s' must be a list: %s = ( { ... }, { ... } );", key,
				 key);
	n = config_setting_length(l);
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);

		if (config_setting_type(e) != CONFIG_TYPE_GROUP)
			return cfg_error(err, e, "each element of '%s' must be a group { ... }",
					 key);
	}
	*out = l;
	return 0;
}

int config_get_group(const config_setting_t *s, const char *key, config_setting_t **out,
		     struct cfg_err *err)
{
	config_setting_t *g = config_setting_get_member(s, key);

	*out = NULL;
	if (!g)
		return 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return cfg_error(err, g, "'%s' must be a group: %s = { ... };", key, key);
	*out = g;
	return 0;
}

/* An integer in [min, max]; *out untouched when the key is missing and not required. */
static int config_get_range(const config_setting_t *s, const char *key, bool required,
			    int64_t min, int64_t max, int64_t *out, struct cfg_err *err)
{
	int64_t v;
	int ret;

	if (!config_setting_get_member(s, key) && !required)
		return 0;
	ret = cfg_get_int64(s, key, required, &v, err);
	if (ret)
		return ret;
	if (v < min || v > max)
		return cfg_error(err, config_setting_get_member(s, key),
				 "'%s' must be from %lld to %lld, not %lld", key, (long long)min,
				 (long long)max, (long long)v);
	*out = v;
	return 0;
}

static int config_get_u32(const config_setting_t *s, const char *key, int64_t min, int64_t max,
			  uint32_t *out, struct cfg_err *err)
{
	int64_t v = *out;
	int ret = config_get_range(s, key, false, min, max, &v, err);

	if (!ret)
		*out = (uint32_t)v;
	return ret;
}

/* Backstore names appear in the shell's paths and in the identity hash. */
static const char *config_name_why(const char *name)
{
	const char *p;

	if (!name[0])
		return "is empty";
	if (strlen(name) >= OBJ_NAME_MAX)
		return "is longer than 63 characters";
	if (!isalnum((unsigned char)name[0]))
		return "must start with a letter or a digit";
	for (p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			return "may hold only letters, digits, '_', '-' and '.'";
	}
	return NULL;
}

/* VPD page 0x80 (SPC-4 §7.8.14): ASCII graphic characters; a space would be trimmed by hosts. */
static const char *config_serial_why(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "is empty";
	if (n > 32)
		return "is longer than 32 characters";
	for (; *s; s++) {
		if (*s <= 0x20 || *s >= 0x7f)
			return "may hold only printable ASCII characters without spaces";
	}
	return NULL;
}

/*
 * SPC-4 §7.8.6.6: 8-byte NAA designators are 2h (IEEE Extended), 3h (locally
 * assigned) and 5h (IEEE Registered); 6h (IEEE Registered Extended) is 16
 * bytes and does not fit the 8 that the LU identity holds.
 */
static const char *config_naa_parse(const char *s, uint8_t naa[8])
{
	uint64_t v = 0;
	int i;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (strlen(s) != 16)
		return "must be 16 hex digits (\"0x\" optional)";
	for (i = 0; i < 16; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return "must be 16 hex digits (\"0x\" optional)";
		v = v << 4 | (uint64_t)(isdigit((unsigned char)s[i]) ? s[i] - '0'
								   : (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	switch (v >> 60) {
	case 2:
	case 3:
	case 5:
		break;
	case 6:
		return "starts with 6 (NAA IEEE Registered Extended), a 16-byte designator: use an 8-byte one, 3 (locally assigned) or 5 (IEEE Registered)";
	default:
		return "must start with 2, 3 or 5 (NAA IEEE Extended, locally assigned, IEEE Registered)";
	}
	put_be64(naa, v);
	return NULL;
}

static void config_lu_id_names(struct scsi_lu_id *id)
{
	_Static_assert(sizeof(CONFIG_LU_VENDOR) <= sizeof(id->vendor), "vendor: 8 characters");
	_Static_assert(sizeof(CONFIG_LU_PRODUCT) <= sizeof(id->product), "product: 16 characters");
	_Static_assert(sizeof(CONFIG_LU_REVISION) <= sizeof(id->revision), "revision: 4 characters");
	memcpy(id->vendor, CONFIG_LU_VENDOR, sizeof(CONFIG_LU_VENDOR));
	memcpy(id->product, CONFIG_LU_PRODUCT, sizeof(CONFIG_LU_PRODUCT));
	memcpy(id->revision, CONFIG_LU_REVISION, sizeof(CONFIG_LU_REVISION));
}

int config_lu_id_derive(const char *machine_id, const char *name, struct scsi_lu_id *id)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	int i, ok;

	memset(id, 0, sizeof(*id));
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	/* the newline keeps ("ab", "c") and ("a", "bc") apart */
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, machine_id, strlen(machine_id)) &&
	     EVP_DigestUpdate(ctx, "\n", 1) && EVP_DigestUpdate(ctx, name, strlen(name)) &&
	     EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!ok || mdlen < 16)
		return -EIO;
	for (i = 0; i < 8; i++) {
		id->serial[2 * i] = hex[md[i] >> 4];
		id->serial[2 * i + 1] = hex[md[i] & 0xf];
	}
	id->serial[16] = '\0';
	/* SPC-4 §7.8.6.6: NAA 3h, locally assigned, then 60 bits of our choosing */
	put_be64(id->naa, (3ULL << 60) | (get_be64(md + 8) & 0x0fffffffffffffffULL));
	config_lu_id_names(id);
	return 0;
}

int config_machine_id(char *buf, size_t len)
{
	FILE *f;
	size_t n;

	if (len < 2)
		return -ENOSPC;
	buf[0] = '\0';
	f = fopen("/etc/machine-id", "re");
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		fclose(f);
		n = strcspn(buf, "\r\n \t");
		buf[n] = '\0';
		if (n)
			return 0;
	}
	/* containers and minimal systems may lack machine-id: the host name is stable enough */
	if (gethostname(buf, len - 1))
		return -errno;
	buf[len - 1] = '\0';
	return buf[0] ? 0 : -ENOENT;
}

/* A key that the backstore's kind does not take: say so rather than ignore it. */
static int config_bs_refuse(const config_setting_t *g, const char *key, const char *name,
			    const char *type, const char *why, struct cfg_err *err)
{
	config_setting_t *s = config_setting_get_member(g, key);

	if (!s)
		return 0;
	return cfg_error(err, s, "backstore '%s': '%s' does not apply to a %s backstore (%s)", name,
			 key, type, why);
}

static int config_bs_name(struct config_ctx *c, const config_setting_t *g,
			  const struct obj_bs_setting *r, struct obj_backstore *b)
{
	const char *file = config_setting_source_file(g);
	const char *name, *why;
	size_t i;
	int ret;

	ret = cfg_get_string(g, r->key, true, &name, c->err);
	if (ret)
		return ret;
	why = config_name_why(name);
	if (why)
		return cfg_error(c->err, config_setting_get_member(g, r->key),
				 "backstore name '%s' %s", name, why);
	for (i = 0; c->m->backstores + i != b; i++) {
		if (strcmp(c->m->backstores[i].name, name) == 0)
			return cfg_error(c->err, config_setting_get_member(g, r->key),
					 "backstore '%s' is defined twice (first at line %d): rename one",
					 name, c->m->backstores[i].cfg_line);
	}
	strcpy(b->name, name);
	b->params.name = b->name;
	b->cfg_line = config_setting_source_line(g);
	snprintf(b->cfg_file, sizeof(b->cfg_file), "%s", file ? file : "");
	return 0;
}

static int config_bs_type(struct config_ctx *c, const config_setting_t *g,
			  const struct obj_bs_setting *r, struct obj_backstore *b,
			  const struct bs_kind **kind)
{
	char kinds[64];
	const char *type;
	int ret;

	ret = cfg_get_string(g, r->key, true, &type, c->err);
	if (ret)
		return ret;
	*kind = bs_kind_find(type);
	if (!*kind) {
		bs_kind_names(kinds, sizeof(kinds), ", ");
		return cfg_error(c->err, config_setting_get_member(g, r->key),
				 "backstore '%s': unknown type '%s' (allowed: %s)", b->name, type,
				 kinds);
	}
	snprintf(b->type, sizeof(b->type), "%s", (*kind)->name);
	return 0;
}

static int config_bs_path(struct config_ctx *c, const config_setting_t *g,
			  const struct obj_bs_setting *r, struct obj_backstore *b,
			  const struct bs_kind *kind)
{
	const char *path = NULL, *why = bs_kind_refuses(kind, r->takes);
	int ret;

	ret = cfg_get_string(g, r->key, false, &path, c->err);
	if (ret)
		return ret;
	if (why)
		return config_bs_refuse(g, r->key, b->name, kind->name, why, c->err);
	if (!path)
		return cfg_error(c->err, g, "backstore '%s': a %s backstore needs %s = \"%s\";",
				 b->name, kind->name, r->key, kind->path_hint);
	/* an rbd image is POOL/IMAGE, which the store checks as it opens */
	if (path[0] != '/' && !kind->remote)
		return cfg_error(c->err, config_setting_get_member(g, r->key),
				 "backstore '%s': path '%s' must be absolute", b->name, path);
	if (strlen(path) >= sizeof(b->path))
		return cfg_error(c->err, config_setting_get_member(g, r->key),
				 "backstore '%s': path is too long", b->name);
	strcpy(b->path, path);
	b->params.path = b->path;
	return 0;
}

/* A string setting (rbd's ceph_conf, ceph_client): only where the kind takes it. */
static int config_bs_text(struct config_ctx *c, const config_setting_t *g,
			  const struct obj_bs_setting *r, struct obj_backstore *b,
			  const struct bs_kind *kind)
{
	const char *v = NULL, *why = bs_kind_refuses(kind, r->takes);
	int ret;

	ret = cfg_get_string(g, r->key, false, &v, c->err);
	if (ret || !v)
		return ret;
	if (why)
		return config_bs_refuse(g, r->key, b->name, kind->name, why, c->err);
	if (obj_bs_setting_set_text(r, b, v))
		return cfg_error(c->err, config_setting_get_member(g, r->key),
				 "backstore '%s': %s is too long", b->name, r->key);
	return 0;
}

static int config_bs_size(struct config_ctx *c, const config_setting_t *g,
			  const struct obj_bs_setting *r, struct obj_backstore *b,
			  const struct bs_kind *kind)
{
	config_setting_t *s = config_setting_get_member(g, r->key);
	uint64_t size = 0;
	int ret;

	if (kind->size_required && !s)
		return cfg_error(c->err, g, "backstore '%s': a %s backstore needs %s = \"100G\";",
				 b->name, kind->name, r->key);
	ret = cfg_get_size(g, r->key, false, &size, c->err);
	if (ret)
		return ret;
	if (s && size == 0)
		return cfg_error(c->err, s, "backstore '%s': size must not be 0%s", b->name,
				 kind->size_required ?
					 "" :
					 " (leave it out to use the store's own size)");
	obj_bs_setting_set(r, &b->params, size);
	return 0;
}

static int config_bs_bool(struct config_ctx *c, const config_setting_t *g,
			  const struct obj_bs_setting *r, struct obj_backstore *b,
			  const struct bs_kind *kind)
{
	const char *why = bs_kind_refuses(kind, r->takes);
	bool v = !why && r->def;
	int ret;

	if (why) {
		ret = config_bs_refuse(g, r->key, b->name, kind->name, why, c->err);
		if (ret)
			return ret;
	}
	ret = cfg_get_bool(g, r->key, false, &v, c->err);
	if (!ret)
		obj_bs_setting_set(r, &b->params, v);
	return ret;
}

/*
 * After block_size: a power-of-two multiple of it (bs_phys_block_size_check);
 * a store with a block size of its own (a device's, block_size not given)
 * is checked when it opens.
 */
static int config_bs_phys_block_size(struct config_ctx *c, const config_setting_t *g,
				     const struct obj_bs_setting *r, struct obj_backstore *b)
{
	const config_setting_t *s = config_setting_get_member(g, r->key);
	uint32_t bsize = b->params.block_size;
	int64_t phys = 0;
	int ret;

	if (s) {
		ret = cfg_get_int64(g, r->key, true, &phys, c->err);
		if (ret)
			return ret;
		if (phys < 0 || phys > BS_PHYS_BLOCK_SIZE_MAX ||
		    bs_phys_block_size_check(bsize ? bsize : 512, (uint32_t)phys))
			return cfg_error(c->err, s,
					 "backstore '%s': physical_block_size must be a power-of-two multiple of the block size %u, at most %u, not %lld",
					 b->name, bsize ? bsize : 512, BS_PHYS_BLOCK_SIZE_MAX,
					 (long long)phys);
	}
	obj_bs_setting_set(r, &b->params, (uint64_t)phys);
	return 0;
}

/* After the size: it must be a multiple of the block size. */
static int config_bs_block_size(struct config_ctx *c, const config_setting_t *g,
				const struct obj_bs_setting *r, struct obj_backstore *b)
{
	int64_t block_size = 0;
	int ret;

	if (config_setting_get_member(g, r->key)) {
		ret = cfg_get_int64(g, r->key, true, &block_size, c->err);
		if (ret)
			return ret;
		if (block_size != 512 && block_size != 4096)
			return cfg_error(c->err, config_setting_get_member(g, r->key),
					 "backstore '%s': block_size must be 512 or 4096, not %lld",
					 b->name, (long long)block_size);
	}
	obj_bs_setting_set(r, &b->params, (uint64_t)block_size);
	if (b->params.size % (block_size ? (uint64_t)block_size : 512))
		return cfg_error(
			c->err, config_setting_get_member(g, obj_bs_settings[OBJ_BS_ROW_SIZE].key),
			"backstore '%s': size %llu is not a multiple of the block size %lld",
			b->name, (unsigned long long)b->params.size,
			block_size ? (long long)block_size : 512LL);
	return 0;
}

/* The serial and the NAA: as pinned, or derived for what is not pinned. */
static int config_bs_identity(struct config_ctx *c, const config_setting_t *g,
			      struct obj_backstore *b)
{
	const char *skey = obj_bs_settings[OBJ_BS_ROW_SERIAL].key;
	const char *nkey = obj_bs_settings[OBJ_BS_ROW_NAA].key;
	const char *serial = NULL, *naa = NULL, *why;
	struct cfg_err *err = c->err;
	int ret;

	ret = cfg_get_string(g, skey, false, &serial, err);
	if (ret)
		return ret;
	ret = cfg_get_string(g, nkey, false, &naa, err);
	if (ret)
		return ret;
	if (!serial || !naa) {
		if (!c->have_machine_id) {
			ret = config_machine_id(c->machine_id, sizeof(c->machine_id));
			if (ret)
				return cfg_error(err, g,
						 "backstore '%s': no /etc/machine-id and no host name to derive its identity from: pin serial and naa",
						 b->name);
			c->have_machine_id = true;
		}
		ret = config_lu_id_derive(c->machine_id, b->name, &b->id);
		if (ret)
			return cfg_error(err, g, "backstore '%s': SHA-256 failed (libcrypto)",
					 b->name);
	} else {
		config_lu_id_names(&b->id);
	}
	if (serial) {
		why = config_serial_why(serial);
		if (why)
			return cfg_error(err, config_setting_get_member(g, skey),
					 "backstore '%s': serial '%s' %s", b->name, serial, why);
		snprintf(b->id.serial, sizeof(b->id.serial), "%s", serial);
		b->serial_set = true;
	}
	if (naa) {
		why = config_naa_parse(naa, b->id.naa);
		if (why)
			return cfg_error(err, config_setting_get_member(g, nkey),
					 "backstore '%s': naa '%s' %s", b->name, naa, why);
		b->naa_set = true;
	}
	return 0;
}

/* A backstore, its settings in the order of their table (obj_settings.c). */
static int config_parse_backstore(struct config_ctx *c, const config_setting_t *g,
				  struct obj_backstore *b)
{
	const struct bs_kind *kind = NULL; /* set by the type, which comes before what needs it */
	const char *keys[OBJ_SETTINGS_MAX];
	int ret;

	obj_bs_settings_keys(keys, ARRAY_SIZE(keys));
	ret = cfg_check_keys(g, keys, c->err);
	obj_bs_settings_foreach(r) {
		if (ret)
			break;
		switch (r->value) {
		case OBJ_BS_NAME:
			ret = config_bs_name(c, g, r, b);
			break;
		case OBJ_BS_TYPE:
			ret = config_bs_type(c, g, r, b, &kind);
			break;
		case OBJ_BS_PATH:
			ret = config_bs_path(c, g, r, b, kind);
			break;
		case OBJ_BS_SIZE:
			ret = config_bs_size(c, g, r, b, kind);
			break;
		case OBJ_BS_BOOL:
			ret = config_bs_bool(c, g, r, b, kind);
			break;
		case OBJ_BS_BLOCK_SIZE:
			ret = config_bs_block_size(c, g, r, b);
			break;
		case OBJ_BS_PHYS_BLOCK_SIZE:
			ret = config_bs_phys_block_size(c, g, r, b);
			break;
		case OBJ_BS_SERIAL:
			break; /* with the NAA, which may be derived with it */
		case OBJ_BS_NAA:
			ret = config_bs_identity(c, g, b);
			break;
		case OBJ_BS_TEXT:
			ret = config_bs_text(c, g, r, b, kind);
			break;
		}
	}
	return ret;
}

/*
 * Two LUs with one identity would be one disk to every multipath host: data
 * loss. Configured values may collide with each other or (improbably) with a
 * derived one; refuse both.
 */
static int config_check_ids(struct config_ctx *c, const config_setting_t *list)
{
	struct obj_model *m = c->m;
	size_t i, j;

	for (i = 1; i < m->nbackstores; i++) {
		struct obj_backstore *b = &m->backstores[i];
		config_setting_t *g = config_setting_get_elem(list, (unsigned int)i);

		for (j = 0; j < i; j++) {
			struct obj_backstore *a = &m->backstores[j];

			if (strcmp(a->id.serial, b->id.serial) == 0)
				return cfg_error(c->err,
						 config_setting_get_member(g, "serial") ?: g,
						 "backstore '%s': serial '%s' is also backstore '%s''s (line %d): two LUs must never share an identity",
						 b->name, b->id.serial, a->name, a->cfg_line);
			if (memcmp(a->id.naa, b->id.naa, sizeof(a->id.naa)) == 0)
				return cfg_error(c->err, config_setting_get_member(g, "naa") ?: g,
						 "backstore '%s': naa 0x%016llx is also backstore '%s''s (line %d): two LUs must never share an identity",
						 b->name, (unsigned long long)get_be64(b->id.naa),
						 a->name, a->cfg_line);
		}
	}
	return 0;
}

static int config_parse_backstores(struct config_ctx *c, const config_setting_t *root)
{
	config_setting_t *list;
	int i, n, ret;

	ret = config_get_group_list(root, CONFIG_KEY(BACKSTORES), &list, c->err);
	if (ret || !list)
		return ret;
	n = config_setting_length(list);
	c->m->backstores = calloc((size_t)n, sizeof(*c->m->backstores));
	if (n && !c->m->backstores)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		/* counted first: a half-parsed entry holds nothing to free */
		struct obj_backstore *b = &c->m->backstores[c->m->nbackstores++];

		ret = config_parse_backstore(c, config_setting_get_elem(list, (unsigned int)i), b);
		if (ret)
			return ret;
	}
	return config_check_ids(c, list);
}

static int config_parse_portals(struct config_ctx *c, const config_setting_t *g,
				struct obj_tpg *tpg)
{
	config_setting_t *l = config_setting_get_member(g, "portals");
	struct obj_target *t = tpg->target;
	int i, n;
	size_t j, k;

	if (!l)
		return 0;
	if (config_setting_type(l) != CONFIG_TYPE_ARRAY && config_setting_type(l) != CONFIG_TYPE_LIST)
		return cfg_error(c->err, l,
				 "'portals' must be a list of addresses: portals = [ \"192.0.2.1:3260\", \"[2001:db8::1]:3260\" ];");
	n = config_setting_length(l);
	tpg->portals = calloc((size_t)n, sizeof(*tpg->portals));
	if (n && !tpg->portals)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		struct net_portal *p = &tpg->portals[tpg->nportals];
		const char *text, *why = NULL;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_error(c->err, e,
					 "each portal must be a string such as \"192.0.2.1:3260\"");
		text = config_setting_get_string(e);
		if (net_portal_parse_why(text, p, &why))
			return cfg_error(c->err, e, "portal '%s': %s", text, why);
		for (j = 0; j < tpg->nportals; j++) {
			if (net_portal_equal(&tpg->portals[j], p))
				return cfg_error(c->err, e, "portal '%s' is listed twice in TPG %u",
						 text, tpg->tag);
		}
		/*
		 * The portal a connection arrives on picks its TPG: one address
		 * in two TPGs of a target would leave that choice to chance.
		 */
		for (j = 0; t->tpgs + j != tpg; j++) {
			for (k = 0; k < t->tpgs[j].nportals; k++) {
				if (net_portal_equal(&t->tpgs[j].portals[k], p))
					return cfg_error(c->err, e,
							 "portal '%s' is also in TPG %u of this target: a connection could not tell which TPG it is for",
							 text, t->tpgs[j].tag);
			}
		}
		tpg->nportals++;
	}
	return 0;
}

static const char *const config_lun_keys[] = { "lun", "backstore", NULL };

static int config_tpg_lun_cmp(const void *a, const void *b)
{
	const struct obj_tpg_lun *x = a, *y = b;

	return (x->lun > y->lun) - (x->lun < y->lun);
}

static int config_parse_luns(struct config_ctx *c, const config_setting_t *g, struct obj_tpg *tpg)
{
	config_setting_t *list;
	int i, n, ret;
	size_t j;

	ret = config_get_group_list(g, "luns", &list, c->err);
	if (ret || !list)
		return ret;
	n = config_setting_length(list);
	tpg->luns = calloc((size_t)n, sizeof(*tpg->luns));
	if (n && !tpg->luns)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned int)i);
		struct obj_tpg_lun *tl = &tpg->luns[tpg->nluns];
		const char *bsname;
		int64_t lun = 0;

		ret = cfg_check_keys(e, config_lun_keys, c->err);
		if (ret)
			return ret;
		ret = config_get_range(e, "lun", true, 0, OBJ_LUN_MAX, &lun, c->err);
		if (ret)
			return ret;
		for (j = 0; j < tpg->nluns; j++) {
			if (tpg->luns[j].lun == (uint64_t)lun)
				return cfg_error(c->err, config_setting_get_member(e, "lun"),
						 "LUN %lld is listed twice in TPG %u", (long long)lun,
						 tpg->tag);
		}
		ret = cfg_get_string(e, "backstore", true, &bsname, c->err);
		if (ret)
			return ret;
		tl->bs = obj_find_backstore(c->m, bsname);
		if (!tl->bs)
			return cfg_error(c->err, config_setting_get_member(e, "backstore"),
					 "LUN %lld: no backstore named '%s' (define it under 'backstores')",
					 (long long)lun, bsname);
		tl->lun = (uint64_t)lun;
		tpg->nluns++;
	}
	qsort(tpg->luns, tpg->nluns, sizeof(*tpg->luns), config_tpg_lun_cmp);
	return 0;
}

static const char *const config_mapped_keys[] = { "lun", "tpg_lun", "read_only", NULL };

static int config_parse_mapped(struct config_ctx *c, const config_setting_t *list,
			       const struct obj_tpg *tpg, struct obj_acl *acl)
{
	int i, n, ret;
	size_t j;

	n = config_setting_length(list);
	acl->mapped = calloc((size_t)n, sizeof(*acl->mapped));
	if (n && !acl->mapped)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned int)i);
		struct obj_mapped_lun *ml = &acl->mapped[acl->nmapped];
		int64_t lun = 0, tpg_lun = 0;
		bool found = false;

		ret = cfg_check_keys(e, config_mapped_keys, c->err);
		if (ret)
			return ret;
		ret = config_get_range(e, "lun", true, 0, OBJ_LUN_MAX, &lun, c->err);
		if (ret)
			return ret;
		for (j = 0; j < acl->nmapped; j++) {
			if (acl->mapped[j].lun == (uint64_t)lun)
				return cfg_error(c->err, config_setting_get_member(e, "lun"),
						 "initiator '%s': mapped LUN %lld is listed twice",
						 acl->initiator, (long long)lun);
		}
		ret = config_get_range(e, "tpg_lun", true, 0, OBJ_LUN_MAX, &tpg_lun, c->err);
		if (ret)
			return ret;
		for (j = 0; j < tpg->nluns; j++)
			found |= tpg->luns[j].lun == (uint64_t)tpg_lun;
		if (!found)
			return cfg_error(c->err, config_setting_get_member(e, "tpg_lun"),
					 "initiator '%s': tpg_lun %lld is not a LUN of TPG %u (add it under 'luns')",
					 acl->initiator, (long long)tpg_lun, tpg->tag);
		ml->lun = (uint64_t)lun;
		ml->tpg_lun = (uint64_t)tpg_lun;
		ret = cfg_get_bool(e, "read_only", false, &ml->read_only, c->err);
		if (ret)
			return ret;
		acl->nmapped++;
	}
	return 0;
}

/*
 * allowed_addresses = [ "192.0.2.0/24", "2001:db8::5" ]; in a TPG or an ACL
 * (net.h); what names the owner in messages. Absent or empty: anywhere.
 */
static int config_parse_allowed(struct config_ctx *c, const config_setting_t *g, const char *what,
				struct net_allow *out)
{
	config_setting_t *l = config_setting_get_member(g, "allowed_addresses");
	struct net_allow_err e;
	char msg[192];
	int i, n, ret;

	if (!l)
		return 0;
	if (config_setting_type(l) != CONFIG_TYPE_ARRAY && config_setting_type(l) != CONFIG_TYPE_LIST)
		return cfg_error(c->err, l,
				 "%s: 'allowed_addresses' must be a list of addresses and networks: allowed_addresses = [ \"192.0.2.0/24\", \"2001:db8::5\" ];",
				 what);
	n = config_setting_length(l);
	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(l, (unsigned int)i);
		const char *text = config_setting_get_string(s);

		if (!text)
			return cfg_error(c->err, s,
					 "%s: each allowed address must be a string such as \"192.0.2.0/24\"",
					 what);
		ret = net_allow_add_text(out, text, strlen(text), &e);
		if (ret == -ENOMEM)
			return ret;
		if (ret) {
			net_allow_err_text(&e, msg, sizeof(msg));
			return cfg_error(c->err, s, "%s: allowed address %s", what, msg);
		}
	}
	return 0;
}

/* An ACL's keys: the initiator, its LUNs, its CHAP credentials, where it may log in from. */
static void config_acl_keys(const char **keys, size_t cap)
{
	size_t n = 0;

	keys[n++] = "initiator";
	keys[n++] = "mapped_luns";
	n += obj_settings_keys(&obj_chap_settings, keys + n, cap - n - 1);
	keys[n++] = "allowed_addresses";
	keys[n] = NULL;
}

static int config_parse_acls(struct config_ctx *c, const config_setting_t *g, struct obj_tpg *tpg)
{
	const char *keys[OBJ_SETTINGS_MAX];
	config_setting_t *list, *mapped;
	int i, n, ret;
	size_t j;

	config_acl_keys(keys, ARRAY_SIZE(keys));
	ret = config_get_group_list(g, "acls", &list, c->err);
	if (ret || !list)
		return ret;
	n = config_setting_length(list);
	tpg->acls = calloc((size_t)n, sizeof(*tpg->acls));
	if (n && !tpg->acls)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned int)i);
		struct obj_acl *acl = &tpg->acls[tpg->nacls++];
		const char *name, *why = NULL;
		char what[ISCSI_NAME_MAX + 16];

		ret = cfg_check_keys(e, keys, c->err);
		if (ret)
			return ret;
		ret = cfg_get_string(e, "initiator", true, &name, c->err);
		if (ret)
			return ret;
		if (iscsi_name_check(name, &why))
			return cfg_error(c->err, config_setting_get_member(e, "initiator"),
					 "initiator '%s' is not a valid iSCSI name: %s", name, why);
		for (j = 0; tpg->acls + j != acl; j++) {
			if (iscsi_name_equal(tpg->acls[j].initiator, name))
				return cfg_error(c->err, config_setting_get_member(e, "initiator"),
						 "initiator '%s' has two ACLs in TPG %u: merge them",
						 name, tpg->tag);
		}
		snprintf(acl->initiator, sizeof(acl->initiator), "%s", name);
		ret = config_get_group_list(e, "mapped_luns", &mapped, c->err);
		if (ret)
			return ret;
		acl->all_luns = !config_setting_get_member(e, "mapped_luns");
		if (mapped) {
			ret = config_parse_mapped(c, mapped, tpg, acl);
			if (ret)
				return ret;
		}
		snprintf(what, sizeof(what), "initiator '%s'", acl->initiator);
		ret = config_parse_chap(c, e, what, false, &acl->chap);
		if (!ret)
			ret = config_parse_allowed(c, e, what, &acl->allowed);
		if (ret)
			return ret;
	}
	return 0;
}

/* RFC 7143 §13: Boolean keys are Yes/No on the wire; accept those and libconfig's true/false. */
static int config_get_yesno(const config_setting_t *g, const char *key, bool *out,
			    struct cfg_err *err)
{
	config_setting_t *s = config_setting_get_member(g, key);
	const char *v;

	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		*out = config_setting_get_bool(s);
		return 0;
	}
	v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
	if (v && strcasecmp(v, "Yes") == 0)
		*out = true;
	else if (v && strcasecmp(v, "No") == 0)
		*out = false;
	else
		return cfg_error(err, s, "'%s' must be true, false, \"Yes\" or \"No\"", key);
	return 0;
}

/*
 * RFC 7143 §13.1: a digest is a list of "CRC32C" and "None". What the target
 * keeps is whether CRC32C is allowed and whether None is (libconfig true:
 * "CRC32C,None", false: "None").
 */
static int config_get_digest(const config_setting_t *g, const char *key, bool *allowed,
			     bool *required, struct cfg_err *err)
{
	config_setting_t *s = config_setting_get_member(g, key);
	bool crc = false, none = false;
	const char *v, *p;

	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		*allowed = config_setting_get_bool(s);
		*required = false;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		goto bad;
	v = config_setting_get_string(s);
	for (p = v; *p;) {
		size_t n = strcspn(p, ",");

		if (n == 6 && strncasecmp(p, "CRC32C", 6) == 0)
			crc = true;
		else if (n == 4 && strncasecmp(p, "None", 4) == 0)
			none = true;
		else
			goto bad;
		p += n;
		if (*p == ',' && *++p == '\0')
			goto bad;
	}
	if (!crc && !none)
		goto bad;
	*allowed = crc;
	*required = !none;
	return 0;
bad:
	return cfg_error(err, s,
			 "'%s' must be \"CRC32C,None\", \"None\", \"CRC32C\" (required), true or false",
			 key);
}

/* A CHOICE setting: one of its row's names. */
static int config_get_choice(const config_setting_t *s, const struct obj_setting *r, void *obj,
			     struct cfg_err *err)
{
	const char *v = NULL;
	uint32_t n;
	int ret = cfg_get_string(s, r->key, false, &v, err);

	if (ret || !v)
		return ret;
	if (obj_setting_choice_parse(r, v, &n))
		return cfg_error(err, config_setting_get_member(s, r->key),
				 "'%s' must be one of %s, not '%s'", r->key, obj_setting_word(r), v);
	obj_setting_set_uint(r, obj, n);
	return 0;
}

/* One setting, row r of a table, from group s into obj; left as it is when missing. */
static int config_get_setting(const config_setting_t *s, const struct obj_setting *r, void *obj,
			      struct cfg_err *err)
{
	bool b = false, required = false;
	uint32_t v;
	int ret = 0;

	switch (r->type) {
	case OBJ_SETTING_BOOL:
	case OBJ_SETTING_YESNO:
		b = obj_setting_bool(r, obj);
		if (r->type == OBJ_SETTING_BOOL)
			ret = cfg_get_bool(s, r->key, false, &b, err);
		else
			ret = config_get_yesno(s, r->key, &b, err);
		if (!ret)
			obj_setting_set_bool(r, obj, b);
		break;
	case OBJ_SETTING_UINT:
		v = obj_setting_uint(r, obj);
		ret = config_get_u32(s, r->key, r->min, r->max, &v, err);
		if (!ret)
			obj_setting_set_uint(r, obj, v);
		break;
	case OBJ_SETTING_DIGEST:
		b = obj_setting_bool(r, obj);
		required = obj_setting_required(r, obj);
		ret = config_get_digest(s, r->key, &b, &required, err);
		if (!ret) {
			obj_setting_set_bool(r, obj, b);
			obj_setting_set_required(r, obj, required);
		}
		break;
	case OBJ_SETTING_NAME:
	case OBJ_SETTING_SECRET:
	case OBJ_SETTING_CHAP_ALGS:
		break; /* CHAP is checked together: config_parse_chap */
	case OBJ_SETTING_CHOICE:
		ret = config_get_choice(s, r, obj, err);
		break;
	}
	return ret;
}

/* The group t->group of g, when it is there, into obj: t's keys only, each as its row says. */
static int config_get_settings(const config_setting_t *g, const struct obj_settings *t,
			       void *obj, struct cfg_err *err)
{
	const char *keys[OBJ_SETTINGS_MAX];
	config_setting_t *s;
	int ret;

	ret = config_get_group(g, t->group, &s, err);
	if (ret || !s)
		return ret;
	obj_settings_keys(t, keys, ARRAY_SIZE(keys));
	ret = cfg_check_keys(s, keys, err);
	obj_settings_foreach(r, t) {
		if (!ret)
			ret = config_get_setting(s, r, obj, err);
	}
	return ret;
}

static int config_parse_params(struct config_ctx *c, const config_setting_t *g,
			       struct obj_tpg_params *p)
{
	config_setting_t *s = config_setting_get_member(g, obj_tpg_param_settings.group);
	int ret;

	ret = config_get_settings(g, &obj_tpg_param_settings, p, c->err);
	if (ret || !s)
		return ret;
	/* RFC 7143 §13.14: FirstBurstLength MUST NOT exceed MaxBurstLength */
	if (p->first_burst > p->max_burst)
		return cfg_error(c->err,
				 config_setting_get_member(s, "FirstBurstLength")
					 ?: config_setting_get_member(s, "MaxBurstLength"),
				 "FirstBurstLength (%u) must not exceed MaxBurstLength (%u)",
				 p->first_burst, p->max_burst);
	return 0;
}

static const char *const config_tpg_keys[] = { "tag",	   "portals",	 "luns",
					       "acls",	   "attributes", "parameters",
					       "allowed_addresses", "auth", "alua", NULL };

static int config_parse_tpg(struct config_ctx *c, const config_setting_t *g, struct obj_tpg *tpg)
{
	struct obj_target *t = tpg->target;
	char what[32];
	int64_t tag = 0;
	size_t j;
	int ret;

	obj_tpg_attrs_default(&tpg->attrs);
	obj_tpg_params_default(&tpg->params);
	obj_settings_default(&obj_tpg_alua_settings, &tpg->alua);
	ret = cfg_check_keys(g, config_tpg_keys, c->err);
	if (ret)
		return ret;
	/* RFC 7143 §13.9: the portal group tag is 16 bits; 0 is not a tag porticod gives */
	ret = config_get_range(g, "tag", true, 1, 65535, &tag, c->err);
	if (ret)
		return ret;
	for (j = 0; t->tpgs + j != tpg; j++) {
		if (t->tpgs[j].tag == tag)
			return cfg_error(c->err, config_setting_get_member(g, "tag"),
					 "target '%s': TPG tag %lld is used twice", t->iqn,
					 (long long)tag);
	}
	tpg->tag = (uint16_t)tag;
	ret = config_parse_portals(c, g, tpg);
	if (!ret)
		ret = config_parse_luns(c, g, tpg);
	if (!ret)
		ret = config_parse_acls(c, g, tpg);
	if (!ret)
		ret = config_get_settings(g, &obj_tpg_attr_settings, &tpg->attrs, c->err);
	if (!ret)
		ret = config_parse_params(c, g, &tpg->params);
	snprintf(what, sizeof(what), "TPG %u", tpg->tag);
	if (!ret)
		ret = config_parse_allowed(c, g, what, &tpg->allowed);
	if (!ret)
		ret = config_parse_tpg_auth(c, g, what, &tpg->auth);
	if (!ret)
		ret = config_get_settings(g, &obj_tpg_alua_settings, &tpg->alua, c->err);
	if (ret || !tpg->attrs.authentication)
		return ret;
	/* An ACL without credentials could never log in to a TPG that requires CHAP. */
	for (j = 0; j < tpg->nacls; j++) {
		if (!tpg->acls[j].chap.userid[0]) {
			config_setting_t *l = config_setting_get_member(g, "acls");

			return cfg_error(c->err, config_setting_get_elem(l, (unsigned int)j),
					 "initiator '%s': TPG %u has authentication = true, so its ACL needs userid and password",
					 tpg->acls[j].initiator, tpg->tag);
		}
	}
	return 0;
}

static const char *const config_target_keys[] = { "iqn", "alias", "tpgs", NULL };

static int config_parse_target(struct config_ctx *c, const config_setting_t *g,
			       struct obj_target *t)
{
	const char *iqn, *alias = NULL, *why = NULL, *p;
	config_setting_t *list;
	size_t j;
	int i, n, ret;

	ret = cfg_check_keys(g, config_target_keys, c->err);
	if (ret)
		return ret;
	ret = cfg_get_string(g, "iqn", true, &iqn, c->err);
	if (ret)
		return ret;
	if (iscsi_name_check(iqn, &why))
		return cfg_error(c->err, config_setting_get_member(g, "iqn"),
				 "target '%s' is not a valid iSCSI name: %s", iqn, why);
	for (j = 0; c->m->targets + j != t; j++) {
		if (iscsi_name_equal(c->m->targets[j].iqn, iqn))
			return cfg_error(c->err, config_setting_get_member(g, "iqn"),
					 "target '%s' is defined twice: merge its TPGs into one",
					 iqn);
	}
	snprintf(t->iqn, sizeof(t->iqn), "%s", iqn);

	ret = cfg_get_string(g, "alias", false, &alias, c->err);
	if (ret)
		return ret;
	if (alias) {
		/* RFC 7143 §13.6: TargetAlias is UTF-8 text; control characters would break a log line */
		for (p = alias; *p; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return cfg_error(c->err, config_setting_get_member(g, "alias"),
						 "target '%s': alias holds a control character",
						 iqn);
		}
		if (strlen(alias) >= sizeof(t->alias))
			return cfg_error(c->err, config_setting_get_member(g, "alias"),
					 "target '%s': alias is longer than %zu bytes", iqn,
					 sizeof(t->alias) - 1);
		strcpy(t->alias, alias);
	}

	ret = config_get_group_list(g, "tpgs", &list, c->err);
	if (ret || !list)
		return ret;
	n = config_setting_length(list);
	t->tpgs = calloc((size_t)n, sizeof(*t->tpgs));
	if (n && !t->tpgs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct obj_tpg *tpg = &t->tpgs[t->ntpgs++];

		tpg->target = t;
		ret = config_parse_tpg(c, config_setting_get_elem(list, (unsigned int)i), tpg);
		if (ret)
			return ret;
	}
	return 0;
}

static int config_parse_targets(struct config_ctx *c, const config_setting_t *root)
{
	config_setting_t *list;
	int i, n, ret;

	ret = config_get_group_list(root, CONFIG_KEY(TARGETS), &list, c->err);
	if (ret || !list)
		return ret;
	n = config_setting_length(list);
	c->m->targets = calloc((size_t)n, sizeof(*c->m->targets));
	if (n && !c->m->targets)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct obj_target *t = &c->m->targets[c->m->ntargets++];

		ret = config_parse_target(c, config_setting_get_elem(list, (unsigned int)i), t);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The longest state_dir: room for "/pr/" and a file name of an escaped
 * 32-character serial and ".tmp" within PATH_MAX.
 */
#define CONFIG_STATE_DIR_MAX 3900

/* discovery_auth = { userid; password; [mutual_userid; mutual_password;] }: CHAP for discovery. */
static int config_parse_discovery_auth(struct config_ctx *c, const config_setting_t *root)
{
	const char *keys[OBJ_SETTINGS_MAX];
	config_setting_t *g;
	int ret;

	ret = config_get_group(root, obj_discovery_auth_settings.group, &g, c->err);
	if (ret || !g)
		return ret;
	obj_settings_keys(&obj_discovery_auth_settings, keys, ARRAY_SIZE(keys));
	ret = cfg_check_keys(g, keys, c->err);
	if (ret)
		return ret;
	ret = config_parse_chap(c, g, obj_discovery_auth_settings.group, false,
				&c->m->discovery_auth);
	if (ret)
		return ret;
	if (!c->m->discovery_auth.userid[0])
		return cfg_error(c->err, g, "%s needs userid and password",
				 obj_discovery_auth_settings.group);
	return 0;
}

/* log_level: one of the levels' names (log_level_name). */
static int config_parse_log_level(struct config_ctx *c, const config_setting_t *root)
{
	const char *key = CONFIG_KEY(LOG_LEVEL), *level = NULL;
	char names[64] = "";
	size_t len = 0;
	int ret;

	c->m->log_level = LOG_LEVEL_INFO;
	ret = cfg_get_string(root, key, false, &level, c->err);
	if (ret || !level || !log_level_parse(level, &c->m->log_level))
		return ret;
	for (enum log_level l = LOG_LEVEL_ERR; log_level_name(l)[0] && len < sizeof(names); l++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
					l == LOG_LEVEL_ERR ? "" : ", ", log_level_name(l));
	return cfg_error(c->err, config_setting_get_member(root, key), "%s '%s' is not one of %s",
			 key, level, names);
}

/*
 * A number of the top level (UINT, SIZE) as its row says: its default when
 * the file has none, else in the row's range. Other rows: nothing to do.
 */
static int config_parse_number(struct config_ctx *c, const config_setting_t *root,
			       const struct obj_global *r)
{
	config_setting_t *s = config_setting_get_member(root, r->key);
	char lo[32], hi[32];
	int64_t n;
	uint64_t v = r->def;
	int ret = 0;

	if (r->value != OBJ_GLOBAL_UINT && r->value != OBJ_GLOBAL_SIZE)
		return 0;
	if (s && r->value == OBJ_GLOBAL_UINT) {
		ret = config_get_range(root, r->key, false, (int64_t)r->min, (int64_t)r->max, &n,
				       c->err);
		v = (uint64_t)n;
	} else if (s) {
		ret = cfg_get_size(root, r->key, false, &v, c->err);
		if (!ret && (v < r->min || v > r->max)) {
			config_size_text(r->min, lo, sizeof(lo));
			config_size_text(r->max, hi, sizeof(hi));
			return cfg_error(c->err, s, "%s must be from %s to %s", r->key, lo, hi);
		}
	}
	if (!ret)
		obj_global_set_num(r, c->m, v);
	return ret;
}

/*
 * A group of the top level (GROUP) as its table says, its rows' defaults
 * where the file has none; then what the rows cannot say alone.
 */
static int config_parse_group(struct config_ctx *c, const config_setting_t *root,
			      const struct obj_global *r)
{
	const struct obj_auth_guard *g = &c->m->auth_guard;
	config_setting_t *s;
	int ret;

	if (r->value != OBJ_GLOBAL_GROUP)
		return 0;
	obj_settings_default(r->settings, (char *)c->m + r->offset);
	ret = config_get_settings(root, r->settings, (char *)c->m + r->offset, c->err);
	if (ret || r != &obj_globals[OBJ_GLOBAL_AUTH_GUARD])
		return ret;
	s = config_setting_get_member(root, r->key);
	if (g->delay_max_ms < g->delay_ms)
		return cfg_error(c->err,
				 config_setting_get_member(s, "delay_max_ms")
					 ?: config_setting_get_member(s, "delay_ms"),
				 "%s: delay_max_ms (%u) must not be below delay_ms (%u)", r->key,
				 g->delay_max_ms, g->delay_ms);
	return 0;
}

static int config_parse_top(struct config_ctx *c, const config_setting_t *root)
{
	struct obj_model *m = c->m;
	const char *sock = CONFIG_DEFAULT_CONTROL_SOCKET, *debug = NULL, *p, *key;
	const char *state_dir = PR_STORE_DEFAULT_DIR;
	const char *keys[OBJ_GLOBAL__COUNT + 1];
	int ret;

	obj_globals_keys(keys, ARRAY_SIZE(keys));
	ret = cfg_check_keys(root, keys, c->err);
	if (ret)
		return ret;
	key = CONFIG_KEY(CONTROL_SOCKET);
	ret = cfg_get_string(root, key, false, &sock, c->err);
	if (ret)
		return ret;
	if (sock[0] != '/')
		return cfg_error(c->err, config_setting_get_member(root, key),
				 "%s '%s' must be an absolute path", key, sock);
	if (strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path) ||
	    strlen(sock) >= sizeof(m->control_socket))
		return cfg_error(c->err, config_setting_get_member(root, key),
				 "%s is %zu characters long; a UNIX socket path holds at most %zu",
				 key, strlen(sock),
				 sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	strcpy(m->control_socket, sock);

	key = CONFIG_KEY(STATE_DIR);
	ret = cfg_get_string(root, key, false, &state_dir, c->err);
	if (ret)
		return ret;
	if (state_dir[0] != '/')
		return cfg_error(c->err, config_setting_get_member(root, key),
				 "%s '%s' must be an absolute path", key, state_dir);
	if (strlen(state_dir) > CONFIG_STATE_DIR_MAX)
		return cfg_error(c->err, config_setting_get_member(root, key),
				 "%s is longer than %d characters", key, CONFIG_STATE_DIR_MAX);
	_Static_assert(CONFIG_STATE_DIR_MAX < sizeof(m->state_dir), "state_dir fits the model");
	strcpy(m->state_dir, state_dir);

	ret = config_shared_parse(root, &m->shared, c->err);
	if (ret)
		return ret;
	obj_globals_foreach(r) {
		ret = config_parse_number(c, root, r);
		if (!ret)
			ret = config_parse_group(c, root, r);
		if (ret)
			return ret;
	}

	/* Every change over the control socket is saved unless the admin says otherwise. */
	m->auto_save = true;
	ret = cfg_get_bool(root, CONFIG_KEY(AUTO_SAVE), false, &m->auto_save, c->err);
	if (!ret)
		ret = config_parse_log_level(c, root);
	if (ret)
		return ret;

	key = CONFIG_KEY(DEBUG);
	ret = cfg_get_string(root, key, false, &debug, c->err);
	if (ret)
		return ret;
	if (debug) {
		for (p = debug; *p; p++) {
			if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
			    *p != '_' && *p != ',')
				return cfg_error(c->err, config_setting_get_member(root, key),
						 "%s '%s' must be a comma-separated list of components, such as \"iscsi,scsi\" or \"all\"",
						 key, debug);
		}
		if (strlen(debug) >= sizeof(m->debug))
			return cfg_error(c->err, config_setting_get_member(root, key),
					 "%s is longer than %zu characters", key,
					 sizeof(m->debug) - 1);
		strcpy(m->debug, debug);
	}
	return 0;
}

int config_parse_cfg(config_t *cfg, const char *path, struct obj_model **out,
		     struct cfg_err *err)
{
	struct config_ctx c = { .err = err };
	const config_setting_t *root = config_root_setting(cfg);
	int ret;

	c.m = calloc(1, sizeof(*c.m));
	if (!c.m)
		return -ENOMEM;
	snprintf(c.m->path, sizeof(c.m->path), "%s", path ? path : "");
	ret = config_parse_top(&c, root);
	if (!ret)
		ret = config_parse_discovery_auth(&c, root);
	if (!ret)
		ret = config_parse_backstores(&c, root);
	if (!ret)
		ret = config_parse_targets(&c, root);
	if (ret) {
		obj_model_free(c.m);
		return ret;
	}
	*out = c.m;
	return 0;
}

/* libconfig's own syntax errors carry a file and line but no setting. */
static int config_syntax_error(config_t *cfg, const char *path, struct cfg_err *err)
{
	const char *file = config_error_file(cfg);

	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
		FILE *f = fopen(path, "re");
		int e = f ? EIO : errno;

		if (f)
			fclose(f);
		if (err && !err->msg[0])
			snprintf(err->msg, sizeof(err->msg), "%s: cannot read: %s", path,
				 strerror(e));
		return -e;
	}
	return config_err_at(err, file ? file : path, config_error_line(cfg), -EINVAL, "%s",
			     config_error_text(cfg));
}

int config_parse(const char *path, struct obj_model **out, struct cfg_err *err)
{
	config_t cfg;
	char dir[4096];
	char *slash;
	int ret;

	*out = NULL;
	if (strlen(path) >= sizeof((*out)->path)) {
		if (err && !err->msg[0])
			snprintf(err->msg, sizeof(err->msg), "%.400s...: path too long", path);
		return -ENAMETOOLONG;
	}
	config_init(&cfg);
	/* @include "other.conf" is relative to this file, not to the daemon's cwd */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		slash[slash == dir] = '\0';
		config_set_include_dir(&cfg, dir);
	}
	if (config_read_file(&cfg, path) != CONFIG_TRUE)
		ret = config_syntax_error(&cfg, path, err);
	else
		ret = config_parse_cfg(&cfg, path, out, err);
	config_destroy(&cfg);
	return ret;
}

int config_parse_string(const char *text, struct obj_model **out, struct cfg_err *err)
{
	config_t cfg;
	int ret;

	*out = NULL;
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE)
		ret = config_syntax_error(&cfg, "", err);
	else
		ret = config_parse_cfg(&cfg, NULL, out, err);
	config_destroy(&cfg);
	return ret;
}

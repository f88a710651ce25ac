/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * targetcli's saveconfig.json -> a porticod.conf tree (lio_import.h). The
 * file is what rtslib-fb's RTSRoot.dump() writes: storage_objects (each
 * with its plugin, name, dev, size, write_back, wwn, attributes and
 * alua_tpgs), targets (wwn, fabric, tpgs: tag, enable, attributes,
 * parameters, portals, luns, node_acls with mapped_luns and chap_*), and
 * fabric_modules (discovery CHAP). The fixtures under tests/lio were
 * written by targetcli itself.
 *
 * What porticod has is carried over; a setting targetcli left at its own
 * default is left at porticod's; a setting changed from targetcli's default
 * that porticod cannot express, and every object it has no kind for, is a
 * note. Pure: no I/O, no logging.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cfg.h"
#include "target/model/lio_import.h"

/* rtslib nests five levels deep; anything much deeper is not its file. */
#define LIO_JSON_DEPTH 16
/* rtslib's LUN numbers (a TPG's, a mapped LUN's) are 0-65535; porticod's parser takes 16383 */
#define LIO_LUN_MAX 65535

/* A storage object, by the path its LUNs name it with. */
struct lio_so {
	char path[160];	 /* "/backstores/fileio/LUN0" */
	const char *name; /* porticod's backstore name (the file's name) */
	bool carried;
};

struct lio_ctx {
	struct lio_notes *notes;
	char *err;
	size_t errlen;
	struct lio_so *so;
	size_t nso;
};

/* ---- notes and errors ---- */

void lio_notes_fini(struct lio_notes *notes)
{
	for (size_t i = 0; i < notes->n; i++)
		free(notes->line[i]);
	free(notes->line);
	memset(notes, 0, sizeof(*notes));
}

__attribute__((format(printf, 2, 3))) static int lio_note(struct lio_ctx *c, const char *fmt, ...)
{
	struct lio_notes *n = c->notes;
	va_list ap;
	char *line;
	int rc;

	if (n->n == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 16;
		char **p = realloc(n->line, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		n->line = p;
		n->cap = cap;
	}
	va_start(ap, fmt);
	rc = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	n->line[n->n++] = line;
	return 0;
}

__attribute__((format(printf, 2, 3))) static int lio_fail(struct lio_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen && !c->err[0]) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- typed members: missing is NULL/absent, the wrong type an error ---- */

static int lio_member(struct lio_ctx *c, struct json_object *o, const char *where,
		      const char *key, enum json_type t, bool required, struct json_object **out)
{
	static const char *const tname[] = {
		[json_type_null] = "null",     [json_type_boolean] = "true or false",
		[json_type_double] = "a number", [json_type_int] = "an integer",
		[json_type_object] = "an object", [json_type_array] = "a list",
		[json_type_string] = "a string",
	};
	struct json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (required)
			return lio_fail(c, "%s: '%s' is missing", where, key);
		return 0;
	}
	if (!json_object_is_type(v, t))
		return lio_fail(c, "%s: '%s' is not %s", where, key, tname[t]);
	*out = v;
	return 0;
}

static int lio_str(struct lio_ctx *c, struct json_object *o, const char *where, const char *key,
		   bool required, const char **out)
{
	struct json_object *v;
	int rc = lio_member(c, o, where, key, json_type_string, required, &v);

	*out = v ? json_object_get_string(v) : NULL;
	if (!rc && v && strlen(*out) != (size_t)json_object_get_string_len(v))
		return lio_fail(c, "%s: '%s' holds a NUL byte", where, key);
	return rc;
}

static int lio_int(struct lio_ctx *c, struct json_object *o, const char *where, const char *key,
		   bool required, int64_t min, int64_t max, int64_t *out, bool *has)
{
	struct json_object *v;
	int rc = lio_member(c, o, where, key, json_type_int, required, &v);

	if (has)
		*has = v != NULL;
	if (rc || !v)
		return rc;
	*out = json_object_get_int64(v);
	if (*out < min || *out > max)
		return lio_fail(c, "%s: '%s' is %" PRId64 ", not %" PRId64 " to %" PRId64, where,
				key, *out, min, max);
	return 0;
}

static int lio_bool(struct lio_ctx *c, struct json_object *o, const char *where, const char *key,
		    bool def, bool *out)
{
	struct json_object *v;
	int rc = lio_member(c, o, where, key, json_type_boolean, false, &v);

	*out = v ? json_object_get_boolean(v) : def;
	return rc;
}

/* ---- attributes and parameters, by table ---- */

#define LIO_NONE INT64_MIN /* porticod has no such behaviour: any change from targetcli's is noted */

/*
 * A targetcli attribute porticod does not take as a setting. A value that is
 * targetcli's default, or what porticod does anyway, is passed over in
 * silence; any other is noted with why. derived: the kernel computes it from
 * the device, as porticod does (never noted).
 */
struct lio_attr {
	const char *name;
	int64_t lio_default;
	int64_t portico; /* what porticod does, or LIO_NONE */
	bool derived;
	const char *why;
};

/* rtslib-fb's storage object attributes (kernel 6.1's target core), but those carried. */
static const struct lio_attr lio_so_attrs[] = {
	{ "alua_support", 1, 1, true, NULL },
	{ "pgr_support", 1, 1, true, NULL },
	{ "hw_block_size", 0, 0, true, NULL },
	{ "hw_max_sectors", 0, 0, true, NULL },
	{ "hw_queue_depth", 0, 0, true, NULL },
	{ "hw_pi_prot_type", 0, 0, true, NULL },
	{ "is_nonrot", 0, 0, true, NULL },
	{ "max_unmap_block_desc_count", 0, 0, true, NULL },
	{ "max_unmap_lba_count", 0, 0, true, NULL },
	{ "max_write_same_len", 0, 0, true, NULL },
	{ "optimal_sectors", 0, 0, true, NULL },
	{ "unmap_granularity", 0, 0, true, NULL },
	{ "unmap_granularity_alignment", 0, 0, true, NULL },
	{ "unmap_zeroes_data", 0, 0, true, NULL },
	{ "emulate_3pc", 1, 0, false, "porticod does not implement EXTENDED COPY" },
	{ "emulate_caw", 1, 1, false, "porticod always takes COMPARE AND WRITE" },
	{ "emulate_dpo", 1, 1, false, "porticod always takes the DPO bit" },
	{ "emulate_fua_read", 1, 1, false, "porticod always takes FUA on reads" },
	{ "emulate_fua_write", 1, 1, false, "porticod always honours FUA on writes" },
	{ "emulate_model_alias", 1, LIO_NONE, false,
	  "INQUIRY's product is porticod's own, not the backstore's name" },
	{ "emulate_pr", 1, 1, false, "porticod always takes persistent reservations" },
	{ "emulate_rest_reord", 0, 0, false, "porticod keeps the restricted reordering of commands" },
	{ "emulate_tas", 1, 1, false,
	  "porticod reports TAS 1 (commands another I_T nexus aborts end with TASK ABORTED)" },
	{ "emulate_tpws", 0, LIO_NONE, false,
	  "WRITE SAME with UNMAP follows thin (emulate_tpu) in porticod" },
	{ "emulate_ua_intlck_ctrl", 0, 0, false, "porticod clears unit attentions as SPC-4 says" },
	{ "enforce_pr_isids", 1, 1, false, "porticod always uses the initiator port's ISID" },
	{ "force_pr_aptpl", 0, 0, false,
	  "porticod keeps reservations across restarts when the initiator asks (APTPL)" },
	{ "pi_prot_format", 0, 0, false, "porticod has no protection information (T10 PI)" },
	{ "pi_prot_type", 0, 0, false, "porticod has no protection information (T10 PI)" },
	{ "pi_prot_verify", 0, 0, false, "porticod has no protection information (T10 PI)" },
	{ "queue_depth", 128, LIO_NONE, false,
	  "porticod has no per-LU queue depth; a session's window is the TPG's default_cmdsn_depth" },
};

/* iSCSI TPG attributes (kernel 6.1), but those carried. */
static const struct lio_attr lio_tpg_attrs[] = {
	{ "cache_dynamic_acls", 0, LIO_NONE, false,
	  "porticod keeps no ACLs for demo-mode initiators" },
	{ "default_erl", 0, 0, false, "porticod serves ErrorRecoveryLevel 0 only" },
	{ "demo_mode_discovery", 1, 1, false,
	  "porticod's demo mode always shows the target in discovery" },
	{ "fabric_prot_type", 0, 0, false, "porticod has no protection information (T10 PI)" },
	{ "login_keys_workaround", 1, LIO_NONE, false,
	  "porticod answers login keys as RFC 7143 says, without LIO's workaround" },
	{ "login_timeout", 15, LIO_NONE, false, "porticod has no login timeout setting" },
	{ "netif_timeout", 2, LIO_NONE, false, "porticod has no such setting" },
	{ "prod_mode_write_protect", 0, 0, false,
	  "use readonly on the backstore or write_protect on a mapped LUN" },
	{ "t10_pi", 0, 0, false, "porticod has no protection information (T10 PI)" },
	{ "tpg_enabled_sendtargets", 1, 1, false,
	  "porticod's SendTargets always lists the TPG's portals" },
};

/* iSCSI ACL attributes (kernel 6.1). nopin_* are a TPG's in porticod. */
static const struct lio_attr lio_acl_attrs[] = {
	{ "authentication", -1, -1, false,
	  "porticod has no per-initiator switch: CHAP credentials on the ACL require CHAP" },
	{ "dataout_timeout", 3, LIO_NONE, false, "porticod has no Data-Out timeout setting" },
	{ "dataout_timeout_retries", 5, LIO_NONE, false, "porticod has no such setting" },
	{ "default_erl", 0, 0, false, "porticod serves ErrorRecoveryLevel 0 only" },
	{ "nopin_response_timeout", 30, LIO_NONE, false,
	  "porticod sets it per TPG (attribute nopin_timeout), not per initiator" },
	{ "nopin_timeout", 15, LIO_NONE, false,
	  "porticod sets it per TPG (attribute nopin_interval), not per initiator" },
	{ "random_datain_pdu_offsets", 0, 0, false, "porticod sends Data-In in order" },
	{ "random_datain_seq_offsets", 0, 0, false, "porticod sends Data-In in order" },
	{ "random_r2t_offsets", 0, 0, false, "porticod sends R2Ts in order" },
};

/* Notes every attribute of o but the names in skip (carried by the caller). */
static int lio_attrs_note(struct lio_ctx *c, struct json_object *attrs, const char *where,
			  const struct lio_attr *tab, size_t ntab, const char *const *skip)
{
	int rc = 0;

	if (!attrs)
		return 0;
	json_object_object_foreach(attrs, key, v)
	{
		const struct lio_attr *a = NULL;
		bool skipped = false;
		int64_t n;

		for (size_t i = 0; skip && skip[i]; i++)
			skipped |= !strcmp(skip[i], key);
		if (skipped)
			continue;
		for (size_t i = 0; i < ntab; i++)
			if (!strcmp(tab[i].name, key))
				a = &tab[i];
		if (!json_object_is_type(v, json_type_int)) {
			rc = lio_note(c, "%s: attribute %s = '%s': not known to this import, not carried",
				      where, key, json_object_get_string(v));
		} else if (!a) {
			rc = lio_note(c, "%s: attribute %s = %" PRId64 ": not known to this import, not carried",
				      where, key, json_object_get_int64(v));
		} else if (!a->derived) {
			n = json_object_get_int64(v);
			if (n != a->lio_default && n != a->portico)
				rc = lio_note(c, "%s: attribute %s = %" PRId64 " not carried: %s", where,
					      key, n, a->why);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* The attribute key of attrs as an integer; def when absent. */
static int lio_attr_int(struct lio_ctx *c, struct json_object *attrs, const char *where,
			const char *key, int64_t def, int64_t *out)
{
	bool has;
	int rc;

	*out = def;
	if (!attrs)
		return 0;
	rc = lio_int(c, attrs, where, key, false, INT32_MIN, UINT32_MAX, out, &has);
	if (!rc && !has)
		*out = def;
	return rc;
}

/* ---- storage objects ---- */

static int lio_so_add(struct lio_ctx *c, const char *plugin, const char *name, bool carried)
{
	struct lio_so *p = realloc(c->so, (c->nso + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	c->so = p;
	p = &c->so[c->nso++];
	snprintf(p->path, sizeof(p->path), "/backstores/%s/%s", plugin, name);
	p->name = name;
	p->carried = carried;
	return 0;
}

static const struct lio_so *lio_so_find(const struct lio_ctx *c, const char *path)
{
	for (size_t i = 0; i < c->nso; i++)
		if (!strcmp(c->so[i].path, path))
			return &c->so[i];
	return NULL;
}

static int lio_alua_note(struct lio_ctx *c, struct json_object *so, const char *where)
{
	struct json_object *gps, *g;
	const char *name;
	int rc;

	rc = lio_member(c, so, where, "alua_tpgs", json_type_array, false, &gps);
	for (size_t i = 0; !rc && gps && i < json_object_array_length(gps); i++) {
		g = json_object_array_get_idx(gps, i);
		if (!json_object_is_type(g, json_type_object))
			return lio_fail(c, "%s: alua_tpgs[%zu] is not an object", where, i);
		rc = lio_str(c, g, where, "name", true, &name);
		if (!rc && strcmp(name, "default_tg_pt_gp"))
			rc = lio_note(c, "%s: ALUA group '%s' not carried: porticod's target port "
				      "groups are its TPGs (set alua on a TPG)", where, name);
	}
	return rc;
}

static int lio_storage_object(struct lio_ctx *c, struct json_object *so, size_t idx,
			      config_setting_t *list)
{
	static const char *const carried[] = { "block_size", "emulate_tpu", "emulate_write_cache",
					       NULL };
	char where[192];
	const char *plugin, *name, *dev = NULL, *ptype;
	struct json_object *attrs;
	config_setting_t *g;
	int64_t size = 0, bs, tpu, wce;
	bool has_size = false, write_back, readonly, nullio, aio;
	int rc;

	snprintf(where, sizeof(where), "storage_objects[%zu]", idx);
	if (!json_object_is_type(so, json_type_object))
		return lio_fail(c, "%s is not an object", where);
	rc = lio_str(c, so, where, "plugin", true, &plugin);
	if (!rc)
		rc = lio_str(c, so, where, "name", true, &name);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "storage object %.32s/%.128s", plugin, name);
	rc = lio_member(c, so, where, "attributes", json_type_object, false, &attrs);
	if (!rc)
		rc = lio_str(c, so, where, "dev", false, &dev);
	if (!rc)
		rc = lio_int(c, so, where, "size", false, 0, INT64_MAX, &size, &has_size);
	if (!rc)
		rc = lio_bool(c, so, where, "write_back", true, &write_back);
	if (!rc)
		rc = lio_bool(c, so, where, "readonly", false, &readonly);
	if (!rc)
		rc = lio_bool(c, so, where, "nullio", false, &nullio);
	if (!rc)
		rc = lio_bool(c, so, where, "aio", false, &aio);
	if (!rc)
		rc = lio_attr_int(c, attrs, where, "block_size", 512, &bs);
	if (!rc)
		rc = lio_attr_int(c, attrs, where, "emulate_tpu", 0, &tpu);
	if (!rc)
		rc = lio_attr_int(c, attrs, where, "emulate_write_cache", 0, &wce);
	if (rc)
		return rc;

	if (!strcmp(plugin, "fileio"))
		ptype = "file";
	else if (!strcmp(plugin, "block"))
		ptype = "block";
	else if (!strcmp(plugin, "ramdisk") && nullio)
		ptype = "null"; /* rd_mcp with rd_nullio: no memory, reads zeros, drops writes */
	else {
		const char *why = !strcmp(plugin, "ramdisk") ?
			"porticod has no memory store (a ramdisk with nullio=true becomes a null backstore)" :
			!strcmp(plugin, "pscsi") ? "porticod has no SCSI pass-through" :
			!strcmp(plugin, "user") ? "porticod has no TCMU (user) backstores" :
						  "porticod has no such kind of backstore";

		return lio_note(c, "%s: not carried (nor its LUNs and mapped LUNs): %s", where, why) ?:
			       lio_so_add(c, plugin, name, false);
	}
	if ((!strcmp(ptype, "file") || !strcmp(ptype, "block")) && (!dev || !dev[0]))
		return lio_fail(c, "%s: 'dev' is missing", where);

	/* targetcli names stores per plugin; porticod's names are one list */
	for (size_t i = 0; i < c->nso; i++)
		if (c->so[i].carried && !strcmp(c->so[i].name, name))
			return lio_fail(c, "%s: storage object %s has the same name: porticod's "
					"backstore names are one list; rename one with targetcli first",
					where, c->so[i].path);
	rc = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &g);
	if (!rc)
		rc = cfg_set_string(g, "name", name);
	if (!rc)
		rc = cfg_set_string(g, "type", ptype);
	if (!rc && strcmp(ptype, "null"))
		rc = cfg_set_string(g, "path", dev);
	/* a block device's size is its own: rtslib writes none */
	if (!rc && has_size && strcmp(ptype, "block"))
		rc = cfg_set_uint(g, "size", (uint64_t)size);
	if (!rc && !strcmp(ptype, "file"))
		rc = cfg_set_bool(g, "thin", tpu != 0);
	if (!rc && strcmp(ptype, "null"))
		rc = cfg_set_bool(g, "write_back", write_back);
	if (!rc && readonly)
		rc = cfg_set_bool(g, "readonly", true);
	if (!rc && bs != 512)
		rc = cfg_set_uint(g, "block_size", (uint64_t)(bs < 0 ? 0 : bs));
	if (rc)
		return rc;
	if (!strcmp(ptype, "block") && tpu)
		rc = lio_note(c, "%s: attribute emulate_tpu = 1 not carried as such: porticod lets "
			      "initiators UNMAP a block device when the device takes discards",
			      where);
	if (!rc && !strcmp(plugin, "ramdisk"))
		rc = lio_note(c, "%s: a nullio ramdisk becomes a null backstore (size %" PRId64 ")",
			      where, size);
	if (!rc && aio)
		rc = lio_note(c, "%s: aio = true not carried: porticod always submits with libaio "
			      "where the store allows it", where);
	if (!rc)
		rc = lio_note(c, "%s: wwn '%s' not carried: the unit serial and NAA name change "
			      "(porticod's serial is at most 32 characters, its NAA name 8 bytes); "
			      "hosts see a new disk ID", where,
			      json_object_get_string(json_object_object_get(so, "wwn")) ?: "");
	if (!rc)
		rc = lio_attrs_note(c, attrs, where, lio_so_attrs,
				    sizeof(lio_so_attrs) / sizeof(lio_so_attrs[0]), carried);
	if (!rc)
		rc = lio_alua_note(c, so, where);
	return rc ?: lio_so_add(c, plugin, name, true);
}

/* ---- targets ---- */

/* iSCSI parameters porticod negotiates, with targetcli's defaults (RFC 7143 §13 keys). */
static const struct {
	const char *key;
	const char *lio_default;
	bool number;
} lio_params_carried[] = {
	{ "MaxRecvDataSegmentLength", "8192", true },
	{ "MaxBurstLength", "262144", true },
	{ "FirstBurstLength", "65536", true },
	{ "MaxOutstandingR2T", "1", true },
	{ "DefaultTime2Wait", "2", true },
	{ "DefaultTime2Retain", "20", true },
	{ "InitialR2T", "Yes", false },
	{ "ImmediateData", "Yes", false },
	{ "HeaderDigest", "CRC32C,None", false },
	{ "DataDigest", "CRC32C,None", false },
};

/* Parameters porticod does not negotiate otherwise than at these values. */
static const struct {
	const char *key;
	const char *lio_default;
	const char *why;
} lio_params_fixed[] = {
	{ "AuthMethod", "CHAP,None",
	  "porticod offers CHAP where the ACL has credentials or the TPG has authentication" },
	{ "DataPDUInOrder", "Yes", "porticod sends data in order" },
	{ "DataSequenceInOrder", "Yes", "porticod sends data in order" },
	{ "ErrorRecoveryLevel", "0", "porticod serves ErrorRecoveryLevel 0 only" },
	{ "MaxConnections", "1", "porticod takes one connection per session" },
	{ "IFMarker", "No", "markers are not in RFC 7143" },
	{ "OFMarker", "No", "markers are not in RFC 7143" },
	{ "IFMarkInt", "Reject", "markers are not in RFC 7143" },
	{ "OFMarkInt", "Reject", "markers are not in RFC 7143" },
	{ "MaxXmitDataSegmentLength", "262144",
	  "porticod sends what the initiator's MaxRecvDataSegmentLength allows" },
	{ "TargetAlias", "LIO Target", NULL /* the target's alias: lio_tpg */ },
};

static int lio_params(struct lio_ctx *c, struct json_object *params, const char *where,
		      config_setting_t *tpg, bool authentication, const char **alias)
{
	config_setting_t *g = NULL;
	int rc = 0;

	if (!params)
		return 0;
	json_object_object_foreach(params, key, v)
	{
		const char *s = json_object_get_string(v);
		size_t i;

		if (!json_object_is_type(v, json_type_string))
			return lio_fail(c, "%s: parameter '%s' is not a string", where, key);
		for (i = 0; i < sizeof(lio_params_carried) / sizeof(lio_params_carried[0]); i++)
			if (!strcmp(lio_params_carried[i].key, key))
				break;
		if (i < sizeof(lio_params_carried) / sizeof(lio_params_carried[0])) {
			char *end;
			unsigned long long n;

			if (!strcmp(s, lio_params_carried[i].lio_default))
				continue;
			if (!g)
				g = cfg_member(tpg, "parameters", CONFIG_TYPE_GROUP);
			if (!g)
				return -ENOMEM;
			if (!lio_params_carried[i].number) {
				rc = cfg_set_string(g, key, s);
			} else {
				errno = 0;
				n = strtoull(s, &end, 10);
				if (errno || end == s || *end)
					return lio_fail(c, "%s: parameter %s = '%s' is not a number",
							where, key, s);
				rc = cfg_set_uint(g, key, n);
			}
			if (rc)
				return rc;
			continue;
		}
		for (i = 0; i < sizeof(lio_params_fixed) / sizeof(lio_params_fixed[0]); i++)
			if (!strcmp(lio_params_fixed[i].key, key))
				break;
		if (i == sizeof(lio_params_fixed) / sizeof(lio_params_fixed[0]))
			rc = lio_note(c, "%s: parameter %s = '%s': not known to this import, not carried",
				      where, key, s);
		else if (!lio_params_fixed[i].why)
			*alias = strcmp(s, lio_params_fixed[i].lio_default) ? s : NULL;
		else if (!strcmp(key, "AuthMethod") && !strcmp(s, "CHAP") && authentication)
			continue; /* what authentication = 1 makes LIO offer: carried with it */
		else if (strcmp(s, lio_params_fixed[i].lio_default))
			rc = lio_note(c, "%s: parameter %s = '%s' not carried: %s", where, key, s,
				      lio_params_fixed[i].why);
		if (rc)
			return rc;
	}
	return 0;
}

/* CHAP of an ACL (userid, password, mutual_*) from chap_* of o. */
static int lio_chap(struct lio_ctx *c, struct json_object *o, const char *where,
		    config_setting_t *g)
{
	static const char *const keys[][2] = {
		{ "chap_userid", "userid" },
		{ "chap_password", "password" },
		{ "chap_mutual_userid", "mutual_userid" },
		{ "chap_mutual_password", "mutual_password" },
	};
	const char *v;
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(keys) / sizeof(keys[0]); i++) {
		rc = lio_str(c, o, where, keys[i][0], false, &v);
		if (!rc && v && v[0])
			rc = cfg_set_string(g, keys[i][1], v);
	}
	return rc;
}

static int lio_acl(struct lio_ctx *c, struct json_object *acl, const char *tpg, size_t nacl,
		   const bool *lun_ok, size_t nlun_ok, config_setting_t *list)
{
	char where[384], w[704];
	const char *wwn, *tag;
	struct json_object *mapped, *attrs, *m;
	config_setting_t *g, *ml, *e;
	int64_t idx, tpg_lun;
	bool wp;
	int rc;

	snprintf(where, sizeof(where), "%.320s node_acls[%zu]", tpg, nacl);
	if (!json_object_is_type(acl, json_type_object))
		return lio_fail(c, "%s is not an object", where);
	rc = lio_str(c, acl, where, "node_wwn", true, &wwn);
	if (rc)
		return rc;
	snprintf(w, sizeof(w), "%.320s ACL %.255s", tpg, wwn);
	rc = lio_member(c, acl, w, "mapped_luns", json_type_array, false, &mapped);
	if (!rc)
		rc = lio_member(c, acl, w, "attributes", json_type_object, false, &attrs);
	if (!rc)
		rc = lio_str(c, acl, w, "tag", false, &tag);
	if (!rc)
		rc = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &g);
	if (!rc)
		rc = cfg_set_string(g, "initiator", wwn);
	if (!rc)
		rc = lio_chap(c, acl, w, g);
	/* LIO shows an ACL exactly its mapped LUNs: none is an empty list here, not "all" */
	if (!rc)
		rc = cfg_add(g, "mapped_luns", CONFIG_TYPE_LIST, &ml);
	for (size_t i = 0; !rc && mapped && i < json_object_array_length(mapped); i++) {
		char wm[768];

		m = json_object_array_get_idx(mapped, i);
		snprintf(wm, sizeof(wm), "%.704s mapped_luns[%zu]", w, i);
		if (!json_object_is_type(m, json_type_object))
			return lio_fail(c, "%s is not an object", wm);
		rc = lio_int(c, m, wm, "index", true, 0, LIO_LUN_MAX, &idx, NULL);
		if (!rc)
			rc = lio_int(c, m, wm, "tpg_lun", true, 0, LIO_LUN_MAX, &tpg_lun, NULL);
		if (!rc)
			rc = lio_bool(c, m, wm, "write_protect", false, &wp);
		if (rc)
			return rc;
		if ((size_t)tpg_lun < nlun_ok && !lun_ok[tpg_lun]) /* its LUN was not carried */
			continue;
		rc = cfg_add(ml, NULL, CONFIG_TYPE_GROUP, &e);
		if (!rc)
			rc = cfg_set_uint(e, "lun", (uint64_t)idx);
		if (!rc)
			rc = cfg_set_uint(e, "tpg_lun", (uint64_t)tpg_lun);
		if (!rc && wp)
			rc = cfg_set_bool(e, "read_only", true);
	}
	if (!rc && tag)
		rc = lio_note(c, "%s: tag '%s' not carried: porticod has no ACL tags", w, tag);
	if (!rc)
		rc = lio_attrs_note(c, attrs, w, lio_acl_attrs,
				    sizeof(lio_acl_attrs) / sizeof(lio_acl_attrs[0]), NULL);
	return rc;
}

static int lio_portals(struct lio_ctx *c, struct json_object *portals, const char *where,
		       config_setting_t *tpg)
{
	config_setting_t *arr;
	struct json_object *p;
	const char *ip;
	int64_t port;
	bool iser, offload;
	char text[96];
	int rc = cfg_add(tpg, "portals", CONFIG_TYPE_ARRAY, &arr);

	for (size_t i = 0; !rc && portals && i < json_object_array_length(portals); i++) {
		char wp[384];

		p = json_object_array_get_idx(portals, i);
		snprintf(wp, sizeof(wp), "%.320s portals[%zu]", where, i);
		if (!json_object_is_type(p, json_type_object))
			return lio_fail(c, "%s is not an object", wp);
		rc = lio_str(c, p, wp, "ip_address", true, &ip);
		if (!rc)
			rc = lio_int(c, p, wp, "port", true, 1, 65535, &port, NULL);
		if (!rc)
			rc = lio_bool(c, p, wp, "iser", false, &iser);
		if (!rc)
			rc = lio_bool(c, p, wp, "offload", false, &offload);
		if (rc)
			return rc;
		/* rtslib writes an IPv6 address in brackets already */
		snprintf(text, sizeof(text), strchr(ip, ':') && ip[0] != '[' ? "[%s]:%" PRId64 :
									       "%s:%" PRId64,
			 ip, port);
		if (iser || offload) {
			rc = lio_note(c, "%s: portal %s not carried: porticod serves iSCSI over TCP "
				      "only (%s)", where, text, iser ? "iSER" : "offload");
			continue;
		}
		rc = cfg_append_string(arr, text);
	}
	return rc;
}

static int lio_tpg(struct lio_ctx *c, struct json_object *tpg, const char *where,
		   config_setting_t *list, const char **alias)
{
	static const char *const carried[] = { "authentication", "generate_node_acls",
					       "demo_mode_write_protect", "default_cmdsn_depth",
					       NULL };
	char w[320];
	struct json_object *luns, *acls, *portals, *attrs, *params, *l;
	config_setting_t *g, *ll, *al, *ag;
	const char *so_path, *chap_user;
	int64_t tag, v;
	bool enable, *lun_ok = NULL;
	size_t nlun_ok = 0;
	int rc;

	if (!json_object_is_type(tpg, json_type_object))
		return lio_fail(c, "%s is not an object", where);
	rc = lio_int(c, tpg, where, "tag", true, 1, 65535, &tag, NULL);
	if (rc)
		return rc;
	snprintf(w, sizeof(w), "%.280s TPG %" PRId64, where, tag);
	rc = lio_bool(c, tpg, w, "enable", true, &enable);
	if (!rc)
		rc = lio_member(c, tpg, w, "luns", json_type_array, false, &luns);
	if (!rc)
		rc = lio_member(c, tpg, w, "node_acls", json_type_array, false, &acls);
	if (!rc)
		rc = lio_member(c, tpg, w, "portals", json_type_array, false, &portals);
	if (!rc)
		rc = lio_member(c, tpg, w, "attributes", json_type_object, false, &attrs);
	if (!rc)
		rc = lio_member(c, tpg, w, "parameters", json_type_object, false, &params);
	if (!rc)
		rc = lio_str(c, tpg, w, "chap_userid", false, &chap_user);
	if (rc)
		return rc;
	if (!enable)
		return lio_note(c, "%s: not carried: it is disabled, and porticod serves every TPG "
				"it has", w);

	rc = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &g);
	if (!rc)
		rc = cfg_set_uint(g, "tag", (uint64_t)tag);
	if (!rc)
		rc = lio_portals(c, portals, w, g);
	if (!rc)
		rc = cfg_add(g, "luns", CONFIG_TYPE_LIST, &ll);
	for (size_t i = 0; !rc && luns && i < json_object_array_length(luns); i++) {
		char wl[384];
		const struct lio_so *so;
		config_setting_t *e;
		int64_t idx;

		l = json_object_array_get_idx(luns, i);
		snprintf(wl, sizeof(wl), "%.320s luns[%zu]", w, i);
		if (!json_object_is_type(l, json_type_object)) {
			rc = lio_fail(c, "%s is not an object", wl);
			break;
		}
		rc = lio_int(c, l, wl, "index", true, 0, LIO_LUN_MAX, &idx, NULL);
		if (!rc)
			rc = lio_str(c, l, wl, "storage_object", true, &so_path);
		if (rc)
			break;
		so = lio_so_find(c, so_path);
		if (!so) {
			rc = lio_fail(c, "%s: storage object '%s' is not in the file", wl, so_path);
			break;
		}
		if ((size_t)idx >= nlun_ok) {
			bool *p = realloc(lun_ok, ((size_t)idx + 1) * sizeof(*p));

			if (!p) {
				rc = -ENOMEM;
				break;
			}
			for (size_t k = nlun_ok; k <= (size_t)idx; k++)
				p[k] = true;
			lun_ok = p;
			nlun_ok = (size_t)idx + 1;
		}
		lun_ok[idx] = so->carried;
		if (!so->carried)
			continue; /* noted with its storage object */
		rc = cfg_add(ll, NULL, CONFIG_TYPE_GROUP, &e);
		if (!rc)
			rc = cfg_set_uint(e, "lun", (uint64_t)idx);
		if (!rc)
			rc = cfg_set_string(e, "backstore", so->name);
	}
	if (!rc)
		rc = cfg_add(g, "acls", CONFIG_TYPE_LIST, &al);
	for (size_t i = 0; !rc && acls && i < json_object_array_length(acls); i++)
		rc = lio_acl(c, json_object_array_get_idx(acls, i), w, i, lun_ok, nlun_ok, al);
	free(lun_ok);
	if (rc)
		return rc;

	/* TPG attributes with a meaning here: the booleans always (security), a number when changed */
	ag = cfg_member(g, "attributes", CONFIG_TYPE_GROUP);
	if (!ag)
		return -ENOMEM;
	rc = lio_attr_int(c, attrs, w, "authentication", 0, &v);
	if (!rc)
		rc = cfg_set_bool(ag, "authentication", v != 0);
	if (!rc)
		rc = lio_attr_int(c, attrs, w, "generate_node_acls", 0, &v);
	if (!rc)
		rc = cfg_set_bool(ag, "generate_node_acls", v != 0);
	if (!rc)
		rc = lio_attr_int(c, attrs, w, "demo_mode_write_protect", 1, &v);
	if (!rc)
		rc = cfg_set_bool(ag, "demo_mode_write_protect", v != 0);
	if (!rc)
		rc = lio_attr_int(c, attrs, w, "default_cmdsn_depth", 64, &v);
	if (!rc && v != 64)
		rc = cfg_set_uint(ag, "default_cmdsn_depth", (uint64_t)(v < 0 ? 0 : v));
	if (!rc)
		rc = lio_attrs_note(c, attrs, w, lio_tpg_attrs,
				    sizeof(lio_tpg_attrs) / sizeof(lio_tpg_attrs[0]), carried);
	if (!rc)
		rc = lio_attr_int(c, attrs, w, "authentication", 0, &v);
	if (!rc)
		rc = lio_params(c, params, w, g, v != 0, alias);
	if (!rc && chap_user && chap_user[0])
		rc = lio_note(c, "%s: TPG CHAP credentials (userid '%s') not carried: porticod's "
			      "credentials belong to ACLs; give each initiator an ACL with them",
			      w, chap_user);
	return rc;
}

static int lio_target(struct lio_ctx *c, struct json_object *t, size_t idx,
		      config_setting_t *list)
{
	char where[320];
	const char *wwn, *fabric, *alias = NULL;
	struct json_object *tpgs, *params;
	config_setting_t *g, *tl;
	int rc;

	snprintf(where, sizeof(where), "targets[%zu]", idx);
	if (!json_object_is_type(t, json_type_object))
		return lio_fail(c, "%s is not an object", where);
	rc = lio_str(c, t, where, "wwn", true, &wwn);
	if (!rc)
		rc = lio_str(c, t, where, "fabric", true, &fabric);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "target %.255s", wwn);
	if (strcmp(fabric, "iscsi"))
		return lio_note(c, "%s: not carried: a %s target; porticod serves iSCSI only", where,
				fabric);
	rc = lio_member(c, t, where, "tpgs", json_type_array, false, &tpgs);
	if (!rc)
		rc = lio_member(c, t, where, "parameters", json_type_object, false, &params);
	if (!rc)
		rc = cfg_add(list, NULL, CONFIG_TYPE_GROUP, &g);
	if (!rc)
		rc = cfg_set_string(g, "iqn", wwn);
	if (!rc)
		rc = cfg_add(g, "tpgs", CONFIG_TYPE_LIST, &tl);
	for (size_t i = 0; !rc && tpgs && i < json_object_array_length(tpgs); i++) {
		const char *a = NULL;

		rc = lio_tpg(c, json_object_array_get_idx(tpgs, i), where, tl, &a);
		if (!rc && a && alias && strcmp(a, alias))
			rc = lio_note(c, "%s: TargetAlias '%s' of a second TPG not carried: porticod's "
				      "alias is the target's ('%s')", where, a, alias);
		else if (a && !alias)
			alias = a;
	}
	if (!rc && alias)
		rc = cfg_set_string(g, "alias", alias);
	/* kernel 6.1's per-target cmd_completion_affinity (-1: the submitting CPU) */
	if (rc || !params)
		return rc;
	json_object_object_foreach(params, key, v)
	{
		const char *s = json_object_get_string(v);

		if (!strcmp(key, "cmd_completion_affinity") && s && !strcmp(s, "-1"))
			continue;
		rc = lio_note(c, "%s: parameter %s = '%s' not carried: porticod completes a "
			      "command on the thread that received it", where, key, s ?: "");
		if (rc)
			break;
	}
	return rc;
}

static int lio_fabric(struct lio_ctx *c, struct json_object *f, size_t idx, config_t *cfg)
{
	char where[64];
	const char *name, *v;
	bool enable;
	config_setting_t *g;
	int rc;

	snprintf(where, sizeof(where), "fabric_modules[%zu]", idx);
	if (!json_object_is_type(f, json_type_object))
		return lio_fail(c, "%s is not an object", where);
	rc = lio_str(c, f, where, "name", true, &name);
	if (!rc)
		rc = lio_bool(c, f, where, "discovery_enable_auth", false, &enable);
	if (rc)
		return rc;
	if (strcmp(name, "iscsi"))
		return lio_note(c, "fabric module %s: discovery authentication not carried: porticod "
				"serves iSCSI only", name);
	if (!enable)
		return 0;
	g = cfg_member(config_root_setting(cfg), "discovery_auth", CONFIG_TYPE_GROUP);
	if (!g)
		return -ENOMEM;
	static const char *const keys[][2] = {
		{ "discovery_userid", "userid" },
		{ "discovery_password", "password" },
		{ "discovery_mutual_userid", "mutual_userid" },
		{ "discovery_mutual_password", "mutual_password" },
	};
	for (size_t i = 0; !rc && i < sizeof(keys) / sizeof(keys[0]); i++) {
		rc = lio_str(c, f, where, keys[i][0], false, &v);
		if (!rc && v && v[0])
			rc = cfg_set_string(g, keys[i][1], v);
	}
	return rc;
}

/* ---- the file ---- */

bool lio_import_detect(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
			continue;
		return text[i] == '{';
	}
	return false;
}

static int lio_parse_json(struct lio_ctx *c, const char *text, size_t len,
			  struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error e;
	size_t end;

	*out = NULL;
	if (len > INT32_MAX)
		return lio_fail(c, "the file is too large for a targetcli configuration");
	if (memchr(text, '\0', len))
		return lio_fail(c, "the file holds a NUL byte: not targetcli's JSON");
	tok = json_tokener_new_ex(LIO_JSON_DEPTH);
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || e != json_tokener_success) {
		json_object_put(root);
		return lio_fail(c, "not JSON (byte %zu: %s)", end,
				e == json_tokener_continue ? "the file ends early" :
							     json_tokener_error_desc(e));
	}
	for (; end < len; end++)
		if (text[end] != ' ' && text[end] != '\t' && text[end] != '\n' && text[end] != '\r') {
			json_object_put(root);
			return lio_fail(c, "not JSON: more after the object, at byte %zu", end);
		}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return lio_fail(c, "not targetcli's configuration: the top is not an object");
	}
	*out = root;
	return 0;
}

int lio_import(const char *text, size_t len, config_t *cfg, struct lio_notes *notes, char *err,
	       size_t errlen)
{
	struct lio_ctx c = { .notes = notes, .err = err, .errlen = errlen };
	struct json_object *root, *sos, *targets, *fabrics;
	config_setting_t *bl, *tl;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = lio_parse_json(&c, text, len, &root);
	if (rc)
		return rc;
	rc = lio_member(&c, root, "the file", "storage_objects", json_type_array, false, &sos);
	if (!rc)
		rc = lio_member(&c, root, "the file", "targets", json_type_array, false, &targets);
	if (!rc)
		rc = lio_member(&c, root, "the file", "fabric_modules", json_type_array, false,
				&fabrics);
	if (!rc && !sos && !targets)
		rc = lio_fail(&c, "not targetcli's configuration: no storage_objects and no targets");
	if (!rc) {
		json_object_object_foreach(root, key, v)
		{
			(void)v;
			if (strcmp(key, "storage_objects") && strcmp(key, "targets") &&
			    strcmp(key, "fabric_modules"))
				rc = lio_note(&c, "the file: '%s' not known to this import, not carried",
					      key);
			if (rc)
				break;
		}
	}
	if (!rc)
		rc = cfg_add(config_root_setting(cfg), "backstores", CONFIG_TYPE_LIST, &bl);
	for (size_t i = 0; !rc && sos && i < json_object_array_length(sos); i++)
		rc = lio_storage_object(&c, json_object_array_get_idx(sos, i), i, bl);
	if (!rc)
		rc = cfg_add(config_root_setting(cfg), "targets", CONFIG_TYPE_LIST, &tl);
	for (size_t i = 0; !rc && targets && i < json_object_array_length(targets); i++)
		rc = lio_target(&c, json_object_array_get_idx(targets, i), i, tl);
	for (size_t i = 0; !rc && fabrics && i < json_object_array_length(fabrics); i++)
		rc = lio_fabric(&c, json_object_array_get_idx(fabrics, i), i, cfg);
	if (rc == -EINVAL && err && errlen && !err[0])
		lio_fail(&c, "cannot convert the file");
	free(c.so);
	json_object_put(root);
	return rc;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control operations (docs/control-protocol.md, "Verbs"): dispatch,
 * arguments, the queries (get, status, version), the verbs on the whole
 * configuration (saveconfig, restoreconfig, clearconfig), and how a change
 * is committed (ctl_int.h). Runs on the control thread, the only writer of
 * the model.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/ev.h"
#include "common/iscsi_name.h"
#include "common/log.h"
#include "common/util.h"
#include "target/backstore/bs_kind.h"
#include "target/model/config.h"
#include "target/model/lio_import.h"
#include "target/model/obj_alua.h"
#include "target/model/obj_settings.h"
#include "target/ctl/ctl_int.h"
#include "target/iscsi/authguard.h"
#include "target/iscsi/iscsi.h"
#include "target/scsi/scsi.h"

#define COMP "control"

/* ---- replies and arguments ---- */

int ctl_fail(struct ctl_op *op, int err, const char *hint, const char *fmt, ...)
{
	va_list ap;

	if (op->out->err)
		return op->out->err; /* the first failure is the one to report */
	op->out->err = err < 0 ? err : -err;
	va_start(ap, fmt);
	vsnprintf(op->out->message, sizeof(op->out->message), fmt, ap);
	va_end(ap);
	snprintf(op->out->hint, sizeof(op->out->hint), "%s", hint ? hint : "");
	return op->out->err;
}

void ctl_say(struct ctl_op *op, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!op->messages)
		op->messages = json_object_new_array();
	if (op->messages)
		json_object_array_add(op->messages, json_object_new_string(line));
}

const char *ctl_arg(const struct ctl_op *op, const char *key)
{
	struct json_object *v;

	if (!op->args || !json_object_object_get_ex(op->args, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

int ctl_arg_bool(struct ctl_op *op, const char *key, bool def, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	const char *v = ctl_arg(op, key);

	*out = def;
	if (!v)
		return 0;
	for (size_t i = 0; yes[i]; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return ctl_fail(op, -EINVAL, NULL, "%s='%s' is not a boolean: use true or false", key, v);
}

int ctl_arg_u64(struct ctl_op *op, const char *key, uint64_t max, uint64_t *out, bool *has)
{
	const char *v = ctl_arg(op, key);
	unsigned long long n = 0;
	char *end;

	if (has)
		*has = v != NULL;
	if (!v)
		return 0;
	errno = 0;
	if (*v >= '0' && *v <= '9')
		n = strtoull(v, &end, 10);
	if (!(*v >= '0' && *v <= '9') || errno || *end || n > max)
		return ctl_fail(op, -EINVAL, NULL, "%s='%s' is not a number from 0 to %llu", key, v,
				(unsigned long long)max);
	*out = n;
	return 0;
}

/*
 * Gives positional words ("_1", "_2", ...) the names the protocol assigns
 * them at this node (docs/control-protocol.md), into op->args. A word given
 * both ways, or more words than names, is EINVAL.
 */
static int ctl_args_name(struct ctl_op *op, const char *const *names)
{
	struct json_object *in = op->req->args, *args = json_object_new_object();

	if (!args)
		return ctl_fail(op, -ENOMEM, NULL, "out of memory");
	op->args = args;
	json_object_object_foreach(in, key, val)
	{
		const char *name = key;

		if (key[0] == '_') {
			char *end;
			long pos = strtol(key + 1, &end, 10);
			size_t n = 0;

			while (names && names[n])
				n++;
			if (*end || pos < 1 || (size_t)pos > n)
				return ctl_fail(op, -EINVAL, "'help' lists the arguments",
						"'%s' takes %zu word%s without a name here; '%s' is one too many",
						op->req->op, n, n == 1 ? "" : "s",
						json_object_get_string(val));
			name = names[pos - 1];
			if (json_object_object_get_ex(in, name, NULL))
				return ctl_fail(op, -EINVAL, NULL, "'%s' is given twice", name);
		}
		if (json_object_object_get_ex(args, name, NULL))
			return ctl_fail(op, -EINVAL, NULL, "'%s' is given twice", name);
		json_object_object_add(args, name, json_object_get(val));
	}
	/* targetcli's "wwn" for the IQN of /iscsi create and acls create */
	if ((op->node.type == CTL_NODE_ISCSI || op->node.type == CTL_NODE_ACLS) &&
	    json_object_object_get_ex(args, "wwn", NULL)) {
		if (json_object_object_get_ex(args, "iqn", NULL))
			return ctl_fail(op, -EINVAL, NULL, "the IQN is given twice");
		json_object_object_add(args, "iqn", json_object_get(json_object_object_get(args, "wwn")));
		json_object_object_del(args, "wwn");
	}
	/*
	 * targetcli's "file_or_dev" for the path of /backstores/fileio create:
	 * at a file backstore it can only be the file (a block device has its
	 * own kind here, which takes "dev" as targetcli's block does).
	 */
	if (op->node.type == CTL_NODE_BS_TYPE && !strcmp(op->node.bs_type, "file") &&
	    json_object_object_get_ex(args, "file_or_dev", NULL)) {
		if (json_object_object_get_ex(args, "file", NULL))
			return ctl_fail(op, -EINVAL, NULL, "the file is given twice (file and file_or_dev)");
		json_object_object_add(args, "file",
				       json_object_get(json_object_object_get(args, "file_or_dev")));
		json_object_object_del(args, "file_or_dev");
	}
	return 0;
}

/* A typo must not pass silently. */
int ctl_args_only(struct ctl_op *op, const char *const *allowed)
{
	json_object_object_foreach(op->args, key, val)
	{
		size_t i;

		(void)val;
		for (i = 0; allowed && allowed[i]; i++)
			if (!strcmp(allowed[i], key))
				break;
		if (!allowed || !allowed[i]) {
			char list[512] = "";
			size_t len = 0;

			/*
			 * "group" is set's first word (the group's name), never a
			 * KEY=VALUE: the list names what may stand left of an '='.
			 */
			for (i = 0; allowed && allowed[i] && len < sizeof(list); i++)
				if (strcmp(allowed[i], "group"))
					len += (size_t)snprintf(list + len, sizeof(list) - len,
								"%s%s", len ? ", " : "",
								allowed[i]);
			return ctl_fail(op, -EINVAL, list[0] ? NULL : "it takes no arguments",
					"'%s' at %s takes no argument '%s'%s%s%s", op->req->op,
					op->req->path, key, list[0] ? " (it takes: " : "",
					list[0] ? list : "", list[0] ? ")" : "");
		}
	}
	return 0;
}

/*
 * The names positional words take, by verb and node (docs/control-protocol.md);
 * a backstore kind's into bs (cap entries).
 */
static const char *const *ctl_positional(const char *verb, enum ctl_node_type t,
					 const char *bs_type, const char **bs, size_t cap)
{
	static const char *const iqn[] = { "iqn", NULL };
	static const char *const tag[] = { "tag", NULL };
	static const char *const portal[] = { "ip_address", "ip_port", NULL };
	static const char *const lun[] = { "storage_object", "lun", "add_mapped_luns", NULL };
	static const char *const acl[] = { "iqn", "add_mapped_luns", NULL };
	static const char *const mapped[] = { "mapped_lun", "tpg_lun_or_backstore", "write_protect",
					      NULL };
	static const char *const group[] = { "group", NULL };
	static const char *const file[] = { "file", NULL };
	static const char *const restore[] = { "file", "clear_existing", "check", NULL };
	static const char *const gateway[] = { "gateway", NULL };

	if (!strcmp(verb, "create")) {
		switch (t) {
		case CTL_NODE_BS_TYPE:
			obj_bs_create_args(bs_kind_find(bs_type), true, bs, cap);
			return bs;
		case CTL_NODE_ISCSI:
			return iqn;
		case CTL_NODE_TARGET:
			return tag;
		case CTL_NODE_PORTALS:
			return portal;
		case CTL_NODE_LUNS:
			return lun;
		case CTL_NODE_ACLS:
			return acl;
		case CTL_NODE_ACL:
			return mapped;
		default:
			return NULL;
		}
	}
	if (!strcmp(verb, "set"))
		return group;
	if (!strcmp(verb, "saveconfig"))
		return file;
	if (!strcmp(verb, "restoreconfig"))
		return restore;
	if (!strcmp(verb, "move"))
		return gateway;
	return NULL;
}

/* ---- the live state ---- */

unsigned int ctl_bs_sessions(const struct obj_backstore *b)
{
	/* the model holds one reference; every LUN map that shows the LU one more */
	unsigned int refs = b->lu ? scsi_lu_refs(b->lu) : 0;

	return refs > 1 ? refs - 1 : 0;
}

static unsigned int ctl_live_bs_sessions(void *arg, const struct obj_backstore *b)
{
	(void)arg;
	return ctl_bs_sessions(b);
}

/* Whether initiator's LUN map through tpg shows TPG LUN tpg_lun (UINT64_MAX: any LUN). */
static bool ctl_sees(const struct obj_tpg *tpg, const char *initiator, uint64_t tpg_lun)
{
	const struct obj_acl *acl = obj_find_acl(tpg, initiator);

	if (!acl)
		return tpg->attrs.generate_node_acls;
	if (acl->all_luns || tpg_lun == UINT64_MAX)
		return true;
	for (size_t i = 0; i < acl->nmapped; i++)
		if (acl->mapped[i].tpg_lun == tpg_lun)
			return true;
	return false;
}

unsigned int ctl_tpg_sessions(const struct obj_tpg *tpg, const char *initiator, uint64_t tpg_lun)
{
	struct iscsi_session_info *s = NULL;
	size_t n = iscsi_session_list(NULL, 0), got;
	unsigned int count = 0;

	if (n) {
		s = calloc(n, sizeof(*s));
		/* without memory, count every session of the TPG: refuse rather than cut one off */
		if (!s)
			return 1;
	}
	got = n ? iscsi_session_list(s, n) : 0;
	for (size_t i = 0; i < MIN(n, got); i++) {
		if (s[i].discovery || s[i].tpg_tag != tpg->tag ||
		    !iscsi_name_equal(s[i].target, tpg->target->iqn))
			continue;
		if (initiator && !iscsi_name_equal(s[i].initiator, initiator))
			continue;
		if (ctl_sees(tpg, s[i].initiator, tpg_lun))
			count++;
	}
	free(s);
	return count;
}

/* ---- committing a change ---- */

int ctl_edit_begin(struct ctl_op *op, config_t *cfg)
{
	config_init(cfg);
	if (config_build(op->m, cfg)) {
		config_destroy(cfg);
		return ctl_fail(op, -ENOMEM, NULL, "out of memory");
	}
	return 0;
}

void ctl_auto_save(struct ctl_op *op)
{
	struct obj_model *m = op->host->ops->model(op->host->arg);
	struct cfg_err err = { { 0 } };

	if (!m->auto_save || !m->path[0])
		return;
	if (config_save(m, m->path, CONFIG_SAVE_KEEP, &err)) {
		log_err(COMP, "the change is live but was not saved: %s", err.msg);
		ctl_say(op, "Warning: the change is live but was NOT saved: %s", err.msg);
	}
}

/* Serves m (open) instead of the current model, and passes the change on. */
int ctl_serve(struct ctl_op *op, struct obj_model *m)
{
	char err[512] = "";

	/* a portal that cannot be bound was refused before: what fails here is logged */
	if (op->host->ops->replace_model(op->host->arg, m, err, sizeof(err)))
		log_warn(COMP, "%s", err);
	op->m = op->host->ops->model(op->host->arg);
	ctl_auto_save(op);
	return 0;
}

int ctl_edit_commit(struct ctl_op *op, config_t *cfg)
{
	struct cfg_err err = { { 0 } };
	struct obj_model *m = NULL;
	char *doc = NULL;
	size_t doclen = 0;
	int rc;

	/* in a gateway group: what the change does to the group's shared part */
	rc = ctl_gconf_changed(op, cfg, &doc, &doclen);
	if (!rc)
		rc = config_parse_cfg(cfg, op->m->path, &m, &err);
	config_destroy(cfg);
	if (rc) {
		free(doc);
		return ctl_fail(op, rc, NULL, "%s", err.msg[0] ? err.msg : strerror(-rc));
	}
	rc = config_open_reuse(m, op->m, &err);
	if (rc) {
		obj_model_free(m);
		free(doc);
		return ctl_fail(op, rc, NULL, "%s", err.msg[0] ? err.msg : strerror(-rc));
	}
	/* valid here: every other gateway must agree before it is served anywhere */
	if (doc) {
		rc = ctl_gconf_propose(op, doc, doclen);
		free(doc);
		if (rc) {
			obj_model_free(m);
			return rc;
		}
	}
	return ctl_serve(op, m);
}

/* ---- queries ---- */

static int ctl_get(struct ctl_op *op)
{
	static const char *const keys[] = { "depth", NULL };
	struct ctl_tree_live live = { .bs_sessions = ctl_live_bs_sessions };
	uint64_t depth = 0;
	bool has;
	int rc;

	rc = ctl_args_only(op, keys);
	if (!rc)
		rc = ctl_arg_u64(op, "depth", 64, &depth, &has);
	if (rc)
		return rc;
	op->out->result = ctl_tree_render(op->m, &op->node, has ? (int)depth : -1, &live);
	if (!op->out->result)
		return ctl_fail(op, -ENOMEM, NULL, "out of memory");
	return 0;
}

static int64_t ctl_atomic64(const uint64_t *p)
{
	return (int64_t)__atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * What the transport may use and uses: "connections", "io_memory",
 * "send_timeout_s", "send_timeouts".
 */
static void ctl_status_limits(struct ctl_op *op, struct json_object *r)
{
	const struct iscsi_limits *l = op->host->ops->limits ?
					       op->host->ops->limits(op->host->arg) :
					       NULL;
	struct json_object *o;

	if (!l || !(o = json_object_new_object()))
		return;
	json_object_object_add(o, "open", json_object_new_int64(iscsi_limits_connections(l, NULL)));
	json_object_object_add(o, "max", json_object_new_int64(__atomic_load_n(&l->max_connections,
									  __ATOMIC_RELAXED)));
	json_object_object_add(o, "max_per_address",
			       json_object_new_int64(__atomic_load_n(&l->max_connections_per_address,
								     __ATOMIC_RELAXED)));
	json_object_object_add(o, "refused",
			       json_object_new_int64(ctl_atomic64(&l->connections_refused)));
	json_object_object_add(r, "connections", o);
	o = json_object_new_object();
	if (!o)
		return;
	json_object_object_add(o, "limit", json_object_new_int64(ctl_atomic64(&l->io_memory)));
	json_object_object_add(o, "session_limit",
			       json_object_new_int64(ctl_atomic64(&l->session_io_memory)));
	json_object_object_add(o, "used", json_object_new_int64(ctl_atomic64(&l->io_memory_used)));
	json_object_object_add(o, "peak", json_object_new_int64(ctl_atomic64(&l->io_memory_peak)));
	json_object_object_add(o, "commands_waited",
			       json_object_new_int64(ctl_atomic64(&l->commands_waited)));
	json_object_object_add(r, "io_memory", o);
	json_object_object_add(r, "send_timeout_s",
			       json_object_new_int((int)(__atomic_load_n(&l->send_timeout_ms,
									  __ATOMIC_RELAXED) /
							  1000)));
	json_object_object_add(r, "send_timeouts",
			       json_object_new_int64(ctl_atomic64(&l->send_timeouts)));
}

/*
 * The auth guard: "auth_guard": {"enabled", "failures", "lockouts",
 * "refused", "runs": [{"initiator" and "target" (or "discovery": true),
 * or "address"; "failures", "refused", "locked_s", "last_s"}, ...]},
 * locked ones first.
 */
static void ctl_status_guard(struct ctl_op *op, struct json_object *r)
{
	struct authguard *g = op->host->ops->auth_guard ?
				      op->host->ops->auth_guard(op->host->arg) :
				      NULL;
	struct json_object *o, *runs;
	struct authguard_info *info = NULL;
	struct authguard_policy p;
	struct authguard_stats st;
	int64_t now = ev_now_ms();
	size_t n, got;

	if (!g || !(o = json_object_new_object()))
		return;
	authguard_get_policy(g, &p);
	authguard_get_stats(g, &st);
	json_object_object_add(o, "enabled", json_object_new_boolean(p.enabled));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)st.failures));
	json_object_object_add(o, "lockouts", json_object_new_int64((int64_t)st.lockouts));
	json_object_object_add(o, "refused", json_object_new_int64((int64_t)st.refused));
	runs = json_object_new_array();
	n = authguard_list(g, now, NULL, 0);
	if (n && !(info = calloc(n, sizeof(*info))))
		n = 0;
	got = n ? MIN(n, authguard_list(g, now, info, n)) : 0;
	for (size_t i = 0; runs && i < got; i++) {
		struct json_object *e = json_object_new_object();

		if (!e)
			continue;
		json_object_object_add(e, info[i].address ? "address" : "initiator",
				       json_object_new_string(info[i].key));
		if (!info[i].address && info[i].target[0])
			json_object_object_add(e, "target", json_object_new_string(info[i].target));
		else if (!info[i].address)
			json_object_object_add(e, "discovery", json_object_new_boolean(true));
		json_object_object_add(e, "failures", json_object_new_int((int)info[i].failures));
		json_object_object_add(e, "refused", json_object_new_int((int)info[i].refused));
		json_object_object_add(e, "locked_s",
				       json_object_new_int64((info[i].locked_ms + 999) / 1000));
		json_object_object_add(e, "last_s", json_object_new_int64(info[i].last_ms / 1000));
		json_object_array_add(runs, e);
	}
	free(info);
	json_object_object_add(o, "runs", runs);
	json_object_object_add(r, "auth_guard", o);
}

static int ctl_status(struct ctl_op *op)
{
	struct json_object *r = json_object_new_object(), *list = json_object_new_array();
	struct iscsi_session_info *s = NULL;
	size_t n = iscsi_session_list(NULL, 0), got = 0;
	int rc = ctl_args_only(op, NULL);

	if (rc || !r || !list)
		goto out;
	if (n && !(s = calloc(n, sizeof(*s)))) {
		rc = ctl_fail(op, -ENOMEM, NULL, "out of memory");
		goto out;
	}
	got = n ? MIN(n, iscsi_session_list(s, n)) : 0;
	for (size_t i = 0; i < got; i++) {
		struct json_object *o = json_object_new_object();

		if (!o)
			continue;
		json_object_object_add(o, "initiator", json_object_new_string(s[i].initiator));
		json_object_object_add(o, "target", json_object_new_string(s[i].target));
		json_object_object_add(o, "type",
				       json_object_new_string(s[i].discovery ? "discovery" : "normal"));
		json_object_object_add(o, "portal", json_object_new_string(s[i].portal));
		json_object_object_add(o, "peer", json_object_new_string(s[i].peer));
		json_object_object_add(o, "tpg", json_object_new_int(s[i].tpg_tag));
		json_object_object_add(o, "tsih", json_object_new_int(s[i].tsih));
		json_object_object_add(o, "luns", json_object_new_int((int)s[i].luns));
		json_object_object_add(o, "io_memory", json_object_new_int64((int64_t)s[i].io_memory));
		json_object_object_add(o, "waiting", json_object_new_int((int)s[i].waiting));
		json_object_array_add(list, o);
	}
	json_object_object_add(r, "porticod", json_object_new_string(PORTICOD_VERSION));
	json_object_object_add(r, "uptime_s",
			       json_object_new_int64((int64_t)(time(NULL) - op->host->ops->started(op->host->arg))));
	json_object_object_add(r, "io_threads",
			       json_object_new_int((int)op->host->ops->io_threads(op->host->arg)));
	json_object_object_add(r, "config", json_object_new_string(op->m->path));
	json_object_object_add(r, "auto_save", json_object_new_boolean(op->m->auto_save));
	ctl_status_limits(op, r);
	ctl_status_guard(op, r);
	json_object_object_add(r, "sessions", list);
	list = NULL;
	op->out->result = r;
	r = NULL;
out:
	free(s);
	json_object_put(list);
	json_object_put(r);
	if (!rc && !op->out->result)
		rc = ctl_fail(op, -ENOMEM, NULL, "out of memory");
	return rc;
}

static int ctl_version(struct ctl_op *op)
{
	struct json_object *r = json_object_new_object();

	if (!r)
		return ctl_fail(op, -ENOMEM, NULL, "out of memory");
	json_object_object_add(r, "protocol", json_object_new_int(CTL_VERSION));
	json_object_object_add(r, "porticod", json_object_new_string(PORTICOD_VERSION));
	op->out->result = r;
	return ctl_args_only(op, NULL);
}

/* ---- the whole configuration ---- */

static int ctl_saveconfig(struct ctl_op *op)
{
	static const char *const keys[] = { "file", NULL };
	const char *file = ctl_arg(op, "file");
	struct cfg_err err = { { 0 } };
	int rc = ctl_args_only(op, keys);

	if (rc)
		return rc;
	if (!file || !file[0])
		file = op->m->path;
	if (!file[0])
		return ctl_fail(op, -EINVAL, "saveconfig file=/etc/portico/porticod.conf",
				"porticod was started without a configuration file: name one");
	if (file[0] != '/')
		return ctl_fail(op, -EINVAL, NULL, "file '%s' must be an absolute path", file);
	rc = config_save(op->m, file, CONFIG_SAVE_KEEP, &err);
	if (rc)
		return ctl_fail(op, rc, NULL, "%s", err.msg);
	ctl_say(op, "Configuration saved to %s", file);
	return 0;
}

/* A model with the daemon's own settings and nothing else. */
static struct obj_model *ctl_empty_model(const struct obj_model *m)
{
	struct obj_model *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	memcpy(e->path, m->path, sizeof(e->path));
	obj_globals_foreach(r)
		obj_global_copy(r, e, m);
	return e;
}

static int ctl_clearconfig(struct ctl_op *op)
{
	static const char *const keys[] = { "confirm", NULL };
	struct obj_model *e;
	bool confirm;
	int rc = ctl_args_only(op, keys);

	if (!rc)
		rc = ctl_arg_bool(op, "confirm", false, &confirm);
	if (rc)
		return rc;
	if (!confirm)
		return ctl_fail(op, -EINVAL, "clearconfig confirm=true",
				"clearconfig removes every target and backstore: confirm it");
	e = ctl_empty_model(op->m);
	if (!e)
		return ctl_fail(op, -ENOMEM, NULL, "out of memory");
	ctl_serve(op, e);
	ctl_say(op, "All configuration cleared");
	return 0;
}

/* What a targetcli import does not carry over, one line each, before it is applied. */
static void ctl_lio_notes(struct ctl_op *op, const char *file, const struct lio_notes *notes)
{
	if (!notes->n) {
		ctl_say(op, "%s is targetcli's configuration: every setting carried over", file);
		return;
	}
	ctl_say(op, "%s is targetcli's configuration: %zu note%s on what is not carried over as it is:",
		file, notes->n, notes->n == 1 ? "" : "s");
	for (size_t i = 0; i < notes->n; i++)
		ctl_say(op, "  %s", notes->line[i]);
}

static int ctl_restoreconfig(struct ctl_op *op)
{
	static const char *const keys[] = { "file", "clear_existing", "check", NULL };
	const char *file = ctl_arg(op, "file");
	struct cfg_err err = { { 0 } };
	struct lio_notes notes = { 0 };
	struct obj_model *m = NULL;
	bool clear, check, lio;
	int rc = ctl_args_only(op, keys);

	if (!rc)
		rc = ctl_arg_bool(op, "clear_existing", false, &clear);
	if (!rc)
		rc = ctl_arg_bool(op, "check", false, &check);
	if (rc)
		return rc;
	char own[sizeof(op->m->path)];

	/*
	 * A copy: the served model, and the path in it, is freed once the
	 * restored one is served, before the message names the file.
	 */
	if (!file || !file[0]) {
		memcpy(own, op->m->path, sizeof(own));
		file = own;
	}
	if (!file[0] || file[0] != '/')
		return ctl_fail(op, -EINVAL, "restoreconfig file=/etc/portico/porticod.conf",
				"restoreconfig needs an absolute file path");
	if ((op->m->nbackstores || op->m->ntargets) && !clear && !check)
		return ctl_fail(op, -EEXIST,
				"restoreconfig clear_existing=true replaces it; saveconfig keeps it first",
				"a configuration is served");
	/*
	 * A file that does not load leaves everything as it is: nothing is
	 * half-restored. targetcli's saveconfig.json is converted whole first
	 * (lio_import.h); what it cannot carry is said before it is applied.
	 */
	rc = config_parse_any(file, &m, &notes, &lio, &err);
	if (lio && !rc)
		ctl_lio_notes(op, file, &notes);
	lio_notes_fini(&notes);
	if (rc)
		return ctl_fail(op, rc, "the served configuration and its file are unchanged", "%s",
				err.msg);
	if (check) {
		obj_model_free(m);
		ctl_say(op, "Nothing applied (check=true): %s would be restored as above", file);
		return 0;
	}
	/* What cannot change while porticod runs stays; the daemon's file stays its file. */
	memcpy(m->path, op->m->path, sizeof(m->path));
	obj_globals_foreach(r)
		if (r->at_start)
			obj_global_copy(r, m, op->m);
	rc = config_open_reuse(m, op->m, &err);
	if (rc) {
		obj_model_free(m);
		return ctl_fail(op, rc, "the served configuration and its file are unchanged", "%s",
				err.msg);
	}
	ctl_serve(op, m);
	ctl_say(op, "Configuration restored from %s", file);
	return 0;
}

/* ---- the live verbs on a backstore ---- */

/* move's answer to an rbd LU's ownership move (bs_ops.owner_move), in the administrator's words. */
static int ctl_move_answer(struct ctl_op *op, const struct obj_backstore *b,
			   const struct bs_owner_info *oi, const char *to, int rc)
{
	switch (rc) {
	case 0:
		ctl_say(op, "Asked: '%s' moves from %s to gateway '%s' of group '%s'; 'info' shows the owner",
			b->name, oi->owner[0] ? oi->owner : "no known owner", to, oi->group);
		return 0;
	case 1:
		if (!strcmp(oi->owner, to))
			ctl_say(op, "Nothing to do: gateway '%s' owns '%s' already", to, b->name);
		else
			ctl_say(op, "Nothing to do: a move of '%s' to gateway '%s' is under way", b->name,
				to);
		return 0;
	case -ENOENT:
		return ctl_fail(op, rc, "'info' lists the group's gateways and their port groups",
				"no live gateway '%s' in group '%s'", to, oi->group);
	case -EBUSY:
		return ctl_fail(op, rc, "ask again once 'info' shows it done",
				"a move or a takeover of '%s' is under way (owner '%s', this gateway %s)",
				b->name, oi->owner, oi->state);
	case -ESHUTDOWN:
		return ctl_fail(op, rc, "ask another gateway of the group",
				"gateway '%s' is fenced out of group '%s': it cannot move '%s'",
				oi->gateway, oi->group, b->name);
	case -EINVAL:
		return ctl_fail(op, rc, NULL, "'%s' is not a gateway's name", to);
	default:
		return ctl_fail(op, rc, NULL, "cannot move '%s' to '%s': %s", b->name, to,
				strerror(rc < 0 ? -rc : rc));
	}
}

/*
 * move: an rbd LU's ownership to a named gateway of its group, asked on
 * any of its gateways (docs/gateway-group.md, "Moving an LU"). It answers
 * once the move is asked, not once it is done: the control thread serves
 * every request, and a hand-over takes a renewal period or two; 'info'
 * shows the owner.
 */
static int ctl_move(struct ctl_op *op)
{
	static const char *const keys[] = { "gateway", NULL };
	const char *to = ctl_arg(op, "gateway");
	struct obj_backstore *b = op->node.bs;
	struct bs_owner_info *oi;
	int rc = ctl_args_only(op, keys), moved;

	if (rc)
		return rc;
	if (op->node.type != CTL_NODE_BACKSTORE || !b)
		return ctl_fail(op, -EINVAL, "/backstores/rbd/NAME move GATEWAY",
				"'move' moves an rbd backstore's ownership: '%s' is no backstore",
				op->req->path);
	if (!to || !to[0])
		return ctl_fail(op, -EINVAL, "move GATEWAY",
				"'move' needs the gateway to move '%s' to", b->name);
	if (!b->dev || !b->dev->ops || !b->dev->ops->owner_move || !b->dev->ops->owner)
		return ctl_fail(op, -EOPNOTSUPP, NULL,
				"'%s' is a %s backstore: only an rbd backstore in a gateway group has an owner to move",
				b->name, b->type);
	oi = calloc(1, sizeof(*oi));
	if (!oi)
		return ctl_fail(op, -ENOMEM, NULL, "out of memory");
	if (!b->dev->ops->owner(b->dev, oi)) {
		free(oi);
		return ctl_fail(op, -EOPNOTSUPP, "gateway_group and gateway_name in porticod.conf",
				"rbd backstore '%s' is in no gateway group: it has no owner to move",
				b->name);
	}
	moved = b->dev->ops->owner_move(b->dev, to);
	if (moved == -EOPNOTSUPP)
		rc = ctl_fail(op, moved, NULL, "rbd backstore '%s' is in no gateway group", b->name);
	else
		rc = ctl_move_answer(op, b, oi, to, moved);
	if (moved == 0)
		log_info(COMP, "move %s to '%s': asked", op->req->path, to);
	free(oi);
	return rc;
}

/* ---- dispatch ---- */

/*
 * The live ALUA states into the served model (obj_alua.h), before a request
 * reads it or builds a change from it: SET TARGET PORT GROUPS changes them
 * outside the control thread. Whether any changed.
 */
bool ctl_alua_pull(const struct ctl_host *host)
{
	bool changed;

	host->ops->model_lock(host->arg);
	changed = obj_alua_pull(host->ops->model(host->arg));
	host->ops->model_unlock(host->arg);
	return changed;
}

void ctl_ops_alua_changed(const struct ctl_host *host)
{
	struct ctl_reply out;
	struct ctl_op op = { .host = host, .out = &out };

	memset(&out, 0, sizeof(out));
	if (!ctl_alua_pull(host))
		return;
	log_info(COMP, "ALUA states changed by SET TARGET PORT GROUPS: kept in the configuration");
	ctl_auto_save(&op);
	json_object_put(op.messages);
}

void ctl_ops_handle(const struct ctl_host *host, const struct ctl_request *req,
		    struct ctl_reply *out)
{
	static const char *const root_only[] = { "saveconfig", "restoreconfig", "clearconfig",
						  "status", "version", NULL };
	struct ctl_op op = { .host = host, .req = req, .out = out };
	const char *bs_words[OBJ_SETTINGS_MAX];
	char why[512];
	int rc;

	memset(out, 0, sizeof(*out));
	op.m = host->ops->model(host->arg);
	ctl_alua_pull(host);
	rc = ctl_tree_resolve(op.m, req->path, &op.node, why, sizeof(why));
	if (rc) {
		ctl_fail(&op, rc, rc == -ENOENT ? "'ls' shows what there is" : NULL, "%s", why);
		return;
	}
	for (size_t i = 0; root_only[i]; i++)
		if (!strcmp(req->op, root_only[i]) && op.node.type != CTL_NODE_ROOT) {
			ctl_fail(&op, -EINVAL, NULL, "'%s' is a verb of the root, '/'", req->op);
			return;
		}
	rc = ctl_args_name(&op, ctl_positional(req->op, op.node.type, op.node.bs_type, bs_words,
					       ARRAY_SIZE(bs_words)));
	if (!rc && (!strcmp(req->op, "create") || !strcmp(req->op, "delete") ||
		    !strcmp(req->op, "set") || !strcmp(req->op, "restoreconfig") ||
		    !strcmp(req->op, "clearconfig")))
		rc = ctl_gconf_refuse(&op);
	if (rc)
		goto out;

	if (!strcmp(req->op, "get"))
		rc = ctl_get(&op);
	else if (!strcmp(req->op, "status"))
		rc = ctl_status(&op);
	else if (!strcmp(req->op, "version"))
		rc = ctl_version(&op);
	else if (!strcmp(req->op, "create"))
		rc = ctl_create(&op);
	else if (!strcmp(req->op, "delete"))
		rc = ctl_delete(&op);
	else if (!strcmp(req->op, "set"))
		rc = ctl_set(&op);
	else if (!strcmp(req->op, "saveconfig"))
		rc = ctl_saveconfig(&op);
	else if (!strcmp(req->op, "restoreconfig"))
		rc = ctl_restoreconfig(&op);
	else if (!strcmp(req->op, "clearconfig"))
		rc = ctl_clearconfig(&op);
	else if (!strcmp(req->op, "move"))
		rc = ctl_move(&op);
	else
		rc = ctl_fail(&op, -EOPNOTSUPP, "'help' lists the verbs", "no verb '%s'", req->op);

	if (!rc && !out->result && (op.messages || op.new_path[0])) {
		out->result = json_object_new_object();
		if (out->result && op.messages) {
			json_object_object_add(out->result, "messages", op.messages);
			op.messages = NULL;
		}
		if (out->result && op.new_path[0])
			json_object_object_add(out->result, "path",
					       json_object_new_string(op.new_path));
	}
	if (!rc && (!strcmp(req->op, "create") || !strcmp(req->op, "delete") ||
		    !strcmp(req->op, "set") || !strcmp(req->op, "restoreconfig") ||
		    !strcmp(req->op, "clearconfig")))
		log_info(COMP, "%s %s: done", req->op, req->path);
out:
	json_object_put(op.messages);
	json_object_put(op.args);
	if (rc && out->result) {
		json_object_put(out->result);
		out->result = NULL;
	}
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pathd's libvirt pools: the daemon's side and the control verbs (initiator/pathd/virt_ctl.h). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/ctl.h"
#include "common/ev.h"
#include "common/util.h"
#include "initiator/pathd/pathd_int.h"
#include "initiator/pathd/virt_ctl.h"
#include "initiator/pathd/virt_sync.h"

/* The state machine's views now, for the plan. */
static int vc_views(void *arg, struct virt_views *out)
{
	struct pathd *pd = arg;
	size_t nm = mp_sm_maps(pd->sm, NULL, 0), np = mp_sm_paths(pd->sm, NULL, 0);
	size_t nl = mp_sm_links(pd->sm, NULL, 0);
	struct mp_map_view *m = calloc(nm + 1, sizeof(*m));
	struct mp_path_view *p = calloc(np + 1, sizeof(*p));
	struct mp_link_view *l = calloc(nl + 1, sizeof(*l));

	if (!m || !p || !l) {
		free(m);
		free(p);
		free(l);
		return -ENOMEM;
	}
	out->maps = m;
	out->nmaps = MIN(mp_sm_maps(pd->sm, m, nm), nm);
	out->paths = p;
	out->npaths = MIN(mp_sm_paths(pd->sm, p, np), np);
	out->links = l;
	out->nlinks = MIN(mp_sm_links(pd->sm, l, nl), nl);
	return 0;
}

static void vc_views_free(struct virt_views *v)
{
	free((void *)v->maps);
	free((void *)v->paths);
	free((void *)v->links);
}

int virt_pathd_start(struct pathd *pd, char *err, size_t errlen)
{
	struct virt_sync_env env = {
		.loop = pd->loop,
		.ops = pd->env.virt,
		.ops_arg = pd->env.virt_arg,
		/* in pd->conf, which reconfigure fills anew in place */
		.conf = &pd->conf.virt,
		.views = vc_views,
		.arg = pd,
	};

	if (!pd->env.virt)
		return 0;
	return virt_sync_create(&env, &pd->virt, err, errlen);
}

/* ---- answers ---- */

static int vc_fail(struct ctl_reply *out, int err, const char *hint, const char *msg)
{
	out->err = err;
	snprintf(out->message, sizeof(out->message), "%s", msg);
	snprintf(out->hint, sizeof(out->hint), "%s", hint ? hint : "");
	return err;
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_bool(struct json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* The forms the request names (args "form"), or -EINVAL. */
static int vc_forms(const struct ctl_request *req, bool all_by_default, bool forms[VIRT_FORM_COUNT])
{
	struct json_object *v;
	const char *name;
	enum virt_form f;

	memset(forms, 0, sizeof(bool) * VIRT_FORM_COUNT);
	if (!req->args || !json_object_object_get_ex(req->args, "form", &v)) {
		for (int i = 0; i < VIRT_FORM_COUNT; i++)
			forms[i] = all_by_default || i == VIRT_FORM_MULTIPATH;
		return 0;
	}
	name = json_object_get_string(v);
	if (name && !strcmp(name, "all")) {
		for (int i = 0; i < VIRT_FORM_COUNT; i++)
			forms[i] = true;
		return 0;
	}
	if (!name || virt_form_parse(name, &f))
		return -EINVAL;
	forms[f] = true;
	return 0;
}

/* "dm-3" for the map named name, "" when /dev/mapper has no such device. */
static void vc_dm_name(const char *name, char *out, size_t len)
{
	char path[MP_MAP_NAME_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), VIRT_MAPPER_DIR "/%s", name);
	out[0] = '\0';
	if (!stat(path, &st) && S_ISBLK(st.st_mode))
		snprintf(out, len, "dm-%u", minor(st.st_rdev));
}

static bool vc_recorded(struct virt_sync *vs, const char *name, enum virt_form form)
{
	size_t n;
	const struct virt_record *r = virt_sync_records(vs, &n);

	for (size_t i = 0; i < n; i++)
		if (r[i].form == form && !strcmp(r[i].name, name))
			return true;
	return false;
}

static struct json_object *vc_refresh_json(struct virt_sync *vs)
{
	struct json_object *o = json_object_new_object();
	struct virt_refresh_view rv;

	virt_sync_refresh_view(vs, &rv);
	add_bool(o, "pending", rv.pending);
	add_bool(o, "running", rv.running);
	add_int(o, "count", rv.count);
	add_int(o, "last_ms", rv.last_ms);
	add_str(o, "error", rv.error);
	add_int(o, "failing_for_s",
		rv.failing_since ? (ev_now_ms() - rv.failing_since) / 1000 : 0);
	return o;
}

static int vc_show(struct pathd *pd, const struct ctl_request *req, struct ctl_reply *out)
{
	struct virt_sync *vs = pd->virt;
	struct json_object *r, *pools, *luns, *problems;
	struct virt_views v = { 0 };
	bool forms[VIRT_FORM_COUNT];
	const struct virt_record *recs;
	size_t nrecs;
	char *xml;
	int rc;

	if (vc_forms(req, false, forms))
		return vc_fail(out, -EINVAL, "form: multipath, iscsi or all", "no such form of pool");
	xml = malloc(VIRT_XML_MAX);
	if (!xml || vc_views(pd, &v)) {
		free(xml);
		return vc_fail(out, -ENOMEM, NULL, "out of memory");
	}
	recs = virt_sync_records(vs, &nrecs);
	r = json_object_new_object();
	pools = json_object_new_array();
	luns = json_object_new_array();
	problems = json_object_new_array();
	add_str(r, "uri", pd->conf.virt.uri);
	add_str(r, "state_file", pd->conf.virt.state);
	for (int f = 0; f < VIRT_FORM_COUNT; f++) {
		struct virt_plan p;

		if (!forms[f])
			continue;
		rc = virt_plan_make(&pd->conf.virt, (enum virt_form)f, &v, recs, nrecs, &p);
		if (rc) {
			virt_plan_free(&p);
			continue;
		}
		for (size_t i = 0; i < p.npools; i++) {
			struct json_object *o = json_object_new_object();
			const struct virt_pool_spec *s = &p.pools[i];

			add_str(o, "name", s->name);
			add_str(o, "form", virt_form_name(s->form));
			add_str(o, "type", s->form == VIRT_FORM_MULTIPATH ? "mpath" : "iscsi");
			add_str(o, "uuid", s->uuid);
			add_bool(o, "pathd", vc_recorded(vs, s->name, s->form));
			if (s->form == VIRT_FORM_ISCSI) {
				add_str(o, "host", s->host);
				add_int(o, "port", s->port);
				add_str(o, "target", s->target);
			}
			if (virt_xml_pool(s, xml, VIRT_XML_MAX) > 0)
				add_str(o, "xml", xml);
			json_object_array_add(pools, o);
		}
		for (size_t i = 0; f == VIRT_FORM_MULTIPATH && i < p.nluns; i++) {
			struct json_object *o = json_object_new_object();
			char path[MP_MAP_NAME_MAX + 16], dm[32];

			snprintf(path, sizeof(path), VIRT_MAPPER_DIR "/%s", p.luns[i].name);
			vc_dm_name(p.luns[i].name, dm, sizeof(dm));
			add_str(o, "name", p.luns[i].name);
			add_str(o, "wwid", p.luns[i].wwid);
			add_int(o, "size", (int64_t)p.luns[i].size);
			add_str(o, "path", path);
			add_str(o, "dm", dm);
			json_object_array_add(luns, o);
		}
		for (size_t i = 0; i < p.nproblems; i++)
			json_object_array_add(problems, json_object_new_string(p.problems[i]));
		virt_plan_free(&p);
	}
	json_object_object_add(r, "pools", pools);
	json_object_object_add(r, "luns", luns);
	json_object_object_add(r, "problems", problems);
	json_object_object_add(r, "refresh", vc_refresh_json(vs));
	vc_views_free(&v);
	free(xml);
	out->result = r;
	return 0;
}

static const char *const vc_job_types[] = {
	[VIRT_JOB_DEFINE] = "define",
	[VIRT_JOB_UNDEFINE] = "undefine",
	[VIRT_JOB_REFRESH] = "refresh",
};

static struct json_object *vc_lines(char (*lines)[VIRT_LINE_MAX], size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(lines[i]));
	return a;
}

static int vc_job(struct pathd *pd, const char *idtext, struct ctl_reply *out)
{
	struct json_object *r, *errs;
	struct virt_job_view v;
	char *end;
	unsigned long id = strtoul(idtext, &end, 10);
	int rc;

	if (!*idtext || *end || !id || id > 0xffffffffUL)
		return vc_fail(out, -ENOENT, NULL, "no such job");
	rc = virt_sync_job(pd->virt, (unsigned int)id, &v);
	if (rc == -ENOENT)
		return vc_fail(out, rc, "pathd keeps the last 16 jobs", "no such job");
	if (rc)
		return vc_fail(out, rc, NULL, "out of memory");
	r = json_object_new_object();
	add_int(r, "id", v.id);
	add_str(r, "type", vc_job_types[v.type]);
	add_bool(r, "done", v.done);
	add_str(r, "err", v.err ? ctl_errno_name(v.err) : "");
	add_int(r, "ms", v.ms);
	json_object_object_add(r, "lines", vc_lines(v.lines, v.nlines));
	json_object_object_add(r, "warnings", vc_lines(v.warnings, v.nwarnings));
	errs = json_object_new_array();
	for (size_t i = 0; i < v.nerrors; i++) {
		struct json_object *e = json_object_new_object();

		add_str(e, "text", v.errors[i].text);
		add_str(e, "hint", v.errors[i].hint);
		json_object_array_add(errs, e);
	}
	json_object_object_add(r, "errors", errs);
	virt_job_view_free(&v);
	out->result = r;
	return 0;
}

static int vc_change(struct pathd *pd, const struct ctl_request *req, bool define,
		     struct ctl_reply *out)
{
	bool forms[VIRT_FORM_COUNT];
	int id;

	if (vc_forms(req, !define, forms))
		return vc_fail(out, -EINVAL, "form: multipath, iscsi or all", "no such form of pool");
	id = define ? virt_sync_define(pd->virt, forms) : virt_sync_undefine(pd->virt, forms);
	if (id == -EBUSY)
		return vc_fail(out, id, "wait for the jobs under way (portico-path libvirt shows them)",
			       "16 libvirt jobs are under way already");
	if (id < 0)
		return vc_fail(out, id, NULL, "out of memory");
	out->result = json_object_new_object();
	add_int(out->result, "job", id);
	add_str(out->result, "message", define ? "defining the pools" : "undefining pathd's pools");
	return 0;
}

bool virt_ctl_handle(struct pathd *pd, const struct ctl_request *req, struct ctl_reply *out)
{
	const char *path = req->path;
	bool show = !strcmp(req->op, "show"), define = !strcmp(req->op, "define");

	if (strcmp(path, "/libvirt") && strncmp(path, "/libvirt/", 9))
		return false;
	if (!show && !define && strcmp(req->op, "undefine"))
		return false;
	if (!pd->virt) {
		vc_fail(out, -EOPNOTSUPP, NULL, "this portico-pathd has no libvirt");
		return true;
	}
	if (show && !strncmp(path, "/libvirt/jobs/", 14))
		vc_job(pd, path + 14, out);
	else if (strcmp(path, "/libvirt"))
		vc_fail(out, -ENOENT, "show /libvirt, show /libvirt/jobs/N, define /libvirt, undefine /libvirt",
			"nothing at that path");
	else if (show)
		vc_show(pd, req, out);
	else
		vc_change(pd, req, define, out);
	return true;
}

void virt_ctl_conditions(struct pathd *pd, struct json_object *conds)
{
	struct virt_refresh_view rv;
	struct json_object *e;
	char object[VIRT_URI_MAX + 16], text[VIRT_LINE_MAX + 64];

	if (!pd->virt)
		return;
	virt_sync_refresh_view(pd->virt, &rv);
	if (!rv.error[0])
		return;
	e = json_object_new_object();
	snprintf(object, sizeof(object), "libvirt %s", pd->conf.virt.uri);
	snprintf(text, sizeof(text), "pathd's pools are not refreshed: %s", rv.error);
	add_str(e, "object", object);
	add_str(e, "text", text);
	add_int(e, "for_s", rv.failing_since ? (ev_now_ms() - rv.failing_since) / 1000 : -1);
	json_object_array_add(conds, e);
}

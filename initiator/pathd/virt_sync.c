/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd's libvirt pools: the worker, its jobs, the state file and the
 * refresh (initiator/pathd/virt_sync.h).
 *
 *   loop                                   worker thread
 *   ----                                   -------------
 *   define/undefine/maps changed ─ job ─▶  queue ─▶ state file, libvirt (blocking)
 *   results, records, timers  ◀─ ev_post ─ done list
 *
 * The two share only the worker struct (its queue and done list, under
 * its mutex); a job carries copies of all it needs, and its results.
 */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/log.h"
#include "common/state_file.h"
#include "common/util.h"
#include "initiator/pathd/virt_sync.h"

#define COMP "libvirt"
#define VS_STATE_MAX (64 * 1024)
#define VS_RECORDS_MAX 256

struct vs_job {
	struct vs_job *next;
	unsigned int id;
	enum virt_job_type type;
	bool forms[VIRT_FORM_COUNT];
	char uri[VIRT_URI_MAX];
	char state[4096];
	struct virt_pool_spec *pools; /* DEFINE */
	size_t npools;
	/*
	 * Until delivered (vs_deliver, on the loop), the job is the worker's:
	 * queued, running or on its done list; the loop reads its results
	 * only after, and frees it only then (or, queued, at stop).
	 */
	bool delivered;
	/* results */
	int err;
	char (*lines)[VIRT_LINE_MAX];
	size_t nlines;
	char (*warnings)[VIRT_LINE_MAX];
	size_t nwarnings;
	struct virt_job_error *errors;
	size_t nerrors;
	struct virt_record *recs; /* the state file after the job; NULL: unread */
	size_t nrecs;
	bool recs_read;
	int64_t ms;
};

/* What the loop and the worker share. */
struct vs_worker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct vs_job *head, *tail; /* queued */
	struct vs_job *done;	    /* finished, not yet seen by the loop */
	bool stop;
	bool abandoned; /* the loop is gone: post nothing */
	unsigned int refs;
	struct ev_loop *loop;
	const struct virt_ops *ops;
	void *ops_arg;
	struct virt_sync *vs; /* the loop's side, for the post */
	pthread_t tid;
};

struct virt_sync {
	struct virt_sync_env env;
	struct vs_worker *w;
	unsigned int next_id;
	/* jobs asked for by portico-path: queued, running or kept */
	struct vs_job *jobs[VIRT_JOBS_KEPT];
	size_t njobs;
	/* what the worker last read of the state file */
	struct virt_record *recs;
	size_t nrecs;
	/* refresh */
	uint64_t want_sig, done_sig; /* the maps now; the maps the last refresh saw */
	bool have_sig;
	bool refresh_queued;
	struct ev_timer *timer; /* the delayed refresh, or the retry */
	uint64_t sent_sig;	/* the maps the refresh in flight was asked for */
	struct virt_refresh_view rv;
};

/* ---- results ---- */

static void vs_line(char (**a)[VIRT_LINE_MAX], size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void vs_line(char (**a)[VIRT_LINE_MAX], size_t *n, const char *fmt, ...)
{
	char(*g)[VIRT_LINE_MAX] = reallocarray(*a, *n + 1, sizeof(**a));
	va_list ap;

	if (!g)
		return;
	*a = g;
	va_start(ap, fmt);
	vsnprintf(g[*n], sizeof(g[0]), fmt, ap);
	va_end(ap);
	(*n)++;
}

static void vs_error(struct vs_job *j, int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An error of job j: the first one's errno is the job's. */
static void vs_error(struct vs_job *j, int err, const char *hint, const char *fmt, ...)
{
	struct virt_job_error *g = reallocarray(j->errors, j->nerrors + 1, sizeof(*g));
	va_list ap;

	if (!j->err)
		j->err = err ? err : -EIO;
	if (!g)
		return;
	j->errors = g;
	g = &g[j->nerrors++];
	va_start(ap, fmt);
	vsnprintf(g->text, sizeof(g->text), fmt, ap);
	va_end(ap);
	snprintf(g->hint, sizeof(g->hint), "%s", hint ? hint : "");
}

static void vs_job_free(struct vs_job *j)
{
	if (!j)
		return;
	free(j->pools);
	free(j->lines);
	free(j->warnings);
	free(j->errors);
	free(j->recs);
	free(j);
}

/* ---- the state file ---- */

int virt_state_format(const struct virt_record *recs, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	int w;

	w = snprintf(buf, len,
		     "# Written by portico-pathd: the libvirt pools it defined (docs/libvirt.md).\n"
		     "# pathd touches no other pool. An entry taken out here makes pathd forget\n"
		     "# its pool, which then stays in libvirt as any other.\n"
		     "pools = (");
	if (w < 0 || (size_t)w >= len)
		return -ENOSPC;
	used = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		/* names and UUIDs are checked words: no quote or backslash to escape */
		if (virt_pool_name_why(recs[i].name) || !virt_uuid_valid(recs[i].uuid))
			return -EINVAL;
		w = snprintf(buf + used, len - used,
			     "%s\n  { name = \"%s\"; uuid = \"%s\"; form = \"%s\"; }", i ? "," : "",
			     recs[i].name, recs[i].uuid, virt_form_name(recs[i].form));
		if (w < 0 || (size_t)w >= len - used)
			return -ENOSPC;
		used += (size_t)w;
	}
	w = snprintf(buf + used, len - used, "%s);\n", n ? "\n" : " ");
	if (w < 0 || (size_t)w >= len - used)
		return -ENOSPC;
	return (int)(used + (size_t)w);
}

int virt_state_parse(const char *text, struct virt_record **out, size_t *n, char *err,
		     size_t errlen)
{
	config_setting_t *list;
	struct virt_record *r = NULL;
	config_t cfg;
	int count, rc = 0;

	*out = NULL;
	*n = 0;
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		snprintf(err, errlen, "%d: %s", config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return -EINVAL;
	}
	list = config_lookup(&cfg, "pools");
	count = list ? config_setting_length(list) : 0;
	if (list && !config_setting_is_list(list)) {
		snprintf(err, errlen, "%d: pools must be a list ( ... )",
			 config_setting_source_line(list));
		rc = -EINVAL;
		goto out;
	}
	if (count > VS_RECORDS_MAX) {
		snprintf(err, errlen, "more than %d pools", VS_RECORDS_MAX);
		rc = -EINVAL;
		goto out;
	}
	r = calloc((size_t)count + 1, sizeof(*r));
	if (!r) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (int i = 0; i < count; i++) {
		config_setting_t *g = config_setting_get_elem(list, (unsigned int)i);
		const char *name = NULL, *uuid = NULL, *form = NULL;

		if (!config_setting_lookup_string(g, "name", &name) ||
		    !config_setting_lookup_string(g, "uuid", &uuid) ||
		    !config_setting_lookup_string(g, "form", &form) || virt_pool_name_why(name) ||
		    !virt_uuid_valid(uuid) || virt_form_parse(form, &r[i].form)) {
			snprintf(err, errlen,
				 "%d: each pool is { name = \"NAME\"; uuid = \"UUID\"; form = \"multipath\" or \"iscsi\"; }",
				 config_setting_source_line(g));
			rc = -EINVAL;
			goto out;
		}
		snprintf(r[i].name, sizeof(r[i].name), "%s", name);
		snprintf(r[i].uuid, sizeof(r[i].uuid), "%s", uuid);
	}
	*out = r;
	*n = (size_t)count;
	r = NULL;
out:
	free(r);
	config_destroy(&cfg);
	return rc;
}

/* The state file into *recs (none when it is missing). 0, or -errno with a line in err. */
static int vs_state_read(const char *path, struct virt_record **recs, size_t *n, char *err,
			 size_t errlen)
{
	char *text = calloc(1, VS_STATE_MAX + 1);
	char why[256];
	size_t len;
	FILE *f;
	int rc;

	*recs = NULL;
	*n = 0;
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f = fopen(path, "re");
	if (!f) {
		rc = errno == ENOENT ? 0 : -errno;
		if (rc)
			snprintf(err, errlen, "cannot read %.400s: %s", path, strerror(-rc));
		free(text);
		return rc;
	}
	len = fread(text, 1, VS_STATE_MAX + 1, f);
	fclose(f);
	if (len > VS_STATE_MAX) {
		snprintf(err, errlen, "%.400s is longer than %d bytes", path, VS_STATE_MAX);
		free(text);
		return -EFBIG;
	}
	rc = virt_state_parse(text, recs, n, why, sizeof(why));
	if (rc)
		snprintf(err, errlen, "%.400s:%.200s", path, why);
	free(text);
	return rc;
}

/* Writes the state file (common/state_file.h); /var/lib/portico may not be there yet. */
static int vs_state_write(const char *path, const struct virt_record *recs, size_t n, char *err,
			  size_t errlen)
{
	char *text = malloc(VS_STATE_MAX);
	char dir[4200];
	int len, rc = 0;

	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	len = virt_state_format(recs, n, text, VS_STATE_MAX);
	if (len < 0) {
		rc = len;
		snprintf(err, errlen, "cannot write %.400s: %s", path, strerror(-rc));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	rc = state_mkdirs(dirname(dir), 0755);
	if (rc) {
		snprintf(err, errlen, "cannot make the folder of %.400s: %s", path, strerror(-rc));
		goto out;
	}
	rc = state_file_replace(path, text, (size_t)len, 0644);
	if (rc)
		snprintf(err, errlen, "cannot write %.400s: %s", path, strerror(-rc));
out:
	free(text);
	return rc;
}

/* ---- the worker's side: one job ---- */

/* A libvirt connection for job j, or NULL with the job's error set. */
static struct virt_conn *vs_open(struct vs_worker *w, struct vs_job *j)
{
	struct virt_conn *c = NULL;
	char err[VIRT_LINE_MAX - 128];
	int rc = w->ops->open(w->ops_arg, j->uri, &c, err, sizeof(err));

	if (!rc)
		return c;
	if (rc == -ECONNREFUSED)
		vs_error(j, rc,
			 "start it (systemctl start libvirtd), or name another daemon with libvirt_uri in pathd.conf",
			 "cannot reach libvirt at %s: libvirtd is not running (%s)", j->uri, err);
	else if (rc == -EACCES)
		vs_error(j, rc, "pathd runs as root: see libvirt's access control (polkit, access_drivers)",
			 "libvirt at %s refuses pathd: %s", j->uri, err);
	else
		vs_error(j, rc, "see libvirtd's log", "cannot reach libvirt at %s: %s", j->uri, err);
	return NULL;
}

static const struct virt_pool_info *vs_find(const struct virt_pool_info *p, size_t n,
					    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].name, name))
			return &p[i];
	return NULL;
}

static struct virt_record *vs_rec(struct vs_job *j, const char *name)
{
	for (size_t i = 0; i < j->nrecs; i++)
		if (!strcmp(j->recs[i].name, name))
			return &j->recs[i];
	return NULL;
}

static void vs_rec_drop(struct vs_job *j, struct virt_record *r)
{
	size_t i = (size_t)(r - j->recs);

	memmove(&j->recs[i], &j->recs[i + 1], (j->nrecs - i - 1) * sizeof(*r));
	j->nrecs--;
}

/* Whether libvirt's pool p is the one pathd defined under that name. */
static bool vs_ours(struct vs_job *j, const struct virt_pool_info *p)
{
	const struct virt_record *r = vs_rec(j, p->name);

	return r && !strcasecmp(r->uuid, p->uuid);
}

/* A new random UUID into out. 0 or -errno. */
static int vs_uuid(char out[VIRT_UUID_MAX])
{
	uint8_t b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);

		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0)
			got += (size_t)r;
	}
	virt_uuid_format(b, out);
	return 0;
}

static int vs_vol_cmp(const void *a, const void *b)
{
	return strverscmp(((const struct virt_vol_info *)a)->name,
			  ((const struct virt_vol_info *)b)->name);
}

/*
 * "pool 'NAME' (FORM): WHAT; 3 volumes", then a line per volume, as virsh
 * vol-list --details shows them.
 */
static void vs_volumes(struct vs_worker *w, struct vs_job *j, struct virt_conn *c,
		       const struct virt_pool_spec *s, const char *what)
{
	struct virt_vol_info *v = NULL;
	char err[VIRT_LINE_MAX - 300];
	size_t n = 0;

	if (w->ops->volumes(w->ops_arg, c, s->name, &v, &n, err, sizeof(err))) {
		vs_line(&j->lines, &j->nlines, "pool '%s' (%s): %s; its volumes cannot be listed: %s",
			s->name, virt_form_name(s->form), what, err);
		return;
	}
	vs_line(&j->lines, &j->nlines, "pool '%s' (%s): %s; %zu volume%s", s->name,
		virt_form_name(s->form), what, n, n == 1 ? "" : "s");
	/* in virsh vol-list's order: dm-2 before dm-10 */
	if (n > 1)
		qsort(v, n, sizeof(*v), vs_vol_cmp);
	for (size_t i = 0; i < n; i++)
		vs_line(&j->lines, &j->nlines, "  %-12s %-56s %-6s %llu bytes", v[i].name, v[i].path,
			v[i].type, (unsigned long long)v[i].capacity);
	free(v);
}

/* Defines one pool, or takes pathd's own again; starts and autostarts it. */
static void vs_define_one(struct vs_worker *w, struct vs_job *j, struct virt_conn *c,
			  struct virt_pool_spec *s, const struct virt_pool_info *pools,
			  size_t npools)
{
	const struct virt_pool_info *have = vs_find(pools, npools, s->name);
	const char *form = virt_form_name(s->form);
	char err[VIRT_LINE_MAX - 160], xml[VIRT_XML_MAX], did[160] = "";
	struct virt_record *r = vs_rec(j, s->name);
	char hint[VIRT_LINE_MAX];
	bool recorded = false;
	int rc;

	if (have && !vs_ours(j, have)) {
		snprintf(hint, sizeof(hint),
			 "give pathd's pool another name (%s in pathd.conf, then portico-path reconfigure), or remove that one: virsh pool-destroy %s; virsh pool-undefine %s",
			 s->form == VIRT_FORM_MULTIPATH ? "libvirt_pool" : "libvirt_iscsi_prefix",
			 s->name, s->name);
		vs_error(j, -EEXIST, hint,
			 "libvirt pool '%s' exists and pathd did not define it: it stays as it is",
			 s->name);
		return;
	}
	if (!have && s->form == VIRT_FORM_MULTIPATH) {
		/* libvirt refuses a second pool of type mpath: each would list every map */
		for (size_t i = 0; i < npools; i++) {
			if (strcmp(pools[i].type, "mpath"))
				continue;
			if (vs_ours(j, &pools[i]))
				snprintf(hint, sizeof(hint),
					 "pathd defined it under its old name: portico-path libvirt --undefine, then --define");
			else
				snprintf(hint, sizeof(hint),
					 "use that pool (pathd refreshes only its own), or remove it: virsh pool-destroy %s; virsh pool-undefine %s",
					 pools[i].name, pools[i].name);
			vs_error(j, -EEXIST, hint,
				 "libvirt already has an mpath pool, '%s', and allows one per host: pool '%s' is not defined",
				 pools[i].name, s->name);
			return;
		}
	}
	/* pathd's UUID, written down before libvirt hears of the pool */
	if (r && !s->uuid[0])
		snprintf(s->uuid, sizeof(s->uuid), "%s", r->uuid);
	if (!s->uuid[0] && (rc = vs_uuid(s->uuid))) {
		vs_error(j, rc, NULL, "pool '%s': cannot make a UUID: %s", s->name, strerror(-rc));
		return;
	}
	if (!r) {
		struct virt_record *g = reallocarray(j->recs, j->nrecs + 1, sizeof(*g));

		if (!g) {
			vs_error(j, -ENOMEM, NULL, "out of memory");
			return;
		}
		j->recs = g;
		r = &g[j->nrecs++];
		memset(r, 0, sizeof(*r));
		r->form = s->form;
		snprintf(r->name, sizeof(r->name), "%s", s->name);
		snprintf(r->uuid, sizeof(r->uuid), "%s", s->uuid);
		recorded = true;
		rc = vs_state_write(j->state, j->recs, j->nrecs, err, sizeof(err));
		if (rc) {
			vs_error(j, rc, "pathd defines nothing it cannot remember: fix libvirt_state's folder",
				 "pool '%s' is not defined: %s", s->name, err);
			j->nrecs--;
			return;
		}
	}
	rc = virt_xml_pool(s, xml, sizeof(xml));
	if (rc >= 0)
		rc = w->ops->define(w->ops_arg, c, xml, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "its XML cannot be made (%s)", strerror(-rc));
	if (rc) {
		vs_error(j, rc, strstr(err, "conflict") ?
				      "another pool has the same source: virsh pool-list --all --details" :
				      "see libvirtd's log",
			 "pool '%s' (%s) is not defined: %s", s->name, form, err);
		if (recorded) {
			vs_rec_drop(j, vs_rec(j, s->name));
			if (vs_state_write(j->state, j->recs, j->nrecs, err, sizeof(err)))
				log_warn(COMP, "%s", err);
		}
		return;
	}
	snprintf(did, sizeof(did), "%s", have ? "defined by pathd before, definition updated" :
						"defined");
	if (!have || !have->active) {
		rc = w->ops->start(w->ops_arg, c, s->name, err, sizeof(err));
		if (rc) {
			vs_error(j, rc,
				 s->form == VIRT_FORM_ISCSI ?
					 "libvirt logs in itself when it finds no session to the target: is pathd logged in? (portico-path show sessions)" :
					 "see libvirtd's log",
				 "pool '%s' (%s) is defined but does not start: %s", s->name, form, err);
			return;
		}
		snprintf(did + strlen(did), sizeof(did) - strlen(did), ", started");
	} else {
		/* active already: list what is there now */
		rc = w->ops->refresh(w->ops_arg, c, s->name, err, sizeof(err));
		snprintf(did + strlen(did), sizeof(did) - strlen(did), ", active, %s",
			 rc ? "refresh failed" : "refreshed");
	}
	if (!have || !have->autostart) {
		rc = w->ops->autostart(w->ops_arg, c, s->name, true, err, sizeof(err));
		if (rc)
			vs_error(j, rc, NULL, "pool '%s': autostart cannot be set: %s", s->name, err);
		else
			snprintf(did + strlen(did), sizeof(did) - strlen(did), ", autostart on");
	} else {
		snprintf(did + strlen(did), sizeof(did) - strlen(did), ", autostart on");
	}
	vs_volumes(w, j, c, s, did);
}

static void vs_define(struct vs_worker *w, struct vs_job *j, struct virt_conn *c)
{
	struct virt_pool_info *pools = NULL;
	char err[VIRT_LINE_MAX - 128];
	size_t n = 0;
	int rc = w->ops->pools(w->ops_arg, c, &pools, &n, err, sizeof(err));

	if (rc) {
		vs_error(j, rc, "see libvirtd's log", "cannot list libvirt's pools: %s", err);
		return;
	}
	if (!j->npools)
		vs_line(&j->lines, &j->nlines, "no pool to define");
	for (size_t i = 0; i < j->npools; i++)
		vs_define_one(w, j, c, &j->pools[i], pools, n);
	free(pools);
}

static void vs_undefine(struct vs_worker *w, struct vs_job *j, struct virt_conn *c)
{
	struct virt_pool_info *pools = NULL;
	char err[VIRT_LINE_MAX - 128];
	size_t n = 0, kept = 0;
	int rc = w->ops->pools(w->ops_arg, c, &pools, &n, err, sizeof(err));

	if (rc) {
		vs_error(j, rc, "see libvirtd's log", "cannot list libvirt's pools: %s", err);
		return;
	}
	for (size_t i = 0; i < j->nrecs;) {
		struct virt_record *r = &j->recs[i];
		const struct virt_pool_info *p = vs_find(pools, n, r->name);
		const char *form = virt_form_name(r->form);

		if (!j->forms[r->form]) {
			i++;
			kept++;
			continue;
		}
		if (!p) {
			vs_line(&j->lines, &j->nlines, "pool '%s' (%s): not in libvirt any more; forgotten",
				r->name, form);
		} else if (strcasecmp(p->uuid, r->uuid)) {
			vs_line(&j->lines, &j->nlines,
				"pool '%s' (%s): another pool has that name now (UUID %s): left as it is; forgotten",
				r->name, form, p->uuid);
		} else {
			if (p->active && (rc = w->ops->stop(w->ops_arg, c, r->name, err, sizeof(err)))) {
				vs_error(j, rc, "see libvirtd's log; pathd still knows it as its own",
					 "pool '%s' (%s) does not stop: %s", r->name, form, err);
				i++;
				continue;
			}
			rc = w->ops->undefine(w->ops_arg, c, r->name, err, sizeof(err));
			if (rc) {
				vs_error(j, rc, "see libvirtd's log; pathd still knows it as its own",
					 "pool '%s' (%s) is stopped but not undefined: %s", r->name, form,
					 err);
				i++;
				continue;
			}
			/*
			 * libvirt's iscsi backend logs out the target's sessions at
			 * the pool's portal when it stops the pool: pathd's, which
			 * it logs in again (docs/libvirt.md, "The books' form").
			 */
			vs_line(&j->lines, &j->nlines, "pool '%s' (%s): %sundefined", r->name, form,
				!p->active ? "" :
				r->form == VIRT_FORM_ISCSI ?
					     "stopped (libvirt logged out of the target at the pool's portal; pathd logs in again), " :
					     "stopped, ");
		}
		vs_rec_drop(j, r);
	}
	if (!j->nlines && !j->nerrors)
		vs_line(&j->lines, &j->nlines, "no pool of pathd's to undefine%s",
			kept ? " in that form" : "");
	free(pools);
}

static void vs_refresh(struct vs_worker *w, struct vs_job *j, struct virt_conn *c)
{
	struct virt_pool_info *pools = NULL;
	char err[VIRT_LINE_MAX - 128];
	size_t n = 0;
	int rc = w->ops->pools(w->ops_arg, c, &pools, &n, err, sizeof(err));

	if (rc) {
		vs_error(j, rc, NULL, "cannot list libvirt's pools: %s", err);
		return;
	}
	for (size_t i = 0; i < j->nrecs; i++) {
		const struct virt_pool_info *p = vs_find(pools, n, j->recs[i].name);

		/* not there, another's now, or stopped by the admin: not pathd's to touch */
		if (!p || !vs_ours(j, p) || !p->active)
			continue;
		rc = w->ops->refresh(w->ops_arg, c, p->name, err, sizeof(err));
		if (rc)
			vs_error(j, rc, NULL, "pool '%s': refresh failed: %s", p->name, err);
		else
			vs_line(&j->lines, &j->nlines, "pool '%s' refreshed", p->name);
	}
	free(pools);
}

static void vs_run(struct vs_worker *w, struct vs_job *j)
{
	int64_t t0 = ev_now_ms();
	char err[VIRT_LINE_MAX - 64];
	struct virt_conn *c;
	size_t before;
	int rc;

	rc = vs_state_read(j->state, &j->recs, &j->nrecs, err, sizeof(err));
	if (rc) {
		vs_error(j, rc, "fix it, or remove it (pathd then knows no pool as its own)",
			 "pathd's record of its pools: %s", err);
		goto out;
	}
	j->recs_read = true;
	/* a refresh of nothing needs no libvirt */
	if (j->type == VIRT_JOB_REFRESH && !j->nrecs)
		goto out;
	before = j->nrecs;
	c = vs_open(w, j);
	if (!c)
		goto out;
	switch (j->type) {
	case VIRT_JOB_DEFINE:
		vs_define(w, j, c);
		break;
	case VIRT_JOB_UNDEFINE:
		vs_undefine(w, j, c);
		if (j->nrecs != before &&
		    (rc = vs_state_write(j->state, j->recs, j->nrecs, err, sizeof(err))))
			vs_error(j, rc, NULL, "%s", err);
		break;
	case VIRT_JOB_REFRESH:
		vs_refresh(w, j, c);
		break;
	}
	w->ops->close(w->ops_arg, c);
out:
	j->ms = ev_now_ms() - t0;
}

/* ---- the loop's side: results come back ---- */

static void vs_refresh_done(struct virt_sync *vs, struct vs_job *j);

static void vs_take_records(struct virt_sync *vs, struct vs_job *j)
{
	if (!j->recs_read)
		return;
	free(vs->recs);
	vs->recs = j->recs;
	vs->nrecs = j->nrecs;
	j->recs = NULL;
	j->nrecs = 0;
}

/* Runs on the loop: the jobs the worker finished, in order. */
static void vs_deliver(void *arg)
{
	struct vs_worker *w = arg;
	struct virt_sync *vs = w->vs;
	struct vs_job *list, *j, *rev = NULL;

	pthread_mutex_lock(&w->lock);
	list = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->lock);
	/* the worker pushed them on the front: oldest first now */
	while ((j = list)) {
		list = j->next;
		j->next = rev;
		rev = j;
	}
	while ((j = rev)) {
		rev = j->next;
		j->next = NULL;
		vs_take_records(vs, j);
		j->delivered = true;
		if (j->type == VIRT_JOB_REFRESH) {
			vs_refresh_done(vs, j);
			vs_job_free(j);
			continue;
		}
		for (size_t i = 0; i < j->nerrors; i++)
			log_warn(COMP, "job %u: %s", j->id, j->errors[i].text);
		for (size_t i = 0; i < j->nlines; i++)
			log_info(COMP, "job %u: %s", j->id, j->lines[i]);
		/* kept in vs->jobs, where portico-path reads it */
	}
}

static void vs_worker_put(struct vs_worker *w)
{
	struct vs_job *j;
	bool last;

	pthread_mutex_lock(&w->lock);
	last = --w->refs == 0;
	pthread_mutex_unlock(&w->lock);
	if (!last)
		return;
	while ((j = w->head)) {
		w->head = j->next;
		vs_job_free(j);
	}
	while ((j = w->done)) {
		w->done = j->next;
		vs_job_free(j);
	}
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static void *vs_main(void *arg)
{
	struct vs_worker *w = arg;
	struct vs_job *j;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		j = w->head;
		w->head = j->next;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->lock);
		vs_run(w, j);
		pthread_mutex_lock(&w->lock);
		if (w->abandoned) {
			/* the loop is gone and has forgotten its jobs: this one is ours to free */
			vs_job_free(j);
			continue;
		}
		j->next = w->done;
		w->done = j;
		/* one post per job: vs_deliver takes every finished job at once */
		ev_post(w->loop, vs_deliver, w);
	}
	pthread_mutex_unlock(&w->lock);
	vs_worker_put(w);
	return NULL;
}

static void vs_submit(struct virt_sync *vs, struct vs_job *j)
{
	struct vs_worker *w = vs->w;

	snprintf(j->uri, sizeof(j->uri), "%s", vs->env.conf->uri);
	snprintf(j->state, sizeof(j->state), "%s", vs->env.conf->state);
	j->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* ---- refresh ---- */

static int64_t vs_on_timer(struct ev_loop *loop, void *arg);

static void vs_arm(struct virt_sync *vs, int64_t ms)
{
	if (vs->timer)
		ev_timer_reset(vs->env.loop, vs->timer, ms);
	else
		vs->timer = ev_timer_add(vs->env.loop, ms, vs_on_timer, vs);
}

static int64_t vs_on_timer(struct ev_loop *loop, void *arg)
{
	struct virt_sync *vs = arg;
	struct vs_job *j;

	(void)loop;
	vs->timer = NULL;
	if (vs->refresh_queued || vs->want_sig == vs->done_sig)
		return EV_TIMER_STOP;
	j = calloc(1, sizeof(*j));
	if (!j) {
		vs_arm(vs, vs->env.retry_ms);
		return EV_TIMER_STOP;
	}
	j->type = VIRT_JOB_REFRESH;
	vs->refresh_queued = true;
	vs->rv.running = true;
	vs->sent_sig = vs->want_sig;
	vs_submit(vs, j);
	return EV_TIMER_STOP;
}

static void vs_refresh_done(struct virt_sync *vs, struct vs_job *j)
{
	vs->refresh_queued = false;
	vs->rv.running = false;
	vs->rv.last_ms = j->ms;
	if (j->err) {
		const char *why = j->nerrors ? j->errors[0].text : strerror(-j->err);

		if (!vs->rv.failing_since || strcmp(vs->rv.error, why))
			log_warn(COMP, "%s (tried again every %lld s)", why,
				 (long long)vs->env.retry_ms / 1000);
		if (!vs->rv.failing_since)
			vs->rv.failing_since = ev_now_ms();
		snprintf(vs->rv.error, sizeof(vs->rv.error), "%s", why);
		vs_arm(vs, vs->env.retry_ms);
		return;
	}
	if (vs->rv.failing_since)
		log_info(COMP, "refresh works again");
	vs->rv.failing_since = 0;
	vs->rv.error[0] = '\0';
	vs->done_sig = vs->sent_sig;
	if (j->nlines) {
		vs->rv.count++;
		log_info(COMP, "maps changed: %zu pool(s) refreshed in %lld ms", j->nlines,
			 (long long)j->ms);
	}
	/* the maps changed again meanwhile */
	vs->rv.pending = vs->want_sig != vs->done_sig;
	if (vs->rv.pending)
		vs_arm(vs, vs->env.refresh_delay_ms);
}

void virt_sync_maps_changed(struct virt_sync *vs)
{
	struct virt_views v = { 0 };
	uint64_t sig;

	if (!vs || vs->env.views(vs->env.arg, &v))
		return;
	sig = virt_maps_signature(v.maps, v.nmaps);
	free((void *)v.maps);
	free((void *)v.paths);
	free((void *)v.links);
	if (vs->have_sig && sig == vs->want_sig)
		return;
	vs->want_sig = sig;
	/* the first look, at start, refreshes too: the maps may have changed while pathd was down */
	if (!vs->have_sig)
		vs->done_sig = ~sig;
	vs->have_sig = true;
	/* nothing of pathd's in libvirt: nothing to refresh (and no libvirtd to bother) */
	if (!vs->nrecs) {
		vs->done_sig = sig;
		return;
	}
	vs->rv.pending = true;
	if (!vs->refresh_queued && !vs->timer)
		vs_arm(vs, vs->env.refresh_delay_ms);
}

/* ---- jobs portico-path asks for ---- */

/* Keeps j in the table of jobs (the oldest finished one makes room). */
static int vs_keep(struct virt_sync *vs, struct vs_job *j)
{
	if (vs->njobs == VIRT_JOBS_KEPT) {
		size_t i;

		for (i = 0; i < vs->njobs && !vs->jobs[i]->delivered; i++)
			;
		if (i == vs->njobs)
			return -EBUSY; /* VIRT_JOBS_KEPT under way */
		vs_job_free(vs->jobs[i]);
		memmove(&vs->jobs[i], &vs->jobs[i + 1], (vs->njobs - i - 1) * sizeof(vs->jobs[0]));
		vs->njobs--;
	}
	vs->jobs[vs->njobs++] = j;
	return 0;
}

static int vs_job_new(struct virt_sync *vs, enum virt_job_type type,
		      const bool forms[VIRT_FORM_COUNT], struct vs_job **out)
{
	struct vs_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->type = type;
	memcpy(j->forms, forms, sizeof(j->forms));
	j->id = ++vs->next_id;
	*out = j;
	return 0;
}

int virt_sync_define(struct virt_sync *vs, const bool forms[VIRT_FORM_COUNT])
{
	struct virt_views v = { 0 };
	struct vs_job *j;
	int rc = vs_job_new(vs, VIRT_JOB_DEFINE, forms, &j);

	if (rc)
		return rc;
	rc = vs->env.views(vs->env.arg, &v);
	for (int f = 0; f < VIRT_FORM_COUNT && !rc; f++) {
		struct virt_plan p;
		struct virt_pool_spec *g;

		if (!forms[f])
			continue;
		rc = virt_plan_make(vs->env.conf, (enum virt_form)f, &v, vs->recs, vs->nrecs, &p);
		if (!rc && p.npools) {
			g = reallocarray(j->pools, j->npools + p.npools, sizeof(*g));
			if (!g)
				rc = -ENOMEM;
			else {
				j->pools = g;
				memcpy(&g[j->npools], p.pools, p.npools * sizeof(*g));
				j->npools += p.npools;
			}
		}
		for (size_t i = 0; !rc && i < p.nproblems; i++)
			vs_line(&j->warnings, &j->nwarnings, "%s", p.problems[i]);
		virt_plan_free(&p);
	}
	free((void *)v.maps);
	free((void *)v.paths);
	free((void *)v.links);
	if (!rc)
		rc = vs_keep(vs, j);
	if (rc) {
		vs->next_id--;
		vs_job_free(j);
		return rc;
	}
	vs_submit(vs, j);
	return (int)j->id;
}

int virt_sync_undefine(struct virt_sync *vs, const bool forms[VIRT_FORM_COUNT])
{
	struct vs_job *j = NULL;
	int rc = vs_job_new(vs, VIRT_JOB_UNDEFINE, forms, &j);

	if (!rc)
		rc = vs_keep(vs, j);
	if (rc) {
		if (j)
			vs->next_id--;
		vs_job_free(j);
		return rc;
	}
	vs_submit(vs, j);
	return (int)j->id;
}

int virt_sync_job(struct virt_sync *vs, unsigned int id, struct virt_job_view *out)
{
	struct vs_job *j = NULL;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < vs->njobs && !j; i++)
		if (vs->jobs[i]->id == id)
			j = vs->jobs[i];
	if (!j)
		return -ENOENT;
	out->id = j->id;
	out->type = j->type;
	/* the worker writes the results until the job is delivered: read them only after */
	out->done = j->delivered;
	if (!out->done) {
		/* the warnings were made on the loop, at the asking */
		out->warnings = calloc(j->nwarnings + 1, sizeof(*out->warnings));
		if (!out->warnings)
			return -ENOMEM;
		if (j->nwarnings)
			memcpy(out->warnings, j->warnings, j->nwarnings * sizeof(*out->warnings));
		out->nwarnings = j->nwarnings;
		return 0;
	}
	out->err = j->err;
	out->ms = j->ms;
	out->lines = calloc(j->nlines + 1, sizeof(*out->lines));
	out->warnings = calloc(j->nwarnings + 1, sizeof(*out->warnings));
	out->errors = calloc(j->nerrors + 1, sizeof(*out->errors));
	if (!out->lines || !out->warnings || !out->errors) {
		virt_job_view_free(out);
		return -ENOMEM;
	}
	/* (an empty list is a NULL pointer, which memcpy may not be given) */
	if (j->nlines)
		memcpy(out->lines, j->lines, j->nlines * sizeof(*out->lines));
	if (j->nwarnings)
		memcpy(out->warnings, j->warnings, j->nwarnings * sizeof(*out->warnings));
	if (j->nerrors)
		memcpy(out->errors, j->errors, j->nerrors * sizeof(*out->errors));
	out->nlines = j->nlines;
	out->nwarnings = j->nwarnings;
	out->nerrors = j->nerrors;
	return 0;
}

void virt_job_view_free(struct virt_job_view *v)
{
	if (!v)
		return;
	free(v->lines);
	free(v->warnings);
	free(v->errors);
	memset(v, 0, sizeof(*v));
}

void virt_sync_refresh_view(const struct virt_sync *vs, struct virt_refresh_view *out)
{
	*out = vs->rv;
}

const struct virt_record *virt_sync_records(const struct virt_sync *vs, size_t *n)
{
	*n = vs->nrecs;
	return vs->recs;
}

const struct virt_sync_env *virt_sync_env(const struct virt_sync *vs)
{
	return &vs->env;
}

/* ---- life ---- */

int virt_sync_create(const struct virt_sync_env *env, struct virt_sync **out, char *err,
		     size_t errlen)
{
	struct virt_sync *vs = calloc(1, sizeof(*vs));
	struct vs_worker *w = calloc(1, sizeof(*w));
	char why[VIRT_LINE_MAX];
	int rc;

	if (!vs || !w) {
		free(vs);
		free(w);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	vs->env = *env;
	if (!vs->env.refresh_delay_ms)
		vs->env.refresh_delay_ms = VIRT_REFRESH_DELAY_MS;
	if (!vs->env.retry_ms)
		vs->env.retry_ms = VIRT_RETRY_MS;
	vs->w = w;
	/* an unreadable record is said now, and again by every job, until fixed */
	rc = vs_state_read(env->conf->state, &vs->recs, &vs->nrecs, why, sizeof(why));
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	if (rc)
		log_warn(COMP, "pathd's record of its libvirt pools: %s: it refreshes none until that is fixed",
			 why);
	else if (vs->nrecs)
		log_info(COMP, "%zu libvirt pool(s) of pathd's, in %s", vs->nrecs, env->conf->state);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->loop = env->loop;
	w->ops = env->ops;
	w->ops_arg = env->ops_arg;
	w->vs = vs;
	w->refs = 2; /* the loop's and the thread's */
	rc = pthread_create(&w->tid, NULL, vs_main, w);
	if (rc) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		snprintf(err, errlen, "cannot start the libvirt worker: %s", strerror(rc));
		rc = -rc;
		goto err;
	}
	*out = vs;
	return 0;
err:
	free(vs->recs);
	free(w);
	free(vs);
	return rc;
}

void virt_sync_destroy(struct virt_sync *vs)
{
	struct vs_worker *w;
	struct timespec until;
	struct vs_job *j, *queued;

	if (!vs)
		return;
	w = vs->w;
	if (vs->timer)
		ev_timer_cancel(vs->env.loop, vs->timer);
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	queued = w->head;
	w->head = w->tail = NULL;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	/* queued, never run: the loop's to free (those in vs->jobs among them, below) */
	while ((j = queued)) {
		queued = j->next;
		j->delivered = true;
		if (j->type == VIRT_JOB_REFRESH)
			vs_job_free(j);
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += VIRT_STOP_WAIT_MS / 1000;
	if (pthread_timedjoin_np(w->tid, NULL, &until)) {
		/*
		 * libvirt holds the call: the thread is left to end alone, and
		 * frees the job it runs; the finished ones go with the worker.
		 */
		log_warn(COMP, "a libvirt call has not returned in %d s: pathd stops without waiting for it",
			 VIRT_STOP_WAIT_MS / 1000);
		pthread_mutex_lock(&w->lock);
		w->abandoned = true;
		pthread_mutex_unlock(&w->lock);
		pthread_detach(w->tid);
	}
	/* the jobs delivered (or never run) are the loop's; the others the worker frees */
	for (size_t i = 0; i < vs->njobs; i++)
		if (vs->jobs[i]->delivered)
			vs_job_free(vs->jobs[i]);
	vs_worker_put(w);
	free(vs->recs);
	free(vs);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portico-pathd's control socket (docs/pathd.md, "Control socket"): the
 * verbs portico-path sends, over the control protocol of common/ctl.h.
 *
 *   show /nics | /sessions | /paths | /maps | /status   what pathd knows
 *   reconfigure /                re-read pathd.conf, discover again, rescan
 *   fail /paths/NAME             fail a path in its map (NAME: path name or sdX)
 *   reinstate /paths/NAME
 *   teardown / | /maps/WWID      remove map(s), delete their disks, log out
 *   version /
 *
 * Answers are JSON objects built from the state machine's views: what the
 * CLI prints as tables, and what tests and scripts read with --json.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"
#include "common/log.h"
#include "common/ev.h"
#include "common/util.h"
#include "initiator/adapt/nic.h"
#include "initiator/pathd/events.h"
#include "initiator/pathd/pathd_int.h"
#include "initiator/pathd/virt_ctl.h"
#include "mpath/path_name.h"

#include "common/version.h"

/* Views are copied whole; more than this many objects of a kind is not a KVM host. */
#define CTL_VIEW_MAX 4096
/* Events in one answer: well under the control protocol's answer limit. */
#define CTL_EVENTS_MAX 400

static int ctl_fail(struct ctl_reply *out, int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int ctl_fail(struct ctl_reply *out, int err, const char *hint, const char *fmt, ...)
{
	va_list ap;

	out->err = err;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
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

/* Seconds from now_ms until at (at in the machine's clock), never negative. */
static int64_t secs_until(int64_t now_ms, int64_t at)
{
	return at > now_ms ? (at - now_ms + 999) / 1000 : 0;
}

/* ---- views ---- */

/* The addresses a NIC sends from, as "198.18.1.2/24" (none without the NIC monitor). */
static struct json_object *ctl_nic_addrs(struct pathd *pd, int ifindex)
{
	struct json_object *arr = json_object_new_array();
	char addrs[8][NIC_ADDR_TEXT_MAX];
	size_t n = 0;

	if (pd->nics)
		n = MIN(nic_mon_addrs(pd->nics, ifindex, addrs, ARRAY_SIZE(addrs)), ARRAY_SIZE(addrs));
	for (size_t i = 0; i < n; i++)
		if (addrs[i][0])
			json_object_array_add(arr, json_object_new_string(addrs[i]));
	return arr;
}

static struct json_object *ctl_nics(struct pathd *pd)
{
	struct mp_ev_nic *v = calloc(CTL_VIEW_MAX, sizeof(*v));
	struct json_object *arr = json_object_new_array();
	size_t n;

	if (!v)
		return arr;
	n = MIN(mp_sm_nics(pd->sm, v, CTL_VIEW_MAX), (size_t)CTL_VIEW_MAX);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		add_str(o, "name", v[i].name);
		add_int(o, "ifindex", v[i].ifindex);
		add_bool(o, "up", v[i].up);
		add_bool(o, "carrier", v[i].carrier);
		add_bool(o, "address", v[i].has_addr);
		json_object_object_add(o, "addresses", ctl_nic_addrs(pd, v[i].ifindex));
		json_object_array_add(arr, o);
	}
	free(v);
	return arr;
}

static struct json_object *ctl_sessions(struct pathd *pd, int64_t now)
{
	struct mp_link_view *v = calloc(CTL_VIEW_MAX, sizeof(*v));
	struct json_object *arr = json_object_new_array();
	size_t n;

	if (!v)
		return arr;
	n = MIN(mp_sm_links(pd->sm, v, CTL_VIEW_MAX), (size_t)CTL_VIEW_MAX);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		add_str(o, "nic", v[i].key.nic);
		add_str(o, "portal", v[i].key.portal);
		add_str(o, "target", v[i].key.target);
		add_int(o, "tpgt", v[i].tpgt);
		add_str(o, "state", mp_link_state_name(v[i].state));
		add_int(o, "sid", v[i].sid);
		add_int(o, "paths", v[i].npaths);
		add_str(o, "reason", v[i].reason);
		add_int(o, "retry_in_s",
			v[i].state == MP_LINK_FAILED ? secs_until(now, v[i].retry_at) : 0);
		add_bool(o, "timeouts_drift", v[i].drift);
		json_object_array_add(arr, o);
	}
	free(v);
	return arr;
}

static struct json_object *ctl_path_obj(const struct mp_path_view *p, int64_t now)
{
	struct json_object *o = json_object_new_object();
	char name[MP_PATH_NAME_MAX];

	if (mp_path_name(&p->key, name, sizeof(name)) < 0)
		name[0] = '\0';
	add_str(o, "name", name);
	add_str(o, "dev", p->dev);
	add_str(o, "devt", p->devt);
	add_str(o, "nic", p->key.link.nic);
	add_str(o, "portal", p->key.link.portal);
	add_str(o, "target", p->key.link.target);
	add_int(o, "lun", (int64_t)p->key.lun);
	add_str(o, "wwid", p->wwid);
	add_int(o, "size", (int64_t)p->size);
	add_str(o, "state", mp_path_state_name(p->state));
	add_bool(o, "admin_failed", p->admin_failed);
	add_bool(o, "marginal", p->marginal);
	add_str(o, "reason", p->reason);
	/* the path checker: how long ago it last answered, and how long the check took */
	add_int(o, "checked_s_ago", p->checked_at ? (now - p->checked_at) / 1000 : -1);
	add_int(o, "check_ms", p->checked_at ? (int64_t)p->check_ms : -1);
	return o;
}

static struct json_object *ctl_paths(struct pathd *pd, const char *wwid, int64_t now)
{
	struct mp_path_view *v = calloc(CTL_VIEW_MAX, sizeof(*v));
	struct json_object *arr = json_object_new_array();
	size_t n;

	if (!v)
		return arr;
	n = MIN(mp_sm_paths(pd->sm, v, CTL_VIEW_MAX), (size_t)CTL_VIEW_MAX);
	for (size_t i = 0; i < n; i++)
		if (!wwid || !strcmp(v[i].wwid, wwid))
			json_object_array_add(arr, ctl_path_obj(&v[i], now));
	free(v);
	return arr;
}

static struct json_object *ctl_maps(struct pathd *pd, int64_t now)
{
	struct mp_map_view *v = calloc(CTL_VIEW_MAX, sizeof(*v));
	struct json_object *arr = json_object_new_array();
	size_t n;

	if (!v)
		return arr;
	n = MIN(mp_sm_maps(pd->sm, v, CTL_VIEW_MAX), (size_t)CTL_VIEW_MAX);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		const struct mp_policy *pol = &pd->conf.mp.policy;

		add_str(o, "name", v[i].name);
		add_str(o, "wwid", v[i].wwid);
		add_int(o, "size", (int64_t)v[i].size);
		add_str(o, "state", mp_map_state_name(v[i].state));
		add_str(o, "selector", mp_selector_name(pol->selector));
		add_int(o, "paths_total", v[i].npaths);
		add_int(o, "paths_active", v[i].nactive);
		add_int(o, "open_count", v[i].open_count);
		add_bool(o, "queueing", v[i].queueing);
		/* how long I/O has waited for a path, and how long it may still */
		add_int(o, "queueing_for_s", v[i].queueing ? (now - v[i].queue_since) / 1000 : 0);
		add_int(o, "queue_left_s",
			v[i].queueing ? secs_until(now, v[i].queue_since +
							       pol->no_path_queue_s * 1000LL) :
					0);
		add_str(o, "reason", v[i].reason);
		json_object_object_add(o, "paths", ctl_paths(pd, v[i].wwid, now));
		json_object_array_add(arr, o);
	}
	free(v);
	return arr;
}

/*
 * The sessions that exist: links with a session (a sid). A link whose
 * login fails, or that waits for carrier, is wanted but is no session.
 */
static int64_t ctl_count_sessions(struct pathd *pd)
{
	struct mp_link_view *v = calloc(CTL_VIEW_MAX, sizeof(*v));
	int64_t k = 0;
	size_t n;

	if (!v)
		return 0;
	n = MIN(mp_sm_links(pd->sm, v, CTL_VIEW_MAX), (size_t)CTL_VIEW_MAX);
	for (size_t i = 0; i < n; i++)
		k += v[i].sid != 0;
	free(v);
	return k;
}

static struct json_object *ctl_status(struct pathd *pd, int64_t now)
{
	struct mp_condition *c = calloc(CTL_VIEW_MAX, sizeof(*c));
	struct json_object *o = json_object_new_object(), *conds = json_object_new_array();
	size_t n = 0;

	add_str(o, "version", PORTICO_VERSION);
	add_str(o, "initiator", pd->conf.initiator);
	add_str(o, "config", pd->conf.path);
	add_int(o, "uptime_s", (now - pd->started_ms) / 1000);
	add_int(o, "nics", (int64_t)mp_sm_nics(pd->sm, NULL, 0));
	add_int(o, "sessions", ctl_count_sessions(pd));
	add_int(o, "paths", (int64_t)mp_sm_paths(pd->sm, NULL, 0));
	add_int(o, "maps", (int64_t)mp_sm_maps(pd->sm, NULL, 0));
	if (c)
		n = MIN(mp_sm_conditions(pd->sm, now, c, CTL_VIEW_MAX), (size_t)CTL_VIEW_MAX);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_new_object();

		add_str(e, "object", c[i].object);
		add_str(e, "text", c[i].text);
		add_int(e, "for_s", c[i].since ? (now - c[i].since) / 1000 : -1);
		json_object_array_add(conds, e);
	}
	virt_ctl_conditions(pd, conds);
	json_object_object_add(o, "conditions", conds);
	free(c);
	return o;
}

/* An integer argument of the request, or def when it has none. -EINVAL: not a whole number >= 0. */
static int ctl_arg_u64(const struct ctl_request *req, const char *k, uint64_t def, uint64_t *out)
{
	struct json_object *v;

	*out = def;
	if (!req->args || !json_object_object_get_ex(req->args, k, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return -EINVAL;
	*out = (uint64_t)json_object_get_int64(v);
	return 0;
}

/*
 * The recent events: after "since" (a number from an earlier answer's
 * "next"), or the "last" N (default 50); at most CTL_EVENTS_MAX a call.
 */
static int ctl_events(struct pathd *pd, const struct ctl_request *req, struct ctl_reply *out)
{
	struct pd_event *ev = calloc(CTL_EVENTS_MAX, sizeof(*ev));
	struct json_object *r, *arr;
	uint64_t since, last, next, lost, newest;
	size_t n;

	if (!ev)
		return ctl_fail(out, -ENOMEM, NULL, "out of memory");
	if (ctl_arg_u64(req, "since", UINT64_MAX, &since) ||
	    ctl_arg_u64(req, "last", 50, &last)) {
		free(ev);
		return ctl_fail(out, -EINVAL, "since and last are whole numbers",
				"show events: a bad argument");
	}
	if (since == UINT64_MAX) {
		/* the newest number, then the last N before it */
		pd_events_since(pd->events, UINT64_MAX - 1, ev, 0, &newest, &lost);
		since = newest > last ? newest - last : 0;
	}
	n = pd_events_since(pd->events, since, ev, CTL_EVENTS_MAX, &next, &lost);
	r = json_object_new_object();
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		add_int(o, "seq", (int64_t)ev[i].seq);
		add_int(o, "time_ms", ev[i].wall_ms);
		add_str(o, "level", log_level_name(ev[i].level));
		add_str(o, "component", ev[i].comp);
		add_str(o, "text", ev[i].text);
		json_object_array_add(arr, o);
	}
	json_object_object_add(r, "events", arr);
	add_int(r, "next", (int64_t)next);
	add_int(r, "lost", (int64_t)lost);
	free(ev);
	out->result = r;
	return 0;
}

static int ctl_show(struct pathd *pd, const struct ctl_request *req, const char *what,
		    struct ctl_reply *out)
{
	int64_t now = ev_now_ms();
	struct json_object *r;

	if (!strcmp(what, "events"))
		return ctl_events(pd, req, out);
	r = json_object_new_object();

	if (!strcmp(what, "nics")) {
		json_object_object_add(r, "nics", ctl_nics(pd));
	} else if (!strcmp(what, "sessions")) {
		json_object_object_add(r, "sessions", ctl_sessions(pd, now));
	} else if (!strcmp(what, "paths")) {
		json_object_object_add(r, "paths", ctl_paths(pd, NULL, now));
	} else if (!strcmp(what, "maps")) {
		json_object_object_add(r, "maps", ctl_maps(pd, now));
	} else if (!strcmp(what, "status")) {
		json_object_put(r);
		r = ctl_status(pd, now);
	} else {
		json_object_put(r);
		return ctl_fail(out, -ENOENT, "show nics, sessions, paths, maps, status or events",
				"nothing to show at '/%s'", what);
	}
	out->result = r;
	return 0;
}

/* ---- changes ---- */

/* The device of the path named name (its path name, or its device "sdb"), into dev. */
static int ctl_find_path(struct pathd *pd, const char *name, char *dev, size_t len)
{
	struct mp_path_view *v = calloc(CTL_VIEW_MAX, sizeof(*v));
	char pname[MP_PATH_NAME_MAX];
	int rc = -ENOENT;
	size_t n;

	if (!v)
		return -ENOMEM;
	n = MIN(mp_sm_paths(pd->sm, v, CTL_VIEW_MAX), (size_t)CTL_VIEW_MAX);
	for (size_t i = 0; i < n && rc; i++) {
		if (mp_path_name(&v[i].key, pname, sizeof(pname)) < 0)
			pname[0] = '\0';
		if (!strcmp(v[i].dev, name) || !strcmp(pname, name)) {
			snprintf(dev, len, "%s", v[i].dev);
			rc = 0;
		}
	}
	free(v);
	return rc;
}

static int ctl_admin(struct pathd *pd, const char *name, bool fail, struct ctl_reply *out)
{
	struct mp_event ev = { .type = fail ? MP_EV_ADMIN_FAIL : MP_EV_ADMIN_REINSTATE };
	int rc = ctl_find_path(pd, name, ev.u.admin.dev, sizeof(ev.u.admin.dev));

	if (rc == -ENOENT)
		return ctl_fail(out, rc, "'portico-path show paths' lists them", "no path '%s'", name);
	if (rc)
		return ctl_fail(out, rc, NULL, "out of memory");
	rc = pd_feed(pd, &ev);
	if (rc)
		return ctl_fail(out, rc, NULL, "cannot %s path '%s': %s", fail ? "fail" : "reinstate",
				name, strerror(-rc));
	out->result = json_object_new_object();
	add_str(out->result, "dev", ev.u.admin.dev);
	add_str(out->result, "message", fail ? "failed in its map (held until reinstate)" :
					       "reinstated in its map");
	return 0;
}

/* A map named by its WWID or its name (alias), into wwid. */
static int ctl_find_map(struct pathd *pd, const char *name, char *wwid, size_t len,
			uint32_t *open_count)
{
	struct mp_map_view *v = calloc(CTL_VIEW_MAX, sizeof(*v));
	int rc = -ENOENT;
	size_t n;

	if (!v)
		return -ENOMEM;
	n = MIN(mp_sm_maps(pd->sm, v, CTL_VIEW_MAX), (size_t)CTL_VIEW_MAX);
	for (size_t i = 0; i < n && rc; i++) {
		if (strcmp(v[i].wwid, name) && strcmp(v[i].name, name))
			continue;
		snprintf(wwid, len, "%s", v[i].wwid);
		*open_count = v[i].open_count;
		rc = 0;
	}
	free(v);
	return rc;
}

static int ctl_teardown(struct pathd *pd, const char *name, struct ctl_reply *out)
{
	struct mp_event ev = { .type = MP_EV_TEARDOWN };
	uint32_t open = 0;
	int rc;

	if (name) {
		rc = ctl_find_map(pd, name, ev.u.teardown, sizeof(ev.u.teardown), &open);
		if (rc == -ENOENT)
			return ctl_fail(out, rc, "'portico-path show maps' lists them", "no map '%s'",
					name);
		if (rc)
			return ctl_fail(out, rc, NULL, "out of memory");
		if (open)
			return ctl_fail(out, -EBUSY,
					"stop what uses it first: a VM, a mount, LVM (dmsetup info shows the open count)",
					"map '%s' is open (%u): it stays", name, open);
	}
	rc = pd_feed(pd, &ev);
	if (rc == -EBUSY)
		return ctl_fail(out, rc,
				"stop what uses them first: VMs, mounts, LVM ('portico-path show maps' shows the open counts)",
				"a map is open: nothing was torn down");
	if (rc)
		return ctl_fail(out, rc, NULL, "teardown refused: %s", strerror(-rc));
	out->result = json_object_new_object();
	add_str(out->result, "message",
		name ? "tearing down: the map, then its disks, then the sessions that carry nothing else" :
		       "tearing down every map, then the disks, then the sessions; pathd then stays quiet until reconfigure");
	return 0;
}

/* ---- dispatch ---- */

void pd_ctl_handle(void *arg, const struct ctl_request *req, struct ctl_reply *out)
{
	struct pathd *pd = arg;
	const char *path = req->path;
	char err[600];

	/* show, define and undefine of /libvirt (virt_ctl.h) */
	if (virt_ctl_handle(pd, req, out))
		return;
	if (!strcmp(req->op, "show")) {
		ctl_show(pd, req, path + 1, out);
	} else if (!strcmp(req->op, "version") && !strcmp(path, "/")) {
		out->result = json_object_new_object();
		add_str(out->result, "version", PORTICO_VERSION);
	} else if (!strcmp(req->op, "reconfigure") && !strcmp(path, "/")) {
		if (pd_reconfigure(pd, err, sizeof(err)))
			ctl_fail(out, -EINVAL, "fix the file and try again: the running configuration stays",
				 "%s", err);
		else
			out->result = json_object_new_object();
	} else if ((!strcmp(req->op, "fail") || !strcmp(req->op, "reinstate")) &&
		   !strncmp(path, "/paths/", 7) && path[7]) {
		ctl_admin(pd, path + 7, !strcmp(req->op, "fail"), out);
	} else if (!strcmp(req->op, "teardown") && !strcmp(path, "/")) {
		ctl_teardown(pd, NULL, out);
	} else if (!strcmp(req->op, "teardown") && !strncmp(path, "/maps/", 6) && path[6]) {
		ctl_teardown(pd, path + 6, out);
	} else {
		ctl_fail(out, -EOPNOTSUPP,
			 "verbs: show, reconfigure, fail, reinstate, teardown, version (docs/pathd.md)",
			 "no verb '%s' at '%s'", req->op, path);
	}
}

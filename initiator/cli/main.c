/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portico-path: portico-pathd's command line (docs/pathd.md, "portico-path").
 * One command per run, over pathd's control socket; tables for people,
 * --json for scripts (the daemon's answer as it sent it).
 *
 * Exit status: 0 done, 1 pathd refused (the message says why), 2 usage,
 * 3 pathd could not be reached, 4 a teardown or a libvirt job did not
 * finish in time.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl_client.h"

#define PP_SOCKET_DEFAULT "/run/portico/pathd.sock"
#define PP_SOCKET_ENV "PORTICO_PATH_SOCKET"
/* portico-path ships with portico-pathd, at its version (initiator/pathd/main.c). */
#include "common/version.h"
#define PP_VERSION PORTICO_VERSION

enum pp_exit {
	PP_OK = 0,
	PP_REFUSED = 1,
	PP_USAGE = 2,
	PP_UNREACHABLE = 3,
	PP_TIMEOUT = 4,
};

static const struct ctl_client_who pp_pathd = {
	.daemon = "portico-pathd",
	.not_running_hint = "is portico-pathd running? 'systemctl status portico-pathd'; another "
			    "socket: --socket PATH or " PP_SOCKET_ENV,
	.root_hint = "portico-path takes root (sudo portico-path ...)",
	.stopped_hint = "is portico-pathd still running? 'systemctl status portico-pathd'",
	.busy_hint = "portico-pathd may be busy or stuck: see its log, or a longer --timeout",
	.closed_hint = "portico-pathd may have stopped: see its log",
	.version_hint = "install portico-path and portico-pathd of the same version",
};

static struct {
	bool json;
	int timeout_s;
	struct ctl_client client;
} pp;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: portico-path [--json] [--socket PATH] [--timeout S] COMMAND\n"
		"  show nics        the links pathd follows (all but lo): state, carrier, addresses\n"
		"  show sessions    one iSCSI session per NIC, portal and target\n"
		"  show paths       every path (disk): its name, device, WWID, state\n"
		"  show maps        every multipath map with its paths (as multipath -ll)\n"
		"  show status      what pathd does, and every problem it sees\n"
		"  show events      the last 50 things pathd saw and did, with the time taken\n"
		"  monitor          follow pathd's events as they happen (Ctrl-C ends it)\n"
		"  reconfigure      read pathd.conf again, discover again, rescan\n"
		"  fail PATH        fail a path in its map (by name or device: sdb)\n"
		"  reinstate PATH   give it back to its map\n"
		"  teardown [MAP]   remove a map (WWID or alias), or all: then its disks, then\n"
		"                   the sessions that carry nothing else; refused while open\n"
		"  libvirt [--form F]\n"
		"                   the libvirt pool definitions this host needs (XML, one per\n"
		"                   pool); F: multipath (the default: the LUNs' multipath\n"
		"                   devices), iscsi (the books' form: a pool per target) or all\n"
		"  libvirt --define [--form F]\n"
		"                   define, start and autostart them in libvirt; pathd then\n"
		"                   refreshes them as LUNs come, grow and go\n"
		"  libvirt --undefine [--form F]\n"
		"                   remove the pools pathd defined (every form unless F)\n"
		"  --json           print the daemon's answer as JSON\n"
		"  --socket PATH    pathd's control socket (default " PP_SOCKET_DEFAULT
		", or $" PP_SOCKET_ENV ")\n"
		"  --timeout S      wait at most S seconds for an answer (default 30)\n"
		"  -h, --help       this help\n"
		"  --version        portico-path's version\n");
}

/* Sends op path; on success *result is the answer's result (the caller puts it). */
static int pp_call_args(const char *op, const char *path, struct json_object *args,
			struct json_object **result)
{
	struct ctl_response rsp;
	struct ctl_client_err err = { .msg = "" };

	*result = NULL;
	if (ctl_client_call(&pp.client, op, path, args, &rsp, &err)) {
		fprintf(stderr, "error: %s\n", err.msg);
		if (err.hint[0])
			fprintf(stderr, "hint: %s\n", err.hint);
		return PP_UNREACHABLE;
	}
	if (!rsp.ok) {
		fprintf(stderr, "error: %s [%s]\n", rsp.message, rsp.code);
		if (rsp.hint && rsp.hint[0])
			fprintf(stderr, "hint: %s\n", rsp.hint);
		ctl_response_fini(&rsp);
		return PP_REFUSED;
	}
	*result = json_object_get(rsp.result);
	ctl_response_fini(&rsp);
	return PP_OK;
}

static int pp_call(const char *op, const char *path, struct json_object **result)
{
	return pp_call_args(op, path, NULL, result);
}

/* ---- reading the answer ---- */

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int64_t num(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static bool flag(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

static struct json_object *arr(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_array) ?
		       v :
		       NULL;
}

/* "64M", "1.5G": as multipath -ll writes sizes (powers of 1024). */
static const char *human(int64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%lld", (long long)bytes);
	else if (v == (int64_t)v)
		snprintf(buf, len, "%lld%c", (long long)v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

/* ---- tables ---- */

static void show_nics(struct json_object *r)
{
	struct json_object *a = arr(r, "nics");
	size_t n = a ? json_object_array_length(a) : 0;

	if (!n) {
		printf("no storage NIC (yet): pathd uses the NICs whose routes reach the portals\n");
		return;
	}
	printf("%-16s %-5s %-8s %s\n", "NIC", "LINK", "CARRIER", "ADDRESS");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		struct json_object *addrs = NULL;
		size_t na = 0;

		if (json_object_object_get_ex(o, "addresses", &addrs) &&
		    json_object_is_type(addrs, json_type_array))
			na = json_object_array_length(addrs);
		printf("%-16s %-5s %-8s ", str(o, "name"), flag(o, "up") ? "up" : "down",
		       flag(o, "carrier") ? "yes" : "no");
		if (!na)
			printf("%s\n", flag(o, "address") ? "yes" : "none");
		for (size_t k = 0; k < na; k++)
			printf("%s%s", json_object_get_string(json_object_array_get_idx(addrs, k)),
			       k + 1 < na ? " " : "\n");
	}
}

static void show_sessions(struct json_object *r)
{
	struct json_object *a = arr(r, "sessions");
	size_t n = a ? json_object_array_length(a) : 0;

	if (!n) {
		printf("no session\n");
		return;
	}
	printf("%-8s %-22s %-12s %5s %5s  %s\n", "NIC", "PORTAL", "STATE", "SID", "PATHS", "TARGET");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		printf("%-8s %-22s %-12s %5lld %5lld  %s\n", str(o, "nic"), str(o, "portal"),
		       str(o, "state"), (long long)num(o, "sid"), (long long)num(o, "paths"),
		       str(o, "target"));
		if (str(o, "reason")[0])
			printf("%8s last failure: %s%s\n", "", str(o, "reason"),
			       num(o, "retry_in_s") ? "" : "");
		if (num(o, "retry_in_s"))
			printf("%8s next login in %lld s\n", "", (long long)num(o, "retry_in_s"));
		if (flag(o, "timeouts_drift"))
			printf("%8s its timeouts differ from the policy (pathd writes the policy's at its next login)\n", "");
	}
}

static void show_paths(struct json_object *r)
{
	struct json_object *a = arr(r, "paths");
	size_t n = a ? json_object_array_length(a) : 0;
	char sz[32];

	if (!n) {
		printf("no path\n");
		return;
	}
	printf("%-6s %-7s %-9s %6s  %-34s %s\n", "DEV", "DEVT", "STATE", "SIZE", "WWID", "PATH");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		printf("%-6s %-7s %-9s %6s  %-34s %s\n", str(o, "dev"), str(o, "devt"),
		       str(o, "state"), human(num(o, "size"), sz, sizeof(sz)),
		       str(o, "wwid")[0] ? str(o, "wwid") : "-", str(o, "name"));
		if (str(o, "reason")[0])
			printf("%6s %s\n", "", str(o, "reason"));
		else if (flag(o, "admin_failed"))
			printf("%6s failed with portico-path fail: reinstate gives it back\n", "");
	}
}

static void show_maps(struct json_object *r)
{
	struct json_object *a = arr(r, "maps");
	size_t n = a ? json_object_array_length(a) : 0;
	char sz[32];

	if (!n) {
		printf("no map\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(a, i), *ps = arr(o, "paths");
		size_t np = ps ? json_object_array_length(ps) : 0;

		/* the shape of multipath -ll: name (WWID) dm-N, then size and state, then paths */
		printf("%s (%s) %s\n", str(o, "name"), str(o, "wwid"),
		       str(o, "dm")[0] ? str(o, "dm") : "-");
		printf("size=%s state=%s open=%lld%s\n", human(num(o, "size"), sz, sizeof(sz)),
		       str(o, "state"), (long long)num(o, "open_count"),
		       flag(o, "queueing") ? " queueing" : "");
		if (flag(o, "queueing"))
			printf("no usable path for %lld s: I/O queues %lld s more, then fails\n",
			       (long long)num(o, "queueing_for_s"), (long long)num(o, "queue_left_s"));
		if (str(o, "reason")[0])
			printf("last failure: %s\n", str(o, "reason"));
		printf("`-+- policy='%s 0' paths=%lld active=%lld\n", str(o, "selector"),
		       (long long)num(o, "paths_total"), (long long)num(o, "paths_active"));
		for (size_t j = 0; j < np; j++) {
			struct json_object *p = json_object_array_get_idx(ps, j);

			printf("  %s %-5s %-7s %-8s %s\n", j + 1 == np ? "`-" : "|-", str(p, "dev"),
			       str(p, "devt"), str(p, "state"), str(p, "name"));
			/* why a path carries no I/O, under it */
			if (strcmp(str(p, "state"), "active") && str(p, "reason")[0])
				printf("  %s       %s\n", j + 1 == np ? "  " : "| ", str(p, "reason"));
		}
	}
}

static void show_status(struct json_object *r)
{
	struct json_object *a = arr(r, "conditions");
	size_t n = a ? json_object_array_length(a) : 0;

	printf("portico-pathd %s, up %lld s, initiator %s\n", str(r, "version"),
	       (long long)num(r, "uptime_s"), str(r, "initiator"));
	printf("configuration %s\n", str(r, "config"));
	printf("%lld NIC(s), %lld session(s), %lld path(s), %lld map(s)\n", (long long)num(r, "nics"),
	       (long long)num(r, "sessions"), (long long)num(r, "paths"), (long long)num(r, "maps"));
	if (!n) {
		printf("no problem\n");
		return;
	}
	printf("%zu problem(s):\n", n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		if (num(o, "for_s") >= 0)
			printf("  %s: %s (for %lld s)\n", str(o, "object"), str(o, "text"),
			       (long long)num(o, "for_s"));
		else
			printf("  %s: %s\n", str(o, "object"), str(o, "text"));
	}
}

/* One event: its local time to the ms, its level, its text. */
static void print_event(struct json_object *o)
{
	int64_t ms = num(o, "time_ms");
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char when[32] = "";

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s.%03lld %-5s %s\n", when, (long long)(ms % 1000), str(o, "level"), str(o, "text"));
}

static void show_events(struct json_object *r)
{
	struct json_object *a = arr(r, "events");
	size_t n = a ? json_object_array_length(a) : 0;

	for (size_t i = 0; i < n; i++)
		print_event(json_object_array_get_idx(a, i));
}

/*
 * Follows pathd's events: the last 10, then what comes, asked every 200 ms
 * (each answer says where the next one starts). Runs until interrupted, or
 * until pathd cannot be reached.
 */
static int pp_monitor(void)
{
	struct json_object *args = json_object_new_object(), *r;
	int64_t next;
	int rc;

	json_object_object_add(args, "last", json_object_new_int64(10));
	for (;;) {
		struct json_object *a;
		size_t n;

		rc = pp_call_args("show", "/events", args, &r);
		json_object_put(args);
		if (rc)
			return rc;
		a = arr(r, "events");
		n = a ? json_object_array_length(a) : 0;
		if (num(r, "lost") > 0 && !pp.json)
			printf("... %lld event(s) not shown: they came faster than they were read\n",
			       (long long)num(r, "lost"));
		for (size_t i = 0; i < n; i++) {
			struct json_object *o = json_object_array_get_idx(a, i);

			if (pp.json)
				printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			else
				print_event(o);
		}
		fflush(stdout);
		next = num(r, "next");
		json_object_put(r);
		args = json_object_new_object();
		json_object_object_add(args, "since", json_object_new_int64(next));
		usleep(200 * 1000);
	}
}

static int pp_show(const char *what)
{
	static const struct {
		const char *name;
		void (*print)(struct json_object *r);
	} views[] = {
		{ "nics", show_nics },	 { "sessions", show_sessions }, { "paths", show_paths },
		{ "maps", show_maps },	 { "status", show_status },	{ "events", show_events },
	};
	struct json_object *r;
	char path[32];
	int rc;

	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		if (strcmp(what, views[i].name))
			continue;
		snprintf(path, sizeof(path), "/%s", what);
		rc = pp_call("show", path, &r);
		if (rc)
			return rc;
		if (pp.json)
			printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
		else
			views[i].print(r);
		json_object_put(r);
		return PP_OK;
	}
	fprintf(stderr, "error: nothing called '%s' to show: nics, sessions, paths, maps, status, events\n",
		what);
	return PP_USAGE;
}

/* A change: prints the daemon's message (or its JSON). */
static int pp_change(const char *op, const char *path)
{
	struct json_object *r;
	int rc = pp_call(op, path, &r);

	if (rc)
		return rc;
	if (pp.json)
		printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
	else if (str(r, "message")[0])
		printf("%s%s%s\n", str(r, "dev")[0] ? str(r, "dev") : "", str(r, "dev")[0] ? ": " : "",
		       str(r, "message"));
	else
		printf("done\n");
	json_object_put(r);
	return PP_OK;
}

/* How much of a teardown is left: maps of wwid (all: ""), their paths, and sessions for all. */
static int pp_left(const char *wwid, size_t *maps, size_t *paths, size_t *sessions)
{
	struct json_object *r, *a;
	int rc;

	*maps = *paths = *sessions = 0;
	rc = pp_call("show", "/paths", &r);
	if (rc)
		return rc;
	a = arr(r, "paths");
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		*paths += !wwid[0] || !strcmp(str(json_object_array_get_idx(a, i), "wwid"), wwid);
	json_object_put(r);
	rc = pp_call("show", "/maps", &r);
	if (rc)
		return rc;
	a = arr(r, "maps");
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		*maps += !wwid[0] || !strcmp(str(json_object_array_get_idx(a, i), "wwid"), wwid);
	json_object_put(r);
	if (wwid[0])
		return PP_OK;
	rc = pp_call("show", "/sessions", &r);
	if (rc)
		return rc;
	a = arr(r, "sessions");
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		*sessions += num(json_object_array_get_idx(a, i), "sid") != 0;
	json_object_put(r);
	return PP_OK;
}

/* The WWID of map name (a WWID or an alias), from pathd. */
static int pp_map_wwid(const char *name, char *wwid, size_t len)
{
	struct json_object *r, *a;
	int rc = pp_call("show", "/maps", &r);

	if (rc)
		return rc;
	a = arr(r, "maps");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		if (!strcmp(str(o, "wwid"), name) || !strcmp(str(o, "name"), name)) {
			snprintf(wwid, len, "%s", str(o, "wwid"));
			break;
		}
	}
	json_object_put(r);
	return PP_OK;
}

/* teardown, then waits (bounded) until what it takes away is gone, saying each step. */
static int pp_teardown(const char *map)
{
	char path[256], wwid[160] = "";
	size_t maps = 0, paths = 0, sessions = 0, last_maps = (size_t)-1, last_paths = (size_t)-1;
	time_t end;
	int rc;

	if (map) {
		rc = pp_map_wwid(map, wwid, sizeof(wwid));
		if (rc)
			return rc;
		snprintf(path, sizeof(path), "/maps/%s", map);
	} else {
		snprintf(path, sizeof(path), "/");
	}
	rc = pp_change("teardown", path);
	if (rc)
		return rc;
	end = time(NULL) + pp.timeout_s;
	while (time(NULL) < end) {
		rc = pp_left(wwid, &maps, &paths, &sessions);
		if (rc)
			return rc;
		if (!pp.json && maps != last_maps && !maps)
			printf("map%s removed\n", map ? "" : "s");
		if (!pp.json && paths != last_paths && !paths)
			printf("disks deleted\n");
		last_maps = maps;
		last_paths = paths;
		if (!maps && !paths && !sessions) {
			if (!pp.json)
				printf("%s\n", map ? "done: the sessions that carry other LUNs stay" :
						     "done: logged out; pathd stays quiet until 'portico-path reconfigure'");
			return PP_OK;
		}
		usleep(200 * 1000);
	}
	fprintf(stderr, "error: teardown not finished after %d s: %zu map(s), %zu disk(s), %zu session(s) left\n",
		pp.timeout_s, maps, paths, sessions);
	fprintf(stderr, "hint: 'portico-path show status' says what holds them up\n");
	return PP_TIMEOUT;
}

/* ---- libvirt ---- */

/* Prints a job's results: what was done, warnings and errors with their hints. */
static void pp_job_print(struct json_object *r)
{
	struct json_object *a;

	a = arr(r, "lines");
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		printf("%s\n", json_object_get_string(json_object_array_get_idx(a, i)));
	a = arr(r, "warnings");
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		fprintf(stderr, "warning: %s\n", json_object_get_string(json_object_array_get_idx(a, i)));
	a = arr(r, "errors");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		fprintf(stderr, "error: %s\n", str(e, "text"));
		if (str(e, "hint")[0])
			fprintf(stderr, "hint: %s\n", str(e, "hint"));
	}
}

/* Waits (bounded by --timeout) for job id, then prints it. */
static int pp_job_wait(int64_t id)
{
	struct json_object *r = NULL;
	char path[64];
	time_t end = time(NULL) + pp.timeout_s;
	int rc;

	snprintf(path, sizeof(path), "/libvirt/jobs/%lld", (long long)id);
	for (;;) {
		rc = pp_call("show", path, &r);
		if (rc)
			return rc;
		if (flag(r, "done"))
			break;
		json_object_put(r);
		r = NULL;
		if (time(NULL) >= end) {
			fprintf(stderr, "error: libvirt has not finished job %lld in %d s\n",
				(long long)id, pp.timeout_s);
			fprintf(stderr, "hint: libvirtd may be slow or hung (pathd gives up on a daemon "
					"that stops answering); a longer --timeout waits more\n");
			return PP_TIMEOUT;
		}
		usleep(100 * 1000);
	}
	if (pp.json)
		printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
	else
		pp_job_print(r);
	rc = str(r, "err")[0] ? PP_REFUSED : PP_OK;
	json_object_put(r);
	return rc;
}

/* The pools' XML on stdout, one document per pool; what is missing on stderr. */
static void pp_libvirt_print(struct json_object *r)
{
	struct json_object *pools = arr(r, "pools"), *a = arr(r, "problems");
	size_t n = pools ? json_object_array_length(pools) : 0;

	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "\n" : "", str(json_object_array_get_idx(pools, i), "xml"));
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		fprintf(stderr, "warning: %s\n", json_object_get_string(json_object_array_get_idx(a, i)));
	if (!n)
		fprintf(stderr, "no pool of that form: pathd has no session up with a LUN yet "
				"('portico-path show status')\n");
}

static int pp_libvirt(int argc, char **argv)
{
	enum { PP_LV_SHOW, PP_LV_DEFINE, PP_LV_UNDEFINE } act = PP_LV_SHOW;
	const char *form = NULL;
	struct json_object *args = NULL, *r = NULL;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--define") && act == PP_LV_SHOW) {
			act = PP_LV_DEFINE;
		} else if (!strcmp(argv[i], "--undefine") && act == PP_LV_SHOW) {
			act = PP_LV_UNDEFINE;
		} else if (!strcmp(argv[i], "--form") && i + 1 < argc && !form) {
			form = argv[++i];
		} else if (!strncmp(argv[i], "--form=", 7) && !form) {
			form = argv[i] + 7;
		} else {
			fprintf(stderr, "error: portico-path libvirt [--define | --undefine] "
					"[--form multipath|iscsi|all]\n");
			return PP_USAGE;
		}
	}
	if (form && strcmp(form, "multipath") && strcmp(form, "iscsi") && strcmp(form, "all")) {
		fprintf(stderr, "error: no form '%s': multipath, iscsi or all\n", form);
		return PP_USAGE;
	}
	if (form) {
		args = json_object_new_object();
		json_object_object_add(args, "form", json_object_new_string(form));
	}
	rc = pp_call_args(act == PP_LV_SHOW ? "show" : act == PP_LV_DEFINE ? "define" : "undefine",
			  "/libvirt", args, &r);
	json_object_put(args);
	if (rc)
		return rc;
	if (act != PP_LV_SHOW) {
		int64_t id = num(r, "job");

		json_object_put(r);
		return pp_job_wait(id);
	}
	if (pp.json)
		printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
	else
		pp_libvirt_print(r);
	json_object_put(r);
	return PP_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },	     { "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = getenv(PP_SOCKET_ENV);
	const char *cmd;
	int opt, rc;

	pp.timeout_s = 30;
	while ((opt = getopt_long(argc, argv, "+js:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			pp.json = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 't':
			pp.timeout_s = atoi(optarg);
			if (pp.timeout_s < 1 || pp.timeout_s > 3600) {
				fprintf(stderr, "error: --timeout takes 1 to 3600 seconds\n");
				return PP_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return PP_OK;
		case 'V':
			printf("portico-path %s\n", PP_VERSION);
			return PP_OK;
		default:
			usage(stderr);
			return PP_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return PP_USAGE;
	}
	if (ctl_client_init(&pp.client, sock && sock[0] ? sock : PP_SOCKET_DEFAULT, &pp_pathd,
			    pp.timeout_s * 1000)) {
		fprintf(stderr, "error: the socket path is too long (at most 107 bytes)\n");
		ctl_client_fini(&pp.client);
		return PP_USAGE;
	}
	cmd = argv[optind];
	rc = PP_USAGE;
	if (!strcmp(cmd, "show") && argc - optind == 2) {
		rc = pp_show(argv[optind + 1]);
	} else if (!strcmp(cmd, "reconfigure") && argc - optind == 1) {
		rc = pp_change("reconfigure", "/");
	} else if ((!strcmp(cmd, "fail") || !strcmp(cmd, "reinstate")) && argc - optind == 2) {
		char path[512];

		snprintf(path, sizeof(path), "/paths/%s", argv[optind + 1]);
		rc = pp_change(cmd, path);
	} else if (!strcmp(cmd, "monitor") && argc - optind == 1) {
		rc = pp_monitor();
	} else if (!strcmp(cmd, "teardown") && argc - optind <= 2) {
		rc = pp_teardown(argc - optind == 2 ? argv[optind + 1] : NULL);
	} else if (!strcmp(cmd, "libvirt")) {
		rc = pp_libvirt(argc - optind - 1, argv + optind + 1);
	} else {
		usage(stderr);
	}
	ctl_client_fini(&pp.client);
	return rc;
}

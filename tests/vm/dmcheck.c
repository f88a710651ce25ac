/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmcheck: drives dm_libdm_ops (mpath/io/dm.c) against a real kernel, one
 * op per run, and checks what it left; tests/vm/scenarios/dmadapter.sh
 * runs it in the VM lab's guest. Usage:
 *
 *   dmcheck [--expect ERRNO] [--selector st|rr|ql] [--noqueue] OP ARGS
 *
 *   create NAME WWID SECTORS GROUP...   and /dev/mapper/NAME is there at the return
 *   reload NAME WWID SECTORS GROUP...
 *   table NAME WWID SECTORS GROUP...    `dmsetup table NAME` is the table built
 *                                       for that spec, byte for byte and
 *                                       through the codec
 *   list NAME WWID SECTORS GROUP... [--failed DEVT,...] [--open N]
 *                                       list has NAME with that spec read
 *                                       back, those paths failed, that open
 *                                       count, and queueing as the spec says
 *   message NAME TEXT
 *   remove NAME [--deferred]            and, not deferred, /dev/mapper/NAME
 *                                       is gone at the return
 *   absent NAME                         list does not have NAME
 *
 * A GROUP is its paths, comma-separated: "8:16,8:32" is one group of two.
 * --expect ENAME: the op must fail with that errno (EEXIST, ENXIO, EBUSY,
 * EINVAL) and say why. Prints "ok: ..." lines; on a failure, "FAILED: ..."
 * and exit status 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/util.h"
#include "mpath/dm_table.h"
#include "mpath/io/dm.h"
#include "mpath/map_spec.h"

static const struct {
	const char *name;
	int err;
} dmc_errnos[] = {
    {"EEXIST", EEXIST},
    {"ENXIO", ENXIO},
    {"EBUSY", EBUSY},
    {"EINVAL", EINVAL},
};

static const struct {
	const char *name;
	enum mp_selector sel;
} dmc_selectors[] = {
    {"st", MP_SELECTOR_SERVICE_TIME},
    {"rr", MP_SELECTOR_ROUND_ROBIN},
    {"ql", MP_SELECTOR_QUEUE_LENGTH},
};

__attribute__((format(printf, 1, 2), noreturn)) static void dmc_fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAILED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static double dmc_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* NAME WWID SECTORS GROUP... into spec; returns the index of the first argument after it. */
static int dmc_spec(int argc, char **argv, int i, enum mp_selector sel, bool queue,
		    struct mp_map_spec *spec)
{
	char *save, *p;

	memset(spec, 0, sizeof(*spec));
	if (argc - i < 3)
		dmc_fail("want NAME WWID SECTORS GROUP...");
	snprintf(spec->name, sizeof(spec->name), "%s", argv[i++]);
	snprintf(spec->wwid, sizeof(spec->wwid), "%s", argv[i++]);
	spec->sectors = strtoull(argv[i++], NULL, 10);
	spec->selector = sel;
	spec->queue_if_no_path = queue;
	for (; i < argc && strncmp(argv[i], "--", 2); i++) {
		struct mp_group_spec *g;

		if (spec->ngroups == MP_GROUPS_MAX)
			dmc_fail("more than %d groups", MP_GROUPS_MAX);
		g = &spec->groups[spec->ngroups++];
		for (p = strtok_r(argv[i], ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			if (g->npaths == MP_GROUP_PATHS_MAX)
				dmc_fail("more than %d paths in a group", MP_GROUP_PATHS_MAX);
			snprintf(g->devt[g->npaths++], MP_DEVT_MAX, "%s", p);
		}
	}
	return i;
}

static bool dmc_node_exists(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/mapper/%s", name);
	return !stat(path, &st) && S_ISBLK(st.st_mode);
}

/* The op's result against --expect: a failure it wanted, or none. */
static void dmc_result(const char *what, int r, int expect, const char *err, double secs)
{
	if (expect) {
		if (r != -expect)
			dmc_fail("%s: want -%s, got %d (%s)", what, strerror(expect), r, err);
		if (!err[0])
			dmc_fail("%s: failed without a reason", what);
		printf("ok: %s refused as it should be (%d): %s\n", what, r, err);
		exit(0);
	}
	if (r)
		dmc_fail("%s: %d (%s)", what, r, err);
	printf("ok: %s in %.2f s\n", what, secs);
}

/* `dmsetup table NAME`: "0 <sectors> multipath <params>"; params into buf. */
static void dmc_dmsetup_table(const char *name, uint64_t sectors, char *buf, size_t len)
{
	char cmd[300], line[DMT_TABLE_TEXT_MAX + 64], type[32];
	unsigned long long start, length;
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "dmsetup table '%s'", name);
	p = popen(cmd, "r");
	if (!p || !fgets(line, sizeof(line), p))
		dmc_fail("%s: no output", cmd);
	pclose(p);
	line[strcspn(line, "\n")] = '\0';
	printf("dmsetup table %s: %s\n", name, line);
	if (sscanf(line, "%llu %llu %31s %n", &start, &length, type, &n) != 3 || !n)
		dmc_fail("dmsetup table: '%s'", line);
	if (start != 0 || length != sectors || strcmp(type, MP_TARGET_TYPE))
		dmc_fail("dmsetup table: '%s', want 0 %llu %s", line, (unsigned long long)sectors,
			 MP_TARGET_TYPE);
	snprintf(buf, len, "%s", line + n);
}

/* The kernel's table is the one built for spec: as text, and through the codec. */
static void dmc_table(const struct mp_map_spec *spec)
{
	char built[DMT_TABLE_TEXT_MAX], shown[DMT_TABLE_TEXT_MAX];
	struct dmt_table want, got;
	int r;

	if (mp_spec_build(spec, built, sizeof(built)) < 0)
		dmc_fail("no table for the spec");
	dmc_dmsetup_table(spec->name, spec->sectors, shown, sizeof(shown));
	r = dmt_table_parse(shown, strlen(shown), &got);
	if (r)
		dmc_fail("the kernel's table does not parse (%d): '%s'", r, shown);
	mp_spec_to_dmt(spec, &want);
	dmt_table_canon(&want);
	/* the kernel prints the group in use, not the one loaded */
	want.initial_group = got.initial_group;
	if (!dmt_table_equal(&want, &got))
		dmc_fail("the kernel's table '%s' is not the one built '%s'", shown, built);
	printf("ok: the kernel's table is the one built, through the codec\n");
	/* dmsetup may drop the kernel's trailing space: compare without it */
	if (strncmp(shown, built, strlen(built) - 1) || strlen(shown) > strlen(built))
		dmc_fail("the kernel's table '%s' differs in text from the one built '%s'", shown,
			 built);
	printf("ok: the kernel's table is the one built, byte for byte\n");
}

static const struct mp_ev_map *dmc_find(struct mp_ev_map *maps, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(maps[i].spec.name, name))
			return &maps[i];
	return NULL;
}

static void dmc_list(const struct mp_map_spec *spec, const char *failed, long open)
{
	char err[1024] = "", want_failed[512] = "", got_failed[512] = "";
	struct mp_ev_map *maps = NULL;
	const struct mp_ev_map *m;
	size_t n = 0, used = 0;
	double t0 = dmc_now();
	int r;

	r = dm_libdm_ops.list(NULL, &maps, &n, err, sizeof(err));
	if (r)
		dmc_fail("list: %d (%s)", r, err);
	printf("ok: list in %.2f s: %zu multipath maps\n", dmc_now() - t0, n);
	m = dmc_find(maps, n, spec->name);
	if (!m)
		dmc_fail("list has no map '%s'", spec->name);
	if (!m->spec_ok)
		dmc_fail("map '%s' listed with spec_ok false", spec->name);
	if (!mp_spec_equal(&m->spec, spec))
		dmc_fail("map '%s' listed with another spec (wwid '%s', %llu sectors, %zu groups)",
			 spec->name, m->spec.wwid, (unsigned long long)m->spec.sectors,
			 m->spec.ngroups);
	if (m->queueing != spec->queue_if_no_path)
		dmc_fail("map '%s': queueing %d", spec->name, m->queueing);
	for (size_t i = 0; i < m->nfailed; i++)
		used += (size_t)snprintf(got_failed + used, sizeof(got_failed) - used, "%s%s",
					 i ? "," : "", m->failed[i]);
	snprintf(want_failed, sizeof(want_failed), "%s", failed ? failed : "");
	if (strcmp(want_failed, got_failed))
		dmc_fail("map '%s': failed paths '%s', want '%s'", spec->name, got_failed,
			 want_failed);
	if (open >= 0 && m->open_count != (uint32_t)open)
		dmc_fail("map '%s': open count %u, want %ld", spec->name, m->open_count, open);
	printf("ok: list has '%s' with its spec, failed paths '%s', open count %u, queueing %s\n",
	       spec->name, got_failed, m->open_count, m->queueing ? "on" : "off");
	free(maps);
}

static void dmc_absent(const char *name)
{
	char err[1024] = "";
	struct mp_ev_map *maps = NULL;
	size_t n = 0;
	int r = dm_libdm_ops.list(NULL, &maps, &n, err, sizeof(err));

	if (r)
		dmc_fail("list: %d (%s)", r, err);
	if (dmc_find(maps, n, name))
		dmc_fail("list still has '%s'", name);
	printf("ok: list does not have '%s' (%zu multipath maps)\n", name, n);
	free(maps);
}

int main(int argc, char **argv)
{
	enum mp_selector sel = MP_SELECTOR_SERVICE_TIME;
	struct dm_libdm_info info;
	struct mp_map_spec spec;
	char err[1024] = "";
	const char *op, *failed = NULL;
	bool queue = true, deferred = false;
	long open = -1;
	int i = 1, expect = 0, r;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--noqueue")) {
			queue = false;
			continue;
		}
		if (i + 1 == argc)
			dmc_fail("%s wants a value", argv[i]);
		if (!strcmp(argv[i], "--expect")) {
			for (size_t k = 0; k < ARRAY_SIZE(dmc_errnos); k++)
				if (!strcmp(argv[i + 1], dmc_errnos[k].name))
					expect = dmc_errnos[k].err;
			if (!expect)
				dmc_fail("--expect %s: not one of EEXIST ENXIO EBUSY EINVAL",
					 argv[i + 1]);
		} else if (!strcmp(argv[i], "--selector")) {
			size_t k;

			for (k = 0; k < ARRAY_SIZE(dmc_selectors); k++)
				if (!strcmp(argv[i + 1], dmc_selectors[k].name))
					break;
			if (k == ARRAY_SIZE(dmc_selectors))
				dmc_fail("--selector %s: st, rr or ql", argv[i + 1]);
			sel = dmc_selectors[k].sel;
		} else {
			dmc_fail("unknown option %s", argv[i]);
		}
		i++;
	}
	if (i == argc)
		dmc_fail("no op (create, reload, table, list, message, remove, absent)");
	op = argv[i++];

	if (dm_libdm_probe(&info, err, sizeof(err)))
		dmc_fail("device-mapper: %s", err);
	if (!strcmp(op, "create") || !strcmp(op, "reload") || !strcmp(op, "table") ||
	    !strcmp(op, "list")) {
		i = dmc_spec(argc, argv, i, sel, queue, &spec);
		for (; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "--failed"))
				failed = argv[i + 1];
			else if (!strcmp(argv[i], "--open"))
				open = strtol(argv[i + 1], NULL, 10);
			else
				dmc_fail("unknown option %s", argv[i]);
		}
	}
	t0 = dmc_now();
	if (!strcmp(op, "create")) {
		printf("libdevmapper %s, kernel device-mapper %s, udev %s\n", info.library,
		       info.driver, info.udev_sync ? "synchronised" : "not running");
		r = dm_libdm_ops.create(NULL, &spec, err, sizeof(err));
		dmc_result("create", r, expect, err, dmc_now() - t0);
		if (!dmc_node_exists(spec.name))
			dmc_fail("/dev/mapper/%s is not there when create returns", spec.name);
		printf("ok: /dev/mapper/%s is there when create returns\n", spec.name);
	} else if (!strcmp(op, "reload")) {
		r = dm_libdm_ops.reload(NULL, &spec, err, sizeof(err));
		dmc_result("reload", r, expect, err, dmc_now() - t0);
	} else if (!strcmp(op, "table")) {
		dmc_table(&spec);
	} else if (!strcmp(op, "list")) {
		dmc_list(&spec, failed, open);
	} else if (!strcmp(op, "message") && argc - i == 2) {
		r = dm_libdm_ops.message(NULL, argv[i], argv[i + 1], err, sizeof(err));
		dmc_result("message", r, expect, err, dmc_now() - t0);
	} else if (!strcmp(op, "remove") && argc - i >= 1) {
		deferred = argc - i == 2 && !strcmp(argv[i + 1], "--deferred");
		r = dm_libdm_ops.remove(NULL, argv[i], deferred, err, sizeof(err));
		dmc_result(deferred ? "deferred remove" : "remove", r, expect, err, dmc_now() - t0);
		if (!deferred && dmc_node_exists(argv[i]))
			dmc_fail("/dev/mapper/%s is still there when remove returns", argv[i]);
		if (!deferred)
			printf("ok: /dev/mapper/%s is gone when remove returns\n", argv[i]);
	} else if (!strcmp(op, "absent") && argc - i == 1) {
		dmc_absent(argv[i]);
	} else {
		dmc_fail("op '%s' or its arguments", op);
	}
	return 0;
}

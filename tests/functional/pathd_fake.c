/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd_fake: the real portico-pathd (initiator/pathd: its loop, state
 * machine, adapters and control socket) on fakes behind its three seams,
 * for tests/functional/pathd.sh:
 *   device-mapper  the in-memory fake (mpath/io/dm_fake.h) behind a thin
 *                  wrapper that ties it to a folder, DMDIR (below)
 *   iscsiadm       the program given (tests/functional/fake-iscsiadm)
 *   sysfs          the tree under the root given, which that program
 *                  makes and takes apart as the kernel would
 * and multipathd the program given; udev and sysctls off; the path checker
 * on the fake tree (below), and no socket destroyed; with -L, libvirt is
 * the in-memory fake (initiator/adapt/virt_fake.h) tied to a folder, LVDIR
 * (below). Everything else
 * is the daemon's own: NICs, addresses and routes come from the kernel
 * (the group runs it in a network namespace of its own).
 *
 *   pathd_fake -c CONF -s SYSFS_ROOT -i ISCSIADM -m MULTIPATHD -D DMDIR
 *              [-L LVDIR] [-d COMPONENTS] [-v]
 *
 * It stays in the foreground and logs to stderr. SIGTERM stops it as it
 * stops portico-pathd (maps and sessions stay).
 *
 * DMDIR ties the fake's memory to files, so that a test can look, poke,
 * and kill -9 pathd_fake and start another on the same "kernel":
 *   maps   written after every call that may change a map (atomically:
 *          a new file renamed over the old one), read back at start. One
 *          block per map:
 *              map NAME UUID SECTORS OPEN_COUNT
 *              table TEXT      (dmsetup table NAME after "0 SECTORS multipath ")
 *              status TEXT     (dmsetup status NAME, likewise)
 *          A restored map has its table, its open count, and its paths'
 *          states and fail counts as they were (replayed as fail_path and
 *          reinstate_path messages).
 *   calls  this process's calls of each op since it started, one line
 *          each: "list N", "create N", "reload N", "remove N", "message N"
 *   open   written by the test: "NAME COUNT" lines, the open counts of
 *          the maps (something holds them open: a VM, a mount); read
 *          before every call, a map not named is closed (count 0, and a
 *          deferred remove then takes it, as the kernel does)
 *
 * The path checker's commands are answered from the disk's folder in the
 * fake tree (SYSFS_ROOT/block/sdX/device): INQUIRY page 83h from its
 * vpd_pg83; TEST UNIT READY from a file "tur" the test may write:
 *   (absent)  GOOD
 *   down      no answer: the transport failed (host byte DID_TRANSPORT_FAILFAST)
 *   gone      CHECK CONDITION, ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED
 *   luns      CHECK CONDITION, UNIT ATTENTION, REPORTED LUNS DATA HAS CHANGED,
 *             once (the file is removed), as a target reports it once
 *   capacity  the same with CAPACITY DATA HAS CHANGED
 *   alua      the same with ASYMMETRIC ACCESS STATE CHANGED
 *   standby   CHECK CONDITION, NOT READY, LOGICAL UNIT NOT ACCESSIBLE, TARGET
 *             PORT IN STANDBY STATE (an ALUA standby port)
 *   unavailable  the same, TARGET PORT IN UNAVAILABLE STATE
 * The kernel's alua handler's view of the port is the test's to write too:
 * access_state and preferred_path in the same folder, read by the scan.
 *
 * LVDIR holds the fake libvirtd's state, which outlives pathd_fake as
 * libvirtd's outlives pathd:
 *   pools  the pools and the volumes they listed at their last refresh
 *          (virt_fake_save's text), read before and written after every
 *          call; the test may write it too (a pool pathd did not define)
 *   calls  this process's calls of each op, "define N" ...
 *   down   when it exists, libvirtd is not running (open fails)
 *   delay  when it exists, the milliseconds every call takes
 * An mpath pool lists the dm fake's maps, as dm-<index> on
 * /dev/mapper/<name>, at its start and refresh, as libvirt does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "initiator/adapt/virt_fake.h"
#include "initiator/pathd/pathd.h"
#include "mpath/dm_table.h"
#include "mpath/io/dm_fake.h"

#define PF_LINE_MAX (DMT_TABLE_TEXT_MAX + 64)

struct pf_dm {
	struct dm_fake *f;
	const char *dir;
	pthread_mutex_t lock;
	unsigned int calls[DM_FAKE_OP_COUNT];
};

static const char *const pf_op_names[DM_FAKE_OP_COUNT] = {
	[DM_FAKE_OP_LIST] = "list",	[DM_FAKE_OP_CREATE] = "create",
	[DM_FAKE_OP_RELOAD] = "reload", [DM_FAKE_OP_REMOVE] = "remove",
	[DM_FAKE_OP_MESSAGE] = "message",
};

static void pf_path(const struct pf_dm *d, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", d->dir, name);
}

/* Writes text to DMDIR/name through a new file renamed over it. */
static void pf_write(const struct pf_dm *d, const char *name, const char *text, size_t len)
{
	char path[4096], tmp[4200];
	FILE *f;

	pf_path(d, name, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "pathd_fake: cannot write %s: %s\n", tmp, strerror(errno));
		return;
	}
	if (rename(tmp, path))
		fprintf(stderr, "pathd_fake: cannot rename %s: %s\n", tmp, strerror(errno));
}

/* The open counts the test asked for (DMDIR/open), onto every map. Under d->lock. */
static void pf_apply_open(struct pf_dm *d)
{
	struct mp_ev_map *maps = NULL;
	char path[4096], line[512], err[256];
	size_t n = 0;
	FILE *f;

	/* the names: the fake's own list (not counted as the daemon's) */
	if (dm_fake_ops.list(d->f, &maps, &n, err, sizeof(err)))
		return;
	pf_path(d, "open", path, sizeof(path));
	f = fopen(path, "re");
	for (size_t i = 0; i < n; i++) {
		unsigned int count = 0, c;
		char name[MP_MAP_NAME_MAX];

		if (f) {
			rewind(f);
			while (fgets(line, sizeof(line), f))
				if (sscanf(line, "%127s %u", name, &c) == 2 &&
				    !strcmp(name, maps[i].spec.name))
					count = c;
		}
		if (count != maps[i].open_count)
			dm_fake_set_open(d->f, maps[i].spec.name, count);
	}
	if (f)
		fclose(f);
	free(maps);
}

/* DMDIR/maps and DMDIR/calls, as the fake now is. Under d->lock. */
static void pf_save(struct pf_dm *d)
{
	static char text[256 * 1024];
	char table[DMT_TABLE_TEXT_MAX], status[DMT_TABLE_TEXT_MAX], err[256];
	struct mp_ev_map *maps = NULL;
	size_t n = 0, used = 0;
	int w;

	if (dm_fake_ops.list(d->f, &maps, &n, err, sizeof(err))) {
		fprintf(stderr, "pathd_fake: cannot list the fake's maps: %s\n", err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct mp_map_spec *s = &maps[i].spec;

		if (dm_fake_table(d->f, s->name, table, sizeof(table)) < 0 ||
		    dm_fake_status(d->f, s->name, status, sizeof(status)) < 0)
			continue;
		w = snprintf(text + used, sizeof(text) - used,
			     "map %s %s%s %llu %u\ntable %s\nstatus %s\n", s->name, MP_UUID_PREFIX,
			     s->wwid, (unsigned long long)s->sectors, maps[i].open_count, table,
			     status);
		if (w < 0 || (size_t)w >= sizeof(text) - used) {
			fprintf(stderr, "pathd_fake: too many maps to save\n");
			break;
		}
		used += (size_t)w;
	}
	free(maps);
	pf_write(d, "maps", text, used);
	used = 0;
	for (int op = 0; op < DM_FAKE_OP_COUNT; op++) {
		w = snprintf(text + used, sizeof(text) - used, "%s %u\n", pf_op_names[op],
			     d->calls[op]);
		used += (size_t)w;
	}
	pf_write(d, "calls", text, used);
}

/* One message to map name; a failure is said. */
static void pf_restore_message(struct pf_dm *d, const char *name, const char *verb,
			       unsigned int maj, unsigned int min)
{
	char msg[64], err[256];

	snprintf(msg, sizeof(msg), "%s %u:%u", verb, maj, min);
	if (dm_fake_ops.message(d->f, name, msg, err, sizeof(err)))
		fprintf(stderr, "pathd_fake: map '%s': cannot restore '%s': %s\n", name, msg, err);
}

/*
 * Each path's state and fail count from a status line ("MAJ:MIN A|F COUNT"),
 * through the messages the kernel would have had: COUNT fail_path, each
 * but a failed path's last one followed by reinstate_path.
 */
static void pf_restore_paths(struct pf_dm *d, const char *name, const char *status)
{
	char copy[PF_LINE_MAX], *save = NULL, *w, *prev = NULL, *prev2 = NULL, tail;
	unsigned int maj, min, count;

	snprintf(copy, sizeof(copy), "%s", status);
	for (w = strtok_r(copy, " \n", &save); w;
	     prev2 = prev, prev = w, w = strtok_r(NULL, " \n", &save)) {
		bool failed;

		if (!prev || !prev2 || (strcmp(prev, "A") && strcmp(prev, "F")) ||
		    sscanf(prev2, "%u:%u%c", &maj, &min, &tail) != 2 ||
		    sscanf(w, "%u%c", &count, &tail) != 1)
			continue;
		failed = !strcmp(prev, "F");
		for (unsigned int i = 0; i < count; i++) {
			pf_restore_message(d, name, "fail_path", maj, min);
			if (!failed || i + 1 < count)
				pf_restore_message(d, name, "reinstate_path", maj, min);
		}
	}
}

/* The maps a previous pathd_fake left in DMDIR/maps. 0, or -1 with a message. */
static int pf_restore(struct pf_dm *d)
{
	static char line[PF_LINE_MAX];
	char path[4096], name[MP_MAP_NAME_MAX] = "", uuid[MP_UUID_MAX] = "";
	unsigned long long sectors = 0;
	unsigned int open = 0;
	FILE *f;
	int rc = 0;

	pf_path(d, "maps", path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "map ", 4)) {
			if (sscanf(line + 4, "%127s %127s %llu %u", name, uuid, &sectors, &open) !=
			    4) {
				fprintf(stderr, "pathd_fake: %s: bad line '%s'\n", path, line);
				rc = -1;
				break;
			}
		} else if (!strncmp(line, "table ", 6)) {
			int r = dm_fake_add_map(d->f, name, uuid, sectors, line + 6);

			if (r) {
				fprintf(stderr, "pathd_fake: %s: map '%s': %s\n", path, name,
					strerror(-r));
				rc = -1;
				break;
			}
			dm_fake_set_open(d->f, name, open);
		} else if (!strncmp(line, "status ", 7)) {
			pf_restore_paths(d, name, line + 7);
		}
	}
	fclose(f);
	return rc;
}

/* Runs before every op: the test's open counts on, the call counted. */
static void pf_enter(struct pf_dm *d, enum dm_fake_op op)
{
	pthread_mutex_lock(&d->lock);
	pf_apply_open(d);
	d->calls[op]++;
}

static void pf_leave(struct pf_dm *d)
{
	pf_save(d);
	pthread_mutex_unlock(&d->lock);
}

static int pf_list(void *arg, struct mp_ev_map **out, size_t *n, char *err, size_t errlen)
{
	struct pf_dm *d = arg;
	int rc;

	pf_enter(d, DM_FAKE_OP_LIST);
	rc = dm_fake_ops.list(d->f, out, n, err, errlen);
	pf_leave(d);
	return rc;
}

static int pf_create(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen)
{
	struct pf_dm *d = arg;
	int rc;

	pf_enter(d, DM_FAKE_OP_CREATE);
	rc = dm_fake_ops.create(d->f, spec, err, errlen);
	pf_leave(d);
	return rc;
}

static int pf_reload(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen)
{
	struct pf_dm *d = arg;
	int rc;

	pf_enter(d, DM_FAKE_OP_RELOAD);
	rc = dm_fake_ops.reload(d->f, spec, err, errlen);
	pf_leave(d);
	return rc;
}

static int pf_remove(void *arg, const char *name, bool deferred, char *err, size_t errlen)
{
	struct pf_dm *d = arg;
	int rc;

	pf_enter(d, DM_FAKE_OP_REMOVE);
	rc = dm_fake_ops.remove(d->f, name, deferred, err, errlen);
	pf_leave(d);
	return rc;
}

static int pf_message(void *arg, const char *name, const char *msg, char *err, size_t errlen)
{
	struct pf_dm *d = arg;
	int rc;

	pf_enter(d, DM_FAKE_OP_MESSAGE);
	rc = dm_fake_ops.message(d->f, name, msg, err, errlen);
	pf_leave(d);
	return rc;
}

static const struct dm_ops pf_dm_ops = {
	.list = pf_list,
	.create = pf_create,
	.reload = pf_reload,
	.remove = pf_remove,
	.message = pf_message,
};

/* ---- the path checker on the fake tree ---- */

static int pf_tur_open(void *arg, const char *dev)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/block/%s/device", (const char *)arg, dev);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Sense data in fixed format (SPC-4 §4.5.3): key, ASC, ASCQ. */
static void pf_sense(struct tur_io *io, uint8_t key, uint8_t asc, uint8_t ascq)
{
	memset(io->sense, 0, 18);
	io->sense[0] = 0x70;
	io->sense[2] = key;
	io->sense[7] = 10;
	io->sense[12] = asc;
	io->sense[13] = ascq;
	io->raw.sense_len = 18;
	io->raw.status = 0x02; /* CHECK CONDITION */
}

static int pf_tur_exec(void *arg, int fd, struct tur_io *io)
{
	char what[32] = "";
	ssize_t n;
	int f;

	(void)arg;
	if (io->cdb[0] == 0x12) { /* INQUIRY: page 83h from the tree */
		f = openat(fd, "vpd_pg83", O_RDONLY | O_CLOEXEC);
		if (f < 0)
			return -errno;
		n = read(f, io->data, io->data_len);
		close(f);
		io->got = n > 0 ? (size_t)n : 0;
		return 0;
	}
	f = openat(fd, "tur", O_RDONLY | O_CLOEXEC);
	if (f >= 0) {
		n = read(f, what, sizeof(what) - 1);
		close(f);
		what[n > 0 ? n : 0] = '\0';
		what[strcspn(what, "\n")] = '\0';
	}
	if (!strcmp(what, "down")) {
		io->raw.host_status = 0x0f; /* DID_TRANSPORT_FAILFAST */
	} else if (!strcmp(what, "gone")) {
		pf_sense(io, 0x5, 0x25, 0x00);
	} else if (!strcmp(what, "luns") || !strcmp(what, "capacity") || !strcmp(what, "alua")) {
		if (what[0] == 'l')
			pf_sense(io, 0x6, 0x3f, 0x0e);
		else if (what[0] == 'c')
			pf_sense(io, 0x6, 0x2a, 0x09);
		else
			pf_sense(io, 0x6, 0x2a, 0x06);
		unlinkat(fd, "tur", 0);
	} else if (!strcmp(what, "standby")) {
		pf_sense(io, 0x2, 0x04, 0x0b); /* SPC-4 §5.16.2.4.4 */
	} else if (!strcmp(what, "unavailable")) {
		pf_sense(io, 0x2, 0x04, 0x0c); /* SPC-4 §5.16.2.4.5 */
	}
	return 0;
}

static void pf_tur_close(void *arg, int fd)
{
	(void)arg;
	close(fd);
}

static const struct tur_ops pf_tur_ops = {
	.open = pf_tur_open,
	.exec = pf_tur_exec,
	.close = pf_tur_close,
};

/* ---- libvirt: the fake, tied to LVDIR ---- */

struct pf_lv {
	struct virt_fake *f;
	const char *dir;
	struct pf_dm *dm;
	pthread_mutex_t lock;
};

/* What libvirt's mpath backend lists: the dm fake's maps. */
static size_t pf_lv_maps(void *arg, struct virt_vol_info *out, size_t max)
{
	struct pf_dm *d = arg;
	struct mp_ev_map *maps = NULL;
	char err[256];
	size_t n = 0;

	pthread_mutex_lock(&d->lock);
	if (dm_fake_ops.list(d->f, &maps, &n, err, sizeof(err)))
		n = 0;
	pthread_mutex_unlock(&d->lock);
	for (size_t i = 0; i < n && i < max; i++) {
		snprintf(out[i].name, sizeof(out[i].name), "dm-%zu", i);
		snprintf(out[i].path, sizeof(out[i].path), "/dev/mapper/%s", maps[i].spec.name);
		snprintf(out[i].type, sizeof(out[i].type), "block");
		out[i].capacity = maps[i].spec.sectors * 512;
	}
	free(maps);
	return n;
}

/* Before a call: LVDIR's pools, down and delay into the fake. */
static void pf_lv_enter(struct pf_lv *l)
{
	static char text[256 * 1024];
	char path[4096];
	unsigned int ms = 0;
	size_t n;
	FILE *f;

	pthread_mutex_lock(&l->lock);
	snprintf(path, sizeof(path), "%s/pools", l->dir);
	f = fopen(path, "re");
	if (f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		if (virt_fake_load(l->f, text))
			fprintf(stderr, "pathd_fake: %s: not the fake libvirt's pools\n", path);
	}
	snprintf(path, sizeof(path), "%s/down", l->dir);
	virt_fake_set_down(l->f, access(path, F_OK) == 0);
	snprintf(path, sizeof(path), "%s/delay", l->dir);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%u", &ms) != 1)
			ms = 0;
		fclose(f);
	}
	virt_fake_set_delay(l->f, ms);
}

/* After a call: the pools and the counts into LVDIR. */
static void pf_lv_leave(struct pf_lv *l)
{
	static char text[256 * 1024];
	int len = virt_fake_save(l->f, text, sizeof(text)), used = 0;
	char path[4096], tmp[4200];
	FILE *f;

	if (len >= 0) {
		snprintf(path, sizeof(path), "%s/pools", l->dir);
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		f = fopen(tmp, "we");
		if (f && fwrite(text, 1, (size_t)len, f) == (size_t)len && !fclose(f))
			rename(tmp, path);
		else if (f)
			fclose(f);
	}
	for (int op = 0; op < VIRT_FAKE_OP_COUNT; op++)
		used += snprintf(text + used, sizeof(text) - (size_t)used, "%s %u\n",
				 virt_fake_op_name((enum virt_fake_op)op),
				 virt_fake_calls(l->f, (enum virt_fake_op)op));
	snprintf(path, sizeof(path), "%s/calls", l->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (f && fwrite(text, 1, (size_t)used, f) == (size_t)used && !fclose(f))
		rename(tmp, path);
	else if (f)
		fclose(f);
	pthread_mutex_unlock(&l->lock);
}

static int pf_lv_open(void *arg, const char *uri, struct virt_conn **out, char *err,
		      size_t errlen)
{
	struct pf_lv *l = arg;
	int rc;

	pf_lv_enter(l);
	rc = virt_fake_ops.open(l->f, uri, out, err, errlen);
	pf_lv_leave(l);
	return rc;
}

static void pf_lv_close(void *arg, struct virt_conn *c)
{
	struct pf_lv *l = arg;

	virt_fake_ops.close(l->f, c);
}

static int pf_lv_pools(void *arg, struct virt_conn *c, struct virt_pool_info **out, size_t *n,
		       char *err, size_t errlen)
{
	struct pf_lv *l = arg;
	int rc;

	pf_lv_enter(l);
	rc = virt_fake_ops.pools(l->f, c, out, n, err, errlen);
	pf_lv_leave(l);
	return rc;
}

static int pf_lv_define(void *arg, struct virt_conn *c, const char *xml, char *err,
			size_t errlen)
{
	struct pf_lv *l = arg;
	char path[4096];
	FILE *f;
	int rc;

	pf_lv_enter(l);
	rc = virt_fake_ops.define(l->f, c, xml, err, errlen);
	/* the last XML defined, for the test to read */
	snprintf(path, sizeof(path), "%s/defined.xml", l->dir);
	f = fopen(path, "ae");
	if (f) {
		fputs(xml, f);
		fclose(f);
	}
	pf_lv_leave(l);
	return rc;
}

/* The ops on a pool by name, each through enter and leave. */
#define PF_LV_BY_NAME(op)                                                                          \
	static int pf_lv_##op(void *arg, struct virt_conn *c, const char *name, char *err,         \
			      size_t errlen)                                                       \
	{                                                                                          \
		struct pf_lv *l = arg;                                                             \
		int rc;                                                                            \
                                                                                                   \
		pf_lv_enter(l);                                                                    \
		rc = virt_fake_ops.op(l->f, c, name, err, errlen);                                 \
		pf_lv_leave(l);                                                                    \
		return rc;                                                                         \
	}
PF_LV_BY_NAME(start)
PF_LV_BY_NAME(refresh)
PF_LV_BY_NAME(stop)
PF_LV_BY_NAME(undefine)

static int pf_lv_autostart(void *arg, struct virt_conn *c, const char *name, bool on, char *err,
			   size_t errlen)
{
	struct pf_lv *l = arg;
	int rc;

	pf_lv_enter(l);
	rc = virt_fake_ops.autostart(l->f, c, name, on, err, errlen);
	pf_lv_leave(l);
	return rc;
}

static int pf_lv_volumes(void *arg, struct virt_conn *c, const char *name,
			 struct virt_vol_info **out, size_t *n, char *err, size_t errlen)
{
	struct pf_lv *l = arg;
	int rc;

	pf_lv_enter(l);
	rc = virt_fake_ops.volumes(l->f, c, name, out, n, err, errlen);
	pf_lv_leave(l);
	return rc;
}

static const struct virt_ops pf_lv_ops = {
	.open = pf_lv_open,
	.close = pf_lv_close,
	.pools = pf_lv_pools,
	.define = pf_lv_define,
	.start = pf_lv_start,
	.autostart = pf_lv_autostart,
	.refresh = pf_lv_refresh,
	.stop = pf_lv_stop,
	.undefine = pf_lv_undefine,
	.volumes = pf_lv_volumes,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: pathd_fake -c CONF -s SYSFS_ROOT -i ISCSIADM -m MULTIPATHD -D DMDIR "
		   "[-L LVDIR] [-d COMPONENTS] [-v]\n");
}

int main(int argc, char **argv)
{
	const char *conf_path = NULL, *debug = NULL;
	struct pf_dm dm = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct pf_lv lv = { .lock = PTHREAD_MUTEX_INITIALIZER, .dm = &dm };
	struct pathd_env env = {
		.dm = &pf_dm_ops,
		.dm_arg = &dm,
		.initiatorname_file = "/nonexistent/initiatorname.iscsi",
		.udev = false,
		.sysctl = false,
		.tur = &pf_tur_ops,
		.sockkill = false,
	};
	struct pathd_conf conf;
	struct cfg_err cerr = { { 0 } };
	struct pathd *pd = NULL;
	bool verbose = false;
	char msg[600];
	int opt, rc;

	while ((opt = getopt(argc, argv, "c:s:i:m:D:L:d:vh")) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 's':
			env.sysfs_root = optarg;
			env.tur_arg = optarg;
			break;
		case 'i':
			env.iscsiadm = optarg;
			break;
		case 'm':
			env.multipathd = optarg;
			break;
		case 'D':
			dm.dir = optarg;
			break;
		case 'L':
			lv.dir = optarg;
			break;
		case 'd':
			debug = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || !conf_path || !env.sysfs_root || !env.iscsiadm || !env.multipathd ||
	    !dm.dir) {
		usage(stderr);
		return 2;
	}
	log_init("pathd_fake");
	log_to_stderr();
	if (dm_fake_create(&dm.f)) {
		fprintf(stderr, "pathd_fake: out of memory\n");
		return 1;
	}
	if (pf_restore(&dm)) {
		dm_fake_destroy(dm.f);
		return 1;
	}
	if (lv.dir) {
		if (virt_fake_create(&lv.f)) {
			fprintf(stderr, "pathd_fake: out of memory\n");
			dm_fake_destroy(dm.f);
			return 1;
		}
		virt_fake_set_maps(lv.f, pf_lv_maps, &dm);
		env.virt = &pf_lv_ops;
		env.virt_arg = &lv;
	}
	rc = pathd_conf_load(conf_path, env.initiatorname_file, &conf, &cerr);
	if (rc) {
		fprintf(stderr, "pathd_fake: %s\n", cerr.msg);
		pathd_conf_free(&conf);
		virt_fake_destroy(lv.f);
		dm_fake_destroy(dm.f);
		return 1;
	}
	if (conf.warning[0])
		fprintf(stderr, "pathd_fake: warning: %s\n", conf.warning);
	log_set_level(verbose ? LOG_LEVEL_INFO : conf.log_level);
	if (debug || conf.debug[0])
		log_set_debug(debug ? debug : conf.debug);
	rc = pathd_create(&conf, &env, &pd, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "pathd_fake: %s\n", msg);
		virt_fake_destroy(lv.f);
		dm_fake_destroy(dm.f);
		return 1;
	}
	pathd_run(pd);
	pathd_destroy(pd);
	log_info("pathd", "stopped; the maps and sessions stay");
	virt_fake_destroy(lv.f);
	dm_fake_destroy(dm.f);
	return 0;
}

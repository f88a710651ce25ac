// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dm_libdm_ops: dm-multipath maps through libdevmapper (dm.h). One task
 * per ioctl; the table text comes from mpath/map_spec.c both ways.
 *
 * libdevmapper's messages go through dmio_log into a per-thread buffer
 * that each op empties first, and from there into err when the op fails:
 * never to stderr. Statics are dmio_ (libdevmapper owns dm_*).
 *
 * The order of a reload (RELOAD, SUSPEND noflush, RESUME) and the udev
 * cookies follow what multipath-tools does (libmultipath/devmapper.c), with
 * the suspend made explicit so that a failure is told apart from a resume
 * failure.
 */
#include <errno.h>
#include <libdevmapper.h>
#include <linux/dm-ioctl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "mpath/io/dm.h"

_Static_assert(MP_UUID_MAX == DM_UUID_LEN, "map_spec's UUID limit is the kernel's");
_Static_assert(MP_MAP_NAME_MAX == DM_NAME_LEN, "a map name is a dm device name");

/*
 * The udev flags of a map's uevents (dm_task_set_cookie), as multipath-tools
 * sets them for its maps and as its rules read them (11-dm-mpath.rules,
 * Debian's 56-dm-mpath.rules; kpartx.rules):
 *  - DM_UDEV_DISABLE_LIBRARY_FALLBACK, while udev runs: udev's rules make
 *    and remove /dev/mapper/<name>, and a node libdevmapper made would be
 *    missing from udev's database. Without udev the flag is left out, so
 *    that libdevmapper makes the node itself (no one else would).
 *  - DMIO_UDEV_RELOAD, multipath's "reload" flag (DM_SUBSYSTEM_UDEV_FLAG0),
 *    on the resume of a reload that keeps the size: the rules then set
 *    DM_ACTIVATION=0 and MPATH_UNCHANGED=1, so that what sits on the map
 *    (LVM, systemd, kpartx) does not react to a table that changed only its
 *    paths. Not on a create, and not on a resize (force_udev_reload in
 *    multipath-tools): those must be seen above.
 *  - DMIO_UDEV_NO_PATHS (FLAG2) for a table without paths: the rules mark
 *    the map not ready (MPATH_DEVICE_READY=0, DM_NOSCAN), so that blkid
 *    does not read a device whose I/O can only queue. multipath-tools also
 *    sets it when its checkers find no path up; pathd's table has only the
 *    paths it has, so here it is the empty table.
 *  - DMIO_UDEV_NO_KPARTX (FLAG1, multipath-tools' skip_kpartx) always, where
 *    multipath-tools' default leaves it out: a LUN of a KVM host is a VM's
 *    disk or a whole PV of a libvirt pool, and its partition table is the
 *    guest's. kpartx maps of it would hold the map open (its remove fails
 *    busy), and show the guest's partitions and volume groups to the host.
 */
#define DMIO_UDEV_RELOAD DM_SUBSYSTEM_UDEV_FLAG0
#define DMIO_UDEV_NO_KPARTX DM_SUBSYSTEM_UDEV_FLAG1
#define DMIO_UDEV_NO_PATHS DM_SUBSYSTEM_UDEV_FLAG2

/* How often a udev wait looks at its cookie. */
#define DMIO_UDEV_POLL_MS 10

/* ---- libdevmapper's log, into err ---- */

#define DMIO_MSG_MAX 512

/* The messages of the op running on this thread; the worst level first (syslog's: lower is worse).
 */
static __thread char dmio_msg[DMIO_MSG_MAX];
static __thread int dmio_msg_level;

/*
 * libdevmapper's log function (dm_log_with_errno_init). Errors and warnings
 * are kept, joined with "; " while there is room; an error drops warnings
 * kept before it. Notices, info and debug are dropped: they are not a
 * reason.
 */
__attribute__((format(printf, 5, 6))) static void
dmio_log(int level, const char *file, int line, int dm_errno_or_class, const char *f, ...)
{
	char one[256];
	size_t used;
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno_or_class;
	/* libdevmapper ORs flags into the level (_LOG_STDERR 0x80, _LOG_ONCE 0x100) */
	level &= 0x7;
	if (level > LOG_WARNING)
		return;
	if (dmio_msg[0] && level > dmio_msg_level)
		return;
	if (dmio_msg[0] && level < dmio_msg_level)
		dmio_msg[0] = '\0';
	va_start(ap, f);
	vsnprintf(one, sizeof(one), f, ap);
	va_end(ap);
	used = strlen(dmio_msg);
	snprintf(dmio_msg + used, sizeof(dmio_msg) - used, "%s%s", used ? "; " : "", one);
	dmio_msg_level = level;
}

/*
 * Why libdevmapper could not talk to the kernel at its first try, which it
 * remembers for the life of the process (dm_check_version) without saying
 * it again.
 */
static char dmio_contact[DMIO_MSG_MAX];

static pthread_once_t dmio_once = PTHREAD_ONCE_INIT;

static void dmio_init_once(void)
{
	dm_log_with_errno_init(dmio_log);
	/* udev synchronisation when udev runs (libdevmapper checks once, here). */
	dm_udev_set_sync_support(1);
}

/* Every op starts here: the log routed, the messages of the last op forgotten. */
static void dmio_begin(void)
{
	pthread_once(&dmio_once, dmio_init_once);
	dmio_msg[0] = '\0';
	dmio_msg_level = 0;
}

/*
 * err = the formatted text, then ": " and libdevmapper's messages (or
 * strerror(e) when it said nothing). Returns -e.
 */
__attribute__((format(printf, 4, 5))) static int dmio_fail(int e, char *err, size_t errlen,
							   const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen)
		return -e;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - (size_t)n, ": %s", dmio_msg[0] ? dmio_msg : strerror(e));
	return -e;
}

/* A task's ioctl errno; EIO when it failed before any ioctl said why. */
static int dmio_errno(struct dm_task *dmt)
{
	int e = dm_task_get_errno(dmt);

	return e > 0 ? e : EIO;
}

/*
 * A task of type for name (NULL: none). dm_task_create fails when
 * libdevmapper cannot talk to the kernel (no device-mapper, no access to
 * /dev/mapper/control; it logs why, and remembers it for the process);
 * dm_task_set_name when the name is too long for the kernel.
 */
static int dmio_task(int type, const char *name, struct dm_task **out, char *err, size_t errlen)
{
	struct dm_task *dmt = dm_task_create(type);

	*out = NULL;
	if (!dmt) {
		/* libdevmapper says why at the first call only: keep it for the next ones */
		if (dmio_msg[0] && !dmio_contact[0])
			snprintf(dmio_contact, sizeof(dmio_contact), "%s", dmio_msg);
		if (!dmio_msg[0] && dmio_contact[0])
			return dmio_fail(ENODEV, err, errlen,
					 "device-mapper: unusable since the first call: %s",
					 dmio_contact);
		return dmio_fail(ENODEV, err, errlen, "device-mapper");
	}
	if (name && !dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		return dmio_fail(EINVAL, err, errlen, "map '%s'", name);
	}
	*out = dmt;
	return 0;
}

/* What DM_DEVICE_INFO says of a device named name, or with UUID uuid. */
struct dmio_info {
	struct dm_info info; /* info.exists 0: there is none */
	char name[DM_NAME_LEN];
	char uuid[DM_UUID_LEN];
};

static int dmio_info(const char *name, const char *uuid, struct dmio_info *out, char *err,
		     size_t errlen)
{
	struct dm_task *dmt;
	const char *s;
	int r;

	memset(out, 0, sizeof(*out));
	r = dmio_task(DM_DEVICE_INFO, name, &dmt, err, errlen);
	if (r)
		return r;
	if (uuid && !dm_task_set_uuid(dmt, uuid)) {
		r = dmio_fail(EINVAL, err, errlen, "UUID '%s'", uuid);
		goto out;
	}
	/* INFO of a device that is not there succeeds, with exists 0. */
	if (!dm_task_run(dmt) || !dm_task_get_info(dmt, &out->info)) {
		r = dmio_fail(dmio_errno(dmt), err, errlen, "map '%s'", name ? name : uuid);
		goto out;
	}
	if (out->info.exists) {
		s = dm_task_get_name(dmt);
		snprintf(out->name, sizeof(out->name), "%s", s ? s : "");
		s = dm_task_get_uuid(dmt);
		snprintf(out->uuid, sizeof(out->uuid), "%s", s ? s : "");
	}
out:
	dm_task_destroy(dmt);
	return r;
}

/*
 * Waits for udev to finish with the uevent of cookie, at most
 * DM_UDEV_WAIT_MS. A cookie of 0 (udev not running, or not used) waits for
 * nothing, but dm_udev_wait(0) is still what makes libdevmapper create or
 * remove the nodes it took on itself. 0, -ETIMEDOUT, or -EIO when the
 * cookie's semaphore failed (libdevmapper logged why).
 */
static int dmio_udev_wait(uint32_t cookie)
{
	struct timespec t0, now, pause = {.tv_nsec = DMIO_UDEV_POLL_MS * 1000000L};
	int64_t waited_ms;
	int ready = 0;

	if (!cookie)
		return dm_udev_wait(0) ? 0 : -EIO;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (!dm_udev_wait_immediate(cookie, &ready))
			return -EIO;
		if (ready)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms =
		    (int64_t)(now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (waited_ms >= DM_UDEV_WAIT_MS)
			break;
		nanosleep(&pause, NULL);
	}
	/*
	 * Give up: do udev's part (95-dm-notify.rules' dmsetup udevcomplete),
	 * so that the wait below ends at once and removes the cookie's
	 * semaphore, which would otherwise stay in the system until a reboot.
	 */
	dm_udev_complete(cookie);
	dm_udev_wait_immediate(cookie, &ready);
	return -ETIMEDOUT;
}

static uint16_t dmio_udev_flags(const struct mp_map_spec *spec, bool reload_same_size)
{
	uint16_t flags = DMIO_UDEV_NO_KPARTX;

	if (dm_udev_get_sync_support())
		flags |= DM_UDEV_DISABLE_LIBRARY_FALLBACK;
	if (spec && spec->ngroups == 0)
		flags |= DMIO_UDEV_NO_PATHS;
	if (reload_same_size)
		flags |= DMIO_UDEV_RELOAD;
	return flags;
}

/* A map's UUID; mp_spec_check has made sure that the WWID fits. */
static void dmio_uuid(char uuid[DM_UUID_LEN], const char *wwid)
{
	snprintf(uuid, DM_UUID_LEN, "%s%.*s", MP_UUID_PREFIX,
		 (int)(DM_UUID_LEN - sizeof(MP_UUID_PREFIX)), wwid);
}

/* ---- list ---- */

/* One device as the kernel lists it into *ev: 0, -ENOENT (not a multipath map, or gone), -errno. */
static int dmio_read_map(const char *name, struct mp_ev_map *ev, char *err, size_t errlen)
{
	struct dm_task *table = NULL, *status = NULL;
	struct mp_map_text m = {.name = name};
	struct dmio_info di;
	uint64_t start, length;
	char *type, *params;
	void *next = NULL;
	int r;

	r = dmio_info(name, NULL, &di, err, errlen);
	if (r)
		return r;
	if (!di.info.exists || strncmp(di.uuid, MP_UUID_PREFIX, strlen(MP_UUID_PREFIX)))
		return -ENOENT;
	m.uuid = di.uuid;
	m.open_count = di.info.open_count > 0 ? (uint32_t)di.info.open_count : 0;
	m.suspended = di.info.suspended;

	r = dmio_task(DM_DEVICE_TABLE, name, &table, err, errlen);
	if (r)
		return r;
	if (!dm_task_run(table)) {
		r = dm_task_get_errno(table) == ENXIO
			? -ENOENT
			: dmio_fail(dmio_errno(table), err, errlen, "table of map '%s'", name);
		goto out;
	}
	do {
		next = dm_get_next_target(table, next, &start, &length, &type, &params);
		if (!type)
			break;
		if (m.ntargets++ == 0) {
			m.start = start;
			m.length = length;
			m.type = type;
			m.table = params;
		}
	} while (next);

	r = dmio_task(DM_DEVICE_STATUS, name, &status, err, errlen);
	if (r)
		goto out;
	if (!dm_task_run(status)) {
		r = dm_task_get_errno(status) == ENXIO
			? -ENOENT
			: dmio_fail(dmio_errno(status), err, errlen, "status of map '%s'", name);
		goto out;
	}
	next = dm_get_next_target(status, NULL, &start, &length, &type, &params);
	if (type && m.type && !strcmp(type, m.type))
		m.status = params;
	r = mp_spec_read_map(&m, ev, NULL, 0);
out:
	if (status)
		dm_task_destroy(status);
	dm_task_destroy(table);
	return r;
}

static int dmio_list(void *arg, struct mp_ev_map **out, size_t *n, char *err, size_t errlen)
{
	struct mp_ev_map *maps = NULL, *grown;
	struct dm_task *dmt;
	struct dm_names *names;
	size_t count = 0, cap = 0;
	unsigned int next;
	int r;

	(void)arg;
	*out = NULL;
	*n = 0;
	dmio_begin();
	r = dmio_task(DM_DEVICE_LIST, NULL, &dmt, err, errlen);
	if (r)
		return r;
	if (!dm_task_run(dmt)) {
		r = dmio_fail(dmio_errno(dmt), err, errlen, "list of device-mapper devices");
		goto out;
	}
	names = dm_task_get_names(dmt);
	if (!names) {
		r = dmio_fail(ENOMEM, err, errlen, "list of device-mapper devices");
		goto out;
	}
	/* dev 0: no device at all */
	if (!names->dev)
		goto out;
	do {
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(maps, cap * sizeof(*maps));
			if (!grown) {
				r = dmio_fail(ENOMEM, err, errlen, "list of multipath maps");
				goto out;
			}
			maps = grown;
		}
		/* a map's messages must not be taken for the next one's */
		dmio_msg[0] = '\0';
		r = dmio_read_map(names->name, &maps[count], err, errlen);
		if (r == 0)
			count++;
		else if (r != -ENOENT)
			goto out;
		r = 0;
		next = names->next;
		names = (struct dm_names *)((char *)names + next);
	} while (next);
out:
	dm_task_destroy(dmt);
	if (r || !count) {
		free(maps);
		return r;
	}
	*out = maps;
	*n = count;
	return 0;
}

/* ---- create ---- */

/* Whether /dev/mapper/<name> is there, as a block device. */
static bool dmio_node_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dm_dir(), name);
	return !stat(path, &st) && S_ISBLK(st.st_mode);
}

static int dmio_create(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen)
{
	char params[DMT_TABLE_TEXT_MAX], uuid[DM_UUID_LEN], why[160];
	struct dm_task *dmt;
	struct dmio_info di;
	uint32_t cookie = 0;
	int r, e, ran, waited;

	(void)arg;
	dmio_begin();
	r = mp_spec_check(spec, why, sizeof(why));
	if (r) {
		snprintf(err, errlen, "map '%.*s': %s", MP_MAP_NAME_MAX, spec->name, why);
		return r;
	}
	mp_spec_build(spec, params, sizeof(params));
	dmio_uuid(uuid, spec->wwid);
	/* the kernel says EBUSY for either: tell the administrator which */
	r = dmio_info(spec->name, NULL, &di, err, errlen);
	if (r)
		return r;
	if (di.info.exists) {
		snprintf(err, errlen,
			 "map '%s': a device-mapper device has that name already (UUID '%s')",
			 spec->name, di.uuid);
		return -EEXIST;
	}
	r = dmio_info(NULL, uuid, &di, err, errlen);
	if (r)
		return r;
	if (di.info.exists) {
		snprintf(err, errlen, "map '%s': map '%s' has its UUID '%s' already", spec->name,
			 di.name, uuid);
		return -EEXIST;
	}

	r = dmio_task(DM_DEVICE_CREATE, spec->name, &dmt, err, errlen);
	if (r)
		return r;
	if (!dm_task_set_uuid(dmt, uuid) ||
	    !dm_task_add_target(dmt, 0, spec->sectors, MP_TARGET_TYPE, params)) {
		r = dmio_fail(ENOMEM, err, errlen, "map '%s'", spec->name);
		goto out;
	}
	/* the create ends with a resume: no filesystem freeze, no flush of queued I/O */
	dm_task_skip_lockfs(dmt);
	dm_task_no_flush(dmt);
	if (!dm_task_set_cookie(dmt, &cookie, dmio_udev_flags(spec, false))) {
		r = dmio_fail(EIO, err, errlen, "map '%s': udev synchronisation", spec->name);
		goto out;
	}
	ran = dm_task_run(dmt);
	e = dmio_errno(dmt);
	/* always: a failed run completed the cookie itself, and this removes it */
	waited = dmio_udev_wait(cookie);
	if (!ran) {
		/* libdevmapper removed the half-made device (CREATE without its table) */
		r = dmio_fail(e, err, errlen, "create map '%s' (0 %llu %s %s)", spec->name,
			      (unsigned long long)spec->sectors, MP_TARGET_TYPE, params);
		goto out;
	}
	if (waited == -ETIMEDOUT) {
		snprintf(
		    err, errlen,
		    "map '%s' made, but udev did not finish with it within %d s: /dev/mapper/%s "
		    "may come later",
		    spec->name, DM_UDEV_WAIT_MS / 1000, spec->name);
		r = -ETIMEDOUT;
		goto out;
	}
	if (!dmio_node_exists(spec->name)) {
		snprintf(err, errlen,
			 "map '%s' made, but %s/%s is not there (udev's device-mapper rules, "
			 "55-dm.rules and 95-dm-notify.rules of the dmsetup package, missing?)",
			 spec->name, dm_dir(), spec->name);
		r = -ENOENT;
	}
out:
	dm_task_destroy(dmt);
	return r;
}

/* ---- reload ---- */

/* The map's UUID and the length of its table, from DM_DEVICE_TABLE. */
static int dmio_current(const char *name, char *uuid, size_t uuidlen, uint64_t *length, char *err,
			size_t errlen)
{
	uint64_t start, len;
	char *type, *params;
	struct dm_task *dmt;
	void *next = NULL;
	const char *u;
	int r;

	*length = 0;
	r = dmio_task(DM_DEVICE_TABLE, name, &dmt, err, errlen);
	if (r)
		return r;
	if (!dm_task_run(dmt)) {
		r = dm_task_get_errno(dmt) == ENXIO
			? (snprintf(err, errlen, "no map named '%s'", name), -ENXIO)
			: dmio_fail(dmio_errno(dmt), err, errlen, "table of map '%s'", name);
		goto out;
	}
	u = dm_task_get_uuid(dmt);
	snprintf(uuid, uuidlen, "%s", u ? u : "");
	do {
		next = dm_get_next_target(dmt, next, &start, &len, &type, &params);
		if (type)
			*length += len;
	} while (next);
out:
	dm_task_destroy(dmt);
	return r;
}

/* DM_DEVICE_SUSPEND or DM_DEVICE_RESUME of name, without flush or freeze; resume with a cookie. */
static int dmio_suspend_resume(int type, const char *name, uint16_t udev_flags, int *waited)
{
	struct dm_task *dmt;
	uint32_t cookie = 0;
	char ignored[8];
	int r, ran;

	*waited = 0;
	r = dmio_task(type, name, &dmt, ignored, sizeof(ignored));
	if (r)
		return r;
	/*
	 * noflush: dm-mpath's presuspend keeps queue_if_no_path, and I/O that
	 * waits in the map for a path stays queued across the swap instead of
	 * failing. skip_lockfs: no filesystem freeze, which would wait for
	 * that I/O.
	 */
	dm_task_no_flush(dmt);
	dm_task_skip_lockfs(dmt);
	if (type == DM_DEVICE_RESUME && !dm_task_set_cookie(dmt, &cookie, udev_flags)) {
		dm_task_destroy(dmt);
		return -EIO;
	}
	ran = dm_task_run(dmt);
	r = ran ? 0 : -dmio_errno(dmt);
	if (type == DM_DEVICE_RESUME)
		*waited = dmio_udev_wait(cookie);
	dm_task_destroy(dmt);
	return r;
}

static int dmio_reload(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen)
{
	char params[DMT_TABLE_TEXT_MAX], want[DM_UUID_LEN], uuid[DM_UUID_LEN], why[160];
	char first[DMIO_MSG_MAX];
	struct dm_task *dmt;
	uint64_t length;
	uint16_t flags;
	int r, r2, waited;

	(void)arg;
	dmio_begin();
	r = mp_spec_check(spec, why, sizeof(why));
	if (r) {
		snprintf(err, errlen, "map '%.*s': %s", MP_MAP_NAME_MAX, spec->name, why);
		return r;
	}
	mp_spec_build(spec, params, sizeof(params));
	dmio_uuid(want, spec->wwid);
	r = dmio_current(spec->name, uuid, sizeof(uuid), &length, err, errlen);
	if (r)
		return r;
	if (strcmp(uuid, want)) {
		snprintf(err, errlen, "map '%s' is '%s', not '%s': not reloaded with these paths",
			 spec->name, uuid, want);
		return -EEXIST;
	}
	flags = dmio_udev_flags(spec, length == spec->sectors);

	/* the new table into the inactive slot: nothing changes yet */
	r = dmio_task(DM_DEVICE_RELOAD, spec->name, &dmt, err, errlen);
	if (r)
		return r;
	if (!dm_task_add_target(dmt, 0, spec->sectors, MP_TARGET_TYPE, params)) {
		dm_task_destroy(dmt);
		return dmio_fail(ENOMEM, err, errlen, "map '%s'", spec->name);
	}
	if (!dm_task_run(dmt)) {
		r = dmio_fail(
		    dmio_errno(dmt), err, errlen, "load table '0 %llu %s %s' into map '%s'",
		    (unsigned long long)spec->sectors, MP_TARGET_TYPE, params, spec->name);
		dm_task_destroy(dmt);
		return r;
	}
	dm_task_destroy(dmt);

	r = dmio_suspend_resume(DM_DEVICE_SUSPEND, spec->name, 0, &waited);
	if (r) {
		r = dmio_fail(-r, err, errlen, "suspend map '%s' for its new table", spec->name);
		/* drop the new table, so that no later resume swaps it in unasked */
		dmio_msg[0] = '\0';
		if (dmio_task(DM_DEVICE_CLEAR, spec->name, &dmt, first, sizeof(first)) == 0) {
			if (dm_task_run(dmt))
				first[0] = '\0';
			else
				snprintf(first, sizeof(first), "%s",
					 dmio_msg[0] ? dmio_msg : strerror(dmio_errno(dmt)));
			dm_task_destroy(dmt);
		}
		if (strlen(err) + 1 < errlen)
			snprintf(err + strlen(err), errlen - strlen(err),
				 first[0] ? "; its new table could not be dropped either: %s"
					  : "; its new table dropped, it runs on its old one%s",
				 first);
		return r;
	}

	r = dmio_suspend_resume(DM_DEVICE_RESUME, spec->name, flags, &waited);
	if (r) {
		/*
		 * The kernel drops a table it could not swap in and leaves the map
		 * suspended: a second resume resumes it on its old table.
		 */
		snprintf(first, sizeof(first), "%s", dmio_msg[0] ? dmio_msg : strerror(-r));
		dmio_msg[0] = '\0';
		r2 = dmio_suspend_resume(DM_DEVICE_RESUME, spec->name, flags, &waited);
		if (!r2)
			snprintf(err, errlen,
				 "map '%s': resume with its new table failed (%s); resumed on its "
				 "old table",
				 spec->name, first);
		else
			snprintf(
			    err, errlen,
			    "MAP '%s' IS LEFT SUSPENDED: every I/O to it waits until it is resumed "
			    "(dmsetup resume %s). Resume failed (%s), and again (%s)",
			    spec->name, spec->name, first, dmio_msg[0] ? dmio_msg : strerror(-r2));
		return r;
	}
	if (waited == -ETIMEDOUT) {
		snprintf(err, errlen,
			 "map '%s' reloaded, but udev did not finish with it within %d s",
			 spec->name, DM_UDEV_WAIT_MS / 1000);
		return -ETIMEDOUT;
	}
	return 0;
}

/* ---- remove ---- */

static int dmio_remove(void *arg, const char *name, bool deferred, char *err, size_t errlen)
{
	struct dm_task *dmt;
	struct dmio_info di;
	uint32_t cookie = 0;
	int r, e, ran, waited;

	(void)arg;
	dmio_begin();
	r = dmio_info(name, NULL, &di, err, errlen);
	if (r)
		return r;
	if (!di.info.exists) {
		snprintf(err, errlen, "no map named '%s'", name);
		return -ENXIO;
	}
	/*
	 * An open count now is no reason to give up yet: udev's workers (blkid,
	 * multipath -U) open a map for a moment after each of its uevents.
	 */
	r = dmio_task(DM_DEVICE_REMOVE, name, &dmt, err, errlen);
	if (r)
		return r;
	/*
	 * Deferred: the kernel removes an open map at its last close (and then
	 * sends the uevent; libdevmapper completes this cookie itself). Not
	 * deferred: retried while busy, up to 25 times 200 ms.
	 */
	if (deferred)
		dm_task_deferred_remove(dmt);
	else
		dm_task_retry_remove(dmt);
	if (!dm_task_set_cookie(dmt, &cookie, dmio_udev_flags(NULL, false))) {
		r = dmio_fail(EIO, err, errlen, "map '%s': udev synchronisation", name);
		goto out;
	}
	ran = dm_task_run(dmt);
	e = dmio_errno(dmt);
	waited = dmio_udev_wait(cookie);
	if (!ran) {
		if (e == ENXIO) {
			snprintf(err, errlen, "no map named '%s'", name);
			r = -ENXIO;
		} else if (e == EBUSY && dmio_info(name, NULL, &di, err, errlen) == 0) {
			snprintf(err, errlen,
				 "map '%s' is open (open count %d): not removed (retried for 5 s)",
				 name, di.info.open_count);
			r = -EBUSY;
		} else {
			r = dmio_fail(e, err, errlen, "remove map '%s'", name);
		}
		goto out;
	}
	if (waited == -ETIMEDOUT) {
		snprintf(err, errlen,
			 "map '%s' removed, but udev did not finish with it within %d s", name,
			 DM_UDEV_WAIT_MS / 1000);
		r = -ETIMEDOUT;
	}
out:
	dm_task_destroy(dmt);
	return r;
}

/* ---- message ---- */

static int dmio_message(void *arg, const char *name, const char *msg, char *err, size_t errlen)
{
	struct dm_task *dmt;
	int r;

	(void)arg;
	dmio_begin();
	r = dmio_task(DM_DEVICE_TARGET_MSG, name, &dmt, err, errlen);
	if (r)
		return r;
	/* the multipath target covers the map from sector 0 */
	if (!dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, msg)) {
		r = dmio_fail(ENOMEM, err, errlen, "map '%s'", name);
	} else if (!dm_task_run(dmt)) {
		if (dm_task_get_errno(dmt) == ENXIO) {
			snprintf(err, errlen, "no map named '%s'", name);
			r = -ENXIO;
		} else {
			r = dmio_fail(dmio_errno(dmt), err, errlen, "message '%s' to map '%s'", msg,
				      name);
		}
	}
	dm_task_destroy(dmt);
	return r;
}

/* ---- probe ---- */

int dm_libdm_probe(struct dm_libdm_info *info, char *err, size_t errlen)
{
	struct dm_task *dmt;
	int r;

	dmio_begin();
	memset(info, 0, sizeof(*info));
	dm_get_library_version(info->library, sizeof(info->library));
	r = dmio_task(DM_DEVICE_VERSION, NULL, &dmt, err, errlen);
	if (r)
		return r;
	if (!dm_task_run(dmt) ||
	    !dm_task_get_driver_version(dmt, info->driver, sizeof(info->driver))) {
		r = dmio_fail(dmio_errno(dmt), err, errlen, "device-mapper version");
		goto out;
	}
	info->udev_sync = dm_udev_get_sync_support();
out:
	dm_task_destroy(dmt);
	return r;
}

const struct dm_ops dm_libdm_ops = {
    .list = dmio_list,
    .create = dmio_create,
    .reload = dmio_reload,
    .remove = dmio_remove,
    .message = dmio_message,
};

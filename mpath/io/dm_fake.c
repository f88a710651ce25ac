// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fake device-mapper (dm_fake.h). Each map keeps its table as the
 * kernel prints it back (canonical) and the state of its paths; list
 * writes both out as text and reads them back through mp_spec_read_map,
 * so the daemon meets the same parsers as over the real adapter. The
 * rules are the kernel's: dm-ioctl.c (dev_create, dev_remove, table_load,
 * target_message) and dm-mpath.c (multipath_ctr, multipath_message,
 * multipath_status), as of 6.x; the error texts are those dm.c writes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "mpath/io/dm_fake.h"

struct dm_fake_path {
	bool failed;
	unsigned int fail_count;
};

struct dm_fake_map {
	char name[MP_MAP_NAME_MAX];
	char uuid[MP_UUID_MAX];
	uint64_t sectors;
	struct dmt_table table; /* as the kernel prints it back; its queue_if_no_path is live */
	struct dm_fake_path paths[DMT_PATHS_MAX]; /* the table's paths, in its order */
	bool bypassed[DMT_GROUPS_MAX];		  /* disable_group */
	unsigned int next_group;		  /* switch_group, 1-based; 0 none asked */
	uint32_t open_count;
	bool deferred_remove;
};

struct dm_fake {
	pthread_mutex_t lock;
	struct dm_fake_map *maps; /* in name order, as DM_DEVICE_LIST gives them */
	size_t nmaps, cap;
	int fail_next[DM_FAKE_OP_COUNT];
	unsigned int calls[DM_FAKE_OP_COUNT];
};

int dm_fake_create(struct dm_fake **out)
{
	struct dm_fake *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	*out = f;
	return 0;
}

void dm_fake_destroy(struct dm_fake *f)
{
	if (!f)
		return;
	pthread_mutex_destroy(&f->lock);
	free(f->maps);
	free(f);
}

__attribute__((format(printf, 3, 4))) static void dmf_err(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Counts the call; an injected failure is returned (negative), else 0. Under the lock. */
static int dmf_enter(struct dm_fake *f, enum dm_fake_op op, char *err, size_t errlen)
{
	int r = f->fail_next[op];

	f->calls[op]++;
	if (r) {
		f->fail_next[op] = 0;
		dmf_err(err, errlen, "injected failure: %s", strerror(-r));
	}
	return r;
}

static struct dm_fake_map *dmf_find(struct dm_fake *f, const char *name)
{
	for (size_t i = 0; i < f->nmaps; i++)
		if (!strcmp(f->maps[i].name, name))
			return &f->maps[i];
	return NULL;
}

static struct dm_fake_map *dmf_find_uuid(struct dm_fake *f, const char *uuid)
{
	for (size_t i = 0; i < f->nmaps; i++)
		if (uuid[0] && !strcmp(f->maps[i].uuid, uuid))
			return &f->maps[i];
	return NULL;
}

/* A new map slot for name, in name order; NULL when out of memory. */
static struct dm_fake_map *dmf_insert(struct dm_fake *f, const char *name)
{
	struct dm_fake_map *grown;
	size_t at = 0;

	if (f->nmaps == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;

		grown = realloc(f->maps, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		f->maps = grown;
		f->cap = cap;
	}
	while (at < f->nmaps && strcmp(f->maps[at].name, name) < 0)
		at++;
	memmove(&f->maps[at + 1], &f->maps[at], (f->nmaps - at) * sizeof(*f->maps));
	f->nmaps++;
	memset(&f->maps[at], 0, sizeof(f->maps[at]));
	snprintf(f->maps[at].name, sizeof(f->maps[at].name), "%s", name);
	return &f->maps[at];
}

static void dmf_erase(struct dm_fake *f, struct dm_fake_map *m)
{
	size_t at = (size_t)(m - f->maps);

	memmove(&f->maps[at], &f->maps[at + 1], (f->nmaps - at - 1) * sizeof(*f->maps));
	f->nmaps--;
}

/* A new table, loaded and resumed: every path active, no group bypassed or asked for. */
static void dmf_load(struct dm_fake_map *m, const struct dmt_table *t, uint64_t sectors)
{
	m->table = *t;
	m->sectors = sectors;
	memset(m->paths, 0, sizeof(m->paths));
	memset(m->bypassed, 0, sizeof(m->bypassed));
	m->next_group = 0;
}

/* ---- text, as the kernel prints it ---- */

struct dmf_out {
	char *buf;
	size_t len, used;
	bool full;
};

__attribute__((format(printf, 2, 3))) static void dmf_emit(struct dmf_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used) {
		o->full = true;
		return;
	}
	o->used += (size_t)n;
}

/*
 * multipath_status, STATUSTYPE_INFO, for a map no I/O has gone through:
 * MPATHF_QUEUE_IO still set from the load, no pg_init, no current group
 * (so no group is 'A'), pg_num the group switch_group asked for or the
 * first; per path its state and fail count, then the selector's status
 * (service-time: in-flight bytes and relative throughput; queue-length:
 * in-flight I/Os; round-robin: nothing).
 */
static int dmf_status_text(const struct dm_fake_map *m, char *buf, size_t len)
{
	const struct dmt_table *t = &m->table;
	struct dmf_out o = {.buf = buf, .len = len};
	const struct dmt_selector_info *si;
	unsigned int g, j, first = 0;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	dmf_emit(&o, "2 1 0 0 %u %u ", t->ngroups,
		 m->next_group ? m->next_group : (t->ngroups ? 1u : 0u));
	for (g = 0; g < t->ngroups; g++) {
		const struct dmt_group *grp = &t->groups[g];

		si = dmt_selector_find(grp->selector);
		dmf_emit(&o, "%c 0 %u %u ", m->bypassed[g] ? 'D' : 'E', grp->npaths,
			 si ? si->status_args : 0);
		for (j = 0; j < grp->npaths; j++) {
			const struct dmt_path *p = &t->paths[first + j];
			const struct dm_fake_path *ps = &m->paths[first + j];

			dmf_emit(&o, "%u:%u %c %u ", p->major, p->minor, ps->failed ? 'F' : 'A',
				 ps->fail_count);
			/* st_status and ql_status; rr_status prints nothing, nor does an unknown
			 * one here */
			if (si == dmt_selector_get(DMT_SELECTOR_SERVICE_TIME))
				dmf_emit(&o, "0 %s ", p->args[1]);
			else if (si == dmt_selector_get(DMT_SELECTOR_QUEUE_LENGTH))
				dmf_emit(&o, "0 ");
		}
		first += grp->npaths;
	}
	if (o.full) {
		buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)o.used;
}

/* ---- the ops ---- */

static int dmf_list(void *arg, struct mp_ev_map **out, size_t *n, char *err, size_t errlen)
{
	struct dm_fake *f = arg;
	struct mp_ev_map *maps = NULL;
	char table[DMT_TABLE_TEXT_MAX], status[DMT_TABLE_TEXT_MAX];
	size_t count = 0;
	int r;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&f->lock);
	r = dmf_enter(f, DM_FAKE_OP_LIST, err, errlen);
	if (r || !f->nmaps)
		goto out;
	maps = calloc(f->nmaps, sizeof(*maps));
	if (!maps) {
		dmf_err(err, errlen, "list of multipath maps: %s", strerror(ENOMEM));
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < f->nmaps; i++) {
		const struct dm_fake_map *m = &f->maps[i];
		struct mp_map_text mt = {
		    .name = m->name,
		    .uuid = m->uuid,
		    .open_count = m->open_count,
		    .ntargets = 1,
		    .length = m->sectors,
		    .type = MP_TARGET_TYPE,
		    .table = table,
		    .status = status,
		};

		/* both fit: DMT_TABLE_TEXT_MAX holds any table, and its status is shorter */
		if (dmt_table_build(&m->table, table, sizeof(table)) < 0 ||
		    dmf_status_text(m, status, sizeof(status)) < 0) {
			dmf_err(err, errlen, "map '%s': its table cannot be printed", m->name);
			r = -EIO;
			goto out;
		}
		if (mp_spec_read_map(&mt, &maps[count], NULL, 0) == 0)
			count++;
	}
out:
	pthread_mutex_unlock(&f->lock);
	if (r || !count) {
		free(maps);
		return r;
	}
	*out = maps;
	*n = count;
	return 0;
}

static int dmf_create(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen)
{
	struct dm_fake *f = arg;
	struct dm_fake_map *m;
	struct dmt_table t;
	char uuid[MP_UUID_MAX], why[160];
	int r;

	pthread_mutex_lock(&f->lock);
	r = dmf_enter(f, DM_FAKE_OP_CREATE, err, errlen);
	if (r)
		goto out;
	r = mp_spec_check(spec, why, sizeof(why));
	if (r) {
		dmf_err(err, errlen, "map '%.*s': %s", MP_MAP_NAME_MAX, spec->name, why);
		goto out;
	}
	snprintf(uuid, sizeof(uuid), "%s%.*s", MP_UUID_PREFIX,
		 (int)(MP_UUID_MAX - sizeof(MP_UUID_PREFIX)), spec->wwid);
	m = dmf_find(f, spec->name);
	if (m) {
		dmf_err(err, errlen,
			"map '%s': a device-mapper device has that name already (UUID '%s')",
			spec->name, m->uuid);
		r = -EEXIST;
		goto out;
	}
	m = dmf_find_uuid(f, uuid);
	if (m) {
		dmf_err(err, errlen, "map '%s': map '%s' has its UUID '%s' already", spec->name,
			m->name, uuid);
		r = -EEXIST;
		goto out;
	}
	mp_spec_to_dmt(spec, &t);
	/* what the kernel prints back: the same text, as pathd loads it */
	dmt_table_canon(&t);
	m = dmf_insert(f, spec->name);
	if (!m) {
		dmf_err(err, errlen, "map '%s': %s", spec->name, strerror(ENOMEM));
		r = -ENOMEM;
		goto out;
	}
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	dmf_load(m, &t, spec->sectors);
out:
	pthread_mutex_unlock(&f->lock);
	return r;
}

static int dmf_reload(void *arg, const struct mp_map_spec *spec, char *err, size_t errlen)
{
	struct dm_fake *f = arg;
	struct dm_fake_map *m;
	struct dmt_table t;
	char want[MP_UUID_MAX], why[160];
	int r;

	pthread_mutex_lock(&f->lock);
	r = dmf_enter(f, DM_FAKE_OP_RELOAD, err, errlen);
	if (r)
		goto out;
	r = mp_spec_check(spec, why, sizeof(why));
	if (r) {
		dmf_err(err, errlen, "map '%.*s': %s", MP_MAP_NAME_MAX, spec->name, why);
		goto out;
	}
	m = dmf_find(f, spec->name);
	if (!m) {
		dmf_err(err, errlen, "no map named '%s'", spec->name);
		r = -ENXIO;
		goto out;
	}
	snprintf(want, sizeof(want), "%s%.*s", MP_UUID_PREFIX,
		 (int)(MP_UUID_MAX - sizeof(MP_UUID_PREFIX)), spec->wwid);
	if (strcmp(m->uuid, want)) {
		dmf_err(err, errlen, "map '%s' is '%s', not '%s': not reloaded with these paths",
			spec->name, m->uuid, want);
		r = -EEXIST;
		goto out;
	}
	mp_spec_to_dmt(spec, &t);
	dmt_table_canon(&t);
	dmf_load(m, &t, spec->sectors);
out:
	pthread_mutex_unlock(&f->lock);
	return r;
}

static int dmf_remove(void *arg, const char *name, bool deferred, char *err, size_t errlen)
{
	struct dm_fake *f = arg;
	struct dm_fake_map *m;
	int r;

	pthread_mutex_lock(&f->lock);
	r = dmf_enter(f, DM_FAKE_OP_REMOVE, err, errlen);
	if (r)
		goto out;
	m = dmf_find(f, name);
	if (!m) {
		dmf_err(err, errlen, "no map named '%s'", name);
		r = -ENXIO;
		goto out;
	}
	if (m->open_count && !deferred) {
		dmf_err(err, errlen,
			"map '%s' is open (open count %u): not removed (retried for 5 s)", name,
			m->open_count);
		r = -EBUSY;
		goto out;
	}
	/* dev_remove: an open map with DM_DEFERRED_REMOVE goes at its last close; 0 all the same */
	if (m->open_count)
		m->deferred_remove = true;
	else
		dmf_erase(f, m);
out:
	pthread_mutex_unlock(&f->lock);
	return r;
}

/* "major:minor" as dm_get_device reads one (sscanf "%u:%u"). */
static bool dmf_devt(const char *s, unsigned int *major, unsigned int *minor)
{
	char tail;

	return sscanf(s, "%u:%u%c", major, minor, &tail) == 2;
}

/* A group number as switch_pg_num and bypass_pg_num read one: 1..ngroups. */
static bool dmf_group(const struct dm_fake_map *m, const char *s, unsigned int *g)
{
	char tail;

	return sscanf(s, "%u%c", g, &tail) == 1 && *g && *g <= m->table.ngroups;
}

/* multipath_message, for the map m; argv as dm_split_args splits the message. */
static int dmf_message_map(struct dm_fake_map *m, int argc, char **argv)
{
	unsigned int major, minor, g, i;
	bool fail, found = false;

	if (argc == 1 && !strcasecmp(argv[0], "queue_if_no_path")) {
		m->table.features.queue_if_no_path = true;
		return 0;
	}
	if (argc == 1 && !strcasecmp(argv[0], "fail_if_no_path")) {
		m->table.features.queue_if_no_path = false;
		return 0;
	}
	if (argc != 2)
		return -EINVAL;
	if (!strcasecmp(argv[0], "disable_group") || !strcasecmp(argv[0], "enable_group")) {
		if (!dmf_group(m, argv[1], &g))
			return -EINVAL;
		m->bypassed[g - 1] = !strcasecmp(argv[0], "disable_group");
		return 0;
	}
	if (!strcasecmp(argv[0], "switch_group")) {
		if (!dmf_group(m, argv[1], &g))
			return -EINVAL;
		memset(m->bypassed, 0, sizeof(m->bypassed));
		m->next_group = g;
		return 0;
	}
	if (!strcasecmp(argv[0], "fail_path"))
		fail = true;
	else if (!strcasecmp(argv[0], "reinstate_path"))
		fail = false;
	else
		return -EINVAL;
	/* dm_get_device: a device the fake does not know of cannot be opened */
	if (!dmf_devt(argv[1], &major, &minor))
		return -ENXIO;
	/* action_dev: -EINVAL unless the map has the device */
	for (i = 0; i < m->table.npaths; i++) {
		struct dm_fake_path *p = &m->paths[i];

		if (m->table.paths[i].major != major || m->table.paths[i].minor != minor)
			continue;
		found = true;
		if (fail && !p->failed)
			p->fail_count++;
		p->failed = fail;
	}
	return found ? 0 : -EINVAL;
}

/* target_message: "@cancel_deferred_remove" is for the device, the rest for its target. */
static int dmf_message(void *arg, const char *name, const char *msg, char *err, size_t errlen)
{
	struct dm_fake *f = arg;
	struct dm_fake_map *m;
	char words[256], *argv[4], *save = NULL, *w;
	int argc = 0, r;

	pthread_mutex_lock(&f->lock);
	r = dmf_enter(f, DM_FAKE_OP_MESSAGE, err, errlen);
	if (r)
		goto out;
	m = dmf_find(f, name);
	if (!m) {
		dmf_err(err, errlen, "no map named '%s'", name);
		r = -ENXIO;
		goto out;
	}
	snprintf(words, sizeof(words), "%s", msg);
	for (w = strtok_r(words, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		if (argc < (int)ARRAY_SIZE(argv))
			argv[argc++] = w;
	if (argc == 0)
		r = -EINVAL;
	else if (argv[0][0] == '@')
		/* dm_cancel_deferred_remove: 0 whether one was pending or not */
		r = argc == 1 && !strcasecmp(argv[0], "@cancel_deferred_remove")
			? (m->deferred_remove = false, 0)
			: -EINVAL;
	else
		r = dmf_message_map(m, argc, argv);
	if (r)
		dmf_err(err, errlen,
			"message '%s' to map '%s': device-mapper: message ioctl on %s failed: %s",
			msg, name, name, strerror(-r));
out:
	pthread_mutex_unlock(&f->lock);
	return r;
}

const struct dm_ops dm_fake_ops = {
    .list = dmf_list,
    .create = dmf_create,
    .reload = dmf_reload,
    .remove = dmf_remove,
    .message = dmf_message,
};

/* ---- what tests do to it ---- */

int dm_fake_fail_next(struct dm_fake *f, enum dm_fake_op op, int err)
{
	if ((unsigned int)op >= DM_FAKE_OP_COUNT || err >= 0)
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	f->fail_next[op] = err;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

unsigned int dm_fake_calls(struct dm_fake *f, enum dm_fake_op op)
{
	unsigned int n = 0;

	if ((unsigned int)op >= DM_FAKE_OP_COUNT)
		return 0;
	pthread_mutex_lock(&f->lock);
	n = f->calls[op];
	pthread_mutex_unlock(&f->lock);
	return n;
}

int dm_fake_set_open(struct dm_fake *f, const char *name, uint32_t count)
{
	struct dm_fake_map *m;
	int r = 0;

	pthread_mutex_lock(&f->lock);
	m = dmf_find(f, name);
	if (!m)
		r = -ENXIO;
	else if ((m->open_count = count) == 0 && m->deferred_remove)
		dmf_erase(f, m);
	pthread_mutex_unlock(&f->lock);
	return r;
}

unsigned int dm_fake_path_error(struct dm_fake *f, const char *devt)
{
	unsigned int major, minor, n = 0;

	if (!dmf_devt(devt, &major, &minor))
		return 0;
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->nmaps; i++) {
		struct dm_fake_map *m = &f->maps[i];
		bool in = false;

		for (unsigned int j = 0; j < m->table.npaths; j++) {
			if (m->table.paths[j].major != major || m->table.paths[j].minor != minor)
				continue;
			in = true;
			if (!m->paths[j].failed)
				m->paths[j].fail_count++;
			m->paths[j].failed = true;
		}
		n += in;
	}
	pthread_mutex_unlock(&f->lock);
	return n;
}

int dm_fake_add_map(struct dm_fake *f, const char *name, const char *uuid, uint64_t sectors,
		    const char *table)
{
	struct dm_fake_map *m;
	struct dmt_table t;
	int r = 0;

	if (!name[0] || strlen(name) >= MP_MAP_NAME_MAX || strlen(uuid) >= MP_UUID_MAX ||
	    !sectors || dmt_table_parse(table, strlen(table), &t) || dmt_table_canon(&t))
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	if (dmf_find(f, name) || dmf_find_uuid(f, uuid)) {
		r = -EEXIST;
		goto out;
	}
	m = dmf_insert(f, name);
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	dmf_load(m, &t, sectors);
out:
	pthread_mutex_unlock(&f->lock);
	return r;
}

size_t dm_fake_count(struct dm_fake *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->nmaps;
	pthread_mutex_unlock(&f->lock);
	return n;
}

int dm_fake_table(struct dm_fake *f, const char *name, char *buf, size_t len)
{
	struct dm_fake_map *m;
	int r;

	pthread_mutex_lock(&f->lock);
	m = dmf_find(f, name);
	r = m ? dmt_table_build(&m->table, buf, len) : -ENXIO;
	pthread_mutex_unlock(&f->lock);
	return r;
}

int dm_fake_status(struct dm_fake *f, const char *name, char *buf, size_t len)
{
	struct dm_fake_map *m;
	int r;

	pthread_mutex_lock(&f->lock);
	m = dmf_find(f, name);
	r = m ? dmf_status_text(m, buf, len) : -ENXIO;
	pthread_mutex_unlock(&f->lock);
	return r;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Map specs as dm-multipath tables and back, and what a status line says
 * of the paths (map_spec.h). The text is dm_table.c's; the rules of which
 * tables are pathd's are here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "mpath/map_spec.h"

_Static_assert(MP_GROUPS_MAX <= DMT_GROUPS_MAX, "a spec's groups fit in a table");
_Static_assert(DMT_PATHS_MAX <= MP_GROUP_PATHS_MAX, "a table's paths fit in one spec group");
_Static_assert(DMT_PATHS_MAX <= MP_GROUPS_MAX * MP_GROUP_PATHS_MAX,
	       "a table's paths fit in mp_ev_map.failed");
_Static_assert(MP_DEVT_MAX > sizeof("4095:1048575"), "a spec device holds any major:minor");

/* The kernel's path selector each of the machine's selectors loads. */
static const enum dmt_selector mp_spec_selectors[] = {
    [MP_SELECTOR_SERVICE_TIME] = DMT_SELECTOR_SERVICE_TIME,
    [MP_SELECTOR_ROUND_ROBIN] = DMT_SELECTOR_ROUND_ROBIN,
    [MP_SELECTOR_QUEUE_LENGTH] = DMT_SELECTOR_QUEUE_LENGTH,
};

/* The table word of each hw handler: parse_hw_handler takes the scsi_dh name. */
static const char *const mp_hw_handler_words[] = {
    [MP_HW_HANDLER_NONE] = "",
    [MP_HW_HANDLER_ALUA] = "alua",
};

const char *mp_hw_handler_word(enum mp_hw_handler h)
{
	if ((unsigned int)h >= ARRAY_SIZE(mp_hw_handler_words))
		return NULL;
	return mp_hw_handler_words[h];
}

/* The first reason wins: later checks do not overwrite it. */
__attribute__((format(printf, 3, 4))) static void mp_spec_why(char *why, size_t whylen,
							      const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen || why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* A decimal number of wlen bytes, at most max, written as the kernel writes one: no leading zero.
 */
static int mp_spec_uint(const char *w, size_t wlen, unsigned int max, unsigned int *v)
{
	unsigned long n = 0;
	size_t i;

	if (wlen == 0 || (wlen > 1 && w[0] == '0'))
		return -EINVAL;
	for (i = 0; i < wlen; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -EINVAL;
		n = n * 10 + (unsigned long)(w[i] - '0');
		if (n > max)
			return -EINVAL;
	}
	*v = (unsigned int)n;
	return 0;
}

/* "major:minor" as format_dev_t prints it, and nothing else. */
static int mp_spec_devt(const char *devt, unsigned int *major, unsigned int *minor)
{
	size_t len = strnlen(devt, MP_DEVT_MAX);
	const char *colon = memchr(devt, ':', len);

	if (len == MP_DEVT_MAX || !colon)
		return -EINVAL;
	if (mp_spec_uint(devt, (size_t)(colon - devt), DMT_MAJOR_MAX, major))
		return -EINVAL;
	return mp_spec_uint(colon + 1, len - (size_t)(colon - devt) - 1, DMT_MINOR_MAX, minor);
}

static bool mp_spec_has_path(const struct dmt_table *t, unsigned int upto, unsigned int major,
			     unsigned int minor)
{
	for (unsigned int i = 0; i < upto; i++)
		if (t->paths[i].major == major && t->paths[i].minor == minor)
			return true;
	return false;
}

static int mp_spec_fill_dmt(const struct mp_map_spec *spec, struct dmt_table *out, char *why,
			    size_t whylen)
{
	const char *hw = mp_hw_handler_word(spec->hw_handler);
	unsigned int major, minor;
	size_t g, i;
	int r;

	if ((unsigned int)spec->selector >= ARRAY_SIZE(mp_spec_selectors) || !hw ||
	    spec->ngroups > MP_GROUPS_MAX) {
		mp_spec_why(why, whylen, "a selector, hw handler or group count out of range");
		return -EINVAL;
	}
	out->features.queue_if_no_path = spec->queue_if_no_path;
	snprintf(out->hw_handler, sizeof(out->hw_handler), "%s", hw);
	for (g = 0; g < spec->ngroups; g++) {
		const struct mp_group_spec *gs = &spec->groups[g];

		/* parse_priority_group: "invalid number of paths" below 1. */
		if (gs->npaths == 0 || gs->npaths > MP_GROUP_PATHS_MAX) {
			mp_spec_why(why, whylen, "path group %zu has %zu paths", g + 1, gs->npaths);
			return -EINVAL;
		}
		r = dmt_table_add_group(out, mp_spec_selectors[spec->selector]);
		if (r)
			return r;
		for (i = 0; i < gs->npaths; i++) {
			if (mp_spec_devt(gs->devt[i], &major, &minor)) {
				mp_spec_why(why, whylen, "path '%.*s' is not major:minor",
					    MP_DEVT_MAX, gs->devt[i]);
				return -EINVAL;
			}
			if (mp_spec_has_path(out, out->npaths, major, minor)) {
				mp_spec_why(why, whylen, "path %s twice", gs->devt[i]);
				return -EINVAL;
			}
			/* NULL args: the selector's defaults, what the kernel prints back. */
			r = dmt_table_add_path(out, major, minor, NULL);
			if (r) {
				mp_spec_why(why, whylen, "more than %d paths", DMT_PATHS_MAX);
				return r;
			}
		}
	}
	/* multipath_ctr: the initial group is 0 exactly when there are none. */
	out->initial_group = spec->ngroups ? 1 : 0;
	return 0;
}

int mp_spec_to_dmt(const struct mp_map_spec *spec, struct dmt_table *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = mp_spec_fill_dmt(spec, out, NULL, 0);
	if (r)
		memset(out, 0, sizeof(*out));
	return r;
}

int mp_spec_check(const struct mp_map_spec *spec, char *why, size_t whylen)
{
	size_t nlen = strnlen(spec->name, MP_MAP_NAME_MAX);
	size_t wlen = strnlen(spec->wwid, MP_WWID_MAX);
	struct dmt_table t;

	if (why && whylen)
		why[0] = '\0';
	/* dm-ioctl's check_name, and /dev/mapper/<name> */
	if (nlen == 0 || nlen == MP_MAP_NAME_MAX || memchr(spec->name, '/', nlen) ||
	    !strcmp(spec->name, ".") || !strcmp(spec->name, "..")) {
		mp_spec_why(why, whylen, "'%.*s' cannot name a map", MP_MAP_NAME_MAX, spec->name);
		return -EINVAL;
	}
	if (wlen == 0 || wlen == MP_WWID_MAX || strlen(MP_UUID_PREFIX) + wlen >= MP_UUID_MAX) {
		mp_spec_why(why, whylen, "WWID '%.*s' cannot make a UUID", MP_WWID_MAX, spec->wwid);
		return -EINVAL;
	}
	/* dm-table: "zero-length target" */
	if (spec->sectors == 0) {
		mp_spec_why(why, whylen, "a map of 0 sectors");
		return -EINVAL;
	}
	memset(&t, 0, sizeof(t));
	return mp_spec_fill_dmt(spec, &t, why, whylen);
}

int mp_spec_build(const struct mp_map_spec *spec, char *buf, size_t len)
{
	struct dmt_table t;
	int r = mp_spec_to_dmt(spec, &t);

	if (r) {
		if (len)
			buf[0] = '\0';
		return r;
	}
	return dmt_table_build(&t, buf, len);
}

static void mp_spec_clear_table(struct mp_map_spec *spec)
{
	spec->selector = MP_SELECTOR_SERVICE_TIME;
	spec->queue_if_no_path = false;
	spec->hw_handler = MP_HW_HANDLER_NONE;
	spec->ngroups = 0;
	memset(spec->groups, 0, sizeof(spec->groups));
}

/* A canonical table's features: only queue_if_no_path is pathd's. */
static bool mp_spec_features_ours(const struct dmt_features *f, char *why, size_t whylen)
{
	if (f->retain_attached_hw_handler)
		mp_spec_why(why, whylen, "feature retain_attached_hw_handler");
	else if (f->pg_init_retries)
		mp_spec_why(why, whylen, "feature pg_init_retries %u", f->pg_init_retries);
	else if (f->pg_init_delay_given)
		mp_spec_why(why, whylen, "feature pg_init_delay_msecs %u", f->pg_init_delay_msecs);
	else if (f->queue_mode != DMT_QUEUE_MODE_DEFAULT)
		mp_spec_why(why, whylen, "feature queue_mode (not request-based)");
	else if (f->nother)
		mp_spec_why(why, whylen, "feature '%s'", f->other[0]);
	else
		return true;
	return false;
}

static bool mp_spec_hw_handler_of(const char *word, enum mp_hw_handler *h)
{
	for (size_t i = 0; i < ARRAY_SIZE(mp_hw_handler_words); i++) {
		if (!strncmp(word, mp_hw_handler_words[i], DMT_WORD_MAX)) {
			*h = (enum mp_hw_handler)i;
			return true;
		}
	}
	return false;
}

static bool mp_spec_selector_of(const char *word, enum mp_selector *sel)
{
	const struct dmt_selector_info *si;

	for (size_t i = 0; i < ARRAY_SIZE(mp_spec_selectors); i++) {
		si = dmt_selector_get(mp_spec_selectors[i]);
		if (si && !strncmp(word, si->name, DMT_WORD_MAX)) {
			*sel = (enum mp_selector)i;
			return true;
		}
	}
	return false;
}

/* Whether a canonical path's selector args are the defaults pathd loads. */
static bool mp_spec_path_args_ours(const struct dmt_selector_info *si, const struct dmt_group *g,
				   const struct dmt_path *p, char *why, size_t whylen)
{
	char want[DMT_WORD_MAX];

	for (unsigned int k = 0; k < g->npath_args && k < si->path_args; k++) {
		snprintf(want, sizeof(want), "%u", MIN(si->arg_default[k], si->arg_kept_max[k]));
		if (strncmp(p->args[k], want, DMT_WORD_MAX)) {
			mp_spec_why(why, whylen, "path %u:%u has %s %s, pathd loads %s", p->major,
				    p->minor, si->arg_names[k], p->args[k], want);
			return false;
		}
	}
	return true;
}

static int mp_spec_groups_from(const struct dmt_table *c, struct mp_map_spec *spec, char *why,
			       size_t whylen)
{
	const struct dmt_selector_info *si;
	enum mp_selector sel = MP_SELECTOR_SERVICE_TIME;
	unsigned int g, j, first = 0;

	if (c->ngroups > MP_GROUPS_MAX) {
		mp_spec_why(why, whylen, "%u path groups, pathd makes at most %d", c->ngroups,
			    MP_GROUPS_MAX);
		return -EOPNOTSUPP;
	}
	for (g = 0; g < c->ngroups; g++) {
		const struct dmt_group *grp = &c->groups[g];
		enum mp_selector gsel;

		si = dmt_selector_find(grp->selector);
		if (!si || !mp_spec_selector_of(grp->selector, &gsel)) {
			mp_spec_why(why, whylen, "path selector '%s'", grp->selector);
			return -EOPNOTSUPP;
		}
		if (g && gsel != sel) {
			mp_spec_why(why, whylen, "path selectors %s and %s in one map",
				    c->groups[0].selector, grp->selector);
			return -EOPNOTSUPP;
		}
		sel = gsel;
		for (j = 0; j < grp->npaths; j++) {
			const struct dmt_path *p = &c->paths[first + j];

			if (!mp_spec_path_args_ours(si, grp, p, why, whylen))
				return -EOPNOTSUPP;
			if (mp_spec_has_path(c, first + j, p->major, p->minor)) {
				mp_spec_why(why, whylen, "path %u:%u twice", p->major, p->minor);
				return -EOPNOTSUPP;
			}
			snprintf(spec->groups[g].devt[j], MP_DEVT_MAX, "%u:%u", p->major, p->minor);
		}
		spec->groups[g].npaths = grp->npaths;
		first += grp->npaths;
	}
	spec->ngroups = c->ngroups;
	spec->selector = sel;
	return 0;
}

int mp_spec_from_dmt(const struct dmt_table *t, struct mp_map_spec *spec, char *why, size_t whylen)
{
	struct dmt_table c = *t;
	enum mp_hw_handler hw;
	int r;

	mp_spec_clear_table(spec);
	/* Loaded or read back: compare what the kernel would print for it. */
	r = dmt_table_canon(&c);
	if (r) {
		mp_spec_why(why, whylen, "a table the kernel would refuse");
		return r;
	}
	if (!mp_spec_features_ours(&c.features, why, whylen))
		return -EOPNOTSUPP;
	if (!mp_spec_hw_handler_of(c.hw_handler, &hw)) {
		mp_spec_why(why, whylen, "hw handler '%s'", c.hw_handler);
		return -EOPNOTSUPP;
	}
	r = mp_spec_groups_from(&c, spec, why, whylen);
	if (r) {
		mp_spec_clear_table(spec);
		return r;
	}
	spec->queue_if_no_path = c.features.queue_if_no_path;
	spec->hw_handler = hw;
	return 0;
}

int mp_spec_parse(const char *s, size_t len, struct mp_map_spec *spec, char *why, size_t whylen)
{
	struct dmt_table t;
	int r = dmt_table_parse(s, len, &t);

	if (r) {
		mp_spec_clear_table(spec);
		mp_spec_why(why, whylen,
			    r == -E2BIG ? "a table past pathd's limits (%d paths)"
					: "a table that does not parse",
			    DMT_PATHS_MAX);
		return r;
	}
	return mp_spec_from_dmt(&t, spec, why, whylen);
}

static void mp_spec_failed_from(const struct dmt_status *st, struct mp_ev_map *ev)
{
	ev->nfailed = 0;
	for (unsigned int i = 0; i < st->npaths; i++)
		if (!st->paths[i].active)
			snprintf(ev->failed[ev->nfailed++], MP_DEVT_MAX, "%u:%u",
				 st->paths[i].major, st->paths[i].minor);
}

int mp_spec_parse_status(const char *s, size_t len, struct mp_ev_map *ev, unsigned int *active)
{
	struct dmt_status st;
	int r = dmt_status_parse(s, len, &st);

	if (active)
		*active = st.active_paths;
	mp_spec_failed_from(&st, ev);
	return r;
}

/* Whether the status lists the table's paths, in the table's groups and order. */
static bool mp_spec_status_matches(const struct dmt_table *t, const struct dmt_status *st)
{
	if (t->ngroups != st->ngroups || t->npaths != st->npaths)
		return false;
	for (unsigned int g = 0; g < t->ngroups; g++)
		if (t->groups[g].npaths != st->groups[g].npaths)
			return false;
	for (unsigned int i = 0; i < t->npaths; i++)
		if (t->paths[i].major != st->paths[i].major ||
		    t->paths[i].minor != st->paths[i].minor)
			return false;
	return true;
}

/* The map's one target: multipath, over the whole device from sector 0. */
static bool mp_spec_target_ok(const struct mp_map_text *m, char *why, size_t whylen)
{
	if (m->ntargets == 0 || !m->table)
		mp_spec_why(why, whylen, "no table loaded");
	else if (m->ntargets != 1)
		mp_spec_why(why, whylen, "%u targets, not one", m->ntargets);
	else if (!m->type || strcmp(m->type, MP_TARGET_TYPE))
		mp_spec_why(why, whylen, "target '%s', not %s", m->type ? m->type : "",
			    MP_TARGET_TYPE);
	else if (m->start != 0)
		mp_spec_why(why, whylen, "its target starts at sector %llu",
			    (unsigned long long)m->start);
	else
		return true;
	return false;
}

int mp_spec_read_map(const struct mp_map_text *m, struct mp_ev_map *ev, char *why, size_t whylen)
{
	const size_t plen = strlen(MP_UUID_PREFIX);
	struct dmt_table t;
	struct dmt_status st;
	const char *wwid;
	bool ok = true;

	memset(ev, 0, sizeof(*ev));
	if (why && whylen)
		why[0] = '\0';
	if (!m->name || !m->uuid || strncmp(m->uuid, MP_UUID_PREFIX, plen))
		return -ENOENT;
	wwid = m->uuid + plen;
	if (!wwid[0] || strlen(wwid) >= MP_WWID_MAX || !m->name[0] ||
	    strlen(m->name) >= MP_MAP_NAME_MAX)
		return -ENOENT;
	snprintf(ev->spec.name, sizeof(ev->spec.name), "%s", m->name);
	snprintf(ev->spec.wwid, sizeof(ev->spec.wwid), "%s", wwid);
	ev->spec.sectors = m->length;
	ev->open_count = m->open_count;

	if (m->suspended) {
		mp_spec_why(why, whylen, "suspended: it holds every I/O until resumed");
		ok = false;
	}
	if (!mp_spec_target_ok(m, why, whylen))
		return 0;
	if (dmt_table_parse(m->table, strlen(m->table), &t)) {
		mp_spec_why(why, whylen, "a table that does not parse");
		return 0;
	}
	ev->queueing = t.features.queue_if_no_path;
	if (mp_spec_from_dmt(&t, &ev->spec, why, whylen))
		ok = false;
	if (!m->status || dmt_status_parse(m->status, strlen(m->status), &st)) {
		mp_spec_why(why, whylen, "a status that does not parse");
		ok = false;
	} else {
		mp_spec_failed_from(&st, ev);
		ev->active_group = st.current_group;
		if (!mp_spec_status_matches(&t, &st)) {
			mp_spec_why(why, whylen, "its status names other paths than its table");
			ok = false;
		}
	}
	ev->spec_ok = ok;
	return 0;
}

bool mp_spec_equal(const struct mp_map_spec *a, const struct mp_map_spec *b)
{
	if (strncmp(a->name, b->name, MP_MAP_NAME_MAX) || strncmp(a->wwid, b->wwid, MP_WWID_MAX) ||
	    a->sectors != b->sectors || a->selector != b->selector ||
	    a->queue_if_no_path != b->queue_if_no_path || a->hw_handler != b->hw_handler ||
	    a->ngroups != b->ngroups || a->ngroups > MP_GROUPS_MAX)
		return false;
	for (size_t g = 0; g < a->ngroups; g++) {
		const struct mp_group_spec *ga = &a->groups[g], *gb = &b->groups[g];

		if (ga->npaths != gb->npaths || ga->npaths > MP_GROUP_PATHS_MAX)
			return false;
		for (size_t i = 0; i < ga->npaths; i++)
			if (strncmp(ga->devt[i], gb->devt[i], MP_DEVT_MAX))
				return false;
	}
	return true;
}

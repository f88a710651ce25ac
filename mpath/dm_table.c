// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dm-multipath table and status lines as text (dm_table.h). Every rule
 * here is the kernel's: drivers/md/dm-mpath.c (multipath_ctr,
 * parse_features, parse_hw_handler, parse_priority_group,
 * multipath_status) and the selectors' add_path and status in
 * drivers/md/dm-ps-service-time.c, dm-ps-round-robin.c and
 * dm-ps-queue-length.c, as of 6.x; differences with older kernels are
 * said where they matter.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "mpath/dm_table.h"

/* parse_features: "invalid number of feature args" past 8. */
_Static_assert(DMT_FEATURE_WORDS_MAX == 8, "the kernel takes at most 8 feature words");

/*
 * The most words a table built here holds: the feature count and words,
 * the hw handler count, name and args, the group count and initial group,
 * per group its selector, arg count, args, path count and per-path arg
 * count, per path its device and args. Each word takes at most
 * DMT_WORD_MAX - 1 bytes and a space; counts and devices are shorter.
 */
#define DMT_TABLE_WORDS_MAX                                                                        \
	(1 + DMT_FEATURE_WORDS_MAX + 2 + DMT_ARGS_MAX + 2 + DMT_GROUPS_MAX * (4 + DMT_ARGS_MAX) +  \
	 DMT_PATHS_MAX * (1 + DMT_ARGS_MAX))
_Static_assert(DMT_WORD_MAX *DMT_TABLE_WORDS_MAX + 1 <= DMT_TABLE_TEXT_MAX,
	       "DMT_TABLE_TEXT_MAX holds any table");

/* parse_features: pg_init_retries 1-50, pg_init_delay_msecs 0-60000. */
#define PG_INIT_RETRIES_MAX 50u
#define PG_INIT_DELAY_MSECS_MAX 60000u
/*
 * multipath_ctr, parse_hw_handler, parse_path_selector,
 * parse_priority_group: every other count is 0-1024 (paths 1-1024).
 */
#define KERNEL_COUNT_MAX 1024u

/* ---- the selectors ---- */

/*
 * One row per selector: path_args and status_args are its table_args and
 * info_args; the arg rows come from its add_path. st_add_path takes
 * [<repeat_count> [<relative_throughput>]], the throughput 0-100
 * (dm-service-time.rst); rr_add_path and ql_add_path take [<repeat_count>]
 * (dm-queue-length.rst); every add_path keeps a repeat_count above 1 as 1
 * ("repeat_count > 1 is deprecated, using 1 instead").
 */
/* clang-format off */
static const char *const st_arg_names[] = { "repeat_count", "relative_throughput" };
static const unsigned int st_arg_default[] = { 1, 1 };
static const unsigned int st_arg_max[] = { UINT_MAX, 100 };
static const unsigned int st_arg_kept_max[] = { 1, 100 };

static const char *const repeat_arg_names[] = { "repeat_count" };
static const unsigned int repeat_arg_default[] = { 1 };
static const unsigned int repeat_arg_max[] = { UINT_MAX };
static const unsigned int repeat_arg_kept_max[] = { 1 };

static const struct dmt_selector_info dmt_selectors[] = {
	[DMT_SELECTOR_SERVICE_TIME] = {
		.name = "service-time", .path_args = 2, .status_args = 2,
		.arg_names = st_arg_names, .arg_default = st_arg_default,
		.arg_max = st_arg_max, .arg_kept_max = st_arg_kept_max,
	},
	[DMT_SELECTOR_ROUND_ROBIN] = {
		.name = "round-robin", .path_args = 1, .status_args = 0,
		.arg_names = repeat_arg_names, .arg_default = repeat_arg_default,
		.arg_max = repeat_arg_max, .arg_kept_max = repeat_arg_kept_max,
	},
	[DMT_SELECTOR_QUEUE_LENGTH] = {
		.name = "queue-length", .path_args = 1, .status_args = 1,
		.arg_names = repeat_arg_names, .arg_default = repeat_arg_default,
		.arg_max = repeat_arg_max, .arg_kept_max = repeat_arg_kept_max,
	},
};
/* clang-format on */

const struct dmt_selector_info *dmt_selector_get(enum dmt_selector sel)
{
	if ((unsigned int)sel >= ARRAY_SIZE(dmt_selectors))
		return NULL;
	return &dmt_selectors[sel];
}

const struct dmt_selector_info *dmt_selector_find(const char *name)
{
	size_t i;

	/* dm_get_path_selector looks the name up with strcmp. */
	for (i = 0; i < ARRAY_SIZE(dmt_selectors); i++)
		if (!strcmp(dmt_selectors[i].name, name))
			return &dmt_selectors[i];
	return NULL;
}

/* The selector a group builds with: "" is service-time, the default multipath-tools uses too. */
static const char *group_selector(const struct dmt_group *g)
{
	return g->selector[0] ? g->selector : dmt_selectors[DMT_SELECTOR_SERVICE_TIME].name;
}

/* ---- words ---- */

/* dm_split_args splits the line at isspace(). */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/*
 * A byte a word may hold: printable ASCII, but not the backslash, which
 * dm_split_args takes as an escape and the kernel never prints back.
 */
static bool is_word_byte(char c)
{
	unsigned char u = (unsigned char)c;

	return u > ' ' && u < 0x7f && u != '\\';
}

/* Whether w (an array of DMT_WORD_MAX) holds a word: NUL-terminated, not empty, only word bytes. */
static bool word_ok(const char *w)
{
	size_t i, n = strnlen(w, DMT_WORD_MAX);

	if (n == 0 || n == DMT_WORD_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!is_word_byte(w[i]))
			return false;
	return true;
}

static bool words_ok(const char (*w)[DMT_WORD_MAX], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!word_ok(w[i]))
			return false;
	return true;
}

/*
 * A decimal number of wlen bytes, at most max. Digits only: kstrtouint
 * (dm_read_arg) also takes a '+' and a trailing newline, which the kernel
 * never prints.
 */
static int word_uint(const char *w, size_t wlen, unsigned int max, unsigned int *v)
{
	uint64_t n = 0;
	size_t i;

	if (wlen == 0)
		return -EINVAL;
	for (i = 0; i < wlen; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -EINVAL;
		n = n * 10 + (uint64_t)(w[i] - '0');
		if (n > max)
			return -EINVAL;
	}
	*v = (unsigned int)n;
	return 0;
}

/* "major:minor", as format_dev_t prints a path's dm_dev name. */
static int word_dev(const char *w, size_t wlen, unsigned int *major, unsigned int *minor)
{
	const char *colon = memchr(w, ':', wlen);
	size_t mlen;

	if (!colon)
		return -EINVAL;
	mlen = (size_t)(colon - w);
	if (word_uint(w, mlen, DMT_MAJOR_MAX, major))
		return -EINVAL;
	return word_uint(colon + 1, wlen - mlen - 1, DMT_MINOR_MAX, minor);
}

/* Whether the wlen bytes at w are kw, in any case (parse_features uses strcasecmp). */
static bool word_is(const char *w, size_t wlen, const char *kw)
{
	return strlen(kw) == wlen && !strncasecmp(w, kw, wlen);
}

/* ---- reading ---- */

/* Where a parser is in its text, and whether something did not fit the limits here. */
struct cursor {
	const char *s;
	size_t len, pos;
	bool big;
};

static bool at_end(struct cursor *c)
{
	while (c->pos < c->len && is_blank(c->s[c->pos]))
		c->pos++;
	return c->pos == c->len;
}

/* The next word; -EINVAL at the end (a count claimed more) or at a byte no word holds. */
static int next_word(struct cursor *c, const char **w, size_t *wlen)
{
	size_t start;

	if (at_end(c))
		return -EINVAL;
	start = c->pos;
	while (c->pos < c->len && !is_blank(c->s[c->pos])) {
		if (!is_word_byte(c->s[c->pos]))
			return -EINVAL;
		c->pos++;
	}
	*w = c->s + start;
	*wlen = c->pos - start;
	return 0;
}

static int next_uint(struct cursor *c, unsigned int max, unsigned int *v)
{
	const char *w;
	size_t wlen;
	int r = next_word(c, &w, &wlen);

	return r ? r : word_uint(w, wlen, max, v);
}

/* Copies a word into dst (DMT_WORD_MAX); a longer one is beyond the limits here. */
static void keep_word(struct cursor *c, char *dst, const char *w, size_t wlen)
{
	if (wlen >= DMT_WORD_MAX) {
		c->big = true;
		dst[0] = '\0';
		return;
	}
	memcpy(dst, w, wlen);
	dst[wlen] = '\0';
}

/* Reads n words, keeping the first DMT_ARGS_MAX in dst (NULL: keeps none, as for words skipped). */
static int read_words(struct cursor *c, unsigned int n, char (*dst)[DMT_WORD_MAX])
{
	const char *w;
	size_t wlen;
	unsigned int i;
	int r;

	for (i = 0; i < n; i++) {
		r = next_word(c, &w, &wlen);
		if (r)
			return r;
		if (!dst)
			continue;
		if (i < DMT_ARGS_MAX)
			keep_word(c, dst[i], w, wlen);
		else
			c->big = true;
	}
	return 0;
}

/* An argument count: at most the kernel's max (-EINVAL), then at most DMT_ARGS_MAX kept. */
static int next_count(struct cursor *c, unsigned int max, unsigned int *n, unsigned int *kept)
{
	int r = next_uint(c, max, n);

	if (r)
		return r;
	*kept = MIN(*n, (unsigned int)DMT_ARGS_MAX);
	return 0;
}

/* ---- the table's checks, shared by build, parse and canon ---- */

static const char *const queue_mode_names[] = {
    [DMT_QUEUE_MODE_BIO] = "bio",
    [DMT_QUEUE_MODE_RQ] = "rq",
    [DMT_QUEUE_MODE_MQ] = "mq",
    [DMT_QUEUE_MODE_NVME] = "nvme",
};

static const char *const feature_keywords[] = {
    "queue_if_no_path",		  "pg_init_retries", "pg_init_delay_msecs",
    "retain_attached_hw_handler", "queue_mode",
};

/* The feature words, as multipath_status counts them for STATUSTYPE_TABLE. */
static unsigned int feature_words(const struct dmt_features *f)
{
	return (f->queue_if_no_path ? 1 : 0) + (f->pg_init_retries ? 2 : 0) +
	       (f->pg_init_delay_given ? 2 : 0) + (f->retain_attached_hw_handler ? 1 : 0) +
	       (f->queue_mode != DMT_QUEUE_MODE_DEFAULT ? 2 : 0) + f->nother;
}

static int check_features(const struct dmt_features *f)
{
	unsigned int i, k;

	if (f->pg_init_retries > PG_INIT_RETRIES_MAX)
		return -EINVAL;
	if (f->pg_init_delay_given && f->pg_init_delay_msecs > PG_INIT_DELAY_MSECS_MAX)
		return -EINVAL;
	if ((unsigned int)f->queue_mode >= ARRAY_SIZE(queue_mode_names))
		return -EINVAL;
	if (f->nother > DMT_FEATURE_WORDS_MAX || !words_ok(f->other, f->nother))
		return -EINVAL;
	/* A keyword among the other words would read back as that feature. */
	for (i = 0; i < f->nother; i++)
		for (k = 0; k < ARRAY_SIZE(feature_keywords); k++)
			if (word_is(f->other[i], strlen(f->other[i]), feature_keywords[k]))
				return -EINVAL;
	if (feature_words(f) > DMT_FEATURE_WORDS_MAX)
		return -EINVAL;
	return 0;
}

static int check_hw_handler(const struct dmt_table *t)
{
	if (strnlen(t->hw_handler, DMT_WORD_MAX) == 0)
		return t->nhw_args ? -EINVAL : 0;
	if (!word_ok(t->hw_handler) || t->nhw_args > DMT_ARGS_MAX ||
	    !words_ok(t->hw_args, t->nhw_args))
		return -EINVAL;
	return 0;
}

/* A known selector's per-path args: no more than add_path takes, each a number in its range. */
static int check_selector_args(const struct dmt_selector_info *si, const struct dmt_group *g,
			       const struct dmt_path *paths)
{
	unsigned int p, i, v;

	if (g->npath_args > si->path_args)
		return -EINVAL;
	for (p = 0; p < g->npaths; p++)
		for (i = 0; i < g->npath_args; i++)
			if (word_uint(paths[p].args[i], strlen(paths[p].args[i]), si->arg_max[i],
				      &v))
				return -EINVAL;
	return 0;
}

static int check_groups(const struct dmt_table *t)
{
	const struct dmt_selector_info *si;
	const struct dmt_group *g;
	const struct dmt_path *p;
	unsigned int i, j, first = 0;

	if (t->ngroups > DMT_GROUPS_MAX || t->npaths > DMT_PATHS_MAX)
		return -EINVAL;
	if (t->initial_group > t->ngroups)
		return -EINVAL;
	for (i = 0; i < t->ngroups; i++) {
		g = &t->groups[i];
		if (g->selector[0] && !word_ok(g->selector))
			return -EINVAL;
		if (g->nselector_args > DMT_ARGS_MAX ||
		    !words_ok(g->selector_args, g->nselector_args))
			return -EINVAL;
		/* parse_priority_group: "invalid number of paths" below 1. */
		if (g->npaths == 0 || g->npaths > t->npaths - first || g->npath_args > DMT_ARGS_MAX)
			return -EINVAL;
		for (j = 0; j < g->npaths; j++) {
			p = &t->paths[first + j];
			if (p->major > DMT_MAJOR_MAX || p->minor > DMT_MINOR_MAX ||
			    !words_ok(p->args, g->npath_args))
				return -EINVAL;
		}
		si = dmt_selector_find(group_selector(g));
		if (si && check_selector_args(si, g, &t->paths[first]))
			return -EINVAL;
		first += g->npaths;
	}
	return first == t->npaths ? 0 : -EINVAL;
}

static int check_table(const struct dmt_table *t)
{
	int r = check_features(&t->features);

	if (!r)
		r = check_hw_handler(t);
	if (!r)
		r = check_groups(t);
	return r;
}

/* ---- building ---- */

struct out {
	char *buf;
	size_t len, used;
	bool full;
};

/* Appends n bytes and a space, keeping room for the NUL. */
static void emit(struct out *o, const char *w, size_t n)
{
	if (o->full || n + 1 >= o->len - o->used) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->used, w, n);
	o->buf[o->used + n] = ' ';
	o->used += n + 1;
}

static void emit_str(struct out *o, const char *w)
{
	emit(o, w, strlen(w));
}

static void emit_uint(struct out *o, unsigned int v)
{
	char num[16];
	int n = snprintf(num, sizeof(num), "%u", v);

	emit(o, num, (size_t)n);
}

static void emit_words(struct out *o, const char (*w)[DMT_WORD_MAX], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		emit_str(o, w[i]);
}

/* multipath_status, STATUSTYPE_TABLE: the count, then each feature in this order. */
static void emit_features(struct out *o, const struct dmt_features *f)
{
	emit_uint(o, feature_words(f));
	if (f->queue_if_no_path)
		emit_str(o, "queue_if_no_path");
	if (f->pg_init_retries) {
		emit_str(o, "pg_init_retries");
		emit_uint(o, f->pg_init_retries);
	}
	if (f->pg_init_delay_given) {
		emit_str(o, "pg_init_delay_msecs");
		emit_uint(o, f->pg_init_delay_msecs);
	}
	if (f->retain_attached_hw_handler)
		emit_str(o, "retain_attached_hw_handler");
	if (f->queue_mode != DMT_QUEUE_MODE_DEFAULT) {
		emit_str(o, "queue_mode");
		emit_str(o, queue_mode_names[f->queue_mode]);
	}
	emit_words(o, f->other, f->nother);
}

int dmt_table_build(const struct dmt_table *t, char *buf, size_t len)
{
	struct out o = {.buf = buf, .len = len};
	const struct dmt_group *g;
	const struct dmt_path *p;
	unsigned int i, j, first = 0;
	char dev[24];
	int r, n;

	r = check_table(t);
	if (r)
		return r;

	emit_features(&o, &t->features);
	if (t->hw_handler[0]) {
		emit_uint(&o, 1 + t->nhw_args);
		emit_str(&o, t->hw_handler);
		emit_words(&o, t->hw_args, t->nhw_args);
	} else {
		emit_uint(&o, 0);
	}

	/* multipath_ctr: the initial group is 0 exactly when there are no groups. */
	emit_uint(&o, t->ngroups);
	emit_uint(&o, t->initial_group ? t->initial_group : (t->ngroups ? 1 : 0));
	for (i = 0; i < t->ngroups; i++) {
		g = &t->groups[i];
		emit_str(&o, group_selector(g));
		emit_uint(&o, g->nselector_args);
		emit_words(&o, g->selector_args, g->nselector_args);
		emit_uint(&o, g->npaths);
		emit_uint(&o, g->npath_args);
		for (j = 0; j < g->npaths; j++) {
			p = &t->paths[first + j];
			n = snprintf(dev, sizeof(dev), "%u:%u", p->major, p->minor);
			emit(&o, dev, (size_t)n);
			emit_words(&o, p->args, g->npath_args);
		}
		first += g->npaths;
	}

	if (o.full) {
		if (len)
			buf[0] = '\0';
		return -ENOSPC;
	}
	buf[o.used] = '\0';
	return (int)o.used;
}

/* ---- parsing the table ---- */

/* parse_features: a keyword's value is one of its count of words. */
static int parse_features(struct cursor *c, struct dmt_features *f)
{
	const char *w, *v;
	size_t wlen, vlen;
	unsigned int n, i, m;
	int r;

	r = next_uint(c, DMT_FEATURE_WORDS_MAX, &n);
	for (i = 0; !r && i < n; i++) {
		r = next_word(c, &w, &wlen);
		if (r)
			break;
		if (word_is(w, wlen, "queue_if_no_path")) {
			f->queue_if_no_path = true;
		} else if (word_is(w, wlen, "retain_attached_hw_handler")) {
			f->retain_attached_hw_handler = true;
		} else if (word_is(w, wlen, "pg_init_retries")) {
			/* The kernel refuses the keyword as the last word ("Unrecognised ..."). */
			if (++i == n)
				return -EINVAL;
			r = next_uint(c, PG_INIT_RETRIES_MAX, &f->pg_init_retries);
			if (!r && f->pg_init_retries == 0)
				r = -EINVAL;
		} else if (word_is(w, wlen, "pg_init_delay_msecs")) {
			if (++i == n)
				return -EINVAL;
			r = next_uint(c, PG_INIT_DELAY_MSECS_MAX, &f->pg_init_delay_msecs);
			f->pg_init_delay_given = true;
		} else if (word_is(w, wlen, "queue_mode")) {
			if (++i == n)
				return -EINVAL;
			r = next_word(c, &v, &vlen);
			if (r)
				break;
			r = -EINVAL;
			for (m = DMT_QUEUE_MODE_BIO; m < ARRAY_SIZE(queue_mode_names); m++) {
				if (word_is(v, vlen, queue_mode_names[m])) {
					f->queue_mode = (enum dmt_queue_mode)m;
					r = 0;
				}
			}
		} else {
			/* Fewer than n <= DMT_FEATURE_WORDS_MAX, so there is room. */
			keep_word(c, f->other[f->nother++], w, wlen);
		}
	}
	return r;
}

/* parse_hw_handler: the count covers the name and its args. */
static int parse_hw_handler(struct cursor *c, struct dmt_table *t)
{
	const char *w;
	size_t wlen;
	unsigned int n;
	int r;

	r = next_uint(c, KERNEL_COUNT_MAX, &n);
	if (r || n == 0)
		return r;
	r = next_word(c, &w, &wlen);
	if (r)
		return r;
	keep_word(c, t->hw_handler, w, wlen);
	t->nhw_args = MIN(n - 1, (unsigned int)DMT_ARGS_MAX);
	return read_words(c, n - 1, t->hw_args);
}

/* parse_priority_group and parse_path: paths go on at t->npaths. */
static int parse_group(struct cursor *c, struct dmt_table *t, struct dmt_group *g)
{
	struct dmt_path spare, *p;
	const char *w;
	size_t wlen;
	unsigned int n, i;
	int r;

	r = next_word(c, &w, &wlen);
	if (r)
		return r;
	keep_word(c, g->selector, w, wlen);
	r = next_count(c, KERNEL_COUNT_MAX, &n, &g->nselector_args);
	if (!r)
		r = read_words(c, n, g->selector_args);
	if (!r)
		r = next_uint(c, KERNEL_COUNT_MAX, &g->npaths);
	if (!r && g->npaths == 0)
		r = -EINVAL;
	if (!r)
		r = next_count(c, KERNEL_COUNT_MAX, &n, &g->npath_args);
	for (i = 0; !r && i < g->npaths; i++) {
		p = &spare;
		if (t->npaths < DMT_PATHS_MAX)
			p = &t->paths[t->npaths++];
		else
			c->big = true;
		r = next_word(c, &w, &wlen);
		if (!r)
			r = word_dev(w, wlen, &p->major, &p->minor);
		if (!r)
			r = read_words(c, n, p->args);
	}
	return r;
}

static int parse_groups(struct cursor *c, struct dmt_table *t)
{
	struct dmt_group spare;
	unsigned int n, i;
	int r;

	r = next_uint(c, KERNEL_COUNT_MAX, &n);
	if (!r)
		r = next_uint(c, KERNEL_COUNT_MAX, &t->initial_group);
	if (r)
		return r;
	/*
	 * multipath_ctr: "invalid initial priority group" when exactly one of
	 * the two is 0. It lets a number past the last group through (and then
	 * uses none), but never prints one, so it is refused here.
	 */
	if (!n != !t->initial_group || t->initial_group > n)
		return -EINVAL;
	t->ngroups = MIN(n, (unsigned int)DMT_GROUPS_MAX);
	if (n > DMT_GROUPS_MAX)
		c->big = true;
	for (i = 0; !r && i < n; i++)
		r = parse_group(c, t, i < DMT_GROUPS_MAX ? &t->groups[i] : &spare);
	return r;
}

int dmt_table_parse(const char *s, size_t len, struct dmt_table *out)
{
	struct cursor c = {.s = s, .len = len};
	int r;

	memset(out, 0, sizeof(*out));
	r = parse_features(&c, &out->features);
	if (!r)
		r = parse_hw_handler(&c, out);
	if (!r)
		r = parse_groups(&c, out);
	/* multipath_ctr: "priority group count mismatch" for words left over. */
	if (!r && !at_end(&c))
		r = -EINVAL;
	if (!r && c.big)
		r = -E2BIG;
	if (!r)
		r = check_table(out);
	if (r)
		memset(out, 0, sizeof(*out));
	return r;
}

/* ---- the kernel's canonical form ---- */

int dmt_table_canon(struct dmt_table *t)
{
	const struct dmt_selector_info *si;
	struct dmt_features *f = &t->features;
	struct dmt_group *g;
	struct dmt_path *p;
	unsigned int i, j, k, v, first = 0;
	int r;

	r = check_table(t);
	if (r)
		return r;

	/* parse_features: rq and mq are both DM_TYPE_REQUEST_BASED, which multipath_status leaves
	 * out. */
	if (f->queue_mode == DMT_QUEUE_MODE_RQ || f->queue_mode == DMT_QUEUE_MODE_MQ)
		f->queue_mode = DMT_QUEUE_MODE_DEFAULT;
	/*
	 * alloc_multipath_stage2: bio-based sets MPATHF_RETAIN_ATTACHED_HW_HANDLER;
	 * parse_hw_handler: "bio-based multipath doesn't allow hardware handler args".
	 */
	if (f->queue_mode == DMT_QUEUE_MODE_BIO) {
		f->retain_attached_hw_handler = true;
		memset(t->hw_handler, 0, sizeof(t->hw_handler));
	}
	/* parse_hw_handler keeps the args for scsi_dh_set_params; multipath_status prints "1
	 * <name>". */
	t->nhw_args = 0;
	memset(t->hw_args, 0, sizeof(t->hw_args));
	if (!t->initial_group && t->ngroups)
		t->initial_group = 1;

	for (i = 0; i < t->ngroups; i++) {
		g = &t->groups[i];
		if (!g->selector[0])
			snprintf(g->selector, sizeof(g->selector), "%s", group_selector(g));
		si = dmt_selector_find(g->selector);
		if (!si) {
			first += g->npaths;
			continue;
		}
		/* st_create, rr_create and ql_create ignore their args; their status prints "0". */
		g->nselector_args = 0;
		memset(g->selector_args, 0, sizeof(g->selector_args));
		for (j = 0; j < g->npaths; j++) {
			p = &t->paths[first + j];
			/* The table status prints every arg the selector keeps (table_args). */
			for (k = 0; k < si->path_args; k++) {
				v = si->arg_default[k];
				if (k < g->npath_args)
					word_uint(p->args[k], strlen(p->args[k]), si->arg_max[k],
						  &v);
				snprintf(p->args[k], sizeof(p->args[k]), "%u",
					 MIN(v, si->arg_kept_max[k]));
			}
			for (; k < DMT_ARGS_MAX; k++)
				memset(p->args[k], 0, sizeof(p->args[k]));
		}
		g->npath_args = si->path_args;
		first += g->npaths;
	}
	return 0;
}

/* ---- comparing ---- */

static bool words_equal(const char (*a)[DMT_WORD_MAX], const char (*b)[DMT_WORD_MAX],
			unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strncmp(a[i], b[i], DMT_WORD_MAX))
			return false;
	return true;
}

static bool features_equal(const struct dmt_features *a, const struct dmt_features *b)
{
	return a->queue_if_no_path == b->queue_if_no_path &&
	       a->retain_attached_hw_handler == b->retain_attached_hw_handler &&
	       a->pg_init_retries == b->pg_init_retries &&
	       a->pg_init_delay_given == b->pg_init_delay_given &&
	       (!a->pg_init_delay_given || a->pg_init_delay_msecs == b->pg_init_delay_msecs) &&
	       a->queue_mode == b->queue_mode && a->nother == b->nother &&
	       a->nother <= DMT_FEATURE_WORDS_MAX && words_equal(a->other, b->other, a->nother);
}

bool dmt_table_equal(const struct dmt_table *a, const struct dmt_table *b)
{
	const struct dmt_group *ga, *gb;
	unsigned int i, j, first = 0;

	if (!features_equal(&a->features, &b->features))
		return false;
	if (strncmp(a->hw_handler, b->hw_handler, DMT_WORD_MAX) || a->nhw_args != b->nhw_args ||
	    a->nhw_args > DMT_ARGS_MAX || !words_equal(a->hw_args, b->hw_args, a->nhw_args))
		return false;
	if (a->initial_group != b->initial_group || a->ngroups != b->ngroups ||
	    a->npaths != b->npaths || a->ngroups > DMT_GROUPS_MAX || a->npaths > DMT_PATHS_MAX)
		return false;
	for (i = 0; i < a->ngroups; i++) {
		ga = &a->groups[i];
		gb = &b->groups[i];
		if (strncmp(ga->selector, gb->selector, DMT_WORD_MAX) ||
		    ga->nselector_args != gb->nselector_args || ga->nselector_args > DMT_ARGS_MAX ||
		    !words_equal(ga->selector_args, gb->selector_args, ga->nselector_args) ||
		    ga->npaths != gb->npaths || ga->npath_args != gb->npath_args ||
		    ga->npath_args > DMT_ARGS_MAX || ga->npaths > a->npaths - first)
			return false;
		for (j = first; j < first + ga->npaths; j++)
			if (a->paths[j].major != b->paths[j].major ||
			    a->paths[j].minor != b->paths[j].minor ||
			    !words_equal(a->paths[j].args, b->paths[j].args, ga->npath_args))
				return false;
		first += ga->npaths;
	}
	return first == a->npaths;
}

/* ---- building a table a group and a path at a time ---- */

int dmt_table_add_group(struct dmt_table *t, enum dmt_selector sel)
{
	const struct dmt_selector_info *si = dmt_selector_get(sel);
	struct dmt_group *g;

	if (!si)
		return -EINVAL;
	if (t->ngroups >= DMT_GROUPS_MAX)
		return -E2BIG;
	g = &t->groups[t->ngroups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->selector, sizeof(g->selector), "%s", si->name);
	g->npath_args = si->path_args;
	return 0;
}

int dmt_table_add_path(struct dmt_table *t, unsigned int major, unsigned int minor,
		       const unsigned int *args)
{
	const struct dmt_selector_info *si;
	struct dmt_group *g;
	struct dmt_path *p;
	unsigned int i;

	if (t->ngroups == 0 || t->ngroups > DMT_GROUPS_MAX || major > DMT_MAJOR_MAX ||
	    minor > DMT_MINOR_MAX)
		return -EINVAL;
	g = &t->groups[t->ngroups - 1];
	si = dmt_selector_find(group_selector(g));
	if (g->npath_args > DMT_ARGS_MAX || (!args && g->npath_args && !si) ||
	    (!args && si && g->npath_args > si->path_args))
		return -EINVAL;
	for (i = 0; args && si && i < g->npath_args; i++)
		if (i >= si->path_args || args[i] > si->arg_max[i])
			return -EINVAL;
	if (t->npaths >= DMT_PATHS_MAX)
		return -E2BIG;
	p = &t->paths[t->npaths++];
	memset(p, 0, sizeof(*p));
	p->major = major;
	p->minor = minor;
	for (i = 0; i < g->npath_args; i++)
		snprintf(p->args[i], sizeof(p->args[i]), "%u", args ? args[i] : si->arg_default[i]);
	g->npaths++;
	return 0;
}

/* ---- parsing the status ---- */

/* multipath_status, STATUSTYPE_INFO: one group and its paths. */
static int parse_status_group(struct cursor *c, struct dmt_status *st, struct dmt_status_group *g)
{
	struct dmt_status_path spare, *p;
	const char *w;
	size_t wlen;
	unsigned int n, i;
	int r;

	r = next_word(c, &w, &wlen);
	if (r)
		return r;
	if (wlen != 1)
		return -EINVAL;
	switch (w[0]) {
	case 'A':
		g->state = DMT_GROUP_STATE_ACTIVE;
		break;
	case 'E':
		g->state = DMT_GROUP_STATE_ENABLED;
		break;
	case 'D':
		g->state = DMT_GROUP_STATE_DISABLED;
		break;
	default:
		return -EINVAL;
	}
	r = next_count(c, UINT_MAX, &n, &g->nselector_args);
	if (!r)
		r = read_words(c, n, g->selector_args);
	if (!r)
		r = next_uint(c, UINT_MAX, &g->npaths);
	if (!r)
		r = next_count(c, UINT_MAX, &n, &g->npath_args);
	for (i = 0; !r && i < g->npaths; i++) {
		p = &spare;
		if (st->npaths < DMT_PATHS_MAX)
			p = &st->paths[st->npaths++];
		else
			c->big = true;
		r = next_word(c, &w, &wlen);
		if (!r)
			r = word_dev(w, wlen, &p->major, &p->minor);
		if (!r)
			r = next_word(c, &w, &wlen);
		if (r)
			break;
		/* "A" or "F", exactly: p->is_active ? "A" : "F". */
		if (wlen != 1 || (w[0] != 'A' && w[0] != 'F'))
			return -EINVAL;
		p->active = w[0] == 'A';
		r = next_uint(c, UINT_MAX, &p->fail_count);
		if (!r)
			r = read_words(c, n, p->args);
		if (p->active) {
			g->active_paths++;
			st->active_paths++;
		}
	}
	return r;
}

int dmt_status_parse(const char *s, size_t len, struct dmt_status *out)
{
	struct cursor c = {.s = s, .len = len};
	struct dmt_status_group spare;
	const char *w;
	size_t wlen;
	unsigned int n, i;
	int r;

	memset(out, 0, sizeof(*out));
	/* "2 <queue_io> <pg_init_count>"; words past those two are skipped. */
	r = next_uint(&c, UINT_MAX, &n);
	for (i = 0; !r && i < n; i++) {
		r = next_word(&c, &w, &wlen);
		if (r)
			break;
		if (i == 0)
			r = word_uint(w, wlen, UINT_MAX, &out->queue_io);
		else if (i == 1)
			r = word_uint(w, wlen, UINT_MAX, &out->pg_init_count);
	}
	/* The hw handler: "0" (multipath_status prints no handler status for STATUSTYPE_INFO). */
	if (!r)
		r = next_uint(&c, UINT_MAX, &n);
	if (!r)
		r = read_words(&c, n, NULL);
	if (!r)
		r = next_uint(&c, UINT_MAX, &n);
	if (!r)
		r = next_uint(&c, UINT_MAX, &out->current_group);
	/* pg_num: the current group, the next, or 1 when there are groups; 0 without. */
	if (!r && (!n != !out->current_group || out->current_group > n))
		r = -EINVAL;
	if (!r) {
		out->ngroups = MIN(n, (unsigned int)DMT_GROUPS_MAX);
		if (n > DMT_GROUPS_MAX)
			c.big = true;
	}
	for (i = 0; !r && i < n; i++)
		r = parse_status_group(&c, out, i < DMT_GROUPS_MAX ? &out->groups[i] : &spare);
	if (!r && !at_end(&c))
		r = -EINVAL;
	if (!r && c.big)
		r = -E2BIG;
	if (r)
		memset(out, 0, sizeof(*out));
	return r;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Map specs as dm-multipath tables and back (mpath/map_spec.c): the text
 * pathd loads for a spec, byte for byte; that text is already what the
 * kernel prints back (dmt_table_canon leaves it as it is); every spec the
 * machine can make reads back equal; tables pathd could not have written
 * read back as not ours, with a reason; status lines give the failed
 * paths; and one device's INFO/TABLE/STATUS give the map event the state
 * machine is fed.
 *
 * The tables and status lines are written from drivers/md/dm-mpath.c's
 * multipath_status as of 6.x (see tests/unit/mpath/dm_table_test.c), and
 * from multipath-tools' assemble_map for tables multipathd loads; those
 * marked [vm] are what `dmsetup table` and `dmsetup status` printed in the
 * VM lab's guest (Debian 12, kernel 6.1, device-mapper 4.47.0) for a map
 * dm_libdm_ops made over two iSCSI paths (tests/vm/scenarios/dmadapter.sh).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "mpath/map_spec.h"
#include "tests/unit/check_main.h"

/* ---- helpers ---- */

static void spec_init(struct mp_map_spec *s, enum mp_selector sel, bool queue)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "mpatha");
	snprintf(s->wwid, sizeof(s->wwid), "36001405abcdef0123456789abcdef012");
	s->sectors = 131072;
	s->selector = sel;
	s->queue_if_no_path = queue;
}

/* Appends a group of the devices given (NULL-ended). */
static void spec_group(struct mp_map_spec *s, const char *const *devts)
{
	struct mp_group_spec *g = &s->groups[s->ngroups++];

	for (size_t i = 0; devts[i]; i++)
		snprintf(g->devt[g->npaths++], MP_DEVT_MAX, "%s", devts[i]);
}

static const char *build(const struct mp_map_spec *s)
{
	static char buf[DMT_TABLE_TEXT_MAX];
	int n = mp_spec_build(s, buf, sizeof(buf));

	ck_assert_msg(n >= 0, "build refused: %d", n);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	return buf;
}

/* Parses len bytes copied to a buffer of exactly that size, so that ASan sees any read past it. */
static int parse_exact(const char *text, size_t len, struct mp_map_spec *s, char *why,
		       size_t whylen)
{
	char *copy = malloc(len ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	r = mp_spec_parse(copy, len, s, why, whylen);
	free(copy);
	return r;
}

/* What the kernel prints back for a table loaded as text. */
static const char *kernel_prints(const char *loaded)
{
	static char buf[DMT_TABLE_TEXT_MAX];
	struct dmt_table t;

	ck_assert_int_eq(dmt_table_parse(loaded, strlen(loaded), &t), 0);
	ck_assert_int_eq(dmt_table_canon(&t), 0);
	ck_assert_int_ge(dmt_table_build(&t, buf, sizeof(buf)), 0);
	return buf;
}

/* spec is built, printed back by the kernel, and read back into a spec equal to it. */
static void assert_round_trip(const struct mp_map_spec *s)
{
	struct mp_map_spec back;
	char text[DMT_TABLE_TEXT_MAX], why[128] = "";
	int r;

	snprintf(text, sizeof(text), "%s", build(s));
	/* the table loaded is the table `dmsetup table` shows */
	ck_assert_str_eq(kernel_prints(text), text);
	memset(&back, 0x5a, sizeof(back));
	memcpy(back.name, s->name, sizeof(back.name));
	memcpy(back.wwid, s->wwid, sizeof(back.wwid));
	back.sectors = s->sectors;
	r = parse_exact(text, strlen(text), &back, why, sizeof(why));
	ck_assert_msg(r == 0, "'%s' read back: %d (%s)", text, r, why);
	ck_assert_str_eq(why, "");
	ck_assert_msg(mp_spec_equal(&back, s), "'%s' read back differs", text);
}

/* text reads back as not pathd's (-EOPNOTSUPP), for a reason that holds want. */
static void assert_not_ours(const char *text, const char *want)
{
	struct mp_map_spec s;
	char why[128] = "";
	int r;

	memset(&s, 0x5a, sizeof(s));
	r = parse_exact(text, strlen(text), &s, why, sizeof(why));
	ck_assert_msg(r == -EOPNOTSUPP, "'%s': %d (%s)", text, r, why);
	ck_assert_msg(strstr(why, want), "'%s': reason '%s', want '%s'", text, why, want);
	/* the table's fields are zeroed, the rest left alone */
	ck_assert_uint_eq(s.ngroups, 0);
	ck_assert(!s.queue_if_no_path);
	ck_assert_int_eq(s.hw_handler, MP_HW_HANDLER_NONE);
	ck_assert_int_eq(s.selector, MP_SELECTOR_SERVICE_TIME);
	ck_assert_uint_eq(s.sectors, 0x5a5a5a5a5a5a5a5aULL);
}

static const char *const two[] = {"8:16", "8:32", NULL};

/* ---- building ---- */

START_TEST(test_build_multibus)
{
	struct mp_map_spec s;

	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&s, two);
	ck_assert_str_eq(build(&s),
			 "1 queue_if_no_path 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1 ");
	s.queue_if_no_path = false;
	ck_assert_str_eq(build(&s), "0 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1 ");
}
END_TEST

START_TEST(test_build_selectors)
{
	struct mp_map_spec s;

	spec_init(&s, MP_SELECTOR_ROUND_ROBIN, true);
	spec_group(&s, two);
	ck_assert_str_eq(build(&s), "1 queue_if_no_path 0 1 1 round-robin 0 2 1 8:16 1 8:32 1 ");
	s.selector = MP_SELECTOR_QUEUE_LENGTH;
	ck_assert_str_eq(build(&s), "1 queue_if_no_path 0 1 1 queue-length 0 2 1 8:16 1 8:32 1 ");
}
END_TEST

START_TEST(test_build_failover)
{
	struct mp_map_spec s;

	spec_init(&s, MP_SELECTOR_SERVICE_TIME, false);
	spec_group(&s, (const char *const[]){"8:16", NULL});
	spec_group(&s, (const char *const[]){"65:160", NULL});
	spec_group(&s, (const char *const[]){"259:0", NULL});
	ck_assert_str_eq(build(&s), "0 0 3 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 "
				    "65:160 1 1 service-time 0 1 2 259:0 1 1 ");
}
END_TEST

START_TEST(test_build_alua)
{
	struct mp_map_spec s;

	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	s.hw_handler = MP_HW_HANDLER_ALUA;
	spec_group(&s, two);
	ck_assert_str_eq(build(&s),
			 "1 queue_if_no_path 1 alua 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1 ");
}
END_TEST

/* A map with no path at all: the kernel takes "0 0 0 0". */
START_TEST(test_build_no_groups)
{
	struct mp_map_spec s;
	struct dmt_table t;

	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	ck_assert_str_eq(build(&s), "1 queue_if_no_path 0 0 0 ");
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), 0);
	ck_assert_uint_eq(t.initial_group, 0);
	ck_assert_uint_eq(t.ngroups, 0);
}
END_TEST

START_TEST(test_build_largest)
{
	struct mp_map_spec s;
	struct dmt_table t;
	size_t g, i;

	/* DMT_PATHS_MAX paths over MP_GROUPS_MAX groups */
	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	s.ngroups = MP_GROUPS_MAX;
	for (i = 0; i < DMT_PATHS_MAX; i++) {
		g = i % MP_GROUPS_MAX;
		snprintf(s.groups[g].devt[s.groups[g].npaths++], MP_DEVT_MAX, "%zu:%zu", 4095 - i,
			 1048575 - i);
	}
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), 0);
	ck_assert_uint_eq(t.npaths, DMT_PATHS_MAX);
	assert_round_trip(&s);
	/* one path more is past what a table holds here */
	snprintf(s.groups[0].devt[s.groups[0].npaths++], MP_DEVT_MAX, "1:1");
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), -E2BIG);
	ck_assert_uint_eq(t.npaths, 0);
}
END_TEST

START_TEST(test_build_invalid)
{
	static const char *const bad_devts[] = {
	    "",		 "8",	   "8:",    ":16",   "08:16",	      "8:016",
	    "8:16 ",	 " 8:16",  "8:16x", "8:-1",  "+8:16",	      "4096:0",
	    "8:1048576", "8:16:1", "a:b",   "0x8:1", "99999999999:1",
	};
	struct mp_map_spec s;
	struct dmt_table t;
	char buf[DMT_TABLE_TEXT_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(bad_devts); i++) {
		spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
		spec_group(&s, (const char *const[]){"8:0", bad_devts[i], NULL});
		ck_assert_msg(mp_spec_to_dmt(&s, &t) == -EINVAL, "device '%s'", bad_devts[i]);
		ck_assert_uint_eq(t.npaths, 0);
		ck_assert_int_eq(mp_spec_build(&s, buf, sizeof(buf)), -EINVAL);
		ck_assert_str_eq(buf, "");
	}
	/* "0:0" is a device number the kernel prints */
	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&s, (const char *const[]){"0:0", NULL});
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), 0);

	/* a device twice, in one group or in two */
	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&s, (const char *const[]){"8:16", "8:16", NULL});
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), -EINVAL);
	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&s, (const char *const[]){"8:16", NULL});
	spec_group(&s, (const char *const[]){"8:16", NULL});
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), -EINVAL);

	/* an empty group: the kernel refuses one */
	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&s, two);
	s.ngroups = 2;
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), -EINVAL);

	/* counts past the arrays, enums out of range */
	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&s, two);
	s.ngroups = MP_GROUPS_MAX + 1;
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), -EINVAL);
	s.ngroups = 1;
	s.groups[0].npaths = MP_GROUP_PATHS_MAX + 1;
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), -EINVAL);
	s.groups[0].npaths = 2;
	s.selector = (enum mp_selector)3;
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), -EINVAL);
	s.selector = MP_SELECTOR_SERVICE_TIME;
	s.hw_handler = (enum mp_hw_handler)2;
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), -EINVAL);
	ck_assert_ptr_null(mp_hw_handler_word((enum mp_hw_handler)2));
	s.hw_handler = MP_HW_HANDLER_NONE;
	ck_assert_int_eq(mp_spec_to_dmt(&s, &t), 0);
}
END_TEST

/* What can be a map, and why not. */
START_TEST(test_check)
{
	struct mp_map_spec s;
	char why[256];

	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&s, two);
	ck_assert_int_eq(mp_spec_check(&s, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "");
#define REFUSED(change, want)                                                                      \
	do {                                                                                       \
		struct mp_map_spec b = s;                                                          \
		change;                                                                            \
		why[0] = '\0';                                                                     \
		ck_assert_msg(mp_spec_check(&b, why, sizeof(why)) == -EINVAL, #change);            \
		ck_assert_msg(strstr(why, want), "%s: '%s'", #change, why);                        \
	} while (0)
	REFUSED(b.name[0] = '\0', "cannot name a map");
	REFUSED(snprintf(b.name, sizeof(b.name), "a/b"), "'a/b' cannot name a map");
	REFUSED(snprintf(b.name, sizeof(b.name), "."), "cannot name a map");
	REFUSED(snprintf(b.name, sizeof(b.name), ".."), "cannot name a map");
	REFUSED(memset(b.name, 'n', sizeof(b.name)), "cannot name a map");
	REFUSED(b.wwid[0] = '\0', "cannot make a UUID");
	/* "mpath-" and 123 characters do not fit DM_UUID_LEN */
	REFUSED(memset(b.wwid, '3', 123); b.wwid[123] = '\0', "cannot make a UUID");
	REFUSED(b.sectors = 0, "0 sectors");
	REFUSED(snprintf(b.groups[0].devt[1], MP_DEVT_MAX, "sdb"), "path 'sdb' is not major:minor");
	REFUSED(snprintf(b.groups[0].devt[1], MP_DEVT_MAX, "8:16"), "path 8:16 twice");
	REFUSED(b.groups[0].npaths = 0, "path group 1 has 0 paths");
	REFUSED(b.selector = (enum mp_selector)9, "out of range");
#undef REFUSED
	/* the longest name and WWID there is room for */
	memset(s.name, 'n', MP_MAP_NAME_MAX - 1);
	s.name[MP_MAP_NAME_MAX - 1] = '\0';
	memset(s.wwid, '3', 122);
	s.wwid[122] = '\0';
	ck_assert_int_eq(mp_spec_check(&s, NULL, 0), 0);
	/* past DMT_PATHS_MAX paths */
	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	s.ngroups = 2;
	for (unsigned int i = 0; i <= DMT_PATHS_MAX; i++)
		snprintf(s.groups[i & 1].devt[s.groups[i & 1].npaths++], MP_DEVT_MAX, "8:%u", i);
	ck_assert_int_eq(mp_spec_check(&s, why, sizeof(why)), -E2BIG);
	ck_assert_str_eq(why, "more than 32 paths");
}
END_TEST

START_TEST(test_build_enospc)
{
	struct mp_map_spec s;
	char buf[DMT_TABLE_TEXT_MAX];
	int n;

	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&s, two);
	n = mp_spec_build(&s, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	/* room for the text but not its NUL */
	ck_assert_int_eq(mp_spec_build(&s, buf, (size_t)n), -ENOSPC);
	ck_assert_int_eq(mp_spec_build(&s, buf, (size_t)n + 1), n);
}
END_TEST

/* ---- reading back ---- */

/* Every spec the machine makes reads back equal: both groupings, every selector, queueing or not.
 */
START_TEST(test_round_trip)
{
	static const enum mp_selector sels[] = {MP_SELECTOR_SERVICE_TIME, MP_SELECTOR_ROUND_ROBIN,
						MP_SELECTOR_QUEUE_LENGTH};
	struct mp_map_spec s;
	unsigned int n, k, q, h, i;
	char dev[MP_DEVT_MAX];

	for (k = 0; k < ARRAY_SIZE(sels); k++) {
		for (q = 0; q < 2; q++) {
			for (h = 0; h < 2; h++) {
				/* multibus: one group of 1..DMT_PATHS_MAX paths */
				for (n = 1; n <= DMT_PATHS_MAX; n++) {
					spec_init(&s, sels[k], q);
					s.hw_handler = (enum mp_hw_handler)h;
					s.ngroups = 1;
					for (i = 0; i < n; i++) {
						snprintf(dev, sizeof(dev), "%u:%u", 8 + i / 16,
							 (i % 16) * 16);
						memcpy(s.groups[0].devt[i], dev, sizeof(dev));
					}
					s.groups[0].npaths = n;
					assert_round_trip(&s);
				}
				/* failover: 1..MP_GROUPS_MAX groups of one path */
				for (n = 1; n <= MP_GROUPS_MAX; n++) {
					spec_init(&s, sels[k], q);
					s.hw_handler = (enum mp_hw_handler)h;
					for (i = 0; i < n; i++) {
						snprintf(dev, sizeof(dev), "65:%u", i * 16);
						spec_group(&s, (const char *const[]){dev, NULL});
					}
					assert_round_trip(&s);
				}
			}
		}
	}
}
END_TEST

/* The kernel prints the group in use, not the one loaded: it does not matter. */
START_TEST(test_read_current_group)
{
	struct mp_map_spec s, want;
	static const char text[] =
	    "1 queue_if_no_path 0 2 2 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:32 1 1 ";

	spec_init(&want, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&want, (const char *const[]){"8:16", NULL});
	spec_group(&want, (const char *const[]){"8:32", NULL});
	s = want;
	ck_assert_int_eq(parse_exact(text, strlen(text), &s, NULL, 0), 0);
	ck_assert(mp_spec_equal(&s, &want));
}
END_TEST

/*
 * Tables as others load them that read back as one of ours: multipathd's
 * service-time with one per-path arg, tables without the trailing space,
 * queue_mode rq/mq (the kernel does not print them), the alua handler.
 */
START_TEST(test_read_ours)
{
	static const struct {
		const char *text;
		enum mp_selector sel;
		bool queue;
		enum mp_hw_handler hw;
		unsigned int ngroups, npaths;
	} v[] = {
	    /* multipath-tools' assemble_map: "service-time 0 <n> 1 <dev> <min_io>" */
	    {"1 queue_if_no_path 0 1 1 service-time 0 2 1 8:16 1 8:32 1", MP_SELECTOR_SERVICE_TIME,
	     true, MP_HW_HANDLER_NONE, 1, 2},
	    {"0 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1", MP_SELECTOR_SERVICE_TIME, false,
	     MP_HW_HANDLER_NONE, 1, 2},
	    /* repeat_count above 1 is kept as 1 */
	    {"0 0 1 1 round-robin 0 2 1 8:16 1000 8:64 1000 ", MP_SELECTOR_ROUND_ROBIN, false,
	     MP_HW_HANDLER_NONE, 1, 2},
	    {"3 queue_if_no_path queue_mode mq 0 1 1 queue-length 0 1 0 8:16 ",
	     MP_SELECTOR_QUEUE_LENGTH, true, MP_HW_HANDLER_NONE, 1, 1},
	    {"2 queue_mode rq 1 alua 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:32 1 1 ",
	     MP_SELECTOR_SERVICE_TIME, false, MP_HW_HANDLER_ALUA, 2, 1},
	    /* hw handler args are kept by the kernel, not printed */
	    {"0 2 alua 7 1 1 service-time 0 1 2 8:16 1 1 ", MP_SELECTOR_SERVICE_TIME, false,
	     MP_HW_HANDLER_ALUA, 1, 1},
	    {"1 QUEUE_IF_NO_PATH 0 0 0", MP_SELECTOR_SERVICE_TIME, true, MP_HW_HANDLER_NONE, 0, 0},
	};
	struct mp_map_spec s;
	char why[128];

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		why[0] = '\0';
		spec_init(&s, MP_SELECTOR_QUEUE_LENGTH, !v[i].queue);
		s.hw_handler = MP_HW_HANDLER_ALUA;
		ck_assert_msg(parse_exact(v[i].text, strlen(v[i].text), &s, why, sizeof(why)) == 0,
			      "'%s': %s", v[i].text, why);
		ck_assert_int_eq(s.selector, v[i].sel);
		ck_assert_int_eq(s.queue_if_no_path, v[i].queue);
		ck_assert_int_eq(s.hw_handler, v[i].hw);
		ck_assert_uint_eq(s.ngroups, v[i].ngroups);
		if (v[i].ngroups)
			ck_assert_uint_eq(s.groups[0].npaths, v[i].npaths);
		/* name, WWID and size are not the table's */
		ck_assert_str_eq(s.name, "mpatha");
		ck_assert_uint_eq(s.sectors, 131072);
	}
}
END_TEST

/* Tables pathd could not have written: not ours, with the reason. */
START_TEST(test_read_not_ours)
{
	assert_not_ours("1 retain_attached_hw_handler 0 1 1 service-time 0 1 2 8:16 1 1 ",
			"retain_attached_hw_handler");
	assert_not_ours("2 pg_init_retries 50 0 1 1 service-time 0 1 2 8:16 1 1 ",
			"pg_init_retries 50");
	assert_not_ours("2 pg_init_delay_msecs 0 0 1 1 service-time 0 1 2 8:16 1 1 ",
			"pg_init_delay_msecs 0");
	/* bio-based: the kernel adds retain_attached_hw_handler */
	assert_not_ours("2 queue_mode bio 0 1 1 service-time 0 1 2 8:16 1 1 ",
			"retain_attached_hw_handler");
	assert_not_ours("2 queue_if_no_path frobnicate 0 1 1 service-time 0 1 2 8:16 1 1 ",
			"'frobnicate'");
	assert_not_ours("0 1 emc 1 1 service-time 0 1 2 8:16 1 1 ", "hw handler 'emc'");
	assert_not_ours("0 1 rdac 1 1 round-robin 0 1 1 8:16 1 ", "hw handler 'rdac'");
	assert_not_ours("0 0 1 1 historical-service-time 0 1 0 8:16 ",
			"path selector 'historical-service-time'");
	assert_not_ours("0 0 1 1 io-affinity 0 2 1 8:16 1 8:32 2 ", "path selector 'io-affinity'");
	assert_not_ours("0 0 2 1 service-time 0 1 2 8:16 1 1 round-robin 0 1 1 8:32 1 ",
			"service-time and round-robin");
	assert_not_ours("0 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 50 ",
			"path 8:32 has relative_throughput 50, pathd loads 1");
	assert_not_ours("0 0 2 1 round-robin 0 1 1 8:16 1 round-robin 0 1 1 8:16 1 ",
			"path 8:16 twice");
}
END_TEST

START_TEST(test_read_invalid)
{
	static const char *const bad[] = {
	    "",
	    "1",
	    "0 0 1 1 service-time 0 1 2 8:16 1",
	    "0 0 1 1 service-time 0 0 2 ",
	    "0 0 1 2 service-time 0 1 2 8:16 1 1 ",
	    "0 0 1 1 service-time 0 1 2 sdb 1 1 ",
	    "0 0 1 1 service-time 0 1 2 8:16 1 101 ",
	};
	struct mp_map_spec s;
	char why[128];
	char big[DMT_TABLE_TEXT_MAX * 2];
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		spec_init(&s, MP_SELECTOR_ROUND_ROBIN, true);
		ck_assert_msg(parse_exact(bad[i], strlen(bad[i]), &s, why, sizeof(why)) == -EINVAL,
			      "'%s'", bad[i]);
		ck_assert_str_eq(why, "a table that does not parse");
		ck_assert_uint_eq(s.ngroups, 0);
		ck_assert(!s.queue_if_no_path);
	}
	/* 9 groups: well-formed, past the limits */
	n = (size_t)snprintf(big, sizeof(big), "0 0 9 1 ");
	for (unsigned int g = 0; g < 9; g++)
		n +=
		    (size_t)snprintf(big + n, sizeof(big) - n, "round-robin 0 1 1 8:%u 1 ", g * 16);
	why[0] = '\0';
	ck_assert_int_eq(parse_exact(big, n, &s, why, sizeof(why)), -E2BIG);
	ck_assert_ptr_nonnull(strstr(why, "past pathd's limits"));
}
END_TEST

/* No prefix of a table reads past its length, and every result is one of the documented ones. */
START_TEST(test_read_prefixes)
{
	struct mp_map_spec s;
	const char *texts[] = {
	    "1 queue_if_no_path 1 alua 2 1 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:32 1 "
	    "1 ",
	    "0 0 1 1 round-robin 0 2 1 8:16 1 8:64 1 ",
	};

	for (size_t t = 0; t < ARRAY_SIZE(texts); t++) {
		for (size_t n = 0; n <= strlen(texts[t]); n++) {
			int r = parse_exact(texts[t], n, &s, NULL, 0);

			ck_assert_msg(r == 0 || r == -EINVAL || r == -EOPNOTSUPP, "%zu: %d", n, r);
		}
	}
}
END_TEST

/* ---- status ---- */

START_TEST(test_status_failed)
{
	static const char st[] = "2 0 0 0 1 1 A 0 3 2 8:16 A 0 0 1 8:32 F 2 0 1 8:48 F 1 0 1 ";
	struct mp_ev_map ev;
	unsigned int active = 99;

	memset(&ev, 0, sizeof(ev));
	ck_assert_int_eq(mp_spec_parse_status(st, strlen(st), &ev, &active), 0);
	ck_assert_uint_eq(active, 1);
	ck_assert_uint_eq(ev.nfailed, 2);
	ck_assert_str_eq(ev.failed[0], "8:32");
	ck_assert_str_eq(ev.failed[1], "8:48");
}
END_TEST

START_TEST(test_status_groups)
{
	/* failover, group 2 in use, group 1's path failed; round-robin prints no path status */
	static const char st[] = "2 0 0 0 2 2 E 0 1 0 8:16 F 1 A 0 1 0 8:32 A 0 ";
	static const char none[] = "2 0 0 0 0 0 ";
	struct mp_ev_map ev;
	unsigned int active;

	memset(&ev, 0, sizeof(ev));
	ck_assert_int_eq(mp_spec_parse_status(st, strlen(st), &ev, &active), 0);
	ck_assert_uint_eq(active, 1);
	ck_assert_uint_eq(ev.nfailed, 1);
	ck_assert_str_eq(ev.failed[0], "8:16");
	ck_assert_int_eq(mp_spec_parse_status(none, strlen(none), &ev, NULL), 0);
	ck_assert_uint_eq(ev.nfailed, 0);
}
END_TEST

START_TEST(test_status_invalid)
{
	static const char bad[] = "2 0 0 0 1 1 A 0 1 2 8:16 X 0 0 1 ";
	struct mp_ev_map ev;
	unsigned int active = 7;

	memset(&ev, 0, sizeof(ev));
	ev.nfailed = 3;
	ck_assert_int_eq(mp_spec_parse_status(bad, strlen(bad), &ev, &active), -EINVAL);
	ck_assert_uint_eq(ev.nfailed, 0);
	ck_assert_uint_eq(active, 0);
}
END_TEST

/* ---- one device as the kernel lists it ---- */

static const char good_table[] = "1 queue_if_no_path 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1 ";
static const char good_status[] = "2 0 0 0 1 1 A 0 2 2 8:16 A 0 0 1 8:32 F 1 0 1 ";

static struct mp_map_text good_map(void)
{
	return (struct mp_map_text){
	    .name = "lun0",
	    .uuid = "mpath-36001405abcdef",
	    .open_count = 2,
	    .ntargets = 1,
	    .start = 0,
	    .length = 131072,
	    .type = "multipath",
	    .table = good_table,
	    .status = good_status,
	};
}

START_TEST(test_read_map)
{
	struct mp_map_text m = good_map();
	struct mp_ev_map ev;
	struct mp_map_spec want;
	char why[128];

	ck_assert_int_eq(mp_spec_read_map(&m, &ev, why, sizeof(why)), 0);
	ck_assert_msg(ev.spec_ok, "%s", why);
	ck_assert_str_eq(why, "");
	spec_init(&want, MP_SELECTOR_SERVICE_TIME, true);
	snprintf(want.name, sizeof(want.name), "lun0");
	snprintf(want.wwid, sizeof(want.wwid), "36001405abcdef");
	spec_group(&want, two);
	ck_assert(mp_spec_equal(&ev.spec, &want));
	ck_assert_uint_eq(ev.open_count, 2);
	ck_assert(ev.queueing);
	ck_assert_uint_eq(ev.nfailed, 1);
	ck_assert_str_eq(ev.failed[0], "8:32");
	ck_assert_uint_eq(ev.active_group, 1);
}
END_TEST

/*
 * An ALUA map on its second group (the first one's path failed, or a
 * switch_group 2): the table reads back with that group as its first
 * number (multipath_status prints the group in use in both lines), and
 * is still the spec pathd loaded; the status says which group is in use.
 */
START_TEST(test_read_map_group_in_use)
{
	struct mp_map_text m = good_map();
	struct mp_ev_map ev;
	char why[128];

	m.table = "1 queue_if_no_path 1 alua 2 2 service-time 0 1 2 8:16 1 1 service-time 0 1 2 8:32 1 1 ";
	m.status = "2 0 1 0 2 2 E 0 1 2 8:16 A 0 0 1 A 0 1 2 8:32 A 0 0 1 ";
	ck_assert_int_eq(mp_spec_read_map(&m, &ev, why, sizeof(why)), 0);
	ck_assert_msg(ev.spec_ok, "%s", why);
	ck_assert_int_eq(ev.spec.hw_handler, MP_HW_HANDLER_ALUA);
	ck_assert_uint_eq(ev.spec.ngroups, 2);
	ck_assert_str_eq(ev.spec.groups[0].devt[0], "8:16");
	ck_assert_uint_eq(ev.active_group, 2);
	ck_assert_uint_eq(ev.nfailed, 0);
}
END_TEST

/* After fail_if_no_path the table reads back without queue_if_no_path: queueing is off. */
START_TEST(test_read_map_no_queue)
{
	struct mp_map_text m = good_map();
	struct mp_ev_map ev;

	m.table = "0 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1 ";
	ck_assert_int_eq(mp_spec_read_map(&m, &ev, NULL, 0), 0);
	ck_assert(ev.spec_ok);
	ck_assert(!ev.queueing);
	ck_assert(!ev.spec.queue_if_no_path);
}
END_TEST

START_TEST(test_read_map_not_multipath)
{
	static const char *const uuids[] = {
	    "",	     "LVM-abcdef",    "part1-mpath-36001405abcdef", "mpath-", "MPATH-3600",
	    "mpath", "CRYPT-LUKS2-x",
	};
	struct mp_map_text m = good_map();
	struct mp_ev_map ev;
	char longest[MP_WWID_MAX + 16];

	for (size_t i = 0; i < ARRAY_SIZE(uuids); i++) {
		m.uuid = uuids[i];
		ck_assert_msg(mp_spec_read_map(&m, &ev, NULL, 0) == -ENOENT, "'%s'", uuids[i]);
	}
	m.uuid = NULL;
	ck_assert_int_eq(mp_spec_read_map(&m, &ev, NULL, 0), -ENOENT);
	/* a WWID the spec cannot hold (the kernel's UUIDs are shorter) */
	snprintf(longest, sizeof(longest), "mpath-%0*d", MP_WWID_MAX, 3);
	m.uuid = longest;
	ck_assert_int_eq(mp_spec_read_map(&m, &ev, NULL, 0), -ENOENT);
	longest[strlen(MP_UUID_PREFIX) + MP_WWID_MAX - 1] = '\0';
	ck_assert_int_eq(mp_spec_read_map(&m, &ev, NULL, 0), 0);
	ck_assert_uint_eq(strlen(ev.spec.wwid), MP_WWID_MAX - 1);
}
END_TEST

/* A map listed, but spec_ok false, with why. */
static void assert_map_not_ok(const struct mp_map_text *m, const char *want)
{
	struct mp_ev_map ev;
	char why[128];

	ck_assert_int_eq(mp_spec_read_map(m, &ev, why, sizeof(why)), 0);
	ck_assert(!ev.spec_ok);
	ck_assert_msg(strstr(why, want), "reason '%s', want '%s'", why, want);
	ck_assert_str_eq(ev.spec.name, "lun0");
	ck_assert_str_eq(ev.spec.wwid, "36001405abcdef");
	ck_assert_uint_eq(ev.open_count, 2);
}

START_TEST(test_read_map_not_ok)
{
	struct mp_map_text m;
	struct mp_ev_map ev;

	m = good_map();
	m.suspended = true;
	assert_map_not_ok(&m, "suspended");
	/* the rest is read all the same */
	ck_assert_int_eq(mp_spec_read_map(&m, &ev, NULL, 0), 0);
	ck_assert(ev.queueing);
	ck_assert_uint_eq(ev.nfailed, 1);
	ck_assert_uint_eq(ev.spec.ngroups, 1);

	m = good_map();
	m.ntargets = 0;
	m.table = m.status = NULL;
	m.type = NULL;
	assert_map_not_ok(&m, "no table loaded");
	m = good_map();
	m.ntargets = 2;
	assert_map_not_ok(&m, "2 targets");
	m = good_map();
	m.type = "linear";
	assert_map_not_ok(&m, "target 'linear'");
	m = good_map();
	m.start = 8;
	assert_map_not_ok(&m, "starts at sector 8");
	m = good_map();
	m.table = "0 0 1 1 service-time 0 2 2 8:16 1 1";
	assert_map_not_ok(&m, "does not parse");
	m = good_map();
	m.status = "2 0 0";
	assert_map_not_ok(&m, "status that does not parse");
	m = good_map();
	m.status = NULL;
	assert_map_not_ok(&m, "status that does not parse");
	/* reloaded between the table and the status */
	m = good_map();
	m.status = "2 0 0 0 1 1 A 0 2 2 8:16 A 0 0 1 8:48 A 0 0 1 ";
	assert_map_not_ok(&m, "other paths");

	/* multipathd's alua map with pg_init_retries: not ours, but its state is read */
	m = good_map();
	m.table = "3 queue_if_no_path pg_init_retries 50 1 alua 2 1 service-time 0 1 2 8:16 1 1 "
		  "service-time 0 1 2 8:32 1 1 ";
	m.status = "2 0 0 0 2 1 A 0 1 2 8:16 F 1 0 1 E 0 1 2 8:32 A 0 0 1 ";
	assert_map_not_ok(&m, "pg_init_retries");
	ck_assert_int_eq(mp_spec_read_map(&m, &ev, NULL, 0), 0);
	ck_assert(ev.queueing);
	ck_assert_uint_eq(ev.nfailed, 1);
	ck_assert_str_eq(ev.failed[0], "8:16");
	ck_assert_uint_eq(ev.spec.ngroups, 0);
}
END_TEST

/* ---- [vm] what a 6.1 kernel printed ---- */

/* The spec dmadapter.sh built: the lab's fio LUN, 8:16 through one portal, 8:64 through the other.
 */
static struct mp_map_spec vm_spec(const char *const *devts)
{
	struct mp_map_spec s;

	spec_init(&s, MP_SELECTOR_SERVICE_TIME, true);
	snprintf(s.name, sizeof(s.name), "pathd-dmcheck");
	snprintf(s.wwid, sizeof(s.wwid), "33ecf85d609f089fc");
	spec_group(&s, devts);
	return s;
}

static void assert_vm_map(const char *table, const char *status, const struct mp_map_spec *want,
			  bool queueing, const char *failed)
{
	struct mp_map_text m = {
	    .name = "pathd-dmcheck",
	    .uuid = "mpath-33ecf85d609f089fc",
	    .ntargets = 1,
	    .length = 131072,
	    .type = "multipath",
	    .table = table,
	    .status = status,
	};
	struct mp_ev_map ev;
	char why[128], got[64] = "";
	size_t used = 0;

	ck_assert_int_eq(mp_spec_read_map(&m, &ev, why, sizeof(why)), 0);
	ck_assert_msg(ev.spec_ok, "'%s': %s", table, why);
	ck_assert_msg(mp_spec_equal(&ev.spec, want), "'%s' read back differs", table);
	ck_assert_int_eq(ev.queueing, queueing);
	for (size_t i = 0; i < ev.nfailed; i++)
		used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s", i ? "," : "",
					 ev.failed[i]);
	ck_assert_str_eq(got, failed);
}

START_TEST(test_vm_lines)
{
	static const char *const both[] = {"8:16", "8:64", NULL};
	struct mp_map_spec s = vm_spec(both);
	static const char st_table[] =
	    "1 queue_if_no_path 0 1 1 service-time 0 2 2 8:16 1 1 8:64 1 1 ";

	/* the table loaded is, byte for byte, the table printed */
	ck_assert_str_eq(build(&s), st_table);
	/* created */
	assert_vm_map(st_table, "2 0 0 0 1 1 A 0 2 2 8:16 A 0 0 1 8:64 A 0 0 1 ", &s, true, "");
	/* fail_path 8:64 */
	assert_vm_map(st_table, "2 0 0 0 1 1 A 0 2 2 8:16 A 0 0 1 8:64 F 1 0 1 ", &s, true, "8:64");
	/* reinstate_path 8:64, then fail_if_no_path: the table drops the feature */
	s.queue_if_no_path = false;
	assert_vm_map("0 0 1 1 service-time 0 2 2 8:16 1 1 8:64 1 1 ",
		      "2 0 0 0 1 1 A 0 2 2 8:16 A 0 0 1 8:64 A 1 0 1 ", &s, false, "");
	/* reloaded to one path while fio wrote: 131072 bytes in flight */
	s = vm_spec((const char *const[]){"8:16", NULL});
	assert_vm_map("1 queue_if_no_path 0 1 1 service-time 0 1 2 8:16 1 1 ",
		      "2 0 0 0 1 1 A 0 1 2 8:16 A 0 131072 1 ", &s, true, "");
	/* both paths failed, I/O queued: no group in use */
	s = vm_spec(both);
	assert_vm_map(st_table, "2 0 0 0 1 1 E 0 2 2 8:16 F 1 0 1 8:64 F 1 0 1 ", &s, true,
		      "8:16,8:64");
	/* round-robin over one path */
	s = vm_spec((const char *const[]){"8:64", NULL});
	s.selector = MP_SELECTOR_ROUND_ROBIN;
	ck_assert_str_eq(build(&s), "1 queue_if_no_path 0 1 1 round-robin 0 1 1 8:64 1 ");
	assert_vm_map("1 queue_if_no_path 0 1 1 round-robin 0 1 1 8:64 1 ",
		      "2 0 0 0 1 1 A 0 1 0 8:64 A 0 ", &s, true, "");
}
END_TEST

/* ---- comparing ---- */

START_TEST(test_equal)
{
	struct mp_map_spec a, b;

	spec_init(&a, MP_SELECTOR_SERVICE_TIME, true);
	spec_group(&a, two);
	b = a;
	ck_assert(mp_spec_equal(&a, &b));
	/* what lies past the counts does not matter */
	snprintf(b.groups[0].devt[5], MP_DEVT_MAX, "9:9");
	snprintf(b.groups[3].devt[0], MP_DEVT_MAX, "9:9");
	ck_assert(mp_spec_equal(&a, &b));
#define DIFFERS(change)                                                                            \
	do {                                                                                       \
		b = a;                                                                             \
		change;                                                                            \
		ck_assert_msg(!mp_spec_equal(&a, &b), #change);                                    \
	} while (0)
	DIFFERS(b.name[0] = 'x');
	DIFFERS(b.wwid[1] = 'x');
	DIFFERS(b.sectors++);
	DIFFERS(b.selector = MP_SELECTOR_ROUND_ROBIN);
	DIFFERS(b.queue_if_no_path = false);
	DIFFERS(b.hw_handler = MP_HW_HANDLER_ALUA);
	DIFFERS(b.ngroups = 2);
	DIFFERS(b.groups[0].npaths = 1);
	DIFFERS(snprintf(b.groups[0].devt[1], MP_DEVT_MAX, "8:33"));
	/* the order of paths counts: this is the table, not the set */
	DIFFERS(snprintf(b.groups[0].devt[0], MP_DEVT_MAX, "8:32");
		snprintf(b.groups[0].devt[1], MP_DEVT_MAX, "8:16"));
#undef DIFFERS
}
END_TEST

static Suite *map_spec_suite(void)
{
	Suite *s = suite_create("map_spec");
	TCase *tc = tcase_create("map_spec");

	tcase_add_test(tc, test_build_multibus);
	tcase_add_test(tc, test_build_selectors);
	tcase_add_test(tc, test_build_failover);
	tcase_add_test(tc, test_build_alua);
	tcase_add_test(tc, test_read_map_group_in_use);
	tcase_add_test(tc, test_build_no_groups);
	tcase_add_test(tc, test_build_largest);
	tcase_add_test(tc, test_build_invalid);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_build_enospc);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_read_current_group);
	tcase_add_test(tc, test_read_ours);
	tcase_add_test(tc, test_read_not_ours);
	tcase_add_test(tc, test_read_invalid);
	tcase_add_test(tc, test_read_prefixes);
	tcase_add_test(tc, test_status_failed);
	tcase_add_test(tc, test_status_groups);
	tcase_add_test(tc, test_status_invalid);
	tcase_add_test(tc, test_read_map);
	tcase_add_test(tc, test_read_map_no_queue);
	tcase_add_test(tc, test_read_map_not_multipath);
	tcase_add_test(tc, test_read_map_not_ok);
	tcase_add_test(tc, test_vm_lines);
	tcase_add_test(tc, test_equal);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(map_spec_suite)

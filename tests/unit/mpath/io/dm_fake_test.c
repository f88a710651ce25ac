/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fake device-mapper (mpath/io/dm_fake.c): it keeps maps as the kernel
 * would, refuses what the kernel (and dm_libdm_ops) refuses with the same
 * errors and reasons, prints tables and status lines as dmsetup shows
 * them, and lists maps through the same parser as the real adapter.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "mpath/io/dm_fake.h"
#include "tests/unit/check_main.h"

#define W0 "36001405aaaaaaaaaaaaaaaaaaaaaaaaa"
#define W1 "36001405bbbbbbbbbbbbbbbbbbbbbbbbb"

static struct dm_fake *f;
static const struct dm_ops *ops = &dm_fake_ops;
static char err[1024];

static void setup(void)
{
	ck_assert_int_eq(dm_fake_create(&f), 0);
	err[0] = '\0';
}

static void teardown(void)
{
	dm_fake_destroy(f);
	f = NULL;
}

/* A spec of one group of the devices given (NULL-ended); a second NULL-ended list makes group 2. */
static struct mp_map_spec spec_of(const char *name, const char *wwid, const char *const *g1,
				  const char *const *g2)
{
	struct mp_map_spec s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.wwid, sizeof(s.wwid), "%s", wwid);
	s.sectors = 131072;
	s.selector = MP_SELECTOR_SERVICE_TIME;
	s.queue_if_no_path = true;
	for (const char *const *g = g1; g; g = g == g1 ? g2 : NULL) {
		struct mp_group_spec *gs = &s.groups[s.ngroups++];

		for (size_t i = 0; g[i]; i++)
			snprintf(gs->devt[gs->npaths++], MP_DEVT_MAX, "%s", g[i]);
	}
	return s;
}

static const char *const two[] = {"8:16", "8:32", NULL};

static void create_ok(const struct mp_map_spec *s)
{
	int r = ops->create(f, s, err, sizeof(err));

	ck_assert_msg(r == 0, "create '%s': %d %s", s->name, r, err);
}

/* The listed map named name (the list is freed at the next call). */
static const struct mp_ev_map *listed(const char *name)
{
	static struct mp_ev_map *maps;
	static size_t n;

	free(maps);
	maps = NULL;
	ck_assert_int_eq(ops->list(f, &maps, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(maps[i].spec.name, name))
			return &maps[i];
	return NULL;
}

static const char *table_of(const char *name)
{
	static char buf[DMT_TABLE_TEXT_MAX];

	ck_assert_int_ge(dm_fake_table(f, name, buf, sizeof(buf)), 0);
	return buf;
}

static const char *status_of(const char *name)
{
	static char buf[DMT_TABLE_TEXT_MAX];

	ck_assert_int_ge(dm_fake_status(f, name, buf, sizeof(buf)), 0);
	return buf;
}

static int message(const char *name, const char *msg)
{
	err[0] = '\0';
	return ops->message(f, name, msg, err, sizeof(err));
}

static void assert_err(const char *want)
{
	ck_assert_msg(strstr(err, want), "err '%s', want '%s'", err, want);
}

/* ---- create and list ---- */

START_TEST(test_create_list)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);
	const struct mp_ev_map *m;
	char text[DMT_TABLE_TEXT_MAX];

	create_ok(&s);
	ck_assert_uint_eq(dm_fake_count(f), 1);
	/* what dmsetup would show: the table pathd built, and a status of two active paths */
	ck_assert_int_gt(mp_spec_build(&s, text, sizeof(text)), 0);
	ck_assert_str_eq(table_of("lun0"), text);
	ck_assert_str_eq(status_of("lun0"), "2 1 0 0 1 1 E 0 2 2 8:16 A 0 0 1 8:32 A 0 0 1 ");
	m = listed("lun0");
	ck_assert_ptr_nonnull(m);
	ck_assert(m->spec_ok);
	ck_assert(mp_spec_equal(&m->spec, &s));
	ck_assert_uint_eq(m->open_count, 0);
	ck_assert(m->queueing);
	ck_assert_uint_eq(m->nfailed, 0);
}
END_TEST

START_TEST(test_list_empty)
{
	struct mp_ev_map *maps = (struct mp_ev_map *)&maps;
	size_t n = 7;

	ck_assert_int_eq(ops->list(f, &maps, &n, err, sizeof(err)), 0);
	ck_assert_ptr_null(maps);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* Every kind of spec the machine makes comes back from list equal, as from the kernel. */
START_TEST(test_list_round_trip)
{
	static const enum mp_selector sels[] = {MP_SELECTOR_SERVICE_TIME, MP_SELECTOR_ROUND_ROBIN,
						MP_SELECTOR_QUEUE_LENGTH};
	char name[16], wwid[MP_WWID_MAX];
	struct mp_map_spec s;
	const struct mp_ev_map *m;

	for (unsigned int i = 0; i < ARRAY_SIZE(sels) * 4; i++) {
		snprintf(name, sizeof(name), "m%u", i);
		snprintf(wwid, sizeof(wwid), "3600140500000%u", i);
		s = i % 2 ? spec_of(name, wwid, two, NULL)
			  : spec_of(name, wwid, (const char *const[]){"65:16", NULL},
				    (const char *const[]){"65:32", NULL});
		s.selector = sels[i % ARRAY_SIZE(sels)];
		s.queue_if_no_path = i & 2;
		s.hw_handler = i % 3 == 0 ? MP_HW_HANDLER_ALUA : MP_HW_HANDLER_NONE;
		create_ok(&s);
		m = listed(name);
		ck_assert_ptr_nonnull(m);
		ck_assert_msg(m->spec_ok && mp_spec_equal(&m->spec, &s), "%s: %s", name,
			      table_of(name));
		ck_assert_int_eq(m->queueing, s.queue_if_no_path);
	}
	ck_assert_uint_eq(dm_fake_count(f), ARRAY_SIZE(sels) * 4);
}
END_TEST

START_TEST(test_create_refused)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);
	struct mp_map_spec other;

	create_ok(&s);
	/* the name in use */
	other = spec_of("lun0", W1, two, NULL);
	ck_assert_int_eq(ops->create(f, &other, err, sizeof(err)), -EEXIST);
	assert_err("map 'lun0': a device-mapper device has that name already (UUID 'mpath-" W0
		   "')");
	/* the UUID in use, under another name */
	other = spec_of("alias", W0, two, NULL);
	ck_assert_int_eq(ops->create(f, &other, err, sizeof(err)), -EEXIST);
	assert_err("map 'alias': map 'lun0' has its UUID 'mpath-" W0 "' already");
	/* no table can say it */
	other = spec_of("lun1", W1, (const char *const[]){"8:16", "sdb", NULL}, NULL);
	ck_assert_int_eq(ops->create(f, &other, err, sizeof(err)), -EINVAL);
	assert_err("map 'lun1': path 'sdb' is not major:minor");
	other = spec_of("lun1", "", two, NULL);
	ck_assert_int_eq(ops->create(f, &other, err, sizeof(err)), -EINVAL);
	assert_err("cannot make a UUID");
	ck_assert_uint_eq(dm_fake_count(f), 1);
	ck_assert_uint_eq(dm_fake_calls(f, DM_FAKE_OP_CREATE), 5);
}
END_TEST

/* ---- reload ---- */

START_TEST(test_reload)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);
	const struct mp_ev_map *m;

	create_ok(&s);
	ck_assert_int_eq(message("lun0", "fail_path 8:32"), 0);
	ck_assert_uint_eq(listed("lun0")->nfailed, 1);
	/* one path more, a new size: the new table starts with every path active */
	s = spec_of("lun0", W0, (const char *const[]){"8:16", "8:32", "8:48", NULL}, NULL);
	s.sectors = 196608;
	ck_assert_int_eq(ops->reload(f, &s, err, sizeof(err)), 0);
	m = listed("lun0");
	ck_assert(m->spec_ok && mp_spec_equal(&m->spec, &s));
	ck_assert_uint_eq(m->nfailed, 0);
	ck_assert_str_eq(status_of("lun0"),
			 "2 1 0 0 1 1 E 0 3 2 8:16 A 0 0 1 8:32 A 0 0 1 8:48 A 0 0 1 ");
	/* queueing comes back with a table that has it */
	ck_assert_int_eq(message("lun0", "fail_if_no_path"), 0);
	ck_assert(!listed("lun0")->queueing);
	ck_assert_int_eq(ops->reload(f, &s, err, sizeof(err)), 0);
	ck_assert(listed("lun0")->queueing);
}
END_TEST

START_TEST(test_reload_refused)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);
	struct mp_map_spec other;

	other = spec_of("lun9", W1, two, NULL);
	ck_assert_int_eq(ops->reload(f, &other, err, sizeof(err)), -ENXIO);
	assert_err("no map named 'lun9'");
	create_ok(&s);
	/* another LUN's paths into lun0: never */
	other = spec_of("lun0", W1, (const char *const[]){"8:64", NULL}, NULL);
	ck_assert_int_eq(ops->reload(f, &other, err, sizeof(err)), -EEXIST);
	assert_err("map 'lun0' is 'mpath-" W0 "', not 'mpath-" W1 "': not reloaded");
	other = spec_of("lun0", W0, two, NULL);
	other.sectors = 0;
	ck_assert_int_eq(ops->reload(f, &other, err, sizeof(err)), -EINVAL);
	assert_err("map 'lun0': a map of 0 sectors");
	ck_assert(mp_spec_equal(&listed("lun0")->spec, &s));
}
END_TEST

/* ---- remove ---- */

START_TEST(test_remove)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);

	ck_assert_int_eq(ops->remove(f, "lun0", false, err, sizeof(err)), -ENXIO);
	assert_err("no map named 'lun0'");
	create_ok(&s);
	ck_assert_int_eq(ops->remove(f, "lun0", false, err, sizeof(err)), 0);
	ck_assert_uint_eq(dm_fake_count(f), 0);
	ck_assert_ptr_null(listed("lun0"));
	/* gone: made again under its name */
	create_ok(&s);
	ck_assert_int_eq(ops->remove(f, "lun0", true, err, sizeof(err)), 0);
	ck_assert_uint_eq(dm_fake_count(f), 0);
}
END_TEST

START_TEST(test_remove_open)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);

	create_ok(&s);
	ck_assert_int_eq(dm_fake_set_open(f, "lun0", 2), 0);
	ck_assert_int_eq(dm_fake_set_open(f, "nope", 2), -ENXIO);
	ck_assert_uint_eq(listed("lun0")->open_count, 2);
	ck_assert_int_eq(ops->remove(f, "lun0", false, err, sizeof(err)), -EBUSY);
	assert_err("map 'lun0' is open (open count 2): not removed");
	/* deferred: 0 now, listed until its last close */
	ck_assert_int_eq(ops->remove(f, "lun0", true, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(listed("lun0"));
	ck_assert_int_eq(dm_fake_set_open(f, "lun0", 1), 0);
	ck_assert_ptr_nonnull(listed("lun0"));
	ck_assert_int_eq(dm_fake_set_open(f, "lun0", 0), 0);
	ck_assert_ptr_null(listed("lun0"));
	ck_assert_uint_eq(dm_fake_count(f), 0);

	/* a deferred remove cancelled: the map stays at its last close */
	create_ok(&s);
	ck_assert_int_eq(dm_fake_set_open(f, "lun0", 1), 0);
	ck_assert_int_eq(ops->remove(f, "lun0", true, err, sizeof(err)), 0);
	ck_assert_int_eq(message("lun0", "@cancel_deferred_remove"), 0);
	ck_assert_int_eq(dm_fake_set_open(f, "lun0", 0), 0);
	ck_assert_ptr_nonnull(listed("lun0"));
	ck_assert_int_eq(message("lun0", "@frobnicate"), -EINVAL);
}
END_TEST

/* ---- messages ---- */

START_TEST(test_message_paths)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);
	const struct mp_ev_map *m;

	create_ok(&s);
	ck_assert_int_eq(message("lun0", "fail_path 8:32"), 0);
	ck_assert_str_eq(status_of("lun0"), "2 1 0 0 1 1 E 0 2 2 8:16 A 0 0 1 8:32 F 1 0 1 ");
	m = listed("lun0");
	ck_assert(m->spec_ok);
	ck_assert_uint_eq(m->nfailed, 1);
	ck_assert_str_eq(m->failed[0], "8:32");
	/* failing a failed path does not count again */
	ck_assert_int_eq(message("lun0", "fail_path 8:32"), 0);
	ck_assert_str_eq(status_of("lun0"), "2 1 0 0 1 1 E 0 2 2 8:16 A 0 0 1 8:32 F 1 0 1 ");
	ck_assert_int_eq(message("lun0", "reinstate_path 8:32"), 0);
	ck_assert_str_eq(status_of("lun0"), "2 1 0 0 1 1 E 0 2 2 8:16 A 0 0 1 8:32 A 1 0 1 ");
	ck_assert_uint_eq(listed("lun0")->nfailed, 0);
	/* reinstating an active path is no error; words in any case, spaces as the kernel splits */
	ck_assert_int_eq(message("lun0", "REINSTATE_PATH  8:16\n"), 0);
	ck_assert_int_eq(message("lun0", "fail_path 8:48"), -EINVAL);
	assert_err("message 'fail_path 8:48' to map 'lun0': device-mapper: message ioctl on lun0 "
		   "failed: Invalid argument");
	ck_assert_int_eq(message("lun0", "fail_path sdc"), -ENXIO);
	ck_assert_int_eq(message("lun0", "fail_path"), -EINVAL);
	ck_assert_int_eq(message("lun0", "fail_path 8:16 8:32"), -EINVAL);
	ck_assert_int_eq(message("lun0", "frobnicate 8:16"), -EINVAL);
	ck_assert_int_eq(message("lun0", ""), -EINVAL);
	ck_assert_int_eq(message("lun9", "fail_path 8:16"), -ENXIO);
	assert_err("no map named 'lun9'");
	ck_assert_uint_eq(dm_fake_calls(f, DM_FAKE_OP_MESSAGE), 11);
}
END_TEST

START_TEST(test_message_queueing)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);
	const struct mp_ev_map *m;
	char want[DMT_TABLE_TEXT_MAX];

	create_ok(&s);
	ck_assert_int_eq(message("lun0", "fail_if_no_path"), 0);
	/* the table reads back without the feature: spec and queueing follow it */
	ck_assert_str_eq(table_of("lun0"), "0 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1 ");
	m = listed("lun0");
	ck_assert(m->spec_ok);
	ck_assert(!m->queueing);
	ck_assert(!m->spec.queue_if_no_path);
	ck_assert_int_eq(message("lun0", "queue_if_no_path"), 0);
	ck_assert(listed("lun0")->queueing);
	ck_assert_int_eq(mp_spec_build(&s, want, sizeof(want)), (int)strlen(table_of("lun0")));
	ck_assert_str_eq(table_of("lun0"), want);
}
END_TEST

START_TEST(test_message_groups)
{
	struct mp_map_spec s = spec_of("lun0", W0, (const char *const[]){"8:16", NULL},
				       (const char *const[]){"8:32", NULL});

	s.selector = MP_SELECTOR_ROUND_ROBIN;
	create_ok(&s);
	ck_assert_str_eq(status_of("lun0"), "2 1 0 0 2 1 E 0 1 0 8:16 A 0 E 0 1 0 8:32 A 0 ");
	ck_assert_int_eq(message("lun0", "disable_group 1"), 0);
	ck_assert_str_eq(status_of("lun0"), "2 1 0 0 2 1 D 0 1 0 8:16 A 0 E 0 1 0 8:32 A 0 ");
	ck_assert_int_eq(message("lun0", "enable_group 1"), 0);
	ck_assert_int_eq(message("lun0", "switch_group 2"), 0);
	ck_assert_str_eq(status_of("lun0"), "2 1 0 0 2 2 E 0 1 0 8:16 A 0 E 0 1 0 8:32 A 0 ");
	ck_assert_int_eq(message("lun0", "switch_group 3"), -EINVAL);
	ck_assert_int_eq(message("lun0", "switch_group 0"), -EINVAL);
	ck_assert_int_eq(message("lun0", "disable_group x"), -EINVAL);
	/* the table read back does not change with the group in use */
	ck_assert(listed("lun0")->spec_ok);
}
END_TEST

START_TEST(test_path_error)
{
	struct mp_map_spec a = spec_of("lun0", W0, two, NULL);
	struct mp_map_spec b =
	    spec_of("lun1", W1, (const char *const[]){"8:32", "8:64", NULL}, NULL);
	const struct mp_ev_map *m;

	create_ok(&a);
	create_ok(&b);
	ck_assert_uint_eq(dm_fake_path_error(f, "8:32"), 2);
	ck_assert_uint_eq(dm_fake_path_error(f, "8:99"), 0);
	ck_assert_uint_eq(dm_fake_path_error(f, "sdb"), 0);
	m = listed("lun0");
	ck_assert_uint_eq(m->nfailed, 1);
	ck_assert_str_eq(m->failed[0], "8:32");
	m = listed("lun1");
	ck_assert_uint_eq(m->nfailed, 1);
	ck_assert_str_eq(status_of("lun1"), "2 1 0 0 1 1 E 0 2 2 8:32 F 1 0 1 8:64 A 0 0 1 ");
}
END_TEST

/* ---- maps someone else made ---- */

START_TEST(test_foreign_maps)
{
	const struct mp_ev_map *m;

	/* multipathd's map as it loads it: read back, it is a table pathd could have written */
	ck_assert_int_eq(
	    dm_fake_add_map(f, W0, "mpath-" W0, 131072,
			    "1 queue_if_no_path 0 1 1 service-time 0 2 1 8:16 1 8:32 1"),
	    0);
	ck_assert_str_eq(table_of(W0),
			 "1 queue_if_no_path 0 1 1 service-time 0 2 2 8:16 1 1 8:32 1 1 ");
	m = listed(W0);
	ck_assert_ptr_nonnull(m);
	ck_assert(m->spec_ok);
	ck_assert_str_eq(m->spec.wwid, W0);
	/* with pg_init_retries: listed, not ours, its state read all the same */
	ck_assert_int_eq(dm_fake_add_map(f, "mpathb", "mpath-" W1, 2048,
					 "3 queue_if_no_path pg_init_retries 50 1 alua 2 1 "
					 "round-robin 0 1 1 8:48 1 round-robin 0 1 1 8:64 1"),
			 0);
	ck_assert_int_eq(message("mpathb", "fail_path 8:64"), 0);
	m = listed("mpathb");
	ck_assert_ptr_nonnull(m);
	ck_assert(!m->spec_ok);
	ck_assert(m->queueing);
	ck_assert_uint_eq(m->nfailed, 1);
	ck_assert_uint_eq(m->spec.sectors, 2048);
	/* not a multipath map: there, not listed */
	ck_assert_int_eq(dm_fake_add_map(f, "vg-lv", "LVM-abc", 2048, "0 0 0 0"), 0);
	ck_assert_uint_eq(dm_fake_count(f), 3);
	ck_assert_ptr_null(listed("vg-lv"));
	/* refused: a name or UUID in use, a table the kernel would not take, no size */
	ck_assert_int_eq(dm_fake_add_map(f, "vg-lv", "x", 2048, "0 0 0 0"), -EEXIST);
	ck_assert_int_eq(dm_fake_add_map(f, "other", "mpath-" W0, 2048, "0 0 0 0"), -EEXIST);
	ck_assert_int_eq(dm_fake_add_map(f, "other", "", 2048, "0 0 1 1 service-time"), -EINVAL);
	ck_assert_int_eq(dm_fake_add_map(f, "other", "", 0, "0 0 0 0"), -EINVAL);
	ck_assert_int_eq(dm_fake_add_map(f, "", "", 8, "0 0 0 0"), -EINVAL);
	/* a reload makes it pathd's */
	{
		struct mp_map_spec s =
		    spec_of("mpathb", W1, (const char *const[]){"8:48", NULL}, NULL);

		ck_assert_int_eq(ops->reload(f, &s, err, sizeof(err)), 0);
		m = listed("mpathb");
		ck_assert(m->spec_ok && mp_spec_equal(&m->spec, &s));
	}
}
END_TEST

/* ---- what tests do to it ---- */

START_TEST(test_fail_next)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);
	struct mp_ev_map *maps = NULL;
	size_t n;

	ck_assert_int_eq(dm_fake_fail_next(f, DM_FAKE_OP_CREATE, -EIO), 0);
	ck_assert_int_eq(ops->create(f, &s, err, sizeof(err)), -EIO);
	assert_err("injected failure");
	ck_assert_uint_eq(dm_fake_count(f), 0);
	create_ok(&s);
	ck_assert_int_eq(dm_fake_fail_next(f, DM_FAKE_OP_LIST, -ENOMEM), 0);
	ck_assert_int_eq(ops->list(f, &maps, &n, err, sizeof(err)), -ENOMEM);
	ck_assert_ptr_null(maps);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(dm_fake_fail_next(f, DM_FAKE_OP_RELOAD, -EBUSY), 0);
	ck_assert_int_eq(ops->reload(f, &s, err, sizeof(err)), -EBUSY);
	ck_assert_int_eq(dm_fake_fail_next(f, DM_FAKE_OP_REMOVE, -EBUSY), 0);
	ck_assert_int_eq(ops->remove(f, "lun0", false, err, sizeof(err)), -EBUSY);
	ck_assert_int_eq(dm_fake_fail_next(f, DM_FAKE_OP_MESSAGE, -ENXIO), 0);
	ck_assert_int_eq(message("lun0", "fail_path 8:16"), -ENXIO);
	/* nothing happened, and the next calls work */
	ck_assert_uint_eq(listed("lun0")->nfailed, 0);
	ck_assert_int_eq(message("lun0", "fail_path 8:16"), 0);
	ck_assert_int_eq(ops->remove(f, "lun0", false, err, sizeof(err)), 0);
	ck_assert_int_eq(dm_fake_fail_next(f, DM_FAKE_OP_COUNT, -EIO), -EINVAL);
	ck_assert_int_eq(dm_fake_fail_next(f, DM_FAKE_OP_LIST, 0), -EINVAL);
	ck_assert_uint_eq(dm_fake_calls(f, DM_FAKE_OP_LIST), 2);
	ck_assert_uint_eq(dm_fake_calls(f, DM_FAKE_OP_COUNT), 0);
}
END_TEST

START_TEST(test_text_limits)
{
	struct mp_map_spec s = spec_of("lun0", W0, two, NULL);
	char small[8];

	ck_assert_int_eq(dm_fake_table(f, "lun0", small, sizeof(small)), -ENXIO);
	ck_assert_int_eq(dm_fake_status(f, "lun0", small, sizeof(small)), -ENXIO);
	create_ok(&s);
	ck_assert_int_eq(dm_fake_table(f, "lun0", small, sizeof(small)), -ENOSPC);
	ck_assert_int_eq(dm_fake_status(f, "lun0", small, sizeof(small)), -ENOSPC);
	ck_assert_int_eq(dm_fake_status(f, "lun0", small, 0), -ENOSPC);
}
END_TEST

/* Many maps, in name order as DM_DEVICE_LIST gives them, created and removed in any order. */
START_TEST(test_many_maps)
{
	struct mp_ev_map *maps = NULL;
	struct mp_map_spec s;
	char name[32], wwid[32], dev[16];
	size_t n;

	for (unsigned int i = 0; i < 64; i++) {
		unsigned int k = (i * 37) % 64;

		snprintf(name, sizeof(name), "lun%02u", k);
		snprintf(wwid, sizeof(wwid), "3600140500%02u", k);
		snprintf(dev, sizeof(dev), "65:%u", k);
		s = spec_of(name, wwid, (const char *const[]){dev, NULL}, NULL);
		create_ok(&s);
	}
	ck_assert_int_eq(ops->list(f, &maps, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 64);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "lun%02zu", i);
		ck_assert_str_eq(maps[i].spec.name, name);
		ck_assert(maps[i].spec_ok);
	}
	free(maps);
	for (unsigned int i = 0; i < 64; i += 2) {
		snprintf(name, sizeof(name), "lun%02u", i);
		ck_assert_int_eq(ops->remove(f, name, false, err, sizeof(err)), 0);
	}
	ck_assert_uint_eq(dm_fake_count(f), 32);
	ck_assert_ptr_null(listed("lun00"));
	ck_assert_ptr_nonnull(listed("lun63"));
}
END_TEST

static Suite *dm_fake_suite(void)
{
	Suite *s = suite_create("dm_fake");
	TCase *tc = tcase_create("dm_fake");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_list);
	tcase_add_test(tc, test_list_empty);
	tcase_add_test(tc, test_list_round_trip);
	tcase_add_test(tc, test_create_refused);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_reload_refused);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_remove_open);
	tcase_add_test(tc, test_message_paths);
	tcase_add_test(tc, test_message_queueing);
	tcase_add_test(tc, test_message_groups);
	tcase_add_test(tc, test_path_error);
	tcase_add_test(tc, test_foreign_maps);
	tcase_add_test(tc, test_fail_next);
	tcase_add_test(tc, test_text_limits);
	tcase_add_test(tc, test_many_maps);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(dm_fake_suite)

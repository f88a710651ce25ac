/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd's libvirt pools (initiator/pathd/virt_sync.c) on the in-memory
 * libvirt (initiator/adapt/virt_fake.c), with a real event loop and the
 * module's real worker thread: define, start, autostart, the state file,
 * pools pathd did not define left alone, libvirtd not running, the
 * refresh when the maps change (once for many changes, again after a
 * failure), undefine of pathd's own and nothing else, a slow libvirtd
 * that never holds the loop, and a stop while a call is under way.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ev.h"
#include "initiator/adapt/virt_fake.h"
#include "initiator/pathd/virt_sync.h"
#include "tests/unit/check_main.h"

#define T1 "iqn.2025-01.org.portico.lab:target"
#define P1 "198.18.1.1:3260"
#define P2 "198.18.2.1:3260"
#define UUID_A "6f1c2a34-8d5e-4b7a-9c0d-1e2f3a4b5c6d"
#define UUID_B "11111111-2222-4333-8444-555555555555"
#define MiB (1024ull * 1024)

static struct ev_loop *loop;
static struct virt_fake *fake;
static struct virt_sync *vs;
static struct virt_conf conf;
static char dir[64], state[128];
static struct mp_map_view maps[8];
static size_t nmaps;
static struct mp_path_view paths[16];
static size_t npaths;
static struct mp_link_view links[4];
static size_t nlinks;

/* The views pathd would give: copies of the arrays above. */
static int views(void *arg, struct virt_views *v)
{
	struct mp_map_view *m = calloc(nmaps + 1, sizeof(*m));
	struct mp_path_view *p = calloc(npaths + 1, sizeof(*p));
	struct mp_link_view *l = calloc(nlinks + 1, sizeof(*l));

	(void)arg;
	ck_assert(m && p && l);
	memcpy(m, maps, nmaps * sizeof(*m));
	memcpy(p, paths, npaths * sizeof(*p));
	memcpy(l, links, nlinks * sizeof(*l));
	*v = (struct virt_views){ .maps = m, .nmaps = nmaps, .paths = p, .npaths = npaths,
				  .links = l, .nlinks = nlinks };
	return 0;
}

/* What libvirt's mpath backend lists: the maps "in the kernel". */
static size_t kernel_maps(void *arg, struct virt_vol_info *out, size_t max)
{
	size_t n = 0;

	(void)arg;
	for (size_t i = 0; i < nmaps; i++) {
		if (!virt_map_in_kernel(maps[i].state))
			continue;
		if (n < max) {
			snprintf(out[n].name, sizeof(out[n].name), "dm-%zu", i);
			snprintf(out[n].path, sizeof(out[n].path), "/dev/mapper/%s", maps[i].name);
			snprintf(out[n].type, sizeof(out[n].type), "block");
			out[n].capacity = maps[i].size;
		}
		n++;
	}
	return n;
}

static void add_map(const char *name, uint64_t size)
{
	struct mp_map_view *m = &maps[nmaps++];

	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->wwid, sizeof(m->wwid), "%s", name);
	m->size = size;
	m->state = MP_MAP_READY;
	for (int k = 0; k < 2; k++) {
		struct mp_path_view *p = &paths[npaths++];

		snprintf(p->key.link.target, sizeof(p->key.link.target), T1);
		snprintf(p->key.link.portal, sizeof(p->key.link.portal), "%s", k ? P2 : P1);
		p->key.lun = nmaps - 1;
		snprintf(p->wwid, sizeof(p->wwid), "%s", name);
	}
}

static void make_vs(int64_t delay_ms, int64_t retry_ms)
{
	struct virt_sync_env env = {
		.loop = loop,
		.ops = &virt_fake_ops,
		.ops_arg = fake,
		.conf = &conf,
		.views = views,
		.refresh_delay_ms = delay_ms,
		.retry_ms = retry_ms,
	};
	char err[256];

	ck_assert_msg(virt_sync_create(&env, &vs, err, sizeof(err)) == 0, "%s", err);
}

static void setup(void)
{
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_int_eq(virt_fake_create(&fake), 0);
	virt_fake_set_maps(fake, kernel_maps, NULL);
	snprintf(dir, sizeof(dir), "/tmp/portico-virtsync.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* its folder is missing, as /var/lib/portico is before the first define */
	snprintf(state, sizeof(state), "%s/lib/pools.conf", dir);
	virt_conf_defaults(&conf);
	snprintf(conf.state, sizeof(conf.state), "%s", state);
	memset(maps, 0, sizeof(maps));
	memset(paths, 0, sizeof(paths));
	memset(links, 0, sizeof(links));
	nmaps = npaths = nlinks = 0;
	add_map("1PORTICO_a", 64 * MiB);
	add_map("1PORTICO_b", 64 * MiB);
	add_map("1PORTICO_c", 64 * MiB);
	for (int k = 0; k < 2; k++) {
		struct mp_link_view *l = &links[nlinks++];

		snprintf(l->key.target, sizeof(l->key.target), T1);
		snprintf(l->key.portal, sizeof(l->key.portal), "%s", k ? P2 : P1);
		l->state = MP_LINK_UP;
		l->sid = (uint32_t)k + 1;
	}
	vs = NULL;
}

static void teardown(void)
{
	char path[256];

	virt_sync_destroy(vs);
	virt_fake_destroy(fake);
	ev_loop_destroy(loop);
	unlink(state);
	snprintf(path, sizeof(path), "%s.tmp", state);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lib", dir);
	rmdir(path);
	rmdir(dir);
}

/* Runs the loop until job id is done (at most 10 s), into *v. */
static void wait_job(int id, struct virt_job_view *v)
{
	ck_assert_int_gt(id, 0);
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(virt_sync_job(vs, (unsigned int)id, v), 0);
		if (v->done)
			return;
		virt_job_view_free(v);
		ev_run_once(loop, 10);
	}
	ck_abort_msg("job %d did not finish in 10 s", id);
}

/* Runs the loop for about ms milliseconds. */
static void run_for(int ms)
{
	int64_t end = ev_now_ms() + ms;

	while (ev_now_ms() < end)
		ev_run_once(loop, 5);
}

/* Runs the loop until the fake has seen n refreshes (at most 10 s). */
static void wait_refreshes(unsigned int n)
{
	for (int i = 0; i < 2000 && virt_fake_calls(fake, VIRT_FAKE_REFRESH) < n; i++)
		ev_run_once(loop, 5);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_REFRESH), n);
}

static char *read_state(void)
{
	static char text[4096];
	FILE *f = fopen(state, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

static const bool MULTIPATH[VIRT_FORM_COUNT] = { [VIRT_FORM_MULTIPATH] = true };
static const bool ISCSI[VIRT_FORM_COUNT] = { [VIRT_FORM_ISCSI] = true };
static const bool BOTH[VIRT_FORM_COUNT] = { true, true };

START_TEST(test_define)
{
	struct virt_job_view v;
	struct virt_pool_info p;
	const struct virt_record *r;
	char uuid[VIRT_UUID_MAX];
	size_t n;

	make_vs(0, 0);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_int_eq(v.err, 0);
	ck_assert_uint_eq(v.nerrors, 0);
	ck_assert_uint_eq(v.nwarnings, 0);
	ck_assert_uint_eq(v.nlines, 4);
	ck_assert_str_eq(v.lines[0],
			 "pool 'portico' (multipath): defined, started, autostart on; 3 volumes");
	ck_assert_ptr_nonnull(strstr(v.lines[1], "dm-0"));
	ck_assert_ptr_nonnull(strstr(v.lines[1], "/dev/mapper/1PORTICO_a"));
	ck_assert_ptr_nonnull(strstr(v.lines[1], "block"));
	ck_assert_ptr_nonnull(strstr(v.lines[1], "67108864 bytes"));
	virt_job_view_free(&v);
	/* libvirt has it, started and autostarted, with pathd's UUID */
	ck_assert_int_eq(virt_fake_pool(fake, "portico", &p), 0);
	ck_assert_str_eq(p.type, "mpath");
	ck_assert(p.active && p.autostart && p.persistent);
	r = virt_sync_records(vs, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(r[0].name, "portico");
	ck_assert_int_eq(r[0].form, VIRT_FORM_MULTIPATH);
	ck_assert_str_eq(r[0].uuid, p.uuid);
	ck_assert(virt_uuid_valid(p.uuid));
	snprintf(uuid, sizeof(uuid), "%s", p.uuid);
	/* and the state file says so */
	ck_assert_ptr_nonnull(read_state());
	ck_assert_ptr_nonnull(strstr(read_state(), "name = \"portico\";"));
	ck_assert_ptr_nonnull(strstr(read_state(), p.uuid));
	/* a second define takes the same pool again: same UUID, refreshed, nothing new */
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_int_eq(v.err, 0);
	ck_assert_str_eq(v.lines[0], "pool 'portico' (multipath): defined by pathd before, "
				     "definition updated, active, refreshed, autostart on; 3 volumes");
	virt_job_view_free(&v);
	ck_assert_uint_eq(virt_fake_npools(fake), 1);
	ck_assert_int_eq(virt_fake_pool(fake, "portico", &p), 0);
	ck_assert_str_eq(p.uuid, uuid);
	/* an old job is gone, a job that never was is not found */
	ck_assert_int_eq(virt_sync_job(vs, 99, &v), -ENOENT);
}
END_TEST

/* A pool of that name that pathd did not define: never touched, one clear line. */
START_TEST(test_foreign_name)
{
	struct virt_job_view v;
	struct virt_pool_info p;
	size_t n;

	ck_assert_int_eq(virt_fake_add_pool(fake, "portico", UUID_A, "dir", false, false), 0);
	make_vs(0, 0);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_int_eq(v.err, -EEXIST);
	ck_assert_uint_eq(v.nerrors, 1);
	ck_assert_str_eq(v.errors[0].text,
			 "libvirt pool 'portico' exists and pathd did not define it: it stays as it is");
	ck_assert_str_eq(v.errors[0].hint,
			 "give pathd's pool another name (libvirt_pool in pathd.conf, then portico-path "
			 "reconfigure), or remove that one: virsh pool-destroy portico; virsh "
			 "pool-undefine portico");
	virt_job_view_free(&v);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_DEFINE), 0);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_START), 0);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_AUTOSTART), 0);
	ck_assert_int_eq(virt_fake_pool(fake, "portico", &p), 0);
	ck_assert_str_eq(p.uuid, UUID_A);
	ck_assert_str_eq(p.type, "dir");
	ck_assert(!p.active);
	virt_sync_records(vs, &n);
	ck_assert_uint_eq(n, 0);
	/* nor does undefine touch it */
	wait_job(virt_sync_undefine(vs, BOTH), &v);
	ck_assert_int_eq(v.err, 0);
	ck_assert_str_eq(v.lines[0], "no pool of pathd's to undefine");
	virt_job_view_free(&v);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_UNDEFINE), 0);
	ck_assert_uint_eq(virt_fake_npools(fake), 1);
}
END_TEST

/* libvirt allows one mpath pool per host: another's is said, not fought. */
START_TEST(test_foreign_mpath)
{
	struct virt_job_view v;

	ck_assert_int_eq(virt_fake_add_pool(fake, "mpath0", UUID_B, "mpath", true, true), 0);
	make_vs(0, 0);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_int_eq(v.err, -EEXIST);
	ck_assert_str_eq(v.errors[0].text, "libvirt already has an mpath pool, 'mpath0', and allows "
					   "one per host: pool 'portico' is not defined");
	ck_assert_str_eq(v.errors[0].hint, "use that pool (pathd refreshes only its own), or remove it: "
					   "virsh pool-destroy mpath0; virsh pool-undefine mpath0");
	virt_job_view_free(&v);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_DEFINE), 0);
	/* nothing recorded either */
	ck_assert_ptr_null(read_state());
}
END_TEST

START_TEST(test_libvirtd_down)
{
	struct virt_job_view v;
	size_t n;

	virt_fake_set_down(fake, true);
	make_vs(0, 0);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_int_eq(v.err, -ECONNREFUSED);
	ck_assert_uint_eq(v.nerrors, 1);
	ck_assert_str_eq(v.errors[0].text,
			 "cannot reach libvirt at qemu:///system: libvirtd is not running (Failed to "
			 "connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory)");
	ck_assert_ptr_nonnull(strstr(v.errors[0].hint, "systemctl start libvirtd"));
	virt_job_view_free(&v);
	virt_sync_records(vs, &n);
	ck_assert_uint_eq(n, 0);
	/* and when it runs again, the same ask works */
	virt_fake_set_down(fake, false);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_int_eq(v.err, 0);
	virt_job_view_free(&v);
}
END_TEST

/* A LUN with paths and no map yet: the pool is defined, and the LUN said. */
START_TEST(test_lun_without_map)
{
	struct virt_job_view v;

	add_map("1PORTICO_new", 32 * MiB);
	maps[3].state = MP_MAP_CREATING;
	make_vs(0, 0);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_int_eq(v.err, 0);
	ck_assert_uint_eq(v.nwarnings, 1);
	ck_assert_str_eq(v.warnings[0], "LUN 3 of '" T1 "', WWID 1PORTICO_new has no multipath map "
					"yet (map creating): pool 'portico' lists it once pathd "
					"makes the map");
	ck_assert_str_eq(v.lines[0],
			 "pool 'portico' (multipath): defined, started, autostart on; 3 volumes");
	virt_job_view_free(&v);
}
END_TEST

/* Many changes of the maps, one refresh; a refresh only when they change. */
START_TEST(test_refresh)
{
	struct virt_job_view v;
	struct virt_refresh_view rv;

	make_vs(50, 100);
	/* before pathd defined anything: no refresh, no libvirt at all */
	virt_sync_maps_changed(vs);
	run_for(150);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_OPEN), 0);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	virt_job_view_free(&v);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_REFRESH), 0);
	/* the first look after a define: the maps are those the define listed */
	virt_sync_maps_changed(vs);
	run_for(150);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_REFRESH), 0);
	/* a LUN added and one grown, each step seen: one refresh */
	add_map("1PORTICO_d", 32 * MiB);
	virt_sync_maps_changed(vs);
	maps[0].size = 96 * MiB;
	virt_sync_maps_changed(vs);
	virt_sync_maps_changed(vs);
	wait_refreshes(1);
	run_for(150);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_REFRESH), 1);
	virt_sync_refresh_view(vs, &rv);
	ck_assert_uint_eq(rv.count, 1);
	ck_assert(!rv.pending && !rv.running);
	ck_assert_str_eq(rv.error, "");
	/* libvirt lists what the kernel has now */
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_ptr_nonnull(strstr(v.lines[0], "4 volumes"));
	ck_assert_ptr_nonnull(strstr(v.lines[1], "100663296 bytes"));
	virt_job_view_free(&v);
	/* nothing changed: no refresh */
	virt_sync_maps_changed(vs);
	run_for(150);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_REFRESH), 2); /* the define's own */
	/* a map gone */
	nmaps--;
	virt_sync_maps_changed(vs);
	wait_refreshes(3);
}
END_TEST

/* libvirtd gone during a change: the refresh is tried again until it works. */
START_TEST(test_refresh_retry)
{
	struct virt_job_view v;
	struct virt_refresh_view rv;

	make_vs(20, 100);
	virt_sync_maps_changed(vs);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	virt_job_view_free(&v);
	virt_fake_set_down(fake, true);
	add_map("1PORTICO_d", 32 * MiB);
	virt_sync_maps_changed(vs);
	/* two failed tries at least */
	for (int i = 0; i < 2000 && virt_fake_calls(fake, VIRT_FAKE_OPEN) < 4; i++)
		ev_run_once(loop, 5);
	ck_assert_uint_ge(virt_fake_calls(fake, VIRT_FAKE_OPEN), 4);
	virt_sync_refresh_view(vs, &rv);
	ck_assert_ptr_nonnull(strstr(rv.error, "libvirtd is not running"));
	ck_assert_int_gt(rv.failing_since, 0);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_REFRESH), 0);
	virt_fake_set_down(fake, false);
	wait_refreshes(1);
	run_for(50);
	virt_sync_refresh_view(vs, &rv);
	ck_assert_str_eq(rv.error, "");
	ck_assert_int_eq(rv.failing_since, 0);
	ck_assert(!rv.pending);
}
END_TEST

/* A pool the admin stopped, or that another took the name of, is not refreshed. */
START_TEST(test_refresh_only_ours)
{
	struct virt_job_view v;
	char err[256];

	make_vs(20, 100);
	virt_sync_maps_changed(vs);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	virt_job_view_free(&v);
	ck_assert_int_eq(virt_fake_ops.stop(fake, NULL, "portico", err, sizeof(err)), 0);
	add_map("1PORTICO_d", 32 * MiB);
	virt_sync_maps_changed(vs);
	for (int i = 0; i < 200 && virt_fake_calls(fake, VIRT_FAKE_POOLS) < 2; i++)
		ev_run_once(loop, 5);
	run_for(50);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_POOLS), 2);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_REFRESH), 0);
}
END_TEST

/* Undefine removes pathd's pools, of the form asked, and nothing else. */
START_TEST(test_undefine)
{
	struct virt_job_view v;
	struct virt_pool_info p;
	size_t n;

	ck_assert_int_eq(virt_fake_add_pool(fake, "default", UUID_B, "dir", true, true), 0);
	make_vs(0, 0);
	wait_job(virt_sync_define(vs, BOTH), &v);
	ck_assert_int_eq(v.err, 0);
	ck_assert_str_eq(v.lines[4],
			 "pool 'portico-iscsi-target' (iscsi): defined, started, autostart on; 0 volumes");
	virt_job_view_free(&v);
	ck_assert_int_eq(virt_fake_pool(fake, "portico-iscsi-target", &p), 0);
	ck_assert_str_eq(p.type, "iscsi");
	virt_sync_records(vs, &n);
	ck_assert_uint_eq(n, 2);
	/* the books' form only */
	wait_job(virt_sync_undefine(vs, ISCSI), &v);
	ck_assert_int_eq(v.err, 0);
	ck_assert_uint_eq(v.nlines, 1);
	ck_assert_str_eq(v.lines[0], "pool 'portico-iscsi-target' (iscsi): stopped (libvirt logged "
				     "out of the target at the pool's portal; pathd logs in again), "
				     "undefined");
	virt_job_view_free(&v);
	ck_assert_int_eq(virt_fake_pool(fake, "portico-iscsi-target", &p), -ENOENT);
	ck_assert_int_eq(virt_fake_pool(fake, "portico", &p), 0);
	/* all that is left of pathd's */
	wait_job(virt_sync_undefine(vs, BOTH), &v);
	ck_assert_str_eq(v.lines[0], "pool 'portico' (multipath): stopped, undefined");
	virt_job_view_free(&v);
	ck_assert_uint_eq(virt_fake_npools(fake), 1);
	ck_assert_int_eq(virt_fake_pool(fake, "default", &p), 0);
	ck_assert(p.active);
	virt_sync_records(vs, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(strstr(read_state(), "name ="));
}
END_TEST

/* What pathd remembers and libvirt no longer has (or has under another UUID): forgotten. */
START_TEST(test_undefine_gone)
{
	struct virt_job_view v;

	make_vs(0, 0);
	wait_job(virt_sync_define(vs, BOTH), &v);
	virt_job_view_free(&v);
	/* behind pathd's back: one undefined, one replaced by another of that name */
	{
		char err[256];

		ck_assert_int_eq(virt_fake_ops.stop(fake, NULL, "portico", err, sizeof(err)), 0);
		ck_assert_int_eq(virt_fake_ops.undefine(fake, NULL, "portico", err, sizeof(err)), 0);
		ck_assert_int_eq(virt_fake_ops.stop(fake, NULL, "portico-iscsi-target", err, sizeof(err)), 0);
		ck_assert_int_eq(virt_fake_ops.undefine(fake, NULL, "portico-iscsi-target", err,
							sizeof(err)), 0);
		ck_assert_int_eq(virt_fake_add_pool(fake, "portico-iscsi-target", UUID_B, "iscsi", true,
						    false), 0);
	}
	wait_job(virt_sync_undefine(vs, BOTH), &v);
	ck_assert_int_eq(v.err, 0);
	ck_assert_str_eq(v.lines[0], "pool 'portico' (multipath): not in libvirt any more; forgotten");
	ck_assert_str_eq(v.lines[1], "pool 'portico-iscsi-target' (iscsi): another pool has that "
				     "name now (UUID " UUID_B "): left as it is; forgotten");
	virt_job_view_free(&v);
	ck_assert_uint_eq(virt_fake_npools(fake), 1);
}
END_TEST

/* A record written before a crash, the pool never defined: the define keeps its UUID. */
START_TEST(test_record_survives)
{
	struct virt_job_view v;
	struct virt_pool_info p;
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/lib", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	f = fopen(state, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "pools = ( { name = \"portico\"; uuid = \"%s\"; form = \"multipath\"; } );\n",
		UUID_A);
	fclose(f);
	make_vs(0, 0);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_int_eq(v.err, 0);
	virt_job_view_free(&v);
	ck_assert_int_eq(virt_fake_pool(fake, "portico", &p), 0);
	ck_assert_str_eq(p.uuid, UUID_A);
	/* a restart: a new module reads the same record, and knows the pool as its own */
	virt_sync_destroy(vs);
	make_vs(0, 0);
	wait_job(virt_sync_undefine(vs, BOTH), &v);
	ck_assert_str_eq(v.lines[0], "pool 'portico' (multipath): stopped, undefined");
	virt_job_view_free(&v);
}
END_TEST

/* A broken state file: pathd defines and refreshes nothing, and says why. */
START_TEST(test_state_broken)
{
	struct virt_job_view v;
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/lib", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	f = fopen(state, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "pools = ( { name = \"portico\"; form = \"multipath\"; } );\n");
	fclose(f);
	make_vs(0, 0);
	wait_job(virt_sync_define(vs, MULTIPATH), &v);
	ck_assert_int_eq(v.err, -EINVAL);
	ck_assert_ptr_nonnull(strstr(v.errors[0].text, "pathd's record of its pools: "));
	ck_assert_ptr_nonnull(strstr(v.errors[0].text, "pools.conf:1: each pool is"));
	virt_job_view_free(&v);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_OPEN), 0);
}
END_TEST

/* A slow libvirtd: the loop is never held; the answer comes when libvirt gives it. */
START_TEST(test_slow_libvirtd)
{
	struct virt_job_view v;
	int id;

	virt_fake_set_delay(fake, 300);
	make_vs(0, 0);
	id = virt_sync_define(vs, MULTIPATH);
	ck_assert_int_gt(id, 0);
	/* returned before libvirt answered the first call */
	ck_assert_int_eq(virt_sync_job(vs, (unsigned int)id, &v), 0);
	ck_assert(!v.done);
	virt_job_view_free(&v);
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_DEFINE), 0);
	/* the loop turns meanwhile: a timer of 10 ms fires long before the job ends */
	run_for(30);
	ck_assert_int_eq(virt_sync_job(vs, (unsigned int)id, &v), 0);
	ck_assert(!v.done);
	virt_job_view_free(&v);
	wait_job(id, &v);
	ck_assert_int_eq(v.err, 0);
	virt_job_view_free(&v);
}
END_TEST

/* Stopping while libvirt holds a call: it finishes, nothing leaks, the queue is dropped. */
START_TEST(test_stop_during_call)
{
	virt_fake_set_delay(fake, 200);
	make_vs(0, 0);
	ck_assert_int_gt(virt_sync_define(vs, MULTIPATH), 0);
	ck_assert_int_gt(virt_sync_undefine(vs, BOTH), 0);
	ck_assert_int_gt(virt_sync_define(vs, ISCSI), 0);
	for (int i = 0; i < 200 && !virt_fake_calls(fake, VIRT_FAKE_OPEN); i++)
		usleep(5000);
	virt_sync_destroy(vs);
	vs = NULL;
	/* the undefine and the second define never ran */
	ck_assert_uint_eq(virt_fake_calls(fake, VIRT_FAKE_UNDEFINE), 0);
	ck_assert_uint_le(virt_fake_calls(fake, VIRT_FAKE_OPEN), 1);
}
END_TEST

START_TEST(test_state_text)
{
	struct virt_record recs[2] = {
		{ .form = VIRT_FORM_MULTIPATH, .name = "portico", .uuid = UUID_A },
		{ .form = VIRT_FORM_ISCSI, .name = "portico-iscsi-target", .uuid = UUID_B },
	};
	struct virt_record *back = NULL;
	char text[2048], err[256];
	size_t n = 0;
	int len = virt_state_format(recs, 2, text, sizeof(text));

	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(virt_state_parse(text, &back, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(memcmp(back, recs, sizeof(recs)), 0);
	free(back);
	/* none */
	ck_assert_int_gt(virt_state_format(recs, 0, text, sizeof(text)), 0);
	ck_assert_int_eq(virt_state_parse(text, &back, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	free(back);
	/* every short buffer is -ENOSPC */
	for (size_t l = 0; l < (size_t)len; l++)
		ck_assert_int_eq(virt_state_format(recs, 2, text, l), -ENOSPC);
	/* a record that is no pool name is never written */
	snprintf(recs[1].name, sizeof(recs[1].name), "a\"b");
	ck_assert_int_eq(virt_state_format(recs, 2, text, sizeof(text)), -EINVAL);
	/* what parse refuses, with the line */
	ck_assert_int_eq(virt_state_parse("pools = (\n { name = \"x\"; uuid = \"u\"; form = \"multipath\"; } );",
					  &back, &n, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "2: each pool is { name = \"NAME\"; uuid = \"UUID\"; form = "
			      "\"multipath\" or \"iscsi\"; }");
	ck_assert_int_eq(virt_state_parse("pools = ( { name = \"x\"; uuid = \"" UUID_A
					  "\"; form = \"mpath\"; } );", &back, &n, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(virt_state_parse("pools = [ 1 ];", &back, &n, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(virt_state_parse("pools = (", &back, &n, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "1: "));
	ck_assert_int_eq(virt_state_parse("", &back, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	free(back);
}
END_TEST

static Suite *virt_sync_suite(void)
{
	Suite *s = suite_create("virt_sync");
	TCase *tc = tcase_create("sync");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_define);
	tcase_add_test(tc, test_foreign_name);
	tcase_add_test(tc, test_foreign_mpath);
	tcase_add_test(tc, test_libvirtd_down);
	tcase_add_test(tc, test_lun_without_map);
	tcase_add_test(tc, test_refresh);
	tcase_add_test(tc, test_refresh_retry);
	tcase_add_test(tc, test_refresh_only_ours);
	tcase_add_test(tc, test_undefine);
	tcase_add_test(tc, test_undefine_gone);
	tcase_add_test(tc, test_record_survives);
	tcase_add_test(tc, test_state_broken);
	tcase_add_test(tc, test_slow_libvirtd);
	tcase_add_test(tc, test_stop_during_call);
	tcase_add_test(tc, test_state_text);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(virt_sync_suite)

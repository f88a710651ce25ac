/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sysfs scan over fake trees laid out as the kernel lays them out
 * (scsi_transport_iscsi.c, scsi_sysfs.c, iscsi_tcp's hosts on the platform
 * bus): the devices under devices/platform/host<H>/session<S>/, and the
 * class and block directories as relative symlinks into them.
 *
 * The lab: session 1 (host 2) over portico-eth0 to 198.18.1.1:3260, logged
 * in, LUNs 0-2 with LUN 1 offline and LUN 2 without VPD page 0x83; session
 * 2 (host 3) over portico-eth1 to an IPv6 portal, FAILED, LUNs 0-2 blocked
 * and LUN 3 a CD-ROM (type 5); session 3 (host 4) over the default iface.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/scsi_proto.h"
#include "initiator/adapt/iscsiadm.h"
#include "initiator/adapt/scan.h"
#include "tests/unit/check_main.h"

#define T1 "iqn.2026-11.org.portico:storage1"
#define P1 "198.18.1.1:3260"
#define P2 "[fd00:0:0:2::1]:3260"
#define GiB_SECTORS (1024ull * 1024 * 2)

static char top[PATH_MAX - 16]; /* the temporary directory */
static char root[PATH_MAX]; /* top/sys */
static struct scan_snapshot snap;

/* ---- the fake tree ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void at(char *buf, size_t len, const char *rel)
{
	int n = snprintf(buf, len, "%s/%s", root, rel);

	ck_assert(n > 0 && (size_t)n < len);
}

/* mkdir -p of path's parent. */
static void mkparents(const char *path)
{
	char dir[PATH_MAX];
	size_t i;

	snprintf(dir, sizeof(dir), "%s", path);
	for (i = strlen(top) + 1; dir[i]; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		ck_assert(mkdir(dir, 0755) == 0 || errno == EEXIST);
		dir[i] = '/';
	}
}

/* Writes len bytes to root/rel (through any symlinks on the way), making its folders. */
static void put(const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];
	int fd;

	at(path, sizeof(path), rel);
	mkparents(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void putf(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(const char *rel, const char *fmt, ...)
{
	char text[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < sizeof(text));
	put(rel, text, (size_t)n);
}

/* root/rel -> target (relative, as sysfs makes its links); again with the same target is one. */
static void link_to(const char *rel, const char *target)
{
	char path[PATH_MAX], had[PATH_MAX];
	ssize_t n;

	at(path, sizeof(path), rel);
	mkparents(path);
	if (symlink(target, path) == 0)
		return;
	ck_assert_int_eq(errno, EEXIST);
	n = readlink(path, had, sizeof(had) - 1);
	ck_assert_int_gt(n, 0);
	had[n] = '\0';
	ck_assert_str_eq(had, target);
}

static void drop(const char *rel)
{
	char path[PATH_MAX];

	at(path, sizeof(path), rel);
	ck_assert_int_eq(unlink(path), 0);
}

struct fake_session {
	unsigned int host, sid;
	const char *iface, *target, *state;
	const char *addr;
	int port, tpgt, recovery, recv_tmo, ping_tmo;
};

/* A session as iscsi_tcp and scsi_transport_iscsi.c make it, with its host and connection. */
static void fake_session(const struct fake_session *f)
{
	char h[64], s[128], c[256], rel[512], tgt[512];

	snprintf(h, sizeof(h), "devices/platform/host%u", f->host);
	snprintf(s, sizeof(s), "%s/session%u", h, f->sid);

	/* the Scsi_Host and its class devices */
	snprintf(rel, sizeof(rel), "%s/uevent", h);
	putf(rel, "DEVTYPE=scsi_host\n");
	snprintf(rel, sizeof(rel), "%s/scsi_host/host%u/proc_name", h, f->host);
	putf(rel, "iscsi_tcp\n");
	snprintf(rel, sizeof(rel), "class/scsi_host/host%u", f->host);
	snprintf(tgt, sizeof(tgt), "../../%s/scsi_host/host%u", h, f->host);
	link_to(rel, tgt);
	snprintf(rel, sizeof(rel), "%s/iscsi_host/host%u/ipaddress", h, f->host);
	putf(rel, "<NULL>\n");

	/* the session's class device, .../session<S>/iscsi_session/session<S> */
	snprintf(c, sizeof(c), "%s/iscsi_session/session%u", s, f->sid);
	snprintf(rel, sizeof(rel), "%s/ifacename", c);
	putf(rel, "%s\n", f->iface);
	snprintf(rel, sizeof(rel), "%s/targetname", c);
	putf(rel, "%s\n", f->target);
	snprintf(rel, sizeof(rel), "%s/state", c);
	putf(rel, "%s\n", f->state);
	snprintf(rel, sizeof(rel), "%s/target_state", c);
	putf(rel, "SCANNED\n");
	snprintf(rel, sizeof(rel), "%s/recovery_tmo", c);
	putf(rel, "%d\n", f->recovery);
	snprintf(rel, sizeof(rel), "%s/tpgt", c);
	putf(rel, "%d\n", f->tpgt);
	snprintf(rel, sizeof(rel), "%s/initiatorname", c);
	putf(rel, "iqn.2026-11.org.portico:host\n");
	snprintf(rel, sizeof(rel), "%s/target_id", c);
	putf(rel, "0\n");
	snprintf(rel, sizeof(rel), "%s/device", c);
	snprintf(tgt, sizeof(tgt), "../../../session%u", f->sid);
	link_to(rel, tgt);
	snprintf(rel, sizeof(rel), "%s/subsystem", c);
	link_to(rel, "../../../../../../class/iscsi_session");
	snprintf(rel, sizeof(rel), "class/iscsi_session/session%u", f->sid);
	snprintf(tgt, sizeof(tgt), "../../%s", c);
	link_to(rel, tgt);

	/* its connection, .../session<S>/connection<S>:0/iscsi_connection/connection<S>:0 */
	snprintf(c, sizeof(c), "%s/connection%u:0/iscsi_connection/connection%u:0", s, f->sid,
		 f->sid);
	snprintf(rel, sizeof(rel), "%s/persistent_address", c);
	putf(rel, "%s\n", f->addr);
	snprintf(rel, sizeof(rel), "%s/persistent_port", c);
	putf(rel, "%d\n", f->port);
	snprintf(rel, sizeof(rel), "%s/address", c);
	putf(rel, "%s\n", f->addr);
	snprintf(rel, sizeof(rel), "%s/port", c);
	putf(rel, "%d\n", f->port);
	snprintf(rel, sizeof(rel), "%s/recv_tmo", c);
	putf(rel, "%d\n", f->recv_tmo);
	snprintf(rel, sizeof(rel), "%s/ping_tmo", c);
	putf(rel, "%d\n", f->ping_tmo);
	snprintf(rel, sizeof(rel), "%s/header_digest", c);
	putf(rel, "None\n");
	snprintf(rel, sizeof(rel), "%s/device", c);
	snprintf(tgt, sizeof(tgt), "../../../connection%u:0", f->sid);
	link_to(rel, tgt);
	snprintf(rel, sizeof(rel), "class/iscsi_connection/connection%u:0", f->sid);
	snprintf(tgt, sizeof(tgt), "../../%s", c);
	link_to(rel, tgt);
}

struct fake_lun {
	unsigned int host, sid, id;
	unsigned long long lun;
	int type;
	const char *state;
	const char *dev; /* NULL: no block device */
	unsigned int major, minor;
	unsigned long long sectors;
	const char *vendor, *model;
	const uint8_t *vpd; /* NULL: no vpd_pg83 */
	size_t vpd_len;
};

/* The SCSI device's folder, relative to root. */
static void lun_dir(char *buf, size_t len, unsigned int host, unsigned int sid, unsigned int id,
		    unsigned long long lun)
{
	snprintf(buf, len, "devices/platform/host%u/session%u/target%u:0:%u/%u:0:%u:%llu", host,
		 sid, host, id, host, id, lun);
}

/* A SCSI device as scsi_scan.c and scsi_sysfs.c make it, with sd's block device. */
static void fake_lun(const struct fake_lun *f)
{
	char d[256], t[256], rel[512], tgt[512], name[64];

	snprintf(t, sizeof(t), "devices/platform/host%u/session%u/target%u:0:%u", f->host, f->sid,
		 f->host, f->id);
	snprintf(rel, sizeof(rel), "%s/uevent", t);
	putf(rel, "DEVTYPE=scsi_target\n");
	snprintf(rel, sizeof(rel), "%s/subsystem", t);
	link_to(rel, "../../../../../bus/scsi");

	lun_dir(d, sizeof(d), f->host, f->sid, f->id, f->lun);
	snprintf(name, sizeof(name), "%u:0:%u:%llu", f->host, f->id, f->lun);
	snprintf(rel, sizeof(rel), "%s/type", d);
	putf(rel, "%d\n", f->type);
	snprintf(rel, sizeof(rel), "%s/state", d);
	putf(rel, "%s\n", f->state);
	snprintf(rel, sizeof(rel), "%s/vendor", d);
	putf(rel, "%-8.8s\n", f->vendor);
	snprintf(rel, sizeof(rel), "%s/model", d);
	putf(rel, "%-16.16s\n", f->model);
	snprintf(rel, sizeof(rel), "%s/rev", d);
	putf(rel, "4.0 \n");
	snprintf(rel, sizeof(rel), "%s/scsi_level", d);
	putf(rel, "7\n");
	snprintf(rel, sizeof(rel), "%s/uevent", d);
	putf(rel, "DEVTYPE=scsi_device\nDRIVER=sd\nMODALIAS=scsi:t-0x%02x\n", f->type);
	snprintf(rel, sizeof(rel), "%s/subsystem", d);
	link_to(rel, "../../../../../../bus/scsi");
	snprintf(rel, sizeof(rel), "%s/scsi_device/%s/device", d, name);
	snprintf(tgt, sizeof(tgt), "../../../%s", name);
	link_to(rel, tgt);
	snprintf(rel, sizeof(rel), "%s/scsi_generic/sg%llu/dev", d, f->lun);
	putf(rel, "21:%llu\n", f->lun);
	snprintf(rel, sizeof(rel), "%s/generic", d);
	snprintf(tgt, sizeof(tgt), "scsi_generic/sg%llu", f->lun);
	link_to(rel, tgt);
	if (f->vpd) {
		snprintf(rel, sizeof(rel), "%s/vpd_pg83", d);
		put(rel, f->vpd, f->vpd_len);
	}
	if (!f->dev)
		return;
	snprintf(rel, sizeof(rel), "%s/block/%s/dev", d, f->dev);
	putf(rel, "%u:%u\n", f->major, f->minor);
	snprintf(rel, sizeof(rel), "%s/block/%s/size", d, f->dev);
	putf(rel, "%llu\n", f->sectors);
	snprintf(rel, sizeof(rel), "%s/block/%s/ro", d, f->dev);
	putf(rel, "0\n");
	snprintf(rel, sizeof(rel), "%s/block/%s/device", d, f->dev);
	snprintf(tgt, sizeof(tgt), "../../../%s", name);
	link_to(rel, tgt);
	snprintf(rel, sizeof(rel), "%s/block/%s/subsystem", d, f->dev);
	link_to(rel, "../../../../../../../../class/block");
	snprintf(rel, sizeof(rel), "block/%s", f->dev);
	snprintf(tgt, sizeof(tgt), "../%s/block/%s", d, f->dev);
	link_to(rel, tgt);
	snprintf(rel, sizeof(rel), "class/block/%s", f->dev);
	snprintf(tgt, sizeof(tgt), "../../%s/block/%s", d, f->dev);
	link_to(rel, tgt);
}

/* VPD page 0x83 with one NAA IEEE Registered Extended designator, as LIO and porticod send. */
static void vpd_naa(uint8_t page[24], uint8_t last)
{
	static const uint8_t p[24] = {
		0x00, 0x83, 0x00, 0x14, /* disk, page 0x83, 20 bytes follow */
		0x01, 0x03, 0x00, 0x10, /* binary, LU, NAA, 16 bytes */
		0x60, 0x01, 0x40, 0x5a, 0xaa, 0xaa, 0xaa, 0xaa,
		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x00,
	};

	memcpy(page, p, sizeof(p));
	page[23] = last;
}

static uint8_t vpd[8][24];

static const struct fake_session lab_sessions[] = {
	{ .host = 2, .sid = 1, .iface = "portico-eth0", .target = T1, .state = "LOGGED_IN",
	  .addr = "198.18.1.1", .port = 3260, .tpgt = 1, .recovery = 5, .recv_tmo = 5,
	  .ping_tmo = 6 },
	/* a non-canonical IPv6 address: open-iscsi passes the node record's text */
	{ .host = 3, .sid = 2, .iface = "portico-eth1", .target = T1, .state = "FAILED",
	  .addr = "fd00:0000:0000:0002:0000:0000:0000:0001", .port = 3260, .tpgt = 2,
	  .recovery = 120, .recv_tmo = 10, .ping_tmo = 15 },
	/* a libvirt pool's login over open-iscsi's default iface: not pathd's */
	{ .host = 4, .sid = 3, .iface = "default", .target = T1, .state = "LOGGED_IN",
	  .addr = "198.18.1.1", .port = 3260, .tpgt = 1, .recovery = 120, .recv_tmo = 5,
	  .ping_tmo = 5 },
};

static void build_lab(void)
{
	size_t i;

	for (i = 0; i < 8; i++)
		vpd_naa(vpd[i], (uint8_t)i);
	for (i = 0; i < 3; i++)
		fake_session(&lab_sessions[i]);
	fake_lun(&(struct fake_lun){ 2, 1, 0, 0, 0, "running", "sdb", 8, 16, GiB_SECTORS,
				     "PORTICO", "disk0", vpd[0], 24 });
	fake_lun(&(struct fake_lun){ 2, 1, 0, 1, 0, "offline", "sdc", 8, 32, 2 * GiB_SECTORS,
				     "PORTICO", "disk1", vpd[1], 24 });
	fake_lun(&(struct fake_lun){ 2, 1, 0, 2, 0, "running", "sdd", 8, 48, 3 * GiB_SECTORS,
				     "PORTICO", "disk2", NULL, 0 });
	fake_lun(&(struct fake_lun){ 3, 2, 0, 0, 0, "blocked", "sde", 8, 64, GiB_SECTORS,
				     "PORTICO", "disk0", vpd[0], 24 });
	fake_lun(&(struct fake_lun){ 3, 2, 0, 1, 0, "blocked", "sdf", 8, 80, 2 * GiB_SECTORS,
				     "PORTICO", "disk1", vpd[1], 24 });
	fake_lun(&(struct fake_lun){ 3, 2, 0, 2, 0, "blocked", "sdg", 8, 96, 3 * GiB_SECTORS,
				     "PORTICO", "disk2", NULL, 0 });
	fake_lun(&(struct fake_lun){ 3, 2, 0, 3, 5, "blocked", "sr0", 11, 0, 0, "PORTICO",
				     "cdrom", NULL, 0 });
	fake_lun(&(struct fake_lun){ 4, 3, 0, 0, 0, "running", "sdh", 8, 112, GiB_SECTORS,
				     "PORTICO", "disk0", vpd[0], 24 });
}

static void setup(void)
{
	snprintf(top, sizeof(top), "%s/portico-scan-test.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(root, sizeof(root), "%s/sys", top);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	memset(&snap, 0, sizeof(snap));
}

static void teardown(void)
{
	scan_free(&snap);
	nftw(top, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int scan(void)
{
	scan_free(&snap);
	return scan_read(root, IADM_IFACE_PREFIX, &snap);
}

/* ---- checks ---- */

static const struct scan_disk *disk_of(uint32_t sid, uint64_t lun)
{
	for (size_t i = 0; i < snap.ndisks; i++)
		if (snap.disks[i].sid == sid && snap.disks[i].ev.key.lun == lun)
			return &snap.disks[i];
	return NULL;
}

static const struct scan_session *session_of(uint32_t sid)
{
	for (size_t i = 0; i < snap.nsessions; i++)
		if (snap.sessions[i].ev.sid == sid)
			return &snap.sessions[i];
	return NULL;
}

static const struct scan_skip *skip_of(uint32_t sid, const char *hctl)
{
	for (size_t i = 0; i < snap.nskips; i++)
		if (snap.skips[i].sid == sid && !strcmp(snap.skips[i].hctl, hctl))
			return &snap.skips[i];
	return NULL;
}

static void check_disk(const struct scan_disk *d, const struct scan_session *s, uint64_t lun,
		       const char *hctl, const char *dev, const char *devt, uint64_t sectors,
		       const char *state, bool ready, const char *model, const uint8_t *page)
{
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->sid, s->ev.sid);
	ck_assert_str_eq(d->ev.key.link.nic, s->ev.key.nic);
	ck_assert_str_eq(d->ev.key.link.portal, s->ev.key.portal);
	ck_assert_str_eq(d->ev.key.link.target, s->ev.key.target);
	ck_assert_uint_eq(d->ev.key.lun, lun);
	ck_assert_str_eq(d->hctl, hctl);
	ck_assert_str_eq(d->ev.dev, dev);
	ck_assert_str_eq(d->ev.devt, devt);
	ck_assert_uint_eq(d->ev.size, sectors * 512);
	ck_assert_str_eq(d->state, state);
	ck_assert(d->ev.ready == ready);
	ck_assert_str_eq(d->vendor, "PORTICO");
	ck_assert_str_eq(d->model, model);
	if (page) {
		char want[40];

		ck_assert_uint_eq(d->vpd83_len, 24);
		ck_assert_mem_eq(d->vpd83, page, 24);
		ck_assert_str_eq(d->ev.reason, "");
		/* the WWID multipath gives it (mpath/wwid.h): '3', then the NAA in hex */
		snprintf(want, sizeof(want), "36001405aaaaaaaaaaaaaaaaaaaaaaa%02x", page[23]);
		ck_assert_str_eq(d->ev.wwid, want);
	} else {
		ck_assert_str_eq(d->ev.wwid, "");
		ck_assert_uint_eq(d->vpd83_len, 0);
		ck_assert_str_eq(d->ev.reason, "no VPD page 0x83 in sysfs");
	}
}

/* ---- tests ---- */

START_TEST(test_lab)
{
	const struct scan_session *s1, *s2;

	build_lab();
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.nskips, 0);

	/* the default iface's session and its disk are left out, not skipped */
	ck_assert_uint_eq(snap.nsessions, 2);
	s1 = &snap.sessions[0];
	ck_assert_uint_eq(s1->ev.sid, 1);
	ck_assert_str_eq(s1->ev.key.nic, "eth0");
	ck_assert_str_eq(s1->ev.key.portal, P1);
	ck_assert_str_eq(s1->ev.key.target, T1);
	ck_assert(s1->ev.logged_in);
	ck_assert_int_eq(s1->ev.recovery_tmo_s, 5);
	ck_assert_int_eq(s1->ev.noop_out_interval_s, 5);
	ck_assert_int_eq(s1->ev.noop_out_timeout_s, 6);
	ck_assert_str_eq(s1->iface, "portico-eth0");
	ck_assert_str_eq(s1->state, "LOGGED_IN");
	ck_assert_int_eq(s1->tpgt, 1);
	ck_assert_uint_eq(s1->host_no, 2);

	s2 = &snap.sessions[1];
	ck_assert_uint_eq(s2->ev.sid, 2);
	ck_assert_str_eq(s2->ev.key.nic, "eth1");
	ck_assert_str_eq(s2->ev.key.portal, P2);
	ck_assert_str_eq(s2->ev.key.target, T1);
	ck_assert(!s2->ev.logged_in);
	ck_assert_int_eq(s2->ev.recovery_tmo_s, 120);
	/* recv_tmo is the NOP-Out interval, ping_tmo its timeout */
	ck_assert_int_eq(s2->ev.noop_out_interval_s, 10);
	ck_assert_int_eq(s2->ev.noop_out_timeout_s, 15);
	ck_assert_str_eq(s2->iface, "portico-eth1");
	ck_assert_str_eq(s2->state, "FAILED");
	ck_assert_int_eq(s2->tpgt, 2);
	ck_assert_uint_eq(s2->host_no, 3);

	/* the CD-ROM is left out; disks come by session, then LUN */
	ck_assert_uint_eq(snap.ndisks, 6);
	check_disk(&snap.disks[0], s1, 0, "2:0:0:0", "sdb", "8:16", GiB_SECTORS, "running", true,
		   "disk0", vpd[0]);
	check_disk(&snap.disks[1], s1, 1, "2:0:0:1", "sdc", "8:32", 2 * GiB_SECTORS, "offline",
		   false, "disk1", vpd[1]);
	check_disk(&snap.disks[2], s1, 2, "2:0:0:2", "sdd", "8:48", 3 * GiB_SECTORS, "running", true,
		   "disk2", NULL);
	check_disk(&snap.disks[3], s2, 0, "3:0:0:0", "sde", "8:64", GiB_SECTORS, "blocked", false,
		   "disk0", vpd[0]);
	check_disk(&snap.disks[4], s2, 1, "3:0:0:1", "sdf", "8:80", 2 * GiB_SECTORS, "blocked",
		   false, "disk1", vpd[1]);
	check_disk(&snap.disks[5], s2, 2, "3:0:0:2", "sdg", "8:96", 3 * GiB_SECTORS, "blocked",
		   false, "disk2", NULL);
}
END_TEST

START_TEST(test_no_iscsi)
{
	/* no class/iscsi_session: the transport is not loaded */
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.nsessions + snap.ndisks + snap.nskips, 0);
	/* nor any root at all */
	scan_free(&snap);
	ck_assert_int_eq(scan_read("/nonexistent/portico/sys", IADM_IFACE_PREFIX, &snap), 0);
	ck_assert_uint_eq(snap.nsessions + snap.ndisks + snap.nskips, 0);
	/* freeing twice does nothing */
	scan_free(&snap);
	scan_free(&snap);
}
END_TEST

START_TEST(test_prefix)
{
	build_lab();
	/* every iface is some prefix's: "" takes the default iface's session too */
	scan_free(&snap);
	ck_assert_int_eq(scan_read(root, "", &snap), 0);
	ck_assert_uint_eq(snap.nsessions, 3);
	ck_assert_str_eq(snap.sessions[0].ev.key.nic, "portico-eth0");
	ck_assert_str_eq(snap.sessions[2].ev.key.nic, "default");
	ck_assert_uint_eq(snap.ndisks, 7);
	/* another prefix takes none */
	scan_free(&snap);
	ck_assert_int_eq(scan_read(root, "other-", &snap), 0);
	ck_assert_uint_eq(snap.nsessions + snap.ndisks + snap.nskips, 0);
}
END_TEST

/* One attribute of session 1 made wrong: session 1 is skipped with why, session 2 stays. */
static const struct bad_attr {
	const char *rel;
	const char *data; /* NULL: the file removed */
	size_t len;	  /* 0: strlen(data) */
	int err;
	const char *reason;
} bad_session_attrs[] = {
	{ "class/iscsi_session/session1/ifacename", NULL, 0, -ENOENT,
	  "session1/ifacename is missing" },
	{ "class/iscsi_session/session1/ifacename", "portico-\n", 0, -EINVAL,
	  "session1: iface 'portico-' names no network interface (1 to 15 characters)" },
	{ "class/iscsi_session/session1/ifacename", "portico-averyveryverylongname\n", 0, -EINVAL,
	  "session1: iface 'portico-averyveryverylongname' names no network interface (1 to 15 "
	  "characters)" },
	{ "class/iscsi_session/session1/targetname", "iqn.2026-11.org.portico:sto", 0, -ENODATA,
	  "session1/targetname is cut short (no end of line)" },
	{ "class/iscsi_session/session1/targetname", "\n", 0, -ENOMSG,
	  "session1/targetname is empty" },
	{ "class/iscsi_session/session1/state", "", 0, -ENODATA,
	  "session1/state is cut short (no end of line)" },
	{ "class/iscsi_session/session1/state", "LOGGED_IN\0\n", 11, -EILSEQ,
	  "session1/state holds bytes the kernel does not write" },
	{ "class/iscsi_session/session1/state", "LOGGED_IN_AND_MUCH_LONGER\n", 0, -EOVERFLOW,
	  "session1/state is longer than the kernel writes" },
	{ "class/iscsi_session/session1/recovery_tmo", "five\n", 0, -EINVAL,
	  "session1/recovery_tmo is not a number" },
	{ "class/iscsi_session/session1/recovery_tmo", "2147483648\n", 0, -EINVAL,
	  "session1/recovery_tmo is not a number" },
	{ "class/iscsi_session/session1/recovery_tmo", " 5\n", 0, -EINVAL,
	  "session1/recovery_tmo is not a number" },
	{ "class/iscsi_session/session1/tpgt", "70000\n", 0, -ERANGE,
	  "session1/tpgt is out of range" },
	{ "class/iscsi_connection/connection1:0/persistent_address", NULL, 0, -ENOENT,
	  "connection1:0/persistent_address is missing" },
	{ "class/iscsi_connection/connection1:0/persistent_address", "\n", 0, -ENOMSG,
	  "connection1:0/persistent_address is empty" },
	{ "class/iscsi_connection/connection1:0/persistent_address", "198.18.1\n", 0, -EINVAL,
	  "connection1:0: portal '198.18.1:3260': not an IPv4 address" },
	{ "class/iscsi_connection/connection1:0/persistent_port", "abc\n", 0, -EINVAL,
	  "connection1:0/persistent_port is not a number" },
	{ "class/iscsi_connection/connection1:0/persistent_port", "65536\n", 0, -ERANGE,
	  "connection1:0/persistent_port is out of range" },
	{ "class/iscsi_connection/connection1:0/persistent_port", "-1\n", 0, -ERANGE,
	  "connection1:0/persistent_port is out of range" },
	{ "class/iscsi_connection/connection1:0/recv_tmo", "-\n", 0, -EINVAL,
	  "connection1:0/recv_tmo is not a number" },
	{ "class/iscsi_connection/connection1:0/ping_tmo", "5", 0, -ENODATA,
	  "connection1:0/ping_tmo is cut short (no end of line)" },
};

START_TEST(test_bad_session_attr)
{
	const struct bad_attr *b = &bad_session_attrs[_i];
	const struct scan_skip *k;

	build_lab();
	if (b->data)
		put(b->rel, b->data, b->len ? b->len : strlen(b->data));
	else
		drop(b->rel);
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.nsessions, 1);
	ck_assert_uint_eq(snap.sessions[0].ev.sid, 2);
	ck_assert_uint_eq(snap.ndisks, 3);
	ck_assert_ptr_null(disk_of(1, 0));
	ck_assert_uint_eq(snap.nskips, 1);
	k = skip_of(1, "");
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->err, b->err);
	ck_assert_str_eq(k->reason, b->reason);
}
END_TEST

/* One file of disk 2:0:0:0 (sdb) made wrong: that disk is skipped with why, the rest stay. */
#define LUN0 "devices/platform/host2/session1/target2:0:0/2:0:0:0"
static const struct bad_attr bad_disk_attrs[] = {
	{ LUN0 "/type", "disk\n", 0, -EINVAL, "2:0:0:0/type is not a number" },
	{ LUN0 "/type", NULL, 0, -ENOENT, "2:0:0:0/type is missing" },
	{ LUN0 "/state", "\n", 0, -ENOMSG, "2:0:0:0/state is empty" },
	{ LUN0 "/state", "runn", 0, -ENODATA, "2:0:0:0/state is cut short (no end of line)" },
	{ LUN0 "/state", "running\x1b[0m\n", 0, -EILSEQ,
	  "2:0:0:0/state holds bytes the kernel does not write" },
	{ LUN0 "/block/sdb/dev", "8:16:1\n", 0, -EINVAL, "sdb/dev is not MAJOR:MINOR" },
	{ LUN0 "/block/sdb/dev", "8\n", 0, -EINVAL, "sdb/dev is not MAJOR:MINOR" },
	{ LUN0 "/block/sdb/dev", "8:1", 0, -ENODATA, "sdb/dev is cut short (no end of line)" },
	{ LUN0 "/block/sdb/dev", NULL, 0, -ENOENT, "sdb/dev is missing" },
	{ LUN0 "/block/sdb/size", "12x\n", 0, -EINVAL, "sdb/size is not a number" },
	{ LUN0 "/block/sdb/size", "18446744073709551616\n", 0, -EINVAL,
	  "sdb/size is not a number" },
	/* 2^55 sectors are more bytes than 64 bits hold */
	{ LUN0 "/block/sdb/size", "36028797018963968\n", 0, -ERANGE, "sdb/size is out of range" },
	/* a second block device beside sdb */
	{ LUN0 "/block/sdz/dev", "65:144\n", 0, -EMLINK, "2:0:0:0/block holds more than one device" },
};

START_TEST(test_bad_disk_attr)
{
	const struct bad_attr *b = &bad_disk_attrs[_i];
	const struct scan_skip *k;

	build_lab();
	if (b->data)
		put(b->rel, b->data, b->len ? b->len : strlen(b->data));
	else
		drop(b->rel);
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.nsessions, 2);
	ck_assert_uint_eq(snap.ndisks, 5);
	ck_assert_ptr_null(disk_of(1, 0));
	ck_assert_ptr_nonnull(disk_of(1, 1));
	ck_assert_uint_eq(snap.nskips, 1);
	k = skip_of(1, "2:0:0:0");
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->err, b->err);
	ck_assert_str_eq(k->reason, b->reason);
}
END_TEST

START_TEST(test_no_block_device)
{
	char path[PATH_MAX];

	build_lab();
	/* sd has not bound the device yet: no block folder, or an empty one */
	at(path, sizeof(path), LUN0 "/block");
	ck_assert_int_eq(nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.ndisks, 5);
	ck_assert_int_eq(skip_of(1, "2:0:0:0")->err, -ENODEV);
	ck_assert_str_eq(skip_of(1, "2:0:0:0")->reason,
			 "2:0:0:0 has no block device (sd is binding or releasing it)");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.ndisks, 5);
	ck_assert_int_eq(skip_of(1, "2:0:0:0")->err, -ENODEV);
}
END_TEST

START_TEST(test_disk_states)
{
	static const struct {
		const char *state;
		bool ready;
	} states[] = {
		{ "running", true },	       { "blocked", false }, { "offline", false },
		{ "transport-offline", false }, { "created-blocked", false },
		{ "quiesce", false },	       { "cancel", false },  { "deleted", false },
		{ "created", false },	       { "some-new-state", false },
	};

	build_lab();
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		putf(LUN0 "/state", "%s\n", states[i].state);
		ck_assert_int_eq(scan(), 0);
		ck_assert_str_eq(disk_of(1, 0)->state, states[i].state);
		ck_assert(disk_of(1, 0)->ev.ready == states[i].ready);
	}
}
END_TEST

/*
 * The access state the kernel's alua handler shows (scsi_sysfs.c
 * sdev_show_access_state, preferred_path), each of its words; none for a
 * disk without the file (no handler: the lab's) or a word it does not write.
 */
START_TEST(test_access_state)
{
	static const struct {
		const char *text;
		uint8_t state;
	} states[] = {
		{ "active/optimized", SCSI_ALUA_ACTIVE_OPTIMIZED },
		{ "active/non-optimized", SCSI_ALUA_ACTIVE_NON_OPTIMIZED },
		{ "standby", SCSI_ALUA_STANDBY },
		{ "unavailable", SCSI_ALUA_UNAVAILABLE },
		{ "lba-dependent", SCSI_ALUA_LBA_DEPENDENT },
		{ "offline", SCSI_ALUA_OFFLINE },
		{ "transitioning", SCSI_ALUA_TRANSITIONING },
	};

	build_lab();
	ck_assert_int_eq(scan(), 0);
	ck_assert(!disk_of(1, 0)->ev.alua);
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		putf(LUN0 "/access_state", "%s\n", states[i].text);
		putf(LUN0 "/preferred_path", "%d\n", (int)(i & 1));
		ck_assert_int_eq(scan(), 0);
		ck_assert(disk_of(1, 0)->ev.alua);
		ck_assert_uint_eq(disk_of(1, 0)->ev.alua_state, states[i].state);
		ck_assert(disk_of(1, 0)->ev.alua_pref == (bool)(i & 1));
		ck_assert(!disk_of(1, 1)->ev.alua);
	}
	/* "unknown" (a state the handler has no name for), "reserved", cut short: none */
	putf(LUN0 "/access_state", "unknown\n");
	ck_assert_int_eq(scan(), 0);
	ck_assert(!disk_of(1, 0)->ev.alua);
	putf(LUN0 "/access_state", "reserved\n");
	ck_assert_int_eq(scan(), 0);
	ck_assert(!disk_of(1, 0)->ev.alua);
	putf(LUN0 "/access_state", "standby");
	ck_assert_int_eq(scan(), 0);
	ck_assert(!disk_of(1, 0)->ev.alua);
	/* no preferred_path: not preferred */
	putf(LUN0 "/access_state", "standby\n");
	drop(LUN0 "/preferred_path");
	ck_assert_int_eq(scan(), 0);
	ck_assert(disk_of(1, 0)->ev.alua);
	ck_assert(!disk_of(1, 0)->ev.alua_pref);
}
END_TEST

START_TEST(test_session_states)
{
	static const struct {
		const char *state;
		bool logged_in;
	} states[] = {
		{ "LOGGED_IN", true },
		{ "FAILED", false },
		{ "FREE", false },
		{ "SOMETHING_NEW", false },
	};

	build_lab();
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		putf("class/iscsi_session/session1/state", "%s\n", states[i].state);
		ck_assert_int_eq(scan(), 0);
		ck_assert_str_eq(session_of(1)->state, states[i].state);
		ck_assert(session_of(1)->ev.logged_in == states[i].logged_in);
		/* a session's disks are read whatever its state */
		ck_assert_uint_eq(snap.ndisks, 6);
	}
}
END_TEST

START_TEST(test_inquiry_strings)
{
	build_lab();
	/* bytes a device may really send are shown, not a reason to skip it */
	put(LUN0 "/vendor", "\x01\xff" "AB    \n", 9);
	put(LUN0 "/model", "0123456789abcdefXYZ\n", 20);
	drop("devices/platform/host2/session1/target2:0:0/2:0:0:1/vendor");
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.ndisks, 6);
	ck_assert_str_eq(disk_of(1, 0)->vendor, "??AB");
	ck_assert_str_eq(disk_of(1, 0)->model, "0123456789abcdef");
	ck_assert_str_eq(disk_of(1, 1)->vendor, "");
}
END_TEST

START_TEST(test_vpd_sizes)
{
	static uint8_t big[SCAN_VPD83_MAX + 900];

	build_lab();
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	/* an empty page is none */
	put(LUN0 "/vpd_pg83", "", 0);
	put("devices/platform/host2/session1/target2:0:0/2:0:0:1/vpd_pg83", big, sizeof(big));
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(disk_of(1, 0)->vpd83_len, 0);
	ck_assert_str_eq(disk_of(1, 0)->ev.reason, "no VPD page 0x83 in sysfs");
	/* a page longer than kept is cut, and its header still says how long it was */
	ck_assert_uint_eq(disk_of(1, 1)->vpd83_len, SCAN_VPD83_MAX);
	ck_assert_mem_eq(disk_of(1, 1)->vpd83, big, SCAN_VPD83_MAX);
	/* (these bytes are not a page 0x83: no WWID, and why) */
	ck_assert_str_eq(disk_of(1, 1)->ev.wwid, "");
	ck_assert_str_eq(disk_of(1, 1)->ev.reason, "VPD page 0x83: not page 83h");
}
END_TEST

START_TEST(test_noop_missing)
{
	build_lab();
	/* a transport that does not show them: -1, the session kept */
	drop("class/iscsi_connection/connection2:0/recv_tmo");
	drop("class/iscsi_connection/connection2:0/ping_tmo");
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.nsessions, 2);
	ck_assert_int_eq(session_of(2)->ev.noop_out_interval_s, -1);
	ck_assert_int_eq(session_of(2)->ev.noop_out_timeout_s, -1);
	ck_assert_int_eq(session_of(1)->ev.noop_out_interval_s, 5);
}
END_TEST

START_TEST(test_session_vanished)
{
	char path[PATH_MAX];

	build_lab();
	/* torn down between the directory read and the attributes: the class link dangles */
	at(path, sizeof(path), "devices/platform/host2/session1");
	ck_assert_int_eq(nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.nsessions, 1);
	ck_assert_uint_eq(snap.ndisks, 3);
	ck_assert_int_eq(skip_of(1, "")->err, -ENOENT);
	ck_assert_str_eq(skip_of(1, "")->reason, "session1/ifacename is missing");
}
END_TEST

START_TEST(test_device_link)
{
	build_lab();
	/* a session device that is not host<H>/session<S> */
	drop("class/iscsi_session/session1/device");
	link_to("devices/platform/host2/session1/iscsi_session/session1/device", "../../../../host2");
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.nsessions, 1);
	ck_assert_int_eq(skip_of(1, "")->err, -EINVAL);
	ck_assert_str_eq(skip_of(1, "")->reason, "session1/device is not host<H>/session1");
	/* and none */
	drop("devices/platform/host2/session1/iscsi_session/session1/device");
	ck_assert_int_eq(scan(), 0);
	ck_assert_int_eq(skip_of(1, "")->err, -ENOENT);
	ck_assert_str_eq(skip_of(1, "")->reason, "session1/device is missing");
}
END_TEST

START_TEST(test_names_not_ours)
{
	build_lab();
	/* entries that are not what the kernel names sessions, targets or devices */
	putf("class/iscsi_session/sessionX/ifacename", "portico-eth9\n");
	putf("class/iscsi_session/session1a/ifacename", "portico-eth9\n");
	putf("class/iscsi_session/session99999999999/ifacename", "portico-eth9\n");
	putf("class/iscsi_session/README", "hello\n");
	/* a target of another host under session 1, a device of another target */
	putf("devices/platform/host2/session1/target7:0:0/7:0:0:0/type", "0\n");
	putf("devices/platform/host2/session1/target2:0:0/2:0:1:5/type", "0\n");
	putf("devices/platform/host2/session1/target2:0:0/2:0:0:5x/type", "0\n");
	putf("devices/platform/host2/session1/target2:0:0/2:0:0/type", "0\n");
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.nsessions, 2);
	ck_assert_uint_eq(snap.ndisks, 6);
	ck_assert_uint_eq(snap.nskips, 0);
}
END_TEST

START_TEST(test_order_and_numbers)
{
	static const unsigned int sids[] = { 12, 3, 70000 };
	static const unsigned long long luns[] = { 16384, 2, 255, 0 };
	char iface[32];

	/* sessions and LUNs made out of order; a LUN past 255 (flat addressing) */
	for (size_t i = 0; i < 3; i++) {
		struct fake_session f = lab_sessions[0];

		f.host = 10 + (unsigned int)i;
		f.sid = sids[i];
		snprintf(iface, sizeof(iface), "portico-eth%zu", i);
		f.iface = iface;
		fake_session(&f);
		for (size_t j = 0; j < 4; j++)
			fake_lun(&(struct fake_lun){ f.host, f.sid, 0, luns[j], 0, "running", NULL,
						     8, 0, 8, "V", "M", NULL, 0 });
	}
	/* their block devices, named in order */
	for (size_t i = 0, n = 0; i < 3; i++)
		for (size_t j = 0; j < 4; j++, n++) {
			char rel[512], d[256];

			lun_dir(d, sizeof(d), 10 + (unsigned int)i, sids[i], 0, luns[j]);
			snprintf(rel, sizeof(rel), "%s/block/sd%c/dev", d, (char)('a' + n));
			putf(rel, "8:%zu\n", n * 16);
			snprintf(rel, sizeof(rel), "%s/block/sd%c/size", d, (char)('a' + n));
			putf(rel, "8\n");
		}
	ck_assert_int_eq(scan(), 0);
	ck_assert_uint_eq(snap.nskips, 0);
	ck_assert_uint_eq(snap.nsessions, 3);
	ck_assert_uint_eq(snap.sessions[0].ev.sid, 3);
	ck_assert_uint_eq(snap.sessions[1].ev.sid, 12);
	ck_assert_uint_eq(snap.sessions[2].ev.sid, 70000);
	ck_assert_uint_eq(snap.sessions[2].host_no, 12);
	ck_assert_uint_eq(snap.ndisks, 12);
	ck_assert_uint_eq(snap.disks[0].sid, 3);
	ck_assert_uint_eq(snap.disks[0].ev.key.lun, 0);
	ck_assert_uint_eq(snap.disks[1].ev.key.lun, 2);
	ck_assert_uint_eq(snap.disks[2].ev.key.lun, 255);
	ck_assert_uint_eq(snap.disks[3].ev.key.lun, 16384);
	ck_assert_str_eq(snap.disks[3].hctl, "11:0:0:16384");
	ck_assert_str_eq(snap.disks[3].ev.key.link.nic, "eth1");
	ck_assert_uint_eq(snap.disks[11].sid, 70000);
	ck_assert_uint_eq(snap.disks[11].ev.key.lun, 16384);
	ck_assert_uint_eq(snap.disks[11].ev.size, 4096);
}
END_TEST

START_TEST(test_rescan_same)
{
	struct scan_snapshot first;

	build_lab();
	ck_assert_int_eq(scan(), 0);
	first = snap;
	memset(&snap, 0, sizeof(snap));
	ck_assert_int_eq(scan(), 0);
	/* nothing changed: the same snapshot, byte for byte where it is filled */
	ck_assert_uint_eq(snap.nsessions, first.nsessions);
	ck_assert_uint_eq(snap.ndisks, first.ndisks);
	ck_assert_mem_eq(snap.sessions, first.sessions, first.nsessions * sizeof(*first.sessions));
	ck_assert_mem_eq(snap.disks, first.disks, first.ndisks * sizeof(*first.disks));
	scan_free(&first);
}
END_TEST

static Suite *scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("sysfs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lab);
	tcase_add_test(tc, test_no_iscsi);
	tcase_add_test(tc, test_prefix);
	tcase_add_loop_test(tc, test_bad_session_attr, 0,
			    (int)(sizeof(bad_session_attrs) / sizeof(bad_session_attrs[0])));
	tcase_add_loop_test(tc, test_bad_disk_attr, 0,
			    (int)(sizeof(bad_disk_attrs) / sizeof(bad_disk_attrs[0])));
	tcase_add_test(tc, test_no_block_device);
	tcase_add_test(tc, test_disk_states);
	tcase_add_test(tc, test_access_state);
	tcase_add_test(tc, test_session_states);
	tcase_add_test(tc, test_inquiry_strings);
	tcase_add_test(tc, test_vpd_sizes);
	tcase_add_test(tc, test_noop_missing);
	tcase_add_test(tc, test_session_vanished);
	tcase_add_test(tc, test_device_link);
	tcase_add_test(tc, test_names_not_ours);
	tcase_add_test(tc, test_order_and_numbers);
	tcase_add_test(tc, test_rescan_same);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(scan_suite)

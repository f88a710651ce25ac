/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd's iSCSI sessions and their disks, read from sysfs (scan.h).
 *
 * Every attribute is read whole (a page at most, as sysfs serves it) and
 * checked to be what the kernel writes: one line ending in '\n', no NUL or
 * control byte, a number where the kernel prints one. Every directory is
 * read for SCAN_DIR_ENTRIES entries at most. A session or disk that fails
 * a check is left out and named in the snapshot's skips; only a failed
 * allocation or an unreadable class/iscsi_session fails the scan.
 *
 * The attributes, and where the kernel makes them:
 *   class/iscsi_session/session<S>/   scsi_transport_iscsi.c
 *     ifacename, targetname, tpgt      iscsi_session_attr(): ISCSI_PARAM_IFACE_NAME,
 *                                      _TARGET_NAME, _TPGT (libiscsi.c prints "%s\n", "%d\n")
 *     state                            show_priv_session_state(): iscsi_session_state_name()
 *                                      "LOGGED_IN", "FAILED", "FREE"
 *     recovery_tmo                     iscsi_priv_session_rw_attr(recovery_tmo, "%d")
 *     device ->                        the session's device, parent host<H> (iscsi_add_session)
 *   class/iscsi_connection/connection<S>:0/
 *     persistent_address, persistent_port  iscsi_conn_attr(): ISCSI_PARAM_PERSISTENT_*, the
 *                                      portal iscsid logged in to (not a redirect's address)
 *     recv_tmo                         ISCSI_PARAM_RECV_TMO: idle seconds before a NOP-Out,
 *                                      open-iscsi's node.conn[0].timeo.noop_out_interval
 *     ping_tmo                         ISCSI_PARAM_PING_TMO: seconds to wait for the NOP-In,
 *                                      open-iscsi's noop_out_timeout (usr/initiator_common.c
 *                                      sets PING_TMO from noop_out_timeout and RECV_TMO from
 *                                      noop_out_interval; libiscsi.c's
 *                                      iscsi_check_transport_timeouts() uses them so)
 *   <session device>/target<H>:<C>:<T>/<H>:<C>:<T>:<L>/   scsi_sysfs.c
 *     type ("%d\n"), state (sdev_states[]: "running", "blocked", "offline",
 *     "transport-offline", ...), vendor ("%.8s\n"), model ("%.16s\n"),
 *     vpd_pg83 (binary: the page as read, shown only when the device has it),
 *     block/sd<X>/dev ("%u:%u\n", print_dev_t), block/sd<X>/size (512-byte sectors)
 *     access_state (sdev_show_access_state: scsi_access_state_name(), "%s\n";
 *     -EINVAL with no hardware handler attached), preferred_path ("1\n" or "0\n")
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/netaddr.h"
#include "common/scsi_alua.h"
#include "common/scsi_proto.h"
#include "common/util.h"
#include "initiator/adapt/scan.h"
#include "mpath/wwid.h"

#define SCAN_DIR_ENTRIES 16384 /* entries read from one directory */
#define SCAN_ATTR_MAX 4096     /* a sysfs text attribute is one page at most */
#define SCAN_INQ_MAX 64	       /* vendor and model: 8 and 16 characters and a newline */

/* TYPE_DISK (SPC-4 §6.6.2 peripheral device type 00h), what scsi_sysfs.c shows in 'type' */
#define SCAN_TYPE_DISK 0

struct scan_ctx {
	const char *root;
	const char *prefix;
	size_t plen;
	struct scan_snapshot *snap;
	size_t cap_sessions, cap_disks, cap_skips;
};

/* ---- reading files ---- */

/* Joins a path; -ENAMETOOLONG when it does not fit. */
static int scan_path(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int scan_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Reads path into buf, cap bytes at most. 0 with *len set, or -errno. */
static int scan_file(const char *path, void *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* each pass reads at least one byte or ends: cap passes at most */
	while (n < cap) {
		ssize_t r = read(fd, (char *)buf + n, cap - n);

		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return rc;
}

/*
 * Reads the text attribute dir/name into out (outlen bytes), without its
 * newline. The kernel ends every attribute read here with '\n': one
 * without it was cut short. 0, -ENOENT (missing), -ENODATA (no newline),
 * -EILSEQ (a NUL or control byte), -EOVERFLOW (longer than out), -errno.
 */
static int scan_attr(const char *dir, const char *name, char *out, size_t outlen)
{
	char path[PATH_MAX], buf[SCAN_ATTR_MAX + 1];
	size_t n, i;
	int rc;

	rc = scan_path(path, sizeof(path), "%s/%s", dir, name);
	if (rc)
		return rc;
	rc = scan_file(path, buf, sizeof(buf), &n);
	if (rc)
		return rc;
	if (n > SCAN_ATTR_MAX)
		return -EOVERFLOW;
	if (n == 0 || buf[n - 1] != '\n')
		return -ENODATA;
	n--;
	for (i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			return -EILSEQ;
	if (n >= outlen)
		return -EOVERFLOW;
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}

/* Decimal digits up to a character that is not one; NULL when none or past max. */
static const char *scan_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

/* An attribute the kernel prints with "%d" or "%u" ("-1" allowed). 0, -EINVAL, or scan_attr's. */
static int scan_attr_i32(const char *dir, const char *name, int32_t *out)
{
	char buf[32];
	const char *p;
	uint64_t v;
	bool neg;
	int rc;

	rc = scan_attr(dir, name, buf, sizeof(buf));
	if (rc)
		return rc;
	neg = buf[0] == '-';
	p = scan_num(buf + neg, neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX, &v);
	if (!p || *p)
		return -EINVAL;
	*out = neg ? (int32_t)(-(int64_t)v) : (int32_t)v;
	return 0;
}

static int scan_attr_u64(const char *dir, const char *name, uint64_t *out)
{
	char buf[32];
	const char *p;
	int rc;

	rc = scan_attr(dir, name, buf, sizeof(buf));
	if (rc)
		return rc;
	p = scan_num(buf, UINT64_MAX, out);
	return !p || *p ? -EINVAL : 0;
}

/*
 * An INQUIRY string as scsi_sysfs.c shows it ("%.8s\n" of the space-padded
 * field): printable ASCII kept, any other byte '?', the padding trimmed.
 * Only shown, never a reason to skip a disk: missing or unreadable is "".
 */
static void scan_inquiry_str(const char *dir, const char *name, char *out, size_t outlen)
{
	char path[PATH_MAX], buf[SCAN_INQ_MAX];
	size_t n = 0, i;

	out[0] = '\0';
	if (scan_path(path, sizeof(path), "%s/%s", dir, name) ||
	    scan_file(path, buf, sizeof(buf), &n))
		return;
	if (n && buf[n - 1] == '\n')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '?';
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* What an attribute's error means, after its name. */
static const char *scan_err_text(int err)
{
	switch (err) {
	case -ENOENT:
		return "is missing";
	case -ENODATA:
		return "is cut short (no end of line)";
	case -ENOMSG:
		return "is empty";
	case -EILSEQ:
		return "holds bytes the kernel does not write";
	case -EOVERFLOW:
		return "is longer than the kernel writes";
	case -EINVAL:
		return "is not a number";
	case -ERANGE:
		return "is out of range";
	case -ENAMETOOLONG:
		return "has a path longer than PATH_MAX";
	default:
		return strerror(-err);
	}
}

/* ---- the snapshot ---- */

/* Copies src into dst (len bytes), cut to fit: for names already checked to fit. */
static void scan_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void *scan_grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *a;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	a = reallocarray(arr, ncap, size);
	if (!a)
		return NULL;
	*cap = ncap;
	return a;
}

/* Names a session (hctl "") or disk the scan could not read. 0 or -ENOMEM. */
static int scan_skip(struct scan_ctx *c, uint32_t sid, const char *hctl, int err, const char *fmt,
		     ...) __attribute__((format(printf, 5, 6)));

static int scan_skip(struct scan_ctx *c, uint32_t sid, const char *hctl, int err, const char *fmt,
		     ...)
{
	struct scan_snapshot *s = c->snap;
	struct scan_skip *k, *a;
	va_list ap;

	a = scan_grow(s->skips, &c->cap_skips, s->nskips, sizeof(*a));
	if (!a)
		return -ENOMEM;
	s->skips = a;
	k = &a[s->nskips++];
	memset(k, 0, sizeof(*k));
	k->sid = sid;
	scan_copy(k->hctl, sizeof(k->hctl), hctl);
	k->err = err;
	va_start(ap, fmt);
	vsnprintf(k->reason, sizeof(k->reason), fmt, ap);
	va_end(ap);
	return 0;
}

/* A helper's answer when it named what it skipped: a scan goes on after it. */
#define SCAN_SKIPPED 1

/* scan_skip()'s answer as a helper's: SCAN_SKIPPED, or -ENOMEM. */
static int scan_skipped(int rc)
{
	return rc ? rc : SCAN_SKIPPED;
}

/* An attribute obj/name that failed with err: the session or disk is skipped. */
static int scan_skip_attr(struct scan_ctx *c, uint32_t sid, const char *hctl, int err,
			  const char *obj, const char *name)
{
	return scan_skip(c, sid, hctl, err, "%s/%s %s", obj, name, scan_err_text(err));
}

/* ---- disks ---- */

/*
 * The disk's WWID, as udev's scsi_id and multipath name it, comes from its
 * VPD page 0x83 (mpath/wwid.h). A disk whose page the kernel does not show
 * has none: say why, in the words portico-path show prints.
 */
/*
 * The disk's WWID, as multipath names its map (mpath/wwid.h: mp_wwid),
 * from the page the kernel read at scan time; or why it has none.
 */
static void scan_disk_wwid(struct scan_disk *d)
{
	const char *why = NULL;

	if (!d->vpd83_len) {
		if (!d->ev.reason[0])
			snprintf(d->ev.reason, sizeof(d->ev.reason), "no VPD page 0x83 in sysfs");
		return;
	}
	if (mp_wwid(d->vpd83, d->vpd83_len, NULL, 0, d->ev.wwid, sizeof(d->ev.wwid), &why) < 0) {
		d->ev.wwid[0] = '\0';
		snprintf(d->ev.reason, sizeof(d->ev.reason), "VPD page 0x83: %s",
			 why ? why : "no usable designator");
	}
}

/*
 * The one entry of sdev/block (the sd driver's block device). 0, -ENODEV
 * (none: sd has not bound the device yet, or is letting it go), -EMLINK
 * (more than one), -EOVERFLOW (a name longer than dev), -errno.
 */
static int scan_block_name(const char *sdev, char *dev, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int i, n = 0;
	int rc;
	DIR *d;

	rc = scan_path(path, sizeof(path), "%s/block", sdev);
	if (rc)
		return rc;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ENODEV : -errno;
	for (i = 0; i < SCAN_DIR_ENTRIES && (de = readdir(d)); i++) {
		if (de->d_name[0] == '.')
			continue;
		if (n++) {
			rc = -EMLINK;
			break;
		}
		if (strlen(de->d_name) >= len) {
			rc = -EOVERFLOW;
			break;
		}
		strcpy(dev, de->d_name);
	}
	closedir(d);
	if (!rc && !n)
		rc = -ENODEV;
	return rc;
}

/* The "MAJOR:MINOR\n" of a block device's 'dev', as print_dev_t() writes it. */
static int scan_attr_devt(const char *dir, char *out, size_t len)
{
	char buf[32];
	uint64_t maj, min;
	const char *p;
	int rc;

	rc = scan_attr(dir, "dev", buf, sizeof(buf));
	if (rc)
		return rc;
	p = scan_num(buf, UINT32_MAX, &maj);
	if (!p || *p != ':')
		return -EINVAL;
	p = scan_num(p + 1, UINT32_MAX, &min);
	if (!p || *p)
		return -EINVAL;
	return scan_path(out, len, "%u:%u", (unsigned int)maj, (unsigned int)min);
}

/* One SCSI device <sdev> (named hctl, LUN lun) of session s: a disk, or left out. */
/*
 * The port's asymmetric access state, as the kernel's alua handler keeps
 * it (SPC-4 §5.16: what REPORT TARGET PORT GROUPS last said). A disk
 * without the file, or whose read fails (no handler: -EINVAL), or with a
 * word the kernel's handler does not write ("unknown"), has none: its map
 * is made as for a target without ALUA.
 */
static void scan_disk_alua(const char *sdev, struct scan_disk *d)
{
	char buf[32], pref[8];

	if (scan_attr(sdev, "access_state", buf, sizeof(buf)))
		return;
	for (unsigned int st = 0; st <= 0xf; st++) {
		const char *name = scsi_alua_state_name((uint8_t)st);

		if (!strcmp(name, "reserved") || strcmp(buf, name))
			continue;
		d->ev.alua = true;
		d->ev.alua_state = (uint8_t)st;
		d->ev.alua_pref = !scan_attr(sdev, "preferred_path", pref, sizeof(pref)) &&
				  !strcmp(pref, "1");
		return;
	}
}

static int scan_lun(struct scan_ctx *c, const struct scan_session *s, const char *sdev,
		    const char *hctl, uint64_t lun)
{
	struct scan_snapshot *snap = c->snap;
	uint32_t sid = s->ev.sid;
	char bdir[PATH_MAX], vpd[PATH_MAX];
	struct scan_disk *d, *a;
	uint64_t sectors;
	int32_t type;
	int rc;

	rc = scan_attr_i32(sdev, "type", &type);
	if (rc)
		return scan_skip_attr(c, sid, hctl, rc, hctl, "type");
	if (type != SCAN_TYPE_DISK)
		return 0;

	a = scan_grow(snap->disks, &c->cap_disks, snap->ndisks, sizeof(*a));
	if (!a)
		return -ENOMEM;
	snap->disks = a;
	/* filled in place; counted only once read whole */
	d = &a[snap->ndisks];
	memset(d, 0, sizeof(*d));
	d->sid = sid;
	scan_copy(d->hctl, sizeof(d->hctl), hctl);
	d->ev.key.link = s->ev.key;
	d->ev.key.lun = lun;

	rc = scan_attr(sdev, "state", d->state, sizeof(d->state));
	if (!rc && !d->state[0])
		rc = -ENOMSG;
	if (rc)
		return scan_skip_attr(c, sid, hctl, rc, hctl, "state");
	/* scsi_device_state_name(): only a running device takes commands */
	d->ev.ready = !strcmp(d->state, "running");

	rc = scan_block_name(sdev, d->ev.dev, sizeof(d->ev.dev));
	if (rc == -ENODEV)
		return scan_skip(c, sid, hctl, rc,
				 "%s has no block device (sd is binding or releasing it)", hctl);
	if (rc == -EMLINK)
		return scan_skip(c, sid, hctl, rc, "%s/block holds more than one device", hctl);
	if (rc)
		return scan_skip_attr(c, sid, hctl, rc, hctl, "block");

	rc = scan_path(bdir, sizeof(bdir), "%s/block/%s", sdev, d->ev.dev);
	if (!rc)
		rc = scan_attr_devt(bdir, d->ev.devt, sizeof(d->ev.devt));
	if (rc == -EINVAL)
		return scan_skip(c, sid, hctl, rc, "%s/dev is not MAJOR:MINOR", d->ev.dev);
	if (rc)
		return scan_skip_attr(c, sid, hctl, rc, d->ev.dev, "dev");
	rc = scan_attr_u64(bdir, "size", &sectors);
	if (!rc && sectors > UINT64_MAX / 512)
		rc = -ERANGE;
	if (rc)
		return scan_skip_attr(c, sid, hctl, rc, d->ev.dev, "size");
	d->ev.size = sectors * 512; /* the block layer's 'size' counts 512-byte sectors */

	scan_inquiry_str(sdev, "vendor", d->vendor, sizeof(d->vendor));
	scan_inquiry_str(sdev, "model", d->model, sizeof(d->model));

	rc = scan_path(vpd, sizeof(vpd), "%s/vpd_pg83", sdev);
	if (!rc)
		rc = scan_file(vpd, d->vpd83, sizeof(d->vpd83), &d->vpd83_len);
	/* older kernels show the file without a page and fail its read with EINVAL */
	if (rc && rc != -ENOENT && rc != -EINVAL)
		snprintf(d->ev.reason, sizeof(d->ev.reason),
			 "VPD page 0x83 in sysfs could not be read: %s", strerror(-rc));
	if (rc)
		d->vpd83_len = 0;
	scan_disk_wwid(d);
	scan_disk_alua(sdev, d);

	snap->ndisks++;
	return 0;
}

/*
 * "<prefix><a>:<b>:<c>" with each number at most max; the rest after it in
 * *end. false when name is not so.
 */
static bool scan_triple(const char *name, const char *prefix, uint64_t v[3], const char **end)
{
	size_t plen = strlen(prefix);
	const char *p;
	int i;

	if (strncmp(name, prefix, plen))
		return false;
	p = name + plen;
	for (i = 0; i < 3; i++) {
		if (i && *p++ != ':')
			return false;
		p = scan_num(p, UINT32_MAX, &v[i]);
		if (!p)
			return false;
	}
	*end = p;
	return true;
}

/* The SCSI devices of one target directory <tdir> (host h, channel, id) of session s. */
static int scan_target(struct scan_ctx *c, const struct scan_session *s, const char *tdir,
		       const char *tname, const uint64_t t[3])
{
	char sdev[PATH_MAX];
	struct dirent *de;
	unsigned int i;
	int rc = 0;
	DIR *d;

	d = opendir(tdir);
	if (!d) {
		rc = -errno;
		return scan_skip(c, s->ev.sid, tname, rc, "%s could not be read: %s", tname,
				 strerror(-rc));
	}
	for (i = 0; !rc && (de = readdir(d)); i++) {
		const char *end;
		uint64_t v[3], lun;

		if (i == SCAN_DIR_ENTRIES) {
			rc = scan_skip(c, s->ev.sid, tname, -E2BIG,
				       "%s: more than %u entries; the rest not read", tname,
				       SCAN_DIR_ENTRIES);
			break;
		}
		/* "<H>:<C>:<T>:<L>", as scsi_sysfs.c names the device (LUN "%llu") */
		if (!scan_triple(de->d_name, "", v, &end) || *end != ':' || memcmp(v, t, sizeof(v)))
			continue;
		end = scan_num(end + 1, UINT64_MAX, &lun);
		if (!end || *end)
			continue;
		rc = scan_path(sdev, sizeof(sdev), "%s/%s", tdir, de->d_name);
		if (rc) {
			rc = scan_skip_attr(c, s->ev.sid, de->d_name, rc, tname, de->d_name);
			continue;
		}
		rc = scan_lun(c, s, sdev, de->d_name, lun);
	}
	closedir(d);
	return rc;
}

/* The disks of session s, under its device <sdev> (.../host<H>/session<S>). */
static int scan_disks(struct scan_ctx *c, const struct scan_session *s, const char *sdev)
{
	char tdir[PATH_MAX], label[32];
	struct dirent *de;
	unsigned int i;
	int rc = 0;
	DIR *d;

	snprintf(label, sizeof(label), "session%u", s->ev.sid);
	d = opendir(sdev);
	if (!d) {
		rc = -errno;
		return scan_skip(c, s->ev.sid, "", rc, "%s: its device could not be read: %s",
				 label, strerror(-rc));
	}
	for (i = 0; !rc && (de = readdir(d)); i++) {
		const char *end;
		uint64_t t[3];

		if (i == SCAN_DIR_ENTRIES) {
			rc = scan_skip(c, s->ev.sid, "", -E2BIG,
				       "%s: more than %u entries; the rest not read", label,
				       SCAN_DIR_ENTRIES);
			break;
		}
		/* "target<H>:<C>:<T>" (scsi_scan.c scsi_alloc_target) of the session's host */
		if (!scan_triple(de->d_name, "target", t, &end) || *end || t[0] != s->host_no)
			continue;
		rc = scan_path(tdir, sizeof(tdir), "%s/%s", sdev, de->d_name);
		if (rc) {
			rc = scan_skip_attr(c, s->ev.sid, de->d_name, rc, label, de->d_name);
			continue;
		}
		rc = scan_target(c, s, tdir, de->d_name, t);
	}
	closedir(d);
	return rc;
}

/* ---- sessions ---- */

/* The last component of path, and of its parent, in the strings given (cut in place). */
static void scan_split_last(char *path, const char **last, const char **parent)
{
	char *p = strrchr(path, '/');

	*last = p ? p + 1 : path;
	*parent = "";
	if (!p)
		return;
	*p = '\0';
	p = strrchr(path, '/');
	*parent = p ? p + 1 : path;
}

/*
 * The session's device (the target of class/iscsi_session/session<S>/device):
 * .../host<H>/session<S>. 0 with sdev and *host set, or -errno.
 */
static int scan_session_device(const char *sdir, uint32_t sid, char *sdev, size_t len,
			       uint32_t *host)
{
	char link[PATH_MAX], real[PATH_MAX], name[32];
	const char *last, *parent, *end;
	uint64_t h;
	int rc;

	rc = scan_path(link, sizeof(link), "%s/device", sdir);
	if (rc)
		return rc;
	if (!realpath(link, real))
		return -errno;
	rc = scan_path(sdev, len, "%s", real);
	if (rc)
		return rc;
	scan_split_last(real, &last, &parent);
	snprintf(name, sizeof(name), "session%u", sid);
	if (strcmp(last, name) || strncmp(parent, "host", 4))
		return -EINVAL;
	end = scan_num(parent + 4, UINT32_MAX, &h);
	if (!end || *end)
		return -EINVAL;
	*host = (uint32_t)h;
	return 0;
}

/*
 * The portal of the session's first connection: "a.b.c.d:port", "[v6]:port",
 * canonical as discovery names it (net_portal_parse). 0, SCAN_SKIPPED, -ENOMEM.
 */
static int scan_portal(struct scan_ctx *c, uint32_t sid, const char *cdir, const char *conn,
		       char *portal, size_t len)
{
	char addr[128], text[160];
	struct net_portal p;
	const char *why;
	int32_t port;
	int rc;

	rc = scan_attr(cdir, "persistent_address", addr, sizeof(addr));
	if (!rc && !addr[0])
		rc = -ENOMSG;
	if (rc)
		return scan_skipped(scan_skip_attr(c, sid, "", rc, conn, "persistent_address"));
	rc = scan_attr_i32(cdir, "persistent_port", &port);
	if (!rc && (port < 0 || port > 65535))
		rc = -ERANGE;
	if (rc)
		return scan_skipped(scan_skip_attr(c, sid, "", rc, conn, "persistent_port"));
	snprintf(text, sizeof(text), strchr(addr, ':') ? "[%s]:%d" : "%s:%d", addr, port);
	if (net_portal_parse_why(text, &p, &why))
		return scan_skipped(
		    scan_skip(c, sid, "", -EINVAL, "%s: portal '%s': %s", conn, text, why));
	if (strlen(p.text) >= len)
		return scan_skipped(
		    scan_skip(c, sid, "", -EOVERFLOW, "%s: portal '%s' is too long", conn, p.text));
	strcpy(portal, p.text);
	return 0;
}

/*
 * A NOP-Out setting of the connection: missing is -1 (a transport that
 * does not show it); anything else unreadable skips the session. 0,
 * SCAN_SKIPPED, -ENOMEM.
 */
static int scan_noop(struct scan_ctx *c, uint32_t sid, const char *cdir, const char *conn,
		     const char *name, int32_t *out)
{
	int rc = scan_attr_i32(cdir, name, out);

	if (rc == -ENOENT) {
		*out = -1;
		return 0;
	}
	if (rc)
		return scan_skipped(scan_skip_attr(c, sid, "", rc, conn, name));
	return 0;
}

/*
 * Session sid: into the snapshot with its disks when it is pathd's and
 * reads whole, into skips when it is pathd's (or may be) and does not, left
 * out when it is another iface's. 0 or -ENOMEM.
 */
static int scan_session(struct scan_ctx *c, uint32_t sid)
{
	char sdir[PATH_MAX], cdir[PATH_MAX], sdev[PATH_MAX], iface[256], sname[32], cname[40];
	struct scan_snapshot *snap = c->snap;
	struct scan_session s, *a;
	const char *nic;
	int rc;

	memset(&s, 0, sizeof(s));
	s.ev.sid = sid;
	snprintf(sname, sizeof(sname), "session%u", sid);
	/* open-iscsi has one connection per session, cid 0 (libopeniscsiusr/session.c) */
	snprintf(cname, sizeof(cname), "connection%u:0", sid);
	rc = scan_path(sdir, sizeof(sdir), "%s/class/iscsi_session/%s", c->root, sname);
	if (!rc)
		rc = scan_path(cdir, sizeof(cdir), "%s/class/iscsi_connection/%s", c->root, cname);
	if (rc)
		return scan_skip_attr(c, sid, "", rc, "class", sname);

	rc = scan_attr(sdir, "ifacename", iface, sizeof(iface));
	if (rc)
		return scan_skip_attr(c, sid, "", rc, sname, "ifacename");
	if (strncmp(iface, c->prefix, c->plen))
		return 0; /* not pathd's */
	nic = iface + c->plen;
	if (!*nic || strlen(nic) >= MP_NIC_MAX)
		return scan_skip(c, sid, "", -EINVAL,
				 "%s: iface '%s' names no network interface (1 to %d characters)",
				 sname, iface, MP_NIC_MAX - 1);
	strcpy(s.iface, iface);
	strcpy(s.ev.key.nic, nic);

	rc = scan_attr(sdir, "targetname", s.ev.key.target, sizeof(s.ev.key.target));
	if (!rc && !s.ev.key.target[0])
		rc = -ENOMSG;
	if (rc)
		return scan_skip_attr(c, sid, "", rc, sname, "targetname");
	rc = scan_attr(sdir, "state", s.state, sizeof(s.state));
	if (!rc && !s.state[0])
		rc = -ENOMSG;
	if (rc)
		return scan_skip_attr(c, sid, "", rc, sname, "state");
	/* iscsi_session_state_name(): FAILED is recovering, FREE is being torn down */
	s.ev.logged_in = !strcmp(s.state, "LOGGED_IN");
	rc = scan_attr_i32(sdir, "recovery_tmo", &s.ev.recovery_tmo_s);
	if (rc)
		return scan_skip_attr(c, sid, "", rc, sname, "recovery_tmo");
	rc = scan_attr_i32(sdir, "tpgt", &s.tpgt);
	if (!rc && (s.tpgt < -1 || s.tpgt > 65535))
		rc = -ERANGE;
	if (rc)
		return scan_skip_attr(c, sid, "", rc, sname, "tpgt");
	rc = scan_session_device(sdir, sid, sdev, sizeof(sdev), &s.host_no);
	if (rc == -EINVAL)
		return scan_skip(c, sid, "", rc, "%s/device is not host<H>/%s", sname, sname);
	if (rc)
		return scan_skip_attr(c, sid, "", rc, sname, "device");

	rc = scan_portal(c, sid, cdir, cname, s.ev.key.portal, sizeof(s.ev.key.portal));
	if (!rc)
		rc = scan_noop(c, sid, cdir, cname, "recv_tmo", &s.ev.noop_out_interval_s);
	if (!rc)
		rc = scan_noop(c, sid, cdir, cname, "ping_tmo", &s.ev.noop_out_timeout_s);
	if (rc)
		return rc == SCAN_SKIPPED ? 0 : rc;

	a = scan_grow(snap->sessions, &c->cap_sessions, snap->nsessions, sizeof(*a));
	if (!a)
		return -ENOMEM;
	snap->sessions = a;
	a[snap->nsessions++] = s;
	return scan_disks(c, &s, sdev);
}

/* ---- order ---- */

static int scan_cmp_session(const void *a, const void *b)
{
	const struct scan_session *x = a, *y = b;

	return (x->ev.sid > y->ev.sid) - (x->ev.sid < y->ev.sid);
}

static int scan_cmp_disk(const void *a, const void *b)
{
	const struct scan_disk *x = a, *y = b;

	if (x->sid != y->sid)
		return (x->sid > y->sid) - (x->sid < y->sid);
	return (x->ev.key.lun > y->ev.key.lun) - (x->ev.key.lun < y->ev.key.lun);
}

static int scan_cmp_skip(const void *a, const void *b)
{
	const struct scan_skip *x = a, *y = b;

	if (x->sid != y->sid)
		return (x->sid > y->sid) - (x->sid < y->sid);
	return strcmp(x->hctl, y->hctl);
}

/* ---- the scan ---- */

int scan_read(const char *root, const char *prefix, struct scan_snapshot *out)
{
	struct scan_ctx c = {.root = root, .prefix = prefix, .plen = strlen(prefix), .snap = out};
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned int i;
	int rc;
	DIR *d;

	memset(out, 0, sizeof(*out));
	rc = scan_path(dir, sizeof(dir), "%s/class/iscsi_session", root);
	if (rc)
		return rc;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno; /* no iscsi transport loaded: no sessions */
	/* a readdir() that fails ends a directory early, here and below: the next scan reads on */
	for (i = 0; !rc && (de = readdir(d)); i++) {
		const char *end;
		uint64_t sid;

		if (i == SCAN_DIR_ENTRIES) {
			rc = scan_skip(
			    &c, 0, "", -E2BIG,
			    "class/iscsi_session: more than %u entries; the rest not read",
			    SCAN_DIR_ENTRIES);
			break;
		}
		/* "session%u" (iscsi_add_session) */
		if (strncmp(de->d_name, "session", 7))
			continue;
		end = scan_num(de->d_name + 7, UINT32_MAX, &sid);
		if (!end || *end)
			continue;
		rc = scan_session(&c, (uint32_t)sid);
	}
	closedir(d);
	if (rc) {
		scan_free(out);
		return rc;
	}
	if (out->nsessions)
		qsort(out->sessions, out->nsessions, sizeof(*out->sessions), scan_cmp_session);
	if (out->ndisks)
		qsort(out->disks, out->ndisks, sizeof(*out->disks), scan_cmp_disk);
	if (out->nskips)
		qsort(out->skips, out->nskips, sizeof(*out->skips), scan_cmp_skip);
	return 0;
}

void scan_free(struct scan_snapshot *s)
{
	free(s->sessions);
	free(s->disks);
	free(s->skips);
	memset(s, 0, sizeof(*s));
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "rbd": a Ceph RBD image as a logical unit, through librbd.
 *
 * Opening. The store connects to the cluster as the configured client
 * (ceph_client, "admin" by default) with the configured configuration file
 * (ceph_conf; librados's default search without one), opens the pool's
 * I/O context and the image. A missing image is created when a size is
 * given (the pool's default features), else refused. The image's own size
 * is the LU's: another gateway or `rbd resize` may have changed it since
 * the configuration was saved. librbd's cache is turned off for this
 * client: a write completes when the OSDs have it on stable storage, so the
 * LU is write-through (write_back false) and FUA needs nothing more;
 * SYNCHRONIZE CACHE still goes to librbd as a flush.
 *
 * I/O. Every request is a librbd aio call with a completion callback.
 * librbd runs the callback on a thread of its own; the callback hands the
 * request to its submitting thread (bs_thread_complete_remote), whose loop
 * runs the request's callback: the same road as the worker pool's. Why
 * not librbd's eventfd (rbd_set_image_notification + rbd_poll_io_events):
 * it is one descriptor per image, while an LU is served by every I/O
 * thread, so completions would have to be polled by one loop and handed
 * on to the others (two hops instead of one), or the image opened once per
 * thread (each handle its own exclusive-lock owner: the lock would bounce
 * between them); and in Ceph 16 a compare-and-write's completion is not
 * delivered through it at all.
 *
 * Mapping: READ/WRITE -> readv/writev, FLUSH -> flush, WRITE_SAME ->
 * writesame (one block of pattern goes to the OSDs, not the range), UNMAP -> discard
 * (an RBD image is thin: discarded extents read back as zeroes, partial
 * objects included once rbd_skip_partial_discard is off), WRITE_ZEROES
 * -> write_zeroes, COMPARE_WRITE -> compare_and_write, which the OSD does
 * atomically (across every gateway), within one 512-byte sector in Ceph 16
 * (caw_max).
 *
 * Size changes. An update watch on the image (rbd_update_watch) tells the
 * store when the image's header changed; when its size did, dev->size
 * takes the new size and the owner's size_changed hook raises the unit
 * attention. librbd calls the watch from its own thread, where librbd may
 * be called again (rbd-nbd does the same).
 *
 * Identity. The LU's serial and NAA live in the image's metadata
 * (portico.serial, portico.naa): the first gateway to open it writes its
 * own there, every later one reads them back, so every gateway, and every
 * restart, reports the same WWID.
 */
#include <errno.h>
#include <inttypes.h>
#include <rados/librados.h>
#include <rbd/librbd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/scsi_proto.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"
#include "target/backstore/rbd.h"

struct rbd_store {
	const struct bs_rbd_lib *lib;
	rados_t cluster; /* NULL for a fake (bs_rbd_attach) */
	rados_ioctx_t ioctx;
	rbd_image_t image;
	bs_rbd_image im; /* what the lib is called with: image, or the fake's */
	uint64_t watch;
	bool watching;
	/* how far one GET LBA STATUS looks: 1 GiB with the object map, else one object */
	uint64_t lba_span;
	struct bs_rbd_lease *lease; /* a gateway group's (rbd_lease.c); NULL: none */
};

/* ---- librbd as struct bs_rbd_lib ---- */

static int rbd_lib_create_completion(void *arg, bs_rbd_cb cb, bs_rbd_comp *c)
{
	return rbd_aio_create_completion(arg, (rbd_callback_t)cb, (rbd_completion_t *)c);
}

static long rbd_lib_get_return_value(bs_rbd_comp c)
{
	return (long)rbd_aio_get_return_value(c);
}

static void rbd_lib_release(bs_rbd_comp c)
{
	rbd_aio_release(c);
}

static int rbd_lib_readv(bs_rbd_image im, const struct iovec *iov, int iovcnt, uint64_t off,
			 bs_rbd_comp c)
{
	return rbd_aio_readv(im, iov, iovcnt, off, c);
}

static int rbd_lib_writev(bs_rbd_image im, const struct iovec *iov, int iovcnt, uint64_t off,
			  bs_rbd_comp c)
{
	return rbd_aio_writev(im, iov, iovcnt, off, c);
}

static int rbd_lib_flush(bs_rbd_image im, bs_rbd_comp c)
{
	return rbd_aio_flush(im, c);
}

static int rbd_lib_discard(bs_rbd_image im, uint64_t off, uint64_t len, bs_rbd_comp c)
{
	return rbd_aio_discard(im, off, len, c);
}

static int rbd_lib_write_zeroes(bs_rbd_image im, uint64_t off, uint64_t len, bs_rbd_comp c)
{
	return rbd_aio_write_zeroes(im, off, len, c, 0, 0);
}

static int rbd_lib_write_same(bs_rbd_image im, uint64_t off, uint64_t len, const char *buf,
			      size_t buf_len, bs_rbd_comp c)
{
	return rbd_aio_writesame(im, off, len, buf, buf_len, c, 0);
}

static long rbd_lib_compare_and_write(bs_rbd_image im, uint64_t off, size_t len, const char *cmp,
				      const char *buf, bs_rbd_comp c, uint64_t *mismatch)
{
	return (long)rbd_aio_compare_and_write(im, off, len, cmp, buf, c, mismatch, 0);
}

static const struct bs_rbd_lib rbd_librbd = {
	.create_completion = rbd_lib_create_completion,
	.get_return_value = rbd_lib_get_return_value,
	.release = rbd_lib_release,
	.readv = rbd_lib_readv,
	.writev = rbd_lib_writev,
	.flush = rbd_lib_flush,
	.discard = rbd_lib_discard,
	.write_zeroes = rbd_lib_write_zeroes,
	.write_same = rbd_lib_write_same,
	.compare_and_write = rbd_lib_compare_and_write,
};

static struct rbd_store *rbd_store(const struct bs_dev *dev)
{
	return dev->priv;
}

/* ---- I/O ---- */

/* On a librbd thread: the request goes back to the thread that submitted it. */
static void rbd_io_done(bs_rbd_comp c, void *arg)
{
	struct bs_io *io = arg;
	const struct bs_rbd_lib *lib = rbd_store(io->dev)->lib;
	long r = lib->get_return_value(c);

	lib->release(c);
	io->result = bs_rbd_result(io->op, io->len, r);
	bs_thread_complete_remote(io->thread, io);
}

/*
 * The COMPARE_WRITE's halves: librbd takes two flat buffers. The SCSI
 * engine hands one contiguous buffer (docs/architecture.md, "Buffers");
 * anything else is refused rather than copied.
 */
static int rbd_caw_buffers(const struct bs_io *io, const char **cmp, const char **buf)
{
	if (io->iovcnt == 1) {
		*cmp = io->iov[0].iov_base;
		*buf = *cmp + io->len;
		return 0;
	}
	if (io->iovcnt == 2 && io->iov[0].iov_len == io->len) {
		*cmp = io->iov[0].iov_base;
		*buf = io->iov[1].iov_base;
		return 0;
	}
	return -EINVAL;
}

static int rbd_submit(struct bs_dev *dev, struct bs_io *io)
{
	struct rbd_store *s = rbd_store(dev);
	const struct bs_rbd_lib *lib = s->lib;
	const char *cmp = NULL, *buf = NULL;
	bs_rbd_comp c;
	long ret;

	if (io->op == BS_OP_COMPARE_WRITE && rbd_caw_buffers(io, &cmp, &buf))
		return -EINVAL;
	/* past the owner's fence margin, or fenced: nothing that changes the image */
	if (io->op != BS_OP_READ && io->op != BS_OP_FLUSH && !bs_rbd_lease_may_write(s->lease))
		return -ESHUTDOWN;
	ret = lib->create_completion(io, rbd_io_done, &c);
	if (ret)
		return (int)ret;
	/* counted before librbd has it: its callback may run before the call returns */
	bs_remote_begin(io);
	switch (io->op) {
	case BS_OP_READ:
		ret = lib->readv(s->im, io->iov, io->iovcnt, io->offset, c);
		break;
	case BS_OP_WRITE:
		/* write-through (the cache is off): FUA needs nothing more */
		ret = lib->writev(s->im, io->iov, io->iovcnt, io->offset, c);
		break;
	case BS_OP_FLUSH:
		ret = lib->flush(s->im, c);
		break;
	case BS_OP_UNMAP:
		ret = lib->discard(s->im, io->offset, io->len, c);
		break;
	case BS_OP_WRITE_ZEROES:
		ret = lib->write_zeroes(s->im, io->offset, io->len, c);
		break;
	case BS_OP_WRITE_SAME:
		ret = io->iovcnt == 1 ? lib->write_same(s->im, io->offset, io->len,
							io->iov[0].iov_base, io->iov[0].iov_len, c) :
					-EINVAL;
		break;
	case BS_OP_COMPARE_WRITE:
		ret = lib->compare_and_write(s->im, io->offset, io->len, cmp, buf, c,
					     &io->miscompare);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret < 0) {
		/* librbd refused it before it was queued: no callback comes */
		lib->release(c);
		bs_thread_fail_later(io, (int)ret);
	}
	return 0;
}

/* ---- allocation status ---- */

struct rbd_lba_walk {
	uint64_t from; /* where the asked run starts */
	uint64_t next; /* the end of what has been seen so far */
	bool have; /* the first extent at or after from is known */
	bool mapped;
	uint64_t len;
};

/* rbd_diff_iterate2's callback: extents in order, each allocated (exists) or not. */
static int rbd_lba_extent(uint64_t off, size_t len, int exists, void *arg)
{
	struct rbd_lba_walk *w = arg;

	if (!w->have) {
		if (off > w->from) {
			/* a hole before the first extent reported */
			w->have = true;
			w->mapped = false;
			w->len = off - w->from;
			return -ECANCELED;
		}
		w->have = true;
		w->mapped = exists != 0;
		w->len = off + len - w->from;
		w->next = off + len;
		return 0;
	}
	if (off != w->next || (exists != 0) != w->mapped)
		return -ECANCELED;
	w->len += len;
	w->next = off + len;
	return 0;
}

/* Synchronous: object-map lookups (fast-diff), else one stat per object of the range. */
static int rbd_lba_status(struct bs_dev *dev, uint64_t offset, bool *mapped, uint64_t *len)
{
	struct rbd_store *s = rbd_store(dev);
	struct rbd_lba_walk w = { .from = offset };
	/*
	 * A bounded look, synchronous on the I/O thread: with fast-diff the
	 * object map answers for 1 GiB at once; without it librbd stats each
	 * object, so only the one at offset.
	 */
	uint64_t span = dev->size - offset < s->lba_span ? dev->size - offset : s->lba_span;
	int ret;

	if (offset >= dev->size)
		return -ERANGE;
	if (!s->image)
		return -EOPNOTSUPP;
	ret = rbd_diff_iterate2(s->image, NULL, offset, span, 0, 1, rbd_lba_extent, &w);
	if (ret && ret != -ECANCELED)
		return ret;
	if (!w.have) {
		/* nothing allocated in the whole span */
		*mapped = false;
		*len = span;
		return 0;
	}
	*mapped = w.mapped;
	/* whole objects: clip to the span asked about */
	*len = w.len > span ? span : w.len;
	if (!*len)
		*len = dev->block_size;
	return 0;
}

/* ---- size ---- */

static int rbd_resize_op(struct bs_dev *dev, uint64_t new_size)
{
	struct rbd_store *s = rbd_store(dev);
	int ret;

	if (!s->image)
		return -EOPNOTSUPP;
	if (!new_size || new_size % dev->block_size)
		return -EINVAL;
	ret = rbd_resize(s->image, new_size);
	if (ret)
		return ret;
	__atomic_store_n(&dev->size, new_size, __ATOMIC_RELEASE);
	return 0;
}

/* On librbd's watch thread: the image's header changed (a resize, a snapshot, a feature). */
static void rbd_updated(void *arg)
{
	struct bs_dev *dev = arg;
	struct rbd_store *s = rbd_store(dev);
	uint64_t size, old = __atomic_load_n(&dev->size, __ATOMIC_ACQUIRE);
	bs_size_cb cb;

	if (rbd_get_size(s->image, &size))
		return;
	size -= size % dev->block_size;
	if (size == old)
		return;
	__atomic_store_n(&dev->size, size, __ATOMIC_RELEASE);
	log_info(BS_COMPONENT, "backstore '%s': image resized, %" PRIu64 " -> %" PRIu64 " bytes",
		 dev->name, old, size);
	/* set by the owner on another thread after open (config_open.c) */
	cb = __atomic_load_n(&dev->size_changed, __ATOMIC_ACQUIRE);
	if (cb)
		cb(dev, dev->size_changed_arg);
}

/* ---- identity ---- */

static int rbd_meta_get(rbd_image_t im, const char *key, char *val, size_t len)
{
	size_t n = len;
	int ret = rbd_metadata_get(im, key, val, &n);

	if (ret == -ERANGE)
		return -EINVAL; /* longer than any value we write */
	if (ret)
		return ret;
	val[len - 1] = '\0';
	return 0;
}

static int rbd_identity_sync(struct bs_dev *dev, struct rbd_store *s, struct bs_identity *id,
			     bool pinned, bool *adopted)
{
	char serial[64], naa_text[32], mine[19];
	struct bs_identity got;
	int rs, rn, ret;

	rs = rbd_meta_get(s->image, BS_RBD_META_SERIAL, serial, sizeof(serial));
	rn = rbd_meta_get(s->image, BS_RBD_META_NAA, naa_text, sizeof(naa_text));
	if (rs == -ENOENT && rn == -ENOENT) {
		/* the first to serve it: the configuration's identity becomes the image's */
		bs_rbd_naa_text(id->naa, mine);
		ret = rbd_metadata_set(s->image, BS_RBD_META_SERIAL, id->serial);
		if (!ret)
			ret = rbd_metadata_set(s->image, BS_RBD_META_NAA, mine);
		if (ret)
			return bs_open_err(dev, ret, "cannot store the LU's identity in the image's metadata: %s",
					   strerror(-ret));
		log_info(BS_COMPONENT, "backstore '%s': identity serial %s naa %s stored with the image",
			 dev->name, id->serial, mine);
		return 0;
	}
	if (rs || rn)
		return bs_open_err(dev, rs ? rs : rn,
				   "the image's metadata holds half an identity (%s, %s): fix it with rbd image-meta",
				   BS_RBD_META_SERIAL, BS_RBD_META_NAA);
	if (bs_rbd_serial_check(serial) || bs_rbd_naa_parse(naa_text, got.naa))
		return bs_open_err(dev, -EINVAL,
				   "the image's metadata holds an identity porticod cannot use: serial '%s', naa '%s'",
				   serial, naa_text);
	/* bs_rbd_serial_check: at most 32 characters */
	memcpy(got.serial, serial, strlen(serial) + 1);
	if (!strcmp(got.serial, id->serial) && !memcmp(got.naa, id->naa, sizeof(got.naa)))
		return 0;
	if (pinned)
		/* two WWIDs for one image would be two disks to multipath: refuse */
		return bs_open_err(dev, -EEXIST,
				   "the configuration pins serial '%s', but the image is LU serial '%s' naa %s: remove serial and naa from the configuration, or change the image's metadata",
				   id->serial, got.serial, naa_text);
	*id = got;
	*adopted = true;
	return 0;
}

static int rbd_identity(struct bs_dev *dev, struct bs_identity *id, bool pinned, bool *adopted,
			char *err, size_t errlen)
{
	struct rbd_store *s = rbd_store(dev);
	int ret;

	*adopted = false;
	if (!s->image)
		return 0;
	/* bs_open_err's buffer, for the messages below */
	dev->err = err;
	dev->errlen = errlen;
	ret = rbd_identity_sync(dev, s, id, pinned, adopted);
	dev->err = NULL;
	dev->errlen = 0;
	return ret;
}

/* ---- the shared home (rbd_pr.c) ---- */

static int rbd_shared_open(struct bs_dev *dev, const char *name, const uint8_t *init,
			   size_t initlen, const struct bs_shared_cbs *cbs, void *arg,
			   struct bs_shared **out)
{
	struct rbd_store *s = rbd_store(dev);
	char id[64], oid[BS_RBD_HOME_OID_MAX];
	rados_ioctx_t io;
	int ret;

	if (!s->image)
		return -EOPNOTSUPP; /* a fake's */
	/* the image's id, not its name: a rename keeps the state */
	ret = rbd_get_id(s->image, id, sizeof(id));
	if (ret) {
		log_err(BS_COMPONENT, "backstore '%s': the image has no id (format 1?): %s",
			dev->name, strerror(-ret));
		return ret;
	}
	snprintf(oid, sizeof(oid), "portico.%s.%s", name, id);
	/* an I/O context of its own: its last version is the home thread's alone */
	ret = rados_ioctx_create2(s->cluster, rados_ioctx_get_id(s->ioctx), &io);
	if (ret)
		return ret;
	return bs_rbd_home_open(&bs_rbd_home_librados, io, oid, init, initlen, cbs, arg, NULL,
				out);
}

/* ---- open and close ---- */

static void rbd_teardown(struct rbd_store *s)
{
	bs_rbd_lease_close(s->lease);
	if (s->watching)
		rbd_update_unwatch(s->image, s->watch);
	if (s->image)
		rbd_close(s->image);
	if (s->ioctx)
		rados_ioctx_destroy(s->ioctx);
	if (s->cluster)
		rados_shutdown(s->cluster);
	free(s);
}

static int rbd_open_image(struct bs_dev *dev, struct rbd_store *s, const struct bs_params *p,
			  const char *image)
{
	int order = 0, ret;

	ret = rbd_open(s->ioctx, image, &s->image, NULL);
	if (ret != -ENOENT)
		return ret;
	if (!p->size)
		return bs_open_err(dev, -ENOENT,
				   "image '%s' does not exist: create it (rbd create) or give a size", p->path);
	if (p->size % (p->block_size ? p->block_size : 512))
		return bs_open_err(dev, -EINVAL, "size %" PRIu64 " is not a multiple of the block size",
				   p->size);
	ret = rbd_create(s->ioctx, image, p->size, &order);
	if (ret)
		return bs_open_err(dev, ret, "cannot create image '%s': %s", p->path, strerror(-ret));
	log_info(BS_COMPONENT, "backstore '%s': created image '%s', %" PRIu64 " bytes", dev->name,
		 p->path, p->size);
	return rbd_open(s->ioctx, image, &s->image, NULL);
}

static int rbd_open_store(struct bs_dev *dev, const struct bs_params *p)
{
	char pool[BS_RBD_NAME_MAX + 1], image[BS_RBD_NAME_MAX + 1], client[128];
	struct rbd_store *s;
	const char *why;
	uint64_t size;
	int ret;

	why = bs_rbd_spec_parse(p->path, pool, image);
	if (why)
		return bs_open_err(dev, -EINVAL, "image '%s' %s", p->path ? p->path : "", why);
	why = bs_rbd_client_name(p->ceph_client, client, sizeof(client));
	if (why)
		return bs_open_err(dev, -EINVAL, "ceph client '%s' %s", p->ceph_client, why);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->lib = &rbd_librbd;
	ret = rados_create2(&s->cluster, "ceph", client, 0);
	if (ret) {
		s->cluster = NULL;
		ret = bs_open_err(dev, ret, "cannot make a ceph client '%s': %s", client, strerror(-ret));
		goto err;
	}
	ret = rados_conf_read_file(s->cluster, p->ceph_conf && p->ceph_conf[0] ? p->ceph_conf : NULL);
	if (ret) {
		ret = bs_open_err(dev, ret, "cannot read the ceph configuration '%s': %s",
				  p->ceph_conf ? p->ceph_conf : "(default)", strerror(-ret));
		goto err;
	}
	/* write-through: an acknowledged write is on the OSDs' stable storage */
	rados_conf_set(s->cluster, "rbd_cache", "false");
	/*
	 * librbd skips a discard that does not cover whole objects (or its
	 * 64 KiB granularity) by default: the blocks would keep their data,
	 * and LBPRZ (unmap_zeroes) would be a lie. Zero the partial ones.
	 */
	rados_conf_set(s->cluster, "rbd_skip_partial_discard", "false");
	/* a dead cluster fails the open in bounded time rather than blocking the daemon */
	rados_conf_set(s->cluster, "client_mount_timeout", "30");
	/* a stalled cluster fails commands rather than hanging them: bs_rbd_op_timeout */
	{
		char secs_text[16];
		unsigned int secs;

		why = bs_rbd_op_timeout(p->gateway_lease_ms, p->ceph_op_timeout_ms,
					p->gateway_group && p->gateway_group[0], &secs);
		if (why) {
			ret = bs_open_err(dev, -EINVAL, "ceph_op_timeout_ms '%s' %s",
					  p->ceph_op_timeout_ms, why);
			goto err;
		}
		snprintf(secs_text, sizeof(secs_text), "%u", secs);
		ret = rados_conf_set(s->cluster, "rados_osd_op_timeout", secs_text);
		if (ret) {
			ret = bs_open_err(dev, ret, "cannot set rados_osd_op_timeout: %s",
					  strerror(-ret));
			goto err;
		}
	}
	ret = rados_connect(s->cluster);
	if (ret) {
		ret = bs_open_err(dev, ret, "cannot connect to the ceph cluster as '%s': %s", client,
				  strerror(-ret));
		goto err;
	}
	ret = rados_ioctx_create(s->cluster, pool, &s->ioctx);
	if (ret) {
		s->ioctx = NULL;
		ret = bs_open_err(dev, ret, "cannot open pool '%s': %s", pool, strerror(-ret));
		goto err;
	}
	ret = rbd_open_image(dev, s, p, image);
	if (ret) {
		s->image = NULL;
		if (dev->err && !dev->err[0])
			bs_open_err(dev, ret, "cannot open image '%s': %s", p->path, strerror(-ret));
		goto err;
	}
	s->im = s->image;
	ret = bs_rbd_lease_open(dev, s->cluster, s->ioctx, s->image, p, &s->lease);
	if (ret)
		goto err;
	ret = rbd_get_size(s->image, &size);
	if (ret) {
		ret = bs_open_err(dev, ret, "cannot read the size of '%s': %s", p->path,
				  strerror(-ret));
		goto err;
	}
	dev->block_size = p->block_size ? p->block_size : 512;
	if (p->size && p->size != size)
		log_warn(BS_COMPONENT,
			 "backstore '%s': image '%s' is %" PRIu64 " bytes, the configuration says %" PRIu64 ": serving the image's size",
			 dev->name, p->path, size, p->size);
	dev->size = size - size % dev->block_size;
	if (!dev->size) {
		ret = bs_open_err(dev, -EINVAL, "image '%s' is smaller than one block", p->path);
		goto err;
	}
	/* RBD images are thin; discarded extents read back as zeroes */
	dev->thin = true;
	dev->unmap_zeroes = true;
	dev->write_back = false;
	dev->readonly = p->readonly;
	dev->caw_max = BS_RBD_CAW_MAX;
	dev->write_same = true;
	{
		uint64_t features = 0;
		rbd_image_info_t info;

		s->lba_span = 4ull << 20;
		if (!rbd_stat(s->image, &info, sizeof(info)) && info.obj_size)
			s->lba_span = info.obj_size;
		if (!rbd_get_features(s->image, &features) && (features & RBD_FEATURE_FAST_DIFF))
			s->lba_span = 1ull << 30;
	}
	dev->priv = s;
	ret = rbd_update_watch(s->image, &s->watch, rbd_updated, dev);
	if (ret) {
		ret = bs_open_err(dev, ret, "cannot watch image '%s': %s", p->path, strerror(-ret));
		dev->priv = NULL;
		goto err;
	}
	s->watching = true;
	return 0;

err:
	rbd_teardown(s);
	return ret;
}

static void rbd_close_store(struct bs_dev *dev)
{
	struct rbd_store *s = rbd_store(dev);

	if (!s)
		return;
	if (s->cluster)
		rbd_teardown(s);
	else
		free(s); /* a fake's */
	dev->priv = NULL;
}

int bs_rbd_attach(struct bs_dev *dev, const struct bs_rbd_lib *lib, bs_rbd_image im,
		  uint64_t size, uint32_t block_size)
{
	struct rbd_store *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->lib = lib;
	s->im = im;
	dev->ops = &bs_rbd_ops;
	dev->priv = s;
	dev->size = size;
	dev->block_size = block_size;
	dev->thin = true;
	dev->unmap_zeroes = true;
	dev->caw_max = BS_RBD_CAW_MAX;
	dev->write_same = true;
	return 0;
}

static bool rbd_alua(const struct bs_dev *dev, uint8_t *state)
{
	bool has;

	*state = bs_rbd_lease_alua(rbd_store(dev)->lease, &has);
	return has;
}

/*
 * SET TARGET PORT GROUPS on this gateway's port: active/optimized asks the
 * owner to hand the lease over. Another state would not say which gateway
 * is to own the LU instead (SPC-4 §5.16: an explicit transition sets the
 * states of port groups, one at a time, and names no other); the shell's
 * move names it (rbd_owner_move).
 */
static int rbd_alua_request(struct bs_dev *dev, uint8_t state)
{
	if (state != SCSI_ALUA_ACTIVE_OPTIMIZED)
		return -EINVAL;
	return bs_rbd_lease_take(rbd_store(dev)->lease);
}

static int rbd_alua_ports(struct bs_dev *dev, const uint16_t *tags, size_t n)
{
	return bs_rbd_lease_ports(rbd_store(dev)->lease, tags, n);
}

static size_t rbd_alua_groups(struct bs_dev *dev, struct bs_alua_tpg *out, size_t max)
{
	return bs_rbd_lease_groups(rbd_store(dev)->lease, out, max);
}

static bool rbd_owner(struct bs_dev *dev, struct bs_owner_info *out)
{
	return bs_rbd_lease_view(rbd_store(dev)->lease, out);
}

static int rbd_owner_move(struct bs_dev *dev, const char *to)
{
	return bs_rbd_lease_move(rbd_store(dev)->lease, to);
}

const struct bs_ops bs_rbd_ops = {
	.name = "rbd",
	.open = rbd_open_store,
	.close = rbd_close_store,
	.submit = rbd_submit,
	.lba_status = rbd_lba_status,
	.resize = rbd_resize_op,
	.identity = rbd_identity,
	.shared_open = rbd_shared_open,
	.alua = rbd_alua,
	.alua_request = rbd_alua_request,
	.alua_ports = rbd_alua_ports,
	.alua_groups = rbd_alua_groups,
	.owner = rbd_owner,
	.owner_move = rbd_owner_move,
};

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copies between stores, for the SCSI engine's EXTENDED COPY: the data stays
 * inside porticod (no round trip through an initiator).
 *
 * Two ways, chosen per call:
 *   - both ends are "file" stores: copy_file_range(2) on a worker, which
 *     lets the filesystem share extents (reflink) or copy in the kernel;
 *     where the kernel refuses it for that pair (another filesystem, an old
 *     kernel), the same worker copies with pread/pwrite;
 *   - otherwise (block devices, logical volumes, null, a mix): a READ from
 *     the source then a WRITE to the destination, chunk by chunk, each
 *     through its store's own asynchronous engine (bs_submit).
 * Durability follows the destination: a write-through store has the data
 * on stable storage when the copy completes (an fdatasync after
 * copy_file_range, whose extent sharing does not honour O_DSYNC), a
 * write-back store when the next FLUSH does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"

/* What one READ/WRITE pair moves on the asynchronous path, and one pread/pwrite. */
#define BS_COPY_CHUNK (1u << 20)

struct bs_copy_op {
	struct bs_io *user; /* the caller's io: completes once the whole range is copied */
	struct bs_io inner; /* what is in flight now (a READ, a WRITE, or the worker's job) */
	struct iovec iov;
	struct bs_dev *src;
	uint64_t src_off;
	uint64_t done; /* bytes copied so far */
	uint8_t *buf;  /* the asynchronous path's chunk (BS_COPY_CHUNK bytes) */
};

static void bs_copy_finish(struct bs_copy_op *c, int result)
{
	struct bs_io *user = c->user;

	free(c->buf);
	free(c);
	user->result = result;
	user->cb(user);
}

/* pread/pwrite between two fds, for what copy_file_range would not do. */
static int bs_copy_rw(int in, uint64_t in_off, int out, uint64_t out_off, uint64_t len,
		      uint32_t align)
{
	void *buf;
	int ret = 0;

	if (posix_memalign(&buf, MAX(align, 4096u), BS_COPY_CHUNK))
		return -ENOMEM;
	while (len) {
		size_t n = (size_t)MIN(len, (uint64_t)BS_COPY_CHUNK), got = 0;
		ssize_t r;

		while (got < n) {
			r = pread(in, (uint8_t *)buf + got, n - got, (off_t)(in_off + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				ret = r < 0 ? -errno : -EIO; /* a file shorter than its store */
				goto out;
			}
			got += (size_t)r;
		}
		for (got = 0; got < n;) {
			r = pwrite(out, (uint8_t *)buf + got, n - got, (off_t)(out_off + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				ret = r < 0 ? -errno : -EIO;
				goto out;
			}
			got += (size_t)r;
		}
		in_off += n;
		out_off += n;
		len -= n;
	}
out:
	free(buf);
	return ret;
}

/* The worker's job for file to file: runs on a pool thread. */
static int bs_copy_work_files(struct bs_io *io)
{
	struct bs_copy_op *c = container_of(io, struct bs_copy_op, inner);
	const struct bs_fdstore *in = c->src->priv, *out = io->dev->priv;
	loff_t in_off = (loff_t)c->src_off, out_off = (loff_t)io->offset;
	uint64_t left = io->len;
	int ret = 0;

	while (left) {
		ssize_t r = copy_file_range(in->fd, &in_off, out->fd, &out_off, (size_t)left, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 &&
		    (errno == EXDEV || errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL)) {
			/* this pair cannot: copy the rest through user space, on this worker */
			ret = bs_copy_rw(in->fd, (uint64_t)in_off, out->fd, (uint64_t)out_off, left,
					 MAX(in->mem_align, out->mem_align));
			break;
		}
		if (r <= 0) {
			ret = r < 0 ? -errno : -EIO;
			break;
		}
		left -= (uint64_t)r;
	}
	if (!ret && (!io->dev->write_back || io->fua) && fdatasync(out->fd))
		ret = -errno;
	return ret;
}

static void bs_copy_files_done(struct bs_io *io)
{
	bs_copy_finish(container_of(io, struct bs_copy_op, inner), io->result);
}

static void bs_copy_step(struct bs_copy_op *c);

static void bs_copy_wrote(struct bs_io *io)
{
	struct bs_copy_op *c = container_of(io, struct bs_copy_op, inner);

	if (io->result) {
		bs_copy_finish(c, io->result);
		return;
	}
	c->done += io->len;
	bs_copy_step(c);
}

static void bs_copy_read(struct bs_io *io)
{
	struct bs_copy_op *c = container_of(io, struct bs_copy_op, inner);
	uint64_t len = io->len;
	int ret;

	if (io->result) {
		bs_copy_finish(c, io->result);
		return;
	}
	memset(io, 0, sizeof(*io));
	io->op = BS_OP_WRITE;
	io->offset = c->user->offset + c->done;
	io->len = len;
	io->iov = &c->iov;
	io->iovcnt = 1;
	io->fua = c->user->fua && c->done + len == c->user->len;
	io->cb = bs_copy_wrote;
	ret = bs_submit(c->user->dev, io);
	if (ret)
		bs_copy_finish(c, ret); /* in a callback: not inside bs_copy */
}

/* The asynchronous path: the next chunk's READ, or the end. Runs from callbacks only. */
static void bs_copy_step(struct bs_copy_op *c)
{
	struct bs_io *io = &c->inner;
	uint64_t len = MIN(c->user->len - c->done, (uint64_t)BS_COPY_CHUNK);
	int ret;

	if (!len) {
		bs_copy_finish(c, 0);
		return;
	}
	memset(io, 0, sizeof(*io));
	c->iov.iov_base = c->buf;
	c->iov.iov_len = (size_t)len;
	io->op = BS_OP_READ;
	io->offset = c->src_off + c->done;
	io->len = len;
	io->iov = &c->iov;
	io->iovcnt = 1;
	io->cb = bs_copy_read;
	ret = bs_submit(c->src, io);
	if (ret)
		bs_copy_finish(c, ret);
}

int bs_copy(struct bs_dev *src, uint64_t src_off, struct bs_dev *dst, struct bs_io *io)
{
	struct bs_thread *t = bs_thread_current();
	struct bs_copy_op *c;
	int ret;

	if (!src || !dst || !io || !io->cb || !t || !io->len)
		return -EINVAL;
	if ((src_off | io->len) & (src->block_size - 1) ||
	    (io->offset | io->len) & (dst->block_size - 1))
		return -EINVAL;
	if (src_off > src->size || io->len > src->size - src_off || io->offset > dst->size ||
	    io->len > dst->size - io->offset)
		return -ERANGE;
	if (dst->readonly)
		return -EROFS;
	/* the same store: the caller keeps the ranges apart (a forward copy would read its own
	 * writes) */
	if (src == dst && src_off < io->offset + io->len && io->offset < src_off + io->len)
		return -EINVAL;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->user = io;
	c->src = src;
	c->src_off = src_off;
	io->dev = dst;
	io->thread = t;
	io->result = 0;

	if (src->ops == &bs_file_ops && dst->ops == &bs_file_ops) {
		struct bs_io *w = &c->inner;

		w->op = BS_OP_WRITE; /* what the worker does to dst */
		w->offset = io->offset;
		w->len = io->len;
		w->fua = io->fua;
		w->cb = bs_copy_files_done;
		w->dev = dst;
		w->thread = t;
		bs_pool_submit(w, bs_copy_work_files);
		return 0;
	}

	if (posix_memalign((void **)&c->buf, 4096, BS_COPY_CHUNK)) {
		free(c);
		return -ENOMEM;
	}
	c->iov.iov_base = c->buf;
	c->iov.iov_len = (size_t)MIN(io->len, (uint64_t)BS_COPY_CHUNK);
	c->inner.op = BS_OP_READ;
	c->inner.offset = src_off;
	c->inner.len = c->iov.iov_len;
	c->inner.iov = &c->iov;
	c->inner.iovcnt = 1;
	c->inner.cb = bs_copy_read;
	ret = bs_submit(src, &c->inner);
	if (ret)
		goto err_free;
	return 0;

err_free:
	free(c->buf);
	free(c);
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "block": a block device (a disk, a partition, an LVM logical volume, a
 * loop device) as a logical unit.
 *
 * The device is opened O_DIRECT (reads and writes through libaio) and
 * O_EXCL: while we serve it nobody can mount it or hand it to another
 * exclusive user, and we refuse a device that is mounted or in use.
 *
 * Size and block size come from the device (BLKGETSIZE64, BLKSSZGET), and
 * so does the physical block size unless one is configured (BLKPBSZGET). A
 * configured block size must be a multiple of the device's logical block
 * size; a configured size may expose the beginning of a larger device, never
 * more than the device holds.
 *
 * Thin: a device that takes discards (queue/discard_max_bytes > 0). UNMAP
 * deallocates with fallocate(PUNCH_HOLE), which the kernel turns into a
 * write-zeroes that may unmap, so deallocated blocks are guaranteed to read
 * as zeroes, when the device supports write-zeroes; otherwise UNMAP is a
 * plain BLKDISCARD and reads after it are whatever the device returns.
 * WRITE_ZEROES: fallocate(ZERO_RANGE) (keeps the blocks allocated), else
 * BLKZEROOUT. FLUSH: fdatasync. Durability as for files: write-through opens
 * the device O_DSYNC; write-back relies on FUA (RWF_DSYNC) and FLUSH.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/log.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"

struct block_store {
	struct bs_fdstore fs; /* first: the engine reads it through dev->priv */
	bool punch;	      /* UNMAP through fallocate(PUNCH_HOLE): guaranteed zeroes */
};

static struct block_store *block_store(const struct bs_dev *dev)
{
	return dev->priv;
}

/*
 * Reads a number from the device's queue directory in sysfs. Partitions
 * have none of their own: their queue is the whole disk's, one level up.
 */
static uint64_t block_queue_attr(dev_t rdev, const char *attr)
{
	static const char *const fmt[] = { "/sys/dev/block/%u:%u/queue/%s",
					   "/sys/dev/block/%u:%u/../queue/%s" };
	unsigned long long v;
	char path[128];
	size_t i;
	FILE *fp;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), fmt[i], major(rdev), minor(rdev), attr);
		fp = fopen(path, "re");
		if (!fp)
			continue;
		if (fscanf(fp, "%llu", &v) != 1)
			v = 0;
		fclose(fp);
		return v;
	}
	return 0;
}

static int block_open(struct bs_dev *dev, const struct bs_params *p)
{
	const char *path = p->path;
	struct block_store *b;
	struct stat st;
	uint64_t devsize;
	int lbs = 0;
	unsigned int pbs = 0;
	int flags, ret;

	if (!path || !path[0])
		return bs_open_err(dev, -EINVAL, "a block backstore needs a device path");
	if (stat(path, &st))
		return bs_open_err(dev, -errno, "cannot open '%s': %s", path, strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return bs_open_err(dev, -ENOTBLK, "'%s' is not a block device", path);

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;

	flags = (p->readonly ? O_RDONLY : O_RDWR) | O_DIRECT | O_EXCL | O_CLOEXEC;
	if (!p->write_back && !p->readonly)
		flags |= O_DSYNC;
	b->fs.fd = open(path, flags);
	if (b->fs.fd < 0) {
		if (errno == EBUSY)
			ret = bs_open_err(dev, -EBUSY,
					  "cannot open '%s' exclusively: it is mounted or in use",
					  path);
		else
			ret =
			    bs_open_err(dev, -errno, "cannot open '%s': %s", path, strerror(errno));
		goto err_free;
	}
	b->fs.direct = true;

	if (ioctl(b->fs.fd, BLKGETSIZE64, &devsize) || ioctl(b->fs.fd, BLKSSZGET, &lbs)) {
		ret = bs_open_err(dev, -errno, "cannot read the size of '%s': %s", path,
				  strerror(errno));
		goto err_close;
	}
	if (p->block_size && (p->block_size < (uint32_t)lbs || p->block_size % (uint32_t)lbs)) {
		ret = bs_open_err(
		    dev, -EINVAL,
		    "block size %u does not fit '%s': it must be a multiple of the device's %d-byte logical blocks",
		    p->block_size, path, lbs);
		goto err_close;
	}
	dev->block_size = p->block_size ? p->block_size : (uint32_t)lbs;
	/* the device's physical sector (a 512e disk says 4096): bs_open keeps it where it fits */
	if (ioctl(b->fs.fd, BLKPBSZGET, &pbs) == 0 && pbs > 0)
		dev->phys_block_size = pbs;
	b->fs.mem_align = (uint32_t)lbs;

	if (p->size > devsize) {
		ret = bs_open_err(dev, -ENOSPC,
				  "'%s' holds %llu bytes, less than the configured size %llu", path,
				  (unsigned long long)devsize, (unsigned long long)p->size);
		goto err_close;
	}
	if (p->size % dev->block_size) {
		ret = bs_open_err(dev, -EINVAL,
				  "size %llu is not a multiple of the %u-byte block size",
				  (unsigned long long)p->size, dev->block_size);
		goto err_close;
	}
	dev->size = p->size ? p->size : devsize - devsize % dev->block_size;
	if (!dev->size) {
		ret = bs_open_err(dev, -EINVAL, "'%s' is smaller than one %u-byte block", path,
				  dev->block_size);
		goto err_close;
	}
	if (p->size && p->size < devsize)
		log_info(BS_COMPONENT,
			 "backstore '%s': serving the first %llu of %llu bytes of '%s'", dev->name,
			 (unsigned long long)p->size, (unsigned long long)devsize, path);

	dev->thin = block_queue_attr(st.st_rdev, "discard_max_bytes") > 0;
	b->punch = dev->thin && block_queue_attr(st.st_rdev, "write_zeroes_max_bytes") > 0;
	dev->unmap_zeroes = b->punch;
	dev->write_back = p->write_back;
	dev->readonly = p->readonly;
	dev->priv = b;
	return 0;

err_close:
	close(b->fs.fd);
err_free:
	free(b);
	return ret;
}

static void block_close(struct bs_dev *dev)
{
	struct block_store *b = block_store(dev);

	close(b->fs.fd);
	free(b);
	dev->priv = NULL;
}

static int block_sync_if_write_through(struct bs_io *io, int ret)
{
	if (!ret && !io->dev->write_back && fdatasync(block_store(io->dev)->fs.fd))
		return -errno;
	return ret;
}

static int block_work_flush(struct bs_io *io)
{
	return fdatasync(block_store(io->dev)->fs.fd) ? -errno : 0;
}

static int block_work_unmap(struct bs_io *io)
{
	struct block_store *b = block_store(io->dev);
	uint64_t range[2] = { io->offset, io->len };
	int ret = 0;

	if (!io->len)
		return 0;
	if (b->punch) {
		if (fallocate(b->fs.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)io->offset, (off_t)io->len))
			ret = -errno;
	} else if (ioctl(b->fs.fd, BLKDISCARD, range)) {
		ret = -errno;
	}
	return block_sync_if_write_through(io, ret);
}

static int block_work_write_zeroes(struct bs_io *io)
{
	struct block_store *b = block_store(io->dev);
	uint64_t range[2] = { io->offset, io->len };
	int ret = 0;

	if (!io->len)
		return 0;
	if (fallocate(b->fs.fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)io->offset,
		      (off_t)io->len)) {
		/* Older kernels: BLKZEROOUT writes zeroes itself when the device cannot. */
		if (errno != EOPNOTSUPP)
			ret = -errno;
		else if (ioctl(b->fs.fd, BLKZEROOUT, range))
			ret = -errno;
	}
	return block_sync_if_write_through(io, ret);
}

static int block_submit(struct bs_dev *dev, struct bs_io *io)
{
	switch (io->op) {
	case BS_OP_READ:
	case BS_OP_WRITE:
		bs_aio_submit(io);
		return 0;
	case BS_OP_FLUSH:
		bs_pool_submit(io, block_work_flush);
		return 0;
	case BS_OP_UNMAP:
		if (!dev->thin)
			return -EOPNOTSUPP;
		bs_pool_submit(io, block_work_unmap);
		return 0;
	case BS_OP_WRITE_ZEROES:
		bs_pool_submit(io, block_work_write_zeroes);
		return 0;
	case BS_OP_COMPARE_WRITE:
	case BS_OP_WRITE_SAME:
		break; /* caw_max 0, write_same false: the SCSI engine does them */
	}
	return -EINVAL;
}

static int block_lba_status(struct bs_dev *dev, uint64_t offset, bool *mapped, uint64_t *len)
{
	/* A block device does not say which of its blocks are allocated. */
	*mapped = true;
	*len = offset < dev->size ? dev->size - offset : 0;
	return -EOPNOTSUPP;
}

static int block_resize(struct bs_dev *dev, uint64_t new_size)
{
	struct block_store *b = block_store(dev);
	uint64_t devsize;

	/* The device's size is its own (lvextend, losetup -c): we only take it in. */
	if (new_size)
		return -EINVAL;
	if (ioctl(b->fs.fd, BLKGETSIZE64, &devsize))
		return -errno;
	devsize -= devsize % dev->block_size;
	if (!devsize)
		return -EINVAL;
	if (devsize != dev->size)
		log_info(BS_COMPONENT, "backstore '%s': '%s' is now %llu bytes (was %llu)",
			 dev->name, dev->path, (unsigned long long)devsize,
			 (unsigned long long)dev->size);
	dev->size = devsize;
	return 0;
}

const struct bs_ops bs_block_ops = {
	.name = "block",
	.open = block_open,
	.close = block_close,
	.submit = block_submit,
	.lba_status = block_lba_status,
	.resize = block_resize,
};

/*
 * "lvm": a logical volume is a block device (/dev/VG/LV) and is served as
 * one; the kind exists so that the configuration can say what the admin
 * manages. Growing the LV (lvextend) and then resize(0) takes the new size.
 */
const struct bs_ops bs_lvm_ops = {
	.name = "lvm",
	.open = block_open,
	.close = block_close,
	.submit = block_submit,
	.lba_status = block_lba_status,
	.resize = block_resize,
};

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "file": a regular file as a logical unit.
 *
 * Sizes. With a size, a missing file is created (mode 0600: it holds the
 * initiators' data) and a smaller one is extended: sparse when thin
 * (ftruncate), fully allocated otherwise (posix_fallocate), so that a thick
 * LU cannot run out of space under a write. A file that is already larger
 * than the configured size keeps its size and serves all of it: the extra
 * space came from an earlier resize (or from the admin), the initiator's
 * filesystem may already span it, and silently cutting it off (or worse,
 * truncating the file) would lose data. We log both sizes so that the
 * configuration can be corrected. Only resize() ever shrinks a file.
 *
 * A configured size that is not a multiple of the block size is refused (it
 * is a typo in the configuration, and we will not guess). A file whose own
 * size is not a multiple is served rounded down, with a warning: the tail
 * is left untouched, never truncated, never punched: porticod writes to a
 * file only what an initiator writes, or the size change an administrator
 * asks for (create with a larger size, resize).
 *
 * I/O. The file is opened O_DIRECT where the filesystem allows it (probed
 * with an aligned read), and then reads and writes go through libaio;
 * otherwise (or with params->buffered) they go buffered through the worker
 * pool. Everything else (FLUSH, UNMAP, WRITE_ZEROES) is a blocking call,
 * so it goes through the pool too.
 *
 * Durability. write_back=false (write-through) opens the file O_DSYNC:
 * every write, direct or buffered, is on stable storage before it
 * completes, and UNMAP/WRITE_ZEROES are followed by an fdatasync.
 * write_back=true: writes complete when the kernel has them; a FUA write
 * uses RWF_DSYNC, and FLUSH (fdatasync) makes everything before it durable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"

struct file_store {
	struct bs_fdstore fs;	   /* first: the engine reads it through dev->priv */
	bool sparse;		   /* grow sparse (thin) or allocated */
	atomic_bool zero_range_ok; /* fallocate(ZERO_RANGE) works here */
};

static struct file_store *file_store(const struct bs_dev *dev)
{
	return dev->priv;
}

/*
 * Makes a new or extended file durable before we serve it: its size, and
 * for a new file the directory entry, so that a crash cannot take back the
 * space (or the file) an initiator was told it has.
 */
static int file_sync_layout(int fd, const char *path, bool created)
{
	char dir[4096];
	char *slash;
	int dfd, ret = 0;

	if (fsync(fd))
		return -errno;
	if (!created)
		return 0;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fsync(dfd))
		ret = -errno;
	close(dfd);
	return ret;
}

/* Allocates [from, to) of the file, extending it; ftruncate when sparse. */
static int file_grow(int fd, uint64_t from, uint64_t to, bool sparse)
{
	int ret;

	if (sparse)
		return ftruncate(fd, (off_t)to) ? -errno : 0;
	ret = posix_fallocate(fd, (off_t)from, (off_t)(to - from));
	return -ret;
}

/*
 * Turns O_DIRECT on when the filesystem takes it and an aligned read of one
 * block works (some accept the flag at open and fail the I/O). Returns
 * whether the fd is now direct.
 */
static bool file_try_direct(int fd, uint32_t block_size)
{
	int fl = fcntl(fd, F_GETFL);
	void *buf;
	ssize_t r;

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_DIRECT))
		return false;
	if (posix_memalign(&buf, MAX(block_size, 4096u), block_size))
		goto err_restore;
	r = pread(fd, buf, block_size, 0);
	free(buf);
	if (r == (ssize_t)block_size)
		return true;
err_restore:
	if (fcntl(fd, F_SETFL, fl))
		log_warn(BS_COMPONENT, "cannot turn O_DIRECT back off: %s", strerror(errno));
	return false;
}

static int file_open(struct bs_dev *dev, const struct bs_params *p)
{
	const char *path = p->path;
	struct file_store *f;
	struct stat st;
	uint64_t size, end, want = p->size;
	bool creating = false, created = false;
	int flags, ret;

	if (!path || !path[0])
		return bs_open_err(dev, -EINVAL, "a file backstore needs a path");
	dev->block_size = p->block_size ? p->block_size : 512;
	if (want % dev->block_size)
		return bs_open_err(dev, -EINVAL,
				   "size %llu is not a multiple of the %u-byte block size",
				   (unsigned long long)want, dev->block_size);

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->sparse = p->thin;
	atomic_init(&f->zero_range_ok, true);

	flags = (p->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	/* Write-through: the kernel makes each write durable before it completes. */
	if (!p->write_back && !p->readonly)
		flags |= O_DSYNC;

	if (stat(path, &st)) {
		if (errno != ENOENT) {
			ret =
			    bs_open_err(dev, -errno, "cannot open '%s': %s", path, strerror(errno));
			goto err_free;
		}
		if (!want) {
			ret =
			    bs_open_err(dev, -ENOENT,
					"file '%s' does not exist; give a size to create it", path);
			goto err_free;
		}
		if (p->readonly) {
			ret = bs_open_err(
			    dev, -ENOENT,
			    "file '%s' does not exist, and a read-only backstore cannot create it",
			    path);
			goto err_free;
		}
		creating = true;
		f->fs.fd = open(path, flags | O_CREAT | O_EXCL, 0600);
		created = f->fs.fd >= 0;
	} else if (S_ISBLK(st.st_mode)) {
		ret = bs_open_err(
		    dev, -EINVAL,
		    "'%s' is a block device, not a regular file; use a block backstore", path);
		goto err_free;
	} else if (!S_ISREG(st.st_mode)) {
		ret = bs_open_err(dev, -EINVAL, "'%s' is not a regular file", path);
		goto err_free;
	} else {
		f->fs.fd = open(path, flags);
	}
	if (f->fs.fd < 0) {
		ret = bs_open_err(dev, -errno, "cannot %s '%s': %s", creating ? "create" : "open",
				  path, strerror(errno));
		goto err_free;
	}
	/* Between stat() and open() the path may have changed: check what we opened. */
	if (fstat(f->fs.fd, &st)) {
		ret = bs_open_err(dev, -errno, "cannot stat '%s': %s", path, strerror(errno));
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = bs_open_err(dev, -EINVAL, "'%s' is not a regular file", path);
		goto err_close;
	}

	size = (uint64_t)st.st_size;
	end = size;
	if (want > size) {
		if (p->readonly) {
			ret = bs_open_err(
			    dev, -EINVAL,
			    "file '%s' holds %llu bytes, less than the configured %llu, and a read-only backstore cannot extend it",
			    path, (unsigned long long)size, (unsigned long long)want);
			goto err_close;
		}
		ret = file_grow(f->fs.fd, size, want, f->sparse);
		if (ret) {
			ret = bs_open_err(dev, ret, "cannot %s '%s' to %llu bytes: %s",
					  f->sparse ? "extend" : "allocate", path,
					  (unsigned long long)want, strerror(-ret));
			goto err_unlink;
		}
		if (!created)
			log_info(BS_COMPONENT,
				 "backstore '%s': extended '%s' from %llu to %llu bytes", dev->name,
				 path, (unsigned long long)size, (unsigned long long)want);
		size = end = want;
		ret = file_sync_layout(f->fs.fd, path, created);
		if (ret) {
			ret = bs_open_err(dev, ret, "cannot make '%s' durable: %s", path,
					  strerror(-ret));
			goto err_unlink;
		}
	} else if (want && want < size) {
		log_warn(
		    BS_COMPONENT,
		    "backstore '%s': file '%s' holds %llu bytes, more than the configured %llu; serving all of it (resize to shrink it)",
		    dev->name, path, (unsigned long long)size, (unsigned long long)want);
	}
	if (size % dev->block_size) {
		log_warn(
		    BS_COMPONENT,
		    "backstore '%s': '%s' is %llu bytes, not a multiple of %u; the last %llu bytes are not served",
		    dev->name, path, (unsigned long long)size, dev->block_size,
		    (unsigned long long)(size % dev->block_size));
		size -= size % dev->block_size;
	}
	if (!size) {
		ret =
		    bs_open_err(dev, -EINVAL, "file '%s' is empty; give a size to extend it", path);
		goto err_unlink;
	}
	dev->size = size;

	f->fs.mem_align = dev->block_size;
	if (!p->buffered)
		f->fs.direct = file_try_direct(f->fs.fd, dev->block_size);
	if (!f->fs.direct)
		log_info(BS_COMPONENT, "backstore '%s': '%s' is served through the page cache%s",
			 dev->name, path, p->buffered ? "" : " (the filesystem refuses O_DIRECT)");

	dev->thin = p->thin;
	/*
	 * A filesystem that cannot punch holes cannot do UNMAP, so we must not
	 * advertise it: probe with a punch that can change nothing, one block
	 * from the first block boundary at or past the file's real end. Not at
	 * the served end: when the file's length is not a multiple of the block
	 * size, the bytes between the two are the owner's, not ours, and a
	 * punch there zeroes them (KEEP_SIZE keeps the length, not the data).
	 */
	if (dev->thin && !p->readonly &&
	    fallocate(f->fs.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)ALIGN_UP(end, (uint64_t)dev->block_size), dev->block_size)) {
		log_warn(
		    BS_COMPONENT,
		    "backstore '%s': the filesystem under '%s' cannot punch holes (%s); UNMAP is off",
		    dev->name, path, strerror(errno));
		dev->thin = false;
	}
	dev->unmap_zeroes = true;
	dev->write_back = p->write_back;
	dev->readonly = p->readonly;
	dev->priv = f;
	return 0;

err_unlink:
	/* Do not leave behind a file that we created and could not make usable. */
	if (created)
		unlink(path);
err_close:
	close(f->fs.fd);
err_free:
	free(f);
	return ret;
}

static void file_close(struct bs_dev *dev)
{
	struct file_store *f = file_store(dev);

	close(f->fs.fd);
	free(f);
	dev->priv = NULL;
}

/* A write-through store makes metadata changes durable as it does writes. */
static int file_sync_if_write_through(struct bs_io *io, int ret)
{
	if (!ret && !io->dev->write_back && fdatasync(file_store(io->dev)->fs.fd))
		return -errno;
	return ret;
}

static int file_work_rw(struct bs_io *io)
{
	return bs_sync_rw(file_store(io->dev)->fs.fd, io, io->fua);
}

static int file_work_flush(struct bs_io *io)
{
	return fdatasync(file_store(io->dev)->fs.fd) ? -errno : 0;
}

static int file_work_unmap(struct bs_io *io)
{
	int ret = 0;

	if (io->len &&
	    fallocate(file_store(io->dev)->fs.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)io->offset, (off_t)io->len))
		ret = -errno;
	return file_sync_if_write_through(io, ret);
}

static int file_work_write_zeroes(struct bs_io *io)
{
	struct file_store *f = file_store(io->dev);
	off_t off = (off_t)io->offset, len = (off_t)io->len;
	int fd = f->fs.fd;
	int ret = 0;

	if (!len)
		return 0;
	if (atomic_load(&f->zero_range_ok)) {
		if (!fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, len))
			return file_sync_if_write_through(io, 0);
		if (errno != EOPNOTSUPP)
			return -errno;
		atomic_store(&f->zero_range_ok, false);
	}
	/*
	 * No ZERO_RANGE (tmpfs, some network filesystems): a punched hole reads
	 * as zeroes, and allocating it again keeps the range allocated as
	 * WRITE_ZEROES promises. Without holes, write the zeroes.
	 */
	if (!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len)) {
		if (fallocate(fd, FALLOC_FL_KEEP_SIZE, off, len) && errno != EOPNOTSUPP)
			ret = -errno;
	} else if (errno == EOPNOTSUPP) {
		ret = bs_sync_write_zeroes(fd, io->offset, io->len, f->fs.mem_align);
	} else {
		ret = -errno;
	}
	return file_sync_if_write_through(io, ret);
}

static int file_submit(struct bs_dev *dev, struct bs_io *io)
{
	struct file_store *f = file_store(dev);

	switch (io->op) {
	case BS_OP_READ:
	case BS_OP_WRITE:
		if (f->fs.direct)
			bs_aio_submit(io);
		else
			bs_pool_submit(io, file_work_rw);
		return 0;
	case BS_OP_FLUSH:
		bs_pool_submit(io, file_work_flush);
		return 0;
	case BS_OP_UNMAP:
		if (!dev->thin)
			return -EOPNOTSUPP;
		bs_pool_submit(io, file_work_unmap);
		return 0;
	case BS_OP_WRITE_ZEROES:
		bs_pool_submit(io, file_work_write_zeroes);
		return 0;
	case BS_OP_COMPARE_WRITE:
	case BS_OP_WRITE_SAME:
		break; /* caw_max 0, write_same false: the SCSI engine does them */
	}
	return -EINVAL;
}

static int file_lba_status(struct bs_dev *dev, uint64_t offset, bool *mapped, uint64_t *len)
{
	int fd = file_store(dev)->fs.fd;
	uint64_t bs = dev->block_size, end;
	off_t data, hole;

	if (offset >= dev->size)
		return -ERANGE;
	data = lseek(fd, (off_t)offset, SEEK_DATA);
	if (data < 0 && errno != ENXIO)
		return errno == EINVAL ? -EOPNOTSUPP : -errno;
	if (data < 0 || (uint64_t)data >= dev->size) {
		/* ENXIO: no data from offset to the end of the file. */
		*mapped = false;
		end = dev->size;
	} else if ((uint64_t)data > offset) {
		*mapped = false;
		end = (uint64_t)data;
	} else {
		hole = lseek(fd, (off_t)offset, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		*mapped = true;
		end = (uint64_t)hole;
	}
	end = MIN(end, dev->size);
	/*
	 * Report whole blocks: a block that is partly allocated is mapped. A
	 * filesystem block smaller than ours can leave a hole shorter than one
	 * of our blocks; that block then counts as mapped.
	 */
	if (*mapped) {
		end = ALIGN_UP(end, bs);
	} else {
		end -= end % bs;
		if (end <= offset) {
			*mapped = true;
			end = offset + bs;
		}
	}
	*len = MIN(end, dev->size) - offset;
	return 0;
}

static int file_resize(struct bs_dev *dev, uint64_t new_size)
{
	struct file_store *f = file_store(dev);
	struct stat st;
	int ret;

	if (fstat(f->fs.fd, &st))
		return -errno;
	/* 0: take the size the file has now (someone grew it outside of us). */
	if (!new_size) {
		new_size = (uint64_t)st.st_size - (uint64_t)st.st_size % dev->block_size;
		if (!new_size)
			return -EINVAL;
		dev->size = new_size;
		return 0;
	}
	if (new_size % dev->block_size)
		return -EINVAL;
	/*
	 * The size served already: nothing to change. A tail past the served
	 * end (a length off the block size, a file longer than configured)
	 * is not ours to cut.
	 */
	if (new_size == dev->size)
		return 0;
	if (dev->readonly)
		return -EROFS;
	if (new_size > (uint64_t)st.st_size)
		ret = file_grow(f->fs.fd, (uint64_t)st.st_size, new_size, f->sparse);
	else
		ret = ftruncate(f->fs.fd, (off_t)new_size) ? -errno : 0;
	if (ret) {
		log_err(BS_COMPONENT, "backstore '%s': cannot resize '%s' to %llu bytes: %s",
			dev->name, dev->path, (unsigned long long)new_size, strerror(-ret));
		return ret;
	}
	/* A control-plane change, rare: durable at once, whatever the cache mode. */
	ret = file_sync_layout(f->fs.fd, dev->path, false);
	if (ret)
		return ret;
	log_info(BS_COMPONENT, "backstore '%s': resized from %llu to %llu bytes", dev->name,
		 (unsigned long long)dev->size, (unsigned long long)new_size);
	dev->size = new_size;
	return 0;
}

const struct bs_ops bs_file_ops = {
	.name = "file",
	.open = file_open,
	.close = file_close,
	.submit = file_submit,
	.lba_status = file_lba_status,
	.resize = file_resize,
};

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "null": a store that holds nothing. Reads return zeroes, everything else
 * succeeds. It is the benchmark store, so a request costs a memset (reads)
 * and a place on the thread's completion list: no syscall per request.
 */
#include <errno.h>
#include <string.h>

#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"

static int null_open(struct bs_dev *dev, const struct bs_params *p)
{
	dev->block_size = p->block_size ? p->block_size : 512;
	if (!p->size)
		return bs_open_err(dev, -EINVAL, "a null backstore needs a size");
	if (p->size % dev->block_size)
		return bs_open_err(dev, -EINVAL,
				   "size %llu is not a multiple of the %u-byte block size",
				   (unsigned long long)p->size, dev->block_size);
	dev->size = p->size;
	/* Nothing is ever stored, so every block is deallocated and reads as zeroes. */
	dev->thin = true;
	dev->unmap_zeroes = true;
	dev->write_back = p->write_back;
	dev->readonly = p->readonly;
	return 0;
}

static int null_submit(struct bs_dev *dev, struct bs_io *io)
{
	int i;

	(void)dev;
	/* The caller's buffer holds whatever it held before: never hand that back as data. */
	if (io->op == BS_OP_READ)
		for (i = 0; i < io->iovcnt; i++)
			memset(io->iov[i].iov_base, 0, io->iov[i].iov_len);
	bs_complete_later(io, 0);
	return 0;
}

static int null_lba_status(struct bs_dev *dev, uint64_t offset, bool *mapped, uint64_t *len)
{
	if (offset >= dev->size)
		return -ERANGE;
	*mapped = false;
	*len = dev->size - offset;
	return 0;
}

static int null_resize(struct bs_dev *dev, uint64_t new_size)
{
	if (!new_size || new_size % dev->block_size)
		return -EINVAL;
	dev->size = new_size;
	return 0;
}

const struct bs_ops bs_null_ops = {
	.name = "null",
	.open = null_open,
	.submit = null_submit,
	.lba_status = null_lba_status,
	.resize = null_resize,
};

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The backstore registry, and the checks every submission passes before it
 * reaches a store: a store's submit sees only requests that fit the device.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"

#define BS_MAX_KINDS 16

static pthread_mutex_t bs_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct bs_ops *bs_kinds[BS_MAX_KINDS];

int bs_register(const struct bs_ops *ops)
{
	int ret = -ENOSPC;
	size_t i;

	if (!ops || !ops->name || !ops->open || !ops->submit)
		return -EINVAL;

	pthread_mutex_lock(&bs_registry_lock);
	for (i = 0; i < BS_MAX_KINDS; i++) {
		if (bs_kinds[i] && !strcmp(bs_kinds[i]->name, ops->name)) {
			ret = bs_kinds[i] == ops ? 0 : -EEXIST;
			goto out_unlock;
		}
	}
	for (i = 0; i < BS_MAX_KINDS; i++) {
		if (!bs_kinds[i]) {
			bs_kinds[i] = ops;
			ret = 0;
			break;
		}
	}
out_unlock:
	pthread_mutex_unlock(&bs_registry_lock);
	return ret;
}

const struct bs_ops *bs_find(const char *type)
{
	const struct bs_ops *ops = NULL;
	size_t i;

	if (!type)
		return NULL;
	pthread_mutex_lock(&bs_registry_lock);
	for (i = 0; i < BS_MAX_KINDS; i++) {
		if (bs_kinds[i] && !strcmp(bs_kinds[i]->name, type)) {
			ops = bs_kinds[i];
			break;
		}
	}
	pthread_mutex_unlock(&bs_registry_lock);
	return ops;
}

void bs_register_builtin(void)
{
	static const struct bs_ops *const builtin[] = { &bs_file_ops, &bs_block_ops, &bs_lvm_ops,
								&bs_null_ops, &bs_rbd_ops };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(builtin); i++) {
		int ret = bs_register(builtin[i]);

		/* Only a full table can fail here, and 16 slots hold the built-ins. */
		if (ret)
			log_err(BS_COMPONENT, "cannot register backstore kind '%s': %s",
				builtin[i]->name, strerror(-ret));
	}
}

int bs_open_err(struct bs_dev *dev, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (dev->err && dev->errlen)
		snprintf(dev->err, dev->errlen, "%s", msg);
	log_err(BS_COMPONENT, "backstore '%s': %s", dev->name, msg);
	return err < 0 ? err : -err;
}

int bs_open(const char *type, const struct bs_params *p, struct bs_dev **out, char *err,
	    size_t errlen)
{
	const struct bs_ops *ops;
	struct bs_dev *dev;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!p || !out) {
		if (err && errlen)
			snprintf(err, errlen, "no parameters");
		return -EINVAL;
	}
	ops = bs_find(type);
	if (!ops) {
		if (err && errlen)
			snprintf(err, errlen, "unknown backstore type '%s'", type ? type : "");
		return -ENOENT;
	}

	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	dev->ops = ops;
	snprintf(dev->name, sizeof(dev->name), "%s", p->name ? p->name : "");
	if (p->path)
		snprintf(dev->path, sizeof(dev->path), "%s", p->path);
	dev->err = err;
	dev->errlen = errlen;

	if (p->block_size && (p->block_size < 512 || (p->block_size & (p->block_size - 1)))) {
		ret =
		    bs_open_err(dev, -EINVAL, "block size %u is not a power of two of at least 512",
				p->block_size);
		goto err_free;
	}
	if (p->path && strlen(p->path) >= sizeof(dev->path)) {
		ret = bs_open_err(dev, -ENAMETOOLONG, "path is longer than %zu bytes",
				  sizeof(dev->path) - 1);
		goto err_free;
	}

	ret = ops->open(dev, p);
	if (ret) {
		if (err && errlen && !err[0])
			snprintf(err, errlen, "cannot open %s backstore: %s", ops->name,
				 strerror(-ret));
		goto err_free;
	}
	/*
	 * The physical block: the configured one, else the device's own where
	 * it fits the logical blocks served (a 512-byte-sector disk exported
	 * with 4096-byte blocks has 4096-byte physical blocks too), else one
	 * logical block.
	 */
	if (p->phys_block_size) {
		if (bs_phys_block_size_check(dev->block_size, p->phys_block_size)) {
			ret = bs_open_err(dev, -EINVAL,
					  "physical block size %u is not a power-of-two multiple of the %u-byte block size (at most %u)",
					  p->phys_block_size, dev->block_size,
					  BS_PHYS_BLOCK_SIZE_MAX);
			if (ops->close)
				ops->close(dev);
			goto err_free;
		}
		dev->phys_block_size = p->phys_block_size;
	} else if (bs_phys_block_size_check(dev->block_size, dev->phys_block_size)) {
		dev->phys_block_size = dev->block_size;
	}
	dev->removable = p->removable;
	dev->err = NULL;
	dev->errlen = 0;
	log_info(BS_COMPONENT,
		 "backstore '%s': %s '%s', %llu bytes, %u-byte blocks (%u physical)%s%s%s%s",
		 dev->name, ops->name, dev->path, (unsigned long long)dev->size, dev->block_size,
		 dev->phys_block_size, dev->thin ? ", thin" : "",
		 dev->write_back ? ", write-back" : "", dev->readonly ? ", read-only" : "",
		 dev->removable ? ", removable" : "");
	*out = dev;
	return 0;

err_free:
	free(dev);
	return ret;
}

int bs_phys_block_size_check(uint32_t block_size, uint32_t phys)
{
	if (!block_size || phys < block_size || phys > BS_PHYS_BLOCK_SIZE_MAX ||
	    (phys & (phys - 1)) || phys % block_size)
		return -EINVAL;
	return 0;
}

void bs_close(struct bs_dev *dev)
{
	if (!dev)
		return;
	if (dev->ops->close)
		dev->ops->close(dev);
	free(dev);
}

static bool bs_op_writes(enum bs_op op)
{
	return op == BS_OP_WRITE || op == BS_OP_UNMAP || op == BS_OP_WRITE_ZEROES ||
	       op == BS_OP_COMPARE_WRITE || op == BS_OP_WRITE_SAME;
}

int bs_submit(struct bs_dev *dev, struct bs_io *io)
{
	struct bs_thread *t = bs_thread_current();
	uint64_t bmask;

	/* Without a thread context there is no loop to complete on. */
	if (!dev || !io || !io->cb || !t)
		return -EINVAL;

	switch (io->op) {
	case BS_OP_READ:
	case BS_OP_WRITE:
	case BS_OP_COMPARE_WRITE:
	case BS_OP_WRITE_SAME: {
		uint64_t sum = 0;
		int i;

		if (io->iovcnt < 0 || (io->iovcnt > 0 && !io->iov))
			return -EINVAL;
		for (i = 0; i < io->iovcnt; i++)
			sum += io->iov[i].iov_len;
		if (io->op == BS_OP_COMPARE_WRITE) {
			/* only a store that does it, within its atomic unit */
			if (!dev->caw_max || sum != 2 * io->len || !io->len ||
			    io->len > dev->caw_max ||
			    io->offset / dev->caw_max != (io->offset + io->len - 1) / dev->caw_max)
				return -EINVAL;
		} else if (io->op == BS_OP_WRITE_SAME) {
			/* one block of pattern, a store that replicates it */
			if (!dev->write_same || sum != dev->block_size)
				return -EINVAL;
		} else if (sum != io->len) {
			return -EINVAL;
		}
		break;
	}
	case BS_OP_FLUSH:
		break;
	case BS_OP_UNMAP:
	case BS_OP_WRITE_ZEROES:
		break;
	default:
		return -EINVAL;
	}

	if (io->op != BS_OP_FLUSH) {
		bmask = dev->block_size - 1;
		if ((io->offset & bmask) || (io->len & bmask))
			return -EINVAL;
		if (io->offset > dev->size || io->len > dev->size - io->offset)
			return -ERANGE;
	}
	if (dev->readonly && bs_op_writes(io->op))
		return -EROFS;

	io->dev = dev;
	io->thread = t;
	io->next = NULL;
	io->retries = 0;
	io->done = 0;
	io->work = NULL;
	io->result = 0;
	io->miscompare = 0;
	return dev->ops->submit(dev, io);
}

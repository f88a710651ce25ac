/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An in-memory backstore for the SCSI engine's tests: a struct bs_ops "mem"
 * over a calloc'd buffer with a per-block allocation map. Its submit only
 * queues the request; the test runs the queue with mem_drain(), which does
 * the work and calls the callbacks (never inside submit). Knobs make the
 * next request fail, or WRITE ZEROES unsupported, and counters say what the
 * engine asked for.
 */
#ifndef PORTICO_TESTS_SCSI_MEM_BS_H
#define PORTICO_TESTS_SCSI_MEM_BS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "target/backstore/bs.h"

struct mem_bs {
	struct bs_dev dev;
	uint8_t *data; /* NULL: a store too big to hold (no I/O may reach it) */
	bool *mapped;  /* one per block */
	struct bs_io *head;
	struct bs_io **tail;
	bool in_submit;
	int cb_inside_submit;	  /* callbacks that ran inside submit: must stay 0 */
	int submit_err;		  /* returned by submit (no callback) when set */
	int fail_next;		  /* the next request completes with this -errno */
	bool no_write_zeroes;	  /* WRITE ZEROES completes with -EOPNOTSUPP */
	bool refuse_write_zeroes; /* submit refuses WRITE ZEROES with -EOPNOTSUPP */
	unsigned int n[7];	  /* requests by enum bs_op */
	unsigned int nfua;	  /* writes submitted with fua */
	struct bs_io last;	  /* a copy of the last request run */
	void *last_iov_base;
};

static inline struct mem_bs *mem_of(struct bs_dev *dev)
{
	return container_of(dev, struct mem_bs, dev);
}

static inline int mem_submit(struct bs_dev *dev, struct bs_io *io)
{
	struct mem_bs *mb = mem_of(dev);

	if (mb->submit_err)
		return mb->submit_err;
	if (mb->refuse_write_zeroes && io->op == BS_OP_WRITE_ZEROES)
		return -EOPNOTSUPP;
	io->next = NULL;
	*mb->tail = io;
	mb->tail = &io->next;
	return 0;
}

static inline int mem_lba_status(struct bs_dev *dev, uint64_t offset, bool *mapped, uint64_t *len)
{
	struct mem_bs *mb = mem_of(dev);
	uint64_t b = offset / dev->block_size, nb = dev->size / dev->block_size, e;

	if (b >= nb)
		return -ERANGE;
	*mapped = mb->mapped[b];
	for (e = b; e < nb && mb->mapped[e] == *mapped; e++)
		;
	*len = (e - b) * dev->block_size;
	return 0;
}

static const struct bs_ops mem_ops = {
    .name = "mem",
    .submit = mem_submit,
    .lba_status = mem_lba_status,
};

/* A store of nblocks blocks; data is held only when hold (the size may be huge otherwise). */
static inline struct mem_bs *mem_create(uint32_t block_size, uint64_t nblocks, bool thin,
					bool write_back, bool hold)
{
	struct mem_bs *mb = calloc(1, sizeof(*mb));
	uint64_t i;

	mb->dev.ops = &mem_ops;
	strcpy(mb->dev.name, "mem0");
	mb->dev.block_size = block_size;
	mb->dev.size = nblocks * block_size;
	mb->dev.thin = thin;
	mb->dev.unmap_zeroes = thin;
	mb->dev.write_back = write_back;
	mb->tail = &mb->head;
	if (hold) {
		mb->data = calloc(1, mb->dev.size);
		mb->mapped = calloc(nblocks, sizeof(bool));
		for (i = 0; i < nblocks; i++)
			mb->mapped[i] = !thin;
	}
	return mb;
}

static inline void mem_destroy(struct mem_bs *mb)
{
	free(mb->data);
	free(mb->mapped);
	free(mb);
}

static inline void mem_map(struct mem_bs *mb, uint64_t off, uint64_t len, bool mapped)
{
	uint64_t b;

	for (b = off / mb->dev.block_size; b < (off + len) / mb->dev.block_size; b++)
		mb->mapped[b] = mapped;
}

/* Does one request against memory; returns its result. */
static inline int mem_run(struct mem_bs *mb, struct bs_io *io)
{
	uint64_t done = 0;
	int i;

	mb->n[io->op]++;
	mb->last = *io;
	mb->last_iov_base = io->iovcnt ? io->iov[0].iov_base : NULL;
	if (mb->fail_next) {
		int err = mb->fail_next;

		mb->fail_next = 0;
		return err;
	}
	switch (io->op) {
	case BS_OP_READ:
	case BS_OP_WRITE:
		for (i = 0; i < io->iovcnt; i++) {
			uint8_t *p = mb->data + io->offset + done;

			if (io->op == BS_OP_READ)
				memcpy(io->iov[i].iov_base, p, io->iov[i].iov_len);
			else
				memcpy(p, io->iov[i].iov_base, io->iov[i].iov_len);
			done += io->iov[i].iov_len;
		}
		if (io->op == BS_OP_WRITE) {
			mem_map(mb, io->offset, io->len, true);
			if (io->fua)
				mb->nfua++;
		}
		return 0;
	case BS_OP_FLUSH:
		return 0;
	case BS_OP_UNMAP:
		memset(mb->data + io->offset, 0, io->len);
		mem_map(mb, io->offset, io->len, false);
		return 0;
	case BS_OP_WRITE_ZEROES:
		if (mb->no_write_zeroes)
			return -EOPNOTSUPP;
		memset(mb->data + io->offset, 0, io->len);
		mem_map(mb, io->offset, io->len, true);
		return 0;
	case BS_OP_WRITE_SAME:
		/* as an rbd image does it (dev.write_same set) */
		for (done = 0; done < io->len; done += io->iov[0].iov_len)
			memcpy(mb->data + io->offset + done, io->iov[0].iov_base,
			       io->iov[0].iov_len);
		mem_map(mb, io->offset, io->len, true);
		return 0;
	case BS_OP_COMPARE_WRITE: {
		/* as an rbd image does it: compare, and write only if equal (dev.caw_max set) */
		const uint8_t *cmp = io->iov[0].iov_base;
		uint64_t k;

		for (k = 0; k < io->len; k++)
			if (mb->data[io->offset + k] != cmp[k]) {
				io->miscompare = k;
				return -EILSEQ;
			}
		memcpy(mb->data + io->offset, cmp + io->len, io->len);
		mem_map(mb, io->offset, io->len, true);
		return 0;
	}
	}
	return -EINVAL;
}

/* Runs queued requests (and those their callbacks queue) until none is left; returns how many. */
static inline int mem_drain(struct mem_bs *mb)
{
	int n = 0;

	while (mb->head) {
		struct bs_io *io = mb->head;

		mb->head = io->next;
		if (!mb->head)
			mb->tail = &mb->head;
		io->result = mem_run(mb, io);
		io->cb(io);
		n++;
	}
	return n;
}

#endif

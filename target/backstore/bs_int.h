/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the backstore layer: the per-thread completion context, the
 * libaio engine, the worker pool and the helpers the store kinds share.
 */
#ifndef PORTICO_TARGET_BS_INT_H
#define PORTICO_TARGET_BS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "target/backstore/bs.h"

#define BS_COMPONENT "bs"

extern const struct bs_ops bs_file_ops;
extern const struct bs_ops bs_block_ops;
extern const struct bs_ops bs_lvm_ops;
extern const struct bs_ops bs_null_ops;
extern const struct bs_ops bs_rbd_ops;

/* The calling thread's context (set by bs_thread_init), or NULL. */
struct bs_thread *bs_thread_current(void);

/*
 * What the engine needs of a store backed by a file descriptor: the priv
 * of file and block devices starts with this.
 */
struct bs_fdstore {
	int fd;
	bool direct; /* opened O_DIRECT: READ/WRITE go through libaio */
	uint32_t mem_align; /* O_DIRECT alignment of buffers and lengths */
};

/*
 * Submits a READ or WRITE through the thread's libaio context to the fd of
 * io->dev->priv (a struct bs_fdstore, opened O_DIRECT). Misaligned iovecs
 * go through a bounce buffer; a FUA write is durable before completion
 * (RWF_DSYNC, or an fdatasync afterwards). Always accepts io: errors
 * complete it later. Called from ops->submit (io->thread set).
 */
void bs_aio_submit(struct bs_io *io);

/*
 * Runs work(io) on a worker thread; its return value becomes io->result and
 * io completes on the submitting thread's loop. Always accepts io. Called
 * from ops->submit (io->thread set).
 */
void bs_pool_submit(struct bs_io *io, int (*work)(struct bs_io *io));
/* The same, for an io the engine already counts as outstanding (pool.c). */
void bs_pool_queue(struct bs_io *io, int (*work)(struct bs_io *io));

/*
 * For a store whose library completes on threads of its own (rbd): io is
 * accepted (counted outstanding on its thread) before it goes to the
 * library; the library's thread then hands it back with
 * bs_thread_complete_remote(io->thread, io), result set, and the callback
 * runs on the submitting thread's loop.
 */
void bs_remote_begin(struct bs_io *io);

/* Called by aio.c for each io a worker finished: queues it for the loop. */
void bs_thread_complete_remote(struct bs_thread *t, struct bs_io *io);

/*
 * Synchronous helpers for pool work functions.
 * bs_sync_rw: preadv/pwritev of io at io->offset, looping over short
 * transfers; fua writes use RWF_DSYNC, or an fdatasync when the kernel or
 * filesystem refuses it. Returns 0 or -errno.
 */
int bs_sync_rw(int fd, struct bs_io *io, bool fua);
/* Writes len bytes of zeroes at offset (when no zeroing primitive exists). */
int bs_sync_write_zeroes(int fd, uint64_t offset, uint64_t len, uint32_t mem_align);

/*
 * From then on, FUA writes are plain writes followed by an fdatasync: what
 * the engine does once the kernel refuses RWF_DSYNC (aio: kernels before
 * 4.13; pwritev2: before 4.7). Tests call these to take that path.
 */
void bs_aio_disable_rwf_dsync(void);
void bs_sync_disable_rwf_dsync(void);

/*
 * For tests: replaces io_submit() (NULL restores it), so that a test can
 * make the kernel refuse (-EAGAIN) or shorten transfers. Not thread-safe:
 * set it before any I/O.
 */
struct io_context;
struct iocb;
void bs_aio_set_submit_hook(int (*fn)(struct io_context *ctx, long nr, struct iocb **iocbs));

/* Completes io with result on its thread, for the pool when it cannot run work. */
void bs_thread_fail_later(struct bs_io *io, int result);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The worker pool: a few threads for what libaio cannot do asynchronously
 * (buffered reads and writes, fdatasync, fallocate, discard). One queue for
 * the process, under a mutex; a worker runs the request's blocking work and
 * hands it back to the submitting thread (bs_thread_complete_remote), whose
 * loop runs the callback. The pool starts with the first request, and
 * bs_shutdown() stops it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"

/*
 * Enough to overlap a flush with buffered traffic on two cores; the pool
 * serves the slow paths, the fast path is libaio.
 */
#define BS_POOL_THREADS 4
#define BS_ZERO_CHUNK (1u << 20)

#ifndef RWF_DSYNC
#define RWF_DSYNC 0x00000002
#endif

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct bs_io *head;
	struct bs_io **tail;
	pthread_t threads[BS_POOL_THREADS];
	int nthreads;
	bool stopping;
} bs_pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.tail = &bs_pool.head,
};

/* Cleared when pwritev2() refuses RWF_DSYNC: FUA then means pwritev + fdatasync. */
static atomic_bool bs_sync_rwf_ok = true;

void bs_sync_disable_rwf_dsync(void)
{
	if (atomic_exchange(&bs_sync_rwf_ok, false))
		log_warn(
		    BS_COMPONENT,
		    "RWF_DSYNC is not available for pwritev2; FUA writes are followed by fdatasync");
}

static void *bs_pool_worker(void *arg)
{
	struct bs_io *io;

	(void)arg;
	pthread_mutex_lock(&bs_pool.lock);
	for (;;) {
		while (!bs_pool.head && !bs_pool.stopping)
			pthread_cond_wait(&bs_pool.cond, &bs_pool.lock);
		io = bs_pool.head;
		if (!io)
			break; /* stopping, and nothing left to do */
		bs_pool.head = io->next;
		if (!bs_pool.head)
			bs_pool.tail = &bs_pool.head;
		pthread_mutex_unlock(&bs_pool.lock);

		io->next = NULL;
		io->result = io->work(io);
		bs_thread_complete_remote(io->thread, io);

		pthread_mutex_lock(&bs_pool.lock);
	}
	pthread_mutex_unlock(&bs_pool.lock);
	return NULL;
}

/* Called with the lock held. */
static int bs_pool_start_locked(void)
{
	sigset_t all, old;
	int ret = 0;

	if (bs_pool.nthreads == BS_POOL_THREADS)
		return 0;
	/* Workers inherit a full mask: signals are for the daemon's own threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (bs_pool.nthreads < BS_POOL_THREADS) {
		ret =
		    pthread_create(&bs_pool.threads[bs_pool.nthreads], NULL, bs_pool_worker, NULL);
		if (ret) {
			/* Fewer workers are slower, not wrong; none is an error. */
			if (bs_pool.nthreads) {
				ret = 0;
				break;
			}
			log_err(BS_COMPONENT, "cannot start the I/O worker pool: %s",
				strerror(ret));
			ret = -ret;
			break;
		}
		bs_pool.nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

void bs_pool_queue(struct bs_io *io, int (*work)(struct bs_io *io))
{
	int ret;

	io->work = work;
	io->next = NULL;
	pthread_mutex_lock(&bs_pool.lock);
	ret = bs_pool_start_locked();
	if (ret) {
		pthread_mutex_unlock(&bs_pool.lock);
		bs_thread_fail_later(io, ret);
		return;
	}
	*bs_pool.tail = io;
	bs_pool.tail = &io->next;
	pthread_cond_signal(&bs_pool.cond);
	pthread_mutex_unlock(&bs_pool.lock);
}

void bs_shutdown(void)
{
	int i, n;

	pthread_mutex_lock(&bs_pool.lock);
	bs_pool.stopping = true;
	n = bs_pool.nthreads;
	pthread_cond_broadcast(&bs_pool.cond);
	pthread_mutex_unlock(&bs_pool.lock);

	/* Workers finish what is queued before they leave. */
	for (i = 0; i < n; i++)
		pthread_join(bs_pool.threads[i], NULL);

	pthread_mutex_lock(&bs_pool.lock);
	bs_pool.nthreads = 0;
	bs_pool.stopping = false;
	pthread_mutex_unlock(&bs_pool.lock);
}

int bs_sync_rw(int fd, struct bs_io *io, bool fua)
{
	bool dsync = fua && io->op == BS_OP_WRITE && atomic_load(&bs_sync_rwf_ok);
	bool sync_after = fua && io->op == BS_OP_WRITE && !dsync;
	uint64_t off = io->offset, left = io->len;
	struct iovec *v, *cur;
	int cnt = io->iovcnt;
	ssize_t r;
	int ret = 0;

	if (!left)
		goto out_sync;
	/* A private copy: short transfers advance it, the caller's iovecs stay as they were. */
	v = malloc(sizeof(*v) * (size_t)cnt);
	if (!v)
		return -ENOMEM;
	memcpy(v, io->iov, sizeof(*v) * (size_t)cnt);
	cur = v;
	while (left) {
		int n = MIN(cnt, IOV_MAX);

		if (io->op == BS_OP_READ)
			r = preadv2(fd, cur, n, (off_t)off, 0);
		else
			r = pwritev2(fd, cur, n, (off_t)off, dsync ? RWF_DSYNC : 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (dsync && errno == EOPNOTSUPP) {
				bs_sync_disable_rwf_dsync();
				dsync = false;
				sync_after = true;
				continue;
			}
			ret = -errno;
			goto out_free;
		}
		if (r == 0) {
			/* The file ends before the device does: someone truncated it. */
			ret = -EIO;
			goto out_free;
		}
		left -= (uint64_t)r;
		off += (uint64_t)r;
		while (cnt && (size_t)r >= cur->iov_len) {
			r -= (ssize_t)cur->iov_len;
			cur++;
			cnt--;
		}
		if (cnt) {
			cur->iov_base = (char *)cur->iov_base + r;
			cur->iov_len -= (size_t)r;
		}
	}
out_free:
	free(v);
	if (ret)
		return ret;
out_sync:
	if (sync_after && fdatasync(fd))
		return -errno;
	return 0;
}

int bs_sync_write_zeroes(int fd, uint64_t offset, uint64_t len, uint32_t mem_align)
{
	void *zero;
	ssize_t r;
	int ret = 0;

	if (posix_memalign(&zero, MAX(mem_align, 4096u), BS_ZERO_CHUNK))
		return -ENOMEM;
	memset(zero, 0, BS_ZERO_CHUNK);
	while (len) {
		size_t n = (size_t)MIN(len, (uint64_t)BS_ZERO_CHUNK);

		r = pwrite(fd, zero, n, (off_t)offset);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (r == 0) {
			ret = -EIO;
			break;
		}
		offset += (uint64_t)r;
		len -= (uint64_t)r;
	}
	free(zero);
	return ret;
}

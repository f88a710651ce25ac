/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The persistent reservation store (pr_store.h): files under
 * "<state_dir>/pr/", one writer thread.
 *
 * Why a thread: a save is an fsync of a file and of its directory, tens of
 * milliseconds on a busy disk. Done on the I/O thread it would stall every
 * session of that thread; the backstore worker pool would run two saves of
 * one LU in either order. One thread with one queue keeps the order and
 * costs nothing while nobody uses APTPL (it starts with the first save).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/log.h"
#include "common/state_file.h"
#include "target/model/pr_store.h"
#include "target/scsi/pr.h"

#define COMP "pr"
#define PR_STORE_SUBDIR "pr"
/* ev_post fails only without memory: retry this often, and say so once. */
#define PR_STORE_POST_RETRY_US 10000

/* What an LU's save callback needs: where its file is. */
struct pr_store_lu {
	char *state_dir;
	char *serial;
};

/* One queued write. */
struct pr_store_job {
	struct pr_store_job *next;
	char *state_dir;
	char *serial;
	uint8_t *blob; /* NULL: remove the file */
	size_t len;
	void (*done)(void *ctx, int err);
	void *ctx;
	struct ev_loop *loop;
	int err;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pr_store_job *head;
	struct pr_store_job **tail;
	pthread_t tid;
	bool running;
	bool stopping;
} prs = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER,
    .tail = &prs.head,
};

/* The file of serial (common/state_file.h makes any serial a name inside the directory). */
static int pr_store_path(const char *state_dir, const char *serial, char *buf, size_t len)
{
	char name[3 * 64 + 1];
	int ret;

	if (strlen(serial) > 64)
		return -EINVAL;
	ret = state_file_name(serial, name, sizeof(name));
	if (ret)
		return ret;
	ret = snprintf(buf, len, "%s/%s/%s", state_dir, PR_STORE_SUBDIR, name);
	if (ret < 0 || (size_t)ret >= len)
		return -ENAMETOOLONG;
	return 0;
}

int pr_store_write_file(const char *state_dir, const char *serial, const uint8_t *blob, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int ret = pr_store_path(state_dir, serial, path, sizeof(path));

	if (ret)
		return ret;
	if (snprintf(dir, sizeof(dir), "%s/%s", state_dir, PR_STORE_SUBDIR) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (!len) {
		if (unlink(path))
			return errno == ENOENT ? 0 : -errno;
		return state_fsync_dir(dir);
	}
	ret = state_mkdirs(dir, 0700);
	return ret ? ret : state_file_replace(path, blob, len, 0600);
}

int pr_store_read_file(const char *state_dir, const char *serial, uint8_t **blob, size_t *len)
{
	char path[PATH_MAX];
	uint8_t *p = NULL;
	size_t n = 0;
	struct stat st;
	int fd, ret;

	*blob = NULL;
	*len = 0;
	ret = pr_store_path(state_dir, serial, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out_close;
	}
	if (st.st_size > (off_t)PR_BLOB_MAX) {
		ret = -EFBIG;
		goto out_close;
	}
	/* one byte more than the size says, to see a file that grew meanwhile */
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t r = read(fd, p + n, (size_t)st.st_size + 1 - n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out_free;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)st.st_size) {
			ret = -EFBIG;
			goto out_free;
		}
	}
	*blob = p;
	*len = n;
	close(fd);
	return 0;

out_free:
	free(p);
out_close:
	close(fd);
	return ret;
}

/* The writer thread. */

static void pr_store_job_free(struct pr_store_job *job)
{
	free(job->state_dir);
	free(job->serial);
	free(job->blob);
	free(job);
}

/* On the loop that asked: the command completes. */
static void pr_store_job_done(void *arg)
{
	struct pr_store_job *job = arg;

	job->done(job->ctx, job->err);
	pr_store_job_free(job);
}

static void *pr_store_writer(void *arg)
{
	bool warned = false;

	(void)arg;
	pthread_mutex_lock(&prs.lock);
	for (;;) {
		struct pr_store_job *job;

		while (!prs.head && !prs.stopping)
			pthread_cond_wait(&prs.cond, &prs.lock);
		job = prs.head;
		if (!job)
			break; /* stopping, and nothing left */
		prs.head = job->next;
		if (!prs.head)
			prs.tail = &prs.head;
		pthread_mutex_unlock(&prs.lock);

		job->err = pr_store_write_file(job->state_dir, job->serial, job->blob, job->len);
		if (job->err)
			log_err(
			    COMP,
			    "lu '%s': cannot %s its persistent reservation state in '%s/%s': %s",
			    job->serial, job->len ? "save" : "remove", job->state_dir,
			    PR_STORE_SUBDIR, strerror(-job->err));
		/* the completion must run on the I/O thread of the command */
		while (ev_post(job->loop, pr_store_job_done, job)) {
			if (!warned)
				log_err(COMP, "out of memory posting a completion; retrying");
			warned = true;
			usleep(PR_STORE_POST_RETRY_US);
		}

		pthread_mutex_lock(&prs.lock);
	}
	pthread_mutex_unlock(&prs.lock);
	return NULL;
}

/* Called with prs.lock held. */
static int pr_store_start_locked(void)
{
	sigset_t all, old;
	int ret;

	if (prs.running)
		return 0;
	/* signals are for the daemon's own threads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&prs.tid, NULL, pr_store_writer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	prs.running = true;
	prs.stopping = false;
	return 0;
}

void pr_store_shutdown(void)
{
	pthread_mutex_lock(&prs.lock);
	if (!prs.running) {
		pthread_mutex_unlock(&prs.lock);
		return;
	}
	prs.stopping = true;
	pthread_cond_signal(&prs.cond);
	pthread_mutex_unlock(&prs.lock);
	pthread_join(prs.tid, NULL);
	pthread_mutex_lock(&prs.lock);
	prs.running = false;
	prs.stopping = false;
	pthread_mutex_unlock(&prs.lock);
}

static char *pr_store_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* struct pr_save_ops.save: queues the write; never blocks on the disk. */
static int pr_store_save(void *arg, const uint8_t *blob, size_t len,
			 void (*done)(void *ctx, int err), void *ctx)
{
	struct pr_store_lu *st = arg;
	struct ev_loop *loop = ev_current();
	struct pr_store_job *job;
	int ret;

	/* the completion goes to the caller's loop: without one there is nowhere to send it */
	if (!loop)
		return -EINVAL;
	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	job->state_dir = pr_store_strdup(st->state_dir);
	job->serial = pr_store_strdup(st->serial);
	if (len) {
		job->blob = malloc(len);
		if (job->blob)
			memcpy(job->blob, blob, len);
	}
	if (!job->state_dir || !job->serial || (len && !job->blob)) {
		pr_store_job_free(job);
		return -ENOMEM;
	}
	job->len = len;
	job->done = done;
	job->ctx = ctx;
	job->loop = loop;

	pthread_mutex_lock(&prs.lock);
	ret = pr_store_start_locked();
	if (ret) {
		pthread_mutex_unlock(&prs.lock);
		pr_store_job_free(job);
		return ret;
	}
	*prs.tail = job;
	prs.tail = &job->next;
	pthread_cond_signal(&prs.cond);
	pthread_mutex_unlock(&prs.lock);
	return 0;
}

static void pr_store_release(void *arg)
{
	struct pr_store_lu *st = arg;

	free(st->state_dir);
	free(st->serial);
	free(st);
}

static const struct pr_save_ops pr_store_ops = {
    .save = pr_store_save,
    .release = pr_store_release,
};

int pr_store_attach(struct scsi_lu *lu, const char *state_dir, const char *serial)
{
	struct pr_store_lu *st;
	uint8_t *blob = NULL;
	size_t len = 0;
	int ret;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->state_dir = strdup(state_dir);
	st->serial = strdup(serial);
	if (!st->state_dir || !st->serial) {
		pr_store_release(st);
		return -ENOMEM;
	}
	ret = pr_store_read_file(state_dir, serial, &blob, &len);
	if (ret == -ENOMEM) {
		pr_store_release(st);
		return ret;
	}
	if (!ret) {
		ret = pr_lu_restore(lu, blob, len);
		if (ret == -ENOMEM) {
			free(blob);
			pr_store_release(st);
			return ret;
		}
		if (ret < 0)
			log_err(COMP,
				"lu '%s': persistent reservation state in '%s/%s' is not valid "
				"(%s): ignored",
				serial, state_dir, PR_STORE_SUBDIR, strerror(-ret));
		else if (ret > 0)
			log_info(COMP, "lu '%s': %d persistent reservation registration%s restored",
				 serial, ret, ret == 1 ? "" : "s");
		free(blob);
	} else if (ret != -ENOENT) {
		log_err(
		    COMP,
		    "lu '%s': cannot read its persistent reservation state in '%s/%s': %s; ignored",
		    serial, state_dir, PR_STORE_SUBDIR, strerror(-ret));
	}
	pr_lu_set_save(lu, &pr_store_ops, st);
	return 0;
}

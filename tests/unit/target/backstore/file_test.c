/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file store through bs_open/bs_submit on a real loop: sizes, O_DIRECT
 * through libaio and the buffered fallback through the worker pool, FUA and
 * FLUSH, holes, resize, errors, and completions that arrive once, on the
 * submitting thread, never inside submit.
 *
 * Files live in a mkdtemp directory under /tmp (and one under /dev/shm),
 * made and removed by unchecked fixtures: those run in the parent process,
 * so the directory goes away even when a test fails.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ev.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/backstore/bs_int.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/backstore/bs_test_util.h"

#define MiB (1024ull * 1024)

static char t_dir[256];
static char t_shm_dir[256];

static void dir_setup(void)
{
	snprintf(t_dir, sizeof(t_dir), "/tmp/portico-bs-file.XXXXXX");
	if (!mkdtemp(t_dir))
		t_dir[0] = '\0';
}

static void dir_teardown(void)
{
	t_rmtree(t_dir);
	t_dir[0] = '\0';
}

static void shm_setup(void)
{
	snprintf(t_shm_dir, sizeof(t_shm_dir), "/dev/shm/portico-bs-file.XXXXXX");
	if (!mkdtemp(t_shm_dir))
		t_shm_dir[0] = '\0';
}

static void shm_teardown(void)
{
	t_rmtree(t_shm_dir);
	t_shm_dir[0] = '\0';
}

static const char *t_path(const char *dir, const char *name)
{
	static char path[512];

	ck_assert_msg(dir[0], "no temporary directory");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static struct bs_dev *t_open(const struct bs_params *p)
{
	struct bs_dev *dev = NULL;
	char err[512];
	int ret;

	ret = bs_open("file", p, &dev, err, sizeof(err));
	ck_assert_msg(ret == 0, "open '%s': %d %s", p->path, ret, err);
	return dev;
}

static void t_make_file(const char *path, off_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	close(fd);
}

static struct stat t_stat(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st;
}

/* Writes a pattern at off and reads it back into a different buffer. */
static void t_round_trip(struct bs_dev *dev, uint64_t off, size_t len, unsigned int seed, bool fua)
{
	char *w = t_alloc(len), *r = t_alloc(len);

	t_fill(w, len, seed);
	memset(r, 0x5a, len);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, off, w, len, fua), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, off, r, len, false), 0);
	ck_assert_msg(!memcmp(w, r, len), "data at %llu (+%zu) differs", (unsigned long long)off,
		      len);
	free(w);
	free(r);
}

static bool t_expect_zero(struct bs_dev *dev, uint64_t off, size_t len)
{
	char *r = t_alloc(len);
	bool zero;

	memset(r, 0x5a, len);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, off, r, len, false), 0);
	zero = t_is_zero(r, len);
	free(r);
	return zero;
}

START_TEST(test_missing_without_size)
{
	struct bs_params p = { .name = "lu", .path = t_path(t_dir, "missing.img") };
	struct bs_dev *dev = NULL;
	char err[512], want[600];

	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(dev);
	snprintf(want, sizeof(want), "file '%s' does not exist; give a size to create it", p.path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(access(p.path, F_OK), -1);

	/* Read-only cannot create either, size or not. */
	p.readonly = true;
	p.size = MiB;
	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "read-only"), "err: %s", err);
	ck_assert_int_eq(access(p.path, F_OK), -1);

	/* A directory that does not exist: the reason says so. */
	p.readonly = false;
	p.path = t_path(t_dir, "nodir/x.img");
	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "cannot create") && strstr(err, "No such file"), "err: %s", err);
}
END_TEST

START_TEST(test_not_a_regular_file)
{
	struct bs_params p = { .name = "lu", .path = t_dir, .size = MiB };
	struct bs_dev *dev = NULL;
	char err[512], want[600];

	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "'%s' is not a regular file", t_dir);
	ck_assert_str_eq(err, want);
	p.path = "/dev/null";
	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'/dev/null' is not a regular file");
	p.path = NULL;
	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "needs a path"), "err: %s", err);
	ck_assert_ptr_null(dev);
}
END_TEST

START_TEST(test_create_thin)
{
	struct bs_params p = {
		.name = "lu", .path = t_path(t_dir, "thin.img"), .size = 16 * MiB, .thin = true
	};
	struct bs_dev *dev = t_open(&p);
	bool mapped = true;
	uint64_t len = 0;
	struct stat st = t_stat(p.path);

	ck_assert_uint_eq(dev->size, 16 * MiB);
	ck_assert_uint_eq(dev->block_size, 512);
	ck_assert(dev->thin);
	ck_assert(dev->unmap_zeroes);
	ck_assert(!dev->write_back);
	ck_assert_int_eq(st.st_size, 16 * MiB);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_lt(st.st_blocks * 512, MiB); /* sparse */
	ck_assert_int_eq(dev->ops->lba_status(dev, 0, &mapped, &len), 0);
	ck_assert(!mapped);
	ck_assert_uint_eq(len, 16 * MiB);
	ck_assert_int_eq(dev->ops->lba_status(dev, 16 * MiB, &mapped, &len), -ERANGE);
	bs_close(dev);
}
END_TEST

START_TEST(test_create_thick)
{
	struct bs_params p = { .name = "lu",
			       .path = t_path(t_dir, "thick.img"),
			       .size = 16 * MiB,
			       .block_size = 4096 };
	struct bs_dev *dev = t_open(&p);
	struct stat st = t_stat(p.path);

	ck_assert_uint_eq(dev->size, 16 * MiB);
	ck_assert_uint_eq(dev->block_size, 4096);
	ck_assert(!dev->thin);
	ck_assert_int_ge(st.st_blocks * 512, 16 * MiB); /* every block allocated */
	/* A thick store does not deallocate: no callback, an error at once. */
	ck_assert_int_eq(t_do(dev, BS_OP_UNMAP, 0, NULL, 4096, false), -EOPNOTSUPP);
	/* 4096-byte blocks: 512-byte requests are not whole blocks. */
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	t_round_trip(dev, 8192, 4096, 3, false);
	bs_close(dev);
}
END_TEST

START_TEST(test_size_rules)
{
	struct bs_params p = { .name = "lu", .path = t_path(t_dir, "sizes.img") };
	struct bs_dev *dev = NULL;
	char err[512];
	struct stat st;

	t_make_file(p.path, 8 * MiB);

	/* No size: the file's own. */
	dev = t_open(&p);
	ck_assert_uint_eq(dev->size, 8 * MiB);
	bs_close(dev);

	/* A larger file than configured is served whole, and left as it is. */
	p.size = 4 * MiB;
	dev = t_open(&p);
	ck_assert_uint_eq(dev->size, 8 * MiB);
	bs_close(dev);
	ck_assert_int_eq(t_stat(p.path).st_size, 8 * MiB);

	/* A smaller one is extended. */
	p.size = 12 * MiB;
	p.thin = true;
	dev = t_open(&p);
	ck_assert_uint_eq(dev->size, 12 * MiB);
	bs_close(dev);
	ck_assert_int_eq(t_stat(p.path).st_size, 12 * MiB);

	/* A configured size off the block size is refused, the file untouched. */
	p.size = 16 * MiB + 100;
	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not a multiple of the 512-byte block size"), "err: %s", err);
	ck_assert_int_eq(t_stat(p.path).st_size, 12 * MiB);

	/* A file whose own size is off the block size: served rounded down, tail untouched. */
	t_make_file(p.path, 8 * MiB + 100);
	p.size = 0;
	dev = t_open(&p);
	ck_assert_uint_eq(dev->size, 8 * MiB);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 8 * MiB, NULL, 0, false), 0);
	bs_close(dev);
	st = t_stat(p.path);
	ck_assert_int_eq(st.st_size, 8 * MiB + 100);

	/* Empty, and no size to extend it to. */
	t_make_file(p.path, 100);
	ck_assert_int_eq(bs_open("file", &p, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "is empty; give a size"), "err: %s", err);
	ck_assert_int_eq(t_stat(p.path).st_size, 100);
}
END_TEST

/* Writes len bytes of a pattern seeded by seed to a new file at path. */
static void t_write_file(const char *path, size_t len, unsigned int seed)
{
	char *buf = malloc(len);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_ge(fd, 0);
	t_fill(buf, len, seed);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
}

/* Whether the file at path holds exactly len bytes of the pattern seed. */
static bool t_file_is(const char *path, size_t len, unsigned int seed)
{
	char *want = malloc(len + 1), *got = malloc(len + 1);
	int fd = open(path, O_RDONLY);
	bool same;

	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_int_ge(fd, 0);
	t_fill(want, len, seed);
	/* one byte more than expected: a file that grew is not the same */
	same = read(fd, got, len + 1) == (ssize_t)len && !memcmp(want, got, len);
	close(fd);
	free(want);
	free(got);
	return same;
}

/*
 * A file handed to us is never changed by opening it: every length from 1
 * to 4097 bytes, thin (where the UNMAP probe punches) and thick, 512- and
 * 4096-byte blocks. A file shorter than a block is refused; a longer one is
 * served rounded down, and its tail keeps every byte (the probe once punched
 * the block after the served end, zeroing the tail).
 */
START_TEST(test_open_leaves_file_as_it_was)
{
	static const uint32_t block_sizes[] = { 512, 4096 };
	struct bs_params p = { .name = "lu", .path = t_path(t_dir, "given.txt") };
	struct bs_dev *dev;
	char err[512];
	size_t len, i;
	int thin, ret;

	for (len = 1; len <= 4097; len++) {
		t_write_file(p.path, len, (unsigned int)len);
		for (thin = 0; thin < 2; thin++) {
			for (i = 0; i < ARRAY_SIZE(block_sizes); i++) {
				p.thin = thin;
				p.block_size = block_sizes[i];
				dev = NULL;
				ret = bs_open("file", &p, &dev, err, sizeof(err));
				if (len < p.block_size) {
					ck_assert_msg(ret == -EINVAL, "%zu bytes, %u: %d", len,
						      p.block_size, ret);
				} else {
					ck_assert_msg(ret == 0, "%zu bytes, %u: %s", len,
						      p.block_size, err);
					ck_assert_uint_eq(dev->size, len - len % p.block_size);
					bs_close(dev);
				}
				ck_assert_msg(t_file_is(p.path, len, (unsigned int)len),
					      "a %zu-byte file changed at open (thin %d, %u-byte blocks)",
					      len, thin, p.block_size);
			}
		}
	}
}
END_TEST

/*
 * The same with the file open in another process, which keeps reading it
 * while we open and close it, and a resize to the size already served:
 * nothing to change, so the tail stays.
 */
START_TEST(test_open_beside_another_process)
{
	struct bs_params p = { .name = "lu", .path = t_path(t_dir, "shared.txt"), .thin = true };
	struct bs_dev *dev;
	int status, i;
	pid_t pid;

	t_write_file(p.path, 691, 7);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* holds the file open; exits 1 if it ever sees other bytes */
		for (i = 0; i < 200; i++) {
			if (!t_file_is(p.path, 691, 7))
				_exit(1);
			usleep(1000);
		}
		_exit(0);
	}
	for (i = 0; i < 20; i++) {
		dev = t_open(&p);
		ck_assert_uint_eq(dev->size, 512);
		ck_assert_int_eq(dev->ops->resize(dev, 512), 0);
		bs_close(dev);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the other process saw the file change");
	ck_assert(t_file_is(p.path, 691, 7));
}
END_TEST

START_TEST(test_round_trips_direct)
{
	static const struct {
		uint64_t off;
		size_t len;
	} cases[] = {
		{ 0, 512 },
		{ 512, 4096 },
		{ 4096, 65536 },
		{ MiB + 512, MiB },
		{ 3 * MiB, 131072 },
		{ 16 * MiB - 65536, 65536 },
		{ 16 * MiB - 512, 512 },
	};
	struct bs_params p = { .name = "lu",
			       .path = t_path(t_dir, "rw.img"),
			       .size = 16 * MiB,
			       .thin = true,
			       .write_back = true };
	struct bs_dev *dev = t_open(&p);
	long flags = t_fd_flags(p.path);
	size_t i;

	/* ext4 and xfs under /tmp take O_DIRECT: this runs through libaio. */
	ck_assert_int_ge(flags, 0);
	ck_assert_msg(flags & O_DIRECT, "fd flags 0%lo", flags);
	ck_assert_msg(!(flags & O_DSYNC), "write-back store opened O_DSYNC");
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		t_round_trip(dev, cases[i].off, cases[i].len, (unsigned int)i + 1, false);
	/* Earlier writes are still there after the later ones. */
	{
		char *r = t_alloc(512), *w = t_alloc(512);

		t_fill(w, 512, 1);
		ck_assert_int_eq(t_do(dev, BS_OP_READ, 0, r, 512, false), 0);
		ck_assert(!memcmp(r, w, 512));
		free(r);
		free(w);
	}
	bs_close(dev);
}
END_TEST

/* Scattered, misaligned caller buffers go through a bounce buffer on O_DIRECT. */
START_TEST(test_iovecs_and_misaligned_buffers)
{
	struct bs_params p = {
		.name = "lu", .path = t_path(t_dir, "iov.img"), .size = 4 * MiB, .thin = true
	};
	struct bs_dev *dev = t_open(&p);
	char *w = t_alloc(3 * 4096 + 64), *r = t_alloc(3 * 4096 + 64);
	struct t_io t;
	int done = 0;

	ck_assert(t_fd_flags(p.path) & O_DIRECT);
	t_fill(w, 3 * 4096 + 64, 9);
	memset(&t, 0, sizeof(t));
	/* three pieces at odd addresses and lengths, 8192 bytes in all */
	t.iov[0].iov_base = w + 1;
	t.iov[0].iov_len = 1000;
	t.iov[1].iov_base = w + 2000;
	t.iov[1].iov_len = 5000;
	t.iov[2].iov_base = w + 9000;
	t.iov[2].iov_len = 2192;
	t.io.iov = t.iov;
	t.io.iovcnt = 3;
	t.io.op = BS_OP_WRITE;
	t.io.offset = 1024;
	t.io.len = 8192;
	t.counter = &done;
	ck_assert_int_eq(t_submit(dev, &t), 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
	ck_assert_int_eq(t.io.result, 0);

	/* Read it back into one misaligned buffer, and compare piece by piece. */
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 1024, r + 3, 8192, false), 0);
	ck_assert(!memcmp(r + 3, w + 1, 1000));
	ck_assert(!memcmp(r + 3 + 1000, w + 2000, 5000));
	ck_assert(!memcmp(r + 3 + 6000, w + 9000, 2192));

	/* And scattered reads from an aligned write. */
	t_fill(w, 8192, 10);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 0, w, 8192, false), 0);
	memset(&t, 0, sizeof(t));
	t.iov[0].iov_base = r + 4096;
	t.iov[0].iov_len = 4096;
	t.iov[1].iov_base = r;
	t.iov[1].iov_len = 4096;
	t.io.iov = t.iov;
	t.io.iovcnt = 2;
	t.io.op = BS_OP_READ;
	t.io.len = 8192;
	done = 0;
	t.counter = &done;
	ck_assert_int_eq(t_submit(dev, &t), 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
	ck_assert_int_eq(t.io.result, 0);
	ck_assert(!memcmp(r + 4096, w, 4096));
	ck_assert(!memcmp(r, w + 4096, 4096));
	bs_close(dev);
	free(w);
	free(r);
}
END_TEST

START_TEST(test_fua_flush_and_write_through)
{
	struct bs_params p = { .name = "lu",
			       .path = t_path(t_dir, "fua.img"),
			       .size = 4 * MiB,
			       .thin = true,
			       .write_back = true };
	struct bs_dev *dev = t_open(&p);
	long flags;

	ck_assert(dev->write_back);
	t_round_trip(dev, 4096, 8192, 21, true);
	t_round_trip(dev, 0, 512, 22, true);
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	bs_close(dev);

	/* Write-through: the kernel makes every write durable (O_DSYNC). */
	p.write_back = false;
	dev = t_open(&p);
	flags = t_fd_flags(p.path);
	ck_assert_msg(flags >= 0 && (flags & O_DSYNC), "fd flags 0%lo", flags);
	ck_assert(!dev->write_back);
	t_round_trip(dev, 8192, 4096, 23, false);
	t_round_trip(dev, 12288, 4096, 24, true);
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	bs_close(dev);

	/* The data is in the file, at the offsets written. */
	{
		char *w = t_alloc(4096), *r = t_alloc(4096);
		int fd = open(p.path, O_RDONLY);

		ck_assert_int_ge(fd, 0);
		t_fill(w, 4096, 24);
		ck_assert_int_eq(pread(fd, r, 4096, 12288), 4096);
		ck_assert(!memcmp(w, r, 4096));
		close(fd);
		free(w);
		free(r);
	}
}
END_TEST

/*
 * A kernel without RWF_DSYNC: FUA writes become a write and then an
 * fdatasync in the pool, and still complete once, on this thread, in order
 * with their data.
 */
START_TEST(test_fua_without_rwf_dsync)
{
	enum { N = 64 };
	struct bs_params p = { .name = "lu",
			       .path = t_path(t_dir, "fua-old.img"),
			       .size = 4 * MiB,
			       .thin = true,
			       .write_back = true };
	struct t_io *ts = calloc(N, sizeof(*ts));
	char *data = t_alloc((size_t)N * 4096), *back = t_alloc((size_t)N * 4096);
	int done, i, k;

	bs_aio_disable_rwf_dsync();
	bs_sync_disable_rwf_dsync();
	for (k = 0; k < 2; k++) {
		struct bs_dev *dev;

		p.buffered = k == 1;
		dev = t_open(&p);
		ck_assert_int_eq(!!(t_fd_flags(p.path) & O_DIRECT), !p.buffered);
		t_fill(data, (size_t)N * 4096, 100u + (unsigned int)k);
		memset(ts, 0, N * sizeof(*ts));
		done = 0;
		for (i = 0; i < N; i++) {
			ts[i].iov[0].iov_base = data + (size_t)i * 4096;
			ts[i].iov[0].iov_len = 4096;
			ts[i].io.iov = ts[i].iov;
			ts[i].io.iovcnt = 1;
			ts[i].io.op = BS_OP_WRITE;
			ts[i].io.offset = (uint64_t)i * 4096;
			ts[i].io.len = 4096;
			ts[i].io.fua = true;
			ts[i].counter = &done;
			ck_assert_int_eq(t_submit(dev, &ts[i]), 0);
		}
		ck_assert_int_eq(t_run_until(t_loop, &done, N), N);
		for (i = 0; i < N; i++) {
			ck_assert_int_eq(ts[i].ncb, 1);
			ck_assert_int_eq(ts[i].io.result, 0);
			ck_assert(pthread_equal(ts[i].cb_thread, pthread_self()));
		}
		ck_assert_int_eq(t_do(dev, BS_OP_READ, 0, back, (size_t)N * 4096, false), 0);
		ck_assert(!memcmp(data, back, (size_t)N * 4096));
		bs_close(dev);
	}
	ck_assert_int_eq(t_cb_inside_submit, 0);
	free(ts);
	free(data);
	free(back);
}
END_TEST

START_TEST(test_unmap_and_lba_status)
{
	struct bs_params p = { .name = "lu",
			       .path = t_path(t_dir, "unmap.img"),
			       .size = 16 * MiB,
			       .thin = true,
			       .write_back = true };
	struct bs_dev *dev = t_open(&p);
	char *w = t_alloc(MiB);
	bool mapped;
	uint64_t len;

	t_fill(w, MiB, 31);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 2 * MiB, w, MiB, false), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);

	ck_assert_int_eq(dev->ops->lba_status(dev, 0, &mapped, &len), 0);
	ck_assert(!mapped);
	ck_assert_uint_eq(len, 2 * MiB);
	ck_assert_int_eq(dev->ops->lba_status(dev, 2 * MiB, &mapped, &len), 0);
	ck_assert(mapped);
	ck_assert_uint_eq(len, MiB);
	ck_assert_int_eq(dev->ops->lba_status(dev, 3 * MiB, &mapped, &len), 0);
	ck_assert(!mapped);
	ck_assert_uint_eq(len, 13 * MiB);

	/* Deallocate the middle half of what was written. */
	ck_assert_int_eq(t_do(dev, BS_OP_UNMAP, 2 * MiB + 256 * 1024, NULL, 512 * 1024, false), 0);
	ck_assert(t_expect_zero(dev, 2 * MiB + 256 * 1024, 512 * 1024));
	{
		char *r = t_alloc(256 * 1024);

		ck_assert_int_eq(t_do(dev, BS_OP_READ, 2 * MiB, r, 256 * 1024, false), 0);
		ck_assert(!memcmp(r, w, 256 * 1024));
		ck_assert_int_eq(t_do(dev, BS_OP_READ, 2 * MiB + 768 * 1024, r, 256 * 1024, false),
				 0);
		ck_assert(!memcmp(r, w + 768 * 1024, 256 * 1024));
		free(r);
	}
	ck_assert_int_eq(dev->ops->lba_status(dev, 2 * MiB, &mapped, &len), 0);
	ck_assert(mapped);
	ck_assert_uint_eq(len, 256 * 1024);
	ck_assert_int_eq(dev->ops->lba_status(dev, 2 * MiB + 256 * 1024, &mapped, &len), 0);
	ck_assert(!mapped);
	ck_assert_uint_eq(len, 512 * 1024);
	ck_assert_int_eq(dev->ops->lba_status(dev, 2 * MiB + 768 * 1024, &mapped, &len), 0);
	ck_assert(mapped);
	ck_assert_uint_eq(len, 256 * 1024);
	/* A run that starts inside a hole ends where the hole does. */
	ck_assert_int_eq(dev->ops->lba_status(dev, 2 * MiB + 512 * 1024, &mapped, &len), 0);
	ck_assert(!mapped);
	ck_assert_uint_eq(len, 256 * 1024);
	bs_close(dev);
	free(w);
}
END_TEST

START_TEST(test_write_zeroes)
{
	struct bs_params p = { .name = "lu", .path = t_path(t_dir, "wz.img"), .size = 8 * MiB };
	struct bs_dev *dev = t_open(&p);
	char *w = t_alloc(MiB), *r = t_alloc(MiB);
	blkcnt_t before;

	t_fill(w, MiB, 41);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, MiB, w, MiB, false), 0);
	before = t_stat(p.path).st_blocks;
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE_ZEROES, MiB + 4096, NULL, 512 * 1024, false), 0);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, MiB, r, MiB, false), 0);
	ck_assert(!memcmp(r, w, 4096));
	ck_assert(t_is_zero(r + 4096, 512 * 1024));
	ck_assert(!memcmp(r + 4096 + 512 * 1024, w + 4096 + 512 * 1024, MiB - 4096 - 512 * 1024));
	/* The range stays allocated: a thick store keeps its space. */
	ck_assert_int_ge(t_stat(p.path).st_blocks, before);
	bs_close(dev);
	free(w);
	free(r);
}
END_TEST

START_TEST(test_resize)
{
	struct bs_params p = {
		.name = "lu", .path = t_path(t_dir, "resize.img"), .size = 16 * MiB, .thin = true
	};
	struct bs_dev *dev = t_open(&p);
	char *buf = t_alloc(4096);
	int fd;

	t_round_trip(dev, 16 * MiB - 4096, 4096, 51, false);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 16 * MiB, buf, 4096, false), -ERANGE);

	/* Grow: sparse, as configured; the new space reads as zeroes. */
	ck_assert_int_eq(dev->ops->resize(dev, 32 * MiB), 0);
	ck_assert_uint_eq(dev->size, 32 * MiB);
	ck_assert_int_eq(t_stat(p.path).st_size, 32 * MiB);
	ck_assert_int_lt(t_stat(p.path).st_blocks * 512, MiB);
	ck_assert(t_expect_zero(dev, 32 * MiB - 4096, 4096));
	t_round_trip(dev, 32 * MiB - 4096, 4096, 52, false);

	/* Shrink, only because we ask. */
	ck_assert_int_eq(dev->ops->resize(dev, 8 * MiB), 0);
	ck_assert_uint_eq(dev->size, 8 * MiB);
	ck_assert_int_eq(t_stat(p.path).st_size, 8 * MiB);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 8 * MiB, buf, 4096, false), -ERANGE);

	ck_assert_int_eq(dev->ops->resize(dev, 8 * MiB + 100), -EINVAL);
	ck_assert_uint_eq(dev->size, 8 * MiB);

	/* 0: take in a size someone else gave the file. */
	fd = open(p.path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 12 * MiB + 100), 0);
	close(fd);
	ck_assert_int_eq(dev->ops->resize(dev, 0), 0);
	ck_assert_uint_eq(dev->size, 12 * MiB);
	bs_close(dev);

	/* A thick store grows allocated. */
	p.path = t_path(t_dir, "resize-thick.img");
	p.thin = false;
	p.size = 4 * MiB;
	dev = t_open(&p);
	ck_assert_int_eq(dev->ops->resize(dev, 12 * MiB), 0);
	ck_assert_int_ge(t_stat(p.path).st_blocks * 512, 12 * MiB);
	bs_close(dev);
	free(buf);
}
END_TEST

START_TEST(test_readonly)
{
	struct bs_params p = { .name = "lu", .path = t_path(t_dir, "ro.img"), .readonly = true };
	struct bs_dev *dev;
	char *buf = t_alloc(4096);

	t_make_file(p.path, 4 * MiB);
	dev = t_open(&p);
	ck_assert(dev->readonly);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE, 0, buf, 4096, false), -EROFS);
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE_ZEROES, 0, NULL, 4096, false), -EROFS);
	ck_assert_int_eq(t_do(dev, BS_OP_UNMAP, 0, NULL, 4096, false), -EROFS);
	memset(buf, 0x77, 4096);
	ck_assert_int_eq(t_do(dev, BS_OP_READ, 0, buf, 4096, false), 0);
	ck_assert(t_is_zero(buf, 4096));
	ck_assert_int_eq(dev->ops->resize(dev, 8 * MiB), -EROFS);
	bs_close(dev);
	free(buf);
}
END_TEST

/* Forced buffered I/O: everything through the worker pool, completions on this thread. */
START_TEST(test_buffered_through_pool)
{
	enum { N = 300 };
	struct bs_params p = { .name = "lu",
			       .path = t_path(t_dir, "buffered.img"),
			       .size = 4 * MiB,
			       .thin = true,
			       .write_back = true,
			       .buffered = true };
	struct bs_dev *dev = t_open(&p);
	long flags = t_fd_flags(p.path);
	struct t_io *ts = calloc(N, sizeof(*ts));
	int done = 0, i;

	ck_assert_msg(flags >= 0 && !(flags & O_DIRECT), "fd flags 0%lo", flags);
	t_round_trip(dev, 0, 4096, 61, false);
	t_round_trip(dev, 512, 1024, 62, true);
	t_round_trip(dev, 4 * MiB - 65536, 65536, 63, false);
	ck_assert_int_eq(t_do(dev, BS_OP_UNMAP, 8192, NULL, 8192, false), 0);
	ck_assert(t_expect_zero(dev, 8192, 8192));

	/* Many at once, some misaligned: buffered I/O takes any buffer. */
	for (i = 0; i < N; i++) {
		ts[i].buf = malloc(4096 + 1);
		t_fill((char *)ts[i].buf + 1, 4096, (unsigned int)i);
		ts[i].iov[0].iov_base = (char *)ts[i].buf + 1;
		ts[i].iov[0].iov_len = 4096;
		ts[i].io.iov = ts[i].iov;
		ts[i].io.iovcnt = 1;
		ts[i].io.op = BS_OP_WRITE;
		ts[i].io.offset = (uint64_t)i * 4096;
		ts[i].io.len = 4096;
		ts[i].io.fua = i % 7 == 0;
		ts[i].counter = &done;
		ck_assert_int_eq(t_submit(dev, &ts[i]), 0);
	}
	ck_assert_int_eq(t_run_until(t_loop, &done, N), N);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(ts[i].ncb, 1);
		ck_assert_int_eq(ts[i].io.result, 0);
		ck_assert(pthread_equal(ts[i].cb_thread, pthread_self()));
	}
	for (i = 0; i < N; i++) {
		char *r = t_alloc(4096);

		ck_assert_int_eq(t_do(dev, BS_OP_READ, (uint64_t)i * 4096, r, 4096, false), 0);
		ck_assert(!memcmp(r, (char *)ts[i].buf + 1, 4096));
		free(r);
		free(ts[i].buf);
	}
	ck_assert_int_eq(t_cb_inside_submit, 0);
	bs_close(dev);
	free(ts);
}
END_TEST

/*
 * More requests than the aio context holds (512): the rest wait and go in as
 * completions free slots; each completes exactly once, with the right data.
 */
START_TEST(test_many_concurrent_direct)
{
	enum { N = 2000 };
	struct bs_params p = { .name = "lu",
			       .path = t_path(t_dir, "many.img"),
			       .size = 16 * MiB,
			       .thin = true,
			       .write_back = true };
	struct bs_dev *dev = t_open(&p);
	struct t_io *ts = calloc(N, sizeof(*ts));
	char *data = t_alloc((size_t)N * 4096), *back = t_alloc((size_t)N * 4096);
	int done = 0, i;

	ck_assert(t_fd_flags(p.path) & O_DIRECT);
	t_fill(data, (size_t)N * 4096, 71);
	for (i = 0; i < N; i++) {
		/* in an order that is not the file's */
		int blk = (i * 7) % N;

		ts[i].iov[0].iov_base = data + (size_t)blk * 4096;
		ts[i].iov[0].iov_len = 4096;
		ts[i].io.iov = ts[i].iov;
		ts[i].io.iovcnt = 1;
		ts[i].io.op = BS_OP_WRITE;
		ts[i].io.offset = (uint64_t)blk * 4096;
		ts[i].io.len = 4096;
		ts[i].counter = &done;
		ck_assert_int_eq(t_submit(dev, &ts[i]), 0);
	}
	ck_assert_int_eq(done, 0);
	ck_assert_int_eq(t_run_until(t_loop, &done, N), N);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(ts[i].ncb, 1);
		ck_assert_int_eq(ts[i].io.result, 0);
	}

	memset(ts, 0, N * sizeof(*ts));
	done = 0;
	for (i = 0; i < N; i++) {
		ts[i].iov[0].iov_base = back + (size_t)i * 4096;
		ts[i].iov[0].iov_len = 4096;
		ts[i].io.iov = ts[i].iov;
		ts[i].io.iovcnt = 1;
		ts[i].io.op = BS_OP_READ;
		ts[i].io.offset = (uint64_t)i * 4096;
		ts[i].io.len = 4096;
		ts[i].counter = &done;
		ck_assert_int_eq(t_submit(dev, &ts[i]), 0);
	}
	ck_assert_int_eq(t_run_until(t_loop, &done, N), N);
	for (i = 0; i < 5; i++)
		ev_run_once(t_loop, 5);
	ck_assert_int_eq(done, N);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(ts[i].ncb, 1);
	ck_assert(!memcmp(data, back, (size_t)N * 4096));
	ck_assert_int_eq(t_cb_inside_submit, 0);
	bs_close(dev);
	free(ts);
	free(data);
	free(back);
}
END_TEST

/*
 * A store that shrinks under us: the read comes back short, the remainder
 * is resubmitted, and hits the end of the file: -EIO, not a hang and not
 * stale data passed off as read.
 */
START_TEST(test_short_read_resubmits)
{
	struct bs_params p = {
		.name = "lu", .path = t_path(t_dir, "short.img"), .size = 2 * MiB, .thin = true
	};
	char *buf = t_alloc(MiB);
	int k;

	for (k = 0; k < 2; k++) {
		struct bs_dev *dev;
		struct t_io t;
		int done = 0;

		p.buffered = k == 1;
		dev = t_open(&p);
		ck_assert_int_eq(truncate(p.path, MiB / 2 + 4096), 0);
		memset(&t, 0, sizeof(t));
		t.iov[0].iov_base = buf;
		t.iov[0].iov_len = MiB;
		t.io.iov = t.iov;
		t.io.iovcnt = 1;
		t.io.op = BS_OP_READ;
		t.io.len = MiB;
		t.counter = &done;
		ck_assert_int_eq(t_submit(dev, &t), 0);
		ck_assert_int_eq(t_run_until(t_loop, &done, 1), 1);
		ck_assert_int_eq(t.io.result, -EIO);
		if (!p.buffered)
			ck_assert_int_eq(t.io.retries, 1);
		bs_close(dev);
		ck_assert_int_eq(truncate(p.path, 2 * MiB), 0);
	}
	free(buf);
}
END_TEST

/* A second I/O thread, its own loop: its callbacks run there, libaio and pool alike. */
struct t_thread {
	struct bs_dev *dev;
	int results[4];
	int ncb[4];
	bool on_thread[4];
	int init;
};

static void *t_thread_main(void *arg)
{
	struct t_thread *tt = arg;
	struct ev_loop *loop;
	struct t_io ts[4];
	char *buf = t_alloc(4 * 4096);
	int done = 0, i;
	int64_t deadline;

	if (ev_loop_create(&loop)) {
		tt->init = -1;
		return NULL;
	}
	tt->init = bs_thread_init(loop);
	if (tt->init)
		goto out_loop;
	memset(ts, 0, sizeof(ts));
	t_fill(buf, 4 * 4096, 81);
	for (i = 0; i < 4; i++) {
		static const enum bs_op ops[4] = { BS_OP_WRITE, BS_OP_FLUSH, BS_OP_WRITE_ZEROES,
						   BS_OP_READ };

		ts[i].io.op = ops[i];
		ts[i].iov[0].iov_base = buf + i * 4096;
		ts[i].iov[0].iov_len = 4096;
		ts[i].io.iov = ts[i].iov;
		ts[i].io.iovcnt = ops[i] == BS_OP_WRITE || ops[i] == BS_OP_READ;
		ts[i].io.offset = (uint64_t)i * 4096;
		ts[i].io.len = 4096;
		ts[i].counter = &done;
		ts[i].io.cb = t_cb;
		ts[i].io.arg = &ts[i];
		tt->results[i] = bs_submit(tt->dev, &ts[i].io);
	}
	deadline = ev_now_ms() + T_TIMEOUT_MS;
	while (done < 4 && ev_now_ms() < deadline)
		ev_run_once(loop, 50);
	for (i = 0; i < 4; i++) {
		if (!tt->results[i])
			tt->results[i] = ts[i].io.result;
		tt->ncb[i] = ts[i].ncb;
		tt->on_thread[i] = pthread_equal(ts[i].cb_thread, pthread_self());
	}
	bs_thread_fini();
out_loop:
	ev_loop_destroy(loop);
	free(buf);
	return NULL;
}

START_TEST(test_completions_on_submitting_thread)
{
	struct bs_params p = { .name = "lu",
			       .path = t_path(t_dir, "threads.img"),
			       .size = 4 * MiB,
			       .thin = true,
			       .write_back = true };
	struct t_thread tt;
	pthread_t th;
	int i, k;

	for (k = 0; k < 2; k++) {
		p.buffered = k == 1;
		memset(&tt, 0, sizeof(tt));
		tt.dev = t_open(&p);
		ck_assert_int_eq(pthread_create(&th, NULL, t_thread_main, &tt), 0);
		ck_assert_int_eq(pthread_join(th, NULL), 0);
		ck_assert_int_eq(tt.init, 0);
		for (i = 0; i < 4; i++) {
			ck_assert_int_eq(tt.results[i], 0);
			ck_assert_int_eq(tt.ncb[i], 1);
			ck_assert_msg(tt.on_thread[i], "request %d completed on another thread", i);
		}
		/* This thread's own context saw none of it, and still works. */
		t_round_trip(tt.dev, MiB, 4096, 82, false);
		bs_close(tt.dev);
	}
}
END_TEST

/*
 * tmpfs: O_DIRECT depends on the kernel (6.6 and later take it). Whatever
 * this one does, the store must agree with a raw probe and serve the same
 * data through either path.
 */
START_TEST(test_tmpfs)
{
	struct bs_params p = { .name = "lu",
			       .path = t_path(t_shm_dir, "shm.img"),
			       .size = 8 * MiB,
			       .thin = true,
			       .write_back = true };
	char *probe = t_alloc(4096);
	struct bs_dev *dev;
	bool direct = false;
	long flags;
	int fd;

	t_make_file(p.path, 8 * MiB);
	fd = open(p.path, O_RDONLY | O_DIRECT);
	if (fd >= 0) {
		direct = pread(fd, probe, 512, 0) == 512;
		close(fd);
	}
	dev = t_open(&p);
	flags = t_fd_flags(p.path);
	ck_assert_int_ge(flags, 0);
	ck_assert_int_eq(!!(flags & O_DIRECT), direct);
	t_round_trip(dev, 0, 65536, 91, false);
	t_round_trip(dev, MiB + 512, 4096, 92, true);
	ck_assert_int_eq(t_do(dev, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	/* tmpfs punches holes but has no ZERO_RANGE: WRITE_ZEROES takes the fallback. */
	ck_assert(dev->thin);
	ck_assert_int_eq(t_do(dev, BS_OP_UNMAP, 0, NULL, 32768, false), 0);
	ck_assert(t_expect_zero(dev, 0, 32768));
	ck_assert_int_eq(t_do(dev, BS_OP_WRITE_ZEROES, MiB, NULL, 4096, false), 0);
	ck_assert(t_expect_zero(dev, MiB, 4096));
	bs_close(dev);

	/* The buffered path on tmpfs, whatever the probe said. */
	p.buffered = true;
	dev = t_open(&p);
	ck_assert(!(t_fd_flags(p.path) & O_DIRECT));
	t_round_trip(dev, 2 * MiB, 8192, 93, true);
	bs_close(dev);
	free(probe);
}
END_TEST

static Suite *file_suite(void)
{
	Suite *s = suite_create("bs_file");
	TCase *tc = tcase_create("file");

	tcase_add_unchecked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_checked_fixture(tc, t_loop_setup, t_loop_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_missing_without_size);
	tcase_add_test(tc, test_not_a_regular_file);
	tcase_add_test(tc, test_create_thin);
	tcase_add_test(tc, test_create_thick);
	tcase_add_test(tc, test_size_rules);
	tcase_add_test(tc, test_open_leaves_file_as_it_was);
	tcase_add_test(tc, test_open_beside_another_process);
	tcase_add_test(tc, test_round_trips_direct);
	tcase_add_test(tc, test_iovecs_and_misaligned_buffers);
	tcase_add_test(tc, test_fua_flush_and_write_through);
	tcase_add_test(tc, test_fua_without_rwf_dsync);
	tcase_add_test(tc, test_unmap_and_lba_status);
	tcase_add_test(tc, test_write_zeroes);
	tcase_add_test(tc, test_resize);
	tcase_add_test(tc, test_readonly);
	tcase_add_test(tc, test_buffered_through_pool);
	tcase_add_test(tc, test_many_concurrent_direct);
	tcase_add_test(tc, test_short_read_resubmits);
	tcase_add_test(tc, test_completions_on_submitting_thread);
	suite_add_tcase(s, tc);

	tc = tcase_create("tmpfs");
	tcase_add_unchecked_fixture(tc, shm_setup, shm_teardown);
	tcase_add_checked_fixture(tc, t_loop_setup, t_loop_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tmpfs);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(file_suite)

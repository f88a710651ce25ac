/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small files that must survive a crash whole: the state porticod and
 * portico-pathd keep (reservations, a sanitize under way, libvirt pools,
 * multipath's blacklist exceptions). A file is replaced, never edited: the
 * new bytes go to "<path>.tmp", which is fsync'd and renamed over the old
 * file, and then the directory is fsync'd, so that after a crash the file
 * holds the old bytes or the new ones, never a mix, and a rename that was
 * answered is not undone.
 */
#ifndef PORTICO_COMMON_STATE_FILE_H
#define PORTICO_COMMON_STATE_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* fsync of directory dir: a rename, unlink or mkdir in it is durable once it returns. 0 or -errno. */
int state_fsync_dir(const char *dir);

/* fsync of the directory that holds path ("." for a bare name). 0 or -errno. */
int state_fsync_parent(const char *path);

/*
 * Makes directory dir and the missing ones above it, each with mode, each
 * made durable (its parent fsync'd). 0 (also when dir is there), or -errno
 * (-ENOTDIR where something else is in the way).
 */
int state_mkdirs(const char *dir, mode_t mode);

/*
 * Replaces path with len bytes of buf, file mode mode, as the file comment
 * says. The directory must exist. 0 or -errno; on failure path is as it
 * was and "<path>.tmp" is gone.
 */
int state_file_replace(const char *path, const void *buf, size_t len, mode_t mode);

/*
 * A name for a file from an identifier that may hold anything (an LU's
 * serial): letters, digits, '_', '-' and '.' as they are, every other byte
 * and a leading '.' as %XX, so that no identifier names "..", a path
 * outside the directory or a hidden file. 0, -EINVAL for an empty id, or
 * -ENAMETOOLONG when out (len bytes with the NUL) is too small.
 */
int state_file_name(const char *id, char *out, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The udev monitor, as far as a machine without systemd-udevd can try it:
 * whether udev runs (its control socket), and a monitor made and destroyed
 * on a real loop without a callback running inside either call. Events
 * themselves come only from a running udevd: the VM lab checks them.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ev.h"
#include "initiator/adapt/umon.h"
#include "tests/unit/check_main.h"

static char run[64];
static struct ev_loop *loop;
static unsigned int calls;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void setup(void)
{
	/* short: a socket's path must fit sun_path */
	snprintf(run, sizeof(run), "/tmp/portico-umon.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(run));
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	calls = 0;
}

static void teardown(void)
{
	ev_loop_destroy(loop);
	nftw(run, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void changed(void *arg, const char *action, const char *subsystem, const char *devname,
		    const char *ua)
{
	(void)action;
	(void)subsystem;
	(void)devname;
	(void)ua;
	ck_assert_ptr_eq(arg, &calls);
	calls++;
}

START_TEST(test_udev_running)
{
	char dir[128], path[PATH_MAX];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	/* no udev folder, an empty one */
	ck_assert(!umon_udev_running(run));
	snprintf(dir, sizeof(dir), "%s/udev", run);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert(!umon_udev_running(run));
	/* 'control' that is not a socket (a file, a folder) is not udevd's */
	snprintf(path, sizeof(path), "%s/control", dir);
	fd = creat(path, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert(!umon_udev_running(run));
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert(!umon_udev_running(run));
	ck_assert_int_eq(rmdir(path), 0);
	/* the control socket, as systemd-udevd binds it */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert(umon_udev_running(run));
	close(fd);
	/* a path too long for PATH_MAX is no socket */
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	ck_assert(!umon_udev_running(path));
}
END_TEST

START_TEST(test_create_destroy)
{
	struct umon *a = (struct umon *)&calls, *b = NULL;
	int rc;

	rc = umon_create(loop, &a, changed, &calls);
	if (rc) {
		/* a sandbox that refuses NETLINK_KOBJECT_UEVENT: a clean failure */
		ck_assert_int_lt(rc, 0);
		ck_assert_ptr_null(a);
	} else {
		ck_assert_ptr_nonnull(a);
		/* a second monitor on the same loop has its own socket */
		ck_assert_int_eq(umon_create(loop, &b, changed, &calls), 0);
		ck_assert_ptr_nonnull(b);
		ck_assert_ptr_ne(a, b);
	}
	ck_assert_uint_eq(calls, 0);
	/* nothing sends here (no udevd): the loop runs and no callback comes */
	ck_assert_int_eq(ev_run_once(loop, 10), 0);
	ck_assert_uint_eq(calls, 0);
	umon_destroy(b);
	umon_destroy(a);
	umon_destroy(NULL);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_uint_eq(calls, 0);
}
END_TEST

START_TEST(test_destroy_with_loop_alive)
{
	struct umon *um = NULL;

	/* destroyed before the loop ever runs: its fd leaves the loop */
	if (umon_create(loop, &um, changed, &calls))
		return;
	umon_destroy(um);
	ck_assert_int_eq(umon_create(loop, &um, changed, &calls), 0);
	umon_destroy(um);
	ck_assert_int_eq(ev_run_once(loop, 0), 0);
	ck_assert_uint_eq(calls, 0);
}
END_TEST

static Suite *umon_suite(void)
{
	Suite *s = suite_create("umon");
	TCase *tc = tcase_create("udev");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_udev_running);
	tcase_add_test(tc, test_create_destroy);
	tcase_add_test(tc, test_destroy_with_loop_alive);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(umon_suite)

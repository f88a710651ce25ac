/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udev's device events on the daemon's loop (umon.h), through libudev:
 * the monitor's socket is non-blocking (SOCK_NONBLOCK), so the loop reads
 * it when it is readable, a batch at a time.
 */
#include <errno.h>
#include <libudev.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common/ev.h"
#include "common/util.h"
#include "initiator/adapt/umon.h"

/* Events taken per wakeup; the loop is level-triggered, so the rest come at the next. */
#define UMON_BATCH 64
/*
 * The socket's receive buffer: a login that brings many LUNs sends a burst
 * (several events per LUN). Past net.core.rmem_max it takes CAP_NET_ADMIN
 * (SO_RCVBUFFORCE); a smaller buffer only makes an overflow likelier, and
 * an overflow is reported (changed with NULLs).
 */
#define UMON_RCVBUF (8 * 1024 * 1024)

/* What the monitor hears, filtered in the kernel by libudev's socket filter. */
static const struct {
	const char *subsystem;
	const char *devtype; /* NULL: every devtype */
} umon_filters[] = {
	{ "block", "disk" },	   /* sd's disks appear, go, change size */
	{ "iscsi_session", NULL }, /* sessions made and torn down */
	{ "scsi", NULL },	   /* hosts, targets, devices; capacity and LUN change events */
};

struct umon {
	struct ev_loop *loop;
	struct udev *udev;
	struct udev_monitor *mon;
	int fd;
	umon_changed_cb *changed;
	void *arg;
	bool dispatching; /* inside changed: umon_destroy() leaves the freeing to umon_readable */
	bool dead;	  /* umon_destroy() was called */
};

static void umon_free(struct umon *um)
{
	udev_monitor_unref(um->mon);
	udev_unref(um->udev);
	free(um);
}

static void umon_readable(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct umon *um = arg;
	unsigned int i;

	(void)loop;
	(void)fd;
	(void)events; /* EV_ERROR too: an overflow shows as one, and the read reports it */
	um->dispatching = true;
	for (i = 0; i < UMON_BATCH && !um->dead; i++) {
		struct udev_device *dev;

		errno = 0;
		dev = udev_monitor_receive_device(um->mon);
		if (!dev) {
			/* the kernel dropped messages for us: say so, then read on */
			if (errno == ENOBUFS) {
				um->changed(um->arg, NULL, NULL, NULL, NULL);
				continue;
			}
			break; /* EAGAIN: none left; anything else was one bad message, gone */
		}
		um->changed(um->arg, udev_device_get_action(dev), udev_device_get_subsystem(dev),
			    udev_device_get_sysname(dev),
			    udev_device_get_property_value(dev, "SDEV_UA"));
		udev_device_unref(dev);
	}
	um->dispatching = false;
	if (um->dead)
		umon_free(um);
}

int umon_create(struct ev_loop *loop, struct umon **out, umon_changed_cb *changed, void *arg)
{
	struct umon *um;
	size_t i;
	int rc;

	*out = NULL;
	um = calloc(1, sizeof(*um));
	if (!um)
		return -ENOMEM;
	um->loop = loop;
	um->changed = changed;
	um->arg = arg;
	um->udev = udev_new();
	if (!um->udev) {
		rc = -ENOMEM;
		goto err_free;
	}
	errno = 0;
	um->mon = udev_monitor_new_from_netlink(um->udev, "udev");
	if (!um->mon) {
		rc = errno ? -errno : -ENOMEM;
		goto err_udev;
	}
	for (i = 0; i < ARRAY_SIZE(umon_filters); i++) {
		rc = udev_monitor_filter_add_match_subsystem_devtype(
		    um->mon, umon_filters[i].subsystem, umon_filters[i].devtype);
		if (rc < 0)
			goto err_mon;
	}
	/* best effort: see UMON_RCVBUF */
	(void)udev_monitor_set_receive_buffer_size(um->mon, UMON_RCVBUF);
	rc = udev_monitor_enable_receiving(um->mon);
	if (rc < 0)
		goto err_mon;
	um->fd = udev_monitor_get_fd(um->mon);
	if (um->fd < 0) {
		rc = um->fd;
		goto err_mon;
	}
	rc = ev_add_fd(loop, um->fd, EV_READ, umon_readable, um);
	if (rc)
		goto err_mon;
	*out = um;
	return 0;

err_mon:
	udev_monitor_unref(um->mon);
err_udev:
	udev_unref(um->udev);
err_free:
	free(um);
	return rc;
}

void umon_destroy(struct umon *um)
{
	if (!um || um->dead)
		return;
	ev_del_fd(um->loop, um->fd);
	um->dead = true;
	if (!um->dispatching)
		umon_free(um);
}

bool umon_udev_running(const char *run)
{
	char path[PATH_MAX];
	struct stat st;
	int n;

	n = snprintf(path, sizeof(path), "%s/udev/control", run);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

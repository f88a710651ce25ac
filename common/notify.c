/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sd_notify(3) over libsystemd: the one adapter between the daemons and the
 * service manager's notification socket.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "common/notify.h"

#define NOTIFY_MSG_MAX 1024

int notify_send(const char *fmt, ...)
{
	char msg[NOTIFY_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	/* unset_environment 0: the daemon notifies again at reload and stop. */
	return sd_notify(0, msg);
}

int notify_ready(const char *status)
{
	return notify_send("READY=1\nSTATUS=%s", status ? status : "");
}

int notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return notify_send("RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC=%llu",
			   (unsigned long long)ts.tv_sec * 1000000ull +
				   (unsigned long long)ts.tv_nsec / 1000u);
}

int notify_stopping(const char *status)
{
	return notify_send("STOPPING=1\nSTATUS=%s", status ? status : "stopping");
}

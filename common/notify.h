/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The service manager's readiness protocol (systemd's sd_notify(3)): a
 * daemon started with NOTIFY_SOCKET in its environment (Type=notify) says
 * READY=1 once it serves, RELOADING=1 and READY=1 around a reload,
 * STOPPING=1 as it begins to stop, and STATUS=... for 'systemctl status'.
 * Without NOTIFY_SOCKET every call is a no-op.
 */
#ifndef PORTICO_COMMON_NOTIFY_H
#define PORTICO_COMMON_NOTIFY_H

/*
 * Sends one notification, "KEY=value" lines formatted as printf(3) does.
 * Returns 1 when it was sent, 0 when no service manager listens, or -errno.
 */
int notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The daemon serves: READY=1 and a STATUS line. */
int notify_ready(const char *status);
/*
 * A reload begins: RELOADING=1 with the monotonic time (MONOTONIC_USEC,
 * which systemd 253's Type=notify-reload asks for; older ones ignore it).
 */
int notify_reloading(void);
/* The daemon stops: STOPPING=1 and why. */
int notify_stopping(const char *status);

#endif

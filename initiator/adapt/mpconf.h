/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * multipath-tools on the same host (initiator/adapt/mpconf.c): a drop-in
 * under /etc/multipath/conf.d/ that blacklists the WWIDs of pathd's maps,
 * so that multipathd builds no map of its own over their paths and leaves
 * ours alone, while `multipath -ll` still lists them (it lists every
 * multipath map of the kernel). pathd rewrites it whenever its maps change;
 * multipathd, when it runs, is told to read it again (multipathd
 * reconfigure, done by the daemon through its child runner).
 */
#ifndef PORTICO_INITIATOR_MPCONF_H
#define PORTICO_INITIATOR_MPCONF_H

#include <stddef.h>

#include "mpath/sm.h"

/*
 * The drop-in's text for wwids (n of them) into buf: its length, or
 * -ENOSPC. Pure. An empty list gives a file that blacklists nothing.
 */
int mpconf_render(const char (*wwids)[MP_WWID_MAX], size_t n, char *buf, size_t len);

/*
 * Writes the drop-in at path atomically (a temporary file, fsync, rename),
 * creating its directory and the missing ones above it (0755). Unchanged content is not
 * written again: returns 1 then, 0 when written, or -errno.
 */
int mpconf_write(const char *path, const char (*wwids)[MP_WWID_MAX], size_t n);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stable name of a path: its NIC, portal, target and LUN, as
 * "eth1-ip-198.18.2.1:3260-iscsi-iqn.2026-11.org.example:storage1-lun-0".
 * udev's /dev/disk/by-path name ("ip-<portal>-iscsi-<target>-lun-<n>") is
 * the same without the NIC, so it is one name for two paths when two NICs
 * reach one portal; this one is unique. portico-path shows paths by it and
 * takes it in fail/reinstate; udev links it under /dev/disk/by-portico-path/
 * (conf/61-portico-path.rules). Pure.
 */
#ifndef PORTICO_MPATH_PATH_NAME_H
#define PORTICO_MPATH_PATH_NAME_H

#include <stddef.h>

#include "mpath/sm.h"

/* Longest name: NIC, "-ip-", portal, "-iscsi-", target, "-lun-", 20 digits, NUL. */
#define MP_PATH_NAME_MAX (MP_NIC_MAX + 4 + MP_PORTAL_MAX + 7 + MP_TARGET_MAX + 5 + 21)

/* Writes key's name into buf; its length, or -ENOSPC when len is too small. */
int mp_path_name(const struct mp_path_key *key, char *buf, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt's storage pools, behind an ops table: initiator/adapt/virt.c
 * over libvirt's C library (virt_libvirt_ops), virt_fake.c in memory (for
 * the tests and pathd_fake). pathd's libvirt worker
 * (initiator/pathd/virt_sync.c) is the only caller.
 *
 * The callback contract: there is none. Every op blocks until libvirt
 * answers (libvirtd may be slow, or hung), so the ops run on a thread of
 * their own, never on the daemon's loop, one call at a time per
 * connection. Each returns 0 or -errno with one line in err saying what
 * libvirt said; ops on a pool by name return -ENOENT when libvirt has no
 * pool of that name.
 */
#ifndef PORTICO_INITIATOR_VIRT_H
#define PORTICO_INITIATOR_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "initiator/adapt/virt_xml.h"

#define VIRT_TYPE_MAX 16
#define VIRT_PATH_MAX 256

struct virt_conn;

/* A pool as libvirt has it. */
struct virt_pool_info {
	char name[VIRT_NAME_MAX];
	char uuid[VIRT_UUID_MAX];
	char type[VIRT_TYPE_MAX]; /* the <pool type='...'>: "mpath", "iscsi", "dir", ... */
	bool active;
	bool autostart;
	bool persistent;
};

/* A volume of a pool, as virsh vol-list --details and vol-info show it. */
struct virt_vol_info {
	char name[VIRT_NAME_MAX];
	char path[VIRT_PATH_MAX];
	char type[VIRT_TYPE_MAX]; /* "block", "file", ... */
	uint64_t capacity;	  /* bytes */
};

struct virt_ops {
	/*
	 * Connects to uri ("qemu:///system"). -ECONNREFUSED when no daemon
	 * answers there (libvirtd is not running), -EACCES when it refuses
	 * us. A call on a connection whose daemon stopped answering fails
	 * (the libvirt adapter's keepalive) rather than waiting for ever.
	 */
	int (*open)(void *arg, const char *uri, struct virt_conn **out, char *err, size_t errlen);
	void (*close)(void *arg, struct virt_conn *c);
	/* Every pool libvirt knows, active or not: *out malloc'ed (the caller frees it). */
	int (*pools)(void *arg, struct virt_conn *c, struct virt_pool_info **out, size_t *n,
		     char *err, size_t errlen);
	/* Defines (or redefines: same name and UUID) a persistent pool from its XML. */
	int (*define)(void *arg, struct virt_conn *c, const char *xml, char *err, size_t errlen);
	/* Starts a defined pool (virsh pool-start). */
	int (*start)(void *arg, struct virt_conn *c, const char *name, char *err, size_t errlen);
	int (*autostart)(void *arg, struct virt_conn *c, const char *name, bool on, char *err,
			 size_t errlen);
	/* Asks libvirt to list the pool's volumes again (virsh pool-refresh). */
	int (*refresh)(void *arg, struct virt_conn *c, const char *name, char *err, size_t errlen);
	/* Stops a pool (virsh pool-destroy: nothing on the storage is removed). */
	int (*stop)(void *arg, struct virt_conn *c, const char *name, char *err, size_t errlen);
	/* Removes a stopped pool's definition (virsh pool-undefine). */
	int (*undefine)(void *arg, struct virt_conn *c, const char *name, char *err,
			size_t errlen);
	/* The volumes of an active pool as libvirt listed them at its last refresh. */
	int (*volumes)(void *arg, struct virt_conn *c, const char *name, struct virt_vol_info **out,
		       size_t *n, char *err, size_t errlen);
};

/*
 * Over libvirt's C library (libvirt-dev). Its first open registers
 * libvirt's default event loop and runs it on a thread of its own for the
 * life of the process (libvirt needs one for keepalive), and keeps
 * libvirt's error printer quiet (errors come back in err). Each
 * connection sends a keepalive every VIRT_KEEPALIVE_S seconds and gives
 * up after VIRT_KEEPALIVE_COUNT unanswered ones: a call to a daemon that
 * stopped answering fails within about 20 s. arg is unused.
 */
#define VIRT_KEEPALIVE_S 5
#define VIRT_KEEPALIVE_COUNT 3
extern const struct virt_ops virt_libvirt_ops;

#endif

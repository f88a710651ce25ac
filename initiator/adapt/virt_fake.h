/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt's storage pools in memory (initiator/adapt/virt_fake.c), behind
 * the same ops as the real thing (virt.h), for the unit tests and for
 * pathd_fake (tests/functional). It keeps libvirt's rules as libvirt 9.0
 * applies them to the calls pathd makes: one mpath pool per host, a name
 * or UUID taken by another pool refused, start of an active pool and
 * undefine of an active one refused; and a pool lists its volumes as they
 * were at its last start or refresh, never by itself.
 *
 * Thread-safe: the ops run on pathd's worker while a test looks.
 */
#ifndef PORTICO_INITIATOR_VIRT_FAKE_H
#define PORTICO_INITIATOR_VIRT_FAKE_H

#include "initiator/adapt/virt.h"

struct virt_fake;

enum virt_fake_op {
	VIRT_FAKE_OPEN,
	VIRT_FAKE_POOLS,
	VIRT_FAKE_DEFINE,
	VIRT_FAKE_START,
	VIRT_FAKE_AUTOSTART,
	VIRT_FAKE_REFRESH,
	VIRT_FAKE_STOP,
	VIRT_FAKE_UNDEFINE,
	VIRT_FAKE_VOLUMES,
	VIRT_FAKE_OP_COUNT,
};

/* The op's name, as virt_fake_save() writes its count: "open", "define", ... */
const char *virt_fake_op_name(enum virt_fake_op op);

/*
 * What an mpath pool lists at a refresh: the multipath maps the "kernel"
 * has (libvirt's mpath backend lists device-mapper). Up to max into out;
 * returns how many there are.
 */
typedef size_t virt_fake_maps_fn(void *arg, struct virt_vol_info *out, size_t max);

int virt_fake_create(struct virt_fake **out);
void virt_fake_destroy(struct virt_fake *f);

/* No daemon: open fails with -ECONNREFUSED, as when libvirtd is not running. */
void virt_fake_set_down(struct virt_fake *f, bool down);
/* Every op first sleeps ms milliseconds: a slow or stuck libvirtd. */
void virt_fake_set_delay(struct virt_fake *f, unsigned int ms);
void virt_fake_set_maps(struct virt_fake *f, virt_fake_maps_fn *fn, void *arg);
/* Adds a pool as another administrator would have. 0, -EEXIST, -ENOMEM. */
int virt_fake_add_pool(struct virt_fake *f, const char *name, const char *uuid,
		       const char *type, bool active, bool autostart);
/* The pool named name, into *out: 0 or -ENOENT. */
int virt_fake_pool(struct virt_fake *f, const char *name, struct virt_pool_info *out);
/* How many pools there are. */
size_t virt_fake_npools(struct virt_fake *f);
/* How many times op was called. */
unsigned int virt_fake_calls(struct virt_fake *f, enum virt_fake_op op);

/*
 * The pools and their volumes as text, and back (pathd_fake keeps them in
 * a file, as libvirtd keeps its own across pathd's restarts):
 *   pool NAME UUID TYPE active|inactive autostart|manual
 *   vol POOL NAME PATH TYPE BYTES
 * save: length, or -ENOSPC. load: replaces the pools; 0 or -EINVAL.
 */
int virt_fake_save(struct virt_fake *f, char *buf, size_t len);
int virt_fake_load(struct virt_fake *f, const char *text);

/* The ops; their arg is the struct virt_fake. */
extern const struct virt_ops virt_fake_ops;

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathd.conf's libvirt keys (initiator/pathd/virt_conf.c, called by
 * conf.c; docs/pathd.md has their rows): where libvirt is, what pathd
 * names the pools it defines, and where it remembers which those are.
 */
#ifndef PORTICO_INITIATOR_VIRT_CONF_H
#define PORTICO_INITIATOR_VIRT_CONF_H

#include "common/cfg.h"
#include "initiator/adapt/virt_xml.h"

#define VIRT_URI_DEFAULT "qemu:///system"
#define VIRT_POOL_DEFAULT "portico"
#define VIRT_ISCSI_PREFIX_DEFAULT "portico-iscsi-"
#define VIRT_STATE_DEFAULT "/var/lib/portico/libvirt-pools.conf"
/* the longest prefix: a target's name still has room after it */
#define VIRT_PREFIX_MAX 40

/* The keys, in the order "allowed: ..." lists them. */
#define VIRT_CONF_KEYS "libvirt_uri", "libvirt_pool", "libvirt_iscsi_prefix", "libvirt_state"

struct virt_conf {
	char uri[VIRT_URI_MAX];			/* libvirt_uri */
	char pool[VIRT_NAME_MAX];		/* libvirt_pool: the multipath form's pool */
	char iscsi_prefix[VIRT_PREFIX_MAX + 1]; /* libvirt_iscsi_prefix: the books' form's */
	char state[4096];			/* libvirt_state: the pools pathd defined */
};

void virt_conf_defaults(struct virt_conf *c);
/* The libvirt keys of pathd.conf's top level root into c. 0, or -EINVAL with "FILE:LINE: ...". */
int virt_conf_parse(const config_setting_t *root, struct virt_conf *c, struct cfg_err *err);

#endif

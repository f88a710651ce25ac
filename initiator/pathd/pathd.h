/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portico-pathd, the daemon (initiator/pathd/pathd.c): the state machine
 * (mpath/sm.h) fed by the adapters, its actions carried out through them,
 * and the control socket that portico-path talks to.
 */
#ifndef PORTICO_INITIATOR_PATHD_H
#define PORTICO_INITIATOR_PATHD_H

#include <stdbool.h>
#include <stddef.h>

#include "initiator/adapt/tur.h"
#include "initiator/pathd/conf.h"
#include "mpath/io/dm.h"

struct pathd;
struct virt_ops;

/*
 * Where the daemon meets the system. main() fills it for the real thing;
 * the functional tests run the same daemon on a fake device-mapper, a fake
 * iscsiadm and a fake sysfs tree.
 */
struct pathd_env {
	const struct dm_ops *dm;
	void *dm_arg;
	const char *sysfs_root;		/* "/sys" */
	const char *iscsiadm;		/* NULL: iscsiadm from PATH */
	const char *multipathd;		/* NULL: multipathd from PATH */
	const char *initiatorname_file; /* for reconfigure: PATHD_INITIATORNAME_FILE */
	bool udev;			/* follow udev's events (the periodic scan runs anyway) */
	bool sysctl;			/* set the storage NICs' sysctls */
	const struct tur_ops *tur;	/* the path checker's SCSI commands: NULL, tur_sg_ops */
	void *tur_arg;
	bool sockkill; /* a kicked session's TCP connection is destroyed (sockkill.h) */
	const struct virt_ops *virt;	/* libvirt (initiator/adapt/virt.h); NULL: none */
	void *virt_arg;
};

/*
 * Starts pathd on conf, which it takes over (the caller's struct is zeroed;
 * pathd_destroy frees it): learns what the kernel has (NICs, sessions,
 * disks, maps), then acts. 0, or -errno with a reason in err (conf freed).
 */
int pathd_create(struct pathd_conf *conf, const struct pathd_env *env,
		 struct pathd **out, char *err, size_t errlen);
/* Runs until SIGINT or SIGTERM (SIGHUP: reconfigure). Maps and sessions stay. */
int pathd_run(struct pathd *pd);
void pathd_destroy(struct pathd *pd);

#endif

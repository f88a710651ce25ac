/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the control operations need of the daemon that runs them, as an ops
 * struct: target/ctl/ never includes the daemon (target/server.h), so the
 * arrows point one way (daemon -> ctl -> model), and the tests and the
 * fuzzer put one small fake here (tests/unit/target/ctl/ctl_fake_host.h).
 *
 * Every op runs on the control thread, synchronously; none calls back into
 * the control operations.
 */
#ifndef PORTICO_TARGET_CTL_HOST_H
#define PORTICO_TARGET_CTL_HOST_H

#include <stddef.h>
#include <time.h>

struct authguard;
struct iscsi_limits;
struct net_portal;
struct obj_model;

struct ctl_host_ops {
	/* The served model: read freely on the control thread, changed under model_lock. */
	struct obj_model *(*model)(void *arg);
	/* The lock the login path reads the model under (held only around in-place changes). */
	void (*model_lock)(void *arg);
	void (*model_unlock)(void *arg);
	/*
	 * Binds p's listening socket now unless one is bound, so that a create
	 * can fail before it changes anything. 0, or -errno with a message in err.
	 */
	int (*listen_check)(void *arg, const struct net_portal *p, char *err, size_t errlen);
	/*
	 * Serves m (open, taken over) instead of the current model, which it
	 * frees, and passes the change on: listeners follow the portals,
	 * sessions their LUN maps. 0, or the first portal that could not be
	 * bound (-errno, message in err; m is served anyway).
	 */
	int (*replace_model)(void *arg, struct obj_model *m, char *err, size_t errlen);
	/* For status: the number of I/O threads and when the daemon started. */
	unsigned int (*io_threads)(void *arg);
	time_t (*started)(void *arg);
	/* For status: the limits the transport runs with and what it uses (NULL: none). */
	const struct iscsi_limits *(*limits)(void *arg);
	/* For status: the failed logins the auth guard counts (NULL: none). */
	struct authguard *(*auth_guard)(void *arg);
	/*
	 * The gateway group's shared configuration (docs/gateway-group.md);
	 * both NULL when the daemon runs no group (and in the tests).
	 * group_doc: the group's document this gateway serves (NULL, *len 0:
	 * none stored yet). group_propose: shows doc to every gateway of the
	 * group and, when all agree in time, stores it and has them serve it;
	 * 0, or -errno with err naming the gateway that refused or did not
	 * answer (then nothing changed anywhere). Blocks, bounded by the
	 * group's timeout_ms (twice: the agreement, then the announcement).
	 */
	const char *(*group_doc)(void *arg, size_t *len);
	int (*group_propose)(void *arg, const char *doc, size_t len, char *err, size_t errlen);
};

struct ctl_host {
	const struct ctl_host_ops *ops;
	void *arg;
};

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway group's shared configuration over RADOS (docs/gateway-group.md,
 * "The shared configuration"): the adapter that runs target/ctl/gconf.h's
 * protocol with librados's watch/notify on the group's object
 * "portico.config.<group>" in the group's pool. Control thread only, but
 * for librados's callbacks, which post their work to it.
 */
#ifndef PORTICO_TARGET_GCONF_RADOS_H
#define PORTICO_TARGET_GCONF_RADOS_H

#include <stddef.h>

#include "target/ctl/ctl_host.h"
#include "target/model/obj.h"

struct ev_loop;
struct gconf_rados;

/*
 * Joins the group sc names: connects, watches the object, and serves the
 * stored document through host (or, when there is none yet, stores this
 * gateway's as epoch 1). From then on the group's changes arrive by
 * notify. sc is copied first: it may be the served model's, which serving
 * the group's document frees. 0, or -errno with err (the gateway must not serve: its ACLs could
 * differ from the group's).
 */
int gconf_rados_start(const struct obj_shared_conf *sc, struct ev_loop *loop,
		      const struct ctl_host *host, struct gconf_rados **out, char *err,
		      size_t errlen);
/* Leaves: no callback runs once it returns. Frees g. NULL is fine. */
void gconf_rados_stop(struct gconf_rados *g);

/* struct ctl_host_ops.group_doc and .group_propose. */
const char *gconf_rados_doc(struct gconf_rados *g, size_t *len);
int gconf_rados_propose(struct gconf_rados *g, const char *doc, size_t len, char *err,
			size_t errlen);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's shared persistent reservation state (target/scsi/pr.h,
 * struct pr_shared_ops) in the store's shared home (target/backstore/bs.h,
 * struct bs_shared_cbs): the engine knows what the bytes mean, the store
 * where they live; the model, which sees both rooms, introduces them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "target/model/pr_home.h"
#include "target/scsi/pr.h"

static int pr_home_apply(void *req, const uint8_t *cur, size_t curlen, uint8_t **next,
			 size_t *nextlen, uint8_t **note, size_t *notelen)
{
	return pr_shared_apply(req, cur, curlen, next, nextlen, note, notelen);
}

static void pr_home_done(void *req, int err)
{
	pr_shared_done(req, err);
}

static int pr_home_deliver(void *arg, uint64_t ver, const uint8_t *state, size_t len,
			   const uint8_t *note, size_t notelen, void (*acked)(void *ctx), void *ctx)
{
	return pr_lu_deliver(arg, ver, state, len, note, notelen, acked, ctx);
}

static int pr_home_replace(void *arg, uint64_t ver, const uint8_t *state, size_t len)
{
	return pr_lu_replace(arg, ver, state, len);
}

/* SPC-4 §5.13.5: a state nobody serves survives only when an initiator asked (APTPL) */
static bool pr_home_keep(void *arg, const uint8_t *state, size_t len)
{
	(void)arg;
	return pr_blob_aptpl(state, len);
}

static void pr_home_stale(void *arg)
{
	pr_lu_set_stale(arg);
}

static const struct bs_shared_cbs pr_home_cbs = {
    .apply = pr_home_apply,
    .done = pr_home_done,
    .deliver = pr_home_deliver,
    .replace = pr_home_replace,
    .keep = pr_home_keep,
    .stale = pr_home_stale,
    /* .unacked: fencing a gateway that did not ack is the gateway group's (docs/rbd.md) */
};

static int pr_home_submit(void *arg, struct pr_shared_req *req)
{
	return bs_shared_update(arg, req);
}

static void pr_home_release(void *arg)
{
	bs_shared_close(arg);
}

static const struct pr_shared_ops pr_home_ops = {
    .submit = pr_home_submit,
    .release = pr_home_release,
};

bool pr_home_wanted(const struct bs_dev *dev)
{
	return dev->ops->shared_open != NULL;
}

int pr_home_attach(struct scsi_lu *lu, struct bs_dev *dev)
{
	struct bs_shared *sh = NULL;
	uint8_t *blob = NULL;
	size_t len = 0;
	int ret;

	/* a fresh LU's state: what the first gateway writes into a new home */
	ret = pr_lu_snapshot(lu, &blob, &len);
	if (ret)
		return ret;
	ret = dev->ops->shared_open(dev, "pr", blob, len, &pr_home_cbs, lu, &sh);
	free(blob);
	if (ret) {
		log_err("pr", "backstore '%s': cannot open its persistent reservation state: %s",
			dev->name, strerror(-ret));
		return ret;
	}
	pr_lu_set_shared(lu, &pr_home_ops, sh);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The second phase of loading a configuration (target/model/config.h): open the
 * backstores of a parsed model and create their LUs, or, for a change made
 * while porticod runs, take over the open stores and LUs of the model being
 * served wherever a backstore is the same one, so that sessions keep their
 * nexuses, unit attentions and reservations across the change.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "target/backstore/bs_kind.h"
#include "target/model/config.h"
#include "target/model/obj_alua.h"
#include "target/model/pr_home.h"
#include "target/model/pr_store.h"
#include "target/model/sanitize_store.h"

/* "FILE:LINE: ..." when the backstore came from a file, the bare message otherwise. */
static int config_open_err(struct cfg_err *err, const struct obj_backstore *b, int ret,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int config_open_err(struct cfg_err *err, const struct obj_backstore *b, int ret,
			   const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (!err || err->msg[0])
		return ret;
	if (b->cfg_file[0] && b->cfg_line)
		n = (size_t)snprintf(err->msg, sizeof(err->msg), "%s:%d: ", b->cfg_file,
				     b->cfg_line);
	if (n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	return ret;
}

/* Undoes the opening of the first n backstores, last first. */
static void config_close_n(struct obj_model *m, size_t n)
{
	while (n--) {
		struct obj_backstore *b = &m->backstores[n];

		/* the LU reads through its store and closes it */
		if (b->lu)
			scsi_lu_put(b->lu);
		else if (b->dev)
			bs_close(b->dev);
		b->lu = NULL;
		b->dev = NULL;
	}
}

/*
 * What bs_open would say less clearly (or not at all): a file that is not
 * there and cannot be created without a size, a block path that is not a
 * block device.
 */
static int config_precheck(const struct obj_backstore *b, const struct bs_kind *kind,
			   struct cfg_err *err)
{
	const struct bs_kind *other;
	char use[64] = "";
	struct stat st;

	if (!bs_kind_takes(kind, BS_KIND_TAKES_PATH) || kind->remote)
		return 0;
	if (stat(b->path, &st)) {
		int e = errno;

		if (e == ENOENT && kind->image && b->params.size == 0)
			return config_open_err(err, b, -ENOENT,
					       "backstore '%s': file '%s' does not exist and no size is given to create it: add size = \"20G\"",
					       b->name, b->path);
		if (e == ENOENT && kind->image)
			return 0;
		return config_open_err(err, b, -e, "backstore '%s': cannot open '%s': %s", b->name,
				       b->path, strerror(e));
	}
	/* a path of the other nature: name the kind that serves it */
	other = bs_kind_for_path(!kind->image);
	if (kind->image) {
		if (S_ISREG(st.st_mode))
			return 0;
		if (S_ISBLK(st.st_mode))
			snprintf(use, sizeof(use), " (use type = \"%s\")", other->name);
		return config_open_err(err, b, -EINVAL,
				       "backstore '%s': '%s' is not a regular file%s", b->name,
				       b->path, use);
	}
	if (S_ISBLK(st.st_mode))
		return 0;
	if (S_ISREG(st.st_mode))
		snprintf(use, sizeof(use), " (use type = \"%s\" for an image file)", other->name);
	return config_open_err(err, b, -ENOTBLK, "backstore '%s': '%s' is not a block device%s",
			       b->name, b->path, use);
}

/*
 * A store shared by several servers (rbd) keeps the LU's identity with its
 * data: the image's, when it has one, is the LU's, and is pinned in the
 * model from then on (saved, compared as the configuration's); else the
 * configuration's is stored there.
 */
static int config_open_identity(const struct obj_model *m, struct obj_backstore *b,
				struct cfg_err *err)
{
	struct bs_identity id;
	bool adopted = false;
	char why[512] = "";
	int ret;

	snprintf(id.serial, sizeof(id.serial), "%s", b->id.serial);
	memcpy(id.naa, b->id.naa, sizeof(id.naa));
	ret = b->dev->ops->identity(b->dev, &id, b->serial_set || b->naa_set, &adopted, why,
				    sizeof(why));
	if (ret)
		return config_open_err(err, b, ret, "backstore '%s': %s", b->name,
				       why[0] ? why : strerror(-ret));
	if (adopted) {
		snprintf(b->id.serial, sizeof(b->id.serial), "%s", id.serial);
		memcpy(b->id.naa, id.naa, sizeof(id.naa));
	}
	/*
	 * A copied image (rbd cp, a clone) carries its source's metadata, and
	 * so its identity: two LUs with one WWID would be one disk to every
	 * multipath host. The parser checked the configuration's identities;
	 * an adopted one is checked here against those opened before it.
	 */
	for (const struct obj_backstore *o = m->backstores; o < b; o++)
		if (!strcmp(o->id.serial, b->id.serial) ||
		    !memcmp(o->id.naa, b->id.naa, sizeof(o->id.naa)))
			return config_open_err(err, b, -EEXIST,
					       "backstore '%s': its image holds the identity of backstore '%s' (serial '%s'): a copy of an image keeps its source's portico.serial and portico.naa; remove them from the copy (rbd image-meta remove)",
					       b->name, o->name, b->id.serial);
	b->serial_set = true;
	b->naa_set = true;
	return 0;
}

/* The store's size changed under it (rbd.c's update watch): SBC-3 2A/09 to every nexus. */
static void config_store_resized(struct bs_dev *dev, void *arg)
{
	(void)dev;
	scsi_lu_raise_ua(arg, SCSI_UA_CAPACITY_CHANGED);
}

/* SPC-4 §5.16: after an implicit transition, every I_T nexus of the LU is told */
static void config_store_alua_changed(struct bs_dev *dev, void *arg)
{
	(void)dev;
	scsi_lu_raise_ua(arg, SCSI_UA_ASYMMETRIC_ACCESS_CHANGED);
}

/*
 * The served backstore that b can take over: the same name, kind, path and
 * identity, and the same settings the store was opened with. A size of its
 * own is not compared: a resize changes an open store (ctl_ops.c). A store
 * that turns read-only can be taken over too (the LUN maps refuse writes),
 * and so can one that turns removable or fixed (config_open_reuse).
 */
static struct obj_backstore *config_same_store(const struct obj_model *old,
					       const struct obj_backstore *b)
{
	for (size_t i = 0; old && i < old->nbackstores; i++) {
		struct obj_backstore *o = &old->backstores[i];

		if (!o->lu || strcmp(o->name, b->name) || strcmp(o->type, b->type) ||
		    strcmp(o->path, b->path) || memcmp(&o->id, &b->id, sizeof(b->id)))
			continue;
		if (o->params.thin != b->params.thin ||
		    o->params.write_back != b->params.write_back ||
		    o->params.block_size != b->params.block_size ||
		    o->params.phys_block_size != b->params.phys_block_size ||
		    o->params.buffered != b->params.buffered ||
		    (o->params.readonly && !b->params.readonly))
			return NULL;
		/* another cluster or client: open it again */
		if (strcmp(o->ceph_conf, b->ceph_conf) || strcmp(o->ceph_client, b->ceph_client))
			return NULL;
		/* another group, name or lease: the lease starts again */
		if (strcmp(o->gateway_group, b->gateway_group) ||
		    strcmp(o->gateway_name, b->gateway_name) ||
		    strcmp(o->gateway_lease_ms, b->gateway_lease_ms) ||
		    strcmp(o->ceph_op_timeout_ms, b->ceph_op_timeout_ms))
			return NULL;
		return o;
	}
	return NULL;
}

int config_open_reuse(struct obj_model *m, const struct obj_model *old, struct cfg_err *err)
{
	size_t i;
	int ret;

	for (i = 0; i < m->nbackstores; i++) {
		struct obj_backstore *b = &m->backstores[i];
		const struct bs_kind *kind = bs_kind_find(b->type);
		struct obj_backstore *same = config_same_store(old, b);
		char why[256] = "";

		if (same) {
			scsi_lu_get(same->lu);
			b->lu = same->lu;
			b->dev = same->dev;
			continue;
		}
		if (!kind) {
			/* the parser refuses such a model: a hand-built one */
			ret = config_open_err(err, b, -EINVAL, "backstore '%s': unknown type '%s'",
					      b->name, b->type);
			goto err_close;
		}
		ret = config_precheck(b, kind, err);
		if (ret)
			goto err_close;
		/* the store that serves the kind: an LVM logical volume is a block device */
		ret = bs_open(kind->opens_as, &b->params, &b->dev, why, sizeof(why));
		if (ret) {
			b->dev = NULL;
			config_open_err(err, b, ret, "backstore '%s': cannot open %s%s%s: %s",
					b->name, b->path[0] ? "'" : "",
					b->path[0] ? b->path : "the null store",
					b->path[0] ? "'" : "", why[0] ? why : strerror(-ret));
			goto err_close;
		}
		if (b->dev->ops->identity) {
			ret = config_open_identity(m, b, err);
			if (ret) {
				bs_close(b->dev);
				b->dev = NULL;
				goto err_close;
			}
		}
		ret = scsi_lu_create(b->dev, &b->id, &b->lu);
		if (!ret) {
			/*
			 * SPC-4 §5.13.5: the state an initiator asked to persist
			 * (APTPL) comes back before any nexus attaches; a
			 * damaged file is logged and ignored, never fatal.
			 */
			ret = pr_home_wanted(b->dev)
				  /* shared by gateways: the state lives with the image (docs/rbd.md) */
				  ? pr_home_attach(b->lu, b->dev)
				  : pr_store_attach(b->lu, m->state_dir, b->id.serial);
			/* SBC-3 §4.32.1: a sanitize cut short by our end leaves it failed */
			if (!ret)
				ret = sanitize_store_attach(b->lu, m->state_dir, b->id.serial);
			if (ret)
				scsi_lu_destroy(b->lu);
			else
				scsi_lu_own_bs(b->lu); /* it may outlive the model (obj.h) */
			if (!ret) {
				/* the store's watch thread may look already: the arg first */
				b->dev->size_changed_arg = b->lu;
				__atomic_store_n(&b->dev->size_changed, config_store_resized,
						 __ATOMIC_RELEASE);
				b->dev->alua_changed_arg = b->lu;
				__atomic_store_n(&b->dev->alua_changed, config_store_alua_changed,
						 __ATOMIC_RELEASE);
			}
		}
		if (ret) {
			b->lu = NULL;
			config_open_err(err, b, ret,
					"backstore '%s': cannot create its logical unit: %s",
					b->name, strerror(-ret));
			i++; /* close its store too */
			goto err_close;
		}
	}
	/* SPC-4 §5.16: the targets' port groups, and the states the configuration gives them */
	ret = obj_alua_open(m, old);
	if (ret) {
		if (err && !err->msg[0])
			snprintf(err->msg, sizeof(err->msg), "cannot set up the ALUA states: %s",
				 strerror(-ret));
		goto err_close;
	}
	/*
	 * removable is the LU's, not the store's: a store taken over keeps its
	 * LU, which turns removable or fixed in place (INQUIRY DATA HAS
	 * CHANGED to its nexuses), now that nothing can fail any more
	 */
	for (i = 0; i < m->nbackstores; i++)
		if (m->backstores[i].lu)
			scsi_lu_set_removable(m->backstores[i].lu,
					      m->backstores[i].params.removable);
	return 0;

err_close:
	config_close_n(m, i);
	return ret;
}

int config_open(struct obj_model *m, struct cfg_err *err)
{
	return config_open_reuse(m, NULL, err);
}

int config_load(const char *path, struct obj_model **out, struct cfg_err *err)
{
	struct obj_model *m;
	int ret;

	*out = NULL;
	ret = config_parse(path, &m, err);
	if (ret)
		return ret;
	ret = config_open(m, err);
	if (ret) {
		obj_model_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

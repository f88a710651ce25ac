/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kinds of backstore, one descriptor each: what the configuration
 * file, the control protocol and the shell know of a kind (its path and
 * what to call it, its size, what it may be given and why not), as data.
 * The parser, the saver and config_open (target/model/), the control tree
 * and editor (target/ctl/) read it, and the shell through the facts it is
 * built with (docs/architecture.md, "Facts"): a kind's facts are here and
 * nowhere else. The keys themselves are the backstore settings table's
 * (target/model/obj_settings.h), whose rows say which kinds take them.
 * Pure data: no I/O.
 */
#ifndef PORTICO_TARGET_BS_KIND_H
#define PORTICO_TARGET_BS_KIND_H

#include <stdbool.h>
#include <stddef.h>

/* What a setting asks of a kind, beyond what every kind takes. */
enum bs_kind_takes {
	BS_KIND_TAKES_ANY, /* every kind takes it */
	BS_KIND_TAKES_PATH, /* a file or a device to serve */
	BS_KIND_TAKES_THIN, /* thin or thick, the administrator's choice */
	BS_KIND_TAKES_WRITE_BACK, /* a write cache mode */
	BS_KIND_TAKES_CEPH, /* a Ceph cluster's configuration and client */
};

struct bs_kind {
	const char *name; /* the type in the file, the node under /backstores */
	const char *alias; /* another name of that node (targetcli's), or NULL */
	const char *opens_as; /* the store kind that serves it (bs_open) */
	const char *path_key; /* the path's name in create ("file", "dev"); NULL: no path */
	const char *path_word; /* what help shows for it ("PATH") */
	const char *path_hint; /* an example path, for the message that asks for one */
	/* the path is an image file, which size creates or extends; else a block device */
	bool image;
	bool size_required; /* it has no size of its own: the configuration must give one */
	bool resizes; /* set size= makes it that size; else it has its device's (size=auto) */
	/* the path names no local file (an rbd image, "POOL/IMAGE"): not absolute, nothing to stat */
	bool remote;
	/* NULL where the kind takes it; else why it does not, for the message that refuses it */
	const char *no_path;
	const char *no_thin;
	const char *no_write_back;
	const char *no_ceph;
	const char *create_example; /* the hint of a create without a name */
};

enum bs_kind_id {
	BS_KIND_FILE,
	BS_KIND_BLOCK,
	BS_KIND_LVM,
	BS_KIND_NULL,
	BS_KIND_RBD,
	BS_KIND__COUNT,
};

/* In the order messages and `help` list them. */
extern const struct bs_kind bs_kinds[BS_KIND__COUNT];

/* The kind named name, or NULL. */
const struct bs_kind *bs_kind_find(const char *name);
/* NULL when k takes what, else why it does not. */
const char *bs_kind_refuses(const struct bs_kind *k, enum bs_kind_takes what);
static inline bool bs_kind_takes(const struct bs_kind *k, enum bs_kind_takes what)
{
	return !bs_kind_refuses(k, what);
}
/*
 * The first kind whose path is an image file (image) or a block device:
 * the one to suggest for a path of that nature given to another kind.
 */
const struct bs_kind *bs_kind_for_path(bool image);
/* The kinds' names, sep between them ("file, block, lvm, null"), into buf. */
void bs_kind_names(char *buf, size_t len, const char *sep);

#endif

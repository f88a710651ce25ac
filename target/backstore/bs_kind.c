/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kinds of backstore (bs_kind.h). docs/configuration.md ("Backstores")
 * and docs/shell.md describe them to the administrator; keep them in step.
 */
#include <stdio.h>
#include <string.h>

#include "target/backstore/bs_kind.h"

static const char bs_kind_nothing[] = "it stores nothing";
static const char bs_kind_local[] = "it is not a Ceph image";

/* clang-format off */
/*
 * A block device (a disk, a partition, a loop, md or multipath device, a
 * logical volume): served through the block store, with the size it has.
 */
#define BS_KIND_DEVICE                                                                             \
	.opens_as = "block", .path_key = "dev", .path_word = "DEVICE",                             \
	/* bs.h: a device is thin when it takes discards */                                        \
	.no_thin = "a device is thin when it takes discards, and porticod asks it",                \
	.no_ceph = bs_kind_local,                                                                  \
	.create_example = "create name=LUN1 dev=/dev/sdb1"

const struct bs_kind bs_kinds[BS_KIND__COUNT] = {
	/* targetcli calls it fileio */
	[BS_KIND_FILE] = { .name = "file", .alias = "fileio", .opens_as = "file",
			   .path_key = "file", .path_word = "PATH",
			   .path_hint = "/var/lib/portico/NAME.img", .image = true, .resizes = true,
			   .no_ceph = bs_kind_local,
			   .create_example = "create name=LUN0 file=/path/LUN0.img size=20G" },
	[BS_KIND_BLOCK] = { .name = "block", BS_KIND_DEVICE, .path_hint = "/dev/DEVICE" },
	/*
	 * An existing logical volume (/dev/VG/LV), served exactly as a block
	 * device: the kind says what the administrator meant, and porticod
	 * neither creates nor resizes LVs.
	 */
	[BS_KIND_LVM] = { .name = "lvm", BS_KIND_DEVICE, .path_hint = "/dev/VG/LV" },
	/* reads return zeroes, writes go nowhere: for tests and benchmarks */
	[BS_KIND_NULL] = { .name = "null", .opens_as = "null", .size_required = true,
			   .resizes = true, .no_path = bs_kind_nothing,
			   .no_thin = bs_kind_nothing, .no_write_back = bs_kind_nothing,
			   .no_ceph = bs_kind_local,
			   .create_example = "create name=NULL0 size=100G" },
	/*
	 * A Ceph RBD image (target/backstore/rbd.c): thin by nature, and
	 * write-through (librbd's cache off), so neither is a choice; a size
	 * creates a missing image, set size= resizes it.
	 */
	[BS_KIND_RBD] = { .name = "rbd", .opens_as = "rbd", .path_key = "image",
			  .path_word = "POOL/IMAGE", .path_hint = "rbd/NAME", .resizes = true,
			  .remote = true,
			  .no_thin = "an RBD image is thin, and reports its allocation",
			  .no_write_back = "porticod turns librbd's cache off: an acknowledged write is on the OSDs",
			  .create_example = "create name=VM1 image=rbd/vm1 size=20G" },
};
/* clang-format on */

const struct bs_kind *bs_kind_find(const char *name)
{
	for (size_t i = 0; name && i < BS_KIND__COUNT; i++)
		if (!strcmp(bs_kinds[i].name, name))
			return &bs_kinds[i];
	return NULL;
}

const char *bs_kind_refuses(const struct bs_kind *k, enum bs_kind_takes what)
{
	switch (what) {
	case BS_KIND_TAKES_ANY:
		return NULL;
	case BS_KIND_TAKES_PATH:
		return k->no_path;
	case BS_KIND_TAKES_THIN:
		return k->no_thin;
	case BS_KIND_TAKES_WRITE_BACK:
		return k->no_write_back;
	case BS_KIND_TAKES_CEPH:
		return k->no_ceph;
	}
	return NULL;
}

const struct bs_kind *bs_kind_for_path(bool image)
{
	for (size_t i = 0; i < BS_KIND__COUNT; i++)
		if (!bs_kinds[i].no_path && !bs_kinds[i].remote && bs_kinds[i].image == image)
			return &bs_kinds[i];
	return NULL;
}

void bs_kind_names(char *buf, size_t len, const char *sep)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < BS_KIND__COUNT && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? sep : "", bs_kinds[i].name);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the backstore room: the rbd store's pure parts (the image
 * spec, the client's name, the identity kept in the image's metadata, what
 * a librbd completion's return value means) and the seam its tests put a
 * fake librbd into (struct bs_rbd_lib).
 */
#ifndef PORTICO_TARGET_BS_RBD_H
#define PORTICO_TARGET_BS_RBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "target/backstore/bs.h"

/* Ceph's own limits: a pool's or an image's name (RBD_MAX_IMAGE_NAME_SIZE is 96 with the NUL). */
#define BS_RBD_NAME_MAX 95
/*
 * Ceph 16 (librbd's ImageCompareAndWriteRequest::prune_object_extents)
 * takes a compare-and-write only within one 512-byte sector.
 */
#define BS_RBD_CAW_MAX 512
/* The image metadata keys of the LU's identity. */
#define BS_RBD_META_SERIAL "portico.serial"
#define BS_RBD_META_NAA "portico.naa"

/*
 * "POOL/IMAGE" into pool and image (each BS_RBD_NAME_MAX + 1 bytes).
 * NULL, or why not: names as Ceph takes them (no '/', '@' nor spaces).
 */
const char *bs_rbd_spec_parse(const char *spec, char *pool, char *image);
/*
 * The client's entity name as librados takes it: "admin" and
 * "client.admin" both give "client.admin"; NULL or "" too. NULL, or why not.
 */
const char *bs_rbd_client_name(const char *client, char *out, size_t len);
/* The NAA designator as the metadata keeps it: "0x" and 16 hex digits (19 bytes with NUL). */
void bs_rbd_naa_text(const uint8_t naa[8], char out[19]);
/* Back: 0, or -EINVAL for anything but "0x" and 16 hex digits. */
int bs_rbd_naa_parse(const char *text, uint8_t naa[8]);
/* 0 when a serial from the metadata is one VPD 0x80 takes (1-32 printable ASCII), -EINVAL else. */
int bs_rbd_serial_check(const char *serial);
/*
 * What a librbd completion's return value r means for io of op: 0 or
 * -errno (a read or write returns its byte count, which must be len).
 */
int bs_rbd_result(enum bs_op op, uint64_t len, long r);

/* The librbd calls the store makes on the I/O path: the real ones, or a test's fake. */
typedef void *bs_rbd_image;
typedef void *bs_rbd_comp;
typedef void (*bs_rbd_cb)(bs_rbd_comp c, void *arg);

struct bs_rbd_lib {
	int (*create_completion)(void *arg, bs_rbd_cb cb, bs_rbd_comp *c);
	long (*get_return_value)(bs_rbd_comp c);
	void (*release)(bs_rbd_comp c);
	int (*readv)(bs_rbd_image im, const struct iovec *iov, int iovcnt, uint64_t off,
		     bs_rbd_comp c);
	int (*writev)(bs_rbd_image im, const struct iovec *iov, int iovcnt, uint64_t off,
		      bs_rbd_comp c);
	int (*flush)(bs_rbd_image im, bs_rbd_comp c);
	int (*discard)(bs_rbd_image im, uint64_t off, uint64_t len, bs_rbd_comp c);
	int (*write_zeroes)(bs_rbd_image im, uint64_t off, uint64_t len, bs_rbd_comp c);
	int (*write_same)(bs_rbd_image im, uint64_t off, uint64_t len, const char *buf,
			  size_t buf_len, bs_rbd_comp c);
	/* on -EILSEQ, *mismatch: offset of the first differing byte from off */
	long (*compare_and_write)(bs_rbd_image im, uint64_t off, size_t len, const char *cmp,
				  const char *buf, bs_rbd_comp c, uint64_t *mismatch);
};

/*
 * For tests: makes dev an rbd store over a fake library (no cluster):
 * size, block_size and caw_max as given; bs_close releases it.
 */
int bs_rbd_attach(struct bs_dev *dev, const struct bs_rbd_lib *lib, bs_rbd_image im,
		  uint64_t size, uint32_t block_size);

/*
 * A gateway group's lease on the image (rbd_lease.c): none (NULL, 0) when
 * p names no gateway_group; else the image must not have the
 * exclusive-lock feature, and the lease's machine starts. 0 or -errno
 * (dev's error says why).
 */
struct bs_rbd_lease;
int bs_rbd_lease_open(struct bs_dev *dev, void *cluster, void *ioctx, void *image,
		      const struct bs_params *p, struct bs_rbd_lease **out);
/* Hands the lease back if owned, stops, frees. NULL: nothing. */
void bs_rbd_lease_close(struct bs_rbd_lease *l);
/* May a write be submitted now (true without a lease)? Lock-free. */
bool bs_rbd_lease_may_write(const struct bs_rbd_lease *l);
/* The LU's ALUA state on this gateway; *has false without a lease. */
uint8_t bs_rbd_lease_alua(const struct bs_rbd_lease *l, bool *has);
/*
 * Asks for the lease to move to this gateway (an explicit transition to
 * active/optimized): the owner hands it over, this gateway takes it
 * without a fence. -EINVAL without a lease.
 */
int bs_rbd_lease_take(struct bs_rbd_lease *l);
/* The lease for display: false without one. */
bool bs_rbd_lease_view(struct bs_rbd_lease *l, struct bs_owner_info *v);

#endif

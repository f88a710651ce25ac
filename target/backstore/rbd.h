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
/* rados_osd_op_timeout outside a gateway group, and the most it may be. */
#define BS_RBD_OP_TIMEOUT_MS 30000u
#define BS_RBD_OP_TIMEOUT_MAX_MS 600000u
/*
 * rados_osd_op_timeout in whole seconds (*secs) from the settings
 * ceph_op_timeout_ms and gateway_lease_ms (NULL or "": the defaults): in
 * a gateway group at most, and by default, a third of the lease; else 30 s
 * by default. NULL, or why not.
 */
const char *bs_rbd_op_timeout(const char *lease_ms, const char *timeout_ms, bool group,
			      unsigned int *secs);
/* 0 when a serial from the metadata is one VPD 0x80 takes (1-32 printable ASCII), -EINVAL else. */
int bs_rbd_serial_check(const char *serial);
/*
 * What a librbd completion's return value r means for io of op: 0 or
 * -errno (a read or write returns its byte count, which must be len); an
 * operation that timed out (-ETIMEDOUT, rados_osd_op_timeout) is
 * -ESHUTDOWN, the path unavailable.
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
 * The shared home (rbd_pr.c): one RADOS object per image and name,
 * "portico.<name>.<image id>" in the image's pool, and the librados calls
 * it makes: the real ones (bs_rbd_home_librados) or a test's fake.
 */
#define BS_RBD_HOME_OID_MAX 128
/* The largest state a home holds. */
#define BS_RBD_HOME_MAX (1u << 20)

typedef void (*bs_rbd_watch_cb)(void *arg, uint64_t notify_id, uint64_t handle,
				uint64_t notifier_id, void *data, size_t len);
typedef void (*bs_rbd_watch_err_cb)(void *arg, uint64_t handle, int err);

struct bs_rbd_home_lib {
	/* The whole object into buf (cap bytes) and its version. -ENOENT, -EFBIG past cap. */
	int (*read)(void *io, const char *oid, uint8_t *buf, size_t cap, size_t *len,
		    uint64_t *ver);
	/*
	 * buf as the whole object, only if its version is still ver (0: only
	 * if it does not exist); *newver the version it then has. A guard
	 * that failed: -ERANGE or -EOVERFLOW (another version), -EEXIST, -ENOENT.
	 */
	int (*write)(void *io, const char *oid, const uint8_t *buf, size_t len, uint64_t ver,
		     uint64_t *newver);
	int (*watch)(void *io, const char *oid, uint64_t *handle, bs_rbd_watch_cb cb,
		     bs_rbd_watch_err_cb errcb, void *arg);
	/* Ends a watch; once it returns no callback of it runs. */
	int (*unwatch)(void *io, uint64_t handle);
	/*
	 * Sends buf to every watcher (this server's included) and waits up to
	 * timeout_ms for each to ack; *acked says how many did. 0; -ETIMEDOUT
	 * with *unacked set when some did not; other -errno.
	 */
	int (*notify)(void *io, const char *oid, const uint8_t *buf, size_t len,
		      uint64_t timeout_ms, unsigned int *acked, unsigned int *unacked);
	int (*ack)(void *io, const char *oid, uint64_t notify_id, uint64_t handle);
	void (*close)(void *io); /* may be NULL */
};

extern const struct bs_rbd_home_lib bs_rbd_home_librados;

/* The notify payload: "PTSN", version (8), state length (4), state, note length (4), note. */
#define BS_RBD_NOTE_HDR 8u
/* Into a new *out (the caller frees it). 0 or -ENOMEM. */
int bs_rbd_note_build(uint64_t ver, const uint8_t *state, size_t slen, const uint8_t *note,
		      size_t nlen, uint8_t **out, size_t *outlen);
/* Bounded by len; the pointers point into p. 0 or -EINVAL. */
int bs_rbd_note_parse(const uint8_t *p, size_t len, uint64_t *ver, const uint8_t **state,
		      size_t *slen, const uint8_t **note, size_t *nlen);

/* Timings of a home (the tests shorten them). */
struct bs_rbd_home_opts {
	unsigned int tries;	      /* read-apply-write rounds before giving up */
	uint64_t notify_timeout_ms;   /* for every server's ack */
	uint64_t local_timeout_ms;    /* for this server's own apply (aborts) */
	uint64_t resync_interval_ms;  /* between attempts to watch and read again */
	uint64_t ping_timeout_ms;     /* at open: for another server to say it serves the state */
};

/*
 * Opens the home oid through lib on io (which it closes, lib->close, with
 * the home): creates the object with init when missing; when it exists and
 * no other server answers an empty notify, asks cbs->keep whether its
 * state stays (else writes init over it); watches it, reads it and hands it
 * to cbs->replace, and starts its thread. opts NULL: the
 * defaults (docs/rbd.md). 0 or -errno (io closed then too).
 */
int bs_rbd_home_open(const struct bs_rbd_home_lib *lib, void *io, const char *oid,
		     const uint8_t *init, size_t initlen, const struct bs_shared_cbs *cbs,
		     void *arg, const struct bs_rbd_home_opts *opts, struct bs_shared **out);

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
/*
 * Asks for the lease to move to gateway to of the group, from this
 * gateway (bs_ops.owner_move): the answers of bs_owner_run_move, and
 * -EOPNOTSUPP without a lease.
 */
int bs_rbd_lease_move(struct bs_rbd_lease *l, const char *to);
/* The port groups that show the LU here, registered with the group. 0 without a lease. */
int bs_rbd_lease_ports(struct bs_rbd_lease *l, const uint16_t *tags, size_t n);
/* The LU's port groups across the group (bs_ops.alua_groups); 0 without a lease. */
size_t bs_rbd_lease_groups(struct bs_rbd_lease *l, struct bs_alua_tpg *out, size_t max);
/* The lease for display: false without one. */
bool bs_rbd_lease_view(struct bs_rbd_lease *l, struct bs_owner_info *v);

#endif

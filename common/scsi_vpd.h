/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VPD codec both halves share, pure: the designation descriptors of the
 * Device Identification VPD page (83h, SPC-4 §7.8.6) built into a caller's
 * buffer (porticod) and read back out of a page (portico-pathd's WWIDs), their
 * format rules, and the serial number of the Unit Serial Number VPD page (80h,
 * SPC-4 §7.8.18).
 */
#ifndef PORTICO_COMMON_SCSI_VPD_H
#define PORTICO_COMMON_SCSI_VPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/scsi_proto.h"

/*
 * One designation descriptor (SPC-4 §7.8.6.1), decoded. The parser fills it
 * with id pointing into the page; a builder reads it.
 */
struct scsi_desig {
	uint8_t proto;	   /* PROTOCOL IDENTIFIER, meaningful when piv is set */
	uint8_t codeset;   /* SCSI_DESIG_CODESET_* (any 4-bit value when parsed) */
	bool piv;	   /* PROTOCOL IDENTIFIER VALID */
	uint8_t assoc;	   /* SCSI_DESIG_ASSOC_*: LU, target port, target device, reserved */
	uint8_t type;	   /* SCSI_DESIG_TYPE_* */
	const uint8_t *id; /* the DESIGNATOR */
	size_t len;	   /* DESIGNATOR LENGTH, 0 to 255 */
};

/*
 * Appends the descriptor d to a page being built in buf[0..size), at offset
 * off. Returns the bytes written (4 + d->len), -EINVAL when d->len is over
 * 255 or a field does not fit its bits, or -ENOSPC when it does not fit in
 * size (nothing is written then).
 */
int scsi_desig_put(uint8_t *buf, size_t size, size_t off, const struct scsi_desig *d);

/*
 * Appends a T10 vendor ID based designator (SPC-4 §7.8.6.4), ASCII: vendor
 * space padded to 8 bytes, then vsid[0..vsid_len). No protocol identifier.
 * Returns the bytes written, -EINVAL (vendor over 8 characters, designator
 * over 255 bytes) or -ENOSPC.
 */
int scsi_desig_put_t10(uint8_t *buf, size_t size, size_t off, uint8_t assoc, const char *vendor,
		       const uint8_t *vsid, size_t vsid_len);

/*
 * Appends a SCSI name string designator (SPC-4 §7.8.6.11), UTF-8, PIV set
 * with protocol proto: name, NUL-terminated and NUL-padded to a multiple of 4
 * bytes. Returns the bytes written, -EINVAL (a name over 251 bytes, which
 * cannot fit a 255-byte designator that way) or -ENOSPC.
 */
int scsi_desig_put_name(uint8_t *buf, size_t size, size_t off, uint8_t proto, uint8_t assoc,
			const char *name);

/* A walk over the designation descriptors of a page 83h (scsi_vpd83_iter_init). */
struct scsi_vpd83_iter {
	const uint8_t *page;
	size_t end; /* 4 + PAGE LENGTH: the walk never reads at or past it */
	size_t off; /* where the next descriptor starts */
};

/*
 * Starts a walk over the Device Identification VPD page in p[0..len). Bytes
 * past 4 + PAGE LENGTH are not part of the page and are never read. Returns
 * 0, -EMSGSIZE when len is shorter than the header or than the PAGE LENGTH
 * says (read the page again with a larger allocation length), or -EPROTO when
 * the PAGE CODE is not 83h.
 */
int scsi_vpd83_iter_init(struct scsi_vpd83_iter *it, const uint8_t *p, size_t len);

/*
 * The next descriptor into *d (d->id points into the page). Returns 1, 0 at
 * the end of the page, or -EBADMSG when the descriptor's header or its
 * DESIGNATOR LENGTH runs past the end of the page; the walk stays at that
 * descriptor (it->off is its offset) and every further call says the same.
 */
int scsi_vpd83_iter_next(struct scsi_vpd83_iter *it, struct scsi_desig *d);

/*
 * Checks d against the format SPC-4 gives its designator type (code set,
 * association, length, and the NAA field of an NAA designator). Returns 0,
 * or -EINVAL with *why (if why is not NULL) set to a static string saying
 * what is wrong. Reserved designator types and associations are errors.
 */
int scsi_desig_check(const struct scsi_desig *d, const char **why);

/* The designator type's name ("NAA", "T10 vendor ID", ...), static; "reserved" if none. */
const char *scsi_desig_type_name(uint8_t type);

/*
 * The NAA field of an NAA designator (SPC-4 §7.8.6.6.1): its first nibble, or
 * -EINVAL when d is not an NAA designator or is empty.
 */
int scsi_desig_naa(const struct scsi_desig *d);

/*
 * The PRODUCT SERIAL NUMBER of the Unit Serial Number VPD page in p[0..len)
 * (SPC-4 §7.8.18): *sn points into p, *sn_len bytes of ASCII as the device
 * sent them (right-aligned, possibly space padded, not NUL-terminated).
 * Returns 0, -EMSGSIZE or -EPROTO as scsi_vpd83_iter_init() does.
 */
int scsi_vpd80_serial(const uint8_t *p, size_t len, const uint8_t **sn, size_t *sn_len);

#endif

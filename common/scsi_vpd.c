/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VPD codec: designation descriptors of page 83h built and parsed
 * (SPC-4 §7.8.6), the format rules of each designator type, and the serial
 * number of page 80h (SPC-4 §7.8.18). Pure: bytes in, values out.
 */
#include <errno.h>
#include <string.h>

#include "common/be.h"
#include "common/scsi_vpd.h"
#include "common/util.h"

#define DESIG_HDR_LEN sizeof(struct scsi_desig_hdr)
#define VPD_HDR_LEN sizeof(struct scsi_vpd_hdr)

/* A SCSI name string and its NUL fit a designator padded to 4 bytes: at most 252. */
#define SCSI_NAME_DESIG_MAX ((size_t)SCSI_DESIG_LEN_MAX & ~(size_t)3)

/* Writes the header of a descriptor whose designator is len bytes; checks room first. */
static int desig_hdr_put(uint8_t *buf, size_t size, size_t off, const struct scsi_desig *d,
			 size_t len)
{
	struct scsi_desig_hdr *h;

	if (len > SCSI_DESIG_LEN_MAX || d->proto > 0xf || d->codeset > SCSI_DESIG_CODESET_MASK ||
	    (d->assoc & ~SCSI_DESIG_ASSOC_MASK) || d->type > SCSI_DESIG_TYPE_MASK)
		return -EINVAL;
	if (off > size || size - off < DESIG_HDR_LEN + len)
		return -ENOSPC;
	h = (struct scsi_desig_hdr *)(buf + off);
	h->proto_codeset = (uint8_t)(d->proto << SCSI_DESIG_PROTO_SHIFT | d->codeset);
	h->piv_assoc_type = (uint8_t)((d->piv ? SCSI_DESIG_PIV : 0) | d->assoc | d->type);
	h->reserved = 0;
	h->len = (uint8_t)len;
	return (int)(DESIG_HDR_LEN + len);
}

int scsi_desig_put(uint8_t *buf, size_t size, size_t off, const struct scsi_desig *d)
{
	int n = desig_hdr_put(buf, size, off, d, d->len);

	if (n > 0 && d->len)
		memcpy(buf + off + DESIG_HDR_LEN, d->id, d->len);
	return n;
}

int scsi_desig_put_t10(uint8_t *buf, size_t size, size_t off, uint8_t assoc, const char *vendor,
		       const uint8_t *vsid, size_t vsid_len)
{
	const struct scsi_desig d = {
	    .codeset = SCSI_DESIG_CODESET_ASCII, .assoc = assoc, .type = SCSI_DESIG_TYPE_T10};
	size_t vlen = strlen(vendor);
	uint8_t *p;
	int n;

	/* SPC-4 §7.8.6.4: an 8-byte T10 VENDOR IDENTIFICATION, then the vendor's own part */
	if (vlen > SCSI_T10_VENDOR_LEN || vsid_len > SCSI_DESIG_LEN_MAX - SCSI_T10_VENDOR_LEN)
		return -EINVAL;
	n = desig_hdr_put(buf, size, off, &d, SCSI_T10_VENDOR_LEN + vsid_len);
	if (n < 0)
		return n;
	p = buf + off + DESIG_HDR_LEN;
	/* SPC-4 §4.4.1: ASCII fields are left-aligned and padded with spaces */
	memset(p, ' ', SCSI_T10_VENDOR_LEN);
	memcpy(p, vendor, vlen);
	if (vsid_len)
		memcpy(p + SCSI_T10_VENDOR_LEN, vsid, vsid_len);
	return n;
}

int scsi_desig_put_name(uint8_t *buf, size_t size, size_t off, uint8_t proto, uint8_t assoc,
			const char *name)
{
	const struct scsi_desig d = {.proto = proto,
				     .codeset = SCSI_DESIG_CODESET_UTF8,
				     .piv = true,
				     .assoc = assoc,
				     .type = SCSI_DESIG_TYPE_SCSI_NAME};
	size_t n = strlen(name) + 1, padded;
	int ret;

	/* SPC-4 §7.8.6.11: NUL-terminated, NUL-padded to a multiple of four bytes */
	if (n > SCSI_NAME_DESIG_MAX)
		return -EINVAL;
	padded = ALIGN_UP(n, (size_t)4);
	ret = desig_hdr_put(buf, size, off, &d, padded);
	if (ret < 0)
		return ret;
	memset(buf + off + DESIG_HDR_LEN, 0, padded);
	memcpy(buf + off + DESIG_HDR_LEN, name, n - 1);
	return ret;
}

/* The header of a VPD page with the given page code: its end, or -errno. */
static int vpd_page_end(const uint8_t *p, size_t len, uint8_t page_code, size_t *end)
{
	const struct scsi_vpd_hdr *h = (const struct scsi_vpd_hdr *)p;

	if (len < VPD_HDR_LEN)
		return -EMSGSIZE;
	if (h->page_code != page_code)
		return -EPROTO;
	/* SPC-4 §7.8.1: PAGE LENGTH counts what follows, whatever the allocation length let through
	 */
	*end = VPD_HDR_LEN + get_be16(h->page_len);
	if (len < *end)
		return -EMSGSIZE;
	return 0;
}

int scsi_vpd83_iter_init(struct scsi_vpd83_iter *it, const uint8_t *p, size_t len)
{
	size_t end;
	int ret = vpd_page_end(p, len, SCSI_VPD_DEVICE_ID, &end);

	if (ret)
		return ret;
	it->page = p;
	it->end = end;
	it->off = VPD_HDR_LEN;
	return 0;
}

int scsi_vpd83_iter_next(struct scsi_vpd83_iter *it, struct scsi_desig *d)
{
	const struct scsi_desig_hdr *h;
	size_t left = it->end - it->off;

	if (!left)
		return 0;
	/* SPC-4 §7.8.6.1: each descriptor is a 4-byte header and DESIGNATOR LENGTH bytes */
	if (left < DESIG_HDR_LEN)
		return -EBADMSG;
	h = (const struct scsi_desig_hdr *)(it->page + it->off);
	if (left - DESIG_HDR_LEN < h->len)
		return -EBADMSG;
	d->proto = h->proto_codeset >> SCSI_DESIG_PROTO_SHIFT;
	d->codeset = h->proto_codeset & SCSI_DESIG_CODESET_MASK;
	d->piv = h->piv_assoc_type & SCSI_DESIG_PIV;
	d->assoc = h->piv_assoc_type & SCSI_DESIG_ASSOC_MASK;
	d->type = h->piv_assoc_type & SCSI_DESIG_TYPE_MASK;
	d->id = it->page + it->off + DESIG_HDR_LEN;
	d->len = h->len;
	it->off += DESIG_HDR_LEN + h->len;
	return 1;
}

int scsi_desig_naa(const struct scsi_desig *d)
{
	if (d->type != SCSI_DESIG_TYPE_NAA || !d->len)
		return -EINVAL;
	return d->id[0] >> 4;
}

int scsi_vpd80_serial(const uint8_t *p, size_t len, const uint8_t **sn, size_t *sn_len)
{
	size_t end;
	int ret = vpd_page_end(p, len, SCSI_VPD_UNIT_SERIAL, &end);

	if (ret)
		return ret;
	*sn = p + VPD_HDR_LEN;
	*sn_len = end - VPD_HDR_LEN;
	return 0;
}

/* ---- the format of each designator type ---------------------------------- */

#define ASSOC_BIT(assoc) (1u << ((assoc) >> 4))
#define ASSOC_ANY                                                                                  \
	(ASSOC_BIT(SCSI_DESIG_ASSOC_LU) | ASSOC_BIT(SCSI_DESIG_ASSOC_PORT) |                       \
	 ASSOC_BIT(SCSI_DESIG_ASSOC_TARGET))

/* One row per designator type: what SPC-4 says of its format. */
struct desig_format {
	const char *name;
	uint8_t codeset; /* the code set it must have; 0: any that is not reserved */
	unsigned assocs; /* ASSOC_BIT of each association it may have */
	const char *why_assoc;
	/* Length and content; 0 or -EINVAL with *why. */
	int (*check)(const struct scsi_desig *d, const char **why);
};

static int check_none(const struct scsi_desig *d, const char **why)
{
	(void)d;
	(void)why;
	return 0;
}

static int check_t10(const struct scsi_desig *d, const char **why)
{
	size_t i;

	/* SPC-4 §7.8.6.4: T10 VENDOR IDENTIFICATION is 8 bytes, the vendor's part may be empty */
	if (d->len < SCSI_T10_VENDOR_LEN) {
		*why = "T10 vendor ID designator shorter than its 8-byte vendor identification";
		return -EINVAL;
	}
	/* SPC-4 §4.4.1: ASCII data fields hold graphic codes 20h to 7Eh only */
	for (i = 0; i < d->len; i++)
		if (d->id[i] < 0x20 || d->id[i] > 0x7e) {
			*why = "T10 vendor ID designator with a byte outside ASCII 20h-7Eh";
			return -EINVAL;
		}
	return 0;
}

static int check_eui64(const struct scsi_desig *d, const char **why)
{
	/* SPC-4 §7.8.6.5: EUI-64, or 4 or 8 bytes of IDENTIFIER EXTENSION before it */
	if (d->len != 8 && d->len != 12 && d->len != 16) {
		*why = "EUI-64 based designator of a length other than 8, 12 or 16";
		return -EINVAL;
	}
	return 0;
}

static int check_naa(const struct scsi_desig *d, const char **why)
{
	switch (scsi_desig_naa(d)) {
	case SCSI_NAA_IEEE_EXT: /* SPC-4 §7.8.6.6.2 */
	case SCSI_NAA_LOCAL:	/* SPC-4 §7.8.6.6.3 */
	case SCSI_NAA_IEEE_REG: /* SPC-4 §7.8.6.6.4 */
		if (d->len == 8)
			return 0;
		*why = "NAA 2h, 3h or 5h designator not 8 bytes long";
		return -EINVAL;
	case SCSI_NAA_IEEE_REG_EXT: /* SPC-4 §7.8.6.6.5 */
		if (d->len == 16)
			return 0;
		*why = "NAA 6h (IEEE Registered Extended) designator not 16 bytes long";
		return -EINVAL;
	case -EINVAL:
		*why = "empty NAA designator";
		return -EINVAL;
	default:
		/* SPC-4 §7.8.6.6.1: the other NAA values are reserved */
		*why = "NAA designator with a reserved NAA field";
		return -EINVAL;
	}
}

static int check_port_id(const struct scsi_desig *d, const char **why)
{
	const struct scsi_desig_port_id *p = (const struct scsi_desig_port_id *)d->id;

	/* SPC-4 §7.8.6.7, §7.8.6.8, §7.8.6.9: 2 reserved bytes, then a 2-byte number */
	if (d->len != sizeof(*p)) {
		*why = "relative port, port group or LU group designator not 4 bytes long";
		return -EINVAL;
	}
	/* SPC-4 §7.8.6.7: relative target port identifier 0 is reserved */
	if (d->type == SCSI_DESIG_TYPE_REL_PORT && !get_be16(p->id)) {
		*why = "relative target port identifier 0, which is reserved";
		return -EINVAL;
	}
	return 0;
}

static int check_md5(const struct scsi_desig *d, const char **why)
{
	/* SPC-4 §7.8.6.10: a 16-byte MD5 digest */
	if (d->len != 16) {
		*why = "MD5 logical unit designator not 16 bytes long";
		return -EINVAL;
	}
	return 0;
}

static int check_name(const struct scsi_desig *d, const char **why)
{
	/*
	 * SPC-4 §7.8.6.11: a UTF-8 string starting "eui.", "naa." or "iqn.",
	 * NUL-terminated and NUL-padded to a multiple of 4 bytes.
	 */
	if (!d->len || d->len % 4) {
		*why = "SCSI name string designator whose length is not a multiple of 4";
		return -EINVAL;
	}
	if (!memchr(d->id, '\0', d->len)) {
		*why = "SCSI name string designator without its terminating NUL";
		return -EINVAL;
	}
	if (memcmp(d->id, "eui.", 4) && memcmp(d->id, "naa.", 4) && memcmp(d->id, "iqn.", 4)) {
		*why = "SCSI name string that starts with none of eui., naa. and iqn.";
		return -EINVAL;
	}
	return 0;
}

static int check_proto_port(const struct scsi_desig *d, const char **why)
{
	/* SPC-4 §7.8.6.12: its format is the protocol's, so the protocol must be given */
	if (!d->piv) {
		*why = "protocol specific port identifier without PIV set";
		return -EINVAL;
	}
	return 0;
}

static int check_uuid(const struct scsi_desig *d, const char **why)
{
	/* SPC-5's UUID designator: 2 bytes of header, then a 16-byte UUID */
	if (d->len != 18) {
		*why = "UUID designator not 18 bytes long";
		return -EINVAL;
	}
	return 0;
}

static const struct desig_format desig_formats[] = {
    /* SPC-4 §7.8.6.3 */
    [SCSI_DESIG_TYPE_VENDOR] = {.name = "vendor specific",
				.assocs = ASSOC_ANY,
				.check = check_none},
    /* SPC-4 §7.8.6.4 */
    [SCSI_DESIG_TYPE_T10] = {.name = "T10 vendor ID",
			     .codeset = SCSI_DESIG_CODESET_ASCII,
			     .assocs = ASSOC_ANY,
			     .check = check_t10},
    /* SPC-4 §7.8.6.5 */
    [SCSI_DESIG_TYPE_EUI64] = {.name = "EUI-64",
			       .codeset = SCSI_DESIG_CODESET_BINARY,
			       .assocs = ASSOC_ANY,
			       .check = check_eui64},
    /* SPC-4 §7.8.6.6 */
    [SCSI_DESIG_TYPE_NAA] = {.name = "NAA",
			     .codeset = SCSI_DESIG_CODESET_BINARY,
			     .assocs = ASSOC_ANY,
			     .check = check_naa},
    /* SPC-4 §7.8.6.7 */
    [SCSI_DESIG_TYPE_REL_PORT] = {.name = "relative target port",
				  .codeset = SCSI_DESIG_CODESET_BINARY,
				  .assocs = ASSOC_BIT(SCSI_DESIG_ASSOC_PORT),
				  .why_assoc =
				      "relative target port designator not of a target port",
				  .check = check_port_id},
    /* SPC-4 §7.8.6.8 */
    [SCSI_DESIG_TYPE_TPG] = {.name = "target port group",
			     .codeset = SCSI_DESIG_CODESET_BINARY,
			     .assocs = ASSOC_BIT(SCSI_DESIG_ASSOC_PORT),
			     .why_assoc = "target port group designator not of a target port",
			     .check = check_port_id},
    /* SPC-4 §7.8.6.9 */
    [SCSI_DESIG_TYPE_LU_GROUP] = {.name = "logical unit group",
				  .codeset = SCSI_DESIG_CODESET_BINARY,
				  .assocs = ASSOC_BIT(SCSI_DESIG_ASSOC_LU),
				  .why_assoc =
				      "logical unit group designator not of a logical unit",
				  .check = check_port_id},
    /* SPC-4 §7.8.6.10 */
    [SCSI_DESIG_TYPE_MD5] = {.name = "MD5 logical unit",
			     .codeset = SCSI_DESIG_CODESET_BINARY,
			     .assocs = ASSOC_BIT(SCSI_DESIG_ASSOC_LU),
			     .why_assoc = "MD5 logical unit designator not of a logical unit",
			     .check = check_md5},
    /* SPC-4 §7.8.6.11 */
    [SCSI_DESIG_TYPE_SCSI_NAME] = {.name = "SCSI name string",
				   .codeset = SCSI_DESIG_CODESET_UTF8,
				   .assocs = ASSOC_ANY,
				   .check = check_name},
    /* SPC-4 §7.8.6.12 */
    [SCSI_DESIG_TYPE_PROTO_PORT] = {.name = "protocol specific port",
				    .assocs = ASSOC_BIT(SCSI_DESIG_ASSOC_PORT),
				    .why_assoc =
					"protocol specific port identifier not of a target port",
				    .check = check_proto_port},
    /* SPC-5 */
    [SCSI_DESIG_TYPE_UUID] = {.name = "UUID",
			      .codeset = SCSI_DESIG_CODESET_BINARY,
			      .assocs = ASSOC_ANY,
			      .check = check_uuid},
};

static const struct desig_format *desig_format(uint8_t type)
{
	return type < ARRAY_SIZE(desig_formats) && desig_formats[type].name ? &desig_formats[type]
									    : NULL;
}

const char *scsi_desig_type_name(uint8_t type)
{
	const struct desig_format *f = desig_format(type);

	return f ? f->name : "reserved";
}

int scsi_desig_check(const struct scsi_desig *d, const char **why)
{
	const struct desig_format *f = desig_format(d->type);
	const char *dummy;

	if (!why)
		why = &dummy;
	/* SPC-4 §7.8.6.1: designator types Bh-Fh are reserved (Ah is SPC-5's UUID) */
	if (!f) {
		*why = "reserved designator type";
		return -EINVAL;
	}
	/* SPC-4 §7.8.6.1: association 11b is reserved */
	if (d->assoc == SCSI_DESIG_ASSOC_RESERVED) {
		*why = "reserved association";
		return -EINVAL;
	}
	if (!(f->assocs & ASSOC_BIT(d->assoc))) {
		*why = f->why_assoc;
		return -EINVAL;
	}
	/* SPC-4 §7.8.6.1: code sets 0h and 4h-Fh are reserved */
	if (d->codeset < SCSI_DESIG_CODESET_BINARY || d->codeset > SCSI_DESIG_CODESET_UTF8) {
		*why = "reserved code set";
		return -EINVAL;
	}
	if (f->codeset && d->codeset != f->codeset) {
		*why = f->codeset == SCSI_DESIG_CODESET_BINARY	? "designator type requires binary"
		       : f->codeset == SCSI_DESIG_CODESET_ASCII ? "designator type requires ASCII"
								: "designator type requires UTF-8";
		return -EINVAL;
	}
	return f->check(d, why);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The copy manager's wire (xcopy.h): the EXTENDED COPY (LID1) parameter
 * list, RECEIVE COPY RESULTS data and the Third-party Copy VPD page. Pure:
 * bytes in, values out.
 *
 * What is taken: identification CSCD descriptors (E4h) naming a logical
 * unit by a binary NAA designator, of a block device, and block device to
 * block device segment descriptors (02h), with no inline data. Everything
 * else is refused with the sense SPC-4 gives for it.
 */
#include <string.h>

#include "common/be.h"
#include "common/scsi_proto.h"
#include "common/util.h"
#include "target/scsi/xcopy.h"

/* SPC-4 §7.8.6: the designation descriptor's fields */
#define DESIG_CODESET_BINARY 0x1
#define DESIG_ASSOC_LU 0x0
#define DESIG_TYPE_NAA 0x3

static enum sense_reason xcopy_field(uint32_t *field, size_t at, enum sense_reason r)
{
	*field = (uint32_t)at;
	return r;
}

static enum sense_reason xcopy_parse_cscds(const uint8_t *p, size_t start, size_t end,
					   struct xcopy_list *out, uint32_t *field)
{
	size_t off;

	for (off = start; off < end; off += sizeof(struct scsi_xcopy_cscd_ident)) {
		const struct scsi_xcopy_cscd_ident *d = (const void *)(p + off);
		struct xcopy_cscd *c;
		uint8_t dlen;

		/* SPC-4 §6.4: more CSCD descriptors than MAXIMUM CSCD DESCRIPTOR COUNT */
		if (out->ncscd == XCOPY_MAX_CSCD)
			return SENSE_TOO_MANY_TARGET_DESCRIPTORS;
		/* SPC-4 §6.4: a type code the copy manager does not implement */
		if (d->type != SCSI_XCOPY_CSCD_IDENT)
			return xcopy_field(field, off, SENSE_UNSUPPORTED_TARGET_DESCRIPTOR_TYPE);
		/* the list ends inside the descriptor: its length field is wrong */
		if (end - off < sizeof(*d))
			return xcopy_field(field, offsetof(struct scsi_xcopy_hdr, cscd_list_len),
					   SENSE_INVALID_FIELD_IN_PARAM_LIST);
		/*
		 * SPC-4 §6.4: PERIPHERAL DEVICE TYPE says which device type
		 * specific parameters follow; only a block device's are known
		 * here. (LU ID TYPE and NUL do not apply to E4h descriptors and
		 * are ignored; the RELATIVE INITIATOR PORT IDENTIFIER names a port
		 * of ours, of which an I_T nexus has one.)
		 */
		if (d->dev_type & 0x1f)
			return xcopy_field(field,
					   off + offsetof(struct scsi_xcopy_cscd_ident, dev_type),
					   SENSE_INVALID_FIELD_IN_PARAM_LIST);
		dlen = d->desig[3];
		/* SPC-4 §6.4: the designator fits the descriptor's 20 bytes */
		if (dlen > sizeof(d->desig) - 4)
			return xcopy_field(field,
					   off + offsetof(struct scsi_xcopy_cscd_ident, desig) + 3,
					   SENSE_INVALID_FIELD_IN_PARAM_LIST);
		c = &out->cscd[out->ncscd++];
		c->off = (uint32_t)off;
		c->lu_naa = (d->desig[0] & 0x0f) == DESIG_CODESET_BINARY &&
			    ((d->desig[1] >> 4) & 0x3) == DESIG_ASSOC_LU &&
			    (d->desig[1] & 0x0f) == DESIG_TYPE_NAA;
		c->naa_len = dlen;
		memcpy(c->naa, d->desig + 4, dlen);
		c->block_len = get_be24(d->block_len);
	}
	return SENSE_OK;
}

static enum sense_reason xcopy_parse_segs(const uint8_t *p, size_t start, size_t end,
					  struct xcopy_list *out, uint32_t *field)
{
	size_t off = start;

	while (off < end) {
		const struct scsi_xcopy_seg_b2b *d = (const void *)(p + off);
		struct xcopy_seg *s;
		uint16_t src, dst;

		if (end - off < SCSI_XCOPY_SEG_HDR_LEN)
			return xcopy_field(field, offsetof(struct scsi_xcopy_hdr, seg_list_len),
					   SENSE_INVALID_FIELD_IN_PARAM_LIST);
		/* SPC-4 §6.4: more than MAXIMUM SEGMENT DESCRIPTOR COUNT */
		if (out->nseg == XCOPY_MAX_SEGMENTS)
			return SENSE_TOO_MANY_SEGMENT_DESCRIPTORS;
		/* SPC-4 §6.4: a segment type the copy manager does not implement */
		if (d->type != SCSI_XCOPY_SEG_BLOCK_TO_BLOCK)
			return xcopy_field(field, off, SENSE_UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE);
		/* SPC-4 §6.4: DESCRIPTOR LENGTH is 0018h */
		if (get_be16(d->desc_len) != sizeof(*d) - SCSI_XCOPY_SEG_HDR_LEN)
			return xcopy_field(field,
					   off + offsetof(struct scsi_xcopy_seg_b2b, desc_len),
					   SENSE_INVALID_FIELD_IN_PARAM_LIST);
		if (end - off < sizeof(*d))
			return xcopy_field(field, offsetof(struct scsi_xcopy_hdr, seg_list_len),
					   SENSE_INVALID_FIELD_IN_PARAM_LIST);
		src = get_be16(d->src);
		dst = get_be16(d->dst);
		/*
		 * SPC-4 §6.4: a CSCD DESCRIPTOR ID names an entry of the CSCD
		 * descriptor list (0000h-07FFh); one beyond it, or an ID of the
		 * ranges this copy manager does not implement, is a copy target
		 * it cannot reach.
		 */
		if (src >= out->ncscd)
			return xcopy_field(field, off + offsetof(struct scsi_xcopy_seg_b2b, src),
					   SENSE_COPY_TARGET_NOT_REACHABLE);
		if (dst >= out->ncscd)
			return xcopy_field(field, off + offsetof(struct scsi_xcopy_seg_b2b, dst),
					   SENSE_COPY_TARGET_NOT_REACHABLE);
		s = &out->seg[out->nseg++];
		s->off = (uint32_t)off;
		s->src = src;
		s->dst = dst;
		s->dc = d->flags & 0x02;
		s->nblocks = get_be16(d->nblocks);
		s->src_lba = get_be64(d->src_lba);
		s->dst_lba = get_be64(d->dst_lba);
		off += sizeof(*d);
	}
	return SENSE_OK;
}

enum sense_reason xcopy_parse_list(const uint8_t *p, size_t len, struct xcopy_list *out,
				   uint32_t *field)
{
	const struct scsi_xcopy_hdr *h = (const void *)p;
	uint64_t cscd_len, seg_len, inline_len;
	enum sense_reason r;
	size_t start;

	memset(out, 0, sizeof(*out));
	*field = XCOPY_NO_FIELD;
	/* SPC-4 §6.4: a list shorter than its header, or than the lengths in it */
	if (len < sizeof(*h))
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	cscd_len = get_be16(h->cscd_list_len);
	seg_len = get_be32(h->seg_list_len);
	inline_len = get_be32(h->inline_len);
	if (sizeof(*h) + cscd_len + seg_len + inline_len > len)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	/* SPC-4 §6.4: the descriptor lists longer than MAXIMUM DESCRIPTOR LIST LENGTH */
	if (cscd_len + seg_len > XCOPY_MAX_DESC_LIST)
		return SENSE_PARAM_LIST_LENGTH_ERROR;
	/* MAXIMUM INLINE DATA LENGTH is 0: no segment here reads inline data */
	if (inline_len)
		return xcopy_field(field, offsetof(struct scsi_xcopy_hdr, inline_len),
				   SENSE_INVALID_FIELD_IN_PARAM_LIST);
	out->list_id = h->list_id;
	out->usage = SCSI_XCOPY_LIST_ID_USAGE(h->flags);
	out->priority = SCSI_XCOPY_PRIORITY(h->flags);
	/* SPC-4 §6.4: 01b is reserved; 11b takes no LIST IDENTIFIER but zero */
	if (out->usage == 0x1)
		return xcopy_field(field, offsetof(struct scsi_xcopy_hdr, flags),
				   SENSE_INVALID_FIELD_IN_PARAM_LIST);
	if (out->usage == SCSI_XCOPY_LIST_ID_NONE && out->list_id)
		return xcopy_field(field, offsetof(struct scsi_xcopy_hdr, list_id),
				   SENSE_INVALID_FIELD_IN_PARAM_LIST);
	start = sizeof(*h);
	r = xcopy_parse_cscds(p, start, start + (size_t)cscd_len, out, field);
	if (r != SENSE_OK)
		return r;
	start += (size_t)cscd_len;
	return xcopy_parse_segs(p, start, start + (size_t)seg_len, out, field);
}

/* The descriptor type codes the copy manager implements, for both lists of them. */
static const uint8_t xcopy_codes[] = {SCSI_XCOPY_SEG_BLOCK_TO_BLOCK, SCSI_XCOPY_CSCD_IDENT};

static uint8_t xcopy_log2(uint32_t v)
{
	uint8_t n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

static uint32_t xcopy_max_segment_bytes(uint32_t block_size)
{
	uint64_t n = (uint64_t)XCOPY_MAX_SEGMENT_BLOCKS * block_size;

	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

size_t xcopy_build_op_params(uint8_t *p, size_t size, uint32_t block_size)
{
	struct scsi_rcr_op_params h;
	size_t len = sizeof(h) + sizeof(xcopy_codes);

	if (size < len)
		return 0;
	memset(&h, 0, sizeof(h));
	put_be32(h.avail, (uint32_t)(len - 4));
	h.snlid = 0x01; /* LIST ID USAGE 11b is taken */
	put_be16(h.max_cscd, XCOPY_MAX_CSCD);
	put_be16(h.max_segs, XCOPY_MAX_SEGMENTS);
	put_be32(h.max_desc_list, XCOPY_MAX_DESC_LIST);
	put_be32(h.max_seg_len, xcopy_max_segment_bytes(block_size));
	/* no inline data, no held data (no segment type here makes any), no stream devices */
	put_be16(h.total_copies, XCOPY_HELD);
	h.max_copies = XCOPY_HELD;
	h.data_seg_gran = xcopy_log2(block_size);
	h.codes_len = sizeof(xcopy_codes);
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), xcopy_codes, sizeof(xcopy_codes));
	return len;
}

size_t xcopy_build_copy_status(uint8_t *p, enum xcopy_status status, uint16_t segs, uint64_t bytes)
{
	struct scsi_rcr_copy_status s;
	uint8_t units = 0;

	/* SPC-4 §6.18: bytes, then KiB, MiB, ... while the count does not fit */
	while (bytes > UINT32_MAX && units < 6) {
		bytes >>= 10;
		units++;
	}
	memset(&s, 0, sizeof(s));
	put_be32(s.avail, sizeof(s) - 4);
	s.status = (uint8_t)status & 0x7f; /* HDD 0: no held data was discarded */
	put_be16(s.segs, segs);
	s.units = units;
	put_be32(s.count, (uint32_t)MIN(bytes, (uint64_t)UINT32_MAX));
	memcpy(p, &s, sizeof(s));
	return sizeof(s);
}

/* Third-party copy descriptor types (SPC-4 §7.8.17). */
#define TPC_DESC_SUPPORTED_COMMANDS 0x0001
#define TPC_DESC_PARAMETER_DATA 0x0004
#define TPC_DESC_SUPPORTED_DESCRIPTORS 0x0008
#define TPC_DESC_GENERAL_COPY_OPERATIONS 0x8001

/*
 * Starts a third-party copy descriptor at p + off with body bytes (header
 * excluded), padded to a multiple of 4 (SPC-4 §7.8.17); returns its full
 * length, or 0 when it does not fit.
 */
static size_t tpc_desc(uint8_t *p, size_t size, size_t off, uint16_t type, size_t body)
{
	size_t len = 4 + ((body + 3) & ~(size_t)3);

	if (off > size || size - off < len)
		return 0;
	memset(p + off, 0, len);
	put_be16(p + off, type);
	put_be16(p + off + 2, (uint16_t)(len - 4));
	return len;
}

size_t xcopy_build_vpd(uint8_t *p, size_t size, uint32_t block_size)
{
	/* SPC-4 §7.8.17: each command with the service actions the copy manager takes */
	static const uint8_t cmds[] = {
	    SCSI_OP_EXTENDED_COPY,	   1, SCSI_XCOPY_LID1,
	    SCSI_OP_RECEIVE_COPY_RESULTS,  2, SCSI_RCR_COPY_STATUS,
	    SCSI_RCR_OPERATING_PARAMETERS,
	};
	size_t off = 4, n;

	if (size < off)
		return 0;
	p[1] = SCSI_VPD_THIRD_PARTY_COPY;

	n = tpc_desc(p, size, off, TPC_DESC_SUPPORTED_COMMANDS, 1 + sizeof(cmds));
	if (!n)
		return 0;
	p[off + 4] = sizeof(cmds);
	memcpy(p + off + 5, cmds, sizeof(cmds));
	off += n;

	/* SPC-4 §7.8.17: Parameter Data, the limits of an EXTENDED COPY (LID1) */
	n = tpc_desc(p, size, off, TPC_DESC_PARAMETER_DATA, 28);
	if (!n)
		return 0;
	put_be16(p + off + 8, XCOPY_MAX_CSCD);
	put_be16(p + off + 10, XCOPY_MAX_SEGMENTS);
	put_be32(p + off + 12, XCOPY_MAX_DESC_LIST);
	put_be32(p + off + 16, 0); /* MAXIMUM INLINE DATA LENGTH */
	off += n;

	/* SPC-4 §7.8.17: Supported Descriptors, segment and CSCD type codes */
	n = tpc_desc(p, size, off, TPC_DESC_SUPPORTED_DESCRIPTORS, 1 + sizeof(xcopy_codes));
	if (!n)
		return 0;
	p[off + 4] = sizeof(xcopy_codes);
	memcpy(p + off + 5, xcopy_codes, sizeof(xcopy_codes));
	off += n;

	/* SPC-4 §7.8.17: General Copy Operations */
	n = tpc_desc(p, size, off, TPC_DESC_GENERAL_COPY_OPERATIONS, 32);
	if (!n)
		return 0;
	put_be32(p + off + 4, XCOPY_HELD); /* TOTAL CONCURRENT COPIES */
	put_be32(p + off + 8, XCOPY_HELD); /* MAXIMUM IDENTIFIED CONCURRENT COPIES */
	put_be32(p + off + 12, xcopy_max_segment_bytes(block_size));
	p[off + 16] = xcopy_log2(block_size); /* DATA SEGMENT GRANULARITY */
	p[off + 17] = 0;		      /* INLINE DATA GRANULARITY */
	off += n;

	put_be16(p + 2, (uint16_t)(off - 4));
	return off;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The copy manager (target/scsi/xcopy.c, xcopy_exec.c): the EXTENDED COPY
 * parameter list's parser field by field, the RECEIVE COPY RESULTS data
 * and VPD 0x8F, and copies through the engine within one in-memory LU and
 * across two, with the refusals (unreachable LUs, write protection,
 * reservations, ranges), the held results and an abort between chunks.
 */
#include "tests/unit/target/scsi/scsi_test_util.h"
#include "target/scsi/xcopy.h"

#define T_COPY_ABORTED 0x0a0000u
#define T_NOT_REACHABLE 0x0a0d02u
#define T_TARGET_FAILURE 0x0a0d01u
#define T_TOO_MANY_TGT 0x052606u
#define T_TOO_MANY_SEG 0x052608u
#define T_UNSUP_TGT 0x052607u
#define T_UNSUP_SEG 0x052609u
#define T_IN_PROGRESS 0x050016u

static const uint8_t naa0[8] = {0x60, 0x01, 0x40, 0x50, 0x0a, 0x0b, 0x0c, 0x0d};
static const uint8_t naa1[8] = {0x60, 0x01, 0x40, 0x50, 0x0a, 0x0b, 0x0c, 0x0e};

/* ---- building parameter lists ---- */

struct plist {
	uint8_t b[4096];
	size_t cscd_len;
	size_t seg_len;
};

static void pl_init(struct plist *p, uint8_t list_id, uint8_t usage)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = list_id;
	p->b[1] = (uint8_t)(usage << 3);
}

static size_t pl_cscd_at(const struct plist *p)
{
	return 16 + p->cscd_len;
}

static void pl_cscd(struct plist *p, const uint8_t *naa, uint32_t block_len)
{
	uint8_t *d = p->b + pl_cscd_at(p);

	d[0] = 0xe4;
	d[4] = 0x01; /* code set binary */
	d[5] = 0x03; /* association LU, type NAA */
	d[7] = 8;    /* designator length */
	memcpy(d + 8, naa, 8);
	put_be24(d + 29, block_len);
	p->cscd_len += 32;
}

static uint8_t *pl_seg(struct plist *p, uint16_t src, uint16_t dst, uint16_t n, uint64_t src_lba,
		       uint64_t dst_lba)
{
	uint8_t *d = p->b + pl_cscd_at(p) + p->seg_len;

	d[0] = 0x02;
	put_be16(d + 2, 0x18);
	put_be16(d + 4, src);
	put_be16(d + 6, dst);
	put_be16(d + 10, n);
	put_be64(d + 12, src_lba);
	put_be64(d + 20, dst_lba);
	p->seg_len += 28;
	return d;
}

/* Writes the header's lengths; returns the list's length. */
static size_t pl_done(struct plist *p)
{
	put_be16(p->b + 2, (uint16_t)p->cscd_len);
	put_be32(p->b + 8, (uint32_t)p->seg_len);
	return 16 + p->cscd_len + p->seg_len;
}

static enum sense_reason pl_parse(struct plist *p, size_t len, struct xcopy_list *out,
				  uint32_t *field)
{
	return xcopy_parse_list(p->b, len, out, field);
}

/* ---- the parser ---- */

START_TEST(test_parse_simple)
{
	struct plist p;
	struct xcopy_list l;
	uint32_t field;
	uint8_t *s;
	size_t len;

	pl_init(&p, 7, SCSI_XCOPY_LIST_ID_HOLD);
	p.b[1] |= 0x05; /* PRIORITY */
	pl_cscd(&p, naa0, 512);
	pl_cscd(&p, naa1, 4096);
	s = pl_seg(&p, 0, 1, 300, 0x1122334455667788ull, 42);
	s[1] = 0x02; /* DC */
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_OK);
	ck_assert_uint_eq(field, XCOPY_NO_FIELD);
	ck_assert_uint_eq(l.list_id, 7);
	ck_assert_uint_eq(l.usage, SCSI_XCOPY_LIST_ID_HOLD);
	ck_assert_uint_eq(l.priority, 5);
	ck_assert_uint_eq(l.ncscd, 2);
	ck_assert(l.cscd[0].lu_naa);
	ck_assert_uint_eq(l.cscd[0].naa_len, 8);
	ck_assert_mem_eq(l.cscd[0].naa, naa0, 8);
	ck_assert_uint_eq(l.cscd[0].block_len, 512);
	ck_assert_uint_eq(l.cscd[0].off, 16);
	ck_assert_uint_eq(l.cscd[1].block_len, 4096);
	ck_assert_uint_eq(l.cscd[1].off, 48);
	ck_assert_uint_eq(l.nseg, 1);
	ck_assert_uint_eq(l.seg[0].off, 80);
	ck_assert_uint_eq(l.seg[0].src, 0);
	ck_assert_uint_eq(l.seg[0].dst, 1);
	ck_assert(l.seg[0].dc);
	ck_assert_uint_eq(l.seg[0].nblocks, 300);
	ck_assert_uint_eq(l.seg[0].src_lba, 0x1122334455667788ull);
	ck_assert_uint_eq(l.seg[0].dst_lba, 42);
}
END_TEST

START_TEST(test_parse_designators)
{
	struct plist p;
	struct xcopy_list l;
	uint32_t field;
	size_t len;

	/* a T10 vendor ID designator, a port's NAA, a text code set: parsed, but no LU's NAA */
	static const uint8_t bad[][2] = {{0x01, 0x01}, {0x01, 0x13}, {0x02, 0x03}};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
		pl_cscd(&p, naa0, 512);
		p.b[16 + 4] = bad[i][0];
		p.b[16 + 5] = bad[i][1];
		len = pl_done(&p);
		ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_OK);
		ck_assert(!l.cscd[0].lu_naa);
	}
	/* LU ID TYPE, NUL and the relative port: ignored for E4h */
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, 512);
	p.b[17] = 0xe0;
	p.b[19] = 0x01;
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_OK);
	ck_assert(l.cscd[0].lu_naa);
	/* a designator longer than the descriptor holds */
	p.b[16 + 7] = 17;
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(field, 16 + 7);
	/* another peripheral device type than a block device */
	p.b[16 + 7] = 8;
	p.b[17] = 0x01;
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(field, 17);
}
END_TEST

START_TEST(test_parse_lengths)
{
	struct plist p;
	struct xcopy_list l;
	uint32_t field;
	size_t len;

	pl_init(&p, 1, SCSI_XCOPY_LIST_ID_HOLD);
	pl_cscd(&p, naa0, 512);
	pl_seg(&p, 0, 0, 1, 0, 1);
	len = pl_done(&p);
	/* shorter than the header, or than what the header says */
	ck_assert_int_eq(pl_parse(&p, 15, &l, &field), SENSE_PARAM_LIST_LENGTH_ERROR);
	ck_assert_int_eq(pl_parse(&p, 16 + 31, &l, &field), SENSE_PARAM_LIST_LENGTH_ERROR);
	ck_assert_int_eq(pl_parse(&p, len - 1, &l, &field), SENSE_PARAM_LIST_LENGTH_ERROR);
	ck_assert_uint_eq(field, XCOPY_NO_FIELD);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_OK);
	/* a longer list than the header's lengths is fine */
	ck_assert_int_eq(pl_parse(&p, len + 100, &l, &field), SENSE_OK);
	/* inline data: none is taken */
	put_be32(p.b + 12, 4);
	ck_assert_int_eq(pl_parse(&p, len + 4, &l, &field), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(field, 12);
	put_be32(p.b + 12, 0);
	/* a CSCD list length that cuts a descriptor */
	put_be16(p.b + 2, 31);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(field, 2);
	put_be16(p.b + 2, 32);
	/* a segment list length that cuts a descriptor, or its header */
	put_be32(p.b + 8, 27);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(field, 8);
	put_be32(p.b + 8, 30);
	ck_assert_int_eq(pl_parse(&p, len + 2, &l, &field), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(field, 8);
	put_be32(p.b + 8, 28);
	/* a DESCRIPTOR LENGTH other than 0018h */
	put_be16(p.b + 48 + 2, 0x1c);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(field, 50);
}
END_TEST

START_TEST(test_parse_list_id_usage)
{
	struct plist p;
	struct xcopy_list l;
	uint32_t field;
	size_t len;

	pl_init(&p, 3, 0x1); /* reserved */
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(field, 1);
	pl_init(&p, 3, SCSI_XCOPY_LIST_ID_NONE); /* no list identifier, yet one given */
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_INVALID_FIELD_IN_PARAM_LIST);
	ck_assert_uint_eq(field, 0);
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_OK);
	pl_init(&p, 9, SCSI_XCOPY_LIST_ID_DISCARD);
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_OK);
	ck_assert_uint_eq(l.usage, SCSI_XCOPY_LIST_ID_DISCARD);
	ck_assert_uint_eq(l.list_id, 9);
}
END_TEST

START_TEST(test_parse_types_and_limits)
{
	struct plist p;
	struct xcopy_list l;
	uint32_t field;
	size_t len, i;

	/* a Fibre Channel N_Port_Name CSCD (E0h) */
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, 512);
	p.b[16] = 0xe0;
	pl_seg(&p, 0, 0, 1, 0, 1);
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_UNSUPPORTED_TARGET_DESCRIPTOR_TYPE);
	ck_assert_uint_eq(field, 16);
	/* a stream to stream segment (03h) */
	p.b[16] = 0xe4;
	p.b[48] = 0x03;
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE);
	ck_assert_uint_eq(field, 48);
	/* a segment naming a CSCD the list does not have */
	p.b[48] = 0x02;
	put_be16(p.b + 48 + 6, 1);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_COPY_TARGET_NOT_REACHABLE);
	ck_assert_uint_eq(field, 54);
	put_be16(p.b + 48 + 6, 0);
	put_be16(p.b + 48 + 4, 0x07ff);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_COPY_TARGET_NOT_REACHABLE);
	ck_assert_uint_eq(field, 52);

	/* the counts: at the limit taken, one more refused */
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	for (i = 0; i < XCOPY_MAX_CSCD; i++)
		pl_cscd(&p, naa0, 512);
	pl_seg(&p, 0, 0, 1, 0, 1);
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_OK);
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	for (i = 0; i < XCOPY_MAX_CSCD + 1; i++)
		pl_cscd(&p, naa0, 512);
	pl_seg(&p, 0, 0, 1, 0, 1);
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_TOO_MANY_TARGET_DESCRIPTORS);
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, 512);
	for (i = 0; i < XCOPY_MAX_SEGMENTS; i++)
		pl_seg(&p, 0, 0, 1, 0, 1);
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_OK);
	ck_assert_uint_eq(l.nseg, XCOPY_MAX_SEGMENTS);
	pl_seg(&p, 0, 0, 1, 0, 1);
	len = pl_done(&p);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_TOO_MANY_SEGMENT_DESCRIPTORS);
	/* within both counts but longer than the descriptor list may be */
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	for (i = 0; i < XCOPY_MAX_CSCD; i++)
		pl_cscd(&p, naa0, 512);
	for (i = 0; i < XCOPY_MAX_SEGMENTS; i++)
		pl_seg(&p, 0, 0, 1, 0, 1);
	len = pl_done(&p);
	ck_assert_uint_gt(len - 16, XCOPY_MAX_DESC_LIST);
	ck_assert_int_eq(pl_parse(&p, len, &l, &field), SENSE_PARAM_LIST_LENGTH_ERROR);
}
END_TEST

/* Every prefix of a valid list and every byte value at every place: bounded, never past len. */
START_TEST(test_parse_fuzz_bounds)
{
	struct plist p;
	struct xcopy_list l;
	uint32_t field;
	size_t len, i;

	pl_init(&p, 1, SCSI_XCOPY_LIST_ID_HOLD);
	pl_cscd(&p, naa0, 512);
	pl_cscd(&p, naa1, 512);
	pl_seg(&p, 0, 1, 8, 0, 8);
	len = pl_done(&p);
	for (i = 0; i <= len; i++) {
		uint8_t *copy = malloc(i ? i : 1);

		memcpy(copy, p.b, i);
		(void)xcopy_parse_list(copy, i, &l, &field);
		free(copy);
	}
	for (i = 0; i < len; i++) {
		uint8_t keep = p.b[i];

		for (unsigned int v = 0; v < 256; v += 17) {
			p.b[i] = (uint8_t)v;
			if (xcopy_parse_list(p.b, len, &l, &field) == SENSE_OK) {
				ck_assert_uint_le(l.ncscd, XCOPY_MAX_CSCD);
				ck_assert_uint_le(l.nseg, XCOPY_MAX_SEGMENTS);
			}
		}
		p.b[i] = keep;
	}
}
END_TEST

/* ---- the builders ---- */

START_TEST(test_op_params)
{
	uint8_t p[64];
	size_t n;

	ck_assert_uint_eq(xcopy_build_op_params(p, 45, 512), 0);
	n = xcopy_build_op_params(p, sizeof(p), 512);
	ck_assert_uint_eq(n, 46);
	ck_assert_uint_eq(get_be32(p), 42);
	ck_assert_uint_eq(p[4], 0x01); /* SNLID */
	ck_assert_uint_eq(get_be16(p + 8), XCOPY_MAX_CSCD);
	ck_assert_uint_eq(get_be16(p + 10), XCOPY_MAX_SEGMENTS);
	ck_assert_uint_eq(get_be32(p + 12), XCOPY_MAX_DESC_LIST);
	ck_assert_uint_eq(get_be32(p + 16), 65535u * 512);
	ck_assert_uint_eq(get_be32(p + 20), 0); /* inline */
	ck_assert_uint_eq(get_be32(p + 24), 0); /* held data */
	ck_assert_uint_eq(get_be32(p + 28), 0); /* stream */
	ck_assert_uint_eq(get_be16(p + 34), XCOPY_HELD);
	ck_assert_uint_eq(p[36], XCOPY_HELD);
	ck_assert_uint_eq(p[37], 9); /* 512 = 2^9 */
	ck_assert_uint_eq(p[43], 2);
	ck_assert_uint_eq(p[44], 0x02);
	ck_assert_uint_eq(p[45], 0xe4);
	xcopy_build_op_params(p, sizeof(p), 4096);
	ck_assert_uint_eq(get_be32(p + 16), 65535u * 4096);
	ck_assert_uint_eq(p[37], 12);
}
END_TEST

START_TEST(test_copy_status)
{
	uint8_t p[12];

	ck_assert_uint_eq(xcopy_build_copy_status(p, XCOPY_STATUS_DONE, 3, 1048576), 12);
	ck_assert_uint_eq(get_be32(p), 8);
	ck_assert_uint_eq(p[4], 0x01);
	ck_assert_uint_eq(get_be16(p + 5), 3);
	ck_assert_uint_eq(p[7], 0); /* bytes */
	ck_assert_uint_eq(get_be32(p + 8), 1048576);
	/* past 32 bits: KiB */
	xcopy_build_copy_status(p, XCOPY_STATUS_IN_PROGRESS, 0, 5ull << 32);
	ck_assert_uint_eq(p[4], 0x00);
	ck_assert_uint_eq(p[7], 1);
	ck_assert_uint_eq(get_be32(p + 8), (5ull << 32) >> 10);
	xcopy_build_copy_status(p, XCOPY_STATUS_FAILED, 0, 1ull << 60);
	ck_assert_uint_eq(p[4], 0x02);
	ck_assert_uint_eq(p[7], 3); /* GiB */
	ck_assert_uint_eq(get_be32(p + 8), 1u << 30);
}
END_TEST

START_TEST(test_vpd_page)
{
	uint8_t p[256];
	size_t n, off;
	int seen = 0;

	memset(p, 0xaa, sizeof(p));
	ck_assert_uint_eq(xcopy_build_vpd(p, 20, 512), 0);
	n = xcopy_build_vpd(p, sizeof(p), 512);
	ck_assert_uint_gt(n, 4);
	ck_assert_uint_eq(p[1], 0x8f);
	ck_assert_uint_eq(get_be16(p + 2), n - 4);
	for (off = 4; off < n;) {
		uint16_t type = get_be16(p + off), dlen = get_be16(p + off + 2);

		ck_assert_uint_eq((dlen + 4) % 4, 0);
		switch (type) {
		case 0x0001:
			/* EXTENDED COPY with LID1; RECEIVE COPY RESULTS with 00h and 03h */
			ck_assert_uint_eq(p[off + 4], 7);
			ck_assert_uint_eq(p[off + 5], 0x83);
			ck_assert_uint_eq(p[off + 6], 1);
			ck_assert_uint_eq(p[off + 7], 0x00);
			ck_assert_uint_eq(p[off + 8], 0x84);
			ck_assert_uint_eq(p[off + 9], 2);
			ck_assert_uint_eq(p[off + 10], 0x00);
			ck_assert_uint_eq(p[off + 11], 0x03);
			seen |= 1;
			break;
		case 0x0004:
			ck_assert_uint_eq(dlen, 28);
			ck_assert_uint_eq(get_be16(p + off + 8), XCOPY_MAX_CSCD);
			ck_assert_uint_eq(get_be16(p + off + 10), XCOPY_MAX_SEGMENTS);
			ck_assert_uint_eq(get_be32(p + off + 12), XCOPY_MAX_DESC_LIST);
			seen |= 2;
			break;
		case 0x0008:
			ck_assert_uint_eq(p[off + 4], 2);
			ck_assert_uint_eq(p[off + 5], 0x02);
			ck_assert_uint_eq(p[off + 6], 0xe4);
			seen |= 4;
			break;
		case 0x8001:
			ck_assert_uint_eq(dlen, 32);
			ck_assert_uint_eq(get_be32(p + off + 4), XCOPY_HELD);
			ck_assert_uint_eq(get_be32(p + off + 12), 65535u * 512);
			ck_assert_uint_eq(p[off + 16], 9);
			seen |= 8;
			break;
		default:
			ck_abort_msg("unexpected descriptor %04x", type);
		}
		off += 4u + dlen;
	}
	ck_assert_uint_eq(off, n);
	ck_assert_int_eq(seen, 15);
}
END_TEST

/* ---- the engine: a second LU on the same nexus ---- */

static struct mem_bs *mb2;
static struct scsi_lu *lu2;
static struct scsi_itl *itl2_nx1; /* nexus T.nx on the second LU */
static bool lu2_read_only;
static bool lu2_visible;

static int t_find_lu(const struct scsi_nexus *nx, const uint8_t *naa, size_t len,
		     struct scsi_itl **itl, bool *read_only)
{
	(void)nx;
	if (lu2_visible && len == 8 && !memcmp(naa, naa1, 8)) {
		*itl = itl2_nx1;
		*read_only = lu2_read_only;
		return 0;
	}
	return -ENOENT;
}

static void x_setup(void)
{
	struct scsi_lu_id id = {.serial = "SER0002", .vendor = "PORTICO", .product = "disk"};

	t_setup();
	memcpy(id.naa, naa1, 8);
	mb2 = mem_create(T_BS, T_NBLOCKS, true, true, true);
	ck_assert_int_eq(scsi_lu_create(&mb2->dev, &id, &lu2), 0);
	ck_assert_int_eq(scsi_itl_create(lu2, &T.nx, &itl2_nx1), 0);
	scsi_itl_take_ua(itl2_nx1);
	T.nx.find_lu = t_find_lu;
	lu2_read_only = false;
	lu2_visible = true;
}

static void x_teardown(void)
{
	scsi_itl_destroy(itl2_nx1);
	scsi_lu_destroy(lu2);
	ck_assert_int_eq(mb2->cb_inside_submit, 0);
	mem_destroy(mb2);
	t_teardown();
}

/* Runs both stores until neither has work; returns the requests run. */
static int x_drain(void)
{
	int n = 0, k;

	do {
		k = mem_drain(T.mb) + mem_drain(mb2);
		n += k;
	} while (k);
	return n;
}

/* Sends an EXTENDED COPY of p (len bytes) through itl and runs it to the end; returns the status.
 */
static uint8_t x_xcopy(struct t_cmd *t, struct scsi_itl *itl, const void *p, size_t len)
{
	uint8_t cdb[16] = {SCSI_OP_EXTENDED_COPY};
	enum scsi_exec_result res;

	put_be32(cdb + 10, (uint32_t)len);
	t_cmd_init(t, itl, cdb, 16);
	t->cmd.edtl = (uint32_t)len;
	t->parsed = scsi_cmd_parse(&t->cmd);
	if (t->parsed != SENSE_OK) {
		scsi_cmd_set_sense(&t->cmd, t->parsed);
		return t->cmd.status;
	}
	t->cmd.buf = t->buf;
	t->cmd.buf_len = t->cmd.xfer_len;
	memcpy(t->buf, p, len);
	t->in_exec = true;
	res = scsi_cmd_exec(&t->cmd);
	t->in_exec = false;
	ck_assert_int_eq(t->done_inside_exec, 0);
	if (res == SCSI_EXEC_ASYNC) {
		x_drain();
		ck_assert_int_eq(t->ndone, 1);
	} else {
		ck_assert_int_eq(t->ndone, 0);
	}
	return t->cmd.status;
}

static uint8_t x_run(struct scsi_itl *itl, struct plist *p, struct scsi_cmd *last)
{
	struct t_cmd t;
	size_t len = pl_done(p);
	uint8_t st = x_xcopy(&t, itl, p->b, len);

	if (last)
		*last = t.cmd;
	t_cmd_fini(&t);
	return st;
}

/* RECEIVE COPY RESULTS through T.itl, runnable while a copy is still queued on the stores. */
static uint8_t x_rcr(uint8_t sa, uint8_t list_id, uint8_t *out, struct scsi_cmd *last)
{
	uint8_t cdb[16] = {SCSI_OP_RECEIVE_COPY_RESULTS, sa, list_id};
	struct t_cmd t;
	uint8_t st;

	put_be32(cdb + 10, 1024);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.edtl = 1024;
	t.parsed = scsi_cmd_parse(&t.cmd);
	if (t.parsed != SENSE_OK) {
		scsi_cmd_set_sense(&t.cmd, t.parsed);
	} else {
		t.cmd.buf = t.buf;
		t.cmd.buf_len = t.cmd.xfer_len;
		ck_assert_int_eq(scsi_cmd_exec(&t.cmd), SCSI_EXEC_DONE);
	}
	st = t.cmd.status;
	if (out && st == SCSI_STATUS_GOOD)
		memcpy(out, t.buf, t.cmd.data_len);
	if (last)
		*last = t.cmd;
	t_cmd_fini(&t);
	return st;
}

static void fill2(uint64_t lba, uint32_t n, uint8_t v)
{
	memset(mb2->data + lba * T_BS, v, (size_t)n * T_BS);
}

static bool is(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

START_TEST(test_copy_within_lu)
{
	struct plist p;
	struct scsi_cmd last;
	uint8_t st[64];

	t_fill(0, 100, 'A');
	t_fill(1000, 100, 0);
	pl_init(&p, 1, SCSI_XCOPY_LIST_ID_HOLD);
	pl_cscd(&p, naa0, T_BS);
	pl_seg(&p, 0, 0, 100, 0, 1000);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_GOOD);
	ck_assert(is(T.mb->data + 1000 * T_BS, 100 * T_BS, 'A'));
	ck_assert(is(T.mb->data + 1100 * T_BS, T_BS, 0));
	/* the held result: reported once */
	ck_assert_uint_eq(x_rcr(SCSI_RCR_COPY_STATUS, 1, st, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(st[4], XCOPY_STATUS_DONE);
	ck_assert_uint_eq(get_be16(st + 5), 1);
	ck_assert_uint_eq(get_be32(st + 8), 100 * T_BS);
	ck_assert_uint_eq(x_rcr(SCSI_RCR_COPY_STATUS, 1, st, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_INVALID_FIELD_CDB);
}
END_TEST

START_TEST(test_copy_across_lus)
{
	struct plist p;
	struct scsi_cmd last;

	t_fill(10, 3000, 'B');
	fill2(0, T_NBLOCKS, 0);
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_cscd(&p, naa1, T_BS);
	/* 3000 blocks: more than one of the backstore copy's chunks */
	pl_seg(&p, 0, 1, 3000, 10, 20);
	pl_seg(&p, 1, 0, 5, 20, 5000); /* and back */
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_GOOD);
	ck_assert(is(mb2->data, 20 * T_BS, 0));
	ck_assert(is(mb2->data + 20 * T_BS, 3000 * T_BS, 'B'));
	ck_assert(is(mb2->data + 3020 * T_BS, T_BS, 0));
	ck_assert(is(T.mb->data + 5000 * T_BS, 5 * T_BS, 'B'));
	/* 1.5 MiB: two READ and WRITE pairs of the backstore's copy */
	ck_assert_uint_eq(T.mb->n[BS_OP_READ], 2);
	ck_assert_uint_eq(mb2->n[BS_OP_WRITE], 2);
	/* no list identifier: nothing held */
	ck_assert_uint_eq(x_rcr(SCSI_RCR_COPY_STATUS, 0, NULL, &last), SCSI_STATUS_CHECK_CONDITION);
}
END_TEST

START_TEST(test_copy_overlapping)
{
	struct plist p;

	/* 2000 blocks forward by 7: copied backward, chunks no longer than 7 blocks */
	for (uint32_t b = 0; b < 2100; b++)
		t_fill(b, 1, (uint8_t)b);
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_seg(&p, 0, 0, 2000, 0, 7);
	ck_assert_uint_eq(x_run(T.itl, &p, NULL), SCSI_STATUS_GOOD);
	for (uint32_t b = 0; b < 2000; b++)
		ck_assert(is(T.mb->data + (b + 7) * T_BS, T_BS, (uint8_t)b));
	for (uint32_t b = 0; b < 7; b++) /* blocks 0-6 untouched */
		ck_assert(is(T.mb->data + b * T_BS, T_BS, (uint8_t)b));
	/* and back by 7: forward */
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_seg(&p, 0, 0, 2000, 7, 0);
	ck_assert_uint_eq(x_run(T.itl, &p, NULL), SCSI_STATUS_GOOD);
	for (uint32_t b = 0; b < 2000; b++)
		ck_assert(is(T.mb->data + b * T_BS, T_BS, (uint8_t)b));
	/* onto itself, and zero blocks: nothing moves */
	T.mb->n[BS_OP_READ] = T.mb->n[BS_OP_WRITE] = 0;
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_seg(&p, 0, 0, 100, 50, 50);
	pl_seg(&p, 0, 0, 0, 50, 900);
	ck_assert_uint_eq(x_run(T.itl, &p, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(T.mb->n[BS_OP_READ] + T.mb->n[BS_OP_WRITE], 0);
}
END_TEST

START_TEST(test_zero_length_and_cdb)
{
	struct t_cmd t;
	uint8_t cdb[16] = {SCSI_OP_EXTENDED_COPY};
	struct scsi_cmd last;

	/* PARAMETER LIST LENGTH 0: GOOD, nothing done */
	ck_assert_uint_eq(x_xcopy(&t, T.itl, "", 0), SCSI_STATUS_GOOD);
	t_cmd_fini(&t);
	/* longer than any list taken */
	put_be32(cdb + 10, XCOPY_MAX_PARAM_LIST + 1);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_PARAM_LEN);
	/* LID4 (service action 01h) is not offered */
	cdb[1] = 0x01;
	put_be32(cdb + 10, 0);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_INVALID_FIELD_CDB);
	/* nor RECEIVE COPY RESULTS' other service actions */
	ck_assert_uint_eq(x_rcr(0x01, 0, NULL, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(x_rcr(0x04, 0, NULL, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_INVALID_FIELD_CDB);
}
END_TEST

START_TEST(test_refusals_sense)
{
	struct plist p;
	struct scsi_cmd last;

	/* parser refusals reach the initiator with their field pointer */
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	p.b[16] = 0xe0;
	pl_seg(&p, 0, 0, 1, 0, 1);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_UNSUP_TGT);
	ck_assert_uint_eq(last.sense[15], SCSI_SENSE_SKSV); /* in the parameter list */
	ck_assert_uint_eq(get_be16(last.sense + 16), 16);
	p.b[16] = 0xe4;
	p.b[48] = 0x09;
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_UNSUP_SEG);

	/* a designator of no LU this nexus sees */
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa1, T_BS);
	pl_seg(&p, 0, 0, 1, 0, 1);
	lu2_visible = false;
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_NOT_REACHABLE);
	T.nx.find_lu = NULL;
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_NOT_REACHABLE);
	T.nx.find_lu = t_find_lu;
	lu2_visible = true;
	/* not an NAA designator */
	p.b[16 + 5] = 0x01;
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_NOT_REACHABLE);
	/* a DISK BLOCK LENGTH that is not the LU's */
	p.b[16 + 5] = 0x03;
	put_be24(p.b + 16 + 29, 4096);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(get_be16(last.sense + 16), 16 + 29);

	/* beyond the end of the source or of the destination: COPY ABORTED at the LBA */
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_seg(&p, 0, 0, 2048, 0, T_NBLOCKS - 1);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_COPY_ABORTED);
	ck_assert_uint_eq(get_be16(last.sense + 16), 48 + 20);
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_seg(&p, 0, 0, 2, T_NBLOCKS - 1, 0);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_COPY_ABORTED);
	ck_assert_uint_eq(get_be16(last.sense + 16), 48 + 12);
	ck_assert_uint_eq(T.mb->n[BS_OP_WRITE], 0);
}
END_TEST

START_TEST(test_destination_rules)
{
	struct plist p;
	struct scsi_cmd last;
	uint8_t cdb[16] = {SCSI_OP_RESERVE_6};

	fill2(0, 10, 'C');
	t_fill(0, 10, 'D');
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_cscd(&p, naa1, T_BS);
	pl_seg(&p, 0, 1, 10, 0, 0);
	/* the destination mapped read-only to this initiator */
	lu2_read_only = true;
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_WRITE_PROTECTED);
	ck_assert(is(mb2->data, 10 * T_BS, 'C'));
	/* reading from it is fine */
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_cscd(&p, naa1, T_BS);
	pl_seg(&p, 1, 0, 10, 0, 0);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_GOOD);
	ck_assert(is(T.mb->data, 10 * T_BS, 'C'));
	lu2_read_only = false;
	/* a read-only store */
	mb2->dev.readonly = true;
	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_cscd(&p, naa1, T_BS);
	pl_seg(&p, 0, 1, 10, 0, 0);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_WRITE_PROTECTED);
	mb2->dev.readonly = false;
	/* another initiator reserved the destination (RESERVE(6)) */
	{
		struct scsi_itl *other;

		ck_assert_int_eq(scsi_itl_create(lu2, &T.nx2, &other), 0);
		scsi_itl_take_ua(other);
		ck_assert_uint_eq(t_simple(other, cdb, 6, NULL), SCSI_STATUS_GOOD);
		ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_RESERVATION_CONFLICT);
		ck_assert_uint_eq(last.sense_len, 0);
		ck_assert(is(mb2->data, 10 * T_BS, 'C'));
		scsi_itl_destroy(other); /* releases the reservation */
	}
	/* a stopped destination */
	atomic_store(&lu2->stopped, true);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_NOT_READY_STOPPED);
	atomic_store(&lu2->stopped, false);
	/* a destination being sanitized, then failed by its sanitize: nothing lands there */
	atomic_store(&lu2->sanitize.state, SANITIZE_STATE_RUNNING);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, 0x02041bu); /* NOT READY, SANITIZE IN PROGRESS */
	atomic_store(&lu2->sanitize.state, SANITIZE_STATE_FAILED);
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, 0x033103u); /* MEDIUM ERROR, SANITIZE COMMAND FAILED */
	atomic_store(&lu2->sanitize.state, SANITIZE_STATE_IDLE);
	ck_assert(is(mb2->data, 10 * T_BS, 'C'));
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_GOOD);
}
END_TEST

START_TEST(test_store_failure)
{
	struct plist p;
	struct scsi_cmd last;

	pl_init(&p, 4, SCSI_XCOPY_LIST_ID_HOLD);
	pl_cscd(&p, naa0, T_BS);
	pl_cscd(&p, naa1, T_BS);
	pl_seg(&p, 0, 1, 10, 0, 0);
	mb2->fail_next = -EIO;
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_TARGET_FAILURE);
	{
		uint8_t st[12];

		ck_assert_uint_eq(x_rcr(SCSI_RCR_COPY_STATUS, 4, st, NULL), SCSI_STATUS_GOOD);
		ck_assert_uint_eq(st[4], XCOPY_STATUS_FAILED);
		ck_assert_uint_eq(get_be16(st + 5), 0);
	}
	mb2->fail_next = -ENOSPC;
	ck_assert_uint_eq(x_run(T.itl, &p, &last), SCSI_STATUS_CHECK_CONDITION);
	T_ASSERT_CC(&last, T_SPACE_ALLOC);
}
END_TEST

/*
 * A list (identifier id, held) copying LU 0 blocks 0-2999, filled with 'E',
 * onto LU 1 in three segments of one chunk each; its length.
 */
static size_t three_chunks(struct plist *p, uint8_t id)
{
	pl_init(p, id, SCSI_XCOPY_LIST_ID_HOLD);
	pl_cscd(p, naa0, T_BS);
	pl_cscd(p, naa1, T_BS);
	t_fill(0, 3000, 'E');
	pl_seg(p, 0, 1, 1000, 0, 0);
	pl_seg(p, 0, 1, 1000, 1000, 1000);
	pl_seg(p, 0, 1, 1000, 2000, 2000);
	return pl_done(p);
}

/* Runs an EXTENDED COPY one store request at a time, so that a test can act between them. */
START_TEST(test_progress_busy_id_and_abort)
{
	struct plist p;
	struct t_cmd t;
	struct scsi_cmd last;
	uint8_t cdb[16] = {SCSI_OP_EXTENDED_COPY}, st[12];
	size_t len;

	/* the abort is seen between the chunks */
	len = three_chunks(&p, 5);
	put_be32(cdb + 10, (uint32_t)len);
	t_cmd_init(&t, T.itl, cdb, 16);
	t.cmd.edtl = (uint32_t)len;
	ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_OK);
	t.cmd.buf = t.buf;
	t.cmd.buf_len = t.cmd.xfer_len;
	memcpy(t.buf, p.b, len);
	ck_assert_int_eq(scsi_cmd_exec(&t.cmd), SCSI_EXEC_ASYNC);
	/* the first READ is queued on the source: in progress, nothing moved yet */
	ck_assert_uint_eq(x_rcr(SCSI_RCR_COPY_STATUS, 5, st, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(st[4], XCOPY_STATUS_IN_PROGRESS);
	ck_assert_uint_eq(get_be32(st + 8), 0);
	/* the same list identifier again, while it runs */
	{
		struct plist q = p;

		ck_assert_uint_eq(x_run(T.itl, &q, &last), SCSI_STATUS_CHECK_CONDITION);
		T_ASSERT_CC(&last, T_IN_PROGRESS);
	}
	/* the first segment copied (a READ and a WRITE): the status says so */
	for (int i = 0; i < 10 && (T.mb->head || mb2->head); i++) {
		mem_drain(T.mb);
		mem_drain(mb2);
		ck_assert_uint_eq(x_rcr(SCSI_RCR_COPY_STATUS, 5, st, NULL), SCSI_STATUS_GOOD);
		if (get_be16(st + 5) == 1)
			break;
	}
	ck_assert_uint_eq(st[4], XCOPY_STATUS_IN_PROGRESS);
	ck_assert_uint_eq(get_be16(st + 5), 1);
	ck_assert_uint_eq(get_be32(st + 8), 1000 * T_BS);
	ck_assert_int_eq(t.ndone, 0);
	/* aborted now: the chunk in flight ends, the third segment never starts */
	t.cmd.aborted = true;
	x_drain();
	ck_assert_int_eq(t.ndone, 1);
	T_ASSERT_CC(&t.cmd, 0x0b0000u);
	ck_assert(is(mb2->data, 2000 * T_BS, 'E'));
	ck_assert(is(mb2->data + 2000 * T_BS, 1000 * T_BS, 0));
	/* and its results are dropped */
	ck_assert_uint_eq(x_rcr(SCSI_RCR_COPY_STATUS, 5, NULL, &last), SCSI_STATUS_CHECK_CONDITION);
	t_cmd_fini(&t);
}
END_TEST

/* Runs the first request of mb's queue, if any; returns it (NULL: none). */
static struct bs_io *x_run_one(struct mem_bs *mb)
{
	struct bs_io *io = mb->head;

	if (!io)
		return NULL;
	mb->head = io->next;
	if (!mb->head)
		mb->tail = &mb->head;
	io->result = mem_run(mb, io);
	io->cb(io);
	return io;
}

/*
 * SBC-4 §4.11.1: a sanitize of the destination that begins between two
 * chunks of a copy waits for the chunk in flight (it holds its ranges) and
 * the copy's next chunk waits for it; granted after it, that chunk finds
 * that the destination was sanitized under the copy, and the copy ends
 * (COPY ABORTED) rather than write the rest of its data over the sanitized
 * medium.
 */
START_TEST(test_copy_spanning_a_sanitize)
{
	uint8_t cdb[16] = {SCSI_OP_EXTENDED_COPY}, scdb[16] = {SCSI_OP_SANITIZE};
	uint8_t sp[8] = {0x01, 0, 0, 4, 0x5a, 0x5a, 0x5a, 0x5a};
	struct t_cmd t, san;
	struct plist p;
	size_t len;
	int i;

	sanitize_set_rate(0);
	len = three_chunks(&p, 6);
	put_be32(cdb + 10, (uint32_t)len);
	t_cmd_init(&t, T.itl, cdb, 16);
	t_start(&t, (uint32_t)len, p.b, len);
	/* the first segment's READ and WRITE: the second chunk then holds its ranges */
	for (i = 0; i < 10 && !mb2->n[BS_OP_WRITE]; i++) {
		x_run_one(T.mb);
		x_run_one(mb2);
	}
	ck_assert_uint_eq(mb2->n[BS_OP_WRITE], 1);

	put_be16(scdb + 7, sizeof(sp));
	scdb[1] = SANITIZE_SA_OVERWRITE;
	t_cmd_init(&san, itl2_nx1, scdb, 10);
	t_start(&san, sizeof(sp), sp, sizeof(sp));
	ck_assert_uint_eq(atomic_load(&lu2->sanitize.state), SANITIZE_STATE_RUNNING);
	for (i = 0; i < 200 && !(t.ndone && san.ndone); i++) {
		x_drain();
		ck_assert_int_ge(ev_run_once(T.loop, 0), 0);
	}
	ck_assert_int_eq(san.ndone, 1);
	ck_assert_uint_eq(san.cmd.status, SCSI_STATUS_GOOD);
	ck_assert_int_eq(t.ndone, 1);
	T_ASSERT_CC(&t.cmd, 0x0a0d01u); /* COPY ABORTED, THIRD PARTY DEVICE FAILURE */
	/* the second chunk landed before the sanitize, the third never did */
	ck_assert(is(mb2->data, (size_t)T_NBLOCKS * T_BS, 0x5a));
	ck_assert_uint_eq(range_lock_queued(&lu2->range), 0);
	ck_assert_uint_eq(range_lock_queued(&T.lu->range), 0);
	t_cmd_fini(&t);
	t_cmd_fini(&san);
	sanitize_set_rate(SANITIZE_DEFAULT_RATE);
}
END_TEST

START_TEST(test_held_results_bounded)
{
	struct plist p;
	uint8_t st[12];

	/* more held results than a nexus keeps: the oldest go first */
	for (unsigned int i = 0; i < XCOPY_HELD + 3; i++) {
		pl_init(&p, (uint8_t)(10 + i), SCSI_XCOPY_LIST_ID_HOLD);
		pl_cscd(&p, naa0, T_BS);
		pl_seg(&p, 0, 0, 1, 0, 1 + i);
		ck_assert_uint_eq(x_run(T.itl, &p, NULL), SCSI_STATUS_GOOD);
	}
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_uint_eq(x_rcr(SCSI_RCR_COPY_STATUS, (uint8_t)(10 + i), NULL, NULL),
				  SCSI_STATUS_CHECK_CONDITION);
	for (unsigned int i = 3; i < XCOPY_HELD + 3; i++) {
		ck_assert_uint_eq(x_rcr(SCSI_RCR_COPY_STATUS, (uint8_t)(10 + i), st, NULL),
				  SCSI_STATUS_GOOD);
		ck_assert_uint_eq(st[4], XCOPY_STATUS_DONE);
	}
	/* held per nexus: another initiator sees none of them */
	{
		uint8_t cdb[16] = {SCSI_OP_RECEIVE_COPY_RESULTS, 0, 10 + XCOPY_HELD};

		put_be32(cdb + 10, 64);
		ck_assert_uint_eq(t_simple(T.itl2, cdb, 16, NULL), SCSI_STATUS_CHECK_CONDITION);
	}
}
END_TEST

START_TEST(test_op_params_and_vpd_through_engine)
{
	uint8_t p[64];
	uint8_t cdb[16] = {SCSI_OP_INQUIRY, 0x01, 0x00, 0x01, 0x00};
	struct t_cmd t;
	bool listed = false;

	ck_assert_uint_eq(x_rcr(SCSI_RCR_OPERATING_PARAMETERS, 0, p, NULL), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(get_be16(p + 8), XCOPY_MAX_CSCD);
	/* VPD 00h lists 8Fh, and 8Fh answers */
	t_cmd_init(&t, T.itl, cdb, 6);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	for (size_t i = 4; i < t.cmd.data_len; i++)
		listed |= t.buf[i] == 0x8f;
	ck_assert(listed);
	t_cmd_fini(&t);
	cdb[2] = 0x8f;
	t_cmd_init(&t, T.itl, cdb, 6);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[1], 0x8f);
	ck_assert_uint_eq(t.buf[0], 0x00);
	ck_assert_uint_gt(t.cmd.data_len, 8);
	t_cmd_fini(&t);
}
END_TEST

/*
 * A chunk holds its LBAs in both LUs' range locks, as a READ and a WRITE
 * would: a COMPARE AND WRITE on the destination, started first, ends
 * before the copy reaches either store, and the copy lands after it. A
 * copy that took no range read its source at once and wrote into the
 * middle of the CAW.
 */
START_TEST(test_copy_waits_for_compare_and_write)
{
	uint8_t cdb[16] = {0}, xcdb[16] = {SCSI_OP_EXTENDED_COPY}, data[2 * T_BS];
	struct t_cmd caw, x;
	struct plist p;
	size_t len;
	int i;

	t_fill(10, 4, 'B');
	fill2(19, 4, 'A');
	t_cdb16(cdb, SCSI_OP_COMPARE_AND_WRITE, 0, 20, 0);
	cdb[13] = 1;
	memset(data, 'A', T_BS);
	memset(data + T_BS, 'C', T_BS);
	t_cmd_init(&caw, itl2_nx1, cdb, 16);
	t_start(&caw, 2 * T_BS, data, sizeof(data));
	ck_assert_ptr_eq(mb2->head, &caw.cmd.io); /* its read */

	pl_init(&p, 0, SCSI_XCOPY_LIST_ID_NONE);
	pl_cscd(&p, naa0, T_BS);
	pl_cscd(&p, naa1, T_BS);
	pl_seg(&p, 0, 1, 4, 10, 19); /* LU 0 blocks 10-13 onto LU 1 blocks 19-22 */
	len = pl_done(&p);
	put_be32(xcdb + 10, (uint32_t)len);
	t_cmd_init(&x, T.itl, xcdb, 16);
	t_start(&x, (uint32_t)len, p.b, len);
	ck_assert_ptr_null(T.mb->head);
	ck_assert_ptr_eq(mb2->head, &caw.cmd.io);
	ck_assert_ptr_null(mb2->head->next);

	for (i = 0; i < 200 && !(caw.ndone && x.ndone); i++) {
		struct bs_io *io;

		/* whatever the copy could start, it starts (the backstore copy begins on the loop) */
		ck_assert_int_ge(ev_run_once(T.loop, 0), 0);
		if (!caw.ndone)
			ck_assert_msg(!T.mb->head, "the copy read its source during a CAW on its destination");
		io = x_run_one(mb2);
		if (io && !caw.ndone)
			ck_assert_msg(io == &caw.cmd.io, "the copy wrote into a CAW's range");
		if (!io)
			x_run_one(T.mb);
	}
	ck_assert_int_eq(caw.ndone, 1);
	ck_assert_int_eq(x.ndone, 1);
	ck_assert_uint_eq(caw.cmd.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(x.cmd.status, SCSI_STATUS_GOOD);
	ck_assert(is(mb2->data + 19 * T_BS, 4 * T_BS, 'B')); /* the copy came after */
	ck_assert_uint_eq(range_lock_queued(&T.lu->range), 0);
	ck_assert_uint_eq(range_lock_queued(&lu2->range), 0);
	t_cmd_fini(&caw);
	t_cmd_fini(&x);
}
END_TEST

static Suite *xcopy_suite(void)
{
	Suite *s = suite_create("xcopy");
	TCase *tc = tcase_create("wire");
	TCase *te = tcase_create("engine");

	tcase_add_test(tc, test_parse_simple);
	tcase_add_test(tc, test_parse_designators);
	tcase_add_test(tc, test_parse_lengths);
	tcase_add_test(tc, test_parse_list_id_usage);
	tcase_add_test(tc, test_parse_types_and_limits);
	tcase_add_test(tc, test_parse_fuzz_bounds);
	tcase_add_test(tc, test_op_params);
	tcase_add_test(tc, test_copy_status);
	tcase_add_test(tc, test_vpd_page);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(te, x_setup, x_teardown);
	tcase_add_test(te, test_copy_within_lu);
	tcase_add_test(te, test_copy_across_lus);
	tcase_add_test(te, test_copy_overlapping);
	tcase_add_test(te, test_zero_length_and_cdb);
	tcase_add_test(te, test_refusals_sense);
	tcase_add_test(te, test_destination_rules);
	tcase_add_test(te, test_store_failure);
	tcase_add_test(te, test_progress_busy_id_and_abort);
	tcase_add_test(te, test_copy_spanning_a_sanitize);
	tcase_add_test(te, test_held_results_bounded);
	tcase_add_test(te, test_op_params_and_vpd_through_engine);
	tcase_add_test(te, test_copy_waits_for_compare_and_write);
	suite_add_tcase(s, te);
	return s;
}

CHECK_MAIN(xcopy_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VPD codec (common/scsi_vpd.c): designation descriptors built and read
 * back for every type, association and code set; each type's format rules;
 * pages cut at every byte, descriptors running past the page, pages longer
 * than the buffer; the unit serial number page; and SPC-4's own example of a
 * Device Identification page.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/scsi_vpd.h"
#include "common/util.h"
#include "tests/unit/check_main.h"

/* Starts a page 83h in buf; returns the offset of its first descriptor. */
static size_t page_start(uint8_t *buf, size_t size)
{
	memset(buf, 0xee, size);
	buf[0] = 0x00;
	buf[1] = SCSI_VPD_DEVICE_ID;
	return 4;
}

/* Sets the PAGE LENGTH of the page that ends at end. */
static void page_end(uint8_t *buf, size_t end)
{
	put_be16(buf + 2, (uint16_t)(end - 4));
}

static size_t put(uint8_t *buf, size_t size, size_t off, const struct scsi_desig *d)
{
	int n = scsi_desig_put(buf, size, off, d);

	ck_assert_int_gt(n, 0);
	return off + (size_t)n;
}

/* Walks the whole page into out[]; returns the count, asserting a clean end. */
static size_t walk(const uint8_t *p, size_t len, struct scsi_desig *out, size_t max)
{
	struct scsi_vpd83_iter it;
	size_t n = 0;
	int r;

	ck_assert_int_eq(scsi_vpd83_iter_init(&it, p, len), 0);
	while ((r = scsi_vpd83_iter_next(&it, &out[n])) == 1) {
		n++;
		ck_assert_uint_lt(n, max);
	}
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(scsi_vpd83_iter_next(&it, &out[n]), 0); /* and stays at the end */
	return n;
}

START_TEST(test_put_parse_every_field)
{
	static const uint8_t id[5] = {0xde, 0xad, 0xbe, 0xef, 0x01};
	uint8_t buf[64];
	struct scsi_desig d, got[2];
	unsigned type, assoc, codeset, proto, piv;
	size_t end;

	for (type = 0; type < 16; type++)
		for (assoc = 0; assoc < 4; assoc++)
			for (codeset = 0; codeset < 16; codeset += 5)
				for (proto = 0; proto < 16; proto += 5)
					for (piv = 0; piv < 2; piv++) {
						d = (struct scsi_desig){.proto = (uint8_t)proto,
									.codeset = (uint8_t)codeset,
									.piv = piv,
									.assoc =
									    (uint8_t)(assoc << 4),
									.type = (uint8_t)type,
									.id = id,
									.len = sizeof(id)};
						end = put(buf, sizeof(buf),
							  page_start(buf, sizeof(buf)), &d);
						ck_assert_uint_eq(end, 4 + 4 + sizeof(id));
						ck_assert_uint_eq(buf[4], proto << 4 | codeset);
						ck_assert_uint_eq(buf[5], (piv ? 0x80 : 0) |
									      assoc << 4 | type);
						ck_assert_uint_eq(buf[6], 0);
						ck_assert_uint_eq(buf[7], sizeof(id));
						page_end(buf, end);
						ck_assert_uint_eq(walk(buf, end, got, 2), 1);
						ck_assert_uint_eq(got[0].proto, proto);
						ck_assert_uint_eq(got[0].codeset, codeset);
						ck_assert(got[0].piv == (bool)piv);
						ck_assert_uint_eq(got[0].assoc, assoc << 4);
						ck_assert_uint_eq(got[0].type, type);
						ck_assert_ptr_eq(got[0].id, buf + 8);
						ck_assert_uint_eq(got[0].len, sizeof(id));
						ck_assert_int_eq(memcmp(got[0].id, id, sizeof(id)),
								 0);
					}
}
END_TEST

START_TEST(test_put_limits)
{
	static uint8_t id[256];
	uint8_t buf[300];
	struct scsi_desig d = {.codeset = SCSI_DESIG_CODESET_BINARY,
			       .type = SCSI_DESIG_TYPE_VENDOR,
			       .id = id,
			       .len = 255};
	size_t size;

	ck_assert_int_eq(scsi_desig_put(buf, sizeof(buf), 4, &d), 259);
	d.len = 256;
	ck_assert_int_eq(scsi_desig_put(buf, sizeof(buf), 4, &d), -EINVAL);
	d.len = 4;
	d.proto = 16;
	ck_assert_int_eq(scsi_desig_put(buf, sizeof(buf), 4, &d), -EINVAL);
	d.proto = 0;
	d.codeset = 16;
	ck_assert_int_eq(scsi_desig_put(buf, sizeof(buf), 4, &d), -EINVAL);
	d.codeset = 1;
	d.assoc = 0x40;
	ck_assert_int_eq(scsi_desig_put(buf, sizeof(buf), 4, &d), -EINVAL);
	d.assoc = 0x01;
	ck_assert_int_eq(scsi_desig_put(buf, sizeof(buf), 4, &d), -EINVAL);
	d.assoc = 0;
	d.type = 16;
	ck_assert_int_eq(scsi_desig_put(buf, sizeof(buf), 4, &d), -EINVAL);
	d.type = SCSI_DESIG_TYPE_VENDOR;

	/* a zero-length designator is a 4-byte descriptor, and needs no id */
	d.len = 0;
	d.id = NULL;
	ck_assert_int_eq(scsi_desig_put(buf, 4, 0, &d), 4);
	ck_assert_int_eq(scsi_desig_put(buf, 3, 0, &d), -ENOSPC);

	/* every size short of the descriptor: -ENOSPC, and nothing written */
	d.id = id;
	d.len = 8;
	for (size = 0; size < 4 + 4 + 8; size++) {
		memset(buf, 0xee, sizeof(buf));
		ck_assert_int_eq(scsi_desig_put(buf, size, 4, &d), -ENOSPC);
		ck_assert_uint_eq(buf[4], 0xee);
	}
	ck_assert_int_eq(scsi_desig_put(buf, 16, 4, &d), 12);
	/* an offset past the buffer */
	ck_assert_int_eq(scsi_desig_put(buf, 16, 17, &d), -ENOSPC);
}
END_TEST

START_TEST(test_put_t10)
{
	uint8_t buf[300];
	static uint8_t vsid[248];
	size_t size;

	ck_assert_int_eq(scsi_desig_put_t10(buf, sizeof(buf), 4, SCSI_DESIG_ASSOC_LU, "ACME",
					    (const uint8_t *)"SN 42", 5),
			 4 + 13);
	ck_assert_uint_eq(buf[4], SCSI_DESIG_CODESET_ASCII);
	ck_assert_uint_eq(buf[5], SCSI_DESIG_TYPE_T10);
	ck_assert_uint_eq(buf[7], 13);
	/* SPC-4 §7.8.6.4: the vendor field is space padded to 8 */
	ck_assert_int_eq(memcmp(buf + 8, "ACME    SN 42", 13), 0);

	ck_assert_int_eq(
	    scsi_desig_put_t10(buf, sizeof(buf), 0, SCSI_DESIG_ASSOC_TARGET, "ABCDEFGH", NULL, 0),
	    12);
	ck_assert_uint_eq(buf[1], SCSI_DESIG_ASSOC_TARGET | SCSI_DESIG_TYPE_T10);
	ck_assert_int_eq(memcmp(buf + 4, "ABCDEFGH", 8), 0);
	ck_assert_int_eq(
	    scsi_desig_put_t10(buf, sizeof(buf), 0, SCSI_DESIG_ASSOC_LU, "ABCDEFGHI", NULL, 0),
	    -EINVAL);
	ck_assert_int_eq(
	    scsi_desig_put_t10(buf, sizeof(buf), 0, SCSI_DESIG_ASSOC_LU, "", vsid, 247), 259);
	ck_assert_int_eq(
	    scsi_desig_put_t10(buf, sizeof(buf), 0, SCSI_DESIG_ASSOC_LU, "", vsid, 248), -EINVAL);
	for (size = 0; size < 4 + 8 + 2; size++)
		ck_assert_int_eq(scsi_desig_put_t10(buf, size, 0, SCSI_DESIG_ASSOC_LU, "V",
						    (const uint8_t *)"ab", 2),
				 -ENOSPC);
}
END_TEST

START_TEST(test_put_name_padding)
{
	char name[260];
	uint8_t buf[300];
	size_t n, k;
	int len;

	/* SPC-4 §7.8.6.11: NUL-terminated, NUL-padded to a multiple of 4 */
	for (n = 1; n <= 251; n++) {
		memset(name, 'x', n);
		memcpy(name, "iqn.", n < 4 ? n : 4);
		name[n] = '\0';
		memset(buf, 0xee, sizeof(buf));
		len = scsi_desig_put_name(buf, sizeof(buf), 0, SCSI_PROTOCOL_ISCSI,
					  SCSI_DESIG_ASSOC_PORT, name);
		ck_assert_int_eq(len, (int)(4 + ALIGN_UP(n + 1, (size_t)4)));
		ck_assert_uint_eq(buf[0], SCSI_PROTOCOL_ISCSI << 4 | SCSI_DESIG_CODESET_UTF8);
		ck_assert_uint_eq(buf[1], SCSI_DESIG_PIV | SCSI_DESIG_ASSOC_PORT |
					      SCSI_DESIG_TYPE_SCSI_NAME);
		ck_assert_uint_eq(buf[3] % 4, 0);
		ck_assert_uint_eq(buf[3], len - 4);
		ck_assert_int_eq(memcmp(buf + 4, name, n), 0);
		for (k = n; k < buf[3]; k++)
			ck_assert_uint_eq(buf[4 + k], 0);
		ck_assert_uint_eq(buf[len], 0xee);
	}
	/* 252 characters and the NUL need 256 bytes: more than a designator holds */
	memset(name, 'x', 252);
	name[252] = '\0';
	ck_assert_int_eq(scsi_desig_put_name(buf, sizeof(buf), 0, SCSI_PROTOCOL_ISCSI,
					     SCSI_DESIG_ASSOC_PORT, name),
			 -EINVAL);
	ck_assert_int_eq(
	    scsi_desig_put_name(buf, 7, 0, SCSI_PROTOCOL_ISCSI, SCSI_DESIG_ASSOC_PORT, "iqn."),
	    -ENOSPC);
	ck_assert_int_eq(
	    scsi_desig_put_name(buf, 12, 0, SCSI_PROTOCOL_ISCSI, SCSI_DESIG_ASSOC_TARGET, "iqn."),
	    12);
}
END_TEST

/* A page with one descriptor of each kind porticod and arrays send, and its length. */
static size_t sample_page(uint8_t *buf, size_t size)
{
	static const uint8_t naa6[16] = {0x60, 0x01, 0x40, 0x5a, 0xbc, 0xde, 0xf0, 0x12,
					 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12};
	static const uint8_t zero[1] = {0};
	const struct scsi_desig naa = {.codeset = SCSI_DESIG_CODESET_BINARY,
				       .type = SCSI_DESIG_TYPE_NAA,
				       .id = naa6,
				       .len = sizeof(naa6)};
	const struct scsi_desig empty = {.codeset = SCSI_DESIG_CODESET_BINARY,
					 .assoc = SCSI_DESIG_ASSOC_TARGET,
					 .type = SCSI_DESIG_TYPE_VENDOR,
					 .id = zero,
					 .len = 0};
	size_t off = page_start(buf, size);
	int n;

	off = put(buf, size, off, &naa);
	n = scsi_desig_put_t10(buf, size, off, SCSI_DESIG_ASSOC_LU, "LIO-ORG",
			       (const uint8_t *)"0123456789abcdef", 16);
	ck_assert_int_gt(n, 0);
	off += (size_t)n;
	off = put(buf, size, off, &empty);
	n = scsi_desig_put_name(buf, size, off, SCSI_PROTOCOL_ISCSI, SCSI_DESIG_ASSOC_TARGET,
				"iqn.2003-01.org.linux-iscsi.host:sn.1");
	ck_assert_int_gt(n, 0);
	off += (size_t)n;
	page_end(buf, off);
	return off;
}

START_TEST(test_walk)
{
	uint8_t buf[256];
	struct scsi_desig d[8];
	size_t len = sample_page(buf, sizeof(buf));

	ck_assert_uint_eq(walk(buf, len, d, 8), 4);
	ck_assert_uint_eq(d[0].type, SCSI_DESIG_TYPE_NAA);
	ck_assert_int_eq(scsi_desig_naa(&d[0]), SCSI_NAA_IEEE_REG_EXT);
	ck_assert_uint_eq(d[0].len, 16);
	ck_assert_uint_eq(d[1].type, SCSI_DESIG_TYPE_T10);
	ck_assert_uint_eq(d[1].codeset, SCSI_DESIG_CODESET_ASCII);
	ck_assert_int_eq(memcmp(d[1].id, "LIO-ORG 0123456789abcdef", 24), 0);
	/* a zero-length designator is a descriptor like any other */
	ck_assert_uint_eq(d[2].len, 0);
	ck_assert_uint_eq(d[2].assoc, SCSI_DESIG_ASSOC_TARGET);
	ck_assert_ptr_eq(d[2].id, d[1].id + d[1].len + 4);
	ck_assert_uint_eq(d[3].type, SCSI_DESIG_TYPE_SCSI_NAME);
	ck_assert(d[3].piv);
	ck_assert_uint_eq(d[3].proto, SCSI_PROTOCOL_ISCSI);
	ck_assert_str_eq((const char *)d[3].id, "iqn.2003-01.org.linux-iscsi.host:sn.1");

	/* bytes after PAGE LENGTH are not part of the page */
	buf[len] = 0x01;
	buf[len + 1] = 0x03;
	ck_assert_uint_eq(walk(buf, len + 20, d, 8), 4);

	/* an empty page */
	page_end(buf, 4);
	ck_assert_uint_eq(walk(buf, 4, d, 8), 0);
}
END_TEST

START_TEST(test_buffer_cut_at_every_byte)
{
	uint8_t buf[256];
	struct scsi_vpd83_iter it;
	size_t len = sample_page(buf, sizeof(buf)), cut;

	uint8_t *copy;

	/* the buffer holds less than PAGE LENGTH: -EMSGSIZE (exact copies: ASan sees any overread)
	 */
	for (cut = 0; cut < len; cut++) {
		copy = malloc(cut ? cut : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf, cut);
		ck_assert_int_eq(scsi_vpd83_iter_init(&it, copy, cut), -EMSGSIZE);
		free(copy);
	}
	ck_assert_int_eq(scsi_vpd83_iter_init(&it, buf, len), 0);
}
END_TEST

START_TEST(test_page_cut_at_every_byte)
{
	uint8_t buf[256];
	struct scsi_vpd83_iter it;
	struct scsi_desig d[8];
	size_t bounds[8], nb = 0, len = sample_page(buf, sizeof(buf)), cut, off, i;
	uint8_t *copy;
	int r;

	/* where the descriptors end */
	for (off = 4; off < len; off += 4 + buf[off + 3])
		bounds[nb++] = off + 4 + buf[off + 3];
	/*
	 * PAGE LENGTH cut at every byte, the buffer just as long: a cut at a
	 * descriptor's end is a shorter page; anywhere else the descriptor it
	 * cuts runs past the page, -EBADMSG, and the walk stays there.
	 */
	for (cut = 4; cut < len; cut++) {
		size_t whole = 0;
		bool at_bound = cut == 4;

		for (i = 0; i < nb; i++) {
			if (bounds[i] <= cut)
				whole = i + 1;
			if (bounds[i] == cut)
				at_bound = true;
		}
		page_end(buf, cut);
		copy = malloc(cut);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf, cut);
		ck_assert_int_eq(scsi_vpd83_iter_init(&it, copy, cut), 0);
		for (i = 0; i < whole; i++)
			ck_assert_int_eq(scsi_vpd83_iter_next(&it, &d[i]), 1);
		r = scsi_vpd83_iter_next(&it, &d[whole]);
		if (at_bound) {
			ck_assert_int_eq(r, 0);
		} else {
			ck_assert_int_eq(r, -EBADMSG);
			ck_assert_uint_eq(it.off, whole ? bounds[whole - 1] : 4);
			ck_assert_int_eq(scsi_vpd83_iter_next(&it, &d[whole]), -EBADMSG);
		}
		ck_assert_uint_le(it.off, cut);
		free(copy);
	}
}
END_TEST

START_TEST(test_malformed)
{
	uint8_t buf[64];
	struct scsi_vpd83_iter it;
	struct scsi_desig d, many[16];
	size_t extra;

	/* DESIGNATOR LENGTH past the end of the page */
	page_start(buf, sizeof(buf));
	memcpy(buf + 4, (const uint8_t[]){0x01, 0x03, 0x00, 0x08, 0x60, 0x01, 0x02, 0x03}, 8);
	page_end(buf, 12);
	ck_assert_int_eq(scsi_vpd83_iter_init(&it, buf, sizeof(buf)), 0);
	ck_assert_int_eq(scsi_vpd83_iter_next(&it, &d), -EBADMSG);
	/* ... and 255, the most it can say */
	buf[7] = 0xff;
	ck_assert_int_eq(scsi_vpd83_iter_next(&it, &d), -EBADMSG);

	/* a page whose PAGE LENGTH is beyond the buffer */
	page_end(buf, 4 + 0xffff);
	ck_assert_int_eq(scsi_vpd83_iter_init(&it, buf, sizeof(buf)), -EMSGSIZE);

	/* not page 83h */
	buf[1] = SCSI_VPD_UNIT_SERIAL;
	page_end(buf, 4);
	ck_assert_int_eq(scsi_vpd83_iter_init(&it, buf, sizeof(buf)), -EPROTO);

	/* 1, 2 and 3 bytes left: a descriptor header cut short */
	page_start(buf, sizeof(buf));
	memset(buf + 4, 0, 4);
	page_end(buf, 8);
	ck_assert_int_eq(scsi_vpd83_iter_init(&it, buf, 8), 0);
	ck_assert_int_eq(scsi_vpd83_iter_next(&it, &d), 1);
	ck_assert_uint_eq(d.len, 0);
	ck_assert_int_eq(scsi_vpd83_iter_next(&it, &d), 0);
	for (extra = 1; extra < 4; extra++) {
		page_end(buf, 8 + extra);
		ck_assert_int_eq(scsi_vpd83_iter_init(&it, buf, 8 + extra), 0);
		ck_assert_int_eq(scsi_vpd83_iter_next(&it, &d), 1);
		ck_assert_int_eq(scsi_vpd83_iter_next(&it, &d), -EBADMSG);
	}

	/* a page of nothing but zero-length descriptors */
	page_start(buf, sizeof(buf));
	memset(buf + 4, 0, 40);
	page_end(buf, 44);
	ck_assert_uint_eq(walk(buf, 44, many, 16), 10);
}
END_TEST

/*
 * SPC-4's example of a complete Device Identification VPD page (its annex
 * on the page, also in Seagate's SCSI Commands Reference Manual, table
 * 464): vendor "XYZ_Corp", product "Super Turbo Disk", serial "2034589345",
 * and the EUI-64 of IEEE company_id 01ABCDh with extension 234567h.
 */
static const uint8_t spc_example[54] =
    "\x00\x83\x00\x32"			 /* page 83h, 50 bytes */
    "\x02\x01\x00\x22"			 /* ASCII, LU, T10, 34 bytes */
    "XYZ_CorpSuper Turbo Disk2034589345" /* vendor, product, serial */
    "\x01\x02\x00\x08"			 /* binary, LU, EUI-64, 8 bytes */
    "\x01\xab\xcd\xff\xff\x23\x45\x67";

START_TEST(test_spc_example)
{
	struct scsi_desig d[4];
	const char *why = NULL;

	ck_assert_uint_eq(sizeof(spc_example), 54);
	ck_assert_uint_eq(walk(spc_example, sizeof(spc_example), d, 4), 2);
	ck_assert_uint_eq(d[0].type, SCSI_DESIG_TYPE_T10);
	ck_assert_uint_eq(d[0].assoc, SCSI_DESIG_ASSOC_LU);
	ck_assert_uint_eq(d[0].len, 34);
	ck_assert_int_eq(memcmp(d[0].id, "XYZ_CorpSuper Turbo Disk2034589345", 34), 0);
	ck_assert_int_eq(scsi_desig_check(&d[0], &why), 0);
	ck_assert_uint_eq(d[1].type, SCSI_DESIG_TYPE_EUI64);
	ck_assert_uint_eq(d[1].codeset, SCSI_DESIG_CODESET_BINARY);
	ck_assert_uint_eq(get_be64(d[1].id), 0x01abcdffff234567ull);
	ck_assert_int_eq(scsi_desig_check(&d[1], &why), 0);
	ck_assert_str_eq(scsi_desig_type_name(d[0].type), "T10 vendor ID");
	ck_assert_str_eq(scsi_desig_type_name(d[1].type), "EUI-64");
}
END_TEST

/* One designator to check, and what scsi_desig_check says of it (NULL: valid). */
struct check_case {
	uint8_t codeset, assoc, type;
	bool piv;
	const char *id;
	size_t len;
	const char *why;
};

#define BIN SCSI_DESIG_CODESET_BINARY
#define ASC SCSI_DESIG_CODESET_ASCII
#define UTF SCSI_DESIG_CODESET_UTF8
#define LU SCSI_DESIG_ASSOC_LU
#define PORT SCSI_DESIG_ASSOC_PORT
#define TGT SCSI_DESIG_ASSOC_TARGET

static const struct check_case check_cases[] = {
    /* vendor specific: any association, any code set, any length */
    {BIN, LU, SCSI_DESIG_TYPE_VENDOR, false, "", 0, NULL},
    {ASC, PORT, SCSI_DESIG_TYPE_VENDOR, false, "abc", 3, NULL},
    {UTF, TGT, SCSI_DESIG_TYPE_VENDOR, false, "\xc3\xa9", 2, NULL},
    /* T10 vendor ID: ASCII, the 8-byte vendor at least */
    {ASC, LU, SCSI_DESIG_TYPE_T10, false, "PORTICO SER0001", 15, NULL},
    {ASC, LU, SCSI_DESIG_TYPE_T10, false, "ACME    ", 8, NULL},
    {ASC, TGT, SCSI_DESIG_TYPE_T10, false, "ACME    disk 7      ", 20, NULL},
    {ASC, LU, SCSI_DESIG_TYPE_T10, false, "ACME", 4,
     "T10 vendor ID designator shorter than its 8-byte vendor identification"},
    {ASC, LU, SCSI_DESIG_TYPE_T10, false, "ACME    \x01", 9,
     "T10 vendor ID designator with a byte outside ASCII 20h-7Eh"},
    {ASC, LU, SCSI_DESIG_TYPE_T10, false, "ACME    \xc3\xa9", 10,
     "T10 vendor ID designator with a byte outside ASCII 20h-7Eh"},
    {BIN, LU, SCSI_DESIG_TYPE_T10, false, "ACME    ", 8, "designator type requires ASCII"},
    /* EUI-64: 8, 12 or 16 bytes */
    {BIN, LU, SCSI_DESIG_TYPE_EUI64, false, "\x01\xab\xcd\xff\xff\x23\x45\x67", 8, NULL},
    {BIN, LU, SCSI_DESIG_TYPE_EUI64, false, "0123456789ab", 12, NULL},
    {BIN, PORT, SCSI_DESIG_TYPE_EUI64, false, "0123456789abcdef", 16, NULL},
    {BIN, LU, SCSI_DESIG_TYPE_EUI64, false, "0123456789", 10,
     "EUI-64 based designator of a length other than 8, 12 or 16"},
    {BIN, LU, SCSI_DESIG_TYPE_EUI64, false, "", 0,
     "EUI-64 based designator of a length other than 8, 12 or 16"},
    {ASC, LU, SCSI_DESIG_TYPE_EUI64, false, "01234567", 8, "designator type requires binary"},
    /* NAA: 2h, 3h, 5h are 8 bytes, 6h is 16 */
    {BIN, LU, SCSI_DESIG_TYPE_NAA, false, "\x20\x00\x00\x10\x86\x00\x12\x34", 8, NULL},
    {BIN, LU, SCSI_DESIG_TYPE_NAA, false, "\x31\x7d\x25\x6b\x66\xb0\x86\x94", 8, NULL},
    {BIN, TGT, SCSI_DESIG_TYPE_NAA, false, "\x50\x00\xcc\xa0\x12\x34\x56\x78", 8, NULL},
    {BIN, LU, SCSI_DESIG_TYPE_NAA, false,
     "\x60\x01\x40\x5a\xbc\xde\xf0\x12\x34\x56\x78\x9a\xbc\xde\xf0\x12", 16, NULL},
    {BIN, LU, SCSI_DESIG_TYPE_NAA, false, "\x60\x01\x40\x50\x0a\x0b\x0c\x0d", 8,
     "NAA 6h (IEEE Registered Extended) designator not 16 bytes long"},
    {BIN, LU, SCSI_DESIG_TYPE_NAA, false,
     "\x50\x00\xcc\xa0\x12\x34\x56\x78\x00\x00\x00\x00\x00\x00\x00\x00", 16,
     "NAA 2h, 3h or 5h designator not 8 bytes long"},
    {BIN, LU, SCSI_DESIG_TYPE_NAA, false, "\x10\x00\x00\x00\x00\x00\x00\x01", 8,
     "NAA designator with a reserved NAA field"},
    {BIN, LU, SCSI_DESIG_TYPE_NAA, false, "\xe0\x00\x00\x00\x00\x00\x00\x01", 8,
     "NAA designator with a reserved NAA field"},
    {BIN, LU, SCSI_DESIG_TYPE_NAA, false, "", 0, "empty NAA designator"},
    {ASC, LU, SCSI_DESIG_TYPE_NAA, false, "3abc", 4, "designator type requires binary"},
    /* relative target port, target port group: a target port's, 4 bytes */
    {BIN, PORT, SCSI_DESIG_TYPE_REL_PORT, true, "\x00\x00\x00\x01", 4, NULL},
    {BIN, PORT, SCSI_DESIG_TYPE_REL_PORT, true, "\x00\x00\x00\x00", 4,
     "relative target port identifier 0, which is reserved"},
    {BIN, LU, SCSI_DESIG_TYPE_REL_PORT, false, "\x00\x00\x00\x01", 4,
     "relative target port designator not of a target port"},
    {BIN, PORT, SCSI_DESIG_TYPE_TPG, true, "\x00\x00\x00\x00", 4, NULL},
    {BIN, PORT, SCSI_DESIG_TYPE_TPG, true, "\x00\x00\x01", 3,
     "relative port, port group or LU group designator not 4 bytes long"},
    {BIN, TGT, SCSI_DESIG_TYPE_TPG, false, "\x00\x00\x00\x01", 4,
     "target port group designator not of a target port"},
    /* logical unit group, MD5: a logical unit's */
    {BIN, LU, SCSI_DESIG_TYPE_LU_GROUP, false, "\x00\x00\x00\x07", 4, NULL},
    {BIN, PORT, SCSI_DESIG_TYPE_LU_GROUP, false, "\x00\x00\x00\x07", 4,
     "logical unit group designator not of a logical unit"},
    {BIN, LU, SCSI_DESIG_TYPE_MD5, false, "0123456789abcdef", 16, NULL},
    {BIN, LU, SCSI_DESIG_TYPE_MD5, false, "0123456789abcde", 15,
     "MD5 logical unit designator not 16 bytes long"},
    {BIN, TGT, SCSI_DESIG_TYPE_MD5, false, "0123456789abcdef", 16,
     "MD5 logical unit designator not of a logical unit"},
    /* SCSI name string: UTF-8, NUL-terminated, padded to 4 */
    {UTF, TGT, SCSI_DESIG_TYPE_SCSI_NAME, true, "iqn.2024-01.org.portico:tgt", 28, NULL},
    {UTF, LU, SCSI_DESIG_TYPE_SCSI_NAME, false, "naa.600A0B80001234\0\0", 20, NULL},
    {UTF, PORT, SCSI_DESIG_TYPE_SCSI_NAME, true, "eui.0123456789ABCDEF,t,0x0001\0\0", 32, NULL},
    {UTF, TGT, SCSI_DESIG_TYPE_SCSI_NAME, true, "iqn.2024-01.org.portico:tgt", 27,
     "SCSI name string designator whose length is not a multiple of 4"},
    {UTF, TGT, SCSI_DESIG_TYPE_SCSI_NAME, true, "iqn.2024-01.org.portico:tg", 0,
     "SCSI name string designator whose length is not a multiple of 4"},
    {UTF, TGT, SCSI_DESIG_TYPE_SCSI_NAME, true, "iqn.2024-01.org.portico:tgtx", 28,
     "SCSI name string designator without its terminating NUL"},
    {UTF, TGT, SCSI_DESIG_TYPE_SCSI_NAME, true, "tgt\0", 4,
     "SCSI name string that starts with none of eui., naa. and iqn."},
    {ASC, TGT, SCSI_DESIG_TYPE_SCSI_NAME, true, "iqn.x\0\0", 8, "designator type requires UTF-8"},
    /* protocol specific port identifier: a target port's, PIV set */
    {BIN, PORT, SCSI_DESIG_TYPE_PROTO_PORT, true, "\x01\x00\x02\x00", 4, NULL},
    {BIN, PORT, SCSI_DESIG_TYPE_PROTO_PORT, false, "\x01\x00\x02\x00", 4,
     "protocol specific port identifier without PIV set"},
    {BIN, LU, SCSI_DESIG_TYPE_PROTO_PORT, true, "\x01\x00\x02\x00", 4,
     "protocol specific port identifier not of a target port"},
    /* UUID (SPC-5): 18 bytes */
    {BIN, LU, SCSI_DESIG_TYPE_UUID, false,
     "\x10\x00"
     "0123456789abcdef",
     18, NULL},
    {BIN, LU, SCSI_DESIG_TYPE_UUID, false, "0123456789abcdef", 16,
     "UUID designator not 18 bytes long"},
    /* reserved types, associations, code sets */
    {BIN, LU, 0xb, false, "", 0, "reserved designator type"},
    {BIN, LU, 0xf, false, "", 0, "reserved designator type"},
    {BIN, SCSI_DESIG_ASSOC_RESERVED, SCSI_DESIG_TYPE_NAA, false, "\x31\x7d\x25\x6b\x66\xb0\x86\x94",
     8, "reserved association"},
    {0x0, LU, SCSI_DESIG_TYPE_VENDOR, false, "", 0, "reserved code set"},
    {0x4, LU, SCSI_DESIG_TYPE_VENDOR, false, "", 0, "reserved code set"},
    {0xf, LU, SCSI_DESIG_TYPE_NAA, false, "\x31\x7d\x25\x6b\x66\xb0\x86\x94", 8,
     "reserved code set"},
};

START_TEST(test_check)
{
	const struct check_case *c = &check_cases[_i];
	const struct scsi_desig d = {.codeset = c->codeset,
				     .piv = c->piv,
				     .assoc = c->assoc,
				     .type = c->type,
				     .id = (const uint8_t *)c->id,
				     .len = c->len};
	const char *why = NULL;
	int r = scsi_desig_check(&d, &why);

	if (!c->why) {
		ck_assert_msg(r == 0, "case %d: %s", _i, why);
	} else {
		ck_assert_int_eq(r, -EINVAL);
		ck_assert_ptr_nonnull(why);
		ck_assert_str_eq(why, c->why);
	}
	/* why may be NULL */
	ck_assert_int_eq(scsi_desig_check(&d, NULL), r);
}
END_TEST

START_TEST(test_type_names_and_naa)
{
	static const uint8_t naa3[8] = {0x31, 0x7d, 0x25, 0x6b, 0x66, 0xb0, 0x86, 0x94};
	struct scsi_desig d = {.type = SCSI_DESIG_TYPE_NAA, .id = naa3, .len = 8};
	unsigned t;

	ck_assert_str_eq(scsi_desig_type_name(SCSI_DESIG_TYPE_VENDOR), "vendor specific");
	ck_assert_str_eq(scsi_desig_type_name(SCSI_DESIG_TYPE_NAA), "NAA");
	ck_assert_str_eq(scsi_desig_type_name(SCSI_DESIG_TYPE_SCSI_NAME), "SCSI name string");
	ck_assert_str_eq(scsi_desig_type_name(SCSI_DESIG_TYPE_UUID), "UUID");
	for (t = 0xb; t < 0x100; t++)
		ck_assert_str_eq(scsi_desig_type_name((uint8_t)t), "reserved");
	ck_assert_int_eq(scsi_desig_naa(&d), SCSI_NAA_LOCAL);
	d.len = 0;
	ck_assert_int_eq(scsi_desig_naa(&d), -EINVAL);
	d.len = 8;
	d.type = SCSI_DESIG_TYPE_EUI64;
	ck_assert_int_eq(scsi_desig_naa(&d), -EINVAL);
}
END_TEST

START_TEST(test_vpd80)
{
	uint8_t page[32] = {0x00, 0x80, 0x00, 0x0c, ' ', ' ', ' ', ' ',
			    'K',  '5',	'A',  'B',  'C', 'D', 'E', 'F'};
	const uint8_t *sn = NULL;
	size_t sn_len = 0, cut;

	/* SPC-4 §7.8.18: right-aligned ASCII, handed over as sent */
	ck_assert_int_eq(scsi_vpd80_serial(page, 16, &sn, &sn_len), 0);
	ck_assert_ptr_eq(sn, page + 4);
	ck_assert_uint_eq(sn_len, 12);
	ck_assert_int_eq(memcmp(sn, "    K5ABCDEF", 12), 0);
	ck_assert_int_eq(scsi_vpd80_serial(page, sizeof(page), &sn, &sn_len), 0);
	ck_assert_uint_eq(sn_len, 12);
	for (cut = 0; cut < 16; cut++)
		ck_assert_int_eq(scsi_vpd80_serial(page, cut, &sn, &sn_len), -EMSGSIZE);
	page[3] = 0;
	ck_assert_int_eq(scsi_vpd80_serial(page, 4, &sn, &sn_len), 0);
	ck_assert_uint_eq(sn_len, 0);
	page[1] = SCSI_VPD_DEVICE_ID;
	ck_assert_int_eq(scsi_vpd80_serial(page, 16, &sn, &sn_len), -EPROTO);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("scsi_vpd");
	TCase *tc = tcase_create("scsi_vpd");

	tcase_add_test(tc, test_put_parse_every_field);
	tcase_add_test(tc, test_put_limits);
	tcase_add_test(tc, test_put_t10);
	tcase_add_test(tc, test_put_name_padding);
	tcase_add_test(tc, test_walk);
	tcase_add_test(tc, test_buffer_cut_at_every_byte);
	tcase_add_test(tc, test_page_cut_at_every_byte);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_spc_example);
	tcase_add_loop_test(tc, test_check, 0, (int)ARRAY_SIZE(check_cases));
	tcase_add_test(tc, test_type_names_and_naa);
	tcase_add_test(tc, test_vpd80);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

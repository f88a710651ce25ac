/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The WWID of a LUN (mpath/wwid.c), by the three rules: Debian 12's udev
 * with sg3-utils-udev (mp_wwid), systemd's scsi_id (mp_wwid_scsi_id), and
 * multipath-tools' own parser (mp_wwid_multipath). Pages of every kind,
 * porticod's built with the codec it builds them with, pages of real
 * devices, and broken ones: cut at every byte, descriptors past the end.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/scsi_vpd.h"
#include "common/util.h"
#include "mpath/wwid.h"
#include "tests/unit/check_main.h"

/* Standard INQUIRY data: vendor "PORTICO", product "disk", revision "0.1". */
static const uint8_t std_inq[36] = "\x00\x00\x06\x12\x1f\x00\x00\x02"
				   "PORTICO "
				   "disk            "
				   "0.1 ";

/* Decodes hex into buf; returns the length. */
static size_t unhex(const char *h, uint8_t *buf, size_t size)
{
	size_t n = strlen(h) / 2, i;
	unsigned v;

	ck_assert_uint_le(n, size);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &v), 1);
		buf[i] = (uint8_t)v;
	}
	return n;
}

/* What a rule should say: a WWID, or an error. */
struct expect {
	const char *wwid;
	int err;
};

#define W(s)                                                                                       \
	{                                                                                          \
		.wwid = (s)                                                                        \
	}
#define E(e)                                                                                       \
	{                                                                                          \
		.err = (e)                                                                         \
	}

enum rule { RULE_SG3, RULE_SCSI_ID, RULE_MULTIPATH, RULES };

static const char *const rule_name[RULES] = {"mp_wwid", "mp_wwid_scsi_id", "mp_wwid_multipath"};

static int run_rule(enum rule r, const uint8_t *p, size_t len, const uint8_t *inq, size_t inq_len,
		    char *w, size_t size, const char **why)
{
	switch (r) {
	case RULE_SG3:
		return mp_wwid(p, len, inq, inq_len, w, size, why);
	case RULE_SCSI_ID:
		return mp_wwid_scsi_id(p, len, inq, inq_len, w, size, why);
	default:
		return mp_wwid_multipath(p, len, w, size, why);
	}
}

/* Asserts rule r on page p: the WWID it gives, or its error and a reason. */
static void check_rule(enum rule r, const char *what, const uint8_t *p, size_t len,
		       const uint8_t *inq, size_t inq_len, const struct expect *e)
{
	char w[MP_WWID_SIZE];
	const char *why = NULL;
	int n;

	memset(w, 0x7f, sizeof(w));
	n = run_rule(r, p, len, inq, inq_len, w, sizeof(w), &why);
	if (e->wwid) {
		ck_assert_msg(n >= 0, "%s, %s: %d (%s)", what, rule_name[r], n, why);
		ck_assert_msg(strcmp(w, e->wwid) == 0, "%s, %s: '%s', not '%s'", what, rule_name[r],
			      w, e->wwid);
		ck_assert_uint_eq((size_t)n, strlen(e->wwid));
		ck_assert_uint_lt((size_t)n, MP_WWID_SIZE);
		/* a buffer one byte short: -ENOSPC; just long enough: the same WWID */
		ck_assert_int_eq(run_rule(r, p, len, inq, inq_len, w, (size_t)n, &why), -ENOSPC);
		ck_assert_int_eq(run_rule(r, p, len, inq, inq_len, w, (size_t)n + 1, NULL), n);
		ck_assert_str_eq(w, e->wwid);
	} else {
		ck_assert_msg(n == e->err, "%s, %s: %d ('%s'), not %d", what, rule_name[r], n,
			      n >= 0 ? w : why, e->err);
		ck_assert_ptr_nonnull(why);
		ck_assert_uint_gt(strlen(why), 10);
		/* why may be NULL */
		ck_assert_int_eq(run_rule(r, p, len, inq, inq_len, w, sizeof(w), NULL), e->err);
	}
}

/*
 * Pages and the WWIDs Debian 12's own tools gave them: sg_inq --export
 * through 55-scsi-sg3_id.rules' compat lines, /lib/udev/scsi_id --export
 * --whitelisted, and libmultipath's get_vpd_sgio(), each fed the page and
 * std_inq, and cut as multipath-tools cuts a WWID. Where this file differs
 * from them on purpose, the comment says so.
 */
static const struct wwid_case {
	const char *name;
	const char *page;
	struct expect sg3, scsi_id, multipath;
} cases[] = {
    /* NAA of each type (SPC-4 §7.8.6.6): 2h, 3h and 5h are 8 bytes, 6h is 16 */
    {"naa_ieee_ext", "0083000c010300082000001086001234", W("32000001086001234"),
     W("32000001086001234"), W("32000001086001234")},
    {"naa_local", "0083000c01030008317d256b66b08694", W("3317d256b66b08694"),
     W("3317d256b66b08694"), W("3317d256b66b08694")},
    {"naa_ieee_reg", "0083000c010300085000cca012345678", W("35000cca012345678"),
     W("35000cca012345678"), W("35000cca012345678")},
    {"naa_ieee_reg_ext", "00830014010300106001405abcdef0123456789abcdef012",
     W("36001405abcdef0123456789abcdef012"), W("36001405abcdef0123456789abcdef012"),
     W("36001405abcdef0123456789abcdef012")},
    /* an NAA 6h of 8 bytes (spc_test's fixture): only parse_vpd_pg83() checks lengths */
    {"naa6_8_bytes", "0083000c01030008600140500a0b0c0d", W("3600140500a0b0c0d"),
     W("3600140500a0b0c0d"), E(-ENODATA)},
    /* a reserved NAA: sg_inq calls it LOCAL, scsi_id any NAA */
    {"naa_reserved_1h", "0083000c010300081000000000000001", W("31000000000000001"),
     W("31000000000000001"), E(-ENODATA)},
    /* an NAA in ASCII: scsi_id copies it as text, parse_vpd_pg83() reads its first nibble */
    {"naa_ascii", "0083000c020300083630303134303561", E(-ENODATA), W("36001405a"),
     W("33630303134303561")},
    /* EUI-64 of 8, 12 and 16 bytes (SPC-4 §7.8.6.5), and of 10 */
    {"eui64_8", "0083000c0102000801abcdffff234567", W("201abcdffff234567"), W("201abcdffff234567"),
     W("201abcdffff234567")},
    {"eui64_12", "008300100102000c0000000101abcdffff234567", W("20000000101abcdffff234567"),
     W("20000000101abcdffff234567"), W("20000000101abcdffff234567")},
    {"eui64_16", "0083001401020010000000000000000101abcdffff234567",
     W("2000000000000000101abcdffff234567"), W("2000000000000000101abcdffff234567"),
     W("2000000000000000101abcdffff234567")},
    {"eui64_10", "0083000e0102000a01abcdffff2345670001", W("201abcdffff2345670001"),
     W("201abcdffff2345670001"), E(-ENODATA)},
    /* T10 vendor ID: trailing spaces dropped, runs of them one '_' */
    {"t10_trailing_spaces", "008300180201001441434d45202020206469736b2037202020202020",
     W("1ACME_disk_7"), W("1ACME_disk_7"), W("1ACME_disk_7")},
    /* leading spaces: sg_inq drops them, the others make a '_' */
    {"t10_leading_spaces", "0083000d02010009202041434d45202078", W("1ACME_x"), W("1_ACME_x"),
     W("1_ACME_x")},
    /* a T10 vendor ID in UTF-8: sg_inq writes '.' for non-ASCII, scsi_id takes only binary or ASCII
     */
    {"t10_utf8", "008300110301000d41434d4520202020636166c3a9", W("1ACME_caf.."), E(-ENODATA),
     W("1ACME_caf\xc3\xa9")},
    /* a T10 vendor ID in binary: hex, except for parse_vpd_pg83() */
    {"t10_binary", "0083000e0101000a41434d45202020200102", W("141434d45202020200102"),
     W("141434d45202020200102"), W("1ACME_\x01\x02")},
    /* characters outside udev's safe set: \xNN from sg_inq, '_' from scsi_id, as they are from
       multipath-tools */
    {"t10_unsafe", "008300110201000d41434d4520202020612f622263", W("1ACME_a\\x2fb\\x22c"),
     W("1ACME_a_b_c"), W("1ACME_a/b\"c")},
    /* udev keeps valid UTF-8 (systemd's utf8_encoded_valid_unichar()), sg_inq writes '.' */
    {"t10_utf8_in_ascii", "008300190201001541434d4520202020636166c3a920e282acf09f9880",
     W("1ACME_caf.._......."), W("1ACME_caf\xc3\xa9_\xe2\x82\xac\xf0\x9f\x98\x80"),
     W("1ACME_caf\xc3\xa9_\xe2\x82\xac\xf0\x9f\x98\x80")},
    /* overlong, a surrogate, a noncharacter, past 10FFFFh, a stray byte */
    {"t10_bad_utf8", "008300190201001541434d4520202020c080eda080efbfbef4908080ff",
     W("1ACME_............."), W("1ACME______________"),
     W("1ACME_\xc0\x80\xed\xa0\x80\xef\xbf\xbe\xf4\x90\x80\x80\xff")},
    /* a backslash and an x make udev's own escape: scsi_id keeps them */
    {"t10_backslash_x", "008300140201001041434d45202020205c7834315c790901",
     W("1ACME_\\x5cx41\\x5cy_."), W("1ACME_\\x41_y__"), W("1ACME_\\x41\\y\t\x01")},
    /* a WWID is cut at 127 characters */
    {"t10_long",
     "008300ca020100c64c4f4e4756454e443031323334353637383930313233343536373839303132333435363738393"
     "031323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536"
     "373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323"
     "334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839"
     "3031323334353637383930313233343536373839",
     W("1LONGVEND0123456789012345678901234567890123456789012345678901234567890123456789012345678901"
       "234567890123456789012345678901234567"),
     W("1LONGVEND0123456789012345678901234567890123456789012345678901234567890123456789012345678901"
       "234567890123456789012345678901234567"),
     W("1LONGVEND0123456789012345678901234567890123456789012345678901234567890123456789012345678901"
       "234567890123456789012345678901234567")},
    /* a T10 vendor ID shorter than its vendor field */
    {"t10_short", "008300080201000441434d45", W("1ACME"), W("1ACME"), E(-ENODATA)},
    /* SCSI name strings of the LU, NUL-padded (SPC-4 §7.8.6.11): scsi_id has no row for them */
    {"name_naa_lu",
     "0083002c030800286e61612e363030413042383030303132333435363738393041424344454630313233343500000"
     "000",
     W("8naa.600A0B80001234567890ABCDEF012345"), E(-ENODATA),
     W("3600a0b80001234567890abcdef012345")},
    {"name_iqn_lu",
     "008300240308002069716e2e323032342d30312e6f72672e6578616d706c653a6c756e3700000000",
     W("8iqn.2024-01.org.example:lun7"), E(-ENODATA), W("82024-01.org.example:lun7")},
    {"name_eui_lu", "0083001c030800186575692e3032303034353637413432353637384400000000",
     W("8eui.02004567A425678D"), E(-ENODATA), W("202004567a425678d")},
    /* porticod's name strings are the target's and the port's: no WWID */
    {"name_target_only",
     "0083004c53a8001c69716e2e323032342d30312e6f72672e706f727469636f3a746774005398002869716e2e32303"
     "2342d30312e6f72672e706f727469636f3a7467742c742c30783030303100000000",
     E(-ENODATA), E(-ENODATA), E(-ENODATA)},
    /* vendor specific: "0", then the INQUIRY vendor and product */
    {"vendor_specific", "0083000a02000006564f4c203432", W("0PORTICO_disk_VOL_42"),
     W("0PORTICO_disk_VOL_42"), E(-ENODATA)},
    {"vendor_specific_binary", "008300080100000400c0ffee", W("0PORTICO_disk_00c0ffee"),
     W("0PORTICO_disk_00c0ffee"), E(-ENODATA)},
    /* a SATA disk behind a SAT layer: sg3_utils' ata_id compatibility beats every NAA */
    {"ata",
     "0083003c020100384154412020202020535431303030444d3030332d3143483136322020202020202020202020202"
     "02020202020202020205a31443541424344",
     W("ST1000DM003-1CH162_Z1D5ABCD"), W("1ATA_ST1000DM003-1CH162_Z1D5ABCD"),
     W("1ATA_ST1000DM003-1CH162_Z1D5ABCD")},
    {"ata_and_naa",
     "00830048010300085000c5006a1b2c3d020100384154412020202020535431303030444d3030332d3143483136322"
     "02020202020202020202020202020202020202020205a31443541424344",
     W("ST1000DM003-1CH162_Z1D5ABCD"), W("35000c5006a1b2c3d"), W("35000c5006a1b2c3d")},
    /* two of a kind: the last for udev (a later line wins), the first for the others */
    {"naa_local_twice", "00830018010300083000000000000001010300083000000000000002",
     W("33000000000000002"), W("33000000000000001"), W("33000000000000001")},
    /* sg_inq stops at a reserved association */
    {"reserved_assoc_first", "00830018013300085000000000000009010300085000000000000001",
     E(-ENODATA), W("35000000000000001"), W("35000000000000001")},
    /* an empty MD5 designator: sg_inq prints no newline, and loses the NAA line after it */
    {"md5_empty_glue", "0083001d010700000103000850000000000000010201000941434d452020202078",
     W("1ACME_x"), W("35000000000000001"), W("35000000000000001")},
    /* a SCSI-2 page (byte 6 set): the body as one NAA for udev; parse_vpd_pg83() reads it as
       descriptors */
    {"pre_spc3", "0083001060060480000290101234533030303030", W("360060480000290101234533030303030"),
     W("360060480000290101234533030303030"), E(-EBADMSG)},
    /* no designator any of them names a disk by */
    {"uuid_only", "00830016010a00121000000102030405060708090a0b0c0d0e0f", E(-ENODATA), E(-ENODATA),
     E(-ENODATA)},
    /* an empty NAA names nothing here (scsi_id itself says "3") */
    {"naa_empty_then_t10", "00830011010300000201000941434d452020202078", W("1ACME_x"), W("1ACME_x"),
     W("1ACME_x")},
    {"port_only_naa", "0083000c619300085000cca012345679", E(-ENODATA), E(-ENODATA), E(-ENODATA)},
    {"lu_group_md5_only", "0083001c010600040000000701070010000102030405060708090a0b0c0d0e0f",
     E(-ENODATA), E(-ENODATA), E(-ENODATA)},
    /* SPC-4's example page (Seagate SCSI Commands Reference Manual, table 464) */
    {"spc_example",
     "008300320201002258595a5f436f7270537570657220547572626f204469736b32303334353839333435010200080"
     "1abcdffff234567",
     W("201abcdffff234567"), W("201abcdffff234567"), W("201abcdffff234567")},
    /* laid out as the HGST Ultrastar C15K600 specification gives its page 83h (its table 76), a WWN
       of ours */
    {"hgst_layout",
     "00830048010300085000cca012345678619300085000cca0123456796194000400000001012300085000cca012345"
     "67b032800186e61612e3530303043434130313233343536374200000000",
     W("35000cca012345678"), W("35000cca012345678"), W("35000cca012345678")},
    /* NAA 6h of real volumes, as udev reported them (libstorage/libstoragemgmt issue 239):
       MegaRAID, HP Smart Array */
    {"megaraid", "0083001401030010600605b00a5796201f9744221d0dc495",
     W("3600605b00a5796201f9744221d0dc495"), W("3600605b00a5796201f9744221d0dc495"),
     W("3600605b00a5796201f9744221d0dc495")},
    {"hpsa", "0083001401030010600508b1001c79ade5178f0626caaa9c",
     W("3600508b1001c79ade5178f0626caaa9c"), W("3600508b1001c79ade5178f0626caaa9c"),
     W("3600508b1001c79ade5178f0626caaa9c")},
    /* an IBM LTO drive over SAS (LinearTapeFileSystem/ltfs issue 441): the LU's NAA, not the port's
     */
    {"ibm_lto",
     "008300280103000851402ec00141d11e6193000851402ec00141d11c61940004000000016195000400000000",
     W("351402ec00141d11e"), W("351402ec00141d11e"), W("351402ec00141d11e")},
};

START_TEST(test_cases)
{
	const struct wwid_case *c = &cases[_i];
	uint8_t page[512];
	size_t len = unhex(c->page, page, sizeof(page));

	check_rule(RULE_SG3, c->name, page, len, std_inq, sizeof(std_inq), &c->sg3);
	check_rule(RULE_SCSI_ID, c->name, page, len, std_inq, sizeof(std_inq), &c->scsi_id);
	check_rule(RULE_MULTIPATH, c->name, page, len, std_inq, sizeof(std_inq), &c->multipath);
}
END_TEST

/* Appends one descriptor of type t, association a, and a body fit for its type. */
static size_t put_typed(uint8_t *buf, size_t size, size_t off, uint8_t t, uint8_t a)
{
	static const uint8_t naa[8] = {0x50, 0x00, 0xcc, 0xa0, 0x12, 0x34, 0x56, 0x78};
	static const uint8_t eui[8] = {0x01, 0xab, 0xcd, 0xff, 0xff, 0x23, 0x45, 0x67};
	static const uint8_t port[4] = {0, 0, 0, 1};
	static const uint8_t md5[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t uuid[18] = {0x10, 0x00, 1,	 2,  3,	 4,  5,	 6,  7,
					 8,    9,    10, 11, 12, 13, 14, 15, 16};
	struct scsi_desig d = {.codeset = SCSI_DESIG_CODESET_BINARY, .assoc = a, .type = t};
	int n;

	switch (t) {
	case SCSI_DESIG_TYPE_VENDOR:
		d.codeset = SCSI_DESIG_CODESET_ASCII;
		d.id = (const uint8_t *)"VOL 42";
		d.len = 6;
		break;
	case SCSI_DESIG_TYPE_T10:
		n = scsi_desig_put_t10(buf, size, off, a, "ACME", (const uint8_t *)"x", 1);
		ck_assert_int_gt(n, 0);
		return off + (size_t)n;
	case SCSI_DESIG_TYPE_EUI64:
		d.id = eui;
		d.len = sizeof(eui);
		break;
	case SCSI_DESIG_TYPE_NAA:
		d.id = naa;
		d.len = sizeof(naa);
		break;
	case SCSI_DESIG_TYPE_MD5:
		d.id = md5;
		d.len = sizeof(md5);
		break;
	case SCSI_DESIG_TYPE_SCSI_NAME:
		n = scsi_desig_put_name(buf, size, off, SCSI_PROTOCOL_ISCSI, a,
					"iqn.2024-01.org.example:lun7");
		ck_assert_int_gt(n, 0);
		return off + (size_t)n;
	case SCSI_DESIG_TYPE_UUID:
		d.id = uuid;
		d.len = sizeof(uuid);
		break;
	default:
		d.id = port;
		d.len = sizeof(port);
		break;
	}
	n = scsi_desig_put(buf, size, off, &d);
	ck_assert_int_gt(n, 0);
	return off + (size_t)n;
}

/*
 * Every designator type with every association, alone in its page: only a
 * logical unit's names a LUN, and each rule takes its own types (checked
 * against the tools as the table above was).
 */
START_TEST(test_every_type_and_association)
{
	static const uint16_t takes[RULES] = {
	    [RULE_SG3] = 1u << SCSI_DESIG_TYPE_VENDOR | 1u << SCSI_DESIG_TYPE_T10 |
			 1u << SCSI_DESIG_TYPE_EUI64 | 1u << SCSI_DESIG_TYPE_NAA |
			 1u << SCSI_DESIG_TYPE_SCSI_NAME,
	    [RULE_SCSI_ID] = 1u << SCSI_DESIG_TYPE_VENDOR | 1u << SCSI_DESIG_TYPE_T10 |
			     1u << SCSI_DESIG_TYPE_EUI64 | 1u << SCSI_DESIG_TYPE_NAA,
	    [RULE_MULTIPATH] = 1u << SCSI_DESIG_TYPE_T10 | 1u << SCSI_DESIG_TYPE_EUI64 |
			       1u << SCSI_DESIG_TYPE_NAA | 1u << SCSI_DESIG_TYPE_SCSI_NAME,
	};
	uint8_t page[64];
	char w[MP_WWID_SIZE];
	const char *why;
	unsigned t, a;
	size_t end;
	int r, n;

	for (t = 0; t < 16; t++)
		for (a = 0; a < 4; a++) {
			memset(page, 0, sizeof(page));
			page[1] = SCSI_VPD_DEVICE_ID;
			end = put_typed(page, sizeof(page), 4, (uint8_t)t, (uint8_t)(a << 4));
			put_be16(page + 2, (uint16_t)(end - 4));
			for (r = 0; r < RULES; r++) {
				bool named = a == 0 && (takes[r] >> t & 1);

				why = NULL;
				n = run_rule((enum rule)r, page, end, std_inq, sizeof(std_inq), w,
					     sizeof(w), &why);
				ck_assert_msg(named ? n > 0 : n == -ENODATA,
					      "type %u, association %u, %s: %d", t, a, rule_name[r],
					      n);
			}
		}
}
END_TEST

/* porticod's page 83h, as target/scsi/spc.c builds it, with the codec it builds it with. */
static size_t porticod_page(uint8_t *buf, size_t size, const uint8_t naa[8], const char *serial,
			    bool nexus)
{
	const struct scsi_desig lu_naa = {.codeset = SCSI_DESIG_CODESET_BINARY,
					  .assoc = SCSI_DESIG_ASSOC_LU,
					  .type = SCSI_DESIG_TYPE_NAA,
					  .id = naa,
					  .len = 8};
	struct scsi_desig_port_id port = {.reserved = {0, 0}};
	struct scsi_desig d = {.proto = SCSI_PROTOCOL_ISCSI,
			       .codeset = SCSI_DESIG_CODESET_BINARY,
			       .piv = true,
			       .assoc = SCSI_DESIG_ASSOC_PORT,
			       .type = SCSI_DESIG_TYPE_REL_PORT,
			       .id = (const uint8_t *)&port,
			       .len = sizeof(port)};
	size_t off = 4;
	int n;

	memset(buf, 0, size);
	buf[1] = SCSI_VPD_DEVICE_ID;
	n = scsi_desig_put(buf, size, off, &lu_naa);
	ck_assert_int_gt(n, 0);
	off += (size_t)n;
	n = scsi_desig_put_t10(buf, size, off, SCSI_DESIG_ASSOC_LU, "PORTICO",
			       (const uint8_t *)serial, strlen(serial));
	ck_assert_int_gt(n, 0);
	off += (size_t)n;
	if (nexus) {
		put_be16(port.id, 1);
		n = scsi_desig_put(buf, size, off, &d);
		ck_assert_int_gt(n, 0);
		off += (size_t)n;
		d.type = SCSI_DESIG_TYPE_TPG;
		n = scsi_desig_put(buf, size, off, &d);
		ck_assert_int_gt(n, 0);
		off += (size_t)n;
		n = scsi_desig_put_name(buf, size, off, SCSI_PROTOCOL_ISCSI, SCSI_DESIG_ASSOC_PORT,
					"iqn.2024-01.org.portico:tgt,t,0x0001");
		ck_assert_int_gt(n, 0);
		off += (size_t)n;
		n = scsi_desig_put_name(buf, size, off, SCSI_PROTOCOL_ISCSI,
					SCSI_DESIG_ASSOC_TARGET, "iqn.2024-01.org.portico:tgt");
		ck_assert_int_gt(n, 0);
		off += (size_t)n;
	}
	put_be16(buf + 2, (uint16_t)(off - 4));
	return off;
}

/* A derived identity: NAA 3h, locally assigned, and a 16-hex-digit serial (target/model/config.c).
 */
static const uint8_t lab_naa[8] = {0x31, 0x7d, 0x25, 0x6b, 0x66, 0xb0, 0x86, 0x94};
static const char lab_serial[] = "0123456789abcdef";

START_TEST(test_porticod_page)
{
	static const uint8_t fixture_naa[8] = {0x60, 0x01, 0x40, 0x50, 0x0a, 0x0b, 0x0c, 0x0d};
	const struct expect sg3 = W("1PORTICO_0123456789abcdef");
	const struct expect scsi_id = W("3317d256b66b08694");
	uint8_t page[512];
	size_t len;
	int nexus;

	/*
	 * Debian 12 with multipath-tools (sg3-utils-udev): the T10 vendor ID
	 * beats a locally assigned NAA. Without sg3-utils-udev (the VM lab's
	 * guest): scsi_id's "3" and the NAA, the lab's WWIDs.
	 */
	for (nexus = 0; nexus < 2; nexus++) {
		len = porticod_page(page, sizeof(page), lab_naa, lab_serial, nexus);
		check_rule(RULE_SG3, "porticod", page, len, std_inq, sizeof(std_inq), &sg3);
		check_rule(RULE_SCSI_ID, "porticod", page, len, std_inq, sizeof(std_inq), &scsi_id);
		check_rule(RULE_MULTIPATH, "porticod", page, len, NULL, 0, &sg3);
		/* the INQUIRY data are not needed for it */
		check_rule(RULE_SG3, "porticod", page, len, NULL, 0, &sg3);
		check_rule(RULE_SCSI_ID, "porticod", page, len, NULL, 0, &scsi_id);
	}

	/* spc_test's fixture: an NAA 6h of 8 bytes, which parse_vpd_pg83() refuses */
	len = porticod_page(page, sizeof(page), fixture_naa, "SER0001", true);
	check_rule(RULE_SG3, "fixture", page, len, std_inq, sizeof(std_inq),
		   &(struct expect)W("3600140500a0b0c0d"));
	check_rule(RULE_SCSI_ID, "fixture", page, len, std_inq, sizeof(std_inq),
		   &(struct expect)W("3600140500a0b0c0d"));
	check_rule(RULE_MULTIPATH, "fixture", page, len, std_inq, sizeof(std_inq),
		   &(struct expect)W("1PORTICO_SER0001"));
}
END_TEST

START_TEST(test_buffer_cut_at_every_byte)
{
	uint8_t page[512], *cut_page;
	size_t len = porticod_page(page, sizeof(page), lab_naa, lab_serial, true), cut;
	const struct expect e = E(-EMSGSIZE);
	int r;

	/* a copy of exactly cut bytes, so that a read past them is ASan's to see */
	for (cut = 0; cut < len; cut++) {
		cut_page = malloc(cut ? cut : 1);
		ck_assert_ptr_nonnull(cut_page);
		memcpy(cut_page, page, cut);
		for (r = 0; r < RULES; r++)
			check_rule((enum rule)r, "cut buffer", cut_page, cut, std_inq,
				   sizeof(std_inq), &e);
		free(cut_page);
	}
}
END_TEST

/*
 * PAGE LENGTH cut at every byte: the NAA cut is a broken page with nothing
 * usable (-EBADMSG); once the NAA is whole it names the LUN, until the T10
 * vendor ID is whole and takes over where sg3_utils and multipath-tools
 * decide.
 */
START_TEST(test_page_cut_at_every_byte)
{
	uint8_t page[512], *p;
	size_t len = porticod_page(page, sizeof(page), lab_naa, lab_serial, false), cut;
	const size_t naa_end = 4 + 4 + 8, t10_end = naa_end + 4 + 8 + strlen(lab_serial);
	const struct expect none = E(-ENODATA), broken = E(-EBADMSG);
	const struct expect naa = W("3317d256b66b08694"), t10 = W("1PORTICO_0123456789abcdef");
	int r;

	ck_assert_uint_eq(len, t10_end);
	for (cut = 4; cut <= len; cut++) {
		p = malloc(cut);
		ck_assert_ptr_nonnull(p);
		memcpy(p, page, cut);
		put_be16(p + 2, (uint16_t)(cut - 4));
		for (r = 0; r < RULES; r++) {
			const struct expect *e = cut == 4			      ? &none
						 : cut < naa_end		      ? &broken
						 : cut < t10_end || r == RULE_SCSI_ID ? &naa
										      : &t10;

			check_rule((enum rule)r, "cut page", p, cut, std_inq, sizeof(std_inq), e);
		}
		free(p);
	}
}
END_TEST

START_TEST(test_malformed)
{
	uint8_t page[64];
	char w[MP_WWID_SIZE];
	const char *why;
	int r;

	/* DESIGNATOR LENGTH past the end, nothing before it */
	memset(page, 0, sizeof(page));
	memcpy(page, "\x00\x83\x00\x08\x01\x03\x00\x10\x50\x00\xcc\xa0", 12);
	for (r = 0; r < RULES; r++) {
		why = NULL;
		ck_assert_int_eq(
		    run_rule((enum rule)r, page, 12, std_inq, sizeof(std_inq), w, sizeof(w), &why),
		    -EBADMSG);
		ck_assert_ptr_nonnull(why);
	}

	/* PAGE LENGTH past the buffer */
	put_be16(page + 2, 200);
	for (r = 0; r < RULES; r++) {
		why = NULL;
		ck_assert_int_eq(run_rule((enum rule)r, page, sizeof(page), std_inq,
					  sizeof(std_inq), w, sizeof(w), &why),
				 -EMSGSIZE);
		ck_assert_ptr_nonnull(strstr(why, "larger allocation length"));
	}

	/* another page */
	memcpy(page, "\x00\x80\x00\x04SN42", 8);
	for (r = 0; r < RULES; r++) {
		why = NULL;
		ck_assert_int_eq(
		    run_rule((enum rule)r, page, 8, std_inq, sizeof(std_inq), w, sizeof(w), &why),
		    -EPROTO);
		ck_assert_str_eq(why, "not page 83h");
	}

	/* an empty page, and a page of zero-length descriptors */
	memset(page, 0, sizeof(page));
	page[1] = SCSI_VPD_DEVICE_ID;
	for (r = 0; r < RULES; r++) {
		why = NULL;
		ck_assert_int_eq(
		    run_rule((enum rule)r, page, 4, std_inq, sizeof(std_inq), w, sizeof(w), &why),
		    -ENODATA);
		ck_assert_str_eq(why, "no logical unit designator in page 83h");
	}
	page[3] = 40;
	for (size_t i = 0; i < 10; i++) {
		page[4 + 4 * i] = (uint8_t)(i % 3 + 1);		/* binary, ASCII, UTF-8 */
		page[4 + 4 * i + 1] = (uint8_t)(i % 4 ? i : 3); /* NAA, T10, EUI-64, ... */
	}
	for (r = 0; r < RULES; r++)
		ck_assert_int_eq(
		    run_rule((enum rule)r, page, 44, std_inq, sizeof(std_inq), w, sizeof(w), NULL),
		    -ENODATA);
}
END_TEST

/* A vendor specific designator is named with the INQUIRY vendor and product. */
START_TEST(test_vendor_specific_needs_inquiry)
{
	static const uint8_t page[] = "\x00\x83\x00\x0a\x02\x00\x00\x06VOL 42";
	uint8_t inq[36];
	char w[MP_WWID_SIZE];
	const char *why = NULL;

	ck_assert_int_eq(mp_wwid(page, 14, NULL, 0, w, sizeof(w), &why), -ENODATA);
	ck_assert_ptr_nonnull(strstr(why, "INQUIRY"));
	ck_assert_int_eq(mp_wwid_scsi_id(page, 14, NULL, 0, w, sizeof(w), &why), -ENODATA);

	/* short INQUIRY data: sg_inq takes what there is of each field, scsi_id nothing */
	ck_assert_int_eq(mp_wwid(page, 14, std_inq, 12, w, sizeof(w), &why), 13);
	ck_assert_str_eq(w, "0PORT__VOL_42");
	ck_assert_int_eq(mp_wwid(page, 14, std_inq, 8, w, sizeof(w), &why), 9);
	ck_assert_str_eq(w, "0__VOL_42");
	ck_assert_int_eq(mp_wwid_scsi_id(page, 14, std_inq, 20, w, sizeof(w), &why), -ENODATA);

	/*
	 * A NUL in the vendor: sg_inq squeezes it out; scsi_id would say "0",
	 * which here names nothing.
	 */
	memcpy(inq, std_inq, sizeof(inq));
	inq[offsetof(struct scsi_inquiry_std, vendor) + 7] = '\0';
	ck_assert_int_eq(mp_wwid(page, 14, inq, sizeof(inq), w, sizeof(w), &why), 20);
	ck_assert_str_eq(w, "0PORTICO_disk_VOL_42");
	ck_assert_int_eq(mp_wwid_scsi_id(page, 14, inq, sizeof(inq), w, sizeof(w), &why), -ENODATA);

	/* a tab, quotes: as sg_inq with udev, and scsi_id, make them */
	memcpy(inq + offsetof(struct scsi_inquiry_std, vendor), "AB\tC    ", 8);
	memcpy(inq + offsetof(struct scsi_inquiry_std, product), "'m'             ", 16);
	ck_assert_int_eq(mp_wwid(page, 14, inq, sizeof(inq), w, sizeof(w), &why), 14);
	ck_assert_str_eq(w, "0AB_C_m_VOL_42");
	ck_assert_int_eq(mp_wwid_scsi_id(page, 14, inq, sizeof(inq), w, sizeof(w), &why), 16);
	ck_assert_str_eq(w, "0AB_C__m__VOL_42");
}
END_TEST

/* scsi_id reads 254 bytes of a page, multipath-tools 4096; udev's sg_inq all of it. */
START_TEST(test_how_much_each_reads)
{
	static uint8_t page[4200];
	static const uint8_t naa[8] = {0x50, 0x00, 0xcc, 0xa0, 0x12, 0x34, 0x56, 0x78};
	const struct scsi_desig lu = {
	    .codeset = SCSI_DESIG_CODESET_BINARY, .type = SCSI_DESIG_TYPE_NAA, .id = naa, .len = 8};
	const struct expect named = W("35000cca012345678");
	char name[252];
	size_t off = 4;
	int n;

	memset(name, 'x', sizeof(name) - 1);
	memcpy(name, "iqn.", 4);
	name[sizeof(name) - 1] = '\0';
	memset(page, 0, sizeof(page));
	page[1] = SCSI_VPD_DEVICE_ID;
	/* a target device name of 251 bytes first: the LU's NAA ends past byte 254 */
	n = scsi_desig_put_name(page, sizeof(page), off, SCSI_PROTOCOL_ISCSI,
				SCSI_DESIG_ASSOC_TARGET, name);
	ck_assert_int_eq(n, 256);
	off += (size_t)n;
	n = scsi_desig_put(page, sizeof(page), off, &lu);
	off += (size_t)n;
	put_be16(page + 2, (uint16_t)(off - 4));
	check_rule(RULE_SG3, "past 254", page, off, NULL, 0, &named);
	check_rule(RULE_SCSI_ID, "past 254", page, off, NULL, 0, &(struct expect)E(-ENODATA));
	check_rule(RULE_MULTIPATH, "past 254", page, off, NULL, 0, &named);

	/* names past byte 4096, then the NAA */
	off = 4;
	while (off < 4096) {
		n = scsi_desig_put_name(page, sizeof(page), off, SCSI_PROTOCOL_ISCSI,
					SCSI_DESIG_ASSOC_TARGET, name);
		off += (size_t)n;
	}
	n = scsi_desig_put(page, sizeof(page), off, &lu);
	off += (size_t)n;
	ck_assert_uint_gt(off, 4096);
	put_be16(page + 2, (uint16_t)(off - 4));
	check_rule(RULE_SG3, "past 4096", page, off, NULL, 0, &named);
	check_rule(RULE_MULTIPATH, "past 4096", page, off, NULL, 0, &(struct expect)E(-ENODATA));
}
END_TEST

/* A SCSI-2 page longer than 255 bytes: scsi_id reads PAGE LENGTH's low byte only. */
START_TEST(test_pre_spc3_long)
{
	uint8_t page[4 + 0x110];
	size_t i;

	page[0] = 0;
	page[1] = SCSI_VPD_DEVICE_ID;
	put_be16(page + 2, 0x110);
	for (i = 0; i < 0x110; i++)
		page[4 + i] = (uint8_t)(0x60 + i);
	check_rule(
	    RULE_SG3, "SCSI-2", page, sizeof(page), std_inq, sizeof(std_inq),
	    &(struct expect)W("3606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e"
			      "7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d"
			      "9e"));
	check_rule(RULE_SCSI_ID, "SCSI-2", page, sizeof(page), std_inq, sizeof(std_inq),
		   &(struct expect)W("3606162636465666768696a6b6c6d6e6f"));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("wwid");
	TCase *tc = tcase_create("wwid");

	tcase_add_loop_test(tc, test_cases, 0, (int)ARRAY_SIZE(cases));
	tcase_add_test(tc, test_every_type_and_association);
	tcase_add_test(tc, test_porticod_page);
	tcase_add_test(tc, test_buffer_cut_at_every_byte);
	tcase_add_test(tc, test_page_cut_at_every_byte);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_vendor_specific_needs_inquiry);
	tcase_add_test(tc, test_how_much_each_reads);
	tcase_add_test(tc, test_pre_spc3_long);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

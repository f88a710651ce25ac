/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SPC-4 commands (target/scsi/spc.c): INQUIRY and the VPD pages, REPORT
 * LUNS, REPORT TARGET PORT GROUPS, REPORT SUPPORTED OPERATION CODES, and
 * allocation length truncation.
 */
#include "tests/unit/target/scsi/scsi_test_util.h"

static void inq_cdb(uint8_t *cdb, bool evpd, uint8_t page, uint16_t alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_INQUIRY;
	cdb[1] = evpd ? 1 : 0;
	cdb[2] = page;
	put_be16(cdb + 3, alloc);
}

/* Runs an INQUIRY into t (the caller frees); asserts GOOD. */
static void run_inq(struct t_cmd *t, bool evpd, uint8_t page, uint16_t alloc)
{
	uint8_t cdb[16];

	inq_cdb(cdb, evpd, page, alloc);
	t_cmd_init(t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(t, NULL, 0), SCSI_STATUS_GOOD);
}

START_TEST(test_inquiry_parse)
{
	uint8_t cdb[16];
	struct t_cmd t;

	inq_cdb(cdb, false, 0, 0x1234);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_OK);
	ck_assert_uint_eq(t.cmd.xfer_len, 0x1234);
	ck_assert_uint_eq(t.cmd.dir, SCSI_DIR_READ);
	t_cmd_fini(&t);

	/* a page code without EVPD */
	inq_cdb(cdb, false, 0x80, 255);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_INVALID_FIELD_IN_CDB);
	ck_assert_uint_eq(t.cmd.sense_field, 2);
	t_cmd_fini(&t);

	/* CMDDT */
	inq_cdb(cdb, false, 0, 255);
	cdb[1] = 0x02;
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_int_eq(scsi_cmd_parse(&t.cmd), SENSE_INVALID_FIELD_IN_CDB);
	t_cmd_fini(&t);

	/* allocation length 0: nothing moves, GOOD */
	inq_cdb(cdb, false, 0, 0);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.dir, SCSI_DIR_NONE);
	ck_assert_uint_eq(t.cmd.data_len, 0);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_inquiry_standard)
{
	struct t_cmd t;

	run_inq(&t, false, 0, 260);
	ck_assert_uint_eq(t.cmd.data_len, 96);
	ck_assert_uint_eq(t.buf[0], 0x00); /* connected direct-access block device */
	ck_assert_uint_eq(t.buf[1], 0x00); /* not removable */
	ck_assert_uint_eq(t.buf[2], 0x06); /* SPC-4 */
	ck_assert_uint_eq(t.buf[3], 0x12); /* HISUP, response data format 2 */
	ck_assert_uint_eq(t.buf[4], 96 - 5);
	ck_assert_uint_eq(t.buf[5] & 0x30, 0x10); /* TPGS implicit */
	ck_assert_uint_eq(t.buf[7], 0x02);	  /* CMDQUE */
	ck_assert_int_eq(memcmp(t.buf + 8, "PORTICO ", 8), 0);
	ck_assert_int_eq(memcmp(t.buf + 16, "disk            ", 16), 0);
	ck_assert_int_eq(memcmp(t.buf + 32, "0.1 ", 4), 0);
	ck_assert_uint_eq(get_be16(t.buf + 58), SCSI_VERSION_SAM5);
	ck_assert_uint_eq(get_be16(t.buf + 60), SCSI_VERSION_ISCSI);
	ck_assert_uint_eq(get_be16(t.buf + 62), SCSI_VERSION_SPC4);
	ck_assert_uint_eq(get_be16(t.buf + 64), SCSI_VERSION_SBC3);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_inquiry_allocation_length)
{
	struct t_cmd t;
	uint8_t cdb[16];
	uint8_t full[96];
	int a;

	run_inq(&t, false, 0, 255);
	memcpy(full, t.buf, sizeof(full));
	t_cmd_fini(&t);
	for (a = 1; a < 100; a += 7) {
		run_inq(&t, false, 0, (uint16_t)a);
		ck_assert_uint_eq(t.cmd.data_len, MIN(a, 96));
		ck_assert_int_eq(memcmp(t.buf, full, t.cmd.data_len), 0);
		/* nothing written past what was allowed */
		ck_assert_uint_eq(t.buf[t.cmd.data_len], 0xee);
		t_cmd_fini(&t);
	}
	/* the transport's buffer is shorter still (EDTL below the allocation length) */
	inq_cdb(cdb, false, 0, 255);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 10, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 10);
	ck_assert_uint_eq(t.buf[10], 0xee);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_vpd_supported_pages_all_readable)
{
	struct t_cmd t, p;
	size_t i, n;

	run_inq(&t, true, 0x00, 255);
	ck_assert_uint_eq(t.buf[1], 0x00);
	n = get_be16(t.buf + 2);
	ck_assert_uint_eq(n, 8); /* 00 80 83 86 8F B0 B1 B2 */
	ck_assert_uint_eq(t.cmd.data_len, 4 + n);
	for (i = 0; i < n; i++) {
		if (i)
			ck_assert_uint_lt(t.buf[4 + i - 1], t.buf[4 + i]);
		run_inq(&p, true, t.buf[4 + i], 255);
		ck_assert_uint_eq(p.buf[1], t.buf[4 + i]);
		ck_assert_uint_eq(p.cmd.data_len, 4 + get_be16(p.buf + 2));
		t_cmd_fini(&p);
	}
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_vpd_unsupported_page)
{
	uint8_t cdb[16];
	struct scsi_cmd c;

	inq_cdb(cdb, true, 0x87, 255);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	/* unmapped: only page 00h */
	inq_cdb(cdb, true, 0x80, 255);
	ck_assert_uint_eq(t_simple(NULL, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
}
END_TEST

START_TEST(test_vpd_serial)
{
	struct t_cmd t;

	run_inq(&t, true, 0x80, 255);
	ck_assert_uint_eq(get_be16(t.buf + 2), 7);
	ck_assert_int_eq(memcmp(t.buf + 4, "SER0001", 7), 0);
	t_cmd_fini(&t);
}
END_TEST

/* Finds the designator with (byte 1 & 0x3f) == assoc_type; returns its offset or 0. */
static size_t find_desig(const uint8_t *p, size_t len, uint8_t assoc_type)
{
	size_t off = 4;

	while (off + 4 <= len) {
		if ((p[off + 1] & 0x3f) == assoc_type)
			return off;
		off += 4 + p[off + 3];
	}
	return 0;
}

START_TEST(test_vpd_device_identification)
{
	struct t_cmd t;
	size_t off, len;

	run_inq(&t, true, 0x83, 1024);
	len = 4 + get_be16(t.buf + 2);
	ck_assert_uint_eq(t.cmd.data_len, len);

	/* NAA, logical unit */
	off = find_desig(t.buf, len, 0x03);
	ck_assert_uint_ne(off, 0);
	ck_assert_uint_eq(t.buf[off] & 0x0f, 1); /* binary */
	ck_assert_uint_eq(t.buf[off + 3], 8);
	ck_assert_uint_eq(t.buf[off + 4] >> 4, 6);
	ck_assert_uint_eq(t.buf[off + 11], 0x0d);

	/* T10 vendor ID */
	off = find_desig(t.buf, len, 0x01);
	ck_assert_uint_ne(off, 0);
	ck_assert_int_eq(memcmp(t.buf + off + 4, "PORTICO SER0001", 15), 0);

	/* relative target port and target port group: the TPG tag, PIV, iSCSI */
	off = find_desig(t.buf, len, 0x14);
	ck_assert_uint_ne(off, 0);
	ck_assert_uint_eq(t.buf[off], 0x51);
	ck_assert_uint_eq(t.buf[off + 1], 0x94);
	ck_assert_uint_eq(get_be16(t.buf + off + 6), 1);
	off = find_desig(t.buf, len, 0x15);
	ck_assert_uint_ne(off, 0);
	ck_assert_uint_eq(get_be16(t.buf + off + 6), 1);

	/* SCSI name string of the target port: NUL-terminated, padded to 4 */
	off = find_desig(t.buf, len, 0x18);
	ck_assert_uint_ne(off, 0);
	ck_assert_uint_eq(t.buf[off], 0x53);
	ck_assert_uint_eq(t.buf[off + 3] % 4, 0);
	ck_assert_str_eq((char *)t.buf + off + 4, "iqn.2024-01.org.portico:tgt,t,0x0001");
	ck_assert_uint_eq(t.buf[off + 3], 40); /* 36 characters, a NUL, 3 bytes of padding */

	/* ... and of the target device */
	off = find_desig(t.buf, len, 0x28);
	ck_assert_uint_ne(off, 0);
	ck_assert_str_eq((char *)t.buf + off + 4, "iqn.2024-01.org.portico:tgt");
	ck_assert_uint_eq(t.buf[off + 3] % 4, 0);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_vpd_block_limits_thin)
{
	struct t_cmd t;

	run_inq(&t, true, 0xb0, 255);
	ck_assert_uint_eq(get_be16(t.buf + 2), 0x3c);
	ck_assert_uint_eq(t.cmd.data_len, 64);
	ck_assert_uint_eq(t.buf[4] & 0x01, 0); /* WSNZ 0: 0 blocks runs to the end */
	ck_assert_uint_eq(t.buf[5], SCSI_MAX_CAW_BLOCKS);
	ck_assert_uint_eq(get_be32(t.buf + 8), SCSI_MAX_XFER_BYTES / T_BS);
	ck_assert_uint_eq(get_be32(t.buf + 20), SCSI_MAX_UNMAP_BLOCKS);
	ck_assert_uint_le(get_be32(t.buf + 20), 1024 * 1024);
	ck_assert_uint_eq(get_be32(t.buf + 24), SCSI_MAX_UNMAP_DESCRIPTORS);
	ck_assert_uint_eq(get_be32(t.buf + 28), 8); /* 4096 / 512 */
	ck_assert_uint_eq(get_be64(t.buf + 36), SCSI_MAX_WRITE_SAME_BLOCKS);
	t_cmd_fini(&t);

	run_inq(&t, true, 0xb2, 255);
	ck_assert_uint_eq(t.cmd.data_len, 8);
	ck_assert_uint_eq(t.buf[5], 0x80 | 0x40 | 0x20 | 0x04); /* LBPU LBPWS LBPWS10 LBPRZ */
	ck_assert_uint_eq(t.buf[6] & 0x07, 2);			/* thin */
	t_cmd_fini(&t);

	run_inq(&t, true, 0xb1, 255);
	ck_assert_uint_eq(get_be16(t.buf + 4), 1); /* non-rotating */
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_vpd_block_limits_thick)
{
	struct t_cmd t;

	run_inq(&t, true, 0xb0, 255);
	/* no UNMAP: its limits are 0 */
	ck_assert_uint_eq(get_be32(t.buf + 20), 0);
	ck_assert_uint_eq(get_be32(t.buf + 24), 0);
	t_cmd_fini(&t);
	run_inq(&t, true, 0xb2, 255);
	ck_assert_uint_eq(t.buf[5], 0);
	ck_assert_uint_eq(t.buf[6] & 0x07, 0);
	t_cmd_fini(&t);
}
END_TEST

/* The Block Limits page of a 512e LU: granularities of one physical block. */
START_TEST(test_vpd_block_limits_512e)
{
	struct t_cmd t;

	T.mb->dev.phys_block_size = 4096;
	run_inq(&t, true, 0xb0, 255);
	ck_assert_uint_eq(get_be16(t.buf + 6), 8);  /* OPTIMAL TRANSFER LENGTH GRANULARITY */
	ck_assert_uint_eq(get_be32(t.buf + 12) % 8, 0); /* OPTIMAL TRANSFER LENGTH: whole ones */
	ck_assert_uint_eq(get_be32(t.buf + 28), 8); /* OPTIMAL UNMAP GRANULARITY */
	ck_assert_uint_eq(get_be32(t.buf + 32), 0x80000000u); /* UGAVALID, alignment 0 */
	t_cmd_fini(&t);

	/* larger than a page: the unmap granularity follows the physical block */
	T.mb->dev.phys_block_size = 16384;
	run_inq(&t, true, 0xb0, 255);
	ck_assert_uint_eq(get_be16(t.buf + 6), 32);
	ck_assert_uint_eq(get_be32(t.buf + 28), 32);
	t_cmd_fini(&t);

	/* one block per physical block: granularity 1 as before */
	T.mb->dev.phys_block_size = 512;
	run_inq(&t, true, 0xb0, 255);
	ck_assert_uint_eq(get_be16(t.buf + 6), 1);
	ck_assert_uint_eq(get_be32(t.buf + 28), 8);
	t_cmd_fini(&t);
}
END_TEST

static void rl_cdb(uint8_t *cdb, uint8_t select, uint32_t alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_REPORT_LUNS;
	cdb[2] = select;
	put_be32(cdb + 6, alloc);
}

START_TEST(test_report_luns)
{
	uint8_t cdb[16];
	struct t_cmd t;
	struct scsi_cmd c;

	rl_cdb(cdb, 0, 256);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 8 + 24);
	ck_assert_uint_eq(get_be32(t.buf), 24);
	ck_assert_uint_eq(get_be64(t.buf + 8), 0);
	ck_assert_uint_eq(get_be64(t.buf + 16), 0x0005000000000000ull);
	ck_assert_uint_eq(get_be64(t.buf + 24), 0x412c000000000000ull);
	t_cmd_fini(&t);

	/* truncated to the allocation length, the LUN LIST LENGTH still whole */
	rl_cdb(cdb, 2, 16);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 16);
	ck_assert_uint_eq(get_be32(t.buf), 24);
	t_cmd_fini(&t);

	/* well known LUNs only: none */
	rl_cdb(cdb, 1, 256);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 8);
	ck_assert_uint_eq(get_be32(t.buf), 0);
	t_cmd_fini(&t);

	/* SPC-4: an allocation length below 16 */
	rl_cdb(cdb, 0, 15);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	rl_cdb(cdb, 0x10, 256);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
}
END_TEST

START_TEST(test_rtpg)
{
	uint8_t cdb[16] = {SCSI_OP_MAINTENANCE_IN, SCSI_MI_REPORT_TARGET_PORT_GROUPS};
	struct t_cmd t;

	put_be32(cdb + 6, 255);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 16);
	ck_assert_uint_eq(get_be32(t.buf), 12);
	ck_assert_uint_eq(t.buf[4] & 0x0f, 0);	   /* active/optimized */
	ck_assert_uint_eq(get_be16(t.buf + 6), 1); /* group = TPG tag */
	ck_assert_uint_eq(t.buf[11], 1);
	ck_assert_uint_eq(get_be16(t.buf + 14), 1); /* relative target port */
	t_cmd_fini(&t);

	cdb[1] |= 0x20; /* extended header */
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 20);
	ck_assert_uint_eq(t.buf[4], 0x10);
	ck_assert_uint_eq(get_be16(t.buf + 10), 1);
	t_cmd_fini(&t);
}
END_TEST

static void rsoc_cdb(uint8_t *cdb, uint8_t options, uint8_t opcode, uint16_t sa, uint32_t alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_MAINTENANCE_IN;
	cdb[1] = SCSI_MI_REPORT_SUPPORTED_OPCODES;
	cdb[2] = options;
	cdb[3] = opcode;
	put_be16(cdb + 4, sa);
	put_be32(cdb + 6, alloc);
}

START_TEST(test_rsoc_all)
{
	uint8_t cdb[16];
	struct t_cmd t;
	size_t len, off, n = 0;
	bool saw_rc16 = false, saw_write10 = false;

	rsoc_cdb(cdb, 0, 0, 0, 65535);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	len = 4 + get_be32(t.buf);
	ck_assert_uint_eq(t.cmd.data_len, len);
	for (off = 4; off < len; off += 8, n++) {
		const uint8_t *d = t.buf + off;

		ck_assert_uint_eq(d[5] & 0x02, 0); /* no CTDP without RCTD */
		if (!(d[5] & 0x01))
			ck_assert_uint_eq(get_be16(d + 2), 0); /* SERVACTV clear: SA 0 */
		if (d[0] == SCSI_OP_SERVICE_ACTION_IN_16 && get_be16(d + 2) == 0x10) {
			saw_rc16 = true;
			ck_assert_uint_eq(d[5], 0x01);
			ck_assert_uint_eq(get_be16(d + 6), 16);
		}
		if (d[0] == SCSI_OP_WRITE_10)
			saw_write10 = true;
	}
	ck_assert(saw_rc16 && saw_write10);
	/*
	 * all but SET TARGET PORT GROUPS, which needs explicit ALUA (alua_test),
	 * and PREVENT ALLOW MEDIUM REMOVAL, which needs a removable LU (sbc_media_test)
	 */
	ck_assert_uint_eq(n, scsi_op_list(NULL, 0) - 2);
	t_cmd_fini(&t);

	/* with timeout descriptors */
	rsoc_cdb(cdb, 0x80, 0, 0, 65535);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	len = 4 + get_be32(t.buf);
	for (off = 4; off < len; off += 20) {
		ck_assert_uint_eq(t.buf[off + 5] & 0x02, 0x02);
		ck_assert_uint_eq(get_be16(t.buf + off + 8), 0x0a);
	}
	ck_assert_uint_eq(off, len);
	t_cmd_fini(&t);
}
END_TEST

START_TEST(test_rsoc_one)
{
	uint8_t cdb[16];
	struct t_cmd t;
	struct scsi_cmd c;

	/* a command without service actions */
	rsoc_cdb(cdb, 1, SCSI_OP_WRITE_10, 0, 512);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[1] & 0x07, 3);
	ck_assert_uint_eq(get_be16(t.buf + 2), 10);
	ck_assert_uint_eq(t.cmd.data_len, 14);
	ck_assert_uint_eq(t.buf[4], SCSI_OP_WRITE_10);
	ck_assert_uint_eq(t.buf[5] & 0x18, 0x18); /* DPO, FUA */
	t_cmd_fini(&t);

	/* ... asked for with service action form: invalid */
	rsoc_cdb(cdb, 2, SCSI_OP_WRITE_10, 0, 512);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);

	/* a service action: the usage data carries it */
	rsoc_cdb(cdb, 2, SCSI_OP_SERVICE_ACTION_IN_16, 0x12, 512);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[1] & 0x07, 3);
	ck_assert_uint_eq(t.buf[4], 0x9e);
	ck_assert_uint_eq(t.buf[5], 0x12);
	t_cmd_fini(&t);
	rsoc_cdb(cdb, 1, SCSI_OP_SERVICE_ACTION_IN_16, 0x12, 512);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);

	/* unsupported: SUPPORT 001b, GOOD */
	rsoc_cdb(cdb, 1, 0xc0, 0, 512);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[1] & 0x07, 1);
	ck_assert_uint_eq(get_be16(t.buf + 2), 0);
	t_cmd_fini(&t);

	/* option 3 with RCTD: either kind, a timeouts descriptor after the usage data */
	rsoc_cdb(cdb, 0x83, SCSI_OP_READ_16, 0, 512);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[1], 0x83);
	ck_assert_uint_eq(t.cmd.data_len, 4 + 16 + 12);
	ck_assert_uint_eq(get_be16(t.buf + 20), 0x0a);
	t_cmd_fini(&t);

	rsoc_cdb(cdb, 4, 0, 0, 512);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
}
END_TEST

static Suite *spc_suite(void)
{
	Suite *s = suite_create("spc");
	TCase *tc = tcase_create("thin");
	TCase *tk = tcase_create("thick");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_inquiry_parse);
	tcase_add_test(tc, test_inquiry_standard);
	tcase_add_test(tc, test_inquiry_allocation_length);
	tcase_add_test(tc, test_vpd_supported_pages_all_readable);
	tcase_add_test(tc, test_vpd_unsupported_page);
	tcase_add_test(tc, test_vpd_serial);
	tcase_add_test(tc, test_vpd_device_identification);
	tcase_add_test(tc, test_vpd_block_limits_thin);
	tcase_add_test(tc, test_vpd_block_limits_512e);
	tcase_add_test(tc, test_report_luns);
	tcase_add_test(tc, test_rtpg);
	tcase_add_test(tc, test_rsoc_all);
	tcase_add_test(tc, test_rsoc_one);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tk, t_setup_thick, t_teardown);
	tcase_add_test(tk, test_vpd_block_limits_thick);
	suite_add_tcase(s, tk);
	return s;
}

CHECK_MAIN(spc_suite)

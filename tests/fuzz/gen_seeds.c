/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the seed corpora of the fuzzers: tests/fuzz/corpus/<harness>/seed-*,
 * each a small file built from real protocol units (a valid login, the
 * keys of every stage, a SCSI command for every slot of the dispatch
 * table, a WRITE with immediate data, a configuration like the example's).
 * Run it after a change to the protocol code to refresh them:
 *
 *   build-fuzz/tests/fuzz/gen_seeds tests/fuzz/corpus
 *
 * The layout of each harness's input is described at the top of its
 * fuzz_<name>.c; the seeds here follow it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/be.h"
#include "common/crc32c.h"
#include "common/log.h"
#include "common/util.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/scsi/alua.h"
#include "target/scsi/scsi.h"
#include "target/scsi/scsi_int.h"
#include "tests/unit/target/scsi/mem_bs.h"

#define TGT "iqn.2026-01.org.example:fuzz"
#define INI "iqn.2026-01.org.example:initiator"

static const char *top;

/* A growable byte string. */
struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct bytes *b, const void *p, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = MAX(b->cap * 2, b->len + len + 256);
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
}

static void put_u8(struct bytes *b, uint8_t v)
{
	put(b, &v, 1);
}

/* key=value pairs, each with its NUL: kv(b, "A=1", "B=2", NULL). */
static void kv(struct bytes *b, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, b);
	while ((s = va_arg(ap, const char *)))
		put(b, s, strlen(s) + 1);
	va_end(ap);
}

static void save(const char *harness, const char *name, const struct bytes *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, harness);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/seed-%s", top, harness, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->p, 1, b->len, f) != b->len || fclose(f)) {
		fprintf(stderr, "gen_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void reset(struct bytes *b)
{
	b->len = 0;
}

/* ---- PDUs ---- */

struct bhs {
	uint8_t b[ISCSI_BHS_LEN];
};

static struct bhs login_bhs(uint8_t flags, uint32_t dlen)
{
	struct bhs h = {{0}};

	h.b[0] = ISCSI_OP_LOGIN_REQ | ISCSI_OP_IMMEDIATE;
	h.b[1] = flags;
	put_be24(h.b + 5, dlen);
	h.b[8] = 0x80; /* ISID: random format */
	h.b[13] = 0x42;
	put_be32(h.b + 16, 0x1000);
	put_be32(h.b + 24, 1);
	return h;
}

#define T ISCSI_LOGIN_FLAG_TRANSIT
#define C ISCSI_LOGIN_FLAG_CONTINUE
#define CSG(s) ((uint8_t)((s) << ISCSI_LOGIN_CSG_SHIFT))

/* A PDU as the wire has it: BHS, data, padding (pad: whether to pad to 4). */
static void pdu(struct bytes *b, struct bhs h, const struct bytes *data, bool pad)
{
	static const uint8_t zero[4];
	size_t n = data ? data->len : 0;

	put_be24(h.b + 5, (uint32_t)n);
	put(b, h.b, ISCSI_BHS_LEN);
	if (n)
		put(b, data->p, n);
	if (pad && n % 4)
		put(b, zero, 4 - n % 4);
}

/* The two login requests of a normal session (no padding: the login harness reads no pad). */
static void login_normal(struct bytes *b, bool pad, const char *op_extra)
{
	struct bytes d = {0};

	kv(&d, "InitiatorName=" INI, "TargetName=" TGT, "SessionType=Normal", "AuthMethod=None",
	   NULL);
	pdu(b, login_bhs(T | CSG(0) | 1, 0), &d, pad);
	reset(&d);
	kv(&d, "HeaderDigest=None", "DataDigest=None", "MaxRecvDataSegmentLength=65536",
	   "InitialR2T=No", "ImmediateData=Yes", "MaxBurstLength=16384", "FirstBurstLength=8192",
	   "MaxOutstandingR2T=2", "ErrorRecoveryLevel=0", "MaxConnections=1", "DefaultTime2Wait=2",
	   "DefaultTime2Retain=20", "DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", NULL);
	if (op_extra)
		put(&d, op_extra, strlen(op_extra) + 1);
	pdu(b, login_bhs(T | CSG(1) | 3, 0), &d, pad);
	free(d.p);
}

/* ---- text, param, login, textreq, chap ---- */

static void seeds_text(void)
{
	struct bytes b = {0};
	char big[400];

	put_u8(&b, 0xff);
	kv(&b, "InitiatorName=" INI, "TargetName=" TGT, "SessionType=Normal", "AuthMethod=None",
	   NULL);
	save("text", "login", &b);
	reset(&b);
	put_u8(&b, 0x01);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "CHAP_C=0x", 9);
	kv(&b, "CHAP_A=5", "CHAP_N=user", big, "X-com.example.vendor=1", "X#ext=2", NULL);
	put(&b, "\0\0\0", 3); /* padding counted in the segment */
	save("text", "chap-long", &b);
	reset(&b);
	put_u8(&b, 0x80);
	put(&b, "Key=no-nul", 10);
	save("text", "no-nul", &b);
	free(b.p);
}

static void seeds_param(void)
{
	struct bytes b = {0};

	/* normal session, default limits; security, operational with finish */
	put_u8(&b, 0x00);
	put_u8(&b, 0x1b);
	put_u8(&b, 0x00);
	kv(&b, "InitiatorName=" INI, "TargetName=" TGT, "SessionType=Normal", "AuthMethod=None",
	   "InitiatorAlias=kvm1", NULL);
	put_u8(&b, 0xff);
	put_u8(&b, 0x81);
	kv(&b, "HeaderDigest=CRC32C,None", "DataDigest=None", "MaxRecvDataSegmentLength=0x10000",
	   "InitialR2T=No", "ImmediateData=Yes", "MaxBurstLength=262144", "FirstBurstLength=65536",
	   "MaxOutstandingR2T=1", "ErrorRecoveryLevel=0", "MaxConnections=1", "DefaultTime2Wait=0",
	   "DefaultTime2Retain=0", "DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", "IFMarker=No",
	   "OFMarker=No", "TaskReporting=ResponseFence,RFC3720", "iSCSIProtocolLevel=1",
	   "RDMAExtensions=No", "X-org.example.key=0bAAEC", NULL);
	save("param", "login", &b);

	/* required digests, CHAP, ImmediateData=No: the target makes offers */
	reset(&b);
	put_u8(&b, 0x56);
	put_u8(&b, 0x92);
	put_u8(&b, 0x00);
	kv(&b, "InitiatorName=" INI, "TargetName=" TGT, "AuthMethod=CHAP,None", NULL);
	put_u8(&b, 0xff);
	put_u8(&b, 0x81);
	kv(&b, "MaxBurstLength=1024", NULL);
	put_u8(&b, 0xff);
	put_u8(&b, 0x81);
	kv(&b, "HeaderDigest=CRC32C", "DataDigest=CRC32C", "ImmediateData=No",
	   "FirstBurstLength=512", NULL);
	save("param", "offers", &b);

	/* full feature phase */
	reset(&b);
	put_u8(&b, 0x80);
	put_u8(&b, 0x03);
	put_u8(&b, 0x02);
	kv(&b, "MaxRecvDataSegmentLength=4096", "InitiatorAlias=host", "X-vendor=1", NULL);
	save("param", "ffp", &b);

	/* discovery */
	reset(&b);
	put_u8(&b, 0x01);
	put_u8(&b, 0x00);
	put_u8(&b, 0x80);
	kv(&b, "InitiatorName=" INI, "SessionType=Discovery", "AuthMethod=None", NULL);
	put_u8(&b, 0xff);
	put_u8(&b, 0x81);
	kv(&b, "MaxRecvDataSegmentLength=8192", "MaxBurstLength=512", "ImmediateData=Yes", NULL);
	save("param", "discovery", &b);
	free(b.p);
}

static void seeds_login(void)
{
	struct bytes b = {0}, d = {0};

	put_u8(&b, 0x00);
	login_normal(&b, false, NULL);
	save("login", "normal", &b);

	reset(&b);
	put_u8(&b, 0x00);
	kv(&d, "InitiatorName=" INI, "SessionType=Discovery", "AuthMethod=None", NULL);
	pdu(&b, login_bhs(T | CSG(0) | 1, 0), &d, false);
	reset(&d);
	kv(&d, "MaxRecvDataSegmentLength=512", "HeaderDigest=None", NULL);
	pdu(&b, login_bhs(T | CSG(1) | 3, 0), &d, false);
	save("login", "discovery", &b);

	/* CHAP with the harness's fake method (CHAP_N=initiator name, CHAP_R=0x0102) */
	reset(&b);
	put_u8(&b, 0x81);
	reset(&d);
	kv(&d, "InitiatorName=" INI, "TargetName=" TGT, "AuthMethod=CHAP,None", NULL);
	pdu(&b, login_bhs(CSG(0), 0), &d, false);
	reset(&d);
	kv(&d, "CHAP_A=5", NULL);
	pdu(&b, login_bhs(CSG(0), 0), &d, false);
	reset(&d);
	kv(&d, "CHAP_N=" INI, "CHAP_R=0x0102", NULL);
	pdu(&b, login_bhs(T | CSG(0) | 1, 0), &d, false);
	reset(&d);
	kv(&d, "HeaderDigest=CRC32C", "DataDigest=CRC32C", "MaxRecvDataSegmentLength=8192", NULL);
	pdu(&b, login_bhs(T | CSG(1) | 3, 0), &d, false);
	reset(&d);
	kv(&d, "ImmediateData=No", NULL);
	pdu(&b, login_bhs(T | CSG(1) | 3, 0), &d, false);
	save("login", "chap", &b);

	/* a request in two parts (C=1), answered in parts to a 512-byte initiator */
	reset(&b);
	put_u8(&b, 0x00);
	reset(&d);
	kv(&d, "InitiatorName=" INI, "TargetName=" TGT, NULL);
	pdu(&b, login_bhs(C | CSG(0), 0), &d, false);
	reset(&d);
	kv(&d, "AuthMethod=None", NULL);
	pdu(&b, login_bhs(T | CSG(0) | 1, 0), &d, false);
	reset(&d);
	kv(&d, "MaxRecvDataSegmentLength=512", "X-a=1", "X-b=2", "X-c=3", "X-d=4", "X-e=5", "X-f=6",
	   "X-g=7", "X-h=8", "X-i=9", "X-j=10", "X-k=11", "X-l=12", "X-m=13", "X-n=14", "X-o=15",
	   "X-p=16", "X-q=17", "X-r=18", "X-s=19", "X-t=20", "X-u=21", "X-v=22", "X-w=23", "X-x=24",
	   "X-y=25", "X-z=26", "X-aa=27", "X-bb=28", "X-cc=29", "X-dd=30", "X-ee=31", "X-ff=32",
	   "X-gg=33", "X-hh=34", NULL);
	pdu(&b, login_bhs(T | CSG(1) | 3, 0), &d, false);
	pdu(&b, login_bhs(T | CSG(1) | 3, 0), NULL, false);
	pdu(&b, login_bhs(T | CSG(1) | 3, 0), NULL, false);
	save("login", "parts", &b);

	/* straight to the operational stage, then to full feature phase */
	reset(&b);
	put_u8(&b, 0x08);
	reset(&d);
	kv(&d, "InitiatorName=" INI, "TargetName=" TGT, "ImmediateData=Yes",
	   "FirstBurstLength=65536", NULL);
	pdu(&b, login_bhs(T | CSG(1) | 3, 0), &d, false);
	reset(&d);
	kv(&d, "ImmediateData=Reject", "FirstBurstLength=Reject", NULL);
	pdu(&b, login_bhs(T | CSG(1) | 3, 0), &d, false);
	save("login", "operational", &b);
	free(d.p);
	free(b.p);
}

static struct bhs text_bhs(uint8_t flags, uint32_t itt, uint32_t ttt)
{
	struct bhs h = {{0}};

	h.b[0] = ISCSI_OP_TEXT_REQ | ISCSI_OP_IMMEDIATE;
	h.b[1] = flags;
	put_be32(h.b + 16, itt);
	put_be32(h.b + 20, ttt);
	put_be32(h.b + 24, 1);
	return h;
}

static void seeds_textreq(void)
{
	struct bytes b = {0}, d = {0};

	put_u8(&b, 0x01); /* discovery, short answer */
	kv(&d, "SendTargets=All", NULL);
	pdu(&b, text_bhs(ISCSI_FLAG_FINAL, 1, ISCSI_RESERVED_TAG), &d, false);
	save("textreq", "sendtargets", &b);

	/* a long answer in 512-byte parts, asked for with empty requests echoing the tag */
	reset(&b);
	put_u8(&b, 0x03);
	pdu(&b, text_bhs(ISCSI_FLAG_FINAL, 2, ISCSI_RESERVED_TAG), &d, false);
	for (int i = 0; i < 6; i++)
		pdu(&b, text_bhs(ISCSI_FLAG_FINAL, 2, 1), NULL, false);
	save("textreq", "parts", &b);

	/* a request in two parts, then renegotiation in full feature phase */
	reset(&b);
	put_u8(&b, 0x08);
	reset(&d);
	kv(&d, "MaxRecvDataSegmentLength=1024", NULL);
	pdu(&b, text_bhs(ISCSI_TEXT_FLAG_CONTINUE, 3, ISCSI_RESERVED_TAG), &d, false);
	reset(&d);
	kv(&d, "InitiatorAlias=host", "SendTargets=" TGT, "X-unknown=1", NULL);
	pdu(&b, text_bhs(0, 3, 1), &d, false);
	reset(&d);
	kv(&d, "TaskReporting=RFC3720", NULL);
	pdu(&b, text_bhs(ISCSI_FLAG_FINAL, 3, 1), &d, false);
	save("textreq", "continue", &b);
	free(d.p);
	free(b.p);
}

static void seeds_chap(void)
{
	struct bytes b = {0};

	put_u8(&b, 0x01);
	put_u8(&b, 0x07);
	kv(&b, "CHAP_A=5,7", NULL);
	put_u8(&b, 0xff);
	kv(&b, "CHAP_N=fuzz-initiator", "CHAP_R=@", "CHAP_I=3", "CHAP_C=0x0102030405060708", NULL);
	save("chap", "mutual", &b);
	reset(&b);
	put_u8(&b, 0x00);
	put_u8(&b, 0x99);
	kv(&b, "CHAP_A=6,8,129", NULL);
	put_u8(&b, 0xff);
	kv(&b, "CHAP_N=fuzz-initiator", "CHAP_R=@", NULL);
	save("chap", "oneway", &b);
	reset(&b);
	put_u8(&b, 0x01);
	put_u8(&b, 0x00);
	kv(&b, "CHAP_A=7", NULL);
	put_u8(&b, 0xff);
	kv(&b, "CHAP_N=fuzz-initiator",
	   "CHAP_R=0bAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "CHAP_I=0x07",
	   "CHAP_C=0b3q2+7w==", NULL);
	save("chap", "base64", &b);
	free(b.p);
}

/* ---- SCSI ---- */

/* A CDB for a dispatch slot: LBA 0, one block, small allocation lengths, data to go with it. */
struct recipe {
	uint8_t cdb[16];
	uint32_t edtl;
	struct bytes out; /* data-out */
};

static void recipe_for(const struct scsi_op_entry *e, struct recipe *r)
{
	uint8_t *c = r->cdb;
	uint8_t len = e->op->cdb_len;
	uint8_t page[24] = {0};

	memset(r, 0, sizeof(*r));
	c[0] = e->opcode;
	if (e->has_sa)
		c[1] = (uint8_t)e->sa;
	r->edtl = 4096;
	switch (e->opcode) {
	case SCSI_OP_READ_6:
	case SCSI_OP_WRITE_6:
		c[4] = 1;
		break;
	case SCSI_OP_READ_10:
	case SCSI_OP_WRITE_10:
	case SCSI_OP_WRITE_VERIFY_10:
	case SCSI_OP_VERIFY_10:
	case SCSI_OP_PRE_FETCH_10:
	case SCSI_OP_SYNCHRONIZE_CACHE_10:
	case SCSI_OP_WRITE_SAME_10:
		c[5] = 1; /* LBA 1 */
		c[8] = 1;
		break;
	case SCSI_OP_READ_12:
	case SCSI_OP_WRITE_12:
	case SCSI_OP_WRITE_VERIFY_12:
	case SCSI_OP_VERIFY_12:
		c[9] = 1;
		break;
	case SCSI_OP_READ_16:
	case SCSI_OP_WRITE_16:
	case SCSI_OP_ORWRITE_16:
	case SCSI_OP_WRITE_VERIFY_16:
	case SCSI_OP_VERIFY_16:
	case SCSI_OP_PRE_FETCH_16:
	case SCSI_OP_SYNCHRONIZE_CACHE_16:
	case SCSI_OP_WRITE_SAME_16:
		c[9] = 2; /* LBA 2 */
		c[13] = 1;
		break;
	case SCSI_OP_COMPARE_AND_WRITE:
		c[13] = 1;
		break;
	case SCSI_OP_INQUIRY:
		c[4] = 96;
		break;
	case SCSI_OP_REQUEST_SENSE:
		c[4] = 96;
		break;
	case SCSI_OP_MODE_SENSE_6:
		c[2] = 0x3f;
		c[4] = 192;
		break;
	case SCSI_OP_MODE_SENSE_10:
		c[2] = 0x3f;
		c[8] = 192;
		break;
	case SCSI_OP_MODE_SELECT_6:
		/* PF, a header and the caching page with WCE */
		c[1] = 0x10;
		c[4] = 4 + 20;
		page[4] = 0x08;
		page[5] = 0x12;
		page[6] = 0x04;
		put(&r->out, page, 24);
		break;
	case SCSI_OP_MODE_SELECT_10:
		c[1] = 0x10;
		c[8] = 8 + 20;
		put(&r->out, page, 4);
		page[4] = 0x08;
		page[5] = 0x12;
		page[6] = 0x04;
		put(&r->out, page, 24);
		break;
	case SCSI_OP_READ_CAPACITY_10:
		break;
	case SCSI_OP_UNMAP: {
		uint8_t p[24] = {0};

		c[8] = 24;
		put_be16(p, 22);
		put_be16(p + 2, 16);
		put_be64(p + 8, 3);
		put_be32(p + 16, 2);
		put(&r->out, p, 24);
		break;
	}
	case SCSI_OP_REPORT_LUNS:
		c[9] = 64;
		break;
	case SCSI_OP_START_STOP_UNIT:
		c[4] = 1; /* START */
		break;
	case SCSI_OP_READ_DEFECT_DATA_10:
		c[2] = 0x18;
		c[8] = 64;
		break;
	case SCSI_OP_READ_DEFECT_DATA_12:
		c[2] = 0x18;
		c[9] = 64;
		break;
	case SCSI_OP_MAINTENANCE_OUT: {
		/* SET TARGET PORT GROUPS: group 2 to standby */
		const uint8_t p[8] = { 0, 0, 0, 0, SCSI_ALUA_STANDBY, 0, 0, 2 };

		c[9] = sizeof(p);
		put(&r->out, p, sizeof(p));
		break;
	}
	default:
		/*
		 * A slot this generator does not know (yet): an allocation or
		 * parameter list length of 64 where most CDBs keep it, just
		 * before the control byte, and 64 bytes of data for writes.
		 */
		if (len >= 6) {
			c[len - 2] = 64;
			c[len - 3] = 0;
		}
		{
			uint8_t z[64] = {0};

			put(&r->out, z, sizeof(z));
		}
		break;
	}
	/* Data for the writes of blocks: two 512-byte blocks of pattern. */
	if (!r->out.len) {
		uint8_t blk[1024];

		for (size_t i = 0; i < sizeof(blk); i++)
			blk[i] = (uint8_t)(i * 7 + e->opcode);
		put(&r->out, blk, sizeof(blk));
	}
	/* Only the bits the engine looks at: the rest are reserved and must be zero. */
	for (int i = 1; i < len && i < 16; i++)
		c[i] &= e->op->usage[i];
}

static struct mem_bs *seed_mb;
static struct scsi_lu *seed_lu;
static struct scsi_itl *seed_itl;
static struct scsi_nexus seed_nx;
static struct alua_tgt *seed_alua;

static size_t seed_luns(const struct scsi_nexus *n, uint64_t *luns, size_t max)
{
	(void)n;
	if (max)
		luns[0] = 0;
	return 1;
}

/* What the engine makes of a CDB: direction and transfer length. */
static void recipe_parse(const uint8_t *cdb, enum scsi_dir *dir, uint32_t *xfer)
{
	struct scsi_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.nexus = &seed_nx;
	cmd.itl = seed_itl;
	memcpy(cmd.cdb, cdb, 16);
	cmd.cdb_len = 16;
	cmd.edtl = 1u << 20;
	*dir = SCSI_DIR_NONE;
	*xfer = 0;
	if (scsi_cmd_parse(&cmd) == SENSE_OK) {
		*dir = cmd.dir;
		*xfer = cmd.xfer_len;
	}
}

static void seeds_scsi(void)
{
	static struct scsi_op_entry list[256];
	size_t n = scsi_op_list(list, ARRAY_SIZE(list));
	struct bytes b = {0}, all = {0}, conn = {0};
	char name[64];

	put_u8(&all, 0x18); /* 512-byte blocks, 8 blocks, thin, write-back */
	for (size_t i = 0; i < n && i < ARRAY_SIZE(list); i++) {
		struct recipe r;
		enum scsi_dir dir;
		uint32_t xfer, edtl;
		uint8_t hdr[6];

		recipe_for(&list[i], &r);
		if (list[i].has_sa)
			snprintf(name, sizeof(name), "%02x-%02x", list[i].opcode, list[i].sa);
		else
			snprintf(name, sizeof(name), "%02x", list[i].opcode);

		/* scsi_parse: length, LUN selector, EDTL, CDB */
		reset(&b);
		put_u8(&b, list[i].op->cdb_len - 1);
		put_u8(&b, 0);
		put_be32(hdr, r.edtl);
		put(&b, hdr, 4);
		put(&b, r.cdb, list[i].op->cdb_len);
		save("scsi_parse", name, &b);

		/* scsi_exec: one record, after the LU byte */
		recipe_parse(r.cdb, &dir, &xfer);
		edtl = dir == SCSI_DIR_NONE ? 0 : MIN(xfer, 8192u);
		reset(&b);
		put_u8(&b, 0x58); /* 512-byte blocks, 64 blocks, thin, write-back */
		{
			struct bytes rec = {0};
			uint8_t e4[4], d2[2];
			size_t dl = dir == SCSI_DIR_WRITE ? MIN((size_t)edtl, r.out.len) : 0;

			put_u8(&rec, 0);
			put_u8(&rec, 15);
			put_be32(e4, edtl);
			put(&rec, e4, 4);
			put(&rec, r.cdb, 16);
			put_be16(d2, (uint16_t)dl);
			put(&rec, d2, 2);
			put(&rec, r.out.p, dl);
			put(&b, rec.p, rec.len);
			put(&all, rec.p, rec.len);
			free(rec.p);
		}
		save("scsi_exec", name, &b);

		/* conn: after a prefix login, the command as a SCSI Command PDU */
		reset(&conn);
		put_u8(&conn, 0x01);
		put_u8(&conn, 0x00);
		put_u8(&conn, 0x3f);
		put_u8(&conn, 0x00);
		for (int k = 0; k < 2; k++) {
			/* twice: the first reports the power-on unit attention */
			struct bhs h = {{0}};
			struct bytes imm = {0};

			h.b[0] = ISCSI_OP_SCSI_CMD;
			h.b[1] = ISCSI_FLAG_FINAL | 1;
			if (dir == SCSI_DIR_READ)
				h.b[1] |= ISCSI_CMD_FLAG_READ;
			if (dir == SCSI_DIR_WRITE) {
				h.b[1] |= ISCSI_CMD_FLAG_WRITE;
				put(&imm, r.out.p, MIN((size_t)edtl, r.out.len));
			}
			put_be32(h.b + 16, 0x10 + (uint32_t)k);
			put_be32(h.b + 20, edtl);
			put_be32(h.b + 24, 1 + (uint32_t)k);
			memcpy(h.b + 32, r.cdb, 16);
			pdu(&conn, h, imm.len ? &imm : NULL, true);
			free(imm.p);
		}
		save("conn", name, &conn);
		free(r.out.p);
	}
	save("scsi_exec", "all", &all);
	free(b.p);
	free(all.p);
	free(conn.p);
}

/* ---- conn: sessions after (or with) a login ---- */

static struct bhs cmd_bhs(uint8_t flags, uint32_t itt, uint32_t edtl, uint32_t cmdsn,
			  const uint8_t *cdb, size_t cdblen)
{
	struct bhs h = {{0}};

	h.b[0] = ISCSI_OP_SCSI_CMD;
	h.b[1] = flags | 1;
	put_be32(h.b + 16, itt);
	put_be32(h.b + 20, edtl);
	put_be32(h.b + 24, cmdsn);
	memcpy(h.b + 32, cdb, cdblen);
	return h;
}

static void conf4(struct bytes *b, uint8_t c0, uint8_t c1, uint8_t c2, uint8_t c3)
{
	put_u8(b, c0);
	put_u8(b, c1);
	put_u8(b, c2);
	put_u8(b, c3);
}

static void seeds_conn(void)
{
	struct bytes b = {0}, d = {0};
	uint8_t cdb[16];
	struct bhs h;

	/* raw: the whole login, then a NOP-Out and a TEST UNIT READY */
	conf4(&b, 0x00, 0x00, 0x00, 0x00);
	login_normal(&b, true, NULL);
	h = (struct bhs){{0}};
	h.b[0] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	h.b[1] = ISCSI_FLAG_FINAL;
	put_be32(h.b + 16, 0x20);
	put_be32(h.b + 20, ISCSI_RESERVED_TAG);
	put_be32(h.b + 24, 1);
	kv(&d, "ping", NULL);
	pdu(&b, h, &d, true);
	memset(cdb, 0, sizeof(cdb));
	pdu(&b, cmd_bhs(ISCSI_FLAG_FINAL, 0x21, 0, 1, cdb, 16), NULL, true);
	save("conn", "raw-login", &b);

	/* raw, in small chunks: the same with short reads everywhere */
	b.p[1] = 0x05;
	save("conn", "raw-login-chunks", &b);

	/* prefix: WRITE(10) with immediate data and unsolicited Data-Out, then READ(10) back */
	reset(&b);
	conf4(&b, 0x01, 0x00, 0x3f, 0x00);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x2a;
	cdb[8] = 4;
	reset(&d);
	for (int i = 0; i < 1024; i++)
		put_u8(&d, (uint8_t)i);
	h = cmd_bhs(ISCSI_CMD_FLAG_WRITE, 0x30, 2048, 1, cdb, 16);
	pdu(&b, h, &d, true);
	{
		struct bhs o = {{0}};

		o.b[0] = ISCSI_OP_DATA_OUT;
		o.b[1] = ISCSI_FLAG_FINAL;
		put_be32(o.b + 16, 0x30);
		put_be32(o.b + 20, ISCSI_RESERVED_TAG);
		put_be32(o.b + 40, 1024); /* buffer offset */
		pdu(&b, o, &d, true);
	}
	cdb[0] = 0x28;
	pdu(&b, cmd_bhs(ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, 0x31, 2048, 2, cdb, 16), NULL,
	    true);
	save("conn", "write-read", &b);

	/* prefix with InitialR2T=Yes: a WRITE waits for an R2T (TTT 1), then Data-Out */
	reset(&b);
	conf4(&b, 0x09, 0x00, 0x3f, 0x00);
	cdb[0] = 0x2a;
	cdb[8] = 2;
	pdu(&b, cmd_bhs(ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_WRITE, 0x40, 1024, 1, cdb, 16), NULL,
	    true);
	{
		struct bhs o = {{0}};

		o.b[0] = ISCSI_OP_DATA_OUT;
		o.b[1] = ISCSI_FLAG_FINAL;
		put_be32(o.b + 16, 0x40);
		put_be32(o.b + 20, 1);
		pdu(&b, o, &d, true);
	}
	save("conn", "r2t", &b);

	/* prefix with digests: the same write, digests added by the harness; one bad */
	b.p[0] = 0x0d;
	save("conn", "r2t-digests", &b);
	b.p[3] = 0x02;
	save("conn", "r2t-bad-digest", &b);

	/* prefix: ABORT TASK of a write waiting for data, LOGICAL UNIT RESET, logout */
	reset(&b);
	conf4(&b, 0x09, 0x00, 0x3f, 0x00);
	pdu(&b, cmd_bhs(ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_WRITE, 0x50, 1024, 1, cdb, 16), NULL,
	    true);
	h = (struct bhs){{0}};
	h.b[0] = ISCSI_OP_TASK_MGMT_REQ | ISCSI_OP_IMMEDIATE;
	h.b[1] = 0x80 | 1; /* ABORT TASK */
	put_be32(h.b + 16, 0x51);
	put_be32(h.b + 20, 0x50);
	put_be32(h.b + 24, 2);
	put_be32(h.b + 32, 1);
	pdu(&b, h, NULL, true);
	h.b[1] = 0x80 | 5; /* LOGICAL UNIT RESET */
	put_be32(h.b + 16, 0x52);
	put_be32(h.b + 20, ISCSI_RESERVED_TAG);
	pdu(&b, h, NULL, true);
	h = (struct bhs){{0}};
	h.b[0] = ISCSI_OP_LOGOUT_REQ | ISCSI_OP_IMMEDIATE;
	h.b[1] = 0x80;
	put_be32(h.b + 16, 0x53);
	put_be32(h.b + 24, 2);
	pdu(&b, h, NULL, true);
	save("conn", "tmf-logout", &b);

	/* prefix, discovery: SendTargets, then a text renegotiation, a SNACK, a bad opcode */
	reset(&b);
	conf4(&b, 0x03, 0x00, 0x00, 0x00);
	reset(&d);
	kv(&d, "SendTargets=All", NULL);
	pdu(&b, text_bhs(ISCSI_FLAG_FINAL, 0x60, ISCSI_RESERVED_TAG), &d, true);
	reset(&d);
	kv(&d, "MaxRecvDataSegmentLength=1024", NULL);
	pdu(&b, text_bhs(ISCSI_FLAG_FINAL, 0x61, ISCSI_RESERVED_TAG), &d, true);
	h = (struct bhs){{0}};
	h.b[0] = ISCSI_OP_SNACK_REQ;
	h.b[1] = 0x80;
	put_be32(h.b + 16, ISCSI_RESERVED_TAG);
	pdu(&b, h, NULL, true);
	h.b[0] = 0x1c;
	pdu(&b, h, NULL, true);
	save("conn", "discovery", &b);

	/* prefix: commands out of CmdSN order, an immediate one, a NOP-Out answering nothing */
	reset(&b);
	conf4(&b, 0x01, 0x11, 0x3f, 0x00);
	memset(cdb, 0, sizeof(cdb));
	pdu(&b, cmd_bhs(ISCSI_FLAG_FINAL, 0x70, 0, 3, cdb, 16), NULL, true);
	pdu(&b, cmd_bhs(ISCSI_FLAG_FINAL, 0x71, 0, 2, cdb, 16), NULL, true);
	h = cmd_bhs(ISCSI_FLAG_FINAL, 0x72, 0, 1, cdb, 16);
	h.b[0] |= ISCSI_OP_IMMEDIATE;
	pdu(&b, h, NULL, true);
	pdu(&b, cmd_bhs(ISCSI_FLAG_FINAL, 0x73, 0, 1, cdb, 16), NULL, true);
	h = (struct bhs){{0}};
	h.b[0] = ISCSI_OP_NOP_OUT;
	h.b[1] = ISCSI_FLAG_FINAL;
	put_be32(h.b + 16, ISCSI_RESERVED_TAG);
	put_be32(h.b + 20, 7);
	put_be32(h.b + 24, 4);
	pdu(&b, h, NULL, true);
	save("conn", "cmdsn", &b);

	/* prefix: an extended CDB (AHS) and a bidirectional command */
	reset(&b);
	conf4(&b, 0x01, 0x00, 0x3f, 0x00);
	cdb[0] = 0x12;
	cdb[4] = 36;
	h = cmd_bhs(ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, 0x80, 36, 1, cdb, 16);
	h.b[4] = 2; /* TotalAHSLength: 8 bytes */
	put(&b, h.b, ISCSI_BHS_LEN);
	{
		uint8_t ahs[8] = {0, 5, ISCSI_AHS_EXTENDED_CDB, 0, 0, 0, 0, 0};

		put(&b, ahs, sizeof(ahs));
	}
	pdu(&b,
	    cmd_bhs(ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ | ISCSI_CMD_FLAG_WRITE, 0x81, 512, 2,
		    cdb, 16),
	    NULL, true);
	save("conn", "ahs-bidi", &b);

	/* raw: a CHAP login the target requires (it fails: the challenge is random) */
	reset(&b);
	conf4(&b, 0x10, 0x00, 0x00, 0x00);
	reset(&d);
	kv(&d, "InitiatorName=" INI, "TargetName=" TGT, "AuthMethod=CHAP", NULL);
	pdu(&b, login_bhs(CSG(0), 0), &d, true);
	reset(&d);
	kv(&d, "CHAP_A=5", NULL);
	pdu(&b, login_bhs(CSG(0), 0), &d, true);
	reset(&d);
	kv(&d, "CHAP_N=fuzz-initiator", "CHAP_R=0x00112233445566778899aabbccddeeff", NULL);
	pdu(&b, login_bhs(T | CSG(0) | 1, 0), &d, true);
	save("conn", "chap", &b);
	free(d.p);
	free(b.p);
}

/* ---- the persistent reservation blob (target/scsi/pr.h) ---- */

static void pr_reg(struct bytes *b, uint64_t key, uint16_t rtpi, uint8_t flags, const char *name)
{
	uint8_t h[12];

	put_be64(h, key);
	put_be16(h + 8, rtpi);
	h[10] = flags;
	h[11] = (uint8_t)strlen(name);
	put(b, h, sizeof(h));
	put(b, name, strlen(name));
}

static void seeds_pr_blob(void)
{
	struct bytes b = {0};
	uint8_t h[20] = {'P', 'T', 'P', 'R', 1, 1, 0, 0};
	uint8_t crc[4];

	/* APTPL, WRITE EXCLUSIVE held by the second of two registrations; the harness adds the CRC
	 */
	put_u8(&b, 0x01);
	h[6] = 1;
	put_be32(h + 8, 7);
	put_be32(h + 12, 1);
	put_be32(h + 16, 2);
	put(&b, h, sizeof(h));
	pr_reg(&b, 0x1111, 1, 0, INI ",i,0x800000000042");
	pr_reg(&b, 0x2222, 1, 1, "iqn.2026-01.org.example:other,i,0x800000000001");
	save("pr_blob", "held", &b);

	/* the same, with its own CRC (byte 0 clear) */
	b.p[0] = 0x00;
	put_be32(crc, crc32c(0, b.p + 1, b.len - 1));
	put(&b, crc, 4);
	save("pr_blob", "held-crc", &b);

	/* EXCLUSIVE ACCESS - ALL REGISTRANTS: no holder index */
	reset(&b);
	put_u8(&b, 0x01);
	h[6] = 8;
	put_be32(h + 12, 0xffffffff);
	put_be32(h + 16, 1);
	put(&b, h, sizeof(h));
	pr_reg(&b, 0x3333, 2, 0, INI ",i,0x800000000042");
	save("pr_blob", "all-regs", &b);
	free(b.p);
}

/* ---- administrator input ---- */

static void seeds_admin(void)
{
	static const char *const names[] = {
	    INI,
	    "iqn.2026-11.org.example:storage1",
	    "IQN.2026-11.ORG.EXAMPLE:UPPER",
	    "eui.02004567A425678D",
	    "naa.52004567BA64678D",
	    "naa.62004567BA64678D0123456789ABCDEF",
	    "iqn.2026-13.org.example",
	    "iqn.2026-11..org",
	    "iqn.2026-11.org example",
	};
	static const char *const sizes[] = {
	    "20G", "512", "1TiB", "4kB", "100M", "16P", "18446744073709551615", "1Ki", "0"};
	static const char *const configs[] = {
	    "control_socket = \"/run/portico/fuzz.sock\";\n"
	    "io_threads = 2;\nlog_level = \"info\";\ndebug = \"iscsi,scsi\";\n"
	    "backstores = (\n"
	    "  { name = \"lun0\"; type = \"file\"; path = \"/var/lib/portico/lun0.img\";"
	    " size = \"20G\"; thin = true; },\n"
	    "  { name = \"lun1\"; type = \"block\"; path = \"/dev/loop0\"; },\n"
	    "  { name = \"nullb\"; type = \"null\"; size = \"100G\";"
	    " serial = \"0123456789abcdef\"; naa = \"0x3001020304050607\"; }\n);\n"
	    "targets = (\n  { iqn = \"iqn.2026-11.org.example:storage1\"; alias = \"disks\";\n"
	    "    tpgs = ( { tag = 1; portals = [ \"127.0.0.1:3260\", \"[::1]:3260\" ];\n"
	    "      luns = ( { lun = 0; backstore = \"lun0\"; }, { lun = 1; backstore = \"lun1\"; },"
	    " { lun = 2; backstore = \"nullb\"; } );\n"
	    "      acls = ( { initiator = \"iqn.2026-11.org.example:kvm1\"; },\n"
	    "        { initiator = \"iqn.2026-11.org.example:kvm2\";"
	    " mapped_luns = ( { lun = 0; tpg_lun = 1; } ); },\n"
	    "        { initiator = \"iqn.2026-11.org.example:kvm3\";"
	    " mapped_luns = ( { lun = 1; tpg_lun = 1; },"
	    " { lun = 2; tpg_lun = 2; read_only = true; } ); } );\n"
	    "      attributes = { generate_node_acls = false; };\n"
	    "      parameters = { MaxRecvDataSegmentLength = 262144; ImmediateData = true; };\n"
	    "    } );\n  } );\n",

	    "backstores = ( { name = \"n\"; type = \"null\"; size = 1048576; } );\n"
	    "targets = ( { iqn = \"iqn.2026-01.org.example:t\"; tpgs = ( { tag = 7;"
	    " portals = [ \"0.0.0.0:3260\" ]; luns = ( { lun = 16383; backstore = \"n\"; } );"
	    " attributes = { generate_node_acls = true; demo_mode_write_protect = true;"
	    " nopin_interval_s = 5; nopin_timeout_s = 10; default_cmdsn_depth = 64;"
	    " authentication = true; };"
	    " parameters = { MaxBurstLength = 65536; FirstBurstLength = 512;"
	    " InitialR2T = true; HeaderDigest = \"CRC32C\"; DataDigest = \"CRC32C,None\"; }; } ); "
	    "} );\n",

	    "discovery_auth = { userid = \"discovery\"; password = \"0123456789abcdef\"; };\n"
	    "backstores = ( { name = \"n\"; type = \"null\"; size = \"1G\"; } );\n"
	    "targets = ( { iqn = \"iqn.2026-01.org.example:t\"; tpgs = ( { tag = 1;"
	    " portals = [ \"[::]:3261\" ]; luns = ( { lun = 0; backstore = \"n\"; } );"
	    " acls = ( { initiator = \"iqn.2026-01.org.example:h\"; userid = \"h\";"
	    " password = \"secret-of-h-12\"; mutual_userid = \"t\";"
	    " mutual_password = \"secret-of-t-12\"; } ); } ); } );\n",

	    "backstores = ( { name = \"n\"; type = \"null\"; size = \"1G\"; } );\n"
	    "targets = ( { iqn = \"iqn.2026-01.org.example:t\"; tpgs = ( { tag = 1;"
	    " portals = [ \"[::]:3260\" ]; luns = ( { lun = 0; backstore = \"n\"; } );"
	    " allowed_addresses = [ \"192.0.2.0/24\", \"[2001:db8::]/32\", \"10.0.0.1/32\","
	    " \"0.0.0.0/0\", \"::/0\" ];"
	    " acls = ( { initiator = \"iqn.2026-01.org.example:h\";"
	    " allowed_addresses = ( \"192.0.2.128/25\", \"fd00::1\" ); },"
	    " { initiator = \"iqn.2026-01.org.example:g\"; allowed_addresses = [ ]; } );"
	    " } ); } );\n",
	};
	struct bytes b = {0};
	char name[32];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		reset(&b);
		put(&b, names[i], strlen(names[i]));
		snprintf(name, sizeof(name), "%zu", i);
		save("iscsi_name", name, &b);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		reset(&b);
		put(&b, sizes[i], strlen(sizes[i]));
		snprintf(name, sizeof(name), "%zu", i);
		save("cfg_size", name, &b);
	}
	for (size_t i = 0; i < ARRAY_SIZE(configs); i++) {
		reset(&b);
		put(&b, configs[i], strlen(configs[i]));
		snprintf(name, sizeof(name), "%zu", i);
		save("config", name, &b);
	}
	free(b.p);
}

int main(int argc, char **argv)
{
	struct scsi_lu_id id = {.serial = "SEED", .vendor = "PORTICO", .product = "seed"};

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
		return 2;
	}
	top = argv[1];
	mkdir(top, 0755);
	log_set_level(LOG_LEVEL_ERR);
	scsi_init();
	seed_mb = mem_create(512, 64, true, true, false);
	seed_nx.list_luns = seed_luns;
	/* a target port group that takes SET TARGET PORT GROUPS, as fuzz_scsi_exec's */
	if (alua_tgt_create(&seed_alua))
		return 1;
	seed_nx.alua = seed_alua;
	seed_nx.alua_group = alua_tgt_group(seed_alua, 1, true);
	if (!seed_nx.alua_group)
		return 1;
	alua_tgt_apply(seed_alua,
		       &(struct alua_group_conf){ .group = seed_nx.alua_group, .explicit_ok = true,
						  .set = true },
		       1);
	if (scsi_lu_create(&seed_mb->dev, &id, &seed_lu) ||
	    scsi_itl_create(seed_lu, &seed_nx, &seed_itl))
		return 1;

	seeds_text();
	seeds_param();
	seeds_login();
	seeds_textreq();
	seeds_chap();
	seeds_scsi();
	seeds_conn();
	seeds_admin();
	seeds_pr_blob();

	scsi_itl_destroy(seed_itl);
	scsi_lu_destroy(seed_lu);
	mem_destroy(seed_mb);
	alua_tgt_put(seed_alua);
	return 0;
}

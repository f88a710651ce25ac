/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live LUN map changes (iscsi_refresh_sessions) and the session list
 * (iscsi_session_list), over a socketpair or loopback TCP: the test plays
 * the initiator against the real transport and SCSI engine. The fake object
 * model hands out LUN maps that hold LU references as the real one does
 * (scsi_lun_map), and its LUs sit on a fake store that can hold a request
 * and says when it is closed, which is when the LU's last reference went.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/be.h"
#include "common/ev.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/iscsi/iscsi.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/scsi/alua.h"
#include "target/scsi/scsi.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/iscsi/raw_initiator.h"

#define TGT "iqn.2026-11.org.example:t1"
#define INI "iqn.2026-11.org.example:kvm1"
#define NLU 3
#define LU_BYTES (1u << 20)

static struct ev_loop *loop;
static struct raw_initiator ini = {.fd = -1}; /* the test's end of the connection */
static uint32_t cmdsn, itt_next = 0x100;
static uint16_t last_tsih;

/* ---- a store that can hold a request, and tells when it is closed ---- */

static struct scsi_lu *lus[NLU];
static bool lu_ref[NLU];    /* the test still holds its creation reference */
static bool lu_closed[NLU]; /* the store closed: the LU's last reference went */
static bool hold_io;	    /* the next requests wait for complete_held() */
static struct bs_io *held[8];
static unsigned int nheld;

static int hold_open(struct bs_dev *dev, const struct bs_params *p)
{
	dev->block_size = 512;
	dev->size = p->size;
	dev->priv = (void *)(uintptr_t)(p->name[2] - '0'); /* "lu0".."lu2" */
	return 0;
}

static void hold_close(struct bs_dev *dev)
{
	lu_closed[(uintptr_t)dev->priv] = true;
}

static void hold_fill(struct bs_io *io)
{
	for (int i = 0; i < io->iovcnt; i++)
		memset(io->iov[i].iov_base, 0x5a, io->iov[i].iov_len);
}

static int hold_submit(struct bs_dev *dev, struct bs_io *io)
{
	(void)dev;
	if (hold_io) {
		ck_assert_uint_lt(nheld, 8);
		held[nheld++] = io;
		return 0;
	}
	if (io->op == BS_OP_READ)
		hold_fill(io);
	bs_complete_later(io, 0);
	return 0;
}

static void complete_held(void)
{
	hold_io = false;
	for (unsigned int i = 0; i < nheld; i++) {
		if (held[i]->op == BS_OP_READ)
			hold_fill(held[i]);
		bs_complete_later(held[i], 0);
	}
	nheld = 0;
}

static const struct bs_ops hold_ops = {
	.name = "hold",
	.open = hold_open,
	.close = hold_close,
	.submit = hold_submit,
};

/* The test lets go of LU i: from now on only the sessions' maps keep it. */
static void drop_lu(int i)
{
	ck_assert(lu_ref[i]);
	lu_ref[i] = false;
	scsi_lu_put(lus[i]);
}

/* ---- fake object model ---- */

struct model_lun {
	uint64_t lun;
	int lu; /* index in lus[] */
	bool read_only;
};

static struct model_lun model[4];
static size_t nmodel;
static int conf_rc;	     /* what session_conf fails with, or 0 */
static int maps_live;	     /* maps handed out and not released */
static const void *map_given[8]; /* the maps, in the order handed out */
static const void *map_released; /* the last map freed */
static unsigned int nconfs; /* session_conf calls */
static const void *conf_arg, *release_arg; /* the environment's arg they were called with */
/* ALUA: the target's port groups the model hands out (NULL: none), references out, calls */
static struct alua_tgt *alua;
static int alua_live;
static unsigned int alua_changes;
static char alua_changed_target[64];

static void set_model(size_t n, const struct model_lun *m)
{
	memcpy(model, m, n * sizeof(*m));
	nmodel = n;
}

static int fake_session_conf(void *arg, const char *initiator, const char *target, uint16_t tag,
			     struct iscsi_session_conf *out)
{
	struct scsi_lun_entry e[ARRAY_SIZE(model)];

	conf_arg = arg;
	ck_assert_str_eq(initiator, INI);
	ck_assert_str_eq(target, TGT);
	ck_assert_uint_eq(tag, 1);
	nconfs++;
	if (conf_rc)
		return conf_rc;
	for (size_t i = 0; i < nmodel; i++) {
		e[i].lun = model[i].lun;
		e[i].lu = lus[model[i].lu];
		e[i].read_only = model[i].read_only;
	}
	out->map = raw_lun_map(e, nmodel);
	if (!out->map)
		return -ENOMEM;
	for (size_t i = 0; i < nmodel; i++)
		scsi_lu_get(out->map->e[i].lu); /* as obj_lun_map_build does */
	memset(&out->attrs, 0, sizeof(out->attrs));
	if (nconfs <= 8)
		map_given[nconfs - 1] = out->map;
	maps_live++;
	if (alua) {
		/* as iscsi_env.c does */
		alua_tgt_get(alua);
		out->alua = alua;
		out->alua_group = alua_tgt_group(alua, tag, false);
		alua_live++;
	}
	return 0;
}

static void fake_release(void *arg, struct iscsi_session_conf *conf)
{
	release_arg = arg;
	if (conf->alua) {
		alua_tgt_put(conf->alua);
		conf->alua = NULL;
		alua_live--;
	}
	if (!conf->map)
		return;
	for (size_t i = 0; i < conf->map->n; i++)
		scsi_lu_put(conf->map->e[i].lu); /* as scsi_lun_map_free does */
	map_released = conf->map;
	free(conf->map);
	conf->map = NULL;
	maps_live--;
}

static void fake_alua_changed(void *arg, const char *target)
{
	(void)arg;
	alua_changes++;
	snprintf(alua_changed_target, sizeof(alua_changed_target), "%s", target);
}

static const struct iscsi_env_ops fake_ops = {
    .authorize = raw_target_authorize,
    .session_conf = fake_session_conf,
    .session_conf_release = fake_release,
    .alua_changed = fake_alua_changed,
};

static struct raw_target tgt; /* lets everyone in, with the defaults' limits */
static const struct iscsi_env fake_env = {.ops = &fake_ops, .arg = &tgt};

/* ---- the initiator side ---- */

/* True once the target closed the connection (EOF). */
static bool closed(void)
{
	uint8_t b;

	for (int i = 0; i < 200; i++) {
		ssize_t r = recv(ini.fd, &b, 1, MSG_DONTWAIT);

		if (r == 0)
			return true;
		ck_assert_int_lt(r, 0); /* nothing is sent on the way out */
		raw_pump(loop, 1);
	}
	return false;
}

static void login_send(uint8_t csg, uint8_t nsg, const char *text, size_t n)
{
	static const uint8_t isid[6] = {0x80, 0, 0, 0, 0, 1}; /* random format */
	uint8_t bhs[ISCSI_BHS_LEN];

	raw_login_bhs(bhs, csg, nsg, isid, 0, itt_next, cmdsn);
	raw_ck_send(&ini, bhs, text, (uint32_t)n);
}

static void login_recv(uint8_t *rsp)
{
	uint8_t data[8192];

	ck_assert_int_ge(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_LOGIN_RSP);
	ck_assert_uint_eq(rsp[36], 0); /* status class: success */
}

static void login_step(uint8_t csg, uint8_t nsg, const char *text, size_t n, uint8_t *rsp)
{
	login_send(csg, nsg, text, n);
	login_recv(rsp);
}

/* The final Login Response: full feature phase, with a TSIH. */
static void login_done(const uint8_t *rsp)
{
	ck_assert(rsp[1] & ISCSI_LOGIN_FLAG_TRANSIT);
	ck_assert_uint_eq(rsp[1] & ISCSI_LOGIN_NSG_MASK, ISCSI_STAGE_FULL_FEATURE);
	last_tsih = get_be16(rsp + 14);
	ck_assert_uint_ne(last_tsih, 0);
	itt_next++;
}

/* Sends the login's last request (operational to full feature), answered by login_recv(). */
static void login_final_send(void)
{
	char text[256];
	size_t n;

	n = raw_key(text, 0, "HeaderDigest", "None");
	n = raw_key(text, n, "DataDigest", "None");
	n = raw_key(text, n, "MaxRecvDataSegmentLength", "8192");
	n = raw_key(text, n, "ErrorRecoveryLevel", "0");
	login_send(ISCSI_STAGE_OPERATIONAL, ISCSI_STAGE_FULL_FEATURE, text, n);
}

/* The security stage of a login, up to the operational stage. */
static void login_security(bool discovery)
{
	uint8_t rsp[ISCSI_BHS_LEN];
	char text[1024];
	size_t n = raw_security_keys(text, INI, discovery ? NULL : TGT);

	login_step(ISCSI_STAGE_SECURITY, ISCSI_STAGE_OPERATIONAL, text, n, rsp);
}

/* Logs in (security, then operational, then full feature) as a normal or discovery session. */
static void login(bool discovery)
{
	uint8_t rsp[ISCSI_BHS_LEN];

	login_security(discovery);
	login_final_send();
	login_recv(rsp);
	login_done(rsp);
}

struct result {
	uint8_t status;
	uint8_t key, asc, ascq; /* from fixed-format sense, when CHECK CONDITION */
	uint8_t data[512];
	int dlen; /* data-in bytes */
};

/* Runs one command (no data out) on lun; data-in, if any, lands in r->data. */
static void command(uint64_t lun, const uint8_t *cdb, size_t cdblen, uint32_t edtl,
		    struct result *r)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[8192];
	uint32_t itt = itt_next++;
	int dlen;

	memset(r, 0, sizeof(*r));
	raw_scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | (edtl ? ISCSI_CMD_FLAG_READ : 0), lun, itt, edtl,
			 cmdsn++, cdb, cdblen);
	raw_ck_send(&ini, bhs, NULL, 0);
	for (;;) {
		dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
		ck_assert_int_ge(dlen, 0);
		ck_assert_uint_eq(get_be32(rsp + 16), itt);
		if (rsp[0] == ISCSI_OP_DATA_IN) {
			ck_assert_uint_le((size_t)r->dlen + (size_t)dlen, sizeof(r->data));
			memcpy(r->data + r->dlen, data, (size_t)dlen);
			r->dlen += dlen;
			if (rsp[1] & ISCSI_DATA_FLAG_STATUS) {
				r->status = rsp[3];
				return;
			}
			continue;
		}
		ck_assert_uint_eq(rsp[0], ISCSI_OP_SCSI_RSP);
		r->status = rsp[3];
		if (r->status == SCSI_STATUS_CHECK_CONDITION) {
			ck_assert_int_ge(dlen, 2 + 14);
			ck_assert_uint_eq(data[2] & 0x7f, 0x70); /* fixed format */
			r->key = data[2 + 2] & 0x0f;
			r->asc = data[2 + 12];
			r->ascq = data[2 + 13];
		}
		return;
	}
}

static void tur(uint64_t lun, struct result *r)
{
	const uint8_t cdb[6] = { 0 };

	command(lun, cdb, sizeof(cdb), 0, r);
}

static void expect_good(uint64_t lun)
{
	struct result r;

	tur(lun, &r);
	ck_assert_uint_eq(r.status, SCSI_STATUS_GOOD);
}

static void expect_sense(uint64_t lun, uint8_t key, uint8_t asc, uint8_t ascq)
{
	struct result r;

	tur(lun, &r);
	ck_assert_uint_eq(r.status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(r.key, key);
	ck_assert_uint_eq(r.asc, asc);
	ck_assert_uint_eq(r.ascq, ascq);
}

/* SAM-5 §6.3.1: every new I_T nexus starts with POWER ON (29/00) pending. */
static void expect_power_on(uint64_t lun)
{
	expect_sense(lun, 0x6, 0x29, 0x00);
}

/* SPC-4 §6.37: REPORTED LUNS DATA HAS CHANGED (3F/0E). */
static void expect_luns_changed(uint64_t lun)
{
	expect_sense(lun, 0x6, 0x3f, 0x0e);
}

/* REPORT LUNS addressed to lun: the LUNs listed, ascending. */
static size_t report_luns(uint64_t lun, uint64_t *out, size_t max)
{
	uint8_t cdb[12] = { 0xa0 };
	struct result r;
	size_t n;

	put_be32(cdb + 6, sizeof(r.data));
	command(lun, cdb, sizeof(cdb), sizeof(r.data), &r);
	ck_assert_uint_eq(r.status, SCSI_STATUS_GOOD);
	ck_assert_int_ge(r.dlen, 8);
	n = get_be32(r.data) / 8;
	ck_assert_uint_le(n, max);
	for (size_t i = 0; i < n; i++)
		out[i] = scsi_lun_decode(r.data + 8 + 8 * i);
	return n;
}

/* Sends READ(10) of one block at lba on lun; the answer is read by finish_read(). */
static uint32_t start_read(uint64_t lun, uint32_t lba)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint8_t cdb[10] = { 0x28 };
	uint32_t itt = itt_next++;

	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, 1);
	raw_scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_READ, lun, itt, 512, cmdsn++, cdb,
			 sizeof(cdb));
	raw_ck_send(&ini, bhs, NULL, 0);
	return itt;
}

/* The read's single Data-In carries the store's pattern and GOOD status. */
static void finish_read(uint32_t itt)
{
	uint8_t rsp[ISCSI_BHS_LEN], data[512];

	ck_assert_int_eq(raw_ck_recv(&ini, rsp, data, sizeof(data)), 512);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_DATA_IN);
	ck_assert_uint_eq(get_be32(rsp + 16), itt);
	ck_assert(rsp[1] & ISCSI_DATA_FLAG_STATUS);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_GOOD);
	for (int i = 0; i < 512; i++)
		ck_assert_uint_eq(data[i], 0x5a);
}

/* ---- fixture ---- */

static void setup(void)
{
	int sv[2];

	bs_register_builtin();
	ck_assert_int_eq(bs_register(&hold_ops), 0);
	scsi_init();
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	ck_assert_int_eq(bs_thread_init(loop), 0);
	for (int i = 0; i < NLU; i++) {
		struct scsi_lu_id id = { .naa = { 0x30, 1, 2, 3, 4, 5, 6, (uint8_t)i },
					 .vendor = "PORTICO",
					 .product = "TEST",
					 .revision = "0001" };
		struct bs_params p = { .size = LU_BYTES };
		struct bs_dev *dev;
		char name[16];

		snprintf(name, sizeof(name), "lu%d", i);
		snprintf(id.serial, sizeof(id.serial), "serial%d", i);
		p.name = name;
		ck_assert_int_eq(bs_open("hold", &p, &dev, NULL, 0), 0);
		ck_assert_int_eq(scsi_lu_create(dev, &id, &lus[i]), 0);
		scsi_lu_own_bs(lus[i]);
		lu_ref[i] = true;
		lu_closed[i] = false;
	}
	set_model(1, (const struct model_lun[]){ { .lun = 0, .lu = 0 } });
	conf_rc = 0;
	maps_live = 0;
	nconfs = 0;
	alua = NULL;
	alua_live = 0;
	alua_changes = 0;
	hold_io = false;
	nheld = 0;
	raw_target_init(&tgt, TGT);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ini = (struct raw_initiator){.loop = loop, .fd = sv[0]};
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &fake_env), 0);
	cmdsn = 1;
}

static void teardown(void)
{
	raw_hang_up(&ini);
	ck_assert_uint_eq(iscsi_conn_live(), 0);
	/* Every map a session held was released, and with it its LU references. */
	ck_assert_int_eq(maps_live, 0);
	/* and its target's port groups */
	ck_assert_int_eq(alua_live, 0);
	alua_tgt_put(alua);
	for (int i = 0; i < NLU; i++) {
		if (lu_ref[i])
			scsi_lu_put(lus[i]);
		ck_assert(lu_closed[i]);
	}
	bs_thread_fini();
	iscsi_thread_release_buffers();
	ev_loop_destroy(loop);
}

/* ---- tests ---- */

/* A LUN added: REPORTED LUNS DATA HAS CHANGED on the old LUN, the new one listed and usable. */
START_TEST(test_lun_added)
{
	uint64_t luns[8];

	login(false);
	expect_power_on(0);
	expect_good(0);

	set_model(2, (const struct model_lun[]){ { .lun = 0, .lu = 0 }, { .lun = 1, .lu = 1 } });
	iscsi_refresh_sessions();
	/* the same nexus: no second POWER ON, the inventory change instead */
	expect_luns_changed(0);
	expect_good(0);
	ck_assert_uint_eq(report_luns(0, luns, 8), 2);
	ck_assert_uint_eq(luns[0], 0);
	ck_assert_uint_eq(luns[1], 1);
	/* the new LUN's nexus is new: POWER ON; 3F/0E went with its report through LUN 0 (LUICLR) */
	expect_power_on(1);
	expect_good(1);
	ck_assert_int_eq(maps_live, 1); /* the old map went: nothing held it */
}
END_TEST

/*
 * SAM-5 §5.14, LUICLR: REPORTED LUNS DATA HAS CHANGED reported through one
 * LU is cleared on every LU of the I_T nexus; REPORT LUNS itself clears
 * nothing.
 */
START_TEST(test_luns_changed_cleared_per_nexus)
{
	uint64_t luns[8];

	login(false);
	expect_power_on(0);
	set_model(3, (const struct model_lun[]){ { .lun = 0, .lu = 0 }, { .lun = 2, .lu = 1 },
						 { .lun = 3, .lu = 2 } });
	iscsi_refresh_sessions();
	ck_assert_uint_eq(report_luns(0, luns, 8), 3);
	expect_power_on(2);
	expect_luns_changed(2); /* REPORT LUNS did not clear it */
	expect_good(0);		/* reported through LUN 2: gone from LUN 0 */
	expect_power_on(3);	/* a new nexus still says so */
	expect_good(3);		/* and its 3F/0E went with the report through LUN 2 */
}
END_TEST

/* A change before the initiator saw the power-on attention: both, POWER ON first. */
START_TEST(test_lun_added_power_on_pending)
{
	login(false);
	set_model(2, (const struct model_lun[]){ { .lun = 0, .lu = 0 }, { .lun = 5, .lu = 1 } });
	iscsi_refresh_sessions();
	expect_power_on(0); /* the pending attention survived: the nexus was kept */
	expect_luns_changed(0);
	expect_good(0);
}
END_TEST

/* A LUN taken away: LOGICAL UNIT NOT SUPPORTED there, the change reported on the others. */
START_TEST(test_lun_removed)
{
	uint64_t luns[8];
	uint8_t tmf[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN], data[64];

	set_model(2, (const struct model_lun[]){ { .lun = 0, .lu = 0 }, { .lun = 1, .lu = 1 } });
	login(false);
	expect_power_on(0);
	expect_power_on(1);
	expect_good(1);
	drop_lu(1);

	set_model(1, (const struct model_lun[]){ { .lun = 0, .lu = 0 } });
	iscsi_refresh_sessions();
	/* nothing held the old map: LU 1's last reference is gone with it */
	ck_assert(lu_closed[1]);
	expect_sense(1, 0x5, 0x25, 0x00);
	expect_luns_changed(0);
	expect_good(0);
	ck_assert_uint_eq(report_luns(0, luns, 8), 1);
	ck_assert_uint_eq(luns[0], 0);

	/* Task management sees the new map too: LUN 1 does not exist (RFC 7143 §11.6.1). */
	tmf[0] = ISCSI_OP_TASK_MGMT_REQ | ISCSI_OP_IMMEDIATE;
	tmf[1] = ISCSI_FLAG_FINAL | ISCSI_TMF_LOGICAL_UNIT_RESET;
	scsi_lun_encode(1, tmf + 8);
	put_be32(tmf + 16, 0x777);
	put_be32(tmf + 20, ISCSI_RESERVED_TAG);
	put_be32(tmf + 24, cmdsn);
	raw_ck_send(&ini, tmf, NULL, 0);
	ck_assert_int_eq(raw_ck_recv(&ini, rsp, data, sizeof(data)), 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_TASK_MGMT_RSP);
	ck_assert_uint_eq(rsp[2], ISCSI_TMF_RSP_NO_LUN);
}
END_TEST

/* Another LU behind the same LUN number: a new nexus, and the inventory changed. */
START_TEST(test_lu_replaced)
{
	login(false);
	expect_power_on(0);
	set_model(1, (const struct model_lun[]){ { .lun = 0, .lu = 2 } });
	iscsi_refresh_sessions();
	expect_power_on(0);
	expect_luns_changed(0);
	expect_good(0);
}
END_TEST

/* The same map again: nothing changes, nothing is reported, the new map is released. */
START_TEST(test_unchanged)
{
	login(false);
	expect_power_on(0);
	iscsi_refresh_sessions();
	ck_assert_uint_eq(nconfs, 2);
	ck_assert_int_eq(maps_live, 1);
	/* the new map went back, the session kept its own */
	ck_assert_ptr_eq(map_released, map_given[1]);
	expect_good(0);
}
END_TEST

/* Only the read-only flag changed: the map is swapped (writes refused), but no attention. */
START_TEST(test_read_only_only)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[256];
	uint8_t cdb[10] = { 0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0 }; /* WRITE(10), one block */
	static uint8_t block[512];

	login(false);
	expect_power_on(0);
	set_model(1, (const struct model_lun[]){ { .lun = 0, .lu = 0, .read_only = true } });
	iscsi_refresh_sessions();
	expect_good(0);
	ck_assert_int_eq(maps_live, 1);

	raw_scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_WRITE, 0, itt_next++, sizeof(block),
			 cmdsn++, cdb, sizeof(cdb));
	raw_ck_send(&ini, bhs, block, sizeof(block)); /* immediate data */
	ck_assert_int_gt(raw_ck_recv(&ini, rsp, data, sizeof(data)), 2 + 13);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_SCSI_RSP);
	ck_assert_uint_eq(rsp[3], SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(data[2 + 2] & 0x0f, 0x7); /* DATA PROTECT */
	ck_assert_uint_eq(data[2 + 12], 0x27);	    /* WRITE PROTECTED */
}
END_TEST

/* The initiator lost access (ACL deleted): the connection is closed. */
START_TEST(test_access_removed)
{
	login(false);
	expect_power_on(0);
	ck_assert_uint_eq(iscsi_session_list(NULL, 0), 1);
	conf_rc = -EACCES;
	iscsi_refresh_sessions();
	ck_assert(closed());
	ck_assert_uint_eq(iscsi_session_list(NULL, 0), 0);
}
END_TEST

/* The target or TPG is gone: the same. */
START_TEST(test_target_removed)
{
	login(false);
	conf_rc = -ENOENT;
	iscsi_refresh_sessions();
	ck_assert(closed());
}
END_TEST

/* Any other failure keeps the session and its map as they were. */
START_TEST(test_refresh_fails)
{
	login(false);
	expect_power_on(0);
	set_model(2, (const struct model_lun[]){ { .lun = 0, .lu = 0 }, { .lun = 1, .lu = 1 } });
	conf_rc = -ENOMEM;
	iscsi_refresh_sessions();
	ck_assert(raw_quiet(&ini));
	expect_good(0);
	expect_sense(1, 0x5, 0x25, 0x00);
	ck_assert_int_eq(maps_live, 1);
}
END_TEST

/*
 * A LUN taken away while a command to it is in the store: the command
 * completes with its data, and the LU (whose last reference was the old
 * map's) is destroyed only afterwards.
 */
START_TEST(test_removed_while_in_flight)
{
	uint32_t itt;

	set_model(2, (const struct model_lun[]){ { .lun = 0, .lu = 0 }, { .lun = 1, .lu = 1 } });
	login(false);
	expect_power_on(0);
	expect_power_on(1);
	drop_lu(1);

	hold_io = true;
	itt = start_read(1, 7);
	ck_assert(raw_quiet(&ini));
	ck_assert_uint_eq(nheld, 1);

	set_model(1, (const struct model_lun[]){ { .lun = 0, .lu = 0 } });
	iscsi_refresh_sessions();
	ck_assert(!lu_closed[1]);
	ck_assert_int_eq(maps_live, 2); /* the old map waits for the read */
	expect_sense(1, 0x5, 0x25, 0x00); /* new commands see the new map already */
	expect_luns_changed(0);

	complete_held();
	finish_read(itt);
	raw_pump(loop, 10);
	ck_assert(lu_closed[1]);
	ck_assert_int_eq(maps_live, 1);
	expect_good(0);
}
END_TEST

/*
 * Two changes while a command is in flight: the first keeps its LUN (the
 * nexus moves to the new map), the second takes it away. The nexus now
 * belongs to the second map, whose own commands are done; it must still
 * wait for the older map's command.
 */
START_TEST(test_two_changes_while_in_flight)
{
	uint32_t itt;

	set_model(1, (const struct model_lun[]){ { .lun = 1, .lu = 1 } });
	login(false);
	expect_power_on(1);
	drop_lu(1);

	hold_io = true;
	itt = start_read(1, 3);
	ck_assert(raw_quiet(&ini));
	ck_assert_uint_eq(nheld, 1);

	set_model(2, (const struct model_lun[]){ { .lun = 0, .lu = 0 }, { .lun = 1, .lu = 1 } });
	iscsi_refresh_sessions();
	set_model(1, (const struct model_lun[]){ { .lun = 0, .lu = 0 } });
	iscsi_refresh_sessions();
	ck_assert(!lu_closed[1]);
	ck_assert_int_eq(maps_live, 3);

	complete_held();
	finish_read(itt);
	raw_pump(loop, 10);
	ck_assert(lu_closed[1]);
	ck_assert_int_eq(maps_live, 1);
	expect_power_on(0);
}
END_TEST

/* A session closed while a retired map still waits for its command: all is freed in the end. */
START_TEST(test_close_with_retired_map)
{
	set_model(2, (const struct model_lun[]){ { .lun = 0, .lu = 0 }, { .lun = 1, .lu = 1 } });
	login(false);
	expect_power_on(1);
	drop_lu(1);
	hold_io = true;
	(void)start_read(1, 0);
	ck_assert(raw_quiet(&ini));
	set_model(1, (const struct model_lun[]){ { .lun = 0, .lu = 0 } });
	iscsi_refresh_sessions();
	close(ini.fd);
	ini.fd = -1;
	raw_pump(loop, 50);
	ck_assert(!lu_closed[1]); /* the read still holds it */
	complete_held();
	raw_pump(loop, 50);
	ck_assert(lu_closed[1]);
	ck_assert_int_eq(maps_live, 0);
}
END_TEST

/*
 * A login that reinstates a session waits for the old session's commands;
 * its map was built before a change made meanwhile, so it is refreshed too,
 * quietly: the initiator has seen none of its LUNs yet.
 */
START_TEST(test_held_login_refreshed)
{
	uint8_t rsp[ISCSI_BHS_LEN];
	uint64_t luns[8];
	int first = ini.fd, sv[2];

	login(false);
	expect_power_on(0);
	hold_io = true;
	(void)start_read(0, 1);
	ck_assert(raw_quiet(&ini));

	/* the same ISID again: the old session goes, the new login waits for its read */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &fake_env), 0);
	ini.fd = sv[0];
	login_security(false);
	login_final_send();
	ck_assert(raw_quiet(&ini));
	ck_assert_uint_eq(nconfs, 2);

	set_model(2, (const struct model_lun[]){ { .lun = 0, .lu = 0 }, { .lun = 3, .lu = 1 } });
	iscsi_refresh_sessions();
	ck_assert_uint_eq(nconfs, 3);
	complete_held();
	login_recv(rsp);
	login_done(rsp);

	ck_assert_uint_eq(report_luns(0, luns, 8), 2);
	ck_assert_uint_eq(luns[1], 3);
	expect_power_on(0);
	expect_good(0); /* no REPORTED LUNS DATA HAS CHANGED: nothing was reported before */
	expect_power_on(3);
	expect_good(3);
	close(first);
}
END_TEST

/* Discovery sessions are left alone (they have no LUNs and no target). */
START_TEST(test_discovery_untouched)
{
	login(true);
	conf_rc = -EACCES;
	iscsi_refresh_sessions();
	ck_assert_uint_eq(nconfs, 0);
	ck_assert(raw_quiet(&ini));
	ck_assert_uint_eq(iscsi_session_list(NULL, 0), 1);
}
END_TEST

/* The session list over loopback TCP: names, ISID, TSIH, both addresses, LUN count. */
START_TEST(test_session_list)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	struct iscsi_session_info info[2];
	char portal[32], peer_text[32];
	int lfd, cfd, afd, first = ini.fd;
	uint16_t normal_tsih;

	login(false);
	normal_tsih = last_tsih;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &salen), 0);
	snprintf(portal, sizeof(portal), "127.0.0.1:%u", ntohs(sa.sin_port));
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	afd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(afd, 0);
	close(lfd);
	salen = sizeof(sa);
	ck_assert_int_eq(getsockname(cfd, (struct sockaddr *)&sa, &salen), 0);
	snprintf(peer_text, sizeof(peer_text), "127.0.0.1:%u", ntohs(sa.sin_port));
	ck_assert_int_eq(iscsi_conn_start(loop, afd, &fake_env), 0);
	ini.fd = cfd;
	login(true);

	/* too small a buffer: the count says how many there are, one entry filled */
	memset(info, 0xee, sizeof(info));
	ck_assert_uint_eq(iscsi_session_list(info, 1), 2);
	ck_assert_str_eq(info[0].initiator, INI);
	ck_assert_uint_eq(info[1].tsih, 0xeeee);

	ck_assert_uint_eq(iscsi_session_list(info, 2), 2);
	ck_assert_str_eq(info[0].initiator, INI);
	ck_assert_str_eq(info[0].target, TGT);
	ck_assert(!info[0].discovery);
	ck_assert_uint_eq(info[0].tsih, normal_tsih);
	ck_assert_uint_eq(info[0].tpg_tag, 1);
	ck_assert_mem_eq(info[0].isid, ((const uint8_t[]){ 0x80, 0, 0, 0, 0, 1 }), 6);
	ck_assert_str_eq(info[0].portal, "unix");
	ck_assert_str_eq(info[0].peer, "unix");
	ck_assert_uint_eq(info[0].luns, 1);

	ck_assert_str_eq(info[1].initiator, INI);
	ck_assert_str_eq(info[1].target, "");
	ck_assert(info[1].discovery);
	ck_assert_uint_eq(info[1].tsih, last_tsih);
	ck_assert_str_eq(info[1].portal, portal);
	ck_assert_str_eq(info[1].peer, peer_text);
	ck_assert_uint_eq(info[1].luns, 0);

	/* the LUN count follows a change */
	set_model(3, (const struct model_lun[]){
			     { .lun = 0, .lu = 0 }, { .lun = 1, .lu = 1 }, { .lun = 2, .lu = 2 } });
	iscsi_refresh_sessions();
	ck_assert_uint_eq(iscsi_session_list(info, 2), 2);
	ck_assert_uint_eq(info[0].luns, 3);

	close(cfd);
	ini.fd = first;
}
END_TEST

/*
 * A session asks the environment its connection was started with, at
 * login and at every refresh, and gives its maps back there.
 */
START_TEST(test_refresh_asks_own_env)
{
	struct raw_target mine_tgt;
	const struct iscsi_env mine = {.ops = &fake_ops, .arg = &mine_tgt};
	int first = ini.fd, sv[2];

	raw_target_init(&mine_tgt, TGT);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(iscsi_conn_start(loop, sv[1], &mine), 0);
	ini.fd = sv[0];
	login(false);
	ck_assert_ptr_eq(conf_arg, &mine_tgt);
	expect_power_on(0);

	conf_arg = NULL;
	set_model(2, (const struct model_lun[]){{.lun = 0, .lu = 0}, {.lun = 1, .lu = 1}});
	iscsi_refresh_sessions();
	ck_assert_ptr_eq(conf_arg, &mine_tgt);
	ck_assert_ptr_eq(release_arg, &mine_tgt); /* the old map went back to it */
	expect_luns_changed(0);
	close(first);
}
END_TEST

/* ---- ALUA: the session's nexus and its target port group ---- */

/* The model's port groups: group 1 (the TPG the tests log in to) of lus[0], in state, explicit. */
static void alua_model(uint8_t state, bool explicit_ok)
{
	struct alua_group_conf c = { .state = state, .explicit_ok = explicit_ok, .set = true };

	if (!alua)
		ck_assert_int_eq(alua_tgt_create(&alua), 0);
	c.group = alua_tgt_group(alua, 1, true);
	c.lus = calloc(1, sizeof(*c.lus));
	c.lus[0] = lus[0];
	c.nlus = 1;
	alua_tgt_apply(alua, &c, 1);
}

/* Runs one command with data out (immediate data) on lun. */
static void command_out(uint64_t lun, const uint8_t *cdb, size_t cdblen, const uint8_t *out,
			uint32_t len, struct result *r)
{
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN], data[512];
	uint32_t itt = itt_next++;
	int dlen;

	memset(r, 0, sizeof(*r));
	raw_scsi_cmd_bhs(bhs, ISCSI_FLAG_FINAL | ISCSI_CMD_FLAG_WRITE, lun, itt, len, cmdsn++, cdb,
			 cdblen);
	raw_ck_send(&ini, bhs, out, len);
	dlen = raw_ck_recv(&ini, rsp, data, sizeof(data));
	ck_assert_int_ge(dlen, 0);
	ck_assert_uint_eq(rsp[0], ISCSI_OP_SCSI_RSP);
	r->status = rsp[3];
	if (r->status == SCSI_STATUS_CHECK_CONDITION) {
		r->key = data[2 + 2] & 0x0f;
		r->asc = data[2 + 12];
		r->ascq = data[2 + 13];
	}
}

/*
 * The nexus reads its group's state on every command: standby refuses, a
 * change announces itself, and the session gives its reference back.
 */
START_TEST(test_alua_state_of_the_nexus)
{
	uint8_t inq[6] = { 0x12, 0, 0, 0, 96, 0 };
	struct result r;

	alua_model(SCSI_ALUA_STANDBY, false);
	login(false);
	ck_assert_int_eq(alua_live, 1);
	expect_power_on(0);
	expect_sense(0, 0x2, 0x04, 0x0b); /* LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY */
	command(0, inq, sizeof(inq), 96, &r);
	ck_assert_uint_eq(r.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq((r.data[5] >> 4) & 3, 1); /* TPGS: implicit */
	alua_model(SCSI_ALUA_ACTIVE_OPTIMIZED, false);
	expect_sense(0, 0x6, 0x2a, 0x06); /* ASYMMETRIC ACCESS STATE CHANGED */
	expect_good(0);
	/* a refresh keeps the nexus's groups (and gives the new reference back) */
	iscsi_refresh_sessions();
	ck_assert(raw_quiet(&ini));
	ck_assert_int_eq(alua_live, 1);
	expect_good(0);
}
END_TEST

/* A target deleted and made again has other port groups: its sessions end. */
START_TEST(test_alua_target_replaced)
{
	struct alua_tgt *first;

	alua_model(SCSI_ALUA_ACTIVE_OPTIMIZED, false);
	login(false);
	expect_power_on(0);
	first = alua;
	alua = NULL;
	alua_model(SCSI_ALUA_ACTIVE_OPTIMIZED, false);
	iscsi_refresh_sessions();
	ck_assert(closed());
	ck_assert_int_eq(alua_live, 0);
	alua_tgt_put(first);
}
END_TEST

/* SET TARGET PORT GROUPS through a session: its environment hears of it. */
START_TEST(test_alua_changed_reaches_env)
{
	uint8_t cdb[12] = { 0xa4, 0x0a }, list[8] = { 0, 0, 0, 0, SCSI_ALUA_STANDBY, 0, 0, 1 };
	struct result r;

	alua_model(SCSI_ALUA_ACTIVE_OPTIMIZED, true);
	login(false);
	expect_power_on(0);
	put_be32(cdb + 6, sizeof(list));
	command_out(0, cdb, sizeof(cdb), list, sizeof(list), &r);
	ck_assert_uint_eq(r.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(alua_changes, 1);
	ck_assert_str_eq(alua_changed_target, TGT);
	ck_assert_uint_eq(alua_group_state(alua_tgt_group(alua, 1, false)), SCSI_ALUA_STANDBY);
	/* the nexus that asked gets no attention for it; its port is standby now */
	expect_sense(0, 0x2, 0x04, 0x0b);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("iscsi refresh");
	TCase *tc = tcase_create("refresh");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_lun_added);
	tcase_add_test(tc, test_luns_changed_cleared_per_nexus);
	tcase_add_test(tc, test_lun_added_power_on_pending);
	tcase_add_test(tc, test_lun_removed);
	tcase_add_test(tc, test_lu_replaced);
	tcase_add_test(tc, test_unchanged);
	tcase_add_test(tc, test_read_only_only);
	tcase_add_test(tc, test_access_removed);
	tcase_add_test(tc, test_target_removed);
	tcase_add_test(tc, test_refresh_fails);
	tcase_add_test(tc, test_removed_while_in_flight);
	tcase_add_test(tc, test_two_changes_while_in_flight);
	tcase_add_test(tc, test_close_with_retired_map);
	tcase_add_test(tc, test_held_login_refreshed);
	tcase_add_test(tc, test_discovery_untouched);
	tcase_add_test(tc, test_session_list);
	tcase_add_test(tc, test_refresh_asks_own_env);
	tcase_add_test(tc, test_alua_state_of_the_nexus);
	tcase_add_test(tc, test_alua_target_replaced);
	tcase_add_test(tc, test_alua_changed_reaches_env);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ALUA through the engine (target/scsi/alua.c, the SCSI_OP_F_ALUA_* rows of
 * scsi.c, INQUIRY's TPGS, REQUEST SENSE). One target device with two
 * target port groups: host1's nexus (T.nx) through TPG 1, host2's (T.nx2)
 * through TPG 2, both on the test LU; a second LU (lu2) mapped through TPG
 * 1 only, with host1's nexus on it; and a nexus of another target device
 * on the test LU (an LU mapped into two targets). Checked: the TPGS field
 * and REPORT SUPPORTED OPERATION CODES with and without explicit ALUA;
 * REPORT TARGET PORT GROUPS in both formats, which groups each LU gets,
 * the preferred bit only where set, status codes, the allocation length;
 * what standby, unavailable and transitioning let through and refuse
 * (command by command, with REQUEST SENSE's data); ASYMMETRIC ACCESS STATE
 * CHANGED after a change made by alua_tgt_apply (to whom, not twice, not
 * for a change that is none, before a refusal), the live state kept when
 * the configuration does not set it; SET TARGET PORT GROUPS and each way
 * its parameter list can be wrong (nothing changes then), its attention to
 * every nexus but its own, and the hook that keeps the result.
 */
#include "common/scsi_alua.h"
#include "common/scsi_vpd.h"
#include "target/scsi/alua.h"
#include "tests/unit/target/scsi/scsi_test_util.h"

#define T_ALUA_TRANS 0x02040au
#define T_ALUA_STANDBY 0x02040bu
#define T_ALUA_UNAVAIL 0x02040cu
#define T_UA_ALUA 0x062a06u

static struct alua_tgt *tgt, *other_tgt;
static struct alua_group *g1, *g2;
static struct mem_bs *mb2;
static struct scsi_lu *lu2;
static struct scsi_itl *itl_lu2;   /* host1 on lu2, through TPG 1 */
static struct scsi_nexus nx_other; /* host3, through TPG 1 of another target device */
static struct scsi_itl *itl_other;
static int changed_calls;
static const struct scsi_nexus *changed_nx;

static void on_changed(const struct scsi_nexus *nx)
{
	changed_calls++;
	changed_nx = nx;
}

/* An array of LUs as the model hands it over (the LUs not held). */
static struct scsi_lu **lus_of(struct scsi_lu *a, struct scsi_lu *b, size_t *n)
{
	struct scsi_lu **lus = calloc(2, sizeof(*lus));

	*n = 0;
	if (a)
		lus[(*n)++] = a;
	if (b)
		lus[(*n)++] = b;
	return lus;
}

/* Applies: group 1 (the test LU and lu2), group 2 (the test LU), states, prefs and explicit. */
static void apply(uint8_t s1, bool p1, bool x1, uint8_t s2, bool p2, bool x2, bool set)
{
	struct alua_group_conf c[2] = {
	    {.group = g1, .state = s1, .pref = p1, .explicit_ok = x1, .set = set},
	    {.group = g2, .state = s2, .pref = p2, .explicit_ok = x2, .set = set},
	};

	c[0].lus = lus_of(T.lu, lu2, &c[0].nlus);
	c[1].lus = lus_of(T.lu, NULL, &c[1].nlus);
	alua_tgt_apply(tgt, c, 2);
}

static void a_setup(void)
{
	struct scsi_lu_id id = {.serial = "SER0002", .vendor = "PORTICO", .product = "disk"};
	struct alua_group_conf oc = {0};

	t_setup();
	ck_assert_int_eq(alua_tgt_create(&tgt), 0);
	g1 = alua_tgt_group(tgt, 1, true);
	g2 = alua_tgt_group(tgt, 2, true);
	ck_assert_ptr_nonnull(g1);
	ck_assert_ptr_nonnull(g2);
	T.nx.alua = tgt;
	T.nx.alua_group = g1;
	T.nx.alua_changed = on_changed;
	T.nx2.tpg_tag = 2;
	T.nx2.alua = tgt;
	T.nx2.alua_group = g2;
	T.nx2.alua_changed = on_changed;
	mb2 = mem_create(T_BS, 64, false, false, true);
	ck_assert_int_eq(scsi_lu_create(&mb2->dev, &id, &lu2), 0);
	ck_assert_int_eq(scsi_itl_create(lu2, &T.nx, &itl_lu2), 0);
	scsi_itl_take_ua(itl_lu2);
	/* another target device that maps the test LU too */
	ck_assert_int_eq(alua_tgt_create(&other_tgt), 0);
	nx_other = T.nx;
	strcpy(nx_other.initiator_port, "iqn.2024-01.org.example:host3,i,0x000000000003");
	nx_other.target_name = "iqn.2024-01.org.portico:other";
	nx_other.alua = other_tgt;
	nx_other.alua_group = alua_tgt_group(other_tgt, 1, true);
	oc.group = nx_other.alua_group;
	oc.set = true;
	oc.lus = lus_of(T.lu, NULL, &oc.nlus);
	alua_tgt_apply(other_tgt, &oc, 1);
	ck_assert_int_eq(scsi_itl_create(T.lu, &nx_other, &itl_other), 0);
	scsi_itl_take_ua(itl_other);
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, false, SCSI_ALUA_STANDBY, false, false, true);
	changed_calls = 0;
	changed_nx = NULL;
}

static void a_teardown(void)
{
	scsi_itl_destroy(itl_other);
	scsi_itl_destroy(itl_lu2);
	alua_tgt_put(tgt);
	alua_tgt_put(other_tgt);
	scsi_lu_destroy(lu2);
	mem_destroy(mb2);
	t_teardown();
}

static uint8_t run_cdb(struct scsi_itl *itl, const uint8_t *cdb, struct scsi_cmd *last)
{
	return t_simple(itl, cdb, 16, last);
}

/* CHECK CONDITION with sense kaq, through itl. */
static void expect_cc(struct scsi_itl *itl, const uint8_t *cdb, uint32_t kaq)
{
	struct scsi_cmd c;

	ck_assert_uint_eq(run_cdb(itl, cdb, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), kaq);
}

static void expect_good(struct scsi_itl *itl, const uint8_t *cdb)
{
	struct scsi_cmd c;

	ck_assert_uint_eq(run_cdb(itl, cdb, &c), SCSI_STATUS_GOOD);
}

static void tur_cdb(uint8_t *cdb)
{
	memset(cdb, 0, 16);
}

static void inq_cdb(uint8_t *cdb)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_INQUIRY;
	put_be16(cdb + 3, 96);
}

static void rtpg_cdb(uint8_t *cdb, bool ext, uint32_t alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_MAINTENANCE_IN;
	cdb[1] = (uint8_t)((ext ? 0x20 : 0) | SCSI_MI_REPORT_TARGET_PORT_GROUPS);
	put_be32(cdb + 6, alloc);
}

static void stpg_cdb(uint8_t *cdb, uint32_t len)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_MAINTENANCE_OUT;
	cdb[1] = SCSI_MO_SET_TARGET_PORT_GROUPS;
	put_be32(cdb + 6, len);
}

/* The TPGS field of standard INQUIRY data through itl. */
static uint8_t tpgs_through(struct scsi_itl *itl)
{
	uint8_t cdb[16];
	struct t_cmd t;
	uint8_t tpgs;

	inq_cdb(cdb);
	t_cmd_init(&t, itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	tpgs = (t.buf[5] >> SCSI_INQUIRY_TPGS_SHIFT) & 0x3;
	t_cmd_fini(&t);
	return tpgs;
}

/* REPORT TARGET PORT GROUPS through itl into groups[] (at most 4); returns how many. */
static size_t rtpg(struct scsi_itl *itl, bool ext, struct scsi_tpg *groups, uint16_t *ports)
{
	struct scsi_rtpg_iter it;
	uint8_t cdb[16];
	struct t_cmd t;
	size_t n = 0;
	int r;

	rtpg_cdb(cdb, ext, 4096);
	t_cmd_init(&t, itl, cdb, 16);
	ck_assert_msg(t_run(&t, NULL, 0) == SCSI_STATUS_GOOD,
		      "REPORT TARGET PORT GROUPS: sense %06x", t_sense(&t.cmd));
	ck_assert_uint_eq(t.cmd.data_len, 4 + get_be32(t.buf));
	ck_assert_int_eq(scsi_rtpg_iter_init(&it, t.buf, t.cmd.data_len, ext), 0);
	ck_assert(it.ext == ext);
	ck_assert_uint_eq(it.transition_time, 0);
	while ((r = scsi_rtpg_iter_next(&it, &groups[n])) == 1) {
		ck_assert_uint_eq(groups[n].nports, 1);
		ports[n] = scsi_tpg_port(&groups[n], 0);
		groups[n].ports = NULL; /* into the freed buffer */
		ck_assert_uint_lt(++n, 5);
	}
	ck_assert_int_eq(r, 0);
	t_cmd_fini(&t);
	return n;
}

/* SET TARGET PORT GROUPS of n entries through itl; the status, sense in *c. */
static uint8_t stpg(struct scsi_itl *itl, const struct scsi_stpg_entry *e, size_t n,
		    struct scsi_cmd *c)
{
	uint8_t cdb[16], list[64];
	int len = scsi_stpg_put(list, sizeof(list), e, n);
	struct t_cmd t;
	uint8_t st;

	ck_assert_int_gt(len, 0);
	stpg_cdb(cdb, (uint32_t)len);
	t_cmd_init(&t, itl, cdb, 16);
	st = t_run(&t, list, (size_t)len);
	*c = t.cmd;
	t_cmd_fini(&t);
	return st;
}

START_TEST(test_tpgs)
{
	/* implicit only, through either port */
	ck_assert_uint_eq(tpgs_through(T.itl), SCSI_TPGS_IMPLICIT);
	ck_assert_uint_eq(tpgs_through(T.itl2), SCSI_TPGS_IMPLICIT);
	/* explicit where the port's group takes SET TARGET PORT GROUPS */
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, true, SCSI_ALUA_STANDBY, false, false, true);
	ck_assert_uint_eq(tpgs_through(T.itl), SCSI_TPGS_IMPLICIT | SCSI_TPGS_EXPLICIT);
	ck_assert_uint_eq(tpgs_through(T.itl2), SCSI_TPGS_IMPLICIT);
}
END_TEST

START_TEST(test_rtpg_two_groups)
{
	struct scsi_tpg g[5];
	uint16_t ports[5];

	for (int ext = 0; ext < 2; ext++) {
		/* the same answer through either port */
		for (int via = 0; via < 2; via++) {
			size_t n = rtpg(via ? T.itl2 : T.itl, ext, g, ports);

			ck_assert_uint_eq(n, 2);
			ck_assert_uint_eq(g[0].id, 1);
			ck_assert_uint_eq(g[0].state, SCSI_ALUA_ACTIVE_OPTIMIZED);
			ck_assert(g[0].pref);
			ck_assert_uint_eq(g[0].sup, 0x8f); /* T, U, S, AN, AO */
			ck_assert_uint_eq(g[0].status, SCSI_ALUA_STATUS_NONE);
			ck_assert_uint_eq(ports[0], 1);
			ck_assert_uint_eq(g[1].id, 2);
			ck_assert_uint_eq(g[1].state, SCSI_ALUA_STANDBY);
			ck_assert(!g[1].pref); /* the preferred bit only where it was set */
			ck_assert_uint_eq(ports[1], 2);
		}
	}
}
END_TEST

START_TEST(test_rtpg_groups_of_the_lu)
{
	struct scsi_tpg g[5];
	uint16_t ports[5];
	struct alua_group_conf c = {.group = g1, .pref = true, .set = true};

	/* lu2 is mapped through TPG 1 only */
	ck_assert_uint_eq(rtpg(itl_lu2, true, g, ports), 1);
	ck_assert_uint_eq(g[0].id, 1);
	/* a TPG taken away: not reported (TPG 2 here, for the test LU through TPG 1) */
	c.lus = lus_of(T.lu, lu2, &c.nlus);
	alua_tgt_apply(tgt, &c, 1);
	ck_assert_uint_eq(rtpg(T.itl, true, g, ports), 1);
	ck_assert_uint_eq(g[0].id, 1);
	/* ... but a nexus of that TPG still living sees its own group */
	ck_assert_uint_eq(rtpg(T.itl2, true, g, ports), 2);
	/* the other target device's groups are its own */
	ck_assert_uint_eq(rtpg(itl_other, true, g, ports), 1);
	ck_assert_uint_eq(g[0].id, 1);
	ck_assert_uint_eq(g[0].state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert(!g[0].pref);
}
END_TEST

START_TEST(test_rtpg_allocation_length)
{
	uint8_t cdb[16];
	struct t_cmd t;
	struct scsi_cmd c;

	/* cut at 10 bytes: RETURN DATA LENGTH still counts both groups */
	rtpg_cdb(cdb, true, 10);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.cmd.data_len, 10);
	ck_assert_uint_eq(get_be32(t.buf), 4 + 2 * 12);
	t_cmd_fini(&t);
	rtpg_cdb(cdb, false, 0);
	ck_assert_uint_eq(run_cdb(T.itl, cdb, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(c.data_len, 0);
	/* PARAMETER DATA FORMAT 010b is reserved */
	rtpg_cdb(cdb, false, 64);
	cdb[1] |= 0x40;
	expect_cc(T.itl, cdb, T_INVALID_FIELD_CDB);
}
END_TEST

/* The commands one state may refuse, each checked through itl against accept (flags). */
enum { A_SB = 1, A_UN = 2, A_TR = 4 };

static void check_state_commands(struct scsi_itl *itl, unsigned int mask, uint32_t refusal)
{
	static const struct {
		uint8_t cdb[16];
		unsigned int accept;
	} cases[] = {
	    {{SCSI_OP_TEST_UNIT_READY}, 0},
	    {{SCSI_OP_INQUIRY, 0, 0, 0, 96}, A_SB | A_UN | A_TR},
	    {{SCSI_OP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 1, 0}, A_SB | A_UN | A_TR},
	    {{SCSI_OP_MAINTENANCE_IN, SCSI_MI_REPORT_TARGET_PORT_GROUPS, 0, 0, 0, 0, 0, 0, 1},
	     A_SB | A_UN | A_TR},
	    {{SCSI_OP_REQUEST_SENSE, 0, 0, 0, 18}, A_SB | A_UN | A_TR},
	    {{SCSI_OP_MODE_SENSE_6, 0, 0x3f, 0, 255}, A_SB},
	    {{SCSI_OP_MODE_SENSE_10, 0, 0x3f, 0, 0, 0, 0, 1, 0}, A_SB},
	    {{SCSI_OP_READ_CAPACITY_10}, A_SB},
	    {{SCSI_OP_SERVICE_ACTION_IN_16, SCSI_SAI_READ_CAPACITY_16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	      0, 32},
	     A_SB},
	    {{SCSI_OP_PERSISTENT_RESERVE_IN, SCSI_PRIN_READ_KEYS, 0, 0, 0, 0, 0, 1, 0}, A_SB},
	    {{SCSI_OP_READ_10, 0, 0, 0, 0, 0, 0, 0, 1}, 0},
	    {{SCSI_OP_WRITE_10, 0, 0, 0, 0, 0, 0, 0, 0}, 0},
	    {{SCSI_OP_SYNCHRONIZE_CACHE_10}, 0},
	    {{SCSI_OP_MAINTENANCE_IN, SCSI_MI_REPORT_SUPPORTED_OPCODES, 0, 0, 0, 0, 0, 0, 1}, 0},
	    {{SCSI_OP_START_STOP_UNIT, 0, 0, 0, 1}, 0},
	    {{SCSI_OP_RESERVE_6}, 0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct scsi_cmd c;
		uint8_t st = run_cdb(itl, cases[i].cdb, &c);

		if (!refusal || (cases[i].accept & mask)) {
			ck_assert_msg(st == SCSI_STATUS_GOOD,
				      "opcode %02xh/%02x: status %02x sense %06x", cases[i].cdb[0],
				      cases[i].cdb[1], st, t_sense(&c));
		} else {
			ck_assert_msg(st == SCSI_STATUS_CHECK_CONDITION && t_sense(&c) == refusal,
				      "opcode %02xh/%02x: status %02x sense %06x, not %06x",
				      cases[i].cdb[0], cases[i].cdb[1], st, t_sense(&c), refusal);
		}
	}
}

/* REQUEST SENSE's data through itl, as kkaaqq. */
static uint32_t request_sense(struct scsi_itl *itl)
{
	uint8_t cdb[16] = {SCSI_OP_REQUEST_SENSE, 0, 0, 0, 252};
	struct t_cmd t;
	uint32_t kaq;

	t_cmd_init(&t, itl, cdb, 16);
	ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
	kaq = t_sense_of(t.buf, t.cmd.data_len);
	t_cmd_fini(&t);
	return kaq;
}

START_TEST(test_standby)
{
	uint8_t cdb[16];

	check_state_commands(T.itl2, A_SB, T_ALUA_STANDBY);
	/* SPC-4 §6.29: REQUEST SENSE says why */
	ck_assert_uint_eq(request_sense(T.itl2), T_ALUA_STANDBY);
	/* the other port of the same LU is active/optimized: everything goes */
	tur_cdb(cdb);
	expect_good(T.itl, cdb);
	ck_assert_uint_eq(request_sense(T.itl), T_GOOD);
	/* without explicit ALUA, SET TARGET PORT GROUPS is not a command here */
	stpg_cdb(cdb, 0);
	expect_cc(T.itl2, cdb, T_INVALID_OPCODE);
}
END_TEST

START_TEST(test_unavailable)
{
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, false, SCSI_ALUA_UNAVAILABLE, false, false, true);
	scsi_itl_take_ua(T.itl2);
	check_state_commands(T.itl2, A_UN, T_ALUA_UNAVAIL);
	ck_assert_uint_eq(request_sense(T.itl2), T_ALUA_UNAVAIL);
}
END_TEST

START_TEST(test_transitioning)
{
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, true, SCSI_ALUA_TRANSITIONING, false, true, true);
	scsi_itl_take_ua(T.itl2);
	check_state_commands(T.itl2, A_TR, T_ALUA_TRANS);
	ck_assert_uint_eq(request_sense(T.itl2), T_ALUA_TRANS);
}
END_TEST

START_TEST(test_active_non_optimized)
{
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, false, SCSI_ALUA_ACTIVE_NON_OPTIMIZED, false, false,
	      true);
	scsi_itl_take_ua(T.itl2);
	check_state_commands(T.itl2, 0, 0); /* 0: every command goes */
}
END_TEST

/* A standby port that takes explicit transitions: SET TARGET PORT GROUPS goes through (unavailable
 * too). */
START_TEST(test_stpg_through_standby_and_unavailable)
{
	const struct scsi_stpg_entry e = {.id = 2, .state = SCSI_ALUA_ACTIVE_OPTIMIZED};
	struct scsi_cmd c;

	for (int unavailable = 0; unavailable < 2; unavailable++) {
		apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, true,
		      unavailable ? SCSI_ALUA_UNAVAILABLE : SCSI_ALUA_STANDBY, false, true, true);
		scsi_itl_take_ua(T.itl2);
		ck_assert_uint_eq(stpg(T.itl2, &e, 1, &c), SCSI_STATUS_GOOD);
		ck_assert_uint_eq(alua_group_state(g2), SCSI_ALUA_ACTIVE_OPTIMIZED);
	}
}
END_TEST

START_TEST(test_apply_raises_ua)
{
	uint8_t cdb[16];

	tur_cdb(cdb);
	/* standby -> active/non-optimized on TPG 2: both nexuses of the test LU hear of it */
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, false, SCSI_ALUA_ACTIVE_NON_OPTIMIZED, false, false,
	      true);
	expect_cc(T.itl, cdb, T_UA_ALUA);
	expect_cc(T.itl2, cdb, T_UA_ALUA);
	expect_good(T.itl, cdb); /* once */
	expect_good(T.itl2, cdb);
	/* lu2 is not shown through TPG 2; the other target device has its own groups */
	expect_good(itl_lu2, cdb);
	expect_good(itl_other, cdb);
	/* STATUS CODE: altered by implicit ALUA */
	{
		struct scsi_tpg g[5];
		uint16_t ports[5];

		ck_assert_uint_eq(rtpg(T.itl, true, g, ports), 2);
		ck_assert_uint_eq(g[0].status, SCSI_ALUA_STATUS_NONE);
		ck_assert_uint_eq(g[1].status, SCSI_ALUA_STATUS_BY_IMPLICIT);
		ck_assert_uint_eq(g[1].state, SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	}
	/* the same again: no change, no attention */
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, false, SCSI_ALUA_ACTIVE_NON_OPTIMIZED, false, false,
	      true);
	expect_good(T.itl, cdb);
	expect_good(T.itl2, cdb);
	/* TPG 1's preferred flag alone: every nexus of both LUs it shows */
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, false, false, SCSI_ALUA_ACTIVE_NON_OPTIMIZED, false,
	      false, true);
	ck_assert(!alua_group_pref(g1));
	expect_cc(T.itl, cdb, T_UA_ALUA);
	expect_cc(T.itl2, cdb, T_UA_ALUA);
	expect_cc(itl_lu2, cdb, T_UA_ALUA);
	expect_good(itl_other, cdb);
	/* the configuration does not set states (set = false): the live ones stay, quietly */
	apply(SCSI_ALUA_STANDBY, true, false, SCSI_ALUA_STANDBY, true, false, false);
	ck_assert_uint_eq(alua_group_state(g1), SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert(!alua_group_pref(g1));
	ck_assert_uint_eq(alua_group_state(g2), SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	expect_good(T.itl, cdb);
	expect_good(T.itl2, cdb);
}
END_TEST

/* The attention that says so comes before the refusal (SAM-5 §5.14). */
START_TEST(test_ua_before_refusal)
{
	uint8_t cdb[16];

	tur_cdb(cdb);
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, false, SCSI_ALUA_UNAVAILABLE, false, false, true);
	expect_cc(T.itl2, cdb, T_UA_ALUA);
	expect_cc(T.itl2, cdb, T_ALUA_UNAVAIL);
	expect_cc(T.itl2, cdb, T_ALUA_UNAVAIL);
	/* an attention pending beside a CAPACITY change: ALUA's first */
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, false, SCSI_ALUA_STANDBY, false, false, true);
	scsi_itl_set_ua(T.itl2, SCSI_UA_CAPACITY_CHANGED);
	expect_cc(T.itl2, cdb, T_UA_ALUA);
	expect_cc(T.itl2, cdb, T_UA_CAPACITY);
	expect_cc(T.itl2, cdb, T_ALUA_STANDBY);
}
END_TEST

START_TEST(test_rsoc_lists_stpg_with_explicit)
{
	uint8_t cdb[16] = {SCSI_OP_MAINTENANCE_IN, SCSI_MI_REPORT_SUPPORTED_OPCODES};
	struct t_cmd t;

	for (int x = 0; x < 2; x++) {
		size_t len, off, n = 0;
		bool saw = false;

		apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, x, SCSI_ALUA_STANDBY, false, false, true);
		scsi_itl_take_ua(T.itl);
		cdb[2] = 0;
		put_be32(cdb + 6, 65535);
		t_cmd_init(&t, T.itl, cdb, 16);
		ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
		len = 4 + get_be32(t.buf);
		for (off = 4; off < len; off += 8, n++)
			saw |= t.buf[off] == SCSI_OP_MAINTENANCE_OUT &&
			       get_be16(t.buf + off + 2) == SCSI_MO_SET_TARGET_PORT_GROUPS;
		ck_assert(saw == (bool)x);
		/* PREVENT ALLOW MEDIUM REMOVAL is not listed either: the LU is not removable */
		ck_assert_uint_eq(n, scsi_op_list(NULL, 0) - (x ? 1 : 2));
		t_cmd_fini(&t);
		/* one command: SUPPORT 011b (as the standard says) or 001b (not supported) */
		cdb[2] = 2;
		cdb[3] = SCSI_OP_MAINTENANCE_OUT;
		put_be16(cdb + 4, SCSI_MO_SET_TARGET_PORT_GROUPS);
		t_cmd_init(&t, T.itl, cdb, 16);
		ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
		ck_assert_uint_eq(t.buf[1] & 0x07, x ? 3 : 1);
		t_cmd_fini(&t);
		cdb[3] = 0;
		put_be16(cdb + 4, 0);
	}
}
END_TEST

START_TEST(test_stpg)
{
	const struct scsi_stpg_entry e[] = {
	    {.id = 2, .state = SCSI_ALUA_ACTIVE_OPTIMIZED},
	    {.id = 1, .state = SCSI_ALUA_ACTIVE_NON_OPTIMIZED},
	};
	struct scsi_tpg g[5];
	uint16_t ports[5];
	struct scsi_cmd c;
	uint8_t cdb[16];

	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, true, SCSI_ALUA_STANDBY, false, true, true);
	scsi_itl_take_ua(T.itl);
	scsi_itl_take_ua(T.itl2);
	scsi_itl_take_ua(itl_lu2);
	ck_assert_uint_eq(stpg(T.itl, e, 2, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(alua_group_state(g1), SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert_uint_eq(alua_group_state(g2), SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert(alua_group_pref(g1)); /* STPG does not touch the preferred flag */
	ck_assert_int_eq(changed_calls, 1);
	ck_assert_ptr_eq(changed_nx, &T.nx);
	/* SPC-4 §5.16: every I_T nexus but the one it came through (on every LU of it) */
	tur_cdb(cdb);
	expect_good(T.itl, cdb);
	expect_good(itl_lu2, cdb);
	expect_cc(T.itl2, cdb, T_UA_ALUA);
	expect_good(T.itl2, cdb);
	expect_good(itl_other, cdb);
	ck_assert_uint_eq(rtpg(T.itl2, false, g, ports), 2);
	ck_assert_uint_eq(g[0].status, SCSI_ALUA_STATUS_BY_STPG);
	ck_assert_uint_eq(g[1].status, SCSI_ALUA_STATUS_BY_STPG);
	/* the states they are in already: GOOD, no change, nobody told */
	ck_assert_uint_eq(stpg(T.itl2, e, 2, &c), SCSI_STATUS_GOOD);
	ck_assert_int_eq(changed_calls, 1);
	expect_good(T.itl, cdb);
	/* an empty list, a header alone: nothing to do */
	stpg_cdb(cdb, 0);
	expect_good(T.itl, cdb);
	ck_assert_uint_eq(stpg(T.itl, e, 0, &c), SCSI_STATUS_GOOD);
	ck_assert_int_eq(changed_calls, 1);
}
END_TEST

/* Each way the list can be wrong: refused, pointing at the field, and nothing changes. */
START_TEST(test_stpg_refusals)
{
	struct {
		struct scsi_stpg_entry e[2];
		size_t n;
		uint16_t field; /* the byte the sense data points at */
		int bit;
	} cases[] = {
	    /* transitioning, offline, logical block dependent, reserved: not for the asking */
	    {{{2, SCSI_ALUA_TRANSITIONING}}, 1, 4, 3},
	    {{{2, SCSI_ALUA_OFFLINE}}, 1, 4, 3},
	    {{{2, SCSI_ALUA_LBA_DEPENDENT}}, 1, 4, 3},
	    {{{2, 0x7}}, 1, 4, 3},
	    /* no such group; a group twice; the second of two wrong, the first right */
	    {{{9, SCSI_ALUA_STANDBY}}, 1, 6, -1},
	    {{{2, SCSI_ALUA_STANDBY}, {2, SCSI_ALUA_ACTIVE_OPTIMIZED}}, 2, 10, -1},
	    {{{1, SCSI_ALUA_STANDBY}, {3, SCSI_ALUA_STANDBY}}, 2, 10, -1},
	};
	struct scsi_cmd c;
	uint8_t cdb[16], list[16] = {0};
	struct t_cmd t;

	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, true, SCSI_ALUA_STANDBY, false, true, true);
	/* group 3 exists in the target but is not configured: no group of this LU */
	ck_assert_ptr_nonnull(alua_tgt_group(tgt, 3, true));
	scsi_itl_take_ua(T.itl);
	scsi_itl_take_ua(T.itl2);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ck_assert_uint_eq(stpg(T.itl, cases[i].e, cases[i].n, &c),
				  SCSI_STATUS_CHECK_CONDITION);
		ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
		/* the sense-key-specific field pointer: C/D 0 (parameter list), the byte, the bit
		 */
		ck_assert_uint_eq(c.sense[15] & 0xc0, 0x80);
		ck_assert_uint_eq(get_be16(c.sense + 16), cases[i].field);
		if (cases[i].bit >= 0)
			ck_assert_uint_eq(c.sense[15], 0x80 | 0x08 | cases[i].bit);
		ck_assert_uint_eq(alua_group_state(g1), SCSI_ALUA_ACTIVE_OPTIMIZED);
		ck_assert_uint_eq(alua_group_state(g2), SCSI_ALUA_STANDBY);
	}
	ck_assert_int_eq(changed_calls, 0);
	/* a group that does not take explicit transitions */
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, true, SCSI_ALUA_STANDBY, false, false, true);
	{
		const struct scsi_stpg_entry e = {2, SCSI_ALUA_ACTIVE_OPTIMIZED};

		ck_assert_uint_eq(stpg(T.itl, &e, 1, &c), SCSI_STATUS_CHECK_CONDITION);
		ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
		ck_assert_uint_eq(alua_group_state(g2), SCSI_ALUA_STANDBY);
	}
	/* lengths that cut the header or a descriptor */
	for (uint32_t len = 1; len < 12; len++) {
		if (len == 4 || len == 8)
			continue;
		stpg_cdb(cdb, len);
		expect_cc(T.itl, cdb, T_PARAM_LEN);
	}
	/* longer than any list taken */
	stpg_cdb(cdb, 4 + 4 * 1025);
	expect_cc(T.itl, cdb, T_INVALID_FIELD_CDB);
	/* the initiator sends less than the CDB says (EDTL): nothing changes */
	list[4] = SCSI_ALUA_ACTIVE_OPTIMIZED;
	list[7] = 1;
	list[8] = SCSI_ALUA_STANDBY;
	list[11] = 1;
	stpg_cdb(cdb, 12);
	t_cmd_init(&t, T.itl, cdb, 16);
	ck_assert_uint_eq(t_run_edtl(&t, 8, list, sizeof(list)), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&t.cmd), T_PARAM_LEN);
	t_cmd_fini(&t);
	ck_assert_uint_eq(alua_group_state(g1), SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_int_eq(changed_calls, 0);
}
END_TEST

START_TEST(test_transitioning_refuses_stpg)
{
	const struct scsi_stpg_entry e = {2, SCSI_ALUA_ACTIVE_OPTIMIZED};
	struct scsi_cmd c;

	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, true, SCSI_ALUA_TRANSITIONING, false, true, true);
	scsi_itl_take_ua(T.itl2);
	ck_assert_uint_eq(stpg(T.itl2, &e, 1, &c), SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t_sense(&c), T_ALUA_TRANS);
	/* through the other port it goes */
	scsi_itl_take_ua(T.itl);
	ck_assert_uint_eq(stpg(T.itl, &e, 1, &c), SCSI_STATUS_GOOD);
	ck_assert_uint_eq(alua_group_state(g2), SCSI_ALUA_ACTIVE_OPTIMIZED);
}
END_TEST

/*
 * Groups live as long as their target device; memberships do not hold
 * their LUs (an LU's references count the sessions that use it).
 */
START_TEST(test_groups_and_references)
{
	unsigned int refs = scsi_lu_refs(lu2);
	struct alua_group_conf c = {.group = g2, .state = SCSI_ALUA_STANDBY, .set = true};
	struct scsi_tpg g[5];
	uint16_t ports[5];

	ck_assert_uint_eq(refs, 1);
	ck_assert_ptr_eq(alua_tgt_group(tgt, 1, false), g1);
	ck_assert_ptr_eq(alua_tgt_group(tgt, 2, true), g2);
	ck_assert_ptr_null(alua_tgt_group(tgt, 7, false));
	ck_assert_uint_eq(alua_group_id(g2), 2);
	/* lu2 leaves group 1 (which goes away): RTPG of lu2 has its nexus's own group only */
	c.lus = lus_of(T.lu, NULL, &c.nlus);
	alua_tgt_apply(tgt, &c, 1);
	ck_assert_ptr_null(c.lus);
	ck_assert_ptr_eq(alua_tgt_group(tgt, 1, false), g1); /* still there, not configured */
	ck_assert_uint_eq(rtpg(itl_lu2, false, g, ports), 1);
	ck_assert_uint_eq(g[0].id, 1);
	ck_assert_uint_eq(rtpg(T.itl, false, g, ports), 2); /* its own, and 2 */
	/* a group of another target device in the list is not taken: nothing shows anything */
	c.group = nx_other.alua_group;
	c.lus = lus_of(lu2, NULL, &c.nlus);
	alua_tgt_apply(tgt, &c, 1);
	ck_assert_ptr_null(c.lus);
	ck_assert_uint_eq(rtpg(T.itl, false, g, ports), 1);
	/* a target device going away: nothing either, and no attention for it */
	alua_tgt_apply(other_tgt, NULL, 0);
	ck_assert_uint_eq(rtpg(itl_other, false, g, ports), 1);
	ck_assert_uint_eq(scsi_lu_refs(lu2), refs);
	/* groups made in order of their numbers, whatever order they are asked for */
	ck_assert_ptr_nonnull(alua_tgt_group(tgt, 9, true));
	ck_assert_ptr_nonnull(alua_tgt_group(tgt, 5, true));
	ck_assert_ptr_nonnull(alua_tgt_group(tgt, 0xffff, true));
	ck_assert_uint_eq(alua_group_id(alua_tgt_group(tgt, 5, false)), 5);
	ck_assert_uint_eq(alua_group_state(alua_tgt_group(tgt, 9, false)),
			  SCSI_ALUA_ACTIVE_OPTIMIZED);
}
END_TEST

/*
 * What a host joins up (Linux's scsi_dh_alua, portico-pathd): the relative
 * target port and target port group designators of VPD page 83h through a
 * port, and the group of that number in REPORT TARGET PORT GROUPS, whose
 * one port is that relative target port.
 */
/* ---- an LU whose store decides its state on this gateway (rbd in a gateway group) ---- */

static uint8_t store_state;
static bool store_decides;

static bool fake_store_alua(const struct bs_dev *dev, uint8_t *state)
{
	(void)dev;
	*state = store_state;
	return store_decides;
}

static int store_requests;
static uint8_t store_requested;

static int fake_store_request(struct bs_dev *dev, uint8_t state)
{
	(void)dev;
	store_requests++;
	store_requested = state;
	return 0;
}

START_TEST(test_store_decides)
{
	struct bs_ops ops = *T.mb->dev.ops;
	const struct bs_ops *saved = T.mb->dev.ops;
	struct scsi_tpg g[5];
	uint16_t ports[5];
	uint8_t cdb[16];

	ops.alua = fake_store_alua;
	T.mb->dev.ops = &ops;
	/* this gateway fenced: through TPG 1 (configured active/optimized) nothing reaches the medium */
	store_decides = true;
	store_state = SCSI_ALUA_UNAVAILABLE;
	check_state_commands(T.itl, A_UN, T_ALUA_UNAVAIL);
	ck_assert_uint_eq(rtpg(T.itl, true, g, ports), 2);
	ck_assert_uint_eq(g[0].id, 1);
	ck_assert_uint_eq(g[0].state, SCSI_ALUA_UNAVAILABLE);
	ck_assert_uint_eq(g[0].status, SCSI_ALUA_STATUS_BY_IMPLICIT);
	ck_assert_uint_eq(g[1].state, SCSI_ALUA_STANDBY); /* another port's: as configured */
	/* the owner here: through TPG 2 (configured standby) everything goes */
	store_state = SCSI_ALUA_ACTIVE_OPTIMIZED;
	tur_cdb(cdb);
	expect_good(T.itl2, cdb);
	ck_assert_uint_eq(rtpg(T.itl2, true, g, ports), 2);
	ck_assert_uint_eq(g[1].id, 2);
	ck_assert_uint_eq(g[1].state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	/* lu2's store decides nothing: its TPG's state */
	ck_assert_uint_eq(rtpg(itl_lu2, true, g, ports), 1);
	ck_assert_uint_eq(g[0].state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_uint_eq(g[0].status, SCSI_ALUA_STATUS_NONE);
	/*
	 * SET TARGET PORT GROUPS through a port whose LU's store decides: the
	 * store is asked (a hand-over); the group's own state does not change
	 */
	apply(SCSI_ALUA_ACTIVE_OPTIMIZED, true, false, SCSI_ALUA_STANDBY, false, true, true);
	scsi_itl_take_ua(T.itl2);
	ops.alua_request = fake_store_request;
	store_state = SCSI_ALUA_ACTIVE_NON_OPTIMIZED;
	{
		struct scsi_stpg_entry e = {.id = 2, .state = SCSI_ALUA_ACTIVE_OPTIMIZED};
		struct scsi_cmd c;

		store_requests = 0;
		ck_assert_uint_eq(stpg(T.itl2, &e, 1, &c), SCSI_STATUS_GOOD);
		ck_assert_int_eq(store_requests, 1);
		ck_assert_uint_eq(store_requested, SCSI_ALUA_ACTIVE_OPTIMIZED);
		ck_assert_uint_eq(alua_group_state(g2), SCSI_ALUA_STANDBY);
		/* a state the store does not take there: refused, nothing asked */
		e.state = SCSI_ALUA_STANDBY;
		ck_assert_uint_eq(stpg(T.itl2, &e, 1, &c), SCSI_STATUS_CHECK_CONDITION);
		ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
		ck_assert_int_eq(store_requests, 1);
		/* the state it is in already: nothing to ask */
		e.state = SCSI_ALUA_ACTIVE_NON_OPTIMIZED;
		ck_assert_uint_eq(stpg(T.itl2, &e, 1, &c), SCSI_STATUS_GOOD);
		ck_assert_int_eq(store_requests, 1);
	}
	/* a store that has no say (not in a group): the configured states again */
	store_decides = false;
	store_state = SCSI_ALUA_UNAVAILABLE;
	expect_good(T.itl, cdb);
	T.mb->dev.ops = saved;
}
END_TEST

/* A gateway group's list of the LU's port groups (bs_ops.alua_groups): three gateways. */
static size_t store_ngroups;

static size_t fake_store_groups(struct bs_dev *dev, struct bs_alua_tpg *out, size_t max)
{
	static const struct bs_alua_tpg list[] = {
		{ 1, SCSI_ALUA_ACTIVE_NON_OPTIMIZED },
		{ 7, SCSI_ALUA_ACTIVE_OPTIMIZED },
		{ 9, SCSI_ALUA_UNAVAILABLE },
	};
	size_t n = store_ngroups < max ? store_ngroups : max;

	(void)dev;
	memcpy(out, list, n * sizeof(*out));
	return n;
}

/*
 * REPORT TARGET PORT GROUPS of an LU whose store lists the group's ports:
 * the same list through every port, whatever the local TPGs; the own port
 * with the state its commands are served by, added when the list lacks it.
 */
START_TEST(test_store_groups)
{
	struct bs_ops ops = *T.mb->dev.ops;
	const struct bs_ops *saved = T.mb->dev.ops;
	struct scsi_tpg g[5], h[5];
	uint16_t ports[5], ports2[5];

	ops.alua = fake_store_alua;
	ops.alua_groups = fake_store_groups;
	T.mb->dev.ops = &ops;
	store_decides = true;
	store_state = SCSI_ALUA_ACTIVE_NON_OPTIMIZED;
	store_ngroups = 3;
	/* through port 1 (in the list): exactly the list */
	ck_assert_uint_eq(rtpg(T.itl, true, g, ports), 3);
	ck_assert_uint_eq(g[0].id, 1);
	ck_assert_uint_eq(g[0].state, SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert_uint_eq(g[1].id, 7);
	ck_assert_uint_eq(g[1].state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_uint_eq(g[2].id, 9);
	ck_assert_uint_eq(g[2].state, SCSI_ALUA_UNAVAILABLE);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(g[i].status, SCSI_ALUA_STATUS_BY_IMPLICIT);
		ck_assert_uint_eq(ports[i], g[i].id);
		ck_assert(!g[i].pref);
	}
	/* through port 2 (the list does not have it yet): the list and port 2, in order */
	ck_assert_uint_eq(rtpg(T.itl2, true, h, ports2), 4);
	ck_assert_uint_eq(h[0].id, 1);
	ck_assert_uint_eq(h[1].id, 2);
	ck_assert_uint_eq(h[1].state, SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert_uint_eq(h[2].id, 7);
	ck_assert_uint_eq(h[3].id, 9);
	/* the own port's state is what its commands get, whatever the list says */
	store_state = SCSI_ALUA_TRANSITIONING;
	ck_assert_uint_eq(rtpg(T.itl, true, g, ports), 3);
	ck_assert_uint_eq(g[0].state, SCSI_ALUA_TRANSITIONING);
	/* an empty list (the store not registered yet): the local view */
	store_ngroups = 0;
	store_state = SCSI_ALUA_ACTIVE_NON_OPTIMIZED;
	ck_assert_uint_eq(rtpg(T.itl, true, g, ports), 2);
	store_decides = false;
	T.mb->dev.ops = saved;
}
END_TEST

START_TEST(test_vpd83_names_the_rtpg_group)
{
	struct scsi_itl *itls[] = { T.itl, T.itl2 };

	for (size_t k = 0; k < ARRAY_SIZE(itls); k++) {
		uint8_t cdb[16] = { SCSI_OP_INQUIRY, 0x01, 0x83, 0x04, 0x00 };
		struct scsi_vpd83_iter it;
		struct scsi_desig d;
		struct scsi_tpg g[5];
		uint16_t ports[5], rel = 0, group = 0;
		struct t_cmd t;
		size_t n;

		t_cmd_init(&t, itls[k], cdb, 16);
		ck_assert_uint_eq(t_run(&t, NULL, 0), SCSI_STATUS_GOOD);
		ck_assert_int_eq(scsi_vpd83_iter_init(&it, t.buf, t.cmd.data_len), 0);
		while (scsi_vpd83_iter_next(&it, &d) == 1) {
			if (d.assoc != SCSI_DESIG_ASSOC_PORT || d.len != 4)
				continue;
			ck_assert_int_eq(scsi_desig_check(&d, NULL), 0);
			if (d.type == SCSI_DESIG_TYPE_REL_PORT)
				rel = get_be16(d.id + 2);
			if (d.type == SCSI_DESIG_TYPE_TPG)
				group = get_be16(d.id + 2);
		}
		t_cmd_fini(&t);
		ck_assert_uint_eq(rel, k + 1);
		ck_assert_uint_eq(group, k + 1);
		n = rtpg(itls[k], true, g, ports);
		ck_assert_uint_eq(n, 2);
		ck_assert_uint_eq(g[k].id, group);
		ck_assert_uint_eq(ports[k], rel);
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("alua");
	TCase *tc = tcase_create("alua");

	tcase_add_checked_fixture(tc, a_setup, a_teardown);
	tcase_add_test(tc, test_tpgs);
	tcase_add_test(tc, test_rtpg_two_groups);
	tcase_add_test(tc, test_rtpg_groups_of_the_lu);
	tcase_add_test(tc, test_store_groups);
	tcase_add_test(tc, test_rtpg_allocation_length);
	tcase_add_test(tc, test_standby);
	tcase_add_test(tc, test_unavailable);
	tcase_add_test(tc, test_transitioning);
	tcase_add_test(tc, test_active_non_optimized);
	tcase_add_test(tc, test_stpg_through_standby_and_unavailable);
	tcase_add_test(tc, test_apply_raises_ua);
	tcase_add_test(tc, test_ua_before_refusal);
	tcase_add_test(tc, test_rsoc_lists_stpg_with_explicit);
	tcase_add_test(tc, test_stpg);
	tcase_add_test(tc, test_stpg_refusals);
	tcase_add_test(tc, test_transitioning_refuses_stpg);
	tcase_add_test(tc, test_groups_and_references);
	tcase_add_test(tc, test_vpd83_names_the_rtpg_group);
	tcase_add_test(tc, test_store_decides);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reservations (target/scsi/pr.c) through the engine, with the in-memory
 * store and three nexuses of the same LU: T.itl (host1), T.itl2 (host2) and
 * itl3 (host3, attached here). Every PERSISTENT RESERVE IN / OUT service
 * action, the conflict table of each type for a holder, a registered nexus
 * and an unregistered one, PRgeneration, the unit attentions, the SPC-2
 * RESERVE(6)/RELEASE(6) interplay, malformed parameter lists, SPEC_I_PT,
 * ALL_TG_PT, REGISTER AND MOVE, and PREEMPT AND ABORT's aborts through a
 * fake transport. The APTPL save path and the blob are in pr_blob_test.c.
 */
#include <pthread.h>
#include <stdio.h>

#include "common/crc32c.h"
#include "target/scsi/pr.h"
#include "tests/unit/target/scsi/pr_test_util.h"

START_TEST(test_register)
{
	struct scsi_cmd c;
	uint8_t d[4096];
	uint32_t g0 = generation(), len;

	ck_assert_uint_eq(nkeys(), 0);
	/* REGISTER from an unregistered nexus naming a key: conflict, nothing changes */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_REGISTER, 0, K2, K1), ST_RC);
	/* REGISTER of key 0 by an unregistered nexus: GOOD, nothing changes */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_REGISTER, 0, 0, 0), ST_GOOD);
	ck_assert_uint_eq(generation(), g0);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), ST_GOOD);
	ck_assert_uint_eq(generation(), g0 + 1);
	ck_assert_uint_eq(prin(T.itl2, SCSI_PRIN_READ_KEYS, 4096, d, &len), ST_GOOD);
	ck_assert_uint_eq(len, 16);
	ck_assert_uint_eq(get_be32(d + 4), 8);
	ck_assert_uint_eq(get_be64(d + 8), K1);
	/* registered: a REGISTER must name the registered key */
	ck_assert_uint_eq(prout_full(T.itl, SCSI_PROUT_REGISTER, 0, K2, K3, 0, 0, &c), ST_RC);
	ck_assert_uint_eq(c.sense_len, 0);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_REGISTER, 0, 0, K3), ST_RC);
	ck_assert_uint_eq(generation(), g0 + 1);
	/* a new key */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_REGISTER, 0, K1, K3), ST_GOOD);
	ck_assert_uint_eq(generation(), g0 + 2);
	ck_assert_uint_eq(prin(T.itl, SCSI_PRIN_READ_KEYS, 4096, d, NULL), ST_GOOD);
	ck_assert_uint_eq(get_be64(d + 8), K3);
	/* REGISTER AND IGNORE EXISTING KEY: any key will do */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_REGISTER_AND_IGNORE, 0, K2, K1), ST_GOOD);
	ck_assert_uint_eq(generation(), g0 + 3);
	/* the same key on two nexuses is two registrations */
	ck_assert_uint_eq(reg(T.itl2, K1), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 2);
	/* unregister */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_REGISTER, 0, K1, 0), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_REGISTER_AND_IGNORE, 0, 0, 0), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 0);
	ck_assert_uint_eq(generation(), g0 + 6);
	no_ua();
}
END_TEST

START_TEST(test_read_keys_truncated)
{
	uint8_t d[4096];
	uint32_t len;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	/* SPC-4 §6.15.2: the ADDITIONAL LENGTH tells the whole list, whatever the allocation */
	ck_assert_uint_eq(prin(T.itl, SCSI_PRIN_READ_KEYS, 8, d, &len), ST_GOOD);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(get_be32(d + 4), 16);
	ck_assert_uint_eq(prin(T.itl, SCSI_PRIN_READ_KEYS, 12, d, &len), ST_GOOD);
	ck_assert_uint_eq(len, 12);
	/* allocation length 0: nothing moves */
	ck_assert_uint_eq(prin(T.itl, SCSI_PRIN_READ_KEYS, 0, d, &len), ST_GOOD);
	ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(test_reserve_release)
{
	struct scsi_cmd c;
	uint64_t key = 0;
	uint32_t g;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	g = generation();
	/* unregistered, or the wrong key: conflict */
	ck_assert_uint_eq(prout(itl3, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, 0, 0), ST_RC);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, K2, 0), ST_RC);
	ck_assert_uint_eq(resv(NULL), 0);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, K1, 0), ST_GOOD);
	ck_assert_uint_eq(resv(&key), SCSI_PR_TYPE_WE);
	ck_assert_uint_eq(key, K1);
	/* SPC-4 §6.15.2: RESERVE and RELEASE leave PRgeneration alone */
	ck_assert_uint_eq(generation(), g);
	/* the holder may repeat it, not change its type; nobody else may reserve */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, K1, 0), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA, K1, 0), ST_RC);
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, K2, 0), ST_RC);
	ck_assert_uint_eq(resv(NULL), SCSI_PR_TYPE_WE);
	/* a registrant that does not hold it: RELEASE is GOOD and releases nothing */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE, K2, 0), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), SCSI_PR_TYPE_WE);
	/* ... an unregistered nexus, or a wrong key: conflict */
	ck_assert_uint_eq(prout(itl3, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE, 0, 0), ST_RC);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE, K2, 0), ST_RC);
	/* the holder naming another type: INVALID RELEASE OF PERSISTENT RESERVATION */
	ck_assert_uint_eq(prout_full(T.itl, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_EA, K1, 0, 0, 0, &c),
			  ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_RELEASE);
	ck_assert_uint_eq(resv(NULL), SCSI_PR_TYPE_WE);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE, K1, 0), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), 0);
	/* Write Exclusive released: no unit attention */
	no_ua();
	/* releasing nothing is GOOD */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE, K1, 0), ST_GOOD);
	ck_assert_uint_eq(generation(), g);
}
END_TEST

/* Expected access for one type: holder, registered non-holder, unregistered; read and write. */
static const struct {
	uint8_t type;
	bool reg_read, reg_write, unreg_read, unreg_write;
} access_table[] = {
    {SCSI_PR_TYPE_WE, true, false, true, false},   {SCSI_PR_TYPE_EA, false, false, false, false},
    {SCSI_PR_TYPE_WE_RO, true, true, true, false}, {SCSI_PR_TYPE_EA_RO, true, true, false, false},
    {SCSI_PR_TYPE_WE_AR, true, true, true, false}, {SCSI_PR_TYPE_EA_AR, true, true, false, false},
};

static uint8_t expect(bool ok)
{
	return ok ? ST_GOOD : ST_RC;
}

START_TEST(test_conflict_table)
{
	uint8_t tur[16] = {SCSI_OP_TEST_UNIT_READY};
	uint8_t inq[16] = {SCSI_OP_INQUIRY, 0, 0, 0, 96};
	uint8_t ms[16] = {SCSI_OP_MODE_SENSE_6, 0x08, 0x3f, 0, 255};
	uint8_t rc10[16] = {SCSI_OP_READ_CAPACITY_10};
	uint8_t sync[16] = {SCSI_OP_SYNCHRONIZE_CACHE_10};
	uint8_t start[16] = {SCSI_OP_START_STOP_UNIT, 0, 0, 0, 0x01};
	uint8_t stop[16] = {SCSI_OP_START_STOP_UNIT, 0, 0, 0, 0x04};
	uint8_t ms_sel[16] = {SCSI_OP_MODE_SELECT_6, 0x10, 0, 0, 0};
	uint8_t rl[16] = {SCSI_OP_REPORT_LUNS};
	size_t i;

	put_be32(rl + 6, 64);
	for (i = 0; i < ARRAY_SIZE(access_table); i++) {
		uint8_t type = access_table[i].type;
		bool ea = access_table[i].unreg_read == false;

		ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
		ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
		ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, type, K1, 0), ST_GOOD);
		/* the holder (every registrant, for all registrants types) */
		ck_assert_uint_eq(do_read(T.itl), ST_GOOD);
		ck_assert_uint_eq(do_write(T.itl), ST_GOOD);
		ck_assert_uint_eq(do_simple(T.itl, sync, 0), ST_GOOD);
		/* a registered nexus that does not hold it */
		ck_assert_uint_eq(do_read(T.itl2), expect(access_table[i].reg_read));
		ck_assert_uint_eq(do_write(T.itl2), expect(access_table[i].reg_write));
		ck_assert_uint_eq(do_simple(T.itl2, sync, 0), expect(access_table[i].reg_write));
		ck_assert_uint_eq(do_simple(T.itl2, ms, 255), expect(access_table[i].reg_read));
		/* an unregistered nexus */
		ck_assert_uint_eq(do_read(itl3), expect(access_table[i].unreg_read));
		ck_assert_uint_eq(do_write(itl3), expect(access_table[i].unreg_write));
		ck_assert_uint_eq(do_simple(itl3, ms, 255), expect(!ea));
		ck_assert_uint_eq(do_simple(itl3, ms_sel, 0), ST_RC);
		ck_assert_uint_eq(do_simple(itl3, stop, 0), ST_RC);
		ck_assert_uint_eq(do_simple(itl3, sync, 0), ST_RC);
		/* table 65: always allowed */
		ck_assert_uint_eq(do_simple(itl3, tur, 0), ST_GOOD);
		ck_assert_uint_eq(do_simple(itl3, inq, 96), ST_GOOD);
		ck_assert_uint_eq(do_simple(itl3, rc10, 8), ST_GOOD);
		ck_assert_uint_eq(do_simple(itl3, rl, 64), ST_GOOD);
		ck_assert_uint_eq(do_simple(itl3, start, 0), ST_GOOD);
		ck_assert_uint_eq(prin(itl3, SCSI_PRIN_READ_RESERVATION, 64, NULL, NULL), ST_GOOD);

		/* clean up: CLEAR, and the UAs it leaves */
		ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_CLEAR, 0, K1, 0), ST_GOOD);
		ck_assert_uint_eq(take_ua(T.itl2), T_UA_RESV_PREEMPTED);
		no_ua();
		ck_assert_uint_eq(do_write(itl3), ST_GOOD);
	}
}
END_TEST

/* Nothing is refused while registrations exist without a reservation: the fast path stays 0. */
START_TEST(test_registrations_alone_refuse_nothing)
{
	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(atomic_load(&T.itl->pr_deny), 0);
	ck_assert_uint_eq(atomic_load(&T.itl2->pr_deny), 0);
	ck_assert_uint_eq(atomic_load(&itl3->pr_deny), 0);
	ck_assert_uint_eq(do_write(itl3), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA, K1, 0), ST_GOOD);
	ck_assert_uint_eq(atomic_load(&T.itl->pr_deny), 0);
	ck_assert_uint_eq(atomic_load(&itl3->pr_deny), SCSI_PR_DENY_READ | SCSI_PR_DENY_WRITE);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_EA, K1, 0), ST_GOOD);
	ck_assert_uint_eq(atomic_load(&itl3->pr_deny), 0);
}
END_TEST

START_TEST(test_unregister_holder)
{
	uint64_t key;

	/* Write Exclusive: the holder's going releases it, no attention */
	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, K1, 0), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl, 0), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), 0);
	no_ua();
	/* registrants only: released, RESERVATIONS RELEASED for the other registrants */
	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA_RO, K1, 0), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl, 0), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), 0);
	ck_assert_uint_eq(take_ua(T.itl2), T_UA_RESV_RELEASED);
	no_ua();
	/* all registrants: stays while a registrant is left, shows key 0 */
	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_AR, K1, 0), ST_GOOD);
	ck_assert_uint_eq(resv(&key), SCSI_PR_TYPE_WE_AR);
	ck_assert_uint_eq(key, 0);
	ck_assert_uint_eq(reg(T.itl, 0), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), SCSI_PR_TYPE_WE_AR);
	/* T.itl is not registered any more: it may not write */
	ck_assert_uint_eq(do_write(T.itl), ST_RC);
	ck_assert_uint_eq(do_write(T.itl2), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, 0), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), 0);
	ck_assert_uint_eq(do_write(T.itl), ST_GOOD);
	no_ua();
}
END_TEST

START_TEST(test_release_all_registrants_ua)
{
	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA_AR, K1, 0), ST_GOOD);
	/* any registrant holds it, so any may release it; the others hear of it */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_EA_AR, K2, 0), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), 0);
	ck_assert_uint_eq(take_ua(T.itl), T_UA_RESV_RELEASED);
	/* the unregistered nexus is not told */
	no_ua();
	/* SPC-4 §5.13.11.2.2: the UA waits in front of the next command */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	ck_assert_uint_eq(do_read(T.itl2), ST_CC);
	ck_assert_uint_eq(do_read(T.itl2), ST_GOOD);
}
END_TEST

START_TEST(test_clear)
{
	uint32_t g;
	struct scsi_cmd c;
	uint8_t tur[16] = {SCSI_OP_TEST_UNIT_READY};
	struct t_cmd t;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA, K2, 0), ST_GOOD);
	g = generation();
	/* unregistered, wrong key: conflict */
	ck_assert_uint_eq(prout(itl3, SCSI_PROUT_CLEAR, 0, 0, 0), ST_RC);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_CLEAR, 0, K2, 0), ST_RC);
	ck_assert_uint_eq(prout_full(T.itl, SCSI_PROUT_CLEAR, 0, K1, 0, 0, 0, &c), ST_GOOD);
	ck_assert_uint_eq(generation(), g + 1);
	ck_assert_uint_eq(nkeys(), 0);
	ck_assert_uint_eq(resv(NULL), 0);
	/* RESERVATIONS PREEMPTED for the others that were registered, as a CHECK CONDITION */
	pr_cmd_init(&t, T.itl2, tur);
	ck_assert_uint_eq(run_cmd(&t, NULL, 0, 0, 0), ST_CC);
	ck_assert_uint_eq(t_sense(&t.cmd), T_UA_RESV_PREEMPTED);
	t_cmd_fini(&t);
	no_ua();
}
END_TEST

START_TEST(test_preempt_removes_registrations)
{
	struct scsi_cmd c;
	uint32_t g;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(reg(itl3, K2), ST_GOOD);
	g = generation();
	/* the wrong key, a key nobody has: conflict */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_EA, K2, K2), ST_RC);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_EA, K1, K3), ST_RC);
	/* without a reservation, key 0 names nobody: an invalid field at byte 8 */
	ck_assert_uint_eq(prout_full(T.itl, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_EA, K1, 0, 0, 0, &c),
			  ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(generation(), g);
	/* every registration with K2 goes; TYPE is ignored when nothing is reserved */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_PREEMPT, 0x0f, K1, K2), ST_GOOD);
	ck_assert_uint_eq(generation(), g + 1);
	ck_assert_uint_eq(nkeys(), 1);
	ck_assert_uint_eq(resv(NULL), 0);
	ck_assert_uint_eq(take_ua(T.itl2), T_UA_REGS_PREEMPTED);
	ck_assert_uint_eq(take_ua(itl3), T_UA_REGS_PREEMPTED);
	no_ua();
	/* the preempting nexus keeps its own registration even when it has the key */
	ck_assert_uint_eq(reg(T.itl2, K1), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_EA, K1, K1), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 1);
	ck_assert_uint_eq(take_ua(T.itl2), T_UA_REGS_PREEMPTED);
	no_ua();
}
END_TEST

START_TEST(test_preempt_reservation)
{
	struct scsi_cmd c;
	uint64_t key;
	uint32_t g;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(reg(itl3, K3), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	g = generation();
	/* key 0 against a reservation that is not all registrants: an invalid field */
	ck_assert_uint_eq(prout_full(T.itl2, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_EA, K2, 0, 0, 0, &c),
			  ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	/* preempting the holder needs a valid type */
	ck_assert_uint_eq(prout_full(T.itl2, SCSI_PROUT_PREEMPT, 0x02, K2, K1, 0, 0, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(prout_full(T.itl2, SCSI_PROUT_PREEMPT, 0x13, K2, K1, 0, 0, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(generation(), g);
	/* T.itl2 takes it over as Exclusive Access */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_EA, K2, K1), ST_GOOD);
	ck_assert_uint_eq(generation(), g + 1);
	ck_assert_uint_eq(resv(&key), SCSI_PR_TYPE_EA);
	ck_assert_uint_eq(key, K2);
	ck_assert_uint_eq(nkeys(), 2);
	/* the preempted one lost its registration; the type changed, so itl3 hears RELEASED */
	ck_assert_uint_eq(take_ua(T.itl), T_UA_REGS_PREEMPTED);
	ck_assert_uint_eq(take_ua(itl3), T_UA_RESV_RELEASED);
	no_ua();
	ck_assert_uint_eq(do_write(T.itl), ST_RC);
	ck_assert_uint_eq(do_read(itl3), ST_RC);
	ck_assert_uint_eq(do_write(T.itl2), ST_GOOD);
	/* the holder may preempt itself into another type; the same type tells nobody */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_EA, K2, K2), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 2);
	no_ua();
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_WE, K2, K2), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), SCSI_PR_TYPE_WE);
	ck_assert_uint_eq(take_ua(itl3), T_UA_RESV_RELEASED);
	no_ua();
	/* a key other than the holder's only removes registrations; the reservation stays */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_EA, K2, K3), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), SCSI_PR_TYPE_WE);
	ck_assert_uint_eq(nkeys(), 1);
	ck_assert_uint_eq(take_ua(itl3), T_UA_REGS_PREEMPTED);
	no_ua();
}
END_TEST

START_TEST(test_preempt_all_registrants)
{
	uint64_t key = 1;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(reg(itl3, K3), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA_AR, K1, 0), ST_GOOD);
	/* a registrant's key only removes that registration */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_EA, K2, K3), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), SCSI_PR_TYPE_EA_AR);
	ck_assert_uint_eq(take_ua(itl3), T_UA_REGS_PREEMPTED);
	no_ua();
	ck_assert_uint_eq(reg(itl3, K3), ST_GOOD);
	/* key 0: every other registration goes, and a new reservation of the new type */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_WE, K2, 0), ST_GOOD);
	ck_assert_uint_eq(resv(&key), SCSI_PR_TYPE_WE);
	ck_assert_uint_eq(key, K2);
	ck_assert_uint_eq(nkeys(), 1);
	ck_assert_uint_eq(take_ua(T.itl), T_UA_REGS_PREEMPTED);
	ck_assert_uint_eq(take_ua(itl3), T_UA_REGS_PREEMPTED);
	no_ua();
}
END_TEST

START_TEST(test_preempt_and_abort)
{
	uint8_t tur[16] = {SCSI_OP_TEST_UNIT_READY};
	struct t_cmd t;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, K1, 0), ST_GOOD);
	ck_assert_uint_eq(do_write(T.itl), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_PREEMPT_AND_ABORT, SCSI_PR_TYPE_EA, K2, K1),
			  ST_GOOD);
	/* the preempted nexus: first the attention, then the conflicts of its new standing */
	pr_cmd_init(&t, T.itl, tur);
	ck_assert_uint_eq(run_cmd(&t, NULL, 0, 0, 0), ST_CC);
	ck_assert_uint_eq(t_sense(&t.cmd), T_UA_REGS_PREEMPTED);
	t_cmd_fini(&t);
	ck_assert_uint_eq(do_write(T.itl), ST_RC);
	ck_assert_uint_eq(do_read(T.itl), ST_RC);
	ck_assert_uint_eq(do_write(T.itl2), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_REGISTER, 0, K1, 0), ST_RC);
	no_ua();
}
END_TEST

/* A transport behind the nexuses: records each abort it is asked for and holds it. */
static struct {
	struct scsi_abort *ab[8];
	struct scsi_nexus *nx[8];
	struct scsi_lu *lu[8];
	int n;
} A;

static void fake_abort_lu(struct scsi_nexus *nx, struct scsi_lu *lu, struct scsi_abort *ab)
{
	ck_assert_int_lt(A.n, 8);
	A.ab[A.n] = ab;
	A.nx[A.n] = nx;
	A.lu[A.n] = lu;
	A.n++;
	scsi_abort_hold(ab);
}

/* Starts a PERSISTENT RESERVE OUT and leaves it running; SCSI_EXEC_ASYNC or DONE. */
static enum scsi_exec_result prout_start(struct t_cmd *t, struct scsi_itl *itl, uint8_t sa,
					 uint8_t type, uint64_t key, uint64_t sa_key, uint8_t flags)
{
	uint8_t cdb[16] = {SCSI_OP_PERSISTENT_RESERVE_OUT, sa, type};
	enum scsi_exec_result res;

	put_be32(cdb + 5, 24);
	pr_cmd_init(t, itl, cdb);
	t->cmd.nexus = nexus_of(itl);
	t->cmd.edtl = 24;
	ck_assert_int_eq(scsi_cmd_parse(&t->cmd), SENSE_OK);
	t->cmd.buf = t->buf;
	t->cmd.buf_len = 24;
	memset(t->buf, 0, 24);
	put_be64(t->buf, key);
	put_be64(t->buf + 8, sa_key);
	t->buf[20] = flags;
	t->in_exec = true;
	res = scsi_cmd_exec(&t->cmd);
	t->in_exec = false;
	return res;
}

START_TEST(test_preempt_and_abort_aborts)
{
	struct t_cmd t;
	int i;

	memset(&A, 0, sizeof(A));
	T.nx.abort_lu = fake_abort_lu;
	T.nx2.abort_lu = fake_abort_lu;
	nx3.abort_lu = fake_abort_lu;
	nx_obs.abort_lu = fake_abort_lu;
	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(reg(itl3, K1), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	/* PREEMPT alone aborts nothing */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_WE_RO, K2, K3), ST_RC);
	ck_assert_int_eq(A.n, 0);

	/*
	 * SPC-4 §5.13.11.4.5: the nexuses of the preempted key (host1 and
	 * host3) lose their tasks, not the sender nor a nexus without that key.
	 */
	ck_assert_int_eq(
	    prout_start(&t, T.itl2, SCSI_PROUT_PREEMPT_AND_ABORT, SCSI_PR_TYPE_WE_RO, K2, K1, 0),
	    SCSI_EXEC_ASYNC);
	ck_assert_int_eq(A.n, 2);
	for (i = 0; i < 2; i++) {
		ck_assert(A.nx[i] == &T.nx || A.nx[i] == &nx3);
		ck_assert_ptr_eq(A.lu[i], T.lu);
		ck_assert_ptr_eq(A.ab[i], A.ab[0]);
	}
	ck_assert_ptr_ne(A.nx[0], A.nx[1]);
	/* SAM-5 §5.6, TAS 0: the nexuses that lose tasks are told so */
	ck_assert_uint_eq(A.ab[0]->ua, SCSI_UA_COMMANDS_CLEARED_BY_ANOTHER);
	/* the new state holds at once: the preempted are out, the sender holds */
	ck_assert_uint_eq(nkeys(), 1);
	ck_assert_uint_eq(do_write(T.itl), ST_CC); /* REGISTRATIONS PREEMPTED first */
	ck_assert_uint_eq(do_write(T.itl), ST_RC);
	ck_assert_uint_eq(do_write(T.itl2), ST_GOOD);
	/* ... but the command completes only once every aborted task has left the engine */
	scsi_abort_release(A.ab[0]);
	ck_assert_int_eq(t.ndone, 0);
	scsi_abort_release(A.ab[1]);
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_int_eq(t.done_inside_exec, 0);
	ck_assert_uint_eq(t.cmd.status, ST_GOOD);
	t_cmd_fini(&t);

	/* with APTPL the store must have it too, whichever ends last */
	memset(&A, 0, sizeof(A));
	pr_lu_set_save(T.lu, &fake_ops, &F);
	ck_assert_uint_eq(prout_full(T.itl, SCSI_PROUT_REGISTER_AND_IGNORE, 0, 0, K1,
				     SCSI_PROUT_F_APTPL, 0, NULL),
			  ST_GOOD);
	ck_assert_int_eq(
	    prout_start(&t, T.itl2, SCSI_PROUT_PREEMPT_AND_ABORT, SCSI_PR_TYPE_WE_RO, K2, K1, 0),
	    SCSI_EXEC_ASYNC);
	ck_assert_int_eq(A.n, 1);
	ck_assert_int_eq(F.nq, 1);
	scsi_abort_release(A.ab[0]);
	ck_assert_int_eq(t.ndone, 0);
	fake_drain(0);
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_uint_eq(t.cmd.status, ST_GOOD);
	t_cmd_fini(&t);

	/* a preemption of nobody attached: nothing to wait for but the store */
	memset(&A, 0, sizeof(A));
	ck_assert_uint_eq(
	    prout_full(obs, SCSI_PROUT_REGISTER_AND_IGNORE, 0, 0, K3, SCSI_PROUT_F_APTPL, 0, NULL),
	    ST_GOOD);
	ck_assert_uint_eq(
	    prout_full(obs, SCSI_PROUT_REGISTER, 0, K3, 0, SCSI_PROUT_F_APTPL, 0, NULL), ST_GOOD);
	ck_assert_int_eq(
	    prout_start(&t, T.itl2, SCSI_PROUT_PREEMPT_AND_ABORT, SCSI_PR_TYPE_WE_RO, K2, K2, 0),
	    SCSI_EXEC_ASYNC);
	ck_assert_int_eq(A.n, 0);
	fake_drain(0);
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_uint_eq(t.cmd.status, ST_GOOD);
	t_cmd_fini(&t);
	pr_lu_set_save(T.lu, NULL, NULL);
	T.nx.abort_lu = NULL;
	T.nx2.abort_lu = NULL;
}
END_TEST

START_TEST(test_spc2_interplay)
{
	uint8_t rsv6[16] = {SCSI_OP_RESERVE_6}, rel6[16] = {SCSI_OP_RELEASE_6};
	uint8_t d[4096];

	/* SPC-2 §5.5.1: registrations make every RESERVE(6) conflict */
	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(do_simple(T.itl, rsv6, 0), ST_RC);
	ck_assert_uint_eq(do_simple(itl3, rsv6, 0), ST_RC);
	/* ... and RELEASE(6) too, but from a holder (SPC-4 §5.13.3): GOOD, nothing released */
	ck_assert_uint_eq(do_simple(T.itl, rel6, 0), ST_RC);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, K1, 0), ST_GOOD);
	ck_assert_uint_eq(do_simple(T.itl, rel6, 0), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), SCSI_PR_TYPE_WE);
	ck_assert_uint_eq(do_simple(itl3, rel6, 0), ST_RC);
	/* ... or from a registrant under a registrants only type */
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(do_simple(T.itl2, rel6, 0), ST_RC);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE, K1, 0), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	ck_assert_uint_eq(do_simple(T.itl2, rel6, 0), ST_GOOD);
	ck_assert_uint_eq(resv(NULL), SCSI_PR_TYPE_WE_RO);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_CLEAR, 0, K1, 0), ST_GOOD);
	ck_assert_uint_eq(take_ua(T.itl2), T_UA_RESV_PREEMPTED);
	no_ua();

	/* no registration: RESERVE(6) works, and then PR IN/OUT conflict from everyone */
	ck_assert_uint_eq(do_simple(T.itl, rsv6, 0), ST_GOOD);
	ck_assert_uint_eq(prin(T.itl, SCSI_PRIN_READ_KEYS, 4096, d, NULL), ST_RC);
	ck_assert_uint_eq(prin(T.itl2, SCSI_PRIN_READ_KEYS, 4096, d, NULL), ST_RC);
	ck_assert_uint_eq(reg(T.itl, K1), ST_RC);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_RC);
	ck_assert_uint_eq(do_simple(T.itl, rel6, 0), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 1);
}
END_TEST

/* A PERSISTENT RESERVE OUT with a parameter list of plen bytes (out, up to 64) and edtl. */
static uint8_t prout_raw(uint8_t sa, uint8_t scope_type, uint32_t plen, const uint8_t *out,
			 uint32_t edtl, struct scsi_cmd *last)
{
	uint8_t cdb[16] = {SCSI_OP_PERSISTENT_RESERVE_OUT, sa, scope_type};
	struct t_cmd t;
	uint8_t st;

	put_be32(cdb + 5, plen);
	pr_cmd_init(&t, T.itl, cdb);
	st = run_cmd(&t, out, 64, edtl, 0);
	*last = t.cmd;
	t_cmd_fini(&t);
	return st;
}

START_TEST(test_malformed)
{
	uint8_t p[64] = {0}, cdb[16] = {SCSI_OP_PERSISTENT_RESERVE_IN};
	struct scsi_cmd c;

	put_be64(p + 8, K1);
	/* SPC-4 §6.16.3: the parameter list is 24 bytes */
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_REGISTER, 0, 0, p, 0, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_PARAM_LEN);
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_REGISTER, 0, 23, p, 23, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_PARAM_LEN);
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_REGISTER, 0, 28, p, 28, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_PARAM_LEN);
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_REGISTER, 0, 0x10000, p, 0x10000, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_PARAM_LEN);
	/* less data than the CDB says */
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_REGISTER, 0, 24, p, 16, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_PARAM_LEN);
	/* SPEC_I_PT: the TransportID length (bytes 24-27) must fill the list exactly */
	p[20] = SCSI_PROUT_F_SPEC_I_PT;
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_REGISTER, 0, 24, p, 24, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_PARAM_LEN);
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_REGISTER, 0, 48, p, 48, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_PARAM_LEN);
	/* ... and goes only with REGISTER */
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_REGISTER_AND_IGNORE, 0, 24, p, 24, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 20);
	ck_assert_uint_eq(c.sense_bit, 3);
	p[20] = 0;
	ck_assert_uint_eq(nkeys(), 0);
	/* RESERVE: scope other than LU_SCOPE, a type that does not exist */
	put_be64(p, K1);
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_RESERVE, 0x11, 24, p, 24, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_RESERVE, 0x04, 24, p, 24, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_RESERVE, 0x00, 24, p, 24, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	/* REGISTER AND MOVE without its TransportID; no service action past it */
	ck_assert_uint_eq(prout_raw(SCSI_PROUT_REGISTER_AND_MOVE, 0, 24, p, 24, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 24);
	ck_assert_uint_eq(prout_raw(0x08, 0, 24, p, 24, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	ck_assert_uint_eq(c.sense_field, 1);
	ck_assert_uint_eq(prout_raw(0x1f, 0, 24, p, 24, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	/* PERSISTENT RESERVE IN: service actions 0-3 only */
	cdb[1] = 0x04;
	put_be16(cdb + 7, 64);
	ck_assert_uint_eq(t_simple(T.itl, cdb, 16, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
}
END_TEST

START_TEST(test_report_capabilities)
{
	uint8_t d[4096];
	uint32_t len;

	ck_assert_uint_eq(prin(T.itl, SCSI_PRIN_REPORT_CAPABILITIES, 4096, d, &len), ST_GOOD);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(get_be16(d), 8);
	ck_assert_uint_eq(d[2], 0x1d);		    /* CRH, SIP_C, ATP_C, PTPL_C */
	ck_assert_uint_eq(d[3], 0xb0);		    /* TMV, ALLOW COMMANDS 011b, PTPL_A 0 */
	ck_assert_uint_eq(get_be16(d + 4), 0xea01); /* every type */
	/* PTPL_A follows the last APTPL bit */
	pr_lu_set_save(T.lu, &fake_ops, &F);
	ck_assert_uint_eq(prout_full(T.itl, SCSI_PROUT_REGISTER_AND_IGNORE, 0, 0, K1,
				     SCSI_PROUT_F_APTPL, 0, NULL),
			  ST_GOOD);
	ck_assert_uint_eq(prin(T.itl2, SCSI_PRIN_REPORT_CAPABILITIES, 4096, d, NULL), ST_GOOD);
	ck_assert_uint_eq(d[3], 0xb1);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_REGISTER, 0, K1, K2), ST_GOOD);
	ck_assert_uint_eq(prin(T.itl2, SCSI_PRIN_REPORT_CAPABILITIES, 4096, d, NULL), ST_GOOD);
	ck_assert_uint_eq(d[3], 0xb0);
}
END_TEST

START_TEST(test_read_full_status)
{
	uint8_t d[4096];
	const char *n1 = T.nx.initiator_port;
	size_t tid = ALIGN_UP(strlen(n1) + 1, (size_t)4) + 4, off;
	uint32_t len;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA_RO, K2, 0), ST_GOOD);
	ck_assert_uint_eq(prin(itl3, SCSI_PRIN_READ_FULL_STATUS, 4096, d, &len), ST_GOOD);
	ck_assert_uint_eq(get_be32(d + 4), len - 8);
	ck_assert_uint_eq(len, 8 + 2 * (24 + tid));
	/* host1: registered, not the holder */
	off = 8;
	ck_assert_uint_eq(get_be64(d + off), K1);
	ck_assert_uint_eq(d[off + 12], 0);
	ck_assert_uint_eq(d[off + 13], 0);
	ck_assert_uint_eq(get_be16(d + off + 18), 1);
	ck_assert_uint_eq(get_be32(d + off + 20), tid);
	/* the iSCSI TransportID, initiator port format (SPC-4 §7.6.4.6) */
	ck_assert_uint_eq(d[off + 24], 0x45);
	ck_assert_uint_eq(get_be16(d + off + 26), tid - 4);
	ck_assert_str_eq((const char *)d + off + 28, n1);
	/* host2: the holder */
	off += 24 + tid;
	ck_assert_uint_eq(get_be64(d + off), K2);
	ck_assert_uint_eq(d[off + 12], SCSI_PRIN_F_R_HOLDER);
	ck_assert_uint_eq(d[off + 13], SCSI_PR_TYPE_EA_RO);
	ck_assert_str_eq((const char *)d + off + 28, T.nx2.initiator_port);
	/* truncated: the lengths still describe it all */
	ck_assert_uint_eq(prin(itl3, SCSI_PRIN_READ_FULL_STATUS, 8, d, &len), ST_GOOD);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(get_be32(d + 4), 2 * (24 + tid));
}
END_TEST

START_TEST(test_registration_outlives_nexus)
{
	struct scsi_nexus again = T.nx, other_port = T.nx;
	struct scsi_itl *a, *b;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA, K1, 0), ST_GOOD);
	/* the session goes; a new one of the same I_T nexus name finds its reservation */
	scsi_itl_destroy(T.itl);
	T.itl = NULL;
	ck_assert_uint_eq(do_read(T.itl2), ST_RC);
	/* case does not matter in iSCSI names */
	again.initiator_port[0] = 'I';
	ck_assert_int_eq(scsi_itl_create(T.lu, &again, &a), 0);
	scsi_itl_take_ua(a);
	T.itl = a;
	T.nx = again;
	a->nx = &T.nx;
	ck_assert_uint_eq(do_write(a), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 1);
	/* the same initiator port through another target port is another I_T nexus */
	other_port.tpg_tag = 2;
	ck_assert_int_eq(scsi_itl_create(T.lu, &other_port, &b), 0);
	scsi_itl_take_ua(b);
	ck_assert_uint_eq(do_read(b), ST_RC);
	scsi_itl_destroy(b);
}
END_TEST

START_TEST(test_all_tg_pt)
{
	struct scsi_nexus port2 = T.nx;
	struct scsi_itl *b;
	uint8_t d[4096];

	port2.tpg_tag = 2;
	ck_assert_int_eq(scsi_itl_create(T.lu, &port2, &b), 0);
	scsi_itl_take_ua(b);
	ck_assert_uint_eq(
	    prout_full(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1, SCSI_PROUT_F_ALL_TG_PT, 0, NULL),
	    ST_GOOD);
	/* one registration covers the initiator port through every target port */
	ck_assert_uint_eq(prout(b, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA, K1, 0), ST_GOOD);
	ck_assert_uint_eq(do_write(T.itl), ST_GOOD);
	ck_assert_uint_eq(do_write(b), ST_GOOD);
	ck_assert_uint_eq(do_read(T.itl2), ST_RC);
	ck_assert_uint_eq(prin(T.itl2, SCSI_PRIN_READ_FULL_STATUS, 4096, d, NULL), ST_GOOD);
	ck_assert_uint_eq(d[8 + 12], SCSI_PRIN_F_ALL_TG_PT | SCSI_PRIN_F_R_HOLDER);
	ck_assert_uint_eq(get_be16(d + 8 + 18), 0);
	ck_assert_uint_eq(prout(b, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_EA, K1, 0), ST_GOOD);
	ck_assert_uint_eq(prout(b, SCSI_PROUT_REGISTER, 0, K1, 0), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 0);
	/* ALL_TG_PT while the port is registered through one target port: conflict */
	ck_assert_uint_eq(reg(b, K2), ST_GOOD);
	ck_assert_uint_eq(
	    prout_full(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1, SCSI_PROUT_F_ALL_TG_PT, 0, NULL),
	    ST_RC);
	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 2);
	scsi_itl_destroy(b);
}
END_TEST

/* SPEC_I_PT and REGISTER AND MOVE: parameter lists with TransportIDs. */

#define H2 "iqn.2024-01.org.example:host2,i,0x000000000002"
#define H4 "iqn.2024-01.org.example:host4,i,0x000000000004"
#define H5 "iqn.2024-01.org.example:host5"
#define H6 "iqn.2024-01.org.example:host6,i,0x000000000006"

/* Appends the TransportID of name (device: format 00b) at p + *off. */
static void tid_add(uint8_t *p, size_t *off, const char *name, bool device)
{
	size_t n = ALIGN_UP(strlen(name) + 1, (size_t)4);

	if (n < 20)
		n = 20;
	memset(p + *off, 0, 4 + n);
	p[*off] = (uint8_t)((device ? 0x00 : 0x40) | 0x05);
	put_be16(p + *off + 2, (uint16_t)n);
	memcpy(p + *off + 4, name, strlen(name));
	*off += 4 + n;
}

/* Runs PERSISTENT RESERVE OUT sa with the parameter list p[0..len) on itl. */
static uint8_t prout_list(struct scsi_itl *itl, uint8_t sa, uint8_t type, const uint8_t *p,
			  size_t len, struct scsi_cmd *last)
{
	uint8_t cdb[16] = {SCSI_OP_PERSISTENT_RESERVE_OUT, sa, type};
	struct t_cmd t;
	uint8_t st;

	put_be32(cdb + 5, (uint32_t)len);
	pr_cmd_init(&t, itl, cdb);
	st = run_cmd(&t, p, len, (uint32_t)len, 0);
	if (last)
		*last = t.cmd;
	t_cmd_fini(&t);
	return st;
}

/* REGISTER with SPEC_I_PT from itl: key, sa_key, flags, then the TransportIDs tids[0..tlen). */
static uint8_t spec(struct scsi_itl *itl, uint64_t key, uint64_t sa_key, uint8_t flags,
		    const uint8_t *tids, size_t tlen, struct scsi_cmd *last)
{
	uint8_t p[2048] = {0};

	put_be64(p, key);
	put_be64(p + 8, sa_key);
	p[20] = SCSI_PROUT_F_SPEC_I_PT | flags;
	put_be32(p + 24, (uint32_t)tlen);
	memcpy(p + 28, tids, tlen);
	return prout_list(itl, SCSI_PROUT_REGISTER, 0, p, 28 + tlen, last);
}

START_TEST(test_spec_i_pt)
{
	struct scsi_nexus n5 = T.nx, n6 = T.nx;
	struct scsi_itl *i5, *i6;
	uint8_t tids[1024], d[4096], *blob, *blob2;
	struct scsi_lu *lu2;
	struct scsi_cmd c;
	size_t tl = 0, len, len2, off;
	uint32_t gen = generation();

	/* the sender, a port logged in, a port not logged in, a whole device */
	tid_add(tids, &tl, H2, false);
	tid_add(tids, &tl, H4, false);
	tid_add(tids, &tl, H5, true);
	ck_assert_uint_eq(spec(T.itl, 0, K1, 0, tids, tl, NULL), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 4);
	ck_assert_uint_eq(generation(), gen + 1);
	/* host2 is registered with K1: it may reserve with that key */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	ck_assert_uint_eq(do_write(T.itl), ST_GOOD);
	ck_assert_uint_eq(do_write(itl3), ST_RC);
	/* the device's every port, whatever its ISID, logged in later */
	strcpy(n5.initiator_port, H5 ",i,0x00023d000007");
	ck_assert_int_eq(scsi_itl_create(T.lu, &n5, &i5), 0);
	scsi_itl_take_ua(i5);
	ck_assert_uint_eq(do_write(i5), ST_GOOD);
	/* READ FULL STATUS: the device's registration as a TransportID of format 00b */
	ck_assert_uint_eq(prin(obs, SCSI_PRIN_READ_FULL_STATUS, 4096, d, NULL), ST_GOOD);
	off = 8;
	for (int i = 0; i < 3; i++)
		off += 24 + get_be32(d + off + 20);
	ck_assert_uint_eq(d[off + 24], 0x05);
	ck_assert_str_eq((const char *)d + off + 28, H5);
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	take_ua(T.itl);
	take_ua(i5);

	/* a registered sender: SPEC_I_PT is an error there (table 45) */
	ck_assert_uint_eq(spec(T.itl, K1, K2, 0, tids, tl, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 20);
	ck_assert_uint_eq(c.sense_bit, 3);
	/* all or nothing: host6 is new but host2 is registered already */
	tl = 0;
	tid_add(tids, &tl, H6, false);
	tid_add(tids, &tl, H2, false);
	ck_assert_uint_eq(spec(itl3, 0, K3, 0, tids, tl, NULL), ST_RC);
	ck_assert_uint_eq(nkeys(), 4);
	/* ... and a port of a registered device */
	tl = 0;
	tid_add(tids, &tl, H5 ",i,0x1", false);
	ck_assert_uint_eq(spec(itl3, 0, K3, 0, tids, tl, NULL), ST_RC);
	ck_assert_uint_eq(nkeys(), 4);
	/* a broken TransportID: the field pointer says where */
	tl = 0;
	tid_add(tids, &tl, H6, false);
	tid_add(tids, &tl, "iqn.x:y,i,0xzz", false);
	ck_assert_uint_eq(spec(itl3, 0, K3, 0, tids, tl, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 28 + (tl - 24) + 4 + strlen("iqn.x:y,i,0x"));
	/* a TransportID cut by the length: the additional length points past it */
	tl = 0;
	tid_add(tids, &tl, H6, false);
	ck_assert_uint_eq(spec(itl3, 0, K3, 0, tids, tl - 4, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 28 + 2);
	/* a device and one of its ports in one list */
	tl = 0;
	tid_add(tids, &tl, "iqn.2024-01.org.example:host7", true);
	tid_add(tids, &tl, "iqn.2024-01.org.example:host7,i,0x1", false);
	ck_assert_uint_eq(spec(itl3, 0, K3, 0, tids, tl, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 28 + 36);
	ck_assert_uint_eq(nkeys(), 4);
	/* key 0 registers nothing, GOOD */
	ck_assert_uint_eq(spec(itl3, 0, 0, 0, tids, tl, NULL), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 4);
	/* the same nexus twice, or the sender itself, counts once */
	tl = 0;
	tid_add(tids, &tl, H6, false);
	tid_add(tids, &tl, H6, false);
	tid_add(tids, &tl, nx3.initiator_port, false);
	ck_assert_uint_eq(spec(itl3, 0, K3, 0, tids, tl, NULL), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 6);
	strcpy(n6.initiator_port, H6);
	ck_assert_int_eq(scsi_itl_create(T.lu, &n6, &i6), 0);
	scsi_itl_take_ua(i6);
	ck_assert_uint_eq(prout(i6, SCSI_PROUT_REGISTER, 0, K3, 0), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 5);

	/* the device registration survives the blob */
	ck_assert_int_eq(pr_lu_snapshot(T.lu, &blob, &len), 0);
	ck_assert_int_eq(scsi_lu_create(&T.mb->dev, scsi_lu_get_id(T.lu), &lu2), 0);
	blob[5] |= 0x01; /* APTPL, so that it restores */
	put_be32(blob + len - 4, crc32c(0, blob, len - 4));
	ck_assert_int_eq(pr_lu_restore(lu2, blob, len), 5);
	ck_assert_int_eq(pr_lu_snapshot(lu2, &blob2, &len2), 0);
	ck_assert_uint_eq(len2, len);
	ck_assert_int_eq(memcmp(blob, blob2, len), 0);
	free(blob);
	free(blob2);
	scsi_lu_destroy(lu2);
	scsi_itl_destroy(i6);
	scsi_itl_destroy(i5);
}
END_TEST

/* REGISTER AND MOVE from itl: keys, UNREG, the target port and one TransportID (name, format). */
static uint8_t move(struct scsi_itl *itl, uint8_t type, uint64_t key, uint64_t sa_key, bool unreg,
		    uint16_t rtpi, const char *name, bool device, struct scsi_cmd *last)
{
	uint8_t p[512] = {0};
	size_t off = 24;

	put_be64(p, key);
	put_be64(p + 8, sa_key);
	p[17] = unreg ? 0x02 : 0;
	put_be16(p + 18, rtpi);
	tid_add(p, &off, name, device);
	put_be32(p + 20, (uint32_t)(off - 24));
	return prout_list(itl, SCSI_PROUT_REGISTER_AND_MOVE, type, p, off, last);
}

START_TEST(test_register_and_move)
{
	struct scsi_nexus n4 = T.nx;
	struct scsi_itl *i4;
	struct scsi_cmd c;
	uint8_t p[512] = {0};
	size_t off = 24;
	uint64_t key;
	uint32_t gen;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	/* no reservation to move, or not its holder: conflict */
	ck_assert_uint_eq(
	    move(T.itl, SCSI_PR_TYPE_WE, K1, K3, false, 1, nx3.initiator_port, false, NULL), ST_RC);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, K1, 0), ST_GOOD);
	ck_assert_uint_eq(
	    move(T.itl2, SCSI_PR_TYPE_WE, K2, K3, false, 1, nx3.initiator_port, false, NULL),
	    ST_RC);
	/* the holder, with a wrong key, or unregistered: conflict */
	ck_assert_uint_eq(
	    move(T.itl, SCSI_PR_TYPE_WE, K2, K3, false, 1, nx3.initiator_port, false, NULL), ST_RC);
	ck_assert_uint_eq(move(itl3, SCSI_PR_TYPE_WE, 0, K3, false, 1, H2, false, NULL), ST_RC);

	/* the checks of the parameter list and CDB, nothing changed by any */
	ck_assert_uint_eq(
	    move(T.itl, SCSI_PR_TYPE_WE, K1, 0, false, 1, nx3.initiator_port, false, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 8);
	ck_assert_uint_eq(
	    move(T.itl, SCSI_PR_TYPE_WE, K1, K3, false, 1, T.nx.initiator_port, false, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 24);
	ck_assert_uint_eq(
	    move(T.itl, SCSI_PR_TYPE_WE, K1, K3, false, 7, nx3.initiator_port, false, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 18);
	ck_assert_uint_eq(move(T.itl, SCSI_PR_TYPE_WE, K1, K3, false, 1,
			       "iqn.2024-01.org.example:host3", true, &c),
			  ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	ck_assert_uint_eq(c.sense_field, 24);
	ck_assert_uint_eq(c.sense_bit, 7);
	ck_assert_uint_eq(move(T.itl, 0x02, K1, K3, false, 1, nx3.initiator_port, false, &c),
			  ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_CDB);
	/* exactly one TransportID, filling the list */
	put_be64(p, K1);
	put_be64(p + 8, K3);
	put_be16(p + 18, 1);
	tid_add(p, &off, nx3.initiator_port, false);
	tid_add(p, &off, H2, false);
	put_be32(p + 20, (uint32_t)(off - 24));
	ck_assert_uint_eq(
	    prout_list(T.itl, SCSI_PROUT_REGISTER_AND_MOVE, SCSI_PR_TYPE_WE, p, off, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_INVALID_FIELD_PARAM);
	put_be32(p + 20, 8);
	ck_assert_uint_eq(
	    prout_list(T.itl, SCSI_PROUT_REGISTER_AND_MOVE, SCSI_PR_TYPE_WE, p, off, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_PARAM_LEN);
	ck_assert_uint_eq(nkeys(), 2);
	ck_assert_uint_eq(resv(&key), SCSI_PR_TYPE_WE);
	ck_assert_uint_eq(key, K1);

	/* SPC-4 §5.13.8: host3, unregistered, is registered with the new key and holds */
	gen = generation();
	ck_assert_uint_eq(
	    move(T.itl, SCSI_PR_TYPE_WE, K1, K3, false, 1, nx3.initiator_port, false, NULL),
	    ST_GOOD);
	ck_assert_uint_eq(generation(), gen + 1);
	ck_assert_uint_eq(nkeys(), 3);
	ck_assert_uint_eq(resv(&key), SCSI_PR_TYPE_WE);
	ck_assert_uint_eq(key, K3);
	ck_assert_uint_eq(do_write(itl3), ST_GOOD);
	ck_assert_uint_eq(do_write(T.itl), ST_RC);
	/* on to host2, registered already (its key stays), with another type; UNREG drops host3 */
	ck_assert_uint_eq(move(itl3, SCSI_PR_TYPE_EA, K3, K1, true, 1, H2, false, NULL), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 2);
	ck_assert_uint_eq(resv(&key), SCSI_PR_TYPE_EA);
	ck_assert_uint_eq(key, K2);
	ck_assert_uint_eq(do_read(itl3), ST_RC);
	ck_assert_uint_eq(do_read(T.itl2), ST_GOOD);
	/* to a nexus not logged in yet: it holds when it comes */
	ck_assert_uint_eq(move(T.itl2, SCSI_PR_TYPE_WE, K2, K3, false, 1, H4, false, NULL),
			  ST_GOOD);
	strcpy(n4.initiator_port, H4);
	ck_assert_int_eq(scsi_itl_create(T.lu, &n4, &i4), 0);
	scsi_itl_take_ua(i4);
	ck_assert_uint_eq(do_write(i4), ST_GOOD);
	ck_assert_uint_eq(do_write(T.itl2), ST_RC);
	/* an all registrants reservation has no one holder to move it */
	ck_assert_uint_eq(prout(i4, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE, K3, 0), ST_GOOD);
	ck_assert_uint_eq(prout(i4, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_AR, K3, 0), ST_GOOD);
	ck_assert_uint_eq(
	    move(i4, SCSI_PR_TYPE_WE, K3, K1, false, 1, nx3.initiator_port, false, NULL), ST_RC);
	scsi_itl_destroy(i4);
}
END_TEST

START_TEST(test_registration_resources)
{
	static struct scsi_nexus nxs[SCSI_PR_MAX_REGS + 1];
	static struct scsi_itl *itls[SCSI_PR_MAX_REGS + 1];
	struct scsi_cmd c;
	size_t i;

	for (i = 0; i <= SCSI_PR_MAX_REGS; i++) {
		nxs[i] = T.nx;
		snprintf(nxs[i].initiator_port, sizeof(nxs[i].initiator_port),
			 "iqn.2024-01.org.example:many%zu,i,0x000000000001", i);
		ck_assert_int_eq(scsi_itl_create(T.lu, &nxs[i], &itls[i]), 0);
		scsi_itl_take_ua(itls[i]);
		if (i < SCSI_PR_MAX_REGS)
			ck_assert_uint_eq(reg(itls[i], K1), ST_GOOD);
	}
	ck_assert_uint_eq(
	    prout_full(itls[SCSI_PR_MAX_REGS], SCSI_PROUT_REGISTER, 0, 0, K1, 0, 0, &c), ST_CC);
	ck_assert_uint_eq(t_sense(&c), T_REG_RESOURCES);
	/* a registered nexus may still change its key */
	ck_assert_uint_eq(prout(itls[0], SCSI_PROUT_REGISTER, 0, K1, K2), ST_GOOD);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_CLEAR, 0, K1, 0), ST_RC);
	ck_assert_uint_eq(prout(itls[1], SCSI_PROUT_CLEAR, 0, K1, 0), ST_GOOD);
	ck_assert_uint_eq(nkeys(), 0);
	for (i = 0; i <= SCSI_PR_MAX_REGS; i++)
		scsi_itl_destroy(itls[i]);
}
END_TEST

START_TEST(test_rsoc_lists_pr)
{
	uint8_t cdb[16] = {SCSI_OP_MAINTENANCE_IN, SCSI_MI_REPORT_SUPPORTED_OPCODES, 0x02,
			   SCSI_OP_PERSISTENT_RESERVE_OUT};
	struct t_cmd t;

	put_be16(cdb + 4, SCSI_PROUT_PREEMPT_AND_ABORT);
	put_be32(cdb + 6, 512);
	pr_cmd_init(&t, T.itl, cdb);
	ck_assert_uint_eq(run_cmd(&t, NULL, 0, 512, 0), ST_GOOD);
	ck_assert_uint_eq(t.buf[1] & 0x07, 0x03); /* supported */
	ck_assert_uint_eq(get_be16(t.buf + 2), 10);
	ck_assert_uint_eq(t.buf[4], SCSI_OP_PERSISTENT_RESERVE_OUT);
	ck_assert_uint_eq(t.buf[5], SCSI_PROUT_PREEMPT_AND_ABORT);
	t_cmd_fini(&t);
	put_be16(cdb + 4, SCSI_PROUT_REGISTER_AND_MOVE);
	pr_cmd_init(&t, T.itl, cdb);
	ck_assert_uint_eq(run_cmd(&t, NULL, 0, 512, 0), ST_GOOD);
	ck_assert_uint_eq(t.buf[1] & 0x07, 0x03);
	ck_assert_uint_eq(t.buf[5], SCSI_PROUT_REGISTER_AND_MOVE);
	t_cmd_fini(&t);
	cdb[3] = SCSI_OP_PERSISTENT_RESERVE_IN;
	put_be16(cdb + 4, SCSI_PRIN_READ_FULL_STATUS);
	pr_cmd_init(&t, T.itl, cdb);
	ck_assert_uint_eq(run_cmd(&t, NULL, 0, 512, 0), ST_GOOD);
	ck_assert_uint_eq(t.buf[1] & 0x07, 0x03);
	t_cmd_fini(&t);
}
END_TEST

/* Threads: nexuses of one LU registering at once, each on its own thread. */

#define MT_THREADS 4
#define MT_ROUNDS 200

struct mt_arg {
	struct scsi_nexus nx;
	struct scsi_itl *itl;
	int bad;
};

static uint8_t mt_prout(struct scsi_itl *itl, struct scsi_nexus *nx, uint64_t key, uint64_t sa_key)
{
	uint8_t cdb[16] = {SCSI_OP_PERSISTENT_RESERVE_OUT, SCSI_PROUT_REGISTER}, p[24] = {0};
	struct scsi_cmd cmd;
	uint8_t *buf = calloc(1, 24);

	memset(&cmd, 0, sizeof(cmd));
	put_be32(cdb + 5, 24);
	put_be64(p, key);
	put_be64(p + 8, sa_key);
	memcpy(cmd.cdb, cdb, 16);
	cmd.cdb_len = 16;
	cmd.itl = itl;
	cmd.nexus = nx;
	if (scsi_cmd_parse(&cmd) != SENSE_OK) {
		free(buf);
		return 0xff;
	}
	memcpy(buf, p, 24);
	cmd.buf = buf;
	cmd.buf_len = 24;
	if (scsi_cmd_exec(&cmd) != SCSI_EXEC_DONE)
		cmd.status = 0xfe;
	free(buf);
	return cmd.status;
}

static void *mt_worker(void *arg)
{
	struct mt_arg *a = arg;
	int i;

	scsi_itl_take_ua(a->itl);
	for (i = 0; i < MT_ROUNDS; i++) {
		if (mt_prout(a->itl, &a->nx, 0, K1) != ST_GOOD)
			a->bad++;
		if (mt_prout(a->itl, &a->nx, K1, 0) != ST_GOOD)
			a->bad++;
		/* the fast path read, against the writers */
		if (atomic_load(&a->itl->pr_deny))
			a->bad++;
	}
	return NULL;
}

START_TEST(test_threads_register_at_once)
{
	struct mt_arg args[MT_THREADS];
	pthread_t tids[MT_THREADS];
	uint32_t g0 = generation();
	int i;

	for (i = 0; i < MT_THREADS; i++) {
		memset(&args[i], 0, sizeof(args[i]));
		args[i].nx = T.nx;
		snprintf(args[i].nx.initiator_port, sizeof(args[i].nx.initiator_port),
			 "iqn.2024-01.org.example:mt%d,i,0x000000000001", i);
		ck_assert_int_eq(scsi_itl_create(T.lu, &args[i].nx, &args[i].itl), 0);
	}
	for (i = 0; i < MT_THREADS; i++)
		ck_assert_int_eq(pthread_create(&tids[i], NULL, mt_worker, &args[i]), 0);
	for (i = 0; i < MT_THREADS; i++) {
		pthread_join(tids[i], NULL);
		ck_assert_int_eq(args[i].bad, 0);
		scsi_itl_destroy(args[i].itl);
	}
	ck_assert_uint_eq(generation(), g0 + 2 * MT_THREADS * MT_ROUNDS);
	ck_assert_uint_eq(nkeys(), 0);
}
END_TEST

static Suite *pr_suite(void)
{
	Suite *s = suite_create("pr");
	TCase *tc = tcase_create("commands");

	tcase_add_checked_fixture(tc, pr_setup, pr_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_register);
	tcase_add_test(tc, test_read_keys_truncated);
	tcase_add_test(tc, test_reserve_release);
	tcase_add_test(tc, test_conflict_table);
	tcase_add_test(tc, test_registrations_alone_refuse_nothing);
	tcase_add_test(tc, test_unregister_holder);
	tcase_add_test(tc, test_release_all_registrants_ua);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_preempt_removes_registrations);
	tcase_add_test(tc, test_preempt_reservation);
	tcase_add_test(tc, test_preempt_all_registrants);
	tcase_add_test(tc, test_preempt_and_abort);
	tcase_add_test(tc, test_preempt_and_abort_aborts);
	tcase_add_test(tc, test_spc2_interplay);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_report_capabilities);
	tcase_add_test(tc, test_read_full_status);
	tcase_add_test(tc, test_registration_outlives_nexus);
	tcase_add_test(tc, test_all_tg_pt);
	tcase_add_test(tc, test_spec_i_pt);
	tcase_add_test(tc, test_register_and_move);
	tcase_add_test(tc, test_registration_resources);
	tcase_add_test(tc, test_rsoc_lists_pr);
	tcase_add_test(tc, test_threads_register_at_once);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(pr_suite)

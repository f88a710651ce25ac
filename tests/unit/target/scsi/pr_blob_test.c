/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The persistent reservation state as a blob (target/scsi/pr_blob.c) and
 * the APTPL save path through the engine, with a fake store: what is saved
 * when, the round trip into a new LU, and the refusal of damaged input.
 */
#include "common/crc32c.h"
#include "tests/unit/target/scsi/pr_test_util.h"

/* APTPL: the save path, with the fake store. */

START_TEST(test_aptpl_saves)
{
	struct scsi_cmd c;
	struct scsi_lu *lu2;
	uint8_t *blob;
	size_t len;

	pr_lu_set_save(T.lu, &fake_ops, &F);
	/* without APTPL nothing is saved */
	ck_assert_uint_eq(reg(T.itl2, K2), ST_GOOD);
	ck_assert_int_eq(F.nsaves + F.nforgets, 0);
	/* APTPL: the command waits for the store, then the whole state is in the blob */
	ck_assert_uint_eq(prout_full(T.itl, SCSI_PROUT_REGISTER_AND_IGNORE, 0, 0, K1,
				     SCSI_PROUT_F_APTPL, 0, NULL),
			  ST_GOOD);
	ck_assert_int_eq(F.nsaves, 1);
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	ck_assert_int_eq(F.nsaves, 2);
	/* a command that changes nothing saves nothing */
	ck_assert_uint_eq(prout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	ck_assert_uint_eq(prout(itl3, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, 0, 0), ST_RC);
	ck_assert_int_eq(F.nsaves, 2);
	/* the blob restores the same state into a new LU */
	ck_assert_int_eq(scsi_lu_create(&T.mb->dev, scsi_lu_get_id(T.lu), &lu2), 0);
	ck_assert_int_eq(pr_lu_restore(lu2, F.last, F.last_len), 2);
	ck_assert_int_eq(pr_lu_snapshot(lu2, &blob, &len), 0);
	ck_assert_uint_eq(len, F.last_len);
	ck_assert_int_eq(memcmp(blob, F.last, len), 0);
	free(blob);
	scsi_lu_destroy(lu2);
	/* a store that fails, late or at once: the state holds, the command is GOOD */
	ck_assert_uint_eq(
	    prout_full(T.itl2, SCSI_PROUT_REGISTER, 0, K2, K3, SCSI_PROUT_F_APTPL, -EIO, &c),
	    ST_GOOD);
	ck_assert_int_eq(F.nsaves, 3);
	F.submit_err = -ENOMEM;
	ck_assert_uint_eq(
	    prout_full(T.itl2, SCSI_PROUT_REGISTER, 0, K3, K2, SCSI_PROUT_F_APTPL, 0, &c), ST_GOOD);
	F.submit_err = 0;
	ck_assert_uint_eq(nkeys(), 2);
	ck_assert_int_eq(F.nsaves, 3);
	/* APTPL off: the store forgets, once */
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_REGISTER, 0, K2, K3), ST_GOOD);
	ck_assert_int_eq(F.nforgets, 1);
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_REGISTER, 0, K3, K2), ST_GOOD);
	ck_assert_int_eq(F.nforgets, 1);
	ck_assert_int_eq(F.nsaves, 3);
	ck_assert_int_eq(F.released, 0);
}
END_TEST

START_TEST(test_store_released_with_lu)
{
	struct scsi_lu *lu2;

	ck_assert_int_eq(scsi_lu_create(&T.mb->dev, scsi_lu_get_id(T.lu), &lu2), 0);
	pr_lu_set_save(lu2, &fake_ops, &F);
	scsi_lu_destroy(lu2);
	ck_assert_int_eq(F.released, 1);
}
END_TEST

/* Builds a blob of the current state of T.lu after a few changes. */
static void some_state(uint8_t **blob, size_t *len)
{
	ck_assert_uint_eq(
	    prout_full(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1, SCSI_PROUT_F_APTPL, 0, NULL), ST_GOOD);
	ck_assert_uint_eq(prout_full(T.itl2, SCSI_PROUT_REGISTER, 0, 0, K2,
				     SCSI_PROUT_F_APTPL | SCSI_PROUT_F_ALL_TG_PT, 0, NULL),
			  ST_GOOD);
	ck_assert_uint_eq(prout(T.itl2, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA, K2, 0), ST_GOOD);
	ck_assert_int_eq(pr_lu_snapshot(T.lu, blob, len), 0);
}

static int restore_fresh(const uint8_t *blob, size_t len)
{
	struct scsi_lu *lu2;
	int ret;

	ck_assert_int_eq(scsi_lu_create(&T.mb->dev, scsi_lu_get_id(T.lu), &lu2), 0);
	ret = pr_lu_restore(lu2, blob, len);
	scsi_lu_destroy(lu2);
	return ret;
}

START_TEST(test_blob_round_trip)
{
	struct scsi_lu *lu2;
	struct scsi_nexus n1 = T.nx, n2 = T.nx2, n3 = nx3;
	struct scsi_itl *a, *b, *c3;
	uint8_t *blob, *blob2;
	size_t len, len2;
	uint64_t key;

	some_state(&blob, &len);
	ck_assert_uint_eq(len, 20 + 4 + 2 * 12 + strlen(T.nx.initiator_port) +
				   strlen(T.nx2.initiator_port));
	ck_assert_int_eq(memcmp(blob, "PTPR\x01\x01\x03\x00", 8), 0);
	ck_assert_uint_eq(get_be32(blob + len - 4), crc32c(0, blob, len - 4));
	ck_assert_int_eq(scsi_lu_create(&T.mb->dev, scsi_lu_get_id(T.lu), &lu2), 0);
	ck_assert_int_eq(pr_lu_restore(lu2, blob, len), 2);
	ck_assert_int_eq(pr_lu_snapshot(lu2, &blob2, &len2), 0);
	ck_assert_uint_eq(len2, len);
	ck_assert_int_eq(memcmp(blob, blob2, len), 0);
	/* a restored LU enforces what it restored on the nexuses that come back */
	ck_assert_int_eq(scsi_itl_create(lu2, &n1, &a), 0);
	ck_assert_int_eq(scsi_itl_create(lu2, &n2, &b), 0);
	ck_assert_int_eq(scsi_itl_create(lu2, &n3, &c3), 0);
	ck_assert_uint_eq(atomic_load(&a->pr_deny), SCSI_PR_DENY_READ | SCSI_PR_DENY_WRITE);
	ck_assert_uint_eq(atomic_load(&b->pr_deny), 0);
	ck_assert_uint_eq(atomic_load(&c3->pr_deny), SCSI_PR_DENY_READ | SCSI_PR_DENY_WRITE);
	/* restoring on an LU in use is refused */
	ck_assert_int_eq(pr_lu_restore(lu2, blob, len), -EBUSY);
	scsi_itl_destroy(a);
	scsi_itl_destroy(b);
	scsi_itl_destroy(c3);
	ck_assert_int_eq(pr_lu_restore(lu2, blob, len), -EBUSY); /* registrations there */
	scsi_lu_destroy(lu2);
	free(blob2);
	free(blob);
	(void)key;
}
END_TEST

/* Rewrites the CRC after a deliberate change, so that only the change is judged. */
static void fix_crc(uint8_t *b, size_t len)
{
	put_be32(b + len - 4, crc32c(0, b, len - 4));
}

START_TEST(test_blob_rejects_damage)
{
	uint8_t *blob, *b;
	size_t len, i;
	unsigned int bit;
	size_t r1 = 20, r2;

	some_state(&blob, &len);
	r2 = r1 + 12 + strlen(T.nx.initiator_port);
	b = malloc(len + 16);
	/* every truncation, and every single-bit flip */
	for (i = 0; i < len; i++)
		ck_assert_int_eq(restore_fresh(blob, i), -EINVAL);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(b, blob, len);
			b[i] ^= (uint8_t)(1u << bit);
			ck_assert_int_eq(restore_fresh(b, len), -EINVAL);
		}
	}
	/* trailing bytes */
	memcpy(b, blob, len);
	b[len] = 0;
	ck_assert_int_eq(restore_fresh(b, len + 1), -EINVAL);
	/* well-formed CRC, broken rules */
#define DAMAGED(stmt)                                                                              \
	do {                                                                                       \
		memcpy(b, blob, len);                                                              \
		stmt;                                                                              \
		fix_crc(b, len);                                                                   \
		ck_assert_int_eq(restore_fresh(b, len), -EINVAL);                                  \
	} while (0)
	DAMAGED(b[0] = 'X');		       /* magic */
	DAMAGED(b[4] = 2);		       /* version */
	DAMAGED(b[5] = 0x03);		       /* unknown flag */
	DAMAGED(b[6] = 0x02);		       /* not a type */
	DAMAGED(b[7] = 1);		       /* reserved byte */
	DAMAGED(put_be32(b + 12, 2));	       /* holder past the registrations */
	DAMAGED(put_be32(b + 12, 0xffffffff)); /* Exclusive Access without a holder */
	DAMAGED(b[6] = SCSI_PR_TYPE_WE_AR);    /* all registrants with a holder */
	DAMAGED(put_be32(b + 16, 3));	       /* more registrations than there are */
	DAMAGED(put_be32(b + 16, 1));	       /* fewer: bytes left over */
	DAMAGED(put_be32(b + 16, 0x7fffffff)); /* absurd count */
	DAMAGED(put_be64(b + r1, 0));	       /* key 0 */
	DAMAGED(b[r1 + 10] = 0x04);	       /* unknown registration flag */
	DAMAGED(b[r1 + 11] = 0);	       /* empty name */
	DAMAGED(b[r1 + 11] = 0xff);	       /* name past the end */
	DAMAGED(b[r1 + 12] = ' ');	       /* a space in a name */
	DAMAGED(b[r1 + 13] = 0x80);	       /* not ASCII */
	/* the same I_T nexus twice: host2 registered with ALL_TG_PT covers host1's name then */
	DAMAGED(memcpy(b + r2 + 12, T.nx.initiator_port, strlen(T.nx.initiator_port)));
#undef DAMAGED
	/* the original still restores */
	ck_assert_int_eq(restore_fresh(blob, len), 2);
	ck_assert_int_eq(restore_fresh(NULL, 0), -EINVAL);
	free(b);
	free(blob);
}
END_TEST

START_TEST(test_blob_without_aptpl)
{
	uint8_t *blob;
	size_t len;

	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_int_eq(pr_lu_snapshot(T.lu, &blob, &len), 0);
	ck_assert_uint_eq(blob[5], 0);
	/* well formed, but nobody asked for it to persist: nothing restored */
	ck_assert_int_eq(restore_fresh(blob, len), 0);
	free(blob);
	/* an empty state */
	ck_assert_uint_eq(reg(T.itl, 0), ST_GOOD);
	ck_assert_int_eq(pr_lu_snapshot(T.lu, &blob, &len), 0);
	ck_assert_uint_eq(len, 24);
	ck_assert_int_eq(restore_fresh(blob, len), 0);
	free(blob);
}
END_TEST

static Suite *pr_blob_suite(void)
{
	Suite *s = suite_create("pr_blob");
	TCase *tb = tcase_create("aptpl");

	tcase_add_checked_fixture(tb, pr_setup, pr_teardown);
	tcase_set_timeout(tb, 120);
	tcase_add_test(tb, test_aptpl_saves);
	tcase_add_test(tb, test_store_released_with_lu);
	tcase_add_test(tb, test_blob_round_trip);
	tcase_add_test(tb, test_blob_rejects_damage);
	tcase_add_test(tb, test_blob_without_aptpl);
	suite_add_tcase(s, tb);
	return s;
}

CHECK_MAIN(pr_blob_suite)

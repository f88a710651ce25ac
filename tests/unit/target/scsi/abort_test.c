/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Aborts across I_T nexuses (target/scsi/abort.c): the counter ends once,
 * after the last hold, and a LOGICAL UNIT RESET's walk asks every nexus of
 * the LU but the requester's, and no nexus of another LU.
 */
#include "tests/unit/target/scsi/scsi_test_util.h"

static int ndone;

static void count_done(struct scsi_abort *ab)
{
	ck_assert_ptr_eq(ab->arg, &ndone);
	ndone++;
}

START_TEST(test_counter)
{
	struct scsi_abort ab = {.pending = 1, .done = count_done, .arg = &ndone};

	ndone = 0;
	scsi_abort_hold(&ab);
	scsi_abort_hold(&ab);
	scsi_abort_release(&ab);
	scsi_abort_release(&ab);
	ck_assert_int_eq(ndone, 0);
	/* the starter's own hold goes last: done runs then, once */
	scsi_abort_release(&ab);
	ck_assert_int_eq(ndone, 1);
}
END_TEST

static struct {
	struct scsi_nexus *nx[8];
	struct scsi_lu *lu[8];
	int n;
} A;

static void fake_abort_lu(struct scsi_nexus *nx, struct scsi_lu *lu, struct scsi_abort *ab)
{
	ck_assert_int_lt(A.n, 8);
	A.nx[A.n] = nx;
	A.lu[A.n] = lu;
	A.n++;
	scsi_abort_hold(ab);
}

START_TEST(test_lu_walk)
{
	struct scsi_abort ab = {.pending = 1, .done = count_done, .arg = &ndone};
	struct scsi_nexus nx3 = T.nx, none = T.nx;
	struct scsi_itl *itl3, *itl_none, *other;
	struct scsi_lu *lu2;
	int i;

	memset(&A, 0, sizeof(A));
	ndone = 0;
	T.nx.abort_lu = fake_abort_lu;
	T.nx2.abort_lu = fake_abort_lu;
	nx3.abort_lu = fake_abort_lu;
	strcpy(nx3.initiator_port, "iqn.2024-01.org.example:host3,i,0x000000000003");
	none.abort_lu = NULL; /* a nexus with nothing to abort */
	ck_assert_int_eq(scsi_itl_create(T.lu, &nx3, &itl3), 0);
	ck_assert_int_eq(scsi_itl_create(T.lu, &none, &itl_none), 0);
	/* host1 also sees another LU: that one is not touched */
	ck_assert_int_eq(scsi_lu_create(&T.mb->dev, scsi_lu_get_id(T.lu), &lu2), 0);
	ck_assert_int_eq(scsi_itl_create(lu2, &T.nx, &other), 0);

	scsi_lu_abort_tasks(T.lu, &T.nx, &ab);
	ck_assert_int_eq(A.n, 2);
	for (i = 0; i < A.n; i++) {
		ck_assert(A.nx[i] == &T.nx2 || A.nx[i] == &nx3);
		ck_assert_ptr_eq(A.lu[i], T.lu);
	}
	ck_assert_ptr_ne(A.nx[0], A.nx[1]);
	scsi_abort_release(&ab);
	ck_assert_int_eq(ndone, 0);
	scsi_abort_release(&ab);
	scsi_abort_release(&ab);
	ck_assert_int_eq(ndone, 1);

	scsi_itl_destroy(other);
	scsi_lu_destroy(lu2);
	scsi_itl_destroy(itl_none);
	scsi_itl_destroy(itl3);
	T.nx.abort_lu = NULL;
	T.nx2.abort_lu = NULL;
}
END_TEST

static Suite *abort_suite(void)
{
	Suite *s = suite_create("abort");
	TCase *tc = tcase_create("abort");

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_counter);
	tcase_add_test(tc, test_lu_walk);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(abort_suite)

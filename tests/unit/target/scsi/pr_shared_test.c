/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Persistent reservations with a shared state (pr_shared.c): two gateways
 * in one process, each its own LU over the test store (gateway A: the
 * test LU, its nexuses through target port 1; gateway B: a second LU, its
 * nexuses through target port 2), and a fake home behind struct
 * pr_shared_ops that does what the RADOS adapter does: read, apply, store
 * with a new version, deliver to the writer then the peer, answer once
 * both acknowledged.
 */
#include "tests/unit/target/scsi/pr_test_util.h"

#include "target/scsi/pr_int.h"

static struct {
	uint8_t *blob;
	size_t len;
	uint64_t ver;
	struct pr_shared_req *q[4];
	int nq;
	struct scsi_lu *gw[2]; /* [0] the writer's */
	bool hold_acks;	       /* the deliveries that wait for aborts stay pending */
} H;

struct ack_wait {
	struct pr_shared_req *req;
	int pending;
};

static struct scsi_lu *lub;
static struct scsi_nexus nb1, nb2, nb3;
static struct scsi_itl *b1, *b2, *b3;

static int home_submit(void *arg, struct pr_shared_req *req)
{
	ck_assert_ptr_eq(arg, &H);
	ck_assert_int_lt(H.nq, 4);
	H.q[H.nq++] = req;
	return 0;
}

static const struct pr_shared_ops home_ops = {.submit = home_submit};

static void home_acked(void *ctx)
{
	struct ack_wait *w = ctx;

	if (--w->pending == 0) {
		pr_shared_done(w->req, 0);
		free(w);
	}
}

/* Runs the queued requests; the writer is gw[0]. */
static void home_run(void)
{
	int i, k;

	for (i = 0; i < H.nq; i++) {
		struct pr_shared_req *req = H.q[i];
		uint8_t *blob = NULL, *ev = NULL;
		size_t blen = 0, evlen = 0;
		struct ack_wait *w;
		int ret = pr_shared_apply(req, H.blob, H.len, &blob, &blen, &ev, &evlen);

		ck_assert_int_ge(ret, 0);
		if (ret == 0) {
			pr_shared_done(req, 0);
			continue;
		}
		free(H.blob);
		H.blob = blob;
		H.len = blen;
		H.ver++;
		w = calloc(1, sizeof(*w));
		w->req = req;
		w->pending = 1;
		for (k = 0; k < 2; k++) {
			ret = pr_lu_deliver(H.gw[k], H.ver, blob, blen, ev, evlen, home_acked, w);
			ck_assert_int_ge(ret, 0);
			if (ret == 1)
				w->pending++;
		}
		free(ev);
		home_acked(w); /* the adapter's own hold */
	}
	H.nq = 0;
}

static enum scsi_exec_result sprout_start(struct t_cmd *t, struct scsi_itl *itl, uint8_t sa,
					  uint8_t type, uint64_t key, uint64_t sa_key)
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
	t->in_exec = true;
	res = scsi_cmd_exec(&t->cmd);
	t->in_exec = false;
	return res;
}

/* A PERSISTENT RESERVE OUT through the gateway of itl, run to its end. */
static uint8_t sprout(struct scsi_itl *itl, uint8_t sa, uint8_t type, uint64_t key, uint64_t sa_key)
{
	struct t_cmd t;
	uint8_t st;

	H.gw[0] = itl->lu;
	H.gw[1] = itl->lu == T.lu ? lub : T.lu;
	ck_assert_int_eq(sprout_start(&t, itl, sa, type, key, sa_key), SCSI_EXEC_ASYNC);
	ck_assert_int_eq(t.ndone, 0);
	home_run();
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_int_eq(t.done_inside_exec, 0);
	st = t.cmd.status;
	t_cmd_fini(&t);
	return st;
}

static uint32_t keys_on(struct scsi_itl *itl, uint32_t *gen)
{
	uint8_t d[4096];

	ck_assert_uint_eq(prin(itl, SCSI_PRIN_READ_KEYS, 4096, d, NULL), ST_GOOD);
	if (gen)
		*gen = get_be32(d);
	return get_be32(d + 4) / 8;
}

static void attach_b(struct scsi_nexus *nx, const char *port, struct scsi_itl **itl)
{
	*nx = T.nx;
	nx->tpg_tag = 2;
	nx->abort_lu = NULL;
	strcpy(nx->initiator_port, port);
	ck_assert_int_eq(scsi_itl_create(lub, nx, itl), 0);
	scsi_itl_take_ua(*itl);
}

static void shared_setup(void)
{
	struct scsi_lu_id id;

	pr_setup();
	id = T.lu->id;
	memset(&H, 0, sizeof(H));
	ck_assert_int_eq(scsi_lu_create(&T.mb->dev, &id, &lub), 0);
	lub->owns_bs = false;
	/* the same initiators as on A (host1, host2, host3), through B's port */
	attach_b(&nb1, T.nx.initiator_port, &b1);
	attach_b(&nb2, T.nx2.initiator_port, &b2);
	attach_b(&nb3, nx3.initiator_port, &b3);
	/* the home starts with the empty state */
	ck_assert_int_eq(pr_lu_snapshot(lub, &H.blob, &H.len), 0);
	pr_lu_set_shared(T.lu, &home_ops, &H);
	pr_lu_set_shared(lub, &home_ops, &H);
}

static void shared_teardown(void)
{
	scsi_itl_destroy(b1);
	scsi_itl_destroy(b2);
	scsi_itl_destroy(b3);
	scsi_lu_destroy(lub);
	pr_teardown();
	free(H.blob);
}

START_TEST(test_register_seen_through_peer)
{
	uint32_t ga, gb;

	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), ST_GOOD);
	/* READ KEYS through B, at once: the command was answered after B applied it */
	ck_assert_uint_eq(keys_on(b2, &gb), 1);
	ck_assert_uint_eq(keys_on(T.itl2, &ga), 1);
	ck_assert_uint_eq(ga, gb);
	ck_assert_uint_eq(ga, 1);
	/* a registration through A is not one through B (another I_T nexus) */
	ck_assert_uint_eq(sprout(b1, SCSI_PROUT_REGISTER, 0, K1, K2), ST_RC);
	ck_assert_uint_eq(sprout(b1, SCSI_PROUT_REGISTER, 0, 0, K2), ST_GOOD);
	ck_assert_uint_eq(keys_on(T.itl2, &ga), 2);
	ck_assert_uint_eq(ga, 2);
	/* nothing but a change is stored: the home's version moved twice */
	ck_assert_uint_eq(H.ver, 2);
	no_ua();
}
END_TEST

START_TEST(test_reservation_holds_on_peer)
{
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), ST_GOOD);
	ck_assert_uint_eq(sprout(b3, SCSI_PROUT_REGISTER, 0, 0, K3), ST_GOOD);
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	/* SPC-4 §5.13.1 table 65 through B: the unregistered conflict, a registrant writes */
	ck_assert_uint_eq(do_write(b2), ST_RC);
	ck_assert_uint_eq(do_read(b2), ST_GOOD);
	ck_assert_uint_eq(do_write(b3), ST_GOOD);
	/* host1 is registered through A only: through B it is not */
	ck_assert_uint_eq(do_write(b1), ST_RC);
	ck_assert_uint_eq(do_write(T.itl), ST_GOOD);
	/* PREEMPT from B: the holder's key goes, B's registrant holds */
	ck_assert_uint_eq(sprout(b3, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_WE_RO, K3, K1), ST_GOOD);
	/* the preempted nexus on the other gateway is told first, then conflicts */
	ck_assert_uint_eq(take_ua(T.itl), T_UA_REGS_PREEMPTED);
	ck_assert_uint_eq(do_write(T.itl), ST_RC);
	ck_assert_uint_eq(do_write(b3), ST_GOOD);
	ck_assert_uint_eq(take_ua(b3), 0); /* the sender is not told */
	ck_assert_uint_eq(take_ua(T.itl2), 0);
}
END_TEST

/* A transport behind A's nexuses that holds every abort until the test lets it go. */
static struct {
	struct scsi_abort *ab[4];
	struct scsi_nexus *nx[4];
	int n;
} AB;

static void hold_abort(struct scsi_nexus *nx, struct scsi_lu *lu, struct scsi_abort *ab)
{
	(void)lu;
	ck_assert_int_lt(AB.n, 4);
	AB.ab[AB.n] = ab;
	AB.nx[AB.n++] = nx;
	scsi_abort_hold(ab);
}

START_TEST(test_preempt_and_abort_reaches_peer)
{
	struct t_cmd t;

	memset(&AB, 0, sizeof(AB));
	T.nx.abort_lu = hold_abort;
	T.nx2.abort_lu = hold_abort;
	nb2.abort_lu = hold_abort;
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), ST_GOOD);
	ck_assert_uint_eq(sprout(b2, SCSI_PROUT_REGISTER, 0, 0, K2), ST_GOOD);
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA, K1, 0), ST_GOOD);
	ck_assert_uint_eq(do_read(b2), ST_RC);

	/* PREEMPT AND ABORT from B of A's holder: A's nexus loses its tasks */
	H.gw[0] = lub;
	H.gw[1] = T.lu;
	ck_assert_int_eq(
	    sprout_start(&t, b2, SCSI_PROUT_PREEMPT_AND_ABORT, SCSI_PR_TYPE_EA, K2, K1),
	    SCSI_EXEC_ASYNC);
	home_run();
	ck_assert_int_eq(AB.n, 1);
	ck_assert_ptr_eq(AB.nx[0], &T.nx);
	ck_assert_uint_eq(AB.ab[0]->ua, SCSI_UA_COMMANDS_CLEARED_BY_ANOTHER);
	/* the new state holds on both gateways at once */
	ck_assert_uint_eq(do_read(b2), ST_GOOD);
	ck_assert_uint_eq(take_ua(T.itl), T_UA_REGS_PREEMPTED);
	ck_assert_uint_eq(do_read(T.itl), ST_RC);
	/* SPC-4 §5.13.11.4.5: answered only once A's aborted tasks have left its engine */
	ck_assert_int_eq(t.ndone, 0);
	scsi_abort_release(AB.ab[0]);
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_uint_eq(t.cmd.status, ST_GOOD);
	t_cmd_fini(&t);
	T.nx.abort_lu = NULL;
	T.nx2.abort_lu = NULL;
}
END_TEST

START_TEST(test_clear_and_release_unit_attentions)
{
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), ST_GOOD);
	ck_assert_uint_eq(sprout(b2, SCSI_PROUT_REGISTER, 0, 0, K2), ST_GOOD);
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	/* SPC-4 §5.13.11.2: releasing a registrants only type tells the registrants on B */
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_RELEASE, SCSI_PR_TYPE_WE_RO, K1, 0), ST_GOOD);
	ck_assert_uint_eq(take_ua(b2), T_UA_RESV_RELEASED);
	ck_assert_uint_eq(take_ua(T.itl), 0);
	/* CLEAR from B: RESERVATIONS PREEMPTED for A's registrant */
	ck_assert_uint_eq(sprout(b2, SCSI_PROUT_CLEAR, 0, K2, 0), ST_GOOD);
	ck_assert_uint_eq(take_ua(T.itl), T_UA_RESV_PREEMPTED);
	ck_assert_uint_eq(take_ua(b2), 0);
	ck_assert_uint_eq(keys_on(b1, NULL), 0);
	no_ua();
}
END_TEST

START_TEST(test_each_change_once)
{
	uint8_t *blob = NULL;
	size_t len = 0;
	uint32_t gen;

	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), ST_GOOD);
	ck_assert_int_eq(pr_lu_snapshot(lub, &blob, &len), 0);
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, K1, 0), ST_GOOD);
	/* an older version arriving late changes nothing */
	ck_assert_int_eq(
	    pr_lu_deliver(lub, 1, blob, len, (const uint8_t *)"\0\1\1x", 4, NULL, NULL), 0);
	ck_assert_uint_eq(keys_on(b2, &gen), 0);
	ck_assert_uint_eq(gen, 2);
	/* damaged effects or state: -EINVAL, nothing applied */
	ck_assert_int_eq(
	    pr_lu_deliver(lub, 9, blob, len, (const uint8_t *)"\0\1\2x", 4, NULL, NULL), -EINVAL);
	blob[len - 1] ^= 1;
	ck_assert_int_eq(
	    pr_lu_deliver(lub, 9, blob, len, (const uint8_t *)"\0\1\1x", 4, NULL, NULL), -EINVAL);
	ck_assert_uint_eq(keys_on(b2, NULL), 0);
	free(blob);
}
END_TEST

START_TEST(test_replace_with_nexuses_attached)
{
	uint8_t *blob = NULL, *empty = NULL;
	size_t len = 0, elen = 0;

	/* a state made on a local LU (A, not shared), replacing B's under its nexuses */
	pr_lu_set_shared(T.lu, NULL, NULL);
	ck_assert_int_eq(pr_lu_snapshot(lub, &empty, &elen), 0);
	ck_assert_uint_eq(reg(itl3, K3), ST_GOOD);
	ck_assert_uint_eq(prout(itl3, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_WE, K3, 0), ST_GOOD);
	ck_assert_int_eq(pr_lu_snapshot(T.lu, &blob, &len), 0);
	ck_assert_uint_eq(do_write(b3), ST_GOOD);
	ck_assert_int_eq(pr_lu_replace(lub, 7, blob, len), 0);
	/* B serves it at once: host3 through B is another nexus than through A */
	ck_assert_uint_eq(keys_on(b2, NULL), 1);
	ck_assert_uint_eq(do_write(b3), ST_RC);
	ck_assert_uint_eq(do_write(b2), ST_RC);
	ck_assert_uint_eq(do_read(b2), ST_GOOD);
	/* no unit attention: what changed is not known */
	ck_assert_uint_eq(take_ua(b1), 0);
	ck_assert_uint_eq(take_ua(b2), 0);
	ck_assert_uint_eq(take_ua(b3), 0);
	/* a damaged blob: -EINVAL and the state stays */
	blob[5] = 0x80;
	ck_assert_int_eq(pr_lu_replace(lub, 8, blob, len), -EINVAL);
	ck_assert_uint_eq(do_write(b2), ST_RC);
	/* back to empty: every nexus writes again */
	ck_assert_int_eq(pr_lu_replace(lub, 8, empty, elen), 0);
	ck_assert_uint_eq(do_write(b2), ST_GOOD);
	ck_assert_uint_eq(keys_on(b2, NULL), 0);
	free(blob);
	free(empty);
}
END_TEST

START_TEST(test_stale_answers_busy)
{
	uint8_t inq[16] = {SCSI_OP_INQUIRY, 0, 0, 0, 96};
	uint8_t *blob = NULL;
	size_t len = 0;

	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), ST_GOOD);
	pr_lu_set_stale(lub);
	/* SAM-5 §5.3.1: BUSY for what depends on the state, INQUIRY still answered */
	ck_assert_uint_eq(do_write(b2), SCSI_STATUS_BUSY);
	ck_assert_uint_eq(do_read(b2), SCSI_STATUS_BUSY);
	ck_assert_uint_eq(prin(b2, SCSI_PRIN_READ_KEYS, 4096, NULL, NULL), SCSI_STATUS_BUSY);
	ck_assert_uint_eq(do_simple(b2, inq, 96), ST_GOOD);
	/* a nexus that logs in meanwhile waits too */
	{
		struct scsi_nexus nx;
		struct scsi_itl *itl;

		attach_b(&nx, "iqn.2024-01.org.example:late,i,0x000000000007", &itl);
		ck_assert_uint_eq(do_write(itl), SCSI_STATUS_BUSY);
		scsi_itl_destroy(itl);
	}
	/* the other gateway is not concerned */
	ck_assert_uint_eq(do_write(T.itl2), ST_GOOD);
	/* read again: served */
	ck_assert_int_eq(pr_lu_snapshot(T.lu, &blob, &len), 0);
	ck_assert_int_eq(pr_lu_replace(lub, H.ver, blob, len), 0);
	ck_assert_uint_eq(do_write(b2), ST_GOOD);
	ck_assert_uint_eq(keys_on(b2, NULL), 1);
	free(blob);
}
END_TEST

START_TEST(test_outcomes_without_change)
{
	/* nothing to store: the verdict alone, and the home keeps its version */
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, K1, K2), ST_RC);
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, 0, 0), ST_GOOD);
	ck_assert_uint_eq(H.ver, 0);
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), ST_GOOD);
	/* PREEMPT of key 0 without a reservation: CHECK CONDITION, as on a local state */
	ck_assert_uint_eq(sprout(T.itl, SCSI_PROUT_PREEMPT, SCSI_PR_TYPE_WE, K1, 0), ST_CC);
	ck_assert_uint_eq(H.ver, 1);
}
END_TEST

START_TEST(test_blob_aptpl)
{
	uint8_t *blob = NULL;
	size_t len = 0;

	/* SPC-4 §5.13.5: the flag the last REGISTER carried */
	pr_lu_set_shared(T.lu, NULL, NULL);
	ck_assert_uint_eq(reg(T.itl, K1), ST_GOOD);
	ck_assert_int_eq(pr_lu_snapshot(T.lu, &blob, &len), 0);
	ck_assert(!pr_blob_aptpl(blob, len));
	free(blob);
	ck_assert_uint_eq(
	    prout_full(T.itl, SCSI_PROUT_REGISTER, 0, K1, K2, SCSI_PROUT_F_APTPL, 0, NULL),
	    ST_GOOD);
	ck_assert_int_eq(pr_lu_snapshot(T.lu, &blob, &len), 0);
	ck_assert(pr_blob_aptpl(blob, len));
	/* a damaged blob is nothing to keep */
	blob[len - 1] ^= 1;
	ck_assert(!pr_blob_aptpl(blob, len));
	ck_assert(!pr_blob_aptpl(NULL, 0));
	free(blob);
	pr_lu_set_save(T.lu, NULL, NULL);
}
END_TEST

static int fail_submit(void *arg, struct pr_shared_req *req)
{
	(void)arg;
	(void)req;
	return -ENOMEM;
}

static const struct pr_shared_ops fail_ops = {.submit = fail_submit};

START_TEST(test_home_failures)
{
	struct t_cmd t;

	/* a request the home does not take: CHECK CONDITION at once */
	pr_lu_set_shared(T.lu, &fail_ops, NULL);
	ck_assert_uint_eq(reg(T.itl, K1), ST_CC);
	pr_lu_set_shared(T.lu, &home_ops, &H);
	/* a state not stored: ABORTED COMMAND, and nothing changed anywhere */
	ck_assert_int_eq(sprout_start(&t, T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), SCSI_EXEC_ASYNC);
	ck_assert_int_eq(H.nq, 1);
	H.nq = 0;
	pr_shared_done(H.q[0], -EIO);
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_uint_eq(t.cmd.status, ST_CC);
	t_cmd_fini(&t);
	ck_assert_uint_eq(keys_on(b2, NULL), 0);
	ck_assert_uint_eq(keys_on(T.itl2, NULL), 0);
	/* a damaged home state: the apply says so */
	ck_assert_int_eq(sprout_start(&t, T.itl, SCSI_PROUT_REGISTER, 0, 0, K1), SCSI_EXEC_ASYNC);
	{
		uint8_t *blob = NULL, *ev = NULL, bad[8] = "PTPRxxxx";
		size_t bl, el;

		ck_assert_int_eq(pr_shared_apply(H.q[0], bad, sizeof(bad), &blob, &bl, &ev, &el),
				 -EINVAL);
	}
	H.nq = 0;
	pr_shared_done(H.q[0], -EINVAL);
	t_cmd_fini(&t);
}
END_TEST

static Suite *pr_shared_suite(void)
{
	Suite *s = suite_create("pr_shared");
	TCase *tc = tcase_create("gateways");

	tcase_add_checked_fixture(tc, shared_setup, shared_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_register_seen_through_peer);
	tcase_add_test(tc, test_reservation_holds_on_peer);
	tcase_add_test(tc, test_preempt_and_abort_reaches_peer);
	tcase_add_test(tc, test_clear_and_release_unit_attentions);
	tcase_add_test(tc, test_each_change_once);
	tcase_add_test(tc, test_replace_with_nexuses_attached);
	tcase_add_test(tc, test_stale_answers_busy);
	tcase_add_test(tc, test_outcomes_without_change);
	tcase_add_test(tc, test_home_failures);
	tcase_add_test(tc, test_blob_aptpl);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pr_shared_suite)

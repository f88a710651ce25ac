/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prkill: persistent reservations with APTPL from two initiators, for a
 * test that kills porticod (SIGKILL) at any moment and reads the state back.
 *
 *   prkill run URL STEPS   from whatever state the LU is in, PERSISTENT RESERVE OUT
 *                          commands of two nodes in a fixed cycle (register, clear,
 *                          reserve, preempt and abort, release, preempt), APTPL on. Before
 *                          each command it prints "P <state the command leads to>", after
 *                          its GOOD "OK <state>" (flushed): whatever porticod holds after
 *                          a kill is the last OK state or the P state after it. Exits 0
 *                          after STEPS commands, 3 when the connection goes (the kill),
 *                          1 when a command is answered otherwise than it should be.
 *   prkill state URL       prints "STATE <state>", as READ KEYS and READ RESERVATION say
 *
 * A state is "A=<key|-> B=<key|-> R=<A|B|->/<type>": node A's keys start
 * with AAh, node B's with BBh, so the keys say whose they are.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/functional/ft.h"

#define NODE_A "iqn.2026-01.org.portico.test:prkill-a"
#define NODE_B "iqn.2026-01.org.portico.test:prkill-b"
#define KEY_A 0xaa00000000000000ull
#define KEY_B 0xbb00000000000000ull
#define KEY_OWNER(k) ((k) >> 56)
#define TYPE_WE 1
#define TYPE_WE_RO 5

/*
 * Each node is one I_T nexus across runs, as a host's initiator is (its
 * ISID is fixed per interface): libiscsi draws a new ISID for every
 * context, and a node that came back with another one would be a second
 * registrant (SPC-4 §5.13.7: a registration is an I_T nexus's) next to its
 * registration from before the kill. The reader of the state is a nexus
 * of its own, which registers nothing.
 */
#define ISID_A 0xa0001u
#define ISID_B 0xb0001u
#define ISID_READER 0xc0001u

struct state {
	uint64_t key[2]; /* node A's, node B's; 0: not registered */
	int holder;	 /* -1 none, 0 A, 1 B */
	int type;
};

static void state_str(const struct state *s, char *buf, size_t len)
{
	char a[24] = "-", b[24] = "-";

	if (s->key[0])
		snprintf(a, sizeof(a), "%016" PRIx64, s->key[0]);
	if (s->key[1])
		snprintf(b, sizeof(b), "%016" PRIx64, s->key[1]);
	snprintf(buf, len, "A=%s B=%s R=%s/%d", a, b,
		 s->holder < 0 ? "-"
		 : s->holder   ? "B"
			       : "A",
		 s->holder < 0 ? 0 : s->type);
}

/* -1: the connection went (the kill); otherwise the SCSI status. */
static int pr_in(struct ft_lun *l, int sa, struct scsi_task **out)
{
	struct scsi_task *task = iscsi_persistent_reserve_in_sync(l->iscsi, l->lun, sa, 4096);

	*out = task;
	if (!task)
		return -1;
	return task->status;
}

/* ft_open() as initiator through the I_T nexus of ISID isid. */
static bool open_nexus(struct ft_lun *l, const char *url, const char *initiator, uint32_t isid)
{
	struct iscsi_context *iscsi = iscsi_create_context(initiator);

	if (!iscsi) {
		fprintf(stderr, "cannot create an iSCSI context\n");
		return false;
	}
	if (iscsi_set_isid_random(iscsi, isid, 0)) {
		fprintf(stderr, "cannot set the ISID: %s\n", iscsi_get_error(iscsi));
		iscsi_destroy_context(iscsi);
		return false;
	}
	return ft_open_ctx(l, iscsi, url, false);
}

/* Reads the state; false with a message when it is not one a node of ours made. */
static int read_state(struct ft_lun *l, struct state *st)
{
	struct scsi_persistent_reserve_in_read_reservation *rr;
	struct scsi_persistent_reserve_in_read_keys *rk;
	struct scsi_task *task;
	int i, rc;

	memset(st, 0, sizeof(*st));
	st->holder = -1;
	rc = pr_in(l, SCSI_PERSISTENT_RESERVE_READ_KEYS, &task);
	if (rc)
		goto bad;
	rk = scsi_datain_unmarshall(task);
	for (i = 0; rk && i < rk->num_keys; i++) {
		int who = KEY_OWNER(rk->keys[i]) == 0xaa   ? 0
			  : KEY_OWNER(rk->keys[i]) == 0xbb ? 1
							   : -1;

		if (who < 0 || st->key[who]) {
			fprintf(stderr, "READ KEYS: key 0x%016" PRIx64 " is not one of ours\n",
				rk->keys[i]);
			scsi_free_scsi_task(task);
			return 1;
		}
		st->key[who] = rk->keys[i];
	}
	scsi_free_scsi_task(task);
	rc = pr_in(l, SCSI_PERSISTENT_RESERVE_READ_RESERVATION, &task);
	if (rc)
		goto bad;
	rr = scsi_datain_unmarshall(task);
	if (rr && rr->reserved) {
		st->holder = rr->reservation_key == st->key[0] && st->key[0]   ? 0
			     : rr->reservation_key == st->key[1] && st->key[1] ? 1
									       : -2;
		st->type = rr->pr_type;
		if (st->holder == -2) {
			fprintf(stderr,
				"READ RESERVATION: holder key 0x%016" PRIx64 " not registered\n",
				rr->reservation_key);
			scsi_free_scsi_task(task);
			return 1;
		}
	}
	scsi_free_scsi_task(task);
	return 0;
bad:
	if (task)
		scsi_free_scsi_task(task);
	return rc < 0 ? 3 : 1;
}

/*
 * One PERSISTENT RESERVE OUT, past the unit attentions a preempted node or
 * a restart leaves (PR OUT is not exempt from them). -1 when the
 * connection went, else the final status.
 */
static int pr_out(struct ft_lun *l, int sa, int type, uint64_t key, uint64_t sa_key, bool aptpl)
{
	struct scsi_persistent_reserve_out_basic p = {
	    .reservation_key = key, .service_action_reservation_key = sa_key, .aptpl = aptpl};
	int i, st = -1;

	for (i = 0; i < 8; i++) {
		struct scsi_task *task =
		    iscsi_persistent_reserve_out_sync(l->iscsi, l->lun, sa, 0, type, &p);

		if (!task)
			return -1;
		st = task->status;
		if (st == SCSI_STATUS_CHECK_CONDITION &&
		    task->sense.key == SCSI_SENSE_UNIT_ATTENTION) {
			scsi_free_scsi_task(task);
			continue;
		}
		if (st != SCSI_STATUS_GOOD && st != SCSI_STATUS_CHECK_CONDITION &&
		    st != SCSI_STATUS_RESERVATION_CONFLICT)
			st = -1; /* what libiscsi says when the connection is gone */
		scsi_free_scsi_task(task);
		return st;
	}
	return st;
}

struct step {
	int node;
	int sa;
	int type;
};

/* The cycle; the first two steps bring any state to none. */
static const struct step cycle[] = {
    {1, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0},
    {1, SCSI_PERSISTENT_RESERVE_CLEAR, 0},
    {0, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0},
    {1, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0},
    {0, SCSI_PERSISTENT_RESERVE_RESERVE, TYPE_WE_RO},
    {1, SCSI_PERSISTENT_RESERVE_PREEMPT_AND_ABORT, TYPE_WE_RO},
    {0, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0},
    {1, SCSI_PERSISTENT_RESERVE_RELEASE, TYPE_WE_RO},
    {0, SCSI_PERSISTENT_RESERVE_RESERVE, TYPE_WE},
    {1, SCSI_PERSISTENT_RESERVE_PREEMPT, TYPE_WE},
    {1, SCSI_PERSISTENT_RESERVE_RELEASE, TYPE_WE},
};
#define NSTEPS (sizeof(cycle) / sizeof(cycle[0]))
#define CYCLE_START 2 /* where the cycle goes on after its last step */

/* The model: what st becomes when step runs GOOD with new_key for a register. */
static void apply(struct state *st, const struct step *s, uint64_t new_key)
{
	int other = !s->node;

	switch (s->sa) {
	case SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY:
		st->key[s->node] = new_key;
		break;
	case SCSI_PERSISTENT_RESERVE_CLEAR:
		st->key[0] = st->key[1] = 0;
		st->holder = -1;
		st->type = 0;
		break;
	case SCSI_PERSISTENT_RESERVE_RESERVE:
		st->holder = s->node;
		st->type = s->type;
		break;
	case SCSI_PERSISTENT_RESERVE_RELEASE:
		st->holder = -1;
		st->type = 0;
		break;
	default: /* PREEMPT (AND ABORT) of the other node's key, which holds */
		st->key[other] = 0;
		st->holder = s->node;
		st->type = s->type;
		break;
	}
}

static int cmd_run(const char *url, unsigned long steps)
{
	struct ft_lun node[2];
	struct state st, next;
	uint64_t serial = ft_seed() & 0xffffffffffffull;
	char buf[128];
	unsigned long n;
	size_t i = 0;
	int rc;

	if (!open_nexus(&node[0], url, NODE_A, ISID_A))
		return 3;
	if (!open_nexus(&node[1], url, NODE_B, ISID_B)) {
		ft_close(node[0].iscsi, false);
		return 3;
	}
	rc = read_state(&node[1], &st);
	if (rc)
		goto out;
	state_str(&st, buf, sizeof(buf));
	printf("OK %s\n", buf);
	fflush(stdout);
	for (n = 0; n < steps; n++) {
		const struct step *s = &cycle[i];
		uint64_t new_key = (s->node ? KEY_B : KEY_A) | (++serial & 0xffffffffffffull);
		uint64_t key = st.key[s->node], sa_key = 0;
		int status;

		if (s->sa == SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY)
			sa_key = new_key;
		else if (s->sa == SCSI_PERSISTENT_RESERVE_PREEMPT ||
			 s->sa == SCSI_PERSISTENT_RESERVE_PREEMPT_AND_ABORT)
			sa_key = st.key[!s->node];
		next = st;
		apply(&next, s, new_key);
		state_str(&next, buf, sizeof(buf));
		printf("P %s\n", buf);
		fflush(stdout);
		status = pr_out(&node[s->node], s->sa, s->type, key, sa_key, true);
		if (status < 0) {
			rc = 3;
			goto out;
		}
		if (status != SCSI_STATUS_GOOD) {
			fprintf(stderr, "step %zu (node %c, service action %d): status 0x%02x\n", i,
				'A' + s->node, s->sa, status);
			rc = 1;
			goto out;
		}
		st = next;
		printf("OK %s\n", buf);
		fflush(stdout);
		i = i + 1 < NSTEPS ? i + 1 : CYCLE_START;
	}
	rc = 0;
out:
	ft_close(node[0].iscsi, rc == 0);
	ft_close(node[1].iscsi, rc == 0);
	return rc;
}

static int cmd_state(const char *url)
{
	struct ft_lun l;
	struct state st;
	char buf[128];
	int rc;

	if (!open_nexus(&l, url, NODE_B, ISID_READER))
		return 3;
	rc = read_state(&l, &st);
	if (!rc) {
		state_str(&st, buf, sizeof(buf));
		printf("STATE %s\n", buf);
	}
	ft_close(l.iscsi, true);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "run") == 0)
		return cmd_run(argv[2], strtoul(argv[3], NULL, 0));
	if (argc == 3 && strcmp(argv[1], "state") == 0)
		return cmd_state(argv[2]);
	fprintf(stderr, "usage: prkill run URL STEPS | prkill state URL\n");
	return 2;
}

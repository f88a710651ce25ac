/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The persistent reservation store (target/pr_store.c) in a temporary
 * directory: the atomic file write and its read, names made safe, and an LU
 * whose APTPL state goes through the writer thread and comes back in a new
 * LU, as after a restart; damaged files are ignored.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/be.h"
#include "common/ev.h"
#include "target/model/pr_store.h"
#include "target/scsi/pr.h"
#include "target/scsi/scsi.h"
#include "target/scsi/scsi_int.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/scsi/mem_bs.h"

#define K1 0x1111111111111111ull
#define K2 0x2222222222222222ull

static char dir[64];
static struct ev_loop *loop;
static struct mem_bs *mb;
static const struct scsi_lu_id lu_id = {.serial = "PRSTORE1",
					.naa = {0x30, 1, 2, 3, 4, 5, 6, 7},
					.vendor = "PORTICO",
					.product = "disk",
					.revision = "0001"};

static void setup(void)
{
	strcpy(dir, "/tmp/portico-prstore-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(ev_loop_create(&loop), 0);
	mb = mem_create(512, 64, false, false, true);
	scsi_init();
}

static void teardown(void)
{
	char cmd[128];

	pr_store_shutdown();
	mem_destroy(mb);
	ev_loop_destroy(loop);
	/* the directory is ours (mkdtemp) */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void path_of(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/pr/%s", dir, name);
}

static size_t entries(const char *sub)
{
	char p[128];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	d = opendir(p);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..")))
			n++;
	closedir(d);
	return n;
}

START_TEST(test_write_read_remove)
{
	const uint8_t blob[] = "a state";
	char p[128];
	uint8_t *back;
	size_t len;
	struct stat st;

	ck_assert_int_eq(pr_store_read_file(dir, "S1", &back, &len), -ENOENT);
	ck_assert_ptr_null(back);
	ck_assert_int_eq(pr_store_write_file(dir, "S1", blob, sizeof(blob)), 0);
	ck_assert_int_eq(pr_store_read_file(dir, "S1", &back, &len), 0);
	ck_assert_uint_eq(len, sizeof(blob));
	ck_assert_int_eq(memcmp(back, blob, len), 0);
	free(back);
	/* the directory is the daemon's alone, the file too; no temporary file is left */
	snprintf(p, sizeof(p), "%s/pr", dir);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	path_of("S1", p, sizeof(p));
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_uint_eq(entries("pr"), 1);
	/* replaced whole */
	ck_assert_int_eq(pr_store_write_file(dir, "S1", (const uint8_t *)"x", 1), 0);
	ck_assert_int_eq(pr_store_read_file(dir, "S1", &back, &len), 0);
	ck_assert_uint_eq(len, 1);
	free(back);
	ck_assert_uint_eq(entries("pr"), 1);
	/* length 0 removes it; removing what is not there is fine */
	ck_assert_int_eq(pr_store_write_file(dir, "S1", NULL, 0), 0);
	ck_assert_int_eq(pr_store_read_file(dir, "S1", &back, &len), -ENOENT);
	ck_assert_int_eq(pr_store_write_file(dir, "S1", NULL, 0), 0);
	ck_assert_uint_eq(entries("pr"), 0);
}
END_TEST

START_TEST(test_names_stay_inside)
{
	char p[128];
	uint8_t *back;
	size_t len;
	struct stat st;

	/* a serial may hold any printable character: none of them leaves the directory */
	ck_assert_int_eq(pr_store_write_file(dir, "../x/y", (const uint8_t *)"1", 1), 0);
	ck_assert_int_eq(pr_store_write_file(dir, ".hidden", (const uint8_t *)"2", 1), 0);
	path_of("%2E.%2Fx%2Fy", p, sizeof(p));
	ck_assert_int_eq(stat(p, &st), 0);
	path_of("%2Ehidden", p, sizeof(p));
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(entries(""), 1); /* only pr/ */
	ck_assert_int_eq(pr_store_read_file(dir, "../x/y", &back, &len), 0);
	ck_assert_uint_eq(back[0], '1');
	free(back);
	ck_assert_int_eq(pr_store_write_file(dir, "", (const uint8_t *)"1", 1), -EINVAL);
}
END_TEST

START_TEST(test_read_refuses_odd_files)
{
	char p[128];
	uint8_t *back;
	size_t len;
	int fd;

	ck_assert_int_eq(pr_store_write_file(dir, "S2", (const uint8_t *)"1", 1), 0);
	/* larger than any state */
	path_of("S2", p, sizeof(p));
	fd = open(p, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, PR_BLOB_MAX + 1), 0);
	close(fd);
	ck_assert_int_eq(pr_store_read_file(dir, "S2", &back, &len), -EFBIG);
	/* not a file */
	path_of("S3", p, sizeof(p));
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(pr_store_read_file(dir, "S3", &back, &len), -EISDIR);
}
END_TEST

/* Commands through the engine, from inside the loop, as an I/O thread runs them. */

struct prs_cmd {
	struct scsi_cmd cmd;
	uint8_t buf[4096];
	int ndone;
	enum scsi_exec_result res;
};

static void prs_done(struct scsi_cmd *cmd)
{
	struct prs_cmd *c = cmd->priv;

	c->ndone++;
}

static void prs_exec(void *arg)
{
	struct prs_cmd *c = arg;

	ck_assert_int_eq(scsi_cmd_parse(&c->cmd), SENSE_OK);
	c->cmd.buf = c->buf;
	c->cmd.buf_len = c->cmd.xfer_len;
	c->res = scsi_cmd_exec(&c->cmd);
	if (c->res == SCSI_EXEC_DONE)
		c->ndone++;
}

/* Runs the loop until c completed, at most 10 s. */
static void prs_wait(struct prs_cmd *c)
{
	int64_t end = ev_now_ms() + 10000;

	while (!c->ndone && ev_now_ms() < end)
		ev_run_once(loop, 100);
	ck_assert_int_eq(c->ndone, 1);
}

static void prs_init(struct prs_cmd *c, struct scsi_itl *itl, struct scsi_nexus *nx,
		     const uint8_t *cdb)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->cmd.cdb, cdb, 16);
	c->cmd.cdb_len = 16;
	c->cmd.itl = itl;
	c->cmd.nexus = nx;
	c->cmd.done = prs_done;
	c->cmd.priv = c;
}

static uint8_t prs_prout(struct scsi_itl *itl, struct scsi_nexus *nx, uint8_t sa, uint8_t type,
			 uint64_t key, uint64_t sa_key, uint8_t flags, enum scsi_exec_result *res)
{
	uint8_t cdb[16] = {0x5f, sa, type};
	struct prs_cmd *c = calloc(1, sizeof(*c));
	uint8_t st;

	put_be32(cdb + 5, 24);
	prs_init(c, itl, nx, cdb);
	put_be64(c->buf, key);
	put_be64(c->buf + 8, sa_key);
	c->buf[20] = flags;
	ck_assert_int_eq(ev_post(loop, prs_exec, c), 0);
	prs_wait(c);
	st = c->cmd.status;
	if (res)
		*res = c->res;
	free(c);
	return st;
}

static void nexus(struct scsi_nexus *nx, const char *name)
{
	memset(nx, 0, sizeof(*nx));
	snprintf(nx->initiator_port, sizeof(nx->initiator_port), "%s", name);
	nx->target_name = "iqn.2024-01.org.portico:tgt";
	nx->tpg_tag = 1;
}

START_TEST(test_aptpl_survives_restart)
{
	struct scsi_nexus n1, n2;
	struct scsi_lu *lu;
	struct scsi_itl *a, *b;
	enum scsi_exec_result res;
	uint8_t *blob;
	size_t len;

	nexus(&n1, "iqn.2024-01.org.example:host1,i,0x000000000001");
	nexus(&n2, "iqn.2024-01.org.example:host2,i,0x000000000002");
	ck_assert_int_eq(scsi_lu_create(&mb->dev, &lu_id, &lu), 0);
	/* no file yet: nothing restored, saves go there from now on */
	ck_assert_int_eq(pr_store_attach(lu, dir, lu_id.serial), 0);
	ck_assert_int_eq(scsi_itl_create(lu, &n1, &a), 0);
	ck_assert_int_eq(scsi_itl_create(lu, &n2, &b), 0);
	scsi_itl_take_ua(a);
	scsi_itl_take_ua(b);
	/* without APTPL: synchronous, no file */
	ck_assert_uint_eq(prs_prout(b, &n2, SCSI_PROUT_REGISTER, 0, 0, K2, 0, &res), 0);
	ck_assert_int_eq(res, SCSI_EXEC_DONE);
	ck_assert_uint_eq(entries("pr"), 0);
	/* APTPL: the command completes after the writer thread made it durable */
	ck_assert_uint_eq(
	    prs_prout(a, &n1, SCSI_PROUT_REGISTER, 0, 0, K1, SCSI_PROUT_F_APTPL, &res), 0);
	ck_assert_int_eq(res, SCSI_EXEC_ASYNC);
	ck_assert_uint_eq(prs_prout(a, &n1, SCSI_PROUT_RESERVE, SCSI_PR_TYPE_EA, K1, 0, 0, &res),
			  0);
	ck_assert_int_eq(res, SCSI_EXEC_ASYNC);
	ck_assert_int_eq(pr_store_read_file(dir, lu_id.serial, &blob, &len), 0);
	free(blob);
	scsi_itl_destroy(a);
	scsi_itl_destroy(b);
	scsi_lu_destroy(lu);

	/* "restart": a new LU gets the state back, and enforces it on the nexuses that return */
	ck_assert_int_eq(scsi_lu_create(&mb->dev, &lu_id, &lu), 0);
	ck_assert_int_eq(pr_store_attach(lu, dir, lu_id.serial), 0);
	ck_assert_int_eq(scsi_itl_create(lu, &n1, &a), 0);
	ck_assert_int_eq(scsi_itl_create(lu, &n2, &b), 0);
	scsi_itl_take_ua(a);
	scsi_itl_take_ua(b);
	ck_assert_uint_eq(atomic_load(&a->pr_deny), 0);
	ck_assert_uint_eq(atomic_load(&b->pr_deny), SCSI_PR_DENY_READ | SCSI_PR_DENY_WRITE);
	ck_assert_int_eq(pr_lu_snapshot(lu, &blob, &len), 0);
	ck_assert_uint_eq(get_be32(blob + 16), 2); /* both registrations */
	free(blob);
	/* APTPL turned off: the file goes */
	ck_assert_uint_eq(prs_prout(b, &n2, SCSI_PROUT_REGISTER, 0, K2, K1, 0, &res), 0);
	ck_assert_int_eq(res, SCSI_EXEC_ASYNC);
	ck_assert_int_eq(pr_store_read_file(dir, lu_id.serial, &blob, &len), -ENOENT);
	scsi_itl_destroy(a);
	scsi_itl_destroy(b);
	scsi_lu_destroy(lu);

	/* and a new LU starts empty */
	ck_assert_int_eq(scsi_lu_create(&mb->dev, &lu_id, &lu), 0);
	ck_assert_int_eq(pr_store_attach(lu, dir, lu_id.serial), 0);
	ck_assert_int_eq(pr_lu_snapshot(lu, &blob, &len), 0);
	ck_assert_uint_eq(get_be32(blob + 16), 0);
	free(blob);
	scsi_lu_destroy(lu);
}
END_TEST

START_TEST(test_saves_keep_their_order)
{
	struct scsi_nexus n1;
	struct scsi_lu *lu;
	struct scsi_itl *a;
	struct prs_cmd *c[16];
	uint8_t *blob;
	size_t len;
	int i;

	nexus(&n1, "iqn.2024-01.org.example:host1,i,0x000000000001");
	ck_assert_int_eq(scsi_lu_create(&mb->dev, &lu_id, &lu), 0);
	ck_assert_int_eq(pr_store_attach(lu, dir, lu_id.serial), 0);
	ck_assert_int_eq(scsi_itl_create(lu, &n1, &a), 0);
	scsi_itl_take_ua(a);
	/* sixteen key changes queued at once: the file ends with the last */
	for (i = 0; i < 16; i++) {
		uint8_t cdb[16] = {0x5f, SCSI_PROUT_REGISTER_AND_IGNORE};

		c[i] = calloc(1, sizeof(*c[i]));
		put_be32(cdb + 5, 24);
		prs_init(c[i], a, &n1, cdb);
		put_be64(c[i]->buf + 8, K1 + (uint64_t)i);
		c[i]->buf[20] = SCSI_PROUT_F_APTPL;
		ck_assert_int_eq(ev_post(loop, prs_exec, c[i]), 0);
	}
	for (i = 0; i < 16; i++) {
		prs_wait(c[i]);
		ck_assert_uint_eq(c[i]->cmd.status, 0);
		free(c[i]);
	}
	ck_assert_int_eq(pr_store_read_file(dir, lu_id.serial, &blob, &len), 0);
	ck_assert_uint_eq(get_be64(blob + 20), K1 + 15);
	free(blob);
	scsi_itl_destroy(a);
	scsi_lu_destroy(lu);
}
END_TEST

START_TEST(test_damaged_file_is_ignored)
{
	struct scsi_lu *lu;
	uint8_t *blob;
	size_t len;

	/* garbage: logged, ignored, the LU starts empty and still saves there */
	ck_assert_int_eq(pr_store_write_file(dir, lu_id.serial, (const uint8_t *)"PTPRgarbage", 11),
			 0);
	ck_assert_int_eq(scsi_lu_create(&mb->dev, &lu_id, &lu), 0);
	ck_assert_int_eq(pr_store_attach(lu, dir, lu_id.serial), 0);
	ck_assert_int_eq(pr_lu_snapshot(lu, &blob, &len), 0);
	ck_assert_uint_eq(get_be32(blob + 16), 0);
	ck_assert_ptr_nonnull(lu->pr.save_ops);
	free(blob);
	scsi_lu_destroy(lu);
	/* a directory where the file should be: the same */
	ck_assert_int_eq(pr_store_write_file(dir, lu_id.serial, NULL, 0), 0);
	{
		char p[128];

		path_of(lu_id.serial, p, sizeof(p));
		ck_assert_int_eq(mkdir(p, 0700), 0);
	}
	ck_assert_int_eq(scsi_lu_create(&mb->dev, &lu_id, &lu), 0);
	ck_assert_int_eq(pr_store_attach(lu, dir, lu_id.serial), 0);
	scsi_lu_destroy(lu);
}
END_TEST

START_TEST(test_save_needs_a_loop)
{
	struct scsi_nexus n1;
	struct scsi_lu *lu;
	struct scsi_itl *a;
	struct prs_cmd c;
	uint8_t cdb[16] = {0x5f, SCSI_PROUT_REGISTER_AND_IGNORE};

	nexus(&n1, "iqn.2024-01.org.example:host1,i,0x000000000001");
	ck_assert_int_eq(scsi_lu_create(&mb->dev, &lu_id, &lu), 0);
	ck_assert_int_eq(pr_store_attach(lu, dir, lu_id.serial), 0);
	ck_assert_int_eq(scsi_itl_create(lu, &n1, &a), 0);
	scsi_itl_take_ua(a);
	/* outside a loop the store cannot say when it is done: the command ends GOOD at once */
	put_be32(cdb + 5, 24);
	prs_init(&c, a, &n1, cdb);
	put_be64(c.buf + 8, K1);
	c.buf[20] = SCSI_PROUT_F_APTPL;
	prs_exec(&c);
	ck_assert_int_eq(c.res, SCSI_EXEC_DONE);
	ck_assert_uint_eq(c.cmd.status, 0);
	ck_assert_uint_eq(entries("pr"), 0);
	scsi_itl_destroy(a);
	scsi_lu_destroy(lu);
}
END_TEST

static Suite *pr_store_suite(void)
{
	Suite *s = suite_create("pr_store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_write_read_remove);
	tcase_add_test(tc, test_names_stay_inside);
	tcase_add_test(tc, test_read_refuses_odd_files);
	tcase_add_test(tc, test_aptpl_survives_restart);
	tcase_add_test(tc, test_saves_keep_their_order);
	tcase_add_test(tc, test_damaged_file_is_ignored);
	tcase_add_test(tc, test_save_needs_a_loop);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pr_store_suite)

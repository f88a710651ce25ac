/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * porticod.conf: the documented example parses into exactly the expected
 * model, every mistake stops start-up with "FILE:LINE: what to fix" on the
 * right line, LU identities are derived deterministically and never shared,
 * and config_open opens real stores (a file in a temporary directory, a null
 * store) and creates their LUs.
 */
#include <check.h>
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/be.h"
#include "common/crc32c.h"
#include "target/backstore/bs.h"
#include "target/model/config.h"
#include "target/model/pr_store.h"
#include "target/scsi/pr.h"
#include "target/scsi/scsi.h"
#include "tests/unit/check_main.h"

/* The example of docs/configuration.md, as the task gives it; line numbers matter below. */
static const char example[] =
	"control_socket = \"/run/portico/porticod.sock\";\n" /* 1 */
	"io_threads = 0;          # 0: one per CPU\n"
	"backstores = (\n"
	"  { name = \"lun0\";  type = \"file\";  path = \"/var/lib/portico/lun0.img\"; size = \"20G\"; thin = true; },\n"
	"  { name = \"lun1\";  type = \"block\"; path = \"/dev/loop0\"; },\n" /* 5 */
	"  { name = \"nullb\"; type = \"null\";  size = \"100G\"; }\n"
	");\n"
	"targets = (\n"
	"  { iqn = \"iqn.2026-11.org.example:storage1\";\n"
	"    tpgs = (\n" /* 10 */
	"      { tag = 1;\n"
	"        portals = [ \"127.0.0.1:3260\", \"[::1]:3260\" ];\n"
	"        luns = ( { lun = 0; backstore = \"lun0\"; }, { lun = 1; backstore = \"lun1\"; }, { lun = 2; backstore = \"nullb\"; } );\n"
	"        acls = (\n"
	"          { initiator = \"iqn.2026-11.org.example:kvm1\"; },   # no mapped_luns: every TPG LUN, same numbers\n" /* 15 */
	"          { initiator = \"iqn.2026-11.org.example:kvm2\"; mapped_luns = ( { lun = 0; tpg_lun = 1; } ); },\n"
	"          { initiator = \"iqn.2026-11.org.example:kvm3\";\n"
	"            mapped_luns = ( { lun = 1; tpg_lun = 1; }, { lun = 2; tpg_lun = 2; read_only = true; } ); }\n"
	"        );\n"
	"        attributes = { generate_node_acls = false; };\n" /* 20 */
	"      } );\n"
	"  } );\n";

static char tmpdir[64];

static void tmpdir_setup(void)
{
	strcpy(tmpdir, "/tmp/portico-config-test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	bs_register_builtin();
	scsi_init();
}

static void tmpdir_teardown(void)
{
	char cmd[128];

	/* the directory is ours (mkdtemp): remove it with whatever a test left in it */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (tmpdir[0] && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void my_machine_id(char *buf, size_t len)
{
	ck_assert_int_eq(config_machine_id(buf, len), 0);
	ck_assert_uint_gt(strlen(buf), 0);
}

/* ---- the example ---- */

static void check_example_model(const struct obj_model *m)
{
	const struct obj_backstore *b = m->backstores;
	const struct obj_tpg *tpg;
	const struct obj_acl *acl;
	struct scsi_lu_id id;
	char mid[256];
	size_t i;

	ck_assert_str_eq(m->control_socket, "/run/portico/porticod.sock");
	ck_assert_uint_eq(m->io_threads, 0);
	ck_assert_int_eq(m->log_level, LOG_LEVEL_INFO);
	ck_assert_str_eq(m->debug, "");

	ck_assert_uint_eq(m->nbackstores, 3);
	ck_assert_str_eq(b[0].name, "lun0");
	ck_assert_str_eq(b[0].type, "file");
	ck_assert_str_eq(b[0].path, "/var/lib/portico/lun0.img");
	ck_assert_ptr_eq(b[0].params.path, b[0].path);
	ck_assert_ptr_eq(b[0].params.name, b[0].name);
	ck_assert_uint_eq(b[0].params.size, 20ULL << 30);
	ck_assert(b[0].params.thin);
	ck_assert(b[0].params.write_back);
	ck_assert(!b[0].params.readonly);
	ck_assert_uint_eq(b[0].params.block_size, 0);
	ck_assert_int_eq(b[0].cfg_line, 4);

	ck_assert_str_eq(b[1].name, "lun1");
	ck_assert_str_eq(b[1].type, "block");
	ck_assert_str_eq(b[1].path, "/dev/loop0");
	ck_assert_uint_eq(b[1].params.size, 0);
	ck_assert(!b[1].params.thin);
	ck_assert(b[1].params.write_back);
	ck_assert_int_eq(b[1].cfg_line, 5);

	ck_assert_str_eq(b[2].name, "nullb");
	ck_assert_str_eq(b[2].type, "null");
	ck_assert_str_eq(b[2].path, "");
	ck_assert_ptr_null(b[2].params.path);
	ck_assert_uint_eq(b[2].params.size, 100ULL << 30);
	ck_assert(!b[2].params.write_back);
	ck_assert_int_eq(b[2].cfg_line, 6);

	/* identities derived from this machine and the names, nothing pinned */
	my_machine_id(mid, sizeof(mid));
	for (i = 0; i < 3; i++) {
		ck_assert_ptr_null(b[i].dev);
		ck_assert_ptr_null(b[i].lu);
		ck_assert(!b[i].serial_set && !b[i].naa_set);
		ck_assert_int_eq(config_lu_id_derive(mid, b[i].name, &id), 0);
		ck_assert_str_eq(b[i].id.serial, id.serial);
		ck_assert(memcmp(b[i].id.naa, id.naa, 8) == 0);
		ck_assert_str_eq(b[i].id.vendor, "PORTICO ");
		ck_assert_str_eq(b[i].id.product, "VIRTUAL-DISK");
		ck_assert_str_eq(b[i].id.revision, "0001");
	}

	ck_assert_uint_eq(m->ntargets, 1);
	ck_assert_str_eq(m->targets[0].iqn, "iqn.2026-11.org.example:storage1");
	ck_assert_str_eq(m->targets[0].alias, "");
	ck_assert_uint_eq(m->targets[0].ntpgs, 1);
	tpg = &m->targets[0].tpgs[0];
	ck_assert_ptr_eq(tpg->target, &m->targets[0]);
	ck_assert_uint_eq(tpg->tag, 1);
	ck_assert_uint_eq(tpg->nportals, 2);
	ck_assert_str_eq(tpg->portals[0].text, "127.0.0.1:3260");
	ck_assert_str_eq(tpg->portals[1].text, "[::1]:3260");
	ck_assert_int_eq(tpg->portals[0].addr.ss_family, AF_INET);
	ck_assert_int_eq(tpg->portals[1].addr.ss_family, AF_INET6);

	ck_assert_uint_eq(tpg->nluns, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(tpg->luns[i].lun, i);
		ck_assert_ptr_eq(tpg->luns[i].bs, &m->backstores[i]);
	}

	ck_assert_uint_eq(tpg->nacls, 3);
	acl = tpg->acls;
	ck_assert_str_eq(acl[0].initiator, "iqn.2026-11.org.example:kvm1");
	ck_assert(acl[0].all_luns);
	ck_assert_uint_eq(acl[0].nmapped, 0);
	ck_assert_str_eq(acl[1].initiator, "iqn.2026-11.org.example:kvm2");
	ck_assert(!acl[1].all_luns);
	ck_assert_uint_eq(acl[1].nmapped, 1);
	ck_assert_uint_eq(acl[1].mapped[0].lun, 0);
	ck_assert_uint_eq(acl[1].mapped[0].tpg_lun, 1);
	ck_assert(!acl[1].mapped[0].read_only);
	ck_assert_str_eq(acl[2].initiator, "iqn.2026-11.org.example:kvm3");
	ck_assert(!acl[2].all_luns);
	ck_assert_uint_eq(acl[2].nmapped, 2);
	ck_assert_uint_eq(acl[2].mapped[0].lun, 1);
	ck_assert_uint_eq(acl[2].mapped[0].tpg_lun, 1);
	ck_assert(!acl[2].mapped[0].read_only);
	ck_assert_uint_eq(acl[2].mapped[1].lun, 2);
	ck_assert_uint_eq(acl[2].mapped[1].tpg_lun, 2);
	ck_assert(acl[2].mapped[1].read_only);

	/* attributes: generate_node_acls as given, the rest the defaults */
	ck_assert(!tpg->attrs.generate_node_acls);
	ck_assert(tpg->attrs.demo_mode_write_protect);
	ck_assert_uint_eq(tpg->attrs.nopin_interval_s, 15);
	ck_assert_uint_eq(tpg->attrs.nopin_timeout_s, 30);
	ck_assert_uint_eq(tpg->attrs.default_cmdsn_depth, 128);
	ck_assert_uint_eq(tpg->params.max_recv_dsl, 262144);
	ck_assert_uint_eq(tpg->params.max_burst, 1048576);
	ck_assert_uint_eq(tpg->params.first_burst, 65536);
	ck_assert_uint_eq(tpg->params.max_outstanding_r2t, 1);
	ck_assert(tpg->params.initial_r2t);
	ck_assert(tpg->params.immediate_data);
	ck_assert(tpg->params.header_digest && !tpg->params.header_digest_required);
	ck_assert(tpg->params.data_digest && !tpg->params.data_digest_required);
	ck_assert_uint_eq(tpg->params.default_time2wait, 2);
	ck_assert_uint_eq(tpg->params.default_time2retain, 20);
}

START_TEST(test_example)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };

	ck_assert_msg(config_parse_string(example, &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(err.msg, "");
	ck_assert_str_eq(m->path, "");
	check_example_model(m);
	obj_model_free(m);
}
END_TEST

START_TEST(test_example_file)
{
	char path[128];
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	size_t i;

	snprintf(path, sizeof(path), "%s/porticod.conf", tmpdir);
	write_file(path, example);
	ck_assert_msg(config_parse(path, &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(m->path, path);
	for (i = 0; i < m->nbackstores; i++)
		ck_assert_str_eq(m->backstores[i].cfg_file, path);
	check_example_model(m);
	obj_model_free(m);
}
END_TEST

/* conf/porticod.conf, as shipped: the example, commented. Tests run from the repository root. */
START_TEST(test_shipped_conf)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	const struct obj_tpg *tpg;
	struct scsi_lun_map *map;

	ck_assert_msg(access("conf/porticod.conf", R_OK) == 0,
		      "conf/porticod.conf not found: run from the repository root");
	ck_assert_msg(config_parse("conf/porticod.conf", &m, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(m->nbackstores, 3);
	ck_assert_str_eq(m->backstores[0].name, "lun0");
	ck_assert_str_eq(m->backstores[1].name, "lun1");
	ck_assert_str_eq(m->backstores[2].name, "nullb");
	ck_assert_uint_eq(m->backstores[0].params.size, 20ULL << 30);
	ck_assert_uint_eq(m->backstores[2].params.size, 100ULL << 30);
	ck_assert_ptr_nonnull(obj_find_target(m, "iqn.2026-11.org.example:storage1"));
	tpg = &m->targets[0].tpgs[0];
	ck_assert_uint_eq(tpg->nportals, 2);
	ck_assert_uint_eq(tpg->nluns, 3);
	ck_assert_uint_eq(tpg->nacls, 3);
	ck_assert(!tpg->attrs.generate_node_acls);
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm3", &map), 0);
	ck_assert_uint_eq(map->n, 2);
	ck_assert(map->e[1].read_only);
	scsi_lun_map_free(map);
	obj_model_free(m);
}
END_TEST

/* The LUN maps the example's initiators get, through the parsed model. */
START_TEST(test_example_maps)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	const struct obj_tpg *tpg;
	struct scsi_lun_map *map;

	ck_assert_int_eq(config_parse_string(example, &m, &err), 0);
	tpg = &m->targets[0].tpgs[0];
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm1", &map), 0);
	ck_assert_uint_eq(map->n, 3);
	ck_assert_uint_eq(map->e[2].lun, 2);
	ck_assert(!map->e[2].read_only);
	scsi_lun_map_free(map);
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm2", &map), 0);
	ck_assert_uint_eq(map->n, 1);
	ck_assert_uint_eq(map->e[0].lun, 0);
	scsi_lun_map_free(map);
	ck_assert_int_eq(obj_lun_map_build(tpg, "iqn.2026-11.org.example:kvm4", &map), -EACCES);
	obj_model_free(m);
}
END_TEST

/* ---- every setting ---- */

START_TEST(test_all_settings)
{
	static const char text[] =
		"control_socket = \"/run/p.sock\";\n"
		"io_threads = 1024;\n"
		"log_level = \"debug\";\n"
		"debug = \"iscsi,scsi\";\n"
		"backstores = (\n"
		"  { name = \"f\"; type = \"file\"; path = \"/srv/f.img\"; size = 1048576;\n"
		"    write_back = false; readonly = true; block_size = 4096;\n"
		"    serial = \"PORTICO-0001\"; naa = \"0x3000000000000001\"; },\n"
		"  { name = \"v\"; type = \"lvm\"; path = \"/dev/vg0/lv0\"; size = \"1G\"; naa = \"5000C50000000002\"; },\n"
		"  { name = \"n\"; type = \"null\"; size = \"1M\"; readonly = false; serial = \"n-1\"; }\n"
		");\n"
		"targets = (\n"
		"  { iqn = \"iqn.2026-11.org.example:a\"; alias = \"rack 4, shelf 2\";\n"
		"    tpgs = (\n"
		"      { tag = 65535; portals = ( \"0.0.0.0\", \"[::]:3261\" );\n"
		"        luns = ( { lun = 16383; backstore = \"f\"; }, { lun = 7; backstore = \"n\"; } );\n"
		"        acls = ( { initiator = \"eui.0123456789ABCDEF\"; mapped_luns = ( ); } );\n"
		"        attributes = { generate_node_acls = true; demo_mode_write_protect = false;\n"
		"          nopin_interval = 0; nopin_timeout = 3600; default_cmdsn_depth = 4096; };\n"
		"        parameters = { MaxRecvDataSegmentLength = 16777215; MaxBurstLength = 16777215;\n"
		"          FirstBurstLength = 512; MaxOutstandingR2T = 65535; InitialR2T = \"No\";\n"
		"          ImmediateData = false; HeaderDigest = \"None\"; DataDigest = \"CRC32C\";\n"
		"          DefaultTime2Wait = 0; DefaultTime2Retain = 3600; };\n"
		"      },\n"
		"      { tag = 2; parameters = { HeaderDigest = false; DataDigest = \"None,CRC32C\"; InitialR2T = true; }; }\n"
		"    );\n"
		"  },\n"
		"  { iqn = \"naa.52004567BA64678D\"; }\n"
		");\n";
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	const struct obj_backstore *b;
	const struct obj_tpg *tpg;
	struct scsi_lu_id id;
	char mid[256];

	ck_assert_msg(config_parse_string(text, &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(m->control_socket, "/run/p.sock");
	ck_assert_uint_eq(m->io_threads, 1024);
	ck_assert_int_eq(m->log_level, LOG_LEVEL_DBG);
	ck_assert_str_eq(m->debug, "iscsi,scsi");

	b = m->backstores;
	ck_assert_uint_eq(b[0].params.size, 1048576);
	ck_assert(!b[0].params.write_back);
	ck_assert(b[0].params.readonly);
	ck_assert(b[0].params.thin); /* sparse unless told thin = false (targetcli's default) */
	ck_assert_uint_eq(b[0].params.block_size, 4096);
	ck_assert_str_eq(b[0].id.serial, "PORTICO-0001");
	ck_assert_uint_eq(get_be64(b[0].id.naa), 0x3000000000000001ULL);
	ck_assert(b[0].serial_set && b[0].naa_set);
	ck_assert_str_eq(b[0].id.vendor, "PORTICO ");

	/* lvm: a block device path; naa pinned, serial derived */
	ck_assert_str_eq(b[1].type, "lvm");
	ck_assert_str_eq(b[1].path, "/dev/vg0/lv0");
	ck_assert_uint_eq(b[1].params.size, 1ULL << 30);
	ck_assert(b[1].params.write_back);
	ck_assert_uint_eq(get_be64(b[1].id.naa), 0x5000C50000000002ULL);
	ck_assert(!b[1].serial_set && b[1].naa_set);
	my_machine_id(mid, sizeof(mid));
	ck_assert_int_eq(config_lu_id_derive(mid, "v", &id), 0);
	ck_assert_str_eq(b[1].id.serial, id.serial);

	/* serial pinned, naa derived */
	ck_assert_str_eq(b[2].id.serial, "n-1");
	ck_assert(b[2].serial_set && !b[2].naa_set);
	ck_assert_int_eq(config_lu_id_derive(mid, "n", &id), 0);
	ck_assert(memcmp(b[2].id.naa, id.naa, 8) == 0);

	ck_assert_uint_eq(m->ntargets, 2);
	ck_assert_str_eq(m->targets[0].alias, "rack 4, shelf 2");
	ck_assert_str_eq(m->targets[1].iqn, "naa.52004567BA64678D");
	ck_assert_uint_eq(m->targets[1].ntpgs, 0);
	tpg = &m->targets[0].tpgs[0];
	ck_assert_uint_eq(tpg->tag, 65535);
	ck_assert_str_eq(tpg->portals[0].text, "0.0.0.0:3260");
	ck_assert_str_eq(tpg->portals[1].text, "[::]:3261");
	/* sorted by LUN */
	ck_assert_uint_eq(tpg->luns[0].lun, 7);
	ck_assert_ptr_eq(tpg->luns[0].bs, &m->backstores[2]);
	ck_assert_uint_eq(tpg->luns[1].lun, 16383);
	ck_assert_ptr_eq(tpg->luns[1].bs, &m->backstores[0]);
	/* an empty mapped_luns list: logs in, sees nothing */
	ck_assert(!tpg->acls[0].all_luns);
	ck_assert_uint_eq(tpg->acls[0].nmapped, 0);
	ck_assert(tpg->attrs.generate_node_acls);
	ck_assert(!tpg->attrs.demo_mode_write_protect);
	ck_assert_uint_eq(tpg->attrs.nopin_interval_s, 0);
	ck_assert_uint_eq(tpg->attrs.nopin_timeout_s, 3600);
	ck_assert_uint_eq(tpg->attrs.default_cmdsn_depth, 4096);
	ck_assert_uint_eq(tpg->params.max_recv_dsl, 16777215);
	ck_assert_uint_eq(tpg->params.max_burst, 16777215);
	ck_assert_uint_eq(tpg->params.first_burst, 512);
	ck_assert_uint_eq(tpg->params.max_outstanding_r2t, 65535);
	ck_assert(!tpg->params.initial_r2t);
	ck_assert(!tpg->params.immediate_data);
	ck_assert(!tpg->params.header_digest && !tpg->params.header_digest_required);
	ck_assert(tpg->params.data_digest && tpg->params.data_digest_required);
	ck_assert_uint_eq(tpg->params.default_time2wait, 0);
	ck_assert_uint_eq(tpg->params.default_time2retain, 3600);
	tpg = &m->targets[0].tpgs[1];
	ck_assert(!tpg->params.header_digest && !tpg->params.header_digest_required);
	ck_assert(tpg->params.data_digest && !tpg->params.data_digest_required);
	ck_assert(tpg->params.initial_r2t);
	ck_assert_uint_eq(tpg->params.max_recv_dsl, 262144); /* untouched: the default */
	obj_model_free(m);
}
END_TEST

START_TEST(test_chap_settings)
{
	static const char text[] =
		"discovery_auth = { userid = \"disc\"; password = \"disc-secret-12\";\n"
		"  mutual_userid = \"porticod\"; mutual_password = \"disc-target-secret\"; };\n"
		"targets = ( { iqn = \"iqn.2026-11.org.example:a\"; tpgs = (\n"
		"  { tag = 1; attributes = { authentication = true; };\n"
		"    acls = ( { initiator = \"iqn.2026-11.org.example:kvm1\"; userid = \"kvm1-user\";\n"
		"               password = \"kvm1-secret-12\"; mutual_userid = \"storage1\";\n"
		"               mutual_password = \"storage1-secret\"; },\n"
		"             { initiator = \"iqn.2026-11.org.example:kvm2\"; userid = \"kvm2-user\";\n"
		"               password = \"kvm2-secret-12\"; } ); },\n"
		"  { tag = 2; acls = ( { initiator = \"iqn.2026-11.org.example:kvm3\"; } ); } ); } );\n";
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	const struct obj_tpg *tpg;

	ck_assert_msg(config_parse_string(text, &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(m->discovery_auth.userid, "disc");
	ck_assert_str_eq(m->discovery_auth.password, "disc-secret-12");
	ck_assert_str_eq(m->discovery_auth.mutual_userid, "porticod");
	ck_assert_str_eq(m->discovery_auth.mutual_password, "disc-target-secret");
	tpg = &m->targets[0].tpgs[0];
	ck_assert(tpg->attrs.authentication);
	ck_assert_str_eq(tpg->acls[0].chap.userid, "kvm1-user");
	ck_assert_str_eq(tpg->acls[0].chap.password, "kvm1-secret-12");
	ck_assert_str_eq(tpg->acls[0].chap.mutual_userid, "storage1");
	ck_assert_str_eq(tpg->acls[0].chap.mutual_password, "storage1-secret");
	ck_assert_str_eq(tpg->acls[1].chap.userid, "kvm2-user");
	ck_assert_str_eq(tpg->acls[1].chap.mutual_userid, "");
	/* off unless configured; an ACL without credentials has none */
	tpg = &m->targets[0].tpgs[1];
	ck_assert(!tpg->attrs.authentication);
	ck_assert_str_eq(tpg->acls[0].chap.userid, "");
	ck_assert_str_eq(tpg->acls[0].chap.password, "");
	obj_model_free(m);

	/* nothing configured: no discovery CHAP */
	ck_assert_int_eq(config_parse_string("io_threads = 1;\n", &m, &err), 0);
	ck_assert_str_eq(m->discovery_auth.userid, "");
	obj_model_free(m);
}
END_TEST

/* A sockaddr for an address literal (IPv6 when it holds a ':'). */
static socklen_t peer_addr(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':')) {
		sin6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, text, &sin->sin_addr), 1);
	return sizeof(*sin);
}

/* Whether a login of acl's initiator (none: NULL) from addr passes tpg's and acl's lists. */
static bool peer_ok(const struct obj_tpg *tpg, const struct obj_acl *acl, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = peer_addr(addr, &ss);

	return obj_peer_allowed(tpg, acl, (const struct sockaddr *)&ss, len);
}

/* allowed_addresses in a TPG and in an ACL: as an array or a list, canonical in the model. */
START_TEST(test_allowed_addresses)
{
	static const char text[] =
		"targets = ( { iqn = \"iqn.2026-11.org.example:a\"; tpgs = (\n"
		"  { tag = 1; allowed_addresses = [ \"192.0.2.0/24\", \"[2001:db8::]/32\", \"198.51.100.7/32\" ];\n"
		"    acls = ( { initiator = \"iqn.2026-11.org.example:kvm1\";\n"
		"               allowed_addresses = ( \"192.0.2.16/28\" ); },\n"
		"             { initiator = \"iqn.2026-11.org.example:kvm2\"; allowed_addresses = [ ]; } ); },\n"
		"  { tag = 2; acls = ( { initiator = \"iqn.2026-11.org.example:kvm3\"; } ); } ); } );\n";
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	const struct obj_tpg *tpg;
	char buf[128];

	ck_assert_msg(config_parse_string(text, &m, &err) == 0, "%s", err.msg);
	tpg = &m->targets[0].tpgs[0];
	ck_assert_int_eq(net_allow_format(&tpg->allowed, buf, sizeof(buf)), 39);
	ck_assert_str_eq(buf, "192.0.2.0/24,2001:db8::/32,198.51.100.7");
	ck_assert_int_gt(net_allow_format(&tpg->acls[0].allowed, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "192.0.2.16/28");
	/* an empty list is no list */
	ck_assert_uint_eq(tpg->acls[1].allowed.n, 0);
	ck_assert_uint_eq(m->targets[0].tpgs[1].allowed.n, 0);
	ck_assert_uint_eq(m->targets[0].tpgs[1].acls[0].allowed.n, 0);

	/* both lists apply */
	ck_assert(peer_ok(tpg, &tpg->acls[0], "192.0.2.17"));
	ck_assert(peer_ok(tpg, &tpg->acls[0], "::ffff:192.0.2.17"));
	ck_assert(!peer_ok(tpg, &tpg->acls[0], "192.0.2.1")); /* the TPG's, not the ACL's */
	ck_assert(!peer_ok(tpg, &tpg->acls[0], "2001:db8::1"));
	ck_assert(peer_ok(tpg, &tpg->acls[1], "2001:db8::1")); /* the ACL has none */
	ck_assert(peer_ok(tpg, &tpg->acls[1], "198.51.100.7"));
	ck_assert(!peer_ok(tpg, &tpg->acls[1], "198.51.100.8"));
	ck_assert(peer_ok(tpg, NULL, "192.0.2.1"));
	ck_assert(!peer_ok(tpg, NULL, "10.0.0.1"));
	ck_assert(peer_ok(&m->targets[0].tpgs[1], &m->targets[0].tpgs[1].acls[0], "10.0.0.1"));
	obj_model_free(m);
}
END_TEST

/* What config_parse of path says on stderr (the log) while it parses. */
static void parse_capturing(const char *path, char *said, size_t len)
{
	char cap[128];
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	int saved, fd;
	ssize_t n;

	snprintf(cap, sizeof(cap), "%s/stderr.txt", tmpdir);
	fd = open(cap, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	ck_assert_msg(config_parse(path, &m, &err) == 0, "%s", err.msg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	obj_model_free(m);
	n = pread(fd, said, len - 1, 0);
	close(fd);
	said[n > 0 ? n : 0] = '\0';
}

START_TEST(test_secret_file_mode)
{
	static const char secret_conf[] =
		"targets = ( { iqn = \"iqn.2026-11.org.example:a\"; tpgs = ( { tag = 1;\n"
		"  acls = ( { initiator = \"iqn.2026-11.org.example:kvm1\"; userid = \"kvm1\";\n"
		"             password = \"kvm1-secret-12\"; } ); } ); } );\n";
	char path[128], said[2048];

	snprintf(path, sizeof(path), "%s/secrets.conf", tmpdir);
	write_file(path, secret_conf);
	/* readable by others: one warning that names the file and the fix, not the secret */
	ck_assert_int_eq(chmod(path, 0644), 0);
	parse_capturing(path, said, sizeof(said));
	ck_assert_msg(strstr(said, path) && strstr(said, "holds CHAP secrets") &&
			      strstr(said, "mode 0644") && strstr(said, "chmod 600"),
		      "no warning: '%s'", said);
	ck_assert_ptr_null(strstr(said, "kvm1-secret-12"));
	ck_assert_ptr_null(strchr(strchr(said, '\n') + 1, '\n')); /* one line */
	ck_assert_int_eq(chmod(path, 0640), 0);
	parse_capturing(path, said, sizeof(said));
	ck_assert_msg(strstr(said, "mode 0640"), "no warning: '%s'", said);
	/* root's only: nothing to say */
	ck_assert_int_eq(chmod(path, 0600), 0);
	parse_capturing(path, said, sizeof(said));
	ck_assert_str_eq(said, "");
	/* no secrets: the mode is nobody's business here */
	write_file(path, "io_threads = 1;\n");
	ck_assert_int_eq(chmod(path, 0644), 0);
	parse_capturing(path, said, sizeof(said));
	ck_assert_str_eq(said, "");
}
END_TEST

START_TEST(test_empty_config)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };

	/* a daemon configured from nothing (the shell adds to it) */
	ck_assert_msg(config_parse_string("# nothing yet\n", &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(m->control_socket, CONFIG_DEFAULT_CONTROL_SOCKET);
	ck_assert_uint_eq(m->io_threads, 0);
	ck_assert_int_eq(m->log_level, LOG_LEVEL_INFO);
	ck_assert_uint_eq(m->nbackstores, 0);
	ck_assert_uint_eq(m->ntargets, 0);
	obj_model_free(m);
}
END_TEST

START_TEST(test_unreadable_file)
{
	char path[128];
	struct obj_model *m = (struct obj_model *)1;
	struct cfg_err err = { "" };

	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	ck_assert_int_eq(config_parse(path, &m, &err), -ENOENT);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, "cannot read"), "%s", err.msg);
}
END_TEST

/* ---- validation: one line "FILE:LINE: what to fix" ---- */

struct bad_case {
	const char *text;
	int line;
	const char *msg; /* a part of the message */
};

#define BS_NULL "backstores = ( { name = \"a\"; type = \"null\"; size = \"1M\"; } );\n"
#define T_HEAD "targets = ( { iqn = \"iqn.2026-11.org.example:t\"; tpgs = (\n"
#define T_TAIL ") } );\n"

static const struct bad_case bad_cases[] = {
	/* unknown keys, at every level */
	{ "colour = 1;\n", 1, "colour" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\"; thinn = true; }\n);\n", 2,
	  "thinn" },
	{ BS_NULL "targets = ( { iqn = \"iqn.2026-11.org.example:t\";\n portal = \"x\"; } );\n", 3,
	  "portal" },
	{ BS_NULL T_HEAD "{ tag = 1; lun = 0; }\n" T_TAIL, 3, "lun" },
	{ BS_NULL T_HEAD "{ tag = 1; luns = ( { lun = 0; backstore = \"a\"; read_only = true; } ); }\n" T_TAIL,
	  3, "read_only" },
	{ BS_NULL T_HEAD "{ tag = 1;\n acls = ( { initiator = \"iqn.2026-11.org.example:i\"; chap = 1; } ); }\n" T_TAIL,
	  4, "chap" },
	{ BS_NULL T_HEAD "{ tag = 1; luns = ( { lun = 0; backstore = \"a\"; } );\n"
	  " acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  "   mapped_luns = ( { lun = 0; tpg_lun = 0; readonly = true; } ); } ); }\n" T_TAIL,
	  5, "readonly" },
	{ BS_NULL T_HEAD "{ tag = 1;\n attributes = { generate_node_acl = true; }; }\n" T_TAIL, 4,
	  "generate_node_acl" },
	{ BS_NULL T_HEAD "{ tag = 1;\n parameters = { MaxRecvDataSegmentLen = 8192; }; }\n" T_TAIL, 4,
	  "MaxRecvDataSegmentLen" },
	/* syntax, structure, types */
	{ "io_threads = 4;\nbackstores = ( { name = \"a\"; type = ; } );\n", 2, "syntax error" },
	{ "io_threads = \"four\";\n", 1, "io_threads" },
	{ "backstores = { name = \"a\"; };\n", 1, "must be a list" },
	{ "backstores = ( \"a\" );\n", 1, "must be a group" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\"; readonly = \"yes\"; }\n);\n",
	  2, "readonly" },
	{ BS_NULL T_HEAD "{ tag = 1;\n portals = \"127.0.0.1\"; }\n" T_TAIL, 4, "list of addresses" },
	{ BS_NULL T_HEAD "{ tag = 1;\n portals = [ 3260 ]; }\n" T_TAIL, 4, "must be a string" },
	{ BS_NULL T_HEAD "{ tag = 1;\n attributes = ( ); }\n" T_TAIL, 4, "must be a group" },
	/* top level */
	{ "io_threads = -1;\n", 1, "from 0 to 1024" },
	{ "\nio_threads = 1025;\n", 2, "from 0 to 1024" },
	{ "control_socket = \"/run/portico/a-directory-name-long-enough-to-overflow/the-sun-path-of-a-unix-socket/which-holds-108-bytes/porticod.sock\";\n",
	  1, "UNIX socket path holds at most 107" },
	{ "control_socket = \"porticod.sock\";\n", 1, "absolute" },
	{ "log_level = \"verbose\";\n", 1, "not one of err, warn, info, debug" },
	{ "\nstate_dir = \"var/lib/portico\";\n", 2, "state_dir 'var/lib/portico' must be an absolute path" },
	{ "debug = \"iSCSI!\";\n", 1, "comma-separated" },
	/* backstores */
	{ "backstores = (\n { type = \"null\"; size = \"1M\"; }\n);\n", 2, "name" },
	{ "backstores = (\n { name = \"a\"; size = \"1M\"; }\n);\n", 2, "type" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\"; },\n"
	  " { name = \"a\"; type = \"null\"; size = \"1M\"; }\n);\n",
	  3, "backstore 'a' is defined twice (first at line 2)" },
	{ "backstores = (\n { name = \"a b\"; type = \"null\"; size = \"1M\"; }\n);\n", 2,
	  "letters, digits" },
	{ "backstores = (\n { name = \"a\";\n type = \"tape\"; }\n);\n", 3,
	  "unknown type 'tape' (allowed: file, block, lvm, null, rbd)" },
	{ "backstores = (\n { name = \"a\"; type = \"file\"; size = \"1M\"; }\n);\n", 2,
	  "a file backstore needs path" },
	{ "backstores = (\n { name = \"a\"; type = \"block\"; }\n);\n", 2,
	  "a block backstore needs path" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; }\n);\n", 2,
	  "a null backstore needs size" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n path = \"/x\"; }\n);\n",
	  3, "'path' does not apply to a null backstore" },
	{ "backstores = (\n { name = \"a\"; type = \"file\";\n path = \"a.img\"; }\n);\n", 3,
	  "must be absolute" },
	{ "backstores = (\n { name = \"a\"; type = \"null\";\n size = 1000; }\n);\n", 3,
	  "size 1000 is not a multiple of the block size 512" },
	{ "backstores = (\n { name = \"a\"; type = \"file\"; path = \"/a\";\n size = \"6K\"; block_size = 4096; }\n);\n",
	  3, "not a multiple of the block size 4096" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n block_size = 1024; }\n);\n",
	  3, "block_size must be 512 or 4096" },
	/* physical_block_size: a power-of-two multiple of block_size, at most 64 KiB */
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n physical_block_size = 1536; }\n);\n",
	  3, "physical_block_size must be a power-of-two multiple of the block size 512, at most 65536, not 1536" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\"; block_size = 4096;\n physical_block_size = 512; }\n);\n",
	  3, "multiple of the block size 4096" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n physical_block_size = 131072; }\n);\n",
	  3, "at most 65536, not 131072" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n physical_block_size = -4096; }\n);\n",
	  3, "not -4096" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n removable = 1; }\n);\n",
	  3, "'removable' must be true or false" },
	{ "backstores = (\n { name = \"a\"; type = \"null\";\n size = 0; }\n);\n", 3,
	  "size must not be 0" },
	{ "backstores = (\n { name = \"a\"; type = \"block\"; path = \"/dev/sdb\";\n thin = true; }\n);\n",
	  3, "'thin' does not apply to a block backstore" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n write_back = true; }\n);\n",
	  3, "'write_back' does not apply to a null backstore" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n serial = \"has space\"; }\n);\n",
	  3, "printable ASCII" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n serial = \"123456789012345678901234567890123\"; }\n);\n",
	  3, "longer than 32" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n naa = \"0x312\"; }\n);\n",
	  3, "16 hex digits" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n naa = \"30000000000000zz\"; }\n);\n",
	  3, "16 hex digits" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n naa = \"0x6000000000000001\"; }\n);\n",
	  3, "16-byte designator" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\";\n naa = \"1000000000000001\"; }\n);\n",
	  3, "must start with 2, 3 or 5" },
	/* pinned identities shared by two backstores */
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\"; serial = \"S1\"; },\n"
	  " { name = \"b\"; type = \"null\"; size = \"1M\";\n serial = \"S1\"; }\n);\n",
	  4, "serial 'S1' is also backstore 'a''s (line 2)" },
	{ "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\"; naa = \"0x3000000000000009\"; },\n"
	  " { name = \"b\"; type = \"null\"; size = \"1M\";\n naa = \"3000000000000009\"; }\n);\n",
	  4, "naa 0x3000000000000009 is also backstore 'a''s (line 2)" },
	/* targets and TPGs */
	{ "targets = (\n { alias = \"x\"; }\n);\n", 2, "iqn" },
	{ "targets = (\n { iqn = \"iqn.2026-11.org.example:t\"; },\n { iqn = \"iqn.2026-11.org.example:t\"; }\n);\n",
	  3, "is defined twice" },
	{ "targets = (\n { iqn = \"iqn.2026-11.org.example:t\";\n alias = \"a\\tb\"; }\n);\n", 3,
	  "control character" },
	{ T_HEAD "{ tag = 1; },\n{ tag = 1; }\n" T_TAIL, 3, "TPG tag 1 is used twice" },
	{ T_HEAD "{ tag = 0; }\n" T_TAIL, 2, "'tag' must be from 1 to 65535, not 0" },
	{ T_HEAD "{ tag = 65536; }\n" T_TAIL, 2, "not 65536" },
	{ T_HEAD "{ portals = [ \"127.0.0.1\" ]; }\n" T_TAIL, 2, "tag" },
	{ T_HEAD "{ tag = 1; portals = [\n \"storage1:3260\" ]; }\n" T_TAIL, 3,
	  "portal 'storage1:3260': host names are not accepted" },
	{ T_HEAD "{ tag = 1; portals = [\n \"127.0.0.1:0\" ]; }\n" T_TAIL, 3, "port 0" },
	{ T_HEAD "{ tag = 1; portals = [\n \"127.0.0.1:65536\" ]; }\n" T_TAIL, 3,
	  "larger than 65535" },
	{ T_HEAD "{ tag = 1; portals = [ \"127.0.0.1\",\n \"127.0.0.1:3260\" ]; }\n" T_TAIL, 3,
	  "portal '127.0.0.1:3260' is listed twice in TPG 1" },
	{ T_HEAD "{ tag = 1; portals = [ \"[::1]:3260\" ]; },\n{ tag = 2; portals = [\n \"[::1]\" ]; }\n" T_TAIL,
	  4, "also in TPG 1 of this target" },
	/* LUNs */
	{ BS_NULL T_HEAD "{ tag = 1; luns = ( { lun = 0; backstore = \"a\"; },\n { lun = 0; backstore = \"a\"; } ); }\n" T_TAIL,
	  4, "LUN 0 is listed twice in TPG 1" },
	{ BS_NULL T_HEAD "{ tag = 1; luns = (\n { lun = 16384; backstore = \"a\"; } ); }\n" T_TAIL, 4,
	  "'lun' must be from 0 to 16383" },
	{ BS_NULL T_HEAD "{ tag = 1; luns = (\n { lun = 0; backstore = \"nope\"; } ); }\n" T_TAIL, 4,
	  "no backstore named 'nope'" },
	{ BS_NULL T_HEAD "{ tag = 1; luns = (\n { lun = 0; } ); }\n" T_TAIL, 4, "backstore" },
	/* ACLs */
	{ BS_NULL T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\"; },\n"
	  " { initiator = \"iqn.2026-11.org.example:i\"; } ); }\n" T_TAIL,
	  4, "has two ACLs in TPG 1" },
	{ BS_NULL T_HEAD "{ tag = 1; acls = (\n { mapped_luns = ( ); } ); }\n" T_TAIL, 4, "initiator" },
	{ BS_NULL T_HEAD "{ tag = 1; luns = ( { lun = 0; backstore = \"a\"; } );\n"
	  " acls = ( { initiator = \"iqn.2026-11.org.example:i\"; mapped_luns = (\n"
	  " { lun = 0; tpg_lun = 0; },\n { lun = 0; tpg_lun = 0; } ); } ); }\n" T_TAIL,
	  6, "mapped LUN 0 is listed twice" },
	{ BS_NULL T_HEAD "{ tag = 1; luns = ( { lun = 0; backstore = \"a\"; } );\n"
	  " acls = ( { initiator = \"iqn.2026-11.org.example:i\"; mapped_luns = (\n"
	  " { lun = 0;\n tpg_lun = 7; } ); } ); }\n" T_TAIL,
	  6, "tpg_lun 7 is not a LUN of TPG 1" },
	{ BS_NULL T_HEAD "{ tag = 1; luns = ( { lun = 0; backstore = \"a\"; } );\n"
	  " acls = ( { initiator = \"iqn.2026-11.org.example:i\"; mapped_luns = (\n"
	  " { lun = 16384; tpg_lun = 0; } ); } ); }\n" T_TAIL,
	  5, "from 0 to 16383" },
	/* attributes and parameters (RFC 7143 §13 ranges) */
	{ T_HEAD "{ tag = 1; attributes = {\n nopin_timeout = 0; }; }\n" T_TAIL, 3, "nopin_timeout" },
	{ T_HEAD "{ tag = 1; attributes = {\n nopin_interval = 3601; }; }\n" T_TAIL, 3,
	  "from 0 to 3600" },
	{ T_HEAD "{ tag = 1; attributes = {\n default_cmdsn_depth = 0; }; }\n" T_TAIL, 3,
	  "from 1 to 4096" },
	{ T_HEAD "{ tag = 1; attributes = {\n demo_mode_write_protect = 1; }; }\n" T_TAIL, 3,
	  "demo_mode_write_protect" },
	{ T_HEAD "{ tag = 1; parameters = {\n MaxRecvDataSegmentLength = 511; }; }\n" T_TAIL, 3,
	  "from 512 to 16777215" },
	{ T_HEAD "{ tag = 1; parameters = {\n MaxBurstLength = 16777216; }; }\n" T_TAIL, 3,
	  "from 512 to 16777215" },
	{ T_HEAD "{ tag = 1; parameters = { MaxBurstLength = 8192;\n FirstBurstLength = 65536; }; }\n" T_TAIL,
	  3, "FirstBurstLength (65536) must not exceed MaxBurstLength (8192)" },
	{ T_HEAD "{ tag = 1; parameters = {\n MaxOutstandingR2T = 0; }; }\n" T_TAIL, 3,
	  "from 1 to 65535" },
	{ T_HEAD "{ tag = 1; parameters = {\n InitialR2T = \"maybe\"; }; }\n" T_TAIL, 3,
	  "\"Yes\" or \"No\"" },
	{ T_HEAD "{ tag = 1; parameters = {\n HeaderDigest = \"MD5\"; }; }\n" T_TAIL, 3,
	  "'HeaderDigest' must be" },
	{ T_HEAD "{ tag = 1; parameters = {\n DataDigest = \"CRC32C,\"; }; }\n" T_TAIL, 3,
	  "'DataDigest' must be" },
	{ T_HEAD "{ tag = 1; parameters = {\n DataDigest = 1; }; }\n" T_TAIL, 3,
	  "'DataDigest' must be" },
	{ T_HEAD "{ tag = 1; parameters = {\n DefaultTime2Wait = 3601; }; }\n" T_TAIL, 3,
	  "from 0 to 3600" },
	{ T_HEAD "{ tag = 1; parameters = {\n DefaultTime2Retain = -1; }; }\n" T_TAIL, 3,
	  "from 0 to 3600" },
	/* CHAP (RFC 7143 §12.1.3, §9.2.1); the secrets themselves never appear in a message */
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " userid = \"u\"; password = \"short\"; } ); }\n" T_TAIL,
	  3, "initiator 'iqn.2026-11.org.example:i': password is shorter than 12 bytes" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\"; userid = \"u\";\n"
	  " password = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"; } ); }\n" T_TAIL,
	  3, "password is longer than 255 bytes" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " userid = \"a\\tb\"; password = \"secret-of-a-123\"; } ); }\n" T_TAIL,
	  3, "userid holds a control character" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " userid = \"\"; password = \"secret-of-a-123\"; } ); }\n" T_TAIL,
	  3, "userid is empty" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " userid = \"u\"; } ); }\n" T_TAIL,
	  3, "userid and password go together" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " userid = \"u\"; password = \"secret-of-a-123\";\n mutual_password = \"target-secret-1\"; } ); }\n"
	  T_TAIL, 4, "mutual_userid and mutual_password go together" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " mutual_userid = \"t\"; mutual_password = \"target-secret-1\"; } ); }\n" T_TAIL,
	  3, "needs the initiator's userid and password too" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " userid = \"u\"; password = \"same-secret-123\";\n"
	  " mutual_userid = \"t\"; mutual_password = \"same-secret-123\"; } ); }\n" T_TAIL,
	  4, "password and mutual_password must differ" },
	{ T_HEAD "{ tag = 1; acls = (\n"
	  " { initiator = \"iqn.2026-11.org.example:a\"; userid = \"a\"; password = \"secret-of-a-123\"; },\n"
	  " { initiator = \"iqn.2026-11.org.example:b\"; userid = \"b\"; password = \"secret-of-b-123\";\n"
	  " mutual_userid = \"t\"; mutual_password = \"secret-of-a-123\"; } ); }\n" T_TAIL,
	  5, "mutual_password is a password of initiator 'iqn.2026-11.org.example:a'" },
	{ "discovery_auth = { userid = \"d\"; password = \"disc-secret-12\"; mutual_userid = \"t\";\n"
	  " mutual_password = \"shared-secret1\"; };\n"
	  T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:a\";\n"
	  " userid = \"a\"; password = \"shared-secret1\"; } ); }\n" T_TAIL,
	  5, "password is a mutual_password of discovery_auth" },
	{ T_HEAD "{ tag = 2; attributes = { authentication = true; }; acls = (\n"
	  " { initiator = \"iqn.2026-11.org.example:a\"; userid = \"a\"; password = \"secret-of-a-123\"; },\n"
	  " { initiator = \"iqn.2026-11.org.example:b\"; } ); }\n" T_TAIL,
	  4, "TPG 2 has authentication = true, so its ACL needs userid and password" },
	{ T_HEAD "{ tag = 1; attributes = {\n authentication = \"yes\"; }; }\n" T_TAIL, 3, "authentication" },
	{ "discovery_auth = {\n};\n", 1, "discovery_auth needs userid and password" },
	{ "discovery_auth = { userid = \"d\"; password = \"disc-secret-12\";\n enable = true; };\n", 2,
	  "enable" },
	{ "discovery_auth = ( );\n", 1, "'discovery_auth' must be a group" },
	{ "discovery_auth = { userid = \"d\";\n password = \"disc-secret\"; };\n", 2,
	  "discovery_auth: password is shorter than 12 bytes" },
	/* allowed addresses (target/net.c) */
	{ T_HEAD "{ tag = 1;\n allowed_addresses = [ \"10.0.0.1/24\" ]; }\n" T_TAIL, 3,
	  "TPG 1: allowed address '10.0.0.1/24': host bits are set below the prefix length: write 10.0.0.0/24" },
	{ T_HEAD "{ tag = 3; allowed_addresses = [\n \"10.0.0.0/24\",\n \"10.0.0.0/33\" ]; }\n" T_TAIL, 4,
	  "TPG 3: allowed address '10.0.0.0/33': the prefix length of an IPv4 network is at most 32" },
	{ T_HEAD "{ tag = 1; allowed_addresses = [\n \"fd00::/129\" ]; }\n" T_TAIL, 3,
	  "at most 128" },
	{ T_HEAD "{ tag = 1; allowed_addresses = [\n \"nas.example.com\" ]; }\n" T_TAIL, 3,
	  "'nas.example.com': host names are not accepted" },
	{ T_HEAD "{ tag = 1; allowed_addresses = [ \"10.0.0.1\",\n \"10.0.0.1/32\" ]; }\n" T_TAIL, 3,
	  "TPG 1: allowed address '10.0.0.1/32': listed twice" },
	{ T_HEAD "{ tag = 1; allowed_addresses = [\n \"\" ]; }\n" T_TAIL, 3,
	  "allowed address '': empty address" },
	{ T_HEAD "{ tag = 1; allowed_addresses = [\n \"10.0.0.1:3260\" ]; }\n" T_TAIL, 3,
	  "not ports" },
	{ T_HEAD "{ tag = 1; allowed_addresses = [\n \"10.0.0.0/24, 10.1.0.0/24\" ]; }\n" T_TAIL, 3,
	  "holds a blank" },
	{ T_HEAD "{ tag = 1; allowed_addresses = ( \"10.0.0.1\",\n 10 ); }\n" T_TAIL, 3,
	  "TPG 1: each allowed address must be a string" },
	{ T_HEAD "{ tag = 1;\n allowed_addresses = \"10.0.0.0/24\"; }\n" T_TAIL, 3,
	  "TPG 1: 'allowed_addresses' must be a list of addresses and networks" },
	{ T_HEAD "{ tag = 1;\n allowed_addresses = { a = 1; }; }\n" T_TAIL, 3,
	  "must be a list of addresses" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " allowed_addresses = [ \"fd00::1/64\" ]; } ); }\n" T_TAIL, 3,
	  "initiator 'iqn.2026-11.org.example:i': allowed address 'fd00::1/64': host bits are set below the prefix length: write fd00::/64" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " allowed_addresses = [ \"::ffff:10.0.0.1\" ]; } ); }\n" T_TAIL, 3,
	  "allowed address '::ffff:10.0.0.1': an IPv4-mapped IPv6 address matches no peer (IPv4 peers are matched as IPv4): write 10.0.0.1" },
	{ T_HEAD "{ tag = 1; acls = ( { initiator = \"iqn.2026-11.org.example:i\";\n"
	  " allowed_address = [ \"10.0.0.1\" ]; } ); }\n" T_TAIL, 3,
	  "allowed_address" },
};

/* The message of a bad configuration in file path: exactly one line, on the right line. */
static void check_bad(const struct bad_case *c, size_t idx)
{
	char path[128], prefix[160], strprefix[32];
	struct obj_model *m = (struct obj_model *)1;
	struct cfg_err err = { "" };

	snprintf(path, sizeof(path), "%s/bad%zu.conf", tmpdir, idx);
	write_file(path, c->text);
	ck_assert_msg(config_parse(path, &m, &err) == -EINVAL, "case %zu accepted:\n%s", idx,
		      c->text);
	ck_assert_ptr_null(m);
	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, c->line);
	ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0,
		      "case %zu: '%s' does not start with '%s'", idx, err.msg, prefix);
	ck_assert_msg(strstr(err.msg + strlen(prefix), c->msg), "case %zu: '%s' lacks '%s'", idx,
		      err.msg, c->msg);
	ck_assert_msg(!strchr(err.msg, '\n'), "case %zu: more than one line: '%s'", idx, err.msg);
	/* the CHAP cases' secrets all have "secret-" or "secret1" in them: never in a message */
	ck_assert_msg(!strstr(err.msg, "secret-") && !strstr(err.msg, "secret1"),
		      "case %zu: a secret in '%s'", idx, err.msg);

	/* from a string: the same message, with the line number */
	memset(&err, 0, sizeof(err));
	m = (struct obj_model *)1;
	ck_assert_int_eq(config_parse_string(c->text, &m, &err), -EINVAL);
	ck_assert_ptr_null(m);
	snprintf(strprefix, sizeof(strprefix), "%d: ", c->line);
	ck_assert_msg(strstr(err.msg, strprefix) && strstr(err.msg, c->msg),
		      "case %zu from a string: '%s'", idx, err.msg);
}

START_TEST(test_bad)
{
	check_bad(&bad_cases[_i], (size_t)_i);
}
END_TEST

/* The reason for a bad iSCSI name is iscsi_name_check's own. */
START_TEST(test_bad_names)
{
	static const char *const names[] = { "iqn.bogus", "storage1", "iqn.2026-11.org.example:has space" };
	char text[512], expect[256], path[128];
	struct obj_model *m = NULL;
	struct cfg_err err;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(iscsi_name_check(names[i], &why), -EINVAL);
		ck_assert_ptr_nonnull(why);

		snprintf(path, sizeof(path), "%s/name%zu.conf", tmpdir, i);
		snprintf(text, sizeof(text), "targets = (\n { iqn = \"%s\"; }\n);\n", names[i]);
		write_file(path, text);
		memset(&err, 0, sizeof(err));
		ck_assert_int_eq(config_parse(path, &m, &err), -EINVAL);
		snprintf(expect, sizeof(expect), "%s:2: target '%s' is not a valid iSCSI name: %s",
			 path, names[i], why);
		ck_assert_str_eq(err.msg, expect);

		snprintf(text, sizeof(text),
			 "targets = ( { iqn = \"iqn.2026-11.org.example:t\"; tpgs = ( { tag = 1;\n"
			 " acls = (\n { initiator = \"%s\"; } ); } ); } );\n",
			 names[i]);
		write_file(path, text);
		memset(&err, 0, sizeof(err));
		ck_assert_int_eq(config_parse(path, &m, &err), -EINVAL);
		snprintf(expect, sizeof(expect),
			 "%s:3: initiator '%s' is not a valid iSCSI name: %s", path, names[i], why);
		ck_assert_str_eq(err.msg, expect);
	}
}
END_TEST

/* ---- identity ---- */

START_TEST(test_id_derive)
{
	static const char mid[] = "0123456789abcdef0123456789abcdef";
	static const uint8_t naa[8] = { 0x3b, 0x6d, 0x9d, 0x85, 0x3c, 0x18, 0x65, 0xfe };
	struct scsi_lu_id a, b;

	/* SHA-256("0123456789abcdef0123456789abcdef\nlun0") = 123c8f6ce6d7ac61 7b6d9d853c1865fe ... */
	ck_assert_int_eq(config_lu_id_derive(mid, "lun0", &a), 0);
	ck_assert_str_eq(a.serial, "123c8f6ce6d7ac61");
	ck_assert(memcmp(a.naa, naa, 8) == 0);
	ck_assert_str_eq(a.vendor, "PORTICO ");
	ck_assert_str_eq(a.product, "VIRTUAL-DISK");
	ck_assert_str_eq(a.revision, "0001");

	/* deterministic */
	ck_assert_int_eq(config_lu_id_derive(mid, "lun0", &b), 0);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);

	/* another name, another machine: another identity, still NAA 3h */
	ck_assert_int_eq(config_lu_id_derive(mid, "lun1", &b), 0);
	ck_assert_str_eq(b.serial, "316cd1389aec4da5");
	ck_assert_uint_eq(get_be64(b.naa), 0x3b5d517d9f6f2905ULL);
	ck_assert_uint_eq(b.naa[0] >> 4, 3);
	ck_assert_int_eq(config_lu_id_derive("fedcba9876543210fedcba9876543210", "lun0", &b), 0);
	ck_assert_str_ne(a.serial, b.serial);
	ck_assert(memcmp(a.naa, b.naa, 8) != 0);
	ck_assert_uint_eq(b.naa[0] >> 4, 3);
	/* the separator keeps (machine, name) pairs apart */
	ck_assert_int_eq(config_lu_id_derive("ab", "c", &a), 0);
	ck_assert_int_eq(config_lu_id_derive("a", "bc", &b), 0);
	ck_assert_str_ne(a.serial, b.serial);
}
END_TEST

START_TEST(test_id_machine)
{
	char a[256], b[256];

	my_machine_id(a, sizeof(a));
	my_machine_id(b, sizeof(b));
	ck_assert_str_eq(a, b);
	ck_assert(!strpbrk(a, " \n\r\t"));
}
END_TEST

/* A pinned serial equal to the one another backstore derives: refused. */
START_TEST(test_id_collision_derived)
{
	char mid[256], text[512];
	struct scsi_lu_id id;
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };

	my_machine_id(mid, sizeof(mid));
	ck_assert_int_eq(config_lu_id_derive(mid, "a", &id), 0);
	snprintf(text, sizeof(text),
		 "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\"; },\n"
		 " { name = \"b\"; type = \"null\"; size = \"1M\";\n   serial = \"%s\"; }\n);\n",
		 id.serial);
	ck_assert_int_eq(config_parse_string(text, &m, &err), -EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(err.msg, "4: backstore 'b': serial") &&
			      strstr(err.msg, "is also backstore 'a''s (line 2)"),
		      "%s", err.msg);

	memset(&err, 0, sizeof(err));
	snprintf(text, sizeof(text),
		 "backstores = (\n { name = \"a\"; type = \"null\"; size = \"1M\"; },\n"
		 " { name = \"b\"; type = \"null\"; size = \"1M\";\n   naa = \"%016llx\"; }\n);\n",
		 (unsigned long long)get_be64(id.naa));
	ck_assert_int_eq(config_parse_string(text, &m, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "4: backstore 'b': naa") &&
			      strstr(err.msg, "is also backstore 'a''s (line 2)"),
		      "%s", err.msg);

	/* distinct names on one machine: distinct derived identities */
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(config_parse_string(example, &m, &err), 0);
	ck_assert_str_ne(m->backstores[0].id.serial, m->backstores[1].id.serial);
	ck_assert_str_ne(m->backstores[1].id.serial, m->backstores[2].id.serial);
	ck_assert(memcmp(m->backstores[0].id.naa, m->backstores[2].id.naa, 8) != 0);
	obj_model_free(m);
}
END_TEST

/* ---- config_open: real stores ---- */

static struct obj_model *parse_or_fail(const char *text)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };

	ck_assert_msg(config_parse_string(text, &m, &err) == 0, "%s", err.msg);
	return m;
}

START_TEST(test_open_file_and_null)
{
	char text[1024], img[128];
	struct obj_model *m;
	struct cfg_err err = { "" };
	struct stat st;
	size_t i;

	snprintf(img, sizeof(img), "%s/lun0.img", tmpdir);
	snprintf(text, sizeof(text),
		 "backstores = (\n"
		 "  { name = \"lun0\"; type = \"file\"; path = \"%s\"; size = \"4M\"; thin = true; },\n"
		 "  { name = \"nullb\"; type = \"null\"; size = \"100G\"; block_size = 4096; }\n"
		 ");\n",
		 img);
	m = parse_or_fail(text);
	ck_assert_msg(config_open(m, &err) == 0,
		      "config_open: %s (are the file and null backstores and the SCSI engine built?)",
		      err.msg);
	for (i = 0; i < 2; i++) {
		struct obj_backstore *b = &m->backstores[i];

		ck_assert_ptr_nonnull(b->dev);
		ck_assert_ptr_nonnull(b->lu);
		ck_assert_ptr_eq(scsi_lu_bs(b->lu), b->dev);
		ck_assert_str_eq(scsi_lu_get_id(b->lu)->serial, b->id.serial);
		ck_assert(memcmp(scsi_lu_get_id(b->lu)->naa, b->id.naa, 8) == 0);
	}
	/* the file was created, 4 MiB, sparse as asked */
	ck_assert_int_eq(stat(img, &st), 0);
	ck_assert_int_eq(st.st_size, 4 << 20);
	ck_assert_uint_eq(m->backstores[0].dev->size, 4 << 20);
	ck_assert_uint_eq(m->backstores[0].dev->block_size, 512);
	ck_assert(m->backstores[0].dev->write_back);
	ck_assert_uint_eq(m->backstores[1].dev->size, 100ULL << 30);
	ck_assert_uint_eq(m->backstores[1].dev->block_size, 4096);
	obj_model_free(m);

	/* again, now that the file exists: no size needed */
	snprintf(text, sizeof(text),
		 "backstores = ( { name = \"lun0\"; type = \"file\"; path = \"%s\"; readonly = true; } );\n",
		 img);
	m = parse_or_fail(text);
	ck_assert_msg(config_open(m, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(m->backstores[0].dev->size, 4 << 20);
	ck_assert(m->backstores[0].dev->readonly);
	obj_model_free(m);
}
END_TEST

START_TEST(test_load)
{
	char path[128], img[128], text[512];
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };

	snprintf(img, sizeof(img), "%s/d.img", tmpdir);
	snprintf(path, sizeof(path), "%s/load.conf", tmpdir);
	snprintf(text, sizeof(text),
		 "backstores = ( { name = \"d\"; type = \"file\"; path = \"%s\"; size = \"1M\"; } );\n"
		 "targets = ( { iqn = \"iqn.2026-11.org.example:t\"; tpgs = ( { tag = 1;\n"
		 "  portals = [ \"127.0.0.1:3260\" ]; luns = ( { lun = 0; backstore = \"d\"; } ); } ); } );\n",
		 img);
	write_file(path, text);
	ck_assert_msg(config_load(path, &m, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(m->backstores[0].lu);
	ck_assert_ptr_eq(m->targets[0].tpgs[0].luns[0].bs->lu, m->backstores[0].lu);
	obj_model_free(m);

	/* a failing open leaves nothing behind */
	ck_assert_int_eq(unlink(img), 0);
	snprintf(text, sizeof(text),
		 "backstores = ( { name = \"d\"; type = \"file\"; path = \"%s\"; } );\n", img);
	write_file(path, text);
	m = (struct obj_model *)1;
	ck_assert_int_eq(config_load(path, &m, &err), -ENOENT);
	ck_assert_ptr_null(m);
	ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0 && strstr(err.msg, ":1: "), "%s",
		      err.msg);
}
END_TEST

/* Runs config_open on a model whose backstore 'bad' (on line 3) fails; checks the message and the rollback. */
static void expect_open_error(const char *bad_line, int ret, const char *part)
{
	char text[1024], path[128];
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	char prefix[160];

	snprintf(path, sizeof(path), "%s/open.conf", tmpdir);
	snprintf(text, sizeof(text),
		 "backstores = (\n  { name = \"good\"; type = \"null\"; size = \"1M\"; },\n%s\n);\n",
		 bad_line);
	write_file(path, text);
	ck_assert_msg(config_parse(path, &m, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(config_open(m, &err), ret);
	snprintf(prefix, sizeof(prefix), "%s:3: backstore 'bad': ", path);
	ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0, "'%s' does not start with '%s'",
		      err.msg, prefix);
	ck_assert_msg(strstr(err.msg, part), "'%s' lacks '%s'", err.msg, part);
	/* what config_open opened before the failure is closed again */
	ck_assert_ptr_null(m->backstores[0].dev);
	ck_assert_ptr_null(m->backstores[0].lu);
	ck_assert_ptr_null(m->backstores[1].dev);
	ck_assert_ptr_null(m->backstores[1].lu);
	obj_model_free(m);
}

/* ---- state_dir: where APTPL reservations live ---- */

START_TEST(test_state_dir)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	char text[4200];

	ck_assert_msg(config_parse_string("", &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(m->state_dir, PR_STORE_DEFAULT_DIR);
	obj_model_free(m);
	ck_assert_msg(config_parse_string("state_dir = \"/srv/portico-state\";\n", &m, &err) == 0,
		      "%s", err.msg);
	ck_assert_str_eq(m->state_dir, "/srv/portico-state");
	obj_model_free(m);
	/* too long to hold "<state_dir>/pr/<serial>" */
	memset(text, 0, sizeof(text));
	strcpy(text, "state_dir = \"/");
	memset(text + strlen(text), 'd', 3950);
	strcat(text, "\";\n");
	ck_assert_int_eq(config_parse_string(text, &m, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "state_dir is longer than"), "%s", err.msg);
}
END_TEST

/* A state blob (target/scsi/pr.h) with one registration holding Write Exclusive, APTPL set. */
static size_t pr_blob_one(uint8_t *b, const char *name, uint64_t key)
{
	size_t n = strlen(name), off = 20;

	memset(b, 0, 20);
	memcpy(b, "PTPR", 4);
	b[4] = 1;			/* version */
	b[5] = 1;			/* APTPL */
	b[6] = 1;			/* Write Exclusive */
	put_be32(b + 8, 7);		/* PRgeneration */
	put_be32(b + 12, 0);		/* the holder: registration 0 */
	put_be32(b + 16, 1);		/* one registration */
	put_be64(b + off, key);
	put_be16(b + off + 8, 1);	/* relative target port 1 */
	b[off + 10] = 0;
	b[off + 11] = (uint8_t)n;
	memcpy(b + off + 12, name, n);
	off += 12 + n;
	put_be32(b + off, crc32c(0, b, off));
	return off + 4;
}

START_TEST(test_open_restores_reservations)
{
	char text[1024], img[128], sd[128];
	struct obj_model *m;
	struct cfg_err err = { "" };
	uint8_t blob[256], *snap;
	size_t len, slen;

	snprintf(img, sizeof(img), "%s/pr.img", tmpdir);
	snprintf(sd, sizeof(sd), "%s/state", tmpdir);
	len = pr_blob_one(blob, "iqn.2024-01.org.example:host1,i,0x000000000001", 0x1234);
	ck_assert_int_eq(pr_store_write_file(sd, "PRSERIAL1", blob, len), 0);
	snprintf(text, sizeof(text),
		 "state_dir = \"%s\";\n"
		 "backstores = (\n"
		 "  { name = \"a\"; type = \"file\"; path = \"%s\"; size = \"1M\"; serial = \"PRSERIAL1\"; },\n"
		 "  { name = \"b\"; type = \"null\"; size = \"1M\"; serial = \"PRSERIAL2\"; }\n"
		 ");\n",
		 sd, img);
	m = parse_or_fail(text);
	ck_assert_msg(config_open(m, &err) == 0, "%s", err.msg);
	/* the LU with a saved state has it back, whole; the other starts empty */
	ck_assert_int_eq(pr_lu_snapshot(m->backstores[0].lu, &snap, &slen), 0);
	ck_assert_uint_eq(slen, len);
	ck_assert_int_eq(memcmp(snap, blob, len), 0);
	free(snap);
	ck_assert_int_eq(pr_lu_snapshot(m->backstores[1].lu, &snap, &slen), 0);
	ck_assert_uint_eq(get_be32(snap + 16), 0);
	free(snap);
	obj_model_free(m);

	/* a damaged file does not stop the daemon: the LU starts without it */
	blob[len - 1] ^= 1;
	ck_assert_int_eq(pr_store_write_file(sd, "PRSERIAL1", blob, len), 0);
	m = parse_or_fail(text);
	ck_assert_msg(config_open(m, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(pr_lu_snapshot(m->backstores[0].lu, &snap, &slen), 0);
	ck_assert_uint_eq(get_be32(snap + 16), 0);
	free(snap);
	obj_model_free(m);
}
END_TEST

START_TEST(test_open_errors)
{
	char line[512], p[128];

	/* a missing file without a size to create it */
	snprintf(p, sizeof(p), "%s/absent.img", tmpdir);
	snprintf(line, sizeof(line), "  { name = \"bad\"; type = \"file\"; path = \"%s\"; }", p);
	expect_open_error(line, -ENOENT, "does not exist and no size is given to create it");

	/* a file that cannot be created: bs_open's own reason follows */
	snprintf(p, sizeof(p), "%s/no-such-dir/x.img", tmpdir);
	snprintf(line, sizeof(line),
		 "  { name = \"bad\"; type = \"file\"; path = \"%s\"; size = \"1M\"; }", p);
	snprintf(p, sizeof(p), "cannot open '%s/no-such-dir/x.img': ", tmpdir);
	expect_open_error(line, -ENOENT, p);
	expect_open_error(line, -ENOENT, "No such file or directory");

	/* a directory is not a file */
	snprintf(line, sizeof(line), "  { name = \"bad\"; type = \"file\"; path = \"%s\"; }",
		 tmpdir);
	expect_open_error(line, -EINVAL, "is not a regular file");

	/* block and lvm paths must be block devices */
	snprintf(p, sizeof(p), "%s/plain.img", tmpdir);
	write_file(p, "not a device");
	snprintf(line, sizeof(line), "  { name = \"bad\"; type = \"block\"; path = \"%s\"; }", p);
	expect_open_error(line, -ENOTBLK, "is not a block device (use type = \"file\"");
	snprintf(line, sizeof(line), "  { name = \"bad\"; type = \"lvm\"; path = \"/dev/null\"; }");
	expect_open_error(line, -ENOTBLK, "'/dev/null' is not a block device");
	snprintf(line, sizeof(line),
		 "  { name = \"bad\"; type = \"lvm\"; path = \"/dev/no-such-vg/lv0\"; }");
	expect_open_error(line, -ENOENT, "cannot open '/dev/no-such-vg/lv0'");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	/* unchecked: runs in the parent, so the directory goes even when a test fails */
	tcase_add_unchecked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_add_test(tc, test_example);
	tcase_add_test(tc, test_example_file);
	tcase_add_test(tc, test_shipped_conf);
	tcase_add_test(tc, test_example_maps);
	tcase_add_test(tc, test_all_settings);
	tcase_add_test(tc, test_empty_config);
	tcase_add_test(tc, test_chap_settings);
	tcase_add_test(tc, test_allowed_addresses);
	tcase_add_test(tc, test_secret_file_mode);
	tcase_add_test(tc, test_unreadable_file);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_id_derive);
	tcase_add_test(tc, test_id_machine);
	tcase_add_test(tc, test_id_collision_derived);
	tcase_add_test(tc, test_open_file_and_null);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_state_dir);
	tcase_add_test(tc, test_open_restores_reservations);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(config_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_save: what config_parse reads, saved and read again, is the same
 * model (obj_model_equal), and saved again the same bytes; derived LU
 * identities come out pinned; the file is 0600; versions rotate .1 .. .9;
 * a save that fails, or a model the file cannot express, leaves the old
 * file as it was; a damaged file is refused with its line, and
 * config_load_with_fallback then starts from the newest version that loads.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/be.h"
#include "common/util.h"
#include "target/backstore/bs.h"
#include "target/iscsi/chap.h"
#include "target/model/config.h"
#include "target/scsi/scsi.h"
#include "tests/unit/check_main.h"

/* Every key config_parse takes, none at its default, in odd orders and spellings. */
static const char every_setting[] =
	"control_socket = \"/run/portico-test/ctl.sock\";\n"
	"io_threads = 7;\n"
	"log_level = \"debug\";\n"
	"debug = \"iscsi,scsi\";\n"
	"state_dir = \"/srv/portico test/state\";\n"
	"discovery_auth = { userid = \"disc user\"; password = \"disc-secret-12\";\n"
	"  mutual_userid = \"portico\"; mutual_password = \"target-secret-1\";\n"
	"  chap_algorithms = \"SHA256\"; };\n"
	"backstores = (\n"
	"  { name = \"f0\"; type = \"file\"; path = \"/srv/a \\\"quoted\\\" \\\\ dir/f0.img\";\n"
	"    size = \"20G\"; thin = true; block_size = 4096; serial = \"SER-f0\";\n"
	"    naa = \"5001405ABCDEF012\"; },\n"
	"  { name = \"f1\"; type = \"file\"; path = \"/srv/f1.img\"; size = 512512;\n"
	"    write_back = false; readonly = true; },\n"
	"  { name = \"big\"; type = \"file\"; path = \"/srv/big.img\"; size = 5368709632L; },\n"
	"  { name = \"b0\"; type = \"block\"; path = \"/dev/loop7\"; size = \"1536M\"; },\n"
	"  { name = \"lv\"; type = \"lvm\"; path = \"/dev/vg0/lv0\"; naa = \"0x2000000000000001\"; },\n"
	"  { name = \"n0\"; type = \"null\"; size = \"1T\"; readonly = true; block_size = 512;\n"
	"    serial = \"x\"; }\n"
	");\n"
	"targets = (\n"
	"  { iqn = \"iqn.2026-11.org.example:t1\"; alias = \"St\xc3\xb6rage \\\"one\\\" \\\\ back\";\n"
	"    tpgs = (\n"
	"      { tag = 1;\n"
	"        portals = [ \"127.0.0.1:3260\", \"[::1]:3261\", \"10.0.0.1\" ];\n"
	"        allowed_addresses = [ \"10.0.0.0/24\", \"192.0.2.7/32\", \"[2001:db8::]/32\" ];\n"
	"        luns = ( { lun = 5; backstore = \"f1\"; }, { lun = 0; backstore = \"f0\"; },\n"
	"                 { lun = 16383; backstore = \"n0\"; } );\n"
	"        acls = (\n"
	"          { initiator = \"iqn.2026-11.org.example:all\"; userid = \"i1\";\n"
	"            password = \"init-secret-01\"; },\n"
	"          { initiator = \"iqn.2026-11.org.example:none\"; mapped_luns = ( );\n"
	"            userid = \"i2\"; password = \"init-secret-02\"; },\n"
	"          { initiator = \"iqn.2026-11.org.example:some\";\n"
	"            mapped_luns = ( { lun = 3; tpg_lun = 16383; read_only = true; },\n"
	"                            { lun = 1; tpg_lun = 0; read_only = false; } );\n"
	"            userid = \"i3\"; password = \"init-secret-03\"; mutual_userid = \"t3\";\n"
	"            mutual_password = \"target-secret-3\"; chap_algorithms = \"md5,sha3-256\";\n"
	"            allowed_addresses = ( \"10.0.0.5\", \"FD00::/8\" ); }\n"
	"        );\n"
	"        attributes = { generate_node_acls = true; demo_mode_write_protect = false;\n"
	"          nopin_interval = 0; nopin_timeout = 5; default_cmdsn_depth = 64;\n"
	"          authentication = true; };\n"
	"        auth = { chap_algorithms = \"SHA3-256,SHA256\"; };\n"
	"        parameters = { MaxRecvDataSegmentLength = 8192; MaxBurstLength = 16777215;\n"
	"          FirstBurstLength = 512; MaxOutstandingR2T = 4; InitialR2T = \"No\";\n"
	"          ImmediateData = false; HeaderDigest = \"CRC32C\"; DataDigest = \"None\";\n"
	"          DefaultTime2Wait = 0; DefaultTime2Retain = 3600; };\n"
	"      },\n"
	"      { tag = 65535; portals = ( \"[::]:3260\", \"[fe80::1%lo]:3263\" );\n"
	"        luns = ( { lun = 0; backstore = \"b0\"; }, { lun = 1; backstore = \"lv\"; } );\n"
	"        parameters = { HeaderDigest = false; DataDigest = \"None,CRC32C\";\n"
	"          InitialR2T = false; };\n"
	"        alua = { state = \"standby\"; preferred = true; explicit = true; };\n"
	"      } );\n"
	"  },\n"
	"  { iqn = \"eui.0123456789ABCDEF\"; tpgs = ( { tag = 2; acls = [ ]; } ); },\n"
	"  { iqn = \"naa.52004567BA64678D\"; }\n"
	");\n";

/* A small configuration that opens without devices; %u: io_threads. */
static const char small_fmt[] =
	"io_threads = %u;\n"
	"backstores = ( { name = \"n%u\"; type = \"null\"; size = \"1G\"; } );\n"
	"targets = ( { iqn = \"iqn.2026-11.org.example:small\";\n"
	"  tpgs = ( { tag = 1; luns = ( { lun = 0; backstore = \"n%u\"; } ); } ); } );\n";

static char tmpdir[64];

static void tmpdir_setup(void)
{
	strcpy(tmpdir, "/tmp/portico-config-save-test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	bs_register_builtin();
	scsi_init();
}

static void tmpdir_teardown(void)
{
	char cmd[256];

	/* the directory is ours (mkdtemp): remove it with whatever a test left in it */
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", tmpdir, tmpdir);
	if (tmpdir[0] && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

/* tmpdir/name, in a static buffer per call site's choice */
static void tmp_path(char *buf, size_t len, const char *name)
{
	ck_assert_int_lt(snprintf(buf, len, "%s/%s", tmpdir, name), (int)len);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* The whole file; the caller frees it. */
static char *read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct obj_model *parse_text(const char *text)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };

	ck_assert_msg(config_parse_string(text, &m, &err) == 0, "%s", err.msg);
	return m;
}

static struct obj_model *parse_file(const char *path)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };

	ck_assert_msg(config_parse(path, &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(m->path, path);
	return m;
}

static void save_ok(const struct obj_model *m, const char *path, int keep)
{
	struct cfg_err err = { "" };

	ck_assert_msg(config_save(m, path, keep, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(err.msg, "");
}

static void assert_equal(const struct obj_model *a, const struct obj_model *b)
{
	char why[256] = "";

	ck_assert_msg(obj_model_equal(a, b, why, sizeof(why)), "models differ: %s", why);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void save_small(const char *path, unsigned int n, int keep)
{
	char text[512];
	struct obj_model *m;

	snprintf(text, sizeof(text), small_fmt, n, n, n);
	m = parse_text(text);
	save_ok(m, path, keep);
	obj_model_free(m);
}

/* io_threads of the file at path: which version it is. */
static unsigned int version_of(const char *path)
{
	struct obj_model *m = parse_file(path);
	unsigned int v = m->io_threads;

	obj_model_free(m);
	return v;
}

/* ---- round trip ---- */

/*
 * conf/porticod.conf, as shipped: parse, save, parse the saved file: the
 * same model; saved again, the same bytes.
 */
START_TEST(test_shipped_round_trip)
{
	struct obj_model *m, *back, *again;
	char p1[256], p2[256], p3[300];
	char *t1, *t2;

	ck_assert_msg(access("conf/porticod.conf", R_OK) == 0,
		      "conf/porticod.conf not found: run from the repository root");
	m = parse_file("conf/porticod.conf");
	tmp_path(p1, sizeof(p1), "shipped.conf");
	tmp_path(p2, sizeof(p2), "shipped2.conf");
	save_ok(m, p1, CONFIG_SAVE_KEEP);
	back = parse_file(p1);
	assert_equal(m, back);
	assert_equal(back, m);
	save_ok(back, p2, CONFIG_SAVE_KEEP);
	t1 = read_text(p1);
	t2 = read_text(p2);
	ck_assert_str_eq(t1, t2);
	/* and the second generation reads back the same too */
	again = parse_file(p2);
	assert_equal(m, again);
	/* saved over itself: the same bytes, so nothing is touched and no version made */
	save_ok(again, p1, CONFIG_SAVE_KEEP);
	free(t2);
	snprintf(p3, sizeof(p3), "%s.1", p1);
	ck_assert_int_eq(access(p3, F_OK), -1);
	t2 = read_text(p1);
	ck_assert_str_eq(t1, t2);
	free(t1);
	free(t2);
	obj_model_free(m);
	obj_model_free(back);
	obj_model_free(again);
}
END_TEST

/* Every key at a value that is not its default survives, and the bytes are stable. */
START_TEST(test_every_setting_round_trip)
{
	struct obj_model *m, *back;
	const struct obj_tpg *tpg;
	char p1[256], p2[256];
	char *t1, *t2;

	m = parse_text(every_setting);
	tmp_path(p1, sizeof(p1), "every.conf");
	tmp_path(p2, sizeof(p2), "every2.conf");
	save_ok(m, p1, 0);
	back = parse_file(p1);
	assert_equal(m, back);

	/* a few of the values themselves, so that equality is not of two wrong models */
	ck_assert_str_eq(back->control_socket, "/run/portico-test/ctl.sock");
	ck_assert_uint_eq(back->io_threads, 7);
	ck_assert_int_eq(back->log_level, LOG_LEVEL_DBG);
	ck_assert_str_eq(back->debug, "iscsi,scsi");
	ck_assert_str_eq(back->state_dir, "/srv/portico test/state");
	ck_assert_str_eq(back->discovery_auth.userid, "disc user");
	ck_assert_str_eq(back->discovery_auth.mutual_password, "target-secret-1");
	ck_assert_uint_eq(back->nbackstores, 6);
	ck_assert_str_eq(back->backstores[0].path, "/srv/a \"quoted\" \\ dir/f0.img");
	ck_assert_uint_eq(back->backstores[0].params.size, 20ULL << 30);
	ck_assert_uint_eq(back->backstores[0].params.block_size, 4096);
	ck_assert_str_eq(back->backstores[0].id.serial, "SER-f0");
	ck_assert_uint_eq(get_be64(back->backstores[0].id.naa), 0x5001405abcdef012ULL);
	ck_assert_uint_eq(back->backstores[1].params.size, 512512);
	ck_assert(!back->backstores[1].params.write_back && back->backstores[1].params.readonly);
	ck_assert_uint_eq(back->backstores[2].params.size, 5368709632ULL);
	ck_assert_uint_eq(back->backstores[3].params.size, 1536ULL << 20);
	ck_assert_uint_eq(get_be64(back->backstores[4].id.naa), 0x2000000000000001ULL);
	ck_assert_str_eq(back->backstores[5].id.serial, "x");
	ck_assert_uint_eq(back->ntargets, 3);
	ck_assert_str_eq(back->targets[0].alias, "St\xc3\xb6rage \"one\" \\ back");
	tpg = &back->targets[0].tpgs[0];
	ck_assert_uint_eq(tpg->nluns, 3);
	ck_assert_uint_eq(tpg->luns[2].lun, 16383);
	ck_assert_str_eq(tpg->portals[2].text, "10.0.0.1:3260");
	ck_assert(tpg->acls[0].all_luns);
	ck_assert(!tpg->acls[1].all_luns && tpg->acls[1].nmapped == 0);
	ck_assert_uint_eq(tpg->acls[2].nmapped, 2);
	ck_assert(tpg->acls[2].mapped[0].read_only);
	ck_assert_str_eq(tpg->acls[2].chap.mutual_password, "target-secret-3");
	ck_assert_uint_eq(tpg->allowed.n, 3);
	ck_assert_uint_eq(tpg->allowed.nets[2].prefix, 32);
	ck_assert_uint_eq(tpg->acls[2].allowed.n, 2);
	ck_assert_uint_eq(tpg->acls[0].allowed.n, 0);
	ck_assert(tpg->attrs.authentication && tpg->attrs.generate_node_acls);
	ck_assert_uint_eq(tpg->attrs.nopin_interval_s, 0);
	ck_assert(!tpg->params.initial_r2t && !tpg->params.immediate_data);
	ck_assert(tpg->params.header_digest && tpg->params.header_digest_required);
	ck_assert(!tpg->params.data_digest);
	tpg = &back->targets[0].tpgs[1];
	ck_assert_uint_eq(tpg->tag, 65535);
	ck_assert_str_eq(tpg->portals[1].text, "[fe80::1%lo]:3263");
	ck_assert(!tpg->params.header_digest && tpg->params.data_digest);
	ck_assert(!tpg->params.data_digest_required);
	ck_assert_uint_eq(back->targets[1].tpgs[0].nacls, 0);
	ck_assert_uint_eq(back->targets[2].ntpgs, 0);

	/* the spellings the file uses: sizes as strings, never a truncatable literal */
	t1 = read_text(p1);
	ck_assert_ptr_nonnull(strstr(t1, "size = \"20G\";"));
	ck_assert_ptr_nonnull(strstr(t1, "size = \"512512\";"));
	ck_assert_ptr_nonnull(strstr(t1, "size = \"5368709632\";"));
	ck_assert_ptr_nonnull(strstr(t1, "size = \"1536M\";"));
	ck_assert_ptr_nonnull(strstr(t1, "size = \"1T\";"));
	ck_assert_ptr_nonnull(strstr(t1, "naa = \"0x5001405abcdef012\";"));
	ck_assert_ptr_nonnull(strstr(t1, "mapped_luns = ( );"));
	ck_assert_ptr_nonnull(strstr(t1, "HeaderDigest = \"CRC32C\";"));
	ck_assert_ptr_nonnull(strstr(t1, "password = \"init-secret-03\";"));
	/* allowed addresses in their canonical spelling */
	ck_assert_ptr_nonnull(
		strstr(t1, "allowed_addresses = [ \"10.0.0.0/24\", \"192.0.2.7\", \"2001:db8::/32\" ];"));
	ck_assert_ptr_nonnull(strstr(t1, "allowed_addresses = [ \"10.0.0.5\", \"fd00::/8\" ];"));

	save_ok(back, p2, 0);
	t2 = read_text(p2);
	ck_assert_str_eq(t1, t2);
	free(t1);
	free(t2);
	obj_model_free(m);
	obj_model_free(back);
}
END_TEST

/* Defaults stay out of the file; the empty configuration saves and loads back empty. */
START_TEST(test_defaults_left_out)
{
	struct obj_model *m, *back;
	char path[256];
	char *t;

	m = parse_text("");
	tmp_path(path, sizeof(path), "empty.conf");
	save_ok(m, path, 0);
	t = read_text(path);
	ck_assert_str_eq(t, "control_socket = \"" CONFIG_DEFAULT_CONTROL_SOCKET "\";\n"
			    "io_threads = 0;\n"
			    "log_level = \"info\";\n");
	back = parse_file(path);
	assert_equal(m, back);
	ck_assert_uint_eq(back->nbackstores + back->ntargets, 0);
	free(t);
	obj_model_free(m);
	obj_model_free(back);

	m = parse_text("targets = ( { iqn = \"iqn.2026-11.org.example:d\";\n"
		       "  tpgs = ( { tag = 1; attributes = { nopin_interval = 15; };\n"
		       "    parameters = { MaxBurstLength = 1048576; }; } ); } );\n");
	save_ok(m, path, 0);
	t = read_text(path);
	ck_assert_ptr_null(strstr(t, "attributes"));
	ck_assert_ptr_null(strstr(t, "parameters"));
	ck_assert_ptr_null(strstr(t, "alias"));
	back = parse_file(path);
	assert_equal(m, back);
	free(t);
	obj_model_free(m);
	obj_model_free(back);
}
END_TEST

/* ---- identity ---- */

/*
 * Derived identities come out as explicit serial and naa, read back
 * pinned and the same; pinned, they survive a rename of the backstore,
 * which a derived identity would not.
 */
START_TEST(test_identity_pinned)
{
	struct obj_model *m, *back, *renamed;
	struct scsi_lu_id id;
	char path[256], line[256], mid[256];
	char *t, *p;
	size_t i;

	m = parse_file("conf/porticod.conf");
	for (i = 0; i < m->nbackstores; i++)
		ck_assert(!m->backstores[i].serial_set && !m->backstores[i].naa_set);
	tmp_path(path, sizeof(path), "ids.conf");
	save_ok(m, path, 0);
	t = read_text(path);
	for (i = 0; i < m->nbackstores; i++) {
		snprintf(line, sizeof(line), "serial = \"%s\";", m->backstores[i].id.serial);
		ck_assert_msg(strstr(t, line), "'%s' not in the saved file", line);
		snprintf(line, sizeof(line), "naa = \"0x%016llx\";",
			 (unsigned long long)get_be64(m->backstores[i].id.naa));
		ck_assert_msg(strstr(t, line), "'%s' not in the saved file", line);
	}
	back = parse_file(path);
	for (i = 0; i < back->nbackstores; i++) {
		ck_assert(back->backstores[i].serial_set && back->backstores[i].naa_set);
		ck_assert_str_eq(back->backstores[i].id.serial, m->backstores[i].id.serial);
		ck_assert(memcmp(back->backstores[i].id.naa, m->backstores[i].id.naa, 8) == 0);
		ck_assert_str_eq(back->backstores[i].id.vendor, "PORTICO ");
		ck_assert_str_eq(back->backstores[i].id.product, "VIRTUAL-DISK");
		ck_assert_str_eq(back->backstores[i].id.revision, "0001");
	}

	/* rename lun0 in the saved file (its name and the LUN that names it) */
	while ((p = strstr(t, "\"lun0\"")))
		memcpy(p, "\"LUNX\"", 6);
	renamed = parse_text(t);
	ck_assert_str_eq(renamed->backstores[0].name, "LUNX");
	ck_assert_str_eq(renamed->backstores[0].id.serial, m->backstores[0].id.serial);
	ck_assert(memcmp(renamed->backstores[0].id.naa, m->backstores[0].id.naa, 8) == 0);
	/* ... where a derived identity would have changed */
	ck_assert_int_eq(config_machine_id(mid, sizeof(mid)), 0);
	ck_assert_int_eq(config_lu_id_derive(mid, "LUNX", &id), 0);
	ck_assert_str_ne(id.serial, m->backstores[0].id.serial);
	free(t);
	obj_model_free(m);
	obj_model_free(back);
	obj_model_free(renamed);
}
END_TEST

/* ---- obj_model_equal sees every field ---- */

/*
 * Mutation i of a model parsed from every_setting: changes one field and
 * returns a piece of what obj_model_equal should say, or NULL past the last.
 */
static const char *mutate(struct obj_model *m, int i)
{
	struct obj_tpg *t0 = &m->targets[0].tpgs[0], *t1 = &m->targets[0].tpgs[1];
	struct obj_backstore *b = m->backstores;

	switch (i) {
	case 0:
		m->control_socket[1] = 'X';
		return "control_socket";
	case 1:
		m->io_threads++;
		return "io_threads";
	case 2:
		m->log_level = LOG_LEVEL_WARN;
		return "log_level";
	case 3:
		m->debug[0] = '\0';
		return "debug";
	case 4:
		m->discovery_auth.userid[0] = 'D';
		return "userid";
	case 5:
		m->discovery_auth.password[0] = 'D';
		return "discovery_auth: password";
	case 6:
		m->discovery_auth.mutual_userid[0] = 'D';
		return "mutual_userid";
	case 7:
		m->discovery_auth.mutual_password[0] = 'D';
		return "mutual_password";
	case 8:
		m->nbackstores--;
		return "nbackstores";
	case 9:
		b[1].name[0] = 'F';
		return "name";
	case 10:
		strcpy(b[3].type, "lvm");
		return "type";
	case 11:
		b[1].path[1] = 'X';
		return "path";
	case 12:
		b[1].params.path = NULL;
		return "params.path";
	case 13:
		b[2].params.size += 512;
		return "params.size";
	case 14:
		b[0].params.thin = false;
		return "params.thin";
	case 15:
		b[1].params.write_back = true;
		return "params.write_back";
	case 16:
		b[5].params.readonly = false;
		return "params.readonly";
	case 17:
		b[0].params.block_size = 512;
		return "params.block_size";
	case 18:
		b[0].params.buffered = true;
		return "params.buffered";
	case 19:
		b[5].id.serial[0] = 'y';
		return "id.serial";
	case 20:
		b[4].id.naa[7] ^= 1;
		return "id.naa";
	case 21:
		b[4].id.vendor[0] = 'X';
		return "id.vendor";
	case 22:
		b[4].id.product[0] = 'X';
		return "id.product";
	case 23:
		b[4].id.revision[0] = 'X';
		return "id.revision";
	case 24:
		m->ntargets--;
		return "ntargets";
	case 25:
		m->targets[1].iqn[4] = 'F';
		return "iqn";
	case 26:
		m->targets[0].alias[0] = 's';
		return "alias";
	case 27:
		m->targets[0].ntpgs--;
		return "ntpgs";
	case 28:
		m->targets[1].tpgs[0].tag = 3;
		return "tag";
	case 29:
		t0->nportals--;
		return "nportals";
	case 30:
		ck_assert_int_eq(net_portal_parse("127.0.0.2:3260", &t0->portals[0]), 0);
		return "portals[0]: text";
	case 31:
		t0->nluns--;
		return "nluns";
	case 32:
		t0->luns[1].lun = 6;
		return "luns[1]: lun 5 != 6";
	case 33:
		t0->luns[0].bs = &m->backstores[2];
		return "luns[0]: backstore 'f0' != 'big'";
	case 34:
		t0->nacls--;
		return "nacls";
	case 35:
		t0->acls[0].initiator[0] = 'I';
		return "initiator";
	case 36:
		t0->acls[2].chap.userid[0] = 'X';
		return "userid";
	case 37:
		t0->acls[2].chap.password[0] = 'X';
		return "password differs";
	case 38:
		t0->acls[2].chap.mutual_userid[0] = 'X';
		return "mutual_userid";
	case 39:
		t0->acls[2].chap.mutual_password[0] = 'X';
		return "mutual_password differs";
	case 40:
		t0->acls[1].all_luns = true;
		return "all_luns";
	case 41:
		t0->acls[2].nmapped--;
		return "nmapped";
	case 42:
		t0->acls[2].mapped[1].lun = 2;
		return "mapped_luns[1]: lun";
	case 43:
		t0->acls[2].mapped[1].tpg_lun = 5;
		return "mapped_luns[1]: tpg_lun";
	case 44:
		t0->acls[2].mapped[0].read_only = false;
		return "mapped_luns[0]: read_only";
	case 45:
		t0->attrs.generate_node_acls = false;
		return "generate_node_acls";
	case 46:
		t0->attrs.demo_mode_write_protect = true;
		return "demo_mode_write_protect";
	case 47:
		t0->attrs.nopin_interval_s = 1;
		return "nopin_interval_s";
	case 48:
		t0->attrs.nopin_timeout_s = 6;
		return "nopin_timeout_s";
	case 49:
		t0->attrs.default_cmdsn_depth = 65;
		return "default_cmdsn_depth";
	case 50:
		t0->attrs.authentication = false;
		return "authentication";
	case 51:
		t0->params.max_recv_dsl = 8704;
		return "max_recv_dsl";
	case 52:
		t0->params.max_burst = 1024;
		return "max_burst";
	case 53:
		t0->params.first_burst = 1024;
		return "first_burst";
	case 54:
		t0->params.max_outstanding_r2t = 1;
		return "max_outstanding_r2t";
	case 55:
		t0->params.initial_r2t = true;
		return "initial_r2t";
	case 56:
		t0->params.immediate_data = true;
		return "immediate_data";
	case 57:
		t1->params.header_digest = true;
		return "params.header_digest";
	case 58:
		t0->params.data_digest = true;
		return "params.data_digest";
	case 59:
		t0->params.header_digest_required = false;
		return "header_digest_required";
	case 60:
		t1->params.data_digest_required = true;
		return "data_digest_required";
	case 61:
		t0->params.default_time2wait = 2;
		return "default_time2wait";
	case 62:
		t0->params.default_time2retain = 20;
		return "default_time2retain";
	case 63:
		m->state_dir[1] = 'X';
		return "state_dir";
	case 64:
		t0->allowed.n--;
		return "TPG 1: allowed_addresses: 3 entries != 2";
	case 65:
		t0->allowed.nets[1].prefix = 31;
		return "TPG 1: allowed_addresses[1] '192.0.2.7' != '192.0.2.7/31'";
	case 66:
		t0->acls[2].allowed.nets[0].addr[3] ^= 1;
		return "initiator 'iqn.2026-11.org.example:some': allowed_addresses[0] '10.0.0.5' != '10.0.0.4'";
	case 67:
		t0->acls[0].allowed = t0->acls[2].allowed;
		return "initiator 'iqn.2026-11.org.example:all': allowed_addresses: 0 entries != 2";
	case 68:
		t0->acls[2].chap.chap_algorithms = CHAP_ALG_BIT(CHAP_ALG_MD5);
		return "chap_algorithms 'SHA3-256,MD5' != 'MD5'";
	case 69:
		t0->auth.chap_algorithms = 0;
		return "TPG 1: chap_algorithms 'SHA3-256,SHA256' != ''";
	case 70:
		m->discovery_auth.chap_algorithms |= CHAP_ALG_BIT(CHAP_ALG_SHA1);
		return "discovery_auth: chap_algorithms 'SHA256' != 'SHA256,SHA1'";
	default:
		return NULL;
	}
}

#define MUTATIONS 71

/* Undoes the mutations of a count, so that obj_model_free frees everything. */
static void restore_counts(struct obj_model *b, const struct obj_model *a)
{
	const struct obj_tpg *x = &a->targets[0].tpgs[0];
	struct obj_tpg *y = &b->targets[0].tpgs[0];

	b->nbackstores = a->nbackstores;
	b->ntargets = a->ntargets;
	b->targets[0].ntpgs = a->targets[0].ntpgs;
	y->nportals = x->nportals;
	y->nluns = x->nluns;
	y->nacls = x->nacls;
	y->acls[2].nmapped = x->acls[2].nmapped;
	y->allowed.n = x->allowed.n;
	/* borrowed, not owned */
	y->acls[0].allowed = x->acls[0].allowed;
}

/* Each field, changed alone, makes two models differ, and the reason names it. */
START_TEST(test_equal_sees_every_field)
{
	struct obj_model *a = parse_text(every_setting), *b = parse_text(every_setting);
	char why[256] = "";

	const char *want;

	assert_equal(a, b);
	want = mutate(b, _i);
	ck_assert_ptr_nonnull(want);
	ck_assert_msg(!obj_model_equal(a, b, why, sizeof(why)), "mutation %d not seen", _i);
	ck_assert_msg(strstr(why, want), "mutation %d: '%s' does not say '%s'", _i, why, want);
	/* secrets are never quoted */
	ck_assert_ptr_null(strstr(why, "secret"));
	ck_assert(!obj_model_equal(b, a, NULL, 0));
	restore_counts(b, a);
	obj_model_free(a);
	obj_model_free(b);
}
END_TEST

/* What equality leaves out: where a model came from, and whether an identity was pinned. */
START_TEST(test_equal_ignores_provenance)
{
	struct obj_model *a = parse_text(every_setting), *b = parse_text(every_setting);

	snprintf(b->path, sizeof(b->path), "/elsewhere.conf");
	b->backstores[1].cfg_line = 99;
	snprintf(b->backstores[1].cfg_file, sizeof(b->backstores[1].cfg_file), "/x");
	b->backstores[1].serial_set = !b->backstores[1].serial_set;
	b->backstores[1].naa_set = !b->backstores[1].naa_set;
	/* unused: every LUN is seen */
	b->targets[0].tpgs[0].acls[0].nmapped = 0;
	assert_equal(a, b);
	ck_assert(obj_model_equal(NULL, NULL, NULL, 0));
	ck_assert(!obj_model_equal(a, NULL, NULL, 0));
	obj_model_free(a);
	obj_model_free(b);
}
END_TEST

/*
 * A tripwire: config_save and obj_model_equal know every field of these
 * structures. A field added to one (a new setting) changes its size here:
 * teach config_save.c to write it and obj_model_equal (obj.c) to compare
 * it, add it to every_setting and mutate() above, then update the size.
 */
START_TEST(test_model_layout_known)
{
#if defined(__x86_64__)
	static const struct {
		const char *name;
		size_t size, known;
	} s[] = {
		{ "obj_model", sizeof(struct obj_model), 14104 },
		{ "obj_backstore", sizeof(struct obj_backstore), 12840 },
		{ "bs_params", sizeof(struct bs_params), 88 },
		{ "scsi_lu_id", sizeof(struct scsi_lu_id), 72 },
		{ "obj_target", sizeof(struct obj_target), 504 }, /* alua: served, not saved */
		{ "obj_tpg", sizeof(struct obj_tpg), 1168 },
		{ "obj_portal", sizeof(struct net_portal), 216 },
		{ "obj_tpg_lun", sizeof(struct obj_tpg_lun), 16 },
		{ "obj_acl", sizeof(struct obj_acl), 1288 },
		{ "net_allow", sizeof(struct net_allow), 16 },
		{ "net", sizeof(struct net_cidr), 20 },
		{ "obj_chap", sizeof(struct obj_chap), 1028 },
		{ "obj_mapped_lun", sizeof(struct obj_mapped_lun), 24 },
		{ "obj_tpg_attrs", sizeof(struct obj_tpg_attrs), 20 },
		{ "obj_tpg_params", sizeof(struct obj_tpg_params), 32 },
		{ "obj_tpg_alua", sizeof(struct obj_tpg_alua), 8 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(s); i++)
		ck_assert_msg(s[i].size == s[i].known,
			      "struct %s is %zu bytes, not %zu: a field was added or removed; make config_save.c write it and obj_model_equal compare it, then update this test",
			      s[i].name, s[i].size, s[i].known);
#endif
}
END_TEST

/* ---- the file ---- */

START_TEST(test_mode_0600)
{
	struct obj_model *m = parse_text(every_setting);
	char path[256], old[300];
	struct stat st;

	tmp_path(path, sizeof(path), "mode.conf");
	snprintf(old, sizeof(old), "%s.1", path);
	/* a hand-written file, readable by all; the umask must not open the new one */
	write_text(path, "io_threads = 3;\n");
	ck_assert_int_eq(chmod(path, 0644), 0);
	umask(0);
	save_ok(m, path, CONFIG_SAVE_KEEP);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert(S_ISREG(st.st_mode));
	/* the version kept holds what the file held, and is closed too */
	ck_assert_int_eq(stat(old, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(version_of(old), 3);
	obj_model_free(m);
}
END_TEST

/* Versions .1 .. .9 move up one at each save; the oldest is dropped. */
START_TEST(test_rotation)
{
	char path[256], v[300];
	unsigned int i;

	tmp_path(path, sizeof(path), "rot.conf");
	for (i = 0; i <= 10; i++)
		save_small(path, i, CONFIG_SAVE_KEEP);
	ck_assert_uint_eq(version_of(path), 10);
	for (i = 1; i <= 9; i++) {
		snprintf(v, sizeof(v), "%s.%u", path, i);
		ck_assert_uint_eq(version_of(v), 10 - i);
	}
	/* version 0 was the tenth before the last: gone */
	snprintf(v, sizeof(v), "%s.10", path);
	ck_assert(!exists(v));
	snprintf(v, sizeof(v), "%s.tmp", path);
	ck_assert(!exists(v));

	/* fewer versions kept */
	tmp_path(path, sizeof(path), "rot3.conf");
	for (i = 0; i <= 5; i++)
		save_small(path, i, 3);
	ck_assert_uint_eq(version_of(path), 5);
	for (i = 1; i <= 3; i++) {
		snprintf(v, sizeof(v), "%s.%u", path, i);
		ck_assert_uint_eq(version_of(v), 5 - i);
	}
	snprintf(v, sizeof(v), "%s.4", path);
	ck_assert(!exists(v));

	/* none */
	tmp_path(path, sizeof(path), "rot0.conf");
	save_small(path, 1, 0);
	save_small(path, 2, 0);
	ck_assert_uint_eq(version_of(path), 2);
	snprintf(v, sizeof(v), "%s.1", path);
	ck_assert(!exists(v));
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct obj_model *m = parse_text("");
	struct cfg_err err = { "" };
	char path[256];

	tmp_path(path, sizeof(path), "args.conf");
	ck_assert_int_eq(config_save(m, path, -1, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "keep_versions"));
	ck_assert_int_eq(config_save(m, path, CONFIG_SAVE_KEEP + 1, &err), -EINVAL);
	ck_assert_int_eq(config_save(m, "", 0, &err), -EINVAL);
	ck_assert_int_eq(config_save(NULL, path, 0, NULL), -EINVAL);
	ck_assert(!exists(path));
	obj_model_free(m);
}
END_TEST

/* ---- a save that fails leaves the previous file ---- */

static void assert_unchanged(const char *path, const char *before)
{
	char *now = read_text(path);
	char v[300];

	ck_assert_str_eq(now, before);
	free(now);
	snprintf(v, sizeof(v), "%s.1", path);
	ck_assert(!exists(v));
	snprintf(v, sizeof(v), "%s.tmp", path);
	ck_assert(!exists(v) || access(v, W_OK) == 0);
}

START_TEST(test_fail_no_directory)
{
	struct obj_model *m = parse_text(every_setting);
	struct cfg_err err = { "" };
	char path[256];

	tmp_path(path, sizeof(path), "missing-dir/porticod.conf");
	ck_assert_int_eq(config_save(m, path, CONFIG_SAVE_KEEP, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, strerror(ENOENT)), "%s", err.msg);
	ck_assert(!exists(path));
	obj_model_free(m);
}
END_TEST

/* The temporary file cannot be made (a directory is in its way): nothing moves. */
START_TEST(test_fail_keeps_previous)
{
	struct obj_model *m = parse_text(every_setting);
	struct cfg_err err = { "" };
	char path[256], tmp[300], sub[320];
	char *before;
	int ret;

	tmp_path(path, sizeof(path), "keep.conf");
	save_small(path, 4, CONFIG_SAVE_KEEP);
	before = read_text(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(sub, sizeof(sub), "%s/x", tmp);
	ck_assert_int_eq(mkdir(tmp, 0700), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ret = config_save(m, path, CONFIG_SAVE_KEEP, &err);
	ck_assert_int_lt(ret, 0);
	ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, "cannot save"), "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, strerror(-ret)));
	assert_unchanged(path, before);
	ck_assert_uint_eq(version_of(path), 4);
	ck_assert_int_eq(rmdir(sub), 0);
	ck_assert_int_eq(rmdir(tmp), 0);
	/* and the next save, with the way clear, works */
	save_ok(m, path, CONFIG_SAVE_KEEP);
	snprintf(tmp, sizeof(tmp), "%s.1", path);
	ck_assert_uint_eq(version_of(tmp), 4);
	free(before);
	obj_model_free(m);
}
END_TEST

/*
 * A directory the daemon may not write to. root writes anywhere, so as
 * root the save runs in a child that has become nobody.
 */
START_TEST(test_fail_not_writable)
{
	struct obj_model *m = parse_text(every_setting);
	struct cfg_err err = { "" };
	char dir[256], path[300];
	char *before;
	int ret, status;
	pid_t pid;

	tmp_path(dir, sizeof(dir), "ro");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/porticod.conf", dir);
	save_small(path, 6, CONFIG_SAVE_KEEP);
	ck_assert_int_eq(chmod(path, 0644), 0); /* readable to nobody: the save must get that far */
	before = read_text(path);
	ck_assert_int_eq(chmod(tmpdir, 0755), 0);
	if (geteuid() == 0) {
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				_exit(100);
			ret = config_save(m, path, CONFIG_SAVE_KEEP, &err);
			_exit(ret == -EACCES && strstr(err.msg, path) &&
					      strstr(err.msg, strerror(EACCES)) ?
				      0 :
				      101);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	} else {
		ck_assert_int_eq(chmod(dir, 0555), 0);
		ck_assert_int_eq(config_save(m, path, CONFIG_SAVE_KEEP, &err), -EACCES);
		ck_assert_msg(strstr(err.msg, path), "%s", err.msg);
		ck_assert_int_eq(chmod(dir, 0755), 0);
	}
	assert_unchanged(path, before);
	ck_assert_uint_eq(version_of(path), 6);
	ck_assert_int_eq(chmod(tmpdir, 0700), 0);
	free(before);
	obj_model_free(m);
}
END_TEST

/*
 * A model the file cannot express, or that porticod would refuse at the
 * next start: refused with the reason, and the previous file stays.
 */
START_TEST(test_refuses_what_would_not_load)
{
	struct obj_model *m;
	struct cfg_err err = { "" };
	char path[256];
	char *before;

	tmp_path(path, sizeof(path), "refuse.conf");
	save_small(path, 8, CONFIG_SAVE_KEEP);
	before = read_text(path);

	/* the parser refuses thin on a block device: its own message comes back */
	m = parse_text(every_setting);
	m->backstores[3].params.thin = true;
	ck_assert_int_eq(config_save(m, path, CONFIG_SAVE_KEEP, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, "would not load back") &&
			      strstr(err.msg, "'thin' does not apply to a block backstore"),
		      "%s", err.msg);
	assert_unchanged(path, before);
	obj_model_free(m);

	/* a serial the shell might have let through */
	m = parse_text(every_setting);
	strcpy(m->backstores[0].id.serial, "has space");
	err.msg[0] = '\0';
	ck_assert_int_eq(config_save(m, path, CONFIG_SAVE_KEEP, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "serial 'has space'"), "%s", err.msg);
	assert_unchanged(path, before);
	obj_model_free(m);

	/* a digest that is required but not allowed has no spelling */
	m = parse_text(every_setting);
	m->targets[0].tpgs[1].params.header_digest_required = true;
	ck_assert_int_eq(config_save(m, path, CONFIG_SAVE_KEEP, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "cannot express") &&
			      strstr(err.msg, "header_digest_required"),
		      "%s", err.msg);
	assert_unchanged(path, before);
	obj_model_free(m);

	/* a TPG LUN without a backstore */
	m = parse_text(every_setting);
	m->targets[0].tpgs[0].luns[0].bs = NULL;
	ck_assert_int_eq(config_save(m, path, CONFIG_SAVE_KEEP, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "no backstore named ''"), "%s", err.msg);
	assert_unchanged(path, before);
	obj_model_free(m);

	/* a hand-built allowed network with host bits below its prefix */
	m = parse_text(every_setting);
	m->targets[0].tpgs[0].acls[2].allowed.nets[0].prefix = 24;
	ck_assert_int_eq(config_save(m, path, CONFIG_SAVE_KEEP, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "would not load back") &&
			      strstr(err.msg, "allowed address '10.0.0.5/24': host bits") &&
			      strstr(err.msg, "write 10.0.0.0/24"),
		      "%s", err.msg);
	assert_unchanged(path, before);
	obj_model_free(m);

	/* and one of no family the file can spell */
	m = parse_text(every_setting);
	m->targets[0].tpgs[0].allowed.nets[0].family = AF_UNSPEC;
	ck_assert_int_eq(config_save(m, path, CONFIG_SAVE_KEEP, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "would not load back") &&
			      strstr(err.msg, "TPG 1: allowed address '': empty address"),
		      "%s", err.msg);
	assert_unchanged(path, before);
	obj_model_free(m);
	free(before);
}
END_TEST

/* ---- damaged files ---- */

/* The line number of offset off in text (1-based). */
static int line_at(const char *text, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

/* A half-written or garbled file is refused, and the message names the file and the line. */
START_TEST(test_damaged_refused_with_line)
{
	struct obj_model *m = parse_text(every_setting), *back = NULL;
	struct cfg_err err = { "" };
	char path[256], bad[256], want[320];
	char *t, *p;
	size_t half;
	int line;

	tmp_path(path, sizeof(path), "good.conf");
	tmp_path(bad, sizeof(bad), "bad.conf");
	save_ok(m, path, 0);
	t = read_text(path);

	/* cut in the middle of a line, as a crash in a plain write would */
	half = strlen(t) / 2;
	while (t[half] == '\n')
		half++;
	t[half] = '\0';
	write_text(bad, t);
	ck_assert_int_eq(config_parse(bad, &back, &err), -EINVAL);
	ck_assert_ptr_null(back);
	/* libconfig stops at the end of the text: the last line */
	snprintf(want, sizeof(want), "%s:%d: ", bad, line_at(t, half));
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "'%s' does not start '%s'",
		      err.msg, want);
	free(t);

	/* garbled: a setting's '=' overwritten */
	t = read_text(path);
	p = strstr(t, "block_size = 4096");
	ck_assert_ptr_nonnull(p);
	p[strlen("block_size ")] = '@';
	line = line_at(t, (size_t)(p - t));
	write_text(bad, t);
	err.msg[0] = '\0';
	ck_assert_int_eq(config_parse(bad, &back, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s:%d: ", bad, line);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "'%s' does not start '%s'",
		      err.msg, want);
	free(t);

	/* well-formed, but a value no longer valid: the validator names the line */
	t = read_text(path);
	p = strstr(t, "tag = 65535;");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "tag = 70000;", 12);
	line = line_at(t, (size_t)(p - t));
	write_text(bad, t);
	err.msg[0] = '\0';
	ck_assert_int_eq(config_parse(bad, &back, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s:%d: 'tag' must be from 1 to 65535", bad, line);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "'%s' does not start '%s'",
		      err.msg, want);
	free(t);
	obj_model_free(m);
}
END_TEST

/* ---- config_load_with_fallback ---- */

static void damage(const char *path)
{
	char *t = read_text(path);

	/* truncated: the save of a tool that does not write atomically, cut short */
	t[strlen(t) / 2] = '\0';
	write_text(path, t);
	free(t);
}

static void load_fb(const char *path, unsigned int want_version, const char *want_used,
		    bool want_note)
{
	struct obj_model *m = NULL;
	struct cfg_err err = { "" };
	char used[256] = "x";

	ck_assert_msg(config_load_with_fallback(path, &m, &err, used, sizeof(used)) == 0, "%s",
		      err.msg);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(used, want_used);
	ck_assert_uint_eq(m->io_threads, want_version);
	/* the next save goes to path, not to the version read */
	ck_assert_str_eq(m->path, path);
	/* opened: config_load's half */
	ck_assert_ptr_nonnull(m->backstores[0].dev);
	ck_assert_ptr_nonnull(m->backstores[0].lu);
	ck_assert_str_eq(m->backstores[0].cfg_file, want_used);
	if (want_note)
		ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0 &&
				      strstr(err.msg, path)[strlen(path)] == ':',
			      "'%s' does not say why '%s' was passed over", err.msg, path);
	else
		ck_assert_str_eq(err.msg, "");
	obj_model_free(m);
}

START_TEST(test_fallback)
{
	struct obj_model *m = (void *)1;
	struct cfg_err err = { "" };
	char path[256], v[300], used[256];
	unsigned int i;

	tmp_path(path, sizeof(path), "fb.conf");
	for (i = 1; i <= 4; i++)
		save_small(path, i, CONFIG_SAVE_KEEP);
	/* path: 4, .1: 3, .2: 2, .3: 1 */
	load_fb(path, 4, path, false);
	ck_assert_int_eq(config_load_with_fallback(path, &m, &err, NULL, 0), 0);
	obj_model_free(m);

	damage(path);
	snprintf(v, sizeof(v), "%s.1", path);
	load_fb(path, 3, v, true);

	/* .1 garbled too: .2 */
	write_text(v, "backstores = ( { name = \"n\" type = \"null\"; } );\n");
	snprintf(v, sizeof(v), "%s.2", path);
	load_fb(path, 2, v, true);

	/* path gone (not renamed back by anyone): the newest version */
	ck_assert_int_eq(unlink(path), 0);
	load_fb(path, 2, v, true);

	/* a good file after a save puts everything back in order */
	save_small(path, 9, CONFIG_SAVE_KEEP);
	load_fb(path, 9, path, false);

	/* nothing loads: path's own error, and a NULL model */
	for (i = 1; i <= CONFIG_SAVE_KEEP; i++) {
		snprintf(v, sizeof(v), "%s.%u", path, i);
		if (exists(v))
			damage(v);
	}
	damage(path);
	ck_assert_int_eq(config_load_with_fallback(path, &m, &err, used, sizeof(used)), -EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0 && strstr(err.msg, "no saved version"),
		      "%s", err.msg);
	ck_assert_str_eq(used, "");

	/* no file at all */
	tmp_path(path, sizeof(path), "none.conf");
	err.msg[0] = '\0';
	ck_assert_int_eq(config_load_with_fallback(path, &m, &err, used, sizeof(used)), -ENOENT);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(strstr(err.msg, strerror(ENOENT)));

	/* used too small for a version's name */
	err.msg[0] = '\0';
	ck_assert_int_eq(config_load_with_fallback(path, &m, &err, used, strlen(path) + 1),
			 -ENAMETOOLONG);
}
END_TEST

/*
 * A version that parses but does not open is an error, not a reason to go
 * back: the older versions name the same devices, and would undo changes.
 */
START_TEST(test_fallback_stops_at_open_error)
{
	struct obj_model *m = (void *)1;
	struct cfg_err err = { "" };
	char path[256], text[512], used[256];

	tmp_path(path, sizeof(path), "open.conf");
	save_small(path, 1, CONFIG_SAVE_KEEP);
	snprintf(text, sizeof(text),
		 "io_threads = 2;\n"
		 "backstores = ( { name = \"f\"; type = \"file\"; path = \"%s/absent.img\"; } );\n",
		 tmpdir);
	write_text(path, text);
	ck_assert_int_eq(config_load_with_fallback(path, &m, &err, used, sizeof(used)), -ENOENT);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(err.msg, "absent.img") && strstr(err.msg, "does not exist"), "%s",
		      err.msg);
	ck_assert_str_eq(used, "");
}
END_TEST

static Suite *config_save_suite(void)
{
	Suite *s = suite_create("config_save");
	TCase *tc = tcase_create("config_save");

	/* unchecked: runs in the parent, so the directory goes even when a test fails */
	tcase_add_unchecked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_add_test(tc, test_shipped_round_trip);
	tcase_add_test(tc, test_every_setting_round_trip);
	tcase_add_test(tc, test_defaults_left_out);
	tcase_add_test(tc, test_identity_pinned);
	tcase_add_loop_test(tc, test_equal_sees_every_field, 0, MUTATIONS);
	tcase_add_test(tc, test_equal_ignores_provenance);
	tcase_add_test(tc, test_model_layout_known);
	tcase_add_test(tc, test_mode_0600);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_fail_no_directory);
	tcase_add_test(tc, test_fail_keeps_previous);
	tcase_add_test(tc, test_fail_not_writable);
	tcase_add_test(tc, test_refuses_what_would_not_load);
	tcase_add_test(tc, test_damaged_refused_with_line);
	tcase_add_test(tc, test_fallback);
	tcase_add_test(tc, test_fallback_stops_at_open_error);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(config_save_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt's pool and disk XML (initiator/adapt/virt_xml.c): each document
 * is read back with libxml2 and compared element by element (name,
 * attributes, text) with what libvirt's own examples hold; libvirt's
 * schema check (virt-xml-validate, libvirt-clients) takes each one, and
 * refuses a broken one, so that the check is seen to work.
 */
#include <check.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initiator/adapt/virt_xml.h"
#include "tests/unit/check_main.h"

#define UUID "6f1c2a34-8d5e-4b7a-9c0d-1e2f3a4b5c6d"
#define IQN_T "iqn.2025-01.org.portico.lab:target"

/*
 * What a document must hold, one line per element in document order:
 * "DEPTH NAME [k=v ...] [= TEXT]" (TEXT: a leaf's character data).
 */
static void flatten(xmlNode *n, int depth, char *out, size_t len)
{
	for (; n; n = n->next) {
		size_t used = strlen(out);
		xmlNode *c;
		bool leaf = true;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		snprintf(out + used, len - used, "%d %s", depth, (const char *)n->name);
		for (xmlAttr *a = n->properties; a; a = a->next) {
			xmlChar *v = xmlGetProp(n, a->name);

			used = strlen(out);
			snprintf(out + used, len - used, " %s=%s", (const char *)a->name,
				 (const char *)v);
			xmlFree(v);
		}
		for (c = n->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				leaf = false;
		if (leaf && n->children) {
			xmlChar *t = xmlNodeGetContent(n);

			used = strlen(out);
			snprintf(out + used, len - used, " = %s", (const char *)t);
			xmlFree(t);
		}
		used = strlen(out);
		snprintf(out + used, len - used, "\n");
		flatten(n->children, depth + 1, out, len);
	}
}

/* doc, read back, is want line for line (the first line that differs is shown). */
static void assert_elements(const char *doc, const char *want)
{
	static char got[8192];
	xmlDoc *x = xmlReadMemory(doc, (int)strlen(doc), "pool.xml", NULL, XML_PARSE_NONET);
	const char *g, *w;
	int line = 1;

	ck_assert_msg(x != NULL, "libxml2 cannot read:\n%s", doc);
	got[0] = '\0';
	flatten(xmlDocGetRootElement(x), 0, got, sizeof(got));
	xmlFreeDoc(x);
	for (g = got, w = want; *g && *w && *g == *w; g++, w++)
		line += *g == '\n';
	ck_assert_msg(!*g && !*w, "element line %d differs:\n got:\n%s\n want:\n%s", line, got,
		      want);
}

/* virt-xml-validate FILE SCHEMA on doc: its exit status, or -1 when it is not installed. */
static int validate(const char *doc, const char *schema)
{
	char path[] = "/tmp/portico-virtxml.XXXXXX", cmd[256];
	FILE *f;
	int fd, rc;

	if (access("/usr/bin/virt-xml-validate", X_OK))
		return -1;
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(doc, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "virt-xml-validate %s %s >/dev/null 2>&1", path, schema);
	rc = system(cmd);
	unlink(path);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static void assert_valid(const char *doc, const char *schema)
{
	int rc = validate(doc, schema);

	if (rc < 0) {
		fprintf(stderr, "virt_xml_test: virt-xml-validate is not installed "
				"(libvirt-clients): the schema check is not run\n");
		return;
	}
	ck_assert_msg(rc == 0, "virt-xml-validate refuses (%s):\n%s", schema, doc);
}

static struct virt_pool_spec mpath_spec(void)
{
	struct virt_pool_spec s = { .form = VIRT_FORM_MULTIPATH };

	snprintf(s.name, sizeof(s.name), "portico");
	snprintf(s.uuid, sizeof(s.uuid), UUID);
	return s;
}

static struct virt_pool_spec iscsi_spec(void)
{
	struct virt_pool_spec s = { .form = VIRT_FORM_ISCSI, .port = 3260 };

	snprintf(s.name, sizeof(s.name), "portico-iscsi-target");
	snprintf(s.uuid, sizeof(s.uuid), UUID);
	snprintf(s.host, sizeof(s.host), "198.18.1.1");
	snprintf(s.target, sizeof(s.target), IQN_T);
	return s;
}

START_TEST(test_pool_mpath)
{
	struct virt_pool_spec s = mpath_spec();
	char buf[VIRT_XML_MAX];
	int n = virt_xml_pool(&s, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	assert_elements(buf, "0 pool type=mpath\n"
			     "1 name = portico\n"
			     "1 uuid = " UUID "\n"
			     "1 target\n"
			     "2 path = /dev/mapper\n");
	assert_valid(buf, "storagepool");
	/* no UUID: libvirt makes one (pathd always gives its own) */
	s.uuid[0] = '\0';
	ck_assert_int_gt(virt_xml_pool(&s, buf, sizeof(buf)), 0);
	assert_elements(buf, "0 pool type=mpath\n"
			     "1 name = portico\n"
			     "1 target\n"
			     "2 path = /dev/mapper\n");
	assert_valid(buf, "storagepool");
}
END_TEST

START_TEST(test_pool_iscsi)
{
	struct virt_pool_spec s = iscsi_spec();
	char buf[VIRT_XML_MAX];

	ck_assert_int_gt(virt_xml_pool(&s, buf, sizeof(buf)), 0);
	assert_elements(buf, "0 pool type=iscsi\n"
			     "1 name = portico-iscsi-target\n"
			     "1 uuid = " UUID "\n"
			     "1 source\n"
			     "2 host name=198.18.1.1 port=3260\n"
			     "2 device path=" IQN_T "\n"
			     "1 target\n"
			     "2 path = /dev/disk/by-path\n");
	assert_valid(buf, "storagepool");
	/* an IPv6 portal: the address without brackets, as libvirt's <host name> takes it */
	snprintf(s.host, sizeof(s.host), "2001:db8::1");
	s.port = 3261;
	ck_assert_int_gt(virt_xml_pool(&s, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "<host name='2001:db8::1' port='3261'/>"));
	assert_valid(buf, "storagepool");
}
END_TEST

/* Every value goes through the escaper: a name that holds markup comes back as it was. */
START_TEST(test_pool_escapes)
{
	struct virt_pool_spec s = iscsi_spec();
	char buf[VIRT_XML_MAX];

	snprintf(s.name, sizeof(s.name), "a<b>&'c\"");
	snprintf(s.target, sizeof(s.target), "iqn.x:'/><evil a='");
	ck_assert_int_gt(virt_xml_pool(&s, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "<name>a&lt;b&gt;&amp;&apos;c&quot;</name>"));
	assert_elements(buf, "0 pool type=iscsi\n"
			     "1 name = a<b>&'c\"\n"
			     "1 uuid = " UUID "\n"
			     "1 source\n"
			     "2 host name=198.18.1.1 port=3260\n"
			     "2 device path=iqn.x:'/><evil a='\n"
			     "1 target\n"
			     "2 path = /dev/disk/by-path\n");
}
END_TEST

START_TEST(test_pool_refused)
{
	struct virt_pool_spec s = mpath_spec();
	char buf[VIRT_XML_MAX];
	int full;

	/* every buffer too small is -ENOSPC and an empty string, never a cut document */
	full = virt_xml_pool(&s, buf, sizeof(buf));
	for (size_t len = 0; len <= (size_t)full; len++) {
		char small[VIRT_XML_MAX];

		memset(small, 'x', sizeof(small));
		ck_assert_int_eq(virt_xml_pool(&s, small, len), -ENOSPC);
		if (len)
			ck_assert_str_eq(small, "");
	}
	ck_assert_int_eq(virt_xml_pool(&s, buf, (size_t)full + 1), full);
	s = iscsi_spec();
	full = virt_xml_pool(&s, buf, sizeof(buf));
	ck_assert_int_eq(virt_xml_pool(&s, buf, (size_t)full), -ENOSPC);
	/* what libvirt would refuse, or what XML cannot carry */
	s = mpath_spec();
	s.name[0] = '\0';
	ck_assert_int_eq(virt_xml_pool(&s, buf, sizeof(buf)), -EINVAL);
	s = mpath_spec();
	snprintf(s.uuid, sizeof(s.uuid), "not-a-uuid");
	ck_assert_int_eq(virt_xml_pool(&s, buf, sizeof(buf)), -EINVAL);
	s = mpath_spec();
	snprintf(s.name, sizeof(s.name), "a\001b");
	ck_assert_int_eq(virt_xml_pool(&s, buf, sizeof(buf)), -EINVAL);
	s = iscsi_spec();
	s.target[0] = '\0';
	ck_assert_int_eq(virt_xml_pool(&s, buf, sizeof(buf)), -EINVAL);
	s = iscsi_spec();
	s.port = 0;
	ck_assert_int_eq(virt_xml_pool(&s, buf, sizeof(buf)), -EINVAL);
	s = mpath_spec();
	s.form = VIRT_FORM_COUNT;
	ck_assert_int_eq(virt_xml_pool(&s, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_escape)
{
	char out[64];

	ck_assert_int_eq(virt_xml_escape("plain", out, sizeof(out)), 5);
	ck_assert_str_eq(out, "plain");
	ck_assert_int_eq(virt_xml_escape("<&>'\"", out, sizeof(out)), 25);
	ck_assert_str_eq(out, "&lt;&amp;&gt;&apos;&quot;");
	/* UTF-8 passes as it is; tab, LF, CR are characters */
	ck_assert_int_eq(virt_xml_escape("vm\xc3\xa9\t\n\r", out, sizeof(out)), 7);
	/* XML 1.0 §2.2: no other C0 control is a character */
	ck_assert_int_eq(virt_xml_escape("a\x1b", out, sizeof(out)), -EINVAL);
	/* not UTF-8: a lone continuation byte, a cut sequence, an overlong form, a surrogate */
	ck_assert_int_eq(virt_xml_escape("\x80", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(virt_xml_escape("\xc3", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(virt_xml_escape("\xc0\xaf", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(virt_xml_escape("\xed\xa0\x80", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(virt_xml_escape("\xf4\x90\x80\x80", out, sizeof(out)), -EINVAL);
	/* the room for the NUL counts */
	ck_assert_int_eq(virt_xml_escape("abc", out, 3), -ENOSPC);
	ck_assert_int_eq(virt_xml_escape("abc", out, 4), 3);
	ck_assert_int_eq(virt_xml_escape("&", out, 5), -ENOSPC);
	ck_assert_int_eq(virt_xml_escape("&", out, 6), 5);
	ck_assert_int_eq(virt_xml_escape("", out, 1), 0);
	ck_assert_int_eq(virt_xml_escape("", out, 0), -ENOSPC);
}
END_TEST

/* A domain that holds both disks, as docs/libvirt.md shows it. */
static const char *domain_with(const char *disks, char *buf, size_t len)
{
	snprintf(buf, len,
		 "<domain type='qemu'>\n  <name>vm1</name>\n  <memory unit='MiB'>256</memory>\n"
		 "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n"
		 "  <devices>\n%s  </devices>\n</domain>\n",
		 disks);
	return buf;
}

START_TEST(test_disk)
{
	struct virt_disk_spec vol = { .volume = true, .pool = "portico", .vol = "dm-3",
				      .target = "vdb" };
	struct virt_disk_spec blk = { .path = "/dev/mapper/1PORTICO_800011d719980bd6",
				      .target = "vdc" };
	char a[1024], b[1024], both[2048], dom[4096];

	ck_assert_int_gt(virt_xml_disk(&vol, a, sizeof(a)), 0);
	assert_elements(a, "0 disk type=volume device=disk\n"
			   "1 driver name=qemu type=raw cache=none io=native\n"
			   "1 source pool=portico volume=dm-3\n"
			   "1 target dev=vdb bus=virtio\n");
	ck_assert_int_gt(virt_xml_disk(&blk, b, sizeof(b)), 0);
	assert_elements(b, "0 disk type=block device=disk\n"
			   "1 driver name=qemu type=raw cache=none io=native\n"
			   "1 source dev=/dev/mapper/1PORTICO_800011d719980bd6\n"
			   "1 target dev=vdc bus=virtio\n");
	snprintf(both, sizeof(both), "%s%s", a, b);
	assert_valid(domain_with(both, dom, sizeof(dom)), "domain");
	/* what makes no disk */
	blk.path = "mapper/x";
	ck_assert_int_eq(virt_xml_disk(&blk, a, sizeof(a)), -EINVAL);
	vol.vol = "";
	ck_assert_int_eq(virt_xml_disk(&vol, a, sizeof(a)), -EINVAL);
	vol.vol = "dm-3";
	vol.target = NULL;
	ck_assert_int_eq(virt_xml_disk(&vol, a, sizeof(a)), -EINVAL);
	vol.target = "vdb";
	ck_assert_int_eq(virt_xml_disk(&vol, a, 40), -ENOSPC);
}
END_TEST

/* The schema check is real: it refuses what libvirt refuses. */
START_TEST(test_validator_refuses)
{
	int rc = validate("<pool type='mpath'><name>x</name></pool>\n", "storagepool");

	if (rc < 0)
		return;
	ck_assert_int_ne(rc, 0);
	rc = validate("<pool type='iscsi'><name>x</name><source><host port='3260'/></source>"
		      "<target><path>/dev/disk/by-path</path></target></pool>\n",
		      "storagepool");
	ck_assert_int_ne(rc, 0);
}
END_TEST

START_TEST(test_names)
{
	char out[VIRT_NAME_MAX + 8];

	ck_assert_ptr_null(virt_pool_name_why("portico"));
	ck_assert_ptr_null(virt_pool_name_why("vm_store-2.a+b"));
	ck_assert_ptr_nonnull(virt_pool_name_why(""));
	ck_assert_ptr_nonnull(strstr(virt_pool_name_why("a/b"), "'/'"));
	ck_assert_ptr_nonnull(virt_pool_name_why(".hidden"));
	ck_assert_ptr_nonnull(virt_pool_name_why("-opt"));
	ck_assert_ptr_nonnull(virt_pool_name_why("a b"));
	ck_assert_ptr_nonnull(virt_pool_name_why("a'b"));
	memset(out, 'a', VIRT_NAME_MAX);
	out[VIRT_NAME_MAX] = '\0';
	ck_assert_ptr_nonnull(virt_pool_name_why(out));
	out[VIRT_NAME_MAX - 1] = '\0';
	ck_assert_ptr_null(virt_pool_name_why(out));

	ck_assert_int_eq(virt_iscsi_pool_name("portico-iscsi-", IQN_T, out, sizeof(out)), 20);
	ck_assert_str_eq(out, "portico-iscsi-target");
	/* no ':': the whole name; bytes a pool name does not take become '-' */
	ck_assert_int_gt(virt_iscsi_pool_name("p-", "eui.02004567a425678d", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "p-eui.02004567a425678d");
	ck_assert_int_gt(virt_iscsi_pool_name("p-", "iqn.x:store 1/a", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "p-store-1-a");
	/* a trailing ':' names nothing after it: the whole name */
	ck_assert_int_gt(virt_iscsi_pool_name("p-", "iqn.x:", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "p-iqn.x-");
	/* cut to the longest pool name */
	ck_assert_int_eq(virt_iscsi_pool_name("p-", "iqn.x:"
				"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				out, sizeof(out)),
			 VIRT_NAME_MAX - 1);
	/* and to the caller's buffer */
	ck_assert_int_eq(virt_iscsi_pool_name("p-", IQN_T, out, 5), 4);
	ck_assert_str_eq(out, "p-ta");
	/* a prefix that makes no pool name */
	ck_assert_int_eq(virt_iscsi_pool_name("-", IQN_T, out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(virt_iscsi_pool_name("", "iqn.x:", out, sizeof(out)), 6);
}
END_TEST

START_TEST(test_portal)
{
	char host[VIRT_HOST_MAX];
	uint16_t port = 0;

	ck_assert_int_eq(virt_portal_split("198.18.1.1:3260", host, &port), 0);
	ck_assert_str_eq(host, "198.18.1.1");
	ck_assert_uint_eq(port, 3260);
	ck_assert_int_eq(virt_portal_split("[2001:DB8::1]:3261", host, &port), 0);
	ck_assert_str_eq(host, "2001:db8::1");
	ck_assert_uint_eq(port, 3261);
	ck_assert_int_eq(virt_portal_split("198.18.1.1", host, &port), 0);
	ck_assert_uint_eq(port, 3260);
	ck_assert_int_eq(virt_portal_split("storage1:3260", host, &port), -EINVAL);
	ck_assert_int_eq(virt_portal_split("", host, &port), -EINVAL);
}
END_TEST

START_TEST(test_uuid)
{
	static const uint8_t ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zeros[16];
	char u[VIRT_UUID_MAX];

	virt_uuid_format(ones, u);
	/* RFC 4122 §4.4: version 4 in the high nibble of byte 6, variant 10 in byte 8 */
	ck_assert_str_eq(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
	virt_uuid_format(zeros, u);
	ck_assert_str_eq(u, "00000000-0000-4000-8000-000000000000");
	ck_assert(virt_uuid_valid(u));
	ck_assert(virt_uuid_valid(UUID));
	ck_assert(virt_uuid_valid("6F1C2A34-8D5E-4B7A-9C0D-1E2F3A4B5C6D"));
	ck_assert(!virt_uuid_valid(""));
	ck_assert(!virt_uuid_valid("6f1c2a34-8d5e-4b7a-9c0d-1e2f3a4b5c6"));
	ck_assert(!virt_uuid_valid("6f1c2a34-8d5e-4b7a-9c0d-1e2f3a4b5c6d0"));
	ck_assert(!virt_uuid_valid("6f1c2a348d5e-4b7a-9c0d-1e2f3a4b5c6d-"));
	ck_assert(!virt_uuid_valid("6f1c2a34-8d5e-4b7a-9c0d-1e2f3a4b5c6g"));
}
END_TEST

START_TEST(test_forms)
{
	enum virt_form f;

	ck_assert_str_eq(virt_form_name(VIRT_FORM_MULTIPATH), "multipath");
	ck_assert_str_eq(virt_form_name(VIRT_FORM_ISCSI), "iscsi");
	ck_assert_int_eq(virt_form_parse("iscsi", &f), 0);
	ck_assert_int_eq(f, VIRT_FORM_ISCSI);
	ck_assert_int_eq(virt_form_parse("multipath", &f), 0);
	ck_assert_int_eq(f, VIRT_FORM_MULTIPATH);
	ck_assert_int_eq(virt_form_parse("mpath", &f), -EINVAL);
}
END_TEST

static Suite *virt_xml_suite(void)
{
	Suite *s = suite_create("virt_xml");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_pool_mpath);
	tcase_add_test(tc, test_pool_iscsi);
	tcase_add_test(tc, test_pool_escapes);
	tcase_add_test(tc, test_pool_refused);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_disk);
	tcase_add_test(tc, test_validator_refuses);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_portal);
	tcase_add_test(tc, test_uuid);
	tcase_add_test(tc, test_forms);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(virt_xml_suite)

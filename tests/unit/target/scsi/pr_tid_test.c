/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iSCSI TransportIDs (target/scsi/pr_tid.c, SPC-4 §7.6.4.6): both formats,
 * the length rules (at least 20, a multiple of 4, inside what is there),
 * NUL termination and zero padding, the ISID and the names, and the
 * writer's round trip.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "common/be.h"
#include "target/scsi/pr_tid.h"
#include "tests/unit/check_main.h"

#define IQN "iqn.2024-01.org.example:host1"

/* A TransportID of format fmt holding text, ADDITIONAL LENGTH add (0: the smallest that fits). */
static size_t tid_make(uint8_t *p, unsigned int fmt, const char *text, size_t add)
{
	size_t n = strlen(text) + 1;

	if (!add) {
		add = (n + 3) / 4 * 4;
		if (add < 20)
			add = 20;
	}
	memset(p, 0, 4 + add);
	p[0] = (uint8_t)(fmt << 6 | 0x05);
	put_be16(p + 2, (uint16_t)add);
	memcpy(p + 4, text, strlen(text));
	return 4 + add;
}

START_TEST(test_port_format)
{
	uint8_t p[512];
	struct pr_tid t;
	size_t len, bad = 99;

	len = tid_make(p, 1, IQN ",i,0x00023d000001", 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), (int)len);
	ck_assert_str_eq(t.name, IQN ",i,0x00023d000001");
	ck_assert(!t.device);
	/* the ISID comes out as the transport writes it: 12 lowercase digits */
	len = tid_make(p, 1, IQN ",I,0X23D000001", 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), (int)len);
	ck_assert_str_eq(t.name, IQN ",i,0x00023d000001");
	len = tid_make(p, 1, IQN ",i,0xABCDEF012345", 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), (int)len);
	ck_assert_str_eq(t.name, IQN ",i,0xabcdef012345");
	/* bytes after the TransportID are not its business */
	ck_assert_int_eq(pr_tid_parse(p, sizeof(p), &t, &bad), (int)len);
}
END_TEST

START_TEST(test_device_format)
{
	uint8_t p[512];
	struct pr_tid t;
	size_t len, bad;

	len = tid_make(p, 0, IQN, 0);
	ck_assert_int_eq(len, 4 + 32);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), (int)len);
	ck_assert_str_eq(t.name, IQN);
	ck_assert(t.device);
	/* a short name still takes the 20 bytes */
	len = tid_make(p, 0, "iqn.a:b", 0);
	ck_assert_int_eq(len, 24);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), 24);
	ck_assert_str_eq(t.name, "iqn.a:b");
	/* more padding than needed, still a multiple of 4 */
	len = tid_make(p, 0, "iqn.a:b", 64);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), 68);
}
END_TEST

START_TEST(test_lengths)
{
	uint8_t p[512];
	struct pr_tid t;
	size_t len, bad;

	len = tid_make(p, 0, "iqn.a:b", 0);
	/* cut short: the header, the rest */
	ck_assert_int_eq(pr_tid_parse(p, 3, &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(pr_tid_parse(p, len - 1, &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 2);
	/* SPC-4 §7.6.4.6: ADDITIONAL LENGTH at least 20 ... */
	tid_make(p, 0, "iqn.a:b", 16);
	ck_assert_int_eq(pr_tid_parse(p, sizeof(p), &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 2);
	/* ... and a multiple of 4 */
	tid_make(p, 0, "iqn.a:b", 22);
	ck_assert_int_eq(pr_tid_parse(p, sizeof(p), &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 2);
	/* the name must end inside: no NUL in 20 bytes of name */
	len = tid_make(p, 0, "iqn.2024-01.org.ex:hostnamexx", 28);
	memset(p + 4, 'a', 28);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 4);
}
END_TEST

START_TEST(test_padding)
{
	uint8_t p[512];
	struct pr_tid t;
	size_t len, bad;

	len = tid_make(p, 0, "iqn.a:b", 0);
	p[len - 1] = 0x20;
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, len - 1);
	len = tid_make(p, 1, "iqn.a:b,i,0x1", 0);
	p[4 + strlen("iqn.a:b,i,0x1") + 1] = 'x';
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 4 + strlen("iqn.a:b,i,0x1") + 1);
}
END_TEST

START_TEST(test_header_fields)
{
	uint8_t p[512];
	struct pr_tid t;
	size_t len, bad;

	/* another protocol (Fibre Channel, 0h; SAS, 6h) */
	len = tid_make(p, 0, IQN, 0);
	p[0] = 0x00;
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 0);
	p[0] = 0x06;
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	/* formats 10b and 11b do not exist for iSCSI */
	p[0] = 0x85;
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	p[0] = 0xc5;
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

START_TEST(test_names)
{
	char longname[300];
	uint8_t p[512];
	struct pr_tid t;
	size_t len, bad;

	/* empty */
	len = tid_make(p, 0, "", 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 4);
	/* a space, a control byte, not ASCII, a comma in a device name */
	len = tid_make(p, 0, "iqn.a b", 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	ck_assert_uint_eq(bad, 4 + 5);
	len = tid_make(p, 0, "iqn.a\tb", 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	len = tid_make(p, 0, "iqn.a\x80", 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	len = tid_make(p, 0, "iqn.a:b,i,0x1", 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
	/* RFC 7143 §4.2.7.1: at most 223 bytes of name */
	memset(longname, 'a', 223);
	longname[223] = '\0';
	len = tid_make(p, 0, longname, 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), (int)len);
	strcat(longname, ",i,0x123456789abc");
	len = tid_make(p, 1, longname, 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), (int)len);
	ck_assert_str_eq(t.name, longname);
	memset(longname, 'a', 224);
	longname[224] = '\0';
	len = tid_make(p, 0, longname, 0);
	ck_assert_int_eq(pr_tid_parse(p, len, &t, &bad), -EINVAL);
}
END_TEST

START_TEST(test_isid)
{
	static const char *const bad_ports[] = {
	    IQN,		      /* no separator */
	    IQN ",i,0x",	      /* no digits */
	    IQN ",t,0x1",	      /* a target's */
	    IQN ",i,1234",	      /* no 0x */
	    IQN ",i,0x1234567890abc", /* 13 digits */
	    IQN ",i,0x12g4",	      /* not hex */
	    IQN ",i,0x12,",	      /* trailing comma */
	    ",i,0x1",		      /* no name */
	};
	uint8_t p[512];
	struct pr_tid t;
	size_t i, len, bad;

	for (i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		len = tid_make(p, 1, bad_ports[i], 0);
		ck_assert_msg(pr_tid_parse(p, len, &t, &bad) == -EINVAL, "%s", bad_ports[i]);
		ck_assert_uint_ge(bad, 4);
		ck_assert_uint_lt(bad, len);
	}
}
END_TEST

START_TEST(test_writer_round_trip)
{
	uint8_t p[512];
	struct pr_tid t;
	size_t bad;

	ck_assert_uint_eq(pr_tid_len("iqn.a:b"), 24);
	ck_assert_uint_eq(pr_tid_len(IQN ",i,0x00023d000001"), 4 + 48);
	pr_tid_put(IQN ",i,0x00023d000001", false, p);
	ck_assert_uint_eq(p[0], 0x45);
	ck_assert_int_eq(pr_tid_parse(p, sizeof(p), &t, &bad), 52);
	ck_assert_str_eq(t.name, IQN ",i,0x00023d000001");
	pr_tid_put(IQN, true, p);
	ck_assert_uint_eq(p[0], 0x05);
	ck_assert_int_eq(pr_tid_parse(p, sizeof(p), &t, &bad), (int)pr_tid_len(IQN));
	ck_assert(t.device);
	ck_assert_str_eq(t.name, IQN);
}
END_TEST

static Suite *pr_tid_suite(void)
{
	Suite *s = suite_create("pr_tid");
	TCase *tc = tcase_create("pr_tid");

	tcase_add_test(tc, test_port_format);
	tcase_add_test(tc, test_device_format);
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_padding);
	tcase_add_test(tc, test_header_fields);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_isid);
	tcase_add_test(tc, test_writer_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pr_tid_suite)

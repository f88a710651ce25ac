/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for target/iscsi/text.c: key=value segments (RFC 7143 §6.1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "target/iscsi/text.h"
#include "tests/unit/check_main.h"

#define SEG(s) (const uint8_t *)(s), sizeof(s) - 1

/* Collects every pair of a segment into "k=v;k=v;" form, or returns the error. */
static int iterate(const uint8_t *p, size_t len, char *out, size_t size)
{
	struct text_iter it;
	struct text_pair pair;
	size_t o = 0;
	int rc;

	out[0] = '\0';
	text_iter_init(&it, p, len);
	while ((rc = text_next(&it, &pair)) == 1) {
		ck_assert_uint_lt(o + pair.key_len + pair.value_len + 3, size);
		memcpy(out + o, pair.key, pair.key_len);
		o += pair.key_len;
		out[o++] = '=';
		memcpy(out + o, pair.value, pair.value_len);
		o += pair.value_len;
		out[o++] = ';';
		out[o] = '\0';
	}
	return rc;
}

START_TEST(test_iter_basic)
{
	char out[256];

	ck_assert_int_eq(iterate(SEG("InitiatorName=iqn.1993-08.org.debian:01:abc\0"
				     "SessionType=Normal\0AuthMethod=None\0"),
				 out, sizeof(out)),
			 0);
	ck_assert_str_eq(out, "InitiatorName=iqn.1993-08.org.debian:01:abc;SessionType=Normal;"
			      "AuthMethod=None;");
}
END_TEST

START_TEST(test_iter_empty_and_padding)
{
	char out[64];

	ck_assert_int_eq(iterate(NULL, 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(iterate(SEG(""), out, sizeof(out)), 0);
	/* NULs up to the end are padding. */
	ck_assert_int_eq(iterate(SEG("A=1\0\0\0\0"), out, sizeof(out)), 0);
	ck_assert_str_eq(out, "A=1;");
	/* An empty value is a value. */
	ck_assert_int_eq(iterate(SEG("SendTargets=\0"), out, sizeof(out)), 0);
	ck_assert_str_eq(out, "SendTargets=;");
	/* '=' inside the value belongs to the value. */
	ck_assert_int_eq(iterate(SEG("X-a=b=c\0"), out, sizeof(out)), 0);
	ck_assert_str_eq(out, "X-a=b=c;");
}
END_TEST

START_TEST(test_iter_malformed)
{
	char out[64];

	/* no '=' */
	ck_assert_int_eq(iterate(SEG("A=1\0Broken\0B=2\0"), out, sizeof(out)), -EINVAL);
	ck_assert_str_eq(out, "A=1;");
	/* empty key */
	ck_assert_int_eq(iterate(SEG("=value\0"), out, sizeof(out)), -EINVAL);
	/* empty pair in the middle */
	ck_assert_int_eq(iterate(SEG("A=1\0\0B=2\0"), out, sizeof(out)), -EINVAL);
	/* unterminated last pair: RFC 7143 §6.1 requires the NUL */
	ck_assert_int_eq(iterate(SEG("A=1\0B=2"), out, sizeof(out)), -EINVAL);
	ck_assert_str_eq(out, "A=1;");
	ck_assert_int_eq(iterate(SEG("A"), out, sizeof(out)), -EINVAL);
	/* bad key characters */
	ck_assert_int_eq(iterate(SEG("Max Recv=1\0"), out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(iterate(SEG("K\xc3\xa9y=1\0"), out, sizeof(out)), -EINVAL);
	/* X# keys are fine */
	ck_assert_int_eq(iterate(SEG("X#NodeArchitecture=Portico\0"), out, sizeof(out)), 0);
}
END_TEST

START_TEST(test_iter_stays_on_error)
{
	struct text_iter it;
	struct text_pair pair;
	static const uint8_t seg[] = "A=1\0bad\0";

	text_iter_init(&it, seg, sizeof(seg) - 1);
	ck_assert_int_eq(text_next(&it, &pair), 1);
	ck_assert_int_eq(text_next(&it, &pair), -EINVAL);
	ck_assert_int_eq(text_next(&it, &pair), -EINVAL);
}
END_TEST

START_TEST(test_iter_lengths)
{
	uint8_t seg[2048];
	char out[2048];
	size_t n;

	/* a 63-byte key is fine, 64 is not */
	memset(seg, 'K', 63);
	memcpy(seg + 63, "=v", 3);
	ck_assert_int_eq(iterate(seg, 66, out, sizeof(out)), 0);
	memset(seg, 'K', 64);
	memcpy(seg + 64, "=v", 3);
	ck_assert_int_eq(iterate(seg, 67, out, sizeof(out)), -EINVAL);

	/* a 255-byte value is fine, 256 is not for an ordinary key */
	memcpy(seg, "X-v=", 4);
	memset(seg + 4, 'a', 255);
	seg[259] = '\0';
	ck_assert_int_eq(iterate(seg, 260, out, sizeof(out)), 0);
	memset(seg + 4, 'a', 256);
	seg[260] = '\0';
	ck_assert_int_eq(iterate(seg, 261, out, sizeof(out)), -EINVAL);

	/* a list-of-values key may be longer in total */
	n = 0;
	memcpy(seg, "HeaderDigest=", 13);
	n = 13;
	while (n < 400) {
		memcpy(seg + n, "CRC32C,", 7);
		n += 7;
	}
	memcpy(seg + n, "None", 5);
	n += 5;
	ck_assert_int_eq(iterate(seg, n, out, sizeof(out)), 0);

	/* so may a CHAP challenge (large-binary-value) */
	memcpy(seg, "CHAP_C=0x", 9);
	memset(seg + 9, 'a', 1024);
	seg[9 + 1024] = '\0';
	ck_assert_int_eq(iterate(seg, 9 + 1025, out, sizeof(out)), 0);
}
END_TEST

START_TEST(test_iter_never_reads_past_len)
{
	/*
	 * The segment ends inside a pair; it is copied into a heap block of
	 * exactly that size so that the sanitizer build catches any read past it.
	 */
	static const uint8_t seg[] = "A=1\0B=2\0";
	char out[64];
	uint8_t *p = malloc(6);

	ck_assert_ptr_nonnull(p);
	memcpy(p, seg, 6);
	ck_assert_int_eq(iterate(p, 6, out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(iterate(p, 4, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "A=1;");
	free(p);
}
END_TEST

START_TEST(test_buf_add)
{
	struct text_buf tb;

	text_buf_init(&tb, 64);
	ck_assert_int_eq(text_buf_add(&tb, "HeaderDigest", "None"), 0);
	ck_assert_int_eq(text_buf_addf(&tb, "MaxRecvDataSegmentLength", "%u", 262144u), 0);
	ck_assert_uint_eq(tb.len, sizeof("HeaderDigest=None\0MaxRecvDataSegmentLength=262144"));
	ck_assert_mem_eq(tb.data, "HeaderDigest=None\0MaxRecvDataSegmentLength=262144\0", tb.len);
	text_buf_reset(&tb);
	ck_assert_uint_eq(tb.len, 0);
	ck_assert_int_eq(text_buf_add(&tb, "A", "1"), 0);
	ck_assert_mem_eq(tb.data, "A=1\0", 4);
	text_buf_fini(&tb);
	ck_assert_ptr_null(tb.data);
	ck_assert_uint_eq(tb.len, 0);
}
END_TEST

START_TEST(test_buf_limit)
{
	struct text_buf tb;
	char big[100];

	text_buf_init(&tb, 10);
	ck_assert_int_eq(text_buf_add(&tb, "A", "1234567"), 0); /* exactly 10 */
	ck_assert_uint_eq(tb.len, 10);
	ck_assert_int_eq(text_buf_add(&tb, "B", ""), -ENOSPC);
	ck_assert_uint_eq(tb.len, 10);
	text_buf_reset(&tb);
	ck_assert_int_eq(text_buf_add(&tb, "A", "12345678"), -ENOSPC);
	ck_assert_uint_eq(tb.len, 0);
	ck_assert_int_eq(text_buf_append(&tb, (const uint8_t *)"0123456789", 10), 0);
	ck_assert_int_eq(text_buf_append(&tb, (const uint8_t *)"x", 1), -ENOSPC);
	text_buf_fini(&tb);

	/* addf with a value longer than its small stack buffer */
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	text_buf_init(&tb, 4096);
	ck_assert_int_eq(text_buf_addf(&tb, "X-big", "%s", big), 0);
	ck_assert_uint_eq(tb.len, 6 + 99 + 1);
	ck_assert_int_eq(tb.data[tb.len - 1], 0);
	text_buf_fini(&tb);
	text_buf_init(&tb, 50);
	ck_assert_int_eq(text_buf_addf(&tb, "X-big", "%s", big), -ENOSPC);
	ck_assert_uint_eq(tb.len, 0);
	text_buf_fini(&tb);
}
END_TEST

START_TEST(test_buf_grows)
{
	struct text_buf tb;
	struct text_iter it;
	struct text_pair pair;
	int n = 0;

	text_buf_init(&tb, 1 << 20);
	for (int i = 0; i < 5000; i++)
		ck_assert_int_eq(text_buf_addf(&tb, "TargetName", "iqn.2024-01.example:t%d", i), 0);
	text_iter_init(&it, tb.data, tb.len);
	while (text_next(&it, &pair) == 1) {
		char want[64];

		snprintf(want, sizeof(want), "iqn.2024-01.example:t%d", n++);
		ck_assert(text_key_is(&pair, "TargetName"));
		ck_assert(text_value_is(&pair, want));
	}
	ck_assert_int_eq(n, 5000);
	text_buf_fini(&tb);
}
END_TEST

START_TEST(test_helpers)
{
	struct text_iter it;
	struct text_pair pair;
	char small[4], big[32];

	text_iter_init(&it, SEG("SessionType=Discovery\0"));
	ck_assert_int_eq(text_next(&it, &pair), 1);
	ck_assert(text_key_is(&pair, "SessionType"));
	ck_assert(!text_key_is(&pair, "Sessiontype"));
	ck_assert(!text_key_is(&pair, "SessionTyp"));
	ck_assert(text_value_is(&pair, "Discovery"));
	ck_assert(!text_value_is(&pair, "Discover"));
	ck_assert_int_eq(text_value_copy(&pair, small, sizeof(small)), -ENOSPC);
	ck_assert_int_eq(text_value_copy(&pair, big, sizeof(big)), 0);
	ck_assert_str_eq(big, "Discovery");
	ck_assert_int_eq(text_value_copy(&pair, big, 10), 0);
	ck_assert_int_eq(text_value_copy(&pair, big, 9), -ENOSPC);
}
END_TEST

/* RFC 7143 §6.1 binary values: hex digits and the RFC 4648 base64 alphabet. */
START_TEST(test_binary_digits)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(text_b64_digit(b64[i]), i);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(hex_digit((char)('0' + i)), i);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(hex_digit((char)('a' + i)), 10 + i);
		ck_assert_int_eq(hex_digit((char)('A' + i)), 10 + i);
	}
	ck_assert_int_eq(text_b64_digit('='), -1);
	ck_assert_int_eq(text_b64_digit('-'), -1);
	ck_assert_int_eq(hex_digit('g'), -1);
	ck_assert_int_eq(hex_digit('x'), -1);
	ck_assert_int_eq(hex_digit('\0'), -1);
}
END_TEST

static int b64(const char *v, uint8_t *out, size_t cap, size_t *n)
{
	return text_b64_decode(v, strlen(v), out, cap, n);
}

/* RFC 7143 §6.1 base64-constants: the digits after "0b", RFC 4648 §4. */
START_TEST(test_b64_decode)
{
	uint8_t out[8];
	size_t n;

	ck_assert_int_eq(b64("AQL/", out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, "\x01\x02\xff", 3);
	ck_assert_int_eq(b64("AQI=", out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\x01\x02", 2);
	ck_assert_int_eq(b64("AQ==", out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_int_eq(b64("+/+/", out, sizeof(out), &n), 0);
	ck_assert_mem_eq(out, "\xfb\xff\xbf", 3);

	ck_assert_int_eq(b64("", out, sizeof(out), &n), -EINVAL);
	ck_assert_int_eq(b64("AQ=", out, sizeof(out), &n), -EINVAL);  /* not whole groups */
	ck_assert_int_eq(b64("AR==", out, sizeof(out), &n), -EINVAL); /* bits left over */
	ck_assert_int_eq(b64("A===", out, sizeof(out), &n), -EINVAL); /* too much padding */
	ck_assert_int_eq(b64("A=AA", out, sizeof(out), &n), -EINVAL); /* padding inside */
	ck_assert_int_eq(b64("AQ-_", out, sizeof(out), &n), -EINVAL); /* base64url */

	/* cap: nothing is written past it, and what follows the byte that does not fit is not read
	 */
	memset(out, 0xee, sizeof(out));
	ck_assert_int_eq(b64("AQL/AQL/", out, 5, &n), -E2BIG);
	ck_assert_uint_eq(out[5], 0xee);
	ck_assert_int_eq(b64("AQL/AQL/", out, 6, &n), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(b64("AQL/AQ!=", out, 3, &n), -E2BIG);
	ck_assert_int_eq(b64("A!L/AQL/", out, 3, &n), -EINVAL);
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_iter_basic);
	tcase_add_test(tc, test_iter_empty_and_padding);
	tcase_add_test(tc, test_iter_malformed);
	tcase_add_test(tc, test_iter_stays_on_error);
	tcase_add_test(tc, test_iter_lengths);
	tcase_add_test(tc, test_iter_never_reads_past_len);
	tcase_add_test(tc, test_buf_add);
	tcase_add_test(tc, test_buf_limit);
	tcase_add_test(tc, test_buf_grows);
	tcase_add_test(tc, test_helpers);
	tcase_add_test(tc, test_binary_digits);
	tcase_add_test(tc, test_b64_decode);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(text_suite)

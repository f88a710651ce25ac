/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crc32c.h"
#include "common/crc32c_int.h"
#include "common/util.h"
#include "tests/unit/check_main.h"

/* The definition, one bit at a time: the reference both implementations must match. */
static uint32_t crc32c_bitwise(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (crc & 1 ? 0x82F63B78u : 0);
	}
	return ~crc;
}

typedef uint32_t (*crc_fn)(uint32_t, const void *, size_t);

static const struct {
	const char *name;
	crc_fn fn;
} impls[] = {
	{ "crc32c", crc32c },
	{ "crc32c_sw", crc32c_sw },
	{ "crc32c_hw", crc32c_hw },
};

static void assert_wire(crc_fn fn, const uint8_t *buf, size_t len, const uint8_t expect[4],
			const char *what)
{
	uint8_t wire[4];

	crc32c_put_wire(wire, fn(0, buf, len));
	ck_assert_msg(!memcmp(wire, expect, 4), "%s: got %02x %02x %02x %02x", what, wire[0],
		      wire[1], wire[2], wire[3]);
}

/* RFC 3720 appendix B.4 (also RFC 7143's digest): the bytes as they go on the wire. */
START_TEST(test_rfc3720_vectors)
{
	static const uint8_t read_pdu[48] = {
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t c_zero[4] = { 0xaa, 0x36, 0x91, 0x8a };
	static const uint8_t c_ones[4] = { 0x43, 0xab, 0xa8, 0x62 };
	static const uint8_t c_inc[4] = { 0x4e, 0x79, 0xdd, 0x46 };
	static const uint8_t c_dec[4] = { 0x5c, 0xdb, 0x3f, 0x11 };
	static const uint8_t c_pdu[4] = { 0x56, 0x3a, 0x96, 0xd9 };
	uint8_t zero[32], ones[32], inc[32], dec[32];
	crc_fn fn = impls[_i].fn;

	memset(zero, 0, sizeof(zero));
	memset(ones, 0xff, sizeof(ones));
	for (int i = 0; i < 32; i++) {
		inc[i] = (uint8_t)i;
		dec[i] = (uint8_t)(31 - i);
	}
	assert_wire(fn, zero, 32, c_zero, "32 bytes of zeros");
	assert_wire(fn, ones, 32, c_ones, "32 bytes of ones");
	assert_wire(fn, inc, 32, c_inc, "32 incrementing bytes");
	assert_wire(fn, dec, 32, c_dec, "32 decrementing bytes");
	assert_wire(fn, read_pdu, sizeof(read_pdu), c_pdu, "SCSI Read (10) PDU");
	ck_assert_uint_eq(crc32c_get_wire(c_pdu), 0xd9963a56u);
}
END_TEST

START_TEST(test_check_value)
{
	crc_fn fn = impls[_i].fn;

	ck_assert_uint_eq(fn(0, "123456789", 9), 0xe3069283u);
	ck_assert_uint_eq(fn(0, "", 0), 0);
	ck_assert_uint_eq(fn(0x12345678, NULL, 0), 0x12345678);
}
END_TEST

static uint8_t *random_buf(size_t len, unsigned int seed)
{
	uint8_t *b = malloc(len);

	ck_assert_ptr_nonnull(b);
	srand(seed);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)rand();
	return b;
}

/* Every length 0..300 from every start offset 0..7: all agree with the reference. */
START_TEST(test_agree_short_unaligned)
{
	uint8_t *buf = random_buf(320, 1);

	if (!crc32c_hw_available())
		fprintf(stderr, "note: no SSE4.2; crc32c_hw runs the table path\n");
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len <= 300; len++) {
			uint32_t ref = crc32c_bitwise(0, buf + off, len);

			ck_assert_msg(crc32c_sw(0, buf + off, len) == ref, "sw off %zu len %zu",
				      off, len);
			ck_assert_msg(crc32c_hw(0, buf + off, len) == ref, "hw off %zu len %zu",
				      off, len);
			ck_assert_msg(crc32c(0, buf + off, len) == ref, "crc32c off %zu len %zu",
				      off, len);
		}
	}
	free(buf);
}
END_TEST

/* Long buffers take the three-lane hardware loop and its joins. */
START_TEST(test_agree_long)
{
	size_t max = 3 * 1024 * 5 + 100;
	uint8_t *buf = random_buf(max + 8, 2);
	size_t lens[] = { 3071, 3072, 3073, 3079, 3080, 6144, 6151, 9216, 9300, 15000, max };

	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		for (size_t off = 0; off < 8; off += 3) {
			uint32_t ref = crc32c_bitwise(0xdeadbeef, buf + off, lens[i]);

			ck_assert_msg(crc32c_sw(0xdeadbeef, buf + off, lens[i]) == ref,
				      "sw len %zu", lens[i]);
			ck_assert_msg(crc32c_hw(0xdeadbeef, buf + off, lens[i]) == ref,
				      "hw len %zu", lens[i]);
		}
	}
	free(buf);
}
END_TEST

START_TEST(test_chaining)
{
	uint8_t *buf = random_buf(20000, 3);
	crc_fn fn = impls[_i].fn;
	uint32_t whole = fn(0, buf, 20000);
	size_t cuts[] = { 0, 1, 7, 8, 9, 48, 3072, 4096, 10001, 19999, 20000 };

	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		uint32_t c = fn(0, buf, cuts[i]);

		ck_assert_msg(fn(c, buf + cuts[i], 20000 - cuts[i]) == whole, "cut at %zu",
			      cuts[i]);
	}
	/* Three pieces. */
	ck_assert_uint_eq(fn(fn(fn(0, buf, 5), buf + 5, 12000), buf + 12005, 7995), whole);
	free(buf);
}
END_TEST

START_TEST(test_iov)
{
	uint8_t *buf = random_buf(10000, 4);
	uint32_t whole = crc32c(0, buf, 10000);
	struct iovec iov[] = {
		{ buf, 48 },
		{ NULL, 0 },
		{ buf + 48, 1 },
		{ buf + 49, 8191 },
		{ buf + 8240, 0 },
		{ buf + 8240, 1760 },
	};

	ck_assert_uint_eq(crc32c_iov(0, iov, (int)ARRAY_SIZE(iov)), whole);
	ck_assert_uint_eq(crc32c_iov(0, iov, 1), crc32c(0, buf, 48));
	ck_assert_uint_eq(crc32c_iov(0, iov, 0), 0);
	/* Chaining across calls as well. */
	ck_assert_uint_eq(crc32c_iov(crc32c_iov(0, iov, 3), iov + 3, 3), whole);
	free(buf);
}
END_TEST

START_TEST(test_detects_single_bit_flips)
{
	uint8_t buf[64];
	uint32_t good;

	memset(buf, 0x5a, sizeof(buf));
	good = crc32c(0, buf, sizeof(buf));
	for (size_t bit = 0; bit < sizeof(buf) * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		ck_assert_uint_ne(crc32c(0, buf, sizeof(buf)), good);
		buf[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
}
END_TEST

START_TEST(test_wire_helpers)
{
	uint8_t w[4];

	crc32c_put_wire(w, 0x11223344u);
	ck_assert_uint_eq(w[0], 0x44);
	ck_assert_uint_eq(w[3], 0x11);
	ck_assert_uint_eq(crc32c_get_wire(w), 0x11223344u);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("crc32c");
	TCase *tc = tcase_create("crc32c");

	tcase_add_loop_test(tc, test_rfc3720_vectors, 0, (int)ARRAY_SIZE(impls));
	tcase_add_loop_test(tc, test_check_value, 0, (int)ARRAY_SIZE(impls));
	tcase_add_loop_test(tc, test_chaining, 0, (int)ARRAY_SIZE(impls));
	tcase_add_test(tc, test_agree_short_unaligned);
	tcase_add_test(tc, test_agree_long);
	tcase_add_test(tc, test_iov);
	tcase_add_test(tc, test_detects_single_bit_flips);
	tcase_add_test(tc, test_wire_helpers);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)

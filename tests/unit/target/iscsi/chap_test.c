/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for target/iscsi/chap.c: CHAP for the iSCSI login (RFC 7143
 * §12.1.3, RFC 1994). The expected digests were computed apart from this
 * code, with Python's hashlib: H(bytes([id]) + secret + challenge).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "target/iscsi/chap.h"
#include "target/iscsi/iscsi_proto.h"
#include "tests/unit/check_main.h"

/*
 * Stands in for libcrypto's CRYPTO_memcmp (the program's definition wins
 * over the shared library's), to see that the response is checked with
 * it. Constant time as well: same result, same cost.
 */
static int memcmp_calls;
static size_t memcmp_len;

int CRYPTO_memcmp(const void *in_a, const void *in_b, size_t len)
{
	const volatile uint8_t *a = in_a, *b = in_b;
	uint8_t d = 0;

	memcmp_calls++;
	memcmp_len = len;
	for (size_t i = 0; i < len; i++)
		d |= a[i] ^ b[i];
	return d != 0;
}

/* ---- digests: known answers ---- */

static const char kat_secret[] = "portico-secret-1";
#define KAT_ID 0x9d

static void kat_challenge(uint8_t *c)
{
	for (int i = 0; i < 32; i++)
		c[i] = (uint8_t)i;
}

START_TEST(test_digest_known_answers)
{
	static const uint8_t md5[] = { 0xf9, 0xd4, 0xbf, 0x38, 0x97, 0x02, 0xf6, 0x72,
				       0x71, 0xbd, 0x30, 0xd8, 0xaf, 0xf8, 0x89, 0x5d };
	static const uint8_t sha1[] = { 0x13, 0xd8, 0xcf, 0xdc, 0x4f, 0x15, 0x9f,
					0x36, 0x22, 0x8a, 0x14, 0x59, 0xb2, 0x35,
					0xf1, 0x84, 0x2b, 0xac, 0x05, 0x9a };
	static const uint8_t sha256[] = { 0x11, 0xdc, 0x85, 0x0e, 0xd1, 0x56, 0x9e, 0x9f,
					  0xd8, 0xd1, 0x27, 0xf0, 0xef, 0x86, 0x8f, 0x9a,
					  0xfc, 0x41, 0xac, 0xaf, 0xf1, 0x50, 0x5b, 0x99,
					  0x45, 0xc9, 0x1c, 0xf1, 0x45, 0x53, 0x4d, 0x10 };
	static const uint8_t sha3[] = { 0xf1, 0x30, 0xc8, 0x2e, 0xca, 0x5d, 0x22, 0xb8,
					0x53, 0x22, 0x27, 0xf3, 0x6e, 0x2b, 0xdf, 0xe1,
					0x7b, 0x4a, 0xb9, 0x01, 0xa4, 0x6f, 0x43, 0x89,
					0x0a, 0xa7, 0x86, 0xdc, 0x45, 0xdb, 0xba, 0x76 };
	const struct {
		enum chap_alg alg;
		const uint8_t *want;
		size_t len;
	} v[] = {
		{ CHAP_ALG_MD5, md5, sizeof(md5) },
		{ CHAP_ALG_SHA1, sha1, sizeof(sha1) },
		{ CHAP_ALG_SHA256, sha256, sizeof(sha256) },
		{ CHAP_ALG_SHA3_256, sha3, sizeof(sha3) },
	};
	uint8_t chal[32], out[CHAP_DIGEST_MAX];

	kat_challenge(chal);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_uint_eq(chap_digest_len(v[i].alg), v[i].len);
		memset(out, 0, sizeof(out));
		ck_assert_int_eq(chap_digest(v[i].alg, KAT_ID, (const uint8_t *)kat_secret,
					     strlen(kat_secret), chal, sizeof(chal), out),
				 0);
		ck_assert_mem_eq(out, v[i].want, v[i].len);
	}
	/* the identifier is part of it */
	ck_assert_int_eq(chap_digest(CHAP_ALG_MD5, KAT_ID + 1, (const uint8_t *)kat_secret,
				     strlen(kat_secret), chal, sizeof(chal), out),
			 0);
	ck_assert_int_ne(memcmp(out, md5, sizeof(md5)), 0);
	/* CHAP_A values outside the registry's four */
	ck_assert_uint_eq(chap_digest_len((enum chap_alg)4), 0);
	ck_assert_int_eq(chap_digest((enum chap_alg)129, 0, (const uint8_t *)"x", 1, chal, 1, out),
			 -EINVAL);
}
END_TEST

/* ---- CHAP_A ---- */

static int choose(const char *list, uint32_t allowed, enum chap_alg *alg)
{
	return chap_alg_choose(list, strlen(list), allowed, alg);
}

#define B(a) CHAP_ALG_BIT(CHAP_ALG_##a)

START_TEST(test_alg_choose)
{
	enum chap_alg a = 0;

	ck_assert_int_eq(choose("5", 0, &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_MD5);
	/*
	 * RFC 7143 §6.2.1: the first of the initiator's list that we know, in
	 * its order: an initiator that offers 5,6,7,8 and answers only in MD5
	 * logs in (it got SHA3-256, the strongest, before).
	 */
	ck_assert_int_eq(choose("5,6,7,8", 0, &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_MD5);
	ck_assert_int_eq(choose("8,7,6,5", 0, &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_SHA3_256);
	ck_assert_int_eq(choose("7,5", 0, &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_SHA256);
	ck_assert_int_eq(choose("6,8", 0, &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_SHA1);
	/* numbers in any RFC 7143 §6.1 encoding; unknown ones are skipped */
	ck_assert_int_eq(choose("129,0x7,5", 0, &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_SHA256);
	ck_assert_int_eq(choose("99999999999999999999999,5", 0, &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_MD5);
	ck_assert_int_eq(choose("1,129,0,37", 0, &a), -ENOENT);
	/* malformed lists, wherever the fault is */
	ck_assert_int_eq(choose("", 0, &a), -EINVAL);
	ck_assert_int_eq(choose("5,", 0, &a), -EINVAL);
	ck_assert_int_eq(choose(",5", 0, &a), -EINVAL);
	ck_assert_int_eq(choose("5,,7", 0, &a), -EINVAL);
	ck_assert_int_eq(choose("5,MD5", 0, &a), -EINVAL);
	ck_assert_int_eq(choose("05", 0, &a), -EINVAL); /* §6.1: no leading zeros */
	/* bounded by len, not by a NUL */
	ck_assert_int_eq(chap_alg_choose("7,5", 1, 0, &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_SHA256);
}
END_TEST

/* §6.2.1's "and is allowed to use for the specific originator": chap_algorithms. */
START_TEST(test_alg_choose_allowed)
{
	enum chap_alg a = 0;

	/* MD5 refused: the initiator's next choice */
	ck_assert_int_eq(choose("5,6,7,8", B(SHA1) | B(SHA256) | B(SHA3_256), &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_SHA1);
	ck_assert_int_eq(choose("5,7,6", B(SHA256) | B(SHA3_256), &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_SHA256);
	ck_assert_int_eq(choose("5,8", B(SHA3_256), &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_SHA3_256);
	/* nothing allowed among what we know of it: the policy's doing, not ours */
	ck_assert_int_eq(choose("5", B(SHA256), &a), -EACCES);
	ck_assert_int_eq(choose("129,5,6", B(SHA256) | B(SHA3_256), &a), -EACCES);
	/* nothing we know at all stays "no algorithm in common" */
	ck_assert_int_eq(choose("129", B(SHA256), &a), -ENOENT);
	/* malformed wins over either */
	ck_assert_int_eq(choose("5,x", B(SHA256), &a), -EINVAL);
	/* all four are every one */
	ck_assert_int_eq(choose("5", CHAP_ALGS_ALL, &a), 0);
	ck_assert_int_eq(a, CHAP_ALG_MD5);
}
END_TEST

/* The setting's words: open-iscsi's names, any case and order; written strongest first. */
START_TEST(test_algs_names)
{
	char text[CHAP_ALGS_TEXT_MAX];
	uint32_t set = 0;

	ck_assert_int_eq(chap_algs_parse("SHA3-256,SHA256,SHA1,MD5", 24, &set), 0);
	ck_assert_uint_eq(set, CHAP_ALGS_ALL);
	ck_assert_int_eq(chap_algs_text(set, text, sizeof(text)), 24);
	ck_assert_str_eq(text, "SHA3-256,SHA256,SHA1,MD5");
	ck_assert_int_eq(chap_algs_parse("md5,sha256", 10, &set), 0);
	ck_assert_uint_eq(set, B(MD5) | B(SHA256));
	ck_assert_int_eq(chap_algs_text(set, text, sizeof(text)), 10);
	ck_assert_str_eq(text, "SHA256,MD5");
	ck_assert_int_eq(chap_algs_parse("Sha3-256,sha3-256", 17, &set), 0);
	ck_assert_uint_eq(set, B(SHA3_256));
	/* bounded by len */
	ck_assert_int_eq(chap_algs_parse("SHA1,MD5", 4, &set), 0);
	ck_assert_uint_eq(set, B(SHA1));
	ck_assert_str_eq(chap_alg_name(CHAP_ALG_SHA3_256), "SHA3-256");
	ck_assert_ptr_null(chap_alg_name((enum chap_alg)4));
	/* refused: empty, an empty name, unknown names, the numbers of CHAP_A */
	set = 7;
	ck_assert_int_eq(chap_algs_parse("", 0, &set), -EINVAL);
	ck_assert_int_eq(chap_algs_parse("MD5,", 4, &set), -EINVAL);
	ck_assert_int_eq(chap_algs_parse(",MD5", 4, &set), -EINVAL);
	ck_assert_int_eq(chap_algs_parse("SHA-256", 7, &set), -EINVAL);
	ck_assert_int_eq(chap_algs_parse("MD5 ", 4, &set), -EINVAL);
	ck_assert_int_eq(chap_algs_parse("5", 1, &set), -EINVAL);
	ck_assert_uint_eq(set, 7); /* untouched */
	/* no room */
	ck_assert_int_eq(chap_algs_text(CHAP_ALGS_ALL, text, 24), -ENOSPC);
	ck_assert_int_eq(chap_algs_text(0, text, 1), 0);
	ck_assert_str_eq(text, "");
}
END_TEST

/* ---- binary values (RFC 7143 §6.1) ---- */

static int decode(const char *v, uint8_t *out, size_t cap, size_t *n)
{
	return chap_binary_decode(v, strlen(v), out, cap, n);
}

START_TEST(test_binary_decode)
{
	uint8_t out[CHAP_BINARY_MAX + 8];
	size_t n = 0;

	ck_assert_int_eq(decode("0x0102ff", out, 16, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, "\x01\x02\xff", 3);
	ck_assert_int_eq(decode("0XaBcD", out, 16, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\xab\xcd", 2);
	/* an odd count of digits: the first byte holds one */
	ck_assert_int_eq(decode("0x123", out, 16, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\x01\x23", 2);
	/* base64, with and without padding in the last group */
	ck_assert_int_eq(decode("0bAQL/", out, 16, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, "\x01\x02\xff", 3);
	ck_assert_int_eq(decode("0BAQI=", out, 16, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\x01\x02", 2);
	ck_assert_int_eq(decode("0bAQ==", out, 16, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_int_eq(decode("0b+/+/", out, 16, &n), 0);
	ck_assert_mem_eq(out, "\xfb\xff\xbf", 3);

	/* malformed */
	ck_assert_int_eq(decode("0x", out, 16, &n), -EINVAL);
	ck_assert_int_eq(decode("0b", out, 16, &n), -EINVAL);
	ck_assert_int_eq(decode("0xg1", out, 16, &n), -EINVAL);
	ck_assert_int_eq(decode("0x1 2", out, 16, &n), -EINVAL);
	ck_assert_int_eq(decode("1234", out, 16, &n), -EINVAL); /* a number, not binary */
	ck_assert_int_eq(decode("0y12", out, 16, &n), -EINVAL);
	ck_assert_int_eq(decode("0bAQ=", out, 16, &n), -EINVAL);   /* not whole groups */
	ck_assert_int_eq(decode("0bAR==", out, 16, &n), -EINVAL);  /* bits left over */
	ck_assert_int_eq(decode("0bA===", out, 16, &n), -EINVAL);  /* too much padding */
	ck_assert_int_eq(decode("0bA=AA", out, 16, &n), -EINVAL);  /* padding inside */
	ck_assert_int_eq(decode("0bAQ-_", out, 16, &n), -EINVAL);  /* base64url is not base64 */

	/* bounded by cap: 1024 bytes (RFC 7143 §12.1.3) fit, 1025 do not */
	{
		static char big[2 + 2 * (CHAP_BINARY_MAX + 1) + 1];

		memcpy(big, "0x", 2);
		memset(big + 2, 'a', 2 * CHAP_BINARY_MAX);
		big[2 + 2 * CHAP_BINARY_MAX] = '\0';
		ck_assert_int_eq(decode(big, out, CHAP_BINARY_MAX, &n), 0);
		ck_assert_uint_eq(n, CHAP_BINARY_MAX);
		ck_assert_uint_eq(out[CHAP_BINARY_MAX - 1], 0xaa);
		memset(big + 2, 'a', 2 * CHAP_BINARY_MAX + 2);
		big[2 + 2 * (CHAP_BINARY_MAX + 1)] = '\0';
		memset(out, 0, sizeof(out));
		ck_assert_int_eq(decode(big, out, CHAP_BINARY_MAX, &n), -E2BIG);
		ck_assert_uint_eq(out[CHAP_BINARY_MAX], 0); /* nothing written past cap */
	}
	ck_assert_int_eq(decode("0bAQL/AQL/", out, 5, &n), -E2BIG);
	ck_assert_int_eq(decode("0bAQL/AQ==", out, 4, &n), 0);
	ck_assert_uint_eq(n, 4);
	/* bounded by len, not by a NUL */
	ck_assert_int_eq(chap_binary_decode("0x0102ff", 6, out, 16, &n), 0);
	ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(test_hex_encode)
{
	static const uint8_t p[] = { 0x00, 0x9f, 0xa0, 0xff };
	uint8_t back[4];
	char s[11];
	size_t n;

	ck_assert_int_eq(chap_hex_encode(p, sizeof(p), s, sizeof(s)), 10);
	ck_assert_str_eq(s, "0x009fa0ff");
	ck_assert_int_eq(chap_binary_decode(s, 10, back, sizeof(back), &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(back, p, 4);
	ck_assert_int_eq(chap_hex_encode(p, sizeof(p), s, 10), -ENOSPC);
	ck_assert_int_eq(chap_hex_encode(p, 0, s, 3), 2);
	ck_assert_int_eq(chap_hex_encode(p, 0, s, 2), -ENOSPC);
}
END_TEST

/* ---- names and secrets ---- */

static void set_secret(struct chap_secret *s, const char *name, const char *secret)
{
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->secret_len = strlen(secret);
	memcpy(s->secret, secret, s->secret_len);
}

START_TEST(test_credential_rules)
{
	char name[300];
	struct chap_creds cr;
	struct chap *c = NULL;

	ck_assert_ptr_null(chap_name_why("kvm1-user"));
	ck_assert_ptr_nonnull(chap_name_why(""));
	ck_assert_ptr_nonnull(chap_name_why("a\tb"));
	memset(name, 'n', 255);
	name[255] = '\0';
	ck_assert_ptr_null(chap_name_why(name));
	name[255] = 'n';
	name[256] = '\0';
	ck_assert_ptr_nonnull(chap_name_why(name));

	/* RFC 7143 §9.2.1: 96 bits at least */
	ck_assert_ptr_nonnull(chap_secret_why(11));
	ck_assert_ptr_null(chap_secret_why(12));
	ck_assert_ptr_null(chap_secret_why(255));
	ck_assert_ptr_nonnull(chap_secret_why(256));
	ck_assert_ptr_nonnull(chap_secret_why(0));

	memset(&cr, 0, sizeof(cr));
	set_secret(&cr.initiator, "kvm1-user", "initiator-secret");
	ck_assert_ptr_null(chap_creds_why(&cr)); /* one-way */
	set_secret(&cr.target, "porticod-user", "target-secret-42");
	ck_assert_ptr_null(chap_creds_why(&cr)); /* mutual */
	/* RFC 7143 §9.2.1: never one secret for both directions */
	set_secret(&cr.target, "porticod-user", "initiator-secret");
	ck_assert_ptr_nonnull(chap_creds_why(&cr));
	ck_assert_int_eq(chap_create(&cr, NULL, &c), -EINVAL);
	ck_assert_ptr_null(c);
	set_secret(&cr.target, "porticod-user", "short");
	ck_assert_ptr_nonnull(chap_creds_why(&cr));
	set_secret(&cr.target, "", "");
	set_secret(&cr.initiator, "kvm1-user", "short-secret"); /* 12: fine */
	ck_assert_ptr_null(chap_creds_why(&cr));
	/* allowed algorithms: those we know, 0 for every one */
	cr.algs = CHAP_ALGS_ALL;
	ck_assert_ptr_null(chap_creds_why(&cr));
	cr.algs = CHAP_ALG_BIT(CHAP_ALG_MD5) | CHAP_ALG_BIT(4);
	ck_assert_ptr_nonnull(chap_creds_why(&cr));
	cr.algs = 0;
	set_secret(&cr.initiator, "kvm1-user", "short-secre");
	ck_assert_ptr_nonnull(chap_creds_why(&cr));
	set_secret(&cr.initiator, "", "initiator-secret");
	ck_assert_ptr_nonnull(chap_creds_why(&cr));
}
END_TEST

/* ---- the exchange ---- */

static int rng_fail;

/* The identifier is 0xa0, the challenge 0xa1, 0xa2, ... */
static int fixed_rng(uint8_t *buf, size_t len)
{
	if (rng_fail)
		return -EIO;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0xa0 + i);
	return 0;
}

static struct chap *c;
static struct text_buf out;
static char rendered[4096];
static bool done;

static void setup(void)
{
	struct chap_creds cr;

	memset(&cr, 0, sizeof(cr));
	set_secret(&cr.initiator, "kvm1-user", "initiator-secret");
	set_secret(&cr.target, "porticod-user", "target-secret-42");
	rng_fail = 0;
	memcmp_calls = 0;
	memcmp_len = 0;
	c = NULL;
	ck_assert_int_eq(chap_create(&cr, fixed_rng, &c), 0);
	text_buf_init(&out, 65536);
}

static void teardown(void)
{
	chap_destroy(c);
	text_buf_fini(&out);
}

/* One request (pairs separated by ';' here, NUL on the wire); the answer in rendered. */
static uint16_t step(const char *pairs)
{
	char wire[4096];
	size_t n = strlen(pairs);
	uint16_t st;

	ck_assert_uint_lt(n + 1, sizeof(wire));
	for (size_t i = 0; i < n; i++)
		wire[i] = pairs[i] == ';' ? '\0' : pairs[i];
	wire[n] = '\0'; /* RFC 7143 §6.1: the last pair too ends in a NUL */
	text_buf_reset(&out);
	done = true;
	st = chap_step(c, (const uint8_t *)wire, n ? n + 1 : 0, &out, &done);
	for (size_t i = 0; i < out.len; i++)
		rendered[i] = out.data[i] ? (char)out.data[i] : ';';
	rendered[out.len] = '\0';
	return st;
}

#define MD5_CHALLENGE "0xa1a2a3a4a5a6a7a8a9aaabacadaeafb0"
#define SHA256_CHALLENGE "0xa1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0"
/* H(0xa0 || "initiator-secret" || challenge) */
#define MD5_R "0x038e14ef2df94db95889a853faf52b3a"
#define SHA1_R "0x9b79a90c5d50e92c8bf8816c098eee88a8da36d7"
#define SHA256_R "0xa92f1dd8215592d3903145a1c469c44ff69d2d38f3f87b6d26feab0fd8b79acc"
#define SHA256_R_B64 "0bqS8d2CFVktOQMUWhxGnET/adLTjz+HttJv6rD9i3msw="
#define SHA3_R "0x7e0d71ddc8c9215bf204d8324e578b5dae55b10191ba1dd3afe60f20e4400211"
/* the initiator's challenge for mutual CHAP: 16 bytes of 0x11, identifier 7 */
#define I_CHALLENGE "0x11111111111111111111111111111111"
/* H(7 || "target-secret-42" || I_CHALLENGE) */
#define MD5_MUTUAL_R "0x0a38c182a79a6b04e4f752b3684be51d"
#define SHA256_MUTUAL_R "0x1640819e768c1b8a25f3358a362b0cde7e7525596ec67d6a58c8cd0e26df7b40"

static void expect_fail(uint16_t st, uint16_t want, enum chap_reason reason)
{
	ck_assert_uint_eq(st, want);
	ck_assert_int_eq(c->state, CHAP_STATE_FAILED);
	ck_assert_int_eq(c->reason, reason);
	ck_assert(!done);
}

START_TEST(test_one_way_each_algorithm)
{
	const struct {
		const char *a, *want_a, *r;
		size_t clen;
	} v[] = {
		{ "5", "5", MD5_R, 16 },
		{ "6,5", "6", SHA1_R, 20 },
		{ "7,5", "7", SHA256_R, 32 },
		{ "8,7,6,5", "8", SHA3_R, 32 },
	};
	char a[32], nr[256], want[512];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (i) {
			teardown();
			setup();
		}
		snprintf(a, sizeof(a), "CHAP_A=%s", v[i].a);
		ck_assert_uint_eq(step(a), ISCSI_LOGIN_OK);
		ck_assert(!done);
		/* CHAP_I=160 (0xa0); the challenge as long as the digest */
		snprintf(want, sizeof(want), "CHAP_A=%s;CHAP_I=160;CHAP_C=%.*s;", v[i].want_a,
			 (int)(2 + 2 * v[i].clen), SHA256_CHALLENGE);
		ck_assert_str_eq(rendered, want);
		ck_assert_uint_eq(c->challenge_len, v[i].clen);

		snprintf(nr, sizeof(nr), "CHAP_N=kvm1-user;CHAP_R=%s", v[i].r);
		memcmp_calls = 0;
		ck_assert_uint_eq(step(nr), ISCSI_LOGIN_OK);
		ck_assert(done);
		ck_assert_str_eq(rendered, ""); /* one-way: nothing to say */
		ck_assert_int_eq(c->state, CHAP_STATE_DONE);
		ck_assert(!c->mutual);
		/* the check went through the constant-time compare, whole */
		ck_assert_int_eq(memcmp_calls, 1);
		ck_assert_uint_eq(memcmp_len, chap_digest_len(c->alg));
	}
	/* nothing of CHAP after success */
	expect_fail(step("CHAP_A=5"), ISCSI_LOGIN_AUTH_FAILURE, CHAP_REASON_UNEXPECTED_KEY);
}
END_TEST

/*
 * The interoperability case: an initiator that offers 5,6,7,8 and can
 * answer only in MD5 (it got SHA3-256 and failed); and with the policy
 * refusing MD5, the one it then gets is its next choice, or none.
 */
START_TEST(test_initiator_order_and_policy)
{
	struct chap_creds cr;

	ck_assert_uint_eq(step("CHAP_A=5,6,7,8"), ISCSI_LOGIN_OK);
	ck_assert_str_eq(rendered, "CHAP_A=5;CHAP_I=160;CHAP_C=" MD5_CHALLENGE ";");
	ck_assert_uint_eq(step("CHAP_N=kvm1-user;CHAP_R=" MD5_R), ISCSI_LOGIN_OK);
	ck_assert(done);

	teardown();
	memset(&cr, 0, sizeof(cr));
	set_secret(&cr.initiator, "kvm1-user", "initiator-secret");
	cr.algs = B(SHA1) | B(SHA256) | B(SHA3_256);
	ck_assert_int_eq(chap_create(&cr, fixed_rng, &c), 0);
	text_buf_init(&out, 65536);
	ck_assert_uint_eq(step("CHAP_A=5,6,7,8"), ISCSI_LOGIN_OK);
	ck_assert_int_eq(c->alg, CHAP_ALG_SHA1);
	ck_assert_uint_eq(step("CHAP_N=kvm1-user;CHAP_R=" SHA1_R), ISCSI_LOGIN_OK);
	ck_assert(done);

	teardown();
	ck_assert_int_eq(chap_create(&cr, fixed_rng, &c), 0);
	text_buf_init(&out, 65536);
	expect_fail(step("CHAP_A=5"), ISCSI_LOGIN_AUTH_FAILURE, CHAP_REASON_ALGORITHM_REFUSED);
	ck_assert_str_eq(rendered, "");
	ck_assert_ptr_nonnull(strstr(chap_reason_text(c->reason), "chap_algorithms"));
	/* an algorithm nobody knows is still not the policy's doing */
	teardown();
	ck_assert_int_eq(chap_create(&cr, fixed_rng, &c), 0);
	text_buf_init(&out, 65536);
	expect_fail(step("CHAP_A=129"), ISCSI_LOGIN_AUTH_FAILURE, CHAP_REASON_NO_ALGORITHM);
}
END_TEST

START_TEST(test_upper_case_and_base64_response)
{
	ck_assert_uint_eq(step("CHAP_A=7"), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(step("CHAP_N=kvm1-user;CHAP_R=" SHA256_R_B64), ISCSI_LOGIN_OK);
	ck_assert(done);

	teardown();
	setup();
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(step("CHAP_R=0X038E14EF2DF94DB95889A853FAF52B3A;CHAP_N=kvm1-user"),
			  ISCSI_LOGIN_OK);
	ck_assert(done);
}
END_TEST

START_TEST(test_mutual)
{
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(step("CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=7;CHAP_C=" I_CHALLENGE),
			  ISCSI_LOGIN_OK);
	ck_assert(done);
	ck_assert(c->mutual);
	ck_assert_str_eq(rendered, "CHAP_N=porticod-user;CHAP_R=" MD5_MUTUAL_R ";");

	teardown();
	setup();
	ck_assert_uint_eq(step("CHAP_A=7"), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(step("CHAP_N=kvm1-user;CHAP_R=" SHA256_R ";CHAP_I=0x07;CHAP_C=" I_CHALLENGE),
			  ISCSI_LOGIN_OK);
	ck_assert_str_eq(rendered, "CHAP_N=porticod-user;CHAP_R=" SHA256_MUTUAL_R ";");
}
END_TEST

START_TEST(test_wrong_secret_and_name)
{
	/* one bit off */
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	memcmp_calls = 0;
	expect_fail(step("CHAP_N=kvm1-user;CHAP_R=0x038e14ef2df94db95889a853faf52b3b"),
		    ISCSI_LOGIN_AUTH_FAILURE, CHAP_REASON_WRONG_SECRET);
	ck_assert_int_eq(memcmp_calls, 1);
	ck_assert_str_eq(rendered, "");
	/* failed is failed, whatever comes next */
	expect_fail(step("CHAP_N=kvm1-user;CHAP_R=" MD5_R), ISCSI_LOGIN_AUTH_FAILURE,
		    CHAP_REASON_WRONG_SECRET);

	/* the MD5 response to a SHA-256 challenge */
	teardown();
	setup();
	ck_assert_uint_eq(step("CHAP_A=7"), ISCSI_LOGIN_OK);
	expect_fail(step("CHAP_N=kvm1-user;CHAP_R=" MD5_R), ISCSI_LOGIN_AUTH_FAILURE,
		    CHAP_REASON_RESPONSE_LENGTH);

	/* the right response under another name */
	teardown();
	setup();
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	expect_fail(step("CHAP_N=kvm2-user;CHAP_R=" MD5_R), ISCSI_LOGIN_AUTH_FAILURE,
		    CHAP_REASON_UNKNOWN_NAME);
	teardown();
	setup();
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	expect_fail(step("CHAP_N=kvm1-use;CHAP_R=" MD5_R), ISCSI_LOGIN_AUTH_FAILURE,
		    CHAP_REASON_UNKNOWN_NAME);

	/* mutual: the target says nothing for an initiator that failed */
	teardown();
	setup();
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	expect_fail(step("CHAP_N=kvm1-user;CHAP_R=" SHA1_R ";CHAP_I=7;CHAP_C=" I_CHALLENGE),
		    ISCSI_LOGIN_AUTH_FAILURE, CHAP_REASON_RESPONSE_LENGTH);
	ck_assert_str_eq(rendered, "");
}
END_TEST

START_TEST(test_reflected_challenge)
{
	/* RFC 7143 §9.2.1: our own challenge, sent back for us to answer */
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	expect_fail(step("CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=160;CHAP_C=" MD5_CHALLENGE),
		    ISCSI_LOGIN_AUTH_FAILURE, CHAP_REASON_REFLECTED);
	ck_assert_str_eq(rendered, "");
	/* in another encoding it is the same challenge */
	teardown();
	setup();
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	expect_fail(step("CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=3;CHAP_C=0boaKjpKWmp6ipqqusra6vsA=="),
		    ISCSI_LOGIN_AUTH_FAILURE, CHAP_REASON_REFLECTED);
	/* a prefix of it is another challenge */
	teardown();
	setup();
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	ck_assert_uint_eq(step("CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=3;CHAP_C=0xa1a2a3"),
			  ISCSI_LOGIN_OK);
	ck_assert(c->mutual);
}
END_TEST

START_TEST(test_mutual_without_target_credentials)
{
	struct chap_creds cr;

	chap_destroy(c);
	memset(&cr, 0, sizeof(cr));
	set_secret(&cr.initiator, "kvm1-user", "initiator-secret");
	ck_assert_int_eq(chap_create(&cr, fixed_rng, &c), 0);
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	expect_fail(step("CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=7;CHAP_C=" I_CHALLENGE),
		    ISCSI_LOGIN_AUTH_FAILURE, CHAP_REASON_NO_MUTUAL);
	ck_assert_str_eq(rendered, "");
}
END_TEST

START_TEST(test_malformed_and_missing_keys)
{
	static const struct {
		const char *first, *second;
		enum chap_reason reason;
	} v[] = {
		{ "", NULL, CHAP_REASON_NO_CHAP_A },
		{ "CHAP_A=1,2,3", NULL, CHAP_REASON_NO_ALGORITHM },
		{ "CHAP_A=5,x", NULL, CHAP_REASON_MALFORMED },
		{ "CHAP_A=5;CHAP_A=7", NULL, CHAP_REASON_UNEXPECTED_KEY },
		{ "CHAP_A=5;CHAP_N=kvm1-user", NULL, CHAP_REASON_UNEXPECTED_KEY },
		{ "CHAP_A=5;CHAP_X=1", NULL, CHAP_REASON_UNEXPECTED_KEY },
		{ "CHAP_A5", NULL, CHAP_REASON_MALFORMED },
		{ "CHAP_A=5", "", CHAP_REASON_NO_RESPONSE },
		{ "CHAP_A=5", "CHAP_N=kvm1-user", CHAP_REASON_NO_RESPONSE },
		{ "CHAP_A=5", "CHAP_R=" MD5_R, CHAP_REASON_NO_RESPONSE },
		{ "CHAP_A=5", "CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_A=5", CHAP_REASON_UNEXPECTED_KEY },
		{ "CHAP_A=5", "CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_R=" MD5_R,
		  CHAP_REASON_UNEXPECTED_KEY },
		{ "CHAP_A=5", "CHAP_N=kvm1-user;CHAP_R=038e14ef2df94db95889a853faf52b3a",
		  CHAP_REASON_MALFORMED },
		{ "CHAP_A=5", "CHAP_N=kvm1-user;CHAP_R=0x", CHAP_REASON_MALFORMED },
		{ "CHAP_A=5", "CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=7", CHAP_REASON_MUTUAL_INCOMPLETE },
		{ "CHAP_A=5", "CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_C=" I_CHALLENGE,
		  CHAP_REASON_MUTUAL_INCOMPLETE },
		{ "CHAP_A=5", "CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=256;CHAP_C=" I_CHALLENGE,
		  CHAP_REASON_MALFORMED },
		{ "CHAP_A=5", "CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=x;CHAP_C=" I_CHALLENGE,
		  CHAP_REASON_MALFORMED },
		{ "CHAP_A=5", "CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=7;CHAP_C=0x1g",
		  CHAP_REASON_MALFORMED },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		teardown();
		setup();
		if (!v[i].second) {
			expect_fail(step(v[i].first), ISCSI_LOGIN_AUTH_FAILURE, v[i].reason);
			continue;
		}
		ck_assert_uint_eq(step(v[i].first), ISCSI_LOGIN_OK);
		expect_fail(step(v[i].second), ISCSI_LOGIN_AUTH_FAILURE, v[i].reason);
	}
}
END_TEST

START_TEST(test_binary_values_bounded)
{
	/* RFC 7143 §12.1.3: at most 1024 bytes; a longer CHAP_C is malformed, not an overflow */
	static char req[64 + 2 * (CHAP_BINARY_MAX + 1) + 128];
	int n;

	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	n = snprintf(req, sizeof(req), "CHAP_N=kvm1-user;CHAP_R=" MD5_R ";CHAP_I=7;CHAP_C=0x");
	memset(req + n, '5', 2 * (CHAP_BINARY_MAX + 1));
	req[n + 2 * (CHAP_BINARY_MAX + 1)] = '\0';
	expect_fail(step(req), ISCSI_LOGIN_AUTH_FAILURE, CHAP_REASON_MALFORMED);

	/* exactly 1024 is fine */
	teardown();
	setup();
	ck_assert_uint_eq(step("CHAP_A=5"), ISCSI_LOGIN_OK);
	req[n + 2 * CHAP_BINARY_MAX] = '\0';
	ck_assert_uint_eq(step(req), ISCSI_LOGIN_OK);
	ck_assert(c->mutual);
}
END_TEST

START_TEST(test_target_side_failures)
{
	struct text_buf small;

	/* no random bytes: the target's fault, not the initiator's */
	rng_fail = 1;
	expect_fail(step("CHAP_A=5"), ISCSI_LOGIN_TARGET_ERROR, CHAP_REASON_NO_RANDOM);

	/* no room for the challenge */
	teardown();
	setup();
	text_buf_init(&small, 20);
	done = true;
	ck_assert_uint_eq(chap_step(c, (const uint8_t *)"CHAP_A=5", 9, &small, &done),
			  ISCSI_LOGIN_OUT_OF_RESOURCES);
	ck_assert_int_eq(c->reason, CHAP_REASON_NO_ROOM);
	ck_assert(!done);
	text_buf_fini(&small);
}
END_TEST

START_TEST(test_reason_texts)
{
	ck_assert_str_eq(chap_reason_text(CHAP_REASON_WRONG_SECRET), "wrong secret");
	ck_assert_str_eq(chap_reason_text(CHAP_REASON_UNKNOWN_NAME), "unknown CHAP_N");
	ck_assert_str_eq(chap_reason_text(CHAP_REASON_REFLECTED), "reflected challenge");
	for (int r = CHAP_REASON_NONE; r <= CHAP_REASON_NO_ROOM; r++)
		ck_assert_str_ne(chap_reason_text((enum chap_reason)r), "unknown reason");
	ck_assert_str_eq(chap_reason_text((enum chap_reason)999), "unknown reason");
}
END_TEST

static Suite *chap_suite(void)
{
	Suite *s = suite_create("chap");
	TCase *pure = tcase_create("pure");
	TCase *ex = tcase_create("exchange");

	tcase_add_test(pure, test_digest_known_answers);
	tcase_add_test(pure, test_alg_choose);
	tcase_add_test(pure, test_alg_choose_allowed);
	tcase_add_test(pure, test_algs_names);
	tcase_add_test(pure, test_binary_decode);
	tcase_add_test(pure, test_hex_encode);
	tcase_add_test(pure, test_credential_rules);
	tcase_add_test(pure, test_reason_texts);
	suite_add_tcase(s, pure);

	tcase_add_checked_fixture(ex, setup, teardown);
	tcase_add_test(ex, test_one_way_each_algorithm);
	tcase_add_test(ex, test_initiator_order_and_policy);
	tcase_add_test(ex, test_upper_case_and_base64_response);
	tcase_add_test(ex, test_mutual);
	tcase_add_test(ex, test_wrong_secret_and_name);
	tcase_add_test(ex, test_reflected_challenge);
	tcase_add_test(ex, test_mutual_without_target_credentials);
	tcase_add_test(ex, test_malformed_and_missing_keys);
	tcase_add_test(ex, test_binary_values_bounded);
	tcase_add_test(ex, test_target_side_failures);
	suite_add_tcase(s, ex);
	return s;
}

CHECK_MAIN(chap_suite)

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CHAP (target/iscsi/chap.c): the target's side of the exchange, fed the
 * CHAP_* keys of successive security-stage requests; and its value
 * decoders.
 *
 * Input: byte 0 picks the credentials (bit 0: the target has mutual
 * credentials; bit 1: the random source fails; bits 2-5: the algorithms
 * allowed, MD5 to SHA3-256, none set meaning all) and byte 1 seeds the
 * random source; the rest is requests separated by 0xff bytes. In a
 * request, the value "@" of CHAP_R is replaced by the right response to
 * the target's challenge (computed here with libcrypto, not with chap.c),
 * so that the fuzzer reaches success and mutual CHAP without breaking MD5.
 *
 * Checked: the exchange ends done only when the last request carried
 * CHAP_N with the configured name and a CHAP_R that is H(I || secret || C)
 * for the target's I and C (RFC 1994 §4.1); a mutual answer is the target's
 * name and H(I || target secret || C) for the initiator's I and C, and never
 * an answer to the target's own challenge (RFC 7143 §9.2.1); the challenge
 * is as long as the digest and hex-encoded; after success or failure every
 * step fails; the output is well-formed text. Every value also goes through
 * chap_binary_decode, compared with a reference decoder, and every CHAP_A
 * through chap_alg_choose (RFC 7143 §6.2.1: the first of the list that is
 * known and allowed; -EACCES when some are known, none allowed).
 */
#include <errno.h>
#include <openssl/evp.h>

#include "tests/fuzz/fuzz.h"
#include "common/util.h"
#include "target/iscsi/chap.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/param.h"

#define INI_NAME "fuzz-initiator"
#define INI_SECRET "initiator-secret"
#define TGT_NAME "fuzz-target"
#define TGT_SECRET "target-secret-x"

static uint8_t rng_seed;
static bool rng_fail;

static int fake_rng(uint8_t *buf, size_t len)
{
	if (rng_fail)
		return -EIO;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(rng_seed + i * 37);
	return 0;
}

static const EVP_MD *ref_md(long alg)
{
	switch (alg) {
	case 5:
		return EVP_md5();
	case 6:
		return EVP_sha1();
	case 7:
		return EVP_sha256();
	case 8:
		return EVP_sha3_256();
	default:
		return NULL;
	}
}

/* RFC 1994 §4.1, written from the RFC with libcrypto: H(id || secret || challenge). */
static size_t ref_digest(long alg, uint8_t id, const char *secret, const uint8_t *c, size_t clen,
			 uint8_t *out)
{
	const EVP_MD *md = ref_md(alg);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;

	if (!md || !ctx || !EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, &id, 1) ||
	    !EVP_DigestUpdate(ctx, secret, strlen(secret)) || !EVP_DigestUpdate(ctx, c, clen) ||
	    !EVP_DigestFinal_ex(ctx, out, &n))
		abort();
	EVP_MD_CTX_free(ctx);
	return n;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/*
 * A reference for RFC 7143 §6.1 binary values: 0x + hex digits (an odd
 * count has a leading zero nibble), or 0b + padded base64. Bytes, or -1.
 */
static long ref_binary(const char *v, size_t len, uint8_t *out, size_t cap)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0;

	if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		size_t digits = len - 2, i = 2;

		if (digits % 2) {
			if (hexval(v[i]) < 0)
				return -1;
			out[n++] = (uint8_t)hexval(v[i++]);
		}
		for (; i < len; i += 2) {
			if (hexval(v[i]) < 0 || hexval(v[i + 1]) < 0 || n == cap)
				return -1;
			out[n++] = (uint8_t)(hexval(v[i]) << 4 | hexval(v[i + 1]));
		}
		return (long)n;
	}
	if (len > 2 && v[0] == '0' && (v[1] == 'b' || v[1] == 'B') && (len - 2) % 4 == 0) {
		for (size_t i = 2; i < len; i += 4) {
			int d[4], pad = 0;
			bool last = i + 4 == len;

			for (int j = 0; j < 4; j++) {
				const char *p = v[i + j] ? strchr(b64, v[i + j]) : NULL;

				if (v[i + j] == '=' && last && j >= 2) {
					d[j] = 0;
					pad++;
					continue;
				}
				if (!p || pad)
					return -1;
				d[j] = (int)(p - b64);
			}
			/* the bits padding leaves over must be zero (RFC 4648 §3.5) */
			if ((pad == 2 && (d[1] & 0x0f)) || (pad == 1 && (d[2] & 0x03)))
				return -1;
			if (n + 3 - (size_t)pad > cap)
				return -1;
			out[n++] = (uint8_t)(d[0] << 2 | d[1] >> 4);
			if (pad < 2)
				out[n++] = (uint8_t)(d[1] << 4 | d[2] >> 2);
			if (pad < 1)
				out[n++] = (uint8_t)(d[2] << 6 | d[3]);
		}
		return (long)n;
	}
	return -1;
}

static void check_binary(const struct text_pair *p)
{
	uint8_t a[CHAP_BINARY_MAX], b[CHAP_BINARY_MAX];
	size_t alen = 0;
	int rc = chap_binary_decode(p->value, p->value_len, a, sizeof(a), &alen);
	long ref = ref_binary(p->value, p->value_len, b, sizeof(b));

	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG, "chap_binary_decode: %d", rc);
	if (rc == -E2BIG)
		return; /* the reference gives up at its capacity too, maybe later */
	FUZZ_CHECK((rc == 0) == (ref >= 0), "'%.*s': chap_binary_decode %d, reference %ld",
		   (int)MIN(p->value_len, 80u), p->value, rc, ref);
	if (rc == 0)
		FUZZ_CHECK(alen == (size_t)ref && !memcmp(a, b, alen),
			   "'%.*s' decodes to other bytes than the reference's",
			   (int)MIN(p->value_len, 80u), p->value);
}

static uint32_t allowed_set; /* the credentials' algs: CHAP_ALG_BIT()s, 0 for all */

static bool known(uint64_t v)
{
	return v >= 5 && v <= 8;
}

static bool allowed(uint64_t v)
{
	return known(v) && (!allowed_set || (allowed_set & (1u << v)));
}

static void check_alg_choose(const struct text_pair *p)
{
	enum chap_alg alg = 0;
	int rc = chap_alg_choose(p->value, p->value_len, allowed_set, &alg);
	uint64_t first = 0;
	bool any_known = false;
	const char *v = p->value, *end = p->value + p->value_len;
	bool malformed = p->value_len == 0;

	while (!malformed && v <= end) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		size_t n = comma ? (size_t)(comma - v) : (size_t)(end - v);
		uint64_t x;
		int r = param_parse_number(v, n, &x);

		if (r == -EINVAL)
			malformed = true;
		else if (!r && known(x))
			any_known = true;
		if (!r && !first && allowed(x))
			first = x;
		if (!comma)
			break;
		v = comma + 1;
	}
	if (malformed) {
		FUZZ_CHECK(rc == -EINVAL, "malformed CHAP_A list: %d", rc);
		return;
	}
	FUZZ_CHECK(rc == (first ? 0 : any_known ? -EACCES : -ENOENT), "CHAP_A: %d", rc);
	if (!rc)
		FUZZ_CHECK((uint64_t)alg == first, "CHAP_A chose %d, not %d, the first allowed",
			   (int)alg, (int)first);
}

/* What the target sent in the first step: its algorithm, identifier and challenge. */
struct challenge {
	bool have;
	long alg;
	uint8_t id;
	uint8_t c[CHAP_BINARY_MAX];
	size_t clen;
};

static void read_challenge(const struct text_buf *out, size_t from, struct challenge *ch)
{
	struct text_iter it;
	struct text_pair p;
	char v[16];
	int got = 0;

	text_iter_init(&it, out->data + from, out->len - from);
	while (text_next(&it, &p) == 1) {
		if (text_key_is(&p, "CHAP_A") && !text_value_copy(&p, v, sizeof(v))) {
			ch->alg = strtol(v, NULL, 10);
			got |= 1;
		} else if (text_key_is(&p, "CHAP_I") && !text_value_copy(&p, v, sizeof(v))) {
			long id = strtol(v, NULL, 10);

			FUZZ_CHECK(id >= 0 && id <= 255, "CHAP_I=%ld", id);
			ch->id = (uint8_t)id;
			got |= 2;
		} else if (text_key_is(&p, "CHAP_C")) {
			long n = ref_binary(p.value, p.value_len, ch->c, sizeof(ch->c));

			FUZZ_CHECK(p.value_len > 2 && !memcmp(p.value, "0x", 2) && n > 0,
				   "CHAP_C '%.*s' not hex", (int)p.value_len, p.value);
			ch->clen = (size_t)n;
			got |= 4;
		}
	}
	FUZZ_CHECK(got == 7, "first step answered without CHAP_A, CHAP_I and CHAP_C");
	FUZZ_CHECK(ref_md(ch->alg) && allowed((uint64_t)ch->alg), "CHAP_A=%ld chosen", ch->alg);
	FUZZ_CHECK(ch->clen == (size_t)EVP_MD_size(ref_md(ch->alg)),
		   "a %zu-byte challenge for a %d-byte digest", ch->clen,
		   EVP_MD_size(ref_md(ch->alg)));
	ch->have = true;
}

/* The request with CHAP_R=@ replaced by the right response; the caller frees it. */
static uint8_t *substitute(const uint8_t *req, size_t len, const struct challenge *ch,
			   size_t *outlen)
{
	uint8_t *out = malloc(len * 9 + 128), d[64]; /* "CHAP_R=@" grows at most 9-fold */
	const char *digits = "0123456789abcdef";
	struct text_iter it;
	struct text_pair p;
	size_t o = 0;
	int rc;

	text_iter_init(&it, req, len);
	while ((rc = text_next(&it, &p)) == 1) {
		if (ch->have && text_key_is(&p, "CHAP_R") && text_value_is(&p, "@")) {
			size_t n = ref_digest(ch->alg, ch->id, INI_SECRET, ch->c, ch->clen, d);

			memcpy(out + o, "CHAP_R=0x", 9);
			o += 9;
			for (size_t i = 0; i < n; i++) {
				out[o++] = (uint8_t)digits[d[i] >> 4];
				out[o++] = (uint8_t)digits[d[i] & 15];
			}
			out[o++] = '\0';
			continue;
		}
		memcpy(out + o, p.key, p.key_len + 1 + p.value_len + 1);
		o += p.key_len + 1 + p.value_len + 1;
	}
	/* the malformed rest, as it was */
	memcpy(out + o, req + it.off, len - it.off);
	o += len - it.off;
	*outlen = o;
	return out;
}

/* The request's value of key, decoded as binary; -1 when absent or malformed. */
static long req_binary(const uint8_t *req, size_t len, const char *key, uint8_t *out)
{
	struct text_iter it;
	struct text_pair p;

	text_iter_init(&it, req, len);
	while (text_next(&it, &p) == 1)
		if (text_key_is(&p, key))
			return ref_binary(p.value, p.value_len, out, CHAP_BINARY_MAX);
	return -1;
}

static bool req_has(const uint8_t *req, size_t len, const char *key, const char *value)
{
	struct text_iter it;
	struct text_pair p;

	text_iter_init(&it, req, len);
	while (text_next(&it, &p) == 1)
		if (text_key_is(&p, key) && (!value || text_value_is(&p, value)))
			return true;
	return false;
}

/* The exchange succeeded: was it earned? */
static void check_done(const uint8_t *req, size_t len, const struct challenge *ch,
		       const struct text_buf *out, size_t from, bool mutual_creds)
{
	uint8_t r[CHAP_BINARY_MAX], want[64], ic[CHAP_BINARY_MAX];
	long rlen = req_binary(req, len, "CHAP_R", r), iclen;
	size_t n;
	struct text_iter it;
	struct text_pair p;
	char idv[8] = "";
	bool have_n = false, have_r = false;

	FUZZ_CHECK(ch->have, "done without a challenge");
	FUZZ_CHECK(req_has(req, len, "CHAP_N", INI_NAME), "done without CHAP_N=" INI_NAME);
	n = ref_digest(ch->alg, ch->id, INI_SECRET, ch->c, ch->clen, want);
	FUZZ_CHECK(rlen == (long)n && !memcmp(r, want, n),
		   "done with a CHAP_R that is not the response to the challenge");
	if (!req_has(req, len, "CHAP_I", NULL) && !req_has(req, len, "CHAP_C", NULL)) {
		FUZZ_CHECK(out->len == from, "one-way CHAP answered with keys");
		return;
	}
	/* Mutual: the target proves itself, to a challenge that is not its own. */
	FUZZ_CHECK(mutual_creds, "mutual CHAP without target credentials");
	iclen = req_binary(req, len, "CHAP_C", ic);
	FUZZ_CHECK(iclen >= 0, "mutual CHAP with a malformed CHAP_C");
	FUZZ_CHECK(!((size_t)iclen == ch->clen && !memcmp(ic, ch->c, ch->clen)),
		   "the target answered its own challenge (reflection)");
	{
		struct text_iter ri;

		text_iter_init(&ri, req, len);
		while (text_next(&ri, &p) == 1)
			if (text_key_is(&p, "CHAP_I"))
				text_value_copy(&p, idv, sizeof(idv));
	}
	{
		uint64_t id;

		FUZZ_CHECK(!param_parse_number(idv, strlen(idv), &id) && id <= 255,
			   "mutual CHAP with CHAP_I=%s", idv);
		n = ref_digest(ch->alg, (uint8_t)id, TGT_SECRET, ic, (size_t)iclen, want);
	}
	text_iter_init(&it, out->data + from, out->len - from);
	while (text_next(&it, &p) == 1) {
		if (text_key_is(&p, "CHAP_N")) {
			FUZZ_CHECK(text_value_is(&p, TGT_NAME), "mutual CHAP_N is not ours");
			have_n = true;
		} else if (text_key_is(&p, "CHAP_R")) {
			long m = ref_binary(p.value, p.value_len, r, sizeof(r));

			FUZZ_CHECK(m == (long)n && !memcmp(r, want, n),
				   "mutual CHAP_R is not H(I || target secret || C)");
			have_r = true;
		}
	}
	FUZZ_CHECK(have_n && have_r, "mutual CHAP without CHAP_N and CHAP_R");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chap_creds creds;
	struct challenge ch = {0};
	struct text_buf out;
	struct chap *c = NULL;
	size_t off = 2;
	bool mutual_creds, over = false;
	int step = 0;

	if (size < 2)
		return 0;
	mutual_creds = data[0] & 1;
	rng_fail = data[0] & 2;
	rng_seed = data[1];
	memset(&creds, 0, sizeof(creds));
	allowed_set = (uint32_t)((data[0] >> 2) & 0x0f) << CHAP_ALG_MD5;
	creds.algs = allowed_set;
	strcpy(creds.initiator.name, INI_NAME);
	memcpy(creds.initiator.secret, INI_SECRET, strlen(INI_SECRET));
	creds.initiator.secret_len = strlen(INI_SECRET);
	if (mutual_creds) {
		strcpy(creds.target.name, TGT_NAME);
		memcpy(creds.target.secret, TGT_SECRET, strlen(TGT_SECRET));
		creds.target.secret_len = strlen(TGT_SECRET);
	}
	FUZZ_CHECK(chap_creds_why(&creds) == NULL, "test credentials refused");
	FUZZ_CHECK(chap_create(&creds, fake_rng, &c) == 0, "chap_create failed");
	text_buf_init(&out, 65536);

	while (off < size && step++ < 8) {
		const uint8_t *end = memchr(data + off, 0xff, size - off);
		size_t len = end ? (size_t)(end - (data + off)) : size - off, rlen, mark = out.len;
		uint8_t *req = substitute(data + off, len, &ch, &rlen);
		struct text_iter it;
		struct text_pair p;
		bool done = true;
		uint16_t st;

		off += len + 1;
		text_iter_init(&it, req, rlen);
		while (text_next(&it, &p) == 1) {
			check_binary(&p);
			if (text_key_is(&p, "CHAP_A"))
				check_alg_choose(&p);
		}
		st = chap_step(c, req, rlen, &out, &done);
		FUZZ_CHECK(st == ISCSI_LOGIN_OK || st == ISCSI_LOGIN_AUTH_FAILURE ||
			       st == ISCSI_LOGIN_TARGET_ERROR || st == ISCSI_LOGIN_OUT_OF_RESOURCES,
			   "chap_step: status %04x", st);
		FUZZ_CHECK(!st || !done, "failed and done");
		FUZZ_CHECK(out.len == mark ||
			       fuzz_text_well_formed(out.data + mark, out.len - mark),
			   "malformed CHAP answer");
		if (over) {
			FUZZ_CHECK(st != ISCSI_LOGIN_OK,
				   "a step accepted after the exchange ended");
		} else if (st) {
			FUZZ_CHECK(c->state == CHAP_STATE_FAILED && c->reason != CHAP_REASON_NONE,
				   "failure without a reason");
			FUZZ_CHECK(strlen(chap_reason_text(c->reason)) > 0,
				   "no words for a reason");
			over = true;
		} else if (!ch.have) {
			FUZZ_CHECK(!done, "done at the first step");
			read_challenge(&out, mark, &ch);
		} else {
			FUZZ_CHECK(done, "second step neither done nor failed");
			check_done(req, rlen, &ch, &out, mark, mutual_creds);
			if (getenv("FUZZ_LOG"))
				fprintf(stderr, "fuzz_chap: authenticated%s\n",
					c->mutual ? ", mutual" : "");
			over = true;
		}
		free(req);
	}
	text_buf_fini(&out);
	chap_destroy(c);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CHAP, the target's side (RFC 7143 §12.1.3, RFC 1994).
 *
 *   I: CHAP_A=<A1,A2,...>
 *   T: CHAP_A=<A> CHAP_I=<I> CHAP_C=<C>
 *   I: CHAP_N=<N> CHAP_R=<R>  [CHAP_I=<I2> CHAP_C=<C2>: mutual]
 *   T: (mutual only) CHAP_N=<N2> CHAP_R=<R2>
 *
 * The target answers with the first algorithm of the initiator's list that
 * it knows and the administrator allows (RFC 7143 §6.2.1), sends a
 * random identifier and a challenge as long as the digest, and checks
 * R = H(I || secret || C) in constant time. In mutual CHAP it answers the
 * initiator's challenge with its own secret, but only after the initiator
 * has proven itself, and never a challenge that is its own sent back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/util.h"
#include "target/iscsi/chap.h"
#include "target/iscsi/iscsi_proto.h"
#include "target/iscsi/param.h"

/* clang-format off */
/* Strongest first: the order chap_algs_text() writes a set in. */
static const struct {
	enum chap_alg alg;
	size_t len;
	const char *name; /* open-iscsi's (node.session.auth.chap_algs) */
} chap_algs[] = {
	{ CHAP_ALG_SHA3_256, 32, "SHA3-256" },
	{ CHAP_ALG_SHA256,   32, "SHA256" },
	{ CHAP_ALG_SHA1,     20, "SHA1" },
	{ CHAP_ALG_MD5,      16, "MD5" },
};

static const char *const chap_reasons[] = {
	[CHAP_REASON_NONE]		= "no failure",
	[CHAP_REASON_NO_CHAP_A]		= "no CHAP_A offered",
	[CHAP_REASON_NO_ALGORITHM]	= "no CHAP algorithm in common",
	[CHAP_REASON_ALGORITHM_REFUSED]	= "every CHAP algorithm offered is refused by chap_algorithms (the ACL's, else the TPG's; discovery_auth's for discovery)",
	[CHAP_REASON_UNEXPECTED_KEY]	= "unexpected or repeated CHAP key",
	[CHAP_REASON_MALFORMED]		= "malformed CHAP value",
	[CHAP_REASON_NO_RESPONSE]	= "CHAP_N or CHAP_R missing",
	[CHAP_REASON_UNKNOWN_NAME]	= "unknown CHAP_N",
	[CHAP_REASON_RESPONSE_LENGTH]	= "CHAP_R of the wrong length for the algorithm",
	[CHAP_REASON_WRONG_SECRET]	= "wrong secret",
	[CHAP_REASON_MUTUAL_INCOMPLETE]	= "CHAP_I without CHAP_C or CHAP_C without CHAP_I",
	[CHAP_REASON_REFLECTED]		= "reflected challenge",
	[CHAP_REASON_NO_MUTUAL]		= "mutual CHAP asked for, but no target credentials configured",
	[CHAP_REASON_NO_RANDOM]		= "no random bytes for the challenge",
	[CHAP_REASON_DIGEST]		= "digest failed (libcrypto)",
	[CHAP_REASON_NO_ROOM]		= "no room for the answer",
};
/* clang-format on */

const char *chap_reason_text(enum chap_reason reason)
{
	if ((size_t)reason < ARRAY_SIZE(chap_reasons) && chap_reasons[reason])
		return chap_reasons[reason];
	return "unknown reason";
}

size_t chap_digest_len(enum chap_alg alg)
{
	for (size_t i = 0; i < ARRAY_SIZE(chap_algs); i++)
		if (chap_algs[i].alg == alg)
			return chap_algs[i].len;
	return 0;
}

const char *chap_alg_name(enum chap_alg alg)
{
	for (size_t i = 0; i < ARRAY_SIZE(chap_algs); i++)
		if (chap_algs[i].alg == alg)
			return chap_algs[i].name;
	return NULL;
}

int chap_algs_parse(const char *text, size_t len, uint32_t *set)
{
	uint32_t s = 0;
	size_t i = 0;

	if (!len)
		return -EINVAL;
	while (i <= len) {
		const char *comma = memchr(text + i, ',', len - i);
		size_t n = comma ? (size_t)(comma - (text + i)) : len - i, j;

		for (j = 0; j < ARRAY_SIZE(chap_algs); j++)
			if (n == strlen(chap_algs[j].name) &&
			    !strncasecmp(text + i, chap_algs[j].name, n))
				break;
		if (j == ARRAY_SIZE(chap_algs))
			return -EINVAL;
		s |= CHAP_ALG_BIT(chap_algs[j].alg);
		i += n + 1;
	}
	*set = s;
	return 0;
}

int chap_algs_text(uint32_t set, char *out, size_t cap)
{
	size_t n = 0;

	if (!cap)
		return -ENOSPC;
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(chap_algs); i++) {
		const char *name = chap_algs[i].name;
		size_t k = strlen(name);

		if (!(set & CHAP_ALG_BIT(chap_algs[i].alg)))
			continue;
		if (n + (n ? 1 : 0) + k + 1 > cap)
			return -ENOSPC;
		if (n)
			out[n++] = ',';
		memcpy(out + n, name, k + 1);
		n += k;
	}
	return (int)n;
}

static const EVP_MD *chap_md(enum chap_alg alg)
{
	switch (alg) {
	case CHAP_ALG_MD5:
		return EVP_md5();
	case CHAP_ALG_SHA1:
		return EVP_sha1();
	case CHAP_ALG_SHA256:
		return EVP_sha256();
	case CHAP_ALG_SHA3_256:
		return EVP_sha3_256();
	}
	return NULL;
}

int chap_digest(enum chap_alg alg, uint8_t id, const uint8_t *secret, size_t secret_len,
		const uint8_t *challenge, size_t challenge_len, uint8_t *out)
{
	const EVP_MD *md = chap_md(alg);
	unsigned int n = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (!md)
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -EIO;
	/* RFC 1994 §4.1: the identifier, then the secret, then the challenge. */
	ok = EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, &id, 1) &&
	     EVP_DigestUpdate(ctx, secret, secret_len) &&
	     EVP_DigestUpdate(ctx, challenge, challenge_len) && EVP_DigestFinal_ex(ctx, out, &n);
	EVP_MD_CTX_free(ctx);
	if (!ok || n != chap_digest_len(alg))
		return -EIO;
	return 0;
}

int chap_alg_choose(const char *list, size_t len, uint32_t allowed, enum chap_alg *alg)
{
	bool known = false, chosen = false;
	size_t i = 0;

	if (!len)
		return -EINVAL;
	if (!allowed)
		allowed = CHAP_ALGS_ALL;
	/* RFC 7143 §6.1: a list-of-values; RFC 7143 §12.1.3: A1,A2,... are numbers. */
	while (i <= len) {
		const char *comma = memchr(list + i, ',', len - i);
		size_t n = comma ? (size_t)(comma - (list + i)) : len - i;
		uint64_t v;
		int rc;

		rc = param_parse_number(list + i, n, &v);
		if (rc == -EINVAL)
			return -EINVAL;
		/* a number too large for us (-ERANGE) is as unknown as 129 (MS-CHAP) */
		if (!rc && v < 32 && chap_digest_len((enum chap_alg)v)) {
			known = true;
			/*
			 * RFC 7143 §6.2.1: "the first value that it supports (and
			 * is allowed to use for the specific originator)": the
			 * initiator's preference, not ours. An initiator that
			 * lists MD5 first may answer in MD5 only.
			 */
			if (!chosen && (allowed & CHAP_ALG_BIT(v))) {
				chosen = true;
				*alg = (enum chap_alg)v;
			}
		}
		i += n + 1;
	}
	if (chosen)
		return 0;
	return known ? -EACCES : -ENOENT;
}

static int chap_hex_decode(const char *v, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t bytes = (n + 1) / 2, o = 0, i = 0;

	if (bytes > cap)
		return -E2BIG;
	/* RFC 7143 §6.1: n hex digits are (n + 1) / 2 bytes, most significant first. */
	if (n % 2) {
		int d = hex_digit(v[0]);

		if (d < 0)
			return -EINVAL;
		out[o++] = (uint8_t)d;
		i = 1;
	}
	for (; i < n; i += 2) {
		int hi = hex_digit(v[i]), lo = hex_digit(v[i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[o++] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = o;
	return 0;
}

int chap_binary_decode(const char *v, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	/* RFC 7143 §6.1: "0x" or "0b" and at least one digit. */
	if (len < 3 || v[0] != '0')
		return -EINVAL;
	if (v[1] == 'x' || v[1] == 'X')
		return chap_hex_decode(v + 2, len - 2, out, cap, outlen);
	if (v[1] == 'b' || v[1] == 'B')
		return text_b64_decode(v + 2, len - 2, out, cap, outlen);
	return -EINVAL;
}

int chap_hex_encode(const uint8_t *p, size_t len, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";

	if (cap < 3 || (cap - 3) / 2 < len)
		return -ENOSPC;
	out[0] = '0';
	out[1] = 'x';
	for (size_t i = 0; i < len; i++) {
		out[2 + 2 * i] = digits[p[i] >> 4];
		out[3 + 2 * i] = digits[p[i] & 0xf];
	}
	out[2 + 2 * len] = '\0';
	return (int)(2 + 2 * len);
}

const char *chap_name_why(const char *name)
{
	size_t n = strnlen(name, CHAP_NAME_MAX + 1);

	if (!n)
		return "is empty";
	if (n > CHAP_NAME_MAX)
		return "is longer than 255 bytes (RFC 7143 §6.1)";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return "holds a control character";
	return NULL;
}

const char *chap_secret_why(size_t len)
{
	if (len < CHAP_SECRET_MIN)
		return "is shorter than 12 bytes (RFC 7143 §9.2.1: 96 bits at least without IPsec)";
	if (len > CHAP_SECRET_MAX)
		return "is longer than 255 bytes";
	return NULL;
}

const char *chap_creds_why(const struct chap_creds *creds)
{
	const struct chap_secret *i = &creds->initiator, *t = &creds->target;

	if (chap_name_why(i->name))
		return "the initiator's CHAP name is not valid";
	if (chap_secret_why(i->secret_len))
		return "the initiator's CHAP secret is too short or too long";
	if (creds->algs & ~CHAP_ALGS_ALL)
		return "an allowed CHAP algorithm that is not MD5, SHA1, SHA256 or SHA3-256";
	if (!t->name[0])
		return NULL;
	if (chap_name_why(t->name))
		return "the target's CHAP name is not valid";
	if (chap_secret_why(t->secret_len))
		return "the target's CHAP secret is too short or too long";
	/* RFC 7143 §9.2.1: a secret for one direction is never used for the other. */
	if (i->secret_len == t->secret_len && !memcmp(i->secret, t->secret, i->secret_len))
		return "the same CHAP secret for both directions";
	return NULL;
}

int chap_create(const struct chap_creds *creds, int (*rng)(uint8_t *buf, size_t len),
		struct chap **out)
{
	struct chap *c;

	if (chap_creds_why(creds))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->creds = *creds;
	c->rng = rng;
	c->state = CHAP_STATE_ALGORITHM;
	*out = c;
	return 0;
}

void chap_destroy(struct chap *c)
{
	if (!c)
		return;
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

static uint16_t chap_fail(struct chap *c, enum chap_reason reason)
{
	c->state = CHAP_STATE_FAILED;
	c->reason = reason;
	switch (reason) {
	case CHAP_REASON_NO_RANDOM:
	case CHAP_REASON_DIGEST:
		return ISCSI_LOGIN_TARGET_ERROR;
	case CHAP_REASON_NO_ROOM:
		return ISCSI_LOGIN_OUT_OF_RESOURCES;
	default:
		/* RFC 7143 §12.1.3: any failure of the exchange is "Authentication Failure". */
		return ISCSI_LOGIN_AUTH_FAILURE;
	}
}

/* The CHAP keys of one request, each at most once. */
struct chap_keys {
	struct text_pair a, n, r, i, c;
	unsigned int seen; /* CHAP_KEY_BIT()s */
};

enum chap_key { CHAP_KEY_A, CHAP_KEY_N, CHAP_KEY_R, CHAP_KEY_I, CHAP_KEY_C };
#define CHAP_KEY_BIT(k) (1u << (k))

static enum chap_reason chap_collect(const uint8_t *keys, size_t len, struct chap_keys *k)
{
	static const char *const names[] = {
		[CHAP_KEY_A] = "CHAP_A", [CHAP_KEY_N] = "CHAP_N", [CHAP_KEY_R] = "CHAP_R",
		[CHAP_KEY_I] = "CHAP_I", [CHAP_KEY_C] = "CHAP_C",
	};
	struct text_pair *slots[] = {
		[CHAP_KEY_A] = &k->a, [CHAP_KEY_N] = &k->n, [CHAP_KEY_R] = &k->r,
		[CHAP_KEY_I] = &k->i, [CHAP_KEY_C] = &k->c,
	};
	struct text_iter it;
	struct text_pair pair;
	int rc;

	memset(k, 0, sizeof(*k));
	text_iter_init(&it, keys, len);
	while ((rc = text_next(&it, &pair)) == 1) {
		size_t j;

		for (j = 0; j < ARRAY_SIZE(names); j++)
			if (text_key_is(&pair, names[j]))
				break;
		/* RFC 7143 §6.2: a key sent twice; or a CHAP key RFC 7143 does not define */
		if (j == ARRAY_SIZE(names) || (k->seen & CHAP_KEY_BIT(j)))
			return CHAP_REASON_UNEXPECTED_KEY;
		k->seen |= CHAP_KEY_BIT(j);
		*slots[j] = pair;
	}
	return rc < 0 ? CHAP_REASON_MALFORMED : CHAP_REASON_NONE;
}

/* A pair whose value is a hex-constant of p. */
static int chap_add_binary(struct text_buf *out, const char *key, const uint8_t *p, size_t len)
{
	char hex[2 + 2 * CHAP_DIGEST_MAX + 1];

	if (chap_hex_encode(p, len, hex, sizeof(hex)) < 0)
		return -ENOSPC;
	return text_buf_add(out, key, hex);
}

/* The first request: CHAP_A in, CHAP_A, CHAP_I and CHAP_C out. */
static uint16_t chap_step_algorithm(struct chap *c, const struct chap_keys *k,
				    struct text_buf *out)
{
	uint8_t rnd[1 + CHAP_DIGEST_MAX];
	int rc;

	if (k->seen & ~CHAP_KEY_BIT(CHAP_KEY_A))
		return chap_fail(c, CHAP_REASON_UNEXPECTED_KEY);
	if (!k->seen)
		return chap_fail(c, CHAP_REASON_NO_CHAP_A);
	rc = chap_alg_choose(k->a.value, k->a.value_len, c->creds.algs, &c->alg);
	if (rc)
		return chap_fail(c, rc == -ENOENT   ? CHAP_REASON_NO_ALGORITHM :
				    rc == -EACCES ? CHAP_REASON_ALGORITHM_REFUSED :
						    CHAP_REASON_MALFORMED);

	/*
	 * RFC 1994 §2.3: the identifier and the challenge are unpredictable;
	 * the challenge as long as the digest, so that guessing it is no
	 * easier than guessing the response.
	 */
	c->challenge_len = chap_digest_len(c->alg);
	if (!c->rng || c->rng(rnd, 1 + c->challenge_len))
		return chap_fail(c, CHAP_REASON_NO_RANDOM);
	c->id = rnd[0];
	memcpy(c->challenge, rnd + 1, c->challenge_len);
	OPENSSL_cleanse(rnd, sizeof(rnd));

	if (text_buf_addf(out, "CHAP_A", "%d", (int)c->alg) ||
	    text_buf_addf(out, "CHAP_I", "%u", c->id) ||
	    chap_add_binary(out, "CHAP_C", c->challenge, c->challenge_len))
		return chap_fail(c, CHAP_REASON_NO_ROOM);
	c->state = CHAP_STATE_RESPONSE;
	return ISCSI_LOGIN_OK;
}

/* R == H(id || secret || challenge), compared in constant time. */
static enum chap_reason chap_check(const struct chap *c, const uint8_t *r, size_t rlen)
{
	const struct chap_secret *s = &c->creds.initiator;
	uint8_t want[CHAP_DIGEST_MAX];
	size_t n = chap_digest_len(c->alg);
	enum chap_reason reason = CHAP_REASON_NONE;

	if (rlen != n)
		return CHAP_REASON_RESPONSE_LENGTH;
	if (chap_digest(c->alg, c->id, s->secret, s->secret_len, c->challenge, c->challenge_len,
			want))
		return CHAP_REASON_DIGEST;
	/* a compare that stops at the first difference would tell how much was right */
	if (CRYPTO_memcmp(want, r, n))
		reason = CHAP_REASON_WRONG_SECRET;
	OPENSSL_cleanse(want, sizeof(want));
	return reason;
}

/* The second request: CHAP_N, CHAP_R (and for mutual CHAP CHAP_I, CHAP_C) in. */
static uint16_t chap_step_response(struct chap *c, const struct chap_keys *k,
				   struct text_buf *out, bool *done)
{
	const struct chap_secret *me = &c->creds.target;
	bool mutual = k->seen & (CHAP_KEY_BIT(CHAP_KEY_I) | CHAP_KEY_BIT(CHAP_KEY_C));
	uint8_t r[CHAP_BINARY_MAX], ic[CHAP_BINARY_MAX], mine[CHAP_DIGEST_MAX];
	size_t rlen, iclen = 0;
	uint64_t iid = 0;
	enum chap_reason reason;

	if (k->seen & CHAP_KEY_BIT(CHAP_KEY_A))
		return chap_fail(c, CHAP_REASON_UNEXPECTED_KEY);
	if (!(k->seen & CHAP_KEY_BIT(CHAP_KEY_N)) || !(k->seen & CHAP_KEY_BIT(CHAP_KEY_R)))
		return chap_fail(c, CHAP_REASON_NO_RESPONSE);
	/* RFC 7143 §12.1.3: the initiator asks for mutual CHAP with both CHAP_I and CHAP_C. */
	if (mutual && (!(k->seen & CHAP_KEY_BIT(CHAP_KEY_I)) ||
		       !(k->seen & CHAP_KEY_BIT(CHAP_KEY_C))))
		return chap_fail(c, CHAP_REASON_MUTUAL_INCOMPLETE);
	if (chap_binary_decode(k->r.value, k->r.value_len, r, sizeof(r), &rlen))
		return chap_fail(c, CHAP_REASON_MALFORMED);
	if (mutual) {
		/* RFC 7143 §12.1.3: I is a number, and RFC 1994 §4.1 says one octet. */
		if (param_parse_number(k->i.value, k->i.value_len, &iid) || iid > 255 ||
		    chap_binary_decode(k->c.value, k->c.value_len, ic, sizeof(ic), &iclen))
			return chap_fail(c, CHAP_REASON_MALFORMED);
		/*
		 * RFC 7143 §9.2.1: an initiator MUST NOT send our challenge back
		 * for us to answer; a responder MUST check and close the
		 * connection. Answering it would hand an impostor the response
		 * it needs.
		 */
		if (iclen == c->challenge_len && !memcmp(ic, c->challenge, iclen))
			return chap_fail(c, CHAP_REASON_REFLECTED);
	}
	/* RFC 1994 §4.1: the name says which secret to check against. */
	if (k->n.value_len != strlen(c->creds.initiator.name) ||
	    memcmp(k->n.value, c->creds.initiator.name, k->n.value_len))
		return chap_fail(c, CHAP_REASON_UNKNOWN_NAME);
	reason = chap_check(c, r, rlen);
	if (reason)
		return chap_fail(c, reason);

	if (mutual) {
		/* Only now, with the initiator proven, does the target prove itself. */
		if (!me->name[0])
			return chap_fail(c, CHAP_REASON_NO_MUTUAL);
		if (chap_digest(c->alg, (uint8_t)iid, me->secret, me->secret_len, ic, iclen, mine))
			return chap_fail(c, CHAP_REASON_DIGEST);
		if (text_buf_add(out, "CHAP_N", me->name) ||
		    chap_add_binary(out, "CHAP_R", mine, chap_digest_len(c->alg)))
			return chap_fail(c, CHAP_REASON_NO_ROOM);
		c->mutual = true;
	}
	c->state = CHAP_STATE_DONE;
	*done = true;
	return ISCSI_LOGIN_OK;
}

uint16_t chap_step(struct chap *c, const uint8_t *keys, size_t len, struct text_buf *out,
		   bool *done)
{
	struct chap_keys k;
	enum chap_reason reason;

	*done = false;
	if (c->state == CHAP_STATE_FAILED)
		return chap_fail(c, c->reason);
	/* §12.1.3: nothing more of CHAP once it has succeeded. */
	if (c->state == CHAP_STATE_DONE)
		return chap_fail(c, CHAP_REASON_UNEXPECTED_KEY);
	reason = chap_collect(keys, len, &k);
	if (reason)
		return chap_fail(c, reason);
	if (c->state == CHAP_STATE_ALGORITHM)
		return chap_step_algorithm(c, &k, out);
	return chap_step_response(c, &k, out, done);
}

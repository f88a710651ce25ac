/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CHAP for the iSCSI login (RFC 7143 §12.1.3, RFC 1994): the target's side
 * of one exchange, one-way or mutual, as a pure state machine fed the
 * CHAP_* keys of each security-stage request. The digests go through
 * OpenSSL's EVP API; the challenge bytes come from a random source the
 * caller passes in. No I/O, no logging: a failure is a login status, and
 * why it failed is a value (enum chap_reason) for the caller to log.
 */
#ifndef PORTICO_TARGET_ISCSI_CHAP_H
#define PORTICO_TARGET_ISCSI_CHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/iscsi/text.h"

/*
 * CHAP_A values: the IANA "PPP Authentication Algorithms" registry, which
 * RFC 7143 §12.1.3 names for CHAP_A (7 and 8 were registered for iSCSI).
 */
enum chap_alg {
	CHAP_ALG_MD5 = 5,
	CHAP_ALG_SHA1 = 6,
	CHAP_ALG_SHA256 = 7,
	CHAP_ALG_SHA3_256 = 8,
};

/* A set of algorithms, one bit each: what the administrator allows (chap_algorithms). */
#define CHAP_ALG_BIT(a) (1u << (a))
#define CHAP_ALGS_ALL                                                                              \
	(CHAP_ALG_BIT(CHAP_ALG_MD5) | CHAP_ALG_BIT(CHAP_ALG_SHA1) |                                \
	 CHAP_ALG_BIT(CHAP_ALG_SHA256) | CHAP_ALG_BIT(CHAP_ALG_SHA3_256))
/* Room for chap_algs_text() of any set: every name, the commas, the NUL. */
#define CHAP_ALGS_TEXT_MAX 32

#define CHAP_DIGEST_MAX 32 /* the longest digest of the algorithms above */
/* RFC 7143 §12.1.3: C and R are binary values of at most 1024 bytes. */
#define CHAP_BINARY_MAX 1024
#define CHAP_NAME_MAX 255 /* RFC 7143 §6.1: CHAP_N is a simple value */
/*
 * RFC 7143 §9.2.1: a secret of fewer than 96 random bits needs IPsec, which
 * porticod does not do; so 12 bytes is the least it takes. 255 is what
 * open-iscsi and libiscsi can hold.
 */
#define CHAP_SECRET_MIN 12
#define CHAP_SECRET_MAX 255

/* One side's name and secret. An empty name means "not configured". */
struct chap_secret {
	char name[CHAP_NAME_MAX + 1];
	uint8_t secret[CHAP_SECRET_MAX];
	size_t secret_len;
};

struct chap_creds {
	struct chap_secret initiator; /* what the initiator proves (CHAP_N, CHAP_R) */
	struct chap_secret target;    /* what the target answers with in mutual CHAP */
	uint32_t algs; /* the algorithms it may use, CHAP_ALG_BIT()s; 0: every one we know */
};

/* Why an exchange failed, for the log; chap_reason_text() words it. */
enum chap_reason {
	CHAP_REASON_NONE,
	CHAP_REASON_NO_CHAP_A,
	CHAP_REASON_NO_ALGORITHM,
	CHAP_REASON_ALGORITHM_REFUSED,
	CHAP_REASON_UNEXPECTED_KEY,
	CHAP_REASON_MALFORMED,
	CHAP_REASON_NO_RESPONSE,
	CHAP_REASON_UNKNOWN_NAME,
	CHAP_REASON_RESPONSE_LENGTH,
	CHAP_REASON_WRONG_SECRET,
	CHAP_REASON_MUTUAL_INCOMPLETE,
	CHAP_REASON_REFLECTED,
	CHAP_REASON_NO_MUTUAL,
	CHAP_REASON_NO_RANDOM,
	CHAP_REASON_DIGEST,
	CHAP_REASON_NO_ROOM,
};

enum chap_state {
	CHAP_STATE_ALGORITHM, /* waiting for CHAP_A */
	CHAP_STATE_RESPONSE,  /* challenge sent: waiting for CHAP_N and CHAP_R */
	CHAP_STATE_DONE,      /* the initiator (and, if asked, the target) proved itself */
	CHAP_STATE_FAILED,
};

struct chap {
	enum chap_state state;
	enum chap_reason reason; /* set when the state becomes FAILED */
	enum chap_alg alg;
	bool mutual; /* the initiator asked the target to prove itself, and it did */
	uint8_t id;
	uint8_t challenge[CHAP_DIGEST_MAX];
	size_t challenge_len;
	struct chap_creds creds;
	int (*rng)(uint8_t *buf, size_t len); /* 0 or -errno */
};

/* The digest length of alg; 0 for an algorithm not in enum chap_alg. */
size_t chap_digest_len(enum chap_alg alg);

/*
 * RFC 1994 §4.1: out = H(id || secret || challenge), chap_digest_len(alg)
 * bytes. 0, -EINVAL for an unknown algorithm, -EIO when libcrypto fails
 * (for instance MD5 refused by a FIPS provider).
 */
int chap_digest(enum chap_alg alg, uint8_t id, const uint8_t *secret, size_t secret_len,
		const uint8_t *challenge, size_t challenge_len, uint8_t *out);

/*
 * The algorithm to answer a CHAP_A list with (RFC 7143 §12.1.3: numbers
 * separated by commas, in the initiator's order of preference; len bytes):
 * RFC 7143 §6.2.1's list negotiation, the first one we know and allowed
 * lets us use (CHAP_ALG_BIT()s; 0: any we know). 0 with *alg set; -ENOENT
 * when the list names none we know; -EACCES when every one we know of it
 * is outside allowed; -EINVAL for a malformed list (an empty element, an
 * element that is no number).
 */
int chap_alg_choose(const char *list, size_t len, uint32_t allowed, enum chap_alg *alg);

/* The name of alg as open-iscsi writes it: "MD5", "SHA1", "SHA256", "SHA3-256"; NULL for none. */
const char *chap_alg_name(enum chap_alg alg);

/*
 * A comma-separated list of those names (any case, any order), len bytes,
 * into a set of CHAP_ALG_BIT()s. 0; -EINVAL for an empty list, an empty
 * element or a name that is none of them.
 */
int chap_algs_parse(const char *text, size_t len, uint32_t *set);

/*
 * The names of set, strongest first ("SHA3-256,SHA256"), NUL-terminated
 * into out (cap bytes; CHAP_ALGS_TEXT_MAX holds any). The length, or
 * -ENOSPC.
 */
int chap_algs_text(uint32_t set, char *out, size_t cap);

/*
 * Decodes a binary value (RFC 7143 §6.1): "0x"/"0X" and hex digits (an odd
 * count has an implicit leading zero nibble), or "0b"/"0B" and RFC 4648
 * base64 in padded groups of four. v is len bytes, not NUL-terminated.
 * 0 with *outlen set; -EINVAL for a malformed value or an empty one;
 * -E2BIG when it decodes to more than cap bytes.
 */
int chap_binary_decode(const char *v, size_t len, uint8_t *out, size_t cap, size_t *outlen);

/*
 * Encodes p (len bytes) as a hex-constant, "0x" and two lower-case digits
 * a byte, NUL-terminated, into out (cap bytes). The length written (without
 * the NUL), or -ENOSPC.
 */
int chap_hex_encode(const uint8_t *p, size_t len, char *out, size_t cap);

/* Why a name cannot be a CHAP name (static text), or NULL when it can. */
const char *chap_name_why(const char *name);
/* Why a secret of len bytes is refused (static text), or NULL when it is not. */
const char *chap_secret_why(size_t len);
/*
 * Why creds cannot be used (static text), or NULL: the initiator's name
 * and secret must be valid; the target's, when named, too, and its secret
 * must differ from the initiator's (RFC 7143 §9.2.1: a secret that
 * authenticates an initiator never authenticates a target); the allowed
 * algorithms must be ones we know.
 */
const char *chap_creds_why(const struct chap_creds *creds);

/*
 * Starts the target's side of an exchange with creds (copied). rng
 * gives the identifier and the challenge. 0 with *out set (free it with
 * chap_destroy), -EINVAL when chap_creds_why() objects, -ENOMEM.
 * rng fills buf with len unpredictable bytes and returns 0 or -errno.
 */
int chap_create(const struct chap_creds *creds, int (*rng)(uint8_t *buf, size_t len),
		struct chap **out);
/* Wipes the secrets and frees. NULL is fine. */
void chap_destroy(struct chap *c);

/*
 * One security-stage request's CHAP_* pairs (keys, len bytes: key=value
 * NUL-terminated pairs). Appends the target's pairs to out and sets *done
 * once the initiator is authenticated (and the target, if it asked).
 * Returns ISCSI_LOGIN_OK, or the login status to fail with:
 * ISCSI_LOGIN_AUTH_FAILURE for anything the initiator did (c->reason says
 * what), ISCSI_LOGIN_TARGET_ERROR when random bytes or libcrypto fail,
 * ISCSI_LOGIN_OUT_OF_RESOURCES when out is full. After a failure, or once
 * done, every further call fails.
 */
uint16_t chap_step(struct chap *c, const uint8_t *keys, size_t len, struct text_buf *out,
		   bool *done);

/* The words for a reason, for the log ("wrong secret", "reflected challenge", ...). */
const char *chap_reason_text(enum chap_reason reason);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iSCSI text data segments (RFC 7143 §6.1): building and iterating
 * key=value pairs. Pure: no I/O, no logging.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "target/iscsi/text.h"

void text_buf_init(struct text_buf *tb, size_t max)
{
	tb->data = NULL;
	tb->len = 0;
	tb->cap = 0;
	tb->max = max;
}

void text_buf_fini(struct text_buf *tb)
{
	free(tb->data);
	tb->data = NULL;
	tb->len = 0;
	tb->cap = 0;
}

void text_buf_reset(struct text_buf *tb)
{
	tb->len = 0;
}

/* Makes room for n more bytes: 0, -ENOSPC past max, -ENOMEM. */
static int text_buf_reserve(struct text_buf *tb, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (n > tb->max || tb->len > tb->max - n)
		return -ENOSPC;
	need = tb->len + n;
	if (need <= tb->cap)
		return 0;
	cap = tb->cap ? tb->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > tb->max)
		cap = tb->max;
	p = realloc(tb->data, cap);
	if (!p)
		return -ENOMEM;
	tb->data = p;
	tb->cap = cap;
	return 0;
}

int text_buf_append(struct text_buf *tb, const uint8_t *p, size_t len)
{
	int rc;

	if (!len)
		return 0;
	rc = text_buf_reserve(tb, len);
	if (rc)
		return rc;
	memcpy(tb->data + tb->len, p, len);
	tb->len += len;
	return 0;
}

int text_buf_add(struct text_buf *tb, const char *key, const char *value)
{
	size_t klen = strlen(key), vlen = strlen(value);
	int rc;

	if (klen > SIZE_MAX - vlen - 2)
		return -ENOSPC;
	rc = text_buf_reserve(tb, klen + vlen + 2);
	if (rc)
		return rc;
	memcpy(tb->data + tb->len, key, klen);
	tb->data[tb->len + klen] = '=';
	memcpy(tb->data + tb->len + klen + 1, value, vlen);
	tb->data[tb->len + klen + 1 + vlen] = '\0';
	tb->len += klen + vlen + 2;
	return 0;
}

int text_buf_addf(struct text_buf *tb, const char *key, const char *fmt, ...)
{
	char small[64], *value = small;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(small)) {
		if ((size_t)n >= tb->max)
			return -ENOSPC;
		value = malloc((size_t)n + 1);
		if (!value)
			return -ENOMEM;
		va_start(ap, fmt);
		vsnprintf(value, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	rc = text_buf_add(tb, key, value);
	if (value != small)
		free(value);
	return rc;
}

void text_iter_init(struct text_iter *it, const uint8_t *p, size_t len)
{
	it->p = p;
	it->len = p ? len : 0;
	it->off = 0;
}

/* RFC 7143 §6.1: key-name characters; '#' for the X# public extension keys (§13.22). */
static bool text_key_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '+' || c == '@' || c == '_' || c == '#';
}

/*
 * Keys whose value may be longer than the 255 bytes of a simple-value
 * (RFC 7143 §6.1): list-of-values keys (the limit binds each element, which
 * the negotiation checks), and the authentication keys that carry a
 * large-binary-value (§12.1.2 SRP, §12.1.3 CHAP, §12.1.1 Kerberos, SPKM).
 */
/* clang-format off */
static const char *const text_long_keys[] = {
	"AuthMethod", "HeaderDigest", "DataDigest", "TaskReporting",
	"CHAP_C", "CHAP_R",
	"SRP_A", "SRP_B", "SRP_M", "SRP_HM", "SRP_s", "SRP_GROUP",
	"KRB_AP_REQ", "KRB_AP_REP",
	"SPKM_REQ", "SPKM_ERROR", "SPKM_REP_TI", "SPKM_REP_IT",
};
/* clang-format on */

static bool text_long_key(const char *key, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(text_long_keys); i++)
		if (strlen(text_long_keys[i]) == len && !memcmp(text_long_keys[i], key, len))
			return true;
	return false;
}

int text_next(struct text_iter *it, struct text_pair *pair)
{
	const uint8_t *start, *nul, *eq;
	size_t rest, klen, vlen;

	if (it->off >= it->len)
		return 0;
	start = it->p + it->off;
	rest = it->len - it->off;
	if (start[0] == '\0') {
		/*
		 * Nothing but NULs to the end is padding some senders count in
		 * the data segment length; a NUL anywhere else is an empty pair.
		 */
		for (size_t i = 0; i < rest; i++)
			if (start[i])
				return -EINVAL;
		it->off = it->len;
		return 0;
	}
	/* RFC 7143 §6.1: every pair, the last one too, MUST be followed by one NUL. */
	nul = memchr(start, '\0', rest);
	if (!nul)
		return -EINVAL;
	eq = memchr(start, '=', (size_t)(nul - start));
	if (!eq)
		return -EINVAL;
	klen = (size_t)(eq - start);
	vlen = (size_t)(nul - eq - 1);
	/* RFC 7143 §6.1: a key-name is one to 63 characters from a fixed set. */
	if (klen == 0 || klen > TEXT_KEY_MAX)
		return -EINVAL;
	for (size_t i = 0; i < klen; i++)
		if (!text_key_char(start[i]))
			return -EINVAL;
	if (vlen > TEXT_VALUE_MAX && !text_long_key((const char *)start, klen))
		return -EINVAL;
	pair->key = (const char *)start;
	pair->key_len = klen;
	pair->value = (const char *)eq + 1;
	pair->value_len = vlen;
	it->off += (size_t)(nul - start) + 1;
	return 1;
}

bool text_key_is(const struct text_pair *pair, const char *key)
{
	size_t n = strlen(key);

	return pair->key_len == n && !memcmp(pair->key, key, n);
}

bool text_value_is(const struct text_pair *pair, const char *value)
{
	size_t n = strlen(value);

	return pair->value_len == n && !memcmp(pair->value, value, n);
}

int text_value_copy(const struct text_pair *pair, char *dst, size_t size)
{
	if (!size || pair->value_len >= size)
		return -ENOSPC;
	if (memchr(pair->value, '\0', pair->value_len))
		return -EINVAL;
	memcpy(dst, pair->value, pair->value_len);
	dst[pair->value_len] = '\0';
	return 0;
}


int text_b64_digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int text_b64_decode(const char *v, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t pad = 0, o = 0, bits = 0;
	uint32_t acc = 0;

	if (n == 0 || n % 4)
		return -EINVAL;
	if (v[n - 1] == '=')
		pad = v[n - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < n - pad; i++) {
		int d = text_b64_digit(v[i]);

		if (d < 0)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -E2BIG;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* RFC 4648 §3.5: the bits the padding leaves over are zero. */
	if (acc)
		return -EINVAL;
	*outlen = o;
	return 0;
}

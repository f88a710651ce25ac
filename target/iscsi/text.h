/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iSCSI text data segments (RFC 7143 §6.1): key=value pairs, each followed by
 * one NUL. A growable buffer to build them, and an iterator to read them.
 * Pure: no I/O, no logging.
 */
#ifndef PORTICO_TARGET_ISCSI_TEXT_H
#define PORTICO_TARGET_ISCSI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_KEY_MAX 63	   /* RFC 7143 §6.1: a key-name is at most 63 bytes */
#define TEXT_VALUE_MAX 255 /* RFC 7143 §6.1: a simple-value is at most 255 bytes */

/* A text buffer that grows up to max bytes. data is not NUL-terminated beyond its pairs. */
struct text_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
};

/* An empty buffer that may grow to max bytes. Allocates nothing yet. */
void text_buf_init(struct text_buf *tb, size_t max);
/* Frees the storage; the buffer is empty (and usable) afterwards. */
void text_buf_fini(struct text_buf *tb);
/* Empties the buffer, keeping its storage. */
void text_buf_reset(struct text_buf *tb);
/* Appends "key=value\0". 0, -ENOSPC past max (nothing appended), -ENOMEM. */
int text_buf_add(struct text_buf *tb, const char *key, const char *value);
/* Appends "key=<formatted value>\0". Same returns as text_buf_add; -EINVAL on a format error. */
int text_buf_addf(struct text_buf *tb, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends len raw bytes (continuation data, already-encoded pairs). Same returns. */
int text_buf_append(struct text_buf *tb, const uint8_t *p, size_t len);

/* One pair, pointing into the segment: key and value are not NUL-terminated copies. */
struct text_pair {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
};

struct text_iter {
	const uint8_t *p;
	size_t len;
	size_t off;
};

/* Starts iterating the pairs of p[0..len). Nothing is copied: p must outlive the iterator. */
void text_iter_init(struct text_iter *it, const uint8_t *p, size_t len);
/*
 * Next pair: 1 with *pair filled, 0 at the end, -EINVAL for a malformed
 * pair (no '=', empty key, key over 63 bytes or outside the key-name
 * characters, value over 255 bytes for a key not allowed a longer one, a
 * NUL-less last pair). After -EINVAL the iterator stays at the bad pair.
 */
int text_next(struct text_iter *it, struct text_pair *pair);

/* Whether pair's key is exactly key (case-sensitive, RFC 7143 §6.1). */
bool text_key_is(const struct text_pair *pair, const char *key);
/* Whether pair's value is exactly value. */
bool text_value_is(const struct text_pair *pair, const char *value);
/*
 * Copies pair's value into dst (size bytes, NUL-terminated). 0, or -ENOSPC
 * when it does not fit, -EINVAL when the value holds a NUL (cannot, from
 * text_next) -- so callers may treat the copy as a C string.
 */
int text_value_copy(const struct text_pair *pair, char *dst, size_t size);

/*
 * RFC 7143 §6.1 binary encodings: the value of one base64 character
 * (0b..., RFC 4648 §4 alphabet), or -1; a hex digit (0x...) is
 * hex_digit() of common/util.h.
 */
int text_b64_digit(char c);

/*
 * Decodes the n characters of base64 after the "0b" of an RFC 7143 §6.1
 * base64-constant (RFC 4648 §4: whole groups of four, "=" only to pad the
 * last one, the bits it leaves over zero) into out, at most cap bytes.
 * 0 with *outlen set; -EINVAL when malformed or empty; -E2BIG as soon as a
 * byte beyond cap comes out (the characters after it are not looked at).
 */
int text_b64_decode(const char *v, size_t n, uint8_t *out, size_t cap, size_t *outlen);

#endif

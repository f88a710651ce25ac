/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text segments (target/iscsi/text.c): the iterator over whatever an
 * initiator sends as key=value pairs, and the builder the target answers
 * with.
 *
 * Input: byte 0 picks the builder's limit, the rest is a data segment.
 * Checked: every pair text_next returns lies inside the segment and obeys
 * RFC 7143 §6.1 as text.h states it; the iterator always advances and stays
 * put on a malformed pair; rebuilding the pairs with text_buf_add gives a
 * segment that iterates to the same pairs, or -ENOSPC with nothing
 * appended; text_value_copy copies exactly or refuses.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "target/iscsi/text.h"

static bool key_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '+' || c == '@' || c == '_' || c == '#';
}

/*
 * RFC 7143 §6.1: only list-of-values keys and the authentication methods'
 * large-binary-value keys may carry more than 255 bytes.
 */
static bool long_key(const struct text_pair *pair)
{
	static const char *const keys[] = {
	    "AuthMethod", "HeaderDigest", "DataDigest",	 "TaskReporting", "CHAP_C",
	    "CHAP_R",	  "SRP_A",	  "SRP_B",	 "SRP_M",	  "SRP_HM",
	    "SRP_s",	  "SRP_GROUP",	  "KRB_AP_REQ",	 "KRB_AP_REP",	  "SPKM_REQ",
	    "SPKM_ERROR", "SPKM_REP_TI",  "SPKM_REP_IT",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (text_key_is(pair, keys[i]))
			return true;
	return false;
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
	struct text_buf tb;
	struct text_iter it, back;
	struct text_pair pair, again;
	size_t max, npairs = 0, nadded = 0;
	bool full = false;
	const uint8_t *seg;
	size_t seglen;
	uint8_t *copy;
	int rc;

	if (size < 1)
		return 0;
	/* 0: a limit that fits nothing; else up to the 64 KiB of a login text. */
	max = (size_t)data[0] * 257;
	seglen = size - 1;
	/* A heap copy of exactly the segment, so that ASan sees any read past it. */
	copy = malloc(seglen ? seglen : 1);
	memcpy(copy, data + 1, seglen);
	seg = copy;

	text_buf_init(&tb, max);
	text_iter_init(&it, seg, seglen);
	for (;;) {
		size_t before = it.off;

		rc = text_next(&it, &pair);
		if (rc <= 0)
			break;
		npairs++;
		FUZZ_CHECK(it.off > before, "iterator did not advance (off %zu)", it.off);
		FUZZ_CHECK(it.off <= seglen, "iterator past the segment (%zu > %zu)", it.off,
			   seglen);
		FUZZ_CHECK((const uint8_t *)pair.key == seg + before, "pair does not start at off");
		FUZZ_CHECK(pair.key_len >= 1 && pair.key_len <= TEXT_KEY_MAX, "key length %zu",
			   pair.key_len);
		for (size_t i = 0; i < pair.key_len; i++)
			FUZZ_CHECK(key_char((uint8_t)pair.key[i]), "key byte 0x%02x",
				   (uint8_t)pair.key[i]);
		FUZZ_CHECK(pair.value == pair.key + pair.key_len + 1 && pair.value[-1] == '=',
			   "value does not follow key=");
		FUZZ_CHECK((const uint8_t *)pair.value + pair.value_len < seg + seglen,
			   "value runs to the end of the segment without its NUL");
		FUZZ_CHECK(pair.value[pair.value_len] == '\0', "pair not NUL-terminated");
		FUZZ_CHECK(!memchr(pair.value, '\0', pair.value_len), "NUL inside a value");
		FUZZ_CHECK(it.off == before + pair.key_len + 1 + pair.value_len + 1,
			   "iterator did not land after the pair's NUL");
		FUZZ_CHECK(pair.value_len <= TEXT_VALUE_MAX || long_key(&pair),
			   "%zu-byte value for key '%.*s'", pair.value_len, (int)pair.key_len,
			   pair.key);

		/* Copies: exactly, or -ENOSPC when it does not fit. */
		{
			char small[16], big[TEXT_VALUE_MAX + 1];

			rc = text_value_copy(&pair, small, sizeof(small));
			if (pair.value_len < sizeof(small)) {
				FUZZ_CHECK(rc == 0, "copy of %zu bytes into 16 failed: %d",
					   pair.value_len, rc);
				FUZZ_CHECK(!memcmp(small, pair.value, pair.value_len) &&
					       small[pair.value_len] == '\0',
					   "copy differs");
			} else {
				FUZZ_CHECK(rc == -ENOSPC, "copy of %zu bytes into 16: %d",
					   pair.value_len, rc);
			}
			rc = text_value_copy(&pair, big, sizeof(big));
			FUZZ_CHECK(rc == (pair.value_len < sizeof(big) ? 0 : -ENOSPC),
				   "copy into 256: %d for %zu bytes", rc, pair.value_len);
		}

		/* Rebuild (a prefix of the pairs): appended whole, or -ENOSPC and nothing appended.
		 */
		if (!full) {
			char key[TEXT_KEY_MAX + 1];
			char *value = malloc(pair.value_len + 1);
			size_t len = tb.len;

			memcpy(key, pair.key, pair.key_len);
			key[pair.key_len] = '\0';
			memcpy(value, pair.value, pair.value_len);
			value[pair.value_len] = '\0';
			rc = npairs % 2 ? text_buf_add(&tb, key, value)
					: text_buf_addf(&tb, key, "%s", value);
			if (rc == 0) {
				nadded++;
				FUZZ_CHECK(tb.len == len + pair.key_len + pair.value_len + 2,
					   "add grew the buffer by %zu", tb.len - len);
				FUZZ_CHECK(!memcmp(tb.data + len, pair.key,
						   pair.key_len + pair.value_len + 2),
					   "added bytes differ");
			} else {
				full = true;
				FUZZ_CHECK(rc == -ENOSPC, "add: %d", rc);
				FUZZ_CHECK(len + pair.key_len + pair.value_len + 2 > max,
					   "-ENOSPC for %zu + %zu bytes within %zu", len,
					   pair.key_len + pair.value_len + 2, max);
				FUZZ_CHECK(tb.len == len, "a refused add changed the length");
			}
			FUZZ_CHECK(tb.len <= tb.max && tb.len <= tb.cap, "len %zu cap %zu max %zu",
				   tb.len, tb.cap, tb.max);
			free(value);
		}
	}
	if (rc < 0) {
		size_t off = it.off;

		/* The iterator stays at the bad pair. */
		FUZZ_CHECK(text_next(&it, &again) < 0 && it.off == off,
			   "iterator moved past a malformed pair");
	} else {
		FUZZ_CHECK(it.off == it.len || seglen == 0, "end before the segment's end");
	}

	/* What was rebuilt iterates to the same pairs, in order. */
	text_iter_init(&back, tb.data, tb.len);
	text_iter_init(&it, seg, seglen);
	for (size_t n = 0; n < nadded; n++) {
		FUZZ_CHECK(text_next(&back, &again) == 1, "rebuilt text ended after %zu pairs", n);
		FUZZ_CHECK(text_next(&it, &pair) == 1, "original ended early");
		FUZZ_CHECK(again.key_len == pair.key_len && again.value_len == pair.value_len &&
			       !memcmp(again.key, pair.key, pair.key_len) &&
			       !memcmp(again.value, pair.value, pair.value_len),
			   "pair %zu reads back differently", n);
	}
	FUZZ_CHECK(text_next(&back, &again) == 0, "rebuilt text holds more than was added");

	/* Raw appends obey the same limit. */
	{
		size_t len = tb.len;

		rc = text_buf_append(&tb, seg, seglen);
		FUZZ_CHECK(rc == 0 ? tb.len == len + seglen : (rc == -ENOSPC && tb.len == len),
			   "append: %d, len %zu -> %zu", rc, len, tb.len);
		if (rc == 0)
			FUZZ_CHECK(!seglen || !memcmp(tb.data + len, seg, seglen),
				   "append differs");
	}
	text_buf_reset(&tb);
	FUZZ_CHECK(tb.len == 0, "reset");
	text_buf_fini(&tb);
	free(copy);
	return 0;
}

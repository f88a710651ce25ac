/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the libFuzzer harnesses share: an invariant check that aborts with a
 * message (so that libFuzzer keeps the input as a crash), a cursor over the
 * input, and the splitting of an input into iSCSI PDUs the way they sit on
 * the wire (48-byte BHS, then the data segment its DataSegmentLength says,
 * cut short at the end of the input).
 *
 * Each harness is one program: tests/fuzz/fuzz_<name>.c, built by 'make
 * fuzz' into build-fuzz/tests/fuzz/fuzz_<name> (docs/fuzzing.md).
 */
#ifndef PORTICO_TESTS_FUZZ_H
#define PORTICO_TESTS_FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/log.h"
#include "target/iscsi/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * UBSan is built recoverable (so that tests/fuzz/ubsan.supp can hold a
 * reported, unfixed finding back), but every report that is not suppressed
 * ends the run as a crash. $UBSAN_OPTIONS adds to these.
 */
const char *__ubsan_default_options(void);
__attribute__((used)) const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* An invariant of the code under test does not hold: report it and abort (a libFuzzer crash). */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, NULL, #cond, __VA_ARGS__);                   \
	} while (0)

static inline void __attribute__((noreturn, format(printf, 5, 6)))
fuzz_fail(const char *file, int line, const char *id, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "==FUZZ== invariant failed at %s:%d: %s%s%s%s\n==FUZZ== ", file, line,
		id ? "[" : "", id ? id : "", id ? "] " : "", cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/*
 * Whether id names a finding that was reported and is not fixed yet: listed
 * in $FUZZ_KNOWN_OPEN (comma-separated), which tests/fuzz/run.sh sets from
 * tests/fuzz/known-open so that an open finding neither turns every run red
 * nor hides the findings behind it.
 */
static inline bool fuzz_known_open(const char *id)
{
	const char *list = getenv("FUZZ_KNOWN_OPEN");
	size_t n = strlen(id);

	while (list && *list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		if (len == n && !memcmp(list, id, n))
			return true;
		list = end ? end + 1 : NULL;
	}
	return false;
}

/* FUZZ_CHECK for an invariant that a known-open finding (id) breaks. */
#define FUZZ_CHECK_OPEN(id, cond, ...)                                                             \
	do {                                                                                       \
		if (!(cond) && !fuzz_known_open(id))                                               \
			fuzz_fail(__FILE__, __LINE__, id, #cond, __VA_ARGS__);                     \
	} while (0)

/*
 * Logging from the code under test is noise while fuzzing; errors still
 * show. FUZZ_LOG=1 turns everything on, to read what a reproducer does.
 */
static inline void fuzz_quiet_logs(void)
{
	if (getenv("FUZZ_LOG")) {
		log_set_level(LOG_LEVEL_DBG);
		log_set_debug("all");
	} else {
		log_set_level(LOG_LEVEL_ERR);
	}
}

/* A cursor over the input. Reads past the end give zeroes and set short. */
struct fuzz_in {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline void fuzz_in_init(struct fuzz_in *in, const uint8_t *p, size_t len)
{
	in->p = p;
	in->len = len;
	in->off = 0;
}

static inline size_t fuzz_in_left(const struct fuzz_in *in)
{
	return in->len - in->off;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	return in->off < in->len ? in->p[in->off++] : 0;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t v = (uint16_t)(fuzz_u8(in) << 8);

	return v | fuzz_u8(in);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = (uint32_t)fuzz_u16(in) << 16;

	return v | fuzz_u16(in);
}

/* Points at the next n bytes (fewer at the end of the input); returns how many. */
static inline size_t fuzz_bytes(struct fuzz_in *in, size_t n, const uint8_t **p)
{
	size_t left = fuzz_in_left(in);

	if (n > left)
		n = left;
	*p = in->p + in->off;
	in->off += n;
	return n;
}

/*
 * The next PDU of the input: a 48-byte BHS (zero-filled when the input
 * ends inside it) and as much of its data segment (DataSegmentLength, no
 * padding, no AHS) as the input still holds. Returns false at the end.
 */
static inline bool fuzz_next_pdu(struct fuzz_in *in, uint8_t bhs[48], const uint8_t **data,
				 size_t *dlen)
{
	const uint8_t *p;
	size_t n;

	if (!fuzz_in_left(in))
		return false;
	n = fuzz_bytes(in, 48, &p);
	memset(bhs, 0, 48);
	memcpy(bhs, p, n);
	*dlen = fuzz_bytes(in, get_be24(bhs + 5), data);
	return true;
}

/*
 * Whether p[0..len) holds only well-formed key=value pairs by text_next's
 * rules: what the target sends must read back cleanly at the initiator.
 */
static inline bool fuzz_text_well_formed(const uint8_t *p, size_t len)
{
	struct text_iter it;
	struct text_pair pair;
	int rc;

	text_iter_init(&it, p, len);
	while ((rc = text_next(&it, &pair)) == 1)
		;
	return rc == 0;
}

#endif

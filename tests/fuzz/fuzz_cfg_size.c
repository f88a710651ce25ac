/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Size strings of the configuration (cfg_parse_size, common/cfg.c), against
 * a reference written from cfg.h's words: a decimal number, optionally K,
 * M, G, T or P (powers of 1024, either case), then optionally 'i' after
 * the unit, then optionally 'B'; nothing else, and nothing that does not
 * fit in 64 bits. Both must agree on what is a size, and on its value.
 */
#include <ctype.h>
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "common/cfg.h"

/* 0 and *out, or -1. */
static int ref_size(const char *s, uint64_t *out)
{
	static const char units[] = "kmgtp";
	unsigned __int128 v = 0;
	unsigned int shift = 0;
	const char *u;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT64_MAX)
			return -1;
	}
	if (*s && (u = strchr(units, tolower((unsigned char)*s)))) {
		shift = 10 * (unsigned int)(u - units + 1);
		s++;
		if (tolower((unsigned char)*s) == 'i')
			s++;
	}
	if (tolower((unsigned char)*s) == 'b')
		s++;
	if (*s)
		return -1;
	v <<= shift;
	if (v > UINT64_MAX)
		return -1;
	*out = (uint64_t)v;
	return 0;
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
	char *s = malloc(size + 1);
	uint64_t got = 0, want = 0;
	int rc, ref;

	memcpy(s, data, size);
	s[size] = '\0';
	rc = cfg_parse_size(s, &got);
	ref = ref_size(s, &want);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "cfg_parse_size: %d", rc);
	FUZZ_CHECK((rc == 0) == (ref == 0), "'%s': cfg_parse_size %d, reference %d", s, rc, ref);
	if (rc == 0)
		FUZZ_CHECK(got == want, "'%s': %llu, reference %llu", s, (unsigned long long)got,
			   (unsigned long long)want);
	FUZZ_CHECK(cfg_parse_size(NULL, &got) == -EINVAL, "NULL accepted");
	free(s);
	return 0;
}

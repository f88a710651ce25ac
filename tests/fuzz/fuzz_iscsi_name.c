/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iSCSI names (common/iscsi_name.c): iscsi_name_check and
 * iscsi_name_equal on any string.
 *
 * Checked: a refusal says why, an acceptance does not; an accepted name is
 * 1 to 223 bytes of letters, digits, '-', '.' and ':' that starts with
 * "iqn.", "eui." or "naa." (any case), with 16 hex digits after "eui.", 16
 * or 32 after "naa.", and a yyyy-mm date (month 01..12) and a domain after
 * "iqn." (RFC 7143 §4.2.7); the check depends on nothing after the NUL; a
 * name equals itself and its upper- and lower-case forms, and not itself
 * with one more byte.
 */
#include <ctype.h>
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "common/iscsi_name.h"

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
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
	char *name = malloc(size + 1), *upper, *lower, *longer;
	const char *why = "unset";
	size_t len;
	int rc;

	memcpy(name, data, size);
	name[size] = '\0';
	len = strlen(name);
	rc = iscsi_name_check(name, &why);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "iscsi_name_check: %d", rc);
	FUZZ_CHECK(rc ? why && *why : why == NULL, "rc %d with why %s", rc, why ? why : "NULL");
	FUZZ_CHECK(iscsi_name_check(name, NULL) == rc, "the result depends on why");
	if (rc == 0) {
		FUZZ_CHECK(len >= 1 && len <= ISCSI_NAME_MAX, "accepted a %zu-byte name", len);
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK(isalnum((unsigned char)name[i]) || name[i] == '-' ||
				       name[i] == '.' || name[i] == ':',
				   "accepted byte 0x%02x", (unsigned char)name[i]);
		if (!strncasecmp(name, "eui.", 4)) {
			FUZZ_CHECK(len == 20 && all_hex(name + 4, 16), "accepted eui. name '%s'",
				   name);
		} else if (!strncasecmp(name, "naa.", 4)) {
			FUZZ_CHECK((len == 20 || len == 36) && all_hex(name + 4, len - 4),
				   "accepted naa. name '%s'", name);
		} else {
			int month;

			FUZZ_CHECK(!strncasecmp(name, "iqn.", 4), "accepted '%s'", name);
			FUZZ_CHECK(len > 12 && isdigit((unsigned char)name[4]) &&
				       isdigit((unsigned char)name[5]) &&
				       isdigit((unsigned char)name[6]) &&
				       isdigit((unsigned char)name[7]) && name[8] == '-' &&
				       isdigit((unsigned char)name[9]) &&
				       isdigit((unsigned char)name[10]) && name[11] == '.',
				   "accepted iqn. name without a date: '%s'", name);
			month = (name[9] - '0') * 10 + (name[10] - '0');
			FUZZ_CHECK(month >= 1 && month <= 12, "accepted month %d", month);
			FUZZ_CHECK(name[12] != ':' && name[12] != '.',
				   "accepted iqn. name without a domain: '%s'", name);
		}
	}

	/* The same name with other bytes after its NUL: the same answer. */
	longer = malloc(len + 3);
	memcpy(longer, name, len + 1);
	longer[len + 1] = 'x';
	longer[len + 2] = '\0';
	FUZZ_CHECK(iscsi_name_check(longer, NULL) == rc, "the check reads past the NUL");

	upper = strdup(name);
	lower = strdup(name);
	for (size_t i = 0; i < len; i++) {
		upper[i] = (char)toupper((unsigned char)upper[i]);
		lower[i] = (char)tolower((unsigned char)lower[i]);
	}
	FUZZ_CHECK(iscsi_name_equal(name, name), "a name differs from itself");
	FUZZ_CHECK(iscsi_name_equal(name, upper) && iscsi_name_equal(lower, name),
		   "a name differs from its other case");
	FUZZ_CHECK(iscsi_name_check(upper, NULL) == rc, "the check depends on case");
	longer[len] = 'y';
	FUZZ_CHECK(!iscsi_name_equal(name, longer) && !iscsi_name_equal(longer, name),
		   "a name equals a longer one");
	FUZZ_CHECK(!iscsi_name_equal(name, NULL) && !iscsi_name_equal(NULL, name),
		   "a name equals NULL");
	free(upper);
	free(lower);
	free(longer);
	free(name);
	return 0;
}

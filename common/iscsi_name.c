/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iSCSI name checks (RFC 7143 §4.2.7). Names reach us after the initiator's
 * stringprep (RFC 3722), which folds case; we accept ASCII names only, in
 * either case, and compare them folded.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/iscsi_name.h"

static bool iscsi_name_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool iscsi_name_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool iscsi_name_is_hex(char c)
{
	return iscsi_name_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char iscsi_name_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive test of a type designator ("iqn.") at the start of name. */
static bool iscsi_name_has_prefix(const char *name, const char *prefix)
{
	for (; *prefix; name++, prefix++)
		if (iscsi_name_lower(*name) != *prefix)
			return false;
	return true;
}

static bool iscsi_name_all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!iscsi_name_is_hex(s[i]))
			return false;
	return true;
}

/*
 * RFC 7143 §4.2.7.4: "iqn." date "." reversed-domain [":" anything].
 * The date is the year and month the naming authority held the domain.
 */
static const char *iscsi_name_check_iqn(const char *s)
{
	const char *dom, *end;
	int month;

	if (!(iscsi_name_is_digit(s[0]) && iscsi_name_is_digit(s[1]) && iscsi_name_is_digit(s[2]) &&
	      iscsi_name_is_digit(s[3]) && s[4] == '-' && iscsi_name_is_digit(s[5]) &&
	      iscsi_name_is_digit(s[6])))
		return "iqn. name needs a date as yyyy-mm after 'iqn.'";
	month = (s[5] - '0') * 10 + (s[6] - '0');
	if (month < 1 || month > 12)
		return "iqn. name has a month outside 01..12 in its date";
	if (s[7] != '.')
		return "iqn. name needs a '.' and a reversed domain name after its date";
	dom = s + 8;
	end = strchr(dom, ':');
	if (!end)
		end = dom + strlen(dom);
	if (end == dom)
		return "iqn. name needs a reversed domain name after its date";
	/* Domain labels: letters, digits and '-', separated by single dots. */
	if (*dom == '.' || end[-1] == '.')
		return "iqn. name has a domain that starts or ends with '.'";
	for (const char *p = dom; p < end; p++) {
		if (*p == '.' && p[1] == '.')
			return "iqn. name has an empty label ('..') in its domain";
		if (!(iscsi_name_is_alpha(*p) || iscsi_name_is_digit(*p) || *p == '-' || *p == '.'))
			return "iqn. name has a domain with a character other than letters, "
			       "digits, '-' and '.'";
	}
	return NULL;
}

int iscsi_name_check(const char *name, const char **why)
{
	const char *msg = NULL;
	size_t len;

	if (!name || !*name) {
		msg = "name is empty";
		goto out;
	}
	len = strnlen(name, ISCSI_NAME_MAX + 1);
	/* RFC 7143 §4.2.7: at most 223 bytes, without the terminating NUL. */
	if (len > ISCSI_NAME_MAX) {
		msg = "name is longer than 223 bytes";
		goto out;
	}
	/*
	 * RFC 7143 §4.2.7 (with RFC 3722's stringprep) leaves, in ASCII,
	 * lower-case letters, digits, '-', '.' and ':'. Upper case is what
	 * stringprep folds, so we take it and compare folded.
	 */
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (iscsi_name_is_alpha(c) || iscsi_name_is_digit(c) || c == '-' || c == '.' ||
		    c == ':')
			continue;
		if (c == ' ')
			msg = "name contains a space";
		else if ((unsigned char)c < 0x20 || c == 0x7f)
			msg = "name contains a control character";
		else if ((unsigned char)c >= 0x80)
			msg = "name contains a non-ASCII byte";
		else
			msg = "name contains a character other than letters, digits, "
			      "'-', '.' and ':'";
		goto out;
	}

	if (iscsi_name_has_prefix(name, "iqn.")) {
		msg = iscsi_name_check_iqn(name + 4);
	} else if (iscsi_name_has_prefix(name, "eui.")) {
		/* RFC 7143 §4.2.7.5: an EUI-64 as 16 hexadecimal digits. */
		if (len != 4 + 16 || !iscsi_name_all_hex(name + 4, 16))
			msg = "eui. name needs exactly 16 hexadecimal digits after 'eui.'";
	} else if (iscsi_name_has_prefix(name, "naa.")) {
		/* RFC 7143 §4.2.7.6 (from RFC 3980): a 64- or 128-bit NAA identifier in hex. */
		if ((len != 4 + 16 && len != 4 + 32) || !iscsi_name_all_hex(name + 4, len - 4))
			msg = "naa. name needs 16 or 32 hexadecimal digits after 'naa.'";
	} else {
		msg = "name must start with 'iqn.', 'eui.' or 'naa.'";
	}
out:
	if (why)
		*why = msg;
	return msg ? -EINVAL : 0;
}

bool iscsi_name_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	for (; *a && *b; a++, b++)
		if (iscsi_name_lower(*a) != iscsi_name_lower(*b))
			return false;
	return *a == *b;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iSCSI name checks (RFC 7143 §4.2.7): iqn., eui. and naa. forms. */
#ifndef PORTICO_COMMON_ISCSI_NAME_H
#define PORTICO_COMMON_ISCSI_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define ISCSI_NAME_MAX 223 /* RFC 7143 §4.2.7.1: at most 223 bytes */

/*
 * Checks a name. Returns 0, or -EINVAL with *why (if not NULL) set to a
 * static string that says what is wrong.
 */
int iscsi_name_check(const char *name, const char **why);

/* Case-insensitive comparison as RFC 3722 stringprep makes names (ASCII fold). */
bool iscsi_name_equal(const char *a, const char *b);

#endif

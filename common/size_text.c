/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "common/size_text.h"

void size_text(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	uint64_t unit = 1024, q, r, tenths, rem;
	size_t k = 0;

	if (!buf || !len)
		return;
	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 "B", bytes);
		return;
	}
	while (k + 1 < sizeof(units) / sizeof(units[0]) && bytes / unit >= 1024) {
		unit *= 1024;
		k++;
	}
	/*
	 * One decimal, rounded as targetcli's "%3.1f" rounds (half to even on
	 * an exact tie: 1280 bytes is "1.2KiB"), in integers: r * 10 < 10 *
	 * 2^60 cannot overflow.
	 */
	q = bytes / unit;
	r = bytes % unit;
	tenths = q * 10 + (r * 10) / unit;
	rem = (r * 10) % unit;
	if (rem > unit / 2 || (rem == unit / 2 && (tenths & 1)))
		tenths++;
	snprintf(buf, len, "%" PRIu64 ".%u%s", tenths / 10, (unsigned int)(tenths % 10), units[k]);
}

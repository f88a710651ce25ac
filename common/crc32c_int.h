/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRC32C internals, for tests: both implementations, callable directly, with
 * the same meaning as crc32c() (pre- and post-inversion inside, chainable).
 */
#ifndef PORTICO_COMMON_CRC32C_INT_H
#define PORTICO_COMMON_CRC32C_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Slicing-by-8 tables; works everywhere. */
uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t len);
/* Whether this CPU has the SSE4.2 CRC32 instruction. */
bool crc32c_hw_available(void);
/* The SSE4.2 path (the table path when the CPU lacks SSE4.2). */
uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len);

#endif

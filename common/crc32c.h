/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRC32C (Castagnoli), the iSCSI header and data digest (RFC 7143 §13.1).
 * SSE4.2 instructions where the CPU has them, a table otherwise.
 */
#ifndef PORTICO_COMMON_CRC32C_H
#define PORTICO_COMMON_CRC32C_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/*
 * Continues a CRC: start with crc32c(0, ...) and chain the result.
 * (Pre- and post-inversion are handled inside, so crc32c(0, "123456789", 9) == 0xe3069283.)
 */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);
uint32_t crc32c_iov(uint32_t crc, const struct iovec *iov, int iovcnt);

/* The digest as it is placed on the wire: least significant byte first (RFC 7143 §13.1, RFC 3720 B.4). */
static inline void crc32c_put_wire(uint8_t *p, uint32_t crc)
{
	p[0] = (uint8_t)crc;
	p[1] = (uint8_t)(crc >> 8);
	p[2] = (uint8_t)(crc >> 16);
	p[3] = (uint8_t)(crc >> 24);
}

static inline uint32_t crc32c_get_wire(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif

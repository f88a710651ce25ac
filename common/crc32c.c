/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRC32C (Castagnoli), the iSCSI digest (RFC 7143 §13.1: generator
 * 0x11EDC6F41). The register runs bit-reflected, so the polynomial appears
 * as 0x82F63B78, starts at all ones and is complemented at the end (RFC 3720
 * appendix B.4 gives the check values the tests use).
 *
 * Two ways to run the register:
 * - SSE4.2's CRC32 instruction, which implements exactly this polynomial.
 *   One chain of CRC32 instructions is bound by their 3-cycle latency, so
 *   long buffers are cut in three lanes computed side by side and joined
 *   with "shift by n zero bytes" operators (the CRC is linear: appending
 *   a block B to a register r gives shift(r, |B|) ^ crc_from_zero(B));
 * - slicing-by-8 tables everywhere else.
 * The choice is made once, at first use.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "common/crc32c.h"
#include "common/crc32c_int.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#define CRC32C_HAVE_X86 1
#else
#define CRC32C_HAVE_X86 0
#endif

#define CRC32C_POLY 0x82F63B78u
/* Bytes per lane in the three-lane hardware loop (a multiple of 8). */
#define CRC32C_LANE 1024

static uint32_t crc32c_table[8][256];
/* crc32c_shift[0]: append CRC32C_LANE zero bytes; [1]: twice that. One table per register byte. */
static uint32_t crc32c_shift[2][4][256];
static bool crc32c_have_hw;
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static inline uint32_t crc32c_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Runs the raw register (no inversions) over buf with the tables. */
static uint32_t crc32c_sw_update(uint32_t reg, const uint8_t *p, size_t len)
{
	const uint32_t(*t)[256] = crc32c_table;

	while (len >= 8) {
		uint32_t lo = reg ^ crc32c_le32(p);
		uint32_t hi = crc32c_le32(p + 4);

		reg = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^
		      t[4][lo >> 24] ^ t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^
		      t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		reg = (reg >> 8) ^ t[0][(reg ^ *p++) & 0xff];
	return reg;
}

static uint32_t crc32c_shift_apply(const uint32_t (*tab)[256], uint32_t reg)
{
	return tab[0][reg & 0xff] ^ tab[1][(reg >> 8) & 0xff] ^ tab[2][(reg >> 16) & 0xff] ^
	       tab[3][reg >> 24];
}

/* Builds the tables of the operator "append len zero bytes to the register". */
static void crc32c_shift_build(uint32_t (*tab)[256], size_t len)
{
	static const uint8_t zeros[2 * CRC32C_LANE];
	uint32_t basis[32];
	int i, k, b;

	/* The operator is linear: its value on each single-bit register is enough. */
	for (i = 0; i < 32; i++)
		basis[i] = crc32c_sw_update(1u << i, zeros, len);
	for (k = 0; k < 4; k++) {
		for (b = 0; b < 256; b++) {
			uint32_t v = 0;

			for (i = 0; i < 8; i++)
				if (b & (1 << i))
					v ^= basis[8 * k + i];
			tab[k][b] = v;
		}
	}
}

static void crc32c_init(void)
{
	int i, j, k;

	for (i = 0; i < 256; i++) {
		uint32_t c = (uint32_t)i;

		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (c & 1 ? CRC32C_POLY : 0);
		crc32c_table[0][i] = c;
	}
	/* Table k advances a byte that is followed by k more bytes. */
	for (k = 1; k < 8; k++)
		for (i = 0; i < 256; i++)
			crc32c_table[k][i] = (crc32c_table[k - 1][i] >> 8) ^
					     crc32c_table[0][crc32c_table[k - 1][i] & 0xff];
	crc32c_shift_build(crc32c_shift[0], CRC32C_LANE);
	crc32c_shift_build(crc32c_shift[1], 2 * CRC32C_LANE);
#if CRC32C_HAVE_X86
	__builtin_cpu_init();
	crc32c_have_hw = __builtin_cpu_supports("sse4.2");
#endif
}

#if CRC32C_HAVE_X86
static inline uint64_t crc32c_le64(const uint8_t *p)
{
	uint64_t v;

	/* x86 is little-endian; memcpy is an unaligned load. */
	memcpy(&v, p, sizeof(v));
	return v;
}

__attribute__((target("sse4.2"))) static uint32_t crc32c_hw_update(uint32_t reg, const uint8_t *p,
								    size_t len)
{
	uint64_t r = reg;

	while (len >= 3 * CRC32C_LANE) {
		uint64_t a = r, b = 0, c = 0;
		size_t i;

		for (i = 0; i < CRC32C_LANE; i += 8) {
			a = _mm_crc32_u64(a, crc32c_le64(p + i));
			b = _mm_crc32_u64(b, crc32c_le64(p + CRC32C_LANE + i));
			c = _mm_crc32_u64(c, crc32c_le64(p + 2 * CRC32C_LANE + i));
		}
		r = crc32c_shift_apply(crc32c_shift[1], (uint32_t)a) ^
		    crc32c_shift_apply(crc32c_shift[0], (uint32_t)b) ^ (uint32_t)c;
		p += 3 * CRC32C_LANE;
		len -= 3 * CRC32C_LANE;
	}
	while (len >= 8) {
		r = _mm_crc32_u64(r, crc32c_le64(p));
		p += 8;
		len -= 8;
	}
	reg = (uint32_t)r;
	while (len--)
		reg = _mm_crc32_u8(reg, *p++);
	return reg;
}
#endif

bool crc32c_hw_available(void)
{
	pthread_once(&crc32c_once, crc32c_init);
	return crc32c_have_hw;
}

uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc32c_once, crc32c_init);
	return ~crc32c_sw_update(~crc, buf, len);
}

uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc32c_once, crc32c_init);
#if CRC32C_HAVE_X86
	if (crc32c_have_hw)
		return ~crc32c_hw_update(~crc, buf, len);
#endif
	/* No instruction to run: the same answer, the slow way. */
	return ~crc32c_sw_update(~crc, buf, len);
}

uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
{
	return crc32c_hw(crc, buf, len);
}

uint32_t crc32c_iov(uint32_t crc, const struct iovec *iov, int iovcnt)
{
	int i;

	for (i = 0; i < iovcnt; i++)
		if (iov[i].iov_len)
			crc = crc32c(crc, iov[i].iov_base, iov[i].iov_len);
	return crc;
}

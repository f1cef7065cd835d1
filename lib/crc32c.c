/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include <routed/crc32c.h>

#define CRC32C_POLY 0x82f63b78u

/* Slicing by 8 (Intel's technique, Kounavis and Berry, ISCC 2005). */
static uint32_t table[8][256];
static uint32_t (*crc_impl)(uint32_t crc, const uint8_t *p, size_t len);
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint32_t crc_soft(uint32_t crc, const uint8_t *p, size_t len)
{
	for (; len && ((uintptr_t)p & 7); len--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t w;

		memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		w ^= crc;
		crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
		      table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^
		      table[2][(w >> 40) & 0xff] ^ table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
	}
	for (; len; len--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_sse42(uint32_t crc, const uint8_t *p,
							       size_t len)
{
	uint64_t c = crc;

	for (; len && ((uintptr_t)p & 7); len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		c = __builtin_ia32_crc32di(c, w);
	}
	for (; len; len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return (uint32_t)c;
}
#endif

static void crc_init(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint32_t c = i;

		for (unsigned k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ CRC32C_POLY : c >> 1;
		table[0][i] = c;
	}
	for (unsigned i = 0; i < 256; i++)
		for (unsigned s = 1; s < 8; s++)
			table[s][i] = (table[s - 1][i] >> 8) ^ table[0][table[s - 1][i] & 0xff];
	crc_impl = crc_soft;
#if defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("sse4.2"))
		crc_impl = crc_sse42;
#endif
}

/* For the tests: the portable path, whatever the CPU. */
uint32_t rt_crc32c_portable(uint32_t crc, const void *buf, size_t len);

uint32_t rt_crc32c_portable(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&once, crc_init);
	return ~crc_soft(~crc, buf, len);
}

uint32_t rt_crc32c(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&once, crc_init);
	return ~crc_impl(~crc, buf, len);
}

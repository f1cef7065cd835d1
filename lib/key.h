/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keys: an address as a left-aligned 128-bit integer, so IPv4 (32 bits) and
 * IPv6 (128 bits) share the RIB and the FIB builder. Bit 0 is the most
 * significant bit of the address.
 */
#ifndef ROUTED_KEY_H
#define ROUTED_KEY_H

#include <stdint.h>
#include <string.h>

#include <routed/prefix.h>

typedef unsigned __int128 rt_key;

static inline rt_key key_from_bytes(const uint8_t *b, unsigned nbytes)
{
	rt_key k = 0;

	for (unsigned i = 0; i < nbytes; i++)
		k = (k << 8) | b[i];
	return k << (8 * (16 - nbytes));
}

static inline void key_to_bytes(rt_key k, uint8_t *b, unsigned nbytes)
{
	for (unsigned i = 0; i < nbytes; i++)
		b[i] = (uint8_t)(k >> (120 - 8 * i));
}

static inline rt_key key_from_addr(const struct rt_addr *a)
{
	return key_from_bytes(a->bytes, a->family == AF_INET ? 4 : 16);
}

static inline rt_key key_from_v4(uint32_t host_order)
{
	return (rt_key)host_order << 96;
}

/* The first len bits set. */
static inline rt_key key_mask(unsigned len)
{
	return len == 0 ? 0 : ~(rt_key)0 << (128 - len);
}

/* Bit i (0 = most significant). */
static inline unsigned key_bit(rt_key k, unsigned i)
{
	return (unsigned)(k >> (127 - i)) & 1;
}

/* Do a and b agree on their first len bits? */
static inline int key_match(rt_key a, rt_key b, unsigned len)
{
	return ((a ^ b) & key_mask(len)) == 0;
}

/* Number of leading bits a and b share (128 if equal). */
static inline unsigned key_common_bits(rt_key a, rt_key b)
{
	rt_key x = a ^ b;
	uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;

	if (hi)
		return (unsigned)__builtin_clzll(hi);
	if (lo)
		return 64 + (unsigned)__builtin_clzll(lo);
	return 128;
}

/* The stride bits of k that follow its first depth bits. */
static inline unsigned key_chunk(rt_key k, unsigned depth, unsigned stride)
{
	return (unsigned)((k << depth) >> (128 - stride));
}

/* k with chunk c placed after its first depth bits. */
static inline rt_key key_with_chunk(rt_key k, unsigned depth, unsigned stride, unsigned c)
{
	return (k & key_mask(depth)) | ((rt_key)c << (128 - depth - stride));
}

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <sys/socket.h>

#include <routed/lookup_wire.h>

#include "bytes.h"

/* Answer fields within a slot: flags, prefix length, reserved, tag, gateway. */
#define SLOT4_FLAGS RT_WIRE_SLOT4_ANSWER
#define SLOT4_TAG 8
#define SLOT4_GATEWAY 12
#define SLOT6_FLAGS RT_WIRE_SLOT6_ANSWER
#define SLOT6_TAG 20
#define SLOT6_GATEWAY 24

#define H_VERSION 0
#define H_FLAGS 1
#define H_FAMILY 2
#define H_COUNT 3
#define H_ID 4
#define H_TABLE 8
#define H_STATUS 12
#define H_RESERVED 13
#define H_GENERATION 16

static const char *const error_names[RT_WIRE_E_COUNT_] = {
	[RT_WIRE_OK] = "ok",
	[RT_WIRE_E_SHORT] = "short",
	[RT_WIRE_E_VERSION] = "version",
	[RT_WIRE_E_DIRECTION] = "direction",
	[RT_WIRE_E_FLAGS] = "flags",
	[RT_WIRE_E_FAMILY] = "family",
	[RT_WIRE_E_ZERO_COUNT] = "zero_count",
	[RT_WIRE_E_COUNT] = "count",
	[RT_WIRE_E_LENGTH] = "length",
	[RT_WIRE_E_OVERSIZE] = "oversize",
};

const char *rt_wire_error_name(enum rt_wire_error e)
{
	return (unsigned)e < RT_WIRE_E_COUNT_ ? error_names[e] : "unknown";
}

size_t rt_wire_slot_len(unsigned family)
{
	if (family == RT_WIRE_FAMILY4)
		return RT_WIRE_SLOT4_LEN;
	if (family == RT_WIRE_FAMILY6)
		return RT_WIRE_SLOT6_LEN;
	return 0;
}

size_t rt_wire_max_count(unsigned family)
{
	if (family == RT_WIRE_FAMILY4)
		return RT_WIRE_MAX_COUNT4;
	if (family == RT_WIRE_FAMILY6)
		return RT_WIRE_MAX_COUNT6;
	return 0;
}

size_t rt_wire_datagram_len(unsigned family, size_t count)
{
	if (count == 0 || count > rt_wire_max_count(family))
		return 0;
	return RT_WIRE_HEADER_LEN + count * rt_wire_slot_len(family);
}

static enum rt_wire_error parse(const void *buf, size_t len, bool response,
				struct rt_wire_header *h)
{
	const uint8_t *p = buf;
	size_t max;

	if (len > RT_WIRE_MAX_PAYLOAD)
		return RT_WIRE_E_OVERSIZE;
	if (len < RT_WIRE_HEADER_LEN)
		return RT_WIRE_E_SHORT;
	if (p[H_VERSION] != RT_WIRE_VERSION)
		return RT_WIRE_E_VERSION;
	if (!!(p[H_FLAGS] & RT_WIRE_F_RESPONSE) != response)
		return RT_WIRE_E_DIRECTION;
	if (p[H_FLAGS] & ~RT_WIRE_F_RESPONSE)
		return RT_WIRE_E_FLAGS;
	if (p[H_RESERVED] | p[H_RESERVED + 1] | p[H_RESERVED + 2])
		return RT_WIRE_E_FLAGS;
	max = rt_wire_max_count(p[H_FAMILY]);
	if (!max)
		return RT_WIRE_E_FAMILY;
	if (p[H_COUNT] == 0)
		return RT_WIRE_E_ZERO_COUNT;
	if (p[H_COUNT] > max)
		return RT_WIRE_E_COUNT;
	if (len != rt_wire_datagram_len(p[H_FAMILY], p[H_COUNT]))
		return RT_WIRE_E_LENGTH;
	h->version = p[H_VERSION];
	h->flags = p[H_FLAGS];
	h->family = p[H_FAMILY];
	h->count = p[H_COUNT];
	h->id = get_be32(p + H_ID);
	h->table = get_be32(p + H_TABLE);
	h->status = p[H_STATUS];
	h->generation = (uint64_t)get_be32(p + H_GENERATION) << 32 | get_be32(p + H_GENERATION + 4);
	return RT_WIRE_OK;
}

enum rt_wire_error rt_wire_parse_request(const void *buf, size_t len, struct rt_wire_header *h)
{
	return parse(buf, len, false, h);
}

enum rt_wire_error rt_wire_parse_response(const void *buf, size_t len, struct rt_wire_header *h)
{
	return parse(buf, len, true, h);
}

/* Header and zeroed slots; the caller writes the addresses. 0 if it does not fit. */
static size_t begin_request(uint8_t *p, size_t cap, uint32_t id, uint32_t table,
			    unsigned family, size_t n)
{
	size_t len = rt_wire_datagram_len(family, n);

	if (!len || len > cap)
		return 0;
	memset(p, 0, len);
	p[H_VERSION] = RT_WIRE_VERSION;
	p[H_FAMILY] = family;
	p[H_COUNT] = n;
	put_be32(p + H_ID, id);
	put_be32(p + H_TABLE, table);
	return len;
}

size_t rt_wire_encode_request4(void *buf, size_t cap, uint32_t id, uint32_t table,
			       const uint32_t *addrs, size_t n)
{
	uint8_t *p = buf;
	size_t len = begin_request(p, cap, id, table, RT_WIRE_FAMILY4, n);

	for (size_t i = 0; len && i < n; i++)
		put_be32(p + RT_WIRE_HEADER_LEN + i * RT_WIRE_SLOT4_LEN, addrs[i]);
	return len;
}

size_t rt_wire_encode_request6(void *buf, size_t cap, uint32_t id, uint32_t table,
			       const uint8_t (*addrs)[16], size_t n)
{
	uint8_t *p = buf;
	size_t len = begin_request(p, cap, id, table, RT_WIRE_FAMILY6, n);

	for (size_t i = 0; len && i < n; i++)
		memcpy(p + RT_WIRE_HEADER_LEN + i * RT_WIRE_SLOT6_LEN, addrs[i], 16);
	return len;
}

size_t rt_wire_encode_request(void *buf, size_t cap, uint32_t id, uint32_t table,
			      unsigned family, const struct rt_addr *addrs, size_t n)
{
	int af = family == RT_WIRE_FAMILY4 ? AF_INET : AF_INET6;
	size_t slot = rt_wire_slot_len(family);
	uint8_t *p = buf;
	size_t len;

	for (size_t i = 0; i < n; i++)
		if (addrs[i].family != af)
			return 0;
	len = begin_request(p, cap, id, table, family, n);
	for (size_t i = 0; len && i < n; i++)
		memcpy(p + RT_WIRE_HEADER_LEN + i * slot, addrs[i].bytes,
		       family == RT_WIRE_FAMILY4 ? 4 : 16);
	return len;
}

void rt_wire_set_answer(void *buf, const struct rt_wire_header *h, size_t i,
			bool found, uint8_t len, const uint8_t *gateway, bool has_tag, uint32_t tag)
{
	bool v4 = h->family == RT_WIRE_FAMILY4;
	size_t alen = v4 ? 4 : 16;
	uint8_t *s = (uint8_t *)buf + RT_WIRE_HEADER_LEN + i * rt_wire_slot_len(h->family);
	uint8_t *a = s + (v4 ? SLOT4_FLAGS : SLOT6_FLAGS);
	uint8_t flags = 0;

	/* flags, length, reserved, tag, gateway: everything after the address. */
	memset(a, 0, 8 + alen);
	if (!found)
		return;
	flags = RT_WIRE_A_FOUND;
	if (gateway) {
		flags |= RT_WIRE_A_GATEWAY;
		memcpy(s + (v4 ? SLOT4_GATEWAY : SLOT6_GATEWAY), gateway, alen);
	}
	if (has_tag) {
		flags |= RT_WIRE_A_TAG;
		put_be32(s + (v4 ? SLOT4_TAG : SLOT6_TAG), tag);
	}
	a[0] = flags;
	a[1] = len;
}

void rt_wire_set_reject(void *buf, const struct rt_wire_header *h, size_t i)
{
	bool v4 = h->family == RT_WIRE_FAMILY4;
	uint8_t *s = (uint8_t *)buf + RT_WIRE_HEADER_LEN + i * rt_wire_slot_len(h->family);
	uint8_t *a = s + (v4 ? SLOT4_FLAGS : SLOT6_FLAGS);

	if (!(a[0] & RT_WIRE_A_FOUND))
		return;
	a[0] = (uint8_t)((a[0] & ~RT_WIRE_A_GATEWAY) | RT_WIRE_A_REJECT);
	memset(s + (v4 ? SLOT4_GATEWAY : SLOT6_GATEWAY), 0, v4 ? 4 : 16);
}

void rt_wire_set_multipath(void *buf, const struct rt_wire_header *h, size_t i)
{
	bool v4 = h->family == RT_WIRE_FAMILY4;
	uint8_t *s = (uint8_t *)buf + RT_WIRE_HEADER_LEN + i * rt_wire_slot_len(h->family);
	uint8_t *a = s + (v4 ? SLOT4_FLAGS : SLOT6_FLAGS);

	if (a[0] & RT_WIRE_A_FOUND)
		a[0] |= RT_WIRE_A_MULTIPATH;
}

void rt_wire_clear_answers(void *buf, const struct rt_wire_header *h)
{
	bool v4 = h->family == RT_WIRE_FAMILY4;
	size_t slot = rt_wire_slot_len(h->family), alen = v4 ? 4 : 16;
	uint8_t *a = (uint8_t *)buf + RT_WIRE_HEADER_LEN + (v4 ? SLOT4_FLAGS : SLOT6_FLAGS);

	for (size_t i = 0; i < h->count; i++, a += slot)
		memset(a, 0, 8 + alen);
}

void rt_wire_finish_response(void *buf, uint8_t status, uint64_t generation)
{
	uint8_t *p = buf;

	p[H_FLAGS] |= RT_WIRE_F_RESPONSE;
	p[H_STATUS] = status;
	put_be32(p + H_GENERATION, generation >> 32);
	put_be32(p + H_GENERATION + 4, (uint32_t)generation);
}

void rt_wire_get_answer(const void *buf, const struct rt_wire_header *h, size_t i,
			struct rt_wire_answer *a)
{
	bool v4 = h->family == RT_WIRE_FAMILY4;
	size_t alen = v4 ? 4 : 16;
	const uint8_t *s = (const uint8_t *)buf + RT_WIRE_HEADER_LEN + i * rt_wire_slot_len(h->family);
	const uint8_t *f = s + (v4 ? SLOT4_FLAGS : SLOT6_FLAGS);

	memset(a, 0, sizeof(*a));
	a->addr.family = v4 ? AF_INET : AF_INET6;
	memcpy(a->addr.bytes, s, alen);
	a->found = f[0] & RT_WIRE_A_FOUND;
	if (!a->found)
		return;
	a->len = f[1];
	a->has_gateway = f[0] & RT_WIRE_A_GATEWAY;
	if (a->has_gateway) {
		a->gateway.family = a->addr.family;
		memcpy(a->gateway.bytes, s + (v4 ? SLOT4_GATEWAY : SLOT6_GATEWAY), alen);
	}
	a->reject = f[0] & RT_WIRE_A_REJECT;
	a->multipath = f[0] & RT_WIRE_A_MULTIPATH;
	a->has_tag = f[0] & RT_WIRE_A_TAG;
	if (a->has_tag)
		a->tag = get_be32(s + (v4 ? SLOT4_TAG : SLOT6_TAG));
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UDP lookup protocol (docs/lookup-protocol.md): encoding, decoding and
 * validation, for the server, routectl, routeperf and the tests. No sockets,
 * no allocation; every parser takes an untrusted buffer and its length.
 *
 * A datagram is a 24-byte header and `count` fixed-size slots. A request
 * carries an address in each slot; the server answers in place (same
 * length, same slots, answer fields filled), so a response is never larger
 * than its request. Multi-byte fields are big-endian.
 *
 *	header:	0 version (1)	1 flags		2 family (4|6)	3 count
 *		4 request id (u32, echoed)	8 table id (u32, 0 = the listener's)
 *		12 status	13..15 reserved (0)
 *		16 generation (u64, response only)
 *	IPv4 slot (16 bytes): 0 address[4]  4 answer flags  5 prefix length
 *		6..7 reserved  8 tag (u32)  12 gateway[4]
 *	IPv6 slot (40 bytes): 0 address[16]  16 answer flags  17 prefix length
 *		18..19 reserved  20 tag (u32)  24 gateway[16]
 */
#ifndef ROUTED_LOOKUP_WIRE_H
#define ROUTED_LOOKUP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <routed/prefix.h>

#define RT_WIRE_VERSION 1
#define RT_WIRE_DEFAULT_PORT 5300
#define RT_WIRE_MAX_PAYLOAD 1232	/* no IPv6 fragmentation (1280 - 40 - 8) */
#define RT_WIRE_HEADER_LEN 24
#define RT_WIRE_SLOT4_LEN 16
#define RT_WIRE_SLOT6_LEN 40
#define RT_WIRE_MAX_COUNT4 ((RT_WIRE_MAX_PAYLOAD - RT_WIRE_HEADER_LEN) / RT_WIRE_SLOT4_LEN)	/* 75 */
#define RT_WIRE_MAX_COUNT6 ((RT_WIRE_MAX_PAYLOAD - RT_WIRE_HEADER_LEN) / RT_WIRE_SLOT6_LEN)	/* 30 */

/* Where a slot's answer fields start: flags, prefix length, reserved (2), tag, gateway. */
#define RT_WIRE_SLOT4_ANSWER 4
#define RT_WIRE_SLOT6_ANSWER 16

#define RT_WIRE_FAMILY4 4
#define RT_WIRE_FAMILY6 6

/* Header flags. */
#define RT_WIRE_F_RESPONSE 0x01		/* set by the server; a server never answers one */

/* Response status. */
#define RT_WIRE_STATUS_OK 0
#define RT_WIRE_STATUS_NO_TABLE 1	/* no table with that id: every slot is "no route" */

/* Answer flags of a slot. */
#define RT_WIRE_A_FOUND 0x01
#define RT_WIRE_A_GATEWAY 0x02		/* the gateway field holds an address */
#define RT_WIRE_A_TAG 0x04		/* the route has a tag */
#define RT_WIRE_A_REJECT 0x08		/* the route rejects (blackhole, unreachable, prohibit) */
#define RT_WIRE_A_MULTIPATH 0x10	/* the route has several next hops; gateway: the one chosen */

/* Why a datagram was refused; the server counts each reason. */
enum rt_wire_error {
	RT_WIRE_OK = 0,
	RT_WIRE_E_SHORT,	/* shorter than the header */
	RT_WIRE_E_VERSION,	/* unknown version */
	RT_WIRE_E_DIRECTION,	/* a response where a request belongs, or the reverse */
	RT_WIRE_E_FLAGS,	/* unknown flag bits or nonzero reserved header bytes */
	RT_WIRE_E_FAMILY,	/* family neither 4 nor 6 */
	RT_WIRE_E_ZERO_COUNT,	/* no slots */
	RT_WIRE_E_COUNT,	/* more slots than fit in RT_WIRE_MAX_PAYLOAD */
	RT_WIRE_E_LENGTH,	/* length is not header + count slots (truncated or trailing bytes) */
	RT_WIRE_E_OVERSIZE,	/* longer than RT_WIRE_MAX_PAYLOAD */
	RT_WIRE_E_COUNT_
};

/* A short stable name for a reason ("short", "version", ...): stats keys. */
const char *rt_wire_error_name(enum rt_wire_error e);

struct rt_wire_header {
	uint8_t version;
	uint8_t flags;
	uint8_t family;		/* RT_WIRE_FAMILY4 or RT_WIRE_FAMILY6 */
	uint8_t count;
	uint32_t id;
	uint32_t table;
	uint8_t status;
	uint64_t generation;
};

/* Slot size and the most slots one datagram holds; 0 for an unknown family. */
size_t rt_wire_slot_len(unsigned family);
size_t rt_wire_max_count(unsigned family);
/* Length of a datagram with count slots; 0 if count is 0 or too large. */
size_t rt_wire_datagram_len(unsigned family, size_t count);

/*
 * Check a datagram and read its header. The checks, in order: oversize,
 * short, version, direction, flags, family, zero count, count, length.
 * On RT_WIRE_OK the whole datagram is well formed: every slot may be read.
 */
enum rt_wire_error rt_wire_parse_request(const void *buf, size_t len, struct rt_wire_header *h);
enum rt_wire_error rt_wire_parse_response(const void *buf, size_t len, struct rt_wire_header *h);

/*
 * Write a request for addrs[0..n) (all of the given family) into buf. Answer
 * fields are zero. Returns the length, or 0 if n is 0, too large, or does
 * not fit in cap.
 */
size_t rt_wire_encode_request4(void *buf, size_t cap, uint32_t id, uint32_t table,
			       const uint32_t *addrs, size_t n);	/* host byte order */
size_t rt_wire_encode_request6(void *buf, size_t cap, uint32_t id, uint32_t table,
			       const uint8_t (*addrs)[16], size_t n);
/* The same from rt_addr values; 0 also if any address is not of family. */
size_t rt_wire_encode_request(void *buf, size_t cap, uint32_t id, uint32_t table,
			      unsigned family, const struct rt_addr *addrs, size_t n);

/* The address of slot i of a parsed datagram. */
static inline uint32_t rt_wire_slot_addr4(const void *buf, size_t i)
{
	const uint8_t *p = (const uint8_t *)buf + RT_WIRE_HEADER_LEN + i * RT_WIRE_SLOT4_LEN;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline const uint8_t *rt_wire_slot_addr6(const void *buf, size_t i)
{
	return (const uint8_t *)buf + RT_WIRE_HEADER_LEN + i * RT_WIRE_SLOT6_LEN;
}

/* One answer, as the server writes it and a client reads it. */
struct rt_wire_answer {
	struct rt_addr addr;		/* the address asked about (echoed) */
	bool found;
	uint8_t len;			/* matched prefix length */
	bool has_gateway;
	struct rt_addr gateway;		/* family 0 without a gateway */
	bool has_tag;
	uint32_t tag;
	bool reject;			/* the route rejects: found, never a gateway */
	bool multipath;			/* the route is multipath; gateway is the chosen next hop */
};

/*
 * Server side: answer slot i of a parsed request in place (found=false
 * clears the answer fields). The address stays as the client sent it.
 */
void rt_wire_set_answer(void *buf, const struct rt_wire_header *h, size_t i,
			bool found, uint8_t len, const uint8_t *gateway, bool has_tag, uint32_t tag);
/*
 * Server side: mark slot i, answered found by rt_wire_set_answer(), as
 * matching a rejecting route: RT_WIRE_A_REJECT set, the gateway cleared (a
 * rejecting route forwards nowhere).
 */
void rt_wire_set_reject(void *buf, const struct rt_wire_header *h, size_t i);
/*
 * Server side: mark slot i, answered found by rt_wire_set_answer() with
 * the gateway of the next hop chosen for its address, as matching a
 * multipath route: RT_WIRE_A_MULTIPATH.
 */
void rt_wire_set_multipath(void *buf, const struct rt_wire_header *h, size_t i);
/*
 * Server side, the answer path's own writers (rt_table_answer_wire4/6):
 * the answer fields of one IPv4 or IPv6 slot from parts already in wire
 * form. flags are the slot's answer flags (0 for no route, which must come
 * with len, tag and gateway 0); tag in host order; gateway the 4 or 16
 * bytes of the field, in network order. They write what
 * rt_wire_set_answer() and its markers write (test_lookup_wire checks it).
 */
/* flags, prefix length, reserved and tag: the first 8 answer bytes of a slot. */
static inline void rt_wire_put_answer_head(uint8_t *a, uint8_t flags, uint8_t len, uint32_t tag)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* One big-endian 64-bit store (any C standard: no <endian.h> here). */
	uint64_t head = __builtin_bswap64((uint64_t)flags << 56 | (uint64_t)len << 48 | tag);

	memcpy(a, &head, 8);
#else
	a[0] = flags;
	a[1] = len;
	a[2] = 0;
	a[3] = 0;
	a[4] = (uint8_t)(tag >> 24);
	a[5] = (uint8_t)(tag >> 16);
	a[6] = (uint8_t)(tag >> 8);
	a[7] = (uint8_t)tag;
#endif
}

static inline void rt_wire_put_answer4(void *slot, uint8_t flags, uint8_t len, uint32_t tag,
				       const uint8_t *gateway)
{
	uint8_t *a = (uint8_t *)slot + RT_WIRE_SLOT4_ANSWER;

	rt_wire_put_answer_head(a, flags, len, tag);
	memcpy(a + 8, gateway, 4);
}

static inline void rt_wire_put_answer6(void *slot, uint8_t flags, uint8_t len, uint32_t tag,
				       const uint8_t *gateway)
{
	uint8_t *a = (uint8_t *)slot + RT_WIRE_SLOT6_ANSWER;

	rt_wire_put_answer_head(a, flags, len, tag);
	memcpy(a + 8, gateway, 16);
}

/* Server side: every slot of a parsed request answered "no route" (answer fields 0). */
void rt_wire_clear_answers(void *buf, const struct rt_wire_header *h);
/* Server side: turn a parsed request into its response (header only). */
void rt_wire_finish_response(void *buf, uint8_t status, uint64_t generation);

/* Client side: read slot i of a parsed response. */
void rt_wire_get_answer(const void *buf, const struct rt_wire_header *h, size_t i,
			struct rt_wire_answer *a);

#endif

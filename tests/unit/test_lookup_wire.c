/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UDP lookup wire format (lookup_wire.h): round trips, the exact bytes
 * of known datagrams (the worked examples of docs/lookup-protocol.md), every
 * refusal with its reason, and a randomized mutation test of the parsers.
 *
 * The mutation test prints its seed ("# seed N"); ROUTED_TEST_SEED sets it.
 * Mutated datagrams live in buffers of exactly their length, so an ASan
 * build catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <routed/lookup_wire.h>
#include <routed/prefix.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MUTATION_ROUNDS 20000

static unsigned long long seed;
static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return (unsigned)(rng() % n);
}

static struct rt_addr addr_ok(const char *text)
{
	char err[RT_ERR_LEN] = "";
	struct rt_addr a;

	if (rt_addr_parse(text, &a, err, sizeof(err)))
		fail_msg("rt_addr_parse(\"%s\"): %s", text, err);
	return a;
}

static struct rt_addr random_addr(unsigned family)
{
	struct rt_addr a = { .family = family == RT_WIRE_FAMILY4 ? AF_INET : AF_INET6 };

	for (size_t i = 0; i < (family == RT_WIRE_FAMILY4 ? 4u : 16u); i++)
		a.bytes[i] = (uint8_t)rng();
	return a;
}

static void assert_bytes_equal(const uint8_t *got, const uint8_t *want, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i])
			fail_msg("byte %zu: got 0x%02x, expected 0x%02x", i, got[i], want[i]);
}

static void assert_header_equal(const struct rt_wire_header *a, const struct rt_wire_header *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->table, b->table);
	assert_int_equal(a->status, b->status);
	assert_true(a->generation == b->generation);
}

static void assert_addr_equal(const struct rt_addr *a, const struct rt_addr *b)
{
	assert_int_equal(a->family, b->family);
	assert_memory_equal(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

static void assert_answer_equal(const struct rt_wire_answer *a, const struct rt_wire_answer *b)
{
	assert_addr_equal(&a->addr, &b->addr);
	assert_int_equal(a->found, b->found);
	assert_int_equal(a->len, b->len);
	assert_int_equal(a->has_gateway, b->has_gateway);
	assert_int_equal(a->gateway.family, b->gateway.family);
	if (a->has_gateway)
		assert_addr_equal(&a->gateway, &b->gateway);
	assert_int_equal(a->has_tag, b->has_tag);
	assert_int_equal(a->tag, b->tag);
}

static const unsigned families[] = { RT_WIRE_FAMILY4, RT_WIRE_FAMILY6 };

/* ---- sizes ---- */

static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(RT_WIRE_MAX_COUNT4, 75);
	assert_int_equal(RT_WIRE_MAX_COUNT6, 30);
	assert_int_equal(rt_wire_slot_len(4), 16);
	assert_int_equal(rt_wire_slot_len(6), 40);
	assert_int_equal(rt_wire_max_count(4), 75);
	assert_int_equal(rt_wire_max_count(6), 30);
	for (unsigned f = 0; f < 256; f++) {
		if (f == 4 || f == 6)
			continue;
		assert_int_equal(rt_wire_slot_len(f), 0);
		assert_int_equal(rt_wire_max_count(f), 0);
		assert_int_equal(rt_wire_datagram_len(f, 1), 0);
	}
	assert_int_equal(rt_wire_datagram_len(4, 0), 0);
	assert_int_equal(rt_wire_datagram_len(4, 1), 40);
	assert_int_equal(rt_wire_datagram_len(4, 75), 1224);
	assert_int_equal(rt_wire_datagram_len(4, 76), 0);
	assert_int_equal(rt_wire_datagram_len(6, 0), 0);
	assert_int_equal(rt_wire_datagram_len(6, 1), 64);
	assert_int_equal(rt_wire_datagram_len(6, 30), 1224);
	assert_int_equal(rt_wire_datagram_len(6, 31), 0);
	/* The largest datagram of either family fits the payload limit. */
	assert_true(rt_wire_datagram_len(4, 75) <= RT_WIRE_MAX_PAYLOAD);
	assert_true(rt_wire_datagram_len(6, 30) <= RT_WIRE_MAX_PAYLOAD);
}

/* ---- round trips ---- */

struct expected {
	struct rt_wire_answer answer[RT_WIRE_MAX_COUNT4];
};

/*
 * Encode a request for n random addresses (through the family's own encoder
 * or the rt_addr one), check it parses back, answer it like a server would,
 * and check the client reads exactly the answers written.
 */
static void round_trip(unsigned family, size_t n, bool via_rt_addr)
{
	uint8_t buf[RT_WIRE_MAX_PAYLOAD];
	struct rt_addr addrs[RT_WIRE_MAX_COUNT4];
	uint32_t addrs4[RT_WIRE_MAX_COUNT4];
	uint8_t addrs6[RT_WIRE_MAX_COUNT6][16];
	struct expected *want = calloc(1, sizeof(*want));
	uint32_t id = (uint32_t)rng(), table = (uint32_t)rng();
	uint64_t generation = rng();
	uint8_t status = (uint8_t)below(2);
	struct rt_wire_header h, r;
	size_t len, alen = family == RT_WIRE_FAMILY4 ? 4 : 16;

	assert_non_null(want);
	for (size_t i = 0; i < n; i++) {
		addrs[i] = random_addr(family);
		if (family == RT_WIRE_FAMILY4)
			addrs4[i] = rt_addr_to_v4(&addrs[i]);
		else
			memcpy(addrs6[i], addrs[i].bytes, 16);
	}
	memset(buf, 0xa5, sizeof(buf));
	if (via_rt_addr)
		len = rt_wire_encode_request(buf, sizeof(buf), id, table, family, addrs, n);
	else if (family == RT_WIRE_FAMILY4)
		len = rt_wire_encode_request4(buf, sizeof(buf), id, table, addrs4, n);
	else
		len = rt_wire_encode_request6(buf, sizeof(buf), id, table,
					      (const uint8_t(*)[16])addrs6, n);
	assert_int_equal(len, rt_wire_datagram_len(family, n));
	/* Nothing written past the datagram. */
	for (size_t i = len; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xa5);

	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	assert_int_equal(h.version, RT_WIRE_VERSION);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.family, family);
	assert_int_equal(h.count, n);
	assert_int_equal(h.id, id);
	assert_int_equal(h.table, table);
	assert_int_equal(h.status, 0);
	assert_true(h.generation == 0);
	/* A request is not a response. */
	assert_int_equal(rt_wire_parse_response(buf, len, &r), RT_WIRE_E_DIRECTION);
	for (size_t i = 0; i < n; i++) {
		if (family == RT_WIRE_FAMILY4)
			assert_int_equal(rt_wire_slot_addr4(buf, i), addrs4[i]);
		else
			assert_memory_equal(rt_wire_slot_addr6(buf, i), addrs6[i], 16);
	}

	for (size_t i = 0; i < n; i++) {
		struct rt_wire_answer *a = &want->answer[i];
		struct rt_addr gw = random_addr(family);
		bool found = below(4) != 0, has_gw = found && below(2), has_tag = found && below(2);

		a->addr = addrs[i];
		a->found = found;
		a->len = found ? (uint8_t)below((unsigned)alen * 8 + 1) : 0;
		a->has_gateway = has_gw;
		if (has_gw)
			a->gateway = gw;
		a->has_tag = has_tag;
		a->tag = has_tag ? (uint32_t)rng() : 0;
		rt_wire_set_answer(buf, &h, i, found, a->len, has_gw ? gw.bytes : NULL, has_tag,
				   a->tag);
	}
	rt_wire_finish_response(buf, status, generation);

	/* In place: the response is exactly as long as the request. */
	assert_int_equal(rt_wire_parse_response(buf, len, &r), RT_WIRE_OK);
	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_E_DIRECTION);
	assert_int_equal(r.flags, RT_WIRE_F_RESPONSE);
	assert_int_equal(r.family, family);
	assert_int_equal(r.count, n);
	assert_int_equal(r.id, id);
	assert_int_equal(r.table, table);
	assert_int_equal(r.status, status);
	assert_true(r.generation == generation);
	for (size_t i = 0; i < n; i++) {
		struct rt_wire_answer got;

		memset(&got, 0x5a, sizeof(got));
		rt_wire_get_answer(buf, &r, i, &got);
		assert_answer_equal(&got, &want->answer[i]);
	}
	free(want);
}

static void test_round_trip_limits(void **state)
{
	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		for (int via = 0; via < 2; via++) {
			round_trip(families[f], 1, via);
			round_trip(families[f], rt_wire_max_count(families[f]), via);
		}
	}
}

static void test_round_trip_random(void **state)
{
	(void)state;
	for (int i = 0; i < 500; i++) {
		unsigned family = families[below(2)];

		round_trip(family, 1 + below((unsigned)rt_wire_max_count(family)), below(2));
	}
}

/* The answer fields of a slot cleared by a later "not found". */
static void test_answer_overwritten(void **state)
{
	uint8_t buf[RT_WIRE_MAX_PAYLOAD], gw[16];
	struct rt_addr a = addr_ok("2001:db8::7");
	struct rt_wire_header h;
	struct rt_wire_answer got;
	size_t len;

	(void)state;
	memset(gw, 0xee, sizeof(gw));
	len = rt_wire_encode_request(buf, sizeof(buf), 1, 0, RT_WIRE_FAMILY6, &a, 1);
	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	rt_wire_set_answer(buf, &h, 0, true, 64, gw, true, 99);
	rt_wire_set_answer(buf, &h, 0, false, 64, gw, true, 99);
	/* Everything after the address is zero again. */
	for (size_t i = RT_WIRE_HEADER_LEN + 16; i < len; i++)
		assert_int_equal(buf[i], 0);
	rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, 1);
	assert_int_equal(rt_wire_parse_response(buf, len, &h), RT_WIRE_OK);
	rt_wire_get_answer(buf, &h, 0, &got);
	assert_false(got.found);
	assert_false(got.has_gateway);
	assert_false(got.has_tag);
	assert_int_equal(got.len, 0);
	assert_addr_equal(&got.addr, &a);
}

/*
 * A rejecting route's answer: found, flag 0x08, no gateway (even one given
 * to rt_wire_set_answer() is cleared), the tag kept. A slot without a
 * route stays all zero.
 */
static void test_reject_flag(void **state)
{
	uint8_t buf[RT_WIRE_MAX_PAYLOAD], gw[16];
	struct rt_addr a[2] = { addr_ok("10.1.2.3"), addr_ok("10.9.9.9") };
	struct rt_wire_header h;
	struct rt_wire_answer got;
	size_t len;

	(void)state;
	memset(gw, 0xee, sizeof(gw));
	len = rt_wire_encode_request(buf, sizeof(buf), 1, 0, RT_WIRE_FAMILY4, a, 2);
	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	rt_wire_set_answer(buf, &h, 0, true, 8, gw, true, 5);
	rt_wire_set_reject(buf, &h, 0);
	rt_wire_set_answer(buf, &h, 1, false, 0, NULL, false, 0);
	rt_wire_set_reject(buf, &h, 1);
	rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, 1);
	/* slot 0: address, flags, length, reserved, tag, gateway */
	assert_int_equal(buf[RT_WIRE_HEADER_LEN + 4], RT_WIRE_A_FOUND | RT_WIRE_A_TAG | RT_WIRE_A_REJECT);
	assert_int_equal(buf[RT_WIRE_HEADER_LEN + 4], 0x0d);
	assert_int_equal(buf[RT_WIRE_HEADER_LEN + 5], 8);
	for (size_t i = 12; i < 16; i++)
		assert_int_equal(buf[RT_WIRE_HEADER_LEN + i], 0);
	for (size_t i = 4; i < 16; i++)
		assert_int_equal(buf[RT_WIRE_HEADER_LEN + RT_WIRE_SLOT4_LEN + i], 0);
	assert_int_equal(rt_wire_parse_response(buf, len, &h), RT_WIRE_OK);
	rt_wire_get_answer(buf, &h, 0, &got);
	assert_true(got.found && got.reject && !got.has_gateway && got.has_tag);
	assert_int_equal(got.gateway.family, 0);
	assert_int_equal(got.tag, 5);
	rt_wire_get_answer(buf, &h, 1, &got);
	assert_false(got.found || got.reject);
}

/*
 * A multipath route's answer: found, gateway (the chosen next hop), flag
 * 0x10; a slot without a route does not take the flag. IPv6 slots too.
 */
static void test_multipath_flag(void **state)
{
	uint8_t buf[RT_WIRE_MAX_PAYLOAD], gw[16];
	struct rt_addr a[2] = { addr_ok("2001:db8::1"), addr_ok("2001:db8::2") };
	struct rt_wire_header h;
	struct rt_wire_answer got;
	size_t len;

	(void)state;
	memset(gw, 0xab, sizeof(gw));
	len = rt_wire_encode_request(buf, sizeof(buf), 7, 0, RT_WIRE_FAMILY6, a, 2);
	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	rt_wire_set_answer(buf, &h, 0, true, 32, gw, false, 0);
	rt_wire_set_multipath(buf, &h, 0);
	rt_wire_set_answer(buf, &h, 1, false, 0, NULL, false, 0);
	rt_wire_set_multipath(buf, &h, 1);
	rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, 1);
	assert_int_equal(buf[RT_WIRE_HEADER_LEN + 16], 0x13);
	assert_int_equal(buf[RT_WIRE_HEADER_LEN + RT_WIRE_SLOT6_LEN + 16], 0);
	assert_int_equal(rt_wire_parse_response(buf, len, &h), RT_WIRE_OK);
	rt_wire_get_answer(buf, &h, 0, &got);
	assert_true(got.found && got.multipath && got.has_gateway && !got.reject);
	assert_memory_equal(got.gateway.bytes, gw, 16);
	rt_wire_get_answer(buf, &h, 1, &got);
	assert_false(got.found || got.multipath);
}

/* ---- known bytes (docs/lookup-protocol.md, "Examples") ---- */

static const uint8_t example4_request[] = {
	0x01, 0x00, 0x04, 0x02, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 10.1.2.3 */
	0x0a, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	/* 198.51.100.7 */
	0xc6, 0x33, 0x64, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static const uint8_t example4_response[] = {
	0x01, 0x01, 0x04, 0x02, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11,
	/* 10.1.2.3: found, gateway, tag; /8, tag 7, via 192.0.2.1 */
	0x0a, 0x01, 0x02, 0x03, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
	0xc0, 0x00, 0x02, 0x01,
	/* 198.51.100.7: no route */
	0xc6, 0x33, 0x64, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static const uint8_t example6_request[] = {
	0x01, 0x00, 0x06, 0x01, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x64,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 2001:db8::1 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t example6_response[] = {
	0x01, 0x01, 0x06, 0x01, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x64,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* found, gateway; /32, via fe80::1 */
	0x03, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
};

static const uint8_t example_no_table[] = {
	0x01, 0x01, 0x04, 0x01, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x03, 0xe7,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0a, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static void test_known_bytes_v4(void **state)
{
	const uint32_t addrs[] = { 0x0a010203, 0xc6336407 };
	const uint8_t gw[4] = { 192, 0, 2, 1 };
	uint8_t buf[RT_WIRE_MAX_PAYLOAD];
	struct rt_wire_header h;
	struct rt_wire_answer a;
	size_t len;

	(void)state;
	len = rt_wire_encode_request4(buf, sizeof(buf), 0x12345678, 0, addrs, 2);
	assert_int_equal(len, sizeof(example4_request));
	assert_bytes_equal(buf, example4_request, len);

	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	rt_wire_set_answer(buf, &h, 0, true, 8, gw, true, 7);
	rt_wire_set_answer(buf, &h, 1, false, 0, NULL, false, 0);
	rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, 17);
	assert_bytes_equal(buf, example4_response, len);

	/* And the client reads the hand-written bytes back. */
	assert_int_equal(rt_wire_parse_response(example4_response, sizeof(example4_response), &h),
			 RT_WIRE_OK);
	assert_int_equal(h.id, 0x12345678);
	assert_int_equal(h.table, 0);
	assert_int_equal(h.status, RT_WIRE_STATUS_OK);
	assert_true(h.generation == 17);
	rt_wire_get_answer(example4_response, &h, 0, &a);
	assert_int_equal(rt_addr_to_v4(&a.addr), 0x0a010203);
	assert_true(a.found && a.has_gateway && a.has_tag);
	assert_int_equal(a.len, 8);
	assert_int_equal(a.tag, 7);
	assert_int_equal(rt_addr_to_v4(&a.gateway), 0xc0000201);
	rt_wire_get_answer(example4_response, &h, 1, &a);
	assert_int_equal(rt_addr_to_v4(&a.addr), 0xc6336407);
	assert_false(a.found);
}

static void test_known_bytes_v6(void **state)
{
	struct rt_addr addr = addr_ok("2001:db8::1"), gw = addr_ok("fe80::1");
	uint8_t buf[RT_WIRE_MAX_PAYLOAD];
	struct rt_wire_header h;
	struct rt_wire_answer a;
	size_t len;

	(void)state;
	len = rt_wire_encode_request(buf, sizeof(buf), 42, 100, RT_WIRE_FAMILY6, &addr, 1);
	assert_int_equal(len, sizeof(example6_request));
	assert_bytes_equal(buf, example6_request, len);
	/* The family encoder writes the same bytes. */
	memset(buf, 0xff, sizeof(buf));
	len = rt_wire_encode_request6(buf, sizeof(buf), 42, 100,
				      (const uint8_t(*)[16])addr.bytes, 1);
	assert_bytes_equal(buf, example6_request, len);

	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	rt_wire_set_answer(buf, &h, 0, true, 32, gw.bytes, false, 0);
	rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, 0x100000002ull);
	assert_bytes_equal(buf, example6_response, len);

	assert_int_equal(rt_wire_parse_response(example6_response, sizeof(example6_response), &h),
			 RT_WIRE_OK);
	assert_int_equal(h.id, 42);
	assert_int_equal(h.table, 100);
	assert_true(h.generation == 0x100000002ull);
	rt_wire_get_answer(example6_response, &h, 0, &a);
	assert_addr_equal(&a.addr, &addr);
	assert_true(a.found && a.has_gateway && !a.has_tag);
	assert_int_equal(a.len, 32);
	assert_addr_equal(&a.gateway, &gw);
}

static void test_known_bytes_no_table(void **state)
{
	const uint32_t addr = 0x0a010203;
	uint8_t buf[RT_WIRE_MAX_PAYLOAD];
	struct rt_wire_header h;
	struct rt_wire_answer a;
	size_t len;

	(void)state;
	len = rt_wire_encode_request4(buf, sizeof(buf), 7, 999, &addr, 1);
	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	rt_wire_set_answer(buf, &h, 0, false, 0, NULL, false, 0);
	rt_wire_finish_response(buf, RT_WIRE_STATUS_NO_TABLE, 0);
	assert_int_equal(len, sizeof(example_no_table));
	assert_bytes_equal(buf, example_no_table, len);
	assert_int_equal(rt_wire_parse_response(buf, len, &h), RT_WIRE_OK);
	assert_int_equal(h.status, RT_WIRE_STATUS_NO_TABLE);
	assert_int_equal(h.table, 999);
	rt_wire_get_answer(buf, &h, 0, &a);
	assert_false(a.found);
}

/* rt_wire_clear_answers() writes "no route" over whatever the slots held. */
static void test_clear_answers(void **state)
{
	const uint32_t addr = 0x0a010203;
	uint8_t buf[RT_WIRE_MAX_PAYLOAD];
	struct rt_wire_header h;
	size_t len;

	(void)state;
	len = rt_wire_encode_request4(buf, sizeof(buf), 7, 999, &addr, 1);
	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	memset(buf + RT_WIRE_HEADER_LEN + RT_WIRE_SLOT4_ANSWER, 0xa5,
	       RT_WIRE_SLOT4_LEN - RT_WIRE_SLOT4_ANSWER);
	rt_wire_clear_answers(buf, &h);
	rt_wire_finish_response(buf, RT_WIRE_STATUS_NO_TABLE, 0);
	assert_bytes_equal(buf, example_no_table, len);
}

/*
 * The answer path's writers, rt_wire_put_answer4/6(), write every answer
 * byte exactly as rt_wire_set_answer() and its markers do, over poisoned
 * slots: found or not, gateway, tag, reject, multipath in every mix.
 */
static void test_put_answer(void **state)
{
	uint8_t want[RT_WIRE_MAX_PAYLOAD], got[RT_WIRE_MAX_PAYLOAD];

	(void)state;
	for (int round = 0; round < 2000; round++) {
		unsigned family = round & 1 ? RT_WIRE_FAMILY6 : RT_WIRE_FAMILY4;
		size_t n = 1 + below((unsigned)rt_wire_max_count(family));
		size_t slot = rt_wire_slot_len(family), len, alen = family == RT_WIRE_FAMILY4 ? 4 : 16;
		size_t answer = family == RT_WIRE_FAMILY4 ? RT_WIRE_SLOT4_ANSWER : RT_WIRE_SLOT6_ANSWER;
		struct rt_addr addrs[RT_WIRE_MAX_COUNT4];
		struct rt_wire_header h;

		for (size_t i = 0; i < n; i++)
			addrs[i] = random_addr(family);
		len = rt_wire_encode_request(want, sizeof(want), 1, 0, family, addrs, n);
		assert_int_equal(rt_wire_parse_request(want, len, &h), RT_WIRE_OK);
		memcpy(got, want, len);
		for (size_t i = 0; i < n; i++) {
			struct rt_addr gw = random_addr(family);
			bool found = below(4) != 0, reject = found && below(4) == 0;
			bool has_gw = found && !reject && below(3) != 0;
			bool mp = found && !reject && below(3) == 0, has_tag = found && below(2);
			uint8_t plen = found ? (uint8_t)below((unsigned)alen * 8 + 1) : 0;
			uint32_t tag = has_tag ? (uint32_t)rng() : 0;
			uint8_t flags = (uint8_t)((found ? RT_WIRE_A_FOUND : 0) |
						  (has_gw ? RT_WIRE_A_GATEWAY : 0) |
						  (has_tag ? RT_WIRE_A_TAG : 0) |
						  (reject ? RT_WIRE_A_REJECT : 0) |
						  (mp ? RT_WIRE_A_MULTIPATH : 0));
			uint8_t *s = got + RT_WIRE_HEADER_LEN + i * slot;

			if (!has_gw)
				memset(gw.bytes, 0, sizeof(gw.bytes));
			rt_wire_set_answer(want, &h, i, found, plen, has_gw ? gw.bytes : NULL,
					   has_tag, tag);
			if (reject)
				rt_wire_set_reject(want, &h, i);
			if (mp)
				rt_wire_set_multipath(want, &h, i);
			memset(s + answer, 0xa5, slot - answer);
			if (family == RT_WIRE_FAMILY4)
				rt_wire_put_answer4(s, flags, plen, tag, gw.bytes);
			else
				rt_wire_put_answer6(s, flags, plen, tag, gw.bytes);
		}
		assert_bytes_equal(got, want, len);
	}
}

/* Every multi-byte field is big-endian, whatever the host order. */
static void test_big_endian(void **state)
{
	const uint32_t addr = 0x01020304;
	uint8_t buf[RT_WIRE_MAX_PAYLOAD];
	const uint8_t gw[4] = { 9, 8, 7, 6 };
	struct rt_wire_header h;
	size_t len;

	(void)state;
	len = rt_wire_encode_request4(buf, sizeof(buf), 0xa1b2c3d4, 0xe5f60718, &addr, 1);
	assert_int_equal(len, 40);
	assert_bytes_equal(buf + 4, (const uint8_t[]){ 0xa1, 0xb2, 0xc3, 0xd4 }, 4);
	assert_bytes_equal(buf + 8, (const uint8_t[]){ 0xe5, 0xf6, 0x07, 0x18 }, 4);
	assert_bytes_equal(buf + 24, (const uint8_t[]){ 1, 2, 3, 4 }, 4);
	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	rt_wire_set_answer(buf, &h, 0, true, 30, gw, true, 0x0badcafe);
	rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, 0x0102030405060708ull);
	assert_bytes_equal(buf + 16, (const uint8_t[]){ 1, 2, 3, 4, 5, 6, 7, 8 }, 8);
	assert_bytes_equal(buf + 24 + 4, (const uint8_t[]){ 0x07, 30, 0, 0 }, 4);
	assert_bytes_equal(buf + 24 + 8, (const uint8_t[]){ 0x0b, 0xad, 0xca, 0xfe }, 4);
	assert_bytes_equal(buf + 24 + 12, gw, 4);
}

/* ---- refusals ---- */

/* A valid datagram of family with count slots; request or response. */
static size_t valid(uint8_t *buf, size_t cap, unsigned family, size_t count, bool response)
{
	struct rt_addr addrs[RT_WIRE_MAX_COUNT4];
	struct rt_wire_header h;
	size_t len;

	for (size_t i = 0; i < count; i++)
		addrs[i] = random_addr(family);
	len = rt_wire_encode_request(buf, cap, 5, 254, family, addrs, count);
	assert_int_not_equal(len, 0);
	if (response) {
		assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
		rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, 3);
	}
	return len;
}

/* Parse buf[0..len) from a heap copy of exactly len bytes (ASan sees overreads). */
static enum rt_wire_error parse_copy(const uint8_t *buf, size_t len, bool response)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct rt_wire_header h;
	enum rt_wire_error e;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	e = response ? rt_wire_parse_response(copy, len, &h)
		     : rt_wire_parse_request(copy, len, &h);
	free(copy);
	return e;
}

/* Check a case against both parsers: want for its own direction. */
static void expect(const uint8_t *buf, size_t len, bool response, enum rt_wire_error want,
		   const char *what)
{
	enum rt_wire_error got = parse_copy(buf, len, response);

	if (got != want)
		fail_msg("%s (%s, %zu bytes): got %s, expected %s", what,
			 response ? "response" : "request", len, rt_wire_error_name(got),
			 rt_wire_error_name(want));
}

static void test_malformed(void **state)
{
	uint8_t buf[RT_WIRE_MAX_PAYLOAD + 64], big[RT_WIRE_MAX_PAYLOAD + 64];
	size_t len;

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		unsigned fam = families[f];
		size_t slot = rt_wire_slot_len(fam), max = rt_wire_max_count(fam);

		for (int resp = 0; resp < 2; resp++) {
			/* The valid baseline, at 1 and at max slots. */
			len = valid(buf, sizeof(buf), fam, 1, resp);
			expect(buf, len, resp, RT_WIRE_OK, "valid");
			len = valid(buf, sizeof(buf), fam, max, resp);
			expect(buf, len, resp, RT_WIRE_OK, "valid, max count");

			/* Oversize: checked first, whatever the bytes say. */
			memset(big, 0, sizeof(big));
			memcpy(big, buf, len);
			expect(big, RT_WIRE_MAX_PAYLOAD + 1, resp, RT_WIRE_E_OVERSIZE,
			       "1233 bytes");
			expect(big, sizeof(big), resp, RT_WIRE_E_OVERSIZE, "1296 bytes");
			expect(big, RT_WIRE_MAX_PAYLOAD, resp, RT_WIRE_E_LENGTH,
			       "1232 bytes, max count");

			/* Short: 0 to 23 bytes. */
			len = valid(buf, sizeof(buf), fam, 1, resp);
			for (size_t l = 0; l < RT_WIRE_HEADER_LEN; l++)
				expect(buf, l, resp, RT_WIRE_E_SHORT, "shorter than the header");

			/* Version. */
			for (unsigned v = 0; v < 256; v++) {
				if (v == RT_WIRE_VERSION)
					continue;
				buf[0] = (uint8_t)v;
				expect(buf, len, resp, RT_WIRE_E_VERSION, "version");
			}
			buf[0] = RT_WIRE_VERSION;

			/* Direction, both ways. */
			buf[1] ^= RT_WIRE_F_RESPONSE;
			expect(buf, len, resp, RT_WIRE_E_DIRECTION, "wrong direction");
			expect(buf, len, !resp, RT_WIRE_OK, "the other parser");
			buf[1] ^= RT_WIRE_F_RESPONSE;

			/* Unknown flag bits, each one. */
			for (unsigned bit = 1; bit < 8; bit++) {
				buf[1] ^= (uint8_t)(1u << bit);
				expect(buf, len, resp, RT_WIRE_E_FLAGS, "unknown flag bit");
				buf[1] ^= (uint8_t)(1u << bit);
			}
			/* Nonzero reserved header bytes 13..15. */
			for (size_t i = 13; i < 16; i++) {
				buf[i] = 0x80;
				expect(buf, len, resp, RT_WIRE_E_FLAGS, "reserved header byte");
				buf[i] = 0x01;
				expect(buf, len, resp, RT_WIRE_E_FLAGS, "reserved header byte");
				buf[i] = 0;
			}

			/* Family. */
			for (size_t k = 0; k < 3; k++) {
				buf[2] = (uint8_t[]){ 0, 5, 255 }[k];
				expect(buf, len, resp, RT_WIRE_E_FAMILY, "family");
			}
			buf[2] = (uint8_t)fam;

			/* Count: zero, over the maximum (with a matching length, too). */
			buf[3] = 0;
			expect(buf, len, resp, RT_WIRE_E_ZERO_COUNT, "zero count");
			expect(buf, RT_WIRE_HEADER_LEN, resp, RT_WIRE_E_ZERO_COUNT,
			       "zero count, header only");
			for (unsigned c = (unsigned)max + 1; c < 256; c++) {
				buf[3] = (uint8_t)c;
				expect(buf, len, resp, RT_WIRE_E_COUNT, "count over max");
			}
			memset(big, 0, sizeof(big));
			len = valid(big, sizeof(big), fam, max, resp);
			big[3] = (uint8_t)(max + 1);
			expect(big, len + slot <= RT_WIRE_MAX_PAYLOAD ? len + slot : len, resp,
			       RT_WIRE_E_COUNT, "count max+1 with its length");

			/* Length: one byte and one slot too short or too long. */
			len = valid(buf, sizeof(buf), fam, 2, resp);
			expect(buf, len - 1, resp, RT_WIRE_E_LENGTH, "one byte short");
			expect(buf, len + 1, resp, RT_WIRE_E_LENGTH, "one byte long");
			expect(buf, len - slot, resp, RT_WIRE_E_LENGTH, "one slot short");
			expect(buf, len + slot, resp, RT_WIRE_E_LENGTH, "one slot long");
			expect(buf, RT_WIRE_HEADER_LEN, resp, RT_WIRE_E_LENGTH, "no slots at all");
			len = valid(buf, sizeof(buf), fam, max, resp);
			expect(buf, len - 1, resp, RT_WIRE_E_LENGTH, "max count, one byte short");
			expect(buf, len + 1, resp, RT_WIRE_E_LENGTH, "max count, one byte long");
			expect(buf, len - slot, resp, RT_WIRE_E_LENGTH, "max count, one slot short");
		}
	}
}

/* Several faults at once: the documented order decides which is reported. */
static void test_check_order(void **state)
{
	uint8_t buf[RT_WIRE_MAX_PAYLOAD + 8];
	size_t len;

	(void)state;
	memset(buf, 0, sizeof(buf));
	len = valid(buf, sizeof(buf), RT_WIRE_FAMILY4, 1, false);
	buf[0] = 2;
	buf[1] = 0xff;
	buf[2] = 9;
	buf[3] = 0;
	expect(buf, RT_WIRE_MAX_PAYLOAD + 1, false, RT_WIRE_E_OVERSIZE, "oversize first");
	expect(buf, 3, false, RT_WIRE_E_SHORT, "then short");
	expect(buf, len, false, RT_WIRE_E_VERSION, "then version");
	buf[0] = 1;
	expect(buf, len, false, RT_WIRE_E_DIRECTION, "then direction");
	buf[1] = 0xfe;
	expect(buf, len, false, RT_WIRE_E_FLAGS, "then flags");
	buf[1] = 0;
	expect(buf, len, false, RT_WIRE_E_FAMILY, "then family");
	buf[2] = 4;
	expect(buf, len + 1, false, RT_WIRE_E_ZERO_COUNT, "then zero count");
	buf[3] = 200;
	expect(buf, len + 1, false, RT_WIRE_E_COUNT, "then count");
	buf[3] = 1;
	expect(buf, len + 1, false, RT_WIRE_E_LENGTH, "then length");
	expect(buf, len, false, RT_WIRE_OK, "and then it is fine");
}

static void test_encode_refusals(void **state)
{
	uint8_t buf[RT_WIRE_MAX_PAYLOAD + 64];
	uint32_t addrs4[RT_WIRE_MAX_COUNT4 + 1] = { 0 };
	uint8_t addrs6[RT_WIRE_MAX_COUNT6 + 1][16] = { { 0 } };
	struct rt_addr v4[RT_WIRE_MAX_COUNT4 + 1], v6[RT_WIRE_MAX_COUNT6 + 1];
	const uint8_t(*a6)[16] = (const uint8_t(*)[16])addrs6;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v4); i++)
		v4[i] = random_addr(RT_WIRE_FAMILY4);
	for (size_t i = 0; i < ARRAY_SIZE(v6); i++)
		v6[i] = random_addr(RT_WIRE_FAMILY6);

	/* n = 0 and n > max. */
	assert_int_equal(rt_wire_encode_request4(buf, sizeof(buf), 1, 0, addrs4, 0), 0);
	assert_int_equal(rt_wire_encode_request6(buf, sizeof(buf), 1, 0, a6, 0), 0);
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 4, v4, 0), 0);
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 6, v6, 0), 0);
	assert_int_equal(rt_wire_encode_request4(buf, sizeof(buf), 1, 0, addrs4, 76), 0);
	assert_int_equal(rt_wire_encode_request6(buf, sizeof(buf), 1, 0, a6, 31), 0);
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 4, v4, 76), 0);
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 6, v6, 31), 0);

	/* cap one byte too small, then exactly enough. */
	assert_int_equal(rt_wire_encode_request4(buf, 39, 1, 0, addrs4, 1), 0);
	assert_int_equal(rt_wire_encode_request4(buf, 40, 1, 0, addrs4, 1), 40);
	assert_int_equal(rt_wire_encode_request6(buf, 63, 1, 0, a6, 1), 0);
	assert_int_equal(rt_wire_encode_request6(buf, 64, 1, 0, a6, 1), 64);
	assert_int_equal(rt_wire_encode_request(buf, 1223, 1, 0, 4, v4, 75), 0);
	assert_int_equal(rt_wire_encode_request(buf, 1224, 1, 0, 4, v4, 75), 1224);
	assert_int_equal(rt_wire_encode_request(buf, 0, 1, 0, 6, v6, 1), 0);

	/* A refused encode writes nothing. */
	memset(buf, 0x77, sizeof(buf));
	assert_int_equal(rt_wire_encode_request4(buf, 39, 1, 0, addrs4, 1), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x77);

	/* Wrong family, anywhere in the array; unknown families. */
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 4, v6, 1), 0);
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 6, v4, 1), 0);
	v4[3] = v6[0];
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 4, v4, 5), 0);
	v4[3].family = 0;
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 4, v4, 5), 0);
	v4[3] = random_addr(RT_WIRE_FAMILY4);
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 4, v4, 5),
			 rt_wire_datagram_len(4, 5));
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 0, v4, 1), 0);
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, 5, v6, 1), 0);
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, AF_INET, v4, 1), 0);
	assert_int_equal(rt_wire_encode_request(buf, sizeof(buf), 1, 0, AF_INET6, v6, 1), 0);
}

static void test_error_names(void **state)
{
	static const struct {
		enum rt_wire_error e;
		const char *name;
	} names[] = {
		{ RT_WIRE_OK, "ok" },
		{ RT_WIRE_E_SHORT, "short" },
		{ RT_WIRE_E_VERSION, "version" },
		{ RT_WIRE_E_DIRECTION, "direction" },
		{ RT_WIRE_E_FLAGS, "flags" },
		{ RT_WIRE_E_FAMILY, "family" },
		{ RT_WIRE_E_ZERO_COUNT, "zero_count" },
		{ RT_WIRE_E_COUNT, "count" },
		{ RT_WIRE_E_LENGTH, "length" },
		{ RT_WIRE_E_OVERSIZE, "oversize" },
	};

	(void)state;
	/* Every value is listed here, once. */
	assert_int_equal(ARRAY_SIZE(names), RT_WIRE_E_COUNT_);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		assert_int_equal(names[i].e, i);
		assert_string_equal(rt_wire_error_name(names[i].e), names[i].name);
	}
	assert_string_equal(rt_wire_error_name(RT_WIRE_E_COUNT_), "unknown");
	assert_string_equal(rt_wire_error_name((enum rt_wire_error)-1), "unknown");
	assert_string_equal(rt_wire_error_name((enum rt_wire_error)1000), "unknown");
}

/* ---- mutations ---- */

/* A random valid datagram: a request, or a response with random answers. */
static size_t random_datagram(uint8_t *buf, bool *response)
{
	unsigned family = families[below(2)];
	size_t n = 1 + below((unsigned)rt_wire_max_count(family));
	struct rt_addr addrs[RT_WIRE_MAX_COUNT4];
	struct rt_wire_header h;
	size_t len;

	for (size_t i = 0; i < n; i++)
		addrs[i] = random_addr(family);
	len = rt_wire_encode_request(buf, RT_WIRE_MAX_PAYLOAD, (uint32_t)rng(), (uint32_t)rng(),
				     family, addrs, n);
	*response = below(2);
	if (!*response)
		return len;
	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	for (size_t i = 0; i < n; i++) {
		struct rt_addr gw = random_addr(family);

		rt_wire_set_answer(buf, &h, i, below(2), (uint8_t)rng(), below(2) ? gw.bytes : NULL,
				   below(2), (uint32_t)rng());
	}
	rt_wire_finish_response(buf, (uint8_t)below(3), rng());
	return len;
}

/* Flip bits, overwrite bytes, truncate or extend: a length in [0, cap]. */
static size_t mutate(uint8_t *buf, size_t len, size_t cap)
{
	unsigned edits = 1 + below(4);

	for (unsigned k = 0; k < edits; k++) {
		switch (below(5)) {
		case 0: /* flip a bit, mostly in the header where the checks are */
			if (len) {
				size_t at = below(3) ? below(RT_WIRE_HEADER_LEN) : below((unsigned)len);

				if (at < len)
					buf[at] ^= (uint8_t)(1u << below(8));
			}
			break;
		case 1: /* overwrite a byte */
			if (len)
				buf[below((unsigned)len)] = (uint8_t)rng();
			break;
		case 2: /* truncate */
			len = below((unsigned)len + 1);
			break;
		case 3: /* extend by a few bytes or by slots */
			for (size_t add = below(2) ? 1 + below(8) : 16u * (1 + below(3));
			     add && len < cap; add--)
				buf[len++] = (uint8_t)rng();
			break;
		default: /* a header field set to an edge value */
			if (len > 3)
				buf[below(4)] = (uint8_t[]){ 0, 1, 4, 6, 30, 31, 75, 76, 255 }[below(9)];
			break;
		}
	}
	return len;
}

/*
 * An accepted datagram says what it holds: rebuilding it from what the
 * parser and rt_wire_get_answer() read gives the same reading.
 */
static void check_accepted(const uint8_t *dg, size_t len, bool response,
			   const struct rt_wire_header *h)
{
	struct rt_addr addrs[RT_WIRE_MAX_COUNT4];
	struct rt_wire_answer *answers = calloc(RT_WIRE_MAX_COUNT4, sizeof(*answers));
	uint8_t rebuilt[RT_WIRE_MAX_PAYLOAD];
	struct rt_wire_header h2;
	size_t len2;

	assert_non_null(answers);
	assert_int_equal(len, rt_wire_datagram_len(h->family, h->count));
	assert_int_equal(h->version, RT_WIRE_VERSION);
	assert_int_equal(h->flags, response ? RT_WIRE_F_RESPONSE : 0);

	/* Parsing again gives the same header. */
	assert_int_equal(response ? rt_wire_parse_response(dg, len, &h2)
				  : rt_wire_parse_request(dg, len, &h2),
			 RT_WIRE_OK);
	assert_header_equal(&h2, h);

	for (size_t i = 0; i < h->count; i++) {
		rt_wire_get_answer(dg, h, i, &answers[i]);
		addrs[i] = answers[i].addr;
		if (h->family == RT_WIRE_FAMILY4)
			assert_int_equal(rt_wire_slot_addr4(dg, i), rt_addr_to_v4(&addrs[i]));
		else
			assert_memory_equal(rt_wire_slot_addr6(dg, i), addrs[i].bytes, 16);
	}
	len2 = rt_wire_encode_request(rebuilt, sizeof(rebuilt), h->id, h->table, h->family, addrs,
				      h->count);
	assert_int_equal(len2, len);
	assert_int_equal(rt_wire_parse_request(rebuilt, len2, &h2), RT_WIRE_OK);
	if (response) {
		for (size_t i = 0; i < h->count; i++) {
			const struct rt_wire_answer *a = &answers[i];

			rt_wire_set_answer(rebuilt, &h2, i, a->found, a->len,
					   a->has_gateway ? a->gateway.bytes : NULL, a->has_tag,
					   a->tag);
		}
		rt_wire_finish_response(rebuilt, h->status, h->generation);
		assert_int_equal(rt_wire_parse_response(rebuilt, len2, &h2), RT_WIRE_OK);
		assert_header_equal(&h2, h);
		for (size_t i = 0; i < h->count; i++) {
			struct rt_wire_answer again;

			rt_wire_get_answer(rebuilt, &h2, i, &again);
			assert_answer_equal(&again, &answers[i]);
		}
	} else {
		assert_int_equal(h2.id, h->id);
		assert_int_equal(h2.table, h->table);
		assert_int_equal(h2.family, h->family);
		assert_int_equal(h2.count, h->count);
	}
	free(answers);
}

static void test_mutations(void **state)
{
	uint8_t work[RT_WIRE_MAX_PAYLOAD + 64];
	unsigned long accepted = 0, refused[RT_WIRE_E_COUNT_] = { 0 };

	(void)state;
	for (unsigned round = 0; round < MUTATION_ROUNDS; round++) {
		bool response;
		size_t len = random_datagram(work, &response);
		uint8_t *dg;

		len = mutate(work, len, sizeof(work));
		/* Exactly len bytes on the heap: one byte more read is an ASan error. */
		dg = malloc(len ? len : 1);
		assert_non_null(dg);
		memcpy(dg, work, len);
		for (int dir = 0; dir < 2; dir++) {
			struct rt_wire_header h;
			enum rt_wire_error e = dir ? rt_wire_parse_response(dg, len, &h)
						   : rt_wire_parse_request(dg, len, &h);

			assert_true((unsigned)e < RT_WIRE_E_COUNT_);
			if (e == RT_WIRE_OK) {
				accepted++;
				check_accepted(dg, len, dir, &h);
			} else {
				refused[e]++;
			}
		}
		free(dg);
	}
	print_message("# %u mutated datagrams: %lu parses accepted; refused:", MUTATION_ROUNDS,
		      accepted);
	for (int e = 1; e < RT_WIRE_E_COUNT_; e++)
		print_message(" %s %lu", rt_wire_error_name(e), refused[e]);
	print_message("\n");
	/* The mutations reach both outcomes (else the test checks little). */
	assert_true(accepted > 0);
	for (int e = 1; e < RT_WIRE_E_COUNT_; e++)
		if (!refused[e])
			fail_msg("no mutation was refused as %s (seed %llu)", rt_wire_error_name(e),
				 seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_round_trip_limits),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_reject_flag),
		cmocka_unit_test(test_multipath_flag),
		cmocka_unit_test(test_answer_overwritten),
		cmocka_unit_test(test_known_bytes_v4),
		cmocka_unit_test(test_known_bytes_v6),
		cmocka_unit_test(test_known_bytes_no_table),
		cmocka_unit_test(test_clear_answers),
		cmocka_unit_test(test_put_answer),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_check_order),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_error_names),
		cmocka_unit_test(test_mutations),
	};
	const char *s = getenv("ROUTED_TEST_SEED");

	if (s && *s)
		seed = strtoull(s, NULL, 0);
	else
		seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
	rng_state = seed;
	printf("# seed %llu\n", seed);
	fflush(stdout);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

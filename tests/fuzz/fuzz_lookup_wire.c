/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UDP lookup protocol (lib/lookup_wire.c): the input is one datagram.
 * It is parsed as a request and as a response; a request that parses is
 * answered the way routed's lookup service answers it (in place, from a
 * real table, docs/lookup-protocol.md) and the answer is read back as a
 * client reads it.
 *
 * Invariants: the checks come in their documented order; a response has
 * the request's length (never more), header and addresses, and parses as
 * a response but not as a request; every answer matches a naive
 * longest-prefix match over the table's routes; re-encoding the addresses
 * gives the request's slots, through each encoder alike; any response that
 * parses can be read slot by slot.
 */
#include <config.h>

#include <sys/socket.h>

#include <routed/lookup_wire.h>
#include <routed/routefile.h>
#include <routed/table.h>

#include "fuzz.h"

/* Nested prefixes of both families, with and without gateway and tag. */
static const char *const route_lines[] = {
	"0.0.0.0/1 via 192.0.2.1 metric 100",
	"10.0.0.0/8 via 192.0.2.2 tag 7",
	"10.1.0.0/16 dev eth0",
	"10.1.2.0/24 via 192.0.2.3 dev eth1 tag 0",
	"10.1.2.128/25 via 192.0.2.4",
	"10.1.2.200/32 via 192.0.2.5 tag 4294967295",
	"172.16.0.0/12 via 198.51.100.1",
	"192.168.0.0/17 dev lo",
	"192.168.128.0/23 via 203.0.113.9 tag 1",
	"255.255.255.255 dev bcast",
	"2000::/3 via 2001:db8::4 metric 5",
	"2001:db8::/32 via 2001:db8::1 tag 64500",
	"2001:db8:1::/48 dev eth2",
	"2001:db8:1:2::/64 via fe80::1",
	"2001:db8:1:2::/127 via 2001:db8::3",
	"2001:db8:1:2::1 via 2001:db8::2 tag 9",
	"::ffff:0:0/96 via ::ffff:192.0.2.1",
	"fe80::/10 dev eth3",
	"ff00::/8 via 2001:db8::ff",
};
#define N_ROUTES (sizeof(route_lines) / sizeof(route_lines[0]))

static struct rt_route routes[N_ROUTES];
static struct rt_table *table;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[RT_ERR_LEN];

	(void)argc;
	(void)argv;
	/* The answer path reads the FIB: this thread is an RCU reader. */
	rt_reader_register();
	table = rt_table_create(RT_TABLE_MAIN);
	FUZZ_CHECK(table, "cannot create a table");
	for (size_t i = 0; i < N_ROUTES; i++) {
		FUZZ_CHECK(routefile_parse_line(route_lines[i], &routes[i], err, sizeof(err)) == 1,
			   "'%s': %s", route_lines[i], err);
		FUZZ_CHECK(rt_table_add(table, &routes[i]) == 0, "'%s'", route_lines[i]);
	}
	return 0;
}

/* The reference: the longest prefix that contains a, by a scan of every route. */
static const struct rt_route *naive_lookup(const struct rt_addr *a)
{
	const struct rt_route *best = NULL;

	for (size_t i = 0; i < N_ROUTES; i++) {
		const struct rt_route *r = &routes[i];

		if (rt_prefix_contains_addr(&r->prefix, a) &&
		    (!best || r->prefix.len > best->prefix.len))
			best = r;
	}
	return best;
}

static void check_answer(const struct rt_wire_answer *a, const struct rt_route *want, size_t i)
{
	size_t alen = a->addr.family == AF_INET ? 4 : 16;

	FUZZ_CHECK(a->found == !!want, "slot %zu: found %d", i, a->found);
	if (!want) {
		FUZZ_CHECK(!a->len && !a->has_gateway && !a->has_tag, "slot %zu: a miss with data",
			   i);
		return;
	}
	FUZZ_CHECK(a->len == want->prefix.len, "slot %zu: /%u, want /%u", i, a->len,
		   want->prefix.len);
	FUZZ_CHECK(a->has_gateway == (want->gateway.family != 0), "slot %zu: gateway", i);
	if (a->has_gateway)
		FUZZ_CHECK(a->gateway.family == a->addr.family &&
				   !memcmp(a->gateway.bytes, want->gateway.bytes, alen),
			   "slot %zu: gateway differs", i);
	FUZZ_CHECK(a->has_tag == want->has_tag && (!a->has_tag || a->tag == want->tag),
		   "slot %zu: tag", i);
}

/* As routed's lookup service does it (daemon/udp.c): answers in place. */
static void answer(uint8_t *buf, const struct rt_wire_header *h, const struct rt_table *t)
{
	if (!t) {
		rt_wire_clear_answers(buf, h);
		rt_wire_finish_response(buf, RT_WIRE_STATUS_NO_TABLE, 0);
		return;
	}
	if (h->family == RT_WIRE_FAMILY4)
		rt_table_answer_wire4(t, buf + RT_WIRE_HEADER_LEN, h->count);
	else
		rt_table_answer_wire6(t, buf + RT_WIRE_HEADER_LEN, h->count);
	rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, rt_table_generation(t));
}

/* The request's addresses, encoded again by each encoder, are its slots. */
static void check_encoders(const uint8_t *req, size_t size, const struct rt_wire_header *h)
{
	size_t slot = rt_wire_slot_len(h->family), alen = h->family == RT_WIRE_FAMILY4 ? 4 : 16;
	uint8_t out[RT_WIRE_MAX_PAYLOAD], out2[RT_WIRE_MAX_PAYLOAD];
	struct rt_addr addrs[RT_WIRE_MAX_COUNT4];
	uint32_t addr4[RT_WIRE_MAX_COUNT4];
	uint8_t addr6[RT_WIRE_MAX_COUNT6][16];
	struct rt_wire_header again;
	size_t n;

	for (size_t i = 0; i < h->count; i++) {
		memset(&addrs[i], 0, sizeof(addrs[i]));
		addrs[i].family = h->family == RT_WIRE_FAMILY4 ? AF_INET : AF_INET6;
		memcpy(addrs[i].bytes, req + RT_WIRE_HEADER_LEN + i * slot, alen);
		if (h->family == RT_WIRE_FAMILY4)
			addr4[i] = rt_wire_slot_addr4(req, i);
		else
			memcpy(addr6[i], rt_wire_slot_addr6(req, i), 16);
	}
	n = rt_wire_encode_request(out, sizeof(out), h->id, h->table, h->family, addrs, h->count);
	FUZZ_CHECK(n == size, "re-encoded to %zu bytes, not %zu", n, size);
	FUZZ_CHECK(rt_wire_parse_request(out, n, &again) == RT_WIRE_OK, "re-encoded request");
	FUZZ_CHECK(again.id == h->id && again.table == h->table && again.family == h->family &&
			   again.count == h->count && again.flags == 0,
		   "re-encoded header differs");
	for (size_t i = 0; i < h->count; i++)
		FUZZ_CHECK(!memcmp(out + RT_WIRE_HEADER_LEN + i * slot,
				   req + RT_WIRE_HEADER_LEN + i * slot, alen),
			   "slot %zu re-encoded differently", i);
	/* Too little room: nothing is written. */
	FUZZ_CHECK(rt_wire_encode_request(out2, size - 1, h->id, h->table, h->family, addrs,
					  h->count) == 0,
		   "encoded into %zu bytes", size - 1);
	if (h->family == RT_WIRE_FAMILY4)
		n = rt_wire_encode_request4(out2, sizeof(out2), h->id, h->table, addr4, h->count);
	else
		n = rt_wire_encode_request6(out2, sizeof(out2), h->id, h->table,
					    (const uint8_t(*)[16])addr6, h->count);
	FUZZ_CHECK(n == size && !memcmp(out, out2, n), "the family encoder differs");
}

static void check_request(const uint8_t *data, size_t size, const struct rt_wire_header *h)
{
	const struct rt_table *t = h->table == 0 || h->table == RT_TABLE_MAIN ? table : NULL;
	uint64_t generation = rt_table_generation(table);
	size_t slot = rt_wire_slot_len(h->family), alen = h->family == RT_WIRE_FAMILY4 ? 4 : 16;
	struct rt_wire_header rh, back;
	uint8_t *buf;

	FUZZ_CHECK(h->version == RT_WIRE_VERSION && h->flags == 0, "version %u flags %#x",
		   h->version, h->flags);
	FUZZ_CHECK(rt_wire_datagram_len(h->family, h->count) == size, "%zu bytes for %u slots",
		   size, h->count);
	check_encoders(data, size, h);

	/* Exactly the datagram's bytes: ASan sees any access past them. */
	buf = fuzz_memdup(data, size);
	answer(buf, h, t);
	FUZZ_CHECK(rt_wire_parse_response(buf, size, &rh) == RT_WIRE_OK, "response refused: %s",
		   rt_wire_error_name(rt_wire_parse_response(buf, size, &rh)));
	FUZZ_CHECK(rt_wire_parse_request(buf, size, &back) == RT_WIRE_E_DIRECTION,
		   "a response parses as a request");
	FUZZ_CHECK(rh.flags == RT_WIRE_F_RESPONSE && rh.id == h->id && rh.table == h->table &&
			   rh.family == h->family && rh.count == h->count,
		   "response header differs");
	FUZZ_CHECK(rh.status == (t ? RT_WIRE_STATUS_OK : RT_WIRE_STATUS_NO_TABLE), "status %u",
		   rh.status);
	FUZZ_CHECK(rh.generation == (t ? generation : 0), "generation %llu",
		   (unsigned long long)rh.generation);
	for (size_t i = 0; i < h->count; i++) {
		struct rt_wire_answer a;

		rt_wire_get_answer(buf, &rh, i, &a);
		FUZZ_CHECK(!memcmp(a.addr.bytes, data + RT_WIRE_HEADER_LEN + i * slot, alen),
			   "slot %zu: the address changed", i);
		check_answer(&a, t ? naive_lookup(&a.addr) : NULL, i);
	}
	free(buf);
}

/* Any response that parses can be read; what it says is consistent. */
static void check_response(const uint8_t *data, size_t size)
{
	struct rt_wire_header h;
	uint8_t *buf;

	if (rt_wire_parse_response(data, size, &h) != RT_WIRE_OK)
		return;
	FUZZ_CHECK(h.flags == RT_WIRE_F_RESPONSE, "flags %#x", h.flags);
	FUZZ_CHECK(rt_wire_datagram_len(h.family, h.count) == size, "%zu bytes for %u slots",
		   size, h.count);
	buf = fuzz_memdup(data, size);
	for (size_t i = 0; i < h.count; i++) {
		struct rt_wire_answer a;

		rt_wire_get_answer(buf, &h, i, &a);
		FUZZ_CHECK(a.addr.family == (h.family == RT_WIRE_FAMILY4 ? AF_INET : AF_INET6),
			   "slot %zu: family %u", i, a.addr.family);
		if (!a.found)
			FUZZ_CHECK(!a.len && !a.has_gateway && !a.has_tag && !a.gateway.family,
				   "slot %zu: a miss with data", i);
		if (a.has_gateway)
			FUZZ_CHECK(a.gateway.family == a.addr.family, "slot %zu: gateway family",
				   i);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_wire_header h;
	uint8_t *copy = fuzz_memdup(data, size);
	enum rt_wire_error e = rt_wire_parse_request(copy, size, &h);

	/* The first checks, in their documented order. */
	FUZZ_CHECK((unsigned)e < RT_WIRE_E_COUNT_, "error %d", (int)e);
	FUZZ_CHECK(strcmp(rt_wire_error_name(e), "unknown") != 0, "error %d has no name", (int)e);
	if (size > RT_WIRE_MAX_PAYLOAD)
		FUZZ_CHECK(e == RT_WIRE_E_OVERSIZE, "%zu bytes: %s", size, rt_wire_error_name(e));
	else if (size < RT_WIRE_HEADER_LEN)
		FUZZ_CHECK(e == RT_WIRE_E_SHORT, "%zu bytes: %s", size, rt_wire_error_name(e));
	else if (copy[0] != RT_WIRE_VERSION)
		FUZZ_CHECK(e == RT_WIRE_E_VERSION, "version %u: %s", copy[0],
			   rt_wire_error_name(e));

	if (e == RT_WIRE_OK)
		check_request(copy, size, &h);
	check_response(copy, size);
	free(copy);
	return 0;
}

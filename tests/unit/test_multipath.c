/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multipath routes: the hash (fixed values, as docs/lookup-protocol.md
 * spells it), weights honoured over random seeded addresses, the same
 * choice in the UDP answer path, in rt_table_lookup() and in
 * rt_nhgroup_pick(); building and refusing next hops; tables, route files
 * and the durable encoding holding multipath routes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/durable.h>
#include <routed/lookup_wire.h>
#include <routed/nhgroup.h>
#include <routed/route.h>
#include <routed/routefile.h>
#include <routed/table.h>

#include "seed.h"

static unsigned long long seed;

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct rt_nexthop hop(const char *via, const char *dev, unsigned weight)
{
	struct rt_nexthop h;

	memset(&h, 0, sizeof(h));
	if (via)
		assert_int_equal(rt_addr_parse(via, &h.gateway, NULL, 0), 0);
	if (dev)
		snprintf(h.dev, sizeof(h.dev), "%s", dev);
	h.weight = (uint16_t)weight;
	return h;
}

static struct rt_route route_of(const char *prefix)
{
	struct rt_route r;

	rt_route_init(&r);
	assert_int_equal(rt_prefix_parse(prefix, &r.prefix, NULL, 0), 0);
	return r;
}

/* The hash of docs/lookup-protocol.md: values computed from the spec by hand (Python). */
static void test_hash_values(void **state)
{
	static const struct {
		const char *addr;
		uint32_t hash;
	} cases[] = {
		{ "10.0.0.1", 0xfcdfbb6fu },
		{ "192.0.2.1", 0x4cfd712cu },
		{ "0.0.0.0", 0x4997eb7bu },
		{ "2001:db8::1", 0xff0fbbefu },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rt_addr a;

		assert_int_equal(rt_addr_parse(cases[i].addr, &a, NULL, 0), 0);
		assert_int_equal(rt_nhgroup_hash(&a), cases[i].hash);
		if (a.family == AF_INET)
			assert_int_equal(rt_nhgroup_hash_v4(rt_addr_to_v4(&a)), cases[i].hash);
	}
}

/* Several groups: each next hop's share of random addresses within 0.01 of weight/total. */
static void test_weights_honoured(void **state)
{
	static const unsigned weights[][8] = {
		{ 1, 1 }, { 1, 3 }, { 1, 1, 1, 1, 1 }, { 1, 2, 3, 4, 5, 6, 7, 8 }, { 256, 1, 17 },
	};
	const size_t n = 200000;	/* share std. deviation below 0.0012: the bound is 8 sigma */
	uint64_t s = seed;

	(void)state;
	for (size_t g = 0; g < sizeof(weights) / sizeof(weights[0]); g++) {
		struct rt_nexthop hops[8];
		struct rt_route r = route_of("10.0.0.0/8");
		size_t count[8] = { 0 }, k = 0;
		const struct rt_nhgroup *grp;

		for (; k < 8 && weights[g][k]; k++) {
			char via[32];

			snprintf(via, sizeof(via), "192.0.2.%zu", k + 1);
			hops[k] = hop(via, NULL, weights[g][k]);
		}
		assert_int_equal(rt_route_set_nexthops(&r, hops, k, NULL, 0), 0);
		grp = r.nexthops;
		assert_non_null(grp);
		for (size_t i = 0; i < n; i++) {
			struct rt_addr a;

			rt_addr_from_v4(&a, (uint32_t)rng_next(&s));
			count[rt_nhgroup_pick(grp, rt_nhgroup_hash(&a))]++;
		}
		for (size_t i = 0; i < k; i++) {
			double share = (double)count[i] / (double)n;
			double want = (double)grp->hop[i].weight / grp->total_weight;

			if (share < want - 0.01 || share > want + 0.01)
				fail_msg("group %zu next hop %zu: share %.4f, weight share %.4f (seed %llu)",
					 g, i, share, want, seed);
		}
	}
}

/* The same address gets the same next hop, whatever the order the next hops came in. */
static void test_deterministic(void **state)
{
	struct rt_nexthop a[] = { hop("192.0.2.1", NULL, 1), hop("192.0.2.2", "eth1", 3),
				  hop(NULL, "eth9", 2) };
	struct rt_nexthop b[] = { a[2], a[0], a[1] };
	struct rt_route ra = route_of("10.0.0.0/8"), rb = route_of("10.0.0.0/8");
	uint64_t s = seed;

	(void)state;
	assert_int_equal(rt_route_set_nexthops(&ra, a, 3, NULL, 0), 0);
	assert_int_equal(rt_route_set_nexthops(&rb, b, 3, NULL, 0), 0);
	assert_ptr_equal(ra.nexthops, rb.nexthops);	/* interned: one group */
	assert_true(rt_route_same_nexthops(&ra, &rb));
	/* Canonical order: no gateway first, then by address. */
	assert_int_equal(ra.nexthops->hop[0].gateway.family, 0);
	assert_string_equal(ra.nexthops->hop[0].dev, "eth9");
	assert_int_equal(ra.nexthops->total_weight, 6);
	for (int i = 0; i < 1000; i++) {
		struct rt_addr x;

		rt_addr_from_v4(&x, (uint32_t)rng_next(&s));
		assert_int_equal(rt_nhgroup_pick(ra.nexthops, rt_nhgroup_hash(&x)),
				 rt_nhgroup_pick(ra.nexthops, rt_nhgroup_hash(&x)));
	}
	/* Another weight is another group. */
	b[0].weight = 3;
	assert_int_equal(rt_route_set_nexthops(&rb, b, 3, NULL, 0), 0);
	assert_ptr_not_equal(ra.nexthops, rb.nexthops);
	assert_false(rt_route_same_nexthops(&ra, &rb));
}

static void expect_refused(struct rt_route r, const struct rt_nexthop *h, size_t n,
			   const char *msg)
{
	char err[RT_ERR_LEN] = "";

	assert_int_equal(rt_route_set_nexthops(&r, h, n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_refused(void **state)
{
	struct rt_nexthop many[RT_NEXTHOPS_MAX + 1];
	struct rt_nexthop h[2];
	struct rt_route r = route_of("10.0.0.0/8"), bh = route_of("10.0.0.0/8");

	(void)state;
	for (int i = 0; i <= RT_NEXTHOPS_MAX; i++) {
		char via[32];

		snprintf(via, sizeof(via), "198.51.100.%d", i + 1);
		many[i] = hop(via, NULL, 1);
	}
	expect_refused(r, many, 0, "a route has 1 to 64 next hops");
	expect_refused(r, many, RT_NEXTHOPS_MAX + 1, "a route has 1 to 64 next hops");
	assert_int_equal(rt_route_set_nexthops(&r, many, RT_NEXTHOPS_MAX, NULL, 0), 0);
	assert_int_equal(r.nexthops->count, RT_NEXTHOPS_MAX);
	r = route_of("10.0.0.0/8");
	h[0] = hop("192.0.2.1", NULL, 1);
	h[1] = hop("192.0.2.1", NULL, 5);
	expect_refused(r, h, 2, "duplicate next hop via 192.0.2.1");
	h[1] = hop("192.0.2.2", NULL, 0);
	expect_refused(r, h, 2, "next hop via 192.0.2.2: weight 0 out of range (1-256)");
	h[1] = hop("192.0.2.2", "eth0", 257);
	expect_refused(r, h, 2, "next hop via 192.0.2.2 dev eth0: weight 257 out of range (1-256)");
	h[1] = hop("2001:db8::1", NULL, 1);
	expect_refused(r, h, 2, "next hop via 2001:db8::1 is not of the prefix's family");
	h[1] = hop(NULL, NULL, 1);
	expect_refused(r, h, 2, "a next hop needs via or dev");
	h[1] = hop(NULL, "bad/name", 1);
	expect_refused(r, h, 2,
		       "invalid device name \"bad/name\" (1-15 printable ASCII characters, not '/', ':' or '#')");
	bh.type = RT_TYPE_BLACKHOLE;
	h[1] = hop("192.0.2.2", NULL, 1);
	expect_refused(bh, h, 2, "a blackhole route has no next hops");
	/* A refusal leaves the route as it was. */
	assert_null(r.nexthops);
	assert_int_equal(r.gateway.family, 0);
}

/* One next hop is the single-path route: gateway and dev set, no group. */
static void test_one_is_single_path(void **state)
{
	struct rt_nexthop h = hop("192.0.2.7", "eth7", 9);
	struct rt_route r = route_of("10.0.0.0/8"), want = route_of("10.0.0.0/8");
	char a[ROUTEFILE_LINE_MAX], b[ROUTEFILE_LINE_MAX];

	(void)state;
	assert_int_equal(rt_route_set_nexthops(&r, &h, 1, NULL, 0), 0);
	assert_null(r.nexthops);
	assert_int_equal(routefile_parse_line("10.0.0.0/8 via 192.0.2.7 dev eth7", &want, NULL, 0), 1);
	assert_true(routefile_format(&r, a, sizeof(a)) > 0);
	assert_true(routefile_format(&want, b, sizeof(b)) > 0);
	assert_string_equal(a, b);
	assert_int_equal(routefile_parse_line("10.0.0.0/8 nexthop via 192.0.2.7 dev eth7 weight 9",
					      &r, NULL, 0), 1);
	assert_true(routefile_format(&r, a, sizeof(a)) > 0);
	assert_string_equal(a, b);
}

/* Route-file lines: parse, format in canonical order, read back the same. */
static void test_routefile(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "10.0.0.0/8 nexthop via 192.0.2.1 weight 1 nexthop via 192.0.2.2 dev eth1 weight 3",
		  "10.0.0.0/8 nexthop via 192.0.2.1 weight 1 nexthop via 192.0.2.2 dev eth1 weight 3 "
		  "metric 0 proto static" },
		{ "2001:db8::/32 metric 4 nexthop via 2001:db8::2 nexthop dev eth0 table 7 tag 1",
		  "2001:db8::/32 nexthop dev eth0 weight 1 nexthop via 2001:db8::2 weight 1 metric 4 "
		  "table 7 proto static tag 1" },
		{ "10.0.0.0/8 nexthop dev b nexthop dev a weight 256",
		  "10.0.0.0/8 nexthop dev a weight 256 nexthop dev b weight 1 metric 0 proto static" },
	};
	static const struct {
		const char *in, *err;
	} bad[] = {
		{ "10.0.0.0/8 via 192.0.2.1 nexthop via 192.0.2.2",
		  "a route has its own via/dev or nexthop words, not both" },
		{ "10.0.0.0/8 nexthop via 192.0.2.2 dev eth0 dev eth1", "duplicate keyword \"dev\"" },
		{ "10.0.0.0/8 weight 2", "\"weight\" belongs to a nexthop" },
		{ "10.0.0.0/8 nexthop via 192.0.2.1 weight 0", "weight 0 out of range (1-256)" },
		{ "10.0.0.0/8 nexthop via 192.0.2.1 weight 01", "weight \"01\": leading zeros are not allowed" },
		{ "10.0.0.0/8 nexthop", "a next hop needs via or dev" },
		{ "10.0.0.0/8 nexthop via 2001:db8::1", "gateway 2001:db8::1 is not an IPv4 address" },
		{ "unreachable 10.0.0.0/8 nexthop dev a nexthop dev b",
		  "an unreachable route has no next hops" },
		{ "10.0.0.0/8 nexthop dev a nexthop dev a", "duplicate next hop dev a" },
	};
	char line[ROUTEFILE_LINE_MAX], again[ROUTEFILE_LINE_MAX], err[RT_ERR_LEN];
	struct rt_route r, back;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(routefile_parse_line(ok[i].in, &r, err, sizeof(err)), 1);
		assert_true(routefile_format(&r, line, sizeof(line)) > 0);
		assert_string_equal(line, ok[i].out);
		assert_int_equal(routefile_parse_line(line, &back, err, sizeof(err)), 1);
		assert_ptr_equal(back.nexthops, r.nexthops);
		assert_true(routefile_format(&back, again, sizeof(again)) > 0);
		assert_string_equal(again, line);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(routefile_parse_line(bad[i].in, &r, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, bad[i].err);
	}
}

/* The longest line: 64 IPv6 next hops with long device names fit ROUTEFILE_LINE_MAX. */
static void test_routefile_longest(void **state)
{
	struct rt_nexthop h[RT_NEXTHOPS_MAX];
	struct rt_route r = route_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120"), back;
	char line[ROUTEFILE_LINE_MAX], err[RT_ERR_LEN];
	int n;

	(void)state;
	for (int i = 0; i < RT_NEXTHOPS_MAX; i++) {
		char via[64];

		snprintf(via, sizeof(via), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff%02x", i);
		h[i] = hop(via, "abcdefghijklmno", 256);
	}
	assert_int_equal(rt_route_set_nexthops(&r, h, RT_NEXTHOPS_MAX, NULL, 0), 0);
	r.metric = 4294967295u;
	r.table = 4294967295u;
	r.has_tag = true;
	r.tag = 4294967295u;
	strcpy(r.proto, "abcdefghijklmno");
	n = routefile_format(&r, line, sizeof(line));
	assert_true(n > 0);
	assert_int_equal(routefile_format(&r, line, (size_t)n), -ENOSPC);
	assert_int_equal(routefile_format(&r, line, (size_t)n + 1), n);
	assert_int_equal(routefile_parse_line(line, &back, err, sizeof(err)), 1);
	assert_ptr_equal(back.nexthops, r.nexthops);
}

/*
 * A table of multipath routes: the UDP answer path, rt_table_lookup() and
 * rt_nhgroup_pick() choose the same next hop for every address.
 */
static void test_same_choice(void **state)
{
	static const char *const lines[] = {
		"10.0.0.0/8 nexthop via 10.255.0.1 weight 1 nexthop via 10.255.0.2 weight 3",
		"10.1.0.0/16 nexthop via 10.255.0.2 nexthop via 10.255.0.3 nexthop via 10.255.0.4 "
		"weight 7 nexthop dev eth9",
		"10.1.2.0/24 via 10.255.0.9",
		"2001:db8::/32 nexthop via 2001:db8:ffff::1 weight 2 nexthop via 2001:db8:ffff::2 weight 5",
	};
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	uint64_t s = seed;
	size_t multipath = 0;

	(void)state;
	assert_non_null(t);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct rt_route r;

		assert_int_equal(routefile_parse_line(lines[i], &r, NULL, 0), 1);
		assert_int_equal(rt_table_add(t, &r), 0);
	}
	for (int round = 0; round < 200; round++) {
		uint32_t a4[64], ids[64];
		uint8_t a6[64][16];
		struct rt_addr addrs[64];
		struct rt_answer ans[64];
		struct rt_lookup_result res[64];
		bool v6 = round % 4 == 3;

		for (int i = 0; i < 64; i++) {
			uint64_t x = rng_next(&s);

			if (v6) {
				memcpy(a6[i], "\x20\x01\x0d\xb8", 4);
				for (int b = 4; b < 16; b++)
					a6[i][b] = (uint8_t)(rng_next(&s) >> 24);
				addrs[i].family = AF_INET6;
				memcpy(addrs[i].bytes, a6[i], 16);
			} else {
				/* Mostly inside 10.1.0.0/16, the rest anywhere in 10/8. */
				a4[i] = x & 1 ? 0x0a010000u | (uint32_t)(x >> 48) :
						0x0a000000u | (uint32_t)(x >> 40);
				rt_addr_from_v4(&addrs[i], a4[i]);
			}
		}
		if (v6)
			rt_table_answer6(t, (const uint8_t(*)[16])a6, 64, ids, ans);
		else
			rt_table_answer4(t, a4, 64, ids, ans);
		rt_table_lookup(t, addrs, 64, res);
		/* The in-place answers (the UDP service's) carry the same pick. */
		for (int first = 0, m; first < 64; first += m) {
			uint8_t d[RT_WIRE_MAX_PAYLOAD];
			struct rt_wire_header h;
			size_t len;

			m = (int)(v6 ? RT_WIRE_MAX_COUNT6 : 64);
			m = m < 64 - first ? m : 64 - first;
			len = rt_wire_encode_request(d, sizeof(d), 1, 0, v6 ? 6 : 4, addrs + first,
						     (size_t)m);
			assert_int_equal(rt_wire_parse_request(d, len, &h), RT_WIRE_OK);
			if (v6)
				rt_table_answer_wire6(t, d + RT_WIRE_HEADER_LEN, (size_t)m);
			else
				rt_table_answer_wire4(t, d + RT_WIRE_HEADER_LEN, (size_t)m);
			for (int i = 0; i < m; i++) {
				const struct rt_answer *a = &ans[first + i];
				struct rt_wire_answer w;

				rt_wire_get_answer(d, &h, (size_t)i, &w);
				assert_true(w.found && w.multipath == a->multipath);
				assert_int_equal(w.len, a->len);
				assert_int_equal(w.has_gateway, a->has_gateway);
				assert_memory_equal(w.gateway.bytes, a->gateway,
						    w.has_gateway ? (v6 ? 16 : 4) : 0);
			}
		}
		for (int i = 0; i < 64; i++) {
			const struct rt_route *r = &res[i].route;
			const struct rt_nexthop *h;

			assert_true(res[i].found && ans[i].found);
			assert_int_equal(ans[i].multipath, r->nexthops != NULL);
			if (!r->nexthops)
				continue;
			multipath++;
			assert_int_equal(res[i].chosen,
					 rt_nhgroup_pick(r->nexthops, rt_nhgroup_hash(&addrs[i])));
			h = &r->nexthops->hop[res[i].chosen];
			assert_int_equal(ans[i].has_gateway, h->gateway.family != 0);
			if (h->gateway.family)
				assert_memory_equal(ans[i].gateway, h->gateway.bytes,
						    v6 ? 16 : 4);
		}
	}
	assert_true(multipath > 5000);
	rt_table_destroy(t);
}

/*
 * Replace, delete: the members a group holds go with it, and an emptied
 * table has no next hops left.
 */
static void test_table_changes(void **state)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct rt_route mp, single, got[2];
	struct rt_table_stats st;
	struct rt_route_key key;

	(void)state;
	assert_int_equal(routefile_parse_line("10.0.0.0/8 nexthop via 192.0.2.1 nexthop via 192.0.2.2",
					      &mp, NULL, 0), 1);
	assert_int_equal(routefile_parse_line("10.0.0.0/8 via 192.0.2.1", &single, NULL, 0), 1);
	assert_int_equal(rt_table_add(t, &mp), 0);
	rt_table_stats(t, &st);
	assert_int_equal(st.nexthops, 3);	/* the group and its two members */
	assert_int_equal(rt_table_get(t, &mp.prefix, got, 2), 1);
	assert_ptr_equal(got[0].nexthops, mp.nexthops);
	assert_int_equal(rt_table_replace(t, &single), 0);
	rt_table_quiesce(t);
	rt_table_stats(t, &st);
	assert_int_equal(st.nexthops, 1);
	assert_int_equal(rt_table_get(t, &mp.prefix, got, 2), 1);
	assert_null(got[0].nexthops);
	assert_int_equal(rt_table_replace(t, &mp), 0);
	memset(&key, 0, sizeof(key));
	key.prefix = mp.prefix;
	assert_int_equal(rt_table_delete(t, &key), 0);
	rt_table_quiesce(t);
	rt_table_stats(t, &st);
	assert_int_equal(st.nexthops, 0);
	assert_int_equal(st.nexthop_bytes > 0, true);	/* the index directory stays */
	rt_table_destroy(t);
}

/* The durable encoding: multipath routes round-trip; bad extensions are refused. */
static void test_durable(void **state)
{
	struct rt_durable_buf b = { 0 };
	struct rt_durable *s = rt_durable_create();
	struct rt_route r[3];
	char err[RT_ERR_LEN];
	uint8_t *longer;
	size_t len;

	(void)state;
	assert_int_equal(routefile_parse_line("10.0.0.0/8 nexthop via 192.0.2.1 weight 2 nexthop dev x",
					      &r[0], NULL, 0), 1);
	assert_int_equal(routefile_parse_line("10.1.0.0/16 via 192.0.2.3 tag 4", &r[1], NULL, 0), 1);
	assert_int_equal(routefile_parse_line("2001:db8::/32 nexthop via 2001:db8::1 nexthop via "
					      "2001:db8::2 weight 256 table 9", &r[2], NULL, 0), 1);
	assert_int_equal(rt_durable_route_len(&r[0]), RT_DURABLE_ROUTE_LEN + 4 + 2 * 36);
	assert_int_equal(rt_durable_route_len(&r[1]), RT_DURABLE_ROUTE_LEN);
	assert_int_equal(rt_durable_encode_routes(&b, r, 3), 0);
	len = b.len;
	assert_int_equal(len, 4 + 3 * RT_DURABLE_ROUTE_LEN + 2 * (4 + 2 * 36));
	assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_UPSERT, b.data, len, err, sizeof(err)), 0);
	assert_int_equal(rt_durable_count(s), 3);
	for (size_t i = 0; i < 3; i++) {
		const struct rt_route *got = rt_durable_routes(s);
		bool found = false;

		for (size_t k = 0; k < 3; k++)
			if (!rt_route_key_cmp(&got[k], &r[i])) {
				assert_true(rt_route_same_nexthops(&got[k], &r[i]));
				found = true;
			}
		assert_true(found);
	}
	/* Truncated, trailing byte, a count of 1, a bad weight: refused whole. */
	assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_UPSERT, b.data, len - 1, err, sizeof(err)),
			 -EBADMSG);
	longer = calloc(1, len + 1);
	assert_non_null(longer);
	memcpy(longer, b.data, len);
	assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_UPSERT, longer, len + 1, err, sizeof(err)),
			 -EBADMSG);
	free(longer);
	b.data[4 + RT_DURABLE_ROUTE_LEN] = 1;
	assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_UPSERT, b.data, len, err, sizeof(err)),
			 -EBADMSG);
	b.data[4 + RT_DURABLE_ROUTE_LEN] = 2;
	b.data[4 + RT_DURABLE_ROUTE_LEN + 4 + 2] = 0;	/* the first next hop's weight */
	b.data[4 + RT_DURABLE_ROUTE_LEN + 4 + 3] = 0;
	assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_UPSERT, b.data, len, err, sizeof(err)),
			 -EBADMSG);
	/* Next hops out of canonical order: one encoding per route, so refused. */
	assert_int_equal(rt_durable_encode_routes(&b, r, 1), 0);
	{
		uint8_t first[RT_DURABLE_NEXTHOP_LEN];
		uint8_t *h = b.data + 4 + RT_DURABLE_ROUTE_LEN + RT_DURABLE_NEXTHOPS_LEN;

		memcpy(first, h, sizeof(first));
		memmove(h, h + RT_DURABLE_NEXTHOP_LEN, RT_DURABLE_NEXTHOP_LEN);
		memcpy(h + RT_DURABLE_NEXTHOP_LEN, first, sizeof(first));
	}
	assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_UPSERT, b.data, b.len, err, sizeof(err)),
			 -EBADMSG);
	/* Flag bit 1 cleared: the next hops become trailing bytes. */
	assert_int_equal(rt_durable_encode_routes(&b, r, 1), 0);
	b.data[4 + 7] &= (uint8_t)~0x02;
	assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_UPSERT, b.data, b.len, err, sizeof(err)),
			 -EBADMSG);
	/* A load with multipath removals and routes. */
	assert_int_equal(rt_durable_encode_load(&b, (const uint32_t[]){ 9 }, 1, r, 1, r + 1, 2), 0);
	assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_LOAD, b.data, b.len, err, sizeof(err)), 0);
	assert_int_equal(rt_durable_count(s), 2);
	rt_durable_buf_free(&b);
	rt_durable_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_values),
		cmocka_unit_test(test_weights_honoured),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_one_is_single_path),
		cmocka_unit_test(test_routefile),
		cmocka_unit_test(test_routefile_longest),
		cmocka_unit_test(test_same_choice),
		cmocka_unit_test(test_table_changes),
		cmocka_unit_test(test_durable),
	};

	seed = seed_from_env();
	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

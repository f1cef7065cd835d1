/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the FPM feed keeps per session and across sessions:
 * - feed_routes (the routes a feed owns): a seeded random walk of sets,
 *   overwrites and removals against a naive array, checking every key's
 *   entry, the count and the older-than walk after each step (the
 *   backward-shift deletion is where an open-addressing table goes wrong:
 *   small capacities and clustered keys make long runs). # seed N,
 *   ROUTED_TEST_SEED replays a run.
 * - feed_nexthops: single next hops, groups arriving before their members,
 *   weights, blackholes, replaced and deleted objects, unknown members.
 * - feed_route_convert: types, the single path's gateway and device,
 *   metric, protocol name; multipath routes (RTA_MULTIPATH paths and a
 *   resolved next-hop group) with their weights, 64 next hops, duplicate
 *   paths and bad weights refused as invalid, and no memory for the group
 *   as its own verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include <routed/nhgroup.h>
#include <routed/prefix.h>
#include <routed/rtnl_msg.h>

#include "alloc_fail.h"
#include "feed_nexthops.h"
#include "feed_route.h"
#include "feed_routes.h"
#include "seed.h"

/* feed_routes against a naive list */

#define KEYS 3000

struct naive {
	bool present;
	uint8_t proto;
	uint32_t gen;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Key k: few tables and metrics, clustered prefixes (both families). */
static struct feed_route_key key_of(unsigned k)
{
	struct feed_route_key key = { .table = 254 + k % 3, .metric = k % 5 == 0 ? 20 : 0 };
	uint8_t a[16] = { 10, (uint8_t)(k >> 8), (uint8_t)k };

	if (k % 7 == 0) {
		a[0] = 0x20;
		a[1] = 0x01;
		key.prefix.addr.family = AF_INET6;
		key.prefix.len = 48;
	} else {
		key.prefix.addr.family = AF_INET;
		key.prefix.len = 24;
	}
	memcpy(key.prefix.addr.bytes, a, sizeof(a));
	return key;
}

struct walk {
	const struct naive *model;
	unsigned seen;
	uint32_t below;
};

static int walk_check(const struct feed_route_key *key, uint8_t proto, void *arg)
{
	struct walk *w = arg;

	for (unsigned k = 0; k < KEYS; k++) {
		struct feed_route_key want = key_of(k);

		if (!memcmp(&want, key, sizeof(want))) {
			assert_true(w->model[k].present);
			assert_true(w->model[k].gen < w->below);
			assert_int_equal(w->model[k].proto, proto);
			w->seen++;
			return 0;
		}
	}
	fail_msg("the walk found a key never set");
	return 1;
}

static void check_all(const struct feed_routes *fr, const struct naive *model)
{
	size_t n = 0;

	for (unsigned k = 0; k < KEYS; k++) {
		struct feed_route_key key = key_of(k);
		uint8_t proto;
		uint32_t gen;
		bool got = feed_routes_get(fr, &key, &proto, &gen);

		assert_int_equal(got, model[k].present);
		if (got) {
			assert_int_equal(proto, model[k].proto);
			assert_int_equal(gen, model[k].gen);
			n++;
		}
	}
	assert_int_equal(feed_routes_count(fr), n);
}

static void test_routes_random(void **state)
{
	struct naive *model = calloc(KEYS, sizeof(*model));
	struct feed_routes *fr = feed_routes_create();
	unsigned steps = (unsigned)(60000 * seed_iterations());

	(void)state;
	rng_state = seed_from_env();
	assert_non_null(model);
	assert_non_null(fr);
	for (unsigned i = 0; i < steps; i++) {
		unsigned k = (unsigned)(rng() % KEYS);
		struct feed_route_key key = key_of(k);

		/* Phases that fill and phases that empty: the table grows and drains. */
		if (rng() % 100 < ((i / 5000) % 2 ? 30 : 70)) {
			uint8_t proto = (uint8_t)rng();
			uint32_t gen = (uint32_t)(rng() % 4);

			assert_int_equal(feed_routes_set(fr, &key, proto, gen), 0);
			model[k] = (struct naive){ true, proto, gen };
		} else {
			feed_routes_remove(fr, &key);
			model[k].present = false;
		}
		if (i % 997 == 0) {
			struct walk w = { .model = model, .below = 2 };
			unsigned want = 0;

			check_all(fr, model);
			assert_int_equal(feed_routes_older(fr, 2, walk_check, &w), 0);
			for (unsigned j = 0; j < KEYS; j++)
				want += model[j].present && model[j].gen < 2;
			assert_int_equal(w.seen, want);
		}
	}
	check_all(fr, model);
	for (unsigned k = 0; k < KEYS; k++) {
		struct feed_route_key key = key_of(k);

		feed_routes_remove(fr, &key);
	}
	assert_int_equal(feed_routes_count(fr), 0);
	feed_routes_destroy(fr);
	free(model);
}

/*
 * A feed's turn sets its keys as it plans them (feed_routes_swap) and puts
 * them back if the load fails (feed_routes_restore): a batch of distinct
 * keys, swapped, then kept or restored in reverse, leaves the map equal to
 * the model either way.
 */
static void test_routes_swap_restore(void **state)
{
	struct naive *model = calloc(KEYS, sizeof(*model));
	struct feed_routes *fr = feed_routes_create();
	struct feed_route_prior *prior = calloc(KEYS, sizeof(*prior));
	unsigned *batch = calloc(KEYS, sizeof(*batch));
	bool *in_batch = calloc(KEYS, sizeof(*in_batch));
	unsigned rounds = (unsigned)(300 * seed_iterations());

	(void)state;
	rng_state = seed_from_env();
	assert_non_null(model);
	assert_non_null(fr);
	assert_non_null(prior);
	assert_non_null(batch);
	assert_non_null(in_batch);
	for (unsigned round = 0; round < rounds; round++) {
		unsigned n = 0, want = 1 + (unsigned)(rng() % 400);
		bool keep = rng() % 2;
		uint32_t gen = round;

		memset(in_batch, 0, KEYS * sizeof(*in_batch));
		while (n < want) {
			unsigned k = (unsigned)(rng() % KEYS);

			if (!in_batch[k]) {
				in_batch[k] = true;
				batch[n++] = k;
			}
		}
		for (unsigned i = 0; i < n; i++) {
			struct feed_route_key key = key_of(batch[i]);
			uint8_t proto = (uint8_t)rng();

			assert_int_equal(feed_routes_swap(fr, &key, proto, gen, &prior[i]), 0);
			assert_int_equal(prior[i].had, model[batch[i]].present);
			if (prior[i].had) {
				assert_int_equal(prior[i].proto, model[batch[i]].proto);
				assert_int_equal(prior[i].gen, model[batch[i]].gen);
			}
			if (keep)
				model[batch[i]] = (struct naive){ true, proto, gen };
		}
		if (!keep) {
			for (unsigned i = n; i--;) {
				struct feed_route_key key = key_of(batch[i]);

				feed_routes_restore(fr, &key, &prior[i]);
			}
		}
		/* Some keys go between batches, so restores also meet shifted runs. */
		for (unsigned i = 0; i < 50; i++) {
			unsigned k = (unsigned)(rng() % KEYS);
			struct feed_route_key key = key_of(k);

			feed_routes_remove(fr, &key);
			model[k].present = false;
		}
		check_all(fr, model);
	}
	feed_routes_destroy(fr);
	free(model);
	free(prior);
	free(batch);
	free(in_batch);
}

/* feed_nexthops */

static struct rtnl_nexthop nh_single(uint32_t id, const char *gw, uint32_t oif)
{
	struct rtnl_nexthop m;

	memset(&m, 0, sizeof(m));
	m.id = id;
	m.oif = oif;
	if (gw)
		assert_int_equal(rt_addr_parse(gw, &m.gateway, NULL, 0), 0);
	return m;
}

static void test_nexthops(void **state)
{
	struct feed_nexthops *nh = feed_nexthops_create();
	struct rtnl_path paths[RTNL_MAX_PATHS];
	struct rtnl_nexthop m;
	char buf[RT_ADDR_STRLEN];
	unsigned n;
	bool bh;

	(void)state;
	assert_non_null(nh);
	/* A group first, its members later (zebra does this). */
	memset(&m, 0, sizeof(m));
	m.id = 100;
	m.n_group = 2;
	m.group[0] = (struct rtnl_nh_member){ 1, 1 };
	m.group[1] = (struct rtnl_nh_member){ 2, 3 };
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	assert_int_equal(feed_nexthops_resolve(nh, 100, paths, &n, &bh), -ENOENT);
	m = nh_single(1, "192.0.2.1", 3);
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	assert_int_equal(feed_nexthops_resolve(nh, 100, paths, &n, &bh), -ENOENT);
	m = nh_single(2, "192.0.2.2", 4);
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	assert_int_equal(feed_nexthops_resolve(nh, 100, paths, &n, &bh), 0);
	assert_int_equal(n, 2);
	assert_false(bh);
	assert_string_equal(rt_addr_format(&paths[1].gateway, buf, sizeof(buf)), "192.0.2.2");
	assert_int_equal(paths[1].oif, 4);
	assert_int_equal(paths[1].weight, 3);
	/* A single one: one path of weight 1. Replaced: the new gateway. */
	m = nh_single(1, "192.0.2.9", 5);
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	assert_int_equal(feed_nexthops_resolve(nh, 1, paths, &n, &bh), 0);
	assert_int_equal(n, 1);
	assert_int_equal(paths[0].weight, 1);
	assert_string_equal(rt_addr_format(&paths[0].gateway, buf, sizeof(buf)), "192.0.2.9");
	assert_int_equal(feed_nexthops_count(nh), 3);
	/* A blackhole object; a group of groups is refused. */
	m = nh_single(7, NULL, 0);
	m.blackhole = true;
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	assert_int_equal(feed_nexthops_resolve(nh, 7, paths, &n, &bh), 0);
	assert_true(bh);
	assert_int_equal(n, 0);
	memset(&m, 0, sizeof(m));
	m.id = 101;
	m.n_group = 1;
	m.group[0] = (struct rtnl_nh_member){ 100, 1 };
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	assert_int_equal(feed_nexthops_resolve(nh, 101, paths, &n, &bh), -ENOENT);
	/* Deleted: gone; id 0 refused; many ids grow the table. */
	m = nh_single(2, NULL, 0);
	m.del = true;
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	assert_int_equal(feed_nexthops_resolve(nh, 100, paths, &n, &bh), -ENOENT);
	m = nh_single(0, "192.0.2.1", 1);
	assert_int_equal(feed_nexthops_apply(nh, &m), -EINVAL);
	for (uint32_t id = 1000; id < 5000; id++) {
		m = nh_single(id, "192.0.2.1", id);
		assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	}
	for (uint32_t id = 1000; id < 5000; id++) {
		assert_int_equal(feed_nexthops_resolve(nh, id, paths, &n, &bh), 0);
		assert_int_equal(paths[0].oif, id);
	}
	feed_nexthops_destroy(nh);
}

/* feed_route_convert */

static const char *ifname(uint32_t oif, void *arg)
{
	static char buf[16];

	(void)arg;
	snprintf(buf, sizeof(buf), "eth%u", oif);
	return buf;
}

static void test_convert(void **state)
{
	struct rtnl_route r;
	struct rtnl_path p[2];
	struct rt_route out;
	char buf[RT_ADDR_STRLEN];

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(p, 0, sizeof(p));
	assert_int_equal(rt_prefix_parse("10.0.0.0/8", &r.dst, NULL, 0), 0);
	r.table = 254;
	r.protocol = 186;
	r.type = RTN_UNICAST;
	r.has_priority = true;
	r.priority = 20;
	assert_int_equal(rt_addr_parse("192.0.2.1", &p[0].gateway, NULL, 0), 0);
	p[0].oif = 3;
	p[0].weight = 1;
	assert_int_equal(feed_route_convert(&r, p, 1, false, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_string_equal(out.proto, "bgp");
	assert_int_equal(out.metric, 20);
	assert_int_equal(out.type, RT_TYPE_UNICAST);
	assert_string_equal(out.dev, "eth3");
	assert_string_equal(rt_addr_format(&out.gateway, buf, sizeof(buf)), "192.0.2.1");
	/* Two alike next hops (weight is no part of a next hop's identity): invalid. */
	p[1] = p[0];
	p[1].weight = 2;
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out),
			 FEED_ROUTE_INVALID);
	/* A blackhole object makes a unicast route a blackhole, without next hop. */
	assert_int_equal(feed_route_convert(&r, p, 0, true, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_int_equal(out.type, RT_TYPE_BLACKHOLE);
	assert_int_equal(out.gateway.family, 0);
	r.type = RTN_PROHIBIT;
	assert_int_equal(feed_route_convert(&r, p, 1, false, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_int_equal(out.type, RT_TYPE_PROHIBIT);
	assert_string_equal(out.dev, "");
	r.type = RTN_LOCAL;
	assert_int_equal(feed_route_convert(&r, p, 1, false, ifname, NULL, &out), FEED_ROUTE_TYPE);
	/* An IPv6 gateway on an IPv4 route: not a routed route. */
	r.type = RTN_UNICAST;
	assert_int_equal(rt_addr_parse("2001:db8::1", &p[0].gateway, NULL, 0), 0);
	assert_int_equal(feed_route_convert(&r, p, 1, false, ifname, NULL, &out),
			 FEED_ROUTE_INVALID);
	/* No priority: metric 0; an unknown protocol number. */
	r.has_priority = false;
	r.protocol = 250;
	assert_int_equal(feed_route_convert(&r, p, 0, false, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_int_equal(out.metric, 0);
	assert_string_equal(out.proto, "proto-250");
}

/* A unicast IPv4 route of FRR's (bgp, metric 20) to 10.0.0.0/8. */
static struct rtnl_route route_v4(void)
{
	struct rtnl_route r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(rt_prefix_parse("10.0.0.0/8", &r.dst, NULL, 0), 0);
	r.table = 254;
	r.protocol = 186;
	r.type = RTN_UNICAST;
	r.has_priority = true;
	r.priority = 20;
	return r;
}

static struct rtnl_path path(const char *gw, uint32_t oif, uint16_t weight)
{
	struct rtnl_path p;

	memset(&p, 0, sizeof(p));
	if (gw)
		assert_int_equal(rt_addr_parse(gw, &p.gateway, NULL, 0), 0);
	p.oif = oif;
	p.weight = weight;
	return p;
}

static void assert_hop(const struct rt_nexthop *h, const char *gw, const char *dev,
		       unsigned weight)
{
	char buf[RT_ADDR_STRLEN];

	if (gw)
		assert_string_equal(rt_addr_format(&h->gateway, buf, sizeof(buf)), gw);
	else
		assert_int_equal(h->gateway.family, 0);
	assert_string_equal(h->dev, dev);
	assert_int_equal(h->weight, weight);
}

static void test_convert_multipath(void **state)
{
	struct rtnl_route r = route_v4();
	struct rtnl_path p[RTNL_MAX_PATHS];
	struct rt_route out, again;
	unsigned total = 0;

	(void)state;
	/* RTA_MULTIPATH's paths (weight = rtnh_hops + 1): every one, weights kept. */
	p[0] = path("192.0.2.2", 4, 3);
	p[1] = path("192.0.2.1", 3, 1);
	p[2] = path(NULL, 5, 7);
	assert_int_equal(feed_route_convert(&r, p, 3, false, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_non_null(out.nexthops);
	assert_int_equal(out.nexthops->count, 3);
	assert_int_equal(out.nexthops->total_weight, 11);
	assert_int_equal(out.type, RT_TYPE_UNICAST);
	assert_int_equal(out.gateway.family, 0);
	assert_string_equal(out.dev, "");
	assert_string_equal(out.proto, "bgp");
	assert_int_equal(out.metric, 20);
	assert_hop(&out.nexthops->hop[0], NULL, "eth5", 7);
	assert_hop(&out.nexthops->hop[1], "192.0.2.1", "eth3", 1);
	assert_hop(&out.nexthops->hop[2], "192.0.2.2", "eth4", 3);
	/* The paths in another order: the same route (one interned group). */
	p[3] = p[0];
	assert_int_equal(feed_route_convert(&r, p + 1, 3, false, ifname, NULL, &again),
			 FEED_ROUTE_OK);
	assert_ptr_equal(again.nexthops, out.nexthops);
	/* A weight changed: another group. */
	p[0].weight = 4;
	assert_int_equal(feed_route_convert(&r, p, 3, false, ifname, NULL, &again),
			 FEED_ROUTE_OK);
	assert_ptr_not_equal(again.nexthops, out.nexthops);
	assert_hop(&again.nexthops->hop[2], "192.0.2.2", "eth4", 4);
	/* One gateway on two devices: two next hops. */
	p[0] = path("192.0.2.1", 3, 1);
	p[1] = path("192.0.2.1", 4, 1);
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_int_equal(out.nexthops->count, 2);
	/* Duplicates are refused whole, not merged or cut down. */
	p[1] = path("192.0.2.1", 3, 5);
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out),
			 FEED_ROUTE_INVALID);
	p[1] = path("192.0.2.2", 3, 5);
	p[2] = path("192.0.2.1", 3, 1);
	assert_int_equal(feed_route_convert(&r, p, 3, false, ifname, NULL, &out),
			 FEED_ROUTE_INVALID);
	/* Weights outside 1..256, a gateway of the other family, a path with neither. */
	p[1].weight = 0;
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out),
			 FEED_ROUTE_INVALID);
	p[1].weight = 257;
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out),
			 FEED_ROUTE_INVALID);
	p[1] = path("2001:db8::1", 3, 1);
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out),
			 FEED_ROUTE_INVALID);
	p[1] = path(NULL, 0, 1);
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out),
			 FEED_ROUTE_INVALID);
	/* The most a route has: 64 next hops, weights 1..64. */
	for (unsigned i = 0; i < RTNL_MAX_PATHS; i++) {
		char gw[32];

		snprintf(gw, sizeof(gw), "192.0.2.%u", i + 1);
		p[i] = path(gw, 1 + i % 4, (uint16_t)(i + 1));
		total += i + 1;
	}
	assert_int_equal(RTNL_MAX_PATHS, RT_NEXTHOPS_MAX);
	assert_int_equal(feed_route_convert(&r, p, RTNL_MAX_PATHS, false, ifname, NULL, &out),
			 FEED_ROUTE_OK);
	assert_int_equal(out.nexthops->count, 64);
	assert_int_equal(out.nexthops->total_weight, total);
	for (unsigned i = 0; i < 64; i++) {
		char gw[32], dev[16];

		/* Canonical order is by address bytes: .1 .. .64 as given. */
		snprintf(gw, sizeof(gw), "192.0.2.%u", i + 1);
		snprintf(dev, sizeof(dev), "eth%u", 1 + i % 4);
		assert_hop(&out.nexthops->hop[i], gw, dev, i + 1);
	}
	/* A rejecting type keeps no next hops, multipath or not. */
	r.type = RTN_BLACKHOLE;
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_int_equal(out.type, RT_TYPE_BLACKHOLE);
	assert_null(out.nexthops);
}

/* RTA_NH_ID of a group: the members through feed_nexthops, with the group's weights. */
static void test_convert_group(void **state)
{
	struct feed_nexthops *nh = feed_nexthops_create();
	struct rtnl_route r = route_v4();
	struct rtnl_path paths[RTNL_MAX_PATHS];
	struct rtnl_nexthop m;
	struct rt_route out;
	unsigned n;
	bool bh;

	(void)state;
	assert_non_null(nh);
	memset(&m, 0, sizeof(m));
	m.id = 100;
	m.n_group = 3;
	m.group[0] = (struct rtnl_nh_member){ 1, 2 };
	m.group[1] = (struct rtnl_nh_member){ 2, 5 };
	m.group[2] = (struct rtnl_nh_member){ 3, 1 };
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	m = nh_single(1, "192.0.2.1", 3);
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	m = nh_single(2, "192.0.2.2", 4);
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	m = nh_single(3, NULL, 0);
	m.blackhole = true;
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	r.nh_id = 100;
	assert_int_equal(feed_nexthops_resolve(nh, 100, paths, &n, &bh), 0);
	assert_int_equal(n, 2);
	assert_false(bh);
	assert_int_equal(feed_route_convert(&r, paths, n, bh, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_int_equal(out.type, RT_TYPE_UNICAST);
	assert_non_null(out.nexthops);
	assert_int_equal(out.nexthops->count, 2);
	assert_hop(&out.nexthops->hop[0], "192.0.2.1", "eth3", 2);
	assert_hop(&out.nexthops->hop[1], "192.0.2.2", "eth4", 5);
	/* A group of one member (the other is a blackhole): single path. */
	m = nh_single(2, NULL, 0);
	m.blackhole = true;
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	assert_int_equal(feed_nexthops_resolve(nh, 100, paths, &n, &bh), 0);
	assert_int_equal(n, 1);
	assert_int_equal(feed_route_convert(&r, paths, n, bh, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_null(out.nexthops);
	assert_string_equal(out.dev, "eth3");
	/* Two members that are one next hop: invalid, as for RTA_MULTIPATH. */
	m = nh_single(2, "192.0.2.1", 3);
	assert_int_equal(feed_nexthops_apply(nh, &m), 0);
	assert_int_equal(feed_nexthops_resolve(nh, 100, paths, &n, &bh), 0);
	assert_int_equal(n, 2);
	assert_int_equal(feed_route_convert(&r, paths, n, bh, ifname, NULL, &out),
			 FEED_ROUTE_INVALID);
	feed_nexthops_destroy(nh);
}

/* No memory to intern a new group: its own verdict, which the feeds count. */
static void test_convert_nomem(void **state)
{
	struct rtnl_route r = route_v4();
	struct rtnl_path p[2];
	struct rt_route out;

	(void)state;
	/* Weights no other test uses: a group not in the pool yet. */
	p[0] = path("198.51.100.1", 1, 201);
	p[1] = path("198.51.100.2", 2, 202);
	alloc_fail_arm(1, 2);
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out),
			 FEED_ROUTE_NOMEM);
	assert_true(alloc_fail_disarm() >= 1);
	assert_int_equal(feed_route_convert(&r, p, 2, false, ifname, NULL, &out), FEED_ROUTE_OK);
	assert_int_equal(out.nexthops->count, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_random),
		cmocka_unit_test(test_routes_swap_restore),
		cmocka_unit_test(test_nexthops),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_convert_multipath),
		cmocka_unit_test(test_convert_group),
		cmocka_unit_test(test_convert_nomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

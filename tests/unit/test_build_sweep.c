/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rt_table_replace_all() builds the tries in one sweep while it inserts
 * routes given in prefix order, and after the inserts otherwise (fib.h,
 * fib_sweep). The same routes given sorted, shuffled, sorted but for one
 * route out of place late in the list, and added one by one must answer
 * every lookup as the naive model does; the two builds of replace_all
 * must make tries of the same size and node count. Random route sets
 * crowd a few regions around the direct table's edge (prefixes shorter
 * than it, of its length and longer, sharing slots), with several routes
 * per prefix whose best one may come late. IPv4 runs with leaf tables too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/prefix.h>
#include <routed/rcu.h>
#include <routed/route.h>
#include <routed/table.h>

#include "naive.h"
#include "seed.h"

#define ROUTES 3000
#define PROBES 3000

static unsigned long long rng_state;

static unsigned long long rng(void)
{
	return seed_rng_next(&rng_state);
}

struct shape {
	int family;
	const char *regions[4];		/* where most prefixes go */
	const unsigned *lens;
	size_t nlens;
};

/* addr's bits: kept below `from`, random from there, cleared from len on. */
static void fill_bits(struct rt_addr *a, unsigned from, unsigned len)
{
	unsigned bits = a->family == AF_INET ? 32 : 128;

	for (unsigned i = 0; i < bits; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if (i < from && i < len)
			continue;
		if (i < len && rng() & 1)
			a->bytes[i / 8] |= bit;
		else
			a->bytes[i / 8] &= (uint8_t)~bit;
	}
}

static struct rt_route random_route(const struct shape *sh)
{
	struct rt_route r;
	struct rt_prefix region;
	char err[RT_ERR_LEN];
	unsigned len = sh->lens[rng() % sh->nlens];

	rt_route_init(&r);
	assert_int_equal(rt_prefix_parse(sh->regions[rng() % 4], &region, err, sizeof(err)), 0);
	r.prefix.addr = region.addr;
	/* One in eight anywhere: covers and slots far from the regions. */
	fill_bits(&r.prefix.addr, rng() % 8 ? region.len : 0, len);
	r.prefix.len = (uint8_t)len;
	r.gateway.family = sh->family;
	if (sh->family == AF_INET) {
		r.gateway.bytes[0] = 192;
		r.gateway.bytes[3] = (uint8_t)(1 + rng() % 200);
	} else {
		r.gateway.bytes[0] = 0x20;
		r.gateway.bytes[1] = 0x01;
		r.gateway.bytes[15] = (uint8_t)(1 + rng() % 200);
	}
	r.metric = (uint32_t)(rng() % 4);
	snprintf(r.proto, sizeof(r.proto), "%s", rng() % 2 ? "bgp" : "static");
	return r;
}

/* A set of routes, no two with the same (prefix, proto, metric), in any order. */
static size_t make_routes(const struct shape *sh, struct naive *nv, struct rt_route *routes)
{
	size_t n = 0;

	for (unsigned i = 0; i < ROUTES; i++) {
		struct rt_route r = random_route(sh);

		/* A second route for a prefix already drawn, now and then. */
		if (n && rng() % 6 == 0) {
			r.prefix = routes[rng() % n].prefix;
			r.metric = (uint32_t)(rng() % 4);
		}
		if (naive_add(nv, &r) == 0)
			routes[n++] = r;
	}
	return n;
}

static int route_order(const void *a, const void *b)
{
	return naive_prefix_cmp(&((const struct rt_route *)a)->prefix,
				&((const struct rt_route *)b)->prefix);
}

static void shuffle(struct rt_route *routes, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rng() % i);
		struct rt_route x = routes[i - 1];

		routes[i - 1] = routes[j];
		routes[j] = x;
	}
}

static void check_lookups(const struct rt_table *t, const struct naive *nv,
			  const struct rt_addr *probes, size_t np, const char *what)
{
	struct rt_lookup_result *got = calloc(np, sizeof(*got));

	assert_non_null(got);
	rt_table_lookup(t, probes, np, got);
	for (size_t i = 0; i < np; i++) {
		struct rt_route want;
		bool found = naive_lookup(nv, &probes[i], &want);
		char a[RT_ADDR_STRLEN], w[RT_PREFIX_STRLEN], g[RT_PREFIX_STRLEN];

		if (found == got[i].found &&
		    (!found || (!naive_prefix_cmp(&want.prefix, &got[i].route.prefix) &&
				!memcmp(&want.gateway, &got[i].route.gateway, sizeof(want.gateway)))))
			continue;
		rt_addr_format(&probes[i], a, sizeof(a));
		fail_msg("%s: %s: want %s, got %s", what, a,
			 found ? rt_prefix_format(&want.prefix, w, sizeof(w)) : "no route",
			 got[i].found ? rt_prefix_format(&got[i].route.prefix, g, sizeof(g))
				      : "no route");
	}
	free(got);
}

/* Random addresses near the routes, and each prefix's first and last address. */
static size_t make_probes(const struct shape *sh, const struct rt_route *routes, size_t n,
			  struct rt_addr *probes)
{
	size_t np = 0;

	for (unsigned i = 0; i < PROBES; i++) {
		struct rt_route r = random_route(sh);

		probes[np] = r.prefix.addr;
		fill_bits(&probes[np++], r.prefix.len, 128);
	}
	for (size_t i = 0; i < n; i++) {
		unsigned bits = sh->family == AF_INET ? 32 : 128;

		probes[np] = routes[i].prefix.addr;
		probes[np + 1] = routes[i].prefix.addr;
		for (unsigned b = routes[i].prefix.len; b < bits; b++)
			probes[np + 1].bytes[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		np += 2;
	}
	return np;
}

static struct rt_table *replaced(const struct rt_route *routes, size_t n,
				 struct rt_family_stats *fs, int family)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct rt_table_stats st;
	size_t failed = 0;

	assert_non_null(t);
	if (rt_table_replace_all(t, routes, n, &failed)) {
		char p[RT_PREFIX_STRLEN];

		fail_msg("replace_all failed at route %zu (%s)", failed,
			 rt_prefix_format(&routes[failed].prefix, p, sizeof(p)));
	}
	rt_table_stats(t, &st);
	*fs = family == AF_INET ? st.v4 : st.v6;
	return t;
}

static void check_builds(const struct shape *sh)
{
	struct rt_route *routes = calloc(ROUTES, sizeof(*routes));
	struct rt_addr *probes = calloc(PROBES + 2 * ROUTES, sizeof(*probes));
	struct rt_family_stats sorted, shuffled, late;
	struct rt_table *t;
	struct naive nv;
	size_t n, np;

	assert_non_null(routes);
	assert_non_null(probes);
	naive_init(&nv);
	n = make_routes(sh, &nv, routes);
	np = make_probes(sh, routes, n, probes);

	qsort(routes, n, sizeof(*routes), route_order);
	t = replaced(routes, n, &sorted, sh->family);
	check_lookups(t, &nv, probes, np, "sorted");
	rt_table_destroy(t);

	/* Out of order after most slots were built: they are given back, the trie built whole. */
	{
		struct rt_route x = routes[n - 2];

		routes[n - 2] = routes[n - n / 8];
		routes[n - n / 8] = x;
	}
	t = replaced(routes, n, &late, sh->family);
	check_lookups(t, &nv, probes, np, "one late");
	rt_table_destroy(t);

	shuffle(routes, n);
	t = replaced(routes, n, &shuffled, sh->family);
	check_lookups(t, &nv, probes, np, "shuffled");
	rt_table_destroy(t);

	assert_int_equal(sorted.prefixes, shuffled.prefixes);
	assert_int_equal(sorted.routes, n);
	assert_int_equal(sorted.fib_bytes, shuffled.fib_bytes);
	assert_int_equal(sorted.fib_nodes, shuffled.fib_nodes);
	assert_int_equal(late.fib_bytes, shuffled.fib_bytes);
	assert_int_equal(late.fib_nodes, shuffled.fib_nodes);
	/* Not a trie of leaves only: the routes reach below the direct table. */
	assert_true(sorted.fib_nodes > 0);

	t = rt_table_create(RT_TABLE_MAIN);
	assert_non_null(t);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rt_table_add(t, &routes[i]), 0);
	check_lookups(t, &nv, probes, np, "one by one");
	rt_table_destroy(t);

	naive_fini(&nv);
	free(probes);
	free(routes);
}

static void check_v4(void)
{
	/* The direct table is 18 bits: covers above it, slots of 18, nodes below. */
	static const unsigned lens[] = { 0, 4, 8, 12, 15, 16, 17, 17, 18, 18, 18, 19, 20, 21,
					 22, 23, 24, 24, 24, 24, 24, 25, 26, 28, 30, 32 };
	const struct shape sh = {
		AF_INET, { "10.0.0.0/14", "10.4.0.0/17", "172.16.0.0/20", "192.168.0.0/16" },
		lens, sizeof(lens) / sizeof(lens[0]),
	};

	for (unsigned i = 0; i < 4 * seed_iterations(); i++)
		check_builds(&sh);
}

static void test_v4(void **state)
{
	(void)state;
	check_v4();
}

/* Slots whose root has no children become leaf tables (fib.h), read when a trie is created. */
static void test_v4_leaf_tables(void **state)
{
	(void)state;
	assert_int_equal(setenv("ROUTED_FIB_LEAF_TABLES", "1", 1), 0);
	check_v4();
	assert_int_equal(unsetenv("ROUTED_FIB_LEAF_TABLES"), 0);
}

static void test_v6(void **state)
{
	/* The direct table is 16 bits. */
	static const unsigned lens[] = { 0, 3, 8, 12, 14, 15, 16, 16, 17, 19, 24, 28, 29, 32,
					 36, 40, 44, 48, 48, 48, 52, 56, 60, 64, 96, 128 };
	const struct shape sh = {
		AF_INET6, { "2001:db8::/30", "2001:db8:8000::/33", "2a00::/12", "2400::/16" },
		lens, sizeof(lens) / sizeof(lens[0]),
	};

	(void)state;
	for (unsigned i = 0; i < 4 * seed_iterations(); i++)
		check_builds(&sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v4_leaf_tables),
		cmocka_unit_test(test_v6),
	};

	rng_state = seed_from_env();	/* prints it */
	if (!rng_state)
		rng_state = 1;
	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

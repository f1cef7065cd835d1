/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Single-route updates in a crowded region: a pool of nesting prefixes
 * under one IPv4 /20 or IPv6 /44 (and a few covering it), each deleted
 * and added again many times in random order, as a router's churn does.
 * Most of these updates repaint leaf runs of one trie node in place, and
 * leave runs equal to their neighbours that later path copies merge (or
 * collapse, when a node is left with one answer): after every change,
 * lookups across the region are compared with the naive reference, and
 * once the pool is deleted the trie holds no node again.
 *
 * With IPv4 leaf tables built (ROUTED_FIB_LEAF_TABLES=1), the pool fills
 * one whole direct slot (a /18) with /19../24 prefixes, updated in the
 * slot's line or flat table in place or by a new table, and now and then
 * a /25 or /26 that makes the slot a node until it goes: every /24 chunk
 * of the slot is looked up after every change, and the slot must have
 * been a line, a flat table and a node along the way.
 *
 * ROUTED_TEST_SEED sets the seed (printed as "# seed N");
 * ROUTED_TEST_ITERATIONS scales the number of changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/prefix.h>
#include <routed/rcu.h>
#include <routed/route.h>
#include <routed/table.h>

#include "fib.h"
#include "fib_table.h"
#include "table_int.h"
#include "lookup_paths.h"
#include "naive.h"
#include "seed.h"

#define POOL 64
#define PROBES 192
#define CHUNKS 64			/* the /24s of an IPv4 /18 */
#define THIN_PHASE 300
#define THIN_POOL 6
#define CHANGES 1500

static unsigned long long rng_state;

static unsigned long long rng(void)
{
	return seed_rng_next(&rng_state);
}

struct region {
	const char *base;		/* the crowded prefix */
	const unsigned *lens;		/* pool lengths, some shorter than base's */
	size_t nlens;
	bool tables;			/* IPv4 leaf tables: base is one direct slot */
};

/* What the trie holds in a direct slot, as the leaf tables test counts it. */
enum slot_kind { SLOT_LEAF, SLOT_NODE, SLOT_LINE, SLOT_FLAT, SLOT_KINDS };

static enum slot_kind slot_kind(const struct rt_table *t, const struct rt_prefix *base)
{
	const struct fib_trie *fib = t->state->fib4;
	uintptr_t slot = fib->dir[key_chunk(key_from_addr(&base->addr), 0, fib->dir_bits)];

	if (!(slot & FIB_SLOT_NODE))
		return SLOT_LEAF;
	if (!fib_slot_is_table(slot))
		return SLOT_NODE;
	return slot & FIB_SLOT_FLAT ? SLOT_FLAT : SLOT_LINE;
}

/* addr with every bit from len on replaced by random bits. */
static void randomize_below(struct rt_addr *a, unsigned len)
{
	unsigned bytes = a->family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < bytes * 8; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if (i < len)
			continue;
		if (rng() & 1)
			a->bytes[i / 8] |= bit;
		else
			a->bytes[i / 8] &= (uint8_t)~bit;
	}
}

static void clear_below(struct rt_addr *a, unsigned len)
{
	unsigned bytes = a->family == AF_INET ? 4 : 16;

	for (unsigned i = len; i < bytes * 8; i++)
		a->bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

static struct rt_route pool_route(const struct rt_prefix *base, unsigned len, unsigned i)
{
	struct rt_route r;

	rt_route_init(&r);
	r.prefix.addr = base->addr;
	randomize_below(&r.prefix.addr, base->len);
	clear_below(&r.prefix.addr, len);
	r.prefix.len = (uint8_t)len;
	r.gateway.family = base->addr.family;
	if (base->addr.family == AF_INET) {
		r.gateway.bytes[0] = 192;
		r.gateway.bytes[3] = (uint8_t)(i + 1);
	} else {
		r.gateway.bytes[0] = 0x20;
		r.gateway.bytes[1] = 0x01;
		r.gateway.bytes[15] = (uint8_t)(i + 1);
	}
	snprintf(r.proto, sizeof(r.proto), "static");
	return r;
}

static void check_lookups(const struct rt_table *t, const struct naive *nv,
			  const struct rt_prefix *base, const struct rt_route *pool, size_t n,
			  bool every_chunk)
{
	struct rt_addr probes[PROBES + POOL + CHUNKS];
	struct rt_lookup_result got[PROBES + POOL + CHUNKS];
	size_t np = 0;

	for (unsigned i = 0; i < PROBES; i++) {
		probes[np] = base->addr;
		randomize_below(&probes[np++], base->len);
	}
	/* An address in each /24 of the /18: every chunk of its leaf table. */
	for (unsigned c = 0; every_chunk && c < CHUNKS; c++) {
		probes[np] = base->addr;
		probes[np].bytes[2] = (uint8_t)(probes[np].bytes[2] | c);
		probes[np++].bytes[3] = (uint8_t)rng();
	}
	/* The first address of each pool prefix: its range's edges move most. */
	for (size_t i = 0; i < n; i++)
		probes[np++] = pool[i].prefix.addr;
	rt_table_lookup(t, probes, np, got);
	for (size_t i = 0; i < np; i++) {
		struct rt_route want;
		bool found = naive_lookup(nv, &probes[i], &want);
		char a[RT_ADDR_STRLEN], w[RT_PREFIX_STRLEN], g[RT_PREFIX_STRLEN];

		if (found == got[i].found &&
		    (!found || !naive_prefix_cmp(&want.prefix, &got[i].route.prefix)))
			continue;
		rt_addr_format(&probes[i], a, sizeof(a));
		fail_msg("%s: want %s, got %s", a,
			 found ? rt_prefix_format(&want.prefix, w, sizeof(w)) : "no route",
			 got[i].found ? rt_prefix_format(&got[i].route.prefix, g, sizeof(g))
				      : "no route");
	}
}

static void churn_region(const struct region *rg)
{
	struct rt_table *t;
	struct rt_route pool[POOL];
	unsigned seen[SLOT_KINDS] = { 0 }, switches = 0;
	enum slot_kind was = SLOT_LEAF;
	bool present[POOL] = { false };
	struct rt_prefix base;
	struct naive nv;
	struct rt_table_stats st;
	char err[RT_ERR_LEN];
	unsigned changes = (unsigned)(CHANGES * seed_iterations());

	/* Read as the trie is created (lib/fib.c, leaf_tables_wanted()). */
	assert_int_equal(setenv("ROUTED_FIB_LEAF_TABLES", rg->tables ? "1" : "0", 1), 0);
	t = rt_table_create(RT_TABLE_MAIN);
	assert_int_equal(unsetenv("ROUTED_FIB_LEAF_TABLES"), 0);
	assert_non_null(t);
	naive_init(&nv);
	assert_int_equal(rt_prefix_parse(rg->base, &base, err, sizeof(err)), 0);
	for (unsigned i = 0; i < POOL; i++)
		pool[i] = pool_route(&base, rg->lens[rng() % rg->nlens], i);
	/* One prefix past the table's level: the slot is a node while it is there. */
	if (rg->tables)
		pool[0] = pool_route(&base, 25, 0);
	for (unsigned c = 0; c < changes; c++) {
		unsigned i = (unsigned)(rng() % POOL);

		/*
		 * Tables: thin phases, where only the first few prefixes are
		 * added (a line's few runs), alternate with crowded ones (a
		 * flat table's many).
		 */
		if (rg->tables && c / THIN_PHASE % 2 && i >= THIN_POOL && !present[i])
			i %= THIN_POOL;
		struct rt_route_key k;

		memset(&k, 0, sizeof(k));
		k.prefix = pool[i].prefix;
		if (present[i]) {
			/* The same prefix may be in the pool twice: both views agree. */
			int want = naive_delete(&nv, &k, NULL);

			assert_int_equal(rt_table_delete(t, &k), want);
		} else {
			int want = naive_add(&nv, &pool[i]);

			assert_int_equal(rt_table_add(t, &pool[i]), want);
		}
		for (unsigned j = 0; j < POOL; j++)
			present[j] = naive_find(&nv, &pool[j]) != NULL;
		check_lookups(t, &nv, &base, pool, POOL, rg->tables);
		if (rg->tables) {
			enum slot_kind now = slot_kind(t, &base);

			seen[now]++;
			switches += now != was;
			was = now;
		}
	}
	if (rg->tables) {
		print_message("# slot kinds: leaf %u, node %u, line %u, flat %u; %u switches\n",
			      seen[SLOT_LEAF], seen[SLOT_NODE], seen[SLOT_LINE], seen[SLOT_FLAT],
			      switches);
		assert_true(seen[SLOT_NODE] && seen[SLOT_LINE] && seen[SLOT_FLAT]);
	}
	for (unsigned i = 0; i < POOL; i++) {
		struct rt_route_key k;

		memset(&k, 0, sizeof(k));
		k.prefix = pool[i].prefix;
		if (naive_delete(&nv, &k, NULL) == 0)
			assert_int_equal(rt_table_delete(t, &k), 0);
	}
	check_lookups(t, &nv, &base, pool, POOL, rg->tables);
	if (rg->tables)
		assert_int_equal(slot_kind(t, &base), SLOT_LEAF);
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.fib_nodes + st.v6.fib_nodes, 0);
	naive_fini(&nv);
	rt_table_destroy(t);
}

static void test_churn_v4(void **state)
{
	/* /16 and /18 cover it from the direct table; /19../24 share one node level. */
	static const unsigned lens[] = { 16, 18, 20, 21, 22, 23, 24, 24, 24, 24, 25, 26, 28, 32 };
	const struct region rg = { "10.16.0.0/20", lens, sizeof(lens) / sizeof(lens[0]), false };

	(void)state;
	churn_region(&rg);
}

static void test_churn_v4_tables(void **state)
{
	/*
	 * /19../24 fill the slot's leaf table; the pool's /25 makes it a
	 * node while present; the /16 covers it from the direct table.
	 */
	static const unsigned lens[] = { 16, 19, 20, 21, 22, 22, 23, 23, 23, 24, 24, 24, 24,
					 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24 };
	const struct region rg = { "10.64.0.0/18", lens, sizeof(lens) / sizeof(lens[0]), true };

	(void)state;
	churn_region(&rg);
}

static void test_churn_v6(void **state)
{
	static const unsigned lens[] = { 32, 40, 44, 45, 46, 47, 48, 48, 48, 48, 50, 52, 56, 64 };
	const struct region rg = { "2001:db8:100::/44", lens, sizeof(lens) / sizeof(lens[0]), false };

	(void)state;
	churn_region(&rg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LOOKUP_PATH_TESTS(test_churn_v4),
		LOOKUP_PATH_TESTS(test_churn_v4_tables),
		LOOKUP_PATH_TESTS(test_churn_v6),
	};

	rng_state = seed_from_env();	/* prints it */
	if (!rng_state)
		rng_state = 1;
	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

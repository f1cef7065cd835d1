/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FIB's direct table (lib/fib_dir.c), whose passes cost what it holds:
 * covers of every direct length (and a few longer) added and removed over
 * slots that hold nodes, nodes scattered over far-apart pages of slots
 * (the first slot and the last among them) deleted and added back under a
 * cover, the teardown of such a table (the ASan build's LeakSanitizer
 * catches a node page it misses: the arena would outlive its table), and
 * the memory a table counts: an empty one not its slots, a default route
 * all of them, an emptied one what it started with. Lookups are compared
 * with the naive reference after every change.
 *
 * ROUTED_TEST_SEED sets the seed (printed as "# seed N").
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
#include "lookup_paths.h"
#include "naive.h"
#include "seed.h"

#define DEEP 24			/* long prefixes, in scattered direct slots */
#define PROBES_PER_PREFIX 3
#define RANDOM_PROBES 64
#define MAX_PROBES (RANDOM_PROBES + (DEEP + 1) * PROBES_PER_PREFIX + 4)

static unsigned long long rng_state;

static unsigned long long rng(void)
{
	return seed_rng_next(&rng_state);
}

static unsigned addr_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static void set_bit(struct rt_addr *a, unsigned i, bool on)
{
	uint8_t bit = (uint8_t)(0x80 >> (i % 8));

	if (on)
		a->bytes[i / 8] |= bit;
	else
		a->bytes[i / 8] &= (uint8_t)~bit;
}

/* a with every bit from len on random (ones: all set). */
static void fill_below(struct rt_addr *a, unsigned len, int how)
{
	for (unsigned i = len; i < addr_bits(a->family); i++)
		set_bit(a, i, how < 0 ? (bool)(rng() & 1) : how > 0);
}

/* a plus one (wrapping), or minus one: the neighbour across a prefix's edge. */
static void step(struct rt_addr *a, int dir)
{
	for (int i = (int)addr_bits(a->family) / 8 - 1; i >= 0; i--) {
		uint8_t old = a->bytes[i];

		a->bytes[i] = (uint8_t)(old + dir);
		if ((dir > 0 && old != 0xff) || (dir < 0 && old != 0))
			return;
	}
}

static struct rt_route make_route(int family, const struct rt_addr *a, unsigned len, unsigned tag)
{
	struct rt_route r;

	rt_route_init(&r);
	r.prefix.addr = *a;
	rt_addr_mask(&r.prefix.addr, len);
	r.prefix.len = (uint8_t)len;
	r.gateway.family = family;
	if (family == AF_INET) {
		r.gateway.bytes[0] = 192;
		r.gateway.bytes[2] = (uint8_t)(tag >> 8);
		r.gateway.bytes[3] = (uint8_t)tag;
	} else {
		r.gateway.bytes[0] = 0xfe;
		r.gateway.bytes[1] = 0x80;
		r.gateway.bytes[14] = (uint8_t)(tag >> 8);
		r.gateway.bytes[15] = (uint8_t)tag;
	}
	snprintf(r.proto, sizeof(r.proto), "static");
	return r;
}

static void add(struct rt_table *t, struct naive *nv, const struct rt_route *r)
{
	assert_int_equal(rt_table_add(t, r), 0);
	assert_int_equal(naive_add(nv, r), 0);
}

static void del(struct rt_table *t, struct naive *nv, const struct rt_route *r)
{
	struct rt_route_key k = { .prefix = r->prefix };

	assert_int_equal(rt_table_delete(t, &k), 0);
	assert_int_equal(naive_delete(nv, &k, NULL), 0);
}

/* Probes at the edges and inside of every prefix given, and at random. */
static void check(const struct rt_table *t, const struct naive *nv, const struct rt_route *deep,
		  size_t ndeep, const struct rt_route *cover, const char *what)
{
	struct rt_addr probes[MAX_PROBES];
	struct rt_lookup_result got[MAX_PROBES];
	int family = deep[0].prefix.addr.family;
	size_t np = 0;

	for (unsigned i = 0; i < RANDOM_PROBES; i++) {
		probes[np] = (struct rt_addr){ .family = family };
		fill_below(&probes[np++], 0, -1);
	}
	for (size_t i = 0; i <= ndeep; i++) {
		const struct rt_route *r = i < ndeep ? &deep[i] : cover;

		if (!r)
			continue;
		probes[np] = r->prefix.addr;
		fill_below(&probes[np++], r->prefix.len, -1);
		probes[np] = r->prefix.addr;
		step(&probes[np++], -1);
		probes[np] = r->prefix.addr;
		fill_below(&probes[np], r->prefix.len, 1);
		step(&probes[np++], 1);
	}
	rt_table_lookup(t, probes, np, got);
	for (size_t i = 0; i < np; i++) {
		struct rt_route want;
		bool found = naive_lookup(nv, &probes[i], &want);
		char a[RT_ADDR_STRLEN], w[RT_PREFIX_STRLEN], g[RT_PREFIX_STRLEN];

		if (found == got[i].found &&
		    (!found || !naive_prefix_cmp(&want.prefix, &got[i].route.prefix)))
			continue;
		rt_addr_format(&probes[i], a, sizeof(a));
		fail_msg("%s: %s: want %s, got %s", what, a,
			 found ? rt_prefix_format(&want.prefix, w, sizeof(w)) : "no route",
			 got[i].found ? rt_prefix_format(&got[i].route.prefix, g, sizeof(g))
				      : "no route");
	}
}

/*
 * Long prefixes (IPv6 /48 to /64, IPv4 /24 to /32) in scattered slots:
 * the first and the last address of the space, pairs of neighbours in one
 * page of slots, and random ones.
 */
static size_t make_deep(int family, struct rt_route *deep)
{
	unsigned bits = addr_bits(family), base = family == AF_INET ? 24 : 48;
	struct rt_addr a = { .family = family };
	size_t n = 0;

	fill_below(&a, 0, 0);
	deep[n] = make_route(family, &a, base, (unsigned)n + 1), n++;
	fill_below(&a, 0, 1);
	deep[n] = make_route(family, &a, bits, (unsigned)n + 1), n++;
	while (n < DEEP) {
		unsigned len = base + (unsigned)(rng() % (bits == 32 ? 9 : 17));

		fill_below(&a, 0, -1);
		deep[n] = make_route(family, &a, len, (unsigned)n + 1), n++;
		/* A neighbour a few slots on, most often in the same page of slots. */
		if (n < DEEP && rng() % 2) {
			unsigned b = bits == 32 ? 17 : 21;

			set_bit(&a, b, !(a.bytes[b / 8] & (0x80 >> (b % 8))));
			deep[n] = make_route(family, &a, len, (unsigned)n + 1), n++;
		}
	}
	return n;
}

/*
 * A cover of every length from 1 to a few past the direct table's, over
 * one of the deep prefixes: added, the deep prefixes under it deleted and
 * added back, the cover deleted.
 */
static void covers_over_nodes(int family)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	unsigned max_len = family == AF_INET ? 20 : 24;
	struct rt_route deep[DEEP];
	struct naive nv;
	size_t n;

	assert_non_null(t);
	naive_init(&nv);
	n = make_deep(family, deep);
	for (size_t i = 0; i < n; i++)
		add(t, &nv, &deep[i]);
	check(t, &nv, deep, n, NULL, "deep prefixes");
	for (unsigned len = 1; len <= max_len; len++) {
		const struct rt_route *under = &deep[rng() % n];
		struct rt_route cover = make_route(family, &under->prefix.addr, len, 1000 + len);
		char what[64];

		snprintf(what, sizeof(what), "cover /%u added", len);
		add(t, &nv, &cover);
		check(t, &nv, deep, n, &cover, what);
		for (size_t i = 0; i < n; i++)
			del(t, &nv, &deep[i]);
		snprintf(what, sizeof(what), "cover /%u alone", len);
		check(t, &nv, deep, n, &cover, what);
		for (size_t i = 0; i < n; i++)
			add(t, &nv, &deep[i]);
		snprintf(what, sizeof(what), "cover /%u, deep ones back", len);
		check(t, &nv, deep, n, &cover, what);
		del(t, &nv, &cover);
		snprintf(what, sizeof(what), "cover /%u deleted", len);
		check(t, &nv, deep, n, &cover, what);
	}
	naive_fini(&nv);
	/* Destroyed with its nodes in place: only their pages are visited. */
	rt_table_destroy(t);
}

static void test_covers_over_nodes_v4(void **state)
{
	(void)state;
	covers_over_nodes(AF_INET);
}

static void test_covers_over_nodes_v6(void **state)
{
	(void)state;
	covers_over_nodes(AF_INET6);
}

static void family_bytes(struct rt_table *t, int family, uint64_t *fib, uint64_t *total)
{
	struct rt_table_stats st;

	rt_table_quiesce(t);
	rt_table_stats(t, &st);
	*fib = family == AF_INET ? st.v4.fib_bytes : st.v6.fib_bytes;
	*total = st.total_bytes;
}

/*
 * What a table counts: an empty table not its slots (8 bytes each,
 * 2^FIB4_DIR_BITS / 2^FIB6_DIR_BITS of them); a default route makes every slot a leaf;
 * scattered long prefixes a page or so each; emptied, what it counted new.
 */
static void memory_counts(int family)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	uint64_t slots = (uint64_t)8 << (family == AF_INET ? FIB4_DIR_BITS : FIB6_DIR_BITS);
	uint64_t base_fib, base_total, fib, total;
	struct rt_addr zero = { .family = family };
	struct rt_route deep[DEEP], dflt;
	struct naive nv;
	size_t n;

	assert_non_null(t);
	naive_init(&nv);
	family_bytes(t, family, &base_fib, &base_total);
	assert_true(base_fib < slots / 16);

	n = make_deep(family, deep);
	for (size_t i = 0; i < n; i++)
		add(t, &nv, &deep[i]);
	family_bytes(t, family, &fib, &total);
	assert_true(fib > base_fib);
	assert_true(fib < base_fib + n * 8192 + slots / 64);

	dflt = make_route(family, &zero, 0, 999);
	add(t, &nv, &dflt);
	check(t, &nv, deep, n, &dflt, "default route");
	family_bytes(t, family, &fib, &total);
	assert_true(fib >= base_fib + slots);

	del(t, &nv, &dflt);
	check(t, &nv, deep, n, NULL, "default route deleted");
	family_bytes(t, family, &fib, &total);
	assert_true(fib < base_fib + n * 8192 + slots / 64);
	for (size_t i = 0; i < n; i++)
		del(t, &nv, &deep[i]);
	family_bytes(t, family, &fib, &total);
	assert_int_equal(fib, base_fib);
	assert_int_equal(total, base_total);

	/* The same once more, the default route first: pages come and go again. */
	add(t, &nv, &dflt);
	for (size_t i = 0; i < n; i++)
		add(t, &nv, &deep[i]);
	check(t, &nv, deep, n, &dflt, "default route first");
	for (size_t i = 0; i < n; i++)
		del(t, &nv, &deep[i]);
	del(t, &nv, &dflt);
	family_bytes(t, family, &fib, &total);
	assert_int_equal(fib, base_fib);
	assert_int_equal(total, base_total);
	naive_fini(&nv);
	rt_table_destroy(t);
}

static void test_memory_counts_v4(void **state)
{
	(void)state;
	memory_counts(AF_INET);
}

static void test_memory_counts_v6(void **state)
{
	(void)state;
	memory_counts(AF_INET6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LOOKUP_PATH_TESTS(test_covers_over_nodes_v4),
		LOOKUP_PATH_TESTS(test_covers_over_nodes_v6),
		LOOKUP_PATH_TESTS(test_memory_counts_v4),
		LOOKUP_PATH_TESTS(test_memory_counts_v6),
	};

	rng_state = seed_from_env();	/* prints it */
	if (!rng_state)
		rng_state = 1;
	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

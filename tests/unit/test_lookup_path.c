/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lookup paths (include/routed/lookup_path.h): choosing one, and every
 * available path answering like the naive model, batch by batch, on tables
 * shaped to reach deep into the trie (sibling runs of /25-/29, IPv6 down to
 * /128), as built in one piece and after single updates. Prints the seed
 * and which paths ran; a path this CPU lacks is reported as not run.
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

#include <routed/lookup_path.h>
#include <routed/lookup_wire.h>
#include <routed/prefix.h>
#include <routed/table.h>
#include <urcu/urcu-memb.h>

#include "naive.h"
#include "seed.h"

#define ROUTES_RANDOM 700
#define RUNS 40			/* sibling runs of long prefixes, per family */
#define PROBES 3000
#define MAX_BATCH 67		/* batch sizes 1..67: every tail of a vector */

static unsigned long long rng_state;

static uint64_t next_random(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return (unsigned)(next_random() % n);
}

static void random_addr(int family, struct rt_addr *a)
{
	uint64_t x = next_random(), y = next_random();

	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->bytes, &x, 8);
	memcpy(a->bytes + 8, &y, 8);
	if (family == AF_INET)
		memset(a->bytes + 4, 0, 12);
}

struct routes {
	struct rt_route r[2 * (ROUTES_RANDOM + RUNS * 8)];
	size_t n;
};

static void push(struct routes *rs, const struct rt_addr *a, unsigned len)
{
	struct rt_route *r = &rs->r[rs->n];
	struct rt_addr masked = *a;

	memset(r, 0, sizeof(*r));
	rt_addr_mask(&masked, len);
	assert_int_equal(rt_prefix_make(&masked, len, &r->prefix), 0);
	for (size_t i = 0; i < rs->n; i++)
		if (rt_prefix_equal(&rs->r[i].prefix, &r->prefix))
			return;
	r->table = RT_TABLE_MAIN;
	strcpy(r->proto, "static");
	r->has_tag = true;
	r->tag = (uint32_t)rs->n + 1;	/* names the route in the answers */
	rs->n++;
}

/* Random lengths over the whole range, and runs of siblings below a base. */
static void make_routes(struct routes *rs)
{
	static const unsigned long4[] = { 25, 26, 27, 28, 29 };
	static const unsigned long6[] = { 48, 56, 60, 64, 100, 127, 128 };

	rs->n = 0;
	for (int f = 0; f < 2; f++) {
		int family = f ? AF_INET6 : AF_INET;
		unsigned bits = f ? 128 : 32;

		for (unsigned i = 0; i < ROUTES_RANDOM; i++) {
			struct rt_addr a;

			random_addr(family, &a);
			if (family == AF_INET6)
				a.bytes[0] = (uint8_t)(0x20 | (a.bytes[0] & 1));
			push(rs, &a, below(bits + 1));
		}
		for (unsigned i = 0; i < RUNS; i++) {
			struct rt_addr base;
			unsigned len = f ? long6[below(7)] : long4[below(5)];

			random_addr(family, &base);
			if (family == AF_INET6)
				base.bytes[0] = 0x20;
			for (unsigned k = 0; k < 8; k++) {
				struct rt_addr a = base;
				unsigned bit = len - 1 - (k % 3);	/* siblings and near cousins */

				a.bytes[bit / 8] ^= (uint8_t)(k << (7 - bit % 8));
				push(rs, &a, len);
			}
		}
	}
}

/* A probe inside a random route's prefix, at its edge, or anywhere. */
static void random_probe(const struct routes *rs, struct rt_addr *a)
{
	const struct rt_prefix *p = &rs->r[below((unsigned)rs->n)].prefix;
	unsigned kind = below(4), bits = rt_family_bits(p->addr.family);

	random_addr(p->addr.family, a);
	if (kind == 3)
		return;
	for (unsigned b = 0; b < p->len; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		a->bytes[b / 8] = (uint8_t)((a->bytes[b / 8] & ~m) | (p->addr.bytes[b / 8] & m));
	}
	for (unsigned b = p->len; b < bits && kind < 2; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		a->bytes[b / 8] = (uint8_t)(kind ? a->bytes[b / 8] | m : a->bytes[b / 8] & ~m);
	}
}

struct probes {
	uint32_t v4[PROBES];
	uint8_t v6[PROBES][16];
	struct rt_route want4[PROBES], want6[PROBES];
	bool found4[PROBES], found6[PROBES];
	size_t n4, n6;
};

static void make_probes(const struct routes *rs, const struct naive *nv, struct probes *pr)
{
	pr->n4 = pr->n6 = 0;
	while (pr->n4 < PROBES || pr->n6 < PROBES) {
		struct rt_addr a;

		random_probe(rs, &a);
		if (a.family == AF_INET && pr->n4 < PROBES) {
			pr->found4[pr->n4] = naive_lookup(nv, &a, &pr->want4[pr->n4]);
			pr->v4[pr->n4++] = rt_addr_to_v4(&a);
		} else if (a.family == AF_INET6 && pr->n6 < PROBES) {
			pr->found6[pr->n6] = naive_lookup(nv, &a, &pr->want6[pr->n6]);
			memcpy(pr->v6[pr->n6++], a.bytes, 16);
		}
	}
}

static void check_answer(const struct rt_answer *got, uint32_t id, bool found,
			 const struct rt_route *want, const char *family, size_t i)
{
	if (got->found != found || (id != RT_NO_ROUTE) != found ||
	    (found && (got->len != want->prefix.len || got->tag != want->tag)))
		fail_msg("%s probe %zu on path %s: found %d len %u tag %u, want %d len %u tag %u",
			 family, i, rt_lookup_path_name(rt_lookup_path_current()), got->found,
			 got->len, got->tag, found, found ? want->prefix.len : 0,
			 found ? want->tag : 0);
}

/* Every batch size from 1 to MAX_BATCH, over all probes, ids and answers. */
static void check_path(const struct rt_table *t, const struct probes *pr)
{
	static uint32_t ids[PROBES], ids2[PROBES];
	static struct rt_answer ans[PROBES];

	for (size_t at = 0, m = 1; at < pr->n4; at += m, m = m % MAX_BATCH + 1) {
		size_t k = m < pr->n4 - at ? m : pr->n4 - at;

		rt_table_lookup_ids4(t, pr->v4 + at, k, ids + at);
		rt_table_answer4(t, pr->v4 + at, k, ids2 + at, ans + at);
	}
	for (size_t i = 0; i < pr->n4; i++) {
		assert_int_equal(ids[i], ids2[i]);
		check_answer(&ans[i], ids[i], pr->found4[i], &pr->want4[i], "IPv4", i);
	}
	for (size_t at = 0, m = 1; at < pr->n6; at += m, m = m % MAX_BATCH + 1) {
		size_t k = m < pr->n6 - at ? m : pr->n6 - at;

		rt_table_lookup_ids6(t, (const uint8_t(*)[16])pr->v6 + at, k, ids + at);
		rt_table_answer6(t, (const uint8_t(*)[16])pr->v6 + at, k, ids2 + at, ans + at);
	}
	for (size_t i = 0; i < pr->n6; i++) {
		assert_int_equal(ids[i], ids2[i]);
		check_answer(&ans[i], ids[i], pr->found6[i], &pr->want6[i], "IPv6", i);
	}
}

/*
 * The UDP service's in-place answers (rt_table_answer_wire4/6) against the
 * model: datagrams of 64 addresses (two groups of the vector walk), 31, 32
 * and 33 (either side of one group), 1 and the most a datagram holds, and
 * 7, 8, 16, 17 and 29 (an IPv6 datagram of more than 16 is one vector
 * group: either side of that, a lane short of a vector, a whole one), over
 * all probes. The answer fields are poisoned first, so every byte must be
 * written; the addresses and the header must come back as they were.
 */
static void check_wire_answer(const uint8_t *dgram, const struct rt_wire_header *h, size_t i,
			      const struct rt_addr *asked, bool found, const struct rt_route *want,
			      size_t probe)
{
	size_t slot = rt_wire_slot_len(h->family);
	size_t at = h->family == RT_WIRE_FAMILY4 ? RT_WIRE_SLOT4_ANSWER : RT_WIRE_SLOT6_ANSWER;
	const uint8_t *s = dgram + RT_WIRE_HEADER_LEN + i * slot;
	struct rt_wire_answer a;
	uint8_t zeroes[RT_WIRE_SLOT6_LEN] = { 0 };

	rt_wire_get_answer(dgram, h, i, &a);
	if (a.addr.family != asked->family || memcmp(a.addr.bytes, asked->bytes, 16) != 0 ||
	    a.found != found ||
	    (!found && memcmp(s + at, zeroes, slot - at) != 0) ||
	    (found && (a.len != want->prefix.len || !a.has_tag || a.tag != want->tag ||
		       a.has_gateway || a.reject || a.multipath)))
		fail_msg("IPv%u probe %zu (slot %zu of %u) on path %s: found %d len %u tag %u, "
			 "want %d len %u tag %u",
			 h->family, probe, i, h->count,
			 rt_lookup_path_name(rt_lookup_path_current()), a.found, a.len, a.tag, found,
			 found ? want->prefix.len : 0, found ? want->tag : 0);
}

static void check_wire_family(const struct rt_table *t, const struct probes *pr, unsigned family)
{
	static const size_t sizes[] = { 64, 31, 32, 33, 1, RT_WIRE_MAX_COUNT4, RT_WIRE_MAX_COUNT6,
					7, 8, 16, 17, 29 };
	bool v4 = family == RT_WIRE_FAMILY4;
	size_t n = v4 ? pr->n4 : pr->n6, max = rt_wire_max_count(family);
	size_t slot = rt_wire_slot_len(family);
	size_t at = v4 ? RT_WIRE_SLOT4_ANSWER : RT_WIRE_SLOT6_ANSWER;
	uint8_t dgram[RT_WIRE_MAX_PAYLOAD], sent[RT_WIRE_MAX_PAYLOAD];

	for (size_t base = 0, k = 0; base < n; base += max < sizes[k] ? max : sizes[k],
		    k = (k + 1) % (sizeof(sizes) / sizeof(sizes[0]))) {
		size_t m = max < sizes[k] ? max : sizes[k];
		struct rt_wire_header h;
		size_t len;

		if (m > n - base)
			m = n - base;
		len = v4 ? rt_wire_encode_request4(dgram, sizeof(dgram), 7, 0, pr->v4 + base, m)
			 : rt_wire_encode_request6(dgram, sizeof(dgram), 7, 0,
						   (const uint8_t(*)[16])pr->v6 + base, m);
		assert_true(len > 0);
		assert_int_equal(rt_wire_parse_request(dgram, len, &h), RT_WIRE_OK);
		for (size_t i = 0; i < m; i++)
			memset(dgram + RT_WIRE_HEADER_LEN + i * slot + at, 0xa5, slot - at);
		memcpy(sent, dgram, len);
		if (v4)
			rt_table_answer_wire4(t, dgram + RT_WIRE_HEADER_LEN, m);
		else
			rt_table_answer_wire6(t, dgram + RT_WIRE_HEADER_LEN, m);
		assert_memory_equal(dgram, sent, RT_WIRE_HEADER_LEN);
		for (size_t i = 0; i < m; i++) {
			struct rt_addr asked = { .family = v4 ? AF_INET : AF_INET6 };

			memcpy(asked.bytes, sent + RT_WIRE_HEADER_LEN + i * slot, v4 ? 4 : 16);
			check_wire_answer(dgram, &h, i, &asked,
					  v4 ? pr->found4[base + i] : pr->found6[base + i],
					  v4 ? &pr->want4[base + i] : &pr->want6[base + i], base + i);
		}
	}
}

/*
 * The two-pass answers as the daemon runs them (rt_table_view_wire_*):
 * in one read-side section, each datagram walked and then the one before
 * it filled, IPv4 and IPv6 datagrams of the sizes above taking turns, so
 * that a datagram's parked ids wait through another one's walk. Every
 * answer against the model, as above.
 */
struct staggered {
	uint8_t dgram[RT_WIRE_MAX_PAYLOAD], sent[RT_WIRE_MAX_PAYLOAD];
	struct rt_wire_header h;
	size_t base;
};

static size_t staggered_make(const struct probes *pr, struct staggered *d, size_t max_d)
{
	static const size_t sizes[] = { 64, 17, 1, 33, 30, 75, 8, 32 };
	size_t nd = 0, next[2] = { 0, 0 };

	for (size_t k = 0; nd < max_d; k++) {
		unsigned family = k % 2 ? RT_WIRE_FAMILY6 : RT_WIRE_FAMILY4;
		bool v4 = family == RT_WIRE_FAMILY4;
		size_t n = v4 ? pr->n4 : pr->n6, base = next[!v4], m = sizes[k % 8], len;
		size_t slot = rt_wire_slot_len(family);
		size_t at = v4 ? RT_WIRE_SLOT4_ANSWER : RT_WIRE_SLOT6_ANSWER;

		if (m > rt_wire_max_count(family))
			m = rt_wire_max_count(family);
		if (next[0] == pr->n4 && next[1] == pr->n6)
			break;
		if (base + m > n)
			m = n - base;	/* the family's last probes */
		if (!m)
			continue;
		len = v4 ? rt_wire_encode_request4(d[nd].dgram, RT_WIRE_MAX_PAYLOAD, 9, 0,
						   pr->v4 + base, m)
			 : rt_wire_encode_request6(d[nd].dgram, RT_WIRE_MAX_PAYLOAD, 9, 0,
						   (const uint8_t(*)[16])pr->v6 + base, m);
		assert_true(len > 0);
		assert_int_equal(rt_wire_parse_request(d[nd].dgram, len, &d[nd].h), RT_WIRE_OK);
		for (size_t i = 0; i < m; i++)
			memset(d[nd].dgram + RT_WIRE_HEADER_LEN + i * slot + at, 0xa5, slot - at);
		memcpy(d[nd].sent, d[nd].dgram, len);
		d[nd].base = base;
		next[!v4] = base + m;
		nd++;
	}
	return nd;
}

static void staggered_pass(const struct rt_table *t, struct staggered *d, size_t nd)
{
	const struct rt_table_view *view = NULL;
	struct staggered *prev = NULL;

	urcu_memb_read_lock();
	for (size_t k = 0; k < nd; k++) {
		const struct rt_table_view *v = rt_table_view_rcu(t);
		uint8_t *slots = d[k].dgram + RT_WIRE_HEADER_LEN;

		if (d[k].h.family == RT_WIRE_FAMILY4)
			rt_table_view_wire_walk4(v, slots, d[k].h.count);
		else
			rt_table_view_wire_walk6(v, slots, d[k].h.count);
		if (prev && prev->h.family == RT_WIRE_FAMILY4)
			rt_table_view_wire_fill4(view, prev->dgram + RT_WIRE_HEADER_LEN,
						 prev->h.count);
		else if (prev)
			rt_table_view_wire_fill6(view, prev->dgram + RT_WIRE_HEADER_LEN,
						 prev->h.count);
		prev = &d[k];
		view = v;
	}
	if (prev && prev->h.family == RT_WIRE_FAMILY4)
		rt_table_view_wire_fill4(view, prev->dgram + RT_WIRE_HEADER_LEN, prev->h.count);
	else if (prev)
		rt_table_view_wire_fill6(view, prev->dgram + RT_WIRE_HEADER_LEN, prev->h.count);
	urcu_memb_read_unlock();
}

static void check_wire_staggered(const struct rt_table *t, const struct probes *pr)
{
	size_t max_d = 2 * PROBES, nd;
	struct staggered *d = calloc(max_d, sizeof(*d));

	assert_non_null(d);
	nd = staggered_make(pr, d, max_d);
	assert_true(nd < max_d);	/* every probe asked */
	staggered_pass(t, d, nd);
	for (size_t k = 0; k < nd; k++) {
		bool v4 = d[k].h.family == RT_WIRE_FAMILY4;
		size_t slot = rt_wire_slot_len(d[k].h.family);

		assert_memory_equal(d[k].dgram, d[k].sent, RT_WIRE_HEADER_LEN);
		for (size_t i = 0; i < d[k].h.count; i++) {
			struct rt_addr asked = { .family = v4 ? AF_INET : AF_INET6 };
			size_t probe = d[k].base + i;

			memcpy(asked.bytes, d[k].sent + RT_WIRE_HEADER_LEN + i * slot, v4 ? 4 : 16);
			check_wire_answer(d[k].dgram, &d[k].h, i, &asked,
					  v4 ? pr->found4[probe] : pr->found6[probe],
					  v4 ? &pr->want4[probe] : &pr->want6[probe], probe);
		}
	}
	free(d);
}

/* Each available path on the table as it stands; the selection is restored. */
static void check_every_path(const struct rt_table *t, const struct probes *pr)
{
	enum rt_lookup_path was = rt_lookup_path_current();

	for (unsigned p = 0; p < RT_LOOKUP_PATH_COUNT; p++) {
		if (rt_lookup_path_select((enum rt_lookup_path)p) != 0)
			continue;
		check_path(t, pr);
		check_wire_family(t, pr, RT_WIRE_FAMILY4);
		check_wire_family(t, pr, RT_WIRE_FAMILY6);
		check_wire_staggered(t, pr);
	}
	assert_int_equal(rt_lookup_path_select(was), 0);
}

static void test_paths_match_model(void **state)
{
	static struct routes rs;
	static struct probes pr;
	struct naive nv;
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	size_t half, failed = 0;

	(void)state;
	assert_non_null(t);
	naive_init(&nv);
	make_routes(&rs);
	half = rs.n / 2;
	/* Half built in one piece, the rest added one by one, then some deleted. */
	assert_int_equal(rt_table_replace_all(t, rs.r, half, &failed), 0);
	for (size_t i = 0; i < half; i++)
		assert_int_equal(naive_add(&nv, &rs.r[i]), 0);
	make_probes(&rs, &nv, &pr);
	check_every_path(t, &pr);
	for (size_t i = half; i < rs.n; i++) {
		assert_int_equal(rt_table_add(t, &rs.r[i]), 0);
		assert_int_equal(naive_add(&nv, &rs.r[i]), 0);
	}
	make_probes(&rs, &nv, &pr);
	check_every_path(t, &pr);
	for (size_t i = 0; i < rs.n; i += 3) {
		struct rt_route_key k = { .prefix = rs.r[i].prefix };

		assert_int_equal(rt_table_delete(t, &k), 0);
		assert_int_equal(naive_delete(&nv, &k, NULL), 0);
	}
	make_probes(&rs, &nv, &pr);
	check_every_path(t, &pr);
	naive_fini(&nv);
	rt_table_destroy(t);
}

/*
 * Prefixes around the IPv6 direct table's edge (16 bits, or 22, lib/fib.h) and
 * lone deep prefixes: shorter ones cover several slots, a /22 exactly
 * one, longer ones hang below a slot; a /48 alone under its /32, a /80
 * under a /56 (its levels cross bit 64), a /128 alone. The probes flip
 * every bit of each prefix and a few past it, and each case must answer
 * like the model on every path, after every update.
 */
struct edge_case {
	struct rt_route r[96];
	size_t n;
};

static void edge_route(struct edge_case *cc, const char *prefix)
{
	struct rt_route *r = &cc->r[cc->n];
	char err[128];

	assert_true(cc->n < sizeof(cc->r) / sizeof(cc->r[0]));
	memset(r, 0, sizeof(*r));
	assert_int_equal(rt_prefix_parse(prefix, &r->prefix, err, sizeof(err)), 0);
	r->table = RT_TABLE_MAIN;
	strcpy(r->proto, "static");
	r->has_tag = true;
	r->tag = (uint32_t)cc->n + 100;
	cc->n++;
}

/* Each route's address with each bit up to 8 past its length flipped. */
static void edge_probes(const struct edge_case *cc, const struct naive *nv, struct probes *pr)
{
	pr->n4 = pr->n6 = 0;
	for (size_t i = 0; i < cc->n; i++) {
		const struct rt_prefix *p = &cc->r[i].prefix;
		unsigned bits = rt_family_bits(p->addr.family), len = p->len;
		unsigned last = len + 8 < bits ? len + 8 : bits;

		for (unsigned b = 0; b <= last; b++) {
			struct rt_addr a = p->addr;

			if (b < bits)
				a.bytes[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
			if (p->addr.family == AF_INET && pr->n4 < PROBES) {
				pr->found4[pr->n4] = naive_lookup(nv, &a, &pr->want4[pr->n4]);
				pr->v4[pr->n4++] = rt_addr_to_v4(&a);
			} else if (p->addr.family == AF_INET6 && pr->n6 < PROBES) {
				pr->found6[pr->n6] = naive_lookup(nv, &a, &pr->want6[pr->n6]);
				memcpy(pr->v6[pr->n6++], a.bytes, 16);
			}
		}
	}
}

static void edge_check(const struct rt_table *t, const struct edge_case *cc,
			const struct naive *nv)
{
	static struct probes pr;

	edge_probes(cc, nv, &pr);
	check_every_path(t, &pr);
}

static void edge_add(struct rt_table *t, struct edge_case *cc, struct naive *nv,
		      const char *prefix)
{
	edge_route(cc, prefix);
	assert_int_equal(rt_table_add(t, &cc->r[cc->n - 1]), 0);
	assert_int_equal(naive_add(nv, &cc->r[cc->n - 1]), 0);
	edge_check(t, cc, nv);
}

/* Delete route i; it stays in cc so its bits are still probed. */
static void edge_delete(struct rt_table *t, struct edge_case *cc, struct naive *nv, size_t i)
{
	struct rt_route_key k = { .prefix = cc->r[i].prefix };

	assert_int_equal(rt_table_delete(t, &k), 0);
	assert_int_equal(naive_delete(nv, &k, NULL), 0);
	edge_check(t, cc, nv);
}

static void test_direct_edge(void **state)
{
	static struct edge_case cc;
	struct naive nv;
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	size_t failed = 0;

	(void)state;
	assert_non_null(t);
	naive_init(&nv);
	cc.n = 0;
	edge_route(&cc, "2001:db8::/32");
	edge_route(&cc, "2001:db8:1234::/48");
	edge_route(&cc, "2001:c00::/22");
	assert_int_equal(rt_table_replace_all(t, cc.r, cc.n, &failed), 0);
	for (size_t i = 0; i < cc.n; i++)
		assert_int_equal(naive_add(&nv, &cc.r[i]), 0);
	edge_check(t, &cc, &nv);

	/* Around the slot width: four slots, two, one, part of one. */
	edge_add(t, &cc, &nv, "2001::/20");
	edge_add(t, &cc, &nv, "2001:800::/21");
	edge_add(t, &cc, &nv, "2001:e00::/23");
	edge_delete(t, &cc, &nv, 2);
	edge_delete(t, &cc, &nv, 3);
	edge_add(t, &cc, &nv, "2a00::/21");
	edge_add(t, &cc, &nv, "2a10::/20");
	/* Siblings inside the /32, one on the /48's path. */
	edge_add(t, &cc, &nv, "2001:db8:1200::/40");
	edge_add(t, &cc, &nv, "2001:db8:5678::/48");
	edge_delete(t, &cc, &nv, 9);
	edge_delete(t, &cc, &nv, 0);
	/* Levels across bit 64. */
	edge_add(t, &cc, &nv, "2001:db8:aaaa:bb00::/56");
	edge_add(t, &cc, &nv, "2001:db8:aaaa:bbcc:dd00::/80");
	edge_add(t, &cc, &nv, "2001:db8:aaaa:bbcc:dd00::/72");
	/* A host route alone under its slot, then a cover over many slots. */
	edge_add(t, &cc, &nv, "2400:1:2:3:4:5:6:7/128");
	edge_add(t, &cc, &nv, "2400:1:2:3:4:5:6:0/127");
	edge_delete(t, &cc, &nv, cc.n - 2);
	edge_add(t, &cc, &nv, "2400::/16");
	edge_add(t, &cc, &nv, "::/0");
	edge_delete(t, &cc, &nv, cc.n - 3);
	edge_delete(t, &cc, &nv, cc.n - 1);
	/*
	 * A node holding its leaves (no children, at most four runs): /48s
	 * side by side in the node at bits 46..51, three runs, four, four
	 * without the cover's, five with a /49 (a block), four again.
	 */
	edge_add(t, &cc, &nv, "2001:db8::/32");
	edge_add(t, &cc, &nv, "2001:db8:1235::/48");
	edge_add(t, &cc, &nv, "2001:db8:1236::/48");
	edge_add(t, &cc, &nv, "2001:db8:1237::/48");
	edge_add(t, &cc, &nv, "2001:db8:1237:8000::/49");
	edge_delete(t, &cc, &nv, cc.n - 1);
	edge_delete(t, &cc, &nv, cc.n - 3);
	/* Around 16 bits: two slots, one, part of one. */
	edge_add(t, &cc, &nv, "2000::/15");
	edge_add(t, &cc, &nv, "2001::/16");
	edge_add(t, &cc, &nv, "2001::/17");
	edge_delete(t, &cc, &nv, cc.n - 2);
	naive_fini(&nv);
	rt_table_destroy(t);
}

/*
 * IPv4 slots whose one level holds only leaves become leaf tables (lib/fib.h):
 * a line up to 14 runs, a flat table above. A /18 (one slot, 10.64.0.0/18)
 * grows from one run through 14 and 15 runs and back, gains a /25 (a node
 * again) and loses it, and covers of one and of two slots are added and
 * deleted over it; every chunk's first address is probed besides the bits
 * of every route.
 */
static void test_direct_edge4(void **state)
{
	static struct edge_case cc;
	struct naive nv;
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	char prefix[32];
	size_t cover;

	(void)state;
	assert_non_null(t);
	naive_init(&nv);
	cc.n = 0;
	/* Probes only, never added: the first address of every chunk. */
	for (unsigned c = 0; c < 64; c++) {
		snprintf(prefix, sizeof(prefix), "10.64.%u.0/32", c);
		edge_route(&cc, prefix);
	}
	cover = cc.n;
	edge_add(t, &cc, &nv, "10.0.0.0/8");
	edge_add(t, &cc, &nv, "10.64.8.0/21");		/* one slot, 3 runs: a line */
	/* Every other /24 up to 13 runs, then the last chunk: 14. */
	for (unsigned c = 1; c <= 5; c += 2) {
		snprintf(prefix, sizeof(prefix), "10.64.%u.0/24", c);
		edge_add(t, &cc, &nv, prefix);
	}
	edge_add(t, &cc, &nv, "10.64.63.0/24");
	edge_add(t, &cc, &nv, "10.64.20.0/23");
	edge_add(t, &cc, &nv, "10.64.30.0/24");
	/* 15 runs, then 17: flat; back to a line, then flat again. */
	edge_add(t, &cc, &nv, "10.64.40.0/24");
	edge_add(t, &cc, &nv, "10.64.50.0/24");
	edge_delete(t, &cc, &nv, cc.n - 1);
	edge_delete(t, &cc, &nv, cc.n - 2);
	edge_add(t, &cc, &nv, "10.64.60.0/22");
	edge_add(t, &cc, &nv, "10.64.44.0/24");
	/* A /25 and a /30 make it a node; their deletion a table again. */
	edge_add(t, &cc, &nv, "10.64.44.128/25");
	edge_add(t, &cc, &nv, "10.64.3.4/30");
	edge_delete(t, &cc, &nv, cc.n - 2);
	edge_delete(t, &cc, &nv, cc.n - 1);
	/* Covers over the slot: itself, two slots, then a neighbour's. */
	edge_add(t, &cc, &nv, "10.64.0.0/18");
	edge_add(t, &cc, &nv, "10.64.0.0/17");
	edge_add(t, &cc, &nv, "10.64.64.0/24");
	edge_delete(t, &cc, &nv, cc.n - 3);
	edge_delete(t, &cc, &nv, cover);
	edge_add(t, &cc, &nv, "0.0.0.0/0");
	edge_delete(t, &cc, &nv, cc.n - 3);
	naive_fini(&nv);
	rt_table_destroy(t);
}

/*
 * Batches of every size from 1 to MIXED_BATCH (offsets varied, so a batch
 * starts anywhere in a vector), in which neighbouring lookups end at
 * different depths: in a leaf slot, in the first node, two and three
 * levels down (IPv4 /27, /32), and down to an IPv6 /128; on an empty
 * table, on the default routes alone and on the mixed table. Every
 * lookup must answer like the model on every path.
 */
#define MIXED_BATCH 200
#define MIXED_OFFSETS 7

static const char *const mixed4[] = { "0.0.0.0/0", "10.0.0.0/16", "10.1.4.0/22", "10.2.3.32/27",
				      "10.3.2.1/32", "10.3.2.0/25" };
static const char *const mixed6[] = { "::/0", "2001:db8::/32", "2001:db8:1::/48",
				      "2001:db8:1:2::/64", "2001:db8:1:2::1/128",
				      "2001:db8:1:2:8000::/65", "2001:db8:1:2::/127" };

/* A random address inside p (bits past its length random). */
static void inside(const struct rt_prefix *p, struct rt_addr *a)
{
	random_addr(p->addr.family, a);
	for (unsigned b = 0; b < p->len; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		a->bytes[b / 8] = (uint8_t)((a->bytes[b / 8] & ~m) | (p->addr.bytes[b / 8] & m));
	}
}

/* Probes cycling through the prefixes of cc (and random addresses). */
static void mixed_probes(const struct edge_case *cc, const struct naive *nv, struct probes *pr)
{
	size_t want = MIXED_BATCH + MIXED_OFFSETS;

	pr->n4 = pr->n6 = 0;
	for (size_t i = 0; pr->n4 < want || pr->n6 < want; i++) {
		int family = i % 2 ? AF_INET6 : AF_INET;
		size_t pick = (i / 2) % (cc->n + 1);
		struct rt_addr a;

		if (pick < cc->n && cc->r[pick].prefix.addr.family == family)
			inside(&cc->r[pick].prefix, &a);
		else
			random_addr(family, &a);
		if (family == AF_INET && pr->n4 < want) {
			pr->found4[pr->n4] = naive_lookup(nv, &a, &pr->want4[pr->n4]);
			pr->v4[pr->n4++] = rt_addr_to_v4(&a);
		} else if (family == AF_INET6 && pr->n6 < want) {
			pr->found6[pr->n6] = naive_lookup(nv, &a, &pr->want6[pr->n6]);
			memcpy(pr->v6[pr->n6++], a.bytes, 16);
		}
	}
}

static void mixed_check_batches(const struct rt_table *t, const struct probes *pr)
{
	static uint32_t ids[MIXED_BATCH], ids2[MIXED_BATCH];
	static struct rt_answer ans[MIXED_BATCH];

	for (size_t n = 1; n <= MIXED_BATCH; n++) {
		size_t at = n % MIXED_OFFSETS;

		rt_table_lookup_ids4(t, pr->v4 + at, n, ids);
		rt_table_answer4(t, pr->v4 + at, n, ids2, ans);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(ids[i], ids2[i]);
			check_answer(&ans[i], ids[i], pr->found4[at + i], &pr->want4[at + i], "IPv4",
				     at + i);
		}
		rt_table_lookup_ids6(t, (const uint8_t(*)[16])pr->v6 + at, n, ids);
		rt_table_answer6(t, (const uint8_t(*)[16])pr->v6 + at, n, ids2, ans);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(ids[i], ids2[i]);
			check_answer(&ans[i], ids[i], pr->found6[at + i], &pr->want6[at + i], "IPv6",
				     at + i);
		}
	}
}

static void mixed_check(const struct rt_table *t, const struct edge_case *cc,
			const struct naive *nv)
{
	static struct probes pr;
	enum rt_lookup_path was = rt_lookup_path_current();

	mixed_probes(cc, nv, &pr);
	for (unsigned p = 0; p < RT_LOOKUP_PATH_COUNT; p++) {
		if (rt_lookup_path_select((enum rt_lookup_path)p) != 0)
			continue;
		mixed_check_batches(t, &pr);
	}
	assert_int_equal(rt_lookup_path_select(was), 0);
}

static void test_batch_mixed_depths(void **state)
{
	static struct edge_case cc;
	struct naive nv;
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);

	(void)state;
	assert_non_null(t);
	naive_init(&nv);
	cc.n = 0;
	/* Empty: the routes are in cc only, to aim the probes. */
	for (size_t i = 0; i < sizeof(mixed4) / sizeof(mixed4[0]); i++)
		edge_route(&cc, mixed4[i]);
	for (size_t i = 0; i < sizeof(mixed6) / sizeof(mixed6[0]); i++)
		edge_route(&cc, mixed6[i]);
	mixed_check(t, &cc, &nv);
	/* The default routes alone, then everything. */
	for (size_t i = 0; i < cc.n; i++) {
		if (cc.r[i].prefix.len != 0)
			continue;
		assert_int_equal(rt_table_add(t, &cc.r[i]), 0);
		assert_int_equal(naive_add(&nv, &cc.r[i]), 0);
	}
	mixed_check(t, &cc, &nv);
	for (size_t i = 0; i < cc.n; i++) {
		if (cc.r[i].prefix.len == 0)
			continue;
		assert_int_equal(rt_table_add(t, &cc.r[i]), 0);
		assert_int_equal(naive_add(&nv, &cc.r[i]), 0);
	}
	mixed_check(t, &cc, &nv);
	naive_fini(&nv);
	rt_table_destroy(t);
}

/*
 * IPv4 lanes that go on below their slot's root node beside lanes that end
 * in a leaf slot, a leaf table (line or flat) or the root node: the vector
 * walk finishes the others at once and walks the deep ones later, so each
 * batch puts deep lanes at every position (one alone, all, every other,
 * random mixes), batches of 1 to MIXED_BATCH, with and without leaf tables.
 */
static const char *const straggle4[] = {
	"10.0.0.0/8", "11.0.0.0/8",
	/* a leaf line's slot (few runs) */
	"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24",
	/* the root node's slot, and below it */
	"10.0.128.0/24", "10.0.129.5/32", "10.0.130.32/27", "10.0.131.0/25", "10.0.132.77/32",
};

/* An address under a deep prefix's /24 (the root's chunk has a child), or anywhere else. */
static uint32_t straggle_probe(bool deep)
{
	static const uint32_t deep24[] = { 0x0a008100, 0x0a008200, 0x0a008300, 0x0a008400 };
	static const uint32_t shallow[] = { 0x0a000000, 0x0a004000, 0x0a008000, 0x0b000000 };

	if (deep)
		return deep24[below(4)] | below(256);
	if (below(5) == 0)
		return (uint32_t)next_random();
	return shallow[below(4)] | below(1u << 14);
}

static void straggle_check(const struct rt_table *t, const struct naive *nv, const uint32_t *a,
			   size_t n)
{
	static uint32_t ids[MIXED_BATCH], ids2[MIXED_BATCH];
	static struct rt_answer ans[MIXED_BATCH];
	static struct rt_route want[MIXED_BATCH];
	static bool found[MIXED_BATCH];
	enum rt_lookup_path was = rt_lookup_path_current();

	for (size_t i = 0; i < n; i++) {
		struct rt_addr x;

		rt_addr_from_v4(&x, a[i]);
		found[i] = naive_lookup(nv, &x, &want[i]);
	}
	for (unsigned p = 0; p < RT_LOOKUP_PATH_COUNT; p++) {
		if (rt_lookup_path_select((enum rt_lookup_path)p) != 0)
			continue;
		memset(ids, 0xa5, sizeof(ids));
		rt_table_lookup_ids4(t, a, n, ids);
		rt_table_answer4(t, a, n, ids2, ans);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(ids[i], ids2[i]);
			check_answer(&ans[i], ids[i], found[i], &want[i], "IPv4", i);
		}
	}
	assert_int_equal(rt_lookup_path_select(was), 0);
}

static void straggle_batches(const struct rt_table *t, const struct naive *nv)
{
	static const size_t every_position[] = { 32, 64, 65, MIXED_BATCH };
	uint32_t a[MIXED_BATCH];

	for (size_t k = 0; k < sizeof(every_position) / sizeof(every_position[0]); k++) {
		size_t n = every_position[k];

		for (size_t deep = 0; deep < n; deep++) {
			for (size_t i = 0; i < n; i++)
				a[i] = straggle_probe(i == deep);
			straggle_check(t, nv, a, n);
		}
	}
	for (size_t n = 1; n <= MIXED_BATCH; n++) {
		for (unsigned mix = 0; mix < 4; mix++) {
			for (size_t i = 0; i < n; i++)
				a[i] = straggle_probe(mix == 0 ? true : mix == 1 ? i % 2 : below(mix) == 0);
			straggle_check(t, nv, a, n);
		}
	}
}

static void stragglers4(void)
{
	struct naive nv;
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	static struct edge_case cc;

	assert_non_null(t);
	naive_init(&nv);
	cc.n = 0;
	for (size_t i = 0; i < sizeof(straggle4) / sizeof(straggle4[0]); i++)
		edge_route(&cc, straggle4[i]);
	/* a flat leaf table's slot: 16 /24s apart, more runs than a line holds */
	for (unsigned k = 0; k < 16; k++) {
		char p[32];

		snprintf(p, sizeof(p), "10.0.%u.0/24", 64 + 2 * k);
		edge_route(&cc, p);
	}
	for (size_t i = 0; i < cc.n; i++) {
		assert_int_equal(rt_table_add(t, &cc.r[i]), 0);
		assert_int_equal(naive_add(&nv, &cc.r[i]), 0);
	}
	straggle_batches(t, &nv);
	naive_fini(&nv);
	rt_table_destroy(t);
}

static void test_stragglers4(void **state)
{
	(void)state;
	stragglers4();
	assert_int_equal(setenv("ROUTED_FIB_LEAF_TABLES", "1", 1), 0);
	stragglers4();
	assert_int_equal(unsetenv("ROUTED_FIB_LEAF_TABLES"), 0);
}

static void test_select(void **state)
{
	enum rt_lookup_path p, was = rt_lookup_path_current();

	(void)state;
	assert_true(rt_lookup_path_available(RT_LOOKUP_PATH_SCALAR));
	assert_false(rt_lookup_path_available(RT_LOOKUP_PATH_COUNT));
	assert_int_equal(rt_lookup_path_select(RT_LOOKUP_PATH_COUNT), -EINVAL);
	assert_null(rt_lookup_path_name(RT_LOOKUP_PATH_COUNT));
	assert_int_equal(rt_lookup_path_parse("vector", &p), -EINVAL);
	for (unsigned i = 0; i < RT_LOOKUP_PATH_COUNT; i++) {
		assert_int_equal(rt_lookup_path_parse(rt_lookup_path_name(i), &p), 0);
		assert_int_equal(p, i);
		if (!rt_lookup_path_available(i)) {
			assert_int_equal(rt_lookup_path_select(i), -ENOTSUP);
			continue;
		}
		assert_int_equal(rt_lookup_path_select(i), 0);
		assert_int_equal(rt_lookup_path_current(), i);
	}
	assert_int_equal(rt_lookup_path_select(was), 0);
}

/* The same with IPv4 leaf tables built (off by default, lib/fib.c). */
static void test_direct_edge4_leaf_tables(void **state)
{
	assert_int_equal(setenv("ROUTED_FIB_LEAF_TABLES", "1", 1), 0);
	test_direct_edge4(state);
	assert_int_equal(unsetenv("ROUTED_FIB_LEAF_TABLES"), 0);
}

/* Every walk against the model with leaf tables built. */
static void test_paths_match_model_leaf_tables(void **state)
{
	assert_int_equal(setenv("ROUTED_FIB_LEAF_TABLES", "1", 1), 0);
	test_paths_match_model(state);
	assert_int_equal(unsetenv("ROUTED_FIB_LEAF_TABLES"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_paths_match_model),
		cmocka_unit_test(test_direct_edge),
		cmocka_unit_test(test_direct_edge4),
		cmocka_unit_test(test_batch_mixed_depths),
		cmocka_unit_test(test_direct_edge4_leaf_tables),
		cmocka_unit_test(test_paths_match_model_leaf_tables),
		cmocka_unit_test(test_stragglers4),
	};

	rng_state = seed_from_env();
	for (unsigned p = 0; p < RT_LOOKUP_PATH_COUNT; p++)
		printf("# lookup path %s: %s\n", rt_lookup_path_name(p),
		       rt_lookup_path_available(p) ? "checked" : "not available here, not run");
	fflush(stdout);
	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

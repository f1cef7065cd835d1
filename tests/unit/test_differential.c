/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Differential test: random tables built from small pools of nesting
 * prefixes, changed by random add/delete/replace/apply/replace_all/flush
 * sequences, and compared after every change against the naive reference
 * (naive.c): lookup answers, raw route ids, return codes, walks, exact gets
 * and statistics; emptied tables must return to their baseline memory.
 *
 * ROUTED_TEST_SEED sets the seed (printed as "# seed N");
 * ROUTED_TEST_ITERATIONS scales the number of rounds (default 1).
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

#include <routed/lookup_wire.h>
#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/table.h>

#include "naive.h"
#include "lookup_paths.h"
#include "seed.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DEFAULT_ROUNDS 2000
#define MAX_POOL 64
#define MAX_PROBES 512
#define LOG_LINES 256
#define LOG_LEN 160

typedef unsigned __int128 u128;

static unsigned long long seed;
static double iterations = 1.0;

/* ---------------------------------------------------------------------- */
/* Random numbers (splitmix64) */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static bool chance(unsigned percent)
{
	return below(100) < percent;
}

/* ---------------------------------------------------------------------- */
/* Addresses as integers (the low `bits` bits of a u128) */

static unsigned fam_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static u128 all_ones(unsigned bits)
{
	return bits >= 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
}

static u128 host_mask(unsigned bits, unsigned len)
{
	return all_ones(bits - len);
}

static u128 addr_value(const struct rt_addr *a)
{
	unsigned n = fam_bits(a->family) / 8;
	u128 v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | a->bytes[i];
	return v;
}

static void addr_set(struct rt_addr *a, int family, u128 v)
{
	unsigned n = fam_bits(family) / 8;

	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	for (unsigned i = n; i-- > 0; v >>= 8)
		a->bytes[i] = (uint8_t)v;
}

static u128 rnd128(void)
{
	return (u128)rnd() << 64 | rnd();
}

static void make_prefix(struct rt_prefix *p, int family, u128 v, unsigned len)
{
	unsigned bits = fam_bits(family);

	memset(p, 0, sizeof(*p));
	addr_set(&p->addr, family, v & all_ones(bits) & ~host_mask(bits, len));
	p->len = (uint8_t)len;
}

/* ---------------------------------------------------------------------- */
/* The round's log, printed when something fails */

static char log_lines[LOG_LINES][LOG_LEN];
static unsigned log_count;
static unsigned cur_round;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(log_lines[log_count % LOG_LINES], LOG_LEN, fmt, ap);
	va_end(ap);
	log_count++;
}

static void dump_log(void)
{
	unsigned first = log_count > LOG_LINES ? log_count - LOG_LINES : 0;

	print_message("# seed %llu, round %u; last operations:\n", seed, cur_round);
	for (unsigned i = first; i < log_count; i++)
		print_message("#   %s\n", log_lines[i % LOG_LINES]);
}

#define check(cond, ...)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			dump_log();                                                      \
			fail_msg(__VA_ARGS__);                                           \
		}                                                                        \
	} while (0)

static const char *pfx_s(const struct rt_prefix *p, char *buf)
{
	return rt_prefix_format(p, buf, RT_PREFIX_STRLEN);
}

static const char *addr_s(const struct rt_addr *a, char *buf)
{
	return rt_addr_format(a, buf, RT_ADDR_STRLEN);
}

/* ---------------------------------------------------------------------- */
/* Pools of nesting prefixes */

struct pool {
	struct rt_prefix p[MAX_POOL];
	unsigned n;
};

static void pool_put(struct pool *pl, const struct rt_prefix *p)
{
	if (pl->n == MAX_POOL)
		return;
	for (unsigned i = 0; i < pl->n; i++)
		if (naive_prefix_cmp(&pl->p[i], p) == 0)
			return;
	pl->p[pl->n++] = *p;
}

/* Interesting base lengths: around the direct tables and the 6-bit strides. */
static unsigned base_len(int family)
{
	static const unsigned v4[] = { 0, 4, 8, 12, 15, 16, 17, 18, 19, 20, 22, 23, 24, 25,
				       26, 28, 29, 30, 31, 32 };
	static const unsigned v6[] = { 0, 8, 15, 16, 17, 21, 22, 23, 28, 32, 40, 46, 48, 52,
				       56, 58, 63, 64, 65, 70, 76, 96, 112, 118, 124, 127, 128 };

	if (chance(15))
		return below(fam_bits(family) + 1);
	return family == AF_INET ? v4[below(ARRAY_SIZE(v4))] : v6[below(ARRAY_SIZE(v6))];
}

static void pool_family(struct pool *pl, int family)
{
	unsigned bits = fam_bits(family), nbases = 1 + below(3);
	struct rt_prefix p;
	u128 prev = 0;

	if (chance(35)) {
		make_prefix(&p, family, 0, 0);
		pool_put(pl, &p);
	}

	for (unsigned b = 0; b < nbases; b++) {
		unsigned blen = base_len(family), nanchors = 1 + below(3);
		u128 base = rnd128() & all_ones(bits);

		/* Some bases sit at the very bottom or top of the space. */
		if (chance(10))
			base = 0;
		else if (chance(10))
			base = all_ones(bits);
		/*
		 * Others share a long common part with the previous base, so
		 * they meet in the same direct slot and the same upper nodes.
		 */
		if (b && chance(50))
			base = prev ^ ((u128)1 << below(bits - 16));
		prev = base;
		for (unsigned a = 0; a < nanchors; a++) {
			u128 anchor = (base & ~host_mask(bits, blen)) |
				      (rnd128() & host_mask(bits, blen));
			unsigned count = 2 + below(6);

			for (unsigned i = 0; i < count; i++) {
				int len = (int)blen - 6 + (int)below(21);

				if (len < 0)
					len = 0;
				if (len > (int)bits)
					len = (int)bits;
				make_prefix(&p, family, anchor, (unsigned)len);
				pool_put(pl, &p);
			}
			if (chance(50)) {
				make_prefix(&p, family, anchor, bits);
				pool_put(pl, &p);
			}
			/* A sibling just past the anchor's prefix, at the same length. */
			if (chance(30)) {
				unsigned len = blen + below(6);

				if (len > bits)
					len = bits;
				if (len) {
					u128 step = len == bits ? 1 : (u128)1 << (bits - len);

					make_prefix(&p, family, anchor + step, len);
					pool_put(pl, &p);
				}
			}
		}
	}
}

static void make_pool(struct pool *pl, int mode)
{
	pl->n = 0;
	if (mode != 1)
		pool_family(pl, AF_INET);
	if (mode != 0)
		pool_family(pl, AF_INET6);
}

/* ---------------------------------------------------------------------- */
/* Random routes */

static const char *const protos[] = { "static", "bgp", "ospf", "kernel" };
static const uint32_t metrics[] = { 0, 10, 20 };

static void random_route(const struct pool *pl, struct rt_route *r)
{
	const struct rt_prefix *p = &pl->p[below(pl->n)];

	rt_route_init(r);
	r->prefix = *p;
	snprintf(r->proto, sizeof(r->proto), "%s", protos[below(ARRAY_SIZE(protos))]);
	r->metric = metrics[below(ARRAY_SIZE(metrics))];
	if (chance(70)) {
		u128 gw = 1 + below(6);

		if (p->addr.family == AF_INET)
			addr_set(&r->gateway, AF_INET, 0xc0000200u + gw);
		else
			addr_set(&r->gateway, AF_INET6, (u128)0xfe80u << 112 | gw);
	}
	if (chance(20))
		snprintf(r->dev, sizeof(r->dev), "eth%u", below(2));
	r->has_tag = chance(90);
	r->tag = (uint32_t)rnd();
	/* Now and then a rejecting route: no next hop. */
	if (chance(10)) {
		r->type = (uint8_t)(RT_TYPE_BLACKHOLE + below(RT_TYPE_MAX));
		memset(&r->gateway, 0, sizeof(r->gateway));
		r->dev[0] = '\0';
	}
}

static void random_key(const struct pool *pl, const struct naive *nv, struct rt_route_key *k)
{
	memset(k, 0, sizeof(*k));
	/* Mostly a route that exists, so deletes mostly succeed. */
	if (nv->n && chance(75)) {
		const struct rt_route *r = &nv->routes[below((unsigned)nv->n)];

		k->prefix = r->prefix;
		switch (below(4)) {
		case 0:
			snprintf(k->proto, sizeof(k->proto), "%s", r->proto);
			k->match_metric = true;
			k->metric = r->metric;
			break;
		case 1:
			snprintf(k->proto, sizeof(k->proto), "%s", r->proto);
			break;
		case 2:
			k->match_metric = true;
			k->metric = r->metric;
			break;
		default:
			break;
		}
		if (chance(10)) {
			/* The right prefix, probably the wrong protocol or metric. */
			snprintf(k->proto, sizeof(k->proto), "%s", protos[below(4)]);
			k->match_metric = true;
			k->metric = metrics[below(3)];
		}
		return;
	}
	k->prefix = pl->p[below(pl->n)];
	if (chance(50))
		snprintf(k->proto, sizeof(k->proto), "%s", protos[below(4)]);
}

static const char *route_s(const struct rt_route *r, char *buf, size_t len)
{
	char p[RT_PREFIX_STRLEN], g[RT_ADDR_STRLEN];

	snprintf(buf, len, "%s %s via %s dev '%s' %s/%u tag %s%u", rt_route_type_name(r->type),
		 pfx_s(&r->prefix, p), addr_s(&r->gateway, g), r->dev, r->proto, r->metric,
		 r->has_tag ? "" : "-", r->tag);
	return buf;
}

static bool route_same(const struct rt_route *got, const struct rt_route *want)
{
	return got->table == want->table && naive_prefix_cmp(&got->prefix, &want->prefix) == 0 &&
	       got->gateway.family == want->gateway.family &&
	       memcmp(got->gateway.bytes, want->gateway.bytes, 16) == 0 &&
	       strcmp(got->dev, want->dev) == 0 && got->metric == want->metric &&
	       strcmp(got->proto, want->proto) == 0 && got->has_tag == want->has_tag &&
	       got->type == want->type && (!want->has_tag || got->tag == want->tag);
}

/* ---------------------------------------------------------------------- */
/* Comparisons */

struct world {
	struct rt_table *t;
	struct naive nv;
	struct pool pool;
	struct rt_addr probes[MAX_PROBES];
	struct rt_lookup_result res[MAX_PROBES];
	struct rt_route want[MAX_PROBES];
	bool want_found[MAX_PROBES];
	uint32_t ids[MAX_PROBES];
	uint64_t lookups, ops;
};

static void random_probe(const struct world *w, struct rt_addr *a)
{
	const struct rt_prefix *p;
	unsigned bits, kind = below(100);
	int family;
	u128 first, hm;

	p = &w->pool.p[below(w->pool.n)];
	family = p->addr.family;
	bits = fam_bits(family);
	first = addr_value(&p->addr);
	hm = host_mask(bits, p->len);
	if (kind < 55) {
		addr_set(a, family, first | (rnd128() & hm));
	} else if (kind < 80) {
		/* First and last address of the prefix, and one step outside. */
		switch (below(4)) {
		case 0:
			addr_set(a, family, first);
			break;
		case 1:
			addr_set(a, family, first | hm);
			break;
		case 2:
			addr_set(a, family, (first - 1) & all_ones(bits));
			break;
		default:
			addr_set(a, family, ((first | hm) + 1) & all_ones(bits));
			break;
		}
	} else if (kind < 92) {
		/* Near the prefix: a few bits above it changed. */
		unsigned flip = p->len ? below(p->len) : 0;
		u128 v = first | (rnd128() & hm);

		if (p->len)
			v ^= (u128)1 << (bits - 1 - flip);
		addr_set(a, family, v);
	} else {
		addr_set(a, family, rnd128() & all_ones(bits));
	}
}

/* Look up n probes in one call and compare each with the reference. */
static void compare_lookups(struct world *w, unsigned n, const char *when)
{
	char ab[RT_ADDR_STRLEN], b1[200], b2[200];

	rt_table_lookup(w->t, w->probes, n, w->res);
	w->lookups += n;
	for (unsigned i = 0; i < n; i++) {
		w->want_found[i] = naive_lookup(&w->nv, &w->probes[i], &w->want[i]);
		if (!w->want_found[i]) {
			check(!w->res[i].found, "%s: lookup %s: expected no route, got %s", when,
			      addr_s(&w->probes[i], ab),
			      route_s(&w->res[i].route, b1, sizeof(b1)));
			continue;
		}
		check(w->res[i].found, "%s: lookup %s: expected %s, got no route", when,
		      addr_s(&w->probes[i], ab), route_s(&w->want[i], b2, sizeof(b2)));
		check(route_same(&w->res[i].route, &w->want[i]),
		      "%s: lookup %s: expected %s, got %s", when, addr_s(&w->probes[i], ab),
		      route_s(&w->want[i], b2, sizeof(b2)),
		      route_s(&w->res[i].route, b1, sizeof(b1)));
	}
}

/*
 * The in-place answers (rt_table_answer_wire4/6, what the UDP service
 * sends) byte for byte against the datagrams rt_wire_set_answer() and its
 * markers build from rt_table_answer4/6()'s answers (a[], for addrs[]):
 * datagrams of every size up to the family's most, answer fields poisoned
 * first so that every byte must be written.
 */
static void compare_wire(struct world *w, unsigned family, const void *addrs, unsigned n,
			 const struct rt_answer *a)
{
	static uint8_t got[RT_WIRE_MAX_PAYLOAD], want[RT_WIRE_MAX_PAYLOAD];
	size_t max = rt_wire_max_count(family), slot = rt_wire_slot_len(family);
	size_t answer = family == RT_WIRE_FAMILY4 ? RT_WIRE_SLOT4_ANSWER : RT_WIRE_SLOT6_ANSWER;

	for (unsigned base = 0, m; base < n; base += m) {
		struct rt_wire_header h;
		size_t len;

		m = 1 + (unsigned)((base * 7 + n) % max);
		if (m > n - base)
			m = n - base;
		len = family == RT_WIRE_FAMILY4
			      ? rt_wire_encode_request4(want, sizeof(want), base, 0,
							(const uint32_t *)addrs + base, m)
			      : rt_wire_encode_request6(want, sizeof(want), base, 0,
							(const uint8_t(*)[16])(uintptr_t)addrs + base, m);
		check(len && rt_wire_parse_request(want, len, &h) == RT_WIRE_OK,
		      "a request of %u addresses", m);
		memcpy(got, want, len);
		for (unsigned i = 0; i < m; i++)
			memset(got + RT_WIRE_HEADER_LEN + i * slot + answer, 0xa5, slot - answer);
		for (unsigned i = 0; i < m; i++) {
			const struct rt_answer *x = &a[base + i];

			rt_wire_set_answer(want, &h, i, x->found, x->len,
					   x->has_gateway ? x->gateway : NULL, x->has_tag, x->tag);
			if (x->reject)
				rt_wire_set_reject(want, &h, i);
			if (x->multipath)
				rt_wire_set_multipath(want, &h, i);
		}
		if (family == RT_WIRE_FAMILY4)
			rt_table_answer_wire4(w->t, got + RT_WIRE_HEADER_LEN, m);
		else
			rt_table_answer_wire6(w->t, got + RT_WIRE_HEADER_LEN, m);
		for (unsigned i = 0; i < m; i++)
			check(!memcmp(got + RT_WIRE_HEADER_LEN + i * slot,
				      want + RT_WIRE_HEADER_LEN + i * slot, slot),
			      "in-place answer of IPv%u address %u of %u differs", family, base + i,
			      n);
		check(!memcmp(got, want, RT_WIRE_HEADER_LEN), "the header was touched");
	}
}

/* The answer path (what the UDP service sends) against the model's routes. */
static void compare_answers(struct world *w, unsigned n, const uint32_t *v4, unsigned n4,
			    const uint8_t (*v6)[16], unsigned n6, const unsigned *map)
{
	static struct rt_answer a4[MAX_PROBES], a6[MAX_PROBES];
	static uint32_t ids[MAX_PROBES];
	char ab[RT_ADDR_STRLEN];

	rt_table_answer4(w->t, v4, n4, ids, a4);
	rt_table_answer6(w->t, v6, n6, ids, a6);
	compare_wire(w, RT_WIRE_FAMILY4, v4, n4, a4);
	compare_wire(w, RT_WIRE_FAMILY6, v6, n6, a6);
	for (unsigned i = 0; i < n; i++) {
		const struct rt_route *want = &w->want[i];
		const struct rt_answer *a = w->probes[i].family == AF_INET ? &a4[map[i]] : &a6[map[i]];

		check(a->found == w->want_found[i], "answer %s: found %d, expected %d",
		      addr_s(&w->probes[i], ab), a->found, w->want_found[i]);
		if (!a->found)
			continue;
		check(a->len == want->prefix.len && a->has_tag == want->has_tag &&
			      (!a->has_tag || a->tag == want->tag) &&
			      a->reject == rt_route_type_rejects(want->type) &&
			      a->has_gateway == (want->gateway.family != 0) &&
			      memcmp(a->gateway, want->gateway.bytes, 16) == 0,
		      "answer %s: /%u tag %u (%d) reject %d differs from the model's route",
		      addr_s(&w->probes[i], ab), a->len, a->tag, a->has_tag, a->reject);
	}
}

/*
 * The raw id paths (batched per family): no id exactly when there is no
 * route, and two probes share an id exactly when they resolve to the same
 * prefix. Uses want/want_found from compare_lookups() on the same probes.
 */
static void compare_ids(struct world *w, unsigned n)
{
	static uint32_t v4[MAX_PROBES], id4[MAX_PROBES], id6[MAX_PROBES];
	static uint8_t v6[MAX_PROBES][16];
	unsigned n4 = 0, n6 = 0, map[MAX_PROBES];
	char ab[RT_ADDR_STRLEN], ab2[RT_ADDR_STRLEN];

	for (unsigned i = 0; i < n; i++) {
		if (w->probes[i].family == AF_INET) {
			map[i] = n4;
			v4[n4++] = rt_addr_to_v4(&w->probes[i]);
		} else {
			map[i] = n6;
			memcpy(v6[n6++], w->probes[i].bytes, 16);
		}
	}
	rt_table_lookup_ids4(w->t, v4, n4, id4);
	rt_table_lookup_ids6(w->t, (const uint8_t(*)[16])v6, n6, id6);
	for (unsigned i = 0; i < n; i++) {
		bool is4 = w->probes[i].family == AF_INET;

		w->ids[i] = is4 ? id4[map[i]] : id6[map[i]];
		check((w->ids[i] != RT_NO_ROUTE) == w->want_found[i],
		      "lookup ids %s: id %u, expected %s", addr_s(&w->probes[i], ab), w->ids[i],
		      w->want_found[i] ? "a route" : "none");
	}
	compare_answers(w, n, v4, n4, v6, n6, map);
	for (unsigned i = 0; i < n; i++) {
		if (!w->want_found[i])
			continue;
		for (unsigned j = 0; j < i; j++) {
			bool same;

			if (!w->want_found[j] || w->probes[i].family != w->probes[j].family)
				continue;
			same = naive_prefix_cmp(&w->want[i].prefix, &w->want[j].prefix) == 0;
			check(same == (w->ids[i] == w->ids[j]),
			      "ids of %s (%u) and %s (%u) %s but the prefixes %s",
			      addr_s(&w->probes[i], ab), w->ids[i], addr_s(&w->probes[j], ab2),
			      w->ids[j], w->ids[i] == w->ids[j] ? "match" : "differ",
			      same ? "match" : "differ");
		}
	}
}

static void quick_check(struct world *w, const char *when)
{
	unsigned n = 6 + below(10);

	for (unsigned i = 0; i < n; i++)
		random_probe(w, &w->probes[i]);
	compare_lookups(w, n, when);
}

/* Boundaries of every pool prefix, plus random probes; lookups and ids. */
static void full_check(struct world *w, const char *when)
{
	unsigned n = 0;

	for (unsigned i = 0; i < w->pool.n && n + 6 <= MAX_PROBES; i++) {
		const struct rt_prefix *p = &w->pool.p[i];
		unsigned bits = fam_bits(p->addr.family);
		u128 first = addr_value(&p->addr), hm = host_mask(bits, p->len);

		addr_set(&w->probes[n++], p->addr.family, first);
		addr_set(&w->probes[n++], p->addr.family, first | hm);
		addr_set(&w->probes[n++], p->addr.family, (first - 1) & all_ones(bits));
		addr_set(&w->probes[n++], p->addr.family, ((first | hm) + 1) & all_ones(bits));
		addr_set(&w->probes[n++], p->addr.family, first | (rnd128() & hm));
		addr_set(&w->probes[n++], p->addr.family, first | (hm >> 1));
	}
	while (n < MAX_PROBES && n < w->pool.n * 6 + 40)
		random_probe(w, &w->probes[n++]);
	compare_lookups(w, n, when);
	compare_ids(w, n);
}

struct walk_collect {
	struct rt_route *r;
	size_t n, cap, stop_after;
};

static int walk_cb(const struct rt_route *r, void *arg)
{
	struct walk_collect *c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->r = realloc(c->r, c->cap * sizeof(*c->r));
		if (!c->r)
			abort();
	}
	c->r[c->n++] = *r;
	return c->stop_after && c->n == c->stop_after ? 7 : 0;
}

static void compare_walk(struct world *w, int family, const struct rt_prefix *from,
			 size_t stop_after)
{
	size_t n, k = 0;
	struct rt_route *all = naive_sorted(&w->nv, &n);
	struct walk_collect c = { .stop_after = stop_after };
	char fb[RT_PREFIX_STRLEN] = "start", b1[200], b2[200];
	int rc;

	if (from)
		pfx_s(from, fb);
	rc = rt_table_walk(w->t, family, from, walk_cb, &c);
	for (size_t i = 0; i < n; i++) {
		if (family && all[i].prefix.addr.family != family)
			continue;
		if (from && naive_prefix_cmp(&all[i].prefix, from) < 0)
			continue;
		if (stop_after && k == stop_after)
			break;
		check(k < c.n, "walk family %d from %s: ended after %zu routes, expected %s",
		      family, fb, c.n, route_s(&all[i], b1, sizeof(b1)));
		check(route_same(&c.r[k], &all[i]),
		      "walk family %d from %s: route %zu is %s, expected %s", family, fb, k,
		      route_s(&c.r[k], b1, sizeof(b1)), route_s(&all[i], b2, sizeof(b2)));
		k++;
	}
	check(k == c.n, "walk family %d from %s: %zu routes, expected %zu", family, fb, c.n, k);
	check(rc == (stop_after && k == stop_after ? 7 : 0), "walk returned %d", rc);
	free(c.r);
	free(all);
}

static void compare_stats(struct world *w)
{
	struct rt_table_stats st;
	size_t n;
	struct rt_route *all = naive_sorted(&w->nv, &n);
	uint64_t routes[2] = { 0, 0 }, prefixes[2] = { 0, 0 };

	for (size_t i = 0; i < n; i++) {
		int f = all[i].prefix.addr.family == AF_INET6;

		routes[f]++;
		if (i == 0 || naive_prefix_cmp(&all[i].prefix, &all[i - 1].prefix) != 0)
			prefixes[f]++;
	}
	rt_table_stats(w->t, &st);
	check(st.v4.routes == routes[0] && st.v6.routes == routes[1],
	      "stats: %llu+%llu routes, expected %llu+%llu", (unsigned long long)st.v4.routes,
	      (unsigned long long)st.v6.routes, (unsigned long long)routes[0],
	      (unsigned long long)routes[1]);
	check(st.v4.prefixes == prefixes[0] && st.v6.prefixes == prefixes[1],
	      "stats: %llu+%llu prefixes, expected %llu+%llu",
	      (unsigned long long)st.v4.prefixes, (unsigned long long)st.v6.prefixes,
	      (unsigned long long)prefixes[0], (unsigned long long)prefixes[1]);
	free(all);
}

static void compare_get(struct world *w)
{
	const struct rt_prefix *p = &w->pool.p[below(w->pool.n)];
	struct rt_route got[32], want[32];
	long ng = rt_table_get(w->t, p, got, 32), nw = naive_get(&w->nv, p, want, 32);
	char pb[RT_PREFIX_STRLEN], b1[200], b2[200];

	check(ng == nw, "get %s: %ld routes, expected %ld", pfx_s(p, pb), ng, nw);
	for (long i = 0; i < ng && i < 32; i++)
		check(route_same(&got[i], &want[i]), "get %s: route %ld is %s, expected %s",
		      pfx_s(p, pb), i, route_s(&got[i], b1, sizeof(b1)),
		      route_s(&want[i], b2, sizeof(b2)));
}

/* ---------------------------------------------------------------------- */
/* Operations */

static void op_add(struct world *w, bool replace)
{
	struct rt_route r;
	char b[200];
	int got, want;

	random_route(&w->pool, &r);
	logf_("%s %s", replace ? "replace" : "add", route_s(&r, b, sizeof(b)));
	got = replace ? rt_table_replace(w->t, &r) : rt_table_add(w->t, &r);
	want = replace ? naive_replace(&w->nv, &r) : naive_add(&w->nv, &r);
	check(got == want, "%s %s: %d, expected %d", replace ? "replace" : "add",
	      route_s(&r, b, sizeof(b)), got, want);
}

static void op_delete(struct world *w)
{
	struct rt_route_key k;
	char pb[RT_PREFIX_STRLEN];
	int got, want;

	random_key(&w->pool, &w->nv, &k);
	logf_("delete %s proto '%s' metric %s%u", pfx_s(&k.prefix, pb), k.proto,
	      k.match_metric ? "" : "any/", k.metric);
	got = rt_table_delete(w->t, &k);
	want = naive_delete(&w->nv, &k, NULL);
	check(got == want, "delete %s proto '%s': %d, expected %d", pfx_s(&k.prefix, pb), k.proto,
	      got, want);
}

/* What one change does to the reference; the error the table must report. */
static int naive_change(struct naive *nv, const struct rt_change *c)
{
	struct rt_route_key k;

	if (c->op != RT_CHANGE_DELETE && c->route.table != RT_TABLE_MAIN)
		return -EINVAL;
	switch (c->op) {
	case RT_CHANGE_ADD:
		return naive_add(nv, &c->route);
	case RT_CHANGE_REPLACE:
		return naive_replace(nv, &c->route);
	case RT_CHANGE_DELETE:
		memset(&k, 0, sizeof(k));
		k.prefix = c->route.prefix;
		memcpy(k.proto, c->route.proto, sizeof(k.proto));
		k.match_metric = true;
		k.metric = c->route.metric;
		return naive_delete(nv, &k, NULL);
	}
	return -EINVAL;
}

static void op_apply(struct world *w)
{
	struct rt_change ch[8];
	unsigned n = 1 + below(8);
	struct naive tmp;
	size_t failed = 12345, want_failed = 12345;
	int got, want = 0;
	char b[200];

	memset(ch, 0, sizeof(ch));
	for (unsigned i = 0; i < n; i++) {
		unsigned kind = below(100);

		random_route(&w->pool, &ch[i].route);
		if (kind < 40) {
			ch[i].op = RT_CHANGE_ADD;
		} else if (kind < 65) {
			ch[i].op = RT_CHANGE_REPLACE;
		} else {
			ch[i].op = RT_CHANGE_DELETE;
			/* Mostly an existing route (changes before it may remove it). */
			if (w->nv.n && chance(80))
				ch[i].route = w->nv.routes[below((unsigned)w->nv.n)];
		}
		if (ch[i].op != RT_CHANGE_DELETE && chance(3))
			ch[i].route.table = 1;
	}
	naive_init(&tmp);
	naive_copy(&tmp, &w->nv);
	for (unsigned i = 0; i < n; i++) {
		want = naive_change(&tmp, &ch[i]);
		if (want) {
			want_failed = i;
			break;
		}
	}
	logf_("apply of %u changes (expect %d at %zu):", n, want, want_failed);
	for (unsigned i = 0; i < n; i++)
		logf_("  %s %s", ch[i].op == RT_CHANGE_ADD ? "add" :
				 ch[i].op == RT_CHANGE_DELETE ? "delete" : "replace",
		      route_s(&ch[i].route, b, sizeof(b)));
	got = rt_table_apply(w->t, ch, n, &failed);
	check(got == want, "apply: %d, expected %d", got, want);
	check(failed == want_failed, "apply: failed at %zu, expected %zu", failed, want_failed);
	if (!want)
		naive_copy(&w->nv, &tmp);
	naive_fini(&tmp);
}

static void op_replace_all(struct world *w)
{
	struct rt_route routes[48];
	unsigned n = below(ARRAY_SIZE(routes));
	struct naive tmp;
	size_t failed = 12345, want_failed = 12345;
	int got, want = 0;

	naive_init(&tmp);
	for (unsigned i = 0; i < n; i++) {
		random_route(&w->pool, &routes[i]);
		if (chance(1))
			routes[i].table = 3;
	}
	for (unsigned i = 0; i < n; i++) {
		want = routes[i].table != RT_TABLE_MAIN ? -EINVAL : naive_add(&tmp, &routes[i]);
		if (want) {
			want_failed = i;
			break;
		}
	}
	/* Most lists have a duplicate somewhere; also try the list without it. */
	if (want && chance(60)) {
		n = (unsigned)want_failed;
		want = 0;
		want_failed = 12345;
	}
	logf_("replace_all of %u routes (expect %d at %zu)", n, want, want_failed);
	got = rt_table_replace_all(w->t, routes, n, &failed);
	check(got == want, "replace_all: %d, expected %d", got, want);
	check(failed == want_failed, "replace_all: failed at %zu, expected %zu", failed,
	      want_failed);
	if (!want)
		naive_copy(&w->nv, &tmp);
	naive_fini(&tmp);
}

static void op_flush(struct world *w)
{
	/* Flushing everything is a replace_all, which waits for a grace period. */
	const char *proto = chance(5) ? NULL : protos[below(ARRAY_SIZE(protos))];
	long got, want;

	logf_("flush %s", proto ? proto : "(all)");
	got = rt_table_flush(w->t, proto);
	want = naive_flush(&w->nv, proto);
	check(got == want, "flush %s: %ld, expected %ld", proto ? proto : "(all)", got, want);
}

static void random_op(struct world *w)
{
	unsigned kind = below(1000);

	if (kind < 420)
		op_add(w, false);
	else if (kind < 700)
		op_delete(w);
	else if (kind < 870)
		op_add(w, true);
	else if (kind < 960)
		op_apply(w);
	else if (kind < 975)
		op_flush(w);
	else if (kind < 990)
		compare_get(w);
	else
		rt_table_reclaim_flush(w->t);	/* lets ids recycle during the round */
	w->ops++;
}

static void random_walk_check(struct world *w)
{
	static const int families[] = { 0, AF_INET, AF_INET6 };
	int family = families[below(3)];
	struct rt_prefix from;

	compare_walk(w, 0, NULL, 0);
	if (chance(50)) {
		from = w->pool.p[below(w->pool.n)];
		if (chance(40)) {
			/* A prefix that need not exist: the pool's address at another length. */
			unsigned bits = fam_bits(from.addr.family), len = below(bits + 1);

			make_prefix(&from, from.addr.family, addr_value(&from.addr), len);
		}
		compare_walk(w, family, &from, chance(20) ? 1 + below(4) : 0);
	} else {
		compare_walk(w, family, NULL, chance(20) ? 1 + below(4) : 0);
	}
}

/* Empty the table one way or another and check nothing answers any more. */
static void empty_table(struct world *w)
{
	switch (below(10)) {
	case 0:
		logf_("flush (all)");
		check(rt_table_flush(w->t, NULL) == (long)w->nv.n, "flush all: wrong count");
		naive_clear(&w->nv);
		break;
	case 1:
		for (unsigned i = 0; i < ARRAY_SIZE(protos); i++)
			check(rt_table_flush(w->t, protos[i]) == naive_flush(&w->nv, protos[i]),
			      "flush %s: wrong count", protos[i]);
		break;
	default:
		/* Route by route, in random order. */
		while (w->nv.n) {
			const struct rt_route *r = &w->nv.routes[below((unsigned)w->nv.n)];
			struct rt_route_key k;
			char pb[RT_PREFIX_STRLEN];

			memset(&k, 0, sizeof(k));
			k.prefix = r->prefix;
			memcpy(k.proto, r->proto, sizeof(k.proto));
			k.match_metric = true;
			k.metric = r->metric;
			logf_("delete %s %s/%u", pfx_s(&k.prefix, pb), k.proto, k.metric);
			check(rt_table_delete(w->t, &k) == 0, "delete %s: failed",
			      pfx_s(&k.prefix, pb));
			check(naive_delete(&w->nv, &k, NULL) == 0, "reference delete failed");
			if (chance(20))
				quick_check(w, "emptying");
		}
		break;
	}
	full_check(w, "empty");
	compare_walk(w, 0, NULL, 0);
	compare_stats(w);
}

static void expect_baseline(struct world *w, const struct rt_table_stats *base)
{
	struct rt_table_stats st;

	rt_table_quiesce(w->t);
	rt_table_stats(w->t, &st);
	check(st.total_bytes == base->total_bytes && st.v4.fib_bytes == base->v4.fib_bytes &&
		      st.v6.fib_bytes == base->v6.fib_bytes &&
		      st.entry_bytes == base->entry_bytes && st.v4.fib_nodes == 0 &&
		      st.v6.fib_nodes == 0 && st.nexthops == 0,
	      "emptied table: total %llu (fresh %llu), fib %llu/%llu (fresh %llu/%llu), "
	      "ids %llu (fresh %llu), nodes %llu/%llu, next hops %llu",
	      (unsigned long long)st.total_bytes, (unsigned long long)base->total_bytes,
	      (unsigned long long)st.v4.fib_bytes, (unsigned long long)st.v6.fib_bytes,
	      (unsigned long long)base->v4.fib_bytes, (unsigned long long)base->v6.fib_bytes,
	      (unsigned long long)st.entry_bytes, (unsigned long long)base->entry_bytes,
	      (unsigned long long)st.v4.fib_nodes, (unsigned long long)st.v6.fib_nodes,
	      (unsigned long long)st.nexthops);
}

static void run_round(struct world *w)
{
	unsigned nops = 20 + below(100);
	/* replace_all waits for a grace period (~10 ms): one round in eight. */
	unsigned replace_all_at = chance(12) ? below(nops) : nops;

	log_count = 0;
	make_pool(&w->pool, (int)below(3));
	logf_("round %u: pool of %u prefixes", cur_round, w->pool.n);
	for (unsigned i = 0; i < w->pool.n; i++) {
		char pb[RT_PREFIX_STRLEN];

		logf_("  pool %s", pfx_s(&w->pool.p[i], pb));
	}
	full_check(w, "start");
	for (unsigned i = 0; i < nops; i++) {
		if (i == replace_all_at)
			op_replace_all(w);
		else
			random_op(w);
		quick_check(w, "after op");
		if (i % 8 == 7) {
			full_check(w, "periodic");
			random_walk_check(w);
			compare_stats(w);
		}
	}
	full_check(w, "end of round");
	random_walk_check(w);
	compare_stats(w);
	empty_table(w);
}

static unsigned rounds(void)
{
	double r = DEFAULT_ROUNDS * iterations;

	return r < 1 ? 1 : (unsigned)r;
}

static void test_differential(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct rt_table *fresh;
	struct rt_table_stats base;
	unsigned n = rounds();

	(void)state;
	assert_non_null(w);
	fresh = rt_table_create(RT_TABLE_MAIN);
	assert_non_null(fresh);
	rt_table_stats(fresh, &base);
	rt_table_destroy(fresh);
	naive_init(&w->nv);
	w->t = rt_table_create(RT_TABLE_MAIN);
	assert_non_null(w->t);
	for (cur_round = 0; cur_round < n; cur_round++) {
		run_round(w);
		/* Now and then: memory back to a fresh table's, and a new table. */
		if (cur_round % 100 == 99 || cur_round == n - 1)
			expect_baseline(w, &base);
		if (cur_round % 500 == 499) {
			rt_table_destroy(w->t);
			w->t = rt_table_create(RT_TABLE_MAIN);
			assert_non_null(w->t);
		}
	}
	print_message("# %u rounds, %llu operations, %llu lookups\n", n,
		      (unsigned long long)w->ops, (unsigned long long)w->lookups);
	rt_table_destroy(w->t);
	naive_fini(&w->nv);
	free(w);
}

/* The reference itself, on a hand-made case, so a broken oracle cannot hide bugs. */
static void test_reference(void **state)
{
	struct naive nv;
	struct rt_route r, out;
	struct rt_route_key k;
	struct rt_addr a;

	(void)state;
	naive_init(&nv);
	rt_route_init(&r);
	assert_int_equal(rt_prefix_parse("10.0.0.0/8", &r.prefix, NULL, 0), 0);
	r.metric = 20;
	assert_int_equal(naive_add(&nv, &r), 0);
	assert_int_equal(naive_add(&nv, &r), -EEXIST);
	snprintf(r.proto, sizeof(r.proto), "bgp");
	assert_int_equal(naive_add(&nv, &r), 0);
	assert_int_equal(rt_prefix_parse("10.1.0.0/16", &r.prefix, NULL, 0), 0);
	assert_int_equal(naive_add(&nv, &r), 0);
	assert_int_equal(rt_addr_parse("10.1.2.3", &a, NULL, 0), 0);
	assert_true(naive_lookup(&nv, &a, &out));
	assert_int_equal(out.prefix.len, 16);
	assert_int_equal(rt_addr_parse("10.2.2.3", &a, NULL, 0), 0);
	assert_true(naive_lookup(&nv, &a, &out));
	assert_int_equal(out.prefix.len, 8);
	assert_string_equal(out.proto, "bgp");
	assert_int_equal(rt_addr_parse("::ffff:10.2.2.3", &a, NULL, 0), 0);
	assert_false(naive_lookup(&nv, &a, &out));
	memset(&k, 0, sizeof(k));
	assert_int_equal(rt_prefix_parse("10.0.0.0/8", &k.prefix, NULL, 0), 0);
	assert_int_equal(naive_delete(&nv, &k, &out), 0);
	assert_string_equal(out.proto, "bgp");
	assert_int_equal(rt_addr_parse("10.2.2.3", &a, NULL, 0), 0);
	assert_true(naive_lookup(&nv, &a, &out));
	assert_string_equal(out.proto, "static");
	k.match_metric = true;
	k.metric = 21;
	assert_int_equal(naive_delete(&nv, &k, NULL), -ENOENT);
	assert_int_equal(naive_flush(&nv, "bgp"), 1);
	assert_int_equal(naive_flush(&nv, NULL), 1);
	assert_false(naive_lookup(&nv, &a, &out));
	naive_fini(&nv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference),
		LOOKUP_PATH_TESTS(test_differential),
	};

	seed = seed_from_env();
	iterations = seed_iterations();
	rng_state = seed;
	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

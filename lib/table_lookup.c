/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A table's lookups: longest-prefix match of a batch of addresses inside
 * one read-side section, answered as route copies (rt_table_lookup), raw
 * route ids (the benches) or the UDP service's answers. They take no lock
 * and make no atomic read-modify-write; everything they read hangs off
 * the state loaded once per call.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include <routed/table.h>

#include "fib.h"
#include "table_int.h"

#ifdef HAVE_POPCNT_CLONES
/* Lookup entry points built twice, plain and with POPCNT (see configure.ac). */
#define LOOKUP_CLONES __attribute__((target_clones("default", "popcnt")))
#else
#define LOOKUP_CLONES
#endif

static inline uint32_t lookup_id(const struct table_state *st, const struct rt_addr *a)
{
	if (a->family == AF_INET)
		return fib_lookup4(st->fib4, rt_addr_to_v4(a));
	if (a->family == AF_INET6)
		return fib_lookup6(st->fib6, a->bytes);
	return RT_NO_ROUTE;
}

LOOKUP_CLONES
void rt_table_lookup(const struct rt_table *t, const struct rt_addr *addrs, size_t n,
		     struct rt_lookup_result *out)
{
	const struct table_state *st;

	urcu_memb_read_lock();
	st = table_state_rcu(t);
	for (size_t i = 0; i < n; i++) {
		uint32_t id = lookup_id(st, &addrs[i]);

		out[i].found = id != RT_NO_ROUTE;
		out[i].chosen = 0;
		if (out[i].found) {
			const struct rib_route *r = route_ids_get(&st->ids, id);

			table_route_export(r, &out[i].route);
			if (r->nh->mp)
				nexthop_pick(r->nh, rt_nhgroup_hash(&addrs[i]), &out[i].chosen);
		}
	}
	urcu_memb_read_unlock();
}

bool rt_table_lookup_one(const struct rt_table *t, const struct rt_addr *addr,
			 struct rt_lookup_result *out)
{
	rt_table_lookup(t, addr, 1, out);
	return out->found;
}

LOOKUP_CLONES
void rt_table_lookup_ids4(const struct rt_table *t, const uint32_t *addrs, size_t n, uint32_t *ids)
{
	urcu_memb_read_lock();
	fib_lookup4_batch(table_state_rcu(t)->fib4, addrs, n, ids);
	urcu_memb_read_unlock();
}

LOOKUP_CLONES
void rt_table_lookup_ids6(const struct rt_table *t, const uint8_t (*addrs)[16], size_t n, uint32_t *ids)
{
	urcu_memb_read_lock();
	fib_lookup6_batch(table_state_rcu(t)->fib6, addrs, n, ids);
	urcu_memb_read_unlock();
}

/*
 * Answers, inside one read-side section. A batch is looked up in groups,
 * software-pipelined: while group g walks the FIB, the answer words of
 * group g - 1, prefetched when its ids came out, arrive; so the id-table
 * misses overlap the next group's trie misses instead of following them.
 */
#define ANSWER_GROUP FIB_BATCH_GROUP

static inline void answers_prefetch(const struct table_state *st, const uint32_t *id, size_t m)
{
	for (size_t i = 0; i < m; i++)
		if (id[i] != RT_NO_ROUTE)
			__builtin_prefetch(route_ids_answer_slot(&st->ids, id[i]));
}

/*
 * The member of group nh chosen for address i of a batch (host-order IPv4
 * or IPv6 bytes). Out of line and cold: single-path answers only pay the
 * test of the answer word's multipath bit.
 */
static __attribute__((noinline, cold)) const struct nexthop *
answer_pick(const struct nexthop *nh, const void *addrs, size_t i, bool v6)
{
	unsigned member;
	uint32_t hash = v6 ? rt_nhgroup_hash_bytes(((const uint8_t(*)[16])(uintptr_t)addrs)[i], 16)
			   : rt_nhgroup_hash_v4(((const uint32_t *)addrs)[i]);

	return nexthop_pick(nh, hash, &member);
}

static inline __attribute__((always_inline)) void
answers_fill(const struct table_state *st, const uint32_t *id, size_t m, const void *addrs,
	     size_t base, bool v6, struct rt_answer *out)
{
	for (size_t i = 0; i < m; i++) {
		struct rt_answer *a = &out[i];
		const struct nexthop *nh;
		uint64_t w;

		if (id[i] == RT_NO_ROUTE) {
			memset(a, 0, sizeof(*a));
			continue;
		}
		w = route_ids_answer(&st->ids, id[i]);
		nh = nexthop_by_index(&st->nexthops, route_id_answer_nexthop(w));
		a->found = true;
		a->len = (uint8_t)route_id_answer_len(w);
		a->has_tag = route_id_answer_has_tag(w);
		a->tag = route_id_answer_tag(w);
		a->reject = route_id_answer_reject(w);
		a->multipath = route_id_answer_multipath(w);
		if (__builtin_expect(a->multipath, 0))
			nh = answer_pick(nh, addrs, base + i, v6);
		/* A rejecting route's next hop is the empty one: no gateway either way. */
		a->has_gateway = nh->gateway.family != 0;
		memcpy(a->gateway, nh->gateway.bytes, sizeof(a->gateway));
	}
}

/* One group's FIB walk, per family; inlined into answer_batch() with the family known. */
typedef void (*fib_group_fn)(const struct table_state *st, const void *addrs, size_t base,
			     size_t m, uint32_t *ids);

static inline __attribute__((always_inline)) void
group4(const struct table_state *st, const void *addrs, size_t base, size_t m, uint32_t *ids)
{
	fib_lookup4_batch(st->fib4, (const uint32_t *)addrs + base, m, ids);
}

static inline __attribute__((always_inline)) void
group6(const struct table_state *st, const void *addrs, size_t base, size_t m, uint32_t *ids)
{
	/* Through uintptr_t: C counts an array of const as not const-qualified itself. */
	fib_lookup6_batch(st->fib6, (const uint8_t(*)[16])(uintptr_t)addrs + base, m, ids);
}

static inline __attribute__((always_inline)) void
answer_batch(const struct rt_table *t, const void *addrs, size_t n, uint32_t *ids,
	     struct rt_answer *out, fib_group_fn group, bool v6)
{
	const struct table_state *st;
	size_t prev = 0, prev_m = 0;

	urcu_memb_read_lock();
	st = table_state_rcu(t);
	for (size_t base = 0; base < n; base += ANSWER_GROUP) {
		size_t m = n - base < ANSWER_GROUP ? n - base : ANSWER_GROUP;

		group(st, addrs, base, m, ids + base);
		answers_prefetch(st, ids + base, m);
		if (prev_m)
			answers_fill(st, ids + prev, prev_m, addrs, prev, v6, out + prev);
		prev = base;
		prev_m = m;
	}
	if (prev_m)
		answers_fill(st, ids + prev, prev_m, addrs, prev, v6, out + prev);
	urcu_memb_read_unlock();
}

LOOKUP_CLONES
void rt_table_answer4(const struct rt_table *t, const uint32_t *addrs, size_t n,
		      uint32_t *ids, struct rt_answer *out)
{
	answer_batch(t, addrs, n, ids, out, group4, false);
}

LOOKUP_CLONES
void rt_table_answer6(const struct rt_table *t, const uint8_t (*addrs)[16], size_t n,
		      uint32_t *ids, struct rt_answer *out)
{
	answer_batch(t, addrs, n, ids, out, group6, true);
}

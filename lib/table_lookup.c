/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A table's lookups: longest-prefix match of a batch of addresses inside
 * one read-side section, answered as route copies (rt_table_lookup), raw
 * route ids (the benches) or the UDP service's answers. They take no lock
 * and make no atomic read-modify-write; everything they read hangs off
 * the state loaded once per call.
 */
#include "config.h"

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include <routed/lookup_wire.h>
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
 *
 * A group is FIB_AVX512_MIN_BATCH (32) addresses while the AVX-512 walk is
 * selected, so that every full group takes it (a 64-address datagram is
 * two), and FIB_BATCH_GROUP (16) with the scalar walk, the group that
 * walk was tuned with. What is left after the full groups takes the
 * scalar walk in groups of 16 either way (group_size()). The path is
 * read once per batch; a change of path in between only changes which
 * correct walk runs. Each group size is a constant of its own copy of the
 * loop: with the scalar walk's 16 known, its inlined walk is one pass of
 * its own groups, as before (callgrind: 1.8 instructions per address
 * fewer than a group size read at run time).
 */
#define ANSWER_GROUP FIB_AVX512_MIN_BATCH	/* the largest group */

_Static_assert(FIB_BATCH_GROUP <= ANSWER_GROUP, "a scalar group fits a group's arrays");

/*
 * The next group of a batch with left addresses to go: a full group, else
 * at most FIB_BATCH_GROUP, so that what is left after the vector groups
 * (and a whole batch under 32, such as an IPv6 datagram's 30) walks in the
 * scalar groups of 16 and keeps their pipeline, as before.
 */
static inline size_t group_size(size_t left, size_t group_len)
{
	if (left >= group_len)
		return group_len;
	return left < FIB_BATCH_GROUP ? left : FIB_BATCH_GROUP;
}

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
answer_groups(const struct rt_table *t, const void *addrs, size_t n, uint32_t *ids,
	      struct rt_answer *out, fib_group_fn group, bool v6, size_t group_len)
{
	const struct table_state *st;
	size_t prev = 0, prev_m = 0;

	urcu_memb_read_lock();
	st = table_state_rcu(t);
	for (size_t base = 0, m; base < n; base += m) {
		m = group_size(n - base, group_len);

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

static inline __attribute__((always_inline)) void
answer_batch(const struct rt_table *t, const void *addrs, size_t n, uint32_t *ids,
	     struct rt_answer *out, fib_group_fn group, bool v6)
{
	if (lookup_path_vector_on())
		answer_groups(t, addrs, n, ids, out, group, v6, FIB_AVX512_MIN_BATCH);
	else
		answer_groups(t, addrs, n, ids, out, group, v6, FIB_BATCH_GROUP);
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

/*
 * Answers written straight into a datagram's slots (the UDP service's
 * path), in two passes. The walk gathers each group's addresses from the
 * slots for the FIB batch walk, parks each id in its slot's answer fields
 * and starts loading the id's answer word; the fill reads the ids back
 * and writes each answer from the answer word and the next hop's wire
 * record (nexthop_answer_in()), with no rt_answer in between. Between
 * the two, every answer word of the datagram has the rest of its walk
 * (and, in the daemon, the next datagram's walk: rt_table_view_wire_*)
 * to arrive: filled right after its own group's walk, the last group's
 * words were cache misses the fill waited for (docs/performance.md).
 */
_Static_assert(ROUTE_ID_ANSWER_HAS_TAG >> ROUTE_ID_ANSWER_WIRE_SHIFT == RT_WIRE_A_TAG &&
		       ROUTE_ID_ANSWER_REJECT >> ROUTE_ID_ANSWER_WIRE_SHIFT == RT_WIRE_A_REJECT &&
		       ROUTE_ID_ANSWER_MULTIPATH >> ROUTE_ID_ANSWER_WIRE_SHIFT ==
			       RT_WIRE_A_MULTIPATH,
	       "the answer word's flag bits, shifted, are the wire's answer flags");

/* One group of a datagram: its addresses as the FIB walk takes them, and their ids. */
struct wire_group {
	union {
		uint32_t v4[ANSWER_GROUP];	/* host order */
		uint8_t v6[ANSWER_GROUP][16];
	} addr;
	uint32_t id[ANSWER_GROUP];
};

static inline size_t wire_slot_len(bool v6)
{
	return v6 ? RT_WIRE_SLOT6_LEN : RT_WIRE_SLOT4_LEN;
}

/*
 * Where a slot's id waits between the passes: its answer fields, rewritten
 * by the fill. The fill's load of the answer word still depends on the
 * trie's leaf load (route_ids_answer_at()): the id goes from that load to
 * this store and back to a load of this thread's own store, which keeps
 * the dependency on weakly ordered CPUs too (a data dependency into a
 * store read by the same thread orders like an address dependency).
 */
static inline uint8_t *wire_parked_id(uint8_t *slot, bool v6)
{
	return slot + (v6 ? RT_WIRE_SLOT6_ANSWER : RT_WIRE_SLOT4_ANSWER);
}

static inline __attribute__((always_inline)) void
wire_gather(struct wire_group *g, const uint8_t *slot, size_t m, bool v6)
{
#pragma GCC unroll 4
	for (size_t i = 0; i < m; i++, slot += wire_slot_len(v6)) {
		if (v6) {
			memcpy(g->addr.v6[i], slot, 16);
		} else {
			uint32_t be;

			memcpy(&be, slot, 4);
			g->addr.v4[i] = be32toh(be);
		}
	}
}

/* Each id into its slot, and its answer word on its way to the cache. */
static inline __attribute__((always_inline)) void
wire_park(const uint64_t *answers, uint8_t *slot, const struct wire_group *g, size_t m, bool v6)
{
#pragma GCC unroll 4
	for (size_t i = 0; i < m; i++, slot += wire_slot_len(v6)) {
		memcpy(wire_parked_id(slot, v6), &g->id[i], sizeof(g->id[i]));
		if (g->id[i] != RT_NO_ROUTE)
			__builtin_prefetch(route_ids_answer_slot_in(answers, g->id[i]));
	}
}

/*
 * The wire record of the member of group index chosen for the address of
 * slot. Out of line and cold, like answer_pick(): the member is live as
 * long as the group is (it holds a reference, dropped a grace period after
 * the group went), so its index names its record.
 */
static __attribute__((noinline, cold)) const struct nexthop_answer *
wire_pick(const struct table_state *st, uint32_t index, const uint8_t *slot, bool v6)
{
	const struct nexthop *nh = nexthop_by_index(&st->nexthops, index);
	uint32_t hash, be;
	unsigned member;

	if (v6) {
		hash = rt_nhgroup_hash_bytes(slot, 16);
	} else {
		memcpy(&be, slot, 4);
		hash = rt_nhgroup_hash_v4(be32toh(be));
	}
	return nexthop_answer_by_index(&st->nexthops, nexthop_pick(nh, hash, &member)->index);
}

/*
 * What the fill reads beside the slots: the answer words and the next-hop
 * directory (neither ever moves), loaded once into locals, since the
 * answers' byte stores may alias anything and would make the compiler
 * load them again per address.
 */
static inline __attribute__((always_inline)) void
wire_fill(const struct table_state *st, uint8_t *slot, size_t n, bool v6)
{
	static const uint8_t none[16];
	const uint64_t *answers = st->ids.answers;
	struct nexthop_chunk *const *nexthops = st->nexthops.dir;

	for (size_t i = 0; i < n; i++, slot += wire_slot_len(v6)) {
		uint32_t id, nh, flags;
		const struct nexthop_answer *na;
		uint64_t w;

		memcpy(&id, wire_parked_id(slot, v6), sizeof(id));
		if (id == RT_NO_ROUTE) {
			if (v6)
				rt_wire_put_answer6(slot, 0, 0, 0, none);
			else
				rt_wire_put_answer4(slot, 0, 0, 0, none);
			continue;
		}
		w = route_ids_answer_in(answers, id);
		nh = route_id_answer_nexthop(w);
		if (__builtin_expect(route_id_answer_multipath(w), 0))
			na = wire_pick(st, nh, slot, v6);
		else
			na = nexthop_answer_in(nexthops, nh);
		/* A rejecting route's next hop is the empty one: no gateway flag, zeroes. */
		flags = RT_WIRE_A_FOUND | na->flags |
			((uint32_t)w & ROUTE_ID_ANSWER_WIRE_FLAGS) >> ROUTE_ID_ANSWER_WIRE_SHIFT;
		if (v6)
			rt_wire_put_answer6(slot, (uint8_t)flags, (uint8_t)route_id_answer_len(w),
					    route_id_answer_tag(w), na->gateway);
		else
			rt_wire_put_answer4(slot, (uint8_t)flags, (uint8_t)route_id_answer_len(w),
					    route_id_answer_tag(w), na->gateway);
	}
}

/*
 * An IPv6 datagram of more than FIB_BATCH_GROUP addresses (at most
 * RT_WIRE_MAX_COUNT6, 30) walks as one group on the AVX-512 walk, which
 * masks the lanes past the last address; the table's dispatch would take
 * the scalar walk in two groups of 16 instead. In-process (bench/wirebench,
 * the bgp table) the vector group answered 1.36-1.63 times as many
 * addresses at 20-30 per datagram, but 0.57-1.03 of the scalar group at
 * 4-16 (docs/performance.md), so a datagram that fits one scalar group
 * keeps it. An IPv4 group under 32 (what is left after a datagram's full
 * groups) keeps the scalar groups: the IPv4 scalar walk is shorter, and a
 * vector group of 24 IPv4 addresses measured 0.83 of them. The vector walk
 * is called only while it is selected, which it can be only where it is
 * usable (lookup_path.c), as fib_avx512.h requires.
 */
#define WIRE6_VECTOR_MIN (FIB_BATCH_GROUP + 1)

_Static_assert(RT_WIRE_MAX_COUNT6 <= ANSWER_GROUP, "an IPv6 datagram is one group");

static inline size_t wire_group_size(size_t left, size_t group_len, bool v6_vector)
{
	if (v6_vector)
		return left < ANSWER_GROUP ? left : ANSWER_GROUP;
	return group_size(left, group_len);
}

static inline __attribute__((always_inline)) void
wire_walk6(const struct table_state *st, const uint8_t (*addrs)[16], size_t m, uint32_t *ids,
	   bool v6_vector)
{
#ifdef HAVE_FIB_AVX512
	if (v6_vector) {
		fib_avx512_lookup6_batch(st->fib6, addrs, m, ids);
		return;
	}
#else
	(void)v6_vector;
#endif
	fib_lookup6_batch(st->fib6, addrs, m, ids);
}

static inline __attribute__((always_inline)) void
wire_groups(const struct table_state *st, uint8_t *slots, size_t n, bool v6, size_t group_len,
	    bool v6_vector)
{
	const uint64_t *answers = st->ids.answers;
	struct wire_group g;

	for (size_t base = 0, m; base < n; base += m) {
		uint8_t *first = slots + base * wire_slot_len(v6);

		m = wire_group_size(n - base, group_len, v6_vector);
		wire_gather(&g, first, m, v6);
		if (v6)
			wire_walk6(st, (const uint8_t(*)[16])g.addr.v6, m, g.id, v6_vector);
		else
			fib_lookup4_batch(st->fib4, g.addr.v4, m, g.id);
		wire_park(answers, first, &g, m, v6);
	}
}

static inline __attribute__((always_inline)) void
wire_walk(const struct table_state *st, uint8_t *slots, size_t n, bool v6)
{
	bool vector = lookup_path_vector_on();

	if (vector && v6 && n >= WIRE6_VECTOR_MIN)
		wire_groups(st, slots, n, v6, FIB_AVX512_MIN_BATCH, true);
	else if (vector)
		wire_groups(st, slots, n, v6, FIB_AVX512_MIN_BATCH, false);
	else
		wire_groups(st, slots, n, v6, FIB_BATCH_GROUP, false);
}

static inline __attribute__((always_inline)) void
answer_wire(const struct rt_table *t, uint8_t *slots, size_t n, bool v6)
{
	const struct table_state *st;

	urcu_memb_read_lock();
	st = table_state_rcu(t);
	wire_walk(st, slots, n, v6);
	wire_fill(st, slots, n, v6);
	urcu_memb_read_unlock();
}

LOOKUP_CLONES
void rt_table_answer_wire4(const struct rt_table *t, void *slots, size_t n)
{
	answer_wire(t, slots, n, false);
}

LOOKUP_CLONES
void rt_table_answer_wire6(const struct rt_table *t, void *slots, size_t n)
{
	answer_wire(t, slots, n, true);
}

/*
 * A view is the table's state, as the caller's read-side section loaded
 * it: table_state_rcu()'s rcu_dereference() pairs with the publish in
 * rt_table_replace_all(), and the state is freed only a grace period after
 * it is replaced, so the view, and ids walked from it, hold until the
 * caller's section ends.
 */
const struct rt_table_view *rt_table_view_rcu(const struct rt_table *t)
{
	return (const struct rt_table_view *)table_state_rcu(t);
}

static inline const struct table_state *view_state(const struct rt_table_view *v)
{
	return (const struct table_state *)v;
}

LOOKUP_CLONES
void rt_table_view_wire_walk4(const struct rt_table_view *v, void *slots, size_t n)
{
	wire_walk(view_state(v), slots, n, false);
}

LOOKUP_CLONES
void rt_table_view_wire_walk6(const struct rt_table_view *v, void *slots, size_t n)
{
	wire_walk(view_state(v), slots, n, true);
}

LOOKUP_CLONES
void rt_table_view_wire_fill4(const struct rt_table_view *v, void *slots, size_t n)
{
	wire_fill(view_state(v), slots, n, false);
}

LOOKUP_CLONES
void rt_table_view_wire_fill6(const struct rt_table_view *v, void *slots, size_t n)
{
	wire_fill(view_state(v), slots, n, true);
}

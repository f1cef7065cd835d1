/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Next-hop groups: the next hops of a multipath (ECMP/WCMP) route, and the
 * hash that chooses one of them for an address.
 *
 * A group is immutable and interned in one process-wide pool: equal lists
 * of next hops are one object, so a route value holds a plain pointer,
 * routes are compared by comparing pointers, and a struct rt_route stays a
 * value that is copied freely (load arrays, the durable set, lookup
 * results, change events) without owning anything. The price: a group
 * lives until the process exits (see the FIXME in lib/nhgroup.c).
 *
 * Build a multipath route with rt_route_set_nexthops() (route.h), which
 * validates, puts the next hops in canonical order and interns them;
 * rt_nhgroup_intern() is the raw step under it.
 *
 * Thread safety: interning takes the pool's mutex; a group once returned
 * is immutable and readable from any thread without a lock.
 */
#ifndef ROUTED_NHGROUP_H
#define ROUTED_NHGROUP_H

#include <stddef.h>
#include <stdint.h>

#include <routed/prefix.h>
#include <routed/route.h>

#define RT_NEXTHOPS_MAX 64	/* next hops of one route */
#define RT_WEIGHT_MAX 256	/* like ip-route: weight 1..256 */

/* One next hop of a multipath route. */
struct rt_nexthop {
	struct rt_addr gateway;		/* family 0: none (then dev is set) */
	char dev[RT_DEV_LEN];		/* "" = no device */
	uint16_t weight;		/* 1..RT_WEIGHT_MAX */
};

struct rt_nhgroup {
	uint32_t count;			/* 2..RT_NEXTHOPS_MAX */
	uint32_t total_weight;		/* sum of the weights */
	struct rt_nhgroup *pool_next;	/* the pool's own */
	uint32_t pool_hash;		/* the pool's own */
	struct rt_nexthop hop[];	/* canonical order (rt_nhgroup_hop_cmp), no duplicates */
};

/*
 * The canonical order of next hops: gateway family, gateway bytes, device
 * name. Weight is not part of a next hop's identity: two next hops that
 * differ only in weight are duplicates.
 */
int rt_nhgroup_hop_cmp(const struct rt_nexthop *a, const struct rt_nexthop *b);

/*
 * The interned group of hop[0..n): n in 2..RT_NEXTHOPS_MAX, already valid
 * and in canonical order (rt_route_set_nexthops() sees to both; bytes past
 * an IPv4 gateway and after a name's NUL are ignored). NULL with errno
 * EINVAL (bad count or order) or ENOMEM.
 */
const struct rt_nhgroup *rt_nhgroup_intern(const struct rt_nexthop *hop, size_t n);

/* Distinct groups interned so far (they are never freed). */
size_t rt_nhgroup_pool_size(void);

/*
 * The multipath hash of an address (docs/lookup-protocol.md spells it out
 * for clients): FNV-1a (32 bits) over the address's 4 or 16 bytes in
 * network order, then MurmurHash3's 32-bit finalizer. Stateless: the same
 * address always hashes the same.
 */
static inline uint32_t rt_nhgroup_hash_bytes(const uint8_t *bytes, unsigned len)
{
	uint32_t h = 2166136261u;

	for (unsigned i = 0; i < len; i++)
		h = (h ^ bytes[i]) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The same for an IPv4 address in host byte order. */
static inline uint32_t rt_nhgroup_hash_v4(uint32_t host_order)
{
	const uint8_t b[4] = { (uint8_t)(host_order >> 24), (uint8_t)(host_order >> 16),
			       (uint8_t)(host_order >> 8), (uint8_t)host_order };

	return rt_nhgroup_hash_bytes(b, 4);
}

/* The same for an rt_addr (IPv4 or IPv6). */
uint32_t rt_nhgroup_hash(const struct rt_addr *a);

/*
 * The slot of a hash among total weight slots: (hash * total) >> 32, so
 * each slot gets the same share of hashes (within one hash value).
 */
static inline uint32_t rt_nhgroup_slot(uint32_t hash, uint32_t total_weight)
{
	return (uint32_t)(((uint64_t)hash * total_weight) >> 32);
}

/*
 * The next hop chosen for hash: the first one (in canonical order) whose
 * running sum of weights exceeds rt_nhgroup_slot(hash, total_weight).
 * Each next hop is chosen for weight/total_weight of all hashes. Tables
 * answer from a precomputed slot array that gives the same choice.
 */
unsigned rt_nhgroup_pick(const struct rt_nhgroup *g, uint32_t hash);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RIB of one address family: a path-compressed binary trie of prefixes,
 * each holding its routes ordered best first. Writer-side only: every
 * function requires the table's writer lock, and readers never touch RIB
 * nodes (they reach routes through the FIB's id table). Routes, however,
 * are read by lookups once published, so they are retired, not freed.
 *
 * Invariants: a node without routes has two children (a glue node) or is
 * parked (at most rib_park_limit() nodes, see struct rib); child
 * b of node n extends n's prefix with bit b; a node's key has no bits set
 * past its length. Pre-order (node, child 0, child 1) is prefix order.
 */
#ifndef ROUTED_RIB_H
#define ROUTED_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/route.h>

#include "key.h"

struct nexthop;
struct wlock;

/* A stored route. Immutable once reachable from the FIB, except next. */
struct rib_route {
	struct rib_route *next;		/* writer only: the prefix's list, best first */
	struct nexthop *nh;
	struct rt_prefix prefix;
	uint32_t table;
	uint32_t metric;
	uint32_t tag;
	uint8_t proto;			/* interned protocol id */
	uint8_t has_tag;
	uint8_t type;			/* enum rt_route_type */
};

struct rib_node {
	struct rib_node *child[2];
	struct rib_node *parent;
	/*
	 * The id of the nearest ancestor that has one, 0 if none: the cover
	 * rib_locus_from() returns without climbing to it. Kept by
	 * rib_insert() and rib_set_id() (in the key's alignment padding).
	 */
	uint32_t cover;
	rt_key key;
	uint8_t len;
	uint8_t indexed;		/* in the RIB's index (in len's padding) */
	uint8_t parked;			/* in the RIB's parked ring */
	uint32_t id;			/* FIB route id of the prefix, 0 if no routes */
	struct rib_route *routes;	/* best first; NULL for a glue node */
};

/*
 * How many nodes a delete left without routes stay a while (struct rib):
 * one per RIB_PARK_SHARE prefixes, at least RIB_PARKED_MIN, at most
 * RIB_PARKED_MAX (a ring of 512 KiB holding 4 MiB of nodes).
 */
#define RIB_PARKED_MIN 64
#define RIB_PARKED_MAX 65536
#define RIB_PARK_SHARE 64

struct rib {
	const struct wlock *lock;
	struct rib_node *root;
	int family;
	unsigned bits;
	uint64_t prefixes;		/* nodes with routes */
	uint64_t routes;
	uint64_t nodes;
	/*
	 * The nodes rib_insert() returned (those that got routes; glue
	 * nodes only if they had routes once) by (key, len): an
	 * open-addressing hash (linear probing, backward-shift deletion) of
	 * index_mask + 1 slots, at most 3/4 full, none while the RIB is
	 * empty. An exact find is one probe instead of a walk of the trie's
	 * depth in cache misses.
	 */
	uint64_t *index;		/* node pointer | 16-bit hash tag << 48 (rib.c) */
	size_t index_mask;
	uint64_t indexed;
	/*
	 * The node rib_insert() returned last, or NULL once nodes were
	 * freed since: the next insert starts below its nearest ancestor
	 * that covers the new prefix (rib.c).
	 */
	struct rib_node *finger;
	/*
	 * The last rib_park_limit() nodes a delete left without routes,
	 * kept in the trie and the index instead of pruned at once
	 * (rib_park()): a prefix added again after its delete (a flap, a
	 * change made as a delete and an add, a withdrawal undone a few
	 * thousand changes later) finds its node by one index probe instead
	 * of a walk from the root, and its delete had no parents to unlink.
	 * A FIFO ring of parked_cap slots (a power of two, allocated with
	 * the first parked node, freed with the last route), the oldest at
	 * parked_head: it is pruned when the ring holds the limit. A node
	 * that got routes again keeps its slot (and its mark) until then.
	 */
	struct rib_node **parked;
	unsigned parked_cap;
	unsigned parked_head;
	unsigned parked_count;
};

void rib_init(struct rib *rib, int family, const struct wlock *lock);
/*
 * Free every node, and every route through free_route (routes may still be
 * visible to readers: the caller decides how to defer).
 */
void rib_fini(struct rib *rib, void (*free_route)(void *arg, struct rib_route *r), void *arg);

/* The node of exactly (key, len), or NULL: one hash probe. */
struct rib_node *rib_find(const struct rib *rib, rt_key key, unsigned len);
/*
 * Start loading the index line an exact find of (key, len) reads first:
 * a hint, so that a batch of finds waits for its cache misses together.
 */
void rib_prefetch(const struct rib *rib, rt_key key, unsigned len);
/* Find or create the node of (key, len). NULL on ENOMEM. */
struct rib_node *rib_insert(struct rib *rib, rt_key key, unsigned len);
/*
 * Room in the index for more nodes ahead of their inserts, so that a
 * batch that adds many rehashes once instead of at every doubling while
 * it fills. A hint: 0, or -ENOMEM and the inserts grow the index as
 * they need.
 */
int rib_reserve(struct rib *rib, size_t more);
/* Remove n if it has no routes and is not needed as a glue node (and not parked). */
void rib_prune(struct rib *rib, struct rib_node *n);
/*
 * After a delete: n, if it has no routes, is parked (struct rib) instead
 * of pruned, and the oldest parked nodes are pruned while the ring holds
 * rib_park_limit() or more. Never fails: without memory for a larger
 * ring, the oldest makes room (or n is pruned at once).
 */
void rib_park(struct rib *rib, struct rib_node *n);
/* How many nodes may stay parked: a share of the prefixes (RIB_PARK_SHARE). */
static inline unsigned rib_park_limit(const struct rib *rib)
{
	uint64_t share = rib->prefixes / RIB_PARK_SHARE;

	if (share < RIB_PARKED_MIN)
		return RIB_PARKED_MIN;
	return share > RIB_PARKED_MAX ? RIB_PARKED_MAX : (unsigned)share;
}
/*
 * Give node n FIB route id id (0: none) and the nodes below it the cover
 * that follows: a walk of n's subtree down to the nodes with ids of
 * their own, none for a node without children.
 */
void rib_set_id(struct rib *rib, struct rib_node *n, uint32_t id);

/*
 * For the FIB builder: the first node at or below (key, depth) — the root
 * of every prefix within it — or NULL; and in *cover the id of the longest
 * prefix strictly shorter than depth that covers key (0 if none).
 */
const struct rib_node *rib_locus(const struct rib *rib, rt_key key, unsigned depth, uint32_t *cover);
/*
 * The same answer as rib_locus() for (n's key, depth), found by climbing
 * from node n (depth <= n->len) instead of walking from the root: the
 * topmost ancestor of n (or n) of length >= depth, and in *cover the id of
 * the nearest ancestor shorter than depth that has one, which that node's
 * cover holds. A node just changed is in the cache; the climb reads only
 * the ancestors of length >= depth and the one above them (none when
 * n->len == depth).
 */
const struct rib_node *rib_locus_from(const struct rib_node *n, unsigned depth, uint32_t *cover);

/*
 * Visit prefixes with routes in prefix order, starting at the first one
 * >= (from_key, from_len) when from is set. fn returns non-zero to stop.
 */
typedef int (*rib_walk_fn)(const struct rib_node *n, void *arg);
int rib_walk(const struct rib *rib, int from, rt_key from_key, unsigned from_len,
	     rib_walk_fn fn, void *arg);

static inline size_t rib_bytes(const struct rib *rib)
{
	return rib->nodes * sizeof(struct rib_node) + rib->routes * sizeof(struct rib_route) +
	       (rib->index ? (rib->index_mask + 1) * sizeof(*rib->index) : 0) +
	       rib->parked_cap * sizeof(*rib->parked);
}

#endif

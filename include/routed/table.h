/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A routing table: the RIB (every route, authoritative, writer side) and the
 * FIB (the best route of every prefix, a compressed multibit trie read under
 * urcu-memb). See docs/design.md.
 *
 * Threads:
 * - Writers: any thread; all mutators take the table's writer lock, so
 *   writes to one table are serialized. Mutators, and the calls that read
 *   under the writer lock (get, walk, stats), must not be called inside an
 *   RCU read-side section: the lock is held across grace periods. They
 *   abort if they are.
 * - Readers: the lookup calls. The calling thread must be a registered
 *   urcu-memb reader (rt_reader_register()). Each call is one read-side
 *   section; lookups take no lock and do no atomic read-modify-write.
 *
 * Atomicity: a lookup concurrent with a change sees every prefix either
 * before or after that change, never a torn entry. rt_table_apply() and
 * rt_table_replace_all() are all-or-nothing with respect to their result;
 * rt_table_replace_all() is also atomic for readers (one pointer swap).
 *
 * Errors: int returns are 0 or -errno; pointer returns are NULL with errno.
 */
#ifndef ROUTED_TABLE_H
#define ROUTED_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/prefix.h>
#include <routed/rcu.h>	/* readers register there */
#include <routed/route.h>

struct rt_table;

struct rt_table *rt_table_create(uint32_t id);
/*
 * Destroy a table. The caller guarantees that no reader can reach it any
 * more and that no reader is still inside a lookup on it (e.g. unpublish,
 * then synchronize_rcu). Waits for pending reclamation. Accepts NULL.
 */
void rt_table_destroy(struct rt_table *t);
uint32_t rt_table_id(const struct rt_table *t);

/*
 * Routes and keys passed in are checked and stored canonically: a prefix with
 * host bits set or a length beyond its family is -EINVAL (for add, replace,
 * delete and get alike); bytes past an IPv4 address or after a name's NUL
 * are ignored.
 */

/* Add a route; -EEXIST if its prefix already has a route with the same (proto, metric). */
int rt_table_add(struct rt_table *t, const struct rt_route *r);
/* Add, or replace the route with the same (prefix, proto, metric). */
int rt_table_replace(struct rt_table *t, const struct rt_route *r);

/* Which routes a delete removes: proto "" = any, metric only if match_metric. */
struct rt_route_key {
	struct rt_prefix prefix;
	char proto[RT_PROTO_LEN];
	bool match_metric;
	uint32_t metric;
};
/* Delete the most preferred route matching key; -ENOENT if none. */
int rt_table_delete(struct rt_table *t, const struct rt_route_key *key);
/*
 * Delete every route of protocol proto ("" or NULL = all, done as one swap
 * to an empty table); returns how many, or -errno. All routes: on error
 * nothing changed. One protocol: routes are deleted one by one and the
 * first failure (-ENOMEM) stops the flush; the routes deleted before it
 * stay deleted, the others stay, and a second call deletes the rest.
 */
long rt_table_flush(struct rt_table *t, const char *proto);

enum rt_change_op { RT_CHANGE_ADD, RT_CHANGE_DELETE, RT_CHANGE_REPLACE };
struct rt_change {
	enum rt_change_op op;
	struct rt_route route;	/* DELETE matches prefix + proto + metric exactly */
};
/*
 * Apply changes in order. On the first failure every change already applied
 * is undone, *failed (if not NULL) gets its index and its error is returned.
 * This holds when memory runs out too: undoing waits for the memory the
 * changes retired to come back (grace periods) and retries. Readers may see
 * the changes one by one while they are applied.
 */
int rt_table_apply(struct rt_table *t, const struct rt_change *changes, size_t n, size_t *failed);

/*
 * Replace the whole contents with routes[0..n): built privately, then
 * published with one pointer swap. Routes must all name this table; a
 * duplicate (prefix, proto, metric) is -EEXIST at *failed; nothing changes
 * on error.
 */
int rt_table_replace_all(struct rt_table *t, const struct rt_route *routes, size_t n, size_t *failed);

/*
 * Exact gets of the keys (prefix, proto, metric; their table is taken to
 * be t, not compared) of keys[0..n), one
 * hold of the writer lock for all of them: out[i] gets the stored route
 * with keys[i]'s prefix, proto and metric and found[i] is set, or found[i]
 * is cleared. Their index probes start together, so a run waits for its
 * cache misses at once rather than one after the other. A prefix is not
 * canonicalized: one with host bits set or a length beyond its family is
 * -EINVAL (nothing found), as for rt_table_get(); bytes past an IPv4
 * address are ignored. Returns 0 or -EINVAL. For the diff of a load
 * (routed/table_diff.h): routes come in key order, so runs share lines.
 */
int rt_table_get_keys(struct rt_table *t, const struct rt_route *const *keys, size_t n,
		      struct rt_route *out, bool *found);

/* Exact get: the routes of prefix p, best first. Returns the count (up to max stored). */
long rt_table_get(struct rt_table *t, const struct rt_prefix *p, struct rt_route *out, size_t max);

struct rt_lookup_result {
	bool found;
	struct rt_route route;	/* the selected route; route.prefix is the match */
	/*
	 * A multipath route: the next hop chosen for the address,
	 * route.nexthops->hop[chosen], the one the UDP answer carries.
	 */
	unsigned chosen;
};

/*
 * Longest-prefix match of n addresses (mixed families allowed) in one
 * read-side section. Results in out[0..n).
 */
void rt_table_lookup(const struct rt_table *t, const struct rt_addr *addrs, size_t n,
		     struct rt_lookup_result *out);
bool rt_table_lookup_one(const struct rt_table *t, const struct rt_addr *addr,
			 struct rt_lookup_result *out);

/*
 * The raw lookup path: addresses in, route ids out (0 = no route). IPv4
 * addresses in host byte order; IPv6 as 16 bytes each. An id names the
 * selected route of one prefix until that prefix is deleted; the benches
 * measure these. One read-side section per call.
 */
#define RT_NO_ROUTE 0u
void rt_table_lookup_ids4(const struct rt_table *t, const uint32_t *addrs, size_t n, uint32_t *ids);
void rt_table_lookup_ids6(const struct rt_table *t, const uint8_t (*addrs)[16], size_t n, uint32_t *ids);

/*
 * What the UDP lookup service answers for one address: the matched prefix
 * length, gateway and tag of the selected route, without the copying of
 * rt_table_lookup(). Same threading as the id lookups. A miss is all zero.
 * For a multipath route the gateway is that of the next hop chosen for the
 * address (rt_nhgroup_pick() of rt_nhgroup_hash() of it), the same one
 * rt_table_lookup() names in chosen.
 */
struct rt_answer {
	bool found;
	uint8_t len;			/* matched prefix length */
	bool has_gateway;
	bool has_tag;
	bool reject;			/* the route is of a rejecting type (never has a gateway) */
	bool multipath;			/* gateway is the next hop chosen for this address */
	uint32_t tag;
	uint8_t gateway[16];		/* network byte order; IPv4 in [0..3] */
};
void rt_table_answer4(const struct rt_table *t, const uint32_t *addrs, size_t n,
		      uint32_t *ids, struct rt_answer *out);
void rt_table_answer6(const struct rt_table *t, const uint8_t (*addrs)[16], size_t n,
		      uint32_t *ids, struct rt_answer *out);
/*
 * The same answers written in place, as the UDP service sends them: slots
 * points at the first of n slots of a lookup datagram of the family
 * (routed/lookup_wire.h); each slot's address is read and its answer
 * fields (flags, prefix length, reserved, tag, gateway) are overwritten
 * with exactly what rt_wire_set_answer(), rt_wire_set_reject() and
 * rt_wire_set_multipath() write for rt_table_answer4/6()'s answer. The
 * header is not touched. Same threading as the id lookups.
 */
void rt_table_answer_wire4(const struct rt_table *t, void *slots, size_t n);
void rt_table_answer_wire6(const struct rt_table *t, void *slots, size_t n);

/*
 * The same answers in two passes, for a server that answers several
 * datagrams in one read-side section of its own: walk each datagram, then
 * fill the one before, so that a datagram's answer words load while the
 * next one walks the trie. The walk looks the slots' addresses up and
 * leaves each route id in its slot's answer fields; the fill replaces them
 * with the answers rt_table_answer_wire4/6() would write. The caller holds
 * urcu_memb_read_lock() from rt_table_view_rcu() until the fill (the view
 * and the ids mean nothing outside that section), walks and fills a
 * datagram with the same view, and changes none of its slots in between.
 */
struct rt_table_view;
const struct rt_table_view *rt_table_view_rcu(const struct rt_table *t);
void rt_table_view_wire_walk4(const struct rt_table_view *v, void *slots, size_t n);
void rt_table_view_wire_walk6(const struct rt_table_view *v, void *slots, size_t n);
void rt_table_view_wire_fill4(const struct rt_table_view *v, void *slots, size_t n);
void rt_table_view_wire_fill6(const struct rt_table_view *v, void *slots, size_t n);

/*
 * Walk routes in prefix order (IPv4 first), best route of each prefix first.
 * family: 0, AF_INET or AF_INET6. from: start at the first prefix >= from
 * (NULL: the beginning). The callback returns 0 to continue, anything else
 * stops the walk and is returned. Holds the writer lock: the callback must
 * not modify the table.
 */
typedef int (*rt_walk_fn)(const struct rt_route *r, void *arg);
int rt_table_walk(struct rt_table *t, int family, const struct rt_prefix *from,
		  rt_walk_fn fn, void *arg);

struct rt_family_stats {
	uint64_t prefixes;		/* prefixes with at least one route */
	uint64_t routes;
	uint64_t rib_bytes;		/* RIB nodes and routes */
	uint64_t fib_bytes;		/* trie nodes, leaves and direct table */
	uint64_t fib_reserved_bytes;	/* what the FIB holds: fib_bytes and free blocks kept */
	uint64_t fib_nodes;
};

struct rt_table_stats {
	struct rt_family_stats v4, v6;
	uint64_t nexthops;		/* distinct shared next-hop objects */
	uint64_t nexthop_bytes;
	uint64_t entry_bytes;		/* route-id table shared by both families */
	uint64_t total_bytes;		/* everything the table holds */
	uint64_t reclaim_pending_bytes;	/* retired, waiting for a grace period */
	uint64_t reclaim_pending_batches;
	uint64_t reclaim_batches;	/* call_rcu batches queued so far */
	uint64_t reclaim_sync_fallbacks;	/* backlog too large: waited inline */
	uint64_t reclaim_nomem_fallbacks;	/* no memory to defer a retire: waited inline */
	uint64_t generation;		/* bumped by every change readers can see */
};
void rt_table_stats(struct rt_table *t, struct rt_table_stats *st);

/* Bumped by every change lookups can observe; readable from any thread. */
uint64_t rt_table_generation(const struct rt_table *t);

/*
 * Memory retired by writes is queued for reclamation in batches: a batch
 * goes to call_rcu once it holds RECLAIM_BATCH_ITEMS objects or is 2 ms
 * old, checked at the end of each write. After a burst of writes, call this
 * (e.g. from an idle timer) to queue what is left without waiting.
 */
void rt_table_reclaim_flush(struct rt_table *t);

/*
 * Wait until everything retired so far is reclaimed (rcu_barrier), then
 * recycle route ids. Not inside a read-side section. For tests, teardown
 * and memory accounting.
 */
void rt_table_quiesce(struct rt_table *t);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FIB of one address family: a Poptrie-style compressed multibit trie
 * (H. Asai and Y. Ohara, "Poptrie: A Compressed Trie with Population Count
 * for Fast and Scalable Software IP Routing Table Lookup", SIGCOMM 2015),
 * re-derived from the paper and adapted to RCU.
 *
 * - A direct table indexes the first 18 (IPv4) or 22 (IPv6) bits of the
 *   address. A slot holds either a leaf (id << 1) or the address of the
 *   root node of the subtree below it | FIB_SLOT_NODE. An empty slot is 0,
 *   leaf 0 (no route), so the table's pages are zero pages until a route
 *   reaches them: an empty or sparse table does not pay for its slots.
 * - A node consumes 6 more bits (a chunk c in 0..63). Bit c of vector says
 *   whether chunk c continues in a child node; children are stored
 *   contiguously, child rank = popcount(vector & ((2 << c) - 1)) - 1.
 *   Leaves are leaf-pushed (every chunk knows its answer, no backtracking)
 *   and run-length compressed: bit c of leafvec marks where a run of equal
 *   leaves starts, leaf rank = popcount(leafvec & ((2 << c) - 1)) - 1.
 * - A leaf is a route id (route_ids.h), 0 for no route.
 * - IPv4 only: a slot whose subtree is one node without children (a /18
 *   holding only prefixes of /19../24, most of a real table) points
 *   instead at its 64 chunks' leaves in a leaf table: a line of leafvec
 *   and up to 14 leaves, or all 64 leaves in chunk order when the runs are
 *   more. A lookup there reads the slot and one line of leaves, two
 *   dependent reads instead of three (slot, node, leaf). Built only with
 *   ROUTED_FIB_LEAF_TABLES=1 (fib.c, leaf_tables_wanted()).
 * - A node without children and with at most four runs has no block: its
 *   leaves are in the node, where the pointers would be.
 *
 * RCU: a node's children and leaves live in one block, written before it
 * is published; after that only a leaf word may change (below). A leaf
 * table is written whole before it is published; after that only its
 * leaf words may change, as a node's (fib_table.c).
 * An update rebuilds the changed chunk range of the deepest affected node
 * and copies the path above it (path copying), then publishes the new
 * subtree with one pointer store into the direct table; shorter prefixes
 * store into each direct slot they cover. Replaced blocks are retired to
 * call_rcu. Readers therefore see a slot's old subtree or its new one,
 * never a mix. An update that changes only the ids of whole leaf runs of
 * one node (vector and leafvec stay) stores the new ids into those leaf
 * words in place, in the node's block or in the node itself
 * (fib_node_leaves()): one aligned 32-bit store each, so a lookup reads
 * the old id or the new one.
 *
 * Writers need the table's writer lock and read the RIB to rebuild.
 */
#ifndef ROUTED_FIB_H
#define ROUTED_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "fib_avx512.h"
#include "key.h"
#include "lookup_path.h"

struct arena;
struct fib_dir_pages;
struct rib;
struct rib_node;
struct reclaim;
struct wlock;

/*
 * Direct-table width per family. IPv4: 18 bits, so the first node level
 * (bits 18..23) holds every /19../24 and most lookups end in one node,
 * or in the slot's leaf table when that node has no children.
 * IPv6: 16 bits, so strides start at 16 + 6k and never straddle the
 * 64-bit halves (22 works too: 22 + 7 * 6 = 64). 22 bits were measured:
 * a matched lookup of a real table reads one node fewer, as behind the
 * 24-bit first level of DPDK's rte_fib6 and the wide first level of SAIL
 * (T. Yang et al., "Guarantee IP Lookup Performance with FIB Explosion",
 * SIGCOMM 2014), but the 4 MiB of slots under 2000::/3 leave the L2 that
 * the 512 KiB of 16 bits stay in: uniform lookups lost a third and matched
 * ones gained nothing measurable (docs/performance.md, the IPv6 direct
 * table). Builds, updates and teardown pass over what the table holds,
 * not over its slots (fib_dir.h), so the width is a measured choice only.
 */
#define FIB4_DIR_BITS 18
#define FIB6_DIR_BITS 16
#define FIB_STRIDE 6

/*
 * The leaves follow the children in one block, always:
 * leaves == (const uint32_t *)(children + popcount(vector)), unless the
 * node holds them (fib_node_is_inline()). The AVX-512 walk (fib_avx512.c)
 * relies on it and never reads the leaves pointer.
 */
struct fib_node {
	uint64_t vector;		/* chunks that continue in a child node */
	uint64_t leafvec;		/* chunks where a run of equal leaves starts */
	union {
		struct {
			struct fib_node *children;	/* start of the block: children, then leaves */
			const uint32_t *leaves;
		};
		uint32_t inline_leaves[4];	/* fib_node_is_inline(): no block */
	};
};

/*
 * A node without children and with at most four runs holds its leaves in
 * itself, where the pointers would be: the leaf is in the line the node
 * was read from, one dependent read fewer for every lookup ending there.
 * Which nodes do is a function of vector and leafvec, which every walk has
 * loaded by then.
 */
#define FIB_INLINE_LEAVES 4

static inline __attribute__((always_inline)) bool fib_node_is_inline(const struct fib_node *n)
{
	return !n->vector && __builtin_popcountll(n->leafvec) <= FIB_INLINE_LEAVES;
}

static inline __attribute__((always_inline)) const uint32_t *fib_node_leaves(const struct fib_node *n)
{
	return fib_node_is_inline(n) ? n->inline_leaves : n->leaves;
}

/*
 * The leaf tables of IPv4 slots (see the top). A line is one cache line
 * (its arena hands out multiples of 64 bytes only, so every block starts
 * at a line); leaf rank as in a node, over leafvec. A flat table holds the
 * leaf of every chunk at its index: no rank to count, so no read of a
 * leafvec ahead of the leaf's.
 */
#define FIB_LINE_LEAVES 14
#define FIB_FLAT_LEAVES 64

struct fib_line {
	uint64_t leafvec;
	uint32_t leaves[FIB_LINE_LEAVES];
};

struct fib_trie {
	const struct wlock *lock;
	struct arena *arena;		/* node blocks (arena.h) */
	struct arena *tables;		/* IPv4 leaf tables (lines, flat), NULL for IPv6 */
	unsigned bits;			/* 32 or 128 */
	unsigned dir_bits;
	uint64_t nodes;			/* writer-side statistics */
	uint64_t bytes;			/* nodes, leaves and the direct table's used pages */
	struct fib_dir_pages *pages;	/* writer side: what each page of slots holds (fib_dir.c) */
	uintptr_t dir[];		/* 1 << dir_bits slots, read by lookups */
};

struct fib_trie *fib_trie_create(unsigned bits, const struct wlock *lock);
/* Free at once: no reader may reach the trie any more. Accepts NULL. */
void fib_trie_destroy(struct fib_trie *t);

/*
 * Memory the trie holds: its header page, the pages of its direct table
 * that hold a slot other than 0 and their counts (fib_dir.h), and the
 * blocks its arena has carved (free ones kept for reuse included). At
 * least t->bytes.
 */
uint64_t fib_trie_reserved(struct fib_trie *t);

/* Build the whole trie from rib (the trie must be empty). 0 or -ENOMEM. */
int fib_trie_build(struct fib_trie *t, const struct rib *rib, struct reclaim *rc);

/*
 * The same build, done while the RIB is filled: each prefix is handed to
 * fib_sweep_add() as it gets its id, and every direct slot is built as
 * soon as the prefixes after it show that nothing more can land in it,
 * reading RIB nodes still in the cache instead of walking a cold RIB of a
 * million nodes afterwards. Prefixes must come in prefix order (by key,
 * then length, as route files and walks list them) for that; the first
 * one out of order frees what was built and fib_sweep_finish() builds the
 * whole trie with fib_trie_build() instead. The trie must be empty and
 * unpublished until the finish; the writer lock is held throughout.
 * begin: NULL on ENOMEM. add and finish: 0 or -ENOMEM; finish (and
 * abort, for a build given up; NULL accepted) free the sweep, never the
 * trie's slots.
 */
struct fib_sweep;
struct fib_sweep *fib_sweep_begin(struct fib_trie *t, const struct rib *rib, struct reclaim *rc);
int fib_sweep_add(struct fib_sweep *sw, const struct rib_node *n);
int fib_sweep_finish(struct fib_sweep *sw);
void fib_sweep_abort(struct fib_sweep *sw);

/*
 * The set of ids of prefix (key, len) changed in rib (a prefix appeared or
 * disappeared): bring the trie in line. On -ENOMEM nothing was published.
 */
int fib_trie_update(struct fib_trie *t, const struct rib *rib, struct reclaim *rc,
		    rt_key key, unsigned len);
/*
 * The same for the prefix of node, a node of rib (with or without routes
 * now): the RIB part of the repaint is found by climbing from node rather
 * than by a walk from the root, and a change that only moves leaf values
 * inside one node is stored in place (fib.c, repaint_in_place).
 */
int fib_trie_update_node(struct fib_trie *t, const struct rib *rib, struct reclaim *rc,
			 const struct rib_node *node);

/*
 * The reader side is always inlined into its callers: table.c builds the
 * lookup entry points twice (plain and with POPCNT, see configure.ac), and
 * an out-of-line copy would be compiled once, without the instruction.
 */
#define FIB_READER static inline __attribute__((always_inline))

/*
 * A slot's low bits: 0 in bit 0 is a leaf (id << 1); else the rest is an
 * address: ..001 a root node, ..011 a leaf line, ..111 a flat leaf table
 * (nodes are 16-byte aligned, tables 64-byte aligned).
 */
#define FIB_SLOT_NODE ((uintptr_t)1)
#define FIB_SLOT_TABLE ((uintptr_t)2)
#define FIB_SLOT_FLAT ((uintptr_t)4)
#define FIB_SLOT_TAGS ((uintptr_t)7)

FIB_READER bool fib_slot_is_node(uintptr_t slot)
{
	return (slot & (FIB_SLOT_NODE | FIB_SLOT_TABLE)) == FIB_SLOT_NODE;
}

/* A slot's root node (fib_slot_is_node()). */
FIB_READER const struct fib_node *fib_slot_node(uintptr_t slot)
{
	return (const struct fib_node *)(slot - FIB_SLOT_NODE);
}

/*
 * Where the leaf of chunk c is in the leaf table of a slot (FIB_SLOT_NODE
 * and FIB_SLOT_TABLE set). A line's leafvec is in the same cache line as
 * its leaves: the leaf's load waits on no other miss.
 */
FIB_READER const uint32_t *fib_slot_leaf(uintptr_t slot, unsigned c)
{
	const void *table = (const void *)(slot & ~FIB_SLOT_TAGS);
	const struct fib_line *line = table;

	if (slot & FIB_SLOT_FLAT)
		return (const uint32_t *)table + c;
	return &line->leaves[__builtin_popcountll(line->leafvec & ((2ULL << c) - 1)) - 1];
}

FIB_READER unsigned fib_rank(uint64_t vec, unsigned c)
{
	return (unsigned)__builtin_popcountll(vec & ((2ULL << c) - 1)) - 1;
}

/* The leaf of a chunk inside node n, or the child to continue in. */
FIB_READER uint32_t fib_node_leaf(const struct fib_node *n, unsigned c)
{
	return fib_node_leaves(n)[fib_rank(n->leafvec, c)];
}

/*
 * Reader side. Inside a read-side section. The slot load pairs with the
 * rcu_assign_pointer() that published the subtree; everything below it is
 * reached through that pointer (address dependency) and is immutable but
 * for leaf words, which an update may store whole in place (see the top):
 * a lookup loads one once and gets the old id or the new one.
 */
FIB_READER uint32_t fib_lookup4(const struct fib_trie *t, uint32_t addr)
{
	uintptr_t s = rcu_dereference(t->dir[addr >> (32 - FIB4_DIR_BITS)]);
	const struct fib_node *n;
	unsigned shift = FIB4_DIR_BITS;

	if (!(s & FIB_SLOT_NODE))
		return (uint32_t)(s >> 1);
	if (s & FIB_SLOT_TABLE)
		return *fib_slot_leaf(s, (uint32_t)(addr << shift) >> 26);
	n = fib_slot_node(s);
	for (;;) {
		unsigned c = (uint32_t)(addr << shift) >> 26;

		if (!(n->vector & (1ULL << c)))
			return fib_node_leaf(n, c);
		n = &n->children[fib_rank(n->vector, c)];
		shift += FIB_STRIDE;
	}
}

/*
 * Batch of IPv4 lookups with the memory accesses of different addresses
 * overlapped: each pass issues one level's loads for the whole group (as
 * prefetches) before any lookup needs them, so the cache misses of a group
 * are waited for together rather than one after another (see
 * fib_lookup6_batch_scalar() for the walk).
 */
#define FIB_BATCH_GROUP 16

FIB_READER void fib_lookup4_batch_scalar(const struct fib_trie *t, const uint32_t *addrs,
					    size_t n, uint32_t *out)
{
	for (size_t base = 0; base < n; base += FIB_BATCH_GROUP) {
		size_t m = n - base < FIB_BATCH_GROUP ? n - base : FIB_BATCH_GROUP;
		const uint32_t *a = addrs + base;
		const struct fib_node *node[FIB_BATCH_GROUP];
		const uint32_t *leaf[FIB_BATCH_GROUP];
		uintptr_t line[FIB_BATCH_GROUP];
		uint8_t walking[FIB_BATCH_GROUP];	/* the group's unfinished lookups */
		uint8_t lined[FIB_BATCH_GROUP];		/* those ending in a leaf line */
		unsigned shift = FIB4_DIR_BITS, active = 0, nlines = 0;

		for (size_t i = 0; i < m; i++)
			__builtin_prefetch(&t->dir[a[i] >> (32 - FIB4_DIR_BITS)]);
		for (size_t i = 0; i < m; i++) {
			uintptr_t s = rcu_dereference(t->dir[a[i] >> (32 - FIB4_DIR_BITS)]);

			leaf[i] = NULL;
			if (!(s & FIB_SLOT_NODE)) {
				out[base + i] = (uint32_t)(s >> 1);
				continue;
			}
			if (s & FIB_SLOT_FLAT) {
				leaf[i] = fib_slot_leaf(s, (uint32_t)(a[i] << shift) >> 26);
				__builtin_prefetch(leaf[i]);
				continue;
			}
			if (s & FIB_SLOT_TABLE) {
				/* Its leafvec is read once the group's lines are on their way. */
				line[i] = s;
				__builtin_prefetch((const void *)(s & ~FIB_SLOT_TAGS));
				lined[nlines++] = (uint8_t)i;
				continue;
			}
			node[i] = fib_slot_node(s);
			__builtin_prefetch(node[i]);
			walking[active++] = (uint8_t)i;
		}
		for (unsigned k = 0; k < nlines; k++) {
			unsigned i = lined[k];

			leaf[i] = fib_slot_leaf(line[i], (uint32_t)(a[i] << shift) >> 26);
			__builtin_prefetch(leaf[i]);
		}
		for (; active; shift += FIB_STRIDE) {
			unsigned still = 0;

			for (unsigned k = 0; k < active; k++) {
				unsigned i = walking[k];
				const struct fib_node *nd = node[i];
				unsigned c = (uint32_t)(a[i] << shift) >> 26;

				if (nd->vector & (1ULL << c)) {
					node[i] = &nd->children[fib_rank(nd->vector, c)];
					__builtin_prefetch(node[i]);
					walking[still++] = (uint8_t)i;
				} else {
					leaf[i] = &fib_node_leaves(nd)[fib_rank(nd->leafvec, c)];
					__builtin_prefetch(leaf[i]);
				}
			}
			active = still;
		}
		for (size_t i = 0; i < m; i++)
			if (leaf[i])
				out[base + i] = *leaf[i];
	}
}

/* An IPv6 address (network byte order) as two host-order 64-bit halves. */
FIB_READER uint64_t fib6_half(const uint8_t *a)
{
	uint64_t v;

	memcpy(&v, a, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

FIB_READER uint32_t fib_lookup6(const struct fib_trie *t, const uint8_t *a)
{
	uint64_t hi = fib6_half(a), lo = fib6_half(a + 8);
	uintptr_t s;
	const struct fib_node *n;
	unsigned depth = FIB6_DIR_BITS;

	/* IPv6 slots hold leaves and nodes only, never leaf tables. */
	s = rcu_dereference(t->dir[hi >> (64 - FIB6_DIR_BITS)]);
	if (!(s & FIB_SLOT_NODE))
		return (uint32_t)(s >> 1);
	n = fib_slot_node(s);
	for (;;) {
		/* Strides start at 16 + 6k: a chunk never straddles the two halves. */
		uint64_t w = depth < 64 ? hi << depth : lo << (depth - 64);
		unsigned c = (unsigned)(w >> 58);

		if (!(n->vector & (1ULL << c)))
			return fib_node_leaf(n, c);
		n = &n->children[fib_rank(n->vector, c)];
		depth += FIB_STRIDE;
	}
}

FIB_READER unsigned fib6_slot(const uint8_t *a)
{
	return (unsigned)(fib6_half(a) >> (64 - FIB6_DIR_BITS));
}

/*
 * IPv6 batch, walked level by level: an IPv6 lookup crosses up to a dozen
 * nodes (six for a /48), each a dependent cache miss. Each pass advances
 * every unfinished lookup of the group by one node and prefetches the
 * next (or its leaf, read once the whole group is done), so the misses of a group overlap at every depth instead of only at
 * the first (the group-prefetching of S. Chen et al., "Improving Hash Join
 * Performance through Prefetching", ICDE 2004, applied to trie levels).
 * The loads are the ones fib_lookup6() makes: the slot with
 * rcu_dereference(), everything below through that pointer.
 */
FIB_READER void fib_lookup6_batch_scalar(const struct fib_trie *t, const uint8_t (*addrs)[16],
					    size_t n, uint32_t *out)
{
	for (size_t base = 0; base < n; base += FIB_BATCH_GROUP) {
		size_t m = n - base < FIB_BATCH_GROUP ? n - base : FIB_BATCH_GROUP;
		const uint8_t(*a)[16] = addrs + base;
		const struct fib_node *node[FIB_BATCH_GROUP];
		const uint32_t *leaf[FIB_BATCH_GROUP];
		uint64_t hi[FIB_BATCH_GROUP], lo[FIB_BATCH_GROUP];
		uint8_t walking[FIB_BATCH_GROUP];	/* the group's unfinished lookups */
		unsigned depth = FIB6_DIR_BITS, active = 0;

		for (size_t i = 0; i < m; i++)
			__builtin_prefetch(&t->dir[fib6_slot(a[i])]);
		for (size_t i = 0; i < m; i++) {
			uintptr_t s = rcu_dereference(t->dir[fib6_slot(a[i])]);

			node[i] = NULL;
			leaf[i] = NULL;
			if (!(s & FIB_SLOT_NODE)) {
				out[base + i] = (uint32_t)(s >> 1);
				continue;
			}
			hi[i] = fib6_half(a[i]);
			lo[i] = fib6_half(a[i] + 8);
			node[i] = fib_slot_node(s);
			__builtin_prefetch(node[i]);
			walking[active++] = (uint8_t)i;
		}
		/* All lookups of a group are at the same depth in each pass. */
		for (; active; depth += FIB_STRIDE) {
			/* Strides start at 16 + 6k: a chunk never straddles the two halves. */
			const uint64_t *half = depth < 64 ? hi : lo;
			unsigned shift = depth & 63, still = 0;

			for (unsigned k = 0; k < active; k++) {
				unsigned i = walking[k];
				const struct fib_node *nd = node[i];
				unsigned c = (unsigned)((half[i] << shift) >> 58);

				if (nd->vector & (1ULL << c)) {
					node[i] = &nd->children[fib_rank(nd->vector, c)];
					__builtin_prefetch(node[i]);
					walking[still++] = (uint8_t)i;
				} else {
					leaf[i] = &fib_node_leaves(nd)[fib_rank(nd->leafvec, c)];
					__builtin_prefetch(leaf[i]);
				}
			}
			active = still;
		}
		for (size_t i = 0; i < m; i++)
			if (leaf[i])
				out[base + i] = *leaf[i];
	}
}

/*
 * The batch lookups the table calls: the walk of the selected lookup path
 * (lookup_path.h). The AVX-512 walk is out of line, compiled for its
 * target (fib_avx512.c); one call covers the whole batch. It takes batches
 * of FIB_AVX512_MIN_BATCH or more: smaller ones (groups of 16) ran no
 * faster on it than on the inlined scalar walk, whose node prefetches
 * overlap the caller's work; the answer path walks groups of this size
 * when the vector walk is selected (docs/performance.md).
 */
#define FIB_AVX512_MIN_BATCH 32

FIB_READER void fib_lookup4_batch(const struct fib_trie *t, const uint32_t *addrs, size_t n,
				     uint32_t *out)
{
#ifdef HAVE_FIB_AVX512
	if (n >= FIB_AVX512_MIN_BATCH && lookup_path_vector_on()) {
		fib_avx512_lookup4_batch(t, addrs, n, out);
		return;
	}
#endif
	fib_lookup4_batch_scalar(t, addrs, n, out);
}

FIB_READER void fib_lookup6_batch(const struct fib_trie *t, const uint8_t (*addrs)[16],
				     size_t n, uint32_t *out)
{
#ifdef HAVE_FIB_AVX512
	if (n >= FIB_AVX512_MIN_BATCH && lookup_path_vector_on()) {
		fib_avx512_lookup6_batch(t, addrs, n, out);
		return;
	}
#endif
	fib_lookup6_batch_scalar(t, addrs, n, out);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 leaf tables (fib_table.h). A table is written whole before the
 * slot that points at it is published (the caller's rcu_assign_pointer(),
 * which the readers' rcu_dereference() of the slot pairs with).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arena.h"
#include "fib_table.h"
#include "reclaim.h"
#include "wlock.h"

#define NODE_CHUNKS (1u << FIB_STRIDE)

size_t fib_table_size(uintptr_t slot)
{
	return slot & FIB_SLOT_FLAT ? FIB_FLAT_LEAVES * sizeof(uint32_t) : sizeof(struct fib_line);
}

/* The run that chunk c is in, of runs starting where leafvec has bits. */
static inline unsigned run_of(uint64_t leafvec, unsigned c)
{
	return (unsigned)__builtin_popcountll(leafvec & ((2ULL << c) - 1)) - 1;
}

/* A line when the runs fit, else every chunk's leaf at its index. */
int fib_table_build(struct fib_trie *t, uint64_t leafvec, const uint32_t *runs, uintptr_t *slot)
{
	unsigned nruns = (unsigned)__builtin_popcountll(leafvec);
	uintptr_t tag =
	    FIB_SLOT_NODE | FIB_SLOT_TABLE | (nruns > FIB_LINE_LEAVES ? FIB_SLOT_FLAT : 0);
	size_t size = fib_table_size(tag);
	void *table = arena_alloc(t->tables, size);

	if (!table)
		return -ENOMEM;
	if (tag & FIB_SLOT_FLAT) {
		uint32_t *flat = table;

		for (unsigned c = 0; c < NODE_CHUNKS; c++)
			flat[c] = runs[run_of(leafvec, c)];
	} else {
		struct fib_line *line = table;

		memset(line, 0, sizeof(*line));
		line->leafvec = leafvec;
		memcpy(line->leaves, runs, nruns * sizeof(uint32_t));
	}
	t->bytes += size;
	*slot = (uintptr_t)table | tag;
	return 0;
}

void fib_table_retire(struct fib_trie *t, struct reclaim *rc, uintptr_t slot)
{
	t->bytes -= fib_table_size(slot);
	reclaim_call(rc, arena_free, (void *)(slot & ~FIB_SLOT_TAGS), fib_table_size(slot));
}

void fib_table_free_now(struct fib_trie *t, uintptr_t slot)
{
	t->bytes -= fib_table_size(slot);
	arena_free((void *)(slot & ~FIB_SLOT_TAGS), fib_table_size(slot));
}

/*
 * A flat table is kept while it has more runs than this, though a line
 * holds up to FIB_LINE_LEAVES: a delete and the add again of a prefix in
 * a table near the bound then stay stores in place instead of turning
 * the table into a line and back.
 */
#define FLAT_KEEP_RUNS 8

/* Where the leaf of chunk c is in a table (as the walks find it). */
static uint32_t *table_leaf(uintptr_t slot, unsigned c)
{
	void *table = (void *)(slot & ~FIB_SLOT_TAGS);
	struct fib_line *line = table;

	if (slot & FIB_SLOT_FLAT)
		return (uint32_t *)table + c;
	return &line->leaves[run_of(line->leafvec, c)];
}

/* Every chunk's leaf of a published table. */
static void table_leaves(uintptr_t slot, uint32_t *leaf)
{
	for (unsigned c = 0; c < NODE_CHUNKS; c++)
		leaf[c] = *table_leaf(slot, c);
}

/* The runs of equal leaves, and in *leafvec where each starts. */
static unsigned count_runs(const uint32_t *leaf, uint64_t *leafvec)
{
	unsigned runs = 1;

	*leafvec = 1;
	for (unsigned c = 1; c < NODE_CHUNKS; c++)
		if (leaf[c] != leaf[c - 1]) {
			*leafvec |= 1ULL << c;
			runs++;
		}
	return runs;
}

/*
 * Can chunks [lo, hi] of a line take leaf[] as stores into its leaf
 * words? Only if leafvec stays right: the range starts and ends on run
 * boundaries, and each old run inside it gets one value.
 */
static bool line_takes_in_place(const struct fib_line *line, unsigned lo, unsigned hi,
				const uint32_t *leaf)
{
	if (!(line->leafvec >> lo & 1) ||
	    (hi < NODE_CHUNKS - 1 && !(line->leafvec >> (hi + 1) & 1)))
		return false;
	for (unsigned c = lo + 1; c <= hi; c++)
		if (!(line->leafvec >> c & 1) && leaf[c - lo] != leaf[c - lo - 1])
			return false;
	return true;
}

/*
 * The stores of an update in place. Each is one aligned 32-bit store of a
 * leaf word that a reader loads whole, so a lookup of a chunk gets its old
 * id or its new one: each was its answer at some moment between the
 * update's start and its end, as with a new table published whole. A
 * line's leafvec is not written (line_takes_in_place), so the rank a
 * reader counts stays right whichever leaves it sees.
 */
static void store_in_place(uintptr_t slot, unsigned lo, unsigned hi, const uint32_t *leaf)
{
	/*
	 * Pairs with the reader's load of the leaf word, an address
	 * dependency on the table it came through (the slot's
	 * rcu_dereference()): the new id's route and answer word
	 * (route_ids_alloc) are stored before a leaf names it. The old id
	 * is recycled a grace period after this store at the earliest
	 * (reclaim_id after the update returns).
	 */
	cmm_smp_wmb();
	for (unsigned c = lo; c <= hi; c++) {
		uint32_t *word = table_leaf(slot, c);

		if (*word != leaf[c - lo])
			CMM_STORE_SHARED(*word, leaf[c - lo]);
	}
}

/* A new, unpublished table of the 64 leaves, in runs starting at leafvec. */
static int table_from_leaves(struct fib_trie *t, const uint32_t *leaf, uint64_t leafvec,
			     uintptr_t *slot)
{
	uint32_t runs[NODE_CHUNKS];
	unsigned n = 0;

	for (unsigned c = 0; c < NODE_CHUNKS; c++)
		if (leafvec >> c & 1)
			runs[n++] = leaf[c];
	return fib_table_build(t, leafvec, runs, slot);
}

/* The leaf of chunk c of a flat table once [lo, hi] holds leaf[]. */
static inline uint32_t flat_leaf_after(const uint32_t *flat, unsigned lo, unsigned hi,
				       const uint32_t *leaf, unsigned c)
{
	return c >= lo && c <= hi ? leaf[c - lo] : flat[c];
}

/* Will a flat table have more than FLAT_KEEP_RUNS runs? Counted until it is sure. */
static bool flat_stays(const uint32_t *flat, unsigned lo, unsigned hi, const uint32_t *leaf)
{
	unsigned runs = 1;
	uint32_t prev = flat_leaf_after(flat, lo, hi, leaf, 0);

	for (unsigned c = 1; c < NODE_CHUNKS && runs <= FLAT_KEEP_RUNS; c++) {
		uint32_t cur = flat_leaf_after(flat, lo, hi, leaf, c);

		runs += cur != prev;
		prev = cur;
	}
	return runs > FLAT_KEEP_RUNS;
}

/*
 * Is more than one id left in a line whose runs in [lo, hi] take leaf[]
 * (line_takes_in_place)? A line of one id is a leaf in the slot instead.
 */
static bool line_keeps_two(const struct fib_line *line, unsigned lo, unsigned hi,
			   const uint32_t *leaf)
{
	unsigned runs = (unsigned)__builtin_popcountll(line->leafvec);
	unsigned first = run_of(line->leafvec, lo), last = run_of(line->leafvec, hi);

	for (unsigned c = lo + 1; c <= hi; c++)
		if (leaf[c - lo] != leaf[0])
			return true;
	for (unsigned r = 0; r < runs; r++)
		if ((r < first || r > last) && line->leaves[r] != leaf[0])
			return true;
	return false;
}

/* Can the update be stored into the published table (see store_in_place)? */
static bool takes_in_place(uintptr_t slot, unsigned lo, unsigned hi, const uint32_t *leaf)
{
	const void *table = (const void *)(slot & ~FIB_SLOT_TAGS);

	if (slot & FIB_SLOT_FLAT)
		return flat_stays(table, lo, hi, leaf);
	return line_takes_in_place(table, lo, hi, leaf) && line_keeps_two(table, lo, hi, leaf);
}

int fib_table_repaint(struct fib_trie *t, uintptr_t old, unsigned lo, unsigned hi,
		      const uint32_t *leaf, uintptr_t *repl)
{
	uint32_t all[NODE_CHUNKS];
	uint64_t leafvec;

	*repl = old;
	if (takes_in_place(old, lo, hi, leaf)) {
		store_in_place(old, lo, hi, leaf);
		return 0;
	}
	table_leaves(old, all);
	memcpy(all + lo, leaf, (hi - lo + 1) * sizeof(uint32_t));
	if (count_runs(all, &leafvec) == 1) {
		*repl = (uintptr_t)all[0] << 1;
		return 0;
	}
	/* Written whole here; made reachable by the caller's publish. */
	return table_from_leaves(t, all, leafvec, repl);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPv4 leaf tables of direct slots (fib.h): a line (leafvec and up to
 * 14 leaves in one cache line) or a flat table (64 leaves in chunk order)
 * in place of a childless root node. Built, updated, retired and freed
 * here; fib.c decides which slots hold them and paints their chunks.
 * Writers hold the trie's writer lock. Only fib.c calls this module, and
 * it calls none of fib.h's functions (its types and tags only), so that
 * the two do not depend on each other both ways.
 */
#ifndef ROUTED_FIB_TABLE_H
#define ROUTED_FIB_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fib.h"

struct reclaim;

/* Bytes of the leaf table a slot (FIB_SLOT_TABLE set) points at. */
size_t fib_table_size(uintptr_t slot);

/*
 * In *slot, a new leaf table, unpublished, of 64 chunks in runs: run r
 * (from 0) starts at the r-th set bit of leafvec (bit 0 set) and holds
 * runs[r], as a childless node's leafvec and leaves (fib.h). 0 or
 * -ENOMEM (nothing allocated).
 */
int fib_table_build(struct fib_trie *t, uint64_t leafvec, const uint32_t *runs, uintptr_t *slot);

/* Does a slot point at a leaf table (rather than a leaf or a root node)? */
static inline bool fib_slot_is_table(uintptr_t slot)
{
	/* A leaf is id << 1: bit 1 is the id's, so bit 0 must be checked too. */
	return (slot & (FIB_SLOT_NODE | FIB_SLOT_TABLE)) == (FIB_SLOT_NODE | FIB_SLOT_TABLE);
}

/*
 * Chunks [lo, hi] of the table published as slot value old now have the
 * leaves leaf[0 .. hi - lo], and no other chunk changes. Stored into the
 * published table in place when its shape still holds them (a flat table
 * of more than 8 runs; a line whose leafvec stays right, with two ids or
 * more: fib_table.c), and *repl is old; otherwise *repl is a new table
 * (or a leaf, when every chunk has one id) built from the old one's
 * leaves, for the caller to publish in the slot (fib_dir_store(), which
 * keeps the direct table's page counts) before it retires old
 * (fib_table_retire()). 0, or -ENOMEM with nothing changed.
 */
int fib_table_repaint(struct fib_trie *t, uintptr_t old, unsigned lo, unsigned hi,
		      const uint32_t *leaf, uintptr_t *repl);

/* A published table, unlinked from its slot: freed a grace period later. */
void fib_table_retire(struct fib_trie *t, struct reclaim *rc, uintptr_t slot);

/* A table no reader can reach (never published, or the trie is gone). */
void fib_table_free_now(struct fib_trie *t, uintptr_t slot);

#endif

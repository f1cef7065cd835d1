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

#define NODE_CHUNKS (1u << FIB_STRIDE)

size_t fib_table_size(uintptr_t slot)
{
	return slot & FIB_SLOT_FLAT ? FIB_FLAT_LEAVES * sizeof(uint32_t) : sizeof(struct fib_line);
}

/* A line when the root's runs fit, else every chunk's leaf at its index. */
int fib_table_build(struct fib_trie *t, const struct fib_node *root, uintptr_t *slot)
{
	unsigned runs = (unsigned)__builtin_popcountll(root->leafvec);
	uintptr_t tag = FIB_SLOT_NODE | FIB_SLOT_TABLE | (runs > FIB_LINE_LEAVES ? FIB_SLOT_FLAT : 0);
	size_t size = fib_table_size(tag);
	void *table = arena_alloc(t->tables, size);

	if (!table)
		return -ENOMEM;
	if (tag & FIB_SLOT_FLAT) {
		uint32_t *flat = table;

		for (unsigned c = 0; c < NODE_CHUNKS; c++)
			flat[c] = fib_node_leaf(root, c);
	} else {
		struct fib_line *line = table;

		memset(line, 0, sizeof(*line));
		line->leafvec = root->leafvec;
		memcpy(line->leaves, fib_node_leaves(root), runs * sizeof(uint32_t));
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

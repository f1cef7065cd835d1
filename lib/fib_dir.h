/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The direct table of a FIB trie (fib.h) as its writers see it: the
 * mapping that holds it, the count of what each page of slots holds, and
 * repaints of slot ranges as runs.
 *
 * Invariants (writer side, under the trie's writer lock):
 * - The mapping is zeroed at creation and never written there: its
 *   header sits alone in the page before the slots, which start on a
 *   2 MiB boundary (a 4 KiB one when smaller), so a new table touches one
 *   small page and its empty slots are zero pages.
 * - Every slot store goes through fib_dir_store(), which keeps, per 4 KiB
 *   page of slots, how many slots are not 0 (used) and how many hold an
 *   address (nodes). A page whose used count drops to 0 is given back to
 *   the kernel (its slots read 0 either way), and the trie's bytes count
 *   the header page and the used pages only.
 * - So passes over the table cost what it holds, not 2^dir_bits: a repaint
 *   skips pages that are empty and stay empty, teardown visits only pages
 *   with nodes.
 */
#ifndef ROUTED_FIB_DIR_H
#define ROUTED_FIB_DIR_H

#include <stddef.h>
#include <stdint.h>

struct fib_trie;
struct rib_node;

/*
 * A zeroed trie header with its direct table of 1 << dir_bits slots, and
 * the page counts; t->dir_bits and t->bytes set. NULL with errno on failure.
 */
struct fib_trie *fib_dir_map(unsigned dir_bits);
/* Unmap what fib_dir_map() made (the slots' subtrees are the caller's). Accepts NULL. */
void fib_dir_unmap(struct fib_trie *t);
/* The memory of the direct table: header page, page counts, used pages of slots. */
uint64_t fib_dir_bytes(const struct fib_trie *t);

/*
 * Store v into slot s with rcu_assign_pointer() (see the callers for what
 * it pairs with) and count it. The old value is the caller's to retire.
 */
void fib_dir_store(struct fib_trie *t, unsigned s, uintptr_t v);

/* Call fn on every slot that holds an address (a node or a leaf table). */
void fib_dir_each_node(struct fib_trie *t, void (*fn)(struct fib_trie *t, uintptr_t slot));
/*
 * An unpublished trie: fn on every slot holding an address, then every
 * slot back to 0.
 */
void fib_dir_clear(struct fib_trie *t, void (*fn)(struct fib_trie *t, uintptr_t slot));

/*
 * Slots [first, last], none of which holds an address, set to leaf (a
 * slot value without FIB_SLOT_NODE), a page at a time.
 */
void fib_dir_fill(struct fib_trie *t, unsigned first, unsigned last, uintptr_t leaf);

/*
 * The new values of a range of slots as runs in slot order: a leaf run
 * (locus NULL) gives every slot of [first, last] the value; a slot whose
 * subtree goes on below the table (first == last, locus set) has in value
 * the leaf its subtree inherits (id << 1) until the caller builds it and
 * stores the slot value there.
 */
struct fib_dir_run {
	unsigned first, last;
	uintptr_t value;
	const struct rib_node *locus;	/* the RIB part of the slot's subtree, or NULL */
};

struct fib_dir_runs {
	struct fib_dir_run *run;
	size_t n, cap;
};

/*
 * Paint slots [lo, hi] of a table of dir_bits from the RIB below locus,
 * starting with cover (the id of the longest prefix covering them from
 * above), as runs. The cost is that of the RIB nodes in the range, not of
 * its slots. 0 or -ENOMEM (free the runs either way).
 */
int fib_dir_paint(struct fib_dir_runs *runs, unsigned dir_bits, const struct rib_node *locus,
		  uint32_t cover, unsigned lo, unsigned hi);
void fib_dir_runs_free(struct fib_dir_runs *runs);

/*
 * Store the runs' values into the slots that change, each old value then
 * handed to retire. Pages of slots that are all 0 and stay 0 are skipped
 * unread.
 */
void fib_dir_publish(struct fib_trie *t, const struct fib_dir_runs *runs,
		     void (*retire)(void *ctx, uintptr_t old), void *ctx);

#endif

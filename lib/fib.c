/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building and updating the Poptrie-style FIB (see fib.h).
 *
 * Building a node means "painting" its chunks from the RIB: start with the
 * longest prefix covering the node from above, then walk the RIB below the
 * node in pre-order (shorter prefixes before the longer ones they contain)
 * and paint each prefix's chunk range with its id. A RIB node deeper than
 * the stride marks its chunk as a child node, to be built the same way one
 * level down with the painted value as its inherited default.
 *
 * Updates repaint only the chunk range of the changed prefix in the deepest
 * node that holds it; nodes outside the range are reused as they are.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fib.h"
#include "fib_dir.h"
#include "fib_table.h"
#include "reclaim.h"
#include "rib.h"
#include "wlock.h"

#define NODE_CHUNKS (1u << FIB_STRIDE)
#define MAX_LEVELS ((128 - FIB6_DIR_BITS + FIB_STRIDE - 1) / FIB_STRIDE + 1)

/* Either a leaf or a node, as the parent will store it. */
struct fib_ref {
	bool is_leaf;
	uint32_t leaf;
	struct fib_node node;
};

struct painter {
	unsigned depth, stride;
	unsigned lo, hi;		/* chunk range being repainted */
	unsigned off;			/* arrays below are indexed by chunk - off */
	uint32_t *leaf;
	uint64_t *internal;		/* bitmap */
	const struct rib_node **locus;	/* first RIB node inside an internal chunk */
};

struct builder {
	struct fib_trie *t;
	const struct rib *rib;
	struct reclaim *rc;
};

/*
 * The prefix whose chunks (or direct slots) an update repaints, with the
 * RIB node it was found from, if any: the painter's start in the RIB is
 * then found by climbing from that node (rib_locus_from).
 */
struct span {
	rt_key key;			/* no bits past len */
	unsigned len;
	const struct rib_node *hint;	/* a node at or below (key, len), or NULL */
};

static inline void bit_set(uint64_t *bm, unsigned i)
{
	bm[i / 64] |= 1ULL << (i % 64);
}

static size_t block_size(const struct fib_node *n)
{
	if (fib_node_is_inline(n))
		return 0;
	return (size_t)__builtin_popcountll(n->vector) * sizeof(struct fib_node) +
	       (size_t)__builtin_popcountll(n->leafvec) * sizeof(uint32_t);
}

/* Pre-order walk of the RIB below one node; see the comment at the top. */
static void paint(struct painter *p, const struct rib_node *n)
{
	unsigned end = p->depth + p->stride;

	for (; n; n = n->child[1]) {
		unsigned c = key_chunk(n->key, p->depth, p->stride), last;

		if (n->len >= end) {
			if (c < p->lo || c > p->hi)
				return;
			if (n->len == end && n->id)
				p->leaf[c - p->off] = n->id;
			if (n->len > end || n->child[0] || n->child[1]) {
				bit_set(p->internal, c - p->off);
				p->locus[c - p->off] = n;
			}
			return;
		}
		last = c + (1u << (end - n->len)) - 1;
		if (last < p->lo || c > p->hi)
			return;
		if (n->id) {
			unsigned from = c > p->lo ? c : p->lo, to = last < p->hi ? last : p->hi;

			for (unsigned i = from; i <= to; i++)
				p->leaf[i - p->off] = n->id;
		}
		paint(p, n->child[0]);
	}
}

static void node_free_now(struct fib_trie *t, const struct fib_node *n)
{
	unsigned nkids = (unsigned)__builtin_popcountll(n->vector);

	for (unsigned i = 0; i < nkids; i++)
		node_free_now(t, &n->children[i]);
	t->bytes -= block_size(n);
	t->nodes--;
	if (block_size(n))
		arena_free(n->children, block_size(n));
}

static void node_retire(struct builder *b, const struct fib_node *n, bool recursive)
{
	if (recursive) {
		unsigned nkids = (unsigned)__builtin_popcountll(n->vector);

		for (unsigned i = 0; i < nkids; i++)
			node_retire(b, &n->children[i], true);
	}
	b->t->bytes -= block_size(n);
	b->t->nodes--;
	if (block_size(n))
		reclaim_call(b->rc, arena_free, n->children, block_size(n));
}

/* A node over a filled block (children, then leaves), now counted in the trie. */
static void own_block(struct builder *b, struct fib_node *block, uint64_t vector,
		      uint64_t leafvec, struct fib_ref *out)
{
	out->is_leaf = false;
	out->node = (struct fib_node){
		.vector = vector,
		.leafvec = leafvec,
		.children = block,
		.leaves = (const uint32_t *)(block + __builtin_popcountll(vector)),
	};
	b->t->bytes += block_size(&out->node);
	b->t->nodes++;
}

/*
 * Compress 64 painted chunks into a node (or a single leaf when nothing
 * continues below and every chunk has the same answer). kids[c] is the
 * child of each internal chunk; the new block owns them from now on.
 */
static int assemble(struct builder *b, const uint32_t *leaf, uint64_t internal,
		    const struct fib_node *kids, struct fib_ref *out)
{
	uint32_t runs[NODE_CHUNKS];
	unsigned nkids = 0, nruns = 0;
	uint64_t leafvec = 0;
	struct fib_node *block;

	for (unsigned c = 0; c < NODE_CHUNKS; c++) {
		if (internal >> c & 1)
			continue;
		if (!nruns || leaf[c] != runs[nruns - 1]) {
			leafvec |= 1ULL << c;
			runs[nruns++] = leaf[c];
		}
	}
	if (!internal && nruns == 1) {
		*out = (struct fib_ref){ .is_leaf = true, .leaf = runs[0] };
		return 0;
	}
	if (!internal && nruns <= FIB_INLINE_LEAVES) {
		*out = (struct fib_ref){ .node = { .leafvec = leafvec } };
		memcpy(out->node.inline_leaves, runs, nruns * sizeof(uint32_t));
		b->t->nodes++;
		return 0;
	}
	nkids = (unsigned)__builtin_popcountll(internal);
	block = arena_alloc(b->t->arena, nkids * sizeof(struct fib_node) + nruns * sizeof(uint32_t));
	if (!block)
		return -ENOMEM;
	for (unsigned c = 0, k = 0; c < NODE_CHUNKS; c++)
		if (internal >> c & 1)
			block[k++] = kids[c];
	memcpy(block + nkids, runs, nruns * sizeof(uint32_t));
	own_block(b, block, internal, leafvec, out);
	return 0;
}

/* Undo the children built so far for chunks [lo, c) of an unfinished node. */
static void free_built_kids(struct builder *b, uint64_t internal, const struct fib_node *kids,
			    unsigned lo, unsigned c)
{
	for (unsigned i = lo; i < c; i++)
		if (internal >> i & 1)
			node_free_now(b->t, &kids[i]);
}

static int build_node(struct builder *b, unsigned depth, const struct rib_node *locus,
		      uint32_t inherited, struct fib_ref *out);

/*
 * Build children for the internal chunks in [lo, hi] of a painted node. A
 * child that collapses to a leaf turns its chunk back into a leaf.
 */
static int build_kids(struct builder *b, unsigned depth, unsigned lo, unsigned hi,
		      uint32_t *leaf, uint64_t *internal, const struct rib_node **loci,
		      struct fib_node *kids)
{
	for (unsigned c = lo; c <= hi; c++) {
		struct fib_ref child;
		int rc;

		if (!(*internal >> c & 1))
			continue;
		rc = build_node(b, depth + FIB_STRIDE, loci[c], leaf[c], &child);
		if (rc) {
			free_built_kids(b, *internal, kids, lo, c);
			return rc;
		}
		if (child.is_leaf) {
			*internal &= ~(1ULL << c);
			leaf[c] = child.leaf;
		} else {
			kids[c] = child.node;
		}
	}
	return 0;
}

/* Build the whole subtree of the node at depth whose RIB part hangs below locus. */
static int build_node(struct builder *b, unsigned depth, const struct rib_node *locus,
		      uint32_t inherited, struct fib_ref *out)
{
	uint32_t leaf[NODE_CHUNKS];
	uint64_t internal = 0;
	const struct rib_node *loci[NODE_CHUNKS];
	struct fib_node kids[NODE_CHUNKS];
	struct painter p = {
		.depth = depth, .stride = FIB_STRIDE, .lo = 0, .hi = NODE_CHUNKS - 1,
		.leaf = leaf, .internal = &internal, .locus = loci,
	};
	int rc;

	for (unsigned c = 0; c < NODE_CHUNKS; c++)
		leaf[c] = inherited;
	paint(&p, locus);
	rc = build_kids(b, depth, 0, NODE_CHUNKS - 1, leaf, &internal, loci, kids);
	if (rc)
		return rc;
	rc = assemble(b, leaf, internal, kids, out);
	if (rc)
		free_built_kids(b, internal, kids, 0, NODE_CHUNKS);
	return rc;
}

/* Open a node into per-chunk arrays (children are shared, not copied). */
static void expand(const struct fib_node *n, uint32_t *leaf, uint64_t *internal,
		   struct fib_node *kids)
{
	unsigned k = 0, r = 0;

	*internal = n->vector;
	for (unsigned c = 0; c < NODE_CHUNKS; c++) {
		if (n->vector >> c & 1) {
			kids[c] = n->children[k++];
			continue;
		}
		if (n->leafvec >> c & 1)
			r++;
		leaf[c] = fib_node_leaves(n)[r - 1];
	}
}

/*
 * Where painting the chunks of span starts in the RIB, and in *cover the
 * id they start with: the longest prefix shorter than the span covering it.
 */
static const struct rib_node *span_locus(const struct builder *b, const struct span *sp,
					 uint32_t *cover)
{
	if (sp->hint)
		return rib_locus_from(sp->hint, sp->len, cover);
	return rib_locus(b->rib, sp->key, sp->len, cover);
}

/* Would node n hold one id and no children with runs [first, first + nrange) set to v? */
static bool collapses(const struct fib_node *n, unsigned first, unsigned nrange, uint32_t v)
{
	unsigned runs = (unsigned)__builtin_popcountll(n->leafvec);

	if (n->vector)
		return false;
	for (unsigned r = 0; r < runs; r++)
		if ((r < first || r >= first + nrange) && fib_node_leaves(n)[r] != v)
			return false;
	return true;
}

/*
 * Repaint chunks [lo, hi] of the published node n in place, when that
 * changes only leaf words: no chunk of the range is or becomes a child,
 * the range starts and ends on run boundaries of n->leafvec, and every old
 * run inside it gets one new value. Then vector and leafvec stay, and each
 * changed run is one aligned 32-bit store of a leaf word (in the node's
 * block, or in the node itself: fib_node_leaves()), which a reader
 * loads whole: a lookup gets the old id or the new one, as with a path
 * copy. Runs may end up equal to their neighbours (a later copy of the
 * node merges them). A node that would be left with one id and no
 * children is not done in place, so that the path copy collapses it.
 * True if done; nothing was changed otherwise.
 */
static bool repaint_in_place(struct builder *b, const struct fib_node *n, const struct span *sp,
			     unsigned depth, unsigned lo, unsigned hi)
{
	uint64_t range = (hi - lo == 63 ? ~0ULL : ((1ULL << (hi - lo + 1)) - 1)) << lo;
	uint64_t internal = 0, after = hi == 63 ? 0 : ~n->vector & (~0ULL << (hi + 1));
	uint32_t leaf[NODE_CHUNKS], cover, *leaves = (uint32_t *)(uintptr_t)fib_node_leaves(n);
	const struct rib_node *loci[NODE_CHUNKS], *locus;
	struct painter p = {
		.depth = depth, .stride = FIB_STRIDE, .lo = lo, .hi = hi, .off = lo,
		.leaf = leaf, .internal = &internal, .locus = loci,
	};
	unsigned first;
	bool same = true;

	if ((n->vector & range) || !(n->leafvec >> lo & 1) ||
	    (after && !(n->leafvec >> __builtin_ctzll(after) & 1)))
		return false;
	locus = span_locus(b, sp, &cover);
	for (unsigned c = lo; c <= hi; c++)
		leaf[c - lo] = cover;
	paint(&p, locus);
	if (internal)
		return false;
	/* One value per old run of the range (the runs inside it are contiguous). */
	for (unsigned c = lo + 1; c <= hi; c++) {
		if (!(n->leafvec >> c & 1) && leaf[c - lo] != leaf[c - lo - 1])
			return false;
		same = same && leaf[c - lo] == leaf[0];
	}
	first = fib_rank(n->leafvec, lo);
	if (same && collapses(n, first, (unsigned)__builtin_popcountll(n->leafvec & range), leaf[0]))
		return false;
	/*
	 * Pairs with the reader's load of the leaf word, an address
	 * dependency on the node it came through: the new id's route and
	 * answer word (route_ids_alloc) are stored before a leaf names it.
	 * The old id is recycled a grace period after this store at the
	 * earliest (reclaim_id after the update returns).
	 */
	cmm_smp_wmb();
	for (unsigned c = lo, r = first; c <= hi; c++) {
		if (!(n->leafvec >> c & 1))
			continue;
		if (leaves[r] != leaf[c - lo])
			CMM_STORE_SHARED(leaves[r], leaf[c - lo]);
		r++;
	}
	return true;
}

/*
 * A new version of node old (at depth) with chunks [lo, hi], those of sp,
 * repainted from the RIB and their subtrees rebuilt.
 * Nothing is retired here: the caller does it once the result is published.
 */
static int rebuild_range(struct builder *b, const struct fib_node *old, const struct span *sp,
			 unsigned depth, unsigned lo, unsigned hi, struct fib_ref *out)
{
	uint32_t leaf[NODE_CHUNKS], cover;
	uint64_t internal;
	const struct rib_node *loci[NODE_CHUNKS], *locus;
	struct fib_node kids[NODE_CHUNKS];
	struct painter p = {
		.depth = depth, .stride = FIB_STRIDE, .lo = lo, .hi = hi,
		.leaf = leaf, .internal = &internal, .locus = loci,
	};
	uint64_t range = (hi - lo == 63 ? ~0ULL : ((1ULL << (hi - lo + 1)) - 1)) << lo;
	int rc;

	expand(old, leaf, &internal, kids);
	internal &= ~range;
	locus = span_locus(b, sp, &cover);
	for (unsigned c = lo; c <= hi; c++)
		leaf[c] = cover;
	paint(&p, locus);
	rc = build_kids(b, depth, lo, hi, leaf, &internal, loci, kids);
	if (rc)
		return rc;
	rc = assemble(b, leaf, internal, kids, out);
	if (rc)
		free_built_kids(b, internal & range, kids, lo, hi + 1);
	return rc;
}

/*
 * A new version of parent with chunk c replaced by child. The common case
 * on a copied path, a child node replacing a child node, leaves the
 * vectors and the leaves as they are: the block is copied with one child
 * changed, instead of being expanded and assembled again.
 */
static int replace_child(struct builder *b, const struct fib_node *parent, unsigned c,
			 const struct fib_ref *child, struct fib_ref *out)
{
	uint32_t leaf[NODE_CHUNKS];
	uint64_t internal;
	struct fib_node kids[NODE_CHUNKS];

	if (!child->is_leaf && (parent->vector >> c & 1)) {
		size_t size = block_size(parent);
		struct fib_node *block = arena_alloc(b->t->arena, size);

		if (!block)
			return -ENOMEM;
		memcpy(block, parent->children, size);
		block[fib_rank(parent->vector, c)] = child->node;
		own_block(b, block, parent->vector, parent->leafvec, out);
		return 0;
	}
	expand(parent, leaf, &internal, kids);
	if (child->is_leaf) {
		internal &= ~(1ULL << c);
		leaf[c] = child->leaf;
	} else {
		internal |= 1ULL << c;
		kids[c] = child->node;
	}
	return assemble(b, leaf, internal, kids, out);
}

static void retire_range(struct builder *b, const struct fib_node *old, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi; c++)
		if (old->vector >> c & 1)
			node_retire(b, &old->children[fib_rank(old->vector, c)], true);
}

/* Free a node block built by this update but never published (children shared). */
static void block_free_now(struct fib_trie *t, const struct fib_ref *r)
{
	if (r->is_leaf)
		return;
	t->bytes -= block_size(&r->node);
	t->nodes--;
	if (block_size(&r->node))
		arena_free(r->node.children, block_size(&r->node));
}

/*
 * Turn a finished subtree into a direct-table slot value (allocating the
 * root, or an IPv4 leaf table in its place). On success a leaf table has
 * replaced r's block (new, from this update); on -ENOMEM nothing changed.
 */
static int slot_value(struct builder *b, const struct fib_ref *r, uintptr_t *slot)
{
	struct fib_node *root;
	int rc;

	if (r->is_leaf) {
		*slot = (uintptr_t)r->leaf << 1;
		return 0;
	}
	if (b->t->tables && !r->node.vector) {
		rc = fib_table_build(b->t, r->node.leafvec, fib_node_leaves(&r->node), slot);
		if (!rc)
			block_free_now(b->t, r);
		return rc;
	}
	root = arena_alloc(b->t->arena, sizeof(*root));
	if (!root)
		return -ENOMEM;
	*root = r->node;
	b->t->bytes += sizeof(*root);
	*slot = (uintptr_t)root | FIB_SLOT_NODE;
	return 0;
}

static void slot_retire(struct builder *b, uintptr_t slot)
{
	const struct fib_node *root = fib_slot_node(slot);

	if (!(slot & FIB_SLOT_NODE))
		return;
	if (slot & FIB_SLOT_TABLE) {
		fib_table_retire(b->t, b->rc, slot);
		return;
	}
	node_retire(b, root, true);
	b->t->bytes -= sizeof(*root);
	reclaim_call(b->rc, arena_free, (void *)(uintptr_t)root, sizeof(*root));
}

static void slot_free_now(struct fib_trie *t, uintptr_t slot)
{
	struct fib_node *root = (struct fib_node *)(slot - FIB_SLOT_NODE);

	if (!(slot & FIB_SLOT_NODE))
		return;
	if (slot & FIB_SLOT_TABLE) {
		fib_table_free_now(t, slot);
		return;
	}
	node_free_now(t, root);
	t->bytes -= sizeof(*root);
	arena_free(root, sizeof(*root));
}

/*
 * Build the subtree slots of runs (fib_dir.h): each run with a locus gets
 * its slot value in place of the leaf its subtree inherits. On -ENOMEM
 * the slots built so far are freed again and the runs hold leaves.
 */
static int build_slots(struct builder *b, struct fib_dir_runs *runs)
{
	size_t built;
	int rc = 0;

	for (built = 0; built < runs->n; built++) {
		struct fib_dir_run *run = &runs->run[built];
		struct fib_ref r;

		if (!run->locus)
			continue;
		rc = build_node(b, b->t->dir_bits, run->locus, (uint32_t)(run->value >> 1), &r);
		if (rc)
			break;
		rc = slot_value(b, &r, &run->value);
		if (rc) {
			if (!r.is_leaf)
				node_free_now(b->t, &r.node);
			break;
		}
	}
	if (!rc)
		return 0;
	for (size_t i = 0; i < built; i++)
		if (runs->run[i].locus)
			slot_free_now(b->t, runs->run[i].value);
	return rc;
}

static void retire_old_slot(void *builder, uintptr_t old)
{
	slot_retire(builder, old);
}

/*
 * Repaint direct slots [lo, hi], those of sp (NULL: all), and publish
 * those that change. The cost is that of the RIB nodes in the range and
 * of the slots that change, not of the range (fib_dir.h).
 */
static int update_dir(struct builder *b, const struct span *sp, unsigned lo, unsigned hi)
{
	struct fib_dir_runs runs = { 0 };
	const struct rib_node *locus = b->rib->root;
	uint32_t cover = 0;
	int rc;

	if (sp)
		locus = span_locus(b, sp, &cover);
	rc = fib_dir_paint(&runs, b->t->dir_bits, locus, cover, lo, hi);
	if (!rc)
		rc = build_slots(b, &runs);
	/*
	 * Each store pairs with rcu_dereference() in fib_lookup4/6(): the
	 * subtree is complete before its root becomes reachable. The old one
	 * is retired, so it lives until current readers are done. A slot
	 * that keeps its leaf is not stored, so an empty page stays a zero page.
	 */
	if (!rc)
		fib_dir_publish(b->t, &runs, retire_old_slot, b);
	fib_dir_runs_free(&runs);
	return rc;
}

int fib_trie_build(struct fib_trie *t, const struct rib *rib, struct reclaim *rc)
{
	struct builder b = { .t = t, .rib = rib, .rc = rc };

	wlock_assert_held(t->lock);
	return update_dir(&b, NULL, 0, (1u << t->dir_bits) - 1);
}

/*
 * The build in one ordered sweep (fib.h). Slots close in order: a slot is
 * closed when a prefix beyond it arrives, since in prefix order nothing
 * after that lies in it, and no later prefix covers it (a cover's key is
 * no greater, and when equal its length is shorter). The direct slots'
 * painting is a stack of the open prefixes shorter than the direct
 * table: the innermost one still covering a slot is its value. A slot
 * with prefixes of the table's length or longer is built as
 * build_slots() would, from its locus, while its RIB nodes were inserted
 * a moment ago and are still in the cache.
 */
#define SWEEP_COVERS (FIB4_DIR_BITS > FIB6_DIR_BITS ? FIB4_DIR_BITS : FIB6_DIR_BITS)

struct fib_sweep {
	struct builder b;
	bool ordered;			/* false: the trie is built whole at the finish */
	bool any;			/* key and len hold the last prefix added */
	rt_key key;
	unsigned len;
	unsigned next;			/* the first slot not yet closed */
	const struct rib_node *open;	/* the last prefix added in slot next, of dir_bits or longer */
	unsigned ncovers;		/* covers[] nest, innermost last */
	struct {
		unsigned last;		/* the last slot of the prefix */
		uint32_t id;
	} covers[SWEEP_COVERS];
};

struct fib_sweep *fib_sweep_begin(struct fib_trie *t, const struct rib *rib, struct reclaim *rc)
{
	struct fib_sweep *sw = calloc(1, sizeof(*sw));

	if (!sw)
		return NULL;
	sw->b = (struct builder){ .t = t, .rib = rib, .rc = rc };
	sw->ordered = true;
	return sw;
}

/* The value of the open slot: built from its locus as build_slots() does. */
static int sweep_open_slot(struct fib_sweep *sw, uintptr_t *slot)
{
	unsigned dir_bits = sw->b.t->dir_bits;
	uint32_t cover;
	const struct rib_node *locus = rib_locus_from(sw->open, dir_bits, &cover);
	struct fib_ref r = { .is_leaf = true, .leaf = cover };
	int rc;

	if (locus->len == dir_bits && locus->id)
		r.leaf = locus->id;
	if (locus->len > dir_bits || locus->child[0] || locus->child[1]) {
		rc = build_node(&sw->b, dir_bits, locus, r.leaf, &r);
		if (rc)
			return rc;
	}
	rc = slot_value(&sw->b, &r, slot);
	if (rc && !r.is_leaf)
		node_free_now(sw->b.t, &r.node);
	return rc;
}

/* Close slots [next, end): a run of slots under one cover (or none) at a time. */
static int sweep_close(struct fib_sweep *sw, unsigned end)
{
	while (sw->next < end) {
		unsigned s = sw->next, stop = end;
		uintptr_t slot;

		while (sw->ncovers && sw->covers[sw->ncovers - 1].last < s)
			sw->ncovers--;
		slot = sw->ncovers ? (uintptr_t)sw->covers[sw->ncovers - 1].id << 1 : 0;
		if (sw->open) {
			int rc = sweep_open_slot(sw, &slot);

			if (rc)
				return rc;
			sw->open = NULL;
			stop = s + 1;
		} else if (sw->ncovers && sw->covers[sw->ncovers - 1].last < stop - 1) {
			stop = sw->covers[sw->ncovers - 1].last + 1;
		}
		/*
		 * The trie is private to the build (its table publishes it
		 * whole): the store pairs with nothing yet, but keeps every slot
		 * store the same. A leaf 0 is not stored: its page stays a zero page.
		 */
		if (slot & FIB_SLOT_NODE)
			fib_dir_store(sw->b.t, s, slot);
		else if (slot)
			fib_dir_fill(sw->b.t, s, stop - 1, slot);
		sw->next = stop;
	}
	return 0;
}

/* Out of order: give back every slot built so far; the finish builds it all. */
static void sweep_unbuild(struct fib_sweep *sw)
{
	fib_dir_clear(sw->b.t, slot_free_now);
	sw->ordered = false;
}

int fib_sweep_add(struct fib_sweep *sw, const struct rib_node *n)
{
	unsigned dir_bits = sw->b.t->dir_bits, c = key_chunk(n->key, 0, dir_bits);
	int rc;

	if (!sw->ordered)
		return 0;
	if (sw->any && (n->key < sw->key || (n->key == sw->key && n->len <= sw->len))) {
		sweep_unbuild(sw);
		return 0;
	}
	sw->any = true;
	sw->key = n->key;
	sw->len = n->len;
	rc = sweep_close(sw, c);
	if (rc)
		return rc;
	if (n->len >= dir_bits) {
		sw->open = n;
		return 0;
	}
	while (sw->ncovers && sw->covers[sw->ncovers - 1].last < c)
		sw->ncovers--;
	/* Every cover left contains n, each one longer than the one before. */
	sw->covers[sw->ncovers].last = c + (1u << (dir_bits - n->len)) - 1;
	sw->covers[sw->ncovers++].id = n->id;
	return 0;
}

int fib_sweep_finish(struct fib_sweep *sw)
{
	int rc;

	wlock_assert_held(sw->b.t->lock);
	if (sw->ordered)
		rc = sweep_close(sw, 1u << sw->b.t->dir_bits);
	else
		rc = fib_trie_build(sw->b.t, sw->b.rib, sw->b.rc);
	free(sw);
	return rc;
}

void fib_sweep_abort(struct fib_sweep *sw)
{
	free(sw);
}

/*
 * Repaint the chunks of sp (a prefix ending in the level below the direct
 * table) in the leaf table of slot s from the RIB, with no node built
 * (fib_table_repaint()). -EAGAIN, with nothing changed, if a chunk of the
 * range continues below that level: the slot then needs a node.
 */
static int repaint_table(struct builder *b, const struct span *sp, unsigned s)
{
	unsigned depth = b->t->dir_bits, lo = key_chunk(sp->key, depth, FIB_STRIDE);
	unsigned hi = lo + (1u << (depth + FIB_STRIDE - sp->len)) - 1;
	uint32_t leaf[NODE_CHUNKS], cover;
	uint64_t internal = 0;
	uintptr_t old, repl;
	int err;
	const struct rib_node *loci[NODE_CHUNKS], *locus;
	struct painter p = {
		.depth = depth, .stride = FIB_STRIDE, .lo = lo, .hi = hi, .off = lo,
		.leaf = leaf, .internal = &internal, .locus = loci,
	};

	locus = span_locus(b, sp, &cover);
	for (unsigned c = lo; c <= hi; c++)
		leaf[c - lo] = cover;
	paint(&p, locus);
	if (internal)
		return -EAGAIN;
	old = wlock_dereference(b->t->dir[s], b->t->lock);
	err = fib_table_repaint(b->t, old, lo, hi, leaf, &repl);
	if (err || repl == old)
		return err;
	/*
	 * fib_dir_store() publishes the new table or leaf (rcu_assign_pointer:
	 * written whole before it is reachable) and keeps the page counts;
	 * the old table lives until current readers are done.
	 */
	fib_dir_store(b->t, s, repl);
	fib_table_retire(b->t, b->rc, old);
	return 0;
}

/* fib_trie_update(); hint: the RIB node of (key, len), or NULL (rib.h, rib_locus_from). */
static int trie_update(struct fib_trie *t, const struct rib *rib, struct reclaim *rc,
		       rt_key key, unsigned len, const struct rib_node *hint)
{
	struct builder b = { .t = t, .rib = rib, .rc = rc };
	const struct fib_node *path[MAX_LEVELS], *n;
	unsigned chunks[MAX_LEVELS], depth = t->dir_bits, lo, hi, k = 0, s, copied = 0;
	struct fib_ref target, copies[MAX_LEVELS];
	const struct fib_ref *cur = &target;
	struct span sp = { .key = key, .len = len, .hint = hint };
	uintptr_t slot, old;
	int err;

	wlock_assert_held(t->lock);
	s = key_chunk(key, 0, t->dir_bits);
	if (len <= t->dir_bits)
		return update_dir(&b, &sp, s, s + (1u << (t->dir_bits - len)) - 1);
	old = wlock_dereference(t->dir[s], t->lock);
	if (fib_slot_is_table(old) && len <= t->dir_bits + FIB_STRIDE) {
		err = repaint_table(&b, &sp, s);
		if (err != -EAGAIN)
			return err;
	}
	/* A leaf, or a table that needs a node: the slot's level is rebuilt whole. */
	if (!fib_slot_is_node(old)) {
		sp.len = t->dir_bits;
		sp.key &= key_mask(sp.len);
		return update_dir(&b, &sp, s, s);
	}

	/* Find the deepest existing node whose stride holds the prefix. */
	n = fib_slot_node(old);
	for (;;) {
		unsigned c = key_chunk(key, depth, FIB_STRIDE);

		if (len <= depth + FIB_STRIDE || !(n->vector >> c & 1))
			break;
		path[k] = n;
		chunks[k++] = c;
		n = &n->children[fib_rank(n->vector, c)];
		depth += FIB_STRIDE;
	}
	lo = key_chunk(key, depth, FIB_STRIDE);
	hi = len <= depth + FIB_STRIDE ? lo + (1u << (depth + FIB_STRIDE - len)) - 1 : lo;

	/* The chunks [lo, hi] are those of (key, sp.len). */
	if (len > depth + FIB_STRIDE) {
		sp.len = depth + FIB_STRIDE;
		sp.key &= key_mask(sp.len);
	}
	if (repaint_in_place(&b, n, &sp, depth, lo, hi))
		return 0;
	err = rebuild_range(&b, n, &sp, depth, lo, hi, &target);
	if (err)
		return err;
	/* Copy the path above it, bottom-up; each copy shares the other children. */
	for (unsigned i = k; i-- > 0; copied++) {
		err = replace_child(&b, path[i], chunks[i], cur, &copies[copied]);
		if (err)
			goto fail;
		cur = &copies[copied];
	}
	err = slot_value(&b, cur, &slot);
	if (err)
		goto fail;
	/* Pairs with rcu_dereference() in fib_lookup4/6(); see update_dir(). */
	fib_dir_store(t, s, slot);

	/* Retire what the new path replaced: the old path blocks and the old range. */
	retire_range(&b, n, lo, hi);
	node_retire(&b, n, false);
	for (unsigned i = 0; i < k; i++)
		node_retire(&b, path[i], false);
	t->bytes -= sizeof(struct fib_node);
	reclaim_call(rc, arena_free, (void *)(old - FIB_SLOT_NODE), sizeof(struct fib_node));
	return 0;
fail:
	/* Nothing was published: free only what this update allocated. */
	while (copied--)
		block_free_now(t, &copies[copied]);
	if (!target.is_leaf)
		for (unsigned c = lo; c <= hi; c++)
			if (target.node.vector >> c & 1)
				node_free_now(t, &target.node.children[fib_rank(target.node.vector, c)]);
	block_free_now(t, &target);
	return err;
}

int fib_trie_update(struct fib_trie *t, const struct rib *rib, struct reclaim *rc,
		    rt_key key, unsigned len)
{
	return trie_update(t, rib, rc, key, len, NULL);
}

int fib_trie_update_node(struct fib_trie *t, const struct rib *rib, struct reclaim *rc,
			 const struct rib_node *node)
{
	return trie_update(t, rib, rc, node->key, node->len, node);
}

uint64_t fib_trie_reserved(struct fib_trie *t)
{
	struct arena_stats as;
	uint64_t bytes = fib_dir_bytes(t);

	arena_stats(t->arena, &as);
	bytes += as.reserved_bytes;
	if (t->tables) {
		arena_stats(t->tables, &as);
		bytes += as.reserved_bytes;
	}
	return bytes;
}

/*
 * IPv4 leaf tables (fib.h) are built only with ROUTED_FIB_LEAF_TABLES=1,
 * read when a trie is created. They cut a dependent read, yet with the
 * lock-step vector walk IPv4 matched lookups ran no faster with them on a
 * quiet machine (docs/performance.md); updates under them are stores in
 * place now (fib_table.c).
 */
static bool leaf_tables_wanted(unsigned bits)
{
	const char *v = getenv("ROUTED_FIB_LEAF_TABLES");

	return bits == 32 && v && !strcmp(v, "1");
}

struct fib_trie *fib_trie_create(unsigned bits, const struct wlock *lock)
{
	struct fib_trie *t = fib_dir_map(bits == 32 ? FIB4_DIR_BITS : FIB6_DIR_BITS);
	bool tables = leaf_tables_wanted(bits);

	if (!t)
		return NULL;
	t->arena = arena_create();
	/* Only 64 and 256-byte blocks: every one starts at a cache line. */
	t->tables = tables ? arena_create() : NULL;
	if (!t->arena || (tables && !t->tables)) {
		arena_release(t->arena);
		arena_release(t->tables);
		fib_dir_unmap(t);
		return NULL;
	}
	t->lock = lock;
	t->bits = bits;
	/* The mapping is zeroed: every slot is leaf 0, no route (fib.h). */
	return t;
}

void fib_trie_destroy(struct fib_trie *t)
{
	if (!t)
		return;
	fib_dir_each_node(t, slot_free_now);
	/* Blocks still waiting in reclaim batches keep the arena until they are freed. */
	arena_release(t->arena);
	arena_release(t->tables);
	fib_dir_unmap(t);
}

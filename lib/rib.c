/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"
#include "wlock.h"

void rib_init(struct rib *rib, int family, const struct wlock *lock)
{
	memset(rib, 0, sizeof(*rib));
	rib->lock = lock;
	rib->family = family;
	rib->bits = rt_family_bits(family);
}

/* A million prefixes and their glue nodes: every byte of a node counts 1.5 MB. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct rib_node) == 64,
	       "a RIB node stays 64 bytes on 64-bit machines");

/*
 * The index (rib.h). An entry is the node's address with 16 bits of the
 * hash in its top bits (user addresses fit in 48 bits on the machines we
 * run on; a node above that gets tag 0, which every probe follows), so a
 * probe that passes other keys' entries reads the index's own lines and
 * not each node's: a search for a new prefix at 3/4 load passes several.
 */
#define INDEX_MIN_SLOTS 64
#define TAG_SHIFT 48
#define ADDR_MASK ((UINT64_C(1) << TAG_SHIFT) - 1)

static uint64_t index_hash(rt_key key, unsigned len)
{
	uint64_t hi = (uint64_t)(key >> 64), lo = (uint64_t)key;
	uint64_t h = (hi ^ (lo * 0x9e3779b97f4a7c15ull) ^ len) * 0xff51afd7ed558ccdull;

	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static struct rib_node *entry_node(uint64_t e)
{
	return (struct rib_node *)(uintptr_t)(e & ADDR_MASK);
}

/* The tag of hash h, never 0 (0: a node the tag cannot be stored with). */
static uint64_t hash_tag(uint64_t h)
{
	return (h >> TAG_SHIFT) | 1;
}

static uint64_t entry_of(const struct rib_node *n, uint64_t h)
{
	uint64_t addr = (uint64_t)(uintptr_t)n;

	return addr & ~ADDR_MASK ? addr : addr | hash_tag(h) << TAG_SHIFT;
}

/* The slot of (key, len) of hash h: where it is, or the empty slot its search ends at. */
static size_t index_slot(const struct rib *rib, rt_key key, unsigned len, uint64_t h)
{
	uint64_t tag = hash_tag(h);
	size_t i = (size_t)h & rib->index_mask;

	for (uint64_t e; (e = rib->index[i]); i = (i + 1) & rib->index_mask) {
		uint64_t t = e >> TAG_SHIFT;

		if ((t == tag || !t) && entry_node(e)->len == len && entry_node(e)->key == key)
			break;
	}
	return i;
}

/*
 * How far ahead a rehash loads the nodes it reads (each a cache miss, in
 * no order): enough misses in flight to keep the memory busy.
 */
#define RESIZE_AHEAD 16

/* Rehash every node into slots of size cap (a power of two). 0 or -ENOMEM. */
static int index_resize(struct rib *rib, size_t cap)
{
	uint64_t *old = rib->index;
	size_t old_cap = old ? rib->index_mask + 1 : 0;
	uint64_t *index = calloc(cap, sizeof(*index));

	if (!index)
		return -ENOMEM;
	rib->index = index;
	rib->index_mask = cap - 1;
	for (size_t i = 0; i < old_cap; i++) {
		const struct rib_node *n = entry_node(old[i]);
		uint64_t h;

		/* Two stages: the node far ahead, the new slot of a node loaded by now. */
		if (i + 2 * RESIZE_AHEAD < old_cap && old[i + 2 * RESIZE_AHEAD])
			__builtin_prefetch(entry_node(old[i + 2 * RESIZE_AHEAD]));
		if (i + RESIZE_AHEAD < old_cap && old[i + RESIZE_AHEAD]) {
			const struct rib_node *m = entry_node(old[i + RESIZE_AHEAD]);

			__builtin_prefetch(&index[(size_t)index_hash(m->key, m->len) & (cap - 1)], 1);
		}
		if (!old[i])
			continue;
		h = index_hash(n->key, n->len);
		index[index_slot(rib, n->key, n->len, h)] = entry_of(n, h);
	}
	free(old);
	return 0;
}

/* Room for more nodes, so that adding them cannot fail. 0 or -ENOMEM. */
static int index_reserve(struct rib *rib, size_t more)
{
	size_t cap = rib->index ? rib->index_mask + 1 : INDEX_MIN_SLOTS;

	if (rib->index && (rib->indexed + more) * 4 <= cap * 3)
		return 0;
	while ((rib->indexed + more) * 4 > cap * 3)
		cap *= 2;
	return index_resize(rib, cap);
}

int rib_reserve(struct rib *rib, size_t more)
{
	wlock_assert_held(rib->lock);
	if (!more)
		return 0;
	return index_reserve(rib, more);
}

/* Room was reserved. */
static void index_add(struct rib *rib, struct rib_node *n)
{
	uint64_t h = index_hash(n->key, n->len);

	rib->index[index_slot(rib, n->key, n->len, h)] = entry_of(n, h);
	n->indexed = 1;
	rib->indexed++;
}

static void index_remove(struct rib *rib, struct rib_node *n)
{
	size_t i, j;

	if (!n->indexed)
		return;
	i = j = index_slot(rib, n->key, n->len, index_hash(n->key, n->len));
	n->indexed = 0;
	rib->indexed--;
	rib->index[i] = 0;
	/* Backward shift: move later members of the run into the hole they may skip. */
	for (;;) {
		const struct rib_node *m;
		size_t home;

		j = (j + 1) & rib->index_mask;
		if (!rib->index[j])
			break;
		m = entry_node(rib->index[j]);
		home = (size_t)index_hash(m->key, m->len) & rib->index_mask;
		/* Keep j where it is if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		rib->index[i] = rib->index[j];
		rib->index[j] = 0;
		i = j;
	}
}

/* After nodes went: an empty RIB holds no index, a sparse one a smaller one. */
static void index_shrink(struct rib *rib)
{
	size_t cap = rib->index_mask + 1;

	if (!rib->indexed) {
		free(rib->index);
		rib->index = NULL;
		rib->index_mask = 0;
		return;
	}
	if (cap > INDEX_MIN_SLOTS && rib->indexed * 8 < cap)
		index_resize(rib, cap / 2);	/* without memory it stays as large */
}

static void free_subtree(struct rib *rib, struct rib_node *n,
			 void (*free_route)(void *arg, struct rib_route *r), void *arg)
{
	while (n) {
		struct rib_node *next = n->child[1];
		struct rib_route *r = n->routes, *rn;

		free_subtree(rib, n->child[0], free_route, arg);
		for (; r; r = rn) {
			rn = r->next;
			free_route(arg, r);
		}
		free(n);
		n = next;	/* iterate on one side to bound recursion by depth */
	}
}

void rib_fini(struct rib *rib, void (*free_route)(void *arg, struct rib_route *r), void *arg)
{
	free_subtree(rib, rib->root, free_route, arg);
	rib->root = NULL;
	rib->finger = NULL;
	free(rib->parked);
	rib->parked = NULL;
	rib->parked_cap = rib->parked_head = rib->parked_count = 0;
	rib->prefixes = rib->routes = rib->nodes = 0;
	free(rib->index);
	rib->index = NULL;
	rib->index_mask = 0;
	rib->indexed = 0;
}

/* The node of (key, len) by a walk from the root. */
struct rib_node *rib_find(const struct rib *rib, rt_key key, unsigned len)
{
	if (!rib->index)
		return NULL;
	key &= key_mask(len);
	return entry_node(rib->index[index_slot(rib, key, len, index_hash(key, len))]);
}

void rib_prefetch(const struct rib *rib, rt_key key, unsigned len)
{
	if (!rib->index)
		return;
	key &= key_mask(len);
	__builtin_prefetch(&rib->index[(size_t)index_hash(key, len) & rib->index_mask]);
}

/* The cover of n's children: n's id, or n's own cover if it has none (0 below no node). */
static uint32_t cover_below(const struct rib_node *n)
{
	if (!n)
		return 0;
	return n->id ? n->id : n->cover;
}

static struct rib_node *node_new(struct rib *rib, rt_key key, unsigned len, struct rib_node *parent)
{
	/* Not calloc: clearing the line cost as much as the allocation; every field is set. */
	struct rib_node *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = (struct rib_node){ .key = key & key_mask(len), .len = (uint8_t)len, .parent = parent,
				.cover = cover_below(parent) };
	rib->nodes++;
	return n;
}

static struct rib_node **slot_of(struct rib *rib, struct rib_node *n)
{
	if (!n->parent)
		return &rib->root;
	return &n->parent->child[n->parent->child[1] == n];
}

/*
 * Where an insert of (key, len) may start: below the last insert's
 * nearest ancestor whose prefix covers it, else at the root. Every node
 * on the walk from the root passes through that ancestor (it covers the
 * new prefix, and a node's subtree holds every prefix it covers), so the
 * walk from there ends where the whole one would. A feed's turn or a
 * loaded file comes in key order: the next prefix is usually a few
 * levels from the last, on lines still in the cache, where the walk from
 * the root is a miss a level. Random inserts (updates) diverge from the
 * last one near the root: when the two keys share fewer than
 * FINGER_SPAN bits less than the finger's length, the walk starts at the
 * root at once, rather than climbing a path that may be out of the cache
 * (a climb is then at most FINGER_SPAN levels: each level is longer).
 */
#define FINGER_SPAN 8

static struct rib_node **insert_start(struct rib *rib, rt_key key, unsigned len)
{
	struct rib_node *n = rib->finger;
	unsigned common;

	if (!n)
		return &rib->root;
	common = key_common_bits(n->key, key);
	if (common > len)
		common = len;
	if (common + FINGER_SPAN < n->len)
		return &rib->root;
	for (; n; n = n->parent)
		if (n->len <= common)
			return slot_of(rib, n);
	return &rib->root;
}

/* The node of (key, len), found or added (a leaf, and a glue node above it) below *pp. */
static struct rib_node *insert_node(struct rib *rib, struct rib_node **pp, rt_key key, unsigned len)
{
	struct rib_node *parent, *n, *leaf, *glue;
	unsigned common;

	parent = *pp ? (*pp)->parent : NULL;

	while ((n = *pp)) {
		common = key_common_bits(n->key, key);
		if (common > n->len)
			common = n->len;
		if (common > len)
			common = len;
		if (common == n->len && n->len == len)
			return n;
		if (common == n->len) {
			parent = n;
			pp = &n->child[key_bit(key, n->len)];
			continue;
		}
		leaf = node_new(rib, key, len, parent);
		if (!leaf)
			return NULL;
		if (common == len) {
			/* The new prefix covers n: it takes n's place. */
			leaf->child[key_bit(n->key, len)] = n;
			n->parent = leaf;
			*pp = leaf;
			return leaf;
		}
		/* They diverge after common bits: join them under a glue node. */
		glue = node_new(rib, key, common, parent);
		if (!glue) {
			free(leaf);
			rib->nodes--;
			return NULL;
		}
		glue->child[key_bit(key, common)] = leaf;
		glue->child[key_bit(n->key, common)] = n;
		leaf->parent = glue;
		n->parent = glue;
		*pp = glue;
		return leaf;
	}
	leaf = node_new(rib, key, len, parent);
	if (leaf)
		*pp = leaf;
	return leaf;
}

struct rib_node *rib_insert(struct rib *rib, rt_key key, unsigned len)
{
	struct rib_node **start, *n = NULL;

	wlock_assert_held(rib->lock);
	if (index_reserve(rib, 1))
		return NULL;
	key &= key_mask(len);
	start = insert_start(rib, key, len);
	/*
	 * The walk finds an existing node as well. Near the finger the walk
	 * is a few lines in the cache, and a probe of the index would be one
	 * more miss for every new prefix; from the root it is a miss a
	 * level, and the probe finds a node that stayed (a glue node, a
	 * parked one) with one.
	 */
	if (start == &rib->root)
		n = entry_node(rib->index[index_slot(rib, key, len, index_hash(key, len))]);
	if (!n)
		n = insert_node(rib, start, key, len);
	if (n)
		rib->finger = n;
	if (n && !n->indexed)
		index_add(rib, n);
	return n;
}

void rib_prune(struct rib *rib, struct rib_node *n)
{
	wlock_assert_held(rib->lock);
	while (n && !n->routes && !n->parked && !(n->child[0] && n->child[1])) {
		struct rib_node *child = n->child[0] ? n->child[0] : n->child[1];
		struct rib_node *parent = n->parent;

		*slot_of(rib, n) = child;
		if (child)
			child->parent = parent;
		index_remove(rib, n);
		if (n == rib->finger)
			rib->finger = NULL;
		free(n);
		rib->nodes--;
		/* A glue parent left with one child is no longer needed either. */
		n = parent;
	}
	if (rib->index)
		index_shrink(rib);
}

/*
 * The nodes below n take cover from n: each child n's id or cover, and
 * below a child without an id the same, down to the nodes with ids of
 * their own (their subtrees take cover from them). Recursion on one side,
 * bounded by depth, as in free_subtree.
 */
static void covers_below(struct rib_node *n)
{
	while (n) {
		uint32_t cover = cover_below(n);
		struct rib_node *next = NULL;

		for (unsigned b = 0; b < 2; b++) {
			struct rib_node *c = n->child[b];

			if (!c)
				continue;
			c->cover = cover;
			if (c->id)
				continue;
			if (next)
				covers_below(next);
			next = c;
		}
		n = next;
	}
}

void rib_set_id(struct rib *rib, struct rib_node *n, uint32_t id)
{
	wlock_assert_held(rib->lock);
	n->id = id;
	covers_below(n);
}

/*
 * Prune the oldest parked node. Only that node loses its mark first: a
 * prune never frees a parked node, so the nodes of the other slots stay
 * where their slots point. One that got routes again is only unmarked.
 */
static void unpark_oldest(struct rib *rib)
{
	struct rib_node *n = rib->parked[rib->parked_head];

	rib->parked[rib->parked_head] = NULL;
	rib->parked_head = (rib->parked_head + 1) & (rib->parked_cap - 1);
	rib->parked_count--;
	n->parked = 0;
	rib_prune(rib, n);
}

/* Every parked node pruned, and the ring freed: an empty RIB holds what a fresh one does. */
static void unpark_all(struct rib *rib)
{
	while (rib->parked_count)
		unpark_oldest(rib);
	free(rib->parked);
	rib->parked = NULL;
	rib->parked_cap = rib->parked_head = 0;
}

/*
 * The first ring's slots: a small table that parks a node or two pays 32
 * bytes, not the whole minimum's 512.
 */
#define PARK_RING_FIRST 4

/* A ring of twice the slots (the first of PARK_RING_FIRST), oldest first. 0 or -ENOMEM. */
static int park_grow(struct rib *rib)
{
	unsigned cap = rib->parked_cap ? 2 * rib->parked_cap : PARK_RING_FIRST;
	struct rib_node **ring = calloc(cap, sizeof(*ring));

	if (!ring)
		return -ENOMEM;
	for (unsigned i = 0; i < rib->parked_count; i++)
		ring[i] = rib->parked[(rib->parked_head + i) & (rib->parked_cap - 1)];
	free(rib->parked);
	rib->parked = ring;
	rib->parked_cap = cap;
	rib->parked_head = 0;
	return 0;
}

void rib_park(struct rib *rib, struct rib_node *n)
{
	unsigned limit = rib_park_limit(rib);

	wlock_assert_held(rib->lock);
	/*
	 * The last route gone: an empty RIB keeps no nodes (its memory is a
	 * fresh one's). n goes first unless parked: an unpark may free it.
	 */
	if (!rib->routes) {
		if (!n->parked)
			rib_prune(rib, n);
		unpark_all(rib);
		return;
	}
	/* Only a node the index finds is worth keeping; one already parked stays in its slot. */
	if (n->parked || n->routes || !n->indexed || (n->child[0] && n->child[1])) {
		rib_prune(rib, n);
		/* A table that shrinks lowers the limit. */
		while (rib->parked_count > limit)
			unpark_oldest(rib);
		return;
	}
	/* Marked before the oldest go: their prunes may climb through n. */
	n->parked = 1;
	while (rib->parked_count >= limit)
		unpark_oldest(rib);
	/* A ring that cannot grow keeps its size: the oldest makes room. */
	if (rib->parked_count == rib->parked_cap && park_grow(rib)) {
		if (!rib->parked_count) {
			n->parked = 0;
			rib_prune(rib, n);
			return;
		}
		unpark_oldest(rib);
	}
	rib->parked[(rib->parked_head + rib->parked_count) & (rib->parked_cap - 1)] = n;
	rib->parked_count++;
}

const struct rib_node *rib_locus(const struct rib *rib, rt_key key, unsigned depth, uint32_t *cover)
{
	const struct rib_node *n = rib->root;

	*cover = 0;
	while (n) {
		if (n->len >= depth)
			return key_match(n->key, key, depth) ? n : NULL;
		if (!key_match(n->key, key, n->len))
			return NULL;
		if (n->id)
			*cover = n->id;
		n = n->child[key_bit(key, n->len)];
	}
	return NULL;
}

/*
 * Every ancestor of n is a prefix of n's key, so the walk from the root to
 * (n's key, depth) passes through exactly the ancestors of n: it stops at
 * the first of length >= depth and has taken its cover from the last one
 * with an id above it, which is that node's cover. A parent is shorter
 * than its child: n itself is the first when n->len == depth, and its
 * parent, likely out of the cache, is not read.
 */
const struct rib_node *rib_locus_from(const struct rib_node *n, unsigned depth, uint32_t *cover)
{
	if (n->len > depth)
		while (n->parent && n->parent->len >= depth)
			n = n->parent;
	*cover = n->cover;
	return n;
}

struct walk_ctx {
	int from;
	rt_key from_key;
	unsigned from_len;
	rib_walk_fn fn;
	void *arg;
};

static int walk_node(const struct walk_ctx *w, const struct rib_node *n)
{
	for (; n; n = n->child[1]) {
		int rc;

		if (w->from) {
			/* Everything below n has an address <= its last address. */
			rt_key last = n->key | ~key_mask(n->len);

			if (last < w->from_key)
				return 0;
			if (n->routes && (n->key > w->from_key ||
					  (n->key == w->from_key && n->len >= w->from_len))) {
				rc = w->fn(n, w->arg);
				if (rc)
					return rc;
			}
		} else if (n->routes) {
			rc = w->fn(n, w->arg);
			if (rc)
				return rc;
		}
		rc = walk_node(w, n->child[0]);
		if (rc)
			return rc;
	}
	return 0;
}

int rib_walk(const struct rib *rib, int from, rt_key from_key, unsigned from_len,
	     rib_walk_fn fn, void *arg)
{
	struct walk_ctx w = {
		.from = from, .from_key = from_key, .from_len = from_len, .fn = fn, .arg = arg,
	};

	return walk_node(&w, rib->root);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route ids: the FIB's leaves are 32-bit ids, not pointers, to keep the trie
 * small; this table maps an id to the selected route of its prefix.
 *
 * Beside each route pointer, an answer word: what a lookup client is told
 * about the route (prefix length, tag, next-hop index) packed into 64 bits,
 * so answering costs one load from an array indexed by id rather than the
 * route and its next hop, scattered over the heap. One aligned 64-bit
 * store replaces a word, so readers see the old answer or the new, whole.
 *
 * Two levels (a fixed directory of chunk pointers, chunks of 1024 slots), so
 * the table grows without moving slots that readers may be loading. Ids are
 * handed out lowest first; a chunk whose ids are all free again is freed,
 * so an emptied table returns to its baseline memory.
 *
 * Concurrency: entries_alloc/entries_set/entries_release need the writer
 * lock. entries_release() may only be called once no reader can hold the id
 * any more (a grace period after the last FIB leaf with it was unpublished).
 * entries_get() is the reader side, inside a read-side section.
 */
#ifndef ROUTED_ENTRIES_H
#define ROUTED_ENTRIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <urcu/urcu-memb.h>

struct rib_route;
struct wlock;

#define ENTRY_CHUNK_BITS 10
#define ENTRY_CHUNK_SLOTS (1u << ENTRY_CHUNK_BITS)
#define ENTRY_MAX_CHUNKS (1u << 14)	/* 16 M route ids per table */

struct entry_chunk {
	struct rib_route *slot[ENTRY_CHUNK_SLOTS];
	uint64_t answer[ENTRY_CHUNK_SLOTS];
};

/* An answer word: bits 0-7 prefix length, 8 has tag, 9-31 next-hop index, 32-63 tag. */
#define ENTRY_ANSWER_HAS_TAG (1u << 8)
#define ENTRY_ANSWER_NH_SHIFT 9

static inline unsigned entry_answer_len(uint64_t w)
{
	return (unsigned)(w & 0xff);
}

static inline bool entry_answer_has_tag(uint64_t w)
{
	return w & ENTRY_ANSWER_HAS_TAG;
}

static inline uint32_t entry_answer_nexthop(uint64_t w)
{
	return (uint32_t)w >> ENTRY_ANSWER_NH_SHIFT;
}

static inline uint32_t entry_answer_tag(uint64_t w)
{
	return (uint32_t)(w >> 32);
}

struct entry_usage {
	uint64_t used[ENTRY_CHUNK_SLOTS / 64];	/* bit set: id allocated (or awaiting release) */
	uint32_t count;
};

struct entries {
	const struct wlock *lock;
	struct entry_chunk **chunks;	/* [ENTRY_MAX_CHUNKS], read by lookups */
	struct entry_usage **usage;	/* [ENTRY_MAX_CHUNKS], writer only */
	uint32_t first_free_chunk;	/* no free id below this chunk */
	uint64_t live;			/* allocated ids */
	uint64_t nchunks;
};

int entries_init(struct entries *e, const struct wlock *lock);
void entries_fini(struct entries *e);

/* A new id whose slot holds r (not yet reachable by readers). 0 on ENOMEM/ENOSPC. */
uint32_t entries_alloc(struct entries *e, struct rib_route *r);
/* Publish r as the route of id. */
void entries_set(struct entries *e, uint32_t id, struct rib_route *r);
/* Recycle id (see above for when this is allowed). */
void entries_release(struct entries *e, uint32_t id);

/* Where id's answer word lives, for prefetching (inside a read-side section). */
static inline const uint64_t *entries_answer_slot(const struct entries *e, uint32_t id)
{
	uint32_t i = id - 1;
	/* Pairs with rcu_assign_pointer() in entries_alloc(). */
	struct entry_chunk *c = rcu_dereference(e->chunks[i >> ENTRY_CHUNK_BITS]);

	return &c->answer[i & (ENTRY_CHUNK_SLOTS - 1)];
}

/*
 * The answer word of a live id, inside a read-side section. The load pairs
 * with the release store in entries_set() (or, for a new id, the FIB
 * publish that made it reachable); the next-hop index in it is an address
 * dependency for nexthop_by_index(), as with rcu_dereference().
 */
static inline uint64_t entries_answer(const struct entries *e, uint32_t id)
{
	uint64_t w = CMM_LOAD_SHARED(*entries_answer_slot(e, id));

	cmm_smp_read_barrier_depends();
	return w;
}

static inline struct rib_route *entries_get(const struct entries *e, uint32_t id)
{
	uint32_t i = id - 1;
	/*
	 * Both loads pair with rcu_assign_pointer() in entries_alloc() and
	 * entries_set(): the chunk and the route are fully initialised before
	 * they become visible here.
	 */
	struct entry_chunk *c = rcu_dereference(e->chunks[i >> ENTRY_CHUNK_BITS]);

	return rcu_dereference(c->slot[i & (ENTRY_CHUNK_SLOTS - 1)]);
}

static inline size_t entries_bytes(const struct entries *e)
{
	return ENTRY_MAX_CHUNKS * 2 * sizeof(void *) +
	       e->nchunks * (sizeof(struct entry_chunk) + sizeof(struct entry_usage));
}

#endif

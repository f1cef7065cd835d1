/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route ids: the FIB's leaves are 32-bit ids, not pointers, to keep the trie
 * small; this table maps an id to the selected route of its prefix.
 *
 * For each id, beside its route pointer, an answer word: what a lookup client is told
 * about the route (prefix length, tag, next-hop index) packed into 64 bits,
 * so answering costs one load from an array indexed by id rather than the
 * route and its next hop, scattered over the heap. One aligned 64-bit
 * store replaces a word, so readers see the old answer or the new, whole.
 *
 * The route pointers live in two levels (a fixed directory of chunk
 * pointers, chunks of 1024 slots), so the table grows without moving slots
 * that readers may be loading. The answer words live in one array indexed
 * by id, in a mapping reserved at init for every id the table can hand out
 * (ROUTE_ID_MAX_CHUNKS chunks' worth, 128 MiB of address space, mapped
 * inaccessible and made writable 2 MiB at a time as the ids reach it, so
 * that only that much is charged against the commit limit) and touched
 * only where ids are in use: an answer costs no directory load,
 * and once the ids reach past the first 2 MiB the mapping is advised as
 * huge pages, so a full table's answer words (8 MiB for a million routes)
 * take a handful of TLB entries instead of one per 4 KiB. A table that
 * stays small keeps small pages. Ids are handed out lowest first; a chunk
 * whose ids are all free again is freed, and its answer words given back
 * to the kernel (MADV_DONTNEED), so an emptied table returns to its
 * baseline memory.
 *
 * Concurrency: route_ids_alloc/route_ids_set/route_ids_release need the writer
 * lock. route_ids_release() may only be called once no reader can hold the id
 * any more (a grace period after the last FIB leaf with it was unpublished).
 * route_ids_get() is the reader side, inside a read-side section.
 */
#ifndef ROUTED_ROUTE_IDS_H
#define ROUTED_ROUTE_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <urcu/urcu-memb.h>

struct rib_route;
struct wlock;

#define ROUTE_ID_CHUNK_BITS 10
#define ROUTE_ID_CHUNK_SLOTS (1u << ROUTE_ID_CHUNK_BITS)
#define ROUTE_ID_MAX_CHUNKS (1u << 14)	/* 16 M route ids per table */

#define ROUTE_ID_MAX (ROUTE_ID_MAX_CHUNKS * ROUTE_ID_CHUNK_SLOTS)
/* Chunks whose answer words fill one 2 MiB huge page. */
#define ROUTE_ID_HUGE_CHUNKS ((2u << 20) / (ROUTE_ID_CHUNK_SLOTS * sizeof(uint64_t)))

struct route_id_chunk {
	struct rib_route *slot[ROUTE_ID_CHUNK_SLOTS];
};

/*
 * An answer word: bits 0-7 prefix length, 8 has tag, 9 reject (a route of
 * a rejecting type: its next hop is not forwarded to), 10 multipath (the
 * next-hop index names a group: the reader picks a member by the
 * address's hash), 11-31 next-hop index (NEXTHOP_INDEX_BITS wide), 32-63
 * tag (0 without one). Bits 8-10 shifted right by 6 are the wire answer
 * flags RT_WIRE_A_TAG, RT_WIRE_A_REJECT and RT_WIRE_A_MULTIPATH
 * (table_lookup.c asserts it), so an answer's flags cost a shift and a mask.
 */
#define ROUTE_ID_ANSWER_HAS_TAG (1u << 8)
#define ROUTE_ID_ANSWER_REJECT (1u << 9)
#define ROUTE_ID_ANSWER_MULTIPATH (1u << 10)
#define ROUTE_ID_ANSWER_NH_SHIFT 11
#define ROUTE_ID_ANSWER_WIRE_SHIFT 6
#define ROUTE_ID_ANSWER_WIRE_FLAGS (7u << 8)	/* has tag, reject, multipath */

static inline unsigned route_id_answer_len(uint64_t w)
{
	return (unsigned)(w & 0xff);
}

static inline bool route_id_answer_has_tag(uint64_t w)
{
	return w & ROUTE_ID_ANSWER_HAS_TAG;
}

static inline bool route_id_answer_reject(uint64_t w)
{
	return w & ROUTE_ID_ANSWER_REJECT;
}

static inline bool route_id_answer_multipath(uint64_t w)
{
	return w & ROUTE_ID_ANSWER_MULTIPATH;
}

static inline uint32_t route_id_answer_nexthop(uint64_t w)
{
	return (uint32_t)w >> ROUTE_ID_ANSWER_NH_SHIFT;
}

static inline uint32_t route_id_answer_tag(uint64_t w)
{
	return (uint32_t)(w >> 32);
}

struct route_id_usage {
	uint64_t used[ROUTE_ID_CHUNK_SLOTS / 64];	/* bit set: id allocated (or awaiting release) */
	uint32_t count;
};

struct route_ids {
	const struct wlock *lock;
	struct route_id_chunk **chunks;	/* [ROUTE_ID_MAX_CHUNKS], read by lookups */
	struct route_id_usage **usage;	/* [ROUTE_ID_MAX_CHUNKS], writer only */
	uint64_t *answers;		/* [ROUTE_ID_MAX] by id - 1, read by lookups; never moves */
	bool huge;			/* answers advised as huge pages */
	bool small_pages;		/* never advised (ROUTED_ROUTE_IDS_HUGE=0) */
	uint64_t committed;		/* bit b: answers' 2 MiB block b is writable */
	uint32_t first_free_chunk;	/* no free id below this chunk */
	uint64_t live;			/* allocated ids */
	uint64_t nchunks;
};

int route_ids_init(struct route_ids *e, const struct wlock *lock);
void route_ids_fini(struct route_ids *e);

/* A new id whose slot holds r (not yet reachable by readers). 0 on ENOMEM/ENOSPC. */
uint32_t route_ids_alloc(struct route_ids *e, struct rib_route *r);
/* Publish r as the route of id. */
void route_ids_set(struct route_ids *e, uint32_t id, struct rib_route *r);
/* Recycle id (see above for when this is allowed). */
void route_ids_release(struct route_ids *e, uint32_t id);

/*
 * Where id's answer word lives, for prefetching (inside a read-side
 * section). answers is e->answers, which never moves: a batch may load it
 * once, so that its stores (a datagram's bytes, which may alias anything)
 * do not make the compiler load it again for every id. The address
 * depends on id, which the reader loaded from the FIB: that dependency is
 * what orders the word's load after the FIB publish (see
 * route_ids_answer_at()).
 */
static inline const uint64_t *route_ids_answer_slot_in(const uint64_t *answers, uint32_t id)
{
	return &answers[id - 1];
}

static inline const uint64_t *route_ids_answer_slot(const struct route_ids *e, uint32_t id)
{
	return route_ids_answer_slot_in(e->answers, id);
}

/*
 * The answer word of a live id, inside a read-side section. The load pairs
 * with the release store in route_ids_set() (or, for a new id, with the
 * FIB publish that made it reachable, which route_ids_alloc()'s store
 * precedes); the next-hop index in it is an address dependency for
 * nexthop_by_index(), as with rcu_dereference(). The memory under a live
 * id's word is never given back (only a chunk of released ids is, a grace
 * period after their last use). By the word's place
 * (route_ids_answer_slot(), found while prefetching), by the array, or by
 * the table.
 */
static inline uint64_t route_ids_answer_at(const uint64_t *slot)
{
	uint64_t w = CMM_LOAD_SHARED(*slot);

	cmm_smp_read_barrier_depends();
	return w;
}

static inline uint64_t route_ids_answer_in(const uint64_t *answers, uint32_t id)
{
	return route_ids_answer_at(route_ids_answer_slot_in(answers, id));
}

static inline uint64_t route_ids_answer(const struct route_ids *e, uint32_t id)
{
	return route_ids_answer_in(e->answers, id);
}

static inline struct rib_route *route_ids_get(const struct route_ids *e, uint32_t id)
{
	uint32_t i = id - 1;
	/*
	 * Both loads pair with rcu_assign_pointer() in route_ids_alloc() and
	 * route_ids_set(): the chunk and the route are fully initialised before
	 * they become visible here.
	 */
	struct route_id_chunk *c = rcu_dereference(e->chunks[i >> ROUTE_ID_CHUNK_BITS]);

	return rcu_dereference(c->slot[i & (ROUTE_ID_CHUNK_SLOTS - 1)]);
}

static inline size_t route_ids_bytes(const struct route_ids *e)
{
	return ROUTE_ID_MAX_CHUNKS * 2 * sizeof(void *) +
	       e->nchunks * (sizeof(struct route_id_chunk) + sizeof(struct route_id_usage) +
			     ROUTE_ID_CHUNK_SLOTS * sizeof(uint64_t));
}

#endif

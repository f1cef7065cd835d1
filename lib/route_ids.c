/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "route_ids.h"
#include "nexthop.h"
#include "rib.h"
#include "wlock.h"

int route_ids_init(struct route_ids *e, const struct wlock *lock)
{
	memset(e, 0, sizeof(*e));
	e->lock = lock;
	e->chunks = calloc(ROUTE_ID_MAX_CHUNKS, sizeof(*e->chunks));
	e->usage = calloc(ROUTE_ID_MAX_CHUNKS, sizeof(*e->usage));
	if (!e->chunks || !e->usage) {
		route_ids_fini(e);
		return -ENOMEM;
	}
	return 0;
}

void route_ids_fini(struct route_ids *e)
{
	for (uint32_t i = 0; e->chunks && i < ROUTE_ID_MAX_CHUNKS; i++) {
		free(e->chunks[i]);
		free(e->usage[i]);
	}
	free(e->chunks);
	free(e->usage);
	e->chunks = NULL;
	e->usage = NULL;
}

/* The writer's view of chunk ci, under the writer lock. */
static struct route_id_chunk *chunk_locked(const struct route_ids *e, uint32_t ci)
{
	return wlock_dereference(e->chunks[ci], e->lock);
}

/* A route without a tag gets 0 in the tag bits: answers copy them as they are. */
static uint64_t answer_word(const struct rib_route *r)
{
	return (uint64_t)(r->has_tag ? r->tag : 0) << 32 | (uint64_t)r->nh->index << ROUTE_ID_ANSWER_NH_SHIFT |
	       (rt_route_type_rejects(r->type) ? ROUTE_ID_ANSWER_REJECT : 0) |
	       (r->nh->mp ? ROUTE_ID_ANSWER_MULTIPATH : 0) |
	       (r->has_tag ? ROUTE_ID_ANSWER_HAS_TAG : 0) | r->prefix.len;
}

uint32_t route_ids_alloc(struct route_ids *e, struct rib_route *r)
{
	wlock_assert_held(e->lock);
	for (uint32_t ci = e->first_free_chunk; ci < ROUTE_ID_MAX_CHUNKS; ci++) {
		struct route_id_usage *u = e->usage[ci];
		struct route_id_chunk *c;

		if (!u) {
			c = calloc(1, sizeof(*c));
			u = calloc(1, sizeof(*u));
			if (!c || !u) {
				free(c);
				free(u);
				return 0;
			}
			e->usage[ci] = u;
			/* Pairs with rcu_dereference() in route_ids_get(): a zeroed chunk. */
			rcu_assign_pointer(e->chunks[ci], c);
			e->nchunks++;
		}
		if (u->count == ROUTE_ID_CHUNK_SLOTS) {
			e->first_free_chunk = ci + 1;
			continue;
		}
		c = chunk_locked(e, ci);
		for (unsigned w = 0; w < ROUTE_ID_CHUNK_SLOTS / 64; w++) {
			unsigned b;

			if (u->used[w] == ~0ULL)
				continue;
			b = (unsigned)__builtin_ctzll(~u->used[w]);
			u->used[w] |= 1ULL << b;
			u->count++;
			e->live++;
			e->first_free_chunk = ci;
			/* Not reachable yet: the FIB publish that uses the id orders these stores. */
			CMM_STORE_SHARED(c->slot[w * 64 + b], r);
			CMM_STORE_SHARED(c->answer[w * 64 + b], answer_word(r));
			return (ci << ROUTE_ID_CHUNK_BITS) + w * 64 + b + 1;
		}
	}
	return 0;
}

void route_ids_set(struct route_ids *e, uint32_t id, struct rib_route *r)
{
	uint32_t i = id - 1;
	struct route_id_chunk *c = chunk_locked(e, i >> ROUTE_ID_CHUNK_BITS);

	/* Pairs with rcu_dereference() in route_ids_get(): r is fully built. */
	rcu_assign_pointer(c->slot[i & (ROUTE_ID_CHUNK_SLOTS - 1)], r);
	/*
	 * Pairs with the dependent load in route_ids_answer(): the next hop
	 * (and its index slot) the word names is published before the word.
	 * One 64-bit store: the word is never seen torn.
	 */
	cmm_smp_wmb();
	CMM_STORE_SHARED(c->answer[i & (ROUTE_ID_CHUNK_SLOTS - 1)], answer_word(r));
}

void route_ids_release(struct route_ids *e, uint32_t id)
{
	uint32_t i = id - 1, ci = i >> ROUTE_ID_CHUNK_BITS, si = i & (ROUTE_ID_CHUNK_SLOTS - 1);
	struct route_id_usage *u = e->usage[ci];
	struct route_id_chunk *c = chunk_locked(e, ci);

	u->used[si / 64] &= ~(1ULL << (si % 64));
	u->count--;
	e->live--;
	c->slot[si] = NULL;
	if (ci < e->first_free_chunk)
		e->first_free_chunk = ci;
	if (u->count)
		return;
	/*
	 * Every id of the chunk was released, each a grace period after its
	 * last use: no reader can index this chunk any more.
	 */
	free(c);
	free(u);
	e->chunks[ci] = NULL;
	e->usage[ci] = NULL;
	e->nchunks--;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nexthop.h"
#include "reclaim.h"
#include "wlock.h"

#define NEXTHOP_MIN_BUCKETS 64

/* FNV-1a over the identity of a next hop. */
static uint32_t nexthop_hash(const struct rt_addr *gw, const char *dev)
{
	uint32_t h = 2166136261u;

	h = (h ^ gw->family) * 16777619u;
	for (unsigned i = 0; i < 16; i++)
		h = (h ^ gw->bytes[i]) * 16777619u;
	for (; *dev; dev++)
		h = (h ^ (uint8_t)*dev) * 16777619u;
	return h;
}

/* A group's hash: its interned identity, the pointer. */
static uint32_t group_hash(const struct rt_nhgroup *g)
{
	uint64_t v = (uint64_t)(uintptr_t)g;

	v *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(v >> 32);
}

static int nexthop_same(const struct nexthop *nh, const struct rt_addr *gw, const char *dev)
{
	return !nh->mp && nh->gateway.family == gw->family &&
	       memcmp(nh->gateway.bytes, gw->bytes, 16) == 0 && strcmp(nh->dev, dev) == 0;
}

int nexthop_table_init(struct nexthop_table *nt, const struct wlock *lock)
{
	memset(nt, 0, sizeof(*nt));
	nt->lock = lock;
	nt->buckets = calloc(NEXTHOP_MIN_BUCKETS, sizeof(*nt->buckets));
	nt->dir = calloc(NEXTHOP_DIR_SLOTS, sizeof(*nt->dir));
	if (!nt->buckets || !nt->dir) {
		free(nt->buckets);
		free(nt->dir);
		return -ENOMEM;
	}
	nt->nbuckets = NEXTHOP_MIN_BUCKETS;
	return 0;
}

void nexthop_table_fini(struct nexthop_table *nt)
{
	for (size_t i = 0; i < nt->nbuckets; i++) {
		struct nexthop *nh = nt->buckets[i], *next;

		for (; nh; nh = next) {
			next = nh->hash_next;
			free(nh->mp);
			free(nh);
		}
	}
	free(nt->buckets);
	for (uint32_t i = 0; nt->dir && i < NEXTHOP_DIR_SLOTS; i++)
		free(nt->dir[i]);
	free(nt->dir);
	free(nt->free_index);
	nt->buckets = NULL;
	nt->dir = NULL;
	nt->free_index = NULL;
	nt->nbuckets = nt->count = 0;
}

/* The writer's view of chunk ci of the index table, under the writer lock. */
static struct nexthop_chunk *chunk_locked(const struct nexthop_table *nt, uint32_t ci)
{
	return wlock_dereference(nt->dir[ci], nt->lock);
}

/* nh's answer record: the gateway in wire form, and the flag that says it has one. */
static void answer_encode(struct nexthop_answer *a, const struct nexthop *nh)
{
	memset(a, 0, sizeof(*a));
	if (nh->mp || !nh->gateway.family)
		return;
	a->flags = RT_WIRE_A_GATEWAY;
	memcpy(a->gateway, nh->gateway.bytes, rt_family_bits(nh->gateway.family) / 8);
}

/*
 * An index for nh, published in the index table; 0 when out of memory or of
 * indexes. The recycling stack always has room for every index handed out,
 * so releasing one never needs memory.
 */
static uint32_t index_take(struct nexthop_table *nt, struct nexthop *nh)
{
	uint32_t index, i;
	struct nexthop_chunk *c;

	if (nt->n_free) {
		index = nt->free_index[--nt->n_free];
	} else {
		if (nt->next_index == NEXTHOP_MAX_INDEX)
			return 0;
		if (nt->next_index == nt->free_cap) {
			uint32_t cap = nt->free_cap ? nt->free_cap * 2 : 64;
			uint32_t *f = realloc(nt->free_index, cap * sizeof(*f));

			if (!f)
				return 0;
			nt->free_index = f;
			nt->free_cap = cap;
		}
		index = nt->next_index + 1;
	}
	i = index - 1;
	c = chunk_locked(nt, i >> NEXTHOP_CHUNK_BITS);
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			goto undo;
		/* Pairs with rcu_dereference() in nexthop_by_index(): a zeroed chunk. */
		rcu_assign_pointer(nt->dir[i >> NEXTHOP_CHUNK_BITS], c);
		nt->nchunks++;
	}
	answer_encode(&c->answer[i & (NEXTHOP_CHUNK_SLOTS - 1)], nh);
	/*
	 * Pairs with rcu_dereference() in nexthop_by_index(): nh is complete.
	 * Its release also orders the answer record before the answer words
	 * that will name the index (nexthop_answer_by_index()); a recycled
	 * index's old record was last read a grace period ago.
	 * No answer word names the index yet; the one that will is published
	 * after this (route_ids_set()/the FIB publish).
	 */
	rcu_assign_pointer(c->slot[i & (NEXTHOP_CHUNK_SLOTS - 1)], nh);
	if (index == nt->next_index + 1)
		nt->next_index++;
	return index;
undo:
	if (index != nt->next_index + 1)
		nt->free_index[nt->n_free++] = index;
	return 0;
}

void nexthop_index_release(struct nexthop_table *nt, uint32_t index)
{
	uint32_t i = index - 1;

	/* A grace period has passed: no reader holds a word naming it. */
	chunk_locked(nt, i >> NEXTHOP_CHUNK_BITS)->slot[i & (NEXTHOP_CHUNK_SLOTS - 1)] = NULL;
	nt->free_index[nt->n_free++] = index;
	if (nt->n_free < nt->next_index)
		return;
	/*
	 * Every index is free again, each a grace period after its last use:
	 * no reader can reach the chunks. An emptied table returns to its
	 * baseline memory.
	 */
	for (uint32_t c = 0; c < NEXTHOP_DIR_SLOTS && nt->nchunks; c++) {
		if (chunk_locked(nt, c)) {
			free(nt->dir[c]);
			nt->dir[c] = NULL;
			nt->nchunks--;
		}
	}
	free(nt->free_index);
	nt->free_index = NULL;
	nt->n_free = nt->free_cap = nt->next_index = 0;
}

/* Keep the load factor under 1; a failed resize only costs speed. */
static void nexthop_table_grow(struct nexthop_table *nt)
{
	size_t n = nt->nbuckets * 2;
	struct nexthop **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < nt->nbuckets; i++) {
		struct nexthop *nh = nt->buckets[i], *next;

		for (; nh; nh = next) {
			next = nh->hash_next;
			nh->hash_next = b[nh->hash & (n - 1)];
			b[nh->hash & (n - 1)] = nh;
		}
	}
	free(nt->buckets);
	nt->buckets = b;
	nt->nbuckets = n;
}

/* Hash nh (complete, indexed) into the table. */
static void nexthop_hash_in(struct nexthop_table *nt, struct nexthop *nh)
{
	if (nt->count >= nt->nbuckets)
		nexthop_table_grow(nt);
	nh->hash_next = nt->buckets[nh->hash & (nt->nbuckets - 1)];
	nt->buckets[nh->hash & (nt->nbuckets - 1)] = nh;
	nt->count++;
}

static size_t mp_size(const struct nexthop_mp *mp)
{
	return sizeof(*mp) + mp->nslots;
}

/* Drop the members a group being built holds so far (no reader saw the group). */
static void mp_discard(struct nexthop_table *nt, struct nexthop_mp *mp, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		nexthop_put_unpublished(nt, mp->member[i]);
	free(mp);
}

/* The members and slots of g, each member found or created with a reference. */
static struct nexthop_mp *mp_build(struct nexthop_table *nt, const struct rt_nhgroup *g)
{
	struct nexthop_mp *mp = calloc(1, sizeof(*mp) + g->total_weight);
	uint32_t s = 0;

	if (!mp)
		return NULL;
	mp->group = g;
	mp->nslots = g->total_weight;
	for (unsigned i = 0; i < g->count; i++) {
		mp->member[i] = nexthop_get(nt, &g->hop[i].gateway, g->hop[i].dev);
		if (!mp->member[i]) {
			mp_discard(nt, mp, i);
			return NULL;
		}
		for (unsigned w = 0; w < g->hop[i].weight; w++)
			mp->slot[s++] = (uint8_t)i;
	}
	return mp;
}

struct nexthop *nexthop_get_group(struct nexthop_table *nt, const struct rt_nhgroup *g)
{
	uint32_t h = group_hash(g);
	struct nexthop *nh;

	wlock_assert_held(nt->lock);
	for (nh = nt->buckets[h & (nt->nbuckets - 1)]; nh; nh = nh->hash_next) {
		if (nh->hash == h && nh->mp && nh->mp->group == g) {
			nh->refcnt++;
			return nh;
		}
	}
	nh = calloc(1, sizeof(*nh));
	if (!nh)
		return NULL;
	nh->mp = mp_build(nt, g);
	if (!nh->mp) {
		free(nh);
		return NULL;
	}
	nh->refcnt = 1;
	nh->hash = h;
	/* Publishes nh with its members and slots, all written above. */
	nh->index = index_take(nt, nh);
	if (!nh->index) {
		mp_discard(nt, nh->mp, g->count);
		free(nh);
		return NULL;
	}
	nt->mp_bytes += mp_size(nh->mp);
	nexthop_hash_in(nt, nh);
	return nh;
}

struct nexthop *nexthop_get(struct nexthop_table *nt, const struct rt_addr *gateway, const char *dev)
{
	static const struct rt_addr none;
	const struct rt_addr *gw = gateway && gateway->family ? gateway : &none;
	uint32_t h = nexthop_hash(gw, dev ? dev : "");
	struct nexthop *nh;

	wlock_assert_held(nt->lock);
	dev = dev ? dev : "";
	for (nh = nt->buckets[h & (nt->nbuckets - 1)]; nh; nh = nh->hash_next) {
		if (nh->hash == h && nexthop_same(nh, gw, dev)) {
			nh->refcnt++;
			return nh;
		}
	}
	nh = calloc(1, sizeof(*nh));
	if (!nh)
		return NULL;
	nh->refcnt = 1;
	nh->hash = h;
	nh->gateway = *gw;
	strncpy(nh->dev, dev, RT_DEV_LEN - 1);
	nh->index = index_take(nt, nh);
	if (!nh->index) {
		free(nh);
		return NULL;
	}
	nexthop_hash_in(nt, nh);
	return nh;
}

void nexthop_hold(struct nexthop_table *nt, struct nexthop *nh)
{
	wlock_assert_held(nt->lock);
	nh->refcnt++;
}

/* Unhash nh after its last reference is gone. */
static void nexthop_unhash(struct nexthop_table *nt, struct nexthop *nh)
{
	struct nexthop **pp;

	for (pp = &nt->buckets[nh->hash & (nt->nbuckets - 1)]; *pp != nh; pp = &(*pp)->hash_next)
		;
	*pp = nh->hash_next;
	nt->count--;
	if (!nt->count && nt->nbuckets > NEXTHOP_MIN_BUCKETS) {
		/* Empty again: give the grown bucket array back. */
		struct nexthop **b = calloc(NEXTHOP_MIN_BUCKETS, sizeof(*b));

		if (b) {
			free(nt->buckets);
			nt->buckets = b;
			nt->nbuckets = NEXTHOP_MIN_BUCKETS;
		}
	}
}

void nexthop_put_unpublished(struct nexthop_table *nt, struct nexthop *nh)
{
	wlock_assert_held(nt->lock);
	if (--nh->refcnt)
		return;
	nexthop_unhash(nt, nh);
	/* No answer word ever named it: the index is free at once. */
	nexthop_index_release(nt, nh->index);
	if (nh->mp) {
		nt->mp_bytes -= mp_size(nh->mp);
		mp_discard(nt, nh->mp, nh->mp->group->count);
	}
	free(nh);
}

void nexthop_put(struct nexthop_table *nt, struct nexthop *nh, struct reclaim *rc)
{
	wlock_assert_held(nt->lock);
	if (--nh->refcnt)
		return;
	nexthop_unhash(nt, nh);
	/* Readers may still be copying it out of a route or an answer word they found. */
	reclaim_id(rc, NEXTHOP_ID_FLAG | nh->index);
	if (nh->mp) {
		/*
		 * A reader that found the group may still pick a member: the
		 * members and the slots go a grace period later, like nh.
		 */
		for (unsigned i = 0; i < nh->mp->group->count; i++)
			nexthop_put(nt, nh->mp->member[i], rc);
		nt->mp_bytes -= mp_size(nh->mp);
		reclaim_free(rc, nh->mp, mp_size(nh->mp));
	}
	reclaim_free(rc, nh, sizeof(*nh));
}

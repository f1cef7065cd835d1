/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "route_ids.h"
#include "nexthop.h"
#include "rib.h"
#include "wlock.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define HUGE_PAGE (2u << 20)
#define ANSWERS_BYTES ((size_t)ROUTE_ID_MAX * sizeof(uint64_t))
#define CHUNK_ANSWER_BYTES (ROUTE_ID_CHUNK_SLOTS * sizeof(uint64_t))

_Static_assert(ANSWERS_BYTES / HUGE_PAGE <= 64, "a bit of route_ids.committed per 2 MiB");

/*
 * The answer array's mapping, aligned to a huge page so that each 2 MiB
 * of it can be one. Address space only: mapped PROT_NONE, which the
 * kernel does not charge against the commit limit (a writable private
 * mapping is charged in full under vm.overcommit_memory=2, MAP_NORESERVE
 * or not), and made writable 2 MiB at a time as ids reach it
 * (answers_commit()); only the pages under ids in use are ever touched.
 */
static uint64_t *answers_map(void)
{
	size_t span = ANSWERS_BYTES + HUGE_PAGE;
	char *raw = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
	char *start;

	if (raw == MAP_FAILED)
		return NULL;
	start = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (start > raw)
		munmap(raw, (size_t)(start - raw));
	if (start + ANSWERS_BYTES < raw + span)
		munmap(start + ANSWERS_BYTES, (size_t)(raw + span - start - ANSWERS_BYTES));
	return (uint64_t *)start;
}

/* ROUTED_ROUTE_IDS_HUGE=0 keeps the answer words in small pages (routed(8)). */
static bool small_pages_wanted(void)
{
	const char *v = getenv("ROUTED_ROUTE_IDS_HUGE");

	return v && strcmp(v, "0") == 0;
}

int route_ids_init(struct route_ids *e, const struct wlock *lock)
{
	memset(e, 0, sizeof(*e));
	e->lock = lock;
	e->chunks = calloc(ROUTE_ID_MAX_CHUNKS, sizeof(*e->chunks));
	e->usage = calloc(ROUTE_ID_MAX_CHUNKS, sizeof(*e->usage));
	e->answers = answers_map();
	e->small_pages = small_pages_wanted();
	if (!e->chunks || !e->usage || !e->answers) {
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
	if (e->answers)
		munmap(e->answers, ANSWERS_BYTES);
	e->chunks = NULL;
	e->usage = NULL;
	e->answers = NULL;
}

/*
 * Once the ids reach the second huge page's worth of answer words, the
 * whole array is advised as huge pages: later faults in an untouched 2 MiB
 * range get a huge page, and the first range, touched in small pages, is
 * collapsed now rather than whenever khugepaged comes by. A table that
 * stays below keeps small pages, so hundreds of small tables do not cost
 * 2 MiB each. Advice only: a kernel without transparent huge pages (or
 * without MADV_COLLAPSE) refuses, and the array works the same in small
 * pages.
 */
static void answers_advise(struct route_ids *e, uint32_t ci)
{
	if (e->huge || e->small_pages || ci < ROUTE_ID_HUGE_CHUNKS)
		return;
	e->huge = true;
	(void)madvise(e->answers, ANSWERS_BYTES, MADV_HUGEPAGE);
	(void)madvise(e->answers, HUGE_PAGE, MADV_COLLAPSE);
}

/*
 * Make the 2 MiB of answer words that chunk ci's lie in writable, once:
 * the commit charge a table's answer words take grows with its ids, in
 * the steps a huge page takes. Never undone (a released chunk's pages go
 * back with MADV_DONTNEED, the charge stays), so every id below the
 * highest handed out lies in readable memory. -ENOMEM if the kernel
 * refuses the charge.
 */
static int answers_commit(struct route_ids *e, uint32_t ci)
{
	size_t block = ((size_t)ci * CHUNK_ANSWER_BYTES) / HUGE_PAGE;

	if (e->committed & (1ULL << block))
		return 0;
	if (mprotect((char *)e->answers + block * HUGE_PAGE, HUGE_PAGE, PROT_READ | PROT_WRITE))
		return -ENOMEM;
	e->committed |= 1ULL << block;
	return 0;
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
			if (!c || !u || answers_commit(e, ci)) {
				free(c);
				free(u);
				return 0;
			}
			e->usage[ci] = u;
			/* Pairs with rcu_dereference() in route_ids_get(): a zeroed chunk. */
			rcu_assign_pointer(e->chunks[ci], c);
			e->nchunks++;
			answers_advise(e, ci);
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
			CMM_STORE_SHARED(e->answers[(ci << ROUTE_ID_CHUNK_BITS) + w * 64 + b],
					 answer_word(r));
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
	CMM_STORE_SHARED(e->answers[i], answer_word(r));
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
	 * last use: no reader can index this chunk, nor load its answer
	 * words, any more. Those read 0 once the kernel has the pages back,
	 * and are written again before a new id of the chunk is published.
	 */
	(void)madvise(e->answers + ((size_t)ci << ROUTE_ID_CHUNK_BITS), CHUNK_ANSWER_BYTES,
		      MADV_DONTNEED);
	free(c);
	free(u);
	e->chunks[ci] = NULL;
	e->usage[ci] = NULL;
	e->nchunks--;
}

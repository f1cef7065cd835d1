/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A slab allocator for the FIB's node blocks (see arena.h).
 *
 * A region is ARENA_REGION bytes aligned to its size, so a block finds its
 * region by masking its address. Span 0 of a region holds the region's
 * header; every other span, once handed out, serves one size class for
 * the region's lifetime, recorded in span_class[], which is how
 * arena_free() learns a block's size. A class takes blocks from its free
 * list (last freed first, so churn reuses the same few spans) and then
 * from the unused end of its newest span.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"
#include "reclaim.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define SPANS (ARENA_REGION / ARENA_SPAN)
#define CLASSES (ARENA_MAX_BLOCK / ARENA_GRAIN)
#define FREED_POISON 0x6b

struct region {
	struct arena *arena;
	struct region *next;
	unsigned spans_used;		/* spans [0, spans_used) are handed out */
	uint16_t span_class[SPANS];	/* 0: the header span */
};

struct size_class {
	void *free;			/* freed blocks, linked through their first word */
	char *bump, *end;		/* the unused part of the newest span */
};

struct arena {
	pthread_mutex_t lock;
	struct region *regions;
	struct size_class classes[CLASSES + 1];
	uint64_t n_regions, reserved, used, blocks;
	bool huge;			/* regions are advised as huge pages */
	bool released;
};

_Static_assert(sizeof(struct region) <= ARENA_SPAN, "the region header fits span 0");
_Static_assert(ARENA_SPAN % ARENA_MAX_BLOCK == 0, "a span holds whole blocks of the largest class");

struct arena *arena_create(void)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (pthread_mutex_init(&a->lock, NULL)) {
		free(a);
		return NULL;
	}
	return a;
}

/*
 * A small arena (one region: a table with few long prefixes) stays in
 * small pages, so hundreds of small tables do not cost 2 MiB each; from
 * the second region on, every region is advised as huge pages: a new one
 * before it is first touched (a fault in an untouched, advised 2 MiB range
 * gets a huge page), the first one for khugepaged to collapse.
 */
static void advise_huge(struct arena *a, struct region *fresh)
{
	if (a->huge) {
		madvise(fresh, ARENA_REGION, MADV_HUGEPAGE);	/* advice only: ignore errors */
		return;
	}
	if (a->n_regions + 1 < 2)
		return;
	a->huge = true;
	madvise(fresh, ARENA_REGION, MADV_HUGEPAGE);
	for (struct region *r = a->regions; r; r = r->next)
		madvise(r, ARENA_REGION, MADV_HUGEPAGE);
}

/* A mapping of len bytes aligned to ARENA_REGION: map more, trim both ends. */
static void *map_aligned(size_t len)
{
	size_t span = len + ARENA_REGION;
	char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *start;

	if (raw == MAP_FAILED)
		return NULL;
	start = (char *)(((uintptr_t)raw + ARENA_REGION - 1) & ~(uintptr_t)(ARENA_REGION - 1));
	if (start > raw)
		munmap(raw, (size_t)(start - raw));
	if (start + len < raw + span)
		munmap(start + len, (size_t)(raw + span - start - len));
	return start;
}

void *arena_map_huge(size_t size)
{
	size_t len = (size + 4095) & ~(size_t)4095;
	void *p = map_aligned(len);

	if (p && len >= ARENA_REGION)
		madvise(p, len & ~(ARENA_REGION - 1), MADV_HUGEPAGE);	/* advice only */
	return p;
}

void arena_unmap_huge(void *p, size_t size)
{
	if (p)
		munmap(p, (size + 4095) & ~(size_t)4095);
}

static struct region *region_new(struct arena *a)
{
	struct region *r = map_aligned(ARENA_REGION);

	if (!r)
		return NULL;
	advise_huge(a, r);
	r->arena = a;
	r->next = a->regions;
	r->spans_used = 1;
	ARENA_POISON((char *)r + ARENA_SPAN, ARENA_REGION - ARENA_SPAN);
	a->regions = r;
	a->n_regions++;
	return r;
}

/* A fresh span for class k; false without memory. */
static bool span_new(struct arena *a, unsigned k)
{
	struct region *r = a->regions;
	char *span;

	if (!r || r->spans_used == SPANS) {
		r = region_new(a);
		if (!r)
			return false;
	}
	span = (char *)r + (size_t)r->spans_used * ARENA_SPAN;
	r->span_class[r->spans_used++] = (uint16_t)k;
	a->classes[k].bump = span;
	a->classes[k].end = span + ARENA_SPAN;
	a->reserved += ARENA_SPAN;
	return true;
}

void *arena_alloc(struct arena *a, size_t size)
{
	unsigned k = (unsigned)((size + ARENA_GRAIN - 1) / ARENA_GRAIN);
	size_t block_size = (size_t)k * ARENA_GRAIN;
	struct size_class *c;
	void *p = NULL;

	if (!size || size > ARENA_MAX_BLOCK) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&a->lock);
	c = &a->classes[k];
	if (c->free) {
		p = c->free;
		ARENA_UNPOISON(p, sizeof(void *));
		memcpy(&c->free, p, sizeof(void *));
	} else if ((size_t)(c->end - c->bump) >= block_size || span_new(a, k)) {
		p = c->bump;
		c->bump += block_size;
	}
	if (p) {
		a->used += block_size;
		a->blocks++;
		ARENA_UNPOISON(p, block_size);
	}
	pthread_mutex_unlock(&a->lock);
	if (!p)
		errno = ENOMEM;
	return p;
}

/* Every region back to the system; the arena is empty afterwards. */
static void unmap_regions(struct arena *a)
{
	struct region *r = a->regions, *next;

	for (; r; r = next) {
		next = r->next;
		/* The addresses may be mapped again, by anyone. */
		ARENA_UNPOISON(r, ARENA_REGION);
		munmap(r, ARENA_REGION);
	}
	a->regions = NULL;
	memset(a->classes, 0, sizeof(a->classes));
	a->n_regions = 0;
	a->reserved = 0;
	a->huge = false;
}

static void arena_destroy(struct arena *a)
{
	unmap_regions(a);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

void arena_free(void *block)
{
	struct region *r = (struct region *)((uintptr_t)block & ~(uintptr_t)(ARENA_REGION - 1));
	struct arena *a = r->arena;
	unsigned k = r->span_class[((uintptr_t)block - (uintptr_t)r) / ARENA_SPAN];
	size_t block_size = (size_t)k * ARENA_GRAIN;
	bool last;

	pthread_mutex_lock(&a->lock);
	/* Readers are done with it (a grace period has passed): stale reads show. */
	if (rt_poison_enabled())
		memset(block, FREED_POISON, block_size);
	memcpy(block, &a->classes[k].free, sizeof(void *));
	ARENA_POISON(block, block_size);
	a->classes[k].free = block;
	a->used -= block_size;
	a->blocks--;
	/* Empty: the memory goes back (a table emptied holds nothing). */
	last = a->released && !a->blocks;
	if (!a->blocks && !a->released)
		unmap_regions(a);
	pthread_mutex_unlock(&a->lock);
	if (last)
		arena_destroy(a);
}

void arena_release(struct arena *a)
{
	bool empty;

	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->released = true;
	empty = !a->blocks;
	pthread_mutex_unlock(&a->lock);
	if (empty)
		arena_destroy(a);
}

void arena_stats(struct arena *a, struct arena_stats *out)
{
	pthread_mutex_lock(&a->lock);
	*out = (struct arena_stats){
		.regions = a->n_regions,
		.reserved_bytes = a->reserved,
		.used_bytes = a->used,
		.blocks = a->blocks,
	};
	pthread_mutex_unlock(&a->lock);
}

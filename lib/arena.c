/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An allocator for the FIB's node blocks (see arena.h).
 *
 * Blocks are carved in order from the arena's regions by one bump
 * pointer, so a trie built at once lies in the order of its build, each
 * subtree together, as it would from a fresh heap. A freed block goes on
 * the free list of its size class (sizes rounded up to ARENA_GRAIN) and is
 * the next block handed out in that class: churn reuses the holes it makes
 * instead of growing the arena. A region is aligned to its size, so a
 * block finds its region, and the region's header its arena, by masking
 * its address.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <routed/rcu.h>

#include "arena.h"

/* gcc says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif

#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
/*
 * LeakSanitizer scans the heap and globals, not our mappings: what only a
 * mapping points to (the arena, from the trie's header) would look leaked.
 */
#define ARENA_LSAN_ROOT(p, n) __lsan_register_root_region((p), (n))
#define ARENA_LSAN_UNROOT(p, n) __lsan_unregister_root_region((p), (n))
#else
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#define ARENA_LSAN_ROOT(p, n) ((void)(p), (void)(n))
#define ARENA_LSAN_UNROOT(p, n) ((void)(p), (void)(n))
#endif

#define CLASSES (ARENA_MAX_BLOCK / ARENA_GRAIN)
#define HEADER_BYTES 64			/* a region's header, before its first block */
#define FREED_POISON 0x6b

struct region {
	struct arena *arena;
	struct region *next;
};

_Static_assert(sizeof(struct region) <= HEADER_BYTES, "the region header fits");

struct arena {
	pthread_mutex_t lock;
	struct region *regions;		/* newest first: the bump pointer is in it */
	char *bump, *end;		/* the newest region's unused end */
	void *free[CLASSES + 1];	/* freed blocks per class, linked through their first word */
	uint64_t n_regions, reserved, used, blocks;
	bool huge;			/* regions are advised as huge pages */
	bool released;
};

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

	if (!p)
		return NULL;
	if (len >= ARENA_REGION)
		madvise(p, len & ~(ARENA_REGION - 1), MADV_HUGEPAGE);	/* advice only */
	ARENA_LSAN_ROOT(p, len);
	return p;
}

void arena_unmap_huge(void *p, size_t size)
{
	size_t len = (size + 4095) & ~(size_t)4095;

	if (!p)
		return;
	ARENA_LSAN_UNROOT(p, len);
	munmap(p, len);
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
	if (!a->huge && a->n_regions + 1 < 2)
		return;
	madvise(fresh, ARENA_REGION, MADV_HUGEPAGE);	/* advice only: ignore errors */
	if (a->huge)
		return;
	a->huge = true;
	for (struct region *r = a->regions; r; r = r->next)
		madvise(r, ARENA_REGION, MADV_HUGEPAGE);
}

/* Move the bump pointer to a new region; false without memory. */
static bool region_new(struct arena *a)
{
	struct region *r = map_aligned(ARENA_REGION);

	if (!r)
		return false;
	advise_huge(a, r);
	r->arena = a;
	r->next = a->regions;
	ARENA_POISON((char *)r + HEADER_BYTES, ARENA_REGION - HEADER_BYTES);
	a->regions = r;
	a->n_regions++;
	/* The old region's unused end (less than a block) stays unused. */
	a->bump = (char *)r + HEADER_BYTES;
	a->end = (char *)r + ARENA_REGION;
	return true;
}

static unsigned class_of(size_t size)
{
	return (unsigned)((size + ARENA_GRAIN - 1) / ARENA_GRAIN);
}

void *arena_alloc(struct arena *a, size_t size)
{
	unsigned k = class_of(size);
	size_t block_size = (size_t)k * ARENA_GRAIN;
	void *p = NULL;

	if (!size || size > ARENA_MAX_BLOCK) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&a->lock);
	if (a->free[k]) {
		p = a->free[k];
		ARENA_UNPOISON(p, sizeof(void *));
		memcpy(&a->free[k], p, sizeof(void *));
	} else if ((size_t)(a->end - a->bump) >= block_size || region_new(a)) {
		p = a->bump;
		a->bump += block_size;
		a->reserved += block_size;
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
	a->bump = a->end = NULL;
	memset(a->free, 0, sizeof(a->free));
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

void arena_free(void *block, size_t size)
{
	struct region *r = (struct region *)((uintptr_t)block & ~(uintptr_t)(ARENA_REGION - 1));
	struct arena *a = r->arena;
	unsigned k = class_of(size);
	size_t block_size = (size_t)k * ARENA_GRAIN;
	bool last;

	pthread_mutex_lock(&a->lock);
	/* Readers are done with it (a grace period has passed): stale reads show. */
	if (rt_poison_enabled())
		memset(block, FREED_POISON, block_size);
	memcpy(block, &a->free[k], sizeof(void *));
	ARENA_POISON(block, block_size);
	a->free[k] = block;
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

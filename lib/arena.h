/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FIB's node blocks, kept together: small blocks (up to
 * ARENA_MAX_BLOCK bytes) carved from 2 MiB regions of their own.
 *
 * Why not malloc: a FIB update copies a path into fresh blocks. From
 * malloc, they land wherever the heap has a hole, among the RIB's nodes
 * and routes, so after a minute of updates the FIB's 8 MiB was spread over
 * hundreds of MiB, each cache line and page it touches holding little of
 * it, and lookups ran at a third to a half of their rate on the same FIB
 * freshly built. Here blocks are carved in order (a build lies in the
 * order it was built, as from a fresh heap) and a freed block is the next
 * one handed out in its size class, so the FIB stays about as compact as
 * built however long it is updated. Regions are aligned to 2 MiB and,
 * once an arena has two, advised as huge pages, so a lookup's walk needs
 * fewer TLB entries.
 *
 * Blocks are allocated by the table's writer and freed by the writer or,
 * after a grace period, by the reclaim callback on liburcu's thread:
 * arena_alloc() and arena_free() take the arena's mutex. Memory goes back
 * to the system whenever the last block is freed (an emptied table holds
 * none), and the arena itself goes once it is released and its last block
 * freed, in whichever order those happen, so a callback that frees a block
 * late never finds the arena gone.
 */
#ifndef ROUTED_ARENA_H
#define ROUTED_ARENA_H

#include <stddef.h>
#include <stdint.h>

#define ARENA_REGION ((size_t)2 << 20)
#define ARENA_GRAIN 16			/* size classes are multiples of this */
#define ARENA_MAX_BLOCK 2048		/* a FIB node block: 64 children of 32 bytes */

struct arena;

struct arena_stats {
	uint64_t regions;
	uint64_t reserved_bytes;	/* blocks carved from the regions, free ones included */
	uint64_t used_bytes;		/* blocks allocated, by their class size */
	uint64_t blocks;
};

struct arena *arena_create(void);
/*
 * Give the arena up: its memory goes back once every block is freed (at
 * once if none is left). Accepts NULL.
 */
void arena_release(struct arena *a);

/* A block of size bytes (1..ARENA_MAX_BLOCK), 16-byte aligned; NULL on ENOMEM. */
void *arena_alloc(struct arena *a, size_t size);
/*
 * Free a block of size bytes (as allocated) from arena_alloc(), whichever
 * arena it came from. Fits reclaim_call() as its destructor.
 */
void arena_free(void *block, size_t size);

void arena_stats(struct arena *a, struct arena_stats *out);

/*
 * A zeroed mapping of size bytes aligned to ARENA_REGION, its whole 2 MiB
 * pages advised as huge: for the FIB's direct table, which every lookup
 * reads at a random slot. NULL on ENOMEM.
 */
void *arena_map_huge(size_t size);
void arena_unmap_huge(void *p, size_t size);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FIB's block arena: blocks are aligned, disjoint and keep what is
 * written into them; freed blocks are reused within their class; the
 * statistics add up; memory goes back when the last block is freed, also
 * when the arena was released first; frees from another thread (the
 * reclaim callback's) race safely with allocations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "seed.h"

static unsigned long long rng_state;

static uint64_t rng(void)
{
	return seed_rng_next(&rng_state);
}

/* ROUTED_TEST_SEED replays a run; the seed is printed. */
static void seed_rng(void)
{
	rng_state = seed_from_env();
	if (!rng_state)
		rng_state = 1;
}

static size_t class_size(size_t size)
{
	return (size + ARENA_GRAIN - 1) / ARENA_GRAIN * ARENA_GRAIN;
}

static void test_limits(void **state)
{
	struct arena *a = arena_create();
	struct arena_stats st;
	void *p;

	(void)state;
	assert_non_null(a);
	errno = 0;
	assert_null(arena_alloc(a, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(arena_alloc(a, ARENA_MAX_BLOCK + 1));
	arena_stats(a, &st);
	assert_int_equal(st.regions, 0);	/* nothing mapped before the first block */
	p = arena_alloc(a, ARENA_MAX_BLOCK);
	assert_non_null(p);
	memset(p, 0xa5, ARENA_MAX_BLOCK);
	arena_stats(a, &st);
	assert_int_equal(st.regions, 1);
	assert_int_equal(st.blocks, 1);
	assert_int_equal(st.used_bytes, ARENA_MAX_BLOCK);
	assert_int_equal(st.reserved_bytes, ARENA_MAX_BLOCK);
	arena_free(p, ARENA_MAX_BLOCK);
	arena_stats(a, &st);
	assert_int_equal(st.regions, 0);
	assert_int_equal(st.reserved_bytes, 0);
	assert_int_equal(st.used_bytes, 0);
	arena_release(a);
	arena_release(NULL);
}

/* A block's contents: its index, repeated. */
static void fill(void *p, size_t size, uint32_t tag)
{
	for (size_t i = 0; i + 4 <= size; i += 4)
		memcpy((char *)p + i, &tag, 4);
}

static void check_fill(const void *p, size_t size, uint32_t tag)
{
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint32_t v;

		memcpy(&v, (const char *)p + i, 4);
		if (v != tag)
			fail_msg("block %u overwritten at byte %zu", tag, i);
	}
}

#define N_BLOCKS 20000

static int addr_order(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Random sizes, random frees and reallocations: every live block keeps its
 * contents, no two overlap, the counts match, and a freed block's slot
 * comes back to the next block of its class.
 */
static void test_random(void **state)
{
	struct arena *a = arena_create();
	void **blocks = calloc(N_BLOCKS, sizeof(*blocks));
	size_t *sizes = calloc(N_BLOCKS, sizeof(*sizes));
	uintptr_t (*spans)[2] = calloc(N_BLOCKS, sizeof(*spans));
	struct arena_stats st;
	uint64_t used = 0, live = 0;

	(void)state;
	seed_rng();
	assert_non_null(a);
	assert_non_null(blocks);
	for (int round = 0; round < 5; round++) {
		for (uint32_t i = 0; i < N_BLOCKS; i++) {
			if (blocks[i] && rng() % 2) {
				check_fill(blocks[i], sizes[i], i);
				arena_free(blocks[i], sizes[i]);
				used -= class_size(sizes[i]);
				live--;
				blocks[i] = NULL;
			}
			if (!blocks[i] && rng() % 3) {
				/* Mostly small, like FIB blocks; sometimes the largest. */
				sizes[i] = rng() % 16 ? 4 + rng() % 300 : 1 + rng() % ARENA_MAX_BLOCK;
				blocks[i] = arena_alloc(a, sizes[i]);
				assert_non_null(blocks[i]);
				assert_int_equal((uintptr_t)blocks[i] % 16, 0);
				fill(blocks[i], sizes[i], i);
				used += class_size(sizes[i]);
				live++;
			}
		}
		arena_stats(a, &st);
		assert_int_equal(st.blocks, live);
		assert_int_equal(st.used_bytes, used);
		assert_true(st.reserved_bytes >= st.used_bytes);
		assert_true(st.regions * ARENA_REGION >= st.reserved_bytes);
	}
	/* Disjoint. */
	{
		size_t n = 0;

		for (uint32_t i = 0; i < N_BLOCKS; i++)
			if (blocks[i]) {
				spans[n][0] = (uintptr_t)blocks[i];
				spans[n++][1] = (uintptr_t)blocks[i] + class_size(sizes[i]);
			}
		qsort(spans, n, sizeof(*spans), addr_order);
		for (size_t i = 1; i < n; i++)
			assert_true(spans[i - 1][1] <= spans[i][0]);
	}
	/* Last freed, first reused, in the same class. */
	for (uint32_t i = 0; i < N_BLOCKS; i++) {
		if (!blocks[i])
			continue;
		void *old = blocks[i];

		check_fill(old, sizes[i], i);
		arena_free(old, sizes[i]);
		blocks[i] = arena_alloc(a, class_size(sizes[i]) - ARENA_GRAIN + 1);
		assert_ptr_equal(blocks[i], old);
		fill(blocks[i], sizes[i], i);
		break;
	}
	/* Release with blocks left: the memory stays until the last one goes. */
	arena_release(a);
	for (uint32_t i = 0; i < N_BLOCKS; i++)
		if (blocks[i]) {
			check_fill(blocks[i], sizes[i], i);
			arena_free(blocks[i], sizes[i]);
		}
	free(blocks);
	free(sizes);
	free(spans);
}

/* Churn in one class keeps to the spans it already has. */
static void test_churn_stays_dense(void **state)
{
	struct arena *a = arena_create();
	void *blocks[4096];
	struct arena_stats before, after;

	(void)state;
	seed_rng();
	for (size_t i = 0; i < 4096; i++)
		blocks[i] = arena_alloc(a, 40 + 16 * (i % 8));
	arena_stats(a, &before);
	for (int i = 0; i < 200000; i++) {
		size_t k = rng() % 4096;

		arena_free(blocks[k], 40 + 16 * (k % 8));
		blocks[k] = arena_alloc(a, 40 + 16 * (k % 8));
		assert_non_null(blocks[k]);
	}
	arena_stats(a, &after);
	assert_int_equal(after.reserved_bytes, before.reserved_bytes);
	assert_int_equal(after.used_bytes, before.used_bytes);
	for (size_t i = 0; i < 4096; i++)
		arena_free(blocks[i], 40 + 16 * (i % 8));
	arena_stats(a, &after);
	assert_int_equal(after.reserved_bytes, 0);
	arena_release(a);
}

/* The reclaim callback frees on another thread while the writer allocates. */
struct handoff {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	void *queue[1024];
	size_t head, tail;
	bool done;
};

static void *freer(void *arg)
{
	struct handoff *h = arg;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (h->head == h->tail && !h->done)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->head == h->tail && h->done)
			break;
		void *p = h->queue[h->head++ % 1024];

		pthread_cond_broadcast(&h->cond);
		pthread_mutex_unlock(&h->lock);
		check_fill(p, 64, (uint32_t)(uintptr_t)p);
		arena_free(p, 64);
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static void test_free_from_another_thread(void **state)
{
	struct arena *a = arena_create();
	struct handoff h = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct arena_stats st;
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, freer, &h), 0);
	for (int i = 0; i < 300000; i++) {
		void *p = arena_alloc(a, 64);

		assert_non_null(p);
		fill(p, 64, (uint32_t)(uintptr_t)p);
		pthread_mutex_lock(&h.lock);
		while (h.tail - h.head == 1024)
			pthread_cond_wait(&h.cond, &h.lock);
		h.queue[h.tail++ % 1024] = p;
		pthread_cond_broadcast(&h.cond);
		pthread_mutex_unlock(&h.lock);
	}
	pthread_mutex_lock(&h.lock);
	h.done = true;
	pthread_cond_broadcast(&h.cond);
	pthread_mutex_unlock(&h.lock);
	pthread_join(t, NULL);
	arena_stats(a, &st);
	assert_int_equal(st.blocks, 0);
	assert_int_equal(st.reserved_bytes, 0);
	arena_release(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_churn_stays_dense),
		cmocka_unit_test(test_free_from_another_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

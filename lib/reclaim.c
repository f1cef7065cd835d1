/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>
#include <urcu/uatomic.h>

#include <routed/clock.h>
#include <routed/rcu.h>

#include "reclaim.h"
#include "wlock.h"

#define RECLAIM_POISON 0x6b
#define RECLAIM_DEFAULT_LIMIT (256u << 20)

struct retired {
	void (*dtor)(void *obj, size_t size);	/* NULL: plain free() */
	void *obj;
	size_t size;
};

struct reclaim_batch {
	struct rcu_head head;
	struct reclaim *owner;
	struct reclaim_batch *next;	/* owner->with_ids list */
	int done;			/* set by the callback, read by the writer */
	size_t nitems, items_cap;
	struct retired *items;
	size_t nids, ids_cap;
	uint32_t *ids;
	size_t bytes;
};

void reclaim_init(struct reclaim *rc, const struct wlock *lock)
{
	memset(rc, 0, sizeof(*rc));
	rc->lock = lock;
	rc->limit_bytes = RECLAIM_DEFAULT_LIMIT;
	/*
	 * The precise clock: CLOCK_MONOTONIC_COARSE ticks every 1-4 ms, as
	 * long as RECLAIM_BATCH_NS itself. It costs about 20 ns a read (the
	 * coarse one 4 ns), read when a batch opens and when an operation
	 * that retired something commits: noise beside the microseconds of a
	 * table write.
	 */
	rc->clock_ns = rt_clock_ns;
	rc->with_ids_tail = &rc->with_ids;
}

void reclaim_set_id_release(struct reclaim *rc, void (*release_id)(void *arg, uint32_t id),
			    void *arg)
{
	rc->release_id = release_id;
	rc->release_arg = arg;
}

/* Double *cap; false (array unchanged) without memory. */
static bool grow(void **array, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p = realloc(*array, ncap * elem);

	if (!p)
		return false;
	*array = p;
	*cap = ncap;
	return true;
}

static struct reclaim_batch *open_batch(struct reclaim *rc)
{
	wlock_assert_held(rc->lock);
	if (!rc->open) {
		rc->open = calloc(1, sizeof(*rc->open));
		if (!rc->open)
			return NULL;
		rc->open->owner = rc;
		rc->open_since_ns = rc->clock_ns();
	}
	return rc->open;
}

static void emergency_overflow(void)
{
	fprintf(stderr, "routed: out of memory retiring more than %d objects in one table "
		"operation\n", RECLAIM_EMERGENCY);
	abort();
}

/* No memory to queue obj: keep it in the reserve until the operation ends. */
static void reserve_object(struct reclaim *rc, void (*dtor)(void *obj, size_t size), void *obj,
			   size_t size)
{
	if (rc->n_emergency == RECLAIM_EMERGENCY)
		emergency_overflow();
	rc->emergency[rc->n_emergency++] = (struct reclaim_emergency){ dtor, obj, size };
}

static void reserve_id(struct reclaim *rc, uint32_t id)
{
	if (rc->n_emergency_ids == RECLAIM_EMERGENCY)
		emergency_overflow();
	rc->emergency_ids[rc->n_emergency_ids++] = id;
}

/*
 * End of an operation with a reserve: everything in it was unpublished
 * before it was retired, so after one grace period no reader holds it (the
 * call_rcu argument, waited for here instead of in a callback).
 */
static void drain_reserve(struct reclaim *rc)
{
	bool poison = rt_poison_enabled();

	if (!rc->n_emergency && !rc->n_emergency_ids)
		return;
	rc->nomem_fallbacks++;
	rt_rcu_synchronize();
	for (unsigned i = 0; i < rc->n_emergency; i++) {
		struct reclaim_emergency *e = &rc->emergency[i];

		if (e->dtor) {
			e->dtor(e->obj, e->size);
			continue;
		}
		if (poison)
			memset(e->obj, RECLAIM_POISON, e->size);
		free(e->obj);
	}
	for (unsigned i = 0; i < rc->n_emergency_ids; i++)
		rc->release_id(rc->release_arg, rc->emergency_ids[i]);
	rc->n_emergency = 0;
	rc->n_emergency_ids = 0;
}

static void batch_free_items(struct reclaim_batch *b)
{
	bool poison = rt_poison_enabled();

	for (size_t i = 0; i < b->nitems; i++) {
		struct retired *r = &b->items[i];

		if (r->dtor) {
			r->dtor(r->obj, r->size);
			continue;
		}
		if (poison)
			memset(r->obj, RECLAIM_POISON, r->size);
		free(r->obj);
	}
	free(b->items);
	b->items = NULL;
	b->nitems = 0;
}

static void batch_free(struct reclaim_batch *b)
{
	free(b->ids);
	free(b);
}

void reclaim_call(struct reclaim *rc, void (*dtor)(void *obj, size_t size), void *obj,
		  size_t size)
{
	struct reclaim_batch *b;

	if (!obj)
		return;
	b = open_batch(rc);
	if (!b || (b->nitems == b->items_cap &&
		   !grow((void **)&b->items, &b->items_cap, sizeof(*b->items)))) {
		reserve_object(rc, dtor, obj, size);
		return;
	}
	b->items[b->nitems++] = (struct retired){ .dtor = dtor, .obj = obj, .size = size };
	b->bytes += size;
}

void reclaim_free(struct reclaim *rc, void *p, size_t size)
{
	reclaim_call(rc, NULL, p, size);
}

void reclaim_id(struct reclaim *rc, uint32_t id)
{
	struct reclaim_batch *b = open_batch(rc);

	if (!b || (b->nids == b->ids_cap && !grow((void **)&b->ids, &b->ids_cap, sizeof(*b->ids)))) {
		reserve_id(rc, id);
		return;
	}
	b->ids[b->nids++] = id;
}

/* Runs on liburcu's call_rcu thread after a grace period. */
static void batch_reclaim_cb(struct rcu_head *head)
{
	struct reclaim_batch *b = caa_container_of(head, struct reclaim_batch, head);
	struct reclaim *rc = b->owner;
	size_t bytes = b->bytes;
	bool has_ids = b->nids > 0;

	batch_free_items(b);
	uatomic_sub(&rc->pending_bytes, bytes);
	uatomic_dec(&rc->pending_batches);
	if (!has_ids) {
		batch_free(b);
		return;
	}
	/*
	 * Pairs with the barrier in reclaim_collect_ids(): the writer
	 * that sees done == 1 also sees the grace period as over, so no reader
	 * still holds one of these ids.
	 */
	cmm_smp_mb();
	CMM_STORE_SHARED(b->done, 1);
}

void reclaim_commit(struct reclaim *rc)
{
	struct reclaim_batch *b = rc->open;

	wlock_assert_held(rc->lock);
	drain_reserve(rc);
	if (b && b->nitems + b->nids < RECLAIM_BATCH_ITEMS &&
	    rc->clock_ns() - rc->open_since_ns < RECLAIM_BATCH_NS)
		return;
	reclaim_flush(rc);
}

void reclaim_flush(struct reclaim *rc)
{
	struct reclaim_batch *b = rc->open;

	wlock_assert_held(rc->lock);
	drain_reserve(rc);
	if (!b)
		return;
	rc->open = NULL;
	rc->batches++;
	if (b->nids) {
		b->next = NULL;
		*rc->with_ids_tail = b;
		rc->with_ids_tail = &b->next;
	}
	uatomic_add(&rc->pending_bytes, b->bytes);
	uatomic_inc(&rc->pending_batches);
	if (uatomic_read(&rc->pending_bytes) > rc->limit_bytes) {
		/*
		 * Backlog too large for the lazy call_rcu worker: wait out one
		 * grace period here; after it no reader can hold what b holds.
		 */
		rc->sync_fallbacks++;
		rt_rcu_synchronize();
		batch_reclaim_cb(&b->head);
		return;
	}
	/*
	 * call_rcu orders everything this writer did before it (the unlinking
	 * stores) before the callback, which runs after a full grace period.
	 */
	urcu_memb_call_rcu(&b->head, batch_reclaim_cb);
}

void reclaim_collect_ids(struct reclaim *rc, void (*release_id)(void *arg, uint32_t id), void *arg)
{
	struct reclaim_batch *b;

	wlock_assert_held(rc->lock);
	/*
	 * Oldest first, stopping at the first batch still waiting: a later one
	 * that happens to be done is collected next time (ids are only late).
	 */
	while ((b = rc->with_ids) && CMM_LOAD_SHARED(b->done)) {
		/* Pairs with the barrier before done = 1 in batch_reclaim_cb(). */
		cmm_smp_mb();
		for (size_t i = 0; i < b->nids; i++)
			release_id(arg, b->ids[i]);
		rc->with_ids = b->next;
		if (!rc->with_ids)
			rc->with_ids_tail = &rc->with_ids;
		batch_free(b);
	}
}

void reclaim_barrier(struct reclaim *rc)
{
	(void)rc;
	/* Must run outside any read-side section: liburcu returns early there. */
	urcu_memb_barrier();
}

void reclaim_fini(struct reclaim *rc, void (*release_id)(void *arg, uint32_t id), void *arg)
{
	reclaim_flush(rc);
	reclaim_barrier(rc);
	reclaim_collect_ids(rc, release_id, arg);
}

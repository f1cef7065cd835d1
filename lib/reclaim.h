/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deferred reclamation in batches.
 *
 * A writer retires memory (and route ids) while it changes a table; at the
 * end of an operation reclaim_commit() hands the batch to one call_rcu()
 * once it is large (RECLAIM_BATCH_ITEMS) or old (RECLAIM_BATCH_NS), and
 * reclaim_flush() hands it over unconditionally. liburcu's call_rcu worker
 * sleeps ~10 ms between wakeups and its queue is unbounded, so one callback
 * per batch (not per object, not per operation) keeps the backlog short;
 * past a byte limit the writer waits for a grace period inline instead
 * (backpressure).
 *
 * Route ids are not recycled by the callback (it runs on liburcu's thread,
 * concurrently with the writer): the callback marks its batch done, and the
 * writer collects the ids of done batches in reclaim_collect_ids().
 */
#ifndef ROUTED_RECLAIM_H
#define ROUTED_RECLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reclaim_batch;
struct wlock;

/* Objects and ids one operation can retire with no memory to queue them. */
#define RECLAIM_EMERGENCY 256

struct reclaim {
	const struct wlock *lock;	/* the writer lock that guards this state */
	struct reclaim_batch *open;	/* being filled by the current operation */
	struct reclaim_batch *with_ids;	/* committed batches with ids, oldest first */
	struct reclaim_batch **with_ids_tail;
	uint64_t (*clock_ns)(void);	/* rt_clock_ns(); tests may set their own */
	uint64_t open_since_ns;		/* when the open batch got its first item */
	uint64_t pending_bytes;		/* uatomic: retired, not yet freed */
	uint64_t pending_batches;	/* uatomic */
	uint64_t batches;		/* writer only */
	uint64_t sync_fallbacks;	/* writer only */
	uint64_t limit_bytes;		/* backlog that triggers an inline wait */
	uint64_t nomem_fallbacks;	/* writer only: no memory to defer, waited inline */
	void (*release_id)(void *arg, uint32_t id);	/* for ids retired without memory */
	void *release_arg;
	/*
	 * Retired while the batch could not grow: kept here (the writer may
	 * still read retired memory until its operation ends) and freed at
	 * the end of the operation, after an inline grace period.
	 */
	struct reclaim_emergency {
		void (*dtor)(void *obj, size_t size);
		void *obj;
		size_t size;
	} emergency[RECLAIM_EMERGENCY];
	unsigned n_emergency;
	uint32_t emergency_ids[RECLAIM_EMERGENCY];
	unsigned n_emergency_ids;
};

void reclaim_init(struct reclaim *rc, const struct wlock *lock);
/*
 * Where an id goes when there is no memory to queue it: after an inline
 * grace period it is released at once.
 */
void reclaim_set_id_release(struct reclaim *rc, void (*release_id)(void *arg, uint32_t id),
			    void *arg);
/* Commit what is open, wait for every batch, recycle ids through fn. */
void reclaim_fini(struct reclaim *rc, void (*release_id)(void *arg, uint32_t id), void *arg);

/*
 * Retiring never fails: when there is no memory to queue an object or id,
 * it waits in a fixed reserve until the end of the operation, when the
 * writer waits for a grace period inline and frees it. (A reserve that
 * overflows stops the process: freeing memory the writer may still read
 * is not an option.)
 */
/* Free p (size bytes, for accounting) after a grace period. */
void reclaim_free(struct reclaim *rc, void *p, size_t size);
/* Free obj with dtor(obj, size) after a grace period (dtor must not block). */
void reclaim_call(struct reclaim *rc, void (*dtor)(void *obj, size_t size), void *obj,
		  size_t size);
/* Give id back to release_id() once a grace period has passed. */
void reclaim_id(struct reclaim *rc, uint32_t id);

#define RECLAIM_BATCH_ITEMS 4096
#define RECLAIM_BATCH_NS 2000000ull

/* End of a write operation: queue the open batch if it is large or old. */
void reclaim_commit(struct reclaim *rc);
/* Queue the open batch now (one call_rcu), whatever its size. */
void reclaim_flush(struct reclaim *rc);
/* Recycle the ids of batches whose grace period has ended. */
void reclaim_collect_ids(struct reclaim *rc, void (*release_id)(void *arg, uint32_t id), void *arg);
/* Wait for every committed batch (rcu_barrier); never inside a read-side section. */
void reclaim_barrier(struct reclaim *rc);

#endif

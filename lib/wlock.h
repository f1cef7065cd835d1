/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writer lock: one per table (and one for the daemon's table registry).
 * Internal writer functions take the lock they rely on as a parameter and
 * assert that the calling thread holds it, so a write from the wrong
 * context fails loudly instead of racing.
 */
#ifndef ROUTED_WLOCK_H
#define ROUTED_WLOCK_H

#include <assert.h>
#include <pthread.h>
#include <urcu/uatomic.h>

#include <routed/rcu.h>

struct wlock {
	pthread_mutex_t mutex;
	pthread_t owner;
	int held;
};

static inline void wlock_init(struct wlock *l)
{
	pthread_mutex_init(&l->mutex, NULL);
	l->held = 0;
}

static inline void wlock_destroy(struct wlock *l)
{
	pthread_mutex_destroy(&l->mutex);
}

static inline void wlock_lock(struct wlock *l)
{
	/*
	 * Writers hold the lock across grace periods (inline reclamation,
	 * rcu_barrier, a registry change): taken inside a read-side section
	 * it could wait for that very section. Every mutator and every call
	 * that reads under the lock comes through here. Checked always, not
	 * only in debug builds: one thread-local load beside the mutex.
	 */
	rt_rcu_assert_not_reading("the writer lock taken");
	pthread_mutex_lock(&l->mutex);
	l->owner = pthread_self();
	l->held = 1;
}

static inline void wlock_unlock(struct wlock *l)
{
	l->held = 0;
	pthread_mutex_unlock(&l->mutex);
}

static inline int wlock_held(const struct wlock *l)
{
	return l->held && pthread_equal(l->owner, pthread_self());
}

#define wlock_assert_held(l) assert(wlock_held(l))

/*
 * The writer's load of an RCU-protected pointer p that only the holder of
 * l stores to (the kernel's rcu_dereference_protected(p,
 * lockdep_is_held(l))). Asserts that the caller holds l; then p cannot
 * change under it, so the load is a plain one: it pairs with no barrier
 * and needs no dependency ordering. Readers use rcu_dereference() inside
 * a read-side section instead.
 */
#define wlock_dereference(p, l) (wlock_assert_held(l), (p))

#endif

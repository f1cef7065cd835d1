/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RCU as routed uses it: liburcu's urcu-memb flavor, for the tables' lookup
 * structures and the daemon's table registry. Reader threads register
 * here; every grace period the library and the daemon wait for goes
 * through rt_rcu_synchronize(), timed and counted for stats; reclaimed
 * memory can be poisoned so a late reader reads garbage.
 *
 * Any thread may call these unless a comment says otherwise.
 */
#ifndef ROUTED_RCU_H
#define ROUTED_RCU_H

#include <stdbool.h>
#include <stdint.h>

/* Register / unregister the calling thread as an RCU reader. */
void rt_reader_register(void);
void rt_reader_unregister(void);

/* Whether urcu-memb uses membarrier(2) for its grace periods. */
bool rt_rcu_has_membarrier(void);

/*
 * urcu_memb_synchronize_rcu(), timed and counted: every grace period the
 * library and the daemon wait for goes through here, so stats can show
 * how many there were and how long they took. Not inside a read-side
 * section (checked).
 */
void rt_rcu_synchronize(void);

/*
 * Abort (with a message on stderr) if the calling thread is inside a
 * read-side section. For entry points that wait for grace periods or take
 * a lock held across one: there they would wait for their own section.
 */
void rt_rcu_assert_not_reading(const char *what);

/* Grace-period latency histogram: bucket i counts waits of [2^i, 2^(i+1)) ns. */
#define RT_RCU_GP_BUCKETS 40

struct rt_rcu_stats {
	uint64_t grace_periods;		/* rt_rcu_synchronize() calls completed */
	uint64_t total_ns;
	uint64_t max_ns;
	uint64_t hist[RT_RCU_GP_BUCKETS];
};
/* A copy of the counters (each one read atomically; not one snapshot). */
void rt_rcu_stats(struct rt_rcu_stats *out);
/*
 * An upper bound of the q-quantile (0 < q <= 1) of grace-period latency:
 * the upper edge of the bucket holding it, capped by max_ns; 0 if none.
 */
uint64_t rt_rcu_gp_quantile_ns(const struct rt_rcu_stats *st, double q);

/*
 * Poison freed FIB/RIB memory with 0x6b before freeing it, so a reader that
 * touches reclaimed memory reads garbage (tests turn this on).
 */
void rt_set_poison_on_free(bool on);
/* Whether reclaimed memory is to be poisoned (the reclaimers ask). */
bool rt_poison_enabled(void);

#endif

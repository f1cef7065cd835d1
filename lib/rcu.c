/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <urcu/system.h>
#include <urcu/urcu-memb.h>

#include <routed/clock.h>
#include <routed/hist.h>
#include <routed/rcu.h>

void rt_reader_register(void)
{
	urcu_memb_register_thread();
}

void rt_reader_unregister(void)
{
	urcu_memb_unregister_thread();
}

bool rt_rcu_has_membarrier(void)
{
	return urcu_memb_has_sys_membarrier != 0;
}

/*
 * Grace-period accounting. Several threads may wait for grace periods at
 * once (the control thread, a table writer elsewhere, tests): the counters
 * are relaxed atomics. They order nothing; a reader of the stats may see
 * the count of one wait before its histogram bucket, which is harmless.
 */
static struct rt_rcu_stats gp_stats;

void rt_rcu_synchronize(void)
{
	uint64_t start = rt_clock_ns(), ns, max;

	urcu_memb_synchronize_rcu();
	ns = rt_clock_ns() - start;
	__atomic_fetch_add(&gp_stats.grace_periods, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&gp_stats.total_ns, ns, __ATOMIC_RELAXED);
	__atomic_fetch_add(&gp_stats.hist[rt_hist_bucket(ns, RT_RCU_GP_BUCKETS)], 1, __ATOMIC_RELAXED);
	max = __atomic_load_n(&gp_stats.max_ns, __ATOMIC_RELAXED);
	while (ns > max && !__atomic_compare_exchange_n(&gp_stats.max_ns, &max, ns, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void rt_rcu_stats(struct rt_rcu_stats *out)
{
	out->grace_periods = __atomic_load_n(&gp_stats.grace_periods, __ATOMIC_RELAXED);
	out->total_ns = __atomic_load_n(&gp_stats.total_ns, __ATOMIC_RELAXED);
	out->max_ns = __atomic_load_n(&gp_stats.max_ns, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < RT_RCU_GP_BUCKETS; i++)
		out->hist[i] = __atomic_load_n(&gp_stats.hist[i], __ATOMIC_RELAXED);
}

uint64_t rt_rcu_gp_quantile_ns(const struct rt_rcu_stats *st, double q)
{
	return rt_hist_quantile(st->hist, RT_RCU_GP_BUCKETS, st->max_ns, q);
}

static bool poison_on_free;

void rt_set_poison_on_free(bool on)
{
	CMM_STORE_SHARED(poison_on_free, on);
}

bool rt_poison_enabled(void)
{
	return CMM_LOAD_SHARED(poison_on_free);
}

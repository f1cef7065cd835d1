/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <urcu/system.h>
#include <urcu/uatomic.h>
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

void rt_rcu_assert_not_reading(const char *what)
{
	if (caa_likely(!urcu_memb_read_ongoing()))
		return;
	fprintf(stderr, "routed: %s inside an RCU read-side section\n", what);
	abort();
}

/*
 * Grace-period accounting. Several threads may wait for grace periods at
 * once (the control thread, a table writer elsewhere, tests): the counters
 * are updated with uatomic_add()/uatomic_inc(), which imply no barrier.
 * They order nothing; a reader of the stats may see the count of one wait
 * before its histogram bucket, which is harmless.
 */
static struct rt_rcu_stats gp_stats;

/* Raise gp_stats.max_ns to ns unless another wait raised it higher. */
static void gp_stats_max(uint64_t ns)
{
	uint64_t max = uatomic_read(&gp_stats.max_ns);

	while (ns > max) {
		/* Fully ordered in liburcu: more than a statistic needs, once per grace period. */
		uint64_t seen = uatomic_cmpxchg(&gp_stats.max_ns, max, ns);

		if (seen == max)
			break;
		max = seen;
	}
}

void rt_rcu_synchronize(void)
{
	uint64_t start, ns;

	rt_rcu_assert_not_reading("rt_rcu_synchronize()");
	start = rt_clock_ns();
	urcu_memb_synchronize_rcu();
	ns = rt_clock_ns() - start;
	uatomic_inc(&gp_stats.grace_periods);
	uatomic_add(&gp_stats.total_ns, ns);
	uatomic_inc(&gp_stats.hist[rt_hist_bucket(ns, RT_RCU_GP_BUCKETS)]);
	gp_stats_max(ns);
}

void rt_rcu_stats(struct rt_rcu_stats *out)
{
	out->grace_periods = uatomic_read(&gp_stats.grace_periods);
	out->total_ns = uatomic_read(&gp_stats.total_ns);
	out->max_ns = uatomic_read(&gp_stats.max_ns);
	for (unsigned i = 0; i < RT_RCU_GP_BUCKETS; i++)
		out->hist[i] = uatomic_read(&gp_stats.hist[i]);
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

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Log2 latency histograms: bucket i counts values in [2^i, 2^(i+1)),
 * bucket 0 also counts 0 and 1, and the last bucket everything above it.
 * The histograms are plain uint64_t arrays owned by their users (grace
 * periods in rcu.c, reader stalls in gate.c), who choose how the counts
 * are written (atomics, owner-only stores); these helpers only compute.
 */
#ifndef ROUTED_HIST_H
#define ROUTED_HIST_H

#include <stdint.h>

/* The bucket of v in a histogram of nbuckets (1..64) buckets. */
static inline unsigned rt_hist_bucket(uint64_t v, unsigned nbuckets)
{
	unsigned b = v < 2 ? 0 : 63u - (unsigned)__builtin_clzll(v);

	return b < nbuckets ? b : nbuckets - 1;
}

/* The largest value bucket i holds (below the last bucket): 2^(i+1) - 1. */
static inline uint64_t rt_hist_bucket_upper(unsigned i)
{
	return i >= 63 ? UINT64_MAX : (2ull << i) - 1;
}

/*
 * An upper bound of the q-quantile (0 < q <= 1; larger q counts as 1) of
 * the values counted in hist[0..nbuckets): the upper edge of the bucket
 * holding it, capped by max, the largest value recorded. 0 if hist is
 * empty or q <= 0.
 */
uint64_t rt_hist_quantile(const uint64_t *hist, unsigned nbuckets, uint64_t max, double q);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <routed/hist.h>

uint64_t rt_hist_quantile(const uint64_t *hist, unsigned nbuckets, uint64_t max, double q)
{
	uint64_t total = 0, seen = 0, rank;

	for (unsigned i = 0; i < nbuckets; i++)
		total += hist[i];
	if (!total || q <= 0)
		return 0;
	if (q > 1)
		q = 1;
	/* The smallest count covering the fraction q, at least one. */
	rank = (uint64_t)(q * (double)total + 0.999999);
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < nbuckets; i++) {
		seen += hist[i];
		if (seen >= rank) {
			uint64_t upper = rt_hist_bucket_upper(i);

			return upper < max ? upper : max;
		}
	}
	return max;
}

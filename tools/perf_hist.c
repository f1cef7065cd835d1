/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "perf_hist.h"

/*
 * Values below SUB_COUNT are their own bucket. A larger value v with its
 * highest set bit at position b (b >= SUB_BITS) is shifted right by
 * e = b - SUB_BITS, which leaves SUB_BITS + 1 significant bits: a number m
 * in [SUB_COUNT, 2 * SUB_COUNT). Its bucket is SUB_COUNT * (e + 1) + (m -
 * SUB_COUNT) and covers [m << e, (m + 1) << e), a width of 2^e below
 * v / 2^SUB_BITS.
 */
#define SUB_BITS 6
#define SUB_COUNT (1u << SUB_BITS)
#define MAX_SHIFT (63 - SUB_BITS)
#define BUCKETS (SUB_COUNT * (MAX_SHIFT + 2))

struct perf_hist {
	uint64_t count;
	uint64_t min, max;
	long double sum;
	uint64_t buckets[BUCKETS];
};

struct perf_hist *perf_hist_create(void)
{
	struct perf_hist *h = calloc(1, sizeof(*h));

	if (h)
		h->min = UINT64_MAX;
	return h;
}

void perf_hist_destroy(struct perf_hist *h)
{
	free(h);
}

unsigned perf_hist_bucket_of(uint64_t value)
{
	unsigned shift;

	if (value < SUB_COUNT)
		return (unsigned)value;
	shift = 63 - __builtin_clzll(value) - SUB_BITS;
	return SUB_COUNT * (shift + 1) + (unsigned)(value >> shift) - SUB_COUNT;
}

uint64_t perf_hist_bucket_low(unsigned bucket)
{
	unsigned shift;

	if (bucket < SUB_COUNT)
		return bucket;
	shift = bucket / SUB_COUNT - 1;
	return (uint64_t)(SUB_COUNT + bucket % SUB_COUNT) << shift;
}

uint64_t perf_hist_bucket_high(unsigned bucket)
{
	unsigned shift;

	if (bucket < SUB_COUNT)
		return bucket;
	shift = bucket / SUB_COUNT - 1;
	/* The top bucket ends at UINT64_MAX: compute low + (width - 1), no overflow. */
	return perf_hist_bucket_low(bucket) + (((uint64_t)1 << shift) - 1);
}

void perf_hist_record(struct perf_hist *h, uint64_t value)
{
	h->buckets[perf_hist_bucket_of(value)]++;
	h->count++;
	h->sum += value;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
}

void perf_hist_merge(struct perf_hist *dst, const struct perf_hist *src)
{
	if (!src->count)
		return;
	for (unsigned i = 0; i < BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t perf_hist_count(const struct perf_hist *h)
{
	return h->count;
}

uint64_t perf_hist_min(const struct perf_hist *h)
{
	return h->count ? h->min : 0;
}

uint64_t perf_hist_max(const struct perf_hist *h)
{
	return h->max;
}

double perf_hist_mean(const struct perf_hist *h)
{
	return h->count ? (double)(h->sum / h->count) : 0.0;
}

uint64_t perf_hist_quantile(const struct perf_hist *h, double q)
{
	uint64_t rank, seen = 0, value;

	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	/* The rank of the quantile, 1-based: ceil(q * count), at least 1. */
	rank = (uint64_t)ceill((long double)q * h->count);
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen < rank)
			continue;
		value = perf_hist_bucket_high(i);
		if (value > h->max)
			value = h->max;
		if (value < h->min)
			value = h->min;
		return value;
	}
	return h->max;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A log-linear latency histogram in the style of HdrHistogram: values
 * below 64 have a bucket each; above, every power of two is split into 64
 * linear sub-buckets, so any recorded value is known to within 1/64 (1.6%)
 * over the whole uint64_t range (nanoseconds up to centuries). Recording is
 * a few instructions and no allocation; histograms of the same shape merge
 * by adding their buckets, so each thread keeps its own and they are merged
 * at the end. Not thread-safe: one writer per histogram.
 */
#ifndef ROUTEPERF_HIST_H
#define ROUTEPERF_HIST_H

#include <stdint.h>

struct perf_hist;

/* NULL when out of memory. */
struct perf_hist *perf_hist_create(void);
void perf_hist_destroy(struct perf_hist *h);

void perf_hist_record(struct perf_hist *h, uint64_t value);
/* Add every value of src to dst. */
void perf_hist_merge(struct perf_hist *dst, const struct perf_hist *src);

uint64_t perf_hist_count(const struct perf_hist *h);
/* Exact extremes and mean of the recorded values; 0 when empty. */
uint64_t perf_hist_min(const struct perf_hist *h);
uint64_t perf_hist_max(const struct perf_hist *h);
double perf_hist_mean(const struct perf_hist *h);

/*
 * The q-quantile (0 <= q <= 1): the smallest value v such that at least
 * q * count recorded values are <= v, reported as the top of v's bucket
 * (never above the true maximum, never below the true minimum), so it is
 * at most 1/64 above the exact figure and never below it. 0 when empty.
 */
uint64_t perf_hist_quantile(const struct perf_hist *h, double q);

/* Bucket geometry, for tests: the bucket of a value and its bounds. */
unsigned perf_hist_bucket_of(uint64_t value);
uint64_t perf_hist_bucket_low(unsigned bucket);
uint64_t perf_hist_bucket_high(unsigned bucket);

#endif

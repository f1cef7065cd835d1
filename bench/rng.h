/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * splitmix64: deterministic query and update streams from --seed, one per
 * purpose (a family's query kind, a churn run), the same on every run.
 */
#ifndef ROUTED_BENCH_RNG_H
#define ROUTED_BENCH_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in 0..n-1. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

static inline struct rng rng_for(uint64_t seed, uint64_t purpose)
{
	struct rng r = { seed ^ (purpose * 0xd1b54a32d192ed03ULL) };

	rng_next(&r);
	return r;
}

#endif

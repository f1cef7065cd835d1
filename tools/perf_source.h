/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where routeperf's query addresses come from:
 *
 *   uniform  random addresses of the family, every bit random
 *   routes   pick one of the route file's prefixes uniformly, then a random
 *            address inside it
 *   zipf     the same, but prefix k (in an order shuffled by the seed) is
 *            picked with probability proportional to 1 / k^s: a few hot
 *            prefixes get most of the queries, like real traffic
 *
 * A source is built once and then only read, so any number of threads draw
 * from it, each with its own perf_rng.
 */
#ifndef ROUTEPERF_SOURCE_H
#define ROUTEPERF_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <routed/prefix.h>

/* splitmix64: small, fast, and good enough for load generation. */
struct perf_rng {
	uint64_t state;
};

void perf_rng_seed(struct perf_rng *rng, uint64_t seed);
uint64_t perf_rng_next(struct perf_rng *rng);
/* Uniform in [0, 1). */
double perf_rng_unit(struct perf_rng *rng);

enum perf_source_kind { PERF_SOURCE_UNIFORM, PERF_SOURCE_ROUTES, PERF_SOURCE_ZIPF };

/* "uniform", "routes", "zipf" → kind; -1 if unknown. */
int perf_source_kind_parse(const char *name);
const char *perf_source_kind_name(enum perf_source_kind kind);

struct perf_source;

/*
 * family: AF_INET or AF_INET6. For ROUTES and ZIPF, prefixes[0..n) of that
 * family (others are skipped; none left is an error), copied; the seed
 * shuffles the zipf ranks. NULL with a message in err on failure.
 */
struct perf_source *perf_source_create(enum perf_source_kind kind, int family,
				       const struct rt_prefix *prefixes, size_t n, double zipf_s,
				       uint64_t seed, char *err, size_t errlen);
void perf_source_destroy(struct perf_source *src);

/* How many prefixes the source draws from (0 for uniform). */
size_t perf_source_prefixes(const struct perf_source *src);

/* The next address: IPv4 in host byte order, IPv6 as 16 bytes. */
uint32_t perf_source_next4(const struct perf_source *src, struct perf_rng *rng);
void perf_source_next6(const struct perf_source *src, struct perf_rng *rng, uint8_t out[16]);

#endif

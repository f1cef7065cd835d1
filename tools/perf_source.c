/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf_source.h"

struct perf_source {
	enum perf_source_kind kind;
	int family;
	size_t n;
	struct rt_prefix *prefixes;
	double *cdf; /* zipf: cumulative probability of ranks 0..i */
};

void perf_rng_seed(struct perf_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

uint64_t perf_rng_next(struct perf_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double perf_rng_unit(struct perf_rng *rng)
{
	return (double)(perf_rng_next(rng) >> 11) * 0x1p-53;
}

static uint64_t rng_below(struct perf_rng *rng, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)perf_rng_next(rng) * n) >> 64);
}

static const char *const kind_names[] = {
    [PERF_SOURCE_UNIFORM] = "uniform",
    [PERF_SOURCE_ROUTES] = "routes",
    [PERF_SOURCE_ZIPF] = "zipf",
};

int perf_source_kind_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (!strcmp(name, kind_names[i]))
			return (int)i;
	return -1;
}

const char *perf_source_kind_name(enum perf_source_kind kind)
{
	return kind_names[kind];
}

static int build_zipf(struct perf_source *src, double s, uint64_t seed)
{
	struct perf_rng rng;
	double total = 0;

	src->cdf = malloc(src->n * sizeof(*src->cdf));
	if (!src->cdf)
		return -ENOMEM;
	/* Shuffle so the hot prefixes are not simply the first lines of the file. */
	perf_rng_seed(&rng, seed ^ 0x5a17f00dULL);
	for (size_t i = src->n - 1; i > 0; i--) {
		size_t j = rng_below(&rng, i + 1);
		struct rt_prefix tmp = src->prefixes[i];

		src->prefixes[i] = src->prefixes[j];
		src->prefixes[j] = tmp;
	}
	for (size_t i = 0; i < src->n; i++) {
		total += pow((double)(i + 1), -s);
		src->cdf[i] = total;
	}
	for (size_t i = 0; i < src->n; i++)
		src->cdf[i] /= total;
	src->cdf[src->n - 1] = 1.0;
	return 0;
}

struct perf_source *perf_source_create(enum perf_source_kind kind, int family,
				       const struct rt_prefix *prefixes, size_t n, double zipf_s,
				       uint64_t seed, char *err, size_t errlen)
{
	struct perf_source *src = calloc(1, sizeof(*src));

	if (!src)
		goto nomem;
	src->kind = kind;
	src->family = family;
	if (kind == PERF_SOURCE_UNIFORM)
		return src;

	src->prefixes = malloc((n ? n : 1) * sizeof(*src->prefixes));
	if (!src->prefixes)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		if (prefixes[i].addr.family == family)
			src->prefixes[src->n++] = prefixes[i];
	if (!src->n) {
		snprintf(err, errlen, "--source %s: no IPv%d routes to draw addresses from",
			 kind_names[kind], family == AF_INET ? 4 : 6);
		goto fail;
	}
	if (kind == PERF_SOURCE_ZIPF && build_zipf(src, zipf_s, seed))
		goto nomem;
	return src;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	perf_source_destroy(src);
	return NULL;
}

void perf_source_destroy(struct perf_source *src)
{
	if (!src)
		return;
	free(src->prefixes);
	free(src->cdf);
	free(src);
}

size_t perf_source_prefixes(const struct perf_source *src)
{
	return src->n;
}

static const struct rt_prefix *pick_prefix(const struct perf_source *src, struct perf_rng *rng)
{
	size_t lo = 0, hi;
	double u;

	if (src->kind == PERF_SOURCE_ROUTES)
		return &src->prefixes[rng_below(rng, src->n)];
	/* zipf: the first rank whose cumulative probability exceeds u. */
	u = perf_rng_unit(rng);
	hi = src->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (src->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &src->prefixes[lo];
}

uint32_t perf_source_next4(const struct perf_source *src, struct perf_rng *rng)
{
	uint32_t random = (uint32_t)perf_rng_next(rng), net, host_mask;
	const struct rt_prefix *p;

	if (src->kind == PERF_SOURCE_UNIFORM)
		return random;
	p = pick_prefix(src, rng);
	net = rt_addr_to_v4(&p->addr);
	host_mask = p->len ? ~(~0u << (32 - p->len)) : ~0u;
	return net | (random & host_mask);
}

void perf_source_next6(const struct perf_source *src, struct perf_rng *rng, uint8_t out[16])
{
	uint64_t hi = perf_rng_next(rng), lo = perf_rng_next(rng);
	const struct rt_prefix *p;

	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(hi >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
	if (src->kind == PERF_SOURCE_UNIFORM)
		return;
	p = pick_prefix(src, rng);
	/* Keep the prefix's bits, random host bits after them. */
	for (unsigned bit = 0; bit < p->len; bit += 8) {
		unsigned byte = bit / 8, keep = p->len - bit;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff << (8 - keep));

		out[byte] = (p->addr.bytes[byte] & mask) | (out[byte] & ~mask);
	}
}

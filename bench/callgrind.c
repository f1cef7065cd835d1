/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Instructions per lookup (--callgrind): every method once over the same
 * queries, callgrind's counts dumped after each (bench/callgrind.sh runs
 * this under valgrind and divides); and per single-route update of ours,
 * a delete and an add again of random routes, as the churn's writer
 * makes them. The only file that knows valgrind.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* --callgrind needs valgrind's client requests (Debian: the valgrind package). */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif

#include <routed/table.h>

#include "bench.h"
#include "callgrind.h"
#include "query.h"
#include "rng.h"
#include "routebench.h"
#include "timing.h"

#ifdef HAVE_CALLGRIND
const char *callgrind_unavailable(void)
{
	if (!RUNNING_ON_VALGRIND)
		return "--callgrind counts instructions under valgrind --tool=callgrind only"
		       " (see bench/callgrind.sh)";
	return NULL;
}

/* The measuring loop without a lookup: what every method's count includes. */
static void harness_lookup(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	(void)ctx;
	(void)addrs;
	memset(ids, 0, n * sizeof(*ids));
}

/*
 * Run every method once over the same queries and dump callgrind's counts
 * after each: each dump holds exactly one timing_slice() over n queries
 * (counters zeroed before it, dumped after it; the client requests add a
 * handful of instructions). Instrumentation starts here, so loading the
 * table and the peers runs at valgrind's uninstrumented speed when started
 * with --instr-atstart=no. The warm-up pass before each is not counted.
 */
void callgrind_kind(struct rt_table *t, const struct fam *f, const char *kind, const void *addrs,
		    size_t n)
{
	static bool started;
	struct bench_method ours = timing_ours(t, f);
	struct bench_method harness = { .name = "loop", .fn = harness_lookup };
	const struct bench_method *ms[2 + MAX_PEER_METHODS];
	const char *structs[2 + MAX_PEER_METHODS];
	size_t stride = query_stride(f->af);
	unsigned nms = 0;

	ms[nms] = &harness;
	structs[nms++] = "harness";
	ms[nms] = &ours;
	structs[nms++] = "ours";
	for (unsigned p = 0; p < f->npeers; p++)
		for (unsigned i = 0; i < f->peers[p].nmethods; i++) {
			ms[nms] = &f->peers[p].methods[i];
			structs[nms++] = f->peers[p].name;
		}
	if (!started) {
		CALLGRIND_START_INSTRUMENTATION;
		started = true;
	}
	for (unsigned i = 0; i < nms; i++) {
		char label[128];
		uint32_t x;

		snprintf(label, sizeof(label), "%s %s %s %s %zu", f->name, kind, structs[i],
			 ms[i]->name, n);
		bench_info("callgrind: %s", label);
		timing_select(ms[i]);
		timing_slice(ms[i], addrs, stride, n < WARMUP_QUERIES ? n : WARMUP_QUERIES);
		CALLGRIND_ZERO_STATS;
		x = timing_slice(ms[i], addrs, stride, n);
		CALLGRIND_DUMP_STATS_AT(label);
		printf("%s 0x%08" PRIx32 "\n", label, x);
	}
}
/* Delete and add again pairs random routes of f; the number that failed. */
static uint32_t update_pairs(struct rt_table *t, const struct fam *f, struct rng *r, size_t pairs)
{
	uint32_t failed = 0;

	for (size_t i = 0; i < pairs; i++) {
		const struct rt_route *route = &f->routes[rng_below(r, f->n)];
		struct rt_route_key k;

		memset(&k, 0, sizeof(k));
		k.prefix = route->prefix;
		memcpy(k.proto, route->proto, sizeof(k.proto));
		k.match_metric = true;
		k.metric = route->metric;
		failed += rt_table_delete(t, &k) != 0;
		failed += rt_table_add(t, route) != 0;
	}
	return failed;
}

void callgrind_updates(struct rt_table *t, const struct fam *f, size_t pairs)
{
	struct rng r = rng_for(opt.seed, 0xca11 + (uint64_t)f->af);
	char label[128];
	uint32_t failed;

	if (!f->n)
		return;
	snprintf(label, sizeof(label), "%s updates ours delete+add %zu", f->name, pairs);
	bench_info("callgrind: %s", label);
	update_pairs(t, f, &r, pairs / 4);	/* warm-up, not counted */
	CALLGRIND_START_INSTRUMENTATION;
	CALLGRIND_ZERO_STATS;
	failed = update_pairs(t, f, &r, pairs);
	CALLGRIND_DUMP_STATS_AT(label);
	printf("%s 0x%08" PRIx32 "\n", label, failed);
	if (failed)
		bench_die("callgrind: %" PRIu32 " updates failed", failed);
}
#else
const char *callgrind_unavailable(void)
{
	return "--callgrind: built without <valgrind/callgrind.h> (install valgrind)";
}

void callgrind_kind(struct rt_table *t, const struct fam *f, const char *kind, const void *addrs,
		    size_t n)
{
	(void)t;
	(void)f;
	(void)kind;
	(void)addrs;
	(void)n;
}

void callgrind_updates(struct rt_table *t, const struct fam *f, size_t pairs)
{
	(void)t;
	(void)f;
	(void)pairs;
}
#endif

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
#include <stdlib.h>
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
/*
 * The churn's pairs without its clock: delete a random route and add it
 * again at once, or (--churn-lag L) add back the route deleted L pairs
 * before, so that no add finds its prefix's recent past. held[] and out[]
 * carry the routes deleted and not yet added back across calls.
 */
struct update_loop {
	const struct fam *f;
	struct rng r;
	size_t lag;
	size_t *held;
	uint8_t *out;
	uint64_t pairs;
};

static void delete_route(struct rt_table *t, const struct rt_route *route, uint32_t *failed)
{
	struct rt_route_key k;

	memset(&k, 0, sizeof(k));
	k.prefix = route->prefix;
	memcpy(k.proto, route->proto, sizeof(k.proto));
	k.match_metric = true;
	k.metric = route->metric;
	*failed += rt_table_delete(t, &k) != 0;
}

/* Run pairs delete + add pairs; the number of updates that failed. */
static uint32_t update_pairs(struct rt_table *t, struct update_loop *u, size_t pairs)
{
	const struct fam *f = u->f;
	uint32_t failed = 0;

	for (size_t p = 0; p < pairs; p++, u->pairs++) {
		size_t i = rng_below(&u->r, f->n), slot;

		if (!u->lag) {
			delete_route(t, &f->routes[i], &failed);
			failed += rt_table_add(t, &f->routes[i]) != 0;
			continue;
		}
		while (u->out[i])
			i = rng_below(&u->r, f->n);
		slot = (size_t)(u->pairs % u->lag);
		delete_route(t, &f->routes[i], &failed);
		u->out[i] = 1;
		if (u->pairs >= u->lag) {
			failed += rt_table_add(t, &f->routes[u->held[slot]]) != 0;
			u->out[u->held[slot]] = 0;
		}
		u->held[slot] = i;
	}
	return failed;
}

void callgrind_updates(struct rt_table *t, const struct fam *f, size_t pairs)
{
	struct update_loop u = { .f = f, .r = rng_for(opt.seed, 0xca11 + (uint64_t)f->af) };
	char label[128];
	uint32_t failed;

	if (!f->n)
		return;
	/* As the churn applies it: at most half the family's routes held. */
	u.lag = opt.churn_lag < f->n / 2 ? opt.churn_lag : f->n / 2;
	if (u.lag) {
		u.held = bench_xmalloc(u.lag * sizeof(*u.held));
		u.out = bench_xmalloc(f->n);
		memset(u.out, 0, f->n);
	}
	snprintf(label, sizeof(label), "%s updates ours delete+add %zu", f->name, pairs);
	bench_info("callgrind: %s (lag %zu)", label, u.lag);
	/* Warm-up, not counted: with a lag, every counted add is of a route held. */
	update_pairs(t, &u, pairs / 4 > u.lag ? pairs / 4 : u.lag);
	CALLGRIND_START_INSTRUMENTATION;
	CALLGRIND_ZERO_STATS;
	failed = update_pairs(t, &u, pairs);
	CALLGRIND_DUMP_STATS_AT(label);
	printf("%s 0x%08" PRIx32 "\n", label, failed);
	if (failed)
		bench_die("callgrind: %" PRIu32 " updates failed", failed);
	/* The held routes go back: whatever runs next finds the whole table. */
	for (uint64_t k = 0; k < u.lag && k < u.pairs; k++)
		if (rt_table_add(t, &f->routes[u.held[k]]))
			bench_die("callgrind: a held route could not be added back");
	free(u.held);
	free(u.out);
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

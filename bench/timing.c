/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Timed lookups: each method (ours and the DPDK peers) over the same query
 * array, by one thread and by T threads, round-robin over the runs; and the
 * peers' answers checked against ours on a sample.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/prefix.h>
#include <routed/table.h>

#include "bench.h"
#include "query.h"
#include "routebench.h"
#include "timing.h"

static void ours_lookup4(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	rt_table_lookup_ids4(ctx, addrs, n, ids);
}

static void ours_lookup6(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	rt_table_lookup_ids6(ctx, addrs, n, ids);
}

/* The UDP service's path: ids and answers (prefix length, tag, next hop). */
static void ours_answer4(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	struct rt_answer ans[BENCH_BATCH];

	rt_table_answer4(ctx, addrs, n, ids, ans);
}

static void ours_answer6(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	struct rt_answer ans[BENCH_BATCH];

	rt_table_answer6(ctx, addrs, n, ids, ans);
}

static int ours_select(void *ctx, int path)
{
	(void)ctx;
	return rt_lookup_path_select((enum rt_lookup_path)path);
}

struct bench_method timing_ours(struct rt_table *t, const struct fam *f)
{
	struct bench_method m = {
		.name = "rt_table_lookup_ids", .ctx = t,
		.select = ours_select, .variant = (int)opt.lookup_path,
	};

	m.fn = f->af == AF_INET ? ours_lookup4 : ours_lookup6;
	return m;
}

struct job {
	const struct bench_method *m;
	const uint8_t *addrs;
	size_t stride, n;
	bool reader;
	pthread_barrier_t *bar;
	double t0, t1;
	uint32_t x;
};

uint32_t timing_slice(const struct bench_method *m, const uint8_t *addrs, size_t stride,
		      size_t n)
{
	uint32_t ids[BENCH_BATCH], x = 0;

	for (size_t i = 0; i < n; i += BENCH_BATCH) {
		size_t k = n - i < BENCH_BATCH ? n - i : BENCH_BATCH;

		m->fn(m->ctx, addrs + i * stride, k, ids);
		for (size_t j = 0; j < k; j++)
			x ^= ids[j];
	}
	return x;
}

static void *job_main(void *arg)
{
	struct job *j = arg;

	if (j->reader)
		rt_reader_register();
	pthread_barrier_wait(j->bar);
	j->t0 = bench_now();
	j->x = timing_slice(j->m, j->addrs, j->stride, j->n);
	j->t1 = bench_now();
	if (j->reader)
		rt_reader_unregister();
	return NULL;
}

/* One pass over n queries split among nthreads threads: M lookups/s. */
static double timed_pass(const struct bench_method *m, bool reader, const void *addrs,
			 size_t stride, size_t n, unsigned nthreads, uint32_t *x)
{
	struct job jobs[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	pthread_barrier_t bar;
	size_t start = 0;
	double t0 = INFINITY, t1 = 0;

	pthread_barrier_init(&bar, NULL, nthreads);
	for (unsigned i = 0; i < nthreads; i++) {
		size_t len = n / nthreads + (i < n % nthreads);
		int err;

		jobs[i] = (struct job){
			.m = m, .addrs = (const uint8_t *)addrs + start * stride,
			.stride = stride, .n = len, .reader = reader, .bar = &bar,
		};
		start += len;
		err = pthread_create(&th[i], NULL, job_main, &jobs[i]);
		if (err)
			bench_die("pthread_create: %s", strerror(err));
	}
	*x = 0;
	for (unsigned i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		t0 = jobs[i].t0 < t0 ? jobs[i].t0 : t0;
		t1 = jobs[i].t1 > t1 ? jobs[i].t1 : t1;
		*x ^= jobs[i].x;
	}
	pthread_barrier_destroy(&bar);
	return (double)n / (t1 - t0) / 1e6;
}

/* One method at one thread count, measured opt.runs times. */
struct measurement {
	const struct bench_method *m;
	bool reader;			/* register the threads with RCU */
	unsigned threads;
	double rates[MAX_RUNS];
	uint32_t x;			/* checksum of the first run */
	bool stable;			/* ... and of every other run */
	const struct measurement *ref;	/* must give the same checksum, or NULL */
	double *median;			/* where the results go */
	uint32_t *checksum;
	bool *result_stable;
};

void timing_select(const struct bench_method *m)
{
	if (m->select && m->select(m->ctx, m->variant))
		bench_die("%s: cannot select this lookup function", m->name);
}

/*
 * Measure every method opt.runs times, round-robin: each run measures all of
 * them in turn, so load from elsewhere on a shared machine drifts into every
 * method alike, and the ratios between them stay fair. Keeps the median.
 */
static void measure_all(struct measurement *ms, unsigned nms, const void *addrs, size_t stride,
			size_t n)
{
	unsigned runs = opt.runs;

	/*
	 * Untimed warm-up: fault in tables that were never touched (DPDK's are
	 * allocated zeroed and stay unmapped until read) and fill the caches.
	 * This thread is a registered reader.
	 */
	for (unsigned i = 0; i < nms; i++) {
		timing_select(ms[i].m);
		timing_slice(ms[i].m, addrs, stride, n < WARMUP_QUERIES ? n : WARMUP_QUERIES);
		ms[i].stable = true;
	}
	for (unsigned r = 0; r < runs; r++) {
		for (unsigned i = 0; i < nms; i++) {
			struct measurement *e = &ms[i];
			uint32_t x;

			timing_select(e->m);
			e->rates[r] = timed_pass(e->m, e->reader, addrs, stride, n, e->threads, &x);
			if (r == 0)
				e->x = x;
			else if (x != e->x)
				e->stable = false;
		}
	}
	for (unsigned i = 0; i < nms; i++) {
		struct measurement *e = &ms[i];

		*e->median = bench_median(e->rates, runs);
		if (e->checksum)
			*e->checksum = e->x;
		if (!e->stable || (e->ref && e->x != e->ref->x))
			*e->result_stable = false;
	}
}

/* Our answers for a sample of the queries: the matched prefix (len 255: none). */
struct rt_prefix *timing_answers(struct rt_table *t, const struct fam *f, const void *addrs,
				 size_t n)
{
	struct rt_prefix *out = bench_xmalloc(n * sizeof(*out));
	struct rt_lookup_result res[256];
	struct rt_addr a[256];

	for (size_t i = 0; i < n; i += 256) {
		size_t k = n - i < 256 ? n - i : 256;

		for (size_t j = 0; j < k; j++) {
			if (f->af == AF_INET) {
				rt_addr_from_v4(&a[j], ((const uint32_t *)addrs)[i + j]);
			} else {
				memset(&a[j], 0, sizeof(a[j]));
				a[j].family = AF_INET6;
				memcpy(a[j].bytes, (const uint8_t *)addrs + 16 * (i + j), 16);
			}
		}
		rt_table_lookup(t, a, k, res);
		for (size_t j = 0; j < k; j++) {
			if (res[j].found) {
				out[i + j] = res[j].route.prefix;
			} else {
				memset(&out[i + j], 0, sizeof(out[i + j]));
				out[i + j].len = 255;
			}
		}
	}
	return out;
}

/* Compare a peer's answers with ours on the sample. */
void timing_cross_check(const struct fam *f, const struct dpdk_peer *p,
			const struct bench_method *m, const void *addrs, size_t n,
			const struct rt_prefix *ours, struct method_result *mr)
{
	uint32_t ids[BENCH_BATCH];

	mr->checked = mr->mismatches = 0;
	if (p->id_mod && f->n >= p->id_mod)
		return;		/* ids wrapped: they cannot be mapped back */
	for (size_t i = 0; i < n; i += BENCH_BATCH) {
		size_t k = n - i < BENCH_BATCH ? n - i : BENCH_BATCH;

		m->fn(m->ctx, (const uint8_t *)addrs + i * query_stride(f->af), k, ids);
		for (size_t j = 0; j < k; j++) {
			const struct rt_prefix *o = &ours[i + j];
			bool ok;

			if (!ids[j])
				/* A peer without /0 misses what only /0 covers. */
				ok = o->len == 255 || (o->len == 0 && p->skipped);
			else
				ok = ids[j] <= f->n && o->len != 255 &&
				     rt_prefix_equal(&f->routes[ids[j] - 1].prefix, o);
			mr->checked++;
			mr->mismatches += !ok;
		}
	}
}

static uint64_t count_hits(struct rt_table *t, const struct fam *f, const void *addrs, size_t n)
{
	struct bench_method m = timing_ours(t, f);
	uint32_t ids[BENCH_BATCH];
	uint64_t hits = 0;

	for (size_t i = 0; i < n; i += BENCH_BATCH) {
		size_t k = n - i < BENCH_BATCH ? n - i : BENCH_BATCH;

		m.fn(m.ctx, (const uint8_t *)addrs + i * query_stride(f->af), k, ids);
		for (size_t j = 0; j < k; j++)
			hits += ids[j] != RT_NO_ROUTE;
	}
	return hits;
}

void timing_kind(struct rt_table *t, struct fam *f, const char *kind, const void *addrs,
		 size_t n)
{
	struct measurement ms[3 * RT_LOOKUP_PATH_COUNT + 2 * MAX_PEER_METHODS];
	struct bench_method path_ids[RT_LOOKUP_PATH_COUNT], path_answers[RT_LOOKUP_PATH_COUNT];
	struct kind_result *kr = &f->kinds[f->nkinds++];
	struct bench_method ours = timing_ours(t, f);
	struct bench_method answers_m = {
		.name = "rt_table_answer", .ctx = t,
		.fn = f->af == AF_INET ? ours_answer4 : ours_answer6,
		.select = ours_select, .variant = (int)opt.lookup_path,
	};
	size_t stride = query_stride(f->af), ns = n < CHECK_SAMPLE ? n : CHECK_SAMPLE;
	struct rt_prefix *answers = NULL;
	unsigned nms = 0;

	snprintf(kr->name, sizeof(kr->name), "%s", kind);
	kr->n = n;
	kr->stable = true;
	ms[nms++] = (struct measurement){
		.m = &ours, .reader = true, .threads = 1,
		.median = &kr->mlps, .checksum = &kr->checksum, .result_stable = &kr->stable,
	};
	/* The answer path finds the same ids. */
	ms[nms++] = (struct measurement){
		.m = &answers_m, .reader = true, .threads = 1, .ref = &ms[0],
		.median = &kr->answer_mlps, .result_stable = &kr->stable,
	};
	/* The same queries give the same answers at any thread count. */
	if (opt.threads > 1)
		ms[nms++] = (struct measurement){
			.m = &ours, .reader = true, .threads = opt.threads, .ref = &ms[0],
			.median = &kr->mlps_t, .result_stable = &kr->stable,
		};
	/* Our other lookup paths, in the same rounds: the same checksum, side by side. */
	for (unsigned p = 0; p < RT_LOOKUP_PATH_COUNT; p++) {
		struct path_result *pr = &kr->paths[kr->npaths];

		if (p == opt.lookup_path || !rt_lookup_path_available(p))
			continue;
		pr->path = (enum rt_lookup_path)p;
		path_ids[kr->npaths] = ours;
		path_ids[kr->npaths].variant = (int)p;
		path_answers[kr->npaths] = answers_m;
		path_answers[kr->npaths].variant = (int)p;
		ms[nms++] = (struct measurement){
			.m = &path_ids[kr->npaths], .reader = true, .threads = 1, .ref = &ms[0],
			.median = &pr->mlps, .result_stable = &kr->stable,
		};
		ms[nms++] = (struct measurement){
			.m = &path_answers[kr->npaths], .reader = true, .threads = 1, .ref = &ms[0],
			.median = &pr->answer_mlps, .result_stable = &kr->stable,
		};
		if (opt.threads > 1)
			ms[nms++] = (struct measurement){
				.m = &path_ids[kr->npaths], .reader = true, .threads = opt.threads,
				.ref = &ms[0], .median = &pr->mlps_t, .result_stable = &kr->stable,
			};
		kr->npaths++;
	}
	for (unsigned p = 0; p < f->npeers; p++) {
		const struct dpdk_peer *peer = &f->peers[p];

		for (unsigned i = 0; i < peer->nmethods; i++) {
			const struct bench_method *m = &peer->methods[i];
			struct method_result *mr = &kr->m[kr->nm++];
			struct measurement *one = &ms[nms++];

			memcpy(mr->peer, peer->name, sizeof(mr->peer));
			memcpy(mr->method, m->name, sizeof(mr->method));
			mr->stable = true;
			*one = (struct measurement){
				.m = m, .threads = 1, .median = &mr->mlps,
				.checksum = &mr->checksum, .result_stable = &mr->stable,
			};
			if (opt.dpdk_threads && opt.threads > 1)
				ms[nms++] = (struct measurement){
					.m = m, .threads = opt.threads, .ref = one,
					.median = &mr->mlps_t, .result_stable = &mr->stable,
				};
		}
	}
	bench_info("%s %s: %zu lookups x %u runs x %u measurements", f->label, kind, n, opt.runs,
		   nms);
	measure_all(ms, nms, addrs, stride, n);
	timing_select(&ours);
	kr->hits = count_hits(t, f, addrs, n);
	if (!kr->stable)
		fprintf(stderr, "routebench: %s %s: checksum differs between runs\n",
			f->label, kind);

	/* Check every peer's answers against ours. */
	for (unsigned p = 0, k = 0; p < f->npeers; p++) {
		const struct dpdk_peer *peer = &f->peers[p];

		for (unsigned i = 0; i < peer->nmethods; i++, k++) {
			const struct bench_method *m = &peer->methods[i];
			struct method_result *mr = &kr->m[k];

			if (!answers)
				answers = timing_answers(t, f, addrs, ns);
			timing_select(m);
			timing_cross_check(f, peer, m, addrs, ns, answers, mr);
			if (mr->mismatches)
				fprintf(stderr,
					"routebench: %s %s: %s %s disagrees with us on %" PRIu64
					" of %" PRIu64 " addresses\n", f->label, kind, peer->name,
					m->name, mr->mismatches, mr->checked);
		}
	}
	free(answers);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routebench: measure the route library on a route file, and (configured
 * with --with-dpdk) DPDK's rte_lpm, rte_fib, rte_lpm6 and rte_fib6 on the
 * same routes and the same query arrays in the same process.
 *
 * Per family (IPv4 and IPv6 separately):
 * - build: rt_table_replace_all() of the family's routes alone into a fresh
 *   table (and of the whole file), and rt_table_add() of the routes one by
 *   one into an empty table: the insert rate to set against DPDK's adds;
 * - memory: rt_table_stats() of the whole table (FIB bytes, bytes per
 *   prefix, RIB) and the total of a table holding the family alone;
 * - lookups: rt_table_lookup_ids4() / rt_table_lookup_ids6() on batches of
 *   BENCH_BATCH addresses, by one thread and by T threads (each an RCU
 *   reader, each taking a slice of the queries); million lookups per
 *   second, median of R runs, each run measuring every method (ours and
 *   the DPDK peers) in turn. Query kinds: "matched" (a random address
 *   inside a random prefix of the table), "uniform" (a uniform random
 *   address; IPv6 inside 2000::/3) or "file" (--queries). The XOR of every
 *   returned id is the checksum: it keeps the lookups from being optimized
 *   away and must not change between runs or thread counts;
 * - updates: one writer thread deletes and re-adds random routes of the
 *   table while one reader thread looks up matched addresses, the writer
 *   working in every other window of a phase: updates per second (a delete
 *   and an add are two), the latency of a delete + add pair, and the
 *   reader's rate in windows with updates against its rate in those
 *   without, with the writer paced to --update-rate and unpaced; then the
 *   same reader and unpaced writer on rte_fib / rte_fib6 (rte_fib_delete +
 *   rte_fib_add), and the ratio of the update rates; medians of R runs;
 * - --callgrind: instead of the above, instructions per lookup of every
 *   method, counted by callgrind (bench/callgrind.sh).
 * The DPDK peers are checked against our table on a sample of each query
 * set (answers are mapped back to prefixes).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <urcu/system.h>

#include <routed/routefile.h>
#include <routed/table.h>

#include "dpdk.h"

/* --callgrind needs valgrind's client requests (Debian: the valgrind package). */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif

#define MAX_THREADS 64
#define MAX_RUNS 99
#define CHECK_SAMPLE 65536
#define WARMUP_QUERIES (1u << 20)
#define CHURN_QUERIES (4u << 20)
#define MAX_LATENCIES (8u << 20)
#define CALLGRIND_QUERIES (1u << 20)
#define NFAM 2
#define MAX_KINDS 2
#define MAX_PEER_METHODS (DPDK_MAX_PEERS * DPDK_MAX_METHODS)

struct opts {
	const char *routes_path;
	const char *queries_path;
	uint64_t nrandom;
	unsigned threads;
	unsigned runs;
	uint64_t seed;
	bool json;
	bool quiet;
	double churn_s;
	uint64_t update_rate;
	bool incremental;
	bool callgrind;
	bool dpdk;
	bool dpdk_threads;
	struct dpdk_opts dpdk_opts;
};

/* One method's lookup rates on one query set. */
struct method_result {
	char peer[16];
	char method[32];
	double mlps;			/* one thread */
	double mlps_t;			/* T threads; 0 = not measured */
	uint32_t checksum;
	bool stable;
	uint64_t checked, mismatches;	/* against our table, on a sample */
};

struct kind_result {
	char name[16];
	size_t n;
	double mlps, mlps_t;
	uint32_t checksum;
	bool stable;			/* same checksum on every run and thread count */
	uint64_t hits;
	unsigned nm;
	struct method_result m[MAX_PEER_METHODS];
};

/* One writer configuration of the churn, over the runs. */
struct churn_stats {
	bool done;
	double target;			/* updates/s the writer was paced to; 0 = unpaced */
	unsigned runs;			/* runs completed: the medians are over these */
	double updates_per_s;		/* median over runs, in the writer's windows */
	double quiet_mlps, busy_mlps;	/* the reader in windows without and with updates */
	double reader_ratio;		/* median over runs of busy / quiet */
	double seconds;			/* the writer's windows, all runs */
	uint64_t pairs;
	int error;			/* what stopped the writer: -errno, or 0 */
	const char *error_what;		/* ... "update", or "reload" (dpdk_churn_prepare) */
	unsigned error_run;		/* ... in this run (from 1) */
	uint64_t error_pairs;		/* ... after this many pairs of that run */
	double error_rate;		/* ... at this rate until then (updates/s) */
	uint64_t late;			/* paced pairs started more than LATE_S after their time */
	double p50_us, p99_us, max_us;	/* one delete + add pair */
	double other_cpus;		/* most CPUs used by other processes in a run's phases */
	uint64_t reclaim_batches;	/* ours: call_rcu batches queued during the writer */
	uint64_t sync_fallbacks;	/* ... and inline waits for a grace period */
	/* the completed runs' figures, in run order */
	double run_upd[MAX_RUNS], run_quiet[MAX_RUNS], run_busy[MAX_RUNS], run_ratio[MAX_RUNS];
};

struct update_result {
	bool done;
	double reader_built;		/* ours, reader alone on the table as built: M lookups/s */
	struct rt_family_stats after;	/* our family's FIB after the churn */
	struct churn_stats max;		/* ours, writer as fast as it goes */
	struct churn_stats paced;	/* ours, writer paced to --update-rate */
	bool routes_intact;
	/* The same churn on a DPDK peer (rte_fib, rte_fib6), when there is one. */
	char peer[16], method[32];
	struct churn_stats dpdk;
	double ratio_updates;		/* median over runs of ours / DPDK, both unpaced */
	unsigned ratio_runs;		/* runs in which both completed */
	double run_rel[MAX_RUNS];	/* ... their ratios, in run order */
	uint64_t dpdk_checked, dpdk_mismatches;	/* its answers after the churn, vs ours */
};

struct fam {
	int af;
	const char *name;		/* "v4", "v6" */
	const char *label;		/* "IPv4", "IPv6" */
	struct rt_route *routes;
	size_t n;
	/* build */
	double build_s;			/* replace_all of this family alone */
	struct rt_table_stats alone;
	bool incr_done;
	double incr_s;
	uint64_t incr_errors;
	struct rt_family_stats incr;
	/* the whole table */
	struct rt_family_stats full;
	/* queries from --queries */
	void *file_addrs;
	size_t file_n, file_cap;
	/* results */
	unsigned nkinds;
	struct kind_result kinds[MAX_KINDS];
	struct update_result upd;
	unsigned npeers;
	struct dpdk_peer peers[DPDK_MAX_PEERS];
};

static struct opts opt;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("routebench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void info(const char *fmt, ...)
{
	va_list ap;

	if (opt.quiet)
		return;
	fputs("routebench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64: deterministic query streams from --seed. */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

static struct rng rng_for(uint64_t purpose)
{
	struct rng r = { opt.seed ^ (purpose * 0xd1b54a32d192ed03ULL) };

	rng_next(&r);
	return r;
}

static size_t stride_of(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* Queries */

/* matched: inside a random prefix of the family; else uniform. */
static uint32_t *gen_queries4(const struct fam *f, bool matched, size_t n, struct rng *r)
{
	uint32_t *a = xmalloc(n * sizeof(*a));

	for (size_t i = 0; i < n; i++) {
		uint32_t x = (uint32_t)rng_next(r);

		if (matched) {
			const struct rt_prefix *p = &f->routes[rng_below(r, f->n)].prefix;
			uint32_t host = p->len >= 32 ? 0 : UINT32_MAX >> p->len;

			x = (rt_addr_to_v4(&p->addr) & ~host) | (x & host);
		}
		a[i] = x;
	}
	return a;
}

/* matched: inside a random prefix of the family; else uniform in 2000::/3. */
static uint8_t (*gen_queries6(const struct fam *f, bool matched, size_t n, struct rng *r))[16]
{
	uint8_t (*a)[16] = xmalloc(n * sizeof(*a));

	for (size_t i = 0; i < n; i++) {
		uint64_t hi = rng_next(r), lo = rng_next(r);
		const struct rt_prefix *p;

		for (unsigned b = 0; b < 8; b++) {
			a[i][b] = (uint8_t)(hi >> (56 - 8 * b));
			a[i][b + 8] = (uint8_t)(lo >> (56 - 8 * b));
		}
		if (!matched) {
			a[i][0] = (uint8_t)(0x20 | (a[i][0] & 0x1f));
			continue;
		}
		p = &f->routes[rng_below(r, f->n)].prefix;
		for (unsigned b = 0; b < 16; b++) {
			unsigned bit = 8 * b;
			unsigned keep = p->len >= bit + 8 ? 8 : p->len > bit ? p->len - bit : 0;
			uint8_t m = (uint8_t)(0xff00u >> keep);

			a[i][b] = (uint8_t)((p->addr.bytes[b] & m) | (a[i][b] & ~m));
		}
	}
	return a;
}

static void *gen_queries(const struct fam *f, const char *kind, size_t n, uint64_t purpose)
{
	struct rng r = rng_for(purpose);
	bool matched = strcmp(kind, "matched") == 0;

	if (f->af == AF_INET)
		return gen_queries4(f, matched, n, &r);
	return gen_queries6(f, matched, n, &r);
}

static void load_queries(const char *path, struct fam *fams)
{
	FILE *fp = fopen(path, "r");
	size_t lineno = 0, llen = 0;
	char *line = NULL;
	ssize_t got;

	if (!fp)
		die("%s: %s", path, strerror(errno));
	while ((got = getline(&line, &llen, fp)) >= 0) {
		char err[RT_ERR_LEN], *s = line, *e = line + got;
		struct rt_addr a;
		struct fam *f;

		lineno++;
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		if (rt_addr_parse(s, &a, err, sizeof(err)))
			die("%s:%zu: %s", path, lineno, err);
		f = &fams[a.family == AF_INET ? 0 : 1];
		if (f->file_n == f->file_cap) {
			size_t c = f->file_cap ? 2 * f->file_cap : 4096;
			void *p = realloc(f->file_addrs, c * stride_of(f->af));

			if (!p)
				die("out of memory");
			f->file_addrs = p;
			f->file_cap = c;
		}
		if (f->af == AF_INET)
			((uint32_t *)f->file_addrs)[f->file_n++] = rt_addr_to_v4(&a);
		else
			memcpy((uint8_t *)f->file_addrs + 16 * f->file_n++, a.bytes, 16);
	}
	if (ferror(fp))
		die("%s: read error", path);
	free(line);
	fclose(fp);
}

/* Timed lookups */

static void ours_lookup4(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	rt_table_lookup_ids4(ctx, addrs, n, ids);
}

static void ours_lookup6(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	rt_table_lookup_ids6(ctx, addrs, n, ids);
}

static struct bench_method our_method(struct rt_table *t, const struct fam *f)
{
	struct bench_method m = { .name = "rt_table_lookup_ids", .ctx = t };

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

static uint32_t run_slice(const struct bench_method *m, const uint8_t *addrs, size_t stride,
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
	j->t0 = now();
	j->x = run_slice(j->m, j->addrs, j->stride, j->n);
	j->t1 = now();
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
			die("pthread_create: %s", strerror(err));
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

static double min_double(double a, double b)
{
	return a < b ? a : b;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double ratio(double a, double b)
{
	return b > 0 && a > 0 ? a / b : NAN;
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

static void select_method(const struct bench_method *m)
{
	if (m->select && m->select(m->ctx, m->variant))
		die("%s: cannot select this lookup function", m->name);
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
		select_method(ms[i].m);
		run_slice(ms[i].m, addrs, stride, n < WARMUP_QUERIES ? n : WARMUP_QUERIES);
		ms[i].stable = true;
	}
	for (unsigned r = 0; r < runs; r++) {
		for (unsigned i = 0; i < nms; i++) {
			struct measurement *e = &ms[i];
			uint32_t x;

			select_method(e->m);
			e->rates[r] = timed_pass(e->m, e->reader, addrs, stride, n, e->threads, &x);
			if (r == 0)
				e->x = x;
			else if (x != e->x)
				e->stable = false;
		}
	}
	for (unsigned i = 0; i < nms; i++) {
		struct measurement *e = &ms[i];

		qsort(e->rates, runs, sizeof(e->rates[0]), cmp_double);
		*e->median = runs % 2 ? e->rates[runs / 2] :
					(e->rates[runs / 2 - 1] + e->rates[runs / 2]) / 2;
		if (e->checksum)
			*e->checksum = e->x;
		if (!e->stable || (e->ref && e->x != e->ref->x))
			*e->result_stable = false;
	}
}

/* Our answers for a sample of the queries: the matched prefix (len 255: none). */
static struct rt_prefix *our_answers(struct rt_table *t, const struct fam *f, const void *addrs,
				     size_t n)
{
	struct rt_prefix *out = xmalloc(n * sizeof(*out));
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
static void cross_check(const struct fam *f, const struct dpdk_peer *p,
			const struct bench_method *m, const void *addrs, size_t n,
			const struct rt_prefix *ours, struct method_result *mr)
{
	uint32_t ids[BENCH_BATCH];

	mr->checked = mr->mismatches = 0;
	if (p->id_mod && f->n >= p->id_mod)
		return;		/* ids wrapped: they cannot be mapped back */
	for (size_t i = 0; i < n; i += BENCH_BATCH) {
		size_t k = n - i < BENCH_BATCH ? n - i : BENCH_BATCH;

		m->fn(m->ctx, (const uint8_t *)addrs + i * stride_of(f->af), k, ids);
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
	struct bench_method m = our_method(t, f);
	uint32_t ids[BENCH_BATCH];
	uint64_t hits = 0;

	for (size_t i = 0; i < n; i += BENCH_BATCH) {
		size_t k = n - i < BENCH_BATCH ? n - i : BENCH_BATCH;

		m.fn(m.ctx, (const uint8_t *)addrs + i * stride_of(f->af), k, ids);
		for (size_t j = 0; j < k; j++)
			hits += ids[j] != RT_NO_ROUTE;
	}
	return hits;
}

static void run_kind(struct rt_table *t, struct fam *f, const char *kind, const void *addrs,
		     size_t n)
{
	struct measurement ms[2 + 2 * MAX_PEER_METHODS];
	struct kind_result *kr = &f->kinds[f->nkinds++];
	struct bench_method ours = our_method(t, f);
	size_t stride = stride_of(f->af), ns = n < CHECK_SAMPLE ? n : CHECK_SAMPLE;
	struct rt_prefix *answers = NULL;
	unsigned nms = 0;

	snprintf(kr->name, sizeof(kr->name), "%s", kind);
	kr->n = n;
	kr->stable = true;
	ms[nms++] = (struct measurement){
		.m = &ours, .reader = true, .threads = 1,
		.median = &kr->mlps, .checksum = &kr->checksum, .result_stable = &kr->stable,
	};
	/* The same queries give the same answers at any thread count. */
	if (opt.threads > 1)
		ms[nms++] = (struct measurement){
			.m = &ours, .reader = true, .threads = opt.threads, .ref = &ms[0],
			.median = &kr->mlps_t, .result_stable = &kr->stable,
		};
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
	info("%s %s: %zu lookups x %u runs x %u measurements", f->label, kind, n, opt.runs, nms);
	measure_all(ms, nms, addrs, stride, n);
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
				answers = our_answers(t, f, addrs, ns);
			select_method(m);
			cross_check(f, peer, m, addrs, ns, answers, mr);
			if (mr->mismatches)
				fprintf(stderr,
					"routebench: %s %s: %s %s disagrees with us on %" PRIu64
					" of %" PRIu64 " addresses\n", f->label, kind, peer->name,
					m->name, mr->mismatches, mr->checked);
		}
	}
	free(answers);
}

/* Update churn */

/*
 * A writer phase alternates windows without updates and windows with them
 * (CHURN_WINDOW_S each), and the reader counts its lookups per kind of
 * window. The reader's ratio compares windows a few hundred milliseconds
 * apart, so what drifts slowly cancels out: other load, and our own lookup
 * rate, which moves as updates move the trie's blocks around the heap. The
 * first CHURN_GUARD_S of a window without updates still counts as one with
 * them: our last updates are reclaimed then (liburcu's call_rcu thread
 * wakes up every 10 ms).
 */
#define CHURN_WINDOW_S 0.2
#define CHURN_GUARD_S 0.02
/* A paced writer this far behind its schedule counts the pair as late. */
#define LATE_S 1e-3
/* An unpaced writer reads the clock for one pair in this many: reads slow rte_fib's pairs. */
#define LAT_SAMPLE 8
/* The reader reads the clock once per this many batches. */
#define CLOCK_BATCHES 8

static int ours_del(void *ctx, const struct rt_route *r, size_t i)
{
	struct rt_route_key k;

	(void)i;
	memset(&k, 0, sizeof(k));
	k.prefix = r->prefix;
	memcpy(k.proto, r->proto, sizeof(k.proto));
	k.match_metric = true;
	k.metric = r->metric;
	return rt_table_delete(ctx, &k);
}

static int ours_add(void *ctx, const struct rt_route *r, size_t i)
{
	(void)i;
	return rt_table_add(ctx, r);
}

/*
 * One phase: a reader thread cycles through matched addresses with one
 * lookup method while (unless w is NULL) a writer thread deletes and re-adds
 * random routes of the family, as fast as it can or paced to rate, in every
 * other window of the phase (window 0: all the time).
 */
struct churn {
	const struct fam *f;
	const struct bench_updater *w;
	double rate;			/* updates/s, a delete and an add being two; 0 = unpaced */
	double window, guard;		/* seconds */
	double t0;			/* the phase starts */
	int stop;
	/* writer */
	struct rng r;
	uint64_t pairs, late;
	int error;			/* the first failed update; the writer stopped there */
	float *lat;
	size_t nlat, maxlat;
	double wt1;			/* the writer stopped */
	/* reader: [0] windows without updates, [1] with them */
	const struct bench_method *m;
	bool rcu_reader;
	const uint8_t *addrs;
	size_t n;
	uint64_t lookups[2];
	double seconds[2];
	uint32_t x;
	double other_cpus;		/* used by other processes during the phase */
};

/*
 * What other processes ran on the machine during a phase: the busy time of
 * all CPUs (/proc/stat) less this process's CPU time, in CPUs. The machine
 * may be shared; a ratio taken while others took a CPU is not ours.
 */
struct cpu_sample {
	double t, busy, self;
};

static void cpu_sample(struct cpu_sample *s)
{
	unsigned long long v[7];
	struct timespec ts;
	FILE *fp = fopen("/proc/stat", "r");
	int n = 0;

	s->busy = NAN;
	if (fp) {
		n = fscanf(fp, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
			   &v[4], &v[5], &v[6]);
		fclose(fp);
	}
	/* user, nice, system, irq, softirq; not idle (3) nor iowait (4) */
	if (n == 7)
		s->busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) /
			  (double)sysconf(_SC_CLK_TCK);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	s->self = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	s->t = now();
}

/* The larger of two numbers, NAN standing for unknown. */
static double max_known(double a, double b)
{
	return isnan(a) || b > a ? b : a;
}

static double other_cpus(const struct cpu_sample *a, const struct cpu_sample *b)
{
	double x = ((b->busy - a->busy) - (b->self - a->self)) / (b->t - a->t);

	return x > 0 ? x : isnan(x) ? NAN : 0;
}

static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec > 999999999)
		ts.tv_nsec = 999999999;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Whether time t is in a window with updates (or its guard, for the reader): 1 or 0. */
static int window_of(const struct churn *c, double t, double guard)
{
	double x = t - c->t0;
	long k;

	if (!c->w || x < 0)
		return 0;
	if (!c->window)
		return 1;
	k = (long)(x / (2 * c->window));
	x -= (double)k * 2 * c->window;
	return x >= c->window || (k > 0 && x < guard);
}

/* When the writer will have worked a seconds, in its windows. */
static double writer_clock(const struct churn *c, double a)
{
	long k;

	if (!c->window)
		return c->t0 + a;
	k = (long)(a / c->window);
	return c->t0 + (double)(2 * k + 1) * c->window + (a - (double)k * c->window);
}

/* How long the writer's windows have lasted at time t. */
static double writer_time(const struct churn *c, double t)
{
	double x = t - c->t0, rest;
	long k;

	if (!c->window)
		return x;
	k = (long)(x / (2 * c->window));
	rest = x - (double)k * 2 * c->window - c->window;
	return (double)k * c->window + (rest > 0 ? rest : 0);
}

static void *churn_writer(void *arg)
{
	struct churn *c = arg;
	const struct fam *f = c->f;
	bool paced = c->rate > 0;

	/* The default timer slack (50 us) is 2.5 pairs at 100 k updates/s. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	while (!CMM_LOAD_SHARED(c->stop)) {
		size_t i = rng_below(&c->r, f->n);
		const struct rt_route *rt = &f->routes[i];
		bool timed = paced || c->pairs % LAT_SAMPLE == 0;
		double a = 0, due = 0;

		if (paced) {
			/* An absolute schedule: a writer that fell behind catches up. */
			due = writer_clock(c, 2.0 * (double)c->pairs / c->rate);
			a = now();
		} else if (timed) {
			a = now();
			if (!window_of(c, a, 0))
				due = writer_clock(c, writer_time(c, a));
		}
		if (a < due) {
			sleep_until(due);
			if (CMM_LOAD_SHARED(c->stop))
				break;
			a = now();
		} else if (paced && a - due > LATE_S) {
			c->late++;
		}
		c->error = c->w->del(c->w->ctx, rt, i);
		if (!c->error)
			c->error = c->w->add(c->w->ctx, rt, i);
		/* A structure that lost a route no longer holds the table measured. */
		if (c->error)
			break;
		if (timed && c->nlat < c->maxlat)
			c->lat[c->nlat++] = (float)(now() - a);
		c->pairs++;
	}
	c->wt1 = now();
	return NULL;
}

static void *churn_reader(void *arg)
{
	struct churn *c = arg;
	size_t stride = stride_of(c->f->af), pos = 0;
	uint32_t ids[BENCH_BATCH], x = 0;
	uint64_t lookups = 0, batches = 0;
	double last, t;
	bool stop = false;
	int w;

	if (c->rcu_reader)
		rt_reader_register();
	sleep_until(c->t0);
	last = now();
	while (!stop) {
		size_t k = c->n - pos < BENCH_BATCH ? c->n - pos : BENCH_BATCH;

		c->m->fn(c->m->ctx, c->addrs + pos * stride, k, ids);
		for (size_t j = 0; j < k; j++)
			x ^= ids[j];
		lookups += k;
		pos += k;
		if (pos == c->n)
			pos = 0;
		if (++batches % CLOCK_BATCHES)
			continue;
		/* The lookups since the last reading go to the window it fell in. */
		stop = CMM_LOAD_SHARED(c->stop);
		t = now();
		w = window_of(c, last, c->guard);
		c->lookups[w] += lookups;
		c->seconds[w] += t - last;
		lookups = 0;
		last = t;
	}
	c->x = x;
	if (c->rcu_reader)
		rt_reader_unregister();
	return NULL;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double reader_mlps(const struct churn *c, int w)
{
	return c->seconds[w] > 0 ? (double)c->lookups[w] / c->seconds[w] / 1e6 : NAN;
}

/*
 * Run one phase for opt.churn_s seconds, in windows if windowed (else the
 * writer, if any, works all the time).
 */
static void churn_phase(struct churn *c, bool windowed)
{
	struct cpu_sample a, b;
	pthread_t rt, wt;
	int err;

	c->stop = 0;
	c->pairs = c->late = 0;
	c->error = 0;
	memset(c->lookups, 0, sizeof(c->lookups));
	memset(c->seconds, 0, sizeof(c->seconds));
	c->window = windowed && c->w ? min_double(CHURN_WINDOW_S, opt.churn_s / 2) : 0;
	c->guard = c->window ? CHURN_GUARD_S : 0;
	/* Both threads are waiting by then. */
	c->t0 = now() + 0.01;
	cpu_sample(&a);
	err = pthread_create(&rt, NULL, churn_reader, c);
	if (!err && c->w)
		err = pthread_create(&wt, NULL, churn_writer, c);
	if (err)
		die("pthread_create: %s", strerror(err));
	sleep_until(c->t0 + opt.churn_s);
	/* A flag and nothing else: pthread_join() orders the threads' results. */
	CMM_STORE_SHARED(c->stop, 1);
	pthread_join(rt, NULL);
	if (c->w)
		pthread_join(wt, NULL);
	cpu_sample(&b);
	c->other_cpus = other_cpus(&a, &b);
}

/* Per-run figures of one writer configuration, and its latencies. */
struct churn_series {
	double upd[MAX_RUNS], quiet[MAX_RUNS], busy[MAX_RUNS], ratio[MAX_RUNS];
	unsigned n;			/* runs completed */
	float *lat;
	size_t nlat;
	struct churn_stats *out;
};

static void series_init(struct churn_series *s, struct churn_stats *out, double target)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->lat = xmalloc(MAX_LATENCIES * sizeof(*s->lat));
	out->target = target;
	out->other_cpus = NAN;
}

/*
 * One writer phase of run r (from 0). Each run records at most its share of
 * MAX_LATENCIES pair latencies. Returns false if an update failed: the
 * structure no longer holds the table, the run does not count, and no
 * further run is made.
 */
static bool series_phase(struct churn_series *s, struct churn *c, unsigned r, uint64_t purpose)
{
	struct churn_stats *o = s->out;
	double active, upd;

	if (o->error)
		return false;
	/* The same random routes, in the same order, for every structure. */
	c->r = rng_for(purpose);
	c->lat = s->lat + s->nlat;
	c->nlat = 0;
	c->maxlat = MAX_LATENCIES / opt.runs;
	churn_phase(c, true);
	active = writer_time(c, c->wt1);
	upd = 2.0 * (double)c->pairs / active;
	o->other_cpus = max_known(o->other_cpus, c->other_cpus);
	o->seconds += active;
	o->pairs += c->pairs;
	o->late += c->late;
	if (c->error) {
		o->error = c->error;
		o->error_what = "update";
		o->error_run = r + 1;
		o->error_pairs = c->pairs;
		o->error_rate = upd;
		return false;
	}
	s->nlat += c->nlat;
	s->upd[s->n] = upd;
	s->quiet[s->n] = reader_mlps(c, 0);
	s->busy[s->n] = reader_mlps(c, 1);
	s->ratio[s->n] = ratio(s->busy[s->n], s->quiet[s->n]);
	s->n++;
	return true;
}

static void series_finish(struct churn_series *s)
{
	struct churn_stats *o = s->out;

	o->done = true;
	o->runs = s->n;
	memcpy(o->run_upd, s->upd, s->n * sizeof(*s->upd));
	memcpy(o->run_quiet, s->quiet, s->n * sizeof(*s->quiet));
	memcpy(o->run_busy, s->busy, s->n * sizeof(*s->busy));
	memcpy(o->run_ratio, s->ratio, s->n * sizeof(*s->ratio));
	if (s->n) {
		o->updates_per_s = median(s->upd, s->n);
		o->quiet_mlps = median(s->quiet, s->n);
		o->busy_mlps = median(s->busy, s->n);
		o->reader_ratio = median(s->ratio, s->n);
	} else {
		o->updates_per_s = o->quiet_mlps = o->busy_mlps = o->reader_ratio = NAN;
	}
	if (s->nlat) {
		qsort(s->lat, s->nlat, sizeof(*s->lat), cmp_float);
		o->p50_us = s->lat[s->nlat / 2] * 1e6;
		o->p99_us = s->lat[s->nlat * 99 / 100] * 1e6;
		o->max_us = s->lat[s->nlat - 1] * 1e6;
	} else {
		o->p50_us = o->p99_us = o->max_us = NAN;
	}
	free(s->lat);
	s->lat = NULL;
}

/* An ours writer phase: waits for its reclamation afterwards, counts it. */
static bool ours_phase(struct rt_table *t, struct churn_series *s, struct churn *c, unsigned r,
		       uint64_t purpose)
{
	struct rt_table_stats st0, st;
	bool ok;

	rt_table_stats(t, &st0);
	ok = series_phase(s, c, r, purpose);
	/* The next phase starts without a reclamation backlog. */
	rt_table_quiesce(t);
	rt_table_stats(t, &st);
	s->out->reclaim_batches += st.reclaim_batches - st0.reclaim_batches;
	s->out->sync_fallbacks += st.reclaim_sync_fallbacks - st0.reclaim_sync_fallbacks;
	return ok;
}

/* The DPDK peer with single-route updates, and its fastest method on matched queries. */
static const struct bench_method *churn_peer(struct fam *f, struct dpdk_peer **pp)
{
	const struct bench_method *best = NULL;
	double rate = 0;

	for (unsigned p = 0; p < f->npeers; p++) {
		struct dpdk_peer *pe = &f->peers[p];

		if (!pe->ready || !pe->updater.del || !pe->nmethods)
			continue;
		*pp = pe;
		best = &pe->methods[0];
		for (unsigned k = 0; k < f->nkinds; k++) {
			const struct kind_result *kr = &f->kinds[k];

			if (strcmp(kr->name, "matched"))
				continue;
			for (unsigned m = 0; m < kr->nm; m++)
				for (unsigned i = 0; i < pe->nmethods; i++)
					if (!strcmp(kr->m[m].peer, pe->name) &&
					    !strcmp(kr->m[m].method, pe->methods[i].name) &&
					    kr->m[m].mlps > rate) {
						rate = kr->m[m].mlps;
						best = &pe->methods[i];
					}
		}
		return best;
	}
	return NULL;
}

/* rte_fib6 is loaded again before each run (see dpdk_churn_prepare); false if that failed. */
static bool dpdk_reload(struct fam *f, struct dpdk_peer *peer, struct churn_stats *o, unsigned r)
{
#ifdef HAVE_DPDK
	int err = dpdk_churn_prepare(peer, f->routes, f->n, opt.churn_s);

	if (err) {
		o->error = err;
		o->error_what = "reload";
		o->error_run = r + 1;
		return false;
	}
#else
	(void)f;
	(void)peer;
	(void)o;
	(void)r;
#endif
	return true;
}

/*
 * Before the runs: our reader alone on the table as built, then one
 * unpaced churn phase that is not counted (updates move the trie's blocks
 * out of the build's allocation order, which changes the lookup rate for
 * good, so every run starts from that state). Per run, in windows: our
 * writer paced to --update-rate, our writer unpaced, then the DPDK peer's
 * unpaced writer, on the same random routes in the same order. Every ratio
 * is taken within a run; the medians are over runs.
 */
static void run_churn(struct rt_table *t, struct fam *f)
{
	struct update_result *u = &f->upd;
	struct bench_method ours = our_method(t, f);
	struct bench_updater ours_w = { .del = ours_del, .add = ours_add, .ctx = t };
	struct dpdk_peer *peer = NULL;
	const struct bench_method *dm = churn_peer(f, &peer);
	struct churn_series max, paced, dmax;
	double rel[MAX_RUNS];
	size_t n = opt.nrandom < CHURN_QUERIES ? opt.nrandom : CHURN_QUERIES;
	size_t ns = n < CHECK_SAMPLE ? n : CHECK_SAMPLE;
	struct churn c = { .f = f, .n = n };
	struct rt_table_stats st;

	if (!f->n || opt.churn_s <= 0 || !n)
		return;
	info("%s updates: %u runs of %.1f s phases (%s%s)", f->label, opt.runs, opt.churn_s,
	     opt.update_rate ? "paced, unpaced" : "unpaced", dm ? "; DPDK's unpaced" : "");
	c.addrs = gen_queries(f, "matched", n, 0xc0de + (uint64_t)f->af);
	c.m = &ours;
	c.rcu_reader = true;
	churn_phase(&c, false);
	u->reader_built = reader_mlps(&c, 0);
	c.w = &ours_w;
	c.r = rng_for(0x5e771e + (uint64_t)f->af);
	churn_phase(&c, false);
	rt_table_quiesce(t);
	series_init(&max, &u->max, 0);
	series_init(&paced, &u->paced, (double)opt.update_rate);
	series_init(&dmax, &u->dpdk, 0);

	for (unsigned r = 0; r < opt.runs; r++) {
		uint64_t purpose = 0x57a7e + (uint64_t)f->af + ((uint64_t)r << 16);
		bool ok;

		c.m = &ours;
		c.rcu_reader = true;
		c.w = &ours_w;
		if (opt.update_rate) {
			c.rate = (double)opt.update_rate;
			ours_phase(t, &paced, &c, r, purpose);
		}
		c.rate = 0;
		ok = ours_phase(t, &max, &c, r, purpose);
		if (!dm || u->dpdk.error || !dpdk_reload(f, peer, &u->dpdk, r))
			continue;
		select_method(dm);
		/* Fault in what a reload left untouched. */
		run_slice(dm, c.addrs, stride_of(f->af), n < WARMUP_QUERIES ? n : WARMUP_QUERIES);
		c.m = dm;
		c.rcu_reader = false;
		c.w = &peer->updater;
		if (series_phase(&dmax, &c, r, purpose) && ok)
			rel[u->ratio_runs++] = ratio(max.upd[max.n - 1], dmax.upd[dmax.n - 1]);
	}

	u->done = true;
	series_finish(&max);
	if (opt.update_rate)
		series_finish(&paced);
	else
		free(paced.lat);
	if (dm) {
		struct rt_prefix *answers = our_answers(t, f, c.addrs, ns);
		struct method_result mr = { 0 };

		memcpy(u->peer, peer->name, sizeof(u->peer));
		memcpy(u->method, dm->name, sizeof(u->method));
		series_finish(&dmax);
		memcpy(u->run_rel, rel, u->ratio_runs * sizeof(*rel));
		u->ratio_updates = u->ratio_runs ? median(rel, u->ratio_runs) : NAN;
		/* Every pair re-added its route (unless one failed): the same answers. */
		if (peer->nmethods)
			cross_check(f, peer, dm, c.addrs, ns, answers, &mr);
		u->dpdk_checked = mr.checked;
		u->dpdk_mismatches = mr.mismatches;
		if (mr.mismatches)
			fprintf(stderr, "routebench: %s: %s disagrees with us on %" PRIu64
				" of %" PRIu64 " addresses after the churn\n", f->label, peer->name,
				mr.mismatches, mr.checked);
		free(answers);
	} else {
		free(dmax.lat);
	}
	rt_table_stats(t, &st);
	u->after = f->af == AF_INET ? st.v4 : st.v6;
	u->routes_intact = u->after.routes == f->n;
	free((void *)(uintptr_t)c.addrs);
}

/* Instructions per lookup (--callgrind) */

/* The measuring loop without a lookup: what every method's count includes. */
static void harness_lookup(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	(void)ctx;
	(void)addrs;
	memset(ids, 0, n * sizeof(*ids));
}

#ifdef HAVE_CALLGRIND
/*
 * Run every method once over the same queries and dump callgrind's counts
 * after each: each dump holds exactly one run_slice() over n queries
 * (counters zeroed before it, dumped after it; the client requests add a
 * handful of instructions). Instrumentation starts here, so loading the
 * table and the peers runs at valgrind's uninstrumented speed when started
 * with --instr-atstart=no. The warm-up pass before each is not counted.
 */
static void callgrind_kind(struct rt_table *t, const struct fam *f, const char *kind,
			   const void *addrs, size_t n)
{
	static bool started;
	struct bench_method ours = our_method(t, f);
	struct bench_method harness = { .name = "loop", .fn = harness_lookup };
	const struct bench_method *ms[2 + MAX_PEER_METHODS];
	const char *structs[2 + MAX_PEER_METHODS];
	size_t stride = stride_of(f->af);
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
		info("callgrind: %s", label);
		select_method(ms[i]);
		run_slice(ms[i], addrs, stride, n < WARMUP_QUERIES ? n : WARMUP_QUERIES);
		CALLGRIND_ZERO_STATS;
		x = run_slice(ms[i], addrs, stride, n);
		CALLGRIND_DUMP_STATS_AT(label);
		printf("%s 0x%08" PRIx32 "\n", label, x);
	}
}
#else
static void callgrind_kind(struct rt_table *t, const struct fam *f, const char *kind,
			   const void *addrs, size_t n)
{
	(void)t;
	(void)f;
	(void)kind;
	(void)addrs;
	(void)n;
}
#endif

/* Builds */

static struct rt_table *build_table(const struct rt_route *routes, size_t n, double *secs)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	size_t failed = 0;
	double t0;
	int err;

	if (!t)
		die("rt_table_create: %s", strerror(errno));
	t0 = now();
	err = rt_table_replace_all(t, routes, n, &failed);
	*secs = now() - t0;
	if (err) {
		char p[RT_PREFIX_STRLEN];

		die("rt_table_replace_all: %s at route %zu (%s)", strerror(-err), failed,
		    failed < n ? rt_prefix_format(&routes[failed].prefix, p, sizeof(p)) : "?");
	}
	return t;
}

static void build_family(struct fam *f)
{
	struct rt_table *t;
	struct rt_table_stats st;
	double t0;

	if (!f->n)
		return;
	info("%s: rt_table_replace_all of %zu routes", f->label, f->n);
	t = build_table(f->routes, f->n, &f->build_s);
	rt_table_quiesce(t);
	rt_table_stats(t, &f->alone);
	rt_table_destroy(t);
	if (!opt.incremental)
		return;

	info("%s: rt_table_add of %zu routes", f->label, f->n);
	t = rt_table_create(RT_TABLE_MAIN);
	if (!t)
		die("rt_table_create: %s", strerror(errno));
	t0 = now();
	for (size_t i = 0; i < f->n; i++)
		if (rt_table_add(t, &f->routes[i]))
			f->incr_errors++;
	f->incr_s = now() - t0;
	f->incr_done = true;
	rt_table_quiesce(t);
	rt_table_stats(t, &st);
	f->incr = f->af == AF_INET ? st.v4 : st.v6;
	rt_table_destroy(t);
}

/* Output */

static double mib(uint64_t b)
{
	return (double)b / (1024.0 * 1024.0);
}

static const struct rt_family_stats *alone_stats(const struct fam *f)
{
	return f->af == AF_INET ? &f->alone.v4 : &f->alone.v6;
}

static uint32_t total_checksum(const struct fam *fams)
{
	uint32_t x = 0;

	for (unsigned i = 0; i < NFAM; i++)
		for (unsigned k = 0; k < fams[i].nkinds; k++)
			x ^= fams[i].kinds[k].checksum;
	return x;
}

static void print_peer(const struct fam *f, const struct dpdk_peer *pe)
{
	printf("  %-8s", pe->name);
	if (!pe->added) {
		printf(" not loaded: %s\n", pe->note[0] ? pe->note : "-");
		return;
	}
	printf(" load %.3fs: %zu adds, %.1f k/s", pe->create_s + pe->add_s, pe->added,
	       (double)pe->added / pe->add_s / 1e3);
	if (f->incr_done)
		printf(" (ours/theirs %.2f)",
		       ratio((double)f->n / f->incr_s, (double)pe->added / pe->add_s));
	if (pe->mem_bytes)
		printf("; memory %.1f MiB", mib(pe->mem_bytes));
	if (pe->mem_bytes && pe->ready)
		printf(" (ours/theirs %.3f)",
		       ratio((double)f->alone.total_bytes, (double)pe->mem_bytes));
	if (pe->mem_used_bytes)
		printf(", tables in use %.1f MiB", mib(pe->mem_used_bytes));
	printf("; %" PRIu64 " tbl8 groups", pe->tbl8_groups);
	if (pe->skipped)
		printf("; %zu routes skipped (/0)", pe->skipped);
	if (pe->note[0])
		printf("; %s", pe->note);
	printf("\n");
}

static void print_churn(const struct fam *f, const char *structure, const struct churn_stats *c,
			bool ours)
{
	char writer[32];

	if (c->target > 0)
		snprintf(writer, sizeof(writer), "paced %.0f k", c->target / 1e3);
	else
		snprintf(writer, sizeof(writer), "unpaced");
	printf("  %-6s %-9s %-12s", f->label, structure, writer);
	if (c->runs) {
		printf(" %9.1f k %6.1f us %6.1f us %5.0f us %9.2f M %9.2f M %6.3f",
		       c->updates_per_s / 1e3, c->p50_us, c->p99_us, c->max_us, c->quiet_mlps,
		       c->busy_mlps, c->reader_ratio);
		if (ours)
			printf(" %6.0f", (double)c->reclaim_batches / c->seconds);
		else
			printf(" %6s", "-");
		printf(" %6.2f", c->other_cpus);
		if (c->runs < opt.runs)
			printf("  (%u runs)", c->runs);
		if (c->late)
			printf("  %" PRIu64 " of %" PRIu64 " pairs late", c->late, c->pairs);
		if (c->sync_fallbacks)
			printf("  %" PRIu64 " inline waits", c->sync_fallbacks);
		printf("\n");
		if (c->error)
			printf("  %-6s %-9s %-12s", f->label, structure, "");
	}
	if (c->error)
		printf(" STOPPED: %s failed (%s) after %" PRIu64 " pairs of run %u"
		       " (%.1f k updates/s until then)\n", c->error_what, strerror(-c->error),
		       c->error_pairs, c->error_run, c->error_rate / 1e3);
}

static void print_text(const struct fam *fams, size_t nall, double all_s,
		       const struct rt_table_stats *st)
{
	printf("routebench: %s: %zu IPv4 + %zu IPv6 routes; seed %" PRIu64
	       "; median of %u runs; batches of %u\n",
	       opt.routes_path, fams[0].n, fams[1].n, opt.seed, opt.runs, BENCH_BATCH);

	printf("\nBuild (rt_table_replace_all into a fresh table; rt_table_add one by one)\n");
	printf("  %-6s %9s %10s %12s %12s %12s\n", "family", "routes", "replace_all", "routes/s",
	       "add 1 by 1", "adds/s");
	for (unsigned i = 0; i < NFAM; i++) {
		const struct fam *f = &fams[i];

		if (!f->n)
			continue;
		printf("  %-6s %9zu %9.3fs %10.2f M", f->label, f->n, f->build_s,
		       (double)f->n / f->build_s / 1e6);
		if (f->incr_done)
			printf(" %11.3fs %10.1f k", f->incr_s, (double)f->n / f->incr_s / 1e3);
		if (f->incr_errors)
			printf("  (%" PRIu64 " adds failed)", f->incr_errors);
		printf("\n");
	}
	printf("  %-6s %9zu %9.3fs %10.2f M\n", "all", nall, all_s, (double)nall / all_s / 1e6);

	printf("\nMemory (whole table; 'alone' = a table holding only that family)\n");
	printf("  %-6s %9s %12s %9s %9s %12s %12s\n", "family", "prefixes", "FIB", "B/prefix",
	       "FIB nodes", "RIB", "alone total");
	for (unsigned i = 0; i < NFAM; i++) {
		const struct fam *f = &fams[i];

		if (!f->n)
			continue;
		const struct rt_family_stats *fs = &f->full;

		printf("  %-6s %9" PRIu64 " %8.2f MiB %9.2f %9" PRIu64 " %8.2f MiB %8.2f MiB\n",
		       f->label, fs->prefixes, mib(fs->fib_bytes),
		       fs->prefixes ? (double)fs->fib_bytes / (double)fs->prefixes : 0.0,
		       fs->fib_nodes, mib(fs->rib_bytes), mib(f->alone.total_bytes));
		if (f->incr_done && f->incr.fib_bytes != f->full.fib_bytes)
			printf("  %-6s after rt_table_add one by one: FIB %.2f MiB, %" PRIu64
			       " nodes\n", "", mib(f->incr.fib_bytes), f->incr.fib_nodes);
	}
	printf("  table total %.2f MiB (next hops %" PRIu64 ", %.2f MiB; route ids %.2f MiB)\n",
	       mib(st->total_bytes), st->nexthops, mib(st->nexthop_bytes), mib(st->entry_bytes));

	printf("\nLookups (M lookups/s; 1 thread and %u threads)\n", opt.threads);
	printf("  %-6s %-8s %10s %7s %9s %9s %10s\n", "family", "kind", "queries", "hit %",
	       "1 thread", "threads", "checksum");
	for (unsigned i = 0; i < NFAM; i++) {
		const struct fam *f = &fams[i];

		for (unsigned k = 0; k < f->nkinds; k++) {
			const struct kind_result *kr = &f->kinds[k];

			double hit = kr->n ? 100.0 * (double)kr->hits / (double)kr->n : 0.0;

			printf("  %-6s %-8s %10zu %7.2f %9.2f %9.2f 0x%08" PRIx32 "%s\n", f->label,
			       kr->name, kr->n, hit, kr->mlps, kr->mlps_t ? kr->mlps_t : kr->mlps,
			       kr->checksum, kr->stable ? "" : " UNSTABLE");
		}
	}

	for (unsigned i = 0; i < NFAM; i++) {
		const struct fam *f = &fams[i];

		if (!f->npeers)
			continue;
		printf("\nDPDK, %s (same routes and queries; ratios are ours/theirs)\n", f->label);
		for (unsigned p = 0; p < f->npeers; p++)
			print_peer(f, &f->peers[p]);
		printf("  %-8s %-8s %-12s %9s %7s %9s %7s %12s\n", "kind", "peer", "method",
		       "1 thread", "ours/x", "threads", "ours/x", "mismatches");
		for (unsigned k = 0; k < f->nkinds; k++) {
			const struct kind_result *kr = &f->kinds[k];

			for (unsigned m = 0; m < kr->nm; m++) {
				const struct method_result *mr = &kr->m[m];

				printf("  %-8s %-8s %-12s %9.2f %7.2f", kr->name, mr->peer,
				       mr->method, mr->mlps, ratio(kr->mlps, mr->mlps));
				if (mr->mlps_t)
					printf(" %9.2f %7.2f", mr->mlps_t,
					       ratio(kr->mlps_t, mr->mlps_t));
				else
					printf(" %9s %7s", "-", "-");
				printf(" %5" PRIu64 "/%-6" PRIu64 "%s\n", mr->mismatches,
				       mr->checked, mr->stable ? "" : " UNSTABLE");
			}
		}
	}

	printf("\nUpdates (one writer deletes and re-adds random routes of the table while one"
	       " reader looks up\nmatched addresses, the writer working in every other window of"
	       " %.0f ms; a delete and an add\nare two updates; medians of %u runs of %.1f s;"
	       " reader idle/busy: in windows without/with\nupdates, ratio: busy/idle;"
	       " GPs/s: reclaim batches, each waiting for a grace period; others:\nmost CPUs"
	       " other processes used during a run)\n", CHURN_WINDOW_S * 1e3, opt.runs,
	       opt.churn_s);
	printf("  %-6s %-9s %-12s %11s %9s %9s %8s %11s %11s %6s %6s %6s\n", "family",
	       "structure", "writer", "updates/s", "pair p50", "p99", "max", "reader idle",
	       "reader busy", "ratio", "GPs/s", "others");
	for (unsigned i = 0; i < NFAM; i++) {
		const struct fam *f = &fams[i];
		const struct update_result *u = &f->upd;

		if (!u->done)
			continue;
		if (u->paced.done)
			print_churn(f, "ours", &u->paced, true);
		print_churn(f, "ours", &u->max, true);
		if (u->dpdk.done) {
			print_churn(f, u->peer, &u->dpdk, false);
			printf("  %-6s ours/%s update rate ", f->label, u->peer);
			if (u->ratio_runs)
				printf("%.3f (median of %u runs' ratios)", u->ratio_updates,
				       u->ratio_runs);
			else
				printf("- (no run completed on both)");
			printf("; its reader: %s; after the churn %" PRIu64 "/%" PRIu64
			       " answers differ from ours\n", u->method, u->dpdk_mismatches,
			       u->dpdk_checked);
		}
		printf("  %-6s ours, reader alone: %.2f M on the table as built, %.2f M after"
		       " updates (%.3f); FIB %.2f MiB, %" PRIu64 " nodes after them\n", f->label,
		       u->reader_built, u->max.quiet_mlps,
		       ratio(u->max.quiet_mlps, u->reader_built), mib(u->after.fib_bytes),
		       u->after.fib_nodes);
		if (!u->routes_intact)
			printf("  %-6s ROUTES LOST\n", f->label);
	}
	printf("\nchecksum 0x%08" PRIx32 "\n", total_checksum(fams));
}

/* JSON, written by hand: one object. */

struct json {
	int depth;
	bool first[16];
};

static void j_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void j_key(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		putchar(',');
	j->first[j->depth] = false;
	if (key) {
		j_string(key);
		putchar(':');
	}
}

static void j_open(struct json *j, const char *key, char c)
{
	j_key(j, key);
	putchar(c);
	j->first[++j->depth] = true;
}

static void j_close(struct json *j, char c)
{
	j->depth--;
	putchar(c);
}

static void j_num(struct json *j, const char *key, double v)
{
	j_key(j, key);
	if (isfinite(v))
		printf("%.9g", v);
	else
		printf("null");
}

static void j_u64(struct json *j, const char *key, uint64_t v)
{
	j_key(j, key);
	printf("%" PRIu64, v);
}

static void j_bool(struct json *j, const char *key, bool v)
{
	j_key(j, key);
	printf(v ? "true" : "false");
}

static void j_str(struct json *j, const char *key, const char *v)
{
	j_key(j, key);
	if (v)
		j_string(v);
	else
		printf("null");
}

static void j_hex(struct json *j, const char *key, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08" PRIx32, v);
	j_str(j, key, buf);
}

static void j_family_stats(struct json *j, const char *key, const struct rt_family_stats *s)
{
	j_open(j, key, '{');
	j_u64(j, "prefixes", s->prefixes);
	j_u64(j, "routes", s->routes);
	j_u64(j, "fib_bytes", s->fib_bytes);
	j_num(j, "fib_bytes_per_prefix",
	      s->prefixes ? (double)s->fib_bytes / (double)s->prefixes : NAN);
	j_u64(j, "fib_reserved_bytes", s->fib_reserved_bytes);
	j_num(j, "fib_reserved_bytes_per_prefix",
	      s->prefixes ? (double)s->fib_reserved_bytes / (double)s->prefixes : NAN);
	j_u64(j, "fib_nodes", s->fib_nodes);
	j_u64(j, "rib_bytes", s->rib_bytes);
	j_close(j, '}');
}

static void j_nums(struct json *j, const char *key, const double *v, unsigned n)
{
	j_open(j, key, '[');
	for (unsigned i = 0; i < n; i++)
		j_num(j, NULL, v[i]);
	j_close(j, ']');
}

static void j_churn(struct json *j, const struct churn_stats *c)
{
	if (c->target > 0)
		j_num(j, "target_updates_per_s", c->target);
	j_num(j, "seconds", c->seconds);
	j_u64(j, "delete_add_pairs", c->pairs);
	j_num(j, "updates_per_s", c->updates_per_s);
	if (c->target > 0)
		j_u64(j, "late_pairs", c->late);
	j_u64(j, "runs_completed", c->runs);
	j_str(j, "error", c->error ? strerror(-c->error) : NULL);
	if (c->error) {
		j_str(j, "error_in", c->error_what);
		j_u64(j, "error_run", c->error_run);
		j_u64(j, "error_after_pairs", c->error_pairs);
		j_num(j, "error_updates_per_s", c->error_rate);
	}
	j_num(j, "pair_p50_us", c->p50_us);
	j_num(j, "pair_p99_us", c->p99_us);
	j_num(j, "pair_max_us", c->max_us);
	j_num(j, "reader_quiescent_mlps", c->quiet_mlps);
	j_num(j, "reader_churn_mlps", c->busy_mlps);
	j_num(j, "reader_ratio", c->reader_ratio);
	j_num(j, "other_cpus_max", c->other_cpus);
	j_nums(j, "per_run_updates_per_s", c->run_upd, c->runs);
	j_nums(j, "per_run_reader_quiescent_mlps", c->run_quiet, c->runs);
	j_nums(j, "per_run_reader_churn_mlps", c->run_busy, c->runs);
	j_nums(j, "per_run_reader_ratio", c->run_ratio, c->runs);
}

static void json_family(struct json *j, const struct fam *f)
{
	j_open(j, f->name, '{');
	j_u64(j, "routes", f->n);
	if (f->n) {
		j_open(j, "build", '{');
		j_num(j, "replace_all_s", f->build_s);
		j_num(j, "replace_all_routes_per_s", (double)f->n / f->build_s);
		if (f->incr_done) {
			j_num(j, "add_s", f->incr_s);
			j_num(j, "adds_per_s", (double)f->n / f->incr_s);
			j_u64(j, "add_errors", f->incr_errors);
			j_u64(j, "add_fib_bytes", f->incr.fib_bytes);
			j_u64(j, "add_fib_nodes", f->incr.fib_nodes);
		}
		j_close(j, '}');
		j_open(j, "memory", '{');
		j_family_stats(j, "full_table", &f->full);
		j_family_stats(j, "alone", alone_stats(f));
		j_u64(j, "alone_total_bytes", f->alone.total_bytes);
		j_close(j, '}');
	}
	j_open(j, "lookup", '{');
	for (unsigned k = 0; k < f->nkinds; k++) {
		const struct kind_result *kr = &f->kinds[k];

		j_open(j, kr->name, '{');
		j_u64(j, "queries", kr->n);
		j_u64(j, "hits", kr->hits);
		j_num(j, "mlps_1_thread", kr->mlps);
		j_num(j, "mlps_threads", kr->mlps_t ? kr->mlps_t : kr->mlps);
		j_hex(j, "checksum", kr->checksum);
		j_bool(j, "checksum_stable", kr->stable);
		j_open(j, "dpdk", '[');
		for (unsigned m = 0; m < kr->nm; m++) {
			const struct method_result *mr = &kr->m[m];

			j_open(j, NULL, '{');
			j_str(j, "peer", mr->peer);
			j_str(j, "method", mr->method);
			j_num(j, "mlps_1_thread", mr->mlps);
			j_num(j, "ratio_ours_theirs", ratio(kr->mlps, mr->mlps));
			if (mr->mlps_t) {
				j_num(j, "mlps_threads", mr->mlps_t);
				j_num(j, "ratio_threads_ours_theirs",
				      ratio(kr->mlps_t, mr->mlps_t));
			}
			j_hex(j, "checksum", mr->checksum);
			j_bool(j, "checksum_stable", mr->stable);
			j_u64(j, "checked", mr->checked);
			j_u64(j, "mismatches", mr->mismatches);
			j_close(j, '}');
		}
		j_close(j, ']');
		j_close(j, '}');
	}
	j_close(j, '}');
	if (f->upd.done) {
		const struct update_result *u = &f->upd;

		j_open(j, "update", '{');
		j_u64(j, "runs", opt.runs);
		j_num(j, "phase_seconds", opt.churn_s);
		j_num(j, "window_seconds", min_double(CHURN_WINDOW_S, opt.churn_s / 2));
		j_num(j, "guard_seconds", CHURN_GUARD_S);
		j_num(j, "reader_as_built_mlps", u->reader_built);
		/* Ours, the writer as fast as it goes. */
		j_churn(j, &u->max);
		j_u64(j, "reclaim_batches", u->max.reclaim_batches);
		j_u64(j, "reclaim_sync_fallbacks", u->max.sync_fallbacks);
		j_bool(j, "routes_intact", u->routes_intact);
		j_family_stats(j, "after", &u->after);
		if (u->paced.done) {
			j_open(j, "paced", '{');
			j_churn(j, &u->paced);
			j_u64(j, "reclaim_batches", u->paced.reclaim_batches);
			j_u64(j, "reclaim_sync_fallbacks", u->paced.sync_fallbacks);
			j_close(j, '}');
		}
		if (u->dpdk.done) {
			j_open(j, "dpdk", '{');
			j_str(j, "peer", u->peer);
			j_str(j, "reader_method", u->method);
			j_churn(j, &u->dpdk);
			j_num(j, "ratio_updates_ours_theirs", u->ratio_updates);
			j_u64(j, "ratio_runs", u->ratio_runs);
			j_nums(j, "per_run_ratio_updates", u->run_rel, u->ratio_runs);
			j_u64(j, "checked_after", u->dpdk_checked);
			j_u64(j, "mismatches_after", u->dpdk_mismatches);
			j_close(j, '}');
		}
		j_close(j, '}');
	}
	if (f->npeers) {
		j_open(j, "dpdk", '[');
		for (unsigned p = 0; p < f->npeers; p++) {
			const struct dpdk_peer *pe = &f->peers[p];

			j_open(j, NULL, '{');
			j_str(j, "name", pe->name);
			j_bool(j, "measured", pe->ready);
			j_str(j, "note", pe->note);
			j_u64(j, "added", pe->added);
			j_u64(j, "skipped", pe->skipped);
			j_u64(j, "failed", pe->failed);
			j_num(j, "create_s", pe->create_s);
			j_num(j, "add_s", pe->add_s);
			j_num(j, "adds_per_s", pe->add_s > 0 ? (double)pe->added / pe->add_s : NAN);
			if (f->incr_done && pe->add_s > 0) {
				double ours = (double)f->n / f->incr_s;

				j_num(j, "ratio_add_rate_ours_theirs",
				      ratio(ours, (double)pe->added / pe->add_s));
			}
			j_u64(j, "tbl8_groups", pe->tbl8_groups);
			j_u64(j, "mem_bytes", pe->mem_bytes);
			if (pe->mem_used_bytes)
				j_u64(j, "mem_used_bytes", pe->mem_used_bytes);
			if (pe->mem_bytes && pe->ready)
				j_num(j, "ratio_memory_ours_theirs",
				      ratio((double)f->alone.total_bytes, (double)pe->mem_bytes));
			j_close(j, '}');
		}
		j_close(j, ']');
	}
	j_close(j, '}');
}

static void print_json(const struct fam *fams, size_t nall, double all_s,
		       const struct rt_table_stats *st)
{
	struct json j = { .depth = 0, .first = { true } };

	j_open(&j, NULL, '{');
	j_str(&j, "routes_file", opt.routes_path);
	j_str(&j, "queries_file", opt.queries_path);
	j_u64(&j, "seed", opt.seed);
	j_u64(&j, "threads", opt.threads);
	j_u64(&j, "runs", opt.runs);
	j_u64(&j, "batch", BENCH_BATCH);
	j_bool(&j, "membarrier", rt_rcu_has_membarrier());
	j_open(&j, "table", '{');
	j_u64(&j, "routes", nall);
	j_num(&j, "replace_all_s", all_s);
	j_num(&j, "replace_all_routes_per_s", (double)nall / all_s);
	j_u64(&j, "total_bytes", st->total_bytes);
	j_u64(&j, "nexthops", st->nexthops);
	j_u64(&j, "nexthop_bytes", st->nexthop_bytes);
	j_u64(&j, "entry_bytes", st->entry_bytes);
	j_close(&j, '}');
	for (unsigned i = 0; i < NFAM; i++)
		json_family(&j, &fams[i]);
	j_hex(&j, "checksum", total_checksum(fams));
	j_close(&j, '}');
	putchar('\n');
}

/* Options */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: routebench --routes FILE [--queries FILE | --random N] [--threads T]\n"
		"                  [--runs R] [--seed S] [--json] [options]\n"
		"Measure building, memory, lookups and updates of a routing table loaded\n"
		"from a route file, per family.\n"
		"\n"
		"  --routes FILE        routes to load (route file format; table ignored)\n"
		"  --queries FILE       look up these addresses (one per line, either family)\n"
		"  --random N           random addresses per query kind (default 16000000);\n"
		"                       kinds: matched (inside a random table prefix) and\n"
		"                       uniform (uniform random; IPv6 inside 2000::/3)\n"
		"  --threads T          threads for the parallel lookups (default: CPUs online)\n"
		"  --runs R             runs per measurement, the median is kept (default 5)\n"
		"  --seed S             seed of the random queries and updates (default 1)\n"
		"  --churn-seconds S    length of each update phase (default 2; 0 = skip)\n"
		"  --update-rate R      one phase with our writer paced to R updates/s in its\n"
		"                       windows (a delete and an add are two; default 100000;\n"
		"                       0 = skip)\n"
		"  --no-incremental     skip loading the routes one by one with rt_table_add\n"
		"  --json               print one JSON object instead of tables\n"
		"  --callgrind          count instructions per lookup instead of timing: run\n"
		"                       under callgrind (bench/callgrind.sh; --random default\n"
		"                       1048576)\n"
		"  --quiet              no progress messages on stderr\n"
#ifdef HAVE_DPDK
		"  --no-dpdk            skip the DPDK comparison\n"
		"  --dpdk-skip-lpm      skip rte_lpm (loading a full table is slow)\n"
		"  --dpdk-lpm-limit S   give up loading rte_lpm after S seconds\n"
		"  --dpdk-mem MB        EAL memory (default 6144)\n"
		"  --dpdk-threads       measure the DPDK lookups with T threads too\n"
#endif
		"  --help               this text\n");
}

static uint64_t parse_num(const char *name, const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		die("%s: invalid number \"%s\"", name, s);
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		die("%s: \"%s\" is not a number in %" PRIu64 "..%" PRIu64, name, s, min, max);
	return v;
}

static double parse_seconds(const char *name, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !(v >= 0) || v > 86400)
		die("%s: invalid number of seconds \"%s\"", name, s);
	return v;
}

enum {
	OPT_ROUTES = 256, OPT_QUERIES, OPT_RANDOM, OPT_THREADS, OPT_RUNS, OPT_SEED, OPT_JSON,
	OPT_QUIET, OPT_CHURN, OPT_NO_INCR, OPT_NO_DPDK, OPT_SKIP_LPM, OPT_LPM_LIMIT,
	OPT_DPDK_MEM, OPT_DPDK_THREADS, OPT_UPDATE_RATE, OPT_CALLGRIND, OPT_HELP,
};

static void parse_opts(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "routes", required_argument, NULL, OPT_ROUTES },
		{ "queries", required_argument, NULL, OPT_QUERIES },
		{ "random", required_argument, NULL, OPT_RANDOM },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "runs", required_argument, NULL, OPT_RUNS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "churn-seconds", required_argument, NULL, OPT_CHURN },
		{ "update-rate", required_argument, NULL, OPT_UPDATE_RATE },
		{ "callgrind", no_argument, NULL, OPT_CALLGRIND },
		{ "no-incremental", no_argument, NULL, OPT_NO_INCR },
#ifdef HAVE_DPDK
		{ "no-dpdk", no_argument, NULL, OPT_NO_DPDK },
		{ "dpdk-skip-lpm", no_argument, NULL, OPT_SKIP_LPM },
		{ "dpdk-lpm-limit", required_argument, NULL, OPT_LPM_LIMIT },
		{ "dpdk-mem", required_argument, NULL, OPT_DPDK_MEM },
		{ "dpdk-threads", no_argument, NULL, OPT_DPDK_THREADS },
#endif
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	bool random_set = false;
	int c;

	opt.nrandom = 16000000;
	opt.threads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (unsigned)cpus;
	opt.runs = 5;
	opt.seed = 1;
	opt.churn_s = 2;
	opt.update_rate = 100000;
	opt.incremental = true;
#ifdef HAVE_DPDK
	opt.dpdk = true;
#endif
	opt.dpdk_opts.mem_mb = 6144;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROUTES:
			opt.routes_path = optarg;
			break;
		case OPT_QUERIES:
			opt.queries_path = optarg;
			break;
		case OPT_RANDOM:
			opt.nrandom = parse_num("--random", optarg, 1, 1ULL << 32);
			random_set = true;
			break;
		case OPT_THREADS:
			opt.threads = (unsigned)parse_num("--threads", optarg, 1, MAX_THREADS);
			break;
		case OPT_RUNS:
			opt.runs = (unsigned)parse_num("--runs", optarg, 1, MAX_RUNS);
			break;
		case OPT_SEED:
			opt.seed = parse_num("--seed", optarg, 0, UINT64_MAX);
			break;
		case OPT_JSON:
			opt.json = true;
			break;
		case OPT_QUIET:
			opt.quiet = true;
			break;
		case OPT_CHURN:
			opt.churn_s = parse_seconds("--churn-seconds", optarg);
			break;
		case OPT_UPDATE_RATE:
			opt.update_rate = parse_num("--update-rate", optarg, 0, 1000000000);
			break;
		case OPT_CALLGRIND:
			opt.callgrind = true;
			break;
		case OPT_NO_INCR:
			opt.incremental = false;
			break;
		case OPT_NO_DPDK:
			opt.dpdk = false;
			break;
		case OPT_SKIP_LPM:
			opt.dpdk_opts.skip_lpm = true;
			break;
		case OPT_LPM_LIMIT:
			opt.dpdk_opts.lpm_time_limit = parse_seconds("--dpdk-lpm-limit", optarg);
			break;
		case OPT_DPDK_MEM:
			opt.dpdk_opts.mem_mb = (unsigned)parse_num("--dpdk-mem", optarg, 64,
								   1u << 20);
			break;
		case OPT_DPDK_THREADS:
			opt.dpdk_threads = true;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (!opt.routes_path)
		die("--routes FILE is required (see --help)");
	if (opt.callgrind && !random_set)
		opt.nrandom = CALLGRIND_QUERIES;
#ifdef HAVE_CALLGRIND
	if (opt.callgrind && !RUNNING_ON_VALGRIND)
		die("--callgrind counts instructions under valgrind --tool=callgrind only"
		    " (see bench/callgrind.sh)");
#else
	if (opt.callgrind)
		die("--callgrind: built without <valgrind/callgrind.h> (install valgrind)");
#endif
	opt.dpdk_opts.quiet = opt.quiet;
}

static void run_queries(struct rt_table *t, struct fam *f, const char *kind, const void *addrs,
			size_t n)
{
	if (opt.callgrind)
		callgrind_kind(t, f, kind, addrs, n);
	else
		run_kind(t, f, kind, addrs, n);
}

int main(int argc, char **argv)
{
	struct fam fams[NFAM] = {
		{ .af = AF_INET, .name = "v4", .label = "IPv4" },
		{ .af = AF_INET6, .name = "v6", .label = "IPv6" },
	};
	struct rt_route *all = NULL;
	struct rt_table *table;
	struct rt_table_stats st;
	char err[512];
	size_t nall = 0;
	double all_s;
	int rc;

	parse_opts(argc, argv);

	info("loading %s", opt.routes_path);
	rc = routefile_load(opt.routes_path, &all, &nall, err, sizeof(err));
	if (rc)
		die("%s", err);
	for (size_t i = 0; i < nall; i++) {
		struct fam *f = &fams[all[i].prefix.addr.family == AF_INET ? 0 : 1];

		/* One table: whatever table the file names, the routes go to main. */
		all[i].table = RT_TABLE_MAIN;
		f->n++;
	}
	for (unsigned i = 0; i < NFAM; i++) {
		fams[i].routes = xmalloc(fams[i].n * sizeof(struct rt_route));
		fams[i].n = 0;
	}
	for (size_t i = 0; i < nall; i++) {
		struct fam *f = &fams[all[i].prefix.addr.family == AF_INET ? 0 : 1];

		f->routes[f->n++] = all[i];
	}
	info("%zu IPv4 and %zu IPv6 routes", fams[0].n, fams[1].n);
	if (opt.queries_path)
		load_queries(opt.queries_path, fams);

#ifdef HAVE_DPDK
	if (opt.dpdk) {
		if (dpdk_init(&opt.dpdk_opts, err, sizeof(err)))
			die("DPDK: %s", err);
	}
#endif
	/* Lookups for the cross-checks run on this thread. */
	rt_reader_register();

	/* Counting instructions needs only the table and the peers. */
	for (unsigned i = 0; i < NFAM && !opt.callgrind; i++)
		build_family(&fams[i]);
	info("rt_table_replace_all of all %zu routes", nall);
	table = build_table(all, nall, &all_s);
	free(all);
	rt_table_stats(table, &st);
	fams[0].full = st.v4;
	fams[1].full = st.v6;
	/* No reclamation left to run beside the counted lookups. */
	if (opt.callgrind)
		rt_table_quiesce(table);

	for (unsigned i = 0; i < NFAM; i++) {
		struct fam *f = &fams[i];

		if (!f->n && !f->file_n)
			continue;
#ifdef HAVE_DPDK
		if (opt.dpdk && f->n) {
			info("%s: loading the DPDK peers", f->label);
			dpdk_build(f->af, f->routes, f->n, &opt.dpdk_opts, f->peers, &f->npeers);
		}
#endif
		if (opt.queries_path) {
			if (f->file_n)
				run_queries(table, f, "file", f->file_addrs, f->file_n);
		} else if (f->n) {
			static const char *const kinds[MAX_KINDS] = { "matched", "uniform" };

			for (unsigned k = 0; k < MAX_KINDS; k++) {
				void *q = gen_queries(f, kinds[k], opt.nrandom, 16 * k + i);

				run_queries(table, f, kinds[k], q, opt.nrandom);
				free(q);
			}
		}
		/* Before the peers go: the churn runs on rte_fib and rte_fib6 too. */
		if (!opt.callgrind)
			run_churn(table, f);
#ifdef HAVE_DPDK
		dpdk_release(f->peers, f->npeers);
#endif
	}

	/* --callgrind printed a line per method as it went. */
	if (opt.json && !opt.callgrind)
		print_json(fams, nall, all_s, &st);
	else if (!opt.callgrind)
		print_text(fams, nall, all_s, &st);

	rt_reader_unregister();
	rt_table_destroy(table);
#ifdef HAVE_DPDK
	if (opt.dpdk)
		dpdk_fini();
#endif
	for (unsigned i = 0; i < NFAM; i++) {
		free(fams[i].routes);
		free(fams[i].file_addrs);
	}
	if (fflush(stdout) || ferror(stdout))
		die("write error: %s", strerror(errno));
	return 0;
}

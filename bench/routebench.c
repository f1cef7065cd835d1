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
 *   table while one reader thread looks up matched addresses: updates per
 *   second (a delete and an add are two), the latency of a delete + add
 *   pair, and the reader's rate during the churn against the rate without
 *   it.
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <routed/routefile.h>
#include <routed/table.h>

#include "dpdk.h"

#define MAX_THREADS 64
#define MAX_RUNS 99
#define CHECK_SAMPLE 65536
#define WARMUP_QUERIES (1u << 20)
#define CHURN_QUERIES (4u << 20)
#define MAX_LATENCIES (8u << 20)
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
	bool incremental;
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

struct update_result {
	bool done;
	double seconds;
	uint64_t pairs, errors;
	double updates_per_s;
	double p50_us, p99_us, max_us;	/* one delete + add pair */
	double reader_quiet, reader_churn;	/* M lookups/s */
	uint64_t reclaim_batches;	/* call_rcu batches queued during the churn */
	uint64_t sync_fallbacks;	/* ... and inline waits for a grace period */
	bool routes_intact;
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

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s };

	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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

struct churn {
	struct rt_table *t;
	const struct fam *f;
	int stop;
	/* writer */
	uint64_t pairs, errors;
	float *lat;
	size_t nlat;
	double wt0, wt1;
	/* reader */
	struct bench_method m;
	const uint8_t *addrs;
	size_t n;
	uint64_t lookups;
	uint32_t x;
	double rt0, rt1;
};

static void *churn_writer(void *arg)
{
	struct churn *c = arg;
	struct rng r = rng_for(0x57a7e + (uint64_t)c->f->af);

	c->wt0 = now();
	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		const struct rt_route *rt = &c->f->routes[rng_below(&r, c->f->n)];
		struct rt_route_key k;
		double a, b;

		memset(&k, 0, sizeof(k));
		k.prefix = rt->prefix;
		memcpy(k.proto, rt->proto, sizeof(k.proto));
		k.match_metric = true;
		k.metric = rt->metric;
		a = now();
		if (rt_table_delete(c->t, &k))
			c->errors++;
		if (rt_table_add(c->t, rt))
			c->errors++;
		b = now();
		if (c->nlat < MAX_LATENCIES)
			c->lat[c->nlat++] = (float)(b - a);
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
	uint64_t lookups = 0;

	rt_reader_register();
	c->rt0 = now();
	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		size_t k = c->n - pos < BENCH_BATCH ? c->n - pos : BENCH_BATCH;

		c->m.fn(c->m.ctx, c->addrs + pos * stride, k, ids);
		for (size_t j = 0; j < k; j++)
			x ^= ids[j];
		lookups += k;
		pos += k;
		if (pos == c->n)
			pos = 0;
	}
	c->rt1 = now();
	c->lookups = lookups;
	c->x = x;
	rt_reader_unregister();
	return NULL;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/* Run the reader alone, or with the writer, for opt.churn_s seconds. */
static void churn_phase(struct churn *c, bool writer)
{
	pthread_t rt, wt;
	int err;

	c->stop = 0;
	err = pthread_create(&rt, NULL, churn_reader, c);
	if (!err && writer)
		err = pthread_create(&wt, NULL, churn_writer, c);
	if (err)
		die("pthread_create: %s", strerror(err));
	sleep_s(opt.churn_s);
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
	pthread_join(rt, NULL);
	if (writer)
		pthread_join(wt, NULL);
}

static void run_churn(struct rt_table *t, struct fam *f)
{
	struct update_result *u = &f->upd;
	struct churn c = { .t = t, .f = f };
	struct rt_table_stats st0, st;
	size_t n = opt.nrandom < CHURN_QUERIES ? opt.nrandom : CHURN_QUERIES;

	if (!f->n || opt.churn_s <= 0 || !n)
		return;
	info("%s updates: %.1f s quiescent, %.1f s with a writer", f->label, opt.churn_s,
	     opt.churn_s);
	c.m = our_method(t, f);
	c.addrs = gen_queries(f, "matched", n, 0xc0de + (uint64_t)f->af);
	c.n = n;
	c.lat = xmalloc(MAX_LATENCIES * sizeof(*c.lat));

	churn_phase(&c, false);
	u->reader_quiet = (double)c.lookups / (c.rt1 - c.rt0) / 1e6;
	rt_table_stats(t, &st0);
	churn_phase(&c, true);
	u->reader_churn = (double)c.lookups / (c.rt1 - c.rt0) / 1e6;

	u->done = true;
	u->seconds = c.wt1 - c.wt0;
	u->pairs = c.pairs;
	u->errors = c.errors;
	u->updates_per_s = 2.0 * (double)c.pairs / u->seconds;
	if (c.nlat) {
		qsort(c.lat, c.nlat, sizeof(*c.lat), cmp_float);
		u->p50_us = c.lat[c.nlat / 2] * 1e6;
		u->p99_us = c.lat[c.nlat * 99 / 100] * 1e6;
		u->max_us = c.lat[c.nlat - 1] * 1e6;
	}
	rt_table_quiesce(t);
	rt_table_stats(t, &st);
	u->reclaim_batches = st.reclaim_batches - st0.reclaim_batches;
	u->sync_fallbacks = st.reclaim_sync_fallbacks - st0.reclaim_sync_fallbacks;
	u->routes_intact = (f->af == AF_INET ? st.v4.routes : st.v6.routes) == f->n;
	free(c.lat);
	free((void *)(uintptr_t)c.addrs);
}

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

static double ratio(double a, double b)
{
	return b > 0 && a > 0 ? a / b : NAN;
}

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

	printf("\nUpdates (one writer deletes and re-adds random routes;"
	       " one reader looks up matched addresses;\nGPs/s: reclaim batches,"
	       " each waiting for a grace period)\n");
	printf("  %-6s %11s %9s %9s %9s %11s %11s %7s %9s\n", "family", "updates/s", "pair p50",
	       "p99", "max", "reader idle", "reader busy", "ratio", "GPs/s");
	for (unsigned i = 0; i < NFAM; i++) {
		const struct update_result *u = &fams[i].upd;

		if (!u->done)
			continue;
		printf("  %-6s %9.1f k %7.1f us %6.1f us %6.0f us %9.2f M %9.2f M %7.3f",
		       fams[i].label, u->updates_per_s / 1e3, u->p50_us, u->p99_us, u->max_us,
		       u->reader_quiet, u->reader_churn, ratio(u->reader_churn, u->reader_quiet));
		printf(" %9.0f", (double)u->reclaim_batches / u->seconds);
		if (u->sync_fallbacks)
			printf("  %" PRIu64 " inline waits", u->sync_fallbacks);
		if (u->errors)
			printf("  %" PRIu64 " ERRORS", u->errors);
		if (!u->routes_intact)
			printf("  ROUTES LOST");
		printf("\n");
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
	j_u64(j, "fib_nodes", s->fib_nodes);
	j_u64(j, "rib_bytes", s->rib_bytes);
	j_close(j, '}');
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
		j_num(j, "seconds", u->seconds);
		j_u64(j, "delete_add_pairs", u->pairs);
		j_num(j, "updates_per_s", u->updates_per_s);
		j_u64(j, "errors", u->errors);
		j_num(j, "pair_p50_us", u->p50_us);
		j_num(j, "pair_p99_us", u->p99_us);
		j_num(j, "pair_max_us", u->max_us);
		j_num(j, "reader_quiescent_mlps", u->reader_quiet);
		j_num(j, "reader_churn_mlps", u->reader_churn);
		j_num(j, "reader_ratio", ratio(u->reader_churn, u->reader_quiet));
		j_u64(j, "reclaim_batches", u->reclaim_batches);
		j_u64(j, "reclaim_sync_fallbacks", u->sync_fallbacks);
		j_bool(j, "routes_intact", u->routes_intact);
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
		"  --no-incremental     skip loading the routes one by one with rt_table_add\n"
		"  --json               print one JSON object instead of tables\n"
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
	OPT_DPDK_MEM, OPT_DPDK_THREADS, OPT_HELP,
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
	int c;

	opt.nrandom = 16000000;
	opt.threads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (unsigned)cpus;
	opt.runs = 5;
	opt.seed = 1;
	opt.churn_s = 2;
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
	opt.dpdk_opts.quiet = opt.quiet;
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

	for (unsigned i = 0; i < NFAM; i++)
		build_family(&fams[i]);
	info("rt_table_replace_all of all %zu routes", nall);
	table = build_table(all, nall, &all_s);
	free(all);
	rt_table_stats(table, &st);
	fams[0].full = st.v4;
	fams[1].full = st.v6;

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
				run_kind(table, f, "file", f->file_addrs, f->file_n);
		} else if (f->n) {
			static const char *const kinds[MAX_KINDS] = { "matched", "uniform" };

			for (unsigned k = 0; k < MAX_KINDS; k++) {
				void *q = gen_queries(f, kinds[k], opt.nrandom, 16 * k + i);

				run_kind(table, f, kinds[k], q, opt.nrandom);
				free(q);
			}
		}
#ifdef HAVE_DPDK
		dpdk_release(f->peers, f->npeers);
#endif
		run_churn(table, f);
	}

	if (opt.json)
		print_json(fams, nall, all_s, &st);
	else
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

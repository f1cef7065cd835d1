// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rcubench: what the reconfiguration gate and our RCU flavor cost.
 *
 * (a) Lookup rate through the gate vs without it: reader threads doing
 *     rt_table_lookup_ids4() batches of 64, each batch bare or wrapped in
 *     read_lock + gate_read_enter ... gate_read_leave + read_unlock, no
 *     writer around (the fast path). Runs interleave the two modes; the
 *     ratio reported is the median of the per-run ratios.
 * (b) synchronize_rcu() latency of urcu-memb, urcu-mb and urcu-signal,
 *     linked side by side, with two reader threads of that flavor busy.
 * (c) The lookup stall during reconfiguration: gated readers time each
 *     batch's gate_read_enter() while a writer takes the gate for --hold-us
 *     every --interval-ms.
 *
 * Queries are addresses inside the table's prefixes (random host bits).
 * The table comes from --routes FILE (its IPv4 routes) or --prefixes N
 * random IPv4 prefixes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <urcu/uatomic.h>
#include <urcu/urcu-mb.h>
#include <urcu/urcu-memb.h>
#include <urcu/urcu-signal.h>

#include <routed/clock.h>
#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/routefile.h>
#include <routed/table.h>

#include "gate.h"

#define BATCH 64
#define NQUERIES (1u << 20)	/* a power of two: the query index wraps with a mask */
#define MAX_THREADS 64
#define MAX_RUNS 101
#define STALL_SAMPLES_MAX (8u << 20)	/* per thread */

static struct {
	const char *routes_path;
	unsigned prefixes;
	unsigned readers;
	unsigned runs;
	double seconds;
	unsigned sync_samples;
	unsigned hold_us;
	unsigned interval_ms;
	uint64_t seed;
	bool json;
} opt = {
	.prefixes = 200000,
	.readers = 2,
	.runs = 5,
	.seconds = 1.0,
	.sync_samples = 2000,
	.hold_us = 1000,
	.interval_ms = 10,
	.seed = 1,
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("rcubench: ", stderr);
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

	if (opt.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000u, .tv_nsec = ns % 1000000000u };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void spin_ns(uint64_t ns)
{
	uint64_t end = rt_clock_ns() + ns;

	while (rt_clock_ns() < end)
		caa_cpu_relax();
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die("out of memory");
	return p;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The q-quantile of sorted samples (nearest rank). */
static uint32_t quantile(const uint32_t *sorted, size_t n, double q)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (size_t)ceil(q * (double)n);
	return sorted[rank ? rank - 1 : 0];
}

/* ---------------------------------------------------------------------- */
/* The table and the queries */

struct v4_prefix {
	uint32_t addr;
	unsigned len;
};

struct table_load {
	struct v4_prefix *prefixes;
	size_t n, cap;
};

static void add_prefix(struct table_load *l, uint32_t addr, unsigned len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->prefixes = realloc(l->prefixes, l->cap * sizeof(*l->prefixes));
		if (!l->prefixes)
			die("out of memory");
	}
	l->prefixes[l->n++] = (struct v4_prefix){ addr, len };
}

static int collect_v4(const struct rt_route *r, void *arg)
{
	if (r->prefix.addr.family == AF_INET)
		add_prefix(arg, rt_addr_to_v4(&r->prefix.addr), r->prefix.len);
	return 0;
}

/* Lengths shaped like a BGP table: mostly /24, then /22-/23, a tail to /8. */
static unsigned random_len(uint64_t *rng)
{
	unsigned dice = (unsigned)(splitmix(rng) % 100);

	if (dice < 58)
		return 24;
	if (dice < 70)
		return 23;
	if (dice < 82)
		return 22;
	return 8 + (unsigned)(splitmix(rng) % 14);
}

static void load_prefixes(struct table_load *l)
{
	if (opt.routes_path) {
		char err[256];
		FILE *f = fopen(opt.routes_path, "r");
		int ret;

		if (!f)
			die("%s: %s", opt.routes_path, strerror(errno));
		ret = routefile_read(f, opt.routes_path, collect_v4, l, err, sizeof(err));
		fclose(f);
		if (ret)
			die("%s", err);
		if (!l->n)
			die("%s: no IPv4 routes", opt.routes_path);
		return;
	}
	uint64_t rng = opt.seed;

	for (unsigned i = 0; i < opt.prefixes; i++) {
		unsigned len = random_len(&rng);
		uint32_t addr = (uint32_t)splitmix(&rng) & (uint32_t)(~0ull << (32 - len));

		add_prefix(l, addr, len);
	}
}

static size_t table_prefixes;	/* distinct prefixes in the table */

static struct rt_table *build_table(const struct table_load *l)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct rt_route r;
	size_t dup = 0;

	if (!t)
		die("rt_table_create: %s", strerror(errno));
	for (size_t i = 0; i < l->n; i++) {
		int err;

		rt_route_init(&r);
		rt_addr_from_v4(&r.prefix.addr, l->prefixes[i].addr);
		r.prefix.len = (uint8_t)l->prefixes[i].len;
		rt_addr_from_v4(&r.gateway, 0xc0000200u + (uint32_t)(i % 250) + 1);
		err = rt_table_add(t, &r);
		if (err == -EEXIST)
			dup++;
		else if (err)
			die("rt_table_add: %s", strerror(-err));
	}
	rt_table_quiesce(t);
	table_prefixes = l->n - dup;
	info("table: %zu IPv4 prefixes (%zu duplicates skipped)\n", l->n - dup, dup);
	return t;
}

static uint32_t *make_queries(const struct table_load *l)
{
	uint32_t *q = xcalloc(NQUERIES, sizeof(*q));
	uint64_t rng = opt.seed * 0x9e3779b97f4a7c15ull + 7;

	for (unsigned i = 0; i < NQUERIES; i++) {
		const struct v4_prefix *p = &l->prefixes[splitmix(&rng) % l->n];
		uint32_t host = p->len == 32 ? 0 : (uint32_t)splitmix(&rng) & (~0u >> p->len);

		q[i] = p->addr | host;
	}
	return q;
}

/* ---------------------------------------------------------------------- */
/* Lookup workers: (a) and (c) */

enum lookup_mode { MODE_BARE, MODE_GATED, MODE_TIMED, MODE_ALTERNATE };

/* MODE_ALTERNATE: chunks of this many batches, bare and gated in turn. */
#define CHUNK_BATCHES 256
#define MAX_PAIRS (1u << 18)

struct lookup_worker {
	pthread_t thread;
	enum lookup_mode mode;
	unsigned index;
	uint64_t lookups;
	double seconds;
	uint64_t alt_lookups[2], alt_ns[2];	/* MODE_ALTERNATE: [bare, gated] */
	double *pair_ratio;		/* MODE_ALTERNATE: gated/bare rate of each chunk pair */
	size_t npairs;
	uint32_t *enter_ns;		/* MODE_TIMED: every batch's gate_read_enter() */
	size_t nenter;
	uint32_t *waited_ns;		/* ...those that waited for the writer */
	size_t nwaited;
	uint32_t sink;
};

static struct rt_table *table;
static uint32_t *queries;
static struct gate *gate;
static pthread_barrier_t start_barrier;
static int stop_flag;

static uint32_t clamp_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* One chunk of batches, bare or through the gate; returns its duration. */
static uint64_t lookup_chunk(struct gate_reader *r, bool gated, size_t *pos, uint32_t *sink)
{
	uint32_t ids[BATCH];
	uint64_t t0 = rt_clock_ns();

	for (int k = 0; k < CHUNK_BATCHES; k++) {
		const uint32_t *a = queries + (*pos & (NQUERIES - 1));

		*pos += BATCH;
		if (gated) {
			urcu_memb_read_lock();
			gate_read_enter(r);
			rt_table_lookup_ids4(table, a, BATCH, ids);
			gate_read_leave(r);
			urcu_memb_read_unlock();
		} else {
			rt_table_lookup_ids4(table, a, BATCH, ids);
		}
		*sink += ids[0];
	}
	return rt_clock_ns() - t0;
}

/*
 * Bare and gated chunks in turn, first mode alternating: drift from
 * frequency changes or other load hits both modes alike. Each chunk takes
 * fresh queries (replaying the same ones would favour the second chunk of
 * a pair with a warm cache and make the pair ratios bimodal).
 */
static void alternate(struct lookup_worker *w, struct gate_reader *r, size_t pos)
{
	uint32_t sink = 0;

	for (unsigned pair = 0; !CMM_LOAD_SHARED(stop_flag); pair++) {
		uint64_t ns[2];

		for (int k = 0; k < 2; k++) {
			bool gated = (pair + k) % 2;

			ns[gated] = lookup_chunk(r, gated, &pos, &sink);
			w->alt_ns[gated] += ns[gated];
			w->alt_lookups[gated] += (uint64_t)CHUNK_BATCHES * BATCH;
		}
		/* As many lookups in both: the rate ratio is the inverse time ratio. */
		if (w->npairs < MAX_PAIRS)
			w->pair_ratio[w->npairs++] = (double)ns[0] / (double)ns[1];
	}
	w->sink = sink;
}

static void *lookup_main(void *arg)
{
	struct lookup_worker *w = arg;
	struct gate_reader *r = NULL;
	uint32_t ids[BATCH], sink = 0;
	size_t pos = (size_t)w->index * (NQUERIES / MAX_THREADS);
	uint64_t batches = 0, t0;

	rt_reader_register();
	if (w->mode != MODE_BARE) {
		r = gate_reader_register(gate);
		if (!r)
			die("gate_reader_register: %s", strerror(errno));
	}
	pthread_barrier_wait(&start_barrier);
	t0 = rt_clock_ns();
	if (w->mode == MODE_ALTERNATE)
		alternate(w, r, pos);
	while (!CMM_LOAD_SHARED(stop_flag)) {
		for (int k = 0; k < 64; k++, batches++) {
			const uint32_t *a = queries + (pos & (NQUERIES - 1));
			uint64_t e0;

			pos += BATCH;
			switch (w->mode) {
			case MODE_BARE:
			case MODE_ALTERNATE:
				rt_table_lookup_ids4(table, a, BATCH, ids);
				break;
			case MODE_GATED:
				urcu_memb_read_lock();
				gate_read_enter(r);
				rt_table_lookup_ids4(table, a, BATCH, ids);
				gate_read_leave(r);
				urcu_memb_read_unlock();
				break;
			case MODE_TIMED:
				e0 = rt_clock_ns();
				urcu_memb_read_lock();
				if (gate_read_enter(r) == GATE_ENTERED_AFTER_WAIT &&
				    w->nwaited < STALL_SAMPLES_MAX)
					w->waited_ns[w->nwaited++] = clamp_u32(rt_clock_ns() - e0);
				if (w->nenter < STALL_SAMPLES_MAX)
					w->enter_ns[w->nenter++] = clamp_u32(rt_clock_ns() - e0);
				rt_table_lookup_ids4(table, a, BATCH, ids);
				gate_read_leave(r);
				urcu_memb_read_unlock();
				break;
			}
			sink += ids[0];
		}
	}
	w->seconds = (double)(rt_clock_ns() - t0) / 1e9;
	w->lookups = batches * BATCH;
	w->sink += sink;
	gate_reader_unregister(r);
	rt_reader_unregister();
	return NULL;
}

/* Run opt.readers workers in one mode for opt.seconds; returns lookups/s. */
static double run_lookups(enum lookup_mode mode, struct lookup_worker *w,
			  void (*during)(double seconds))
{
	double rate = 0;

	if (pthread_barrier_init(&start_barrier, NULL, opt.readers + 1))
		die("pthread_barrier_init failed");
	CMM_STORE_SHARED(stop_flag, 0);
	for (unsigned i = 0; i < opt.readers; i++) {
		w[i].mode = mode;
		w[i].index = i;
		if (pthread_create(&w[i].thread, NULL, lookup_main, &w[i]))
			die("pthread_create failed");
	}
	pthread_barrier_wait(&start_barrier);
	if (during)
		during(opt.seconds);
	else
		sleep_ns((uint64_t)(opt.seconds * 1e9));
	CMM_STORE_SHARED(stop_flag, 1);
	for (unsigned i = 0; i < opt.readers; i++) {
		pthread_join(w[i].thread, NULL);
		rate += (double)w[i].lookups / w[i].seconds;
	}
	pthread_barrier_destroy(&start_barrier);
	return rate;
}

struct gate_cost {
	double bare_median, gated_median, ratio_median, ratio_min, ratio_max;
	double bare[MAX_RUNS], gated[MAX_RUNS];
};

static void measure_gate_cost(struct gate_cost *c)
{
	struct lookup_worker w[MAX_THREADS];
	double ratios[MAX_RUNS], b[MAX_RUNS], g[MAX_RUNS];

	info("\n(a) lookup rate, batches of %d, %u readers, %u runs of %.1f s, each "
	     "alternating bare and gated chunks of %d batches (ratio: median chunk pair)\n",
	     BATCH, opt.readers, opt.runs, opt.seconds, CHUNK_BATCHES);
	double *pairs = xcalloc((size_t)opt.readers * MAX_PAIRS, sizeof(*pairs));

	for (unsigned run = 0; run < opt.runs; run++) {
		size_t npairs = 0;

		memset(w, 0, sizeof(w));
		for (unsigned i = 0; i < opt.readers; i++)
			w[i].pair_ratio = pairs + (size_t)i * MAX_PAIRS;
		run_lookups(MODE_ALTERNATE, w, NULL);
		c->bare[run] = c->gated[run] = 0;
		for (unsigned i = 0; i < opt.readers; i++) {
			c->bare[run] += (double)w[i].alt_lookups[0] / ((double)w[i].alt_ns[0] / 1e9);
			c->gated[run] += (double)w[i].alt_lookups[1] / ((double)w[i].alt_ns[1] / 1e9);
			/* Compact: the pairs of all readers, one after the other. */
			memmove(pairs + npairs, w[i].pair_ratio, w[i].npairs * sizeof(*pairs));
			npairs += w[i].npairs;
		}
		/*
		 * The median pair: a chunk preempted by another process is an
		 * outlier either way and drops out (rates summed over the
		 * run would carry it).
		 */
		ratios[run] = npairs ? median(pairs, (unsigned)npairs) : NAN;
		b[run] = c->bare[run];
		g[run] = c->gated[run];
		info("  run %u: bare %.1f M/s, gated %.1f M/s, ratio %.2f%%\n", run + 1,
		     c->bare[run] / 1e6, c->gated[run] / 1e6, 100 * ratios[run]);
	}
	free(pairs);
	c->bare_median = median(b, opt.runs);
	c->gated_median = median(g, opt.runs);
	c->ratio_median = median(ratios, opt.runs);
	c->ratio_min = ratios[0];
	c->ratio_max = ratios[opt.runs - 1];
	info("  median: bare %.1f M lookups/s, gated %.1f M/s, gated/bare %.2f%% "
	     "(runs %.2f%%..%.2f%%)\n",
	     c->bare_median / 1e6, c->gated_median / 1e6, 100 * c->ratio_median,
	     100 * c->ratio_min, 100 * c->ratio_max);
}

/* ---------------------------------------------------------------------- */
/* (b) synchronize_rcu() latency per flavor */

struct flavor {
	const char *name;
	void (*register_thread)(void);
	void (*unregister_thread)(void);
	void (*read_lock)(void);
	void (*read_unlock)(void);
	void (*synchronize)(void);
};

/* The read lock functions are inline macros under _LGPL_SOURCE: wrap them. */
static void memb_lock(void)
{
	urcu_memb_read_lock();
}

static void memb_unlock(void)
{
	urcu_memb_read_unlock();
}

static void mb_lock(void)
{
	urcu_mb_read_lock();
}

static void mb_unlock(void)
{
	urcu_mb_read_unlock();
}

static void signal_lock(void)
{
	urcu_signal_read_lock();
}

static void signal_unlock(void)
{
	urcu_signal_read_unlock();
}

static const struct flavor flavors[] = {
	{ "memb", urcu_memb_register_thread, urcu_memb_unregister_thread, memb_lock, memb_unlock,
	  urcu_memb_synchronize_rcu },
	{ "mb", urcu_mb_register_thread, urcu_mb_unregister_thread, mb_lock, mb_unlock,
	  urcu_mb_synchronize_rcu },
	{ "signal", urcu_signal_register_thread, urcu_signal_unregister_thread, signal_lock,
	  signal_unlock, urcu_signal_synchronize_rcu },
};
#define NFLAVORS (sizeof(flavors) / sizeof(flavors[0]))

struct sync_result {
	uint32_t p50, p99, max;
	double mean;
	uint64_t reader_sections;
};

static const struct flavor *busy_flavor;
static uint64_t reader_sections;
static int shared_word;

/* A busy reader of the flavor under test: short sections back to back. */
static void *flavor_reader_main(void *arg)
{
	const struct flavor *f = busy_flavor;
	uint64_t sections = 0;
	int sink = 0;

	f->register_thread();
	pthread_barrier_wait(&start_barrier);
	while (!CMM_LOAD_SHARED(stop_flag)) {
		f->read_lock();
		for (int i = 0; i < 16; i++)
			sink += CMM_LOAD_SHARED(shared_word);
		f->read_unlock();
		sections++;
	}
	f->unregister_thread();
	uatomic_add(&reader_sections, sections);
	return (void *)(uintptr_t)(sink & 1);
}

static void measure_sync(const struct flavor *f, struct sync_result *res)
{
	uint32_t *lat = xcalloc(opt.sync_samples, sizeof(*lat));
	pthread_t readers[2];
	uint64_t rng = opt.seed, total = 0;

	busy_flavor = f;
	reader_sections = 0;
	CMM_STORE_SHARED(stop_flag, 0);
	if (pthread_barrier_init(&start_barrier, NULL, 3))
		die("pthread_barrier_init failed");
	for (int i = 0; i < 2; i++)
		if (pthread_create(&readers[i], NULL, flavor_reader_main, NULL))
			die("pthread_create failed");
	pthread_barrier_wait(&start_barrier);
	for (unsigned i = 0; i < opt.sync_samples; i++) {
		uint64_t t0 = rt_clock_ns();

		f->synchronize();
		lat[i] = clamp_u32(rt_clock_ns() - t0);
		total += lat[i];
		/* Spaced out: grace periods one at a time, not batched together. */
		sleep_ns(20000 + splitmix(&rng) % 30000);
	}
	CMM_STORE_SHARED(stop_flag, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(readers[i], NULL);
	pthread_barrier_destroy(&start_barrier);

	qsort(lat, opt.sync_samples, sizeof(*lat), cmp_u32);
	res->p50 = quantile(lat, opt.sync_samples, 0.5);
	res->p99 = quantile(lat, opt.sync_samples, 0.99);
	res->max = lat[opt.sync_samples - 1];
	res->mean = (double)total / opt.sync_samples;
	res->reader_sections = reader_sections;
	free(lat);
}

/* ---------------------------------------------------------------------- */
/* (c) the lookup stall during reconfiguration */

struct stall_result {
	uint64_t batches, waited;
	uint32_t all_p50, all_p99, all_p999, all_max;
	uint32_t wait_p50, wait_p99, wait_max;
	double rate;
	struct gate_stats gate;
};

static uint64_t write_sections;

/* The writer during (c): a write section of hold_us every interval_ms. */
static void reconfigure_for(double seconds)
{
	uint64_t end = rt_clock_ns() + (uint64_t)(seconds * 1e9);

	while (rt_clock_ns() < end) {
		sleep_ns((uint64_t)opt.interval_ms * 1000000u);
		gate_write_enter(gate);
		spin_ns((uint64_t)opt.hold_us * 1000u);
		gate_write_leave(gate);
		write_sections++;
	}
}

static void merge_sorted(struct lookup_worker *w, bool waited, uint32_t **out, size_t *n)
{
	size_t total = 0, k = 0;

	for (unsigned i = 0; i < opt.readers; i++)
		total += waited ? w[i].nwaited : w[i].nenter;
	*out = xcalloc(total ? total : 1, sizeof(**out));
	for (unsigned i = 0; i < opt.readers; i++) {
		size_t m = waited ? w[i].nwaited : w[i].nenter;

		memcpy(*out + k, waited ? w[i].waited_ns : w[i].enter_ns, m * sizeof(**out));
		k += m;
	}
	qsort(*out, total, sizeof(**out), cmp_u32);
	*n = total;
}

static void measure_stall(struct stall_result *res)
{
	struct lookup_worker w[MAX_THREADS];
	uint32_t *all, *waited;
	size_t nall, nwaited;

	memset(w, 0, sizeof(w));
	for (unsigned i = 0; i < opt.readers; i++) {
		w[i].enter_ns = xcalloc(STALL_SAMPLES_MAX, sizeof(uint32_t));
		w[i].waited_ns = xcalloc(STALL_SAMPLES_MAX, sizeof(uint32_t));
	}
	write_sections = 0;
	res->rate = run_lookups(MODE_TIMED, w, reconfigure_for);
	gate_stats(gate, &res->gate);

	merge_sorted(w, false, &all, &nall);
	merge_sorted(w, true, &waited, &nwaited);
	res->batches = nall;
	res->waited = nwaited;
	res->all_p50 = quantile(all, nall, 0.5);
	res->all_p99 = quantile(all, nall, 0.99);
	res->all_p999 = quantile(all, nall, 0.999);
	res->all_max = nall ? all[nall - 1] : 0;
	res->wait_p50 = quantile(waited, nwaited, 0.5);
	res->wait_p99 = quantile(waited, nwaited, 0.99);
	res->wait_max = nwaited ? waited[nwaited - 1] : 0;
	free(all);
	free(waited);
	for (unsigned i = 0; i < opt.readers; i++) {
		free(w[i].enter_ns);
		free(w[i].waited_ns);
	}
}

/* ---------------------------------------------------------------------- */
/* Output */

static void print_json(const struct gate_cost *c, const struct sync_result *sync,
		       const struct stall_result *s, size_t prefixes)
{
	printf("{\n  \"seed\": %" PRIu64 ",\n  \"readers\": %u,\n  \"batch\": %d,\n"
	       "  \"prefixes\": %zu,\n  \"membarrier\": %s,\n",
	       opt.seed, opt.readers, BATCH, prefixes,
	       urcu_memb_has_sys_membarrier ? "true" : "false");
	printf("  \"gate_cost\": {\"runs\": %u, \"seconds_per_run\": %.3f, "
	       "\"bare_lookups_per_s\": %.0f, \"gated_lookups_per_s\": %.0f, "
	       "\"ratio_median\": %.4f, \"ratio_min\": %.4f, \"ratio_max\": %.4f},\n",
	       opt.runs, opt.seconds, c->bare_median, c->gated_median, c->ratio_median,
	       c->ratio_min, c->ratio_max);
	printf("  \"synchronize_rcu_ns\": {");
	for (size_t i = 0; i < NFLAVORS; i++)
		printf("%s\"%s\": {\"samples\": %u, \"p50\": %" PRIu32 ", \"p99\": %" PRIu32
		       ", \"max\": %" PRIu32 ", \"mean\": %.0f}",
		       i ? ", " : "", flavors[i].name, opt.sync_samples, sync[i].p50, sync[i].p99,
		       sync[i].max, sync[i].mean);
	printf("},\n");
	printf("  \"stall\": {\"hold_us\": %u, \"interval_ms\": %u, \"write_sections\": %" PRIu64
	       ", \"lookups_per_s\": %.0f, \"batches\": %" PRIu64 ", \"waited\": %" PRIu64
	       ", \"enter_ns\": {\"p50\": %" PRIu32 ", \"p99\": %" PRIu32 ", \"p999\": %" PRIu32
	       ", \"max\": %" PRIu32 "}, \"waited_ns\": {\"p50\": %" PRIu32 ", \"p99\": %" PRIu32
	       ", \"max\": %" PRIu32 "}, \"writer_enter_max_ns\": %" PRIu64 "}\n}\n",
	       opt.hold_us, opt.interval_ms, write_sections, s->rate, s->batches, s->waited,
	       s->all_p50, s->all_p99, s->all_p999, s->all_max, s->wait_p50, s->wait_p99,
	       s->wait_max, s->gate.max_enter_ns);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rcubench [--routes FILE | --prefixes N] [--readers N] [--runs R]\n"
		"                [--seconds S] [--sync-samples N] [--hold-us US]\n"
		"                [--interval-ms MS] [--seed S] [--json]\n"
		"  --routes FILE        IPv4 routes of a route file (default: random prefixes)\n"
		"  --prefixes N         random IPv4 prefixes (default 200000)\n"
		"  --readers N          lookup threads (default 2)\n"
		"  --runs R             interleaved bare/gated runs, odd is best (default 5)\n"
		"  --seconds S          length of each lookup run (default 1)\n"
		"  --sync-samples N     synchronize_rcu calls per flavor (default 2000)\n"
		"  --hold-us US         write section length in (c) (default 1000)\n"
		"  --interval-ms MS     pause between write sections in (c) (default 10)\n"
		"  --seed S             seed of the prefixes and queries (default 1)\n"
		"  --json               JSON on stdout instead of text\n");
}

static unsigned long long parse_num(const char *name, const char *s, unsigned long long min,
				    unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		die("%s: '%s' is not a number in %llu..%llu", name, s, min, max);
	return v;
}

static void parse_options(int argc, char **argv)
{
	enum { O_ROUTES = 256, O_PREFIXES, O_READERS, O_RUNS, O_SECONDS, O_SYNC, O_HOLD,
	       O_INTERVAL, O_SEED, O_JSON, O_HELP };
	static const struct option longopts[] = {
		{ "routes", required_argument, NULL, O_ROUTES },
		{ "prefixes", required_argument, NULL, O_PREFIXES },
		{ "readers", required_argument, NULL, O_READERS },
		{ "runs", required_argument, NULL, O_RUNS },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "sync-samples", required_argument, NULL, O_SYNC },
		{ "hold-us", required_argument, NULL, O_HOLD },
		{ "interval-ms", required_argument, NULL, O_INTERVAL },
		{ "seed", required_argument, NULL, O_SEED },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case O_ROUTES:
			opt.routes_path = optarg;
			break;
		case O_PREFIXES:
			opt.prefixes = (unsigned)parse_num("--prefixes", optarg, 1, 10000000);
			break;
		case O_READERS:
			opt.readers = (unsigned)parse_num("--readers", optarg, 1, MAX_THREADS);
			break;
		case O_RUNS:
			opt.runs = (unsigned)parse_num("--runs", optarg, 1, MAX_RUNS);
			break;
		case O_SECONDS:
			errno = 0;
			opt.seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(opt.seconds >= 0.01) ||
			    opt.seconds > 3600)
				die("--seconds: '%s' is not a duration in 0.01..3600", optarg);
			break;
		case O_SYNC:
			opt.sync_samples = (unsigned)parse_num("--sync-samples", optarg, 1,
							       10000000);
			break;
		case O_HOLD:
			opt.hold_us = (unsigned)parse_num("--hold-us", optarg, 0, 10000000);
			break;
		case O_INTERVAL:
			opt.interval_ms = (unsigned)parse_num("--interval-ms", optarg, 0, 100000);
			break;
		case O_SEED:
			opt.seed = parse_num("--seed", optarg, 0, UINT64_MAX);
			break;
		case O_JSON:
			opt.json = true;
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rcubench: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct table_load load = { 0 };
	struct gate_cost cost;
	struct sync_result sync[NFLAVORS];
	struct stall_result stall;

	parse_options(argc, argv);
	info("rcubench: seed %" PRIu64 ", %u readers, membarrier %s\n", opt.seed, opt.readers,
	     urcu_memb_has_sys_membarrier ? "yes" : "no (fence fallback)");
	load_prefixes(&load);
	table = build_table(&load);
	queries = make_queries(&load);
	gate = gate_create();
	if (!gate)
		die("gate_create: %s", strerror(errno));

	memset(&cost, 0, sizeof(cost));
	measure_gate_cost(&cost);

	info("\n(b) synchronize_rcu() latency, 2 busy readers of the flavor, %u calls each\n",
	     opt.sync_samples);
	for (size_t i = 0; i < NFLAVORS; i++) {
		measure_sync(&flavors[i], &sync[i]);
		info("  %-6s p50 %8.1f us  p99 %8.1f us  max %8.1f us  mean %8.1f us\n",
		     flavors[i].name, sync[i].p50 / 1e3, sync[i].p99 / 1e3, sync[i].max / 1e3,
		     sync[i].mean / 1e3);
	}

	info("\n(c) lookup stall: write sections of %u us every %u ms, %u gated readers, %.1f s\n",
	     opt.hold_us, opt.interval_ms, opt.readers, opt.seconds);
	measure_stall(&stall);
	info("  %" PRIu64 " write sections; lookups %.1f M/s (%.1f%% of the median gated rate)\n",
	     write_sections, stall.rate / 1e6, 100 * stall.rate / cost.gated_median);
	info("  gate_read_enter, all %" PRIu64 " batches: p50 %.2f us  p99 %.2f us  p99.9 %.2f us"
	     "  max %.1f us\n",
	     stall.batches, stall.all_p50 / 1e3, stall.all_p99 / 1e3, stall.all_p999 / 1e3,
	     stall.all_max / 1e3);
	info("  the %" PRIu64 " that waited for the writer: p50 %.1f us  p99 %.1f us  max %.1f us\n",
	     stall.waited, stall.wait_p50 / 1e3, stall.wait_p99 / 1e3, stall.wait_max / 1e3);
	info("  gate stats: slow entries %" PRIu64 ", waits %" PRIu64 ", stall p99 <= %.1f us, "
	     "writer enter max %.1f us, poll rescues %" PRIu64 "/%" PRIu64 "\n",
	     stall.gate.slow_path_entries, stall.gate.reader_waits,
	     gate_stall_quantile_ns(&stall.gate, 0.99) / 1e3, stall.gate.max_enter_ns / 1e3,
	     stall.gate.writer_poll_rescues, stall.gate.reader_poll_rescues);

	if (opt.json)
		print_json(&cost, sync, &stall, table_prefixes);

	gate_destroy(gate);
	free(queries);
	free(load.prefixes);
	rt_table_destroy(table);
	return 0;
}

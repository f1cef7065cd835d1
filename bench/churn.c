/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Update churn: one writer thread deletes and re-adds random routes of a
 * family while one reader thread looks up matched addresses, ours and then
 * the DPDK peer's (rte_fib, rte_fib6) on the same routes in the same order.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <urcu/system.h>

#include <routed/table.h>

#include "bench.h"
#include "churn.h"
#include "query.h"
#include "rng.h"
#include "routebench.h"
#include "timing.h"

/* At most this many matched addresses for the reader to cycle through. */
#define CHURN_QUERIES (4u << 20)
/* Pair latencies kept per writer configuration, all runs. */
#define MAX_LATENCIES (8u << 20)
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
	size_t lag;			/* --churn-lag, at most half the family's routes */
	size_t *held;			/* --churn-lag: the routes deleted and not yet added back */
	uint8_t *out;			/* by route index: 1 while held */
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
	s->t = bench_now();
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

/*
 * One pair: delete route i, add back route i (no lag) or the one deleted
 * c->lag pairs before, once that many are held.
 */
static int churn_pair(struct churn *c, size_t i)
{
	const struct fam *f = c->f;
	size_t slot, back;
	int err;

	if (!c->lag) {
		err = c->w->del(c->w->ctx, &f->routes[i], i);
		return err ? err : c->w->add(c->w->ctx, &f->routes[i], i);
	}
	slot = (size_t)(c->pairs % c->lag);
	err = c->w->del(c->w->ctx, &f->routes[i], i);
	if (err)
		return err;
	c->out[i] = 1;
	if (c->pairs >= c->lag) {
		back = c->held[slot];
		err = c->w->add(c->w->ctx, &f->routes[back], back);
		c->out[back] = 0;
	}
	c->held[slot] = i;
	return err;
}

/* After a lagged phase: the held routes go back, so the next phase finds the whole table. */
static int churn_restore(struct churn *c)
{
	uint64_t held = c->pairs < c->lag ? c->pairs : c->lag;
	int err = 0;

	for (uint64_t k = 0; k < held && !err; k++) {
		size_t i = c->held[k];

		err = c->w->add(c->w->ctx, &c->f->routes[i], i);
		c->out[i] = 0;
	}
	return err;
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
		bool timed = paced || c->pairs % LAT_SAMPLE == 0;
		double a = 0, due = 0;

		if (paced) {
			/* An absolute schedule: a writer that fell behind catches up. */
			due = writer_clock(c, 2.0 * (double)c->pairs / c->rate);
			a = bench_now();
		} else if (timed) {
			a = bench_now();
			if (!window_of(c, a, 0))
				due = writer_clock(c, writer_time(c, a));
		}
		if (a < due) {
			sleep_until(due);
			if (CMM_LOAD_SHARED(c->stop))
				break;
			a = bench_now();
		} else if (paced && a - due > LATE_S) {
			c->late++;
		}
		/* A route still held is deleted already: the next draw is taken. */
		while (c->lag && c->out[i])
			i = rng_below(&c->r, f->n);
		c->error = churn_pair(c, i);
		/* A structure that lost a route no longer holds the table measured. */
		if (c->error)
			break;
		if (timed && c->nlat < c->maxlat)
			c->lat[c->nlat++] = (float)(bench_now() - a);
		c->pairs++;
	}
	c->wt1 = bench_now();
	if (c->lag && !c->error)
		c->error = churn_restore(c);
	return NULL;
}

static void *churn_reader(void *arg)
{
	struct churn *c = arg;
	size_t stride = query_stride(c->f->af), pos = 0;
	uint32_t ids[BENCH_BATCH], x = 0;
	uint64_t lookups = 0, batches = 0;
	double last, t;
	bool stop = false;
	int w;

	if (c->rcu_reader)
		rt_reader_register();
	sleep_until(c->t0);
	last = bench_now();
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
		t = bench_now();
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

static double reader_mlps(const struct churn *c, int w)
{
	return c->seconds[w] > 0 ? (double)c->lookups[w] / c->seconds[w] / 1e6 : NAN;
}

double churn_window(void)
{
	return opt.churn_s / 2 < CHURN_WINDOW_S ? opt.churn_s / 2 : CHURN_WINDOW_S;
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
	c->window = windowed && c->w ? churn_window() : 0;
	c->guard = c->window ? CHURN_GUARD_S : 0;
	/* Both threads are waiting by then. */
	c->t0 = bench_now() + 0.01;
	cpu_sample(&a);
	err = pthread_create(&rt, NULL, churn_reader, c);
	if (!err && c->w)
		err = pthread_create(&wt, NULL, churn_writer, c);
	if (err)
		bench_die("pthread_create: %s", strerror(err));
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
	s->lat = bench_xmalloc(MAX_LATENCIES * sizeof(*s->lat));
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
	c->r = rng_for(opt.seed, purpose);
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
	s->ratio[s->n] = bench_ratio(s->busy[s->n], s->quiet[s->n]);
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
		o->updates_per_s = bench_median(s->upd, s->n);
		o->quiet_mlps = bench_median(s->quiet, s->n);
		o->busy_mlps = bench_median(s->busy, s->n);
		o->reader_ratio = bench_median(s->ratio, s->n);
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
void churn_run(struct rt_table *t, struct fam *f)
{
	struct update_result *u = &f->upd;
	struct bench_method ours = timing_ours(t, f);
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
	/* Half the routes at most: the writer's draws must find routes not held. */
	c.lag = opt.churn_lag < f->n / 2 ? opt.churn_lag : f->n / 2;
	if (c.lag) {
		c.held = bench_xmalloc(c.lag * sizeof(*c.held));
		c.out = bench_xmalloc(f->n);
		memset(c.out, 0, f->n);
	}
	u->churn_lag = c.lag;
	bench_info("%s updates: %u runs of %.1f s phases (%s%s)", f->label, opt.runs, opt.churn_s,
		   opt.update_rate ? "paced, unpaced" : "unpaced", dm ? "; DPDK's unpaced" : "");
	c.addrs = query_generate(f, "matched", n, 0xc0de + (uint64_t)f->af);
	c.m = &ours;
	c.rcu_reader = true;
	churn_phase(&c, false);
	u->reader_built = reader_mlps(&c, 0);
	c.w = &ours_w;
	c.r = rng_for(opt.seed, 0x5e771e + (uint64_t)f->af);
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
		timing_select(dm);
		/* Fault in what a reload left untouched. */
		timing_slice(dm, c.addrs, query_stride(f->af),
			     n < WARMUP_QUERIES ? n : WARMUP_QUERIES);
		c.m = dm;
		c.rcu_reader = false;
		c.w = &peer->updater;
		if (series_phase(&dmax, &c, r, purpose) && ok)
			rel[u->ratio_runs++] = bench_ratio(max.upd[max.n - 1],
							   dmax.upd[dmax.n - 1]);
	}

	u->done = true;
	series_finish(&max);
	if (opt.update_rate)
		series_finish(&paced);
	else
		free(paced.lat);
	if (dm) {
		struct rt_prefix *answers = timing_answers(t, f, c.addrs, ns);
		struct method_result mr = { 0 };

		memcpy(u->peer, peer->name, sizeof(u->peer));
		memcpy(u->method, dm->name, sizeof(u->method));
		series_finish(&dmax);
		memcpy(u->run_rel, rel, u->ratio_runs * sizeof(*rel));
		u->ratio_updates = u->ratio_runs ? bench_median(rel, u->ratio_runs) : NAN;
		/* Every route deleted was added back (unless one failed): the same answers. */
		if (peer->nmethods)
			timing_cross_check(f, peer, dm, c.addrs, ns, answers, &mr);
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
	free(c.held);
	free(c.out);
}

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
 *   BENCH_BATCH addresses, by one thread and by T threads, and the UDP
 *   service's rt_table_answer4() / rt_table_answer6() by one thread (each an RCU
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
 *   method, and per delete + add pair of ours, counted by callgrind
 *   (bench/callgrind.sh).
 * The DPDK peers are checked against our table on a sample of each query
 * set (answers are mapped back to prefixes).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <routed/lookup_path.h>
#include <routed/routefile.h>
#include <routed/table.h>

#include "bench.h"
#include "build.h"
#include "callgrind.h"
#include "churn.h"
#include "dpdk.h"
#include "output.h"
#include "query.h"
#include "routebench.h"
#include "timing.h"

/* --random's default with --callgrind: instructions take far longer to count than to run. */
#define CALLGRIND_QUERIES (1u << 20)

struct opts opt;
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
		"  --churn-lag L        each pair deletes a random route and adds back the one\n"
		"                       deleted L pairs before (default 0: the same route at\n"
		"                       once); at most 65536\n"
		"  --no-incremental     skip loading the routes one by one with rt_table_add\n"
		"  --json               print one JSON object instead of tables\n"
		"  --callgrind          count instructions per lookup instead of timing: run\n"
		"                       under callgrind (bench/callgrind.sh; --random default\n"
		"                       1048576)\n"
		"  --quiet              no progress messages on stderr\n"
		"  --lookup-path P      walk the FIB with path P: scalar or avx512 (default:\n"
		"                       ROUTED_LOOKUP_PATH, else the fastest this CPU runs)\n"
#ifdef HAVE_DPDK
		"  --no-dpdk            skip the DPDK comparison\n"
		"  --dpdk-skip-lpm      skip rte_lpm (loading a full table is slow)\n"
		"  --dpdk-lpm-limit S   give up loading rte_lpm after S seconds\n"
		"  --dpdk-mem MB        EAL memory without --dpdk-huge (default 6144)\n"
		"  --dpdk-huge          DPDK's tables in hugetlbfs pages (reserve them in\n"
		"                       /proc/sys/vm/nr_hugepages first), as ours are in\n"
		"                       huge pages; default: 4 KiB pages (EAL --no-huge)\n"
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
		bench_die("%s: invalid number \"%s\"", name, s);
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		bench_die("%s: \"%s\" is not a number in %" PRIu64 "..%" PRIu64, name, s, min, max);
	return v;
}

static double parse_seconds(const char *name, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !(v >= 0) || v > 86400)
		bench_die("%s: invalid number of seconds \"%s\"", name, s);
	return v;
}

static void select_lookup_path(const char *name)
{
	enum rt_lookup_path p;

	if (rt_lookup_path_parse(name, &p))
		bench_die("--lookup-path: unknown path \"%s\" (scalar, avx512)", name);
	if (rt_lookup_path_select(p))
		bench_die("--lookup-path: %s is not available on this machine or build", name);
}

enum {
	OPT_ROUTES = 256, OPT_QUERIES, OPT_RANDOM, OPT_THREADS, OPT_RUNS, OPT_SEED, OPT_JSON,
	OPT_QUIET, OPT_CHURN, OPT_NO_INCR, OPT_NO_DPDK, OPT_SKIP_LPM, OPT_LPM_LIMIT,
	OPT_DPDK_MEM, OPT_DPDK_HUGE, OPT_DPDK_THREADS, OPT_UPDATE_RATE, OPT_CALLGRIND, OPT_LOOKUP_PATH, OPT_HELP,
	OPT_CHURN_LAG,
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
		{ "churn-lag", required_argument, NULL, OPT_CHURN_LAG },
		{ "callgrind", no_argument, NULL, OPT_CALLGRIND },
		{ "no-incremental", no_argument, NULL, OPT_NO_INCR },
#ifdef HAVE_DPDK
		{ "no-dpdk", no_argument, NULL, OPT_NO_DPDK },
		{ "dpdk-skip-lpm", no_argument, NULL, OPT_SKIP_LPM },
		{ "dpdk-lpm-limit", required_argument, NULL, OPT_LPM_LIMIT },
		{ "dpdk-mem", required_argument, NULL, OPT_DPDK_MEM },
		{ "dpdk-threads", no_argument, NULL, OPT_DPDK_THREADS },
		{ "dpdk-huge", no_argument, NULL, OPT_DPDK_HUGE },
#endif
		{ "lookup-path", required_argument, NULL, OPT_LOOKUP_PATH },
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
		case OPT_CHURN_LAG:
			opt.churn_lag = (unsigned)parse_num("--churn-lag", optarg, 0, CHURN_MAX_LAG);
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
		case OPT_DPDK_HUGE:
			opt.dpdk_opts.huge = true;
			break;
		case OPT_DPDK_THREADS:
			opt.dpdk_threads = true;
			break;
		case OPT_LOOKUP_PATH:
			select_lookup_path(optarg);
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
		bench_die("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (!opt.routes_path)
		bench_die("--routes FILE is required (see --help)");
	if (opt.callgrind && !random_set)
		opt.nrandom = CALLGRIND_QUERIES;
	if (opt.callgrind && callgrind_unavailable())
		bench_die("%s", callgrind_unavailable());
	opt.dpdk_opts.quiet = opt.quiet;
	opt.lookup_path = rt_lookup_path_current();
}

static void run_queries(struct rt_table *t, struct fam *f, const char *kind, const void *addrs,
			size_t n)
{
	if (opt.callgrind)
		callgrind_kind(t, f, kind, addrs, n);
	else
		timing_kind(t, f, kind, addrs, n);
}

/* Split the file's routes by family, into main whatever table the file names. */
static void split_families(struct rt_route *all, size_t nall, struct fam *fams)
{
	for (size_t i = 0; i < nall; i++) {
		struct fam *f = &fams[all[i].prefix.addr.family == AF_INET ? 0 : 1];

		/* One table: whatever table the file names, the routes go to main. */
		all[i].table = RT_TABLE_MAIN;
		f->n++;
	}
	for (unsigned i = 0; i < NFAM; i++) {
		fams[i].routes = bench_xmalloc(fams[i].n * sizeof(struct rt_route));
		fams[i].n = 0;
	}
	for (size_t i = 0; i < nall; i++) {
		struct fam *f = &fams[all[i].prefix.addr.family == AF_INET ? 0 : 1];

		f->routes[f->n++] = all[i];
	}
}

/* The lookups and updates of family i on table, beside its DPDK peers. */
static void run_family(struct rt_table *table, struct fam *f, unsigned i)
{
#ifdef HAVE_DPDK
	if (opt.dpdk && f->n) {
		bench_info("%s: loading the DPDK peers", f->label);
		dpdk_build(f->af, f->routes, f->n, &opt.dpdk_opts, f->peers, &f->npeers);
	}
#endif
	if (opt.queries_path) {
		if (f->file_n)
			run_queries(table, f, "file", f->file_addrs, f->file_n);
	} else if (f->n) {
		static const char *const kinds[MAX_KINDS] = { "matched", "uniform" };

		for (unsigned k = 0; k < MAX_KINDS; k++) {
			void *q = query_generate(f, kinds[k], opt.nrandom, 16 * k + i);

			run_queries(table, f, kinds[k], q, opt.nrandom);
			free(q);
		}
	}
	/* Before the peers go: the churn runs on rte_fib and rte_fib6 too. */
	if (!opt.callgrind)
		churn_run(table, f);
	else
		callgrind_updates(table, f, CALLGRIND_UPDATE_PAIRS);
#ifdef HAVE_DPDK
	dpdk_release(f->peers, f->npeers);
#endif
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

	bench_info("loading %s", opt.routes_path);
	rc = routefile_load(opt.routes_path, &all, &nall, err, sizeof(err));
	if (rc)
		bench_die("%s", err);
	split_families(all, nall, fams);
	bench_info("%zu IPv4 and %zu IPv6 routes", fams[0].n, fams[1].n);
	if (opt.queries_path)
		query_load(opt.queries_path, fams);

#ifdef HAVE_DPDK
	if (opt.dpdk) {
		if (dpdk_init(&opt.dpdk_opts, err, sizeof(err)))
			bench_die("DPDK: %s", err);
	}
#endif
	/* Lookups for the cross-checks run on this thread. */
	rt_reader_register();

	/* Counting instructions needs only the table and the peers. */
	for (unsigned i = 0; i < NFAM && !opt.callgrind; i++)
		build_family(&fams[i]);
	bench_info("rt_table_replace_all of all %zu routes", nall);
	table = build_table(all, nall, &all_s);
	free(all);
	rt_table_stats(table, &st);
	fams[0].full = st.v4;
	fams[1].full = st.v6;
	/* No reclamation left to run beside the counted lookups. */
	if (opt.callgrind)
		rt_table_quiesce(table);

	for (unsigned i = 0; i < NFAM; i++)
		if (fams[i].n || fams[i].file_n)
			run_family(table, &fams[i], i);

	/* --callgrind printed a line per method as it went. */
	if (!opt.callgrind) {
		const struct output *out = opt.json ? &output_json : &output_text;
		struct report r = { .fams = fams, .nall = nall, .all_s = all_s, .st = &st };

		rc = out->print(&r);
		if (rc)
			bench_die("cannot print the results: %s", strerror(-rc));
	}

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
		bench_die("write error: %s", strerror(errno));
	return 0;
}

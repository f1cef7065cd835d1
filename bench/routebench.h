/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routebench's options and results. routebench.c parses the options and
 * runs the sections, which fill in one struct fam per family: build.c the
 * builds and memory, timing.c the lookups, churn.c the updates; a renderer
 * (output.h) prints them.
 */
#ifndef ROUTED_BENCH_ROUTEBENCH_H
#define ROUTED_BENCH_ROUTEBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/lookup_path.h>
#include <routed/table.h>

#include "dpdk.h"

#define MAX_THREADS 64
#define MAX_RUNS 99
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
	unsigned churn_lag;		/* 0: each pair deletes and re-adds one route */
	bool incremental;
	bool callgrind;
	bool dpdk;
	bool dpdk_threads;
	struct dpdk_opts dpdk_opts;
	enum rt_lookup_path lookup_path;	/* ours: --lookup-path, or the default */
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
	double answer_mlps;		/* rt_table_answer4/6 (the UDP path), one thread */
	uint32_t checksum;
	bool stable;			/* same checksum on every run and thread count */
	uint64_t hits;
	unsigned nm;
	struct method_result m[MAX_PEER_METHODS];
	/* Our other lookup paths, measured in the same rounds as the one above. */
	struct path_result {
		enum rt_lookup_path path;
		double mlps, mlps_t, answer_mlps;
	} paths[RT_LOOKUP_PATH_COUNT];
	unsigned npaths;
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
	size_t churn_lag;		/* --churn-lag as applied to the family */
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

/* The options; set once, before anything runs. */
extern struct opts opt;

#endif

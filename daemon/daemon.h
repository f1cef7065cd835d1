/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's shared context: one per process, owned by main.c and
 * touched only from the control thread unless a field says otherwise.
 */
#ifndef ROUTED_DAEMON_DAEMON_H
#define ROUTED_DAEMON_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct event_base;
struct routed_config;
struct config_overrides;
struct tables;
struct change_stream;
struct control;
struct gate;
struct udp_service;
struct persist;
struct metrics;
struct reconf;
struct txn_registry;
struct feed_fpm;
struct feed_kernel;
struct feed_push;

/* The most names control requests are counted by (rpc_count_methods()). */
#define ROUTED_METHOD_SLOTS 48

/* Control requests of one method, or of "unknown" or "invalid" (rpc.h). */
struct routed_method_count {
	const char *name;			/* a method table's (static) or rpc.c's */
	uint64_t requests;
	uint64_t errors;
};

/* Counters for the stats method. */
struct routed_counters {
	/*
	 * Control thread only, like the rest: route.lookup calls and their
	 * addresses. The UDP workers count theirs in counters of their own
	 * (udp_lookup_counts()); stats reports the sum of both.
	 */
	uint64_t lookup_requests;
	uint64_t lookup_addresses;
	uint64_t control_requests;
	uint64_t control_errors;
	/* The same by method, in the method table's order (rpc.c counts). */
	struct routed_method_count methods[ROUTED_METHOD_SLOTS];
	unsigned n_methods;
	uint64_t control_connections;		/* open now */
	uint64_t control_connections_total;	/* accepted since start */
	uint64_t control_rejected;		/* refused at accept (limit) */
	uint64_t reloads;
	uint64_t reload_failures;
};

struct routed {
	struct event_base *base;
	const struct routed_config *config;	/* current; swapped by reload */
	const char *config_path;		/* NULL: embedded defaults */
	const struct config_overrides *overrides; /* command line, re-applied on reload */
	struct tables *tables;			/* set before the workers start, then constant */
	/*
	 * The reconfiguration gate: lookup workers are its readers, the
	 * control thread its only writer (reconf_begin/end). Created
	 * before the workers, destroyed after them; NULL in unit tests.
	 */
	struct gate *gate;
	struct reconf *reconf;			/* the latest reconfigurations (reconf.h) */
	struct change_stream *changes;
	struct txn_registry *txns;		/* open load transactions (txn.h) */
	struct control *control;
	struct udp_service *udp;		/* the lookup service; NULL in unit tests */
	struct persist *persist;		/* durable operator routes; NULL in unit tests */
	struct metrics *metrics;		/* the metrics endpoint; NULL when off */
	struct feed_fpm *fpm;			/* the FPM feed (feeds.fpm); NULL when off */
	struct feed_kernel **kernel;		/* the kernel table mirrors (feeds.kernel) */
	unsigned n_kernel;
	struct feed_push *pushed;		/* pushed feeds (feed.push), in the order they came */
	uint64_t started_ns;			/* rt_clock_ns() at start */
	time_t started_wall;
	unsigned threads;			/* lookup workers running */
	struct routed_counters counters;
};

/*
 * Reload the configuration file: build the new config, validate it, apply
 * it, and keep the old one (returning -1 with the reason in err) on any
 * error. Used by SIGHUP and by the config.reload method (run.c).
 */
int routed_reload(struct routed *d, char *err, size_t errlen);

struct options;
/*
 * Run the daemon with a checked configuration until SIGTERM/SIGINT (run.c).
 * Returns the process exit status.
 */
int routed_run(const struct options *opts, const struct routed_config *config);

/* Seconds since start, from the monotonic clock (daemon.c). */
double routed_uptime(const struct routed *d);

#endif

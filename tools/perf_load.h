/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load generator proper: threads that send lookup requests to a server
 * and account for every answer.
 *
 * Closed loop (rate 0): each thread keeps `window` requests outstanding and
 * sends a new one whenever an answer comes back; this finds capacity.
 * Open loop (rate > 0): requests are due at intended times fixed in
 * advance (constant spacing or Poisson arrivals), whatever the server does.
 * If the window is full when a request is due, it goes out late but keeps
 * its intended time: latency measured from the intended time includes the
 * wait the server caused (coordinated-omission correction); latency from
 * the actual send time is reported beside it.
 *
 * Each thread has its own sockets, slots, histograms and counters; nothing
 * is shared while the load runs except the stop flag.
 *
 * Several servers: each sendmmsg goes to the next server that is up,
 * round-robin, chosen and set aside by the client library's server list
 * (client/servers.h), each thread with its own. A server is set aside when
 * it refuses (an ICMP port unreachable) or falls silent (a request to it
 * is lost and it has answered nothing since that request went out); it is
 * tried again after a pause that doubles with each failure in a row. A
 * load generator does not resend: a lost request counts as lost, on the
 * server it went to, and the requests after it go to the others.
 */
#ifndef ROUTEPERF_LOAD_H
#define ROUTEPERF_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perf_hist.h"
#include "perf_net.h"
#include "perf_source.h"
#include "perf_verify.h"

#define PERF_MAX_WINDOW 16384
#define PERF_MAX_SOCKETS 256
#define PERF_MAX_THREADS 256
#define PERF_MAX_SERVERS 16
/* A sender more than this late on its schedule has "fallen behind". */
#define PERF_BEHIND_NS 1000000u

struct perf_load_config {
	struct perf_sockaddr servers[PERF_MAX_SERVERS];
	unsigned nservers;
	unsigned family; /* RT_WIRE_FAMILY4 or RT_WIRE_FAMILY6 */
	uint32_t table;	 /* table id on the wire (0: the listener's) */
	unsigned threads, sockets, batch, window;
	double rate; /* requests/s over all threads; 0: closed loop */
	bool poisson;
	double duration_s, warmup_s;
	uint64_t timeout_ns;
	uint64_t seed;
	const struct perf_source *source;
	const struct perf_ref *ref; /* NULL: answers are not verified */
	const int *cpus;	    /* pin thread i to cpus[i % ncpus]; ncpus 0: no pinning */
	size_t ncpus;
	const int *stop; /* uatomic: set (by a signal handler) to end the run early */
};

/* What one server did with the requests of the measured period sent to it. */
struct perf_server_result {
	uint64_t sent, received, lost;
	/* Over the whole run: refusals seen, and how often it was set aside. */
	uint64_t refused, set_aside;
	struct perf_hist *latency; /* ns, from the actual send */
};

struct perf_load_result {
	/* Requests whose intended send time lies in the measured period. */
	uint64_t sent, received, lost, late, unsent;
	/* Over the whole run, warm-up included. */
	uint64_t unmatched, malformed, wrong, verified;
	uint64_t refused, send_errors;
	double measured_s; /* the measured period (shorter if stopped early) */
	uint64_t behind_events, max_lag_ns;
	struct perf_hist *corrected, *uncorrected; /* ns */
	struct perf_server_result servers[PERF_MAX_SERVERS]; /* cfg->nservers of them */
	unsigned nservers;
};

/* Run the load; 0, or -1 with a message in err (setup failed). */
int perf_load_run(const struct perf_load_config *cfg, struct perf_load_result *out, char *err,
		  size_t errlen);
void perf_load_result_free(struct perf_load_result *r);

#endif

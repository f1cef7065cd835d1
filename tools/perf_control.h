/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server's side of the story: routed's drop counters, read over its
 * control socket before and after a run, so a report can say whether lost
 * requests died in the server (bad datagrams, full socket queues) or
 * elsewhere.
 */
#ifndef ROUTEPERF_CONTROL_H
#define ROUTEPERF_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

struct perf_server_drops {
	bool available;
	char reason[1280];     /* why not available */
	uint64_t drops;	       /* stats.udp.drops.total */
	uint64_t kernel_drops; /* stats.udp.kernel_drops */
};

/* Read the counters now; on any failure available is false and reason says why. */
void perf_control_read(const char *socket_path, struct perf_server_drops *out);
/* after - before into out (unavailable if either is). */
void perf_control_diff(const struct perf_server_drops *before,
		       const struct perf_server_drops *after, struct perf_server_drops *out);

#endif

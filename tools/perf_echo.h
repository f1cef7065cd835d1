/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A trivial UDP responder for the lookup protocol: it shows routeperf's own
 * ceiling (what the generator and the kernel manage with a server that does
 * no work) and gives the self-test a server to inject faults into.
 *
 * Each thread owns one SO_REUSEPORT socket on the same address, takes
 * batches of up to 64 datagrams with recvmmsg, turns every valid request
 * into its response in place (no lookups: every slot says "no route") and
 * sends the batch back with sendmmsg. Invalid datagrams are dropped.
 * By default the responses of a batch that go to one peer and are equally
 * long leave as one UDP_SEGMENT message, as routed sends them (the same
 * grouping code, daemon/udp_send.c), so the echo stays the ceiling of
 * routed's datagram path and not of a costlier send.
 */
#ifndef ROUTEPERF_ECHO_H
#define ROUTEPERF_ECHO_H

#include <stdint.h>

#include "perf_net.h"
#include "perf_verify.h"

struct perf_echo_config {
	struct perf_sockaddr addr; /* port 0: any free port (see perf_echo_addr()) */
	unsigned threads;
	/* Fault injection: every thread sleeps stall_ms once, stall_after_s
	 * seconds after the first request arrived (stall_ms 0: never). */
	unsigned stall_ms;
	double stall_after_s;
	/* Answer from these routes instead of "no route" (NULL: pure echo). */
	const struct perf_ref *ref;
	/* Fault injection: flip the found flag of the first slot of every
	 * Nth response (0: never), to prove wrong answers are caught. */
	unsigned corrupt_every;
	/* Send one message per response (false: segmented as routed does). */
	bool no_segment;
};

struct perf_echo;

/* Bind and start the threads; NULL with a message in err. */
struct perf_echo *perf_echo_start(const struct perf_echo_config *cfg, char *err, size_t errlen);
/* The address actually bound (with the port chosen for port 0). */
const struct perf_sockaddr *perf_echo_addr(const struct perf_echo *e);
/* Stop and join the threads, close the sockets, free. Accepts NULL. */
void perf_echo_stop(struct perf_echo *e);
/* Responses sent and datagrams dropped so far (call before perf_echo_stop()). */
uint64_t perf_echo_responses(const struct perf_echo *e);
uint64_t perf_echo_dropped(const struct perf_echo *e);
/* Of the responses, those sent in segmented messages. */
uint64_t perf_echo_segmented(const struct perf_echo *e);

#endif

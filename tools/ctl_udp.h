/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lookup --udp: longest-prefix-match lookups through routed's UDP lookup
 * service (docs/lookup-protocol.md) instead of the control socket, sent by
 * libroutedclient (include/routed/client.h): datagrams per family, retries,
 * the response checks, and with several servers the spread over them and
 * the failover from one that refuses or falls silent.
 *
 * Addresses are queued in input order; every CTL_UDP_CHUNK of them (and at
 * the end) they are looked up as one batch and the answers rendered in
 * input order through the lookup renderer (ctl_output.h, CTL_LOOKUP_UDP).
 */
#ifndef ROUTECTL_UDP_H
#define ROUTECTL_UDP_H

#include <stddef.h>
#include <stdint.h>

#include <routed/prefix.h>

#include "routectl.h"

/* The most --server options: the client library's limit. */
#define CTL_UDP_MAX_SERVERS 64

struct ctl_udp;

/*
 * servers[0..n): "ADDR:PORT" or "[ADDR]:PORT" each; with n == 0 the
 * defaults (127.0.0.1 for IPv4 addresses, ::1 for IPv6 ones, port 5300).
 * Every address of a batch goes to one of the servers; together they have
 * timeout_ms to answer a batch (< 0: only the retries bound it). EXIT_OK
 * with *udp, or an exit code, reported.
 */
int ctl_udp_open(const char *const *servers, size_t n, int timeout_ms,
		 const struct ctl_output *out, struct ctl_udp **udp);

/*
 * The table the requests name, from a "table" word: without one, 0 (the
 * listener's table); an id as it is; 254 for "main"; other names are
 * resolved with table.list over ctl's control socket. An exit code,
 * reported.
 */
int ctl_udp_set_table(struct ctl_udp *u, struct ctl *ctl, const char *word);

/* Queue one address; may look up and render a full chunk. An exit code. */
int ctl_udp_add(struct ctl_udp *u, const struct rt_addr *addr);

/* Look up and render what is queued, then end the output. An exit code. */
int ctl_udp_finish(struct ctl_udp *u);

void ctl_udp_close(struct ctl_udp *u);

#endif

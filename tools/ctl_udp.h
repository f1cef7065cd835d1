/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lookup --udp: longest-prefix-match lookups through routed's UDP lookup
 * service (docs/lookup-protocol.md) instead of the control socket.
 *
 * Addresses are queued in input order; every CTL_UDP_CHUNK of them (and at
 * the end) they are split per family into datagrams of up to the family's
 * maximum count, sent with a few retries, and the answers rendered in input
 * order through the lookup renderer (ctl_output.h, CTL_LOOKUP_UDP).
 */
#ifndef ROUTECTL_UDP_H
#define ROUTECTL_UDP_H

#include <stdint.h>

#include <routed/prefix.h>

#include "routectl.h"

struct ctl_udp;

/*
 * server: "ADDR:PORT" or "[ADDR]:PORT", or NULL for the defaults
 * (127.0.0.1 for IPv4 addresses, ::1 for IPv6 ones, port 5300). Every wait
 * for one datagram's answer is bounded by timeout_ms (< 0: only by the
 * retries). EXIT_OK with *udp, or an exit code, reported.
 */
int ctl_udp_open(const char *server, int timeout_ms, const struct ctl_output *out,
		 struct ctl_udp **udp);

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

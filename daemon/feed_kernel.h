/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel table mirror: one kernel routing table (feeds.kernel[i].
 * kernel_table) followed over rtnetlink into a routed table, in routed's
 * own network namespace (docs/feeds.md, "Kernel tables").
 *
 * Each mirror has its own netlink socket (libmnl): it joins the route
 * and next-hop groups, then dumps next-hop objects and routes; the dump,
 * with the events that arrived during it applied after it, becomes one
 * replacing load of the mirror's routes; then events follow, a read turn
 * at a time, each turn one load. A dump marked NLM_F_DUMP_INTR, a receive
 * that failed with ENOBUFS (the kernel dropped events), or a next-hop
 * change the routes' own attributes do not carry, starts over on a new
 * socket (a resync): the mirror never keeps running on a table known to
 * have missed an event.
 *
 * Mirrored routes are soft state like the FPM feed's: applied through
 * load_apply(), never journaled, never in snapshots; at start the kernel
 * has them again. When routed stops they stay in the kernel, and go with
 * routed's tables.
 *
 * Control thread only: every table write happens in its event loop, and
 * each turn reads at most a fixed number of datagrams.
 */
#ifndef ROUTED_DAEMON_FEED_KERNEL_H
#define ROUTED_DAEMON_FEED_KERNEL_H

#include <stddef.h>

#include <jansson.h>

struct config_kernel_mirror;
struct routed;
struct feed_kernel;

/* Open the socket and start the first dump. NULL with a message in err. */
struct feed_kernel *feed_kernel_start(struct routed *d, const struct config_kernel_mirror *cfg,
				      char *err, size_t errlen);
/* Close the socket; the mirrored routes stay in the table. Accepts NULL. */
void feed_kernel_stop(struct feed_kernel *k);

/*
 * The mirror for feed.list and info: {"name": "kernel:N", "type":
 * "kernel", "state" (dumping, synced, resyncing), "kernel_table",
 * "table", "routes", "nexthops", "messages", "dumps", "resyncs":
 * {"dump-intr", "enobufs", "nexthop"}, "rcvbuf", "last_message"
 * (seconds since the epoch, or null), "errors": {reason: count},
 * "skipped": {reason: count}}. New reference, NULL on ENOMEM.
 */
json_t *feed_kernel_json(const struct feed_kernel *k);
/* The memory the mirror holds: its map of owned routes, its batch. */
size_t feed_kernel_memory_bytes(const struct feed_kernel *k);

#endif

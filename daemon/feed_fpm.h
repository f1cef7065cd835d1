/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FPM feed: routed listens (feeds.fpm.listen), FRR's zebra connects
 * (dplane_fpm_nl) and streams its routes as FPM frames of rtnetlink
 * messages (docs/feeds.md). Each connection is a generation; the frames
 * of one read are applied as one load (load_apply(): a next-hop change,
 * DEL+NEW of a prefix in one frame, becomes one replace, so lookups never
 * miss the prefix). After a connection, routes the previous one sent
 * stay until the new one has been quiet for quiet_period_ms (the end of
 * its replay), then those it did not send again go in one load; when the
 * feed disconnects its routes stay for hold_time_ms, then go.
 *
 * Feed routes are soft state: they are applied through load_apply() and
 * never reach persist.c (not journaled, not in snapshots); zebra sends
 * them again when it reconnects.
 *
 * Control thread only: every table write happens in its event loop, and
 * each read is bounded (read_budget_bytes) so a full-table replay shares
 * the loop with the control socket.
 */
#ifndef ROUTED_DAEMON_FEED_FPM_H
#define ROUTED_DAEMON_FEED_FPM_H

#include <stddef.h>

#include <jansson.h>

struct config_fpm;
struct routed;
struct feed_fpm;

/* Listen as cfg says. NULL with a message in err (bind failed, ...). */
struct feed_fpm *feed_fpm_start(struct routed *d, const struct config_fpm *cfg, char *err,
				size_t errlen);
/* Close the listener and the connection; the feed's routes stay in the tables. Accepts NULL. */
void feed_fpm_stop(struct feed_fpm *f);

/*
 * The feed for feed.list and info: {"name": "fpm", "type": "fpm", "listen",
 * "state" (listening, connected, replaying, holding), "peer", "generation",
 * "routes", "nexthops", "messages", "frames", "bytes", "last_message"
 * (seconds since the epoch, or null), "connections", "errors": {reason:
 * count}, "skipped": {reason: count}}. New reference, NULL on ENOMEM.
 */
json_t *feed_fpm_json(const struct feed_fpm *f);
/* The memory the feed holds: its map of owned routes, its buffers. */
size_t feed_fpm_memory_bytes(const struct feed_fpm *f);

#endif

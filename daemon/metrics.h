/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus metrics: GET /metrics over HTTP on metrics.listen, served by
 * the control thread's event loop through libevent's HTTP server. Every
 * value is read the way the stats method reads it (the owning modules'
 * functions; the lookup workers' counters with relaxed loads), so a scrape
 * never waits for, or slows, a lookup. docs/metrics.md lists the metrics.
 *
 * The endpoint answers GET /metrics only (404 for another path, 405 for
 * another method), refuses a request whose head or body is over a few KiB,
 * holds at most METRICS_MAX_CONNECTIONS connections (more wait in the
 * kernel's backlog, unaccepted) and drops a connection that stays silent
 * for METRICS_TIMEOUT_S seconds.
 */
#ifndef ROUTED_DAEMON_METRICS_H
#define ROUTED_DAEMON_METRICS_H

#include <stddef.h>

struct config_listen;
struct evbuffer;
struct routed;
struct metrics;

#define METRICS_MAX_CONNECTIONS 16
#define METRICS_TIMEOUT_S 10
#define METRICS_MAX_HEADERS_BYTES 8192

/* Listen on l (port 0: the kernel picks one). NULL with a message in err. */
struct metrics *metrics_start(struct routed *d, const struct config_listen *l, char *err,
			      size_t errlen);
/* Close the listener and every connection. Accepts NULL. */
void metrics_stop(struct metrics *m);
/* The address as bound ("127.0.0.1:9570"), for info and logs. */
const char *metrics_address(const struct metrics *m);

/* The exposition of d's metrics, appended to out. 0 or -errno. */
int metrics_render(struct routed *d, struct evbuffer *out);

#endif

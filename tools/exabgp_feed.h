/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routed-exabgp's work between its input and routed: each line parsed
 * (routed/exabgp.h) and applied to the paths (exabgp_rib.h), errors
 * counted by reason, changed winners pushed to routed (feed.push) in
 * batches, reconnects with backoff and a full resync each time, the first
 * generation's end once the peers have resent their tables.
 */
#ifndef ROUTED_EXABGP_FEED_H
#define ROUTED_EXABGP_FEED_H

#include <stdbool.h>
#include <stddef.h>

struct exfeed_options {
	const char *socket;
	const char *table;
	const char *proto;
	const char *feed;
	bool tag_origin_as;
	bool refresh;			/* ask ExaBGP for a route refresh at start */
	unsigned long batch;		/* routes per push */
	unsigned long quiet_ms, sync_timeout_ms;
	unsigned long max_line;
};

struct exfeed;

struct exfeed *exfeed_create(const struct exfeed_options *o);
void exfeed_destroy(struct exfeed *x);	/* accepts NULL */
/* Connect if routed is there, and ask ExaBGP for a route refresh. */
void exfeed_start(struct exfeed *x);
void exfeed_line(struct exfeed *x, const char *line, size_t len);
void exfeed_line_too_long(struct exfeed *x);
/* Push what changed, reconnect, end the first sync when due; eof: the input ended. */
void exfeed_tick(struct exfeed *x, bool eof);
/* How long poll may wait before exfeed_tick has something to do (-1: forever). */
int exfeed_timeout_ms(const struct exfeed *x);
/* The last push before exit: 0, or -1 when routed could not take it. */
int exfeed_finish(struct exfeed *x);

#endif

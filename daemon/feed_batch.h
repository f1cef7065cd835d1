/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A feed's route changes of one turn, collapsed per key and applied as
 * one load. Keys are the kernel's (table, prefix, metric), as in
 * feed_routes.h: of several changes of one key only the last one (by
 * seq) counts. A NEW that converted is an upsert; a DEL, or a NEW routed
 * cannot hold, removes the route the feed owns under that key; a NEW
 * under another protocol than the owned route's removes the old one. In
 * a replacing batch (a full dump), every owned key the batch does not
 * name is removed too, in the same load.
 *
 * The owned map follows the tables only once load_apply() has succeeded:
 * on failure nothing changed, in the tables or in the map.
 *
 * Control thread only.
 */
#ifndef ROUTED_DAEMON_FEED_BATCH_H
#define ROUTED_DAEMON_FEED_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/route.h>

#include "feed_routes.h"

struct routed;

struct feed_change {
	struct feed_route_key key;
	uint64_t seq;			/* order of arrival; the last of a key wins */
	bool del;
	bool usable;			/* a NEW that converted: route passed rt_route_validate() */
	uint8_t proto;			/* rtm_protocol */
	struct rt_route route;
};

struct feed_batch {
	struct feed_change *v;
	size_t n, cap;
};

/*
 * A new change at the end, zeroed but for its route (the caller's to
 * fill; read only when usable is set), or -ENOMEM.
 */
int feed_batch_push(struct feed_batch *b, struct feed_change **out);
/* Forget every change (the memory stays for the next turn). */
static inline void feed_batch_clear(struct feed_batch *b)
{
	b->n = 0;
}
void feed_batch_free(struct feed_batch *b);
/* Key order (feed_route_key_cmp), arrival order (seq) within a key. */
void feed_batch_sort(struct feed_batch *b);

struct feed_batch_counts {
	size_t upserts, removals;
	size_t delete_unknown;		/* DELs of keys the feed does not own */
	size_t table_gone;		/* changes for a table that no longer exists: dropped */
};

/*
 * Apply b (then cleared) as one load_apply(); owned entries set get
 * generation gen. replace: also remove every owned key b does not name.
 * 0, or -errno with a message in err (nothing changed).
 */
int feed_batch_apply(struct routed *d, struct feed_batch *b, struct feed_routes *owned,
		     uint32_t gen, bool replace, struct feed_batch_counts *counts, char *err,
		     size_t errlen);

#endif

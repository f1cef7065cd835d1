/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pushed feeds: route feeds that a program outside routed drives over the
 * control socket (feed.push), as routed-exabgp does for ExaBGP. routed
 * keeps for each feed name the routes it put into the tables (feed_routes,
 * keyed by (table, prefix, metric)) and a generation: a sync "begin"
 * starts a new one, the routes pushed after it are marked with it, and a
 * sync "end" removes every route of the feed that an older generation
 * pushed and this one did not. Between the two, the old routes keep
 * answering. Like every feed's, these routes are soft state: never
 * journaled, never in snapshots (load_apply() does not journal; only the
 * route methods do).
 *
 * The feed's program owns the policy (which route a prefix gets); routed
 * owns what is in the tables. The status object the program pushes is
 * shown as it came in feed.list, its "messages" and "errors" as the
 * feed's own.
 *
 * Control thread only.
 */
#ifndef ROUTED_DAEMON_FEED_PUSH_H
#define ROUTED_DAEMON_FEED_PUSH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <routed/route.h>

#include "feed_routes.h"

struct routed;
struct feed_push;

/* At most this many pushed feeds exist at once: names are the caller's. */
#define FEED_PUSH_MAX 16
#define FEED_PUSH_NAME_MAX 32

enum feed_push_sync {
	FEED_PUSH_NO_SYNC = 0,
	FEED_PUSH_BEGIN,	/* a new generation, before the routes */
	FEED_PUSH_END,		/* after the routes, sweep the older generations */
	FEED_PUSH_FULL,		/* both: the routes are all the feed holds */
};

struct feed_push_request {
	enum feed_push_sync sync;
	const struct rt_route *routes;	/* added or replaced, owned by the feed */
	size_t n_routes;
	const struct feed_route_key *removals;	/* the feed's routes to remove */
	size_t n_removals;
	json_t *status;			/* borrowed; NULL: keep the last one */
};

struct feed_push_result {
	uint32_t generation;
	size_t upserts, removals, routes;
	size_t bad_route;		/* on -EINVAL: the index in routes */
};

/*
 * The feed named name; created (generation 0, no routes) when there is
 * none. NULL with errno: ENOSPC (FEED_PUSH_MAX feeds exist), ENOMEM.
 */
struct feed_push *feed_push_get(struct routed *d, const char *name);

/*
 * Apply req to feed f as one or two loads (the routes and removals, then
 * the sweep of an "end"). 0, or -errno with a message in err: -EINVAL (a
 * route's proto is no rtnetlink protocol name; res->bad_route), -ENOMEM or
 * a load's error. On error the tables hold the loads that succeeded and
 * the feed knows them.
 */
int feed_push_apply(struct routed *d, struct feed_push *f, const struct feed_push_request *req,
		    struct feed_push_result *res, char *err, size_t errlen);

/* Every pushed feed as feed.list shows it, appended to list: 0 or -ENOMEM. */
int feed_push_list_json(const struct routed *d, json_t *list);

/* Forget every pushed feed (their routes stay in the tables). */
void feed_push_free_all(struct routed *d);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A decoded rtnetlink route (rtnl_msg.h) with its resolved next hops as a
 * routed route: the one conversion the feeds share. Unicast with one next
 * hop or several (RTA_MULTIPATH, or a next-hop group resolved by
 * feed_nexthops.h: a multipath route whose next hops keep their weights)
 * and the rejecting types (blackhole, unreachable, prohibit) convert. A
 * multipath route is taken whole or refused, never cut down to some of
 * its paths.
 */
#ifndef ROUTED_DAEMON_FEED_ROUTE_H
#define ROUTED_DAEMON_FEED_ROUTE_H

#include <stdint.h>

#include <routed/route.h>
#include <routed/rtnl_msg.h>

#include "feed_routes.h"

enum feed_route_verdict {
	FEED_ROUTE_OK = 0,
	FEED_ROUTE_TYPE,		/* local, broadcast, multicast, throw, nat, ... */
	FEED_ROUTE_INVALID,		/* rt_route_validate or rt_route_set_nexthops refused it */
	FEED_ROUTE_NOMEM,		/* no memory to intern its next-hop group */
};

/* The interface name of oif for a route's dev (never NULL; "" for none). */
typedef const char *(*feed_ifname_fn)(uint32_t oif, void *arg);

/*
 * r with paths[0..n) (its own, or its next-hop object's) and blackhole
 * (the next-hop object is one) as *out: table, prefix, type, gateway, dev
 * (ifname of the path's oif), metric (RTA_PRIORITY, else 0), proto
 * (rtnl_proto_name). With n > 1 the paths become out's next hops
 * {gateway, ifname(oif), weight} through rt_route_set_nexthops(): two
 * paths alike or a weight out of 1..256 make it FEED_ROUTE_INVALID.
 */
enum feed_route_verdict feed_route_convert(const struct rtnl_route *r,
					   const struct rtnl_path *paths, unsigned n,
					   bool blackhole, feed_ifname_fn ifname, void *arg,
					   struct rt_route *out);

/*
 * The removal of a route the feed owns under key, as the feed stored it
 * (proto, an rtm_protocol number, as its name): what a load_request's
 * removals[] takes.
 */
void feed_route_removal(const struct feed_route_key *key, uint8_t proto, struct rt_route *out);

#endif

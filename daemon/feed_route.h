/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A decoded rtnetlink route (rtnl_msg.h) with its resolved next hops as a
 * routed route: the one conversion the feeds share. Single-path unicast
 * and the rejecting types (blackhole, unreachable, prohibit) convert; a
 * route with more than one next hop does not yet (routed's route model
 * has one next hop), and is refused as FEED_ROUTE_MULTIPATH rather than
 * cut down to one of its paths.
 */
#ifndef ROUTED_DAEMON_FEED_ROUTE_H
#define ROUTED_DAEMON_FEED_ROUTE_H

#include <stdint.h>

#include <routed/route.h>
#include <routed/rtnl_msg.h>

enum feed_route_verdict {
	FEED_ROUTE_OK = 0,
	FEED_ROUTE_MULTIPATH,		/* more than one next hop */
	FEED_ROUTE_TYPE,		/* local, broadcast, multicast, throw, nat, ... */
	FEED_ROUTE_INVALID,		/* rt_route_validate refused it */
};

/* The interface name of oif for a route's dev (never NULL; "" for none). */
typedef const char *(*feed_ifname_fn)(uint32_t oif, void *arg);

/*
 * r with paths[0..n) (its own, or its next-hop object's) and blackhole
 * (the next-hop object is one) as *out: table, prefix, type, gateway, dev
 * (ifname of the path's oif), metric (RTA_PRIORITY, else 0), proto
 * (rtnl_proto_name).
 */
enum feed_route_verdict feed_route_convert(const struct rtnl_route *r,
					   const struct rtnl_path *paths, unsigned n,
					   bool blackhole, feed_ifname_fn ifname, void *arg,
					   struct rt_route *out);

#endif

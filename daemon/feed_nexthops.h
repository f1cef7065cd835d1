/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The next-hop objects of one feed session (RTM_NEWNEXTHOP / DELNEXTHOP):
 * single next hops (gateway, interface, or blackhole) and groups of
 * {member id, weight}. A group may arrive before its members (zebra sends
 * them so): members are looked up when a route is resolved, not when the
 * group arrives. Control thread only.
 */
#ifndef ROUTED_DAEMON_FEED_NEXTHOPS_H
#define ROUTED_DAEMON_FEED_NEXTHOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/rtnl_msg.h>

struct feed_nexthops;

struct feed_nexthops *feed_nexthops_create(void);
void feed_nexthops_destroy(struct feed_nexthops *nh);	/* accepts NULL */
size_t feed_nexthops_count(const struct feed_nexthops *nh);

/* Store (NEW, replacing one of the same id) or forget (DEL) m. 0, -EINVAL (id 0), -ENOMEM. */
int feed_nexthops_apply(struct feed_nexthops *nh, const struct rtnl_nexthop *m);

/*
 * The paths of object id: a single next hop as one path of weight 1, a
 * group as its members' paths with the group's weights. *blackhole: the
 * object (or every member) is a blackhole. 0, or -ENOENT when id or a
 * member is unknown (or a member is itself a group).
 */
int feed_nexthops_resolve(const struct feed_nexthops *nh, uint32_t id,
			  struct rtnl_path paths[RTNL_MAX_PATHS], unsigned *n, bool *blackhole);

#endif

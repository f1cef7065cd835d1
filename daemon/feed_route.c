/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A decoded rtnetlink route as a routed route (feed_route.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include <routed/nhgroup.h>
#include <routed/rtnl_proto.h>

#include "feed_route.h"

static int route_type(uint8_t rtm_type, bool blackhole, uint8_t *type)
{
	switch (rtm_type) {
	case RTN_UNICAST:
		*type = blackhole ? RT_TYPE_BLACKHOLE : RT_TYPE_UNICAST;
		return 0;
	case RTN_BLACKHOLE:
		*type = RT_TYPE_BLACKHOLE;
		return 0;
	case RTN_UNREACHABLE:
		*type = RT_TYPE_UNREACHABLE;
		return 0;
	case RTN_PROHIBIT:
		*type = RT_TYPE_PROHIBIT;
		return 0;
	default:
		return -1;
	}
}

/* The name of interface oif into dev (ifname's names are shorter than RT_DEV_LEN). */
static void set_dev(char dev[RT_DEV_LEN], uint32_t oif, feed_ifname_fn ifname, void *arg)
{
	const char *name = ifname(oif, arg);
	size_t len = strnlen(name, RT_DEV_LEN - 1);

	memcpy(dev, name, len);
	dev[len] = '\0';
}

/* paths[0..n), n in 2..RTNL_MAX_PATHS, as out's next hops. */
static enum feed_route_verdict set_multipath(const struct rtnl_path *paths, unsigned n,
					     feed_ifname_fn ifname, void *arg,
					     struct rt_route *out)
{
	struct rt_nexthop hop[RTNL_MAX_PATHS];

	if (n > RTNL_MAX_PATHS)
		return FEED_ROUTE_INVALID;
	memset(hop, 0, n * sizeof(hop[0]));
	for (unsigned i = 0; i < n; i++) {
		hop[i].gateway = paths[i].gateway;
		if (paths[i].oif)
			set_dev(hop[i].dev, paths[i].oif, ifname, arg);
		hop[i].weight = paths[i].weight;
	}
	switch (rt_route_set_nexthops(out, hop, n, NULL, 0)) {
	case 0:
		return FEED_ROUTE_OK;
	case -ENOMEM:
		return FEED_ROUTE_NOMEM;
	default:
		/* Out-of-range weights, two paths alike, a gateway of the other family. */
		return FEED_ROUTE_INVALID;
	}
}

enum feed_route_verdict feed_route_convert(const struct rtnl_route *r,
					   const struct rtnl_path *paths, unsigned n,
					   bool blackhole, feed_ifname_fn ifname, void *arg,
					   struct rt_route *out)
{
	enum feed_route_verdict v;

	rt_route_init(out);
	if (route_type(r->type, blackhole, &out->type))
		return FEED_ROUTE_TYPE;
	out->table = r->table;
	out->prefix = r->dst;
	out->metric = r->has_priority ? r->priority : 0;
	rtnl_proto_name(r->protocol, out->proto);
	if (!rt_route_type_rejects(out->type)) {
		if (n > 1) {
			v = set_multipath(paths, n, ifname, arg, out);
			if (v != FEED_ROUTE_OK)
				return v;
		} else if (n == 1) {
			out->gateway = paths[0].gateway;
			if (paths[0].oif)
				set_dev(out->dev, paths[0].oif, ifname, arg);
		}
	}
	return rt_route_validate(out, NULL, 0) ? FEED_ROUTE_INVALID : FEED_ROUTE_OK;
}

void feed_route_removal(const struct feed_route_key *key, uint8_t proto, struct rt_route *out)
{
	rt_route_init(out);
	out->table = key->table;
	out->prefix = key->prefix;
	out->metric = key->metric;
	rtnl_proto_name(proto, out->proto);
}

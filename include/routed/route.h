/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routes as values: what callers pass in and get back. The library stores
 * them in a compact internal form (shared next hops, interned protocol
 * names) and copies them out again.
 */
#ifndef ROUTED_ROUTE_H
#define ROUTED_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/prefix.h>

#define RT_TABLE_MAIN 254u	/* like Linux: "main" */
#define RT_TABLE_NAME_MAIN "main"
#define RT_DEV_LEN 16		/* IFNAMSIZ, including the NUL */
#define RT_PROTO_LEN 16		/* protocol name, including the NUL */
#define RT_PROTO_DEFAULT "static"

/*
 * A route's type, as ip-route(8) names it. A unicast route forwards; the
 * others reject what they match (a lookup finds them, with no gateway) and
 * have no gateway or device. The values are stored (the journal, the
 * snapshots): never renumber them.
 */
enum rt_route_type {
	RT_TYPE_UNICAST = 0,
	RT_TYPE_BLACKHOLE = 1,
	RT_TYPE_UNREACHABLE = 2,
	RT_TYPE_PROHIBIT = 3,
};
#define RT_TYPE_MAX RT_TYPE_PROHIBIT

struct rt_nexthop;
struct rt_nhgroup;

/*
 * A route is a value: copy it freely. A single-path route has its next hop
 * in gateway and dev and nexthops NULL. A multipath route has 2..64 next
 * hops in nexthops (routed/nhgroup.h: interned, immutable, never freed, so
 * the pointer stays valid in every copy and owns nothing) and no gateway or
 * dev of its own. Build one with rt_route_set_nexthops().
 */
struct rt_route {
	uint32_t table;			/* table id; RT_TABLE_MAIN by default */
	struct rt_prefix prefix;
	struct rt_addr gateway;		/* family 0: no gateway; else same family as prefix */
	char dev[RT_DEV_LEN];		/* "" = no device */
	const struct rt_nhgroup *nexthops;	/* NULL: single path (gateway, dev) */
	uint32_t metric;
	char proto[RT_PROTO_LEN];	/* [a-z0-9_-], 1..15 chars */
	bool has_tag;
	uint8_t type;			/* enum rt_route_type; 0 (unicast) by default */
	uint32_t tag;
};

/* The word of a type ("unicast", "blackhole", ...), or NULL if out of range. */
const char *rt_route_type_name(unsigned type);

/* The type named word: 0 or -EINVAL. */
int rt_route_type_parse(const char *word, uint8_t *type);

/* The article of a type word in a message: "an" unreachable route, "a" blackhole one. */
static inline const char *rt_route_type_article(unsigned type)
{
	const char *name = rt_route_type_name(type);

	return name && name[0] == 'u' ? "an" : "a";
}

/* Whether a route of this type rejects what it matches (every non-unicast one). */
static inline bool rt_route_type_rejects(unsigned type)
{
	return type != RT_TYPE_UNICAST;
}

/*
 * Selecting the best route of a prefix: the lowest metric wins; on equal
 * metrics the protocol name that sorts first (bytewise) wins. A prefix holds
 * at most one route per (protocol, metric) pair: that pair is a route's key
 * within its prefix, so the choice never depends on insertion order.
 */
int rt_route_cmp_preference(const struct rt_route *a, const struct rt_route *b);

/*
 * A route's key is (table, prefix, metric, proto): a table holds at most
 * one route per key. Key order: table id, then prefix order
 * (rt_prefix_cmp), then preference (rt_route_cmp_preference). Within one
 * table this is the order of rt_table_walk().
 */
int rt_route_key_cmp(const struct rt_route *a, const struct rt_route *b);

/*
 * Pointers to routes[0..n) in key order; routes of equal keys keep their
 * array order, so of two duplicates the later one comes second. A
 * malloc'ed array the caller frees, or NULL (ENOMEM).
 */
const struct rt_route **rt_route_key_index(const struct rt_route *routes, size_t n);

/* Fill the defaults: unicast, table main, proto static, no gateway/dev/tag, metric 0. */
void rt_route_init(struct rt_route *r);

/*
 * Give r (whose prefix and type are set) the next hops hop[0..n), each
 * {gateway, dev, weight}: 1..RT_NEXTHOPS_MAX of them, gateways of the
 * prefix's family, a gateway or a device (or both) each, weights
 * 1..RT_WEIGHT_MAX, no two with the same gateway and device, and none for a
 * rejecting type. One next hop makes a single-path route (gateway and dev
 * set, its weight dropped): the same route as written without "nexthop".
 * Several are put in canonical order and interned (r->nexthops), gateway
 * and dev cleared. 0, -EINVAL with a message in err (r unchanged), or
 * -ENOMEM. This is how a feed turns a decoded multipath route into a
 * route; hop may be any caller's array (nothing keeps a pointer to it).
 */
int rt_route_set_nexthops(struct rt_route *r, const struct rt_nexthop *hop, size_t n,
			  char *err, size_t errlen);

/* Whether two routes have the same next hops (single or multipath). */
bool rt_route_same_nexthops(const struct rt_route *a, const struct rt_route *b);

/*
 * Check a route for consistency (family of gateway, protocol and device name
 * syntax, a known type; a route of a rejecting type has no gateway or
 * device; a multipath route has no gateway or device of its own, is
 * unicast, and its next hops are of the prefix's family). A device name
 * is empty (none) or 1-15 printable ASCII characters (0x21-0x7e) other
 * than '/', ':' and '#', so that every valid route can be written as JSON
 * and as a route file line. 0 or -EINVAL with a message in err.
 */
int rt_route_validate(const struct rt_route *r, char *err, size_t errlen);

/* Validate a protocol name: 0 or -EINVAL. */
int rt_proto_validate(const char *name);

#endif

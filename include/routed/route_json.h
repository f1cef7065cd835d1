/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routes as JSON objects, the encoding of the control protocol
 * (docs/control-protocol.md), shared by routed and routectl:
 *
 *   {"table": 254, "prefix": "10.0.0.0/8", "via": "192.0.2.1" | null,
 *    "dev": "eth0" | null, "metric": 0, "proto": "static", "tag": 7 | null}
 *
 * A multipath route has "nexthops": [{"via", "dev", "weight"}, ...] (2..64,
 * canonical order) instead of "via" and "dev", which it does not have at
 * all: null would say "no gateway".
 */
#ifndef ROUTED_ROUTE_JSON_H
#define ROUTED_ROUTE_JSON_H

#include <stdint.h>

#include <jansson.h>

#include <routed/route.h>

/*
 * Every key present; absent via/dev/tag are null. A multipath route has
 * nexthops and no via/dev keys. NULL on ENOMEM.
 */
json_t *rt_route_to_json(const struct rt_route *r);

struct rt_nexthop;
/* {"via", "dev", "weight"}, via/dev null when absent. NULL on ENOMEM. */
json_t *rt_nexthop_to_json(const struct rt_nexthop *h);

/* Where a decoding error is and what it is. */
struct rt_json_error {
	char field[64];		/* "prefix", "via", … or "" for the object */
	char message[RT_ERR_LEN];
};

/*
 * Resolve a table given by name to its id: 0, or -ENOENT. NULL resolver:
 * only numeric table ids are accepted.
 */
typedef int (*rt_table_resolve_fn)(const char *name, uint32_t *id, void *arg);

/*
 * Decode a route object: "prefix" is required; table (default main),
 * metric (0), proto ("static"), via, dev, tag, nexthops optional, null =
 * absent. nexthops (1..64 objects {via?, dev?, weight?}) and via/dev
 * exclude each other; one next hop is the single-path route.
 * Unknown keys and wrong types are errors. Returns 0, or -EINVAL/-ENOENT
 * with err filled.
 */
int rt_route_from_json(json_t *obj, struct rt_route *r, rt_table_resolve_fn resolve,
		       void *arg, struct rt_json_error *err);

/* Decode a u32 JSON integer into *out: 0, or -EINVAL. */
int rt_json_u32(const json_t *v, uint32_t *out);

/* Decode a table value (id or name): 0, -EINVAL or -ENOENT with err filled. */
int rt_table_from_json(const json_t *v, uint32_t *id, rt_table_resolve_fn resolve, void *arg,
		       struct rt_json_error *err);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The insides of a table, shared by its writer side (table.c) and its
 * lookups (table_lookup.c).
 */
#ifndef ROUTED_TABLE_INT_H
#define ROUTED_TABLE_INT_H

#include <stdint.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include <routed/route.h>

#include "nexthop.h"
#include "reclaim.h"
#include "rib.h"
#include "route_ids.h"
#include "route_int.h"
#include "wlock.h"

struct fib_trie;

struct table_state {
	struct rib rib4, rib6;
	struct nexthop_table nexthops;
	struct route_ids ids;
	struct fib_trie *fib4, *fib6;
};

/*
 * The trie update rt_table_apply() holds back: the prefixes that appeared
 * since the last one, all under (key, len) in one direct slot of family.
 * Writer only.
 */
struct fib_defer {
	bool active;			/* inside rt_table_apply(): appearing prefixes wait */
	bool set;			/* (family, key, len) waits for its trie update */
	int family;
	rt_key key;
	unsigned len;			/* what one update repaints: every prefix under it */
	unsigned longest;		/* the longest prefix length in it */
};

struct rt_table {
	uint32_t id;
	struct wlock lock;
	struct reclaim rc;
	struct table_state *state;	/* RCU-published */
	uint64_t generation;
	struct fib_defer defer;
};

/*
 * The reader's view of the state, inside a read-side section. Pairs with
 * the rcu_xchg_pointer() that publishes a new state (rt_table_replace_all());
 * forbids seeing that state before its tries, ids and routes are built.
 */
static inline const struct table_state *table_state_rcu(const struct rt_table *t)
{
	return rcu_dereference(t->state);
}

/* Copy a stored route out; safe from readers (everything it reads is immutable). */
static inline void table_route_export(const struct rib_route *r, struct rt_route *out)
{
	const struct nexthop *nh = r->nh;

	out->table = r->table;
	out->prefix = r->prefix;
	out->gateway = nh->gateway;
	memcpy(out->dev, nh->dev, RT_DEV_LEN);
	out->nexthops = nh->mp ? nh->mp->group : NULL;
	out->metric = r->metric;
	memcpy(out->proto, proto_name(r->proto), RT_PROTO_LEN);
	out->has_tag = r->has_tag;
	out->type = r->type;
	out->tag = r->tag;
}

#endif

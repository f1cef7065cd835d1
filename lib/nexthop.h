/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Next hops: shared, reference-counted (gateway, device) objects. Many
 * routes point to one next hop; a table interns them in a hash so equal
 * next hops are one object. Reference counts change only under the table's
 * writer lock; a next hop whose count drops to zero is unhashed and freed
 * after a grace period, since readers may still be copying it out.
 */
#ifndef ROUTED_NEXTHOP_H
#define ROUTED_NEXTHOP_H

#include <stddef.h>
#include <stdint.h>

#include <routed/prefix.h>
#include <routed/route.h>

struct reclaim;
struct wlock;

struct nexthop {
	struct nexthop *hash_next;	/* writer only */
	uint32_t refcnt;		/* writer only */
	uint32_t hash;
	struct rt_addr gateway;		/* family 0: none */
	char dev[RT_DEV_LEN];
};

struct nexthop_table {
	const struct wlock *lock;
	struct nexthop **buckets;
	size_t nbuckets;
	size_t count;
};

int nexthop_table_init(struct nexthop_table *nt, const struct wlock *lock);
/* Free every next hop right away: only when no reader can reach them. */
void nexthop_table_fini(struct nexthop_table *nt);

/* Find or create the next hop (gateway, dev) and take a reference. NULL + errno. */
struct nexthop *nexthop_get(struct nexthop_table *nt, const struct rt_addr *gateway, const char *dev);
/* Take another reference on nh. */
void nexthop_hold(struct nexthop_table *nt, struct nexthop *nh);
/* Drop a reference no reader has seen (the route was never published). */
void nexthop_put_unpublished(struct nexthop_table *nt, struct nexthop *nh);
/* Drop a reference; the last one retires nh through rc. */
void nexthop_put(struct nexthop_table *nt, struct nexthop *nh, struct reclaim *rc);

static inline size_t nexthop_table_bytes(const struct nexthop_table *nt)
{
	return nt->count * sizeof(struct nexthop) + nt->nbuckets * sizeof(struct nexthop *);
}

#endif

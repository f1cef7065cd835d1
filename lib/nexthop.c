/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nexthop.h"
#include "reclaim.h"
#include "wlock.h"

#define NEXTHOP_MIN_BUCKETS 64

/* FNV-1a over the identity of a next hop. */
static uint32_t nexthop_hash(const struct rt_addr *gw, const char *dev)
{
	uint32_t h = 2166136261u;

	h = (h ^ gw->family) * 16777619u;
	for (unsigned i = 0; i < 16; i++)
		h = (h ^ gw->bytes[i]) * 16777619u;
	for (; *dev; dev++)
		h = (h ^ (uint8_t)*dev) * 16777619u;
	return h;
}

static int nexthop_same(const struct nexthop *nh, const struct rt_addr *gw, const char *dev)
{
	return nh->gateway.family == gw->family &&
	       memcmp(nh->gateway.bytes, gw->bytes, 16) == 0 && strcmp(nh->dev, dev) == 0;
}

int nexthop_table_init(struct nexthop_table *nt, const struct wlock *lock)
{
	memset(nt, 0, sizeof(*nt));
	nt->lock = lock;
	nt->buckets = calloc(NEXTHOP_MIN_BUCKETS, sizeof(*nt->buckets));
	if (!nt->buckets)
		return -ENOMEM;
	nt->nbuckets = NEXTHOP_MIN_BUCKETS;
	return 0;
}

void nexthop_table_fini(struct nexthop_table *nt)
{
	for (size_t i = 0; i < nt->nbuckets; i++) {
		struct nexthop *nh = nt->buckets[i], *next;

		for (; nh; nh = next) {
			next = nh->hash_next;
			free(nh);
		}
	}
	free(nt->buckets);
	nt->buckets = NULL;
	nt->nbuckets = nt->count = 0;
}

/* Keep the load factor under 1; a failed resize only costs speed. */
static void nexthop_table_grow(struct nexthop_table *nt)
{
	size_t n = nt->nbuckets * 2;
	struct nexthop **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < nt->nbuckets; i++) {
		struct nexthop *nh = nt->buckets[i], *next;

		for (; nh; nh = next) {
			next = nh->hash_next;
			nh->hash_next = b[nh->hash & (n - 1)];
			b[nh->hash & (n - 1)] = nh;
		}
	}
	free(nt->buckets);
	nt->buckets = b;
	nt->nbuckets = n;
}

struct nexthop *nexthop_get(struct nexthop_table *nt, const struct rt_addr *gateway, const char *dev)
{
	static const struct rt_addr none;
	const struct rt_addr *gw = gateway && gateway->family ? gateway : &none;
	uint32_t h = nexthop_hash(gw, dev ? dev : "");
	struct nexthop *nh;

	wlock_assert_held(nt->lock);
	dev = dev ? dev : "";
	for (nh = nt->buckets[h & (nt->nbuckets - 1)]; nh; nh = nh->hash_next) {
		if (nh->hash == h && nexthop_same(nh, gw, dev)) {
			nh->refcnt++;
			return nh;
		}
	}
	nh = calloc(1, sizeof(*nh));
	if (!nh)
		return NULL;
	nh->refcnt = 1;
	nh->hash = h;
	nh->gateway = *gw;
	strncpy(nh->dev, dev, RT_DEV_LEN - 1);
	if (nt->count >= nt->nbuckets)
		nexthop_table_grow(nt);
	nh->hash_next = nt->buckets[h & (nt->nbuckets - 1)];
	nt->buckets[h & (nt->nbuckets - 1)] = nh;
	nt->count++;
	return nh;
}

void nexthop_hold(struct nexthop_table *nt, struct nexthop *nh)
{
	wlock_assert_held(nt->lock);
	nh->refcnt++;
}

/* Unhash nh after its last reference is gone. */
static void nexthop_unhash(struct nexthop_table *nt, struct nexthop *nh)
{
	struct nexthop **pp;

	for (pp = &nt->buckets[nh->hash & (nt->nbuckets - 1)]; *pp != nh; pp = &(*pp)->hash_next)
		;
	*pp = nh->hash_next;
	nt->count--;
	if (!nt->count && nt->nbuckets > NEXTHOP_MIN_BUCKETS) {
		/* Empty again: give the grown bucket array back. */
		struct nexthop **b = calloc(NEXTHOP_MIN_BUCKETS, sizeof(*b));

		if (b) {
			free(nt->buckets);
			nt->buckets = b;
			nt->nbuckets = NEXTHOP_MIN_BUCKETS;
		}
	}
}

void nexthop_put_unpublished(struct nexthop_table *nt, struct nexthop *nh)
{
	wlock_assert_held(nt->lock);
	if (--nh->refcnt)
		return;
	nexthop_unhash(nt, nh);
	free(nh);
}

void nexthop_put(struct nexthop_table *nt, struct nexthop *nh, struct reclaim *rc)
{
	wlock_assert_held(nt->lock);
	if (--nh->refcnt)
		return;
	nexthop_unhash(nt, nh);
	/* Readers may still be copying it out of a route they found. */
	reclaim_free(rc, nh, sizeof(*nh));
}

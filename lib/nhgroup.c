/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process-wide pool of next-hop groups (routed/nhgroup.h): a chained
 * hash of immutable groups under one mutex.
 *
 * FIXME: groups are never freed. Route values point to them without
 * owning them (that keeps struct rt_route a value), so nothing knows when
 * the last one is gone. Memory grows with the distinct groups seen over the
 * process's life, at most sizeof(struct rt_nhgroup) + 64 * 40 bytes each;
 * real feeds reuse a few thousand at most. A feed that churned through
 * millions of distinct groups would need the tables and the durable set to
 * hold counted references, and the pool to sweep unreferenced groups a
 * grace period after their count fell to zero.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <urcu/system.h>

#include <routed/nhgroup.h>

#define POOL_MIN_BUCKETS 64

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rt_nhgroup **pool_buckets;
static size_t pool_nbuckets;
static size_t pool_count;

int rt_nhgroup_hop_cmp(const struct rt_nexthop *a, const struct rt_nexthop *b)
{
	int c;

	if (a->gateway.family != b->gateway.family)
		return a->gateway.family < b->gateway.family ? -1 : 1;
	c = memcmp(a->gateway.bytes, b->gateway.bytes, sizeof(a->gateway.bytes));
	if (c)
		return c;
	return strncmp(a->dev, b->dev, RT_DEV_LEN);
}

uint32_t rt_nhgroup_hash(const struct rt_addr *a)
{
	return rt_nhgroup_hash_bytes(a->bytes, a->family == AF_INET ? 4 : 16);
}

unsigned rt_nhgroup_pick(const struct rt_nhgroup *g, uint32_t hash)
{
	uint32_t slot = rt_nhgroup_slot(hash, g->total_weight), sum = 0;

	for (unsigned i = 0; i < g->count; i++) {
		sum += g->hop[i].weight;
		if (slot < sum)
			return i;
	}
	return g->count - 1;	/* not reached: slot < total_weight */
}

/* A next hop as the pool stores it: unused bytes zero, so groups compare with memcmp. */
static void hop_canonical(const struct rt_nexthop *in, struct rt_nexthop *out)
{
	unsigned gw_bytes = in->gateway.family == AF_INET ? 4 : in->gateway.family ? 16 : 0;

	memset(out, 0, sizeof(*out));
	out->gateway.family = in->gateway.family;
	memcpy(out->gateway.bytes, in->gateway.bytes, gw_bytes);
	memcpy(out->dev, in->dev, strnlen(in->dev, RT_DEV_LEN - 1));
	out->weight = in->weight;
}

/* FNV-1a over the canonical next hops. */
static uint32_t group_hash(const struct rt_nexthop *hop, size_t n)
{
	const uint8_t *p = (const uint8_t *)hop;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n * sizeof(*hop); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Keep the load factor under 1; a failed resize only costs speed. */
static void pool_grow(void)
{
	size_t n = pool_nbuckets ? pool_nbuckets * 2 : POOL_MIN_BUCKETS;
	struct rt_nhgroup **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < pool_nbuckets; i++) {
		struct rt_nhgroup *g = pool_buckets[i], *next;

		for (; g; g = next) {
			next = g->pool_next;
			g->pool_next = b[g->pool_hash & (n - 1)];
			b[g->pool_hash & (n - 1)] = g;
		}
	}
	free(pool_buckets);
	pool_buckets = b;
	pool_nbuckets = n;
}

static bool hops_ordered(const struct rt_nexthop *hop, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (hop[i].weight < 1 || hop[i].weight > RT_WEIGHT_MAX)
			return false;
		if (i && rt_nhgroup_hop_cmp(&hop[i - 1], &hop[i]) >= 0)
			return false;
	}
	return true;
}

static struct rt_nhgroup *pool_find(const struct rt_nexthop *hop, size_t n, uint32_t h)
{
	struct rt_nhgroup *g;

	if (!pool_nbuckets)
		return NULL;
	for (g = pool_buckets[h & (pool_nbuckets - 1)]; g; g = g->pool_next)
		if (g->pool_hash == h && g->count == n && !memcmp(g->hop, hop, n * sizeof(*hop)))
			return g;
	return NULL;
}

const struct rt_nhgroup *rt_nhgroup_intern(const struct rt_nexthop *in, size_t n)
{
	struct rt_nexthop hop[RT_NEXTHOPS_MAX];
	struct rt_nhgroup *g;
	uint32_t h, total = 0;

	if (n < 2 || n > RT_NEXTHOPS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		hop_canonical(&in[i], &hop[i]);
		total += hop[i].weight;
	}
	if (!hops_ordered(hop, n)) {
		errno = EINVAL;
		return NULL;
	}
	h = group_hash(hop, n);
	pthread_mutex_lock(&pool_lock);
	g = pool_find(hop, n, h);
	if (g)
		goto out;
	g = calloc(1, sizeof(*g) + n * sizeof(g->hop[0]));
	if (!g) {
		errno = ENOMEM;
		goto out;
	}
	g->count = (uint32_t)n;
	g->total_weight = total;
	g->pool_hash = h;
	memcpy(g->hop, hop, n * sizeof(*hop));
	if (pool_count >= pool_nbuckets)
		pool_grow();
	if (!pool_nbuckets) {
		free(g);
		g = NULL;
		errno = ENOMEM;
		goto out;
	}
	g->pool_next = pool_buckets[h & (pool_nbuckets - 1)];
	pool_buckets[h & (pool_nbuckets - 1)] = g;
	/*
	 * Readers on other threads reach g only through a route published
	 * after this (a table's rcu_assign_pointer, a queue's lock): those
	 * release the group's initialised bytes with them.
	 */
	CMM_STORE_SHARED(pool_count, pool_count + 1);
out:
	pthread_mutex_unlock(&pool_lock);
	return g;
}

size_t rt_nhgroup_pool_size(void)
{
	return CMM_LOAD_SHARED(pool_count);
}

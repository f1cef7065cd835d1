/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The next-hop objects of a feed session (feed_nexthops.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "feed_nexthops.h"

/*
 * Objects sit in buckets chained by id (ids are small and dense in
 * practice, so the low bits spread them); the table doubles at a load of 1.
 */
struct object {
	struct object *next;
	uint32_t id;
	struct rt_addr gateway;
	uint32_t oif;
	bool blackhole;
	unsigned n_group;
	struct rtnl_nh_member group[];	/* n_group */
};

struct feed_nexthops {
	struct object **buckets;
	size_t mask, count;
};

struct feed_nexthops *feed_nexthops_create(void)
{
	struct feed_nexthops *nh = calloc(1, sizeof(*nh));

	if (!nh)
		return NULL;
	nh->buckets = calloc(256, sizeof(*nh->buckets));
	if (!nh->buckets) {
		free(nh);
		return NULL;
	}
	nh->mask = 255;
	return nh;
}

void feed_nexthops_destroy(struct feed_nexthops *nh)
{
	if (!nh)
		return;
	for (size_t i = 0; i <= nh->mask; i++)
		while (nh->buckets[i]) {
			struct object *o = nh->buckets[i];

			nh->buckets[i] = o->next;
			free(o);
		}
	free(nh->buckets);
	free(nh);
}

size_t feed_nexthops_count(const struct feed_nexthops *nh)
{
	return nh->count;
}

static struct object **slot_of(const struct feed_nexthops *nh, uint32_t id)
{
	struct object **p = &nh->buckets[id & nh->mask];

	while (*p && (*p)->id != id)
		p = &(*p)->next;
	return p;
}

static void grow(struct feed_nexthops *nh)
{
	size_t cap = (nh->mask + 1) * 2;
	struct object **b = calloc(cap, sizeof(*b));

	if (!b)
		return;		/* longer chains, still correct */
	for (size_t i = 0; i <= nh->mask; i++)
		while (nh->buckets[i]) {
			struct object *o = nh->buckets[i];

			nh->buckets[i] = o->next;
			o->next = b[o->id & (cap - 1)];
			b[o->id & (cap - 1)] = o;
		}
	free(nh->buckets);
	nh->buckets = b;
	nh->mask = cap - 1;
}

int feed_nexthops_apply(struct feed_nexthops *nh, const struct rtnl_nexthop *m)
{
	struct object **p, *o;

	if (!m->id)
		return -EINVAL;
	p = slot_of(nh, m->id);
	if (*p) {
		o = *p;
		*p = o->next;
		free(o);
		nh->count--;
	}
	if (m->del)
		return 0;
	o = calloc(1, sizeof(*o) + m->n_group * sizeof(o->group[0]));
	if (!o)
		return -ENOMEM;
	o->id = m->id;
	o->gateway = m->gateway;
	o->oif = m->oif;
	o->blackhole = m->blackhole;
	o->n_group = m->n_group;
	memcpy(o->group, m->group, m->n_group * sizeof(o->group[0]));
	if (nh->count + 1 > nh->mask + 1)
		grow(nh);
	p = &nh->buckets[o->id & nh->mask];
	o->next = *p;
	*p = o;
	nh->count++;
	return 0;
}

int feed_nexthops_resolve(const struct feed_nexthops *nh, uint32_t id,
			  struct rtnl_path paths[RTNL_MAX_PATHS], unsigned *n, bool *blackhole)
{
	const struct object *o = *slot_of(nh, id);

	if (!o)
		return -ENOENT;
	*n = 0;
	*blackhole = o->blackhole;
	if (!o->n_group) {
		memset(&paths[0], 0, sizeof(paths[0]));
		paths[0].gateway = o->gateway;
		paths[0].oif = o->oif;
		paths[0].weight = 1;
		*n = o->blackhole ? 0 : 1;
		return 0;
	}
	*blackhole = true;
	for (unsigned i = 0; i < o->n_group; i++) {
		const struct object *m = *slot_of(nh, o->group[i].id);

		if (!m || m->n_group)
			return -ENOENT;
		if (m->blackhole)
			continue;
		*blackhole = false;
		memset(&paths[*n], 0, sizeof(paths[0]));
		paths[*n].gateway = m->gateway;
		paths[*n].oif = m->oif;
		paths[*n].weight = o->group[i].weight;
		(*n)++;
	}
	return 0;
}

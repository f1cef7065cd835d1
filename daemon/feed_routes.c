/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The routes a feed put into the tables (feed_routes.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "feed_routes.h"

int feed_route_key_cmp(const struct feed_route_key *a, const struct feed_route_key *b)
{
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	return rt_prefix_cmp(&a->prefix, &b->prefix);
}

struct slot {
	struct feed_route_key key;
	uint32_t gen;
	uint8_t proto;
	bool used;
};

struct feed_routes {
	struct slot *slots;
	size_t mask;		/* capacity - 1; capacity a power of two */
	size_t count;
};

#define INITIAL_SLOTS 1024

static bool key_equal(const struct feed_route_key *a, const struct feed_route_key *b)
{
	return a->table == b->table && a->metric == b->metric && a->prefix.len == b->prefix.len &&
	       a->prefix.addr.family == b->prefix.addr.family &&
	       !memcmp(a->prefix.addr.bytes, b->prefix.addr.bytes, sizeof(a->prefix.addr.bytes));
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static size_t key_hash(const struct feed_route_key *k)
{
	uint64_t a, b, h;

	memcpy(&a, k->prefix.addr.bytes, 8);
	memcpy(&b, k->prefix.addr.bytes + 8, 8);
	h = mix(mix(mix((uint64_t)k->table << 32 | k->metric, a), b),
		(uint64_t)k->prefix.len << 8 | k->prefix.addr.family);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h;
}

struct feed_routes *feed_routes_create(void)
{
	struct feed_routes *fr = calloc(1, sizeof(*fr));

	if (!fr)
		return NULL;
	fr->slots = calloc(INITIAL_SLOTS, sizeof(*fr->slots));
	if (!fr->slots) {
		free(fr);
		return NULL;
	}
	fr->mask = INITIAL_SLOTS - 1;
	return fr;
}

void feed_routes_destroy(struct feed_routes *fr)
{
	if (!fr)
		return;
	free(fr->slots);
	free(fr);
}

size_t feed_routes_count(const struct feed_routes *fr)
{
	return fr->count;
}

static size_t find(const struct feed_routes *fr, const struct feed_route_key *key)
{
	size_t i = key_hash(key) & fr->mask;

	while (fr->slots[i].used && !key_equal(&fr->slots[i].key, key))
		i = (i + 1) & fr->mask;
	return i;
}

bool feed_routes_get(const struct feed_routes *fr, const struct feed_route_key *key,
		     uint8_t *proto, uint32_t *gen)
{
	const struct slot *s = &fr->slots[find(fr, key)];

	if (!s->used)
		return false;
	*proto = s->proto;
	*gen = s->gen;
	return true;
}

static int grow(struct feed_routes *fr)
{
	size_t cap = (fr->mask + 1) * 2;
	struct slot *old = fr->slots, *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	fr->slots = slots;
	fr->mask = cap - 1;
	for (size_t i = 0; i < cap / 2; i++)
		if (old[i].used)
			fr->slots[find(fr, &old[i].key)] = old[i];
	free(old);
	return 0;
}

int feed_routes_set(struct feed_routes *fr, const struct feed_route_key *key, uint8_t proto,
		    uint32_t gen)
{
	struct slot *s = &fr->slots[find(fr, key)];

	if (!s->used) {
		/* At most half full: probe sequences stay short. */
		if ((fr->count + 1) * 2 > fr->mask + 1) {
			if (grow(fr))
				return -ENOMEM;
			s = &fr->slots[find(fr, key)];
		}
		memset(s, 0, sizeof(*s));
		s->key = *key;
		s->used = true;
		fr->count++;
	}
	s->proto = proto;
	s->gen = gen;
	return 0;
}

void feed_routes_remove(struct feed_routes *fr, const struct feed_route_key *key)
{
	size_t i = find(fr, key), j = i;

	if (!fr->slots[i].used)
		return;
	fr->slots[i].used = false;
	fr->count--;
	/* Backward shift: move later members of the run into the hole they may skip. */
	for (;;) {
		size_t home;

		j = (j + 1) & fr->mask;
		if (!fr->slots[j].used)
			return;
		home = key_hash(&fr->slots[j].key) & fr->mask;
		/* Keep j where it is if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		fr->slots[i] = fr->slots[j];
		fr->slots[j].used = false;
		i = j;
	}
}

int feed_routes_older(const struct feed_routes *fr, uint32_t gen, feed_routes_fn fn, void *arg)
{
	for (size_t i = 0; i <= fr->mask; i++) {
		const struct slot *s = &fr->slots[i];
		int rc;

		if (!s->used || (gen != UINT32_MAX && s->gen >= gen))
			continue;
		rc = fn(&s->key, s->proto, arg);
		if (rc)
			return rc;
	}
	return 0;
}

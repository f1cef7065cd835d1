/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The routes a feed put into the tables (feed_routes.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "feed_routes.h"

int feed_route_key_cmp(const struct feed_route_key *a, const struct feed_route_key *b)
{
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	return rt_prefix_cmp(&a->prefix, &b->prefix);
}

/*
 * One cache line holds two slots exactly: a probe touches one line. The
 * key is stored unpacked from struct feed_route_key (which has padding).
 */
struct slot {
	uint32_t table, metric;
	uint8_t addr[16];
	uint8_t family, len, proto, used;
	uint32_t gen;
};

_Static_assert(sizeof(struct slot) == 32, "two slots per cache line");

struct feed_routes {
	struct slot *slots;
	size_t mask;		/* capacity - 1; capacity a power of two */
	size_t count;
};

#define INITIAL_SLOTS 1024
/* From this size on the slot array is advised as huge pages: probes are random. */
#define HUGE_BYTES ((size_t)2 << 20)

static bool slot_is(const struct slot *s, const struct feed_route_key *k)
{
	return s->table == k->table && s->metric == k->metric && s->len == k->prefix.len &&
	       s->family == k->prefix.addr.family &&
	       !memcmp(s->addr, k->prefix.addr.bytes, sizeof(s->addr));
}

static void slot_key(const struct slot *s, struct feed_route_key *k)
{
	memset(k, 0, sizeof(*k));
	k->table = s->table;
	k->metric = s->metric;
	k->prefix.addr.family = s->family;
	memcpy(k->prefix.addr.bytes, s->addr, sizeof(s->addr));
	k->prefix.len = s->len;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static size_t hash_of(uint32_t table, uint32_t metric, const uint8_t *addr, uint8_t len,
		      uint8_t family)
{
	uint64_t a, b, h;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	h = mix(mix(mix((uint64_t)table << 32 | metric, a), b), (uint64_t)len << 8 | family);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h;
}

static size_t key_hash(const struct feed_route_key *k)
{
	return hash_of(k->table, k->metric, k->prefix.addr.bytes, k->prefix.len,
		       k->prefix.addr.family);
}

static size_t slot_hash(const struct slot *s)
{
	return hash_of(s->table, s->metric, s->addr, s->len, s->family);
}

/*
 * A zeroed slot array. Written at once rather than calloc'ed: a calloc'ed
 * page that a probe reads first maps the zero page and then faults again
 * (copy on write) at the first store; large arrays are aligned and advised
 * as huge pages, as random probes into tens of MiB miss the TLB otherwise.
 */
static struct slot *slots_new(size_t n)
{
	size_t bytes = n * sizeof(struct slot);
	struct slot *v = bytes >= HUGE_BYTES ? aligned_alloc(HUGE_BYTES, bytes) : malloc(bytes);

	if (!v)
		return NULL;
	if (bytes >= HUGE_BYTES)
		madvise(v, bytes, MADV_HUGEPAGE);	/* advice only */
	memset(v, 0, bytes);
	return v;
}

struct feed_routes *feed_routes_create(void)
{
	struct feed_routes *fr = calloc(1, sizeof(*fr));

	if (!fr)
		return NULL;
	fr->slots = slots_new(INITIAL_SLOTS);
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

size_t feed_routes_bytes(const struct feed_routes *fr)
{
	return sizeof(*fr) + (fr->mask + 1) * sizeof(struct slot);
}

void feed_routes_prefetch(const struct feed_routes *fr, const struct feed_route_key *key)
{
	size_t i = key_hash(key) & fr->mask;

	/*
	 * A new key's probe walks to the end of its run, often past the two
	 * slots of the first line: the next line is loaded too.
	 */
	__builtin_prefetch(&fr->slots[i]);
	__builtin_prefetch(&fr->slots[(i + 2) & fr->mask]);
}

static size_t find(const struct feed_routes *fr, const struct feed_route_key *key)
{
	size_t i = key_hash(key) & fr->mask;

	while (fr->slots[i].used && !slot_is(&fr->slots[i], key))
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
	struct slot *old = fr->slots, *slots = slots_new(cap);

	if (!slots)
		return -ENOMEM;
	fr->slots = slots;
	fr->mask = cap - 1;
	for (size_t i = 0; i < cap / 2; i++) {
		size_t j;

		if (!old[i].used)
			continue;
		for (j = slot_hash(&old[i]) & fr->mask; slots[j].used; j = (j + 1) & fr->mask)
			;
		slots[j] = old[i];
	}
	free(old);
	return 0;
}

int feed_routes_set(struct feed_routes *fr, const struct feed_route_key *key, uint8_t proto,
		    uint32_t gen)
{
	struct feed_route_prior prior;

	return feed_routes_swap(fr, key, proto, gen, &prior);
}

int feed_routes_swap(struct feed_routes *fr, const struct feed_route_key *key, uint8_t proto,
		     uint32_t gen, struct feed_route_prior *prior)
{
	struct slot *s = &fr->slots[find(fr, key)];

	*prior = (struct feed_route_prior){ .had = s->used, .proto = s->proto, .gen = s->gen };
	if (!s->used) {
		/*
		 * At most three quarters full: probe runs stay a few slots
		 * long (two to a cache line), and a million keys fit in 2^21
		 * slots (64 MiB) rather than 2^22.
		 */
		if ((fr->count + 1) * 4 > (fr->mask + 1) * 3) {
			if (grow(fr))
				return -ENOMEM;
			s = &fr->slots[find(fr, key)];
		}
		memset(s, 0, sizeof(*s));
		s->table = key->table;
		s->metric = key->metric;
		memcpy(s->addr, key->prefix.addr.bytes, sizeof(s->addr));
		s->family = key->prefix.addr.family;
		s->len = key->prefix.len;
		s->used = true;
		fr->count++;
	}
	s->proto = proto;
	s->gen = gen;
	return 0;
}

void feed_routes_restore(struct feed_routes *fr, const struct feed_route_key *key,
			 const struct feed_route_prior *prior)
{
	struct slot *s;

	if (!prior->had) {
		feed_routes_remove(fr, key);
		return;
	}
	s = &fr->slots[find(fr, key)];
	if (s->used) {
		s->proto = prior->proto;
		s->gen = prior->gen;
	}
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
		home = slot_hash(&fr->slots[j]) & fr->mask;
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
		struct feed_route_key key;
		int rc;

		if (!s->used || (gen != UINT32_MAX && s->gen >= gen))
			continue;
		slot_key(s, &key);
		rc = fn(&key, s->proto, arg);
		if (rc)
			return rc;
	}
	return 0;
}

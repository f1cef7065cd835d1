/* SPDX-License-Identifier: GPL-2.0-or-later */
/* routed-exabgp's per-neighbor paths and winners (exabgp_rib.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exabgp_rib.h"

#define LOCAL_PREF_DEFAULT 100u

struct path {
	uint32_t nb;
	struct rt_addr nexthop;
	struct exabgp_attrs attrs;
};

struct entry {
	struct rt_prefix prefix;
	struct path *paths;		/* one per neighbor that has the prefix */
	uint32_t n_paths;
	bool queued;			/* in the change queue */
	struct rib_choice sent;		/* what routed was last told */
};

struct neighbor {
	struct rib_neighbor_info info;
};

struct rib {
	bool tag_origin_as;
	struct entry *entries;		/* stable indices: never moved, never removed */
	size_t n_entries, cap_entries;
	uint32_t *slots;		/* open addressing: entry index + 1, 0 = empty */
	size_t n_slots;
	size_t with_paths;
	uint32_t *queue;		/* entries whose winner may have changed */
	size_t q_head, q_len, q_cap, q_scan;
	struct neighbor *nbs;
	size_t n_nbs;
};

struct rib *rib_create(bool tag_origin_as)
{
	struct rib *r = calloc(1, sizeof(*r));

	if (r)
		r->tag_origin_as = tag_origin_as;
	return r;
}

void rib_destroy(struct rib *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_entries; i++)
		free(r->entries[i].paths);
	free(r->entries);
	free(r->slots);
	free(r->queue);
	free(r->nbs);
	free(r);
}

static bool addr_equal(const struct rt_addr *a, const struct rt_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

static int addr_cmp(const struct rt_addr *a, const struct rt_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

int rib_neighbor(struct rib *r, const struct rt_addr *peer, uint32_t peer_as)
{
	struct neighbor *v;

	for (size_t i = 0; i < r->n_nbs; i++)
		if (addr_equal(&r->nbs[i].info.peer, peer)) {
			if (peer_as)
				r->nbs[i].info.peer_as = peer_as;
			return (int)i;
		}
	if (r->n_nbs >= RIB_MAX_NEIGHBORS)
		return -ENOSPC;
	v = realloc(r->nbs, (r->n_nbs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->nbs = v;
	memset(&v[r->n_nbs], 0, sizeof(v[0]));
	v[r->n_nbs].info.peer = *peer;
	v[r->n_nbs].info.peer_as = peer_as;
	return (int)r->n_nbs++;
}

size_t rib_neighbor_count(const struct rib *r)
{
	return r->n_nbs;
}

void rib_neighbor_info(const struct rib *r, int nb, struct rib_neighbor_info *out)
{
	*out = r->nbs[nb].info;
}

void rib_neighbor_up(struct rib *r, int nb)
{
	r->nbs[nb].info.up = true;
}

void rib_neighbor_eor(struct rib *r, int nb)
{
	r->nbs[nb].info.eors++;
}

static uint32_t prefix_hash(const struct rt_prefix *p)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(p->addr.bytes); i++)
		h = (h ^ p->addr.bytes[i]) * 16777619u;
	h = (h ^ p->addr.family) * 16777619u;
	h = (h ^ p->len) * 16777619u;
	return h ^ (h >> 15);
}

static int rehash(struct rib *r, size_t n_slots)
{
	uint32_t *slots = calloc(n_slots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_entries; i++) {
		size_t s = prefix_hash(&r->entries[i].prefix) & (n_slots - 1);

		while (slots[s])
			s = (s + 1) & (n_slots - 1);
		slots[s] = (uint32_t)i + 1;
	}
	free(r->slots);
	r->slots = slots;
	r->n_slots = n_slots;
	return 0;
}

/* The entry of p, created without paths if create; NULL if absent or ENOMEM. */
static struct entry *find(struct rib *r, const struct rt_prefix *p, bool create)
{
	size_t s;

	if (r->n_slots) {
		for (s = prefix_hash(p) & (r->n_slots - 1); r->slots[s]; s = (s + 1) & (r->n_slots - 1))
			if (rt_prefix_equal(&r->entries[r->slots[s] - 1].prefix, p))
				return &r->entries[r->slots[s] - 1];
	}
	if (!create || r->n_entries >= UINT32_MAX - 1)
		return NULL;
	if (r->n_entries == r->cap_entries) {
		size_t cap = r->cap_entries ? 2 * r->cap_entries : 1024;
		struct entry *v = realloc(r->entries, cap * sizeof(*v));

		if (!v)
			return NULL;
		r->entries = v;
		r->cap_entries = cap;
	}
	if (2 * (r->n_entries + 1) > r->n_slots && rehash(r, r->n_slots ? 2 * r->n_slots : 2048))
		return NULL;
	memset(&r->entries[r->n_entries], 0, sizeof(r->entries[0]));
	r->entries[r->n_entries].prefix = *p;
	for (s = prefix_hash(p) & (r->n_slots - 1); r->slots[s]; s = (s + 1) & (r->n_slots - 1))
		;
	r->slots[s] = (uint32_t)r->n_entries + 1;
	return &r->entries[r->n_entries++];
}

static int enqueue(struct rib *r, struct entry *e)
{
	if (e->queued)
		return 0;
	if (r->q_len == r->q_cap) {
		size_t cap = r->q_cap ? 2 * r->q_cap : 1024;
		uint32_t *v = realloc(r->queue, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->queue = v;
		r->q_cap = cap;
	}
	r->queue[r->q_len++] = (uint32_t)(e - r->entries);
	e->queued = true;
	return 0;
}

/* Whether a beats b by the rule of exabgp_rib.h. */
static bool better(const struct rib *r, const struct path *a, const struct path *b)
{
	uint32_t lpa = a->attrs.has_local_pref ? a->attrs.local_pref : LOCAL_PREF_DEFAULT;
	uint32_t lpb = b->attrs.has_local_pref ? b->attrs.local_pref : LOCAL_PREF_DEFAULT;
	uint32_t meda = a->attrs.has_med ? a->attrs.med : 0;
	uint32_t medb = b->attrs.has_med ? b->attrs.med : 0;

	if (lpa != lpb)
		return lpa > lpb;
	if (a->attrs.path_len != b->attrs.path_len)
		return a->attrs.path_len < b->attrs.path_len;
	if (meda != medb)
		return meda < medb;
	return addr_cmp(&r->nbs[a->nb].info.peer, &r->nbs[b->nb].info.peer) < 0;
}

static struct rib_choice choice_of(const struct rib *r, const struct entry *e)
{
	struct rib_choice c = { 0 };
	const struct path *best = NULL;

	for (uint32_t i = 0; i < e->n_paths; i++)
		if (!best || better(r, &e->paths[i], best))
			best = &e->paths[i];
	if (!best)
		return c;
	c.present = true;
	c.nexthop = best->nexthop;
	c.has_tag = r->tag_origin_as && best->attrs.has_origin_as;
	c.tag = c.has_tag ? best->attrs.origin_as : 0;
	return c;
}

static bool same_choice(const struct rib_choice *a, const struct rib_choice *b)
{
	if (a->present != b->present)
		return false;
	return !a->present || (addr_equal(&a->nexthop, &b->nexthop) && a->has_tag == b->has_tag &&
			       a->tag == b->tag);
}

static int remove_path(struct rib *r, struct entry *e, uint32_t i)
{
	r->nbs[e->paths[i].nb].info.routes--;
	e->paths[i] = e->paths[--e->n_paths];
	if (!e->n_paths)
		r->with_paths--;
	return enqueue(r, e);
}

int rib_announce(struct rib *r, int nb, const struct exabgp_nlri *n, const struct exabgp_attrs *a)
{
	struct entry *e = find(r, &n->prefix, true);
	struct path *v;
	uint32_t i;

	if (!e)
		return -ENOMEM;
	r->nbs[nb].info.announces++;
	for (i = 0; i < e->n_paths && e->paths[i].nb != (uint32_t)nb; i++)
		;
	if (i == e->n_paths) {
		v = realloc(e->paths, (e->n_paths + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		e->paths = v;
		if (!e->n_paths)
			r->with_paths++;
		e->n_paths++;
		r->nbs[nb].info.routes++;
	}
	e->paths[i] = (struct path){ .nb = (uint32_t)nb, .nexthop = n->nexthop, .attrs = *a };
	return enqueue(r, e);
}

int rib_withdraw(struct rib *r, int nb, const struct rt_prefix *p)
{
	struct entry *e = find(r, p, false);

	r->nbs[nb].info.withdraws++;
	if (!e)
		return 0;
	for (uint32_t i = 0; i < e->n_paths; i++)
		if (e->paths[i].nb == (uint32_t)nb)
			return remove_path(r, e, i);
	return 0;
}

int rib_neighbor_down(struct rib *r, int nb)
{
	r->nbs[nb].info.up = false;
	r->nbs[nb].info.eors = 0;
	for (size_t k = 0; k < r->n_entries && r->nbs[nb].info.routes; k++) {
		struct entry *e = &r->entries[k];

		for (uint32_t i = 0; i < e->n_paths; i++)
			if (e->paths[i].nb == (uint32_t)nb) {
				int rc = remove_path(r, e, i);

				if (rc)
					return rc;
				break;
			}
	}
	return 0;
}

size_t rib_prefix_count(const struct rib *r)
{
	return r->with_paths;
}

size_t rib_pending(const struct rib *r)
{
	return r->q_len - r->q_head;
}

size_t rib_changes(struct rib *r, size_t max, rib_change_fn fn, void *arg)
{
	size_t given = 0, q;

	for (q = r->q_head; q < r->q_len && given < max; q++) {
		struct entry *e = &r->entries[r->queue[q]];
		struct rib_choice c = choice_of(r, e);

		if (same_choice(&c, &e->sent))
			continue;
		given++;
		if (fn(&e->prefix, &c, arg)) {
			q++;
			break;
		}
	}
	r->q_scan = q;
	return given;
}

void rib_sent(struct rib *r, size_t n)
{
	(void)n;
	for (size_t q = r->q_head; q < r->q_scan; q++) {
		struct entry *e = &r->entries[r->queue[q]];

		e->sent = choice_of(r, e);
		e->queued = false;
	}
	r->q_head = r->q_scan;
	if (r->q_head == r->q_len)
		r->q_head = r->q_len = r->q_scan = 0;
}

size_t rib_full(struct rib *r, size_t *cursor, size_t max, rib_change_fn fn, void *arg)
{
	size_t given = 0;

	for (; *cursor < r->n_entries && given < max; (*cursor)++) {
		struct entry *e = &r->entries[*cursor];

		e->sent = choice_of(r, e);
		e->queued = false;
		if (!e->sent.present)
			continue;
		given++;
		if (fn(&e->prefix, &e->sent, arg)) {
			(*cursor)++;
			break;
		}
	}
	if (*cursor == r->n_entries)
		r->q_head = r->q_len = r->q_scan = 0;
	return given;
}

bool rib_full_done(const struct rib *r, size_t cursor)
{
	return cursor >= r->n_entries;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A table ties the writer side (RIB, next hops, the writer lock, deferred
 * reclamation) to the reader side (FIB tries and the route-id table); this
 * file is the writer side, table_lookup.c the lookups.
 *
 * Everything readers use hangs off one RCU-published state object, so the
 * whole table can be replaced with a single pointer swap; single-route
 * changes update the current state in place:
 * - a new best route for an existing prefix: one route_ids_set() publish;
 * - a prefix appearing or disappearing: a FIB trie update (fib.c);
 * - a removed route, next hop or prefix id: retired, freed or recycled a
 *   grace period later (reclaim.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include <routed/rcu.h>
#include <routed/table.h>

#include "fib.h"
#include "table_int.h"

static void route_free_now(void *arg, struct rib_route *r)
{
	(void)arg;
	if (rt_poison_enabled())
		memset(r, 0x6b, sizeof(*r));
	free(r);
}

/* Free a state no reader can reach any more (nor ever reached). */
static void state_free_now(void *arg)
{
	struct table_state *st = arg;

	if (!st)
		return;
	rib_fini(&st->rib4, route_free_now, NULL);
	rib_fini(&st->rib6, route_free_now, NULL);
	nexthop_table_fini(&st->nexthops);
	route_ids_fini(&st->ids);
	fib_trie_destroy(st->fib4);
	fib_trie_destroy(st->fib6);
	free(st);
}

/* The reclaim callback's form of state_free_now(). */
static void state_free_retired(void *arg, size_t size)
{
	(void)size;
	state_free_now(arg);
}

static struct table_state *state_create(const struct wlock *lock)
{
	struct table_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	rib_init(&st->rib4, AF_INET, lock);
	rib_init(&st->rib6, AF_INET6, lock);
	st->fib4 = fib_trie_create(32, lock);
	st->fib6 = fib_trie_create(128, lock);
	if (!st->fib4 || !st->fib6 || nexthop_table_init(&st->nexthops, lock) ||
	    route_ids_init(&st->ids, lock)) {
		state_free_now(st);
		return NULL;
	}
	return st;
}

static size_t state_bytes(const struct table_state *st)
{
	return sizeof(*st) + rib_bytes(&st->rib4) + rib_bytes(&st->rib6) +
	       nexthop_table_bytes(&st->nexthops) + route_ids_bytes(&st->ids) +
	       fib_trie_reserved(st->fib4) + fib_trie_reserved(st->fib6);
}

static struct rib *rib_of(struct table_state *st, int family)
{
	return family == AF_INET ? &st->rib4 : &st->rib6;
}

static struct fib_trie *fib_of(struct table_state *st, int family)
{
	return family == AF_INET ? st->fib4 : st->fib6;
}

/* The writer's view of the published state, under the writer lock. */
static struct table_state *state_locked(struct rt_table *t)
{
	return wlock_dereference(t->state, &t->lock);
}

static void release_id(void *arg, uint32_t id)
{
	struct rt_table *t = arg;

	if (id & NEXTHOP_ID_FLAG)
		nexthop_index_release(&state_locked(t)->nexthops, id & ~NEXTHOP_ID_FLAG);
	else
		route_ids_release(&state_locked(t)->ids, id);
}

static void write_begin(struct rt_table *t)
{
	wlock_lock(&t->lock);
	reclaim_collect_ids(&t->rc, release_id, t);
}

static void write_end(struct rt_table *t)
{
	reclaim_commit(&t->rc);
	wlock_unlock(&t->lock);
}

static void bump_generation(struct rt_table *t)
{
	/* Readers only compare generations; no ordering is implied. */
	CMM_STORE_SHARED(t->generation, t->generation + 1);
}

struct rt_table *rt_table_create(uint32_t id)
{
	struct rt_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = id;
	wlock_init(&t->lock);
	reclaim_init(&t->rc, &t->lock);
	reclaim_set_id_release(&t->rc, release_id, t);
	t->state = state_create(&t->lock);
	if (!t->state) {
		wlock_destroy(&t->lock);
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void rt_table_destroy(struct rt_table *t)
{
	if (!t)
		return;
	wlock_lock(&t->lock);
	reclaim_flush(&t->rc);
	reclaim_barrier(&t->rc);
	reclaim_collect_ids(&t->rc, release_id, t);
	state_free_now(state_locked(t));
	wlock_unlock(&t->lock);
	wlock_destroy(&t->lock);
	free(t);
}

uint32_t rt_table_id(const struct rt_table *t)
{
	return t->id;
}

static struct rib_route *route_new(struct table_state *st, const struct rt_route *in, int proto)
{
	/* Not calloc: every field is set below (clearing it cost as much again). */
	struct rib_route *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	r->next = NULL;
	r->nh = in->nexthops ? nexthop_get_group(&st->nexthops, in->nexthops)
			     : nexthop_get(&st->nexthops, &in->gateway, in->dev);
	if (!r->nh) {
		free(r);
		return NULL;
	}
	r->prefix = in->prefix;
	r->table = in->table;
	r->metric = in->metric;
	r->tag = in->has_tag ? in->tag : 0;
	r->has_tag = in->has_tag;
	r->type = in->type;
	r->proto = (uint8_t)proto;
	return r;
}

/* Drop a route that readers may have seen. */
static void route_retire(struct rt_table *t, struct table_state *st, struct rib_route *r)
{
	nexthop_put(&st->nexthops, r->nh, &t->rc);
	reclaim_free(&t->rc, r, sizeof(*r));
}

/* Drop a route no reader has seen. */
static void route_discard(struct table_state *st, struct rib_route *r)
{
	nexthop_put_unpublished(&st->nexthops, r->nh);
	free(r);
}

/*
 * Callers' structs may carry garbage past the meaningful bytes (IPv4
 * addresses in 16-byte arrays, names after their NUL); the table keys and
 * next-hop interning compare whole fields, so work on a canonical copy.
 */
static int canonical_route(const struct rt_table *t, const struct rt_route *in,
			   struct rt_route *out)
{
	unsigned gw_bytes = rt_family_bits(in->gateway.family) / 8;

	/* The name's characters: proto_intern() after us (insert_locked, state_insert). */
	if (route_validate_uninterned(in) || in->table != t->id)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (rt_prefix_make(&in->prefix.addr, in->prefix.len, &out->prefix))
		return -EINVAL;		/* host bits set */
	out->table = in->table;
	out->gateway.family = in->gateway.family;
	memcpy(out->gateway.bytes, in->gateway.bytes, gw_bytes);
	memcpy(out->dev, in->dev, strnlen(in->dev, RT_DEV_LEN - 1));
	out->nexthops = in->nexthops;
	out->metric = in->metric;
	memcpy(out->proto, in->proto, strnlen(in->proto, RT_PROTO_LEN - 1));
	out->has_tag = in->has_tag;
	out->tag = in->has_tag ? in->tag : 0;
	out->type = in->type;
	return 0;
}

/* A prefix given to delete or get: the family's width, no host bits. */
static int canonical_prefix(const struct rt_prefix *in, struct rt_prefix *out)
{
	return rt_prefix_make(&in->addr, in->len, out) ? -EINVAL : 0;
}

static int route_cmp(const struct rib_route *a, const struct rib_route *b)
{
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	return strcmp(proto_name(a->proto), proto_name(b->proto));
}

/*
 * Deferred trie updates. A prefix that appears inside rt_table_apply() is
 * not painted into the trie at once: the update waits, and the next
 * appearing prefixes under the same direct slot join it, so a run of them
 * (a feed's turn, a load into a table that fills, both in key order) costs
 * one repaint of the smallest prefix that covers them all instead of one
 * path copy each. fib_trie_update() repaints from the RIB everything under
 * the prefix it is given, so one call for the covering prefix paints what
 * one call per prefix would. The covering prefix may be at most
 * DEFER_SPAN bits shorter than the longest prefix in it, which bounds how
 * much of the trie a run repaints that it did not change.
 *
 * RCU: until the update, readers find the old trie, which names none of the
 * new ids: each new prefix is invisible until the one rcu_assign_pointer()
 * of its run publishes it (per-prefix atomicity as before). Only
 * appearances wait. A prefix that disappears (its id retired) is painted
 * out at once, after the waiting run: so no retired id is ever left in a
 * published leaf by the deferral, and a grace period that a retry waits for
 * (undo_one) cannot recycle an id readers may still reach.
 */
#define DEFER_SPAN 12

static bool defer_joins(const struct fib_defer *d, const struct fib_trie *fib, int family,
			rt_key key, unsigned len)
{
	unsigned common;

	if (!d->set || d->family != family || len <= fib->dir_bits ||
	    !key_match(d->key, key, fib->dir_bits))
		return false;
	common = key_common_bits(d->key, key);
	if (common > d->len)
		common = d->len;
	if (common > len)
		common = len;
	return common + DEFER_SPAN >= (len > d->longest ? len : d->longest);
}

/* Paint the waiting run into its trie. 0, or -ENOMEM (it still waits). */
static int defer_flush(struct rt_table *t, struct table_state *st)
{
	struct fib_defer *d = &t->defer;
	int err;

	if (!d->set)
		return 0;
	err = fib_trie_update(fib_of(st, d->family), rib_of(st, d->family), &t->rc,
			      d->key & key_mask(d->len), d->len);
	if (!err)
		d->set = false;
	return err;
}

/* Prefix (key, len) of rib appeared: update the trie now or with its run. */
static int defer_appear(struct rt_table *t, struct table_state *st, struct rib *rib, rt_key key,
			unsigned len)
{
	struct fib_trie *fib = fib_of(st, rib->family);
	struct fib_defer *d = &t->defer;
	int err;

	if (defer_joins(d, fib, rib->family, key, len)) {
		unsigned common = key_common_bits(d->key, key);

		d->len = common < d->len ? common : d->len;
		d->len = len < d->len ? len : d->len;
		d->longest = len > d->longest ? len : d->longest;
		return 0;
	}
	err = defer_flush(t, st);
	if (err)
		return err;
	if (len <= fib->dir_bits)
		return fib_trie_update(fib, rib, &t->rc, key, len);	/* several slots */
	*d = (struct fib_defer){ .active = true, .set = true, .family = rib->family, .key = key,
				 .len = len, .longest = len };
	return 0;
}

/* The best route of a prefix changed or the prefix appeared/disappeared. */
static int publish_head(struct rt_table *t, struct table_state *st, struct rib *rib,
			struct rib_node *node)
{
	uint32_t id = node->id;
	int err;

	if (node->routes && id) {
		route_ids_set(&st->ids, id, node->routes);
		return 0;
	}
	if (node->routes) {
		id = route_ids_alloc(&st->ids, node->routes);
		if (!id)
			return -ENOMEM;
		rib_set_id(rib, node, id);
		if (t->defer.active)
			err = defer_appear(t, st, rib, node->key, node->len);
		else
			err = fib_trie_update_node(fib_of(st, rib->family), rib, &t->rc, node);
		if (err) {
			/* Never reachable: the id can be reused at once. */
			rib_set_id(rib, node, 0);
			route_ids_release(&st->ids, id);
			return err;
		}
		rib->prefixes++;
		return 0;
	}
	rib_set_id(rib, node, 0);
	/* The waiting run first: a disappearance is never deferred (see above). */
	err = defer_flush(t, st);
	if (!err)
		err = fib_trie_update_node(fib_of(st, rib->family), rib, &t->rc, node);
	if (err) {
		rib_set_id(rib, node, id);
		return err;
	}
	reclaim_id(&t->rc, id);
	rib->prefixes--;
	return 0;
}

/*
 * Insert or replace under the lock. *old receives the replaced route's value
 * (if any) for undo logs.
 */
static int insert_locked(struct rt_table *t, const struct rt_route *route, bool replace,
			 struct rt_route *old, bool *had_old)
{
	struct table_state *st = state_locked(t);
	struct rt_route canon, *in = &canon;
	struct rib *rib;
	struct rib_node *node;
	struct rib_route **pp, *r, *prev;
	int proto, err;

	*had_old = false;
	err = canonical_route(t, route, &canon);
	if (err)
		return err;
	proto = proto_intern(in->proto);
	if (proto < 0)
		return proto;
	rib = rib_of(st, in->prefix.addr.family);
	node = rib_insert(rib, key_from_addr(&in->prefix.addr), in->prefix.len);
	if (!node)
		return -ENOMEM;
	for (pp = &node->routes; *pp; pp = &(*pp)->next)
		if ((*pp)->proto == proto && (*pp)->metric == in->metric)
			break;
	if (*pp && !replace)
		return -EEXIST;
	r = route_new(st, in, proto);
	if (!r) {
		rib_prune(rib, node);
		return -ENOMEM;
	}
	prev = *pp;
	if (prev) {
		/* Same (proto, metric): same place in the preference order. */
		r->next = prev->next;
		*pp = r;
		if (node->routes == r)
			route_ids_set(&st->ids, node->id, r);
		if (old)
			table_route_export(prev, old);
		*had_old = true;
		route_retire(t, st, prev);
		bump_generation(t);
		return 0;
	}
	for (pp = &node->routes; *pp && route_cmp(*pp, r) < 0; pp = &(*pp)->next)
		;
	r->next = *pp;
	*pp = r;
	if (node->routes == r) {
		err = publish_head(t, st, rib, node);
		if (err) {
			node->routes = r->next;
			route_discard(st, r);
			rib_prune(rib, node);
			return err;
		}
	}
	rib->routes++;
	bump_generation(t);
	return 0;
}

static bool key_matches(const struct rib_route *r, const struct rt_route_key *k, int proto)
{
	if (k->proto[0] && r->proto != proto)
		return false;
	return !k->match_metric || r->metric == k->metric;
}

static int delete_locked(struct rt_table *t, const struct rt_route_key *k, struct rt_route *old)
{
	struct table_state *st = state_locked(t);
	struct rt_prefix prefix;
	struct rib *rib;
	struct rib_node *node;
	struct rib_route **pp, *r;
	int proto = 0, err;

	if (canonical_prefix(&k->prefix, &prefix))
		return -EINVAL;
	if (k->proto[0]) {
		if (rt_proto_validate(k->proto))
			return -EINVAL;
		proto = proto_find(k->proto);
		if (!proto)
			return -ENOENT;
	}
	rib = rib_of(st, prefix.addr.family);
	node = rib_find(rib, key_from_addr(&prefix.addr), prefix.len);
	if (!node)
		return -ENOENT;
	for (pp = &node->routes; *pp && !key_matches(*pp, k, proto); pp = &(*pp)->next)
		;
	r = *pp;
	if (!r)
		return -ENOENT;
	*pp = r->next;
	if (pp == &node->routes) {
		err = publish_head(t, st, rib, node);
		if (err) {
			*pp = r;
			return err;
		}
	}
	if (old)
		table_route_export(r, old);
	rib->routes--;
	route_retire(t, st, r);
	rib_park(rib, node);
	bump_generation(t);
	return 0;
}

int rt_table_add(struct rt_table *t, const struct rt_route *r)
{
	bool had_old;
	int err;

	write_begin(t);
	err = insert_locked(t, r, false, NULL, &had_old);
	write_end(t);
	return err;
}

int rt_table_replace(struct rt_table *t, const struct rt_route *r)
{
	bool had_old;
	int err;

	write_begin(t);
	err = insert_locked(t, r, true, NULL, &had_old);
	write_end(t);
	return err;
}

int rt_table_delete(struct rt_table *t, const struct rt_route_key *key)
{
	int err;

	write_begin(t);
	err = delete_locked(t, key, NULL);
	write_end(t);
	return err;
}

static void exact_key(const struct rt_route *r, struct rt_route_key *k)
{
	memset(k, 0, sizeof(*k));
	k->prefix = r->prefix;
	memcpy(k->proto, r->proto, RT_PROTO_LEN);
	k->match_metric = true;
	k->metric = r->metric;
}

/* The change that undoes one applied change. */
struct undo {
	enum rt_change_op op;
	struct rt_route route;
};

static int apply_one(struct rt_table *t, enum rt_change_op op, const struct rt_route *r,
		     struct undo *u)
{
	struct rt_route_key k;
	bool had_old = false;
	int err;

	switch (op) {
	case RT_CHANGE_ADD:
	case RT_CHANGE_REPLACE:
		err = insert_locked(t, r, op == RT_CHANGE_REPLACE, &u->route, &had_old);
		if (!err && !had_old) {
			u->op = RT_CHANGE_DELETE;
			u->route = *r;
		} else if (!err) {
			u->op = RT_CHANGE_REPLACE;
		}
		return err;
	case RT_CHANGE_DELETE:
		if (r->table != t->id)
			return -EINVAL;
		exact_key(r, &k);
		err = delete_locked(t, &k, &u->route);
		u->op = RT_CHANGE_ADD;
		return err;
	}
	return -EINVAL;
}

/*
 * Undo one applied change. Undoing needs memory (a re-added route, FIB
 * path copies) while the changes being undone have retired about as much:
 * on ENOMEM, wait for those grace periods so it is freed, and retry. A
 * table that cannot be put back would serve a state nobody asked for, so
 * running out for good is fatal.
 */
#define UNDO_ATTEMPTS 64
static void undo_one(struct rt_table *t, const struct undo *u)
{
	struct undo ignored;
	int err;

	for (unsigned attempt = 0; attempt < UNDO_ATTEMPTS; attempt++) {
		err = apply_one(t, u->op, &u->route, &ignored);
		if (err != -ENOMEM)
			return;		/* 0: the undo log only holds valid inverses */
		reclaim_flush(&t->rc);
		reclaim_barrier(&t->rc);
		reclaim_collect_ids(&t->rc, release_id, t);
	}
	fprintf(stderr, "routed: out of memory while rolling back a failed change to table %u\n",
		t->id);
	abort();
}

/*
 * Room in the RIBs' indexes for the prefixes the adds of changes may
 * bring (a new route of a stored prefix brings none: at most that many),
 * before the first: a large batch rehashes once, not at each doubling.
 * Below RESERVE_MIN adds an index grows as it fills, as before.
 */
#define RESERVE_MIN 1024

static void reserve_adds(struct table_state *st, const struct rt_change *changes, size_t n)
{
	size_t adds[2] = { 0, 0 };

	for (size_t i = 0; i < n; i++)
		if (changes[i].op == RT_CHANGE_ADD)
			adds[changes[i].route.prefix.addr.family == AF_INET6]++;
	/* A hint: without the memory, the inserts grow the index as they go. */
	if (adds[0] >= RESERVE_MIN)
		(void)rib_reserve(&st->rib4, adds[0]);
	if (adds[1] >= RESERVE_MIN)
		(void)rib_reserve(&st->rib6, adds[1]);
}

int rt_table_apply(struct rt_table *t, const struct rt_change *changes, size_t n, size_t *failed)
{
	struct undo *undo = calloc(n ? n : 1, sizeof(*undo));
	size_t i;
	int err = 0;

	if (!undo) {
		if (failed)
			*failed = 0;
		return -ENOMEM;
	}
	write_begin(t);
	reserve_adds(state_locked(t), changes, n);
	t->defer.active = true;
	for (i = 0; i < n; i++) {
		err = apply_one(t, changes[i].op, &changes[i].route, &undo[i]);
		if (err)
			break;
	}
	if (!err)
		err = defer_flush(t, state_locked(t));
	if (err) {
		if (failed)
			*failed = i < n ? i : n - 1;
		/*
		 * The waiting run is dropped, not painted: every prefix in it
		 * is undone below, each painted out at once by its own update,
		 * and every address it covers is then painted from the RIB
		 * as it was.
		 */
		t->defer = (struct fib_defer){ 0 };
		while (i--)
			undo_one(t, &undo[i]);
	}
	t->defer = (struct fib_defer){ 0 };
	write_end(t);
	free(undo);
	return err;
}

/*
 * Insert a route into a private state being filled by replace_all: a
 * prefix gets its id when its first route arrives, while its node is in
 * the cache (a walk of the whole RIB after the inserts would miss on
 * every node again). The id names the prefix's best route at every
 * moment, so nothing is left to assign once the inserts are done.
 */
/* A private state being filled by replace_all, and its tries' sweeps (fib.h), IPv4 first. */
struct fill {
	struct table_state *st;
	struct fib_sweep *sweep[2];
};

static int state_insert(struct rt_table *t, struct fill *f, const struct rt_route *route)
{
	struct table_state *st = f->st;
	struct rt_route canon, *in = &canon;
	struct rib *rib;
	struct rib_node *node;
	struct rib_route **pp, *r;
	int proto, err;

	err = canonical_route(t, route, &canon);
	if (err)
		return err;
	proto = proto_intern(in->proto);
	if (proto < 0)
		return proto;
	rib = rib_of(st, in->prefix.addr.family);
	node = rib_insert(rib, key_from_addr(&in->prefix.addr), in->prefix.len);
	if (!node)
		return -ENOMEM;
	for (r = node->routes; r; r = r->next)
		if (r->proto == proto && r->metric == in->metric)
			return -EEXIST;
	r = route_new(st, in, proto);
	if (!r)
		return -ENOMEM;
	for (pp = &node->routes; *pp && route_cmp(*pp, r) < 0; pp = &(*pp)->next)
		;
	r->next = *pp;
	*pp = r;
	rib->routes++;
	if (!node->id) {
		/* On failure the route stays listed: the whole state is discarded. */
		uint32_t id = route_ids_alloc(&st->ids, node->routes);

		if (!id)
			return -ENOMEM;
		/*
		 * Through rib_set_id(): the nodes below take their cover from
		 * it (none in sorted input, whose more specifics come later).
		 */
		rib_set_id(rib, node, id);
		rib->prefixes++;
		return fib_sweep_add(f->sweep[rib == &st->rib6], node);
	} else if (node->routes == r) {
		route_ids_set(&st->ids, node->id, r);
	}
	return 0;
}

/* Start both tries' sweeps. 0 or -ENOMEM. */
static int fill_begin(struct rt_table *t, struct fill *f)
{
	f->sweep[0] = fib_sweep_begin(f->st->fib4, &f->st->rib4, &t->rc);
	f->sweep[1] = fib_sweep_begin(f->st->fib6, &f->st->rib6, &t->rc);
	return f->sweep[0] && f->sweep[1] ? 0 : -ENOMEM;
}

/* Finish both sweeps: the tries are built. Each sweep is freed whatever happens. */
static int fill_finish(struct fill *f)
{
	int err4 = fib_sweep_finish(f->sweep[0]), err6 = fib_sweep_finish(f->sweep[1]);

	f->sweep[0] = f->sweep[1] = NULL;
	return err4 ? err4 : err6;
}

/*
 * Room in each RIB's index for all its routes (no fewer than its
 * prefixes), so that the inserts index their nodes as they go without a
 * rehash. A hint: without the memory, the index grows as it fills.
 */
static void reserve_routes(struct table_state *st, const struct rt_route *routes, size_t n)
{
	size_t count[2] = { 0, 0 };

	for (size_t i = 0; i < n; i++)
		count[routes[i].prefix.addr.family == AF_INET6]++;
	(void)rib_reserve(&st->rib4, count[0]);
	(void)rib_reserve(&st->rib6, count[1]);
}

/*
 * How many routes ahead of its insert a route's index slot is loaded:
 * each slot is a miss at a random place in the index, and enough of them
 * in flight keep the memory busy instead of stalling on one an insert.
 */
#define INDEX_AHEAD 12

/* Start loading the index slot route r's insert will write (a hint: r is not yet checked). */
static void prefetch_slot(struct table_state *st, const struct rt_route *r)
{
	int family = r->prefix.addr.family;

	if ((family == AF_INET || family == AF_INET6) && r->prefix.len <= rt_family_bits(family))
		rib_prefetch(rib_of(st, family), key_from_addr(&r->prefix.addr), r->prefix.len);
}

static int replace_all_locked(struct rt_table *t, const struct rt_route *routes, size_t n,
			      size_t *failed)
{
	struct table_state *st, *old;
	struct fill f = { 0 };
	size_t i;
	int err = 0;

	st = f.st = state_create(&t->lock);
	if (!st) {
		err = -ENOMEM;
		goto out;
	}
	err = fill_begin(t, &f);
	if (err)
		goto out;
	reserve_routes(st, routes, n);
	for (i = 0; i < n; i++) {
		if (i + INDEX_AHEAD < n)
			prefetch_slot(st, &routes[i + INDEX_AHEAD]);
		err = state_insert(t, &f, &routes[i]);
		if (err) {
			if (failed)
				*failed = i;
			goto out;
		}
	}
	err = fill_finish(&f);
	if (err)
		goto out;
	/*
	 * Ids retired from the old state are recycled into the old state's id
	 * table: let those grace periods end before it goes away.
	 */
	reclaim_flush(&t->rc);
	reclaim_barrier(&t->rc);
	reclaim_collect_ids(&t->rc, release_id, t);
	/*
	 * Pairs with rcu_dereference() in the lookups: the new state is
	 * complete before it is reachable. The old one is freed after a grace
	 * period, when no lookup can still be using it.
	 */
	old = rcu_xchg_pointer(&t->state, st);
	reclaim_call(&t->rc, state_free_retired, old, state_bytes(old));
	reclaim_flush(&t->rc);
	st = NULL;
	bump_generation(t);
out:
	fib_sweep_abort(f.sweep[0]);
	fib_sweep_abort(f.sweep[1]);
	if (st) {
		/* Never published. */
		state_free_now(st);
	}
	return err;
}

int rt_table_replace_all(struct rt_table *t, const struct rt_route *routes, size_t n, size_t *failed)
{
	int err;

	write_begin(t);
	err = replace_all_locked(t, routes, n, failed);
	write_end(t);
	return err;
}

struct collect_ctx {
	int proto;			/* 0: any */
	struct rt_route_key *keys;
	size_t n, cap;
};

static int collect_keys(const struct rib_node *n, void *arg)
{
	struct collect_ctx *c = arg;

	for (const struct rib_route *r = n->routes; r; r = r->next) {
		struct rt_route_key *k;

		if (c->proto && r->proto != c->proto)
			continue;
		if (c->n == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 256;

			k = realloc(c->keys, cap * sizeof(*k));
			if (!k)
				return -ENOMEM;
			c->keys = k;
			c->cap = cap;
		}
		k = &c->keys[c->n++];
		memset(k, 0, sizeof(*k));
		k->prefix = r->prefix;
		memcpy(k->proto, proto_name(r->proto), RT_PROTO_LEN);
		k->match_metric = true;
		k->metric = r->metric;
	}
	return 0;
}

long rt_table_flush(struct rt_table *t, const char *proto)
{
	struct collect_ctx c = { 0 };
	struct table_state *st;
	long n = 0;
	int err = 0;

	write_begin(t);
	st = state_locked(t);
	if (!proto || !*proto) {
		/* Everything: swap in an empty state instead of n deletes. */
		n = (long)(st->rib4.routes + st->rib6.routes);
		err = replace_all_locked(t, NULL, 0, NULL);
		write_end(t);
		return err ? err : n;
	}
	c.proto = proto_find(proto);
	if (c.proto) {
		err = rib_walk(&st->rib4, 0, 0, 0, collect_keys, &c);
		if (!err)
			err = rib_walk(&st->rib6, 0, 0, 0, collect_keys, &c);
	}
	/* Route by route: on a failure, what was deleted before it stays deleted. */
	while (!err && (size_t)n < c.n) {
		err = delete_locked(t, &c.keys[n], NULL);
		if (!err)
			n++;
	}
	write_end(t);
	free(c.keys);
	return err ? err : n;
}

struct walk_export {
	rt_walk_fn fn;
	void *arg;
};

static int walk_export(const struct rib_node *n, void *arg)
{
	struct walk_export *w = arg;
	struct rt_route r;

	for (const struct rib_route *rr = n->routes; rr; rr = rr->next) {
		int rc;

		table_route_export(rr, &r);
		rc = w->fn(&r, w->arg);
		if (rc)
			return rc;
	}
	return 0;
}

int rt_table_walk(struct rt_table *t, int family, const struct rt_prefix *from,
		  rt_walk_fn fn, void *arg)
{
	static const int families[2] = { AF_INET, AF_INET6 };
	struct walk_export w = { .fn = fn, .arg = arg };
	int rc = 0;

	wlock_lock(&t->lock);
	for (unsigned i = 0; i < 2 && !rc; i++) {
		int f = families[i];
		bool use_from = from && from->addr.family == f;

		if (family && family != f)
			continue;
		/* Starting in IPv6 skips IPv4 entirely. */
		if (from && from->addr.family == AF_INET6 && f == AF_INET)
			continue;
		rc = rib_walk(rib_of(state_locked(t), f), use_from,
			      use_from ? key_from_addr(&from->addr) : 0, use_from ? from->len : 0,
			      walk_export, &w);
	}
	wlock_unlock(&t->lock);
	return rc;
}

static void family_stats(const struct rib *rib, struct fib_trie *fib,
			 struct rt_family_stats *fs)
{
	fs->prefixes = rib->prefixes;
	fs->routes = rib->routes;
	fs->rib_bytes = rib_bytes(rib);
	fs->fib_bytes = fib->bytes;
	fs->fib_reserved_bytes = fib_trie_reserved(fib);
	fs->fib_nodes = fib->nodes;
}

void rt_table_stats(struct rt_table *t, struct rt_table_stats *s)
{
	struct table_state *st;

	memset(s, 0, sizeof(*s));
	wlock_lock(&t->lock);
	st = state_locked(t);
	family_stats(&st->rib4, st->fib4, &s->v4);
	family_stats(&st->rib6, st->fib6, &s->v6);
	s->nexthops = st->nexthops.count;
	s->nexthop_bytes = nexthop_table_bytes(&st->nexthops);
	s->entry_bytes = route_ids_bytes(&st->ids);
	s->total_bytes = state_bytes(st);
	s->reclaim_pending_bytes = uatomic_read(&t->rc.pending_bytes);
	s->reclaim_pending_batches = uatomic_read(&t->rc.pending_batches);
	s->reclaim_batches = t->rc.batches;
	s->reclaim_sync_fallbacks = t->rc.sync_fallbacks;
	s->reclaim_nomem_fallbacks = t->rc.nomem_fallbacks;
	s->generation = t->generation;
	wlock_unlock(&t->lock);
}

uint64_t rt_table_generation(const struct rt_table *t)
{
	return CMM_LOAD_SHARED(t->generation);
}

void rt_table_reclaim_flush(struct rt_table *t)
{
	wlock_lock(&t->lock);
	reclaim_flush(&t->rc);
	wlock_unlock(&t->lock);
}

void rt_table_quiesce(struct rt_table *t)
{
	wlock_lock(&t->lock);
	reclaim_flush(&t->rc);
	wlock_unlock(&t->lock);
	reclaim_barrier(&t->rc);
	wlock_lock(&t->lock);
	reclaim_collect_ids(&t->rc, release_id, t);
	wlock_unlock(&t->lock);
}

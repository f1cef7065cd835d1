/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The difference between a table and a target (routed/table_diff.h),
 * read through the table's public API: the exact gets of the loaded
 * routes' and the removals' keys, a run at a time, and for a replace one
 * walk that finds the stale routes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <routed/table_diff.h>

/*
 * Keys whose stored routes are fetched together (rt_table_get_keys): one
 * lock round trip, and their cache misses overlap.
 */
#define DIFF_RUN 64

struct diff {
	const struct rt_diff_target *target;
	rt_diff_fn fn;
	void *arg;
	struct rt_diff_counts *counts;
};

static bool same_attributes(const struct rt_route *a, const struct rt_route *b)
{
	return rt_route_same_nexthops(a, b) && a->type == b->type && a->has_tag == b->has_tag &&
	       (!a->has_tag || a->tag == b->tag);
}

/* Whether sorted[0..n) (in key order) holds r's key: binary search. */
static bool has_key(const struct rt_route *const *sorted, size_t n, const struct rt_route *r)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = rt_route_key_cmp(sorted[mid], r);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int emit(struct diff *d, enum rt_change_op op, const struct rt_route *r,
		const struct rt_route *old)
{
	if (op == RT_CHANGE_ADD)
		d->counts->adds++;
	else if (op == RT_CHANGE_REPLACE)
		d->counts->replaces++;
	else
		d->counts->deletes++;
	return d->fn ? d->fn(op, r, old, d->arg) : 0;
}

/* A route of the target, given the stored route of its key (NULL: none). */
static int diff_route(struct diff *d, const struct rt_route *r, const struct rt_route *old)
{
	if (!old)
		return emit(d, RT_CHANGE_ADD, r, NULL);
	if (!same_attributes(r, old))
		return emit(d, RT_CHANGE_REPLACE, r, old);
	d->counts->unchanged++;
	return 0;
}

/* The target's routes[0..n): added, replaced or unchanged, DIFF_RUN at a time. */
static int diff_routes(struct rt_table *t, struct diff *d, const struct rt_route *const *routes,
		       size_t n)
{
	struct rt_route old[DIFF_RUN];
	bool found[DIFF_RUN] = { false };
	int rc = 0;

	for (size_t done = 0; done < n && !rc; done += DIFF_RUN) {
		size_t run = n - done < DIFF_RUN ? n - done : DIFF_RUN;

		/* An empty table holds nothing to compare with. */
		if (d->counts->before)
			rc = rt_table_get_keys(t, routes + done, run, old, found);
		for (size_t i = 0; i < run && !rc; i++)
			rc = diff_route(d, routes[done + i], found[i] ? &old[i] : NULL);
	}
	return rc;
}

/* A stored route the target does not have, found by a walk of a replaced table. */
static int stale(const struct rt_route *r, void *arg)
{
	struct diff *d = arg;

	if (has_key(d->target->routes, d->target->n_routes, r))
		return 0;
	return emit(d, RT_CHANGE_DELETE, r, NULL);
}

/*
 * The removals: the stored route of each key goes, unless the target has
 * the key; a key given twice goes once. Their gets DIFF_RUN at a time.
 */
static int diff_removals(struct rt_table *t, struct diff *d)
{
	const struct rt_route *const *rm = d->target->removals;
	const struct rt_route *keys[DIFF_RUN];
	struct rt_route old[DIFF_RUN];
	bool found[DIFF_RUN];
	size_t i = 0;
	int rc = 0;

	while (i < d->target->n_removals && !rc) {
		size_t run = 0;

		for (; i < d->target->n_removals && run < DIFF_RUN; i++) {
			if (i && !rt_route_key_cmp(rm[i - 1], rm[i]))
				continue;
			if (!has_key(d->target->routes, d->target->n_routes, rm[i]))
				keys[run++] = rm[i];
		}
		rc = rt_table_get_keys(t, keys, run, old, found);
		for (size_t k = 0; k < run && !rc; k++)
			if (found[k])
				rc = emit(d, RT_CHANGE_DELETE, &old[k], NULL);
	}
	return rc;
}

int rt_table_diff(struct rt_table *t, const struct rt_diff_target *target, rt_diff_fn fn,
		  void *arg, struct rt_diff_counts *counts)
{
	struct rt_diff_counts local;
	struct diff d = { .target = target, .fn = fn, .arg = arg, .counts = counts ? counts : &local };
	struct rt_table_stats st;
	int rc;

	memset(d.counts, 0, sizeof(*d.counts));
	rt_table_stats(t, &st);
	d.counts->before = st.v4.routes + st.v6.routes;
	rc = diff_routes(t, &d, target->routes, target->n_routes);
	if (rc || !d.counts->before)
		return rc;
	/* Walk order is key order within a table: the deletes come sorted. */
	if (target->replace)
		return rt_table_walk(t, 0, NULL, stale, &d);
	return diff_removals(t, &d);
}

struct survivors {
	const struct rt_diff_target *target;
	struct rt_route *out;
	size_t n, max;
};

/* A stored route that stays as it is: neither in the target's routes nor removed. */
static int collect_survivor(const struct rt_route *r, void *arg)
{
	struct survivors *s = arg;
	const struct rt_diff_target *tg = s->target;

	if (has_key(tg->routes, tg->n_routes, r) || has_key(tg->removals, tg->n_removals, r))
		return 0;
	if (s->n == s->max)
		return -EAGAIN;
	s->out[s->n++] = *r;
	return 0;
}

int rt_table_diff_result(struct rt_table *t, const struct rt_diff_target *target,
			 const struct rt_diff_counts *counts, struct rt_route **out, size_t *n)
{
	struct survivors s = { .target = target };
	/* Stored routes neither in routes (replaced or unchanged) nor deleted. */
	uint64_t kept = target->replace ? 0 :
			counts->before - counts->replaces - counts->unchanged - counts->deletes;
	size_t size = (size_t)kept + target->n_routes;
	int rc;

	s.max = (size_t)kept;
	s.out = malloc((size ? size : 1) * sizeof(*s.out));
	if (!s.out)
		return -ENOMEM;
	if (kept) {
		rc = rt_table_walk(t, 0, NULL, collect_survivor, &s);
		if (!rc && s.n != s.max)
			rc = -EAGAIN;
		if (rc) {
			free(s.out);
			return rc;
		}
	}
	for (size_t i = 0; i < target->n_routes; i++)
		s.out[s.n++] = *target->routes[i];
	*out = s.out;
	*n = s.n;
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The difference between a table and a target (routed/table_diff.h),
 * read through the table's public API: an exact get per loaded route or
 * removal, and for a replace one walk that finds the stale routes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <routed/table_diff.h>

/* Routes of one prefix fetched at once before asking for all of them. */
#define GET_BATCH 16

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

/* The stored route of t with r's key: 1 and *out, 0 (none), or -errno. */
static int find_stored(struct rt_table *t, const struct rt_route *r, struct rt_route *out)
{
	struct rt_route buf[GET_BATCH], *v = buf;
	long n = rt_table_get(t, &r->prefix, buf, GET_BATCH);
	int found = 0;

	if (n < 0)
		return (int)n;
	if (n > GET_BATCH) {
		/* Many routes on one prefix: rare; fetch them all. */
		v = malloc((size_t)n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		n = rt_table_get(t, &r->prefix, v, (size_t)n);
	}
	for (long i = 0; i < n && !found; i++) {
		if (v[i].metric == r->metric && !strcmp(v[i].proto, r->proto)) {
			*out = v[i];
			found = 1;
		}
	}
	if (v != buf)
		free(v);
	return found;
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

/* A route of the target: added, replaced or unchanged. */
static int diff_route(struct rt_table *t, struct diff *d, const struct rt_route *r)
{
	struct rt_route old;
	/* An empty table holds nothing to compare with. */
	int rc = d->counts->before ? find_stored(t, r, &old) : 0;

	if (rc < 0)
		return rc;
	if (!rc)
		return emit(d, RT_CHANGE_ADD, r, NULL);
	if (!same_attributes(r, &old))
		return emit(d, RT_CHANGE_REPLACE, r, &old);
	d->counts->unchanged++;
	return 0;
}

/* A stored route the target does not have, found by a walk of a replaced table. */
static int stale(const struct rt_route *r, void *arg)
{
	struct diff *d = arg;

	if (has_key(d->target->routes, d->target->n_routes, r))
		return 0;
	return emit(d, RT_CHANGE_DELETE, r, NULL);
}

/* A removal: the stored route with its key goes, unless the target has the key. */
static int diff_removal(struct rt_table *t, struct diff *d, const struct rt_route *r)
{
	struct rt_route old;
	int rc;

	if (has_key(d->target->routes, d->target->n_routes, r))
		return 0;
	rc = find_stored(t, r, &old);
	if (rc <= 0)
		return rc;
	return emit(d, RT_CHANGE_DELETE, &old, NULL);
}

/*
 * The gets of a big target are cache misses in the table's index, one
 * after the other: every PREFETCH_AHEAD routes, the next routes' lookups
 * are started, so that a get finds its line loaded or on its way.
 */
#define PREFETCH_AHEAD 16

static void prefetch_ahead(struct rt_table *t, const struct rt_route *const *routes, size_t n,
			   size_t i)
{
	/* At the start the first two groups, then the group after the next one. */
	size_t from = i ? i + PREFETCH_AHEAD : 0, to = i + 2 * PREFETCH_AHEAD;

	if (from < n)
		rt_table_prefetch(t, routes + from, (to < n ? to : n) - from);
}

int rt_table_diff(struct rt_table *t, const struct rt_diff_target *target, rt_diff_fn fn,
		  void *arg, struct rt_diff_counts *counts)
{
	struct rt_diff_counts local;
	struct diff d = { .target = target, .fn = fn, .arg = arg, .counts = counts ? counts : &local };
	const struct rt_route *const *rm = target->removals;
	struct rt_table_stats st;
	int rc = 0;

	memset(d.counts, 0, sizeof(*d.counts));
	rt_table_stats(t, &st);
	d.counts->before = st.v4.routes + st.v6.routes;
	for (size_t i = 0; i < target->n_routes && !rc; i++) {
		if (d.counts->before && i % PREFETCH_AHEAD == 0)
			prefetch_ahead(t, target->routes, target->n_routes, i);
		rc = diff_route(t, &d, target->routes[i]);
	}
	if (rc || !d.counts->before)
		return rc;
	/* Walk order is key order within a table: the deletes come sorted. */
	if (target->replace)
		return rt_table_walk(t, 0, NULL, stale, &d);
	for (size_t i = 0; i < target->n_removals && !rc; i++) {
		/* A key given twice goes once. */
		if (!i || rt_route_key_cmp(rm[i - 1], rm[i]))
			rc = diff_removal(t, &d, rm[i]);
	}
	return rc;
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

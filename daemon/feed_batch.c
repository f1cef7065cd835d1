/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A feed's changes collapsed per key and applied as one load (feed_batch.h). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/rtnl_proto.h>

#include "feed_batch.h"
#include "feed_route.h"
#include "load.h"
#include "tables.h"
#include "daemon.h"

int feed_batch_push(struct feed_batch *b, struct feed_change **out)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		struct feed_change *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	*out = &b->v[b->n++];
	/* Not the route: feed_route_convert() fills it, and only a usable change's is read. */
	memset(*out, 0, offsetof(struct feed_change, route));
	return 0;
}

void feed_batch_free(struct feed_batch *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static int change_cmp(const void *a, const void *b)
{
	const struct feed_change *x = a, *y = b;
	int c = feed_route_key_cmp(&x->key, &y->key);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A replay comes in key order (zebra walks its tables in order): one pass, no sort. */
static bool batch_sorted(const struct feed_batch *b)
{
	for (size_t i = 1; i < b->n; i++)
		if (change_cmp(&b->v[i - 1], &b->v[i]) > 0)
			return false;
	return true;
}

void feed_batch_sort(struct feed_batch *b)
{
	if (!batch_sorted(b))
		qsort(b->v, b->n, sizeof(*b->v), change_cmp);
}

struct plan {
	struct routed *d;
	const struct feed_batch *b;
	struct rt_route *routes, *removals;
	uint8_t *protos;		/* of routes[] */
	size_t n_routes, n_removals, cap_removals;
	struct feed_batch_counts *counts;
};

static int plan_removal(struct plan *p, const struct feed_route_key *key, uint8_t proto)
{
	if (!tables_get(p->d->tables, key->table)) {
		/* The table went, and the route with it: only forgotten. */
		p->counts->table_gone++;
		return 0;
	}
	if (p->n_removals == p->cap_removals) {
		size_t cap = p->cap_removals ? 2 * p->cap_removals : 256;
		struct rt_route *v = realloc(p->removals, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->removals = v;
		p->cap_removals = cap;
	}
	feed_route_removal(key, proto, &p->removals[p->n_removals++]);
	return 0;
}

/* Whether the sorted batch names key (one of its changes has it). */
static bool batch_names(const struct feed_batch *b, const struct feed_route_key *key)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = feed_route_key_cmp(&b->v[mid].key, key);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A replacing batch: an owned route whose key the dump did not name goes. */
static int plan_stale(const struct feed_route_key *key, uint8_t proto, void *arg)
{
	struct plan *p = arg;

	return batch_names(p->b, key) ? 0 : plan_removal(p, key, proto);
}

static int plan_changes(struct plan *p, struct feed_routes *owned)
{
	const struct feed_batch *b = p->b;
	size_t i, last;
	int rc;

	for (i = 0; i < b->n; i = last + 1) {
		const struct feed_change *c;
		char name[RT_PROTO_LEN];
		uint8_t proto;
		uint32_t gen;
		bool is_owned;

		for (last = i; last + 1 < b->n && !feed_route_key_cmp(&b->v[last + 1].key, &b->v[i].key);
		     last++)
			;
		c = &b->v[last];
		is_owned = feed_routes_get(owned, &c->key, &proto, &gen);
		if (c->usable && tables_get(p->d->tables, c->key.table)) {
			p->protos[p->n_routes] = c->proto;
			p->routes[p->n_routes++] = c->route;
			/* Another protocol under the same key: the old route goes. */
			if (is_owned && strcmp(rtnl_proto_name(proto, name), c->route.proto)) {
				rc = plan_removal(p, &c->key, proto);
				if (rc)
					return rc;
			}
		} else if (c->usable) {
			p->counts->table_gone++;
		} else if (is_owned) {
			/* Deleted, or replaced by a route routed cannot hold: none beats a stale one. */
			rc = plan_removal(p, &c->key, proto);
			if (rc)
				return rc;
		} else if (c->del) {
			p->counts->delete_unknown++;
		}
	}
	return 0;
}

int feed_batch_apply(struct routed *d, struct feed_batch *b, struct feed_routes *owned,
		     uint32_t gen, bool replace, struct feed_batch_counts *counts, char *err,
		     size_t errlen)
{
	struct plan p = { .d = d, .b = b, .counts = counts };
	/* Only usable changes become routes, and a usable change's route is valid (feed_batch.h). */
	struct load_request req = { .routes_valid = true };
	struct load_result res;
	size_t i;
	int rc = -ENOMEM;

	memset(counts, 0, sizeof(*counts));
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	if (b->n)
		feed_batch_sort(b);
	p.routes = malloc((b->n ? b->n : 1) * sizeof(*p.routes));
	p.protos = malloc(b->n ? b->n : 1);
	if (!p.routes || !p.protos)
		goto out;
	rc = plan_changes(&p, owned);
	if (!rc && replace)
		rc = feed_routes_older(owned, UINT32_MAX, plan_stale, &p);
	if (rc)
		goto out;
	if (p.n_routes || p.n_removals) {
		req.routes = p.routes;
		req.n_routes = p.n_routes;
		req.removals = p.removals;
		req.n_removals = p.n_removals;
		rc = load_apply(d, &req, &res, err, errlen);
		load_result_release(&res);
		if (rc)
			goto out;
	}
	/* Now the owned map follows what the tables hold. */
	for (i = 0; i < p.n_removals; i++) {
		struct feed_route_key k = { .table = p.removals[i].table,
					    .metric = p.removals[i].metric,
					    .prefix = p.removals[i].prefix };

		feed_routes_remove(owned, &k);
	}
	if (replace) {
		/* Keys of a table that went: forgotten with it. */
		for (i = 0; i < b->n; i++)
			if (!tables_get(d->tables, b->v[i].key.table))
				feed_routes_remove(owned, &b->v[i].key);
	}
	for (i = 0; i < p.n_routes; i++) {
		struct feed_route_key k = { .table = p.routes[i].table, .metric = p.routes[i].metric,
					    .prefix = p.routes[i].prefix };

		rc = feed_routes_set(owned, &k, p.protos[i], gen);
		if (rc) {
			snprintf(err, errlen, "out of memory tracking the feed's routes");
			goto out;
		}
	}
	counts->upserts = p.n_routes;
	counts->removals = p.n_removals;
	rc = 0;
out:
	feed_batch_clear(b);
	free(p.routes);
	free(p.protos);
	free(p.removals);
	return rc;
}

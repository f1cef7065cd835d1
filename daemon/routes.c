/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route changes outside loads (routes.h). Every applied change, a load's
 * too, reaches the change stream through routes_publish().
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <routed/route.h>
#include <routed/table.h>

#include "daemon.h"
#include "change_stream.h"
#include "reconf.h"
#include "routes.h"
#include "tables.h"

/* One event each, or just the count when nobody listens. */
void routes_publish(struct routed *d, uint32_t table, const struct rt_change *c, size_t n)
{
	if (!change_stream_wanted(d->changes, table)) {
		change_stream_skip(d->changes, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		change_stream_route(d->changes, c[i].op != RT_CHANGE_DELETE, &c[i].route);
}

int routes_apply(struct routed *d, uint32_t table, const struct rt_change *changes, size_t n,
		 size_t *failed)
{
	struct rt_table *t = tables_get(d->tables, table);
	int rc;

	if (!t)
		return -ENOENT;
	rc = rt_table_apply(t, changes, n, failed);
	if (!rc)
		routes_publish(d, table, changes, n);
	return rc;
}

struct route_vec {
	struct rt_route *v;
	size_t n, cap;
};

static int vec_push(struct route_vec *vec, const struct rt_route *r)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? 2 * vec->cap : 64;
		struct rt_route *v = realloc(vec->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = *r;
	return 0;
}

struct flush_filter {
	const char *proto;
	struct route_vec found;
	uint64_t total;
};

static int collect_flush(const struct rt_route *r, void *arg)
{
	struct flush_filter *f = arg;

	f->total++;
	if (f->proto && strcmp(r->proto, f->proto))
		return 0;
	return vec_push(&f->found, r);
}

long routes_flush(struct routed *d, uint32_t table, int family, const char *proto)
{
	struct rt_table *t = tables_get(d->tables, table);
	struct flush_filter f = { .proto = proto && *proto ? proto : NULL };
	struct rt_change *changes = NULL;
	long rc;

	if (!t)
		return -ENOENT;
	if (!family && !f.proto && !change_stream_wanted(d->changes, table)) {
		/* Everything, and nobody listens: one swap to an empty table. */
		rc = rt_table_flush(t, NULL);
		if (rc > 0)
			change_stream_skip(d->changes, (uint64_t)rc);
		return rc;
	}
	rc = rt_table_walk(t, family, NULL, collect_flush, &f);
	if (rc)
		goto out;
	if (!family && f.found.n == f.total) {
		/* Every route of both families: one swap instead of n deletes. */
		rc = rt_table_replace_all(t, NULL, 0, NULL);
		if (rc)
			goto out;
		for (size_t i = 0; i < f.found.n; i++)
			change_stream_route(d->changes, false, &f.found.v[i]);
	} else if (f.found.n) {
		changes = malloc(f.found.n * sizeof(*changes));
		rc = -ENOMEM;
		if (!changes)
			goto out;
		for (size_t i = 0; i < f.found.n; i++) {
			changes[i].op = RT_CHANGE_DELETE;
			changes[i].route = f.found.v[i];
		}
		rc = routes_apply(d, table, changes, f.found.n, NULL);
		if (rc)
			goto out;
	}
	rc = (long)f.found.n;
out:
	free(changes);
	free(f.found.v);
	return rc;
}

int routes_create_table(struct routed *d, uint32_t id, const char *name)
{
	int rc;

	/* A new member of the table set: no lookup batch spans the change. */
	reconf_begin(d, RECONF_TABLE_CREATE);
	rc = tables_add(d->tables, id, name);
	reconf_end(d);
	return rc;
}

long routes_drop_table(struct routed *d, uint32_t table)
{
	struct rt_table *t = tables_get(d->tables, table), *victim;
	struct flush_filter f = { 0 };
	struct rt_table_stats st;
	long rc;
	int err;

	if (!t)
		return -ENOENT;
	if (table == RT_TABLE_MAIN)
		return -EPERM;
	if (change_stream_wanted(d->changes, table)) {
		rc = rt_table_walk(t, 0, NULL, collect_flush, &f);
		if (rc)
			goto out;
	} else {
		rt_table_stats(t, &st);
		f.total = st.v4.routes + st.v6.routes;
	}
	/*
	 * The table leaves the set inside the gate. tables_remove() waits for
	 * a grace period there: lookup workers wait for the gate outside
	 * their read-side sections (gate.h), so none can hold it up. The
	 * destruction waits for the table's pending reclamation (rcu_barrier)
	 * and needs no exclusion: it runs after the gate is open again.
	 */
	reconf_begin(d, RECONF_TABLE_DELETE);
	victim = tables_remove(d->tables, table, &err);
	reconf_end(d);
	if (!victim) {
		rc = err;
		goto out;
	}
	rt_table_destroy(victim);
	if (f.found.n) {
		for (size_t i = 0; i < f.found.n; i++)
			change_stream_route(d->changes, false, &f.found.v[i]);
	} else {
		change_stream_skip(d->changes, f.total);
	}
	rc = (long)f.total;
out:
	free(f.found.v);
	return rc;
}

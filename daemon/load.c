/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/route.h>
#include <routed/route_json.h>
#include <routed/table.h>
#include <routed/table_diff.h>

#include "daemon.h"
#include "change_stream.h"
#include "load.h"
#include "log.h"
#include "reconf.h"
#include "routes.h"
#include "tables.h"

__attribute__((format(printf, 5, 6)))
static int fail(struct load_result *res, char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	(void)res;
	return rc;
}

/*
 * The changes to one table. Planning diffs each table twice at most: a
 * first pass only counts the changes (and fills the dry-run diff), which is
 * all a dry run or a table rebuilt from scratch needs; a second pass lists
 * them, for the tables changed one route at a time and for subscribers.
 * Listing a million changes nobody reads would double the peak memory of
 * a full-table load.
 */
struct plan {
	uint32_t id;
	struct rt_table *t;
	struct rt_diff_target target;	/* its slices of the routes and removals */
	struct rt_diff_counts counts;	/* by the first pass */
	bool swap;			/* rebuilt with rt_table_replace_all() */
	bool list;			/* the second pass lists its changes */
	bool listed;			/* the first pass listed them (never swapped) */
	struct rt_change *changes;	/* listed by the second pass */
	size_t n_changes, cap_changes;
	struct rt_route *olds;		/* replaced routes, in the order of REPLACE changes */
	size_t n_olds, cap_olds;
};

/*
 * Below this many changes a table is changed route by route even when it
 * is rebuilt mostly anew: a rebuild waits for a grace period or two, which
 * costs about as much as a few hundred single changes.
 */
#define SWAP_MIN_CHANGES 256

static uint64_t plan_changes(const struct plan *p)
{
	return p->counts.adds + p->counts.replaces + p->counts.deletes;
}

/* The listing pass: an rt_diff_fn that appends to the plan (arg). */
static int plan_push(enum rt_change_op op, const struct rt_route *r, const struct rt_route *old,
		     void *arg)
{
	struct plan *p = arg;

	if (p->n_changes == p->cap_changes) {
		/* The first pass counted them: one allocation, no doubling. */
		size_t cap = p->cap_changes ? 2 * p->cap_changes : (size_t)plan_changes(p);
		struct rt_change *c = realloc(p->changes, (cap ? cap : 64) * sizeof(*c));

		if (!c)
			return -ENOMEM;
		p->changes = c;
		p->cap_changes = cap ? cap : 64;
	}
	if (old) {
		if (p->n_olds == p->cap_olds) {
			size_t cap = p->cap_olds ? 2 * p->cap_olds : (size_t)p->counts.replaces;
			struct rt_route *o = realloc(p->olds, (cap ? cap : 16) * sizeof(*o));

			if (!o)
				return -ENOMEM;
			p->olds = o;
			p->cap_olds = cap ? cap : 16;
		}
		p->olds[p->n_olds++] = *old;
	}
	p->changes[p->n_changes].op = op;
	p->changes[p->n_changes].route = *r;
	p->n_changes++;
	return 0;
}

/* The dry-run diff: the first pass's rt_diff_fn adds each change, up to the limit. */
struct dry_diff {
	struct load_result *res;
	size_t limit;
};

static int diff_add(enum rt_change_op op, const struct rt_route *r, const struct rt_route *old,
		    void *arg)
{
	static const char *const names[] = {
		[RT_CHANGE_ADD] = "add", [RT_CHANGE_REPLACE] = "replace",
		[RT_CHANGE_DELETE] = "delete",
	};
	struct dry_diff *dd = arg;
	json_t *e;

	(void)old;
	if (json_array_size(dd->res->diff) >= dd->limit) {
		dd->res->diff_truncated = true;
		return 0;
	}
	e = json_pack("{s:s, s:o}", "op", names[op], "route", rt_route_to_json(r));
	if (!e || json_array_append_new(dd->res->diff, e))
		return -ENOMEM;
	return 0;
}

static uint64_t table_routes(struct rt_table *t)
{
	struct rt_table_stats st;

	rt_table_stats(t, &st);
	return st.v4.routes + st.v6.routes;
}

/*
 * Whether choose_swap() cannot pick p, whatever its diff turns out to be:
 * too few changes, or (without replace) a table that stays more than
 * twice as large as the most changes the request can make. Such a plan
 * is listed by the first pass, which saves the second diff: a feed's
 * turn of a few hundred routes into a big table is diffed once.
 */
static bool plan_never_swapped(const struct plan *p, uint64_t before)
{
	uint64_t most = p->target.n_routes + p->target.n_removals;

	if (p->target.replace)
		return false;	/* its deletes are not bounded by the request */
	if (most < SWAP_MIN_CHANGES)
		return true;
	return before > p->target.n_removals &&
	       before - p->target.n_removals > 2 * most;
}

/* The first pass's rt_diff_fn for a plan listed at once: the dry-run diff and the list. */
struct count_and_list {
	struct dry_diff *dd;
	struct plan *p;
};

static int diff_count_and_list(enum rt_change_op op, const struct rt_route *r,
			       const struct rt_route *old, void *arg)
{
	struct count_and_list *cl = arg;
	int rc = cl->dd->limit ? diff_add(op, r, old, cl->dd) : 0;

	return rc ? rc : plan_push(op, r, old, cl->p);
}

/*
 * The first pass: every plan's counts, the totals and the dry-run diff in
 * res; the changes too of the plans that can never be swapped (listed).
 */
static int plans_count(struct plan *plans, size_t n, const struct load_request *req,
		       struct load_result *res)
{
	struct dry_diff dd = { .res = res, .limit = req->diff_limit };
	int rc;

	for (size_t k = 0; k < n; k++) {
		struct plan *p = &plans[k];
		struct count_and_list cl = { .dd = &dd, .p = p };

		p->listed = !req->dry_run && plan_never_swapped(p, table_routes(p->t));
		if (p->listed)
			rc = rt_table_diff(p->t, &p->target, diff_count_and_list, &cl, &p->counts);
		else
			rc = rt_table_diff(p->t, &p->target, dd.limit ? diff_add : NULL, &dd,
					   &p->counts);
		if (rc)
			return rc;
		res->added += p->counts.adds;
		res->replaced += p->counts.replaces;
		res->deleted += p->counts.deletes;
		res->unchanged += p->counts.unchanged;
	}
	return 0;
}

/* The second pass: the changes of the plans marked to be listed. */
static int plans_list(struct plan *plans, size_t n)
{
	int rc;

	for (size_t k = 0; k < n; k++) {
		if (!plans[k].list || plans[k].listed)
			continue;
		rc = rt_table_diff(plans[k].t, &plans[k].target, plan_push, &plans[k], NULL);
		if (rc)
			return rc;
	}
	return 0;
}

static void plans_free(struct plan *plans, size_t n)
{
	for (size_t i = 0; plans && i < n; i++) {
		free(plans[i].changes);
		free(plans[i].olds);
	}
	free(plans);
}

/*
 * Undoing a change needs memory (a route added back, FIB path copies)
 * while memory may be what made the load fail; the changes undone so far
 * retired about as much, which comes back once their grace periods pass:
 * wait for that and retry, as rt_table_apply() does for its own rollback.
 * A table left half changed would serve routes nobody asked for, and a
 * load that failed must change nothing: giving up is fatal.
 */
#define UNDO_ATTEMPTS 64

static void undo_change(const struct plan *p, const struct rt_change *u)
{
	char prefix[RT_PREFIX_STRLEN];
	int rc = rt_table_apply(p->t, u, 1, NULL);

	for (unsigned attempt = 1; rc == -ENOMEM && attempt < UNDO_ATTEMPTS; attempt++) {
		rt_table_quiesce(p->t);
		rc = rt_table_apply(p->t, u, 1, NULL);
	}
	if (!rc)
		return;
	log_msg(LOG_CRIT, "load: cannot put back %s in table %u after a failed load: %s",
		rt_prefix_format(&u->route.prefix, prefix, sizeof(prefix)), p->id, strerror(-rc));
	abort();
}

/* Undo the applied changes of p, in reverse. */
static void plan_undo(const struct plan *p)
{
	size_t olds = p->n_olds;

	for (size_t i = p->n_changes; i--;) {
		struct rt_change u = p->changes[i];

		switch (u.op) {
		case RT_CHANGE_ADD:
			u.op = RT_CHANGE_DELETE;
			break;
		case RT_CHANGE_REPLACE:
			u.route = p->olds[--olds];
			break;
		case RT_CHANGE_DELETE:
			u.op = RT_CHANGE_ADD;
			break;
		}
		undo_change(p, &u);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The plan of table id (plans sorted by id). */
static struct plan *plan_of(struct plan *plans, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (plans[mid].id == id)
			return &plans[mid];
		if (plans[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Append the distinct tables of idx[0..n) (sorted by table first) to ids:
 * one id per run, so a turn of a few hundred routes of one table adds one.
 */
static size_t distinct_tables(const struct rt_route *const *idx, size_t n, uint32_t *ids,
			      size_t n_ids)
{
	for (size_t i = 0; i < n; i++)
		if (!i || idx[i]->table != idx[i - 1]->table)
			ids[n_ids++] = idx[i]->table;
	return n_ids;
}

/* Build the plans: every table named, its slices of routes and removals, its counts. */
static int plan_build(struct routed *d, const struct load_request *req,
		      const struct rt_route *const *idx, const struct rt_route *const *ridx,
		      struct plan **out, size_t *n_out,
		      struct load_result *res, char *err, size_t errlen)
{
	size_t n_ids = 0, cap = req->n_routes + req->n_removals + req->n_replace_tables;
	uint32_t *ids = malloc((cap ? cap : 1) * sizeof(*ids));
	struct plan *plans = NULL;
	size_t n_plans = 0;
	int rc = -ENOMEM;

	if (!ids)
		goto out;
	n_ids = distinct_tables(idx, req->n_routes, ids, n_ids);
	n_ids = distinct_tables(ridx, req->n_removals, ids, n_ids);
	for (size_t i = 0; i < req->n_replace_tables; i++)
		ids[n_ids++] = req->replace_tables[i];
	qsort(ids, n_ids, sizeof(*ids), cmp_u32);
	plans = calloc(n_ids ? n_ids : 1, sizeof(*plans));
	if (!plans)
		goto out;
	for (size_t i = 0; i < n_ids; i++) {
		if (n_plans && plans[n_plans - 1].id == ids[i])
			continue;
		plans[n_plans].id = ids[i];
		plans[n_plans].t = tables_get(d->tables, ids[i]);
		n_plans++;
	}
	for (size_t i = 0; i < req->n_replace_tables; i++)
		plan_of(plans, n_plans, req->replace_tables[i])->target.replace = true;
	/* Each table's routes are one slice of the index, sorted by table first. */
	for (size_t i = 0; i < req->n_routes;) {
		struct plan *p = plan_of(plans, n_plans, idx[i]->table);
		size_t first = i;

		while (i < req->n_routes && idx[i]->table == p->id)
			i++;
		p->target.routes = idx + first;
		p->target.n_routes = i - first;
	}
	for (size_t i = 0; i < req->n_removals;) {
		struct plan *p = plan_of(plans, n_plans, ridx[i]->table);
		size_t first = i;

		while (i < req->n_removals && ridx[i]->table == p->id)
			i++;
		p->target.removals = ridx + first;
		p->target.n_removals = i - first;
	}
	rc = plans_count(plans, n_plans, req, res);
out:
	free(ids);
	if (rc) {
		plans_free(plans, n_plans);
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		else
			snprintf(err, errlen, "cannot read table: %s", strerror(-rc));
		return rc;
	}
	*out = plans;
	*n_out = n_plans;
	return 0;
}

/* Check every route and table; find duplicate keys. */
static int validate(struct routed *d, const struct load_request *req,
		    const struct rt_route *const *idx,
		    struct load_result *res, char *err, size_t errlen)
{
	const char *name = req->routes_name ? req->routes_name : "routes";
	char msg[RT_ERR_LEN];

	for (size_t i = 0; i < req->n_routes; i++) {
		const struct rt_route *r = &req->routes[i];

		/* Routes mostly come table by table: each table is looked up once a run. */
		if ((!i || r->table != req->routes[i - 1].table) && !tables_get(d->tables, r->table)) {
			snprintf(res->error_field, sizeof(res->error_field), "%s[%zu].table", name,
				 i);
			return fail(res, err, errlen, -ENOENT, "%s[%zu]: no table %u", name, i,
				    r->table);
		}
		if (!req->routes_valid && rt_route_validate(r, msg, sizeof(msg))) {
			snprintf(res->error_field, sizeof(res->error_field), "%s[%zu]", name, i);
			return fail(res, err, errlen, -EINVAL, "%s[%zu]: %s", name, i, msg);
		}
	}
	for (size_t i = 1; i < req->n_routes; i++) {
		const struct rt_route *a = idx[i - 1], *b = idx[i];
		char prefix[RT_PREFIX_STRLEN];

		if (rt_route_key_cmp(a, b))
			continue;
		/* Equal keys keep request order: b is the later of the two. */
		snprintf(res->error_field, sizeof(res->error_field), "%s[%zu]", name,
			 (size_t)(b - req->routes));
		return fail(res, err, errlen, -EINVAL,
			    "%s[%zu] duplicates %s[%zu]: both are %s proto %s metric %u in table %u",
			    name, (size_t)(b - req->routes), name, (size_t)(a - req->routes),
			    rt_prefix_format(&b->prefix, prefix, sizeof(prefix)), b->proto,
			    b->metric, b->table);
	}
	for (size_t i = 0; i < req->n_removals; i++) {
		if (!tables_get(d->tables, req->removals[i].table)) {
			snprintf(res->error_field, sizeof(res->error_field), "removals[%zu].table",
				 i);
			return fail(res, err, errlen, -ENOENT, "removals[%zu]: no table %u", i,
				    req->removals[i].table);
		}
	}
	for (size_t i = 0; i < req->n_replace_tables; i++) {
		if (!tables_get(d->tables, req->replace_tables[i])) {
			snprintf(res->error_field, sizeof(res->error_field), "table");
			return fail(res, err, errlen, -ENOENT, "no table %u",
				    req->replace_tables[i]);
		}
	}
	return 0;
}

/* What a plan's table will hold afterwards. */
static uint64_t plan_final(const struct plan *p)
{
	const struct rt_diff_counts *c = &p->counts;

	return p->target.replace ? p->target.n_routes : c->before + c->adds - c->deletes;
}

/*
 * Pick the table (at most one) to rebuild with rt_table_replace_all(): one
 * where the changes outnumber half of what it will hold (a load into an
 * empty table, a replace with mostly new routes), so building from scratch
 * costs less than applying them one by one, and leaves no retired FIB
 * copies to fragment the heap. It is applied last, so it never needs
 * undoing.
 */
static struct plan *choose_swap(struct plan *plans, size_t n)
{
	struct plan *best = NULL;

	for (size_t i = 0; i < n; i++) {
		struct plan *p = &plans[i];
		uint64_t changes = plan_changes(p);

		if (!p->listed && changes >= SWAP_MIN_CHANGES && changes >= plan_final(p) / 2 &&
		    (!best || changes > plan_changes(best)))
			best = p;
	}
	return best;
}

/*
 * The routes the swap table will hold, in *routes[0..*n). When that is
 * exactly the loaded routes of the request, they are used in place
 * (replace_all takes them in any order); otherwise they are gathered in a
 * new array, *copy, for the caller to free.
 */
static int swap_routes(const struct plan *p, const struct load_request *req,
		       const struct rt_route **routes, size_t *n, struct rt_route **copy)
{
	int rc;

	*copy = NULL;
	if (plan_final(p) == p->target.n_routes && p->target.n_routes == req->n_routes) {
		*routes = req->routes;
		*n = req->n_routes;
		return 0;
	}
	rc = rt_table_diff_result(p->t, &p->target, &p->counts, copy, n);
	if (!rc)
		*routes = *copy;
	return rc;
}

static int apply_plans(struct plan *plans, size_t n, struct plan *swap,
		       const struct load_request *req, struct load_result *res, char *err,
		       size_t errlen)
{
	const struct rt_route *all = NULL;
	struct rt_route *copy = NULL;
	size_t done, n_all = 0, failed = 0;
	int rc = 0;

	for (done = 0; done < n; done++) {
		struct plan *p = &plans[done];

		if (p == swap || !p->n_changes)
			continue;
		rc = rt_table_apply(p->t, p->changes, p->n_changes, &failed);
		if (rc) {
			char prefix[RT_PREFIX_STRLEN];

			fail(res, err, errlen, rc, "table %u: cannot apply change to %s: %s", p->id,
			     rt_prefix_format(&p->changes[failed].route.prefix, prefix,
					      sizeof(prefix)),
			     strerror(-rc));
			goto undo;
		}
	}
	if (swap) {
		rc = swap_routes(swap, req, &all, &n_all, &copy);
		if (rc) {
			fail(res, err, errlen, rc, "table %u: cannot collect its routes: %s",
			     swap->id, strerror(-rc));
			goto undo;
		}
		rc = rt_table_replace_all(swap->t, all, n_all, &failed);
		if (rc) {
			fail(res, err, errlen, rc, "table %u: cannot replace its routes: %s",
			     swap->id, strerror(-rc));
			goto undo;
		}
	}
	free(copy);
	return 0;
undo:
	/* done: the plan that failed (or n); every earlier one was applied. */
	while (done--) {
		if (&plans[done] != swap && plans[done].n_changes)
			plan_undo(&plans[done]);
	}
	free(copy);
	return rc;
}

/*
 * After a big load, give the heap's free pages back: the staged and parsed
 * routes, plans and retired table memory leave hundreds of megabytes free
 * in the middle of the heap, which glibc only returns to the system on
 * malloc_trim(). Waiting for the grace periods first lets the retired
 * memory be part of it; the wait is short next to such a load.
 */
#define TRIM_MIN_ROUTES 65536

static void load_release_memory(struct routed *d, const struct plan *plans, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (plans[i].swap || plans[i].n_changes >= TRIM_MIN_ROUTES)
			rt_table_quiesce(tables_get(d->tables, plans[i].id));
	}
	malloc_trim(0);
}

int load_apply(struct routed *d, const struct load_request *req, struct load_result *res,
	       char *err, size_t errlen)
{
	struct plan *plans = NULL, *swap = NULL;
	const struct rt_route **idx, **ridx = NULL;
	size_t n_plans = 0, changing = 0;
	uint64_t listed = 0;
	bool big = false;
	int rc;

	memset(res, 0, sizeof(*res));
	if (err && errlen)
		err[0] = '\0';
	if (req->diff_limit) {
		res->diff = json_array();
		if (!res->diff)
			return fail(res, err, errlen, -ENOMEM, "out of memory");
	}
	idx = rt_route_key_index(req->routes, req->n_routes);
	if (!idx)
		return fail(res, err, errlen, -ENOMEM, "out of memory");
	rc = validate(d, req, idx, res, err, errlen);
	if (rc)
		goto out;
	ridx = rt_route_key_index(req->removals, req->n_removals);
	if (!ridx) {
		rc = fail(res, err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	rc = plan_build(d, req, idx, ridx, &plans, &n_plans, res, err, errlen);
	if (rc || req->dry_run)
		goto out;
	swap = choose_swap(plans, n_plans);
	if (swap)
		swap->swap = true;
	/* Changes are listed where applied one by one, or where someone listens. */
	for (size_t i = 0; i < n_plans; i++)
		plans[i].list = plan_changes(&plans[i]) &&
				(!plans[i].swap || change_stream_wanted(d->changes, plans[i].id));
	rc = plans_list(plans, n_plans);
	if (rc) {
		fail(res, err, errlen, rc, "%s",
		     rc == -ENOMEM ? "out of memory" : "cannot read table");
		goto out;
	}
	for (size_t i = 0; i < n_plans; i++)
		changing += plan_changes(&plans[i]) > 0;
	/*
	 * Several tables change: lookups see all of them before or all after
	 * (the gate keeps every batch out while they change). One table is a
	 * plain RCU update: its readers see each route before or after.
	 */
	if (changing > 1)
		reconf_begin(d, RECONF_LOAD);
	rc = apply_plans(plans, n_plans, swap, req, res, err, errlen);
	if (changing > 1)
		reconf_end(d);
	if (rc)
		goto out;
	for (size_t i = 0; i < n_plans; i++) {
		struct plan *p = &plans[i];

		if (p->n_changes) {
			routes_publish(d, p->id, p->changes, p->n_changes);
			listed += p->n_changes;
		} else {
			change_stream_skip(d->changes, plan_changes(p));
		}
	}
	big = listed >= TRIM_MIN_ROUTES || (swap && plan_changes(swap) >= TRIM_MIN_ROUTES);
out:
	if (rc) {
		/* Counts of a failed load mean nothing. */
		json_decref(res->diff);
		res->diff = NULL;
		res->added = res->replaced = res->deleted = res->unchanged = 0;
	}
	free(idx);
	free(ridx);
	if (big) {
		/* The plans' arrays go first, so the trim can return them too. */
		for (size_t i = 0; i < n_plans; i++) {
			free(plans[i].changes);
			free(plans[i].olds);
			plans[i].changes = NULL;
			plans[i].olds = NULL;
		}
		load_release_memory(d, plans, n_plans);
	}
	plans_free(plans, n_plans);
	return rc;
}

void load_result_release(struct load_result *res)
{
	json_decref(res->diff);
	res->diff = NULL;
}

uint32_t *load_replace_tables(const struct rt_route *routes, size_t n_routes,
			      const uint32_t *table, size_t *n)
{
	uint32_t *ids = malloc((n_routes ? n_routes : 1) * sizeof(*ids));
	size_t k = 0;

	if (!ids)
		return NULL;
	if (table) {
		ids[k++] = *table;
	} else {
		for (size_t i = 0; i < n_routes; i++)
			ids[k++] = routes[i].table;
		qsort(ids, k, sizeof(*ids), cmp_u32);
		if (!k)
			ids[k++] = RT_TABLE_MAIN;
	}
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (!*n || ids[*n - 1] != ids[i])
			ids[(*n)++] = ids[i];
	return ids;
}

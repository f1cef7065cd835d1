/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The difference between a table and the routes it should hold: the
 * changes a load applies, computed without changing the table.
 *
 * What the table should hold is given relative to what it holds: the
 * routes to be present afterwards (added, replaced or left as they are),
 * and what goes: either every other route (replace), or the stored routes
 * with the keys of some removals. Keys and their order: rt_route_key_cmp().
 *
 * Threads: like any reader of the table's writer side (rt_table_get,
 * rt_table_walk): not inside a read-side section; the table must not
 * change between a diff and the use of its result.
 */
#ifndef ROUTED_TABLE_DIFF_H
#define ROUTED_TABLE_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/route.h>
#include <routed/table.h>

struct rt_diff_target {
	/* Present afterwards: in key order, distinct keys, all of the table's id. */
	const struct rt_route *const *routes;
	size_t n_routes;
	/* Every stored route whose key is not in routes goes. */
	bool replace;
	/*
	 * Without replace: stored routes with these keys go unless routes
	 * has the key. In key order; a key may repeat. Ignored with replace.
	 */
	const struct rt_route *const *removals;
	size_t n_removals;
};

struct rt_diff_counts {
	uint64_t before;		/* routes the table held */
	uint64_t adds, replaces, deletes, unchanged;
};

/*
 * One change: op and its route (a DELETE gets the route as stored); for a
 * REPLACE, old is the stored route it replaces, else NULL. Return 0 to go
 * on; anything else stops the diff and is returned. Called with the
 * table's writer lock held at times: it must not change the table.
 */
typedef int (*rt_diff_fn)(enum rt_change_op op, const struct rt_route *r,
			  const struct rt_route *old, void *arg);

/*
 * Pass fn (if not NULL) each change that makes t hold target: first the
 * adds and replaces, in key order, then the deletes, in key order.
 * Applied in that order with rt_table_apply(), they make t hold target.
 * Counts them, and the routes left unchanged, in *counts (if not NULL).
 * Returns 0, fn's first nonzero return, or -ENOMEM. Costs an exact get per
 * route and per removal; replace also walks the whole table.
 */
int rt_table_diff(struct rt_table *t, const struct rt_diff_target *target, rt_diff_fn fn,
		  void *arg, struct rt_diff_counts *counts);

/*
 * Every route t holds once the diff is applied, in a new array *out[0..*n)
 * the caller frees (the stored routes that stay, in key order, then
 * target->routes), for rebuilding t with rt_table_replace_all(). counts:
 * what rt_table_diff() counted for target on t as it is now; it sizes the
 * array. -ENOMEM, or -EAGAIN if t changed since it was counted.
 */
int rt_table_diff_result(struct rt_table *t, const struct rt_diff_target *target,
			 const struct rt_diff_counts *counts, struct rt_route **out, size_t *n);

#endif

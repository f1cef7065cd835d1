/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loads: many route changes across tables, all or nothing (route.load,
 * load.commit, route files at start and reload). Each table's changes come
 * from rt_table_diff() (routed/table_diff.h); load_apply() chooses how to
 * apply them, applies them, undoes them on failure, and publishes them to
 * the change stream (routes_publish()). Changes to two tables or more are
 * one reconfiguration (reconf.h).
 *
 * Control thread only.
 */
#ifndef ROUTED_DAEMON_LOAD_H
#define ROUTED_DAEMON_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <routed/table.h>

struct routed;

struct load_request {
	/* Present afterwards: added, replaced or unchanged. */
	const struct rt_route *routes;
	size_t n_routes;
	/* Keys (table, prefix, proto, metric) to delete if present. */
	const struct rt_route *removals;
	size_t n_removals;
	/* In these tables, delete every route not in routes. */
	const uint32_t *replace_tables;
	size_t n_replace_tables;
	bool dry_run;
	/*
	 * Every route passed rt_route_validate() already (a feed's
	 * conversion checks each one): only tables and duplicate keys are
	 * checked again.
	 */
	bool routes_valid;
	size_t diff_limit;		/* 0: no diff */
	/* What errors call routes: "routes" (NULL) or "lines", as in the request. */
	const char *routes_name;
};

struct load_result {
	uint64_t added, replaced, deleted, unchanged;
	json_t *diff;			/* [{"op", "route"}…] when diff_limit > 0 */
	bool diff_truncated;
	char error_field[64];		/* on error: "routes[12].table", or "" */
};

/*
 * Apply req all or nothing: on any error no table has changed. Returns 0,
 * or with a message in err and the offending entry in res->error_field:
 * -EINVAL (duplicate key in routes, bad route), -ENOENT (no such table),
 * -ENOMEM or another -errno (nothing changed). Emits one event per
 * effective change, after success. Release res in every case. A table
 * that mostly changes is rebuilt and swapped in whole; after a big load
 * (65536 changes or more) this waits for the grace periods of the tables
 * it changed and returns the freed heap to the system (malloc_trim). When
 * two tables or more change, the changes are applied inside the gate
 * (planning stays outside, unless the caller is inside already).
 */
int load_apply(struct routed *d, const struct load_request *req, struct load_result *res,
	       char *err, size_t errlen);
void load_result_release(struct load_result *res);

/*
 * The tables a replace load covers: table if given, else the distinct
 * tables of routes in id order, else main. Returns a malloc'ed array and
 * its length in *n, or NULL on ENOMEM.
 */
uint32_t *load_replace_tables(const struct rt_route *routes, size_t n_routes,
			      const uint32_t *table, size_t *n);

#endif

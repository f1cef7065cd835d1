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
struct rpc_conn;

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

/* Load transactions. */
#define LOAD_TXN_MAX 16			/* open at once, in all */
#define LOAD_TXN_MAX_ROUTES (16u << 20)	/* staged routes per transaction */

struct load_txn;

/*
 * Open a transaction on conn (aborted when conn closes). table: NULL, or
 * the table it loads into. -EBUSY with a message in err when conn already
 * has one or LOAD_TXN_MAX are open; -ENOMEM.
 */
int load_txn_begin(struct rpc_conn *conn, bool replace, const uint32_t *table,
		   struct load_txn **txn, char *err, size_t errlen);
/* Transaction id of conn, or NULL (none such on this connection). */
struct load_txn *load_txn_get(struct rpc_conn *conn, uint64_t id);
uint64_t load_txn_id(const struct load_txn *txn);
/* Whether the transaction names a table (then *table is set). */
bool load_txn_table(const struct load_txn *txn, uint32_t *table);
bool load_txn_replace(const struct load_txn *txn);
/* Staged routes so far, and load.add calls so far. */
size_t load_txn_staged(const struct load_txn *txn);
unsigned load_txn_chunks(const struct load_txn *txn);
/*
 * Stage routes[0..n) as one more chunk, all or none: -E2BIG past the
 * staging cap, -ENOMEM. name: what the chunk called them ("routes" or
 * "lines"), for naming one at commit.
 */
int load_txn_stage(struct load_txn *txn, const struct rt_route *routes, size_t n,
		   const char *name);
/*
 * Apply the staged routes with load_apply() (replace: the transaction's
 * table, or the tables the routes name, or main). A real commit ends the
 * transaction whatever the outcome; a dry run leaves it open. Errors name
 * the entry as "routes[i]" of chunk n (counted from 1) in err.
 */
int load_txn_commit(struct routed *d, struct load_txn *txn, bool dry_run, size_t diff_limit,
		    struct load_result *res, char *err, size_t errlen);
void load_txn_abort(struct load_txn *txn);
/* Transactions open now. */
size_t load_txn_open(void);
/* Change the staging cap (tests). */
void load_txn_set_max_routes(size_t max);

/*
 * The tables a replace load covers: table if given, else the distinct
 * tables of routes in id order, else main. Returns a malloc'ed array and
 * its length in *n, or NULL on ENOMEM.
 */
uint32_t *load_replace_tables(const struct rt_route *routes, size_t n_routes,
			      const uint32_t *table, size_t *n);

#endif

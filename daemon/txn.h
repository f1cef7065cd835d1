/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load transactions (load.begin/add/commit/abort): routes staged over
 * several calls on one connection, then applied at once with load_apply().
 * A transaction belongs to its connection and ends when it closes.
 *
 * Control thread only.
 */
#ifndef ROUTED_DAEMON_TXN_H
#define ROUTED_DAEMON_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct load_result;
struct routed;
struct control_conn;
struct rt_route;
struct txn;
struct txn_registry;

#define TXN_MAX 16			/* open at once, in all */
#define TXN_MAX_ROUTES (16u << 20)	/* staged routes per transaction */

/* The open transactions of d->txns: none yet. NULL on ENOMEM. */
struct txn_registry *txn_registry_create(void);
/*
 * After every connection has closed (closing ends its transaction).
 * Accepts NULL.
 */
void txn_registry_destroy(struct txn_registry *reg);

/*
 * Open a transaction on conn (aborted when conn closes). table: NULL, or
 * the table it loads into. -EBUSY with a message in err when conn already
 * has one or TXN_MAX are open; -ENOMEM.
 */
int txn_begin(struct routed *d, struct control_conn *conn, bool replace, const uint32_t *table,
	      struct txn **txn, char *err, size_t errlen);
/* Transaction id of conn, or NULL (none such on this connection). */
struct txn *txn_get(struct routed *d, struct control_conn *conn, uint64_t id);
uint64_t txn_id(const struct txn *txn);
/* Whether the transaction names a table (then *table is set). */
bool txn_table(const struct txn *txn, uint32_t *table);
bool txn_replace(const struct txn *txn);
/* Staged routes so far, and load.add calls so far. */
size_t txn_staged(const struct txn *txn);
unsigned txn_chunks(const struct txn *txn);
/*
 * Stage routes[0..n) as one more chunk, all or none: -E2BIG past the
 * staging cap, -ENOMEM. name: what the chunk called them ("routes" or
 * "lines"), for naming one at commit.
 */
int txn_stage(struct txn *txn, const struct rt_route *routes, size_t n, const char *name);
/*
 * Apply the staged routes with load_apply() (replace: the transaction's
 * table, or the tables the routes name, or main). A real commit ends the
 * transaction whatever the outcome; a dry run leaves it open. Errors name
 * the entry as "routes[i]" of chunk n (counted from 1) in err.
 */
int txn_commit(struct routed *d, struct txn *txn, bool dry_run, size_t diff_limit,
	       struct load_result *res, char *err, size_t errlen);
void txn_abort(struct txn *txn);
/* Transactions open now. */
size_t txn_count(const struct routed *d);
/* Change the staging cap (tests). */
void txn_set_max_routes(struct routed *d, size_t max);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load transactions (txn.h): the open ones of every connection in one
 * list in struct routed; each is freed by its commit, its abort, or the
 * close of its connection, whichever comes first.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/route.h>

#include "daemon.h"
#include "load.h"
#include "persist.h"
#include "control.h"
#include "txn.h"

struct txn {
	uint64_t id;
	struct txn_registry *reg;
	struct control_conn *conn;
	struct txn *next;
	bool replace;
	bool has_table;
	uint32_t table;
	struct rt_route *routes;
	size_t n, cap;
	struct staged_chunk {
		size_t start;		/* index of the chunk's first route */
		const char *name;	/* "routes" or "lines": what the chunk called them */
	} *chunks;
	unsigned n_chunks;
};

/* Every open transaction (of every connection): at most TXN_MAX. */
struct txn_registry {
	struct txn *txns;
	size_t n_txns;
	uint64_t next_id;
	size_t max_staged;
};

struct txn_registry *txn_registry_create(void)
{
	struct txn_registry *reg = calloc(1, sizeof(*reg));

	if (reg) {
		reg->next_id = 1;
		reg->max_staged = TXN_MAX_ROUTES;
	}
	return reg;
}

void txn_registry_destroy(struct txn_registry *reg)
{
	/* Each transaction went with its connection. */
	assert(!reg || !reg->n_txns);
	free(reg);
}

void txn_set_max_routes(struct routed *d, size_t max)
{
	d->txns->max_staged = max;
}

size_t txn_count(const struct routed *d)
{
	return d->txns->n_txns;
}

static void txn_free(struct txn *txn)
{
	struct txn_registry *reg = txn->reg;
	struct txn **pp;

	for (pp = &reg->txns; *pp && *pp != txn; pp = &(*pp)->next)
		;
	if (*pp) {
		*pp = txn->next;
		reg->n_txns--;
	}
	free(txn->routes);
	free(txn->chunks);
	free(txn);
}

static void txn_conn_closed(struct control_conn *conn, void *arg)
{
	(void)conn;
	txn_free(arg);
}

int txn_begin(struct routed *d, struct control_conn *conn, bool replace, const uint32_t *table,
	      struct txn **out, char *err, size_t errlen)
{
	struct txn_registry *reg = d->txns;
	struct txn *txn;

	for (txn = reg->txns; txn; txn = txn->next) {
		if (txn->conn == conn) {
			snprintf(err, errlen, "this connection already has transaction %llu open",
				 (unsigned long long)txn->id);
			return -EBUSY;
		}
	}
	if (reg->n_txns >= TXN_MAX) {
		snprintf(err, errlen, "too many load transactions open (%d)", TXN_MAX);
		return -EBUSY;
	}
	txn = calloc(1, sizeof(*txn));
	if (!txn)
		goto nomem;
	if (control_conn_on_close(conn, txn_conn_closed, txn)) {
		free(txn);
		goto nomem;
	}
	txn->id = reg->next_id++;
	txn->reg = reg;
	txn->conn = conn;
	txn->replace = replace;
	if (table) {
		txn->has_table = true;
		txn->table = *table;
	}
	txn->next = reg->txns;
	reg->txns = txn;
	reg->n_txns++;
	*out = txn;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

struct txn *txn_get(struct routed *d, struct control_conn *conn, uint64_t id)
{
	for (struct txn *txn = d->txns->txns; txn; txn = txn->next)
		if (txn->id == id && txn->conn == conn)
			return txn;
	return NULL;
}

uint64_t txn_id(const struct txn *txn)
{
	return txn->id;
}

bool txn_table(const struct txn *txn, uint32_t *table)
{
	if (txn->has_table)
		*table = txn->table;
	return txn->has_table;
}

bool txn_replace(const struct txn *txn)
{
	return txn->replace;
}

size_t txn_staged(const struct txn *txn)
{
	return txn->n;
}

unsigned txn_chunks(const struct txn *txn)
{
	return txn->n_chunks;
}

int txn_stage(struct txn *txn, const struct rt_route *routes, size_t n, const char *name)
{
	struct staged_chunk *chunks;

	if (n > txn->reg->max_staged || txn->n > txn->reg->max_staged - n)
		return -E2BIG;
	if (txn->n + n > txn->cap) {
		size_t cap = txn->cap ? txn->cap : 1024;
		struct rt_route *v;

		while (cap < txn->n + n)
			cap *= 2;
		v = realloc(txn->routes, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		txn->routes = v;
		txn->cap = cap;
	}
	chunks = realloc(txn->chunks, (txn->n_chunks + 1) * sizeof(*chunks));
	if (!chunks)
		return -ENOMEM;
	txn->chunks = chunks;
	chunks[txn->n_chunks++] = (struct staged_chunk){ .start = txn->n, .name = name };
	if (n) /* an empty chunk: txn->routes may still be NULL */
		memcpy(txn->routes + txn->n, routes, n * sizeof(*routes));
	txn->n += n;
	return 0;
}

/*
 * Rewrite "routes[i]..." (an index over every staged route) as relative to
 * its chunk, named the way that chunk named it.
 */
static void name_chunk(const struct txn *txn, struct load_result *res, char *err, size_t errlen)
{
	char rest[64], msg[512];
	unsigned chunk = 0;
	size_t i;
	int used = 0;

	if (sscanf(res->error_field, "routes[%zu]%n", &i, &used) != 1 || !used)
		return;
	snprintf(rest, sizeof(rest), "%s", res->error_field + used);
	while (chunk + 1 < txn->n_chunks && txn->chunks[chunk + 1].start <= i)
		chunk++;
	snprintf(res->error_field, sizeof(res->error_field), "%s[%zu]%.32s",
		 txn->chunks[chunk].name, i - txn->chunks[chunk].start, rest);
	snprintf(msg, sizeof(msg), "chunk %u, %s (staged route %zu): %s", chunk + 1,
		 res->error_field, i, err);
	snprintf(err, errlen, "%s", msg);
}

int txn_commit(struct routed *d, struct txn *txn, bool dry_run, size_t diff_limit,
	       struct load_result *res, char *err, size_t errlen)
{
	struct load_request req = {
		.routes = txn->routes,
		.n_routes = txn->n,
		.dry_run = dry_run,
		.diff_limit = diff_limit,
	};
	uint32_t *replace = NULL;
	int rc;

	if (txn->replace) {
		replace = load_replace_tables(txn->routes, txn->n,
					      txn->has_table ? &txn->table : NULL,
					      &req.n_replace_tables);
		if (!replace) {
			memset(res, 0, sizeof(*res));
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		req.replace_tables = replace;
	}
	rc = load_apply(d, &req, res, err, errlen);
	if (rc)
		name_chunk(txn, res, err, errlen);
	else if (!dry_run && d->persist)
		persist_load(d->persist, replace, req.n_replace_tables, NULL, 0, txn->routes, txn->n);
	free(replace);
	if (!dry_run) {
		control_conn_cancel_close(txn->conn, txn_conn_closed, txn);
		txn_free(txn);
	}
	return rc;
}

void txn_abort(struct txn *txn)
{
	control_conn_cancel_close(txn->conn, txn_conn_closed, txn);
	txn_free(txn);
}

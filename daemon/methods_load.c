/* SPDX-License-Identifier: GPL-2.0-or-later */
/* route.load and the load transactions (see methods_load.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "daemon.h"
#include "load.h"
#include "methods_load.h"
#include "params.h"
#include "persist.h"
#include "txn.h"

static int load_error(struct rpc_call *call, int rc, const struct load_result *res,
		      const char *err)
{
	int code = rc == -EINVAL ? RPC_INVALID_PARAMS :
		   rc == -ENOENT ? RPC_NOT_FOUND : RPC_INTERNAL_ERROR;

	return rpc_error(call, code, res->error_field[0] ? res->error_field : NULL, "%s", err);
}

static int load_result_json(struct rpc_call *call, struct load_result *res, bool dry_run,
			    json_t **result)
{
	json_t *out = json_pack("{s:I, s:I, s:I, s:I, s:b}", "added", (json_int_t)res->added,
				"replaced", (json_int_t)res->replaced, "deleted",
				(json_int_t)res->deleted, "unchanged", (json_int_t)res->unchanged,
				"dry_run", dry_run);

	if (out && dry_run) {
		/* diff_limit 0: an empty diff, truncated if anything would change. */
		bool truncated = res->diff ? res->diff_truncated :
				 res->added + res->replaced + res->deleted > 0;
		json_t *diff = res->diff ? json_incref(res->diff) : json_array();

		if (json_object_set_new(out, "diff", diff) ||
		    json_object_set_new(out, "diff_truncated", json_boolean(truncated))) {
			json_decref(out);
			out = NULL;
		}
	}
	load_result_release(res);
	return rpc_result(call, out, result);
}

static int get_load_options(struct rpc_call *call, json_t *params, bool *dry_run,
			    size_t *diff_limit)
{
	uint64_t limit = METHODS_LOAD_DIFF_DEFAULT;

	*dry_run = false;
	if (params_bool(call, params, "dry_run", dry_run) ||
	    params_uint(call, params, "diff_limit", 0, METHODS_LOAD_DIFF_MAX, &limit, NULL))
		return -1;
	*diff_limit = *dry_run ? (size_t)limit : 0;
	return 0;
}

int methods_load_routes(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "routes", "lines", "replace", "table", "dry_run",
					    "diff_limit", NULL };
	struct routed *d = rpc_call_daemon(call);
	struct load_request req = { 0 };
	struct load_result res;
	struct rt_route *routes = NULL;
	uint32_t table, *replace = NULL;
	bool has_table, do_replace = false;
	char err[512];
	int rc;

	if (params_keys(call, params, keys) || params_bool(call, params, "replace", &do_replace) ||
	    params_table(call, params, "table", &table, &has_table) ||
	    get_load_options(call, params, &req.dry_run, &req.diff_limit) ||
	    params_routes(call, params, has_table ? &table : NULL, 0, &routes, &req.n_routes,
			  &req.routes_name))
		return -1;
	/*
	 * The request's routes as JSON (a string or an object per route,
	 * over 100 MB for a full table) are parsed: they go now, before the
	 * tables are built beside the parsed routes. Nothing reads params
	 * after this.
	 */
	json_object_del(params, req.routes_name);
	req.routes = routes;
	if (do_replace) {
		replace = load_replace_tables(routes, req.n_routes, has_table ? &table : NULL,
					      &req.n_replace_tables);
		if (!replace) {
			free(routes);
			return rpc_nomem(call);
		}
		req.replace_tables = replace;
	}
	rc = load_apply(d, &req, &res, err, sizeof(err));
	if (!rc && !req.dry_run && d->persist)
		persist_load(d->persist, replace, req.n_replace_tables, NULL, 0, routes, req.n_routes);
	free(routes);
	free(replace);
	if (rc) {
		load_result_release(&res);
		return load_error(call, rc, &res, err);
	}
	return load_result_json(call, &res, req.dry_run, result);
}

int methods_load_begin(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "replace", "table", NULL };
	struct txn *txn;
	uint32_t table;
	bool has_table, replace = false;
	char err[256];
	int rc;

	if (params_keys(call, params, keys) || params_bool(call, params, "replace", &replace) ||
	    params_table(call, params, "table", &table, &has_table))
		return -1;
	rc = txn_begin(rpc_call_daemon(call), rpc_call_conn(call), replace,
		       has_table ? &table : NULL, &txn, err, sizeof(err));
	if (rc)
		return rpc_error(call, rc == -EBUSY ? RPC_BUSY : RPC_INTERNAL_ERROR, NULL, "%s",
				 err);
	return rpc_result(call, json_pack("{s:I}", "txn", (json_int_t)txn_id(txn)),
			  result);
}

static int get_txn(struct rpc_call *call, json_t *params, struct txn **txn)
{
	uint64_t id = 0;

	if (params_require(call, params, "txn") ||
	    params_uint(call, params, "txn", 1, UINT64_MAX >> 1, &id, NULL))
		return -1;
	*txn = txn_get(rpc_call_daemon(call), rpc_call_conn(call), id);
	if (!*txn)
		return rpc_error(call, RPC_NOT_FOUND, "txn",
				 "no load transaction %llu on this connection",
				 (unsigned long long)id);
	return 0;
}

int methods_load_add(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "txn", "routes", "lines", NULL };
	struct rt_route *routes;
	struct txn *txn;
	const char *name;
	uint32_t table;
	bool has_table;
	size_t n;
	int rc;

	if (params_keys(call, params, keys) || get_txn(call, params, &txn))
		return -1;
	has_table = txn_table(txn, &table);
	if (params_routes(call, params, has_table ? &table : NULL, txn_chunks(txn) + 1,
			  &routes, &n, &name))
		return -1;
	rc = txn_stage(txn, routes, n, name);
	free(routes);
	if (rc == -E2BIG)
		return rpc_error(call, RPC_TOO_LARGE, name,
				 "chunk %u: staging %zu more routes would pass the limit of %u "
				 "per transaction (%zu staged)",
				 txn_chunks(txn) + 1, n, TXN_MAX_ROUTES,
				 txn_staged(txn));
	if (rc)
		return rpc_nomem(call);
	return rpc_result(call, json_pack("{s:I}", "staged", (json_int_t)txn_staged(txn)),
			  result);
}

int methods_load_commit(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "txn", "dry_run", "diff_limit", NULL };
	struct load_result res;
	struct txn *txn;
	size_t diff_limit;
	bool dry_run;
	char err[768];
	int rc;

	if (params_keys(call, params, keys) || get_txn(call, params, &txn) ||
	    get_load_options(call, params, &dry_run, &diff_limit))
		return -1;
	rc = txn_commit(rpc_call_daemon(call), txn, dry_run, diff_limit, &res, err,
			     sizeof(err));
	if (rc) {
		load_result_release(&res);
		return load_error(call, rc, &res, err);
	}
	return load_result_json(call, &res, dry_run, result);
}

int methods_load_abort(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "txn", NULL };
	struct txn *txn;

	if (params_keys(call, params, keys) || get_txn(call, params, &txn))
		return -1;
	txn_abort(txn);
	return rpc_result(call, json_object(), result);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table.* methods (see methods_tables.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <routed/table.h>

#include "daemon.h"
#include "load.h"
#include "methods_tables.h"
#include "params.h"
#include "persist.h"
#include "routes.h"
#include "tables.h"

int methods_tables_list(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = rpc_call_daemon(call);
	json_t *list;
	uint32_t id;
	int rc;

	if (params_none(call, params))
		return -1;
	list = json_array();
	if (!list)
		return rpc_nomem(call);
	for (rc = tables_seek(d->tables, 0, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(d->tables, id + 1, &id)) {
		struct rt_table_stats st;

		rt_table_stats(tables_get(d->tables, id), &st);
		if (json_array_append_new(list, json_pack("{s:I, s:s?, s:I, s:I}", "id",
							  (json_int_t)id, "name",
							  tables_name(d->tables, id),
							  "ipv4_routes", (json_int_t)st.v4.routes,
							  "ipv6_routes",
							  (json_int_t)st.v6.routes))) {
			json_decref(list);
			return rpc_nomem(call);
		}
	}
	return rpc_result(call, json_pack("{s:o}", "tables", list), result);
}

int methods_tables_create(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "id", "name", NULL };
	struct routed *d = rpc_call_daemon(call);
	const char *name = NULL;
	uint32_t other;
	uint64_t id = 0;
	json_t *v;
	int rc;

	if (params_keys(call, params, keys) || params_require(call, params, "id") ||
	    params_uint(call, params, "id", 1, UINT32_MAX, &id, NULL))
		return -1;
	v = params_get(params, "name");
	if (v) {
		if (!json_is_string(v) || !tables_name_valid(json_string_value(v)))
			return rpc_error(call, RPC_INVALID_PARAMS, "name",
					 "name must be 1..%d of [A-Za-z0-9_.-], not all digits",
					 TABLES_NAME_MAX);
		name = json_string_value(v);
	}
	if (tables_get(d->tables, (uint32_t)id))
		return rpc_error(call, RPC_ALREADY_EXISTS, "id", "table %llu exists",
				 (unsigned long long)id);
	if (name && !tables_resolve(name, &other, d->tables))
		return rpc_error(call, RPC_ALREADY_EXISTS, "name", "table %u is named '%s'", other,
				 name);
	rc = routes_create_table(d, (uint32_t)id, name);
	if (rc == -ENOSPC)
		return rpc_error(call, RPC_TOO_LARGE, "id", "cannot create table %llu: %d tables "
				 "exist, the most routed keeps", (unsigned long long)id, TABLES_MAX);
	if (rc)
		return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "cannot create table %llu: %s",
				 (unsigned long long)id, strerror(-rc));
	if (d->persist)
		persist_table(d->persist, true, (uint32_t)id, name);
	return rpc_result(call,
			  json_pack("{s:{s:I, s:s?}}", "table", "id", (json_int_t)id, "name",
				    name),
			  result);
}

int methods_tables_delete(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "table", NULL };
	uint32_t table;
	bool given;
	long n;

	if (params_keys(call, params, keys) || params_require(call, params, "table") ||
	    params_table(call, params, "table", &table, &given))
		return -1;
	if (table == RT_TABLE_MAIN)
		return rpc_error(call, RPC_INVALID_PARAMS, "table", "table main cannot be deleted");
	n = routes_drop_table(rpc_call_daemon(call), table);
	if (n < 0)
		return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "cannot delete table %u: %s",
				 table, strerror((int)-n));
	if (rpc_call_daemon(call)->persist)
		persist_table(rpc_call_daemon(call)->persist, false, table, NULL);
	return rpc_result(call, json_pack("{s:I}", "deleted_routes", (json_int_t)n), result);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subscribe and unsubscribe (see methods_events.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"
#include "change_stream.h"
#include "methods_events.h"
#include "params.h"

int methods_events_subscribe(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "tables", "snapshot", NULL };
	struct routed *d = rpc_call_daemon(call);
	uint32_t *ids = NULL;
	bool snapshot = false;
	uint64_t id;
	size_t n = 0;
	json_t *v;

	if (params_keys(call, params, keys) || params_bool(call, params, "snapshot", &snapshot))
		return -1;
	v = params_get(params, "tables");
	if (v) {
		if (!json_is_array(v) || !json_array_size(v))
			return rpc_error(call, RPC_INVALID_PARAMS, "tables",
					 "tables must be a non-empty array of table ids or names");
		ids = malloc(json_array_size(v) * sizeof(*ids));
		if (!ids)
			return rpc_nomem(call);
		for (n = 0; n < json_array_size(v); n++) {
			char field[32];

			snprintf(field, sizeof(field), "tables[%zu]", n);
			if (params_table_ref(call, json_array_get(v, n), field, &ids[n])) {
				free(ids);
				return -1;
			}
		}
	}
	if (change_stream_subscribe(d->changes, rpc_call_conn(call), ids, n, snapshot, d->tables,
				    d->base, &id)) {
		free(ids);
		return rpc_nomem(call);
	}
	free(ids);
	return rpc_result(call,
			  json_pack("{s:I, s:I}", "subscription", (json_int_t)id, "seq",
				    (json_int_t)change_stream_seq(d->changes)),
			  result);
}

int methods_events_unsubscribe(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "subscription", NULL };
	uint64_t id = 0;

	if (params_keys(call, params, keys) || params_require(call, params, "subscription") ||
	    params_uint(call, params, "subscription", 1, UINT64_MAX >> 1, &id, NULL))
		return -1;
	if (change_stream_unsubscribe(rpc_call_daemon(call)->changes, rpc_call_conn(call), id))
		return rpc_error(call, RPC_NOT_FOUND, "subscription",
				 "no subscription %llu on this connection",
				 (unsigned long long)id);
	return rpc_result(call, json_object(), result);
}

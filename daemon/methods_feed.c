/* SPDX-License-Identifier: GPL-2.0-or-later */
/* feed.list and feed.push (see methods_feed.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "daemon.h"
#include "feed_fpm.h"
#include "feed_kernel.h"
#include "feed_push.h"
#include "methods_feed.h"
#include "params.h"

json_t *methods_feed_json(struct routed *d)
{
	json_t *list = json_array();

	if (list && d->fpm && json_array_append_new(list, feed_fpm_json(d->fpm)))
		goto fail;
	for (unsigned i = 0; list && i < d->n_kernel; i++)
		if (json_array_append_new(list, feed_kernel_json(d->kernel[i])))
			goto fail;
	if (list && feed_push_list_json(d, list))
		goto fail;
	return list;
fail:
	json_decref(list);
	return NULL;
}

int methods_feed_list(struct rpc_call *call, json_t *params, json_t **result)
{
	json_t *feeds;

	if (params_none(call, params))
		return -1;
	feeds = methods_feed_json(rpc_call_daemon(call));
	if (!feeds)
		return rpc_nomem(call);
	return rpc_result(call, json_pack("{s:o}", "feeds", feeds), result);
}

static int get_sync(struct rpc_call *call, json_t *params, enum feed_push_sync *sync)
{
	static const char *const words[] = { [FEED_PUSH_BEGIN] = "begin", [FEED_PUSH_END] = "end",
					     [FEED_PUSH_FULL] = "full" };
	const char *word = json_string_value(params_get(params, "sync"));

	*sync = FEED_PUSH_NO_SYNC;
	if (!params_get(params, "sync"))
		return 0;
	for (unsigned i = FEED_PUSH_BEGIN; word && i <= FEED_PUSH_FULL; i++)
		if (!strcmp(word, words[i])) {
			*sync = i;
			return 0;
		}
	return rpc_error(call, RPC_INVALID_PARAMS, "sync", "sync must be begin, end or full");
}

/* params.remove: [{"table"?, "prefix", "metric"?}, ...] as keys (malloc'ed). */
static int get_removals(struct rpc_call *call, json_t *params, struct feed_route_key **out,
			size_t *n)
{
	static const char *const keys[] = { "table", "prefix", "metric", NULL };
	json_t *list = params_get(params, "remove"), *item;
	struct feed_route_key *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!list)
		return 0;
	if (!json_is_array(list))
		return rpc_error(call, RPC_INVALID_PARAMS, "remove", "remove must be an array");
	v = calloc(json_array_size(list) + 1, sizeof(*v));
	if (!v)
		return rpc_nomem(call);
	json_array_foreach(list, i, item) {
		char field[64];
		uint64_t metric = 0;
		bool given = false;

		snprintf(field, sizeof(field), "remove[%zu]", i);
		v[i].table = RT_TABLE_MAIN;
		if (!json_is_object(item) || params_keys(call, item, keys) ||
		    params_require(call, item, "prefix") ||
		    params_prefix(call, item, "prefix", &v[i].prefix, &given) ||
		    params_uint(call, item, "metric", 0, UINT32_MAX, &metric, NULL) ||
		    (params_get(item, "table") &&
		     params_table_ref(call, json_object_get(item, "table"), field, &v[i].table))) {
			free(v);
			if (!json_is_object(item))
				return rpc_error(call, RPC_INVALID_PARAMS, field, "%s must be an object",
						 field);
			return -1;
		}
		v[i].metric = (uint32_t)metric;
	}
	*out = v;
	*n = json_array_size(list);
	return 0;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= FEED_PUSH_NAME_MAX &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.:-") == n;
}

int methods_feed_push(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "feed", "sync", "routes", "lines", "remove", "status",
					    NULL };
	struct routed *d = rpc_call_daemon(call);
	struct feed_push_request req = { 0 };
	struct feed_push_result res;
	struct feed_route_key *removals = NULL;
	struct rt_route *routes = NULL;
	const char *name, *routes_name = "routes";
	struct feed_push *f;
	char err[RT_ERR_LEN] = "";
	int rc;

	if (params_keys(call, params, keys))
		return -1;
	name = json_string_value(params_get(params, "feed"));
	if (!name || !name_ok(name))
		return rpc_error(call, RPC_INVALID_PARAMS, "feed",
				 "feed must be a name of 1-%d characters [a-z0-9_.:-]", FEED_PUSH_NAME_MAX);
	if (params_get(params, "status") && !json_is_object(params_get(params, "status")))
		return rpc_error(call, RPC_INVALID_PARAMS, "status", "status must be an object");
	if (get_sync(call, params, &req.sync) || get_removals(call, params, &removals, &req.n_removals))
		return -1;
	if ((params_get(params, "routes") || params_get(params, "lines")) &&
	    params_routes(call, params, NULL, 0, &routes, &req.n_routes, &routes_name)) {
		free(removals);
		return -1;
	}
	req.routes = routes;
	req.removals = removals;
	req.status = params_get(params, "status");
	f = feed_push_get(d, name);
	if (!f) {
		rc = errno == ENOSPC ?
			     rpc_error(call, RPC_INVALID_PARAMS, "feed", "too many pushed feeds (%d)",
				       FEED_PUSH_MAX) :
			     rpc_nomem(call);
		goto out;
	}
	rc = feed_push_apply(d, f, &req, &res, err, sizeof(err));
	if (rc == -EINVAL) {
		char field[64];

		snprintf(field, sizeof(field), "%s[%zu].proto", routes_name, res.bad_route);
		rc = rpc_error(call, RPC_INVALID_PARAMS, field, "%s", err);
	} else if (rc) {
		rc = rpc_error(call, rc == -ENOENT ? RPC_NOT_FOUND : RPC_INTERNAL_ERROR, NULL, "%s", err);
	} else {
		rc = rpc_result(call, json_pack("{s:s, s:I, s:I, s:I, s:I}", "feed", name, "generation",
						 (json_int_t)res.generation, "upserts",
						 (json_int_t)res.upserts, "removals",
						 (json_int_t)res.removals, "routes", (json_int_t)res.routes),
				result);
	}
out:
	free(routes);
	free(removals);
	return rc;
}

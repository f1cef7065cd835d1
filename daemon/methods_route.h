/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The methods on single routes and prefixes: route.add, route.replace,
 * route.delete, route.get, route.lookup, route.list (by pages, with a
 * cursor), route.flush. route.load is with the loads (methods_load.h).
 * Handlers for the table in methods.c.
 */
#ifndef ROUTED_DAEMON_METHODS_ROUTE_H
#define ROUTED_DAEMON_METHODS_ROUTE_H

#include "rpc.h"

/* Limits of the params. */
#define METHODS_ROUTE_LOOKUP_MAX 65536		/* route.lookup addresses */
#define METHODS_ROUTE_LIST_DEFAULT 1000		/* route.list limit */
#define METHODS_ROUTE_LIST_MAX 10000
#define METHODS_ROUTE_LIST_SCAN 65536		/* routes examined per route.list page at most */

int methods_route_add(struct rpc_call *call, json_t *params, json_t **result);
int methods_route_replace(struct rpc_call *call, json_t *params, json_t **result);
int methods_route_delete(struct rpc_call *call, json_t *params, json_t **result);
int methods_route_get(struct rpc_call *call, json_t *params, json_t **result);
int methods_route_lookup(struct rpc_call *call, json_t *params, json_t **result);
int methods_route_list(struct rpc_call *call, json_t *params, json_t **result);
int methods_route_flush(struct rpc_call *call, json_t *params, json_t **result);

#endif

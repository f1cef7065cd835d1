/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loads: route.load (many routes in one call) and the load transactions
 * of a connection (load.begin, load.add, load.commit, load.abort), over
 * load.h. Handlers for the table in methods.c.
 */
#ifndef ROUTED_DAEMON_METHODS_LOAD_H
#define ROUTED_DAEMON_METHODS_LOAD_H

#include "rpc.h"

/* Limits of the params: dry runs' diff_limit. */
#define METHODS_LOAD_DIFF_DEFAULT 1000
#define METHODS_LOAD_DIFF_MAX 100000

int methods_load_routes(struct rpc_call *call, json_t *params, json_t **result);
int methods_load_begin(struct rpc_call *call, json_t *params, json_t **result);
int methods_load_add(struct rpc_call *call, json_t *params, json_t **result);
int methods_load_commit(struct rpc_call *call, json_t *params, json_t **result);
int methods_load_abort(struct rpc_call *call, json_t *params, json_t **result);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The methods about routed itself rather than its routes: info and stats
 * (read-only introspection: versions, paths, counters, memory, the cost of
 * RCU) and config.get, config.reload. Handlers for the table in methods.c.
 */
#ifndef ROUTED_DAEMON_METHODS_DAEMON_H
#define ROUTED_DAEMON_METHODS_DAEMON_H

#include "rpc.h"

int methods_daemon_info(struct rpc_call *call, json_t *params, json_t **result);
int methods_daemon_stats(struct rpc_call *call, json_t *params, json_t **result);
int methods_daemon_config_get(struct rpc_call *call, json_t *params, json_t **result);
int methods_daemon_config_reload(struct rpc_call *call, json_t *params, json_t **result);

#endif

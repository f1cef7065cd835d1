/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The methods on tables: table.list, table.create, table.delete. Handlers
 * for the table in methods.c.
 */
#ifndef ROUTED_DAEMON_METHODS_TABLES_H
#define ROUTED_DAEMON_METHODS_TABLES_H

#include "rpc.h"

int methods_tables_list(struct rpc_call *call, json_t *params, json_t **result);
int methods_tables_create(struct rpc_call *call, json_t *params, json_t **result);
int methods_tables_delete(struct rpc_call *call, json_t *params, json_t **result);

#endif

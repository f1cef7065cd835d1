/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The change stream's methods: subscribe, unsubscribe (change_stream.h
 * sends the route.event notifications). Handlers for the table in
 * methods.c.
 */
#ifndef ROUTED_DAEMON_METHODS_EVENTS_H
#define ROUTED_DAEMON_METHODS_EVENTS_H

#include "rpc.h"

int methods_events_subscribe(struct rpc_call *call, json_t *params, json_t **result);
int methods_events_unsubscribe(struct rpc_call *call, json_t *params, json_t **result);

#endif

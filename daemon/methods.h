/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol's methods (docs/control-protocol.md): the table
 * rpc_methods[] declared in rpc.h, with each method's params schema, and
 * their handlers. Handlers run on the control thread, which must be a
 * registered RCU reader (route.lookup reads the FIB).
 */
#ifndef ROUTED_DAEMON_METHODS_H
#define ROUTED_DAEMON_METHODS_H

#include "rpc.h"

/* Limits of the methods' params. */
#define METHODS_LOOKUP_MAX 65536	/* route.lookup addresses */
#define METHODS_LIST_DEFAULT 1000	/* route.list limit */
#define METHODS_LIST_MAX 10000
#define METHODS_LIST_SCAN 65536		/* routes examined per route.list page at most */
#define METHODS_DIFF_DEFAULT 1000	/* diff_limit */
#define METHODS_DIFF_MAX 100000

/* The control socket speaks JSON-RPC (rpc.c) to these methods: for control_create(). */
extern const struct control_ops methods_control_ops;

/* The method named name, or NULL. */
const struct rpc_method *methods_find(const char *name);

#endif

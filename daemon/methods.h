/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol's methods (docs/control-protocol.md): the method
 * table, each method with its params schema, and its one lookup; and the
 * wiring of the control socket (control.c) to JSON-RPC (rpc.c) and this
 * table. Handlers run on the control thread, which must be a registered
 * RCU reader (route.lookup reads the FIB).
 */
#ifndef ROUTED_DAEMON_METHODS_H
#define ROUTED_DAEMON_METHODS_H

#include "rpc.h"

/* The control socket speaks JSON-RPC (rpc.c) to these methods: for control_create(). */
extern const struct control_ops methods_control_ops;

/* The method named name, or NULL. */
const struct rpc_method *methods_find(const char *name);
/* The i-th method in the table's order (the method list's), NULL past the end. */
const struct rpc_method *methods_at(size_t i);

#endif

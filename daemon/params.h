/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a method's params (docs/control-protocol.md, "Methods"): typed
 * getters that check what they read and, on a bad value, record the call's
 * error (-32602, or -32001 for a table that does not exist) naming the
 * field, and return -1. Absent and null are the same: not given. For
 * handlers, on the control thread.
 */
#ifndef ROUTED_DAEMON_PARAMS_H
#define ROUTED_DAEMON_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <routed/prefix.h>
#include <routed/route.h>

#include "rpc.h"

/* Refuse any key not in allowed (NULL-terminated): "unknown parameter". */
int params_keys(struct rpc_call *call, json_t *params, const char *const *allowed);
/* Refuse every key: for methods without params. */
int params_none(struct rpc_call *call, json_t *params);
/* params[key], or NULL when absent or null. */
json_t *params_get(json_t *params, const char *key);
/* Refuse the call unless key is given. */
int params_require(struct rpc_call *call, json_t *params, const char *key);

/* The getters leave *out alone when key is not given. */
int params_bool(struct rpc_call *call, json_t *params, const char *key, bool *out);
/* An integer in [min, max]; *given (unless NULL) tells whether it was there. */
int params_uint(struct rpc_call *call, json_t *params, const char *key, uint64_t min,
		uint64_t max, uint64_t *out, bool *given);
int params_prefix(struct rpc_call *call, json_t *params, const char *key, struct rt_prefix *p,
		  bool *given);
/* A protocol name, borrowed from params; NULL when not given. */
int params_proto(struct rpc_call *call, json_t *params, const char *key, const char **out);
/* A route type word (a filter): *out is the type, or -1 when absent or null. */
int params_type(struct rpc_call *call, json_t *params, const char *key, int *out);
/* "inet" or "inet6" as AF_INET or AF_INET6; 0 when not given. */
int params_family(struct rpc_call *call, json_t *params, int *family);

/* v, a table id or name, as a table that exists; field names it in errors. */
int params_table_ref(struct rpc_call *call, json_t *v, const char *field, uint32_t *id);
/* params[key] as a table; absent: *given false (and *id untouched). */
int params_table(struct rpc_call *call, json_t *params, const char *key, uint32_t *id,
		 bool *given);

/* No index: the route is the params object itself (route.add). */
#define PARAMS_NO_INDEX SIZE_MAX

/*
 * Decode route object obj: key[index] in a list ("routes[3]"), or the
 * params themselves (key "", index PARAMS_NO_INDEX). table: NULL, or the
 * table of the whole load: a route naming another one is refused, one
 * naming none goes there; the table must exist. chunk: 0, or the load.add
 * chunk the route is in, for the message. Errors name the route's field
 * ("routes[3].via").
 */
int params_route(struct rpc_call *call, json_t *obj, const char *key, size_t index,
		 const uint32_t *table, unsigned chunk, struct rt_route *r);
/*
 * A route list: params["routes"], an array of route objects, or
 * params["lines"], an array of route-file lines (routefile.h; the compact
 * form routectl load sends, where lines[i] is named like routes[i]).
 * Exactly one of them; *name says which. *out is malloc'ed (free it),
 * table and chunk as for params_route().
 */
int params_routes(struct rpc_call *call, json_t *params, const uint32_t *table, unsigned chunk,
		  struct rt_route **out, size_t *n, const char **name);

#endif

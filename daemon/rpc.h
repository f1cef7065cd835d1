/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON-RPC 2.0 over the control socket: what method handlers see.
 *
 * control.c owns the socket and the connections and frames lines, and
 * calls rpc.c through struct control_ops (methods.c wires the two); rpc.c
 * checks each request's envelope and access, finds the method with the
 * table's lookup it is given, and turns the handler's outcome into a
 * response, sent with control_conn_*().
 * Everything here runs on the control thread. See
 * docs/control-protocol.md.
 */
#ifndef ROUTED_DAEMON_RPC_H
#define ROUTED_DAEMON_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "control.h"

struct routed;

/* Stable error codes: part of the protocol. */
enum rpc_error_code {
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_METHOD_NOT_FOUND = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_INTERNAL_ERROR = -32603,
	RPC_NOT_FOUND = -32001,
	RPC_ALREADY_EXISTS = -32002,
	RPC_PERMISSION_DENIED = -32003,
	RPC_BUSY = -32004,
	RPC_TOO_LARGE = -32005,
	RPC_NOT_DURABLE = -32006,	/* the journal failed: changes are refused */
};

struct rpc_call;		/* one request being answered */

/*
 * A method handler. On success it stores its result (a new reference) in
 * *result and returns 0; on failure it returns rpc_error(call, ...).
 * params is the request's "params" (an object; an empty one when the
 * request had none), borrowed.
 */
typedef int (*rpc_handler_fn)(struct rpc_call *call, json_t *params, json_t **result);

/* One entry of a method table (methods.c has routed's). */
struct rpc_method {
	const char *name;
	const char *summary;		/* one line, for the method list */
	const char *params_schema;	/* JSON Schema of params, as JSON text */
	rpc_handler_fn handler;
	bool admin;			/* changes state: admin peers only */
	bool journaled;			/* its changes are durable: answered once they are */
};

/* How rpc_handle_line() finds a method by name: the table's lookup, or NULL. */
typedef const struct rpc_method *(*rpc_find_fn)(const char *name);

/* For handlers. */
struct routed *rpc_call_daemon(const struct rpc_call *call);
const struct control_peer *rpc_call_peer(const struct rpc_call *call);
struct control_conn *rpc_call_conn(const struct rpc_call *call);

/*
 * Record the call's error and return -1. field names the offending
 * parameter ("routes[12].prefix") or is NULL; it goes to error.data.field.
 */
int rpc_error(struct rpc_call *call, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* rpc_error() for out of memory (-32603). */
static inline int rpc_nomem(struct rpc_call *call)
{
	return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "out of memory");
}

/*
 * Store res, a result built with json_pack() and friends, in *result and
 * return 0; res NULL means out of memory: rpc_nomem().
 */
static inline int rpc_result(struct rpc_call *call, json_t *res, json_t **result)
{
	if (!res)
		return rpc_nomem(call);
	*result = res;
	return 0;
}

/*
 * Queue a notification (a request without id) on conn. Steals params.
 * Returns -1 when the connection is closing or over its output cap: the
 * connection is then closed, and its close hooks run, once control returns
 * to the loop.
 */
int rpc_notify(struct control_conn *conn, const char *method, json_t *params);

/*
 * Control requests and errors by method (stats' control.methods, the
 * metrics' method label): requests that name a method of the table count
 * under its name; those that name no such method under "unknown" (never
 * the client's string: the labels stay a fixed set); those that name none
 * at all (parse errors, a broken envelope, an over-long line) under
 * "invalid". So they add up to control.requests and control.errors.
 * Counted on the control thread, like every request.
 */
#define RPC_METHOD_UNKNOWN "unknown"
#define RPC_METHOD_INVALID "invalid"

/*
 * Start the counts at 0 for every method at(0), at(1), ... (until NULL),
 * then "unknown" and "invalid", so all are listed before their first
 * request. Names are kept, not copied: a static table's. -ENOSPC when
 * they do not fit in ROUTED_METHOD_SLOTS. Without it, names are added as
 * requests first name them.
 */
int rpc_count_methods(struct routed *d, const struct rpc_method *(*at)(size_t i));

/* For the connection layer (struct control_ops). */

/*
 * Answer one request line (terminator removed, not NUL-terminated), with
 * the method find() returns (from a static table: its name is kept for
 * the counts by method).
 */
void rpc_handle_line(struct control_conn *conn, const char *line, size_t len, rpc_find_fn find);
/* Answer a line over the limit (-32005, id null). */
void rpc_reject_long_line(struct control_conn *conn, size_t limit);
/*
 * What to send instead of answer, a success whose change did not become
 * durable (reason: why): an error with its id (new reference).
 */
json_t *rpc_not_durable(json_t *answer, const char *reason);

#endif

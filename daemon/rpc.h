/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON-RPC 2.0 over the control socket: what method handlers see.
 *
 * control.c owns the socket and the connections and frames lines; rpc.c
 * checks each request's envelope and access, finds the method in the table
 * (methods.c) and turns the handler's outcome into a response. Everything
 * here runs on the control thread. See docs/control-protocol.md.
 */
#ifndef ROUTED_DAEMON_RPC_H
#define ROUTED_DAEMON_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

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

/* Who is on the other end, from SO_PEERCRED at accept time. */
struct rpc_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool admin;		/* may call mutating methods */
};

struct rpc_conn;		/* one client connection */
struct rpc_call;		/* one request being answered */

/*
 * A method handler. On success it stores its result (a new reference) in
 * *result and returns 0; on failure it returns rpc_error(call, ...).
 * params is the request's "params" (an object; an empty one when the
 * request had none), borrowed.
 */
typedef int (*rpc_handler_fn)(struct rpc_call *call, json_t *params, json_t **result);

struct rpc_method {
	const char *name;
	const char *summary;		/* one line, for the method list */
	const char *params_schema;	/* JSON Schema of params, as JSON text */
	bool mutating;			/* admin peers only */
	rpc_handler_fn handler;
	bool journaled;			/* its changes are durable: answered once they are */
};

/* The method table (methods.c). */
extern const struct rpc_method rpc_methods[];
extern const size_t rpc_methods_count;

/* For handlers. */
void *rpc_call_context(const struct rpc_call *call);	/* the struct routed */
const struct rpc_peer *rpc_call_peer(const struct rpc_call *call);
struct rpc_conn *rpc_call_conn(const struct rpc_call *call);

/*
 * Record the call's error and return -1. field names the offending
 * parameter ("routes[12].prefix") or is NULL; it goes to error.data.field.
 */
int rpc_error(struct rpc_call *call, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Per-connection state for methods that outlive one call (subscriptions,
 * load transactions).
 */
uint64_t rpc_conn_id(const struct rpc_conn *conn);
const struct rpc_peer *rpc_conn_peer(const struct rpc_conn *conn);

/*
 * Queue a notification (a request without id). Steals params. Returns -1
 * when the connection is closing or over its output cap: the connection is
 * then closed, and its close hooks run, once control returns to the loop.
 */
int rpc_conn_notify(struct rpc_conn *conn, const char *method, json_t *params);

/* Bytes queued for the peer and not yet written; and the per-connection cap. */
size_t rpc_conn_pending_output(const struct rpc_conn *conn);
size_t rpc_conn_output_cap(const struct rpc_conn *conn);

typedef void (*rpc_conn_hook_fn)(struct rpc_conn *conn, void *arg);
/* Run fn(conn, arg) once when the connection goes away, for any reason. */
int rpc_conn_on_close(struct rpc_conn *conn, rpc_conn_hook_fn fn, void *arg);
void rpc_conn_cancel_close(struct rpc_conn *conn, rpc_conn_hook_fn fn, void *arg);
/*
 * Run fn(conn, arg) each time queued output falls to a quarter of the cap
 * (to pace long streams); NULL stops it. One drain hook per connection.
 */
void rpc_conn_on_drain(struct rpc_conn *conn, rpc_conn_hook_fn fn, void *arg);

#endif

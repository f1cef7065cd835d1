/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: a Unix stream listener on the control thread's
 * event_base, one connection object per client, line framing, limits
 * (connections, line length, queued output), fairness between clients,
 * answers that wait for durability, and graceful shutdown. See
 * docs/control-protocol.md, "Framing and limits".
 *
 * control.c only moves bytes and knows nothing of JSON-RPC: the layer
 * above (rpc.c, wired to the method table in methods.c) hands it a
 * struct control_ops and uses the control_conn_* functions below. Who a
 * peer is: control_peer.h; the socket file: control_socket.h.
 */
#ifndef ROUTED_DAEMON_CONTROL_H
#define ROUTED_DAEMON_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "control_peer.h"

struct routed;
struct routed_config;
struct control;
struct control_conn;		/* one client connection */

/*
 * What the connection layer calls in the layer above it. All run on the
 * control thread and may act on any connection, their own included: a
 * connection is never freed while one of them runs.
 */
struct control_ops {
	/* Answer one request line (terminator removed, not NUL-terminated). */
	void (*line)(struct control_conn *conn, const char *line, size_t len);
	/* Answer a line longer than limit bytes; the connection closes after. */
	void (*line_too_long)(struct control_conn *conn, size_t limit);
	/*
	 * An answer held for durability whose journal record did not become
	 * durable (reason: why): what to send instead, a new reference.
	 */
	json_t *(*not_durable)(json_t *answer, const char *reason);
};

/*
 * Listen on d->config->control_socket (or on the socket systemd passed in
 * fd 3), handing what clients send to ops (which must outlive the
 * control). Refuses to start when another process answers on the path; a
 * stale socket file is replaced. Returns NULL with the reason in err.
 */
struct control *control_create(struct routed *d, const struct control_ops *ops, char *err,
			       size_t errlen);

/*
 * Apply a reloaded configuration: connection limit, line and output limits
 * (existing connections too), admin group (for new connections; existing
 * ones keep the decision taken at accept), socket mode and group. A new
 * socket path takes effect at restart only.
 */
void control_reconfigure(struct control *c, const struct routed_config *cfg);

/*
 * Graceful stop: accept nothing more, answer the complete request lines
 * already received, flush, close every connection (close hooks run), then
 * call done(arg) from the event loop. Connections still open after 2 s are
 * closed anyway.
 */
void control_shutdown(struct control *c, void (*done)(void *arg), void *arg);

/* Close every connection (close hooks run), remove the socket file we made, free. */
void control_destroy(struct control *c);

/* A connection, for the layer above and for state that outlives one request. */

uint64_t control_conn_id(const struct control_conn *conn);
const struct control_peer *control_conn_peer(const struct control_conn *conn);
struct routed *control_conn_daemon(const struct control_conn *conn);
/* For messages: "uid 0, routed's uid (N) or group G". */
const char *control_admin_description(const struct control_conn *conn);

/* False once the connection is closing (output refused). */
bool control_conn_writable(const struct control_conn *conn);
/*
 * Queue msg and a newline for the peer. Returns -1, sending nothing, when
 * the connection no longer takes output; returns -1 after queueing when
 * the message pushed it over its cap (the connection then closes, and its
 * close hooks run, once control returns to the loop).
 */
int control_conn_send(struct control_conn *conn, const json_t *msg);
/*
 * Queue answer msg (a reference is taken when it waits) once journal
 * record seq is durable (persist.h; 0: at once), behind every answer still
 * waiting on the connection, so answers keep their order. If the journal
 * fails first, what ops->not_durable() makes of it goes instead.
 */
void control_conn_answer(struct control_conn *conn, json_t *msg, uint64_t seq);

/* Bytes queued for the peer and not yet written; and the per-connection cap. */
size_t control_conn_pending_output(const struct control_conn *conn);
size_t control_conn_output_cap(const struct control_conn *conn);

typedef void (*control_conn_hook_fn)(struct control_conn *conn, void *arg);
/* Run fn(conn, arg) once when the connection goes away, for any reason. */
int control_conn_on_close(struct control_conn *conn, control_conn_hook_fn fn, void *arg);
void control_conn_cancel_close(struct control_conn *conn, control_conn_hook_fn fn, void *arg);
/*
 * Run fn(conn, arg) each time queued output falls to a quarter of the cap
 * (to pace long streams); NULL stops it. One drain hook per connection.
 */
void control_conn_on_drain(struct control_conn *conn, control_conn_hook_fn fn, void *arg);

#endif

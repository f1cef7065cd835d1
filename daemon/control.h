/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: a Unix stream listener on the control thread's
 * event_base, one connection object per client, line framing, limits
 * (connections, line length, queued output), fairness between clients and
 * graceful shutdown. rpc.c turns each line into a response; control.c only
 * moves bytes. See docs/control-protocol.md, "Framing and limits".
 */
#ifndef ROUTED_DAEMON_CONTROL_H
#define ROUTED_DAEMON_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

struct routed;
struct routed_config;
struct rpc_conn;
struct control;

/*
 * Listen on d->config->control_socket (or on the socket systemd passed in
 * fd 3). Refuses to start when another process answers on the path; a stale
 * socket file is replaced. Returns NULL with the reason in err.
 */
struct control *control_create(struct routed *d, char *err, size_t errlen);

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

/*
 * The access rule: may a peer with this uid, primary gid and supplementary
 * groups call mutating methods? Yes for uid 0, for routed's own uid, and
 * for members of admin_gid ((gid_t)-1: no admin group).
 */
bool control_peer_is_admin(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups,
			   uid_t self_uid, gid_t admin_gid);

/* Between control.c and rpc.c (nothing else calls these). */

/* rpc.c: answer one request line (terminator removed, not NUL-terminated). */
void rpc_handle_line(struct rpc_conn *conn, const char *line, size_t len);
/* rpc.c: answer a line over the limit (-32005, id null). */
void rpc_reject_long_line(struct rpc_conn *conn, size_t limit);
/*
 * rpc.c: what to send instead of answer, a success whose change did not
 * become durable (reason: why): an error with its id (new reference).
 */
json_t *rpc_not_durable(json_t *answer, const char *reason);

/*
 * control.c: queue msg and a newline for the peer. Returns -1, sending
 * nothing, when the connection no longer takes output; returns -1 after
 * queueing when the message pushed it over its cap (the connection then
 * closes once control returns to the loop).
 */
int control_conn_send(struct rpc_conn *conn, const json_t *msg);
/*
 * control.c: queue msg (a response; a reference is taken when it waits)
 * for the peer once journal record seq is durable (persist.h; 0: at once),
 * and behind every answer still waiting on the connection, so answers keep
 * their order. If the journal fails first, a waiting success goes out as
 * rpc_not_durable() makes it.
 */
void control_conn_answer(struct rpc_conn *conn, json_t *msg, uint64_t seq);
/* control.c: false once the connection is closing (output refused). */
bool control_conn_writable(const struct rpc_conn *conn);
struct routed *control_conn_daemon(const struct rpc_conn *conn);
/* control.c: for messages: "uid 0, routed's uid (N) or group G". */
const char *control_admin_description(const struct rpc_conn *conn);

#endif

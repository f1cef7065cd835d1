/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The change stream: a global sequence number bumped by every applied route
 * change, and subscriptions that receive each change as a "route.event"
 * notification (docs/control-protocol.md, Subscriptions). Control thread
 * only.
 *
 * A subscription may start with a snapshot of the current routes, streamed
 * in prefix order from a cursor, a bounded number per step, paced by the
 * connection's drain hook; changes keep flowing while it streams. Each
 * snapshot entry is read when it is sent, after every earlier change was
 * sent, so applying the notifications in arrival order (snapshot and add as
 * upsert, delete as remove) yields the tables as of the latest seq.
 */
#ifndef ROUTED_DAEMON_EVENTS_H
#define ROUTED_DAEMON_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct rpc_conn;
struct rt_route;
struct tables;
struct events;

/* Routes sent per snapshot step at most. */
#define EVENTS_SNAPSHOT_STEP 256

struct events *events_create(void);
/* Frees every subscription (and cancels their close hooks). Accepts NULL. */
void events_destroy(struct events *ev);

/* The sequence number of the last change applied (0 before any). */
uint64_t events_seq(const struct events *ev);
/* Subscriptions open now. */
size_t events_subscribers(const struct events *ev);

/*
 * One applied change: present = true for add/replace (r is the route now),
 * false for delete (r is the route removed). Bumps seq by one and notifies
 * every subscription whose tables include r->table. O(1) without
 * subscribers.
 */
void events_route(struct events *ev, bool present, const struct rt_route *r);
/*
 * Whether a change to table would reach any subscriber. When it would not,
 * a caller applying many changes at once may skip building them and call
 * events_skip() with their count instead.
 */
bool events_wanted(const struct events *ev, uint32_t table);
void events_skip(struct events *ev, uint64_t n);

/*
 * Subscribe conn to changes of tables[0..n_tables) (n_tables 0: every
 * table). With snapshot, first stream the current routes of those tables
 * (read through ts, stepped from base's loop) then a "snapshot_end". 0 and
 * *id set, or -ENOMEM.
 */
int events_subscribe(struct events *ev, struct rpc_conn *conn, const uint32_t *tables,
		     size_t n_tables, bool snapshot, struct tables *ts, struct event_base *base,
		     uint64_t *id);
/* Drop subscription id of conn: 0, or -ENOENT (none such on this connection). */
int events_unsubscribe(struct events *ev, struct rpc_conn *conn, uint64_t id);

#endif

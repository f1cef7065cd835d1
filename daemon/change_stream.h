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
#ifndef ROUTED_DAEMON_CHANGE_STREAM_H
#define ROUTED_DAEMON_CHANGE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct control_conn;
struct rt_route;
struct tables;
struct change_stream;

/* Routes sent per snapshot step at most. */
#define CHANGE_STREAM_SNAPSHOT_STEP 256

struct change_stream *change_stream_create(void);
/* Frees every subscription (and cancels their close hooks). Accepts NULL. */
void change_stream_destroy(struct change_stream *cs);

/* The sequence number of the last change applied (0 before any). */
uint64_t change_stream_seq(const struct change_stream *cs);
/* Subscriptions open now. */
size_t change_stream_subscribers(const struct change_stream *cs);

/*
 * One applied change: present = true for add/replace (r is the route now),
 * false for delete (r is the route removed). Bumps seq by one and notifies
 * every subscription whose tables include r->table. O(1) without
 * subscribers.
 */
void change_stream_route(struct change_stream *cs, bool present, const struct rt_route *r);
/*
 * Whether a change to table would reach any subscriber. When it would not,
 * a caller applying many changes at once may skip building them and call
 * change_stream_skip() with their count instead.
 */
bool change_stream_wanted(const struct change_stream *cs, uint32_t table);
void change_stream_skip(struct change_stream *cs, uint64_t n);

/*
 * Subscribe conn to changes of tables[0..n_tables) (n_tables 0: every
 * table). With snapshot, first stream the current routes of those tables
 * (read through ts, stepped from base's loop) then a "snapshot_end". 0 and
 * *id set, or -ENOMEM.
 */
int change_stream_subscribe(struct change_stream *cs, struct control_conn *conn,
			    const uint32_t *tables, size_t n_tables, bool snapshot, struct tables *ts,
			    struct event_base *base, uint64_t *id);
/* Drop subscription id of conn: 0, or -ENOENT (none such on this connection). */
int change_stream_unsubscribe(struct change_stream *cs, struct control_conn *conn, uint64_t id);

#endif

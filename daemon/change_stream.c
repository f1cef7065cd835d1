/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include <routed/route.h>
#include <routed/route_json.h>
#include <routed/table.h>

#include "change_stream.h"
#include "log.h"
#include "rpc.h"
#include "tables.h"

/* Where a snapshot resumes: after this route, in walk order. */
struct snapshot_pos {
	uint32_t table;			/* next table to walk (id >= this) */
	bool have_route;		/* false: from the start of table */
	struct rt_prefix prefix;
	uint32_t metric;
	char proto[RT_PROTO_LEN];
};

struct subscription {
	uint64_t id;
	struct subscription *next;
	uint32_t *tables;		/* sorted; NULL: every table */
	size_t n_tables;
	bool snapshot;			/* still streaming its snapshot */
	/*
	 * Its events overflowed the connection's queue: they are dropped until
	 * the next step sends "resync" and restarts the snapshot.
	 */
	bool resync;
	bool snapshot_done;		/* every table walked: send snapshot_end */
	struct snapshot_pos pos;
	struct tables *ts;
};

/* The subscriptions of one connection. */
struct cs_client {
	struct change_stream *cs;
	struct control_conn *conn;
	struct cs_client *next, **pprev;
	struct subscription *subs;
	struct event *kick;		/* steps snapshots from the event loop */
	bool dead;			/* over its output cap: closing */
	bool resynced;			/* sent a "resync" ... */
	bool read_since;		/* ... and the peer read a good part of its queue since */
};

struct change_stream {
	uint64_t seq;
	uint64_t next_id;
	size_t n_subs;
	struct cs_client *clients;
};

struct change_stream *change_stream_create(void)
{
	struct change_stream *cs = calloc(1, sizeof(*cs));

	if (cs)
		cs->next_id = 1;
	return cs;
}

uint64_t change_stream_seq(const struct change_stream *cs)
{
	return cs->seq;
}

size_t change_stream_subscribers(const struct change_stream *cs)
{
	return cs->n_subs;
}

static bool sub_wants(const struct subscription *s, uint32_t table)
{
	size_t lo = 0, hi = s->n_tables;

	if (!s->tables)
		return true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->tables[mid] == table)
			return true;
		if (s->tables[mid] < table)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void sub_free(struct subscription *s)
{
	free(s->tables);
	free(s);
}

static void client_free(struct cs_client *c)
{
	struct subscription *s, *next;

	for (s = c->subs; s; s = next) {
		next = s->next;
		c->cs->n_subs--;
		sub_free(s);
	}
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	if (c->kick)
		event_free(c->kick);
	free(c);
}

/* The connection went away: its subscriptions go with it. */
static void client_closed(struct control_conn *conn, void *arg)
{
	struct cs_client *c = arg;

	(void)conn;
	client_free(c);
}

/* Stop talking to a client the transport is about to close. */
static int client_notify(struct cs_client *c, json_t *params)
{
	if (c->dead) {
		json_decref(params);
		return -1;
	}
	if (rpc_notify(c->conn, "route.event", params) < 0) {
		c->dead = true;
		control_conn_on_drain(c->conn, NULL, NULL);
		return -1;
	}
	return 0;
}

bool change_stream_wanted(const struct change_stream *cs, uint32_t table)
{
	if (!cs->n_subs)
		return false;
	for (const struct cs_client *c = cs->clients; c; c = c->next) {
		if (c->dead)
			continue;
		for (const struct subscription *s = c->subs; s; s = s->next)
			if (!s->resync && sub_wants(s, table))
				return true;
	}
	return false;
}

void change_stream_skip(struct change_stream *cs, uint64_t n)
{
	cs->seq += n;
}

/*
 * Whether queuing more events for s would overflow c's queue: then s is
 * switched to a resync instead (dropping its events until the snapshot
 * restarts), so a subscriber that keeps reading is never disconnected by one
 * big commit. The snapshot fills the queue to half the cap, events to three
 * quarters: a small change during a snapshot does not restart it. A peer
 * that read nothing since its last resync is not resynced again: its events
 * pile up to the cap and the transport disconnects it, as any client that
 * stops reading.
 */
static bool sub_overflows(struct cs_client *c, struct subscription *s)
{
	size_t cap = control_conn_output_cap(c->conn);

	if (control_conn_pending_output(c->conn) < cap / 4 * 3)
		return false;
	if (c->resynced && !c->read_since)
		return false;
	s->resync = true;
	s->snapshot = false;
	/*
	 * The resync starts on the loop's next turn, after this commit: its
	 * snapshot reads the tables with every dropped change applied.
	 */
	static const struct timeval now = { 0, 0 };

	evtimer_add(c->kick, &now);
	return true;
}

void change_stream_route(struct change_stream *cs, bool present, const struct rt_route *r)
{
	json_t *route;

	cs->seq++;
	if (!cs->n_subs)
		return;
	route = rt_route_to_json(r);
	if (!route) {
		/* Out of memory (every valid route encodes): subscribers see a gap in seq. */
		log_warn("events: cannot encode a route change (seq %llu); not sent",
			 (unsigned long long)cs->seq);
		return;
	}
	for (struct cs_client *c = cs->clients; c; c = c->next) {
		for (struct subscription *s = c->subs; s && !c->dead; s = s->next) {
			json_t *params;

			if (s->resync || !sub_wants(s, r->table) || sub_overflows(c, s))
				continue;
			params = json_pack("{s:I, s:I, s:s, s:O}", "subscription", (json_int_t)s->id,
					   "seq", (json_int_t)cs->seq, "op",
					   present ? "add" : "delete", "route", route);
			/*
			 * Out of memory: a gap in seq tells the subscriber an
			 * event was lost; nothing better is possible here.
			 */
			if (params)
				client_notify(c, params);
		}
	}
	json_decref(route);
}

/* The next table of s to snapshot, with id >= min_id: 0, or -ENOENT. */
static int sub_next_table(const struct subscription *s, uint32_t min_id, uint32_t *id)
{
	if (!s->tables)
		return tables_seek(s->ts, min_id, id);
	for (size_t i = 0; i < s->n_tables; i++) {
		if (s->tables[i] >= min_id && tables_get(s->ts, s->tables[i])) {
			*id = s->tables[i];
			return 0;
		}
	}
	return -ENOENT;
}

struct snapshot_batch {
	const struct snapshot_pos *pos;
	struct rt_route *routes;
	size_t n, max;
};

/* Whether r comes after pos in walk order (prefix, then preference). */
static bool after_pos(const struct rt_route *r, const struct snapshot_pos *pos)
{
	int c;

	if (!pos->have_route)
		return true;
	c = rt_prefix_cmp(&r->prefix, &pos->prefix);
	if (c)
		return c > 0;
	if (r->metric != pos->metric)
		return r->metric > pos->metric;
	return strcmp(r->proto, pos->proto) > 0;
}

static int collect_route(const struct rt_route *r, void *arg)
{
	struct snapshot_batch *b = arg;

	if (!after_pos(r, b->pos))
		return 0;
	b->routes[b->n++] = *r;
	return b->n == b->max;
}

static int send_route(struct cs_client *c, struct subscription *s, const struct rt_route *r)
{
	json_t *route = rt_route_to_json(r);
	json_t *params;

	if (!route) {
		/* Out of memory (every valid route encodes): skip it rather than stall the stream. */
		log_warn("events: subscription %llu: cannot encode a snapshot route; skipped",
			 (unsigned long long)s->id);
		return 0;
	}
	params = json_pack("{s:I, s:I, s:s, s:o}", "subscription", (json_int_t)s->id, "seq",
			   (json_int_t)c->cs->seq, "op", "snapshot", "route", route);
	return params ? client_notify(c, params) : -1;
}

/* Restart s's snapshot from the first table, announced by a "resync". */
static int sub_resync(struct cs_client *c, struct subscription *s)
{
	json_t *params = json_pack("{s:I, s:I, s:s}", "subscription", (json_int_t)s->id, "seq",
				   (json_int_t)c->cs->seq, "op", "resync");

	if (!params || client_notify(c, params))
		return -1;
	s->resync = false;
	s->snapshot = true;
	s->snapshot_done = false;
	memset(&s->pos, 0, sizeof(s->pos));
	c->resynced = true;
	c->read_since = false;
	return 0;
}

/*
 * Send up to max snapshot routes of s. Returns how many were sent, or -1
 * when the client is gone or memory ran out.
 */
static long snapshot_step(struct cs_client *c, struct subscription *s, size_t max)
{
	struct rt_route batch_routes[CHANGE_STREAM_SNAPSHOT_STEP];
	struct snapshot_batch b = { .pos = &s->pos, .routes = batch_routes };
	size_t sent = 0;

	if (max > CHANGE_STREAM_SNAPSHOT_STEP)
		max = CHANGE_STREAM_SNAPSHOT_STEP;
	while (sent < max && !s->snapshot_done) {
		struct rt_table *t;
		uint32_t id;

		if (sub_next_table(s, s->pos.table, &id)) {
			s->snapshot_done = true;
			break;
		}
		if (id != s->pos.table) {
			s->pos.table = id;
			s->pos.have_route = false;
		}
		t = tables_get(s->ts, id);
		b.n = 0;
		b.max = max - sent;
		rt_table_walk(t, 0, s->pos.have_route ? &s->pos.prefix : NULL, collect_route, &b);
		for (size_t i = 0; i < b.n; i++)
			if (send_route(c, s, &b.routes[i]))
				return -1;
		sent += b.n;
		if (b.n == b.max) {
			const struct rt_route *last = &b.routes[b.n - 1];

			s->pos.have_route = true;
			s->pos.prefix = last->prefix;
			s->pos.metric = last->metric;
			memcpy(s->pos.proto, last->proto, RT_PROTO_LEN);
		} else if (id == UINT32_MAX) {
			s->snapshot_done = true;
		} else {
			/* This table is done: on to the next one. */
			s->pos.table = id + 1;
			s->pos.have_route = false;
		}
	}
	if (s->snapshot_done) {
		json_t *params = json_pack("{s:I, s:I, s:s}", "subscription", (json_int_t)s->id,
					   "seq", (json_int_t)c->cs->seq, "op", "snapshot_end");

		if (!params || client_notify(c, params))
			return -1;
		s->snapshot = false;
	}
	return (long)sent;
}

static void client_drained(struct control_conn *conn, void *arg);

/*
 * Advance the client's snapshots: one step of up to CHANGE_STREAM_SNAPSHOT_STEP
 * routes, more while the output queue stays below half the cap. Then wait
 * for the drain hook if the queue is long, or for the loop's next turn
 * otherwise, so other clients are served in between.
 */
static void client_step(struct cs_client *c)
{
	size_t cap = control_conn_output_cap(c->conn);
	size_t budget = CHANGE_STREAM_SNAPSHOT_STEP;
	unsigned refills = 15;	/* at most 16 steps' worth per turn of the loop */
	bool active = false;

	for (struct subscription *s = c->subs; s && !c->dead; s = s->next) {
		if (s->resync && sub_resync(c, s))
			return;
		while (s->snapshot && budget && !c->dead) {
			long n = snapshot_step(c, s, budget);

			if (n < 0)
				return;
			budget -= (size_t)n < budget ? (size_t)n : budget;
			if (!budget && refills && control_conn_pending_output(c->conn) < cap / 2) {
				budget = CHANGE_STREAM_SNAPSHOT_STEP;
				refills--;
			}
		}
		active |= s->snapshot;
	}
	if (!active || c->dead) {
		control_conn_on_drain(c->conn, NULL, NULL);
		return;
	}
	control_conn_on_drain(c->conn, client_drained, c);
	if (control_conn_pending_output(c->conn) <= cap / 4) {
		/* The drain hook will not fire: the queue is already short. */
		static const struct timeval now = { 0, 0 };

		evtimer_add(c->kick, &now);
	}
}

/* The queue fell to a quarter of the cap: the peer is reading. */
static void client_drained(struct control_conn *conn, void *arg)
{
	struct cs_client *c = arg;

	(void)conn;
	c->read_since = true;
	client_step(c);
}

static void client_kicked(evutil_socket_t fd, short what, void *arg)
{
	struct cs_client *c = arg;

	(void)fd;
	(void)what;
	if (control_conn_pending_output(c->conn) <= control_conn_output_cap(c->conn) / 4)
		c->read_since = true;
	client_step(c);
}

static struct cs_client *client_get(struct change_stream *cs, struct control_conn *conn,
				    bool create)
{
	struct cs_client *c;

	for (c = cs->clients; c; c = c->next)
		if (c->conn == conn)
			return c;
	if (!create)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cs = cs;
	c->conn = conn;
	if (control_conn_on_close(conn, client_closed, c)) {
		free(c);
		return NULL;
	}
	c->next = cs->clients;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &cs->clients;
	cs->clients = c;
	return c;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int change_stream_subscribe(struct change_stream *cs, struct control_conn *conn,
			    const uint32_t *tables, size_t n_tables, bool snapshot, struct tables *ts,
			    struct event_base *base, uint64_t *id)
{
	struct cs_client *c = client_get(cs, conn, true);
	struct subscription *s, **tail;

	if (!c)
		return -ENOMEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	if (n_tables) {
		s->tables = malloc(n_tables * sizeof(*s->tables));
		if (!s->tables)
			goto fail;
		memcpy(s->tables, tables, n_tables * sizeof(*s->tables));
		qsort(s->tables, n_tables, sizeof(*s->tables), cmp_u32);
		s->n_tables = n_tables;
	}
	s->ts = ts;
	/* Every subscription may need the kick: for its snapshot or a resync. */
	if (!c->kick) {
		c->kick = evtimer_new(base, client_kicked, c);
		if (!c->kick)
			goto fail;
	}
	if (snapshot) {
		s->snapshot = true;
		/* Start on the loop's next turn, after this call's response is queued. */
		static const struct timeval now = { 0, 0 };

		if (evtimer_add(c->kick, &now))
			goto fail;
	}
	s->id = cs->next_id++;
	/* In subscription order: snapshots stream oldest first. */
	for (tail = &c->subs; *tail; tail = &(*tail)->next)
		;
	*tail = s;
	cs->n_subs++;
	*id = s->id;
	return 0;
fail:
	if (s)
		sub_free(s);
	if (!c->subs) {
		control_conn_cancel_close(conn, client_closed, c);
		client_free(c);
	}
	return -ENOMEM;
}

int change_stream_unsubscribe(struct change_stream *cs, struct control_conn *conn, uint64_t id)
{
	struct cs_client *c = client_get(cs, conn, false);
	struct subscription **pp, *s;

	if (!c)
		return -ENOENT;
	for (pp = &c->subs; *pp && (*pp)->id != id; pp = &(*pp)->next)
		;
	s = *pp;
	if (!s)
		return -ENOENT;
	*pp = s->next;
	cs->n_subs--;
	sub_free(s);
	if (!c->subs) {
		control_conn_on_drain(conn, NULL, NULL);
		control_conn_cancel_close(conn, client_closed, c);
		client_free(c);
	}
	return 0;
}

void change_stream_destroy(struct change_stream *cs)
{
	if (!cs)
		return;
	while (cs->clients) {
		struct cs_client *c = cs->clients;

		if (!c->dead)
			control_conn_on_drain(c->conn, NULL, NULL);
		control_conn_cancel_close(c->conn, client_closed, c);
		client_free(c);
	}
	free(cs);
}

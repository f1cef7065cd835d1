/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The durable state of operator routes, and its encoding in journal
 * records and snapshot items.
 *
 * What is durable: the tables created and the routes added, replaced,
 * deleted, flushed or loaded through the control socket, for routes whose
 * protocol is persistent (soft-state feeds such as bgp are not). Route
 * files are their own durable source: their routes are not journaled.
 *
 * The state is a set of routes keyed by (table, prefix, protocol, metric)
 * plus the tables created at run time. Journal records are operations on
 * it (rt_durable_apply()); a snapshot is the set itself. Replaying a
 * snapshot and the records after it yields the set the daemon applies to
 * its tables at start, over the route files.
 *
 * The set lives only while recovering or compacting; the daemon does not
 * keep a second copy of its routes.
 */
#ifndef ROUTED_DURABLE_H
#define ROUTED_DURABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/route.h>

/* Journal operations (journal.h op codes) */
enum rt_durable_op {
	RT_DURABLE_OP_UPSERT = 1,	/* routes: add or replace each */
	RT_DURABLE_OP_DELETE = 2,	/* route keys: delete each if present */
	RT_DURABLE_OP_FLUSH = 3,	/* table (0: all), family (0: both), proto ("": any) */
	RT_DURABLE_OP_LOAD = 4,		/* replace tables, removals, then upserts */
	RT_DURABLE_OP_TABLE_CREATE = 5,	/* id, name */
	RT_DURABLE_OP_TABLE_DROP = 6,	/* id: the table and its routes */
};

/* Snapshot items */
enum rt_durable_item {
	RT_DURABLE_ITEM_TABLE = 1,	/* id, name */
	RT_DURABLE_ITEM_ROUTES = 2,	/* a batch of routes */
};

#define RT_DURABLE_ROUTE_LEN 80		/* one route, encoded (a single-path one) */
#define RT_DURABLE_NEXTHOPS_LEN 4	/* a multipath route's count of next hops */
#define RT_DURABLE_NEXTHOP_LEN 36	/* and each of its next hops */
#define RT_DURABLE_NAME_LEN 32		/* a table name, NUL included */

/* A growable byte buffer for encoding. */
struct rt_durable_buf {
	uint8_t *data;
	size_t len, cap;
};
void rt_durable_buf_free(struct rt_durable_buf *b);

/* The bytes route r takes, encoded: RT_DURABLE_ROUTE_LEN, more if multipath. */
size_t rt_durable_route_len(const struct rt_route *r);

/* Encoders: append one payload to b (cleared first). 0 or -ENOMEM. */
int rt_durable_encode_routes(struct rt_durable_buf *b, const struct rt_route *routes, size_t n);
int rt_durable_encode_flush(struct rt_durable_buf *b, uint32_t table, int family,
			    const char *proto);
int rt_durable_encode_load(struct rt_durable_buf *b, const uint32_t *replace_tables, size_t nt,
			   const struct rt_route *removals, size_t nr,
			   const struct rt_route *routes, size_t n);
int rt_durable_encode_table(struct rt_durable_buf *b, uint32_t id, const char *name);

/*
 * A LOAD payload as rt_durable_encode_load() writes it, produced in pieces
 * for rt_journal_append_fill() (pass rt_durable_load_stream_fill and the
 * stream): a load of a million routes is journaled without a buffer of
 * its size. Only the routes keep() accepts are in it (keep NULL: all of
 * them). The arrays are read while the stream fills and must outlive it.
 */
typedef bool (*rt_durable_keep_fn)(const struct rt_route *r, void *arg);
struct rt_durable_load_stream;

/* NULL with errno: ENOMEM, or E2BIG (more than UINT32_MAX of a kind). */
struct rt_durable_load_stream *rt_durable_load_stream_new(const uint32_t *replace_tables,
							  size_t nt,
							  const struct rt_route *removals,
							  size_t nr, const struct rt_route *routes,
							  size_t n, rt_durable_keep_fn keep,
							  void *keep_arg);
/* The payload's length in bytes. */
size_t rt_durable_load_stream_len(const struct rt_durable_load_stream *st);
/* No table replaced, no route kept: nothing worth a record. */
bool rt_durable_load_stream_empty(const struct rt_durable_load_stream *st);
/* The next len bytes of the payload into buf (an rt_journal_fill_fn; arg: the stream). */
void rt_durable_load_stream_fill(uint8_t *buf, size_t len, void *arg);
void rt_durable_load_stream_free(struct rt_durable_load_stream *st);

struct rt_durable;

struct rt_durable *rt_durable_create(void);
void rt_durable_destroy(struct rt_durable *s);

/*
 * Apply a journal record (op, payload) or a snapshot item (item, payload)
 * to the set. 0, -EBADMSG for a payload that does not decode (with a
 * message in err), or -ENOMEM.
 */
int rt_durable_apply(struct rt_durable *s, uint16_t op, const void *payload, size_t len,
		     char *err, size_t errlen);
int rt_durable_apply_item(struct rt_durable *s, uint16_t item, const void *payload, size_t len,
			  char *err, size_t errlen);

/*
 * Reads len bytes of a payload, from byte off of it, into buf: 0 or a
 * negative errno.
 */
typedef int (*rt_durable_read_fn)(void *arg, uint64_t off, void *buf, size_t len);

/*
 * rt_durable_apply() of a payload of len bytes that read() reads in
 * windows of 1 MiB, twice (checked whole, then applied): a journal record
 * too large to be read whole. A read error returns it (a negative errno)
 * with a message in err; past the check it may leave the set partly
 * changed, so the caller drops the set.
 */
int rt_durable_apply_read(struct rt_durable *s, uint16_t op, size_t len, rt_durable_read_fn read,
			  void *arg, char *err, size_t errlen);

/* The tables created at run time, and the routes, in no particular order. */
size_t rt_durable_tables(const struct rt_durable *s, uint32_t *ids, char (*names)[RT_DURABLE_NAME_LEN],
			 size_t max);
size_t rt_durable_count(const struct rt_durable *s);
const struct rt_route *rt_durable_routes(const struct rt_durable *s);

/*
 * Write the set as snapshot seq into dir (snapshot.h). 0, or -errno with a
 * message in err.
 */
int rt_durable_write_snapshot(const struct rt_durable *s, const char *dir, uint64_t seq,
			      char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The durable state (see durable.h): payload codecs and the route set.
 *
 * Payloads are little-endian. A route takes RT_DURABLE_ROUTE_LEN bytes:
 *
 *   0 u32 table     4 u8 family   5 u8 prefix length   6 u8 gateway family
 *   7 u8 flags (bit 0: has tag, bit 1: next hops follow, bits 2-3: 0,
 *               bits 4-7: route type)
 *   8 prefix[16]   24 gateway[16]
 *  40 u32 metric   44 u32 tag    48 proto[16]   64 dev[16]  (NUL-padded)
 *
 * With flags bit 1 (a multipath route: gateway family 0, gateway and dev
 * zero), RT_DURABLE_NEXTHOPS_LEN more bytes, then count next hops of
 * RT_DURABLE_NEXTHOP_LEN bytes each:
 *
 *  80 u8 count (2..64)   81 3 zero bytes
 *  84 + 36 i: u8 gateway family, u8 0, u16 weight (1..256), gateway[16], dev[16]
 *
 * The type and the next hops came later, in bits that were always written
 * 0 before and that decoding refused to see set: a record of an older
 * routed reads as unicast and single-path, as it was, with no new record
 * version; an older routed refuses (rather than misreads) a record
 * holding a route of another type or with several next hops.
 *
 * UPSERT, DELETE, ROUTES: u32 count, then count routes (DELETE uses the
 * key fields). FLUSH: u32 table, u8 family, 3 zero bytes, proto[16]. LOAD:
 * u32 tables, u32 removals, u32 routes, u32 zero, the table ids, then the
 * removals and the routes. TABLE_CREATE, TABLE_DROP, TABLE: u32 id,
 * name[32]. A payload must be exactly as long as its counts and its
 * routes' next hops say.
 *
 * The set: routes in an array, found through an open-addressing index of
 * positions (linear probing, backward-shift deletion); a deleted route's
 * place is taken by the last one, so the array stays dense.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/durable.h>
#include <routed/nhgroup.h>
#include <routed/prefix.h>
#include <routed/snapshot.h>

#include "bytes.h"

#define SNAPSHOT_BATCH 4096
/* The most bytes one route takes, encoded. */
#define ROUTE_MAX_LEN \
	(RT_DURABLE_ROUTE_LEN + RT_DURABLE_NEXTHOPS_LEN + RT_NEXTHOPS_MAX * RT_DURABLE_NEXTHOP_LEN)

/* The flags byte of an encoded route. */
#define ROUTE_FLAG_TAG 0x01
#define ROUTE_FLAG_NEXTHOPS 0x02
#define ROUTE_FLAG_TYPE_SHIFT 4
#define ROUTE_FLAGS_KNOWN (ROUTE_FLAG_TAG | ROUTE_FLAG_NEXTHOPS | 0xf0)

struct table_def {
	uint32_t id;
	char name[RT_DURABLE_NAME_LEN];
};

struct rt_durable {
	struct rt_route *routes;
	size_t n, cap;
	uint32_t *index;		/* position + 1; 0: empty */
	size_t index_size;		/* a power of two, at least twice n */
	struct table_def *tables;
	size_t ntables, captables;
};

/* Buffers */

void rt_durable_buf_free(struct rt_durable_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static uint8_t *buf_grow(struct rt_durable_buf *b, size_t more)
{
	uint8_t *p;

	if (b->len + more > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + more)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p)
			return NULL;
		b->data = p;
		b->cap = cap;
	}
	p = b->data + b->len;
	memset(p, 0, more);
	b->len += more;
	return p;
}

/* Routes */

size_t rt_durable_route_len(const struct rt_route *r)
{
	return RT_DURABLE_ROUTE_LEN +
	       (r->nexthops ? RT_DURABLE_NEXTHOPS_LEN +
				      r->nexthops->count * (size_t)RT_DURABLE_NEXTHOP_LEN :
			      0);
}

/* The sum of rt_durable_route_len() of routes[0..n). */
static size_t routes_len(const struct rt_route *routes, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += rt_durable_route_len(&routes[i]);
	return len;
}

static void nexthop_put(uint8_t *p, const struct rt_nexthop *h)
{
	p[0] = h->gateway.family;
	put_le16(p + 2, h->weight);
	memcpy(p + 4, h->gateway.bytes, h->gateway.family == AF_INET ? 4 : h->gateway.family ? 16 : 0);
	strncpy((char *)p + 20, h->dev, 16);
}

/* Write r at p (zeroed, rt_durable_route_len(r) bytes); returns what follows it. */
static uint8_t *route_put(uint8_t *p, const struct rt_route *r)
{
	put_le32(p, r->table);
	p[4] = r->prefix.addr.family;
	p[5] = r->prefix.len;
	p[6] = r->gateway.family;
	p[7] = (uint8_t)((r->has_tag ? ROUTE_FLAG_TAG : 0) | (r->nexthops ? ROUTE_FLAG_NEXTHOPS : 0) |
			 r->type << ROUTE_FLAG_TYPE_SHIFT);
	memcpy(p + 8, r->prefix.addr.bytes, 16);
	memcpy(p + 24, r->gateway.bytes, 16);
	put_le32(p + 40, r->metric);
	put_le32(p + 44, r->has_tag ? r->tag : 0);
	strncpy((char *)p + 48, r->proto, 16);
	strncpy((char *)p + 64, r->dev, 16);
	p += RT_DURABLE_ROUTE_LEN;
	if (!r->nexthops)
		return p;
	p[0] = (uint8_t)r->nexthops->count;
	p += RT_DURABLE_NEXTHOPS_LEN;
	for (uint32_t i = 0; i < r->nexthops->count; i++, p += RT_DURABLE_NEXTHOP_LEN)
		nexthop_put(p, &r->nexthops->hop[i]);
	return p;
}

/* A NUL-terminated string in n bytes, zero-padded: the only encoding written. */
static bool padded_string(const uint8_t *p, size_t n)
{
	const uint8_t *nul = memchr(p, 0, n);

	if (!nul)
		return false;
	for (; nul < p + n; nul++)
		if (*nul)
			return false;
	return true;
}

static bool route_get_base(const uint8_t *p, struct rt_route *r);

/* Decode one next hop; false if it is not canonical. */
static bool nexthop_get(const uint8_t *p, struct rt_nexthop *h)
{
	unsigned used;

	memset(h, 0, sizeof(*h));
	h->gateway.family = p[0];
	h->weight = get_le16(p + 2);
	if (p[1] || !padded_string(p + 20, 16) ||
	    (h->gateway.family && h->gateway.family != AF_INET && h->gateway.family != AF_INET6))
		return false;
	used = h->gateway.family == AF_INET ? 4 : h->gateway.family ? 16 : 0;
	for (unsigned i = used; i < 16; i++)
		if (p[4 + i])
			return false;
	memcpy(h->gateway.bytes, p + 4, 16);
	memcpy(h->dev, p + 20, 16);
	return true;
}

/*
 * The next hops of a multipath route at p (avail bytes) into r: the bytes
 * they took, or 0 if they do not decode. They must be in canonical order,
 * as written (one encoding per route); rt_route_set_nexthops() checks the
 * rest as for any other input.
 */
static size_t nexthops_get(const uint8_t *p, size_t avail, struct rt_route *r)
{
	struct rt_nexthop hop[RT_NEXTHOPS_MAX];
	unsigned n;
	size_t len;

	if (avail < RT_DURABLE_NEXTHOPS_LEN || p[1] || p[2] || p[3])
		return 0;
	n = p[0];
	len = RT_DURABLE_NEXTHOPS_LEN + (size_t)n * RT_DURABLE_NEXTHOP_LEN;
	if (n < 2 || n > RT_NEXTHOPS_MAX || avail < len)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		if (!nexthop_get(p + RT_DURABLE_NEXTHOPS_LEN + i * RT_DURABLE_NEXTHOP_LEN, &hop[i]))
			return 0;
		if (i && rt_nhgroup_hop_cmp(&hop[i - 1], &hop[i]) >= 0)
			return 0;
	}
	return rt_route_set_nexthops(r, hop, n, NULL, 0) ? 0 : len;
}

/*
 * Decode and check one route at p (avail bytes); the bytes it took, or 0
 * if it is not a valid, canonical route.
 */
static size_t route_get(const uint8_t *p, size_t avail, struct rt_route *r)
{
	size_t len = RT_DURABLE_ROUTE_LEN;

	if (avail < RT_DURABLE_ROUTE_LEN || !route_get_base(p, r))
		return 0;
	if (p[7] & ROUTE_FLAG_NEXTHOPS) {
		size_t more;

		if (r->gateway.family || r->dev[0])
			return 0;
		more = nexthops_get(p + RT_DURABLE_ROUTE_LEN, avail - RT_DURABLE_ROUTE_LEN, r);
		if (!more)
			return 0;
		len += more;
	}
	return rt_route_validate(r, NULL, 0) == 0 ? len : 0;
}

/* The fixed part of a route; false if it is not a valid, canonical one. */
static bool route_get_base(const uint8_t *p, struct rt_route *r)
{
	struct rt_prefix canon;

	memset(r, 0, sizeof(*r));
	r->table = get_le32(p);
	r->prefix.addr.family = p[4];
	r->prefix.len = p[5];
	r->gateway.family = p[6];
	if ((p[7] & ~ROUTE_FLAGS_KNOWN) || !r->table || !padded_string(p + 48, 16) ||
	    !padded_string(p + 64, 16))
		return false;
	r->has_tag = p[7] & ROUTE_FLAG_TAG;
	/* Checked with the rest by rt_route_validate(): a known type, no next hop if rejecting. */
	r->type = p[7] >> ROUTE_FLAG_TYPE_SHIFT;
	memcpy(r->prefix.addr.bytes, p + 8, 16);
	memcpy(r->gateway.bytes, p + 24, 16);
	r->metric = get_le32(p + 40);
	r->tag = get_le32(p + 44);
	memcpy(r->proto, p + 48, 16);
	memcpy(r->dev, p + 64, 16);
	if (!r->has_tag && r->tag)
		return false;
	/* Unused address bytes are zero, and the prefix has no host bits. */
	if (r->prefix.addr.family == AF_INET)
		for (unsigned i = 4; i < 16; i++)
			if (p[8 + i] || p[24 + i])
				return false;
	if (!r->gateway.family)
		for (unsigned i = 0; i < 16; i++)
			if (p[24 + i])
				return false;
	if (rt_prefix_make(&r->prefix.addr, r->prefix.len, &canon) ||
	    canon.len != r->prefix.len || memcmp(canon.addr.bytes, r->prefix.addr.bytes, 16) != 0)
		return false;
	return true;
}

int rt_durable_encode_routes(struct rt_durable_buf *b, const struct rt_route *routes, size_t n)
{
	uint8_t *p;

	b->len = 0;
	if (n > UINT32_MAX || !(p = buf_grow(b, 4 + routes_len(routes, n))))
		return -ENOMEM;
	put_le32(p, (uint32_t)n);
	p += 4;
	for (size_t i = 0; i < n; i++)
		p = route_put(p, &routes[i]);
	return 0;
}

int rt_durable_encode_flush(struct rt_durable_buf *b, uint32_t table, int family,
			    const char *proto)
{
	uint8_t *p;

	b->len = 0;
	if (!(p = buf_grow(b, 24)))
		return -ENOMEM;
	put_le32(p, table);
	p[4] = (uint8_t)family;
	if (proto)
		strncpy((char *)p + 8, proto, RT_PROTO_LEN - 1);
	return 0;
}

/*
 * A LOAD payload in pieces: each part (the counts, a table id, a route) is
 * encoded into one, then handed out as far as the pieces asked for reach.
 */

struct rt_durable_load_stream {
	const uint32_t *tables;
	const struct rt_route *removals, *routes;
	size_t nt, nr, n;
	size_t kept_removals, kept_routes, len;
	rt_durable_keep_fn keep;
	void *keep_arg;
	size_t next;			/* the next part: counts, tables, removals, routes */
	size_t part_len, part_off;	/* of part, handed out up to part_off */
	uint8_t part[ROUTE_MAX_LEN];
};

static bool stream_keeps(const struct rt_durable_load_stream *st, const struct rt_route *r)
{
	return !st->keep || st->keep(r, st->keep_arg);
}

/* The kept routes of routes[0..n), and their encoded bytes added to *len. */
static size_t stream_count(const struct rt_durable_load_stream *st,
			   const struct rt_route *routes, size_t n, size_t *len)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		if (stream_keeps(st, &routes[i])) {
			kept++;
			*len += rt_durable_route_len(&routes[i]);
		}
	}
	return kept;
}

struct rt_durable_load_stream *rt_durable_load_stream_new(const uint32_t *replace_tables,
							  size_t nt,
							  const struct rt_route *removals,
							  size_t nr, const struct rt_route *routes,
							  size_t n, rt_durable_keep_fn keep,
							  void *keep_arg)
{
	struct rt_durable_load_stream *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	*st = (struct rt_durable_load_stream){ .tables = replace_tables, .nt = nt,
					       .removals = removals, .nr = nr,
					       .routes = routes, .n = n, .keep = keep,
					       .keep_arg = keep_arg };
	st->len = 16 + nt * 4;
	st->kept_removals = stream_count(st, removals, nr, &st->len);
	st->kept_routes = stream_count(st, routes, n, &st->len);
	if (nt > UINT32_MAX || st->kept_removals > UINT32_MAX || st->kept_routes > UINT32_MAX) {
		free(st);
		errno = E2BIG;
		return NULL;
	}
	return st;
}

size_t rt_durable_load_stream_len(const struct rt_durable_load_stream *st)
{
	return st->len;
}

bool rt_durable_load_stream_empty(const struct rt_durable_load_stream *st)
{
	return !st->nt && !st->kept_removals && !st->kept_routes;
}

void rt_durable_load_stream_free(struct rt_durable_load_stream *st)
{
	free(st);
}

/* Encode the next part (one there must be) into st->part. */
static void stream_next_part(struct rt_durable_load_stream *st)
{
	uint8_t *p = st->part;
	const struct rt_route *r;

	st->part_off = 0;
	if (st->next == 0) {
		memset(p, 0, 16);
		put_le32(p, (uint32_t)st->nt);
		put_le32(p + 4, (uint32_t)st->kept_removals);
		put_le32(p + 8, (uint32_t)st->kept_routes);
		st->part_len = 16;
		st->next++;
		return;
	}
	if (st->next <= st->nt) {
		put_le32(p, st->tables[st->next++ - 1]);
		st->part_len = 4;
		return;
	}
	/* Routes: removals first, skipping those not kept. */
	do {
		size_t i = st->next++ - 1 - st->nt;

		r = i < st->nr ? &st->removals[i] : &st->routes[i - st->nr];
	} while (!stream_keeps(st, r));
	st->part_len = rt_durable_route_len(r);
	memset(p, 0, st->part_len);
	route_put(p, r);
}

void rt_durable_load_stream_fill(uint8_t *buf, size_t len, void *arg)
{
	struct rt_durable_load_stream *st = arg;

	while (len) {
		size_t take;

		if (st->part_off == st->part_len)
			stream_next_part(st);
		take = st->part_len - st->part_off;
		take = take < len ? take : len;
		memcpy(buf, st->part + st->part_off, take);
		st->part_off += take;
		buf += take;
		len -= take;
	}
}

int rt_durable_encode_load(struct rt_durable_buf *b, const uint32_t *replace_tables, size_t nt,
			   const struct rt_route *removals, size_t nr,
			   const struct rt_route *routes, size_t n)
{
	struct rt_durable_load_stream *st =
		rt_durable_load_stream_new(replace_tables, nt, removals, nr, routes, n, NULL, NULL);
	uint8_t *p;

	b->len = 0;
	if (!st || !(p = buf_grow(b, st->len))) {
		rt_durable_load_stream_free(st);
		return -ENOMEM;
	}
	rt_durable_load_stream_fill(p, st->len, st);
	rt_durable_load_stream_free(st);
	return 0;
}

int rt_durable_encode_table(struct rt_durable_buf *b, uint32_t id, const char *name)
{
	uint8_t *p;

	b->len = 0;
	if (!(p = buf_grow(b, 4 + RT_DURABLE_NAME_LEN)))
		return -ENOMEM;
	put_le32(p, id);
	if (name)
		strncpy((char *)p + 4, name, RT_DURABLE_NAME_LEN - 1);
	return 0;
}

/* The set */

struct rt_durable *rt_durable_create(void)
{
	return calloc(1, sizeof(struct rt_durable));
}

void rt_durable_destroy(struct rt_durable *s)
{
	if (!s)
		return;
	free(s->routes);
	free(s->index);
	free(s->tables);
	free(s);
}

static uint64_t key_hash(const struct rt_route *r)
{
	uint64_t h = 1469598103934665603ull;
	const uint8_t *parts[] = { r->prefix.addr.bytes, (const uint8_t *)r->proto };
	size_t lens[] = { 16, strnlen(r->proto, RT_PROTO_LEN) };

	h = (h ^ r->table) * 1099511628211ull;
	h = (h ^ r->prefix.addr.family) * 1099511628211ull;
	h = (h ^ r->prefix.len) * 1099511628211ull;
	h = (h ^ r->metric) * 1099511628211ull;
	for (unsigned k = 0; k < 2; k++)
		for (size_t i = 0; i < lens[k]; i++)
			h = (h ^ parts[k][i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static bool same_key(const struct rt_route *a, const struct rt_route *b)
{
	return a->table == b->table && a->metric == b->metric &&
	       a->prefix.addr.family == b->prefix.addr.family && a->prefix.len == b->prefix.len &&
	       memcmp(a->prefix.addr.bytes, b->prefix.addr.bytes, 16) == 0 &&
	       strncmp(a->proto, b->proto, RT_PROTO_LEN) == 0;
}

/* The index slot holding r's key, or the empty slot where it would go. */
static size_t slot_of(const struct rt_durable *s, const struct rt_route *r)
{
	size_t mask = s->index_size - 1, i = (size_t)key_hash(r) & mask;

	while (s->index[i] && !same_key(&s->routes[s->index[i] - 1], r))
		i = (i + 1) & mask;
	return i;
}

static int index_rebuild(struct rt_durable *s, size_t size)
{
	uint32_t *index = calloc(size, sizeof(*index));

	if (!index)
		return -ENOMEM;
	free(s->index);
	s->index = index;
	s->index_size = size;
	for (size_t p = 0; p < s->n; p++)
		s->index[slot_of(s, &s->routes[p])] = (uint32_t)(p + 1);
	return 0;
}

static int set_upsert(struct rt_durable *s, const struct rt_route *r)
{
	size_t i;

	if (s->n >= UINT32_MAX - 1)
		return -ENOMEM;
	if ((s->n + 1) * 2 > s->index_size &&
	    index_rebuild(s, s->index_size ? s->index_size * 2 : 1024))
		return -ENOMEM;
	i = slot_of(s, r);
	if (s->index[i]) {
		s->routes[s->index[i] - 1] = *r;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 512;
		struct rt_route *a = realloc(s->routes, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		s->routes = a;
		s->cap = cap;
	}
	s->routes[s->n] = *r;
	s->index[i] = (uint32_t)++s->n;
	return 0;
}

/* Remove the route at position pos (its index slot is slot). */
static void set_remove_at(struct rt_durable *s, size_t slot)
{
	size_t mask = s->index_size - 1, pos = s->index[slot] - 1, hole = slot;

	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (size_t j = (slot + 1) & mask; s->index[j]; j = (j + 1) & mask) {
		size_t home = (size_t)key_hash(&s->routes[s->index[j] - 1]) & mask;
		bool stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;

		/* An entry whose home lies cyclically in (hole, j] is reachable where it is. */
		if (!stays) {
			s->index[hole] = s->index[j];
			hole = j;
		}
	}
	s->index[hole] = 0;
	/* The last route takes the freed position. */
	if (pos != s->n - 1) {
		s->routes[pos] = s->routes[s->n - 1];
		s->index[slot_of(s, &s->routes[pos])] = (uint32_t)(pos + 1);
	}
	s->n--;
}

static void set_delete(struct rt_durable *s, const struct rt_route *key)
{
	size_t i;

	if (!s->n)
		return;
	i = slot_of(s, key);
	if (s->index[i])
		set_remove_at(s, i);
}

/* Delete every route for which match() holds. */
static void set_delete_if(struct rt_durable *s, bool (*match)(const struct rt_route *, const void *),
			  const void *arg)
{
	for (size_t p = s->n; p-- > 0;)
		if (match(&s->routes[p], arg))
			set_remove_at(s, slot_of(s, &s->routes[p]));
}

struct flush_match {
	uint32_t table;
	int family;
	char proto[RT_PROTO_LEN];
};

static bool flush_matches(const struct rt_route *r, const void *arg)
{
	const struct flush_match *f = arg;

	return (!f->table || r->table == f->table) && (!f->family || r->prefix.addr.family == f->family) &&
	       (!f->proto[0] || strncmp(r->proto, f->proto, RT_PROTO_LEN) == 0);
}

static bool in_table(const struct rt_route *r, const void *arg)
{
	return r->table == *(const uint32_t *)arg;
}

static void table_drop(struct rt_durable *s, uint32_t id)
{
	for (size_t i = 0; i < s->ntables; i++) {
		if (s->tables[i].id == id) {
			s->tables[i] = s->tables[--s->ntables];
			break;
		}
	}
	set_delete_if(s, in_table, &id);
}

static int table_put(struct rt_durable *s, uint32_t id, const char *name)
{
	struct table_def *t = NULL;

	for (size_t i = 0; i < s->ntables && !t; i++)
		if (s->tables[i].id == id)
			t = &s->tables[i];
	if (!t) {
		if (s->ntables == s->captables) {
			size_t cap = s->captables ? s->captables * 2 : 8;
			struct table_def *a = realloc(s->tables, cap * sizeof(*a));

			if (!a)
				return -ENOMEM;
			s->tables = a;
			s->captables = cap;
		}
		t = &s->tables[s->ntables++];
	}
	t->id = id;
	memcpy(t->name, name, RT_DURABLE_NAME_LEN);
	return 0;
}

/* Decoding */

/*
 * A payload as decoding reads it: whole in memory, or through read() in
 * windows of WINDOW_BYTES, for a journal record too large to be read
 * whole (a load of a million routes is 80 MB). Each piece decoded (a
 * route, the counts) is taken from a window that holds it entire.
 */
#define WINDOW_BYTES ((size_t)1 << 20)

struct window {
	const uint8_t *data;		/* payload bytes [start, start + len) */
	size_t start, len, total;
	rt_durable_read_fn read;	/* NULL: data is the whole payload */
	void *arg;
	uint8_t *buf;			/* WINDOW_BYTES, with read */
	int error;			/* of read(): sticky */
};

/* Payload bytes [off, off + need), need <= WINDOW_BYTES; NULL past the end or on a read error. */
static const uint8_t *window_at(struct window *w, size_t off, size_t need)
{
	size_t len;

	if (off > w->total || need > w->total - off)
		return NULL;
	if (off >= w->start && off + need <= w->start + w->len)
		return w->data + (off - w->start);
	if (!w->read || w->error)
		return NULL;
	len = w->total - off < WINDOW_BYTES ? w->total - off : WINDOW_BYTES;
	w->error = w->read(w->arg, off, w->buf, len);
	if (w->error)
		return NULL;
	w->data = w->buf;
	w->start = off;
	w->len = len;
	return w->data;
}

/* Decode and check the route at payload offset off: the bytes it takes, or 0. */
static size_t window_route(struct window *w, size_t off, struct rt_route *r)
{
	size_t avail = off > w->total ? 0 : w->total - off;
	const uint8_t *p;

	avail = avail < ROUTE_MAX_LEN ? avail : ROUTE_MAX_LEN;
	p = window_at(w, off, avail);
	return p ? route_get(p, avail, r) : 0;
}

/*
 * Check n routes from offset off: whether each decodes and, with exact,
 * whether they end the payload.
 */
static bool routes_valid(struct window *w, size_t off, size_t n, bool exact)
{
	struct rt_route r;

	for (size_t i = 0; i < n; i++) {
		size_t k = window_route(w, off, &r);

		if (!k)
			return false;
		off += k;
	}
	return !exact || off == w->total;
}

/* The routes of a routes payload, checked: their count, or false if it does not decode. */
static bool routes_of(struct window *w, uint32_t *n)
{
	const uint8_t *p = window_at(w, 0, 4);

	if (!p)
		return false;
	*n = get_le32(p);
	if (*n > (w->total - 4) / RT_DURABLE_ROUTE_LEN)
		return false;
	return *n ? routes_valid(w, 4, *n, true) : w->total == 4;
}

static int bad(char *err, size_t errlen, const char *what, const char *why)
{
	rt_seterr(err, errlen, "%s: %s", what, why);
	return -EBADMSG;
}

/* A payload that did not check: a read error, or one that does not decode. */
static int refused(const struct window *w, char *err, size_t errlen, const char *what)
{
	if (!w->error)
		return bad(err, errlen, what, "malformed");
	rt_seterr(err, errlen, "%s: reading the record: %s", what, strerror(-w->error));
	return w->error;
}

/* Apply n routes checked by routes_valid() from *off, which moves past them. */
static int apply_routes(struct rt_durable *s, struct window *w, size_t *off, uint32_t n, bool del,
			const char *what, char *err, size_t errlen)
{
	struct rt_route r;

	for (uint32_t i = 0; i < n; i++) {
		size_t k = window_route(w, *off, &r);

		if (!k)
			return w->error ? refused(w, err, errlen, what) :
					  bad(err, errlen, what, "invalid route");
		*off += k;
		if (del)
			set_delete(s, &r);
		else if (set_upsert(s, &r))
			return -ENOMEM;
	}
	return 0;
}

static bool table_payload(struct window *w, uint32_t *id, char *name)
{
	const uint8_t *p = window_at(w, 0, 4 + RT_DURABLE_NAME_LEN);

	if (w->total != 4 + RT_DURABLE_NAME_LEN || !p ||
	    !padded_string(p + 4, RT_DURABLE_NAME_LEN))
		return false;
	*id = get_le32(p);
	memcpy(name, p + 4, RT_DURABLE_NAME_LEN);
	return *id != 0;
}

static int apply_load(struct rt_durable *s, struct window *w, char *err, size_t errlen)
{
	const uint8_t *p = window_at(w, 0, 16);
	uint32_t nt, nr, n, id;
	size_t head, off;
	int rc;

	if (!p || get_le32(p + 12))
		return refused(w, err, errlen, "load");
	nt = get_le32(p);
	nr = get_le32(p + 4);
	n = get_le32(p + 8);
	head = 16 + (size_t)nt * 4;
	if (w->total < head || ((size_t)nr + n) > (w->total - head) / RT_DURABLE_ROUTE_LEN ||
	    (nr + (size_t)n ? !routes_valid(w, head, (size_t)nr + n, true) : w->total != head))
		return refused(w, err, errlen, "load");
	for (uint32_t i = 0; i < nt; i++) {
		if (!(p = window_at(w, 16 + 4 * (size_t)i, 4)))
			return refused(w, err, errlen, "load");
		id = get_le32(p);
		set_delete_if(s, in_table, &id);
	}
	off = head;
	rc = apply_routes(s, w, &off, nr, true, "load", err, errlen);
	return rc ? rc : apply_routes(s, w, &off, n, false, "load", err, errlen);
}

static int apply_window(struct rt_durable *s, uint16_t op, struct window *w, char *err,
			size_t errlen)
{
	const char *what = op == RT_DURABLE_OP_UPSERT ? "upsert" : "delete";
	char name[RT_DURABLE_NAME_LEN];
	const uint8_t *p;
	uint32_t n, id;
	size_t off = 4;

	switch (op) {
	case RT_DURABLE_OP_UPSERT:
	case RT_DURABLE_OP_DELETE:
		/* The whole payload is checked before anything changes: a bad record applies nothing. */
		if (!routes_of(w, &n))
			return w->error ? refused(w, err, errlen, what) :
					  bad(err, errlen, what, "malformed routes");
		return apply_routes(s, w, &off, n, op == RT_DURABLE_OP_DELETE, "routes", err,
				    errlen);
	case RT_DURABLE_OP_FLUSH: {
		struct flush_match f;

		p = window_at(w, 0, 24);
		if (w->total != 24 || !p || p[5] || p[6] || p[7] ||
		    !padded_string(p + 8, RT_PROTO_LEN) ||
		    (p[4] && p[4] != AF_INET && p[4] != AF_INET6))
			return refused(w, err, errlen, "flush");
		f.table = get_le32(p);
		f.family = p[4];
		memcpy(f.proto, p + 8, RT_PROTO_LEN);
		set_delete_if(s, flush_matches, &f);
		return 0;
	}
	case RT_DURABLE_OP_LOAD:
		return apply_load(s, w, err, errlen);
	case RT_DURABLE_OP_TABLE_CREATE:
		if (!table_payload(w, &id, name))
			return refused(w, err, errlen, "table create");
		return table_put(s, id, name);
	case RT_DURABLE_OP_TABLE_DROP:
		if (!table_payload(w, &id, name))
			return refused(w, err, errlen, "table drop");
		table_drop(s, id);
		return 0;
	}
	rt_seterr(err, errlen, "unknown operation %u", op);
	return -EBADMSG;
}

int rt_durable_apply(struct rt_durable *s, uint16_t op, const void *payload, size_t len,
		     char *err, size_t errlen)
{
	struct window w = { .data = payload, .len = len, .total = len };

	return apply_window(s, op, &w, err, errlen);
}

int rt_durable_apply_read(struct rt_durable *s, uint16_t op, size_t len, rt_durable_read_fn read,
			  void *arg, char *err, size_t errlen)
{
	struct window w = { .total = len, .read = read, .arg = arg };
	int rc;

	w.buf = malloc(len < WINDOW_BYTES ? (len ? len : 1) : WINDOW_BYTES);
	if (!w.buf) {
		rt_seterr(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = apply_window(s, op, &w, err, errlen);
	free(w.buf);
	return rc;
}

int rt_durable_apply_item(struct rt_durable *s, uint16_t item, const void *payload, size_t len,
			  char *err, size_t errlen)
{
	switch (item) {
	case RT_DURABLE_ITEM_TABLE:
		return rt_durable_apply(s, RT_DURABLE_OP_TABLE_CREATE, payload, len, err, errlen);
	case RT_DURABLE_ITEM_ROUTES:
		return rt_durable_apply(s, RT_DURABLE_OP_UPSERT, payload, len, err, errlen);
	}
	rt_seterr(err, errlen, "unknown snapshot item %u", item);
	return -EBADMSG;
}

size_t rt_durable_tables(const struct rt_durable *s, uint32_t *ids,
			 char (*names)[RT_DURABLE_NAME_LEN], size_t max)
{
	for (size_t i = 0; i < s->ntables && i < max; i++) {
		ids[i] = s->tables[i].id;
		memcpy(names[i], s->tables[i].name, RT_DURABLE_NAME_LEN);
	}
	return s->ntables;
}

size_t rt_durable_count(const struct rt_durable *s)
{
	return s->n;
}

const struct rt_route *rt_durable_routes(const struct rt_durable *s)
{
	return s->routes;
}

int rt_durable_write_snapshot(const struct rt_durable *s, const char *dir, uint64_t seq,
			      char *err, size_t errlen)
{
	struct rt_snapshot_writer *w;
	struct rt_durable_buf b = { 0 };
	int rc = rt_snapshot_begin(dir, seq, &w, err, errlen);

	if (rc)
		return rc;
	for (size_t i = 0; i < s->ntables && !rc; i++) {
		rc = rt_durable_encode_table(&b, s->tables[i].id, s->tables[i].name);
		if (!rc)
			rc = rt_snapshot_add(w, RT_DURABLE_ITEM_TABLE, b.data, (uint32_t)b.len);
	}
	for (size_t i = 0; i < s->n && !rc; i += SNAPSHOT_BATCH) {
		size_t k = s->n - i < SNAPSHOT_BATCH ? s->n - i : SNAPSHOT_BATCH;

		rc = rt_durable_encode_routes(&b, s->routes + i, k);
		if (!rc)
			rc = rt_snapshot_add(w, RT_DURABLE_ITEM_ROUTES, b.data, (uint32_t)b.len);
	}
	rt_durable_buf_free(&b);
	if (rc) {
		rt_seterr(err, errlen, "writing snapshot %" PRIu64 " in %s: %s", seq, dir,
		       strerror(-rc));
		rt_snapshot_abort(w);
		return rc;
	}
	return rt_snapshot_commit(w, err, errlen);
}

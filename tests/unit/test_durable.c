/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The durable state: payloads round-trip exactly; random operations on the
 * set agree with a naive list after every step; every malformed payload
 * is refused without changing the set; a load's payload produced in pieces
 * is the one encoded whole; a payload read in windows applies as one read
 * whole; a set written as a snapshot loads
 * back equal.
 *
 * ROUTED_TEST_SEED sets the seed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <routed/durable.h>
#include <routed/prefix.h>
#include <routed/snapshot.h>
#include "seed.h"

static unsigned long long seed;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static const char *const protos[] = { "static", "operator", "api", "bgp" };

/* A random valid route from a small key space, so operations collide. */
static void random_route(uint64_t *s, struct rt_route *r)
{
	uint64_t x = splitmix(s);
	struct rt_addr a;

	rt_route_init(r);
	r->table = 1 + (uint32_t)(x % 3);
	memset(&a, 0, sizeof(a));
	if (x >> 8 & 1) {
		a.family = AF_INET;
		a.bytes[0] = 10;
		a.bytes[1] = (uint8_t)(x >> 16) % 8;
		a.bytes[2] = (uint8_t)(x >> 24);
		rt_addr_mask(&a, 16 + (unsigned)(x >> 32) % 9);
		rt_prefix_make(&a, 16 + (unsigned)(x >> 32) % 9, &r->prefix);
	} else {
		a.family = AF_INET6;
		a.bytes[0] = 0x20;
		a.bytes[1] = 0x01;
		a.bytes[2] = (uint8_t)(x >> 16) % 8;
		a.bytes[5] = (uint8_t)(x >> 24);
		rt_addr_mask(&a, 32 + (unsigned)(x >> 32) % 17);
		rt_prefix_make(&a, 32 + (unsigned)(x >> 32) % 17, &r->prefix);
	}
	r->metric = (uint32_t)(x >> 40) % 3;
	strcpy(r->proto, protos[(x >> 44) % 4]);
	/* Non-key fields vary too, so an upsert visibly replaces. */
	x = splitmix(s);
	if (x & 1) {
		r->gateway.family = r->prefix.addr.family;
		if (r->gateway.family == AF_INET) {
			r->gateway.bytes[0] = 192;
			r->gateway.bytes[3] = (uint8_t)(x >> 8);
		} else {
			r->gateway.bytes[0] = 0xfe;
			r->gateway.bytes[1] = 0x80;
			r->gateway.bytes[15] = (uint8_t)(x >> 8);
		}
	}
	if (x & 2)
		snprintf(r->dev, sizeof(r->dev), "eth%u", (unsigned)(x >> 16) % 4);
	r->has_tag = x & 4;
	r->tag = r->has_tag ? (uint32_t)(x >> 32) : 0;
	/* One in eight rejects: no next hop. */
	if ((x >> 24) % 8 == 0) {
		r->type = (uint8_t)(RT_TYPE_BLACKHOLE + (x >> 28) % RT_TYPE_MAX);
		memset(&r->gateway, 0, sizeof(r->gateway));
		r->dev[0] = '\0';
	}
}

static bool same_key(const struct rt_route *a, const struct rt_route *b)
{
	return a->table == b->table && rt_prefix_equal(&a->prefix, &b->prefix) &&
	       a->metric == b->metric && !strcmp(a->proto, b->proto);
}

static bool same_route(const struct rt_route *a, const struct rt_route *b)
{
	return same_key(a, b) && a->gateway.family == b->gateway.family &&
	       !memcmp(a->gateway.bytes, b->gateway.bytes, 16) && !strcmp(a->dev, b->dev) &&
	       a->has_tag == b->has_tag && a->tag == b->tag && a->type == b->type;
}

/* The naive model */

#define MODEL_MAX 4096

struct model {
	struct rt_route r[MODEL_MAX];
	size_t n;
	uint32_t tables[16];
	size_t ntables;
};

static void model_delete_if(struct model *m, bool (*match)(const struct rt_route *, const void *),
			    const void *arg)
{
	size_t k = 0;

	for (size_t i = 0; i < m->n; i++)
		if (!match(&m->r[i], arg))
			m->r[k++] = m->r[i];
	m->n = k;
}

static bool key_is(const struct rt_route *r, const void *arg)
{
	return same_key(r, arg);
}

static void model_upsert(struct model *m, const struct rt_route *r)
{
	for (size_t i = 0; i < m->n; i++) {
		if (same_key(&m->r[i], r)) {
			m->r[i] = *r;
			return;
		}
	}
	assert_true(m->n < MODEL_MAX);
	m->r[m->n++] = *r;
}

struct flush_arg {
	uint32_t table;
	int family;
	const char *proto;
};

static bool flush_is(const struct rt_route *r, const void *arg)
{
	const struct flush_arg *f = arg;

	return (!f->table || r->table == f->table) && (!f->family || r->prefix.addr.family == f->family) &&
	       (!f->proto || !strcmp(r->proto, f->proto));
}

static bool table_is(const struct rt_route *r, const void *arg)
{
	return r->table == *(const uint32_t *)arg;
}

static void compare(const struct rt_durable *s, const struct model *m, unsigned step)
{
	const struct rt_route *routes = rt_durable_routes(s);
	size_t n = rt_durable_count(s);

	if (n != m->n)
		fail_msg("step %u: the set has %zu routes, the model %zu (seed %llu)", step, n, m->n,
			 seed);
	for (size_t i = 0; i < m->n; i++) {
		bool found = false;

		for (size_t k = 0; k < n && !found; k++)
			found = same_route(&routes[k], &m->r[i]);
		if (!found)
			fail_msg("step %u: the set lacks model route %zu (seed %llu)", step, i, seed);
	}
}

static void apply_ok(struct rt_durable *s, uint16_t op, const struct rt_durable_buf *b)
{
	char err[128];
	int rc = rt_durable_apply(s, op, b->data, b->len, err, sizeof(err));

	if (rc)
		fail_msg("op %u: %d %s", op, rc, err);
}

static void test_random_operations(void **state)
{
	static struct model m;
	struct rt_durable *s = rt_durable_create();
	struct rt_durable_buf b = { 0 };
	struct rt_route batch[40];
	uint64_t rng = seed;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_non_null(s);
	for (unsigned step = 0; step < 3000; step++) {
		unsigned kind = (unsigned)(splitmix(&rng) % 10), n = 1 + (unsigned)(splitmix(&rng) % 40);

		for (unsigned i = 0; i < n; i++)
			random_route(&rng, &batch[i]);
		if (kind < 4) {
			assert_int_equal(rt_durable_encode_routes(&b, batch, n), 0);
			apply_ok(s, RT_DURABLE_OP_UPSERT, &b);
			for (unsigned i = 0; i < n; i++)
				model_upsert(&m, &batch[i]);
		} else if (kind < 7) {
			/* Delete existing keys mostly, plus absent ones. */
			for (unsigned i = 0; i < n && m.n; i++)
				if (splitmix(&rng) % 4)
					batch[i] = m.r[splitmix(&rng) % m.n];
			assert_int_equal(rt_durable_encode_routes(&b, batch, n), 0);
			apply_ok(s, RT_DURABLE_OP_DELETE, &b);
			for (unsigned i = 0; i < n; i++)
				model_delete_if(&m, key_is, &batch[i]);
		} else if (kind == 7) {
			uint64_t x = splitmix(&rng);
			struct flush_arg f = { .table = (uint32_t)(x % 4),
					       .family = x >> 8 & 1 ? 0 : (x >> 9 & 1 ? AF_INET : AF_INET6),
					       .proto = x >> 10 & 1 ? NULL : protos[(x >> 12) % 4] };

			assert_int_equal(rt_durable_encode_flush(&b, f.table, f.family, f.proto), 0);
			apply_ok(s, RT_DURABLE_OP_FLUSH, &b);
			model_delete_if(&m, flush_is, &f);
		} else if (kind == 8) {
			uint32_t tables[2] = { 1 + (uint32_t)(splitmix(&rng) % 3), 2 };
			size_t nt = splitmix(&rng) % 3, nr = n / 3;

			assert_int_equal(rt_durable_encode_load(&b, tables, nt, batch, nr, batch + nr,
								n - nr), 0);
			apply_ok(s, RT_DURABLE_OP_LOAD, &b);
			for (size_t i = 0; i < nt; i++)
				model_delete_if(&m, table_is, &tables[i]);
			for (size_t i = 0; i < nr; i++)
				model_delete_if(&m, key_is, &batch[i]);
			for (size_t i = nr; i < n; i++)
				model_upsert(&m, &batch[i]);
		} else {
			uint32_t id = 1 + (uint32_t)(splitmix(&rng) % 3);

			assert_int_equal(rt_durable_encode_table(&b, id, NULL), 0);
			apply_ok(s, RT_DURABLE_OP_TABLE_DROP, &b);
			model_delete_if(&m, table_is, &id);
		}
		compare(s, &m, step);
	}
	rt_durable_buf_free(&b);
	rt_durable_destroy(s);
}

static bool not_bgp(const struct rt_route *r, void *arg)
{
	(void)arg;
	return strcmp(r->proto, "bgp") != 0;
}

/*
 * A LOAD payload produced in pieces of any size, of the routes a filter
 * keeps, is byte for byte the one encoded whole from those routes alone.
 */
static void test_load_stream(void **state)
{
	uint64_t rng = seed ^ 0x5157;
	struct rt_route all[400], kept[400];
	struct rt_durable_buf b = { 0 };
	uint32_t tables[3] = { 1, 2, 3 };
	uint8_t *out;

	(void)state;
	for (unsigned round = 0; round < 200; round++) {
		size_t n = splitmix(&rng) % 400, nr = n ? splitmix(&rng) % n : 0;
		size_t nt = splitmix(&rng) % 4, kr = 0, k = 0, len, at = 0;
		struct rt_durable_load_stream *st;

		for (size_t i = 0; i < n; i++) {
			random_route(&rng, &all[i]);
			if (not_bgp(&all[i], NULL))
				kept[i < nr ? kr++ : kr + k++] = all[i];
		}
		/* kept: the kept removals, then the kept routes. */
		st = rt_durable_load_stream_new(tables, nt, all, nr, all + nr, n - nr, not_bgp, NULL);
		assert_non_null(st);
		assert_int_equal(rt_durable_encode_load(&b, tables, nt, kept, kr, kept + kr, k), 0);
		len = rt_durable_load_stream_len(st);
		assert_int_equal(len, b.len);
		assert_int_equal(rt_durable_load_stream_empty(st), !nt && !kr && !k);
		out = malloc(len);
		assert_non_null(out);
		while (at < len) {
			size_t piece = 1 + splitmix(&rng) % 300;

			piece = piece < len - at ? piece : len - at;
			rt_durable_load_stream_fill(out + at, piece, st);
			at += piece;
		}
		assert_memory_equal(out, b.data, len);
		free(out);
		rt_durable_load_stream_free(st);
	}
	rt_durable_buf_free(&b);
}

/* A payload read through rt_durable_apply_read(): from memory, failing at fail_at. */
struct payload_reader {
	const uint8_t *data;
	size_t calls, largest;
	uint64_t fail_at;		/* a read reaching this byte fails; UINT64_MAX: none */
};

static int read_payload(void *arg, uint64_t off, void *buf, size_t len)
{
	struct payload_reader *pr = arg;

	pr->calls++;
	pr->largest = len > pr->largest ? len : pr->largest;
	if (off + len > pr->fail_at)
		return -EIO;
	memcpy(buf, pr->data + off, len);
	return 0;
}

/*
 * A load too large to read whole (30000 routes, 2.4 MB) read in windows
 * gives the set the whole payload gives; a payload cut short is refused
 * with nothing changed; a read error is returned as such.
 */
static void test_apply_read(void **state)
{
	enum { N = 30000 };
	uint64_t rng = seed ^ 0xa99;
	struct rt_route *routes = malloc(N * sizeof(*routes));
	struct rt_durable *whole = rt_durable_create(), *read = rt_durable_create();
	struct rt_durable_buf b = { 0 };
	struct payload_reader pr = { .fail_at = UINT64_MAX };
	uint32_t table = 2;
	char err[128];

	(void)state;
	assert_non_null(routes);
	assert_non_null(whole);
	assert_non_null(read);
	for (size_t i = 0; i < N; i++)
		random_route(&rng, &routes[i]);
	assert_int_equal(rt_durable_encode_routes(&b, routes, 500), 0);
	apply_ok(whole, RT_DURABLE_OP_UPSERT, &b);
	apply_ok(read, RT_DURABLE_OP_UPSERT, &b);
	assert_int_equal(rt_durable_encode_load(&b, &table, 1, routes + 500, 100, routes + 600,
						N - 600), 0);
	assert_true(b.len > 2 * (1u << 20));
	apply_ok(whole, RT_DURABLE_OP_LOAD, &b);
	pr.data = b.data;
	assert_int_equal(rt_durable_apply_read(read, RT_DURABLE_OP_LOAD, b.len, read_payload, &pr,
					       err, sizeof(err)), 0);
	assert_true(pr.calls >= 2 * (b.len >> 20));
	assert_true(pr.largest <= 1u << 20);
	assert_int_equal(rt_durable_count(read), rt_durable_count(whole));
	for (size_t i = 0; i < rt_durable_count(whole); i++)
		assert_true(same_route(&rt_durable_routes(read)[i], &rt_durable_routes(whole)[i]));

	rt_durable_destroy(read);
	read = rt_durable_create();
	assert_non_null(read);
	assert_int_equal(rt_durable_apply_read(read, RT_DURABLE_OP_LOAD, b.len - 1, read_payload,
					       &pr, err, sizeof(err)), -EBADMSG);
	assert_int_equal(rt_durable_count(read), 0);
	pr.fail_at = b.len / 2;
	assert_int_equal(rt_durable_apply_read(read, RT_DURABLE_OP_LOAD, b.len, read_payload, &pr,
					       err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "reading the record"));
	assert_int_equal(rt_durable_count(read), 0);
	rt_durable_buf_free(&b);
	rt_durable_destroy(whole);
	rt_durable_destroy(read);
	free(routes);
}

static void test_tables(void **state)
{
	struct rt_durable *s = rt_durable_create();
	struct rt_durable_buf b = { 0 };
	uint32_t ids[4];
	char names[4][RT_DURABLE_NAME_LEN];
	struct rt_route r;
	uint64_t rng = seed;

	(void)state;
	assert_int_equal(rt_durable_encode_table(&b, 7, "edge"), 0);
	apply_ok(s, RT_DURABLE_OP_TABLE_CREATE, &b);
	assert_int_equal(rt_durable_encode_table(&b, 9, NULL), 0);
	apply_ok(s, RT_DURABLE_OP_TABLE_CREATE, &b);
	assert_int_equal(rt_durable_encode_table(&b, 7, "edge2"), 0);	/* renamed */
	apply_ok(s, RT_DURABLE_OP_TABLE_CREATE, &b);
	assert_int_equal(rt_durable_tables(s, ids, names, 4), 2);
	assert_int_equal(ids[0], 7);
	assert_string_equal(names[0], "edge2");
	assert_int_equal(ids[1], 9);
	assert_string_equal(names[1], "");
	random_route(&rng, &r);
	r.table = 9;
	assert_int_equal(rt_durable_encode_routes(&b, &r, 1), 0);
	apply_ok(s, RT_DURABLE_OP_UPSERT, &b);
	assert_int_equal(rt_durable_count(s), 1);
	assert_int_equal(rt_durable_encode_table(&b, 9, NULL), 0);
	apply_ok(s, RT_DURABLE_OP_TABLE_DROP, &b);
	assert_int_equal(rt_durable_count(s), 0);
	assert_int_equal(rt_durable_tables(s, ids, names, 4), 1);
	rt_durable_buf_free(&b);
	rt_durable_destroy(s);
}

static void expect_refused(struct rt_durable *s, uint16_t op, const uint8_t *p, size_t len)
{
	char err[128];
	size_t before = rt_durable_count(s);

	int rc = rt_durable_apply(s, op, p, len, err, sizeof(err));

	if (rc != -EBADMSG)
		fail_msg("op %u, %zu bytes: %d instead of a refusal (seed %llu)", op, len, rc, seed);
	assert_true(err[0] != '\0');
	assert_int_equal(rt_durable_count(s), before);
}

static void test_malformed(void **state)
{
	struct rt_durable *s = rt_durable_create();
	struct rt_durable_buf b = { 0 };
	struct rt_route r[2];
	uint64_t rng = seed;
	uint8_t copy[512];
	uint32_t t = 1;

	(void)state;
	random_route(&rng, &r[0]);
	random_route(&rng, &r[1]);
	/* Every truncation and extension of each kind of payload. */
	assert_int_equal(rt_durable_encode_routes(&b, r, 2), 0);
	for (size_t len = 0; len < b.len; len++)
		expect_refused(s, RT_DURABLE_OP_UPSERT, b.data, len);
	memcpy(copy, b.data, b.len);
	copy[b.len] = 0;
	expect_refused(s, RT_DURABLE_OP_UPSERT, copy, b.len + 1);
	assert_int_equal(rt_durable_encode_load(&b, &t, 1, r, 1, r + 1, 1), 0);
	for (size_t len = 0; len < b.len; len++)
		expect_refused(s, RT_DURABLE_OP_LOAD, b.data, len);
	assert_int_equal(rt_durable_encode_flush(&b, 0, 0, "bgp"), 0);
	for (size_t len = 0; len < b.len; len++)
		expect_refused(s, RT_DURABLE_OP_FLUSH, b.data, len);
	assert_int_equal(rt_durable_encode_table(&b, 3, "x"), 0);
	for (size_t len = 0; len < b.len; len++)
		expect_refused(s, RT_DURABLE_OP_TABLE_CREATE, b.data, len);
	expect_refused(s, 99, b.data, b.len);

	/* Bad fields inside a well-sized route: nothing of the batch is applied. */
	struct {
		size_t off;
		uint8_t val;
	} bad[] = {
		{ 4, 7 },			/* family */
		{ 5, 200 },			/* prefix length */
		{ 7, 2 },			/* flags: bits 1-3 are 0 */
		{ 7, 8 },
		{ 7, 0x40 },			/* type 4: unknown */
		{ 7, 0xf0 },
		{ 0, 0 },			/* table 0 (with the bytes below) */
		{ 48 + 15, 'x' },		/* protocol without NUL */
		{ 48, 'A' },			/* protocol syntax */
		{ 64 + 15, 'y' },		/* device without NUL */
	};
	r[0].has_tag = false;
	r[0].tag = 0;
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(rt_durable_encode_routes(&b, r, 2), 0);
		memcpy(copy, b.data, b.len);
		copy[4 + bad[k].off] = bad[k].val;
		if (bad[k].off == 0)
			memset(copy + 4, 0, 4);
		expect_refused(s, RT_DURABLE_OP_UPSERT, copy, b.len);
	}
	/* Host bits set, and a tag without its flag. */
	assert_int_equal(rt_durable_encode_routes(&b, r, 1), 0);
	memcpy(copy, b.data, b.len);
	copy[4 + 8 + (r[0].prefix.addr.family == AF_INET ? 3 : 15)] |= 1;
	expect_refused(s, RT_DURABLE_OP_UPSERT, copy, b.len);
	memcpy(copy, b.data, b.len);
	copy[4 + 44] = 1;
	expect_refused(s, RT_DURABLE_OP_UPSERT, copy, b.len);
	/* A rejecting type on a route with a next hop. */
	random_route(&rng, &r[0]);
	r[0].type = RT_TYPE_UNICAST;
	r[0].gateway.family = r[0].prefix.addr.family;
	r[0].gateway.bytes[0] = 1;
	assert_int_equal(rt_durable_encode_routes(&b, r, 1), 0);
	memcpy(copy, b.data, b.len);
	copy[4 + 7] |= RT_TYPE_BLACKHOLE << 4;
	expect_refused(s, RT_DURABLE_OP_UPSERT, copy, b.len);
	rt_durable_buf_free(&b);
	rt_durable_destroy(s);
}

/*
 * The type lives in the high bits of the flags byte, 0 in every route of
 * an older routed: a unicast route's bytes are what they always were, and
 * such bytes decode as unicast; other types round trip.
 */
static void test_route_type_encoding(void **state)
{
	struct rt_durable *s = rt_durable_create();
	struct rt_durable_buf b = { 0 };
	struct rt_route r, back[2];
	uint64_t rng = seed;
	char err[128];

	(void)state;
	do
		random_route(&rng, &r);
	while (r.type);
	r.has_tag = true;
	r.tag = 9;
	assert_int_equal(rt_durable_encode_routes(&b, &r, 1), 0);
	assert_int_equal(b.data[4 + 7], 0x01);	/* has tag, as before types */
	assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_UPSERT, b.data, b.len, err, sizeof(err)),
			 0);
	back[0] = rt_durable_routes(s)[0];
	assert_true(same_route(&back[0], &r));
	assert_int_equal(back[0].type, RT_TYPE_UNICAST);

	for (unsigned t = RT_TYPE_BLACKHOLE; t <= RT_TYPE_MAX; t++) {
		memset(&r.gateway, 0, sizeof(r.gateway));
		r.dev[0] = '\0';
		r.type = (uint8_t)t;
		r.has_tag = false;
		r.tag = 0;
		assert_int_equal(rt_durable_encode_routes(&b, &r, 1), 0);
		assert_int_equal(b.data[4 + 7], t << 4);
		assert_int_equal(rt_durable_apply(s, RT_DURABLE_OP_UPSERT, b.data, b.len, err,
						  sizeof(err)),
				 0);
		assert_int_equal(rt_durable_count(s), 1);	/* the same key, replaced */
		back[1] = rt_durable_routes(s)[0];
		assert_true(same_route(&back[1], &r));
	}
	rt_durable_buf_free(&b);
	rt_durable_destroy(s);
}

static int load_item(uint16_t item, const void *payload, uint32_t length, void *arg)
{
	char err[128];

	return rt_durable_apply_item(arg, item, payload, length, err, sizeof(err));
}

static void test_snapshot_round_trip(void **state)
{
	struct rt_durable *s = rt_durable_create(), *back = rt_durable_create();
	struct rt_durable_buf b = { 0 };
	struct rt_snapshot_info info;
	struct rt_route r;
	uint64_t rng = seed;
	char dir[] = "/tmp/test_durable.XXXXXX", err[256], path[300];
	uint32_t ids[4];
	char names[4][RT_DURABLE_NAME_LEN];
	DIR *d;
	struct dirent *de;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rt_durable_encode_table(&b, 2, "two"), 0);
	apply_ok(s, RT_DURABLE_OP_TABLE_CREATE, &b);
	/* More than one batch of routes. */
	for (unsigned i = 0; i < 10000; i++) {
		random_route(&rng, &r);
		r.prefix.addr.bytes[2] = (uint8_t)i;
		r.prefix.addr.bytes[3] = (uint8_t)(i >> 8);
		r.prefix.len = r.prefix.addr.family == AF_INET ? 32 : 128;
		assert_int_equal(rt_durable_encode_routes(&b, &r, 1), 0);
		apply_ok(s, RT_DURABLE_OP_UPSERT, &b);
	}
	assert_true(rt_durable_count(s) > 5000);
	assert_int_equal(rt_durable_write_snapshot(s, dir, 77, err, sizeof(err)), 0);
	assert_int_equal(rt_snapshot_load(dir, load_item, back, &info, err, sizeof(err)), 0);
	assert_int_equal(info.seq, 77);
	assert_int_equal(rt_durable_count(back), rt_durable_count(s));
	for (size_t i = 0; i < rt_durable_count(s); i += 97) {
		bool found = false;

		for (size_t k = 0; k < rt_durable_count(back) && !found; k++)
			found = same_route(&rt_durable_routes(back)[k], &rt_durable_routes(s)[i]);
		assert_true(found);
	}
	assert_int_equal(rt_durable_tables(back, ids, names, 4), 1);
	assert_string_equal(names[0], "two");
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	rt_durable_buf_free(&b);
	rt_durable_destroy(s);
	rt_durable_destroy(back);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_random_operations),
	cmocka_unit_test(test_load_stream),
	cmocka_unit_test(test_apply_read),
	cmocka_unit_test(test_tables),
	cmocka_unit_test(test_malformed),
	cmocka_unit_test(test_snapshot_round_trip),
	cmocka_unit_test(test_route_type_encoding),
};

int main(void)
{
	seed = seed_from_env();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

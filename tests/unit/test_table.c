/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routing tables: edge cases of add/delete/replace and lookups, batches,
 * whole-table replacement, walks, statistics and memory accounting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/table.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------- */
/* Helpers */

static struct rt_prefix pfx(const char *text)
{
	char err[RT_ERR_LEN] = "";
	struct rt_prefix p;

	if (rt_prefix_parse(text, &p, err, sizeof(err)))
		fail_msg("bad prefix in test: %s: %s", text, err);
	return p;
}

static struct rt_addr addr(const char *text)
{
	char err[RT_ERR_LEN] = "";
	struct rt_addr a;

	if (rt_addr_parse(text, &a, err, sizeof(err)))
		fail_msg("bad address in test: %s: %s", text, err);
	return a;
}

static const char *fmt_prefix(const struct rt_prefix *p, char *buf)
{
	return rt_prefix_format(p, buf, RT_PREFIX_STRLEN);
}

static const char *fmt_addr(const struct rt_addr *a, char *buf)
{
	return rt_addr_format(a, buf, RT_ADDR_STRLEN);
}

static struct rt_route route_p(const struct rt_prefix *p, const char *gw, const char *proto,
			       uint32_t metric, uint32_t tag)
{
	struct rt_route r;

	rt_route_init(&r);
	r.prefix = *p;
	if (gw)
		r.gateway = addr(gw);
	if (proto)
		snprintf(r.proto, sizeof(r.proto), "%s", proto);
	r.metric = metric;
	r.has_tag = true;
	r.tag = tag;
	return r;
}

static struct rt_route route(const char *prefix, const char *gw, const char *proto,
			     uint32_t metric, uint32_t tag)
{
	struct rt_prefix p = pfx(prefix);

	return route_p(&p, gw, proto, metric, tag);
}

static struct rt_route_key key_p(const struct rt_prefix *p, const char *proto, bool match_metric,
				 uint32_t metric)
{
	struct rt_route_key k;

	memset(&k, 0, sizeof(k));
	k.prefix = *p;
	if (proto)
		snprintf(k.proto, sizeof(k.proto), "%s", proto);
	k.match_metric = match_metric;
	k.metric = metric;
	return k;
}

static struct rt_route_key key(const char *prefix, const char *proto, bool match_metric,
			       uint32_t metric)
{
	struct rt_prefix p = pfx(prefix);

	return key_p(&p, proto, match_metric, metric);
}

static void add_ok(struct rt_table *t, const struct rt_route *r)
{
	char buf[RT_PREFIX_STRLEN];
	int rc = rt_table_add(t, r);

	if (rc)
		fail_msg("add %s proto %s metric %u: %d", fmt_prefix(&r->prefix, buf), r->proto,
			 r->metric, rc);
}

static void add(struct rt_table *t, const char *prefix, uint32_t tag)
{
	struct rt_route r = route(prefix, NULL, NULL, 0, tag);

	add_ok(t, &r);
}

/* Delete the best route of a prefix (any protocol, any metric). */
static int del(struct rt_table *t, const char *prefix)
{
	struct rt_route_key k = key(prefix, NULL, false, 0);

	return rt_table_delete(t, &k);
}

static void del_ok(struct rt_table *t, const char *prefix)
{
	int rc = del(t, prefix);

	if (rc)
		fail_msg("delete %s: %d", prefix, rc);
}

/* Add a default route (static, metric 0) for p with tag. */
static void add_at(struct rt_table *t, const struct rt_prefix *p, uint32_t tag)
{
	struct rt_route r = route_p(p, NULL, NULL, 0, tag);

	add_ok(t, &r);
}

/* Delete the best route of p, which must exist. */
static void del_at(struct rt_table *t, const struct rt_prefix *p)
{
	struct rt_route_key k = key_p(p, NULL, false, 0);
	char buf[RT_PREFIX_STRLEN];
	int rc = rt_table_delete(t, &k);

	if (rc)
		fail_msg("delete %s: %d", fmt_prefix(p, buf), rc);
}

static uint32_t lookup_id(struct rt_table *t, const struct rt_addr *a)
{
	uint32_t id = 0xdeadbeef;

	if (a->family == AF_INET) {
		uint32_t v4 = rt_addr_to_v4(a);

		rt_table_lookup_ids4(t, &v4, 1, &id);
	} else {
		uint8_t v6[1][16];

		memcpy(v6[0], a->bytes, 16);
		rt_table_lookup_ids6(t, (const uint8_t(*)[16])v6, 1, &id);
	}
	return id;
}

/*
 * Look up a and expect prefix p (NULL: no route) with tag. Also checks that
 * the raw id path agrees on whether there is a route, and returns the id.
 */
static uint32_t expect_at(struct rt_table *t, const struct rt_addr *a, const struct rt_prefix *p,
			  uint32_t tag)
{
	struct rt_lookup_result res;
	char ab[RT_ADDR_STRLEN], pb[RT_PREFIX_STRLEN], gb[RT_PREFIX_STRLEN];
	uint32_t id;

	memset(&res, 0x5a, sizeof(res));
	rt_table_lookup(t, a, 1, &res);
	id = lookup_id(t, a);
	if (!p) {
		if (res.found)
			fail_msg("lookup %s: expected no route, got %s tag %u", fmt_addr(a, ab),
				 fmt_prefix(&res.route.prefix, gb), res.route.tag);
		if (id != RT_NO_ROUTE)
			fail_msg("lookup ids %s: expected no route, got id %u", fmt_addr(a, ab),
				 id);
		return id;
	}
	if (!res.found)
		fail_msg("lookup %s: expected %s tag %u, got no route", fmt_addr(a, ab),
			 fmt_prefix(p, pb), tag);
	if (!rt_prefix_equal(&res.route.prefix, p) || !res.route.has_tag || res.route.tag != tag)
		fail_msg("lookup %s: expected %s tag %u, got %s tag %u", fmt_addr(a, ab),
			 fmt_prefix(p, pb), tag, fmt_prefix(&res.route.prefix, gb), res.route.tag);
	if (id == RT_NO_ROUTE)
		fail_msg("lookup ids %s: no id but lookup found %s", fmt_addr(a, ab),
			 fmt_prefix(p, pb));
	return id;
}

static void expect(struct rt_table *t, const char *a, const char *prefix, uint32_t tag)
{
	struct rt_addr ad = addr(a);
	struct rt_prefix p;

	if (!prefix) {
		expect_at(t, &ad, NULL, 0);
		return;
	}
	p = pfx(prefix);
	expect_at(t, &ad, &p, tag);
}

static bool route_equal(const struct rt_route *a, const struct rt_route *b)
{
	return a->table == b->table && rt_prefix_equal(&a->prefix, &b->prefix) &&
	       a->gateway.family == b->gateway.family &&
	       memcmp(a->gateway.bytes, b->gateway.bytes, 16) == 0 &&
	       strcmp(a->dev, b->dev) == 0 && a->metric == b->metric &&
	       strcmp(a->proto, b->proto) == 0 && a->has_tag == b->has_tag &&
	       a->type == b->type && (!a->has_tag || a->tag == b->tag);
}

struct collect {
	struct rt_route *r;
	size_t n, cap;
	size_t stop_after;	/* 0: never */
	int stop_rc;
};

static int collect_cb(const struct rt_route *r, void *arg)
{
	struct collect *c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->r = realloc(c->r, c->cap * sizeof(*c->r));
		assert_non_null(c->r);
	}
	c->r[c->n++] = *r;
	if (c->stop_after && c->n == c->stop_after)
		return c->stop_rc;
	return 0;
}

/* Every route of t in walk order; the caller frees *out. */
static size_t walk_all(struct rt_table *t, int family, const struct rt_prefix *from,
		       struct rt_route **out)
{
	struct collect c = { 0 };

	assert_int_equal(rt_table_walk(t, family, from, collect_cb, &c), 0);
	*out = c.r;
	return c.n;
}

static void expect_same_routes(const struct rt_route *a, size_t na, const struct rt_route *b,
			       size_t nb)
{
	char p1[RT_PREFIX_STRLEN], p2[RT_PREFIX_STRLEN];

	if (na != nb)
		fail_msg("%zu routes, expected %zu", na, nb);
	for (size_t i = 0; i < na; i++)
		if (!route_equal(&a[i], &b[i]))
			fail_msg("route %zu: %s %s m%u tag %u, expected %s %s m%u tag %u", i,
				 fmt_prefix(&a[i].prefix, p1), a[i].proto, a[i].metric, a[i].tag,
				 fmt_prefix(&b[i].prefix, p2), b[i].proto, b[i].metric, b[i].tag);
}

/* The table's full contents equal the snapshot. */
static void expect_contents(struct rt_table *t, const struct rt_route *snap, size_t n)
{
	struct rt_route *now;
	size_t m = walk_all(t, 0, NULL, &now);

	expect_same_routes(now, m, snap, n);
	free(now);
}

static struct rt_table *new_table(void)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);

	assert_non_null(t);
	return t;
}

/* Simple deterministic generator for shuffles. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void shuffle(unsigned *v, unsigned n)
{
	for (unsigned i = n; i > 1; i--) {
		unsigned j = (unsigned)(rng() % i), x = v[i - 1];

		v[i - 1] = v[j];
		v[j] = x;
	}
}

/* ---------------------------------------------------------------------- */
/* Default routes */

static void test_default_v4_first(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	expect(t, "1.2.3.4", NULL, 0);
	add(t, "0.0.0.0/0", 1);
	expect(t, "0.0.0.0", "0.0.0.0/0", 1);
	expect(t, "1.2.3.4", "0.0.0.0/0", 1);
	expect(t, "127.255.255.255", "0.0.0.0/0", 1);
	expect(t, "128.0.0.0", "0.0.0.0/0", 1);
	expect(t, "255.255.255.255", "0.0.0.0/0", 1);
	/* IPv4 default never answers IPv6. */
	expect(t, "::1", NULL, 0);
	add(t, "10.0.0.0/8", 2);
	add(t, "10.1.2.0/24", 3);
	expect(t, "10.1.2.3", "10.1.2.0/24", 3);
	expect(t, "10.1.3.3", "10.0.0.0/8", 2);
	expect(t, "11.0.0.0", "0.0.0.0/0", 1);
	expect(t, "9.255.255.255", "0.0.0.0/0", 1);
	del_ok(t, "0.0.0.0/0");
	expect(t, "10.1.2.3", "10.1.2.0/24", 3);
	expect(t, "10.255.255.255", "10.0.0.0/8", 2);
	expect(t, "11.0.0.0", NULL, 0);
	expect(t, "0.0.0.0", NULL, 0);
	expect(t, "255.255.255.255", NULL, 0);
	assert_int_equal(del(t, "0.0.0.0/0"), -ENOENT);
	rt_table_destroy(t);
}

static void test_default_v4_last(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "10.0.0.0/8", 2);
	add(t, "10.1.2.0/24", 3);
	add(t, "192.168.1.1/32", 4);
	expect(t, "11.0.0.0", NULL, 0);
	add(t, "0.0.0.0/0", 1);
	expect(t, "11.0.0.0", "0.0.0.0/0", 1);
	expect(t, "10.1.2.255", "10.1.2.0/24", 3);
	expect(t, "10.1.1.255", "10.0.0.0/8", 2);
	expect(t, "192.168.1.1", "192.168.1.1/32", 4);
	expect(t, "192.168.1.0", "0.0.0.0/0", 1);
	expect(t, "192.168.1.2", "0.0.0.0/0", 1);
	del_ok(t, "0.0.0.0/0");
	expect(t, "192.168.1.2", NULL, 0);
	expect(t, "192.168.1.1", "192.168.1.1/32", 4);
	expect(t, "10.1.1.255", "10.0.0.0/8", 2);
	/* Deleting the rest leaves nothing behind. */
	del_ok(t, "10.0.0.0/8");
	del_ok(t, "10.1.2.0/24");
	del_ok(t, "192.168.1.1/32");
	expect(t, "10.1.2.3", NULL, 0);
	expect(t, "192.168.1.1", NULL, 0);
	rt_table_destroy(t);
}

static void test_default_v6_first(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "::/0", 1);
	expect(t, "::", "::/0", 1);
	expect(t, "2001:db8::1", "::/0", 1);
	expect(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0", 1);
	expect(t, "1.2.3.4", NULL, 0);
	add(t, "2001:db8::/32", 2);
	add(t, "2001:db8:1:2::/64", 3);
	expect(t, "2001:db8:1:2::99", "2001:db8:1:2::/64", 3);
	expect(t, "2001:db8:1:3::", "2001:db8::/32", 2);
	expect(t, "2001:db9::", "::/0", 1);
	del_ok(t, "::/0");
	expect(t, "2001:db9::", NULL, 0);
	expect(t, "::", NULL, 0);
	expect(t, "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64", 3);
	expect(t, "2001:db8:ffff::", "2001:db8::/32", 2);
	assert_int_equal(del(t, "::/0"), -ENOENT);
	rt_table_destroy(t);
}

static void test_default_v6_last(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "2001:db8::/32", 2);
	add(t, "2001:db8::1/128", 3);
	add(t, "fe80::/10", 4);
	expect(t, "3000::", NULL, 0);
	add(t, "::/0", 1);
	expect(t, "3000::", "::/0", 1);
	expect(t, "2001:db8::1", "2001:db8::1/128", 3);
	expect(t, "2001:db8::2", "2001:db8::/32", 2);
	expect(t, "febf:ffff::", "fe80::/10", 4);
	expect(t, "fec0::", "::/0", 1);
	del_ok(t, "::/0");
	expect(t, "fec0::", NULL, 0);
	expect(t, "2001:db8::1", "2001:db8::1/128", 3);
	rt_table_destroy(t);
}

/* Both families' defaults side by side stay independent. */
static void test_default_both(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "0.0.0.0/0", 4);
	add(t, "::/0", 6);
	expect(t, "8.8.8.8", "0.0.0.0/0", 4);
	expect(t, "2001:4860::8888", "::/0", 6);
	del_ok(t, "0.0.0.0/0");
	expect(t, "8.8.8.8", NULL, 0);
	expect(t, "2001:4860::8888", "::/0", 6);
	add(t, "0.0.0.0/0", 5);
	del_ok(t, "::/0");
	expect(t, "8.8.8.8", "0.0.0.0/0", 5);
	expect(t, "2001:4860::8888", NULL, 0);
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* Host routes and extreme addresses */

static void test_host_routes(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "192.0.2.77/32", 1);
	expect(t, "192.0.2.77", "192.0.2.77/32", 1);
	expect(t, "192.0.2.76", NULL, 0);
	expect(t, "192.0.2.78", NULL, 0);
	add(t, "192.0.2.76/31", 2);
	expect(t, "192.0.2.76", "192.0.2.76/31", 2);
	expect(t, "192.0.2.77", "192.0.2.77/32", 1);
	add(t, "192.0.2.76/32", 3);
	expect(t, "192.0.2.76", "192.0.2.76/32", 3);
	del_ok(t, "192.0.2.77/32");
	expect(t, "192.0.2.77", "192.0.2.76/31", 2);
	expect(t, "192.0.2.76", "192.0.2.76/32", 3);

	add(t, "2001:db8::abcd/128", 11);
	expect(t, "2001:db8::abcd", "2001:db8::abcd/128", 11);
	expect(t, "2001:db8::abcc", NULL, 0);
	expect(t, "2001:db8::abce", NULL, 0);
	add(t, "2001:db8::abcc/127", 12);
	expect(t, "2001:db8::abcc", "2001:db8::abcc/127", 12);
	expect(t, "2001:db8::abcd", "2001:db8::abcd/128", 11);
	expect(t, "2001:db8::abce", NULL, 0);
	del_ok(t, "2001:db8::abcd/128");
	expect(t, "2001:db8::abcd", "2001:db8::abcc/127", 12);
	del_ok(t, "2001:db8::abcc/127");
	expect(t, "2001:db8::abcd", NULL, 0);
	rt_table_destroy(t);
}

static void test_extreme_v4(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "0.0.0.0/32", 1);
	add(t, "255.255.255.255/32", 2);
	expect(t, "0.0.0.0", "0.0.0.0/32", 1);
	expect(t, "0.0.0.1", NULL, 0);
	expect(t, "255.255.255.255", "255.255.255.255/32", 2);
	expect(t, "255.255.255.254", NULL, 0);
	add(t, "0.0.0.0/0", 3);
	expect(t, "0.0.0.0", "0.0.0.0/32", 1);
	expect(t, "0.0.0.1", "0.0.0.0/0", 3);
	expect(t, "255.255.255.255", "255.255.255.255/32", 2);
	expect(t, "255.255.255.254", "0.0.0.0/0", 3);
	add(t, "128.0.0.0/1", 4);
	add(t, "0.0.0.0/1", 5);
	expect(t, "127.255.255.255", "0.0.0.0/1", 5);
	expect(t, "128.0.0.0", "128.0.0.0/1", 4);
	expect(t, "255.255.255.254", "128.0.0.0/1", 4);
	del_ok(t, "255.255.255.255/32");
	expect(t, "255.255.255.255", "128.0.0.0/1", 4);
	del_ok(t, "128.0.0.0/1");
	expect(t, "255.255.255.255", "0.0.0.0/0", 3);
	del_ok(t, "0.0.0.0/0");
	expect(t, "255.255.255.255", NULL, 0);
	expect(t, "0.0.0.0", "0.0.0.0/32", 1);
	expect(t, "0.0.0.1", "0.0.0.0/1", 5);
	del_ok(t, "0.0.0.0/1");
	del_ok(t, "0.0.0.0/32");
	expect(t, "0.0.0.0", NULL, 0);
	rt_table_destroy(t);
}

static void test_extreme_v6(void **state)
{
	struct rt_table *t = new_table();
	const char *ones = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";

	(void)state;
	add(t, "::/128", 1);
	add(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 2);
	expect(t, "::", "::/128", 1);
	expect(t, "::1", NULL, 0);
	expect(t, ones, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 2);
	expect(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", NULL, 0);
	add(t, "::/0", 3);
	expect(t, "::1", "::/0", 3);
	expect(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "::/0", 3);
	expect(t, ones, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 2);
	add(t, "8000::/1", 4);
	expect(t, ones, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 2);
	expect(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "8000::/1", 4);
	expect(t, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0", 3);
	del_ok(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	expect(t, ones, "8000::/1", 4);
	del_ok(t, "::/0");
	expect(t, "::1", NULL, 0);
	expect(t, "::", "::/128", 1);
	del_ok(t, "::/128");
	expect(t, "::", NULL, 0);
	del_ok(t, "8000::/1");
	expect(t, ones, NULL, 0);
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* Nesting */

static void test_nested_delete_covering(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "10.0.0.0/8", 8);
	add(t, "10.1.0.0/16", 16);
	add(t, "10.1.2.0/24", 24);
	add(t, "10.1.2.128/25", 25);
	add(t, "10.1.2.129/32", 32);
	expect(t, "10.1.2.129", "10.1.2.129/32", 32);
	expect(t, "10.1.2.130", "10.1.2.128/25", 25);
	expect(t, "10.1.2.127", "10.1.2.0/24", 24);
	expect(t, "10.1.3.0", "10.1.0.0/16", 16);
	expect(t, "10.2.0.0", "10.0.0.0/8", 8);
	/* The covering /16 goes: only what it answered itself changes. */
	del_ok(t, "10.1.0.0/16");
	expect(t, "10.1.3.0", "10.0.0.0/8", 8);
	expect(t, "10.1.255.255", "10.0.0.0/8", 8);
	expect(t, "10.1.2.127", "10.1.2.0/24", 24);
	expect(t, "10.1.2.130", "10.1.2.128/25", 25);
	expect(t, "10.1.2.129", "10.1.2.129/32", 32);
	/* The outermost goes too. */
	del_ok(t, "10.0.0.0/8");
	expect(t, "10.1.3.0", NULL, 0);
	expect(t, "10.1.2.0", "10.1.2.0/24", 24);
	expect(t, "10.1.2.255", "10.1.2.128/25", 25);
	/* And the /24 between two survivors. */
	del_ok(t, "10.1.2.0/24");
	expect(t, "10.1.2.0", NULL, 0);
	expect(t, "10.1.2.127", NULL, 0);
	expect(t, "10.1.2.128", "10.1.2.128/25", 25);
	expect(t, "10.1.2.129", "10.1.2.129/32", 32);
	rt_table_destroy(t);
}

static void test_nested_delete_covered(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "10.0.0.0/8", 8);
	add(t, "10.1.0.0/16", 16);
	add(t, "10.1.2.0/24", 24);
	add(t, "10.1.2.128/25", 25);
	add(t, "10.1.2.129/32", 32);
	del_ok(t, "10.1.2.129/32");
	expect(t, "10.1.2.129", "10.1.2.128/25", 25);
	del_ok(t, "10.1.2.128/25");
	expect(t, "10.1.2.129", "10.1.2.0/24", 24);
	expect(t, "10.1.2.255", "10.1.2.0/24", 24);
	del_ok(t, "10.1.2.0/24");
	expect(t, "10.1.2.129", "10.1.0.0/16", 16);
	del_ok(t, "10.1.0.0/16");
	expect(t, "10.1.2.129", "10.0.0.0/8", 8);
	expect(t, "10.255.255.255", "10.0.0.0/8", 8);
	expect(t, "11.0.0.0", NULL, 0);
	del_ok(t, "10.0.0.0/8");
	expect(t, "10.1.2.129", NULL, 0);

	/* The same in IPv6, across several 6-bit strides. */
	add(t, "2001:db8::/32", 32);
	add(t, "2001:db8:aa00::/40", 40);
	add(t, "2001:db8:aabb::/48", 48);
	add(t, "2001:db8:aabb:cc00::/56", 56);
	add(t, "2001:db8:aabb:ccdd::/64", 64);
	add(t, "2001:db8:aabb:ccdd::1/128", 128);
	expect(t, "2001:db8:aabb:ccdd::1", "2001:db8:aabb:ccdd::1/128", 128);
	expect(t, "2001:db8:aabb:ccdd::2", "2001:db8:aabb:ccdd::/64", 64);
	expect(t, "2001:db8:aabb:ccde::", "2001:db8:aabb:cc00::/56", 56);
	expect(t, "2001:db8:aabb:cd00::", "2001:db8:aabb::/48", 48);
	expect(t, "2001:db8:aabc::", "2001:db8:aa00::/40", 40);
	expect(t, "2001:db8:ab00::", "2001:db8::/32", 32);
	del_ok(t, "2001:db8:aabb:ccdd::/64");
	expect(t, "2001:db8:aabb:ccdd::1", "2001:db8:aabb:ccdd::1/128", 128);
	expect(t, "2001:db8:aabb:ccdd::2", "2001:db8:aabb:cc00::/56", 56);
	del_ok(t, "2001:db8:aa00::/40");
	expect(t, "2001:db8:aabc::", "2001:db8::/32", 32);
	expect(t, "2001:db8:aabb:1::", "2001:db8:aabb::/48", 48);
	del_ok(t, "2001:db8:aabb:ccdd::1/128");
	expect(t, "2001:db8:aabb:ccdd::1", "2001:db8:aabb:cc00::/56", 56);
	del_ok(t, "2001:db8:aabb:cc00::/56");
	del_ok(t, "2001:db8:aabb::/48");
	expect(t, "2001:db8:aabb:ccdd::1", "2001:db8::/32", 32);
	del_ok(t, "2001:db8::/32");
	expect(t, "2001:db8:aabb:ccdd::1", NULL, 0);
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* One address at every length */

#define ALL_LENGTHS_TAG 1000u

struct ladder {
	int family;
	unsigned bits;
	struct rt_addr base;		/* its prefixes of every length are the ladder */
	struct rt_prefix p[129];
	bool present[129];
	struct rt_addr probe[132];	/* base, base with each bit flipped, complement */
	unsigned diverge[132];		/* first bit where probe leaves base */
	unsigned nprobes;
};

static void ladder_init(struct ladder *l, const char *base)
{
	memset(l, 0, sizeof(*l));
	l->base = addr(base);
	l->family = l->base.family;
	l->bits = rt_family_bits(l->family);
	for (unsigned len = 0; len <= l->bits; len++) {
		struct rt_addr a = l->base;

		rt_addr_mask(&a, len);
		assert_int_equal(rt_prefix_make(&a, len, &l->p[len]), 0);
	}
	l->probe[l->nprobes] = l->base;
	l->diverge[l->nprobes++] = l->bits;
	for (unsigned i = 0; i < l->bits; i++) {
		struct rt_addr a = l->base;

		a.bytes[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
		l->probe[l->nprobes] = a;
		l->diverge[l->nprobes++] = i;
	}
	l->probe[l->nprobes] = l->base;
	for (unsigned i = 0; i < l->bits / 8; i++)
		l->probe[l->nprobes].bytes[i] ^= 0xff;
	l->diverge[l->nprobes++] = 0;
}

/* Every probe resolves to the longest present prefix it lies in. */
static void ladder_check(struct rt_table *t, const struct ladder *l)
{
	for (unsigned i = 0; i < l->nprobes; i++) {
		int want = -1;

		for (unsigned len = 0; len <= l->diverge[i]; len++)
			if (l->present[len])
				want = (int)len;
		if (want < 0)
			expect_at(t, &l->probe[i], NULL, 0);
		else
			expect_at(t, &l->probe[i], &l->p[want], ALL_LENGTHS_TAG + (unsigned)want);
	}
}

static void ladder_add(struct rt_table *t, struct ladder *l, unsigned len)
{
	struct rt_route r = route_p(&l->p[len], NULL, NULL, 0, ALL_LENGTHS_TAG + len);

	add_ok(t, &r);
	l->present[len] = true;
	ladder_check(t, l);
}

static void ladder_del(struct rt_table *t, struct ladder *l, unsigned len)
{
	struct rt_route_key k = key_p(&l->p[len], NULL, false, 0);

	assert_int_equal(rt_table_delete(t, &k), 0);
	l->present[len] = false;
	ladder_check(t, l);
}

static void run_ladder(const char *base)
{
	struct rt_table *t = new_table();
	struct ladder l;
	struct rt_table_stats st;
	unsigned order[129];

	ladder_init(&l, base);
	ladder_check(t, &l);
	/* Ascending, then deleted descending. */
	for (unsigned len = 0; len <= l.bits; len++)
		ladder_add(t, &l, len);
	for (unsigned len = l.bits + 1; len-- > 0;)
		ladder_del(t, &l, len);
	/* Descending, then deleted ascending. */
	for (unsigned len = l.bits + 1; len-- > 0;)
		ladder_add(t, &l, len);
	for (unsigned len = 0; len <= l.bits; len++)
		ladder_del(t, &l, len);
	/* Shuffled both ways. */
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i <= l.bits; i++)
			order[i] = i;
		shuffle(order, l.bits + 1);
		for (unsigned i = 0; i <= l.bits; i++)
			ladder_add(t, &l, order[i]);
		shuffle(order, l.bits + 1);
		for (unsigned i = 0; i <= l.bits; i++)
			ladder_del(t, &l, order[i]);
	}
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.prefixes + st.v6.prefixes, 0);
	assert_int_equal(st.v4.fib_nodes + st.v6.fib_nodes, 0);
	rt_table_destroy(t);
}

static void test_all_lengths_v4(void **state)
{
	(void)state;
	run_ladder("181.163.201.110");
	run_ladder("0.0.0.0");
	run_ladder("255.255.255.255");
}

static void test_all_lengths_v6(void **state)
{
	(void)state;
	run_ladder("2001:db8:85a3:7c1e:9f37:4b2d:e6a1:53c9");
	run_ladder("::");
	run_ladder("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

/* ---------------------------------------------------------------------- */
/* Re-adding, missing deletes, duplicates */

static void test_readd(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "10.0.0.0/8", 1);
	add(t, "10.20.30.0/24", 2);
	add(t, "2001:db8:1::/48", 3);
	for (uint32_t i = 0; i < 50; i++) {
		del_ok(t, "10.20.30.0/24");
		expect(t, "10.20.30.40", "10.0.0.0/8", 1);
		add(t, "10.20.30.0/24", 100 + i);
		expect(t, "10.20.30.40", "10.20.30.0/24", 100 + i);
		del_ok(t, "2001:db8:1::/48");
		expect(t, "2001:db8:1::1", NULL, 0);
		add(t, "2001:db8:1::/48", 200 + i);
		expect(t, "2001:db8:1::1", "2001:db8:1::/48", 200 + i);
		if (i % 10 == 0)
			rt_table_quiesce(t);	/* ids get recycled */
	}
	del_ok(t, "10.0.0.0/8");
	add(t, "10.0.0.0/8", 5);
	expect(t, "10.1.1.1", "10.0.0.0/8", 5);
	expect(t, "10.20.30.40", "10.20.30.0/24", 149);
	rt_table_destroy(t);
}

static void test_delete_missing(void **state)
{
	struct rt_table *t = new_table();
	struct rt_route r = route("10.0.0.0/8", NULL, "bgp", 20, 1);
	struct rt_route_key k;
	struct rt_route *snap;
	size_t n;

	(void)state;
	assert_int_equal(del(t, "10.0.0.0/8"), -ENOENT);
	assert_int_equal(del(t, "::/0"), -ENOENT);
	add_ok(t, &r);
	add(t, "11.0.0.0/8", 2);	/* a glue node joins 10/8 and 11/8 at /7 */
	add(t, "2001:db8::/32", 3);
	n = walk_all(t, 0, NULL, &snap);

	assert_int_equal(del(t, "10.0.0.0/7"), -ENOENT);
	assert_int_equal(del(t, "10.0.0.0/9"), -ENOENT);
	assert_int_equal(del(t, "10.0.0.0/16"), -ENOENT);
	assert_int_equal(del(t, "2001:db8::/48"), -ENOENT);
	assert_int_equal(del(t, "2001:db8::/31"), -ENOENT);
	/* Family matters: 10.0.0.0/8 is not ::a00:0/8 or the like. */
	assert_int_equal(del(t, "a00::/8"), -ENOENT);
	/* The prefix exists but not with this protocol or metric. */
	k = key("10.0.0.0/8", "static", false, 0);
	assert_int_equal(rt_table_delete(t, &k), -ENOENT);
	k = key("10.0.0.0/8", "neverseen", false, 0);
	assert_int_equal(rt_table_delete(t, &k), -ENOENT);
	k = key("10.0.0.0/8", "bgp", true, 10);
	assert_int_equal(rt_table_delete(t, &k), -ENOENT);
	k = key("10.0.0.0/8", NULL, true, 21);
	assert_int_equal(rt_table_delete(t, &k), -ENOENT);
	expect_contents(t, snap, n);
	expect(t, "10.1.1.1", "10.0.0.0/8", 1);

	/* The matching key does delete it, once. */
	k = key("10.0.0.0/8", "bgp", true, 20);
	assert_int_equal(rt_table_delete(t, &k), 0);
	assert_int_equal(rt_table_delete(t, &k), -ENOENT);
	expect(t, "10.1.1.1", NULL, 0);
	expect(t, "11.1.1.1", "11.0.0.0/8", 2);
	free(snap);
	rt_table_destroy(t);
}

static void test_duplicate_add(void **state)
{
	struct rt_table *t = new_table();
	struct rt_route r = route("10.0.0.0/8", "192.0.2.1", "bgp", 20, 1);
	struct rt_route dup = route("10.0.0.0/8", "192.0.2.99", "bgp", 20, 2);
	struct rt_route out[4];
	struct rt_table_stats st;

	(void)state;
	add_ok(t, &r);
	assert_int_equal(rt_table_add(t, &dup), -EEXIST);
	assert_int_equal(rt_table_add(t, &r), -EEXIST);
	expect(t, "10.1.1.1", "10.0.0.0/8", 1);
	assert_int_equal(rt_table_get(t, &r.prefix, out, 4), 1);
	assert_true(route_equal(&out[0], &r));
	/* A different metric or protocol is a different route. */
	dup.metric = 21;
	add_ok(t, &dup);
	dup.metric = 20;
	snprintf(dup.proto, sizeof(dup.proto), "ospf");
	add_ok(t, &dup);
	assert_int_equal(rt_table_add(t, &dup), -EEXIST);
	assert_int_equal(rt_table_get(t, &r.prefix, out, 4), 3);
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.routes, 3);
	assert_int_equal(st.v4.prefixes, 1);
	/* IPv6 the same. */
	r = route("2001:db8::/32", NULL, "static", 0, 7);
	add_ok(t, &r);
	assert_int_equal(rt_table_add(t, &r), -EEXIST);
	rt_table_stats(t, &st);
	assert_int_equal(st.v6.routes, 1);
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* Replace */

static void test_replace_every_level(void **state)
{
	struct rt_table *t = new_table();
	struct ladder l;
	uint32_t ids[132];
	char gw[32];
	unsigned order[33];

	(void)state;
	ladder_init(&l, "172.20.99.201");
	for (unsigned len = 0; len <= 32; len++) {
		struct rt_route r = route_p(&l.p[len], "192.0.2.1", "static", 5,
					    ALL_LENGTHS_TAG + len);

		add_ok(t, &r);
		l.present[len] = true;
	}
	ladder_check(t, &l);
	for (unsigned i = 0; i < l.nprobes; i++)
		ids[i] = lookup_id(t, &l.probe[i]);
	for (unsigned i = 0; i <= 32; i++)
		order[i] = i;
	shuffle(order, 33);
	for (unsigned i = 0; i <= 32; i++) {
		unsigned len = order[i];
		struct rt_route r, out[2];
		struct rt_lookup_result res;

		snprintf(gw, sizeof(gw), "198.51.100.%u", len);
		r = route_p(&l.p[len], gw, "static", 5, 5000 + len);
		assert_int_equal(rt_table_replace(t, &r), 0);
		/* Still one route, now the new one. */
		assert_int_equal(rt_table_get(t, &l.p[len], out, 2), 1);
		assert_true(route_equal(&out[0], &r));
		for (unsigned p = 0; p < l.nprobes; p++) {
			unsigned want = 0;

			for (unsigned j = 0; j <= l.diverge[p]; j++)
				want = j;
			rt_table_lookup(t, &l.probe[p], 1, &res);
			assert_true(res.found);
			assert_true(rt_prefix_equal(&res.route.prefix, &l.p[want]));
			/* Replaced in place: the id of the prefix is unchanged. */
			assert_int_equal(lookup_id(t, &l.probe[p]), ids[p]);
			if (want == len) {
				assert_int_equal(res.route.tag, 5000 + len);
				assert_memory_equal(res.route.gateway.bytes, r.gateway.bytes, 4);
			}
		}
	}
	/* Every level now carries its new next hop. */
	for (unsigned len = 0; len <= 32; len++) {
		struct rt_route out[1];

		assert_int_equal(rt_table_get(t, &l.p[len], out, 1), 1);
		assert_int_equal(out[0].tag, 5000 + len);
		assert_int_equal(out[0].gateway.bytes[3], len);
	}
	rt_table_destroy(t);
}

static void test_replace_adds_and_keys(void **state)
{
	struct rt_table *t = new_table();
	struct rt_route r = route("2001:db8:5::/48", "2001:db8::1", "bgp", 10, 1), out[4];
	struct rt_table_stats st;

	(void)state;
	/* Replace of a missing route adds it. */
	assert_int_equal(rt_table_replace(t, &r), 0);
	expect(t, "2001:db8:5::1", "2001:db8:5::/48", 1);
	/* Same (proto, metric): overwritten. */
	r.tag = 2;
	r.gateway = addr("2001:db8::2");
	assert_int_equal(rt_table_replace(t, &r), 0);
	expect(t, "2001:db8:5::1", "2001:db8:5::/48", 2);
	/* Different metric: a second route, and the first stays best. */
	r.metric = 20;
	r.tag = 3;
	assert_int_equal(rt_table_replace(t, &r), 0);
	expect(t, "2001:db8:5::1", "2001:db8:5::/48", 2);
	assert_int_equal(rt_table_get(t, &r.prefix, out, 4), 2);
	assert_int_equal(out[0].tag, 2);
	assert_int_equal(out[1].tag, 3);
	/* Replacing the non-best route does not change the answer. */
	r.tag = 4;
	assert_int_equal(rt_table_replace(t, &r), 0);
	expect(t, "2001:db8:5::1", "2001:db8:5::/48", 2);
	rt_table_stats(t, &st);
	assert_int_equal(st.v6.routes, 2);
	assert_int_equal(st.v6.prefixes, 1);
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* Several routes per prefix */

static void check_best(struct rt_table *t, const char *a, const char *proto, uint32_t metric)
{
	struct rt_lookup_result res;
	struct rt_addr ad = addr(a);

	assert_true(rt_table_lookup_one(t, &ad, &res));
	if (strcmp(res.route.proto, proto) != 0 || res.route.metric != metric)
		fail_msg("best for %s: %s/%u, expected %s/%u", a, res.route.proto,
			 res.route.metric, proto, metric);
}

static void test_best_route(void **state)
{
	static const struct {
		const char *proto;
		uint32_t metric;
	} routes[] = {
		{ "static", 20 }, { "ospf", 10 }, { "kernel", 30 }, { "bgp", 10 }, { "babel", 20 },
	};
	unsigned order[ARRAY_SIZE(routes)];

	(void)state;
	/* The winner does not depend on the order routes arrive in. */
	for (unsigned round = 0; round < 20; round++) {
		struct rt_table *t = new_table();
		struct rt_route_key k;

		for (unsigned i = 0; i < ARRAY_SIZE(routes); i++)
			order[i] = i;
		if (round)
			shuffle(order, ARRAY_SIZE(routes));
		for (unsigned i = 0; i < ARRAY_SIZE(routes); i++) {
			unsigned j = order[i];
			struct rt_route r = route("10.0.0.0/8", NULL, routes[j].proto,
						  routes[j].metric, j);

			add_ok(t, &r);
			r = route("2001:db8::/32", NULL, routes[j].proto, routes[j].metric, j);
			add_ok(t, &r);
		}
		check_best(t, "10.1.2.3", "bgp", 10);
		check_best(t, "2001:db8::1", "bgp", 10);
		/* Deleting the best promotes the next: ospf 10, babel 20, static 20, kernel. */
		k = key("10.0.0.0/8", "bgp", false, 0);
		assert_int_equal(rt_table_delete(t, &k), 0);
		check_best(t, "10.1.2.3", "ospf", 10);
		/* Any protocol: the best goes. */
		k = key("10.0.0.0/8", NULL, false, 0);
		assert_int_equal(rt_table_delete(t, &k), 0);
		check_best(t, "10.1.2.3", "babel", 20);
		/* Metric 20, any protocol: the better of the two (babel). */
		k = key("10.0.0.0/8", NULL, true, 20);
		assert_int_equal(rt_table_delete(t, &k), 0);
		check_best(t, "10.1.2.3", "static", 20);
		/* A non-best route goes: no change. */
		k = key("10.0.0.0/8", "kernel", false, 0);
		assert_int_equal(rt_table_delete(t, &k), 0);
		check_best(t, "10.1.2.3", "static", 20);
		/* A new better one takes over; deleting it restores. */
		{
			struct rt_route r = route("10.0.0.0/8", NULL, "aaa", 20, 99);

			add_ok(t, &r);
			check_best(t, "10.1.2.3", "aaa", 20);
			k = key("10.0.0.0/8", "aaa", true, 20);
			assert_int_equal(rt_table_delete(t, &k), 0);
			check_best(t, "10.1.2.3", "static", 20);
		}
		k = key("10.0.0.0/8", NULL, false, 0);
		assert_int_equal(rt_table_delete(t, &k), 0);
		expect(t, "10.1.2.3", NULL, 0);
		assert_int_equal(rt_table_delete(t, &k), -ENOENT);
		/* IPv6 untouched by all that. */
		check_best(t, "2001:db8::1", "bgp", 10);
		rt_table_destroy(t);
	}
}

/* ---------------------------------------------------------------------- */
/* Many prefixes under one 16-bit chunk */

static void test_dense_v4(void **state)
{
	struct rt_table *t = new_table();
	struct rt_table_stats st;
	struct rt_prefix p;
	struct rt_addr a;

	(void)state;
	/* Every /24 and every /28 of 10.0.0.0/16. */
	for (uint32_t i = 0; i < 256; i++) {
		rt_addr_from_v4(&a, 0x0a000000u | i << 8);
		assert_int_equal(rt_prefix_make(&a, 24, &p), 0);
		add_at(t, &p, 0x24000000u | i);
	}
	for (uint32_t i = 0; i < 4096; i++) {
		rt_addr_from_v4(&a, 0x0a000000u | i << 4);
		assert_int_equal(rt_prefix_make(&a, 28, &p), 0);
		add_at(t, &p, 0x28000000u | i);
	}
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.prefixes, 256 + 4096);
	for (uint32_t x = 0; x < 65536; x += 7) {
		rt_addr_from_v4(&a, 0x0a000000u | x);
		rt_addr_from_v4(&p.addr, 0x0a000000u | (x & ~15u));
		p.len = 28;
		expect_at(t, &a, &p, 0x28000000u | x >> 4);
	}
	/* Every other /28 goes: its addresses fall back to the /24. */
	for (uint32_t i = 0; i < 4096; i += 2) {
		rt_addr_from_v4(&a, 0x0a000000u | i << 4);
		assert_int_equal(rt_prefix_make(&a, 28, &p), 0);
		del_at(t, &p);
	}
	/* And every /24 with an odd third byte. */
	for (uint32_t i = 1; i < 256; i += 2) {
		rt_addr_from_v4(&a, 0x0a000000u | i << 8);
		assert_int_equal(rt_prefix_make(&a, 24, &p), 0);
		del_at(t, &p);
	}
	for (uint32_t x = 0; x < 65536; x += 3) {
		uint32_t s28 = x >> 4, s24 = x >> 8;

		rt_addr_from_v4(&a, 0x0a000000u | x);
		if (s28 & 1) {
			rt_addr_from_v4(&p.addr, 0x0a000000u | s28 << 4);
			p.len = 28;
			expect_at(t, &a, &p, 0x28000000u | s28);
		} else if (!(s24 & 1)) {
			rt_addr_from_v4(&p.addr, 0x0a000000u | s24 << 8);
			p.len = 24;
			expect_at(t, &a, &p, 0x24000000u | s24);
		} else {
			expect_at(t, &a, NULL, 0);
		}
	}
	/* Outside the /16: nothing. */
	expect(t, "10.1.0.0", NULL, 0);
	expect(t, "9.255.255.255", NULL, 0);
	rt_table_destroy(t);
}

static void v6_from_words(struct rt_addr *a, uint16_t w2, uint16_t w3)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->bytes[0] = 0x20;
	a->bytes[1] = 0x01;
	a->bytes[2] = 0x0d;
	a->bytes[3] = 0xb8;
	a->bytes[4] = (uint8_t)(w2 >> 8);
	a->bytes[5] = (uint8_t)w2;
	a->bytes[6] = (uint8_t)(w3 >> 8);
	a->bytes[7] = (uint8_t)w3;
}

static void test_dense_v6(void **state)
{
	struct rt_table *t = new_table();
	struct rt_table_stats st;
	struct rt_prefix p;
	struct rt_addr a;
	unsigned n = 0;

	(void)state;
	/* 2001:db8:W::/48 for 512 W, a /56 in each, and 8 /64s in each /56. */
	for (uint32_t w = 0; w < 512; w++) {
		uint16_t w2 = (uint16_t)(w * 127);

		v6_from_words(&a, w2, 0);
		assert_int_equal(rt_prefix_make(&a, 48, &p), 0);
		add_at(t, &p, 0x48000000u | w);
		v6_from_words(&a, w2, 0x3400);
		assert_int_equal(rt_prefix_make(&a, 56, &p), 0);
		add_at(t, &p, 0x56000000u | w);
		for (uint32_t s = 0; s < 8; s++) {
			v6_from_words(&a, w2, (uint16_t)(0x3400 | s * 31));
			assert_int_equal(rt_prefix_make(&a, 64, &p), 0);
			add_at(t, &p, 0x64000000u | w << 8 | s);
		}
		n += 10;
	}
	rt_table_stats(t, &st);
	assert_int_equal(st.v6.prefixes, n);
	for (uint32_t w = 0; w < 512; w++) {
		uint16_t w2 = (uint16_t)(w * 127);

		for (uint32_t s = 0; s < 8; s++) {
			v6_from_words(&a, w2, (uint16_t)(0x3400 | s * 31));
			a.bytes[15] = (uint8_t)(w + s);
			p.addr = a;
			rt_addr_mask(&p.addr, 64);
			p.len = 64;
			expect_at(t, &a, &p, 0x64000000u | w << 8 | s);
		}
		v6_from_words(&a, w2, 0x34ff);
		p.addr = a;
		rt_addr_mask(&p.addr, 56);
		p.len = 56;
		expect_at(t, &a, &p, 0x56000000u | w);
		v6_from_words(&a, w2, 0x3500);
		p.addr = a;
		rt_addr_mask(&p.addr, 48);
		p.len = 48;
		expect_at(t, &a, &p, 0x48000000u | w);
		/* The next /48 up is never one of ours (W steps by 127). */
		v6_from_words(&a, (uint16_t)(w2 + 1), 0);
		expect_at(t, &a, NULL, 0);
	}
	/* Drop the /56s: the /64s inside still answer, the rest falls to /48. */
	for (uint32_t w = 0; w < 512; w++) {
		v6_from_words(&a, (uint16_t)(w * 127), 0x3400);
		assert_int_equal(rt_prefix_make(&a, 56, &p), 0);
		del_at(t, &p);
	}
	for (uint32_t w = 0; w < 512; w += 3) {
		uint16_t w2 = (uint16_t)(w * 127);

		v6_from_words(&a, w2, 0x3401);
		p.addr = a;
		rt_addr_mask(&p.addr, 48);
		p.len = 48;
		expect_at(t, &a, &p, 0x48000000u | w);
		v6_from_words(&a, w2, (uint16_t)(0x3400 | 31));
		p.addr = a;
		p.len = 64;
		expect_at(t, &a, &p, 0x64000000u | w << 8 | 1);
	}
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* Memory accounting */

static void expect_baseline(struct rt_table *t, const struct rt_table_stats *base)
{
	struct rt_table_stats st;

	rt_table_quiesce(t);
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.prefixes, 0);
	assert_int_equal(st.v6.prefixes, 0);
	assert_int_equal(st.v4.routes, 0);
	assert_int_equal(st.v6.routes, 0);
	assert_int_equal(st.v4.fib_nodes, 0);
	assert_int_equal(st.v6.fib_nodes, 0);
	assert_int_equal(st.nexthops, 0);
	assert_int_equal(st.v4.rib_bytes, base->v4.rib_bytes);
	assert_int_equal(st.v6.rib_bytes, base->v6.rib_bytes);
	assert_int_equal(st.v4.fib_bytes, base->v4.fib_bytes);
	assert_int_equal(st.v6.fib_bytes, base->v6.fib_bytes);
	assert_int_equal(st.nexthop_bytes, base->nexthop_bytes);
	assert_int_equal(st.entry_bytes, base->entry_bytes);
	assert_int_equal(st.total_bytes, base->total_bytes);
	assert_int_equal(st.reclaim_pending_bytes, 0);
	assert_int_equal(st.reclaim_pending_batches, 0);
}

/*
 * A table large enough that the RIB's park grows past its minimum (one
 * parked node per 64 prefixes): deletes whose routes come back 200
 * deletes later, in a fixed scattered order, each found parked. After it
 * every route is in place and answers, and deleting all of them leaves
 * what a fresh table holds (the park's nodes and its ring are gone).
 */
#define PARK_ROUTES 20000u
#define PARK_LAG 200u

static struct rt_route park_route(uint32_t i)
{
	struct rt_prefix p;
	struct rt_addr a;

	/* 11.x.y.0/24, x.y scattered (40503 is odd: a permutation of 16 bits). */
	rt_addr_from_v4(&a, 0x0b000000u | ((i * 40503u) & 0xffffu) << 8);
	assert_int_equal(rt_prefix_make(&a, 24, &p), 0);
	return route_p(&p, "192.0.2.1", "static", 0, i);
}

static void del_route(struct rt_table *t, const struct rt_route *r)
{
	struct rt_route_key k = key_p(&r->prefix, r->proto, true, r->metric);

	assert_int_equal(rt_table_delete(t, &k), 0);
}

static void test_memory_park_lagged(void **state)
{
	struct rt_table *fresh = new_table(), *t = new_table();
	struct rt_table_stats base, st;
	uint32_t held[PARK_LAG];

	(void)state;
	rt_table_stats(fresh, &base);
	for (uint32_t i = 0; i < PARK_ROUTES; i++) {
		struct rt_route r = park_route(i);

		add_ok(t, &r);
	}
	for (uint32_t pair = 0; pair < 10 * PARK_LAG; pair++) {
		uint32_t i = (pair * 7919u) % PARK_ROUTES;	/* distinct within the churn */
		struct rt_route r = park_route(i);

		del_route(t, &r);
		if (pair >= PARK_LAG) {
			r = park_route(held[pair % PARK_LAG]);
			add_ok(t, &r);
		}
		held[pair % PARK_LAG] = i;
	}
	for (uint32_t k = 0; k < PARK_LAG; k++) {
		struct rt_route r = park_route(held[k]);

		add_ok(t, &r);
	}
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.prefixes, PARK_ROUTES);
	assert_int_equal(st.v4.routes, PARK_ROUTES);
	for (uint32_t i = 0; i < PARK_ROUTES; i += 97) {
		struct rt_route r = park_route(i);
		struct rt_addr a = r.prefix.addr;

		a.bytes[3] = 7;
		expect_at(t, &a, &r.prefix, i);
	}
	for (uint32_t i = 0; i < PARK_ROUTES; i++) {
		struct rt_route r = park_route(i);

		del_route(t, &r);
	}
	expect_baseline(t, &base);
	rt_table_destroy(fresh);
	rt_table_destroy(t);
}

/* A mixed load: nested v4 and v6, several routes per prefix, many next hops. */
static size_t make_load(struct rt_route *out, size_t max, unsigned salt)
{
	size_t n = 0;
	struct rt_prefix p;
	struct rt_addr a;
	char gw[64];

	for (uint32_t i = 0; i < 3000 && n + 3 <= max; i++) {
		uint32_t v4 = (0x0a000000u + i * 0x01357u * (salt + 1)) & 0xffffff00u;
		unsigned len = 8 + (i % 25);

		rt_addr_from_v4(&a, v4);
		rt_addr_mask(&a, len);
		assert_int_equal(rt_prefix_make(&a, len, &p), 0);
		snprintf(gw, sizeof(gw), "192.0.%u.%u", (i >> 8) & 0xff, i & 0xff);
		out[n] = route_p(&p, gw, "static", i % 3, i);
		/* Duplicated prefixes are skipped by the caller through -EEXIST. */
		n++;
		if (i % 4 == 0) {
			out[n] = route_p(&p, NULL, "bgp", 7, i);
			snprintf(out[n].dev, sizeof(out[n].dev), "eth%u", i % 5);
			n++;
		}
		v6_from_words(&a, (uint16_t)(i * 37 + salt), (uint16_t)(i * 11));
		len = 16 + (i % 113);
		a.bytes[8] = (uint8_t)i;
		a.bytes[15] = (uint8_t)(i >> 3);
		rt_addr_mask(&a, len);
		assert_int_equal(rt_prefix_make(&a, len, &p), 0);
		snprintf(gw, sizeof(gw), "fe80::%x", i % 700);
		out[n] = route_p(&p, gw, "ospf", 1, i);
		n++;
	}
	return n;
}

static void test_memory_baseline(void **state)
{
	struct rt_table *fresh = new_table(), *t = new_table();
	struct rt_table_stats base, st;
	size_t max = 12000, n, added = 0;
	struct rt_route *load = calloc(max, sizeof(*load)), *all;

	(void)state;
	assert_non_null(load);
	rt_table_stats(fresh, &base);
	assert_true(base.total_bytes > 0);
	expect_baseline(t, &base);

	/* Add, replace some, delete everything route by route. */
	n = make_load(load, max, 0);
	for (size_t i = 0; i < n; i++) {
		int rc = rt_table_add(t, &load[i]);

		assert_true(rc == 0 || rc == -EEXIST);
		added += rc == 0;
	}
	for (size_t i = 0; i < n; i += 5) {
		load[i].gateway = addr(load[i].prefix.addr.family == AF_INET ? "203.0.113.1" :
									   "2001:db8::99");
		assert_int_equal(rt_table_replace(t, &load[i]), 0);
	}
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.routes + st.v6.routes, added);
	assert_true(st.total_bytes > base.total_bytes);
	assert_true(st.v4.fib_bytes > base.v4.fib_bytes);
	assert_true(st.v6.fib_bytes > base.v6.fib_bytes);
	assert_true(st.v4.fib_nodes > 0 && st.v6.fib_nodes > 0);
	assert_true(st.nexthops > 1);
	{
		size_t m = walk_all(t, 0, NULL, &all);

		assert_int_equal(m, added);
		for (size_t i = 0; i < m; i++) {
			struct rt_route_key k = key_p(&all[i].prefix, all[i].proto, true,
						      all[i].metric);

			assert_int_equal(rt_table_delete(t, &k), 0);
		}
		free(all);
	}
	expect_baseline(t, &base);

	/* The same after a replace_all. */
	{
		size_t failed = 99;
		struct rt_route *uniq;
		size_t m;

		/* Deduplicate through a scratch table's walk. */
		for (size_t i = 0; i < n; i++)
			(void)rt_table_add(fresh, &load[i]);
		m = walk_all(fresh, 0, NULL, &uniq);
		assert_int_equal(rt_table_flush(fresh, NULL), (long)m);
		expect_baseline(fresh, &base);
		assert_int_equal(rt_table_replace_all(t, uniq, m, &failed), 0);
		rt_table_stats(t, &st);
		assert_int_equal(st.v4.routes + st.v6.routes, m);
		assert_true(st.total_bytes > base.total_bytes);
		/* Some churn on top, then route by route back to nothing. */
		for (size_t i = 0; i < m; i += 3) {
			struct rt_route_key k = key_p(&uniq[i].prefix, uniq[i].proto, true,
						      uniq[i].metric);

			assert_int_equal(rt_table_delete(t, &k), 0);
			if (i % 2)
				add_ok(t, &uniq[i]);
		}
		for (size_t i = 0; i < m; i++) {
			struct rt_route_key k = key_p(&uniq[i].prefix, uniq[i].proto, true,
						      uniq[i].metric);
			int rc = rt_table_delete(t, &k);

			assert_true(rc == 0 || (rc == -ENOENT && i % 3 == 0 && !(i % 2)));
		}
		expect_baseline(t, &base);

		/* Flush by protocol until empty. */
		assert_int_equal(rt_table_replace_all(t, uniq, m, &failed), 0);
		assert_true(rt_table_flush(t, "static") > 0);
		assert_true(rt_table_flush(t, "bgp") > 0);
		assert_true(rt_table_flush(t, "ospf") > 0);
		expect_baseline(t, &base);

		/* And flush of everything at once. */
		assert_int_equal(rt_table_replace_all(t, uniq, m, &failed), 0);
		assert_int_equal(rt_table_flush(t, NULL), (long)m);
		expect_baseline(t, &base);
		free(uniq);
	}
	free(load);
	rt_table_destroy(fresh);
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* Several tables */

static void test_tables_isolated(void **state)
{
	struct rt_table *a = new_table(), *b = rt_table_create(100);
	struct rt_route r = route("10.0.0.0/8", "192.0.2.1", NULL, 0, 1);
	struct rt_route_key k = key("10.0.0.0/8", NULL, false, 0);
	struct rt_table_stats st;

	(void)state;
	assert_non_null(b);
	assert_int_equal(rt_table_id(a), RT_TABLE_MAIN);
	assert_int_equal(rt_table_id(b), 100);
	add_ok(a, &r);
	/* A route naming table main does not go into table 100. */
	assert_int_equal(rt_table_add(b, &r), -EINVAL);
	r.table = 100;
	r.tag = 2;
	r.gateway = addr("192.0.2.2");
	add_ok(b, &r);
	r.prefix = pfx("10.1.0.0/16");
	r.tag = 3;
	add_ok(b, &r);
	expect(a, "10.1.1.1", "10.0.0.0/8", 1);
	expect(b, "10.1.1.1", "10.1.0.0/16", 3);
	expect(b, "10.2.1.1", "10.0.0.0/8", 2);
	assert_int_equal(rt_table_delete(a, &k), 0);
	expect(a, "10.2.1.1", NULL, 0);
	expect(b, "10.2.1.1", "10.0.0.0/8", 2);
	assert_int_equal(rt_table_delete(a, &k), -ENOENT);
	rt_table_stats(b, &st);
	assert_int_equal(st.v4.routes, 2);
	assert_int_equal(rt_table_flush(b, NULL), 2);
	expect(b, "10.2.1.1", NULL, 0);
	rt_table_destroy(a);
	rt_table_destroy(b);
}

/* ---------------------------------------------------------------------- */
/* Batches and whole-table replacement */

static void fill_sample(struct rt_table *t)
{
	struct rt_route r;

	add(t, "10.0.0.0/8", 1);
	add(t, "10.1.0.0/16", 2);
	r = route("10.1.0.0/16", "192.0.2.5", "bgp", 50, 3);
	add_ok(t, &r);
	add(t, "2001:db8::/32", 4);
	add(t, "192.168.0.0/24", 5);
}

static void test_apply_all_or_nothing(void **state)
{
	struct rt_table *t = new_table();
	struct rt_route *snap;
	size_t n, failed;
	struct rt_change ch[5];
	uint32_t id_before;
	struct rt_addr probe = addr("10.1.2.3");

	(void)state;
	fill_sample(t);
	n = walk_all(t, 0, NULL, &snap);
	id_before = lookup_id(t, &probe);

	/* Add, delete, then a duplicate add fails: the first two are undone. */
	memset(ch, 0, sizeof(ch));
	ch[0].op = RT_CHANGE_ADD;
	ch[0].route = route("10.1.2.0/24", NULL, NULL, 0, 10);
	ch[1].op = RT_CHANGE_DELETE;
	ch[1].route = route("10.1.0.0/16", NULL, "static", 0, 0);
	ch[2].op = RT_CHANGE_ADD;
	ch[2].route = route("2001:db8::/32", NULL, NULL, 0, 11);
	ch[3].op = RT_CHANGE_ADD;
	ch[3].route = route("172.16.0.0/12", NULL, NULL, 0, 12);
	failed = 99;
	assert_int_equal(rt_table_apply(t, ch, 4, &failed), -EEXIST);
	assert_int_equal(failed, 2);
	expect_contents(t, snap, n);
	expect(t, "10.1.2.3", "10.1.0.0/16", 2);
	expect(t, "172.16.0.1", NULL, 0);
	assert_true(lookup_id(t, &probe) != RT_NO_ROUTE);
	(void)id_before;

	/* Replace, delete, delete of a missing route. */
	memset(ch, 0, sizeof(ch));
	ch[0].op = RT_CHANGE_REPLACE;
	ch[0].route = route("10.0.0.0/8", "192.0.2.77", NULL, 0, 20);
	ch[1].op = RT_CHANGE_DELETE;
	ch[1].route = route("192.168.0.0/24", NULL, "static", 0, 0);
	ch[2].op = RT_CHANGE_DELETE;
	ch[2].route = route("10.9.0.0/16", NULL, "static", 0, 0);
	failed = 99;
	assert_int_equal(rt_table_apply(t, ch, 3, &failed), -ENOENT);
	assert_int_equal(failed, 2);
	expect_contents(t, snap, n);
	expect(t, "10.9.9.9", "10.0.0.0/8", 1);
	expect(t, "192.168.0.1", "192.168.0.0/24", 5);

	/* A replace of the same route twice, a delete of it, then an invalid change. */
	memset(ch, 0, sizeof(ch));
	ch[0].op = RT_CHANGE_REPLACE;
	ch[0].route = route("10.1.0.0/16", "192.0.2.8", "bgp", 50, 30);
	ch[1].op = RT_CHANGE_REPLACE;
	ch[1].route = route("10.1.0.0/16", "192.0.2.9", "bgp", 50, 31);
	ch[2].op = RT_CHANGE_DELETE;
	ch[2].route = route("10.1.0.0/16", NULL, "static", 0, 0);
	ch[3].op = RT_CHANGE_ADD;
	ch[3].route = route("10.2.0.0/16", NULL, NULL, 0, 32);
	ch[3].route.table = 7;
	failed = 99;
	assert_int_equal(rt_table_apply(t, ch, 4, &failed), -EINVAL);
	assert_int_equal(failed, 3);
	expect_contents(t, snap, n);
	expect(t, "10.1.2.3", "10.1.0.0/16", 2);

	/* Failing at the first change: nothing happened. */
	failed = 99;
	ch[0].op = RT_CHANGE_DELETE;
	ch[0].route = route("10.77.0.0/16", NULL, "static", 0, 0);
	assert_int_equal(rt_table_apply(t, ch, 2, &failed), -ENOENT);
	assert_int_equal(failed, 0);
	expect_contents(t, snap, n);

	/* A good batch applies in order. */
	memset(ch, 0, sizeof(ch));
	ch[0].op = RT_CHANGE_ADD;
	ch[0].route = route("10.1.2.0/24", NULL, NULL, 0, 40);
	ch[1].op = RT_CHANGE_DELETE;
	ch[1].route = route("10.1.0.0/16", NULL, "static", 0, 0);
	ch[2].op = RT_CHANGE_REPLACE;
	ch[2].route = route("10.0.0.0/8", NULL, NULL, 0, 41);
	ch[3].op = RT_CHANGE_DELETE;
	ch[3].route = route("10.1.2.0/24", NULL, "static", 0, 0);
	ch[4].op = RT_CHANGE_ADD;
	ch[4].route = route("10.1.2.0/24", NULL, "static", 0, 42);
	failed = 99;
	assert_int_equal(rt_table_apply(t, ch, 5, &failed), 0);
	assert_int_equal(failed, 99);
	expect(t, "10.1.2.3", "10.1.2.0/24", 42);
	expect(t, "10.1.3.3", "10.1.0.0/16", 3);	/* bgp is the only one left */
	expect(t, "10.2.3.3", "10.0.0.0/8", 41);
	assert_int_equal(rt_table_apply(t, ch, 0, NULL), 0);
	free(snap);
	rt_table_destroy(t);
}

static void test_replace_all(void **state)
{
	struct rt_table *t = new_table();
	struct rt_route *snap, routes[4], *now;
	size_t n, m, failed;

	(void)state;
	fill_sample(t);
	n = walk_all(t, 0, NULL, &snap);
	routes[0] = route("172.16.0.0/12", NULL, NULL, 0, 100);
	routes[1] = route("2001:db8:1::/48", NULL, NULL, 0, 101);
	routes[2] = route("172.16.0.0/12", "192.0.2.1", NULL, 0, 102);	/* duplicate */
	routes[3] = route("0.0.0.0/0", NULL, NULL, 0, 103);

	failed = 99;
	assert_int_equal(rt_table_replace_all(t, routes, 4, &failed), -EEXIST);
	assert_int_equal(failed, 2);
	expect_contents(t, snap, n);
	expect(t, "172.16.0.1", NULL, 0);
	expect(t, "10.1.0.1", "10.1.0.0/16", 2);

	routes[2].table = 5;
	failed = 99;
	assert_int_equal(rt_table_replace_all(t, routes, 4, &failed), -EINVAL);
	assert_int_equal(failed, 2);
	expect_contents(t, snap, n);

	routes[2] = route("172.16.0.0/12", NULL, "bgp", 0, 102);
	failed = 99;
	assert_int_equal(rt_table_replace_all(t, routes, 4, &failed), 0);
	m = walk_all(t, 0, NULL, &now);
	assert_int_equal(m, 4);
	assert_true(route_equal(&now[0], &routes[3]));
	assert_true(route_equal(&now[1], &routes[2]));	/* bgp before static */
	assert_true(route_equal(&now[2], &routes[0]));
	assert_true(route_equal(&now[3], &routes[1]));
	free(now);
	expect(t, "10.1.0.1", "0.0.0.0/0", 103);
	expect(t, "172.16.0.1", "172.16.0.0/12", 102);
	expect(t, "2001:db8::1", NULL, 0);
	expect(t, "2001:db8:1::1", "2001:db8:1::/48", 101);
	/* The new contents take normal updates. */
	add(t, "10.0.0.0/8", 104);
	del_ok(t, "172.16.0.0/12");
	expect(t, "172.16.0.1", "172.16.0.0/12", 100);
	expect(t, "10.1.0.1", "10.0.0.0/8", 104);
	/* Replace with nothing empties it. */
	assert_int_equal(rt_table_replace_all(t, NULL, 0, NULL), 0);
	m = walk_all(t, 0, NULL, &now);
	assert_int_equal(m, 0);
	free(now);
	expect(t, "10.1.0.1", NULL, 0);
	free(snap);
	rt_table_destroy(t);
}

static void test_flush(void **state)
{
	struct rt_table *t = new_table();
	struct rt_route r;
	struct rt_route *now;
	size_t m;

	(void)state;
	r = route("10.0.0.0/8", NULL, "static", 10, 1);
	add_ok(t, &r);
	r = route("10.0.0.0/8", NULL, "bgp", 5, 2);
	add_ok(t, &r);
	r = route("10.1.0.0/16", NULL, "bgp", 5, 3);
	add_ok(t, &r);
	r = route("2001:db8::/32", NULL, "bgp", 5, 4);
	add_ok(t, &r);
	r = route("2001:db8::/32", NULL, "ospf", 5, 5);
	add_ok(t, &r);
	r = route("2001:db8:1::/48", NULL, "kernel", 0, 6);
	add_ok(t, &r);
	expect(t, "10.0.0.1", "10.0.0.0/8", 2);
	expect(t, "10.1.0.1", "10.1.0.0/16", 3);

	assert_int_equal(rt_table_flush(t, "neverused"), 0);
	assert_int_equal(rt_table_flush(t, "bgp"), 3);
	assert_int_equal(rt_table_flush(t, "bgp"), 0);
	expect(t, "10.0.0.1", "10.0.0.0/8", 1);
	expect(t, "10.1.0.1", "10.0.0.0/8", 1);
	expect(t, "2001:db8::1", "2001:db8::/32", 5);
	m = walk_all(t, 0, NULL, &now);
	assert_int_equal(m, 3);
	for (size_t i = 0; i < m; i++)
		assert_string_not_equal(now[i].proto, "bgp");
	free(now);
	assert_int_equal(rt_table_flush(t, ""), 3);
	expect(t, "10.0.0.1", NULL, 0);
	expect(t, "2001:db8:1::1", NULL, 0);
	r = route("10.0.0.0/8", NULL, "static", 10, 7);
	add_ok(t, &r);
	assert_int_equal(rt_table_flush(t, NULL), 1);
	assert_int_equal(rt_table_flush(t, NULL), 0);
	expect(t, "10.0.0.1", NULL, 0);
	rt_table_destroy(t);
}

static void test_get(void **state)
{
	struct rt_table *t = new_table();
	struct rt_route r[4], out[5];
	struct rt_prefix p = pfx("10.0.0.0/8");

	(void)state;
	r[0] = route("10.0.0.0/8", "192.0.2.1", "static", 30, 1);
	r[1] = route("10.0.0.0/8", "192.0.2.2", "ospf", 10, 2);
	r[2] = route("10.0.0.0/8", "192.0.2.3", "bgp", 10, 3);
	r[3] = route("10.0.0.0/8", NULL, "kernel", 20, 4);
	snprintf(r[3].dev, sizeof(r[3].dev), "eth0");
	r[3].has_tag = false;
	r[3].tag = 0;
	for (unsigned i = 0; i < 4; i++)
		add_ok(t, &r[(i + 2) % 4]);
	add(t, "10.0.0.0/16", 9);
	add(t, "11.0.0.0/8", 9);

	memset(out, 0x5a, sizeof(out));
	assert_int_equal(rt_table_get(t, &p, out, 5), 4);
	assert_true(route_equal(&out[0], &r[2]));
	assert_true(route_equal(&out[1], &r[1]));
	assert_true(route_equal(&out[2], &r[3]));
	assert_true(route_equal(&out[3], &r[0]));
	assert_false(out[2].has_tag);
	assert_string_equal(out[2].dev, "eth0");
	assert_int_equal(out[2].gateway.family, 0);

	/* A short buffer: the count is still all of them, only max are written. */
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(rt_table_get(t, &p, out, 2), 4);
	assert_true(route_equal(&out[0], &r[2]));
	assert_true(route_equal(&out[1], &r[1]));
	assert_int_equal(out[2].metric, 0x5a5a5a5au);
	assert_int_equal(rt_table_get(t, &p, NULL, 0), 4);

	/* Exact match only: not a covering or covered prefix, not a glue node. */
	p = pfx("10.0.0.0/9");
	assert_int_equal(rt_table_get(t, &p, out, 5), 0);
	p = pfx("10.0.0.0/7");
	assert_int_equal(rt_table_get(t, &p, out, 5), 0);
	p = pfx("::/0");
	assert_int_equal(rt_table_get(t, &p, out, 5), 0);
	p = pfx("10.0.0.0/16");
	assert_int_equal(rt_table_get(t, &p, out, 5), 1);
	assert_int_equal(out[0].tag, 9);
	/* No family: invalid, for get and delete alike. */
	p.addr.family = 0;
	assert_int_equal(rt_table_get(t, &p, out, 5), -EINVAL);
	{
		struct rt_route_key k = key_p(&p, NULL, false, 0);

		assert_int_equal(rt_table_delete(t, &k), -EINVAL);
	}
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* Walks */

static const char *const walk_order[][3] = {
	/* prefix, proto, metric (as text) in the expected walk order */
	{ "0.0.0.0/0", "static", "0" },
	{ "10.0.0.0/8", "bgp", "5" },
	{ "10.0.0.0/8", "static", "5" },
	{ "10.0.0.0/8", "static", "9" },
	{ "10.0.0.0/16", "static", "0" },
	{ "10.0.0.0/24", "static", "0" },
	{ "10.0.1.0/24", "static", "0" },
	{ "10.128.0.0/9", "static", "0" },
	{ "192.168.1.1/32", "static", "0" },
	{ "255.255.255.255/32", "static", "0" },
	{ "::/0", "static", "0" },
	{ "::1/128", "static", "0" },
	{ "2001:db8::/32", "aaa", "1" },
	{ "2001:db8::/32", "static", "1" },
	{ "2001:db8::/48", "static", "0" },
	{ "2001:db8:1::/48", "static", "0" },
	{ "fe80::/10", "static", "0" },
};

static void fill_walk_table(struct rt_table *t)
{
	unsigned order[ARRAY_SIZE(walk_order)];

	for (unsigned i = 0; i < ARRAY_SIZE(walk_order); i++)
		order[i] = i;
	shuffle(order, ARRAY_SIZE(walk_order));
	for (unsigned i = 0; i < ARRAY_SIZE(walk_order); i++) {
		unsigned j = order[i];
		struct rt_route r = route(walk_order[j][0], NULL, walk_order[j][1],
					  (uint32_t)atoi(walk_order[j][2]), j);

		add_ok(t, &r);
	}
}

/* The walk from (family, from) yields walk_order[first..] in order, filtered by family. */
static void check_walk(struct rt_table *t, int family, const char *from, unsigned first)
{
	struct rt_prefix fp;
	struct rt_route *got;
	size_t n, k = 0;

	if (from)
		fp = pfx(from);
	n = walk_all(t, family, from ? &fp : NULL, &got);
	for (unsigned i = first; i < ARRAY_SIZE(walk_order); i++) {
		struct rt_prefix p = pfx(walk_order[i][0]);

		if (family && p.addr.family != family)
			continue;
		if (k >= n)
			fail_msg("walk from %s family %d: ended before %s", from ? from : "start",
				 family, walk_order[i][0]);
		if (!rt_prefix_equal(&got[k].prefix, &p) ||
		    strcmp(got[k].proto, walk_order[i][1]) != 0 || got[k].tag != i) {
			char b[RT_PREFIX_STRLEN];

			fail_msg("walk from %s family %d: step %zu is %s %s, expected %s %s",
				 from ? from : "start", family, k, fmt_prefix(&got[k].prefix, b),
				 got[k].proto, walk_order[i][0], walk_order[i][1]);
		}
		k++;
	}
	if (k != n)
		fail_msg("walk from %s family %d: %zu routes, expected %zu", from ? from : "start",
			 family, n, k);
	free(got);
}

static int stop_cb(const struct rt_route *r, void *arg)
{
	unsigned *count = arg;

	(void)r;
	return ++*count == 3 ? 42 : 0;
}

static void test_walk(void **state)
{
	struct rt_table *t = new_table();
	unsigned count = 0;
	struct rt_prefix from;

	(void)state;
	fill_walk_table(t);
	check_walk(t, 0, NULL, 0);
	check_walk(t, AF_INET, NULL, 0);
	check_walk(t, AF_INET6, NULL, 10);
	/* Starting points: existing prefixes, ones in between, beyond the end. */
	check_walk(t, 0, "0.0.0.0/0", 0);
	check_walk(t, 0, "0.0.0.0/1", 1);
	check_walk(t, 0, "10.0.0.0/8", 1);
	check_walk(t, 0, "10.0.0.0/9", 4);
	check_walk(t, 0, "10.0.0.0/16", 4);
	check_walk(t, 0, "10.0.0.0/17", 5);
	check_walk(t, 0, "10.0.0.0/25", 6);
	check_walk(t, 0, "10.0.1.0/24", 6);
	check_walk(t, 0, "10.0.2.0/24", 7);
	check_walk(t, 0, "10.128.0.0/9", 7);
	check_walk(t, 0, "10.128.0.0/10", 8);
	check_walk(t, 0, "192.168.1.1/32", 8);
	check_walk(t, 0, "192.168.1.2/32", 9);
	check_walk(t, 0, "255.255.255.255/32", 9);
	check_walk(t, 0, "::/0", 10);
	check_walk(t, 0, "::/1", 11);
	check_walk(t, 0, "::2/128", 12);
	check_walk(t, 0, "2001:db8::/32", 12);
	check_walk(t, 0, "2001:db8::/33", 14);
	check_walk(t, 0, "2001:db8::/48", 14);
	check_walk(t, 0, "2001:db8:1::/64", 16);
	check_walk(t, 0, "fe80::/10", 16);
	check_walk(t, 0, "fe80::/11", ARRAY_SIZE(walk_order));
	check_walk(t, 0, "ffff::/16", ARRAY_SIZE(walk_order));
	/* Family filter with a starting point. */
	check_walk(t, AF_INET, "10.0.0.0/16", 4);
	check_walk(t, AF_INET6, "10.0.0.0/16", 10);
	check_walk(t, AF_INET, "::/0", ARRAY_SIZE(walk_order));
	check_walk(t, AF_INET6, "2001:db8::/48", 14);

	/* The callback's non-zero return stops the walk and is returned. */
	assert_int_equal(rt_table_walk(t, 0, NULL, stop_cb, &count), 42);
	assert_int_equal(count, 3);
	count = 0;
	from = pfx("2001:db8::/32");
	assert_int_equal(rt_table_walk(t, 0, &from, stop_cb, &count), 42);
	assert_int_equal(count, 3);
	/* An empty table walks nothing. */
	assert_int_equal(rt_table_flush(t, NULL), (long)ARRAY_SIZE(walk_order));
	count = 0;
	assert_int_equal(rt_table_walk(t, 0, NULL, stop_cb, &count), 0);
	assert_int_equal(count, 0);
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* Families, validation */

static void test_v4_mapped(void **state)
{
	struct rt_table *t = new_table();

	(void)state;
	add(t, "10.0.0.0/8", 1);
	add(t, "0.0.0.0/0", 2);
	expect(t, "::ffff:10.0.0.1", NULL, 0);
	expect(t, "::a00:1", NULL, 0);
	add(t, "::ffff:0.0.0.0/96", 3);
	expect(t, "::ffff:10.0.0.1", "::ffff:0.0.0.0/96", 3);
	expect(t, "10.0.0.1", "10.0.0.0/8", 1);
	add(t, "::ffff:10.0.0.0/104", 4);
	expect(t, "::ffff:10.0.0.1", "::ffff:10.0.0.0/104", 4);
	expect(t, "10.0.0.1", "10.0.0.0/8", 1);
	del_ok(t, "10.0.0.0/8");
	expect(t, "10.0.0.1", "0.0.0.0/0", 2);
	expect(t, "::ffff:10.0.0.1", "::ffff:10.0.0.0/104", 4);
	rt_table_destroy(t);
}

static void test_table_id_checked(void **state)
{
	struct rt_table *t = new_table(), *t7 = rt_table_create(7);
	struct rt_route r = route("10.0.0.0/8", NULL, NULL, 0, 1);
	struct rt_change ch;
	size_t failed = 99;
	struct rt_table_stats st;

	(void)state;
	assert_non_null(t7);
	r.table = 7;
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	assert_int_equal(rt_table_replace(t, &r), -EINVAL);
	assert_int_equal(rt_table_replace_all(t, &r, 1, &failed), -EINVAL);
	assert_int_equal(failed, 0);
	memset(&ch, 0, sizeof(ch));
	ch.op = RT_CHANGE_ADD;
	ch.route = r;
	failed = 99;
	assert_int_equal(rt_table_apply(t, &ch, 1, &failed), -EINVAL);
	assert_int_equal(failed, 0);
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.routes, 0);
	expect(t, "10.0.0.1", NULL, 0);
	add_ok(t7, &r);
	expect(t7, "10.0.0.1", "10.0.0.0/8", 1);
	{
		struct rt_route out;
		struct rt_lookup_result res;
		struct rt_addr a = addr("10.0.0.1");

		assert_int_equal(rt_table_get(t7, &r.prefix, &out, 1), 1);
		assert_int_equal(out.table, 7);
		rt_table_lookup(t7, &a, 1, &res);
		assert_int_equal(res.route.table, 7);
	}
	/* Other invalid routes. */
	/* Host bits set. */
	r = route("10.0.0.0/8", NULL, NULL, 0, 1);
	r.prefix.addr = addr("10.0.0.1");
	r.prefix.len = 8;
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	r = route("10.0.0.0/8", "2001:db8::1", NULL, 0, 1);
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	r = route("10.0.0.0/8", NULL, NULL, 0, 1);
	snprintf(r.proto, sizeof(r.proto), "BGP");
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	assert_int_equal(rt_table_replace_all(t, &r, 1, &failed), -EINVAL);
	/* Names: empty, 16 bytes without a NUL, a bad byte after a good name was interned. */
	memset(r.proto, 0, sizeof(r.proto));
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	memset(r.proto, 'a', sizeof(r.proto));
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	assert_int_equal(rt_table_replace_all(t, &r, 1, &failed), -EINVAL);
	snprintf(r.proto, sizeof(r.proto), "static.x");
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	r = route("10.0.0.0/8", NULL, NULL, 0, 1);
	r.prefix.len = 33;
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	r = route("10.0.0.0/8", NULL, NULL, 0, 1);
	r.prefix.addr.family = 0;
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.routes + st.v6.routes, 0);
	rt_table_destroy(t);
	rt_table_destroy(t7);
}

/* ---------------------------------------------------------------------- */
/* Next hops */

static void test_nexthop_sharing(void **state)
{
	struct rt_table *t = new_table();
	struct rt_table_stats st;
	struct rt_prefix p;
	struct rt_addr a;
	static const char *const gws[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3" };

	(void)state;
	for (uint32_t i = 0; i < 300; i++) {
		struct rt_route r;

		rt_addr_from_v4(&a, 0x0a000000u | i << 8);
		assert_int_equal(rt_prefix_make(&a, 24, &p), 0);
		r = route_p(&p, gws[i % 3], NULL, 0, i);
		add_ok(t, &r);
	}
	rt_table_stats(t, &st);
	assert_int_equal(st.nexthops, 3);
	/* Same gateway on another device, a device alone, nothing at all. */
	{
		struct rt_route r = route("172.16.0.0/16", "192.0.2.1", NULL, 0, 1);

		snprintf(r.dev, sizeof(r.dev), "eth1");
		add_ok(t, &r);
		r = route("172.17.0.0/16", NULL, NULL, 0, 2);
		snprintf(r.dev, sizeof(r.dev), "eth1");
		add_ok(t, &r);
		r = route("172.18.0.0/16", NULL, NULL, 0, 3);
		add_ok(t, &r);
		r = route("172.19.0.0/16", NULL, NULL, 0, 4);
		add_ok(t, &r);
		r = route("2001:db8::/32", "fe80::1", NULL, 0, 5);
		add_ok(t, &r);
	}
	rt_table_stats(t, &st);
	assert_int_equal(st.nexthops, 7);
	/* A next hop goes away with its last route. */
	for (uint32_t i = 1; i < 300; i += 3) {
		rt_addr_from_v4(&a, 0x0a000000u | i << 8);
		assert_int_equal(rt_prefix_make(&a, 24, &p), 0);
		del_at(t, &p);
		rt_table_stats(t, &st);
		assert_int_equal(st.nexthops, i == 298 ? 6 : 7);
	}
	/* Replacing onto an existing next hop frees the old one if unused. */
	{
		struct rt_route r = route("172.16.0.0/16", "192.0.2.1", NULL, 0, 1);

		assert_int_equal(rt_table_replace(t, &r), 0);
		rt_table_stats(t, &st);
		assert_int_equal(st.nexthops, 5);
		expect(t, "172.16.1.1", "172.16.0.0/16", 1);
	}
	/* Routes read back with their own next hop. */
	{
		struct rt_lookup_result res;

		a = addr("10.0.2.1");
		assert_true(rt_table_lookup_one(t, &a, &res));
		assert_memory_equal(res.route.gateway.bytes, addr("192.0.2.3").bytes, 4);
		a = addr("172.17.0.1");
		assert_true(rt_table_lookup_one(t, &a, &res));
		assert_string_equal(res.route.dev, "eth1");
		assert_int_equal(res.route.gateway.family, 0);
	}
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* Batch lookups */

static void test_lookup_batches(void **state)
{
	struct rt_table *t = new_table();
	enum { N = 1003 };
	struct rt_addr *a = calloc(N, sizeof(*a));
	struct rt_lookup_result *res = calloc(N, sizeof(*res)), one;
	uint32_t *v4 = calloc(N, sizeof(*v4)), *ids = calloc(N, sizeof(*ids)), id1;
	uint8_t(*v6)[16] = calloc(N, 16);
	size_t n4 = 0, n6 = 0;

	(void)state;
	assert_true(a && res && v4 && ids && v6);
	add(t, "10.0.0.0/8", 1);
	add(t, "10.64.0.0/10", 2);
	add(t, "10.64.3.0/24", 3);
	add(t, "10.64.3.128/30", 4);
	add(t, "2001:db8::/32", 5);
	add(t, "2001:db8:0:40::/58", 6);
	add(t, "2001:db8:0:40::1/128", 7);
	for (unsigned i = 0; i < N; i++) {
		uint64_t x = rng();

		if (x & 1) {
			rt_addr_from_v4(&a[i], 0x0a400000u | (uint32_t)(x >> 40 & 0x3ffff));
			if (x & 2)
				rt_addr_from_v4(&a[i], 0x0a400380u | (uint32_t)(x >> 8 & 7));
			v4[n4++] = rt_addr_to_v4(&a[i]);
		} else {
			a[i] = addr("2001:db8:0:40::");
			a[i].bytes[7] = (uint8_t)(x >> 8);
			a[i].bytes[15] = (uint8_t)(x >> 16 & 3);
			memcpy(v6[n6++], a[i].bytes, 16);
		}
	}
	/* Mixed families in one call agree with one-by-one lookups. */
	rt_table_lookup(t, a, N, res);
	for (unsigned i = 0; i < N; i++) {
		assert_true(rt_table_lookup_one(t, &a[i], &one));
		assert_true(res[i].found);
		assert_true(route_equal(&res[i].route, &one.route));
	}
	/* The raw batch paths agree with single-address calls, at every batch size. */
	for (size_t len = 1; len <= 40; len++) {
		for (size_t off = 0; off + len <= n4; off += 97) {
			rt_table_lookup_ids4(t, v4 + off, len, ids);
			for (size_t i = 0; i < len; i++) {
				rt_table_lookup_ids4(t, v4 + off + i, 1, &id1);
				assert_int_equal(ids[i], id1);
				assert_true(id1 != RT_NO_ROUTE);
			}
		}
		for (size_t off = 0; off + len <= n6; off += 97) {
			rt_table_lookup_ids6(t, (const uint8_t(*)[16])v6 + off, len, ids);
			for (size_t i = 0; i < len; i++) {
				const uint8_t(*one6)[16] = (const uint8_t(*)[16])v6 + off + i;

				rt_table_lookup_ids6(t, one6, 1, &id1);
				assert_int_equal(ids[i], id1);
				assert_true(id1 != RT_NO_ROUTE);
			}
		}
	}
	rt_table_lookup_ids4(t, v4, n4, ids);
	for (size_t i = 0; i < n4; i++) {
		rt_table_lookup_ids4(t, v4 + i, 1, &id1);
		assert_int_equal(ids[i], id1);
	}
	rt_table_lookup_ids6(t, (const uint8_t(*)[16])v6, n6, ids);
	for (size_t i = 0; i < n6; i++) {
		rt_table_lookup_ids6(t, (const uint8_t(*)[16])v6 + i, 1, &id1);
		assert_int_equal(ids[i], id1);
	}
	/* Distinct prefixes, distinct ids; same prefix, same id. */
	{
		static const char *const probes[] = {
			"10.1.1.1", "10.64.1.1", "10.64.3.1", "10.64.3.129",
			"2001:db8::1", "2001:db8:0:40::2", "2001:db8:0:40::1",
		};
		uint32_t seen[ARRAY_SIZE(probes)];

		for (unsigned i = 0; i < ARRAY_SIZE(probes); i++) {
			struct rt_addr pa = addr(probes[i]);

			seen[i] = lookup_id(t, &pa);
			assert_true(seen[i] != RT_NO_ROUTE);
			for (unsigned j = 0; j < i; j++)
				assert_true(seen[j] != seen[i]);
		}
		a[0] = addr("10.200.0.0");
		assert_int_equal(lookup_id(t, &a[0]), seen[0]);
	}
	/* No route and an address of no family. */
	memset(&a[0], 0, sizeof(a[0]));
	rt_table_lookup(t, a, 1, res);
	assert_false(res[0].found);
	a[0] = addr("11.0.0.0");
	assert_false(rt_table_lookup_one(t, &a[0], &one));
	rt_table_lookup_ids4(t, v4, 0, ids);
	free(a);
	free(res);
	free(v4);
	free(ids);
	free(v6);
	rt_table_destroy(t);
}

static void test_generation(void **state)
{
	struct rt_table *t = new_table();
	struct rt_route r = route("10.0.0.0/8", NULL, NULL, 0, 1);
	uint64_t g = rt_table_generation(t);

	(void)state;
	add_ok(t, &r);
	assert_true(rt_table_generation(t) > g);
	g = rt_table_generation(t);
	assert_int_equal(rt_table_add(t, &r), -EEXIST);
	assert_int_equal(del(t, "11.0.0.0/8"), -ENOENT);
	assert_int_equal(rt_table_generation(t), g);
	r.tag = 2;
	assert_int_equal(rt_table_replace(t, &r), 0);
	assert_true(rt_table_generation(t) > g);
	g = rt_table_generation(t);
	del_ok(t, "10.0.0.0/8");
	assert_true(rt_table_generation(t) > g);
	g = rt_table_generation(t);
	assert_int_equal(rt_table_replace_all(t, &r, 1, NULL), 0);
	assert_true(rt_table_generation(t) > g);
	rt_table_destroy(t);
}

/* Retired memory is queued by rt_table_reclaim_flush() and freed by quiesce. */
static void test_reclaim_flush(void **state)
{
	struct rt_table *t = new_table();
	struct rt_table_stats before, st;

	(void)state;
	add(t, "10.0.0.0/8", 1);
	add(t, "10.1.0.0/16", 2);
	rt_table_quiesce(t);
	rt_table_stats(t, &before);
	assert_int_equal(before.reclaim_pending_bytes, 0);
	/* The delete retires a route and trie blocks into one batch... */
	del_ok(t, "10.1.0.0/16");
	rt_table_reclaim_flush(t);
	rt_table_stats(t, &st);
	/* ...which is queued exactly once, at the end of the write or by the flush. */
	assert_int_equal(st.reclaim_batches, before.reclaim_batches + 1);
	rt_table_reclaim_flush(t);
	rt_table_stats(t, &st);
	assert_int_equal(st.reclaim_batches, before.reclaim_batches + 1);
	rt_table_quiesce(t);
	rt_table_stats(t, &st);
	assert_int_equal(st.reclaim_pending_bytes, 0);
	assert_int_equal(st.reclaim_pending_batches, 0);
	assert_true(st.total_bytes < before.total_bytes);
	expect(t, "10.1.0.1", "10.0.0.0/8", 1);
	rt_table_destroy(t);
}

/* ---------------------------------------------------------------------- */
/* More than 2^20 routes */

#define BIG_ROUTES (1100u * 1024u)

static void big_prefix(uint32_t i, struct rt_prefix *p)
{
	struct rt_addr a;

	/* /24s from 1.0.0.0 upwards, spread so neighbours share nodes. */
	rt_addr_from_v4(&a, 0x01000000u + (i << 8));
	assert_int_equal(rt_prefix_make(&a, 24, p), 0);
}

static void test_many_routes(void **state)
{
	struct rt_table *t = new_table();
	struct rt_table_stats st;
	uint32_t max_id = 0, *ids, *addrs;
	enum { SAMPLE = 4096 };

	(void)state;
	ids = calloc(SAMPLE, sizeof(*ids));
	addrs = calloc(SAMPLE, sizeof(*addrs));
	assert_true(ids && addrs);
	for (uint32_t i = 0; i < BIG_ROUTES; i++) {
		struct rt_prefix p;
		struct rt_route r;

		big_prefix(i, &p);
		r = route_p(&p, NULL, NULL, 0, 0x40000000u + i);
		if (rt_table_add(t, &r))
			fail_msg("add #%u failed", i);
	}
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.routes, BIG_ROUTES);
	assert_int_equal(st.v4.prefixes, BIG_ROUTES);
	/* A sample spread over the whole range, including the last ones added. */
	for (uint32_t s = 0; s < SAMPLE; s++) {
		uint32_t i = s == SAMPLE - 1 ? BIG_ROUTES - 1 : (uint32_t)(rng() % BIG_ROUTES);
		struct rt_prefix p;
		struct rt_addr a;

		big_prefix(i, &p);
		rt_addr_from_v4(&a, rt_addr_to_v4(&p.addr) | (uint32_t)(rng() & 0xff));
		addrs[s] = rt_addr_to_v4(&a);
		expect_at(t, &a, &p, 0x40000000u + i);
	}
	rt_table_lookup_ids4(t, addrs, SAMPLE, ids);
	for (uint32_t s = 0; s < SAMPLE; s++) {
		assert_true(ids[s] != RT_NO_ROUTE);
		if (ids[s] > max_id)
			max_id = ids[s];
	}
	/* Ids beyond 2^20 exist and still name the right routes (checked above). */
	assert_true(max_id > (1u << 20));
	expect(t, "0.255.255.255", NULL, 0);
	{
		struct rt_prefix p;
		struct rt_addr a;

		big_prefix(BIG_ROUTES, &p);
		rt_addr_from_v4(&a, rt_addr_to_v4(&p.addr));
		expect_at(t, &a, NULL, 0);
	}
	/* Delete a stride of them and re-add with new tags: recycled ids. */
	for (uint32_t i = 0; i < BIG_ROUTES; i += 1031) {
		struct rt_prefix p;
		struct rt_route_key k;

		big_prefix(i, &p);
		k = key_p(&p, NULL, false, 0);
		assert_int_equal(rt_table_delete(t, &k), 0);
	}
	rt_table_quiesce(t);
	for (uint32_t i = 0; i < BIG_ROUTES; i += 1031) {
		struct rt_prefix p;

		big_prefix(i, &p);
		add_at(t, &p, 0x20000000u + i);
	}
	for (uint32_t i = 0; i < BIG_ROUTES; i += 1031) {
		struct rt_prefix p;
		struct rt_addr a;

		big_prefix(i, &p);
		rt_addr_from_v4(&a, rt_addr_to_v4(&p.addr) | 0x42);
		expect_at(t, &a, &p, 0x20000000u + i);
		big_prefix(i + 1, &p);
		rt_addr_from_v4(&a, rt_addr_to_v4(&p.addr) | 0x42);
		expect_at(t, &a, &p, 0x40000000u + i + 1);
	}
	free(ids);
	free(addrs);
	rt_table_destroy(t);
}

/*
 * Callers' structs are canonicalized: bytes past an IPv4 address and after
 * a name's NUL do not make distinct routes or next hops.
 */
static void test_canonical_input(void **state)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct rt_route a = route("10.0.0.0/8", "192.0.2.1", NULL, 0, 1);
	struct rt_route b = route("10.1.0.0/16", "192.0.2.1", NULL, 0, 2);
	struct rt_route got[2];
	struct rt_table_stats st;
	struct rt_route_key k;

	(void)state;
	b.prefix.addr.bytes[9] = 0xee;		/* garbage past the IPv4 address */
	b.gateway.bytes[12] = 0xee;
	b.dev[5] = 'x';				/* after the (empty) name's NUL */
	add_ok(t, &a);
	add_ok(t, &b);
	rt_table_stats(t, &st);
	assert_int_equal(st.nexthops, 1);
	assert_int_equal(rt_table_get(t, &b.prefix, got, 2), 1);
	assert_int_equal(got[0].prefix.addr.bytes[9], 0);
	assert_int_equal(got[0].gateway.bytes[12], 0);
	/* A delete with the same garbage finds the route. */
	k = key_p(&b.prefix, NULL, false, 0);
	assert_int_equal(rt_table_delete(t, &k), 0);
	rt_table_destroy(t);
}

/* delete and get check their prefix like add does. */
static void test_key_prefix_checked(void **state)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct rt_prefix p = pfx("10.0.0.0/8");
	struct rt_route got[1];
	struct rt_route_key k;

	(void)state;
	add(t, "10.0.0.0/8", 1);
	p.addr.bytes[3] = 1;			/* host bits */
	k = key_p(&p, NULL, false, 0);
	assert_int_equal(rt_table_delete(t, &k), -EINVAL);
	assert_int_equal(rt_table_get(t, &p, got, 1), -EINVAL);
	p = pfx("10.0.0.0/8");
	p.len = 33;
	k = key_p(&p, NULL, false, 0);
	assert_int_equal(rt_table_delete(t, &k), -EINVAL);
	assert_int_equal(rt_table_get(t, &p, got, 1), -EINVAL);
	p = pfx("::/0");
	p.len = 129;
	assert_int_equal(rt_table_get(t, &p, got, 1), -EINVAL);
	k = key("10.0.0.0/8", "Bad proto", false, 0);
	assert_int_equal(rt_table_delete(t, &k), -EINVAL);
	p = pfx("10.0.0.0/8");
	assert_int_equal(rt_table_get(t, &p, got, 1), 1);
	rt_table_destroy(t);
}

/* A DELETE change naming another table is refused and nothing changes. */
static void test_apply_delete_other_table(void **state)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct rt_change ch[2];
	struct rt_route got[1];
	size_t failed = 99;

	(void)state;
	add(t, "10.0.0.0/8", 1);
	ch[0].op = RT_CHANGE_ADD;
	ch[0].route = route("192.0.2.0/24", NULL, NULL, 0, 2);
	ch[1].op = RT_CHANGE_DELETE;
	ch[1].route = route("10.0.0.0/8", NULL, NULL, 0, 1);
	ch[1].route.table = 100;
	assert_int_equal(rt_table_apply(t, ch, 2, &failed), -EINVAL);
	assert_int_equal(failed, 1);
	assert_int_equal(rt_table_get(t, &ch[0].route.prefix, got, 1), 0);
	assert_int_equal(rt_table_get(t, &ch[1].route.prefix, got, 1), 1);
	rt_table_destroy(t);
}

/* Flushing everything reports how many routes went. */
static void test_flush_all_count(void **state)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct rt_route r = route("10.0.0.0/8", NULL, "bgp", 5, 1);
	struct rt_table_stats st;

	(void)state;
	add(t, "10.0.0.0/8", 1);
	add_ok(t, &r);
	add(t, "2001:db8::/32", 2);
	assert_int_equal(rt_table_flush(t, NULL), 3);
	rt_table_stats(t, &st);
	assert_int_equal(st.v4.routes + st.v6.routes, 0);
	assert_int_equal(rt_table_flush(t, ""), 0);
	rt_table_destroy(t);
}

/*
 * A rejecting route is found like any other: its copy carries its type, its
 * answer the reject bit and no gateway. A replace that changes the type of
 * the selected route changes the answer word with it, both ways.
 */
static void test_route_types(void **state)
{
	struct rt_table *t = new_table();
	struct rt_route r, out;
	struct rt_lookup_result res;
	struct rt_addr a = addr("10.1.2.3");
	struct rt_answer ans;
	uint32_t host = 0x0a010203u, id;
	char err[96];

	(void)state;
	r = route("10.0.0.0/8", "192.0.2.1", "static", 0, 5);
	r.type = RT_TYPE_BLACKHOLE;
	assert_int_equal(rt_route_validate(&r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "a blackhole route has no via or dev");
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	memset(&r.gateway, 0, sizeof(r.gateway));
	snprintf(r.dev, sizeof(r.dev), "eth0");
	assert_int_equal(rt_table_add(t, &r), -EINVAL);
	r.dev[0] = '\0';
	r.type = RT_TYPE_MAX + 1;
	assert_int_equal(rt_route_validate(&r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid route type 4");

	r.type = RT_TYPE_BLACKHOLE;
	add_ok(t, &r);
	assert_true(rt_table_lookup_one(t, &a, &res));
	assert_int_equal(res.route.type, RT_TYPE_BLACKHOLE);
	assert_int_equal(res.route.gateway.family, 0);
	assert_int_equal(rt_table_get(t, &r.prefix, &out, 1), 1);
	assert_true(route_equal(&out, &r));
	rt_table_answer4(t, &host, 1, &id, &ans);
	assert_true(ans.found && ans.reject && !ans.has_gateway && ans.has_tag);
	assert_int_equal(ans.len, 8);
	assert_int_equal(ans.tag, 5);

	/* Unicast again by replace: the answer word follows. */
	r = route("10.0.0.0/8", "192.0.2.1", "static", 0, 5);
	assert_int_equal(rt_table_replace(t, &r), 0);
	rt_table_answer4(t, &host, 1, &id, &ans);
	assert_true(ans.found && !ans.reject && ans.has_gateway);
	r.type = RT_TYPE_PROHIBIT;
	r.gateway.family = 0;
	memset(r.gateway.bytes, 0, sizeof(r.gateway.bytes));
	assert_int_equal(rt_table_replace(t, &r), 0);
	rt_table_answer4(t, &host, 1, &id, &ans);
	assert_true(ans.found && ans.reject && !ans.has_gateway);
	assert_true(rt_table_lookup_one(t, &a, &res));
	assert_int_equal(res.route.type, RT_TYPE_PROHIBIT);

	/* A more specific unicast route under it is not rejected. */
	r = route("10.1.0.0/16", "192.0.2.9", "static", 0, 6);
	add_ok(t, &r);
	rt_table_answer4(t, &host, 1, &id, &ans);
	assert_true(ans.found && !ans.reject && ans.has_gateway && ans.len == 16);
	rt_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_v4_first),
		cmocka_unit_test(test_default_v4_last),
		cmocka_unit_test(test_default_v6_first),
		cmocka_unit_test(test_default_v6_last),
		cmocka_unit_test(test_default_both),
		cmocka_unit_test(test_host_routes),
		cmocka_unit_test(test_extreme_v4),
		cmocka_unit_test(test_extreme_v6),
		cmocka_unit_test(test_nested_delete_covering),
		cmocka_unit_test(test_nested_delete_covered),
		cmocka_unit_test(test_all_lengths_v4),
		cmocka_unit_test(test_all_lengths_v6),
		cmocka_unit_test(test_readd),
		cmocka_unit_test(test_delete_missing),
		cmocka_unit_test(test_duplicate_add),
		cmocka_unit_test(test_replace_every_level),
		cmocka_unit_test(test_replace_adds_and_keys),
		cmocka_unit_test(test_best_route),
		cmocka_unit_test(test_dense_v4),
		cmocka_unit_test(test_dense_v6),
		cmocka_unit_test(test_memory_baseline),
		cmocka_unit_test(test_memory_park_lagged),
		cmocka_unit_test(test_tables_isolated),
		cmocka_unit_test(test_apply_all_or_nothing),
		cmocka_unit_test(test_replace_all),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_route_types),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_v4_mapped),
		cmocka_unit_test(test_table_id_checked),
		cmocka_unit_test(test_nexthop_sharing),
		cmocka_unit_test(test_lookup_batches),
		cmocka_unit_test(test_generation),
		cmocka_unit_test(test_reclaim_flush),
		cmocka_unit_test(test_many_routes),
		cmocka_unit_test(test_canonical_input),
		cmocka_unit_test(test_key_prefix_checked),
		cmocka_unit_test(test_apply_delete_other_table),
		cmocka_unit_test(test_flush_all_count),
	};

	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

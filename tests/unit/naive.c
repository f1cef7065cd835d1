/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The naive reference table (see naive.h). Written for obviousness, not
 * speed: every operation scans the whole array.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "naive.h"

void naive_init(struct naive *nv)
{
	memset(nv, 0, sizeof(*nv));
}

void naive_fini(struct naive *nv)
{
	free(nv->routes);
	memset(nv, 0, sizeof(*nv));
}

void naive_clear(struct naive *nv)
{
	nv->n = 0;
}

static void naive_reserve(struct naive *nv, size_t n)
{
	if (n <= nv->cap)
		return;
	nv->cap = n < 16 ? 16 : 2 * n;
	nv->routes = realloc(nv->routes, nv->cap * sizeof(*nv->routes));
	if (!nv->routes)
		abort();
}

void naive_copy(struct naive *dst, const struct naive *src)
{
	naive_reserve(dst, src->n);
	if (src->n)
		memcpy(dst->routes, src->routes, src->n * sizeof(*src->routes));
	dst->n = src->n;
}

static unsigned addr_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

static unsigned addr_bit(const struct rt_addr *a, unsigned i)
{
	return (a->bytes[i / 8] >> (7 - i % 8)) & 1;
}

bool naive_contains(const struct rt_prefix *p, const struct rt_addr *a)
{
	unsigned whole = p->len / 8;

	if (p->addr.family != a->family)
		return false;
	/* Whole bytes first, then the remaining bits one by one. */
	if (memcmp(p->addr.bytes, a->bytes, whole) != 0)
		return false;
	for (unsigned i = whole * 8; i < p->len; i++)
		if (addr_bit(&p->addr, i) != addr_bit(a, i))
			return false;
	return true;
}

static bool same_prefix(const struct rt_prefix *a, const struct rt_prefix *b)
{
	unsigned bits = addr_bits(a->addr.family);

	return a->addr.family == b->addr.family && a->len == b->len &&
	       memcmp(a->addr.bytes, b->addr.bytes, bits / 8) == 0;
}

int naive_prefix_cmp(const struct rt_prefix *a, const struct rt_prefix *b)
{
	unsigned bits;
	int c;

	if (a->addr.family != b->addr.family)
		return a->addr.family == AF_INET ? -1 : 1;
	bits = addr_bits(a->addr.family);
	c = memcmp(a->addr.bytes, b->addr.bytes, bits / 8);
	if (c)
		return c < 0 ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

int naive_pref_cmp(const struct rt_route *a, const struct rt_route *b)
{
	int c;

	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	c = strcmp(a->proto, b->proto);
	return c < 0 ? -1 : c > 0 ? 1 : 0;
}

static long find_exact(const struct naive *nv, const struct rt_route *r)
{
	for (size_t i = 0; i < nv->n; i++) {
		const struct rt_route *x = &nv->routes[i];

		if (same_prefix(&x->prefix, &r->prefix) && x->metric == r->metric &&
		    strcmp(x->proto, r->proto) == 0)
			return (long)i;
	}
	return -1;
}

const struct rt_route *naive_find(const struct naive *nv, const struct rt_route *r)
{
	long i = find_exact(nv, r);

	return i < 0 ? NULL : &nv->routes[i];
}

int naive_add(struct naive *nv, const struct rt_route *r)
{
	if (find_exact(nv, r) >= 0)
		return -EEXIST;
	naive_reserve(nv, nv->n + 1);
	nv->routes[nv->n++] = *r;
	return 0;
}

int naive_replace(struct naive *nv, const struct rt_route *r)
{
	long i = find_exact(nv, r);

	if (i < 0)
		return naive_add(nv, r);
	nv->routes[i] = *r;
	return 0;
}

static void remove_at(struct naive *nv, size_t i)
{
	nv->routes[i] = nv->routes[nv->n - 1];
	nv->n--;
}

int naive_delete(struct naive *nv, const struct rt_route_key *key, struct rt_route *old)
{
	long best = -1;

	for (size_t i = 0; i < nv->n; i++) {
		const struct rt_route *x = &nv->routes[i];

		if (!same_prefix(&x->prefix, &key->prefix))
			continue;
		if (key->proto[0] && strcmp(x->proto, key->proto) != 0)
			continue;
		if (key->match_metric && x->metric != key->metric)
			continue;
		if (best < 0 || naive_pref_cmp(x, &nv->routes[best]) < 0)
			best = (long)i;
	}
	if (best < 0)
		return -ENOENT;
	if (old)
		*old = nv->routes[best];
	remove_at(nv, (size_t)best);
	return 0;
}

long naive_flush(struct naive *nv, const char *proto)
{
	long n = 0;

	for (size_t i = 0; i < nv->n;) {
		if (!proto || !*proto || strcmp(nv->routes[i].proto, proto) == 0) {
			remove_at(nv, i);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

bool naive_lookup(const struct naive *nv, const struct rt_addr *a, struct rt_route *out)
{
	long best = -1;

	for (size_t i = 0; i < nv->n; i++) {
		const struct rt_route *x = &nv->routes[i];

		if (!naive_contains(&x->prefix, a))
			continue;
		if (best < 0 || x->prefix.len > nv->routes[best].prefix.len ||
		    (x->prefix.len == nv->routes[best].prefix.len &&
		     naive_pref_cmp(x, &nv->routes[best]) < 0))
			best = (long)i;
	}
	if (best < 0)
		return false;
	*out = nv->routes[best];
	return true;
}

int naive_walk_cmp(const struct rt_route *a, const struct rt_route *b)
{
	int c = naive_prefix_cmp(&a->prefix, &b->prefix);

	return c ? c : naive_pref_cmp(a, b);
}

static int walk_cmp(const void *pa, const void *pb)
{
	return naive_walk_cmp(pa, pb);
}

long naive_get(const struct naive *nv, const struct rt_prefix *p, struct rt_route *out,
	       size_t max)
{
	struct rt_route *tmp = malloc((nv->n ? nv->n : 1) * sizeof(*tmp));
	size_t n = 0;

	if (!tmp)
		abort();
	for (size_t i = 0; i < nv->n; i++)
		if (same_prefix(&nv->routes[i].prefix, p))
			tmp[n++] = nv->routes[i];
	qsort(tmp, n, sizeof(*tmp), walk_cmp);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = tmp[i];
	free(tmp);
	return (long)n;
}

struct rt_route *naive_sorted(const struct naive *nv, size_t *n)
{
	struct rt_route *out = malloc((nv->n ? nv->n : 1) * sizeof(*out));

	if (!out)
		abort();
	if (nv->n)
		memcpy(out, nv->routes, nv->n * sizeof(*out));
	qsort(out, nv->n, sizeof(*out), walk_cmp);
	*n = nv->n;
	return out;
}

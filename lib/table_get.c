/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exact gets from a table's writer side (routed/table.h): by prefix, and
 * by route key for many keys at once (what a load's diff asks).
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include <routed/table.h>

#include "table_int.h"

static struct rib *state_rib(struct table_state *st, int family)
{
	return family == AF_INET ? &st->rib4 : &st->rib6;
}

/*
 * key_from_addr() as two (or one) big-endian loads: a byte at a time, an
 * IPv6 key is 16 shifts of a 128-bit value, which made up most of a
 * get's checks. Reads only the family's bytes, as key_from_addr() does.
 */
static rt_key addr_key(const struct rt_addr *a)
{
	uint64_t hi, lo;
	uint32_t v4;

	if (a->family == AF_INET) {
		memcpy(&v4, a->bytes, sizeof(v4));
		return (rt_key)be32toh(v4) << 96;
	}
	memcpy(&hi, a->bytes, sizeof(hi));
	memcpy(&lo, a->bytes + 8, sizeof(lo));
	return (rt_key)be64toh(hi) << 64 | be64toh(lo);
}

/*
 * The key of a canonical prefix: the family's width, no host bits. A
 * check, not a copy.
 */
static int prefix_key(const struct rt_prefix *p, rt_key *key)
{
	unsigned bits = rt_family_bits(p->addr.family);

	if (!bits || p->len > bits)
		return -EINVAL;
	*key = addr_key(&p->addr);
	return *key & ~key_mask(p->len) ? -EINVAL : 0;
}

long rt_table_get(struct rt_table *t, const struct rt_prefix *p, struct rt_route *out, size_t max)
{
	struct rib_node *node;
	rt_key key;
	long n = 0;

	if (prefix_key(p, &key))
		return -EINVAL;
	wlock_lock(&t->lock);
	node = rib_find(state_rib(wlock_dereference(t->state, &t->lock), p->addr.family), key,
			p->len);
	for (struct rib_route *r = node ? node->routes : NULL; r; r = r->next, n++)
		if ((size_t)n < max)
			table_route_export(r, &out[n]);
	wlock_unlock(&t->lock);
	return n;
}

/* The route of node with k's proto and metric, or NULL. */
static const struct rib_route *node_route(const struct rib_node *node, const struct rt_route *k)
{
	for (const struct rib_route *r = node ? node->routes : NULL; r; r = r->next)
		if (r->metric == k->metric && !strncmp(proto_name(r->proto), k->proto, RT_PROTO_LEN))
			return r;
	return NULL;
}

/*
 * Keys looked up together: their index lines, then their nodes' first
 * routes, are loaded in one pass each before the next pass reads them.
 */
#define GET_RUN 32

static void get_run(struct table_state *st, const struct rt_route *const *keys, size_t n,
		    const rt_key *key, struct rt_route *out, bool *found)
{
	struct rib_node *node[GET_RUN];

	for (size_t i = 0; i < n; i++)
		rib_prefetch(state_rib(st, keys[i]->prefix.addr.family), key[i],
			     keys[i]->prefix.len);
	for (size_t i = 0; i < n; i++) {
		node[i] = rib_find(state_rib(st, keys[i]->prefix.addr.family), key[i],
				   keys[i]->prefix.len);
		if (node[i] && node[i]->routes)
			__builtin_prefetch(node[i]->routes);
	}
	for (size_t i = 0; i < n; i++) {
		const struct rib_route *r = node_route(node[i], keys[i]);

		found[i] = r;
		if (r)
			table_route_export(r, &out[i]);
	}
}

int rt_table_get_keys(struct rt_table *t, const struct rt_route *const *keys, size_t n,
		      struct rt_route *out, bool *found)
{
	rt_key key[GET_RUN];
	struct table_state *st;
	int err = 0;

	memset(found, 0, n * sizeof(*found));
	wlock_lock(&t->lock);
	st = wlock_dereference(t->state, &t->lock);
	for (size_t done = 0; done < n && !err; done += GET_RUN) {
		size_t run = n - done < GET_RUN ? n - done : GET_RUN;

		for (size_t i = 0; i < run && !err; i++)
			err = prefix_key(&keys[done + i]->prefix, &key[i]);
		if (!err)
			get_run(st, keys + done, run, key, out + done, found + done);
	}
	wlock_unlock(&t->lock);
	if (err)
		memset(found, 0, n * sizeof(*found));
	return err;
}

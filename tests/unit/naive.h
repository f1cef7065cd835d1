/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A deliberately naive routing table, the reference the differential test
 * compares the library against: an unsorted array of routes, lookups by a
 * linear scan for the longest matching prefix, and the best route of a
 * prefix chosen by metric, then protocol name. Nothing here shares code
 * with lib/ beyond the public value types.
 */
#ifndef ROUTED_TESTS_NAIVE_H
#define ROUTED_TESTS_NAIVE_H

#include <stdbool.h>
#include <stddef.h>

#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/table.h>

struct naive {
	struct rt_route *routes;
	size_t n, cap;
};

void naive_init(struct naive *nv);
void naive_fini(struct naive *nv);
void naive_clear(struct naive *nv);
/* Make dst an independent copy of src (dst must be initialised). */
void naive_copy(struct naive *dst, const struct naive *src);

/* The route with r's prefix, protocol and metric, or NULL. */
const struct rt_route *naive_find(const struct naive *nv, const struct rt_route *r);
/* 0 or -EEXIST (same prefix, protocol and metric). */
int naive_add(struct naive *nv, const struct rt_route *r);
/* Add, or overwrite the route with the same (prefix, proto, metric). Returns 0. */
int naive_replace(struct naive *nv, const struct rt_route *r);
/*
 * Delete the most preferred route of key->prefix matching key (proto "" =
 * any; metric only if match_metric). 0 or -ENOENT; the removed route is
 * copied to *old if old is not NULL.
 */
int naive_delete(struct naive *nv, const struct rt_route_key *key, struct rt_route *old);
/* Delete every route of proto ("" or NULL = all); returns how many. */
long naive_flush(struct naive *nv, const char *proto);

/* Longest-prefix match: true and the selected route in *out, or false. */
bool naive_lookup(const struct naive *nv, const struct rt_addr *a, struct rt_route *out);
/* The routes of exactly p, best first; returns the count, copies up to max. */
long naive_get(const struct naive *nv, const struct rt_prefix *p, struct rt_route *out,
	       size_t max);
/*
 * Every route in walk order (prefix order, IPv4 first, best first within a
 * prefix), into a new array the caller frees; *n gets the count.
 */
struct rt_route *naive_sorted(const struct naive *nv, size_t *n);

/* Prefix order (the order of rt_table_walk): family, address, length. */
int naive_prefix_cmp(const struct rt_prefix *a, const struct rt_prefix *b);
/* Walk order: prefix order, then best-route order. */
int naive_walk_cmp(const struct rt_route *a, const struct rt_route *b);
/* Best-route order within a prefix: metric, then protocol name. */
int naive_pref_cmp(const struct rt_route *a, const struct rt_route *b);
/* Does p contain a (bit by bit, without lib/ helpers)? */
bool naive_contains(const struct rt_prefix *p, const struct rt_addr *a);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The routes a feed put into the tables, so that it can take them out
 * again: after a reconnect (the routes the new session did not send) and
 * when the feed is gone for good. Keyed like a kernel route, by (table,
 * prefix, metric): a feed has one route per key, and a NEWROUTE of the key
 * replaces it even when its protocol changes. Each entry remembers the
 * protocol it was stored under (the rest of routed's key) and the
 * session generation that last sent it.
 *
 * An open-addressing hash table (linear probing, deletion by backward
 * shift: no tombstones) of 32-byte slots, at most half full. Control
 * thread only.
 */
#ifndef ROUTED_DAEMON_FEED_ROUTES_H
#define ROUTED_DAEMON_FEED_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/prefix.h>

struct feed_route_key {
	uint32_t table;
	uint32_t metric;
	struct rt_prefix prefix;
};

/* Key order: table, metric, then prefix (rt_prefix_cmp). */
int feed_route_key_cmp(const struct feed_route_key *a, const struct feed_route_key *b);

struct feed_routes;

struct feed_routes *feed_routes_create(void);
void feed_routes_destroy(struct feed_routes *fr);	/* accepts NULL */
size_t feed_routes_count(const struct feed_routes *fr);
/* The memory the map holds. */
size_t feed_routes_bytes(const struct feed_routes *fr);
/*
 * Start loading the slot where key's search begins: a batch of gets is
 * faster when every key is prefetched first (the probes are cache misses).
 */
void feed_routes_prefetch(const struct feed_routes *fr, const struct feed_route_key *key);

/* The entry of key: true with *proto and *gen set, or false. */
bool feed_routes_get(const struct feed_routes *fr, const struct feed_route_key *key,
		     uint8_t *proto, uint32_t *gen);
/* Insert or overwrite. 0 or -ENOMEM (nothing changed). */
int feed_routes_set(struct feed_routes *fr, const struct feed_route_key *key, uint8_t proto,
		    uint32_t gen);
/* What a key held before feed_routes_swap() set it. */
struct feed_route_prior {
	bool had;
	uint8_t proto;
	uint32_t gen;
};

/*
 * Set key to (proto, gen) and say in *prior what it held: a get and a set
 * in one probe. 0 or -ENOMEM (nothing changed). feed_routes_restore()
 * puts prior back (it cannot fail).
 */
int feed_routes_swap(struct feed_routes *fr, const struct feed_route_key *key, uint8_t proto,
		     uint32_t gen, struct feed_route_prior *prior);
void feed_routes_restore(struct feed_routes *fr, const struct feed_route_key *key,
			 const struct feed_route_prior *prior);
/* Remove key if there. */
void feed_routes_remove(struct feed_routes *fr, const struct feed_route_key *key);

/*
 * Call fn for each entry whose generation is below gen (UINT32_MAX: every
 * entry). fn must not change the map. Returns fn's first nonzero return.
 */
typedef int (*feed_routes_fn)(const struct feed_route_key *key, uint8_t proto, void *arg);
int feed_routes_older(const struct feed_routes *fr, uint32_t gen, feed_routes_fn fn, void *arg);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routed-exabgp's view of the BGP routes: per prefix, one path per
 * neighbor (so neighbors never overwrite each other), the winner by a
 * fixed rule, and what routed was last told, so that only changed winners
 * are pushed.
 *
 * The winner of a prefix: the highest LOCAL_PREF (100 when absent), then
 * the shortest AS path (as exabgp.h counts it), then the lowest MED (0
 * when absent), then the lowest neighbor address (IPv4 before IPv6, then
 * bytewise). The rule is a total order on the neighbors' paths, so the
 * winner does not depend on the order the updates came in.
 */
#ifndef ROUTED_EXABGP_RIB_H
#define ROUTED_EXABGP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/exabgp.h>
#include <routed/prefix.h>

#define RIB_MAX_NEIGHBORS 1024

struct rib;

/* What a prefix should have in routed: a next hop and maybe a tag, or nothing. */
struct rib_choice {
	bool present;
	struct rt_addr nexthop;
	bool has_tag;
	uint32_t tag;
};

struct rib_neighbor_info {
	struct rt_addr peer;
	uint32_t peer_as;
	bool up;
	size_t routes;
	uint64_t announces, withdraws, eors;
};

struct rib *rib_create(bool tag_origin_as);
void rib_destroy(struct rib *r);

/* The index of neighbor peer (created down), or -ENOSPC / -ENOMEM. */
int rib_neighbor(struct rib *r, const struct rt_addr *peer, uint32_t peer_as);
size_t rib_neighbor_count(const struct rib *r);
void rib_neighbor_info(const struct rib *r, int nb, struct rib_neighbor_info *out);
void rib_neighbor_up(struct rib *r, int nb);
void rib_neighbor_eor(struct rib *r, int nb);
/* The neighbor is down: all its paths go (ExaBGP sends no withdraws). 0 or -ENOMEM. */
int rib_neighbor_down(struct rib *r, int nb);

/* Neighbor nb's path for prefix: replaced (announce) or removed (withdraw). 0 or -ENOMEM. */
int rib_announce(struct rib *r, int nb, const struct exabgp_nlri *n, const struct exabgp_attrs *a);
int rib_withdraw(struct rib *r, int nb, const struct rt_prefix *p);

size_t rib_prefix_count(const struct rib *r);	/* prefixes with at least one path */

/*
 * The prefixes whose winner differs from what routed was last told
 * (rib_sent), at most max of them, in the order they changed: fn is called
 * with each and its choice, and a nonzero return of fn makes that one the
 * last (a push is full). Returns how many were given.
 */
typedef int (*rib_change_fn)(const struct rt_prefix *p, const struct rib_choice *c, void *arg);
size_t rib_changes(struct rib *r, size_t max, rib_change_fn fn, void *arg);
size_t rib_pending(const struct rib *r);
/* The changes rib_changes gave (in order, n of them) reached routed. */
void rib_sent(struct rib *r, size_t n);

/*
 * Every prefix with a winner, for a full resync (routed restarted): fn with
 * each, from position *cursor (0 to start), at most max. Returns how many;
 * 0 at the end; fn stops it early as above. Marks everything given as
 * sent, and nothing pending once the end is reached.
 */
size_t rib_full(struct rib *r, size_t *cursor, size_t max, rib_change_fn fn, void *arg);
/* Whether a full replay at cursor has given everything. */
bool rib_full_done(const struct rib *r, size_t cursor);

#endif

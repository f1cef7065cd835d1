/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Next hops: shared, reference-counted (gateway, device) objects. Many
 * routes point to one next hop; a table interns them in a hash so equal
 * next hops are one object. Reference counts change only under the table's
 * writer lock; a next hop whose count drops to zero is unhashed and freed
 * after a grace period, since readers may still be copying it out.
 *
 * Each next hop also has a small index (1..NEXTHOP_MAX_INDEX), so a route's
 * answer fits one 64-bit word (route_ids.h) that names its next hop. The
 * index table is two-level, like the route ids, so it grows without moving
 * slots readers may be loading. An index is recycled only a grace period
 * after its next hop was dropped (through the table's id reclamation, with
 * NEXTHOP_ID_FLAG), so a reader holding an old answer word still finds the
 * next hop it named.
 *
 * A multipath route's next hop is a group: an object in the same hash and
 * index table, identified by its interned public group (routed/nhgroup.h),
 * holding a reference on each member (an ordinary next hop) and a slot
 * array, built before the group's index is published and never changed
 * after: total_weight slots, member i filling weight_i of them in
 * canonical order, so the reader's choice is one multiply-shift and one
 * load, and is the choice rt_nhgroup_pick() makes.
 */
#ifndef ROUTED_NEXTHOP_H
#define ROUTED_NEXTHOP_H

#include <stddef.h>
#include <stdint.h>

#include <urcu/urcu-memb.h>

#include <routed/lookup_wire.h>
#include <routed/nhgroup.h>
#include <routed/prefix.h>
#include <routed/route.h>

struct reclaim;
struct wlock;
struct nexthop_mp;

struct nexthop {
	struct nexthop *hash_next;	/* writer only */
	uint32_t refcnt;		/* writer only */
	uint32_t hash;
	uint32_t index;
	struct rt_addr gateway;		/* family 0: none; always none for a group */
	char dev[RT_DEV_LEN];
	struct nexthop_mp *mp;		/* a group's members; NULL for a single next hop */
};

/* A group's members and slots; immutable once the group is published. */
struct nexthop_mp {
	const struct rt_nhgroup *group;	/* the identity, and what route copies point to */
	uint32_t nslots;		/* the group's total weight */
	struct nexthop *member[RT_NEXTHOPS_MAX];	/* group->hop[i], interned here */
	uint8_t slot[];			/* [nslots]: member index per slot */
};

/* 21 bits: what an answer word (route_ids.h) has room for beside its flags. */
#define NEXTHOP_INDEX_BITS 21
#define NEXTHOP_MAX_INDEX ((1u << NEXTHOP_INDEX_BITS) - 1)
#define NEXTHOP_CHUNK_BITS 10
#define NEXTHOP_CHUNK_SLOTS (1u << NEXTHOP_CHUNK_BITS)
#define NEXTHOP_DIR_SLOTS (1u << (NEXTHOP_INDEX_BITS - NEXTHOP_CHUNK_BITS))
/* Marks a next-hop index among the route ids handed to reclaim_id(). */
#define NEXTHOP_ID_FLAG 0x80000000u

/*
 * A next hop as a UDP answer carries it, in wire form: written once, when
 * its index is taken, so the answer path copies it without reaching the
 * next hop itself. A group's is empty (its answers carry a member's).
 */
struct nexthop_answer {
	uint32_t flags;			/* RT_WIRE_A_GATEWAY when it has a gateway, else 0 */
	uint8_t gateway[16];		/* network order, IPv4 in [0..3]; 0 without one */
};

struct nexthop_chunk {
	struct nexthop *slot[NEXTHOP_CHUNK_SLOTS];
	struct nexthop_answer answer[NEXTHOP_CHUNK_SLOTS];	/* slot[i]'s, while it is set */
};

struct nexthop_table {
	const struct wlock *lock;
	struct nexthop **buckets;
	size_t nbuckets;
	size_t count;
	struct nexthop_chunk **dir;	/* [NEXTHOP_DIR_SLOTS], read by lookups */
	uint32_t *free_index;		/* writer only: recycled indexes, a stack */
	uint32_t n_free, free_cap;
	uint32_t next_index;		/* never handed out yet: next_index + 1 and up */
	uint32_t nchunks;
	size_t mp_bytes;		/* the groups' member and slot arrays */
};

int nexthop_table_init(struct nexthop_table *nt, const struct wlock *lock);
/* Free every next hop right away: only when no reader can reach them. */
void nexthop_table_fini(struct nexthop_table *nt);

/*
 * Find or create the next hop (gateway, dev) and take a reference. NULL
 * when out of memory or of indexes.
 */
struct nexthop *nexthop_get(struct nexthop_table *nt, const struct rt_addr *gateway, const char *dev);
/*
 * Find or create the group next hop of g (its members found or created
 * too) and take a reference. NULL when out of memory or of indexes.
 */
struct nexthop *nexthop_get_group(struct nexthop_table *nt, const struct rt_nhgroup *g);
/* Take another reference on nh. */
void nexthop_hold(struct nexthop_table *nt, struct nexthop *nh);
/* Drop a reference no reader has seen (the route was never published). */
void nexthop_put_unpublished(struct nexthop_table *nt, struct nexthop *nh);
/* Drop a reference; the last one retires nh and its index through rc. */
void nexthop_put(struct nexthop_table *nt, struct nexthop *nh, struct reclaim *rc);
/* Recycle an index retired by nexthop_put(), a grace period later. */
void nexthop_index_release(struct nexthop_table *nt, uint32_t index);

/*
 * Reader side, inside a read-side section: the next hop of a live index.
 * Both loads pair with the rcu_assign_pointer() that published the chunk
 * and the next hop in nexthop_get().
 */
static inline const struct nexthop *nexthop_by_index(const struct nexthop_table *nt,
						     uint32_t index)
{
	uint32_t i = index - 1;
	const struct nexthop_chunk *c = rcu_dereference(nt->dir[i >> NEXTHOP_CHUNK_BITS]);

	return rcu_dereference(c->slot[i & (NEXTHOP_CHUNK_SLOTS - 1)]);
}

/*
 * Reader side, inside a read-side section: the wire form of the next hop
 * of a live index, by the index table's directory. The directory load pairs with the rcu_assign_pointer()
 * of the chunk in index_take(); the record was written before the
 * rcu_assign_pointer() of the next hop there, which is before any answer
 * word names the index, and the index is an address dependency of the
 * answer word load (route_ids_answer()), so the record read is complete.
 */
static inline const struct nexthop_answer *nexthop_answer_in(struct nexthop_chunk *const *dir,
							     uint32_t index)
{
	uint32_t i = index - 1;
	const struct nexthop_chunk *c = rcu_dereference(dir[i >> NEXTHOP_CHUNK_BITS]);

	return &c->answer[i & (NEXTHOP_CHUNK_SLOTS - 1)];
}

/* The same by the table; dir (nt->dir) never moves, so a batch may load it once. */
static inline const struct nexthop_answer *nexthop_answer_by_index(const struct nexthop_table *nt,
								   uint32_t index)
{
	return nexthop_answer_in(nt->dir, index);
}

/*
 * Reader side: the member of group nh chosen for an address of multipath
 * hash (rt_nhgroup_hash()); *member gets its position in the group. The
 * group's slots and members were written before the group's index was
 * published (see nexthop_by_index()) and never change.
 */
static inline const struct nexthop *nexthop_pick(const struct nexthop *nh, uint32_t hash,
						 unsigned *member)
{
	const struct nexthop_mp *mp = nh->mp;
	unsigned i = mp->slot[rt_nhgroup_slot(hash, mp->nslots)];

	*member = i;
	return mp->member[i];
}

static inline size_t nexthop_table_bytes(const struct nexthop_table *nt)
{
	return nt->count * sizeof(struct nexthop) + nt->mp_bytes +
	       nt->nbuckets * sizeof(struct nexthop *) +
	       NEXTHOP_DIR_SLOTS * sizeof(void *) + nt->nchunks * sizeof(struct nexthop_chunk) +
	       nt->free_cap * sizeof(uint32_t);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routebench's lookup methods, and its comparison with DPDK's rte_lpm,
 * rte_fib (DIR-24-8), rte_lpm6 and rte_fib6 (trie). Only dpdk.c knows DPDK
 * (built with ./configure --with-dpdk, HAVE_DPDK); this interface is plain
 * C, so the rest of routebench builds the same with or without it.
 *
 * Every peer stores the routes of one family from one array: route i is
 * stored with next hop i + 1 (reduced modulo id_mod where the next hop is
 * narrower than 32 bits), and a lookup answers that id, 0 for no route.
 * routebench maps ids back to prefixes to check the peers against its own
 * table.
 */
#ifndef ROUTED_BENCH_DPDK_H
#define ROUTED_BENCH_DPDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/route.h>

/* Lookups are measured in calls of at most this many addresses. */
#define BENCH_BATCH 64

/*
 * Look up n <= BENCH_BATCH addresses: addrs is const uint32_t * (IPv4, host
 * byte order) or const uint8_t (*)[16] (IPv6); ids[i] gets the answer for
 * addrs[i].
 */
typedef void (*bench_lookup_fn)(void *ctx, const void *addrs, size_t n, uint32_t *ids);

struct bench_method {
	char name[32];			/* "bulk", "scalar", "x4", "bulk-avx512" */
	bench_lookup_fn fn;
	void *ctx;
	/* NULL, or make this method's code path the current one: 0 or -errno. */
	int (*select)(void *ctx, int variant);
	int variant;
};

/*
 * Single-route updates for the churn: delete route i of the family's array
 * (the array the structure was built from), or add it back. 0 or -errno.
 */
struct bench_updater {
	int (*del)(void *ctx, const struct rt_route *r, size_t i);
	int (*add)(void *ctx, const struct rt_route *r, size_t i);
	void *ctx;
};

#define DPDK_MAX_METHODS 4
#define DPDK_MAX_PEERS 2

/* One DPDK structure holding the routes of one family. */
struct dpdk_peer {
	char name[16];			/* "rte_lpm", "rte_fib", "rte_lpm6", "rte_fib6" */
	bool ready;			/* every route could be offered: lookups can run */
	char note[160];			/* why not ready, or what went wrong */
	size_t added;			/* routes stored */
	size_t skipped;			/* routes it cannot store (/0: rte_lpm, rte_lpm6) */
	size_t failed;			/* adds that returned an error */
	double create_s;		/* creating the empty structure */
	double add_s;			/* adding the routes one by one */
	uint64_t mem_bytes;		/* rte_malloc heap growth, 0 = unknown */
	uint64_t mem_used_bytes;	/* lookup tables actually in use, 0 = unknown */
	uint64_t tbl8_groups;		/* tbl8 groups configured */
	uint32_t id_mod;		/* ids are (index + 1) % id_mod; 0 = no reduction */
	unsigned nmethods;
	struct bench_method methods[DPDK_MAX_METHODS];
	/* del == NULL: no churn is measured on this peer (rte_lpm, rte_lpm6). */
	struct bench_updater updater;
	void *handle;
};

struct dpdk_opts {
	bool skip_lpm;			/* loading rte_lpm is slow */
	double lpm_time_limit;		/* seconds for loading rte_lpm, 0 = none */
	unsigned mem_mb;		/* EAL memory (-m), without huge */
	bool huge;			/* EAL memory in hugetlbfs pages (--dpdk-huge) */
	bool quiet;			/* no progress on stderr */
};

#ifdef HAVE_DPDK
/* Start the EAL (no PCI; hugepages only if o->huge); keeps the caller's CPU affinity. */
int dpdk_init(const struct dpdk_opts *o, char *err, size_t errlen);

/*
 * Build the peers of family (AF_INET: rte_lpm, rte_fib; AF_INET6: rte_lpm6,
 * rte_fib6) from routes[0..n) of that family. Fills peers[0..*npeers); a
 * peer that could not be built has ready == false and a note. Returns 0,
 * or -errno if nothing could be tried.
 */
int dpdk_build(int family, const struct rt_route *routes, size_t n, const struct dpdk_opts *o,
	       struct dpdk_peer *peers, unsigned *npeers);

/*
 * Before a churn phase of the given length: rte_fib6 is loaded again from
 * routes[0..n) (untimed; its load figures stay), with room for the tbl8
 * reservations such a churn leaks (see dpdk.c); other peers are left as
 * they are. 0, or -errno and the peer has no methods and no updater left.
 */
int dpdk_churn_prepare(struct dpdk_peer *p, const struct rt_route *routes, size_t n,
		       double seconds);

/* Free the structures; the statistics in peers stay, nmethods becomes 0. */
void dpdk_release(struct dpdk_peer *peers, unsigned npeers);

void dpdk_fini(void);
#endif

#endif

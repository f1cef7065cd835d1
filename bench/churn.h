/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Update churn: a writer deletes and re-adds routes while a reader looks up. */
#ifndef ROUTED_BENCH_CHURN_H
#define ROUTED_BENCH_CHURN_H

#include <routed/table.h>

struct fam;

/*
 * A writer phase alternates windows without updates and windows with them
 * (CHURN_WINDOW_S each), and the reader counts its lookups per kind of
 * window. The reader's ratio compares windows a few hundred milliseconds
 * apart, so what drifts slowly cancels out: other load, and our own lookup
 * rate, which moves as updates move the trie's blocks around the heap. The
 * first CHURN_GUARD_S of a window without updates still counts as one with
 * them: our last updates are reclaimed then (liburcu's call_rcu thread
 * wakes up every 10 ms).
 */
#define CHURN_WINDOW_S 0.2
#define CHURN_GUARD_S 0.02

/*
 * --churn-lag: the writer adds back the route it deleted that many pairs
 * before instead of the one it just deleted, so that an add finds
 * nothing of its prefix's recent past in the structure (a RIB keeps its
 * last 64 emptied nodes, rib.h). The routes still out are added back
 * when the phase ends.
 */
#define CHURN_MAX_LAG 65536

/* The windows' length with --churn-seconds: at most half a phase. */
double churn_window(void);

/*
 * The churn on t for family f (and on f's DPDK peer with single-route
 * updates, if any, before it is released): results in f->upd. Nothing
 * when --churn-seconds is 0 or f has no routes.
 */
void churn_run(struct rt_table *t, struct fam *f);

#endif

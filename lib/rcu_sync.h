/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcu_sync: let readers take a barrier-free fast path while no writer is
 * around, and push them onto a slow path while one is, paying a grace
 * period only on the idle -> active edge (a userspace port of the kernel's
 * algorithm, written from its description; see docs/design.md).
 *
 * States: IDLE -> ENTER -> PASSED -> EXIT (-> REPLAY) -> IDLE.
 * gp_count counts overlapping writers. At most one callback is pending.
 *
 * The grace-period primitives come from an ops table so tests can drive the
 * state machine with a deterministic fake RCU; NULL ops = urcu-memb.
 */
#ifndef ROUTED_RCU_SYNC_H
#define ROUTED_RCU_SYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <urcu/urcu-memb.h>

enum rcu_sync_state {
	RCU_SYNC_IDLE,
	RCU_SYNC_ENTER,
	RCU_SYNC_PASSED,
	RCU_SYNC_EXIT,
	RCU_SYNC_REPLAY,
};

struct rcu_sync_ops {
	void (*synchronize)(void);
	void (*call)(struct rcu_head *head, void (*func)(struct rcu_head *head));
	void (*barrier)(void);
	/* Whether the calling thread is inside a read-side section (asserts). */
	bool (*in_read_section)(void);
};

/* Transition counters, for stats and for tests that require every edge. */
enum rcu_sync_transition {
	RCU_SYNC_T_IDLE_ENTER,		/* first writer */
	RCU_SYNC_T_ENTER_PASSED,	/* its grace period ended */
	RCU_SYNC_T_PASSED_EXIT,		/* last writer left, callback queued */
	RCU_SYNC_T_EXIT_PASSED,		/* a writer came back before the callback */
	RCU_SYNC_T_EXIT_REPLAY,		/* ...and left again before it */
	RCU_SYNC_T_EXIT_IDLE,		/* callback: fast path is back */
	RCU_SYNC_T_REPLAY_PASSED,	/* callback saw a writer inside */
	RCU_SYNC_T_REPLAY_EXIT,		/* callback re-queued */
	RCU_SYNC_T_ENTER_WAIT,		/* a writer waited for another's grace period */
	RCU_SYNC_T_COUNT
};

struct rcu_sync {
	int gp_state;			/* enum rcu_sync_state; CMM_LOAD/STORE_SHARED */
	int gp_count;			/* under lock */
	pthread_mutex_t lock;
	pthread_cond_t passed;		/* gp_state reached PASSED */
	struct rcu_head cb_head;
	const struct rcu_sync_ops *ops;
	uint64_t transitions[RCU_SYNC_T_COUNT];	/* under lock */
};

void rcu_sync_init(struct rcu_sync *rs, const struct rcu_sync_ops *ops);
/* Writers: may block (a grace period) only on the IDLE edge. Not in a read-side section. */
void rcu_sync_enter(struct rcu_sync *rs);
/* Never blocks. */
void rcu_sync_exit(struct rcu_sync *rs);
/* Readers, inside a read-side section: one load. */
bool rcu_sync_is_idle(const struct rcu_sync *rs);
/* Wait for the pending callback (if any) and check IDLE. Not in a read-side section. */
void rcu_sync_dtor(struct rcu_sync *rs);

/* A consistent copy of state, count and transition counters (stats, tests). */
struct rcu_sync_snapshot {
	enum rcu_sync_state state;
	int count;
	uint64_t transitions[RCU_SYNC_T_COUNT];
};
void rcu_sync_snapshot(struct rcu_sync *rs, struct rcu_sync_snapshot *out);
const char *rcu_sync_state_name(enum rcu_sync_state s);

#endif

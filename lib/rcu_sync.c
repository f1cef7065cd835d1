// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rcu_sync: the idle/active switch under the reconfiguration gate.
 *
 * Readers ask rcu_sync_is_idle() inside their read-side section and take a
 * barrier-free fast path when it says yes. Writers bracket their work with
 * rcu_sync_enter()/rcu_sync_exit(). The whole correctness argument is two
 * grace periods:
 *
 *  - enter: the state leaves IDLE, then a full grace period passes before
 *    enter returns. A reader whose is_idle() load missed that store cannot
 *    have started its section after the grace period began (it would have
 *    seen the store), so its section ended before the grace period did:
 *    every fast-path reader is gone before the writer's first critical
 *    store, and every later reader sees "not idle".
 *  - exit: the state returns to IDLE only from a callback queued after the
 *    last writer's exit, i.e. a full grace period after that writer's last
 *    critical store. A reader that sees IDLE cannot have ended its section
 *    before that grace period ended (the store came later), so its section
 *    started after the grace period began and it sees every store the
 *    writer made before exit.
 *
 * Between those two edges the state never passes through IDLE, so a writer
 * entering in PASSED, EXIT or REPLAY needs no grace period of its own.
 * REPLAY exists because a callback already in flight started its grace
 * period before a later writer's critical section: it must wait one more.
 *
 * gp_state is written only under the mutex and read without it by readers;
 * every other field is accessed only under the mutex. The mutex is never
 * held across synchronize() or barrier(): the callback takes it.
 */
#include <assert.h>
#include <pthread.h>
#include <stddef.h>

#include <urcu/compiler.h>
#include <urcu/system.h>
#include <urcu/urcu-memb.h>

#include <routed/rcu.h>

#include "rcu_sync.h"

static bool memb_read_ongoing(void)
{
	return urcu_memb_read_ongoing();
}

/* rt_rcu_synchronize: urcu-memb's, timed and counted for stats. */
static const struct rcu_sync_ops urcu_memb_ops = {
	.synchronize = rt_rcu_synchronize,
	.call = urcu_memb_call_rcu,
	.barrier = urcu_memb_barrier,
	.in_read_section = memb_read_ongoing,
};

static inline bool in_read_section(const struct rcu_sync *rs)
{
	return rs->ops->in_read_section && rs->ops->in_read_section();
}

/* The invariants of the table in rcu_sync.h, checked under the mutex. */
static void check_invariants(const struct rcu_sync *rs)
{
	switch (rs->gp_state) {
	case RCU_SYNC_IDLE:
		assert(rs->gp_count == 0);
		break;
	case RCU_SYNC_ENTER:
	case RCU_SYNC_PASSED:
		assert(rs->gp_count >= 1);
		break;
	case RCU_SYNC_EXIT:
	case RCU_SYNC_REPLAY:
		assert(rs->gp_count >= 0);
		break;
	default:
		assert(!"rcu_sync: corrupt gp_state");
	}
}

/*
 * Every store to gp_state. CMM_STORE_SHARED makes it a single untorn store
 * the compiler may not split, repeat or move out of the mutex; its ordering
 * against the writer's data comes from the grace periods described at the
 * top, not from this store.
 */
static void set_state(struct rcu_sync *rs, enum rcu_sync_state state, enum rcu_sync_transition t)
{
	CMM_STORE_SHARED(rs->gp_state, state);
	rs->transitions[t]++;
}

static void rcu_sync_func(struct rcu_head *head);

/* Under the mutex: hand the (single) callback to RCU. */
static void queue_callback(struct rcu_sync *rs)
{
	/*
	 * We run after the last writer's exit: in its own thread (program
	 * order) or in the callback that re-queues (through the mutex that
	 * exit released). So every store of the writers' critical sections
	 * happens before call(), hence before the start of the grace period
	 * that must end before the callback runs.
	 */
	rs->ops->call(&rs->cb_head, rcu_sync_func);
}

/*
 * A grace period has passed since the event that queued us: the IDLE->ENTER
 * store (called directly from enter, state ENTER) or the last exit (RCU
 * callback, state EXIT or REPLAY). Never sees IDLE or PASSED: no callback is
 * pending in IDLE, and PASSED is only left by an exit that queues one.
 */
static void gp_done(struct rcu_sync *rs, bool from_callback)
{
	pthread_mutex_lock(&rs->lock);
	check_invariants(rs);
	assert(rs->gp_state != RCU_SYNC_IDLE && rs->gp_state != RCU_SYNC_PASSED);
	assert(from_callback ? rs->gp_state != RCU_SYNC_ENTER : rs->gp_state == RCU_SYNC_ENTER);
	(void)from_callback;

	if (rs->gp_count > 0) {
		/* At least one grace period since IDLE->ENTER: all readers are slow. */
		static const enum rcu_sync_transition to_passed[] = {
			[RCU_SYNC_ENTER] = RCU_SYNC_T_ENTER_PASSED,
			[RCU_SYNC_EXIT] = RCU_SYNC_T_EXIT_PASSED,
			[RCU_SYNC_REPLAY] = RCU_SYNC_T_REPLAY_PASSED,
		};
		set_state(rs, RCU_SYNC_PASSED, to_passed[rs->gp_state]);
		pthread_cond_broadcast(&rs->passed);
	} else if (rs->gp_state == RCU_SYNC_REPLAY) {
		/*
		 * A writer entered and left while we were pending: our grace
		 * period began before its critical section, so wait for one
		 * that begins after its exit.
		 */
		set_state(rs, RCU_SYNC_EXIT, RCU_SYNC_T_REPLAY_EXIT);
		queue_callback(rs);
	} else {
		/*
		 * EXIT with no writer: a full grace period since the last exit,
		 * so whoever sees this store also sees that writer's stores
		 * (the argument at the top of this file).
		 */
		set_state(rs, RCU_SYNC_IDLE, RCU_SYNC_T_EXIT_IDLE);
	}
	check_invariants(rs);
	pthread_mutex_unlock(&rs->lock);
}

static void rcu_sync_func(struct rcu_head *head)
{
	gp_done(caa_container_of(head, struct rcu_sync, cb_head), true);
}

void rcu_sync_init(struct rcu_sync *rs, const struct rcu_sync_ops *ops)
{
	*rs = (struct rcu_sync){
		.gp_state = RCU_SYNC_IDLE,
		.gp_count = 0,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.passed = PTHREAD_COND_INITIALIZER,
		.ops = ops ? ops : &urcu_memb_ops,
	};
	assert(rs->ops->synchronize && rs->ops->call && rs->ops->barrier);
}

void rcu_sync_enter(struct rcu_sync *rs)
{
	enum rcu_sync_state seen;

	/* synchronize() from inside a read-side section would wait for itself. */
	assert(!in_read_section(rs));

	pthread_mutex_lock(&rs->lock);
	check_invariants(rs);
	seen = rs->gp_state;
	if (seen == RCU_SYNC_IDLE)
		set_state(rs, RCU_SYNC_ENTER, RCU_SYNC_T_IDLE_ENTER);
	rs->gp_count++;
	check_invariants(rs);
	pthread_mutex_unlock(&rs->lock);

	if (seen == RCU_SYNC_IDLE) {
		/*
		 * The ENTER store above precedes this grace period (the mutex
		 * unlock is a release and synchronize() begins with a full
		 * barrier on every reader, membarrier or fence). Readers that
		 * missed it end before synchronize() returns.
		 */
		rs->ops->synchronize();
		gp_done(rs, false);
		return;
	}

	if (seen == RCU_SYNC_ENTER) {
		/* Another writer's grace period is running: ride on it. */
		pthread_mutex_lock(&rs->lock);
		rs->transitions[RCU_SYNC_T_ENTER_WAIT]++;
		/*
		 * Our gp_count keeps the state from returning to IDLE, so once
		 * it reaches PASSED it stays >= PASSED until we exit.
		 */
		while (rs->gp_state < RCU_SYNC_PASSED)
			pthread_cond_wait(&rs->passed, &rs->lock);
		pthread_mutex_unlock(&rs->lock);
	}
	/* PASSED, EXIT, REPLAY: the state has not been IDLE since a full grace period. */
}

void rcu_sync_exit(struct rcu_sync *rs)
{
	pthread_mutex_lock(&rs->lock);
	check_invariants(rs);
	assert(rs->gp_count > 0);
	assert(rs->gp_state != RCU_SYNC_IDLE && rs->gp_state != RCU_SYNC_ENTER);
	if (--rs->gp_count == 0) {
		if (rs->gp_state == RCU_SYNC_PASSED) {
			set_state(rs, RCU_SYNC_EXIT, RCU_SYNC_T_PASSED_EXIT);
			queue_callback(rs);
		} else if (rs->gp_state == RCU_SYNC_EXIT) {
			/* The pending callback's grace period is too old for us. */
			set_state(rs, RCU_SYNC_REPLAY, RCU_SYNC_T_EXIT_REPLAY);
		}
		/* REPLAY: already marked; the callback will re-queue once. */
	}
	check_invariants(rs);
	pthread_mutex_unlock(&rs->lock);
}

bool rcu_sync_is_idle(const struct rcu_sync *rs)
{
	/* Outside a read-side section the answer could be stale at once. */
	assert(!rs->ops->in_read_section || rs->ops->in_read_section());
	/*
	 * One plain shared load, no barrier: the grace periods on both edges
	 * order it against the writer (the argument at the top of this file).
	 */
	return CMM_LOAD_SHARED(rs->gp_state) == RCU_SYNC_IDLE;
}

void rcu_sync_dtor(struct rcu_sync *rs)
{
	enum rcu_sync_state state;

	/* barrier() inside a read-side section returns without waiting in liburcu. */
	assert(!in_read_section(rs));

	pthread_mutex_lock(&rs->lock);
	check_invariants(rs);
	/* Destroying a switch with a writer inside is a caller bug. */
	assert(rs->gp_count == 0);
	assert(rs->gp_state != RCU_SYNC_PASSED && rs->gp_state != RCU_SYNC_ENTER);
	/* Nobody will read the state again: one callback run is enough. */
	if (rs->gp_state == RCU_SYNC_REPLAY)
		CMM_STORE_SHARED(rs->gp_state, RCU_SYNC_EXIT);
	state = rs->gp_state;
	pthread_mutex_unlock(&rs->lock);

	/* The pending callback takes the mutex: wait for it without holding it. */
	if (state != RCU_SYNC_IDLE)
		rs->ops->barrier();

	pthread_mutex_lock(&rs->lock);
	assert(rs->gp_state == RCU_SYNC_IDLE && rs->gp_count == 0);
	pthread_mutex_unlock(&rs->lock);
	pthread_cond_destroy(&rs->passed);
	pthread_mutex_destroy(&rs->lock);
}

void rcu_sync_snapshot(struct rcu_sync *rs, struct rcu_sync_snapshot *out)
{
	pthread_mutex_lock(&rs->lock);
	out->state = rs->gp_state;
	out->count = rs->gp_count;
	for (int i = 0; i < RCU_SYNC_T_COUNT; i++)
		out->transitions[i] = rs->transitions[i];
	pthread_mutex_unlock(&rs->lock);
}

const char *rcu_sync_state_name(enum rcu_sync_state s)
{
	switch (s) {
	case RCU_SYNC_IDLE:
		return "idle";
	case RCU_SYNC_ENTER:
		return "enter";
	case RCU_SYNC_PASSED:
		return "passed";
	case RCU_SYNC_EXIT:
		return "exit";
	case RCU_SYNC_REPLAY:
		return "replay";
	}
	return "unknown";
}

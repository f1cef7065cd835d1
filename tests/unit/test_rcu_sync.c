// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rcu_sync against a deterministic fake RCU, then against urcu-memb.
 *
 * The fake: synchronize() records the request and returns at once, or,
 * when a test blocks it, waits until the test releases it (the writer that
 * pays the grace period runs in a second thread). call() only stores the
 * callback; the test decides when its grace period "ends" and runs it.
 * barrier() runs pending callbacks, re-queued ones included, until none is.
 * After every step the checks compare state, writer count and transition
 * counters with what the step must have produced, and check the invariants:
 * IDLE => no writer; ENTER/PASSED => a writer; exactly one callback pending
 * in EXIT and REPLAY, none otherwise; is_idle() agrees with the state.
 *
 * ROUTED_TEST_SEED sets the seed of the randomized walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <urcu/uatomic.h>
#include <urcu/urcu-memb.h>

#include "rcu_sync.h"
#include "seed.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define WAIT_LIMIT_MS 5000
#define STRESS_NS 500000000L

/* ---------------------------------------------------------------------- */
/* The fake RCU */

struct fake_rcu {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool block_sync;	/* synchronize() waits for fake_release_sync() */
	int sync_calls;
	int sync_blocked;	/* threads inside a blocked synchronize() */
	int sync_tokens;	/* releases not yet consumed */
	struct rcu_head *head;	/* the pending callback, or NULL */
	void (*func)(struct rcu_head *head);
	int calls;
	int double_queue;	/* call() while a callback was pending */
	int callbacks_run;
	int barriers;
	int barrier_callbacks;	/* callbacks run inside barrier() */
	struct rcu_sync *watch;	/* state after each barrier callback */
	enum rcu_sync_state after_barrier_cb;
};

static struct fake_rcu fake;
static __thread bool fake_reading;	/* this thread is "inside a read-side section" */

static void fake_reset(void)
{
	fake = (struct fake_rcu){
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
		.after_barrier_cb = (enum rcu_sync_state)-1,
	};
	fake_reading = false;
}

static void fake_synchronize(void)
{
	pthread_mutex_lock(&fake.lock);
	fake.sync_calls++;
	if (fake.block_sync) {
		fake.sync_blocked++;
		pthread_cond_broadcast(&fake.cond);
		while (fake.sync_tokens == 0)
			pthread_cond_wait(&fake.cond, &fake.lock);
		fake.sync_tokens--;
		fake.sync_blocked--;
	}
	pthread_mutex_unlock(&fake.lock);
}

static void fake_release_sync(void)
{
	pthread_mutex_lock(&fake.lock);
	fake.sync_tokens++;
	pthread_cond_broadcast(&fake.cond);
	pthread_mutex_unlock(&fake.lock);
}

static int fake_sync_blocked(void)
{
	int n;

	pthread_mutex_lock(&fake.lock);
	n = fake.sync_blocked;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

static void fake_call(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	pthread_mutex_lock(&fake.lock);
	if (fake.head)
		fake.double_queue++;
	fake.head = head;
	fake.func = func;
	fake.calls++;
	pthread_mutex_unlock(&fake.lock);
}

static bool fake_pending(void)
{
	bool pending;

	pthread_mutex_lock(&fake.lock);
	pending = fake.head != NULL;
	pthread_mutex_unlock(&fake.lock);
	return pending;
}

/* "The grace period ended": run the pending callback (it may re-queue itself). */
static bool fake_run_callback(void)
{
	struct rcu_head *head;
	void (*func)(struct rcu_head *head);

	pthread_mutex_lock(&fake.lock);
	head = fake.head;
	func = fake.func;
	fake.head = NULL;
	if (head)
		fake.callbacks_run++;
	pthread_mutex_unlock(&fake.lock);
	if (head)
		func(head);
	return head != NULL;
}

static void fake_barrier(void)
{
	pthread_mutex_lock(&fake.lock);
	fake.barriers++;
	pthread_mutex_unlock(&fake.lock);
	while (fake_run_callback()) {
		struct rcu_sync_snapshot snap;

		fake.barrier_callbacks++;
		if (fake.watch) {
			rcu_sync_snapshot(fake.watch, &snap);
			fake.after_barrier_cb = snap.state;
		}
	}
}

static bool fake_in_read_section(void)
{
	return fake_reading;
}

static const struct rcu_sync_ops fake_ops = {
	.synchronize = fake_synchronize,
	.call = fake_call,
	.barrier = fake_barrier,
	.in_read_section = fake_in_read_section,
};

/* ---------------------------------------------------------------------- */
/* Checks */

/* What the test expects the switch to look like; transitions accumulate. */
struct expect {
	enum rcu_sync_state state;
	int count;
	uint64_t t[RCU_SYNC_T_COUNT];
	int sync_calls;
	int calls;
};

static bool reader_sees_idle(struct rcu_sync *rs)
{
	bool idle;

	fake_reading = true;
	idle = rcu_sync_is_idle(rs);
	fake_reading = false;
	return idle;
}

static void check_step(struct rcu_sync *rs, const struct expect *e, const char *step)
{
	struct rcu_sync_snapshot snap;

	rcu_sync_snapshot(rs, &snap);
	if (snap.state != e->state || snap.count != e->count)
		fail_msg("after %s: state %s count %d, expected %s count %d", step,
			 rcu_sync_state_name(snap.state), snap.count,
			 rcu_sync_state_name(e->state), e->count);
	for (int i = 0; i < RCU_SYNC_T_COUNT; i++)
		if (snap.transitions[i] != e->t[i])
			fail_msg("after %s: transition %d counted %llu, expected %llu", step, i,
				 (unsigned long long)snap.transitions[i],
				 (unsigned long long)e->t[i]);

	/* The invariants. */
	if (snap.state == RCU_SYNC_IDLE)
		assert_int_equal(snap.count, 0);
	if (snap.state == RCU_SYNC_ENTER || snap.state == RCU_SYNC_PASSED)
		assert_true(snap.count >= 1);
	assert_true(snap.count >= 0);
	assert_int_equal(fake_pending(),
			 snap.state == RCU_SYNC_EXIT || snap.state == RCU_SYNC_REPLAY);
	assert_int_equal(fake.double_queue, 0);
	assert_int_equal(reader_sees_idle(rs), snap.state == RCU_SYNC_IDLE);

	/* Grace periods only on the IDLE edge; callbacks only on exit and replay. */
	assert_int_equal(fake.sync_calls, e->sync_calls);
	assert_int_equal(fake.calls, e->calls);
}

static void step_enter(struct rcu_sync *rs, struct expect *e)
{
	rcu_sync_enter(rs);
	e->count++;
	if (e->state == RCU_SYNC_IDLE) {
		e->t[RCU_SYNC_T_IDLE_ENTER]++;
		e->t[RCU_SYNC_T_ENTER_PASSED]++;
		e->sync_calls++;
		e->state = RCU_SYNC_PASSED;
	}
	check_step(rs, e, "enter");
}

static void step_exit(struct rcu_sync *rs, struct expect *e)
{
	rcu_sync_exit(rs);
	if (--e->count == 0) {
		if (e->state == RCU_SYNC_PASSED) {
			e->t[RCU_SYNC_T_PASSED_EXIT]++;
			e->calls++;
			e->state = RCU_SYNC_EXIT;
		} else if (e->state == RCU_SYNC_EXIT) {
			e->t[RCU_SYNC_T_EXIT_REPLAY]++;
			e->state = RCU_SYNC_REPLAY;
		}
	}
	check_step(rs, e, "exit");
}

/* The callback must only ever run in EXIT or REPLAY. */
static void step_callback(struct rcu_sync *rs, struct expect *e)
{
	struct rcu_sync_snapshot snap;

	rcu_sync_snapshot(rs, &snap);
	assert_true(snap.state == RCU_SYNC_EXIT || snap.state == RCU_SYNC_REPLAY);
	assert_true(fake_run_callback());
	if (e->count > 0) {
		if (e->state == RCU_SYNC_EXIT)
			e->t[RCU_SYNC_T_EXIT_PASSED]++;
		else
			e->t[RCU_SYNC_T_REPLAY_PASSED]++;
		e->state = RCU_SYNC_PASSED;
	} else if (e->state == RCU_SYNC_REPLAY) {
		e->t[RCU_SYNC_T_REPLAY_EXIT]++;
		e->calls++;
		e->state = RCU_SYNC_EXIT;
	} else {
		e->t[RCU_SYNC_T_EXIT_IDLE]++;
		e->state = RCU_SYNC_IDLE;
	}
	check_step(rs, e, "callback");
}

static void setup_switch(struct rcu_sync *rs, struct expect *e)
{
	fake_reset();
	rcu_sync_init(rs, &fake_ops);
	*e = (struct expect){ .state = RCU_SYNC_IDLE };
	check_step(rs, e, "init");
}

/* ---------------------------------------------------------------------- */
/* Scripted transitions */

static void test_idle_and_names(void **state)
{
	struct rcu_sync rs;
	struct expect e;

	(void)state;
	setup_switch(&rs, &e);
	assert_true(reader_sees_idle(&rs));
	assert_string_equal(rcu_sync_state_name(RCU_SYNC_IDLE), "idle");
	assert_string_equal(rcu_sync_state_name(RCU_SYNC_ENTER), "enter");
	assert_string_equal(rcu_sync_state_name(RCU_SYNC_PASSED), "passed");
	assert_string_equal(rcu_sync_state_name(RCU_SYNC_EXIT), "exit");
	assert_string_equal(rcu_sync_state_name(RCU_SYNC_REPLAY), "replay");
	assert_string_equal(rcu_sync_state_name((enum rcu_sync_state)42), "unknown");

	/* Nothing pending: the dtor must not wait for a barrier. */
	rcu_sync_dtor(&rs);
	assert_int_equal(fake.barriers, 0);
	assert_int_equal(fake.sync_calls, 0);
}

static void test_single_writer(void **state)
{
	struct rcu_sync rs;
	struct expect e;

	(void)state;
	setup_switch(&rs, &e);
	step_enter(&rs, &e);		/* IDLE -> ENTER -> PASSED, one GP */
	step_exit(&rs, &e);		/* PASSED -> EXIT, callback queued */
	step_callback(&rs, &e);		/* EXIT -> IDLE */
	/* Again: a second cycle pays a second grace period. */
	step_enter(&rs, &e);
	step_exit(&rs, &e);
	step_callback(&rs, &e);
	assert_int_equal(fake.sync_calls, 2);
	rcu_sync_dtor(&rs);
	assert_int_equal(fake.barriers, 0);
}

static void test_nested_writers(void **state)
{
	struct rcu_sync rs;
	struct expect e;

	(void)state;
	setup_switch(&rs, &e);
	step_enter(&rs, &e);
	step_enter(&rs, &e);		/* PASSED: free, count 2 */
	step_enter(&rs, &e);		/* count 3 */
	step_exit(&rs, &e);		/* still PASSED, no callback */
	step_exit(&rs, &e);
	assert_false(fake_pending());
	step_exit(&rs, &e);		/* the last one queues the callback */
	assert_int_equal(fake.sync_calls, 1);
	step_callback(&rs, &e);
	rcu_sync_dtor(&rs);
}

struct writer {
	struct rcu_sync *rs;
	pthread_t thread;
	int entered;
};

static void *writer_enter(void *arg)
{
	struct writer *w = arg;

	rcu_sync_enter(w->rs);
	uatomic_set(&w->entered, 1);
	return NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int snapshot_count(struct rcu_sync *rs)
{
	struct rcu_sync_snapshot snap;

	rcu_sync_snapshot(rs, &snap);
	return snap.count;
}

static void test_enter_during_enter(void **state)
{
	struct rcu_sync rs;
	struct rcu_sync_snapshot snap;
	struct writer first = { .rs = &rs }, second = { .rs = &rs };
	struct expect e;
	int waited;

	(void)state;
	setup_switch(&rs, &e);
	fake.block_sync = true;

	/* The first writer blocks in its grace period, state ENTER. */
	assert_int_equal(pthread_create(&first.thread, NULL, writer_enter, &first), 0);
	for (waited = 0; fake_sync_blocked() == 0 && waited < WAIT_LIMIT_MS; waited++)
		sleep_ms(1);
	assert_int_equal(fake_sync_blocked(), 1);
	rcu_sync_snapshot(&rs, &snap);
	assert_int_equal(snap.state, RCU_SYNC_ENTER);
	assert_int_equal(snap.count, 1);
	assert_false(reader_sees_idle(&rs));	/* readers go slow before the GP ends */

	/* The second writer must ride on that grace period, not start one or return early. */
	assert_int_equal(pthread_create(&second.thread, NULL, writer_enter, &second), 0);
	for (waited = 0; snapshot_count(&rs) < 2 && waited < WAIT_LIMIT_MS; waited++)
		sleep_ms(1);
	sleep_ms(30);
	rcu_sync_snapshot(&rs, &snap);
	assert_int_equal(snap.state, RCU_SYNC_ENTER);
	assert_int_equal(snap.count, 2);
	assert_int_equal(snap.transitions[RCU_SYNC_T_ENTER_WAIT], 1);
	assert_int_equal(uatomic_read(&second.entered), 0);
	assert_int_equal(uatomic_read(&first.entered), 0);
	assert_int_equal(fake.sync_calls, 1);

	/* The grace period ends: both writers are in, PASSED, one GP paid. */
	fake_release_sync();
	assert_int_equal(pthread_join(first.thread, NULL), 0);
	assert_int_equal(pthread_join(second.thread, NULL), 0);
	assert_int_equal(uatomic_read(&first.entered), 1);
	assert_int_equal(uatomic_read(&second.entered), 1);
	e.state = RCU_SYNC_PASSED;
	e.count = 2;
	e.t[RCU_SYNC_T_IDLE_ENTER] = 1;
	e.t[RCU_SYNC_T_ENTER_PASSED] = 1;
	e.t[RCU_SYNC_T_ENTER_WAIT] = 1;
	e.sync_calls = 1;
	check_step(&rs, &e, "both entered");

	step_exit(&rs, &e);
	step_exit(&rs, &e);
	step_callback(&rs, &e);
	rcu_sync_dtor(&rs);
}

static void test_enter_during_exit(void **state)
{
	struct rcu_sync rs;
	struct expect e;

	(void)state;
	setup_switch(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);		/* EXIT, callback pending */
	step_enter(&rs, &e);		/* no GP: stays EXIT with a writer inside */
	assert_int_equal(fake.sync_calls, 1);
	step_callback(&rs, &e);		/* EXIT with a writer -> PASSED */
	step_exit(&rs, &e);		/* PASSED -> EXIT again */
	step_callback(&rs, &e);		/* -> IDLE */
	rcu_sync_dtor(&rs);
}

static void test_replay(void **state)
{
	struct rcu_sync rs;
	struct expect e;

	(void)state;
	setup_switch(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);		/* EXIT */
	step_enter(&rs, &e);
	step_exit(&rs, &e);		/* EXIT -> REPLAY, no second callback */
	step_enter(&rs, &e);		/* entering during REPLAY costs nothing */
	step_enter(&rs, &e);
	step_exit(&rs, &e);
	step_exit(&rs, &e);		/* exit during REPLAY: stays REPLAY */
	assert_int_equal(fake.calls, 1);
	step_callback(&rs, &e);		/* REPLAY -> EXIT, same callback re-queued */
	assert_int_equal(fake.calls, 2);
	step_callback(&rs, &e);		/* EXIT -> IDLE */
	assert_int_equal(fake.sync_calls, 1);
	rcu_sync_dtor(&rs);
}

static void test_replay_callback_with_writer(void **state)
{
	struct rcu_sync rs;
	struct expect e;

	(void)state;
	setup_switch(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);		/* REPLAY */
	step_enter(&rs, &e);		/* a writer inside when the callback runs */
	step_callback(&rs, &e);		/* REPLAY -> PASSED, nothing re-queued */
	step_exit(&rs, &e);
	step_callback(&rs, &e);
	rcu_sync_dtor(&rs);
}

/* One switch driven through every edge of the table: no counter may stay zero. */
static void test_every_transition(void **state)
{
	struct rcu_sync rs;
	struct rcu_sync_snapshot snap;
	struct writer first = { .rs = &rs }, second = { .rs = &rs };
	struct expect e;
	int waited;

	(void)state;
	setup_switch(&rs, &e);
	fake.block_sync = true;
	assert_int_equal(pthread_create(&first.thread, NULL, writer_enter, &first), 0);
	for (waited = 0; fake_sync_blocked() == 0 && waited < WAIT_LIMIT_MS; waited++)
		sleep_ms(1);
	assert_int_equal(pthread_create(&second.thread, NULL, writer_enter, &second), 0);
	for (waited = 0; snapshot_count(&rs) < 2 && waited < WAIT_LIMIT_MS; waited++)
		sleep_ms(1);
	fake_release_sync();
	assert_int_equal(pthread_join(first.thread, NULL), 0);
	assert_int_equal(pthread_join(second.thread, NULL), 0);
	fake.block_sync = false;
	e.state = RCU_SYNC_PASSED;
	e.count = 2;
	e.t[RCU_SYNC_T_IDLE_ENTER] = 1;
	e.t[RCU_SYNC_T_ENTER_PASSED] = 1;
	e.t[RCU_SYNC_T_ENTER_WAIT] = 1;
	e.sync_calls = 1;
	check_step(&rs, &e, "enter/enter");

	step_exit(&rs, &e);
	step_exit(&rs, &e);		/* PASSED -> EXIT */
	step_enter(&rs, &e);
	step_callback(&rs, &e);		/* EXIT -> PASSED */
	step_exit(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);		/* EXIT -> REPLAY */
	step_enter(&rs, &e);
	step_callback(&rs, &e);		/* REPLAY -> PASSED */
	step_exit(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);		/* REPLAY */
	step_callback(&rs, &e);		/* REPLAY -> EXIT */
	step_callback(&rs, &e);		/* EXIT -> IDLE */

	rcu_sync_snapshot(&rs, &snap);
	for (int i = 0; i < RCU_SYNC_T_COUNT; i++)
		if (snap.transitions[i] == 0)
			fail_msg("transition %d never taken", i);
	rcu_sync_dtor(&rs);
}

/* ---------------------------------------------------------------------- */
/* The destructor in every state it may meet */

static void test_dtor_exit_pending(void **state)
{
	struct rcu_sync rs;
	struct expect e;

	(void)state;
	setup_switch(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);		/* EXIT, callback pending */
	fake.watch = &rs;
	rcu_sync_dtor(&rs);
	assert_int_equal(fake.barriers, 1);
	assert_int_equal(fake.barrier_callbacks, 1);
	assert_int_equal(fake.after_barrier_cb, RCU_SYNC_IDLE);
	assert_false(fake_pending());	/* no callback left to run on freed memory */
}

static void test_dtor_replay_pending(void **state)
{
	struct rcu_sync rs;
	struct expect e;

	(void)state;
	setup_switch(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);		/* REPLAY */
	fake.watch = &rs;
	rcu_sync_dtor(&rs);
	/* REPLAY became EXIT under the lock: one callback run, no re-queue. */
	assert_int_equal(fake.barriers, 1);
	assert_int_equal(fake.barrier_callbacks, 1);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(fake.after_barrier_cb, RCU_SYNC_IDLE);
	assert_false(fake_pending());
}

static void test_dtor_after_passed_cycle(void **state)
{
	struct rcu_sync rs;
	struct expect e;

	(void)state;
	/* EXIT reached from PASSED via a callback that saw a writer. */
	setup_switch(&rs, &e);
	step_enter(&rs, &e);
	step_exit(&rs, &e);
	step_enter(&rs, &e);
	step_callback(&rs, &e);		/* PASSED */
	step_exit(&rs, &e);		/* EXIT */
	fake.watch = &rs;
	rcu_sync_dtor(&rs);
	assert_int_equal(fake.barrier_callbacks, 1);
	assert_int_equal(fake.after_barrier_cb, RCU_SYNC_IDLE);
	assert_false(fake_pending());
}

/* ---------------------------------------------------------------------- */
/* A randomized walk against the table, single-threaded */

static unsigned long long seed;

static uint64_t next_random(void)
{
	/* splitmix64 */
	uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void test_random_walk(void **state)
{
	struct rcu_sync rs;
	struct rcu_sync_snapshot snap;
	struct expect e;
	int steps = 0;

	(void)state;
	setup_switch(&rs, &e);
	for (int i = 0; i < 20000; i++) {
		unsigned int op = next_random() % 3;

		if (op == 0 && e.count < 4) {
			step_enter(&rs, &e);
			steps++;
		} else if (op == 1 && e.count > 0) {
			step_exit(&rs, &e);
			steps++;
		} else if (op == 2 && fake_pending()) {
			step_callback(&rs, &e);
			steps++;
		}
	}
	while (e.count > 0)
		step_exit(&rs, &e);
	rcu_sync_snapshot(&rs, &snap);
	/* All five states and all edges but ENTER_WAIT (needs threads) were visited. */
	for (int i = 0; i < RCU_SYNC_T_COUNT; i++)
		if (i != RCU_SYNC_T_ENTER_WAIT && snap.transitions[i] == 0)
			fail_msg("random walk never took transition %d", i);
	assert_true(steps > 1000);
	fake.watch = &rs;
	rcu_sync_dtor(&rs);
	assert_false(fake_pending());
}

/* ---------------------------------------------------------------------- */
/* Misuse is caught by assertions (debug builds) */

#ifndef NDEBUG
enum misuse {
	MISUSE_IDLE_OUTSIDE_READER,
	MISUSE_ENTER_INSIDE_READER,
	MISUSE_EXIT_WITHOUT_ENTER,
	MISUSE_DTOR_WITH_WRITER,
	MISUSE_DTOR_INSIDE_READER,
};

static void do_misuse(enum misuse m)
{
	struct rcu_sync rs;

	fake_reset();
	rcu_sync_init(&rs, &fake_ops);
	switch (m) {
	case MISUSE_IDLE_OUTSIDE_READER:
		(void)rcu_sync_is_idle(&rs);
		break;
	case MISUSE_ENTER_INSIDE_READER:
		fake_reading = true;
		rcu_sync_enter(&rs);
		break;
	case MISUSE_EXIT_WITHOUT_ENTER:
		rcu_sync_exit(&rs);
		break;
	case MISUSE_DTOR_WITH_WRITER:
		rcu_sync_enter(&rs);
		rcu_sync_dtor(&rs);
		break;
	case MISUSE_DTOR_INSIDE_READER:
		fake_reading = true;
		rcu_sync_dtor(&rs);
		break;
	}
}

static void test_misuse_aborts(void **state)
{
	static const enum misuse cases[] = {
		MISUSE_IDLE_OUTSIDE_READER, MISUSE_ENTER_INSIDE_READER, MISUSE_EXIT_WITHOUT_ENTER,
		MISUSE_DTOR_WITH_WRITER,    MISUSE_DTOR_INSIDE_READER,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int status;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			int devnull = open("/dev/null", O_WRONLY);

			/* Keep the expected assertion message out of the TAP log. */
			if (devnull >= 0)
				dup2(devnull, STDERR_FILENO);
			do_misuse(cases[i]);
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
			fail_msg("misuse case %zu was not caught (status %#x)", i, status);
	}
}
#else
static void test_misuse_aborts(void **state)
{
	(void)state;
	skip();
}
#endif

/* ---------------------------------------------------------------------- */
/* The real thing: urcu-memb */

/* Poll for IDLE: the EXIT callback runs ~10 ms plus a grace period after the exit. */
static bool wait_idle(struct rcu_sync *rs, int limit_ms)
{
	struct rcu_sync_snapshot snap;

	for (int waited = 0; waited < limit_ms; waited++) {
		rcu_sync_snapshot(rs, &snap);
		if (snap.state == RCU_SYNC_IDLE)
			return true;
		sleep_ms(1);
	}
	return false;
}

static bool memb_sees_idle(struct rcu_sync *rs)
{
	bool idle;

	urcu_memb_read_lock();
	idle = rcu_sync_is_idle(rs);
	urcu_memb_read_unlock();
	return idle;
}

static void test_urcu_memb(void **state)
{
	struct rcu_sync rs;
	struct rcu_sync_snapshot snap;

	(void)state;
	urcu_memb_register_thread();
	rcu_sync_init(&rs, NULL);
	assert_true(memb_sees_idle(&rs));
	for (int i = 0; i < 3; i++) {
		rcu_sync_enter(&rs);
		assert_false(memb_sees_idle(&rs));
		rcu_sync_enter(&rs);
		rcu_sync_exit(&rs);
		assert_false(memb_sees_idle(&rs));
		rcu_sync_exit(&rs);
		assert_true(wait_idle(&rs, 2000));
		assert_true(memb_sees_idle(&rs));
	}
	rcu_sync_snapshot(&rs, &snap);
	assert_int_equal(snap.count, 0);
	assert_int_equal(snap.transitions[RCU_SYNC_T_IDLE_ENTER], 3);
	assert_int_equal(snap.transitions[RCU_SYNC_T_ENTER_PASSED], 3);
	assert_int_equal(snap.transitions[RCU_SYNC_T_PASSED_EXIT], 3);
	assert_int_equal(snap.transitions[RCU_SYNC_T_EXIT_IDLE], 3);

	/* Back to back: the second writer most likely lands in EXIT (then REPLAY). */
	rcu_sync_enter(&rs);
	rcu_sync_exit(&rs);
	rcu_sync_enter(&rs);
	rcu_sync_exit(&rs);
	assert_false(memb_sees_idle(&rs));
	/* The dtor waits for the pending callback (REPLAY or EXIT) with urcu_memb_barrier(). */
	rcu_sync_dtor(&rs);
	urcu_memb_unregister_thread();
}

/*
 * The property the switch exists for, on urcu-memb: a reader that sees
 * IDLE is never inside a writer's section and sees none of its
 * half-done stores. Writers flag their section and keep a version odd
 * while inside it; readers on the fast path must see neither.
 */
struct stress {
	struct rcu_sync rs;
	int stop;
	int writer_active;
	unsigned long version;
	unsigned long fast_reads;
	unsigned long slow_reads;
	unsigned long violations;
};

static void *stress_reader(void *arg)
{
	struct stress *s = arg;
	unsigned long fast = 0, slow = 0, bad = 0;

	urcu_memb_register_thread();
	while (!uatomic_read(&s->stop)) {
		urcu_memb_read_lock();
		if (rcu_sync_is_idle(&s->rs)) {
			unsigned long v1 = CMM_LOAD_SHARED(s->version);

			if (CMM_LOAD_SHARED(s->writer_active) || (v1 & 1))
				bad++;
			caa_cpu_relax();
			if (CMM_LOAD_SHARED(s->version) != v1)
				bad++;
			fast++;
		} else {
			slow++;
		}
		urcu_memb_read_unlock();
	}
	urcu_memb_unregister_thread();
	uatomic_add(&s->fast_reads, fast);
	uatomic_add(&s->slow_reads, slow);
	uatomic_add(&s->violations, bad);
	return NULL;
}

static void test_urcu_memb_readers(void **state)
{
	struct stress *s;
	pthread_t readers[2];
	struct rcu_sync_snapshot snap;
	struct timespec start, now;

	(void)state;
	s = calloc(1, sizeof(*s));
	assert_non_null(s);
	urcu_memb_register_thread();
	rcu_sync_init(&s->rs, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(readers); i++)
		assert_int_equal(pthread_create(&readers[i], NULL, stress_reader, s), 0);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned int round = 0;; round++) {
		rcu_sync_enter(&s->rs);
		CMM_STORE_SHARED(s->writer_active, 1);
		CMM_STORE_SHARED(s->version, s->version + 1);
		for (int spin = 0; spin < 1000; spin++)
			caa_cpu_relax();
		CMM_STORE_SHARED(s->version, s->version + 1);
		CMM_STORE_SHARED(s->writer_active, 0);
		rcu_sync_exit(&s->rs);
		/* Alternate back-to-back writers with pauses long enough to reach IDLE. */
		if (round % 4 == 3)
			sleep_ms(15);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) >=
			    STRESS_NS &&
		    round > 20)
			break;
	}
	assert_true(wait_idle(&s->rs, 2000));
	/* Let the readers see IDLE for a while before stopping them. */
	sleep_ms(20);
	uatomic_set(&s->stop, 1);
	for (size_t i = 0; i < ARRAY_SIZE(readers); i++)
		assert_int_equal(pthread_join(readers[i], NULL), 0);

	rcu_sync_snapshot(&s->rs, &snap);
	print_message("# fast %lu slow %lu; idle->enter %llu, exit->replay %llu\n",
		      s->fast_reads, s->slow_reads,
		      (unsigned long long)snap.transitions[RCU_SYNC_T_IDLE_ENTER],
		      (unsigned long long)snap.transitions[RCU_SYNC_T_EXIT_REPLAY]);
	assert_int_equal(s->violations, 0);
	assert_true(s->fast_reads > 0);
	assert_true(s->slow_reads > 0);
	rcu_sync_dtor(&s->rs);
	urcu_memb_unregister_thread();
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_and_names),
		cmocka_unit_test(test_single_writer),
		cmocka_unit_test(test_nested_writers),
		cmocka_unit_test(test_enter_during_enter),
		cmocka_unit_test(test_enter_during_exit),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_replay_callback_with_writer),
		cmocka_unit_test(test_every_transition),
		cmocka_unit_test(test_dtor_exit_pending),
		cmocka_unit_test(test_dtor_replay_pending),
		cmocka_unit_test(test_dtor_after_passed_cycle),
		cmocka_unit_test(test_random_walk),
		cmocka_unit_test(test_misuse_aborts),
		cmocka_unit_test(test_urcu_memb),
		cmocka_unit_test(test_urcu_memb_readers),
	};

	seed = seed_from_env();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Torture test of the reconfiguration gate and rcu_sync against real
 * urcu-memb, in the manner of the kernel's rcutorture.
 *
 * Readers loop: read_lock; gate_read_enter; check; gate_read_leave;
 * read_unlock. Inside the gate they check that no writer is inside
 * (writer_active clear, the version counter even and unchanged), and read
 * the RCU-protected object: its pipe count (grace periods since it was
 * removed, 1 at removal) must never exceed 1 and it must not be poisoned.
 *
 * Writers (several) take the gate with random holds, bump the version to
 * odd and back, replace the object (aged by call_rcu callbacks that bump
 * the pipe count once per grace period, then poison and free it), and now
 * and then call synchronize_rcu() while holding the gate: a reader that
 * slept inside its read-side section would deadlock them. Half of the
 * write sections follow the previous one back to back (EXIT -> enter,
 * REPLAY). A stutter phase parks the writers until rcu_sync is IDLE again
 * (liveness: within 1 s of the last exit), so the fast path gets used and
 * the writers restart together (ENTER with a writer waiting). A fake writer
 * calls synchronize_rcu() in a loop and replaces the object synchronously;
 * a flood thread keeps call_rcu() busy.
 *
 * Every rcu_sync transition and every reader path must be seen at least
 * once, else the test fails (it runs on a while, bounded, to reach them).
 *
 * ROUTED_TORTURE_SECONDS: duration (default 10); ROUTED_TEST_SEED: seed;
 * ROUTED_EXPECT_MEMBARRIER=0|1: fail unless urcu-memb runs in that mode.
 * "test_gate_torture --membarrier" prints 1 or 0 (the mode) and exits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <urcu/uatomic.h>
#include <urcu/urcu-memb.h>

#include "gate.h"
#include "seed.h"

#define NREADERS 3
#define NWRITERS 3
#define OBJ_MAGIC 0x0b1ec7u
#define POISON 0x6b
#define PIPE_LEN 4		/* grace periods an object ages before it is freed */
#define ACTIVE_MS 250		/* writers run this long between stutters */
#define IDLE_HOLD_MS 30		/* ...and stay parked this long once IDLE */
#define LIVENESS_NS 1000000000ull	/* IDLE within 1 s of the last exit */
#define FLOOD_MAX_PENDING 20000
#define EXTRA_SECONDS 10.0	/* run on at most this long for missing coverage */

struct obj {
	uint32_t magic;
	int pipe;		/* 0 while current, 1 at removal, +1 per grace period */
	uint64_t serial;
	struct rcu_head rh;
};

struct reader_counts {
	unsigned index;
	uint64_t paths[3];	/* by enum gate_entry */
	uint64_t pipe_seen[2];
	uint64_t objects_seen;
};

static unsigned long long seed;
static double duration = 10.0;

static struct gate *gate;
static struct obj *current_obj;		/* RCU-protected */
static int writer_active;
static unsigned long version;
static int stop;

/* Failures found by any thread; the first message is kept. */
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long failures;
static char first_failure[256];

/* Stutter: writers park while parked_request is set. */
static pthread_mutex_t stutter_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stutter_cond = PTHREAD_COND_INITIALIZER;
static bool park_request;
static int writers_parked;
static uint64_t last_exit_ns;	/* under stutter_lock: when the last writer left */

static uint64_t write_sections_done;
static uint64_t syncs_in_gate;
static uint64_t objects_freed, objects_made;
static uint64_t flood_pending, flood_done;

static void report_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report_failure(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fail_lock);
	if (!failures++) {
		va_start(ap, fmt);
		vsnprintf(first_failure, sizeof(first_failure), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&fail_lock);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(uint64_t *rng, unsigned n)
{
	return (unsigned)(splitmix(rng) % n);
}

static void spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		caa_cpu_relax();
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000u, .tv_nsec = ns % 1000000000u };

	nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------------- */
/* The RCU-protected object and its aging */

static struct obj *obj_new(void)
{
	struct obj *o = calloc(1, sizeof(*o));

	if (!o) {
		fprintf(stderr, "out of memory\n");
		abort();
	}
	o->magic = OBJ_MAGIC;
	o->serial = uatomic_add_return(&objects_made, 1);
	return o;
}

static void obj_free(struct obj *o)
{
	/* Poison first: a reader that still holds it sees a bad magic (or ASan fires). */
	memset(o, POISON, sizeof(*o));
	free(o);
	uatomic_inc(&objects_freed);
}

/* One grace period more since removal; freed after PIPE_LEN. */
static void obj_age_cb(struct rcu_head *rh)
{
	struct obj *o = caa_container_of(rh, struct obj, rh);
	int pipe = o->pipe + 1;

	if (pipe >= PIPE_LEN) {
		obj_free(o);
		return;
	}
	CMM_STORE_SHARED(o->pipe, pipe);
	urcu_memb_call_rcu(&o->rh, obj_age_cb);
}

/* Publish a new object; return the old one, already marked removed (pipe 1). */
static struct obj *obj_replace(void)
{
	struct obj *old = rcu_xchg_pointer(&current_obj, obj_new());

	CMM_STORE_SHARED(old->pipe, 1);
	return old;
}

/* ---------------------------------------------------------------------- */
/* Readers */

static void reader_check(struct reader_counts *c, enum gate_entry e)
{
	unsigned long v = CMM_LOAD_SHARED(version);
	struct obj *o;

	if (CMM_LOAD_SHARED(writer_active))
		report_failure("reader inside the gate (%s path) while a writer is active",
		     e == GATE_ENTERED_FAST ? "fast" : "slow");
	if (v & 1)
		report_failure("reader saw odd version %lu (%s path)", v,
		     e == GATE_ENTERED_FAST ? "fast" : "slow");

	o = rcu_dereference(current_obj);
	if (o->magic != OBJ_MAGIC) {
		report_failure("reader saw a poisoned object (magic %#x)", o->magic);
	} else {
		int pipe = CMM_LOAD_SHARED(o->pipe);

		if (pipe > 1 || pipe < 0)
			report_failure("reader saw object %llu aged %d grace periods",
			     (unsigned long long)o->serial, pipe);
		else
			c->pipe_seen[pipe]++;
		c->objects_seen++;
	}
	if (CMM_LOAD_SHARED(version) != v)
		report_failure("version changed under a reader inside the gate");
}

static void *reader_main(void *arg)
{
	struct reader_counts *c = arg;
	uint64_t rng = seed * 31 + c->index;
	struct gate_reader *r;

	urcu_memb_register_thread();
	r = gate_reader_register(gate);
	if (!r) {
		report_failure("gate_reader_register: %s", strerror(errno));
		goto out;
	}
	while (!CMM_LOAD_SHARED(stop)) {
		enum gate_entry e;
		unsigned dice = below(&rng, 64);

		urcu_memb_read_lock();
		e = gate_read_enter(r);
		c->paths[e]++;
		reader_check(c, e);
		/* Now and then a long section: stretches grace periods. */
		if (dice == 0)
			spin_ns(20000 + below(&rng, 80000));
		reader_check(c, e);
		gate_read_leave(r);
		urcu_memb_read_unlock();
		if (dice < 4)
			sched_yield();
	}
	gate_reader_unregister(r);
out:
	urcu_memb_unregister_thread();
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Writers */

static void writer_park_if_asked(void)
{
	pthread_mutex_lock(&stutter_lock);
	if (park_request) {
		if (++writers_parked == NWRITERS) {
			last_exit_ns = now_ns();
			pthread_cond_broadcast(&stutter_cond);
		}
		while (park_request && !CMM_LOAD_SHARED(stop))
			pthread_cond_wait(&stutter_cond, &stutter_lock);
		writers_parked--;
	}
	pthread_mutex_unlock(&stutter_lock);
}

static void write_section(uint64_t *rng)
{
	unsigned dice = below(rng, 16);
	struct obj *old = NULL;

	gate_write_enter(gate);
	CMM_STORE_SHARED(writer_active, 1);
	CMM_STORE_SHARED(version, version + 1);	/* odd: a reader seeing it fails */

	if (dice < 6)
		old = obj_replace();
	if (dice == 0) {
		/* Legal while holding the gate: readers never wait inside a section. */
		urcu_memb_synchronize_rcu();
		uatomic_inc(&syncs_in_gate);
	}
	if (below(rng, 32) == 0)
		/* Outlast call_rcu's 10 ms nap: the EXIT callback finds us inside. */
		sleep_ns(12000000 + below(rng, 8000000));
	else if (dice & 1)
		spin_ns(below(rng, 200000));
	else
		sleep_ns(below(rng, 300000));
	if (old)
		urcu_memb_call_rcu(&old->rh, obj_age_cb);

	CMM_STORE_SHARED(version, version + 1);
	CMM_STORE_SHARED(writer_active, 0);
	gate_write_leave(gate);
	uatomic_inc(&write_sections_done);
}

static void *writer_main(void *arg)
{
	uint64_t rng = seed * 77 + (uintptr_t)arg;

	urcu_memb_register_thread();
	while (!CMM_LOAD_SHARED(stop)) {
		writer_park_if_asked();
		if (CMM_LOAD_SHARED(stop))
			break;
		write_section(&rng);
		/* Half back to back: exit then enter while the EXIT callback is pending. */
		if (below(&rng, 2))
			sleep_ns(below(&rng, 2000000));
	}
	urcu_memb_unregister_thread();
	return NULL;
}

/* synchronize_rcu() in a loop, replacing the object synchronously now and then. */
static void *fake_writer_main(void *arg)
{
	uint64_t rng = seed * 101;

	urcu_memb_register_thread();
	while (!CMM_LOAD_SHARED(stop)) {
		if (below(&rng, 4) == 0) {
			struct obj *old = obj_replace();

			urcu_memb_synchronize_rcu();
			/* A grace period since removal: no reader can hold it now. */
			CMM_STORE_SHARED(old->pipe, 2);
			obj_free(old);
		} else {
			urcu_memb_synchronize_rcu();
		}
		sleep_ns(below(&rng, 200000));
	}
	urcu_memb_unregister_thread();
	return NULL;
}

static void flood_cb(struct rcu_head *rh)
{
	free(rh);
	uatomic_dec(&flood_pending);
	uatomic_inc(&flood_done);
}

/* Keeps call_rcu's worker busy (forward progress under load), bounded backlog. */
static void *flood_main(void *arg)
{
	urcu_memb_register_thread();
	while (!CMM_LOAD_SHARED(stop)) {
		struct rcu_head *rh;

		if (uatomic_read(&flood_pending) >= FLOOD_MAX_PENDING) {
			sleep_ns(1000000);
			continue;
		}
		rh = malloc(sizeof(*rh));
		if (!rh) {
			sleep_ns(1000000);
			continue;
		}
		uatomic_inc(&flood_pending);
		urcu_memb_call_rcu(rh, flood_cb);
	}
	urcu_memb_unregister_thread();
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* The controller: stutter phases and liveness */

static uint64_t max_idle_ns;
static unsigned stutters;

/* Park the writers, check that rcu_sync gets back to IDLE in time, release them. */
static void stutter_once(void)
{
	struct rcu_sync_snapshot snap;
	uint64_t exit_ns, idle_ns;

	pthread_mutex_lock(&stutter_lock);
	park_request = true;
	while (writers_parked < NWRITERS)
		pthread_cond_wait(&stutter_cond, &stutter_lock);
	exit_ns = last_exit_ns;
	pthread_mutex_unlock(&stutter_lock);

	for (;;) {
		struct gate_stats st;

		gate_stats(gate, &st);
		snap = st.sync;
		idle_ns = now_ns();
		if (snap.state == RCU_SYNC_IDLE)
			break;
		if (idle_ns - exit_ns > LIVENESS_NS) {
			report_failure("rcu_sync still %s %.3f s after the last writer left",
			     rcu_sync_state_name(snap.state), (double)(idle_ns - exit_ns) / 1e9);
			break;
		}
		sleep_ns(200000);
	}
	if (snap.state == RCU_SYNC_IDLE && idle_ns - exit_ns > max_idle_ns)
		max_idle_ns = idle_ns - exit_ns;
	stutters++;

	sleep_ns(IDLE_HOLD_MS * 1000000ull);	/* readers on the fast path */

	pthread_mutex_lock(&stutter_lock);
	park_request = false;
	pthread_cond_broadcast(&stutter_cond);
	pthread_mutex_unlock(&stutter_lock);
}

static bool coverage_complete(const struct reader_counts *rc, const struct gate_stats *st)
{
	uint64_t paths[3] = { 0 };

	for (int i = 0; i < NREADERS; i++)
		for (int p = 0; p < 3; p++)
			paths[p] += CMM_LOAD_SHARED(rc[i].paths[p]);
	for (int p = 0; p < 3; p++)
		if (!paths[p])
			return false;
	for (int t = 0; t < RCU_SYNC_T_COUNT; t++)
		if (!st->sync.transitions[t])
			return false;
	return stutters > 0 && uatomic_read(&syncs_in_gate) > 0;
}

static const char *const transition_names[RCU_SYNC_T_COUNT] = {
	[RCU_SYNC_T_IDLE_ENTER] = "idle->enter",
	[RCU_SYNC_T_ENTER_PASSED] = "enter->passed",
	[RCU_SYNC_T_PASSED_EXIT] = "passed->exit",
	[RCU_SYNC_T_EXIT_PASSED] = "exit->passed",
	[RCU_SYNC_T_EXIT_REPLAY] = "exit->replay",
	[RCU_SYNC_T_EXIT_IDLE] = "exit->idle",
	[RCU_SYNC_T_REPLAY_PASSED] = "replay->passed",
	[RCU_SYNC_T_REPLAY_EXIT] = "replay->exit",
	[RCU_SYNC_T_ENTER_WAIT] = "enter-wait",
};

static void torture(void **state)
{
	pthread_t readers[NREADERS], writers[NWRITERS], fake, flood;
	struct reader_counts rc[NREADERS];
	uint64_t start = now_ns(), paths[3] = { 0 }, pipe_seen[2] = { 0 };
	struct gate_stats st;
	double elapsed;

	memset(rc, 0, sizeof(rc));
	urcu_memb_register_thread();
	gate = gate_create();
	assert_non_null(gate);
	current_obj = obj_new();

	for (int i = 0; i < NREADERS; i++) {
		rc[i].index = i + 1;
		assert_int_equal(pthread_create(&readers[i], NULL, reader_main, &rc[i]), 0);
	}
	for (int i = 0; i < NWRITERS; i++)
		assert_int_equal(pthread_create(&writers[i], NULL, writer_main,
						(void *)(uintptr_t)(i + 1)), 0);
	assert_int_equal(pthread_create(&fake, NULL, fake_writer_main, NULL), 0);
	assert_int_equal(pthread_create(&flood, NULL, flood_main, NULL), 0);

	for (;;) {
		elapsed = (double)(now_ns() - start) / 1e9;
		gate_stats(gate, &st);
		if (elapsed >= duration &&
		    (coverage_complete(rc, &st) || elapsed >= duration + EXTRA_SECONDS))
			break;
		if (CMM_LOAD_SHARED(failures))
			break;
		sleep_ns(ACTIVE_MS * 1000000ull);
		stutter_once();
	}

	CMM_STORE_SHARED(stop, 1);
	pthread_mutex_lock(&stutter_lock);
	pthread_cond_broadcast(&stutter_cond);
	pthread_mutex_unlock(&stutter_lock);
	for (int i = 0; i < NWRITERS; i++)
		pthread_join(writers[i], NULL);
	for (int i = 0; i < NREADERS; i++)
		pthread_join(readers[i], NULL);
	pthread_join(fake, NULL);
	pthread_join(flood, NULL);

	gate_stats(gate, &st);
	for (int i = 0; i < NREADERS; i++) {
		for (int p = 0; p < 3; p++)
			paths[p] += rc[i].paths[p];
		pipe_seen[0] += rc[i].pipe_seen[0];
		pipe_seen[1] += rc[i].pipe_seen[1];
	}
	print_message("# seed %llu: %.1f s, membarrier %s, %d readers, %d writers\n", seed,
		      (double)(now_ns() - start) / 1e9,
		      urcu_memb_has_sys_membarrier ? "yes" : "no (fallback)", NREADERS, NWRITERS);
	print_message("# reader entries: fast %llu, slow %llu, after wait %llu; pipe 0/1 seen "
		      "%llu/%llu\n",
		      (unsigned long long)paths[GATE_ENTERED_FAST],
		      (unsigned long long)paths[GATE_ENTERED_SLOW],
		      (unsigned long long)paths[GATE_ENTERED_AFTER_WAIT],
		      (unsigned long long)pipe_seen[0], (unsigned long long)pipe_seen[1]);
	print_message("# write sections %llu (%llu with synchronize_rcu), max held %.1f us; "
		      "stutters %u, max last-exit->IDLE %.2f ms\n",
		      (unsigned long long)st.write_sections,
		      (unsigned long long)uatomic_read(&syncs_in_gate),
		      (double)st.max_write_ns / 1e3, stutters, (double)max_idle_ns / 1e6);
	print_message("# reader stall: p50 <= %.1f us, p99 <= %.1f us, max %.1f us; poll "
		      "rescues: writer %llu, reader %llu\n",
		      (double)gate_stall_quantile_ns(&st, 0.5) / 1e3,
		      (double)gate_stall_quantile_ns(&st, 0.99) / 1e3,
		      (double)st.stall_max_ns / 1e3,
		      (unsigned long long)st.writer_poll_rescues,
		      (unsigned long long)st.reader_poll_rescues);
	print_message("# transitions:");
	for (int t = 0; t < RCU_SYNC_T_COUNT; t++)
		print_message(" %s %llu", transition_names[t],
			      (unsigned long long)st.sync.transitions[t]);
	print_message("\n");

	/* Tear down with the EXIT callback most likely still pending. */
	gate_destroy(gate);
	gate = NULL;
	urcu_memb_barrier();
	free(current_obj);
	/* Aging callbacks re-queue themselves: wait until every object is freed. */
	for (int i = 0; i < 2 * PIPE_LEN && uatomic_read(&objects_freed) + 1 <
					    uatomic_read(&objects_made); i++)
		urcu_memb_barrier();
	urcu_memb_unregister_thread();

	if (failures)
		fail_msg("%lu failure(s); first: %s", failures, first_failure);
	for (int p = 0; p < 3; p++)
		if (!paths[p])
			fail_msg("reader path %d never taken", p);
	for (int t = 0; t < RCU_SYNC_T_COUNT; t++)
		if (!st.sync.transitions[t])
			fail_msg("rcu_sync transition %s never seen", transition_names[t]);
	assert_true(stutters > 0);
	assert_true(uatomic_read(&syncs_in_gate) > 0);
	assert_true(pipe_seen[0] > 0);
	/* The gate's own statistics agree with what the readers saw. */
	assert_int_equal(st.slow_path_entries,
			 paths[GATE_ENTERED_SLOW] + paths[GATE_ENTERED_AFTER_WAIT]);
	assert_int_equal(st.reader_waits, paths[GATE_ENTERED_AFTER_WAIT]);
	assert_int_equal(st.write_sections, write_sections_done);
	assert_int_equal(st.readers, 0);
	assert_int_equal(st.sync.count, 0);
	assert_int_equal(uatomic_read(&objects_freed) + 1, uatomic_read(&objects_made));
	assert_true(uatomic_read(&flood_done) > 0);
}

/* ---------------------------------------------------------------------- */
/*
 * Wake-ups, one at a time: a writer waiting for a reader inside the gate
 * must be woken by the reader's leave, and a reader waiting for a writer by
 * the writer's leave, not by the fallback polls (1 ms writer, 10 ms
 * reader). Each side holds longer than the other's poll, so a lost wake-up
 * shows as a poll rescue in almost every round.
 */
#define WAKEUP_ROUNDS 40
#define WAKEUP_HOLD_NS 3000000ull

struct wakeup_reader {
	struct gate *gate;
	int phase;		/* driven by the writer: see wakeups() */
	unsigned slow_rounds, waited_rounds;
};

static void wait_phase(int *phase, int want)
{
	while (uatomic_read(phase) != want)
		sleep_ns(20000);
}

static void *wakeup_reader_main(void *arg)
{
	struct wakeup_reader *w = arg;
	struct gate_reader *r;

	urcu_memb_register_thread();
	r = gate_reader_register(w->gate);
	assert_non_null(r);
	for (int round = 0; round < WAKEUP_ROUNDS; round++) {
		/* 1: enter while rcu_sync is busy, stay until the writer waits for us. */
		wait_phase(&w->phase, 1);
		urcu_memb_read_lock();
		if (gate_read_enter(r) == GATE_ENTERED_SLOW)
			w->slow_rounds++;
		uatomic_set(&w->phase, 2);
		spin_ns(WAKEUP_HOLD_NS);
		gate_read_leave(r);
		urcu_memb_read_unlock();

		/* 3: the writer holds the gate: we wait for it. */
		wait_phase(&w->phase, 3);
		urcu_memb_read_lock();
		if (gate_read_enter(r) == GATE_ENTERED_AFTER_WAIT)
			w->waited_rounds++;
		gate_read_leave(r);
		urcu_memb_read_unlock();
		uatomic_set(&w->phase, 4);
	}
	gate_reader_unregister(r);
	urcu_memb_unregister_thread();
	return NULL;
}

static void wakeups(void **state)
{
	struct wakeup_reader w = { 0 };
	struct gate_stats st;
	pthread_t reader;

	urcu_memb_register_thread();
	w.gate = gate_create();
	assert_non_null(w.gate);
	assert_int_equal(pthread_create(&reader, NULL, wakeup_reader_main, &w), 0);
	for (int round = 0; round < WAKEUP_ROUNDS; round++) {
		/* An empty section: rcu_sync stays busy (EXIT) for a grace period or more. */
		gate_write_enter(w.gate);
		gate_write_leave(w.gate);
		uatomic_set(&w.phase, 1);
		wait_phase(&w.phase, 2);
		gate_write_enter(w.gate);	/* the reader is inside: wait for its leave */
		uatomic_set(&w.phase, 3);
		sleep_ns(WAKEUP_HOLD_NS);
		gate_write_leave(w.gate);
		wait_phase(&w.phase, 4);
	}
	pthread_join(reader, NULL);
	gate_stats(w.gate, &st);
	gate_destroy(w.gate);
	urcu_memb_unregister_thread();

	print_message("# wake-ups: %u rounds, reader inside on the slow path in %u, waited in "
		      "%u; poll rescues: writer %llu, reader %llu\n",
		      WAKEUP_ROUNDS, w.slow_rounds, w.waited_rounds,
		      (unsigned long long)st.writer_poll_rescues,
		      (unsigned long long)st.reader_poll_rescues);
	/* Most rounds must exercise each wake-up; almost none may need the poll. */
	assert_true(w.slow_rounds >= WAKEUP_ROUNDS / 2);
	assert_true(w.waited_rounds >= WAKEUP_ROUNDS / 2);
	assert_true(st.writer_poll_rescues <= WAKEUP_ROUNDS / 8);
	assert_true(st.reader_poll_rescues <= WAKEUP_ROUNDS / 8);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wakeups),
		cmocka_unit_test(torture),
	};
	const char *d = getenv("ROUTED_TORTURE_SECONDS");
	const char *expect = getenv("ROUTED_EXPECT_MEMBARRIER");

	if (argc == 2 && !strcmp(argv[1], "--membarrier")) {
		printf("%d\n", urcu_memb_has_sys_membarrier ? 1 : 0);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: %s [--membarrier]\n", argv[0]);
		return 2;
	}
	seed = seed_from_env();
	if (d) {
		char *end;

		duration = strtod(d, &end);
		if (*end || duration < 0) {
			fprintf(stderr, "ROUTED_TORTURE_SECONDS: not a duration: '%s'\n", d);
			return 2;
		}
	}
	if (expect && (expect[0] == '1') != (urcu_memb_has_sys_membarrier != 0)) {
		printf("1..1\nnot ok 1 - membarrier mode is %d, expected %s\n",
		       urcu_memb_has_sys_membarrier ? 1 : 0, expect);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reconfiguration gate: percpu-rwsem-style reader/writer exclusion on
 * top of rcu_sync (the algorithm of the kernel's percpu rw-semaphore,
 * written from its description for per-thread counters and urcu-memb).
 *
 * Each registered reader owns one counter slot, written only by its thread
 * (plain stores, no read-modify-write); the writer sums the slots. A slot is
 * 1 while its reader is inside the gate, else 0.
 *
 * Reader, inside its read-side section:
 *   fast (rcu_sync idle):  slot++                ... slot--
 *   slow:                  slot++; A; if (!block) R, in,
 *                          else slot--; F; wake writer; wait; retry
 *                                                ... B; slot--; F; wake writer
 * Writer (serialized by writer_lock, taken after rcu_sync_enter so that
 * overlapping writers share one rcu_sync busy period):
 *   rcu_sync_enter; lock; xchg(block, 1) = D; wait until sum(slots) == 0; C
 *   ...reconfigure...
 *   G; block = 0; wake readers; unlock; rcu_sync_exit
 *
 * Barrier pairing (each full barrier is cmm_smp_mb() or a fully ordered
 * uatomic operation, R is cmm_smp_rmb(); "forbids" names the outcome it
 * rules out):
 *   A (reader, after slot++) pairs with D (writer's xchg of block): store
 *     buffering. The reader publishes itself then loads block; the writer
 *     publishes block then loads the slots. Forbids: reader sees block == 0
 *     AND writer sees the reader's slot == 0 (both inside at once).
 *   B (reader, before the slow slot--) pairs with C (writer, after the sum
 *     reads 0): forbids the writer's reconfiguration stores being visible to
 *     the reader's lookups that precede its slot-- (reader reading a
 *     half-reconfigured table), and the reader's accesses leaking past it.
 *   G (writer, before block = 0) pairs with R (reader, a read barrier
 *     after it loads block == 0): message passing. Forbids a reader that
 *     saw the leaving writer's block == 0 reading state older than that
 *     writer's reconfiguration. R orders loads only, enough for lookups.
 *   E (writer, after announcing writer_waiting and reading the wake
 *     sequence) pairs with F (reader, after its slot-- or its waiters--):
 *     store buffering again. Forbids: writer sees the old slot AND reader
 *     sees writer_waiting == 0 (a missed wake-up: the 2018 kernel bug was
 *     this load of the waiting writer hoisted above the decrement).
 *
 * Why the fast path needs no barrier: a reader that saw rcu_sync idle is in
 * a read-side section that rcu_sync_enter()'s grace period must wait out,
 * so the writer's sum (after that grace period) runs after the whole
 * section, increment and decrement included; and a reader that sees idle
 * again after a writer's exit sees everything that writer stored (a full
 * grace period separates the exit from the store of IDLE). The slot is
 * still bumped so the invariant "slot == 1 while inside" holds on both
 * paths and leave can check it.
 *
 * A reader never sleeps inside a read-side section: the writer may call
 * synchronize_rcu() while holding the gate, which would wait for the
 * sleeping reader forever. The slow path leaves the section, sleeps on a
 * futex on block, re-enters and retries.
 *
 * Fairness: a writer about to close the gate first waits for the readers
 * the previous writer woke (waiters == 0), so back-to-back writers cannot
 * starve them. This is best effort (a reader that has not yet announced
 * itself may be passed over once) and costs nothing on the fast path.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <urcu/arch.h>
#include <urcu/compiler.h>
#include <urcu/list.h>
#include <urcu/system.h>
#include <urcu/uatomic.h>
#include <urcu/urcu-memb.h>

#include <routed/clock.h>
#include <routed/hist.h>

#include "gate.h"

/* Sleeps are wake-up driven; these bound them in case a wake-up is lost anyway. */
#define WRITER_POLL_NS 1000000L		/* 1 ms */
#define READER_POLL_NS 10000000L	/* 10 ms */

enum reader_state { READER_OUTSIDE, READER_IN_FAST, READER_IN_SLOW };

struct gate_reader {
	/* The slot: written by the owner thread only, summed by the writer. */
	unsigned long slot;
	enum reader_state state;	/* owner only */
	struct gate *gate;
	struct cds_list_head node;	/* under writer_lock and reg_lock */

	/* Owner-written statistics, read by gate_stats() (untorn 64-bit loads). */
	uint64_t slow_entries;
	uint64_t waits;
	uint64_t stall_total_ns;
	uint64_t stall_max_ns;
	uint64_t poll_rescues;
	uint64_t stall_hist[GATE_STALL_BUCKETS];
} __attribute__((aligned(CAA_CACHE_LINE_SIZE)));	/* no false sharing between slots */

/* Totals of the wait statistics; also used for readers that unregistered. */
struct reader_totals {
	uint64_t slow_entries;
	uint64_t waits;
	uint64_t stall_total_ns;
	uint64_t stall_max_ns;
	uint64_t poll_rescues;
	uint64_t stall_hist[GATE_STALL_BUCKETS];
};

struct gate {
	struct rcu_sync sync;

	/* 1 while a writer holds (or is closing) the gate; futex word for readers. */
	int block __attribute__((aligned(CAA_CACHE_LINE_SIZE)));
	/* Readers sleeping for the gate or woken and not yet through. */
	int waiters;

	/* The writer's wake-up: readers bump writer_seq and futex-wake it. */
	int writer_waiting __attribute__((aligned(CAA_CACHE_LINE_SIZE)));
	int writer_seq;

	pthread_mutex_t writer_lock;	/* one writer; reader list changes */
	struct cds_list_head readers;	/* walked under writer_lock */
	uint64_t block_start_ns;	/* under writer_lock */
	uint64_t enter_start_ns;
	uint64_t writer_poll_rescues;	/* written under writer_lock, read by stats */

	pthread_mutex_t reg_lock;	/* readers list for stats, retired, writer stats */
	uint64_t nreaders;
	struct reader_totals retired;
	uint64_t write_sections;
	uint64_t last_write_ns, max_write_ns;
	uint64_t last_enter_ns, max_enter_ns;
};

/*
 * Not cds_list_for_each_entry(): it forms a gate_reader pointer from the
 * list head itself, misaligned for this over-aligned type.
 */
static struct gate_reader *reader_of(struct cds_list_head *node)
{
	return caa_container_of(node, struct gate_reader, node);
}

/*
 * Sleep while *word == val, at most timeout_ns. Spurious returns are fine.
 * Returns whether the timeout ended the sleep.
 */
static bool futex_wait(int *word, int val, long timeout_ns)
{
	struct timespec ts = { .tv_sec = timeout_ns / 1000000000L,
			       .tv_nsec = timeout_ns % 1000000000L };

	return syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0) < 0 &&
	       errno == ETIMEDOUT;
}

static void futex_wake(int *word, int nr)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, nr, NULL, NULL, 0);
}

struct gate *gate_create(void)
{
	struct gate *g;

	if (posix_memalign((void **)&g, CAA_CACHE_LINE_SIZE, sizeof(*g))) {
		errno = ENOMEM;
		return NULL;
	}
	memset(g, 0, sizeof(*g));
	rcu_sync_init(&g->sync, NULL);
	pthread_mutex_init(&g->writer_lock, NULL);
	pthread_mutex_init(&g->reg_lock, NULL);
	CDS_INIT_LIST_HEAD(&g->readers);
	return g;
}

void gate_destroy(struct gate *g)
{
	if (!g)
		return;
	assert(cds_list_empty(&g->readers) && "gate_destroy with readers registered");
	assert(!g->block && "gate_destroy with a writer inside");
	/* Waits for the EXIT -> IDLE callback if one is pending. */
	rcu_sync_dtor(&g->sync);
	pthread_mutex_destroy(&g->writer_lock);
	pthread_mutex_destroy(&g->reg_lock);
	free(g);
}

struct gate_reader *gate_reader_register(struct gate *g)
{
	struct gate_reader *r;

	assert(!urcu_memb_read_ongoing());
	if (posix_memalign((void **)&r, CAA_CACHE_LINE_SIZE, sizeof(*r))) {
		errno = ENOMEM;
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	r->gate = g;
	r->state = READER_OUTSIDE;

	/* Under writer_lock: the list a writer walks never changes under it. */
	pthread_mutex_lock(&g->writer_lock);
	pthread_mutex_lock(&g->reg_lock);
	cds_list_add(&r->node, &g->readers);
	g->nreaders++;
	pthread_mutex_unlock(&g->reg_lock);
	pthread_mutex_unlock(&g->writer_lock);
	return r;
}

static void totals_add_reader(struct reader_totals *t, const struct gate_reader *r)
{
	uint64_t max = CMM_LOAD_SHARED(r->stall_max_ns);

	t->slow_entries += CMM_LOAD_SHARED(r->slow_entries);
	t->waits += CMM_LOAD_SHARED(r->waits);
	t->stall_total_ns += CMM_LOAD_SHARED(r->stall_total_ns);
	t->poll_rescues += CMM_LOAD_SHARED(r->poll_rescues);
	if (max > t->stall_max_ns)
		t->stall_max_ns = max;
	for (int i = 0; i < GATE_STALL_BUCKETS; i++)
		t->stall_hist[i] += CMM_LOAD_SHARED(r->stall_hist[i]);
}

void gate_reader_unregister(struct gate_reader *r)
{
	struct gate *g;

	if (!r)
		return;
	g = r->gate;
	assert(r->state == READER_OUTSIDE && r->slot == 0 && "unregister inside the gate");
	assert(!urcu_memb_read_ongoing());

	pthread_mutex_lock(&g->writer_lock);
	pthread_mutex_lock(&g->reg_lock);
	cds_list_del(&r->node);
	g->nreaders--;
	totals_add_reader(&g->retired, r);
	pthread_mutex_unlock(&g->reg_lock);
	pthread_mutex_unlock(&g->writer_lock);
	free(r);
}

/* Owner-only counter update: a plain store others may read untorn. */
#define OWNER_ADD(field, delta) CMM_STORE_SHARED(field, (field) + (delta))

static void wake_writer(struct gate *g)
{
	/*
	 * The caller's F barrier ordered its slot or waiters decrement before
	 * this load (pairs with E in writer_wait).
	 */
	if (CMM_LOAD_SHARED(g->writer_waiting)) {
		/* Bump the sequence so a writer about to sleep on the old value does not. */
		uatomic_inc(&g->writer_seq);
		futex_wake(&g->writer_seq, 1);
	}
}

static void record_stall(struct gate_reader *r, uint64_t ns)
{
	unsigned bucket = rt_hist_bucket(ns, GATE_STALL_BUCKETS);

	OWNER_ADD(r->stall_hist[bucket], 1);
	OWNER_ADD(r->waits, 1);
	OWNER_ADD(r->stall_total_ns, ns);
	if (ns > r->stall_max_ns)
		CMM_STORE_SHARED(r->stall_max_ns, ns);
}

/*
 * Outside the read-side section: sleep until no writer holds the gate.
 * Counts the waits that the fallback poll, not a wake-up, ended.
 */
static void wait_for_writer(struct gate_reader *r)
{
	bool timed_out = false;

	while (CMM_LOAD_SHARED(r->gate->block))
		timed_out = futex_wait(&r->gate->block, 1, READER_POLL_NS);
	if (timed_out)
		OWNER_ADD(r->poll_rescues, 1);
}

static enum gate_entry read_enter_slow(struct gate_reader *r)
{
	struct gate *g = r->gate;
	uint64_t wait_start = 0;
	bool waited = false;

	OWNER_ADD(r->slow_entries, 1);
	for (;;) {
		OWNER_ADD(r->slot, 1);
		/*
		 * A: pairs with D (the writer's xchg of block). Our slot store
		 * is ordered before our load of block; the writer's block store
		 * before its loads of the slots. Forbids both seeing the other's
		 * old value: either we see block == 1 or the writer counts us.
		 */
		cmm_smp_mb();
		if (!CMM_LOAD_SHARED(g->block))
			break;

		OWNER_ADD(r->slot, -1);
		/* F: our slot-- before the load of writer_waiting (pairs with E). */
		cmm_smp_mb();
		wake_writer(g);

		if (!waited) {
			waited = true;
			wait_start = rt_clock_ns();
			/* Tell the next writer to let us in first (fairness, best effort). */
			uatomic_inc(&g->waiters);
		}
		/*
		 * Never sleep inside the read-side section: the writer may wait
		 * for a grace period while it holds the gate.
		 */
		urcu_memb_read_unlock();
		assert(!urcu_memb_read_ongoing() && "gate_read_enter with nested read locks");
		wait_for_writer(r);
		urcu_memb_read_lock();

		if (rcu_sync_is_idle(&g->sync)) {
			/* The writers are gone for a full grace period: fast path. */
			OWNER_ADD(r->slot, 1);
			r->state = READER_IN_FAST;
			goto out_waited;
		}
	}
	/*
	 * R, a read barrier (not an acquire: it orders loads only): our load
	 * of block == 0 before the loads of our lookups, which is all a
	 * reader does with what a writer reconfigures. Pairs with G, the
	 * full barrier before a leaving writer's store of block = 0: having
	 * read that store, our lookups see everything its section stored.
	 */
	cmm_smp_rmb();
	r->state = READER_IN_SLOW;
	if (!waited)
		return GATE_ENTERED_SLOW;
out_waited:
	/*
	 * Fully ordered: the waiters-- comes before the load of
	 * writer_waiting (F, pairs with E: a writer waiting for waiters == 0
	 * either sees the decrement or is woken).
	 */
	uatomic_add_return(&g->waiters, -1);
	wake_writer(g);
	record_stall(r, rt_clock_ns() - wait_start);
	return GATE_ENTERED_AFTER_WAIT;
}

enum gate_entry gate_read_enter(struct gate_reader *r)
{
	assert(r->state == READER_OUTSIDE && "gate_read_enter nested");
	/* rcu_sync_is_idle() asserts that we are inside a read-side section. */
	if (caa_likely(rcu_sync_is_idle(&r->gate->sync))) {
		/*
		 * No barrier: a writer's rcu_sync_enter() waits out this whole
		 * read-side section before it sums the slots (see the top).
		 */
		OWNER_ADD(r->slot, 1);
		r->state = READER_IN_FAST;
		return GATE_ENTERED_FAST;
	}
	return read_enter_slow(r);
}

void gate_read_leave(struct gate_reader *r)
{
	assert(r->slot == 1 && "gate_read_leave without gate_read_enter");
	if (caa_likely(r->state == READER_IN_FAST)) {
		/* Same section as the fast enter: no writer sums before it ends. */
		OWNER_ADD(r->slot, -1);
		r->state = READER_OUTSIDE;
		return;
	}
	assert(r->state == READER_IN_SLOW);
	/*
	 * B: pairs with C. Our lookups are ordered before the slot-- that lets
	 * the writer in; forbids them seeing its reconfiguration.
	 */
	cmm_smp_mb();
	OWNER_ADD(r->slot, -1);
	r->state = READER_OUTSIDE;
	/*
	 * F: pairs with E. The slot-- before the load of writer_waiting
	 * (the 2018 percpu-rwsem missed wake-up: that load hoisted above the
	 * decrement let the writer sleep on a count that was already 0).
	 */
	cmm_smp_mb();
	wake_writer(r->gate);
}

static bool readers_drained(struct gate *g)
{
	struct cds_list_head *pos;
	unsigned long sum = 0;

	/* Only the modular sum matters; each slot is its owner's plain store. */
	cds_list_for_each(pos, &g->readers)
		sum += CMM_LOAD_SHARED(reader_of(pos)->slot);
	return sum == 0;
}

static bool waiters_drained(struct gate *g)
{
	return CMM_LOAD_SHARED(g->waiters) == 0;
}

/*
 * Under writer_lock: sleep until done(g), woken by readers, polling as a
 * fallback. Counts the waits that the poll, not a wake-up, ended.
 */
static void writer_wait(struct gate *g, bool (*done)(struct gate *g))
{
	bool timed_out = false;

	for (;;) {
		int seq;

		CMM_STORE_SHARED(g->writer_waiting, 1);
		seq = CMM_LOAD_SHARED(g->writer_seq);
		/*
		 * E: pairs with F in the readers. writer_waiting = 1 and the load
		 * of seq are ordered before done()'s loads of slots/waiters.
		 * Forbids: we read a reader's old count AND it misses
		 * writer_waiting. If it saw writer_waiting, its seq bump comes
		 * after our load of seq (else we would have seen its count), so
		 * the futex sleep below returns at once.
		 */
		cmm_smp_mb();
		if (done(g))
			break;
		timed_out = futex_wait(&g->writer_seq, seq, WRITER_POLL_NS);
	}
	if (timed_out)
		CMM_STORE_SHARED(g->writer_poll_rescues, g->writer_poll_rescues + 1);
	CMM_STORE_SHARED(g->writer_waiting, 0);
}

void gate_write_enter(struct gate *g)
{
	uint64_t start = rt_clock_ns();
	int was_blocked;

	assert(!urcu_memb_read_ongoing() && "gate_write_enter in a read-side section");
	/* Readers go to the slow path; overlapping writers share one busy period. */
	rcu_sync_enter(&g->sync);
	pthread_mutex_lock(&g->writer_lock);

	/* Let in the readers the previous writer woke before closing again. */
	writer_wait(g, waiters_drained);
	/*
	 * D: uatomic_xchg is fully ordered in liburcu (a full barrier before
	 * and after). Pairs with A: block = 1 is ordered before our loads of
	 * the slots; forbids a reader passing on block == 0 while we read its
	 * slot as 0.
	 */
	was_blocked = uatomic_xchg(&g->block, 1);
	assert(!was_blocked);
	(void)was_blocked;
	g->block_start_ns = rt_clock_ns();
	g->enter_start_ns = start;

	writer_wait(g, readers_drained);
	/*
	 * C: pairs with B. The slot-- we read as 0 is ordered before our
	 * reconfiguration; forbids a leaving reader's lookups seeing it.
	 */
	cmm_smp_mb();
}

void gate_write_leave(struct gate *g)
{
	uint64_t end = rt_clock_ns();
	uint64_t held = end - g->block_start_ns;
	uint64_t entering = g->block_start_ns - g->enter_start_ns;

	assert(CMM_LOAD_SHARED(g->block) == 1 && "gate_write_leave without gate_write_enter");
	pthread_mutex_lock(&g->reg_lock);
	g->write_sections++;
	g->last_write_ns = held;
	if (held > g->max_write_ns)
		g->max_write_ns = held;
	g->last_enter_ns = entering;
	if (entering > g->max_enter_ns)
		g->max_enter_ns = entering;
	pthread_mutex_unlock(&g->reg_lock);

	/*
	 * G: everything the write section stored is ordered before block = 0
	 * (pairs with R, the read barrier after a reader's load of block).
	 */
	cmm_smp_mb();
	CMM_STORE_SHARED(g->block, 0);
	/* Readers sleep on block == 1; the futex compares atomically: no lost wake-up. */
	futex_wake(&g->block, INT_MAX);
	pthread_mutex_unlock(&g->writer_lock);
	/* Never blocks; the fast path returns a grace period after the last exit. */
	rcu_sync_exit(&g->sync);
}

void gate_stats(struct gate *g, struct gate_stats *out)
{
	struct cds_list_head *pos;
	struct reader_totals t;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&g->reg_lock);
	t = g->retired;
	cds_list_for_each(pos, &g->readers)
		totals_add_reader(&t, reader_of(pos));
	out->readers = g->nreaders;
	out->write_sections = g->write_sections;
	out->last_write_ns = g->last_write_ns;
	out->max_write_ns = g->max_write_ns;
	out->last_enter_ns = g->last_enter_ns;
	out->max_enter_ns = g->max_enter_ns;
	pthread_mutex_unlock(&g->reg_lock);
	out->writer_poll_rescues = CMM_LOAD_SHARED(g->writer_poll_rescues);
	out->reader_poll_rescues = t.poll_rescues;

	out->slow_path_entries = t.slow_entries;
	out->reader_waits = t.waits;
	out->stall_total_ns = t.stall_total_ns;
	out->stall_max_ns = t.stall_max_ns;
	memcpy(out->stall_hist, t.stall_hist, sizeof(out->stall_hist));
	rcu_sync_snapshot(&g->sync, &out->sync);
}

uint64_t gate_stall_quantile_ns(const struct gate_stats *st, double q)
{
	return rt_hist_quantile(st->stall_hist, GATE_STALL_BUCKETS, st->stall_max_ns, q);
}

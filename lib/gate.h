/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reconfiguration gate: a reader/writer exclusion in the style of the
 * kernel's percpu rw-semaphore, built on rcu_sync. Readers (lookup workers,
 * once per batch) pay nothing while no reconfiguration runs: inside their
 * read-side section they bump a private per-thread counter. A writer (the
 * control thread) switches them to a slow path, waits for the readers
 * inside to drain, reconfigures with no reader inside, and lets them go.
 * The protocol and its barrier pairing are described in gate.c.
 *
 * Reader contract (a registered urcu-memb reader thread):
 *
 *	urcu_memb_read_lock();
 *	if (gate_read_enter(r) == GATE_ENTERED_AFTER_WAIT)
 *		...the section was left and re-entered: reload RCU pointers...
 *	...lookups...
 *	gate_read_leave(r);
 *	urcu_memb_read_unlock();
 *
 * - gate_read_enter() must be called inside urcu_memb_read_lock(), and
 *   gate_read_leave() inside the same read-side section (no unlock/lock
 *   between them). Sections may not nest in the gate: one enter, one leave.
 * - A reader never blocks inside a read-side section: a writer holding the
 *   gate may wait for a grace period. So while a writer holds the gate,
 *   gate_read_enter() leaves the read-side section (urcu_memb_read_unlock),
 *   sleeps until the writer leaves, re-enters it (urcu_memb_read_lock) and
 *   retries. The caller must therefore not carry RCU-protected pointers
 *   across gate_read_enter(): load them after it returns. The read-lock
 *   nesting depth must be exactly one at the call (the drop must really
 *   leave the section).
 * - No other lock a writer may need may be held across gate_read_enter().
 *
 * Writer contract: any thread that is not inside a read-side section;
 * writers are serialized (one holds the gate, others wait in
 * gate_write_enter). Inside the write section the writer may call
 * synchronize_rcu(), call_rcu() and take any lock readers do not hold.
 *
 * Errors: pointer returns are NULL with errno set.
 */
#ifndef ROUTED_GATE_H
#define ROUTED_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "rcu_sync.h"

struct gate;
struct gate_reader;		/* one per reader thread */

/* A gate over urcu-memb. NULL with errno (ENOMEM) on failure. */
struct gate *gate_create(void);
/*
 * Every reader unregistered, no writer inside, not in a read-side section:
 * waits for rcu_sync's pending callback. Accepts NULL.
 */
void gate_destroy(struct gate *g);

/*
 * Reader threads: register once, from the reader thread, outside any
 * read-side section (it waits for a writer inside the gate). The thread
 * must be a registered urcu-memb reader. NULL with errno on failure.
 */
struct gate_reader *gate_reader_register(struct gate *g);
/* Outside the gate and outside any read-side section. Accepts NULL. */
void gate_reader_unregister(struct gate_reader *r);

enum gate_entry {
	GATE_ENTERED_FAST,		/* no writer around: one plain store */
	GATE_ENTERED_SLOW,		/* writer active but not inside: counted, fenced */
	GATE_ENTERED_AFTER_WAIT,	/* waited for a writer: the section was left and retaken */
};
/* See the reader contract above. */
enum gate_entry gate_read_enter(struct gate_reader *r);
void gate_read_leave(struct gate_reader *r);

/*
 * The writer side. On return from gate_write_enter() no reader is inside
 * the gate and none can enter until gate_write_leave(). Not in a read-side
 * section.
 */
void gate_write_enter(struct gate *g);
void gate_write_leave(struct gate *g);

/* Reader wait times: bucket i counts waits of [2^i, 2^(i+1)) ns (bucket 0: < 2 ns). */
#define GATE_STALL_BUCKETS 40

struct gate_stats {
	uint64_t readers;		/* registered now */
	uint64_t write_sections;
	uint64_t last_write_ns;		/* the last write section: readers locked out */
	uint64_t max_write_ns;
	uint64_t last_enter_ns;		/* the last gate_write_enter(): GP + drain */
	uint64_t max_enter_ns;
	uint64_t slow_path_entries;	/* reader entries that took the slow path */
	uint64_t reader_waits;		/* slow-path entries that had to wait for a writer */
	uint64_t stall_total_ns;	/* time readers spent waiting, summed */
	uint64_t stall_max_ns;
	uint64_t stall_hist[GATE_STALL_BUCKETS];
	/*
	 * Sleeps ended by the fallback poll instead of a wake-up: a lost
	 * wake-up, or a waker descheduled longer than the poll (1 ms writer,
	 * 10 ms reader). Should stay near zero.
	 */
	uint64_t writer_poll_rescues;
	uint64_t reader_poll_rescues;
	struct rcu_sync_snapshot sync;
};
/* Any thread; takes the registration lock briefly (never the writer's). */
void gate_stats(struct gate *g, struct gate_stats *out);
/*
 * An upper bound of the q-quantile (0 < q <= 1) of reader waits from the
 * histogram (a bucket's upper edge, capped by stall_max_ns); 0 if none.
 */
uint64_t gate_stall_quantile_ns(const struct gate_stats *st, double q);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A model of lib/rcu_sync.c: the five-state switch, overlapping writers,
 * the single pending callback, the destructor, and fast-path readers that
 * see memory only as the grace-period guarantee lets them.
 *
 * Memory-ordering assumptions (what the model takes as given):
 *
 *  1. Every region under rs->lock is one atomic step. Writers only touch
 *     gp_state and gp_count under the mutex, so they see them sequentially
 *     consistent.
 *  2. Readers load gp_state (and the writers' data) with no barrier at all.
 *     Such a load may return any older value, bounded only by:
 *       a. coherence: a thread never sees a value older than one it saw;
 *       b. the grace-period guarantee: a read-side section that starts
 *          after a grace period has started sees every store made before
 *          that start.
 *     Stores are versioned; a reader's load picks any version between its
 *     lower bound and the newest one.
 *  3. A grace period started at time t ends once every read-side section
 *     in progress at t has ended; sections that start later are not waited
 *     for. synchronize() is a grace period; call() starts one at the moment
 *     of the call (the latest start real RCU guarantees, hence the fewest
 *     waits and the least visibility) and the callback may run any time
 *     after it ends. barrier() waits for the callbacks queued before it.
 *  4. All stores a grace period must publish happen before its start in
 *     program order or through the mutex (writers' data before their exit,
 *     exit and callback under the mutex), so taking "every store so far"
 *     as the published set at the start matches happens-before here.
 *
 * Properties:
 *  - safety: a reader on the fast path never overlaps a writer between
 *    enter() returning and exit(), and sees the newest data; the invariants
 *    (IDLE => no writer, ENTER/PASSED => a writer, a callback is pending
 *    exactly in EXIT and REPLAY, the callback never sees IDLE or PASSED);
 *    no callback runs after the destructor; the destructor ends in IDLE.
 *  - liveness (-DLIVENESS, weak fairness): whenever no writer is inside
 *    and the switch is not idle, it eventually becomes idle or a writer
 *    comes back.
 *
 * -DBROKEN_NO_SYNC, -DBROKEN_NO_REPLAY, -DBROKEN_DTOR remove one piece of
 * the algorithm each and must fail the safety check; -DBROKEN_STARVE makes
 * grace periods wait for a moment with no reader at all (readers that keep
 * overlapping starve it) and must fail the liveness check only. The check
 * script runs them all.
 */

#define NREADERS 2
#ifndef NWRITERS
#define NWRITERS 2
#endif
#ifndef SECTIONS
#define SECTIONS 2		/* write sections of the first writer; the others do one */
#endif

inline gp_end_hook()
{
	skip
}

#include "rcu_sync_core.pml"

/* Ghosts for the properties. */
byte fast = 0;			/* readers on the fast path */
byte writers_inside = 0;	/* writers between enter() and exit() */
byte done_writers = 0;
byte done_readers = 0;

proctype writer(byte sections)
{
	byte n = 0;
	byte seen;

	do
	:: n < sections ->
		rcu_sync_enter(seen);
		atomic { writers_inside++; assert(fast == 0) };
		data_ver++;
		data_ver++;
		writers_inside--;
		rcu_sync_exit();
		n++
	:: else -> break
	od;
	done_writers++
}

proctype reader(byte me)
{
	byte lb_state, lb_data, v, d;
	byte seen_state = 0, seen_data = 0;

	do
	:: done_writers == NWRITERS -> break	/* the reader thread may go away */
	:: read_lock(me);
	   atomic {
		is_idle(v);
		if
		:: idle_at[v] -> fast++; assert(writers_inside == 0)
		:: else -> skip
		fi
	   };
	   if
	   :: idle_at[v] ->
		atomic {
			/* the fast path reads the writers' data, no barrier */
			d = lb_data;
			do
			:: d < data_ver -> d++
			:: break
			od;
			seen_data = d;
			assert(d == data_ver);
			assert(writers_inside == 0)
		};
		atomic { assert(writers_inside == 0); fast-- }
	   :: else -> skip	/* slow path: see gate.pml */
	   fi;
	   read_unlock(me)
	od;
	done_readers++
}

proctype destructor()
{
	byte gen;
	byte st;

	/* The owner destroys the switch once nobody can use it. */
	done_writers == NWRITERS && done_readers == NREADERS;
	atomic {
		assert(gp_count == 0 && gp_state != PASSED && gp_state != ENTER);
#ifndef BROKEN_DTOR
		if
		:: gp_state == REPLAY -> set_state(EXIT)
		:: else -> skip
		fi;
#endif
		gen = cb_queued;
		st = gp_state
	};
	if
	:: st != IDLE -> cb_ran >= gen	/* barrier() */
	:: else -> skip
	fi;
	atomic {
		assert(gp_state == IDLE && gp_count == 0 && !cb_pending);
		destroyed = true
	}
}

init
{
	byte i;

	atomic {
		idle_at[0] = true;
		run writer(SECTIONS);
		for (i : 2 .. NWRITERS) {
			run writer(1)
		}
		run reader(0);
		run reader(1);
		run callback();
		run destructor()
	}
}

#ifdef LIVENESS
ltl back_to_idle {
	[] ((gp_count == 0 && gp_state != IDLE) -> <> (gp_state == IDLE || gp_count > 0))
}
#endif

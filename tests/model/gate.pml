/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reconfiguration gate on top of rcu_sync: the store-buffering
 * argument between slow-path readers and the writer, and the fast path
 * that relies on the grace periods instead of barriers.
 *
 * Reader (per-thread counter slot count[me]):
 *   lock:   in a read-side section: if is_idle -> count++ (no barrier);
 *           else count++, barrier A, load block: 0 -> in; 1 -> count--,
 *           leave the section, wait until block == 0, retry.
 *   unlock: in a read-side section: if is_idle -> count--;
 *           else barrier B, count--.
 * Writer: rcu_sync_enter; xchg(block, 1) (full barrier D; a second
 *   writer that finds 1 waits); wait until the counts sum to 0; barrier C;
 *   critical section; store-release block = 0; rcu_sync_exit.
 *
 * Memory-ordering assumptions, in addition to those of rcu_sync.pml:
 *  1. Stores to count[] and block go through a per-thread FIFO store
 *     buffer (x86-TSO): invisible to other threads until flushed, which
 *     happens at any time; a thread reads its own buffered value. A full
 *     barrier (A, B, C, D, an xchg) waits for the thread's buffer to drain.
 *     Each thread stores to one of these locations only, so a one-entry
 *     buffer per thread is enough; a store into a full buffer flushes the
 *     older entry first (FIFO).
 *  2. The end of a grace period drains every reader's buffer: membarrier()
 *     runs a full barrier on each thread (in the fallback mode the
 *     readers' own fences in rcu_read_unlock() do it earlier, which the
 *     spontaneous flushes already cover).
 *  3. Loads are not reordered with each other or with later stores (TSO).
 *     On weaker machines barriers B and C order the critical sections'
 *     accesses against the counter hand-off; that part is argued in
 *     docs/design.md, not modeled. The ghosts below are updated in program
 *     order.
 *
 * Properties (safety): no reader inside while a writer's critical section
 * runs; a reader never decides "fast" while a writer is between
 * rcu_sync_enter() returning and rcu_sync_exit(); at most one writer in
 * its critical section; the rcu_sync invariants.
 *
 * -DBROKEN_A drops barrier A, -DBROKEN_D turns the writer's xchg into a
 * buffered store (use with NWRITERS=1): both must fail (store buffering).
 * -DBROKEN_GP_FLUSH lets a grace period end without draining the readers'
 * buffers (a fast-path count++ may then stay invisible), -DBROKEN_NO_SYNC
 * drops enter's grace period: both must fail too.
 */

#define NREADERS 2
#ifndef NWRITERS
#define NWRITERS 2
#endif

/* Memory as other threads see it, and the one-entry store buffers. */
byte count[NREADERS];
bool block = 0;
bool rbuf_full[NREADERS];
byte rbuf_val[NREADERS];
bool wbuf_full[NWRITERS];	/* holds a store to block */
bool wbuf_val[NWRITERS];

inline flush_reader(r)
{
	if
	:: rbuf_full[r] -> count[r] = rbuf_val[r]; rbuf_full[r] = false
	:: else -> skip
	fi
}

inline flush_writer(w)
{
	if
	:: wbuf_full[w] -> block = wbuf_val[w]; wbuf_full[w] = false
	:: else -> skip
	fi
}

inline gp_end_hook()
{
#ifndef BROKEN_GP_FLUSH
	flush_reader(0);
	flush_reader(1)
#else
	skip
#endif
}

#include "rcu_sync_core.pml"

/* Ghosts, in program order. */
byte readers_inside = 0;
byte writers_cs = 0;
byte writers_active = 0;	/* writers between enter() returning and exit() */
byte done_writers = 0;

inline store_count(me, val)
{
	flush_reader(me);	/* FIFO: the older store goes first */
	rbuf_val[me] = val;
	rbuf_full[me] = true
}

proctype reader(byte me)
{
	byte lb_state, lb_data, v;
	byte seen_state = 0, seen_data = 0;
	byte mine = 0;		/* our slot, as we see it (store forwarding) */
	bool fast;

end:
	do
	:: read_lock(me);
	   atomic {
		is_idle(v);
		fast = idle_at[v];
		assert(!fast || writers_active == 0)
	   };
	   if
	   :: fast ->
		atomic { mine++; store_count(me, mine) };
		atomic { assert(writers_active == 0); read_unlock(me) }
	   :: else ->
		atomic { mine++; store_count(me, mine) };
#ifndef BROKEN_A
		atomic { flush_reader(me) };		/* barrier A, pairs with D */
#endif
		if
		:: block == 0 -> read_unlock(me)	/* in */
		:: else ->
			atomic { mine--; store_count(me, mine) };
			read_unlock(me);
			block == 0;	/* wait for the writer, then try again */
			goto retry
		fi
	   fi;

	   /* The read side of the gate: lookups. */
	   atomic { readers_inside++; assert(writers_cs == 0) };
	   readers_inside--;

	   read_lock(me);
	   atomic {
		is_idle(v);
		fast = idle_at[v]
	   };
	   if
	   :: fast -> skip
	   :: else -> atomic { flush_reader(me) }	/* barrier B, pairs with C */
	   fi;
	   atomic { mine--; store_count(me, mine) };
	   read_unlock(me);
retry:
	   skip
	od
}

proctype writer(byte w)
{
	byte seen;
	bool old;

	rcu_sync_enter(seen);
	writers_active++;
again:
#ifndef BROKEN_D
	atomic {
		/* xchg: a full barrier and an atomic swap on memory (D, pairs with A) */
		flush_writer(w);
		old = block;
		block = 1
	};
#else
	atomic {
		old = (wbuf_full[w] -> wbuf_val[w] : block);
		flush_writer(w);
		wbuf_val[w] = 1;
		wbuf_full[w] = true
	};
#endif
	if
	:: old -> block == 0; goto again	/* another writer holds the gate */
	:: else -> skip
	fi;
	/* Wait for the readers inside to leave (reads memory only). */
	count[0] + count[1] == 0;
	atomic { flush_writer(w) };		/* barrier C, pairs with B */

	atomic { writers_cs++; assert(writers_cs == 1 && readers_inside == 0) };
	writers_cs--;

	atomic { flush_writer(w); wbuf_val[w] = 0; wbuf_full[w] = true };	/* store-release */
	writers_active--;
	rcu_sync_exit();
	done_writers++
}

/* The hardware draining store buffers whenever it likes. */
proctype memory()
{
end:
	do
	:: atomic { rbuf_full[0] -> flush_reader(0) }
	:: atomic { rbuf_full[1] -> flush_reader(1) }
	:: atomic { wbuf_full[0] -> flush_writer(0) }
#if NWRITERS > 1
	:: atomic { wbuf_full[1] -> flush_writer(1) }
#endif
	od
}

init
{
	byte i;

	atomic {
		idle_at[0] = true;
		for (i : 0 .. NWRITERS - 1) {
			run writer(i)
		}
		run reader(0);
		run reader(1);
		run callback();
		run memory()
	}
}

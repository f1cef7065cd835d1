/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rcu_sync switch of lib/rcu_sync.c and an abstract grace period,
 * shared by rcu_sync.pml and gate.pml (the memory-ordering assumptions are
 * spelled out at the top of rcu_sync.pml).
 *
 * The includer defines NREADERS (2), NWRITERS, and an inline gp_end_hook()
 * run atomically when a grace period ends (gate.pml flushes the readers'
 * store buffers there: membarrier() is a full barrier on every thread).
 * Readers use read_lock(me), is_idle(v) and read_unlock(me) with locals
 * lb_state, lb_data, seen_state, seen_data declared in their proctype.
 */

#define IDLE	0
#define ENTER	1
#define PASSED	2
#define EXIT	3
#define REPLAY	4

#define MAXVER 48		/* bound on gp_state stores (model assertion) */

/* The switch, as the mutex holder sees it. */
byte gp_state = IDLE;
byte gp_count = 0;
bool cb_pending = false;
byte cb_queued = 0;		/* call() count */
byte cb_ran = 0;		/* callbacks run */
bool destroyed = false;

/* gp_state history for the readers' weak loads: idle_at[v] of version v. */
byte state_ver = 0;
bool idle_at[MAXVER];
/* The writers' critical data: a version bumped by every store. */
byte data_ver = 0;

/* Grace periods: slot 0 = synchronize() in enter, slot 1 = the callback's. */
bool in_cs[NREADERS];
bool gp_wait[2 * NREADERS];
/* Versions every section starting from now on must see (assumption 2b). */
byte vis_state = 0;
byte vis_data = 0;

#ifndef BROKEN_STARVE
#define gp_ended(slot) (!gp_wait[(slot) * NREADERS] && !gp_wait[(slot) * NREADERS + 1])
#else
#define gp_ended(slot) (!in_cs[0] && !in_cs[1])
#endif

inline gp_start(slot)
{
	vis_state = state_ver;
	vis_data = data_ver;
	gp_wait[(slot) * NREADERS] = in_cs[0];
	gp_wait[(slot) * NREADERS + 1] = in_cs[1]
}

inline set_state(s)
{
	state_ver++;
	assert(state_ver < MAXVER);
	idle_at[state_ver] = (s == IDLE);
	gp_state = s
}

inline check_invariants()
{
	assert(gp_state != IDLE || gp_count == 0);
	assert(!(gp_state == ENTER || gp_state == PASSED) || gp_count >= 1);
	assert(cb_pending == (gp_state == EXIT || gp_state == REPLAY))
}

inline queue_callback()
{
	assert(!cb_pending);
	cb_pending = true;
	cb_queued++;
	gp_start(1)
}

/* The callback body: a grace period passed since ENTER or the last exit. */
inline gp_done()
{
	assert(gp_state != IDLE && gp_state != PASSED);
	if
	:: gp_count > 0 -> set_state(PASSED)
#ifdef BROKEN_NO_REPLAY
	:: gp_count == 0 && gp_state == REPLAY -> set_state(IDLE)
#else
	:: gp_count == 0 && gp_state == REPLAY -> set_state(EXIT); queue_callback()
#endif
	:: gp_count == 0 && gp_state == EXIT -> set_state(IDLE)
	:: else -> assert(false)
	fi;
	check_invariants()
}

inline rcu_sync_enter(seen)
{
	atomic {
		assert(!destroyed);
		seen = gp_state;
		if
		:: gp_state == IDLE -> set_state(ENTER)
		:: else -> skip
		fi;
		gp_count++;
		check_invariants()
	};
	if
	:: seen == IDLE ->
#ifndef BROKEN_NO_SYNC
		atomic { gp_start(0) };
		atomic { gp_ended(0) -> gp_end_hook() };
#endif
		atomic { assert(gp_state == ENTER); gp_done() }
	:: seen == ENTER ->
		/* the condvar wait, under the mutex */
		gp_state >= PASSED
	:: else -> skip
	fi
}

inline rcu_sync_exit()
{
	atomic {
		assert(gp_count > 0 && gp_state != IDLE && gp_state != ENTER);
		gp_count--;
		if
		:: gp_count == 0 && gp_state == PASSED -> set_state(EXIT); queue_callback()
		:: gp_count == 0 && gp_state == EXIT -> set_state(REPLAY)
		:: else -> skip
		fi;
		check_invariants()
	}
}

proctype callback()
{
end:
	do
	:: atomic {
		cb_pending && gp_ended(1) ->
		gp_end_hook();
		assert(!destroyed);
		assert(gp_state == EXIT || gp_state == REPLAY);
		cb_pending = false;
		cb_ran++;
		gp_done()
	   }
	od
}

/* rcu_read_lock(): the lower bounds of what this section may see (assumption 2). */
inline read_lock(me)
{
	atomic {
		in_cs[me] = true;
		lb_state = (vis_state > seen_state -> vis_state : seen_state);
		lb_data = (vis_data > seen_data -> vis_data : seen_data)
	}
}

/* rcu_sync_is_idle(): one barrier-free load, any version allowed (inside an atomic). */
inline is_idle(v)
{
	v = lb_state;
	do
	:: v < state_ver -> v++
	:: break
	od;
	seen_state = v
}

/* rcu_read_unlock(): grace periods stop waiting for this reader. */
inline read_unlock(me)
{
	atomic {
		in_cs[me] = false;
		gp_wait[me] = false;
		gp_wait[NREADERS + me] = false
	}
}

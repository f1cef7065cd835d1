/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lookup worker threads. Each one is a registered urcu-memb reader and a
 * reader of the reconfiguration gate (d->gate) for its whole life, so its
 * lookups pay no registration and, while nothing is reconfigured, no
 * barrier. Each runs its own libevent base, touched by no other thread.
 * The threads start with every signal blocked (inherited from main()):
 * signals are the control loop's business.
 *
 * A service (the UDP lookup service, udp.c) plugs in through struct
 * worker_service: its sync() adds and removes events on the worker's base,
 * and its event callbacks serve batches between worker_batch_begin() and
 * worker_batch_end():
 *
 *	worker_batch_begin(w);	urcu_memb_read_lock() + gate_read_enter()
 *	...load RCU pointers, look up, answer...
 *	worker_batch_end(w);	gate_read_leave() + urcu_memb_read_unlock()
 *
 * While a reconfiguration holds the gate, worker_batch_begin() waits for it
 * outside the read-side section; a batch sees the service's state and the
 * table set all as before a reconfiguration or all as after it.
 *
 * All functions but the worker_* accessors are for the control thread.
 */
#ifndef ROUTED_DAEMON_WORKERS_H
#define ROUTED_DAEMON_WORKERS_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct routed;
struct workers;
struct worker;

/* The most workers a pool runs (lookup.threads allows no more). */
#define WORKERS_MAX 256

struct worker_service {
	/*
	 * In the worker thread, at its start and after each workers_sync():
	 * bring the worker's events in line with the service's state. Outside
	 * any read-side section; may use worker_batch_begin/end to read state
	 * the gate protects.
	 */
	void (*sync)(struct worker *w, void *arg);
	/* In the worker thread, as it exits: free what sync() set up. */
	void (*fini)(struct worker *w, void *arg);
	void *arg;
};

/* A pool with no threads yet. NULL with errno. */
struct workers *workers_create(struct routed *d, const struct worker_service *svc);
/*
 * Start threads up to n, or stop (and join) those with an index >= n. On a
 * failure to start, the threads started by this call are stopped again and
 * -1 returns with the reason in err.
 */
int workers_resize(struct workers *pool, unsigned n, char *err, size_t errlen);
unsigned workers_count(const struct workers *pool);
/*
 * Make every worker run sync() and wait until all have: afterwards none of
 * them uses what the service stopped offering. -ETIMEDOUT if one does not
 * answer within a few seconds (the caller must then keep such resources).
 */
int workers_sync(struct workers *pool);
/* Stop and join every worker, then free. Accepts NULL. */
void workers_destroy(struct workers *pool);

/* In a worker thread: its daemon, number (0..n-1), event base and service data. */
struct routed *worker_daemon(const struct worker *w);
unsigned worker_index(const struct worker *w);
struct event_base *worker_base(const struct worker *w);
void *worker_data(const struct worker *w);
void worker_set_data(struct worker *w, void *data);

/* Around one batch, in a worker thread (see above). Not nested. */
void worker_batch_begin(struct worker *w);
void worker_batch_end(struct worker *w);

#endif

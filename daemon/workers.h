/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lookup worker threads. Each one is a registered urcu-memb reader and a
 * reader of the reconfiguration gate (d->gate) for its whole life, so its
 * lookups pay no registration and, while nothing is reconfigured, no
 * barrier. The threads start with every signal blocked (inherited from
 * main()): signals are the control loop's business.
 *
 * A worker alternates between waiting for work, outside any read-side
 * section, and serving one batch inside a read-side section and the gate:
 *
 *	while (ops->wait(w)) {
 *		urcu_memb_read_lock();
 *		gate_read_enter(reader);
 *		ops->serve(w);		(RCU pointers are loaded in here)
 *		gate_read_leave(reader);
 *		urcu_memb_read_unlock();
 *	}
 *
 * The lookup service plugs in through struct worker_ops. Until it exists,
 * the workers run a probe: every millisecond, a small batch of lookups in
 * main on a fixed set of addresses, so the read side of the gate carries
 * the load a real batch would.
 */
#ifndef ROUTED_DAEMON_WORKERS_H
#define ROUTED_DAEMON_WORKERS_H

#include <stdbool.h>
#include <stddef.h>

struct routed;
struct workers;
struct worker;

struct worker_ops {
	/*
	 * Wait for work, outside any read-side section; false when the
	 * worker must stop. stop_fd becomes readable then: poll it with the
	 * service's own descriptors.
	 */
	bool (*wait)(struct worker *w, int stop_fd);
	/*
	 * Serve one batch, inside a read-side section and the gate: no
	 * reconfiguration runs until it returns. Must not block, must not
	 * leave the read-side section.
	 */
	void (*serve)(struct worker *w);
};

/* Start n workers running ops (NULL: the probe). NULL with the reason in err. */
struct workers *workers_start(struct routed *d, unsigned n, const struct worker_ops *ops,
			      char *err, size_t errlen);
/* Stop and join every worker, then free. Accepts NULL. */
void workers_stop(struct workers *w);

/* For ops: the daemon, and the worker's number (0..n-1). */
struct routed *worker_daemon(const struct worker *w);
unsigned worker_index(const struct worker *w);

#endif

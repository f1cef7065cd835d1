/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reconfigurations: changes that are not a single pointer publish run
 * inside the reconfiguration gate's write side (gate.h), so that no lookup
 * batch sees half of one; and the record of the latest ones, for stats.
 *
 * Which change takes which path (docs/design.md, "Which reconfiguration
 * uses which mechanism"): a route added, replaced or deleted, a load or a
 * flush that changes one table: plain RCU publish, lookups never wait. A
 * table created or deleted, a load that changes two tables or more, a
 * config reload: the gate.
 *
 * Control thread only.
 */
#ifndef ROUTED_DAEMON_RECONF_H
#define ROUTED_DAEMON_RECONF_H

#include <stddef.h>
#include <stdint.h>

struct routed;
struct reconf;

enum reconf_kind {
	RECONF_RELOAD,
	RECONF_TABLE_CREATE,
	RECONF_TABLE_DELETE,
	RECONF_LOAD,			/* one load_apply() changing several tables */
};

/* How many of the latest reconfigurations are kept for stats. */
#define RECONF_HISTORY 16

struct reconf_record {
	enum reconf_kind kind;
	double at_seconds;		/* routed_uptime() when it began */
	uint64_t duration_ns;		/* begin to end, entering the gate included */
	uint64_t enter_ns;		/* gate_write_enter(): grace period + readers draining */
	uint64_t locked_out_ns;		/* the gate closed: no lookup batch could start */
	/*
	 * Lookup batches that waited for it, and the longest wait: waits
	 * counted from its begin to the next reconfiguration's begin (a
	 * woken reader records its wait after the writer has left). The
	 * longest is exact when it set a new overall maximum, else the
	 * upper edge of its log2 bucket.
	 */
	uint64_t reader_waits;
	uint64_t stall_max_ns;
};

/* The record of d->reconf: none so far. NULL on ENOMEM. */
struct reconf *reconf_create(void);
/* Outside any reconfiguration. Accepts NULL. */
void reconf_destroy(struct reconf *rc);

/*
 * Enter a reconfiguration of the given kind: the outermost call closes the
 * gate (waits until no lookup batch is in flight; blocks new ones) and
 * starts a record; nested calls only count depth. Not inside a read-side
 * section. With d->gate NULL (unit tests) nothing is held, but the record
 * is kept.
 */
void reconf_begin(struct routed *d, enum reconf_kind kind);
/* Leave it; the outermost call opens the gate and completes the record. */
void reconf_end(struct routed *d);
/*
 * The latest reconfigurations, newest first, at most max (the newest one's
 * reader waits still growing). Returns how many were copied.
 */
size_t reconf_history(struct routed *d, struct reconf_record *out, size_t max);
/* Reconfigurations since start, of every kind. */
uint64_t reconf_total(const struct routed *d);
/* "reload", "table.create", "table.delete", "load". */
const char *reconf_kind_name(enum reconf_kind kind);

#endif

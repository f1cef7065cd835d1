/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reconfigurations (reconf.h): the gate's write side around each one, and
 * a ring of records of the latest. The control thread is the gate's only
 * writer, so the record needs no lock.
 */
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <urcu/urcu-memb.h>

#include <routed/clock.h>
#include <routed/hist.h>

#include "daemon.h"
#include "gate.h"
#include "reconf.h"

struct reconf {
	unsigned depth;			/* nesting of reconf_begin() */
	uint64_t total;
	struct reconf_record ring[RECONF_HISTORY];
	size_t newest;			/* index in ring of the newest record */
	uint64_t began_ns;
	/* Reader waits before the newest record began: it owns what comes after. */
	uint64_t waits_before, stall_max_before;
	uint64_t stall_hist_before[GATE_STALL_BUCKETS];
};

struct reconf *reconf_create(void)
{
	return calloc(1, sizeof(struct reconf));
}

void reconf_destroy(struct reconf *rec)
{
	assert(!rec || !rec->depth);
	free(rec);
}

const char *reconf_kind_name(enum reconf_kind kind)
{
	switch (kind) {
	case RECONF_RELOAD:
		return "reload";
	case RECONF_TABLE_CREATE:
		return "table.create";
	case RECONF_TABLE_DELETE:
		return "table.delete";
	case RECONF_LOAD:
		return "load";
	}
	return "unknown";
}

/* The waits readers recorded since the newest record began go to it. */
static void attribute_waits(const struct reconf *rec, const struct gate_stats *now,
			    struct reconf_record *r)
{
	int top = -1;

	r->reader_waits = now->reader_waits - rec->waits_before;
	for (int i = 0; i < GATE_STALL_BUCKETS; i++)
		if (now->stall_hist[i] != rec->stall_hist_before[i])
			top = i;
	if (top < 0) {
		r->stall_max_ns = 0;
	} else if (now->stall_max_ns > rec->stall_max_before) {
		/* A new overall maximum: it happened in this window, nothing longer did. */
		r->stall_max_ns = now->stall_max_ns;
	} else {
		uint64_t upper = rt_hist_bucket_upper((unsigned)top);

		r->stall_max_ns = upper < now->stall_max_ns ? upper : now->stall_max_ns;
	}
}

void reconf_begin(struct routed *d, enum reconf_kind kind)
{
	struct reconf *rec = d->reconf;
	struct reconf_record *r;
	struct gate_stats st;

	/*
	 * The control thread is a registered reader (route.lookup): closing
	 * the gate inside a read-side section could wait for a grace period
	 * that waits for us.
	 */
	assert(!urcu_memb_read_ongoing());
	if (rec->depth++)
		return;
	if (d->gate) {
		gate_stats(d->gate, &st);
		if (rec->total)
			attribute_waits(rec, &st, &rec->ring[rec->newest]);
		rec->waits_before = st.reader_waits;
		rec->stall_max_before = st.stall_max_ns;
		memcpy(rec->stall_hist_before, st.stall_hist, sizeof(st.stall_hist));
	}
	rec->newest = (size_t)(rec->total % RECONF_HISTORY);
	rec->total++;
	r = &rec->ring[rec->newest];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->at_seconds = routed_uptime(d);
	rec->began_ns = rt_clock_ns();
	if (d->gate)
		gate_write_enter(d->gate);
}

void reconf_end(struct routed *d)
{
	struct reconf *rec = d->reconf;
	struct reconf_record *r = &rec->ring[rec->newest];
	struct gate_stats st;

	assert(rec->depth > 0);
	if (--rec->depth)
		return;
	if (d->gate)
		gate_write_leave(d->gate);
	r->duration_ns = rt_clock_ns() - rec->began_ns;
	if (d->gate) {
		/* The control thread is the only writer: "last" is this section. */
		gate_stats(d->gate, &st);
		r->enter_ns = st.last_enter_ns;
		r->locked_out_ns = st.last_write_ns;
	}
}

size_t reconf_history(struct routed *d, struct reconf_record *out, size_t max)
{
	struct reconf *rec = d->reconf;
	size_t n = rec->total < RECONF_HISTORY ? (size_t)rec->total : RECONF_HISTORY;
	struct gate_stats st;

	if (n > max)
		n = max;
	if (!n)
		return 0;
	if (d->gate) {
		gate_stats(d->gate, &st);
		attribute_waits(rec, &st, &rec->ring[rec->newest]);
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = (rec->newest + RECONF_HISTORY - i) % RECONF_HISTORY;

		out[i] = rec->ring[k];
	}
	return n;
}

uint64_t reconf_total(const struct routed *d)
{
	return d->reconf->total;
}

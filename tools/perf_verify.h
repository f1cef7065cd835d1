/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference routeperf checks answers against: the routes of one table
 * of a route file (the file the daemon loaded), in a private rt_table built
 * with the route library, so the expected answer of every address is the
 * library's own longest-prefix match: found flag, prefix length, gateway
 * and tag.
 */
#ifndef ROUTEPERF_VERIFY_H
#define ROUTEPERF_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/lookup_wire.h>
#include <routed/table.h>

struct perf_ref;

/*
 * Load path and keep the routes of table_id. A file without routes of that
 * table gives an empty reference (every answer is "no route") and a note
 * on stderr. NULL with a message in err on failure.
 */
struct perf_ref *perf_ref_load(const char *path, uint32_t table_id, char *err, size_t errlen);
void perf_ref_destroy(struct perf_ref *ref);

/* The prefixes of the reference (every family), for the address sources. */
const struct rt_prefix *perf_ref_prefixes(const struct perf_ref *ref, size_t *n);
const struct rt_table *perf_ref_table(const struct perf_ref *ref);

/*
 * Check every slot of a parsed response against the reference; returns how
 * many answers differ. The calling thread must be a registered RCU reader.
 * The first few mismatches of the whole process are printed on stderr.
 */
unsigned perf_ref_check(const struct perf_ref *ref, const void *response,
			const struct rt_wire_header *h);

/*
 * Answer every slot of a parsed request in place from the reference and
 * turn it into a response (the echo responder's --routes mode). Same
 * threading as perf_ref_check().
 */
void perf_ref_answer(const struct perf_ref *ref, void *request, const struct rt_wire_header *h);

#endif

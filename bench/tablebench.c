/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixed cost of a table: create it, load two routes (one per family)
 * with rt_table_replace_all(), destroy it, CYCLES times; prints the time
 * per cycle. What a process holding many small tables, or a test suite
 * creating thousands, pays for the FIB's direct tables (docs/performance.md,
 * the IPv6 direct table at 22 bits). Under callgrind (bench/tablebench
 * 20, ROUTED_LOOKUP_PATH=scalar) the instruction count is the measure that
 * survives a loaded machine.
 *
 * usage: bench/tablebench [CYCLES]   (default 20)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/clock.h>
#include <routed/prefix.h>
#include <routed/rcu.h>
#include <routed/route.h>
#include <routed/table.h>

static int make_route(const char *prefix, const char *gateway, struct rt_route *r)
{
	char err[128];

	rt_route_init(r);
	snprintf(r->proto, sizeof(r->proto), "static");
	if (rt_prefix_parse(prefix, &r->prefix, err, sizeof(err)) ||
	    rt_addr_parse(gateway, &r->gateway, err, sizeof(err))) {
		fprintf(stderr, "tablebench: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char *end = NULL;
	long cycles = argc > 1 ? strtol(argv[1], &end, 10) : 20;
	struct rt_route routes[2];
	uint64_t start;

	if (argc > 2 || (end && (*end || end == argv[1])) || cycles < 1) {
		fprintf(stderr, "usage: tablebench [CYCLES]\n");
		return 2;
	}
	if (make_route("10.0.0.0/8", "192.0.2.1", &routes[0]) ||
	    make_route("2001:db8::/32", "fe80::1", &routes[1]))
		return 1;
	rt_reader_register();
	start = rt_clock_ns();
	for (long i = 0; i < cycles; i++) {
		struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
		size_t failed;
		int rc;

		if (!t) {
			perror("tablebench: rt_table_create");
			return 1;
		}
		rc = rt_table_replace_all(t, routes, 2, &failed);
		rt_table_destroy(t);
		if (rc) {
			fprintf(stderr, "tablebench: replace_all: %s\n", strerror(-rc));
			return 1;
		}
	}
	printf("cycles %ld ms_per_cycle %.3f\n", cycles, (double)(rt_clock_ns() - start) / 1e6 / (double)cycles);
	rt_reader_unregister();
	return 0;
}

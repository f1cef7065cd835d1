/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load_apply() across two tables is all or nothing even when memory runs
 * out: every allocation the load makes is failed in turn, together with a
 * second one a few allocations later, so that a table already changed must
 * be put back while memory is short. Afterwards each table holds exactly
 * what it held before (or the whole load, when the library absorbed the
 * failure), for walks and lookups, and nothing was published.
 *
 * Allocations (malloc and its kin, and the FIB's arena_alloc()) are
 * intercepted with the linker's --wrap, which only affects this test and
 * the daemon and library code linked into it. The change stream is a stub
 * that counts what is published.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/table.h>

#include "alloc_fail.h"
#include "change_stream.h"
#include "daemon.h"
#include "load.h"
#include "reconf.h"
#include "table_image.h"
#include "tables.h"

/* The change stream, as a counter of what would be published. */
static uint64_t published;

bool change_stream_wanted(const struct change_stream *cs, uint32_t table)
{
	(void)cs;
	(void)table;
	return false;
}

void change_stream_skip(struct change_stream *cs, uint64_t n)
{
	(void)cs;
	published += n;
}

void change_stream_route(struct change_stream *cs, bool present, const struct rt_route *r)
{
	(void)cs;
	(void)present;
	(void)r;
	published++;
}

#define TABLE_A 10u
#define TABLE_B 20u
#define BASE_ROUTES 60		/* per table */
#define CHANGED 6		/* per table: as many replaces, adds and removals */
#define PROBES 256
/* The second failure comes this many allocations after the first at most. */
#define SECOND_WITHIN 6

static struct rt_addr probes[PROBES];

static void take(struct tables *ts, uint32_t id, struct table_image *im)
{
	table_image_take(im, tables_get(ts, id), probes, PROBES);
}

/* Route i of a table: distinct /24s under 10.0.0.0/16 and 10.1.0.0/16. */
static struct rt_route make_route(uint32_t table, unsigned i)
{
	struct rt_route r;
	struct rt_addr a = { .family = AF_INET };

	rt_route_init(&r);
	r.table = table;
	a.bytes[0] = 10;
	a.bytes[1] = (uint8_t)(i / 64);
	a.bytes[2] = (uint8_t)(i % 64 * 4);
	assert_int_equal(rt_prefix_make(&a, 24, &r.prefix), 0);
	r.gateway.family = AF_INET;
	r.gateway.bytes[0] = 192;
	r.gateway.bytes[1] = 0;
	r.gateway.bytes[2] = 2;
	r.gateway.bytes[3] = (uint8_t)(1 + i % 5);
	r.has_tag = true;
	r.tag = i;
	return r;
}

struct world {
	struct routed d;
	struct rt_route loads[2 * 2 * CHANGED], removals[2 * CHANGED];
	struct load_request req;
	struct table_image before[2], expected[2], after[2];
	/* The base routes, to put the tables back after a load that went through. */
	struct rt_route base[2 * BASE_ROUTES];
};

static const uint32_t ids[2] = { TABLE_A, TABLE_B };

static void setup_world(struct world *w)
{
	size_t nl = 0, nr = 0, nb = 0;

	w->d.tables = tables_create();
	w->d.reconf = reconf_create();
	assert_non_null(w->d.tables);
	assert_non_null(w->d.reconf);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(tables_add(w->d.tables, ids[k], NULL), 0);
		for (unsigned i = 0; i < BASE_ROUTES; i++) {
			w->base[nb] = make_route(ids[k], i);
			assert_int_equal(rt_table_add(tables_get(w->d.tables, ids[k]), &w->base[nb]),
					 0);
			nb++;
		}
		for (unsigned i = 0; i < CHANGED; i++) {
			/* A replace (new gateway), an add, a removal. */
			w->loads[nl] = make_route(ids[k], i);
			w->loads[nl++].gateway.bytes[3] = 99;
			w->loads[nl++] = make_route(ids[k], BASE_ROUTES + i);
			w->removals[nr++] = make_route(ids[k], BASE_ROUTES - 1 - i);
		}
	}
	w->req.routes = w->loads;
	w->req.n_routes = nl;
	w->req.removals = w->removals;
	w->req.n_removals = nr;
	for (size_t i = 0; i < PROBES; i++) {
		struct rt_route r = make_route(TABLE_A, (unsigned)i);

		probes[i] = r.prefix.addr;
		probes[i].bytes[3] = (uint8_t)i;
	}
}

static void teardown_world(struct world *w)
{
	for (int k = 0; k < 2; k++) {
		table_image_free(&w->before[k]);
		table_image_free(&w->expected[k]);
		table_image_free(&w->after[k]);
	}
	reconf_destroy(w->d.reconf);
	tables_destroy(w->d.tables);
}

/* Put both tables back to their base routes after a load that went through. */
static void restore(struct world *w)
{
	uint32_t replace[2] = { TABLE_A, TABLE_B };
	struct load_request req = { .routes = w->base, .n_routes = 2 * BASE_ROUTES,
				    .replace_tables = replace, .n_replace_tables = 2 };
	struct load_result res;
	char err[256];

	assert_int_equal(load_apply(&w->d, &req, &res, err, sizeof(err)), 0);
	load_result_release(&res);
	for (int k = 0; k < 2; k++) {
		take(w->d.tables, ids[k], &w->after[k]);
		assert_true(table_image_equal(&w->after[k], &w->before[k]));
	}
}

static void test_two_tables_enomem(void **state)
{
	static struct world w;
	struct load_result res;
	unsigned long total, rolled_back = 0;
	char err[256];

	(void)state;
	setup_world(&w);
	for (int k = 0; k < 2; k++)
		take(w.d.tables, ids[k], &w.before[k]);

	/* Reference run: no failure; count the allocations of the load. */
	alloc_fail_arm(0, 0);
	assert_int_equal(load_apply(&w.d, &w.req, &res, err, sizeof(err)), 0);
	total = alloc_fail_disarm();
	load_result_release(&res);
	assert_int_equal(res.replaced, 2 * CHANGED);
	assert_int_equal(res.added, 2 * CHANGED);
	assert_int_equal(res.deleted, 2 * CHANGED);
	for (int k = 0; k < 2; k++)
		take(w.d.tables, ids[k], &w.expected[k]);
	restore(&w);
	print_message("# the load makes %lu allocations\n", total);
	assert_true(total > 0);

	for (unsigned long first = 1; first <= total; first++) {
		for (unsigned long gap = 1; gap <= SECOND_WITHIN; gap++) {
			uint64_t published_before = published;
			int rc;

			alloc_fail_arm(first, first + gap);
			rc = load_apply(&w.d, &w.req, &res, err, sizeof(err));
			alloc_fail_disarm();
			load_result_release(&res);
			for (int k = 0; k < 2; k++)
				take(w.d.tables, ids[k], &w.after[k]);
			if (rc == 0) {
				/* A failure the library absorbed. */
				for (int k = 0; k < 2; k++)
					assert_true(table_image_equal(&w.after[k], &w.expected[k]));
				restore(&w);
				continue;
			}
			assert_int_equal(rc, -ENOMEM);
			assert_int_equal(published, published_before);
			for (int k = 0; k < 2; k++) {
				if (table_image_equal(&w.after[k], &w.before[k]))
					continue;
				fail_msg("allocations %lu and %lu failed: table %u is not as before "
					 "(%zu routes, was %zu): %s",
					 first, first + gap, ids[k], w.after[k].n, w.before[k].n, err);
			}
			rolled_back++;
		}
	}
	print_message("# %lu failed loads rolled back\n", rolled_back);
	assert_true(rolled_back > 0);
	teardown_world(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_tables_enomem),
	};

	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

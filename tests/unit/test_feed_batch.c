/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * feed_batch: a feed's changes collapsed per key, applied as one load, the
 * owned map following; replacing batches (a kernel mirror's dump) remove
 * what they do not name and leave other routes of the table alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <config.h>

#include <routed/route.h>
#include <routed/table.h>

#include "feed_batch.h"
#include "feed_routes.h"
#include "methods_harness.h"
#include "tables.h"

static struct feed_routes *owned;
static struct feed_batch batch;
static uint64_t arrivals;

static int setup(void **state)
{
	(void)state;
	harness_setup();
	owned = feed_routes_create();
	assert_non_null(owned);
	arrivals = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	feed_batch_free(&batch);
	feed_routes_destroy(owned);
	harness_teardown();
	return 0;
}

/* A change of (main, prefix, metric): via NULL is a DEL, "-" a NEW routed cannot hold. */
static void change(const char *prefix, uint32_t metric, uint8_t proto, const char *proto_name,
		   const char *via)
{
	struct feed_change *c;

	assert_int_equal(feed_batch_push(&batch, &c), 0);
	c->seq = arrivals++;
	c->key.table = RT_TABLE_MAIN;
	c->key.metric = metric;
	assert_int_equal(rt_prefix_parse(prefix, &c->key.prefix, NULL, 0), 0);
	c->proto = proto;
	c->del = !via;
	if (!via || !strcmp(via, "-"))
		return;
	rt_route_init(&c->route);
	c->route.prefix = c->key.prefix;
	c->route.metric = metric;
	snprintf(c->route.proto, sizeof(c->route.proto), "%s", proto_name);
	assert_int_equal(rt_addr_parse(via, &c->route.gateway, NULL, 0), 0);
	c->usable = true;
}

static void apply(bool replace, struct feed_batch_counts *counts)
{
	char err[256];

	assert_int_equal(feed_batch_apply(&harness->d, &batch, owned, 1, replace, counts, err,
					  sizeof(err)),
			 0);
	assert_int_equal(batch.n, 0);
}

/* The routes of prefix in main as "proto/metric/via" words, best first. */
static void routes_of(const char *prefix, char *out, size_t len)
{
	struct rt_table *t = tables_get(harness->d.tables, RT_TABLE_MAIN);
	struct rt_route r[8];
	struct rt_prefix p;
	char via[RT_ADDR_STRLEN];
	size_t used = 0;
	long n;

	assert_int_equal(rt_prefix_parse(prefix, &p, NULL, 0), 0);
	n = rt_table_get(t, &p, r, 8);
	out[0] = 0;
	for (long i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s/%u/%s", i ? " " : "",
					 r[i].proto, r[i].metric,
					 r[i].gateway.family ? rt_addr_format(&r[i].gateway, via,
									       sizeof(via))
							     : "-");
}

static void expect(const char *prefix, const char *want)
{
	char got[512];

	routes_of(prefix, got, sizeof(got));
	assert_string_equal(got, want);
}

static void test_last_change_of_a_key_wins(void **state)
{
	struct feed_batch_counts c;

	(void)state;
	change("10.0.0.0/8", 0, 3, "boot", "192.0.2.1");
	change("10.0.0.0/8", 0, 3, "boot", "192.0.2.2");
	change("10.1.0.0/16", 5, 3, "boot", "192.0.2.3");
	change("10.1.0.0/16", 5, 3, "boot", NULL);
	change("10.2.0.0/16", 0, 3, "boot", NULL);
	apply(false, &c);
	expect("10.0.0.0/8", "boot/0/192.0.2.2");
	expect("10.1.0.0/16", "");
	assert_int_equal(c.upserts, 1);
	assert_int_equal(c.removals, 0);
	assert_int_equal(c.delete_unknown, 2);
	assert_int_equal(feed_routes_count(owned), 1);
}

static void test_protocol_change_removes_the_old_route(void **state)
{
	struct feed_batch_counts c;

	(void)state;
	change("10.0.0.0/8", 32, 3, "boot", "192.0.2.1");
	apply(false, &c);
	change("10.0.0.0/8", 32, 12, "bird", "192.0.2.9");
	apply(false, &c);
	expect("10.0.0.0/8", "bird/32/192.0.2.9");
	assert_int_equal(c.removals, 1);
	assert_int_equal(feed_routes_count(owned), 1);
}

static void test_unusable_change_removes_an_owned_route(void **state)
{
	struct feed_batch_counts c;

	(void)state;
	change("10.0.0.0/8", 0, 3, "boot", "192.0.2.1");
	apply(false, &c);
	/* E.g. the route became multipath: no route beats a stale next hop. */
	change("10.0.0.0/8", 0, 3, "boot", "-");
	apply(false, &c);
	expect("10.0.0.0/8", "");
	assert_int_equal(feed_routes_count(owned), 0);
}

static void test_replace_removes_what_the_dump_lacks(void **state)
{
	struct feed_batch_counts c;
	struct rt_route op;

	(void)state;
	/* An operator's route under the same prefix, another protocol: not the feed's. */
	rt_route_init(&op);
	assert_int_equal(rt_prefix_parse("10.0.0.0/8", &op.prefix, NULL, 0), 0);
	assert_int_equal(rt_table_add(tables_get(harness->d.tables, RT_TABLE_MAIN), &op), 0);
	change("10.0.0.0/8", 0, 3, "boot", "192.0.2.1");
	change("10.1.0.0/16", 0, 3, "boot", "192.0.2.1");
	change("10.2.0.0/16", 0, 3, "boot", "192.0.2.1");
	apply(false, &c);
	/* The dump has 10.1/16 (changed) and a new 10.3/16; an event after it deletes 10.3/16 again. */
	change("10.1.0.0/16", 0, 3, "boot", "192.0.2.7");
	change("10.3.0.0/16", 0, 3, "boot", "192.0.2.7");
	change("10.3.0.0/16", 0, 3, "boot", NULL);
	apply(true, &c);
	expect("10.0.0.0/8", "static/0/-");
	expect("10.1.0.0/16", "boot/0/192.0.2.7");
	expect("10.2.0.0/16", "");
	expect("10.3.0.0/16", "");
	assert_int_equal(c.removals, 2);
	assert_int_equal(feed_routes_count(owned), 1);
	/* An empty dump empties the feed's share, and only it. */
	apply(true, &c);
	expect("10.1.0.0/16", "");
	expect("10.0.0.0/8", "static/0/-");
	assert_int_equal(feed_routes_count(owned), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_last_change_of_a_key_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protocol_change_removes_the_old_route, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unusable_change_removes_an_owned_route, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replace_removes_what_the_dump_lacks, setup,
						teardown),
	};

	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table registry: ids, names, main's protection, id-order iteration and
 * the RCU lookup path, including readers running while tables come and go.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <urcu/uatomic.h>
#include <urcu/urcu-memb.h>

#include <routed/route.h>
#include <routed/table.h>

#include "tables.h"

static void test_main_always_there(void **state)
{
	struct tables *ts = tables_create();
	uint32_t id = 0;

	(void)state;
	assert_non_null(ts);
	assert_int_equal(tables_count(ts), 1);
	assert_non_null(tables_get(ts, RT_TABLE_MAIN));
	assert_int_equal(rt_table_id(tables_get(ts, RT_TABLE_MAIN)), RT_TABLE_MAIN);
	assert_string_equal(tables_name(ts, RT_TABLE_MAIN), "main");
	assert_int_equal(tables_delete(ts, RT_TABLE_MAIN), -EPERM);
	assert_int_equal(tables_resolve("main", &id, ts), 0);
	assert_int_equal(id, RT_TABLE_MAIN);
	assert_int_equal(tables_resolve("254", &id, ts), 0);
	assert_int_equal(tables_add(ts, RT_TABLE_MAIN, "other"), -EEXIST);
	assert_int_equal(tables_add(ts, 7, "main"), -EEXIST);
	tables_destroy(ts);
}

static void test_add_delete_resolve(void **state)
{
	struct tables *ts = tables_create();
	uint32_t id = 0;

	(void)state;
	assert_int_equal(tables_add(ts, 100, "customers"), 0);
	assert_int_equal(tables_add(ts, 5, NULL), 0);
	assert_int_equal(tables_add(ts, 100, "x"), -EEXIST);
	assert_int_equal(tables_add(ts, 101, "customers"), -EEXIST);
	assert_int_equal(tables_add(ts, 0, "zero"), -EINVAL);
	assert_int_equal(tables_count(ts), 3);
	assert_null(tables_name(ts, 5));
	assert_string_equal(tables_name(ts, 100), "customers");
	assert_null(tables_name(ts, 99));

	assert_int_equal(tables_resolve("customers", &id, ts), 0);
	assert_int_equal(id, 100);
	assert_int_equal(tables_resolve("5", &id, ts), 0);
	assert_int_equal(id, 5);
	assert_int_equal(tables_resolve("6", &id, ts), -ENOENT);
	assert_int_equal(tables_resolve("05", &id, ts), -ENOENT);
	assert_int_equal(tables_resolve("nope", &id, ts), -ENOENT);
	assert_int_equal(tables_resolve("99999999999", &id, ts), -ENOENT);

	assert_int_equal(tables_delete(ts, 100), 0);
	assert_int_equal(tables_delete(ts, 100), -ENOENT);
	assert_null(tables_get(ts, 100));
	assert_int_equal(tables_resolve("customers", &id, ts), -ENOENT);
	/* The name is free again. */
	assert_int_equal(tables_add(ts, 200, "customers"), 0);
	tables_destroy(ts);
}

static void test_names(void **state)
{
	static const char *const good[] = { "a", "main2", "A.b-c_d", "1x", "x1",
					    "a123456789012345678901234567890" };
	static const char *const bad[] = { "", "123", "0", "has space", "slash/", "ü",
					   "01234567890123456789012345678901", "a:b" };
	struct tables *ts = tables_create();

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(tables_name_valid(good[i]));
		assert_int_equal(tables_add(ts, (uint32_t)(1000 + i), good[i]), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(tables_name_valid(bad[i]));
		assert_int_equal(tables_add(ts, (uint32_t)(2000 + i), bad[i]), -EINVAL);
	}
	tables_destroy(ts);
}

static void test_id_order(void **state)
{
	static const uint32_t ids[] = { 9, UINT32_MAX, 1, 300, 253, 255 };
	struct tables *ts = tables_create();
	uint32_t id, prev = 0, seen = 0;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_int_equal(tables_add(ts, ids[i], NULL), 0);
	for (rc = tables_seek(ts, 0, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(ts, id + 1, &id)) {
		if (seen)
			assert_true(id > prev);
		assert_non_null(tables_get(ts, id));
		prev = id;
		seen++;
	}
	assert_int_equal(seen, 7);
	assert_int_equal(prev, UINT32_MAX);
	assert_int_equal(tables_seek(ts, 254, &id), 0);
	assert_int_equal(id, 254);
	assert_int_equal(tables_seek(ts, 256, &id), 0);
	assert_int_equal(id, 300);
	tables_destroy(ts);
}

/* Readers look tables up and use them while the control thread adds and deletes. */
struct reader_ctx {
	struct tables *ts;
	/* uatomic: counters only, nothing is ordered by them (pthread_join is). */
	int stop;
	unsigned long found;
	unsigned long wrong;		/* a table found under another id */
};

static void *reader(void *arg)
{
	struct reader_ctx *c = arg;
	const uint32_t addr = 0x0a010203;

	rt_reader_register();
	while (!uatomic_read(&c->stop)) {
		for (uint32_t id = 1; id <= 8; id++) {
			struct rt_table *t;
			uint32_t route_id;

			urcu_memb_read_lock();
			t = tables_lookup_rcu(c->ts, id);
			if (t) {
				/* Must stay usable until the unlock, even if deleted meanwhile. */
				if (rt_table_id(t) != id)
					uatomic_inc(&c->wrong);
				rt_table_lookup_ids4(t, &addr, 1, &route_id);
				uatomic_inc(&c->found);
			}
			urcu_memb_read_unlock();
		}
	}
	rt_reader_unregister();
	return NULL;
}

static void test_rcu_readers(void **state)
{
	struct reader_ctx c = { .ts = tables_create() };
	pthread_t th[2];
	unsigned seed = (unsigned)time(NULL);

	(void)state;
	printf("# seed %u\n", seed);
	srand(seed);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, &c), 0);
	for (int round = 0; round < 300; round++) {
		uint32_t id = (uint32_t)(rand() % 8) + 1;

		if (tables_get(c.ts, id)) {
			assert_int_equal(tables_delete(c.ts, id), 0);
		} else {
			struct rt_route r;

			assert_int_equal(tables_add(c.ts, id, NULL), 0);
			rt_route_init(&r);
			r.table = id;
			rt_prefix_parse("10.0.0.0/8", &r.prefix, NULL, 0);
			assert_int_equal(rt_table_add(tables_get(c.ts, id), &r), 0);
		}
	}
	uatomic_set(&c.stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_true(uatomic_read(&c.found) > 0);
	assert_int_equal(uatomic_read(&c.wrong), 0);
	tables_destroy(c.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_always_there),
		cmocka_unit_test(test_add_delete_resolve),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_id_order),
		cmocka_unit_test(test_rcu_readers),
	};

	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

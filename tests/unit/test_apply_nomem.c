/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rt_table_apply() is all-or-nothing even when memory runs out: every
 * allocation the library makes during a batch is failed in turn (and, in a
 * second pass, a later one too, so the rollback itself hits ENOMEM), and the
 * table must then hold exactly what it held before, for walks and lookups.
 * A flush of one protocol, which is not all-or-nothing, must report a
 * failure instead of the count of the routes it managed to delete.
 *
 * Allocations (malloc and its kin, and the FIB's arena_alloc()) are
 * intercepted with the linker's --wrap, which only affects this test and
 * the route library linked into it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/table.h>

#include "alloc_fail.h"
#include "table_image.h"
#include "table_int.h"
#include <urcu/uatomic.h>

/*
 * Whether a retire needs a new reclamation batch (an allocation this test
 * fails) must not depend on how fast the machine is: with this clock
 * every open batch is older than RECLAIM_BATCH_NS at the next commit, so
 * each commit closes its batch and the next retire opens one.
 */
static uint64_t always_old_clock(void)
{
	static uint64_t now;

	return uatomic_add_return(&now, RECLAIM_BATCH_NS);
}

static struct rt_table *table_create_with_old_batches(void)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);

	if (t)
		t->rc.clock_ns = always_old_clock;
	return t;
}

#define BASE_ROUTES 300
#define BATCH 40
#define PROBES 2000

static struct rt_addr probes[PROBES];

/* Random prefixes nested under a few aggregates, so changes share FIB nodes. */
static struct rt_route random_route(unsigned *seed, bool v6)
{
	struct rt_route r;
	struct rt_addr a = { 0 };
	unsigned len;

	rt_route_init(&r);
	if (v6) {
		a.family = AF_INET6;
		a.bytes[0] = 0x20;
		a.bytes[1] = 0x01;
		for (int i = 2; i < 8; i++)
			a.bytes[i] = (uint8_t)(rand_r(seed) & (i < 4 ? 0x3 : 0xff));
		len = 16 + (unsigned)rand_r(seed) % 49;
	} else {
		a.family = AF_INET;
		a.bytes[0] = 10;
		for (int i = 1; i < 4; i++)
			a.bytes[i] = (uint8_t)(rand_r(seed) & (i == 1 ? 0x3 : 0xff));
		len = 8 + (unsigned)rand_r(seed) % 25;
	}
	rt_addr_mask(&a, len);
	assert_int_equal(rt_prefix_make(&a, len, &r.prefix), 0);
	r.metric = (uint32_t)rand_r(seed) % 3;
	r.gateway.family = a.family;
	memcpy(r.gateway.bytes, a.bytes, 16);
	r.gateway.bytes[15] = (uint8_t)(1 + rand_r(seed) % 8);
	if (v6)
		r.gateway.bytes[0] = 0xfe, r.gateway.bytes[1] = 0x80;
	else
		r.gateway.bytes[0] = 192, r.gateway.bytes[1] = 0, r.gateway.bytes[2] = 2;
	r.has_tag = true;
	r.tag = (uint32_t)rand_r(seed);
	return r;
}

static struct rt_table *build(unsigned seed, struct rt_change *batch)
{
	struct rt_table *t = table_create_with_old_batches();
	struct rt_route base[BASE_ROUTES];
	size_t n = 0;

	assert_non_null(t);
	while (n < BASE_ROUTES) {
		base[n] = random_route(&seed, n % 3 == 0);
		if (rt_table_add(t, &base[n]) == 0)
			n++;
	}
	/* A batch of adds, deletes and replaces that succeeds when memory does. */
	for (size_t i = 0; i < BATCH; i++) {
		switch (i % 3) {
		case 0:
			batch[i].op = RT_CHANGE_DELETE;
			batch[i].route = base[i * 7];
			break;
		case 1:
			batch[i].op = RT_CHANGE_REPLACE;
			batch[i].route = base[i * 7];
			batch[i].route.tag ^= 0x5a5a;
			batch[i].route.gateway.bytes[14] = 0x77;
			break;
		default:
			batch[i].op = RT_CHANGE_ADD;
			do {
				batch[i].route = random_route(&seed, i % 2);
				batch[i].route.proto[0] = 'k';	/* "ktatic": never taken */
			} while (0);
			break;
		}
	}
	return t;
}

static void run_pass(bool double_fault)
{
	unsigned seed = 20261124;
	struct rt_change batch[BATCH];
	static struct table_image before, after, expected;
	unsigned long total;
	unsigned failures = 0;
	uint64_t nomem_fallbacks = 0;

	/* The addresses probed: random, inside the same aggregates. */
	for (size_t i = 0; i < PROBES; i++) {
		struct rt_route r = random_route(&seed, i % 3 == 0);

		probes[i] = r.prefix.addr;
		probes[i].bytes[r.prefix.addr.family == AF_INET ? 3 : 15] ^= (uint8_t)i;
	}

	/* Reference run: no failure; count the allocations of the batch. */
	{
		struct rt_table *t = build(seed, batch);
		size_t failed = SIZE_MAX;

		alloc_fail_arm(0, 0);
		assert_int_equal(rt_table_apply(t, batch, BATCH, &failed), 0);
		total = alloc_fail_disarm();
		table_image_take(&expected, t, probes, PROBES);
		rt_table_destroy(t);
	}
	print_message("# seed %u: the batch makes %lu allocations\n", 20261124u, total);
	assert_true(total > 0);

	for (unsigned long k = 1; k <= total; k++) {
		struct rt_table *t = build(seed, batch);
		size_t failed = SIZE_MAX;
		struct rt_table_stats st;
		int rc;

		table_image_take(&before, t, probes, PROBES);
		/* The second failure lands in the rollback (or later in the batch). */
		alloc_fail_arm(k, double_fault ? k + 1 + k % 5 : 0);
		rc = rt_table_apply(t, batch, BATCH, &failed);
		alloc_fail_disarm();
		table_image_take(&after, t, probes, PROBES);
		if (rc == 0) {
			/* A failure the library absorbed (e.g. an optional cache). */
			assert_true(table_image_equal(&after, &expected));
		} else {
			assert_int_equal(rc, -ENOMEM);
			assert_true(failed < BATCH);
			assert_true(table_image_equal(&after, &before));
			failures++;
		}
		rt_table_stats(t, &st);
		nomem_fallbacks += st.reclaim_nomem_fallbacks;
		rt_table_destroy(t);
	}
	assert_true(failures > 0);
	/* Some failures hit the reclamation batch: counted, and reported. */
	print_message("# %" PRIu64 " retires found no memory to defer\n", nomem_fallbacks);
	assert_true(nomem_fallbacks > 0);
	table_image_free(&before);
	table_image_free(&after);
	table_image_free(&expected);
}

static void test_apply_enomem(void **state)
{
	(void)state;
	run_pass(false);
}

static void test_apply_enomem_during_rollback(void **state)
{
	(void)state;
	run_pass(true);
}

struct proto_count {
	const char *proto;
	long n;
};

static int count_proto(const struct rt_route *r, void *arg)
{
	struct proto_count *c = arg;

	if (!strcmp(r->proto, c->proto))
		c->n++;
	return 0;
}

static long routes_of(struct rt_table *t, const char *proto)
{
	struct proto_count c = { .proto = proto };

	assert_int_equal(rt_table_walk(t, 0, NULL, count_proto, &c), 0);
	return c.n;
}

/*
 * FLUSH_ROUTES routes, one in four of them "bgp", the others "static". Few:
 * every allocation of the flush fails in turn, each on a new table.
 */
#define FLUSH_ROUTES 48

static struct rt_table *build_mixed(unsigned seed)
{
	struct rt_table *t = table_create_with_old_batches();
	size_t n = 0;

	assert_non_null(t);
	while (n < FLUSH_ROUTES) {
		struct rt_route r = random_route(&seed, n % 3 == 0);

		if (n % 4 == 0)
			strcpy(r.proto, "bgp");
		if (rt_table_add(t, &r) == 0)
			n++;
	}
	return t;
}

/*
 * A flush of one protocol deletes route by route. Whichever allocation
 * fails, it returns either the full count with every such route gone, or
 * -ENOMEM with the routes it did not reach still there (and a second
 * flush deletes them); the other protocol's routes are never touched.
 */
static void test_flush_proto_enomem(void **state)
{
	unsigned seed = 20260311;
	unsigned long total;
	unsigned failures = 0;
	long statics, bgps;

	(void)state;
	{
		struct rt_table *t = build_mixed(seed);

		statics = routes_of(t, "static");
		bgps = routes_of(t, "bgp");
		alloc_fail_arm(0, 0);
		assert_int_equal(rt_table_flush(t, "static"), statics);
		total = alloc_fail_disarm();
		rt_table_destroy(t);
	}
	print_message("# the flush makes %lu allocations\n", total);
	assert_true(total > 0);

	for (unsigned long k = 1; k <= total; k++) {
		struct rt_table *t = build_mixed(seed);
		long rc, left;

		alloc_fail_arm(k, 0);
		rc = rt_table_flush(t, "static");
		alloc_fail_disarm();
		left = routes_of(t, "static");
		assert_int_equal(routes_of(t, "bgp"), bgps);
		if (rc >= 0) {
			/* A failure the library absorbed. */
			assert_int_equal(rc, statics);
			assert_int_equal(left, 0);
		} else {
			assert_int_equal(rc, -ENOMEM);
			assert_true(left > 0);
			assert_int_equal(rt_table_flush(t, "static"), left);
			assert_int_equal(routes_of(t, "static"), 0);
			failures++;
		}
		rt_table_destroy(t);
	}
	assert_true(failures > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_enomem),
		cmocka_unit_test(test_apply_enomem_during_rollback),
		cmocka_unit_test(test_flush_proto_enomem),
	};

	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

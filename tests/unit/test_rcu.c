/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcu.c: grace-period statistics and the log2 histogram they use, and the
 * check that no writer runs inside a read-side section. Each misuse runs
 * in a child process, which must die of SIGABRT after saying why on
 * stderr (the child does nothing that needs liburcu's threads); one the
 * check misses dies of SIGALRM instead if it hangs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>

#include <routed/hist.h>
#include <routed/prefix.h>
#include <routed/rcu.h>
#include <routed/route.h>
#include <routed/table.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_hist_buckets(void **state)
{
	static const struct {
		uint64_t value;
		unsigned nbuckets, bucket;
	} cases[] = {
		{ 0, 40, 0 }, { 1, 40, 0 }, { 2, 40, 1 }, { 3, 40, 1 }, { 4, 40, 2 },
		{ 1023, 40, 9 }, { 1024, 40, 10 }, { UINT64_MAX, 40, 39 },
		{ UINT64_MAX, 64, 63 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(rt_hist_bucket(cases[i].value, cases[i].nbuckets),
				 cases[i].bucket);
	/* The upper edge of a bucket is in it; one more is in the next. */
	for (unsigned i = 0; i < 63; i++) {
		assert_int_equal(rt_hist_bucket(rt_hist_bucket_upper(i), 64), i);
		assert_int_equal(rt_hist_bucket(rt_hist_bucket_upper(i) + 1, 64), i + 1);
	}
	assert_true(rt_hist_bucket_upper(63) == UINT64_MAX);
}

static void test_hist_quantile(void **state)
{
	uint64_t hist[8] = { 0 };

	(void)state;
	assert_int_equal(rt_hist_quantile(hist, 8, 0, 0.5), 0);
	hist[rt_hist_bucket(5, 8)] = 90;	/* [4, 8) */
	hist[rt_hist_bucket(100, 8)] = 10;	/* [64, 128) */
	assert_int_equal(rt_hist_quantile(hist, 8, 100, 0), 0);
	assert_int_equal(rt_hist_quantile(hist, 8, 100, 0.5), 7);
	assert_int_equal(rt_hist_quantile(hist, 8, 100, 0.9), 7);
	/* The upper edge, capped by the largest value recorded. */
	assert_int_equal(rt_hist_quantile(hist, 8, 100, 0.91), 100);
	assert_int_equal(rt_hist_quantile(hist, 8, 100, 2), 100);
	assert_int_equal(rt_hist_quantile(hist, 8, 200, 1), 127);
}

static void test_gp_stats(void **state)
{
	struct rt_rcu_stats before, after;
	uint64_t n = 0;

	(void)state;
	rt_rcu_stats(&before);
	for (int i = 0; i < 5; i++)
		rt_rcu_synchronize();
	rt_rcu_stats(&after);
	assert_int_equal(after.grace_periods - before.grace_periods, 5);
	assert_true(after.total_ns > before.total_ns);
	assert_true(after.max_ns > 0);
	for (unsigned i = 0; i < RT_RCU_GP_BUCKETS; i++)
		n += after.hist[i] - before.hist[i];
	assert_int_equal(n, 5);
	assert_true(rt_rcu_gp_quantile_ns(&after, 1) == after.max_ns);
}

enum misuse {
	MISUSE_SYNCHRONIZE,
	MISUSE_ADD,
	MISUSE_REPLACE,
	MISUSE_DELETE,
	MISUSE_APPLY,
	MISUSE_REPLACE_ALL,
	MISUSE_FLUSH,
	MISUSE_GET,
	MISUSE_WALK,
	MISUSE_STATS,
	MISUSE_RECLAIM_FLUSH,
	MISUSE_QUIESCE,
	MISUSE_DESTROY,
};

static int walk_nothing(const struct rt_route *r, void *arg)
{
	(void)r;
	(void)arg;
	return 0;
}

/* In the child: the misuse, inside a read-side section. Returns if nothing stopped it. */
static void do_misuse(enum misuse m)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct rt_change change;
	struct rt_route_key key;
	struct rt_table_stats st;
	struct rt_route r;

	if (!t)
		return;
	rt_route_init(&r);
	if (rt_prefix_parse("192.0.2.0/24", &r.prefix, NULL, 0))
		return;
	memset(&key, 0, sizeof(key));
	key.prefix = r.prefix;
	change.op = RT_CHANGE_ADD;
	change.route = r;

	urcu_memb_read_lock();
	switch (m) {
	case MISUSE_SYNCHRONIZE:
		rt_rcu_synchronize();
		break;
	case MISUSE_ADD:
		rt_table_add(t, &r);
		break;
	case MISUSE_REPLACE:
		rt_table_replace(t, &r);
		break;
	case MISUSE_DELETE:
		rt_table_delete(t, &key);
		break;
	case MISUSE_APPLY:
		rt_table_apply(t, &change, 1, NULL);
		break;
	case MISUSE_REPLACE_ALL:
		rt_table_replace_all(t, &r, 1, NULL);
		break;
	case MISUSE_FLUSH:
		rt_table_flush(t, "static");
		break;
	case MISUSE_GET:
		rt_table_get(t, &r.prefix, NULL, 0);
		break;
	case MISUSE_WALK:
		rt_table_walk(t, 0, NULL, walk_nothing, NULL);
		break;
	case MISUSE_STATS:
		rt_table_stats(t, &st);
		break;
	case MISUSE_RECLAIM_FLUSH:
		rt_table_reclaim_flush(t);
		break;
	case MISUSE_QUIESCE:
		rt_table_quiesce(t);
		break;
	case MISUSE_DESTROY:
		rt_table_destroy(t);
		break;
	}
	urcu_memb_read_unlock();
}

static void test_writers_inside_reader_abort(void **state)
{
	static const enum misuse cases[] = {
		MISUSE_SYNCHRONIZE, MISUSE_ADD, MISUSE_REPLACE, MISUSE_DELETE, MISUSE_APPLY,
		MISUSE_REPLACE_ALL, MISUSE_FLUSH, MISUSE_GET, MISUSE_WALK, MISUSE_STATS,
		MISUSE_RECLAIM_FLUSH, MISUSE_QUIESCE, MISUSE_DESTROY,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char msg[256] = "";
		int status, err[2];
		ssize_t len;
		pid_t pid;

		assert_int_equal(pipe(err), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(err[0]);
			dup2(err[1], STDERR_FILENO);
			/* An unchecked misuse may wait for its own section: end it. */
			alarm(10);
			do_misuse(cases[i]);
			_exit(0);
		}
		close(err[1]);
		len = read(err[0], msg, sizeof(msg) - 1);
		close(err[0]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
			fail_msg("misuse %zu was not caught (status %#x)", i, status);
		assert_true(len > 0);
		if (!strstr(msg, "inside an RCU read-side section"))
			fail_msg("misuse %zu: unexpected message \"%s\"", i, msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_buckets),
		cmocka_unit_test(test_hist_quantile),
		cmocka_unit_test(test_gp_stats),
		cmocka_unit_test(test_writers_inside_reader_abort),
	};

	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

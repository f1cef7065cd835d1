/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deferred reclamation: when reclaim_commit() hands the open batch to
 * call_rcu. A batch goes once it is RECLAIM_BATCH_NS old, measured on a
 * clock precise enough for that limit; a younger one waits for more.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include <routed/clock.h>
#include <routed/rcu.h>

#include "reclaim.h"
#include "wlock.h"

struct fixture {
	struct wlock lock;
	struct reclaim rc;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	wlock_init(&f->lock);
	reclaim_init(&f->rc, &f->lock);
	wlock_lock(&f->lock);
	*state = f;
	return 0;
}

static void no_id_release(void *arg, uint32_t id)
{
	(void)arg;
	(void)id;
	fail_msg("no id was retired");
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	reclaim_fini(&f->rc, no_id_release, NULL);
	wlock_unlock(&f->lock);
	wlock_destroy(&f->lock);
	free(f);
	return 0;
}

/* Retire one object, as a table write does. */
static void retire_one(struct reclaim *rc)
{
	void *p = malloc(32);

	assert_non_null(p);
	reclaim_free(rc, p, 32);
}

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* The age limit itself, on a clock the test sets. */
static void test_batch_age_limit(void **state)
{
	struct fixture *f = *state;
	struct reclaim *rc = &f->rc;

	rc->clock_ns = fake_clock;
	fake_now = 1000000000;
	retire_one(rc);
	reclaim_commit(rc);
	assert_non_null(rc->open);

	/* A later item does not make the batch younger. */
	fake_now += RECLAIM_BATCH_NS / 2;
	retire_one(rc);
	reclaim_commit(rc);
	assert_non_null(rc->open);

	fake_now += RECLAIM_BATCH_NS / 2 - 1;
	reclaim_commit(rc);
	assert_non_null(rc->open);
	assert_int_equal(rc->batches, 0);

	fake_now += 1;
	reclaim_commit(rc);
	assert_null(rc->open);
	assert_int_equal(rc->batches, 1);

	/* The next batch is timed from its own first item. */
	fake_now += 10 * RECLAIM_BATCH_NS;
	retire_one(rc);
	reclaim_commit(rc);
	assert_non_null(rc->open);
	fake_now += RECLAIM_BATCH_NS;
	reclaim_commit(rc);
	assert_null(rc->open);
	assert_int_equal(rc->batches, 2);
}

static void spin_until(uint64_t t)
{
	while (rt_clock_ns() < t)
		;
}

#define TRIALS 20

/*
 * The same on the clock reclaim uses by default. A coarse clock (ticks of
 * 1-4 ms, as long as the limit) would see a batch RECLAIM_BATCH_NS old as
 * 0 ms old whenever no tick fell inside it, and one half as old as a full
 * tick old whenever one did: each trial below would fail about as often
 * as not.
 */
static void test_batch_age_real_clock(void **state)
{
	struct fixture *f = *state;
	struct reclaim *rc = &f->rc;
	unsigned young_checked = 0;

	for (unsigned i = 0; i < TRIALS; i++) {
		uint64_t before, opened, committed;
		uint64_t batches = rc->batches;

		/* Older than the limit: flushed. */
		retire_one(rc);
		opened = rt_clock_ns();
		spin_until(opened + RECLAIM_BATCH_NS + RECLAIM_BATCH_NS / 20);
		reclaim_commit(rc);
		assert_null(rc->open);
		assert_int_equal(rc->batches, batches + 1);

		/* Half the limit: kept, when the whole trial took less than the limit. */
		before = rt_clock_ns();
		retire_one(rc);
		spin_until(before + RECLAIM_BATCH_NS / 2);
		reclaim_commit(rc);
		committed = rt_clock_ns();
		if (committed - before < RECLAIM_BATCH_NS) {
			assert_non_null(rc->open);
			assert_int_equal(rc->batches, batches + 1);
			young_checked++;
		}
		reclaim_flush(rc);
	}
	print_message("# %u of %u young batches timed without a preemption\n", young_checked,
		      TRIALS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_age_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_age_real_clock, setup, teardown),
	};

	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

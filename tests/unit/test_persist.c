/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The durability watcher (daemon/persist.c): every record that
 * persist_commit() says to wait for is announced on the control thread
 * once durable, whichever thread synced it.
 *
 * The race it guards against needs the compactor to sync a change's
 * record after persist_commit() saw it unsynced and before the lazily
 * created sync thread first runs. The test forces that order: it links
 * with -Wl,--wrap=pthread_create and holds the threads persist.c creates
 * at their start (the compactor until the sync thread exists, the sync
 * thread until the compactor's sync is done), so the outcome does not
 * depend on the scheduler. The control thread is the test's own, stepping
 * the event_base with EVLOOP_NONBLOCK.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <urcu/uatomic.h>

#include <routed/prefix.h>
#include <routed/route.h>

#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/persist.h"
#include "daemon/routed_config.h"

/* Generous for a loaded sanitizer build; the fixed code needs milliseconds. */
#define TIMEOUT_MS 30000

struct fixture {
	char dir[64];
	struct routed_config cfg;
	struct routed d;
	uint64_t announced;	/* persist_durable_seq() at the last announcement */
	unsigned announcements;
};

static struct fixture *fx;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------------- */
/* Holding persist.c's threads at their start */

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*start)(void *), void *arg);
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*start)(void *), void *arg);

struct held_start {
	void *(*start)(void *);
	void *arg;
	unsigned index;		/* 1: the first thread created while the gates are armed */
};

static int gates_armed;		/* uatomic */
static unsigned created;	/* threads created while armed (creator's side only) */
static int second_created;	/* uatomic: the second thread exists */
static int second_saw_sync;	/* uatomic: the second thread began after durable >= 1 */

/* Wait until cond() holds or the time is up; whether it held. */
static bool wait_for(bool (*cond)(void))
{
	double deadline = now_ms() + TIMEOUT_MS;

	while (!cond()) {
		if (now_ms() > deadline)
			return false;
		usleep(200);
	}
	return true;
}

static bool second_exists(void)
{
	return uatomic_read(&second_created);
}

static bool first_record_synced(void)
{
	return persist_durable_seq(fx->d.persist) >= 1;
}

/*
 * The first thread (the compactor) starts once the second (the sync
 * thread) was created, i.e. after persist_commit() decided to wait; the
 * second starts once the compactor's sync made record 1 durable.
 */
static void *gated_start(void *arg)
{
	struct held_start hs = *(struct held_start *)arg;

	free(arg);
	if (hs.index == 1)
		wait_for(second_exists);
	else if (hs.index == 2)
		uatomic_set(&second_saw_sync, wait_for(first_record_synced));
	return hs.start(hs.arg);
}

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*start)(void *), void *arg)
{
	struct held_start *hs;
	unsigned index;
	int rc;

	if (!uatomic_read(&gates_armed))
		return __real_pthread_create(thread, attr, start, arg);
	hs = malloc(sizeof(*hs));
	if (!hs)
		return 12;	/* ENOMEM */
	index = ++created;
	*hs = (struct held_start){ .start = start, .arg = arg, .index = index };
	/* hs is the new thread's once created (it frees it): index is read from the copy. */
	rc = __real_pthread_create(thread, attr, gated_start, hs);
	if (rc)
		free(hs);
	else if (index == 2)
		uatomic_set(&second_created, 1);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Fixture */

static int setup(void **state)
{
	char err[256] = "";

	(void)state;
	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/test_persist.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	fx->d.base = event_base_new();
	assert_non_null(fx->d.base);
	fx->d.config = &fx->cfg;
	snprintf(fx->cfg.state_dir, sizeof(fx->cfg.state_dir), "%s", fx->dir);
	fx->cfg.fsync_policy = CONFIG_FSYNC_BATCH;
	fx->cfg.batch_delay_us = 0;
	fx->cfg.segment_bytes = 1 << 20;
	/* Every change passes it: the change that fills the journal starts a snapshot. */
	fx->cfg.snapshot_bytes = 1;
	snprintf(fx->cfg.persistent[0], sizeof(fx->cfg.persistent[0]), "static");
	fx->cfg.n_persistent = 1;
	fx->d.persist = persist_open(&fx->d, &fx->cfg, false, err, sizeof(err));
	if (!fx->d.persist)
		fail_msg("persist_open: %s", err);
	return 0;
}

static int teardown(void **state)
{
	char path[512];
	struct dirent *e;
	DIR *dir;

	(void)state;
	uatomic_set(&gates_armed, 0);
	persist_close(fx->d.persist);
	event_base_free(fx->d.base);
	dir = opendir(fx->dir);
	assert_non_null(dir);
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", fx->dir, e->d_name);
			assert_int_equal(unlink(path), 0);
		}
	closedir(dir);
	assert_int_equal(rmdir(fx->dir), 0);
	free(fx);
	return 0;
}

/* The watcher, as control.c's held answers use it. */
static void on_durable(void *arg)
{
	struct fixture *f = arg;

	f->announcements++;
	f->announced = persist_durable_seq(f->d.persist);
}

/* Journal one static route, as route.add does, and commit it. */
static uint64_t change(const char *prefix)
{
	struct rt_route r;
	uint64_t wait_seq = 0;

	rt_route_init(&r);
	assert_int_equal(rt_prefix_parse(prefix, &r.prefix, NULL, 0), 0);
	snprintf(r.proto, sizeof(r.proto), "static");
	assert_int_equal(persist_upsert(fx->d.persist, &r, 1), 0);
	assert_int_equal(persist_commit(fx->d.persist, &wait_seq), 0);
	return wait_seq;
}

/* Run the control thread's loop until seq is announced; whether it was. */
static bool announced(uint64_t seq)
{
	double deadline = now_ms() + TIMEOUT_MS;

	while (fx->announced < seq) {
		if (now_ms() > deadline)
			return false;
		event_base_loop(fx->d.base, EVLOOP_NONBLOCK);
		usleep(200);
	}
	return true;
}

/* ---------------------------------------------------------------------- */
/* Tests */

/*
 * The first change after a start starts a snapshot (the compactor syncs
 * the journal) and then the sync thread; the compactor's sync makes the
 * record durable before the sync thread first looks. The record must
 * still be announced.
 */
static void test_compactor_syncs_before_sync_thread_starts(void **state)
{
	uint64_t seq;

	(void)state;
	persist_on_durable(fx->d.persist, on_durable, fx);
	uatomic_set(&gates_armed, 1);
	seq = change("10.0.0.0/8");
	/* The compactor is held until the sync thread exists: not synced yet. */
	assert_int_equal(seq, 1);
	if (!announced(seq))
		fail_msg("record %llu durable (synced %llu) but never announced",
			 (unsigned long long)seq,
			 (unsigned long long)persist_durable_seq(fx->d.persist));
	/* The order was the one under test, not a lucky other one. */
	assert_int_equal(created, 2);
	assert_true(uatomic_read(&second_saw_sync));
	assert_true(fx->announcements >= 1);
}

/*
 * Changes one after another while snapshots keep starting (each change
 * passes snapshot_bytes): every committed record is announced, whether
 * the sync thread or the compactor synced it.
 */
static void test_every_commit_announced_beside_compaction(void **state)
{
	char prefix[32];

	(void)state;
	persist_on_durable(fx->d.persist, on_durable, fx);
	for (unsigned i = 0; i < 200; i++) {
		uint64_t seq;

		snprintf(prefix, sizeof(prefix), "10.%u.%u.0/24", i / 256, i % 256);
		seq = change(prefix);
		if (seq && !announced(seq))
			fail_msg("change %u: record %llu never announced (synced %llu)", i,
				 (unsigned long long)seq,
				 (unsigned long long)persist_durable_seq(fx->d.persist));
	}
	assert_true(persist_durable_seq(fx->d.persist) >= 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_compactor_syncs_before_sync_thread_starts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_commit_announced_beside_compaction,
						setup, teardown),
	};

	/* Not a line per snapshot: only what goes wrong. */
	log_set_level(LOG_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>

#include <routed/table.h>

#include "daemon.h"
#include "gate.h"
#include "log.h"
#include "tables.h"
#include "workers.h"

struct worker {
	struct workers *pool;
	unsigned index;
	pthread_t thread;
	bool started;			/* the thread exists (join it) */
	int start_error;		/* set before the thread posts pool->ready */
	struct gate_reader *reader;	/* the worker's own; NULL without a gate */
};

struct workers {
	struct routed *d;
	const struct worker_ops *ops;
	int stop_fd;			/* eventfd: readable once stopping */
	sem_t ready;			/* each thread posts once it is set up (or failed) */
	unsigned n;
	struct worker w[];
};

/* The probe: what a lookup batch does, until the lookup service exists. */

#define PROBE_INTERVAL_MS 1

/* Fixed addresses (host byte order): private, documentation and public space. */
static const uint32_t probe_addrs[] = {
	0x0a000001,	/* 10.0.0.1 */
	0x0a010203,	/* 10.1.2.3 */
	0xac100001,	/* 172.16.0.1 */
	0xc0a80101,	/* 192.168.1.1 */
	0xc0000201,	/* 192.0.2.1 */
	0xc6336407,	/* 198.51.100.7 */
	0xcb007109,	/* 203.0.113.9 */
	0x08080808,	/* 8.8.8.8 */
};
#define PROBE_N (sizeof(probe_addrs) / sizeof(probe_addrs[0]))

static bool probe_wait(struct worker *w, int stop_fd)
{
	struct pollfd pfd = { .fd = stop_fd, .events = POLLIN };
	int rc;

	(void)w;
	/* Idle workers sleep: a batch a millisecond costs next to nothing. */
	do
		rc = poll(&pfd, 1, PROBE_INTERVAL_MS);
	while (rc < 0 && errno == EINTR);
	return rc == 0;
}

static void probe_serve(struct worker *w)
{
	struct routed *d = w->pool->d;
	uint32_t ids[PROBE_N];
	/*
	 * rcu_dereference() inside tables_lookup_rcu() pairs with the
	 * publication of the table set; the set and the table it names stay
	 * valid until this read-side section ends. Loaded only now, after
	 * gate_read_enter(), which may have left and retaken the section.
	 */
	uint64_t version = tables_version_rcu(d->tables);
	struct rt_table *t = tables_lookup_rcu(d->tables, RT_TABLE_MAIN);

	if (t)
		rt_table_lookup_ids4(t, probe_addrs, PROBE_N, ids);
	/*
	 * The table set only changes inside the gate's write side, and no
	 * write section overlaps a batch: a batch that sees the set change
	 * means the exclusion failed.
	 */
	if (tables_version_rcu(d->tables) != version)
		log_err("lookup worker %u: the table set changed during a batch", w->index);
}

static const struct worker_ops probe_ops = {
	.wait = probe_wait,
	.serve = probe_serve,
};

/* One batch: a read-side section with the gate's read side inside it. */
static void serve_batch(struct worker *w)
{
	urcu_memb_read_lock();
	/*
	 * While a reconfiguration holds the gate this returns only after it
	 * is over, having left the read-side section to wait (so a grace
	 * period the writer waits for is never held up by us); the batch
	 * loads every RCU pointer after it.
	 */
	if (w->reader)
		gate_read_enter(w->reader);
	w->pool->ops->serve(w);
	if (w->reader)
		gate_read_leave(w->reader);
	urcu_memb_read_unlock();
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct workers *pool = w->pool;

	rt_reader_register();
	if (pool->d->gate) {
		/* Outside any read-side section, as gate_reader_register() requires. */
		w->reader = gate_reader_register(pool->d->gate);
		if (!w->reader)
			w->start_error = errno ? errno : ENOMEM;
	}
	sem_post(&pool->ready);
	if (!w->start_error) {
		while (pool->ops->wait(w, pool->stop_fd))
			serve_batch(w);
	}
	gate_reader_unregister(w->reader);
	rt_reader_unregister();
	return NULL;
}

struct workers *workers_start(struct routed *d, unsigned n, const struct worker_ops *ops,
			      char *err, size_t errlen)
{
	struct workers *pool = calloc(1, sizeof(*pool) + n * sizeof(pool->w[0]));
	int rc;

	if (!pool) {
		snprintf(err, errlen, "lookup workers: %s", strerror(ENOMEM));
		return NULL;
	}
	pool->d = d;
	pool->ops = ops ? ops : &probe_ops;
	sem_init(&pool->ready, 0, 0);
	pool->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (pool->stop_fd < 0) {
		snprintf(err, errlen, "lookup workers: eventfd: %s", strerror(errno));
		sem_destroy(&pool->ready);
		free(pool);
		return NULL;
	}
	for (; pool->n < n; pool->n++) {
		struct worker *w = &pool->w[pool->n];

		w->pool = pool;
		w->index = pool->n;
		rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc) {
			snprintf(err, errlen, "lookup worker %u: %s", w->index, strerror(rc));
			goto fail;
		}
		w->started = true;
	}
	/* Every thread reports once it is a gate reader; sem_wait orders its start_error. */
	for (unsigned i = 0; i < pool->n; i++)
		while (sem_wait(&pool->ready) && errno == EINTR)
			;
	for (unsigned i = 0; i < pool->n; i++) {
		if (pool->w[i].start_error) {
			snprintf(err, errlen, "lookup worker %u: joining the gate: %s", i,
				 strerror(pool->w[i].start_error));
			goto fail;
		}
	}
	return pool;
fail:
	workers_stop(pool);
	return NULL;
}

void workers_stop(struct workers *pool)
{
	uint64_t one = 1;

	if (!pool)
		return;
	if (write(pool->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_err("stopping lookup workers: %s", strerror(errno));
	for (unsigned i = 0; i < pool->n; i++)
		if (pool->w[i].started)
			pthread_join(pool->w[i].thread, NULL);
	close(pool->stop_fd);
	sem_destroy(&pool->ready);
	free(pool);
}

struct routed *worker_daemon(const struct worker *w)
{
	return w->pool->d;
}

unsigned worker_index(const struct worker *w)
{
	return w->index;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <urcu/urcu-memb.h>

#include <routed/table.h>

#include "daemon.h"
#include "gate.h"
#include "log.h"
#include "workers.h"

#define SYNC_TIMEOUT_SEC 5

struct worker {
	struct workers *pool;
	unsigned index;
	pthread_t thread;
	int kick_fd;			/* eventfd: sync, or stop when stopping is set */
	struct event_base *base;
	struct event *kick_ev;
	struct gate_reader *reader;	/* the worker's own; NULL without a gate */
	void *data;			/* the service's */
	int start_error;		/* set before the thread posts ready */
	/* Under pool->lock: */
	bool stopping;
	uint64_t synced;		/* the last sync_seq this worker has synced to */
};

struct workers {
	struct routed *d;
	struct worker_service svc;
	sem_t ready;			/* a new thread posts once it is set up (or failed) */
	pthread_mutex_t lock;
	pthread_cond_t synced;		/* a worker finished a sync */
	uint64_t sync_seq;		/* under lock: bumped by each workers_sync() */
	unsigned n;
	struct worker *w[WORKERS_MAX];
};

static void kick(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->kick_fd, &one, sizeof(one)) != sizeof(one))
		log_err("lookup worker %u: waking it: %s", w->index, strerror(errno));
}

/* Read the pool's request under its lock, run sync() outside it, report back. */
static void run_sync(struct worker *w)
{
	struct workers *pool = w->pool;
	uint64_t seq;

	pthread_mutex_lock(&pool->lock);
	seq = pool->sync_seq;
	pthread_mutex_unlock(&pool->lock);
	pool->svc.sync(w, pool->svc.arg);
	/* The mutex orders everything sync() did before the waiter's return. */
	pthread_mutex_lock(&pool->lock);
	w->synced = seq;
	pthread_cond_broadcast(&pool->synced);
	pthread_mutex_unlock(&pool->lock);
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	uint64_t count;
	bool stopping;

	(void)what;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_err("lookup worker %u: eventfd: %s", w->index, strerror(errno));
	pthread_mutex_lock(&w->pool->lock);
	stopping = w->stopping;
	pthread_mutex_unlock(&w->pool->lock);
	if (stopping)
		event_base_loopbreak(w->base);
	else
		run_sync(w);
}

static int worker_setup(struct worker *w)
{
	struct event_config *cfg = event_config_new();

	if (!cfg)
		return ENOMEM;
	/* Only this thread ever touches the base: no locking inside libevent. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	w->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (!w->base)
		return ENOMEM;
	w->kick_ev = event_new(w->base, w->kick_fd, EV_READ | EV_PERSIST, on_kick, w);
	if (!w->kick_ev || event_add(w->kick_ev, NULL))
		return ENOMEM;
	if (w->pool->d->gate) {
		/* Outside any read-side section, as gate_reader_register() requires. */
		w->reader = gate_reader_register(w->pool->d->gate);
		if (!w->reader)
			return errno ? errno : ENOMEM;
	}
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct workers *pool = w->pool;

	rt_reader_register();
	w->start_error = worker_setup(w);
	if (!w->start_error)
		run_sync(w);
	sem_post(&pool->ready);
	if (!w->start_error && event_base_dispatch(w->base) < 0)
		log_err("lookup worker %u: event loop failed", w->index);
	if (pool->svc.fini)
		pool->svc.fini(w, pool->svc.arg);
	gate_reader_unregister(w->reader);
	if (w->kick_ev)
		event_free(w->kick_ev);
	if (w->base)
		event_base_free(w->base);
	rt_reader_unregister();
	return NULL;
}

struct workers *workers_create(struct routed *d, const struct worker_service *svc)
{
	struct workers *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return NULL;
	pool->d = d;
	pool->svc = *svc;
	sem_init(&pool->ready, 0, 0);
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->synced, NULL);
	return pool;
}

/* Stop and join the workers from index n on. */
static void shrink(struct workers *pool, unsigned n)
{
	for (unsigned i = n; i < pool->n; i++) {
		pthread_mutex_lock(&pool->lock);
		pool->w[i]->stopping = true;
		pthread_mutex_unlock(&pool->lock);
		kick(pool->w[i]);
	}
	for (unsigned i = n; i < pool->n; i++) {
		pthread_join(pool->w[i]->thread, NULL);
		close(pool->w[i]->kick_fd);
		free(pool->w[i]);
		pool->w[i] = NULL;
	}
	if (n < pool->n)
		pool->n = n;
}

int workers_resize(struct workers *pool, unsigned n, char *err, size_t errlen)
{
	unsigned old = pool->n;
	int rc;

	if (n > WORKERS_MAX) {
		snprintf(err, errlen, "lookup workers: at most %d", WORKERS_MAX);
		return -1;
	}
	if (n <= old) {
		shrink(pool, n);
		return 0;
	}
	for (; pool->n < n; pool->n++) {
		struct worker *w = calloc(1, sizeof(*w));

		if (w)
			w->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (!w || w->kick_fd < 0) {
			snprintf(err, errlen, "lookup worker %u: %s", pool->n, strerror(errno));
			free(w);
			goto fail;
		}
		w->pool = pool;
		w->index = pool->n;
		rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc) {
			snprintf(err, errlen, "lookup worker %u: %s", w->index, strerror(rc));
			close(w->kick_fd);
			free(w);
			goto fail;
		}
		pool->w[pool->n] = w;
		/* sem_wait orders the thread's start_error before our read. */
		while (sem_wait(&pool->ready) && errno == EINTR)
			;
		if (w->start_error) {
			snprintf(err, errlen, "lookup worker %u: %s", w->index,
				 strerror(w->start_error));
			pool->n++;
			goto fail;
		}
	}
	return 0;
fail:
	shrink(pool, old);
	return -1;
}

unsigned workers_count(const struct workers *pool)
{
	return pool ? pool->n : 0;
}

int workers_sync(struct workers *pool)
{
	struct timespec deadline;
	uint64_t seq;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SYNC_TIMEOUT_SEC;
	pthread_mutex_lock(&pool->lock);
	seq = ++pool->sync_seq;
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->n; i++)
		kick(pool->w[i]);
	pthread_mutex_lock(&pool->lock);
	for (unsigned i = 0; i < pool->n && !rc; i++) {
		while (pool->w[i]->synced < seq && !rc)
			rc = pthread_cond_timedwait(&pool->synced, &pool->lock, &deadline);
	}
	pthread_mutex_unlock(&pool->lock);
	if (rc) {
		log_err("lookup workers: one did not answer within %d s", SYNC_TIMEOUT_SEC);
		return -ETIMEDOUT;
	}
	return 0;
}

void workers_destroy(struct workers *pool)
{
	if (!pool)
		return;
	shrink(pool, 0);
	pthread_cond_destroy(&pool->synced);
	pthread_mutex_destroy(&pool->lock);
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

struct event_base *worker_base(const struct worker *w)
{
	return w->base;
}

void *worker_data(const struct worker *w)
{
	return w->data;
}

void worker_set_data(struct worker *w, void *data)
{
	w->data = data;
}

void worker_batch_begin(struct worker *w)
{
	urcu_memb_read_lock();
	/*
	 * While a reconfiguration holds the gate this returns only after it
	 * is over, having left the read-side section to wait (so a grace
	 * period the writer waits for is never held up by us). The batch
	 * loads every RCU pointer, and the service's gate-protected state,
	 * only after this.
	 */
	if (w->reader)
		gate_read_enter(w->reader);
}

void worker_batch_end(struct worker *w)
{
	if (w->reader)
		gate_read_leave(w->reader);
	urcu_memb_read_unlock();
}

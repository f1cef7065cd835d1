/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <routed/table.h>

#include "daemon.h"
#include "log.h"
#include "workers.h"

struct workers {
	struct routed *d;
	int stop_fd;			/* eventfd: readable once stopping */
	unsigned n;
	pthread_t threads[];
};

static void *worker_main(void *arg)
{
	struct workers *w = arg;
	struct pollfd pfd = { .fd = w->stop_fd, .events = POLLIN };

	rt_reader_register();
	/* The lookup service runs here; until it is configured, wait for stop. */
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	rt_reader_unregister();
	return NULL;
}

struct workers *workers_start(struct routed *d, unsigned n, char *err, size_t errlen)
{
	struct workers *w = calloc(1, sizeof(*w) + n * sizeof(w->threads[0]));
	int rc;

	if (!w) {
		snprintf(err, errlen, "lookup workers: %s", strerror(ENOMEM));
		return NULL;
	}
	w->d = d;
	w->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (w->stop_fd < 0) {
		snprintf(err, errlen, "lookup workers: eventfd: %s", strerror(errno));
		free(w);
		return NULL;
	}
	for (; w->n < n; w->n++) {
		rc = pthread_create(&w->threads[w->n], NULL, worker_main, w);
		if (rc) {
			snprintf(err, errlen, "lookup worker %u: %s", w->n, strerror(rc));
			workers_stop(w);
			return NULL;
		}
	}
	return w;
}

void workers_stop(struct workers *w)
{
	uint64_t one = 1;

	if (!w)
		return;
	if (write(w->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_err("stopping lookup workers: %s", strerror(errno));
	for (unsigned i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	close(w->stop_fd);
	free(w);
}

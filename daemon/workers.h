/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lookup worker threads. Each one is a registered urcu-memb reader for its
 * whole life, so its lookups pay no registration and no barrier. The
 * threads start with every signal blocked (inherited from main()): signals
 * are the control loop's business.
 */
#ifndef ROUTED_DAEMON_WORKERS_H
#define ROUTED_DAEMON_WORKERS_H

#include <stddef.h>

struct routed;
struct workers;

/* Start n workers. NULL with the reason in err. */
struct workers *workers_start(struct routed *d, unsigned n, char *err, size_t errlen);
/* Stop and join every worker, then free. Accepts NULL. */
void workers_stop(struct workers *w);

#endif

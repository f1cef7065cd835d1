/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the shared context answers by itself, for every module below run.c
 * (which sets it up) to use without depending on run.c.
 */
#include "config.h"

#include <time.h>

#include "daemon.h"

double routed_uptime(const struct routed *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - d->started_mono.tv_sec) +
	       (double)(now.tv_nsec - d->started_mono.tv_nsec) / 1e9;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the shared context answers by itself, for every module below run.c
 * (which sets it up) to use without depending on run.c.
 */
#include "config.h"

#include <routed/clock.h>

#include "daemon.h"

double routed_uptime(const struct routed *d)
{
	return (double)(rt_clock_ns() - d->started_ns) / 1e9;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monotonic clock every duration in routed is measured with:
 * CLOCK_MONOTONIC, read through the vDSO (no system call, about 20 ns).
 * Not CLOCK_MONOTONIC_COARSE: its 1-4 ms ticks are as long as the
 * intervals we time (grace periods, reclamation batch age, reader stalls).
 */
#ifndef ROUTED_CLOCK_H
#define ROUTED_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Now, as a struct timespec. */
static inline struct timespec rt_clock_timespec(void)
{
	struct timespec ts;

	/* Cannot fail: a valid clock id and a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

/* A timespec of the monotonic clock in nanoseconds. */
static inline uint64_t rt_timespec_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* Now, in nanoseconds since an arbitrary fixed point (boot). */
static inline uint64_t rt_clock_ns(void)
{
	struct timespec ts = rt_clock_timespec();

	return rt_timespec_ns(&ts);
}

#endif

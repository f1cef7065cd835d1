/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every part of routebench uses: fatal errors and progress messages
 * (prefixed "routebench: ", on stderr), allocation that cannot fail, the
 * clock, and the statistics of runs.
 */
#ifndef ROUTED_BENCH_BENCH_H
#define ROUTED_BENCH_BENCH_H

#include <stddef.h>

/* Print the message and exit(1). */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Progress, unless --quiet. */
void bench_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* malloc() that dies instead of failing. */
void *bench_xmalloc(size_t size);
/* CLOCK_MONOTONIC in seconds. */
double bench_now(void);

/* a / b, or NAN when either is not a positive rate. */
double bench_ratio(double a, double b);
/* The median of v[0..n), n > 0; sorts v. */
double bench_median(double *v, unsigned n);

#endif

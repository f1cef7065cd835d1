/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every part of routebench uses: fatal errors and progress messages,
 * allocation that cannot fail, the clock, and the statistics of runs.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <routed/clock.h>

#include "bench.h"
#include "routebench.h"

static void message(const char *fmt, va_list ap)
{
	fputs("routebench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(fmt, ap);
	va_end(ap);
	exit(1);
}

void bench_info(const char *fmt, ...)
{
	va_list ap;

	if (opt.quiet)
		return;
	va_start(ap, fmt);
	message(fmt, ap);
	va_end(ap);
}

void *bench_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		bench_die("out of memory (%zu bytes)", size);
	return p;
}

double bench_now(void)
{
	return (double)rt_clock_ns() * 1e-9;
}

double bench_ratio(double a, double b)
{
	return b > 0 && a > 0 ? a / b : NAN;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

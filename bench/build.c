/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Builds: rt_table_replace_all() of a family's routes into a fresh table,
 * and rt_table_add() of them one by one.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/prefix.h>
#include <routed/table.h>

#include "bench.h"
#include "build.h"
#include "routebench.h"

struct rt_table *build_table(const struct rt_route *routes, size_t n, double *secs)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	size_t failed = 0;
	double t0;
	int err;

	if (!t)
		bench_die("rt_table_create: %s", strerror(errno));
	t0 = bench_now();
	err = rt_table_replace_all(t, routes, n, &failed);
	*secs = bench_now() - t0;
	if (err) {
		char p[RT_PREFIX_STRLEN];

		bench_die("rt_table_replace_all: %s at route %zu (%s)", strerror(-err), failed,
			  failed < n ? rt_prefix_format(&routes[failed].prefix, p, sizeof(p))
				     : "?");
	}
	return t;
}

void build_family(struct fam *f)
{
	struct rt_table *t;
	struct rt_table_stats st;
	double t0;

	if (!f->n)
		return;
	bench_info("%s: rt_table_replace_all of %zu routes", f->label, f->n);
	t = build_table(f->routes, f->n, &f->build_s);
	rt_table_quiesce(t);
	rt_table_stats(t, &f->alone);
	rt_table_destroy(t);
	if (!opt.incremental)
		return;

	bench_info("%s: rt_table_add of %zu routes", f->label, f->n);
	t = rt_table_create(RT_TABLE_MAIN);
	if (!t)
		bench_die("rt_table_create: %s", strerror(errno));
	t0 = bench_now();
	for (size_t i = 0; i < f->n; i++)
		if (rt_table_add(t, &f->routes[i]))
			f->incr_errors++;
	f->incr_s = bench_now() - t0;
	f->incr_done = true;
	rt_table_quiesce(t);
	rt_table_stats(t, &st);
	f->incr = f->af == AF_INET ? st.v4 : st.v6;
	rt_table_destroy(t);
}

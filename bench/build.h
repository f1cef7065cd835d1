/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Building tables: the build rates and the memory of a table. */
#ifndef ROUTED_BENCH_BUILD_H
#define ROUTED_BENCH_BUILD_H

#include <stddef.h>

#include <routed/table.h>

struct fam;

/* A new table of routes[0..n) by rt_table_replace_all(), which took *secs; dies on errors. */
struct rt_table *build_table(const struct rt_route *routes, size_t n, double *secs);

/*
 * f's routes alone into a fresh table (f->build_s, f->alone), and unless
 * --no-incremental one by one with rt_table_add() (f->incr*).
 */
void build_family(struct fam *f);

#endif

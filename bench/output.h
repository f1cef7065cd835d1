/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The renderers of routebench's results: text (output.c) and JSON
 * (output_json.c, --json). Both print the same results; scripts read the
 * JSON (bench/sweep.sh, docs/performance.md).
 */
#ifndef ROUTED_BENCH_OUTPUT_H
#define ROUTED_BENCH_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <routed/table.h>

struct fam;

/* What a renderer prints. */
struct report {
	const struct fam *fams;			/* NFAM of them */
	size_t nall;				/* routes in the file */
	double all_s;				/* rt_table_replace_all() of all of them */
	const struct rt_table_stats *st;	/* ... and that table's */
};

struct output {
	/* Print r on stdout: 0 or -errno. */
	int (*print)(const struct report *r);
};

extern const struct output output_text;
extern const struct output output_json;

/* The XOR of every query kind's checksum, both families. */
uint32_t output_checksum(const struct fam *fams);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Timed lookups through struct bench_method (dpdk.h), ours and the DPDK
 * peers' alike, and the check of the peers' answers against ours.
 */
#ifndef ROUTED_BENCH_TIMING_H
#define ROUTED_BENCH_TIMING_H

#include <stddef.h>
#include <stdint.h>

#include <routed/table.h>

#include "dpdk.h"

/* The peers' answers are checked against ours on this many queries. */
#define CHECK_SAMPLE 65536
/* An untimed pass over this many queries comes before the timed ones. */
#define WARMUP_QUERIES (1u << 20)

struct fam;
struct method_result;

/* Our lookup (rt_table_lookup_ids4/6) on t for f's family. */
struct bench_method timing_ours(struct rt_table *t, const struct fam *f);

/* Make m's code path the current one; dies if it cannot be. */
void timing_select(const struct bench_method *m);

/* Look up addrs[0..n) in batches of BENCH_BATCH: the XOR of the answers. */
uint32_t timing_slice(const struct bench_method *m, const uint8_t *addrs, size_t stride,
		      size_t n);

/*
 * Measure every method on addrs[0..n) of one query kind, opt.runs times,
 * and check the peers' answers on a sample: the results go to a new entry
 * of f->kinds. The calling thread is a registered reader.
 */
void timing_kind(struct rt_table *t, struct fam *f, const char *kind, const void *addrs,
		 size_t n);

/* Our answers for addrs[0..n): the matched prefix (len 255: none). The caller frees them. */
struct rt_prefix *timing_answers(struct rt_table *t, const struct fam *f, const void *addrs,
				 size_t n);

/* Compare peer p's answers (method m) with ours on addrs[0..n): mr->checked, mismatches. */
void timing_cross_check(const struct fam *f, const struct dpdk_peer *p,
			const struct bench_method *m, const void *addrs, size_t n,
			const struct rt_prefix *ours, struct method_result *mr);

#endif

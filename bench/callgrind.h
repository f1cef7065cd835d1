/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Instructions per lookup and per update, counted by callgrind (--callgrind, bench/callgrind.sh). */
#ifndef ROUTED_BENCH_CALLGRIND_H
#define ROUTED_BENCH_CALLGRIND_H

#include <stddef.h>

#include <routed/table.h>

struct fam;

/* NULL if --callgrind can count here, else why not. */
const char *callgrind_unavailable(void);

/*
 * Every method (the measuring loop alone, ours, the peers') once over
 * addrs[0..n), callgrind's counts dumped after each, and a line per method
 * on stdout: "FAMILY KIND STRUCTURE METHOD N CHECKSUM".
 */
void callgrind_kind(struct rt_table *t, const struct fam *f, const char *kind, const void *addrs,
		    size_t n);

/*
 * Instructions of ours per update: pairs random routes of f deleted and
 * added again (after a quarter as many uncounted), the count dumped, and
 * a line "FAMILY updates ours delete+add PAIRS FAILED" on stdout.
 */
#define CALLGRIND_UPDATE_PAIRS 20000
void callgrind_updates(struct rt_table *t, const struct fam *f, size_t pairs);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The query arrays every lookup method is measured on: uint32_t addresses
 * (IPv4, host byte order) or uint8_t[16] (IPv6), one after the other.
 */
#ifndef ROUTED_BENCH_QUERY_H
#define ROUTED_BENCH_QUERY_H

#include <stddef.h>
#include <stdint.h>

struct fam;

/* Bytes per address of family af. */
size_t query_stride(int af);

/*
 * n addresses of kind "matched" (inside a random prefix of f's routes) or
 * "uniform" (uniform random; IPv6 inside 2000::/3), the same for the same
 * --seed and purpose. The caller frees the array.
 */
void *query_generate(const struct fam *f, const char *kind, size_t n, uint64_t purpose);

/*
 * Append the addresses in the file at path (one per line, either family)
 * to fams[0].file_addrs and fams[1].file_addrs; dies on errors.
 */
void query_load(const char *path, struct fam *fams);

#endif

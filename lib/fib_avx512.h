/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FIB's batch walk in AVX-512 (see fib_avx512.c): the same answers as
 * fib_lookup4_batch_scalar() / fib_lookup6_batch_scalar() in fib.h, eight
 * lookups per vector. Callers are inside a read-side section, like those
 * of the scalar walk, and call only when fib_avx512_usable().
 */
#ifndef ROUTED_FIB_AVX512_H
#define ROUTED_FIB_AVX512_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fib_trie;

/* This build has the walk and this CPU (and its OS) runs it. */
bool fib_avx512_usable(void);

void fib_avx512_lookup4_batch(const struct fib_trie *t, const uint32_t *addrs, size_t n,
			      uint32_t *out);
void fib_avx512_lookup6_batch(const struct fib_trie *t, const uint8_t (*addrs)[16], size_t n,
			      uint32_t *out);

#endif

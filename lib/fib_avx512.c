/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FIB's batch walk, eight lookups per AVX-512 vector (64-bit lanes:
 * node addresses, key halves, bit vectors), four vectors walked together.
 * It is the scalar level-by-level walk of fib.h done in vector registers:
 * one pass per trie level gathers the level's node words of every
 * unfinished lane (VPGATHERQQ), tests the chunk's bit and counts the rank
 * with VPOPCNTQ, so a level of eight lookups costs about fifty
 * instructions instead of eight scalar node steps. The leaves pointer is
 * never read: the leaves follow the children in the block, or are in the
 * node (fib.h). IPv4 lanes whose slot holds a leaf table (fib.h) take
 * their leaf's address from it and walk no node. The idea of walking
 * many lookups in SIMD lanes is the one of DPDK's rte_fib AVX-512 lookup
 * (a flat DIR-24-8 table there, a Poptrie here); no code is shared.
 *
 * Memory ordering: as in fib_lookup4(). The first gather reads the direct
 * slots, the loads fib.h does with rcu_dereference(); every later gather
 * takes its addresses from values an earlier gather returned (an address
 * dependency: no load of a node or of a leaf table's line can be issued
 * before the load that found it), and x86-TSO keeps loads in order besides. A slot's subtree is
 * complete before rcu_assign_pointer() in fib.c publishes it and is never
 * modified afterwards, so a lane sees the slot's old subtree or its new
 * one. The caller holds the read-side section, as for the scalar walk.
 */
#include "config.h"

#include "fib_avx512.h"

#ifdef HAVE_FIB_AVX512

#include <immintrin.h>
#include <stdbool.h>
#include <stddef.h>

#include "fib.h"

#define AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512vpopcntdq")))
#define WALK AVX512 static inline __attribute__((always_inline))
#define LANES 8
#define GROUP_VECS 4	/* vectors walked together: 32 lookups */

/* The gathers read node words by these offsets from the node's address. */
_Static_assert(offsetof(struct fib_node, vector) == 0, "node layout");
_Static_assert(offsetof(struct fib_node, leafvec) == 8, "node layout");
_Static_assert(offsetof(struct fib_node, children) == 16, "node layout");
_Static_assert(sizeof(struct fib_node) == 32, "node size: the rank is scaled by 32");
_Static_assert(sizeof(uintptr_t) == 8, "64-bit slots and pointers");
_Static_assert(FIB_SLOT_NODE == 1, "a node slot is its address plus one");

#define NODE_WORD(field) ((const void *)(uintptr_t)offsetof(struct fib_node, field))

bool fib_avx512_usable(void)
{
	/* May run from a constructor, before libgcc's own initialisation. */
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
	       __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vpopcntdq");
}

/* Eight lookups' keys: the address as two host-order halves (IPv4: << 32, lo 0). */
struct lanes {
	__m512i hi, lo;
	__mmask8 valid;
};

WALK __mmask8 first_lanes(size_t m)
{
	return m >= LANES ? 0xff : (__mmask8)((1u << m) - 1);
}

WALK void keys4(const uint32_t *a, size_t m, struct lanes *l)
{
	__m256i v;

	l->valid = first_lanes(m);
	v = _mm256_maskz_loadu_epi32(l->valid, a);
	l->hi = _mm512_slli_epi64(_mm512_cvtepu32_epi64(v), 32);
	l->lo = _mm512_setzero_si512();
}

WALK void keys6(const uint8_t (*a)[16], size_t m, struct lanes *l)
{
	const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
	const __m512i odd = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
	const __m512i bswap64 = _mm512_broadcast_i32x4(
		_mm_setr_epi8(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8));
	/* Two loads of four addresses; masked-off quadwords are not read at all. */
	__mmask8 first = (__mmask8)(m >= 4 ? 0xff : (1u << (2 * m)) - 1);
	__mmask8 second = (__mmask8)(m >= 8 ? 0xff : m <= 4 ? 0 : (1u << (2 * (m - 4))) - 1);
	__m512i x = _mm512_maskz_loadu_epi64(first, a);
	__m512i y = _mm512_maskz_loadu_epi64(second, a + 4);

	l->valid = first_lanes(m);
	l->hi = _mm512_shuffle_epi8(_mm512_permutex2var_epi64(x, even, y), bswap64);
	l->lo = _mm512_shuffle_epi8(_mm512_permutex2var_epi64(x, odd, y), bswap64);
}

/*
 * The lanes of k whose slot s holds an IPv4 leaf table (fib.h): their
 * leaf's address goes to *leaf. A flat table is indexed by the chunk; a
 * line's leafvec is gathered from the line the leaf is in, so the leaf's
 * own gather, after the walk, hits the line this one brought in.
 */
WALK __mmask8 leaf_table(__m512i hi, __m512i s, __mmask8 k, __m512i *leaf)
{
	const __m512i one = _mm512_set1_epi64(1), zero = _mm512_setzero_si512();
	const __m512i table_bit = _mm512_set1_epi64(FIB_SLOT_TABLE);
	const __m512i flat_bit = _mm512_set1_epi64(FIB_SLOT_FLAT);
	__mmask8 table = _mm512_mask_test_epi64_mask(k, s, table_bit);
	__mmask8 flat = _mm512_mask_test_epi64_mask(table, s, flat_bit);
	__mmask8 line = table & (__mmask8)~flat;
	__m512i base = _mm512_andnot_si512(_mm512_set1_epi64(FIB_SLOT_TAGS), s);
	__m512i c = _mm512_srli_epi64(_mm512_slli_epi64(hi, FIB4_DIR_BITS), 64 - FIB_STRIDE);

	if (!table)
		return 0;
	*leaf = _mm512_mask_add_epi64(*leaf, flat, base, _mm512_slli_epi64(c, 2));
	if (line) {
		__m512i bit = _mm512_sllv_epi64(one, c);
		__m512i upto = _mm512_or_si512(bit, _mm512_sub_epi64(bit, one));
		__m512i leafvec = _mm512_mask_i64gather_epi64(zero, line, base, NULL, 1);
		__m512i rank = _mm512_sub_epi64(_mm512_popcnt_epi64(_mm512_and_si512(leafvec, upto)), one);

		*leaf = _mm512_mask_add_epi64(*leaf, line, base,
					      _mm512_add_epi64(_mm512_set1_epi64(offsetof(struct fib_line, leaves)),
							       _mm512_slli_epi64(rank, 2)));
	}
	return table;
}

/*
 * Walk nv vectors of lanes to their ids, level by level, and store them in
 * out (only the valid lanes). A lane ends at a leaf slot of the direct
 * table or at a chunk of a node whose vector bit is clear; its id is then
 * read from the node's leaves by rank, after the last level.
 */
WALK void walk(const struct fib_trie *t, const struct lanes *in, unsigned nv, bool v4,
	       uint32_t *out)
{
	const __m512i one = _mm512_set1_epi64(1), zero = _mm512_setzero_si512();
	const __m512i max_inline = _mm512_set1_epi64(FIB_INLINE_LEAVES);
	const __m512i inline_at = _mm512_set1_epi64(offsetof(struct fib_node, inline_leaves));
	const __m128i slot_shift = _mm_cvtsi32_si128(64 - (int)t->dir_bits);
	__m512i node[GROUP_VECS], leaf[GROUP_VECS], id[GROUP_VECS];
	__mmask8 walking[GROUP_VECS], in_trie[GROUP_VECS], any = 0;
	unsigned depth = t->dir_bits;

	for (unsigned v = 0; v < nv; v++) {
		__m512i slot = _mm512_srl_epi64(in[v].hi, slot_shift);
		/* The direct slots: the loads fib_lookup4/6() make with rcu_dereference(). */
		__m512i s = _mm512_mask_i64gather_epi64(zero, in[v].valid, slot, t->dir, 8);
		/* A leaf slot is id << 1; a node's is its address | FIB_SLOT_NODE. */
		__mmask8 direct = _mm512_testn_epi64_mask(s, one);

		id[v] = _mm512_srli_epi64(s, 1);
		node[v] = _mm512_sub_epi64(s, one);
		leaf[v] = zero;
		walking[v] = in[v].valid & (__mmask8)~direct;
		if (v4)
			walking[v] &= (__mmask8)~leaf_table(in[v].hi, s, walking[v], &leaf[v]);
		in_trie[v] = in[v].valid & (__mmask8)~direct & (__mmask8)~walking[v];
		any |= walking[v];
	}
	for (; any; depth += FIB_STRIDE) {
		/* Strides start at dir_bits + 6k: a chunk never straddles the halves. */
		const __m128i shift = _mm_cvtsi32_si128((int)(depth & 63));

		any = 0;
		for (unsigned v = 0; v < nv; v++) {
			__mmask8 k = walking[v], down, stop, inl;
			__m512i half = depth < 64 ? in[v].hi : in[v].lo;
			__m512i c, bit, upto, vec, kids, leafvec, leaves, rank;

			if (!k)
				continue;
			c = _mm512_srli_epi64(_mm512_sll_epi64(half, shift), 64 - FIB_STRIDE);
			bit = _mm512_sllv_epi64(one, c);
			upto = _mm512_or_si512(bit, _mm512_sub_epi64(bit, one));
			/* Both words at once; the children pointer is needed either way. */
			vec = _mm512_mask_i64gather_epi64(zero, k, node[v], NODE_WORD(vector), 1);
			kids = _mm512_mask_i64gather_epi64(zero, k, node[v], NODE_WORD(children), 1);
			down = _mm512_mask_test_epi64_mask(k, vec, bit);
			stop = k & (__mmask8)~down;

			/* Ending lanes: leaves follow the children in the block (fib.h). */
			if (stop) {
				leafvec = _mm512_mask_i64gather_epi64(zero, stop, node[v], NODE_WORD(leafvec), 1);
				leaves = _mm512_add_epi64(kids, _mm512_slli_epi64(_mm512_popcnt_epi64(vec), 5));
				/* Or in the node itself: no children, few runs (fib.h). */
				inl = _mm512_mask_cmple_epu64_mask(_mm512_testn_epi64_mask(vec, vec),
								   _mm512_popcnt_epi64(leafvec), max_inline);
				leaves = _mm512_mask_add_epi64(leaves, inl, node[v], inline_at);
				rank = _mm512_sub_epi64(_mm512_popcnt_epi64(_mm512_and_si512(leafvec, upto)), one);
				leaf[v] = _mm512_mask_add_epi64(leaf[v], stop, leaves, _mm512_slli_epi64(rank, 2));
				in_trie[v] |= stop;
			}
			/* Continuing lanes: child = children + rank (32-byte nodes). */
			rank = _mm512_sub_epi64(_mm512_popcnt_epi64(_mm512_and_si512(vec, upto)), one);
			node[v] = _mm512_mask_add_epi64(node[v], down, kids, _mm512_slli_epi64(rank, 5));
			walking[v] = down;
			any |= down;
		}
	}
	for (unsigned v = 0; v < nv; v++) {
		__m256i ids = _mm512_cvtepi64_epi32(id[v]);

		ids = _mm512_mask_i64gather_epi32(ids, in_trie[v], leaf[v], NULL, 1);
		_mm256_mask_storeu_epi32(out + v * LANES, in[v].valid, ids);
	}
}

AVX512 void fib_avx512_lookup4_batch(const struct fib_trie *t, const uint32_t *addrs, size_t n,
				     uint32_t *out)
{
	for (size_t base = 0; base < n; base += GROUP_VECS * LANES) {
		struct lanes l[GROUP_VECS];
		unsigned nv = 0;

		for (size_t i = base; i < n && nv < GROUP_VECS; i += LANES)
			keys4(addrs + i, n - i, &l[nv++]);
		walk(t, l, nv, true, out + base);
	}
}

AVX512 void fib_avx512_lookup6_batch(const struct fib_trie *t, const uint8_t (*addrs)[16],
				     size_t n, uint32_t *out)
{
	for (size_t base = 0; base < n; base += GROUP_VECS * LANES) {
		struct lanes l[GROUP_VECS];
		unsigned nv = 0;

		for (size_t i = base; i < n && nv < GROUP_VECS; i += LANES)
			keys6(addrs + i, n - i, &l[nv++]);
		walk(t, l, nv, false, out + base);
	}
}

#else

bool fib_avx512_usable(void)
{
	return false;
}

#endif

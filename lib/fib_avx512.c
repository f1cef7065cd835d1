/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FIB's batch walks in AVX-512, eight lookups per vector (64-bit
 * lanes: slots, node addresses, key halves, bit vectors), four vectors a
 * group for IPv6, eight for IPv4 (whose lanes wait for no other lane
 * after their slot, so more slots in flight pay: docs/performance.md).
 * The idea of walking many lookups in SIMD lanes is the one of DPDK's
 * rte_fib AVX-512 lookup (a flat DIR-24-8 table there, a Poptrie here);
 * no code is shared.
 *
 * IPv6 walks the scalar level-by-level walk of fib.h in vector registers:
 * one pass per trie level gathers the level's node words of every
 * unfinished lane (VPGATHERQQ), tests the chunk's bit and counts the rank
 * with VPOPCNTQ, and the leaves are gathered after the last level. The
 * leaves pointer is never read: the leaves follow the children in the
 * block, or are in the node (fib.h).
 *
 * IPv4 is walked in at most three dependent reads per lane, whatever the
 * others do: the slot; then the line it names (a leaf table's line, or the
 * slot's root node); then the leaf, gathered and stored at once. A lane
 * whose chunk goes on below the root node (1-4 % of the matched lookups on
 * real tables) would make its whole group wait for two or three more
 * misses if the group went on in step; instead its child's address is
 * compressed into a list of stragglers and prefetched, and the list is
 * walked once the group's other lanes are done (walk_stragglers()), the
 * stragglers' misses overlapping each other's.
 *
 * Memory ordering: as in fib_lookup4/6(). The first gather reads the
 * direct slots, the loads fib.h does with rcu_dereference(); every later
 * load, gathered or scalar (a straggler's nodes and leaf), takes its
 * address from a value an earlier load returned (an address dependency:
 * no load of a node or of a leaf table's line can be issued before the
 * load that found it), and x86-TSO keeps loads in order besides. A
 * straggler's prefetch is a hint that reads through the same dependency.
 * A slot's subtree is complete before rcu_assign_pointer() in fib.c
 * publishes it and is never modified afterwards but for whole leaf words
 * (fib.h), so a lane sees the slot's old subtree or its new one, and a
 * leaf's old id or its new one. A straggler is walked later in the same
 * call, inside the caller's read-side section (as for the scalar walk):
 * what it found cannot be freed before it is done.
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
#define GROUP_VECS 4	/* IPv6 vectors walked together: 32 lookups */
#define GROUP4_VECS 8	/* IPv4 vectors whose slots are gathered together: 64 lookups */

/* The gathers read node words by these offsets from the node's address. */
_Static_assert(offsetof(struct fib_node, vector) == 0, "node layout");
_Static_assert(offsetof(struct fib_node, leafvec) == 8, "node layout");
_Static_assert(offsetof(struct fib_node, children) == 16, "node layout");
_Static_assert(sizeof(struct fib_node) == 32, "node size: the rank is scaled by 32");
_Static_assert(sizeof(uintptr_t) == 8, "64-bit slots and pointers");
_Static_assert(FIB_SLOT_NODE == 1, "a node slot is its address plus one");

#define NODE_WORD(field) ((const void *)(uintptr_t)offsetof(struct fib_node, field))
#define LINE_LEAFVEC ((const void *)(uintptr_t)offsetof(struct fib_line, leafvec))

bool fib_avx512_usable(void)
{
	/* May run from a constructor, before libgcc's own initialisation. */
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
	       __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vpopcntdq");
}

/* Eight IPv6 lookups' keys: the address as two host-order halves. */
struct lanes {
	__m512i hi, lo;
	__mmask8 valid;
};

WALK __mmask8 first_lanes(size_t m)
{
	return m >= LANES ? 0xff : (__mmask8)((1u << m) - 1);
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
 * Walk nv vectors of lanes to their ids, level by level, and store them in
 * out (only the valid lanes). A lane ends at a leaf slot of the direct
 * table or at a chunk of a node whose vector bit is clear; its id is then
 * read from the node's leaves by rank, after the last level.
 */
WALK void walk6(const struct fib_trie *t, const struct lanes *in, unsigned nv, uint32_t *out)
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
		/* The direct slots: the loads fib_lookup6() makes with rcu_dereference(). */
		__m512i s = _mm512_mask_i64gather_epi64(zero, in[v].valid, slot, t->dir, 8);
		/* A leaf slot is id << 1; a node's is its address | FIB_SLOT_NODE. */
		__mmask8 direct = _mm512_testn_epi64_mask(s, one);

		id[v] = _mm512_srli_epi64(s, 1);
		node[v] = _mm512_sub_epi64(s, one);
		leaf[v] = zero;
		walking[v] = in[v].valid & (__mmask8)~direct;
		in_trie[v] = 0;
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

/*
 * IPv4 (see the top). Stragglers are walked once per span: often enough
 * that their list stays on the stack, seldom enough that the misses of
 * several overlap.
 */
#define SPAN 64	/* lookups whose stragglers are walked together: one group */
_Static_assert(GROUP4_VECS * LANES <= SPAN, "a group's stragglers fit in a span");

struct stragglers {
	uint64_t node[SPAN];	/* the child node a straggler continues in */
	uint32_t addr[SPAN];
	uint64_t at[SPAN];	/* its index in out */
	unsigned n;
};

/* One vector of IPv4 lanes from the slot to its first line. */
struct lanes4 {
	__m512i addr, slot;
	__mmask8 valid;
};

/*
 * Ranks and leaves as fib.h reads them, written out here: fib.h calls this
 * module, so this module calls nothing of fib.h (no dependency cycle).
 */
AVX512 static inline unsigned rank_upto(uint64_t vec, unsigned c)
{
	return (unsigned)__builtin_popcountll(vec & ((2ULL << c) - 1)) - 1;
}

AVX512 static inline uint32_t leaf_of(const struct fib_node *nd, unsigned c)
{
	/* In the node (fib_node_is_inline()), or after the children in the block. */
	const uint32_t *leaves = !nd->vector && __builtin_popcountll(nd->leafvec) <= FIB_INLINE_LEAVES ?
					 nd->inline_leaves :
					 (const uint32_t *)(nd->children + __builtin_popcountll(nd->vector));

	return leaves[rank_upto(nd->leafvec, c)];
}

/*
 * The stragglers walk level by level from the node below the root, as
 * fib_lookup4_batch_scalar() does; the child of every one was prefetched
 * when it was deferred.
 */
AVX512 static void walk_stragglers(struct stragglers *st, uint32_t *out)
{
	const struct fib_node *node[SPAN];
	uint8_t walking[SPAN];
	unsigned active = st->n, shift = FIB4_DIR_BITS + FIB_STRIDE;

	for (unsigned k = 0; k < active; k++) {
		node[k] = (const struct fib_node *)(uintptr_t)st->node[k];
		walking[k] = (uint8_t)k;
	}
	for (; active; shift += FIB_STRIDE) {
		unsigned still = 0;

		for (unsigned j = 0; j < active; j++) {
			unsigned k = walking[j];
			const struct fib_node *nd = node[k];
			unsigned c = (uint32_t)(st->addr[k] << shift) >> 26;

			if (nd->vector & (1ULL << c)) {
				node[k] = &nd->children[rank_upto(nd->vector, c)];
				__builtin_prefetch(node[k]);
				walking[still++] = (uint8_t)k;
			} else {
				out[st->at[k]] = leaf_of(nd, c);
			}
		}
		active = still;
	}
	st->n = 0;
}

/*
 * The second and third reads of one vector: a leaf table's line (its
 * leafvec, then the leaf in the same line), a flat table's leaf, or the
 * root node's words and then its leaf. Lanes that go on below the root
 * join the stragglers, whose ids walk_stragglers() stores later.
 */
WALK void finish4(const struct lanes4 *l, size_t at, uint32_t *out, struct stragglers *st)
{
	const __m512i one = _mm512_set1_epi64(1), zero = _mm512_setzero_si512();
	const __m512i max_inline = _mm512_set1_epi64(FIB_INLINE_LEAVES);
	__m512i s = l->slot;
	__mmask8 tagged = _mm512_mask_test_epi64_mask(l->valid, s, one);
	__mmask8 table = _mm512_mask_test_epi64_mask(tagged, s, _mm512_set1_epi64(FIB_SLOT_TABLE));
	__mmask8 flat = _mm512_mask_test_epi64_mask(table, s, _mm512_set1_epi64(FIB_SLOT_FLAT));
	__mmask8 line = table & (__mmask8)~flat, node = tagged & (__mmask8)~table;
	__mmask8 found = flat;
	__m512i base = _mm512_andnot_si512(_mm512_set1_epi64(FIB_SLOT_TAGS), s);
	__m512i c = _mm512_and_si512(_mm512_srli_epi64(l->addr, 32 - FIB4_DIR_BITS - FIB_STRIDE),
				     _mm512_set1_epi64(63));
	__m512i bit = _mm512_sllv_epi64(one, c);
	__m512i upto = _mm512_or_si512(bit, _mm512_sub_epi64(bit, one));
	/* A leaf slot is id << 1: its lanes keep it unless a leaf is gathered. */
	__m256i ids = _mm512_cvtepi64_epi32(_mm512_srli_epi64(s, 1));
	__m512i leaf = _mm512_add_epi64(base, _mm512_slli_epi64(c, 2));	/* flat: by chunk */

	if (line) {
		__m512i leafvec = _mm512_mask_i64gather_epi64(zero, line, base, LINE_LEAFVEC, 1);
		__m512i rank = _mm512_sub_epi64(_mm512_popcnt_epi64(_mm512_and_si512(leafvec, upto)), one);

		leaf = _mm512_mask_add_epi64(leaf, line, base,
					     _mm512_add_epi64(_mm512_set1_epi64(offsetof(struct fib_line, leaves)),
							      _mm512_slli_epi64(rank, 2)));
		found |= line;
	}
	if (node) {
		/* The root's three words at once: one line, one miss. */
		__m512i vec = _mm512_mask_i64gather_epi64(zero, node, base, NODE_WORD(vector), 1);
		__m512i leafvec = _mm512_mask_i64gather_epi64(zero, node, base, NODE_WORD(leafvec), 1);
		__m512i kids = _mm512_mask_i64gather_epi64(zero, node, base, NODE_WORD(children), 1);
		__mmask8 down = _mm512_mask_test_epi64_mask(node, vec, bit);
		__mmask8 stop = node & (__mmask8)~down;
		/* Leaves follow the children in the block, or are in the node (fib.h). */
		__m512i leaves = _mm512_add_epi64(kids, _mm512_slli_epi64(_mm512_popcnt_epi64(vec), 5));
		__mmask8 inl = _mm512_mask_cmple_epu64_mask(_mm512_testn_epi64_mask(vec, vec),
							    _mm512_popcnt_epi64(leafvec), max_inline);
		__m512i rank = _mm512_sub_epi64(_mm512_popcnt_epi64(_mm512_and_si512(leafvec, upto)), one);

		leaves = _mm512_mask_add_epi64(leaves, inl, base,
					       _mm512_set1_epi64(offsetof(struct fib_node, inline_leaves)));
		leaf = _mm512_mask_add_epi64(leaf, stop, leaves, _mm512_slli_epi64(rank, 2));
		found |= stop;
		if (down) {
			__m512i vrank = _mm512_sub_epi64(_mm512_popcnt_epi64(_mm512_and_si512(vec, upto)), one);
			__m512i child = _mm512_add_epi64(kids, _mm512_slli_epi64(vrank, 5));
			__m512i idx = _mm512_add_epi64(_mm512_set1_epi64((long long)at),
						       _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
			unsigned first = st->n;

			_mm512_mask_compressstoreu_epi64(st->node + first, down, child);
			_mm256_mask_compressstoreu_epi32(st->addr + first, down,
							 _mm512_cvtepi64_epi32(l->addr));
			_mm512_mask_compressstoreu_epi64(st->at + first, down, idx);
			st->n += (unsigned)__builtin_popcount(down);
			for (unsigned k = first; k < st->n; k++)
				__builtin_prefetch((const void *)(uintptr_t)st->node[k]);
		}
	}
	ids = _mm512_mask_i64gather_epi32(ids, found, leaf, NULL, 1);
	_mm256_mask_storeu_epi32(out + at, l->valid, ids);
}

AVX512 void fib_avx512_lookup4_batch(const struct fib_trie *t, const uint32_t *addrs, size_t n,
				     uint32_t *out)
{
	struct stragglers st;

	st.n = 0;
	for (size_t base = 0; base < n; base += GROUP4_VECS * LANES) {
		struct lanes4 l[GROUP4_VECS];
		unsigned nv = 0;

		/* The direct slots: the loads fib_lookup4() makes with rcu_dereference(). */
		for (size_t i = base; i < n && nv < GROUP4_VECS; i += LANES, nv++) {
			l[nv].valid = first_lanes(n - i);
			l[nv].addr = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(l[nv].valid, addrs + i));
			l[nv].slot = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), l[nv].valid,
								 _mm512_srli_epi64(l[nv].addr, 32 - FIB4_DIR_BITS),
								 t->dir, 8);
		}
		for (unsigned v = 0; v < nv; v++)
			finish4(&l[v], base + v * LANES, out, &st);
		/* A span's worth of groups, or the batch's end: walk the stragglers. */
		if (st.n > SPAN - GROUP4_VECS * LANES || base + GROUP4_VECS * LANES >= n)
			if (st.n)
				walk_stragglers(&st, out);
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
		walk6(t, l, nv, out + base);
	}
}

#else

bool fib_avx512_usable(void)
{
	return false;
}

#endif

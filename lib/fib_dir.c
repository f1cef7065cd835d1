/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The direct table's mapping, page counts and run repaints (fib_dir.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <urcu/urcu-memb.h>

#include "arena.h"
#include "fib.h"
#include "fib_dir.h"
#include "key.h"
#include "rib.h"

/* gcc says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define FIB_DIR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIB_DIR_ASAN 1
#endif
#endif

#ifdef FIB_DIR_ASAN
#include <sanitizer/lsan_interface.h>
/* LeakSanitizer scans no mapping: the header's pointers (arenas, counts) would look leaked. */
#define DIR_LSAN_ROOT(p, n) __lsan_register_root_region((p), (n))
#define DIR_LSAN_UNROOT(p, n) __lsan_unregister_root_region((p), (n))
#else
#define DIR_LSAN_ROOT(p, n) ((void)(p), (void)(n))
#define DIR_LSAN_UNROOT(p, n) ((void)(p), (void)(n))
#endif

#define PAGE_BYTES ((size_t)4096)
#define PAGE_SLOTS ((unsigned)(PAGE_BYTES / sizeof(uintptr_t)))

struct page_count {
	uint16_t used;			/* slots that are not 0 */
	uint16_t nodes;			/* slots that hold an address (FIB_SLOT_NODE) */
};

struct fib_dir_pages {
	size_t npages;
	size_t used_pages;		/* pages with a slot that is not 0 */
	size_t node_slots;		/* slots that hold an address */
	struct page_count count[];
};

_Static_assert(offsetof(struct fib_trie, dir) <= PAGE_BYTES, "the header fits its page");

static size_t slot_bytes(unsigned dir_bits)
{
	return ((size_t)1 << dir_bits) * sizeof(uintptr_t);
}

/* Slots start on a 2 MiB boundary when they span one (huge pages), else on a page. */
static size_t slot_align(unsigned dir_bits)
{
	return slot_bytes(dir_bits) >= ARENA_REGION ? ARENA_REGION : PAGE_BYTES;
}

static size_t pages_bytes(const struct fib_dir_pages *pg)
{
	return sizeof(*pg) + pg->npages * sizeof(pg->count[0]);
}

uint64_t fib_dir_bytes(const struct fib_trie *t)
{
	return PAGE_BYTES + pages_bytes(t->pages) + t->pages->used_pages * PAGE_BYTES;
}

struct fib_trie *fib_dir_map(unsigned dir_bits)
{
	size_t len = slot_bytes(dir_bits), align = slot_align(dir_bits);
	size_t npages = len / PAGE_BYTES, span = PAGE_BYTES + len + align;
	struct fib_dir_pages *pg = calloc(1, sizeof(*pg) + npages * sizeof(pg->count[0]));
	char *raw, *slots, *head;
	struct fib_trie *t;

	if (!pg)
		return NULL;
	raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		free(pg);
		return NULL;
	}
	slots = (char *)(((uintptr_t)raw + PAGE_BYTES + align - 1) & ~(uintptr_t)(align - 1));
	head = slots - PAGE_BYTES;
	if (head > raw)
		munmap(raw, (size_t)(head - raw));
	if (slots + len < raw + span)
		munmap(slots + len, (size_t)(raw + span - slots - len));
	if (align == ARENA_REGION)
		madvise(slots, len, MADV_HUGEPAGE);	/* advice only */
	DIR_LSAN_ROOT(head, PAGE_BYTES);
	pg->npages = npages;
	t = (struct fib_trie *)(slots - offsetof(struct fib_trie, dir));
	t->pages = pg;
	t->dir_bits = dir_bits;
	t->bytes = fib_dir_bytes(t);
	return t;
}

void fib_dir_unmap(struct fib_trie *t)
{
	char *head;

	if (!t)
		return;
	head = (char *)t->dir - PAGE_BYTES;
	free(t->pages);
	DIR_LSAN_UNROOT(head, PAGE_BYTES);
	munmap(head, PAGE_BYTES + slot_bytes(t->dir_bits));
}

/*
 * Pages whose last slot went back to 0, given back to the kernel together
 * when contiguous: [first, end). Their slots read 0 from the zero page as
 * they did from the page, so readers see no change.
 */
struct release {
	size_t first, end;
};

static void release_flush(struct fib_trie *t, struct release *rel)
{
	if (rel->first == rel->end)
		return;
	madvise(&t->dir[rel->first * PAGE_SLOTS], (rel->end - rel->first) * PAGE_BYTES,
		MADV_DONTNEED);		/* advice only: the slots are 0 either way */
	rel->first = rel->end = 0;
}

static void page_release(struct fib_trie *t, size_t page, struct release *rel)
{
	t->pages->used_pages--;
	t->bytes -= PAGE_BYTES;
	if (rel->first == rel->end) {
		rel->first = page;
		rel->end = page + 1;
		return;
	}
	if (rel->end != page) {
		release_flush(t, rel);
		rel->first = page;
	}
	rel->end = page + 1;
}

/* A page's used count becomes used: count it when it turns used, release it when it empties. */
static void page_set_used(struct fib_trie *t, size_t page, unsigned used, struct release *rel)
{
	struct page_count *c = &t->pages->count[page];

	if (!c->used && used) {
		t->pages->used_pages++;
		t->bytes += PAGE_BYTES;
	} else if (c->used && !used) {
		page_release(t, page, rel);
	}
	c->used = (uint16_t)used;
}

static void store_one(struct fib_trie *t, unsigned s, uintptr_t v, struct release *rel)
{
	struct page_count *c = &t->pages->count[s / PAGE_SLOTS];
	uintptr_t old = t->dir[s];

	/*
	 * Pairs with the readers' rcu_dereference() of the slot: what v
	 * points to (a subtree, a leaf table) or names (a route id and its
	 * answer word) is written before it is reachable. Only the writer,
	 * under its lock, reads the counts.
	 */
	rcu_assign_pointer(t->dir[s], v);
	c->nodes += (uint16_t)((v & FIB_SLOT_NODE) - (old & FIB_SLOT_NODE));
	t->pages->node_slots += (v & FIB_SLOT_NODE) - (old & FIB_SLOT_NODE);
	page_set_used(t, s / PAGE_SLOTS, c->used + (v != 0) - (old != 0), rel);
}

void fib_dir_store(struct fib_trie *t, unsigned s, uintptr_t v)
{
	struct release rel = { 0 };

	store_one(t, s, v, &rel);
	release_flush(t, &rel);
}

/*
 * Slots [from, to] of one page, a page without nodes, all set to the leaf
 * v: nothing to retire, so no per-slot call, and a whole page's count is
 * known without reading it.
 */
static void store_leaves(struct fib_trie *t, unsigned from, unsigned to, uintptr_t v,
			 struct release *rel)
{
	size_t page = from / PAGE_SLOTS;
	unsigned used = t->pages->count[page].used;

	if (to - from + 1 == PAGE_SLOTS)
		used = v ? PAGE_SLOTS : 0;
	else
		for (unsigned s = from; s <= to; s++)
			used += (v != 0) - (t->dir[s] != 0);
	/*
	 * Pairs with the readers' rcu_dereference() of a slot, as in
	 * store_one(): the route id v names is complete before any slot
	 * holds it. A slot is one aligned word, so a reader loads the old
	 * leaf or the new one.
	 */
	cmm_smp_wmb();
	for (unsigned s = from; s <= to; s++)
		CMM_STORE_SHARED(t->dir[s], v);
	page_set_used(t, page, used, rel);
}

void fib_dir_each_node(struct fib_trie *t, void (*fn)(struct fib_trie *t, uintptr_t slot))
{
	for (size_t p = 0; t->pages->node_slots && p < t->pages->npages; p++) {
		if (!t->pages->count[p].nodes)
			continue;
		for (size_t s = p * PAGE_SLOTS; s < (p + 1) * PAGE_SLOTS; s++)
			if (t->dir[s] & FIB_SLOT_NODE)
				fn(t, t->dir[s]);
	}
}

void fib_dir_clear(struct fib_trie *t, void (*fn)(struct fib_trie *t, uintptr_t slot))
{
	struct release rel = { 0 };

	for (size_t p = 0; t->pages->used_pages && p < t->pages->npages; p++) {
		if (!t->pages->count[p].used)
			continue;
		for (size_t s = p * PAGE_SLOTS; s < (p + 1) * PAGE_SLOTS; s++) {
			if (!t->dir[s])
				continue;
			if (t->dir[s] & FIB_SLOT_NODE)
				fn(t, t->dir[s]);
			store_one(t, (unsigned)s, 0, &rel);
		}
	}
	release_flush(t, &rel);
}

void fib_dir_fill(struct fib_trie *t, unsigned first, unsigned last, uintptr_t leaf)
{
	struct release rel = { 0 };

	for (unsigned s = first; s <= last;) {
		unsigned page_last = s | (PAGE_SLOTS - 1), end = page_last < last ? page_last : last;

		store_leaves(t, s, end, leaf, &rel);
		s = end + 1;
	}
	release_flush(t, &rel);
}

void fib_dir_runs_free(struct fib_dir_runs *runs)
{
	free(runs->run);
	*runs = (struct fib_dir_runs){ 0 };
}

struct dir_painter {
	struct fib_dir_runs *runs;
	unsigned dir_bits, lo, hi;
	unsigned next;			/* the first slot without a run yet */
};

/* Runs for slots [next, end) clipped to [lo, hi]: a leaf run of id, or one subtree slot. */
static int emit(struct dir_painter *p, unsigned end, uint32_t id, const struct rib_node *locus)
{
	unsigned from = p->next > p->lo ? p->next : p->lo, to = end <= p->hi ? end : p->hi + 1;
	struct fib_dir_runs *r = p->runs;
	struct fib_dir_run *last = r->n ? &r->run[r->n - 1] : NULL;
	uintptr_t value = (uintptr_t)id << 1;

	if (end > p->next)
		p->next = end;
	if (from >= to)
		return 0;
	if (!locus && last && !last->locus && last->value == value && last->last + 1 == from) {
		last->last = to - 1;
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct fib_dir_run *grown = realloc(r->run, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		r->run = grown;
		r->cap = cap;
	}
	r->run[r->n++] = (struct fib_dir_run){
		.first = from, .last = to - 1, .value = value, .locus = locus,
	};
	return 0;
}

/*
 * Pre-order walk of the RIB below n (fib.c's paint() for the direct
 * table): the slots before a prefix keep the cover, a prefix shorter than
 * the table paints its slots, one of the table's length or longer makes
 * its slot a leaf or a subtree.
 */
static int walk(struct dir_painter *p, const struct rib_node *n, uint32_t cover)
{
	unsigned c, last;
	uint32_t id;
	int rc;

	if (!n)
		return 0;
	c = key_chunk(n->key, 0, p->dir_bits);
	if (c > p->hi)
		return 0;
	if (n->len >= p->dir_bits) {
		if (c < p->lo)
			return 0;
		id = n->len == p->dir_bits && n->id ? n->id : cover;
		rc = emit(p, c, cover, NULL);
		if (!rc)
			rc = emit(p, c + 1, id,
				  n->len > p->dir_bits || n->child[0] || n->child[1] ? n : NULL);
		return rc;
	}
	last = c + (1u << (p->dir_bits - n->len)) - 1;
	if (last < p->lo)
		return 0;
	id = n->id ? n->id : cover;
	rc = emit(p, c, cover, NULL);
	if (!rc)
		rc = walk(p, n->child[0], id);
	if (!rc)
		rc = walk(p, n->child[1], id);
	if (!rc)
		rc = emit(p, last + 1, id, NULL);
	return rc;
}

int fib_dir_paint(struct fib_dir_runs *runs, unsigned dir_bits, const struct rib_node *locus,
		  uint32_t cover, unsigned lo, unsigned hi)
{
	struct dir_painter p = { .runs = runs, .dir_bits = dir_bits, .lo = lo, .hi = hi, .next = lo };
	int rc = walk(&p, locus, cover);

	return rc ? rc : emit(&p, hi + 1, cover, NULL);
}

void fib_dir_publish(struct fib_trie *t, const struct fib_dir_runs *runs,
		     void (*retire)(void *ctx, uintptr_t old), void *ctx)
{
	struct release rel = { 0 };

	for (size_t i = 0; i < runs->n; i++) {
		const struct fib_dir_run *r = &runs->run[i];

		for (unsigned s = r->first; s <= r->last;) {
			unsigned page_last = s | (PAGE_SLOTS - 1), end = page_last < r->last ? page_last : r->last;
			const struct page_count *c = &t->pages->count[s / PAGE_SLOTS];

			/* An empty page that stays empty: nothing to read, nothing to store. */
			if (!r->value && !c->used) {
				s = end + 1;
				continue;
			}
			if (!(r->value & FIB_SLOT_NODE) && !c->nodes) {
				store_leaves(t, s, end, r->value, &rel);
				s = end + 1;
				continue;
			}
			for (; s <= end; s++) {
				uintptr_t old = t->dir[s];

				if (old == r->value)
					continue;
				store_one(t, s, r->value, &rel);
				retire(ctx, old);
			}
		}
	}
	release_flush(t, &rel);
}

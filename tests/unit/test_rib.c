/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RIB's trie and index under inserts that start from the last
 * insert's ancestors (the finger): prefixes in key order, in random
 * order, clustered, and mixed with prunes. After every phase the trie
 * must be a proper path-compressed trie (parents right, every child
 * inside and longer than its parent, pre-order strictly in prefix order),
 * its prefixes exactly the model's, and every exact find (the index)
 * must give the node the insert returned.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "key.h"
#include "rib.h"
#include "wlock.h"
#include "seed.h"

static unsigned long long rng_state;

static uint64_t rng(void)
{
	return seed_rng_next(&rng_state);
}

/* ROUTED_TEST_SEED replays a run; the seed is printed. */
static void seed_rng(void)
{
	rng_state = seed_from_env();
	if (!rng_state)
		rng_state = 1;
}

/* The model: the prefixes that have routes, and the node each got. */
struct entry {
	rt_key key;
	unsigned len;
	struct rib_node *node;
	bool live;
};

#define MAX_ENTRIES 6000

struct fixture {
	struct wlock lock;
	struct rib rib;
	unsigned bits;
	struct entry e[MAX_ENTRIES];
	size_t n;
};

/* Any non-NULL list marks a node as one with routes; never followed here. */
static struct rib_route marker;

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->len > y->len) - (x->len < y->len);
}

/* A random prefix, clustered: most share the top bits with a few bases. */
static void random_prefix(unsigned bits, rt_key *key, unsigned *len)
{
	static const unsigned lens4[] = { 8, 16, 19, 20, 22, 23, 24, 24, 24, 25, 28, 32 };
	static const unsigned lens6[] = { 16, 29, 32, 40, 44, 48, 48, 48, 56, 64, 96, 128 };
	rt_key k = ((rt_key)rng() << 64) | rng();
	rt_key base = (rt_key)(rng() % 4) << (bits == 32 ? 120 : 112);

	*len = bits == 32 ? lens4[rng() % 12] : lens6[rng() % 12];
	if (rng() % 4)
		k = base | (k & ~key_mask(bits == 32 ? 8 : 16));
	if (bits == 32)
		k &= key_mask(32);
	*key = k & key_mask(*len);
}

static bool model_has(const struct fixture *f, rt_key key, unsigned len)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->e[i].live && f->e[i].key == key && f->e[i].len == len)
			return true;
	return false;
}

static void insert(struct fixture *f, rt_key key, unsigned len)
{
	struct rib_node *n;

	if (model_has(f, key, len) || f->n == MAX_ENTRIES)
		return;
	n = rib_insert(&f->rib, key, len);
	assert_non_null(n);
	assert_true(n->key == key);
	assert_int_equal(n->len, len);
	assert_null(n->routes);
	n->routes = &marker;
	rib_set_id(&f->rib, n, (uint32_t)f->n + 1);	/* as a table gives a prefix with routes an id */
	f->e[f->n++] = (struct entry){ .key = key, .len = len, .node = n, .live = true };
}

static void remove_entry(struct fixture *f, size_t i)
{
	f->e[i].node->routes = NULL;
	rib_set_id(&f->rib, f->e[i].node, 0);
	rib_prune(&f->rib, f->e[i].node);
	f->e[i].live = false;
}

struct walk_check {
	const struct fixture *f;
	struct entry *seen;
	size_t n;
};

static int collect(const struct rib_node *n, void *arg)
{
	struct walk_check *w = arg;

	assert_true(w->n < MAX_ENTRIES);
	w->seen[w->n++] = (struct entry){ .key = n->key, .len = n->len };
	return 0;
}

/* The id of n's nearest ancestor that has one, by climbing. */
static uint32_t climbed_cover(const struct rib_node *n)
{
	for (n = n->parent; n; n = n->parent)
		if (n->id)
			return n->id;
	return 0;
}

/* Parent links, containment, covers, and returns the node count below n. */
static uint64_t check_subtree(const struct rib_node *n, const struct rib_node *parent)
{
	uint64_t count = 1;

	if (!n)
		return 0;
	assert_ptr_equal(n->parent, parent);
	assert_int_equal(n->cover, climbed_cover(n));
	if (parent) {
		assert_true(n->len > parent->len);
		assert_true(key_match(n->key, parent->key, parent->len));
	}
	assert_true(n->key == (n->key & key_mask(n->len)));
	/* A glue node has two children; one without routes that has fewer was pruned or parked. */
	if (!n->routes)
		assert_true((n->child[0] && n->child[1]) || n->parked);
	for (unsigned b = 0; b < 2; b++) {
		if (n->child[b])
			assert_int_equal(key_bit(n->child[b]->key, n->len), b);
		count += check_subtree(n->child[b], n);
	}
	return count;
}

/* The model's cover of (key, depth): the id of the longest live prefix shorter than depth over key. */
static uint32_t model_cover(const struct fixture *f, rt_key key, unsigned depth)
{
	uint32_t id = 0;
	unsigned best = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct entry *e = &f->e[i];

		if (e->live && e->len < depth && key_match(e->key, key, e->len) &&
		    (!id || e->len >= best)) {
			id = e->node->id;
			best = e->len;
		}
	}
	return id;
}

/*
 * rib_locus_from() from a node with routes, at random depths up to its
 * length: the same locus and cover as rib_locus()'s walk, and the cover
 * the model gives.
 */
static void check_locus(const struct fixture *f)
{
	for (unsigned probe = 0; probe < 300; probe++) {
		const struct entry *e = &f->e[rng() % f->n];
		const struct rib_node *walked, *climbed;
		uint32_t walk_cover, climb_cover;
		unsigned depth;

		if (!e->live)
			continue;
		depth = (unsigned)(rng() % (e->len + 1));
		walked = rib_locus(&f->rib, e->key & key_mask(depth), depth, &walk_cover);
		climbed = rib_locus_from(e->node, depth, &climb_cover);
		assert_ptr_equal(climbed, walked);
		assert_int_equal(climb_cover, walk_cover);
		assert_int_equal(climb_cover, model_cover(f, e->key, depth));
		assert_true(climbed->len >= depth && key_match(climbed->key, e->key, depth));
		assert_true(!climbed->parent || climbed->parent->len < depth);
	}
}

static void check(struct fixture *f)
{
	struct entry *want = calloc(MAX_ENTRIES, sizeof(*want));
	struct walk_check w = { .f = f, .seen = calloc(MAX_ENTRIES, sizeof(*w.seen)) };
	size_t n_want = 0;

	assert_non_null(want);
	assert_non_null(w.seen);
	assert_int_equal(check_subtree(f->rib.root, NULL), f->rib.nodes);
	for (size_t i = 0; i < f->n; i++) {
		if (!f->e[i].live) {
			/* Gone (or kept as a glue node without routes), unless inserted again. */
			const struct rib_node *gone = rib_find(&f->rib, f->e[i].key, f->e[i].len);

			if (!model_has(f, f->e[i].key, f->e[i].len))
				assert_true(!gone || !gone->routes);
			continue;
		}
		assert_ptr_equal(rib_find(&f->rib, f->e[i].key, f->e[i].len), f->e[i].node);
		want[n_want++] = f->e[i];
	}
	qsort(want, n_want, sizeof(*want), entry_cmp);
	assert_int_equal(rib_walk(&f->rib, 0, 0, 0, collect, &w), 0);
	assert_int_equal(w.n, n_want);
	for (size_t i = 0; i < n_want; i++) {
		assert_true(w.seen[i].key == want[i].key);
		assert_int_equal(w.seen[i].len, want[i].len);
	}
	free(want);
	free(w.seen);
	check_locus(f);
}

static void run(unsigned bits, bool sorted)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int family = bits == 32 ? AF_INET : AF_INET6;

	assert_non_null(f);
	wlock_init(&f->lock);
	wlock_lock(&f->lock);
	rib_init(&f->rib, family, &f->lock);
	for (unsigned round = 0; round < 4; round++) {
		struct entry batch[1000];
		size_t nb = 0;

		for (size_t i = 0; i < 1000; i++)
			random_prefix(bits, &batch[nb].key, &batch[nb].len), nb++;
		if (sorted)
			qsort(batch, nb, sizeof(*batch), entry_cmp);
		for (size_t i = 0; i < nb; i++)
			insert(f, batch[i].key, batch[i].len);
		check(f);
		/* Prunes between inserts: the finger may be the node that goes. */
		for (size_t i = 0; i < f->n; i++)
			if (f->e[i].live && rng() % 3 == 0)
				remove_entry(f, i);
		check(f);
		for (size_t i = 0; i < 200; i++) {
			rt_key k;
			unsigned len;

			if (rng() % 2) {
				size_t j = rng() % f->n;

				if (f->e[j].live)
					remove_entry(f, j);
			}
			random_prefix(bits, &k, &len);
			insert(f, k, len);
		}
		check(f);
	}
	for (size_t i = 0; i < f->n; i++)
		if (f->e[i].live)
			remove_entry(f, i);
	assert_null(f->rib.root);
	assert_int_equal(f->rib.nodes, 0);
	rib_fini(&f->rib, NULL, NULL);
	wlock_unlock(&f->lock);
	wlock_destroy(&f->lock);
	free(f);
}

static void test_sorted_v4(void **state)
{
	(void)state;
	run(32, true);
}

static void test_random_v4(void **state)
{
	(void)state;
	run(32, false);
}

static void test_sorted_v6(void **state)
{
	(void)state;
	run(128, true);
}

static void test_random_v6(void **state)
{
	(void)state;
	run(128, false);
}

/*
 * rib_reserve(): the room it makes holds that many inserts without a
 * rehash (the index stays where it is) and the index stays right (the
 * model's check); past it the index grows as before.
 */
static void test_reserve(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const uint64_t *index;
	rt_key k;
	unsigned len;

	(void)state;
	assert_non_null(f);
	wlock_init(&f->lock);
	wlock_lock(&f->lock);
	rib_init(&f->rib, AF_INET6, &f->lock);
	assert_int_equal(rib_reserve(&f->rib, 3000), 0);
	index = f->rib.index;
	assert_non_null(index);
	for (size_t i = 0; i < 3000; i++) {
		random_prefix(128, &k, &len);
		insert(f, k, len);
	}
	assert_ptr_equal(f->rib.index, index);
	check(f);
	for (size_t i = 0; i < 2000; i++) {
		random_prefix(128, &k, &len);
		insert(f, k, len);
	}
	assert_ptr_not_equal(f->rib.index, index);
	check(f);
	for (size_t i = 0; i < f->n; i++)
		if (f->e[i].live)
			remove_entry(f, i);
	rib_fini(&f->rib, NULL, NULL);
	wlock_unlock(&f->lock);
	wlock_destroy(&f->lock);
	free(f);
}

/* rib_park() as a table's delete calls it: the RIB's route count first. */
static void park_entry(struct fixture *f, size_t i)
{
	f->e[i].node->routes = NULL;
	rib_set_id(&f->rib, f->e[i].node, 0);
	f->rib.routes--;
	/* As a table counts them: the park's limit is a share of the prefixes. */
	if (f->rib.prefixes)
		f->rib.prefixes--;
	rib_park(&f->rib, f->e[i].node);
	f->e[i].live = false;
}

static unsigned parked_count(const struct rib *rib)
{
	unsigned n = 0;

	assert_true(rib->parked_count <= rib->parked_cap);
	for (unsigned i = 0; i < rib->parked_cap; i++) {
		const struct rib_node *p = rib->parked[i];
		/* The ring's slots from the oldest on are taken, the others free. */
		bool taken = ((i - rib->parked_head) & (rib->parked_cap - 1)) < rib->parked_count;

		assert_true(taken == (p != NULL));
		if (p) {
			/* It may have routes again: it stays in its slot until the slot is reused. */
			assert_true(p->parked);
			n++;
		}
	}
	assert_int_equal(n, rib->parked_count);
	return n;
}

/*
 * Parked nodes: a delete's node stays in the trie and the index (the
 * same node comes back on the prefix's next insert), at most
 * rib_park_limit() of them (RIB_PARKED_MIN here: no prefixes counted),
 * the oldest pruned first; every check of the trie, the index, the
 * covers and the loci holds with them; the last route's delete leaves
 * no node. Seeded churn of deletes and inserts, some of them of
 * prefixes just deleted.
 */
static void test_park(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	rt_key k;
	unsigned len;

	(void)state;
	assert_non_null(f);
	wlock_init(&f->lock);
	wlock_lock(&f->lock);
	rib_init(&f->rib, AF_INET, &f->lock);
	for (size_t i = 0; i < 2000; i++) {
		random_prefix(32, &k, &len);
		if (!model_has(f, k, len)) {
			insert(f, k, len);
			f->rib.routes++;
		}
	}
	check(f);
	for (unsigned round = 0; round < 3000 && f->n < MAX_ENTRIES - 1; round++) {
		size_t j = rng() % f->n;
		struct rib_node *was;

		if (!f->e[j].live)
			continue;
		was = f->e[j].node;
		park_entry(f, j);
		assert_true(parked_count(&f->rib) <= RIB_PARKED_MIN);
		if (rng() % 2) {
			/* Back at once: the node that was parked, found again. */
			insert(f, f->e[j].key, f->e[j].len);
			f->rib.routes++;
			assert_ptr_equal(f->e[f->n - 1].node, was);
		}
		random_prefix(32, &k, &len);
		if (!model_has(f, k, len) && f->n < MAX_ENTRIES) {
			insert(f, k, len);
			f->rib.routes++;
		}
		if (round % 500 == 0)
			check(f);
	}
	check(f);
	assert_int_equal(parked_count(&f->rib), RIB_PARKED_MIN);
	for (size_t i = 0; i < f->n; i++)
		if (f->e[i].live)
			park_entry(f, i);
	assert_int_equal(f->rib.routes, 0);
	assert_int_equal(parked_count(&f->rib), 0);
	assert_null(f->rib.parked);
	assert_int_equal(rib_bytes(&f->rib), 0);
	assert_null(f->rib.root);
	assert_int_equal(f->rib.nodes, 0);
	assert_null(f->rib.index);
	rib_fini(&f->rib, NULL, NULL);
	wlock_unlock(&f->lock);
	wlock_destroy(&f->lock);
	free(f);
}

/*
 * The oldest parked node lies below the one being parked, on a chain of
 * nodes with one child each: pruning it climbs to the new one, which must
 * stay (it is parked by then), found by the index and in the trie.
 */
static void test_park_evicts_below(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const rt_key chain = (rt_key)0x0a000000u << 96;	/* 10.0.0.0 */
	const struct rib_node *kept;
	size_t first_other;

	(void)state;
	assert_non_null(f);
	wlock_init(&f->lock);
	wlock_lock(&f->lock);
	rib_init(&f->rib, AF_INET, &f->lock);
	for (unsigned len = 8; len <= 32; len++) {
		insert(f, chain & key_mask(len), len);
		f->rib.routes++;
	}
	first_other = f->n;
	for (uint32_t i = 0; i < RIB_PARKED_MIN - 1; i++) {
		insert(f, (rt_key)(0xc0000000u | i << 8) << 96, 32);	/* 192.i.i.0/32, apart */
		f->rib.routes++;
	}
	park_entry(f, 32 - 8);				/* the /32 at the chain's end: the oldest */
	for (size_t i = first_other; i < f->n; i++)
		park_entry(f, i);
	assert_int_equal(parked_count(&f->rib), RIB_PARKED_MIN);
	park_entry(f, 31 - 8);				/* its parent: evicts the /32 */
	kept = rib_find(&f->rib, chain & key_mask(31), 31);
	assert_non_null(kept);
	assert_true(kept->parked);
	assert_null(rib_find(&f->rib, chain, 32));
	assert_int_equal(parked_count(&f->rib), RIB_PARKED_MIN);
	check(f);
	for (size_t i = 0; i < f->n; i++)
		if (f->e[i].live)
			park_entry(f, i);
	assert_null(f->rib.root);
	rib_fini(&f->rib, NULL, NULL);
	wlock_unlock(&f->lock);
	wlock_destroy(&f->lock);
	free(f);
}

/*
 * A park that grows with the table: with more prefixes the limit is a
 * share of them, the ring grows past RIB_PARKED_MIN keeping its oldest
 * first, a prefix deleted more than RIB_PARKED_MIN deletes before still
 * finds its node, the count follows the limit down as the table
 * shrinks, and the emptied RIB frees the ring (its bytes a fresh one's).
 */
static void test_park_grows(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	unsigned limit, parked = 0;
	rt_key k;
	unsigned len;

	(void)state;
	assert_non_null(f);
	wlock_init(&f->lock);
	wlock_lock(&f->lock);
	rib_init(&f->rib, AF_INET, &f->lock);
	while (f->n < MAX_ENTRIES - 1) {
		random_prefix(32, &k, &len);
		if (!model_has(f, k, len)) {
			insert(f, k, len);
			f->rib.routes++;
			f->rib.prefixes++;
		}
	}
	check(f);
	/* Every prefix is a leaf's or a glue's: some deletes prune at once (two children). */
	for (size_t i = 0; i < f->n && parked < RIB_PARKED_MIN + 16; i++) {
		unsigned before = f->rib.parked_count;

		park_entry(f, i);
		parked += f->rib.parked_count > before;
	}
	limit = rib_park_limit(&f->rib);
	assert_true(limit > RIB_PARKED_MIN + 16);
	assert_int_equal(parked_count(&f->rib), RIB_PARKED_MIN + 16);
	assert_true(f->rib.parked_cap > RIB_PARKED_MIN);
	/* The oldest parked node, more than RIB_PARKED_MIN deletes back, comes back. */
	for (size_t i = 0; i < f->n; i++) {
		const struct rib_node *was = rib_find(&f->rib, f->e[i].key, f->e[i].len);

		if (f->e[i].live || !was || !was->parked)
			continue;
		insert(f, f->e[i].key, f->e[i].len);
		f->rib.routes++;
		f->rib.prefixes++;
		assert_ptr_equal(f->e[f->n - 1].node, was);
		break;
	}
	check(f);
	/* The table shrinks: the parked nodes never outnumber the limit. */
	for (size_t i = 0; i < f->n; i++) {
		if (!f->e[i].live)
			continue;
		park_entry(f, i);
		assert_true(parked_count(&f->rib) <= rib_park_limit(&f->rib));
		if (i % 997 == 0)
			check(f);
	}
	assert_int_equal(f->rib.routes, 0);
	assert_int_equal(parked_count(&f->rib), 0);
	assert_null(f->rib.parked);
	assert_null(f->rib.root);
	assert_int_equal(rib_bytes(&f->rib), 0);
	rib_fini(&f->rib, NULL, NULL);
	wlock_unlock(&f->lock);
	wlock_destroy(&f->lock);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_v4),
		cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_sorted_v6),
		cmocka_unit_test(test_random_v6),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_park),
		cmocka_unit_test(test_park_evicts_below),
		cmocka_unit_test(test_park_grows),
	};

	seed_rng();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The route id table: answer words read by id from the one array, across
 * the size at which the array is advised as huge pages, while the table
 * grows under a concurrent reader; released chunks give their words back
 * and read again as written when their ids return. The same in small pages
 * (ROUTED_ROUTE_IDS_HUGE=0), the array as a kernel that refuses the advice
 * leaves it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/rcu.h>
#include <urcu/urcu-memb.h>

#include "nexthop.h"
#include "rib.h"
#include "route_ids.h"
#include "wlock.h"

/* Past the first huge page's worth of answer words: the advice is taken. */
#define IDS (ROUTE_ID_HUGE_CHUNKS * ROUTE_ID_CHUNK_SLOTS + 3 * ROUTE_ID_CHUNK_SLOTS + 17)
#define ROUTES 61

struct fixture {
	struct wlock lock;
	struct route_ids ids;
	struct nexthop nh[ROUTES];
	struct rib_route route[ROUTES];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	wlock_init(&f->lock);
	if (route_ids_init(&f->ids, &f->lock)) {
		free(f);
		return -1;
	}
	/* Distinct words: length, tag and next-hop index differ per route. */
	for (unsigned i = 0; i < ROUTES; i++) {
		f->nh[i].index = 1 + i * 977;
		f->route[i].nh = &f->nh[i];
		f->route[i].prefix.len = (uint8_t)(i % 33);
		f->route[i].has_tag = i % 3 == 0;
		f->route[i].tag = 0x10000u * i + 7;
	}
	wlock_lock(&f->lock);
	*state = f;
	return 0;
}

/* As the kernel refusing the advice leaves it: the array in small pages. */
static int setup_small_pages(void **state)
{
	int rc;

	setenv("ROUTED_ROUTE_IDS_HUGE", "0", 1);
	rc = setup(state);
	unsetenv("ROUTED_ROUTE_IDS_HUGE");
	return rc;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	route_ids_fini(&f->ids);
	wlock_unlock(&f->lock);
	wlock_destroy(&f->lock);
	free(f);
	return 0;
}

static struct rib_route *route_of(struct fixture *f, uint32_t id)
{
	return &f->route[id % ROUTES];
}

static void assert_word(uint64_t w, const struct rib_route *r)
{
	assert_int_equal(route_id_answer_len(w), r->prefix.len);
	assert_int_equal(route_id_answer_nexthop(w), r->nh->index);
	assert_int_equal(route_id_answer_has_tag(w), r->has_tag);
	assert_int_equal(route_id_answer_tag(w), r->has_tag ? r->tag : 0);
}

static void alloc_all(struct fixture *f)
{
	for (uint32_t want = 1; want <= IDS; want++) {
		uint32_t id = route_ids_alloc(&f->ids, route_of(f, want));

		assert_int_equal(id, want);	/* lowest first */
	}
}

/* Every word as its route says, by every reader accessor. */
static void test_words_across_huge_advice(void **state)
{
	struct fixture *f = *state;
	size_t base = route_ids_bytes(&f->ids);

	alloc_all(f);
	assert_true(f->ids.huge != f->ids.small_pages);
	urcu_memb_read_lock();
	for (uint32_t id = 1; id <= IDS; id++) {
		assert_word(route_ids_answer(&f->ids, id), route_of(f, id));
		assert_ptr_equal(route_ids_answer_slot(&f->ids, id), &f->ids.answers[id - 1]);
		assert_ptr_equal(route_ids_get(&f->ids, id), route_of(f, id));
	}
	urcu_memb_read_unlock();
	for (uint32_t id = 1; id <= IDS; id++)
		route_ids_release(&f->ids, id);
	assert_int_equal(f->ids.nchunks, 0);
	assert_int_equal(route_ids_bytes(&f->ids), base);
}

/*
 * A released chunk's words go back to the kernel; when its ids are handed
 * out again, the new words are what a reader loads, not zeroes.
 */
static void test_words_after_chunk_release(void **state)
{
	struct fixture *f = *state;
	uint32_t first = 5 * ROUTE_ID_CHUNK_SLOTS + 1, last = 6 * ROUTE_ID_CHUNK_SLOTS;

	alloc_all(f);
	for (uint32_t id = first; id <= last; id++)
		route_ids_release(&f->ids, id);
	assert_int_equal(f->ids.answers[first - 1], 0);	/* given back: reads 0 */
	for (uint32_t id = first; id <= last; id++) {
		uint32_t got = route_ids_alloc(&f->ids, &f->route[(id + 1) % ROUTES]);

		assert_int_equal(got, id);
	}
	urcu_memb_read_lock();
	for (uint32_t id = first; id <= last; id++)
		assert_word(route_ids_answer(&f->ids, id), &f->route[(id + 1) % ROUTES]);
	assert_word(route_ids_answer(&f->ids, first - 1), route_of(f, first - 1));
	assert_word(route_ids_answer(&f->ids, last + 1), route_of(f, last + 1));
	urcu_memb_read_unlock();
	for (uint32_t id = 1; id <= IDS; id++)
		route_ids_release(&f->ids, id);
}

/*
 * A reader loading the words of published ids while the writer hands out
 * new ones (growing the array past the huge-page advice and its collapse
 * of the first 2 MiB) and replaces published words: it sees each word whole,
 * the old or the new route's. Ids are published to the reader as the FIB
 * would: the highest one stored after a write barrier (rcu_assign_pointer's
 * ordering), loaded by the reader before a read barrier.
 */
struct race {
	struct fixture *f;
	uint32_t published;
	bool stop;
	unsigned long reads, torn;
};

static bool word_of_either(uint64_t w, struct fixture *f, uint32_t id)
{
	for (unsigned k = 0; k < 2; k++) {
		const struct rib_route *r = &f->route[(id + k) % ROUTES];

		if (route_id_answer_len(w) == r->prefix.len &&
		    route_id_answer_nexthop(w) == r->nh->index &&
		    route_id_answer_tag(w) == (r->has_tag ? r->tag : 0))
			return true;
	}
	return false;
}

static void *reader(void *arg)
{
	struct race *race = arg;
	unsigned seed = 1;

	rt_reader_register();
	while (!CMM_LOAD_SHARED(race->stop)) {
		uint32_t top, id;

		urcu_memb_read_lock();
		top = CMM_LOAD_SHARED(race->published);
		cmm_smp_rmb();	/* pairs with the writer's cmm_smp_wmb(): words before the count */
		if (top) {
			id = 1 + (uint32_t)rand_r(&seed) % top;
			if (!word_of_either(route_ids_answer(&race->f->ids, id), race->f, id))
				race->torn++;
			race->reads++;
		}
		urcu_memb_read_unlock();
	}
	rt_reader_unregister();
	return NULL;
}

static void test_reader_while_growing(void **state)
{
	struct fixture *f = *state;
	struct race race = { .f = f };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, reader, &race), 0);
	for (uint32_t want = 1; want <= IDS; want++) {
		assert_int_equal(route_ids_alloc(&f->ids, route_of(f, want)),
				 want);
		cmm_smp_wmb();	/* pairs with the reader's cmm_smp_rmb() */
		CMM_STORE_SHARED(race.published, want);
		if (want % 7 == 0)
			route_ids_set(&f->ids, want / 2 + 1, &f->route[(want / 2 + 2) % ROUTES]);
	}
	CMM_STORE_SHARED(race.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	printf("# %lu reads while growing to %u ids, %lu not a route's word\n", race.reads,
	       (unsigned)IDS, race.torn);
	assert_true(race.reads > 0);
	assert_int_equal(race.torn, 0);
	urcu_memb_synchronize_rcu();
	for (uint32_t id = 1; id <= IDS; id++)
		route_ids_release(&f->ids, id);
}

/* VmData of /proc/self/status: the private writable memory the kernel charges. */
static size_t vm_data_bytes(void)
{
	char line[256];
	size_t kb = 0;
	FILE *fp = fopen("/proc/self/status", "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmData: %zu kB", &kb) == 1)
			break;
	fclose(fp);
	assert_true(kb > 0);
	return kb << 10;
}

/*
 * The answer array reserves 128 MiB of address space per table; only the
 * 2 MiB blocks its ids reach may count as writable memory (what
 * vm.overcommit_memory=2 charges), and a released table keeps no more.
 */
static void test_commit_charge(void **state)
{
	struct fixture *f = *state;
	struct route_ids other;
	size_t before = vm_data_bytes(), grown;
	const size_t reservation = (size_t)ROUTE_ID_MAX * sizeof(uint64_t);

	assert_int_equal(route_ids_init(&other, &f->lock), 0);
	grown = vm_data_bytes() - before;
	printf("# a new table's answer words: %zu KiB writable of %zu KiB reserved\n",
	       grown >> 10, reservation >> 10);
	assert_true(grown < reservation / 4);
	assert_int_equal(other.committed, 0);
	route_ids_fini(&other);

	alloc_all(f);
	/* IDS reach into the second 2 MiB of words: two blocks, no more. */
	assert_int_equal(f->ids.committed, 3);
	grown = vm_data_bytes() - before;
	printf("# after %u ids: %zu KiB\n", (unsigned)IDS, grown >> 10);
	assert_true(grown < reservation / 2);
	for (uint32_t id = 1; id <= IDS; id++)
		route_ids_release(&f->ids, id);
	/* Handed out again: lowest first, into the blocks already writable. */
	assert_int_equal(route_ids_alloc(&f->ids, route_of(f, 1)), 1);
	assert_int_equal(f->ids.committed, 3);
	route_ids_release(&f->ids, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_words_across_huge_advice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_words_after_chunk_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_while_growing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_charge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_words_across_huge_advice, setup_small_pages,
						teardown),
		cmocka_unit_test_setup_teardown(test_reader_while_growing, setup_small_pages,
						teardown),
	};

	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

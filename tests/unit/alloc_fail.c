/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>
#include <stddef.h>

#include "alloc_fail.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
struct arena;
void *__real_arena_alloc(struct arena *a, size_t size);
void *__wrap_arena_alloc(struct arena *a, size_t size);

static unsigned long alloc_count, fail_first, fail_second;
static bool armed;

void alloc_fail_arm(unsigned long first, unsigned long second)
{
	alloc_count = 0;
	fail_first = first;
	fail_second = second;
	armed = true;
}

unsigned long alloc_fail_disarm(void)
{
	armed = false;
	return alloc_count;
}

static bool should_fail(void)
{
	if (!armed)
		return false;
	alloc_count++;
	return alloc_count == fail_first || alloc_count == fail_second;
}

void *__wrap_malloc(size_t size)
{
	return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return should_fail() ? NULL : __real_realloc(p, size);
}

void *__wrap_arena_alloc(struct arena *a, size_t size)
{
	return should_fail() ? NULL : __real_arena_alloc(a, size);
}

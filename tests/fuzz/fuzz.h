/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fuzz targets share: libFuzzer's entry points, invariant checks
 * that abort with a message (libFuzzer then reports the input as a crash
 * and saves it), and copies of the input the parsers can take.
 */
#ifndef ROUTED_TESTS_FUZZ_H
#define ROUTED_TESTS_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

__attribute__((noreturn, format(printf, 4, 5))) static inline void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: invariant violated: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Abort, naming cond and a printf-style explanation, unless cond holds. */
#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond))                                               \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* A heap copy of n bytes (exactly n: ASan sees any read past them). */
static inline void *fuzz_memdup(const void *p, size_t n)
{
	void *copy = malloc(n ? n : 1);

	FUZZ_CHECK(copy, "out of memory copying %zu bytes", n);
	memcpy(copy, p, n);
	return copy;
}

/* The bytes up to the first NUL (or all of them) as a string. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *s = malloc(n + 1);

	FUZZ_CHECK(s, "out of memory copying %zu bytes", n);
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* An error message a parser filled: non-empty and terminated within its buffer. */
static inline int fuzz_message_ok(const char *err, size_t errlen)
{
	size_t n = strnlen(err, errlen);

	return n > 0 && n < errlen;
}

#endif

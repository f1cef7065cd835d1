/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus exposition writer: HELP and TYPE lines, label values
 * escaped, numbers in the format's spellings, and histograms whose buckets
 * are cumulative, end in +Inf and agree with _count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "prom.h"

/* What was written, as a NUL-terminated string (freed by the caller). */
static char *text_of(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);

	assert_non_null(s);
	evbuffer_copyout(b, s, n);
	s[n] = '\0';
	return s;
}

static void test_family_and_samples(void **state)
{
	struct evbuffer *b = evbuffer_new();
	struct prom p;
	const struct prom_label l[] = { { "table", "main" }, { "family", "ipv4" } };
	char *s;

	(void)state;
	prom_init(&p, b);
	prom_family(&p, "routed_routes", "gauge", "Routes \\ in a table,\nby family \"x\".");
	prom_u64(&p, "routed_routes", l, 2, 18446744073709551615ull);
	prom_u64(&p, "routed_tables", NULL, 0, 0);
	assert_int_equal(prom_error(&p), 0);
	s = text_of(b);
	/* HELP escapes backslash and newline, not the quote. */
	assert_string_equal(s, "# HELP routed_routes Routes \\\\ in a table,\\nby family \"x\".\n"
			       "# TYPE routed_routes gauge\n"
			       "routed_routes{table=\"main\",family=\"ipv4\"} 18446744073709551615\n"
			       "routed_tables 0\n");
	free(s);
	evbuffer_free(b);
}

static void test_label_escaping(void **state)
{
	struct evbuffer *b = evbuffer_new();
	struct prom p;
	const struct prom_label l[] = { { "table", "a\"b\\c\nd" }, { "empty", "" } };
	char *s;

	(void)state;
	prom_init(&p, b);
	prom_u64(&p, "m", l, 2, 1);
	s = text_of(b);
	assert_string_equal(s, "m{table=\"a\\\"b\\\\c\\nd\",empty=\"\"} 1\n");
	free(s);
	evbuffer_free(b);
}

static void test_doubles(void **state)
{
	struct evbuffer *b = evbuffer_new();
	struct prom p;
	char *s;

	(void)state;
	prom_init(&p, b);
	prom_double(&p, "a", NULL, 0, 0.5);
	prom_double(&p, "b", NULL, 0, 1e-9);
	prom_double(&p, "c", NULL, 0, 0.1);
	prom_double(&p, "d", NULL, 0, INFINITY);
	prom_double(&p, "e", NULL, 0, -INFINITY);
	prom_double(&p, "f", NULL, 0, NAN);
	prom_double(&p, "g", NULL, 0, 12345.678);
	s = text_of(b);
	/* The shortest spelling that reads back exactly. */
	assert_string_equal(s, "a 0.5\nb 1e-09\nc 0.1\nd +Inf\ne -Inf\nf NaN\ng 12345.678\n");
	free(s);
	evbuffer_free(b);
}

static void test_histogram(void **state)
{
	struct evbuffer *b = evbuffer_new();
	/* log2 ns buckets: <= 1 ns, <= 3 ns, <= 7 ns, the rest. */
	const uint64_t hist[4] = { 2, 0, 3, 4 };
	const struct prom_label l[] = { { "table", "main" } };
	struct prom p;
	char *s;

	(void)state;
	prom_init(&p, b);
	prom_log2_histogram_ns(&p, "gp_seconds", l, 1, hist, 4, 1500000000);
	assert_int_equal(prom_error(&p), 0);
	s = text_of(b);
	assert_string_equal(s, "gp_seconds_bucket{table=\"main\",le=\"1e-09\"} 2\n"
			       "gp_seconds_bucket{table=\"main\",le=\"3e-09\"} 2\n"
			       "gp_seconds_bucket{table=\"main\",le=\"7e-09\"} 5\n"
			       "gp_seconds_bucket{table=\"main\",le=\"+Inf\"} 9\n"
			       "gp_seconds_sum{table=\"main\"} 1.5\n"
			       "gp_seconds_count{table=\"main\"} 9\n");
	free(s);
	evbuffer_free(b);
}

static void test_histogram_empty(void **state)
{
	struct evbuffer *b = evbuffer_new();
	const uint64_t hist[2] = { 0, 0 };
	struct prom p;
	char *s;

	(void)state;
	prom_init(&p, b);
	prom_log2_histogram_ns(&p, "h", NULL, 0, hist, 2, 0);
	s = text_of(b);
	assert_string_equal(s, "h_bucket{le=\"1e-09\"} 0\nh_bucket{le=\"+Inf\"} 0\n"
			       "h_sum 0\nh_count 0\n");
	free(s);
	/* No buckets at all is the caller's error, and it sticks. */
	prom_log2_histogram_ns(&p, "h", NULL, 0, hist, 0, 0);
	assert_int_equal(prom_error(&p), -EINVAL);
	evbuffer_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_and_samples),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_histogram_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

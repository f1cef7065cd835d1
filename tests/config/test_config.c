/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routed_config_load() and routed_config_to_json() through their C interface: defaults
 * from the environment, overrides, the decoded fields, error positions for
 * keys written with escapes, small error buffers, and a randomized round
 * trip (the seed is printed as a TAP comment; ROUTED_TEST_SEED=N repeats a
 * run).
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../../daemon/routed_config.h"
#include "../unit/seed.h"

static uint64_t test_seed;
static char tmpdir[] = "/tmp/routed-test-config.XXXXXX";

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* Write text to a file in tmpdir; returns its path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

static struct routed_config *load_text(const char *text, const struct config_overrides *ov,
				       char *err, size_t errlen)
{
	return routed_config_load(write_file("test.conf", text), ov, err, errlen);
}

static void test_defaults(void **state)
{
	struct routed_config *c;
	char err[512];

	setenv("RUNTIME_DIRECTORY", "/run/one:/run/two", 1);
	setenv("STATE_DIRECTORY", "/var/lib/one:/var/lib/two", 1);
	c = routed_config_load(NULL, NULL, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	assert_string_equal(c->control_socket, "/run/one/control.sock");
	assert_string_equal(c->state_dir, "/var/lib/one");
	assert_string_equal(c->path, "");
	assert_int_equal(c->socket_mode, 0660);
	assert_int_equal(c->socket_gid, (gid_t)-1);
	assert_int_equal(c->admin_gid, (gid_t)-1);
	assert_int_equal(c->max_connections, 256);
	assert_int_equal(c->max_line_bytes, 1048576);
	assert_int_equal(c->max_output_bytes, 16777216);
	assert_int_equal(c->n_listen, 2);
	assert_string_equal(c->listen[0].text, "127.0.0.1:5300");
	assert_string_equal(c->listen[1].text, "[::1]:5300");
	assert_int_equal(c->listen[0].table, 254);
	assert_true(c->listen_is_default);
	assert_in_range(c->threads, 1, 64);
	assert_int_equal(c->batch, 64);
	assert_int_equal(c->rounds, 8);
	assert_int_equal(c->socket_buffer, 4194304);
	assert_int_equal(c->log_level, LOG_INFO);
	assert_int_equal(c->n_tables, 1);
	assert_int_equal(c->tables[0].id, 254);
	assert_string_equal(c->tables[0].name, "main");
	assert_int_equal(c->n_route_files, 0);
	routed_config_free(c);

	unsetenv("STATE_DIRECTORY");
	c = routed_config_load(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(c->state_dir, "/var/lib/routed");
	routed_config_free(c);
}

static void test_fields(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct routed_config *c;
	char err[512];

	c = load_text("{\"control\": {\"socket_group\": \"root\", \"socket_mode\": \"750\"},\n"
		      " \"lookup\": {\"listen\": [\"192.0.2.1:53\", \"[2001:db8::1]:65535\"]},\n"
		      " \"log\": {\"level\": \"warning\"}}",
		      NULL, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->socket_gid, 0);
	assert_string_equal(c->socket_group, "root");
	assert_int_equal(c->socket_mode, 0750);
	assert_int_equal(c->log_level, LOG_WARNING);
	assert_int_equal(c->n_listen, 2);
	assert_int_equal(c->listen[0].family, AF_INET);
	assert_memory_equal(c->listen[0].addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(c->listen[0].port, 53);
	assert_int_equal(c->listen[1].family, AF_INET6);
	assert_memory_equal(c->listen[1].addr, v6, 16);
	assert_int_equal(c->listen[1].port, 65535);
	assert_string_equal(c->listen[1].text, "[2001:db8::1]:65535");
	assert_true(c->path[0] == '/');
	routed_config_free(c);
}

/* lookup.batch goes up to the size of the UDP workers' arrays, and no further;
 * lookup.threads up to the UDP service's per-worker counters. */
static void test_batch_limit(void **state)
{
	struct routed_config *c;
	char text[64], err[512], want[128];

	snprintf(text, sizeof(text), "{ \"lookup\": { \"batch\": %u } }", CONFIG_MAX_BATCH);
	c = load_text(text, NULL, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->batch, CONFIG_MAX_BATCH);
	routed_config_free(c);

	snprintf(text, sizeof(text), "{ \"lookup\": { \"batch\": %u } }", CONFIG_MAX_BATCH + 1);
	c = load_text(text, NULL, err, sizeof(err));
	assert_null(c);
	snprintf(want, sizeof(want), "test.conf:1:24: lookup.batch: %u is not in 1..%u",
		 CONFIG_MAX_BATCH + 1, CONFIG_MAX_BATCH);
	assert_contains(err, want);

	/* lookup.threads likewise goes up to what the UDP service counts. */
	snprintf(text, sizeof(text), "{ \"lookup\": { \"threads\": %u } }", CONFIG_MAX_THREADS);
	c = load_text(text, NULL, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->threads, CONFIG_MAX_THREADS);
	routed_config_free(c);
	snprintf(text, sizeof(text), "{ \"lookup\": { \"threads\": %u } }", CONFIG_MAX_THREADS + 1);
	c = load_text(text, NULL, err, sizeof(err));
	assert_null(c);
	snprintf(want, sizeof(want), "lookup.threads: %u is not in 1..%u", CONFIG_MAX_THREADS + 1,
		 CONFIG_MAX_THREADS);
	assert_contains(err, want);
}

static void test_overrides(void **state)
{
	struct config_overrides ov = { 0 };
	struct routed_config *c;
	char err[512];

	ov.lookup_listen[0] = "[::]:5300";
	ov.n_lookup_listen = 1;
	ov.threads = 9;
	ov.state_dir = "/srv/state";
	ov.control_socket = "/tmp/x.sock";
	c = load_text("{\"lookup\": {\"listen\": [\"10.0.0.1:1\", \"10.0.0.1:2\"], \"threads\": 2},"
		      " \"state_dir\": \"/a\"}",
		      &ov, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_listen, 1);
	assert_string_equal(c->listen[0].text, "[::]:5300");
	assert_int_equal(c->threads, 9);
	assert_string_equal(c->state_dir, "/srv/state");
	assert_string_equal(c->control_socket, "/tmp/x.sock");
	routed_config_free(c);

	ov.threads = 300;
	assert_null(routed_config_load(NULL, &ov, err, sizeof(err)));
	assert_string_equal(err, "option --threads: 300 is not in 1..256");
	ov.threads = 0;

	ov.n_lookup_listen = CONFIG_MAX_LISTEN + 1;
	assert_null(routed_config_load(NULL, &ov, err, sizeof(err)));
	assert_string_equal(err, "option --lookup-listen: at most 16 addresses");
	ov.n_lookup_listen = 1;

	ov.control_socket = "/tmp/\xff.sock";
	assert_null(routed_config_load(NULL, &ov, err, sizeof(err)));
	assert_contains(err, "option --control-socket: not valid UTF-8");
}

/* The locator decodes escapes in keys, so positions stay exact. */
static void test_escaped_keys(void **state)
{
	char err[512];

	assert_null(load_text("{\n  \"\\u0063ontrol\": {\"max_connections\": 0}}", NULL, err,
			      sizeof(err)));
	assert_contains(err, "test.conf:2:39: control.max_connections: 0 is not in 1..65536");
	assert_null(load_text("{\"log\": {},\n \"\\u00e9t\\u00E9\": 1}", NULL, err, sizeof(err)));
	assert_contains(err, "test.conf:2:2: \xc3\xa9t\xc3\xa9: unknown key");
	assert_null(load_text("{\"\\ud83d\\ude00\": 1}", NULL, err, sizeof(err)));
	assert_contains(err, "test.conf:1:2: \xf0\x9f\x98\x80: unknown key");
	/* A string value holding a quote and comment markers. */
	assert_null(load_text("{\"state_dir\": \"/a\\\"//*\", /* \" */ \"log\": 5}", NULL, err,
			      sizeof(err)));
	assert_contains(err, "test.conf:1:41: log: expected an object, got an integer");
}

static void test_small_error_buffer(void **state)
{
	char err[12];

	memset(err, 'x', sizeof(err));
	assert_null(load_text("{\"lookup\": {\"threads\": 0}}", NULL, err, sizeof(err)));
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

/* splitmix64 */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rng_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + rng_next(s) % (hi - lo + 1);
}

/* A random valid config, some keys left out, as JSON. */
static json_t *random_config(uint64_t *s)
{
	static const char *const levels[] = { "error", "warning", "notice", "info", "debug" };
	json_t *root = json_object(), *control = json_object(), *lookup = json_object();
	json_t *listen = json_array(), *tables = json_array();
	char buf[64];

	if (rng_next(s) & 1)
		json_object_set_new(control, "max_connections",
				    json_integer((json_int_t)rng_range(s, 1, 65536)));
	if (rng_next(s) & 1)
		json_object_set_new(control, "max_line_bytes",
				    json_integer((json_int_t)rng_range(s, 4096, 67108864)));
	if (rng_next(s) & 1)
		json_object_set_new(control, "max_output_bytes",
				    json_integer((json_int_t)rng_range(s, 65536, 1073741824)));
	snprintf(buf, sizeof(buf), "%o", (unsigned)rng_range(s, 0, 0777));
	json_object_set_new(control, "socket_mode", json_string(buf));
	json_object_set_new(root, "control", control);

	for (unsigned i = 0, n = (unsigned)rng_range(s, 0, CONFIG_MAX_LISTEN); i < n; i++) {
		/* Distinct ports keep the addresses distinct. */
		if (rng_next(s) & 1)
			snprintf(buf, sizeof(buf), "10.%u.%u.%u:%u", (unsigned)rng_range(s, 0, 255),
				 (unsigned)rng_range(s, 0, 255), (unsigned)rng_range(s, 0, 255),
				 1000 + i);
		else
			snprintf(buf, sizeof(buf), "[2001:DB8:0:%x::%x]:%u",
				 (unsigned)rng_range(s, 0, 0xffff),
				 (unsigned)rng_range(s, 0, 0xffff), 2000 + i);
		json_array_append_new(listen, json_string(buf));
	}
	json_object_set_new(lookup, "listen", listen);
	json_object_set_new(lookup, "threads", json_integer((json_int_t)rng_range(s, 1, 256)));
	json_object_set_new(root, "lookup", lookup);
	json_object_set_new(root, "log",
			    json_pack("{s:s}", "level", levels[rng_range(s, 0, 4)]));

	for (unsigned i = 0, n = (unsigned)rng_range(s, 0, 40); i < n; i++) {
		/* Distinct ids and names: i is in both; 254 is main's. */
		uint32_t id = (uint32_t)(i * 100000000u + rng_range(s, 1, 99999999));

		if (id == 254)
			id = 255;
		snprintf(buf, sizeof(buf), "t%u_%c.%u", i, (char)rng_range(s, 'a', 'z'),
			 (unsigned)rng_range(s, 0, 999));
		json_array_append_new(tables, json_pack("{s:I, s:s}", "id", (json_int_t)id,
							"name", buf));
	}
	json_object_set_new(root, "tables", tables);
	json_object_set_new(root, "state_dir", json_string("/var/lib/random"));
	return root;
}

static void test_random_round_trip(void **state)
{
	uint64_t s = test_seed;

	for (int iter = 0; iter < 200; iter++) {
		json_t *in = random_config(&s), *out, *again;
		struct routed_config *c, *c2;
		char *text, err[512];
		size_t n;

		text = json_dumps(in, JSON_INDENT((int)(iter % 3)));
		assert_non_null(text);
		c = load_text(text, NULL, err, sizeof(err));
		if (!c)
			fail_msg("%s (seed %" PRIu64 ", iteration %d)\n%s", err, test_seed, iter,
				 text);
		free(text);
		out = routed_config_to_json(c);
		assert_non_null(out);

		/* Every value given is kept; listen is normalized to lower case. */
		n = json_array_size(json_object_get(json_object_get(in, "lookup"), "listen"));
		assert_int_equal(c->n_listen, n);
		assert_int_equal(c->n_tables, 1 + json_array_size(json_object_get(in, "tables")));
		assert_true(json_equal(json_object_get(in, "log"), json_object_get(out, "log")));
		assert_int_equal(c->threads,
				 json_integer_value(json_object_get(json_object_get(in, "lookup"),
								    "threads")));
		for (size_t i = 0; i < json_array_size(json_object_get(in, "tables")); i++) {
			json_t *given = json_array_get(json_object_get(in, "tables"), i);
			json_t *kept = json_array_get(json_object_get(out, "tables"), i + 1);

			assert_true(json_equal(given, kept));
		}

		/* The output loads to the same config. */
		text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		assert_non_null(text);
		c2 = load_text(text, NULL, err, sizeof(err));
		if (!c2)
			fail_msg("%s (seed %" PRIu64 ", iteration %d)", err, test_seed, iter);
		free(text);
		again = routed_config_to_json(c2);
		if (!json_equal(out, again))
			fail_msg("round trip differs (seed %" PRIu64 ", iteration %d)", test_seed,
				 iter);
		json_decref(in);
		json_decref(out);
		json_decref(again);
		routed_config_free(c);
		routed_config_free(c2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_batch_limit),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_escaped_keys),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_random_round_trip),
	};
	char path[sizeof(tmpdir) + 16];
	int rc;

	test_seed = seed_from_env();
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	unsetenv("XDG_RUNTIME_DIR");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(path, sizeof(path), "%s/test.conf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return rc;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol's methods, called directly through a stand-in
 * transport: params checking and error codes, lookups, paginated listing
 * under concurrent changes, loads (merge, replace, dry runs, atomicity,
 * transactions), tables, and the change stream with its snapshots.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include <config.h>

#include <routed/lookup_wire.h>
#include <routed/route.h>
#include <routed/route_json.h>
#include <routed/table.h>

#include "change_stream.h"
#include "load.h"
#include "methods.h"
#include "methods_harness.h"
#include "methods_route.h"
#include "tables.h"
#include "txn.h"
#include "udp.h"

static int setup(void **state)
{
	(void)state;
	harness_setup();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_teardown();
	return 0;
}

static void ok(const char *method, const char *params)
{
	struct reply r = call(method, params);

	expect_ok(&r);
	reply_free(&r);
}

static void fails(const char *method, const char *params, int code, const char *field)
{
	struct reply r = call(method, params);

	expect_error(&r, code, field);
}

static json_int_t int_at(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

static uint64_t table_routes(uint32_t id)
{
	struct rt_table_stats st;

	rt_table_stats(tables_get(harness->d.tables, id), &st);
	return st.v4.routes + st.v6.routes;
}

/* "table prefix metric proto": a route's key, as text. */
static void route_key(json_t *route, char *buf, size_t len)
{
	snprintf(buf, len, "%lld %s %lld %s", (long long)int_at(route, "table"),
		 json_string_value(json_object_get(route, "prefix")),
		 (long long)int_at(route, "metric"),
		 json_string_value(json_object_get(route, "proto")));
}

/* Every route of every table, as {key: route}. */
static int dump_one(const struct rt_route *r, void *arg)
{
	json_t *route = rt_route_to_json(r);
	char key[128];

	route_key(route, key, sizeof(key));
	json_object_set_new(arg, key, route);
	return 0;
}

static json_t *dump_all(void)
{
	json_t *all = json_object();
	uint32_t id;
	int rc;

	for (rc = tables_seek(harness->d.tables, 0, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(harness->d.tables, id + 1, &id))
		rt_table_walk(tables_get(harness->d.tables, id), 0, NULL, dump_one, all);
	return all;
}

/* methods, ping, info, stats, config */

static void test_method_table(void **state)
{
	static const char *const documented[] = {
		"methods", "ping", "info", "stats", "route.add", "route.replace",
		"route.delete", "route.get", "route.lookup", "route.list", "route.flush",
		"route.load", "load.begin", "load.add", "load.commit", "load.abort",
		"feed.list", "feed.push", "table.list", "table.create", "table.delete", "config.get",
		"config.reload",
		"subscribe", "unsubscribe",
	};
	struct reply r = call("methods", NULL);
	json_t *list, *m;
	size_t i;

	(void)state;
	list = json_object_get(expect_ok(&r), "methods");
	assert_int_equal(json_array_size(list), sizeof(documented) / sizeof(documented[0]));
	assert_null(methods_at(sizeof(documented) / sizeof(documented[0])));
	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
		assert_non_null(methods_find(documented[i]));
	assert_null(methods_find("route.nope"));
	json_array_foreach(list, i, m) {
		json_t *schema = json_object_get(m, "params");
		const struct rpc_method *def = methods_find(json_string_value(json_object_get(m, "name")));

		assert_non_null(def);
		if (!json_is_false(json_object_get(schema, "additionalProperties")))
			fail_msg("%s: params schema %s", def->name, def->params_schema);
		assert_true(json_is_string(json_object_get(m, "summary")));
		assert_int_equal(json_is_true(json_object_get(m, "admin")), def->admin);
		assert_string_equal(json_string_value(json_object_get(schema, "type")), "object");
		assert_true(json_is_false(json_object_get(schema, "additionalProperties")));
		assert_true(json_is_object(json_object_get(schema, "properties")));
		for (size_t k = 0; k < json_array_size(json_object_get(schema, "required")); k++) {
			const char *req = json_string_value(
				json_array_get(json_object_get(schema, "required"), k));

			assert_non_null(json_object_get(json_object_get(schema, "properties"), req));
		}
	}
	/* Reading methods are open to everyone; every change needs admin. */
	assert_false(methods_find("route.get")->admin);
	assert_true(methods_find("route.add")->admin);
	assert_true(methods_find("config.reload")->admin);
	assert_false(methods_find("subscribe")->admin);
	reply_free(&r);
}

/*
 * A value the schema s allows, as far as it tells: the first of an enum,
 * null where allowed (the same as not given), an integer's minimum (else
 * 0), false, {}, an array with the fewest items it allows, a string matching
 * a "^[class]{m,n}$" pattern. A string it says nothing more about is a
 * prefix: the only free text the methods take ("prefix", "within",
 * "contains"; addresses and lines come in arrays, empty here).
 */
static json_t *schema_sample(json_t *s)
{
	json_t *type = json_object_get(s, "type"), *v;
	const char *t = json_string_value(type), *pattern;
	size_t i;

	if (json_array_size(json_object_get(s, "enum")))
		return json_incref(json_array_get(json_object_get(s, "enum"), 0));
	if (json_is_array(type)) {
		json_array_foreach(type, i, v)
			if (!strcmp(json_string_value(v), "null"))
				return json_null();
		t = json_string_value(json_array_get(type, 0));
	}
	assert_non_null(t);
	if (!strcmp(t, "integer"))
		return json_integer(json_integer_value(json_object_get(s, "minimum")));
	if (!strcmp(t, "boolean"))
		return json_false();
	if (!strcmp(t, "object"))
		return json_object();
	if (!strcmp(t, "array")) {
		json_t *a = json_array();

		if (json_integer_value(json_object_get(s, "minItems")) > 0)
			json_array_append_new(a, schema_sample(json_object_get(s, "items")));
		return a;
	}
	assert_string_equal(t, "string");
	pattern = json_string_value(json_object_get(s, "pattern"));
	if (pattern) {
		unsigned min = 0, max = 0;
		char first = 0, text[64];
		int used = 0;

		if (sscanf(pattern, "^[%c%*[^]]]{%u,%u}$%n", &first, &min, &max, &used) != 3 ||
		    pattern[used] || min > sizeof(text) - 1)
			fail_msg("a pattern this test cannot follow: %s", pattern);
		memset(text, first, sizeof(text));
		text[min ? min : 1] = '\0';
		return json_string(text);
	}
	return json_string("192.0.2.0/24");
}

/*
 * The smallest params the schema asks for: its required keys, and those
 * of the first "oneOf" branch, or of the branch that requires key if one
 * does (routes or lines).
 */
static json_t *schema_minimal(json_t *schema, const char *key)
{
	json_t *props = json_object_get(schema, "properties"), *branches, *branch, *b, *name;
	json_t *params = json_object(), *required = json_object_get(schema, "required");
	size_t i, j;

	branches = json_object_get(schema, "oneOf");
	branch = json_array_get(branches, 0);
	json_array_foreach(branches, i, b) {
		json_array_foreach(json_object_get(b, "required"), j, name)
			if (key && !strcmp(json_string_value(name), key))
				branch = b;
	}
	json_array_foreach(required, i, name) {
		const char *k = json_string_value(name);

		json_object_set_new(params, k, schema_sample(json_object_get(props, k)));
	}
	json_array_foreach(json_object_get(branch, "required"), i, name) {
		const char *k = json_string_value(name);

		json_object_set_new(params, k, schema_sample(json_object_get(props, k)));
	}
	return params;
}

/*
 * Every method's handler takes exactly the keys its published schema (the
 * methods method's params) declares: with the schema's minimal params,
 * each declared key is taken (whatever the outcome, it is not -32602
 * about that key), and an undeclared one is refused with -32602 naming it.
 */
static void test_params_match_schemas(void **state)
{
	struct reply list = call("methods", NULL);
	json_t *published = json_object_get(expect_ok(&list), "methods");
	const struct rpc_method *m;

	(void)state;
	for (size_t i = 0; (m = methods_at(i)); i++) {
		json_t *schema = NULL, *entry, *params, *prop;
		const char *key;
		struct reply r;
		size_t j;

		json_array_foreach(published, j, entry)
			if (!strcmp(json_string_value(json_object_get(entry, "name")), m->name))
				schema = json_object_get(entry, "params");
		if (!schema)
			fail_msg("%s: not in the method list", m->name);

		r = call_json(NULL, m->name, schema_minimal(schema, NULL));
		if (r.code == RPC_INVALID_PARAMS)
			fail_msg("%s: its schema's minimal params are refused (field '%s'): %s",
				 m->name, r.field, r.message);
		reply_free(&r);

		json_object_foreach(json_object_get(schema, "properties"), key, prop) {
			params = schema_minimal(schema, key);
			json_object_set_new(params, key, schema_sample(prop));
			r = call_json(NULL, m->name, params);
			if (r.code == RPC_INVALID_PARAMS && !strcmp(r.field, key))
				fail_msg("%s: refuses '%s', which its schema declares: %s", m->name,
					 key, r.message);
			reply_free(&r);
		}

		params = schema_minimal(schema, NULL);
		json_object_set_new(params, "bogus", json_integer(1));
		r = call_json(NULL, m->name, params);
		if (r.code != RPC_INVALID_PARAMS || strcmp(r.field, "bogus"))
			fail_msg("%s: takes 'bogus', which its schema does not declare (%d, '%s')",
				 m->name, r.code, r.field);
		reply_free(&r);
	}
	reply_free(&list);
}

static void test_ping_info_config(void **state)
{
	struct reply r = call("ping", NULL);
	json_t *res;

	(void)state;
	assert_true(json_is_true(json_object_get(expect_ok(&r), "pong")));
	reply_free(&r);
	fails("ping", "{\"x\": 1}", RPC_INVALID_PARAMS, "x");
	fails("info", "{\"verbose\": true}", RPC_INVALID_PARAMS, "verbose");

	r = call("info", NULL);
	res = expect_ok(&r);
	assert_string_equal(json_string_value(json_object_get(res, "version")), PACKAGE_VERSION);
	assert_string_equal(json_string_value(json_object_get(res, "started")),
			    "2023-11-14T22:13:20Z");
	assert_string_equal(json_string_value(json_object_get(res, "rcu_flavor")), "memb");
	assert_int_equal(int_at(res, "threads"), 2);
	assert_true(json_is_boolean(json_object_get(res, "membarrier")));
	assert_true(json_is_null(json_object_get(res, "config_file")));
	assert_string_equal(json_string_value(json_object_get(res, "control_socket")),
			    "/run/routed/control.sock");
	assert_true(json_real_value(json_object_get(res, "uptime_seconds")) == 1.5);
	reply_free(&r);

	r = call("config.get", NULL);
	res = expect_ok(&r);
	assert_true(json_is_null(json_object_get(res, "path")));
	assert_true(json_is_object(json_object_get(res, "config")));
	reply_free(&r);

	ok("config.reload", NULL);
	harness->reload_result = -1;
	r = call("config.reload", NULL);
	expect_error(&r, RPC_INVALID_PARAMS, NULL);
	harness->reload_result = 0;
}

static void test_stats(void **state)
{
	struct reply r;
	json_t *res, *t;

	(void)state;
	ok("route.add", "{\"prefix\": \"10.0.0.0/8\"}");
	ok("route.add", "{\"prefix\": \"2001:db8::/32\"}");
	ok("route.add", "{\"prefix\": \"2001:db8::/32\", \"metric\": 5}");
	harness->d.counters.lookup_requests = 7;
	r = call("stats", NULL);
	res = expect_ok(&r);
	assert_int_equal(int_at(res, "routes"), 3);
	t = json_array_get(json_object_get(res, "tables"), 0);
	assert_int_equal(int_at(t, "id"), 254);
	assert_string_equal(json_string_value(json_object_get(t, "name")), "main");
	assert_int_equal(int_at(json_object_get(t, "ipv4"), "routes"), 1);
	assert_int_equal(int_at(json_object_get(t, "ipv6"), "routes"), 2);
	assert_int_equal(int_at(json_object_get(t, "ipv6"), "prefixes"), 1);
	assert_true(int_at(t, "memory_bytes") > 0);
	assert_true(json_real_value(json_object_get(t, "bytes_per_route")) > 0);
	assert_int_equal(int_at(json_object_get(res, "lookups"), "requests"), 7);
	assert_int_equal(int_at(json_object_get(res, "events"), "seq"), 3);
	assert_int_equal(int_at(json_object_get(res, "events"), "subscribers"), 0);
	/* Reclamation: what is queued, and the inline-wait fallbacks. */
	t = json_object_get(json_object_get(res, "rcu"), "reclaim");
	assert_true(json_is_integer(json_object_get(t, "pending_batches")));
	assert_true(json_is_integer(json_object_get(t, "pending_bytes")));
	assert_int_equal(int_at(t, "sync_fallbacks"), 0);
	assert_int_equal(int_at(t, "nomem_fallbacks"), 0);
	reply_free(&r);
}

/* The lookup service on 127.0.0.1 (a port the kernel picks), workers running. */
static struct udp_service *udp_start(unsigned threads, uint16_t *port)
{
	struct routed_config *cfg = &harness->config;
	struct udp_service *u;
	json_t *listeners;
	const char *text;
	char err[256];

	cfg->listen[0] = (struct config_listen){ .text = "127.0.0.1:0", .family = AF_INET,
						 .addr = { 127, 0, 0, 1 },
						 .table = RT_TABLE_MAIN };
	cfg->n_listen = 1;
	cfg->threads = threads;
	cfg->batch = 64;
	cfg->rounds = 8;
	cfg->socket_buffer = 1 << 20;
	u = udp_create(&harness->d);
	assert_non_null(u);
	if (udp_prepare(u, cfg, err, sizeof(err)))
		fail_msg("udp_prepare: %s", err);
	/* No gate here: no datagram arrives before the plan is committed. */
	udp_commit(u);
	udp_finish(u);
	listeners = udp_listeners_json(u);
	text = json_string_value(json_object_get(json_array_get(listeners, 0), "address"));
	assert_non_null(text);
	*port = (uint16_t)atoi(strrchr(text, ':') + 1);
	json_decref(listeners);
	return u;
}

/* Send one request for n IPv4 addresses to port and wait for its answer. */
static void udp_ask(int fd, uint16_t port, uint32_t id, size_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t req[RT_WIRE_MAX_PAYLOAD], resp[RT_WIRE_MAX_PAYLOAD];
	uint32_t addrs[RT_WIRE_MAX_COUNT4];
	struct rt_wire_header h;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len;
	ssize_t got;

	for (size_t i = 0; i < n; i++)
		addrs[i] = 0x0a000001u + (uint32_t)i;	/* 10.0.0.1, ... */
	len = rt_wire_encode_request4(req, sizeof(req), id, 0, addrs, n);
	assert_true(len > 0);
	assert_int_equal(sendto(fd, req, len, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)len);
	if (poll(&pfd, 1, 5000) != 1)
		fail_msg("no answer to request %u within 5 s", id);
	got = recv(fd, resp, sizeof(resp), 0);
	assert_int_equal(got, (ssize_t)len);
	assert_int_equal(rt_wire_parse_response(resp, (size_t)got, &h), RT_WIRE_OK);
	assert_int_equal(h.id, id);
	assert_int_equal(h.count, n);
}

/* stats.lookups is the total: route.lookup calls and the UDP service's lookups. */
static void test_stats_counts_udp_lookups(void **state)
{
	struct udp_service *u;
	json_t *lookups, *udp;
	uint64_t addresses = 0;
	struct reply r;
	uint16_t port;
	int fd;

	(void)state;
	ok("route.add", "{\"prefix\": \"10.0.0.0/8\"}");
	u = udp_start(2, &port);
	harness->d.udp = u;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	for (uint32_t i = 1; i <= 20; i++) {
		udp_ask(fd, port, i, i);
		addresses += i;
	}
	ok("route.lookup", "{\"addresses\": [\"10.0.0.1\", \"192.0.2.1\", \"2001:db8::1\"]}");

	r = call("stats", NULL);
	lookups = json_object_get(expect_ok(&r), "lookups");
	udp = json_object_get(r.result, "udp");
	assert_int_equal(int_at(udp, "datagrams"), 20);
	assert_int_equal(int_at(udp, "lookups"), addresses);
	assert_int_equal(int_at(lookups, "requests"), 20 + 1);
	assert_int_equal(int_at(lookups, "addresses"), addresses + 3);
	reply_free(&r);

	close(fd);
	harness->d.udp = NULL;
	udp_destroy(u);
}

/* route.add / replace / get / delete */

static void test_route_add_get_delete(void **state)
{
	struct reply r;
	json_t *res, *route, *routes;

	(void)state;
	r = call("route.add", "{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.1\"}");
	route = json_object_get(expect_ok(&r), "route");
	assert_int_equal(int_at(route, "table"), 254);
	assert_int_equal(int_at(route, "metric"), 0);
	assert_string_equal(json_string_value(json_object_get(route, "proto")), "static");
	assert_string_equal(json_string_value(json_object_get(route, "via")), "192.0.2.1");
	assert_true(json_is_null(json_object_get(route, "dev")));
	assert_true(json_is_null(json_object_get(route, "tag")));
	reply_free(&r);

	fails("route.add", "{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.7\"}",
	      RPC_ALREADY_EXISTS, "prefix");
	ok("route.add", "{\"prefix\": \"10.0.0.0/8\", \"proto\": \"bgp\", \"metric\": 20, "
			"\"dev\": \"eth0\", \"tag\": 65001}");
	fails("route.add", "{\"prefix\": \"10.0.0.1/8\"}", RPC_INVALID_PARAMS, "prefix");
	fails("route.add", "{}", RPC_INVALID_PARAMS, "prefix");
	fails("route.add", "{\"prefix\": \"10.9.0.0/16\", \"bogus\": 1}", RPC_INVALID_PARAMS,
	      "bogus");
	fails("route.add", "{\"prefix\": \"10.9.0.0/16\", \"table\": 7}", RPC_NOT_FOUND, "table");
	fails("route.add", "{\"prefix\": \"10.9.0.0/16\", \"table\": \"nope\"}", RPC_NOT_FOUND,
	      "table");
	fails("route.add", "{\"prefix\": \"10.9.0.0/16\", \"via\": \"2001:db8::1\"}",
	      RPC_INVALID_PARAMS, "via");
	fails("route.add", "{\"prefix\": \"10.9.0.0/16\", \"metric\": -1}", RPC_INVALID_PARAMS,
	      "metric");
	fails("route.add", "{\"prefix\": \"10.9.0.0/16\", \"proto\": \"Bad\"}",
	      RPC_INVALID_PARAMS, "proto");
	assert_int_equal(table_routes(254), 2);

	r = call("route.get", "{\"prefix\": \"10.0.0.0/8\", \"table\": \"main\"}");
	routes = json_object_get(expect_ok(&r), "routes");
	assert_int_equal(json_array_size(routes), 2);
	assert_int_equal(int_at(json_array_get(routes, 0), "metric"), 0);
	assert_int_equal(int_at(json_array_get(routes, 1), "metric"), 20);
	assert_int_equal(int_at(json_array_get(routes, 1), "tag"), 65001);
	reply_free(&r);
	fails("route.get", "{\"prefix\": \"10.0.0.0/16\"}", RPC_NOT_FOUND, "prefix");
	fails("route.get", "{}", RPC_INVALID_PARAMS, "prefix");
	fails("route.get", "{\"prefix\": 10}", RPC_INVALID_PARAMS, "prefix");
	fails("route.get", "{\"prefix\": \"10.0.0.0/8\", \"table\": 3}", RPC_NOT_FOUND, "table");
	fails("route.get", "{\"prefix\": \"10.0.0.0/8\", \"metric\": 3}", RPC_INVALID_PARAMS,
	      "metric");

	r = call("route.replace", "{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.9\"}");
	res = expect_ok(&r);
	assert_true(json_is_true(json_object_get(res, "replaced")));
	reply_free(&r);
	r = call("route.replace", "{\"prefix\": \"10.0.0.0/8\", \"metric\": 5}");
	assert_true(json_is_false(json_object_get(expect_ok(&r), "replaced")));
	reply_free(&r);
	fails("route.replace", "{\"prefix\": \"10.0.0.0/8\", \"table\": 9}", RPC_NOT_FOUND,
	      "table");
	assert_int_equal(table_routes(254), 3);

	r = call("route.delete", "{\"prefix\": \"10.0.0.0/8\", \"proto\": \"bgp\"}");
	routes = json_object_get(expect_ok(&r), "deleted");
	assert_int_equal(json_array_size(routes), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(routes, 0), "dev")),
			    "eth0");
	reply_free(&r);
	fails("route.delete", "{\"prefix\": \"10.0.0.0/8\", \"metric\": 99}", RPC_NOT_FOUND,
	      "prefix");
	fails("route.delete", "{\"prefix\": \"10.0.0.0/8\", \"metric\": -1}", RPC_INVALID_PARAMS,
	      "metric");
	fails("route.delete", "{\"prefix\": \"10.0.0.0/8\", \"via\": \"1.2.3.4\"}",
	      RPC_INVALID_PARAMS, "via");
	r = call("route.delete", "{\"prefix\": \"10.0.0.0/8\"}");
	assert_int_equal(json_array_size(json_object_get(expect_ok(&r), "deleted")), 2);
	reply_free(&r);
	assert_int_equal(table_routes(254), 0);
	fails("route.delete", "{\"prefix\": \"10.0.0.0/8\"}", RPC_NOT_FOUND, "prefix");
}

static void test_route_lookup(void **state)
{
	static const char *const expect[][2] = {
		{ "10.1.2.3", "10.1.0.0/16" }, { "10.2.0.1", "10.0.0.0/8" },
		{ "2001:db8::1", "2001:db8::/32" }, { "2001:db9::1", NULL },
		{ "::ffff:10.1.2.3", NULL }, { "192.168.1.1", "0.0.0.0/0" },
	};
	json_t *addrs = json_array(), *results, *big;
	struct reply r;

	(void)state;
	ok("route.add", "{\"prefix\": \"0.0.0.0/0\"}");
	ok("route.add", "{\"prefix\": \"10.0.0.0/8\"}");
	ok("route.add", "{\"prefix\": \"10.1.0.0/16\", \"via\": \"192.0.2.1\"}");
	ok("route.add", "{\"prefix\": \"2001:db8::/32\"}");
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		json_array_append_new(addrs, json_string(expect[i][0]));
	r = call_json(NULL, "route.lookup", json_pack("{s:O}", "addresses", addrs));
	results = json_object_get(expect_ok(&r), "results");
	assert_int_equal(json_array_size(results), sizeof(expect) / sizeof(expect[0]));
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		json_t *e = json_array_get(results, i);

		assert_string_equal(json_string_value(json_object_get(e, "address")),
				    expect[i][0]);
		if (expect[i][1]) {
			assert_string_equal(json_string_value(json_object_get(e, "prefix")),
					    expect[i][1]);
			assert_string_equal(json_string_value(json_object_get(
						    json_object_get(e, "route"), "prefix")),
					    expect[i][1]);
		} else {
			assert_true(json_is_null(json_object_get(e, "prefix")));
			assert_true(json_is_null(json_object_get(e, "route")));
		}
	}
	reply_free(&r);

	ok("table.create", "{\"id\": 10}");
	r = call_json(NULL, "route.lookup", json_pack("{s:O, s:i}", "addresses", addrs, "table", 10));
	results = json_object_get(expect_ok(&r), "results");
	for (size_t i = 0; i < json_array_size(results); i++)
		assert_true(json_is_null(json_object_get(json_array_get(results, i), "route")));
	reply_free(&r);
	json_decref(addrs);

	fails("route.lookup", "{\"addresses\": [\"10.0.0.1\", \"10.0.0.0/8\"]}",
	      RPC_INVALID_PARAMS, "addresses[1]");
	fails("route.lookup", "{\"addresses\": [1]}", RPC_INVALID_PARAMS, "addresses[0]");
	fails("route.lookup", "{\"addresses\": \"10.0.0.1\"}", RPC_INVALID_PARAMS, "addresses");
	fails("route.lookup", "{}", RPC_INVALID_PARAMS, "addresses");
	fails("route.lookup", "{\"addresses\": [], \"table\": 11}", RPC_NOT_FOUND, "table");
	big = json_array();
	for (int i = 0; i <= METHODS_ROUTE_LOOKUP_MAX; i++)
		json_array_append_new(big, json_string("10.0.0.1"));
	r = call_json(NULL, "route.lookup", json_pack("{s:o}", "addresses", big));
	expect_error(&r, RPC_TOO_LARGE, "addresses");
}

/* route.list */

/* Every page of a listing with params (a JSON object, borrowed); routes as {key: route}. */
static json_t *list_all(json_t *params, size_t limit, size_t *pages)
{
	json_t *seen = json_object(), *cursor = json_null();
	char last[128] = "";

	*pages = 0;
	for (;;) {
		json_t *p = json_deep_copy(params);
		struct reply r;
		json_t *res, *route;
		size_t i;

		json_object_set_new(p, "limit", json_integer((json_int_t)limit));
		json_object_set(p, "cursor", cursor);
		r = call_json(NULL, "route.list", p);
		res = expect_ok(&r);
		assert_true(json_array_size(json_object_get(res, "routes")) <= limit);
		json_array_foreach(json_object_get(res, "routes"), i, route) {
			char key[128];

			route_key(route, key, sizeof(key));
			if (json_object_get(seen, key))
				fail_msg("route %s listed twice", key);
			json_object_set(seen, key, route);
		}
		(void)last;
		json_decref(cursor);
		cursor = json_incref(json_object_get(res, "cursor"));
		(*pages)++;
		reply_free(&r);
		if (json_is_null(cursor))
			break;
	}
	json_decref(cursor);
	return seen;
}

static void add_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add_json(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ok("route.add", buf);
}

static size_t count_list(const char *params)
{
	json_t *p = json_loads(params, 0, NULL), *seen;
	size_t pages, n;

	assert_non_null(p);
	seen = list_all(p, 3, &pages);
	n = json_object_size(seen);
	json_decref(seen);
	json_decref(p);
	return n;
}

static void test_route_list_filters(void **state)
{
	struct reply r;
	json_t *routes;

	(void)state;
	ok("table.create", "{\"id\": 10, \"name\": \"ten\"}");
	add_json("{\"prefix\": \"10.0.0.0/8\"}");
	add_json("{\"prefix\": \"10.0.0.0/8\", \"proto\": \"bgp\", \"metric\": 20}");
	add_json("{\"prefix\": \"10.1.0.0/16\", \"proto\": \"bgp\"}");
	add_json("{\"prefix\": \"10.1.2.0/24\"}");
	add_json("{\"prefix\": \"11.0.0.0/8\"}");
	add_json("{\"prefix\": \"9.0.0.0/8\"}");
	add_json("{\"prefix\": \"0.0.0.0/0\"}");
	add_json("{\"prefix\": \"2001:db8::/32\"}");
	add_json("{\"prefix\": \"2001:db8:1::/48\", \"proto\": \"bgp\"}");
	add_json("{\"prefix\": \"10.1.0.0/16\", \"table\": \"ten\"}");
	add_json("{\"prefix\": \"::/0\", \"table\": 10}");

	assert_int_equal(count_list("{}"), 11);
	assert_int_equal(count_list("{\"table\": \"main\"}"), 9);
	assert_int_equal(count_list("{\"table\": 10}"), 2);
	assert_int_equal(count_list("{\"family\": \"inet\"}"), 8);
	assert_int_equal(count_list("{\"family\": \"inet6\"}"), 3);
	assert_int_equal(count_list("{\"proto\": \"bgp\"}"), 3);
	/* 10/8 (two routes), 10.1/16 twice (main and ten), 10.1.2/24 */
	assert_int_equal(count_list("{\"within\": \"10.0.0.0/8\"}"), 5);
	assert_int_equal(count_list("{\"within\": \"10.0.0.0/8\", \"proto\": \"bgp\"}"), 2);
	assert_int_equal(count_list("{\"within\": \"10.0.0.0/8\", \"family\": \"inet6\"}"), 0);
	assert_int_equal(count_list("{\"within\": \"2001:db8::/32\"}"), 2);
	/* 0/0, 10/8 twice, 10.1/16 (main and ten), 10.1.2/24 */
	assert_int_equal(count_list("{\"contains\": \"10.1.2.3\"}"), 6);
	assert_int_equal(count_list("{\"contains\": \"10.1.0.0/16\", \"table\": 254}"), 4);
	assert_int_equal(count_list("{\"contains\": \"2001:db8:1::5\"}"), 3);
	assert_int_equal(count_list("{\"contains\": \"10.1.2.3\", \"within\": \"10.0.0.0/8\"}"), 5);

	/* Walk order: table, family, prefix, preference. */
	r = call("route.list", "{\"limit\": 10000}");
	routes = json_object_get(expect_ok(&r), "routes");
	assert_int_equal(json_array_size(routes), 11);
	assert_true(json_is_null(json_object_get(r.result, "cursor")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(routes, 0), "prefix")),
			    "10.1.0.0/16");
	assert_string_equal(json_string_value(json_object_get(json_array_get(routes, 2), "prefix")),
			    "0.0.0.0/0");
	assert_int_equal(int_at(json_array_get(routes, 4), "metric"), 0);
	assert_int_equal(int_at(json_array_get(routes, 5), "metric"), 20);
	assert_string_equal(json_string_value(json_object_get(json_array_get(routes, 10), "prefix")),
			    "2001:db8:1::/48");
	reply_free(&r);

	fails("route.list", "{\"limit\": 0}", RPC_INVALID_PARAMS, "limit");
	fails("route.list", "{\"limit\": 10001}", RPC_INVALID_PARAMS, "limit");
	fails("route.list", "{\"family\": \"ipx\"}", RPC_INVALID_PARAMS, "family");
	fails("route.list", "{\"within\": \"10.0.0.1/8\"}", RPC_INVALID_PARAMS, "within");
	fails("route.list", "{\"contains\": \"nope\"}", RPC_INVALID_PARAMS, "contains");
	fails("route.list", "{\"proto\": \"NOPE\"}", RPC_INVALID_PARAMS, "proto");
	fails("route.list", "{\"table\": 99}", RPC_NOT_FOUND, "table");
	fails("route.list", "{\"sort\": 1}", RPC_INVALID_PARAMS, "sort");
	fails("route.list", "{\"cursor\": \"garbage\"}", RPC_INVALID_PARAMS, "cursor");
	fails("route.list", "{\"cursor\": 5}", RPC_INVALID_PARAMS, "cursor");
	fails("route.list", "{\"cursor\": \"1 254 10.0.0.0/8 0 static \"}", RPC_INVALID_PARAMS,
	      "cursor");
	fails("route.list", "{\"cursor\": \"1 254 10.0.0.1/8 0 static\"}", RPC_INVALID_PARAMS,
	      "cursor");
	fails("route.list", "{\"cursor\": \"1 4294967296 10.0.0.0/8 0 static\"}",
	      RPC_INVALID_PARAMS, "cursor");
	fails("route.list", "{\"cursor\": \"1 254 10.0.0.0/8 0 static\", \"table\": 10}",
	      RPC_INVALID_PARAMS, "cursor");
	/* A well-formed cursor resumes after its position. */
	r = call("route.list", "{\"cursor\": \"1 254 10.0.0.0/8 0 static\", \"table\": 254}");
	routes = json_object_get(expect_ok(&r), "routes");
	assert_int_equal(int_at(json_array_get(routes, 0), "metric"), 20);
	reply_free(&r);
}

static void random_route(char *buf, size_t len, uint32_t table)
{
	if (rand() % 4)
		snprintf(buf, len,
			 "{\"table\": %u, \"prefix\": \"10.%d.%d.0/24\", \"metric\": %d}", table,
			 rand() % 64, rand() % 64, rand() % 3);
	else
		snprintf(buf, len,
			 "{\"table\": %u, \"prefix\": \"2001:db8:%x::/48\", \"proto\": \"p%d\"}",
			 table, rand() % 4096, rand() % 3);
}

static void test_route_list_paginates_while_changing(void **state)
{
	unsigned seed = (unsigned)time(NULL);
	json_t *initial, *deleted = json_object(), *seen = json_object(), *cursor = json_null();
	const char *key;
	json_t *route;
	size_t pages = 0;

	(void)state;
	printf("# seed %u\n", seed);
	srand(seed);
	ok("table.create", "{\"id\": 20}");
	while (table_routes(254) + table_routes(20) < 3000) {
		char buf[256];
		struct reply r;

		random_route(buf, sizeof(buf), rand() % 2 ? 254 : 20);
		r = call("route.add", buf);
		reply_free(&r);
	}
	initial = dump_all();

	for (;;) {
		json_t *p = json_pack("{s:i, s:O}", "limit", 97, "cursor", cursor);
		struct reply r = call_json(NULL, "route.list", p);
		json_t *res = expect_ok(&r), *routes = json_object_get(res, "routes");
		char prev[128] = "";
		size_t i;

		json_array_foreach(routes, i, route) {
			char k[128];

			route_key(route, k, sizeof(k));
			if (json_object_get(seen, k))
				fail_msg("route %s listed twice", k);
			json_object_set_new(seen, k, json_true());
			(void)prev;
		}
		json_decref(cursor);
		cursor = json_incref(json_object_get(res, "cursor"));
		reply_free(&r);
		pages++;
		if (json_is_null(cursor))
			break;
		/* Between pages: delete some routes anywhere, add some anywhere. */
		for (int c = 0; c < 10; c++) {
			json_t *all = dump_all();
			size_t n = json_object_size(all), pick = (size_t)rand() % (n ? n : 1);
			void *iter = json_object_iter(all);
			char buf[256];

			while (pick-- && iter)
				iter = json_object_iter_next(all, iter);
			if (iter) {
				json_t *victim = json_object_iter_value(iter);
				json_t *dp = json_pack("{s:O, s:O, s:O, s:O}", "table",
						       json_object_get(victim, "table"), "prefix",
						       json_object_get(victim, "prefix"), "proto",
						       json_object_get(victim, "proto"), "metric",
						       json_object_get(victim, "metric"));
				struct reply d = call_json(NULL, "route.delete", dp);

				expect_ok(&d);
				reply_free(&d);
				json_object_set_new(deleted, json_object_iter_key(iter), json_true());
			}
			json_decref(all);
			random_route(buf, sizeof(buf), rand() % 2 ? 254 : 20);
			r = call("route.add", buf);
			reply_free(&r);
		}
	}
	assert_true(pages > 30);
	/* Nothing that existed throughout was missed. */
	json_object_foreach(initial, key, route) {
		if (!json_object_get(deleted, key) && !json_object_get(seen, key))
			fail_msg("route %s existed throughout but was not listed", key);
	}
	json_decref(cursor);
	json_decref(initial);
	json_decref(deleted);
	json_decref(seen);
}

/* route.flush */

static void test_route_flush(void **state)
{
	struct reply r;

	(void)state;
	ok("table.create", "{\"id\": 10}");
	add_json("{\"prefix\": \"10.0.0.0/8\"}");
	add_json("{\"prefix\": \"10.0.0.0/8\", \"proto\": \"bgp\"}");
	add_json("{\"prefix\": \"2001:db8::/32\", \"proto\": \"bgp\"}");
	add_json("{\"prefix\": \"10.0.0.0/8\", \"table\": 10}");
	add_json("{\"prefix\": \"11.0.0.0/8\", \"table\": 10}");

	r = call("route.flush", "{\"proto\": \"bgp\", \"family\": \"inet\"}");
	assert_int_equal(int_at(expect_ok(&r), "deleted"), 1);
	reply_free(&r);
	r = call("route.flush", "{\"table\": 10}");
	assert_int_equal(int_at(expect_ok(&r), "deleted"), 2);
	reply_free(&r);
	assert_int_equal(table_routes(10), 0);
	assert_int_equal(table_routes(254), 2);
	fails("route.flush", "{\"table\": 11}", RPC_NOT_FOUND, "table");
	fails("route.flush", "{\"family\": 4}", RPC_INVALID_PARAMS, "family");
	fails("route.flush", "{\"prefix\": \"10.0.0.0/8\"}", RPC_INVALID_PARAMS, "prefix");
	r = call("route.flush", NULL);
	assert_int_equal(int_at(expect_ok(&r), "deleted"), 2);
	reply_free(&r);
	assert_int_equal(change_stream_seq(harness->d.changes), 10);
}

/* Loads */

static json_t *load(const char *params)
{
	struct reply r = call("route.load", params);
	json_t *res = json_incref(expect_ok(&r));

	reply_free(&r);
	return res;
}

static void expect_counts(json_t *res, int added, int replaced, int deleted, int unchanged)
{
	assert_int_equal(int_at(res, "added"), added);
	assert_int_equal(int_at(res, "replaced"), replaced);
	assert_int_equal(int_at(res, "deleted"), deleted);
	assert_int_equal(int_at(res, "unchanged"), unchanged);
}

static void test_load_merge_replace_dry_run(void **state)
{
	json_t *res, *diff;
	uint64_t seq;

	(void)state;
	add_json("{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.1\"}");
	add_json("{\"prefix\": \"10.1.0.0/16\"}");
	add_json("{\"prefix\": \"10.2.0.0/16\"}");

	res = load("{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.2\"},"
		   " {\"prefix\": \"10.1.0.0/16\"}, {\"prefix\": \"10.3.0.0/16\"}]}");
	expect_counts(res, 1, 1, 0, 1);
	assert_true(json_is_false(json_object_get(res, "dry_run")));
	assert_null(json_object_get(res, "diff"));
	json_decref(res);
	assert_int_equal(table_routes(254), 4);
	seq = change_stream_seq(harness->d.changes);

	res = load("{\"routes\": [{\"prefix\": \"10.3.0.0/16\"}, {\"prefix\": \"10.4.0.0/16\"}],"
		   " \"replace\": true, \"dry_run\": true}");
	expect_counts(res, 1, 0, 3, 1);
	diff = json_object_get(res, "diff");
	assert_int_equal(json_array_size(diff), 4);
	assert_true(json_is_false(json_object_get(res, "diff_truncated")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(diff, 0), "op")), "add");
	assert_string_equal(json_string_value(json_object_get(json_array_get(diff, 1), "op")),
			    "delete");
	json_decref(res);
	res = load("{\"routes\": [{\"prefix\": \"10.3.0.0/16\"}], \"replace\": true,"
		   " \"dry_run\": true, \"diff_limit\": 2}");
	assert_int_equal(json_array_size(json_object_get(res, "diff")), 2);
	assert_true(json_is_true(json_object_get(res, "diff_truncated")));
	json_decref(res);
	res = load("{\"routes\": [], \"replace\": true, \"dry_run\": true, \"diff_limit\": 0}");
	expect_counts(res, 0, 0, 4, 0);
	assert_int_equal(json_array_size(json_object_get(res, "diff")), 0);
	assert_true(json_is_true(json_object_get(res, "diff_truncated")));
	json_decref(res);
	/* Dry runs change nothing. */
	assert_int_equal(table_routes(254), 4);
	assert_int_equal(change_stream_seq(harness->d.changes), seq);

	res = load("{\"routes\": [{\"prefix\": \"10.3.0.0/16\"}, {\"prefix\": \"10.4.0.0/16\"}],"
		   " \"replace\": true}");
	expect_counts(res, 1, 0, 3, 1);
	json_decref(res);
	assert_int_equal(table_routes(254), 2);
	assert_int_equal(change_stream_seq(harness->d.changes), seq + 4);

	/* table: the default and the only table allowed. */
	ok("table.create", "{\"id\": 10, \"name\": \"ten\"}");
	res = load("{\"routes\": [{\"prefix\": \"10.5.0.0/16\"}], \"table\": \"ten\"}");
	expect_counts(res, 1, 0, 0, 0);
	json_decref(res);
	assert_int_equal(table_routes(10), 1);
	fails("route.load", "{\"routes\": [{\"prefix\": \"10.5.0.0/16\", \"table\": 254}],"
			    " \"table\": 10}", RPC_INVALID_PARAMS, "routes[0].table");
	/* Replace without table: the tables the routes name. */
	res = load("{\"routes\": [{\"prefix\": \"10.6.0.0/16\", \"table\": 10}], \"replace\": true}");
	expect_counts(res, 1, 0, 1, 0);
	json_decref(res);
	assert_int_equal(table_routes(254), 2);
	/* Replace with nothing: main is emptied. */
	res = load("{\"routes\": [], \"replace\": true}");
	expect_counts(res, 0, 0, 2, 0);
	json_decref(res);
	assert_int_equal(table_routes(254), 0);
	assert_int_equal(table_routes(10), 1);

	fails("route.load", "{\"routes\": [{\"prefix\": \"1.0.0.0/8\"}], \"diff_limit\": 100001}",
	      RPC_INVALID_PARAMS, "diff_limit");
	fails("route.load", "{\"routes\": {}}", RPC_INVALID_PARAMS, "routes");
	fails("route.load", "{}", RPC_INVALID_PARAMS, "routes");
	fails("route.load", "{\"routes\": [], \"replace\": 1}", RPC_INVALID_PARAMS, "replace");
	fails("route.load", "{\"routes\": [], \"bogus\": 1}", RPC_INVALID_PARAMS, "bogus");
	fails("route.load", "{\"routes\": [{\"prefix\": \"1.0.0.0/8\", \"mtu\": 1}]}",
	      RPC_INVALID_PARAMS, "routes[0].mtu");
	fails("route.load", "{\"routes\": [5]}", RPC_INVALID_PARAMS, "routes[0]");
}

static void test_load_atomic(void **state)
{
	json_t *before, *after;
	uint64_t seq;
	struct reply r;

	(void)state;
	ok("table.create", "{\"id\": 10}");
	add_json("{\"prefix\": \"10.0.0.0/8\"}");
	add_json("{\"prefix\": \"10.0.0.0/8\", \"table\": 10}");
	add_json("{\"prefix\": \"2001:db8::/32\", \"table\": 10}");
	before = dump_all();
	seq = change_stream_seq(harness->d.changes);

	/* A duplicate at the very end: nothing in either table changes. */
	r = call("route.load", "{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.1\"},"
			       " {\"prefix\": \"11.0.0.0/8\", \"table\": 10},"
			       " {\"prefix\": \"12.0.0.0/8\"},"
			       " {\"prefix\": \"11.0.0.0/8\", \"table\": 10, \"dev\": \"x\"}],"
			       " \"replace\": true}");
	assert_non_null(strstr(r.message, "routes[1]"));
	expect_error(&r, RPC_INVALID_PARAMS, "routes[3]");
	/* A table that does not exist, named at the end. */
	fails("route.load", "{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.1\"},"
			    " {\"prefix\": \"11.0.0.0/8\", \"table\": 10},"
			    " {\"prefix\": \"12.0.0.0/8\", \"table\": 77}]}",
	      RPC_NOT_FOUND, "routes[2].table");
	fails("route.load", "{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.1\"},"
			    " {\"prefix\": \"12.0.0.1/8\"}]}",
	      RPC_INVALID_PARAMS, "routes[1].prefix");
	after = dump_all();
	assert_true(json_equal(before, after));
	assert_int_equal(change_stream_seq(harness->d.changes), seq);
	json_decref(before);
	json_decref(after);
}

static void test_load_apply_removals(void **state)
{
	struct rt_route routes[2], removals[3];
	struct load_request req = { 0 };
	struct load_result res;
	char err[256];

	(void)state;
	add_json("{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.1\"}");
	add_json("{\"prefix\": \"10.1.0.0/16\"}");
	add_json("{\"prefix\": \"10.2.0.0/16\"}");
	for (int i = 0; i < 3; i++)
		rt_route_init(&removals[i]);
	rt_prefix_parse("10.1.0.0/16", &removals[0].prefix, NULL, 0);
	rt_prefix_parse("10.9.0.0/16", &removals[1].prefix, NULL, 0);	/* absent: ignored */
	rt_prefix_parse("10.0.0.0/8", &removals[2].prefix, NULL, 0);	/* also loaded: kept */
	rt_route_init(&routes[0]);
	rt_route_init(&routes[1]);
	rt_prefix_parse("10.0.0.0/8", &routes[0].prefix, NULL, 0);
	rt_prefix_parse("10.3.0.0/16", &routes[1].prefix, NULL, 0);
	req.routes = routes;
	req.n_routes = 2;
	req.removals = removals;
	req.n_removals = 3;
	assert_int_equal(load_apply(&harness->d, &req, &res, err, sizeof(err)), 0);
	assert_int_equal(res.added, 1);
	assert_int_equal(res.replaced, 1);	/* the gateway went away */
	assert_int_equal(res.deleted, 1);
	assert_int_equal(res.unchanged, 0);
	load_result_release(&res);
	assert_int_equal(table_routes(254), 3);

	removals[1].table = 4242;
	assert_int_equal(load_apply(&harness->d, &req, &res, err, sizeof(err)), -ENOENT);
	assert_string_equal(res.error_field, "removals[1].table");
	load_result_release(&res);
}

/*
 * validate() looks a table up once a run of its routes: a missing table
 * after a run of an existing one is still named; routes_valid skips the
 * route checks only, never the tables' or the duplicates'.
 */
static void test_load_apply_tables_and_trusted_routes(void **state)
{
	struct rt_route routes[4];
	struct load_request req = { .routes = routes, .n_routes = 4 };
	struct load_result res;
	char err[256];
	const char *prefixes[4] = { "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16" };

	(void)state;
	for (int i = 0; i < 4; i++) {
		rt_route_init(&routes[i]);
		rt_prefix_parse(prefixes[i], &routes[i].prefix, NULL, 0);
	}
	routes[3].table = 4242;
	assert_int_equal(load_apply(&harness->d, &req, &res, err, sizeof(err)), -ENOENT);
	assert_string_equal(res.error_field, "routes[3].table");
	load_result_release(&res);
	req.routes_valid = true;
	assert_int_equal(load_apply(&harness->d, &req, &res, err, sizeof(err)), -ENOENT);
	assert_string_equal(res.error_field, "routes[3].table");
	load_result_release(&res);
	/* A duplicate key is refused whether the routes were checked or not. */
	routes[3] = routes[2];
	assert_int_equal(load_apply(&harness->d, &req, &res, err, sizeof(err)), -EINVAL);
	assert_string_equal(res.error_field, "routes[3]");
	load_result_release(&res);
	/* An invalid route is refused unless the caller vouches for it. */
	rt_prefix_parse("10.4.0.0/16", &routes[3].prefix, NULL, 0);
	routes[3].type = 200;
	req.routes_valid = false;
	assert_int_equal(load_apply(&harness->d, &req, &res, err, sizeof(err)), -EINVAL);
	assert_string_equal(res.error_field, "routes[3]");
	load_result_release(&res);
	assert_int_equal(table_routes(254), 0);
	routes[3].type = RT_TYPE_UNICAST;
	req.routes_valid = true;
	assert_int_equal(load_apply(&harness->d, &req, &res, err, sizeof(err)), 0);
	assert_int_equal(res.added, 4);
	load_result_release(&res);
	assert_int_equal(table_routes(254), 4);
}

/* Transactions */

static struct reply txn_call(struct control_conn *c, const char *method, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct reply txn_call(struct control_conn *c, const char *method, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return call_on(c, method, buf);
}

static json_int_t begin(struct control_conn *c, const char *params)
{
	struct reply r = call_on(c, "load.begin", params);
	json_int_t id = int_at(expect_ok(&r), "txn");

	reply_free(&r);
	return id;
}

static void test_transactions(void **state)
{
	struct control_conn *c = conn_new(), *other = conn_new(), *many[TXN_MAX];
	json_int_t txn;
	struct reply r;

	(void)state;
	txn = begin(c, NULL);
	r = call_on(c, "load.begin", NULL);
	expect_error(&r, RPC_BUSY, NULL);
	assert_int_equal(txn_count(&harness->d), 1);

	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"10.0.0.0/8\"},"
				    " {\"prefix\": \"10.1.0.0/16\"}]}", (long long)txn);
	assert_int_equal(int_at(expect_ok(&r), "staged"), 2);
	reply_free(&r);
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"10.2.0.0/16\"},"
				    " {\"prefix\": \"10.3.0.1/16\"}]}", (long long)txn);
	assert_non_null(strstr(r.message, "chunk 2"));
	expect_error(&r, RPC_INVALID_PARAMS, "routes[1].prefix");
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"10.2.0.0/16\","
				    " \"table\": 55}]}", (long long)txn);
	expect_error(&r, RPC_NOT_FOUND, "routes[0].table");
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"10.2.0.0/16\"}]}",
		     (long long)txn);
	assert_int_equal(int_at(expect_ok(&r), "staged"), 3);
	reply_free(&r);
	/* Not visible to another connection. */
	r = txn_call(other, "load.add", "{\"txn\": %lld, \"routes\": []}", (long long)txn);
	expect_error(&r, RPC_NOT_FOUND, "txn");
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": []}", (long long)txn + 100);
	expect_error(&r, RPC_NOT_FOUND, "txn");
	r = txn_call(c, "load.add", "{\"txn\": %lld}", (long long)txn);
	expect_error(&r, RPC_INVALID_PARAMS, "routes");

	r = txn_call(c, "load.commit", "{\"txn\": %lld, \"dry_run\": true}", (long long)txn);
	assert_int_equal(int_at(expect_ok(&r), "added"), 3);
	assert_int_equal(json_array_size(json_object_get(r.result, "diff")), 3);
	reply_free(&r);
	assert_int_equal(table_routes(254), 0);
	r = txn_call(c, "load.commit", "{\"txn\": %lld}", (long long)txn);
	assert_int_equal(int_at(expect_ok(&r), "added"), 3);
	reply_free(&r);
	assert_int_equal(table_routes(254), 3);
	assert_int_equal(txn_count(&harness->d), 0);
	r = txn_call(c, "load.commit", "{\"txn\": %lld}", (long long)txn);
	expect_error(&r, RPC_NOT_FOUND, "txn");

	/* A duplicate across chunks is found at commit and named by chunk. */
	txn = begin(c, "{\"replace\": true}");
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"10.0.0.0/8\"}]}",
		     (long long)txn);
	reply_free(&r);
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"10.0.0.0/8\"}]}",
		     (long long)txn);
	reply_free(&r);
	r = txn_call(c, "load.commit", "{\"txn\": %lld}", (long long)txn);
	assert_non_null(strstr(r.message, "chunk 2"));
	expect_error(&r, RPC_INVALID_PARAMS, "routes[0]");
	assert_int_equal(table_routes(254), 3);
	assert_int_equal(txn_count(&harness->d), 0);

	/* Replace into one table. */
	ok("table.create", "{\"id\": 10}");
	add_json("{\"prefix\": \"192.0.2.0/24\", \"table\": 10}");
	txn = begin(c, "{\"replace\": true, \"table\": 10}");
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"10.0.0.0/8\"}]}",
		     (long long)txn);
	reply_free(&r);
	r = txn_call(c, "load.commit", "{\"txn\": %lld}", (long long)txn);
	expect_ok(&r);
	reply_free(&r);
	assert_int_equal(table_routes(10), 1);
	assert_int_equal(table_routes(254), 3);

	/* Abort; the staging cap; closing the connection aborts. */
	txn = begin(c, NULL);
	r = txn_call(c, "load.abort", "{\"txn\": %lld}", (long long)txn);
	expect_ok(&r);
	reply_free(&r);
	r = txn_call(c, "load.abort", "{\"txn\": %lld}", (long long)txn);
	expect_error(&r, RPC_NOT_FOUND, "txn");
	txn_set_max_routes(&harness->d, 2);
	txn = begin(c, NULL);
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"1.0.0.0/8\"},"
				    " {\"prefix\": \"2.0.0.0/8\"}, {\"prefix\": \"3.0.0.0/8\"}]}",
		     (long long)txn);
	expect_error(&r, RPC_TOO_LARGE, "routes");
	txn_set_max_routes(&harness->d, TXN_MAX_ROUTES);
	conn_close(c);
	assert_int_equal(txn_count(&harness->d), 0);

	/* At most TXN_MAX at once. */
	for (int i = 0; i < TXN_MAX; i++) {
		many[i] = conn_new();
		begin(many[i], NULL);
	}
	r = call_on(other, "load.begin", NULL);
	expect_error(&r, RPC_BUSY, NULL);
	for (int i = 0; i < TXN_MAX; i++)
		conn_close(many[i]);
	assert_int_equal(txn_count(&harness->d), 0);
	conn_close(other);
}

/* Tables */

/*
 * Route-file lines load the same routes as route objects; a bad line is
 * named lines[i], with the chunk in load.add.
 */
static void test_load_lines(void **state)
{
	struct control_conn *c = conn_new();
	json_t *res, *by_objects, *by_lines;
	json_int_t txn;
	struct reply r;

	(void)state;
	ok("table.create", "{\"id\": 10, \"name\": \"ten\"}");
	res = load("{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.1\","
		   " \"metric\": 5, \"tag\": 7}, {\"prefix\": \"2001:db8::/32\", \"dev\": \"eth1\","
		   " \"proto\": \"bgp\"}, {\"prefix\": \"10.1.0.0/16\", \"table\": 10}]}");
	expect_counts(res, 3, 0, 0, 0);
	json_decref(res);
	by_objects = dump_all();
	res = load("{\"routes\": [], \"replace\": true}");
	json_decref(res);
	res = load("{\"routes\": [], \"replace\": true, \"table\": 10}");
	json_decref(res);
	assert_int_equal(table_routes(254) + table_routes(10), 0);

	res = load("{\"lines\": [\"10.0.0.0/8 via 192.0.2.1 metric 5 tag 7 # comment\","
		   " \"2001:db8::/32 dev eth1 proto bgp\", \"10.1.0.0/16 table 10\"]}");
	expect_counts(res, 3, 0, 0, 0);
	json_decref(res);
	by_lines = dump_all();
	assert_true(json_equal(by_objects, by_lines));
	json_decref(by_objects);
	json_decref(by_lines);

	/* A load's table: lines in main go there; one naming another table is refused. */
	res = load("{\"lines\": [\"10.2.0.0/16\", \"10.3.0.0/16 table 10\"], \"table\": \"ten\"}");
	expect_counts(res, 2, 0, 0, 0);
	json_decref(res);
	assert_int_equal(table_routes(10), 3);
	fails("route.load", "{\"lines\": [\"10.4.0.0/16\", \"10.5.0.0/16 table 11\"],"
			    " \"table\": 10}", RPC_INVALID_PARAMS, "lines[1].table");
	fails("route.load", "{\"lines\": [\"10.4.0.0/16 table 55\"]}", RPC_NOT_FOUND,
	      "lines[0].table");
	fails("route.load", "{\"lines\": [\"10.4.0.0/16\", \"10.5.0.1/16\"]}", RPC_INVALID_PARAMS,
	      "lines[1]");
	fails("route.load", "{\"lines\": [\"10.4.0.0/16 mtu 5\"]}", RPC_INVALID_PARAMS,
	      "lines[0]");
	fails("route.load", "{\"lines\": [\"10.4.0.0/16\", 7]}", RPC_INVALID_PARAMS, "lines[1]");
	/* One route per line, so that lines[i] is the i-th route in every message. */
	fails("route.load", "{\"lines\": [\"10.4.0.0/16\", \"# no route\"]}", RPC_INVALID_PARAMS,
	      "lines[1]");
	fails("route.load", "{\"lines\": \"10.4.0.0/16\"}", RPC_INVALID_PARAMS, "lines");
	fails("route.load", "{\"lines\": [], \"routes\": []}", RPC_INVALID_PARAMS, "lines");
	/* Duplicates within lines, as within routes. */
	fails("route.load", "{\"lines\": [\"10.4.0.0/16\", \"10.4.0.0/16 via 192.0.2.1\"]}",
	      RPC_INVALID_PARAMS, "lines[1]");
	assert_int_equal(table_routes(254), 2);
	assert_int_equal(table_routes(10), 3);

	/* load.add: lines and route objects may come in different chunks. */
	txn = begin(c, "{\"table\": 10}");
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"lines\": [\"10.6.0.0/16\"]}", (long long)txn);
	assert_int_equal(int_at(expect_ok(&r), "staged"), 1);
	reply_free(&r);
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"10.7.0.0/16\"}]}",
		     (long long)txn);
	assert_int_equal(int_at(expect_ok(&r), "staged"), 2);
	reply_free(&r);
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"lines\": [\"10.8.0.0/16\", \"bogus\"]}",
		     (long long)txn);
	assert_non_null(strstr(r.message, "chunk 3, lines[1]: "));
	expect_error(&r, RPC_INVALID_PARAMS, "lines[1]");
	r = txn_call(c, "load.commit", "{\"txn\": %lld}", (long long)txn);
	assert_int_equal(int_at(expect_ok(&r), "added"), 2);
	reply_free(&r);
	assert_int_equal(table_routes(10), 5);
	/* A duplicate found at commit is named the way its chunk named it. */
	txn = begin(c, NULL);
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"routes\": [{\"prefix\": \"10.9.0.0/16\"}]}",
		     (long long)txn);
	reply_free(&r);
	r = txn_call(c, "load.add", "{\"txn\": %lld, \"lines\": [\"10.10.0.0/16\", \"10.9.0.0/16\"]}",
		     (long long)txn);
	reply_free(&r);
	r = txn_call(c, "load.commit", "{\"txn\": %lld}", (long long)txn);
	assert_non_null(strstr(r.message, "chunk 2, lines[1] "));
	expect_error(&r, RPC_INVALID_PARAMS, "lines[1]");
	conn_close(c);
}

static void test_table_methods(void **state)
{
	struct reply r;
	json_t *tables;

	(void)state;
	r = call("table.create", "{\"id\": 10, \"name\": \"ten\"}");
	assert_int_equal(int_at(json_object_get(expect_ok(&r), "table"), "id"), 10);
	reply_free(&r);
	fails("table.create", "{\"id\": 10}", RPC_ALREADY_EXISTS, "id");
	fails("table.create", "{\"id\": 11, \"name\": \"ten\"}", RPC_ALREADY_EXISTS, "name");
	fails("table.create", "{\"id\": 11, \"name\": \"123\"}", RPC_INVALID_PARAMS, "name");
	fails("table.create", "{\"id\": 0}", RPC_INVALID_PARAMS, "id");
	fails("table.create", "{\"id\": 4294967296}", RPC_INVALID_PARAMS, "id");
	fails("table.create", "{\"name\": \"x\"}", RPC_INVALID_PARAMS, "id");
	ok("table.create", "{\"id\": 4294967295}");

	add_json("{\"prefix\": \"10.0.0.0/8\", \"table\": \"ten\"}");
	add_json("{\"prefix\": \"2001:db8::/32\", \"table\": \"ten\"}");
	add_json("{\"prefix\": \"2001:db8::/32\", \"table\": \"ten\", \"metric\": 1}");
	r = call("table.list", NULL);
	tables = json_object_get(expect_ok(&r), "tables");
	assert_int_equal(json_array_size(tables), 3);
	assert_int_equal(int_at(json_array_get(tables, 0), "id"), 10);
	assert_int_equal(int_at(json_array_get(tables, 0), "ipv4_routes"), 1);
	assert_int_equal(int_at(json_array_get(tables, 0), "ipv6_routes"), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(tables, 1), "name")),
			    "main");
	assert_true(json_is_null(json_object_get(json_array_get(tables, 2), "name")));
	reply_free(&r);

	fails("table.delete", "{\"table\": \"main\"}", RPC_INVALID_PARAMS, "table");
	fails("table.delete", "{\"table\": 254}", RPC_INVALID_PARAMS, "table");
	fails("table.delete", "{}", RPC_INVALID_PARAMS, "table");
	r = call("table.delete", "{\"table\": \"ten\"}");
	assert_int_equal(int_at(expect_ok(&r), "deleted_routes"), 3);
	reply_free(&r);
	fails("table.delete", "{\"table\": \"ten\"}", RPC_NOT_FOUND, "table");
	fails("table.delete", "{\"table\": 10}", RPC_NOT_FOUND, "table");
	assert_int_equal(change_stream_seq(harness->d.changes), 6);
}

/* Subscriptions */

static json_t *note(struct control_conn *c, size_t i)
{
	json_t *n = json_array_get(c->notes, i);

	if (!n)
		fail_msg("no notification %zu (have %zu)", i, json_array_size(c->notes));
	return n;
}

static void expect_note(struct control_conn *c, size_t i, const char *op, const char *prefix,
			uint64_t seq)
{
	json_t *n = note(c, i);

	assert_string_equal(json_string_value(json_object_get(n, "op")), op);
	assert_int_equal(int_at(n, "seq"), seq);
	if (prefix)
		assert_string_equal(json_string_value(json_object_get(
					    json_object_get(n, "route"), "prefix")),
				    prefix);
}

static json_int_t subscribe(struct control_conn *c, const char *params, uint64_t *seq)
{
	struct reply r = call_on(c, "subscribe", params);
	json_int_t id = int_at(expect_ok(&r), "subscription");

	if (seq)
		*seq = (uint64_t)int_at(r.result, "seq");
	reply_free(&r);
	return id;
}

/* The "type" of a route object at key in obj ("route"), or of obj itself (NULL). */
static const char *type_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(key ? json_object_get(obj, key) : obj, "type"));
}

/*
 * Route types through every method: added, replaced, read back, looked up,
 * loaded as objects and as lines, and in the events; a rejecting route
 * with a next hop and an unknown type are refused, naming the field.
 */
static void test_route_types(void **state)
{
	struct control_conn *a = conn_new();
	json_t *res, *routes;
	struct reply r;

	(void)state;
	subscribe(a, NULL, NULL);
	ok("route.add", "{\"prefix\": \"10.0.0.0/8\", \"type\": \"blackhole\", \"tag\": 3}");
	ok("route.add", "{\"prefix\": \"10.1.0.0/16\", \"via\": \"192.0.2.1\", \"type\": \"unicast\"}");
	ok("route.add", "{\"prefix\": \"10.2.0.0/16\", \"type\": null}");
	fails("route.add", "{\"prefix\": \"10.3.0.0/16\", \"type\": \"blackhole\", \"via\": \"192.0.2.1\"}",
	      RPC_INVALID_PARAMS, "via");
	fails("route.add", "{\"prefix\": \"10.3.0.0/16\", \"type\": \"prohibit\", \"dev\": \"eth0\"}",
	      RPC_INVALID_PARAMS, "dev");
	fails("route.add", "{\"prefix\": \"10.3.0.0/16\", \"type\": \"local\"}", RPC_INVALID_PARAMS,
	      "type");
	fails("route.add", "{\"prefix\": \"10.3.0.0/16\", \"type\": 1}", RPC_INVALID_PARAMS, "type");

	r = call("route.get", "{\"prefix\": \"10.0.0.0/8\"}");
	routes = json_object_get(expect_ok(&r), "routes");
	assert_string_equal(type_of(json_array_get(routes, 0), NULL), "blackhole");
	assert_true(json_is_null(json_object_get(json_array_get(routes, 0), "via")));
	reply_free(&r);
	r = call("route.lookup", "{\"addresses\": [\"10.9.9.9\", \"10.1.0.1\", \"10.2.0.1\"]}");
	res = json_object_get(expect_ok(&r), "results");
	assert_string_equal(type_of(json_array_get(res, 0), "route"), "blackhole");
	assert_string_equal(type_of(json_array_get(res, 1), "route"), "unicast");
	assert_string_equal(type_of(json_array_get(res, 2), "route"), "unicast");
	reply_free(&r);

	/* A replace changes the type; the key is (prefix, proto, metric) as before. */
	r = call("route.replace", "{\"prefix\": \"10.1.0.0/16\", \"type\": \"unreachable\"}");
	assert_true(json_is_true(json_object_get(expect_ok(&r), "replaced")));
	assert_string_equal(type_of(r.result, "route"), "unreachable");
	reply_free(&r);
	r = call("route.list", NULL);
	routes = json_object_get(expect_ok(&r), "routes");
	assert_int_equal(json_array_size(routes), 3);
	assert_string_equal(type_of(json_array_get(routes, 0), NULL), "blackhole");
	assert_string_equal(type_of(json_array_get(routes, 1), NULL), "unreachable");
	reply_free(&r);

	res = load("{\"lines\": [\"prohibit 10.4.0.0/16 metric 2\", \"10.5.0.0/16\"]}");
	expect_counts(res, 2, 0, 0, 0);
	json_decref(res);
	res = load("{\"routes\": [{\"prefix\": \"10.6.0.0/16\", \"type\": \"blackhole\"}]}");
	expect_counts(res, 1, 0, 0, 0);
	json_decref(res);
	r = call("route.get", "{\"prefix\": \"10.4.0.0/16\"}");
	assert_string_equal(type_of(json_array_get(json_object_get(expect_ok(&r), "routes"), 0),
				    NULL), "prohibit");
	reply_free(&r);
	r = call("route.load", "{\"lines\": [\"blackhole 10.7.0.0/16 via 192.0.2.1\"]}");
	assert_int_equal(r.code, RPC_INVALID_PARAMS);
	assert_non_null(strstr(r.message, "a blackhole route has no via or dev"));
	reply_free(&r);

	expect_note(a, 0, "add", "10.0.0.0/8", 1);
	assert_string_equal(type_of(note(a, 0), "route"), "blackhole");
	assert_string_equal(type_of(note(a, 1), "route"), "unicast");
	assert_string_equal(type_of(note(a, 3), "route"), "unreachable");
	conn_close(a);
}

static void test_events_fan_out(void **state)
{
	struct control_conn *a = conn_new(), *b = conn_new(), *gone = conn_new();
	uint64_t seq;
	json_int_t sub_a;
	struct reply r;

	(void)state;
	ok("table.create", "{\"id\": 10}");
	add_json("{\"prefix\": \"1.0.0.0/8\"}");
	sub_a = subscribe(a, NULL, &seq);
	assert_int_equal(seq, 1);
	assert_int_equal(seq, change_stream_seq(harness->d.changes));
	subscribe(b, "{\"tables\": [10]}", NULL);
	subscribe(gone, NULL, NULL);
	gone->refuse = true;	/* over its output cap from now on */
	assert_int_equal(change_stream_subscribers(harness->d.changes), 3);
	fails("subscribe", "{\"tables\": [11]}", RPC_NOT_FOUND, "tables[0]");
	fails("subscribe", "{\"tables\": []}", RPC_INVALID_PARAMS, "tables");
	fails("subscribe", "{\"snapshot\": 1}", RPC_INVALID_PARAMS, "snapshot");

	add_json("{\"prefix\": \"10.0.0.0/8\"}");
	add_json("{\"prefix\": \"10.0.0.0/8\", \"table\": 10}");
	ok("route.replace", "{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.1\"}");
	ok("route.delete", "{\"prefix\": \"1.0.0.0/8\"}");
	ok("route.flush", NULL);	/* every table */
	add_json("{\"prefix\": \"10.9.0.0/16\", \"table\": 10}");
	ok("table.delete", "{\"table\": 10}");
	/* Failed changes publish nothing. */
	fails("route.add", "{\"prefix\": \"10.1.0.0/16\", \"table\": 10}", RPC_NOT_FOUND, "table");

	assert_int_equal(json_array_size(a->notes), 8);
	expect_note(a, 0, "add", "10.0.0.0/8", 2);
	expect_note(a, 1, "add", "10.0.0.0/8", 3);
	assert_int_equal(int_at(json_object_get(note(a, 1), "route"), "table"), 10);
	expect_note(a, 2, "add", "10.0.0.0/8", 4);
	assert_string_equal(json_string_value(json_object_get(json_object_get(note(a, 2), "route"),
							      "via")),
			    "192.0.2.1");
	expect_note(a, 3, "delete", "1.0.0.0/8", 5);
	/* flush: every table, in id order */
	expect_note(a, 4, "delete", "10.0.0.0/8", 6);
	assert_int_equal(int_at(json_object_get(note(a, 4), "route"), "table"), 10);
	expect_note(a, 5, "delete", "10.0.0.0/8", 7);
	assert_int_equal(int_at(json_object_get(note(a, 5), "route"), "table"), 254);
	expect_note(a, 6, "add", "10.9.0.0/16", 8);
	expect_note(a, 7, "delete", "10.9.0.0/16", 9);	/* table.delete */
	assert_int_equal(int_at(note(a, 0), "subscription"), sub_a);
	assert_int_equal(json_array_size(b->notes), 4);
	expect_note(b, 0, "add", "10.0.0.0/8", 3);
	expect_note(b, 1, "delete", "10.0.0.0/8", 6);
	expect_note(b, 3, "delete", "10.9.0.0/16", 9);
	assert_int_equal(json_array_size(gone->notes), 0);

	/* Loads publish each effective change. */
	r = call("route.load", "{\"routes\": [{\"prefix\": \"20.0.0.0/8\"},"
			       " {\"prefix\": \"21.0.0.0/8\"}]}");
	reply_free(&r);
	assert_int_equal(json_array_size(a->notes), 10);
	expect_note(a, 9, "add", "21.0.0.0/8", 11);

	r = call_on(b, "unsubscribe", "{\"subscription\": 999}");
	expect_error(&r, RPC_NOT_FOUND, "subscription");
	r = txn_call(b, "unsubscribe", "{\"subscription\": %lld}", (long long)sub_a);
	expect_error(&r, RPC_NOT_FOUND, "subscription");
	r = txn_call(a, "unsubscribe", "{\"subscription\": %lld}", (long long)sub_a);
	expect_ok(&r);
	reply_free(&r);
	add_json("{\"prefix\": \"22.0.0.0/8\"}");
	assert_int_equal(json_array_size(a->notes), 10);
	assert_int_equal(change_stream_subscribers(harness->d.changes), 2);
	conn_close(b);
	conn_close(gone);
	assert_int_equal(change_stream_subscribers(harness->d.changes), 0);
	/* Without subscribers the sequence still counts every change. */
	add_json("{\"prefix\": \"23.0.0.0/8\"}");
	assert_int_equal(change_stream_seq(harness->d.changes), 13);
	conn_close(a);
}

/* Apply notifications to a model: snapshot/add upsert, delete removes. */
static void apply_notes(json_t *model, struct control_conn *c, size_t *next, int *ends,
			uint64_t *last_seq)
{
	for (; *next < json_array_size(c->notes); (*next)++) {
		json_t *n = json_array_get(c->notes, *next), *route = json_object_get(n, "route");
		const char *op = json_string_value(json_object_get(n, "op"));
		uint64_t seq = (uint64_t)int_at(n, "seq");
		char key[128];

		assert_true(seq >= *last_seq);
		if (!strcmp(op, "resync")) {
			/* Start over: everything known so far is void. */
			json_object_clear(model);
			*last_seq = seq;
			continue;
		}
		if (!strcmp(op, "snapshot_end")) {
			(*ends)++;
			continue;
		}
		route_key(route, key, sizeof(key));
		if (!strcmp(op, "add") || !strcmp(op, "delete")) {
			/* Changes arrive one by one, in order, none missing. */
			assert_int_equal(seq, *last_seq + 1);
			*last_seq = seq;
		}
		if (!strcmp(op, "delete"))
			json_object_del(model, key);
		else
			json_object_set(model, key, route);
	}
}

static void random_change(void)
{
	char buf[256];
	struct reply r;

	random_route(buf, sizeof(buf), rand() % 2 ? 254 : 30);
	switch (rand() % 3) {
	case 0:
		r = call("route.add", buf);
		break;
	case 1:
		r = call("route.replace", buf);
		break;
	default: {
		json_t *p = json_loads(buf, 0, NULL);

		/* The key of a route that may or may not exist. */
		r = call_json(NULL, "route.delete", p);
		break;
	}
	}
	reply_free(&r);
}

static void test_snapshot_consistent_with_events(void **state)
{
	unsigned seed = (unsigned)time(NULL);
	struct control_conn *c = conn_new();
	json_t *model = json_object(), *actual;
	size_t next = 0;
	uint64_t seq;
	int ends = 0, turns = 0;

	(void)state;
	printf("# seed %u\n", seed);
	srand(seed);
	ok("table.create", "{\"id\": 30}");
	ok("table.create", "{\"id\": 31}");	/* not subscribed: never in the stream */
	add_json("{\"prefix\": \"10.0.0.0/8\", \"table\": 31}");
	while (table_routes(254) + table_routes(30) < 2000)
		random_change();
	c->cap = 128 << 10;	/* a short queue, so the stream must be paced */
	subscribe(c, "{\"tables\": [254, \"30\"], \"snapshot\": true}", &seq);
	/* Nothing before the response: the snapshot starts on the loop's next turn. */
	assert_int_equal(json_array_size(c->notes), 0);
	while (!ends) {
		for (int i = 0; i < 5; i++)
			random_change();
		/* The peer reads everything; the drain hook or the loop resumes the stream. */
		c->pending = 0;
		if (c->drain.fn && turns % 2)
			c->drain.fn(c, c->drain.arg);
		else
			event_base_loop(harness->d.base, EVLOOP_NONBLOCK);
		assert_false(c->refuse);
		apply_notes(model, c, &next, &ends, &seq);
		turns++;
		assert_true(turns < 10000);
	}
	/* Streamed in steps, not all at once. */
	assert_true(turns >= 4);
	c->pending = 0;
	c->cap = 16 << 20;
	for (int i = 0; i < 50; i++)
		random_change();
	run_loop();
	apply_notes(model, c, &next, &ends, &seq);
	assert_int_equal(ends, 1);
	assert_int_equal(seq, change_stream_seq(harness->d.changes));

	actual = dump_all();
	json_object_del(actual, "31 10.0.0.0/8 0 static");
	if (!json_equal(model, actual)) {
		const char *key;
		json_t *v;

		json_object_foreach(actual, key, v)
			if (!json_equal(v, json_object_get(model, key)))
				fail_msg("route %s: stream and table disagree", key);
		fail_msg("the stream holds %zu routes, the tables %zu", json_object_size(model),
			 json_object_size(actual));
	}
	json_decref(actual);
	json_decref(model);
	conn_close(c);
}

static void test_snapshot_subscriber_goes_away(void **state)
{
	struct control_conn *c = conn_new();
	size_t n;

	(void)state;
	for (int i = 0; i < 600; i++)
		add_json("{\"prefix\": \"10.%d.%d.0/24\"}", i / 256, i % 256);
	c->cap = 64 << 10;
	subscribe(c, "{\"snapshot\": true}", NULL);
	event_base_loop(harness->d.base, EVLOOP_NONBLOCK);
	n = json_array_size(c->notes);
	assert_true(n > 0 && n < 600);
	/* Over the cap mid-snapshot: the transport closes it; nothing more is sent. */
	c->refuse = true;
	if (c->drain.fn)
		c->drain.fn(c, c->drain.arg);
	run_loop();
	assert_null(c->drain.fn);
	add_json("{\"prefix\": \"11.0.0.0/8\"}");
	assert_int_equal(json_array_size(c->notes), n);
	conn_close(c);
	assert_int_equal(change_stream_subscribers(harness->d.changes), 0);
	/* A snapshot that cannot start because the connection closed at once. */
	c = conn_new();
	subscribe(c, "{\"snapshot\": true}", NULL);
	conn_close(c);
	run_loop();
}

/* How many notifications with this op c received from index from on. */
static size_t count_op(struct control_conn *c, size_t from, const char *op)
{
	size_t n = 0;

	for (size_t i = from; i < json_array_size(c->notes); i++)
		n += !strcmp(json_string_value(json_object_get(json_array_get(c->notes, i), "op")),
			     op);
	return n;
}

/*
 * Commits bigger than the queue switch a reading subscriber to a resync
 * (dropped events, "resync", fresh snapshot) instead of disconnecting it;
 * one that reads nothing after a resync is disconnected.
 */
static void test_resync(void **state)
{
	struct control_conn *c = conn_new();
	json_t *model = json_object(), *actual;
	size_t next = 0, before;
	uint64_t seq;
	int ends = 0, turns = 0;

	(void)state;
	c->cap = 64 << 10;
	subscribe(c, "{\"tables\": [254]}", &seq);
	run_loop();
	assert_int_equal(json_array_size(c->notes), 0);
	/* Many changes within one turn of the loop: the peer cannot read meanwhile. */
	for (int i = 0; i < 2000; i++)
		add_json("{\"prefix\": \"10.%d.%d.0/24\"}", i / 256, i % 256);
	assert_false(c->refuse);
	assert_true(c->pending <= c->cap);
	/* Events stopped at three quarters of the cap: nothing about the rest yet. */
	assert_true(json_array_size(c->notes) < 2000);
	assert_int_equal(count_op(c, 0, "resync"), 0);
	before = json_array_size(c->notes);
	/* The peer reads; the resync comes on the next turn, then a paced snapshot. */
	while (!ends) {
		c->pending = 0;
		if (c->drain.fn && turns % 2)
			c->drain.fn(c, c->drain.arg);
		else
			event_base_loop(harness->d.base, EVLOOP_NONBLOCK);
		if (turns % 3 == 0)
			add_json("{\"prefix\": \"11.%d.0.0/16\"}", turns);
		assert_false(c->refuse);
		apply_notes(model, c, &next, &ends, &seq);
		turns++;
		assert_true(turns < 10000);
	}
	assert_int_equal(count_op(c, before, "resync"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(c->notes, before),
							      "op")), "resync");
	c->pending = 0;
	run_loop();
	apply_notes(model, c, &next, &ends, &seq);
	assert_int_equal(seq, change_stream_seq(harness->d.changes));
	actual = dump_all();
	assert_true(json_object_size(actual) >= 2000);
	assert_true(json_equal(model, actual));
	json_decref(actual);
	json_decref(model);

	/* A peer that reads nothing after a resync: no second resync, but the cap. */
	for (int i = 0; i < 2000 && !c->refuse; i++)
		add_json("{\"prefix\": \"12.%d.%d.0/24\"}", i / 256, i % 256);
	run_loop();
	before = json_array_size(c->notes);
	for (int i = 0; i < 4000 && !c->refuse; i++)
		add_json("{\"prefix\": \"13.%d.%d.0/24\"}", i / 256, i % 256);
	run_loop();
	assert_true(c->refuse);
	assert_int_equal(count_op(c, before, "resync"), 0);
	conn_close(c);
	assert_int_equal(change_stream_subscribers(harness->d.changes), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_method_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params_match_schemas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping_info_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_counts_udp_lookups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_add_get_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_list_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_list_paginates_while_changing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_merge_replace_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_apply_removals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_apply_tables_and_trusted_routes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_methods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_fan_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_consistent_with_events, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_subscriber_goes_away, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resync, setup, teardown),
	};

	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

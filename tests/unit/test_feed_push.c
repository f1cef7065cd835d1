/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * feed.push (daemon/feed_push.c, methods_feed.c), called through the
 * methods harness: routes and removals owned by a named feed, generations
 * and the sweep of "end" and "full", routes of other owners left alone,
 * the feed and the status its program pushed in feed.list, and every
 * refusal with its field (nothing changes then).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <config.h>

#include "methods_harness.h"
#include "rpc.h"

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

/* feed.push with params; the result's member key. */
static json_int_t push(const char *params, const char *key)
{
	struct reply r = call("feed.push", params);
	json_int_t v = json_integer_value(json_object_get(expect_ok(&r), key));

	reply_free(&r);
	return v;
}

static void refused(const char *params, int code, const char *field)
{
	struct reply r = call("feed.push", params);

	expect_error(&r, code, field);
	reply_free(&r);
}

/* The routes of prefix in main as "via/proto/tag ..." ("" when none). */
static const char *routes_of(const char *prefix)
{
	static char text[512];
	char params[128];
	struct reply r;
	json_t *route;
	size_t i, len = 0;

	snprintf(params, sizeof(params), "{\"prefix\": \"%s\"}", prefix);
	r = call("route.get", params);
	text[0] = '\0';
	if (r.code == 0) {
		json_array_foreach(json_object_get(r.result, "routes"), i, route)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s/%s/%lld",
						len ? " " : "",
						json_string_value(json_object_get(route, "via")),
						json_string_value(json_object_get(route, "proto")),
						(long long)json_integer_value(json_object_get(route, "tag")));
	}
	reply_free(&r);
	return text;
}

/* The feed.list entry of name (a new reference), or NULL. */
static json_t *feed_entry(const char *name)
{
	struct reply r = call("feed.list", NULL);
	json_t *f, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(expect_ok(&r), "feeds"), i, f)
		if (!strcmp(json_string_value(json_object_get(f, "name")), name))
			found = json_incref(f);
	reply_free(&r);
	return found;
}

static void test_generations_and_sweeps(void **state)
{
	json_t *f;

	(void)state;
	assert_int_equal(push("{\"feed\": \"exabgp\", \"sync\": \"begin\", \"lines\": ["
			      "\"10.0.0.0/8 via 192.0.2.1 proto bgp tag 65001\", "
			      "\"10.1.0.0/16 via 192.0.2.1 proto bgp\", "
			      "\"2001:db8::/32 via 2001:db8::1 proto bgp tag 65002\"]}", "upserts"), 3);
	assert_string_equal(routes_of("10.0.0.0/8"), "192.0.2.1/bgp/65001");
	/* A route of another owner under the same prefix and metric: never the feed's. */
	{
		struct reply r = call("route.add", "{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.9\"}");

		expect_ok(&r);
		reply_free(&r);
	}
	/* Routes objects work as lines do; a change of next hop replaces. */
	assert_int_equal(push("{\"feed\": \"exabgp\", \"routes\": [{\"prefix\": \"10.1.0.0/16\", "
			      "\"via\": \"192.0.2.2\", \"proto\": \"bgp\"}]}", "routes"), 3);
	assert_string_equal(routes_of("10.1.0.0/16"), "192.0.2.2/bgp/0");
	f = feed_entry("exabgp");
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "state")), "syncing");
	assert_string_equal(json_string_value(json_object_get(f, "type")), "push");
	assert_int_equal(json_integer_value(json_object_get(f, "generation")), 1);
	json_decref(f);
	/* The end of generation 1 sweeps nothing: everything was sent in it. */
	assert_int_equal(push("{\"feed\": \"exabgp\", \"sync\": \"end\"}", "removals"), 0);
	/* Generation 2 sends one route again: the others go at its end. */
	assert_int_equal(push("{\"feed\": \"exabgp\", \"sync\": \"begin\", \"lines\": ["
			      "\"10.0.0.0/8 via 192.0.2.3 proto bgp tag 65001\"]}", "generation"), 2);
	assert_string_equal(routes_of("10.1.0.0/16"), "192.0.2.2/bgp/0");	/* still answers */
	assert_int_equal(push("{\"feed\": \"exabgp\", \"sync\": \"end\"}", "removals"), 2);
	assert_string_equal(routes_of("10.1.0.0/16"), "");
	assert_string_equal(routes_of("2001:db8::/32"), "");
	assert_string_equal(routes_of("10.0.0.0/8"), "192.0.2.3/bgp/65001 192.0.2.9/static/0");
	/* A removal of the feed's route; one of a key it does not own changes nothing. */
	assert_int_equal(push("{\"feed\": \"exabgp\", \"remove\": [{\"prefix\": \"10.0.0.0/8\"}, "
			      "{\"prefix\": \"10.9.0.0/16\", \"table\": \"main\", \"metric\": 5}]}",
			      "removals"), 1);
	assert_string_equal(routes_of("10.0.0.0/8"), "192.0.2.9/static/0");
	/* full: the routes are all the feed holds. */
	push("{\"feed\": \"exabgp\", \"lines\": [\"10.2.0.0/16 via 192.0.2.1 proto bgp\", "
	     "\"10.3.0.0/16 via 192.0.2.1 proto bgp\"]}", "routes");
	assert_int_equal(push("{\"feed\": \"exabgp\", \"sync\": \"full\", \"lines\": ["
			      "\"10.3.0.0/16 via 192.0.2.1 proto bgp\"]}", "routes"), 1);
	assert_string_equal(routes_of("10.2.0.0/16"), "");
	f = feed_entry("exabgp");
	assert_string_equal(json_string_value(json_object_get(f, "state")), "synced");
	assert_int_equal(json_integer_value(json_object_get(f, "sweeps")), 3);
	assert_int_equal(json_integer_value(json_object_get(f, "routes")), 1);
	json_decref(f);
}

/* Two feeds own their routes apart; the status shows as pushed. */
static void test_feeds_apart_and_status(void **state)
{
	json_t *f;

	(void)state;
	push("{\"feed\": \"a\", \"sync\": \"full\", \"lines\": [\"10.0.0.0/8 via 192.0.2.1 proto bgp\"]}",
	     "routes");
	push("{\"feed\": \"b\", \"sync\": \"full\", \"lines\": [\"10.0.0.0/8 via 192.0.2.2 proto bgp "
	     "metric 10\"], \"status\": {\"messages\": 7, \"errors\": {\"not-json\": 2}, "
	     "\"neighbors\": [{\"peer\": \"192.0.2.2\"}]}}", "routes");
	/* a's sweep leaves b's route. */
	assert_int_equal(push("{\"feed\": \"a\", \"sync\": \"full\"}", "removals"), 1);
	assert_string_equal(routes_of("10.0.0.0/8"), "192.0.2.2/bgp/0");
	f = feed_entry("b");
	assert_int_equal(json_integer_value(json_object_get(f, "messages")), 7);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "errors"), "not-json")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
				    json_object_get(f, "status"), "neighbors"), 0), "peer")),
			    "192.0.2.2");
	json_decref(f);
	/* A push without status keeps the last one. */
	push("{\"feed\": \"b\"}", "routes");
	f = feed_entry("b");
	assert_int_equal(json_integer_value(json_object_get(f, "messages")), 7);
	json_decref(f);
	f = feed_entry("a");
	assert_int_equal(json_object_size(json_object_get(f, "errors")), 0);
	assert_true(json_is_null(json_object_get(f, "status")));
	json_decref(f);
}

static void test_refusals_change_nothing(void **state)
{
	char params[128];
	struct reply r;

	(void)state;
	push("{\"feed\": \"exabgp\", \"sync\": \"full\", \"lines\": [\"10.0.0.0/8 via 192.0.2.1 proto bgp\"]}",
	     "routes");
	refused("{}", RPC_INVALID_PARAMS, "feed");
	refused("{\"feed\": \"Exa\"}", RPC_INVALID_PARAMS, "feed");
	refused("{\"feed\": \"\"}", RPC_INVALID_PARAMS, "feed");
	refused("{\"feed\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", RPC_INVALID_PARAMS, "feed");
	refused("{\"feed\": 7}", RPC_INVALID_PARAMS, "feed");
	refused("{\"feed\": \"exabgp\", \"bogus\": 1}", RPC_INVALID_PARAMS, "bogus");
	refused("{\"feed\": \"exabgp\", \"sync\": \"middle\"}", RPC_INVALID_PARAMS, "sync");
	refused("{\"feed\": \"exabgp\", \"sync\": 1}", RPC_INVALID_PARAMS, "sync");
	refused("{\"feed\": \"exabgp\", \"status\": []}", RPC_INVALID_PARAMS, "status");
	refused("{\"feed\": \"exabgp\", \"remove\": {}}", RPC_INVALID_PARAMS, "remove");
	refused("{\"feed\": \"exabgp\", \"remove\": [7]}", RPC_INVALID_PARAMS, "remove[0]");
	refused("{\"feed\": \"exabgp\", \"remove\": [{}]}", RPC_INVALID_PARAMS, "prefix");
	refused("{\"feed\": \"exabgp\", \"remove\": [{\"prefix\": \"10.0.0.1/8\"}]}", RPC_INVALID_PARAMS,
		"prefix");
	refused("{\"feed\": \"exabgp\", \"remove\": [{\"prefix\": \"10.0.0.0/8\", \"via\": \"1.1.1.1\"}]}",
		RPC_INVALID_PARAMS, "via");
	refused("{\"feed\": \"exabgp\", \"remove\": [{\"prefix\": \"10.0.0.0/8\", \"table\": 9}]}",
		RPC_NOT_FOUND, "remove[0]");
	refused("{\"feed\": \"exabgp\", \"sync\": \"full\", \"lines\": [\"10.1.0.0/16 proto foo\"]}",
		RPC_INVALID_PARAMS, "lines[0].proto");
	refused("{\"feed\": \"exabgp\", \"sync\": \"full\", \"lines\": [\"10.1.0.0/16 via\"]}",
		RPC_INVALID_PARAMS, "lines[0]");
	refused("{\"feed\": \"exabgp\", \"lines\": [], \"routes\": []}", RPC_INVALID_PARAMS, NULL);
	refused("{\"feed\": \"exabgp\", \"routes\": [{\"prefix\": \"10.1.0.0/16\", \"table\": 9}]}",
		RPC_NOT_FOUND, "routes[0].table");
	assert_string_equal(routes_of("10.0.0.0/8"), "192.0.2.1/bgp/0");
	assert_string_equal(routes_of("10.1.0.0/16"), "");
	/* At most 16 feeds. */
	for (int i = 0; i < 15; i++) {
		snprintf(params, sizeof(params), "{\"feed\": \"f%d\"}", i);
		push(params, "routes");
	}
	refused("{\"feed\": \"one-too-many\"}", RPC_INVALID_PARAMS, "feed");
	r = call("feed.push", "{\"feed\": \"f3\"}");
	expect_ok(&r);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generations_and_sweeps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feeds_apart_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

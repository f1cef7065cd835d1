/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include <routed/table.h>


#include "control.h"
#include "change_stream.h"
#include "feed_push.h"
#include "methods.h"
#include "methods_harness.h"
#include "reconf.h"
#include "tables.h"
#include "txn.h"

struct harness *harness;

struct rpc_call {
	struct routed *d;
	struct control_conn *conn;
	int code;
	char field[64];
	char message[512];
};

static struct control_conn *default_conn;
static uint64_t next_conn_id = 1;

/* rpc.h and control.h, as rpc.c and control.c would provide them. */

struct routed *rpc_call_daemon(const struct rpc_call *call)
{
	return call->d;
}

const struct control_peer *rpc_call_peer(const struct rpc_call *call)
{
	return &call->conn->peer;
}

struct control_conn *rpc_call_conn(const struct rpc_call *call)
{
	return call->conn;
}

int rpc_error(struct rpc_call *call, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	/* A handler reports one error per call. */
	assert_int_equal(call->code, 0);
	call->code = code;
	snprintf(call->field, sizeof(call->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(call->message, sizeof(call->message), fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t control_conn_id(const struct control_conn *conn)
{
	return conn->id;
}

const struct control_peer *control_conn_peer(const struct control_conn *conn)
{
	return &conn->peer;
}

int rpc_notify(struct control_conn *conn, const char *method, json_t *params)
{
	assert_string_equal(method, "route.event");
	char *text;

	if (conn->refuse) {
		json_decref(params);
		return -1;
	}
	/* Queue it as the transport would: the line counts against the cap. */
	text = json_dumps(params, JSON_COMPACT);
	assert_non_null(text);
	conn->pending += strlen(text) + 1;
	free(text);
	json_array_append_new(conn->notes, params);
	if (conn->pending > conn->cap) {
		conn->refuse = true;
		return -1;
	}
	return 0;
}

size_t control_conn_pending_output(const struct control_conn *conn)
{
	return conn->pending;
}

size_t control_conn_output_cap(const struct control_conn *conn)
{
	return conn->cap;
}

int control_conn_on_close(struct control_conn *conn, control_conn_hook_fn fn, void *arg)
{
	assert_true(conn->n_close_hooks < 8);
	conn->close_hooks[conn->n_close_hooks].fn = fn;
	conn->close_hooks[conn->n_close_hooks++].arg = arg;
	return 0;
}

void control_conn_cancel_close(struct control_conn *conn, control_conn_hook_fn fn, void *arg)
{
	for (size_t i = 0; i < conn->n_close_hooks; i++) {
		if (conn->close_hooks[i].fn == fn && conn->close_hooks[i].arg == arg) {
			conn->close_hooks[i] = conn->close_hooks[--conn->n_close_hooks];
			return;
		}
	}
	fail_msg("cancelling a close hook that is not set");
}

void control_conn_on_drain(struct control_conn *conn, control_conn_hook_fn fn, void *arg)
{
	conn->drain.fn = fn;
	conn->drain.arg = arg;
}

/* The rest of rpc.c: the socket side, which handlers never reach. */

void rpc_handle_line(struct control_conn *conn, const char *line, size_t len, rpc_find_fn find)
{
	(void)conn;
	(void)line;
	(void)len;
	(void)find;
	fail_msg("rpc_handle_line: not in this harness");
}

void rpc_reject_long_line(struct control_conn *conn, size_t limit)
{
	(void)conn;
	(void)limit;
	fail_msg("rpc_reject_long_line: not in this harness");
}

json_t *rpc_not_durable(json_t *answer, const char *reason)
{
	(void)answer;
	(void)reason;
	fail_msg("rpc_not_durable: not in this harness");
	return NULL;
}

/* The daemon functions the methods use. */

/* routed->persist is NULL here: nothing is ever held for durability. */
int control_conn_send(struct control_conn *conn, const json_t *msg)
{
	(void)conn;
	(void)msg;
	return -1;
}

json_t *routed_config_to_json(const struct routed_config *c)
{
	return json_pack("{s:{s:s}}", "control", "socket", c->control_socket);
}

int routed_reload(struct routed *d, char *err, size_t errlen)
{
	(void)d;
	if (harness->reload_result)
		snprintf(err, errlen, "routed.conf:3:7: unknown key 'bogus'");
	return harness->reload_result;
}

double routed_uptime(const struct routed *d)
{
	(void)d;
	return 1.5;
}

/* The harness. */

struct control_conn *conn_new(void)
{
	struct control_conn *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->id = next_conn_id++;
	c->peer.admin = true;
	c->notes = json_array();
	c->cap = 16u << 20;
	return c;
}

void conn_close(struct control_conn *c)
{
	while (c->n_close_hooks) {
		struct hook h = c->close_hooks[--c->n_close_hooks];

		h.fn(c, h.arg);
	}
	json_decref(c->notes);
	free(c);
}

void harness_setup(void)
{
	harness = calloc(1, sizeof(*harness));
	assert_non_null(harness);
	harness->d.base = event_base_new();
	harness->d.tables = tables_create();
	harness->d.changes = change_stream_create();
	harness->d.reconf = reconf_create();
	harness->d.txns = txn_registry_create();
	assert_non_null(harness->d.base);
	assert_non_null(harness->d.tables);
	assert_non_null(harness->d.changes);
	assert_non_null(harness->d.reconf);
	assert_non_null(harness->d.txns);
	snprintf(harness->config.control_socket, sizeof(harness->config.control_socket),
		 "/run/routed/control.sock");
	snprintf(harness->config.state_dir, sizeof(harness->config.state_dir), "/var/lib/routed");
	harness->d.config = &harness->config;
	harness->d.started_wall = 1700000000;
	harness->d.threads = 2;
	default_conn = conn_new();
}

void harness_teardown(void)
{
	conn_close(default_conn);
	feed_push_free_all(&harness->d);
	change_stream_destroy(harness->d.changes);
	reconf_destroy(harness->d.reconf);
	txn_registry_destroy(harness->d.txns);
	tables_destroy(harness->d.tables);
	event_base_free(harness->d.base);
	free(harness);
	harness = NULL;
}

struct reply call_json(struct control_conn *conn, const char *method, json_t *params)
{
	const struct rpc_method *m = methods_find(method);
	struct rpc_call c = { .d = &harness->d, .conn = conn ? conn : default_conn };
	struct reply r = { 0 };
	json_t *result = NULL;
	int rc;

	if (!m)
		fail_msg("no method %s", method);
	assert_non_null(params);
	rc = m->handler(&c, params, &result);
	json_decref(params);
	/* Either a result or an error, never both, never neither. */
	if (rc) {
		assert_int_equal(rc, -1);
		assert_int_not_equal(c.code, 0);
		assert_null(result);
	} else {
		assert_int_equal(c.code, 0);
		assert_non_null(result);
	}
	r.code = c.code;
	memcpy(r.field, c.field, sizeof(r.field));
	memcpy(r.message, c.message, sizeof(r.message));
	r.result = result;
	return r;
}

struct reply call_on(struct control_conn *conn, const char *method, const char *params)
{
	json_error_t jerr;
	json_t *p = params ? json_loads(params, 0, &jerr) : json_object();

	if (!p)
		fail_msg("bad params in test: %s: %s", params, jerr.text);
	return call_json(conn, method, p);
}

struct reply call(const char *method, const char *params)
{
	return call_on(NULL, method, params);
}

void reply_free(struct reply *r)
{
	json_decref(r->result);
	r->result = NULL;
}

json_t *expect_ok(struct reply *r)
{
	if (r->code)
		fail_msg("expected success, got %d (field '%s'): %s", r->code, r->field,
			 r->message);
	return r->result;
}

void expect_error(struct reply *r, int code, const char *field)
{
	if (r->code != code)
		fail_msg("expected error %d, got %d (field '%s'): %s", code, r->code, r->field,
			 r->code ? r->message : "success");
	if (field && strcmp(r->field, field))
		fail_msg("expected field '%s', got '%s': %s", field, r->field, r->message);
	assert_true(r->message[0] != '\0');
	reply_free(r);
}

void run_loop(void)
{
	/* Each turn runs the timers due; stop once a turn finds nothing to do. */
	for (int i = 0; i < 1000000; i++)
		if (event_base_loop(harness->d.base, EVLOOP_NONBLOCK) == 1)
			return;
	fail_msg("event loop never went idle");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol: the input is what one client sends on the control
 * socket. It is framed into lines as daemon/control.c frames them and each
 * line goes through the real dispatcher (rpc_handle_line: envelope,
 * access, params) to the real methods, tables, loads and subscriptions.
 * Only the socket is replaced: this file plays control.c (control.h:
 * connections that record what is sent to them) and the two functions
 * the methods need from run.c.
 *
 * The daemon state lives as long as the process. After each input the
 * connection closes (its transactions and subscriptions go) and the state
 * goes back to the start: main empty and the only table. That reset costs
 * a grace period only for inputs that changed something.
 *
 * Bounds: at most MAX_INPUT bytes per input and lines of at most MAX_LINE
 * bytes (the smallest control.max_line_bytes), so routes, addresses and
 * tables per run are bounded by the input.
 *
 * Invariants: every message sent is one line of JSON; each request line
 * gets exactly the response JSON-RPC promises (one, with the request's id;
 * none for a notification; -32700 with id null for bad JSON; -32005 and
 * the end of the connection for a long line); error codes are the
 * protocol's; no handler breaks the handler contract; after the input,
 * every table's FIB agrees with its RIB and its statistics.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <syslog.h>

#include <event2/event.h>
#include <jansson.h>

#include <routed/route.h>
#include <routed/table.h>

#include "daemon/routed_config.h"
#include "daemon/control.h"
#include "daemon/daemon.h"
#include "daemon/feed_push.h"
#include "daemon/change_stream.h"
#include "daemon/log.h"
#include "daemon/methods.h"
#include "daemon/reconf.h"
#include "daemon/rpc.h"
#include "daemon/tables.h"
#include "daemon/txn.h"
#include "fuzz.h"

#define MAX_INPUT (16u << 10)
#define MAX_LINE 4096
#define OUTPUT_CAP (1u << 20)
#define RPC_DEPTH 64		/* rpc.c's nesting limit */
#define LOOP_TURNS 100000	/* more without going idle is a bug */

struct hook {
	control_conn_hook_fn fn;
	void *arg;
};

struct control_conn {
	uint64_t id;
	struct control_peer peer;
	bool dead;			/* closing: takes no more output */
	bool hooks_ran;
	size_t pending, cap;		/* bytes sent and not yet read by the client */
	struct hook *hooks;
	size_t n_hooks, hooks_alloc;
	struct hook drain;
	unsigned responses;		/* since the current line began */
	json_t *response;		/* the last one */
	unsigned long sent;		/* messages, all told */
};

static struct routed daemon;
static struct control_conn *conn;
static uint64_t next_conn_id = 1;

/* ---------------------------------------------------------------------- */
/* control.c, as control.h has it */

struct routed *control_conn_daemon(const struct control_conn *c)
{
	(void)c;
	return &daemon;
}

const char *control_admin_description(const struct control_conn *c)
{
	(void)c;
	return "uid 0 or routed's uid";
}

bool control_conn_writable(const struct control_conn *c)
{
	return !c->dead;
}

/* JSON-RPC's own codes, or one of the server's (-32099..-32000, rpc.h). */
static bool known_code(json_int_t code)
{
	switch (code) {
	case RPC_PARSE_ERROR:
	case RPC_INVALID_REQUEST:
	case RPC_METHOD_NOT_FOUND:
	case RPC_INVALID_PARAMS:
	case RPC_INTERNAL_ERROR:
		return true;
	}
	return code >= -32099 && code <= -32000;
}

static void check_response(const json_t *msg, const char *text)
{
	json_t *result = json_object_get(msg, "result"), *error = json_object_get(msg, "error");
	json_t *code, *message, *data;

	FUZZ_CHECK(json_object_get(msg, "id"), "a response without id: %s", text);
	FUZZ_CHECK(!result != !error, "result and error: %s", text);
	FUZZ_CHECK(json_object_size(msg) == 3, "extra members: %s", text);
	if (result)
		return;
	code = json_object_get(error, "code");
	message = json_object_get(error, "message");
	data = json_object_get(error, "data");
	FUZZ_CHECK(json_is_integer(code) && known_code(json_integer_value(code)),
		   "error code: %s", text);
	FUZZ_CHECK(json_is_string(message) && json_string_length(message) > 0, "message: %s",
		   text);
	/* The handler contract (rpc.h): a result or a reason; rpc.c says when one did not. */
	if (json_integer_value(code) == RPC_INTERNAL_ERROR) {
		const char *m = json_string_value(message);
		size_t n = strlen(m), tail = strlen(" returned no result");

		FUZZ_CHECK(strncmp(m, "internal error in ", 18) &&
				   (strncmp(m, "internal error: ", 16) || n < tail ||
				    strcmp(m + n - tail, " returned no result")),
			   "a handler broke its contract: %s", text);
	}
	if (data)
		FUZZ_CHECK(json_is_string(json_object_get(data, "field")), "error data: %s", text);
}

static void check_notification(const json_t *msg, const char *text)
{
	const json_t *method = json_object_get(msg, "method");

	FUZZ_CHECK(!json_object_get(msg, "id"), "a notification with an id: %s", text);
	FUZZ_CHECK(json_is_string(method) && !strcmp(json_string_value(method), "route.event"),
		   "notification: %s", text);
	FUZZ_CHECK(json_is_object(json_object_get(msg, "params")), "notification: %s", text);
}

int control_conn_send(struct control_conn *c, const json_t *msg)
{
	json_error_t jerr;
	json_t *parsed;
	char *text;

	if (c->dead)
		return -1;
	/* As control.c writes it: compact, so one message is one line. */
	text = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(12));
	FUZZ_CHECK(text, "a message that cannot be printed");
	FUZZ_CHECK(!strchr(text, '\n'), "a message of several lines: %s", text);
	parsed = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	FUZZ_CHECK(parsed, "a client cannot parse %s: %s", text, jerr.text);
	FUZZ_CHECK(json_is_object(parsed), "not an object: %s", text);
	FUZZ_CHECK(json_is_string(json_object_get(parsed, "jsonrpc")) &&
			   !strcmp(json_string_value(json_object_get(parsed, "jsonrpc")), "2.0"),
		   "no \"jsonrpc\": \"2.0\": %s", text);
	if (json_object_get(parsed, "method")) {
		check_notification(parsed, text);
		json_decref(parsed);
	} else {
		check_response(parsed, text);
		c->responses++;
		json_decref(c->response);
		c->response = parsed;
	}
	c->sent++;
	c->pending += strlen(text) + 1;
	free(text);
	if (c->pending > c->cap) {
		c->dead = true;
		return -1;
	}
	return 0;
}

/* Nothing is journaled here (no persist): no answer waits. */
void control_conn_answer(struct control_conn *c, json_t *msg, uint64_t seq)
{
	FUZZ_CHECK(seq == 0, "an answer waits for durability without a journal");
	control_conn_send(c, msg);
}

uint64_t control_conn_id(const struct control_conn *c)
{
	return c->id;
}

const struct control_peer *control_conn_peer(const struct control_conn *c)
{
	return &c->peer;
}

size_t control_conn_pending_output(const struct control_conn *c)
{
	return c->pending;
}

size_t control_conn_output_cap(const struct control_conn *c)
{
	return c->cap;
}

int control_conn_on_close(struct control_conn *c, control_conn_hook_fn fn, void *arg)
{
	if (!fn || c->hooks_ran)
		return -1;
	if (c->n_hooks == c->hooks_alloc) {
		c->hooks_alloc = c->hooks_alloc ? 2 * c->hooks_alloc : 4;
		c->hooks = realloc(c->hooks, c->hooks_alloc * sizeof(*c->hooks));
		FUZZ_CHECK(c->hooks, "out of memory");
	}
	c->hooks[c->n_hooks++] = (struct hook){ fn, arg };
	return 0;
}

void control_conn_cancel_close(struct control_conn *c, control_conn_hook_fn fn, void *arg)
{
	for (size_t i = 0; i < c->n_hooks; i++) {
		if (c->hooks[i].fn == fn && c->hooks[i].arg == arg) {
			c->n_hooks--;
			memmove(c->hooks + i, c->hooks + i + 1,
				(c->n_hooks - i) * sizeof(*c->hooks));
			return;
		}
	}
}

void control_conn_on_drain(struct control_conn *c, control_conn_hook_fn fn, void *arg)
{
	c->drain = (struct hook){ fn, fn ? arg : NULL };
}

/* ---------------------------------------------------------------------- */
/* run.c's side */

int routed_reload(struct routed *d, char *err, size_t errlen)
{
	(void)d;
	/* There is no file to read again here; the method's failure path runs. */
	snprintf(err, errlen, "routed.conf: reloading is not available here");
	return -1;
}

double routed_uptime(const struct routed *d)
{
	(void)d;
	return 1.5;
}

/* ---------------------------------------------------------------------- */
/* The connection */

static struct control_conn *conn_open(void)
{
	struct control_conn *c = calloc(1, sizeof(*c));

	FUZZ_CHECK(c, "out of memory");
	c->id = next_conn_id++;
	c->peer.admin = true;
	c->cap = OUTPUT_CAP;
	return c;
}

/* As control.c closes one: hooks in registration order, each unlinked first. */
static void conn_close(struct control_conn *c)
{
	c->dead = true;
	c->hooks_ran = true;
	while (c->n_hooks > 0) {
		struct hook h = c->hooks[0];

		c->n_hooks--;
		memmove(c->hooks, c->hooks + 1, c->n_hooks * sizeof(*c->hooks));
		h.fn(c, h.arg);
	}
	json_decref(c->response);
	free(c->hooks);
	free(c);
}

/*
 * Turn the loop and let the client read everything (which runs the drain
 * hook, as a write that empties the queue does) until nothing is left to do.
 */
static void settle(struct control_conn *c)
{
	for (unsigned turn = 0; turn < LOOP_TURNS; turn++) {
		unsigned long sent = c ? c->sent : 0;
		bool idle = event_base_loop(daemon.base, EVLOOP_NONBLOCK) == 1;

		if (c && c->pending > 0 && !c->dead) {
			c->pending = 0;
			if (c->drain.fn)
				c->drain.fn(c, c->drain.arg);
		}
		if (idle && (!c || c->sent == sent))
			return;
	}
	FUZZ_CHECK(false, "still busy after %u turns of the loop", LOOP_TURNS);
}

/* ---------------------------------------------------------------------- */
/* What a line must get back */

/* Nesting of arrays and objects, as rpc.c counts it (a scalar is 0). */
static unsigned depth(json_t *v)
{
	unsigned max = 0, d;
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, item)
			if ((d = depth(item)) > max)
				max = d;
		return max + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			if ((d = depth(item)) > max)
				max = d;
		return max + 1;
	}
	return 0;
}

static bool valid_envelope(json_t *req)
{
	json_t *version = json_object_get(req, "jsonrpc"), *id = json_object_get(req, "id");
	const char *key;
	json_t *value;

	if (id && !json_is_string(id) && !json_is_number(id) && !json_is_null(id))
		return false;
	if (!json_is_string(version) || strcmp(json_string_value(version), "2.0"))
		return false;
	if (!json_is_string(json_object_get(req, "method")))
		return false;
	json_object_foreach(req, key, value)
		if (strcmp(key, "jsonrpc") && strcmp(key, "id") && strcmp(key, "method") &&
		    strcmp(key, "params"))
			return false;
	return true;
}

static json_int_t response_code(const struct control_conn *c)
{
	json_t *code = json_object_get(json_object_get(c->response, "error"), "code");

	return code ? json_integer_value(code) : 0;
}

static bool response_id_null(const struct control_conn *c)
{
	return json_is_null(json_object_get(c->response, "id"));
}

static void check_answer(const struct control_conn *c, const char *line, size_t len)
{
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);

	if (!req || depth(req) > RPC_DEPTH) {
		FUZZ_CHECK(c->responses == 1 && response_code(c) == RPC_PARSE_ERROR &&
				   response_id_null(c),
			   "bad JSON: %u responses, code %lld", c->responses,
			   (long long)response_code(c));
	} else if (!json_is_object(req) || !valid_envelope(req)) {
		json_t *id = json_is_object(req) ? json_object_get(req, "id") : NULL;

		FUZZ_CHECK(c->responses == 1 && response_code(c) == RPC_INVALID_REQUEST,
			   "bad envelope: %u responses, code %lld", c->responses,
			   (long long)response_code(c));
		FUZZ_CHECK(response_id_null(c) ||
				   (id && json_equal(id, json_object_get(c->response, "id"))),
			   "bad envelope: the response has another id");
	} else if (!json_object_get(req, "id")) {
		FUZZ_CHECK(c->responses == 0, "a notification got %u responses", c->responses);
	} else {
		FUZZ_CHECK(c->responses == 1, "a request got %u responses", c->responses);
		FUZZ_CHECK(json_equal(json_object_get(req, "id"),
				      json_object_get(c->response, "id")),
			   "the response has another id");
	}
	json_decref(req);
}

/* One line as control.c hands it over: terminator gone, not NUL-terminated. */
static void send_line(struct control_conn *c, const uint8_t *data, size_t len)
{
	char *line;

	if (len > 0 && data[len - 1] == '\r')
		len--;
	c->responses = 0;
	if (len > MAX_LINE) {
		rpc_reject_long_line(c, MAX_LINE);
		FUZZ_CHECK(c->responses == 1 && response_code(c) == RPC_TOO_LARGE &&
				   response_id_null(c),
			   "a long line got %u responses", c->responses);
		c->dead = true;
		return;
	}
	if (len == 0)
		return;
	line = fuzz_memdup(data, len);
	rpc_handle_line(c, line, len, methods_find);
	/* A connection over its output cap may have lost the response: control.c closes it. */
	if (!c->dead)
		check_answer(c, line, len);
	free(line);
	settle(c);
}

/* ---------------------------------------------------------------------- */
/* The tables after the input, and back to the start */

struct route_list {
	struct rt_route *r;
	size_t n, cap;
};

static int collect(const struct rt_route *r, void *arg)
{
	struct route_list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->r = realloc(l->r, l->cap * sizeof(*l->r));
		FUZZ_CHECK(l->r, "out of memory");
	}
	l->r[l->n++] = *r;
	return 0;
}

static bool same_route(const struct rt_route *a, const struct rt_route *b)
{
	return rt_prefix_equal(&a->prefix, &b->prefix) && a->metric == b->metric &&
	       !strcmp(a->proto, b->proto) && a->gateway.family == b->gateway.family &&
	       !memcmp(a->gateway.bytes, b->gateway.bytes, 16) && !strcmp(a->dev, b->dev) &&
	       a->has_tag == b->has_tag && (!a->has_tag || a->tag == b->tag);
}

/* The first and the last address of p resolve to p or to a prefix inside it. */
static void check_prefix_lookup(struct rt_table *t, const struct rt_route *best)
{
	const struct rt_prefix *p = &best->prefix;
	struct rt_lookup_result res;
	struct rt_addr last = p->addr;
	unsigned bits = rt_family_bits(p->addr.family);
	char text[RT_PREFIX_STRLEN];

	rt_prefix_format(p, text, sizeof(text));
	FUZZ_CHECK(rt_table_lookup_one(t, &p->addr, &res), "%s: no route", text);
	FUZZ_CHECK(res.route.prefix.len >= p->len && rt_prefix_contains(p, &res.route.prefix),
		   "%s: found /%u", text, res.route.prefix.len);
	if (rt_prefix_equal(&res.route.prefix, p))
		FUZZ_CHECK(same_route(&res.route, best), "%s: not the best route", text);
	for (unsigned b = p->len; b < bits; b++)
		last.bytes[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	FUZZ_CHECK(rt_table_lookup_one(t, &last, &res), "%s: no route for its last address",
		   text);
	FUZZ_CHECK(res.route.prefix.len >= p->len && rt_prefix_contains(p, &res.route.prefix),
		   "%s: its last address found /%u", text, res.route.prefix.len);
}

/* Every table: the FIB finds each prefix of the RIB; the statistics count them. */
static void check_tables(void)
{
	uint32_t id;
	int rc;

	for (rc = tables_seek(daemon.tables, 0, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(daemon.tables, id + 1, &id)) {
		struct rt_table *t = tables_get(daemon.tables, id);
		struct route_list l = { 0 };
		struct rt_table_stats st;
		uint64_t prefixes = 0;

		FUZZ_CHECK(t && rt_table_id(t) == id, "table %u", id);
		FUZZ_CHECK(rt_table_walk(t, 0, NULL, collect, &l) == 0, "walk of table %u", id);
		for (size_t i = 0; i < l.n; i++) {
			FUZZ_CHECK(l.r[i].table == id, "table %u holds a route of %u", id,
				   l.r[i].table);
			if (i > 0 && rt_prefix_equal(&l.r[i - 1].prefix, &l.r[i].prefix)) {
				FUZZ_CHECK(rt_route_cmp_preference(&l.r[i - 1], &l.r[i]) < 0,
					   "table %u: routes of a prefix out of order", id);
				continue;
			}
			FUZZ_CHECK(i == 0 || rt_prefix_cmp(&l.r[i - 1].prefix, &l.r[i].prefix) < 0,
				   "table %u: prefixes out of order", id);
			prefixes++;
			check_prefix_lookup(t, &l.r[i]);
		}
		rt_table_stats(t, &st);
		FUZZ_CHECK(st.v4.routes + st.v6.routes == l.n, "table %u: %llu routes, walked %zu",
			   id, (unsigned long long)(st.v4.routes + st.v6.routes), l.n);
		FUZZ_CHECK(st.v4.prefixes + st.v6.prefixes == prefixes,
			   "table %u: %llu prefixes, walked %llu", id,
			   (unsigned long long)(st.v4.prefixes + st.v6.prefixes),
			   (unsigned long long)prefixes);
		free(l.r);
	}
}

/*
 * Back to main alone and empty. Routes go one by one: a flush would swap
 * the table and wait for every pending reclamation (rcu_barrier).
 */
static void reset_state(void)
{
	struct rt_table *main_table = tables_get(daemon.tables, RT_TABLE_MAIN);
	struct route_list l = { 0 };
	struct rt_change *changes;
	uint32_t id;

	/* Pushed feeds (feed.push) start again too; their routes go with main's below. */
	feed_push_free_all(&daemon);
	while (tables_count(daemon.tables) > 1) {
		FUZZ_CHECK(tables_seek(daemon.tables, 0, &id) == 0, "no table");
		if (id == RT_TABLE_MAIN)
			FUZZ_CHECK(tables_seek(daemon.tables, id + 1, &id) == 0, "no table");
		FUZZ_CHECK(tables_delete(daemon.tables, id) == 0, "cannot delete table %u", id);
	}
	FUZZ_CHECK(main_table, "no main table");
	FUZZ_CHECK(rt_table_walk(main_table, 0, NULL, collect, &l) == 0, "walk of main");
	if (!l.n)
		return;
	changes = calloc(l.n, sizeof(*changes));
	FUZZ_CHECK(changes, "out of memory");
	for (size_t i = 0; i < l.n; i++)
		changes[i] = (struct rt_change){ .op = RT_CHANGE_DELETE, .route = l.r[i] };
	FUZZ_CHECK(rt_table_apply(main_table, changes, l.n, NULL) == 0, "cannot empty main");
	rt_table_reclaim_flush(main_table);
	free(changes);
	free(l.r);
}

/* ---------------------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];

	(void)argc;
	(void)argv;
	/* Only what would be a daemon error reaches stderr. */
	log_set_level(LOG_ERR);
	/* The control thread is an RCU reader: route.lookup reads the FIB. */
	rt_reader_register();
	daemon.config = routed_config_load(NULL, NULL, err, sizeof(err));
	FUZZ_CHECK(daemon.config, "the default configuration: %s", err);
	daemon.base = event_base_new();
	daemon.tables = tables_create();
	daemon.changes = change_stream_create();
	daemon.reconf = reconf_create();
	daemon.txns = txn_registry_create();
	FUZZ_CHECK(daemon.base && daemon.tables && daemon.changes && daemon.reconf && daemon.txns,
		   "cannot set up the daemon");
	daemon.started_wall = 1700000000;
	daemon.threads = 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;

	if (size > MAX_INPUT)
		return 0;
	conn = conn_open();
	while (pos < size && !conn->dead) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		/* The client then closes: its last line counts without a newline. */
		size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;

		send_line(conn, data + pos, len);
		pos += len + 1;
	}
	conn_close(conn);
	conn = NULL;
	settle(NULL);
	FUZZ_CHECK(change_stream_subscribers(daemon.changes) == 0, "subscriptions outlive the connection");
	check_tables();
	reset_state();
	return 0;
}

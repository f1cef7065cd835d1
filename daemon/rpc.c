/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON-RPC 2.0: one request line in, at most one response line out.
 *
 * Checks, in order: nesting depth and JSON syntax (-32700), the envelope
 * (-32600), the method (-32601), access (-32003), params (-32602); then the
 * handler runs and its result or recorded error becomes the response.
 * Envelope errors are answered even without an id (with id null), since a
 * broken request is no notification; from the method lookup on, a
 * notification gets no response whatever happens.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "persist.h"
#include "rpc.h"

/* Deepest nesting of arrays and objects accepted in a request. */
#define RPC_MAX_DEPTH 64
/* Error messages longer than this are cut (they may quote client input). */
#define RPC_MAX_MESSAGE 1024

struct rpc_call {
	struct control_conn *conn;
	const struct rpc_method *method;
	bool failed;
	int code;
	char *message;
	char *field;
};

struct routed *rpc_call_daemon(const struct rpc_call *call)
{
	return control_conn_daemon(call->conn);
}

const struct control_peer *rpc_call_peer(const struct rpc_call *call)
{
	return control_conn_peer(call->conn);
}

struct control_conn *rpc_call_conn(const struct rpc_call *call)
{
	return call->conn;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *text = malloc(RPC_MAX_MESSAGE);

	if (text)
		vsnprintf(text, RPC_MAX_MESSAGE, fmt, ap);
	return text;
}

int rpc_error(struct rpc_call *call, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	/* The last error recorded is the one reported. */
	free(call->message);
	free(call->field);
	va_start(ap, fmt);
	call->message = vformat(fmt, ap);
	va_end(ap);
	call->field = field ? strdup(field) : NULL;
	call->code = code;
	call->failed = true;
	return -1;
}

/* Length of the valid UTF-8 sequence at s (at most avail bytes), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] >= 0x01 && s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range excludes overlong forms, surrogates and
	 * code points above U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (avail < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * A JSON string from text that may quote client bytes or have been cut
 * inside a UTF-8 sequence: anything that is not valid UTF-8 becomes '?'.
 */
static json_t *message_string(const char *text, const char *fallback)
{
	const unsigned char *in = (const unsigned char *)text;
	size_t len, out = 0;
	char *clean;
	json_t *s;

	if (!text)
		return json_string(fallback);
	len = strlen(text);
	clean = malloc(len + 1);
	if (!clean)
		return json_string(fallback);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_sequence(in + i, len - i);

		if (n == 0) {
			clean[out++] = '?';
			i++;
			continue;
		}
		memcpy(clean + out, in + i, n);
		out += n;
		i += n;
	}
	s = json_stringn(clean, out);
	free(clean);
	return s ? s : json_string(fallback);
}

/* Queue {"jsonrpc":"2.0","id":id,"error":{...}}. id NULL means null. */
static void send_error(struct control_conn *conn, json_t *id, int code, const char *field,
		       const char *message)
{
	json_t *error = json_object();
	json_t *msg = json_object();

	control_conn_daemon(conn)->counters.control_errors++;
	if (!error || !msg)
		goto out;
	if (json_object_set_new(error, "code", json_integer(code)) < 0 ||
	    json_object_set_new(error, "message", message_string(message, "error")) < 0)
		goto out;
	if (field &&
	    json_object_set_new(error, "data",
				json_pack("{s:o}", "field", message_string(field, "?"))) < 0)
		goto out;
	if (json_object_set_new(msg, "jsonrpc", json_string("2.0")) < 0 ||
	    json_object_set(msg, "id", id ? id : json_null()) < 0 ||
	    json_object_set(msg, "error", error) < 0)
		goto out;
	control_conn_answer(conn, msg, 0);
out:
	json_decref(error);
	json_decref(msg);
}

static void send_errorf(struct control_conn *conn, json_t *id, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void send_errorf(struct control_conn *conn, json_t *id, int code, const char *fmt, ...)
{
	va_list ap;
	char *message;

	va_start(ap, fmt);
	message = vformat(fmt, ap);
	va_end(ap);
	send_error(conn, id, code, NULL, message ? message : "out of memory");
	free(message);
}

static void send_result(struct control_conn *conn, json_t *id, json_t *result, uint64_t wait_seq)
{
	json_t *msg = json_pack("{s:s, s:O, s:O}", "jsonrpc", "2.0", "id", id, "result", result);

	if (!msg) {
		log_err("control: out of memory building a response");
		send_error(conn, id, RPC_INTERNAL_ERROR, NULL, "internal error: out of memory");
		return;
	}
	control_conn_answer(conn, msg, wait_seq);
	json_decref(msg);
}

/*
 * Arrays and objects nested deeper than max, by a scan of the brackets
 * outside strings: cheaper than letting the parser build the tree first.
 * Only meaningful for text that then parses.
 */
static bool nesting_too_deep(const char *text, size_t len, unsigned max)
{
	unsigned depth = 0;
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len; i++) {
		char ch = text[i];

		if (in_string) {
			if (escaped)
				escaped = false;
			else if (ch == '\\')
				escaped = true;
			else if (ch == '"')
				in_string = false;
			continue;
		}
		switch (ch) {
		case '"':
			in_string = true;
			break;
		case '[':
		case '{':
			if (++depth > max)
				return true;
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		}
	}
	return false;
}

static bool known_member(const char *key)
{
	return !strcmp(key, "jsonrpc") || !strcmp(key, "id") || !strcmp(key, "method") ||
	       !strcmp(key, "params");
}

/* Run the handler; answer unless it is a notification (id NULL). */
static void call_method(struct control_conn *conn, const struct rpc_method *method, json_t *id,
			json_t *params)
{
	struct rpc_call call = {.conn = conn, .method = method};
	struct persist *persist = method->journaled ? control_conn_daemon(conn)->persist : NULL;
	json_t *result = NULL;
	uint64_t wait_seq = 0;
	int rc;

	if (persist && persist_read_only_reason(persist))
		rc = rpc_error(&call, RPC_NOT_DURABLE, NULL, "%s",
			       persist_read_only_reason(persist));
	else
		rc = method->handler(&call, params, &result);
	if (rc == 0 && !result) {
		log_err("control: %s returned no result", method->name);
		rpc_error(&call, RPC_INTERNAL_ERROR, NULL, "internal error: %s returned no result",
			  method->name);
		rc = -1;
	} else if (rc != 0 && !call.failed) {
		log_err("control: %s failed without saying why", method->name);
		rpc_error(&call, RPC_INTERNAL_ERROR, NULL, "internal error in %s", method->name);
	}
	/* Applied: answer success only once the journal holds it durably. */
	if (rc == 0 && persist && persist_commit(persist, &wait_seq))
		rc = rpc_error(&call, RPC_NOT_DURABLE, NULL, "the change is in effect but not durable: %s",
			       persist_read_only_reason(persist));
	if (rc == 0) {
		if (id)
			send_result(conn, id, result, wait_seq);
	} else if (id) {
		send_error(conn, id, call.code, call.field,
			   call.message ? call.message : "out of memory");
	} else {
		control_conn_daemon(conn)->counters.control_errors++;
	}
	log_debug("control: connection %llu: %s%s: %s", (unsigned long long)control_conn_id(conn),
		  method->name, id ? "" : " (notification)",
		  rc == 0 ? "ok" : (call.message ? call.message : "error"));
	json_decref(result);
	free(call.message);
	free(call.field);
}

/* name's counts: found (by the pointer, else by the text) or added; NULL when full. */
static struct routed_method_count *method_count(struct routed *d, const char *name)
{
	struct routed_counters *c = &d->counters;

	for (unsigned i = 0; i < c->n_methods; i++)
		if (c->methods[i].name == name || !strcmp(c->methods[i].name, name))
			return &c->methods[i];
	if (c->n_methods == ROUTED_METHOD_SLOTS)
		return NULL;
	c->methods[c->n_methods].name = name;
	return &c->methods[c->n_methods++];
}

int rpc_count_methods(struct routed *d, const struct rpc_method *(*at)(size_t i))
{
	for (size_t i = 0; at(i); i++)
		if (!method_count(d, at(i)->name))
			return -ENOSPC;
	if (!method_count(d, RPC_METHOD_UNKNOWN) || !method_count(d, RPC_METHOD_INVALID))
		return -ENOSPC;
	return 0;
}

/*
 * A request under name, counted as it is known: before its handler runs,
 * so stats counts itself as control.requests does. NULL when full: then
 * it is in the totals only (routed's table always fits).
 */
static struct routed_method_count *count_request(struct routed *d, const char *name)
{
	struct routed_method_count *m = method_count(d, name);

	if (m)
		m->requests++;
	return m;
}

/* Once answered: an error if it raised control_errors from errors_before. */
static void count_outcome(struct routed *d, struct routed_method_count *m, uint64_t errors_before)
{
	/* Every error answer, or failed notification, counts control_errors once. */
	if (m && d->counters.control_errors != errors_before)
		m->errors++;
}

/* What a request is counted under, once known (count_request()). */
struct request_count {
	bool named;			/* it named a method, known or not */
	struct routed_method_count *m;	/* where it went; NULL if none */
};

/* Answer req; once it names a method, count it under that name (or "unknown"). */
static void handle_request(struct control_conn *conn, json_t *req, rpc_find_fn find,
			   struct request_count *counted)
{
	const struct control_peer *peer = control_conn_peer(conn);
	const struct rpc_method *method;
	json_t *id, *version, *name, *params, *value;
	const char *key;

	if (json_is_array(req)) {
		send_error(conn, NULL, RPC_INVALID_REQUEST, NULL,
			   "batch requests are not supported: send one request per line");
		return;
	}
	if (!json_is_object(req)) {
		send_error(conn, NULL, RPC_INVALID_REQUEST, NULL,
			   "a request must be a JSON object");
		return;
	}
	id = json_object_get(req, "id");
	if (id && !json_is_string(id) && !json_is_number(id) && !json_is_null(id)) {
		send_error(conn, NULL, RPC_INVALID_REQUEST, NULL,
			   "\"id\" must be a string, a number or null");
		return;
	}
	version = json_object_get(req, "jsonrpc");
	if (!version || !json_is_string(version) || strcmp(json_string_value(version), "2.0")) {
		send_error(conn, id, RPC_INVALID_REQUEST, NULL,
			   version ? "\"jsonrpc\" must be \"2.0\""
				   : "not a JSON-RPC 2.0 request: \"jsonrpc\": \"2.0\" is missing");
		return;
	}
	name = json_object_get(req, "method");
	if (!name || !json_is_string(name)) {
		send_error(conn, id, RPC_INVALID_REQUEST, NULL,
			   name ? "\"method\" must be a string" : "\"method\" is missing");
		return;
	}
	method = find(json_string_value(name));
	counted->named = true;
	counted->m = count_request(control_conn_daemon(conn),
				   method ? method->name : RPC_METHOD_UNKNOWN);
	json_object_foreach(req, key, value) {
		if (!known_member(key)) {
			send_errorf(conn, id, RPC_INVALID_REQUEST,
				    "unknown member \"%.100s\" in the request", key);
			return;
		}
	}

	if (!method) {
		if (id)
			send_errorf(conn, id, RPC_METHOD_NOT_FOUND, "method not found: %.200s",
				    json_string_value(name));
		else
			control_conn_daemon(conn)->counters.control_errors++;
		return;
	}
	if (method->admin && !peer->admin) {
		if (id)
			send_errorf(conn, id, RPC_PERMISSION_DENIED,
				    "permission denied: %s changes state; needs %s", method->name,
				    control_admin_description(conn));
		else
			control_conn_daemon(conn)->counters.control_errors++;
		return;
	}
	params = json_object_get(req, "params");
	if (params && !json_is_object(params) && !json_is_null(params)) {
		if (id)
			send_error(conn, id, RPC_INVALID_PARAMS, "params",
				   "params must be an object");
		else
			control_conn_daemon(conn)->counters.control_errors++;
		return;
	}
	/* Handlers always see an object; absent and null mean no params. */
	if (params && json_is_object(params))
		json_incref(params);
	else
		params = json_object();
	if (!params) {
		send_error(conn, id, RPC_INTERNAL_ERROR, NULL, "internal error: out of memory");
		return;
	}
	call_method(conn, method, id, params);
	json_decref(params);
}

static void handle_line(struct control_conn *conn, const char *line, size_t len,
			rpc_find_fn find, struct request_count *counted)
{
	json_error_t jerr;
	json_t *req;

	if (nesting_too_deep(line, len, RPC_MAX_DEPTH)) {
		send_errorf(conn, NULL, RPC_PARSE_ERROR,
			    "parse error: nesting deeper than %d levels", RPC_MAX_DEPTH);
		return;
	}
	/* JSON_DECODE_ANY: a bare scalar is valid JSON but an invalid request. */
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!req) {
		/* jansson names its own flag here; say what it means instead. */
		const char *why = strstr(jerr.text, "JSON_ALLOW_NUL") ?
			"\\u0000 is not allowed in strings" : jerr.text;

		send_errorf(conn, NULL, RPC_PARSE_ERROR, "parse error at byte %d: %s",
			    jerr.position, why);
		return;
	}
	handle_request(conn, req, find, counted);
	json_decref(req);
}

/*
 * The counts are plain increments: the control thread is the only one
 * that answers requests, and the only one that reads the counts (stats,
 * the metrics endpoint), so nothing else ever sees them change.
 */
void rpc_handle_line(struct control_conn *conn, const char *line, size_t len, rpc_find_fn find)
{
	struct routed *d = control_conn_daemon(conn);
	uint64_t errors_before = d->counters.control_errors;
	struct request_count counted = { .named = false };

	d->counters.control_requests++;
	handle_line(conn, line, len, find, &counted);
	if (!counted.named)
		counted.m = count_request(d, RPC_METHOD_INVALID);
	count_outcome(d, counted.m, errors_before);
}

void rpc_reject_long_line(struct control_conn *conn, size_t limit)
{
	struct routed *d = control_conn_daemon(conn);
	uint64_t errors_before = d->counters.control_errors;

	d->counters.control_requests++;
	send_errorf(conn, NULL, RPC_TOO_LARGE,
		    "line too long: more than %zu bytes (control.max_line_bytes); closing", limit);
	count_outcome(d, count_request(d, RPC_METHOD_INVALID), errors_before);
}

json_t *rpc_not_durable(json_t *answer, const char *reason)
{
	char message[RPC_MAX_MESSAGE];

	if (!json_object_get(answer, "result"))
		return json_incref(answer);
	snprintf(message, sizeof(message), "the change is in effect but not durable: %s", reason);
	return json_pack("{s:s, s:O, s:{s:i, s:o}}", "jsonrpc", "2.0", "id",
			 json_object_get(answer, "id"), "error", "code", RPC_NOT_DURABLE, "message",
			 message_string(message, "not durable"));
}

int rpc_notify(struct control_conn *conn, const char *method, json_t *params)
{
	json_t *msg;
	int rc = -1;

	if (!control_conn_writable(conn)) {
		json_decref(params);
		return -1;
	}
	msg = json_pack("{s:s, s:s}", "jsonrpc", "2.0", "method", method);
	if (!msg) {
		json_decref(params);
		return -1;
	}
	if (params && json_object_set_new(msg, "params", params) < 0)
		goto out;
	rc = control_conn_send(conn, msg);
out:
	json_decref(msg);
	return rc;
}

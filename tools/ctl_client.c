/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket client: connect, write request lines, read response
 * lines. Reads go through one growing buffer, so a response may arrive in
 * any number of pieces and several messages may arrive in one read.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <routed/clock.h>

#include "ctl_client.h"

/* A response bigger than this is refused rather than buffered. */
#define CTL_MAX_LINE (256u << 20)
#define CTL_READ_CHUNK 65536

struct ctl_client {
	int fd;
	int timeout_ms;
	json_int_t next_id;
	char *buf;		/* bytes received, not yet consumed: buf[start..len) */
	size_t start, len, cap;
	size_t scanned;		/* buf[start..scanned) holds no newline */
	char *path;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct ctl_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	err->code = 0;
	err->field[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return status;
}

static int64_t now_ms(void)
{
	return (int64_t)(rt_clock_ns() / 1000000);
}

struct ctl_client *ctl_client_connect(const char *path, int timeout_ms, struct ctl_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ctl_client *c;
	struct timeval tv;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fail(err, CTL_TRANSPORT, "cannot connect to %s: %s", path, strerror(ENAMETOOLONG));
		return NULL;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);

	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		fail(err, CTL_TRANSPORT, "out of memory");
		return NULL;
	}
	c->timeout_ms = timeout_ms;
	c->next_id = 1;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail(err, CTL_TRANSPORT, "socket: %s", strerror(errno));
		goto fail;
	}
	/*
	 * The send timeout bounds both a connect() that waits for room in a
	 * full listen backlog and every write to a daemon that stopped reading.
	 */
	if (timeout_ms > 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
		if (setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
			fail(err, CTL_TRANSPORT, "setsockopt: %s", strerror(errno));
			goto fail;
		}
	}
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			fail(err, CTL_TRANSPORT, "cannot connect to %s: timed out", path);
		else
			fail(err, CTL_TRANSPORT, "cannot connect to %s: %s", path, strerror(errno));
		goto fail;
	}
	return c;
fail:
	ctl_client_close(c);
	return NULL;
}

int ctl_client_fd(const struct ctl_client *c)
{
	return c->fd;
}

void ctl_client_close(struct ctl_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c->path);
	free(c);
}

static int write_all(struct ctl_client *c, const char *data, size_t len, struct ctl_error *err)
{
	while (len) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return fail(err, CTL_TRANSPORT, "%s: timed out sending a request",
					    c->path);
			return fail(err, CTL_TRANSPORT, "%s: connection lost: %s", c->path,
				    strerror(errno));
		}
		data += n;
		len -= (size_t)n;
	}
	return CTL_OK;
}

int ctl_client_send(struct ctl_client *c, const char *method, json_t *params, json_int_t *id,
		    struct ctl_error *err)
{
	json_t *req;
	char *text;
	size_t len;
	int rc;

	req = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", c->next_id, "method", method);
	if (!req) {
		json_decref(params);
		return fail(err, CTL_TRANSPORT, "out of memory");
	}
	if (params && json_object_set_new(req, "params", params)) {
		json_decref(req);
		return fail(err, CTL_TRANSPORT, "out of memory");
	}
	/* Compact output never contains a raw newline: strings escape it. */
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return fail(err, CTL_TRANSPORT, "out of memory");
	len = strlen(text);
	text[len] = '\n';	/* overwrites the NUL; length is known */
	rc = write_all(c, text, len + 1, err);
	free(text);
	if (rc == CTL_OK && id)
		*id = c->next_id;
	c->next_id++;
	return rc;
}

/* Make room for CTL_READ_CHUNK more bytes, dropping consumed ones first. */
static int buffer_reserve(struct ctl_client *c, struct ctl_error *err)
{
	size_t cap;
	char *grown;

	if (c->start) {
		memmove(c->buf, c->buf + c->start, c->len - c->start);
		c->len -= c->start;
		c->scanned -= c->start;
		c->start = 0;
	}
	if (c->cap - c->len >= CTL_READ_CHUNK)
		return CTL_OK;
	if (c->len >= CTL_MAX_LINE)
		return fail(err, CTL_TRANSPORT, "%s: response longer than %u MiB", c->path,
			    CTL_MAX_LINE >> 20);
	cap = c->cap ? c->cap * 2 : 4 * CTL_READ_CHUNK;
	if (cap - c->len < CTL_READ_CHUNK)
		cap = c->len + CTL_READ_CHUNK;
	grown = realloc(c->buf, cap);
	if (!grown)
		return fail(err, CTL_TRANSPORT, "out of memory");
	c->buf = grown;
	c->cap = cap;
	return CTL_OK;
}

/* Wait for and read more bytes; deadline < 0: no deadline. */
static int fill(struct ctl_client *c, int64_t deadline, struct ctl_error *err)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	int timeout, rc;
	ssize_t n;

	rc = buffer_reserve(c, err);
	if (rc)
		return rc;
	for (;;) {
		timeout = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return fail(err, CTL_TRANSPORT,
					    "%s: timed out waiting for a response", c->path);
			timeout = left > 1000000000 ? 1000000000 : (int)left;
		}
		rc = poll(&pfd, 1, timeout);
		if (rc < 0 && errno == EINTR)
			return CTL_INTERRUPTED;
		if (rc < 0)
			return fail(err, CTL_TRANSPORT, "poll: %s", strerror(errno));
		if (rc == 0)
			continue;	/* the deadline check above reports it */
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0 && errno == EINTR)
			return CTL_INTERRUPTED;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n < 0)
			return fail(err, CTL_TRANSPORT, "%s: connection lost: %s", c->path,
				    strerror(errno));
		if (n == 0)
			return fail(err, CTL_TRANSPORT, "%s: connection closed by the daemon",
				    c->path);
		c->len += (size_t)n;
		return CTL_OK;
	}
}

int ctl_client_next(struct ctl_client *c, bool wait_forever, json_t **msg, struct ctl_error *err)
{
	int64_t deadline = wait_forever || c->timeout_ms <= 0 ? -1 : now_ms() + c->timeout_ms;
	json_error_t jerr;
	char *nl;
	size_t line_len;
	int rc;

	for (;;) {
		nl = c->scanned < c->len ? memchr(c->buf + c->scanned, '\n', c->len - c->scanned)
					 : NULL;
		if (nl)
			break;
		c->scanned = c->len;
		rc = fill(c, deadline, err);
		if (rc)
			return rc;
	}
	line_len = (size_t)(nl - (c->buf + c->start));
	*msg = json_loadb(c->buf + c->start, line_len, JSON_REJECT_DUPLICATES, &jerr);
	c->start += line_len + 1;
	c->scanned = c->start;
	if (!*msg)
		return fail(err, CTL_TRANSPORT, "%s: invalid response: %s", c->path, jerr.text);
	if (!json_is_object(*msg)) {
		json_decref(*msg);
		*msg = NULL;
		return fail(err, CTL_TRANSPORT, "%s: invalid response: not an object", c->path);
	}
	return CTL_OK;
}

int ctl_response_result(json_t *msg, json_t **result, struct ctl_error *err)
{
	json_t *error = json_object_get(msg, "error");
	json_t *code, *message, *field;

	*result = json_object_get(msg, "result");
	if (*result && !error)
		return CTL_OK;
	if (!json_is_object(error))
		return fail(err, CTL_TRANSPORT, "invalid response: neither result nor error");
	code = json_object_get(error, "code");
	message = json_object_get(error, "message");
	field = json_object_get(json_object_get(error, "data"), "field");
	fail(err, CTL_RPC_ERROR, "%s",
	     json_is_string(message) ? json_string_value(message) : "unknown error");
	err->code = json_is_integer(code) ? (int)json_integer_value(code) : 0;
	if (json_is_string(field))
		snprintf(err->field, sizeof(err->field), "%s", json_string_value(field));
	return CTL_RPC_ERROR;
}

/* A response carries "id"; a notification does not. */
static bool is_response(json_t *msg)
{
	return json_object_get(msg, "id") != NULL;
}

int ctl_client_send_text(struct ctl_client *c, const char *method, const char *params,
			 size_t params_len, json_int_t *id, struct ctl_error *err)
{
	char head[160];
	int n, rc;

	/* method is a protocol method name: plain ASCII, nothing to escape. */
	n = snprintf(head, sizeof(head), "{\"jsonrpc\":\"2.0\",\"id\":%" JSON_INTEGER_FORMAT
		     ",\"method\":\"%s\",\"params\":", c->next_id, method);
	if (n < 0 || (size_t)n >= sizeof(head))
		return fail(err, CTL_TRANSPORT, "method name too long");
	rc = write_all(c, head, (size_t)n, err);
	if (rc == CTL_OK)
		rc = write_all(c, params, params_len, err);
	if (rc == CTL_OK)
		rc = write_all(c, "}\n", 2, err);
	if (rc == CTL_OK && id)
		*id = c->next_id;
	c->next_id++;
	return rc;
}

int ctl_client_wait(struct ctl_client *c, json_int_t id, json_t **result, struct ctl_error *err)
{
	json_t *msg, *id_value, *res;
	int rc;

	*result = NULL;
	for (;;) {
		rc = ctl_client_next(c, false, &msg, err);
		if (rc)
			return rc;
		if (!is_response(msg)) {
			json_decref(msg);
			continue;
		}
		id_value = json_object_get(msg, "id");
		/*
		 * Responses come in request order and the caller waits for
		 * its oldest request in flight, so an id of null (the daemon
		 * could not read the request) is the answer to this one too.
		 */
		if (json_is_integer(id_value) && json_integer_value(id_value) != id) {
			json_decref(msg);
			continue;
		}
		break;
	}
	rc = ctl_response_result(msg, &res, err);
	if (rc == CTL_OK)
		*result = json_incref(res);
	json_decref(msg);
	return rc;
}

int ctl_client_call(struct ctl_client *c, const char *method, json_t *params, json_t **result,
		    struct ctl_error *err)
{
	json_int_t id;
	int rc;

	*result = NULL;
	rc = ctl_client_send(c, method, params, &id, err);
	if (rc)
		return rc;
	return ctl_client_wait(c, id, result, err);
}

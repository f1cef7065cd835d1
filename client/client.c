/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The public API of libroutedclient (include/routed/client.h): opening,
 * options, the blocking lookups on top of the non-blocking engine
 * (flight.c), and addresses and answers as text.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/client.h>
#include <routed/clock.h>
#include <routed/prefix.h>

#include "client_int.h"

#define DEFAULT_TIMEOUT_MS 3000
#define DEFAULT_TRIES 4
#define DEFAULT_TRY_TIMEOUT_MS 250
#define DEFAULT_RETRY_MS 1000
#define DEFAULT_WINDOW 256
#define MAX_TRIES 16
#define MAX_MS (24u * 3600 * 1000)

const char *routed_client_last_error(const struct routed_client *c)
{
	return c->err;
}

struct routed_client *routed_client_open(const char *servers, char *err, size_t errlen)
{
	struct routed_client *c = calloc(1, sizeof(*c));
	int rc;

	if (!c) {
		rc = -ENOMEM;
		if (errlen)
			snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	c->opt = (struct cl_options){
		.timeout_ns = DEFAULT_TIMEOUT_MS * 1000000ull,
		.tries = DEFAULT_TRIES,
		.try_timeout_ns = DEFAULT_TRY_TIMEOUT_MS * 1000000ull,
		.retry_ns = DEFAULT_RETRY_MS * 1000000ull,
	};
	rc = cl_servers_parse(&c->servers, servers, err, errlen);
	if (!rc)
		rc = cl_servers_open(&c->servers, err, errlen);
	if (!rc) {
		rc = cl_flight_init(c, DEFAULT_WINDOW);
		if (rc && errlen)
			snprintf(err, errlen, "%s", strerror(-rc));
	}
	if (rc)
		goto fail;
	return c;
fail:
	routed_client_close(c);
	errno = -rc;
	return NULL;
}

static void free_batches(struct cl_batch *b)
{
	while (b) {
		struct cl_batch *next = b->next;

		free(b);
		b = next;
	}
}

void routed_client_close(struct routed_client *c)
{
	if (!c)
		return;
	cl_flight_free(c);
	cl_servers_close(&c->servers);
	/* A batch is in exactly one of these lists; the window's slots only point to them. */
	free_batches(c->queue_head);
	free_batches(c->done_head);
	free_batches(c->free_batches);
	free(c);
}

/* ---- options ---- */

static int set_ms(struct routed_client *c, const char *what, unsigned ms, uint64_t *out)
{
	if (ms == 0 || ms > MAX_MS) {
		cl_seterr(c, "%s %u ms: out of range (1 to %u)", what, ms, MAX_MS);
		return -EINVAL;
	}
	*out = ms * 1000000ull;
	return 0;
}

int routed_client_set_timeout(struct routed_client *c, unsigned timeout_ms)
{
	return set_ms(c, "timeout", timeout_ms, &c->opt.timeout_ns);
}

int routed_client_set_try_timeout(struct routed_client *c, unsigned try_timeout_ms)
{
	return set_ms(c, "try timeout", try_timeout_ms, &c->opt.try_timeout_ns);
}

int routed_client_set_retry(struct routed_client *c, unsigned retry_ms)
{
	return set_ms(c, "retry", retry_ms, &c->opt.retry_ns);
}

int routed_client_set_tries(struct routed_client *c, unsigned tries)
{
	if (tries == 0 || tries > MAX_TRIES) {
		cl_seterr(c, "tries %u: out of range (1 to %u)", tries, MAX_TRIES);
		return -EINVAL;
	}
	c->opt.tries = tries;
	return 0;
}

int routed_client_set_window(struct routed_client *c, unsigned window)
{
	int rc;

	if (window == 0 || window > CL_MAX_WINDOW) {
		cl_seterr(c, "window %u: out of range (1 to %u)", window, CL_MAX_WINDOW);
		return -EINVAL;
	}
	if (c->pending) {
		cl_seterr(c, "window: %zu batches are in flight", c->pending);
		return -EBUSY;
	}
	rc = cl_flight_init(c, window);
	if (rc) {
		cl_seterr(c, "window %u: %s", window, strerror(-rc));
		/* Keep a usable client: the default window needs far less. */
		if (cl_flight_init(c, DEFAULT_WINDOW) < 0)
			cl_flight_init(c, 1);
	}
	return rc;
}

/* ---- the non-blocking interface ---- */

int routed_client_submit(struct routed_client *c, uint32_t table,
			 const struct routed_addr *addresses, size_t n,
			 struct routed_answer_bin *answers, void *user)
{
	int rc = cl_flight_submit(c, table, addresses, n, answers, user, NULL);

	if (!rc)
		cl_flight_send(c);
	return rc;
}

int routed_client_complete(struct routed_client *c, struct routed_completion *done, size_t max)
{
	size_t k = 0;
	int rc;

	rc = cl_flight_progress(c, 0);
	if (rc)
		return rc;
	while (k < max && c->done_head) {
		struct cl_batch *b = c->done_head;

		done[k].user = b->user;
		done[k].status = cl_flight_reap(c, b);
		k++;
	}
	return (int)k;
}

int routed_client_fd(const struct routed_client *c)
{
	return c->servers.epfd;
}

int routed_client_timeout_ms(const struct routed_client *c)
{
	return cl_flight_timeout_ms(c, true);
}

size_t routed_client_pending(const struct routed_client *c)
{
	return c->pending;
}

/* ---- blocking lookups ---- */

static const char *lookup_error(int rc)
{
	switch (rc) {
	case -ETIMEDOUT:
		return "no answer from any server in time";
	case -ENOENT:
		return "no such table";
	case -EPROTO:
		return "a response with a status this library does not know";
	case -ECONNREFUSED:
		return "every server refused (nothing listens there)";
	default:
		return strerror(-rc);
	}
}

int routed_client_lookup_bin(struct routed_client *c, uint32_t table,
			     const struct routed_addr *addresses, size_t n,
			     struct routed_answer_bin *answers)
{
	struct cl_batch *b;
	int rc;

	rc = cl_flight_submit(c, table, addresses, n, answers, NULL, &b);
	if (rc)
		return rc;
	/* Sent first, so the first wait knows the first try's deadline. */
	cl_flight_send(c);
	while (!b->done) {
		int wait = cl_flight_timeout_ms(c, false);

		rc = cl_flight_progress(c, wait < 0 ? 1000 : wait);
		if (rc) {
			cl_flight_abandon(c, b, rc);
			return rc;
		}
	}
	rc = cl_flight_reap(c, b);
	if (rc)
		cl_seterr(c, "lookup in table %u: %s", table, lookup_error(rc));
	return rc;
}

static void format_answer(const struct routed_answer_bin *in, const struct routed_addr *addr,
			  struct routed_answer *out)
{
	struct rt_addr a = { .family = addr->family };
	struct rt_prefix p;

	memset(out, 0, sizeof(*out));
	out->generation = in->generation;
	if (!in->found)
		return;
	out->found = true;
	out->prefix_len = in->prefix_len;
	memcpy(a.bytes, addr->addr, sizeof(a.bytes));
	rt_addr_mask(&a, in->prefix_len);
	p = (struct rt_prefix){ .addr = a, .len = in->prefix_len };
	rt_prefix_format(&p, out->prefix, sizeof(out->prefix));
	out->has_via = in->has_via;
	if (in->has_via)
		inet_ntop(in->via.family, in->via.addr, out->via, sizeof(out->via));
	out->has_tag = in->has_tag;
	out->tag = in->tag;
	out->reject = in->reject;
	out->multipath = in->multipath;
}

int routed_client_lookup(struct routed_client *c, uint32_t table,
			 const char *const *addresses, size_t n,
			 struct routed_answer *answers)
{
	struct routed_addr *addrs = NULL;
	struct routed_answer_bin *bin = NULL;
	char why[RT_ERR_LEN];
	int rc;

	if (n == 0 || !addresses || !answers) {
		cl_seterr(c, "an empty batch");
		return -EINVAL;
	}
	addrs = malloc(n * sizeof(*addrs));
	bin = malloc(n * sizeof(*bin));
	if (!addrs || !bin) {
		rc = -ENOMEM;
		cl_seterr(c, "%s", strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct rt_addr a;

		if (!addresses[i] || rt_addr_parse(addresses[i], &a, why, sizeof(why))) {
			cl_seterr(c, "address %zu: %s", i, addresses[i] ? why : "NULL");
			rc = -EINVAL;
			goto out;
		}
		addrs[i].family = a.family;
		memcpy(addrs[i].addr, a.bytes, sizeof(addrs[i].addr));
	}
	rc = routed_client_lookup_bin(c, table, addrs, n, bin);
	for (size_t i = 0; i < n; i++) {
		if (rc && rc != -ENOENT)
			memset(&answers[i], 0, sizeof(answers[i]));
		else
			format_answer(&bin[i], &addrs[i], &answers[i]);
	}
out:
	free(addrs);
	free(bin);
	return rc;
}

/* ---- servers ---- */

size_t routed_client_server_count(const struct routed_client *c)
{
	return c->servers.n;
}

int routed_client_server_info(const struct routed_client *c, size_t i,
			      struct routed_server_info *info)
{
	if (i >= c->servers.n)
		return -EINVAL;
	cl_servers_info(&c->servers, i, rt_clock_ns(), info);
	return 0;
}

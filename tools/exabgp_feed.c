/* SPDX-License-Identifier: GPL-2.0-or-later */
/* routed-exabgp between ExaBGP's lines and routed (exabgp_feed.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include <routed/clock.h>
#include <routed/exabgp.h>
#include <routed/route.h>

#include "ctl_client.h"
#include "exabgp_feed.h"
#include "exabgp_rib.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define STATUS_EVERY_MS 1000
#define CONNECT_TIMEOUT_MS 30000
/*
 * A push ends at this many bytes of routes and removals whatever --batch
 * says: the request must stay under routed's control.max_line_bytes
 * (default 1 MiB), or routed closes the connection and every replay would
 * fail the same way.
 */
#define PUSH_BYTES_MAX (512u << 10)
/* Malformed lines logged in full: the first ones, then one in this many. */
#define LOG_FIRST 10
#define LOG_EVERY 1000

/* Counted reasons beyond the parser's (exabgp_error). */
enum {
	X_LINE_TOO_LONG = EXABGP_ERR_MAX + 1,
	X_TOO_MANY_NEIGHBORS,
	X_PUSH_REFUSED,
	X_COUNT,
};

struct exfeed {
	struct exfeed_options o;
	struct rib *rib;
	struct ctl_client *ctl;
	uint32_t table_id;
	bool first_sync_done;		/* the first generation has ended */
	bool dirty_status;
	uint64_t start_ns, last_update_ns, next_connect_ns, next_status_ns;
	unsigned backoff_ms;
	uint64_t lines, acks, other_family, other_type, pushes, reconnects;
	uint64_t errors[X_COUNT];
	uint64_t logged;
	char *buf;			/* the push being built */
	size_t len, cap;
	bool buf_failed;
	size_t n_lines, n_removes;
};

static void logx(const char *fmt, ...)
{
	va_list ap;

	fputs("routed-exabgp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *reason_name(unsigned i)
{
	switch (i) {
	case X_LINE_TOO_LONG:
		return "line-too-long";
	case X_TOO_MANY_NEIGHBORS:
		return "too-many-neighbors";
	case X_PUSH_REFUSED:
		return "push-refused";
	default:
		return exabgp_error_name(i);
	}
}

struct exfeed *exfeed_create(const struct exfeed_options *o)
{
	struct exfeed *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->o = *o;
	x->rib = rib_create(o->tag_origin_as);
	if (!x->rib) {
		free(x);
		return NULL;
	}
	x->start_ns = x->last_update_ns = rt_clock_ns();
	x->backoff_ms = BACKOFF_MIN_MS;
	return x;
}

void exfeed_destroy(struct exfeed *x)
{
	if (!x)
		return;
	if (x->ctl)
		ctl_client_close(x->ctl);
	rib_destroy(x->rib);
	free(x->buf);
	free(x);
}

static void count_error(struct exfeed *x, unsigned reason, const char *msg, const char *line,
			size_t len)
{
	x->errors[reason]++;
	x->dirty_status = true;
	if (x->logged < LOG_FIRST || x->errors[reason] % LOG_EVERY == 0) {
		logx("%s (%s, %" PRIu64 " so far): %.*s", msg, reason_name(reason), x->errors[reason],
		     (int)(len > 200 ? 200 : len), line);
		x->logged++;
	}
}

void exfeed_line_too_long(struct exfeed *x)
{
	count_error(x, X_LINE_TOO_LONG, "a line longer than --max-line, dropped", "", 0);
}

/* ---- building a push: {"feed", "sync"?, "lines": [...], "remove": [...], "status"} ---- */

static void put(struct exfeed *x, const char *s, size_t n)
{
	if (x->buf_failed)
		return;
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 1 << 16;
		char *b;

		while (cap < x->len + n + 1)
			cap *= 2;
		b = realloc(x->buf, cap);
		if (!b) {
			x->buf_failed = true;
			return;
		}
		x->buf = b;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, s, n);
	x->len += n;
	x->buf[x->len] = '\0';
}

static void put_str(struct exfeed *x, const char *s)
{
	put(x, s, strlen(s));
}

/* Route lines and removals are collected apart, then joined in push_send(). */
struct pending {
	struct exfeed *x;
	char *rm;
	size_t rm_len, rm_cap;
	bool rm_failed;
};

static void put_rm(struct pending *p, const char *s)
{
	size_t n = strlen(s);

	if (p->rm_failed)
		return;
	if (p->rm_len + n + 1 > p->rm_cap) {
		size_t cap = p->rm_cap ? p->rm_cap : 1 << 14;
		char *b;

		while (cap < p->rm_len + n + 1)
			cap *= 2;
		b = realloc(p->rm, cap);
		if (!b) {
			p->rm_failed = true;
			return;
		}
		p->rm = b;
		p->rm_cap = cap;
	}
	memcpy(p->rm + p->rm_len, s, n + 1);
	p->rm_len += n;
}

static int add_change(const struct rt_prefix *pfx, const struct rib_choice *c, void *arg)
{
	struct pending *p = arg;
	struct exfeed *x = p->x;
	char text[RT_PREFIX_STRLEN], via[RT_ADDR_STRLEN], item[256];

	rt_prefix_format(pfx, text, sizeof(text));
	if (!c->present) {
		snprintf(item, sizeof(item), "%s{\"prefix\":\"%s\",\"table\":%" PRIu32 "}",
			 x->n_removes ? "," : "", text, x->table_id);
		put_rm(p, item);
		x->n_removes++;
		return x->len + p->rm_len >= PUSH_BYTES_MAX;
	}
	rt_addr_format(&c->nexthop, via, sizeof(via));
	if (c->has_tag)
		snprintf(item, sizeof(item), "%s\"%s via %s table %" PRIu32 " proto %s tag %" PRIu32 "\"",
			 x->n_lines ? "," : "", text, via, x->table_id, x->o.proto, c->tag);
	else
		snprintf(item, sizeof(item), "%s\"%s via %s table %" PRIu32 " proto %s\"",
			 x->n_lines ? "," : "", text, via, x->table_id, x->o.proto);
	put_str(x, item);
	x->n_lines++;
	return x->len + p->rm_len >= PUSH_BYTES_MAX;
}

static json_t *status_json(struct exfeed *x)
{
	json_t *nbs = json_array(), *errors = json_object(), *skipped;
	struct rib_neighbor_info ni;
	char addr[RT_ADDR_STRLEN];

	for (size_t i = 0; nbs && i < rib_neighbor_count(x->rib); i++) {
		rib_neighbor_info(x->rib, (int)i, &ni);
		json_array_append_new(nbs, json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:I}", "peer",
						     rt_addr_format(&ni.peer, addr, sizeof(addr)),
						     "peer_as", (json_int_t)ni.peer_as, "state",
						     ni.up ? "up" : "down", "routes", (json_int_t)ni.routes,
						     "announces", (json_int_t)ni.announces, "withdraws",
						     (json_int_t)ni.withdraws, "eors", (json_int_t)ni.eors));
	}
	for (unsigned i = 1; errors && i < X_COUNT; i++)
		if (x->errors[i])
			json_object_set_new(errors, reason_name(i), json_integer((json_int_t)x->errors[i]));
	skipped = json_pack("{s:I, s:I, s:I}", "other-family", (json_int_t)x->other_family,
			    "other-type", (json_int_t)x->other_type, "ack", (json_int_t)x->acks);
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "state",
			 x->first_sync_done ? "synced" : "syncing", "messages", (json_int_t)x->lines,
			 "prefixes", (json_int_t)rib_prefix_count(x->rib), "pushes",
			 (json_int_t)x->pushes, "reconnects", (json_int_t)x->reconnects, "neighbors",
			 nbs ? nbs : json_null(), "errors", errors ? errors : json_null(), "skipped",
			 skipped ? skipped : json_null());
}

static void disconnect(struct exfeed *x, const char *why)
{
	if (x->ctl) {
		logx("routed: %s; reconnecting", why);
		ctl_client_close(x->ctl);
		x->ctl = NULL;
	}
	x->next_connect_ns = rt_clock_ns() + (uint64_t)x->backoff_ms * 1000000u;
	x->backoff_ms = x->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : x->backoff_ms * 2;
}

/*
 * Send the push in x->buf (its lines) plus p's removals, with sync and
 * the status. 0; -1 when routed is gone (disconnected, to be resynced).
 * A refusal is counted, logged and not retried: routed cannot take it.
 */
static int push_send(struct exfeed *x, struct pending *p, const char *sync)
{
	json_t *status = status_json(x), *result = NULL;
	char *status_text = status ? json_dumps(status, JSON_COMPACT) : NULL;
	char head[256];
	struct ctl_error err;
	int rc = -1;

	json_decref(status);
	snprintf(head, sizeof(head), "{\"feed\":\"%s\"%s%s%s,\"lines\":[", x->o.feed,
		 sync ? ",\"sync\":\"" : "", sync ? sync : "", sync ? "\"" : "");
	/* head + lines + "],\"remove\":[" + removals + "],\"status\":" + status + "}" */
	put_str(x, "],\"remove\":[");
	if (p->rm_len)
		put(x, p->rm, p->rm_len);
	put_str(x, "],\"status\":");
	put_str(x, status_text ? status_text : "{}");
	put_str(x, "}");
	free(status_text);
	if (x->buf_failed || p->rm_failed) {
		logx("out of memory building a push");
		goto out;
	}
	{
		size_t hl = strlen(head);
		char *full = malloc(hl + x->len + 1);
		json_int_t id;

		if (!full)
			goto out;
		memcpy(full, head, hl);
		memcpy(full + hl, x->buf, x->len + 1);
		rc = ctl_client_send_text(x->ctl, "feed.push", full, hl + x->len, &id, &err);
		free(full);
		if (rc == CTL_OK)
			rc = ctl_client_wait(x->ctl, id, &result, &err);
	}
	if (rc == CTL_RPC_ERROR) {
		/* routed cannot take it (a table deleted, ...): retrying would loop. */
		count_error(x, X_PUSH_REFUSED, err.message, "", 0);
		rc = 0;
	}
	rc = rc == CTL_OK ? 0 : -1;
out:
	/* The next push starts empty, a failed one included (it is replayed whole). */
	x->len = 0;
	x->n_lines = x->n_removes = 0;
	x->buf_failed = false;
	p->rm_len = 0;
	p->rm_failed = false;
	json_decref(result);
	return rc;
}

/* Push the changed winners, in batches. 0, or -1 (disconnected). */
static int push_changes(struct exfeed *x)
{
	struct pending p = { .x = x };
	int rc = 0;

	while (rc == 0 && rib_pending(x->rib)) {
		size_t n = rib_changes(x->rib, x->o.batch, add_change, &p);

		if (!n) {
			rib_sent(x->rib, 0);
			break;
		}
		rc = push_send(x, &p, NULL);
		if (rc == 0) {
			rib_sent(x->rib, n);
			x->pushes++;
		}
	}
	free(p.rm);
	return rc;
}

/*
 * Everything, as a new generation: "begin" with the first push (or "full"
 * when one push holds it all), "end" with the last one once the first
 * sync is done (before that, the first sync's end closes the generation).
 */
static int push_full(struct exfeed *x)
{
	struct pending p = { .x = x };
	size_t cursor = 0;
	bool first = true, last;
	int rc = 0;

	do {
		const char *sync;

		rib_full(x->rib, &cursor, x->o.batch, add_change, &p);
		last = rib_full_done(x->rib, cursor);
		if (first)
			sync = last && x->first_sync_done ? "full" : "begin";
		else
			sync = last && x->first_sync_done ? "end" : NULL;
		rc = push_send(x, &p, sync);
		if (rc == 0)
			x->pushes++;
		first = false;
	} while (rc == 0 && !last);
	free(p.rm);
	return rc;
}

static int table_id(struct exfeed *x)
{
	json_t *result = NULL, *t;
	struct ctl_error err;
	char *end;
	size_t i;
	unsigned long v = strtoul(x->o.table, &end, 10);

	if (*x->o.table && !*end && v <= UINT32_MAX) {
		x->table_id = (uint32_t)v;
		return 0;
	}
	if (ctl_client_call(x->ctl, "table.list", NULL, &result, &err) != CTL_OK)
		return -1;
	json_array_foreach(json_object_get(result, "tables"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")) ?: "", x->o.table)) {
			x->table_id = (uint32_t)json_integer_value(json_object_get(t, "id"));
			json_decref(result);
			return 0;
		}
	json_decref(result);
	logx("routed has no table %s; retrying", x->o.table);
	return -1;
}

static int connect_routed(struct exfeed *x)
{
	struct ctl_error err;

	x->ctl = ctl_client_connect(x->o.socket, CONNECT_TIMEOUT_MS, &err);
	if (!x->ctl) {
		disconnect(x, err.message);
		return -1;
	}
	if (table_id(x) || push_full(x)) {
		disconnect(x, "the resync failed");
		return -1;
	}
	x->reconnects++;
	x->backoff_ms = BACKOFF_MIN_MS;
	logx("routed: connected, %zu prefixes sent (%s)", rib_prefix_count(x->rib),
	     x->first_sync_done ? "synced" : "waiting for the peers' end-of-RIB");
	return 0;
}

void exfeed_start(struct exfeed *x)
{
	if (x->o.refresh) {
		/* ExaBGP sends it to every established peer; the peers resend their tables. */
		fputs("announce route-refresh ipv4 unicast\nannounce route-refresh ipv6 unicast\n", stdout);
		fflush(stdout);
	}
	connect_routed(x);
}

static int neighbor_of(struct exfeed *x, const struct exabgp_msg *m, const char *line, size_t len)
{
	int nb = rib_neighbor(x->rib, &m->peer, m->peer_as);

	if (nb < 0)
		count_error(x, nb == -ENOSPC ? X_TOO_MANY_NEIGHBORS : EXABGP_ERR_NOMEM,
			    "cannot keep the neighbor", line, len);
	return nb;
}

static void apply_update(struct exfeed *x, const struct exabgp_msg *m, int nb)
{
	size_t i;

	for (i = 0; i < m->n_withdraw; i++)
		if (rib_withdraw(x->rib, nb, &m->withdraw[i].prefix))
			goto nomem;
	for (i = 0; i < m->n_announce; i++)
		if (rib_announce(x->rib, nb, &m->announce[i], &m->attrs))
			goto nomem;
	return;
nomem:
	count_error(x, EXABGP_ERR_NOMEM, "no memory for the update", "", 0);
}

void exfeed_line(struct exfeed *x, const char *line, size_t len)
{
	struct exabgp_msg m;
	char err[256];
	enum exabgp_error e;
	int nb;

	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return;
	x->lines++;
	x->dirty_status = true;
	/* With api.ack, ExaBGP answers each command written back. */
	if ((len == 4 && !memcmp(line, "done", 4)) || (len == 5 && !memcmp(line, "error", 5))) {
		x->acks++;
		return;
	}
	e = exabgp_parse(line, len, &m, err, sizeof(err));
	if (e) {
		count_error(x, e, err, line, len);
		exabgp_msg_release(&m);
		return;
	}
	x->other_family += m.other_family;
	switch (m.type) {
	case EXABGP_STATE:
	case EXABGP_UPDATE:
	case EXABGP_EOR:
	case EXABGP_REFRESH:
		nb = neighbor_of(x, &m, line, len);
		if (nb < 0)
			break;
		x->last_update_ns = rt_clock_ns();
		/* A helper started after the session came up learns it is up from its updates. */
		if (m.type != EXABGP_STATE || m.state == EXABGP_STATE_UP)
			rib_neighbor_up(x->rib, nb);
		if (m.type == EXABGP_STATE) {
			if (m.state == EXABGP_STATE_DOWN && rib_neighbor_down(x->rib, nb))
				count_error(x, EXABGP_ERR_NOMEM, "no memory for a neighbor down", line, len);
		} else if (m.type == EXABGP_UPDATE)
			apply_update(x, &m, nb);
		else if (m.type == EXABGP_EOR || (m.type == EXABGP_REFRESH && m.refresh == EXABGP_REFRESH_END))
			rib_neighbor_eor(x->rib, nb);
		break;
	default:
		x->other_type++;
		break;
	}
	exabgp_msg_release(&m);
}

/*
 * The first generation ends when some neighbor is up, every neighbor that
 * is up has sent an end-of-RIB (or of a route refresh), and the input has
 * been quiet for --quiet-ms; or after --sync-timeout-ms of silence
 * whatever the neighbors did (none is up: nothing is coming).
 */
static bool first_sync_due(const struct exfeed *x, uint64_t now)
{
	uint64_t quiet = now - x->last_update_ns;
	struct rib_neighbor_info ni;
	bool any_up = false;

	if (quiet >= (uint64_t)x->o.sync_timeout_ms * 1000000u)
		return true;
	if (quiet < (uint64_t)x->o.quiet_ms * 1000000u)
		return false;
	for (size_t i = 0; i < rib_neighbor_count(x->rib); i++) {
		rib_neighbor_info(x->rib, (int)i, &ni);
		if (ni.up && !ni.eors)
			return false;
		any_up |= ni.up;
	}
	return any_up;
}

void exfeed_tick(struct exfeed *x, bool eof)
{
	uint64_t now = rt_clock_ns();

	if (!x->ctl) {
		if (now < x->next_connect_ns || connect_routed(x))
			return;
	}
	if (push_changes(x)) {
		disconnect(x, "a push failed");
		return;
	}
	if (!x->first_sync_done && (eof || first_sync_due(x, now))) {
		struct pending p = { .x = x };

		x->first_sync_done = true;
		if (push_send(x, &p, "end")) {
			x->first_sync_done = false;
			disconnect(x, "a push failed");
			return;
		}
		logx("synced: %zu prefixes from %zu neighbors", rib_prefix_count(x->rib),
		     rib_neighbor_count(x->rib));
		x->dirty_status = false;
		x->next_status_ns = now + STATUS_EVERY_MS * 1000000ull;
	}
	if (x->dirty_status && now >= x->next_status_ns) {
		struct pending p = { .x = x };

		if (push_send(x, &p, NULL)) {
			disconnect(x, "a push failed");
			return;
		}
		x->dirty_status = false;
		x->next_status_ns = now + STATUS_EVERY_MS * 1000000ull;
	}
}

int exfeed_timeout_ms(const struct exfeed *x)
{
	uint64_t now = rt_clock_ns(), at;

	if (!x->ctl)
		at = x->next_connect_ns;
	else if (!x->first_sync_done)
		at = now + 200 * 1000000ull;
	else if (x->dirty_status)
		at = x->next_status_ns;
	else
		return -1;
	return at <= now ? 0 : (int)((at - now) / 1000000u) + 1;
}

int exfeed_finish(struct exfeed *x)
{
	if (!x->ctl)
		return -1;
	x->next_status_ns = 0;
	exfeed_tick(x, true);
	return x->ctl ? 0 : -1;
}

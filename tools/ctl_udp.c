/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UDP lookup client. One connected UDP socket per family of looked-up
 * addresses: connected, so the kernel drops datagrams from anyone but the
 * server and reports an ICMP port unreachable as ECONNREFUSED.
 *
 * A chunk of addresses becomes a set of datagrams with consecutive request
 * ids. Up to WINDOW of them are in flight at once, each resent on its own
 * schedule with the same id (a late answer to an earlier try is as good).
 * A response counts only if it is well formed and answers a datagram still
 * waiting: same id, family, count, table, length and echoed addresses.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <routed/clock.h>
#include <routed/lookup_wire.h>
#include <routed/prefix.h>

#include "ctl_udp.h"
#include "ctl_words.h"

/* Addresses looked up and rendered together: bounded memory for any input. */
#define CTL_UDP_CHUNK 4096
/* Datagrams in flight at once: far below any socket buffer. */
#define WINDOW 32
#define MAX_TRIES 4
#define MAIN_TABLE_ID 254
/* The most datagrams a chunk needs: every address in one family, plus a partial one each. */
#define MAX_DATAGRAMS (CTL_UDP_CHUNK / RT_WIRE_MAX_COUNT6 + 2)
/* Bigger than any valid datagram, so an oversized one is seen as such. */
#define RECV_BUF (RT_WIRE_MAX_PAYLOAD + 1)

/* How long each try waits for its answer, unless the timeout ends it first. */
static const int try_wait_ms[MAX_TRIES] = { 250, 500, 1000, 2000 };

enum { V4, V6, N_FAMILIES };

struct channel {
	int fd;				/* -1 until first used */
	struct sockaddr_storage server;
	socklen_t server_len;
	char name[RT_ADDR_STRLEN + 8];	/* "[::1]:5300", for messages */
};

struct datagram {
	int fam;			/* V4 or V6 */
	uint32_t id;
	size_t n, len;
	uint16_t position[RT_WIRE_MAX_COUNT4];	/* chunk position of each slot */
	int tries;
	int64_t first_sent_ms, deadline_ms;
	bool done;
	uint8_t request[RT_WIRE_MAX_PAYLOAD];	/* last: a new datagram clears what precedes */
};

struct result {
	struct rt_wire_answer answer;
	uint64_t generation;
};

struct ctl_udp {
	struct channel ch[N_FAMILIES];
	uint32_t table;
	int timeout_ms;
	const struct ctl_output *out;
	bool begun;
	uint32_t next_id;
	unsigned long invalid;		/* responses refused by the checks */
	size_t n;			/* addresses queued */
	struct rt_addr addr[CTL_UDP_CHUNK];
	struct result result[CTL_UDP_CHUNK];
	struct datagram dg[MAX_DATAGRAMS];
};

static int64_t now_ms(void)
{
	return (int64_t)(rt_clock_ns() / 1000000);
}

static unsigned wire_family(int fam)
{
	return fam == V4 ? RT_WIRE_FAMILY4 : RT_WIRE_FAMILY6;
}

/* ---- the table ---- */

int ctl_udp_set_table(struct ctl_udp *u, struct ctl *ctl, const char *word)
{
	uint32_t *id = &u->table;
	struct ctl_error err;
	json_t *value, *result, *t;
	const char *name;
	size_t i;
	int rc;

	*id = 0;
	if (!word)
		return EXIT_OK;
	value = ctl_table_value(word);
	if (!value)
		return EXIT_ERROR;
	if (json_is_integer(value)) {
		*id = (uint32_t)json_integer_value(value);
		json_decref(value);
		return EXIT_OK;
	}
	json_decref(value);
	if (!strcmp(word, "main")) {
		*id = MAIN_TABLE_ID;
		return EXIT_OK;
	}
	/* The wire carries ids only: the daemon knows the names. */
	rc = ctl_call_quiet(ctl, "table.list", NULL, &result, &err);
	if (rc == EXIT_ERROR)
		ctl_errorf("table.list: %s", err.message);
	if (rc) {
		ctl_errorf("table '%s': a table name is resolved through the control socket; "
			   "give the table id instead", word);
		return rc;
	}
	rc = EXIT_ERROR;
	json_array_foreach(json_object_get(result, "tables"), i, t) {
		name = json_string_value(json_object_get(t, "name"));
		if (name && !strcmp(name, word) && json_is_integer(json_object_get(t, "id"))) {
			*id = (uint32_t)json_integer_value(json_object_get(t, "id"));
			rc = EXIT_OK;
			break;
		}
	}
	json_decref(result);
	if (rc)
		ctl_errorf("table '%s': no such table", word);
	return rc;
}

/* ---- the server ---- */

/* "ADDR:PORT" or "[ADDR]:PORT" into c: 0, or EXIT_USAGE, reported. */
static int parse_server(const char *text, struct channel *c)
{
	struct rt_hostport hp;
	char host[INET6_ADDRSTRLEN];

	switch (rt_hostport_parse(text, &hp)) {
	case RT_HOSTPORT_OK:
		break;
	case RT_HOSTPORT_NO_BRACKET:
	case RT_HOSTPORT_NO_PORT:
		return ctl_usage_error("lookup", "--udp '%s': expected %s", text,
				       hp.family == AF_INET6 ? "[ADDR]:PORT" : "ADDR:PORT");
	case RT_HOSTPORT_UNBRACKETED:
		return ctl_usage_error("lookup",
				       "--udp '%s': an IPv6 address goes in brackets: [ADDR]:PORT",
				       text);
	case RT_HOSTPORT_BAD_ADDR:
		return ctl_usage_error("lookup", "--udp: invalid %s address '%.*s'",
				       hp.family == AF_INET6 ? "IPv6" : "IPv4", (int)hp.host_len,
				       hp.host);
	case RT_HOSTPORT_BAD_PORT:
		goto bad_port;
	}
	/* Port 0 and leading zeros are no way to name a server. */
	if (hp.port_text[0] == '0')
		goto bad_port;
	c->server_len = rt_addr_sockaddr(&hp.addr, hp.port, &c->server);
	inet_ntop(hp.family, hp.addr.bytes, host, sizeof(host));
	snprintf(c->name, sizeof(c->name), hp.family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
		 hp.port);
	return EXIT_OK;
bad_port:
	return ctl_usage_error("lookup", "--udp: invalid port '%s' (expected 1-65535)",
			       hp.port_text);
}

int ctl_udp_open(const char *server, int timeout_ms, const struct ctl_output *out,
		 struct ctl_udp **udp)
{
	static const char *const defaults[N_FAMILIES] = { "127.0.0.1:5300", "[::1]:5300" };
	struct ctl_udp *u;
	int rc;

	_Static_assert(RT_WIRE_DEFAULT_PORT == 5300, "the defaults above name the port");
	u = calloc(1, sizeof(*u));
	if (!u) {
		ctl_errorf("%s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	for (int fam = 0; fam < N_FAMILIES; fam++) {
		u->ch[fam].fd = -1;
		rc = parse_server(server ? server : defaults[fam], &u->ch[fam]);
		if (rc) {
			ctl_udp_close(u);
			return rc;
		}
	}
	u->timeout_ms = timeout_ms;
	u->out = out;
	/* A random first id: answers meant for an earlier run do not match. */
	if (getrandom(&u->next_id, sizeof(u->next_id), GRND_NONBLOCK) != sizeof(u->next_id))
		u->next_id = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	*udp = u;
	return EXIT_OK;
}

void ctl_udp_close(struct ctl_udp *u)
{
	if (!u)
		return;
	for (int fam = 0; fam < N_FAMILIES; fam++)
		if (u->ch[fam].fd >= 0)
			close(u->ch[fam].fd);
	free(u);
}

static int channel_error(const struct channel *c, const char *what, int err)
{
	if (err == ECONNREFUSED)
		ctl_errorf("%s: no lookup service there (connection refused)", c->name);
	else
		ctl_errorf("%s: %s: %s", c->name, what, strerror(err));
	return EXIT_UNREACHABLE;
}

static int channel_open(struct channel *c)
{
	if (c->fd >= 0)
		return EXIT_OK;
	c->fd = socket(c->server.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return channel_error(c, "socket", errno);
	if (connect(c->fd, (struct sockaddr *)&c->server, c->server_len) < 0)
		return channel_error(c, "connect", errno);
	return EXIT_OK;
}

/* ---- one chunk ---- */

/* The chunk's addresses as datagrams, per family, in input order. Returns how many. */
static size_t build_datagrams(struct ctl_udp *u)
{
	struct rt_addr slots[RT_WIRE_MAX_COUNT4];
	size_t n_dg = 0;

	for (int fam = 0; fam < N_FAMILIES; fam++) {
		int af = fam == V4 ? AF_INET : AF_INET6;
		size_t max = rt_wire_max_count(wire_family(fam));
		struct datagram *d = NULL;

		for (size_t i = 0; i <= u->n; i++) {
			/* Close a full datagram, and the last one at the end. */
			if (d && (d->n == max || i == u->n)) {
				for (size_t s = 0; s < d->n; s++)
					slots[s] = u->addr[d->position[s]];
				d->len = rt_wire_encode_request(d->request, sizeof(d->request),
								d->id, u->table, wire_family(fam),
								slots, d->n);
				d = NULL;
			}
			if (i == u->n || u->addr[i].family != af)
				continue;
			if (!d) {
				d = &u->dg[n_dg++];
				memset(d, 0, offsetof(struct datagram, request));
				d->fam = fam;
				d->id = u->next_id++;
			}
			d->position[d->n++] = (uint16_t)i;
		}
	}
	return n_dg;
}

/* Send one try of d and set when it expires. An exit code. */
static int send_try(struct ctl_udp *u, struct datagram *d, int64_t now)
{
	struct channel *c = &u->ch[d->fam];
	int rc = channel_open(c);

	if (rc)
		return rc;
	if (d->tries++ == 0)
		d->first_sent_ms = now;
	d->deadline_ms = now + try_wait_ms[d->tries - 1];
	if (u->timeout_ms >= 0 && d->deadline_ms > d->first_sent_ms + u->timeout_ms)
		d->deadline_ms = d->first_sent_ms + u->timeout_ms;
	if (send(c->fd, d->request, d->len, 0) < 0) {
		/* A full buffer loses the datagram like the network would: the retry resends. */
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINTR)
			return EXIT_OK;
		return channel_error(c, "send", errno);
	}
	return EXIT_OK;
}

static int give_up(const struct ctl_udp *u, const struct datagram *d, int64_t now)
{
	const struct channel *c = &u->ch[d->fam];

	ctl_errorf("%s: no answer from the lookup service (%d %s in %.1f s)%s", c->name, d->tries,
		   d->tries == 1 ? "try" : "tries", (double)(now - d->first_sent_ms) / 1000.0,
		   u->invalid ? "; invalid responses were ignored" : "");
	return EXIT_UNREACHABLE;
}

/*
 * A datagram received on channel fam: the answers of a datagram still
 * waiting, or ignored. EXIT_OK, or an exit code for an answer that ends
 * the command (no such table).
 */
static int take_response(struct ctl_udp *u, int fam, const uint8_t *buf, size_t len,
			 uint32_t first_id, size_t n_dg, size_t *waiting)
{
	struct rt_wire_answer answers[RT_WIRE_MAX_COUNT4];
	size_t slot_len = rt_wire_slot_len(wire_family(fam));
	size_t addr_len = fam == V4 ? 4 : 16;
	struct rt_wire_header h;
	struct datagram *d;
	uint32_t k;

	if (rt_wire_parse_response(buf, len, &h) != RT_WIRE_OK)
		goto invalid;
	/* Unsigned arithmetic: ids wrap around. */
	k = h.id - first_id;
	if (k >= n_dg)
		return EXIT_OK;		/* late answer to an earlier chunk */
	d = &u->dg[k];
	if (d->done || d->fam != fam)
		return EXIT_OK;		/* a duplicate */
	if (h.family != wire_family(fam) || h.count != d->n || h.table != u->table ||
	    len != d->len)
		goto invalid;
	for (size_t s = 0; s < d->n; s++) {
		size_t at = RT_WIRE_HEADER_LEN + s * slot_len;

		if (memcmp(buf + at, d->request + at, addr_len))
			goto invalid;
	}
	if (h.status == RT_WIRE_STATUS_NO_TABLE) {
		if (u->table)
			ctl_errorf("table %u: no such table (lookup service at %s)", u->table,
				   u->ch[fam].name);
		else
			ctl_errorf("%s: the lookup service has no table for this listener",
				   u->ch[fam].name);
		return EXIT_ERROR;
	}
	if (h.status != RT_WIRE_STATUS_OK) {
		ctl_errorf("%s: unknown status %u in a response", u->ch[fam].name, h.status);
		return EXIT_ERROR;
	}
	for (size_t s = 0; s < d->n; s++) {
		rt_wire_get_answer(buf, &h, s, &answers[s]);
		if (answers[s].found && answers[s].len > addr_len * 8)
			goto invalid;
	}
	for (size_t s = 0; s < d->n; s++) {
		u->result[d->position[s]].answer = answers[s];
		u->result[d->position[s]].generation = h.generation;
	}
	d->done = true;
	(*waiting)--;
	return EXIT_OK;
invalid:
	u->invalid++;
	return EXIT_OK;
}

/* Everything channel fam has received. An exit code. */
static int receive(struct ctl_udp *u, int fam, uint32_t first_id, size_t n_dg, size_t *waiting)
{
	static uint8_t buf[RECV_BUF];
	struct channel *c = &u->ch[fam];
	ssize_t got;
	int rc;

	for (;;) {
		got = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return EXIT_OK;
			if (errno == EINTR)
				continue;
			return channel_error(c, "receive", errno);
		}
		rc = take_response(u, fam, buf, (size_t)got, first_id, n_dg, waiting);
		if (rc)
			return rc;
	}
}

static json_t *entry_json(const struct ctl_udp *u, const struct result *r)
{
	const struct rt_wire_answer *a = &r->answer;
	char addr[RT_ADDR_STRLEN], prefix[RT_PREFIX_STRLEN], gateway[RT_ADDR_STRLEN];
	struct rt_prefix p = { .addr = a->addr, .len = a->len };
	json_int_t generation = (json_int_t)r->generation;

	rt_addr_format(&a->addr, addr, sizeof(addr));
	if (!a->found)
		return json_pack("{s:s, s:b, s:n, s:n, s:I}", "address", addr, "found", 0, "prefix",
				 "route", "generation", generation);
	rt_addr_mask(&p.addr, p.len);
	rt_prefix_format(&p, prefix, sizeof(prefix));
	if (a->has_gateway)
		rt_addr_format(&a->gateway, gateway, sizeof(gateway));
	return json_pack("{s:s, s:b, s:s, s:{s:o, s:o, s:o, s:b, s:b}, s:I}", "address", addr, "found",
			 1, "prefix", prefix, "route",
			 "table", u->table ? json_integer(u->table) : json_null(),
			 "via", a->has_gateway ? json_string(gateway) : json_null(),
			 "tag", a->has_tag ? json_integer(a->tag) : json_null(),
			 "reject", a->reject,
			 "multipath", a->multipath,
			 "generation", generation);
}

static int render(struct ctl_udp *u)
{
	json_t *entry;

	if (!u->begun)
		u->out->lookup_begin(CTL_LOOKUP_UDP);
	u->begun = true;
	for (size_t i = 0; i < u->n; i++) {
		entry = entry_json(u, &u->result[i]);
		if (!entry) {
			ctl_errorf("%s", strerror(ENOMEM));
			return EXIT_ERROR;
		}
		u->out->lookup_result(entry);
		json_decref(entry);
	}
	return EXIT_OK;
}

/* Look up the queued addresses and render them. An exit code. */
static int run_chunk(struct ctl_udp *u)
{
	uint32_t first_id = u->next_id;
	size_t n_dg = build_datagrams(u), next = 0, waiting = n_dg;
	struct pollfd pfd[N_FAMILIES];
	int64_t now, wake;
	int rc, n_pfd, fam_of[N_FAMILIES];

	while (waiting) {
		now = now_ms();
		/* The window holds the datagrams sent and not yet answered. */
		while (next < n_dg && next - (n_dg - waiting) < WINDOW) {
			rc = send_try(u, &u->dg[next++], now);
			if (rc)
				return rc;
		}
		wake = now + try_wait_ms[MAX_TRIES - 1];
		for (size_t k = 0; k < next; k++) {
			struct datagram *d = &u->dg[k];

			if (d->done)
				continue;
			if (d->deadline_ms <= now) {
				if (d->tries >= MAX_TRIES ||
				    (u->timeout_ms >= 0 && now - d->first_sent_ms >= u->timeout_ms))
					return give_up(u, d, now);
				rc = send_try(u, d, now);
				if (rc)
					return rc;
			}
			if (d->deadline_ms < wake)
				wake = d->deadline_ms;
		}
		n_pfd = 0;
		for (int fam = 0; fam < N_FAMILIES; fam++) {
			if (u->ch[fam].fd < 0)
				continue;
			pfd[n_pfd] = (struct pollfd){ .fd = u->ch[fam].fd, .events = POLLIN };
			fam_of[n_pfd++] = fam;
		}
		/* wake: the nearest deadline, never further than the longest try. */
		if (poll(pfd, (nfds_t)n_pfd, wake > now ? (int)(wake - now) : 0) < 0) {
			if (errno == EINTR)
				continue;
			ctl_errorf("poll: %s", strerror(errno));
			return EXIT_ERROR;
		}
		for (int i = 0; i < n_pfd; i++) {
			if (!pfd[i].revents)
				continue;
			rc = receive(u, fam_of[i], first_id, n_dg, &waiting);
			if (rc)
				return rc;
		}
	}
	rc = render(u);
	u->n = 0;
	return rc;
}

int ctl_udp_add(struct ctl_udp *u, const struct rt_addr *addr)
{
	u->addr[u->n++] = *addr;
	return u->n == CTL_UDP_CHUNK ? run_chunk(u) : EXIT_OK;
}

int ctl_udp_finish(struct ctl_udp *u)
{
	int rc = u->n ? run_chunk(u) : EXIT_OK;

	if (rc)
		return rc;
	if (!u->begun)
		u->out->lookup_begin(CTL_LOOKUP_UDP);
	u->begun = true;
	u->out->lookup_end();
	return EXIT_OK;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UDP lookup client of routectl: its options, the table word, and the
 * rendering; the protocol itself is libroutedclient's (one connected
 * socket per server, request ids, retries, the response checks, spread
 * and failover over several servers).
 *
 * Without --server the defaults stay per family, as they always were:
 * IPv4 addresses go to 127.0.0.1:5300 and IPv6 ones to [::1]:5300, through
 * one client each, opened when the first address of its family comes (a
 * host without IPv6 can still look up IPv4 addresses). With servers, one
 * client holds them all and both families spread over them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <routed/client.h>
#include <routed/clock.h>
#include <routed/lookup_wire.h>
#include <routed/prefix.h>

#include "ctl_udp.h"
#include "ctl_words.h"

/* Addresses looked up and rendered together: bounded memory for any input. */
#define CTL_UDP_CHUNK 4096
#define MAIN_TABLE_ID 254
/* Without --timeout: the four tries of 0.25, 0.5, 1 and 2 s bound a batch. */
#define TRIES 4
#define TRY_TIMEOUT_MS 250
#define RETRIES_MS 3750
/* The client library's longest timeout. */
#define MAX_TIMEOUT_MS (24u * 3600 * 1000)
#define SERVER_NAME_LEN (INET6_ADDRSTRLEN + 8)

enum { V4, V6, N_FAMILIES };

struct ctl_udp {
	/* Per family; the same client in both when servers were given. */
	struct routed_client *client[N_FAMILIES];
	/* "A:P,[B]:P": what each client is opened on; the V4 one when shared. */
	char *servers[N_FAMILIES];
	bool shared;
	uint32_t table;
	int timeout_ms;
	const struct ctl_output *out;
	bool begun;
	size_t n;			/* addresses queued */
	struct rt_addr addr[CTL_UDP_CHUNK];
	struct routed_answer_bin answer[CTL_UDP_CHUNK];
	/* One client's part of the chunk: its addresses and where they stand in it. */
	struct routed_addr batch[CTL_UDP_CHUNK];
	struct routed_answer_bin batch_answer[CTL_UDP_CHUNK];
	uint16_t position[CTL_UDP_CHUNK];
};

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

/* ---- the servers ---- */

/* "ADDR:PORT" or "[ADDR]:PORT" into its canonical name: 0, or EXIT_USAGE, reported. */
static int parse_server(const char *text, char name[SERVER_NAME_LEN])
{
	struct rt_hostport hp;
	char host[INET6_ADDRSTRLEN];

	switch (rt_hostport_parse(text, &hp)) {
	case RT_HOSTPORT_OK:
		break;
	case RT_HOSTPORT_NO_BRACKET:
	case RT_HOSTPORT_NO_PORT:
		return ctl_usage_error("lookup", "server '%s': expected %s", text,
				       hp.family == AF_INET6 ? "[ADDR]:PORT" : "ADDR:PORT");
	case RT_HOSTPORT_UNBRACKETED:
		return ctl_usage_error("lookup",
				       "server '%s': an IPv6 address goes in brackets: [ADDR]:PORT",
				       text);
	case RT_HOSTPORT_BAD_ADDR:
		return ctl_usage_error("lookup", "server: invalid %s address '%.*s'",
				       hp.family == AF_INET6 ? "IPv6" : "IPv4", (int)hp.host_len,
				       hp.host);
	case RT_HOSTPORT_BAD_PORT:
		goto bad_port;
	}
	/* Port 0 and leading zeros are no way to name a server. */
	if (hp.port_text[0] == '0')
		goto bad_port;
	inet_ntop(hp.family, hp.addr.bytes, host, sizeof(host));
	snprintf(name, SERVER_NAME_LEN, hp.family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
		 hp.port);
	return EXIT_OK;
bad_port:
	return ctl_usage_error("lookup", "server: invalid port '%s' (expected 1-65535)",
			       hp.port_text);
}

/* The servers' canonical names, comma-separated: the client library's list. */
static int server_list(const char *const *servers, size_t n, char **list)
{
	char name[SERVER_NAME_LEN];
	size_t len = 0;
	int rc;

	*list = malloc(n * (SERVER_NAME_LEN + 1) + 1);
	if (!*list) {
		ctl_errorf("%s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	(*list)[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		rc = parse_server(servers[i], name);
		if (rc)
			return rc;
		len += (size_t)sprintf(*list + len, "%s%s", i ? "," : "", name);
	}
	return EXIT_OK;
}

int ctl_udp_open(const char *const *servers, size_t n, int timeout_ms,
		 const struct ctl_output *out, struct ctl_udp **udp)
{
	static const char *const defaults[N_FAMILIES] = { "127.0.0.1:5300", "[::1]:5300" };
	struct ctl_udp *u;
	int rc = EXIT_OK;

	_Static_assert(RT_WIRE_DEFAULT_PORT == 5300, "the defaults above name the port");
	if (n > CTL_UDP_MAX_SERVERS)
		return ctl_usage_error("lookup", "more than %d servers", CTL_UDP_MAX_SERVERS);
	u = calloc(1, sizeof(*u));
	if (!u) {
		ctl_errorf("%s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	u->shared = n > 0;
	if (u->shared)
		rc = server_list(servers, n, &u->servers[V4]);
	for (int fam = 0; fam < N_FAMILIES && !u->shared && !rc; fam++)
		rc = server_list(&defaults[fam], 1, &u->servers[fam]);
	if (rc) {
		ctl_udp_close(u);
		return rc;
	}
	u->timeout_ms = timeout_ms;
	u->out = out;
	*udp = u;
	return EXIT_OK;
}

void ctl_udp_close(struct ctl_udp *u)
{
	if (!u)
		return;
	routed_client_close(u->client[V4]);
	if (!u->shared)
		routed_client_close(u->client[V6]);
	free(u->servers[V4]);
	free(u->servers[V6]);
	free(u);
}

/* The client of family fam, opened on first use. An exit code, reported. */
static int client_open(struct ctl_udp *u, int fam, struct routed_client **client)
{
	unsigned timeout = u->timeout_ms < 0 ? RETRIES_MS : (unsigned)u->timeout_ms;
	char err[256];
	struct routed_client *c;

	if (u->client[fam]) {
		*client = u->client[fam];
		return EXIT_OK;
	}
	c = routed_client_open(u->servers[u->shared ? V4 : fam], err, sizeof(err));
	if (!c) {
		ctl_errorf("%s", err);
		return EXIT_UNREACHABLE;
	}
	if (timeout > MAX_TIMEOUT_MS)
		timeout = MAX_TIMEOUT_MS;
	if (routed_client_set_timeout(c, timeout) || routed_client_set_tries(c, TRIES) ||
	    routed_client_set_try_timeout(c, TRY_TIMEOUT_MS)) {
		ctl_errorf("%s", routed_client_last_error(c));
		routed_client_close(c);
		return EXIT_ERROR;
	}
	u->client[fam] = c;
	if (u->shared)
		u->client[!fam] = c;
	*client = c;
	return EXIT_OK;
}

/* ---- failures ---- */

/* The servers of c that answered, comma-separated, into buf. */
static void answered_servers(const struct routed_client *c, char *buf, size_t len)
{
	struct routed_server_info info;
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < routed_client_server_count(c); i++) {
		if (routed_client_server_info(c, i, &info) || !info.answered || at >= len)
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? ", " : "", info.address);
	}
}

/* What one server did when a batch failed: refused, or how many datagrams went unanswered. */
static void server_story(const struct routed_server_info *info, char *buf, size_t len)
{
	if (info->refused && !info->answered)
		snprintf(buf, len, "no lookup service there (connection refused)");
	else
		snprintf(buf, len, "no answer from the lookup service (%llu %s sent, %llu timed out)",
			 (unsigned long long)info->sent, info->sent == 1 ? "datagram" : "datagrams",
			 (unsigned long long)info->timeouts);
}

/* A batch that no server answered: what each of them did. EXIT_UNREACHABLE. */
static int unreachable(const struct routed_client *c, double seconds)
{
	size_t n = routed_client_server_count(c);
	struct routed_server_info info;
	bool invalid = false;
	char story[160];

	for (size_t i = 0; i < n; i++)
		if (!routed_client_server_info(c, i, &info) && info.invalid)
			invalid = true;
	if (n == 1) {
		routed_client_server_info(c, 0, &info);
		server_story(&info, story, sizeof(story));
		ctl_errorf("%s: %s after %.1f s%s", info.address, story, seconds,
			   invalid ? "; invalid responses were ignored" : "");
		return EXIT_UNREACHABLE;
	}
	ctl_errorf("no answer from any of the %zu lookup servers in %.1f s%s", n, seconds,
		   invalid ? "; invalid responses were ignored" : "");
	for (size_t i = 0; i < n; i++) {
		routed_client_server_info(c, i, &info);
		server_story(&info, story, sizeof(story));
		ctl_errorf("%s: %s", info.address, story);
	}
	return EXIT_UNREACHABLE;
}

/* A lookup of c that failed with rc (-errno): reported, as an exit code. */
static int lookup_failed(const struct ctl_udp *u, const struct routed_client *c, int rc,
			 double seconds)
{
	char who[CTL_UDP_MAX_SERVERS * (SERVER_NAME_LEN + 2)];

	switch (rc) {
	case -ENOENT:
		answered_servers(c, who, sizeof(who));
		if (u->table)
			ctl_errorf("table %u: no such table (lookup service at %s)", u->table, who);
		else
			ctl_errorf("%s: the lookup service has no table for this listener", who);
		return EXIT_ERROR;
	case -EPROTO:
		answered_servers(c, who, sizeof(who));
		ctl_errorf("%s: a response with a status this client does not know", who);
		return EXIT_ERROR;
	case -ENOMEM:
		ctl_errorf("%s", strerror(ENOMEM));
		return EXIT_ERROR;
	default:
		return unreachable(c, seconds);
	}
}

/* ---- one chunk ---- */

static json_t *entry_json(const struct ctl_udp *u, const struct rt_addr *addr,
			  const struct routed_answer_bin *a)
{
	char text[RT_ADDR_STRLEN], prefix[RT_PREFIX_STRLEN], gateway[INET6_ADDRSTRLEN];
	struct rt_prefix p = { .addr = *addr, .len = a->prefix_len };
	json_int_t generation = (json_int_t)a->generation;

	rt_addr_format(addr, text, sizeof(text));
	if (!a->found)
		return json_pack("{s:s, s:b, s:n, s:n, s:I}", "address", text, "found", 0, "prefix",
				 "route", "generation", generation);
	rt_addr_mask(&p.addr, p.len);
	rt_prefix_format(&p, prefix, sizeof(prefix));
	if (a->has_via)
		inet_ntop(a->via.family, a->via.addr, gateway, sizeof(gateway));
	return json_pack("{s:s, s:b, s:s, s:{s:o, s:o, s:o, s:b, s:b}, s:I}", "address", text,
			 "found", 1, "prefix", prefix, "route",
			 "table", u->table ? json_integer(u->table) : json_null(),
			 "via", a->has_via ? json_string(gateway) : json_null(),
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
		entry = entry_json(u, &u->addr[i], &u->answer[i]);
		if (!entry) {
			ctl_errorf("%s", strerror(ENOMEM));
			return EXIT_ERROR;
		}
		u->out->lookup_result(entry);
		json_decref(entry);
	}
	return EXIT_OK;
}

/* The chunk's addresses of family fam (every family with a shared client) as one batch. */
static int lookup_family(struct ctl_udp *u, int fam)
{
	int af = fam == V4 ? AF_INET : AF_INET6;
	struct routed_client *c;
	uint64_t start;
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < u->n; i++) {
		if (!u->shared && u->addr[i].family != af)
			continue;
		u->batch[k].family = (uint8_t)u->addr[i].family;
		memcpy(u->batch[k].addr, u->addr[i].bytes, sizeof(u->batch[k].addr));
		u->position[k++] = (uint16_t)i;
	}
	if (!k)
		return EXIT_OK;
	rc = client_open(u, fam, &c);
	if (rc)
		return rc;
	start = rt_clock_ns();
	rc = routed_client_lookup_bin(c, u->table, u->batch, k, u->batch_answer);
	if (rc)
		return lookup_failed(u, c, rc, (double)(rt_clock_ns() - start) / 1e9);
	for (size_t j = 0; j < k; j++)
		u->answer[u->position[j]] = u->batch_answer[j];
	return EXIT_OK;
}

/* Look up the queued addresses and render them. An exit code. */
static int run_chunk(struct ctl_udp *u)
{
	int rc = lookup_family(u, V4);

	if (!rc && !u->shared)
		rc = lookup_family(u, V6);
	if (!rc)
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

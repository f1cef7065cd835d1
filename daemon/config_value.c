/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Configuration values: one checker per key type, and the way back to JSON. */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <routed/prefix.h>
#include <routed/route.h>

#include "config_value.h"

static const struct {
	const char *name;
	int level;
} log_levels[] = {
	{ "error", LOG_ERR },	{ "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO },	{ "debug", LOG_DEBUG },
};

static const char *const fsync_names[] = { "always", "batch", "none" };

/* Errors */

int config_value_fail(struct config_loader *ld, const struct config_path *kp, bool at_key,
		      const char *fmt, ...)
{
	static const struct config_path none;
	char where[128], msg[512];
	va_list ap;

	if (!kp)
		kp = &none;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (ld->origin == CONFIG_FROM_OPTION) {
		snprintf(ld->err, ld->errlen, "option %s: %s", ld->option, msg);
	} else if (ld->origin == CONFIG_FROM_DEFAULT) {
		config_path_format(kp, where, sizeof(where));
		snprintf(ld->err, ld->errlen, "default %s: %s", where, msg);
	} else {
		config_file_error(&ld->file, kp, at_key, msg, ld->err, ld->errlen);
	}
	return -1;
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "something else";
}

int config_value_fail_type(struct config_loader *ld, const struct config_path *kp, const json_t *v,
			   const char *expected)
{
	return config_value_fail(ld, kp, false, "expected %s, got %s", expected, json_type_name(v));
}

/* Value checkers, one per key type */

static void *field(struct routed_config *c, size_t offset)
{
	return (char *)c + offset;
}

/* An array (expected says of what) of at most max items (items names them). */
static int check_array(struct config_loader *ld, const struct config_path *kp, const json_t *v,
		       const char *expected, unsigned long long max, const char *items)
{
	if (!json_is_array(v))
		return config_value_fail_type(ld, kp, v, expected);
	if (json_array_size(v) > max)
		return config_value_fail(ld, kp, false, "at most %llu %s", max, items);
	return 0;
}

static int check_abs_path(struct config_loader *ld, const struct config_path *kp, const json_t *v,
			  char *out, size_t size)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return config_value_fail_type(ld, kp, v, "a string");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0)
		return config_value_fail(ld, kp, false, "empty path");
	if (s[0] != '/')
		return config_value_fail(ld, kp, false, "'%s' is not an absolute path", s);
	if (n >= size)
		return config_value_fail(ld, kp, false, "'%s' is too long (at most %zu bytes)", s,
					 size - 1);
	memcpy(out, s, n + 1);
	return 0;
}

static int lookup_group(struct config_loader *ld, const struct config_path *kp, const char *name,
			gid_t *gid)
{
	struct group grp, *found = NULL;
	size_t buflen = 1024;
	char *buf = NULL;
	int rc;

	for (;;) {
		char *bigger = realloc(buf, buflen);

		if (!bigger) {
			free(buf);
			return config_value_fail(ld, kp, false, "out of memory");
		}
		buf = bigger;
		rc = getgrnam_r(name, &grp, buf, buflen, &found);
		if (rc != ERANGE || buflen >= (1u << 24))
			break;
		buflen *= 2;
	}
	if (found)
		*gid = grp.gr_gid;
	free(buf);
	if (found)
		return 0;
	/* Some NSS modules report "no such group" as an error (getgrnam_r(3)). */
	if (rc == 0 || rc == ENOENT || rc == ESRCH)
		return config_value_fail(ld, kp, false, "unknown group '%s'", name);
	return config_value_fail(ld, kp, false, "cannot look up group '%s': %s", name,
				 strerror(rc));
}

static int check_group(struct config_loader *ld, const struct config_path *kp, const json_t *v,
		       char *out, size_t size, gid_t *gid)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return config_value_fail_type(ld, kp, v, "a string (a group name, or \"\")");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= size)
		return config_value_fail(
		    ld, kp, false, "group name '%s' is too long (at most %zu bytes)", s, size - 1);
	if (n == 0) {
		*gid = (gid_t)-1;
	} else if (lookup_group(ld, kp, s, gid) < 0) {
		return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

static int check_mode(struct config_loader *ld, const struct config_path *kp, const json_t *v,
		      unsigned long long max, mode_t *out)
{
	const char *s;
	size_t n;
	unsigned long mode = 0;

	if (!json_is_string(v))
		return config_value_fail_type(ld, kp, v,
					      "a string with an octal mode such as \"0660\"");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n > 4 || strspn(s, "01234567") != n)
		return config_value_fail(ld, kp, false,
					 "'%s' is not an octal mode such as \"0660\"", s);
	for (size_t i = 0; i < n; i++)
		mode = mode * 8 + (unsigned long)(s[i] - '0');
	if (mode > max)
		return config_value_fail(ld, kp, false, "mode '%s' is not in 0000..%04llo", s, max);
	*out = (mode_t)mode;
	return 0;
}

static int check_uint(struct config_loader *ld, const struct config_path *kp, const json_t *v,
		      unsigned long long min, unsigned long long max, void *out, size_t size)
{
	json_int_t n;

	if (!json_is_integer(v))
		return config_value_fail_type(ld, kp, v, "an integer");
	n = json_integer_value(v);
	if (n < 0 || (unsigned long long)n < min || (unsigned long long)n > max)
		return config_value_fail(
		    ld, kp, false, "%" JSON_INTEGER_FORMAT " is not in %llu..%llu", n, min, max);
	if (size == sizeof(unsigned))
		*(unsigned *)out = (unsigned)n;
	else
		*(size_t *)out = (size_t)n;
	return 0;
}

static int check_fsync(struct config_loader *ld, const struct config_path *kp, const json_t *v,
		       int *out)
{
	if (!json_is_string(v))
		return config_value_fail_type(ld, kp, v, "a string");
	for (size_t i = 0; i < sizeof(fsync_names) / sizeof(fsync_names[0]); i++) {
		if (!strcmp(json_string_value(v), fsync_names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	return config_value_fail(ld, kp, false,
				 "'%s' is not an fsync policy (valid: always, batch, none)",
				 json_string_value(v));
}

static int check_protocols(struct config_loader *ld, const struct config_path *kp, const json_t *v,
			   unsigned long long max, struct routed_config *c)
{
	size_t i;
	json_t *item;

	if (check_array(ld, kp, v, "an array", max, "protocols") < 0)
		return -1;
	json_array_foreach(v, i, item) {
		struct config_path ikp = config_path_index(*kp, i);

		if (!json_is_string(item))
			return config_value_fail_type(ld, &ikp, item, "a string");
		if (rt_proto_validate(json_string_value(item)))
			return config_value_fail(ld, &ikp, false,
						 "'%s' is not a protocol name (1-15 of [a-z0-9_-])",
						 json_string_value(item));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->persistent[j], json_string_value(item)))
				return config_value_fail(ld, &ikp, false, "'%s' is listed twice",
							 json_string_value(item));
		snprintf(c->persistent[i], sizeof(c->persistent[i]), "%s", json_string_value(item));
	}
	c->n_persistent = (unsigned)json_array_size(v);
	return 0;
}

static int check_log_level(struct config_loader *ld, const struct config_path *kp, const json_t *v,
			   int *out)
{
	if (!json_is_string(v))
		return config_value_fail_type(ld, kp, v, "a string");
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (!strcmp(json_string_value(v), log_levels[i].name)) {
			*out = log_levels[i].level;
			return 0;
		}
	}
	return config_value_fail(
	    ld, kp, false, "'%s' is not a log level (valid: error, warning, notice, info, debug)",
	    json_string_value(v));
}

/* "1.2.3.4:53" or "[2001:db8::1]:53"; on error a message in msg. */
static int parse_listen(const char *s, struct config_listen *l, char *msg, size_t msglen)
{
	struct rt_hostport hp;
	char text[INET6_ADDRSTRLEN];

	memset(l, 0, sizeof(*l));
	switch (rt_hostport_parse(s, &hp)) {
	case RT_HOSTPORT_OK:
		break;
	case RT_HOSTPORT_NO_BRACKET:
		snprintf(msg, msglen, "'%s': missing ']' after the IPv6 address", s);
		return -1;
	case RT_HOSTPORT_NO_PORT:
		snprintf(msg, msglen, "'%s': missing port (expected ADDR:PORT or [ADDR]:PORT)", s);
		return -1;
	case RT_HOSTPORT_UNBRACKETED:
		snprintf(msg, msglen, "'%s': write IPv6 addresses in brackets: [ADDR]:PORT", s);
		return -1;
	case RT_HOSTPORT_BAD_ADDR:
		snprintf(msg, msglen, "'%s': '%.*s' is not an %s address", s, (int)hp.host_len,
			 hp.host, hp.family == AF_INET6 ? "IPv6" : "IPv4");
		return -1;
	case RT_HOSTPORT_BAD_PORT:
		snprintf(msg, msglen, "'%s': port '%s' is not in 0..65535", s, hp.port_text);
		return -1;
	}
	l->family = hp.family;
	memcpy(l->addr, hp.addr.bytes, sizeof(l->addr));
	l->port = hp.port;
	inet_ntop(l->family, l->addr, text, sizeof(text));
	snprintf(l->text, sizeof(l->text), l->family == AF_INET6 ? "[%s]:%u" : "%s:%u", text,
		 l->port);
	return 0;
}

/* A listener's "table": an id or the name of a configured table (tables are read first). */
static int check_listen_table(struct config_loader *ld, const struct config_path *kp,
			      const json_t *v, const struct routed_config *c, uint32_t *out)
{
	for (unsigned i = 0; i < c->n_tables; i++) {
		if ((json_is_integer(v) && json_integer_value(v) == c->tables[i].id) ||
		    (json_is_string(v) && !strcmp(json_string_value(v), c->tables[i].name))) {
			*out = c->tables[i].id;
			return 0;
		}
	}
	if (json_is_integer(v))
		return config_value_fail(ld, kp, false, "no table has id %" JSON_INTEGER_FORMAT
					 " (main or one of \"tables\")", json_integer_value(v));
	if (json_is_string(v))
		return config_value_fail(ld, kp, false,
					 "no table is named '%s' (main or one of \"tables\")",
					 json_string_value(v));
	return config_value_fail_type(ld, kp, v, "a table id or name");
}

/* "ADDR:PORT", or {"address": "ADDR:PORT", "table": ID|NAME}. */
static int check_listener(struct config_loader *ld, const struct config_path *kp, json_t *item,
			  const struct routed_config *c, struct config_listen *l)
{
	const json_t *address = item, *table = NULL;
	struct config_path akp = *kp, tkp = config_path_key(*kp, "table");
	const char *key;
	json_t *member;
	char msg[256];

	if (json_is_object(item)) {
		json_object_foreach(item, key, member) {
			if (strcmp(key, "address") && strcmp(key, "table")) {
				struct config_path bad = config_path_key(*kp, key);

				return config_value_fail(ld, &bad, true,
							 "unknown key (valid: address, table)");
			}
		}
		address = json_object_get(item, "address");
		table = json_object_get(item, "table");
		akp = config_path_key(*kp, "address");
		if (!address)
			return config_value_fail(ld, kp, false, "missing key 'address'");
	} else if (!json_is_string(item)) {
		return config_value_fail_type(
		    ld, kp, item, "a string (\"ADDR:PORT\") or an object {\"address\", \"table\"}");
	}
	if (!json_is_string(address))
		return config_value_fail_type(ld, &akp, address, "a string (\"ADDR:PORT\")");
	if (parse_listen(json_string_value(address), l, msg, sizeof(msg)) < 0)
		return config_value_fail(ld, &akp, false, "%s", msg);
	l->table = RT_TABLE_MAIN;
	return table ? check_listen_table(ld, &tkp, table, c, &l->table) : 0;
}

static int check_listen(struct config_loader *ld, const struct config_path *kp, const json_t *v,
			unsigned long long max, struct routed_config *c)
{
	size_t i;
	json_t *item;

	if (check_array(ld, kp, v, "an array of \"ADDR:PORT\" strings", max, "addresses") < 0)
		return -1;
	json_array_foreach(v, i, item) {
		struct config_path ikp = config_path_index(*kp, i);
		struct config_listen *l = &c->listen[i];

		if (check_listener(ld, &ikp, item, c, l) < 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			/* Port 0 asks for a fresh port each time: no clash. */
			if (c->listen[j].family == l->family && c->listen[j].port == l->port &&
			    l->port && !memcmp(c->listen[j].addr, l->addr, sizeof(l->addr)))
				return config_value_fail(ld, &ikp, false, "'%s' is listed twice",
							 l->text);
		}
	}
	c->n_listen = (unsigned)json_array_size(v);
	return 0;
}

/* One "ADDR:PORT", or "" for none. */
static int check_address(struct config_loader *ld, const struct config_path *kp, const json_t *v,
			 struct config_listen *l)
{
	char msg[256];

	if (!json_is_string(v))
		return config_value_fail_type(ld, kp, v, "a string (\"ADDR:PORT\" or \"\")");
	memset(l, 0, sizeof(*l));
	if (!*json_string_value(v))
		return 0;
	if (parse_listen(json_string_value(v), l, msg, sizeof(msg)) < 0)
		return config_value_fail(ld, kp, false, "%s", msg);
	return 0;
}

/* feeds.fpm: its keys, their ranges and defaults (routed.conf(5)). */
static const char fpm_keys[] = "listen, allow_non_loopback, peers, quiet_period_ms, "
			       "hold_time_ms, create_tables, connected_routes, read_budget_bytes";

static int fpm_bool(struct config_loader *ld, const struct config_path *kp, const json_t *v,
		    bool *out)
{
	if (!json_is_boolean(v))
		return config_value_fail_type(ld, kp, v, "true or false");
	*out = json_is_true(v);
	return 0;
}

static int fpm_peers(struct config_loader *ld, const struct config_path *kp, const json_t *v,
		     struct config_fpm *f)
{
	size_t i;
	json_t *item;

	if (check_array(ld, kp, v, "an array of addresses", CONFIG_MAX_FEED_PEERS, "addresses") < 0)
		return -1;
	json_array_foreach(v, i, item) {
		struct config_path ikp = config_path_index(*kp, i);

		if (!json_is_string(item))
			return config_value_fail_type(ld, &ikp, item, "a string (an address)");
		if (rt_addr_parse(json_string_value(item), &f->peers[i], NULL, 0))
			return config_value_fail(ld, &ikp, false, "'%s' is not an address",
						 json_string_value(item));
	}
	f->n_peers = (unsigned)json_array_size(v);
	return 0;
}

static bool is_loopback(const struct config_listen *l)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	return l->family == AF_INET ? l->addr[0] == 127 : !memcmp(l->addr, v6_loopback, 16);
}

static int check_fpm(struct config_loader *ld, const struct config_path *kp, const json_t *v,
		     struct config_fpm *f)
{
	const char *key;
	json_t *member;
	char msg[256];

	memset(f, 0, sizeof(*f));
	if (json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return config_value_fail_type(ld, kp, v, "null or an object");
	f->enabled = true;
	parse_listen("127.0.0.1:2620", &f->listen, msg, sizeof(msg));
	rt_addr_parse("127.0.0.1", &f->peers[0], NULL, 0);
	rt_addr_parse("::1", &f->peers[1], NULL, 0);
	f->n_peers = 2;
	f->quiet_period_ms = 10000;
	f->hold_time_ms = 180000;
	f->connected_routes = true;
	f->read_budget_bytes = 16384;
	/* jansson's object iterator takes no const; nothing here writes to v. */
	json_object_foreach((json_t *)(uintptr_t)v, key, member) {
		struct config_path mkp = config_path_key(*kp, key);
		int rc;

		if (!strcmp(key, "listen")) {
			if (!json_is_string(member))
				return config_value_fail_type(ld, &mkp, member, "a string (\"ADDR:PORT\")");
			if (parse_listen(json_string_value(member), &f->listen, msg, sizeof(msg)) < 0)
				return config_value_fail(ld, &mkp, false, "%s", msg);
			rc = 0;
		} else if (!strcmp(key, "allow_non_loopback")) {
			rc = fpm_bool(ld, &mkp, member, &f->allow_non_loopback);
		} else if (!strcmp(key, "peers")) {
			rc = fpm_peers(ld, &mkp, member, f);
		} else if (!strcmp(key, "quiet_period_ms")) {
			rc = check_uint(ld, &mkp, member, 1, 3600000, &f->quiet_period_ms,
					sizeof(unsigned));
		} else if (!strcmp(key, "hold_time_ms")) {
			rc = check_uint(ld, &mkp, member, 0, 86400000, &f->hold_time_ms,
					sizeof(unsigned));
		} else if (!strcmp(key, "create_tables")) {
			rc = fpm_bool(ld, &mkp, member, &f->create_tables);
		} else if (!strcmp(key, "connected_routes")) {
			rc = fpm_bool(ld, &mkp, member, &f->connected_routes);
		} else if (!strcmp(key, "read_budget_bytes")) {
			rc = check_uint(ld, &mkp, member, 4096, 16777216, &f->read_budget_bytes,
					sizeof(unsigned));
		} else {
			return config_value_fail(ld, &mkp, true, "unknown key (valid: %s)", fpm_keys);
		}
		if (rc < 0)
			return -1;
	}
	/* FPM has no authentication and can rewrite every route. */
	if (!is_loopback(&f->listen) && !f->allow_non_loopback) {
		struct config_path lkp = config_path_key(*kp, "listen");

		return config_value_fail(ld, &lkp, false,
					 "'%s' is not a loopback address: the FPM feed has no "
					 "authentication; set \"allow_non_loopback\": true to listen "
					 "there anyway", f->listen.text);
	}
	return 0;
}

static json_t *fpm_json(const struct config_fpm *f)
{
	json_t *peers, *v;
	char buf[RT_ADDR_STRLEN];

	if (!f->enabled)
		return json_null();
	peers = json_array();
	for (unsigned i = 0; peers && i < f->n_peers; i++)
		json_array_append_new(peers, json_string(rt_addr_format(&f->peers[i], buf, sizeof(buf))));
	v = json_pack("{s:s, s:b, s:o, s:I, s:I, s:b, s:b, s:I}", "listen", f->listen.text,
		      "allow_non_loopback", f->allow_non_loopback, "peers", peers,
		      "quiet_period_ms", (json_int_t)f->quiet_period_ms, "hold_time_ms",
		      (json_int_t)f->hold_time_ms, "create_tables", f->create_tables,
		      "connected_routes", f->connected_routes, "read_budget_bytes",
		      (json_int_t)f->read_budget_bytes);
	return v;
}

/* feeds.kernel: [{"kernel_table": N, "table": NAME|ID, "rcvbuf": BYTES}, ...]. */
static const char kernel_keys[] = "kernel_table, table, rcvbuf";

static int check_kernel_mirror(struct config_loader *ld, const struct config_path *kp,
			       const json_t *v, const struct routed_config *c,
			       struct config_kernel_mirror *m)
{
	const char *key;
	json_t *member;
	bool have_kernel = false, have_table = false;

	if (!json_is_object(v))
		return config_value_fail_type(ld, kp, v,
					      "an object {\"kernel_table\", \"table\"}");
	m->rcvbuf = 33554432;
	json_object_foreach((json_t *)(uintptr_t)v, key, member) {
		struct config_path mkp = config_path_key(*kp, key);
		int rc;

		if (!strcmp(key, "kernel_table")) {
			rc = check_uint(ld, &mkp, member, 1, UINT32_MAX, &m->kernel_table,
					sizeof(unsigned));
			have_kernel = true;
		} else if (!strcmp(key, "table")) {
			rc = check_listen_table(ld, &mkp, member, c, &m->table);
			have_table = true;
		} else if (!strcmp(key, "rcvbuf")) {
			rc = check_uint(ld, &mkp, member, 1024, 1073741824, &m->rcvbuf,
					sizeof(unsigned));
		} else {
			return config_value_fail(ld, &mkp, true, "unknown key (valid: %s)",
						 kernel_keys);
		}
		if (rc < 0)
			return -1;
	}
	if (!have_kernel || !have_table)
		return config_value_fail(ld, kp, false, "missing \"%s\" (a mirror needs "
					 "\"kernel_table\" and \"table\")",
					 have_kernel ? "table" : "kernel_table");
	return 0;
}

static int check_kernel(struct config_loader *ld, const struct config_path *kp, const json_t *v,
			unsigned long long max, struct routed_config *c)
{
	size_t i, j;
	json_t *item;

	if (check_array(ld, kp, v, "an array of mirrors", max, "mirrors") < 0)
		return -1;
	json_array_foreach(v, i, item) {
		struct config_path ikp = config_path_index(*kp, i);

		if (check_kernel_mirror(ld, &ikp, item, c, &c->kernel[i]) < 0)
			return -1;
		/* Two mirrors of one kernel table into one routed table would fight over its keys. */
		for (j = 0; j < i; j++)
			if (c->kernel[j].kernel_table == c->kernel[i].kernel_table &&
			    c->kernel[j].table == c->kernel[i].table)
				return config_value_fail(ld, &ikp, false,
							 "kernel table %u is already mirrored "
							 "into this table by feeds.kernel[%zu]",
							 c->kernel[i].kernel_table, j);
	}
	c->n_kernel = (unsigned)json_array_size(v);
	return 0;
}

static json_t *kernel_json(const struct routed_config *c)
{
	json_t *v = json_array();

	for (unsigned i = 0; v && i < c->n_kernel; i++) {
		const struct config_kernel_mirror *m = &c->kernel[i];
		const char *name = NULL;

		for (unsigned t = 0; t < c->n_tables; t++)
			if (c->tables[t].id == m->table)
				name = c->tables[t].name;
		if (json_array_append_new(v, json_pack("{s:I, s:s, s:I}", "kernel_table",
						       (json_int_t)m->kernel_table, "table",
						       name ? name : "?", "rcvbuf",
						       (json_int_t)m->rcvbuf)) < 0) {
			json_decref(v);
			return NULL;
		}
	}
	return v;
}

static bool valid_table_name(const char *s, size_t n, size_t max)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789_.-";

	return n >= 1 && n <= max && strspn(s, allowed) == n && strspn(s, "0123456789") != n;
}

static int check_table(struct config_loader *ld, const struct config_path *kp, json_t *v,
		       struct config_table *t)
{
	struct config_path id_kp = config_path_key(*kp, "id"),
			   name_kp = config_path_key(*kp, "name");
	const char *key, *name;
	json_t *member, *id, *jname;
	size_t n;

	if (!json_is_object(v))
		return config_value_fail_type(ld, kp, v, "an object {\"id\": ID, \"name\": NAME}");
	json_object_foreach(v, key, member) {
		if (strcmp(key, "id") && strcmp(key, "name")) {
			struct config_path bad = config_path_key(*kp, key);

			return config_value_fail(ld, &bad, true, "unknown key (valid: id, name)");
		}
	}
	id = json_object_get(v, "id");
	jname = json_object_get(v, "name");
	if (!id)
		return config_value_fail(ld, kp, false, "missing key 'id'");
	if (!jname)
		return config_value_fail(ld, kp, false, "missing key 'name'");
	if (!json_is_integer(id))
		return config_value_fail_type(ld, &id_kp, id, "an integer");
	if (json_integer_value(id) < 1 || json_integer_value(id) > UINT32_MAX)
		return config_value_fail(ld, &id_kp, false, "table id %" JSON_INTEGER_FORMAT
					 " is not in 1..4294967295", json_integer_value(id));
	if (!json_is_string(jname))
		return config_value_fail_type(ld, &name_kp, jname, "a string");
	name = json_string_value(jname);
	n = json_string_length(jname);
	if (!valid_table_name(name, n, sizeof(t->name) - 1))
		return config_value_fail(
		    ld, &name_kp, false,
		    "'%s' is not a table name (1-%zu characters of A-Z a-z 0-9 _ . -, "
		    "not all digits)",
		    name, sizeof(t->name) - 1);
	t->id = (uint32_t)json_integer_value(id);
	memcpy(t->name, name, n + 1);
	if (t->id == RT_TABLE_MAIN && strcmp(t->name, RT_TABLE_NAME_MAIN))
		return config_value_fail(ld, &name_kp, false, "table %u is always named '%s'",
					 RT_TABLE_MAIN, RT_TABLE_NAME_MAIN);
	if (t->id != RT_TABLE_MAIN && !strcmp(t->name, RT_TABLE_NAME_MAIN))
		return config_value_fail(ld, &id_kp, false, "'%s' is table %u", RT_TABLE_NAME_MAIN,
					 RT_TABLE_MAIN);
	return 0;
}

static int check_tables(struct config_loader *ld, const struct config_path *kp, const json_t *v,
			unsigned long long max, struct routed_config *c)
{
	/* Index in the file of each entry of c->tables; main may not be listed. */
	static const size_t implicit = (size_t)-1;
	size_t *from = NULL;
	size_t i;
	json_t *item;
	int rc = -1;

	if (!json_is_array(v))
		return config_value_fail_type(ld, kp, v,
					      "an array of {\"id\": ID, \"name\": NAME}");
	from = calloc(max, sizeof(*from));
	if (!from)
		return config_value_fail(ld, kp, false, "out of memory");
	c->tables[0].id = RT_TABLE_MAIN;
	snprintf(c->tables[0].name, sizeof(c->tables[0].name), "%s", RT_TABLE_NAME_MAIN);
	from[0] = implicit;
	c->n_tables = 1;

	json_array_foreach(v, i, item) {
		struct config_path ikp = config_path_index(*kp, i);
		struct config_table t;
		size_t j;

		if (check_table(ld, &ikp, item, &t) < 0)
			goto out;
		for (j = 0; j < c->n_tables; j++) {
			struct config_path field_kp;

			if (c->tables[j].id != t.id && strcmp(c->tables[j].name, t.name))
				continue;
			/* Naming main explicitly, once, is allowed. */
			if (from[j] == implicit && t.id == RT_TABLE_MAIN) {
				from[j] = i;
				break;
			}
			if (c->tables[j].id == t.id) {
				field_kp = config_path_key(ikp, "id");
				config_value_fail(ld, &field_kp, false,
						  "table id %u is already used by tables[%zu]",
						  t.id, from[j]);
			} else {
				field_kp = config_path_key(ikp, "name");
				config_value_fail(ld, &field_kp, false,
						  "table name '%s' is already used by tables[%zu]",
						  t.name, from[j]);
			}
			goto out;
		}
		if (j < c->n_tables)
			continue;
		if (c->n_tables >= max) {
			config_value_fail(ld, &ikp, false, "at most %llu tables (main included)",
					  max);
			goto out;
		}
		from[c->n_tables] = i;
		c->tables[c->n_tables++] = t;
	}
	rc = 0;
out:
	free(from);
	return rc;
}

static int check_route_files(struct config_loader *ld, const struct config_path *kp,
			     const json_t *v, unsigned long long max, struct routed_config *c)
{
	size_t i;
	json_t *item;

	if (check_array(ld, kp, v, "an array of paths", max, "route files") < 0)
		return -1;
	json_array_foreach(v, i, item) {
		struct config_path ikp = config_path_index(*kp, i);
		char *out = c->route_files[i];
		size_t size = sizeof(c->route_files[i]);
		const char *s;
		int n;

		if (!json_is_string(item))
			return config_value_fail_type(ld, &ikp, item, "a string");
		s = json_string_value(item);
		if (!*s)
			return config_value_fail(ld, &ikp, false, "empty path");
		if (s[0] == '/') {
			n = snprintf(out, size, "%s", s);
		} else {
			/* Relative to the file's directory, not to wherever routed runs. */
			while (s[0] == '.' && s[1] == '/')
				for (s += 2; *s == '/'; s++)
					;
			n = snprintf(out, size, "%s/%s", ld->dir, s);
		}
		if (n < 0 || (size_t)n >= size)
			return config_value_fail(ld, &ikp, false,
						 "'%s' is too long (at most %zu bytes)",
						 json_string_value(item), size - 1);
		if (access(out, R_OK) < 0)
			return config_value_fail(ld, &ikp, false, "'%s': %s", out, strerror(errno));
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(c->route_files[j], out))
				return config_value_fail(ld, &ikp, false, "'%s' is listed twice",
							 out);
		}
	}
	c->n_route_files = (unsigned)json_array_size(v);
	return 0;
}

int config_value_check(struct config_loader *ld, const struct config_key *k,
		       const struct config_path *kp, const json_t *v, struct routed_config *c)
{
	switch (k->type) {
	case KT_ABS_PATH:
		return check_abs_path(ld, kp, v, field(c, k->offset), k->size);
	case KT_GROUP:
		return check_group(ld, kp, v, field(c, k->offset), k->size,
				   field(c, k->offset_gid));
	case KT_MODE:
		return check_mode(ld, kp, v, k->max, field(c, k->offset));
	case KT_UINT:
		return check_uint(ld, kp, v, k->min, k->max, field(c, k->offset), k->size);
	case KT_LOG_LEVEL:
		return check_log_level(ld, kp, v, field(c, k->offset));
	case KT_LISTEN:
		return check_listen(ld, kp, v, k->max, c);
	case KT_TABLES:
		return check_tables(ld, kp, v, k->max, c);
	case KT_ROUTE_FILES:
		return check_route_files(ld, kp, v, k->max, c);
	case KT_FSYNC:
		return check_fsync(ld, kp, v, field(c, k->offset));
	case KT_PROTOCOLS:
		return check_protocols(ld, kp, v, k->max, c);
	case KT_ADDRESS:
		return check_address(ld, kp, v, field(c, k->offset));
	case KT_FEED_FPM:
		return check_fpm(ld, kp, v, field(c, k->offset));
	case KT_FEED_KERNEL:
		return check_kernel(ld, kp, v, k->max, c);
	}
	return config_value_fail(ld, kp, false, "internal error: unknown key type");
}

/* The way back: the normalized print */

json_t *config_value_json(const struct config_key *k, const struct routed_config *c)
{
	const void *p = (const char *)c + k->offset;
	json_t *v = NULL;
	char mode[8];

	switch (k->type) {
	case KT_ABS_PATH:
	case KT_GROUP:
		return json_string(p);
	case KT_MODE:
		snprintf(mode, sizeof(mode), "%04o", (unsigned)*(const mode_t *)p);
		return json_string(mode);
	case KT_UINT:
		return json_integer(k->size == sizeof(unsigned) ? *(const unsigned *)p
								 : (json_int_t)*(const size_t *)p);
	case KT_LOG_LEVEL:
		for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
			if (log_levels[i].level == *(const int *)p)
				return json_string(log_levels[i].name);
		}
		return NULL;
	case KT_LISTEN:
		v = json_array();
		for (unsigned i = 0; v && i < c->n_listen; i++) {
			const struct config_listen *l = &c->listen[i];

			if (json_array_append_new(v, l->table == RT_TABLE_MAIN
							 ? json_string(l->text)
							 : json_pack("{s:s, s:I}", "address",
								     l->text, "table",
								     (json_int_t)l->table)) < 0)
				goto fail;
		}
		return v;
	case KT_TABLES:
		v = json_array();
		for (unsigned i = 0; v && i < c->n_tables; i++) {
			if (json_array_append_new(v, json_pack("{s:I, s:s}", "id",
							       (json_int_t)c->tables[i].id, "name",
							       c->tables[i].name)) < 0)
				goto fail;
		}
		return v;
	case KT_ROUTE_FILES:
		v = json_array();
		for (unsigned i = 0; v && i < c->n_route_files; i++) {
			if (json_array_append_new(v, json_string(c->route_files[i])) < 0)
				goto fail;
		}
		return v;
	case KT_FSYNC:
		return json_string(fsync_names[*(const int *)p]);
	case KT_ADDRESS:
		return json_string(((const struct config_listen *)p)->text);
	case KT_FEED_FPM:
		return fpm_json(p);
	case KT_FEED_KERNEL:
		return kernel_json(c);
	case KT_PROTOCOLS:
		v = json_array();
		for (unsigned i = 0; v && i < c->n_persistent; i++) {
			if (json_array_append_new(v, json_string(c->persistent[i])) < 0)
				goto fail;
		}
		return v;
	}
fail:
	json_decref(v);
	return NULL;
}

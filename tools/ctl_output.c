/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The two renderers. Human output: routes in route-file syntax (so what
 * "route show" prints, "load" reads), tables with a header line, "-" for
 * absent values. JSON output: the method's result object on one line.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <routed/route_json.h>
#include <routed/routefile.h>

#include "ctl_output.h"

#define ROUTE_TEXT_LEN ROUTEFILE_LINE_MAX

const char *ctl_route_text(json_t *route, char *buf, size_t len)
{
	struct rt_json_error jerr;
	struct rt_route r;
	char *text;

	if (rt_route_from_json(route, &r, NULL, NULL, &jerr) == 0 &&
	    routefile_format(&r, buf, len) >= 0)
		return buf;
	text = json_dumps(route, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(buf, len, "%s", text ? text : "?");
	free(text);
	return buf;
}

/* A member as text: strings as they are, null and absent as "-". */
static const char *member_text(json_t *obj, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(obj, key);
	char *text;

	if (!v || json_is_null(v))
		return "-";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, len, "%.3f", json_real_value(v));
		return buf;
	}
	if (json_is_true(v) || json_is_false(v))
		return json_is_true(v) ? "yes" : "no";
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(buf, len, "%s", text ? text : "?");
	free(text);
	return buf;
}

static json_int_t member_int(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* ---- JSON ---- */

static void json_print(json_t *v)
{
	json_dumpf(v, stdout, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(12));
	putchar('\n');
}

static void json_saved(const char *file, size_t routes)
{
	json_t *v = json_pack("{s:s, s:I}", "file", file, "saved", (json_int_t)routes);

	if (v)
		json_print(v);
	json_decref(v);
}

static void json_ping(json_t *result, double rtt_ms)
{
	json_print(result);
}

static bool json_list_first;

static void json_list_begin(void)
{
	fputs("{\"routes\":[", stdout);
	json_list_first = true;
}

static void json_list_route(json_t *route)
{
	if (!json_list_first)
		putchar(',');
	json_list_first = false;
	json_dumpf(route, stdout, JSON_COMPACT);
}

static void json_list_end(void)
{
	fputs("]}\n", stdout);
}

static bool json_lookup_first;
static enum ctl_lookup_source json_lookup_source;

static void json_lookup_begin(enum ctl_lookup_source source)
{
	putchar('[');
	json_lookup_first = true;
	json_lookup_source = source;
}

/* A member of obj (borrowed) or a new null: entry keys are always present. */
static json_t *member_or_null(json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return v ? json_incref(v) : json_null();
}

/*
 * The route fields flattened into the entry, in this order, null when no
 * route. A UDP answer knows fewer fields, and adds found and generation.
 */
static void json_lookup_result(json_t *entry)
{
	static const char *const route_keys[] = { "via", "dev", "metric", "table", "proto", "tag",
						  "type" };
	static const char *const udp_route_keys[] = { "via", "table", "tag", "reject",
						      "multipath" };
	bool udp = json_lookup_source == CTL_LOOKUP_UDP;
	const char *const *keys = udp ? udp_route_keys : route_keys;
	size_t n_keys = udp ? sizeof(udp_route_keys) / sizeof(udp_route_keys[0])
			    : sizeof(route_keys) / sizeof(route_keys[0]);
	json_t *route = json_object_get(entry, "route");
	json_t *out;

	out = json_object();
	if (!out)
		return;
	json_object_set(out, "address", json_object_get(entry, "address"));
	if (udp)
		json_object_set_new(out, "found", member_or_null(entry, "found"));
	json_object_set_new(out, "prefix", member_or_null(entry, "prefix"));
	for (size_t i = 0; i < n_keys; i++)
		json_object_set_new(out, keys[i], member_or_null(route, keys[i]));
	/*
	 * A multipath route: all its next hops, and in via and dev the one
	 * chosen for this address (the daemon says which beside the route).
	 */
	if (!udp && json_is_object(route) && json_object_get(route, "nexthops")) {
		json_object_set_new(out, "via", member_or_null(entry, "via"));
		json_object_set_new(out, "dev", member_or_null(entry, "dev"));
		json_object_set_new(out, "nexthops", member_or_null(route, "nexthops"));
	}
	/* A route from a routed without types is unicast. */
	if (!udp && json_is_object(route) && !json_object_get(route, "type"))
		json_object_set_new(out, "type", json_string("unicast"));
	if (udp)
		json_object_set_new(out, "generation", member_or_null(entry, "generation"));
	fputs(json_lookup_first ? "\n" : ",\n", stdout);
	json_lookup_first = false;
	json_dumpf(out, stdout, JSON_COMPACT);
	json_decref(out);
}

static void json_lookup_end(void)
{
	fputs(json_lookup_first ? "]\n" : "\n]\n", stdout);
}

static void json_event(json_t *params)
{
	json_print(params);
	fflush(stdout);
}

const struct ctl_output ctl_json_output = {
	.ping = json_ping,
	.info = json_print,
	.stats = json_print,
	.tables = json_print,
	.feeds = json_print,
	.table_created = json_print,
	.table_deleted = json_print,
	.route_set = json_print,
	.routes_deleted = json_print,
	.routes_flushed = json_print,
	.route_get = json_print,
	.list_begin = json_list_begin,
	.list_route = json_list_route,
	.list_end = json_list_end,
	.lookup_begin = json_lookup_begin,
	.lookup_result = json_lookup_result,
	.lookup_end = json_lookup_end,
	.load_result = json_print,
	.event = json_event,
	.reloaded = json_print,
	.saved = json_saved,
};

/* ---- people ---- */

static void human_silent(json_t *result)
{
}

static void human_saved(const char *file, size_t routes)
{
	(void)file;
	(void)routes;
}

static void human_ping(json_t *result, double rtt_ms)
{
	printf("pong: %.3f ms\n", rtt_ms);
}

/* "key: value" lines in the daemon's order. */
static void human_info(json_t *result)
{
	const char *key;
	json_t *value;
	char buf[64];

	json_object_foreach(result, key, value)
		printf("%-16s %s\n", key, member_text(result, key, buf, sizeof(buf)));
}

/* Nanoseconds as a short human figure. */
static const char *ns_text(json_int_t ns, char *buf, size_t len)
{
	if (ns < 10000)
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT " ns", ns);
	else if (ns < 10000000)
		snprintf(buf, len, "%.1f us", (double)ns / 1e3);
	else
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
	return buf;
}

/* The cost of lock-free lookups: grace periods, the gate, reconfigurations. */
static void human_rcu(json_t *rcu)
{
	json_t *gp = json_object_get(rcu, "grace_periods"), *rc = json_object_get(rcu, "reclaim");
	json_t *sync = json_object_get(rcu, "sync"), *gate = json_object_get(rcu, "gate");
	json_t *stall = json_object_get(gate, "stall_ns");
	json_t *reconf = json_object_get(rcu, "reconfigurations");
	json_t *recent = json_object_get(reconf, "recent");
	json_t *last = json_array_get(recent, 0);	/* newest first */
	char a[32], b[32], c[32];

	if (!rcu)
		return;
	printf("grace periods: %" JSON_INTEGER_FORMAT " (%s), p50 %s, p99 %s, max %s; "
	       "reclaim pending: %" JSON_INTEGER_FORMAT " batches, %" JSON_INTEGER_FORMAT " bytes\n",
	       member_int(gp, "count"), json_string_value(json_object_get(gp, "mode")) ?: "-",
	       ns_text(member_int(gp, "p50_ns"), a, sizeof(a)),
	       ns_text(member_int(gp, "p99_ns"), b, sizeof(b)),
	       ns_text(member_int(gp, "max_ns"), c, sizeof(c)), member_int(rc, "pending_batches"),
	       member_int(rc, "pending_bytes"));
	printf("reconfiguration gate: %s, %" JSON_INTEGER_FORMAT " readers, %" JSON_INTEGER_FORMAT
	       " write sections (longest %s), %" JSON_INTEGER_FORMAT " slow-path entries, %"
	       JSON_INTEGER_FORMAT " lookup waits (p99 %s, max %s)\n",
	       json_string_value(json_object_get(sync, "state")) ?: "-", member_int(gate, "readers"),
	       member_int(gate, "write_sections"), ns_text(member_int(gate, "max_write_ns"), a, sizeof(a)),
	       member_int(gate, "slow_path_entries"), member_int(gate, "reader_waits"),
	       ns_text(member_int(stall, "p99"), b, sizeof(b)),
	       ns_text(member_int(stall, "max"), c, sizeof(c)));
	if (last)
		printf("last reconfiguration: %s, %s (gate closed %s), %" JSON_INTEGER_FORMAT
		       " lookup waits\n",
		       json_string_value(json_object_get(last, "kind")) ?: "-",
		       ns_text(member_int(last, "duration_ns"), a, sizeof(a)),
		       ns_text(member_int(last, "locked_out_ns"), b, sizeof(b)),
		       member_int(last, "reader_waits"));
}

static void human_stats(json_t *result)
{
	json_t *tables = json_object_get(result, "tables");
	json_t *t, *lookups, *control, *events, *udp;
	char name[64], mem[32];
	size_t i;

	printf("%-10s %-12s %10s %10s %10s %10s %12s %8s\n", "TABLE", "NAME", "V4-PREFIX",
	       "V4-ROUTES", "V6-PREFIX", "V6-ROUTES", "MEMORY", "B/ROUTE");
	json_array_foreach(tables, i, t) {
		json_t *v4 = json_object_get(t, "ipv4"), *v6 = json_object_get(t, "ipv6");
		json_t *per_route = json_object_get(t, "bytes_per_route");
		char per_text[32] = "-";	/* null for an empty table */

		if (json_is_number(per_route))
			snprintf(per_text, sizeof(per_text), "%.1f", json_number_value(per_route));
		printf("%-10" JSON_INTEGER_FORMAT " %-12s %10" JSON_INTEGER_FORMAT
		       " %10" JSON_INTEGER_FORMAT " %10" JSON_INTEGER_FORMAT
		       " %10" JSON_INTEGER_FORMAT " %12s %8s\n",
		       member_int(t, "id"), member_text(t, "name", name, sizeof(name)),
		       member_int(v4, "prefixes"), member_int(v4, "routes"),
		       member_int(v6, "prefixes"), member_int(v6, "routes"),
		       member_text(t, "memory_bytes", mem, sizeof(mem)), per_text);
	}
	lookups = json_object_get(result, "lookups");
	control = json_object_get(result, "control");
	events = json_object_get(result, "events");
	udp = json_object_get(result, "udp");	/* absent from older daemons */
	printf("routes: %" JSON_INTEGER_FORMAT ", memory: %" JSON_INTEGER_FORMAT " bytes\n",
	       member_int(result, "routes"), member_int(result, "memory_bytes"));
	printf("lookups: %" JSON_INTEGER_FORMAT " requests, %" JSON_INTEGER_FORMAT " addresses\n",
	       member_int(lookups, "requests"), member_int(lookups, "addresses"));
	if (udp)
		printf("udp: %" JSON_INTEGER_FORMAT " datagrams, %" JSON_INTEGER_FORMAT
		       " lookups, %" JSON_INTEGER_FORMAT " dropped, %" JSON_INTEGER_FORMAT
		       " kernel drops, %zu listeners\n",
		       member_int(udp, "datagrams"), member_int(udp, "lookups"),
		       member_int(json_object_get(udp, "drops"), "total"),
		       member_int(udp, "kernel_drops"),
		       json_array_size(json_object_get(udp, "listeners")));
	printf("control: %" JSON_INTEGER_FORMAT " requests, %" JSON_INTEGER_FORMAT
	       " errors, %" JSON_INTEGER_FORMAT " connections (%" JSON_INTEGER_FORMAT " total)\n",
	       member_int(control, "requests"), member_int(control, "errors"),
	       member_int(control, "connections"), member_int(control, "connections_total"));
	printf("events: seq %" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT " subscribers\n",
	       member_int(events, "seq"), member_int(events, "subscribers"));
	human_rcu(json_object_get(result, "rcu"));
}

static void human_tables(json_t *result)
{
	json_t *t;
	char name[64];
	size_t i;

	printf("%-10s %-16s %10s %10s\n", "ID", "NAME", "IPV4", "IPV6");
	json_array_foreach(json_object_get(result, "tables"), i, t)
		printf("%-10" JSON_INTEGER_FORMAT " %-16s %10" JSON_INTEGER_FORMAT
		       " %10" JSON_INTEGER_FORMAT "\n",
		       member_int(t, "id"), member_text(t, "name", name, sizeof(name)),
		       member_int(t, "ipv4_routes"), member_int(t, "ipv6_routes"));
}

/* A kernel table mirror's first lines: tables, state, counts, resyncs by cause. */
static void human_kernel_mirror(json_t *f, const char *when)
{
	json_t *n;
	const char *key;
	char a[32], b[32], c[32], d[32];

	printf("%s kernel table %s into %s: %s\n", member_text(f, "name", a, sizeof(a)),
	       member_text(f, "kernel_table", b, sizeof(b)), member_text(f, "table", c, sizeof(c)),
	       member_text(f, "state", d, sizeof(d)));
	printf("  routes %" JSON_INTEGER_FORMAT ", next hops %" JSON_INTEGER_FORMAT
	       ", messages %" JSON_INTEGER_FORMAT ", dumps %" JSON_INTEGER_FORMAT
	       ", receive buffer %" JSON_INTEGER_FORMAT ", last message %s\n",
	       member_int(f, "routes"), member_int(f, "nexthops"), member_int(f, "messages"),
	       member_int(f, "dumps"), member_int(f, "rcvbuf"), when);
	json_object_foreach(json_object_get(f, "resyncs"), key, n)
		printf("  resyncs %-22s %" JSON_INTEGER_FORMAT "\n", key, json_integer_value(n));
}

/* A pushed feed (feed.push): its counts, then the neighbors its program reports. */
static void human_pushed_feed(json_t *f)
{
	json_t *status = json_object_get(f, "status"), *nb;
	time_t last = (time_t)member_int(f, "last_push");
	char a[64], b[64], c[64], when[32] = "-";
	struct tm tm;
	size_t i;

	if (last && gmtime_r(&last, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s pushed: %s, generation %s\n", member_text(f, "name", a, sizeof(a)),
	       member_text(f, "state", b, sizeof(b)), member_text(f, "generation", c, sizeof(c)));
	printf("  routes %" JSON_INTEGER_FORMAT ", pushes %" JSON_INTEGER_FORMAT
	       ", messages %" JSON_INTEGER_FORMAT ", sweeps %" JSON_INTEGER_FORMAT
	       ", last push %s\n",
	       member_int(f, "routes"), member_int(f, "pushes"), member_int(f, "messages"),
	       member_int(f, "sweeps"), when);
	json_array_foreach(json_object_get(status, "neighbors"), i, nb)
		printf("  neighbor %s as %s: %s, routes %" JSON_INTEGER_FORMAT
		       ", announces %" JSON_INTEGER_FORMAT ", withdraws %" JSON_INTEGER_FORMAT "\n",
		       member_text(nb, "peer", a, sizeof(a)), member_text(nb, "peer_as", b, sizeof(b)),
		       member_text(nb, "state", c, sizeof(c)), member_int(nb, "routes"),
		       member_int(nb, "announces"), member_int(nb, "withdraws"));
}

/* One block per feed: state and counts, then its errors by reason. */
static void human_feeds(json_t *result)
{
	json_t *f, *n;
	const char *key;
	char a[32], b[32], c[32], d[32];
	size_t i;

	json_array_foreach(json_object_get(result, "feeds"), i, f) {
		time_t last = (time_t)member_int(f, "last_message");
		char when[32] = "-";
		struct tm tm;

		if (last && gmtime_r(&last, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (!strcmp(member_text(f, "type", a, sizeof(a)), "kernel")) {
			human_kernel_mirror(f, when);
			goto reasons;
		}
		if (!strcmp(member_text(f, "type", a, sizeof(a)), "push")) {
			human_pushed_feed(f);
			goto reasons;
		}
		printf("%s %s on %s: %s, peer %s, generation %s\n", member_text(f, "name", a, sizeof(a)),
		       member_text(f, "type", b, sizeof(b)), member_text(f, "listen", c, sizeof(c)),
		       member_text(f, "state", d, sizeof(d)), member_text(f, "peer", a, sizeof(a)),
		       member_text(f, "generation", b, sizeof(b)));
		printf("  routes %" JSON_INTEGER_FORMAT ", next hops %" JSON_INTEGER_FORMAT
		       ", messages %" JSON_INTEGER_FORMAT ", frames %" JSON_INTEGER_FORMAT
		       ", connections %" JSON_INTEGER_FORMAT ", last message %s\n",
		       member_int(f, "routes"), member_int(f, "nexthops"), member_int(f, "messages"),
		       member_int(f, "frames"), member_int(f, "connections"), when);
reasons:
		json_object_foreach(json_object_get(f, "errors"), key, n)
			printf("  error %-24s %" JSON_INTEGER_FORMAT "\n", key, json_integer_value(n));
		json_object_foreach(json_object_get(f, "skipped"), key, n)
			printf("  skipped %-22s %" JSON_INTEGER_FORMAT "\n", key, json_integer_value(n));
	}
}

static void human_table_deleted(json_t *result)
{
	printf("deleted %" JSON_INTEGER_FORMAT " routes\n", member_int(result, "deleted_routes"));
}

static void human_routes_deleted(json_t *result)
{
	char text[ROUTE_TEXT_LEN];
	json_t *route;
	size_t i;

	json_array_foreach(json_object_get(result, "deleted"), i, route)
		printf("deleted %s\n", ctl_route_text(route, text, sizeof(text)));
}

static void human_routes_flushed(json_t *result)
{
	printf("flushed %" JSON_INTEGER_FORMAT " routes\n", member_int(result, "deleted"));
}

/* Best first, as route.get returns them: mark the first. */
static void human_route_get(json_t *result)
{
	char text[ROUTE_TEXT_LEN];
	json_t *route;
	size_t i;

	json_array_foreach(json_object_get(result, "routes"), i, route)
		printf("%s %s\n", i == 0 ? "*" : " ", ctl_route_text(route, text, sizeof(text)));
}

static void human_list_begin(void)
{
}

static void human_list_route(json_t *route)
{
	char text[ROUTE_TEXT_LEN];

	puts(ctl_route_text(route, text, sizeof(text)));
}

static void human_list_end(void)
{
}

#define LOOKUP_FORMAT "%-18s %-20s %-18s %-10s %7s %6s %s\n"

/* A UDP answer: what the wire holds, and the table generation that answered. */
#define UDP_LOOKUP_FORMAT "%-18s %-20s %-18s %10s %10s\n"

static enum ctl_lookup_source human_lookup_source;

/*
 * The VIA column: a rejecting route has no gateway, so it shows its type
 * there instead, the word ip-route puts first ("blackhole").
 */
static const char *via_text(json_t *route, char *buf, size_t len)
{
	const char *type = json_string_value(json_object_get(route, "type"));

	if (type && strcmp(type, "unicast"))
		return type;
	return member_text(route, "via", buf, len);
}

static void human_lookup_begin(enum ctl_lookup_source source)
{
	human_lookup_source = source;
	if (source == CTL_LOOKUP_UDP)
		printf(UDP_LOOKUP_FORMAT, "ADDRESS", "PREFIX", "VIA", "TAG", "GENERATION");
	else
		printf(LOOKUP_FORMAT, "ADDRESS", "PREFIX", "VIA", "DEV", "METRIC", "TABLE",
		       "PROTO");
}

static void human_udp_lookup_result(json_t *entry)
{
	json_t *route = json_object_get(entry, "route");
	char addr_buf[64], prefix[64], via[64], tag[16], generation_buf[24];
	const char *addr = member_text(entry, "address", addr_buf, sizeof(addr_buf));
	const char *generation = member_text(entry, "generation", generation_buf,
					     sizeof(generation_buf));

	if (!json_is_object(route)) {
		printf(UDP_LOOKUP_FORMAT, addr, "no route", "-", "-", generation);
		return;
	}
	printf(UDP_LOOKUP_FORMAT, addr, member_text(entry, "prefix", prefix, sizeof(prefix)),
	       json_is_true(json_object_get(route, "reject")) ? "reject" :
								 member_text(route, "via", via, sizeof(via)),
	       member_text(route, "tag", tag, sizeof(tag)), generation);
}

static void human_lookup_result(json_t *entry)
{
	json_t *route = json_object_get(entry, "route"), *hop;
	char addr[64], prefix[64], via[64], dev[32], metric[16], table[16], proto[32];

	if (human_lookup_source == CTL_LOOKUP_UDP) {
		human_udp_lookup_result(entry);
		return;
	}
	if (!json_is_object(route)) {
		printf(LOOKUP_FORMAT, member_text(entry, "address", addr, sizeof(addr)), "no route",
		       "-", "-", "-", "-", "-");
		return;
	}
	/* A multipath route: the next hop chosen for the address. */
	hop = json_object_get(route, "nexthops") ? entry : route;
	printf(LOOKUP_FORMAT, member_text(entry, "address", addr, sizeof(addr)),
	       member_text(entry, "prefix", prefix, sizeof(prefix)), via_text(hop, via, sizeof(via)),
	       member_text(hop, "dev", dev, sizeof(dev)),
	       member_text(route, "metric", metric, sizeof(metric)),
	       member_text(route, "table", table, sizeof(table)),
	       member_text(route, "proto", proto, sizeof(proto)));
}

static void human_lookup_end(void)
{
}

static void human_load_result(json_t *result)
{
	static const struct {
		const char *op, *mark;
	} marks[] = { { "add", "+" }, { "replace", "~" }, { "delete", "-" } };
	char text[ROUTE_TEXT_LEN];
	bool dry_run = json_is_true(json_object_get(result, "dry_run"));
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(result, "diff"), i, d) {
		json_t *op = json_object_get(d, "op");
		const char *mark = "?";

		for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
			if (json_is_string(op) && !strcmp(json_string_value(op), marks[k].op))
				mark = marks[k].mark;
		printf("%s %s\n", mark, ctl_route_text(json_object_get(d, "route"), text,
						       sizeof(text)));
	}
	if (json_is_true(json_object_get(result, "diff_truncated")))
		printf("(diff truncated)\n");
	printf("%s%" JSON_INTEGER_FORMAT " added, %" JSON_INTEGER_FORMAT " replaced, %"
	       JSON_INTEGER_FORMAT " deleted, %" JSON_INTEGER_FORMAT " unchanged\n",
	       dry_run ? "dry run: " : "", member_int(result, "added"),
	       member_int(result, "replaced"), member_int(result, "deleted"),
	       member_int(result, "unchanged"));
}

static void human_event(json_t *params)
{
	char text[ROUTE_TEXT_LEN], op[32];
	json_t *route = json_object_get(params, "route");

	printf("%" JSON_INTEGER_FORMAT " %s", member_int(params, "seq"),
	       member_text(params, "op", op, sizeof(op)));
	if (json_is_object(route))
		printf(" %s", ctl_route_text(route, text, sizeof(text)));
	putchar('\n');
	fflush(stdout);
}

const struct ctl_output ctl_human_output = {
	.ping = human_ping,
	.info = human_info,
	.stats = human_stats,
	.tables = human_tables,
	.feeds = human_feeds,
	.table_created = human_silent,
	.table_deleted = human_table_deleted,
	.route_set = human_silent,
	.routes_deleted = human_routes_deleted,
	.routes_flushed = human_routes_flushed,
	.route_get = human_route_get,
	.list_begin = human_list_begin,
	.list_route = human_list_route,
	.list_end = human_list_end,
	.lookup_begin = human_lookup_begin,
	.lookup_result = human_lookup_result,
	.lookup_end = human_lookup_end,
	.load_result = human_load_result,
	.event = human_event,
	.reloaded = human_silent,
	.saved = human_saved,
};

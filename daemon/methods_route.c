/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The route.* methods but route.load (see methods_route.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/nhgroup.h>
#include <routed/route_json.h>
#include <routed/table.h>

#include "daemon.h"
#include "load.h"
#include "methods_route.h"
#include "params.h"
#include "persist.h"
#include "routes.h"
#include "tables.h"

/*
 * Journal routes just changed (persist.h); a failure makes the answer an
 * error (rpc.c commits after the handler).
 */
static void journal(struct routed *d, int (*fn)(struct persist *, const struct rt_route *, size_t),
		    const struct rt_route *routes, size_t n)
{
	if (d->persist)
		fn(d->persist, routes, n);
}

int methods_route_add(struct rpc_call *call, json_t *params, json_t **result)
{
	struct rt_change ch = { .op = RT_CHANGE_ADD };
	char prefix[RT_PREFIX_STRLEN];
	int rc;

	if (params_route(call, params, "", PARAMS_NO_INDEX, NULL, 0, &ch.route))
		return -1;
	rc = routes_apply(rpc_call_daemon(call), ch.route.table, &ch, 1, NULL);
	if (rc == -EEXIST)
		return rpc_error(call, RPC_ALREADY_EXISTS, "prefix",
				 "%s already has a route with proto %s and metric %u",
				 rt_prefix_format(&ch.route.prefix, prefix, sizeof(prefix)),
				 ch.route.proto, ch.route.metric);
	if (rc)
		return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "cannot add the route: %s",
				 strerror(-rc));
	journal(rpc_call_daemon(call), persist_upsert, &ch.route, 1);
	return rpc_result(call, json_pack("{s:o}", "route", rt_route_to_json(&ch.route)), result);
}

/* The routes of prefix p in table t, best first: a malloc'ed array (NULL when none). */
static long get_routes(struct rt_table *t, const struct rt_prefix *p, struct rt_route **out)
{
	long n = rt_table_get(t, p, NULL, 0);

	*out = NULL;
	if (n <= 0)
		return n;
	*out = malloc((size_t)n * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	/* The control thread is the only writer: the count cannot change in between. */
	return rt_table_get(t, p, *out, (size_t)n);
}

int methods_route_replace(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = rpc_call_daemon(call);
	struct rt_change ch = { .op = RT_CHANGE_REPLACE };
	struct rt_route *old = NULL;
	bool replaced = false;
	long n;
	int rc;

	if (params_route(call, params, "", PARAMS_NO_INDEX, NULL, 0, &ch.route))
		return -1;
	n = get_routes(tables_get(d->tables, ch.route.table), &ch.route.prefix, &old);
	if (n < 0)
		return rpc_nomem(call);
	for (long i = 0; i < n; i++)
		replaced |= old[i].metric == ch.route.metric && !strcmp(old[i].proto, ch.route.proto);
	free(old);
	rc = routes_apply(d, ch.route.table, &ch, 1, NULL);
	if (rc)
		return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "cannot replace the route: %s",
				 strerror(-rc));
	journal(d, persist_upsert, &ch.route, 1);
	return rpc_result(call,
			  json_pack("{s:o, s:b}", "route", rt_route_to_json(&ch.route), "replaced",
				    replaced),
			  result);
}

int methods_route_delete(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "prefix", "table", "proto", "metric", "type", NULL };
	struct routed *d = rpc_call_daemon(call);
	uint32_t table = RT_TABLE_MAIN;
	struct rt_prefix p;
	struct rt_route *routes = NULL;
	struct rt_change *changes = NULL;
	const char *proto;
	uint64_t metric = 0;
	bool given, has_metric;
	size_t n = 0;
	json_t *deleted = NULL;
	char text[RT_PREFIX_STRLEN];
	long count;
	int type, rc = -1;

	if (params_keys(call, params, keys) || params_require(call, params, "prefix") ||
	    params_prefix(call, params, "prefix", &p, NULL) ||
	    params_table(call, params, "table", &table, &given) ||
	    params_proto(call, params, "proto", &proto) ||
	    params_uint(call, params, "metric", 0, UINT32_MAX, &metric, &has_metric) ||
	    params_type(call, params, "type", &type))
		return -1;
	count = get_routes(tables_get(d->tables, table), &p, &routes);
	if (count < 0) {
		rpc_nomem(call);
		goto out;
	}
	changes = malloc(((size_t)count ? (size_t)count : 1) * sizeof(*changes));
	deleted = json_array();
	if (!changes || !deleted) {
		rpc_nomem(call);
		goto out;
	}
	for (long i = 0; i < count; i++) {
		if ((proto && strcmp(routes[i].proto, proto)) ||
		    (has_metric && routes[i].metric != metric) ||
		    (type >= 0 && routes[i].type != type))
			continue;
		changes[n].op = RT_CHANGE_DELETE;
		changes[n++].route = routes[i];
		if (json_array_append_new(deleted, rt_route_to_json(&routes[i]))) {
			rpc_nomem(call);
			goto out;
		}
	}
	if (!n) {
		rpc_error(call, RPC_NOT_FOUND, "prefix", "no route for %s in table %u matches",
			  rt_prefix_format(&p, text, sizeof(text)), table);
		goto out;
	}
	rc = routes_apply(d, table, changes, n, NULL);
	if (rc) {
		rc = rpc_error(call, RPC_INTERNAL_ERROR, NULL, "cannot delete: %s", strerror(-rc));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		routes[i] = changes[i].route;
	journal(d, persist_delete, routes, n);
	*result = json_pack("{s:O}", "deleted", deleted);
	rc = *result ? 0 : rpc_nomem(call);
out:
	json_decref(deleted);
	free(changes);
	free(routes);
	return rc;
}

int methods_route_get(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "prefix", "table", "type", NULL };
	struct routed *d = rpc_call_daemon(call);
	uint32_t table = RT_TABLE_MAIN;
	struct rt_route *routes = NULL;
	struct rt_prefix p;
	char text[RT_PREFIX_STRLEN];
	json_t *list;
	bool given;
	long n, kept = 0;
	int type;

	if (params_keys(call, params, keys) || params_require(call, params, "prefix") ||
	    params_prefix(call, params, "prefix", &p, NULL) ||
	    params_table(call, params, "table", &table, &given) ||
	    params_type(call, params, "type", &type))
		return -1;
	n = get_routes(tables_get(d->tables, table), &p, &routes);
	if (n < 0)
		return rpc_nomem(call);
	for (long i = 0; i < n; i++)
		if (type < 0 || routes[i].type == type)
			routes[kept++] = routes[i];
	if (!kept) {
		free(routes);
		return rpc_error(call, RPC_NOT_FOUND, "prefix", "no %s%sroute for %s in table %u",
				 type < 0 ? "" : rt_route_type_name((unsigned)type),
				 type < 0 ? "" : " ", rt_prefix_format(&p, text, sizeof(text)),
				 table);
	}
	n = kept;
	list = json_array();
	for (long i = 0; list && i < n; i++) {
		if (json_array_append_new(list, rt_route_to_json(&routes[i]))) {
			json_decref(list);
			list = NULL;
		}
	}
	free(routes);
	if (!list)
		return rpc_nomem(call);
	return rpc_result(call, json_pack("{s:o}", "routes", list), result);
}

/* route.lookup */

/*
 * One result: the address, the matched prefix, the route, and the via and
 * dev this address goes to: the route's own, or for a multipath route
 * those of the next hop chosen for the address (what UDP answers).
 */
static json_t *lookup_item(const struct rt_addr *a, const struct rt_lookup_result *res)
{
	char addr[RT_ADDR_STRLEN], prefix[RT_PREFIX_STRLEN], via[RT_ADDR_STRLEN];
	const struct rt_route *r = &res->route;
	const struct rt_addr *gw = &r->gateway;
	const char *dev = r->dev;

	rt_addr_format(a, addr, sizeof(addr));
	if (!res->found)
		return json_pack("{s:s, s:n, s:n, s:n, s:n}", "address", addr, "prefix", "route",
				 "via", "dev");
	if (r->nexthops) {
		gw = &r->nexthops->hop[res->chosen].gateway;
		dev = r->nexthops->hop[res->chosen].dev;
	}
	rt_prefix_format(&r->prefix, prefix, sizeof(prefix));
	if (gw->family)
		rt_addr_format(gw, via, sizeof(via));
	return json_pack("{s:s, s:s, s:o, s:s?, s:s?}", "address", addr, "prefix", prefix,
			 "route", rt_route_to_json(r), "via", gw->family ? via : NULL,
			 "dev", dev[0] ? dev : NULL);
}

int methods_route_lookup(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "addresses", "table", NULL };
	struct routed *d = rpc_call_daemon(call);
	uint32_t table = RT_TABLE_MAIN;
	struct rt_lookup_result *found = NULL;
	struct rt_addr *addrs = NULL;
	json_t *v, *list = NULL;
	size_t n;
	bool given;
	int rc = -1;

	if (params_keys(call, params, keys) || params_require(call, params, "addresses") ||
	    params_table(call, params, "table", &table, &given))
		return -1;
	v = params_get(params, "addresses");
	if (!json_is_array(v))
		return rpc_error(call, RPC_INVALID_PARAMS, "addresses",
				 "addresses must be an array of address strings");
	n = json_array_size(v);
	if (n > METHODS_ROUTE_LOOKUP_MAX)
		return rpc_error(call, RPC_TOO_LARGE, "addresses",
				 "%zu addresses: at most %d per call", n, METHODS_ROUTE_LOOKUP_MAX);
	addrs = malloc((n ? n : 1) * sizeof(*addrs));
	found = malloc((n ? n : 1) * sizeof(*found));
	list = json_array();
	if (!addrs || !found || !list) {
		rpc_nomem(call);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *a = json_array_get(v, i);
		char field[32], msg[RT_ERR_LEN];

		snprintf(field, sizeof(field), "addresses[%zu]", i);
		if (!json_is_string(a)) {
			rpc_error(call, RPC_INVALID_PARAMS, field, "%s must be a string", field);
			goto out;
		}
		if (rt_addr_parse(json_string_value(a), &addrs[i], msg, sizeof(msg))) {
			rpc_error(call, RPC_INVALID_PARAMS, field, "%s", msg);
			goto out;
		}
	}
	rt_table_lookup(tables_get(d->tables, table), addrs, n, found);
	/* One request like one UDP datagram; stats adds the workers' counts. */
	d->counters.lookup_requests++;
	d->counters.lookup_addresses += n;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(list, lookup_item(&addrs[i], &found[i]))) {
			rpc_nomem(call);
			goto out;
		}
	}
	*result = json_pack("{s:O}", "results", list);
	rc = *result ? 0 : rpc_nomem(call);
out:
	json_decref(list);
	free(addrs);
	free(found);
	return rc;
}

/* route.list */

/* A position in (table, prefix, metric, proto) order: the last route considered. */
struct list_pos {
	uint32_t table;
	struct rt_prefix prefix;
	uint32_t metric;
	char proto[RT_PROTO_LEN];
};

#define CURSOR_VERSION "1"

static void cursor_format(const struct list_pos *pos, char *buf, size_t len)
{
	char prefix[RT_PREFIX_STRLEN];

	snprintf(buf, len, CURSOR_VERSION " %u %s %u %s", pos->table,
		 rt_prefix_format(&pos->prefix, prefix, sizeof(prefix)), pos->metric, pos->proto);
}

/* Strict: only what cursor_format() writes. */
static int cursor_parse(const char *text, struct list_pos *pos)
{
	char prefix[RT_PREFIX_STRLEN + 1], proto[RT_PROTO_LEN + 1], again[256];
	unsigned long table, metric;
	int used = 0;

	if (strlen(text) >= sizeof(again) ||
	    sscanf(text, CURSOR_VERSION " %lu %50s %lu %16s%n", &table, prefix, &metric, proto,
		   &used) != 4 ||
	    text[used] || table > UINT32_MAX || metric > UINT32_MAX || strlen(proto) >= RT_PROTO_LEN ||
	    rt_proto_validate(proto) || rt_prefix_parse(prefix, &pos->prefix, NULL, 0))
		return -EINVAL;
	pos->table = (uint32_t)table;
	pos->metric = (uint32_t)metric;
	strcpy(pos->proto, proto);
	cursor_format(pos, again, sizeof(again));
	return strcmp(again, text) ? -EINVAL : 0;
}

enum { LIST_NEXT_TABLE = 1, LIST_MORE = 2 };

struct list_walk {
	/* Filters. */
	const char *proto;
	int type;			/* -1: any */
	bool within, contains;
	struct rt_prefix within_p;
	struct rt_addr within_last;	/* the last address of within_p */
	/* Where to resume in the current table, if there. */
	const struct list_pos *resume;
	/* Output. */
	json_t *routes;
	size_t limit, scanned;
	bool have_pos;
	struct list_pos pos;
	int error;
};

/* Whether r (in the resume table) lies after the resume position. */
static bool after_resume(const struct rt_route *r, const struct list_pos *pos)
{
	int c = rt_prefix_cmp(&r->prefix, &pos->prefix);

	if (c)
		return c > 0;
	if (r->metric != pos->metric)
		return r->metric > pos->metric;
	return strcmp(r->proto, pos->proto) > 0;
}

static int list_visit(const struct rt_route *r, void *arg)
{
	struct list_walk *w = arg;

	if (w->resume && !after_resume(r, w->resume))
		return 0;
	if (w->within && (r->prefix.addr.family != w->within_p.addr.family ||
			  memcmp(r->prefix.addr.bytes, w->within_last.bytes,
				 sizeof(r->prefix.addr.bytes)) > 0))
		return LIST_NEXT_TABLE;	/* past the end of the range */
	if (w->scanned == METHODS_ROUTE_LIST_SCAN)
		return LIST_MORE;	/* enough work for one page */
	w->scanned++;
	if ((!w->proto || !strcmp(r->proto, w->proto)) && (w->type < 0 || r->type == w->type) &&
	    (!w->within || rt_prefix_contains(&w->within_p, &r->prefix))) {
		if (json_array_size(w->routes) == w->limit)
			return LIST_MORE;
		if (json_array_append_new(w->routes, rt_route_to_json(r))) {
			w->error = -ENOMEM;
			return -ENOMEM;
		}
	}
	w->have_pos = true;
	w->pos.table = r->table;
	w->pos.prefix = r->prefix;
	w->pos.metric = r->metric;
	memcpy(w->pos.proto, r->proto, RT_PROTO_LEN);
	return 0;
}

/* The prefixes covering p, shortest first (that is walk order), as one walk. */
static int list_containing(struct rt_table *t, const struct rt_prefix *p, struct list_walk *w)
{
	for (unsigned len = 0; len <= p->len; len++) {
		struct rt_prefix c = { .addr = p->addr, .len = (uint8_t)len };
		struct rt_route *routes;
		long n;
		int rc = 0;

		rt_addr_mask(&c.addr, len);
		if (w->resume && rt_prefix_cmp(&c, &w->resume->prefix) < 0)
			continue;
		n = get_routes(t, &c, &routes);
		if (n < 0)
			return (int)n;
		for (long i = 0; i < n && !rc; i++)
			rc = list_visit(&routes[i], w);
		free(routes);
		if (rc)
			return rc;
	}
	return 0;
}

int methods_route_list(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "table", "family", "within", "contains",
					    "proto", "limit", "cursor", "type", NULL };
	struct routed *d = rpc_call_daemon(call);
	struct list_walk w = { 0 };
	struct rt_prefix contains_p;
	struct list_pos cursor;
	uint64_t limit = METHODS_ROUTE_LIST_DEFAULT;
	uint32_t only_table = 0, id;
	bool has_table, has_cursor = false;
	char cursor_text[128];
	int family, rc = 0;
	json_t *v;

	if (params_keys(call, params, keys) ||
	    params_table(call, params, "table", &only_table, &has_table) ||
	    params_family(call, params, &family) ||
	    params_prefix(call, params, "within", &w.within_p, &w.within) ||
	    params_prefix(call, params, "contains", &contains_p, &w.contains) ||
	    params_proto(call, params, "proto", &w.proto) ||
	    params_type(call, params, "type", &w.type) ||
	    params_uint(call, params, "limit", 1, METHODS_ROUTE_LIST_MAX, &limit, NULL))
		return -1;
	v = params_get(params, "cursor");
	if (v) {
		if (!json_is_string(v) || cursor_parse(json_string_value(v), &cursor))
			return rpc_error(call, RPC_INVALID_PARAMS, "cursor",
					 "cursor is not one that route.list returned");
		if (has_table && cursor.table != only_table)
			return rpc_error(call, RPC_INVALID_PARAMS, "cursor",
					 "cursor belongs to table %u, not %u", cursor.table,
					 only_table);
		has_cursor = true;
	}
	w.limit = (size_t)limit;
	w.routes = json_array();
	if (!w.routes)
		return rpc_nomem(call);
	if (w.within) {
		unsigned bits = rt_family_bits(w.within_p.addr.family);

		w.within_last = w.within_p.addr;
		for (unsigned b = w.within_p.len; b < bits; b++)
			w.within_last.bytes[b / 8] |= (uint8_t)(0x80u >> (b % 8));
		if (family && family != w.within_p.addr.family)
			goto done;
		family = w.within_p.addr.family;
	}
	if (w.contains) {
		if (family && family != contains_p.addr.family)
			goto done;
		if (w.within && w.within_p.addr.family != contains_p.addr.family)
			goto done;
	}

	for (rc = tables_seek(d->tables, has_cursor ? cursor.table : only_table, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(d->tables, id + 1, &id)) {
		struct rt_table *t = tables_get(d->tables, id);
		const struct rt_prefix *from = NULL;

		if (has_table && id != only_table)
			break;
		w.resume = has_cursor && id == cursor.table ? &cursor : NULL;
		if (w.resume)
			from = &cursor.prefix;
		if (w.within && (!from || rt_prefix_cmp(from, &w.within_p) < 0))
			from = &w.within_p;
		if (w.contains)
			rc = list_containing(t, &contains_p, &w);
		else
			rc = rt_table_walk(t, family, from, list_visit, &w);
		if (rc == LIST_MORE)
			break;
		if (rc < 0 && rc != LIST_NEXT_TABLE) {
			json_decref(w.routes);
			return rpc_nomem(call);
		}
	}
done:
	if (rc == LIST_MORE && w.have_pos)
		cursor_format(&w.pos, cursor_text, sizeof(cursor_text));
	else if (rc == LIST_MORE && has_cursor)
		cursor_format(&cursor, cursor_text, sizeof(cursor_text));
	return rpc_result(call,
			  json_pack("{s:o, s:s?}", "routes", w.routes, "cursor",
				    rc == LIST_MORE ? cursor_text : NULL),
			  result);
}

/* route.flush */

int methods_route_flush(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "table", "family", "proto", NULL };
	struct routed *d = rpc_call_daemon(call);
	const char *proto;
	uint32_t table = 0, id;
	bool has_table;
	int family, rc;
	uint64_t total = 0;

	if (params_keys(call, params, keys) ||
	    params_table(call, params, "table", &table, &has_table) ||
	    params_family(call, params, &family) || params_proto(call, params, "proto", &proto))
		return -1;
	for (rc = tables_seek(d->tables, table, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(d->tables, id + 1, &id)) {
		long n;

		if (has_table && id != table)
			break;
		n = routes_flush(d, id, family, proto);
		if (n < 0)
			return rpc_error(call, RPC_INTERNAL_ERROR, NULL,
					 "table %u: cannot flush: %s (%llu routes deleted before)",
					 id, strerror((int)-n), (unsigned long long)total);
		total += (uint64_t)n;
		if (d->persist)
			persist_flush(d->persist, id, family, proto);
	}
	return rpc_result(call, json_pack("{s:I}", "deleted", (json_int_t)total), result);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The method table and its one lookup, and the wiring of the control
 * socket to JSON-RPC and this table (see methods.h). The handlers live in
 * one file per concept: methods_daemon.c (info, stats, config.*),
 * methods_route.c (route.*), methods_load.c (route.load, load.*),
 * methods_tables.c (table.*), methods_events.c (subscribe, unsubscribe);
 * params.c reads their params.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "daemon.h"
#include "methods.h"
#include "methods_daemon.h"
#include "methods_events.h"
#include "methods_feed.h"
#include "methods_load.h"
#include "methods_route.h"
#include "methods_tables.h"
#include "params.h"

/*
 * The params schemas, as JSON text. Pieces are written as tokens and
 * stringized without macro expansion (so true/false stay JSON), then joined
 * by string literal concatenation.
 */
#define JSON_TEXT(...) #__VA_ARGS__
#define OBJECT(props, required)                                                        \
	"{\"type\": \"object\", \"properties\": {" props "}, \"required\": [" required \
	"], \"additionalProperties\": false}"
#define NO_PARAMS OBJECT("", "")
#define TABLE_REF JSON_TEXT({"type": ["integer", "string"], "description": "table id or name"})
#define U32 JSON_TEXT({"type": "integer", "minimum": 0, "maximum": 4294967295})
#define P_TABLE "\"table\": " TABLE_REF
#define P_PREFIX JSON_TEXT("prefix": {"type": "string"})
#define P_PROTO JSON_TEXT("proto": {"type": "string", "pattern": "^[a-z0-9_-]{1,15}$"})
/* Absent or null: unicast. */
#define P_TYPE                                                                         \
	JSON_TEXT("type": {"enum": ["unicast", "blackhole", "unreachable", "prohibit", null]})
#define P_FAMILY JSON_TEXT("family": {"enum": ["inet", "inet6"]})
#define P_BOOL(name) "\"" name "\": {\"type\": \"boolean\"}"
/* A multipath route's next hops, instead of via and dev. */
#define P_NEXTHOPS                                                                     \
	JSON_TEXT("nexthops": {"type": ["array", "null"], "minItems": 1, "maxItems": 64, \
			       "items": {"type": "object", "properties": {                \
				       "via": {"type": ["string", "null"]},               \
				       "dev": {"type": ["string", "null"]},               \
				       "weight": {"type": ["integer", "null"], "minimum": 1, \
						  "maximum": 256}},                       \
				       "additionalProperties": false}})
#define ROUTE_SCHEMA                                                                   \
	OBJECT(P_TABLE ", " P_PREFIX ", " P_TYPE ", " P_NEXTHOPS ", "                  \
	       JSON_TEXT("via": {"type": ["string", "null"]}, "dev": {"type": ["string", "null"]}, \
			 "tag": {"type": ["integer", "null"], "minimum": 0, "maximum": 4294967295}) \
	       ", \"metric\": " U32 ", " P_PROTO,                                        \
	       "\"prefix\"")
#define P_ROUTES "\"routes\": {\"type\": \"array\", \"items\": " ROUTE_SCHEMA "}"
#define P_LINES                                                                        \
	JSON_TEXT("lines": {"type": "array", "items": {"type": "string"},                \
			    "description": "routes in route-file syntax, instead of routes"})
/* A route list: routes or lines, exactly one (added to an OBJECT's end). */
#define ROUTES_OR_LINES                                                                \
	", \"oneOf\": [{\"required\": [\"routes\"]}, {\"required\": [\"lines\"]}]"
#define OBJECT_WITH_ROUTES(props, required)                                            \
	"{\"type\": \"object\", \"properties\": {" P_ROUTES ", " P_LINES ", " props      \
	"}, \"required\": [" required "], \"additionalProperties\": false" ROUTES_OR_LINES "}"
#define P_LOAD_OPTIONS                                                                 \
	P_BOOL("dry_run") ", "                                                          \
	JSON_TEXT("diff_limit": {"type": "integer", "minimum": 0, "maximum": 100000})
#define P_TXN JSON_TEXT("txn": {"type": "integer", "minimum": 1})

/* The methods about the method table itself. */

static int m_methods(struct rpc_call *call, json_t *params, json_t **result)
{
	json_t *list;

	if (params_none(call, params))
		return -1;
	list = json_array();
	if (!list)
		return rpc_nomem(call);
	for (size_t i = 0; methods_at(i); i++) {
		const struct rpc_method *m = methods_at(i);
		json_t *schema = json_loads(m->params_schema, 0, NULL);

		if (!schema || json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:o}",
								     "name", m->name, "summary",
								     m->summary, "admin", m->admin,
								     "params", schema))) {
			json_decref(list);
			return rpc_nomem(call);
		}
	}
	return rpc_result(call, json_pack("{s:o}", "methods", list), result);
}

static int m_ping(struct rpc_call *call, json_t *params, json_t **result)
{
	if (params_none(call, params))
		return -1;
	return rpc_result(call, json_pack("{s:b}", "pong", 1), result);
}


/*
 * The table, in the method list's order. Schemas follow
 * docs/control-protocol.md; .admin methods change state; the changes of
 * .journaled ones are answered once durable (persist.h).
 */
static const struct rpc_method methods[] = {
	{ .name = "methods",
	  .summary = "List the methods with their params schemas",
	  .params_schema = NO_PARAMS,
	  .handler = m_methods },
	{ .name = "ping",
	  .summary = "Check that routed answers",
	  .params_schema = NO_PARAMS,
	  .handler = m_ping },
	{ .name = "info",
	  .summary = "Version, process and runtime facts",
	  .params_schema = NO_PARAMS,
	  .handler = methods_daemon_info },
	{ .name = "stats",
	  .summary = "Route counts, memory and counters",
	  .params_schema = NO_PARAMS,
	  .handler = methods_daemon_stats },
	{ .name = "route.add",
	  .summary = "Add a route; fails if its (prefix, proto, metric) exists",
	  .params_schema = ROUTE_SCHEMA,
	  .handler = methods_route_add,
	  .admin = true,
	  .journaled = true },
	{ .name = "route.replace",
	  .summary = "Add a route or replace the one with its (prefix, proto, metric)",
	  .params_schema = ROUTE_SCHEMA,
	  .handler = methods_route_replace,
	  .admin = true,
	  .journaled = true },
	{ .name = "route.delete",
	  .summary = "Delete the routes of a prefix that match proto, metric and type",
	  .params_schema = OBJECT(P_PREFIX ", " P_TABLE ", " P_PROTO ", \"metric\": " U32
				  ", " P_TYPE,
				  "\"prefix\""),
	  .handler = methods_route_delete,
	  .admin = true,
	  .journaled = true },
	{ .name = "route.get",
	  .summary = "The routes of exactly one prefix, best first",
	  .params_schema = OBJECT(P_PREFIX ", " P_TABLE ", " P_TYPE, "\"prefix\""),
	  .handler = methods_route_get },
	{ .name = "route.lookup",
	  .summary = "Longest-prefix match of up to 65536 addresses",
	  .params_schema = OBJECT(JSON_TEXT("addresses": {"type": "array",
							  "items": {"type": "string"},
							  "maxItems": 65536}) ", " P_TABLE,
				  "\"addresses\""),
	  .handler = methods_route_lookup },
	{ .name = "route.list",
	  .summary = "List routes by page, with filters",
	  .params_schema = OBJECT(P_TABLE ", " P_FAMILY ", " P_PROTO ", " P_TYPE ", "
				  JSON_TEXT("within": {"type": "string"},
					    "contains": {"type": "string"},
					    "limit": {"type": "integer", "minimum": 1,
						      "maximum": 10000},
					    "cursor": {"type": ["string", "null"]}),
				  ""),
	  .handler = methods_route_list },
	{ .name = "route.flush",
	  .summary = "Delete every route of the tables, family and proto given",
	  .params_schema = OBJECT(P_TABLE ", " P_FAMILY ", " P_PROTO, ""),
	  .handler = methods_route_flush,
	  .admin = true,
	  .journaled = true },
	{ .name = "route.load",
	  .summary = "Apply many routes atomically (merge or replace)",
	  .params_schema = OBJECT_WITH_ROUTES(P_BOOL("replace") ", " P_TABLE ", " P_LOAD_OPTIONS,
					      ""),
	  .handler = methods_load_routes,
	  .admin = true,
	  .journaled = true },
	{ .name = "load.begin",
	  .summary = "Open a load transaction on this connection",
	  .params_schema = OBJECT(P_BOOL("replace") ", " P_TABLE, ""),
	  .handler = methods_load_begin,
	  .admin = true },
	{ .name = "load.add",
	  .summary = "Stage a chunk of routes in a load transaction",
	  .params_schema = OBJECT_WITH_ROUTES(P_TXN, "\"txn\""),
	  .handler = methods_load_add,
	  .admin = true },
	{ .name = "load.commit",
	  .summary = "Apply a load transaction atomically",
	  .params_schema = OBJECT(P_TXN ", " P_LOAD_OPTIONS, "\"txn\""),
	  .handler = methods_load_commit,
	  .admin = true,
	  .journaled = true },
	{ .name = "load.abort",
	  .summary = "Drop a load transaction",
	  .params_schema = OBJECT(P_TXN, "\"txn\""),
	  .handler = methods_load_abort,
	  .admin = true },
	{ .name = "feed.list",
	  .summary = "The route feeds (FPM): state, peer, generation, routes, errors by reason",
	  .params_schema = NO_PARAMS,
	  .handler = methods_feed_list },
	{ .name = "feed.push",
	  .summary = "A pushed feed's routes, removals, sync markers and status (routed-exabgp)",
	  .params_schema = "{\"type\": \"object\", \"properties\": {"
			   JSON_TEXT("feed": {"type": "string", "pattern": "^[a-z0-9_.:-]{1,32}$"},
				     "sync": {"enum": ["begin", "end", "full"]},
				     "status": {"type": "object"},
				     "remove": {"type": "array", "items": {"type": "object",
					     "properties": {"prefix": {"type": "string"},
							    "metric": {"type": "integer", "minimum": 0,
								       "maximum": 4294967295},
							    "table": {"type": ["integer", "string"]}},
					     "required": ["prefix"], "additionalProperties": false}})
			   ", " P_ROUTES ", " P_LINES "}, \"required\": [\"feed\"], "
			   "\"additionalProperties\": false, \"not\": {\"required\": [\"routes\", \"lines\"]}}",
	  .handler = methods_feed_push,
	  .admin = true },
	{ .name = "table.list",
	  .summary = "The tables and their route counts",
	  .params_schema = NO_PARAMS,
	  .handler = methods_tables_list },
	{ .name = "table.create",
	  .summary = "Create a table",
	  .params_schema = OBJECT(JSON_TEXT("id": {"type": "integer", "minimum": 1,
						   "maximum": 4294967295},
					    "name": {"type": "string",
						     "pattern": "^[A-Za-z0-9_.-]{1,31}$"}),
				  "\"id\""),
	  .handler = methods_tables_create,
	  .admin = true,
	  .journaled = true },
	{ .name = "table.delete",
	  .summary = "Delete a table and its routes",
	  .params_schema = OBJECT(P_TABLE, "\"table\""),
	  .handler = methods_tables_delete,
	  .admin = true,
	  .journaled = true },
	{ .name = "config.get",
	  .summary = "The configuration in effect",
	  .params_schema = NO_PARAMS,
	  .handler = methods_daemon_config_get },
	{ .name = "config.reload",
	  .summary = "Reload the configuration file",
	  .params_schema = NO_PARAMS,
	  .handler = methods_daemon_config_reload,
	  .admin = true },
	{ .name = "subscribe",
	  .summary = "Receive route changes as route.event notifications",
	  .params_schema = OBJECT("\"tables\": {\"type\": \"array\", \"items\": " TABLE_REF
				  ", \"minItems\": 1}, " P_BOOL("snapshot"),
				  ""),
	  .handler = methods_events_subscribe },
	{ .name = "unsubscribe",
	  .summary = "Stop a subscription",
	  .params_schema = OBJECT(JSON_TEXT("subscription": {"type": "integer", "minimum": 1}),
				  "\"subscription\""),
	  .handler = methods_events_unsubscribe },
};

#define METHODS_COUNT (sizeof(methods) / sizeof(methods[0]))
_Static_assert(METHODS_COUNT + 2 <= ROUTED_METHOD_SLOTS,
	       "every method, \"unknown\" and \"invalid\" have their counts (rpc_count_methods)");

const struct rpc_method *methods_at(size_t i)
{
	return i < METHODS_COUNT ? &methods[i] : NULL;
}

const struct rpc_method *methods_find(const char *name)
{
	for (size_t i = 0; i < METHODS_COUNT; i++)
		if (!strcmp(methods[i].name, name))
			return &methods[i];
	return NULL;
}

static void methods_line(struct control_conn *conn, const char *line, size_t len)
{
	rpc_handle_line(conn, line, len, methods_find);
}

const struct control_ops methods_control_ops = {
	.line = methods_line,
	.line_too_long = rpc_reject_long_line,
	.not_durable = rpc_not_durable,
};

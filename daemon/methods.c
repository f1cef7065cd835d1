/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/route_json.h>
#include <routed/routefile.h>
#include <routed/table.h>

#include "routed_config.h"
#include "daemon.h"
#include "change_stream.h"
#include "gate.h"
#include "load.h"
#include "methods.h"
#include "persist.h"
#include "reconf.h"
#include "routes.h"
#include "rpc.h"
#include "tables.h"
#include "txn.h"
#include "udp.h"

static const char *const no_keys[] = { NULL };

static struct routed *ctx(struct rpc_call *call)
{
	return rpc_call_context(call);
}

/* Params checking: every failure names the field. */

static int check_keys(struct rpc_call *call, json_t *params, const char *const *allowed)
{
	const char *key;
	json_t *value;

	json_object_foreach(params, key, value) {
		const char *const *a;

		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (!*a)
			return rpc_error(call, RPC_INVALID_PARAMS, key, "unknown parameter '%s'", key);
	}
	return 0;
}

/* Absent and null are the same: not given. */
static json_t *param(json_t *params, const char *key)
{
	json_t *v = json_object_get(params, key);

	return json_is_null(v) ? NULL : v;
}

static int get_bool(struct rpc_call *call, json_t *params, const char *key, bool *out)
{
	json_t *v = param(params, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return rpc_error(call, RPC_INVALID_PARAMS, key, "%s must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

/* An integer in [min, max]; *given tells whether it was there. */
static int get_uint(struct rpc_call *call, json_t *params, const char *key, uint64_t min,
		    uint64_t max, uint64_t *out, bool *given)
{
	json_t *v = param(params, key);

	if (given)
		*given = v != NULL;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) < min || (uint64_t)json_integer_value(v) > max)
		return rpc_error(call, RPC_INVALID_PARAMS, key, "%s must be an integer %llu..%llu",
				 key, (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int require(struct rpc_call *call, json_t *params, const char *key)
{
	if (!param(params, key))
		return rpc_error(call, RPC_INVALID_PARAMS, key, "%s is required", key);
	return 0;
}

/* A table given by id or name that exists; field names it in errors. */
static int resolve_table(struct rpc_call *call, json_t *v, const char *field, uint32_t *id)
{
	struct routed *d = ctx(call);
	struct rt_json_error jerr;
	int rc = rt_table_from_json(v, id, tables_resolve, d->tables, &jerr);

	if (rc == -ENOENT)
		return rpc_error(call, RPC_NOT_FOUND, field, "%s", jerr.message);
	if (rc)
		return rpc_error(call, RPC_INVALID_PARAMS, field, "%s", jerr.message);
	if (!tables_get(d->tables, *id))
		return rpc_error(call, RPC_NOT_FOUND, field, "no table %u", *id);
	return 0;
}

/* params[key] as a table; absent: *given false (and *id untouched). */
static int get_table(struct rpc_call *call, json_t *params, const char *key, uint32_t *id,
		     bool *given)
{
	json_t *v = param(params, key);

	*given = v != NULL;
	return v ? resolve_table(call, v, key, id) : 0;
}

static int get_prefix(struct rpc_call *call, json_t *params, const char *key,
		      struct rt_prefix *p, bool *given)
{
	json_t *v = param(params, key);
	char msg[RT_ERR_LEN];

	if (given)
		*given = v != NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return rpc_error(call, RPC_INVALID_PARAMS, key, "%s must be a string", key);
	if (rt_prefix_parse(json_string_value(v), p, msg, sizeof(msg)))
		return rpc_error(call, RPC_INVALID_PARAMS, key, "%s", msg);
	return 0;
}

static int get_proto(struct rpc_call *call, json_t *params, const char *key, const char **out)
{
	json_t *v = param(params, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) >= RT_PROTO_LEN ||
	    rt_proto_validate(json_string_value(v)))
		return rpc_error(call, RPC_INVALID_PARAMS, key,
				 "%s must be a protocol name ([a-z0-9_-], 1..15 characters)", key);
	*out = json_string_value(v);
	return 0;
}

static int get_family(struct rpc_call *call, json_t *params, int *family)
{
	json_t *v = param(params, "family");

	*family = 0;
	if (!v)
		return 0;
	if (json_is_string(v) && !strcmp(json_string_value(v), "inet"))
		*family = AF_INET;
	else if (json_is_string(v) && !strcmp(json_string_value(v), "inet6"))
		*family = AF_INET6;
	else
		return rpc_error(call, RPC_INVALID_PARAMS, "family",
				 "family must be \"inet\" or \"inet6\"");
	return 0;
}

/* No index: the route is the params object itself. */
#define NO_INDEX SIZE_MAX

static int no_memory(struct rpc_call *call)
{
	return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "out of memory");
}

/*
 * The error for the route at key[index] in a list ("routes[3]"), or for the
 * params themselves (index NO_INDEX, no key): the field is key[index] plus
 * the route's own field, the message says where (chunk: 0, or the load.add
 * chunk the route is in). Formatted only on error: a load decodes millions.
 */
static int route_error(struct rpc_call *call, int rc, const struct rt_json_error *jerr,
		       const char *key, size_t index, unsigned chunk)
{
	char where[192], name[128], field[48];

	if (index == NO_INDEX)
		field[0] = '\0';
	else
		snprintf(field, sizeof(field), "%s[%zu]", key, index);
	if (!*field)
		snprintf(name, sizeof(name), "%s", jerr->field);
	else if (jerr->field[0])
		snprintf(name, sizeof(name), "%s.%s", field, jerr->field);
	else
		snprintf(name, sizeof(name), "%s", field);
	if (chunk)
		snprintf(where, sizeof(where), "chunk %u, %s: ", chunk, name);
	else if (*field)
		snprintf(where, sizeof(where), "%s: ", field);
	else
		where[0] = '\0';
	return rpc_error(call, rc == -ENOENT ? RPC_NOT_FOUND : RPC_INVALID_PARAMS,
			 name[0] ? name : NULL, "%s%s", where, jerr->message);
}

/*
 * The table a decoded route goes to. table: NULL, or the table of the whole
 * load; a route that named another one (named) is an error, one that named
 * none goes there. The table must exist.
 */
static int route_table(struct rpc_call *call, struct rt_route *r, bool named,
		       const uint32_t *table, struct rt_json_error *jerr)
{
	if (table && named && r->table != *table) {
		snprintf(jerr->field, sizeof(jerr->field), "table");
		snprintf(jerr->message, sizeof(jerr->message),
			 "route is in table %u but the load is for table %u", r->table, *table);
		return -EINVAL;
	}
	if (table)
		r->table = *table;
	if (!tables_get(ctx(call)->tables, r->table)) {
		snprintf(jerr->field, sizeof(jerr->field), "table");
		snprintf(jerr->message, sizeof(jerr->message), "no table %u", r->table);
		return -ENOENT;
	}
	return 0;
}

/*
 * Decode route object obj: key[index] in a list ("routes[3]"), or the
 * params themselves (key "", index NO_INDEX). table and chunk: as for
 * route_table() and route_error().
 */
static int parse_route(struct rpc_call *call, json_t *obj, const char *key, size_t index,
		       const uint32_t *table, unsigned chunk, struct rt_route *r)
{
	struct rt_json_error jerr;
	int rc;

	rc = rt_route_from_json(obj, r, tables_resolve, ctx(call)->tables, &jerr);
	if (!rc)
		rc = route_table(call, r, json_object_get(obj, "table") != NULL, table, &jerr);
	return rc ? route_error(call, rc, &jerr, key, index, chunk) : 0;
}

/*
 * Decode line text, key[index], in route-file syntax (routefile.h): one
 * route, so that lines[i] is routes[i] in every message. A route-file line
 * names a table by number, or names none (main): one in main goes to the
 * load's table.
 */
static int parse_route_line(struct rpc_call *call, json_t *text, const char *key, size_t index,
			    const uint32_t *table, unsigned chunk, struct rt_route *r)
{
	struct rt_json_error jerr = { .field = "" };
	int rc;

	if (!json_is_string(text)) {
		snprintf(jerr.message, sizeof(jerr.message), "a route line must be a string");
		return route_error(call, -EINVAL, &jerr, key, index, chunk);
	}
	rc = routefile_parse_line(json_string_value(text), r, jerr.message, sizeof(jerr.message));
	if (rc == -ENOMEM)
		return no_memory(call);
	if (rc == 0) {
		snprintf(jerr.message, sizeof(jerr.message), "no route on the line");
		rc = -EINVAL;
	} else if (rc > 0) {
		rc = route_table(call, r, r->table != RT_TABLE_MAIN, table, &jerr);
	}
	return rc ? route_error(call, rc, &jerr, key, index, chunk) : 0;
}

/*
 * A route list: params["routes"], an array of route objects, or
 * params["lines"], an array of route-file lines (the compact form routectl
 * load sends). Exactly one of them; *name says which.
 */
static int parse_routes(struct rpc_call *call, json_t *params, const uint32_t *table,
			unsigned chunk, struct rt_route **out, size_t *n, const char **name)
{
	json_t *objects = param(params, "routes"), *lines = param(params, "lines");
	const char *key = lines ? "lines" : "routes";
	json_t *v = lines ? lines : objects;
	struct rt_route *routes;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	*name = key;
	if (objects && lines)
		return rpc_error(call, RPC_INVALID_PARAMS, "lines",
				 "give routes or lines, not both");
	if (!v)
		return rpc_error(call, RPC_INVALID_PARAMS, "routes", "routes (or lines) is required");
	if (!json_is_array(v))
		return rpc_error(call, RPC_INVALID_PARAMS, key, "%s must be an array of %s", key,
				 lines ? "route lines" : "routes");
	routes = malloc((json_array_size(v) ? json_array_size(v) : 1) * sizeof(*routes));
	if (!routes)
		return no_memory(call);
	for (i = 0; i < json_array_size(v); i++) {
		if (lines)
			rc = parse_route_line(call, json_array_get(v, i), key, i, table, chunk,
					      &routes[i]);
		else
			rc = parse_route(call, json_array_get(v, i), key, i, table, chunk,
					 &routes[i]);
		if (rc) {
			free(routes);
			return -1;
		}
	}
	*out = routes;
	*n = i;
	return 0;
}

static json_t *route_json(const struct rt_route *r)
{
	return rt_route_to_json(r);
}

/* Store a result built with json_pack: NULL means out of memory. */
static int result_or_nomem(struct rpc_call *call, json_t *res, json_t **result)
{
	if (!res)
		return no_memory(call);
	*result = res;
	return 0;
}

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
#define P_FAMILY JSON_TEXT("family": {"enum": ["inet", "inet6"]})
#define P_BOOL(name) "\"" name "\": {\"type\": \"boolean\"}"
#define ROUTE_SCHEMA                                                                   \
	OBJECT(P_TABLE ", " P_PREFIX ", "                                               \
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

/* methods, ping */

static int m_methods(struct rpc_call *call, json_t *params, json_t **result)
{
	json_t *list;

	if (check_keys(call, params, no_keys))
		return -1;
	list = json_array();
	if (!list)
		return no_memory(call);
	for (size_t i = 0; i < rpc_methods_count; i++) {
		const struct rpc_method *m = &rpc_methods[i];
		json_t *schema = json_loads(m->params_schema, 0, NULL);

		if (!schema || json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:o}",
								     "name", m->name, "summary",
								     m->summary, "admin", m->mutating,
								     "params", schema))) {
			json_decref(list);
			return no_memory(call);
		}
	}
	return result_or_nomem(call, json_pack("{s:o}", "methods", list), result);
}

static int m_ping(struct rpc_call *call, json_t *params, json_t **result)
{
	if (check_keys(call, params, no_keys))
		return -1;
	return result_or_nomem(call, json_pack("{s:b}", "pong", 1), result);
}

/* info, stats */

static int m_info(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = ctx(call);
	char started[32];
	struct tm tm;

	if (check_keys(call, params, no_keys))
		return -1;
	if (!gmtime_r(&d->started_wall, &tm) ||
	    !strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(started, sizeof(started), "unknown");
	return result_or_nomem(
		call,
		json_pack("{s:s, s:I, s:f, s:s, s:I, s:s, s:b, s:s, s:s?, s:s?, s:s?, s:o?, s:o?}",
			  "version",
			  PACKAGE_VERSION, "pid", (json_int_t)getpid(), "uptime_seconds",
			  routed_uptime(d), "started", started, "threads", (json_int_t)d->threads,
			  "rcu_flavor", "memb", "membarrier", rt_rcu_has_membarrier(),
			  "grace_periods", rt_rcu_has_membarrier() ? "membarrier" : "fallback",
			  "control_socket", d->config ? d->config->control_socket : NULL,
			  "config_file", d->config_path, "state_dir",
			  d->config ? d->config->state_dir : NULL, "lookup_listeners",
			  d->udp ? udp_listeners_json(d->udp) : NULL, "durability",
			  d->persist ? persist_info_json(d->persist) : NULL),
		result);
}

static json_t *family_json(const struct rt_family_stats *fs)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "prefixes", (json_int_t)fs->prefixes,
			 "routes", (json_int_t)fs->routes, "rib_bytes", (json_int_t)fs->rib_bytes,
			 "fib_bytes", (json_int_t)fs->fib_bytes, "fib_reserved_bytes",
			 (json_int_t)fs->fib_reserved_bytes);
}

/* Non-empty log2 buckets as [upper edge in ns, count] pairs. */
static json_t *histogram_json(const uint64_t *hist, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++) {
		json_int_t upper = (json_int_t)((2ull << i) - 1);

		if (hist[i] &&
		    json_array_append_new(a, json_pack("[I, I]", upper, (json_int_t)hist[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *grace_periods_json(void)
{
	struct rt_rcu_stats gp;

	rt_rcu_stats(&gp);
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "mode",
			 rt_rcu_has_membarrier() ? "membarrier" : "fallback", "count",
			 (json_int_t)gp.grace_periods, "mean_ns",
			 (json_int_t)(gp.grace_periods ? gp.total_ns / gp.grace_periods : 0),
			 "p50_ns", (json_int_t)rt_rcu_gp_quantile_ns(&gp, 0.5), "p99_ns",
			 (json_int_t)rt_rcu_gp_quantile_ns(&gp, 0.99), "max_ns",
			 (json_int_t)gp.max_ns, "histogram",
			 histogram_json(gp.hist, RT_RCU_GP_BUCKETS));
}

static json_t *sync_json(const struct rcu_sync_snapshot *sync)
{
	static const char *const names[] = {
		[RCU_SYNC_T_IDLE_ENTER] = "idle_enter",
		[RCU_SYNC_T_ENTER_PASSED] = "enter_passed",
		[RCU_SYNC_T_PASSED_EXIT] = "passed_exit",
		[RCU_SYNC_T_EXIT_PASSED] = "exit_passed",
		[RCU_SYNC_T_EXIT_REPLAY] = "exit_replay",
		[RCU_SYNC_T_EXIT_IDLE] = "exit_idle",
		[RCU_SYNC_T_REPLAY_PASSED] = "replay_passed",
		[RCU_SYNC_T_REPLAY_EXIT] = "replay_exit",
		[RCU_SYNC_T_ENTER_WAIT] = "enter_wait",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == RCU_SYNC_T_COUNT,
		       "a name for every rcu_sync transition");
	json_t *t = json_object();

	for (int i = 0; t && i < RCU_SYNC_T_COUNT; i++) {
		json_int_t count = (json_int_t)sync->transitions[i];

		if (json_object_set_new(t, names[i], json_integer(count))) {
			json_decref(t);
			t = NULL;
		}
	}
	return json_pack("{s:s, s:i, s:o}", "state", rcu_sync_state_name(sync->state), "writers",
			 sync->count, "transitions", t);
}

static json_t *gate_json(const struct gate_stats *g)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			 " s:{s:I, s:I, s:I, s:I}, s:I, s:I}",
			 "readers", (json_int_t)g->readers, "write_sections",
			 (json_int_t)g->write_sections, "last_write_ns",
			 (json_int_t)g->last_write_ns, "max_write_ns", (json_int_t)g->max_write_ns,
			 "last_enter_ns", (json_int_t)g->last_enter_ns, "max_enter_ns",
			 (json_int_t)g->max_enter_ns, "slow_path_entries",
			 (json_int_t)g->slow_path_entries, "reader_waits",
			 (json_int_t)g->reader_waits, "stall_ns", "p50",
			 (json_int_t)gate_stall_quantile_ns(g, 0.5), "p99",
			 (json_int_t)gate_stall_quantile_ns(g, 0.99), "max",
			 (json_int_t)g->stall_max_ns, "total", (json_int_t)g->stall_total_ns,
			 "writer_poll_rescues", (json_int_t)g->writer_poll_rescues,
			 "reader_poll_rescues", (json_int_t)g->reader_poll_rescues);
}

static json_t *reconfigurations_json(struct routed *d)
{
	struct reconf_record recs[RECONF_HISTORY];
	size_t n = reconf_history(d, recs, RECONF_HISTORY);
	json_t *recent = json_array();

	for (size_t i = 0; recent && i < n; i++) {
		const struct reconf_record *r = &recs[i];

		if (json_array_append_new(
			    recent,
			    json_pack("{s:s, s:f, s:I, s:I, s:I, s:I, s:I}", "kind",
				      reconf_kind_name(r->kind), "at_seconds", r->at_seconds,
				      "duration_ns", (json_int_t)r->duration_ns, "enter_ns",
				      (json_int_t)r->enter_ns, "locked_out_ns",
				      (json_int_t)r->locked_out_ns, "reader_waits",
				      (json_int_t)r->reader_waits, "stall_max_ns",
				      (json_int_t)r->stall_max_ns))) {
			json_decref(recent);
			recent = NULL;
		}
	}
	return json_pack("{s:I, s:o}", "total", (json_int_t)reconf_total(d), "recent", recent);
}

/* Grace periods, reclamation, the rcu_sync switch, the gate, reconfigurations. */
static json_t *rcu_json(struct routed *d, uint64_t pending_batches, uint64_t pending_bytes)
{
	struct gate_stats g;

	if (d->gate)
		gate_stats(d->gate, &g);
	return json_pack("{s:o, s:{s:I, s:I}, s:o, s:o, s:o}", "grace_periods",
			 grace_periods_json(), "reclaim", "pending_batches",
			 (json_int_t)pending_batches, "pending_bytes", (json_int_t)pending_bytes,
			 "sync", d->gate ? sync_json(&g.sync) : json_null(), "gate",
			 d->gate ? gate_json(&g) : json_null(), "reconfigurations",
			 reconfigurations_json(d));
}

static int m_stats(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = ctx(call);
	const struct routed_counters *c = &d->counters;
	uint64_t routes = 0, bytes = 0, pending_batches = 0, pending_bytes = 0;
	json_t *tables;
	uint32_t id;
	int rc;

	if (check_keys(call, params, no_keys))
		return -1;
	tables = json_array();
	if (!tables)
		return no_memory(call);
	for (rc = tables_seek(d->tables, 0, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(d->tables, id + 1, &id)) {
		struct rt_table_stats st;
		uint64_t n;
		const char *name = tables_name(d->tables, id);

		rt_table_stats(tables_get(d->tables, id), &st);
		n = st.v4.routes + st.v6.routes;
		routes += n;
		bytes += st.total_bytes;
		pending_batches += st.reclaim_pending_batches;
		pending_bytes += st.reclaim_pending_bytes;
		if (json_array_append_new(
			    tables,
			    json_pack("{s:I, s:s?, s:o, s:o, s:I, s:I, s:o, s:I}", "id",
				      (json_int_t)id, "name", name, "ipv4", family_json(&st.v4),
				      "ipv6", family_json(&st.v6), "nexthops",
				      (json_int_t)st.nexthops, "memory_bytes",
				      (json_int_t)st.total_bytes, "bytes_per_route",
				      n ? json_real((double)st.total_bytes / (double)n) : json_null(),
				      "generation", (json_int_t)st.generation))) {
			json_decref(tables);
			return no_memory(call);
		}
	}
	return result_or_nomem(
		call,
		json_pack("{s:o, s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I},"
			  " s:{s:I, s:I}, s:o, s:o?}",
			  "tables", tables, "routes", (json_int_t)routes, "memory_bytes",
			  (json_int_t)bytes, "lookups", "requests",
			  (json_int_t)__atomic_load_n(&c->lookup_requests, __ATOMIC_RELAXED),
			  "addresses",
			  (json_int_t)__atomic_load_n(&c->lookup_addresses, __ATOMIC_RELAXED),
			  "control", "requests", (json_int_t)c->control_requests, "errors",
			  (json_int_t)c->control_errors, "connections",
			  (json_int_t)c->control_connections, "connections_total",
			  (json_int_t)c->control_connections_total, "rejected",
			  (json_int_t)c->control_rejected, "reloads", (json_int_t)c->reloads,
			  "reload_failures", (json_int_t)c->reload_failures, "load_transactions",
			  (json_int_t)txn_count(d), "events", "seq",
			  (json_int_t)change_stream_seq(d->changes), "subscribers",
			  (json_int_t)change_stream_subscribers(d->changes), "rcu",
			  rcu_json(d, pending_batches, pending_bytes), "udp",
			  d->udp ? udp_stats_json(d->udp) : NULL),
		result);
}

/* route.add, route.replace, route.delete, route.get */

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

static int m_route_add(struct rpc_call *call, json_t *params, json_t **result)
{
	struct rt_change ch = { .op = RT_CHANGE_ADD };
	char prefix[RT_PREFIX_STRLEN];
	int rc;

	if (parse_route(call, params, "", NO_INDEX, NULL, 0, &ch.route))
		return -1;
	rc = routes_apply(ctx(call), ch.route.table, &ch, 1, NULL);
	if (rc == -EEXIST)
		return rpc_error(call, RPC_ALREADY_EXISTS, "prefix",
				 "%s already has a route with proto %s and metric %u",
				 rt_prefix_format(&ch.route.prefix, prefix, sizeof(prefix)),
				 ch.route.proto, ch.route.metric);
	if (rc)
		return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "cannot add the route: %s",
				 strerror(-rc));
	journal(ctx(call), persist_upsert, &ch.route, 1);
	return result_or_nomem(call, json_pack("{s:o}", "route", route_json(&ch.route)), result);
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

static int m_route_replace(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = ctx(call);
	struct rt_change ch = { .op = RT_CHANGE_REPLACE };
	struct rt_route *old = NULL;
	bool replaced = false;
	long n;
	int rc;

	if (parse_route(call, params, "", NO_INDEX, NULL, 0, &ch.route))
		return -1;
	n = get_routes(tables_get(d->tables, ch.route.table), &ch.route.prefix, &old);
	if (n < 0)
		return no_memory(call);
	for (long i = 0; i < n; i++)
		replaced |= old[i].metric == ch.route.metric && !strcmp(old[i].proto, ch.route.proto);
	free(old);
	rc = routes_apply(d, ch.route.table, &ch, 1, NULL);
	if (rc)
		return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "cannot replace the route: %s",
				 strerror(-rc));
	journal(d, persist_upsert, &ch.route, 1);
	return result_or_nomem(call,
			       json_pack("{s:o, s:b}", "route", route_json(&ch.route), "replaced",
					 replaced),
			       result);
}

static int m_route_delete(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "prefix", "table", "proto", "metric", NULL };
	struct routed *d = ctx(call);
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
	int rc = -1;

	if (check_keys(call, params, keys) || require(call, params, "prefix") ||
	    get_prefix(call, params, "prefix", &p, NULL) ||
	    get_table(call, params, "table", &table, &given) ||
	    get_proto(call, params, "proto", &proto) ||
	    get_uint(call, params, "metric", 0, UINT32_MAX, &metric, &has_metric))
		return -1;
	count = get_routes(tables_get(d->tables, table), &p, &routes);
	if (count < 0) {
		no_memory(call);
		goto out;
	}
	changes = malloc(((size_t)count ? (size_t)count : 1) * sizeof(*changes));
	deleted = json_array();
	if (!changes || !deleted) {
		no_memory(call);
		goto out;
	}
	for (long i = 0; i < count; i++) {
		if ((proto && strcmp(routes[i].proto, proto)) ||
		    (has_metric && routes[i].metric != metric))
			continue;
		changes[n].op = RT_CHANGE_DELETE;
		changes[n++].route = routes[i];
		if (json_array_append_new(deleted, route_json(&routes[i]))) {
			no_memory(call);
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
	rc = *result ? 0 : no_memory(call);
out:
	json_decref(deleted);
	free(changes);
	free(routes);
	return rc;
}

static int m_route_get(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "prefix", "table", NULL };
	struct routed *d = ctx(call);
	uint32_t table = RT_TABLE_MAIN;
	struct rt_route *routes = NULL;
	struct rt_prefix p;
	char text[RT_PREFIX_STRLEN];
	json_t *list;
	bool given;
	long n;

	if (check_keys(call, params, keys) || require(call, params, "prefix") ||
	    get_prefix(call, params, "prefix", &p, NULL) ||
	    get_table(call, params, "table", &table, &given))
		return -1;
	n = get_routes(tables_get(d->tables, table), &p, &routes);
	if (n < 0)
		return no_memory(call);
	if (!n)
		return rpc_error(call, RPC_NOT_FOUND, "prefix", "no route for %s in table %u",
				 rt_prefix_format(&p, text, sizeof(text)), table);
	list = json_array();
	for (long i = 0; list && i < n; i++) {
		if (json_array_append_new(list, route_json(&routes[i]))) {
			json_decref(list);
			list = NULL;
		}
	}
	free(routes);
	if (!list)
		return no_memory(call);
	return result_or_nomem(call, json_pack("{s:o}", "routes", list), result);
}

/* route.lookup */

static int m_route_lookup(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "addresses", "table", NULL };
	struct routed *d = ctx(call);
	uint32_t table = RT_TABLE_MAIN;
	struct rt_lookup_result *found = NULL;
	struct rt_addr *addrs = NULL;
	json_t *v, *list = NULL;
	size_t n;
	bool given;
	int rc = -1;

	if (check_keys(call, params, keys) || require(call, params, "addresses") ||
	    get_table(call, params, "table", &table, &given))
		return -1;
	v = param(params, "addresses");
	if (!json_is_array(v))
		return rpc_error(call, RPC_INVALID_PARAMS, "addresses",
				 "addresses must be an array of address strings");
	n = json_array_size(v);
	if (n > METHODS_LOOKUP_MAX)
		return rpc_error(call, RPC_TOO_LARGE, "addresses",
				 "%zu addresses: at most %d per call", n, METHODS_LOOKUP_MAX);
	addrs = malloc((n ? n : 1) * sizeof(*addrs));
	found = malloc((n ? n : 1) * sizeof(*found));
	list = json_array();
	if (!addrs || !found || !list) {
		no_memory(call);
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
	/* Counted like the lookup path's batches (workers add theirs atomically). */
	__atomic_add_fetch(&d->counters.lookup_requests, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&d->counters.lookup_addresses, n, __ATOMIC_RELAXED);
	for (size_t i = 0; i < n; i++) {
		char addr[RT_ADDR_STRLEN], prefix[RT_PREFIX_STRLEN];

		rt_addr_format(&addrs[i], addr, sizeof(addr));
		if (found[i].found)
			rt_prefix_format(&found[i].route.prefix, prefix, sizeof(prefix));
		if (json_array_append_new(
			    list, json_pack("{s:s, s:s?, s:o}", "address", addr, "prefix",
					    found[i].found ? prefix : NULL, "route",
					    found[i].found ? route_json(&found[i].route) :
							     json_null()))) {
			no_memory(call);
			goto out;
		}
	}
	*result = json_pack("{s:O}", "results", list);
	rc = *result ? 0 : no_memory(call);
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
	if (w->scanned == METHODS_LIST_SCAN)
		return LIST_MORE;	/* enough work for one page */
	w->scanned++;
	if ((!w->proto || !strcmp(r->proto, w->proto)) &&
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

static int m_route_list(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "table", "family", "within", "contains",
					    "proto", "limit", "cursor", NULL };
	struct routed *d = ctx(call);
	struct list_walk w = { 0 };
	struct rt_prefix contains_p;
	struct list_pos cursor;
	uint64_t limit = METHODS_LIST_DEFAULT;
	uint32_t only_table = 0, id;
	bool has_table, has_cursor = false;
	char cursor_text[128];
	int family, rc = 0;
	json_t *v;

	if (check_keys(call, params, keys) ||
	    get_table(call, params, "table", &only_table, &has_table) ||
	    get_family(call, params, &family) ||
	    get_prefix(call, params, "within", &w.within_p, &w.within) ||
	    get_prefix(call, params, "contains", &contains_p, &w.contains) ||
	    get_proto(call, params, "proto", &w.proto) ||
	    get_uint(call, params, "limit", 1, METHODS_LIST_MAX, &limit, NULL))
		return -1;
	v = param(params, "cursor");
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
		return no_memory(call);
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
			return no_memory(call);
		}
	}
done:
	if (rc == LIST_MORE && w.have_pos)
		cursor_format(&w.pos, cursor_text, sizeof(cursor_text));
	else if (rc == LIST_MORE && has_cursor)
		cursor_format(&cursor, cursor_text, sizeof(cursor_text));
	return result_or_nomem(call,
			       json_pack("{s:o, s:s?}", "routes", w.routes, "cursor",
					 rc == LIST_MORE ? cursor_text : NULL),
			       result);
}

/* route.flush */

static int m_route_flush(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "table", "family", "proto", NULL };
	struct routed *d = ctx(call);
	const char *proto;
	uint32_t table = 0, id;
	bool has_table;
	int family, rc;
	uint64_t total = 0;

	if (check_keys(call, params, keys) || get_table(call, params, "table", &table, &has_table) ||
	    get_family(call, params, &family) || get_proto(call, params, "proto", &proto))
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
	return result_or_nomem(call, json_pack("{s:I}", "deleted", (json_int_t)total), result);
}

/* route.load and transactions */

static int load_error(struct rpc_call *call, int rc, const struct load_result *res,
		      const char *err)
{
	int code = rc == -EINVAL ? RPC_INVALID_PARAMS :
		   rc == -ENOENT ? RPC_NOT_FOUND : RPC_INTERNAL_ERROR;

	return rpc_error(call, code, res->error_field[0] ? res->error_field : NULL, "%s", err);
}

static int load_result_json(struct rpc_call *call, struct load_result *res, bool dry_run,
			    json_t **result)
{
	json_t *out = json_pack("{s:I, s:I, s:I, s:I, s:b}", "added", (json_int_t)res->added,
				"replaced", (json_int_t)res->replaced, "deleted",
				(json_int_t)res->deleted, "unchanged", (json_int_t)res->unchanged,
				"dry_run", dry_run);

	if (out && dry_run) {
		/* diff_limit 0: an empty diff, truncated if anything would change. */
		bool truncated = res->diff ? res->diff_truncated :
				 res->added + res->replaced + res->deleted > 0;
		json_t *diff = res->diff ? json_incref(res->diff) : json_array();

		if (json_object_set_new(out, "diff", diff) ||
		    json_object_set_new(out, "diff_truncated", json_boolean(truncated))) {
			json_decref(out);
			out = NULL;
		}
	}
	load_result_release(res);
	return result_or_nomem(call, out, result);
}

static int get_load_options(struct rpc_call *call, json_t *params, bool *dry_run,
			    size_t *diff_limit)
{
	uint64_t limit = METHODS_DIFF_DEFAULT;

	*dry_run = false;
	if (get_bool(call, params, "dry_run", dry_run) ||
	    get_uint(call, params, "diff_limit", 0, METHODS_DIFF_MAX, &limit, NULL))
		return -1;
	*diff_limit = *dry_run ? (size_t)limit : 0;
	return 0;
}

static int m_route_load(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "routes", "lines", "replace", "table", "dry_run",
					    "diff_limit", NULL };
	struct routed *d = ctx(call);
	struct load_request req = { 0 };
	struct load_result res;
	struct rt_route *routes = NULL;
	uint32_t table, *replace = NULL;
	bool has_table, do_replace = false;
	char err[512];
	int rc;

	if (check_keys(call, params, keys) || get_bool(call, params, "replace", &do_replace) ||
	    get_table(call, params, "table", &table, &has_table) ||
	    get_load_options(call, params, &req.dry_run, &req.diff_limit) ||
	    parse_routes(call, params, has_table ? &table : NULL, 0, &routes, &req.n_routes,
			 &req.routes_name))
		return -1;
	req.routes = routes;
	if (do_replace) {
		replace = load_replace_tables(routes, req.n_routes, has_table ? &table : NULL,
					      &req.n_replace_tables);
		if (!replace) {
			free(routes);
			return no_memory(call);
		}
		req.replace_tables = replace;
	}
	rc = load_apply(d, &req, &res, err, sizeof(err));
	if (!rc && !req.dry_run && d->persist)
		persist_load(d->persist, replace, req.n_replace_tables, NULL, 0, routes, req.n_routes);
	free(routes);
	free(replace);
	if (rc) {
		load_result_release(&res);
		return load_error(call, rc, &res, err);
	}
	return load_result_json(call, &res, req.dry_run, result);
}

static int m_load_begin(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "replace", "table", NULL };
	struct txn *txn;
	uint32_t table;
	bool has_table, replace = false;
	char err[256];
	int rc;

	if (check_keys(call, params, keys) || get_bool(call, params, "replace", &replace) ||
	    get_table(call, params, "table", &table, &has_table))
		return -1;
	rc = txn_begin(ctx(call), rpc_call_conn(call), replace, has_table ? &table : NULL, &txn,
		       err, sizeof(err));
	if (rc)
		return rpc_error(call, rc == -EBUSY ? RPC_BUSY : RPC_INTERNAL_ERROR, NULL, "%s",
				 err);
	return result_or_nomem(call, json_pack("{s:I}", "txn", (json_int_t)txn_id(txn)),
			       result);
}

static int get_txn(struct rpc_call *call, json_t *params, struct txn **txn)
{
	uint64_t id = 0;

	if (require(call, params, "txn") ||
	    get_uint(call, params, "txn", 1, UINT64_MAX >> 1, &id, NULL))
		return -1;
	*txn = txn_get(ctx(call), rpc_call_conn(call), id);
	if (!*txn)
		return rpc_error(call, RPC_NOT_FOUND, "txn",
				 "no load transaction %llu on this connection",
				 (unsigned long long)id);
	return 0;
}

static int m_load_add(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "txn", "routes", "lines", NULL };
	struct rt_route *routes;
	struct txn *txn;
	const char *name;
	uint32_t table;
	bool has_table;
	size_t n;
	int rc;

	if (check_keys(call, params, keys) || get_txn(call, params, &txn))
		return -1;
	has_table = txn_table(txn, &table);
	if (parse_routes(call, params, has_table ? &table : NULL, txn_chunks(txn) + 1,
			 &routes, &n, &name))
		return -1;
	rc = txn_stage(txn, routes, n, name);
	free(routes);
	if (rc == -E2BIG)
		return rpc_error(call, RPC_TOO_LARGE, name,
				 "chunk %u: staging %zu more routes would pass the limit of %u "
				 "per transaction (%zu staged)",
				 txn_chunks(txn) + 1, n, TXN_MAX_ROUTES,
				 txn_staged(txn));
	if (rc)
		return no_memory(call);
	return result_or_nomem(call, json_pack("{s:I}", "staged", (json_int_t)txn_staged(txn)),
			       result);
}

static int m_load_commit(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "txn", "dry_run", "diff_limit", NULL };
	struct load_result res;
	struct txn *txn;
	size_t diff_limit;
	bool dry_run;
	char err[768];
	int rc;

	if (check_keys(call, params, keys) || get_txn(call, params, &txn) ||
	    get_load_options(call, params, &dry_run, &diff_limit))
		return -1;
	rc = txn_commit(ctx(call), txn, dry_run, diff_limit, &res, err, sizeof(err));
	if (rc) {
		load_result_release(&res);
		return load_error(call, rc, &res, err);
	}
	return load_result_json(call, &res, dry_run, result);
}

static int m_load_abort(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "txn", NULL };
	struct txn *txn;

	if (check_keys(call, params, keys) || get_txn(call, params, &txn))
		return -1;
	txn_abort(txn);
	return result_or_nomem(call, json_object(), result);
}

/* table.* */

static int m_table_list(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = ctx(call);
	json_t *list;
	uint32_t id;
	int rc;

	if (check_keys(call, params, no_keys))
		return -1;
	list = json_array();
	if (!list)
		return no_memory(call);
	for (rc = tables_seek(d->tables, 0, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(d->tables, id + 1, &id)) {
		struct rt_table_stats st;

		rt_table_stats(tables_get(d->tables, id), &st);
		if (json_array_append_new(list, json_pack("{s:I, s:s?, s:I, s:I}", "id",
							  (json_int_t)id, "name",
							  tables_name(d->tables, id),
							  "ipv4_routes", (json_int_t)st.v4.routes,
							  "ipv6_routes",
							  (json_int_t)st.v6.routes))) {
			json_decref(list);
			return no_memory(call);
		}
	}
	return result_or_nomem(call, json_pack("{s:o}", "tables", list), result);
}

static int m_table_create(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "id", "name", NULL };
	struct routed *d = ctx(call);
	const char *name = NULL;
	uint32_t other;
	uint64_t id = 0;
	json_t *v;
	int rc;

	if (check_keys(call, params, keys) || require(call, params, "id") ||
	    get_uint(call, params, "id", 1, UINT32_MAX, &id, NULL))
		return -1;
	v = param(params, "name");
	if (v) {
		if (!json_is_string(v) || !tables_name_valid(json_string_value(v)))
			return rpc_error(call, RPC_INVALID_PARAMS, "name",
					 "name must be 1..%d of [A-Za-z0-9_.-], not all digits",
					 TABLES_NAME_MAX);
		name = json_string_value(v);
	}
	if (tables_get(d->tables, (uint32_t)id))
		return rpc_error(call, RPC_ALREADY_EXISTS, "id", "table %llu exists",
				 (unsigned long long)id);
	if (name && !tables_resolve(name, &other, d->tables))
		return rpc_error(call, RPC_ALREADY_EXISTS, "name", "table %u is named '%s'", other,
				 name);
	rc = routes_create_table(d, (uint32_t)id, name);
	if (rc == -ENOSPC)
		return rpc_error(call, RPC_TOO_LARGE, "id", "cannot create table %llu: %d tables "
				 "exist, the most routed keeps", (unsigned long long)id, TABLES_MAX);
	if (rc)
		return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "cannot create table %llu: %s",
				 (unsigned long long)id, strerror(-rc));
	if (d->persist)
		persist_table(d->persist, true, (uint32_t)id, name);
	return result_or_nomem(call,
			       json_pack("{s:{s:I, s:s?}}", "table", "id", (json_int_t)id, "name",
					 name),
			       result);
}

static int m_table_delete(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "table", NULL };
	uint32_t table;
	bool given;
	long n;

	if (check_keys(call, params, keys) || require(call, params, "table") ||
	    get_table(call, params, "table", &table, &given))
		return -1;
	if (table == RT_TABLE_MAIN)
		return rpc_error(call, RPC_INVALID_PARAMS, "table", "table main cannot be deleted");
	n = routes_drop_table(ctx(call), table);
	if (n < 0)
		return rpc_error(call, RPC_INTERNAL_ERROR, NULL, "cannot delete table %u: %s",
				 table, strerror((int)-n));
	if (ctx(call)->persist)
		persist_table(ctx(call)->persist, false, table, NULL);
	return result_or_nomem(call, json_pack("{s:I}", "deleted_routes", (json_int_t)n), result);
}

/* config.* */

static int m_config_get(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = ctx(call);
	json_t *config;

	if (check_keys(call, params, no_keys))
		return -1;
	config = routed_config_to_json(d->config);
	if (!config)
		return no_memory(call);
	return result_or_nomem(call,
			       json_pack("{s:o, s:s?}", "config", config, "path", d->config_path),
			       result);
}

static int m_config_reload(struct rpc_call *call, json_t *params, json_t **result)
{
	char err[512];

	if (check_keys(call, params, no_keys))
		return -1;
	if (routed_reload(ctx(call), err, sizeof(err)))
		return rpc_error(call, RPC_INVALID_PARAMS, NULL, "%s", err);
	return result_or_nomem(call, json_pack("{s:b}", "reloaded", 1), result);
}

/* subscribe, unsubscribe */

static int m_subscribe(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "tables", "snapshot", NULL };
	struct routed *d = ctx(call);
	uint32_t *ids = NULL;
	bool snapshot = false;
	uint64_t id;
	size_t n = 0;
	json_t *v;

	if (check_keys(call, params, keys) || get_bool(call, params, "snapshot", &snapshot))
		return -1;
	v = param(params, "tables");
	if (v) {
		if (!json_is_array(v) || !json_array_size(v))
			return rpc_error(call, RPC_INVALID_PARAMS, "tables",
					 "tables must be a non-empty array of table ids or names");
		ids = malloc(json_array_size(v) * sizeof(*ids));
		if (!ids)
			return no_memory(call);
		for (n = 0; n < json_array_size(v); n++) {
			char field[32];

			snprintf(field, sizeof(field), "tables[%zu]", n);
			if (resolve_table(call, json_array_get(v, n), field, &ids[n])) {
				free(ids);
				return -1;
			}
		}
	}
	if (change_stream_subscribe(d->changes, rpc_call_conn(call), ids, n, snapshot, d->tables, d->base,
			     &id)) {
		free(ids);
		return no_memory(call);
	}
	free(ids);
	return result_or_nomem(call,
			       json_pack("{s:I, s:I}", "subscription", (json_int_t)id, "seq",
					 (json_int_t)change_stream_seq(d->changes)),
			       result);
}

static int m_unsubscribe(struct rpc_call *call, json_t *params, json_t **result)
{
	static const char *const keys[] = { "subscription", NULL };
	uint64_t id = 0;

	if (check_keys(call, params, keys) || require(call, params, "subscription") ||
	    get_uint(call, params, "subscription", 1, UINT64_MAX >> 1, &id, NULL))
		return -1;
	if (change_stream_unsubscribe(ctx(call)->changes, rpc_call_conn(call), id))
		return rpc_error(call, RPC_NOT_FOUND, "subscription",
				 "no subscription %llu on this connection",
				 (unsigned long long)id);
	return result_or_nomem(call, json_object(), result);
}

/* The table. Schemas follow docs/control-protocol.md. */
const struct rpc_method rpc_methods[] = {
	{ "methods", "List the methods with their params schemas", NO_PARAMS, false, m_methods, false },
	{ "ping", "Check that routed answers", NO_PARAMS, false, m_ping, false },
	{ "info", "Version, process and runtime facts", NO_PARAMS, false, m_info, false },
	{ "stats", "Route counts, memory and counters", NO_PARAMS, false, m_stats, false },
	{ "route.add", "Add a route; fails if its (prefix, proto, metric) exists", ROUTE_SCHEMA,
	  true, m_route_add, true },
	{ "route.replace", "Add a route or replace the one with its (prefix, proto, metric)",
	  ROUTE_SCHEMA, true, m_route_replace, true },
	{ "route.delete", "Delete the routes of a prefix that match proto and metric",
	  OBJECT(P_PREFIX ", " P_TABLE ", " P_PROTO ", \"metric\": " U32, "\"prefix\""), true,
	  m_route_delete, true },
	{ "route.get", "The routes of exactly one prefix, best first",
	  OBJECT(P_PREFIX ", " P_TABLE, "\"prefix\""), false, m_route_get, false },
	{ "route.lookup", "Longest-prefix match of up to 65536 addresses",
	  OBJECT(JSON_TEXT("addresses": {"type": "array", "items": {"type": "string"},
					 "maxItems": 65536}) ", " P_TABLE,
		 "\"addresses\""),
	  false, m_route_lookup, false },
	{ "route.list", "List routes by page, with filters",
	  OBJECT(P_TABLE ", " P_FAMILY ", " P_PROTO ", "
		 JSON_TEXT("within": {"type": "string"}, "contains": {"type": "string"},
			   "limit": {"type": "integer", "minimum": 1, "maximum": 10000},
			   "cursor": {"type": ["string", "null"]}),
		 ""),
	  false, m_route_list, false },
	{ "route.flush", "Delete every route of the tables, family and proto given",
	  OBJECT(P_TABLE ", " P_FAMILY ", " P_PROTO, ""), true, m_route_flush, true },
	{ "route.load", "Apply many routes atomically (merge or replace)",
	  OBJECT_WITH_ROUTES(P_BOOL("replace") ", " P_TABLE ", " P_LOAD_OPTIONS, ""),
	  true, m_route_load, true },
	{ "load.begin", "Open a load transaction on this connection",
	  OBJECT(P_BOOL("replace") ", " P_TABLE, ""), true, m_load_begin, false },
	{ "load.add", "Stage a chunk of routes in a load transaction",
	  OBJECT_WITH_ROUTES(P_TXN, "\"txn\""), true, m_load_add, false },
	{ "load.commit", "Apply a load transaction atomically",
	  OBJECT(P_TXN ", " P_LOAD_OPTIONS, "\"txn\""), true, m_load_commit, true },
	{ "load.abort", "Drop a load transaction", OBJECT(P_TXN, "\"txn\""), true, m_load_abort, false },
	{ "table.list", "The tables and their route counts", NO_PARAMS, false, m_table_list, false },
	{ "table.create", "Create a table",
	  OBJECT(JSON_TEXT("id": {"type": "integer", "minimum": 1, "maximum": 4294967295},
			   "name": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,31}$"}),
		 "\"id\""),
	  true, m_table_create, true },
	{ "table.delete", "Delete a table and its routes", OBJECT(P_TABLE, "\"table\""), true,
	  m_table_delete, true },
	{ "config.get", "The configuration in effect", NO_PARAMS, false, m_config_get, false },
	{ "config.reload", "Reload the configuration file", NO_PARAMS, true, m_config_reload, false },
	{ "subscribe", "Receive route changes as route.event notifications",
	  OBJECT("\"tables\": {\"type\": \"array\", \"items\": " TABLE_REF
		 ", \"minItems\": 1}, " P_BOOL("snapshot"),
		 ""),
	  false, m_subscribe, false },
	{ "unsubscribe", "Stop a subscription",
	  OBJECT(JSON_TEXT("subscription": {"type": "integer", "minimum": 1}),
		 "\"subscription\""),
	  false, m_unsubscribe, false },
};

const size_t rpc_methods_count = sizeof(rpc_methods) / sizeof(rpc_methods[0]);

const struct rpc_method *methods_find(const char *name)
{
	for (size_t i = 0; i < rpc_methods_count; i++)
		if (!strcmp(rpc_methods[i].name, name))
			return &rpc_methods[i];
	return NULL;
}

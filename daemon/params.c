/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Method params (see params.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/route_json.h>
#include <routed/routefile.h>

#include "daemon.h"
#include "params.h"
#include "tables.h"

int params_none(struct rpc_call *call, json_t *params)
{
	static const char *const none[] = { NULL };

	return params_keys(call, params, none);
}

int params_keys(struct rpc_call *call, json_t *params, const char *const *allowed)
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

json_t *params_get(json_t *params, const char *key)
{
	json_t *v = json_object_get(params, key);

	return json_is_null(v) ? NULL : v;
}

int params_bool(struct rpc_call *call, json_t *params, const char *key, bool *out)
{
	json_t *v = params_get(params, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return rpc_error(call, RPC_INVALID_PARAMS, key, "%s must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

int params_uint(struct rpc_call *call, json_t *params, const char *key, uint64_t min,
		uint64_t max, uint64_t *out, bool *given)
{
	json_t *v = params_get(params, key);

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

int params_require(struct rpc_call *call, json_t *params, const char *key)
{
	if (!params_get(params, key))
		return rpc_error(call, RPC_INVALID_PARAMS, key, "%s is required", key);
	return 0;
}

int params_table_ref(struct rpc_call *call, json_t *v, const char *field, uint32_t *id)
{
	struct routed *d = rpc_call_daemon(call);
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

int params_table(struct rpc_call *call, json_t *params, const char *key, uint32_t *id,
		 bool *given)
{
	json_t *v = params_get(params, key);

	*given = v != NULL;
	return v ? params_table_ref(call, v, key, id) : 0;
}

int params_prefix(struct rpc_call *call, json_t *params, const char *key,
		  struct rt_prefix *p, bool *given)
{
	json_t *v = params_get(params, key);
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

int params_proto(struct rpc_call *call, json_t *params, const char *key, const char **out)
{
	json_t *v = params_get(params, key);

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

int params_type(struct rpc_call *call, json_t *params, const char *key, int *out)
{
	json_t *v = params_get(params, key);
	uint8_t type;

	*out = -1;
	if (!v)
		return 0;
	if (!json_is_string(v) || rt_route_type_parse(json_string_value(v), &type))
		return rpc_error(call, RPC_INVALID_PARAMS, key,
				 "%s must be unicast, blackhole, unreachable or prohibit", key);
	*out = type;
	return 0;
}

int params_family(struct rpc_call *call, json_t *params, int *family)
{
	json_t *v = params_get(params, "family");

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

/*
 * The error for the route at key[index] in a list ("routes[3]"), or for the
 * params themselves (index PARAMS_NO_INDEX, no key): the field is key[index] plus
 * the route's own field, the message says where (chunk: 0, or the load.add
 * chunk the route is in). Formatted only on error: a load decodes millions.
 */
static int route_error(struct rpc_call *call, int rc, const struct rt_json_error *jerr,
		       const char *key, size_t index, unsigned chunk)
{
	char where[192], name[128], field[48];

	if (index == PARAMS_NO_INDEX)
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
	if (!tables_get(rpc_call_daemon(call)->tables, r->table)) {
		snprintf(jerr->field, sizeof(jerr->field), "table");
		snprintf(jerr->message, sizeof(jerr->message), "no table %u", r->table);
		return -ENOENT;
	}
	return 0;
}

int params_route(struct rpc_call *call, json_t *obj, const char *key, size_t index,
		 const uint32_t *table, unsigned chunk, struct rt_route *r)
{
	struct rt_json_error jerr;
	int rc;

	rc = rt_route_from_json(obj, r, tables_resolve, rpc_call_daemon(call)->tables, &jerr);
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
		return rpc_nomem(call);
	if (rc == 0) {
		snprintf(jerr.message, sizeof(jerr.message), "no route on the line");
		rc = -EINVAL;
	} else if (rc > 0) {
		rc = route_table(call, r, r->table != RT_TABLE_MAIN, table, &jerr);
	}
	return rc ? route_error(call, rc, &jerr, key, index, chunk) : 0;
}

int params_routes(struct rpc_call *call, json_t *params, const uint32_t *table,
		  unsigned chunk, struct rt_route **out, size_t *n, const char **name)
{
	json_t *objects = params_get(params, "routes"), *lines = params_get(params, "lines");
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
		return rpc_nomem(call);
	for (i = 0; i < json_array_size(v); i++) {
		if (lines)
			rc = parse_route_line(call, json_array_get(v, i), key, i, table, chunk,
					      &routes[i]);
		else
			rc = params_route(call, json_array_get(v, i), key, i, table, chunk,
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

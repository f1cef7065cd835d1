/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <routed/nhgroup.h>
#include <routed/route_json.h>

__attribute__((format(printf, 3, 4)))
static int fail(struct rt_json_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		snprintf(err->field, sizeof(err->field), "%s", field);
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

json_t *rt_nexthop_to_json(const struct rt_nexthop *h)
{
	char via[RT_ADDR_STRLEN];

	if (h->gateway.family)
		rt_addr_format(&h->gateway, via, sizeof(via));
	return json_pack("{s:s?, s:s?, s:i}", "via", h->gateway.family ? via : NULL,
			 "dev", h->dev[0] ? h->dev : NULL, "weight", (int)h->weight);
}

static json_t *nexthops_to_json(const struct rt_nhgroup *g)
{
	json_t *list = json_array();

	for (uint32_t i = 0; list && i < g->count; i++) {
		if (json_array_append_new(list, rt_nexthop_to_json(&g->hop[i]))) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

json_t *rt_route_to_json(const struct rt_route *r)
{
	char prefix[RT_PREFIX_STRLEN], via[RT_ADDR_STRLEN];
	json_t *obj;

	rt_prefix_format(&r->prefix, prefix, sizeof(prefix));
	if (r->gateway.family)
		rt_addr_format(&r->gateway, via, sizeof(via));
	obj = json_pack("{s:I, s:s, s:s, s:I, s:s, s:o}",
			"table", (json_int_t)r->table,
			"prefix", prefix,
			"type", rt_route_type_name(r->type),
			"metric", (json_int_t)r->metric,
			"proto", r->proto,
			"tag", r->has_tag ? json_integer(r->tag) : json_null());
	if (!obj)
		return NULL;
	/*
	 * A multipath route has no via or dev (absent, not null: null says
	 * "no gateway", which would misdescribe it to a reader that knows no
	 * nexthops).
	 */
	if (r->nexthops ? json_object_set_new(obj, "nexthops", nexthops_to_json(r->nexthops)) :
			  json_object_set_new(obj, "via", r->gateway.family ? json_string(via) :
									       json_null()) ||
				  json_object_set_new(obj, "dev", r->dev[0] ? json_string(r->dev) :
									      json_null())) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

int rt_json_u32(const json_t *v, uint32_t *out)
{
	json_int_t i;

	if (!json_is_integer(v))
		return -EINVAL;
	i = json_integer_value(v);
	if (i < 0 || i > (json_int_t)UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)i;
	return 0;
}

int rt_table_from_json(const json_t *v, uint32_t *id, rt_table_resolve_fn resolve, void *arg,
		       struct rt_json_error *err)
{
	if (json_is_integer(v)) {
		if (rt_json_u32(v, id))
			return fail(err, "table", "table id must be 0..4294967295");
		return 0;
	}
	if (json_is_string(v) && resolve) {
		int rc = resolve(json_string_value(v), id, arg);

		if (rc == -ENOENT) {
			fail(err, "table", "no table named '%s'", json_string_value(v));
			return -ENOENT;
		}
		if (rc)
			return fail(err, "table", "invalid table '%s'", json_string_value(v));
		return 0;
	}
	return fail(err, "table", resolve ? "table must be an id or a name" :
					    "table must be an id");
}

/* A string member or absent/null; -EINVAL if present with another type. */
static int opt_string(const json_t *obj, const char *key, const char **out, struct rt_json_error *err)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return fail(err, key, "%s must be a string", key);
	*out = json_string_value(v);
	return 0;
}

static int opt_u32(const json_t *obj, const char *key, bool *present, uint32_t *out,
		   struct rt_json_error *err)
{
	const json_t *v = json_object_get(obj, key);

	*present = false;
	if (!v || json_is_null(v))
		return 0;
	if (rt_json_u32(v, out))
		return fail(err, key, "%s must be an integer 0..4294967295", key);
	*present = true;
	return 0;
}

static const char *const route_keys[] = { "table", "prefix", "type", "via", "dev", "metric",
					  "proto", "tag", "nexthops" };
static const char *const nexthop_keys[] = { "via", "dev", "weight" };

/* Whether every key of obj is one of keys[0..n); else fails naming it. */
static int known_keys(json_t *obj, const char *const *keys, size_t n, const char *where,
		      struct rt_json_error *err)
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value) {
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(key, keys[i]))
				break;
		if (i == n) {
			char field[64];

			snprintf(field, sizeof(field), "%s%s", where, key);
			return fail(err, field, "unknown %s field '%s'",
				    *where ? "next hop" : "route", key);
		}
	}
	return 0;
}

/* nexthops[i] into *h (the route's prefix is set). */
static int nexthop_from_json(json_t *obj, size_t i, struct rt_nexthop *h,
			     struct rt_json_error *err)
{
	char where[32], field[64], msg[RT_ERR_LEN];
	const char *via, *dev;
	const json_t *w;

	snprintf(where, sizeof(where), "nexthops[%zu].", i);
	if (!json_is_object(obj))
		return fail(err, "nexthops", "nexthops[%zu] must be an object", i);
	if (known_keys(obj, nexthop_keys, 3, where, err))
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->weight = 1;
	snprintf(field, sizeof(field), "%svia", where);
	if (opt_string(obj, "via", &via, err))
		return fail(err, field, "%s must be a string", field);
	if (via && rt_addr_parse(via, &h->gateway, msg, sizeof(msg)))
		return fail(err, field, "%s", msg);
	snprintf(field, sizeof(field), "%sdev", where);
	if (opt_string(obj, "dev", &dev, err))
		return fail(err, field, "%s must be a string", field);
	if (dev && strlen(dev) >= sizeof(h->dev))
		return fail(err, field, "device name '%s' is longer than %zu characters", dev,
			    sizeof(h->dev) - 1);
	if (dev)
		strcpy(h->dev, dev);
	w = json_object_get(obj, "weight");
	if (w && !json_is_null(w)) {
		json_int_t v = json_is_integer(w) ? json_integer_value(w) : 0;

		snprintf(field, sizeof(field), "%sweight", where);
		if (v < 1 || v > RT_WEIGHT_MAX)
			return fail(err, field, "%s must be an integer 1..%u", field,
				    RT_WEIGHT_MAX);
		h->weight = (uint16_t)v;
	}
	return 0;
}

/* "nexthops": 1..64 next hops for r (whose via and dev are absent). */
static int nexthops_from_json(json_t *list, struct rt_route *r, struct rt_json_error *err)
{
	struct rt_nexthop hop[RT_NEXTHOPS_MAX];
	char msg[RT_ERR_LEN];
	size_t n;
	int rc;

	if (!json_is_array(list))
		return fail(err, "nexthops", "nexthops must be an array of next hops");
	n = json_array_size(list);
	if (n < 1 || n > RT_NEXTHOPS_MAX)
		return fail(err, "nexthops", "a route has 1 to %u next hops", RT_NEXTHOPS_MAX);
	for (size_t i = 0; i < n; i++)
		if (nexthop_from_json(json_array_get(list, i), i, &hop[i], err))
			return -EINVAL;
	rc = rt_route_set_nexthops(r, hop, n, msg, sizeof(msg));
	if (rc == -ENOMEM)
		return fail(err, "nexthops", "%s", strerror(ENOMEM));
	return rc ? fail(err, "nexthops", "%s", msg) : 0;
}

int rt_route_from_json(json_t *obj, struct rt_route *r, rt_table_resolve_fn resolve,
		       void *arg, struct rt_json_error *err)
{
	const char *prefix, *type, *via, *dev, *proto;
	char msg[RT_ERR_LEN];
	json_t *value;
	bool present;
	int rc;

	if (!json_is_object(obj))
		return fail(err, "", "a route must be an object");
	if (known_keys(obj, route_keys, sizeof(route_keys) / sizeof(route_keys[0]), "", err))
		return -EINVAL;
	rt_route_init(r);

	if (opt_string(obj, "prefix", &prefix, err))
		return -EINVAL;
	if (!prefix)
		return fail(err, "prefix", "prefix is required");
	if (rt_prefix_parse(prefix, &r->prefix, msg, sizeof(msg)))
		return fail(err, "prefix", "%s", msg);

	value = json_object_get(obj, "table");
	if (value && !json_is_null(value)) {
		rc = rt_table_from_json(value, &r->table, resolve, arg, err);
		if (rc)
			return rc;
	}

	/* Absent or null: unicast, as every route was before types. */
	if (opt_string(obj, "type", &type, err))
		return -EINVAL;
	if (type && rt_route_type_parse(type, &r->type))
		return fail(err, "type",
			    "unknown route type '%s' (unicast, blackhole, unreachable or prohibit)",
			    type);

	if (opt_string(obj, "via", &via, err))
		return -EINVAL;
	if (via && rt_addr_parse(via, &r->gateway, msg, sizeof(msg)))
		return fail(err, "via", "%s", msg);

	if (opt_string(obj, "dev", &dev, err))
		return -EINVAL;
	if (dev) {
		if (strlen(dev) >= sizeof(r->dev))
			return fail(err, "dev", "device name '%s' is longer than %zu characters",
				    dev, sizeof(r->dev) - 1);
		strcpy(r->dev, dev);
	}

	if (opt_u32(obj, "metric", &present, &r->metric, err))
		return -EINVAL;

	if (opt_string(obj, "proto", &proto, err))
		return -EINVAL;
	if (proto) {
		if (strlen(proto) >= sizeof(r->proto) || rt_proto_validate(proto))
			return fail(err, "proto", "invalid protocol name '%s'", proto);
		strcpy(r->proto, proto);
	}

	if (opt_u32(obj, "tag", &r->has_tag, &r->tag, err))
		return -EINVAL;

	value = json_object_get(obj, "nexthops");
	if (value && !json_is_null(value)) {
		if (via || dev)
			return fail(err, via ? "via" : "dev",
				    "a route has via/dev or nexthops, not both");
		if (rt_route_type_rejects(r->type))
			return fail(err, "nexthops", "%s %s route has no next hops",
				    rt_route_type_article(r->type), rt_route_type_name(r->type));
		rc = nexthops_from_json(value, r, err);
		if (rc)
			return rc;
	}

	/* Name the field that a rejecting route must not have. */
	if (rt_route_type_rejects(r->type) && (via || (dev && *dev)))
		return fail(err, via ? "via" : "dev", "%s %s route has no via or dev",
			    rt_route_type_article(r->type), rt_route_type_name(r->type));
	if (rt_route_validate(r, msg, sizeof(msg))) {
		/* Name the field the message is about when it is obvious. */
		const char *field = strstr(msg, "gateway") || strstr(msg, "via") ? "via" :
				    strstr(msg, "dev") ? "dev" : "";
		return fail(err, field, "%s", msg);
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ExaBGP's JSON API lines as plain structures (routed/exabgp.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include <routed/exabgp.h>

/* Nesting ExaBGP's lines never exceed: deeper input is refused early. */
#define EXABGP_MAX_DEPTH 16

static const char *const error_names[] = {
	[EXABGP_OK] = "ok",
	[EXABGP_ERR_JSON] = "not-json",
	[EXABGP_ERR_MESSAGE] = "bad-message",
	[EXABGP_ERR_NEIGHBOR] = "bad-neighbor",
	[EXABGP_ERR_PREFIX] = "bad-prefix",
	[EXABGP_ERR_NEXTHOP] = "bad-nexthop",
	[EXABGP_ERR_ATTRIBUTE] = "bad-attribute",
	[EXABGP_ERR_NOMEM] = "no-memory",
};

const char *exabgp_error_name(enum exabgp_error e)
{
	return (unsigned)e <= EXABGP_ERR_MAX ? error_names[e] : "unknown";
}

struct parse {
	struct exabgp_msg *m;
	char *err;
	size_t errlen;
};

static enum exabgp_error fail(struct parse *p, enum exabgp_error e, const char *fmt, const char *what)
{
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, fmt, what);
	return e;
}

void exabgp_msg_release(struct exabgp_msg *m)
{
	free(m->announce);
	free(m->withdraw);
	memset(m, 0, sizeof(*m));
}

/* The family of an "AFI SAFI" key or an eor/refresh afi: AF_INET, AF_INET6 or 0. */
static int family_of(const char *afi, const char *safi)
{
	if (!safi || strcmp(safi, "unicast"))
		return 0;
	if (!strcmp(afi, "ipv4"))
		return AF_INET;
	if (!strcmp(afi, "ipv6"))
		return AF_INET6;
	return 0;
}

static int family_of_key(const char *key)
{
	if (!strcmp(key, "ipv4 unicast"))
		return AF_INET;
	if (!strcmp(key, "ipv6 unicast"))
		return AF_INET6;
	return 0;
}

static bool json_u32(const json_t *v, uint32_t *out)
{
	json_int_t i;

	if (!json_is_integer(v))
		return false;
	i = json_integer_value(v);
	if (i < 0 || i > UINT32_MAX)
		return false;
	*out = (uint32_t)i;
	return true;
}

static enum exabgp_error parse_neighbor(struct parse *p, json_t *nb)
{
	json_t *addr = json_object_get(nb, "address"), *asn = json_object_get(nb, "asn");
	const char *peer = json_string_value(json_object_get(addr, "peer"));
	const char *local = json_string_value(json_object_get(addr, "local"));

	if (!peer || rt_addr_parse(peer, &p->m->peer, NULL, 0))
		return fail(p, EXABGP_ERR_NEIGHBOR, "neighbor.address.peer is not an address", "");
	/* ExaBGP writes "local" as "None" before it knows it: only an address counts. */
	if (local && rt_addr_parse(local, &p->m->local, NULL, 0))
		memset(&p->m->local, 0, sizeof(p->m->local));
	if (asn && !json_u32(json_object_get(asn, "peer"), &p->m->peer_as))
		p->m->peer_as = 0;
	return EXABGP_OK;
}

static enum exabgp_error parse_state(struct parse *p, json_t *nb)
{
	const char *s = json_string_value(json_object_get(nb, "state"));

	if (!s)
		return fail(p, EXABGP_ERR_MESSAGE, "a state line without neighbor.state", "");
	if (!strcmp(s, "up"))
		p->m->state = EXABGP_STATE_UP;
	else if (!strcmp(s, "down"))
		p->m->state = EXABGP_STATE_DOWN;
	else if (!strcmp(s, "connected"))
		p->m->state = EXABGP_STATE_CONNECTED;
	else
		p->m->state = EXABGP_STATE_OTHER;
	return EXABGP_OK;
}

/* Origin AS and path length of "as-path" (a sequence) and "as-set". */
static enum exabgp_error parse_as_path(struct parse *p, json_t *seq, json_t *set)
{
	struct exabgp_attrs *a = &p->m->attrs;
	size_t i;
	json_t *v;
	uint32_t as;

	if ((seq && !json_is_array(seq)) || (set && !json_is_array(set)))
		return fail(p, EXABGP_ERR_ATTRIBUTE, "as-path and as-set must be arrays", "");
	json_array_foreach(seq, i, v) {
		if (!json_u32(v, &as))
			return fail(p, EXABGP_ERR_ATTRIBUTE, "an AS in as-path is not a 32-bit number", "");
		a->origin_as = as;
		a->has_origin_as = true;
		a->path_len++;
	}
	if (json_array_size(set)) {
		uint32_t lowest = UINT32_MAX;

		json_array_foreach(set, i, v) {
			if (!json_u32(v, &as))
				return fail(p, EXABGP_ERR_ATTRIBUTE, "an AS in as-set is not a 32-bit number", "");
			if (as < lowest)
				lowest = as;
		}
		a->origin_as = lowest;
		a->has_origin_as = true;
		a->path_len++;
	}
	return EXABGP_OK;
}

static enum exabgp_error parse_attributes(struct parse *p, json_t *attr)
{
	struct exabgp_attrs *a = &p->m->attrs;
	json_t *v;

	if (!attr)
		return EXABGP_OK;
	if (!json_is_object(attr))
		return fail(p, EXABGP_ERR_MESSAGE, "update.attribute is not an object", "");
	if ((v = json_object_get(attr, "med"))) {
		if (!json_u32(v, &a->med))
			return fail(p, EXABGP_ERR_ATTRIBUTE, "med is not a 32-bit number", "");
		a->has_med = true;
	}
	if ((v = json_object_get(attr, "local-preference"))) {
		if (!json_u32(v, &a->local_pref))
			return fail(p, EXABGP_ERR_ATTRIBUTE, "local-preference is not a 32-bit number", "");
		a->has_local_pref = true;
	}
	return parse_as_path(p, json_object_get(attr, "as-path"), json_object_get(attr, "as-set"));
}

/* One {"nlri": "PREFIX", ...} of family into out. */
static enum exabgp_error parse_nlri(struct parse *p, json_t *obj, int family, struct exabgp_nlri *out)
{
	const char *text = json_string_value(json_object_get(obj, "nlri"));

	if (!text)
		return fail(p, EXABGP_ERR_MESSAGE, "an NLRI entry without an \"nlri\" string", "");
	if (rt_prefix_parse(text, &out->prefix, NULL, 0) || out->prefix.addr.family != family)
		return fail(p, EXABGP_ERR_PREFIX, "NLRI '%.64s' is not a prefix of its family", text);
	return EXABGP_OK;
}

static enum exabgp_error grow(struct parse *p, struct exabgp_nlri **v, size_t n, size_t more)
{
	struct exabgp_nlri *nv;

	if (more > SIZE_MAX / sizeof(**v) - n)
		return fail(p, EXABGP_ERR_NOMEM, "too many NLRI", "");
	nv = realloc(*v, (n + more) * sizeof(**v));
	if (!nv)
		return fail(p, EXABGP_ERR_NOMEM, "out of memory", "");
	*v = nv;
	return EXABGP_OK;
}

/* "announce": {"ipv4 unicast": {"NEXTHOP": [{"nlri": ...}, ...], ...}, ...} */
static enum exabgp_error parse_announce(struct parse *p, json_t *ann)
{
	struct exabgp_msg *m = p->m;
	const char *fam_key, *nh_key;
	json_t *by_nh, *list, *e;
	enum exabgp_error rc;
	size_t i;

	if (!json_is_object(ann))
		return fail(p, EXABGP_ERR_MESSAGE, "update.announce is not an object", "");
	json_object_foreach(ann, fam_key, by_nh) {
		int family = family_of_key(fam_key);

		if (!json_is_object(by_nh))
			return fail(p, EXABGP_ERR_MESSAGE, "announce of '%.32s' is not an object", fam_key);
		json_object_foreach(by_nh, nh_key, list) {
			struct rt_addr nh;

			if (!json_is_array(list))
				return fail(p, EXABGP_ERR_MESSAGE, "announce under next hop '%.64s' is not an array",
					    nh_key);
			if (!family) {
				m->other_family += json_array_size(list);
				continue;
			}
			if (rt_addr_parse(nh_key, &nh, NULL, 0) || nh.family != family)
				return fail(p, EXABGP_ERR_NEXTHOP, "next hop '%.64s' is not an address of its family",
					    nh_key);
			rc = grow(p, &m->announce, m->n_announce, json_array_size(list));
			if (rc)
				return rc;
			json_array_foreach(list, i, e) {
				struct exabgp_nlri *n = &m->announce[m->n_announce];

				rc = parse_nlri(p, e, family, n);
				if (rc)
					return rc;
				n->nexthop = nh;
				m->n_announce++;
			}
		}
	}
	return EXABGP_OK;
}

/* "withdraw": {"ipv4 unicast": [{"nlri": ...}, ...], ...} */
static enum exabgp_error parse_withdraw(struct parse *p, json_t *wd)
{
	struct exabgp_msg *m = p->m;
	const char *fam_key;
	json_t *list, *e;
	enum exabgp_error rc;
	size_t i;

	if (!json_is_object(wd))
		return fail(p, EXABGP_ERR_MESSAGE, "update.withdraw is not an object", "");
	json_object_foreach(wd, fam_key, list) {
		int family = family_of_key(fam_key);

		if (!json_is_array(list))
			return fail(p, EXABGP_ERR_MESSAGE, "withdraw of '%.32s' is not an array", fam_key);
		if (!family) {
			m->other_family += json_array_size(list);
			continue;
		}
		rc = grow(p, &m->withdraw, m->n_withdraw, json_array_size(list));
		if (rc)
			return rc;
		json_array_foreach(list, i, e) {
			struct exabgp_nlri *n = &m->withdraw[m->n_withdraw];

			memset(n, 0, sizeof(*n));
			rc = parse_nlri(p, e, family, n);
			if (rc)
				return rc;
			m->n_withdraw++;
		}
	}
	return EXABGP_OK;
}

static enum exabgp_error parse_afi_safi(struct parse *p, json_t *obj, const char *what)
{
	const char *afi = json_string_value(json_object_get(obj, "afi"));
	const char *safi = json_string_value(json_object_get(obj, "safi"));

	if (!afi || !safi)
		return fail(p, EXABGP_ERR_MESSAGE, "%s without afi and safi strings", what);
	p->m->family = family_of(afi, safi);
	return EXABGP_OK;
}

static enum exabgp_error parse_update(struct parse *p, json_t *nb)
{
	json_t *msg = json_object_get(nb, "message"), *upd, *eor, *v;
	const char *dir = json_string_value(json_object_get(nb, "direction"));
	enum exabgp_error rc;

	if (dir && strcmp(dir, "receive")) {
		/* What ExaBGP sent (api "send"): not routes of the neighbor. */
		p->m->type = EXABGP_OTHER;
		return EXABGP_OK;
	}
	if (!json_is_object(msg))
		return fail(p, EXABGP_ERR_MESSAGE, "an update line without neighbor.message", "");
	if ((eor = json_object_get(msg, "eor"))) {
		p->m->type = EXABGP_EOR;
		return parse_afi_safi(p, eor, "eor");
	}
	upd = json_object_get(msg, "update");
	if (!json_is_object(upd))
		return fail(p, EXABGP_ERR_MESSAGE, "neighbor.message has neither update nor eor", "");
	rc = parse_attributes(p, json_object_get(upd, "attribute"));
	if (!rc && (v = json_object_get(upd, "announce")))
		rc = parse_announce(p, v);
	if (!rc && (v = json_object_get(upd, "withdraw")))
		rc = parse_withdraw(p, v);
	return rc;
}

static enum exabgp_error parse_refresh(struct parse *p, json_t *nb)
{
	json_t *rr = json_object_get(nb, "route-refresh");
	const char *sub = json_string_value(json_object_get(rr, "subtype"));
	enum exabgp_error rc = parse_afi_safi(p, rr, "route-refresh");

	if (rc)
		return rc;
	if (!sub)
		return fail(p, EXABGP_ERR_MESSAGE, "route-refresh without a subtype", "");
	if (!strcmp(sub, "begin"))
		p->m->refresh = EXABGP_REFRESH_BEGIN;
	else if (!strcmp(sub, "end"))
		p->m->refresh = EXABGP_REFRESH_END;
	else
		p->m->refresh = EXABGP_REFRESH_QUERY;
	return EXABGP_OK;
}

static enum exabgp_error parse_object(struct parse *p, json_t *root)
{
	const char *type = json_string_value(json_object_get(root, "type"));
	json_t *nb = json_object_get(root, "neighbor");
	enum exabgp_error rc;

	if (!type)
		return fail(p, EXABGP_ERR_MESSAGE, "no \"type\" string", "");
	if (!strcmp(type, "notification")) {
		const char *what = json_string_value(json_object_get(root, "notification"));

		p->m->type = what && !strcmp(what, "shutdown") ? EXABGP_SHUTDOWN : EXABGP_OTHER;
		return EXABGP_OK;
	}
	if (!strcmp(type, "state"))
		p->m->type = EXABGP_STATE;
	else if (!strcmp(type, "update"))
		p->m->type = EXABGP_UPDATE;
	else if (!strcmp(type, "refresh"))
		p->m->type = EXABGP_REFRESH;
	else
		return EXABGP_OK;	/* EXABGP_OTHER */
	if (!json_is_object(nb))
		return fail(p, EXABGP_ERR_MESSAGE, "a %s line without a neighbor object", type);
	rc = parse_neighbor(p, nb);
	if (rc)
		return rc;
	switch (p->m->type) {
	case EXABGP_STATE:
		return parse_state(p, nb);
	case EXABGP_UPDATE:
		return parse_update(p, nb);
	default:
		return parse_refresh(p, nb);
	}
}

/*
 * ExaBGP 4.2 writes the values of a refresh line quoted twice
 * ("afi": ""ipv4""): the one kind of line it writes that is not JSON.
 * A copy with each doubled quote made single is (values there are words,
 * never empty strings). NULL when line is no such refresh line, or on ENOMEM.
 */
static char *repair_refresh(const char *line, size_t len, size_t *out_len)
{
	static const char marker[] = "\"type\": \"refresh\"";
	char *copy;
	size_t i, n = 0;

	if (!memmem(line, len, marker, sizeof(marker) - 1) || !memmem(line, len, "\"\"", 2))
		return NULL;
	copy = malloc(len + 1);
	if (!copy)
		return NULL;
	for (i = 0; i < len; i++) {
		copy[n++] = line[i];
		if (line[i] == '"' && i + 1 < len && line[i + 1] == '"')
			i++;
	}
	*out_len = n;
	return copy;
}

enum exabgp_error exabgp_parse(const char *line, size_t len, struct exabgp_msg *m, char *err,
			       size_t errlen)
{
	struct parse p = { .m = m, .err = err, .errlen = errlen };
	json_error_t jerr;
	enum exabgp_error rc;
	json_t *root;
	size_t depth = 0, maxdepth = 0, i;

	memset(m, 0, sizeof(*m));
	if (err && errlen)
		err[0] = '\0';
	/* jansson recurses per level: bound it before parsing. */
	for (i = 0; i < len; i++) {
		if (line[i] == '{' || line[i] == '[') {
			if (++depth > maxdepth)
				maxdepth = depth;
		} else if ((line[i] == '}' || line[i] == ']') && depth) {
			depth--;
		}
	}
	if (maxdepth > EXABGP_MAX_DEPTH)
		return fail(&p, EXABGP_ERR_JSON, "nested deeper than ExaBGP writes", "");
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		size_t fixed_len;
		char *fixed = repair_refresh(line, len, &fixed_len);

		if (fixed)
			root = json_loadb(fixed, fixed_len, JSON_REJECT_DUPLICATES, NULL);
		free(fixed);
	}
	if (!root)
		return fail(&p, EXABGP_ERR_JSON, "not JSON: %s", jerr.text);
	if (!json_is_object(root))
		rc = fail(&p, EXABGP_ERR_JSON, "not a JSON object", "");
	else
		rc = parse_object(&p, root);
	json_decref(root);
	if (rc) {
		free(m->announce);
		free(m->withdraw);
		memset(m, 0, sizeof(*m));
	}
	return rc;
}

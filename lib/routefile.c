/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The route file format: one route per line, see routefile.h.
 *
 * Tokens are separated by spaces and tabs. A token that begins with '#'
 * starts a comment that runs to the end of the line; a '#' inside a token
 * is part of that token, so "dev eth#1" names a device instead of being cut
 * short silently. A trailing "\n" or "\r\n" is ignored.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/nhgroup.h>
#include <routed/routefile.h>

enum keyword {
	KW_VIA,
	KW_DEV,
	KW_METRIC,
	KW_TABLE,
	KW_PROTO,
	KW_TAG,
	KW_WEIGHT,
	KW_COUNT
};

static const char *const keyword_names[KW_COUNT] = {
	[KW_VIA] = "via",
	[KW_DEV] = "dev",
	[KW_METRIC] = "metric",
	[KW_TABLE] = "table",
	[KW_PROTO] = "proto",
	[KW_TAG] = "tag",
	[KW_WEIGHT] = "weight",
};

/* The keywords that follow "nexthop" and describe that next hop. */
#define HOP_KEYWORDS (1u << KW_VIA | 1u << KW_DEV | 1u << KW_WEIGHT)

/* The next hops of a line being parsed. */
struct hops {
	struct rt_nexthop hop[RT_NEXTHOPS_MAX];
	size_t n;
	unsigned seen;			/* keywords of hop[n - 1] */
};

static int errorf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int errorf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int keyword_lookup(const char *tok)
{
	for (int i = 0; i < KW_COUNT; i++)
		if (strcmp(tok, keyword_names[i]) == 0)
			return i;
	return -1;
}

/*
 * Split off the next token of *pos in place. Returns NULL at the end of the
 * line or at a comment; once it has, it keeps returning NULL.
 */
static char *next_token(char **pos)
{
	char *s = *pos + strspn(*pos, " \t");
	char *tok;

	if (*s == '\0' || *s == '#') {
		*pos = s;
		return NULL;
	}
	tok = s;
	s += strcspn(s, " \t");
	if (*s)
		*s++ = '\0';
	*pos = s;
	return tok;
}

/* Canonical decimal u32: 0 or -EINVAL (not digits), -EDOM (leading zero), -ERANGE. */
static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	if (s[0] == '0' && s[1])
		return -EDOM;
	for (; *s; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

/* The message for a parse_u32() failure of value val of keyword kw. */
static int number_error(const char *kw, const char *val, int rc, char *err, size_t errlen)
{
	if (rc == -EDOM)
		return errorf(err, errlen, "%s \"%s\": leading zeros are not allowed", kw, val);
	if (rc == -ERANGE)
		return errorf(err, errlen, "%s \"%s\": out of range", kw, val);
	return errorf(err, errlen, "%s \"%s\": not a number", kw, val);
}

static int parse_number(const char *kw, const char *val, uint32_t *out,
			char *err, size_t errlen)
{
	int rc = parse_u32(val, out);

	return rc ? number_error(kw, val, rc, err, errlen) : 0;
}

static int parse_gateway(const char *val, const struct rt_route *r, struct rt_addr *gw,
			 char *err, size_t errlen)
{
	char msg[RT_ERR_LEN];

	if (rt_addr_parse(val, gw, msg, sizeof(msg)))
		return errorf(err, errlen, "via: %s", msg);
	if (gw->family != r->prefix.addr.family)
		return errorf(err, errlen, "gateway %s is not an IPv%c address", val,
			      r->prefix.addr.family == AF_INET ? '4' : '6');
	return 0;
}

static int parse_dev(const char *val, char *dev, char *err, size_t errlen)
{
	size_t len = strlen(val);

	if (len >= RT_DEV_LEN)
		return errorf(err, errlen, "dev \"%s\": name too long (at most %d characters)",
			      val, RT_DEV_LEN - 1);
	memcpy(dev, val, len + 1);
	return 0;
}

/* A word after "nexthop": via, dev or weight of the last next hop. */
static int parse_hop_value(int kw, const char *val, const struct rt_route *r, struct hops *h,
			   char *err, size_t errlen)
{
	struct rt_nexthop *hop = &h->hop[h->n - 1];
	uint32_t weight;
	int rc;

	switch (kw) {
	case KW_VIA:
		return parse_gateway(val, r, &hop->gateway, err, errlen);
	case KW_DEV:
		return parse_dev(val, hop->dev, err, errlen);
	case KW_WEIGHT:
		rc = parse_number("weight", val, &weight, err, errlen);
		if (rc)
			return rc;
		if (weight < 1 || weight > RT_WEIGHT_MAX)
			return errorf(err, errlen, "weight %u out of range (1-%u)", weight,
				      RT_WEIGHT_MAX);
		hop->weight = (uint16_t)weight;
		return 0;
	}
	return errorf(err, errlen, "internal error: keyword %d", kw);
}

/* "nexthop": start the next one. */
static int hop_begin(const struct rt_route *r, unsigned seen, struct hops *h, char *err,
		     size_t errlen)
{
	if (r->gateway.family || r->dev[0] || (seen & (1u << KW_VIA | 1u << KW_DEV)))
		return errorf(err, errlen, "a route has its own via/dev or nexthop words, not both");
	if (h->n == RT_NEXTHOPS_MAX)
		return errorf(err, errlen, "more than %u next hops", RT_NEXTHOPS_MAX);
	memset(&h->hop[h->n], 0, sizeof(h->hop[0]));
	h->hop[h->n++].weight = 1;
	h->seen = 0;
	return 0;
}

static int parse_table(const char *val, struct rt_route *r, char *err, size_t errlen)
{
	int rc;

	if (strcmp(val, RT_TABLE_NAME_MAIN) == 0) {
		r->table = RT_TABLE_MAIN;
		return 0;
	}
	rc = parse_u32(val, &r->table);
	if (rc == -EINVAL)
		return errorf(err, errlen, "table \"%s\": not a number or \"%s\"",
			      val, RT_TABLE_NAME_MAIN);
	return rc ? number_error("table", val, rc, err, errlen) : 0;
}

static int parse_proto(const char *val, struct rt_route *r, char *err, size_t errlen)
{
	if (rt_proto_validate(val))
		return errorf(err, errlen,
			      "proto \"%s\": invalid protocol name (1-%d characters of a-z 0-9 _ -)",
			      val, RT_PROTO_LEN - 1);
	memset(r->proto, 0, sizeof(r->proto));
	memcpy(r->proto, val, strlen(val));
	return 0;
}

static int parse_value(int kw, const char *val, struct rt_route *r, char *err, size_t errlen)
{
	switch (kw) {
	case KW_VIA:
		return parse_gateway(val, r, &r->gateway, err, errlen);
	case KW_DEV:
		return parse_dev(val, r->dev, err, errlen);
	case KW_WEIGHT:
		return errorf(err, errlen, "\"weight\" belongs to a nexthop");
	case KW_METRIC:
		return parse_number("metric", val, &r->metric, err, errlen);
	case KW_TABLE:
		return parse_table(val, r, err, errlen);
	case KW_PROTO:
		return parse_proto(val, r, err, errlen);
	case KW_TAG:
		r->has_tag = true;
		return parse_number("tag", val, &r->tag, err, errlen);
	}
	return errorf(err, errlen, "internal error: keyword %d", kw);
}

int routefile_parse_line(const char *line, struct rt_route *out, char *err, size_t errlen)
{
	struct rt_route r;
	struct hops *hops = NULL;
	unsigned seen = 0, *seen_here;
	char *copy, *pos, *tok, *val;
	size_t len;
	int kw, rc;

	if (err && errlen)
		err[0] = '\0';
	len = strlen(line);
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	copy = strndup(line, len);
	if (!copy)
		return -ENOMEM;

	pos = copy;
	tok = next_token(&pos);
	if (!tok) {
		rc = 0;
		goto out;
	}
	rt_route_init(&r);
	/* An optional type word first, as in ip-route: "blackhole 10.0.0.0/8". */
	if (!rt_route_type_parse(tok, &r.type)) {
		tok = next_token(&pos);
		if (!tok) {
			rc = errorf(err, errlen, "%s: a prefix must follow",
				    rt_route_type_name(r.type));
			goto out;
		}
	}
	rc = rt_prefix_parse(tok, &r.prefix, err, errlen);
	if (rc)
		goto out;

	while ((tok = next_token(&pos))) {
		if (strcmp(tok, "nexthop") == 0) {
			if (!hops && !(hops = calloc(1, sizeof(*hops)))) {
				rc = -ENOMEM;
				goto out;
			}
			rc = hop_begin(&r, seen, hops, err, errlen);
			if (rc)
				goto out;
			continue;
		}
		kw = keyword_lookup(tok);
		if (kw < 0) {
			rc = errorf(err, errlen, "unknown keyword \"%s\"", tok);
			goto out;
		}
		/* After "nexthop", via, dev and weight are that next hop's. */
		seen_here = hops && (HOP_KEYWORDS & (1u << kw)) ? &hops->seen : &seen;
		if (*seen_here & (1u << kw)) {
			rc = errorf(err, errlen, "duplicate keyword \"%s\"", tok);
			goto out;
		}
		*seen_here |= 1u << kw;
		val = next_token(&pos);
		if (!val) {
			rc = errorf(err, errlen, "\"%s\" needs a value", tok);
			goto out;
		}
		if (seen_here == &seen)
			rc = parse_value(kw, val, &r, err, errlen);
		else
			rc = parse_hop_value(kw, val, &r, hops, err, errlen);
		if (rc)
			goto out;
	}

	if (hops) {
		rc = rt_route_set_nexthops(&r, hops->hop, hops->n, err, errlen);
		if (rc)
			goto out;
	}
	rc = rt_route_validate(&r, err, errlen);
	if (rc)
		goto out;
	*out = r;
	rc = 1;
out:
	free(hops);
	free(copy);
	return rc;
}

/* Can r be written as a line that reads back as r? */
static bool representable(const struct rt_route *r)
{
	struct rt_prefix p;

	if (rt_route_validate(r, NULL, 0))
		return false;
	if (rt_prefix_make(&r->prefix.addr, r->prefix.len, &p))
		return false;	/* host bits set */
	return r->dev[0] != '#';
}

/* " nexthop via A dev D weight W" for each next hop, appended at buf + *len. */
static void format_hops(const struct rt_nhgroup *g, char *buf, size_t buflen, size_t *len)
{
	char gw[RT_ADDR_STRLEN];

	for (uint32_t i = 0; g && i < g->count && *len < buflen; i++) {
		const struct rt_nexthop *h = &g->hop[i];
		int n = snprintf(buf + *len, buflen - *len, " nexthop%s%s%s%s weight %u",
				 h->gateway.family ? " via " : "",
				 h->gateway.family ? rt_addr_format(&h->gateway, gw, sizeof(gw)) : "",
				 h->dev[0] ? " dev " : "", h->dev, h->weight);

		*len += n < 0 ? buflen : (size_t)n;
	}
}

int routefile_format(const struct rt_route *r, char *buf, size_t buflen)
{
	char prefix[RT_PREFIX_STRLEN], gw[RT_ADDR_STRLEN];
	char table[sizeof(" table 4294967295")] = "";
	char tag[sizeof(" tag 4294967295")] = "";
	size_t len;
	int n;

	if (!representable(r)) {
		if (buflen)
			buf[0] = '\0';
		return -EINVAL;
	}
	rt_prefix_format(&r->prefix, prefix, sizeof(prefix));
	if (r->gateway.family)
		rt_addr_format(&r->gateway, gw, sizeof(gw));
	if (r->table != RT_TABLE_MAIN)
		snprintf(table, sizeof(table), " table %u", r->table);
	if (r->has_tag)
		snprintf(tag, sizeof(tag), " tag %u", r->tag);

	/*
	 * Unicast lines stay as they were: readers of older files see no
	 * change. Next hops come right after the prefix, as in ip-route.
	 */
	n = snprintf(buf, buflen, "%s%s%s%s%s%s%s",
		     r->type ? rt_route_type_name(r->type) : "", r->type ? " " : "", prefix,
		     r->gateway.family ? " via " : "", r->gateway.family ? gw : "",
		     r->dev[0] ? " dev " : "", r->dev);
	len = n < 0 ? buflen : (size_t)n;
	format_hops(r->nexthops, buf, buflen, &len);
	if (len < buflen) {
		n = snprintf(buf + len, buflen - len, " metric %u%s proto %s%s", r->metric, table,
			     r->proto, tag);
		len += n < 0 ? buflen : (size_t)n;
	}
	if (len >= buflen || len > INT32_MAX) {
		if (buflen)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)len;
}

static void line_error(char *err, size_t errlen, const char *name, unsigned long lineno,
		       const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s:%lu: %s", name, lineno, msg);
}

/*
 * On a negative return from fn, err gets "NAME:LINE: " and the errno text,
 * so the caller learns which line the callback failed on.
 */
int routefile_read(FILE *f, const char *name, routefile_fn fn, void *arg,
		   char *err, size_t errlen)
{
	char msg[RT_ERR_LEN];
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	struct rt_route r;
	ssize_t len;
	int rc;

	if (!name)
		name = "<input>";
	if (err && errlen)
		err[0] = '\0';

	for (;;) {
		errno = 0;
		len = getline(&line, &cap, f);
		if (len < 0)
			break;
		lineno++;
		if (memchr(line, '\0', (size_t)len)) {
			rc = -EINVAL;
			line_error(err, errlen, name, lineno, "NUL byte in line");
			goto out;
		}
		rc = routefile_parse_line(line, &r, msg, sizeof(msg));
		if (rc < 0) {
			line_error(err, errlen, name, lineno, rc == -EINVAL ? msg : strerror(-rc));
			goto out;
		}
		if (rc == 0)
			continue;
		rc = fn(&r, arg);
		if (rc) {
			if (rc < 0)
				line_error(err, errlen, name, lineno, strerror(-rc));
			goto out;
		}
	}

	/* getline() failed: the end of the file, or an error. */
	rc = 0;
	if (ferror(f) || errno == ENOMEM) {
		rc = errno ? -errno : -EIO;
		if (err && errlen)
			snprintf(err, errlen, "%s: read error: %s", name, strerror(-rc));
	}
out:
	free(line);
	return rc;
}

struct route_array {
	struct rt_route *routes;
	size_t n;
	size_t cap;
};

static int collect(const struct rt_route *r, void *arg)
{
	struct route_array *a = arg;
	struct rt_route *grown;
	size_t cap;

	if (a->n == a->cap) {
		cap = a->cap ? a->cap * 2 : 64;
		if (cap > SIZE_MAX / sizeof(*grown))
			return -ENOMEM;
		grown = realloc(a->routes, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		a->routes = grown;
		a->cap = cap;
	}
	a->routes[a->n++] = *r;
	return 0;
}

int routefile_load(const char *path, struct rt_route **routes, size_t *n,
		   char *err, size_t errlen)
{
	struct route_array a = { 0 };
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *f;
	int rc;

	*routes = NULL;
	*n = 0;
	f = is_stdin ? stdin : fopen(path, "re");
	if (!f) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = routefile_read(f, name, collect, &a, err, errlen);
	if (rc)
		goto out;
	*routes = a.routes;
	*n = a.n;
	a.routes = NULL;
out:
	free(a.routes);
	if (!is_stdin)
		fclose(f);
	return rc;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The route file format (lib/routefile.c): the input is a route file. Each
 * line goes to routefile_parse_line(), and the whole input to
 * routefile_read(), which must agree with the lines one by one.
 *
 * Invariants: every route a line parses to can be written
 * (routefile_format), reads back equal, and prints the same again; the
 * same holds through the control protocol's JSON encoding (route_json.c);
 * a line that yields no route is blank or a comment; errors say why, and
 * routefile_read names the line of the first one.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>

#include <jansson.h>

#include <routed/route_json.h>
#include <routed/routefile.h>

#include "fuzz.h"

#define LINE_MAX_OUT ROUTEFILE_LINE_MAX	/* the longest line: 64 next hops */

struct routes {
	struct rt_route *r;
	size_t n, cap;
	size_t next;		/* routefile_read's callback: the next one to compare */
};

static bool route_equal(const struct rt_route *a, const struct rt_route *b)
{
	return a->table == b->table && rt_prefix_equal(&a->prefix, &b->prefix) &&
	       a->gateway.family == b->gateway.family &&
	       !memcmp(a->gateway.bytes, b->gateway.bytes, sizeof(a->gateway.bytes)) &&
	       !strcmp(a->dev, b->dev) && a->metric == b->metric && !strcmp(a->proto, b->proto) &&
	       a->has_tag == b->has_tag && (!a->has_tag || a->tag == b->tag) &&
	       a->type == b->type && a->nexthops == b->nexthops;	/* groups are interned */
}

static void check_json(const struct rt_route *r, const char *line)
{
	struct rt_json_error jerr;
	struct rt_route back;
	json_t *obj = rt_route_to_json(r);
	char *text;

	FUZZ_CHECK(obj, "no JSON for '%s'", line);
	/* Through text too: what a client receives is what it sends back. */
	text = json_dumps(obj, JSON_COMPACT);
	FUZZ_CHECK(text, "cannot print the JSON of '%s'", line);
	json_decref(obj);
	obj = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	FUZZ_CHECK(obj, "'%s' as JSON does not parse: %s", line, text);
	FUZZ_CHECK(rt_route_from_json(obj, &back, NULL, NULL, &jerr) == 0, "'%s' as %s: %s: %s",
		   line, text, jerr.field, jerr.message);
	FUZZ_CHECK(route_equal(r, &back), "'%s' as %s reads back different", line, text);
	json_decref(obj);
	free(text);
}

static void check_route(const struct rt_route *r, const char *line)
{
	char buf[LINE_MAX_OUT], again[LINE_MAX_OUT], err[RT_ERR_LEN];
	struct rt_route back;
	int n;

	FUZZ_CHECK(rt_route_validate(r, err, sizeof(err)) == 0, "'%s' parsed: %s", line, err);
	n = routefile_format(r, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && (size_t)n == strlen(buf), "'%s' cannot be written (%d)", line, n);
	FUZZ_CHECK(routefile_parse_line(buf, &back, err, sizeof(err)) == 1, "'%s' -> '%s': %s",
		   line, buf, err);
	FUZZ_CHECK(route_equal(r, &back), "'%s' -> '%s' reads back different", line, buf);
	FUZZ_CHECK(routefile_format(&back, again, sizeof(again)) == n && !strcmp(buf, again),
		   "'%s' then '%s'", buf, again);
	check_json(r, line);
}

static void add_route(struct routes *rs, const struct rt_route *r)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 16;
		rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
		FUZZ_CHECK(rs->r, "out of memory");
	}
	rs->r[rs->n++] = *r;
}

/*
 * One line as routefile_read() sees it (its newline included). Returns
 * false at the line where reading must stop with an error.
 */
static bool check_line(const uint8_t *line, size_t len, struct routes *rs)
{
	char err[RT_ERR_LEN];
	struct rt_route r;
	char *text;
	int rc;

	if (memchr(line, '\0', len))
		return false;
	text = fuzz_cstring(line, len);
	memset(err, 0, sizeof(err));
	rc = routefile_parse_line(text, &r, err, sizeof(err));
	FUZZ_CHECK(rc == 1 || rc == 0 || rc == -EINVAL, "rc %d for '%s'", rc, text);
	if (rc == 1) {
		check_route(&r, text);
		add_route(rs, &r);
	} else if (rc == 0) {
		const char *p = text + strspn(text, " \t");

		FUZZ_CHECK(*p == '\0' || *p == '#' || !strcmp(p, "\n") || !strcmp(p, "\r\n") ||
				   !strcmp(p, "\r"),
			   "'%s' yields no route but is not blank", text);
	} else {
		FUZZ_CHECK(fuzz_message_ok(err, sizeof(err)), "no message for '%s'", text);
	}
	free(text);
	return rc >= 0;
}

static int compare_read(const struct rt_route *r, void *arg)
{
	struct routes *rs = arg;

	FUZZ_CHECK(rs->next < rs->n, "routefile_read found more than %zu routes", rs->n);
	FUZZ_CHECK(route_equal(r, &rs->r[rs->next]), "route %zu differs", rs->next);
	rs->next++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct routes rs = { 0 };
	unsigned long lineno = 0, bad_line = 0;
	char err[RT_ERR_LEN], where[64];
	size_t pos = 0;
	FILE *f;
	int rc;

	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) + 1 : size - pos;

		lineno++;
		if (!check_line(data + pos, len, &rs)) {
			bad_line = lineno;
			break;
		}
		pos += len;
	}

	if (size == 0)
		goto out;
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	FUZZ_CHECK(f, "fmemopen failed");
	memset(err, 0, sizeof(err));
	rc = routefile_read(f, "input", compare_read, &rs, err, sizeof(err));
	fclose(f);
	if (bad_line) {
		snprintf(where, sizeof(where), "input:%lu: ", bad_line);
		FUZZ_CHECK(rc == -EINVAL, "line %lu is bad, routefile_read returned %d", bad_line,
			   rc);
		FUZZ_CHECK(!strncmp(err, where, strlen(where)), "line %lu is bad, error '%s'",
			   bad_line, err);
		FUZZ_CHECK(rs.next == rs.n, "%zu of the %zu routes before line %lu", rs.next, rs.n,
			   bad_line);
	} else {
		FUZZ_CHECK(rc == 0, "routefile_read: %d: %s", rc, err);
		FUZZ_CHECK(rs.next == rs.n, "routefile_read found %zu of %zu routes", rs.next,
			   rs.n);
	}
out:
	free(rs.r);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/uatomic.h>

#include <routed/routefile.h>

#include "perf_verify.h"

/* Mismatches printed on stderr, over all threads. */
#define MAX_EXAMPLES 5

struct perf_ref {
	struct rt_table *table;
	struct rt_prefix *prefixes;
	size_t n;
};

static unsigned examples_printed;

struct perf_ref *perf_ref_load(const char *path, uint32_t table_id, char *err, size_t errlen)
{
	struct rt_route *routes = NULL;
	struct perf_ref *ref = NULL;
	char msg[512] = "";
	size_t n = 0, kept = 0, failed = 0;
	int rc;

	rc = routefile_load(path, &routes, &n, msg, sizeof(msg));
	if (rc) {
		snprintf(err, errlen, "%s", msg[0] ? msg : strerror(-rc));
		goto fail;
	}
	ref = calloc(1, sizeof(*ref));
	if (ref)
		ref->table = rt_table_create(table_id);
	if (!ref || !ref->table) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (routes[i].table == table_id)
			routes[kept++] = routes[i];
	if (!kept && n)
		fprintf(stderr,
			"routeperf: note: %s has no routes of table %" PRIu32
			": every answer is expected to be \"no route\"\n",
			path, table_id);
	rc = rt_table_replace_all(ref->table, routes, kept, &failed);
	if (rc) {
		char pfx[RT_PREFIX_STRLEN];

		rt_prefix_format(&routes[failed].prefix, pfx, sizeof(pfx));
		snprintf(err, errlen, "%s: route %s (table %" PRIu32 "): %s", path, pfx, table_id,
			 rc == -EEXIST ? "duplicate route (same prefix, proto and metric)"
				       : strerror(-rc));
		goto fail;
	}
	ref->prefixes = malloc((kept ? kept : 1) * sizeof(*ref->prefixes));
	if (!ref->prefixes) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < kept; i++)
		ref->prefixes[i] = routes[i].prefix;
	ref->n = kept;
	free(routes);
	return ref;
fail:
	free(routes);
	perf_ref_destroy(ref);
	return NULL;
}

void perf_ref_destroy(struct perf_ref *ref)
{
	if (!ref)
		return;
	rt_table_destroy(ref->table);
	free(ref->prefixes);
	free(ref);
}

const struct rt_prefix *perf_ref_prefixes(const struct perf_ref *ref, size_t *n)
{
	*n = ref->n;
	return ref->prefixes;
}

const struct rt_table *perf_ref_table(const struct perf_ref *ref)
{
	return ref->table;
}

/* The expected answers of the slots of a parsed datagram. */
static void expected_answers(const struct perf_ref *ref, const void *buf,
			     const struct rt_wire_header *h, struct rt_answer *out)
{
	uint32_t ids[RT_WIRE_MAX_COUNT4];

	if (h->family == RT_WIRE_FAMILY4) {
		uint32_t addrs[RT_WIRE_MAX_COUNT4];

		for (size_t i = 0; i < h->count; i++)
			addrs[i] = rt_wire_slot_addr4(buf, i);
		rt_table_answer4(ref->table, addrs, h->count, ids, out);
	} else {
		uint8_t addrs[RT_WIRE_MAX_COUNT6][16];

		for (size_t i = 0; i < h->count; i++)
			memcpy(addrs[i], rt_wire_slot_addr6(buf, i), 16);
		rt_table_answer6(ref->table, (const uint8_t(*)[16])addrs, h->count, ids, out);
	}
}

static bool same_answer(const struct rt_answer *want, const struct rt_wire_answer *got, size_t alen)
{
	if (want->found != got->found)
		return false;
	if (!want->found)
		return true;
	if (want->len != got->len || want->has_gateway != got->has_gateway ||
	    want->has_tag != got->has_tag || want->reject != got->reject ||
	    want->multipath != got->multipath)
		return false;
	if (want->has_gateway && memcmp(want->gateway, got->gateway.bytes, alen))
		return false;
	return !want->has_tag || want->tag == got->tag;
}

static void describe(char *buf, size_t len, bool found, uint8_t plen, bool has_gateway,
		     const uint8_t *gateway, bool has_tag, uint32_t tag, bool multipath, int af)
{
	struct rt_addr gw = {.family = af};
	char text[RT_ADDR_STRLEN] = "";
	int used;

	if (!found) {
		snprintf(buf, len, "no route");
		return;
	}
	used = snprintf(buf, len, "/%u", plen);
	if (has_gateway) {
		memcpy(gw.bytes, gateway, af == AF_INET ? 4 : 16);
		rt_addr_format(&gw, text, sizeof(text));
		used += snprintf(buf + used, len - used, " via %s", text);
	}
	if (has_tag)
		used += snprintf(buf + used, len - used, " tag %" PRIu32, tag);
	if (multipath)
		snprintf(buf + used, len - used, " (multipath)");
}

static void print_example(const struct rt_wire_answer *got, const struct rt_answer *want,
			  uint8_t status)
{
	char addr[RT_ADDR_STRLEN], g[128], w[128];
	int af = got->addr.family;

	/* Only caps how many lines are printed (the barriers it implies order nothing here). */
	if (uatomic_add_return(&examples_printed, 1) > MAX_EXAMPLES)
		return;
	rt_addr_format(&got->addr, addr, sizeof(addr));
	describe(g, sizeof(g), got->found, got->len, got->has_gateway, got->gateway.bytes,
		 got->has_tag, got->tag, got->multipath, af);
	/* Without a route the library leaves the other fields unset: read none. */
	if (want->found)
		describe(w, sizeof(w), true, want->len, want->has_gateway, want->gateway,
			 want->has_tag, want->tag, want->multipath, af);
	else
		snprintf(w, sizeof(w), "no route");
	fprintf(stderr, "routeperf: wrong answer for %s: got %s%s, expected %s\n", addr, g,
		status == RT_WIRE_STATUS_NO_TABLE ? " (server: no such table)" : "", w);
}

unsigned perf_ref_check(const struct perf_ref *ref, const void *response,
			const struct rt_wire_header *h)
{
	struct rt_answer want[RT_WIRE_MAX_COUNT4];
	size_t alen = h->family == RT_WIRE_FAMILY4 ? 4 : 16;
	unsigned wrong = 0;

	expected_answers(ref, response, h, want);
	for (size_t i = 0; i < h->count; i++) {
		struct rt_wire_answer got;

		rt_wire_get_answer(response, h, i, &got);
		if (same_answer(&want[i], &got, alen))
			continue;
		wrong++;
		print_example(&got, &want[i], h->status);
	}
	return wrong;
}

void perf_ref_answer(const struct perf_ref *ref, void *request, const struct rt_wire_header *h)
{
	struct rt_answer ans[RT_WIRE_MAX_COUNT4];

	expected_answers(ref, request, h, ans);
	for (size_t i = 0; i < h->count; i++) {
		rt_wire_set_answer(request, h, i, ans[i].found, ans[i].len,
				   ans[i].has_gateway ? ans[i].gateway : NULL, ans[i].has_tag,
				   ans[i].tag);
		if (ans[i].reject)
			rt_wire_set_reject(request, h, i);
		if (ans[i].multipath)
			rt_wire_set_multipath(request, h, i);
	}
	rt_wire_finish_response(request, RT_WIRE_STATUS_OK, 0);
}

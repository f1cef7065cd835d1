/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "table_image.h"

static int collect(const struct rt_route *r, void *arg)
{
	struct table_image *im = arg;

	if (im->n == im->cap) {
		im->cap = im->cap ? 2 * im->cap : 256;
		im->routes = realloc(im->routes, im->cap * sizeof(*im->routes));
		if (!im->routes)
			abort();
	}
	im->routes[im->n++] = *r;
	return 0;
}

void table_image_take(struct table_image *im, struct rt_table *t, const struct rt_addr *probes,
		      size_t n_probes)
{
	im->n = 0;
	if (rt_table_walk(t, 0, NULL, collect, im))
		abort();
	if (im->n_probes != n_probes) {
		free(im->results);
		im->results = calloc(n_probes ? n_probes : 1, sizeof(*im->results));
		if (!im->results)
			abort();
		im->n_probes = n_probes;
	}
	rt_table_lookup(t, probes, n_probes, im->results);
}

static bool same_route(const struct rt_route *a, const struct rt_route *b)
{
	return a->table == b->table && rt_prefix_equal(&a->prefix, &b->prefix) &&
	       a->gateway.family == b->gateway.family &&
	       !memcmp(a->gateway.bytes, b->gateway.bytes, 16) && !strcmp(a->dev, b->dev) &&
	       a->metric == b->metric && !strcmp(a->proto, b->proto) &&
	       a->has_tag == b->has_tag && a->tag == b->tag;
}

bool table_image_equal(const struct table_image *a, const struct table_image *b)
{
	if (a->n != b->n || a->n_probes != b->n_probes)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!same_route(&a->routes[i], &b->routes[i]))
			return false;
	for (size_t i = 0; i < a->n_probes; i++) {
		if (a->results[i].found != b->results[i].found)
			return false;
		if (a->results[i].found && !same_route(&a->results[i].route, &b->results[i].route))
			return false;
	}
	return true;
}

void table_image_free(struct table_image *im)
{
	free(im->routes);
	free(im->results);
	memset(im, 0, sizeof(*im));
}

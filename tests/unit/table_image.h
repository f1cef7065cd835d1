/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a table shows, to compare it before and after a change: its routes
 * in walk order and its answers to some probe addresses.
 */
#ifndef ROUTED_TESTS_TABLE_IMAGE_H
#define ROUTED_TESTS_TABLE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/table.h>

struct table_image {
	struct rt_route *routes;
	size_t n, cap;
	struct rt_lookup_result *results;
	size_t n_probes;
};

/* Take t's image (im zeroed or taken before); aborts on ENOMEM. */
void table_image_take(struct table_image *im, struct rt_table *t, const struct rt_addr *probes,
		      size_t n_probes);
/* The same routes, every attribute alike, and the same answers. */
bool table_image_equal(const struct table_image *a, const struct table_image *b);
void table_image_free(struct table_image *im);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderers: one table of output functions for people and one for
 * programs (-j). main() picks one; commands only ever call through it.
 * Every function takes the method's result object, borrowed.
 */
#ifndef ROUTECTL_OUTPUT_H
#define ROUTECTL_OUTPUT_H

#include <stdbool.h>

#include <jansson.h>

/* Where lookup results come from: they differ in what they know. */
enum ctl_lookup_source {
	CTL_LOOKUP_CONTROL,	/* route.lookup: the whole route */
	CTL_LOOKUP_UDP,		/* the UDP lookup service: prefix, gateway, tag, generation */
};

struct ctl_output {
	void (*ping)(json_t *result, double rtt_ms);
	void (*info)(json_t *result);
	void (*stats)(json_t *result);
	void (*tables)(json_t *result);			/* table.list */
	void (*feeds)(json_t *result);			/* feed.list */
	void (*table_created)(json_t *result);
	void (*table_deleted)(json_t *result);
	void (*route_set)(json_t *result);		/* route.add, route.replace */
	void (*routes_deleted)(json_t *result);		/* route.delete */
	void (*routes_flushed)(json_t *result);
	void (*route_get)(json_t *result);
	/* route show: a stream of routes from route.list pages. */
	void (*list_begin)(void);
	void (*list_route)(json_t *route);
	void (*list_end)(void);
	/*
	 * lookup: one entry of route.lookup's "results" at a time, or of a
	 * UDP answer (lookup --udp): {"address", "found", "prefix", "route":
	 * {"table", "via", "tag"} or null, "generation"}, table null for the
	 * listener's table.
	 */
	void (*lookup_begin)(enum ctl_lookup_source source);
	void (*lookup_result)(json_t *entry);
	void (*lookup_end)(void);
	void (*load_result)(json_t *result);
	void (*event)(json_t *params);			/* a route.event notification */
	void (*reloaded)(json_t *result);
	void (*saved)(const char *file, size_t routes);	/* save FILE */
};

extern const struct ctl_output ctl_human_output;
extern const struct ctl_output ctl_json_output;

/*
 * A route object in route-file syntax, as routectl prints and reads routes.
 * Returns buf; a route the format cannot hold is printed as compact JSON.
 */
const char *ctl_route_text(json_t *route, char *buf, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The route file format, shared by routebench, routectl load/save and the
 * daemon: one route per line,
 *
 *   [TYPE] PREFIX [via ADDR] [dev NAME] [metric N] [table ID] [proto NAME] [tag N]
 *   PREFIX nexthop [via ADDR] [dev NAME] [weight W] nexthop ... [metric N] ...
 *
 * TYPE is unicast (the default, never written), blackhole, unreachable or
 * prohibit; a route of the last three has no via or dev. A multipath route
 * has 1..64 "nexthop" words instead of its own via and dev: the via, dev
 * and weight (1..256, default 1) words after a "nexthop" are that next
 * hop's; each next hop has a via or a dev or both. One next hop is the
 * same route as the single-path line. Written back, next hops come in
 * canonical order (gateway, then device), each with its weight.
 * '#' starts a comment; blank lines are ignored. Keywords may come in any
 * order, each at most once. Errors are reported as "FILE:LINE: message".
 */
#ifndef ROUTED_ROUTEFILE_H
#define ROUTED_ROUTEFILE_H

#include <stddef.h>
#include <stdio.h>

#include <routed/route.h>

/* Room for the longest line routefile_format() writes (64 next hops), NUL included. */
#define ROUTEFILE_LINE_MAX 8192

/*
 * Parse one line (no trailing newline needed). Returns 1 with *out filled,
 * 0 for a blank or comment line, -EINVAL with a message in err.
 */
int routefile_parse_line(const char *line, struct rt_route *out, char *err, size_t errlen);

/*
 * Format r as one line (no newline). Returns the length, -ENOSPC if buf is
 * too small, or -EINVAL for a route that could not be read back the same.
 */
int routefile_format(const struct rt_route *r, char *buf, size_t buflen);

/*
 * Read every route of a file. Calls fn for each route (fn returns 0 to go on,
 * else stops with that value). On a syntax error returns -EINVAL with
 * "NAME:LINE: message" in err; on I/O errors -errno with a message.
 */
typedef int (*routefile_fn)(const struct rt_route *r, void *arg);
int routefile_read(FILE *f, const char *name, routefile_fn fn, void *arg, char *err, size_t errlen);

/* Load a whole file into a growing array (*routes, *n); free(*routes) after. */
int routefile_load(const char *path, struct rt_route **routes, size_t *n, char *err, size_t errlen);

#endif

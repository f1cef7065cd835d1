/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The routes of a load, read from a route file (ctl_load.c) or an MRT
 * dump (ctl_mrt.c) before the daemon is touched, each with where it came
 * from, so that an error about routes[i] names its line or record.
 */
#ifndef ROUTECTL_LOAD_H
#define ROUTECTL_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/route.h>

#include "routectl.h"

struct route_file {
	const char *name;		/* as messages name it */
	struct rt_route *routes;
	unsigned long *lines;		/* routes[i] came from line (or record) lines[i] */
	bool records;			/* from MRT: lines[] are record numbers */
	uint64_t *offsets;		/* with records: each record's byte offset */
	size_t n, cap;
};

/* Append r from line (record) where, at offset (MRT). 0 or -ENOMEM. */
int route_file_append(struct route_file *rf, const struct rt_route *r, unsigned long where,
		      uint64_t offset);

void route_file_free(struct route_file *rf);

/* Where routes[i] came from: "NAME:LINE", or "NAME: offset O, record N". */
const char *route_file_where(const struct route_file *rf, size_t i, char *buf, size_t len);

/* What --format mrt takes: the peer choice and whether a damaged file loads its start. */
struct mrt_load_options {
	const char *peer;		/* --peer INDEX|ADDRESS, or NULL */
	bool partial;			/* --partial */
};

/*
 * Read the routes of an MRT dump at path ("-": standard input) into rf.
 * EXIT_OK, or EXIT_ERROR with the error reported.
 */
int mrt_file_read(struct route_file *rf, const char *path, const struct mrt_load_options *opt);

#endif

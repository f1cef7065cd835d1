/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route changes other than loads (load.h), each one published to the
 * change stream (change_stream.h): a few changes to one table
 * (route.add/replace/delete/apply), flushes, and tables created and
 * dropped with their routes (table.create/delete). A table created or
 * dropped is a reconfiguration (reconf.h); the rest are plain RCU
 * updates of one table.
 *
 * Control thread only.
 */
#ifndef ROUTED_DAEMON_ROUTES_H
#define ROUTED_DAEMON_ROUTES_H

#include <stddef.h>
#include <stdint.h>

#include <routed/table.h>

struct routed;

/*
 * Apply changes to one table (rt_table_apply: all or nothing, *failed gets
 * the failing index) and publish them. A DELETE change must carry the route
 * as stored (its attributes go into the event).
 */
int routes_apply(struct routed *d, uint32_t table, const struct rt_change *changes, size_t n,
		 size_t *failed);

/* Publish changes[0..n) that were applied to table. */
void routes_publish(struct routed *d, uint32_t table, const struct rt_change *c, size_t n);

/*
 * Delete the routes of table matching family (0: both) and proto (NULL or
 * "": any). Returns how many, or -ENOENT (no table), -ENOMEM.
 */
long routes_flush(struct routed *d, uint32_t table, int family, const char *proto);

/*
 * Create table id named name (NULL: none) inside the gate: tables_add()'s
 * errors (-EEXIST, -EINVAL, -ENOMEM).
 */
int routes_create_table(struct routed *d, uint32_t id, const char *name);

/*
 * Delete table and its routes (each one published as a delete). Returns
 * how many routes it held, or -ENOENT, -EPERM (main), -ENOMEM. A
 * reconfiguration: the table leaves the set inside the gate.
 */
long routes_drop_table(struct routed *d, uint32_t table);

#endif

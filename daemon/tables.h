/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry of routing tables: id <-> name <-> struct rt_table.
 *
 * Table 254 "main" always exists and cannot be deleted. The set of tables
 * is an immutable array sorted by id, published with RCU: the control
 * thread (the only writer) builds a new array for every change and swaps
 * it in; lookup threads find a table with tables_lookup_rcu() inside a
 * urcu-memb read-side section, without a lock. A deleted table is
 * destroyed only after a grace period, so a reader that found it may
 * finish its lookup.
 *
 * Every function but tables_lookup_rcu() and tables_version_rcu() is for
 * the control thread, outside any read-side section: they take the
 * registry's writer lock, which a change holds across a grace period.
 */
#ifndef ROUTED_DAEMON_TABLES_H
#define ROUTED_DAEMON_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt_table;
struct tables;

#define TABLES_NAME_MAX 31	/* characters, without the NUL */
/*
 * Tables at most, main included. Each table holds its IPv4 direct array
 * (2^18 slots, 2 MiB) even when empty: the limit bounds that memory.
 */
#define TABLES_MAX 256

/* A registry holding only main. NULL on ENOMEM. */
struct tables *tables_create(void);
/* Destroy every table. No reader may still use any of them. Accepts NULL. */
void tables_destroy(struct tables *ts);

/*
 * Create table id named name (NULL: no name; it is then known by its id
 * only). -EEXIST if the id or the name is taken, -EINVAL for a bad name or
 * id 0, -ENOSPC when TABLES_MAX tables exist, -ENOMEM.
 */
int tables_add(struct tables *ts, uint32_t id, const char *name);
/*
 * Unpublish table id, wait for a grace period, destroy it. -ENOENT, or
 * -EPERM for main. Must not be called inside a read-side section.
 */
int tables_delete(struct tables *ts, uint32_t id);
/*
 * tables_delete() in two steps: unpublish table id and wait for a grace
 * period, then hand it to the caller, who destroys it (rt_table_destroy)
 * when convenient: no reader can reach it any more. Lets a caller keep the
 * destruction (which waits for the table's pending reclamation) out of a
 * section where lookups are held up. NULL with *error = -ENOENT, -EPERM
 * (main) or -ENOMEM. Must not be called inside a read-side section.
 */
struct rt_table *tables_remove(struct tables *ts, uint32_t id, int *error);

/* Control thread: the table, or NULL. */
struct rt_table *tables_get(struct tables *ts, uint32_t id);
/*
 * Readers: the table, or NULL. Call inside urcu_memb_read_lock(); the
 * pointer is valid until the matching unlock.
 */
struct rt_table *tables_lookup_rcu(struct tables *ts, uint32_t id);

/*
 * Readers: a number that changes whenever a table is added or removed.
 * Inside urcu_memb_read_lock().
 */
uint64_t tables_version_rcu(struct tables *ts);

/* The table's name, or NULL when it has none or does not exist. */
const char *tables_name(struct tables *ts, uint32_t id);

/*
 * An rt_table_resolve_fn (arg is the struct tables): accepts the name or
 * the decimal id of an existing table. 0 or -ENOENT.
 */
int tables_resolve(const char *name, uint32_t *id, void *tables);

/* Whether a table name is acceptable: [A-Za-z0-9_.-]{1,31}, not all digits. */
bool tables_name_valid(const char *name);

/* How many tables exist (at least 1). */
size_t tables_count(struct tables *ts);
/*
 * The smallest table id >= min_id: 0 and *id set, or -ENOENT when there is
 * none. Iterates in id order: for (rc = tables_seek(ts, 0, &id); !rc;
 * rc = id == UINT32_MAX ? -ENOENT : tables_seek(ts, id + 1, &id)).
 */
int tables_seek(struct tables *ts, uint32_t min_id, uint32_t *id);

#endif

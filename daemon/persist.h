/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Durable operator routes: the journal and snapshots in the state
 * directory (lib/journal.c, lib/snapshot.c, lib/durable.c), recovery at
 * start, and acknowledgements that wait for durability. See
 * docs/durability.md for the promises.
 *
 * The control thread applies a change, journals it (persist_upsert() and
 * friends: a write into the page cache) and commits it; persist_commit()
 * says which record must be durable before the change is acknowledged, as
 * the fsync policy says:
 * - always: persist_commit() syncs, nothing waits;
 * - batch: a sync thread waits batch_delay_us for more records, syncs them
 *   all at once, and wakes the control thread, where the watcher
 *   (persist_on_durable()) learns the new persist_durable_seq();
 * - none: nothing waits; the kernel writes the journal back.
 * A failed write or sync makes routed read-only for changes ("degraded"):
 * persist_read_only_reason() says why; later changes are refused, lookups
 * go on. Who waits for what is the caller's business (control.c holds the
 * answers).
 *
 * Control thread only, except the sync thread inside persist.c.
 */
#ifndef ROUTED_DAEMON_PERSIST_H
#define ROUTED_DAEMON_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <routed/route.h>

struct routed;
struct routed_config;
struct persist;

/*
 * Recover the durable state from cfg->state_dir (newest snapshot, then
 * the journal after it) and open the journal for appending. With
 * truncate_corrupt, corruption is cut off instead of refused. NULL with a
 * message in err when recovery is impossible.
 */
struct persist *persist_open(struct routed *d, const struct routed_config *cfg,
			     bool truncate_corrupt, char *err, size_t errlen);
/*
 * What was recovered (NULL once applied): run.c applies it over the tables
 * after the route files, then calls persist_recovered_applied() with the
 * number of routes it applied, which frees it.
 */
struct rt_durable;
const struct rt_durable *persist_recovered(const struct persist *p);
void persist_recovered_applied(struct persist *p, uint64_t routes);
/* Stop the sync thread (a last sync first), close. Accepts NULL. */
void persist_close(struct persist *p);

/* Whether routes of proto are journaled. */
bool persist_protocol(const struct persist *p, const char *proto);

/*
 * Journal a change already applied through the control socket; routes of
 * protocols that are not persistent are left out. 0, or -errno: routed is
 * degraded from then on.
 */
int persist_upsert(struct persist *p, const struct rt_route *routes, size_t n);
int persist_delete(struct persist *p, const struct rt_route *keys, size_t n);
int persist_flush(struct persist *p, uint32_t table, int family, const char *proto);
int persist_load(struct persist *p, const uint32_t *replace_tables, size_t nt,
		 const struct rt_route *removals, size_t nr, const struct rt_route *routes,
		 size_t n);
int persist_table(struct persist *p, bool create, uint32_t id, const char *name);

/* NULL, or why changes are refused (degraded). */
const char *persist_read_only_reason(const struct persist *p);

/*
 * After a mutating call: make what it journaled durable as the policy
 * says. Returns 0 and *wait_seq (0: durable already, or never waited for;
 * else the record that must be durable first: persist_durable_seq() >=
 * *wait_seq), or -errno when an inline sync failed.
 */
int persist_commit(struct persist *p, uint64_t *wait_seq);

/* The last journal record known to be on disk. */
uint64_t persist_durable_seq(const struct persist *p);

/*
 * Call fn(arg) on the control thread after each sync of the sync thread,
 * whether the durable sequence advanced or the sync failed (routed is then
 * degraded: persist_read_only_reason()), and once more from
 * persist_close() after its last sync. One watcher; fn NULL removes it
 * (a watcher is needed only while something waits).
 */
void persist_on_durable(struct persist *p, void (*fn)(void *arg), void *arg);

/*
 * For info: {"fsync", "state", "error", "journal_seq", "synced_seq", ...}.
 * Also collects a finished snapshot.
 */
json_t *persist_info_json(struct persist *p);

#endif

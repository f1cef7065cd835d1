/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshots: the state a journal prefix compacts into, one file per
 * snapshot, snapshot-<seq, 16 hex digits>.snap, where seq is the last
 * journal record it covers.
 *
 * The file: a 16-byte header ("routeds1", then seq, u64 little-endian),
 * then records in the journal's record format (journal.h) numbered 1, 2,
 * 3, ..., each an item of the caller's (op, payload), then an end record
 * (op RT_SNAPSHOT_OP_END, payload: item count and seq, u64 each). A
 * snapshot without its end record, or with any bad record, is not a
 * snapshot.
 *
 * Writing: a temporary file is written, fsync()ed, renamed into place,
 * and the directory fsync()ed; only then are older snapshots removed. A
 * crash at any point leaves the previous snapshot in place.
 */
#ifndef ROUTED_SNAPSHOT_H
#define ROUTED_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#define RT_SNAPSHOT_OP_END 0xffff

struct rt_snapshot_writer;

/* Start snapshot seq in dir. 0, or -errno with a message in err. */
int rt_snapshot_begin(const char *dir, uint64_t seq, struct rt_snapshot_writer **out,
		      char *err, size_t errlen);
/* Add one item (op neither 0 nor RT_SNAPSHOT_OP_END). 0 or -errno. */
int rt_snapshot_add(struct rt_snapshot_writer *w, uint16_t op, const void *payload,
		    uint32_t length);
/*
 * Finish: end record, fsync, rename, fsync the directory, then remove the
 * older snapshots. Frees w whatever happens. 0, or -errno with a message
 * (the snapshot does not exist then; the older ones are untouched).
 */
int rt_snapshot_commit(struct rt_snapshot_writer *w, char *err, size_t errlen);
/* Give up: the temporary file goes. Accepts NULL. */
void rt_snapshot_abort(struct rt_snapshot_writer *w);

struct rt_snapshot_info {
	uint64_t seq;			/* covered; 0 when there is no snapshot */
	uint64_t items;
	char file[256];			/* "" when there is no snapshot */
};

/* Called for each item in order; nonzero stops loading and is returned. */
typedef int (*rt_snapshot_fn)(uint16_t op, const void *payload, uint32_t length, void *arg);

/*
 * Load the newest snapshot in dir: the whole file is checked before the
 * first item is passed to fn. No snapshot is not an error (info->seq 0).
 * A bad newest snapshot fails with -EBADMSG and a message naming the file
 * and offset: falling back to an older one would lose the journal records
 * already released after the newer one was written.
 */
int rt_snapshot_load(const char *dir, rt_snapshot_fn fn, void *arg, struct rt_snapshot_info *info,
		     char *err, size_t errlen);

#endif

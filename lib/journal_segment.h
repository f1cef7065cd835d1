/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A journal segment file read one record at a time, for replay and
 * rt_journal_read() (journal.c). A record of up to RT_JOURNAL_WHOLE_MAX
 * bytes is read whole into a buffer the reader keeps; a larger one (a
 * load of a million routes) is checked in pieces of that size and handed
 * on with its payload left in the file, for rt_journal_record_read(). So
 * reading a segment holds at most one piece of a large record, never the
 * segment or the record.
 */
#ifndef ROUTED_LIB_JOURNAL_SEGMENT_H
#define ROUTED_LIB_JOURNAL_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/journal.h>

struct journal_segment {
	int fd;
	uint64_t size;			/* of the file when opened */
	uint8_t *buf;			/* a record read whole, or a piece */
	size_t cap;
};

/* Open segment name in dirfd for reading. 0 or -errno. */
int journal_segment_open(struct journal_segment *sg, int dirfd, const char *name);
/* Accepts a segment never opened, or closed (zeroed, fd -1). */
void journal_segment_close(struct journal_segment *sg);

/* len bytes at off; -EIO if the file is shorter. 0 or -errno. */
int journal_segment_pread(const struct journal_segment *sg, void *buf, size_t len, uint64_t off);

/*
 * Decode the record at off as rt_journal_decode() would the file's bytes
 * from off on: *why is RT_JOURNAL_OK (rec and *size filled, rec valid
 * until the next call) or the reason it does not decode. Returns 0, or
 * -errno when the file cannot be read.
 */
int journal_segment_record(struct journal_segment *sg, uint64_t off,
			   struct rt_journal_record *rec, size_t *size,
			   enum rt_journal_decode_error *why);

/*
 * Whether a valid record numbered after last starts at an 8-byte boundary
 * after off (a bad spot followed by one is corruption, not a torn tail).
 * Reads the rest of the file whole: only after a bad spot. A file that
 * cannot be read counts as having one (corruption refuses to start; a
 * torn tail would be cut).
 */
bool journal_segment_valid_after(struct journal_segment *sg, uint64_t off, uint64_t last);

#endif

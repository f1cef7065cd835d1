/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal: an append-only log of numbered records in segment files,
 * the durable half of routed's operator routes (the other half is the
 * snapshot a journal prefix is compacted into).
 *
 * A record (all integers little-endian; every record starts 8-byte
 * aligned, so its length never straddles a sector):
 *
 *   0  u32 length     payload bytes
 *   4  u32 crc        CRC-32C of bytes 0..3 and 8..(24 + length - 1)
 *   8  u64 seq        1, 2, 3, ... without gaps across segments
 *  16  u16 op         what the payload means (the caller's codes, not 0)
 *  18  u16 magic      RT_JOURNAL_MAGIC
 *  20  u32 reserved   0
 *  24  payload, then zeros up to a multiple of 8
 *
 * A segment is a file journal-<first seq, 16 hex digits>.log that starts
 * with a 16-byte header ("routedj1", then the first seq, u64). A segment
 * is sealed when it outgrows the segment size and a new one is started.
 *
 * Opening replays every record after a given seq. A bad record in the last
 * segment with nothing valid after it is a torn tail (a crash during an
 * append): it is cut off and reported. Anything else that is bad (a bad
 * record followed by valid ones, a bad record in an older segment, a gap
 * in the numbering) is corruption: opening fails with a message naming
 * the file and the offset, unless truncate_corrupt is set, in which case
 * everything from the bad record on is dropped, and reported.
 *
 * Threads: one thread appends; rt_journal_sync() may run on another (a
 * group-commit thread), one call at a time. An error writing or syncing is
 * sticky: every later append and sync fails with it, since after a failed
 * fsync the kernel may have dropped the data it could not write.
 */
#ifndef ROUTED_JOURNAL_H
#define ROUTED_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_JOURNAL_HEADER_LEN 24
#define RT_JOURNAL_MAGIC 0x5452		/* "RT" */
#define RT_JOURNAL_MAX_PAYLOAD (1u << 30)	/* a load of 13 M routes */
#define RT_JOURNAL_SEGMENT_HEADER_LEN 16
#define RT_JOURNAL_DEFAULT_SEGMENT_BYTES (64u << 20)

/* Replay reads a record of up to this many bytes whole, a larger one in pieces. */
#define RT_JOURNAL_WHOLE_MAX (1u << 20)

struct rt_journal_record {
	uint64_t seq;
	uint16_t op;
	uint32_t length;
	/*
	 * Points into the decoded buffer; NULL in a replayed record larger
	 * than RT_JOURNAL_WHOLE_MAX, whose payload stays in its file (a load
	 * of a million routes): read it with rt_journal_record_read().
	 */
	const uint8_t *payload;
	int fd;				/* where such a payload is (private) */
	uint64_t payload_off;		/* (private) */
};

/*
 * len bytes of rec's payload from byte off of it, from memory or from the
 * file (only while the replay callback that got rec runs). 0, -EINVAL
 * past the payload's end, or -errno.
 */
int rt_journal_record_read(const struct rt_journal_record *rec, uint64_t off, void *buf,
			   size_t len);

enum rt_journal_decode_error {
	RT_JOURNAL_OK = 0,
	RT_JOURNAL_E_SHORT,		/* fewer bytes than the header or the record */
	RT_JOURNAL_E_LENGTH,		/* longer than RT_JOURNAL_MAX_PAYLOAD */
	RT_JOURNAL_E_HEADER,		/* bad magic, reserved bits, op 0 or padding */
	RT_JOURNAL_E_CRC,		/* checksum mismatch */
};

/* The bytes a record with a payload of length bytes takes, padding included. */
size_t rt_journal_record_size(uint32_t length);

/* Write one record into buf (rt_journal_record_size(length) bytes). */
void rt_journal_encode(void *buf, uint64_t seq, uint16_t op, const void *payload,
		       uint32_t length);

/*
 * Decode the record at the start of buf (avail bytes). On success fills
 * rec (payload points into buf) and *size (the bytes it takes).
 */
enum rt_journal_decode_error rt_journal_decode(const void *buf, size_t avail,
					       struct rt_journal_record *rec, size_t *size);
const char *rt_journal_decode_strerror(enum rt_journal_decode_error e);

struct rt_journal;

struct rt_journal_options {
	const char *dir;		/* existing directory */
	uint64_t segment_bytes;		/* 0: RT_JOURNAL_DEFAULT_SEGMENT_BYTES */
	bool truncate_corrupt;		/* drop everything from a corrupt record on */
};

/* What opening found, for the log. */
struct rt_journal_open_info {
	uint64_t replayed;		/* records passed to the callback */
	uint64_t skipped;		/* records at or before from_seq */
	unsigned segments;
	uint64_t last_seq;		/* of the last valid record, or from_seq */
	bool truncated;			/* a tail (or, with truncate_corrupt, more) was cut */
	char truncated_file[256];
	uint64_t truncated_offset, truncated_bytes;
	bool corrupt;			/* what was cut was corruption, not a torn tail */
};

/*
 * Called for each record after from_seq, in order; nonzero stops opening.
 * rec->payload is NULL for a record over RT_JOURNAL_WHOLE_MAX bytes.
 */
typedef int (*rt_journal_replay_fn)(const struct rt_journal_record *rec, void *arg);

/*
 * Open the journal in o->dir (an empty directory starts one whose first
 * record will be from_seq + 1) and replay it through fn. What it replayed
 * is synced (the segments and the directory) before it counts as synced:
 * rt_journal_synced_seq() is then the last record. Returns 0, or
 * -errno with a message in err (naming the file and offset for
 * corruption; -EBADMSG), or the callback's nonzero value.
 */
int rt_journal_open(const struct rt_journal_options *o, uint64_t from_seq,
		    rt_journal_replay_fn fn, void *arg, struct rt_journal **out,
		    struct rt_journal_open_info *info, char *err, size_t errlen);

/*
 * Append one record; written to the file (the page cache) before this
 * returns, durable only after a later rt_journal_sync(). 0 and *seq, or
 * -errno (sticky, see above).
 */
int rt_journal_append(struct rt_journal *j, uint16_t op, const void *payload, uint32_t length,
		      uint64_t *seq);

/*
 * Writes the next len bytes of a record's payload at buf (the bytes after
 * those of its earlier calls); the calls of one record add up to its
 * length.
 */
typedef void (*rt_journal_fill_fn)(uint8_t *buf, size_t len, void *arg);

/*
 * Append one record of length payload bytes that fill writes piece by
 * piece, as rt_journal_append() does: the journal holds a piece of at
 * most 1 MiB at a time, however long the record, so a caller that can
 * produce its payload in order (a load of a million routes) needs no
 * buffer of the whole. A crash before it returns leaves a torn tail.
 */
int rt_journal_append_fill(struct rt_journal *j, uint16_t op, uint32_t length,
			   rt_journal_fill_fn fill, void *arg, uint64_t *seq);

/* Make every record appended before the call durable. 0 or -errno (sticky). */
int rt_journal_sync(struct rt_journal *j);

/*
 * Read records from_seq + 1 .. upto of the open journal again, through fn
 * (for compaction, from any thread; upto must not be past the last record
 * synced). Nothing is cut: a bad record in that range is an error (with
 * file and offset), and so is a range the journal does not hold entirely.
 */
int rt_journal_read(struct rt_journal *j, uint64_t from_seq, uint64_t upto,
		    rt_journal_replay_fn fn, void *arg, char *err, size_t errlen);

uint64_t rt_journal_last_seq(struct rt_journal *j);
uint64_t rt_journal_synced_seq(struct rt_journal *j);
/* 0, or the sticky error (a negative errno). */
int rt_journal_error(struct rt_journal *j);

/*
 * Remove the segments whose records all have seq <= upto (covered by a
 * durable snapshot). The segment being appended to stays. 0 or -errno.
 */
int rt_journal_release(struct rt_journal *j, uint64_t upto);

/* Close without syncing. Accepts NULL. */
void rt_journal_close(struct rt_journal *j);

#endif

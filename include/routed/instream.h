/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A byte stream read from a file that may be compressed: plain, gzip
 * (zlib) or bzip2 (libbz2), told apart by the first bytes, not by the
 * file's name. Readers see the uncompressed bytes and their offset; only
 * a small buffer is held, never the whole file.
 *
 * Concatenated gzip members and bzip2 streams (pigz, pbzip2, cat a b)
 * read as one stream.
 */
#ifndef ROUTED_INSTREAM_H
#define ROUTED_INSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum instream_kind {
	INSTREAM_PLAIN,
	INSTREAM_GZIP,
	INSTREAM_BZIP2,
};

struct instream;

/*
 * A stream over f, which stays the caller's (instream_close() does not
 * close it). Reads the first bytes to tell the compression. NULL with
 * errno set (ENOMEM; EIO after a read error of f) and a message in err.
 */
struct instream *instream_open(FILE *f, char *err, size_t errlen);

/*
 * Read up to n uncompressed bytes into buf. Returns how many: fewer than
 * n only at the end of the data. A read error or corrupt compressed data
 * returns -EIO or -EBADMSG with a message in err, after every byte
 * before the damage was delivered; compressed data that stops before its
 * end mark returns -ENODATA ("truncated") the same way.
 */
ssize_t instream_read(struct instream *s, void *buf, size_t n, char *err, size_t errlen);

/* Uncompressed bytes delivered so far. */
uint64_t instream_offset(const struct instream *s);

enum instream_kind instream_kind(const struct instream *s);

/* "plain", "gzip", "bzip2". */
const char *instream_kind_name(enum instream_kind kind);

/* Release s (NULL is fine); f stays open. */
void instream_close(struct instream *s);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A journal segment read record by record (see journal_segment.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <routed/crc32c.h>
#include <routed/journal.h>

#include "bytes.h"
#include "journal_segment.h"

int journal_segment_open(struct journal_segment *sg, int dirfd, const char *name)
{
	struct stat st;

	memset(sg, 0, sizeof(*sg));
	sg->fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (sg->fd < 0)
		return -errno;
	if (fstat(sg->fd, &st) < 0) {
		int rc = -errno;

		journal_segment_close(sg);
		return rc;
	}
	sg->size = (uint64_t)st.st_size;
	return 0;
}

void journal_segment_close(struct journal_segment *sg)
{
	if (sg->fd >= 0)
		close(sg->fd);
	free(sg->buf);
	memset(sg, 0, sizeof(*sg));
	sg->fd = -1;
}

static int pread_fd(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the file shrank under us */
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int journal_segment_pread(const struct journal_segment *sg, void *buf, size_t len, uint64_t off)
{
	return pread_fd(sg->fd, buf, len, off);
}

int rt_journal_record_read(const struct rt_journal_record *rec, uint64_t off, void *buf,
			   size_t len)
{
	if (off > rec->length || len > rec->length - off)
		return -EINVAL;
	if (rec->payload) {
		memcpy(buf, rec->payload + off, len);
		return 0;
	}
	return pread_fd(rec->fd, buf, len, rec->payload_off + off);
}

static int reserve(struct journal_segment *sg, size_t len)
{
	uint8_t *b;

	if (len <= sg->cap)
		return 0;
	b = realloc(sg->buf, len);
	if (!b)
		return -ENOMEM;
	sg->buf = b;
	sg->cap = len;
	return 0;
}

/*
 * The checks of rt_journal_decode() on a record too large to read whole:
 * the header at hdr, the payload and padding read piece by piece.
 */
static int check_in_pieces(struct journal_segment *sg, uint64_t off, const uint8_t *hdr,
			   uint32_t length, enum rt_journal_decode_error *why)
{
	size_t size = rt_journal_record_size(length), done = RT_JOURNAL_HEADER_LEN;
	uint32_t crc = rt_crc32c(rt_crc32c(0, hdr, 4), hdr + 8, RT_JOURNAL_HEADER_LEN - 8);
	int rc = reserve(sg, RT_JOURNAL_WHOLE_MAX);

	if (rc)
		return rc;
	if (get_le16(hdr + 18) != RT_JOURNAL_MAGIC || get_le32(hdr + 20) != 0 ||
	    get_le16(hdr + 16) == 0) {
		*why = RT_JOURNAL_E_HEADER;
		return 0;
	}
	while (done < size) {
		size_t piece = size - done < RT_JOURNAL_WHOLE_MAX ? size - done : RT_JOURNAL_WHOLE_MAX;
		size_t payload_end = RT_JOURNAL_HEADER_LEN + (size_t)length;
		size_t in_payload = done < payload_end ?
				    (payload_end - done < piece ? payload_end - done : piece) : 0;

		rc = journal_segment_pread(sg, sg->buf, piece, off + done);
		if (rc)
			return rc;
		crc = rt_crc32c(crc, sg->buf, in_payload);
		for (size_t i = in_payload; i < piece; i++) {
			if (sg->buf[i]) {
				*why = RT_JOURNAL_E_HEADER;	/* padding not zero */
				return 0;
			}
		}
		done += piece;
	}
	*why = crc == get_le32(hdr + 4) ? RT_JOURNAL_OK : RT_JOURNAL_E_CRC;
	return 0;
}

int journal_segment_record(struct journal_segment *sg, uint64_t off,
			   struct rt_journal_record *rec, size_t *size,
			   enum rt_journal_decode_error *why)
{
	uint64_t avail = off < sg->size ? sg->size - off : 0;
	uint8_t hdr[RT_JOURNAL_HEADER_LEN];
	uint32_t length;
	size_t need;
	int rc;

	*why = RT_JOURNAL_E_SHORT;
	if (avail < RT_JOURNAL_HEADER_LEN)
		return 0;
	rc = journal_segment_pread(sg, hdr, sizeof(hdr), off);
	if (rc)
		return rc;
	length = get_le32(hdr);
	if (length > RT_JOURNAL_MAX_PAYLOAD) {
		*why = RT_JOURNAL_E_LENGTH;
		return 0;
	}
	need = rt_journal_record_size(length);
	if (avail < need)
		return 0;
	if (need <= RT_JOURNAL_WHOLE_MAX) {
		rc = reserve(sg, need);
		if (!rc)
			rc = journal_segment_pread(sg, sg->buf, need, off);
		if (rc)
			return rc;
		*why = rt_journal_decode(sg->buf, need, rec, size);
		rec->fd = -1;
		return 0;
	}
	rc = check_in_pieces(sg, off, hdr, length, why);
	if (rc || *why)
		return rc;
	rec->length = length;
	rec->seq = get_le64(hdr + 8);
	rec->op = get_le16(hdr + 16);
	rec->payload = NULL;
	rec->fd = sg->fd;
	rec->payload_off = off + RT_JOURNAL_HEADER_LEN;
	*size = need;
	return 0;
}

bool journal_segment_valid_after(struct journal_segment *sg, uint64_t off, uint64_t last)
{
	size_t rest = off < sg->size ? (size_t)(sg->size - off) : 0;
	uint8_t *data = malloc(rest ? rest : 1);
	bool found = false;

	if (!data || journal_segment_pread(sg, data, rest, off)) {
		free(data);
		return true;
	}
	/* off is 8-aligned (records are), so data's 8-byte boundaries are the file's. */
	for (size_t at = 8; at + RT_JOURNAL_HEADER_LEN <= rest && !found; at += 8) {
		struct rt_journal_record rec;
		size_t rsize;

		found = rt_journal_decode(data + at, rest - at, &rec, &rsize) == RT_JOURNAL_OK &&
			rec.seq > last;
	}
	free(data);
	return found;
}

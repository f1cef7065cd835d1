/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal's record codec (the layout is in journal.h): what the
 * appender (journal.c), the segment reader (journal_segment.c) and the
 * fuzz target share.
 */
#include "config.h"

#include <string.h>

#include <routed/crc32c.h>
#include <routed/journal.h>

#include "bytes.h"

size_t rt_journal_record_size(uint32_t length)
{
	return (RT_JOURNAL_HEADER_LEN + (size_t)length + 7) & ~(size_t)7;
}

static uint32_t record_crc(const uint8_t *rec, uint32_t length)
{
	uint32_t crc = rt_crc32c(0, rec, 4);

	return rt_crc32c(crc, rec + 8, RT_JOURNAL_HEADER_LEN - 8 + (size_t)length);
}

void rt_journal_encode(void *buf, uint64_t seq, uint16_t op, const void *payload,
		       uint32_t length)
{
	uint8_t *p = buf;
	size_t size = rt_journal_record_size(length);

	put_le32(p, length);
	put_le64(p + 8, seq);
	put_le16(p + 16, op);
	put_le16(p + 18, RT_JOURNAL_MAGIC);
	put_le32(p + 20, 0);
	if (length)
		memcpy(p + RT_JOURNAL_HEADER_LEN, payload, length);
	memset(p + RT_JOURNAL_HEADER_LEN + length, 0, size - RT_JOURNAL_HEADER_LEN - length);
	put_le32(p + 4, record_crc(p, length));
}

enum rt_journal_decode_error rt_journal_decode(const void *buf, size_t avail,
					       struct rt_journal_record *rec, size_t *size)
{
	const uint8_t *p = buf;
	uint32_t length;
	size_t need;

	if (avail < RT_JOURNAL_HEADER_LEN)
		return RT_JOURNAL_E_SHORT;
	length = get_le32(p);
	if (length > RT_JOURNAL_MAX_PAYLOAD)
		return RT_JOURNAL_E_LENGTH;
	need = rt_journal_record_size(length);
	if (avail < need)
		return RT_JOURNAL_E_SHORT;
	if (get_le16(p + 18) != RT_JOURNAL_MAGIC || get_le32(p + 20) != 0 || get_le16(p + 16) == 0)
		return RT_JOURNAL_E_HEADER;
	for (size_t i = RT_JOURNAL_HEADER_LEN + length; i < need; i++)
		if (p[i])
			return RT_JOURNAL_E_HEADER;
	if (get_le32(p + 4) != record_crc(p, length))
		return RT_JOURNAL_E_CRC;
	rec->length = length;
	rec->seq = get_le64(p + 8);
	rec->op = get_le16(p + 16);
	rec->payload = p + RT_JOURNAL_HEADER_LEN;
	rec->fd = -1;
	rec->payload_off = 0;
	*size = need;
	return RT_JOURNAL_OK;
}

const char *rt_journal_decode_strerror(enum rt_journal_decode_error e)
{
	switch (e) {
	case RT_JOURNAL_OK:
		return "valid";
	case RT_JOURNAL_E_SHORT:
		return "incomplete record";
	case RT_JOURNAL_E_LENGTH:
		return "impossible record length";
	case RT_JOURNAL_E_HEADER:
		return "bad record header";
	case RT_JOURNAL_E_CRC:
		return "checksum mismatch";
	}
	return "unknown error";
}


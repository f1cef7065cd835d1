/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FRR's FPM framing (fpm/fpm.h in FRR): a 4-byte header, u8 version (1),
 * u8 type (1: netlink), u16 big-endian length including the header, then
 * the payload: one or more netlink messages in host byte order
 * (rtnl_msg_next() walks them). Pure parsing of a byte stream: the caller
 * owns the buffer and the socket.
 */
#ifndef ROUTED_FPM_H
#define ROUTED_FPM_H

#include <stddef.h>
#include <stdint.h>

#define FPM_HEADER_LEN 4
#define FPM_VERSION 1
#define FPM_TYPE_NETLINK 1
#define FPM_MAX_FRAME 65535u		/* the length field's limit, header included */

enum fpm_status {
	FPM_OK = 0,
	FPM_NEED_MORE,			/* no whole frame yet: read more */
	FPM_ERR_VERSION,		/* version is not 1 */
	FPM_ERR_TYPE,			/* type is not netlink (protobuf is not spoken) */
	FPM_ERR_LENGTH,			/* length below the header's */
	FPM_STATUS_COUNT
};

/* A status's name for counters ("bad-version"). */
const char *fpm_status_name(unsigned status);

struct fpm_frame {
	const uint8_t *payload;		/* into the caller's buffer */
	size_t len;			/* payload bytes (length - 4) */
};

/*
 * The frame at buf[*off..len): FPM_OK with *f set and *off moved past it,
 * FPM_NEED_MORE (nothing moved), or an error: the stream cannot be
 * trusted from there on (no resynchronisation is possible).
 */
enum fpm_status fpm_frame_next(const uint8_t *buf, size_t len, size_t *off, struct fpm_frame *f);

/*
 * The payload where netlink messages can be decoded in place: f->payload
 * if it is 4-byte aligned, else a copy in scratch (FPM_MAX_FRAME bytes,
 * 4-byte aligned).
 */
const void *fpm_frame_aligned(const struct fpm_frame *f, void *scratch);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FRR's FPM framing (see fpm.h). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <routed/fpm.h>

static const char *const status_names[FPM_STATUS_COUNT] = {
	[FPM_OK] = "ok",
	[FPM_NEED_MORE] = "partial-frame",
	[FPM_ERR_VERSION] = "bad-version",
	[FPM_ERR_TYPE] = "bad-frame-type",
	[FPM_ERR_LENGTH] = "bad-frame-length",
};

const char *fpm_status_name(unsigned status)
{
	return status < FPM_STATUS_COUNT ? status_names[status] : "unknown";
}

enum fpm_status fpm_frame_next(const uint8_t *buf, size_t len, size_t *off, struct fpm_frame *f)
{
	const uint8_t *h = buf + *off;
	size_t left = len - *off, flen;

	if (left < FPM_HEADER_LEN)
		return FPM_NEED_MORE;
	/* Check the header before waiting for the rest: garbage fails early. */
	if (h[0] != FPM_VERSION)
		return FPM_ERR_VERSION;
	if (h[1] != FPM_TYPE_NETLINK)
		return FPM_ERR_TYPE;
	flen = (size_t)h[2] << 8 | h[3];
	if (flen < FPM_HEADER_LEN)
		return FPM_ERR_LENGTH;
	if (left < flen)
		return FPM_NEED_MORE;
	f->payload = h + FPM_HEADER_LEN;
	f->len = flen - FPM_HEADER_LEN;
	*off += flen;
	return FPM_OK;
}

const void *fpm_frame_aligned(const struct fpm_frame *f, void *scratch)
{
	if (!((uintptr_t)f->payload & 3))
		return f->payload;
	memcpy(scratch, f->payload, f->len);
	return scratch;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
 * iSCSI (RFC 3720, appendix B.4) and ext4 metadata. The journal and the
 * snapshots protect every record with it. Uses the SSE 4.2 crc32
 * instruction where the CPU has it.
 */
#ifndef ROUTED_CRC32C_H
#define ROUTED_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continue a CRC over len more bytes: start with crc = 0; the result of
 * one call is the crc argument of the next. rt_crc32c(0, "123456789", 9)
 * is 0xe3069283.
 */
uint32_t rt_crc32c(uint32_t crc, const void *buf, size_t len);

#endif

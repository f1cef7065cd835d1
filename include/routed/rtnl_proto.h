/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtm_protocol numbers as routed protocol names: the kernel's
 * <linux/rtnetlink.h> values and the ones FRR's zebra uses
 * (zebra/rt_netlink.h), each as a word of routed's proto syntax
 * ([a-z0-9_-], at most 15 characters). A number without a name is
 * "proto-N".
 */
#ifndef ROUTED_RTNL_PROTO_H
#define ROUTED_RTNL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <routed/route.h>

/*
 * The name of protocol, written to buf (RT_PROTO_LEN bytes); returns buf.
 * RTPROT_KERNEL (2) is "connected": what the kernel installs for an
 * address, and what zebra sends for connected routes.
 */
char *rtnl_proto_name(uint8_t protocol, char buf[RT_PROTO_LEN]);

/*
 * The number whose name (rtnl_proto_name) is name: 0 with *protocol set,
 * or -ENOENT. Feeds that take routes by name keep them by number.
 */
int rtnl_proto_number(const char *name, uint8_t *protocol);

/* Whether protocol is RTPROT_KERNEL: a connected route. */
static inline int rtnl_proto_connected(uint8_t protocol)
{
	return protocol == 2;
}

#endif

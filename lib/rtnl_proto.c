/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtm_protocol numbers as routed protocol names (see rtnl_proto.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <routed/rtnl_proto.h>

/*
 * The kernel's RTPROT_* (<linux/rtnetlink.h>) and FRR's (zebra/rt_netlink.h:
 * 186 and up). RTPROT_STATIC (4, ip route's default) and FRR's staticd (196)
 * are both "static"; RTPROT_ZEBRA (11) is what zebra marks its own
 * next-hop objects and kernel routes with.
 */
static const char *const names[256] = {
	[0] = "unspec",
	[1] = "redirect",
	[2] = "connected",
	[3] = "boot",
	[4] = "static",
	[8] = "gated",
	[9] = "ra",
	[10] = "mrt",
	[11] = "zebra",
	[12] = "bird",
	[13] = "dnrouted",
	[14] = "xorp",
	[15] = "ntk",
	[16] = "dhcp",
	[17] = "mrouted",
	[18] = "keepalived",
	[42] = "babel",
	[99] = "openr",
	[186] = "bgp",
	[187] = "isis",
	[188] = "ospf",
	[189] = "rip",
	[190] = "ripng",
	[191] = "nhrp",
	[192] = "eigrp",
	[193] = "ldp",
	[194] = "sharp",
	[195] = "pbr",
	[196] = "static",
	[197] = "openfabric",
	[198] = "srte",
};

char *rtnl_proto_name(uint8_t protocol, char buf[RT_PROTO_LEN])
{
	/* Every name fits (at most "openfabric"); a feed calls this per route: no stdio. */
	if (names[protocol])
		memcpy(buf, names[protocol], strlen(names[protocol]) + 1);
	else
		snprintf(buf, RT_PROTO_LEN, "proto-%u", protocol);
	return buf;
}

int rtnl_proto_number(const char *name, uint8_t *protocol)
{
	char buf[RT_PROTO_LEN];

	for (unsigned i = 0; i <= UINT8_MAX; i++)
		if (!strcmp(rtnl_proto_name((uint8_t)i, buf), name)) {
			*protocol = (uint8_t)i;
			return 0;
		}
	return -ENOENT;
}

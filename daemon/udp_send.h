/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A UDP worker's replies, sent with as few trips through the kernel's
 * output path as the kernel allows: the replies of one round that go to
 * the same peer and are equally long leave as one message with UDP
 * segmentation offload (UDP_SEGMENT), which the stack cuts into the
 * same datagrams, byte for byte, that one message per reply would give.
 * Nothing on the wire changes: every reply is still its own datagram to
 * its request's source; only the order of replies to different peers
 * within a round may change (each peer's replies keep theirs).
 *
 * A kernel that refuses segmentation turns it off for the sender, and
 * the round is sent again one message per reply.
 */
#ifndef ROUTED_UDP_SEND_H
#define ROUTED_UDP_SEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "routed_config.h"

#define UDP_SEND_MAX CONFIG_MAX_BATCH

struct udp_send_result {
	unsigned sent;			/* datagrams the kernel took */
	unsigned failed;		/* datagrams dropped on a send error */
	unsigned segmented;		/* of sent, those in segmented messages */
};

/* One worker's send state; its thread only. */
struct udp_send {
	bool segment;			/* try UDP_SEGMENT */
	unsigned n_msg;
	struct mmsghdr msg[UDP_SEND_MAX];
	struct iovec iov[UDP_SEND_MAX];
	unsigned count[UDP_SEND_MAX];	/* datagrams in msg[k] */
	unsigned group[UDP_SEND_MAX];	/* reply i's message */
	char cmsg[UDP_SEND_MAX][CMSG_SPACE(sizeof(uint16_t))] __attribute__((aligned(8)));
};

/*
 * segment: whether to try segmentation at all (routed(8):
 * ROUTED_UDP_SEGMENT=0 turns it off).
 */
void udp_send_init(struct udp_send *s, bool segment);

/*
 * Group replies[0..n) (each with a peer in msg_name and one iovec) into
 * messages: consecutive replies of one peer (others' between them) that
 * are equally long together, up to what one segmented message may carry;
 * each peer's replies stay in their order across its messages. n is at
 * most UDP_SEND_MAX. Returns the number of messages; exposed for the tests.
 */
unsigned udp_send_group(struct udp_send *s, const struct mmsghdr *replies, unsigned n);

/*
 * Send replies[0..n) on fd (non-blocking): grouped if segmentation is on
 * (and n is at most UDP_SEND_MAX), else one message each. replies may be
 * reordered when the kernel refuses segmentation.
 */
struct udp_send_result udp_send_replies(struct udp_send *s, int fd, struct mmsghdr *replies,
					unsigned n);

/* Whether the environment turns segmentation off (ROUTED_UDP_SEGMENT=0). */
bool udp_send_segment_wanted(void);

#endif

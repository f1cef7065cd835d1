/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replies grouped for UDP segmentation offload (see udp_send.h).
 *
 * Why: on the service's path the kernel's output side (a route, an skb,
 * the IP and netfilter hooks, the device, and on loopback the input side
 * again) ran once per reply and was the largest part of a datagram's
 * cost. With UDP_SEGMENT it runs once per message and the datagrams are
 * cut from the one skb at the end (docs/performance.md).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>

#include "udp_send.h"

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

/*
 * The most one segmented message may carry: the kernel's limit on
 * segments (UDP_MAX_SEGMENTS, 64 since UDP_SEGMENT exists) and an IP
 * packet's payload (65,535 less the IPv4 and UDP headers; IPv6 allows
 * more).
 */
#define SEGMENTS_MAX 64u
#define SEGMENTED_BYTES_MAX 65507u
/* Peers a round's grouping keeps open: bounds the search per reply. */
#define OPEN_GROUPS 8u

bool udp_send_segment_wanted(void)
{
	const char *v = getenv("ROUTED_UDP_SEGMENT");

	return !(v && strcmp(v, "0") == 0);
}

void udp_send_init(struct udp_send *s, bool segment)
{
	memset(s, 0, sizeof(*s));
	s->segment = segment;
}

static unsigned segments_max(size_t len)
{
	size_t by_bytes = len ? SEGMENTED_BYTES_MAX / len : 1;

	return by_bytes < SEGMENTS_MAX ? (unsigned)by_bytes : SEGMENTS_MAX;
}

static bool same_peer(const struct msghdr *a, const struct msghdr *b)
{
	return a->msg_namelen == b->msg_namelen &&
	       memcmp(a->msg_name, b->msg_name, a->msg_namelen) == 0;
}

static void close_open(unsigned *open, unsigned *n_open, unsigned k)
{
	memmove(open + k, open + k + 1, (*n_open - k - 1) * sizeof(*open));
	(*n_open)--;
}

static void message_set(struct udp_send *s, unsigned g, const struct msghdr *head,
			unsigned start)
{
	struct msghdr *m = &s->msg[g].msg_hdr;

	*m = (struct msghdr){
		.msg_name = head->msg_name,
		.msg_namelen = head->msg_namelen,
		.msg_iov = &s->iov[start],
		.msg_iovlen = s->count[g],
	};
	if (s->count[g] > 1) {
		struct cmsghdr *cm;
		uint16_t size = (uint16_t)head->msg_iov[0].iov_len;

		m->msg_control = s->cmsg[g];
		m->msg_controllen = sizeof(s->cmsg[g]);
		cm = CMSG_FIRSTHDR(m);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(size));
		memcpy(CMSG_DATA(cm), &size, sizeof(size));
	}
}

/*
 * The open group reply r joins, or n_open if none. A group of r's peer
 * with another length is closed: what comes after r for that peer must
 * not leave before it.
 */
static unsigned find_open(const struct mmsghdr *replies, const unsigned *first, unsigned *open,
			  unsigned *n_open, const struct msghdr *r, size_t len)
{
	for (unsigned k = 0; k < *n_open; k++) {
		const struct msghdr *head = &replies[first[open[k]]].msg_hdr;

		if (!same_peer(head, r))
			continue;
		if (head->msg_iov[0].iov_len == len)
			return k;
		close_open(open, n_open, k);
		break;	/* a peer has at most one open group */
	}
	return *n_open;
}

unsigned udp_send_group(struct udp_send *s, const struct mmsghdr *replies, unsigned n)
{
	unsigned first[UDP_SEND_MAX], next[UDP_SEND_MAX], open[OPEN_GROUPS];
	unsigned n_msg = 0, n_open = 0, start = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct msghdr *r = &replies[i].msg_hdr;
		size_t len = r->msg_iov[0].iov_len;
		unsigned k = find_open(replies, first, open, &n_open, r, len), g;

		if (k < n_open) {
			g = open[k];
		} else {
			g = n_msg++;
			first[g] = i;
			s->count[g] = 0;
			if (n_open == OPEN_GROUPS)
				close_open(open, &n_open, 0);	/* the oldest peer's group */
			k = n_open;
			open[n_open++] = g;
		}
		s->group[i] = g;
		if (++s->count[g] == segments_max(len))
			close_open(open, &n_open, k);
	}
	/* Each message's iovecs together, in its replies' order. */
	for (unsigned g = 0; g < n_msg; g++) {
		next[g] = start;
		message_set(s, g, &replies[first[g]].msg_hdr, start);
		start += s->count[g];
	}
	for (unsigned i = 0; i < n; i++)
		s->iov[next[s->group[i]]++] = replies[i].msg_hdr.msg_iov[0];
	s->n_msg = n_msg;
	return n_msg;
}

/* One message per reply, as without segmentation. */
static void send_plain(int fd, struct mmsghdr *replies, unsigned n, struct udp_send_result *res)
{
	unsigned sent = 0;

	while (sent < n) {
		int rc = sendmmsg(fd, replies + sent, n - sent, MSG_DONTWAIT);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			/* A full send buffer: UDP drops, and so do we (counted). */
			res->failed += n - sent;
			break;
		}
		sent += (unsigned)rc;
	}
	res->sent += sent;
}

/* Errors that say the kernel or the path will not segment, not that it is busy. */
static bool segmentation_refused(int err)
{
	return err == EIO || err == EINVAL || err == EMSGSIZE || err == ENOPROTOOPT ||
	       err == EOPNOTSUPP;
}

/* The replies of messages from..n_msg moved to the front of replies, in order; how many. */
static unsigned replies_from(const struct udp_send *s, struct mmsghdr *replies, unsigned n,
			     unsigned from)
{
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++)
		if (s->group[i] >= from)
			replies[m++] = replies[i];
	return m;
}

struct udp_send_result udp_send_replies(struct udp_send *s, int fd, struct mmsghdr *replies,
					unsigned n)
{
	struct udp_send_result res = { 0 };
	unsigned k = 0, n_msg;

	if (!s->segment || n < 2 || n > UDP_SEND_MAX ||
	    (n_msg = udp_send_group(s, replies, n)) == n) {
		send_plain(fd, replies, n, &res);
		return res;
	}
	while (k < n_msg) {
		int rc = sendmmsg(fd, s->msg + k, n_msg - k, MSG_DONTWAIT);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc > 0) {
			for (unsigned end = k + (unsigned)rc; k < end; k++) {
				res.sent += s->count[k];
				if (s->count[k] > 1)
					res.segmented += s->count[k];
			}
			continue;
		}
		if (rc < 0 && s->count[k] > 1 && segmentation_refused(errno)) {
			/* Off for good on this sender: the rest go one by one. */
			s->segment = false;
			send_plain(fd, replies, replies_from(s, replies, n, k), &res);
			return res;
		}
		for (; k < n_msg; k++)
			res.failed += s->count[k];
	}
	return res;
}

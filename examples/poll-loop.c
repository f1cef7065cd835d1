/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Many lookups in flight from an event loop: libroutedclient's
 * non-blocking interface under poll(2).
 *
 *	cc poll-loop.c $(pkg-config --cflags --libs routed-client) -o poll-loop
 *	./poll-loop 127.0.0.1:5300 < addresses.txt
 *
 * Reads one address a line, looks them up in batches of BATCH with up to
 * IN_FLIGHT batches outstanding, and prints "ADDRESS PREFIX" (or "ADDRESS
 * -") in input order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/client.h>

#define BATCH 100
#define IN_FLIGHT 8

struct batch {
	size_t first, n;
	int status;
	int done;
};

static int parse(const char *text, struct routed_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	return inet_pton(a->family, text, a->addr) == 1 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct routed_addr *addrs = NULL;
	struct routed_answer_bin *answers = NULL;
	struct batch *batches = NULL;
	size_t n = 0, cap = 0, nbatches, next = 0, finished = 0;
	struct routed_client *c;
	char line[128], err[256];
	int status = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: poll-loop SERVERS < addresses\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			addrs = realloc(addrs, cap * sizeof(*addrs));
			if (!addrs)
				return 1;
		}
		if (parse(line, &addrs[n])) {
			fprintf(stderr, "poll-loop: '%s' is not an address\n", line);
			return 1;
		}
		n++;
	}
	if (!n)
		return 0;
	nbatches = (n + BATCH - 1) / BATCH;
	answers = calloc(n, sizeof(*answers));
	batches = calloc(nbatches, sizeof(*batches));
	c = routed_client_open(argv[1], err, sizeof(err));
	if (!answers || !batches || !c) {
		fprintf(stderr, "poll-loop: %s\n", c ? strerror(ENOMEM) : err);
		goto out;
	}
	while (finished < nbatches) {
		struct routed_completion done[IN_FLIGHT];
		struct pollfd pfd = { .fd = routed_client_fd(c), .events = POLLIN };
		int k;

		/* Keep IN_FLIGHT batches outstanding; each carries its own index. */
		while (next < nbatches && routed_client_pending(c) < IN_FLIGHT) {
			struct batch *b = &batches[next];

			b->first = next * BATCH;
			b->n = n - b->first < BATCH ? n - b->first : BATCH;
			if (routed_client_submit(c, 0, addrs + b->first, b->n, answers + b->first,
						 b) < 0) {
				fprintf(stderr, "poll-loop: %s\n", routed_client_last_error(c));
				goto out;
			}
			next++;
		}
		/* Wait for a response or the next retry, whichever comes first. */
		if (poll(&pfd, 1, routed_client_timeout_ms(c)) < 0 && errno != EINTR)
			goto out;
		k = routed_client_complete(c, done, IN_FLIGHT);
		if (k < 0)
			goto out;
		for (int i = 0; i < k; i++) {
			struct batch *b = done[i].user;

			b->status = done[i].status;
			b->done = 1;
			finished++;
		}
	}
	status = 0;
	for (size_t i = 0; i < n; i++) {
		const struct batch *b = &batches[i / BATCH];
		char text[INET6_ADDRSTRLEN];

		inet_ntop(addrs[i].family, addrs[i].addr, text, sizeof(text));
		if (b->status < 0 && b->status != -ENOENT) {
			printf("%s error: %s\n", text, strerror(-b->status));
			status = 1;
		} else if (answers[i].found) {
			printf("%s /%u\n", text, answers[i].prefix_len);
		} else {
			printf("%s -\n", text);
		}
	}
out:
	routed_client_close(c);
	free(addrs);
	free(answers);
	free(batches);
	return status;
}

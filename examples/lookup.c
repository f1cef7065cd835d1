/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Look addresses up in routed, blocking: the smallest use of
 * libroutedclient.
 *
 *	cc lookup.c $(pkg-config --cflags --libs routed-client) -o lookup
 *	./lookup 127.0.0.1:5300 10.1.2.3 2001:db8::1
 *
 * Prints one line per address: the address, then the matched prefix, the
 * gateway and the tag, or "no route".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/client.h>

int main(int argc, char **argv)
{
	struct routed_answer *answers;
	struct routed_client *c;
	char err[256];
	size_t n;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: lookup SERVERS ADDRESS...\n");
		return 2;
	}
	c = routed_client_open(argv[1], err, sizeof(err));
	if (!c) {
		fprintf(stderr, "lookup: %s\n", err);
		return 1;
	}
	n = (size_t)argc - 2;
	answers = calloc(n, sizeof(*answers));
	if (!answers) {
		routed_client_close(c);
		return 1;
	}
	/* 0: the table of the server's listener (main). */
	rc = routed_client_lookup(c, 0, (const char *const *)argv + 2, n, answers);
	if (rc < 0) {
		fprintf(stderr, "lookup: %s\n", routed_client_last_error(c));
	} else {
		for (size_t i = 0; i < n; i++) {
			const struct routed_answer *a = &answers[i];

			if (!a->found) {
				printf("%s no route\n", argv[i + 2]);
				continue;
			}
			printf("%s %s", argv[i + 2], a->prefix);
			if (a->reject)
				printf(" reject");
			if (a->has_via)
				printf(" via %s", a->via);
			if (a->has_tag)
				printf(" tag %u", a->tag);
			printf(" generation %llu\n", (unsigned long long)a->generation);
		}
	}
	free(answers);
	routed_client_close(c);
	return rc < 0 ? 1 : 0;
}

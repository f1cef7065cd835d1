/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routectl's shared context: the connection (opened on first use), the
 * renderer chosen by -j, and the commands' entry points.
 */
#ifndef ROUTECTL_H
#define ROUTECTL_H

#include <stdbool.h>

#include <jansson.h>

#include "ctl_client.h"
#include "ctl_output.h"

enum ctl_exit {
	EXIT_OK = 0,
	EXIT_ERROR = 1,		/* the daemon returned an error, bad input */
	EXIT_USAGE = 2,		/* unknown command or word, missing argument */
	EXIT_UNREACHABLE = 3,	/* cannot connect, timed out, connection lost */
};

struct ctl {
	const char *socket_path;
	int timeout_ms;			/* < 0: none */
	bool json;
	const struct ctl_output *out;	/* human or JSON, chosen once */
	struct ctl_client *client;	/* NULL until the first call */
};

/* Print "routectl: MESSAGE" to stderr. */
void ctl_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the message and the usage of cmd ("route add", ...); returns EXIT_USAGE. */
int ctl_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Connect if not yet connected: EXIT_OK or EXIT_UNREACHABLE (reported). */
int ctl_connect(struct ctl *ctl);

/*
 * Call a method (params stolen, may be NULL). Returns EXIT_OK with *result
 * a new reference, or an exit code with the error reported on stderr.
 */
int ctl_call(struct ctl *ctl, const char *method, json_t *params, json_t **result);

/*
 * Like ctl_call(), but an error answer is not reported: it is returned in
 * err as EXIT_ERROR, for callers that say which input caused it.
 */
int ctl_call_quiet(struct ctl *ctl, const char *method, json_t *params, json_t **result,
		   struct ctl_error *err);

/* Report a transport failure and return EXIT_UNREACHABLE. */
int ctl_transport_error(const struct ctl_error *err);

/*
 * Stream route.list pages for filter (route.list params without limit and
 * cursor; borrowed): page() gets each page's "routes" array and returns 0
 * to go on or an exit code to stop. Returns an exit code.
 */
int ctl_route_list(struct ctl *ctl, json_t *filter, int (*page)(json_t *routes, void *arg),
		   void *arg);

/* "-4"/"-6" among the words: the family value for params, or NULL. */
const char *ctl_family(const char *v4, const char *v6);

/* Commands: argv[0] is the first word after the command name. */
int cmd_route(struct ctl *ctl, int argc, char **argv);
int cmd_lookup(struct ctl *ctl, int argc, char **argv);
int cmd_load(struct ctl *ctl, int argc, char **argv);
int cmd_save(struct ctl *ctl, int argc, char **argv);
int cmd_monitor(struct ctl *ctl, int argc, char **argv);

#endif

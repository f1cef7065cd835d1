/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routed: parse the command line, load and check the configuration, then
 * either report on it (--check-config, --print-config) or run the daemon.
 */
#include <config.h> /* autoconf's, from the build directory: first, before any system header */

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "daemon.h"
#include "options.h"

static int print_config(const struct routed_config *cfg)
{
	json_t *j = config_to_json(cfg);
	int rc = 1;

	if (!j) {
		fputs("routed: out of memory\n", stderr);
		return 1;
	}
	if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
	    fputc('\n', stdout) != EOF && fflush(stdout) == 0)
		rc = 0;
	else
		perror("routed: stdout");
	json_decref(j);
	return rc;
}

int main(int argc, char **argv)
{
	struct routed_config *cfg;
	struct options opts;
	char err[1024];
	sigset_t all;
	int rc;

	/*
	 * Block every signal before any thread exists (liburcu starts its own):
	 * threads inherit the mask, so signals can only be taken where the
	 * control loop unblocks and waits for them, never on a lookup thread.
	 */
	sigfillset(&all);
	rc = pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (rc) {
		fprintf(stderr, "routed: pthread_sigmask: %s\n", strerror(rc));
		return 1;
	}

	rc = options_parse(argc, argv, &opts);
	if (rc == 1)
		return 0;
	if (rc)
		return 2;

	cfg = config_load(opts.config_file, &opts.overrides, err, sizeof(err));
	if (!cfg) {
		/* "FILE:LINE:COL: message" stays first on the line, where editors look. */
		size_t n = opts.config_file ? strlen(opts.config_file) : 0;
		bool in_file = n && !strncmp(err, opts.config_file, n) && err[n] == ':';

		fprintf(stderr, "%s%s\n", in_file ? "" : "routed: ", err);
		return 1;
	}
	if (opts.print_config) {
		rc = print_config(cfg);
	} else if (opts.check_config) {
		fprintf(stderr, "routed: %s: configuration OK\n",
			opts.config_file ? opts.config_file : "built-in defaults");
		rc = 0;
	} else {
		rc = routed_run(&opts, cfg);
	}
	config_free(cfg);
	return rc;
}

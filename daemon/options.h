/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line of routed(8). */
#ifndef ROUTED_DAEMON_OPTIONS_H
#define ROUTED_DAEMON_OPTIONS_H

#include <stdbool.h>

#include "routed_config.h"

struct options {
	const char *config_file;	/* -c; NULL: embedded defaults */
	bool check_config;
	bool print_config;
	bool journal_truncate;		/* --journal-recovery=truncate */
	struct config_overrides overrides;
};

/*
 * Parse argv. Returns 0 to go on, 1 when done (--help, --version printed),
 * 2 on a usage error (message printed to stderr).
 */
int options_parse(int argc, char **argv, struct options *o);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration file as text: JSON with // and slash-star comments.
 * Read it, blank out its comments, parse it with jansson, and say where a
 * value sits in it ("FILE:LINE:COL"): jansson gives positions for syntax
 * errors only.
 */
#ifndef ROUTED_DAEMON_CONFIG_FILE_H
#define ROUTED_DAEMON_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "config_path.h"

struct config_file {
	const char *path;	/* as named by the caller; NULL: no file */
	char *orig;		/* the file as read, for columns */
	char *text;		/* the same with comments blanked: what jansson parsed */
	size_t len;
};

/*
 * Read the file at path into f and parse it (duplicate keys are errors).
 * Returns the root value (new reference), or NULL with "FILE:LINE:COL:
 * message" or "FILE: message" in err. Either way, release f afterwards.
 */
json_t *config_file_parse(struct config_file *f, const char *path, char *err, size_t errlen);
void config_file_release(struct config_file *f);

/*
 * "FILE:LINE:COL: PATH: msg" in err, at the value p names in f (at its key
 * with at_key); "FILE: PATH: msg" when f has no text or the value cannot
 * be found there.
 */
void config_file_error(const struct config_file *f, const struct config_path *p, bool at_key,
		       const char *msg, char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration values, one checker per key type (config_schema.h): a JSON
 * value from the file, an option or a default, checked and stored in
 * struct routed_config; and back, for the normalized print. A failed check
 * leaves one message in the loader's error buffer.
 */
#ifndef ROUTED_DAEMON_CONFIG_VALUE_H
#define ROUTED_DAEMON_CONFIG_VALUE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "config_file.h"
#include "config_path.h"
#include "config_schema.h"
#include "routed_config.h"

/* Where the value being checked came from: it decides how errors name it. */
enum config_origin {
	CONFIG_FROM_FILE,	/* "FILE:LINE:COL: PATH: message" */
	CONFIG_FROM_OPTION,	/* "option --x: message" */
	CONFIG_FROM_DEFAULT,	/* "default PATH: message" */
};

/* One routed_config_load(). */
struct config_loader {
	struct config_file file;	/* file.path NULL: no file */
	char dir[PATH_MAX];		/* the file's directory, for relative route files */
	enum config_origin origin;	/* of the value being checked */
	const char *option;		/* CONFIG_FROM_OPTION: which one */
	char *err;
	size_t errlen;
};

/* The message for the value at p (NULL: none) in ld->err; returns -1. */
int config_value_fail(struct config_loader *ld, const struct config_path *p, bool at_key,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "expected EXPECTED, got TYPE OF v" for the value at p; returns -1. */
int config_value_fail_type(struct config_loader *ld, const struct config_path *p, const json_t *v,
			   const char *expected);

/* Check v, the value of k at p, into c: 0, or -1 with the message in ld->err. */
int config_value_check(struct config_loader *ld, const struct config_key *k,
		       const struct config_path *p, const json_t *v, struct routed_config *c);

/* k's value in c as JSON, normalized (new reference; NULL on ENOMEM). */
json_t *config_value_json(const struct config_key *k, const struct routed_config *c);

#endif

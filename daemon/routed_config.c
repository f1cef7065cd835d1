/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration: for each key of the schema (config_schema.h), the
 * command-line option over the file over the default, checked by
 * config_value.c; and the normalized print. The file is read by
 * config_file.c, which also places errors at FILE:LINE:COL.
 */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"
#include "config_path.h"
#include "config_schema.h"
#include "config_value.h"
#include "routed_config.h"

/* The command-line value for k as JSON in *out (NULL: not given). */
static int override_value(struct config_loader *ld, const struct config_key *k,
			  const struct config_overrides *ov, json_t **out)
{
	*out = NULL;
	if (!ov || !k->option)
		return 0;
	ld->origin = CONFIG_FROM_OPTION;
	ld->option = k->option;
	if (!strcmp(k->option, "--control-socket") && ov->control_socket) {
		*out = json_string(ov->control_socket);
	} else if (!strcmp(k->option, "--state-dir") && ov->state_dir) {
		*out = json_string(ov->state_dir);
	} else if (!strcmp(k->option, "--metrics-listen") && ov->metrics_listen) {
		*out = json_string(ov->metrics_listen);
	} else if (!strcmp(k->option, "--threads") && ov->threads) {
		*out = json_integer(ov->threads);
	} else if (!strcmp(k->option, "--lookup-listen") && ov->n_lookup_listen) {
		if (ov->n_lookup_listen > CONFIG_MAX_LISTEN)
			return config_value_fail(ld, NULL, false, "at most %d addresses",
						 CONFIG_MAX_LISTEN);
		*out = json_array();
		for (unsigned i = 0; *out && i < ov->n_lookup_listen; i++) {
			json_t *s = json_string(ov->lookup_listen[i]);

			if (!s || json_array_append_new(*out, s) < 0) {
				json_decref(*out);
				*out = NULL;
			}
		}
	} else {
		return 0;
	}
	if (!*out)
		return config_value_fail(ld, NULL, false, "not valid UTF-8 (or out of memory)");
	return 0;
}

/* Unknown keys and sections that are not objects, in file order. */
static int check_structure(struct config_loader *ld, json_t *root)
{
	struct config_path top = { 0 };
	const char *key, *skey;
	json_t *value, *svalue;
	char valid[256];

	if (!json_is_object(root))
		return config_value_fail_type(ld, &top, root, "an object at the top level");
	json_object_foreach(root, key, value) {
		struct config_path kp = config_path_key(top, key);

		if (config_schema_is_section(key)) {
			if (!json_is_object(value))
				return config_value_fail_type(ld, &kp, value, "an object");
			json_object_foreach(value, skey, svalue) {
				struct config_path skp = config_path_key(kp, skey);

				if (config_schema_known(key, skey))
					continue;
				config_schema_valid_keys(key, valid, sizeof(valid));
				return config_value_fail(ld, &skp, true, "unknown key (valid: %s)",
							 valid);
			}
		} else if (!config_schema_known(NULL, key)) {
			config_schema_valid_keys(NULL, valid, sizeof(valid));
			return config_value_fail(ld, &kp, true, "unknown key (valid: %s)", valid);
		}
	}
	return 0;
}

static int load_key(struct config_loader *ld, const struct config_key *k, json_t *root,
		    const struct config_overrides *ov, struct routed_config *c)
{
	struct config_path kp = { 0 };
	json_t *owned = NULL;
	const json_t *v = NULL;
	int rc;

	if (k->section)
		kp = config_path_key(kp, k->section);
	kp = config_path_key(kp, k->name);

	if (override_value(ld, k, ov, &owned) < 0)
		return -1;
	v = owned;
	if (!v && root) {
		json_t *section = k->section ? json_object_get(root, k->section) : root;

		ld->origin = CONFIG_FROM_FILE;
		v = section ? json_object_get(section, k->name) : NULL;
	}
	if (!v) {
		ld->origin = CONFIG_FROM_DEFAULT;
		owned = k->dflt ? json_loads(k->dflt, JSON_DECODE_ANY, NULL) : k->dflt_fn();
		if (!owned)
			return config_value_fail(ld, &kp, false,
						 "cannot be determined; set it in the file");
		v = owned;
	}
	rc = config_value_check(ld, k, &kp, v, c);
	if (k->type == KT_LISTEN)
		c->listen_is_default = ld->origin == CONFIG_FROM_DEFAULT;
	json_decref(owned);
	return rc;
}

static int file_dir(struct config_loader *ld, struct routed_config *c)
{
	char *real = realpath(ld->file.path, NULL);
	char *slash;

	if (!real) {
		snprintf(ld->err, ld->errlen, "%s: %s", ld->file.path, strerror(errno));
		return -1;
	}
	if (strlen(real) >= sizeof(c->path) || strlen(real) >= sizeof(ld->dir)) {
		snprintf(ld->err, ld->errlen, "%s: path too long (at most %zu bytes)",
			 ld->file.path, sizeof(c->path) - 1);
		free(real);
		return -1;
	}
	strcpy(c->path, real);
	slash = strrchr(real, '/');
	/* realpath() is absolute: the slash exists; "/x" lives in "/". */
	if (slash == real)
		strcpy(ld->dir, "/");
	else
		snprintf(ld->dir, sizeof(ld->dir), "%.*s", (int)(slash - real), real);
	free(real);
	return 0;
}

struct routed_config *routed_config_load(const char *path, const struct config_overrides *ov,
				  char *err, size_t errlen)
{
	struct config_loader ld = { .err = err, .errlen = errlen };
	struct routed_config *c = calloc(1, sizeof(*c));
	json_t *root = NULL;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (path) {
		root = config_file_parse(&ld.file, path, err, errlen);
		if (!root || file_dir(&ld, c) < 0)
			goto fail;
		ld.origin = CONFIG_FROM_FILE;
		if (check_structure(&ld, root) < 0)
			goto fail;
	}
	/* Tables first: listeners name them. Then the rest, in schema order. */
	for (int tables_pass = 1; tables_pass >= 0; tables_pass--) {
		for (size_t i = 0; i < config_schema_nkeys; i++) {
			if ((config_schema_keys[i].type == KT_TABLES) != tables_pass)
				continue;
			if (load_key(&ld, &config_schema_keys[i], root, ov, c) < 0)
				goto fail;
		}
	}
	json_decref(root);
	config_file_release(&ld.file);
	return c;
fail:
	json_decref(root);
	config_file_release(&ld.file);
	free(c);
	return NULL;
}

void routed_config_free(struct routed_config *c)
{
	free(c);
}

json_t *routed_config_to_json(const struct routed_config *c)
{
	json_t *root = json_object();

	if (!root)
		return NULL;
	for (size_t i = 0; i < config_schema_nkeys; i++) {
		const struct config_key *k = &config_schema_keys[i];
		json_t *parent = root;

		if (k->section) {
			parent = json_object_get(root, k->section);
			if (!parent) {
				parent = json_object();
				if (json_object_set_new(root, k->section, parent) < 0)
					goto fail;
			}
		}
		if (json_object_set_new(parent, k->name, config_value_json(k, c)) < 0)
			goto fail;
	}
	return root;
fail:
	json_decref(root);
	return NULL;
}

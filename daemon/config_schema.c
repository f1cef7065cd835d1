/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration schema: the table, and the defaults that are computed. */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <routed/paths.h>

#include "config_schema.h"
#include "routed_config.h"

#define CONFIG_DEFAULT_STATE_DIR "/var/lib/routed"
#define CONFIG_MAX_DEFAULT_THREADS 64

static json_t *default_control_socket(void);
static json_t *default_threads(void);
static json_t *default_state_dir(void);

#define FIELD(f) \
	.offset = offsetof(struct routed_config, f), .size = sizeof(((struct routed_config *)0)->f)

/* The schema. Order here is the order of routed_config_to_json(). See routed.conf(5). */
const struct config_key config_schema_keys[] = {
	{ "control", "socket", KT_ABS_PATH, .dflt_fn = default_control_socket,
	  .option = "--control-socket", FIELD(control_socket) },
	{ "control", "socket_group", KT_GROUP, .dflt = "\"\"", FIELD(socket_group),
	  .offset_gid = offsetof(struct routed_config, socket_gid) },
	{ "control", "socket_mode", KT_MODE, 0, 0777, .dflt = "\"0660\"", FIELD(socket_mode) },
	{ "control", "admin_group", KT_GROUP, .dflt = "\"\"", FIELD(admin_group),
	  .offset_gid = offsetof(struct routed_config, admin_gid) },
	{ "control", "max_connections", KT_UINT, 1, 65536, .dflt = "256", FIELD(max_connections) },
	{ "control", "max_line_bytes", KT_UINT, 4096, 67108864, .dflt = "1048576",
	  FIELD(max_line_bytes) },
	{ "control", "max_output_bytes", KT_UINT, 65536, 1073741824, .dflt = "16777216",
	  FIELD(max_output_bytes) },
	{ "lookup", "listen", KT_LISTEN, 0, CONFIG_MAX_LISTEN,
	  .dflt = "[\"127.0.0.1:5300\", \"[::1]:5300\"]", .option = "--lookup-listen" },
	{ "lookup", "threads", KT_UINT, 1, CONFIG_MAX_THREADS, .dflt_fn = default_threads, .option = "--threads",
	  FIELD(threads) },
	{ "lookup", "batch", KT_UINT, 1, CONFIG_MAX_BATCH, .dflt = "64", FIELD(batch) },
	{ "lookup", "rounds", KT_UINT, 1, 1024, .dflt = "8", FIELD(rounds) },
	{ "lookup", "socket_buffer", KT_UINT, 65536, 268435456, .dflt = "4194304",
	  FIELD(socket_buffer) },
	{ "log", "level", KT_LOG_LEVEL, .dflt = "\"info\"", FIELD(log_level) },
	{ "durability", "fsync", KT_FSYNC, .dflt = "\"batch\"", FIELD(fsync_policy) },
	{ "durability", "batch_delay_us", KT_UINT, 0, 1000000, .dflt = "2000",
	  FIELD(batch_delay_us) },
	{ "durability", "persistent_protocols", KT_PROTOCOLS, 0, CONFIG_MAX_PERSISTENT,
	  .dflt = "[\"static\", \"operator\", \"api\"]" },
	{ "durability", "snapshot_bytes", KT_UINT, 1048576, 68719476736ULL, .dflt = "67108864",
	  FIELD(snapshot_bytes) },
	{ "durability", "segment_bytes", KT_UINT, 65536, 1073741824, .dflt = "67108864",
	  FIELD(segment_bytes) },
	{ "metrics", "listen", KT_ADDRESS, .dflt = "\"\"", .option = "--metrics-listen",
	  FIELD(metrics_listen) },
	{ "feeds", "fpm", KT_FEED_FPM, .dflt = "null", FIELD(fpm) },
	{ "feeds", "kernel", KT_FEED_KERNEL, 0, CONFIG_MAX_KERNEL_MIRRORS, .dflt = "[]" },
	{ NULL, "state_dir", KT_ABS_PATH, .dflt_fn = default_state_dir, .option = "--state-dir",
	  FIELD(state_dir) },
	{ NULL, "tables", KT_TABLES, 0, CONFIG_MAX_TABLES, .dflt = "[]" },
	{ NULL, "route_files", KT_ROUTE_FILES, 0, CONFIG_MAX_ROUTE_FILES, .dflt = "[]" },
};

const size_t config_schema_nkeys = sizeof(config_schema_keys) / sizeof(config_schema_keys[0]);

static json_t *default_control_socket(void)
{
	char buf[PATH_MAX];

	return rt_default_control_socket(buf, sizeof(buf)) ? json_string(buf) : NULL;
}

static json_t *default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > CONFIG_MAX_DEFAULT_THREADS)
		n = CONFIG_MAX_DEFAULT_THREADS;
	return json_integer(n);
}

static json_t *default_state_dir(void)
{
	const char *dir = getenv("STATE_DIRECTORY");

	/* StateDirectory= may list several, separated by ':': the first is ours. */
	if (dir && *dir)
		return json_stringn(dir, strcspn(dir, ":"));
	return json_string(CONFIG_DEFAULT_STATE_DIR);
}

bool config_schema_is_section(const char *name)
{
	for (size_t i = 0; i < config_schema_nkeys; i++) {
		if (config_schema_keys[i].section && !strcmp(config_schema_keys[i].section, name))
			return true;
	}
	return false;
}

void config_schema_valid_keys(const char *section, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < config_schema_nkeys; i++) {
		const struct config_key *k = &config_schema_keys[i];
		const char *name;
		int n;

		if (section) {
			if (!k->section || strcmp(k->section, section))
				continue;
			name = k->name;
		} else if (k->section) {
			/* A section: once, where it first appears. */
			size_t j;

			for (j = 0; j < i; j++) {
				if (config_schema_keys[j].section &&
				    !strcmp(config_schema_keys[j].section, k->section))
					break;
			}
			if (j < i)
				continue;
			name = k->section;
		} else {
			name = k->name;
		}
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

bool config_schema_known(const char *section, const char *name)
{
	for (size_t i = 0; i < config_schema_nkeys; i++) {
		const struct config_key *k = &config_schema_keys[i];

		if (!section && !k->section && !strcmp(k->name, name))
			return true;
		if (section && k->section && !strcmp(k->section, section) &&
		    !strcmp(k->name, name))
			return true;
	}
	return false;
}

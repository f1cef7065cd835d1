/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon configuration: a JSON file (with // and slash-star comments)
 * parsed into an immutable object, defaults for everything, command-line
 * overrides on top. Strict: unknown keys and out-of-range values are
 * errors reported as "FILE:LINE:COL: message". Schema: routed.conf(5).
 */
#ifndef ROUTED_DAEMON_CONFIG_H
#define ROUTED_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include <routed/route.h>

#define CONFIG_MAX_LISTEN 16
#define CONFIG_MAX_TABLES 256	/* = TABLES_MAX (tables.h) */
#define CONFIG_MAX_ROUTE_FILES 64
/* lookup.batch's maximum: it sizes each UDP worker's datagram arrays (udp.c). */
#define CONFIG_MAX_BATCH 256
/* lookup.threads' maximum: it sizes the UDP service's per-worker counters (udp.c). */
#define CONFIG_MAX_THREADS 256

struct config_listen {
	char text[64];			/* as written, normalized: "127.0.0.1:5300", "[::1]:5300" */
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];		/* network byte order */
	uint16_t port;			/* host byte order; 0: the kernel picks one */
	uint32_t table;			/* requests naming table 0 go here; default main */
};

struct config_table {
	uint32_t id;
	char name[32];			/* [A-Za-z0-9_.-], not all digits */
};

/* Everything is filled: defaults where the file says nothing. */
/* When an acknowledged change is on disk (routed.conf(5), "durability"). */
enum config_fsync {
	CONFIG_FSYNC_ALWAYS,		/* synced before each answer */
	CONFIG_FSYNC_BATCH,		/* group commit: answers wait for a shared sync */
	CONFIG_FSYNC_NONE,		/* never synced by routed: the kernel writes back */
};

#define CONFIG_MAX_PERSISTENT 16
#define CONFIG_MAX_FEED_PEERS 16

/* "feeds": {"fpm": {...}}: FRR zebra's FPM feed (docs/feeds.md). */
struct config_fpm {
	bool enabled;			/* the key is there (and not null) */
	struct config_listen listen;	/* default 127.0.0.1:2620 */
	bool allow_non_loopback;	/* listen on a non-loopback address; default false */
	struct rt_addr peers[CONFIG_MAX_FEED_PEERS];	/* accepted sources; default 127.0.0.1, ::1 */
	unsigned n_peers;
	unsigned quiet_period_ms;	/* silence after which a replay counts as done */
	unsigned hold_time_ms;		/* routes kept after the feed disconnects */
	bool create_tables;		/* create a table a route names; default false: drop it */
	bool connected_routes;		/* take protocol-connected routes; default true */
	unsigned read_budget_bytes;	/* read per event-loop turn */
};

#define CONFIG_MAX_KERNEL_MIRRORS 16

/* One of "feeds": {"kernel": [...]}: a kernel table mirrored into a routed table. */
struct config_kernel_mirror {
	uint32_t kernel_table;		/* 1..2^32-1, the kernel's table id */
	uint32_t table;			/* the routed table (resolved from its name or id) */
	unsigned rcvbuf;		/* netlink receive buffer bytes; default 32 MiB */
};

struct routed_config {
	/* "control" */
	char control_socket[108];	/* sun_path */
	char socket_group[32];		/* "" = the daemon's group */
	gid_t socket_gid;		/* resolved; (gid_t)-1 when socket_group is "" */
	mode_t socket_mode;		/* default 0660 */
	char admin_group[32];		/* "" = only uid 0 and routed's uid */
	gid_t admin_gid;		/* resolved; (gid_t)-1 when admin_group is "" */
	unsigned max_connections;	/* 1..65536, default 256 */
	size_t max_line_bytes;		/* 4096..64 MiB, default 1 MiB */
	size_t max_output_bytes;	/* 64 KiB..1 GiB, default 16 MiB */
	/* "lookup" */
	struct config_listen listen[CONFIG_MAX_LISTEN];
	unsigned n_listen;		/* default: 127.0.0.1:5300 and [::1]:5300 */
	bool listen_is_default;		/* neither the file nor an option named listeners */
	unsigned threads;		/* 1..256, default: CPUs online (at most 64) */
	unsigned batch;			/* datagrams per recvmmsg, 1..CONFIG_MAX_BATCH, default 64 */
	unsigned rounds;		/* recvmmsg calls per wakeup, 1..1024, default 8 */
	size_t socket_buffer;		/* SO_RCVBUF/SO_SNDBUF bytes, default 4 MiB */
	/* "log" */
	int log_level;			/* syslog LOG_ERR..LOG_DEBUG, default LOG_INFO */
	/* "durability" */
	int fsync_policy;		/* enum config_fsync, default CONFIG_FSYNC_BATCH */
	unsigned batch_delay_us;	/* group-commit wait, 0..1000000, default 2000 */
	char persistent[CONFIG_MAX_PERSISTENT][RT_PROTO_LEN];	/* journaled protocols */
	unsigned n_persistent;		/* default: static, operator, api */
	size_t snapshot_bytes;		/* journal growth that triggers a snapshot, default 64 MiB */
	size_t segment_bytes;		/* journal segment size, default 64 MiB */
	/* "metrics" */
	struct config_listen metrics_listen;	/* text "" (the default): no endpoint */
	/* "feeds" */
	struct config_fpm fpm;
	struct config_kernel_mirror kernel[CONFIG_MAX_KERNEL_MIRRORS];
	unsigned n_kernel;
	/* top level */
	char state_dir[256];		/* default $STATE_DIRECTORY or /var/lib/routed (root) */
	struct config_table tables[CONFIG_MAX_TABLES];	/* main (254) always first */
	unsigned n_tables;
	char route_files[CONFIG_MAX_ROUTE_FILES][256];	/* loaded at start and on reload */
	unsigned n_route_files;
	char path[256];			/* the file read; "" = embedded defaults */
};

/* Command-line values that override the file (NULL/0 = not given). */
struct config_overrides {
	const char *control_socket;
	const char *lookup_listen[CONFIG_MAX_LISTEN];
	unsigned n_lookup_listen;
	const char *state_dir;
	unsigned threads;
	const char *metrics_listen;
};

/*
 * Read path (NULL: embedded defaults only), apply overrides, check
 * everything. Returns a new config, or NULL with "FILE:LINE:COL: message"
 * (or "option --x: message") in err.
 */
struct routed_config *routed_config_load(const char *path, const struct config_overrides *ov,
				  char *err, size_t errlen);
void routed_config_free(struct routed_config *c);

/* The normalized config as JSON: every key, defaults filled (new reference). */
json_t *routed_config_to_json(const struct routed_config *c);

#endif

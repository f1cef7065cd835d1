/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routectl: the operator's client for routed's control socket.
 *
 *   routectl [-s|--socket PATH] [-j|--json] [--timeout SEC] COMMAND ...
 *
 * Global options, then a command and its words. Each command makes one or
 * more JSON-RPC calls and hands the results to the renderer picked once
 * from -j (ctl_output.h). Exit status: 0 ok, 1 error, 2 usage, 3 the
 * daemon cannot be reached.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <routed/clock.h>
#include <routed/paths.h>

#include "ctl_words.h"
#include "routectl.h"

#define DEFAULT_TIMEOUT_MS 30000
#define ROUTE_WORDS "PREFIX [via ADDR] [dev NAME] [metric N] [table T] [proto NAME] [tag N]"

static const struct {
	const char *cmd;
	const char *synopsis;
} usages[] = {
	{ "route add", "route add " ROUTE_WORDS },
	{ "route replace", "route replace " ROUTE_WORDS },
	{ "route del", "route del PREFIX [proto NAME] [metric N] [table T]" },
	{ "route get", "route get PREFIX [table T]" },
	{ "route show",
	  "route show [table T|all] [proto NAME] [root PREFIX] [match PREFIX|ADDR] [-4|-6]" },
	{ "route flush", "route flush [table T] [proto NAME] [-4|-6]" },
	{ "lookup", "lookup [--udp[=ADDR:PORT] [--server ADDR:PORT]...] ADDR... [table T]  |  "
		    "lookup [--udp[=ADDR:PORT] [--server ADDR:PORT]...] -f FILE|- [table T]" },
	{ "load", "load FILE|- [--dry-run] [--replace] [table T]  |  "
		  "load --format mrt FILE|- [--peer INDEX|ADDRESS] [--table T] [--dry-run] "
		  "[--replace] [--partial]" },
	{ "save", "save FILE|- [table T|all] [-4|-6]" },
	{ "table list", "table list" },
	{ "table add", "table add ID [name NAME]" },
	{ "table del", "table del ID|NAME" },
	{ "feed show", "feed show" },
	{ "stats", "stats" },
	{ "info", "info" },
	{ "monitor", "monitor [--snapshot] [table T]" },
	{ "reload", "reload" },
	{ "ping", "ping" },
};

static void print_usage(FILE *f, const char *cmd)
{
	size_t cmd_len = cmd ? strlen(cmd) : 0;

	if (!cmd)
		fprintf(f, "usage: routectl [-s|--socket PATH] [-j|--json] [--timeout SEC] "
			   "COMMAND ...\ncommands:\n");
	for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++) {
		/* "route" matches every route command, "route add" just one. */
		if (cmd && (strncmp(usages[i].cmd, cmd, cmd_len) != 0 ||
			    (usages[i].cmd[cmd_len] != '\0' && usages[i].cmd[cmd_len] != ' ')))
			continue;
		fprintf(f, "%sroutectl %s\n", cmd ? "usage: " : "  ", usages[i].synopsis);
	}
}

void ctl_errorf(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("routectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ctl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("routectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr, cmd);
	return EXIT_USAGE;
}

int ctl_transport_error(const struct ctl_error *err)
{
	ctl_errorf("%s", err->message);
	return EXIT_UNREACHABLE;
}

int ctl_connect(struct ctl *ctl)
{
	struct ctl_error err;

	if (ctl->client)
		return EXIT_OK;
	ctl->client = ctl_client_connect(ctl->socket_path, ctl->timeout_ms, &err);
	return ctl->client ? EXIT_OK : ctl_transport_error(&err);
}

int ctl_call_quiet(struct ctl *ctl, const char *method, json_t *params, json_t **result,
		   struct ctl_error *err)
{
	int rc;

	*result = NULL;
	rc = ctl_connect(ctl);
	if (rc) {
		json_decref(params);
		err->code = 0;
		err->field[0] = '\0';
		snprintf(err->message, sizeof(err->message), "not connected");
		return rc;
	}
	rc = ctl_client_call(ctl->client, method, params, result, err);
	if (rc == CTL_OK)
		return EXIT_OK;
	if (rc == CTL_RPC_ERROR)
		return EXIT_ERROR;
	if (rc == CTL_INTERRUPTED)
		snprintf(err->message, sizeof(err->message), "interrupted");
	return ctl_transport_error(err);
}

int ctl_call(struct ctl *ctl, const char *method, json_t *params, json_t **result)
{
	struct ctl_error err;
	int rc = ctl_call_quiet(ctl, method, params, result, &err);

	if (rc == EXIT_ERROR) {
		if (err.field[0])
			ctl_errorf("%s: %s (%s)", method, err.message, err.field);
		else
			ctl_errorf("%s: %s", method, err.message);
	}
	return rc;
}

/* Commands without words: the words must be absent. */
static int no_words(const char *cmd, int argc, char **argv)
{
	return argc ? ctl_usage_error(cmd, "unexpected word '%s'", argv[0]) : EXIT_OK;
}

static double elapsed_ms(uint64_t since_ns)
{
	return (double)(rt_clock_ns() - since_ns) / 1e6;
}

static int cmd_ping(struct ctl *ctl, int argc, char **argv)
{
	uint64_t start;
	json_t *result;
	int rc;

	rc = no_words("ping", argc, argv);
	if (rc)
		return rc;
	/* Time the call only, not the connect. */
	rc = ctl_connect(ctl);
	if (rc)
		return rc;
	start = rt_clock_ns();
	rc = ctl_call(ctl, "ping", NULL, &result);
	if (rc)
		return rc;
	ctl->out->ping(result, elapsed_ms(start));
	json_decref(result);
	return EXIT_OK;
}

/* A command that is one call without params and one renderer. */
static int simple_call(struct ctl *ctl, const char *cmd, const char *method, int argc, char **argv,
		       void (*render)(json_t *result))
{
	json_t *result;
	int rc;

	rc = no_words(cmd, argc, argv);
	if (rc)
		return rc;
	rc = ctl_call(ctl, method, NULL, &result);
	if (rc)
		return rc;
	render(result);
	json_decref(result);
	return EXIT_OK;
}

static int cmd_info(struct ctl *ctl, int argc, char **argv)
{
	return simple_call(ctl, "info", "info", argc, argv, ctl->out->info);
}

static int cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	return simple_call(ctl, "stats", "stats", argc, argv, ctl->out->stats);
}

/* config.reload: systemd's ExecReload, so success means the daemon said so. */
static int cmd_reload(struct ctl *ctl, int argc, char **argv)
{
	json_t *result;
	int rc;

	rc = no_words("reload", argc, argv);
	if (rc)
		return rc;
	rc = ctl_call(ctl, "config.reload", NULL, &result);
	if (rc)
		return rc;
	if (!json_is_true(json_object_get(result, "reloaded"))) {
		ctl_errorf("config.reload: the daemon did not report success");
		json_decref(result);
		return EXIT_ERROR;
	}
	ctl->out->reloaded(result);
	json_decref(result);
	return EXIT_OK;
}

static int table_add(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_word spec[] = { { "name", true, NULL } };
	json_t *params, *result;
	uint32_t id;
	int n_free, rc;

	rc = ctl_words_scan("table add", argc, argv, spec, 1, &n_free);
	if (rc)
		return rc;
	if (n_free == 0)
		return ctl_usage_error("table add", "missing table id");
	if (n_free > 1)
		return ctl_usage_error("table add", "unexpected word '%s'", argv[1]);
	if (ctl_parse_u32("table id", argv[0], &id))
		return EXIT_ERROR;
	params = json_pack("{s:I}", "id", (json_int_t)id);
	if (params && spec[0].value &&
	    json_object_set_new(params, "name", json_string(spec[0].value))) {
		ctl_errorf("table name '%s': not valid UTF-8", spec[0].value);
		json_decref(params);
		return EXIT_ERROR;
	}
	rc = ctl_call(ctl, "table.create", params, &result);
	if (rc)
		return rc;
	ctl->out->table_created(result);
	json_decref(result);
	return EXIT_OK;
}

static int cmd_table(struct ctl *ctl, int argc, char **argv)
{
	json_t *table, *result;
	int rc;

	if (argc < 1)
		return ctl_usage_error("table", "missing table command");
	if (!strcmp(argv[0], "list") || !strcmp(argv[0], "show"))
		return simple_call(ctl, "table list", "table.list", argc - 1, argv + 1,
				   ctl->out->tables);
	if (!strcmp(argv[0], "add"))
		return table_add(ctl, argc - 1, argv + 1);
	if (strcmp(argv[0], "del") && strcmp(argv[0], "delete"))
		return ctl_usage_error("table", "unknown table command '%s'", argv[0]);
	if (argc < 2)
		return ctl_usage_error("table del", "missing table");
	if (argc > 2)
		return ctl_usage_error("table del", "unexpected word '%s'", argv[2]);
	table = ctl_table_value(argv[1]);
	if (!table)
		return EXIT_ERROR;
	rc = ctl_call(ctl, "table.delete", json_pack("{s:o}", "table", table), &result);
	if (rc)
		return rc;
	ctl->out->table_deleted(result);
	json_decref(result);
	return EXIT_OK;
}

static int cmd_feed(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 1)
		return ctl_usage_error("feed", "missing feed command");
	if (strcmp(argv[0], "show") && strcmp(argv[0], "list"))
		return ctl_usage_error("feed", "unknown feed command '%s'", argv[0]);
	return simple_call(ctl, "feed show", "feed.list", argc - 1, argv + 1, ctl->out->feeds);
}

static const struct {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv);
} commands[] = {
	{ "route", cmd_route },
	{ "lookup", cmd_lookup },
	{ "load", cmd_load },
	{ "save", cmd_save },
	{ "table", cmd_table },
	{ "feed", cmd_feed },
	{ "stats", cmd_stats },
	{ "info", cmd_info },
	{ "monitor", cmd_monitor },
	{ "reload", cmd_reload },
	{ "ping", cmd_ping },
};

/* SEC as a decimal number of seconds; 0 means no timeout (-1). */
static int parse_timeout(const char *text, int *timeout_ms)
{
	char *end;
	double sec;

	errno = 0;
	sec = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(sec) || sec < 0 || sec > 2000000)
		return -1;
	*timeout_ms = sec == 0 ? -1 : sec < 0.001 ? 1 : (int)(sec * 1000 + 0.5);
	return 0;
}

static int run(struct ctl *ctl, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[0], commands[i].name))
			return commands[i].run(ctl, argc - 1, argv + 1);
	return ctl_usage_error(NULL, "unknown command '%s'", argv[0]);
}

/*
 * A default socket in a directory someone else could write is not trusted
 * (they could have put their own socket there). An explicit --socket is.
 */
static int check_default_socket_dir(const char *path)
{
	char dir[256], err[512];
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path || (size_t)(slash - path) >= sizeof(dir))
		return EXIT_OK;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (access(dir, F_OK) < 0)
		return EXIT_OK;	/* connecting will say what is missing */
	if (rt_socket_dir_check(dir, err, sizeof(err))) {
		ctl_errorf("%s", err);
		return EXIT_UNREACHABLE;
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { .timeout_ms = DEFAULT_TIMEOUT_MS };
	char default_socket[256];
	const char *env;
	int opt, rc;

	/*
	 * '+': options end at the command; its words may look like options
	 * (-4). ':' and opterr 0: our own messages, not getopt's.
	 */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:s:jh", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			ctl.socket_path = optarg;
			break;
		case 'j':
			ctl.json = true;
			break;
		case 't':
			if (parse_timeout(optarg, &ctl.timeout_ms))
				return ctl_usage_error(NULL,
						       "invalid timeout '%s': expected seconds",
						       optarg);
			break;
		case 'h':
			print_usage(stdout, NULL);
			return EXIT_OK;
		case 'V':
			printf("routectl %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case ':':
			return ctl_usage_error(NULL, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return ctl_usage_error(NULL, "unknown option '-%c'", optopt);
			return ctl_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(NULL, "missing command");

	if (!ctl.socket_path) {
		env = getenv("ROUTED_SOCKET");
		if (env && *env)
			ctl.socket_path = env;
		else
			ctl.socket_path = rt_default_client_socket(default_socket,
								   sizeof(default_socket));
		if (!ctl.socket_path) {
			ctl_errorf("cannot work out the control socket path; use --socket");
			return EXIT_USAGE;
		}
		rc = check_default_socket_dir(ctl.socket_path);
		if (rc)
			return rc;
	}
	if (!*ctl.socket_path)
		return ctl_usage_error(NULL, "empty socket path");
	if (strlen(ctl.socket_path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path))
		return ctl_usage_error(NULL, "socket path '%s' too long (at most %zu bytes)",
				       ctl.socket_path,
				       sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
	ctl.out = ctl.json ? &ctl_json_output : &ctl_human_output;

	rc = run(&ctl, argc - optind, argv + optind);
	ctl_client_close(ctl.client);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_errorf("writing the output: %s", strerror(errno));
		if (rc == EXIT_OK)
			rc = EXIT_ERROR;
	}
	return rc;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor: subscribe and print route events as they come, one per line,
 * until interrupted (exit 0) or the daemon goes away (exit 3).
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "ctl_words.h"
#include "routectl.h"

#define WORDS(spec) (sizeof(spec) / sizeof((spec)[0]))

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

/* No SA_RESTART: the signal must end the poll() the client waits in. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int cmd_monitor(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_word spec[] = { { "--snapshot", false, NULL }, { "table", true, NULL } };
	json_int_t id;
	json_t *params, *table, *msg, *result;
	const char *table_word, *method;
	struct ctl_error err;
	bool subscribed = false;
	int n_free, rc;

	rc = ctl_words_scan("monitor", argc, argv, spec, WORDS(spec), &n_free);
	if (rc)
		return rc;
	if (n_free)
		return ctl_usage_error("monitor", "unexpected word '%s'", argv[0]);
	params = json_pack("{s:b}", "snapshot", ctl_word(spec, WORDS(spec), "--snapshot") != NULL);
	if (!params)
		return EXIT_ERROR;
	table_word = ctl_word(spec, WORDS(spec), "table");
	if (table_word) {
		table = ctl_table_value(table_word);
		if (!table || json_object_set_new(params, "tables", json_pack("[o]", table))) {
			json_decref(params);
			return EXIT_ERROR;
		}
	}
	rc = ctl_connect(ctl);
	if (rc) {
		json_decref(params);
		return rc;
	}
	catch_signals();
	rc = ctl_client_send(ctl->client, "subscribe", params, &id, &err);
	while (rc == CTL_OK && !interrupted) {
		rc = ctl_client_next(ctl->client, true, &msg, &err);
		if (rc)
			break;
		if (json_object_get(msg, "id")) {
			/* The subscribe response: only its error matters. */
			if (ctl_response_result(msg, &result, &err) == CTL_RPC_ERROR) {
				ctl_errorf("subscribe: %s", err.message);
				json_decref(msg);
				return EXIT_ERROR;
			}
			subscribed = true;
		} else {
			method = json_string_value(json_object_get(msg, "method"));
			if (method && !strcmp(method, "route.event"))
				ctl->out->event(json_object_get(msg, "params"));
		}
		json_decref(msg);
	}
	if (interrupted || rc == CTL_INTERRUPTED)
		return subscribed || interrupted ? EXIT_OK : EXIT_ERROR;
	return ctl_transport_error(&err);
}

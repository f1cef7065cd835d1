/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration file (daemon/routed_config.c): the input is written to a file
 * in a private temporary directory and loaded with routed_config_load(), as routed
 * loads it. Nothing is written anywhere else; the directory is removed at
 * exit.
 *
 * Invariants: a refused file gets a message, and a "FILE:LINE:COL:" in it
 * points into the file; an accepted one prints (config_to_json, what
 * --print-config shows) as a file that loads again to the same
 * configuration, and printing that is a fixed point.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/routed_config.h"
#include "fuzz.h"

/* Larger files are refused by size alone: no need to write them. */
#define MAX_INPUT (64u << 10)

static char dir[192], in_path[224], out_dir[224], out_path[256];

static void cleanup(void)
{
	unlink(in_path);
	unlink(out_path);
	rmdir(out_dir);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	if (!tmp || !*tmp || strlen(tmp) > 128)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/routed-fuzz-config.XXXXXX", tmp);
	FUZZ_CHECK(mkdtemp(dir), "mkdtemp %s: %s", dir, strerror(errno));
	snprintf(in_path, sizeof(in_path), "%s/routed.conf", dir);
	/* The printed copy in a directory of its own: the input cannot name it. */
	snprintf(out_dir, sizeof(out_dir), "%s/printed", dir);
	FUZZ_CHECK(mkdir(out_dir, 0700) == 0, "mkdir %s: %s", out_dir, strerror(errno));
	snprintf(out_path, sizeof(out_path), "%s/routed.conf", out_dir);
	atexit(cleanup);
	return 0;
}

static void write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = data;

	FUZZ_CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	while (size > 0) {
		ssize_t n = write(fd, p, size);

		FUZZ_CHECK(n > 0, "write %s: %s", path, strerror(errno));
		p += n;
		size -= (size_t)n;
	}
	FUZZ_CHECK(close(fd) == 0, "close %s: %s", path, strerror(errno));
}

/* "PATH:LINE:COL: ..." must name a line of the file and a column within it (or just past). */
static void check_position(const char *err, const uint8_t *data, size_t size)
{
	size_t plen = strlen(in_path), start = 0;
	unsigned long line, col, chars = 0;
	char *end;

	if (strncmp(err, in_path, plen) || err[plen] != ':' || err[plen + 1] < '0' ||
	    err[plen + 1] > '9')
		return;
	line = strtoul(err + plen + 1, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return;
	col = strtoul(end + 1, &end, 10);
	FUZZ_CHECK(*end == ':' && line >= 1 && col >= 1, "'%s'", err);
	/* Find the line; count its characters as the parser does (UTF-8 lead bytes). */
	for (unsigned long l = 1; l < line; l++) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);

		FUZZ_CHECK(nl, "'%s': the file has %lu lines", err, l);
		start = (size_t)(nl - data) + 1;
	}
	for (size_t i = start; i < size && data[i] != '\n'; i++)
		chars += (data[i] & 0xc0) != 0x80;
	FUZZ_CHECK(col <= chars + 1, "'%s': line %lu has %lu characters", err, line, chars);
}

/* Print c as --print-config does, load that, and compare. */
static void check_printed(const struct routed_config *c)
{
	char err[1024];
	json_t *printed = routed_config_to_json(c), *again_json;
	struct routed_config *again;
	char *text;

	FUZZ_CHECK(printed, "config_to_json failed");
	text = json_dumps(printed, JSON_INDENT(2));
	FUZZ_CHECK(text, "cannot print the configuration");
	write_file(out_path, text, strlen(text));
	again = routed_config_load(out_path, NULL, err, sizeof(err));
	FUZZ_CHECK(again, "the printed configuration is refused: %s\n%s", err, text);
	again_json = routed_config_to_json(again);
	FUZZ_CHECK(again_json && json_equal(printed, again_json),
		   "the printed configuration loads differently:\n%s", text);
	unlink(out_path);
	json_decref(again_json);
	json_decref(printed);
	routed_config_free(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct routed_config *c;
	char err[1024];

	if (size > MAX_INPUT)
		return 0;
	write_file(in_path, data, size);
	memset(err, 0, sizeof(err));
	c = routed_config_load(in_path, NULL, err, sizeof(err));
	if (!c) {
		FUZZ_CHECK(fuzz_message_ok(err, sizeof(err)), "refused without a message");
		check_position(err, data, size);
		return 0;
	}
	check_printed(c);
	routed_config_free(c);
	return 0;
}

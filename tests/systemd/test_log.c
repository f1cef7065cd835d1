/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon/log.c: the journald "<N>" prefix decision ($JOURNAL_STREAM against
 * stderr), plain lines otherwise, level filtering, one line per message
 * (truncation, control characters) and whole lines from concurrent threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* stderr goes to a temporary file for each test, restored afterwards. */
struct capture {
	char path[64];
	int saved_stderr;
	int fd;
	off_t consumed;		/* bytes already returned by captured() */
};

static int capture_setup(void **state)
{
	struct capture *c = calloc(1, sizeof(*c));
	const char *tmp = getenv("TMPDIR");

	assert_non_null(c);
	snprintf(c->path, sizeof(c->path), "%s/log-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	c->fd = mkstemp(c->path);
	assert_true(c->fd >= 0);
	/* O_APPEND: concurrent writes each land whole at the end. */
	assert_int_equal(fcntl(c->fd, F_SETFL, O_APPEND), 0);
	fflush(stderr);
	c->saved_stderr = dup(STDERR_FILENO);
	assert_true(c->saved_stderr >= 0);
	assert_true(dup2(c->fd, STDERR_FILENO) >= 0);
	unsetenv("JOURNAL_STREAM");
	log_init();
	log_set_level(LOG_INFO);
	*state = c;
	return 0;
}

static int capture_teardown(void **state)
{
	struct capture *c = *state;

	dup2(c->saved_stderr, STDERR_FILENO);
	close(c->saved_stderr);
	close(c->fd);
	unlink(c->path);
	free(c);
	unsetenv("JOURNAL_STREAM");
	log_init();
	return 0;
}

/* Everything logged since the last call (malloc'd). */
static char *captured(struct capture *c)
{
	struct stat st;
	char *buf;
	ssize_t n;

	assert_int_equal(fstat(c->fd, &st), 0);
	buf = malloc((size_t)(st.st_size - c->consumed) + 1);
	assert_non_null(buf);
	n = pread(c->fd, buf, (size_t)(st.st_size - c->consumed), c->consumed);
	assert_true(n >= 0);
	buf[n] = '\0';
	c->consumed += n;
	return buf;
}

static void expect_output(struct capture *c, const char *want)
{
	char *got = captured(c);

	assert_string_equal(got, want);
	free(got);
}

static void set_journal_stream(int fd)
{
	struct stat st;
	char value[64];

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(value, sizeof(value), "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", value, 1), 0);
}

static void test_plain_lines(void **state)
{
	struct capture *c = *state;

	assert_false(log_to_journal());
	log_err("cannot open %s", "x.conf");
	log_warn("w");
	log_notice("n %d", 3);
	log_info("i");
	log_debug("dropped at the default level");
	expect_output(c, "routed: error: cannot open x.conf\n"
			 "routed: warning: w\n"
			 "routed: notice: n 3\n"
			 "routed: info: i\n");
}

static void test_journal_prefix(void **state)
{
	struct capture *c = *state;

	set_journal_stream(STDERR_FILENO);
	log_init();
	assert_true(log_to_journal());
	log_err("e");
	log_warn("w");
	log_info("i %s", "x");
	expect_output(c, "<3>e\n<4>w\n<6>i x\n");
}

/* JOURNAL_STREAM inherited but stderr redirected elsewhere: plain lines. */
static void test_journal_stream_elsewhere(void **state)
{
	struct capture *c = *state;
	static const char *const bad[] = {"", "1", "1:", ":2", "1:2:3", "x:y", "1:2 "};

	set_journal_stream(c->saved_stderr);
	log_init();
	assert_false(log_to_journal());

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("JOURNAL_STREAM", bad[i], 1);
		log_init();
		if (log_to_journal())
			fail_msg("JOURNAL_STREAM='%s' taken for the journal", bad[i]);
	}
	log_err("plain");
	expect_output(c, "routed: error: plain\n");
}

static void test_levels(void **state)
{
	struct capture *c = *state;

	log_set_level(LOG_WARNING);
	assert_int_equal(log_get_level(), LOG_WARNING);
	log_info("dropped");
	log_notice("dropped");
	log_warn("kept");
	log_set_level(LOG_DEBUG);
	log_debug("d");
	expect_output(c, "routed: warning: kept\nrouted: debug: d\n");

	log_set_level(99);
	assert_int_equal(log_get_level(), LOG_DEBUG);
	log_set_level(-3);
	assert_int_equal(log_get_level(), LOG_EMERG);
	log_err("dropped below emerg");
	expect_output(c, "");
}

static void test_one_line_per_message(void **state)
{
	struct capture *c = *state;
	static char big[3 * LOG_LINE_MAX];
	char *out;
	size_t len;

	log_info("two\nlines\r\tand\x1b[31m escapes");
	expect_output(c, "routed: info: two lines  and [31m escapes\n");

	memset(big, 'x', sizeof(big) - 1);
	log_info("%s", big);
	out = captured(c);
	len = strlen(out);
	assert_int_equal(len, LOG_LINE_MAX);
	assert_true(strncmp(out, "routed: info: xxx", 17) == 0);
	assert_string_equal(out + len - 4, "...\n");
	free(out);
}

static void test_errno_preserved(void **state)
{
	struct capture *c = *state;
	char *out;

	errno = ENOENT;
	log_err("open: %m");
	assert_int_equal(errno, ENOENT);
	out = captured(c);
	assert_string_equal(out, "routed: error: open: No such file or directory\n");
	free(out);
}

#define THREADS 4
#define LINES_PER_THREAD 2000

static void *log_many(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int i = 0; i < LINES_PER_THREAD; i++)
		log_info("thread %d line %d %0200d", id, i, 0);
	return NULL;
}

/* Each message is a single write: concurrent lines never mix. */
static void test_threads_write_whole_lines(void **state)
{
	struct capture *c = *state;
	int seen[THREADS] = {0};
	pthread_t tid[THREADS];
	char *out, *line, *save = NULL;
	int lines = 0;

	for (int t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&tid[t], NULL, log_many, (void *)(intptr_t)t), 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(tid[t], NULL);

	out = captured(c);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int id, i, n = 0;

		if (sscanf(line, "routed: info: thread %d line %d %*d%n", &id, &i, &n) != 2 ||
		    line[n] != '\0' || strlen(line) != (size_t)n || id < 0 || id >= THREADS)
			fail_msg("mixed line: %.300s", line);
		/* Each thread's lines stay in its order. */
		assert_int_equal(i, seen[id]);
		seen[id]++;
		lines++;
	}
	assert_int_equal(lines, THREADS * LINES_PER_THREAD);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_lines, capture_setup, capture_teardown),
		cmocka_unit_test_setup_teardown(test_journal_prefix, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(test_journal_stream_elsewhere, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(test_levels, capture_setup, capture_teardown),
		cmocka_unit_test_setup_teardown(test_one_line_per_message, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(test_errno_preserved, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(test_threads_write_whole_lines, capture_setup,
						capture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

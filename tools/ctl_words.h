/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command words: "KEYWORD VALUE" pairs and flags in any order, each at most
 * once, plus free words (a prefix, addresses). Strict: an unknown word or a
 * keyword without its value is a usage error.
 */
#ifndef ROUTECTL_WORDS_H
#define ROUTECTL_WORDS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct ctl_word {
	const char *name;	/* "via", "-4", "--dry-run" */
	bool takes_value;
	const char *value;	/* set by ctl_words_scan(); the name itself for flags */
};

/*
 * Scan argv against spec (n entries). The free words are moved to the front
 * of argv, in order, and counted in *n_free. Returns 0, or EXIT_USAGE after
 * printing the usage of cmd.
 */
int ctl_words_scan(const char *cmd, int argc, char **argv, struct ctl_word *spec, size_t n,
		   int *n_free);

/* The value of word name in spec, or NULL when absent. */
const char *ctl_word(const struct ctl_word *spec, size_t n, const char *name);

/*
 * A table given as an id (canonical decimal) or a name: a JSON integer or
 * string, or NULL with an error reported (EXIT_ERROR is the caller's).
 */
json_t *ctl_table_value(const char *word);

/* A canonical decimal u32 for keyword kw: 0, or -1 with an error reported. */
int ctl_parse_u32(const char *kw, const char *word, uint32_t *out);

/*
 * An error's data.field naming an element of array ("routes[12].prefix"):
 * 0 with the index in *idx, or -1 when it names something else.
 */
int ctl_field_index(const char *field, const char *array, size_t *idx);

#endif

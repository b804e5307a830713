/*
 * inisrc.h -- the INI engine: a file read through libinih with line
 * numbers, against a declared syntax of sections and keys.
 *
 * A reader (the cluster file, a role profile, an accept file) declares its
 * sections and its keys, with where each key is allowed and a function
 * that sets its value; the engine does the rest, the same way for all of
 * them: section headers, keys in the wrong place, duplicate sections and
 * keys (naming the first line), indented continuation lines, empty values,
 * "did you mean" for misspelt keys and sections, and the error messages.
 *
 * Debian builds libinih without INI_HANDLER_LINENO, so lines reach it
 * through our own reader, which counts them. The reader also parses
 * [section] lines itself: inih cuts section names at 50 characters and
 * never tells a handler about a section without keys. Lines longer than
 * inih's buffer are refused (inih would split them silently); a long list
 * continues on indented lines, as in Python's configparser. A section may
 * take its lines raw instead ([accept]: "CODE TARGET = DATE reason" is no
 * key = value line): inih then never sees them.
 *
 * Every error is "FILE:LINE: what is wrong"; the first one wins.
 */
#ifndef MAILREADY_INISRC_H
#define MAILREADY_INISRC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A kind of section a file may hold. */
struct ini_section {
	const char *name; /* "cluster", "node" */
	unsigned id;      /* one bit: ini_key.sections says where keys go */
	/*
	 * NULL: the section takes no name ([cluster]) and appears at most
	 * once. Else it takes one, and this is its placeholder in messages
	 * ("NAME": "[node NAME]"); the reader checks the name and duplicates.
	 */
	const char *arg;
	/*
	 * The section starts. arg: the text after the name, blanks trimmed
	 * ("" if none), or NULL for a section without a name. false (after
	 * ini_fail) stops the parse. May be NULL.
	 */
	bool (*start)(void *user, const char *arg);
	/*
	 * Non-NULL: the section's lines are taken raw. A line "KEY = VALUE"
	 * whose KEY is a key of the section is still a key line; every
	 * other line comes here, without its leading blanks (indented says
	 * whether it had any), comments included: line[0] is never ';' or
	 * '#', but a comment may follow (see ini_comment).
	 */
	bool (*line)(void *user, const char *line, bool indented);
};

/* A key, and the sections it is allowed in. */
struct ini_key {
	const char *name;
	/*
	 * Set the value (never empty: the engine refuses that). cont: an
	 * indented line continuing the value of the line above (only for a
	 * list). false (after ini_fail or ini_bad) stops the parse.
	 */
	bool (*set)(void *user, const char *value, bool cont);
	unsigned sections; /* ini_section.id bits */
	bool list;         /* may be continued on indented lines */
};

struct ini_syntax {
	const struct ini_section *sections; /* ends with a NULL name */
	const struct ini_key *keys;         /* ends with a NULL name */
	/* The section in force before any header (an accept file), or NULL. */
	const struct ini_section *initial;
};

struct ini_seen {
	const struct ini_key *key;
	int line;
};

/* One INI text being read: a file or a string, one line at a time. */
struct ini_src {
	/* Set by the caller; the rest starts zeroed. */
	const char *name; /* for messages */
	FILE *fp;         /* the file, or NULL when reading text */
	const char *text;
	char *err; /* the first error, "FILE:LINE: what is wrong" */
	size_t errlen;
	const struct ini_syntax *syntax;
	void *user; /* passed to every callback */

	/* The reader. */
	int lineno;    /* line being read */
	bool indented; /* that line starts with a blank */
	/* A key line was read in this section: indented lines continue it. */
	bool after_key;
	/* The same for a raw line: the section's reader decides. */
	bool after_raw;
	char **lines; /* every line read, for messages */
	size_t nlines;
	bool failed;
	int err_line;

	/* The engine. */
	const struct ini_section *sec; /* current section, or NULL */
	char *label;                   /* "[node mta1.example.com]" */
	int *first_line; /* per syntax section: line of its (single) header */
	struct ini_seen *seen; /* keys set in this section */
	size_t nseen;
	const struct ini_key *key; /* key of the last key line */
	int key_line;
};

/**
 * Parse to the end or the first error, calling the syntax's callbacks.
 * @return 0, or -1 with the message in s->err.
 */
int ini_src_parse(struct ini_src *s);

/** Free what the parse kept (lines, labels); the caller's fields stay. */
void ini_src_free(struct ini_src *s);

/** Record the first error at line (printf format); returns false. */
bool ini_failv(struct ini_src *s, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/** Record the first error, on the line being read; returns false. */
bool ini_fail(struct ini_src *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** The same, for an error found after reading, about an earlier line. */
bool ini_fail_at(struct ini_src *s, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * A bad value, on the line being read: the message is prefixed with the
 * section and the key ("[cluster] timeout: ..."), or with the section
 * alone on a raw line. Returns false.
 */
bool ini_badv(struct ini_src *s, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
bool ini_bad(struct ini_src *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Record as this source's error a message that is complete already
 * ("FILE:LINE: ..." of a file this one includes); returns false.
 */
bool ini_fail_verbatim(struct ini_src *s, const char *msg);

/** The current section as messages show it: "[cluster]", "[role mta]". */
const char *ini_label(const struct ini_src *s);

/**
 * Give the current section's name as the reader keeps it
 * ("[node MTA1.example.com.]" is "[node mta1.example.com]" in messages).
 */
void ini_set_arg(struct ini_src *s, const char *arg);

/** The id of the current section, or 0 before any. */
unsigned ini_section_id(const struct ini_src *s);

/** The line being read, as written (for comments the engine drops). */
const char *ini_line(const struct ini_src *s);

/**
 * Where an inline comment starts in text: a ';' at its start or after a
 * blank, as libinih has it. @return that ';', or NULL.
 */
const char *ini_comment(const char *text);

/**
 * The next item of a list separated by commas and/or blanks, as a new
 * string (caller frees); NULL at the end. Empty items ("a,,b") are
 * skipped.
 */
char *ini_next_item(const char **p);

/** value is word alone, blanks aside (case-insensitive). */
bool ini_is_word(const char *value, const char *word);

#endif

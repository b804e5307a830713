/*
 * inisrc.h -- INI files read through libinih with line numbers.
 *
 * Debian builds libinih without INI_HANDLER_LINENO, so lines reach it
 * through our own reader, which counts them. The reader also parses
 * [section] lines itself: inih cuts section names at 50 characters and
 * never tells a handler about a section without keys. Lines longer than
 * inih's buffer are refused (inih would split them silently); a long list
 * continues on indented lines, as in Python's configparser. The config and
 * the role profiles are both read this way.
 *
 * Every error is "FILE:LINE: what is wrong"; the first one wins.
 */
#ifndef MAILREADY_INISRC_H
#define MAILREADY_INISRC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <ini.h>

/* One INI text being read: a file or a string, one line at a time. */
struct ini_src {
	const char *name; /* for messages */
	FILE *fp;         /* the file, or NULL when reading text */
	const char *text;
	int lineno;    /* line last handed to inih */
	bool indented; /* that line starts with a blank */
	/* A key line was read in this section: indented lines continue it. */
	bool after_key;
	char **lines; /* every line read, for syntax error messages */
	size_t nlines;
	bool failed;
	int err_line;
	char *err;
	size_t errlen;
	/* Called for each [section] line; false stops the parse. */
	bool (*section)(void *user, const char *header);
	void *user;
};

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
 * Parse to the end or the first error, calling handler for each key (the
 * line number is s->lineno) and s->section for each section header.
 * @return 0, or -1 with the message in s->err.
 */
int ini_src_parse(struct ini_src *s, ini_handler handler, void *user);

/** Free the lines kept for messages. */
void ini_src_free(struct ini_src *s);

#endif
